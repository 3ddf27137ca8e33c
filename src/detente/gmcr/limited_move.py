"""Limited-move (Lh) and non-myopic (NM) stability for two actors.

Following Kilgour (1985) and Zagare (1984), as restated for the graph model by
Fang, Hipel & Kilgour (1989, EJOR 41; 1993, ch. 3): with actors ``i`` and ``j``
moving in turn and ``h`` moves left, the anticipated final state ``G_h(i, s)`` when
``i`` is to move at ``s`` is

* ``G_0(i, s) = s``;
* ``M_h(i, s) = {s1 in R_i(s) : G_{h-1}(j, s1) is strictly preferred by i to s}``;
* ``G_h(i, s) = s`` if ``M_h(i, s)`` is empty, otherwise ``G_{h-1}(j, s1*)`` for the
  ``s1*`` in ``M_h(i, s)`` whose anticipated state ``i`` likes best.

``s`` is Lh-stable for ``i`` when ``G_h(i, s) = s``. When several moves lead to
equally preferred but different anticipated states, the one with the smallest
state index is taken (the literature leaves this open; see Rêgo & Vieira 2024).
NM (non-myopic) stability is the limit h -> infinity: the pair of maps
``(G_h(i, .), G_h(j, .))`` evolves deterministically, so it eventually cycles; a
state is NM-stable for ``i`` when it is Lh-stable for every ``h`` on that cycle
(for every large h).
"""

from __future__ import annotations

import numpy as np

from detente.errors import AnalysisError
from detente.gmcr.graph import check_size
from detente.gmcr.moves import MoveGraphs

__all__ = ["anticipated_states", "limited_move_rows"]


def _edges(graphs: MoveGraphs, a: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = graphs.model.n_states
    # Both actors' moves are listed explicitly (two int64 per move): refuse first.
    check_size(
        graphs.model,
        max_bytes=graphs.max_bytes,
        n_edges=2 * (graphs[0].n_edges + graphs[1].n_edges),
    )
    src, dst = graphs[a].targets(np.arange(n, dtype=np.int64))
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n))))
    return src, dst, indptr


def _step(
    edges: tuple[np.ndarray, np.ndarray, np.ndarray], payoff: np.ndarray, g_other: np.ndarray
) -> np.ndarray:
    """One level of the recursion for the mover whose payoff is ``payoff``."""
    src, dst, indptr = edges
    n = payoff.shape[0]
    out = np.arange(n, dtype=np.int64)
    if src.size == 0:
        return out
    anticipated = g_other[dst]
    val = payoff[anticipated]
    nonempty = indptr[1:] > indptr[:-1]
    starts = indptr[:-1][nonempty]
    best = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    best[nonempty] = np.maximum.reduceat(val, starts)
    tie = np.where(val == best[src], anticipated, n)
    pick = np.full(n, n, dtype=np.int64)
    pick[nonempty] = np.minimum.reduceat(tie, starts)
    move = best > payoff
    out[move] = pick[move]
    return out


def anticipated_states(graphs: MoveGraphs, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """``(G_h(0, .), G_h(1, .))`` for a two-actor model (0-based state indices)."""
    p0, p1 = graphs.rank[0], graphs.rank[1]
    e0, e1 = _edges(graphs, 0), _edges(graphs, 1)
    n = graphs.model.n_states
    g0 = g1 = np.arange(n, dtype=np.int64)
    for _ in range(horizon):
        g0, g1 = _step(e0, p0, g1), _step(e1, p1, g0)
    return g0, g1


def limited_move_rows(
    graphs: MoveGraphs, focal: int, *, horizon: int | None, nm: bool, max_horizon: int | None = None
) -> dict[str, np.ndarray]:
    """Lh (if ``horizon``) and NM (if ``nm``) stability rows of actor ``focal``."""
    model = graphs.model
    n = model.n_states
    other = 1 - focal
    pf, po = graphs.rank[focal], graphs.rank[other]
    ef, eo = _edges(graphs, focal), _edges(graphs, other)
    idx = np.arange(n, dtype=np.int64)
    gf = go = idx
    out: dict[str, np.ndarray] = {}
    seen: dict[bytes, int] = {}
    history: list[np.ndarray] = []
    limit = max_horizon if max_horizon is not None else max(4 * n + 16, (horizon or 0) + 1)
    h = 0
    while True:
        if nm and "nm" not in out:
            key = gf.tobytes() + go.tobytes()
            if key in seen:
                # X_h = X_h0: the maps cycle through h0 .. h-1; history[k] is h = k+1.
                cycle = history[max(seen[key] - 1, 0) :]
                out["nm"] = np.logical_and.reduce(cycle) if cycle else np.ones(n, dtype=bool)
            else:
                seen[key] = h
        if h >= 1 and nm and "nm" not in out:
            history.append(gf == idx)
        if horizon is not None and h == horizon:
            out["lh"] = gf == idx
        if (horizon is None or "lh" in out) and (not nm or "nm" in out):
            return out
        if h >= limit:
            raise AnalysisError(f"non-myopic stability did not settle within {limit} moves")
        gf, go = _step(ef, pf, go), _step(eo, po, gf)
        h += 1
