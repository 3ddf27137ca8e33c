"""Figures of the conflict's history and evolution (graph model).

:func:`history_figures` draws :meth:`detente.gmcr.history.HistoryResult.to_dict` as a
timeline: one row per party, a mark at each recorded move of that party, coloured by
what the move was for the movers. :func:`evolution_figures` draws
:meth:`detente.gmcr.evolution.EvolutionResult.to_dict` as the state-transition graph of
the likeliest states, laid out by the number of moves from the start, with the states
where the conflict ends and the equilibria marked.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from detente.report.plots import LAYOUT, PALETTE

__all__ = ["evolution_figure", "evolution_figures", "history_figure", "history_figures"]

KIND_STYLE = {
    "unilateral_improvement": ("improvement for the mover", PALETTE[3], "circle"),
    "coalition_improvement": ("coalition improvement", PALETTE[4], "diamond"),
    "unilateral_move": ("move against the mover's preferences", PALETTE[5], "x"),
    "joint_move": ("joint move, no improvement for all", PALETTE[6], "x"),
    "no_change": ("no change", PALETTE[7], "circle-open"),
}

MAX_GRAPH_STATES = 40
"""The evolution graph draws at most this many states, the likeliest to be visited."""


def history_figure(data: dict[str, Any], brief: dict[str, Any]) -> go.Figure:
    """The recorded moves on a timeline, a row per party."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    parties = list(data["parties"]) or [a["id"] for a in brief["actors"]]
    steps = data["steps"]
    fig = go.Figure()
    for kind, (label, colour, symbol) in KIND_STYLE.items():
        xs, ys, texts = [], [], []
        for s in steps:
            if s["kind"] != kind:
                continue
            for mover in s["movers"] or parties[:0]:
                xs.append(s["step"])
                ys.append(names.get(mover, mover))
                changed = ", ".join(
                    f"{'takes' if taken else 'drops'} {o}" for o, taken in s["changed"].items()
                )
                texts.append(f"{s['date']}: {s['label']}<br>{changed}")
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="markers",
                    name=label,
                    marker=dict(color=colour, symbol=symbol, size=14, line=dict(width=1)),
                    hovertext=texts,
                    hoverinfo="text",
                )
            )
    fig.update_layout(
        **{**LAYOUT, "height": max(260, 60 * len(parties) + 160)},
        title="The recorded moves, party by party",
        xaxis=dict(
            title="Recorded move",
            tickmode="array",
            tickvals=[s["step"] for s in steps],
            ticktext=[s["date"] for s in steps],
        ),
        yaxis=dict(
            title="",
            categoryorder="array",
            categoryarray=[names.get(p, p) for p in reversed(parties)],
        ),
    )
    return fig


def history_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    if not data.get("steps"):
        return []
    return [("History", history_figure(data, brief))]


def _graph_states(data: dict[str, Any]) -> list[int]:
    """The states worth drawing: the start, where the conflict ends, and the states the
    distributions after k moves give most weight, up to :data:`MAX_GRAPH_STATES`."""
    weight: dict[int, float] = {data["start"]["index"]: float("inf")}
    for closed in data["closed_classes"]:
        for s in closed["states"]:
            weight[s] = max(weight.get(s, 0.0), 1.0 + closed["probability"])
    for dist in data["distributions"].values():
        for entry in dist["states"]:
            weight[entry["state"]] = weight.get(entry["state"], 0.0) + entry["probability"]
    ranked = sorted(weight, key=lambda s: (-weight[s], s))
    return sorted(ranked[:MAX_GRAPH_STATES])


def evolution_figure(data: dict[str, Any], brief: dict[str, Any]) -> go.Figure:
    """The likeliest states and the improvements between them, by moves from the start."""
    start = data["start"]["index"]
    shown = set(_graph_states(data))
    edges = [
        t
        for t in data["transitions"] or []
        if t["from"] in shown and t["to"] in shown and t["probability"] > 0
    ]
    # layer each state by its fewest moves from the start (breadth first over the edges)
    depth = {start: 0}
    frontier = [start]
    while frontier:
        nxt = []
        for s in frontier:
            for t in edges:
                if t["from"] == s and t["to"] not in depth:
                    depth[t["to"]] = depth[s] + 1
                    nxt.append(t["to"])
        frontier = nxt
    far = max(depth.values(), default=0) + 1
    for s in sorted(shown):
        depth.setdefault(s, far)
    layers: dict[int, list[int]] = {}
    for s in sorted(shown):
        layers.setdefault(depth[s], []).append(s)
    pos = {
        s: (layer, k - (len(members) - 1) / 2)
        for layer, members in layers.items()
        for k, s in enumerate(members)
    }
    fig = go.Figure()
    xs: list[float | None] = []
    ys: list[float | None] = []
    for t in edges:
        (x0, y0), (x1, y1) = pos[t["from"]], pos[t["to"]]
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(color="rgba(90,90,90,0.35)", width=1),
            hoverinfo="skip",
            name="improvement",
        )
    )
    ends = {s: c["probability"] for c in data["closed_classes"] for s in c["states"]}
    equilibria = {e["state"]: e for e in data["equilibria"]}
    groups = [
        ("start", [start], PALETTE[1], "star"),
        (
            "where the conflict ends",
            [s for s in sorted(shown) if s in ends and s != start],
            PALETTE[5],
            "circle",
        ),
        (
            "equilibrium it passes",
            [s for s in sorted(shown) if s in equilibria and s not in ends and s != start],
            PALETTE[3],
            "diamond",
        ),
        (
            "other state",
            [s for s in sorted(shown) if s not in ends and s not in equilibria and s != start],
            PALETTE[7],
            "circle",
        ),
    ]
    for label, members, colour, symbol in groups:
        if not members:
            continue
        hover = []
        for s in members:
            lines = [f"state {s}"]
            if s in equilibria:
                lines.append("equilibrium: " + ", ".join(equilibria[s]["concepts"]).upper())
                lines.append(f"reached with probability {equilibria[s]['probability']:.0%}")
            if s in ends:
                lines.append(f"ends here with probability {ends[s]:.0%}")
            hover.append("<br>".join(lines))
        fig.add_trace(
            go.Scatter(
                x=[pos[s][0] for s in members],
                y=[pos[s][1] for s in members],
                mode="markers+text",
                text=[str(s) for s in members],
                textposition="middle right",
                name=label,
                marker=dict(color=colour, symbol=symbol, size=16, line=dict(width=1)),
                hovertext=hover,
                hoverinfo="text",
            )
        )
    tallest = max((len(m) for m in layers.values()), default=1)
    fig.update_layout(
        **{**LAYOUT, "height": max(520, 28 * tallest + 220)},
        title=f"Where the parties' improvements lead from state {start}",
        xaxis=dict(title="Fewest moves from the start", dtick=1, zeroline=False),
        yaxis=dict(visible=False),
    )
    return fig


def evolution_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    if not data.get("transitions"):
        return []
    return [("Evolution", evolution_figure(data, brief))]
