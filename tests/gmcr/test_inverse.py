"""Inverse graph-model analysis: the conditions and the exact counts agree with brute force."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import detente
from detente.errors import AnalysisError
from detente.gmcr import graph_model, stabilities
from detente.gmcr.inverse import inverse_stability
from tests.gmcr.strategies import graph_models


def with_ordering(model, a, target, below, above):
    """The model with actor ``a``'s payoff changed so that ``below`` rank under the target
    and ``above`` over it, in the given orders; every other state keeps its payoff."""
    scale = len(below) + len(above) + 2
    payoff = model.payoff.astype(np.int64) * scale
    base = payoff[a, target]
    row = payoff[a].copy()
    for k, t in enumerate(below):  # nearest first
        row[t] = base - (k + 1)
    for k, t in enumerate(above):
        row[t] = base + (k + 1)
    payoff[a] = row
    return dataclasses.replace(model, payoff=payoff)


@pytest.mark.parametrize(
    ("concept", "actor", "count", "total", "text"),
    [
        # Prisoner's dilemma, state 1 = both keep quiet (NN). A's only move is to 2 (A defects);
        # B can answer from 2 by defecting too (state 4).
        ("nash", "A", 1, 2, "A prefers 1 to 2"),
        ("gmr", "A", 4, 6, "A prefers 1 to 2 or to 4"),
        ("seq", "A", 4, 6, "A prefers 1 to 2 or to 4"),
        ("smr", "A", 14, 24, "A prefers 1 to 2 or to 3 and to 4"),
    ],
)
def test_prisoners_dilemma_conditions_by_hand(concept, actor, count, total, text):
    model = graph_model(detente.load("prisoners_dilemma"))
    result = inverse_stability(model, actor, 0, concept=concept)
    assert (result.count, result.total) == (count, total)
    assert text in result.conditions()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    graph_models(max_actors=3, max_options=4, misperception=False),
    st.sampled_from(["nash", "gmr", "smr", "seq"]),
    st.data(),
)
def test_counts_equal_brute_force_over_orderings(model, concept, data):
    a = data.draw(st.integers(0, len(model.actors) - 1))
    target = data.draw(st.integers(0, model.n_states - 1))
    result = inverse_stability(model, a, target, concept=concept)
    assume(len(result.free) <= 6)
    current = stabilities(model, concepts=[concept]).stable[concept][a, target]
    assert result.holds_now == bool(current)
    free = list(result.free)
    hits = 0
    for perm in itertools.permutations([*free, target]):
        k = perm.index(target)
        above, below = list(perm[:k])[::-1], list(perm[k + 1 :])
        changed = with_ordering(model, a, target, below, above)
        hits += bool(stabilities(changed, concepts=[concept]).stable[concept][a, target])
    assert hits == result.count
    assert result.total == len(list(itertools.permutations([*free, target])))


def test_a_range_too_wide_to_count_is_refused_with_advice():
    model = graph_model(detente.load("korea"))
    with pytest.raises(AnalysisError, match="choose a smaller range"):
        inverse_stability(model, "PRK", 2186, concept="seq")
