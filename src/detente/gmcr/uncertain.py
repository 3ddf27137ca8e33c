"""Uncertain preferences: unknown (Li et al. 2004) and probabilistic (Rego & dos Santos 2015).

**Unknown preferences.** Li, Hipel, Kilgour & Fang (2004) let a party's relation
between two states be strict preference, indifference, or unknown (``U``). With
``R_i^+(s)`` the moves of ``i`` to states it is known to prefer, ``R_i^{+,U}(s)`` those
to states it prefers or whose relation to ``s`` is unknown, ``Phi_i(s)`` the states
known to be no better than ``s`` (known less preferred or known equal) and
``Phi_i^U(s)`` those plus the unknown ones, the four extensions are:

====  ==========================  =========================
       the focal party moves to    it is deterred by states
====  ==========================  =========================
 a     ``R_i^{+,U}(s)``            ``Phi_i(s)``
 b     ``R_i^{+,U}(s)``            ``Phi_i^U(s)``
 c     ``R_i^+(s)``                ``Phi_i(s)``
 d     ``R_i^+(s)``                ``Phi_i^U(s)``
====  ==========================  =========================

Nash_l: no such move. GMR_l: every such move ``s1`` is answered by some ``s2`` in
``R_{N-i}(s1)`` that deters. SMR_l: as GMR_l, and every ``s3`` in ``R_i(s2)`` deters
too. SEQ_l: as GMR_l with ``s2`` reached by a legal sequence of the others' moves
to states each mover prefers or is unsure of (``R_{N-i}^{+,U}``). So ``a`` is the
strictest and ``d`` the most lenient.

**Probabilistic preferences.** Rego & dos Santos (2015) give each party the
probability ``P_i(x, y)`` that it prefers ``x`` to ``y``. With ``alpha``, ``beta``,
``gamma`` in [0, 1]: an alpha-improvement of ``i`` from ``s`` is a move to ``s1`` with
``P_i(s1, s) > alpha``; a state deters when ``P_i(s2, s) <= beta``. alpha-Nash: no
alpha-improvement. (alpha, beta)-GMR: every alpha-improvement ``s1`` is answered by some
``s2`` in ``R_{N-i}(s1)`` with ``P_i(s2, s) <= beta``. (alpha, beta)-SMR: moreover
every ``s3`` in ``R_i(s2)`` has ``P_i(s3, s) <= beta``. (alpha, beta, gamma)-SEQ: the
answer is a legal sequence of the others' gamma-improvements (each mover ``j`` moves
from ``x`` to ``y`` with ``P_j(y, x) > gamma``). With crisp preferences (every
probability 0 or 1) and parameters below 1, each reduces to its crisp concept.

**From a case.** A statement may carry ``probability: p`` (the party holds it with
probability ``p``, independently of its others) or ``uncertain: true`` (it is not known
whether the party holds it). Each way of holding or dropping the uncertain statements
gives one crisp preference by option prioritisation (a *completion*). A relation is
known when every completion agrees on it; ``P_i(x, y)`` is the total probability of
the completions in which ``i`` prefers ``x`` to ``y`` (the mixture of representatives
that motivates Rego & dos Santos's definition).

Both analyses work on explicit ``states x states`` matrices of relations, so models
above ``max_states`` states are refused before any matrix is built. The others' legal
sequences never change the focal party's options, so their reachability is computed
block by block (one block per setting of the focal party's options, on bit-packed
rows, carrying only new bits from round to round), and a sanction is looked for only at
the focal party's own moves.

References
----------
Li, K. W., Hipel, K. W., Kilgour, D. M., and Fang, L. (2004). Preference uncertainty in
the graph model for conflict resolution. *IEEE Transactions on SMC, Part A* 34(4),
507-520. Rego, L. C., and dos Santos, A. M. (2015). Probabilistic preferences in the
graph model for conflict resolution. *IEEE Transactions on SMC: Systems* 45(4).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.errors import CaseError, CaseTooLargeError, Problem
from detente.gmcr.case import BASIC_CONCEPTS, graph_model, memory_limit
from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.preferences import dense_ranks
from detente.gmcr.results import _plain, preference_ranks, state_record
from detente.gmcr.states import DEFAULT_MAX_BYTES, codes_to_bits
from detente.model import Case
from detente.model.expressions import evaluate

__all__ = [
    "MAX_COMPLETIONS",
    "MAX_EXPLICIT_STATES",
    "UncertainResult",
    "analyze_probabilistic",
    "analyze_unknown",
    "preference_probability",
    "probabilistic_stabilities",
    "statement_completions",
    "unknown_relation",
    "unknown_stabilities",
]

#: Above this many states the explicit-matrix analyses refuse a model by default
#: (``max_states``). korea's 4,096 states with two probabilistic statements take some
#: 20 s and 420 MB on two shared cores (25 s and 300 MB read as unknown).
MAX_EXPLICIT_STATES = 4096
#: At most this many completions (2 ** uncertain statements) per party.
MAX_COMPLETIONS = 4096
VARIANTS = ("a", "b", "c", "d")
_CONCEPTS = ("nash", "gmr", "smr", "seq")
_WORK = 600_000_000


@dataclass(frozen=True, eq=False)
class UncertainResult:
    """Stability of every state for every party under uncertain preferences.

    Attributes
    ----------
    model : GraphModel
        The conflict (its payoffs read every statement as held).
    kind : str
        ``"unknown"`` or ``"probabilistic"``.
    concepts : tuple of str
        The keys of ``stable``: ``nash_a`` ... ``seq_d`` (unknown preferences) or
        ``nash``, ``gmr``, ``smr``, ``seq`` (probabilistic, with the parameters).
    stable : mapping
        ``key -> bool (n_actors, n_states)``.
    uncertain_parties : tuple of str
        The parties whose preferences are uncertain.
    """

    model: GraphModel
    kind: str
    concepts: tuple[str, ...]
    stable: Mapping[str, np.ndarray]
    uncertain_parties: tuple[str, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    case_id: str | None = None
    scenario: str | None = None
    method: str = ""

    def equilibria(self, concept: str) -> list[int]:
        """0-based states stable for every party under ``concept``."""
        return [int(i) for i in np.flatnonzero(self.stable[concept].all(axis=0))]

    def to_dict(self, *, states: str = "equilibria") -> dict[str, Any]:
        """JSON-ready dict.

        Keys: ``method``; ``kind`` (``unknown`` or ``probabilistic``); ``case``,
        ``scenario``; ``parameters`` (``alpha``, ``beta``, ``gamma`` for probabilistic
        preferences; ``variants`` for unknown ones; ``completions``: party -> number of
        crisp preferences considered); ``concepts`` (the keys below); ``uncertain_parties``;
        ``actors``, ``options``; ``state_numbering``; ``n_states``;
        ``status_quo_index``; ``equilibria`` (key -> 1-based numbers); ``stable_for``
        (key -> actor -> number of states stable for it); ``states`` (one record per
        state listed: ``index``, ``code``, ``pattern``, ``options``, ``rank`` (actor ->
        rank with every statement held, 1 the best), ``stable`` (key -> actor ->
        bool), ``equilibrium`` (key -> bool)). ``states="equilibria"`` (default) lists
        the states that are an equilibrium under some key, ``"all"`` every state.
        """
        m = self.model
        cs = self.concepts
        eq = {c: np.asarray(self.stable[c].all(axis=0), dtype=bool) for c in cs}
        if states == "all":
            chosen = list(range(m.n_states))
        elif states == "equilibria":
            chosen = sorted({int(s) for c in cs for s in np.flatnonzero(eq[c])})
        else:
            raise ValueError("states must be 'all' or 'equilibria'")
        ranks = preference_ranks(m)
        records = []
        for s in chosen:
            rec = state_record(m, s)
            rec["rank"] = {a: int(ranks[k, s]) for k, a in enumerate(m.actors)}
            rec["stable"] = {
                c: {a: bool(self.stable[c][k, s]) for k, a in enumerate(m.actors)} for c in cs
            }
            rec["equilibrium"] = {c: bool(eq[c][s]) for c in cs}
            records.append(rec)
        return {
            "method": self.method,
            "kind": self.kind,
            "case": self.case_id,
            "scenario": self.scenario,
            "parameters": _plain(dict(self.parameters)),
            "concepts": list(cs),
            "uncertain_parties": list(self.uncertain_parties),
            "actors": list(m.actors),
            "options": list(m.options),
            "state_numbering": "1-based positions of the feasible states in increasing code order",
            "n_states": m.n_states,
            "status_quo_index": m.status_quo + 1 if m.status_quo is not None else None,
            "equilibria": {c: [int(s) + 1 for s in np.flatnonzero(eq[c])] for c in cs},
            "stable_for": {
                c: {a: int(self.stable[c][k].sum()) for k, a in enumerate(m.actors)} for c in cs
            },
            "states": records,
        }


# -- relations from crisp completions ---------------------------------------------------


def unknown_relation(ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(better, unknown)`` from the possible crisp preferences of one party.

    ``ranks`` is ``(n_completions, n_states)`` (higher is preferred). ``better[x, y]``:
    every completion prefers ``x`` to ``y``; ``unknown[x, y]``: the completions do not
    agree on one of ``x > y``, ``x = y``, ``x < y`` (Li et al. 2004's ``U``).
    """
    ranks = np.atleast_2d(np.asarray(ranks))
    n = ranks.shape[1]
    better = np.ones((n, n), dtype=bool)
    worse = np.ones((n, n), dtype=bool)
    equal = np.ones((n, n), dtype=bool)
    for row in ranks:
        better &= row[:, None] > row[None, :]
        worse &= row[:, None] < row[None, :]
        equal &= row[:, None] == row[None, :]
    return better, ~(better | worse | equal)


def preference_probability(ranks: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``P[x, y]``: the probability that the party prefers ``x`` to ``y``, when its
    preference is completion ``c`` (a row of ``ranks``) with probability ``weights[c]``."""
    ranks = np.atleast_2d(np.asarray(ranks))
    weights = np.asarray(weights, dtype=np.float64).reshape(-1)
    n = ranks.shape[1]
    prob = np.zeros((n, n), dtype=np.float64)
    for row, w in zip(ranks, weights, strict=True):
        if w:
            np.add(prob, w, out=prob, where=row[:, None] > row[None, :])
    return prob


# -- explicit graph machinery -------------------------------------------------------------


def _check_explicit(model: GraphModel, max_states: int, work: int = 0) -> None:
    n = model.n_states
    if n > max_states or work > _WORK:
        raise CaseTooLargeError(
            Problem(
                f"uncertain-preference analysis works on states x states matrices; this model "
                f"has {n:,} states"
                + (f" and needs {work:,} comparisons" if work > _WORK else "")
                + f", above the limit of {max_states:,} states (max_states) "
                f"or {_WORK:,} comparisons",
                path=("options",),
                expected=f"at most {max_states:,} states",
                got=f"{n:,}",
            )
        )


Edges = tuple[np.ndarray, np.ndarray]


def _move_edges(model: GraphModel, max_bytes: int) -> list[Edges]:
    """Each party's unilateral moves as ``(source, target)`` arrays of 0-based states."""
    graphs = MoveGraphs(model, max_bytes=max_bytes)
    every = np.arange(model.n_states, dtype=np.int64)
    return [graphs[a].targets(every) for a in range(model.n_actors)]


def _or_through(src: np.ndarray, dst: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``out[x] = OR of rows[y]`` over the edges ``x -> y`` (``src``, ``dst``): a boolean
    product with a sparse move matrix, on bit-packed rows."""
    n, m = rows.shape
    out = np.zeros((n, m), dtype=bool)
    if src.size == 0:
        return out
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    starts = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
    packed = np.packbits(rows, axis=1)
    merged = np.bitwise_or.reduceat(packed[dst], starts, axis=0)
    out[src[starts]] = np.unpackbits(merged, axis=1, count=m).astype(bool)
    return out


def _legal_reach(edges: Sequence[Edges], n: int) -> np.ndarray:
    """``reach[x, y]``: ``y`` is reached from ``x`` by a non-empty legal sequence of the
    given movers' moves (``(source, target)`` per mover; no mover twice in a row; Fang,
    Hipel & Kilgour 1993)."""
    if not edges:
        return np.zeros((n, n), dtype=bool)
    width = (n + 7) // 8
    # ends[k][y]: bit x is set when y is reached from x by a non-empty legal sequence
    # whose last mover is k (bit-packed rows). ends[k] = step_k(I | ends of the other
    # movers), a least fixed point found semi-naively: each round carries only the bits
    # that are new, through the moves of the rows that gained some.
    sorted_edges = []
    for src, dst in edges:
        order = np.argsort(dst, kind="stable")
        sorted_edges.append((src[order], dst[order]))

    def step(k: int, rows: np.ndarray, active: np.ndarray | None) -> np.ndarray:
        src, dst = sorted_edges[k]
        if active is not None:
            keep = active[src]
            src, dst = src[keep], dst[keep]
        out = np.zeros((n, width), dtype=np.uint8)
        if src.size:
            starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
            out[dst[starts]] = np.bitwise_or.reduceat(rows[src], starts, axis=0)
        return out

    eye = np.packbits(np.eye(n, dtype=bool), axis=1)
    ends = [step(k, eye, None) for k in range(len(edges))]
    deltas = [e.copy() for e in ends]
    while True:
        fresh = []
        for k in range(len(edges)):
            incoming = np.zeros((n, width), dtype=np.uint8)
            for j, delta in enumerate(deltas):
                if j != k:
                    incoming |= delta
            active = np.asarray(incoming.any(axis=1), dtype=bool)
            fresh.append(step(k, incoming, active) & ~ends[k] if active.any() else None)
        if all(f is None or not f.any() for f in fresh):
            break
        deltas = []
        for k, f in enumerate(fresh):
            if f is None:
                f = np.zeros((n, width), dtype=np.uint8)
            ends[k] |= f
            deltas.append(f)
    out = np.zeros((n, width), dtype=np.uint8)
    for r in ends:
        out |= r
    return np.ascontiguousarray(np.unpackbits(out, axis=1, count=n).astype(bool).T)


class _Sanctions:
    """One focal party's sanction tests, block by block.

    The others cannot change the focal party's options, so their legal sequences stay
    among the states where its options are as they are: the reachability matrix is
    block-diagonal, one block per setting of the focal party's options. Each block's
    reachability is computed on its own, and a sanction is looked for only at the focal
    party's moves ``s -> s1`` (in the block of ``s1``), never as a states x states
    product.
    """

    _CHUNK = 1 << 22

    def __init__(
        self,
        model: GraphModel,
        focal: int,
        edges: Sequence[Edges],
        improving: Sequence[np.ndarray] | None,
    ):
        n = model.n_states
        self.n = n
        self.src, self.dst = edges[focal]
        codes = np.asarray(model.states, dtype=np.int64)
        _, self.block = np.unique(codes & model.actor_mask(focal), return_inverse=True)
        self.block = self.block.reshape(-1)
        self.members = [np.flatnonzero(self.block == b) for b in range(int(self.block.max()) + 1)]
        self.local = np.empty(n, dtype=np.int64)
        for idx in self.members:
            self.local[idx] = np.arange(idx.size)
        others = [k for k in range(model.n_actors) if k != focal]
        self.movers = {"any": [edges[k] for k in others]}
        if improving is not None:
            self.movers["improving"] = [
                (edges[k][0][improving[k]], edges[k][1][improving[k]]) for k in others
            ]
        self.reach: dict[str, list[np.ndarray]] = {}
        self.hits: dict[tuple[str, str, bool], np.ndarray] = {}

    def _reach(self, kind: str) -> list[np.ndarray]:
        """Per block, the others' legal reachability among its states."""
        if kind not in self.reach:
            blocks = []
            for b, idx in enumerate(self.members):
                sub = []
                for src, dst in self.movers[kind]:
                    inside = self.block[src] == b
                    sub.append((self.local[src[inside]], self.local[dst[inside]]))
                blocks.append(_legal_reach(sub, idx.size))
            self.reach[kind] = blocks
        return self.reach[kind]

    def hit(self, reach: str, deters: np.ndarray, key: str, smr: bool) -> np.ndarray:
        """Per move ``s -> s1`` of the focal party (``self.src``, ``self.dst``): from
        ``s1`` the others reach a state ``s2`` with ``deters[s2, s]`` (for SMR, one from
        which the focal party cannot move to a state that does not deter)."""
        cache_key = (reach, key, smr)
        if cache_key in self.hits:
            return self.hits[cache_key]
        sanction = deters
        if smr:
            sanction = deters & ~_or_through(self.src, self.dst, ~deters)
        blocks = self._reach(reach)
        out = np.zeros(self.src.size, dtype=bool)
        target_block = self.block[self.dst]
        for b, idx in enumerate(self.members):
            chosen = np.flatnonzero(target_block == b)
            step = max(1, self._CHUNK // max(1, idx.size))
            for lo in range(0, chosen.size, step):
                part = chosen[lo : lo + step]
                rows = blocks[b][self.local[self.dst[part]]]
                cols = sanction[np.ix_(idx, self.src[part])].T
                out[part] = (rows & cols).any(axis=1)
        self.hits[cache_key] = out
        return out

    def rows(
        self, improves: np.ndarray, deters: np.ndarray, key: str, concepts: Sequence[str]
    ) -> dict[str, np.ndarray]:
        """``improves`` (per move of the focal party): the move counts as an improvement;
        ``deters[s2, s]``: reaching ``s2`` deters it from leaving ``s`` (``key`` names
        ``deters`` for the cache)."""
        out: dict[str, np.ndarray] = {}
        if "nash" in concepts:
            moved = np.zeros(self.n, dtype=bool)
            moved[self.src[improves]] = True
            out["nash"] = ~moved
        tests = {"gmr": ("any", False), "smr": ("any", True), "seq": ("improving", False)}
        for c, (reach, smr) in tests.items():
            if c in concepts:
                unanswered = improves & ~self.hit(reach, deters, key, smr)
                bad = np.zeros(self.n, dtype=bool)
                bad[self.src[unanswered]] = True
                out[c] = ~bad
        return out


def _complement_exceeds(prob: np.ndarray, rows: int = 256) -> bool:
    """Whether ``P[x, y] + P[y, x] > 1`` somewhere (in slices of rows, without a second
    states x states float matrix)."""
    for lo in range(0, prob.shape[0], rows):
        if (prob[lo : lo + rows] + prob[:, lo : lo + rows].T > 1 + 1e-9).any():
            return True
    return False


def _concept_list(concepts: Sequence[str]) -> tuple[str, ...]:
    chosen = []
    for c in concepts:
        key = str(c).strip().lower()
        key = "nash" if key == "r" else key
        if key not in _CONCEPTS:
            raise ValueError(
                f"unknown concept {c!r} for uncertain preferences; known: {', '.join(_CONCEPTS)}"
            )
        if key not in chosen:
            chosen.append(key)
    return tuple(sorted(chosen, key=_CONCEPTS.index))


def unknown_stabilities(
    model: GraphModel,
    relations: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
    *,
    concepts: Sequence[str] = _CONCEPTS,
    variants: Sequence[str] = VARIANTS,
    max_states: int = MAX_EXPLICIT_STATES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> UncertainResult:
    """Stabilities under unknown preferences (Li, Hipel, Kilgour & Fang 2004).

    Parameters
    ----------
    model : GraphModel
        The conflict; parties not in ``relations`` have its crisp payoffs.
    relations : mapping, optional
        ``actor -> (better, unknown)``, two ``bool (n_states, n_states)`` arrays:
        ``better[x, y]`` when ``x`` is known to be preferred to ``y``; ``unknown[x, y]``
        (symmetric) when the relation is unknown. See :func:`unknown_relation`.
    concepts : sequence of str
        Any of ``nash``, ``gmr``, ``smr``, ``seq``.
    variants : sequence of str
        Any of ``a``, ``b``, ``c``, ``d`` (see the module docstring).

    Returns
    -------
    UncertainResult
        Keys ``<concept>_<variant>``, e.g. ``gmr_b``.

    Examples
    --------
    Prisoner's Dilemma where A does not know whether it prefers defecting alone (YN)
    to mutual cooperation (NN): extensions a and b count the moves between the two as
    possible improvements, so both are Nash stable for A only under c and d.

    >>> m = GraphModel.from_options(
    ...     actors=["A", "B"], options={"dA": "A", "dB": "B"},
    ...     rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]})
    >>> better, unknown = unknown_relation(np.array([[3, 4, 1, 2], [4, 3, 1, 2]]))
    >>> r = unknown_stabilities(m, {"A": (better, unknown)}, concepts=["nash"])
    >>> [m.pattern(i) for i in np.flatnonzero(r.stable["nash_a"][0])]
    ['YY']
    >>> [m.pattern(i) for i in np.flatnonzero(r.stable["nash_c"][0])]
    ['NN', 'YN', 'YY']
    """
    concepts = _concept_list(concepts)
    variants = tuple(v for v in VARIANTS if v in set(variants))
    if not variants:
        raise ValueError("give at least one of the variants a, b, c, d")
    _check_explicit(model, max_states)
    n = model.n_states
    rels: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for actor, (better, unknown) in (relations or {}).items():
        better = np.asarray(better, dtype=bool)
        unknown = np.asarray(unknown, dtype=bool)
        if better.shape != (n, n) or unknown.shape != (n, n):
            raise ValueError(f"the relations of {actor} need shape ({n}, {n})")
        if (better & unknown).any() or (better & better.T).any():
            raise ValueError(f"the relations of {actor} are inconsistent")
        rels[model.actor_index(actor)] = (better, unknown | unknown.T)

    def relation(k: int) -> tuple[np.ndarray, np.ndarray]:
        if k in rels:
            return rels[k]
        p = model.payoff[k]
        return p[:, None] > p[None, :], np.zeros((n, n), dtype=bool)

    def prefers_or_unsure(k: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        if k in rels:
            return np.asarray(rels[k][0][dst, src] | rels[k][1][dst, src], dtype=bool)
        p = model.payoff[k]
        return np.asarray(p[dst] > p[src], dtype=bool)

    edges = _move_edges(model, max_bytes)
    # A mover's moves to states it prefers or is unsure of (R^{+,U}): the SEQ sanctions.
    loose = (
        [prefers_or_unsure(k, *edges[k]) for k in range(model.n_actors)]
        if "seq" in concepts
        else None
    )
    keys = tuple(f"{c}_{v}" for c in concepts for v in variants)
    stable = {key: np.zeros((model.n_actors, n), dtype=bool) for key in keys}
    for i in range(model.n_actors):
        better, unknown = relation(i)
        src, dst = edges[i]
        strict_moves = better[dst, src]  # R_i^+
        loose_moves = strict_moves | unknown[dst, src]  # R_i^{+,U}
        known_no_better = ~better & ~unknown  # Phi_i: s2 known not preferred to s
        maybe_no_better = ~better  # Phi_i^U
        sanctions = _Sanctions(model, i, edges, loose)
        for v in variants:
            improves = loose_moves if v in "ab" else strict_moves
            key = "known" if v in "ac" else "maybe"
            deters = known_no_better if key == "known" else maybe_no_better
            rows = sanctions.rows(improves, deters, key, concepts)
            for c in concepts:
                stable[f"{c}_{v}"][i] = rows[c]
    for arr in stable.values():
        arr.setflags(write=False)
    return UncertainResult(
        model=model,
        kind="unknown",
        concepts=keys,
        stable=stable,
        uncertain_parties=tuple(model.actors[k] for k in sorted(rels) if rels[k][1].any()),
        parameters={"concepts": list(concepts), "variants": list(variants)},
        method=(
            "unknown preferences: Nash, GMR, SMR and SEQ in the four extensions a-d of "
            "Li, Hipel, Kilgour & Fang (2004)"
        ),
    )


def probabilistic_stabilities(
    model: GraphModel,
    probabilities: Mapping[str, np.ndarray] | None = None,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    gamma: float = 0.5,
    concepts: Sequence[str] = _CONCEPTS,
    max_states: int = MAX_EXPLICIT_STATES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> UncertainResult:
    """alpha-Nash, (alpha, beta)-GMR and -SMR and (alpha, beta, gamma)-SEQ stability
    (Rego & dos Santos 2015).

    Parameters
    ----------
    model : GraphModel
        The conflict; parties not in ``probabilities`` have its crisp payoffs
        (probabilities 0 and 1).
    probabilities : mapping, optional
        ``actor -> float (n_states, n_states)``: ``P[x, y]`` the probability that the
        party prefers ``x`` to ``y``; in [0, 1], with ``P[x, y] + P[y, x] <= 1``.
    alpha, beta, gamma : float
        In [0, 1]: a move is an improvement of the focal party when its probability
        of being preferred exceeds ``alpha``; a state deters when the probability that
        it is preferred to the starting state is at most ``beta``; an opponent's move
        counts in SEQ when its probability of being preferred by the mover exceeds
        ``gamma``.

    Examples
    --------
    >>> m = GraphModel.from_options(
    ...     actors=["A", "B"], options={"dA": "A", "dB": "B"},
    ...     rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]})
    >>> r = probabilistic_stabilities(m, concepts=["nash", "gmr"])
    >>> [m.pattern(i) for i in r.equilibria("gmr")]
    ['NN', 'YY']
    """
    concepts = _concept_list(concepts)
    for name, value in (("alpha", alpha), ("beta", beta), ("gamma", gamma)):
        if not 0 <= float(value) <= 1:
            raise ValueError(f"{name} must lie in [0, 1], not {value!r}")
    _check_explicit(model, max_states)
    n = model.n_states
    probs: dict[int, np.ndarray] = {}
    for actor, prob in (probabilities or {}).items():
        prob = np.asarray(prob, dtype=np.float64)
        if prob.shape != (n, n):
            raise ValueError(f"the probabilities of {actor} need shape ({n}, {n})")
        if (prob < -1e-12).any() or (prob > 1 + 1e-12).any() or _complement_exceeds(prob):
            raise ValueError(
                f"the probabilities of {actor} must lie in [0, 1] with P[x, y] + P[y, x] <= 1"
            )
        probs[model.actor_index(actor)] = prob
    uncertain = tuple(
        model.actors[k] for k in sorted(probs) if ((probs[k] > 0) & (probs[k] < 1)).any()
    )

    def deterred(k: int) -> np.ndarray:
        """``P_k(s2, s) <= beta`` for every pair (a crisp party's without a float matrix:
        its probabilities are 0 and 1)."""
        if k in probs:
            return np.asarray(probs[k] <= beta, dtype=bool)
        p = model.payoff[k]
        if beta >= 1:
            return np.ones((n, n), dtype=bool)
        return np.asarray(p[:, None] <= p[None, :], dtype=bool)

    def preferred_move(k: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """``P_k(dst, src)`` per move."""
        if k in probs:
            return np.asarray(probs[k][dst, src], dtype=np.float64)
        p = model.payoff[k]
        return (p[dst] > p[src]).astype(np.float64)

    edges = _move_edges(model, max_bytes)
    credible = (
        [gamma < preferred_move(k, *edges[k]) for k in range(model.n_actors)]
        if "seq" in concepts
        else None
    )
    stable = {c: np.zeros((model.n_actors, n), dtype=bool) for c in concepts}
    for i in range(model.n_actors):
        src, dst = edges[i]
        improves = alpha < preferred_move(i, src, dst)
        deters = deterred(i)
        sanctions = _Sanctions(model, i, edges, credible)
        rows = sanctions.rows(improves, deters, "beta", concepts)
        for c in concepts:
            stable[c][i] = rows[c]
    for arr in stable.values():
        arr.setflags(write=False)
    return UncertainResult(
        model=model,
        kind="probabilistic",
        concepts=concepts,
        stable=stable,
        uncertain_parties=uncertain,
        parameters={
            "concepts": list(concepts),
            "alpha": float(alpha),
            "beta": float(beta),
            "gamma": float(gamma),
        },
        method=(
            "probabilistic preferences: alpha-Nash, (alpha, beta)-GMR and -SMR, "
            "(alpha, beta, gamma)-SEQ (Rego & dos Santos 2015)"
        ),
    )


# -- from a case -------------------------------------------------------------------------


def statement_completions(
    case: Case, actor: str, model: GraphModel, *, probabilistic: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The crisp preferences a party's uncertain statements allow: ``(weights, ranks)``,
    ``ranks`` of shape ``(n_completions, n_states)`` (higher preferred), one row per
    distinct preference, and ``weights`` their probabilities (``probabilistic``) or all
    1 (unknown preferences).

    A statement with ``uncertain: true`` is held or not (unknown); one with a
    ``probability`` strictly between 0 and 1 is held with that probability (for the
    unknown analysis: held or not); 0 means never held, 1 always. A party given by a
    ranking, or without uncertain statements, has one completion: its payoff.

    Raises
    ------
    CaseError
        ``probabilistic`` and a statement marked ``uncertain`` without a probability.
    CaseTooLargeError
        More than ``log2(MAX_COMPLETIONS)`` uncertain statements.
    """
    k = model.actor_index(actor)
    prefs = case.preferences.get(actor)
    own = dense_ranks(model.payoff[k])[None, :]
    if prefs is None or prefs.statements is None:
        return np.ones(1), own
    statements = prefs.statements
    held: list[int] = []
    maybe: list[tuple[int, float]] = []
    for j, st in enumerate(statements):
        if st.uncertain:
            if probabilistic:
                raise CaseError(
                    Problem(
                        "probabilistic preferences need a probability for every uncertain "
                        "statement; give 'probability' instead of 'uncertain: true'",
                        path=("preferences", actor, "statements", j, "uncertain"),
                    )
                )
            maybe.append((j, 0.5))
        elif st.probability is None or st.probability >= 1:
            held.append(j)
        elif st.probability > 0:
            maybe.append((j, float(st.probability)))
    if not maybe and len(held) == len(statements):
        return np.ones(1), own
    if 2 ** len(maybe) > MAX_COMPLETIONS:
        raise CaseTooLargeError(
            Problem(
                f"{actor} has {len(maybe)} uncertain statements: {2 ** len(maybe):,} ways to "
                f"hold them, above the limit of {MAX_COMPLETIONS:,}",
                path=("preferences", actor, "statements"),
                expected=f"at most {MAX_COMPLETIONS.bit_length() - 1} uncertain statements",
                got=str(len(maybe)),
            )
        )
    n_st = len(statements)
    if n_st >= 62:
        raise CaseTooLargeError(
            Problem(
                f"{actor} has {n_st} statements; uncertain statements are analysed for at most 61",
                path=("preferences", actor, "statements"),
            )
        )
    bits = codes_to_bits(model.states, model.options)
    truth = np.empty((model.n_states, n_st), dtype=np.int64)
    for j, st in enumerate(statements):
        value = np.asarray(evaluate(st.parsed, bits), dtype=bool)
        truth[:, j] = np.broadcast_to(value, (model.n_states,))
    # Statement j of K is worth 2**(K-1-j): dropping statements keeps the order the
    # held ones give (option prioritisation is lexicographic).
    weight = np.left_shift(np.int64(1), np.arange(n_st - 1, -1, -1, dtype=np.int64))
    base = np.zeros(n_st, dtype=bool)
    base[held] = True
    ranks = []
    weights = []
    for chosen in itertools.product((False, True), repeat=len(maybe)):
        mask = base.copy()
        w = 1.0
        for (j, p), on in zip(maybe, chosen, strict=True):
            mask[j] = on
            w *= p if on else 1 - p
        ranks.append(dense_ranks(truth @ (weight * mask)))
        weights.append(w if probabilistic else 1.0)
    # Completions that order the states alike are one preference (weights summed).
    distinct, inverse = np.unique(np.stack(ranks), axis=0, return_inverse=True)
    summed = np.bincount(inverse.reshape(-1), weights=np.asarray(weights))
    return (summed if probabilistic else np.ones(len(distinct))), distinct


def _case_model(case: Case, max_states: int, max_bytes: int) -> GraphModel:
    model = graph_model(case, max_bytes=max_bytes)
    _check_explicit(model, max_states)
    return model


def analyze_unknown(
    case: Case,
    *,
    concepts: Sequence[str] = BASIC_CONCEPTS,
    variants: Sequence[str] = VARIANTS,
    max_states: int = MAX_EXPLICIT_STATES,
    max_bytes: int | None = None,
) -> UncertainResult:
    """Unknown-preference stabilities of a case (statements marked ``uncertain``, or
    with a probability strictly between 0 and 1, may or may not be held).

    Examples
    --------
    >>> import detente
    >>> r = analyze_unknown(detente.load("prisoners_dilemma"), concepts=["nash"])
    >>> r.to_dict()["equilibria"]["nash_a"]
    [4]
    """
    max_bytes = memory_limit(max_bytes)
    model = _case_model(case, max_states, max_bytes)
    counts, completions = _completions(case, model, max_states, probabilistic=False)
    relations = {actor: unknown_relation(ranks) for actor, (_, ranks) in completions.items()}
    result = unknown_stabilities(
        model,
        relations,
        concepts=concepts,
        variants=variants,
        max_states=max_states,
        max_bytes=max_bytes,
    )
    return _of_case(result, case, counts)


def analyze_probabilistic(
    case: Case,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    gamma: float = 0.5,
    concepts: Sequence[str] = BASIC_CONCEPTS,
    max_states: int = MAX_EXPLICIT_STATES,
    max_bytes: int | None = None,
) -> UncertainResult:
    """Probabilistic-preference stabilities of a case (statements with a
    ``probability`` are held with it, independently).

    Examples
    --------
    >>> import detente
    >>> r = analyze_probabilistic(detente.load("prisoners_dilemma"), concepts=["nash"])
    >>> r.to_dict()["equilibria"]["nash"]
    [4]
    """
    max_bytes = memory_limit(max_bytes)
    model = _case_model(case, max_states, max_bytes)
    counts, completions = _completions(case, model, max_states, probabilistic=True)
    probabilities = {
        actor: preference_probability(ranks, weights)
        for actor, (weights, ranks) in completions.items()
    }
    result = probabilistic_stabilities(
        model,
        probabilities,
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        concepts=concepts,
        max_states=max_states,
        max_bytes=max_bytes,
    )
    return _of_case(result, case, counts)


def _completions(
    case: Case, model: GraphModel, max_states: int, *, probabilistic: bool
) -> tuple[dict[str, int], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Each party's number of completions, and the completions (weights, ranks) of the
    parties with more than one, checked against the size the explicit relations allow."""
    counts: dict[str, int] = {}
    uncertain: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for actor in model.actors:
        weights, ranks = statement_completions(case, actor, model, probabilistic=probabilistic)
        counts[actor] = int(ranks.shape[0])
        if ranks.shape[0] > 1:
            _check_explicit(model, max_states, ranks.shape[0] * model.n_states**2)
            uncertain[actor] = (weights, ranks)
    return counts, uncertain


def _of_case(result: UncertainResult, case: Case, counts: dict[str, int]) -> UncertainResult:
    """A model's result as the case's: its id, scenario and each party's completions."""
    return UncertainResult(
        model=result.model,
        kind=result.kind,
        concepts=result.concepts,
        stable=result.stable,
        uncertain_parties=result.uncertain_parties,
        parameters={**result.parameters, "completions": counts},
        case_id=case.id,
        scenario=case.scenario_id,
        method=result.method,
    )
