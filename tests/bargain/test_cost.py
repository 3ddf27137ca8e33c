"""Work bounded before it starts: the bargaining analysis estimates its time and memory
(a pilot of the packages for the frontier) and refuses, with the number of packages that
would fit, what exceeds ``DETENTE_MAX_SECONDS`` or ``DETENTE_MAX_MEMORY`` (issue #11)."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

import detente
from detente.bargain import analyze, linear_additive
from detente.bargain.space import OutcomeSpace
from detente.errors import CaseTooLargeError
from detente.model.limits import refresh_limits


@pytest.fixture(autouse=True)
def _fresh_limits(monkeypatch):
    for name in ("SECONDS", "MEMORY"):
        monkeypatch.delenv(f"DETENTE_MAX_{name}", raising=False)
    refresh_limits()
    yield
    monkeypatch.undo()
    refresh_limits()


def _space(outcomes: int, parties: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    issues = {"i0": np.linspace(0, 100, 10), "i1": np.linspace(0, 100, outcomes // 10)}
    space = OutcomeSpace(issues, scales={k: (0, 100) for k in issues})
    model = linear_additive(
        space,
        actors=[f"p{k}" for k in range(parties)],
        ideals=rng.uniform(0, 100, (parties, 2)),
        weights=rng.uniform(0, 1, (parties, 2)),
    )
    return space, model


def test_bargaining_among_many_parties_is_refused_before_the_scan():
    """Thirty parties make nearly every package Pareto-optimal: a million packages
    would take many minutes; the refusal names the packages that would fit."""
    space, model = _space(1_000_000, 30)
    start = time.perf_counter()
    with pytest.raises(CaseTooLargeError) as info:
        analyze(space, model, np.zeros(30))
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "30 parties" in message
    packages = int(re.search(r"about ([\d,]+) packages would fit", message)[1].replace(",", ""))
    assert 0 < packages < 1_000_000


def test_bargaining_of_the_built_in_case_with_its_options_is_accepted():
    from detente.bargain.case import bargaining_problem
    from detente.bargain.cost import analysis_estimate

    problem = bargaining_problem(detente.load("korea"), options=True)
    estimate = analysis_estimate(problem.space, problem.model, problem.reservation)
    assert estimate.within()


def test_robustness_samples_beyond_the_limits_are_refused_with_the_number_that_fits(run_cli):
    result = run_cli("bargain", "korea", "--samples", "1000000")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "1,000,000 samples" in message
    fit = int(re.search(r"at most ([\d,]+) samples would fit", message)[1].replace(",", ""))
    assert 1000 < fit < 1_000_000
