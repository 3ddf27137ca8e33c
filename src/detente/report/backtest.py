"""The backtest told for readers: which forecast to trust, by how much, and where.

Renders the plain data of :meth:`detente.forecast.backtest.BacktestResult.to_dict`
as a report section (findings, then tables) and as plotly figures.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from detente.report.sections import Section, Table

__all__ = ["backtest_brief", "backtest_figure", "backtest_figures", "backtest_section"]

FIGURE_KINDS = ("errors", "scatter", "coverage")

SHORT_LABELS = {
    "mean": "compromise",
    "median": "weighted median",
    "eum": "EUM (paper)",
    "eum-scholz": "EUM (Scholz)",
    "smp": "spatial (KTAB)",
}
"""Model names short enough for a table on an 80-column terminal."""


def _label(data: dict[str, Any], model: str) -> str:
    return str(data["models"][model].get("label", model))


def _short(model: str) -> str:
    return SHORT_LABELS.get(model, model)


def _diff(rec: dict[str, Any]) -> list[str]:
    d = rec.get("mae_minus_baseline")
    if d is None:
        return ["–", "benchmark"]
    return [f"{d['estimate']:+.1f}", f"{d['low']:+.1f} to {d['high']:+.1f}"]


def _verdict(d: dict[str, float]) -> str:
    if d["high"] < 0:
        return "better than the compromise model"
    if d["low"] > 0:
        return "worse than the compromise model"
    return "not distinguishable from the compromise model"


def backtest_brief(data: dict[str, Any], *, stances: str, outcomes: str) -> dict[str, Any]:
    """The heading of a backtest report (a report brief without a case)."""
    n = len(data["issues"])
    return {
        "title": f"Backtest of detente's forecasts on {n} issue{'s' if n != 1 else ''}",
        "description": f"Stances from {stances}; recorded outcomes from {outcomes}.",
        "actors": [],
        "options": [],
        "issues": [],
        "proposals": [],
        "forums": [],
    }


def backtest_section(data: dict[str, Any], brief: dict[str, Any] | None = None) -> Section:
    """Findings and tables of a backtest."""
    models = list(data["models"])
    base = data["baseline"]
    rec = data["models"]
    issues = data["issues"]
    groups = {i["proposal"] for i in issues.values()}
    findings = [
        f"On {len(issues)} issues ({len(groups)} proposals), the {_label(data, base)} misses "
        f"the recorded outcome by {rec[base]['mae']:.1f} points on average (mean absolute "
        f"error), and comes within 10 points on {rec[base]['within_10']:.0%} of the issues."
    ]
    recommended = str(data.get("recommended", ""))
    level = data["params"].get("level", 0.9)
    if recommended in rec:
        r = rec[recommended]
        text = (
            f"detente's recommended forecast is the {_label(data, recommended)}: no other model "
            "beat it out of sample on the DEU III development data (docs/methods/forecast.md)"
        )
        if r.get("coverage") is not None:
            text += (
                f"; its calibrated {level:.0%} intervals hold {r['coverage']:.0%} of the "
                "outcomes here"
            )
        findings.append(text + ".")
    better = [
        m
        for m in models
        if m != base and (rec[m].get("mae_minus_baseline") or {}).get("high", 1) < 0
    ]
    for m in better:
        d = rec[m]["mae_minus_baseline"]
        findings.append(
            f"On these issues the {_label(data, m)} beats the compromise model by "
            f"{-d['estimate']:.1f} points (95% interval {-d['high']:.1f} to {-d['low']:.1f}, "
            "proposals resampled)."
        )
    if not better and len(models) > 1:
        findings.append("No model beats the compromise model here by more than chance explains.")
    worse = [
        m
        for m in models
        if m != base and (rec[m].get("mae_minus_baseline") or {}).get("low", -1) > 0
    ]
    if worse:
        findings.append(
            "Worse than the compromise model, beyond what chance explains: "
            + "; ".join(
                f"the {_label(data, m)} by {rec[m]['mae_minus_baseline']['estimate']:.1f} points"
                for m in worse
            )
            + "."
        )
    biased = [m for m in models if abs(rec[m]["bias"]) >= 5]
    if biased:
        findings.append(
            "Leaning to one side (mean error of 5 points or more): "
            + "; ".join(f"the {_label(data, m)} ({rec[m]['bias']:+.1f})" for m in biased)
            + "."
        )
    low = [
        m
        for m in models
        if rec[m].get("monte_carlo_coverage") is not None
        and rec[m]["monte_carlo_coverage"] < level - 0.1
    ]
    if low:
        findings.append(
            f"The Monte Carlo {level:.0%} intervals hold fewer outcomes than they promise ("
            + "; ".join(f"{_short(m)} {rec[m]['monte_carlo_coverage']:.0%}" for m in low)
            + "): they measure how far a model moves over uncertain inputs, not how uncertain "
            "the outcome is."
        )
    skipped = data.get("skipped") or []
    if skipped:
        findings.append(
            f"{len(skipped)} issue{'s' if len(skipped) != 1 else ''} could not be tested "
            "(listed below)."
        )
    columns = ["Model", "MAE", "RMSE", "≤ 10", "≤ 20", "Bias", "Δ MAE", "95% interval"]
    with_cov = any(
        rec[m].get("coverage") is not None or rec[m].get("monte_carlo_coverage") is not None
        for m in models
    )
    if with_cov:
        columns.append("Coverage")
    rows = []
    for m in models:
        r = rec[m]
        row = [
            _short(m) + (" *" if m == recommended else ""),
            f"{r['mae']:.1f}",
            f"{r['rmse']:.1f}",
            f"{r['within_10']:.0%}",
            f"{r['within_20']:.0%}",
            f"{r['bias']:+.1f}",
            *_diff(r),
        ]
        if with_cov:
            cov = r.get("coverage", r.get("monte_carlo_coverage"))
            row.append("–" if cov is None else f"{cov:.0%}")
        rows.append(row)
    tables = [
        Table(
            "Each model against the recorded outcomes",
            columns,
            rows,
            note=(
                "MAE: mean absolute error, in points of the issue scale; ≤ 10, ≤ 20: share of "
                "issues forecast within 10 and 20 points; bias: mean of forecast minus outcome; "
                "Δ MAE: the difference from the compromise model (capability × salience "
                "weighted mean; negative is better), with a 95% bootstrap interval "
                f"({data['params']['bootstrap']:,} resamples of whole proposals); coverage: "
                f"share of outcomes inside the {level:.0%} intervals (the recommended "
                "forecast's calibrated ones; Monte Carlo ones for the other models). EUM: the "
                "expected utility model. * detente's recommended forecast."
            ),
        )
    ]
    for column, values in (data.get("breakdowns") or {}).items():
        keys = list(values)
        tables.append(
            Table(
                f"Mean absolute error by {column}",
                ["Model", *[f"{k} ({values[k]['n']})" for k in keys]],
                [[_short(m), *[f"{values[k]['mae'][m]:.1f}" for k in keys]] for m in models],
                note=f"In brackets: the number of issues with each {column}.",
            )
        )
    if skipped:
        tables.append(
            Table(
                "Issues not tested", ["Issue", "Why"], [[s["issue"], s["reason"]] for s in skipped]
            )
        )
    return Section("backtest", "Forecasts against recorded outcomes", findings, tables)


def backtest_figure(data: dict[str, Any], kind: str = "errors") -> go.Figure:
    """One backtest figure: ``"errors"``, ``"scatter"`` or ``"coverage"``."""
    from detente.report.plots import LAYOUT, PALETTE, SYMBOLS, TEMPLATE

    if hasattr(data, "to_dict"):
        data = data.to_dict()
    if kind not in FIGURE_KINDS:
        raise ValueError(f"kind must be one of {FIGURE_KINDS}, got {kind!r}")
    models = list(data["models"])
    issues = data["issues"]
    fig = go.Figure()
    if kind == "errors":
        for k, m in enumerate(models):
            fig.add_trace(
                go.Box(
                    y=[abs(i["models"][m]["error"]) for i in issues.values()],
                    name=_label(data, m),
                    marker=dict(color=PALETTE[k % len(PALETTE)]),
                    boxmean=True,
                    boxpoints="outliers",
                )
            )
        fig.update_layout(
            **LAYOUT,
            title="Absolute error per issue, by model (line: median, dashed: mean)",
            showlegend=False,
        )
        fig.update_yaxes(title="Absolute error (points of the issue scale)", rangemode="tozero")
    elif kind == "scatter":
        show = [m for m in (data.get("baseline"), data.get("recommended")) if m in models]
        for k, m in enumerate(models):
            fig.add_trace(
                go.Scatter(
                    x=[i["outcome"] for i in issues.values()],
                    y=[i["models"][m]["forecast"] for i in issues.values()],
                    mode="markers",
                    name=_label(data, m),
                    text=list(issues),
                    hovertemplate="%{text}: outcome %{x:.0f}, forecast %{y:.1f}<extra></extra>",
                    marker=dict(
                        color=PALETTE[k % len(PALETTE)], symbol=SYMBOLS[k % len(SYMBOLS)], size=8
                    ),
                    visible=True if m in show else "legendonly",
                )
            )
        lo, hi = data["params"]["scale"]
        fig.add_trace(
            go.Scatter(
                x=[lo, hi],
                y=[lo, hi],
                mode="lines",
                name="forecast = outcome",
                line=dict(color="#999999", dash="dot"),
            )
        )
        fig.update_layout(
            **LAYOUT, title="Forecast against recorded outcome (click the legend for other models)"
        )
        fig.update_xaxes(title="Recorded outcome", range=[lo - 3, hi + 3])
        fig.update_yaxes(title="Forecast", range=[lo - 3, hi + 3])
    else:
        recs = data["models"]
        bars = [
            (f"{_short(m)} (calibrated)", recs[m]["coverage"])
            for m in models
            if recs[m].get("coverage") is not None
        ] + [
            (f"{_short(m)} (Monte Carlo)", recs[m]["monte_carlo_coverage"])
            for m in models
            if recs[m].get("monte_carlo_coverage") is not None
        ]
        fig.add_trace(
            go.Bar(
                x=[b[0] for b in bars],
                y=[b[1] for b in bars],
                marker=dict(color=PALETTE[4]),
                name="coverage",
            )
        )
        level = data["params"].get("level", 0.9)
        fig.add_hline(y=level, line=dict(dash="dash", color="#000000"))
        fig.update_layout(
            **LAYOUT,
            title=f"Share of outcomes inside each model's intervals (dashed: nominal {level:.0%})",
            showlegend=False,
        )
        fig.update_yaxes(title="Coverage", range=[0, 1], tickformat=".0%")
    fig.update_layout(template=TEMPLATE)  # drawn on its own, in a notebook
    return fig


def backtest_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    """The figures of the HTML report."""
    out = [
        ("How far each model's forecasts fall from the outcomes", backtest_figure(data, "errors")),
        ("Forecasts against outcomes", backtest_figure(data, "scatter")),
    ]
    if any(
        m.get("coverage") is not None or m.get("monte_carlo_coverage") is not None
        for m in data["models"].values()
    ):
        out.append(("Interval coverage", backtest_figure(data, "coverage")))
    return out
