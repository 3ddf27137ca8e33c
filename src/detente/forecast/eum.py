"""Bueno de Mesquita's expected utility model (EUM), as specified by Scholz et al.

The model follows Scholz, Calbert and Smith (2011), "Unravelling Bueno De
Mesquita's group decision model", *Journal of Theoretical Politics* 23(4),
510ff. (cited below as SCS), which reconstructs Bueno de Mesquita (1994) and
its forerunners; section numbers follow the description in
``research/forecast/models.md`` §5. One round:

1. risk-neutral pass: every actor's risk exponent is ``r = 1`` (SCS §5);
2. the probability that ``i`` beats ``j``, from everyone's votes (BDM 1994; SCS's text);
3. the utilities of success, failure and the status quo (SCS §3);
4. the expected utility of ``i`` challenging ``j`` (SCS §2.2, the Q and T form);
5. security levels and risk exponents ``r in [1/2, 2]`` (SCS §5), then
   steps 2-4 again with these exponents;
6. offers by the quadrant logic (conflict, compromise, capitulation; BDM 1994);
7. each receiver accepts the offer that moves it least (BDM, as stated by SCS); ties go to
   the sender with the larger expected utility, then to the smaller position,
   so that relabelling the actors never changes the result;
8. all moves apply at once;
9. red lines (not in SCS or BDM): each actor with a red line is clipped to its
   interval ``[at_least, at_most]``, so that no actor ends a round past its own
   red line. This happens in :func:`run_eum_batch`, right after the round's
   update (step 8) and before the stopping rule compares the round with the
   one before; the next round's offers start from the clipped positions.
   Vetoed single levels are not enforced (see :mod:`detente.forecast._redlines`).
   Without red lines this step is skipped and the run is exactly the model's.

Two variants are offered. ``"paper"`` (the default) follows the text of SCS as
written out in ``research/forecast/models.md`` §5. ``"scholz-code"`` reproduces
the published replication program that follows Scholz et al.'s own Java code
(jmckib/bdm-scholz-expected-utility-model): the victory probability divides by
the votes over all pairs of actors, voters use their own risk exponent inside the
vote, each receiver judges both sides' expected utilities with its own exponent,
and it prefers a confrontation, then the compromise with the smallest weighted
position. Ours is an independent implementation checked against that program
round by round on the EU data and on random cases (tests/forecast/test_eum.py).
Its ties go to actor order, as in that program, and its work grows as n^3
(votes over all pairs), so it is meant for replication-sized cases.

One round of the paper variant is a handful of numpy operations over actor
pairs, done in blocks of about ``chunk`` entries so that memory stays bounded;
a single case with many actors uses sorted prefix sums (O(n^2 log n) per round).
Small cases run in batches, one row per case: the issues of one call (and, in the
Monte Carlo module, every sample of every issue) play their rounds together, each
row still its own run, to the same bits as alone.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

import numpy as np

from detente.forecast._common import closest_actors, issue_arrays
from detente.forecast._redlines import Bounds, check_bounds, crossings, described, interval_lines
from detente.forecast.cost import check_forecast_cost, eum_estimate
from detente.forecast.results import ForecastResult, IssueForecast
from detente.forecast.weighted import weighted_mean, weighted_median

__all__ = ["expected_utility"]

VARIANTS = ("paper", "scholz-code")
STATISTICS = ("median", "mean")
#: largest n for which pairwise victory probabilities are summed over voters directly
_DIRECT_MAX_N = 48
_DEFAULT_CHUNK = 1 << 21
#: numpy adds fewer terms than this one after the other (more: pairwise)
_SEQUENTIAL_SUM = 8
#: pair-matrix entries per tile in the single large case (cache-sized)
_TILE = 1 << 15
#: expected utilities closer than this (to 0 or to each other) count as equal
_EU_EPS = 1e-12
STOP_CODES = {0: "converged", 1: "cycle", 2: "max_rounds", 3: "fixed_rounds"}


# --------------------------------------------------------------------------- probabilities


def _prob_direct(
    x: np.ndarray, w: np.ndarray, rows: slice, chunk: int = _DEFAULT_CHUNK
) -> np.ndarray:
    """P[b, i, j] that row actor ``i`` beats ``j`` (BDM 1994; SCS), summing over voters.

    ``v_k(i, j) = w_k (|x_k - x_j| - |x_k - x_i|)``; ``P = sum v+ / sum |v|``,
    and 1/2 where nobody cares (guard for a zero denominator).

    The votes ``(B, rows, n, voters)`` are summed a block of voters at a time, so that
    no temporary holds more than about ``chunk`` entries (or ``B * rows * n`` when that
    is more): memory grows as the pairs of actors, never as their cube. When all the
    voters fit in one block the sums are exactly the unblocked ones.
    """
    B, n = x.shape
    xi = x[:, rows, None, None]
    xj = x[:, None, :, None]
    r = xi.shape[1]
    step = max(1, chunk // max(1, B * r * n))
    if step >= n and n < _SEQUENTIAL_SUM:
        # a few voters: their votes are added one voter at a time, over whole (B, r, n)
        # blocks, in the order (and so to the same bits) numpy sums so few terms
        dist = np.abs(x[:, None, :] - x[:, :, None])  # dist[b, j, k] = |x_k - x_j|
        for k in range(n):
            v = dist[:, None, :, k] - dist[:, rows, k, None]
            v *= w[:, k, None, None]
            if k == 0:
                num, den = np.maximum(v, 0.0), np.abs(v, out=v)
            else:
                num += np.maximum(v, 0.0)
                den += np.abs(v, out=v)
    elif step >= n:
        dist = np.abs(x[:, None, :] - x[:, :, None])
        v = dist[:, None, :, :] - dist[:, rows, None, :]
        v *= w[:, None, None, :]
        num = np.maximum(v, 0.0).sum(axis=-1)
        den = np.abs(v, out=v).sum(axis=-1)
    else:
        num = np.zeros((B, r, n))
        den = np.zeros((B, r, n))
        for k0 in range(0, n, step):
            ks = slice(k0, min(n, k0 + step))
            xk = x[:, None, None, ks]
            v = w[:, None, None, ks] * (np.abs(xk - xj) - np.abs(xk - xi))
            num += np.maximum(v, 0.0).sum(axis=-1)
            den += np.abs(v).sum(axis=-1)
    ok = den > 0
    return np.where(ok, num / np.where(ok, den, 1.0), 0.5)


class _SortedVotes:
    r"""The victory probability for one case in O(n^2 log n), from prefix sums over sorted positions.

    With ``F(y) = sum_{x_k <= y} w_k (y - x_k)`` and ``G(y) = sum_{x_k >= y} w_k
    (x_k - y)``, the votes for the lower of two positions ``lo < hi`` (midpoint
    ``m``) sum to ``2 (F(m) - F(lo))`` and those for the upper one to
    ``2 (G(m) - G(hi))``: a voter below ``lo`` gives the full distance ``d``, one
    between ``lo`` and ``m`` gives ``2 (m - x_k)``. ``F`` increases and ``G``
    decreases, so ``F(lo) = min(F_i, F_j)`` and ``G(hi) = min(G_i, G_j)``.
    """

    def __init__(self, x: np.ndarray, w: np.ndarray):
        order = np.argsort(x, kind="stable")
        self.xs = x[order]
        # the positions come sorted on the single-case path: the tiles' midpoints then
        # grow along rows and columns
        self.sorted = bool(np.all(x[:-1] <= x[1:]))
        ws = w[order]
        self.W = np.concatenate(([0.0], np.cumsum(ws)))
        self.M = np.concatenate(([0.0], np.cumsum(ws * self.xs)))
        self.x = x
        # the sums above a point, M[-1] - M[b] and W[-1] - W[b], read off these
        self.M_up = self.M[-1] - self.M
        self.W_up = self.W[-1] - self.W
        self.F = self._F(x, np.searchsorted(self.xs, x, side="left"))
        self.G = self._G(x, np.searchsorted(self.xs, x, side="left"))

    def _F(self, y, b):
        return y * self.W[b] - self.M[b]

    def _G(self, y, b):
        return (self.M[-1] - self.M[b]) - y * (self.W[-1] - self.W[b])

    def _below(self, m: np.ndarray) -> np.ndarray:
        """The number of voters below each midpoint, ``searchsorted(xs, m, "left")``.

        When the positions are sorted, as on the single-case path, the midpoints of a
        tile lie between its first and its last, so the search runs over the voters
        between those two only (the same counts, found in fewer steps)."""
        xs = self.xs
        if not self.sorted or m.size < 2:
            return np.searchsorted(xs, m, side="left")
        lo = int(np.searchsorted(xs, m.flat[0], side="left"))
        hi = int(np.searchsorted(xs, m.flat[-1], side="left"))
        b = np.searchsorted(xs[lo:hi], m, side="left")
        if lo:
            b += lo
        return b

    def block(self, rows: slice) -> np.ndarray:
        return self.tile(rows, slice(0, self.x.size))[None]

    def tile(self, rows: slice, cols: slice) -> np.ndarray:
        """P[i, j] for ``i`` in ``rows`` and ``j`` in ``cols``."""
        x = self.x
        xi = x[rows, None]
        xj = x[None, cols]
        m = np.add(xi, xj)
        m *= 0.5
        b = self._below(m)  # voters at m vote 0 either way
        wb = self.W[b]
        n_lo = m * wb  # F(m) - min(F_i, F_j), in place
        mb = self.M[b]
        n_lo -= mb
        n_lo -= np.minimum(self.F[rows, None], self.F[None, cols])
        # W_up[b] and M_up[b] (the sums above m) are W[-1] - W[b] and M[-1] - M[b]:
        # the same subtractions, made on the gathered values
        n_hi = np.subtract(self.W[-1], wb, out=wb)
        n_hi *= m  # G(m) - min(G_i, G_j)
        np.subtract(self.M[-1], mb, out=mb)
        np.subtract(mb, n_hi, out=n_hi)
        n_hi -= np.minimum(self.G[rows, None], self.G[None, cols])
        np.maximum(n_lo, 0.0, out=n_lo)
        np.maximum(n_hi, 0.0, out=n_hi)
        den = n_lo + n_hi
        num = np.where(xi < xj, n_lo, n_hi)
        ok = den > 0
        ok &= xi != xj
        out = np.full(den.shape, 0.5)
        return np.divide(num, den, out=out, where=ok)


# --------------------------------------------------------------------------- utilities


def _power(base: np.ndarray, r) -> np.ndarray:
    if r is None:
        return base
    return np.power(np.maximum(base, 0.0), r)


def _eu(P, dd, s_target, r, q, t, g):
    """SCS §2.2: EU of challenging, with the utilities of SCS §3.

    ``dd = |x_i - x_j| / Δ``; ``g = (|x_i - μ| + |x_i - x_j|) / (4Δ)`` (only used
    when ``q < 1``); ``r`` is the challenger's risk exponent (``None`` for 1).
    """
    u_s = 2.0 - 4.0 * _power(0.5 - 0.5 * dd, r)
    u_f = 2.0 - 4.0 * _power(0.5 + 0.5 * dd, r)
    u_sq = 2.0 - 4.0 * (0.5 if r is None else np.power(0.5, r))
    eu = s_target * (P * u_s + (1.0 - P) * u_f) + (1.0 - s_target) * u_s - q * u_sq
    if q != 1.0:
        u_b = 2.0 - 4.0 * _power(0.5 - g, r)
        u_w = 2.0 - 4.0 * _power(0.5 + g, r)
        eu = eu - (1.0 - q) * (t * u_b + (1.0 - t) * u_w)
    return eu


def _risk_exponents(D: np.ndarray) -> np.ndarray:
    """SCS §5: ``R = (2D - Dmax - Dmin)/(Dmax - Dmin)``, ``r = (1-R/3)/(1+R/3)``.

    Guard: when all security levels are equal, ``R = 0`` (``r = 1``).
    """
    dmax = D.max(axis=-1, keepdims=True)
    dmin = D.min(axis=-1, keepdims=True)
    span = dmax - dmin
    ok = span > 1e-12 * np.maximum(1.0, np.abs(dmax))
    R = np.where(ok, (2.0 * D - dmax - dmin) / np.where(ok, span, 1.0), 0.0)
    return (1.0 - R / 3.0) / (1.0 + R / 3.0)


def _row_chunks(n: int, per_row: int, chunk: int):
    step = max(1, chunk // max(1, per_row))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


# --------------------------------------------------------------------------- one round


def _choose(A, Bm, xi, xj, adiff, tol, best):
    """Steps 6-7 on a block of (sender, receiver) pairs; updates ``best`` in place.

    ``best`` holds, per receiver, the smallest move so far, the sender's expected
    utility and the proposed position.
    """
    _merge(best, _offers(A, Bm, xi, xj, adiff, tol), tol)


def _offers(A, Bm, xi, xj, adiff, tol):
    """Steps 6-7 within a block of (sender, receiver) pairs: for each receiver, the
    block's best offer (its move, the sender's expected utility and the position;
    an infinite move where nobody offers)."""
    # expected utilities that differ from 0 (or from each other) only by
    # rounding count as equal, so that relabelling actors changes nothing
    # (the masks are built in place: the same comparisons, fewer temporaries)
    pos_a = A > _EU_EPS
    valid = adiff > 0
    valid &= pos_a
    conflict = Bm > _EU_EPS
    conflict &= valid
    a_minus_b = np.subtract(A, Bm)
    conflict &= a_minus_b > _EU_EPS
    neg_b = Bm < -_EU_EPS
    neg_b &= valid
    a_plus_b = np.add(A, Bm, out=a_minus_b)
    compromise = a_plus_b > _EU_EPS
    compromise &= neg_b
    capitulate = np.less(a_plus_b, -_EU_EPS, out=valid)
    capitulate &= neg_b
    offered = np.logical_or(conflict, compromise, out=conflict)
    offered |= capitulate
    # the offer: x_j + (x_i - x_j) |B| / A for a compromise, else x_i (in place); where
    # A is not positive |B| stays as it is (divided by 1)
    pos = np.abs(Bm)
    np.divide(pos, A, out=pos, where=pos_a)
    pos *= xi - xj
    pos += xj
    np.copyto(pos, xi, where=np.logical_not(compromise, out=compromise))
    move = np.subtract(pos, xj)
    np.abs(move, out=move)
    np.copyto(move, np.inf, where=np.logical_not(offered, out=offered))
    # step 7: the smallest move; ties go to the sender with the larger
    # expected utility, then to the smaller position (never to actor order)
    mmin = move.min(axis=-2, keepdims=True)
    near = (move <= mmin + tol) & np.isfinite(mmin)
    if near.sum(axis=-2).max(initial=0) > 1:  # some receiver has tied offers
        a_near = np.where(near, A, -np.inf)
        near &= a_near >= a_near.max(axis=-2, keepdims=True) - _EU_EPS
        k = np.expand_dims(np.argmin(np.where(near, pos, np.inf), axis=-2), -2)
    else:
        k = np.expand_dims(np.argmin(move, axis=-2), -2)
    mv = np.take_along_axis(move, k, axis=-2)[..., 0, :]
    av = np.take_along_axis(A, k, axis=-2)[..., 0, :]
    pv = np.take_along_axis(pos, k, axis=-2)[..., 0, :]
    return mv, av, pv


def _merge(best, offers, tol):
    """Keep, for each receiver, the better of ``best`` (updated in place) and a block's
    ``offers`` (see :func:`_offers`)."""
    best_move, best_a, new_x = best
    mv, av, pv = offers
    with np.errstate(invalid="ignore"):  # inf - inf where nobody offers
        same_move = np.abs(mv - best_move) <= tol[..., 0, :]
        same_a = np.abs(av - best_a) <= _EU_EPS
    better = np.isfinite(mv) & (
        (mv < best_move - tol[..., 0, :])
        | (same_move & (av > best_a + _EU_EPS))
        | (same_move & same_a & (pv < new_x))
    )
    best_move[...] = np.where(better, mv, best_move)
    best_a[...] = np.where(better, av, best_a)
    new_x[...] = np.where(better, pv, new_x)


def _u_exp(r: np.ndarray, log_base: np.ndarray) -> np.ndarray:
    """``2 - 4 exp(r log b)`` (SCS §3's utility ``2 - 4 b^r``), in place of a new array."""
    u = r * log_base
    np.exp(u, out=u)
    u *= 4.0
    return np.subtract(2.0, u, out=u)


def _closed_eu(us: np.ndarray, uf: np.ndarray, p_lose: np.ndarray, s_target) -> np.ndarray:
    """``u_s - s (1 - P)(u_s - u_f)`` with ``p_lose = 1 - P``, overwriting ``uf`` and
    ``p_lose`` (SCS §2.2 at Q = 1, before the status quo term)."""
    p_lose *= s_target
    np.subtract(us, uf, out=uf)
    uf *= p_lose
    return np.subtract(us, uf, out=us)


#: worker threads for the tiles of one large case (numpy releases the GIL in its loops)
_THREADS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
_pool: list = []  # [(process id, executor)]


def _tile_map(fn, pairs):
    """``map(fn, pairs)``, its results in order; the tiles are shared among a few threads
    when there are enough of them (each tile's work is the same whichever thread does
    it, and the caller combines the results in order, so the result is the same)."""
    if _THREADS < 2 or len(pairs) < 4:
        return map(fn, pairs)
    from concurrent.futures import ThreadPoolExecutor

    if not _pool or _pool[0][0] != os.getpid():  # none yet, or inherited by a fork
        _pool[:] = [(os.getpid(), ThreadPoolExecutor(_THREADS, thread_name_prefix="eum"))]
    return _pool[0][1].map(fn, pairs)


def _round_paper_large(x, c, s, delta, *, q, t, chunk):
    """One ``"paper"`` round for a single large case ``(n,)``.

    The same computation as :func:`_round_paper`, arranged for speed and bounded
    memory: actors in sorted order (the midpoint searches then run over sorted
    keys), victory probabilities from prefix sums, square tiles of the pair
    matrix of about ``chunk`` entries, each tile ``(I, J)`` with ``I <= J`` also
    serving its mirror ``(J, I)`` through ``P_ji = 1 - P_ij`` (so every pair's
    logarithms and powers are computed once), and the closed form
    ``EU = 2d (1 - 2 s_j (1 - P))`` of SCS §2.2 at ``r = 1``, ``Q = 1``.
    """
    n = x.size
    order = np.argsort(x, kind="stable")
    xs, cs, ss = x[order], c[order], s[order]
    w = cs * ss
    votes = _SortedVotes(xs, w)
    mu = float(weighted_median(xs, w))
    size = max(32, int(math.sqrt(chunk)))
    tiles = [slice(a, min(n, a + size)) for a in range(0, n, size)]
    pairs = [(ti, tj) for k, ti in enumerate(tiles) for tj in tiles[k:]]

    def g(rows: slice, cols: slice, ax: int) -> np.ndarray:  # (|x - μ| + |x_i - x_j|) / 4Δ
        own = xs[rows, None] if ax == 0 else xs[None, cols]
        return (np.abs(own - mu) + np.abs(xs[rows, None] - xs[None, cols])) / (4 * delta)

    # the victory probabilities serve both passes; kept while they take no more
    # memory than the batch path's pair matrices may
    keep = n * n <= 4 * _DEFAULT_CHUNK
    probs: dict[tuple[int, int], np.ndarray] = {}

    def prob(ti: slice, tj: slice) -> np.ndarray:
        P = probs.pop((ti.start, tj.start), None)
        if P is None:
            P = votes.tile(ti, tj)
            if keep:
                probs[ti.start, tj.start] = P
        return P

    # steps 1-5: security levels with r = 1, each tile's sums added in tile order
    def security(pair: tuple[slice, slice]) -> tuple[np.ndarray, np.ndarray | None]:
        ti, tj = pair
        P = prob(ti, tj)
        dd = np.abs(xs[ti, None] - xs[None, tj]) / delta
        if q == 1.0:
            # in place (each tile is a few hundred KB): the same operations in the same order
            dd2 = 2.0 * dd
            E = np.subtract(1.0, P)
            E *= 2.0 * ss[None, tj]
            np.subtract(1.0, E, out=E)
            E *= dd2  # EU_i(i -> j) = 2 dd (1 - 2 s_j (1 - P))
            Et = np.multiply(2.0 * ss[ti, None], P)
            np.subtract(1.0, Et, out=Et)
            Et *= dd2  # EU_j(j -> i) = 2 dd (1 - 2 s_i P)
        else:
            E = _eu(P, dd, ss[None, tj], None, q, t, g(ti, tj, 0))
            Et = _eu(1.0 - P, dd, ss[ti, None], None, q, t, g(ti, tj, 1))
        if ti == tj:
            np.fill_diagonal(E, 0.0)
            return E.sum(axis=0), None
        return E.sum(axis=0), Et.sum(axis=1)

    D = np.zeros(n)
    for (ti, tj), (to_j, to_i) in zip(pairs, _tile_map(security, pairs), strict=True):
        D[tj] += to_j
        if to_i is not None:
            D[ti] += to_i
    r = _risk_exponents(D[None])[0]
    u_sq = 2.0 - 4.0 * np.power(0.5, r)
    best = (np.full(n, np.inf), np.full(n, -np.inf), xs.copy())
    tol = np.full((1, 1), 1e-12 * delta)

    def offers(pair: tuple[slice, slice]):
        ti, tj = pair
        P = prob(ti, tj)
        xi, xj = xs[ti, None], xs[None, tj]
        adiff = np.abs(xi - xj)
        dd = adiff / delta
        ri, rj = r[ti, None], r[None, tj]
        if q == 1.0:
            half = 0.5 * dd
            ls = np.subtract(0.5, half)
            with np.errstate(divide="ignore"):
                np.log(ls, out=ls)  # log(0.5 - 0.5 dd)
            lf = np.add(0.5, half, out=half)
            np.log(lf, out=lf)  # log(0.5 + 0.5 dd)
            A = _closed_eu(_u_exp(ri, ls), _u_exp(ri, lf), np.subtract(1.0, P), ss[None, tj])
            A -= u_sq[ti, None]  # u_s - s_j (1 - P)(u_s - u_f) - u_sq, exponent r_i
            # (the tile of P is not needed after this and is overwritten)
            Bm = _closed_eu(_u_exp(rj, ls), _u_exp(rj, lf), P, ss[ti, None])
            Bm -= u_sq[None, tj]  # the same for j challenging i, exponent r_j
        else:
            A = _eu(P, dd, ss[None, tj], ri, q, t, g(ti, tj, 0))
            Bm = _eu(1.0 - P, dd, ss[ti, None], rj, q, t, g(ti, tj, 1))
        # senders ti to receivers tj, then the mirror: senders tj to receivers ti
        direct = _offers(A, Bm, xi, xj, adiff, tol)
        mirror = None if ti == tj else _offers(Bm.T, A.T, xj.T, xi.T, adiff.T, tol)
        return direct, mirror

    # each tile's offers merged in tile order, as one tile after the other would
    for (ti, tj), (direct, mirror) in zip(pairs, _tile_map(offers, pairs), strict=True):
        _merge(tuple(b[tj] for b in best), direct, tol)
        if mirror is not None:
            _merge(tuple(b[ti] for b in best), mirror, tol)
    out = np.empty(n)
    out[order] = best[2]
    return out


def _round_paper(x, c, s, delta, *, q, t, chunk):
    """One round of the ``"paper"`` variant on a batch ``(B, n)``; returns new positions."""
    B, n = x.shape
    if B == 1 and n > _DIRECT_MAX_N:
        tile = min(chunk, _TILE)
        return _round_paper_large(x[0], c[0], s[0], delta[0], q=q, t=t, chunk=tile)[None]
    # cases per slice: each slice holds about ``chunk`` entries of (case, i, j, voter);
    # a fixed slice size keeps every case's sums in the same order however many cases
    # run together (Monte Carlo results do not depend on how samples are batched)
    per = max(1, chunk // n**3)
    if per < B:
        return np.concatenate(
            [
                _round_paper(
                    x[a : a + per],
                    c[a : a + per],
                    s[a : a + per],
                    delta[a : a + per],
                    q=q,
                    t=t,
                    chunk=chunk,
                )
                for a in range(0, B, per)
            ]
        )
    w = c * s
    dl = delta[:, None, None]
    mu = np.asarray(weighted_median(x, w)).reshape(B, 1, 1)
    blocks = list(_row_chunks(n, per * n * n, chunk))
    cache: dict[int, np.ndarray] = {}
    cacheable = B * n * n <= 4 * _DEFAULT_CHUNK

    def prob(rows: slice) -> np.ndarray:
        if rows.start in cache:
            return cache[rows.start]
        P = _prob_direct(x, w, rows, chunk)
        if cacheable:
            cache[rows.start] = P
        return P

    # steps 1-5: security levels with r = 1, D_j = sum_{i != j} EU_i(i -> j)
    D = np.zeros((B, n))
    for rows in blocks:
        P = prob(rows)
        xi = x[:, rows, None]
        adiff = np.abs(xi - x[:, None, :])
        g = (np.abs(xi - mu) + adiff) / (4.0 * dl)
        E = _eu(P, adiff / dl, s[:, None, :], None, q, t, g)
        idx = np.arange(rows.start, rows.stop)
        E[:, idx - rows.start, idx] = 0.0
        D += E.sum(axis=1)
    r = _risk_exponents(D)

    # steps 2-7 with risk exponents: sender i (rows), receiver j (columns)
    best = (np.full((B, n), np.inf), np.full((B, n), -np.inf), x.copy())
    tol = 1e-12 * dl
    for rows in blocks:
        P = prob(rows)
        xi = x[:, rows, None]
        xj = x[:, None, :]
        adiff = np.abs(xi - xj)
        dd = adiff / dl
        A = _eu(P, dd, s[:, None, :], r[:, rows, None], q, t, (np.abs(xi - mu) + adiff) / (4 * dl))
        Bm = _eu(
            1.0 - P,
            dd,
            s[:, rows, None],
            r[:, None, :],
            q,
            t,
            (np.abs(xj - mu) + adiff) / (4 * dl),
        )
        _choose(A, Bm, xi, xj, adiff, tol, best)
    return best[2]


def _scholz_prob(x, w, r, delta):
    """Victory probability of the replication code: P[b, a, c] that ``a`` beats ``c``.

    Each voter raises its distances to its own exponent, and the denominator sums
    ``|vote|`` over all voters and *all* ordered pairs of actors; ``P = 0`` between
    equal positions (jmckib ``BDMScholzModel.probability``).
    """
    B, n = x.shape
    # g[b, k, a] = (|x_k - x_a| / Δ) ** r_k
    g = np.power(np.abs(x[:, :, None] - x[:, None, :]) / delta[:, None, None], r[:, :, None])
    gs = np.sort(g, axis=-1)
    coef = 2.0 * np.arange(n) - n + 1.0
    den = 2.0 * (w * (gs * coef).sum(axis=-1)).sum(axis=-1)  # (B,)
    # num[b, a, c] = sum_k w_k max(0, g[k, c] - g[k, a])
    num = np.zeros((B, n, n))
    for rows in _row_chunks(n, B * n * n, _DEFAULT_CHUNK):
        diff = g[:, :, None, :] - g[:, :, rows, None]  # (B, k, a, c)
        num[:, rows, :] = np.einsum("bk,bkac->bac", w, np.maximum(diff, 0.0))
    ok = den > 0
    P = num / np.where(ok, den, 1.0)[:, None, None]
    P = np.where(ok[:, None, None], P, 0.0)
    same = x[:, :, None] == x[:, None, :]
    return np.where(same, 0.0, P)


def _round_scholz(x, c, s, delta, *, q, t, chunk):
    """One round of the ``"scholz-code"`` variant (see the module docstring)."""
    del t, chunk  # the replication code has no T term; n^3 work, not chunked
    B, n = x.shape
    w = c * s
    dl = delta[:, None, None]
    dd = np.abs(x[:, :, None] - x[:, None, :]) / dl  # symmetric

    def eu(P_ab, s_b, r):  # EU of a challenging b, seen with exponent r
        u_s = 2.0 - 4.0 * np.power(0.5 - 0.5 * dd, r)
        u_f = 2.0 - 4.0 * np.power(0.5 + 0.5 * dd, r)
        u_sq = 2.0 - 4.0 * np.power(0.5, r)
        return s_b * (P_ab * u_s + (1.0 - P_ab) * u_f) + (1.0 - s_b) * u_s - q * u_sq

    ones = np.ones((B, n))
    P1 = _scholz_prob(x, w, ones, delta)
    # danger level of i: sum over others o of EU(o -> i) seen by i (all r = 1)
    E1 = eu(P1, s[:, None, :], 1.0)  # [o, i]
    idx = np.arange(n)
    E1[:, idx, idx] = 0.0
    r = _risk_exponents(E1.sum(axis=1))
    P = _scholz_prob(x, w, r, delta)
    rj = r[:, None, :]
    # matrices indexed [sender i, receiver j], judged by the receiver with r_j
    eu_send = eu(P, s[:, None, :], rj)  # EU(i -> j)
    eu_recv = eu(np.swapaxes(P, 1, 2), s[:, :, None], rj)  # EU(j -> i)
    xi = x[:, :, None]
    xj = x[:, None, :]
    valid = xi != xj
    conf = valid & (eu_send > eu_recv) & (eu_recv > 0)
    comp = valid & (eu_send > 0) & (eu_recv < 0) & (eu_send > np.abs(eu_recv))
    safe = np.where(comp, eu_send, 1.0)
    comp_pos = xj + (xi - xj) * np.abs(eu_recv / safe)
    conf_key = np.where(conf, np.abs(xi - xj), np.inf)
    wsum = np.abs(eu_recv) + np.abs(eu_send)
    comp_key = np.where(
        comp, (np.abs(eu_recv) * xj + np.abs(eu_send) * xi) / np.where(comp, wsum, 1.0), np.inf
    )
    k_conf = np.argmin(conf_key, axis=1)
    k_comp = np.argmin(comp_key, axis=1)
    any_conf = conf.any(axis=1)
    any_comp = comp.any(axis=1)
    pos_conf = np.take_along_axis(x, k_conf, axis=1)
    pos_comp = np.take_along_axis(comp_pos, k_comp[:, None, :], axis=1)[:, 0, :]
    return np.where(any_conf, pos_conf, np.where(any_comp, pos_comp, x))


# --------------------------------------------------------------------------- the run


def run_eum_batch(
    x0: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    *,
    variant: str = "paper",
    q: float = 1.0,
    t: float = 1.0,
    tol: float = 1e-3,
    max_rounds: int = 100,
    rounds: int | None = None,
    chunk: int | None = None,
    bounds: Bounds | None = None,
):
    """Run the EUM on a batch of cases ``(B, n)`` until each one stops.

    ``bounds``, if given, are the red-line intervals ``(at_least, at_most)``, each
    ``(B, n)`` with ``-inf`` and ``inf`` for open sides: after each round's update
    (step 8), every position is clipped to its interval (step 9), before the
    stopping rule looks at the moves. Δ is the range of the starting positions,
    widened, if some start lies beyond its own red line, to the line it is moved to.

    Returns
    -------
    history : list of ndarray
        ``history[t]`` is the ``(B, n)`` state after round ``t`` (cases that
        stopped keep their last state); only the first and last entries are
        kept when ``keep_history`` is false.
    stopped : ndarray of int, shape (B,)
        Codes of :data:`STOP_CODES`.
    n_rounds : ndarray of int
        Rounds played by each case.
    cycle : ndarray of int
        Cycle period (0 when no cycle).
    final : ndarray, shape (B, n)
        Final positions, averaged over the cycle when there is one.
    """
    step = {"paper": _round_paper, "scholz-code": _round_scholz}[variant]
    chunk = chunk or _DEFAULT_CHUNK
    x0 = np.asarray(x0, dtype=float)
    B, _n = x0.shape
    delta = x0.max(axis=1) - x0.min(axis=1)
    if bounds is not None:
        # A start beyond its own red line is moved to the line in round 1, which may lie
        # outside the others' range; Δ spans both, so that no distance exceeds Δ (moves
        # stay within that span). With every start inside its red line, Δ is unchanged.
        start = np.minimum(np.maximum(x0, bounds[0]), bounds[1])
        delta = np.maximum(x0.max(axis=1), start.max(axis=1)) - np.minimum(
            x0.min(axis=1), start.min(axis=1)
        )
    limit = rounds if rounds is not None else max_rounds
    stopped = np.full(B, -1)
    n_rounds = np.zeros(B, dtype=int)
    cycle = np.zeros(B, dtype=int)
    # consensus: nothing to bargain about
    consensus = delta <= 0
    stopped[consensus] = 0
    # the states after rounds 0, 1, ...; a case that stopped keeps its last state
    states = np.empty((min(limit + 1, 32), *x0.shape))
    states[0] = x0
    x = states[0]
    eps = tol * np.where(delta > 0, delta, 1.0)
    played = 0
    for it in range(1, limit + 1):
        active = np.nonzero(stopped < 0)[0]
        if active.size == 0:
            break
        played = it
        if it == len(states):
            grown = np.empty((min(limit + 1, 2 * it), *x0.shape))
            grown[:it] = states
            states, x = grown, grown[it - 1]
        new = states[it]
        new[...] = x
        if active.size == B:
            moves = step(x, c, s, delta, q=q, t=t, chunk=chunk)
            if bounds is not None:
                # step 9: nobody ends a round past its own red line
                moves = np.minimum(np.maximum(moves, bounds[0]), bounds[1])
            new[...] = moves
        else:
            moves = step(x[active], c[active], s[active], delta[active], q=q, t=t, chunk=chunk)
            if bounds is not None:
                moves = np.minimum(np.maximum(moves, bounds[0][active]), bounds[1][active])
            new[active] = moves
        n_rounds[active] = it
        if rounds is None:
            moved = np.abs(new[active] - x[active]).max(axis=1)
            conv = moved <= eps[active]
            stopped[active[conv]] = 0
            rest = active[~conv]
            if rest.size and it >= 2:
                # cycle: the new state repeats an earlier one (period >= 2); the
                # earlier states, most recent first, are periods 2, 3, ..., it. First
                # the position of the actor that moved most this round, then whole
                # states where it matches.
                k = np.argmax(np.abs(new[rest] - x[rest]), axis=1)
                hit = np.abs(new[rest, k] - states[it - 2 :: -1, rest, k]) <= eps[rest]
                back, col = np.nonzero(hit)
                if back.size:
                    rows = rest[col]
                    prev = states[it - 2 - back, rows]
                    hit[back, col] = np.abs(new[rows] - prev).max(axis=1) <= eps[rows]
                found = hit.any(axis=0)
                stopped[rest[found]] = 1
                cycle[rest[found]] = 2 + np.argmax(hit, axis=0)[found]
        x = new
    hist = list(states[: played + 1])
    stopped[stopped < 0] = 3 if rounds is not None else 2
    final = x.copy()
    for b in np.nonzero(cycle)[0]:
        k, last = cycle[b], n_rounds[b]
        final[b] = np.mean([hist[last - j][b] for j in range(k)], axis=0)
    return hist, stopped, n_rounds, cycle, final


def eum_forecast_batch(
    x0, c, s, *, statistic: str = "median", **kwargs
) -> tuple[np.ndarray, np.ndarray]:
    """Forecasts ``(B,)`` and stop codes for a batch of one-issue cases.

    With a cycle the forecast averages the statistic over the cycle's states.
    ``kwargs`` go to :func:`run_eum_batch` (``bounds`` among them).
    """
    hist, stopped, n_rounds, cycle, _final = run_eum_batch(x0, c, s, **kwargs)
    w = c * s
    fc = _statistic(hist[-1], w, statistic).astype(float)
    for b in np.nonzero(cycle)[0]:
        k, last = cycle[b], n_rounds[b]
        fc[b] = np.mean([_statistic(hist[last - j][b], w[b], statistic) for j in range(k)])
    return fc, stopped


def _statistic(x: np.ndarray, w: np.ndarray, statistic: str) -> np.ndarray:
    if statistic == "mean":
        return np.asarray(weighted_mean(x, w))
    return np.asarray(weighted_median(x, w))


def expected_utility(
    actors: Sequence[str],
    capability,
    position,
    salience,
    *,
    scale: tuple[float, float] = (0.0, 100.0),
    issues: Sequence[str] | None = None,
    variant: str = "paper",
    q: float = 1.0,
    t: float = 1.0,
    statistic: str = "median",
    tol: float = 1e-3,
    max_rounds: int = 100,
    rounds: int | None = None,
    chunk: int | None = None,
    bounds=None,
) -> ForecastResult:
    r"""Forecast an issue with Bueno de Mesquita's expected utility model.

    Parameters
    ----------
    actors : sequence of str
        Actor names, ``n >= 2``.
    capability : array_like, shape (n,)
        Capabilities, ``> 0`` (any unit; only ratios matter).
    position : array_like, shape (n,) or (n, D)
        Positions on the issue scale; with ``D`` columns every issue is forecast
        on its own (the EUM is one-dimensional).
    salience : array_like, same shape as ``position``
        Saliences in [0, 1]; ``s_j`` is also the probability that ``j`` resists
        a challenge (SCS §2.2).
    scale : (float, float), keyword-only
        The issue scale; positions must lie on it.
    issues : sequence of str, optional
        Issue names (default ``issue`` or ``issue0``, ``issue1``, ...).
    variant : {"paper", "scholz-code"}
        ``"paper"`` follows SCS's text; ``"scholz-code"`` reproduces the
        replication program that follows Scholz's own code (module docstring).
    q, t : float
        SCS §2.2's Q (probability that the status quo persists if no challenge
        is made) and T (probability that things improve). Default ``Q = 1``, under
        which T and the median μ drop out, as in every replication. With
        ``Q < 1``, μ is the c·s-weighted median of the round's positions.
    statistic : {"median", "mean"}
        Which summary of the final positions is the forecast: the c·s-weighted
        median (the median voter, BDM's forecast; default) or the weighted mean.
    tol : float
        Converged when no position moves by more than ``tol · Δ``, where ``Δ`` is
        the range of the initial positions. A state that repeats an earlier one
        within the same tolerance is a cycle; the forecast is then the average of
        the statistic over the cycle.
    max_rounds : int
        Cap on the number of rounds (default 100).
    rounds : int, optional
        Play exactly this many rounds (no stopping rule), e.g. 10 as in SCS.
    chunk : int, optional
        Rough number of floats per pairwise temporary (memory bound).
    bounds : (at_least, at_most), optional
        Red lines: each side array_like of the positions' shape (or one value
        per actor), NaN or None where a side is open, on the scale. After each
        round's update every actor is clipped to its interval (step 9 of the
        module docstring), so that no actor ends a round past its own red line;
        a starting position outside it is moved to the line in the first round.
        Without bounds (or with every side open) the run is exactly the model's.

    Returns
    -------
    ForecastResult
        ``method="eum"``; one :class:`IssueForecast` per issue, whose
        ``red_lines`` and ``crosses_red_lines`` say which red lines the run kept
        and which the forecast crosses.

    Raises
    ------
    CaseError
        Invalid inputs (each problem names the array and index).
    CaseTooLargeError
        The run's estimated time or memory (:func:`~detente.forecast.cost.eum_estimate`,
        for up to ``rounds`` or ``max_rounds`` rounds) exceeds ``DETENTE_MAX_SECONDS`` or
        ``DETENTE_MAX_MEMORY``; checked before the first round.

    References
    ----------
    Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011). Unravelling Bueno De
    Mesquita's group decision model. *J. Theoretical Politics* 23(4), 510ff.
    Bueno de Mesquita, B. (1994). Political forecasting: an expected utility
    method. In Bueno de Mesquita and Stokman (eds.), *European Community
    Decision Making*, Yale University Press.

    Examples
    --------
    >>> res = expected_utility(["a", "b", "c"], [1, 1, 1], [0, 50, 100], [1, 1, 1])
    >>> res.issues[0].forecast
    50.0
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, got {statistic!r}")
    chk, X, S, names, _ = issue_arrays(
        actors, capability, position, salience, scale=scale, issues=issues
    )
    D = X.shape[1]
    turns = rounds if rounds is not None else max_rounds
    check_forecast_cost(
        f"the expected utility model of {X.shape[0]:,} actors"
        + (f" on {D} issues" if D > 1 else "")
        + f" over up to {turns:,} rounds",
        lambda k: eum_estimate(
            k, D, variant=variant, rounds=rounds, max_rounds=max_rounds, chunk=chunk
        ),
        X.shape[0],
        hint="or play fewer rounds",
    )
    bnd = check_bounds(bounds, chk.position.shape, chk.scale)
    low, high = (
        (np.full(X.shape, -np.inf), np.full(X.shape, np.inf))
        if bnd is None
        else (bnd[0].reshape(X.shape), bnd[1].reshape(X.shape))
    )
    params = {
        "variant": variant,
        "q": q,
        "t": t,
        "statistic": statistic,
        "tol": tol,
        "max_rounds": max_rounds,
        "rounds": rounds,
        "scale": list(chk.scale),
    }
    if bnd is not None:
        params["bounds"] = {"at_least": bnd[0].tolist(), "at_most": bnd[1].tolist()}
    lines = [interval_lines(low[:, d], high[:, d]) for d in range(D)]
    n = X.shape[0]
    # the issues run as one batch (one row each) while every round of the batch
    # stays a direct computation; many actors take the single-case path issue by issue
    together = D > 1 and n <= _DIRECT_MAX_N
    runs = [slice(0, D)] if together else [slice(d, d + 1) for d in range(D)]
    played = []
    for rows in runs:
        bounded = any(any(lines[d]) for d in range(rows.start, rows.stop))
        hist, stopped, n_rounds, cycle, final = run_eum_batch(
            X.T[rows],
            np.broadcast_to(chk.capability, (rows.stop - rows.start, n)),
            S.T[rows],
            variant=variant,
            q=q,
            t=t,
            tol=tol,
            max_rounds=max_rounds,
            rounds=rounds,
            chunk=chunk,
            bounds=(low.T[rows], high.T[rows]) if bounded else None,
        )
        for b in range(rows.stop - rows.start):
            last = int(n_rounds[b])
            played.append(
                ([h[b] for h in hist[: last + 1]], int(stopped[b]), int(cycle[b]), final[b])
            )
    out = []
    for d in range(D):
        states, stop_code, k, final_d = played[d]
        w = chk.capability * S[:, d]
        means = [float(weighted_mean(h, w)) for h in states]
        medians = [float(weighted_median(h, w)) for h in states]
        if k:
            tail = states[-k:]
            fc = float(np.mean([_statistic(h, w, statistic) for h in tail]))
        else:
            fc = float(_statistic(states[-1], w, statistic))
        out.append(
            IssueForecast(
                issue=names[d],
                rounds=tuple(
                    {a: float(v) for a, v in zip(chk.actors, h, strict=True)} for h in states
                ),
                forecast=fc,
                baselines={"mean": means[0], "median": medians[0]},
                stopped=STOP_CODES[stop_code],
                closest=closest_actors(chk.actors, final_d, fc, scale=chk.scale),
                cycle_length=k or None,
                by_round={"mean": tuple(means), "median": tuple(medians)},
                extra={"final_average": [float(v) for v in final_d]} if k else {},
                red_lines=described(chk.actors, lines[d]),
                crosses_red_lines=crossings(chk.actors, fc, lines[d]),
            )
        )
    return ForecastResult("eum", params, chk.actors, tuple(out))
