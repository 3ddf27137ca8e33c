"""Heterogeneous stability: each party analysed under its own solution concept.

GMCR II lets the analyst choose a solution concept per decision maker (Peng 1999;
Fang, Hipel, Kilgour & Peng 2003, Part I): a hot-headed party may be judged by Nash
stability, a cautious one by sequential stability. State ``s`` is stable for party
``i`` under ``i``'s concept ``C_i`` exactly as in :mod:`detente.gmcr.stability` (the
sanctions against ``i`` are those ``C_i`` defines, whatever the sanctioning parties'
own concepts), and ``s`` is a **heterogeneous equilibrium** when it is stable for
every party under that party's concept.

References
----------
Fang, L., Hipel, K. W., Kilgour, D. M., and Peng, X. (2003). A decision support system
for interactive decision making, Part I: model formulation. *IEEE Transactions on SMC-C*
33(1), 42-55. Peng, X. (1999). *A Decision Support System for Conflict Resolution*. PhD
thesis, University of Waterloo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.errors import MissingPartError, Problem
from detente.gmcr.case import graph_model, memory_limit
from detente.gmcr.graph import GraphModel
from detente.gmcr.results import _plain, preference_ranks, state_record
from detente.gmcr.stability import normalise_concepts, stabilities
from detente.gmcr.states import DEFAULT_MAX_BYTES
from detente.model import Case

__all__ = [
    "HeterogeneousResult",
    "analyze_heterogeneous",
    "case_concepts",
    "heterogeneous_stabilities",
]


@dataclass(frozen=True, eq=False)
class HeterogeneousResult:
    """Stability of every state for every party under that party's own concept.

    Attributes
    ----------
    model : GraphModel
        The analysed model.
    concepts : mapping
        ``actor id -> concept key`` (``nash``, ``gmr``, ``smr``, ``seq``, ``sim``,
        ``seq_sim``, ``lh``, ``nm``).
    horizons : mapping
        ``actor id -> h`` for the parties analysed under limited move (``lh``).
    stable : numpy.ndarray
        ``bool (n_actors, n_states)``: the state is stable for the party under its concept.
    parameters : mapping
        What was asked.
    method : str
        What was computed, from which definitions.
    case_id, scenario : str or None
        The case and scenario analysed, when the analysis started from a case.
    """

    model: GraphModel
    concepts: Mapping[str, str]
    horizons: Mapping[str, int]
    stable: np.ndarray
    parameters: Mapping[str, Any] = field(default_factory=dict)
    case_id: str | None = None
    scenario: str | None = None
    method: str = (
        "heterogeneous stability: each party under its own solution concept "
        "(GMCR II, Fang, Hipel, Kilgour & Peng 2003)"
    )

    def equilibrium_mask(self) -> np.ndarray:
        """Boolean per state: stable for every party under its own concept."""
        return np.asarray(self.stable.all(axis=0), dtype=bool)

    def equilibria(self) -> list[int]:
        """0-based indices of the heterogeneous equilibria."""
        return [int(i) for i in np.flatnonzero(self.equilibrium_mask())]

    def to_dict(self, *, states: str = "equilibria") -> dict[str, Any]:
        """JSON-ready dict.

        Keys: ``method``; ``case`` and ``scenario`` (ids, or None); ``parameters``;
        ``concepts`` (actor id -> concept key);
        ``horizons`` (actor id -> horizon, limited-move parties only); ``actors`` and
        ``options`` (ids in model order); ``state_numbering``; ``n_states``;
        ``equilibria`` (1-based numbers of the states stable for every party under its
        own concept); ``stable_for`` (actor id -> number of states stable for it);
        ``states`` (one record per listed state: ``index`` 1-based, ``code``,
        ``pattern``, ``options`` id -> taken, ``rank`` actor -> preference rank with 1
        the best, ``stable`` actor -> bool, ``equilibrium`` bool). ``states="all"``
        lists every state, ``"equilibria"`` (default) only the equilibria.
        """
        m = self.model
        eq = self.equilibrium_mask()
        if states == "all":
            chosen = list(range(m.n_states))
        elif states == "equilibria":
            chosen = [int(i) for i in np.flatnonzero(eq)]
        else:
            raise ValueError("states must be 'all' or 'equilibria'")
        ranks = preference_ranks(m)
        records = []
        for i in chosen:
            rec = state_record(m, i)
            rec["rank"] = {a: int(ranks[k, i]) for k, a in enumerate(m.actors)}
            rec["stable"] = {a: bool(self.stable[k, i]) for k, a in enumerate(m.actors)}
            rec["equilibrium"] = bool(eq[i])
            records.append(rec)
        return {
            "method": self.method,
            "case": self.case_id,
            "scenario": self.scenario,
            "parameters": _plain(dict(self.parameters)),
            "concepts": dict(self.concepts),
            "horizons": dict(self.horizons),
            "actors": list(m.actors),
            "options": list(m.options),
            "state_numbering": "1-based positions of the feasible states in increasing code order",
            "n_states": m.n_states,
            "equilibria": [int(i) + 1 for i in np.flatnonzero(eq)],
            "stable_for": {a: int(self.stable[k].sum()) for k, a in enumerate(m.actors)},
            "states": records,
        }


def heterogeneous_stabilities(
    model: GraphModel,
    concepts: Mapping[str, str] | Mapping[int | str, str],
    *,
    horizons: Mapping[str, int] | Mapping[int | str, int] | None = None,
    horizon: int = 2,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> HeterogeneousResult:
    """Stability of every state for each party under the party's own solution concept.

    Parameters
    ----------
    model : GraphModel
        The conflict.
    concepts : mapping
        ``actor (id or index) -> concept`` (any name :func:`~detente.gmcr.stabilities`
        accepts: ``nash`` or ``R``, ``gmr``, ``smr``, ``seq``, and with two parties
        ``sim``, ``seq_sim``, ``lh``, ``nm``). Every party needs one.
    horizons : mapping, optional
        ``actor -> h`` for parties analysed under limited move; default ``horizon``.
    horizon : int
        The limited-move horizon of parties not in ``horizons``.
    max_bytes : int
        Refuse, before allocating, an analysis needing more memory.

    Returns
    -------
    HeterogeneousResult

    Raises
    ------
    ValueError
        A party without a concept, an unknown party or an unknown concept.
    TwoActorConceptError
        A two-party concept asked of a model with more parties.

    References
    ----------
    Fang, Hipel, Kilgour & Peng (2003), IEEE SMC-C 33(1):42-55 (GMCR II, a solution
    concept per decision maker); Fang, Hipel & Kilgour (1993), ch. 3 (the concepts).

    Examples
    --------
    Prisoner's Dilemma: A reasons by Nash stability, B by GMR. Mutual cooperation
    (NN) is GMR stable for B but not Nash stable for A, so only YY remains:

    >>> m = GraphModel.from_options(
    ...     actors=["A", "B"], options={"dA": "A", "dB": "B"},
    ...     rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]})
    >>> r = heterogeneous_stabilities(m, {"A": "nash", "B": "gmr"})
    >>> [m.pattern(i) for i in r.equilibria()]
    ['YY']
    """
    chosen: dict[int, str] = {}
    for actor, concept in concepts.items():
        k = model.actor_index(actor)
        (key,) = normalise_concepts([concept])
        chosen[k] = key
    missing = [a for k, a in enumerate(model.actors) if k not in chosen]
    if missing:
        raise ValueError(f"no solution concept for {', '.join(missing)}: give one per party")
    hs: dict[int, int] = {}
    for actor, h in (horizons or {}).items():
        hs[model.actor_index(actor)] = int(h)
    for k, h in hs.items():
        if chosen[k] != "lh":
            raise ValueError(
                f"a horizon is given for {model.actors[k]}, whose concept is not limited move (lh)"
            )
        if h < 1:
            raise ValueError("the horizon of limited-move stability must be >= 1")
    stable = np.zeros((model.n_actors, model.n_states), dtype=bool)
    # One call per (concept, horizon) group: the move graphs are rebuilt per group, which
    # costs little next to the stability analysis itself.
    groups: dict[tuple[str, int], list[int]] = {}
    for k, c in chosen.items():
        h = hs.get(k, horizon) if c == "lh" else horizon
        groups.setdefault((c, h), []).append(k)
    for (c, h), members in groups.items():
        res = stabilities(model, concepts=[c], actors=members, horizon=h, max_bytes=max_bytes)
        stable[members] = res.stable[c][members]
    stable.setflags(write=False)
    by_id = {model.actors[k]: c for k, c in sorted(chosen.items())}
    lh = {model.actors[k]: hs.get(k, horizon) for k, c in sorted(chosen.items()) if c == "lh"}
    return HeterogeneousResult(
        model=model,
        concepts=by_id,
        horizons=lh,
        stable=stable,
        parameters={"concepts": by_id, "horizons": lh},
    )


def case_concepts(
    case: Case, *, default: str | None = None
) -> tuple[dict[str, str], dict[str, int]]:
    """Each party's solution concept and limited-move horizon as the case states them
    (``preferences.<party>.solution_concept`` and ``horizon``).

    Parties the case gives no concept take ``default``; without a default they make
    :class:`~detente.errors.MissingPartError` name them.
    """
    concepts: dict[str, str] = {}
    horizons: dict[str, int] = {}
    missing = []
    controllers = {o.controller for o in case.options}
    for actor in case.actors:
        if actor.id not in controllers and actor.id not in case.preferences:
            continue
        prefs = case.preferences.get(actor.id)
        concept: str | None = prefs.solution_concept if prefs is not None else None
        if concept is None:
            if default is None:
                missing.append(actor.id)
                continue
            concept = default
        concepts[actor.id] = concept
        if prefs is not None and prefs.horizon is not None:
            horizons[actor.id] = prefs.horizon
    if missing:
        raise MissingPartError(
            Problem(
                "heterogeneous stability needs a solution concept for every party; none for "
                f"{', '.join(missing)} (set preferences.<party>.solution_concept, or give a "
                "default)",
                path=("preferences",),
            )
        )
    return concepts, horizons


def analyze_heterogeneous(
    case: Case,
    *,
    concepts: Mapping[str, str] | None = None,
    horizons: Mapping[str, int] | None = None,
    default: str | None = None,
    horizon: int = 2,
    max_bytes: int | None = None,
) -> HeterogeneousResult:
    """Heterogeneous stability of a case: each party under the concept the case states
    for it (:func:`case_concepts`), overridden by ``concepts`` (``actor id -> concept``,
    as given on the command line), parties named by neither taking ``default``.

    Raises
    ------
    MissingPartError
        Some party has no concept and no default is given.

    Examples
    --------
    >>> import detente
    >>> result = analyze_heterogeneous(detente.load("prisoners_dilemma"), default="gmr")
    >>> result.to_dict()["equilibria"]
    [1, 4]
    """
    merged = dict(concepts or {})
    stated, stated_h = case_concepts(case, default=default or "nash")
    controllers = {o.controller for o in case.options}
    unnamed = [
        a.id
        for a in case.actors
        if (a.id in controllers or a.id in case.preferences)
        and a.id not in merged
        and (case.preferences.get(a.id) is None or case.preferences[a.id].solution_concept is None)
    ]
    if unnamed and default is None:
        raise MissingPartError(
            Problem(
                "heterogeneous stability needs a solution concept for every party; none for "
                f"{', '.join(unnamed)} (set preferences.<party>.solution_concept, pass a "
                "mapping, or give a default)",
                path=("preferences",),
            )
        )
    for actor, concept in stated.items():
        merged.setdefault(actor, concept)
    hs = {a: h for a, h in stated_h.items() if merged.get(a) == "lh"}
    hs.update(horizons or {})
    max_bytes = memory_limit(max_bytes)
    model = graph_model(case, max_bytes=max_bytes)
    result = heterogeneous_stabilities(
        model, merged, horizons=hs, horizon=horizon, max_bytes=max_bytes
    )
    return HeterogeneousResult(
        model=result.model,
        concepts=result.concepts,
        horizons=result.horizons,
        stable=result.stable,
        parameters=result.parameters,
        case_id=case.id,
        scenario=case.scenario_id,
    )
