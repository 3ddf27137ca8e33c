"""The state graph marks each equilibrium with the concepts under which it is one
(issue #12, "The first hour"): one ring per set of concepts, the legend and the hover
naming them ("Nash, GMR, SMR, SEQ"), the data carrying each state's concepts for the
web run page and for networkx, and the caption saying how equilibria are marked.

Expected concepts are read from the analysis itself (its equilibrium masks), never from
the figure's data."""

from __future__ import annotations

import json

import pytest

import detente
from detente.gmcr import analyze_conflict
from detente.gmcr.state_graph import state_graph_data
from detente.report.brief import case_brief
from detente.report.plots import (
    RING_SYMBOLS,
    equilibrium_classes,
    state_graph_caption,
    state_graph_figure,
)

# The names a GMCR reader writes (Fang, Hipel & Kilgour 1993; Fraser & Hipel 1984).
NAMES = {
    "nash": "Nash",
    "gmr": "GMR",
    "smr": "SMR",
    "seq": "SEQ",
    "sim": "SIM",
    "seq_sim": "SEQ+SIM",
    "nm": "non-myopic",
}


def _name(concept: str, analysis) -> str:
    if concept == "lh":
        return f"L{analysis.stability.parameters['horizon']}"
    return NAMES[concept]


def _expected(analysis) -> dict[int, list[str]]:
    """1-based state -> the concepts under which the analysis finds it an equilibrium."""
    stability = analysis.stability
    masks = {c: stability.equilibrium_mask(c) for c in stability.concepts}
    return {
        i + 1: [c for c in stability.concepts if masks[c][i]]
        for i in range(analysis.model.n_states)
    }


def _analysed(name: str, scenario: str | None = None):
    case = detente.load(name)
    if scenario is not None:
        case = case.base.scenario(scenario)
    analysis = analyze_conflict(case)
    return case, analysis, analysis.to_dict()


def _rings(fig) -> list:
    return [t for t in fig.data if (t.meta or {}).get("role") == "equilibria"]


def _positions(fig) -> dict[int, tuple[float, float]]:
    return {
        int(text.split("<br>")[0]): (x, y)
        for t in fig.data
        if t.mode == "markers+text"
        for x, y, text in zip(t.x, t.y, t.text, strict=True)
    }


CASES = [
    pytest.param("korea", None, id="korea"),
    pytest.param("korea", "article_advice", id="korea-article_advice"),
    pytest.param("chicken", None, id="chicken"),
    pytest.param("prisoners_dilemma", None, id="prisoners_dilemma"),
]


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_each_state_carries_its_concepts(name, scenario) -> None:
    """``equilibrium_concepts`` in the JSON data (which the web run page draws from) and
    on the networkx nodes, added beside ``equilibrium`` (kept as it was)."""
    _, analysis, data = _analysed(name, scenario)
    expected = _expected(analysis)
    nodes = data["state_graph"]["nodes"]
    json.dumps(nodes)
    for n in nodes:
        assert n["equilibrium_concepts"] == expected[n["index"]]
        assert n["equilibrium"] == {
            c: c in expected[n["index"]] for c in analysis.stability.concepts
        }
    g = analysis.to_networkx()
    for i, attrs in g.nodes(data=True):
        assert attrs["equilibrium_concepts"] == expected[i]


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_rings_are_one_per_set_of_concepts(name, scenario) -> None:
    """Every equilibrium drawn is ringed once, by the ring of its own set of concepts,
    whose legend entry lists them; the hover of every state lists its concepts."""
    case, analysis, data = _analysed(name, scenario)
    expected = _expected(analysis)
    fig = state_graph_figure(data, case_brief(case))
    positions = _positions(fig)
    drawn_eq = {i for i in positions if expected[i]}
    sets = {tuple(expected[i]) for i in drawn_eq}
    rings = _rings(fig)
    assert drawn_eq and len(rings) == len(sets) <= len(RING_SYMBOLS)
    assert len({t.marker.symbol for t in rings}) == len(rings)  # tell apart in greyscale
    ringed: list[int] = []
    for t in rings:
        concepts = t.meta["concepts"]
        assert t.name == "Equilibrium under " + ", ".join(_name(c, analysis) for c in concepts)
        members = [i for i, p in positions.items() if p in set(zip(t.x, t.y, strict=True))]
        assert len(members) == len(t.x)
        for i, hover in zip(members, t.hovertext, strict=True):
            assert expected[i] == concepts
            listed = ", ".join(_name(c, analysis) for c in concepts)
            assert f"equilibrium under: {listed}" in hover
        ringed += members
    assert sorted(ringed) == sorted(drawn_eq)
    # more concepts, a thicker ring
    widths = [(len(t.meta["concepts"]), t.marker.line.width) for t in rings]
    assert sorted(widths) == sorted(widths, key=lambda w: (w[1], w[0]))


def test_korea_status_quo_is_marked_with_its_concepts() -> None:
    """korea's status quo: its hover and its ring's legend entry list the concepts under
    which the analysis finds it an equilibrium, in the analysis's order."""
    case, analysis, data = _analysed("korea")
    sq = analysis.model.status_quo + 1
    concepts = _expected(analysis)[sq]
    assert concepts  # the status quo of the deadlock is an equilibrium
    listed = ", ".join(_name(c, analysis) for c in concepts)
    fig = state_graph_figure(data, case_brief(case))
    (status_quo,) = [t for t in fig.data if t.name == "Status quo"]
    assert f"equilibrium under: {listed}" in status_quo.hovertext[0]
    (ring,) = [t for t in _rings(fig) if t.meta["concepts"] == concepts]
    assert ring.name == f"Equilibrium under {listed}"
    assert (ring.x[0], ring.y[0]) in set(zip(status_quo.x, status_quo.y, strict=True))
    # a state that is an equilibrium under some concepts only says which it is not
    partial = [
        n
        for n in data["state_graph"]["nodes"]
        if n["equilibrium_concepts"]
        and len(n["equilibrium_concepts"]) < len(analysis.stability.concepts)
    ]
    if partial:
        n = partial[0]
        missing = [c for c in analysis.stability.concepts if c not in n["equilibrium_concepts"]]
        hovers = [h for t in _rings(fig) for h in t.hovertext if f"<b>State {n['index']}</b>" in h]
        assert hovers and f"(not {', '.join(_name(c, analysis) for c in missing)})" in hovers[0]


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_the_caption_says_how_equilibria_are_marked(name, scenario) -> None:
    _, analysis, data = _analysed(name, scenario)
    caption = state_graph_caption(data)
    assert "Rings mark the equilibria, one shape for each set of concepts" in caption
    expected = _expected(analysis)
    drawn = [n["index"] for n in data["state_graph"]["nodes"] if expected[n["index"]]]
    for concepts in {tuple(expected[i]) for i in drawn}:
        names = [_name(c, analysis) for c in concepts]
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        count = sum(1 for i in drawn if tuple(expected[i]) == concepts)
        assert f"{count} state{'s' if count > 1 else ''} under {listed}" in caption or (
            f"; {count} under {listed}" in caption
        )


def test_a_view_of_about_100_states_keeps_one_trace_per_set() -> None:
    """A view of about 100 states draws no trace per state: the rings stay one trace per
    set of concepts, and small enough that a column of equilibria keeps gaps."""
    case = detente.load("korea")
    analysis = analyze_conflict(case)
    data = analysis.to_dict()
    data["state_graph"] = state_graph_data(
        analysis, coalitions=True, max_states=100, max_equilibria=80
    )
    n = len(data["state_graph"]["nodes"])
    assert n > 60
    fig = state_graph_figure(data, case_brief(case))
    expected = _expected(analysis)
    sets = {tuple(expected[s["index"]]) for s in data["state_graph"]["nodes"]} - {()}
    assert len(_rings(fig)) == len(sets)
    assert len(fig.data) < 15
    small = state_graph_figure(analysis.to_dict(), case_brief(case))
    assert max(max(t.marker.size) for t in _rings(fig)) <= max(
        max(t.marker.size) for t in _rings(small)
    )


def test_many_sets_share_one_last_ring() -> None:
    """Past as many sets as there are ring shapes, the rest share one last ring (whose
    legend says to hover for their concepts). The nodes are written as before
    ``equilibrium_concepts`` existed: the concepts are read from ``equilibrium``."""
    concepts = ["nash", "gmr", "smr", "seq", "sim", "seq_sim", "nm"]
    sets = [concepts[: k + 1] for k in range(len(concepts))]
    nodes = [
        {"index": k + 1, "equilibrium": {c: c in s for c in concepts}, "proposals": []}
        for k, s in enumerate(sets)
    ]
    data = {"state_graph": {"concepts": concepts, "nodes": nodes}}
    classes = equilibrium_classes(data)
    assert len(classes) == len(RING_SYMBOLS)
    assert classes[0] == (tuple(concepts), [len(concepts)])
    last, members = classes[-1]
    assert last is None
    # the sets with the fewest concepts (states 1, 2, ...), all but the rings' count less one
    assert sorted(members) == list(range(1, len(sets) - (len(RING_SYMBOLS) - 1) + 1))


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_the_x_axis_says_what_the_columns_count_below_the_line(name, scenario) -> None:
    """Columns count moves for the states the status quo reaches; below the dotted line
    (states it does not reach) they count the parties that must move, and the axis's
    title says so whenever such states are drawn."""
    case, _analysis, data = _analysed(name, scenario)
    fig = state_graph_figure(data, case_brief(case))
    below = any(
        "does not reach" in (a.text or "") for a in fig.layout.annotations
    )  # the dotted line's label
    title = fig.layout.xaxis.title.text
    assert title.startswith("Moves from the status quo")
    assert ("parties that must move" in title) == below
