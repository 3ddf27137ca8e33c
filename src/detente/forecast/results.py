"""Result types of the forecasting engine.

Every result is a frozen dataclass holding Python scalars, tuples and dicts, and
``to_dict()`` returns only JSON-serialisable values (lists, dicts, str, float,
int, None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ForecastResult", "IssueForecast", "MonteCarloResult", "SampleSummary"]


def _jsonable(value: Any) -> Any:
    # plain finite floats, the bulk of a result (every actor's position in every
    # round), are kept as they are without a call each
    if type(value) is float:
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {
            str(k): v if type(v) is float and math.isfinite(v) else _jsonable(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [v if type(v) is float and math.isfinite(v) else _jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


@dataclass(frozen=True)
class IssueForecast:
    """The forecast on one issue.

    Attributes
    ----------
    issue : str
        Issue name.
    rounds : tuple of dict
        ``rounds[0]`` holds the starting positions; each entry maps actor name to
        position on the issue scale.
    forecast : float
        The model's forecast on the issue scale (see the model's docstring for
        which statistic it is).
    baselines : dict
        ``mean`` (compromise model) and ``median`` (weighted median) of the
        *starting* positions, weights capability × salience.
    stopped : str
        ``"converged"``, ``"cycle"``, ``"max_rounds"`` or ``"fixed_rounds"``.
    closest : tuple of str
        Actors whose final positions (averaged over the cycle when there is one)
        end at the forecast, within 1 % of the scale's range, nearest first and
        however many there are; when none does, the nearest actor (and any as
        near).
    cycle_length : int or None
        Period of the cycle when ``stopped == "cycle"``; the forecast is then the
        average over the cycle.
    by_round : dict
        Per-round summary statistics (``mean``, ``median`` and model-specific ones).
    extra : dict
        Model-specific extras (e.g. SMP's most probable position); after a cycle,
        ``final_average`` holds each actor's position averaged over the cycle, in
        actor order.
    red_lines : dict
        Actor -> its red line on the issue, in words (``"at most 50, never 25"``),
        for the actors the run knew one for. The expected utility and spatial
        models keep each such actor inside its interval in every round; the
        baselines move nobody.
    crosses_red_lines : tuple of dict
        ``{"actor", "red_line", "forecast"}`` for each actor whose red line the
        forecast crosses (lies beyond its interval or on a level it vetoes), in
        actor order; empty when the forecast respects every red line.
    vetoes_not_enforced : dict
        Actor -> the vetoed levels of its red line that the run could not keep it
        off: the models move positions on a continuous scale and enforce only the
        interval ``[at_least, at_most]``. Crossings of vetoes are still reported.
    """

    issue: str
    rounds: tuple[dict[str, float], ...]
    forecast: float
    baselines: dict[str, float]
    stopped: str
    closest: tuple[str, ...]
    cycle_length: int | None = None
    by_round: dict[str, tuple[float, ...]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    red_lines: dict[str, str] = field(default_factory=dict)
    crosses_red_lines: tuple[dict[str, Any], ...] = ()
    vetoes_not_enforced: dict[str, tuple[float, ...]] = field(default_factory=dict)

    @property
    def n_rounds(self) -> int:
        """Number of rounds played (``len(rounds) - 1``)."""
        return len(self.rounds) - 1

    @property
    def final(self) -> dict[str, float]:
        """Positions after the last round."""
        return self.rounds[-1]

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(
            {
                "issue": self.issue,
                "rounds": [dict(r) for r in self.rounds],
                "n_rounds": self.n_rounds,
                "forecast": self.forecast,
                "baselines": dict(self.baselines),
                "stopped": self.stopped,
                "cycle_length": self.cycle_length,
                "closest": list(self.closest),
                "by_round": {k: list(v) for k, v in self.by_round.items()},
                "extra": dict(self.extra),
                "red_lines": dict(self.red_lines),
                "crosses_red_lines": [dict(c) for c in self.crosses_red_lines],
                "vetoes_not_enforced": {a: list(v) for a, v in self.vetoes_not_enforced.items()},
            }
        )


@dataclass(frozen=True)
class ForecastResult:
    """A model run over one or several issues.

    Attributes
    ----------
    method : str
        ``"eum"`` (expected utility model), ``"smp"`` (spatial model of politics)
        or ``"baselines"``.
    parameters : dict
        Every parameter that shaped the run, including the variant.
    actors : tuple of str
    issues : tuple of IssueForecast
    """

    method: str
    parameters: dict[str, Any]
    actors: tuple[str, ...]
    issues: tuple[IssueForecast, ...]

    def issue(self, name: str) -> IssueForecast:
        """The forecast for the issue called ``name``."""
        for it in self.issues:
            if it.issue == name:
                return it
        raise KeyError(name)

    @property
    def forecast(self) -> dict[str, float]:
        """Forecast per issue name."""
        return {it.issue: it.forecast for it in self.issues}

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(
            {
                "method": self.method,
                "parameters": dict(self.parameters),
                "actors": list(self.actors),
                "issues": [it.to_dict() for it in self.issues],
            }
        )


@dataclass(frozen=True)
class SampleSummary:
    """The Monte Carlo distribution of one model's forecast on one issue.

    Attributes
    ----------
    issue, model : str
    samples : tuple of float
        One forecast per sample, in sample order.
    median : float
    interval : tuple of float
        Central interval of the samples at ``level``.
    sensitivity : dict
        Spearman rank correlation between each uncertain input (named
        ``"position[actor]"``, ``"salience[actor]"``, ``"capability[actor]"``)
        and the forecast; inputs without spread are left out, constant
        forecasts give ``None``.
    level : float
        The share of the samples ``interval`` covers (0.9: the central 90 %).
    """

    issue: str
    model: str
    samples: tuple[float, ...]
    median: float
    interval: tuple[float, float]
    sensitivity: dict[str, float | None]
    level: float = 0.9

    def top_inputs(self, k: int = 3) -> tuple[tuple[str, float], ...]:
        """The ``k`` inputs with the largest absolute rank correlation."""
        items = [(n, v) for n, v in self.sensitivity.items() if v is not None]
        items.sort(key=lambda nv: -abs(nv[1]))
        return tuple(items[:k])

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(
            {
                "issue": self.issue,
                "model": self.model,
                "samples": list(self.samples),
                "median": self.median,
                "interval": list(self.interval),
                "level": self.level,
                "sensitivity": dict(self.sensitivity),
                "top_inputs": [list(t) for t in self.top_inputs()],
            }
        )


@dataclass(frozen=True)
class MonteCarloResult:
    """Distributions of forecasts over sampled inputs.

    Attributes
    ----------
    method : str
        Always ``"monte_carlo"``.
    parameters : dict
        ``n_runs``, ``seed``, ``level``, the models and their parameters.
    actors : tuple of str
    summaries : tuple of SampleSummary
        One per (issue, model).
    """

    method: str
    parameters: dict[str, Any]
    actors: tuple[str, ...]
    summaries: tuple[SampleSummary, ...]

    def get(self, issue: str, model: str) -> SampleSummary:
        """The summary for ``issue`` under ``model``."""
        for s in self.summaries:
            if s.issue == issue and s.model == model:
                return s
        raise KeyError((issue, model))

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(
            {
                "method": self.method,
                "parameters": dict(self.parameters),
                "actors": list(self.actors),
                "summaries": [s.to_dict() for s in self.summaries],
            }
        )
