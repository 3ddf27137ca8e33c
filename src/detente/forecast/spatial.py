"""KTAB's spatial model of politics (SMP), one issue or several jointly.

An independent numpy implementation of the Spatial Model of Politics of the
KAPSARC Toolkit for Behavioral Analysis (KTAB, github.com/KAPSARC/KTAB, MIT),
following the description in ``research/forecast/models.md`` §3.3, whose step
numbers the code uses. Positions and saliences are rescaled to [0, 1] as KTAB
does. With KTAB's defaults it reproduces ``smpc`` turn by turn, stopping turn
and winning probabilities included (tests/forecast/test_reference_ktab.py).
One turn:

1. ideals equal current positions (the identity accommodation matrix;
   ``accommodation`` makes them lag behind or lean toward others' positions);
2. weighted-Euclidean distances and utilities ``u(d, R) = (1 - d)(1 + d R)``;
3. risk attitudes ``R`` from a probabilistic Condorcet election (PCE) over all
   actors' positions (repeated ones included) with risk-neutral utilities;
4. every actor ``i`` evaluates challenging every ``j``, with principals and
   semi-committed third parties forming coalitions (``probEduChlg``);
5. ``i`` targets the ``j`` with the largest expected gain, if above 1e-5;
6. the bargain interpolates both positions with salience and probability
   weights (S2P2), rounded to 4 decimals;
7. each actor's queue (status quo, own bargain, bargains aimed at it) is
   resolved by a capability-weighted PCE; the most probable entry wins
   (deterministic transitions); all actors move at once;
8. stop when the total movement falls below 2 % of the first turn's (KTAB's
   rule), or at 100 turns. Unlike KTAB, a deterministic run without an
   accommodation matrix also stops when the positions repeat those of an
   earlier turn exactly (a cycle): the forecast and the final positions are
   then averaged over the cycle's states (KTAB would run on to turn 100).

Red lines (not in KTAB) come between steps 7 and 8: in :func:`run_smp_batch`,
right after the turn's moves (step 7) and before the ideals follow the positions
(accommodation) and before the stopping rule measures the movement, each actor
with a red line is clipped to its interval ``[at_least, at_most]`` on every
issue, so that no actor ends a turn past its own red line. Bargains inside the
turn are not clipped: a party may still vote for a bargain beyond another's red
line, but the party whose red line it crosses does not go there. Vetoed single
levels are not enforced (see :mod:`detente.forecast._redlines`). Without red
lines nothing is clipped and the run is exactly KTAB's.

Every other KTAB parameter is a keyword of :func:`spatial_model` (voting
rules, victory laws, Markov PCEs, bargain interpolations and models,
third-party commitment, stochastic transitions, ideal adjustment); all but the
stochastic transitions and the asymmetric prospect rule are checked against
``smpc`` turn by turn (tests/forecast/test_spatial_variants.py).

The forecast is the probability-weighted position of the final state's PCE over
its distinct positions (positions closer than 1e-3 of the scale count as one,
grouped greedily in actor order, as KTAB does), computed with each actor's own
utilities (KTAB's "winning probabilities"); the most probable position is
reported as well.

Every array carries a leading batch axis so that many cases run together (the
Monte Carlo module relies on this).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.errors import CaseError, Problem
from detente.forecast._common import closest_actors, issue_arrays
from detente.forecast._redlines import Bounds, check_bounds, crossings, described, interval_lines
from detente.forecast.cost import check_forecast_cost, smp_estimate
from detente.forecast.results import ForecastResult, IssueForecast
from detente.forecast.smp_settings import (
    BARGAIN,
    BARGAIN_MODEL,
    BIG_R_ADJUST,
    BIG_R_RANGE,
    PCE,
    SETTINGS,
    THIRD_PARTY,
    TRANSITIONS,
    VICTORY,
    VOTING,
)
from detente.forecast.weighted import weighted_mean, weighted_median

__all__ = ["SETTINGS", "spatial_model"]

_CHUNK = 1 << 21
#: numpy adds fewer terms than this one after the other (more: pairwise)
_SEQUENTIAL_SUM = 8


def _vote(w, du, rule: str):
    """A voter's weight times its response to a utility difference (KTAB's
    ``Model::vote``); the binary response is ``du / 1e-8`` clipped to [-1, 1]."""
    if rule == "proportional":
        return w * du
    if rule == "asym-prospect":
        return np.where(du > 0, (2.0 * w * du) / 3.0, w * du)
    if rule == "cubic":
        return w * (du * du * du)
    b = np.clip(du / 1e-8, -1.0, 1.0)
    if rule == "binary":
        return w * b
    if rule == "prop-bin":
        return w * (0.8 * du + 0.2 * b)
    return w * (0.5 * du + 0.5 * (du * du * du))  # prop-cubic


def _vprob(cij, cji, k: int):
    """Victory probability from coalition strengths (KTAB's VictoryProbModel):
    ``C^k / (C^k + C'^k)``, or for ``k == 0`` (Binary) a certain win at a 10 %
    advantage, linearly interpolated below it."""
    if k == 1:
        return cij / (cij + cji)
    if k == 0:
        thresh = 1.10
        r = cij / (cij + cji)
        p = (r * (thresh + 1.0) - 1.0) / (thresh - 1.0)
        hi, lo = cij >= thresh * cji, cji >= thresh * cij
        x1 = np.where(hi, 1.0, np.where(lo, 1e-6, p))
        x2 = np.where(hi, 1e-6, np.where(lo, 1.0, 1.0 - p))
        return x1 / (x1 + x2)
    a = cij**k
    return a / (a + cji**k)


def _u(d, R):
    """KTAB's utility of a distance ``d`` in [0, 1] with risk attitude ``R``."""
    return (1.0 - d) * (1.0 + d * R)


def _blocks(n: int, per_row: int, chunk: int = _CHUNK):
    """Slices of ``range(n)`` of about ``chunk // per_row`` rows each (at least one)."""
    step = max(1, chunk // max(1, per_row))
    return [slice(a, min(n, a + step)) for a in range(0, n, step)]


def _dist(X, sig, Y, chunk: int = _CHUNK):
    """d[b, a, p]: salience-weighted Euclidean distance from a's ideal to point p.

    The differences ``(B, a, p, D)`` are formed a block of actors ``a`` at a time,
    so that no temporary holds much more than ``chunk`` entries; every entry is
    computed as it would be at once."""
    s2 = sig**2
    tot = s2.sum(axis=-1)  # (B, n)
    B, n, D = X.shape
    num = np.empty((B, n, Y.shape[1]))
    for rows in _blocks(n, B * Y.shape[1] * D, chunk):
        diff = X[:, rows, None, :] - Y[:, None, :, :]
        num[:, rows] = (s2[:, rows, None, :] * diff**2).sum(axis=-1)
    ok = tot > 0
    return np.sqrt(num / np.where(ok, tot, 1.0)[:, :, None]) * ok[:, :, None]


def _near(X, tol: float, chunk: int = _CHUNK):
    """eq[b, i, j]: positions i and j within Euclidean distance ``tol`` (by blocks of i)."""
    B, n, D = X.shape
    eq = np.empty((B, n, n), dtype=bool)
    for rows in _blocks(n, B * n * D, chunk):
        eq[:, rows] = np.sqrt(((X[:, rows, None, :] - X[:, None, :, :]) ** 2).sum(axis=-1)) < tol
    return eq


def _distinct(X, tol: float = 1e-3):
    """Unique positions, KTAB's way: greedily, in actor order, an actor within
    Euclidean distance ``tol`` (on the [0, 1] scale, KTAB's ``posTol``) of an
    earlier unique position shares it. Returns the mask of unique positions and
    each actor's representative."""
    B, n, _D = X.shape
    eq = _near(X, tol)
    first = np.zeros((B, n), dtype=bool)
    rep = np.zeros((B, n), dtype=int)
    for i in range(n):
        cand = first[:, :i] & eq[:, i, :i]
        found = cand.any(axis=1)
        rep[:, i] = np.where(found, np.argmax(cand, axis=1) if i else 0, i)
        first[:, i] = ~found
    return first, rep


def _coalitions(U, c, rule, chunk: int = _CHUNK):
    """C[b, i, j] = 1e-8 + the positive votes for option i over j (``Model::coalitions``).

    ``U[b, voter, option]``, weights ``c[b, voter]``. KTAB forms each pair once,
    from ``vote(u_i - u_j)`` with ``i > j``: for the asymmetric prospect rule,
    gains count 2/3 for the later option and fully for the earlier one.

    The votes ``(B, voter, i, j)`` are formed a block of options ``i`` at a time, so
    that memory grows as voters times options, not as their cube; each sum over the
    voters is the one numpy makes over the whole array.
    """
    B, n_voters, n_opt = U.shape
    V = np.empty((B, n_opt, n_opt))
    Vn = np.empty((B, n_opt, n_opt)) if rule == "asym-prospect" else None
    for rows in _blocks(n_opt, B * n_voters * n_opt, chunk):
        du = U[:, :, rows, None] - U[:, :, None, :]  # (B, v, i, j)
        v = _vote(c[:, :, None, None], du, rule)
        V[:, rows] = np.maximum(v, 0.0).sum(axis=1)
        if Vn is not None:
            Vn[:, rows] = np.maximum(-v, 0.0).sum(axis=1)
    if Vn is not None:
        V = np.where(np.tri(n_opt, k=-1, dtype=bool), V, np.swapaxes(Vn, 1, 2))
    return 1e-8 + V


def _markov(C, P, mask, model):
    """KTAB's Markov PCEs over the options in ``mask`` (B', O), each stopped
    separately when the largest change falls to the tolerance (1e-8 for
    MarkovIncentive, 1e-6 for MarkovUniform)."""
    m = mask.sum(axis=-1, keepdims=True).astype(float)
    mm = mask[:, :, None] & mask[:, None, :]
    Pm = np.where(mm, P, 0.0)
    p = mask / m
    if model == "markov-uniform":
        tol = 1e-6
    else:
        tol = 1e-8
        n_opt = C.shape[-1]
        inc = C * P + np.where(np.eye(n_opt, dtype=bool), 1e-10, 0.0)
        inc = np.where(mm, inc, 0.0)
        tot = inc.sum(axis=1, keepdims=True)  # over challengers k, per defender j
        chlg = inc / np.where(tot > 0, tot, 1.0)
        chlg_t = np.swapaxes(chlg, 1, 2)
    active = np.ones(p.shape[0], dtype=bool)
    for _ in range(1000):
        if model == "markov-uniform":
            q = (Pm * (p[:, :, None] + p[:, None, :])).sum(axis=-1) / m
        else:
            ct = p[:, :, None] * chlg_t  # ct[i, j] = p_i * chlg[j, i]
            q = (Pm * (ct + np.swapaxes(ct, 1, 2))).sum(axis=-1)
        change = np.abs(q - p).max(axis=-1)
        p = np.where(active[:, None], (p + q) / 2.0, p)
        active &= change > tol
        if not active.any():
            break
    return p


def _pce(U, c, first, opts):
    """PCE over the options marked in ``first``: conditional (p_i ∝ prod_j
    P(i > j)) or one of KTAB's Markov chains.

    ``U[b, voter, position]``; votes ``vote(c_v, U_vi - U_vj)``; coalitions
    ``1e-8 + sum of positive votes``. Returns probabilities per actor position
    (zero on repeated positions).
    """
    C = _coalitions(U, c, opts["voting"], opts["chunk"])
    P = _vprob(C, np.swapaxes(C, 1, 2), opts["k"])
    if opts["pce"] != "conditional":
        n = U.shape[-1]
        P = np.where(np.eye(n, dtype=bool), 0.5, P)
        return _markov(C, P, first, opts["pce"])
    n = U.shape[-1]
    logP = np.log(np.maximum(P, 1e-300))
    mask = first[:, None, :] & ~np.eye(n, dtype=bool)[None]
    L = np.where(mask, logP, 0.0).sum(axis=-1)
    L = np.where(first, L, -np.inf)
    L = L - L.max(axis=-1, keepdims=True)
    p = np.exp(L)
    return p / p.sum(axis=-1, keepdims=True)


def _big_r(pa, first, rng_mode):
    """Risk attitude from each actor's position probability (step 3, BigRRange)."""
    pm = np.where(first, pa, -np.inf).max(axis=-1, keepdims=True)
    pn = np.where(first, pa, np.inf).min(axis=-1, keepdims=True)
    span = pm - pn
    ok = span > 1e-12
    sp = np.where(ok, span, 1.0)
    if rng_mode == "mid":
        R = (3 * pa - pm - 2 * pn) / (2 * sp)
    elif rng_mode == "min":
        R = (pa - pn) / sp
    else:
        R = (2 * pa - pm - pn) / sp
    return np.where(ok, R, 0.0)


def _risk(X, sig, c, opts, ideal=None):
    """Step 3: risk attitudes from a risk-neutral PCE over *every* actor's position.

    KTAB (``SMPState::setAllAUtil``) runs this election over all ``n`` positions,
    repeated ones included, unlike the forecast's election over distinct
    positions (``pDist``); checked against ``smpc`` turn by turn. Distances run
    from the ideals (the positions unless an accommodation matrix is given).
    """
    Dm = _dist(X if ideal is None else ideal, sig, X)
    every = np.ones(X.shape[:2], dtype=bool)
    p = _pce(1.0 - Dm, c, every, opts)
    return Dm, p, _big_r(p, every, opts["big_r_range"])


def _contest(U_ii, U_ij, U_ji, U_jj, Umi, Umj, Umm, wi, wj, wm, third, opts):
    """h's estimate of P(i beats j) (``probEduChlg``): the principals open the
    coalitions, each third party m (marked in ``third``) joins after looking
    at the three-actor contest. The trailing axis of ``Um*``, ``wm`` and
    ``third`` runs over m. KTAB uses the linear ratio here whatever the
    VictoryProbModel."""
    rule = opts["voting"]
    vi = _vote(wi, U_ii - U_ij, rule)
    vj = _vote(wj, U_ji - U_jj, rule)
    # with the identity accommodation vi >= 0 >= vj; in general either side
    cij0 = 1e-10 + np.maximum(vi, 0.0) + np.maximum(vj, 0.0)
    cji0 = 1e-10 + np.maximum(-vi, 0.0) + np.maximum(-vj, 0.0)
    n_third = np.shape(third)[-1]
    if n_third < _SEQUENTIAL_SUM:
        # a few third parties: one at a time over whole blocks, their votes added in
        # the order (and so to the same bits) numpy sums so few terms
        for m in range(n_third):
            pos, neg = _third_party(
                cij0, cji0, Umi[..., m], Umj[..., m], Umm[..., m], wm[..., m], opts
            )
            keep = third[..., m]
            if m == 0:
                cij_m = np.where(keep, pos, 0.0)
                cji_m = np.where(keep, neg, 0.0)
            else:
                cij_m += np.where(keep, pos, 0.0)
                cji_m += np.where(keep, neg, 0.0)
        cij = cij0 + cij_m
        cji = cji0 + cji_m
        return cij / (cij + cji)
    v = _vote(wm, Umi - Umj, rule)
    vp = np.maximum(v, 0.0)
    vn = np.maximum(-v, 0.0)
    a0 = cij0[..., None] + vp
    pin = a0 / (a0 + cji0[..., None] + vn)
    if opts["third_party"] == "semi":
        ev1 = pin * (2 * Umi + Umm) + (1 - pin) * 3 * Umj
        ev2 = pin * 3 * Umi + (1 - pin) * (2 * Umj + Umm)
        tv = _vote(wm, ev1 - ev2, rule)
    else:
        # full and no commitment value both coalitions alike: no third-party vote
        tv = np.zeros_like(v)
    cij = cij0 + np.where(third, np.maximum(tv, 0.0), 0.0).sum(axis=-1)
    cji = cji0 + np.where(third, np.maximum(-tv, 0.0), 0.0).sum(axis=-1)
    return cij / (cij + cji)


def _third_party(cij0, cji0, Umi, Umj, Umm, wm, opts):
    """One third party's votes for i and for j in :func:`_contest` (the same arithmetic,
    for one ``m``): its positive and negative parts."""
    rule = opts["voting"]
    if opts["third_party"] != "semi":
        zero = np.zeros(np.broadcast_shapes(cij0.shape, np.shape(Umi), np.shape(Umj)))
        return zero, zero
    v = _vote(wm, Umi - Umj, rule)
    a0 = cij0 + np.maximum(v, 0.0)
    pin = a0 / (a0 + cji0 + np.maximum(-v, 0.0))
    ev1 = pin * (2 * Umi + Umm) + (1 - pin) * 3 * Umj
    ev2 = pin * 3 * Umi + (1 - pin) * (2 * Umj + Umm)
    tv = _vote(wm, ev1 - ev2, rule)
    return np.maximum(tv, 0.0), np.maximum(-tv, 0.0)


def _interpolate(X, sig, Xj, Sj, P, opts):
    """Step 6: the bargain between i (at X) and j (at Xj) with i's probability P."""
    if opts["bargain"] == "s2pmax":
        # KTAB's interpBrgnS2PMax: the weaker side moves, by its deficit; not rounded
        di = np.maximum(0.0, (1 - P) - P)
        dj = np.maximum(0.0, P - (1 - P))
        si2, sj2 = sig * sig, Sj * Sj
        dik = (di * sj2) / ((di * sj2) + 1e-6 + ((1 - di) * si2))
        djk = (dj * si2) / ((dj * si2) + 1e-6 + ((1 - dj) * sj2))
        return X + dik * (Xj - X), Xj + djk * (X - Xj)
    if opts["bargain"] == "s2p2":
        wi, wj = sig**2 * P**2, Sj**2 * (1 - P) ** 2
    else:
        wi, wj = sig * P, Sj * (1 - P)
    # a tiny weight on each side's own position: with no weight at all, both stay
    tot = wi + wj + 1e-6
    b_init = ((wi + 1e-6) * X + wj * Xj) / tot
    b_rcvr = (wi * X + (wj + 1e-6) * Xj) / tot
    if opts["round_to"] is not None:
        scale = 10.0 ** opts["round_to"]
        b_init = np.trunc(0.5 + b_init * scale) / scale
        b_rcvr = np.trunc(0.5 + b_rcvr * scale) / scale
    return b_init, b_rcvr


def _softmax(L):
    """Probabilities from log-scores along the last axis."""
    e = np.exp(L - L.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _turn(X, sig, c, opts, trace: dict | None = None, ideal=None, rng=None):
    """One SMP turn on a batch ``(B, n, D)``; returns the new positions.

    ``ideal`` holds the ideals when they differ from the positions; ``rng`` (a
    numpy Generator) draws the stochastic transitions. ``trace``, if given,
    receives the intermediate arrays (risk attitudes, targets, gains,
    probabilities, bargains, queue winners) for inspection.
    """
    B, n, _D = X.shape
    Dm, _p, R = _risk(X, sig, c, opts, ideal)
    s = sig.sum(axis=-1)  # total salience: probability of resisting
    w = s * c
    alpha = opts["alpha"]
    gain_best = np.full((B, n), -np.inf)
    target = np.zeros((B, n), dtype=int)
    p_best = np.zeros((B, n))
    ar = np.arange(n)
    step = max(1, opts["chunk"] // max(1, B * n * n))
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        ci = rows.size
        # step 3: h = i's estimate of everyone's risk, then its perspective utilities
        rh = (1 - alpha) * R[:, rows, None] + alpha * R[:, None, :]  # (B, ci, a)
        U = _u(Dm[:, None, :, :], rh[:, :, :, None])  # (B, ci, a, p)
        bi = np.arange(ci)
        U_i_all = U[:, bi, rows, :]  # U^i_{i p}: (B, ci, p)
        U_ii = U_i_all[:, bi, rows][:, :, None]  # (B, ci, 1)
        U_ij = U_i_all  # (B, ci, j)
        U_ji = np.swapaxes(U, 2, 3)[:, bi, rows, :]  # U^i_{a i}: (B, ci, a)
        U_aa = U[:, :, ar, ar]  # (B, ci, a)
        # step 4: principals and third parties m, each facing the principals' contest
        third = np.ones((ci, n, n), dtype=bool)
        third[bi, :, rows] = False  # m != i
        third[:, ar, ar] = False  # m != j
        P = _contest(
            U_ii,
            U_ij,
            U_ji,
            U_aa,
            U_ji[:, :, None, :],
            np.swapaxes(U, 2, 3),
            U_aa[:, :, None, :],
            w[:, rows, None],
            w[:, None, :],
            w[:, None, None, :],
            third,
            opts,
        )
        # expected gain of the challenge for k = i
        sj = s[:, None, :]
        eu_sq = U_ii + U_ij
        eu_vict = 2 * U_ii
        eu_contest = P * 2 * U_ii + (1 - P) * 2 * U_ij
        gain = (1 - sj) * eu_vict + sj * eu_contest - eu_sq
        gain[:, bi, rows] = -np.inf
        # step 5: best target, ties to the first
        tj = np.argmax(gain, axis=-1)
        gain_best[:, rows] = np.take_along_axis(gain, tj[..., None], axis=-1)[..., 0]
        target[:, rows] = tj
        p_best[:, rows] = np.take_along_axis(P, tj[..., None], axis=-1)[..., 0]
    has = gain_best > 1e-5
    # step 6: the bargain, interpolated with i's P
    Xj = np.take_along_axis(X, target[..., None], axis=1)
    Sj = np.take_along_axis(sig, target[..., None], axis=1)
    b_init, b_rcvr = _interpolate(X, sig, Xj, Sj, p_best[..., None], opts)
    init = ar
    rcvr = target
    valid = has
    bmod = opts["bargain_model"]
    if bmod != "init-only-interp":
        # j's bargain: KTAB (SMPState::doBCN) interpolates with the second
        # element of probEduChlg(h=j, k=i, i, j), which is j's estimate of i's
        # expected *gain* from the challenge, not a probability; we follow it
        rh = (1 - alpha) * R[:, :, None] + alpha * R[:, None, :]  # (B, h, a)
        rh = np.take_along_axis(rh, target[..., None], axis=1)  # (B, i, a): h = j_i
        # U^h_{a p} = u(D[a, p], rh[i, a]) is needed at p = i, p = j_i and p = a only:
        # those entries, each computed as from the whole (B, i, a, p) array
        bb = np.arange(B)[:, None]
        ii = ar[None, :]
        Um_i = _u(np.swapaxes(Dm, 1, 2), rh)  # U^h_{m i}: (B, i, m)
        Um_j = _u(np.swapaxes(np.take_along_axis(Dm, target[:, None, :], axis=2), 1, 2), rh)
        Umm = _u(np.diagonal(Dm, axis1=1, axis2=2)[:, None, :], rh)  # U^h_{a a}
        g = lambda A: np.take_along_axis(A, target[..., None], axis=-1)[..., 0]  # noqa: E731
        third = (ar[None, None, :] != ar[None, :, None]) & (ar[None, None, :] != target[..., None])
        U_ki, U_kj = Um_i[bb, ii, ii], Um_j[bb, ii, ii]
        Pj = _contest(
            U_ki,
            U_kj,
            g(Um_i),
            g(Um_j),
            Um_i,
            Um_j,
            Umm,
            w,
            np.take_along_axis(w, target, axis=1),
            w[:, None, :],
            third,
            opts,
        )
        sj = np.take_along_axis(s, target, axis=1)
        eu_contest = Pj * (U_ki + U_ki) + (1 - Pj) * (U_kj + U_kj)
        Pj = (1 - sj) * (U_ki + U_ki) + sj * eu_contest - (U_ki + U_kj)
        j_init, j_rcvr = _interpolate(X, sig, Xj, Sj, Pj[..., None], opts)
        if bmod == "init-rcvr-interp":
            # both bargains join both queues, i's own before j's
            b_init = np.stack([b_init, j_init], axis=2).reshape(B, 2 * n, -1)
            b_rcvr = np.stack([b_rcvr, j_rcvr], axis=2).reshape(B, 2 * n, -1)
            init = np.repeat(ar, 2)
            rcvr = np.repeat(target, 2, axis=1)
            valid = np.repeat(has, 2, axis=1)
        else:
            # power-weighted compromise; KTAB's code weighs j's bargain by
            # c_i * s_j (its initiator's capability), which we follow
            wi = (c * s)[..., None]
            wj = (c * np.take_along_axis(s, target, axis=1))[..., None]
            b_init = (wi * b_init + wj * j_init) / (wi + wj)
            b_rcvr = (wi * b_rcvr + wj * j_rcvr) / (wi + wj)
    M = init.size
    # step 7: resolution; values of options for every voter a, own perspective
    I = X if ideal is None else ideal  # noqa: E741
    uR = _u(Dm, R[:, :, None])  # (B, a, p)
    base = uR.mean(axis=-1)  # (B, a)
    u_bi = _u(_dist(I, sig, b_init), R[:, :, None])  # (B, a, bargain m)
    u_br = _u(_dist(I, sig, b_rcvr), R[:, :, None])
    u_init = uR[:, :, init]
    u_tgt = np.take_along_axis(uR, np.broadcast_to(rcvr[:, None, :], (B, n, M)), axis=2)
    # grouped so that the two bargains of a mutual pair (i -> j, j -> i) that
    # land on the same positions get exactly equal values, as in KTAB, which
    # matters under the binary voting rules
    val_b = base[:, :, None] + ((u_bi + u_br) - (u_init + u_tgt)) / n
    val = np.concatenate([base[:, :, None], val_b], axis=2)  # (B, a, O)
    C = _coalitions(val, c, opts["voting"], opts["chunk"])
    Pv = _vprob(C, np.swapaxes(C, 1, 2), opts["k"])
    n_opt = M + 1
    Q = np.zeros((B, n, n_opt), dtype=bool)
    Q[:, :, 0] = True
    bidx = np.nonzero(valid)
    Q[bidx[0], init[bidx[1]], 1 + bidx[1]] = True  # own bargain
    Q[bidx[0], rcvr[bidx], 1 + bidx[1]] = True  # bargains aimed at k
    L = None
    if opts["pce"] == "conditional":
        logP = np.log(np.maximum(Pv, 1e-300))
        logP[:, np.arange(n_opt), np.arange(n_opt)] = 0.0
        L = np.einsum("bpo,bko->bkp", logP, Q.astype(float))
        L = np.where(Q, L, -np.inf)
        pq = L if opts["transitions"] == "deterministic" else _softmax(L)
    else:
        Pv = np.where(np.eye(n_opt, dtype=bool), 0.5, Pv)
        # each party's queue is its own chain: a block of parties at a time, so that
        # the (party, option, option) arrays stay within the chunk
        pq = np.empty((B, n, n_opt))
        for rows in _blocks(n, B * n_opt * n_opt, opts["chunk"]):
            k = rows.stop - rows.start
            Cq = np.broadcast_to(C[:, None], (B, k, n_opt, n_opt)).reshape(B * k, n_opt, n_opt)
            Pq = np.broadcast_to(Pv[:, None], (B, k, n_opt, n_opt)).reshape(B * k, n_opt, n_opt)
            Qk = Q[:, rows].reshape(B * k, n_opt)
            pq[:, rows] = _markov(Cq, Pq, Qk, opts["pce"]).reshape(B, k, n_opt)
    if opts["transitions"] == "deterministic":
        win = np.argmax(pq, axis=-1)  # most probable, ties to queue order
    else:
        # KTAB's PRNG::probSel: the first option whose cumulative probability
        # reaches a uniform draw
        u = rng.random((B, n))
        cum = np.cumsum(np.where(Q, pq, 0.0), axis=-1)
        hit = (u[..., None] <= cum) & Q
        last = n_opt - 1 - np.argmax(Q[..., ::-1], axis=-1)
        win = np.where(hit.any(axis=-1), np.argmax(hit, axis=-1), last)
    # option 0 is k's own position, option 1 + m is bargain m
    src = np.maximum(win - 1, 0)[..., None]
    own = (init[src[..., 0]] == ar[None, :])[..., None]
    moved = np.where(
        own,
        np.take_along_axis(b_init, src, axis=1),
        np.take_along_axis(b_rcvr, src, axis=1),
    )
    cand = np.where((win == 0)[..., None], X, moved)
    if trace is not None:
        trace.update(
            R=R,
            target=target,
            gain=gain_best,
            has=has,
            p=p_best,
            b_init=b_init,
            b_rcvr=b_rcvr,
            win=win,
            values=val,
            queue=Q,
            queue_p=_softmax(pq) if pq is L else pq,
        )
    return cand


def _forecast_state(X, sig, c, opts, ideal=None):
    """Step 9: PCE with each actor's own utilities; expected and most probable position."""
    Dm, _p, R = _risk(X, sig, c, opts, ideal)
    first, _rep = _distinct(X)
    p = _pce(_u(Dm, R[:, :, None]), c, first, opts)
    mean = (p[..., None] * X).sum(axis=1)
    top = np.take_along_axis(X, np.argmax(p, axis=1)[:, None, None], axis=1)[:, 0, :]
    return mean, top, p


def _actor_probabilities(X, p, tol: float = 1e-3) -> list[float]:
    """Each actor's position probability; an actor within ``tol`` of several
    unique positions takes the last one, as KTAB's ``State::posProb`` does."""
    first, _rep = _distinct(X[None], tol)
    eq = _near(X[None], tol)[0]
    cand = eq & first[0][None, :]
    last = X.shape[0] - 1 - np.argmax(cand[:, ::-1], axis=1)
    return [float(p[j]) for j in last]


def run_smp_batch(
    X0,
    sig,
    c,
    *,
    opts,
    tol=0.02,
    max_rounds=100,
    rounds=None,
    ideals=None,
    bounds: Bounds | None = None,
):
    """Run SMP turns on a batch ``(B, n, D)`` in [0, 1] until each case stops.

    Returns ``history`` (list of ``(B, n, D)``), stop codes, rounds played and
    cycle periods (0 when none), with the codes of :data:`eum.STOP_CODES`. With
    an accommodation matrix in ``opts``, ``ideals`` (a list) receives each
    state's ideals. Stochastic runs draw from ``np.random.default_rng(opts["seed"])``
    and never report cycles (a repeated state need not repeat again).

    ``bounds``, if given, are the red-line intervals ``(at_least, at_most)`` on the
    rescaled [0, 1] scale, each ``(B, n, D)`` with ``-inf`` and ``inf`` for open
    sides: after each turn's moves (step 7), every position is clipped to its
    interval, before the ideals follow and before the stopping rule (step 8).
    """
    X = np.asarray(X0, dtype=float).copy()
    B = X.shape[0]
    A = opts.get("accommodation")
    ideal = None if A is None else X.copy()
    stochastic = opts.get("transitions", "deterministic") == "stochastic"
    rng = np.random.default_rng(opts.get("seed")) if stochastic else None
    limit = rounds if rounds is not None else max_rounds
    stopped = np.full(B, -1)
    n_rounds = np.zeros(B, dtype=int)
    cycle = np.zeros(B, dtype=int)
    first_move = np.zeros(B)
    # the states after turns 0, 1, ...; a case that stopped keeps its last state
    states = np.empty((min(limit + 1, 32), *X.shape))
    states[0] = X
    X = states[0]
    played = 0
    if ideals is not None:
        ideals.append(None if ideal is None else ideal.copy())
    for it in range(1, limit + 1):
        active = np.nonzero(stopped < 0)[0]
        if active.size == 0:
            break
        played = it
        if it == len(states):
            grown = np.empty((min(limit + 1, 2 * it), *states.shape[1:]))
            grown[:it] = states
            states, X = grown, grown[it - 1]
        new = states[it]
        new[...] = X
        new[active] = _turn(
            X[active],
            sig[active],
            c[active],
            opts,
            ideal=None if ideal is None else ideal[active],
            rng=rng,
        )
        if bounds is not None:
            # red lines: nobody ends a turn past its own (module docstring)
            new[active] = np.minimum(np.maximum(new[active], bounds[0][active]), bounds[1][active])
        if ideal is not None:
            # step 1: ideals move toward the new positions (SMPState::newIdeals)
            lag = 1.0 - np.minimum(A.sum(axis=-1), 1.0)
            ideal = ideal.copy()
            ideal[active] = (A @ new[active]) + lag[..., None] * ideal[active]
        n_rounds[active] = it
        move = np.sqrt(((new[active] - X[active]) ** 2).sum(axis=-1)).sum(axis=-1)
        if it == 1:
            first_move[active] = move
        if rounds is None:
            # step 8, KTAB's rule
            done = (it >= 2) & (move / (first_move[active] + 1e-4) < tol)
            stopped[active[done]] = 0
            rest = active[~done] if not stochastic and ideal is None else active[:0]
            if rest.size and it >= 2:
                # a cycle: the new state repeats an earlier one (period >= 2); the
                # earlier states, most recent first, are periods 2, 3, ..., it. First
                # the coordinate that moved most this turn, then whole states where it
                # matches.
                flat = states.reshape(len(states), B, -1)
                k = np.argmax(np.abs(flat[it, rest] - flat[it - 1, rest]), axis=1)
                hit = np.abs(flat[it, rest, k] - flat[it - 2 :: -1, rest, k]) <= 1e-12
                back, col = np.nonzero(hit)
                if back.size:
                    rows = rest[col]
                    diff = np.abs(new[rows] - states[it - 2 - back, rows])
                    hit[back, col] = diff.reshape(rows.size, -1).max(axis=1) <= 1e-12
                found = hit.any(axis=0)
                stopped[rest[found]] = 1
                cycle[rest[found]] = 2 + np.argmax(hit, axis=0)[found]
        X = new
        if ideals is not None:
            ideals.append(None if ideal is None else ideal.copy())
    stopped[stopped < 0] = 3 if rounds is not None else 2
    return list(states[: played + 1]), stopped, n_rounds, cycle


def smp_forecast_batch(X0, sig, c, *, opts, tol=0.02, max_rounds=100, rounds=None, bounds=None):
    """Forecasts ``(B, D)`` (on [0, 1]) and stop codes for a batch of cases
    (``bounds``: red lines, as for :func:`run_smp_batch`)."""
    ideals: list = []
    hist, stopped, n_rounds, cycle = run_smp_batch(
        X0,
        sig,
        c,
        opts=opts,
        tol=tol,
        max_rounds=max_rounds,
        rounds=rounds,
        ideals=ideals,
        bounds=bounds,
    )
    fc = _forecast_state(hist[-1], sig, c, opts, ideals[-1])[0]
    for b in np.nonzero(cycle)[0]:
        k, last = cycle[b], n_rounds[b]
        sl = slice(b, b + 1)
        fc[b] = np.mean(
            [_forecast_state(hist[last - j][sl], sig[sl], c[sl], opts)[0][0] for j in range(k)],
            axis=0,
        )
    return fc, stopped


def smp_options(
    *,
    victory: str = "linear",
    voting: str = "proportional",
    big_r_range: str = "mid",
    big_r_adjust: str = "one_third",
    bargain: str = "s2p2",
    bargain_model: str = "init-only-interp",
    third_party: str = "semi",
    pce: str = "conditional",
    transitions: str = "deterministic",
    seed: int | None = None,
    accommodation=None,
    round_to: int | None = 4,
    chunk: int | None = None,
) -> dict:
    """Check SMP parameters and return the internal options dict."""
    for name, val, allowed in (
        ("victory", victory, tuple(VICTORY)),
        ("voting", voting, VOTING),
        ("big_r_range", big_r_range, BIG_R_RANGE),
        ("big_r_adjust", big_r_adjust, tuple(BIG_R_ADJUST)),
        ("bargain", bargain, BARGAIN),
        ("bargain_model", bargain_model, BARGAIN_MODEL),
        ("third_party", third_party, THIRD_PARTY),
        ("pce", pce, PCE),
        ("transitions", transitions, TRANSITIONS),
    ):
        if val not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {val!r}")
    if accommodation is not None:
        A = np.asarray(accommodation, dtype=float)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError("accommodation must be a square (n, n) matrix")
        if (A < 0).any() or (A > 1).any() or (A.sum(axis=1) > 1 + 1e-10).any():
            raise ValueError("accommodation entries must be in [0, 1] with row sums <= 1")
        accommodation = None if np.allclose(A, np.eye(len(A)), rtol=0, atol=1e-10) else A
    return {
        "k": VICTORY[victory],
        "voting": voting,
        "big_r_range": big_r_range,
        "alpha": BIG_R_ADJUST[big_r_adjust],
        "bargain": bargain,
        "bargain_model": bargain_model,
        "third_party": third_party,
        "pce": pce,
        "transitions": transitions,
        "seed": seed,
        "accommodation": accommodation,
        "round_to": round_to,
        "chunk": chunk or _CHUNK,
    }


def check_salience_sums(actors, S) -> None:
    """KTAB requires each actor's saliences over the issues to sum to at most 1."""
    tot = S.sum(axis=1)
    bad = np.nonzero(tot > 1 + 1e-9)[0]
    if bad.size:
        raise CaseError(
            [
                Problem(
                    f"salience of {actors[i]!r} sums to {tot[i]:.4g} over the issues;"
                    " the spatial model needs at most 1 (divide by the number of issues)",
                    path=("salience", int(i)),
                    expected="a row sum <= 1",
                    got=f"{tot[i]:.6g}",
                )
                for i in bad
            ]
        )


def spatial_model(
    actors: Sequence[str],
    capability,
    position,
    salience,
    *,
    scale: tuple[float, float] = (0.0, 100.0),
    issues: Sequence[str] | None = None,
    victory: str = "linear",
    voting: str = "proportional",
    big_r_range: str = "mid",
    big_r_adjust: str = "one_third",
    bargain: str = "s2p2",
    bargain_model: str = "init-only-interp",
    third_party: str = "semi",
    pce: str = "conditional",
    transitions: str = "deterministic",
    seed: int | None = None,
    accommodation=None,
    round_to: int | None = 4,
    tol: float = 0.02,
    max_rounds: int = 100,
    rounds: int | None = None,
    chunk: int | None = None,
    bounds=None,
) -> ForecastResult:
    r"""Forecast one issue, or several jointly, with KTAB's spatial model of politics.

    Parameters
    ----------
    actors : sequence of str
        Actor names, ``n >= 2``.
    capability : array_like, shape (n,)
        Capabilities (KTAB's power), ``> 0``.
    position : array_like, shape (n,) or (n, D)
        Positions on the scale; ``D`` columns are bargained over jointly with
        salience-weighted Euclidean distances.
    salience : array_like, same shape as ``position``
        Saliences in [0, 1]; each actor's saliences must sum to at most 1 (KTAB's
        rule), and the sum is the probability that it resists a challenge.
    scale : (float, float)
        The common scale of every issue; rescaled to [0, 1] internally.
    issues : sequence of str, optional
        Issue names.
    victory : {"linear", "square", "quartic", "octic", "binary"}
        KTAB's VictoryProbModel, used in every election (PCE):
        ``P = C^k / (C^k + C'^k)`` with k = 1, 2, 4, 8; "binary" gives a
        certain win to a 10 % advantage in coalition strength, interpolated
        linearly below it. KTAB's challenge evaluation (step 4) always uses the
        linear ratio, and so do we.
    voting : {"proportional", "binary", "prop-bin", "prop-cubic", "cubic", "asym-prospect"}
        KTAB's VotingRule (Prop, Binary, PropBin, PropCbc, Cubic, ASymProsp): a
        voter's response to a utility difference ``du`` is ``du``, ``b =
        clip(du / 1e-8, -1, 1)``, ``0.8 du + 0.2 b``, ``(du + du³) / 2``,
        ``du³``, or ``du`` with gains counted at 2/3. KTAB forms each pair of
        options once, so under "asym-prospect" the later option's gains are
        the discounted ones; in a party's queue of bargains that order is
        KTAB's thread order, which we replace by a fixed one (status quo, then
        bargains by initiator), so KTAB agrees with us only on the first turn.
    big_r_range : {"mid", "min", "max"}
        KTAB's BigRRange: risk attitudes in [-1/2, 1], [0, 1] or [-1, 1].
    big_r_adjust : {"one_third", "none", "half", "two_thirds", "full"}
        KTAB's BigRAdjust: how far ``h``'s estimate of ``i``'s risk moves from
        ``R_h`` toward ``R_i``.
    bargain : {"s2p2", "s1p1", "s2pmax"}
        KTAB's InterVecBrgn: interpolation weights ``σ²P²`` or ``σP``, each
        side's own position getting an extra weight of 1e-6 (so that a
        bargain nobody weighs leaves both where they are), rounded to
        ``round_to``; or "s2pmax", where only the side less likely to win
        moves, toward the other by ``ΔP σ_other² / (ΔP σ_other² + 1e-6 + (1 -
        ΔP) σ_own²)`` with ``ΔP`` its probability deficit (not rounded).
    bargain_model : {"init-only-interp", "init-rcvr-interp", "pw-comp-interp"}
        KTAB's BargnModel: the bargain interpolated with the challenger's
        probability; that one and the target's own both entering both queues;
        or their weighted average. As in KTAB's code (``SMPState::doBCN``),
        the target's bargain is interpolated with the target's estimate of the
        challenger's expected *gain* from the challenge (not a probability),
        and the average weighs the challenger's bargain by ``c_i s_i`` and the
        target's by ``c_i s_j``.
    third_party : {"semi", "full", "none"}
        KTAB's ThirdPartyCommit. Under full and no commitment a third party
        values joining either side alike, so only the principals vote.
    pce : {"conditional", "markov-incentive", "markov-uniform"}
        KTAB's PCEModel, for every election (risk attitudes, bargain queues,
        final probabilities): ``p_i ∝ prod_j P(i > j)``, or KTAB's Markov
        chains (challenges in proportion to the incentive ``C_ij P(i > j)``,
        or uniform), iterated from the uniform distribution with damping 1/2
        until the largest change is at most 1e-8 (incentive) or 1e-6 (uniform).
    transitions : {"deterministic", "stochastic"}
        KTAB's StateTransitions: each party takes the most probable entry of
        its queue, or one drawn with the queue's PCE probabilities (KTAB's
        ``PRNG::probSel``: the first entry whose cumulative probability reaches
        a uniform draw). Stochastic runs never report cycles.
    seed : int, optional
        Seed of the ``numpy.random.Generator`` for stochastic transitions.
        Unlike KTAB, whose stochastic runs differ from run to run even with
        a fixed ``prngSeed``, ours are reproducible: the same seed gives the
        same run.
    accommodation : array_like, shape (n, n), optional
        KTAB's accommodation (IdealAdjustment) matrix ``A``: after each turn
        the ideals become ``A x + (1 - rowsum A) x̂``, entries in [0, 1] and
        row sums at most 1. Utilities are measured from the ideals, which
        start at the initial positions; the default (identity) keeps them equal
        to the positions. Runs with ideals never report cycles.
    round_to : int or None
        Decimals (on the [0, 1] scale) to which bargains are rounded; KTAB uses 4.
    tol : float
        KTAB's stopping threshold: stop after turn ``t >= 2`` when the total
        movement is below ``tol`` times the first turn's (plus 1e-4). A state
        that repeats an earlier one exactly (to 1e-12 on the rescaled scale)
        stops the run as a cycle, whose states' forecasts and positions are
        averaged (not in KTAB; not with stochastic transitions, accommodation or
        ``rounds``).
    max_rounds : int
        Cap (KTAB: 100).
    rounds : int, optional
        Play exactly this many turns.
    chunk : int, optional
        Rough number of floats per temporary (memory bound).
    bounds : (at_least, at_most), optional
        Red lines: each side array_like of the positions' shape (or one value
        per actor for every issue), NaN or None where a side is open, on the
        scale. After each turn's moves every actor is clipped to its interval on
        every issue (module docstring), so that no actor ends a turn past its
        own red line; a starting position outside it is moved to the line in the
        first turn. Without bounds (or with every side open) the run is exactly
        KTAB's.

    Returns
    -------
    ForecastResult
        ``method="smp"``. Each issue's ``forecast`` is the probability-weighted
        position of the final state; ``extra["most_probable"]`` the most
        probable position and ``extra["position_probability"]`` each actor's
        probability that its final position wins (KTAB's winning probabilities);
        ``red_lines`` and ``crosses_red_lines`` say which red lines the run kept
        and which the forecast crosses.

    Raises
    ------
    CaseError
        Invalid inputs, or saliences summing to more than 1 for an actor.
    CaseTooLargeError
        The run's estimated time or memory (:func:`~detente.forecast.cost.smp_estimate`,
        for up to ``rounds`` or ``max_rounds`` turns) exceeds ``DETENTE_MAX_SECONDS`` or
        ``DETENTE_MAX_MEMORY``; checked before the first turn.

    References
    ----------
    KAPSARC Toolkit for Behavioral Analysis (KTAB), github.com/KAPSARC/KTAB
    (MIT licence): ``examples/smp/libsrc/smp.cpp`` and ``smpbcn.cpp``,
    ``KTAB/kmodel/libsrc/kmodel.cpp``; summarised in
    ``research/forecast/models.md`` §3.3.

    Examples
    --------
    >>> res = spatial_model(["a", "b", "c"], [1, 1, 1], [20, 50, 80], [0.5, 0.5, 0.5])
    >>> 20 <= res.issues[0].forecast <= 80
    True
    """
    opts = smp_options(
        victory=victory,
        voting=voting,
        big_r_range=big_r_range,
        big_r_adjust=big_r_adjust,
        bargain=bargain,
        bargain_model=bargain_model,
        third_party=third_party,
        pce=pce,
        transitions=transitions,
        seed=seed,
        accommodation=accommodation,
        round_to=round_to,
        chunk=chunk,
    )
    chk, X, S, names, _ = issue_arrays(
        actors, capability, position, salience, scale=scale, issues=issues
    )
    check_salience_sums(chk.actors, S)
    _n, D = X.shape
    turns = rounds if rounds is not None else max_rounds
    check_forecast_cost(
        f"the spatial model of {_n:,} actors"
        + (f" on {D} issues" if D > 1 else "")
        + f" over up to {turns:,} turns",
        lambda k: smp_estimate(
            k,
            D,
            rounds=rounds,
            max_rounds=max_rounds,
            pce=pce,
            bargain_model=bargain_model,
            chunk=opts["chunk"],
        ),
        _n,
        hint="or play fewer turns",
    )
    lo, hi = chk.scale
    Xn = ((X - lo) / (hi - lo))[None]
    c = chk.capability[None]
    bnd = check_bounds(bounds, chk.position.shape, chk.scale)
    low, high = (
        (np.full(X.shape, -np.inf), np.full(X.shape, np.inf))
        if bnd is None
        else (bnd[0].reshape(X.shape), bnd[1].reshape(X.shape))
    )
    unit = (
        None if bnd is None else (((low - lo) / (hi - lo))[None], ((high - lo) / (hi - lo))[None])
    )
    if opts["accommodation"] is not None and opts["accommodation"].shape != (_n, _n):
        raise ValueError(f"accommodation must be ({_n}, {_n}), got {opts['accommodation'].shape}")
    ideals: list = []
    hist, stopped, _n_rounds, cycle = run_smp_batch(
        Xn,
        S[None],
        c,
        opts=opts,
        tol=tol,
        max_rounds=max_rounds,
        rounds=rounds,
        ideals=ideals,
        bounds=unit,
    )
    kcyc = int(cycle[0])
    tail = hist[-kcyc:] if kcyc else hist[-1:]
    fcs = [_forecast_state(h, S[None], c, opts, ideals[-1]) for h in tail]
    mean = np.mean([f[0][0] for f in fcs], axis=0) * (hi - lo) + lo
    prob = dict(zip(chk.actors, _actor_probabilities(hist[-1][0], fcs[-1][2][0]), strict=True))
    top = fcs[-1][1][0] * (hi - lo) + lo
    final = np.mean([h[0] for h in tail], axis=0) * (hi - lo) + lo
    states = [h[0] * (hi - lo) + lo for h in hist]
    params = {
        "victory": victory,
        "voting": voting,
        "big_r_range": big_r_range,
        "big_r_adjust": big_r_adjust,
        "bargain": bargain,
        "pce": pce,
        "transitions": transitions,
        "seed": seed,
        "accommodation": None if accommodation is None else np.asarray(accommodation).tolist(),
        "third_party": third_party,
        "bargain_model": bargain_model,
        "round_to": round_to,
        "tol": tol,
        "max_rounds": max_rounds,
        "rounds": rounds,
        "scale": [lo, hi],
        "issues": list(names),
    }
    if bnd is not None:
        params["bounds"] = {"at_least": bnd[0].tolist(), "at_most": bnd[1].tolist()}
    out = []
    for d in range(D):
        lines = interval_lines(low[:, d], high[:, d])
        w = chk.capability * S[:, d]
        means = tuple(float(weighted_mean(h[:, d], w)) for h in states)
        medians = tuple(float(weighted_median(h[:, d], w)) for h in states)
        fc = float(mean[d])
        out.append(
            IssueForecast(
                issue=names[d],
                rounds=tuple(
                    {a: float(v) for a, v in zip(chk.actors, h[:, d], strict=True)} for h in states
                ),
                forecast=fc,
                baselines={"mean": means[0], "median": medians[0]},
                stopped={0: "converged", 1: "cycle", 2: "max_rounds", 3: "fixed_rounds"}[
                    int(stopped[0])
                ],
                closest=closest_actors(chk.actors, final[:, d], fc, scale=chk.scale),
                cycle_length=kcyc or None,
                by_round={"mean": means, "median": medians},
                extra={
                    "most_probable": float(top[d]),
                    "position_probability": prob,
                    **({"final_average": [float(v) for v in final[:, d]]} if kcyc else {}),
                },
                red_lines=described(chk.actors, lines),
                crosses_red_lines=crossings(chk.actors, fc, lines),
            )
        )
    return ForecastResult("smp", params, chk.actors, tuple(out))
