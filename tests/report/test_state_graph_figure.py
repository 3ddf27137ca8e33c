"""The report's state graph: arrows per mover, coalition moves dashed, equilibria ringed."""

from __future__ import annotations

import pytest

import detente
from detente.gmcr import analyze_conflict
from detente.report.brief import case_brief
from detente.report.plots import COALITION_DASHES, graph_model_figures, state_graph_figure


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
                    points[int(text.split()[0])] = (x, y)
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
        t.name == "Proposal" and any("freeze_for_freeze" in s for s in t.text) for t in fig.data
    )


def test_no_figure_without_a_state_graph() -> None:
    case = detente.load("prisoners_dilemma")
    data = analyze_conflict(case).to_dict()
    assert len(graph_model_figures(data, case_brief(case))) == 1
    data.pop("state_graph")
    assert graph_model_figures(data, case_brief(case)) == []
