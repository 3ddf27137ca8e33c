"""The state graph's data is built without networkx and says what the networkx graph
says: the same nodes, edges and attributes, in the same order of insertion."""

from __future__ import annotations

import subprocess
import sys

import pytest

import detente
from detente.gmcr import analyze_conflict
from detente.gmcr.state_graph import state_graph, state_graph_data

pytestmark = pytest.mark.gmcr


def _from_networkx(g) -> dict:
    return {
        **g.graph,
        "nodes": [dict(attrs) for _, attrs in sorted(g.nodes(data=True))],
        "edges": [
            {"from": u, "to": v, **attrs}
            for u, v, attrs in sorted(g.edges(data=True), key=lambda e: (e[0], e[1]))
        ],
    }


@pytest.mark.parametrize(
    ("case", "scenario", "options"),
    [
        pytest.param("korea", None, {"coalitions": True}, id="korea-view-pairs"),
        pytest.param("korea", "article_advice", {}, id="korea-advice-view"),
        pytest.param("prisoners_dilemma", None, {"moves": "all"}, id="dilemma-all-moves"),
        pytest.param("chicken", None, {"states": "all", "coalitions": True}, id="chicken-all"),
    ],
)
def test_data_is_the_networkx_graph(case, scenario, options) -> None:
    loaded = detente.load(case)
    if scenario is not None:
        loaded = loaded.base.scenario(scenario)
    analysis = analyze_conflict(loaded)
    data = state_graph_data(analysis, **options)
    g = state_graph(analysis, **options)
    assert data == _from_networkx(g)
    assert list(data) == list(_from_networkx(g))  # the keys in the same order
    assert data["nodes"] and all("moves_from_status_quo" in n for n in data["nodes"])
    sq = data["status_quo"]
    depth = {n["index"]: n["moves_from_status_quo"] for n in data["nodes"]}
    assert depth[sq] == 0
    for e in data["edges"]:  # an edge goes at most one move further from the status quo
        if depth[e["from"]] is not None:
            assert depth[e["to"]] is not None and depth[e["to"]] <= depth[e["from"]] + 1


def test_the_data_imports_no_networkx() -> None:
    code = (
        "import sys, detente\n"
        "from detente.gmcr import analyze_conflict\n"
        "from detente.gmcr.state_graph import state_graph_data\n"
        "state_graph_data(analyze_conflict(detente.load('prisoners_dilemma')))\n"
        "print('networkx' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
