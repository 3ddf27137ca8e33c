"""The perception graph of a hypergame (:meth:`HypergameResult.perception_graph`): each
state's mark follows from the hypergame's own sets of states, the moves are the
parties' unilateral moves between the states shown, and the status quo and the
proposals are always among them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.errors import InfeasibleError
from detente.gmcr import GraphModel
from detente.gmcr.hypergame import MARKS, analyze_hypergame, hypergame_stabilities
from detente.gmcr.moves import unilateral_moves
from tests.gmcr.strategies import graph_models
from tests.gmcr.test_hypergame import perceptions

pytestmark = pytest.mark.gmcr

FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _expected_mark(res, concept: str, s: int) -> str:
    """The mark of state ``s`` read off the result's lists of states (the order of
    :data:`MARKS`: the first that applies)."""
    true = s in res.true_equilibria(concept)
    hyper = s in res.hypergame_equilibria(concept)
    if true and hyper:
        return "true"
    if true:
        return "lost"
    if hyper:
        return "misperception"
    if any(s in res.perceived_only(a, concept) for a in res.games):
        return "perceived"
    if any(s in res.hidden_from(a) for a in res.model.actors):
        return "hidden"
    return "none"


def _with_status_quo(model: GraphModel, sq: int) -> GraphModel:
    return GraphModel(
        actors=model.actors,
        options=model.options,
        controller=model.controller,
        states=model.states,
        payoff=model.payoff,
        direction=model.direction,
        perceived=model.perceived,
        status_quo=sq % model.n_states,
    )


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=5), st.data())
def test_the_marks_and_moves_follow_the_hypergame(model, data):
    model = _with_status_quo(model, data.draw(st.integers(0, 63)))
    beliefs, unknown = data.draw(perceptions(model))
    try:
        res = hypergame_stabilities(model, beliefs=beliefs, unknown_options=unknown)
    except InfeasibleError:
        return  # a party that can conceive of no state (test_hypergame covers it)
    for c in res.concepts:
        marks = res.state_marks(c)
        assert [str(x) for x in marks] == [
            _expected_mark(res, c, s) for s in range(model.n_states)
        ], c
    graph = res.perception_graph(max_states=12)
    json.dumps(graph)
    shown = [s["index"] - 1 for s in graph["states"]]
    assert shown[0] == model.status_quo and graph["centre"] == model.status_quo + 1
    assert len(shown) == len(set(shown)) <= 12
    for s in graph["states"]:
        i = s["index"] - 1
        assert s["status_quo"] == (i == model.status_quo)
        changed = int(model.states[i]) ^ int(model.states[model.status_quo])
        assert s["options_changed"] == bin(changed).count("1")
        assert s["mark"] == {c: _expected_mark(res, c, i) for c in res.concepts}
        assert s["hidden_from"] == [a for a in model.actors if i in res.hidden_from(a)]
        for c in res.concepts:
            assert s["stable_in_view_of"][c] == [
                a for a in model.actors if a in res.games and i in res.perceived_equilibria(a, c)
            ]
    expected = {
        (u + 1, v + 1, actor)
        for actor in model.actors
        for u in shown
        for v in unilateral_moves(model, actor, u)
        if v in shown
    }
    assert {(m["from"], m["to"], m["mover"]) for m in graph["moves"]} == expected
    k = {a: j for j, a in enumerate(model.actors)}
    for m in graph["moves"]:
        a = k[m["mover"]]
        assert m["improvement"] == bool(
            model.payoff[a, m["to"] - 1] > model.payoff[a, m["from"] - 1]
        )


def test_the_nearest_states_of_each_rare_mark_are_shown():
    """A believes B prefers to keep quiet whatever A does: under SEQ mutual cooperation
    is lost to misperception; the graph shows it however many states are allowed."""
    m = GraphModel.from_options(
        actors=["A", "B"],
        options={"dA": "A", "dB": "B"},
        rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]},
        status_quo=3,
    )
    res = hypergame_stabilities(m, beliefs={"A": {"B": np.array([4, 4, 1, 1])}})
    graph = res.perception_graph(max_states=2)
    marks = {s["index"]: s["mark"]["seq"] for s in graph["states"]}
    assert marks == {4: "true", 1: "lost"}


def test_korea_eve_of_hanoi_graph_is_in_the_json():
    eve = detente.load("korea").base.scenario("eve_of_hanoi_2019")
    res = analyze_hypergame(eve)
    data = res.to_dict()
    graph = data["graph"]
    assert graph["marks"] == list(MARKS)
    assert graph["centre"] == data["status_quo_index"]
    indices = {s["index"] for s in graph["states"]}
    assert {p["index"] for p in data["proposals"].values()} <= indices
    perceived_only = {s for a in res.games for s in res.perceived_only(a, "seq")}
    for s in graph["states"]:
        assert (s["mark"]["seq"] == "perceived") == (s["index"] - 1 in perceived_only)
