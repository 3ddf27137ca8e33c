"""The zone of possible agreement (ZOPA) and the Pareto frontier.

The ZOPA is the set of feasible outcomes that every participant *strictly* prefers
to its reservation value (Raiffa 1982, ch. 4 and 11; Lax and Sebenius 1986, ch. 6):
its utility exceeds the reservation value by more than ``tol`` (1e-9 by default), so
that rounding in the last place cannot decide membership.
The Pareto frontier is the set of outcomes no other outcome weakly improves for
everyone and strictly for someone (Raiffa 1982, ch. 11, the efficient frontier).

A package that crosses a participant's red line (see
:mod:`detente.bargain.utility`) is outside the ZOPA whatever its utilities: red lines
are non-compensatory. Red lines forbid levels dimension by dimension, so the packages
that cross none of them form a smaller grid; the engine scans only that grid (the
frontier, of either kind, is taken among those packages) and counts ``outcomes`` over
the whole space.

Because the ZOPA is closed upwards under dominance (whatever dominates a ZOPA point
is in the ZOPA too), the frontier of the ZOPA is the frontier of all outcomes
intersected with the ZOPA, and outcomes at or below a reservation value can be
pruned before the frontier is computed. The engine streams the space in chunks:
each chunk is evaluated, pruned and reduced to its own frontier; chunk frontiers are
buffered and merged into the running frontier whenever the buffer grows as large as
the frontier, so memory holds one chunk, the frontier and the buffer.

Frontier algorithm (:func:`pareto_mask`)
----------------------------------------
1. Sort the points by the sum of their utilities, descending. Floating-point
   addition is monotone, so a point can only be dominated by a point whose sum is at
   least as large: before it, or in the same run of equal sums.
2. Collapse exact duplicates (they have equal sums, so only runs of equal sums are
   searched) and put them back at the end: a duplicate of a frontier point is on
   the frontier too.
3. Repeatedly take the next batch of surviving points (never splitting a run of
   equal sums); those not dominated within the batch are frontier points, since
   nothing earlier that survived dominates them. Remove every later point that a
   new frontier point dominates.

The dominance queries of step 3 ("which of these frontier points is at least as
large as x in every coordinate?") use one rank-indexed bitset per coordinate: ``d``
binary searches and ``d * f / 64`` word ANDs per query against ``f`` frontier
points, instead of ``d * f`` comparisons (the bit-parallel trick of skyline
algorithms; cf. Börzsönyi, Kossmann and Stocker 2001 for the block-nested-loop
sweep it accelerates). The cost is at most points x frontier size x actors / 64
word operations and usually far less, because the first frontier points (those
with the largest sums) remove most of the space. With two actors the frontier is
found by one sort and a running maximum, O(n log n) (Kung, Luccio and Preparata
1975).

References
----------
Börzsönyi, S., Kossmann, D., and Stocker, K. (2001). The skyline operator. *Proc.
17th International Conference on Data Engineering*, 421-430.
Kung, H. T., Luccio, F., and Preparata, F. P. (1975). On finding the maxima of a set
of vectors. *Journal of the ACM* 22(4), 469-476.
Lax, D. A., and Sebenius, J. K. (1986). *The Manager as Negotiator*. Free Press.
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from detente.bargain._common import DEFAULT_TOL, ReservationLike, reservation_array
from detente.bargain.space import DEFAULT_CHUNK_SIZE, OutcomeSpace
from detente.bargain.utility import UtilityModel

__all__ = ["Frontier", "count_outcomes", "pareto_frontier", "pareto_mask", "zopa_count"]

Among = Literal["zopa", "all"]
Progress = Callable[[int, int], object]

_PAIR_BUDGET = 1 << 24  # bits of dominance information held in memory at once


def pareto_mask(points: np.ndarray) -> np.ndarray:
    """Which rows of ``points`` are Pareto-optimal (not dominated by another row).

    Row ``i`` dominates row ``j`` when it is at least as large in every column and
    larger in one. Equal rows do not dominate each other, so duplicates of a
    frontier point are all on the frontier.

    Parameters
    ----------
    points : numpy.ndarray, shape (n, d)

    Returns
    -------
    numpy.ndarray
        Bool mask of shape ``(n,)``.

    Examples
    --------
    >>> pareto_mask(np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.4, 0.4]])).tolist()
    [True, True, True, False]
    """
    pts = np.asarray(points, dtype=float)
    n = pts.shape[0]
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    d = pts.shape[1]
    if d == 0:
        mask[:] = True
        return mask
    if d == 1:
        return pts[:, 0] == pts[:, 0].max()
    if d == 2:
        # Kung et al. (1975): sorted by u0 then u1, both descending, a point is off
        # the frontier exactly when an earlier, different point has u1 at least as
        # large.
        order = np.lexsort((-pts[:, 1], -pts[:, 0]))
        srt = pts[order]
        first = np.ones(n, dtype=bool)
        first[1:] = np.any(srt[1:] != srt[:-1], axis=1)
        group = np.cumsum(first) - 1
        u1 = srt[first, 1]
        best_before = np.maximum.accumulate(np.concatenate(([-np.inf], u1[:-1])))
        mask[order] = (u1 > best_before)[group]
        return mask
    # Step 1: sort by the sum, descending. Floating-point addition is monotone, so a
    # dominating point has a sum at least as large; equal sums are kept in one batch.
    total = pts.sum(axis=1)
    order = np.argsort(-total, kind="stable")
    srt = pts[order]
    ssum = total[order]
    # Step 2: duplicates have equal sums, so only runs of equal sums need checking.
    rep = _representatives(srt, ssum)
    uniq = np.flatnonzero(rep == np.arange(n))
    keep = _sweep(np.ascontiguousarray(srt[uniq].T), ssum[uniq])
    keep_all = np.zeros(n, dtype=bool)
    keep_all[uniq] = keep
    mask[order] = keep_all[rep]
    return mask


def _representatives(srt: np.ndarray, ssum: np.ndarray) -> np.ndarray:
    """For rows sorted by sum, the position of the first row equal to each row."""
    n = srt.shape[0]
    rep = np.arange(n)
    same_sum = ssum[1:] == ssum[:-1]
    if not same_sum.any():
        return rep
    in_run = np.zeros(n, dtype=bool)
    in_run[1:] |= same_sum
    in_run[:-1] |= same_sum
    run_id = np.cumsum(np.concatenate(([True], ~same_sum))) - 1
    cand = np.flatnonzero(in_run)
    sub = srt[cand]
    keys = [cand] + [sub[:, c] for c in range(sub.shape[1] - 1, -1, -1)] + [run_id[cand]]
    a = cand[np.lexsort(keys)]
    same = (run_id[a[1:]] == run_id[a[:-1]]) & np.all(srt[a[1:]] == srt[a[:-1]], axis=1)
    starts = np.concatenate(([True], ~same))
    gid = np.cumsum(starts) - 1
    first = a[starts]
    # The representative is the earliest position of its group (``cand`` breaks
    # ties in the lexsort, so ``first`` is the smallest position).
    rep[a] = first[gid]
    return rep


class _Bitsets:
    """Points ``F`` (columns of ``(d, f)``) indexed for fast "who is >= me" queries.

    For each coordinate the points are ranked; ``bits[c][k]`` is the bitset of the
    points whose rank in coordinate ``c`` is at least ``k``. The points that are at
    least as large as a query ``x`` in every coordinate are then the AND over ``c``
    of ``bits[c][searchsorted(values_c, x_c)]``: ``d`` binary searches and
    ``d * f / 64`` word operations per query instead of ``d * f`` comparisons.
    """

    def __init__(self, cols: np.ndarray) -> None:
        d, f = cols.shape
        self.f = f
        self.words = (f + 63) // 64
        self.values: list[np.ndarray] = []
        self.bits: list[np.ndarray] = []
        rows = np.arange(f)
        for c in range(d):
            o = np.argsort(cols[c], kind="stable")
            one = np.zeros((f + 1, self.words), dtype=np.uint64)
            one[rows, o >> 6] = np.left_shift(np.uint64(1), (o & 63).astype(np.uint64))
            self.values.append(cols[c][o])
            self.bits.append(np.bitwise_or.accumulate(one[::-1], axis=0)[::-1])

    def at_least(self, cols: np.ndarray) -> np.ndarray:
        """``(m, words)`` bitsets: for each query column, the points >= it."""
        acc = None
        for c, (vals, bits) in enumerate(zip(self.values, self.bits, strict=True)):
            got = bits[np.searchsorted(vals, cols[c], side="left")]
            if acc is None:
                acc = got
            else:
                acc &= got
        assert acc is not None
        return acc


def _sweep(cols: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Step 3 of :func:`pareto_mask` on distinct points sorted by ``sums``
    (descending). ``cols`` is ``(d, m)``; returns a bool mask ``(m,)``."""
    m = cols.shape[1]
    keep = np.zeros(m, dtype=bool)
    alive = np.arange(m)
    batch = 256
    while alive.size:
        cut = min(batch, alive.size)
        # Never split a run of equal sums: a later point might dominate an earlier
        # one only if their sums are equal.
        while cut < alive.size and sums[alive[cut]] == sums[alive[cut - 1]]:
            cut += 1
        head, rest = alive[:cut], alive[cut:]
        index = _Bitsets(cols[:, head])
        acc = index.at_least(cols[:, head])
        pos = np.arange(head.size)
        acc[pos, pos >> 6] &= ~np.left_shift(np.uint64(1), (pos & 63).astype(np.uint64))
        new_pos = np.flatnonzero(~acc.any(axis=1))
        keep[head[new_pos]] = True
        if rest.size and new_pos.size:
            index = _Bitsets(cols[:, head[new_pos]])
            step = max(1, _PAIR_BUDGET // (index.words * 64))
            survivors = [
                part[~index.at_least(cols[:, part]).any(axis=1)]
                for part in (rest[s : s + step] for s in range(0, rest.size, step))
            ]
            rest = np.concatenate(survivors)
        alive = rest
        batch = min(batch * 2, 4096)
    return keep


@dataclass(frozen=True, eq=False)
class Frontier:
    """Array-level output of a scan of the outcome space (an intermediate, not a
    result: it holds numpy arrays).

    Attributes
    ----------
    actors : tuple of str
    reservation : numpy.ndarray
        ``(n_actors,)`` reservation values used.
    outcomes : int
        Feasible outcomes (including those that cross a red line).
    zopa : int
        Outcomes every actor strictly prefers to its reservation value, crossing none
        of their red lines.
    among : {"zopa", "all"}
        Whether the frontier was taken among ZOPA outcomes or among all outcomes
        (that cross no red line).
    index : numpy.ndarray
        ``(m,)`` int64 outcome numbers (full space) of the frontier points, ascending.
    utilities : numpy.ndarray
        ``(m, n_actors)`` their utilities.
    in_zopa : numpy.ndarray
        ``(m,)`` bool, whether each frontier point is in the ZOPA.
    """

    actors: tuple[str, ...]
    reservation: np.ndarray
    outcomes: int
    zopa: int
    among: str
    index: np.ndarray
    utilities: np.ndarray
    in_zopa: np.ndarray

    def zopa_part(self) -> tuple[np.ndarray, np.ndarray]:
        """``(index, utilities)`` of the frontier points inside the ZOPA: the
        frontier of the ZOPA."""
        return self.index[self.in_zopa], self.utilities[self.in_zopa]


def pareto_frontier(
    space: OutcomeSpace,
    model: UtilityModel,
    reservation: ReservationLike,
    *,
    among: Among = "zopa",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    tol: float = DEFAULT_TOL,
    progress: Progress | None = None,
) -> Frontier:
    """Stream the outcome space: count the ZOPA and find the Pareto frontier.

    Parameters
    ----------
    space : OutcomeSpace
    model : UtilityModel
    reservation : mapping or array_like
        Reservation values: ``actor -> value``, or aligned with ``model.actors``.
    among : {"zopa", "all"}
        ``"zopa"`` (default) prunes outcomes at or below any reservation value before
        the frontier is computed, which is much faster when reservation values bind;
        ``"all"`` keeps every feasible outcome.
    chunk_size : int
        Grid points per chunk.
    tol : float
        An outcome is in the ZOPA when every utility exceeds the reservation value by
        more than ``tol`` (see :data:`~detente.bargain._common.DEFAULT_TOL`).
    progress : callable, optional
        Called as ``progress(done, total)`` (grid points) after each chunk, for a
        progress bar; the engine itself prints nothing.

    Returns
    -------
    Frontier
    """
    if among not in ("zopa", "all"):
        raise ValueError(f"among must be 'zopa' or 'all', got {among!r}")
    if len(model.tables) != len(space.dims):
        raise ValueError("the utility model was built for a different outcome space")
    r = reservation_array(model, reservation)
    n_out = 0
    n_zopa = 0
    f_idx = np.empty(0, dtype=np.int64)
    f_u = np.empty((0, model.n_actors))
    # Each chunk's own frontier waits in a buffer; the buffer is merged into the
    # running frontier once it is as large as the frontier (or a quarter chunk), so
    # the frontier is not re-swept after every chunk. Memory: one chunk, the
    # frontier and a buffer no larger than both.
    pending_idx: list[np.ndarray] = []
    pending_u: list[np.ndarray] = []
    pending = 0

    def merge() -> None:
        nonlocal f_idx, f_u, pending
        idx = np.concatenate([f_idx, *pending_idx])
        u = np.concatenate([f_u, *pending_u])
        keep = pareto_mask(u)
        f_idx, f_u = idx[keep], u[keep]
        pending_idx.clear()
        pending_u.clear()
        pending = 0

    scan = model.acceptable(space)
    done, total = 0, scan.size
    for chunk in scan.chunks(chunk_size):
        done += chunk.grid_count
        if progress is not None:
            progress(done, total)
        if len(chunk) == 0:
            continue
        n_out += len(chunk)
        if among == "zopa":
            rows, u = model.evaluate_above(chunk, r + tol)
            idx = chunk.index[rows]
            n_zopa += int(idx.size)
        else:
            u = model.evaluate(chunk)
            idx = chunk.index
            n_zopa += int(np.count_nonzero(np.all(u > r + tol, axis=1)))
        if idx.size == 0:
            continue
        keep = pareto_mask(u)
        pending_idx.append(idx[keep])
        pending_u.append(u[keep])
        pending += int(np.count_nonzero(keep))
        if pending >= max(f_idx.size, chunk_size // 4):
            merge()
    if pending:
        merge()
    if scan is not space:
        n_out = count_outcomes(space, chunk_size=chunk_size)
    order = np.argsort(f_idx, kind="stable")
    f_idx, f_u = f_idx[order], f_u[order]
    return Frontier(
        actors=model.actors,
        reservation=r,
        outcomes=n_out,
        zopa=n_zopa,
        among=among,
        index=f_idx,
        utilities=f_u,
        in_zopa=np.all(f_u > r + tol, axis=1),
    )


def zopa_count(
    space: OutcomeSpace,
    model: UtilityModel,
    reservation: ReservationLike,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    tol: float = DEFAULT_TOL,
) -> tuple[int, int]:
    """``(outcomes, zopa)``: feasible outcomes and how many every actor strictly
    prefers (by more than ``tol``) to its reservation value, crossing none of their
    red lines, without computing a frontier."""
    r = reservation_array(model, reservation)
    n_out = n_zopa = 0
    scan = model.acceptable(space)
    for chunk in scan.chunks(chunk_size):
        if len(chunk) == 0:
            continue
        n_out += len(chunk)
        n_zopa += int(model.evaluate_above(chunk, r + tol)[0].size)
    if scan is not space:
        n_out = count_outcomes(space, chunk_size=chunk_size)
    return n_out, n_zopa


def count_outcomes(space: OutcomeSpace, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
    """The number of feasible outcomes of ``space``: known without a scan unless a
    general feasibility mask (or a very large option grid) makes one necessary."""
    known = space.count()
    if known is not None:
        return known
    return sum(len(chunk) for chunk in space.chunks(chunk_size))
