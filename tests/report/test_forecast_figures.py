"""The forecast figures (issue #12, item 5): each party's position round by round under
the expected utility model and the spatial model, the forecast marked, and the Monte
Carlo interval drawn as a shaded band (not an error bar) that matches the result's
interval; on the overview, one interval per issue as a horizontal range bar."""

from __future__ import annotations

import re

import numpy as np
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
    assert not [t for t in fig.data if getattr(t, "fill", None)]
    assert not [t for t in fig.data if str((t.meta or {}).get("role")).startswith("monte_carlo")]


def _level_of(text: str, samples: list[float], interval: list[float]) -> float:
    """The level a figure's text gives an interval ("90% interval of ..."), checked
    against the samples: their central quantiles at that level are the interval."""
    level = int(re.search(r"(\d+)% interval of", text)[1]) / 100
    q = np.quantile(samples, [(1 - level) / 2, 1 - (1 - level) / 2])
    assert q == pytest.approx(interval)
    return level


def _no_error_bars(fig) -> None:
    for t in fig.data:
        for attr in ("error_x", "error_y"):
            bar = getattr(t, attr, None)
            assert bar is None or bar.array is None, f"{t.name}: {attr}"


def test_monte_carlo_band_matches_the_interval(tri_sampled):
    """The interval is a shaded band (a filled trace from the last round rightwards,
    from the low end of the interval to the high), the samples' median a line on it,
    the forecast's star on top; legend and hover say what the band is, with the level
    and the number of samples of the data."""
    data, brief = tri_sampled
    for entry in data["issues"].values():
        fig = trajectory_figure(entry, _names(brief))
        _no_error_bars(fig)
        assert not fig.layout.shapes or not [s for s in fig.layout.shapes if s.fillcolor]
        for model in ("eum", "smp"):
            summary = entry["monte_carlo"][model]
            lo, hi = summary["interval"]
            n_rounds = entry["models"][model]["n_rounds"]
            suffix = "" if _col(model, entry) == 1 else str(_col(model, entry))
            traces = [t for t in fig.data if (t.meta or {}).get("model") == model]
            (band,) = [t for t in traces if t.meta.get("role") == "monte_carlo_band"]
            assert band.fill == "toself" and band.fillcolor == BAND
            assert band.yaxis == f"y{suffix}"
            assert (min(band.y), max(band.y)) == pytest.approx((lo, hi))
            assert set(band.y) == {lo, hi}
            assert min(band.x) == n_rounds < max(band.x)
            (median,) = [t for t in traces if t.meta.get("role") == "monte_carlo"]
            assert list(median.y) == pytest.approx([summary["median"]] * 2)
            assert (min(median.x), max(median.x)) == (min(band.x), max(band.x))
            # the star is drawn after (on top of) the band
            (star,) = [t for t in traces if t.meta.get("role") == "forecast"]
            assert list(fig.data).index(star) > list(fig.data).index(band)
            n = len(summary["samples"])
            level = _level_of(band.text, summary["samples"], summary["interval"])
            words = f"{level:.0%} interval of {n:,} samples"
            assert words in band.text and f"{lo:.1f} to {hi:.1f}" in band.text
            assert band.hoveron == "fills"
            assert words in median.hovertemplate
        legend = [t for t in fig.data if t.legendgroup == "monte_carlo" and t.showlegend]
        assert [t.meta["role"] for t in legend] == ["monte_carlo_band", "monte_carlo"]
        assert legend[0].name.endswith(f"interval of {n:,} samples")
        assert f"interval of {n:,} samples" in fig.layout.title.text


def test_overview_bars_match_the_intervals(tri_sampled):
    """One interval per issue (a categorical axis): a horizontal range bar from the low
    end to the high, the point forecast on top, no whiskers."""
    data, _ = tri_sampled
    fig = forecasts_overview_figure(data)
    _no_error_bars(fig)
    assert fig.layout.barmode == "overlay"  # bars at their rows, not shifted into groups
    entries = list(data["issues"].values())
    roles = [t.meta["role"] for t in fig.data]
    assert roles.count("monte_carlo") == roles.count("model") == 4  # eum, smp, mean, median
    assert roles.count("recommended") == roles.count("recommended_interval") == 1
    # each model (and detente's forecast) on a row of its own within an issue
    rows = [t.y[0] for t in fig.data if t.meta["role"] in ("model", "recommended") and len(t.y)]
    assert len(set(rows)) == len(rows)
    for trace in fig.data:
        role = trace.meta["role"]
        if role == "recommended":
            assert list(trace.x) == pytest.approx([e["recommended"]["forecast"] for e in entries])
        elif role == "recommended_interval":
            assert trace.type == "bar" and trace.orientation == "h"
            assert list(trace.base) == pytest.approx(
                [e["recommended"]["interval"][0] for e in entries]
            )
            tops = [b + x for b, x in zip(trace.base, trace.x, strict=True)]
            assert tops == pytest.approx([e["recommended"]["interval"][1] for e in entries])
        elif role == "model":
            model = trace.meta["model"]
            assert list(trace.x) == pytest.approx([e["models"][model]["forecast"] for e in entries])
            assert "band: Monte Carlo" in trace.name
        else:  # one bar per issue, from the low end of the interval to the high
            model = trace.meta["model"]
            assert trace.type == "bar" and trace.orientation == "h"
            spans = [(b, b + x) for b, x in zip(trace.base, trace.x, strict=True)]
            assert spans == pytest.approx(
                [tuple(e["monte_carlo"][model]["interval"]) for e in entries]
            )
            # a band, not a whisker: most of the row's height
            assert trace.width > 0.05
            # the point sits on its bar's row
            (point,) = [
                t for t in fig.data if t.meta["role"] == "model" and t.meta["model"] == model
            ]
            assert list(point.y) == list(trace.y)
            summary = entries[0]["monte_carlo"][model]
            level = _level_of(trace.hovertext[0], summary["samples"], summary["interval"])
            words = f"{level:.0%} interval of {len(summary['samples']):,} samples"
            assert words in trace.hovertext[0] and words in point.name
    summary = entries[0]["monte_carlo"]["eum"]
    level = _level_of(fig.layout.title.text, summary["samples"], summary["interval"])
    assert f"{level:.0%} interval of {len(summary['samples'])} samples" in fig.layout.title.text


def test_korea_band_on_one_issue_with_samples():
    case = detente.load("korea")
    data = forecast(case, issue="denuclearisation", samples=16, seed=0).to_dict()
    entry = data["issues"]["denuclearisation"]
    fig = trajectory_figure(entry, _names(case_brief(case)))
    intervals = sorted(tuple(entry["monte_carlo"][m]["interval"]) for m in ("eum", "smp"))
    bands = sorted((min(t.y), max(t.y)) for t in fig.data if getattr(t, "fill", None))
    assert bands == pytest.approx(intervals)
    _no_error_bars(fig)


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


@pytest.fixture(scope="module")
def ktab_trade(tmp_path_factory):
    """The test suite's small KTAB table: on Trade the weighted median is 40 and the
    weighted mean 39."""
    from detente._loading import read_forecast_table
    from tests.forecast.test_inputs import KTAB_CSV

    path = tmp_path_factory.mktemp("ktab") / "ktab.csv"
    path.write_text(KTAB_CSV)
    case = read_forecast_table(path)
    data = forecast(case).to_dict()
    entry = next(e for e in data["issues"].values() if e["name"] == "Trade")
    return entry, _names(case_brief(case))


def _baseline_labels(fig) -> dict[str, tuple[float, str]]:
    """Each baseline's label: the level it labels and whether it sits above or below."""
    out = {}
    for a in fig.layout.annotations:
        m = re.match(r"(weighted (?:mean|median)) ", a.text or "")
        if m:
            out[m[1]] = (a.y, a.yanchor)
    return out


def test_close_baselines_are_labelled_on_opposite_sides_of_their_lines(ktab_trade):
    """ "weighted median 40" and "weighted mean 39" were both set above their lines,
    one on the other."""
    entry, names = ktab_trade
    mean, median = (entry["models"]["eum"]["baselines"][k] for k in ("mean", "median"))
    assert abs(mean - median) < 2
    labels = _baseline_labels(trajectory_figure(entry, names))
    (low, _), (high, _) = sorted(labels.items(), key=lambda kv: kv[1][0])
    assert labels[low][1] == "top" and labels[high][1] == "bottom"  # below and above


def test_distant_baselines_are_both_labelled_above(ktab_trade):
    entry, names = ktab_trade
    far = {**entry, "models": {m: dict(r) for m, r in entry["models"].items()}}
    for run in far["models"].values():
        run["baselines"] = {"mean": 20.0, "median": 60.0}
    labels = _baseline_labels(trajectory_figure(far, names))
    assert {anchor for _, anchor in labels.values()} == {"bottom"}


def test_the_title_pushes_the_top_margin_to_hold_its_lines(ktab_trade):
    """The subtitle's last line fell on the plot's top (over the 100 tick): plotly sets
    a title of several lines clear of the plot only when it grows the margin, so the
    figure leaves a margin smaller than its title needs and lets the title push it."""
    from detente.report.html import figure_data

    entry, names = ktab_trade
    fig = trajectory_figure(entry, names)
    title = fig.layout.title
    assert title.automargin and title.yref == "paper" and title.yanchor == "bottom"
    layout = figure_data(fig)["layout"]
    lines = layout["title"]["text"].count("<br>") + 1
    assert lines >= 3
    # at least 12 px a line and the pad under the title: more than the margin left
    assert layout["margin"]["t"] < 12 * lines + layout["title"]["pad"]["b"]
