"""The report's state graph: arrows per mover, coalition moves dashed, equilibria ringed."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

import detente
from detente.gmcr import analyze_conflict
from detente.report.brief import case_brief
from detente.report.plots import (
    COALITION_DASHES,
    graph_model_figures,
    path_hops,
    state_graph_caption,
    state_graph_figure,
)


def _figure(case):
    analysis = analyze_conflict(case)
    data = analysis.to_dict()
    return data, state_graph_figure(data, case_brief(case))


def _node_points(fig) -> set[tuple[float, float]]:
    names = {"Status quo", "Proposal", "Reached from the status quo"}
    names.add("Not reached from the status quo")
    return {(x, y) for t in fig.data if t.name in names for x, y in zip(t.x, t.y, strict=True)}


def _ringed(fig) -> set[tuple[float, float]]:
    return {
        (x, y)
        for t in fig.data
        if t.name.startswith("Equilibrium")
        for x, y in zip(t.x, t.y, strict=True)
    }


@pytest.mark.parametrize("name", ["prisoners_dilemma", "chicken"])
def test_teaching_case_shows_every_state_with_arrows_per_mover(name) -> None:
    case = detente.load(name)
    data, fig = _figure(case)
    assert len(_node_points(fig)) == data["n_states"]
    movers = {e["mover"] for e in data["state_graph"]["edges"] if e["kind"] == "unilateral"}
    names = {a["id"]: a["name"] for a in case_brief(case)["actors"]}
    traces = [t for t in fig.data if t.name.endswith(" moves")]
    assert sorted(t.name for t in traces) == sorted(f"{names[m]} moves" for m in movers)
    for t in traces:
        assert "arrow" in (t.marker.symbol,) and t.marker.angleref == "previous"
        assert any(s > 0 for s in t.marker.size)  # an arrowhead at each move's end
    # Parties differ by dash too, for greyscale printing.
    assert len({t.line.dash for t in traces}) == len(traces)
    assert len({t.line.color for t in traces}) == len(traces)
    # The joint move of both parties back to the start is dashed.
    joint = [t for t in fig.data if t.name.endswith("(joint move)")]
    assert joint and all(t.line.dash in COALITION_DASHES for t in joint)


def test_every_equilibrium_in_view_is_ringed() -> None:
    for case in (
        detente.load("chicken"),
        detente.load("korea").base.scenario("article_advice"),
    ):
        data, fig = _figure(case)
        points = {}
        for t in fig.data:
            if t.name in ("Status quo", "Proposal") or t.name.endswith("from the status quo"):
                for x, y, text in zip(t.x, t.y, t.text, strict=True):
                    points[int(text.split("<br>")[0])] = (x, y)
        eq = {n["index"] for n in data["state_graph"]["nodes"] if any(n["equilibrium"].values())}
        assert eq and {points[i] for i in eq} == _ringed(fig)


def test_korea_draws_the_joint_move_to_freeze_for_freeze() -> None:
    case = detente.load("korea").base.scenario("article_advice")
    _, fig = _figure(case)
    joint = [t for t in fig.data if t.name == "United States + North Korea (joint move)"]
    assert len(joint) == 1
    assert joint[0].line.dash in COALITION_DASHES
    assert any("state 2177 → state 2194" in h for h in joint[0].hovertext)
    assert any(
        t.name == "Proposal" and any("freeze_for_freeze" in s.replace("<br>", "") for s in t.text)
        for t in fig.data
    )


def test_no_figure_without_a_state_graph() -> None:
    case = detente.load("prisoners_dilemma")
    data = analyze_conflict(case).to_dict()
    assert len(graph_model_figures(data, case_brief(case))) == 1
    data.pop("state_graph")
    assert graph_model_figures(data, case_brief(case)) == []


def _drawn_moves(fig) -> set[tuple[int, int]]:
    """The (from, to) states of every move the figure draws, read from its hover text."""
    moves = set()
    for t in fig.data:
        for h in t.hovertext or ():
            m = re.search(r"state (\d+) → state (\d+)", h)
            if m:
                moves.add((int(m[1]), int(m[2])))
    return moves


def _drawn_states(fig) -> set[int]:
    return {
        int(text.split("<br>")[0]) for t in fig.data if t.mode == "markers+text" for text in t.text
    }


def test_the_caption_promises_no_path_korea_does_not_draw() -> None:
    """korea's status quo reaches no state by improvements: the caption used to promise
    'paths' the figure does not draw (the way out's path 1 passes state 2210, which is not
    in the view); it now names what is drawn, and every state it names is there."""
    case = detente.load("korea")
    data, fig = _figure(case)
    caption = state_graph_caption(data)
    assert data["status_quo"]["paths"] == {}
    assert "path" not in caption
    nodes = data["state_graph"]["nodes"]
    assert f"({len(nodes)} of {data['n_states']:,} states)" in caption
    drawn = _drawn_states(fig)
    assert drawn == {n["index"] for n in nodes}
    assert 2210 not in drawn
    assert {n["index"] for n in nodes if n["proposals"] or n["status_quo"]} <= drawn
    n_eq = sum(1 for n in nodes if any(n["equilibrium"].values()))
    assert f"the {n_eq} equilibria nearest the status quo" in caption
    assert graph_model_figures(data, case_brief(case))[0][0] == caption


def test_the_status_quos_paths_are_drawn_move_by_move() -> None:
    """Where the status quo has paths (korea's article_advice with coalitions; the
    prisoner's dilemma), the caption says so and every move of every path is drawn."""
    korea = detente.load("korea").base.scenario("article_advice")
    for case, coalitions in ((korea, True), (detente.load("prisoners_dilemma"), False)):
        data = analyze_conflict(case, coalitions=coalitions).to_dict()
        fig = state_graph_figure(data, case_brief(case))
        hops = path_hops(data)
        assert hops
        assert hops <= _drawn_moves(fig)
        assert {s for hop in hops for s in hop} <= _drawn_states(fig)
        caption = state_graph_caption(data)
        if data["state_graph"]["states"] == "view":
            assert "the status quo's paths to the equilibria it reaches" in caption
        else:
            assert caption.startswith("The state graph: all 4 states")


STANDOFF = """
id: standoff
title: A two-party standoff
actors:
- {id: USA, name: United States, capability: 100.0}
- {id: PRK, name: North Korea, capability: 60.0}
options:
- {id: relief, label: Partial relief, controller: USA}
- {id: freeze, label: Test freeze, controller: PRK}
preferences:
  USA:
    statements: [{expr: freeze}, {expr: not relief}]
  PRK:
    statements: [{expr: relief}, {expr: freeze iff relief}]
"""


def _edges(fig):
    """Each drawn move as (its hover text, its points), from the figure's line traces."""
    out = []
    for t in fig.data:
        if not t.mode or "lines" not in t.mode:
            continue
        points: list[tuple[float, float]] = []
        for x, y, text in zip(t.x, t.y, t.hovertext, strict=True):
            if x is None:
                out.append((text, points))
                points = []
            else:
                points.append((x, y))
    return out


def _gap(points, node, xspan, yspan) -> float:
    """The least distance from ``node`` to the line through ``points``, in shares of the
    axes' spans (so that both axes count alike)."""
    qx, qy = node
    least = float("inf")
    for (ax, ay), (bx, by) in pairwise(points):
        ax, bx, qxs = ax / xspan, bx / xspan, qx / xspan
        ay, by, qys = ay / yspan, by / yspan, qy / yspan
        vx, vy = bx - ax, by - ay
        span = vx * vx + vy * vy or 1e-12
        t = max(0.0, min(1.0, ((qxs - ax) * vx + (qys - ay) * vy) / span))
        least = min(least, ((ax + t * vx - qxs) ** 2 + (ay + t * vy - qys) ** 2) ** 0.5)
    return least


@pytest.mark.parametrize("name", ["standoff", "korea"])
def test_no_move_is_drawn_over_a_third_state(tmp_path, name) -> None:
    """On the standoff North Korea's move 3 -> 1 ran straight through state 4, on top of
    1 -> 4 and 4 -> 3, and read as a two-way move 1 <-> 4: a move is bent clear of every
    state it does not join, whether or not its states share a column."""
    if name == "standoff":
        path = tmp_path / "standoff.yaml"
        path.write_text(STANDOFF, encoding="utf-8")
        case = detente.load(str(path))
    else:
        case = detente.load("korea")
    _, fig = _figure(case)
    states = {
        int(label): (x, y)
        for t in fig.data
        if t.mode and "text" in t.mode and t.text is not None
        for x, y, label in zip(t.x, t.y, t.text, strict=True)
        if str(label).isdigit()
    }
    xs = [x for x, _ in states.values()]
    ys = [y for _, y in states.values()]
    xspan, yspan = max(xs) - min(xs) + 1.3, max(ys) - min(ys) + 1.0
    edges = _edges(fig)
    assert edges
    if name == "standoff":
        assert any("state 3 → state 1" in text for text, _ in edges)
    for text, points in edges:
        a, b = (int(n) for n in re.findall(r"state (\d+)", text)[:2])
        for i, node in states.items():
            if i not in (a, b):
                assert _gap(points, node, xspan, yspan) > 0.02, (
                    f"{text.split('<br>')[0]} runs over state {i}"
                )


def test_joint_moves_have_colours_no_party_has() -> None:
    """With seoul_as_2018 North Korea's moves (orange, dotted) and North Korea + South
    Korea's joint moves (orange, dashed) shared a colour."""
    _, fig = _figure(detente.load("korea", scenario="seoul_as_2018"))
    lines = [t for t in fig.data if t.mode and "lines" in t.mode]
    own = {t.line.color for t in lines if t.name.endswith(" moves")}
    joint = [t.line.color for t in lines if "(joint move)" in t.name]
    assert own and joint
    assert not own & set(joint), f"joint moves share a party's colour: {own & set(joint)}"
    assert len(set(joint)) == len(joint)
