"""Work bounded before it starts: the forecasting models estimate their time and memory
from the input's size and refuse, with the size that would fit, what exceeds
``DETENTE_MAX_SECONDS`` or ``DETENTE_MAX_MEMORY`` (issue #11)."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

import detente
from detente.errors import CaseTooLargeError
from detente.forecast import expected_utility, monte_carlo, spatial_model
from detente.forecast.cost import eum_estimate, smp_estimate
from detente.model.limits import Estimate, refresh_limits


@pytest.fixture(autouse=True)
def _fresh_limits(monkeypatch):
    """Every test starts from the default limits (and leaves them so)."""
    for name in ("SECONDS", "MEMORY", "ACTORS"):
        monkeypatch.delenv(f"DETENTE_MAX_{name}", raising=False)
    refresh_limits()
    yield
    monkeypatch.undo()
    refresh_limits()


def _table(n: int, seed: int = 1000) -> str:
    rng = np.random.default_rng(seed)
    c, x, s = rng.uniform(0.1, 1, n), rng.uniform(0, 100, n), rng.uniform(0.1, 1, n)
    rows = "".join(f"a{i},{c[i]:.6g},{x[i]:.6g},{s[i]:.6g}\n" for i in range(n))
    return "actor,capability,position,salience\n" + rows


def _random(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    actors = [f"a{i}" for i in range(n)]
    return actors, rng.uniform(0.1, 1, n), rng.uniform(0, 100, n), rng.uniform(0.1, 1, n)


def test_a_table_of_1000_actors_is_refused_before_the_spatial_model_starts(tmp_path, run_cli):
    path = tmp_path / "actors1000.csv"
    path.write_text(_table(1000))
    start = time.perf_counter()
    result = run_cli("forecast", str(path), "--scale", "0", "100")
    assert time.perf_counter() - start < 10
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert str(path) in message
    assert "spatial model of politics" in message
    assert "1,000 actors" in message
    assert "DETENTE_MAX_SECONDS" in message
    assert "Traceback" not in result.stderr
    fit = int(
        re.search(r"at most ([\d,]+) actors per issue would fit", message)[1].replace(",", "")
    )
    assert 100 <= fit < 1000


def test_the_size_named_as_fitting_does_fit_and_one_more_does_not():
    actors, c, x, s = _random(400)
    with pytest.raises(CaseTooLargeError) as info:
        spatial_model(actors, c, x, s)
    fit = int(re.search(r"at most ([\d,]+) actors would fit", str(info.value))[1])
    assert smp_estimate(fit).within()
    assert not smp_estimate(fit + 1).within()


def test_the_expected_utility_model_on_1000_actors_is_accepted(tmp_path, run_cli):
    path = tmp_path / "actors1000.csv"
    path.write_text(_table(1000))
    result = run_cli(
        "forecast",
        str(path),
        "--scale",
        "0",
        "100",
        "--model",
        "eum",
        "--rounds",
        "10",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    (issue,) = json.loads(result.stdout)["issues"].values()
    run = issue["models"]["eum"]
    assert run["n_rounds"] == 10
    assert len(run["rounds"][-1]) == 1000
    assert 0 <= run["forecast"] <= 100


def test_a_moderately_large_spatial_model_runs_when_its_turns_fit():
    """320 actors for up to 100 turns would take too long; one turn fits."""
    actors, c, x, s = _random(320)
    with pytest.raises(CaseTooLargeError, match="or play fewer turns"):
        spatial_model(actors, c, x, s)
    result = spatial_model(actors, c, x, s, rounds=1)
    assert len(result.issues[0].rounds) == 2


def test_the_limits_are_set_by_the_environment(monkeypatch):
    actors, c, x, s = _random(30)
    monkeypatch.setenv("DETENTE_MAX_SECONDS", "0.001")
    refresh_limits()
    with pytest.raises(CaseTooLargeError, match=r"DETENTE_MAX_SECONDS"):
        expected_utility(actors, c, x, s)
    monkeypatch.setenv("DETENTE_MAX_SECONDS", "60")
    monkeypatch.setenv("DETENTE_MAX_MEMORY", str(10 * 2**20))
    refresh_limits()
    with pytest.raises(CaseTooLargeError, match=r"limit of 10 MiB \(set DETENTE_MAX_MEMORY"):
        expected_utility(actors, c, x, s)
    monkeypatch.delenv("DETENTE_MAX_MEMORY")
    refresh_limits()
    assert expected_utility(actors, c, x, s).issues[0].forecast is not None


def test_monte_carlo_samples_beyond_the_limits_are_refused_with_the_number_that_fits():
    actors, c, x, s = _random(40)
    with pytest.raises(CaseTooLargeError) as info:
        monte_carlo(actors, c, x, s, models=["smp"], n_runs=200_000, position_sd=5.0)
    message = str(info.value)
    fit = int(re.search(r"at most ([\d,]+) samples would fit", message)[1].replace(",", ""))
    assert 0 < fit < 200_000


def test_the_built_in_case_and_its_monte_carlo_fit_the_default_limits():
    from detente.forecast.case import _estimate

    case = detente.load("korea")
    issues = [i for i in case.issues if not getattr(i, "level_names", None)]
    scales = {i.id: tuple(i.scale) for i in issues}
    estimate = _estimate(
        case,
        issues,
        scales,
        ["eum", "smp", "mean", "median"],
        variant="paper",
        rounds=None,
        max_rounds=100,
        joint=False,
        smp={},
        samples=1000,
        most=len(case.actors),
    )
    assert estimate.within()
    # a rough bound: the run itself takes a few seconds (2,000 samples about 5 s a model)
    assert estimate.seconds < 30


def test_estimates_grow_with_the_work():
    assert eum_estimate(1000).seconds > eum_estimate(100).seconds
    assert eum_estimate(100, rounds=10).seconds < eum_estimate(100).seconds
    assert smp_estimate(200).seconds > 8 * smp_estimate(100).seconds * 0.9
    assert smp_estimate(100, pce="markov-incentive").seconds > smp_estimate(100).seconds
    assert smp_estimate(100, samples=1000).seconds > smp_estimate(100).seconds
    total = Estimate(1.0, 10.0) + Estimate(2.0, 5.0)
    assert (total.seconds, total.bytes) == (3.0, 10.0)


def test_a_case_too_big_even_without_samples_says_fewer_samples_would_help(monkeypatch):
    monkeypatch.setenv("DETENTE_MAX_SECONDS", "0.001")
    refresh_limits()
    case = detente.load("korea")
    with pytest.raises(CaseTooLargeError) as info:
        detente.forecast.forecast(case, samples=100)
    message = str(info.value)
    assert "100 samples" in message and "draw fewer samples" in message
    with pytest.raises(CaseTooLargeError) as info:
        detente.forecast.forecast(case)
    assert "samples" not in str(info.value)
