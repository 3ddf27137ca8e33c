"""KTAB's spatial model of politics (SMP), one issue or several jointly.

An independent numpy implementation of the Spatial Model of Politics of the
KAPSARC Toolkit for Behavioral Analysis (KTAB, github.com/KAPSARC/KTAB, MIT),
following the description in ``research/forecast/models.md`` §3.3, whose step
numbers the code uses. Positions and saliences are rescaled to [0, 1] as KTAB
does. With KTAB's defaults it reproduces ``smpc`` turn by turn, stopping turn
and winning probabilities included (tests/forecast/test_reference_ktab.py).
One turn:

1. ideals equal current positions (the identity accommodation matrix);
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
   rule), or at 100 turns.

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
from detente.forecast._common import check_issue, closest_actors
from detente.forecast.baselines import weighted_mean, weighted_median
from detente.forecast.results import ForecastResult, IssueForecast

__all__ = ["spatial_model"]

VICTORY = {"linear": 1, "square": 2, "quartic": 4, "octic": 8}
VOTING = ("proportional", "binary", "prop-bin", "cubic")
BIG_R_RANGE = ("min", "mid", "max")
BIG_R_ADJUST = {"none": 0.0, "one_third": 1 / 3, "half": 0.5, "two_thirds": 2 / 3, "full": 1.0}
BARGAIN = ("s2p2", "s1p1")
THIRD_PARTY = ("semi", "full", "none")
_CHUNK = 1 << 21


def _vote(w, du, rule: str):
    """A voter's weight times its utility difference under a voting rule."""
    if rule == "proportional":
        return w * du
    if rule == "binary":
        return w * np.sign(du)
    if rule == "prop-bin":
        return w * (0.8 * du + 0.2 * np.sign(du))
    return w * du**3  # cubic


def _vprob(cij, cji, k: int):
    """Victory probability from coalition strengths: ``C^k / (C^k + C'^k)``."""
    if k == 1:
        return cij / (cij + cji)
    a = cij**k
    return a / (a + cji**k)


def _u(d, R):
    """KTAB's utility of a distance ``d`` in [0, 1] with risk attitude ``R``."""
    return (1.0 - d) * (1.0 + d * R)


def _dist(X, sig, Y):
    """d[b, a, p]: salience-weighted Euclidean distance from a's ideal to point p."""
    s2 = sig**2
    tot = s2.sum(axis=-1)  # (B, n)
    diff = X[:, :, None, :] - Y[:, None, :, :]
    num = (s2[:, :, None, :] * diff**2).sum(axis=-1)
    ok = tot > 0
    return np.sqrt(num / np.where(ok, tot, 1.0)[:, :, None]) * ok[:, :, None]


def _distinct(X, tol: float = 1e-3):
    """Unique positions, KTAB's way: greedily, in actor order, an actor within
    Euclidean distance ``tol`` (on the [0, 1] scale, KTAB's ``posTol``) of an
    earlier unique position shares it. Returns the mask of unique positions and
    each actor's representative."""
    B, n, _D = X.shape
    eq = np.sqrt(((X[:, :, None, :] - X[:, None, :, :]) ** 2).sum(axis=-1)) < tol
    first = np.zeros((B, n), dtype=bool)
    rep = np.zeros((B, n), dtype=int)
    for i in range(n):
        cand = first[:, :i] & eq[:, i, :i]
        found = cand.any(axis=1)
        rep[:, i] = np.where(found, np.argmax(cand, axis=1) if i else 0, i)
        first[:, i] = ~found
    return first, rep


def _pce(U, c, first, rule, k):
    """Conditional PCE over distinct positions: p_i ∝ prod_j P(i > j).

    ``U[b, voter, position]``; votes ``vote(c_v, U_vi - U_vj)``; coalitions
    ``1e-8 + sum of positive votes``. Returns probabilities per actor position
    (zero on repeated positions).
    """
    du = U[:, :, :, None] - U[:, :, None, :]  # (B, v, i, j)
    V = np.maximum(_vote(c[:, :, None, None], du, rule), 0.0).sum(axis=1)
    C = 1e-8 + V
    P = _vprob(C, np.swapaxes(C, 1, 2), k)
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


def _risk(X, sig, c, opts):
    """Step 3: risk attitudes from a risk-neutral PCE over *every* actor's position.

    KTAB (``SMPState::setAllAUtil``) runs this election over all ``n`` positions,
    repeated ones included, unlike the forecast's election over distinct
    positions (``pDist``); checked against ``smpc`` turn by turn.
    """
    Dm = _dist(X, sig, X)
    every = np.ones(X.shape[:2], dtype=bool)
    p = _pce(1.0 - Dm, c, every, opts["voting"], opts["k"])
    return Dm, p, _big_r(p, every, opts["big_r_range"])


def _turn(X, sig, c, opts, trace: dict | None = None):
    """One SMP turn on a batch ``(B, n, D)``; returns the new positions.

    ``trace``, if given, receives the intermediate arrays (risk attitudes,
    targets, gains, probabilities, bargains, queue winners) for inspection.
    """
    B, n, _D = X.shape
    rule, k = opts["voting"], opts["k"]
    Dm, _p, R = _risk(X, sig, c, opts)
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
        # step 4: principals open the coalitions
        cij0 = 1e-10 + np.maximum(_vote(w[:, rows, None], U_ii - U_ij, rule), 0.0)
        cji0 = 1e-10 + np.maximum(-_vote(w[:, None, :], U_ji - U_aa, rule), 0.0)
        # third parties m, semi-committed, each facing the principals' contest
        Umi = U_ji[:, :, None, :]  # (B, ci, 1, m)
        Umj = np.swapaxes(U, 2, 3)  # (B, ci, j, m)
        Umm = U_aa[:, :, None, :]
        wm = w[:, None, None, :]
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
        third = np.ones((ci, n, n), dtype=bool)
        third[bi, :, rows] = False  # m != i
        third[:, ar, ar] = False  # m != j
        cij = cij0 + np.where(third, np.maximum(tv, 0.0), 0.0).sum(axis=-1)
        cji = cji0 + np.where(third, np.maximum(-tv, 0.0), 0.0).sum(axis=-1)
        P = _vprob(cij, cji, k)
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
    P = p_best[..., None]
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
        b_init = np.floor(0.5 + b_init * scale) / scale
        b_rcvr = np.floor(0.5 + b_rcvr * scale) / scale
    # step 7: resolution; values of options for every voter a, own perspective
    uR = _u(Dm, R[:, :, None])  # (B, a, p)
    base = uR.mean(axis=-1)  # (B, a)
    u_bi = _u(_dist(X, sig, b_init), R[:, :, None])  # (B, a, bargain i)
    u_br = _u(_dist(X, sig, b_rcvr), R[:, :, None])
    u_tgt = np.take_along_axis(uR, np.broadcast_to(target[:, None, :], uR.shape), axis=2)
    val_b = base[:, :, None] + (u_bi + u_br - uR - u_tgt) / n
    val = np.concatenate([base[:, :, None], val_b], axis=2)  # (B, a, O)
    du = val[:, :, :, None] - val[:, :, None, :]
    C = 1e-8 + np.maximum(_vote(c[:, :, None, None], du, rule), 0.0).sum(axis=1)
    Pv = _vprob(C, np.swapaxes(C, 1, 2), k)
    n_opt = n + 1
    logP = np.log(np.maximum(Pv, 1e-300))
    logP[:, np.arange(n_opt), np.arange(n_opt)] = 0.0
    Q = np.zeros((B, n, n_opt), dtype=bool)
    Q[:, :, 0] = True
    bidx = np.nonzero(has)
    Q[bidx[0], bidx[1], 1 + bidx[1]] = True  # own bargain
    Q[bidx[0], target[bidx], 1 + bidx[1]] = True  # bargains aimed at k
    L = np.einsum("bpo,bko->bkp", logP, Q.astype(float))
    L = np.where(Q, L, -np.inf)
    win = np.argmax(L, axis=-1)  # deterministic: most probable, ties to queue order
    # option 0 is k's own position, option 1 + i is bargain i
    src = np.maximum(win - 1, 0)[..., None]
    own = (src[..., 0] == ar[None, :])[..., None]
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
        )
    return cand


def _forecast_state(X, sig, c, opts):
    """Step 9: PCE with each actor's own utilities; expected and most probable position."""
    Dm, _p, R = _risk(X, sig, c, opts)
    first, _rep = _distinct(X)
    p = _pce(_u(Dm, R[:, :, None]), c, first, opts["voting"], opts["k"])
    mean = (p[..., None] * X).sum(axis=1)
    top = np.take_along_axis(X, np.argmax(p, axis=1)[:, None, None], axis=1)[:, 0, :]
    return mean, top, p


def _actor_probabilities(X, p, tol: float = 1e-3) -> list[float]:
    """Each actor's position probability; an actor within ``tol`` of several
    unique positions takes the last one, as KTAB's ``State::posProb`` does."""
    first, _rep = _distinct(X[None], tol)
    eq = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=-1)) < tol
    cand = eq & first[0][None, :]
    last = X.shape[0] - 1 - np.argmax(cand[:, ::-1], axis=1)
    return [float(p[j]) for j in last]


def run_smp_batch(X0, sig, c, *, opts, tol=0.02, max_rounds=100, rounds=None):
    """Run SMP turns on a batch ``(B, n, D)`` in [0, 1] until each case stops.

    Returns ``history`` (list of ``(B, n, D)``), stop codes, rounds played and
    cycle periods (0 when none), with the codes of :data:`eum.STOP_CODES`.
    """
    X = np.asarray(X0, dtype=float).copy()
    B = X.shape[0]
    limit = rounds if rounds is not None else max_rounds
    stopped = np.full(B, -1)
    n_rounds = np.zeros(B, dtype=int)
    cycle = np.zeros(B, dtype=int)
    first_move = np.zeros(B)
    hist = [X.copy()]
    for it in range(1, limit + 1):
        active = np.nonzero(stopped < 0)[0]
        if active.size == 0:
            break
        new = X.copy()
        new[active] = _turn(X[active], sig[active], c[active], opts)
        n_rounds[active] = it
        move = np.sqrt(((new[active] - X[active]) ** 2).sum(axis=-1)).sum(axis=-1)
        if it == 1:
            first_move[active] = move
        if rounds is None:
            # step 8, KTAB's rule
            done = (it >= 2) & (move / (first_move[active] + 1e-4) < tol)
            stopped[active[done]] = 0
            rest = active[~done]
            for back in range(2, len(hist) + 1):
                if rest.size == 0:
                    break
                hit = np.abs(new[rest] - hist[-back][rest]).reshape(rest.size, -1).max(axis=1)
                hit = hit <= 1e-12
                stopped[rest[hit]] = 1
                cycle[rest[hit]] = back
                rest = rest[~hit]
        X = new
        hist.append(X.copy())
    stopped[stopped < 0] = 3 if rounds is not None else 2
    return hist, stopped, n_rounds, cycle


def smp_forecast_batch(X0, sig, c, *, opts, tol=0.02, max_rounds=100, rounds=None):
    """Forecasts ``(B, D)`` (on [0, 1]) and stop codes for a batch of cases."""
    hist, stopped, n_rounds, cycle = run_smp_batch(
        X0, sig, c, opts=opts, tol=tol, max_rounds=max_rounds, rounds=rounds
    )
    fc = _forecast_state(hist[-1], sig, c, opts)[0]
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
    third_party: str = "semi",
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
        ("third_party", third_party, THIRD_PARTY),
    ):
        if val not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {val!r}")
    return {
        "k": VICTORY[victory],
        "voting": voting,
        "big_r_range": big_r_range,
        "alpha": BIG_R_ADJUST[big_r_adjust],
        "bargain": bargain,
        "third_party": third_party,
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
    third_party: str = "semi",
    round_to: int | None = 4,
    tol: float = 0.02,
    max_rounds: int = 100,
    rounds: int | None = None,
    chunk: int | None = None,
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
    victory : {"linear", "square", "quartic", "octic"}
        KTAB's VictoryProbModel: ``P = C^k / (C^k + C'^k)``.
    voting : {"proportional", "binary", "prop-bin", "cubic"}
        KTAB's VotingRule.
    big_r_range : {"mid", "min", "max"}
        KTAB's BigRRange: risk attitudes in [-1/2, 1], [0, 1] or [-1, 1].
    big_r_adjust : {"one_third", "none", "half", "two_thirds", "full"}
        KTAB's BigRAdjust: how far ``h``'s estimate of ``i``'s risk moves from
        ``R_h`` toward ``R_i``.
    bargain : {"s2p2", "s1p1"}
        KTAB's InterVecBrgn: interpolation weights ``σ²P²`` or ``σP``; each
        side's own position gets an extra weight of 1e-6, so that a bargain
        nobody weighs leaves both where they are.
    third_party : {"semi", "full", "none"}
        KTAB's ThirdPartyCommit. Under full and no commitment a third party
        values joining either side alike, so only the principals vote.
    round_to : int or None
        Decimals (on the [0, 1] scale) to which bargains are rounded; KTAB uses 4.
    tol : float
        KTAB's stopping threshold: stop after turn ``t >= 2`` when the total
        movement is below ``tol`` times the first turn's (plus 1e-4). A state
        that repeats exactly is reported as a cycle.
    max_rounds : int
        Cap (KTAB: 100).
    rounds : int, optional
        Play exactly this many turns.
    chunk : int, optional
        Rough number of floats per temporary (memory bound).

    Returns
    -------
    ForecastResult
        ``method="smp"``. Each issue's ``forecast`` is the probability-weighted
        position of the final state; ``extra["most_probable"]`` the most
        probable position and ``extra["position_probability"]`` each actor's
        probability that its final position wins (KTAB's winning probabilities).

    Raises
    ------
    CaseError
        Invalid inputs, or saliences summing to more than 1 for an actor.

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
        third_party=third_party,
        round_to=round_to,
        chunk=chunk,
    )
    pos = np.asarray(position, dtype=object)
    multi = pos.ndim == 2
    chk = check_issue(actors, capability, position, salience, scale=scale, multi=multi)
    X = chk.position if multi else chk.position[:, None]
    S = chk.salience if multi else chk.salience[:, None]
    check_salience_sums(chk.actors, S)
    _n, D = X.shape
    names = (
        tuple(issues)
        if issues is not None
        else (("issue",) if D == 1 else tuple(f"issue{d}" for d in range(D)))
    )
    if len(names) != D:
        raise ValueError(f"{len(names)} issue names for {D} issues")
    lo, hi = chk.scale
    Xn = ((X - lo) / (hi - lo))[None]
    c = chk.capability[None]
    hist, stopped, _n_rounds, cycle = run_smp_batch(
        Xn, S[None], c, opts=opts, tol=tol, max_rounds=max_rounds, rounds=rounds
    )
    kcyc = int(cycle[0])
    tail = hist[-kcyc:] if kcyc else hist[-1:]
    fcs = [_forecast_state(h, S[None], c, opts) for h in tail]
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
        "pce": "conditional",
        "transitions": "deterministic",
        "third_party": third_party,
        "bargain_model": "init-only-interp",
        "round_to": round_to,
        "tol": tol,
        "max_rounds": max_rounds,
        "rounds": rounds,
        "scale": [lo, hi],
        "issues": list(names),
    }
    out = []
    for d in range(D):
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
                closest=closest_actors(chk.actors, final[:, d], fc),
                cycle_length=kcyc or None,
                by_round={"mean": means, "median": medians},
                extra={"most_probable": float(top[d]), "position_probability": prob},
            )
        )
    return ForecastResult("smp", params, chk.actors, tuple(out))
