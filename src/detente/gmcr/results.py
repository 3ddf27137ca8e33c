"""Result objects of the graph model engine; each has a JSON-ready ``to_dict()``.

State numbers in every ``to_dict()`` are 1-based (``index``), as graph-model papers
number feasible states: state ``k`` is the k-th feasible state in increasing code
order. Python-side attributes use 0-based indices into ``model.states``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from detente.gmcr.graph import GraphModel

__all__ = [
    "CoalitionResult",
    "Explanation",
    "ImprovementCheck",
    "StabilityResult",
    "StatusQuoResult",
    "Step",
    "make_step",
    "preference_ranks",
    "state_record",
]


def state_record(model: GraphModel, index: int) -> dict[str, Any]:
    """Index (1-based), code, Y/N pattern and option values of one state."""
    return {
        "index": int(index) + 1,
        "code": int(model.states[index]),
        "pattern": model.pattern(index),
        "options": model.option_values(index),
    }


def preference_ranks(model: GraphModel) -> np.ndarray:
    """``(n_actors, n_states)`` rank of each state in each actor's preference: 1 for
    its most preferred states, 2 for the next tie group, and so on."""
    out = np.empty(model.payoff.shape, dtype=np.int64)
    for a, row in enumerate(model.payoff):
        _, inverse = np.unique(-row, return_inverse=True)
        out[a] = inverse.reshape(-1) + 1
    return out


@dataclass(frozen=True, eq=False)
class StabilityResult:
    """Stability of every state for every actor under each solution concept.

    Attributes
    ----------
    model : GraphModel
        The analysed model.
    concepts : tuple of str
        The concepts computed (keys of ``stable``).
    stable : mapping
        ``concept -> bool array (n_actors, n_states)``: state stable for the actor.
    parameters : mapping
        Parameters used (for example the horizon of limited-move stability).
    method : str
        What was computed and from which definitions.
    """

    model: GraphModel
    concepts: tuple[str, ...]
    stable: Mapping[str, np.ndarray]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    method: str = "graph model stability analysis (Fang, Hipel & Kilgour 1993)"

    def is_stable(self, concept: str, actor: int | str, state: int) -> bool:
        """Whether ``state`` (0-based) is stable for ``actor`` under ``concept``."""
        return bool(self.stable[concept][self.model.actor_index(actor), state])

    def equilibrium_mask(self, concept: str) -> np.ndarray:
        """Boolean per state: stable for every actor under ``concept``.

        Raises ValueError when only some actors were analysed.
        """
        analysed = self.parameters.get("actors")
        if analysed is not None and len(analysed) != self.model.n_actors:
            raise ValueError(
                "equilibria need the stability of every actor; only some were analysed"
            )
        # (n_actors, n_states) reduced over actors is always an array, not a scalar
        return cast(np.ndarray, self.stable[concept].all(axis=0))

    def equilibria(self, concept: str) -> list[int]:
        """0-based indices of the equilibria under ``concept``."""
        return [int(i) for i in np.flatnonzero(self.equilibrium_mask(concept))]

    def to_dict(self, *, states: str = "all") -> dict[str, Any]:
        """JSON-ready dict; ``states="equilibria"`` lists only equilibria."""
        m = self.model
        analysed = self.parameters.get("actors")
        full = analysed is None or len(analysed) == m.n_actors
        none = np.zeros(m.n_states, dtype=bool)
        eq = {c: self.equilibrium_mask(c) if full else none for c in self.concepts}
        if states == "all":
            chosen: Sequence[int] = range(m.n_states)
        elif states == "equilibria":
            any_eq = np.zeros(m.n_states, dtype=bool)
            for mask in eq.values():
                any_eq |= mask
            chosen = np.flatnonzero(any_eq).tolist()
        else:
            raise ValueError("states must be 'all' or 'equilibria'")
        ranks = preference_ranks(m)
        records = []
        for i in chosen:
            rec = state_record(m, i)
            rec["rank"] = {actor: int(ranks[a, i]) for a, actor in enumerate(m.actors)}
            rec["stability"] = {
                actor: {c: bool(self.stable[c][a, i]) for c in self.concepts}
                for a, actor in enumerate(m.actors)
            }
            rec["equilibrium"] = {c: bool(eq[c][i]) if full else None for c in self.concepts}
            records.append(rec)
        return {
            "method": self.method,
            "parameters": _plain(dict(self.parameters)),
            "actors": list(m.actors),
            "options": list(m.options),
            "concepts": list(self.concepts),
            "state_numbering": "1-based positions of the feasible states in increasing code order",
            "n_states": m.n_states,
            "equilibria": {
                c: [int(i) + 1 for i in np.flatnonzero(eq[c])] if full else None
                for c in self.concepts
            },
            "states": records,
        }


@dataclass(frozen=True)
class Step:
    """One move of a path: ``actor`` moves the conflict from ``source`` to ``target``
    (0-based state indices) by changing ``changed`` (option id -> new value); within a
    coalition's joint move, ``coalition`` names its members."""

    actor: str
    source: int
    target: int
    changed: tuple[tuple[str, bool], ...]
    coalition: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "actor": self.actor,
            "from": self.source + 1,
            "to": self.target + 1,
            "changed": {o: v for o, v in self.changed},
        }
        if self.coalition is not None:
            data["coalition"] = list(self.coalition)
        return data


def make_step(model: GraphModel, mover: int, source: int, target: int) -> Step:
    """A :class:`Step` with the options the move changes and their new values."""
    a, b = int(model.states[source]), int(model.states[target])
    diff = a ^ b
    changed = tuple((opt, bool(b >> k & 1)) for k, opt in enumerate(model.options) if diff >> k & 1)
    return Step(actor=model.actors[mover], source=int(source), target=int(target), changed=changed)


@dataclass(frozen=True, eq=False)
class StatusQuoResult:
    """Where the status quo can go by unilateral improvements (legal sequences).

    Attributes
    ----------
    status_quo : int
        0-based index of the status quo.
    reachable : tuple of int
        States reached from it by non-empty legal sequences of UIs (any actors).
    equilibria : mapping
        ``concept -> tuple`` of equilibria reachable (the status quo included when
        it is itself an equilibrium).
    paths : mapping
        ``state -> tuple of Step``: a shortest path to each reachable equilibrium.
    coalitions : tuple of tuple of str
        Coalitions whose joint improvements the search also followed (none: only
        unilateral improvements).
    """

    model: GraphModel
    status_quo: int
    reachable: tuple[int, ...]
    equilibria: Mapping[str, tuple[int, ...]]
    paths: Mapping[int, tuple[Step, ...]]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    method: str = "status quo analysis by legal sequences of unilateral improvements"
    coalitions: tuple[tuple[str, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        m = self.model
        return {
            "method": self.method,
            "parameters": _plain(dict(self.parameters)),
            "state_numbering": "1-based",
            "status_quo": state_record(m, self.status_quo),
            "reachable": [i + 1 for i in self.reachable],
            "equilibria": {c: [i + 1 for i in v] for c, v in self.equilibria.items()},
            "paths": {str(t + 1): [s.to_dict() for s in steps] for t, steps in self.paths.items()},
        }


@dataclass(frozen=True)
class ImprovementCheck:
    """One unilateral improvement of the focal actor and the responses to it.

    ``sanctions`` are the states (0-based) the opponents can reach from ``target``
    (by the concept's kind of legal sequence) that the focal actor likes no better
    than the starting state; for SMR only those from which the actor cannot escape
    to a better state; for SIM the joint outcomes. ``responses`` gives, for each
    listed sanction, a shortest sequence of opponent moves that reaches it (for SIM,
    the opponent's simultaneous move from the starting state). ``sanctioned`` is
    whether at least one sanction exists. For SMR, ``escapes`` lists answers that
    would sanction under GMR but from which the focal actor escapes: ``(state,
    escape)`` pairs, the escape being the actor's move to a state it prefers to the
    start, with ``escape_responses`` the opponents' moves that reach each state.
    """

    target: int
    changed: tuple[tuple[str, bool], ...]
    sanctions: tuple[int, ...]
    n_sanctions: int
    sanctioned: bool
    responses: tuple[tuple[Step, ...], ...] = ()
    escapes: tuple[tuple[int, int], ...] = ()
    escape_responses: tuple[tuple[Step, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "to": self.target + 1,
            "changed": {o: v for o, v in self.changed},
            "sanctioned": self.sanctioned,
            "n_sanctions": self.n_sanctions,
            "sanctions": [s + 1 for s in self.sanctions],
            "responses": [[step.to_dict() for step in r] for r in self.responses],
        }
        if self.escapes:
            data["escapes"] = [
                {
                    "state": s + 1,
                    "escape_to": e + 1,
                    "responses": [step.to_dict() for step in r],
                }
                for (s, e), r in zip(self.escapes, self.escape_responses, strict=True)
            ]
        return data


@dataclass(frozen=True, eq=False)
class Explanation:
    """Why a state is (un)stable for an actor under one concept."""

    model: GraphModel
    actor: str
    state: int
    concept: str
    stable: bool
    improvements: tuple[ImprovementCheck, ...]
    method: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "actor": self.actor,
            "concept": self.concept,
            "state": state_record(self.model, self.state),
            "stable": self.stable,
            "improvements": [c.to_dict() for c in self.improvements],
        }


@dataclass(frozen=True, eq=False)
class CoalitionResult:
    """Coalition stability of every state for the listed coalitions.

    Attributes
    ----------
    coalitions : tuple of tuple of str
        The coalitions analysed (actor ids).
    improvable : numpy.ndarray
        ``bool (n_coalitions, n_states)``: the coalition has a joint move (a legal
        sequence of its members' moves) that makes every member strictly better off.
    stable : mapping
        ``concept -> bool (n_coalitions, n_states)`` coalition stability.
    individual : StabilityResult
        Individual stability, computed first.
    """

    model: GraphModel
    coalitions: tuple[tuple[str, ...], ...]
    concepts: tuple[str, ...]
    improvable: np.ndarray
    stable: Mapping[str, np.ndarray]
    individual: StabilityResult
    parameters: Mapping[str, Any] = field(default_factory=dict)
    method: str = "coalition analysis (Kilgour et al. 2001; Inohara & Hipel 2008)"

    def equilibrium_mask(self, concept: str) -> np.ndarray:
        """States stable for every individual actor and every listed coalition."""
        return self.individual.equilibrium_mask(concept) & self.stable[concept].all(axis=0)

    def to_dict(self) -> dict[str, Any]:
        m = self.model
        records = []
        for i in range(m.n_states):
            rec = state_record(m, i)
            rec["coalition_improvement"] = {
                "+".join(c): bool(self.improvable[k, i]) for k, c in enumerate(self.coalitions)
            }
            rec["coalition_stability"] = {
                "+".join(c): {x: bool(self.stable[x][k, i]) for x in self.concepts}
                for k, c in enumerate(self.coalitions)
            }
            rec["equilibrium"] = {x: bool(self.equilibrium_mask(x)[i]) for x in self.concepts}
            records.append(rec)
        return {
            "method": self.method,
            "parameters": _plain(dict(self.parameters)),
            "coalitions": [list(c) for c in self.coalitions],
            "concepts": list(self.concepts),
            "state_numbering": "1-based",
            "equilibria": {
                x: [int(i) + 1 for i in np.flatnonzero(self.equilibrium_mask(x))]
                for x in self.concepts
            },
            "states": records,
            "individual": self.individual.to_dict(),
        }


def _plain(obj: Any) -> Any:
    """Turn numpy scalars and containers into plain Python for JSON."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return obj
