"""The forecast of a case: each issue played out by the chosen models, with baselines.

Each issue runs on its own with the actors that hold a stance on it: capability
from the actor, position on the issue's scale, salience divided by 100. An issue
that cannot be forecast (a categorical scale, or fewer than two actors with a
stance) is left out of a forecast of all issues and listed in ``skipped`` with the
reason; asked for alone, it is an error. The
spatial model can also bargain over all issues at once (``joint=True``); where some
actor's saliences sum to more than 1 (KTAB's limit), every salience is divided by the
number of issues (KTAB scenarios, whose saliences already respect the limit, run as
given).

Monte Carlo draws each uncertain input from a normal distribution around its
value: the case's ``position_sd``, ``salience_sd`` and ``capability_sd`` where
given, otherwise the defaults passed in (5 points of position, 5 points of
salience, 10 % of capability).

Stochastic transitions of the spatial model draw from the run's ``seed`` unless the
spatial model's settings carry their own (a KTAB scenario's ``prngSeed``), so the
same seed gives the same forecast.

Red lines (``Stance.red_line``) bind the forecast: the expected utility and spatial
models keep each actor inside its red line's interval ``[at_least, at_most]`` in
every round (see those modules for where in the round), the Monte Carlo samples keep
the red lines fixed, and every model's forecast is checked against every red line on
its issue, vetoed levels included (``crosses_red_lines``). Vetoed single levels
cannot be kept out of a run on a continuous scale; the result lists them under
``vetoes_not_enforced``. An issue without red lines is forecast exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np

from detente.errors import CaseError, MissingPartError, Problem
from detente.forecast._redlines import crossings, described
from detente.forecast.cost import eum_estimate, smp_estimate
from detente.forecast.eum import expected_utility
from detente.forecast.record import (
    BENCHMARK,
    RECOMMENDED,
    RECOMMENDED_LEVEL,
    forecast_interval,
    record_for,
)
from detente.forecast.results import ForecastResult, IssueForecast, SampleSummary
from detente.forecast.spatial import spatial_model
from detente.forecast.summary import baselines
from detente.model import Case
from detente.model.limits import Estimate, check_estimate, largest_fitting
from detente.model.sections import RedLine

__all__ = ["MODELS", "CaseForecast", "forecast"]

MODELS = ("eum", "smp", "mean", "median")
MODEL_NAMES = {
    "eum": "expected utility model",
    "smp": "spatial model of politics",
    "mean": "weighted mean",
    "median": "weighted median",
}


@dataclass(frozen=True)
class CaseForecast:
    """Forecasts of a case's issues, per model, with Monte Carlo summaries when asked for."""

    case_id: str
    scenario: str | None
    issues: tuple[str, ...]
    names: dict[str, str]
    scales: dict[str, tuple[float, float]]
    results: dict[str, dict[str, IssueForecast]]  # issue -> model -> forecast
    monte_carlo: dict[str, dict[str, SampleSummary]] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # issue -> why it was not forecast
    # issue -> actor -> red line (``red_line`` in words, ``at_least``, ``at_most``,
    # ``vetoes``) and the actor's starting ``position``
    red_lines: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "case": self.case_id,
            "scenario": self.scenario,
            "method": "spatial bargaining forecasts (Bueno de Mesquita; Scholz et al. 2011; KTAB)",
            "parameters": dict(self.parameters),
            "issues": {},
            "skipped": dict(self.skipped),
        }
        for issue in self.issues:
            by_model = self.results[issue]
            entry: dict[str, Any] = {
                "name": self.names[issue],
                "scale": list(self.scales[issue]),
                "models": {m: r.to_dict() for m, r in by_model.items()},
                "red_lines": {a: dict(r) for a, r in self.red_lines.get(issue, {}).items()},
                "crosses_red_lines": [
                    {"model": m, **crossing}
                    for m, r in by_model.items()
                    for crossing in r.crosses_red_lines
                ],
                "vetoes_not_enforced": {
                    a: list(v) for r in by_model.values() for a, v in r.vetoes_not_enforced.items()
                },
            }
            if issue in self.monte_carlo:
                entry["monte_carlo"] = {m: s.to_dict() for m, s in self.monte_carlo[issue].items()}
            if RECOMMENDED in by_model:
                point = by_model[RECOMMENDED].forecast
                lo, hi = forecast_interval(point, self.scales[issue], RECOMMENDED_LEVEL)
                lo50, hi50 = forecast_interval(point, self.scales[issue], 0.5)
                entry["recommended"] = {
                    "model": RECOMMENDED,
                    "forecast": point,
                    "interval": [lo, hi],
                    "level": RECOMMENDED_LEVEL,
                    "interval_50": [lo50, hi50],
                }
            out["issues"][issue] = entry
        variant = self.parameters.get("variant", "paper")
        models = self.parameters.get("models") or sorted(
            {m for r in self.results.values() for m in r}
        )
        out["record"] = {
            "benchmark": dict(BENCHMARK),
            "models": {
                m: dict(r)
                for m in dict.fromkeys([RECOMMENDED, *models])
                if (r := record_for(m, variant)) is not None
            },
        }
        return out

    def to_frame(self):
        """Positions by round: one row per issue, model, round and actor (needs pandas)."""
        from detente.model.display import records_frame

        return records_frame(
            [
                {"issue": issue, "model": model, "round": k, "actor": actor, "position": position}
                for issue, by_model in self.results.items()
                for model, result in by_model.items()
                for k, positions in enumerate(result.rounds)
                for actor, position in positions.items()
            ]
        )

    def _repr_html_(self) -> str:
        from detente.model.display import html_table

        models = sorted({m for r in self.results.values() for m in r})
        rows = [
            [
                self.names[i],
                *[
                    f"{self.results[i][m].forecast:.1f}" if m in self.results[i] else "-"
                    for m in models
                ],
            ]
            for i in self.issues
        ]
        return html_table(["Issue", *[MODEL_NAMES[m] for m in models]], rows, caption="Forecasts")


def _unforecastable(case: Case, issue) -> str | None:
    """Why ``issue`` cannot be forecast (None when it can)."""
    if getattr(issue, "level_names", None):
        return "it is categorical (named levels) and the spatial models need an ordered scale"
    holders = [a.name for a in case.actors if a.id in issue.positions]
    if len(holders) < 2:
        who = f"only {holders[0]} has one" if holders else "no actor has one"
        return f"it needs the stances of at least two actors and {who}"
    return None


def _holders(case: Case, issue) -> list[str]:
    """The actors with a stance on ``issue``, in the case's order."""
    return [a.id for a in case.actors if a.id in issue.positions]


def _stances(case: Case, issue) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    actors = [a for a in case.actors if a.id in issue.positions]
    c = np.array([a.capability for a in actors], dtype=float)
    x = np.array([issue.positions[a.id].position for a in actors], dtype=float)
    s = np.array([issue.positions[a.id].salience / 100.0 for a in actors], dtype=float)
    return [a.id for a in actors], c, x, s


def _red_lines(issue, names: Sequence[str]) -> list[RedLine | None]:
    """Each named actor's red line on ``issue`` (None where it has none)."""
    return [issue.positions[a].red_line for a in names]


def _bounds(
    lines: Sequence[Sequence[RedLine | None]], scale: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray] | None:
    """The red lines' intervals ``(at_least, at_most)``, ``(n, D)`` from one list of
    lines per issue, NaN where a side is open, held on ``scale`` (an overriding
    ``scale`` may be narrower than the issue's own); None when none has an interval
    (vetoes alone bind no run)."""
    low = np.array(
        [[np.nan if r is None or r.at_least is None else r.at_least for r in ls] for ls in lines]
    ).T
    high = np.array(
        [[np.nan if r is None or r.at_most is None else r.at_most for r in ls] for ls in lines]
    ).T
    if np.isnan(low).all() and np.isnan(high).all():
        return None
    return np.clip(low, *scale), np.clip(high, *scale)


def _judged(
    result: IssueForecast, names: Sequence[str], lines: Sequence[RedLine | None], model: str
) -> IssueForecast:
    """``result`` with the issue's red lines, the ones its forecast crosses, and (for
    the bargaining models) the vetoes it could not enforce."""
    if not any(lines):
        return result
    vetoes = {a: r.vetoes for a, r in zip(names, lines, strict=True) if r is not None and r.vetoes}
    return replace(
        result,
        red_lines=described(names, lines),
        crosses_red_lines=crossings(names, result.forecast, lines),
        vetoes_not_enforced=vetoes if model in ("eum", "smp") else {},
    )


def _smp_settings(smp: dict[str, Any] | None, seed: int) -> dict[str, Any]:
    """The spatial model's settings, with the run's seed for stochastic transitions
    unless the settings carry their own (a KTAB scenario's ``prngSeed``)."""
    out = dict(smp or {})
    if out.get("transitions") == "stochastic" and out.get("seed") is None:
        out["seed"] = seed
    return out


def forecast(
    case: Case,
    *,
    models: Sequence[str] = MODELS,
    issue: str | None = None,
    variant: str = "paper",
    rounds: int | None = None,
    max_rounds: int = 100,
    joint: bool = False,
    smp: dict[str, Any] | None = None,
    scale: tuple[float, float] | None = None,
    samples: int = 0,
    seed: int = 0,
    level: float = 0.9,
    position_sd: float = 5.0,
    salience_sd: float = 5.0,
    capability_sd: float = 0.1,
    workers: int | None = 1,
    dask_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CaseForecast:
    """Forecast where bargaining on each issue of a case is heading.

    Parameters
    ----------
    case : Case
        A case with issues and stances.
    models : sequence of {"eum", "smp", "mean", "median"}
        The expected utility model (Scholz, Calbert and Smith 2011), KTAB's spatial
        model of politics, and the baselines (Thomson et al. 2006); the baselines are
        always reported alongside each model.
    issue : str, optional
        Forecast only this issue. Without it every issue is forecast but those that
        cannot be (categorical, or fewer than two actors with a stance), which are
        listed in ``skipped``.
    variant : {"paper", "scholz-code"}
        The EUM variant.
    rounds : int, optional
        Play exactly this many rounds (default: until the stopping rule).
    joint : bool
        Let the spatial model bargain over all issues at once.
    smp : dict, optional
        The spatial model's other parameters (see :func:`~detente.forecast.spatial_model`),
        e.g. read from a KTAB scenario's ``ModelParameters``. With stochastic
        transitions and no ``seed`` of their own, they draw from ``seed``. The Monte
        Carlo samples run with the same settings.
    scale : (float, float), optional
        Override every issue's scale.
    samples, seed : int
        Monte Carlo samples (0: none) and the seed of the run (of the samples, and of
        the spatial model's stochastic transitions); the same seed gives the same result.
    level : float
        The share of the samples' forecasts inside each Monte Carlo interval (central
        quantiles; default 0.9).
    position_sd, salience_sd : float
        Default uncertainties (points of the issue scale; points of salience, 0..100).
    capability_sd : float
        Default uncertainty of capability, as a share of it.
    workers, dask_address
        Where the samples run: local processes, or a Dask cluster.
    progress : callable, optional
        Called as ``progress(done, samples)`` while the Monte Carlo samples run.

    Returns
    -------
    CaseForecast
        Per issue and model an :class:`IssueForecast`. The stances' red lines bind
        the expected utility and spatial models (each party stays inside its red
        line's interval in every round, in the samples too); each result lists the
        red lines its forecast crosses, and :meth:`CaseForecast.to_dict` gathers
        them per issue (``red_lines``, ``crosses_red_lines``, ``vetoes_not_enforced``).

    Raises
    ------
    MissingPartError
        The case has no issue that can be forecast.
    CaseError
        An unknown model, or the issue asked for cannot be forecast.
    CaseTooLargeError
        The forecast's estimated time or memory, every model and sample included,
        exceeds ``DETENTE_MAX_SECONDS`` or ``DETENTE_MAX_MEMORY``; checked before any
        model runs (:mod:`detente.forecast.cost`).

    Examples
    --------
    >>> import detente
    >>> from detente.forecast import forecast
    >>> result = forecast(detente.load("korea"), models=["mean"], issue="denuclearisation")
    >>> round(result.results["denuclearisation"]["mean"].forecast, 1)
    62.1
    """
    case.require("issues", analysis="forecasting")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise CaseError(Problem(f"unknown model {unknown[0]!r}; choose from {', '.join(MODELS)}"))
    # Spatial models need an ordered scale (not the named levels of GENIUS domains) and
    # the stances of at least two actors.
    skipped: dict[str, str] = {}
    if issue is not None:
        chosen = case.issue(issue)
        reason = _unforecastable(case, chosen)
        if reason:
            raise CaseError(
                Problem(
                    f"issue {issue!r} cannot be forecast: {reason}",
                    path=("issues", case.issues.index(chosen), "positions"),
                )
            )
        issues = [chosen]
    else:
        issues = []
        for item in case.issues:
            reason = _unforecastable(case, item)
            if reason:
                skipped[item.id] = reason
            else:
                issues.append(item)
    if not issues:
        if all("categorical" in r for r in skipped.values()):
            message = "forecasting needs issues on an ordered scale; every issue of this case is categorical"
        else:
            message = "no issue of this case can be forecast: " + "; ".join(
                f"{i}: {r}" for i, r in skipped.items()
            )
        raise MissingPartError(Problem(message, path=("issues",)))
    smp = _smp_settings(smp, seed) if "smp" in models else dict(smp or {})
    results: dict[str, dict[str, IssueForecast]] = {i.id: {} for i in issues}
    scales = {i.id: cast(tuple[float, float], tuple(scale or i.scale)) for i in issues}
    _check_cost(
        case,
        issues,
        scales,
        models,
        variant=variant,
        rounds=rounds,
        max_rounds=max_rounds,
        joint=joint,
        smp=smp,
        samples=samples,
    )
    eum_runs = (
        _eum_by_group(case, issues, scales, variant=variant, rounds=rounds, max_rounds=max_rounds)
        if "eum" in models
        else {}
    )
    for item in issues:
        names, c, x, s = _stances(case, item)
        item_scale, item_ids = scales[item.id], [item.id]
        one = _bounds([_red_lines(item, names)], item_scale)
        bounds = None if one is None else (one[0][:, 0], one[1][:, 0])
        base = baselines(names, c, x, s, scale=item_scale, issues=item_ids).issues[0]
        for model in models:
            if model == "mean":
                results[item.id][model] = base
            elif model == "median":
                results[item.id][model] = replace(base, forecast=base.baselines["median"])
            elif model == "eum":
                results[item.id][model] = eum_runs[item.id]
            elif model == "smp" and not joint:
                run = spatial_model(
                    names,
                    c,
                    x,
                    s,
                    rounds=rounds,
                    max_rounds=max_rounds,
                    scale=item_scale,
                    issues=item_ids,
                    bounds=bounds,
                    **smp,
                )
                results[item.id][model] = run.issues[0]
    if "smp" in models and joint:
        for issue_forecast in _joint_smp(case, issues, scales, rounds, max_rounds, smp).issues:
            results[issue_forecast.issue]["smp"] = issue_forecast
    red_lines: dict[str, dict[str, dict[str, Any]]] = {}
    for item in issues:
        names = _holders(case, item)
        lines = _red_lines(item, names)
        for model, result in results[item.id].items():
            results[item.id][model] = _judged(result, names, lines, model)
        red_lines[item.id] = {
            a: {
                "red_line": r.describe(),
                "at_least": r.at_least,
                "at_most": r.at_most,
                "vetoes": list(r.vetoes),
                "position": item.positions[a].position,
            }
            for a, r in zip(names, lines, strict=True)
            if r is not None
        }

    mc: dict[str, dict[str, SampleSummary]] = {}
    if samples:
        defaults = _Spread(position_sd, salience_sd, capability_sd)
        mc = _monte_carlo(
            case,
            issues,
            scales,
            models,
            defaults,
            samples=samples,
            seed=seed,
            level=level,
            eum={"variant": variant, "rounds": rounds, "max_rounds": max_rounds},
            smp={**smp, "rounds": rounds, "max_rounds": max_rounds},
            joint=joint,
            workers=workers,
            dask_address=dask_address,
            progress=progress,
        )
    return CaseForecast(
        case_id=case.id,
        scenario=case.scenario_id,
        issues=tuple(i.id for i in issues),
        names={i.id: i.name for i in issues},
        scales=scales,
        results=results,
        monte_carlo=mc,
        parameters={
            "models": list(models),
            "variant": variant,
            "rounds": rounds,
            "max_rounds": max_rounds,
            "joint": joint,
            "smp": dict(smp),
            "samples": samples,
            "seed": seed,
        },
        skipped=skipped,
        red_lines=red_lines,
    )


def _estimate(
    case: Case,
    issues,
    scales,
    models: Sequence[str],
    *,
    variant: str,
    rounds: int | None,
    max_rounds: int,
    joint: bool,
    smp: dict[str, Any],
    samples: int,
    most: int,
) -> Estimate:
    """Time and memory of the whole forecast (and its samples), every issue followed by
    at most ``most`` actors (see :mod:`detente.forecast.cost`)."""
    total = Estimate()
    turns: dict[str, Any] = {"rounds": rounds, "max_rounds": max_rounds}
    kinds: dict[str, Any] = {k: smp[k] for k in ("pce", "bargain_model") if k in smp}
    runs = [0] if not samples else [0, samples]
    width = 0
    for _scale, holders, group in _groups(case, issues, scales):
        n = min(len(holders), most)
        width += len(group) * len(models) + n + 2 * n * len(group)
        if "eum" in models:
            for k in runs:
                total += eum_estimate(n, len(group), variant=variant, samples=k, **turns)
        if "smp" in models and not joint:
            for k in runs:
                total += smp_estimate(n, 1, runs=len(group), samples=k, **turns, **kinds)
    if "smp" in models and joint:
        n = min(len(case.actors), most)
        for k in runs:
            total += smp_estimate(n, len(issues), samples=k, **turns, **kinds)
    # the samples' table: every model's forecast, the draws of every input
    return total + Estimate(0.0, 8.0 * samples * width)


def _check_cost(case: Case, issues, scales, models: Sequence[str], **settings: Any) -> None:
    """Refuse, before any model runs, a forecast whose estimated time or memory exceeds
    the limits (``DETENTE_MAX_SECONDS``, ``DETENTE_MAX_MEMORY``), with the number of
    actors, or of samples, that would fit."""
    most = max(len(_holders(case, i)) for i in issues)
    if settings["joint"]:
        most = max(most, len(case.actors))
    estimate = _estimate(case, issues, scales, models, **settings, most=most)
    if estimate.within():
        return
    samples = settings["samples"]
    names = " and ".join(MODEL_NAMES[m] for m in models if m in ("eum", "smp")) or "the forecast"
    turns = settings["rounds"] or settings["max_rounds"]
    what = f"the forecast ({names}) of {len(issues)} issue{'s' * (len(issues) > 1)}"
    what += f" with up to {most:,} actors over up to {turns:,} rounds"
    alone = {**settings, "samples": 0}
    if samples and _estimate(case, issues, scales, models, **alone, most=most).within():
        fit = largest_fitting(
            lambda k: _estimate(
                case, issues, scales, models, **{**settings, "samples": k}, most=most
            ),
            samples,
        )
        fits = f"at most {fit or 0:,} Monte Carlo samples would fit"
        check_estimate(f"{what} and {samples:,} samples", estimate, fits=fits)
    fit = largest_fitting(
        lambda k: _estimate(case, issues, scales, models, **settings, most=k), most, least=2
    )
    if fit is None:
        fits = "not even 2 actors per issue would fit"
    else:
        fits = f"at most {fit:,} actors per issue would fit (merge the smaller ones into blocs)"
    fewer = "play fewer rounds"
    if samples:
        what += f" and {samples:,} samples"
        fewer = "draw fewer samples or play fewer rounds"
    check_estimate(what, estimate, fits=f"{fits}, or {fewer}", path=("actors",))


def _groups(case: Case, issues, scales) -> list[tuple[tuple[float, float], list[str], list]]:
    """The issues grouped by scale and by the actors with a stance (in the case's order):
    each group's issues run together, one batch row per issue."""
    groups: dict[tuple[tuple[float, float], tuple[str, ...]], list] = {}
    for item in issues:
        groups.setdefault((scales[item.id], tuple(_holders(case, item))), []).append(item)
    return [(sc, list(holders), group) for (sc, holders), group in groups.items()]


def _eum_by_group(case: Case, issues, scales, **settings: Any) -> dict[str, IssueForecast]:
    """The expected utility model on every issue, the issues that share a scale and the
    actors with stances run as one batch (each issue is still its own run)."""
    out: dict[str, IssueForecast] = {}
    for group_scale, names, group in _groups(case, issues, scales):
        run = expected_utility(
            names,
            np.array([case.actor(a).capability for a in names], dtype=float),
            np.array([[i.positions[a].position for i in group] for a in names], dtype=float),
            np.array([[i.positions[a].salience / 100.0 for i in group] for a in names]),
            scale=group_scale,
            issues=[i.id for i in group],
            bounds=_bounds([_red_lines(i, names) for i in group], group_scale),
            **settings,
        )
        out.update(zip((i.id for i in group), run.issues, strict=True))
    return out


def _complete(case: Case, issues) -> list[str]:
    """Actors with a stance on every one of ``issues``; an error if any actor lacks one."""
    missing = [(i.id, a.id) for i in issues for a in case.actors if a.id not in i.positions]
    if missing:
        issue_id, actor_id = missing[0]
        raise CaseError(
            Problem(
                f"this forecast needs every actor's stance on every issue; {actor_id} has none on {issue_id}",
                path=("issues",),
            )
        )
    return [a.id for a in case.actors]


def _joint_saliences(s: np.ndarray) -> tuple[np.ndarray, float]:
    """Saliences for the joint spatial model and the factor they were divided by: KTAB
    needs each actor's saliences to sum to at most 1, so where some actor's sum more,
    every salience is divided by the number of issues."""
    if (s.sum(axis=1) > 1 + 1e-9).any():
        return s / s.shape[1], float(s.shape[1])
    return s, 1.0


def _joint_smp(
    case: Case, issues, scales, rounds, max_rounds, smp: dict[str, Any]
) -> ForecastResult:
    names = _complete(case, issues)
    if len({scales[i.id] for i in issues}) != 1:
        raise CaseError(
            Problem("the joint spatial model needs every issue on the same scale", path=("issues",))
        )
    c = np.array([case.actor(a).capability for a in names])
    x = np.array([[i.positions[a].position for i in issues] for a in names])
    s, _ = _joint_saliences(
        np.array([[i.positions[a].salience / 100.0 for i in issues] for a in names])
    )
    return spatial_model(
        names,
        c,
        x,
        s,
        scale=scales[issues[0].id],
        issues=[i.id for i in issues],
        rounds=rounds,
        max_rounds=max_rounds,
        bounds=_bounds([_red_lines(i, names) for i in issues], scales[issues[0].id]),
        **smp,
    )


@dataclass(frozen=True)
class _Spread:
    """Default uncertainties where the case gives none."""

    position_sd: float
    salience_sd: float
    capability_sd: float


def _monte_carlo(
    case,
    issues,
    scales,
    models,
    defaults: _Spread,
    *,
    samples: int,
    seed: int,
    level: float = 0.9,
    eum: dict[str, Any],
    smp: dict[str, Any],
    joint: bool,
    **where: Any,
) -> dict[str, dict[str, SampleSummary]]:
    """Monte Carlo summaries per issue and model, the models run as in the forecast itself.

    ``eum`` and ``smp`` are the models' settings; ``where`` says where samples run
    (workers, dask_address). The baselines and the EUM run over the issues that share
    a scale and the actors with stances, in one call per group; the spatial model
    runs issue by issue, or over all issues at once when ``joint``.
    """
    runs: list[tuple[tuple[float, float], list, list[str], list[str]]] = []
    others = [m for m in models if m != "smp"]
    if others:
        runs += [
            (sc, group, others, holders) for sc, holders, group in _groups(case, issues, scales)
        ]
    if "smp" in models and joint:
        runs.append((scales[issues[0].id], list(issues), ["smp"], _complete(case, issues)))
    elif "smp" in models:
        runs += [(scales[item.id], [item], ["smp"], _holders(case, item)) for item in issues]
    specs = []
    for group_scale, group, group_models, names in runs:
        c = np.array([case.actor(a).capability for a in names])
        x = np.array([[i.positions[a].position for i in group] for a in names])
        s = np.array([[i.positions[a].salience / 100.0 for i in group] for a in names])
        c_sd = np.array(
            [
                _or(case.actor(a).capability_sd, defaults.capability_sd * case.actor(a).capability)
                for a in names
            ]
        )
        x_sd = np.array(
            [[_or(i.positions[a].position_sd, defaults.position_sd) for i in group] for a in names]
        )
        s_sd = np.array(
            [
                [_or(i.positions[a].salience_sd, defaults.salience_sd) / 100.0 for i in group]
                for a in names
            ]
        )
        if group_models == ["smp"] and joint:
            s, factor = _joint_saliences(s)
            s_sd = s_sd / factor
        specs.append(
            {
                "actors": names,
                "capability": c,
                "position": x,
                "salience": s,
                "scale": group_scale,
                "issues": [i.id for i in group],
                "capability_sd": c_sd,
                "position_sd": x_sd,
                "salience_sd": s_sd,
                "models": group_models,
                "level": level,
                "eum": eum,
                "smp": smp if "smp" in group_models else None,
                "bounds": _bounds([_red_lines(i, names) for i in group], group_scale),
            }
        )
    # every run over the same samples, in one pass (one batch per model)
    out: dict[str, dict[str, SampleSummary]] = {}
    # imported here: a forecast without samples needs neither it nor the process pool
    from detente.forecast.montecarlo import monte_carlo_runs

    for result in monte_carlo_runs(specs, n_runs=samples, seed=seed, **where):
        for summary in result.summaries:
            out.setdefault(summary.issue, {})[summary.model] = summary
    return out


def _or(value: float | None, default: float) -> float:
    return default if value is None else value
