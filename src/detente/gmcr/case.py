"""The graph-model analysis of a case: stability of every state, the status quo's fate,
where each proposal stands, and coalitions.

:func:`graph_model` turns a :class:`~detente.model.Case` into the engine's
:class:`GraphModel` (options in case order, so state numbers follow gmcr-py's for
files it wrote); :func:`analyze_conflict` runs the whole analysis.

References
----------
Fang, L., Hipel, K. W., and Kilgour, D. M. (1993). *Interactive Decision Making:
The Graph Model for Conflict Resolution*. Wiley.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.errors import MissingPartError, Problem
from detente.gmcr.coalitions import (
    COALITION_CONCEPTS,
    check_coalition_cost,
    coalition_stabilities,
)
from detente.gmcr.graph import GraphModel
from detente.gmcr.results import CoalitionResult, StabilityResult, StatusQuoResult, state_record
from detente.gmcr.stability import stabilities
from detente.gmcr.status_quo import status_quo_paths
from detente.model import Case
from detente.model.checks import ranking_codes
from detente.model.expressions import Expr
from detente.model.limits import limits
from detente.model.links import is_linked, proposal_package

__all__ = [
    "ConflictAnalysis",
    "ProposalStanding",
    "analyze_conflict",
    "default_concepts",
    "graph_model",
]

BASIC_CONCEPTS = ("nash", "gmr", "smr", "seq")
TWO_ACTOR_CONCEPTS = ("sim", "seq_sim", "lh", "nm")


def memory_limit(max_bytes: int | None) -> int:
    """``max_bytes``, or when None the memory limit in force (``DETENTE_MAX_MEMORY``, see
    :mod:`detente.model.limits`): what the case-level analyses may allocate."""
    return limits().memory if max_bytes is None else max_bytes


def graph_model(
    case: Case, *, max_bytes: int | None = None, both_moves: bool = False
) -> GraphModel:
    """The case's options, constraints, preferences and status quo as a :class:`GraphModel`.

    ``max_bytes`` defaults to the memory limit in force (``DETENTE_MAX_MEMORY``, see
    :mod:`detente.model.limits`), which bounds the analysis's time too: at the default
    of 2 GiB the largest model allowed, about 4 million states of three parties (22
    options), takes about 75 s on two cores.

    Raises
    ------
    MissingPartError
        The case has no options, or an actor who controls options has no preferences.
    CaseTooLargeError
        The states would not fit in ``max_bytes``; refused before allocating.
    """
    max_bytes = memory_limit(max_bytes)
    case.require("options", analysis="the graph model")
    controllers = {o.controller for o in case.options}
    missing = [a.id for a in case.actors if a.id in controllers and a.id not in case.preferences]
    if missing:
        raise MissingPartError(
            Problem(
                f"the graph model needs preferences for {', '.join(missing)} (each controls options)",
                path=("preferences",),
            )
        )
    actors = [a.id for a in case.actors if a.id in controllers or a.id in case.preferences]
    preferences: dict[str, list[Expr]] = {}
    rankings = {}
    misperceived = {}
    for actor_id in actors:
        prefs = case.preferences.get(actor_id)
        if prefs is None:
            preferences[actor_id] = []
            continue
        if prefs.ranking is not None:
            rankings[actor_id] = ranking_codes(case, actor_id)
        else:
            preferences[actor_id] = [s.parsed for s in prefs.statements or ()]
        if prefs.misperceives:
            misperceived[actor_id] = list(prefs.misperceives)
    return GraphModel.from_options(
        actors=actors,
        options=[(o.id, o.controller) for o in case.options],
        preferences=preferences,
        rankings=rankings,
        infeasible=[c.infeasible_expr for c in case.constraints],
        direction={o.id: o.direction for o in case.options if o.direction},
        misperceived=misperceived,
        status_quo={o: True for o in case.status_quo},
        max_bytes=max_bytes,
        both_moves=both_moves,
    )


def default_concepts(model: GraphModel) -> tuple[str, ...]:
    """Nash, GMR, SMR and SEQ; with two actors also SIM, SEQ+SIM, limited move and non-myopic."""
    return BASIC_CONCEPTS + (TWO_ACTOR_CONCEPTS if len(model.actors) == 2 else ())


@dataclass(frozen=True)
class ProposalStanding:
    """Where a proposal's state stands: its stability, and whether the status quo can reach it."""

    id: str
    index: int
    pattern: str
    options: dict[str, bool]
    stable_for: dict[str, tuple[str, ...]]
    unstable_for: dict[str, tuple[str, ...]]
    equilibrium: dict[str, bool]
    reachable: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "index": self.index,
            "pattern": self.pattern,
            "options": dict(self.options),
            "stable_for": {c: list(a) for c, a in self.stable_for.items()},
            "unstable_for": {c: list(a) for c, a in self.unstable_for.items()},
            "equilibrium": dict(self.equilibrium),
            "reachable_from_status_quo": self.reachable,
        }


@dataclass(frozen=True)
class ConflictAnalysis:
    """The graph-model analysis of a case."""

    case_id: str
    scenario: str | None
    stability: StabilityResult
    status_quo: StatusQuoResult | None
    proposals: tuple[ProposalStanding, ...] = ()
    coalitions: CoalitionResult | None = None
    status_quo_with_coalitions: StatusQuoResult | None = None

    @property
    def model(self) -> GraphModel:
        return self.stability.model

    def to_frame(self):
        """One row per state (indexed by its number), with two levels of columns:
        ``frame["option"]`` (taken or not), ``frame["rank"]`` (each party's rank, 1 the
        best), ``frame[CONCEPT]`` (stable for each party: ``frame["nash"]["USA"]``) and
        ``frame["equilibrium"]`` (per concept); ``frame["pattern"]`` the Y/N pattern
        (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("to_frame() needs pandas: pip install pandas") from None
        from detente.gmcr.results import state_table_columns

        columns = state_table_columns(self.stability)
        actors = set(self.model.actors)
        keys = []
        for name in columns:
            head, _, tail = name.partition(":")
            if name in ("state", "code", "pattern"):
                keys.append((name, ""))
            elif head in ("rank", "equilibrium", "option") and tail:
                keys.append((head, tail))
            elif head in actors and tail:
                keys.append((tail, head))  # stable for party HEAD under concept TAIL
            else:
                keys.append(("option", name))
        frame = pd.DataFrame({key: columns[name] for key, name in zip(keys, columns, strict=True)})
        frame.columns = pd.MultiIndex.from_tuples(keys)
        frame.index = pd.Index(columns["state"], name="state")
        return frame.drop(columns=[("state", ""), ("code", "")])

    def _repr_html_(self) -> str:
        from detente.model.display import html_table

        data = self.stability.to_dict(states="equilibria")
        rows = [
            [c, len(v or []), ", ".join(str(i) for i in (v or [])[:10])]
            for c, v in data["equilibria"].items()
        ]
        return html_table(
            ["Concept", "Equilibria", "First states"],
            rows,
            caption=f"Graph model of {self.case_id}",
        )

    def to_networkx(
        self,
        states: str = "view",
        *,
        moves: str = "improvements",
        coalitions: bool | Sequence[Sequence[str]] | None = None,
    ) -> Any:
        """The state graph as a :class:`networkx.DiGraph`: nodes are states (1-based
        numbers) with their options, equilibria and proposals; edges are unilateral moves
        (``mover``) and coalition improvements (``movers``). ``states="view"`` keeps the
        states around the status quo, ``"all"`` every state of a small model; see
        :func:`detente.gmcr.state_graph.state_graph`."""
        from detente.gmcr.state_graph import state_graph

        return state_graph(self, states=states, moves=moves, coalitions=coalitions)

    def to_dict(self, *, states: str | Sequence[int] = "auto") -> dict[str, Any]:
        """JSON-ready data (see :func:`detente.gmcr.results.conflict_dict`): every state
        up to :data:`~detente.gmcr.results.MAX_LISTED_STATES`, above it the states of
        the state-graph view; ``states="all"`` lists every state."""
        from detente.gmcr.results import conflict_dict

        return conflict_dict(self, states=states)


def _proposal_standings(
    case: Case, result: StabilityResult, sq: StatusQuoResult | None
) -> tuple[ProposalStanding, ...]:
    model = result.model
    index = {o: k for k, o in enumerate(model.options)}
    sq_code = int(model.states[model.status_quo]) if model.status_quo is not None else 0
    reachable = set(sq.reachable) if sq is not None else set()
    out = []
    for proposal in case.proposals:
        # A proposal written as issue levels only stands for the state its levels
        # come closest to, when the case links its options to the issues.
        options = proposal.options or proposal_package(case, proposal).options
        if not options or (not proposal.options and not is_linked(case)):
            continue
        code = sq_code
        for option, taken in options.items():
            bit = 1 << index[option]
            code = code | bit if taken else code & ~bit
        pos = int(np.searchsorted(model.states, code))
        if pos >= model.states.size or int(model.states[pos]) != code:
            continue  # the proposal's state is infeasible; the report says so through its absence
        record = state_record(model, pos)
        stable_for = {
            c: tuple(a for k, a in enumerate(model.actors) if result.stable[c][k, pos])
            for c in result.concepts
        }
        unstable_for = {
            c: tuple(a for a in model.actors if a not in stable_for[c]) for c in result.concepts
        }
        out.append(
            ProposalStanding(
                id=proposal.id,
                index=pos + 1,
                pattern=record["pattern"],
                options=record["options"],
                stable_for=stable_for,
                unstable_for=unstable_for,
                equilibrium={c: not unstable_for[c] for c in result.concepts},
                reachable=pos in reachable or pos == model.status_quo,
            )
        )
    return tuple(out)


def analyze_conflict(
    case: Case,
    *,
    concepts: Sequence[str] | None = None,
    horizon: int = 2,
    coalitions: bool | Sequence[Sequence[str]] = False,
    status_quo_moves: str = "improvements",
    joint_sanctions: bool = False,
    max_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ConflictAnalysis:
    """Stability of every state for every actor, the status quo's reach, proposals, coalitions.

    Parameters
    ----------
    case : Case
    concepts : sequence of str, optional
        Any of ``nash``, ``gmr``, ``smr``, ``seq``, ``sim``, ``seq_sim``, ``lh``, ``nm``;
        default :func:`default_concepts`.
    horizon : int
        The horizon h of limited-move stability (two actors only).
    coalitions : bool or sequence of sequences of actor ids
        ``True`` analyses the case's coalitions (every pair of actors if it names none).
    status_quo_moves : {"improvements", "any"}
        Follow the status quo along legal sequences of unilateral improvements, or of
        any unilateral moves.
    joint_sanctions : bool
        In coalition SEQ, let the other parties sanction by joint improvements of
        groups of them too (see :func:`~detente.gmcr.coalitions.coalition_stabilities`).
    progress : callable, optional
        ``progress(done, total)`` as the coalition analysis, the longest part, goes on:
        coalitions done of those analysed (see
        :func:`~detente.gmcr.coalitions.coalition_stabilities`). Not called without
        coalitions.

    Examples
    --------
    >>> import detente
    >>> from detente.gmcr import analyze_conflict
    >>> result = analyze_conflict(detente.load("prisoners_dilemma"))
    >>> result.to_dict()["equilibria"]["nash"]
    [4]
    """
    if status_quo_moves not in ("improvements", "any"):
        raise ValueError(
            f"status_quo_moves must be 'improvements' or 'any', not {status_quo_moves!r}"
        )
    max_bytes = memory_limit(max_bytes)
    # Two-actor concepts list both actors' moves: a model too large for them is refused
    # as soon as its states are known.
    both_moves = not concepts or any(c in TWO_ACTOR_CONCEPTS for c in concepts)
    model = graph_model(case, max_bytes=max_bytes, both_moves=both_moves)
    concepts = tuple(concepts) if concepts else default_concepts(model)
    groups: list[tuple[str, ...]] = []
    joint_concepts = tuple(c for c in concepts if c in COALITION_CONCEPTS) or ("nash",)
    if coalitions:
        groups = (
            [tuple(g) for g in coalitions]
            if not isinstance(coalitions, bool)
            else [tuple(g) for g in case.coalitions]
        )
        if not groups:
            groups = [(a, b) for i, a in enumerate(model.actors) for b in model.actors[i + 1 :]]
        # Refused before any stability work when the coalitions' analysis would not fit.
        check_coalition_cost(
            model,
            groups,
            concepts=joint_concepts,
            sanctions="joint" if joint_sanctions else "single",
        )
    result = stabilities(model, concepts=concepts, horizon=horizon, max_bytes=max_bytes)
    sq = None
    sq_basis: StabilityResult | None = None
    if model.status_quo is not None:
        basic = tuple(c for c in concepts if c in BASIC_CONCEPTS) or ("nash",)
        sq_basis = (
            result
            if set(basic) <= set(concepts)
            else stabilities(model, concepts=basic, max_bytes=max_bytes)
        )
        sq = status_quo_paths(
            model, stability=sq_basis, improving=status_quo_moves == "improvements"
        )
    coalition_result = None
    sq_joint = None
    if coalitions:
        coalition_result = coalition_stabilities(
            model,
            coalitions=groups,
            concepts=joint_concepts,
            sanctions="joint" if joint_sanctions else "single",
            progress=progress,
        )
        if sq is not None and status_quo_moves == "improvements":
            sq_joint = status_quo_paths(model, stability=sq_basis, coalitions=groups)
    return ConflictAnalysis(
        case_id=case.id,
        scenario=case.scenario_id,
        stability=result,
        status_quo=sq,
        proposals=_proposal_standings(case, result, sq),
        coalitions=coalition_result,
        status_quo_with_coalitions=sq_joint,
    )
