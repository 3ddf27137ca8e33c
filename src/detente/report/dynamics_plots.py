"""Figures of the conflict's history and evolution (graph model).

:func:`history_figures` draws :meth:`detente.gmcr.history.HistoryResult.to_dict` as a
timeline: one row per party, a mark at each recorded move of that party, coloured by
what the move was for the movers. :func:`evolution_figures` draws
:meth:`detente.gmcr.evolution.EvolutionResult.to_dict` as the state-transition graph of
the likeliest states, laid out by the number of moves from the start, with the states
where the conflict ends and the equilibria marked. :func:`perception_figures` draws
:meth:`detente.gmcr.hypergame.HypergameResult.to_dict`'s ``graph``: the states around
the status quo and the moves between them, each marked as an equilibrium of the true
game, of the hypergame only (through misperception), of some party's view only, or
hidden from some party. :func:`robustness_figures` draws the margins chart.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from detente.report.plots import LAYOUT, PALETTE
from detente.report.text import possessive

__all__ = [
    "evolution_figure",
    "evolution_figures",
    "history_figure",
    "history_figures",
    "perception_figure",
    "perception_figures",
    "perception_graph_figure",
    "robustness_figure",
    "robustness_figures",
]

KIND_STYLE = {
    "unilateral_improvement": ("improvement for the mover", PALETTE[3], "circle"),
    "coalition_improvement": ("coalition improvement", PALETTE[4], "diamond"),
    "unilateral_move": ("move against the mover's preferences", PALETTE[5], "x"),
    "joint_move": ("joint move, no improvement for all", PALETTE[6], "x"),
    "no_change": ("no change", PALETTE[7], "circle-open"),
}


def _wrapped(text: str, width: int = 32) -> str:
    """A long label broken into lines for an axis (plotly breaks at ``<br>``)."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width)) or text


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


def _start_words(data: dict[str, Any], brief: dict[str, Any]) -> str:
    """The start, short: the proposal's name or "the status quo", and its state."""
    record = data["start"]
    names = {p["id"]: p["name"] for p in brief.get("proposals", [])}
    pid = record.get("proposal")
    if pid:
        name = names.get(pid, pid)
        short = name if len(name) <= 40 else name[:39].rstrip() + "…"
        return f"{short} (state {record['index']})"
    if record.get("status_quo"):
        return f"the status quo (state {record['index']})"
    return f"state {record['index']}"


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
        title=f"Where the parties' improvements lead from {_start_words(data, brief)}",
        xaxis=dict(title="Fewest moves from the start", dtick=1, zeroline=False),
        yaxis=dict(visible=False),
    )
    return fig


def evolution_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    if not data.get("transitions"):
        return []
    return [("Evolution", evolution_figure(data, brief))]


def perception_figure(
    data: dict[str, Any], brief: dict[str, Any], concept: str = "seq"
) -> go.Figure:
    """The proposals as states: stable (under ``concept``) in the true game, in the
    hypergame and in the view of each party that misperceives."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    titles = {p["id"]: p["name"] for p in brief["proposals"]}
    views = [
        a
        for a, v in data["perceptions"].items()
        if v["misperceives_preferences_of"] or v["unknown_options"]
    ]
    columns = [
        "true game",
        "hypergame",
        *(_wrapped(f"{possessive(names.get(a, a), start=True)} view", 16) for a in views),
    ]
    rows, cells = [], []
    for pid, proposal in data["proposals"].items():
        verdict = proposal["equilibrium"].get(concept)
        if verdict is None:
            continue
        rows.append(_wrapped(titles.get(pid, pid)))
        cells.append(
            [
                int(verdict["true"]),
                int(verdict["hypergame"]),
                *(int(bool(verdict["perceived"].get(a))) for a in views),
            ]
        )
    fig = go.Figure(
        go.Heatmap(
            z=cells,
            x=columns,
            y=rows,
            zmin=0,
            zmax=1,
            colorscale=[[0, "#f2f2f2"], [0.5, "#f2f2f2"], [0.5, PALETTE[3]], [1, PALETTE[3]]],
            showscale=False,
            xgap=3,
            ygap=3,
            text=[["stable" if v else "unstable" for v in row] for row in cells],
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        **{**LAYOUT, "height": max(300, 60 * len(rows) + 200)},
        title=f"The proposals as states: stable ({concept.upper()}) in whose view",
        yaxis=dict(autorange="reversed", automargin=True),
        xaxis=dict(side="top"),
    )
    return fig


MARK_STYLE = {
    "true": ("equilibrium of the true game", PALETTE[3]),
    "lost": ("true equilibrium that some party's view unsettles", PALETTE[4]),
    "misperception": ("equilibrium only through misperception", PALETTE[5]),
    "perceived": ("equilibrium only in some party's mistaken view", PALETTE[1]),
    "hidden": ("hidden from some party, no equilibrium", PALETTE[6]),
    "none": ("no equilibrium in any view", PALETTE[7]),
}
"""Legend wording and colour of each mark of :data:`detente.gmcr.hypergame.MARKS`."""


def perception_concept(data: dict[str, Any]) -> str:
    """The concept the perception graph is drawn under: SEQ when analysed, else the
    last concept analysed."""
    concepts = list(data.get("concepts") or ["seq"])
    return "seq" if "seq" in concepts else concepts[-1]


def _graph_positions(states: list[dict[str, Any]]) -> dict[int, tuple[float, float]]:
    """Each state in the column of the options it changes from the status quo, in the
    order given (equilibria first, at the top), staggered left and right so that the
    moves inside a column do not run through the states between."""
    columns: dict[int, list[dict[str, Any]]] = {}
    for s in states:
        columns.setdefault(s["options_changed"], []).append(s)
    pos = {}
    for x, members in columns.items():
        shift = 0.14 if len(members) > 1 else 0.0
        for k, s in enumerate(members):
            pos[s["index"]] = (x + (shift if k % 2 else -shift), (len(members) - 1) / 2 - k)
    return pos


def perception_graph_figure(
    data: dict[str, Any], brief: dict[str, Any], concept: str | None = None
) -> go.Figure:
    """The states around the status quo and the moves between them, each marked by
    whether it is an equilibrium of the true game, of the hypergame only, of some
    party's view only, or hidden from some party (under ``concept``, default
    :func:`perception_concept`)."""
    concept = concept or perception_concept(data)
    names = {a["id"]: a["name"] for a in brief["actors"]}
    titles = {p["id"]: p["name"] for p in brief["proposals"]}
    graph = data["graph"]
    order = {mark: k for k, mark in enumerate(MARK_STYLE)}
    states = sorted(
        graph["states"],
        key=lambda s: (order.get(s["mark"][concept], 9), not s["status_quo"], s["index"]),
    )
    pos = _graph_positions(states)
    fig = go.Figure()
    # one line per pair of states; dark when a move either way is an improvement
    pairs: dict[tuple[int, int], bool] = {}
    for mv in graph["moves"]:
        if mv["from"] in pos and mv["to"] in pos:
            key = (min(mv["from"], mv["to"]), max(mv["from"], mv["to"]))
            pairs[key] = pairs.get(key, False) or bool(mv["improvement"])
    for improving, colour, label in (
        (False, "rgba(140,140,140,0.4)", "a party's move"),
        (True, "rgba(40,40,40,0.6)", "a move the mover gains by"),
    ):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for (u, v), gains in pairs.items():
            if gains is improving:
                (x0, y0), (x1, y1) = pos[u], pos[v]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line=dict(color=colour, width=1),
                    hoverinfo="skip",
                    name=label,
                    legendrank=30 + improving,
                )
            )

    def hover(s: dict[str, Any]) -> str:
        lines = [f"state {s['index']} ({s['pattern']})"]
        if s["status_quo"]:
            lines.append("the status quo")
        lines += [titles.get(p, p) for p in s["proposals"]]
        lines.append(MARK_STYLE[s["mark"][concept]][0])
        views = s["stable_in_view_of"][concept]
        if views:
            lines.append("stable in the view of " + ", ".join(names.get(a, a) for a in views))
        if s["hidden_from"]:
            lines.append("hidden from " + ", ".join(names.get(a, a) for a in s["hidden_from"]))
        return "<br>".join(lines)

    for rank, (mark, (label, colour)) in enumerate(MARK_STYLE.items()):
        members = [s for s in states if s["mark"][concept] == mark]
        if not members:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[s["index"]][0] for s in members],
                y=[pos[s["index"]][1] for s in members],
                mode="markers+text",
                # the unmarked states are numbered in the hover only, to keep it legible;
                # the status quo and the proposals under their frame
                text=[
                    str(s["index"])
                    if mark != "none" and not (s["status_quo"] or s["proposals"])
                    else ""
                    for s in members
                ],
                textposition="middle right",
                textfont=dict(size=10),
                name=label,
                legendrank=rank + 1,
                marker=dict(color=colour, symbol="circle", size=12, line=dict(width=1)),
                hovertext=[hover(s) for s in members],
                hoverinfo="text",
            )
        )
    rings = (
        ("the status quo", [s for s in states if s["status_quo"]], "diamond-open", "#000000"),
        ("a proposal", [s for s in states if s["proposals"]], "square-open", "#000000"),
        (
            "hidden from some party",
            [s for s in states if s["hidden_from"]],
            "circle-open",
            PALETTE[6],
        ),
    )
    for rank, (label, members, symbol, colour) in enumerate(rings):
        if not members:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[s["index"]][0] for s in members],
                y=[pos[s["index"]][1] for s in members],
                mode="markers" if symbol == "circle-open" else "markers+text",
                text=[str(s["index"]) for s in members],
                textposition="bottom center",
                textfont=dict(size=10),
                name=label,
                legendrank=20 + rank,
                marker=dict(symbol=symbol, size=22, color=colour, line=dict(width=2)),
                hovertext=[hover(s) for s in members],
                hoverinfo="text",
            )
        )
    centre = (
        "the status quo" if any(s["status_quo"] for s in states) else f"state {graph['centre']}"
    )
    tallest = max(
        (
            sum(1 for s in states if s["options_changed"] == x)
            for x in {s["options_changed"] for s in states}
        ),
        default=1,
    )
    fig.update_layout(
        **{**LAYOUT, "height": max(480, 30 * tallest + 260)},
        title=f"States near {centre}, in each view ({concept.upper()})",
        xaxis=dict(
            title=f"Options changed from {centre}",
            dtick=1,
            zeroline=False,
            range=[-0.6, max((x for x, _ in pos.values()), default=0) + 0.9],
        ),
        yaxis=dict(visible=False),
    )
    return fig


def perception_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    """The perception graph. (The proposals' stability in each view, which
    :func:`perception_figure` draws as a grid, is the section's table.)"""
    if not (data.get("graph") or {}).get("states"):
        return []
    return [("Perception", perception_graph_figure(data, brief))]


def robustness_figure(data: dict[str, Any], brief: dict[str, Any]) -> go.Figure:
    """For the status quo and each proposal, the changes of priorities that would upset
    it (an equilibrium) or make it stable, stacked by the party that changes."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    titles = {p["id"]: p["name"] for p in brief["proposals"]}
    concept = next(iter(data["states"]), None)
    margins = data["states"].get(concept, []) if concept else []
    rows = []
    for m in margins:
        label = ", ".join(
            "the status quo" if x == "status_quo" else titles.get(x, x) for x in m["labels"]
        )
        verb = "to upset" if m["kind"] == "remove" else "to make stable"
        short = label if len(label) <= 56 else label[:55].rstrip() + "…"
        rows.append((_wrapped(f"{short} ({verb})"), m))
    parties = sorted({ch["actor"] for _, m in rows for ch in m["changes"]})
    fig = go.Figure()
    for k, party in enumerate(parties):
        fig.add_trace(
            go.Bar(
                y=[label for label, _ in rows],
                x=[sum(ch["size"] for ch in m["changes"] if ch["actor"] == party) for _, m in rows],
                name=names.get(party, party),
                orientation="h",
                marker_color=PALETTE[(k + 1) % len(PALETTE)],
                hovertext=[
                    "<br>".join(
                        d
                        for ch in m["changes"]
                        if ch["actor"] == party
                        for d in ch.get("described", [])
                    )
                    for _, m in rows
                ],
                hoverinfo="text+name",
            )
        )
    impossible = [label for label, m in rows if m["impossible"]]
    if impossible:
        fig.add_trace(
            go.Scatter(
                y=impossible,
                x=[0] * len(impossible),
                mode="markers",
                marker=dict(symbol="x", size=14, color=PALETTE[5]),
                name="no change of one party's priorities does it",
                hoverinfo="name",
            )
        )
    fig.update_layout(
        **{**LAYOUT, "height": max(320, 22 * sum(lab.count("<br>") + 2 for lab, _ in rows) + 220)},
        barmode="stack",
        title=f"How many changes of priorities it takes ({(concept or '').upper()})",
        xaxis=dict(title="statements moved or dropped", dtick=1),
        yaxis=dict(autorange="reversed", automargin=True),
    )
    return fig


def robustness_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    if not any(data.get("states", {}).values()):
        return []
    return [("Robustness", robustness_figure(data, brief))]
