"""The state graph marks the equilibria that coalitions unsettle, and sets its labels
clear of the states' markers."""

from __future__ import annotations

from functools import cache

import pytest

import detente
from detente.gmcr import analyze_conflict
from detente.report.brief import case_brief
from detente.report.plots import label_offset, state_graph_caption, state_graph_figure


@cache
def _korea(coalitions: bool):
    case = detente.load("korea")
    data = analyze_conflict(case, coalitions=coalitions).to_dict()
    return data, state_graph_figure(data, case_brief(case))


def _nodes(data) -> dict[int, dict]:
    return {n["index"]: n for n in data["state_graph"]["nodes"]}


def test_the_data_names_the_coalitions_that_unsettle_an_equilibrium() -> None:
    """The report said "Coalitions unsettle 132 of the 144 GMR equilibria (e.g. state
    2193)", and the state graph's data had no word of it."""
    data, _ = _korea(True)
    nodes = _nodes(data)
    assert nodes[2193]["unsettled_by_coalitions"] == {"gmr": [["USA", "ROK"]]}
    assert nodes[2177]["unsettled_by_coalitions"] == {}
    alone = data["coalitions"]["individual"]["equilibria"]
    for i, node in nodes.items():
        for concept, groups in node["unsettled_by_coalitions"].items():
            assert groups and i in alone[concept]
            assert not node["coalition_equilibrium"][concept]
        for concept, held in node["coalition_equilibrium"].items():
            if i in alone[concept] and not held:
                assert concept in node["unsettled_by_coalitions"]


def test_the_figure_crosses_out_the_equilibria_coalitions_unsettle() -> None:
    data, fig = _korea(True)
    nodes = _nodes(data)
    (trace,) = [t for t in fig.data if (t.meta or {}).get("role") == "unsettled by coalitions"]
    assert trace.name.startswith("Unsettled by a coalition")
    labels = next(t for t in fig.data if (t.meta or {}).get("role") == "labels")
    at = {
        int(text.split("<br>")[0]): (x, y)
        for x, y, text in zip(labels.x, labels.y, labels.text, strict=True)
    }
    crossed = set(zip(trace.x, trace.y, strict=True))
    assert crossed == {at[i] for i, n in nodes.items() if n["unsettled_by_coalitions"]}
    assert at[2193] in crossed
    hover = trace.hovertext[list(zip(trace.x, trace.y, strict=True)).index(at[2193])]
    assert "unsettled under GMR by a coalition: United States with South Korea" in hover
    # the state's own hover says so too, and the caption tells what the crosses mean
    states = [t for t in fig.data if t.name == "Not reached from the status quo"]
    own = [h for t in states for h, s in zip(t.hovertext, t.text, strict=True) if s == "2193"]
    assert own and "unsettled under GMR by a coalition" in own[0]
    assert "A cross over a ring marks an equilibrium that a coalition unsettles" in (
        state_graph_caption(data)
    )


def test_without_coalitions_nothing_is_crossed_out() -> None:
    data, fig = _korea(False)
    assert all("unsettled_by_coalitions" not in n for n in data["state_graph"]["nodes"])
    assert not [t for t in fig.data if (t.meta or {}).get("role") == "unsettled by coalitions"]


@pytest.mark.parametrize("coalitions", [False, True])
def test_labels_are_set_off_their_markers_and_rings(coalitions) -> None:
    """State numbers were drawn "top right" of a 12 px marker, on top of the 30 px ring
    around it (2181, 2193, 2194): a label now sits off the state's marker, ring and
    cross, never centred on them."""
    _, fig = _korea(coalitions)
    labels = next(t for t in fig.data if (t.meta or {}).get("role") == "labels")
    assert labels.mode == "markers+text" and labels.marker.color == "rgba(0,0,0,0)"
    assert "middle center" not in labels.textposition
    marks: dict[tuple[float, float], float] = {}
    for t in fig.data:
        if t.mode == "markers" and t is not labels:
            sizes = (
                t.marker.size if isinstance(t.marker.size, tuple) else [t.marker.size] * len(t.x)
            )
            for x, y, size in zip(t.x, t.y, sizes, strict=True):
                marks[x, y] = max(marks.get((x, y), 0), size)
    for x, y, size in zip(labels.x, labels.y, labels.marker.size, strict=True):
        # plotly sets text off a marker of size s by s / 2 / 0.8 + 1 pixels
        assert size / 2 / 0.8 + 1 > marks[x, y] / 2
    assert label_offset(30) / 2 / 0.8 + 1 == pytest.approx(30 / 2 + 2, abs=0.1)
