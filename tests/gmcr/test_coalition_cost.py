"""Coalition analysis too long for ``DETENTE_MAX_SECONDS`` is refused before any
work, naming what would fit (issue #11)."""

from __future__ import annotations

import pytest

import detente.gmcr.coalitions as coalitions_module
from detente.errors import CaseTooLargeError
from detente.gmcr.case import graph_model
from detente.gmcr.coalitions import coalition_estimate, coalition_stabilities
from detente.model.limits import refresh_limits


def ring(n: int) -> dict:
    """n parties of one option each; each wants the next party's option on, its own off."""
    return {
        "id": f"ring{n}",
        "title": "ring",
        "actors": [{"id": f"p{i}", "name": f"P{i}"} for i in range(n)],
        "options": [{"id": f"o{i}", "label": f"o{i}", "controller": f"p{i}"} for i in range(n)],
        "status_quo": [],
        "preferences": {
            f"p{i}": {"statements": [f"o{(i + 1) % n}", f"not o{i}"]} for i in range(n)
        },
    }


@pytest.fixture
def model():
    from detente.model.case import Case

    return graph_model(Case.model_validate(ring(8)))


@pytest.fixture
def max_seconds(monkeypatch):
    def set_to(seconds: float) -> None:
        monkeypatch.setenv("DETENTE_MAX_SECONDS", str(seconds))
        refresh_limits()

    yield set_to
    monkeypatch.delenv("DETENTE_MAX_SECONDS", raising=False)
    refresh_limits()


def test_the_estimate_grows_with_the_states_the_members_and_joint_sanctions():
    pair = coalition_estimate(4096, [2])
    assert coalition_estimate(8192, [2]).seconds == pytest.approx(4 * pair.seconds)
    assert coalition_estimate(4096, [2, 2, 2]).seconds == pytest.approx(3 * pair.seconds)
    assert coalition_estimate(4096, [3]).seconds == pytest.approx(1.5 * pair.seconds)
    assert coalition_estimate(4096, [2], concepts=("nash",)).seconds < pair.seconds
    joint = coalition_estimate(4096, [2], sanctions="joint", n_actors=6)
    assert joint.seconds > pair.seconds


def test_too_long_an_analysis_is_refused_before_any_stability_work(model, max_seconds, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("stability work started")

    monkeypatch.setattr(coalitions_module, "stabilities", no_work)
    groups = [(f"p{i}", f"p{i + 1}") for i in range(7)]
    one_pair = coalition_estimate(model.n_states, [2]).seconds
    max_seconds(3.5 * one_pair)
    with pytest.raises(CaseTooLargeError) as info:
        coalition_stabilities(model, coalitions=groups)
    message = str(info.value)
    assert "coalition analysis of 7 coalitions over 256 states" in message
    assert "DETENTE_MAX_SECONDS" in message
    assert "the first 3 of the 7 coalitions would fit" in message


def test_when_no_coalition_fits_the_states_that_would_are_named(model, max_seconds):
    max_seconds(coalition_estimate(100, [2]).seconds)
    with pytest.raises(
        CaseTooLargeError, match=r"one coalition of two fits in at most about 10\d states"
    ):
        coalition_stabilities(model, coalitions=[("p0", "p1")])


def test_an_analysis_within_the_limit_runs(model, max_seconds):
    max_seconds(4 * coalition_estimate(model.n_states, [2]).seconds)
    result = coalition_stabilities(model, coalitions=[("p0", "p1"), ("p2", "p3")])
    assert result.coalitions == (("p0", "p1"), ("p2", "p3"))
