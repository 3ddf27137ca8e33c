"""The behavioural analysis reuses a stability analysis that covers it, and only one that
does: the result is the one it computes alone."""

from __future__ import annotations

import pytest

import detente
from detente.gmcr.case import analyze_conflict, graph_model
from detente.gmcr.history import analyze_history
from detente.gmcr.stability import stabilities

pytestmark = pytest.mark.gmcr


@pytest.fixture(scope="module")
def korea():
    return detente.load("korea")


def test_the_conflicts_stability_gives_the_same_history(korea) -> None:
    conflict = analyze_conflict(korea)
    alone = analyze_history(korea).to_dict()
    assert analyze_history(korea, stability=conflict.stability).to_dict() == alone
    assert analyze_history(korea, stability=conflict.stability, until="2019").to_dict() == (
        analyze_history(korea, until="2019").to_dict()
    )


@pytest.mark.parametrize(
    "which", ["other preferences", "some parties", "too few concepts"], ids=str
)
def test_a_stability_that_does_not_cover_it_is_not_used(korea, which) -> None:
    model = graph_model(korea)
    if which == "other preferences":
        other = korea.base.scenario("article_advice")
        stability = analyze_conflict(other).stability
        assert graph_model(other).payoff.tolist() != model.payoff.tolist()
    elif which == "some parties":
        stability = stabilities(model, actors=["USA"])
    else:
        stability = stabilities(model, concepts=("nash", "seq"))
    assert analyze_history(korea, stability=stability).to_dict() == (
        analyze_history(korea).to_dict()
    )
