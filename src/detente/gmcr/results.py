"""Result objects of the graph model engine; each has a JSON-ready ``to_dict()``.

State numbers in every ``to_dict()`` are 1-based (``index``), as graph-model papers
number feasible states: state ``k`` is the k-th feasible state in increasing code
order. Python-side attributes use 0-based indices into ``model.states``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np

from detente.gmcr.graph import GraphModel

if TYPE_CHECKING:
    from detente.gmcr.case import ConflictAnalysis

__all__ = [
    "MAX_LISTED_STATES",
    "CoalitionResult",
    "Explanation",
    "ImprovementCheck",
    "StabilityResult",
    "StatusQuoResult",
    "Step",
    "chosen_states",
    "conflict_dict",
    "iter_conflict_json",
    "make_step",
    "preference_ranks",
    "state_record",
    "state_records",
    "state_table_columns",
    "write_conflict_json",
]

MAX_LISTED_STATES = 4096
"""A conflict's JSON lists every state up to this many feasible states; above it
(``states="auto"``) it lists only the states of the state-graph view (the status quo,
the proposals, the status quo's paths, the nearest equilibria and their neighbours),
with every equilibrium still named by number. ``states="all"`` lists every state."""

_RECORD_BLOCK = 8192
"""States turned into JSON text at a time: bounds the memory of a streamed output."""


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

    def to_dict(self, *, states: str | Sequence[int] = "all") -> dict[str, Any]:
        """JSON-ready dict; ``states`` lists ``"all"`` states, only the ``"equilibria"``
        (under any concept), or the given 0-based states."""
        return {
            **_stability_summary(self),
            "states": state_records(self, chosen_states(self, states)),
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

    def to_dict(self, *, states: Sequence[int] | None = None) -> dict[str, Any]:
        """JSON-ready dict; ``states`` (0-based) limits the per-state records, of the
        coalitions and of the individual stability alike (default: every state)."""
        m = self.model
        chosen = range(m.n_states) if states is None else [int(i) for i in states]
        masks = {x: self.equilibrium_mask(x) for x in self.concepts}
        names = ["+".join(c) for c in self.coalitions]
        records = []
        for i in chosen:
            rec = state_record(m, i)
            rec["coalition_improvement"] = {
                name: bool(self.improvable[k, i]) for k, name in enumerate(names)
            }
            rec["coalition_stability"] = {
                name: {x: bool(self.stable[x][k, i]) for x in self.concepts}
                for k, name in enumerate(names)
            }
            rec["equilibrium"] = {x: bool(masks[x][i]) for x in self.concepts}
            records.append(rec)
        return {
            "method": self.method,
            "parameters": _plain(dict(self.parameters)),
            "coalitions": [list(c) for c in self.coalitions],
            "concepts": list(self.concepts),
            "state_numbering": "1-based",
            "equilibria": {
                x: [int(i) + 1 for i in np.flatnonzero(masks[x])] for x in self.concepts
            },
            "states": records,
            "individual": self.individual.to_dict(states="all" if states is None else chosen),
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


# -- every state, in bulk: records, table columns and streamed JSON -------------------


def _equilibrium_masks(result: StabilityResult) -> dict[str, np.ndarray] | None:
    """``concept -> bool per state``, or None when only some actors were analysed."""
    analysed = result.parameters.get("actors")
    if analysed is not None and len(analysed) != result.model.n_actors:
        return None
    return {c: result.equilibrium_mask(c) for c in result.concepts}


def chosen_states(result: StabilityResult, states: str | Sequence[int]) -> np.ndarray:
    """0-based states named by ``states``: ``"all"``, ``"equilibria"`` (under any
    concept) or a sequence of 0-based indices (kept in its order).

    Raises ValueError for another word or an index out of range."""
    n = result.model.n_states
    if isinstance(states, str):
        if states == "all":
            return np.arange(n, dtype=np.int64)
        if states == "equilibria":
            masks = _equilibrium_masks(result) or {}
            any_eq = np.zeros(n, dtype=bool)
            for mask in masks.values():
                any_eq |= mask
            return np.flatnonzero(any_eq).astype(np.int64)
        raise ValueError(f"states must be 'all', 'equilibria' or 0-based indices, not {states!r}")
    chosen = np.asarray(list(states), dtype=np.int64).reshape(-1)
    if chosen.size and (chosen.min() < 0 or chosen.max() >= n):
        raise ValueError(f"state indices must lie in 0..{n - 1} (0-based)")
    return chosen


def _option_bits(model: GraphModel, indices: np.ndarray) -> np.ndarray:
    """``bool (len(indices), n_options)``: option k taken in each state."""
    shifts = np.arange(model.n_options, dtype=np.int64)
    return ((model.states[indices].astype(np.int64)[:, None] >> shifts) & 1).astype(bool)


def _patterns(bits: np.ndarray) -> list[str]:
    """Y/N per option of each row of ``bits`` (as :meth:`GraphModel.pattern`)."""
    n = bits.shape[1]
    if n == 0 or bits.shape[0] == 0:
        return [""] * bits.shape[0]
    letters = np.ascontiguousarray(np.where(bits, ord("Y"), ord("N")).astype(np.uint8))
    return letters.view(f"S{n}").reshape(-1).astype(f"U{n}").tolist()


def _stability_summary(result: StabilityResult) -> dict[str, Any]:
    """:meth:`StabilityResult.to_dict` without its per-state records."""
    m = result.model
    masks = _equilibrium_masks(result)
    return {
        "method": result.method,
        "parameters": _plain(dict(result.parameters)),
        "actors": list(m.actors),
        "options": list(m.options),
        "concepts": list(result.concepts),
        "state_numbering": "1-based positions of the feasible states in increasing code order",
        "n_states": m.n_states,
        "equilibria": {
            c: (np.flatnonzero(masks[c]) + 1).tolist() if masks is not None else None
            for c in result.concepts
        },
    }


def state_records(
    result: StabilityResult, indices: Sequence[int] | np.ndarray
) -> list[dict[str, Any]]:
    """One JSON-ready record per state of ``indices`` (0-based): its number, code,
    pattern, options, each actor's rank, stability per actor and concept, equilibria."""
    m = result.model
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    concepts = list(result.concepts)
    bits = _option_bits(m, idx)
    patterns = _patterns(bits)
    ranks = preference_ranks(m)[:, idx].T.tolist()
    # Each actor's stability in a state as a number whose bits are the concepts, and the
    # dict of each such number made once: a record gets a copy (4,096 states by six
    # actors are 24,576 small dicts, the bulk of the time).
    weights = np.left_shift(1, np.arange(len(concepts), dtype=np.int64))
    stable_codes = sum(
        (result.stable[c][:, idx].astype(np.int64) * weights[k] for k, c in enumerate(concepts)),
        np.zeros((m.n_actors, idx.size), dtype=np.int64),
    ).T.tolist()
    by_code = [
        {c: bool(code >> k & 1) for k, c in enumerate(concepts)}
        for code in range(1 << len(concepts))
    ]
    masks = _equilibrium_masks(result)
    eq = np.stack([masks[c][idx] for c in concepts], axis=-1).tolist() if masks else None
    codes = m.states[idx].tolist()
    options, actors = list(m.options), list(m.actors)
    records = []
    for j, (i, row) in enumerate(zip(idx.tolist(), bits.tolist(), strict=True)):
        records.append(
            {
                "index": i + 1,
                "code": int(codes[j]),
                "pattern": patterns[j],
                "options": dict(zip(options, row, strict=True)),
                "rank": dict(zip(actors, ranks[j], strict=True)),
                "stability": {
                    a: by_code[code].copy() for a, code in zip(actors, stable_codes[j], strict=True)
                },
                "equilibrium": (
                    dict(zip(concepts, eq[j], strict=True))
                    if eq is not None
                    else dict.fromkeys(concepts)
                ),
            }
        )
    return records


def state_table_columns(
    result: StabilityResult, *, states: str | Sequence[int] = "all"
) -> dict[str, np.ndarray]:
    """The stability tableau as plain columns, one row per state, for
    :func:`detente.model.io.state_tables.write_state_table`.

    Columns, in order: ``state`` (1-based number), ``code``, ``pattern`` (Y/N per
    option), one boolean column per option (its id; ``option:<id>`` where an id
    would clash with another column), ``rank:<actor>`` (1 = most preferred; ties
    share a rank), ``<actor>:<concept>`` (stable for that actor) and
    ``equilibrium:<concept>`` (stable for every actor; left out when only some
    actors were analysed).

    Examples
    --------
    >>> import detente
    >>> from detente.gmcr import analyze_conflict
    >>> columns = state_table_columns(analyze_conflict(detente.load("prisoners_dilemma")).stability)
    >>> columns["state"].tolist(), columns["equilibrium:nash"].tolist()
    ([1, 2, 3, 4], [False, False, False, True])
    """
    m = result.model
    idx = chosen_states(result, states)
    bits = _option_bits(m, idx)
    ranks = preference_ranks(m)[:, idx]
    columns: dict[str, np.ndarray] = {
        "state": idx + 1,
        "code": m.states[idx].astype(np.int64),
        "pattern": np.array(_patterns(bits), dtype=f"U{max(m.n_options, 1)}"),
    }
    taken = set(columns) | {f"rank:{a}" for a in m.actors}
    taken |= {f"{a}:{c}" for a in m.actors for c in result.concepts}
    taken |= {f"equilibrium:{c}" for c in result.concepts}
    for k, option in enumerate(m.options):
        columns[f"option:{option}" if option in taken else option] = bits[:, k]
    for a, actor in enumerate(m.actors):
        columns[f"rank:{actor}"] = ranks[a]
    for a, actor in enumerate(m.actors):
        for c in result.concepts:
            columns[f"{actor}:{c}"] = np.asarray(result.stable[c][a, idx], dtype=bool)
    masks = _equilibrium_masks(result)
    if masks is not None:
        for c in result.concepts:
            columns[f"equilibrium:{c}"] = masks[c][idx]
    return columns


def _json_key(text: str) -> str:
    """``text`` as a JSON object key, escaped for %-formatting."""
    return json.dumps(text, ensure_ascii=False).replace("%", "%%")


def _record_template(result: StabilityResult, full: bool) -> str:
    """A %-format of one state's record as compact JSON (as :func:`state_records`)."""
    m = result.model
    concepts = [_json_key(c) for c in result.concepts]
    by_concept = "{" + ",".join(f"{c}:%s" for c in concepts) + "}"
    return (
        '{"index":%d,"code":%d,"pattern":"%s","options":{'
        + ",".join(f"{_json_key(o)}:%s" for o in m.options)
        + '},"rank":{'
        + ",".join(f"{_json_key(a)}:%d" for a in m.actors)
        + '},"stability":{'
        + ",".join(f"{_json_key(a)}:{by_concept}" for a in m.actors)
        + '},"equilibrium":'
        + (by_concept if full else "{" + ",".join(f"{c}:null" for c in concepts) + "}")
        + "}"
    )


def _record_texts(result: StabilityResult, indices: np.ndarray, *, separator: str) -> Iterator[str]:
    """The records of :func:`state_records` as JSON text, ``separator`` between them,
    a block of states at a time (so memory stays bounded whatever the model's size)."""
    m = result.model
    masks = _equilibrium_masks(result)
    template = _record_template(result, masks is not None)
    ranks = preference_ranks(m)
    words = np.array(["false", "true"])
    for lo in range(0, indices.size, _RECORD_BLOCK):
        idx = indices[lo : lo + _RECORD_BLOCK]
        bits = _option_bits(m, idx)
        columns: list[list[Any]] = [
            (idx + 1).tolist(),
            m.states[idx].tolist(),
            _patterns(bits),
        ]
        columns += [words[bits[:, k].astype(np.int8)].tolist() for k in range(m.n_options)]
        columns += [ranks[a, idx].tolist() for a in range(m.n_actors)]
        columns += [
            words[result.stable[c][a, idx].astype(np.int8)].tolist()
            for a in range(m.n_actors)
            for c in result.concepts
        ]
        if masks is not None:
            columns += [words[masks[c][idx].astype(np.int8)].tolist() for c in result.concepts]
        text = separator.join([template % row for row in zip(*columns, strict=True)])
        yield text if lo == 0 else separator + text


def _listed_states(
    analysis: ConflictAnalysis, states: str | Sequence[int], graph: dict[str, Any]
) -> tuple[str, np.ndarray]:
    """The selection's name and its 0-based states."""
    if isinstance(states, str) and states == "shown":
        # the status quo and the equilibria among what "auto" lists: the records a
        # report's graph-model section reads
        _, listed = _listed_states(analysis, "auto", graph)
        wanted = chosen_states(analysis.stability, "equilibria")
        sq = analysis.model.status_quo
        if sq is not None:
            wanted = np.append(wanted, sq)
        return "shown", listed[np.isin(listed, wanted)]
    if isinstance(states, str) and states == "auto":
        states = "all" if analysis.model.n_states <= MAX_LISTED_STATES else "summary"
    if isinstance(states, str) and states == "summary":
        view = sorted(int(node["index"]) - 1 for node in graph["nodes"])
        return "summary", np.array(view, dtype=np.int64)
    name = states if isinstance(states, str) else "chosen"
    return name, chosen_states(analysis.stability, states)


def _equilibrium_options(result: StabilityResult) -> dict[str, dict[str, list[str]] | None]:
    """Per concept, the options taken in every equilibrium (``always``) and in none
    (``never``); None where there is no equilibrium or not every actor was analysed."""
    m = result.model
    masks = _equilibrium_masks(result)
    out: dict[str, dict[str, list[str]] | None] = {}
    for c in result.concepts:
        codes = m.states[masks[c]].astype(np.int64) if masks is not None else None
        if codes is None or codes.size == 0:
            out[c] = None
            continue
        every = int(np.bitwise_and.reduce(codes))
        some = int(np.bitwise_or.reduce(codes))
        out[c] = {
            "always": [o for k, o in enumerate(m.options) if every >> k & 1],
            "never": [o for k, o in enumerate(m.options) if not some >> k & 1],
        }
    return out


def _conflict_head(
    analysis: ConflictAnalysis, states: str | Sequence[int]
) -> tuple[dict[str, Any], np.ndarray]:
    """Everything of :func:`conflict_dict` but the per-state records, and the 0-based
    states those records are for."""
    from detente.gmcr.state_graph import state_graph_data

    m = analysis.model
    # The states around the status quo and the moves between them, coalitions' joint
    # improvements included (every pair's when the analysis followed none).
    graph = state_graph_data(analysis, coalitions=True)
    selection, chosen = _listed_states(analysis, states, graph)
    masks = _equilibrium_masks(analysis.stability)
    head = _stability_summary(analysis.stability)
    head["equilibrium_counts"] = {
        c: int(masks[c].sum()) if masks is not None else None for c in analysis.stability.concepts
    }
    head["equilibrium_options"] = _equilibrium_options(analysis.stability)
    head["listed_states"] = {"selection": selection, "count": int(chosen.size)}
    head["case"] = analysis.case_id
    head["scenario"] = analysis.scenario
    head["status_quo_index"] = m.status_quo + 1 if m.status_quo is not None else None
    head["status_quo"] = analysis.status_quo.to_dict() if analysis.status_quo is not None else None
    head["proposals"] = {p.id: p.to_dict() for p in analysis.proposals}
    if analysis.coalitions is not None:
        head["coalitions"] = analysis.coalitions.to_dict(
            states=None if selection == "all" else chosen.tolist()
        )
    if analysis.status_quo_with_coalitions is not None:
        head["status_quo_with_coalitions"] = analysis.status_quo_with_coalitions.to_dict()
    head["state_graph"] = graph
    return head, chosen


def conflict_dict(
    analysis: ConflictAnalysis, *, states: str | Sequence[int] = "auto"
) -> dict[str, Any]:
    """A conflict analysis as JSON-ready data (what ``ConflictAnalysis.to_dict`` gives).

    Parameters
    ----------
    analysis : ConflictAnalysis
    states : {"auto", "all", "summary", "equilibria", "shown"} or sequence of int
        Which states get a record under ``states``: every state, only those of the
        state-graph view (``"summary"``: the status quo, the proposals, the status
        quo's paths, the nearest equilibria and their neighbours), every equilibrium,
        or the given 0-based states. ``"auto"`` is ``"all"`` up to
        :data:`MAX_LISTED_STATES` states and ``"summary"`` above; ``"shown"`` is the
        status quo and the equilibria among ``"auto"``'s states (what a report's
        graph-model section reads, for a report that is read rather than kept as
        data). Whatever the
        selection, ``equilibria`` names every equilibrium by number, and
        ``equilibrium_counts``, ``equilibrium_options`` (the options taken in every
        equilibrium and in none), the status quo's analysis, the proposals and the
        state graph's view are there.

    Returns
    -------
    dict
        With ``listed_states`` saying which selection the records are.
    """
    head, chosen = _conflict_head(analysis, states)
    head["states"] = state_records(analysis.stability, chosen)
    return head


def iter_conflict_json(
    analysis: ConflictAnalysis, *, states: str | Sequence[int] = "auto", indent: int | None = 2
) -> Iterator[str]:
    """:func:`conflict_dict` as chunks of JSON text, the state records produced a block
    at a time rather than held in memory; one line per record when ``indent`` is set.

    ``"".join(iter_conflict_json(a, states=s))`` parses to ``conflict_dict(a, states=s)``.
    """
    head, chosen = _conflict_head(analysis, states)
    text = json.dumps(head, indent=indent, ensure_ascii=False)
    if indent is not None:
        text = _NUMBER_LIST.sub(_one_line, text)
    yield text[: text.rindex("}")].rstrip()
    if indent is None:
        yield ', "states": ['
        yield from _record_texts(analysis.stability, chosen, separator=", ")
        yield "]}"
        return
    pad = " " * indent
    if chosen.size == 0:
        yield f',\n{pad}"states": []\n}}\n'
        return
    yield f',\n{pad}"states": [\n{pad * 2}'
    yield from _record_texts(analysis.stability, chosen, separator=f",\n{pad * 2}")
    yield f"\n{pad}]\n}}\n"


_NUMBER_LIST = re.compile(r"\[\n\s+(-?\d+(?:,\n\s+-?\d+)*)\n\s+\]")


def _one_line(match: re.Match[str]) -> str:
    """An indented list of numbers (equilibria, reachable states) on one line."""
    return "[" + re.sub(r",\n\s+", ", ", match.group(1)) + "]"


def write_conflict_json(
    analysis: ConflictAnalysis,
    file: IO[str],
    *,
    states: str | Sequence[int] = "auto",
    indent: int | None = 2,
) -> None:
    """Write :func:`iter_conflict_json` to an open text file (standard output included)."""
    for chunk in iter_conflict_json(analysis, states=states, indent=indent):
        file.write(chunk)
