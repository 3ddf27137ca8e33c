"""Figures for the HTML report and the web app, drawn with plotly from the engines' plain data.

Plots follow three rules: labelled axes, actor names rather than ids, and a legend;
and colours that survive greyscale printing, so every series also differs by marker
symbol or line dash (the Okabe-Ito palette, whose colours differ in lightness).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

__all__ = ["FIGURE_BUILDERS", "bargaining_figures", "forecast_figures", "graph_model_figures"]

PALETTE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#999999"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]

LAYOUT = dict(
    template="simple_white",
    font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=13),
    margin=dict(l=60, r=20, t=60, b=110),
    legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
    height=520,
)

SOLUTION_LABELS = {
    "nash": "Nash solution",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "utilitarian": "Utilitarian",
    "egalitarian": "Egalitarian",
    "asymmetric_nash": "Nash with bargaining power",
}


def _principals(data: dict[str, Any]) -> tuple[str, str]:
    """The two actors whose utilities pull hardest against each other along the frontier
    (the most negative correlation); without a frontier, the widest gap in reservation."""
    actors = data["actors"]
    if len(actors) < 2:
        raise ValueError("a utility space needs two actors")
    pairs = [(a, b) for i, a in enumerate(actors) for b in actors[i + 1 :]]
    pareto = data.get("pareto") or []
    if len(pareto) >= 3:
        import numpy as np

        u = np.array([[p["utilities"][a] for a in actors] for p in pareto])
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.corrcoef(u, rowvar=False)
        index = {a: k for k, a in enumerate(actors)}
        scored = [
            (corr[index[a], index[b]], (a, b))
            for a, b in pairs
            if np.isfinite(corr[index[a], index[b]])
        ]
        if scored:
            return min(scored)[1]
    return max(
        pairs, key=lambda pair: abs(data["reservation"][pair[0]] - data["reservation"][pair[1]])
    )


def utility_space_figure(
    data: dict[str, Any], names: dict[str, str], x: str | None = None, y: str | None = None
) -> go.Figure:
    """Two parties' utilities: the Pareto frontier, the zone of agreement, the solutions and the status quo."""
    if x is None or y is None:
        x, y = _principals(data)
    rx, ry = data["reservation"][x], data["reservation"][y]
    fig = go.Figure()
    fig.add_shape(
        type="rect",
        x0=rx,
        y0=ry,
        x1=1,
        y1=1,
        line=dict(width=0),
        fillcolor="rgba(0,114,178,0.10)",
        layer="below",
    )
    pareto = data.get("pareto", [])
    if pareto:
        fig.add_trace(
            go.Scatter(
                x=[p["utilities"][x] for p in pareto],
                y=[p["utilities"][y] for p in pareto],
                mode="markers",
                name="Pareto frontier (all parties)",
                marker=dict(color="#999999", symbol="circle-open", size=7),
                text=[", ".join(f"{k} {v:g}" for k, v in p["issues"].items()) for p in pareto],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[rx],
            y=[ry],
            mode="markers",
            name="Status quo",
            marker=dict(color="#000000", symbol="x", size=13),
        )
    )
    for k, (key, solution) in enumerate(s for s in data["solutions"].items() if s[1]):
        fig.add_trace(
            go.Scatter(
                x=[solution["utilities"][x]],
                y=[solution["utilities"][y]],
                mode="markers",
                name=SOLUTION_LABELS.get(key, key),
                marker=dict(
                    color=PALETTE[(k + 1) % len(PALETTE)],
                    symbol=SYMBOLS[(k + 1) % len(SYMBOLS)],
                    size=14,
                    line=dict(color="#000000", width=1),
                ),
                text=[", ".join(f"{i} {v:g}" for i, v in solution["issues"].items())],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.update_layout(
        **LAYOUT,
        title=f"Utility space: {names.get(x, x)} and {names.get(y, y)} (shaded: both better off than the status quo)",
    )
    xs = [rx, *[p["utilities"][x] for p in pareto]]
    ys = [ry, *[p["utilities"][y] for p in pareto]]
    pad_x = max(0.05, 0.1 * (max(xs) - min(xs)))
    pad_y = max(0.05, 0.1 * (max(ys) - min(ys)))
    fig.update_xaxes(
        title=f"Utility of {names.get(x, x)} (0 worst, 1 best)",
        range=[max(0.0, min(xs) - pad_x), min(1.02, max(xs) + pad_x)],
    )
    fig.update_yaxes(
        title=f"Utility of {names.get(y, y)} (0 worst, 1 best)",
        range=[max(0.0, min(ys) - pad_y), min(1.02, max(ys) + pad_y)],
    )
    return fig


def forums_figure(data: dict[str, Any]) -> go.Figure:
    """The forums side by side: how many packages each table's participants could all accept."""
    forums = data.get("forums", [])
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=[f["name"] for f in forums],
            # Shares, not counts: forums with smaller agendas have smaller grids.
            x=[100.0 * f["zopa"] / f["outcomes"] if f["outcomes"] else 0.0 for f in forums],
            orientation="h",
            marker=dict(
                color=["#0072B2" if f["agreement_possible"] else "#BBBBBB" for f in forums],
                pattern=dict(shape=["" if f["agreement_possible"] else "/" for f in forums]),
                line=dict(color="#000000", width=1),
            ),
            text=[
                f"{f['zopa']:,} of {f['outcomes']:,} packages; "
                + ("agreement possible" if f["agreement_possible"] else "no agreement")
                for f in forums
            ],
            textposition="auto",
            name="Packages in the zone of agreement",
            showlegend=False,
        )
    )
    fig.update_layout(**{**LAYOUT, "height": 120 + 70 * len(forums)}, title="Forums compared")
    fig.update_xaxes(
        title="Share of the forum's packages every participant prefers to the status quo (%)"
    )
    fig.update_yaxes(title="Forum", autorange="reversed")
    return fig


def bargaining_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    names = {a["id"]: a["name"] for a in brief["actors"]}
    figures = [("The utility space", utility_space_figure(data, names))]
    if data.get("forums"):
        figures.append(("The forums side by side", forums_figure(data)))
    return figures


def forecast_figure(entry: dict[str, Any], names: dict[str, str]) -> go.Figure:
    """Each party's position over the rounds of one issue, with the forecasts and baselines."""
    models = entry["models"]
    key = "eum" if "eum" in models else "smp" if "smp" in models else next(iter(models))
    run = models[key]
    rounds = run["rounds"]
    actors = list(rounds[0])
    fig = go.Figure()
    for k, actor in enumerate(actors):
        fig.add_trace(
            go.Scatter(
                x=list(range(len(rounds))),
                y=[r[actor] for r in rounds],
                mode="lines+markers",
                name=names.get(actor, actor),
                line=dict(color=PALETTE[k % len(PALETTE)], dash=DASHES[k % len(DASHES)], width=2),
                marker=dict(symbol=SYMBOLS[k % len(SYMBOLS)], size=7),
            )
        )
    last = len(rounds) - 1
    labels = {
        "eum": "EUM forecast",
        "smp": "spatial model forecast",
        "mean": "weighted mean",
        "median": "weighted median",
    }
    for k, (model, result) in enumerate(models.items()):
        if model in ("mean", "median"):
            continue
        fig.add_trace(
            go.Scatter(
                x=[last],
                y=[result["forecast"]],
                mode="markers",
                name=labels.get(model, model),
                marker=dict(
                    symbol="star" if model == "eum" else "diamond-wide",
                    size=16,
                    color="#000000" if k == 0 else "#777777",
                ),
            )
        )
    lo, hi = entry["scale"]
    for label, value, dash in (
        ("weighted mean", run["baselines"]["mean"], "dot"),
        ("weighted median", run["baselines"]["median"], "dash"),
    ):
        if value is None:  # not a finite number (inputs beyond what floats hold)
            continue
        fig.add_hline(
            y=value,
            line=dict(color="#555555", dash=dash, width=1),
            annotation_text=f"{label} {value:.0f}",
            annotation_position="top left",
        )
    fig.update_layout(
        **LAYOUT,
        title=f"{entry['name']}: positions by round ({labels.get(key, key).replace(' forecast', '')})",
    )
    fig.update_xaxes(title="Round", dtick=max(1, len(rounds) // 10))
    fig.update_yaxes(title=f"Position ({lo:g} to {hi:g})", range=[lo - 2, hi + 2])
    return fig


def forecast_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    names = {a["id"]: a["name"] for a in brief["actors"]}
    return [
        (f"Positions over the rounds: {entry['name']}", forecast_figure(entry, names))
        for entry in data["issues"].values()
    ]


def state_graph_figure(
    data: dict[str, Any], brief: dict[str, Any], *, max_equilibria: int = 24
) -> go.Figure:
    """The states that matter: the status quo, the paths it can take, the proposals and the
    equilibria closest to it; placed by how many options differ from the status quo."""
    states = {s["index"]: s for s in data.get("states", [])}
    sq = data.get("status_quo_index")
    key = "seq" if "seq" in data["equilibria"] else next(iter(data["equilibria"]))
    names = {a["id"]: a["name"] for a in brief["actors"]}
    proposal_names = {p["id"]: p["name"] for p in brief["proposals"]}

    def distance(index: int) -> int:
        return sum(
            a != b for a, b in zip(states[index]["pattern"], states[sq]["pattern"], strict=True)
        )

    roles: dict[int, str] = {}
    edges: list[tuple[int, int, str]] = []
    for steps in ((data.get("status_quo") or {}).get("paths") or {}).values():
        for step in steps:
            roles.setdefault(step["from"], "path")
            roles.setdefault(step["to"], "path")
            edges.append((step["from"], step["to"], names.get(step["actor"], step["actor"])))
    labels: dict[int, str] = {}
    short: dict[int, str] = {}
    for pid, p in (data.get("proposals") or {}).items():
        roles[p["index"]] = "proposal"
        labels[p["index"]] = proposal_names.get(pid, pid)
        short[p["index"]] = pid
    equilibria = [i for i in data["equilibria"][key] or [] if i in states]
    for i in sorted(equilibria, key=lambda i: (distance(i), i))[:max_equilibria]:
        roles.setdefault(i, "equilibrium")
    for i, role in list(roles.items()):
        if role == "path" and states[i]["equilibrium"].get(key):
            roles[i] = "reached equilibrium"
    if sq is not None:
        roles[sq] = "status quo"
        labels[sq] = "status quo"

    columns: dict[int, list[int]] = {}
    for index in sorted(roles, key=lambda i: (distance(i), i)):
        columns.setdefault(distance(index), []).append(index)
    position = {
        i: (d, k - (len(col) - 1) / 2) for d, col in columns.items() for k, i in enumerate(col)
    }

    fig = go.Figure()
    for source, target, actor in edges:
        (x0, y0), (x1, y1) = position[source], position[target]
        fig.add_annotation(
            x=x1,
            y=y1,
            ax=x0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowwidth=1.5,
            arrowcolor="#333333",
            text="",
            hovertext=f"{actor} moves",
            standoff=8,
        )
    style = {
        "status quo": dict(symbol="star", size=20, color="#000000"),
        "equilibrium": dict(symbol="circle", size=11, color="#0072B2"),
        "proposal": dict(symbol="diamond", size=14, color="#E69F00"),
        "reached equilibrium": dict(symbol="square", size=14, color="#D55E00"),
        "path": dict(symbol="circle-open", size=11, color="#555555"),
    }
    for role, marker in style.items():
        members = [i for i, r in roles.items() if r == role]
        if not members:
            continue
        texts = []
        for i in members:
            s = states[i]
            taken = ", ".join(o for o, v in s["options"].items() if v) or "no option taken"
            eq = [c.upper() for c, v in s["equilibrium"].items() if v]
            texts.append(
                f"<b>State {i}</b> {s['pattern']}<br>{labels.get(i, '')}<br>taken: {taken}<br>"
                f"equilibrium under: {', '.join(eq) or 'none'}"
            )
        is_eq = [bool(states[i]["equilibrium"].get(key)) for i in members]
        fig.add_trace(
            go.Scatter(
                x=[position[i][0] for i in members],
                y=[position[i][1] for i in members],
                mode="markers+text",
                name={
                    "equilibrium": f"{key.upper()} equilibrium",
                    "path": "state on a path from the status quo",
                }.get(role, role),
                marker=dict(
                    symbol=marker["symbol"],
                    size=marker["size"],
                    color=marker["color"],
                    line=dict(color="#000000", width=[2.5 if e else 0.5 for e in is_eq]),
                ),
                # Numbers only on the plot (names overlap); the hover says the rest.
                text=[str(i) for i in members],
                textposition="top center",
                hovertext=texts,
                hoverinfo="text",
            )
        )
    fig.update_layout(
        **{**LAYOUT, "height": 560},
        title=f"States around the status quo<br><sup>thick outline: {key.upper()} equilibrium; "
        "arrows: moves from the status quo; hover a state for its name and options</sup>",
    )
    fig.update_xaxes(title="Options changed from the status quo", dtick=1)
    fig.update_yaxes(title="", showticklabels=False, showgrid=False, zeroline=False)
    return fig


def graph_model_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    if not data.get("states") or data.get("status_quo_index") is None:
        return []
    return [
        (
            "The state graph: status quo, equilibria, proposals and paths",
            state_graph_figure(data, brief),
        )
    ]


def _backtest_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    from detente.report.backtest import backtest_figures

    return backtest_figures(data, brief)


FIGURE_BUILDERS: dict[
    str, Callable[[dict[str, Any], dict[str, Any]], list[tuple[str, go.Figure]]]
] = {
    "graph_model": graph_model_figures,
    "bargaining": bargaining_figures,
    "forecast": forecast_figures,
    "backtest": _backtest_figures,
}
