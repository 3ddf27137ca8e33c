"""Status-quo analysis: which equilibria the present state can reach, and how.

From the status quo, any actor may make a unilateral improvement, then any other
actor, and so on: a legal sequence of unilateral improvements (no actor moves twice
in a row; Fang, Hipel & Kilgour 1993, ch. 3; Li, Hipel, Kilgour & Noakes 2005,
"Integrating uncertain preferences into status quo analysis"). The search is a
breadth-first search over (state, last mover), so each path returned is a shortest
one in number of moves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.errors import MissingPartError, Problem
from detente.gmcr.graph import GraphModel
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
    if stability is None:
        stability = stabilities(model, concepts=concepts, max_bytes=max_bytes)
    graphs = MoveGraphs(model, max_bytes=max_bytes)
    reach = legal_sequence_bfs(graphs, range(model.n_actors), sq, improving=improving)
    reachable = np.union1d(reach.reached, [sq])
    equilibria: dict[str, tuple[int, ...]] = {}
    targets: set[int] = set()
    for concept in stability.concepts:
        eq = np.flatnonzero(stability.equilibrium_mask(concept))
        hit = tuple(int(i) for i in np.intersect1d(eq, reachable))
        equilibria[concept] = hit
        targets.update(hit)
    targets.discard(sq)
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
