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


# Dashes of unilateral moves, one per decision maker; coalition moves are dashed.
MOVE_DASHES = ["solid", "dot", "dashdot", "longdashdot", "1px,5px", "9px,3px,2px,3px,2px,3px"]
COALITION_DASHES = ["dash", "longdash"]


def _state_columns(
    graph: dict[str, Any], brief: dict[str, Any], drawn: list[dict[str, Any]]
) -> tuple[dict[int, tuple[float, float]], int, float | None]:
    """Place the states: columns by moves from the status quo (the states it does not
    reach, in a band below, by how many parties would have to move), each column ordered
    by where its states are entered from. Returns positions, the number of columns and
    the y of the line between the bands (None without unreached states)."""
    nodes = {n["index"]: n for n in graph["nodes"]}
    controller = {o["id"]: o["controller"] for o in brief.get("options", [])}
    sq = graph.get("status_quo")
    sq_options = nodes[sq]["options"] if sq in nodes else {}

    def parties_to_move(n: dict[str, Any]) -> int:
        changed = {o for o, v in n["options"].items() if sq_options.get(o) != v}
        return max(1, len({controller.get(o, o) for o in changed}))

    reached = {i: n["moves_from_status_quo"] for i, n in nodes.items()}
    column = {i: d if d is not None else parties_to_move(nodes[i]) for i, d in reached.items()}
    preds: dict[int, list[int]] = {}
    for e in drawn:
        preds.setdefault(e["to"], []).append(e["from"])
    position: dict[int, tuple[float, float]] = {}
    bands = [
        [i for i in nodes if reached[i] is not None],
        [i for i in nodes if reached[i] is None],
    ]
    top = 0.0
    separator = None
    for band_index, band in enumerate(bands):
        if not band:
            continue
        columns: dict[int, list[int]] = {}
        for i in band:
            columns.setdefault(column[i], []).append(i)
        tallest = max(len(c) for c in columns.values())
        if band_index == 1 and bands[0]:
            separator = top + 0.5
            top += 1.6
        for c in sorted(columns):

            def order(i: int) -> tuple[float, int]:
                ys = [position[p][1] for p in preds.get(i, []) if p in position]
                return (-sum(ys) / len(ys) if ys else float("inf"), i)

            members = sorted(columns[c], key=order)
            offset = (tallest - len(members)) / 2
            for k, i in enumerate(members):
                position[i] = (float(c), -(top + offset + k))
        top += tallest
    n_columns = max((int(x) for x, _ in position.values()), default=0) + 1
    return position, n_columns, -separator if separator is not None else None


def _story_edges(graph: dict[str, Any], nodes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The moves a view draws: the status quo's tree (each state entered from the column
    before, by at most two moves, unilateral ones first) and up to three departures from
    each proposal; the others are in the data (``to_networkx``)."""
    depth = {i: n["moves_from_status_quo"] for i, n in nodes.items()}
    incoming: dict[int, list[dict[str, Any]]] = {}
    departures: dict[int, list[dict[str, Any]]] = {}
    for e in graph["edges"]:
        a, b = e["from"], e["to"]
        if depth[a] is not None and depth[b] == depth[a] + 1:
            incoming.setdefault(b, []).append(e)
        elif nodes[a]["proposals"] and not nodes[a]["status_quo"]:
            departures.setdefault(a, []).append(e)
    drawn = []
    for edges in incoming.values():
        drawn += sorted(edges, key=lambda e: (e["kind"] != "unilateral", e["from"]))[:2]
    for edges in departures.values():
        drawn += sorted(
            edges, key=lambda e: (not any(nodes[e["to"]]["equilibrium"].values()), e["to"])
        )[:3]
    return drawn


def _edge_points(
    start: tuple[float, float],
    end: tuple[float, float],
    scale: tuple[float, float],
    bend: float,
) -> tuple[list[float], list[float]]:
    """A move drawn from ``start`` to ``end`` (data units, ``scale`` pixels per unit),
    stopped short of both states' markers; curved by ``bend`` (a share of its length)."""
    (x0, y0), (x1, y1) = start, end
    px, py = scale
    dx, dy = (x1 - x0) * px, (y1 - y0) * py
    length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    steps = 12 if bend else 1
    # A quadratic curve through a control point off the middle of the chord.
    cx = (x0 + x1) / 2 - bend * dy / px
    cy = (y0 + y1) / 2 + bend * dx / py
    t0, t1 = min(0.45, 13 / length), max(0.55, 1 - 15 / length)
    xs, ys = [], []
    for k in range(steps + 1):
        t = t0 + (t1 - t0) * k / steps
        u = 1 - t
        xs.append(u * u * x0 + 2 * u * t * cx + t * t * x1)
        ys.append(u * u * y0 + 2 * u * t * cy + t * t * y1)
    return xs, ys


def state_graph_figure(
    data: dict[str, Any], brief: dict[str, Any], *, max_equilibria: int = 24
) -> go.Figure:
    """The state graph around the status quo: states as markers (the status quo, the
    proposals, the states it reaches, equilibria ringed), moves as arrows coloured and
    dashed by who moves, coalitions' joint moves dashed; columns by moves from the status
    quo. Draws from the graph model's ``state_graph`` data (see
    :func:`detente.gmcr.state_graph.state_graph_data`)."""
    graph = data["state_graph"]
    nodes = {n["index"]: n for n in graph["nodes"]}
    concepts = list(graph.get("concepts") or data.get("concepts") or [])
    key = "seq" if "seq" in concepts else concepts[0] if concepts else None
    names = {a["id"]: a["name"] for a in brief.get("actors", [])}
    labels = {o["id"]: o.get("label") or o["id"] for o in brief.get("options", [])}
    proposal_names = {p["id"]: p["name"] for p in brief.get("proposals", [])}
    actors = list(graph.get("actors") or names)
    everything = graph.get("states") == "all"
    drawn = graph["edges"] if everything else _story_edges(graph, nodes)
    position, n_columns, separator = _state_columns(graph, brief, drawn)
    rows = max((-y for _, y in position.values()), default=0.0) + 1
    height = int(min(1600, max(520, 190 + 46 * rows)))
    scale = (900 / (n_columns + 0.8), (height - 190) / max(rows, 1.0))

    def who(e: dict[str, Any]) -> str:
        if e["kind"] == "coalition":
            return " with ".join(names.get(a, a) for a in e["movers"])
        return names.get(e["mover"], e["mover"])

    def change_text(e: dict[str, Any]) -> str:
        return "; ".join(
            f"{'takes' if v else 'withdraws'} {labels.get(o, o)}" for o, v in e["changed"].items()
        )

    pairs = {(e["from"], e["to"]) for e in drawn}
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for e in drawn:
        group = (e["mover"],) if e["kind"] == "unilateral" else tuple(e["movers"])
        groups.setdefault(group, []).append(e)
    coalition_groups = sorted(
        (g for g in groups if len(g) > 1),
        key=lambda g: [actors.index(a) if a in actors else 0 for a in g],
    )
    fig = go.Figure()
    for group in [*((a,) for a in actors if (a,) in groups), *coalition_groups]:
        edges = groups[group]
        joint = len(group) > 1
        if joint:
            k = coalition_groups.index(group)
            # After the parties' colours, skipping black (a party's); dashes tell them apart.
            color = PALETTE[1 + (len(actors) - 1 + k) % (len(PALETTE) - 1)]
            dash = COALITION_DASHES[k % len(COALITION_DASHES)]
            name = " + ".join(names.get(a, a) for a in group) + " (joint move)"
        else:
            k = actors.index(group[0])
            color = PALETTE[k % len(PALETTE)]
            dash = MOVE_DASHES[k % len(MOVE_DASHES)]
            name = f"{names.get(group[0], group[0])} moves"
        xs: list[float | None] = []
        ys: list[float | None] = []
        sizes: list[int] = []
        hover: list[str] = []
        for e in edges:
            a, b = e["from"], e["to"]
            same_column = position[a][0] == position[b][0]
            bend = 0.25 if same_column else 0.12 if (b, a) in pairs else 0.0
            ex, ey = _edge_points(position[a], position[b], scale, bend)
            text = f"{who(e)}: state {a} → state {b}<br>{change_text(e)}"
            if not e.get("improvement", True):
                text += "<br>(not an improvement for the mover)"
            xs += [*ex, None]
            ys += [*ey, None]
            sizes += [0] * (len(ex) - 1) + [13, 0]
            hover += [text] * (len(ex) + 1)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=name,
                legendgroup="moves",
                line=dict(color=color, dash=dash, width=2.6 if joint else 2),
                marker=dict(symbol="arrow", angleref="previous", size=sizes, color=color),
                hovertext=hover,
                hoverinfo="text",
                connectgaps=False,
            )
        )

    def hover_text(i: int) -> str:
        n = nodes[i]
        lines = [f"<b>State {i}</b> {n['pattern']}"]
        if n["status_quo"]:
            lines.append("the status quo")
        for pid in n["proposals"]:
            lines.append(f"proposal: {proposal_names.get(pid, pid)}")
        taken = [labels.get(o, o) for o in n["taken"]]
        lines.append("taken: " + (", ".join(taken) if taken else "no option"))
        eq = [c.upper() for c in concepts if n["equilibrium"].get(c)]
        lines.append("equilibrium under: " + (", ".join(eq) if eq else "no concept"))
        if key is not None and not n["equilibrium"].get(key):
            leave = [names.get(a, a) for a in actors if a not in n["stable_for"].get(key, [])]
            lines.append(f"unstable under {key.upper()} for: {', '.join(leave)}")
        d = n["moves_from_status_quo"]
        if not n["status_quo"]:
            lines.append(
                f"reached from the status quo in {d} move{'s' if d != 1 else ''}"
                if d is not None
                else "not reached from the status quo by improvements"
            )
        return "<br>".join(lines)

    def role(i: int) -> str:
        n = nodes[i]
        if n["status_quo"]:
            return "Status quo"
        if n["proposals"]:
            return "Proposal"
        return (
            "Reached from the status quo"
            if n["moves_from_status_quo"] is not None
            else ("Not reached from the status quo")
        )

    styles = {
        "Status quo": dict(symbol="star", size=22, color="#000000"),
        "Proposal": dict(symbol="diamond", size=16, color="#E69F00"),
        "Reached from the status quo": dict(symbol="circle", size=12, color="#56B4E9"),
        "Not reached from the status quo": dict(symbol="circle-open", size=11, color="#777777"),
    }
    for name, style in styles.items():
        members = sorted(i for i in nodes if role(i) == name)
        if not members:
            continue
        fig.add_trace(
            go.Scatter(
                x=[position[i][0] for i in members],
                y=[position[i][1] for i in members],
                mode="markers+text",
                name=name,
                legendgroup="states",
                marker=dict(
                    symbol=style["symbol"],
                    size=style["size"],
                    color=style["color"],
                    line=dict(color="#000000", width=1),
                ),
                text=[
                    f"{i} {', '.join(nodes[i]['proposals'])}" if nodes[i]["proposals"] else str(i)
                    for i in members
                ],
                textposition="top right",
                textfont=dict(size=11),
                hovertext=[hover_text(i) for i in members],
                hoverinfo="text",
            )
        )
    if key is not None:
        for name, members, width in (
            (
                f"Equilibrium under {key.upper()}",
                [i for i in nodes if nodes[i]["equilibrium"].get(key)],
                3.5,
            ),
            (
                "Equilibrium under other concepts only",
                [
                    i
                    for i in nodes
                    if not nodes[i]["equilibrium"].get(key)
                    and any(nodes[i]["equilibrium"].values())
                ],
                1.5,
            ),
        ):
            if not members:
                continue
            fig.add_trace(
                go.Scatter(
                    x=[position[i][0] for i in sorted(members)],
                    y=[position[i][1] for i in sorted(members)],
                    mode="markers",
                    name=name,
                    legendgroup="equilibria",
                    marker=dict(
                        symbol="circle-open",
                        size=30,
                        color="#D55E00",
                        line=dict(color="#D55E00", width=width),
                    ),
                    hovertext=[hover_text(i) for i in sorted(members)],
                    hoverinfo="text",
                )
            )
    if separator is not None:
        fig.add_hline(y=separator, line=dict(color="#BBBBBB", dash="dot", width=1))
        fig.add_annotation(
            x=-0.45,
            y=separator,
            xref="x",
            yref="y",
            text="below: states the status quo does not reach (placed by how many parties must move)",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font=dict(size=11, color="#555555"),
        )
    subtitle = (
        f"{len(nodes)} of {graph['n_states']:,} states; arrows: improvements, coloured and "
        "dashed by who moves; rings: equilibria"
        + (f" (thick: {key.upper()})" if key else "")
        + "; hover a state or a move for details"
    )
    if key is not None and not everything:
        total = (graph.get("equilibria_total") or {}).get(key, 0)
        shown = sum(1 for n in nodes.values() if n["equilibrium"].get(key))
        if shown < total:
            subtitle += (
                f"<br>{shown} of {total:,} {key.upper()} equilibria, those nearest the status quo"
            )
    fig.update_layout(
        **{
            **LAYOUT,
            "height": height,
            "legend": dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.01),
            "margin": dict(l=30, r=20, t=80, b=60),
        },
        title=f"States around the status quo<br><sup>{subtitle}</sup>",
        hovermode="closest",
    )
    fig.update_xaxes(
        title="Moves from the status quo",
        tickmode="array",
        tickvals=list(range(n_columns)),
        ticktext=[
            "status quo" if c == 0 else f"{c} move{'s' if c > 1 else ''}" for c in range(n_columns)
        ],
        range=[-0.5, n_columns - 0.2],  # room for the labels right of the last column
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(
        title="",
        showticklabels=False,
        showgrid=False,
        zeroline=False,
        showline=False,
        ticks="",
        range=[-(rows - 0.4), 0.8],
    )
    return fig


def graph_model_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    if not data.get("state_graph") or data.get("status_quo_index") is None:
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
