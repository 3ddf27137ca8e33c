"""Figures for the HTML report and the web app, drawn with plotly from the engines' plain data.

Plots follow three rules: labelled axes, actor names rather than ids, and a legend;
and colours that survive greyscale printing, so every series also differs by marker
symbol or line dash (the Okabe-Ito palette, whose colours differ in lightness).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import plotly.graph_objects as go

__all__ = ["FIGURE_BUILDERS", "bargaining_figures", "forecast_figures", "graph_model_figures"]

PALETTE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#999999"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]

TEMPLATE = "simple_white"
"""The plotly template of detente's figures. The builders leave it out and the writers
(:func:`detente.report.html.figure_data`) put it into the figure's data as it is
written: plotly copies a named template each time one is set on a figure, about 13 ms
for this one, a good share of the time an HTML report takes."""

LAYOUT = dict(
    font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=13),
    margin=dict(l=60, r=20, t=60, b=110),
    legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
    height=520,
)


def bargaining_figures(
    data: dict[str, Any], brief: dict[str, Any], *, pair: tuple[str, str] | None = None
) -> list[tuple[str, go.Figure]]:
    """The utility space of ``pair`` (default: the two parties furthest apart) and the
    forums compared (see :mod:`detente.report.bargaining_plots`)."""
    from detente.report.bargaining_plots import bargaining_figures as build

    return build(data, brief, pair=pair)


def forecast_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    """The forecasts by issue and each issue's positions round by round (see
    :mod:`detente.report.forecast_plots`)."""
    from detente.report.forecast_plots import forecast_figures as build

    return build(data, brief)


# Dashes of unilateral moves, one per decision maker; coalition moves are dashed.
MOVE_DASHES = ["solid", "dot", "dashdot", "longdashdot", "1px,5px", "9px,3px,2px,3px,2px,3px"]
COALITION_DASHES = ["dash", "longdash"]
# Colours of coalitions' joint moves, none of them in PALETTE (a party's own moves take
# PALETTE's): Paul Tol's muted scheme, distinct for colour-blind readers too.
JOINT_COLORS = ["#882255", "#117733", "#332288", "#44AA99", "#AA4499", "#999933"]
LABEL_WIDTH = 16
LABEL_FONT = 11
LABEL_GAP = 2  # pixels between a label and its state's marks
LINE_STEP = 4  # pixels between the points of a move a label avoids
LABEL_RANK_COST = 60  # what a label pays (pixels overlapped) for each place it passes over
# A label's size in pixels at LABEL_FONT, about: a character's width and a line's height.
LABEL_CHAR = 6.3
LABEL_LINE = 14
# The state graph's plot on a phone (375 px less the page's edges and the margins).
PHONE_PLOT_WIDTH = 300
# The cross over the ring of an equilibrium a coalition unsettles: this many pixels
# wider than the ring; its hover names at most UNSETTLED_SHOWN coalitions a concept.
UNSETTLED_OVER = 4
UNSETTLED_SHOWN = 4
# Where a state's label may go, in order of preference: a number above right (the
# arrows leave a state on its left or right, seldom above), a proposal's lines beside.
NUMBER_PLACES = [
    "top right",
    "middle right",
    "bottom right",
    "top left",
    "middle left",
    "bottom left",
]
PROPOSAL_PLACES = [
    "middle right",
    "top right",
    "bottom right",
    "middle left",
    "top left",
    "bottom left",
    "top center",
    "bottom center",
]
# Rings of equilibria: one shape for each set of concepts a state is an equilibrium
# under (thicker the more concepts), so that the sets differ in greyscale too; past
# these many sets, the rest share a thin ring (hover tells each state's concepts).
RING_SYMBOLS = ["circle-open", "square-open", "diamond-open", "hexagon-open", "pentagon-open"]
RING_COLOR = "#D55E00"


def equilibrium_concepts(node: dict[str, Any], concepts: list[str] | None = None) -> list[str]:
    """The concepts under which a state of the ``state_graph`` data is an equilibrium
    (its ``equilibrium_concepts``; read from ``equilibrium`` in data written before
    that key), in the order of ``concepts`` when given."""
    found = node.get("equilibrium_concepts")
    if found is None:
        found = [c for c, v in node["equilibrium"].items() if v]
    if concepts is not None:
        found = [c for c in concepts if c in found] + [c for c in found if c not in concepts]
    return list(found)


def concept_list(concepts: list[str], data: dict[str, Any] | None = None) -> str:
    """Concepts by their short names, as a GMCR reader writes them: "Nash, GMR, SMR, SEQ"
    (limited move with its horizon, L2)."""
    from detente.report.graph_model import concept_name

    return ", ".join(concept_name(c, data) for c in concepts)


def equilibrium_classes(data: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, list[int]]]:
    """The equilibria of the ``state_graph`` data grouped by the set of concepts they are equilibria under: (concepts, states), the
    sets with the most concepts first. Sets past :data:`RING_SYMBOLS`' count less one
    are merged into one last group whose concepts are None."""
    graph = data["state_graph"]
    concepts = list(graph.get("concepts") or data.get("concepts") or [])
    nodes = {n["index"]: n for n in graph["nodes"]}
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in sorted(nodes):
        found = tuple(equilibrium_concepts(nodes[i], concepts))
        if found:
            groups.setdefault(found, []).append(i)
    order = sorted(
        groups,
        key=lambda g: (-len(g), [concepts.index(c) if c in concepts else len(concepts) for c in g]),
    )
    out: list[tuple[tuple[str, ...] | None, list[int]]] = [(g, groups[g]) for g in order]
    room = len(RING_SYMBOLS)
    if len(out) > room:
        rest = sorted(i for _, members in out[room - 1 :] for i in members)
        out = [*out[: room - 1], (None, rest)]
    return out


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


def path_hops(data: dict[str, Any]) -> set[tuple[int, int]]:
    """The moves of the status quo's paths (``status_quo`` and, with coalitions,
    ``status_quo_with_coalitions``) as (from, to) state numbers: each unilateral step,
    and each coalition's joint move (its members' consecutive steps) as one move, as the
    state graph draws them."""
    hops: set[tuple[int, int]] = set()
    for key in ("status_quo", "status_quo_with_coalitions"):
        for steps in ((data.get(key) or {}).get("paths") or {}).values():
            k = 0
            while k < len(steps):
                end = k
                coalition = steps[k].get("coalition")
                while (
                    coalition
                    and end + 1 < len(steps)
                    and steps[end + 1].get("coalition") == coalition
                    and steps[end + 1]["from"] == steps[end]["to"]
                ):
                    end += 1
                hops.add((steps[k]["from"], steps[end]["to"]))
                k = end + 1
    return hops


def _story_edges(
    graph: dict[str, Any], nodes: dict[int, dict[str, Any]], hops: set[tuple[int, int]]
) -> list[dict[str, Any]]:
    """The moves a view draws: every move out of the status quo, the moves of the status
    quo's paths (``hops``), the status quo's tree (each state entered from the column before, by at most two moves, the
    paths' moves first, then unilateral ones) and up to three departures from each
    proposal; the others are in the data (``to_networkx``)."""
    depth = {i: n["moves_from_status_quo"] for i, n in nodes.items()}
    incoming: dict[int, list[dict[str, Any]]] = {}
    departures: dict[int, list[dict[str, Any]]] = {}
    for e in graph["edges"]:
        a, b = e["from"], e["to"]
        if depth[a] is not None and depth[b] == depth[a] + 1:
            incoming.setdefault(b, []).append(e)
        elif nodes[a]["proposals"] and not nodes[a]["status_quo"]:
            departures.setdefault(a, []).append(e)
    # every move out of the status quo (the text tells its joint moves), then the paths'
    sq = graph.get("status_quo")
    drawn = [e for e in graph["edges"] if e["from"] == sq or (e["from"], e["to"]) in hops]
    hops = hops | {(e["from"], e["to"]) for e in drawn}
    for edges in incoming.values():
        drawn += [
            e
            for e in sorted(
                edges,
                key=lambda e: (
                    (e["from"], e["to"]) not in hops,
                    e["kind"] != "unilateral",
                    e["from"],
                ),
            )[:2]
            if (e["from"], e["to"]) not in hops
        ]
    for edges in departures.values():
        drawn += [
            e
            for e in sorted(
                edges, key=lambda e: (not any(nodes[e["to"]]["equilibrium"].values()), e["to"])
            )[:3]
            if (e["from"], e["to"]) not in hops
        ]
    return drawn


def _state_label(index: int, proposals: list[str]) -> str:
    """A state's label: its number, then its proposals' ids in lines of at most
    :data:`LABEL_WIDTH` characters (a label must fit between two columns on a phone)."""
    lines = [str(index)]
    line = ""
    for part in re.split(r"(?<=[_ ])", ", ".join(proposals)):  # break after _ or a space
        if line and len(line) + len(part) > LABEL_WIDTH:
            lines.append(line.rstrip())
            line = ""
        line += part
    return "<br>".join([*lines, line.rstrip()] if line else lines)


def _label_box(
    place: str, center: tuple[float, float], extent: float, text: str
) -> tuple[float, float, float, float]:
    """The pixels (left, top, right, bottom; y downwards) a label takes at ``place``
    (plotly's ``textposition``) off a state whose marks are ``extent`` pixels across, at
    ``center`` (pixels), drawn with a marker of :func:`label_offset`'s size."""
    lines = text.split("<br>")
    w = LABEL_CHAR * max(len(line) for line in lines)
    h = LABEL_LINE * len(lines)
    r = extent / 2 + LABEL_GAP
    x, y = center
    left = x + r if "right" in place else x - r - w if "left" in place else x - w / 2
    top = y - r - h if "top" in place else y + r if "bottom" in place else y - h / 2
    return left, top, left + w, top + h


def label_offset(extent: float) -> float:
    """The size of an invisible marker that sets a label :data:`LABEL_GAP` pixels off
    marks ``extent`` pixels across (plotly sets text off a marker of size s by
    s / 2 / 0.8 + 1 pixels)."""
    return round(1.6 * (extent / 2 + LABEL_GAP - 1), 1)


def _label_places(
    position: dict[int, tuple[float, float]],
    labels: dict[int, str],
    extent: dict[int, float],
    lines: list[list[tuple[float, float]]],
    scales: list[tuple[float, float]],
    bounds: tuple[float, float, float, float],
) -> dict[int, str]:
    """A ``textposition`` for each state's label, never centred on its marker: of the
    places :data:`NUMBER_PLACES` (or :data:`PROPOSAL_PLACES` for a label of more than one
    line), the one that overlaps the fewest pixels of the other states' marks
    (``extent`` pixels across), of the moves drawn (``lines``, data units; a point every
    few pixels), of the labels placed before it (in the order of ``labels``) and of the
    room outside the plot's ``bounds`` (x0, x1, y0, y1; data units), summed over the
    ``scales`` (pixels per unit: a phone's and a desktop's), a later place paying a
    little for each place before it. No layout engine: one greedy pass."""
    import numpy as np

    ids = list(position)
    x0, x1, y0, y1 = bounds
    frames, fixed = [], []
    for sx, sy in scales:
        frames.append((x0 * sx, -y1 * sy, x1 * sx, -y0 * sy))
        boxes = []
        for i in ids:
            x, y, r = position[i][0] * sx, -position[i][1] * sy, extent[i] / 2 + 1
            boxes.append((x - r, y - r, x + r, y + r))
        for line in lines:
            for (ax, ay), (bx, by) in pairwise((x * sx, -y * sy) for x, y in line):
                steps = max(1, int(((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5 / LINE_STEP))
                for k in range(steps + 1):
                    x, y = ax + (bx - ax) * k / steps, ay + (by - ay) * k / steps
                    boxes.append((x - 2, y - 2, x + 2, y + 2))
        fixed.append(np.array(boxes, dtype=float).reshape(-1, 4))
    placed: list[list[tuple[float, float, float, float]]] = [[] for _ in scales]

    def overlap(box: tuple[float, float, float, float], others: Any) -> Any:
        w = np.minimum(others[:, 2], box[2]) - np.maximum(others[:, 0], box[0])
        h = np.minimum(others[:, 3], box[3]) - np.maximum(others[:, 1], box[1])
        return np.clip(w, 0, None) * np.clip(h, 0, None)

    out: dict[int, str] = {}
    for i, text in labels.items():
        places = PROPOSAL_PLACES if "<br>" in text else NUMBER_PLACES
        own = ids.index(i)
        costs = []
        for rank, place in enumerate(places):
            cost = float(LABEL_RANK_COST * rank)
            for k, (sx, sy) in enumerate(scales):
                box = _label_box(
                    place, (position[i][0] * sx, -position[i][1] * sy), extent[i], text
                )
                hits = overlap(box, fixed[k])
                hits[own] = 0.0
                cost += float(hits.sum())
                if placed[k]:
                    cost += float(overlap(box, np.array(placed[k])).sum())
                area = (box[2] - box[0]) * (box[3] - box[1])
                cost += 2 * (area - float(overlap(box, np.array([frames[k]]))[0]))
            costs.append(cost)
        best = places[int(np.argmin(costs))]
        out[i] = best
        for k, (sx, sy) in enumerate(scales):
            placed[k].append(
                _label_box(best, (position[i][0] * sx, -position[i][1] * sy), extent[i], text)
            )
    return out


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


# How far (pixels) a move's line keeps from the centre of a state it does not join: a
# line nearer than this would run over the state's marker and read as two moves.
CLEARANCE = 16.0


def _clearance(
    xs: list[float],
    ys: list[float],
    scale: tuple[float, float],
    others: list[tuple[float, float]],
) -> float:
    """The least distance (pixels) from the line through ``xs``, ``ys`` to any of the
    points ``others``."""
    px, py = scale
    least = float("inf")
    points = list(zip(xs, ys, strict=True))
    for (x0, y0), (x1, y1) in pairwise(points):
        ax, ay, bx, by = x0 * px, y0 * py, x1 * px, y1 * py
        vx, vy = bx - ax, by - ay
        span = vx * vx + vy * vy
        for ox, oy in others:
            qx, qy = ox * px, oy * py
            t = 0.0 if span == 0 else max(0.0, min(1.0, ((qx - ax) * vx + (qy - ay) * vy) / span))
            least = min(least, ((ax + t * vx - qx) ** 2 + (ay + t * vy - qy) ** 2) ** 0.5)
    return least


def _clear_edge_points(
    start: tuple[float, float],
    end: tuple[float, float],
    scale: tuple[float, float],
    bend: float,
    others: list[tuple[float, float]],
) -> tuple[list[float], list[float]]:
    """:func:`_edge_points`, bent further (to the same side first, then the other) when
    the line would pass over the marker of a state in ``others``; the clearest of the
    tried curves when none keeps :data:`CLEARANCE` from every state."""
    best: tuple[float, tuple[list[float], list[float]]] | None = None
    side = 1.0 if bend >= 0 else -1.0
    for b in (bend, *(side * k for k in (0.12, 0.2, 0.3, 0.42)), *(-side * k for k in (0.2, 0.3))):
        if abs(b) < abs(bend) and b * bend >= 0:
            continue
        points = _edge_points(start, end, scale, b)
        gap = _clearance(*points, scale, others)
        if gap >= CLEARANCE:
            return points
        if best is None or gap > best[0]:
            best = (gap, points)
    assert best is not None
    return best[1]


def state_graph_figure(
    data: dict[str, Any], brief: dict[str, Any], *, max_equilibria: int = 24
) -> go.Figure:
    """The state graph around the status quo: states as markers (the status quo, the
    proposals, the states it reaches), equilibria ringed (one ring shape for each set of
    concepts under which a state is an equilibrium, named in the legend; the hover lists
    a state's concepts), moves as arrows coloured and dashed by who moves, coalitions'
    joint moves dashed; columns by moves from the status quo. Draws from the graph model's ``state_graph`` data (see
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
    drawn = graph["edges"] if everything else _story_edges(graph, nodes, path_hops(data))
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
    lines: list[list[tuple[float, float]]] = []  # the moves drawn, for the labels to avoid
    for group in [*((a,) for a in actors if (a,) in groups), *coalition_groups]:
        edges = groups[group]
        joint = len(group) > 1
        if joint:
            k = coalition_groups.index(group)
            # Colours no party's move has (however many parties); dashes tell them apart.
            color = JOINT_COLORS[k % len(JOINT_COLORS)]
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
            others = [p for i, p in position.items() if i not in (a, b)]
            ex, ey = _clear_edge_points(position[a], position[b], scale, bend, others)
            text = f"{who(e)}: state {a} → state {b}<br>{change_text(e)}"
            if not e.get("improvement", True):
                text += "<br>(not an improvement for the mover)"
            xs += [*ex, None]
            ys += [*ey, None]
            lines.append(list(zip(ex, ey, strict=True)))
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

    def unsettled_lines(n: dict[str, Any]) -> list[str]:
        """Which coalitions unsettle the state, under which concepts (at most
        :data:`UNSETTLED_SHOWN` coalitions named a concept)."""
        lines = []
        for c, groups in (n.get("unsettled_by_coalitions") or {}).items():
            named = [" with ".join(names.get(a, a) for a in g) for g in groups]
            more = len(named) - UNSETTLED_SHOWN
            lines.append(
                f"unsettled under {concept_list([c], data)} by a coalition: "
                + "; ".join(named[:UNSETTLED_SHOWN])
                + (f" (+{more} more)" if more > 0 else "")
            )
        return lines

    def hover_text(i: int) -> str:
        n = nodes[i]
        lines = [f"<b>State {i}</b> {n['pattern']}"]
        if n["status_quo"]:
            lines.append("the status quo")
        for pid in n["proposals"]:
            lines.append(f"proposal: {proposal_names.get(pid, pid)}")
        taken = [labels.get(o, o) for o in n["taken"]]
        lines.append("taken: " + (", ".join(taken) if taken else "no option"))
        eq = equilibrium_concepts(n, concepts)
        if eq:
            others = [c for c in concepts if c not in eq]
            lines.append(
                "equilibrium under: "
                + concept_list(eq, data)
                + (f" (not {concept_list(others, data)})" if others else "")
            )
        else:
            lines.append("equilibrium under: no concept")
        lines += unsettled_lines(n)
        if key is not None and not n["equilibrium"].get(key):
            leave = [names.get(a, a) for a in actors if a not in n["stable_for"].get(key, [])]
            lines.append(f"unstable under {concept_list([key], data)} for: {', '.join(leave)}")
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

    styles: dict[str, dict[str, Any]] = {
        "Status quo": dict(symbol="star", size=22, color="#000000"),
        "Proposal": dict(symbol="diamond", size=16, color="#E69F00"),
        "Reached from the status quo": dict(symbol="circle", size=12, color="#56B4E9"),
        "Not reached from the status quo": dict(symbol="circle-open", size=11, color="#777777"),
    }
    # rings as wide as a row leaves room for, so that a column of equilibria (a view of
    # 100 states) keeps a gap between its rings
    ring = int(max(18.0, min(30.0, 0.7 * scale[1])))
    classes = equilibrium_classes(data)
    ringed = {i for _, members in classes for i in members}

    def ring_size(i: int) -> int:
        # clear of the marker it rings (the status quo's star is large)
        return max(ring, styles[role(i)]["size"] + 8)

    unsettled = sorted(i for i in ringed if nodes[i].get("unsettled_by_coalitions"))
    # What each state's marker, ring and coalition mark take (pixels across).
    extent = {
        i: ring_size(i) + UNSETTLED_OVER * (i in unsettled)
        if i in ringed
        else styles[role(i)]["size"]
        for i in nodes
    }
    label_text = {i: _state_label(i, nodes[i]["proposals"]) for i in nodes}
    for name, style in styles.items():
        members = sorted(i for i in nodes if role(i) == name)
        if not members:
            continue
        fig.add_trace(
            go.Scatter(
                x=[position[i][0] for i in members],
                y=[position[i][1] for i in members],
                mode="markers",
                name=name,
                legendgroup="states",
                marker=dict(
                    symbol=style["symbol"],
                    size=style["size"],
                    color=style["color"],
                    line=dict(color="#000000", width=1),
                ),
                text=[label_text[i] for i in members],
                hovertext=[hover_text(i) for i in members],
                hoverinfo="text",
            )
        )
    for k, (concept_set, members) in enumerate(classes):
        if concept_set is None:
            name = "Equilibrium under fewer concepts (hover a state for them)"
            width = 1.2
        else:
            name = f"Equilibrium under {concept_list(list(concept_set), data)}"
            # thicker the more concepts: 1.5 px for one, 3.5 px for every concept analysed
            width = round(1.5 + 2.0 * (len(concept_set) - 1) / max(len(concepts) - 1, 1), 1)
        fig.add_trace(
            go.Scatter(
                x=[position[i][0] for i in members],
                y=[position[i][1] for i in members],
                mode="markers",
                name=name,
                legendgroup="equilibria",
                marker=dict(
                    symbol=RING_SYMBOLS[k],
                    size=[ring_size(i) for i in members],
                    color=RING_COLOR,
                    line=dict(color=RING_COLOR, width=width),
                ),
                hovertext=[hover_text(i) for i in members],
                hoverinfo="text",
                meta={"role": "equilibria", "concepts": list(concept_set) if concept_set else None},
            )
        )
    if unsettled:
        # The ring of each equilibrium that some coalition unsettles crossed out, in the
        # colour of coalitions' moves.
        fig.add_trace(
            go.Scatter(
                x=[position[i][0] for i in unsettled],
                y=[position[i][1] for i in unsettled],
                mode="markers",
                name="Unsettled by a coalition (hover for which)",
                legendgroup="equilibria",
                marker=dict(
                    symbol="x-thin-open",
                    size=[ring_size(i) + UNSETTLED_OVER for i in unsettled],
                    color=JOINT_COLORS[0],
                    line=dict(color=JOINT_COLORS[0], width=2),
                ),
                hovertext=[
                    "<br>".join([f"<b>State {i}</b>", *unsettled_lines(nodes[i])])
                    for i in unsettled
                ],
                hoverinfo="text",
                meta={"role": "unsettled by coalitions"},
            )
        )
    # The states' numbers and proposals, each beside its marker and ring rather than on
    # them, on the side where it meets the fewest other marks on a phone (the narrowest
    # width the report is drawn at).
    drawn_ids = sorted(nodes, key=lambda i: (role(i) != "Status quo", not nodes[i]["proposals"], i))
    phone = (PHONE_PLOT_WIDTH / (n_columns + 0.3), scale[1])
    places = _label_places(
        {i: position[i] for i in drawn_ids},
        {i: label_text[i] for i in drawn_ids},
        extent,
        lines,
        [phone, scale],
        (-0.5, n_columns - 0.2, -(rows - 0.4), 0.8),
    )
    fig.add_trace(
        go.Scatter(
            x=[position[i][0] for i in drawn_ids],
            y=[position[i][1] for i in drawn_ids],
            mode="markers+text",
            name="State numbers",
            showlegend=False,
            legendgroup="states",
            # invisible markers sized so that plotly, which sets a label off its
            # marker by the marker's radius / 0.8 + 1, sets it just clear of the ring
            marker=dict(size=[label_offset(extent[i]) for i in drawn_ids], color="rgba(0,0,0,0)"),
            text=[label_text[i] for i in drawn_ids],
            textposition=[places[i] for i in drawn_ids],
            textfont=dict(size=LABEL_FONT),
            hoverinfo="skip",
            meta={"role": "labels"},
        )
    )
    if separator is not None:
        fig.add_hline(y=separator, line=dict(color="#BBBBBB", dash="dot", width=1))
        fig.add_annotation(
            x=-0.45,
            y=separator,
            xref="x",
            yref="y",
            text="below: states the status quo does not reach<br>(placed by how many parties must move)",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font=dict(size=11, color="#555555"),
        )
    subtitle = (
        f"{len(nodes)} of {graph['n_states']:,} states; arrows: improvements, coloured and "
        "dashed by who moves; rings: equilibria, one shape per set of concepts"
        + ("; crossed out: a coalition unsettles it" if unsettled else "")
        + "; hover a state or a move for details"
    )
    if key is not None and not everything:
        total = (graph.get("equilibria_total") or {}).get(key, 0)
        shown = sum(1 for n in nodes.values() if n["equilibrium"].get(key))
        if shown < total:
            subtitle += (
                f"<br>{shown} of {total:,} {concept_list([key], data)} equilibria, those nearest "
                "the status quo"
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
        # the columns count moves for the states the status quo reaches, and the parties
        # that must move for those below the line (which it does not reach)
        title="Moves from the status quo"
        + (
            "<br><sup>below the line: parties that must move</sup>" if separator is not None else ""
        ),
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


def state_graph_caption(data: dict[str, Any]) -> str:
    """What the state graph draws, exactly: every state and move of a small model; else
    the states of the view (see :func:`detente.gmcr.state_graph.state_graph`) and the
    moves between them that it draws (the status quo's paths and tree, departures from
    the proposals). States the graph model did not select, such as those a way out
    passes through after changes of priorities, are not drawn and not promised."""
    graph = data["state_graph"]
    n, total = len(graph["nodes"]), graph["n_states"]
    if graph.get("states") == "all":
        return (
            f"The state graph: all {total:,} states and every improvement between them"
            + _rings_caption(data)
        )
    parts = ["the status quo"]
    if any(node["proposals"] for node in graph["nodes"]):
        parts.append("the proposals")
    if path_hops(data):
        parts.append("the status quo's paths to the equilibria it reaches")
    n_eq = sum(1 for node in graph["nodes"] if any(node["equilibrium"].values()))
    if n_eq:
        parts.append(
            f"the {n_eq} equilibria nearest the status quo"
            if n_eq > 1
            else "the equilibrium nearest the status quo"
        )
    parts.append("the first states one improvement away from the status quo or a proposal")
    return (
        f"The state graph around the status quo ({n} of {total:,} states): "
        + ", ".join(parts[:-1])
        + f" and {parts[-1]}"
        + _rings_caption(data)
    )


def _rings_caption(data: dict[str, Any]) -> str:
    """How the state graph marks equilibria, for its caption: a ring around each, one
    shape for each set of concepts, and the sets drawn."""
    graph = data["state_graph"]
    concepts = list(graph.get("concepts") or data.get("concepts") or [])
    if not concepts:
        return ""
    classes = equilibrium_classes(data)
    if not classes:
        return f". No state drawn is an equilibrium under {_or_list(concept_list(concepts, data))}"
    named = []
    for k, (group, members) in enumerate(classes):
        count = (
            f"{len(members)} state{'s' if len(members) > 1 else ''}"
            if k == 0
            else str(len(members))
        )
        under = _or_list(concept_list(list(group), data), "and") if group else "fewer concepts"
        named.append(f"{count} under {under}")
    crossed = sum(1 for n in graph["nodes"] if n.get("unsettled_by_coalitions"))
    return (
        ". Rings mark the equilibria, one shape for each set of concepts under which a state "
        "is an equilibrium, thicker the more concepts (here "
        + "; ".join(named)
        + "); hovering over a state lists its concepts"
        + (
            f". A cross over a ring marks an equilibrium that a coalition unsettles ({crossed} "
            "drawn): a coalition has a joint move from it that every member prefers and the "
            "others cannot answer; hovering names the coalition and the concept"
            if crossed
            else ""
        )
    )


def _or_list(text: str, word: str = "or") -> str:
    """ "Nash, GMR, SMR, SEQ" as "Nash, GMR, SMR or SEQ" (or with ``word`` "and")."""
    head, sep, last = text.rpartition(", ")
    return f"{head} {word} {last}" if sep else text


def graph_model_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    if not data.get("state_graph") or data.get("status_quo_index") is None:
        return []
    return [(state_graph_caption(data), state_graph_figure(data, brief))]


def _backtest_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    from detente.report.backtest import backtest_figures

    return backtest_figures(data, brief)


def history_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    """The recorded moves on a timeline (see :mod:`detente.report.dynamics_plots`)."""
    from detente.report.dynamics_plots import history_figures as build

    return build(data, brief)


def evolution_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    """Where the improvements lead (see :mod:`detente.report.dynamics_plots`)."""
    from detente.report.dynamics_plots import evolution_figures as build

    return build(data, brief)


def perception_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    """The proposals in each party's view (see :mod:`detente.report.dynamics_plots`)."""
    from detente.report.dynamics_plots import perception_figures as build

    return build(data, brief)


def robustness_figures(data: dict[str, Any], brief: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    """The margins chart (see :mod:`detente.report.dynamics_plots`)."""
    from detente.report.dynamics_plots import robustness_figures as build

    return build(data, brief)


FIGURE_BUILDERS: dict[
    str, Callable[[dict[str, Any], dict[str, Any]], list[tuple[str, go.Figure]]]
] = {
    "graph_model": graph_model_figures,
    "bargaining": bargaining_figures,
    "forecast": forecast_figures,
    "backtest": _backtest_figures,
    "history": history_figures,
    "evolution": evolution_figures,
    "perception": perception_figures,
    "robustness": robustness_figures,
}
