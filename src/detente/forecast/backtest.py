"""Backtests: every forecasting model against the recorded outcomes of many issues.

:func:`backtest` runs each model on each issue of a stance table (one issue at a
time, as the models forecast a case's issues) and compares the forecasts with the
recorded outcomes:

- per model: mean absolute error (MAE), root mean squared error, the share of
  issues forecast within 10 and 20 points, the mean error (bias, forecast minus
  outcome) and the coverage of the recommended forecast's calibrated intervals
  (:mod:`detente.forecast.record`) and, with Monte Carlo samples, of each model's
  sample intervals;
- each model's difference in MAE from the compromise model (capability x salience
  weighted mean, the benchmark of Thomson et al. 2006 and Achen 2006), with a
  paired cluster bootstrap interval: proposals are resampled whole, since issues
  of one proposal are decided together (Efron and Tibshirani 1993, ch. 16; the
  issues of a resample keep their pairing across models);
- breakdowns by the outcome table's categorical columns (voting rule, procedure).

Issues run in parallel through :func:`detente.parallel.map_samples` (local
processes or a Dask cluster). Every number is a pure function of the inputs and
``seed``: the same call gives the same result on one core, on many or on a cluster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from detente.errors import CaseError, Problem
from detente.forecast.cost import eum_estimate, smp_estimate
from detente.forecast.eum import expected_utility
from detente.forecast.montecarlo import monte_carlo
from detente.forecast.record import HALF_WIDTHS, RECOMMENDED, forecast_interval
from detente.forecast.spatial import spatial_model
from detente.forecast.weighted import weighted_mean, weighted_median
from detente.model.io.issue_tables import IssueOutcome, IssueStances
from detente.model.limits import Estimate, check_estimate, largest_fitting
from detente.parallel import map_samples

__all__ = [
    "BASELINE",
    "MODELS",
    "MODEL_LABELS",
    "BacktestResult",
    "IssueBacktest",
    "ModelRecord",
    "backtest",
    "error_metrics",
    "paired_bootstrap",
]

BASELINE = "mean"
"""The benchmark every model is compared with: the compromise model."""

MODEL_LABELS = {
    "mean": "compromise model (weighted mean)",
    "median": "weighted median",
    "eum": "expected utility model (paper)",
    "eum-scholz": "expected utility model (Scholz's code)",
    "smp": "spatial model (KTAB)",
}
MODELS = tuple(MODEL_LABELS)
"""Every model a backtest can run, the compromise model first."""

MAX_CATEGORIES = 12
"""A column of the outcome table with more distinct values than this is not broken down."""


@dataclass(frozen=True)
class IssueBacktest:
    """One tested issue: its outcome and every model's forecast."""

    issue: str
    group: str
    outcome: float
    reference_point: float | None
    attributes: dict[str, str]
    n_actors: int
    forecasts: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    """The recommended forecast's calibrated interval at the result's ``level``."""
    mc_intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per model, the central interval of its Monte Carlo samples (with ``samples``)."""

    def to_dict(self) -> dict[str, Any]:
        models: dict[str, Any] = {}
        for m, f in self.forecasts.items():
            entry: dict[str, Any] = {"forecast": f, "error": f - self.outcome}
            if m in self.intervals:
                lo, hi = self.intervals[m]
                entry["interval"] = [lo, hi]
                entry["covered"] = bool(lo <= self.outcome <= hi)
            if m in self.mc_intervals:
                lo, hi = self.mc_intervals[m]
                entry["monte_carlo_interval"] = [lo, hi]
                entry["monte_carlo_covered"] = bool(lo <= self.outcome <= hi)
            models[m] = entry
        return {
            "proposal": self.group,
            "outcome": self.outcome,
            "reference_point": self.reference_point,
            "attributes": dict(self.attributes),
            "actors": self.n_actors,
            "models": models,
        }


@dataclass(frozen=True)
class ModelRecord:
    """One model's record over the tested issues."""

    model: str
    n: int
    mae: float
    rmse: float
    within_10: float
    within_20: float
    bias: float
    vs_baseline: tuple[float, float, float] | None
    """MAE minus the compromise model's, with the bootstrap interval (None for the baseline)."""
    coverage: float | None = None
    """Share of outcomes inside the recommended forecast's intervals (None for other models)."""
    mc_coverage: float | None = None
    """Share of outcomes inside the model's Monte Carlo intervals (None without samples)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": MODEL_LABELS.get(self.model, self.model),
            "n": self.n,
            "mae": self.mae,
            "rmse": self.rmse,
            "within_10": self.within_10,
            "within_20": self.within_20,
            "bias": self.bias,
        }
        if self.vs_baseline is not None:
            d, lo, hi = self.vs_baseline
            out["mae_minus_baseline"] = {"estimate": d, "low": lo, "high": hi}
        if self.coverage is not None:
            out["coverage"] = self.coverage
        if self.mc_coverage is not None:
            out["monte_carlo_coverage"] = self.mc_coverage
        return out


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` returns."""

    models: tuple[str, ...]
    issues: tuple[IssueBacktest, ...]
    records: dict[str, ModelRecord]
    breakdowns: dict[str, dict[str, dict[str, Any]]]
    """Per categorical column, per value: ``{"n": issues, "mae": {model: MAE}}``."""
    skipped: tuple[tuple[str, str], ...]
    """Issues not tested, with the reason."""
    params: dict[str, Any]
    recommended: str = RECOMMENDED

    @property
    def baseline(self) -> str:
        return BASELINE

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: ``models[MODEL]``, ``issues[ISSUE].models[MODEL].forecast``."""
        return {
            "recommended": self.recommended,
            "baseline": BASELINE,
            "params": dict(self.params),
            "models": {m: self.records[m].to_dict() for m in self.models},
            "breakdowns": self.breakdowns,
            "skipped": [{"issue": i, "reason": r} for i, r in self.skipped],
            "issues": {i.issue: i.to_dict() for i in self.issues},
        }

    def to_frame(self):
        """Per-issue forecasts as a pandas DataFrame: one row per issue and model.

        Columns: ``issue, proposal, model, forecast, outcome, error`` and, where the
        model has intervals, ``low, high``; plus the outcome table's other columns.
        Needs pandas (``pip install 'detente[notebook]'``).
        """
        import pandas as pd

        return pd.DataFrame(self.rows())

    def summary_frame(self):
        """One row per model: n, MAE, RMSE, within 10 and 20, bias, difference from the baseline."""
        import pandas as pd

        rows = []
        for m in self.models:
            rec = self.records[m].to_dict()
            diff = rec.pop("mae_minus_baseline", None) or {}
            rows.append(
                {
                    "model": m,
                    **rec,
                    "mae_minus_baseline": diff.get("estimate"),
                    "low": diff.get("low"),
                    "high": diff.get("high"),
                }
            )
        return pd.DataFrame(rows).set_index("model")

    def rows(self) -> list[dict[str, Any]]:
        """Per-issue forecasts as flat rows (the CSV export)."""
        out = []
        for i in self.issues:
            for m in self.models:
                f = i.forecasts[m]
                lo, hi = i.intervals.get(m) or i.mc_intervals.get(m) or (math.nan, math.nan)
                out.append(
                    {
                        "issue": i.issue,
                        "proposal": i.group,
                        "model": m,
                        "forecast": f,
                        "outcome": i.outcome,
                        "error": f - i.outcome,
                        "low": lo,
                        "high": hi,
                        "reference_point": i.reference_point,
                        **i.attributes,
                    }
                )
        return out

    def _repr_html_(self) -> str:
        from html import escape

        head = "".join(
            f"<th>{escape(h)}</th>"
            for h in ("model", "MAE", "RMSE", "within 10", "within 20", "bias", "MAE vs compromise")
        )
        body = []
        for m in self.models:
            r = self.records[m]
            diff = (
                "baseline"
                if r.vs_baseline is None
                else f"{r.vs_baseline[0]:+.1f} [{r.vs_baseline[1]:+.1f}, {r.vs_baseline[2]:+.1f}]"
            )
            mark = " (recommended)" if m == self.recommended else ""
            cells = (
                f"{escape(m)}{mark}",
                f"{r.mae:.1f}",
                f"{r.rmse:.1f}",
                f"{r.within_10:.0%}",
                f"{r.within_20:.0%}",
                f"{r.bias:+.1f}",
                diff,
            )
            body.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
        return (
            f"<p>Backtest on {len(self.issues)} issues "
            f"({len(self.skipped)} skipped)</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )


def error_metrics(forecast, outcome) -> dict[str, float]:
    """MAE, RMSE, shares within 10 and 20 points and the mean error of paired arrays.

    Examples
    --------
    >>> m = error_metrics([10, 50, 90], [0, 50, 60])
    >>> m["mae"], m["within_10"], m["bias"]
    (13.333333333333334, 0.6666666666666666, 13.333333333333334)
    """
    f = np.asarray(forecast, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if f.shape != y.shape or f.size == 0:
        raise ValueError("forecast and outcome must be non-empty arrays of the same shape")
    e = f - y
    a = np.abs(e)
    return {
        "mae": float(a.mean()),
        "rmse": float(np.sqrt((e * e).mean())),
        "within_10": float((a <= 10 + 1e-9).mean()),
        "within_20": float((a <= 20 + 1e-9).mean()),
        "bias": float(e.mean()),
    }


def paired_bootstrap(
    loss, baseline_loss, groups: Sequence[str], *, n: int = 2000, seed: int = 0, level=0.95
) -> tuple[float, float, float]:
    """Mean of ``loss - baseline_loss`` with a cluster bootstrap percentile interval.

    Whole groups (proposals) are drawn with replacement, ``n`` times; each
    resample's difference is the difference of the two mean losses over the drawn
    issues. Returns ``(estimate, low, high)``.

    Examples
    --------
    >>> est, lo, hi = paired_bootstrap([1, 2, 3, 4], [2, 3, 4, 5], ["a", "a", "b", "c"])
    >>> est, lo, hi
    (-1.0, -1.0, -1.0)
    """
    d = np.asarray(loss, dtype=float) - np.asarray(baseline_loss, dtype=float)
    names, idx = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    sums = np.bincount(idx, weights=d, minlength=len(names))
    counts = np.bincount(idx, minlength=len(names)).astype(float)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(n, len(names)))
    boot = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    tail = (1 - level) / 2
    lo, hi = np.quantile(boot, [tail, 1 - tail])
    return float(d.mean()), float(lo), float(hi)


@dataclass(frozen=True)
class _Issue:
    """What a worker needs to forecast one issue."""

    issue: str
    actors: tuple[str, ...]
    capability: tuple[float, ...]
    position: tuple[float, ...]
    salience: tuple[float, ...]
    reference_point: float | None
    attributes: dict[str, str]


def _forecast_one(
    item: _Issue, models: Sequence[str], scale: tuple[float, float], level: float
) -> dict:
    a, c, x, s = item.actors, item.capability, item.position, item.salience
    w = np.asarray(c) * np.asarray(s)
    out: dict[str, float] = {}
    intervals: dict[str, tuple[float, float]] = {}
    for m in models:
        if m == "mean":
            out[m] = float(weighted_mean(x, w))
        elif m == "median":
            out[m] = float(weighted_median(x, w))
        elif m == "eum":
            out[m] = expected_utility(a, c, x, s, scale=scale).issues[0].forecast
        elif m == "eum-scholz":
            res = expected_utility(a, c, x, s, scale=scale, variant="scholz-code")
            out[m] = res.issues[0].forecast
        elif m == "smp":
            out[m] = spatial_model(a, c, x, s, scale=scale).issues[0].forecast
        if m == RECOMMENDED and level in HALF_WIDTHS:
            intervals[m] = forecast_interval(out[m], scale, level)
    return {"forecasts": out, "intervals": intervals}


def _forecast_chunk(indices, _seed, items, models, scale, level) -> list[dict]:
    return [_forecast_one(items[i], models, scale, level) for i in indices]


def _monte_carlo_chunk(indices, seed, items, models, scale, n_runs, level, spreads) -> list[dict]:
    """Monte Carlo intervals of the mean, median, EUM and SMP for the given issues: one
    run of samples per issue for every model but Scholz's EUM, which needs a run of its
    own (the same draws: the same seed)."""
    runs = [
        ({m: m for m in ("mean", "median", "smp", "eum") if m in models}, "paper"),
        ({"eum-scholz": "eum"} if "eum-scholz" in models else {}, "scholz-code"),
    ]
    position_sd, salience_sd, capability_share = spreads
    out = []
    for i in indices:
        item = items[i]
        found: dict[str, tuple[float, float]] = {}
        for keys, variant in runs:
            if not keys:
                continue
            res = monte_carlo(
                item.actors,
                item.capability,
                item.position,
                item.salience,
                scale=scale,
                models=tuple(keys.values()),
                n_runs=n_runs,
                seed=seed + int(i),
                level=level,
                eum={"variant": variant},
                workers=1,
                position_sd=position_sd,
                salience_sd=salience_sd,
                capability_sd=capability_share * np.asarray(item.capability),
            )
            for model, key in keys.items():
                lo, hi = res.get("issue", key).interval
                found[model] = (float(lo), float(hi))
        out.append(found)
    return out


def _estimate(items: Sequence[_Issue], models: Sequence[str], samples: int) -> Estimate:
    """Time and memory of every model on every issue, samples included, one issue after
    the other (:mod:`detente.forecast.cost`; workers only shorten it)."""
    total = Estimate()
    for item in items:
        n = len(item.actors)
        for k in (0, samples) if samples else (0,):
            if "eum" in models:
                total += eum_estimate(n, samples=k, many=True)
            if "eum-scholz" in models:
                total += eum_estimate(n, variant="scholz-code", samples=k, many=True)
            if "smp" in models:
                total += smp_estimate(n, samples=k, many=True)
    return total


def _check_cost(items: Sequence[_Issue], models: Sequence[str], samples: int) -> None:
    """Refuse, before the first issue runs, a backtest whose estimated time or memory
    exceeds the limits, with the number of samples (or of issues) that would fit."""
    estimate = _estimate(items, models, samples)
    if estimate.within():
        return
    what = f"the backtest of {len(items):,} issues"
    what += f" with {samples:,} samples each" if samples else ""
    if samples and _estimate(items, models, 0).within():
        fit = largest_fitting(lambda k: _estimate(items, models, k), samples)
        check_estimate(what, estimate, fits=f"at most {fit or 0:,} samples would fit")
    fit = largest_fitting(lambda k: _estimate(items[:k], models, samples), len(items))
    fits = f"the first {fit:,} issues would fit" if fit else "not even one issue fits"
    check_estimate(what, estimate, fits=f"{fits}; leave out the slower models (--model)")


def backtest(
    stances: Iterable[IssueStances],
    outcomes: Iterable[IssueOutcome],
    *,
    models: Sequence[str] = MODELS,
    scale: tuple[float, float] = (0.0, 100.0),
    bootstrap: int = 2000,
    seed: int = 0,
    samples: int = 0,
    level: float = 0.9,
    position_sd: float = 5.0,
    salience_sd: float = 0.05,
    capability_sd: float = 0.1,
    workers: int | None = None,
    dask_address: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestResult:
    """Run every model on every issue and compare the forecasts with the outcomes.

    Parameters
    ----------
    stances, outcomes
        From :func:`detente.model.io.issue_tables.read_stance_table` and
        :func:`~detente.model.io.issue_tables.read_outcome_table` (or built by hand).
    models : sequence of str
        Keys of :data:`MODEL_LABELS`; the compromise model (``"mean"``) is always
        run, as the benchmark.
    scale : (float, float)
        The scale of every issue (DEU: 0-100).
    bootstrap : int
        Resamples of the proposals for the intervals of the differences from the
        compromise model (95 %).
    seed : int
        Seed of the bootstrap and of the Monte Carlo samples.
    samples : int
        With ``samples > 0``, each issue also gets Monte Carlo intervals at ``level``
        for the compromise model, the weighted median, the EUM and the spatial model
        (inputs drawn with ``position_sd`` points, ``salience_sd`` salience and
        ``capability_sd`` relative capability spreads), and their coverage is measured.
    level : float
        Nominal coverage of the intervals: of the Monte Carlo intervals, and of the
        recommended forecast's calibrated intervals (which exist at 0.5, 0.8 and 0.9,
        :data:`detente.forecast.record.HALF_WIDTHS`).
    workers, dask_address
        Where the issues run: local processes (default: every core) or a Dask cluster.
    progress : callable, optional
        Called as ``progress(done, total)`` as issues are finished.

    Returns
    -------
    BacktestResult

    Raises
    ------
    CaseError
        Unknown model names, or no issue that can be tested.
    CaseTooLargeError
        The backtest's estimated time or memory (every model on every issue, samples
        included) exceeds ``DETENTE_MAX_SECONDS`` or ``DETENTE_MAX_MEMORY``; checked
        before the first issue runs.

    Examples
    --------
    >>> from detente.model.io.issue_tables import parse_outcome_table, parse_stance_table
    >>> st = parse_stance_table("issue,actor,capability,position,salience\\n"
    ...     "i1,a,1,0,1\\ni1,b,1,100,1\\ni2,a,1,0,1\\ni2,b,3,100,1\\n")
    >>> oc = parse_outcome_table("issue,outcome\\ni1,50\\ni2,80\\n")
    >>> res = backtest(st, oc, models=("mean", "median"), workers=1)
    >>> res.records["mean"].mae
    2.5
    """
    unknown = [m for m in models if m not in MODEL_LABELS]
    if unknown:
        raise CaseError(
            Problem(
                f"unknown model {unknown[0]!r}; the models are {', '.join(MODELS)}",
                path=("models",),
            )
        )
    if not 0 < level < 1:
        raise CaseError(Problem(f"level must lie in (0, 1), got {level!r}", path=("level",)))
    models = tuple(dict.fromkeys([BASELINE, *models]))
    items, kept, skipped = _pair(list(stances), list(outcomes))
    if not items:
        reasons = "; ".join(f"{i}: {r}" for i, r in skipped[:5])
        raise CaseError(Problem(f"no issue can be tested ({reasons or 'the tables are empty'})"))
    _check_cost(items, models, samples)
    results = map_samples(
        partial(_forecast_chunk, items=items, models=models, scale=scale, level=level),
        len(items),
        seed=seed,
        workers=workers,
        dask_address=dask_address,
        progress=progress,
    )
    mc: list[dict] = [{} for _ in items]
    if samples > 0:
        spreads = (position_sd, salience_sd, capability_sd)
        mc = map_samples(
            partial(
                _monte_carlo_chunk,
                items=items,
                models=models,
                scale=scale,
                n_runs=samples,
                level=level,
                spreads=spreads,
            ),
            len(items),
            seed=seed,
            workers=workers,
            dask_address=dask_address,
        )
    issues = tuple(
        IssueBacktest(
            issue=item.issue,
            group=out.group,
            outcome=float(out.outcome or 0.0),
            reference_point=out.reference_point,
            attributes=dict(out.attributes),
            n_actors=len(item.actors),
            forecasts=res["forecasts"],
            intervals=res["intervals"],
            mc_intervals=mc_i,
        )
        for item, out, res, mc_i in zip(items, kept, results, mc, strict=True)
    )
    records = _records(issues, models, bootstrap=bootstrap, seed=seed)
    params = {
        "scale": list(scale),
        "bootstrap": bootstrap,
        "seed": seed,
        "level": level,
        "samples": samples,
    }
    if samples:
        params.update(position_sd=position_sd, salience_sd=salience_sd, capability_sd=capability_sd)
    return BacktestResult(
        models=models,
        issues=issues,
        records=records,
        breakdowns=_breakdowns(issues, models),
        skipped=tuple(skipped),
        params=params,
    )


def _pair(
    stances: list[IssueStances], outcomes: list[IssueOutcome]
) -> tuple[list[_Issue], list[IssueOutcome], list[tuple[str, str]]]:
    """The testable issues, in the outcome table's order, and the skipped ones with a reason."""
    by_issue = {s.issue: s for s in stances}
    items: list[_Issue] = []
    kept: list[IssueOutcome] = []
    skipped: list[tuple[str, str]] = []
    for out in outcomes:
        st = by_issue.get(out.issue)
        if st is None:
            skipped.append((out.issue, "no stances in the stance table"))
        elif out.outcome is None:
            skipped.append((out.issue, "no recorded outcome"))
        elif len(st.actors) < 2:
            skipped.append((out.issue, f"only {len(st.actors)} actor with a stance"))
        elif not any(c * s > 0 for c, s in zip(st.capability, st.salience, strict=True)):
            skipped.append((out.issue, "every salience is zero"))
        else:
            items.append(
                _Issue(
                    out.issue,
                    st.actors,
                    st.capability,
                    st.position,
                    st.salience,
                    out.reference_point,
                    dict(out.attributes),
                )
            )
            kept.append(out)
    have = {o.issue for o in outcomes}
    skipped += [(s.issue, "no row in the outcome table") for s in stances if s.issue not in have]
    return items, kept, skipped


def _records(
    issues: Sequence[IssueBacktest], models: Sequence[str], *, bootstrap: int, seed: int
) -> dict[str, ModelRecord]:
    y = np.array([i.outcome for i in issues])
    groups = [i.group for i in issues]
    base = np.abs(np.array([i.forecasts[BASELINE] for i in issues]) - y)
    out = {}
    for m in models:
        f = np.array([i.forecasts[m] for i in issues])
        metrics = error_metrics(f, y)
        vs = (
            None
            if m == BASELINE
            else paired_bootstrap(np.abs(f - y), base, groups, n=bootstrap, seed=seed)
        )
        out[m] = ModelRecord(
            m,
            len(issues),
            vs_baseline=vs,
            coverage=_coverage(issues, m, "intervals"),
            mc_coverage=_coverage(issues, m, "mc_intervals"),
            **metrics,
        )
    return out


def _coverage(issues: Sequence[IssueBacktest], model: str, kind: str) -> float | None:
    inside = [
        lo <= i.outcome <= hi
        for i in issues
        for lo, hi in [getattr(i, kind).get(model, (None, None))]
        if lo is not None and hi is not None
    ]
    return float(np.mean(inside)) if inside else None


def _breakdowns(
    issues: Sequence[IssueBacktest], models: Sequence[str]
) -> dict[str, dict[str, dict[str, Any]]]:
    columns: dict[str, set[str]] = {}
    for i in issues:
        for k, v in i.attributes.items():
            columns.setdefault(k, set()).add(v)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for col, values in columns.items():
        if not 2 <= len(values) <= MAX_CATEGORIES:
            continue
        out[col] = {}
        for v in sorted(values):
            sub = [i for i in issues if i.attributes.get(col) == v]
            out[col][v or "(blank)"] = {
                "n": len(sub),
                "mae": {
                    m: float(np.mean([abs(i.forecasts[m] - i.outcome) for i in sub]))
                    for m in models
                },
            }
    return out
