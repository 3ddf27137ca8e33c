"""Forecasting engine: where bargaining over issues is heading.

Models over plain arrays (per actor a capability, a position on each issue and
a salience):

- :func:`expected_utility`: Bueno de Mesquita's expected utility model as
  specified by Scholz, Calbert and Smith (2011), with the ``"paper"`` and
  ``"scholz-code"`` variants;
- :func:`spatial_model`: KTAB's spatial model of politics, one issue or several
  jointly;
- :func:`weighted_mean` and :func:`weighted_median`: the baselines of Thomson et
  al. (2006), and :func:`baselines` to get both as a result;
- :func:`monte_carlo`: distributions of the forecasts over uncertain inputs.

The parsers in :mod:`detente.forecast.inputs` read KTAB scenario files and a
plain actor table from text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.forecast.case import CaseForecast, forecast
    from detente.forecast.eum import expected_utility
    from detente.forecast.inputs import (
        ForecastInput,
        parse_actor_csv,
        parse_ktab_csv,
        parse_ktab_xml,
    )
    from detente.forecast.montecarlo import monte_carlo
    from detente.forecast.results import (
        ForecastResult,
        IssueForecast,
        MonteCarloResult,
        SampleSummary,
    )
    from detente.forecast.spatial import spatial_model
    from detente.forecast.summary import baselines
    from detente.forecast.weighted import weighted_mean, weighted_median

_HOME = {
    "baselines": "summary",
    "weighted_mean": "weighted",
    "weighted_median": "weighted",
    "CaseForecast": "case",
    "forecast": "case",
    "expected_utility": "eum",
    "ForecastInput": "inputs",
    "parse_actor_csv": "inputs",
    "parse_ktab_csv": "inputs",
    "parse_ktab_xml": "inputs",
    "monte_carlo": "montecarlo",
    "ForecastResult": "results",
    "IssueForecast": "results",
    "MonteCarloResult": "results",
    "SampleSummary": "results",
    "spatial_model": "spatial",
}
"""Where each public name lives; imported on first use, so that a command importing one
model (or the spatial model's settings for its help) does not load them all."""


def __getattr__(name: str) -> Any:
    if name in _HOME:
        import importlib

        value = getattr(importlib.import_module(f"detente.forecast.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'detente.forecast' has no attribute {name!r}")


__all__ = [
    "CaseForecast",
    "ForecastInput",
    "ForecastResult",
    "IssueForecast",
    "MonteCarloResult",
    "SampleSummary",
    "baselines",
    "expected_utility",
    "forecast",
    "monte_carlo",
    "parse_actor_csv",
    "parse_ktab_csv",
    "parse_ktab_xml",
    "spatial_model",
    "weighted_mean",
    "weighted_median",
]
