"""Coalition analysis: joint moves that make every member of a coalition better off.

A coalition ``H`` is a set of actors, not one merged player. Its members move by
legal sequences of their own unilateral moves (no member twice in a row), and a
*coalition improvement* from ``s`` is a state ``t`` in ``R_H(s)`` that every
member strictly prefers to ``s`` (Kilgour, Hipel, Fang & Peng 2001; Inohara &
Hipel 2008, ``R_H^{++}(s)``). For a coalition ``H`` and state ``s``:

* **C-Nash**: ``H`` has no coalition improvement from ``s``.
* **C-GMR**: for every coalition improvement ``t``, the actors outside ``H`` can
  reach, by a legal sequence of their unilateral moves from ``t``, a state that
  at least one member of ``H`` likes no better than ``s`` (that member would not
  join the move).
* **C-SEQ**: as C-GMR, with the outsiders' legal sequences of unilateral
  improvements. With ``sanctions="joint"``, the outsiders may also sanction by
  joint improvements: any sequence of coalition improvements, each by a group of
  outsiders (one or more) that leaves every member of that group better off (the
  joint sanctions Inohara & Hipel 2008 add to single-party ones). Joint sanctions
  only add sanctions, so more states are C-SEQ stable.

Individual stability (:func:`~detente.gmcr.stability.stabilities`) is computed
first; a coalition equilibrium under a concept is individually stable for every
actor and coalition-stable for every coalition analysed.

Reachability by a coalition depends on where it starts, so it is found by
breadth-first search from 64 sources at a time, one bit per source, over the
nodes (state, last mover). The work grows as the square of the number of states,
so models above ``max_states`` are refused, and so is, before any work, an analysis
whose estimated time (:func:`coalition_estimate`) exceeds ``DETENTE_MAX_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import combinations

import numpy as np

from detente.errors import CaseTooLargeError, Problem
from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import INF, MoveGraphs
from detente.gmcr.reach import legal_reach_min
from detente.gmcr.results import CoalitionResult
from detente.gmcr.stability import normalise_concepts, stabilities
from detente.gmcr.states import DEFAULT_MAX_BYTES
from detente.model.limits import Estimate, check_estimate, format_seconds, largest_fitting, limits

__all__ = [
    "COALITION_CONCEPTS",
    "MAX_COALITION_STATES",
    "check_coalition_cost",
    "check_coalition_states",
    "coalition_estimate",
    "coalition_improvements",
    "coalition_stabilities",
    "concepts_only",
    "member_edges",
]

COALITION_CONCEPTS = ("nash", "gmr", "seq")

MAX_COALITION_STATES = 20_000
"""Coalition searches grow as the square of the number of states: larger models are refused."""

# Time of one coalition's search, per member and per state squared (every state is a
# source, and each source's search sweeps the states): measured with
# ``coalition_stabilities`` on models of 12 to 14 parties of one option each (4,096 to
# 16,384 states; a ring of "o{i+1}, not o{i}" statements) on a two-core machine, as
# (time with 3 coalitions - time with 1) / 2 for pairs, checked against coalitions of
# three: about 8e-9 n^2 a pair for C-Nash alone, 1.4e-8 n^2 with C-GMR and C-SEQ. The
# constants below are those, rounded up by half again for a loaded machine.
#: seconds per member and state squared: the members' joint reach from every state
_SEARCH = 6e-9
#: seconds per member and state squared for each of C-GMR and C-SEQ (the outsiders' reach)
_SANCTION = 2.5e-9
#: bytes per state of a coalition's working arrays (64 sources' bits, worst payoffs)
_PER_STATE = 64 * 8


def coalition_estimate(
    n_states: int,
    sizes: Sequence[int],
    *,
    concepts: Sequence[str] = COALITION_CONCEPTS,
    sanctions: str = "single",
    n_actors: int | None = None,
) -> Estimate:
    """Rough time and memory of :func:`coalition_stabilities` on ``n_states`` states
    for coalitions of the given ``sizes``, before any work (the individual stability it
    starts with is bounded by its own limits). With ``sanctions="joint"`` every group of
    outsiders' improvements is listed once: at most ``2**n_actors`` groups, each a
    search of its own."""
    sanctioning = sum(c in ("gmr", "seq") for c in concepts)
    per_member = (_SEARCH + _SANCTION * sanctioning) * n_states**2
    seconds = sum(sizes) * per_member
    if sanctions == "joint" and "seq" in concepts and sizes:
        actors = n_actors if n_actors is not None else max(sizes)
        groups = min(2**actors - 1, sum(2 ** (actors - k) - 1 for k in sizes))
        seconds += groups * (actors / 2) * _SEARCH * n_states**2
    stored = len(sizes) * n_states * (1 + len(concepts))
    return Estimate(seconds, stored + _PER_STATE * n_states * (max(sizes, default=0) + 2))


def check_coalition_cost(
    model: GraphModel,
    coalitions: Iterable[Iterable[int | str]] | None = None,
    *,
    concepts: Sequence[str] = COALITION_CONCEPTS,
    sanctions: str = "single",
    max_states: int = MAX_COALITION_STATES,
) -> None:
    """Refuse, before any work, a coalition analysis over more than ``max_states``
    states or whose estimate (:func:`coalition_estimate`) exceeds
    ``DETENTE_MAX_SECONDS`` or ``DETENTE_MAX_MEMORY``, naming how many of the
    coalitions would fit, or how many states a pair would fit in.

    Raises
    ------
    CaseTooLargeError
        If the model has too many states or the estimate is above a limit.
    """
    check_coalition_states(model.n_states, "coalition analysis", max_states)
    groups = _groups(model, coalitions)
    sizes = [len(g) for g in groups]
    n = model.n_states

    def estimate(k: int) -> Estimate:
        return coalition_estimate(
            n, sizes[:k], concepts=concepts, sanctions=sanctions, n_actors=model.n_actors
        )

    if estimate(len(sizes)).within(limits()):
        return
    fit = largest_fitting(estimate, len(sizes), least=1)
    if fit is not None:
        fits = (
            f"the first {fit:,} of the {len(sizes):,} coalitions would fit: name fewer "
            "coalitions, or smaller ones, in the case's 'coalitions'"
        )
    else:
        fits = _states_fitting(concepts, sanctions, model.n_actors)
    what = (
        f"coalition analysis of {len(sizes):,} coalition{'s' if len(sizes) != 1 else ''} "
        f"over {n:,} states"
    )
    check_estimate(what, estimate(len(sizes)), fits=fits, path=("coalitions",))


def _states_fitting(concepts: Sequence[str], sanctions: str, n_actors: int) -> str:
    """What fits when not even one coalition does: the states a pair's analysis takes."""
    seconds = limits().seconds
    low, high = 1, MAX_COALITION_STATES
    pair = [2]

    def fits(s: int) -> bool:
        e = coalition_estimate(s, pair, concepts=concepts, sanctions=sanctions, n_actors=n_actors)
        return e.within()

    if not fits(low):
        return f"no coalition fits in {format_seconds(seconds)}"
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) else (low, mid - 1)
    return (
        f"one coalition of two fits in at most about {low:,} states: fewer options or fewer parties"
    )


def _groups(
    model: GraphModel, coalitions: Iterable[Iterable[int | str]] | None
) -> list[tuple[int, ...]]:
    """Coalitions as sorted tuples of actor indices; every set of two or more actors
    when ``coalitions`` is None."""
    if coalitions is None:
        return [
            tuple(c)
            for size in range(2, model.n_actors + 1)
            for c in combinations(range(model.n_actors), size)
        ]
    groups = []
    for c in coalitions:
        members = tuple(sorted({model.actor_index(a) for a in c}))
        if not members:
            raise ValueError("a coalition needs at least one actor")
        groups.append(members)
    return groups


def coalition_stabilities(
    model: GraphModel,
    *,
    coalitions: Iterable[Iterable[int | str]] | None = None,
    concepts: Sequence[str] = COALITION_CONCEPTS,
    max_states: int = MAX_COALITION_STATES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sanctions: str = "single",
    progress: Callable[[int, int], None] | None = None,
) -> CoalitionResult:
    """Coalition improvements and coalition stability of every state.

    Parameters
    ----------
    model : GraphModel
        The conflict.
    coalitions : iterable of iterables, optional
        Coalitions as actor ids or indices. Default: every set of two or more
        actors.
    concepts : sequence of str
        Any of ``nash``, ``gmr``, ``seq``.
    max_states : int
        Refuse larger models (the search is quadratic in the number of states).
    max_bytes : int
        Memory limit.
    sanctions : {"single", "joint"}
        For C-SEQ, whether the outsiders sanction only by their own unilateral
        improvements or also by joint improvements of groups of them.
    progress : callable, optional
        ``progress(done, n_coalitions)``, called once the individual stability is
        known (``done`` 0) and as each coalition's analysis finishes: the coalitions
        take about equal time, members for members.

    Returns
    -------
    CoalitionResult

    Raises
    ------
    CaseTooLargeError
        If the model has more than ``max_states`` states, or the analysis's estimated
        time or memory (:func:`coalition_estimate`) exceeds ``DETENTE_MAX_SECONDS`` or
        ``DETENTE_MAX_MEMORY``.

    References
    ----------
    Kilgour, Hipel, Fang & Peng (2001), "Coalition analysis in group decision
    support", Group Decision and Negotiation 10(2):159-175. Inohara & Hipel (2008),
    "Coalition analysis in the graph model for conflict resolution", Systems
    Engineering 11(4):343-359.
    """
    concepts = normalise_concepts(concepts)
    if sanctions not in ("single", "joint"):
        raise ValueError(f"sanctions must be 'single' or 'joint', not {sanctions!r}")
    bad = [c for c in concepts if c not in COALITION_CONCEPTS]
    if bad:
        raise ValueError(
            f"coalition stability is available for {', '.join(COALITION_CONCEPTS)}, not {bad}"
        )
    groups = _groups(model, coalitions)
    check_coalition_cost(
        model, groups, concepts=concepts, sanctions=sanctions, max_states=max_states
    )
    individual = stabilities(model, concepts=concepts, max_bytes=max_bytes)
    graphs = MoveGraphs(model, max_bytes=max_bytes)
    n = model.n_states
    improvable = np.zeros((len(groups), n), dtype=bool)
    stable = {c: np.zeros((len(groups), n), dtype=bool) for c in concepts}
    # Each group's coalition improvements, shared by the coalitions it sanctions.
    improvements: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    if progress is not None:
        progress(0, len(groups))
    for g, members in enumerate(groups):
        outsiders = [k for k in range(model.n_actors) if k not in members]
        # Worst payoff each member can be pushed to by the outsiders from each state.
        worst = {}
        for c in concepts:
            if c == "seq" and sanctions == "joint":
                worst[c] = _joint_improvement_min(
                    graphs, outsiders, graphs.rank[list(members)], cache=improvements
                )
            elif c in ("gmr", "seq"):
                worst[c] = np.stack(
                    [
                        legal_reach_min(graphs, outsiders, graphs.rank[k], improving=c == "seq")
                        for k in members
                    ]
                )
        imp, unsanctioned = _coalition_search(graphs, members, worst)
        improvable[g] = imp
        for c in concepts:
            stable[c][g] = ~imp if c == "nash" else ~unsanctioned[c]
        if progress is not None:
            progress(g + 1, len(groups))
    for arr in (improvable, *stable.values()):
        arr.setflags(write=False)
    return CoalitionResult(
        model=model,
        coalitions=tuple(tuple(model.actors[k] for k in members) for members in groups),
        concepts=concepts,
        improvable=improvable,
        stable=stable,
        individual=individual,
        parameters={
            "concepts": list(concepts),
            "coalitions": [[model.actors[k] for k in m] for m in groups],
            "sanctions": sanctions,
        },
    )


def concepts_only(result: CoalitionResult, concepts: Sequence[str]) -> CoalitionResult:
    """``result`` with only the ``concepts`` asked for (of those it holds), in its
    coalition and in its individual stability alike: an analysis run with more
    concepts than a user asked for reports only theirs."""
    from dataclasses import replace

    kept = tuple(c for c in result.concepts if c in concepts)
    individual = result.individual
    individual = replace(
        individual,
        concepts=tuple(c for c in individual.concepts if c in kept),
        stable={c: v for c, v in individual.stable.items() if c in kept},
        parameters={
            **individual.parameters,
            "concepts": [c for c in individual.concepts if c in kept],
        },
    )
    parameters = {**result.parameters, "concepts": list(kept)}
    return replace(
        result,
        concepts=kept,
        stable={c: result.stable[c] for c in kept},
        individual=individual,
        parameters=parameters,
    )


def check_coalition_states(
    n_states: int, search: str = "following coalitions", limit: int = MAX_COALITION_STATES
) -> None:
    """Refuse a coalition search over more than ``limit`` states, before any work
    (``search`` names it in the message)."""
    if n_states > limit:
        raise CaseTooLargeError(
            Problem(
                f"{search} over {n_states:,} states needs work growing as the square of the "
                f"number of states; the limit is {limit:,} states",
                path=("options",),
                expected=f"at most {limit:,} states",
                got=f"{n_states:,}",
            )
        )


def member_edges(
    graphs: MoveGraphs, members: Sequence[int]
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each member's moves sorted by target, for an OR-reduction per target."""
    n = graphs.model.n_states
    edges: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for k in members:
        src, dst = graphs[k].targets(np.arange(n, dtype=np.int64))
        order = np.argsort(dst, kind="stable")
        src, dst = src[order], dst[order]
        has = np.flatnonzero(np.bincount(dst, minlength=n))
        starts = np.searchsorted(dst, has)
        edges.append((src, has, starts))
    return edges


_SHIFTS = np.arange(64, dtype=np.uint64)


def _reach_bits(
    edges: list[tuple[np.ndarray, np.ndarray, np.ndarray]], sources: np.ndarray, n: int
) -> np.ndarray:
    """``(len(sources), n)`` bool: the states each source reaches by a non-empty legal
    sequence of the members' moves (no member twice in a row), 64 sources at a time
    as the bits of one word per node (state, last mover)."""
    assert sources.size <= 64
    seed = np.zeros(n, dtype=np.uint64)
    seed[sources] = np.uint64(1) << _SHIFTS[: sources.size]
    reach = [np.zeros(n, dtype=np.uint64) for _ in edges]
    changed = True
    while changed:
        changed = False
        for idx, (src, has, starts) in enumerate(edges):
            if src.size == 0:
                continue
            # From the root or from a node whose last mover is someone else.
            others = seed.copy()
            for j, r in enumerate(reach):
                if j != idx:
                    others |= r
            incoming = np.bitwise_or.reduceat(others[src], starts)
            new = reach[idx].copy()
            new[has] |= incoming
            if not np.array_equal(new, reach[idx]):
                reach[idx] = new
                changed = True
    total = np.zeros(n, dtype=np.uint64)
    for r in reach:
        total |= r
    return ((total[None, :] >> _SHIFTS[: sources.size, None]) & np.uint64(1)).astype(bool)


def coalition_improvements(
    graphs: MoveGraphs,
    members: Sequence[int],
    sources: Sequence[int] | np.ndarray,
    *,
    edges: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """``(len(sources), n_states)`` bool: the coalition improvements of ``members``
    from each source, the states of ``R_H(s)`` every member strictly prefers to ``s``
    (Inohara & Hipel 2008, ``R_H^{++}(s)``). ``edges`` (from :func:`member_edges`)
    saves rebuilding the members' move lists on repeated calls."""
    members = list(members)
    n = graphs.model.n_states
    src = np.asarray(sources, dtype=np.int64)
    rank = graphs.rank[members]
    if edges is None:
        edges = member_edges(graphs, members)
    out = np.zeros((src.size, n), dtype=bool)
    for lo in range(0, src.size, 64):
        block = src[lo : lo + 64]
        bits = _reach_bits(edges, block, n)
        out[lo : lo + 64] = bits & np.all(rank[:, None, :] > rank[:, block, None], axis=0)
    return out


def _coalition_search(
    graphs: MoveGraphs, members: Sequence[int], worst: dict[str, np.ndarray]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Bit-parallel search from every state, 64 sources at a time.

    Returns ``improvable`` per state and, per concept in ``worst``, whether some
    coalition improvement from the state has no sanction.
    """
    n = graphs.model.n_states
    rank = graphs.rank[list(members)]  # (|H|, n)
    edges = member_edges(graphs, members)
    improvable = np.zeros(n, dtype=bool)
    unsanctioned = {c: np.zeros(n, dtype=bool) for c in worst}
    for lo in range(0, n, 64):
        sources = np.arange(lo, min(lo + 64, n))
        bits = _reach_bits(edges, sources, n)  # (b, n)
        # Coalition improvements: every member strictly better than at the source.
        dom = np.all(rank[:, None, :] > rank[:, sources, None], axis=0)  # (b, n)
        cand = bits & dom
        improvable[sources] = cand.any(axis=1)
        for c, w in worst.items():
            # A member pushed to a state no better than the source: sanctioned.
            sanctioned = np.any(
                (w[:, None, :] <= rank[:, sources, None]) & (w[:, None, :] < INF), axis=0
            )
            unsanctioned[c][sources] = (cand & ~sanctioned).any(axis=1)
    return improvable, unsanctioned


def _joint_improvement_min(
    graphs: MoveGraphs,
    outsiders: Sequence[int],
    values: np.ndarray,
    *,
    cache: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None,
    block: int = 256,
) -> np.ndarray:
    """``(m, n_states)``: for each row of ``values`` and each state t, the smallest
    value over the states reached from t by non-empty sequences of coalition
    improvements of groups of ``outsiders`` (every non-empty group; a group of one
    makes a unilateral improvement); :data:`INF` where there is none.

    Two improvements in a row by one group compose into one of its improvements, so
    the set reached is the closure under all groups' improvements, and the minimum
    is a fixed point of ``g(x) = min over improvements x -> y of min(values(y), g(y))``.
    Each group's improvements are listed once (kept in ``cache`` across calls) as
    edges sorted by source.
    """
    n = graphs.model.n_states
    groups = [g for size in range(1, len(outsiders) + 1) for g in combinations(outsiders, size)]
    cache = {} if cache is None else cache
    for group in groups:
        if group not in cache:
            edges = member_edges(graphs, group)
            src_parts, dst_parts = [], []
            for lo in range(0, n, block):
                sources = np.arange(lo, min(lo + block, n))
                rows, dst = np.nonzero(coalition_improvements(graphs, group, sources, edges=edges))
                src_parts.append(sources[rows])
                dst_parts.append(dst)
            src = np.concatenate(src_parts)  # ascending: blocks in order, rows in order
            has = np.flatnonzero(np.bincount(src, minlength=n))
            cache[group] = (has, np.searchsorted(src, has), np.concatenate(dst_parts))
    values = np.asarray(values, dtype=np.int64)
    g = np.full(values.shape, INF, dtype=np.int64)
    changed = True
    while changed:
        changed = False
        best = np.minimum(values, g)  # the value of ending at, or going on from, a state
        for group in groups:
            has, starts, dst = cache[group]
            if dst.size == 0:
                continue
            reach = np.minimum.reduceat(best[:, dst], starts, axis=1)
            new = np.minimum(g[:, has], reach)
            if not np.array_equal(new, g[:, has]):
                g[:, has] = new
                changed = True
    return g
