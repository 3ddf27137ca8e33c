"""Reachability by legal sequences of moves, as minimum propagation.

A legal sequence of moves by a group ``H`` of actors is any finite sequence of
unilateral moves by members of ``H`` in which no actor moves twice in a row; an
actor may move again after another has moved (Fang, Hipel & Kilgour 1993, ch. 3,
the reachable list R_H(s) and its last-mover sets Omega_H). With unilateral
improvements in place of moves (each mover improving for itself at its own step)
the same recursion gives R_H^+(s).

Stability tests only ask for the minimum, over R_H(s1), of some per-state value.
With one value per node (state, last mover), the recursion

    g_j(x) = min(value(x), min over k in H, k != j, of min over y in R_k(x) of g_k(y))

is iterated from ``g_j = value`` until nothing changes; then the minimum over
R_H(s1) is ``min over k in H of min over y in R_k(s1) of g_k(y)``. Each sweep is
one vectorised reduction per mover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detente.errors import AnalysisError
from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import INF, MoveGraphs

__all__ = ["LegalReach", "legal_reach_min", "legal_sequence_bfs", "reachable_states"]


def legal_reach_min(
    graphs: MoveGraphs,
    movers: Sequence[int],
    values: np.ndarray,
    *,
    improving: bool = False,
    max_sweeps: int | None = None,
) -> np.ndarray:
    """For each state s: the minimum of ``values`` over R_H(s) (or R_H^+(s)).

    Parameters
    ----------
    graphs : MoveGraphs
        Move graphs of the model.
    movers : sequence of int
        The actors in H.
    values : numpy.ndarray
        One ``int64`` value per state, in ``1..n_states``.
    improving : bool
        Use unilateral improvements (each for its mover) instead of moves.

    Returns
    -------
    numpy.ndarray
        ``int64`` per state; :data:`~detente.gmcr.moves.INF` where R_H(s) is empty.
    """
    movers = list(movers)
    n = values.shape[0]
    if not movers:
        return np.full(n, INF, dtype=np.int64)
    if len(movers) == 1:
        return graphs[movers[0]].reduce_min(values, improving=improving)
    g = [values.copy() for _ in movers]
    ar = np.arange(n)
    sweeps = 0
    # After t sweeps g holds the minimum over sequences of at most t moves, and
    # every node is reached within (number of nodes) moves.
    limit = max_sweeps if max_sweeps is not None else n * len(movers) + 2
    while True:
        h = np.stack(
            [graphs[k].reduce_min(g[i], improving=improving) for i, k in enumerate(movers)]
        )
        best = h.argmin(axis=0)
        m1 = h[best, ar]
        h[best, ar] = INF
        m2 = h.min(axis=0)
        changed = False
        for i in range(len(movers)):
            new = np.minimum(values, np.where(best == i, m2, m1))
            if not changed and not np.array_equal(new, g[i]):
                changed = True
            g[i] = new
        sweeps += 1
        if not changed:
            return m1
        if sweeps >= limit:  # pragma: no cover - impossible by the bound above
            raise AnalysisError(f"reachability did not settle after {sweeps} sweeps")


@dataclass(frozen=True, eq=False)
class LegalReach:
    """States reached from ``source`` by non-empty legal sequences, with parents.

    Nodes are (state, mover column). For each node first reached at BFS level
    ``depth[state, col] >= 1``, ``parent_state`` and ``parent_col`` give the node it
    was reached from (``parent_col = -1`` for the root, the source itself).
    """

    source: int
    movers: tuple[int, ...]
    reached: np.ndarray
    depth: np.ndarray
    parent_state: np.ndarray
    parent_col: np.ndarray

    def path(self, target: int) -> list[tuple[int, int, int]]:
        """A shortest legal sequence to ``target`` as ``(mover, from, to)`` steps."""
        d = self.depth[target]
        if (d < 0).all():
            raise KeyError(f"state {target} is not reachable")
        col = int(np.argmin(np.where(d < 0, np.iinfo(np.int32).max, d)))
        state = int(target)
        steps: list[tuple[int, int, int]] = []
        while col >= 0:
            prev_state = int(self.parent_state[state, col])
            steps.append((self.movers[col], prev_state, state))
            state, col = prev_state, int(self.parent_col[state, col])
        steps.reverse()
        return steps


def legal_sequence_bfs(
    graphs: MoveGraphs,
    movers: Sequence[int],
    source: int,
    *,
    improving: bool = False,
) -> LegalReach:
    """Breadth-first search over nodes (state, last mover) from one state.

    Parameters
    ----------
    graphs : MoveGraphs
        Move graphs of the model.
    movers : sequence of int
        Actors allowed to move; no actor moves twice in a row.
    source : int
        Start state (0-based).
    improving : bool
        Only unilateral improvements (each for its mover).

    Returns
    -------
    LegalReach
        The states reached by non-empty legal sequences and shortest paths.
    """
    movers = tuple(int(k) for k in movers)
    n = graphs.model.n_states
    m = len(movers)
    depth = np.full((n, m), -1, dtype=np.int32)
    parent_state = np.full((n, m), -1, dtype=np.int64)
    parent_col = np.full((n, m), -1, dtype=np.int16)
    # Frontier: nodes reached at the last level, as (state, column; -1 = root).
    f_states = np.array([source], dtype=np.int64)
    f_cols = np.array([-1], dtype=np.int64)
    level = 0
    while f_states.size:
        level += 1
        nxt_states: list[np.ndarray] = []
        nxt_cols: list[np.ndarray] = []
        for col, k in enumerate(movers):
            allowed = f_cols != col
            if not allowed.any():
                continue
            states, first = np.unique(f_states[allowed], return_index=True)
            lasts = f_cols[allowed][first]
            src, dst = graphs[k].frontier_targets(states, improving=improving)
            new = depth[dst, col] < 0
            src, dst = src[new], dst[new]
            if dst.size == 0:
                continue
            depth[dst, col] = level
            parent_state[dst, col] = src
            parent_col[dst, col] = lasts[np.searchsorted(states, src)]
            nxt_states.append(dst)
            nxt_cols.append(np.full(dst.size, col, dtype=np.int64))
        f_states = np.concatenate(nxt_states) if nxt_states else np.zeros(0, dtype=np.int64)
        f_cols = np.concatenate(nxt_cols) if nxt_cols else np.zeros(0, dtype=np.int64)
    reached = np.flatnonzero((depth >= 0).any(axis=1))
    return LegalReach(int(source), movers, reached, depth, parent_state, parent_col)


def reachable_states(
    model: GraphModel,
    movers: Sequence[int | str],
    state: int,
    *,
    improving: bool = False,
) -> list[int]:
    """R_H(s) (or R_H^+(s)): 0-based states a group reaches by legal sequences.

    Parameters
    ----------
    model : GraphModel
        The conflict.
    movers : sequence
        The actors of the group H (ids or indices).
    state : int
        0-based index of s.
    improving : bool
        Legal sequences of unilateral improvements (each mover improving for
        itself) instead of unilateral moves.

    Returns
    -------
    list of int
        Sorted states reached by non-empty legal sequences.

    References
    ----------
    Fang, Hipel & Kilgour (1993), ch. 3, reachable lists of a group of decision
    makers; no decision maker moves twice in a row.
    """
    graphs = MoveGraphs(model)
    group = [model.actor_index(a) for a in movers]
    reach = legal_sequence_bfs(graphs, group, int(state), improving=improving)
    return [int(i) for i in reach.reached]
