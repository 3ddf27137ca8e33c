"""Unilateral moves and improvements of each actor, as vectorised operators.

An actor's unilateral move (UM) from state ``s`` changes a non-empty subset of the
options it controls, leads to a feasible state, respects every changed option's
permitted direction, and neither starts nor ends at a state the actor misperceives.
A unilateral improvement (UI) is a UM to a state the actor strictly prefers
(Fang, Hipel & Kilgour 1993, ch. 2; Fang et al. 2003, Part I).

Moves are never stored as a states-by-states matrix. States are grouped by the
options the actor does *not* control: an actor can only move inside its group.
When every option of the actor may change both ways, each group is a clique and
"the minimum of a value over the states the actor can reach" is a group minimum
(two smallest values per group), computed in O(n); "over its improvements" is a
segmented running minimum in payoff order. Otherwise (options that may change in
one direction only) the allowed moves inside each group are listed once, as
int32 targets in CSR form, and reduced with ``np.minimum.reduceat``.
"""

from __future__ import annotations

import numpy as np

from detente.gmcr.graph import GraphModel, check_size
from detente.gmcr.preferences import dense_ranks
from detente.gmcr.states import DEFAULT_MAX_BYTES

__all__ = ["INF", "MoveGraph", "MoveGraphs", "unilateral_improvements", "unilateral_moves"]

#: Value meaning "no state reachable" in minimum propagation.
INF = np.iinfo(np.int64).max // 4
#: Value meaning "no state reachable" in maximum propagation.
NEG = -INF


def _expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + c)`` for each pair, without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)
    return np.repeat(np.asarray(starts, dtype=np.int64), counts) + offsets


class MoveGraph:
    """The unilateral moves of one actor over the feasible states of a model.

    Parameters
    ----------
    codes : numpy.ndarray
        Sorted state codes.
    mask : int
        Bit mask of the options the actor controls.
    rank : numpy.ndarray
        The actor's payoff as dense ranks (used for improvements).
    fwd, back : int
        Bit masks of the actor's options that may only go N->Y / only Y->N.
    perceived : numpy.ndarray or None
        States the actor perceives.
    """

    def __init__(
        self,
        codes: np.ndarray,
        mask: int,
        rank: np.ndarray,
        *,
        fwd: int = 0,
        back: int = 0,
        perceived: np.ndarray | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        model: GraphModel | None = None,
        extra_edges: int = 0,
    ) -> None:
        n = codes.shape[0]
        self.n = n
        self.codes = codes
        self.rank = rank
        self.clique = fwd == 0 and back == 0
        key = codes & ~np.int64(mask)
        if perceived is not None:
            # A misperceived state is a group of its own: no moves to or from it.
            key = np.where(perceived, key, -1 - np.arange(n, dtype=np.int64))
        # Sort by (group key, payoff descending); the group order serves both the
        # plain and the improving reductions.
        order = np.lexsort((-rank, key))
        skey = key[order]
        new_group = np.empty(n, dtype=bool)
        new_group[:1] = True
        new_group[1:] = skey[1:] != skey[:-1]
        starts = np.flatnonzero(new_group)
        sizes = np.diff(np.append(starts, n))
        gid = np.cumsum(new_group) - 1
        self.order = order
        self.starts = starts
        self.sizes = sizes
        self.gid = gid  # group of each sorted position
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        self.pos = pos  # sorted position of each state
        # For improvements: the last position (same group) with a strictly higher
        # payoff than position p, i.e. just before p's tie block; -1 if none.
        srank = rank[order]
        new_tie = new_group.copy()
        new_tie[1:] |= srank[1:] != srank[:-1]
        tie_start = np.maximum.accumulate(np.where(new_tie, np.arange(n), 0))
        prev = tie_start - 1
        prev[tie_start == starts[gid]] = -1
        self.prev_better = prev
        self.n_edges = int((sizes * (sizes - 1)).sum())
        if not self.clique:
            if model is not None:
                # Refuse before listing the edges (including other actors' edges).
                check_size(model, max_bytes=max_bytes, n_edges=self.n_edges + extra_edges)
            self._build_edges(fwd, back)

    # -- explicit edges (actors with directed options) -----------------------------
    def _build_edges(self, fwd: int, back: int, *, chunk: int = 1 << 23) -> None:
        """List the allowed moves inside each group, as CSR over sorted positions.

        Groups are processed a slice at a time so that the candidate pairs of one
        slice stay below ``chunk``; only the targets are kept (int32 when possible).
        """
        n = self.n
        itype = np.int32 if n < 2**31 - 1 else np.int64
        fwd64, back64 = np.int64(fwd), np.int64(back)
        n_groups = self.starts.shape[0]
        cum = np.cumsum(self.sizes.astype(np.int64) ** 2)
        counts = np.zeros(n, dtype=np.int64)
        counts_imp = np.zeros(n, dtype=np.int64)
        dst_parts: list[np.ndarray] = []
        imp_parts: list[np.ndarray] = []
        g0 = 0
        while g0 < n_groups:
            base = int(cum[g0 - 1]) if g0 else 0
            g1 = max(g0 + 1, int(np.searchsorted(cum, base + chunk, side="right")))
            g1 = min(g1, n_groups)
            p0 = int(self.starts[g0])
            p1 = int(self.starts[g1]) if g1 < n_groups else n
            positions = np.arange(p0, p1, dtype=np.int64)
            per = self.sizes[self.gid[positions]]
            src_pos = np.repeat(positions, per)
            dst_pos = _expand(self.starts[self.gid[positions]], per)
            src = self.order[src_pos]
            dst = self.order[dst_pos]
            cs = self.codes[src]
            changed = cs ^ self.codes[dst]
            ok = (
                (src_pos != dst_pos)
                & ((changed & fwd64 & cs) == 0)
                & ((changed & back64 & ~cs) == 0)
            )
            src_pos, src, dst = src_pos[ok], src[ok], dst[ok]
            counts[p0:p1] = np.bincount(src_pos - p0, minlength=p1 - p0)
            dst_parts.append(dst.astype(itype))
            imp = self.rank[dst] > self.rank[src]
            counts_imp[p0:p1] = np.bincount(src_pos[imp] - p0, minlength=p1 - p0)
            imp_parts.append(dst[imp].astype(itype))
            g0 = g1
        self.dst = np.concatenate(dst_parts) if dst_parts else np.zeros(0, dtype=itype)
        self.dst_imp = np.concatenate(imp_parts) if imp_parts else np.zeros(0, dtype=itype)
        self.indptr = np.concatenate(([0], np.cumsum(counts)))
        self.indptr_imp = np.concatenate(([0], np.cumsum(counts_imp)))
        self.n_edges = int(self.dst.shape[0])

    # -- reductions ----------------------------------------------------------------
    def reduce_min(self, values: np.ndarray, *, improving: bool = False) -> np.ndarray:
        """For every state ``x``: the minimum of ``values[y]`` over the actor's moves
        ``x -> y`` (only improvements if ``improving``); :data:`INF` if none."""
        n = self.n
        if not self.clique:
            if improving:
                res = _csr_min(self.indptr_imp, self.dst_imp, values)
            else:
                res = _csr_min(self.indptr, self.dst, values)
            out = np.empty(n, dtype=np.int64)
            out[self.order] = res
            return out
        vs = values[self.order]
        if improving:
            # Segmented running minimum in (payoff descending) order, reset at each
            # group: shift each group below all earlier ones, accumulate, shift back.
            bounded = np.minimum(vs, n + 1)
            shift = self.gid * np.int64(n + 3)
            run = np.minimum.accumulate(bounded - shift) + shift
            prev = self.prev_better
            res = np.where(prev >= 0, run[np.maximum(prev, 0)], INF)
            res = np.where(res > n, INF, res)
            out = np.empty(n, dtype=np.int64)
            out[self.order] = res
            return out
        starts = self.starts
        gmin = np.minimum.reduceat(vs, starts)
        g = self.gid
        ar = np.arange(n, dtype=np.int64)
        first = np.minimum.reduceat(np.where(vs == gmin[g], ar, n), starts)
        vs2 = vs.copy()
        vs2[first] = INF
        gmin2 = np.minimum.reduceat(vs2, starts)
        res = np.where(ar == first[g], gmin2[g], gmin[g])
        out = np.empty(n, dtype=np.int64)
        out[self.order] = res
        return out

    def reduce_max(self, values: np.ndarray, *, improving: bool = False) -> np.ndarray:
        """Like :meth:`reduce_min` with the maximum; :data:`NEG` where no move.

        ``values`` must lie in ``[0, n]`` or be :data:`INF`.
        """
        n = self.n
        flipped = np.where(values >= INF, 0, (n + 1) - values)
        res = self.reduce_min(flipped, improving=improving)
        return np.where(res >= INF, NEG, np.where(res == 0, INF, (n + 1) - res))

    def has_move(self, *, improving: bool = False) -> np.ndarray:
        """Boolean per state: the actor has a move (an improvement) from it."""
        if not self.clique:
            ptr = self.indptr_imp if improving else self.indptr
            return (np.diff(ptr) > 0)[self.pos]
        if improving:
            return self.prev_better[self.pos] >= 0
        return self.sizes[self.gid[self.pos]] > 1

    # -- explicit targets for a few sources ----------------------------------------
    def targets(
        self, sources: np.ndarray, *, improving: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs ``(source, target)`` of the moves (improvements) from ``sources``."""
        sources = np.asarray(sources, dtype=np.int64).reshape(-1)
        if not self.clique:
            ptr, dst = (self.indptr_imp, self.dst_imp) if improving else (self.indptr, self.dst)
            p = self.pos[sources]
            counts = ptr[p + 1] - ptr[p]
            return np.repeat(sources, counts), dst[_expand(ptr[p], counts)].astype(np.int64)
        g = self.gid[self.pos[sources]]
        counts = self.sizes[g]
        src = np.repeat(sources, counts)
        dst = self.order[_expand(self.starts[g], counts)]
        keep = dst != src
        if improving:
            keep &= self.rank[dst] > self.rank[src]
        return src[keep], dst[keep]

    def frontier_targets(
        self, sources: np.ndarray, *, improving: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every state reachable in one move from some state of ``sources``, once,
        with one source it is reachable from: ``(source, target)`` pairs.

        For clique groups this costs the size of the groups touched, not sources
        times group size: the lowest-ranked source of a group reaches every member
        ranked above it, and any two sources of a group reach the whole group.
        """
        sources = np.unique(np.asarray(sources, dtype=np.int64).reshape(-1))
        if not self.clique or sources.size == 0:
            src, dst = self.targets(sources, improving=improving)
            dst, first = np.unique(dst, return_index=True)
            return src[first], dst
        p = self.pos[sources]
        g = self.gid[p]
        if improving:
            # Sorted positions run by payoff descending inside a group: the last
            # source position of each group has the lowest payoff.
            order = np.lexsort((p, g))
            g_s, p_s = g[order], p[order]
            last = np.ones(g_s.size, dtype=bool)
            last[:-1] = g_s[1:] != g_s[:-1]
            groups, rep_pos = g_s[last], p_s[last]
            rep = self.order[rep_pos]
            counts = self.sizes[groups]
            dst_pos = _expand(self.starts[groups], counts)
            src = np.repeat(rep, counts)
            keep = self.rank[self.order[dst_pos]] > self.rank[src]
            return src[keep], self.order[dst_pos[keep]]
        order = np.lexsort((p, g))
        g_s, p_s = g[order], p[order]
        first = np.ones(g_s.size, dtype=bool)
        first[1:] = g_s[1:] != g_s[:-1]
        groups = g_s[first]
        rep1 = self.order[p_s[first]]
        # A second source of the same group, if any, reaches the first one.
        idx_first = np.flatnonzero(first)
        has_second = np.zeros(groups.size, dtype=bool)
        second = np.full(groups.size, -1, dtype=np.int64)
        nxt = idx_first + 1
        ok = nxt < g_s.size
        ok[ok] &= g_s[nxt[ok]] == groups[ok]
        has_second[ok] = True
        second[ok] = self.order[p_s[nxt[ok]]]
        counts = self.sizes[groups]
        dst = self.order[_expand(self.starts[groups], counts)]
        src = np.repeat(rep1, counts)
        sec = np.repeat(second, counts)
        is_rep = dst == src
        src = np.where(is_rep, sec, src)
        keep = src >= 0
        return src[keep], dst[keep]


def _csr_min(indptr: np.ndarray, dst: np.ndarray, values: np.ndarray) -> np.ndarray:
    n = indptr.shape[0] - 1
    out = np.full(n, INF, dtype=np.int64)
    if dst.shape[0] == 0:
        return out
    nonempty = indptr[1:] > indptr[:-1]
    out[nonempty] = np.minimum.reduceat(values[dst], indptr[:-1][nonempty])
    return out


class MoveGraphs:
    """The move graphs of every actor of a model, built on first use.

    Payoffs are replaced by dense ranks per actor (order and ties kept), so that
    every propagated value lies in ``1..n_states``.
    """

    def __init__(self, model: GraphModel, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        check_size(model, max_bytes=max_bytes)
        self.model = model
        self.max_bytes = max_bytes
        # (n_actors, n_states); np.stack refuses an empty list, so no actors gives (0, n_states)
        self.rank: np.ndarray = (
            np.stack([dense_ranks(row) for row in model.payoff])
            if model.n_actors
            else np.empty((0, model.n_states), dtype=np.int64)
        )
        self._graphs: dict[int, MoveGraph] = {}

    def __getitem__(self, actor: int) -> MoveGraph:
        graph = self._graphs.get(actor)
        if graph is None:
            m = self.model
            mask = m.actor_mask(actor)
            fwd = back = 0
            for k in np.flatnonzero(m.controller == actor):
                if m.direction[k] == 1:
                    fwd |= 1 << int(k)
                elif m.direction[k] == -1:
                    back |= 1 << int(k)
            graph = MoveGraph(
                m.states,
                mask,
                self.rank[actor],
                fwd=fwd,
                back=back,
                perceived=None if m.perceived is None else m.perceived[actor],
                max_bytes=self.max_bytes,
                model=m,
                extra_edges=sum(g.n_edges for g in self._graphs.values() if not g.clique),
            )
            self._graphs[actor] = graph
        return graph


def unilateral_moves(model: GraphModel, actor: int | str, state: int) -> list[int]:
    """0-based indices of the states ``actor`` can reach from ``state`` in one move.

    References
    ----------
    Fang, Hipel & Kilgour (1993), *Interactive Decision Making: The Graph Model for
    Conflict Resolution*, Wiley, ch. 2 (reachable list R_i(s)).
    """
    a = model.actor_index(actor)
    graph = MoveGraphs(model)[a]
    _, dst = graph.targets(np.array([state]))
    return sorted(int(d) for d in dst)


def unilateral_improvements(model: GraphModel, actor: int | str, state: int) -> list[int]:
    """0-based indices of the states ``actor`` prefers and reaches from ``state`` in
    one move (R_i^+(s), Fang, Hipel & Kilgour 1993, ch. 2)."""
    a = model.actor_index(actor)
    graph = MoveGraphs(model)[a]
    _, dst = graph.targets(np.array([state]), improving=True)
    return sorted(int(d) for d in dst)
