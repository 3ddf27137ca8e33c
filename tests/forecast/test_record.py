"""The record the reports cite: re-derived from the DEU III development half.

The tables live beside the repository (``../shared/data/deu``, or the folder named by
``DETENTE_DEU_DATA``); without them these tests skip and say why.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from detente.forecast.backtest import backtest
from detente.forecast.record import (
    BENCHMARK,
    HALF_WIDTHS,
    RECORD,
    conformal_half_width,
    forecast_interval,
)
from detente.model.io.issue_tables import read_outcome_table, read_stance_table

pytestmark = pytest.mark.forecast

DATA = Path(
    os.environ.get("DETENTE_DEU_DATA")
    or Path(__file__).resolve().parents[3] / "shared" / "data" / "deu"
)


@pytest.fixture(scope="module")
def deu():
    stances, outcomes = DATA / "deu3-dev-stances.csv", DATA / "deu3-dev-outcomes.csv"
    if not stances.exists() or not outcomes.exists():
        pytest.skip(f"the DEU III development tables are not in {DATA} (set DETENTE_DEU_DATA)")
    return read_stance_table(stances), read_outcome_table(outcomes)


def _check(result, model):
    rec, want = result.records[model], RECORD[model]
    assert rec.mae == pytest.approx(want["mae"], abs=1e-3)
    assert rec.rmse == pytest.approx(want["rmse"], abs=1e-3)
    assert rec.bias == pytest.approx(want["bias"], abs=1e-3)
    if "low" in want:
        _d, lo, hi = rec.vs_baseline
        assert (lo, hi) == pytest.approx((want["low"], want["high"]), abs=1e-3)


def test_the_baselines_record_is_what_the_data_give(deu):
    result = backtest(
        *deu,
        models=("mean", "median"),
        bootstrap=BENCHMARK["bootstrap"],
        seed=BENCHMARK["seed"],
        workers=1,
    )
    assert len(result.issues) == BENCHMARK["issues"] and not result.skipped
    assert len({i.group for i in result.issues}) == BENCHMARK["proposals"]
    _check(result, "mean")
    _check(result, "median")
    # the calibrated 90 % intervals hold 90 % of the development outcomes (by construction)
    assert result.records["mean"].coverage == pytest.approx(141 / 155)


@pytest.mark.slow
def test_the_bargaining_models_record_is_what_the_data_give(deu):
    result = backtest(
        *deu,
        models=("mean", "eum", "eum-scholz", "smp"),
        bootstrap=BENCHMARK["bootstrap"],
        seed=BENCHMARK["seed"],
        workers=1,
    )
    for model in ("eum", "eum-scholz", "smp"):
        _check(result, model)
        # none of them beats the compromise model
        assert result.records[model].vs_baseline[0] > 0


def _compromise_errors(deu):
    stances, outcomes = deu
    by_issue = {s.issue: s for s in stances}
    errors, groups = [], []
    for o in outcomes:
        s = by_issue[o.issue]
        w = np.asarray(s.capability) * np.asarray(s.salience)
        errors.append(float(np.dot(w, s.position) / w.sum()) - o.outcome)
        groups.append(o.group)
    return np.asarray(errors), np.asarray(groups)


def test_the_interval_half_widths_are_the_conformal_quantiles(deu):
    errors, _groups = _compromise_errors(deu)
    for level, share in HALF_WIDTHS.items():
        assert 0 <= share - conformal_half_width(errors, level) / 100 < 1e-7


def test_intervals_are_calibrated_leaving_one_proposal_out(deu):
    errors, groups = _compromise_errors(deu)
    for level in HALF_WIDTHS:
        inside = []
        for g in np.unique(groups):
            held = groups == g
            h = conformal_half_width(errors[~held], level)
            inside.extend(np.abs(errors[held]) <= h)
        assert abs(np.mean(inside) - level) <= 0.03, (level, np.mean(inside))


def test_intervals_scale_with_the_range_and_stay_on_it():
    lo, hi = forecast_interval(95.0, (0.0, 100.0), 0.9)
    assert hi == 100.0 and lo == pytest.approx(95 - 50.95844)
    # on a -1..1 scale the half-width is the same share of a range of 2
    lo, hi = forecast_interval(0.0, (-1.0, 1.0), 0.5)
    assert math.isclose(hi, 2 * 0.1956211) and math.isclose(lo, -2 * 0.1956211)
    with pytest.raises(ValueError, match="calibrated at levels"):
        forecast_interval(50.0, (0.0, 100.0), 0.95)
