"""The two baselines of Thomson et al. (2006) as a forecast result."""

from __future__ import annotations

from collections.abc import Sequence

from detente.forecast._common import closest_actors, issue_arrays
from detente.forecast.results import ForecastResult, IssueForecast
from detente.forecast.weighted import weighted_mean, weighted_median

__all__ = ["baselines"]


def baselines(
    actors: Sequence[str],
    capability,
    position,
    salience,
    *,
    scale: tuple[float, float] = (0.0, 100.0),
    issues: Sequence[str] | None = None,
) -> ForecastResult:
    """The compromise model (forecast) and the weighted median, per issue.

    Weights are capability × salience. No bargaining takes place: ``rounds``
    holds only the starting positions and ``stopped`` is ``"fixed_rounds"``.

    Parameters
    ----------
    actors, capability, position, salience
        As for :func:`~detente.forecast.expected_utility`.
    scale : (float, float)
    issues : sequence of str, optional

    Returns
    -------
    ForecastResult
        ``method="baselines"``; each issue's ``forecast`` is the weighted mean.

    References
    ----------
    Thomson, R. et al. (2006). *The European Union Decides*. Cambridge
    University Press.

    Examples
    --------
    >>> res = baselines(["a", "b"], [1, 3], [0, 100], [1, 1])
    >>> res.issues[0].baselines
    {'mean': 75.0, 'median': 100.0}
    """
    chk, X, S, names, _ = issue_arrays(
        actors, capability, position, salience, scale=scale, issues=issues
    )
    D = X.shape[1]
    out = []
    for d in range(D):
        w = chk.capability * S[:, d]
        mean = float(weighted_mean(X[:, d], w))
        median = float(weighted_median(X[:, d], w))
        out.append(
            IssueForecast(
                issue=names[d],
                rounds=({a: float(v) for a, v in zip(chk.actors, X[:, d], strict=True)},),
                forecast=mean,
                baselines={"mean": mean, "median": median},
                stopped="fixed_rounds",
                closest=closest_actors(chk.actors, X[:, d], mean, scale=chk.scale),
            )
        )
    return ForecastResult("baselines", {"scale": list(chk.scale)}, chk.actors, tuple(out))
