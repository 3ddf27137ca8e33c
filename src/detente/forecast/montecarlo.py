"""Monte Carlo forecasts over uncertain capabilities, positions and saliences.

Each input may carry a spread: a standard deviation (normal draws around the
stated value) or a ``(low, high)`` range (uniform draws). Sample ``k`` is a pure
function of ``(seed, k)`` (see :mod:`detente.parallel`), so a run gives the same
numbers serially, on local cores or on a Dask cluster. Samples are processed in
batches: the models run on arrays with a leading sample axis. Several runs over the
same samples (:func:`monte_carlo_runs`, one per group of a case's issues) share one
pass: every issue of every run joins one batch per model, one row per sample and
issue, each row still its own run.

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

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from detente.errors import CaseError, Problem
from detente.forecast._common import issue_arrays
from detente.forecast._redlines import check_bounds
from detente.forecast.cost import eum_estimate, smp_estimate
from detente.forecast.eum import VARIANTS, eum_forecast_batch
from detente.forecast.results import MonteCarloResult, SampleSummary
from detente.forecast.spatial import check_salience_sums, smp_forecast_batch, smp_options
from detente.forecast.weighted import weighted_mean, weighted_median
from detente.model.limits import Estimate, check_estimate, largest_fitting
from detente.parallel import map_samples, normalize_seed, sample_rng

__all__ = ["monte_carlo", "monte_carlo_runs"]

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


def _draws(indices, seed, specs):
    """Each spec's sampled inputs ``(C, X, S)`` for the samples ``indices``.

    Every spec draws sample ``k`` from the start of ``sample_rng(seed, k)``, in the
    fixed order capability, position, salience; the generator is built once per
    sample and rewound to its start for the next spec.
    """
    B = len(indices)
    out = []
    for spec in specs:
        n, D = spec["x"].shape
        out.append((np.empty((B, n)), np.empty((B, n, D)), np.empty((B, n, D))))
    for row, k in enumerate(indices):
        rng = sample_rng(seed, int(k))
        start = rng.bit_generator.state
        for j, (spec, (C, X, S)) in enumerate(zip(specs, out, strict=True)):
            if j:
                rng.bit_generator.state = start
            lo, hi = spec["scale"]
            C[row] = np.maximum(_draw(rng, spec["c"], spec["c_spread"]), spec["c_min"])
            X[row] = np.clip(_draw(rng, spec["x"], spec["x_spread"]), lo, hi)
            S[row] = np.clip(_draw(rng, spec["s"], spec["s_spread"]), 0.0, 1.0)
    for spec, (_C, X, _S) in zip(specs, out, strict=True):
        bounds = spec["bounds"]
        if bounds is not None:
            # red lines stay fixed; a draw past its actor's own is kept at the line
            np.minimum(np.maximum(X, bounds[0], out=X), bounds[1], out=X)
    return out


def _stacked(parts, B):
    """Rows of several runs stacked into one batch, with their red lines (None when no
    part has any; ``-inf``/``inf`` for the parts without)."""
    X = np.concatenate([p[0] for p in parts])
    C = np.concatenate([p[1] for p in parts])
    S = np.concatenate([p[2] for p in parts])
    if all(p[3] is None for p in parts):
        return X, C, S, None
    lo = [np.full(p[0].shape, -np.inf) if p[3] is None else p[3][0] for p in parts]
    hi = [np.full(p[0].shape, np.inf) if p[3] is None else p[3][1] for p in parts]
    return X, C, S, (np.concatenate(lo), np.concatenate(hi))


def _key(options) -> str:
    """A key under which runs with the same model settings share a batch."""
    return repr(
        sorted((k, v.tolist() if isinstance(v, np.ndarray) else v) for k, v in options.items())
    )


def _mc_chunk(indices, seed, specs):
    """Forecasts (and sampled inputs) of every spec for the samples ``indices``.

    One row per sample: each spec's forecasts (issue-major, then model) and its
    sampled capabilities, positions and saliences, the specs side by side. Every
    issue of every spec that the expected utility model runs joins one batch (and
    likewise for the deterministic spatial model), so that a round is a few array
    operations for all of them; each batch row is still its own run.
    """
    B = len(indices)
    drawn = _draws(indices, seed, specs)
    cols: list[dict[str, np.ndarray]] = [{} for _ in specs]
    eum_jobs: dict[str, list] = {}
    smp_jobs: dict[str, list] = {}
    for j, (spec, (C, X, S)) in enumerate(zip(specs, drawn, strict=True)):
        n, D = spec["x"].shape
        bounds = spec["bounds"]
        for model in spec["models"]:
            if model in ("mean", "median"):
                f = weighted_mean if model == "mean" else weighted_median
                W = C[:, :, None] * S
                cols[j][model] = np.stack(
                    [np.asarray(f(X[:, :, d], W[:, :, d])) for d in range(D)], axis=1
                )
            elif model == "eum":
                cols[j][model] = np.empty((B, D))
                jobs = eum_jobs.setdefault(f"{n}|{_key(spec['eum'])}", [])
                for d in range(D):
                    lines = None
                    if bounds is not None and spec["bounded"][d]:
                        lines = tuple(np.broadcast_to(b[:, d], (B, n)) for b in bounds)
                    jobs.append(((X[:, :, d], C, S[:, :, d], lines), j, d))
            else:
                lo, hi = spec["scale"]
                tot = S.sum(axis=-1, keepdims=True)
                Sn = np.where(tot > 1, S / np.where(tot > 1, tot, 1.0), S)
                Xn = (X - lo) / (hi - lo)
                lines = None
                if bounds is not None:
                    lines = tuple(np.broadcast_to((b - lo) / (hi - lo), X.shape) for b in bounds)
                run = spec["smp"]
                if run["opts"].get("transitions") == "stochastic":
                    fc = _smp_stochastic(indices, seed, Xn, Sn, C, run, lines)
                    cols[j][model] = fc * (hi - lo) + lo
                else:
                    jobs = smp_jobs.setdefault(f"{n}|{D}|{_key(run['opts'])}|{_key(run)}", [])
                    jobs.append(((Xn, C, Sn, lines), j, None))
    for jobs in eum_jobs.values():
        X, C, S, lines = _stacked([p for p, _j, _d in jobs], B)
        fc = eum_forecast_batch(X, C, S, bounds=lines, **specs[jobs[0][1]]["eum"])[0]
        for k, (_p, j, d) in enumerate(jobs):
            cols[j]["eum"][:, d] = fc[k * B : (k + 1) * B]
    for jobs in smp_jobs.values():
        X, C, Sn, lines = _stacked([p for p, _j, _d in jobs], B)
        run = specs[jobs[0][1]]["smp"]
        fc, _ = smp_forecast_batch(X, Sn, C, **({**run, "bounds": lines} if lines else run))
        for k, (_p, j, _d) in enumerate(jobs):
            lo, hi = specs[j]["scale"]
            cols[j]["smp"] = fc[k * B : (k + 1) * B] * (hi - lo) + lo
    tables = []
    for j, (spec, (C, X, S)) in enumerate(zip(specs, drawn, strict=True)):
        fc = np.stack([cols[j][m] for m in spec["models"]], axis=2).reshape(B, -1)
        tables += [fc, C.reshape(B, -1), X.reshape(B, -1), S.reshape(B, -1)]
    return np.concatenate(tables, axis=1)


def _smp_stochastic(indices, seed, Xn, Sn, C, run, bounds):
    """The spatial model with stochastic transitions: each sample draws its own
    transitions from its own seed, so a sample stays a pure function of (seed,
    index) whatever the chunking."""
    fc = np.empty(Xn.shape[::2])
    for row, k in enumerate(indices):
        own = int(np.random.SeedSequence((int(seed), int(k), 1)).generate_state(1)[0])
        one = {**run, "opts": {**run["opts"], "seed": own}}
        if bounds is not None:
            one["bounds"] = tuple(b[row : row + 1] for b in bounds)
        one_row = slice(row, row + 1)
        forecast, _stops = smp_forecast_batch(Xn[one_row], Sn[one_row], C[one_row], **one)
        fc[row] = forecast[0]
    return fc


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
    run = {
        "actors": actors,
        "capability": capability,
        "position": position,
        "salience": salience,
        "scale": scale,
        "issues": issues,
        "capability_sd": capability_sd,
        "position_sd": position_sd,
        "salience_sd": salience_sd,
        "capability_range": capability_range,
        "position_range": position_range,
        "salience_range": salience_range,
        "models": models,
        "level": level,
        "eum": eum,
        "smp": smp,
        "bounds": bounds,
    }
    return monte_carlo_runs(
        [run], n_runs=n_runs, seed=seed, workers=workers, dask_address=dask_address, chunk=chunk
    )[0]


def monte_carlo_runs(
    runs: Sequence[Mapping[str, Any]],
    *,
    n_runs: int = 1000,
    seed: int | np.random.Generator | None = 0,
    workers: int | None = 1,
    dask_address=None,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[MonteCarloResult, ...]:
    """Several Monte Carlo runs over the same samples, as one batch.

    Each run is a mapping of :func:`monte_carlo`'s arguments but the sampling ones
    (``actors``, ``capability``, ``position``, ``salience`` and any of ``scale``,
    ``issues``, the spreads, ``models``, ``level``, ``eum``, ``smp``, ``bounds``).
    Every run gets exactly the result :func:`monte_carlo` gives it alone (sample
    ``k`` of each run draws from the start of ``sample_rng(seed, k)``), but the runs
    share one pass over the samples: the expected utility model plays every issue
    of every run in one batch (and the spatial model likewise), and the samples are
    split into chunks once, for local workers or a Dask cluster.

    ``progress(done, n_runs)`` is called as chunks of samples finish (local runs).

    Returns
    -------
    tuple of MonteCarloResult
        One per run, in order.
    """
    if n_runs < 1:
        raise ValueError(f"n_runs must be >= 1, got {n_runs!r}")
    seed = normalize_seed(seed)
    prepared = [_prepare(**run) for run in runs]
    _check_cost([spec for spec, _meta in prepared], n_runs)
    table = map_samples(
        partial(_mc_chunk, specs=tuple(spec for spec, _meta in prepared)),
        n_runs,
        seed=seed,
        workers=workers,
        dask_address=dask_address,
        chunk=chunk,
        progress=progress,
    )
    out = []
    at = 0
    for spec, meta in prepared:
        n, D = spec["x"].shape
        width = D * len(spec["models"]) + n + 2 * n * D
        out.append(_summary(table[:, at : at + width], spec, meta, n_runs=n_runs, seed=seed))
        at += width
    return tuple(out)


def _estimate(specs: Sequence[dict[str, Any]], n_runs: int) -> Estimate:
    """Time and memory of ``n_runs`` samples of every run (:mod:`detente.forecast.cost`)."""
    total = Estimate()
    width = 0
    for spec in specs:
        n, D = spec["x"].shape
        width += D * len(spec["models"]) + n + 2 * n * D
        if "eum" in spec["models"]:
            eum = spec["eum"]
            total += eum_estimate(
                n,
                D,
                variant=eum.get("variant", "paper"),
                rounds=eum.get("rounds"),
                max_rounds=eum.get("max_rounds", 100),
                samples=n_runs,
            )
        if "smp" in spec["models"]:
            run, opts = spec["smp"], spec["smp"]["opts"]
            total += smp_estimate(
                n,
                D,
                rounds=run.get("rounds"),
                max_rounds=run.get("max_rounds", 100),
                pce=opts["pce"],
                bargain_model=opts["bargain_model"],
                samples=n_runs,
            )
    return total + Estimate(0.0, 8.0 * n_runs * width)


def _check_cost(specs: Sequence[dict[str, Any]], n_runs: int) -> None:
    """Refuse, before the first sample, samples whose estimated time or memory exceeds
    the limits, naming how many samples would fit."""
    estimate = _estimate(specs, n_runs)
    if estimate.within():
        return
    fit = largest_fitting(lambda k: _estimate(specs, k), n_runs)
    most = max(spec["x"].shape[0] for spec in specs)
    fits = (
        f"at most {fit:,} samples would fit"
        if fit
        else "not even one sample fits: use fewer actors or rounds"
    )
    check_estimate(f"{n_runs:,} Monte Carlo samples of up to {most:,} actors", estimate, fits=fits)


def _prepare(
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
    level: float = 0.9,
    eum: dict | None = None,
    smp: dict | None = None,
    bounds=None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check one run's inputs: what its samples need (``spec``, pickled to the
    workers) and what its summary needs (``meta``)."""
    bad = [m for m in models if m not in MODELS]
    if bad or not models:
        raise ValueError(f"models must be a non-empty subset of {MODELS}, got {tuple(models)!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    chk, X, S, names, multi = issue_arrays(
        actors, capability, position, salience, scale=scale, issues=issues
    )
    n = X.shape[0]
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
        "c_min": 1e-9 * float(chk.capability.max()),
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
    meta = {
        "actors": chk.actors,
        "names": names,
        "multi": multi,
        "level": level,
        "smp": {**smp_kw, **smp_run},
        "bnd": bnd,
    }
    return spec, meta


def _summary(table, spec, meta, *, n_runs: int, seed: int) -> MonteCarloResult:
    """One run's summaries from its columns of the samples' table."""
    models = spec["models"]
    c_spread, x_spread, s_spread = spec["c_spread"], spec["x_spread"], spec["s_spread"]
    actors, names, multi, level = meta["actors"], meta["names"], meta["multi"], meta["level"]
    _n, D = spec["x"].shape
    M = len(models)
    fc = table[:, : D * M].reshape(n_runs, D, M)
    feats = table[:, D * M :]
    # feature names and which issue they belong to (None: capability, every issue)
    fnames: list[tuple[str, int | None, bool]] = []
    for i, a in enumerate(actors):
        fnames.append((f"capability[{a}]", None, c_spread is not None and _has(c_spread, (i,))))
    for field_name, spread in (("position", x_spread), ("salience", s_spread)):
        for i, a in enumerate(actors):
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
                    level=level,
                )
            )
    params = {
        "n_runs": n_runs,
        "seed": seed,
        "level": level,
        "models": list(models),
        "scale": list(spec["scale"]),
        "issues": list(names),
        "eum": spec["eum"],
        "smp": meta["smp"],
        "spreads": {
            "capability": _describe(c_spread),
            "position": _describe(x_spread),
            "salience": _describe(s_spread),
        },
    }
    bnd = meta["bnd"]
    if bnd is not None:
        params["bounds"] = {"at_least": bnd[0].tolist(), "at_most": bnd[1].tolist()}
    return MonteCarloResult("monte_carlo", params, actors, tuple(summaries))


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
