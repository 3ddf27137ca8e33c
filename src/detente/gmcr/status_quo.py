"""Status-quo analysis: which equilibria the present state can reach, and how.

From the status quo, any actor may make a unilateral improvement, then any other
actor, and so on: a legal sequence of unilateral improvements (no actor moves twice
in a row; Fang, Hipel & Kilgour 1993, ch. 3; Li, Hipel, Kilgour & Noakes 2005,
"Integrating uncertain preferences into status quo analysis"). The search is a
breadth-first search over (state, last mover), so each path returned is a shortest
one in number of moves.

With coalitions, a step may also be a coalition improvement: a joint move of a
coalition's members (a legal sequence of their moves) that leaves every member
strictly better off than before it (Kilgour, Hipel, Fang & Peng 2001; Inohara &
Hipel 2008). The search then runs over states, each step being one party's
improvement or one coalition's joint improvement; two improvements in a row by the
same party compose into one, so dropping the no-repeat rule between steps adds no
state.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.errors import MissingPartError, Problem
from detente.gmcr.coalitions import (
    MAX_COALITION_STATES,
    check_coalition_states,
    coalition_improvements,
    member_edges,
)
from detente.gmcr.graph import GraphModel
from detente.gmcr.improvements import traced_steps
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.reach import legal_sequence_bfs
from detente.gmcr.results import StabilityResult, StatusQuoResult, Step, make_step
from detente.gmcr.stability import _DEFAULT, stabilities
from detente.gmcr.states import DEFAULT_MAX_BYTES

__all__ = ["status_quo_paths"]


def status_quo_paths(
    model: GraphModel,
    *,
    status_quo: int | None = None,
    concepts: Sequence[str] = _DEFAULT,
    stability: StabilityResult | None = None,
    max_paths: int | None = 100,
    improving: bool = True,
    coalitions: Sequence[Sequence[int | str]] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> StatusQuoResult:
    """States and equilibria reachable from the status quo, with shortest paths.

    Parameters
    ----------
    model : GraphModel
        The conflict.
    status_quo : int, optional
        0-based index of the starting state; default ``model.status_quo``.
    concepts : sequence of str
        Concepts whose equilibria are looked for (ignored if ``stability`` given).
    stability : StabilityResult, optional
        A stability analysis already computed for ``model``.
    max_paths : int or None
        Give paths to at most this many reachable equilibria (nearest first);
        None for all.
    improving : bool
        Follow legal sequences of unilateral improvements (default: where the
        parties, each acting for itself, would take the conflict); False follows any
        unilateral moves (where the conflict could go at all).
    coalitions : sequence of sequences of actor ids or indices
        Also follow these coalitions' joint improvements (with ``improving`` only).
    max_bytes : int
        Memory limit.

    Returns
    -------
    StatusQuoResult
        Reachable states, reachable equilibria per concept (the status quo counts
        when it is itself an equilibrium) and a shortest path to each.

    Raises
    ------
    MissingPartError
        If no status quo is given and the model has none.

    References
    ----------
    Fang, Hipel & Kilgour (1993), ch. 3 (legal sequences of unilateral
    improvements); Li, Hipel, Kilgour & Noakes (2005), IEEE SMC-A 35(4), status quo
    analysis.
    """
    sq = model.status_quo if status_quo is None else int(status_quo)
    if sq is None:
        raise MissingPartError(
            Problem("status-quo analysis needs a status quo", path=("status_quo",))
        )
    if not 0 <= sq < model.n_states:
        raise ValueError(f"status quo index {sq} out of range")
    if coalitions and not improving:
        raise ValueError("coalitions move by joint improvements: use them with improving=True")
    if stability is None:
        stability = stabilities(model, concepts=concepts, max_bytes=max_bytes)
    graphs = MoveGraphs(model, max_bytes=max_bytes)
    if coalitions:
        return _with_coalitions(model, graphs, sq, stability, coalitions, max_paths)
    reach = legal_sequence_bfs(graphs, range(model.n_actors), sq, improving=improving)
    equilibria, targets = _reached_equilibria(stability, reach.reached, sq)
    paths: dict[int, tuple[Step, ...]] = {}
    depth = np.where(reach.depth < 0, np.iinfo(np.int32).max, reach.depth).min(axis=1)
    ordered = sorted(targets, key=lambda t: (int(depth[t]), t))
    if max_paths is not None:
        ordered = ordered[:max_paths]
    for t in ordered:
        paths[t] = tuple(make_step(model, k, a, b) for k, a, b in reach.path(t))
    return StatusQuoResult(
        model=model,
        status_quo=sq,
        reachable=tuple(int(i) for i in reach.reached),
        equilibria=equilibria,
        paths=paths,
        parameters={
            "concepts": list(stability.concepts),
            "max_paths": max_paths,
            "moves": "unilateral improvements" if improving else "unilateral moves",
        },
    )


def _reached_equilibria(
    stability: StabilityResult, reached: np.ndarray, sq: int
) -> tuple[dict[str, tuple[int, ...]], set[int]]:
    """Per concept, the equilibria among the states reached (the status quo counts
    when it is one); and the equilibria other than the status quo, to tell paths to."""
    reachable = np.union1d(reached, [sq])
    equilibria: dict[str, tuple[int, ...]] = {}
    targets: set[int] = set()
    for concept in stability.concepts:
        eq = np.flatnonzero(stability.equilibrium_mask(concept))
        hit = tuple(int(i) for i in np.intersect1d(eq, reachable))
        equilibria[concept] = hit
        targets.update(hit)
    targets.discard(sq)
    return equilibria, targets


def _with_coalitions(
    model: GraphModel,
    graphs: MoveGraphs,
    sq: int,
    stability: StabilityResult,
    coalitions: Sequence[Sequence[int | str]],
    max_paths: int | None,
) -> StatusQuoResult:
    """Breadth-first search over states; a step is one party's unilateral improvement
    or one coalition's joint improvement."""
    groups = [tuple(sorted({model.actor_index(a) for a in c})) for c in coalitions]
    n = model.n_states
    check_coalition_states(n, "following coalitions from the status quo", MAX_COALITION_STATES)
    edges = [member_edges(graphs, members) for members in groups]
    # How each state was first reached: from which state, by which mover (an actor
    # index, or -1 - g for coalition g).
    came_from = np.full(n, -1, dtype=np.int64)
    mover = np.zeros(n, dtype=np.int64)
    depth = np.full(n, -1, dtype=np.int64)
    depth[sq] = 0
    frontier = np.array([sq], dtype=np.int64)
    level = 0
    returned = False  # whether some sequence of improvements comes back to the status quo
    while frontier.size:
        level += 1
        found: list[np.ndarray] = []
        for k in range(model.n_actors):
            src, dst = graphs[k].targets(frontier, improving=True)
            returned |= bool((dst == sq).any())
            _record(came_from, mover, depth, src, dst, k, level, found)
        for g, members in enumerate(groups):
            # Blocks of sources keep the (sources x states) table small.
            for lo in range(0, frontier.size, 1024):
                block = frontier[lo : lo + 1024]
                hits = coalition_improvements(graphs, members, block, edges=edges[g])
                rows, dst = np.nonzero(hits)
                returned |= bool((dst == sq).any())
                _record(came_from, mover, depth, block[rows], dst, -1 - g, level, found)
        frontier = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    reached = np.flatnonzero((depth > 0) | ((np.arange(n) == sq) & returned))
    equilibria, targets = _reached_equilibria(stability, reached, sq)
    ordered = sorted(targets, key=lambda t: (int(depth[t]), t))
    if max_paths is not None:
        ordered = ordered[:max_paths]
    names = [tuple(model.actors[k] for k in members) for members in groups]
    paths = {t: traced_steps(model, graphs, groups, names, came_from, mover, t) for t in ordered}
    return StatusQuoResult(
        model=model,
        status_quo=sq,
        reachable=tuple(int(i) for i in reached),
        equilibria=equilibria,
        paths=paths,
        parameters={
            "concepts": list(stability.concepts),
            "max_paths": max_paths,
            "moves": "unilateral improvements and coalition improvements",
            "coalitions": [list(c) for c in names],
        },
        method="status quo analysis by unilateral and coalition improvements "
        "(Kilgour et al. 2001; Inohara & Hipel 2008)",
        coalitions=tuple(names),
    )


def _record(
    came_from: np.ndarray,
    mover: np.ndarray,
    depth: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    who: int,
    level: int,
    found: list[np.ndarray],
) -> None:
    """Mark the first arrival at each new state in ``dst`` (from ``src`` by ``who``)."""
    new = depth[dst] < 0
    src, dst = src[new], dst[new]
    dst, first = np.unique(dst, return_index=True)
    if dst.size:
        came_from[dst] = src[first]
        mover[dst] = who
        depth[dst] = level
        found.append(dst)
