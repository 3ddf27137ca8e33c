"""Where improvements lead after a change of preferences, with what does not hang on
preferences shared: the repriced reach and move graphs give what the edited model's own
give, the preference-edit search and the stability analysis likewise with shared graphs,
and a different conflict is refused."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import detente
from detente.gmcr.case import graph_model
from detente.gmcr.improvements import ImprovementReach, repriced_moves
from detente.gmcr.margins import stabilizing_edit
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.preferences import payoff_from_statements
from detente.gmcr.stability import stabilities
from detente.model.expressions import parse

pytestmark = pytest.mark.gmcr

PAIRS = [("USA", "PRK"), ("CHN", "PRK"), ("USA", "ROK")]


@pytest.fixture(scope="module")
def korea():
    case = detente.load("korea")
    return case, graph_model(case)


def reversed_priorities(case, model, actor: str):
    """``model`` with ``actor``'s priorities upside down."""
    statements = [s.expr for s in case.preferences[actor].statements][::-1]
    payoff = model.payoff.copy()
    payoff[model.actor_index(actor)] = payoff_from_statements(
        [parse(s) for s in statements], states=model.states, options=model.options
    )
    return dataclasses.replace(model, payoff=payoff)


def test_repriced_reach_is_the_edited_models_own(korea) -> None:
    case, model = korea
    edited = reversed_priorities(case, model, "PRK")
    base = ImprovementReach(model, coalitions=PAIRS)
    base.reachable(model.status_quo)  # the base's joint moves listed before sharing
    shared = base.repriced(edited)
    fresh = ImprovementReach(edited, coalitions=PAIRS)
    sq = model.status_quo
    assert np.array_equal(shared.reachable(sq), fresh.reachable(sq))
    assert not np.array_equal(shared.reachable(sq), base.reachable(sq)), "the edit should matter"
    rng = np.random.default_rng(3)
    for target in rng.integers(0, model.n_states, 12).tolist():
        a, b = shared.path(sq, target), fresh.path(sq, target)
        assert (a is None) == (b is None), target
        if a is not None:
            assert len(a) == len(b) and a[-1].target == target
    # the joint moves are the base's, and so are the move graphs of unchanged parties
    assert all(x is y for x, y in zip(shared._edges, base._edges, strict=True))
    prk = model.actor_index("PRK")
    for k in range(model.n_actors):
        assert (shared.graphs[k] is base.graphs[k]) == (k != prk)


def test_repriced_move_graphs_move_as_the_edited_models(korea) -> None:
    case, model = korea
    edited = reversed_priorities(case, model, "USA")
    shared = repriced_moves(MoveGraphs(model), edited)
    fresh = MoveGraphs(edited)
    states = np.arange(0, model.n_states, 37)
    for k in range(model.n_actors):
        for improving in (False, True):
            a = shared[k].targets(states, improving=improving)
            b = fresh[k].targets(states, improving=improving)
            assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    full = stabilities(edited, concepts=("gmr", "seq"))
    with_shared = stabilities(edited, concepts=("gmr", "seq"), graphs=shared)
    for c in ("gmr", "seq"):
        assert np.array_equal(full.stable[c], with_shared.stable[c])


def test_another_conflict_is_refused(korea) -> None:
    _, model = korea
    other = graph_model(detente.load("prisoners_dilemma"))
    with pytest.raises(ValueError, match="same conflict"):
        ImprovementReach(model).repriced(other)
    with pytest.raises(ValueError, match="same conflict"):
        repriced_moves(MoveGraphs(model), other)
    with pytest.raises(ValueError, match="move graphs of the model"):
        stabilities(model, graphs=MoveGraphs(other))
    with pytest.raises(ValueError, match="move graphs of the model"):
        ImprovementReach(model, graphs=MoveGraphs(other))


@pytest.mark.parametrize("concept", ["seq", "gmr", "nash"])
def test_preference_edits_are_the_same_with_shared_graphs(korea, concept) -> None:
    case, model = korea
    graphs = MoveGraphs(model)
    searched = 0
    for actor in ("PRK", "USA"):
        statements = [s.expr for s in case.preferences[actor].statements]
        for target in (3, 777, 2048):
            alone = stabilizing_edit(model, actor, statements, target, concept=concept)
            shared = stabilizing_edit(
                model, actor, statements, target, concept=concept, graphs=graphs
            )
            assert alone == shared, (actor, target)
            searched += alone is not None and bool(alone.edits)
    assert searched, "some state should need an edit"
    with pytest.raises(ValueError, match="move graphs of the model"):
        stabilizing_edit(
            model, "PRK", statements, 3, graphs=MoveGraphs(reversed_priorities(case, model, "PRK"))
        )
