"""Monte Carlo forecasts over uncertain capabilities, positions and saliences.

Each input may carry a spread: a standard deviation (normal draws around the
stated value) or a ``(low, high)`` range (uniform draws). Sample ``k`` is a pure
function of ``(seed, k)`` (see :mod:`detente.parallel`), so a run gives the same
numbers serially, on local cores or on a Dask cluster. Samples are processed in
batches: the models run on arrays with a leading sample axis.

Draws are kept valid: positions are clipped to the scale, saliences to [0, 1]
and capabilities to at least 1e-9 of the largest stated capability; for the
spatial model an actor whose sampled saliences sum to more than 1 has them
divided by their sum.

Red lines (``bounds``) are not drawn: every sample keeps the same red lines.
A drawn position is clipped to its actor's red-line interval as it is to the
scale (no actor starts a sample past its own red line), and the expected
utility and spatial models keep every actor inside its interval in every round
of every sample, as in a single run.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np

from detente.errors import CaseError, Problem
from detente.forecast._common import issue_arrays
from detente.forecast._redlines import check_bounds
from detente.forecast.baselines import weighted_mean, weighted_median
from detente.forecast.eum import VARIANTS, eum_forecast_batch
from detente.forecast.results import MonteCarloResult, SampleSummary
from detente.forecast.spatial import check_salience_sums, smp_forecast_batch, smp_options
from detente.parallel import map_samples, normalize_seed, sample_rng

__all__ = ["monte_carlo"]

MODELS = ("mean", "median", "eum", "smp")


def _spread(name, value, rng_value, shape, problems):
    """Normalise one input's spread to ``("sd", array)``, ``("range", lo, hi)`` or None."""
    if value is not None and rng_value is not None:
        problems.append(Problem(f"give {name}_sd or {name}_range, not both", path=(f"{name}_sd",)))
        return None
    if value is not None:
        sd = np.broadcast_to(np.asarray(value, dtype=float), shape).copy()
        if not np.all(np.isfinite(sd)) or np.any(sd < 0):
            problems.append(Problem("standard deviations must be >= 0", path=(f"{name}_sd",)))
            return None
        return ("sd", sd) if np.any(sd > 0) else None
    if rng_value is not None:
        lo, hi = rng_value
        lo = np.broadcast_to(np.asarray(lo, dtype=float), shape).copy()
        hi = np.broadcast_to(np.asarray(hi, dtype=float), shape).copy()
        if np.any(hi < lo):
            problems.append(Problem("each range needs low <= high", path=(f"{name}_range",)))
            return None
        return ("range", lo, hi) if np.any(hi > lo) else None
    return None


def _draw(rng, base, spec):
    if spec is None:
        return base
    if spec[0] == "sd":
        return base + spec[1] * rng.standard_normal(base.shape)
    return spec[1] + (spec[2] - spec[1]) * rng.random(base.shape)


def _mc_chunk(indices, seed, spec):
    """Forecasts (and sampled inputs) for the samples ``indices``: one row each."""
    c0, x0, s0 = spec["c"], spec["x"], spec["s"]
    lo, hi = spec["scale"]
    B = len(indices)
    n, D = x0.shape
    C = np.empty((B, n))
    X = np.empty((B, n, D))
    S = np.empty((B, n, D))
    cmin = 1e-9 * float(c0.max())
    for row, k in enumerate(indices):
        rng = sample_rng(seed, int(k))
        # fixed draw order: capability, position, salience
        C[row] = np.maximum(_draw(rng, c0, spec["c_spread"]), cmin)
        X[row] = np.clip(_draw(rng, x0, spec["x_spread"]), lo, hi)
        S[row] = np.clip(_draw(rng, s0, spec["s_spread"]), 0.0, 1.0)
    bounds = spec.get("bounds")
    if bounds is not None:
        # red lines stay fixed; a draw past its actor's own is kept at the line
        X = np.minimum(np.maximum(X, bounds[0]), bounds[1])
    cols = []
    for model in spec["models"]:
        if model in ("mean", "median"):
            f = weighted_mean if model == "mean" else weighted_median
            W = C[:, :, None] * S
            cols.append(np.stack([np.asarray(f(X[:, :, d], W[:, :, d])) for d in range(D)], axis=1))
        elif model == "eum":
            opts = spec["eum"]
            out = np.empty((B, D))
            for d in range(D):
                lines = None
                if bounds is not None and spec["bounded"][d]:
                    lines = tuple(np.broadcast_to(b[:, d], (B, n)) for b in bounds)
                out[:, d] = eum_forecast_batch(X[:, :, d], C, S[:, :, d], bounds=lines, **opts)[0]
            cols.append(out)
        else:
            tot = S.sum(axis=-1, keepdims=True)
            Sn = np.where(tot > 1, S / np.where(tot > 1, tot, 1.0), S)
            Xn = (X - lo) / (hi - lo)
            run = spec["smp"]
            if bounds is not None:
                run = {
                    **run,
                    "bounds": tuple(np.broadcast_to((b - lo) / (hi - lo), X.shape) for b in bounds),
                }
            if run["opts"].get("transitions") == "stochastic":
                # each sample draws its own transitions from its own seed, so a sample
                # stays a pure function of (seed, index) whatever the chunking
                fc = np.empty((B, D))
                for row, k in enumerate(indices):
                    own = int(np.random.SeedSequence((int(seed), int(k), 1)).generate_state(1)[0])
                    one = {**run, "opts": {**run["opts"], "seed": own}}
                    if bounds is not None:
                        one["bounds"] = tuple(b[row : row + 1] for b in run["bounds"])
                    fc[row] = smp_forecast_batch(
                        Xn[row : row + 1], Sn[row : row + 1], C[row : row + 1], **one
                    )[0][0]
            else:
                fc, _ = smp_forecast_batch(Xn, Sn, C, **run)
            cols.append(fc * (hi - lo) + lo)
    feats = [C.reshape(B, -1), X.reshape(B, -1), S.reshape(B, -1)]
    return np.concatenate([np.stack(cols, axis=2).reshape(B, -1), *feats], axis=1)


def _rank(a: np.ndarray) -> np.ndarray:
    """Average ranks down each column (ties share their mean rank)."""
    n = a.shape[0]
    order = np.argsort(a, axis=0, kind="stable")
    sa = np.take_along_axis(a, order, axis=0)
    ranks = np.empty_like(a, dtype=float)
    for j in range(a.shape[1]):
        col = sa[:, j]
        new = np.concatenate(([True], col[1:] != col[:-1]))
        starts = np.nonzero(new)[0]
        ends = np.concatenate((starts[1:], [n]))
        avg = (starts + ends - 1) / 2.0
        r = np.repeat(avg, ends - starts)
        ranks[order[:, j], j] = r
    return ranks


def _spearman(y: np.ndarray, F: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of ``y`` with each column of ``F`` (nan if constant)."""
    ry = _rank(y[:, None])[:, 0]
    rf = _rank(F)
    ry = ry - ry.mean()
    rf = rf - rf.mean(axis=0)
    den = np.sqrt((ry**2).sum() * (rf**2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (ry @ rf) / np.where(den > 0, den, 1.0), np.nan)


def monte_carlo(
    actors: Sequence[str],
    capability,
    position,
    salience,
    *,
    scale: tuple[float, float] = (0.0, 100.0),
    issues: Sequence[str] | None = None,
    capability_sd=None,
    position_sd=None,
    salience_sd=None,
    capability_range=None,
    position_range=None,
    salience_range=None,
    models: Sequence[str] = ("mean", "median", "eum"),
    n_runs: int = 1000,
    seed: int | np.random.Generator | None = 0,
    level: float = 0.9,
    eum: dict | None = None,
    smp: dict | None = None,
    workers: int | None = 1,
    dask_address=None,
    chunk: int | None = None,
    bounds=None,
) -> MonteCarloResult:
    """Distribution of each model's forecast when the inputs are uncertain.

    Parameters
    ----------
    actors, capability, position, salience
        As for :func:`~detente.forecast.expected_utility`; positions and
        saliences may be ``(n,)`` or ``(n, D)`` (several issues).
    scale : (float, float)
    issues : sequence of str, optional
    capability_sd, position_sd, salience_sd : float or array_like, optional
        Standard deviations, broadcast to the input's shape.
    capability_range, position_range, salience_range : (low, high), optional
        Uniform ranges (arrays broadcast to the input's shape); give either the
        sd or the range of an input, not both.
    models : sequence of {"mean", "median", "eum", "smp"}
        Which forecasts to collect: the compromise model, the weighted median,
        the expected utility model (one issue at a time) and the spatial model
        (all issues jointly).
    n_runs : int
        Number of samples.
    seed : int or numpy Generator
        Sample ``k`` is drawn from ``SeedSequence(seed, spawn_key=(k,))``.
    level : float
        Coverage of the reported central interval (default 0.9).
    eum, smp : dict, optional
        Keyword options for the models (e.g. ``{"variant": "paper", "statistic":
        "mean", "rounds": 10}``, ``{"victory": "square"}``).
    workers, dask_address, chunk
        Passed to :func:`detente.parallel.map_samples`; the default runs in this
        process.
    bounds : (at_least, at_most), optional
        Red lines, as for :func:`~detente.forecast.expected_utility`; the same in
        every sample (never drawn). Drawn positions are clipped to them, and the
        expected utility and spatial models keep every actor inside its interval
        in every round.

    Returns
    -------
    MonteCarloResult
        One :class:`SampleSummary` per issue and model, with the samples, their
        median and interval, and the Spearman rank correlation of every
        uncertain input with the forecast (which inputs move it most).

    Raises
    ------
    CaseError
        Invalid inputs or spreads.

    Examples
    --------
    >>> res = monte_carlo(["a", "b", "c"], [1, 1, 1], [0, 50, 100], [1, 1, 1],
    ...                   position_sd=5, models=("mean",), n_runs=200, seed=1)
    >>> s = res.get("issue", "mean")
    >>> 40 < s.median < 60
    True
    """
    bad = [m for m in models if m not in MODELS]
    if bad or not models:
        raise ValueError(f"models must be a non-empty subset of {MODELS}, got {tuple(models)!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    if n_runs < 1:
        raise ValueError(f"n_runs must be >= 1, got {n_runs!r}")
    seed = normalize_seed(seed)
    chk, X, S, names, multi = issue_arrays(
        actors, capability, position, salience, scale=scale, issues=issues
    )
    n, D = X.shape
    problems: list[Problem] = []
    x_shape = X.shape

    def reshape(v):
        if v is None or multi:
            return v
        return np.asarray(v, dtype=float).reshape(-1, 1) if np.ndim(v) == 1 else v

    def reshape_range(v):
        if v is None or multi:
            return v
        return (reshape(v[0]), reshape(v[1]))

    c_spread = _spread("capability", capability_sd, capability_range, (n,), problems)
    x_spread = _spread(
        "position", reshape(position_sd), reshape_range(position_range), x_shape, problems
    )
    s_spread = _spread(
        "salience", reshape(salience_sd), reshape_range(salience_range), x_shape, problems
    )
    if problems:
        raise CaseError(problems)
    bnd = check_bounds(bounds, chk.position.shape, chk.scale)
    bounds_nd = None if bnd is None else (bnd[0].reshape(X.shape), bnd[1].reshape(X.shape))
    eum_opts = dict(eum or {})
    if eum_opts.get("variant", "paper") not in VARIANTS:
        raise ValueError(f"eum variant must be one of {VARIANTS}")
    smp_kw = dict(smp or {})
    smp_run = {k: smp_kw.pop(k) for k in ("tol", "max_rounds", "rounds") if k in smp_kw}
    if "smp" in models:
        check_salience_sums(chk.actors, S)
    spec = {
        "c": chk.capability,
        "x": X,
        "s": S,
        "scale": chk.scale,
        "c_spread": c_spread,
        "x_spread": x_spread,
        "s_spread": s_spread,
        "models": tuple(models),
        "eum": eum_opts,
        "smp": {"opts": smp_options(**smp_kw), **smp_run},
        "bounds": bounds_nd,
        "bounded": None
        if bounds_nd is None
        else (np.isfinite(bounds_nd[0]) | np.isfinite(bounds_nd[1])).any(axis=0).tolist(),
    }
    table = map_samples(
        partial(_mc_chunk, spec=spec),
        n_runs,
        seed=seed,
        workers=workers,
        dask_address=dask_address,
        chunk=chunk,
    )
    M = len(models)
    fc = table[:, : D * M].reshape(n_runs, D, M)
    feats = table[:, D * M :]
    # feature names and which issue they belong to (None: capability, every issue)
    fnames: list[tuple[str, int | None, bool]] = []
    for i, a in enumerate(chk.actors):
        fnames.append((f"capability[{a}]", None, c_spread is not None and _has(c_spread, (i,))))
    for field_name, spread in (("position", x_spread), ("salience", s_spread)):
        for i, a in enumerate(chk.actors):
            for d in range(D):
                label = f"{field_name}[{a}]" if not multi else f"{field_name}[{a}, {names[d]}]"
                fnames.append((label, d, spread is not None and _has(spread, (i, d))))
    # fnames follows the feature block: capability (n), position, salience (n*D each)
    q_lo, q_hi = (1 - level) / 2, 1 - (1 - level) / 2
    summaries = []
    for d in range(D):
        for m, model in enumerate(models):
            y = fc[:, d, m]
            keep = [
                j
                for j, (_label, issue_d, has) in enumerate(fnames)
                if has and (model == "smp" or issue_d is None or issue_d == d)
            ]
            labels = [fnames[j][0] for j in keep]
            rho = _spearman(y, feats[:, keep]) if keep else np.array([])
            summaries.append(
                SampleSummary(
                    issue=names[d],
                    model=model,
                    samples=tuple(float(v) for v in y),
                    median=float(np.median(y)),
                    interval=(float(np.quantile(y, q_lo)), float(np.quantile(y, q_hi))),
                    sensitivity={
                        lab: (None if not np.isfinite(r) else float(r))
                        for lab, r in zip(labels, rho, strict=True)
                    },
                )
            )
    params = {
        "n_runs": n_runs,
        "seed": seed,
        "level": level,
        "models": list(models),
        "scale": list(chk.scale),
        "issues": list(names),
        "eum": eum_opts,
        "smp": {**smp_kw, **smp_run},
        "spreads": {
            "capability": _describe(c_spread),
            "position": _describe(x_spread),
            "salience": _describe(s_spread),
        },
    }
    if bnd is not None:
        params["bounds"] = {"at_least": bnd[0].tolist(), "at_most": bnd[1].tolist()}
    return MonteCarloResult("monte_carlo", params, chk.actors, tuple(summaries))


def _has(spread, idx) -> bool:
    if spread[0] == "sd":
        return bool(spread[1][idx] > 0)
    return bool(spread[2][idx] > spread[1][idx])


def _describe(spread):
    if spread is None:
        return None
    if spread[0] == "sd":
        return {"sd": spread[1].tolist()}
    return {"low": spread[1].tolist(), "high": spread[2].tolist()}
