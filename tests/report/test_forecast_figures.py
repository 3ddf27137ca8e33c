"""The forecast figures (issue #12, item 5): each party's position round by round under
the expected utility model and the spatial model, the forecast marked, and the Monte
Carlo interval drawn as a band and an error bar that match the result's interval."""

from __future__ import annotations

import pytest

import detente
from detente.forecast.case import forecast
from detente.model.io import loads
from detente.report.brief import case_brief
from detente.report.forecast_plots import (
    BAND,
    forecast_figures,
    forecasts_overview_figure,
    trajectory_figure,
)
from tests.report.test_bargaining_figures import TRI_CASE


@pytest.fixture(scope="module")
def korea():
    case = detente.load("korea")
    return forecast(case).to_dict(), case_brief(case)


@pytest.fixture(scope="module")
def tri_sampled():
    case = loads(TRI_CASE)
    return forecast(case, samples=24, seed=2).to_dict(), case_brief(case)


def _names(brief):
    return {a["id"]: a["name"] for a in brief["actors"]}


def _col(model, entry):
    runs = [m for m in ("eum", "smp") if m in entry["models"]]
    return runs.index(model) + 1


def test_trajectories_have_one_point_per_round_per_actor(korea):
    data, brief = korea
    for entry in data["issues"].values():
        fig = trajectory_figure(entry, _names(brief))
        for model in ("eum", "smp"):
            run = entry["models"][model]
            rounds = run["rounds"]
            assert len(rounds) == run["n_rounds"] + 1  # round 0: the starting positions
            lines = [
                t for t in fig.data if (t.meta or {}).get("model") == model and "actor" in t.meta
            ]
            assert sorted(t.meta["actor"] for t in lines) == sorted(data_actors(rounds))
            for t in lines:
                assert list(t.x) == list(range(len(rounds)))
                assert list(t.y) == [r[t.meta["actor"]] for r in rounds]
                assert t.name == _names(brief)[t.meta["actor"]]
            # Both panels: the spatial model's trajectory is drawn too.
            suffix = "" if _col(model, entry) == 1 else str(_col(model, entry))
            assert all(t.xaxis == f"x{suffix}" for t in lines)


def data_actors(rounds):
    return list(rounds[0])


def test_the_forecast_is_marked_after_the_last_round(korea):
    data, brief = korea
    entry = data["issues"]["denuclearisation"]
    fig = trajectory_figure(entry, _names(brief))
    marks = {t.meta["model"]: t for t in fig.data if (t.meta or {}).get("role") == "forecast"}
    assert set(marks) == {"eum", "smp"}
    for model, mark in marks.items():
        run = entry["models"][model]
        assert list(mark.x) == [run["n_rounds"]]
        assert list(mark.y) == [run["forecast"]]
    # No samples, no band.
    assert not [s for s in fig.layout.shapes if s.fillcolor == BAND]
    assert not [t for t in fig.data if (t.meta or {}).get("role") == "monte_carlo"]


def test_monte_carlo_band_and_error_bar_match_the_interval(tri_sampled):
    data, brief = tri_sampled
    for entry in data["issues"].values():
        fig = trajectory_figure(entry, _names(brief))
        bands = [s for s in fig.layout.shapes if s.fillcolor == BAND]
        assert len(bands) == 2  # one per model panel
        for model in ("eum", "smp"):
            summary = entry["monte_carlo"][model]
            lo, hi = summary["interval"]
            col = _col(model, entry)
            suffix = "" if col == 1 else str(col)
            (band,) = [s for s in bands if s.yref == f"y{suffix}"]
            assert (band.y0, band.y1) == pytest.approx((lo, hi))
            (bar,) = [
                t
                for t in fig.data
                if (t.meta or {}).get("role") == "monte_carlo" and t.meta["model"] == model
            ]
            median = summary["median"]
            assert list(bar.y) == pytest.approx([median])
            assert bar.y[0] + bar.error_y.array[0] == pytest.approx(hi)
            assert bar.y[0] - bar.error_y.arrayminus[0] == pytest.approx(lo)
            assert list(bar.x) == [entry["models"][model]["n_rounds"] + 1]
            assert f"{len(summary['samples']):,} samples" in bar.hovertemplate


def test_overview_bars_match_the_intervals(tri_sampled):
    data, _ = tri_sampled
    fig = forecasts_overview_figure(data)
    entries = list(data["issues"].values())
    roles = [t.meta["role"] for t in fig.data]
    assert roles.count("monte_carlo") == roles.count("model") == 4  # eum, smp, mean, median
    for trace in fig.data:
        role = trace.meta["role"]
        if role == "recommended":
            for k, entry in enumerate(entries):
                rec = entry["recommended"]
                assert trace.x[k] == pytest.approx(rec["forecast"])
                assert trace.x[k] + trace.error_x.array[k] == pytest.approx(rec["interval"][1])
                assert trace.x[k] - trace.error_x.arrayminus[k] == pytest.approx(rec["interval"][0])
        elif role == "model":
            model = trace.meta["model"]
            assert list(trace.x) == pytest.approx([e["models"][model]["forecast"] for e in entries])
        else:  # one segment per issue, from the low end of the interval to the high
            model = trace.meta["model"]
            segments = [(trace.x[i], trace.x[i + 1]) for i in range(0, len(trace.x), 3)]
            assert segments == pytest.approx(
                [tuple(e["monte_carlo"][model]["interval"]) for e in entries]
            )
    assert "middle 90% of 24 Monte Carlo samples" in fig.layout.title.text


def test_korea_band_on_one_issue_with_samples():
    case = detente.load("korea")
    data = forecast(case, issue="denuclearisation", samples=16, seed=0).to_dict()
    entry = data["issues"]["denuclearisation"]
    fig = trajectory_figure(entry, _names(case_brief(case)))
    intervals = sorted(tuple(entry["monte_carlo"][m]["interval"]) for m in ("eum", "smp"))
    bands = sorted((s.y0, s.y1) for s in fig.layout.shapes if s.fillcolor == BAND)
    assert bands == pytest.approx(intervals)


def test_issues_without_rounds_get_no_trajectory(tri_sampled):
    case = loads(TRI_CASE)
    brief = case_brief(case)
    data = forecast(case, models=["mean", "median"]).to_dict()
    with pytest.raises(ValueError, match="no model that plays rounds"):
        trajectory_figure(data["issues"]["trade"], _names(brief))
    assert forecast_figures(data, brief) == []  # no rounds, no samples: the table says it all
    data, brief = tri_sampled
    titles = [title for title, _ in forecast_figures(data, brief)]
    assert titles == [
        "Forecasts by issue",
        "Positions over the rounds: Trade",
        "Positions over the rounds: Aid",
    ]
