"""Figures of the forecast: each party's position round by round under the expected
utility model and the spatial model, with the forecast marked and, when the run drew
Monte Carlo samples, the interval of the sampled forecasts as a band and an error bar.

Both draw from :meth:`CaseForecast.to_dict` data: ``rounds`` of each model run holds
every party's position after every round (round 0: the starting positions), and
``monte_carlo`` each model's sampled forecasts with their median and central interval.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from detente.report.plots import DASHES, LAYOUT, PALETTE, SYMBOLS

__all__ = ["forecast_figures", "forecasts_overview_figure", "trajectory_figure"]

MODEL_LABELS = {
    "eum": "expected utility model",
    "smp": "spatial model",
    "mean": "weighted mean",
    "median": "weighted median",
}
TRAJECTORY_MODELS = ("eum", "smp")
PANEL_TITLES = {"eum": "Expected utility", "smp": "Spatial model"}
"""The models that play rounds; the baselines are one number each."""

DEFAULT_LEVEL = 0.9
"""The central interval of the case's Monte Carlo (:func:`detente.forecast.montecarlo.monte_carlo`'s
default ``level``), used when a summary does not say its own."""

BAND = "rgba(0,114,178,0.13)"


def _level(summary: dict[str, Any]) -> float:
    return float(summary.get("level", DEFAULT_LEVEL))


def _n_samples(summary: dict[str, Any]) -> int:
    samples = summary.get("samples")
    return len(samples) if isinstance(samples, list) else int(samples or 0)


def _round_step(at_least: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``at_least``."""
    return next(m * 10**e for e in range(9) for m in (1, 2, 5) if m * 10**e >= at_least)


def trajectory_figure(entry: dict[str, Any], names: dict[str, str]) -> go.Figure:
    """Each party's position round by round on one issue, one panel per model that plays
    rounds (expected utility model, spatial model), with the forecast as a star after the
    last round, the weighted mean and median of the starting positions as lines, and,
    when there are Monte Carlo samples, their central interval as a shaded band and as an
    error bar around their median.

    Raises
    ------
    ValueError
        When neither model that plays rounds ran on the issue.
    """
    runs = [m for m in TRAJECTORY_MODELS if m in entry["models"]]
    if not runs:
        raise ValueError(f"{entry['name']}: no model that plays rounds ran on this issue")
    lo, hi = entry["scale"]
    mc = entry.get("monte_carlo") or {}
    fig = make_subplots(
        rows=1,
        cols=len(runs),
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=[PANEL_TITLES[m] for m in runs],
    )
    # (short, in small type: side by side, two panels' titles fit a phone's width)
    for annotation in fig.layout.annotations:
        annotation.font.size = 13
    actors = list(entry["models"][runs[0]]["rounds"][0])
    for col, model in enumerate(runs, start=1):
        run = entry["models"][model]
        rounds = run["rounds"]
        last = len(rounds) - 1
        for k, actor in enumerate(actors):
            fig.add_trace(
                go.Scatter(
                    x=list(range(len(rounds))),
                    y=[r.get(actor) for r in rounds],
                    mode="lines+markers",
                    name=names.get(actor, actor),
                    legendgroup=actor,
                    showlegend=col == 1,
                    line=dict(
                        color=PALETTE[k % len(PALETTE)], dash=DASHES[k % len(DASHES)], width=2
                    ),
                    marker=dict(symbol=SYMBOLS[k % len(SYMBOLS)], size=6),
                    meta={"model": model, "actor": actor},
                    hovertemplate=f"{names.get(actor, actor)}: %{{y:.1f}} after round %{{x}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
        stopped = run.get("stopped", "")
        note = f" (average of a {run['cycle_length']}-round cycle)" if stopped == "cycle" else ""
        fig.add_trace(
            go.Scatter(
                x=[last],
                y=[run["forecast"]],
                mode="markers",
                name="Forecast",
                legendgroup="forecast",
                showlegend=col == 1,
                marker=dict(
                    symbol="star", size=18, color="#000000", line=dict(color="#FFFFFF", width=1)
                ),
                meta={"model": model, "role": "forecast"},
                hovertemplate=f"{MODEL_LABELS[model]} forecast %{{y:.1f}}{note}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        summary = mc.get(model)
        if summary:
            a, b = summary["interval"]
            median = summary["median"]
            level = _level(summary)
            n = _n_samples(summary)
            fig.add_hrect(
                y0=a,
                y1=b,
                fillcolor=BAND,
                line_width=0,
                layer="below",
                row=1,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=[last + 1],
                    y=[median],
                    mode="markers",
                    name=f"Monte Carlo median, middle {level:.0%}",
                    legendgroup="monte_carlo",
                    showlegend=not any(t.legendgroup == "monte_carlo" for t in fig.data),
                    marker=dict(symbol="diamond", size=11, color="#0072B2"),
                    error_y=dict(
                        type="data",
                        symmetric=False,
                        array=[b - median],
                        arrayminus=[median - a],
                        color="#0072B2",
                        thickness=2,
                        width=8,
                    ),
                    meta={"model": model, "role": "monte_carlo", "interval": [a, b]},
                    hovertemplate=(
                        f"{n:,} samples: median {median:.1f}, middle {level:.0%} "
                        f"{a:.1f} to {b:.1f}<extra></extra>"
                    ),
                ),
                row=1,
                col=col,
            )
        fig.update_xaxes(
            title_text="Round",
            range=[-0.5, last + (1.6 if summary else 0.6)],
            # about five upright labels a panel: two panels side by side fit a phone
            dtick=_round_step(len(rounds) / 5),
            tickangle=0,
            row=1,
            col=col,
        )
        for label, value, dash in (
            ("weighted mean", run["baselines"].get("mean"), "dot"),
            ("weighted median", run["baselines"].get("median"), "dash"),
        ):
            if value is None:  # not a finite number (inputs beyond what floats hold)
                continue
            _panel_hline(
                fig,
                col,
                value,
                line=dict(color="#777777", dash=dash, width=1),
                text=f"{label} {value:.0f}" if col == 1 else "",
            )
    subtitle = "Round 0: the starting positions; star: the model's forecast"
    if any(m in mc for m in runs):
        subtitle += "; shaded band and bar: the Monte Carlo interval of the forecast"
    fig.update_layout(
        **{**LAYOUT, "height": 560, "margin": dict(l=60, r=20, t=110, b=110)},
        title=f"{entry['name']}: positions by round<br><sup>{subtitle}</sup>",
    )
    fig.update_yaxes(
        title_text=f"Position ({lo:g} to {hi:g})", range=[lo - 2, hi + 2], row=1, col=1
    )
    return fig


def forecasts_overview_figure(data: dict[str, Any]) -> go.Figure:
    """Every issue's forecasts side by side: each model's point forecast and, where the run
    drew samples, the Monte Carlo interval as an error bar; detente's recommended forecast
    (the compromise model) with its calibrated interval. Positions as a share of each
    issue's scale when the scales differ."""
    issues = list(data["issues"].items())
    scales = {tuple(e["scale"]) for _, e in issues}
    same = len(scales) == 1
    lo0, hi0 = next(iter(scales)) if same else (0.0, 100.0)

    def at(entry: dict[str, Any], value: float) -> float:
        if same:
            return value
        lo, hi = entry["scale"]
        return 100.0 * (value - lo) / ((hi - lo) or 1.0)

    models = [
        m for m in ("eum", "smp", "mean", "median") if any(m in e["models"] for _, e in issues)
    ]
    n = len(models) + 1
    offset = {m: 0.6 * ((k + 1) - (n - 1) / 2) / n for k, m in enumerate(models)}
    fig = go.Figure()
    rec = [(k, e) for k, (_, e) in enumerate(issues) if e.get("recommended")]
    if rec:
        first = rec[0][1]["recommended"]
        fig.add_trace(
            go.Scatter(
                x=[at(e, e["recommended"]["forecast"]) for _, e in rec],
                y=[-k - 0.6 * (0 - (n - 1) / 2) / n for k, _ in rec],
                mode="markers",
                name=(
                    f"detente's forecast (compromise model); bar: its {first['level']:.0%} "
                    "interval, calibrated on past decisions"
                ),
                marker=dict(symbol="star", size=15, color="#000000"),
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=[
                        at(e, e["recommended"]["interval"][1]) - at(e, e["recommended"]["forecast"])
                        for _, e in rec
                    ],
                    arrayminus=[
                        at(e, e["recommended"]["forecast"]) - at(e, e["recommended"]["interval"][0])
                        for _, e in rec
                    ],
                    color="#000000",
                    thickness=1.5,
                ),
                meta={"role": "recommended"},
            )
        )
    sampled: list[dict[str, Any]] = []
    for j, model in enumerate(models):
        rows = [(k, e) for k, (_, e) in enumerate(issues) if model in e["models"]]
        color = PALETTE[(j + 1) % len(PALETTE)]
        # The interval as a segment of its own: a point forecast may lie outside it.
        xs: list[float | None] = []
        ys: list[float | None] = []
        for k, e in rows:
            summary = (e.get("monte_carlo") or {}).get(model)
            if summary:
                sampled.append(summary)
                xs += [at(e, summary["interval"][0]), at(e, summary["interval"][1]), None]
                ys += [-k - offset[model]] * 2 + [None]
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines+markers",
                    name=f"{MODEL_LABELS[model]}: Monte Carlo interval",
                    legendgroup=model,
                    showlegend=False,
                    line=dict(color=color, width=2),
                    marker=dict(symbol="line-ns-open", size=10, color=color),
                    meta={"role": "monte_carlo", "model": model},
                    hoverinfo="x",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=[at(e, e["models"][model]["forecast"]) for _, e in rows],
                y=[-k - offset[model] for k, _ in rows],
                mode="markers",
                name=MODEL_LABELS[model] + (" (bar: Monte Carlo interval)" if xs else ""),
                legendgroup=model,
                marker=dict(
                    symbol=SYMBOLS[(j + 1) % len(SYMBOLS)],
                    size=11,
                    color=color,
                    line=dict(color="#000000", width=1),
                ),
                meta={"role": "model", "model": model},
            )
        )
    subtitle = ""
    if sampled:
        levels = sorted({_level(s) for s in sampled})
        counts = sorted({_n_samples(s) for s in sampled})
        subtitle = (
            f"Coloured bars: the middle {', '.join(f'{v:.0%}' for v in levels)} of "
            f"{', '.join(f'{c:,}' for c in counts)} Monte Carlo samples of uncertain inputs"
        )
    if rec:
        subtitle += ("; black" if subtitle else "Black") + " bars: detente's calibrated interval"
    fig.update_layout(
        **{**LAYOUT, "height": 200 + 70 * len(issues), "margin": dict(l=60, r=20, t=90, b=110)},
        title="Forecasts by issue" + (f"<br><sup>{subtitle}</sup>" if subtitle else ""),
    )
    fig.update_xaxes(
        title=f"Position ({lo0:g} to {hi0:g})" if same else "Position (% of the issue's scale)",
        range=[lo0 - 2, hi0 + 2] if same else [-2, 102],
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=[-k for k in range(len(issues))],
        ticktext=[e["name"] for _, e in issues],
        range=[-(len(issues) - 0.5), 0.5],
        automargin=True,
        showgrid=True,
    )
    return fig


def _panel_hline(fig: go.Figure, col: int, y: float, *, line: dict[str, Any], text: str) -> None:
    """A horizontal line across panel ``col`` (of one row) at ``y``, labelled at its top
    left: what ``fig.add_hline(y, line=line, annotation_text=text, annotation_position=
    "top left", annotation_font_size=10, row=1, col=col)`` draws, without plotly's search
    of every trace for the panels each call spans (most of the figure's time)."""
    axis = "" if col == 1 else str(col)
    fig.add_shape(
        type="line", x0=0, x1=1, xref=f"x{axis} domain", y0=y, y1=y, yref=f"y{axis}", line=line
    )
    fig.add_annotation(
        font=dict(size=10),
        showarrow=False,
        text=text,
        x=0,
        xanchor="left",
        xref=f"x{axis} domain",
        y=y,
        yanchor="bottom",
        yref=f"y{axis}",
    )


def forecast_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    """The forecast figures of a report: with Monte Carlo samples, the forecasts by issue
    with their intervals; then each issue's positions round by round (for the issues a
    model that plays rounds ran on)."""
    names = {a["id"]: a["name"] for a in brief.get("actors", [])}
    figures: list[tuple[str, go.Figure]] = []
    if any(e.get("monte_carlo") for e in data["issues"].values()):
        figures.append(("Forecasts by issue", forecasts_overview_figure(data)))
    figures += [
        (f"Positions over the rounds: {entry['name']}", trajectory_figure(entry, names))
        for entry in data["issues"].values()
        if any(m in entry["models"] for m in TRAJECTORY_MODELS)
    ]
    return figures
