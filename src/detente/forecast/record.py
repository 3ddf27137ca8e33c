"""The forecasting models' record on real decisions, and the recommended forecast's intervals.

Every model was backtested (:func:`detente.forecast.backtest.backtest`) on the
development half of DEU III (Arregui and Perarnaud 2021): 155 resolved issues of 64
EU legislative proposals, with the actors' positions, saliences and capabilities and
the recorded outcome, all on 0-100 scales. ``python benchmarks/backtest.py``
reproduces the figures below; a test re-derives them from the data.

No model beat the compromise model (the capability x salience weighted mean,
Thomson et al. 2006; Achen 2006) out of sample: shrinkage toward the reference
point, the Commission or the median, voting-rule bounds, procedural and Nash
bargaining models and stacked combinations were fitted by leave-one-proposal-out
cross-validation and none improved on it (docs/methods/forecast.md). So the
compromise model is detente's recommended forecast, the one reports headline.

Its intervals are split-conformal (Vovk, Gammerman and Shafer 2005; Lei et al.
2018): forecast plus or minus the ``ceil((n + 1) L)``-th smallest absolute error of
the compromise model on the development issues, as a share of the scale's range,
clipped to the scale. In leave-one-proposal-out cross-validation the 50, 80 and 90 %
intervals held 50.3, 80.0 and 90.3 % of the outcomes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "BENCHMARK",
    "HALF_WIDTHS",
    "RECOMMENDED",
    "RECOMMENDED_LEVEL",
    "RECORD",
    "conformal_half_width",
    "forecast_interval",
    "record_for",
]

RECOMMENDED = "mean"
"""The recommended forecast: the compromise model (key ``"mean"``)."""

RECOMMENDED_LEVEL = 0.9
"""The level of the interval reports give with the recommended forecast."""

BENCHMARK = {
    "name": "DEU III, development half",
    "issues": 155,
    "proposals": 64,
    "citation": "Arregui and Perarnaud (2021), doi:10.34810/data53",
    "bootstrap": 2000,
    "seed": 0,
}
"""What the record was measured on (and the bootstrap that gave the intervals)."""

RECORD: dict[str, dict[str, float]] = {
    "mean": {"mae": 23.306, "rmse": 30.588, "bias": 2.188},
    "median": {"mae": 26.981, "rmse": 39.786, "bias": 4.168, "low": 0.782, "high": 6.706},
    "eum": {"mae": 30.314, "rmse": 44.243, "bias": 7.689, "low": 2.065, "high": 11.838},
    "eum-scholz": {"mae": 26.601, "rmse": 37.949, "bias": 3.355, "low": -0.322, "high": 6.694},
    "smp": {"mae": 26.391, "rmse": 34.271, "bias": 3.914, "low": 0.924, "high": 5.420},
}
"""Per model (backtest keys): mean absolute error, RMSE and mean error in points of the
0-100 scale, and the 95 % bootstrap interval (``low``, ``high``) of its MAE minus the
compromise model's. None of these models has a fitted parameter, so the error on the
development half is also its cross-validated error."""

HALF_WIDTHS = {0.5: 0.1956211, 0.8: 0.3978022, 0.9: 0.5095844}
"""Half-widths of the recommended forecast's intervals, as shares of the scale's range,
at the levels calibrated: the conformal quantiles of the development half's absolute
errors, rounded up in the seventh decimal so that the quantile itself stays inside."""


def conformal_half_width(errors: Sequence[float], level: float) -> float:
    """The split-conformal half-width: the ``ceil((n + 1) level)``-th smallest absolute error.

    Examples
    --------
    >>> conformal_half_width([5, 1, 3, 2, 4], 0.5)
    3.0
    """
    a = np.sort(np.abs(np.asarray(errors, dtype=float)))
    if a.size == 0 or not 0 < level < 1:
        raise ValueError("need at least one error and a level in (0, 1)")
    k = min(a.size, math.ceil((a.size + 1) * level))
    return float(a[k - 1])


def forecast_interval(
    forecast: float, scale: tuple[float, float], level: float = 0.9
) -> tuple[float, float]:
    """The recommended forecast's interval at ``level`` (one of :data:`HALF_WIDTHS`).

    Examples
    --------
    >>> [round(v, 2) for v in forecast_interval(40.0, (0.0, 100.0), 0.5)]
    [20.44, 59.56]
    """
    if level not in HALF_WIDTHS:
        raise ValueError(f"intervals are calibrated at levels {sorted(HALF_WIDTHS)}, not {level}")
    lo, hi = scale
    h = HALF_WIDTHS[level] * (hi - lo)
    return max(lo, forecast - h), min(hi, forecast + h)


def record_for(model: str, variant: str = "paper") -> dict[str, float] | None:
    """The record of a case forecast's model (``"eum"`` with its variant, ``"smp"``, ...)."""
    key = "eum-scholz" if model == "eum" and variant == "scholz-code" else model
    return RECORD.get(key)
