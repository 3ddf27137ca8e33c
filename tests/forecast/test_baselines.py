"""Baselines of Thomson et al. (2006): the compromise model and the weighted median."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detente.forecast import baselines, weighted_mean, weighted_median

pytestmark = pytest.mark.forecast


@pytest.mark.parametrize(
    ("x", "w", "mean", "median"),
    [
        pytest.param([0, 100], [1, 1], 50.0, 0.0, id="even-split-takes-smallest"),
        pytest.param([0, 100], [1, 3], 75.0, 100.0, id="heavier-side"),
        pytest.param([10, 40, 100], [1, 1, 1], 50.0, 40.0, id="three-equal"),
        pytest.param([40, 10, 100], [2, 1, 1], 47.5, 40.0, id="unsorted"),
        pytest.param([5, 5, 5], [0, 0, 0], 5.0, 5.0, id="zero-weights-fall-back"),
    ],
)
def test_known_values(x, w, mean, median):
    assert weighted_mean(x, w) == pytest.approx(mean)
    assert weighted_median(x, w) == pytest.approx(median)


def test_batched_along_last_axis():
    x = np.array([[0, 50, 100], [10, 20, 30]], dtype=float)
    w = np.array([[1, 1, 5], [3, 1, 1]], dtype=float)
    assert np.allclose(weighted_mean(x, w), [(50 + 500) / 7, (30 + 20 + 30) / 5])
    assert np.array_equal(weighted_median(x, w), [100.0, 10.0])


def test_eu_data_baselines():
    """EU data (Scholz et al. 2011): c·s-weighted mean 7.38995568..., as jmckib's
    ``mean_position`` prints before round 1; the weighted median is 7 (Greece,
    Belgium, Ireland at 7 carry the median weight)."""
    res = baselines(
        ["NL", "B", "L", "D", "F", "I", "UK", "IRL", "DK", "GR"],
        [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08],
        [4, 7, 4, 4, 10, 10, 10, 7, 4, 7],
        [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7],
        scale=(0, 10),
    )
    it = res.issues[0]
    assert it.baselines["mean"] == pytest.approx(7.389955686853767, abs=1e-12)
    assert it.baselines["median"] == 7.0
    assert it.forecast == it.baselines["mean"]
    json.dumps(res.to_dict())
