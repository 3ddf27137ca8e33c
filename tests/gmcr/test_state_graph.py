"""The state graph as networkx: moves and improvements from the engine, equilibria from
the analysis, the view around the status quo, coalition moves."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import detente
from detente.gmcr import GraphModel, analyze_conflict, stabilities
from detente.gmcr.case import ConflictAnalysis
from detente.gmcr.state_graph import MAX_ALL_STATES, state_graph_data

pytestmark = pytest.mark.gmcr


@pytest.fixture(scope="module")
def dilemma() -> ConflictAnalysis:
    return analyze_conflict(detente.load("prisoners_dilemma"))


@pytest.fixture(scope="module")
def korea_advice() -> ConflictAnalysis:
    return analyze_conflict(detente.load("korea").base.scenario("article_advice"))


def _edges(g: nx.DiGraph) -> dict[tuple[int, int], tuple[str, object]]:
    return {
        (u, v): (a["kind"], a.get("mover") or tuple(a["movers"])) for u, v, a in g.edges(data=True)
    }


def test_prisoners_dilemma_improvements_are_the_known_ones(dilemma) -> None:
    # States 1 NN, 2 YN (A defects), 3 NY (B defects), 4 YY; each prefers to defect
    # whatever the other does.
    g = dilemma.to_networkx()
    assert isinstance(g, nx.DiGraph)
    assert sorted(g.nodes) == [1, 2, 3, 4]
    assert _edges(g) == {
        (1, 2): ("unilateral", "A"),
        (3, 4): ("unilateral", "A"),
        (1, 3): ("unilateral", "B"),
        (2, 4): ("unilateral", "B"),
    }
    assert g.nodes[1]["status_quo"] and g.nodes[1]["pattern"] == "NN"
    assert g.nodes[2]["taken"] == ["A_defects"]
    assert [g.nodes[i]["moves_from_status_quo"] for i in (1, 2, 3, 4)] == [0, 1, 1, 2]
    assert g.edges[1, 2]["changed"] == {"A_defects": True}


def test_all_moves_include_those_that_do_not_improve(dilemma) -> None:
    g = dilemma.to_networkx(moves="all")
    assert _edges(g) == {
        (1, 2): ("unilateral", "A"),
        (2, 1): ("unilateral", "A"),
        (3, 4): ("unilateral", "A"),
        (4, 3): ("unilateral", "A"),
        (1, 3): ("unilateral", "B"),
        (3, 1): ("unilateral", "B"),
        (2, 4): ("unilateral", "B"),
        (4, 2): ("unilateral", "B"),
    }
    assert g.edges[1, 2]["improvement"] and not g.edges[2, 1]["improvement"]


def test_coalition_moves_where_asked_or_analysed(dilemma) -> None:
    # Both suspects prefer mutual silence to mutual confession: a joint move 4 -> 1.
    joint = dilemma.to_networkx(coalitions=True)
    assert _edges(joint)[4, 1] == ("coalition", ("A", "B"))
    assert joint.edges[4, 1]["changed"] == {"A_defects": False, "B_defects": False}
    analysed = analyze_conflict(detente.load("prisoners_dilemma"), coalitions=True)
    g = analysed.to_networkx()
    assert _edges(g)[4, 1] == ("coalition", ("A", "B"))
    assert "coalition_equilibrium" in g.nodes[1]
    assert not dilemma.to_networkx(coalitions=False).has_edge(4, 1)


def test_equilibrium_flags_are_the_analysis_ones(dilemma, korea_advice) -> None:
    for analysis in (dilemma, korea_advice):
        g = analysis.to_networkx()
        for concept in analysis.stability.concepts:
            eq = {i + 1 for i in analysis.stability.equilibria(concept)}
            for node, attrs in g.nodes(data=True):
                assert attrs["equilibrium"][concept] == (node in eq)
                stable = attrs["stable_for"][concept]
                assert stable == [
                    a
                    for a in analysis.model.actors
                    if analysis.stability.is_stable(concept, a, node - 1)
                ]


def test_teaching_cases_show_every_state() -> None:
    for name in ("prisoners_dilemma", "chicken"):
        analysis = analyze_conflict(detente.load(name))
        g = analysis.to_networkx()
        assert g.number_of_nodes() == analysis.model.n_states
        assert g.graph["states"] == "all"
        data = analysis.to_dict()["state_graph"]
        assert [n["index"] for n in data["nodes"]] == list(range(1, analysis.model.n_states + 1))


def test_korea_view_holds_the_status_quo_proposals_and_the_joint_move(korea_advice) -> None:
    g = korea_advice.to_networkx(coalitions=True)
    sq = korea_advice.model.status_quo + 1
    assert sq == 2177 and g.nodes[sq]["status_quo"]
    assert {p.index for p in korea_advice.proposals} <= set(g.nodes)
    assert g.nodes[2194]["proposals"] == ["freeze_for_freeze"]
    # The United States and North Korea together move the status quo to freeze-for-freeze.
    edge = g.edges[sq, 2194]
    assert edge["kind"] == "coalition" and edge["movers"] == ["USA", "PRK"]
    assert g.nodes[2194]["moves_from_status_quo"] == 1
    assert g.number_of_nodes() <= 60
    # Without coalitions asked for, the analysis followed none: no coalition edge.
    assert all(a["kind"] == "unilateral" for *_, a in korea_advice.to_networkx().edges(data=True))


def test_view_edges_are_engine_improvements(korea_advice) -> None:
    from detente.gmcr.moves import unilateral_improvements

    g = korea_advice.to_networkx()
    model = korea_advice.model
    for u in list(g.nodes)[:10]:
        for k, actor in enumerate(model.actors):
            expected = {v + 1 for v in unilateral_improvements(model, k, u - 1)} & set(g.nodes)
            got = {v for _, v, a in g.out_edges(u, data=True) if a["mover"] == actor}
            assert got == expected


def test_data_is_plain_and_in_to_dict(dilemma) -> None:
    import json

    data = dilemma.to_dict()["state_graph"]
    json.dumps(data)
    assert data == state_graph_data(dilemma, coalitions=True)
    first = data["edges"][0]
    assert (first["from"], first["to"], first["kind"]) == (1, 2, "unilateral")


def test_all_states_refused_on_large_models() -> None:
    n = 13  # 8,192 states
    model = GraphModel.from_options(
        actors=["A", "B"],
        options=[(f"o{k}", "A" if k % 2 else "B") for k in range(n)],
        preferences={"A": ["o1"], "B": ["o0"]},
        status_quo=0,
    )
    assert model.n_states > MAX_ALL_STATES
    analysis = ConflictAnalysis(
        case_id="big",
        scenario=None,
        stability=stabilities(model, concepts=("nash",)),
        status_quo=None,
    )
    with pytest.raises(ValueError, match="states='view'"):
        analysis.to_networkx("all")
    view = analysis.to_networkx()
    assert 0 < view.number_of_nodes() <= 60
    with pytest.raises(ValueError, match="states must be"):
        analysis.to_networkx("some")
    assert np.all([attrs["index"] == node for node, attrs in view.nodes(data=True)])
