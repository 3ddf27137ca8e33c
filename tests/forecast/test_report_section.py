"""The forecast section of the report: what it claims about the forecasts, and how firmly."""

from __future__ import annotations

from dataclasses import replace

import pytest

import detente
from detente.forecast.case import forecast
from detente.forecast.results import SampleSummary
from detente.report import engine_report
from detente.report.forecasting import influence_threshold

pytestmark = pytest.mark.forecast

SINGLE_RUNS = "single runs on the point estimates of the inputs"


def _findings(result, case=None) -> list[str]:
    case = case or detente.load("korea")
    return next(
        s for s in engine_report("forecast", result, case).sections if s.key == "forecast"
    ).findings


def _with_samples(result, issue, model, *, samples, interval, sensitivity):
    """``result`` with a made-up Monte Carlo summary for one issue and model."""
    summary = SampleSummary(
        issue=issue,
        model=model,
        samples=tuple(samples),
        median=sorted(samples)[len(samples) // 2],
        interval=interval,
        sensitivity=sensitivity,
    )
    return replace(result, monte_carlo={issue: {model: summary}})


def test_without_samples_the_report_says_once_that_these_are_single_runs():
    findings = _findings(forecast(detente.load("korea")))
    caveats = [f for f in findings if SINGLE_RUNS in f]
    assert len(caveats) == 1
    assert "--samples N" in caveats[0]
    assert not any("fragile" in f for f in findings)


def test_the_baselines_alone_need_no_such_caveat():
    findings = _findings(forecast(detente.load("korea"), models=["mean", "median"]))
    assert not any("single run" in f for f in findings)


def test_with_samples_the_caveat_gives_way_to_the_samples():
    findings = _findings(
        forecast(detente.load("korea"), models=["eum"], issue="normalisation", samples=10, seed=1)
    )
    assert not any("single run" in f for f in findings)
    assert any("Over 10 samples" in f for f in findings)


def test_a_point_forecast_outside_the_middle_90_percent_is_called_fragile():
    result = forecast(detente.load("korea"), models=["eum"], issue="normalisation")
    point = result.results["normalisation"]["eum"].forecast  # 60
    outside = _with_samples(
        result,
        "normalisation",
        "eum",
        samples=[30.0, 35.0, 40.0, 45.0, 50.0],
        interval=(31.0, 49.0),
        sensitivity={},
    )
    text = " ".join(_findings(outside))
    assert f"point forecast, {point:.0f}, lies outside the middle 90% of the samples" in text
    assert "(31 to 49): fragile" in text
    inside = _with_samples(
        result,
        "normalisation",
        "eum",
        samples=[50.0, 55.0, 60.0, 65.0, 70.0],
        interval=(51.0, 69.0),
        sensitivity={},
    )
    assert "fragile" not in " ".join(_findings(inside))


def test_a_point_forecast_just_outside_is_shown_with_the_decimals_that_tell():
    result = forecast(detente.load("korea"), models=["eum"], issue="normalisation")
    point = result.results["normalisation"]["eum"].forecast
    near = _with_samples(
        result,
        "normalisation",
        "eum",
        samples=[point - 10, point + 0.2, point + 10],
        interval=(point + 0.2, point + 9.0),
        sensitivity={},
    )
    text = " ".join(_findings(near))
    assert f"point forecast, {point:.1f}, lies outside" in text
    assert f"({point + 0.2:.1f} to {point + 9:.1f}): fragile" in text


def test_the_spatial_model_on_trilateral_exercises_is_fragile():
    """The review's case was relief (26.2 below the samples' 5th percentile); since the case
    weighs relief more for Washington, relief is no longer fragile, and the trilateral
    drills are: the single run (34) lies below the samples' 5th percentile (35.4)."""
    issue = "trilateral_exercises"
    result = forecast(detente.load("korea"), models=["smp"], issue=issue, samples=300, seed=1)
    lo, _hi = result.monte_carlo[issue]["smp"].interval
    assert result.results[issue]["smp"].forecast < lo
    text = " ".join(_findings(result))
    assert (
        "The spatial model's point forecast, 34, lies outside the middle 90% of the samples" in text
    )


def test_weak_rank_correlations_are_not_called_influence():
    result = forecast(detente.load("korea"), models=["eum"], issue="normalisation")
    weak = _with_samples(
        result,
        "normalisation",
        "eum",
        samples=[float(v) for v in range(40, 80)] * 25,
        interval=(42.0, 78.0),
        sensitivity={
            "position[CHN, normalisation]": 0.22,
            "salience[USA, normalisation]": -0.17,
            "capability[ROK]": 0.05,
        },
    )
    text = " ".join(_findings(weak))
    assert "moved most" not in text
    assert (
        "no single input dominates: the strongest, China's position, has a rank correlation of 0.22"
        in text
    )


def test_strong_rank_correlations_are_named_with_their_values():
    result = forecast(detente.load("korea"), models=["eum"], issue="normalisation")
    strong = _with_samples(
        result,
        "normalisation",
        "eum",
        samples=[float(v) for v in range(40, 80)] * 25,
        interval=(42.0, 78.0),
        sensitivity={
            "position[USA, normalisation]": 0.45,
            "capability[PRK]": -0.33,
            "salience[CHN, normalisation]": 0.29,
        },
    )
    text = " ".join(_findings(strong))
    assert (
        "moved most by the United States' position and North Korea's capability, "
        "rank correlations 0.45 and -0.33" in text
    )
    assert "China's salience" not in text


def test_few_samples_raise_the_bar_for_influence():
    assert influence_threshold(1000) == pytest.approx(0.3)
    assert influence_threshold(20) == pytest.approx(1.95996 / 19**0.5, rel=1e-4)  # 0.45
    # Eighteen inputs at once: each must clear a stricter bound (Bonferroni).
    assert influence_threshold(20, 18) == pytest.approx(3.0 / 19**0.5, rel=2e-2)
    assert influence_threshold(1000, 18) == pytest.approx(0.3)
    assert influence_threshold(1) == float("inf")
    result = forecast(detente.load("korea"), models=["eum"], issue="normalisation")
    few = _with_samples(
        result,
        "normalisation",
        "eum",
        samples=[float(v) for v in range(50, 70)],
        interval=(51.0, 69.0),
        sensitivity={"position[USA, normalisation]": 0.4},
    )
    assert "no single input dominates" in " ".join(_findings(few))


def test_the_text_names_every_party_that_ends_at_the_forecast():
    result = forecast(detente.load("korea"), models=["eum"], issue="sanctions_relief")
    (finding,) = [f for f in _findings(result) if f.startswith("Relief of sanctions")]
    assert "United States, North Korea, South Korea, Japan and Russia end there" in finding
    assert len(result.results["sanctions_relief"]["eum"].closest) == 5


def test_skipped_issues_are_reported():
    from detente.model import Case

    data = detente.load("korea").model_dump(exclude_none=True)
    data["issues"] = [*data["issues"], {"id": "empty", "name": "Fishing rights"}]
    # the case's history names its scenarios: it goes with them
    for key in ("scenarios", "default_scenario", "scenario_id", "history"):
        data.pop(key, None)
    case = Case.model_validate(data)
    findings = _findings(forecast(case, models=["mean"]), case)
    assert (
        "Fishing rights was not forecast: it needs the stances of at least two actors "
        "and no actor has one." in findings
    )


def test_the_settings_give_the_seed_of_stochastic_transitions():
    result = forecast(
        detente.load("korea"),
        models=["smp"],
        issue="sanctions_relief",
        smp={"transitions": "stochastic"},
        seed=3,
    )
    assert "transitions stochastic (seed 3)" in _findings(result)[0]
