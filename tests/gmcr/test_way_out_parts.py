"""Reachability from any state, and the smallest change of priorities that makes a
state stable: checked against status-quo analysis and brute force."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.gmcr.case import graph_model
from detente.gmcr.improvements import ImprovementReach
from detente.gmcr.margins import stabilizing_edit
from detente.gmcr.preferences import payoff_from_statements
from detente.gmcr.stability import stabilities
from detente.gmcr.status_quo import status_quo_paths
from tests.gmcr.strategies import graph_models
from tests.strategies import cases

pytestmark = pytest.mark.gmcr

FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(graph_models(misperception=False), st.data())
def test_reach_from_any_state_equals_status_quo_analysis(model, data) -> None:
    source = data.draw(st.integers(0, model.n_states - 1))
    actors = list(model.actors)
    groups = data.draw(
        st.lists(
            st.lists(st.sampled_from(actors), min_size=2, max_size=len(actors), unique=True),
            max_size=2,
        )
    )
    reach = ImprovementReach(model, coalitions=groups)
    stab = stabilities(model, concepts=("nash",))
    ref = status_quo_paths(model, status_quo=source, stability=stab, coalitions=groups)
    assert set(reach.reachable(source).tolist()) == set(ref.reachable) - {source}
    for target in reach.reachable(source)[:3]:
        steps = reach.path(source, int(target))
        assert steps[0].source == source and steps[-1].target == target
        assert all(a.target == b.source for a, b in itertools.pairwise(steps))


def _stable_after(model, a, exprs, order, target, concept):
    payoff = model.payoff.copy()
    payoff[a] = payoff_from_statements(
        [exprs[k] for k in order], states=model.states, options=model.options
    )
    edited = dataclasses.replace(model, payoff=payoff)
    return bool(stabilities(edited, concepts=(concept,), actors=[a]).stable[concept][a, target])


@FEW
@given(cases(max_actors=3, max_options=5, with_issues=False), st.data())
def test_a_single_edit_is_found_whenever_one_exists(case, data) -> None:
    model = graph_model(case)
    concept = data.draw(st.sampled_from(["nash", "gmr", "seq"]))
    a = data.draw(st.integers(0, model.n_actors - 1))
    actor = model.actors[a]
    target = data.draw(st.integers(0, model.n_states - 1))
    statements = [s.expr for s in case.preferences[actor].statements]
    exprs = [s.parsed for s in case.preferences[actor].statements]
    found = stabilizing_edit(model, actor, statements, target, concept=concept, max_edits=1)
    k = len(exprs)
    if _stable_after(model, a, exprs, list(range(k)), target, concept):
        assert found is not None and found.edits == ()
        return
    orders = []
    for i in range(k):
        rest = [x for x in range(k) if x != i]
        orders.append(rest)  # drop statement i
        orders += [[*rest[:j], i, *rest[j:]] for j in range(k)]  # move it to rank j
    brute = any(_stable_after(model, a, exprs, order, target, concept) for order in orders)
    assert (found is not None) == brute
    if found is not None:
        assert len(found.edits) == 1
        order = [statements.index(s) for s in found.statements]
        assert _stable_after(model, a, exprs, order, target, concept)


def test_korea_hanoi_needs_a_shift_of_priority_from_each_party_it_is_unstable_for():
    case = detente.load("korea", scenario="deadlock_2022")
    model = graph_model(case)
    analysis = detente.gmcr.analyze_conflict(case)
    hanoi = next(p for p in analysis.proposals if p.id == "hanoi_offer")
    for actor in hanoi.unstable_for["seq"]:
        statements = [s.expr for s in case.preferences[actor].statements]
        edit = stabilizing_edit(model, actor, statements, hanoi.index - 1)
        assert edit is not None and 1 <= len(edit.edits) <= 2
        assert edit.describe()[0].startswith(f"{actor} ranks ")
    np.testing.assert_array_equal(model.payoff, graph_model(case).payoff)  # nothing mutated


def test_an_edit_can_move_a_statement_to_the_end():
    from detente.gmcr.margins import _apply, _single_edits

    orders = {tuple(_apply([0, 1, 2], e) or ()) for e in _single_edits(3)}
    assert (1, 2, 0) in orders and (0, 2, 1) in orders
