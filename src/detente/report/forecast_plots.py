"""Figures of the forecast: each party's position round by round under the expected
utility model and the spatial model, with the forecast marked and, when the run drew
Monte Carlo samples, the interval of the sampled forecasts as a shaded band after the
last round (the rounds are ordered) and, on the overview of the issues (one interval
per issue), as a horizontal range bar under each point forecast; never as error bars.

Both draw from :meth:`CaseForecast.to_dict` data: ``rounds`` of each model run holds
every party's position after every round (round 0: the starting positions), and
``monte_carlo`` each model's sampled forecasts with their median and central interval.
"""

from __future__ import annotations

import textwrap
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

ISSUE_WIDTH = 20
"""An issue's name on the overview's axis, at most this many characters a line."""

CLOSE_BASELINES = 0.05
"""Baselines (weighted mean and median) this close, as a share of the scale, get their
labels on opposite sides of their lines."""

TOP_MARGIN = 40
TITLE_PAD = 28
"""A trajectory figure's top margin, which its title grows to hold its lines, and the
pixels between the title and the plot (the panels' titles sit there)."""

BAND = "rgba(0,114,178,0.22)"
"""The fill of a Monte Carlo interval's band (blue, translucent: lines show through)."""
BAND_EDGE = "#0072B2"


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
    when there are Monte Carlo samples, their central interval as a shaded band from the
    last round rightwards with their median as a line on it (legend and hover give the
    interval's level and the number of samples).

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
        summary = mc.get(model)
        band_end = float(last)
        if summary:
            band_end = _add_band(fig, summary, model, last, col=col)
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
        fig.update_xaxes(
            title_text="Round",
            range=[-0.5, band_end + 0.05 * (band_end - last) + 0.3 if summary else last + 0.6],
            # about five upright labels a panel: two panels side by side fit a phone
            dtick=_round_step(len(rounds) / 5),
            tickangle=0,
            row=1,
            col=col,
        )
        baselines = [
            (label, value, dash)
            for label, value, dash in (
                ("weighted mean", run["baselines"].get("mean"), "dot"),
                ("weighted median", run["baselines"].get("median"), "dash"),
            )
            # not a finite number (inputs beyond what floats hold)
            if value is not None
        ]
        below = _labels_below(baselines, hi - lo)
        for label, value, dash in baselines:
            _panel_hline(
                fig,
                col,
                value,
                line=dict(color="#777777", dash=dash, width=1),
                text=f"{label} {value:.0f}" if col == 1 else "",
                below=label in below,
            )
    subtitle = "Round 0: the starting positions; star: the model's forecast"
    sampled = [mc[m] for m in runs if mc.get(m)]
    if sampled:
        subtitle += (
            "; shaded band after the last round: the forecast's Monte Carlo "
            + " and ".join(sorted({interval_words(s) for s in sampled}))
            + ", line: their median"
        )
    fig.update_layout(
        # a small top margin that the title pushes to hold its lines: plotly sets a
        # title of several lines clear of the plot only when it grows the margin (in a
        # margin already tall enough, its last lines fell on the plot's top)
        **{**LAYOUT, "height": 560, "margin": dict(l=60, r=20, t=TOP_MARGIN, b=110)},
        title=dict(
            text=f"{entry['name']}: positions by round<br><sup>{subtitle}</sup>",
            x=0,
            xanchor="left",
            y=1,
            yanchor="bottom",
            yref="paper",
            pad=dict(b=TITLE_PAD),
            automargin=True,
        ),
    )
    fig.update_yaxes(
        title_text=f"Position ({lo:g} to {hi:g})", range=[lo - 2, hi + 2], row=1, col=1
    )
    return fig


def interval_words(summary: dict[str, Any]) -> str:
    """What a Monte Carlo interval is, from its summary: "90% interval of 1,000 samples"."""
    return f"{_level(summary):.0%} interval of {_n_samples(summary):,} samples"


def _add_band(fig: go.Figure, summary: dict[str, Any], model: str, last: int, *, col: int) -> float:
    """The Monte Carlo interval of ``model``'s forecast on panel ``col`` of a trajectory
    figure: a shaded band from the last round (the forecast) rightwards, from the low end
    of the interval to the high, with the samples' median as a line on top. Returns
    where the band ends on the x axis."""
    a, b = summary["interval"]
    median = summary["median"]
    words = interval_words(summary)
    # wide enough to see on a phone, where a panel is about 150 px wide
    end = last + max(1.5, 0.2 * last)
    first = not any(t.legendgroup == "monte_carlo" for t in fig.data)
    fig.add_trace(
        go.Scatter(
            x=[last, end, end, last, last],
            y=[a, a, b, b, a],
            mode="lines",
            fill="toself",
            fillcolor=BAND,
            line=dict(color=BAND_EDGE, width=1),
            name=f"Monte Carlo {words}",
            legendgroup="monte_carlo",
            showlegend=first,
            hoveron="fills",
            # a fill's hover shows the trace's text, when one string
            text=f"{MODEL_LABELS[model]}: Monte Carlo {words}, {a:.1f} to {b:.1f}",
            hoverinfo="text",
            meta={"model": model, "role": "monte_carlo_band", "interval": [a, b]},
        ),
        row=1,
        col=col,
    )
    fig.add_trace(
        go.Scatter(
            x=[last, end],
            y=[median, median],
            mode="lines",
            name="Median of the samples",
            legendgroup="monte_carlo",
            showlegend=first,
            line=dict(color=BAND_EDGE, width=3),
            meta={"model": model, "role": "monte_carlo", "interval": [a, b]},
            hovertemplate=(
                f"{MODEL_LABELS[model]}: median {median:.1f} of {words}, "
                f"{a:.1f} to {b:.1f}<extra></extra>"
            ),
        ),
        row=1,
        col=col,
    )
    return end


def forecasts_overview_figure(data: dict[str, Any]) -> go.Figure:
    """Every issue's forecasts side by side: each model's point forecast and, where the run
    drew samples, the Monte Carlo interval as a translucent range bar (a band in the
    model's colour) under it; detente's recommended forecast (the compromise model) on a
    grey band, its calibrated interval. Positions as a share of each issue's scale when
    the scales differ."""
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
    thickness = 0.8 * 0.6 / n  # a band's height: most of its row (rows are 0.6 / n apart)
    fig = go.Figure()
    rec = [(k, e) for k, (_, e) in enumerate(issues) if e.get("recommended")]
    rec_y = 0.6 * (0 - (n - 1) / 2) / n  # the top row of each issue (models' offsets follow)
    if rec:
        first = rec[0][1]["recommended"]
        fig.add_trace(
            _range_bars(
                [
                    (at(e, e["recommended"]["interval"][0]), at(e, e["recommended"]["interval"][1]))
                    for _, e in rec
                ],
                [-k - rec_y for k, _ in rec],
                thickness,
                color="rgba(0,0,0,0.2)",
                hover=[
                    f"{e['name']}: detente's {e['recommended']['level']:.0%} interval, calibrated "
                    f"on past decisions, {e['recommended']['interval'][0]:.1f} to "
                    f"{e['recommended']['interval'][1]:.1f}"
                    for _, e in rec
                ],
                meta={"role": "recommended_interval"},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[at(e, e["recommended"]["forecast"]) for _, e in rec],
                y=[-k - rec_y for k, _ in rec],
                mode="markers",
                name=(
                    f"detente's forecast (compromise model); grey band: its {first['level']:.0%} "
                    "interval, calibrated on past decisions"
                ),
                marker=dict(symbol="star", size=15, color="#000000"),
                meta={
                    "role": "recommended",
                    "interval": [e["recommended"]["interval"] for _, e in rec],
                },
                hovertext=[
                    f"{e['name']}: detente's forecast {e['recommended']['forecast']:.1f}"
                    for _, e in rec
                ],
                hoverinfo="text",
            )
        )
    sampled: list[dict[str, Any]] = []
    for j, model in enumerate(models):
        rows = [(k, e) for k, (_, e) in enumerate(issues) if model in e["models"]]
        color = PALETTE[(j + 1) % len(PALETTE)]
        # The interval as a band of its own: a point forecast may lie outside it.
        spans: list[tuple[float, float]] = []
        ys: list[float] = []
        hover: list[str] = []
        words: set[str] = set()
        for k, e in rows:
            summary = (e.get("monte_carlo") or {}).get(model)
            if summary:
                sampled.append(summary)
                words.add(interval_words(summary))
                a, b = summary["interval"]
                spans.append((at(e, a), at(e, b)))
                ys.append(-k - offset[model])
                hover.append(
                    f"{e['name']}, {MODEL_LABELS[model]}: Monte Carlo {interval_words(summary)}, "
                    f"{a:.1f} to {b:.1f} (median {summary['median']:.1f})"
                )
        if spans:
            fig.add_trace(
                _range_bars(
                    spans,
                    ys,
                    thickness,
                    color=_translucent(color, 0.35),
                    hover=hover,
                    meta={"role": "monte_carlo", "model": model},
                )
            )
        fig.add_trace(
            go.Scatter(
                x=[at(e, e["models"][model]["forecast"]) for _, e in rows],
                y=[-k - offset[model] for k, _ in rows],
                mode="markers",
                name=MODEL_LABELS[model]
                + (f"; band: Monte Carlo {' and '.join(sorted(words))}" if spans else ""),
                legendgroup=model,
                marker=dict(
                    symbol=SYMBOLS[(j + 1) % len(SYMBOLS)],
                    size=11,
                    color=color,
                    line=dict(color="#000000", width=1),
                ),
                meta={"role": "model", "model": model},
                hovertext=[
                    f"{e['name']}, {MODEL_LABELS[model]}: forecast "
                    f"{e['models'][model]['forecast']:.1f}"
                    for _, e in rows
                ],
                hoverinfo="text",
            )
        )
    subtitle = ""
    if sampled:
        levels = sorted({_level(s) for s in sampled})
        counts = sorted({_n_samples(s) for s in sampled})
        subtitle = (
            f"Coloured bands: the Monte Carlo {', '.join(f'{v:.0%}' for v in levels)} interval "
            f"of {', '.join(f'{c:,}' for c in counts)} samples of uncertain inputs"
        )
    if rec:
        subtitle += ("; grey" if subtitle else "Grey") + " bands: detente's calibrated interval"
    fig.update_layout(
        **{**LAYOUT, "height": 200 + 80 * len(issues), "margin": dict(l=60, r=20, t=90, b=110)},
        barmode="overlay",
        title="Forecasts by issue" + (f"<br><sup>{subtitle}</sup>" if subtitle else ""),
    )
    fig.update_xaxes(
        title=f"Position ({lo0:g} to {hi0:g})" if same else "Position (% of the issue's scale)",
        range=[lo0 - 2, hi0 + 2] if same else [-2, 102],
    )
    fig.update_yaxes(
        tickmode="array",
        tickvals=[-k for k in range(len(issues))],
        # issue names in short lines: on a phone, one long line leaves the plot no room
        ticktext=["<br>".join(textwrap.wrap(e["name"], ISSUE_WIDTH)) for _, e in issues],
        range=[-(len(issues) - 0.5), 0.5],
        automargin=True,
        showgrid=True,
    )
    return fig


def _range_bars(
    spans: list[tuple[float, float]],
    ys: list[float],
    thickness: float,
    *,
    color: str,
    hover: list[str],
    meta: dict[str, Any],
) -> go.Bar:
    """Intervals as horizontal bars, each from its low end (``base``) to its high end at
    height ``y``, ``thickness`` high (y units): bands a point is drawn on, with their
    hover anywhere along them."""
    return go.Bar(
        x=[b - a for a, b in spans],
        base=[a for a, _ in spans],
        y=ys,
        orientation="h",
        width=thickness,
        marker=dict(color=color, line=dict(width=0)),
        showlegend=False,
        hovertext=hover,
        hoverinfo="text",
        meta=meta,
    )


def _translucent(color: str, alpha: float) -> str:
    """A ``#RRGGBB`` colour as ``rgba`` with opacity ``alpha``."""
    r, g, b = (int(color[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _labels_below(baselines: list[tuple[str, float, str]], span: float) -> set[str]:
    """The baselines whose labels go below their lines: none, unless two lie within
    :data:`CLOSE_BASELINES` of the scale's ``span``, where the lower one's label goes
    below its line and the higher one's above (their labels, both above, printed on
    top of each other: "weighted median 40" on "weighted mean 39")."""
    if len(baselines) < 2:
        return set()
    (low, x, _), (_, y, _) = sorted(baselines, key=lambda t: t[1])[:2]
    return {low} if abs(y - x) <= CLOSE_BASELINES * span else set()


def _panel_hline(
    fig: go.Figure, col: int, y: float, *, line: dict[str, Any], text: str, below: bool = False
) -> None:
    """A horizontal line across panel ``col`` (of one row) at ``y``, labelled at its top
    left (``below``: its bottom left): what ``fig.add_hline(y, line=line,
    annotation_text=text, annotation_position="top left", annotation_font_size=10,
    row=1, col=col)`` draws, without plotly's search of every trace for the panels each
    call spans (most of the figure's time)."""
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
        yanchor="top" if below else "bottom",
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
