"""What a run is: an engine, its parameters from a form, and the report it produces.

A run's results are kept as plain data (the case brief, each engine's data and what
was skipped), from which the same :class:`~detente.report.Report` is rebuilt for the
page, the HTML download and the JSON download.

The functions a worker process runs (:func:`run_stored`, :func:`check_upload`,
:func:`check_table`) take and return plain data: a case's text rather than a
:class:`~detente.model.Case`, whose in-memory form does not travel between processes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from detente.errors import CaseError, CaseTooLargeError, MissingPartError, Problem
from detente.model import Case
from detente.report import (
    SECTION_BUILDERS,
    Report,
    analysis_report,
    comparison_report,
    engine_report,
)

__all__ = [
    "CONCEPT_LABELS",
    "ENGINES",
    "EVOLUTION_WEIGHTS",
    "FORECAST_MODELS",
    "MAX_PATHS",
    "MAX_SAMPLES",
    "SAMPLES_BENCHMARK",
    "SAMPLE_TIMES",
    "SOLUTION_ALIASES",
    "SOLUTION_LABELS",
    "STEP_LABELS",
    "WAY_OUT_CONCEPTS",
    "Limits",
    "ParameterError",
    "Steps",
    "check_table",
    "check_upload",
    "engine_obstacles",
    "execute",
    "expected_seconds",
    "load_stored",
    "parse_parameters",
    "report_from_results",
    "run_stored",
    "scenario_view",
    "way_out_obstacle",
]

ENGINES = {
    "way_out": "The way out",
    "all": "Every analysis",
    "graph_model": "Graph model (stability)",
    "evolution": "Evolution (graph model)",
    "forecast": "Forecast",
    "bargaining": "Bargaining",
    "compare": "Compare scenarios",
}

FORECAST_MODELS = {
    "eum": "Expected utility model (Bueno de Mesquita; Scholz et al. 2011)",
    "smp": "Spatial model of politics (KTAB)",
    "mean": "Weighted mean",
    "median": "Weighted median",
}
MAX_SAMPLES = 5_000
SAMPLES_BENCHMARK = (1_000, 2.9)
"""Monte Carlo samples and the seconds a web run of the forecast took with them
on the built-in korea case (its default scenario, every model, the paper's variant,
seed 0; the samples run in the worker's one process), for the case page's hint until
the workspace has timed such a run of its own: measured as docs/how-to/web.md
describes ("How long a run takes")."""


class SampleTime(NamedTuple):
    """How long a web run of an engine takes: ``base`` seconds without Monte Carlo
    samples, and ``per_sample`` seconds more for each sample."""

    base: float
    per_sample: float


SAMPLE_TIMES = {
    "forecast": SampleTime(0.08, SAMPLES_BENCHMARK[1] / SAMPLES_BENCHMARK[0]),
    "bargaining": SampleTime(0.04, 0.0019),
}
"""What a worker takes on the built-in korea case with the forms' defaults (the samples
run in the worker's one process), until the workspace has timed runs of its own (see
:func:`expected_seconds`). Measured on 2 December 2026 on the project's two-core
machine (load average about 3) by calling :func:`run_stored` three times after a
warm-up and taking the median, as docs/how-to/web.md describes: the forecast 0.08 s
without samples, 2.9 to 3.7 s with 1,000 (:data:`SAMPLES_BENCHMARK`); bargaining
0.04 s without samples, 1.95 s with 1,000. (benchmarks/forecast_process.py, which
times whole ``detente`` commands, start-up included and the samples spread over
processes, gave 0.8 s, 8.1 s and, for ``bargain --samples 1000``, 2.4 s that day.)"""


def expected_seconds(
    engine: str,
    samples: int,
    *,
    plain: float | None = None,
    sampled: tuple[int, float] | None = None,
) -> float | None:
    """How long a run of ``engine`` with ``samples`` Monte Carlo samples should take:
    its time without samples plus the time a sample takes, times ``samples``.

    The time without samples is ``plain`` (the workspace's last run of the engine on
    the case without samples) or else :data:`SAMPLE_TIMES`'s; a sample's time comes from
    ``sampled`` (the last run with samples: how many, and its seconds, less the time
    without samples) or else from :data:`SAMPLE_TIMES`. None for an engine that draws
    no samples.

    >>> expected_seconds("forecast", 2000, plain=0.1, sampled=(1000, 3.1))
    6.1
    """
    if engine not in SAMPLE_TIMES:
        return None
    measured = SAMPLE_TIMES[engine]
    base = plain if plain is not None else measured.base
    per_sample = measured.per_sample
    if sampled is not None and sampled[0] > 0:
        per_sample = max(0.0, sampled[1] - base) / sampled[0]
    return round(base + per_sample * max(0, samples), 3)


CONCEPT_LABELS = {
    "nash": "Nash stability (R: rational)",
    "gmr": "General metarationality (GMR)",
    "smr": "Symmetric metarationality (SMR)",
    "seq": "Sequential stability (SEQ)",
    "sim": "Simultaneous sanctioning (SIM), two parties",
    "seq_sim": "SEQ+SIM, two parties",
    "lh": "Limited move (Lh: h moves ahead), two parties",
    "nm": "Non-myopic (NM), two parties",
}

SOLUTION_LABELS = {
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "utilitarian": "Utilitarian",
    "egalitarian": "Egalitarian",
}
SOLUTION_ALIASES = {"ks": "kalai_smorodinsky"}
"""Short names the command line uses (``detente bargain --solution ks``), accepted here too."""

MAX_HORIZON = 8

WAY_OUT_CONCEPTS = {
    "seq": "Sequential stability (SEQ)",
    "gmr": "General metarationality (GMR)",
    "nash": "Nash stability (R: rational)",
}
"""The stability every step of a way out may be asked to have, the default first
(:func:`detente.analysis.wayout.way_out`; ``detente wayout --concept``)."""
MAX_PATHS = 20
DEFAULT_PATHS = 5

EVOLUTION_WEIGHTS = {
    "uniform": "every improvement equally likely",
    "gain": "in proportion to the movers' gain",
}
"""The evolution chain's transition rules, the default first
(:func:`detente.gmcr.evolution.analyze_evolution`; ``detente evolution --weights``)."""


STEP_LABELS = {
    "check": "Checking the case's size",
    "graph_model": "Graph model",
    "perception": "Each party's view of the game",
    "history": "The recorded history",
    "robustness": "Robustness margins",
    "evolution": "Evolution",
    "forecast": "Forecast",
    "bargaining": "Bargaining",
    "way_out": "The way out",
}
"""What the progress bar says while a run is at each step."""


class Steps:
    """A run's progress, as the worker reports it to the server: ``report`` is called
    with ``{"step", "scenario", "done", "total", "fraction"}`` when a step starts and
    as a scan goes on (at most a few times a second), where ``fraction`` is the share
    of the run done, from 0 to 1 (``None`` when it cannot be told: a run of one step
    that reports no scan)."""

    INTERVAL = 0.25
    """Seconds between two reports of the same step."""

    def __init__(self, report: Callable[[dict[str, Any]], None] | None, total: int):
        self._report = report
        self.total = max(1, total)
        self.done = -1
        self.scenario: str | None = None
        self._step = ""
        self._sent = 0.0
        self._scanned = False

    def step(self, key: str, scenario: str | None = None) -> None:
        """Start the next step, ``key`` (an engine), of ``scenario``; a step beyond the
        announced total counts as one more (the share done never passes 1)."""
        self.done += 1
        self.total = max(self.total, self.done + 1)
        self._step = key
        self.scenario = scenario
        self._send(0.0, force=True)

    def scan(self, done: int, total: int) -> None:
        """The step's scan has done ``done`` of ``total`` (bargaining's packages)."""
        if total > 0:
            self._scanned = True
            self._send(min(1.0, done / total), force=done >= total)  # the end is always told

    def _send(self, within: float, *, force: bool = False) -> None:
        if self._report is None:
            return
        now = time.monotonic()
        if not force and now - self._sent < self.INTERVAL:
            return
        self._sent = now
        fraction = (max(0, self.done) + within) / self.total
        unknown = self.total == 1 and not self._scanned
        self._report(
            {
                "step": STEP_LABELS.get(self._step, self._step.replace("_", " ")),
                "scenario": self.scenario,
                "done": max(0, self.done),
                "total": self.total,
                "fraction": None if unknown else round(fraction, 4),
            }
        )


@dataclass(frozen=True)
class Limits:
    """How much one run may take: the graph model's state memory, the bargaining scan,
    the parties a forecast follows and the time of one run.

    ``max_outcomes`` counts the feasible packages bargaining scans (the options'
    constraints already applied, when that count is known without a scan; else every
    grid point). The default lets the built-in korea case run with its options (49.8
    million feasible packages, a few seconds) and refuses anything much larger.

    ``max_forecast_actors`` bounds the parties of a case that is forecast (the
    forecasting models' work grows steeply with them: 100 parties take about 3 s,
    200 about 45 s); a larger case is refused before the forecast starts.
    ``max_seconds`` stops any run (or any upload's reading) that takes longer; it
    is then recorded as refused.
    """

    max_state_bytes: int = 64 * 2**20
    max_outcomes: int = 60_000_000
    max_forecast_actors: int = 100
    max_seconds: float = 300.0


class ParameterError(ValueError):
    """A form asked for parameters the engine does not take."""


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "on", "yes"}


def parse_parameters(engine: str, form: dict[str, Any]) -> dict[str, Any]:
    """Normalise a form's fields (``concepts`` may be a list) into a run's parameters."""
    if engine not in ENGINES:
        raise ParameterError(f"unknown analysis {engine!r}; choose from {', '.join(ENGINES)}")
    if engine in ("all", "compare"):
        return {}
    if engine == "way_out":
        concept = str(form.get("concept") or "seq").strip().lower()
        if concept not in WAY_OUT_CONCEPTS:
            raise ParameterError(
                f"the way out checks every step under {', '.join(WAY_OUT_CONCEPTS)}, "
                f"not {concept!r}"
            )
        try:
            paths = int(form.get("paths") or DEFAULT_PATHS)
        except (TypeError, ValueError):
            raise ParameterError("the number of paths must be a whole number") from None
        if not 1 <= paths <= MAX_PATHS:
            raise ParameterError(f"the number of paths must be between 1 and {MAX_PATHS}")
        return {"concept": concept, "paths": paths}
    if engine == "graph_model":
        concepts = form.get("concepts") or []
        if isinstance(concepts, str):
            concepts = [c for c in concepts.split(",") if c.strip()]
        concepts = [str(c).strip().lower() for c in concepts]
        unknown = [c for c in concepts if c not in CONCEPT_LABELS]
        if unknown:
            raise ParameterError(
                f"unknown solution concept {unknown[0]!r}; choose from {', '.join(CONCEPT_LABELS)}"
            )
        try:
            horizon = int(form.get("horizon") or 2)
        except (TypeError, ValueError):
            raise ParameterError("the horizon must be a whole number") from None
        if not 1 <= horizon <= MAX_HORIZON:
            raise ParameterError(f"the horizon must be between 1 and {MAX_HORIZON}")
        return {
            "concepts": sorted(set(concepts), key=list(CONCEPT_LABELS).index),
            "coalitions": _flag(form.get("coalitions", False)),
            "horizon": horizon,
        }
    if engine == "evolution":
        start = str(form.get("start") or "").strip() or None
        if start is not None and len(start) > 200:
            raise ParameterError("the start must be the status quo or one of the case's proposals")
        weights = str(form.get("weights") or "uniform").strip().lower()
        if weights not in EVOLUTION_WEIGHTS:
            raise ParameterError(
                f"unknown transition rule {weights!r}; choose from {', '.join(EVOLUTION_WEIGHTS)}"
            )
        return {
            "start": start,
            "coalitions": _flag(form.get("coalitions", False)),
            "weights": weights,
        }
    if engine == "forecast":
        models = form.get("models") or []
        if isinstance(models, str):
            models = [m for m in models.split(",") if m.strip()]
        if not models:
            raise ParameterError("tick at least one forecasting model")
        models = [str(m).strip().lower() for m in models]
        unknown = [m for m in models if m not in FORECAST_MODELS]
        if unknown:
            raise ParameterError(
                f"unknown model {unknown[0]!r}; choose from {', '.join(FORECAST_MODELS)}"
            )
        variant = str(form.get("variant") or "paper")
        if variant not in ("paper", "scholz-code"):
            raise ParameterError("the variant must be paper or scholz-code")
        try:
            samples = int(form.get("samples") or 0)
            seed = int(form.get("seed") or 0)
        except (TypeError, ValueError):
            raise ParameterError("samples and seed must be whole numbers") from None
        if not 0 <= samples <= MAX_SAMPLES:
            raise ParameterError(f"samples must be between 0 and {MAX_SAMPLES:,}")
        joint = _flag(form.get("joint", False))
        if joint and "smp" not in models:
            raise ParameterError(
                "bargaining over all issues at once applies to the spatial model: tick it too"
            )
        parameters = {
            "models": sorted(set(models), key=list(FORECAST_MODELS).index),
            "variant": variant,
            "samples": samples,
            "seed": seed,
        }
        if joint:
            parameters["joint"] = True
        smp = _smp_settings(form)
        if smp:
            parameters["smp"] = smp
        return parameters
    solution = str(form.get("solution") or "nash").strip().lower()
    solution = SOLUTION_ALIASES.get(solution, solution)
    if solution not in SOLUTION_LABELS:
        names = [*SOLUTION_LABELS, *(f"{a} ({n})" for a, n in SOLUTION_ALIASES.items())]
        raise ParameterError(f"unknown solution {solution!r}; choose from {', '.join(names)}")
    try:
        samples = int(form.get("samples") or 0)
        seed = int(form.get("seed") or 0)
    except (TypeError, ValueError):
        raise ParameterError("samples and seed must be whole numbers") from None
    if not 0 <= samples <= MAX_SAMPLES:
        raise ParameterError(f"samples must be between 0 and {MAX_SAMPLES:,}")
    if seed < 0:
        raise ParameterError("the seed must not be negative")
    parameters = {
        "solution": solution,
        "options": _flag(form.get("options", False)),
        "forums": _flag(form.get("forums", True)),
    }
    if samples:
        parameters.update(samples=samples, seed=seed)
    return parameters


def _smp_settings(form: dict[str, Any]) -> dict[str, str]:
    """The spatial model's settings from ``smp_<name>`` fields; defaults are left out."""
    from detente.forecast.spatial import SETTINGS

    out = {}
    for name, values in SETTINGS.items():
        value = form.get(f"smp_{name}")
        if value in (None, "", values[0]):
            continue
        if value not in values:
            raise ParameterError(f"{name} must be one of {', '.join(values)}")
        out[name] = str(value)
    return out


def way_out_obstacle(case: Case) -> str | None:
    """Why ``case`` cannot have a way out, in plain words (``None`` when it can).

    The way out reads every package in both halves of a case at once: the options
    with each party's priorities (the graph model) and the issues with each party's
    stance (bargaining), joined by what each option does on the issues.
    """
    from detente.model.links import is_linked

    missing = []
    if not case.options:
        missing.append("no options for the parties to take")
    elif not case.preferences:
        missing.append("no party's priorities over its options")
    if not case.issues:
        missing.append("no issues on which the parties take positions")
    if missing:
        return (
            "The way out needs both halves of a case: the options with each party's "
            "priorities, so that it can tell which outcomes the parties would keep, and the "
            "issues with each party's position, so that it can tell which packages they "
            f"would accept. This case has {' and '.join(missing)}."
        )
    if not is_linked(case):
        return (
            "The way out needs to know what each option does on the issues, so that every "
            "outcome of the options is also a package on the issues; this case does not say "
            "it. Give its options their effects in the case file: under an option, "
            "'effects: {relief: {at_least: 50}}' says that taking it puts the issue relief at "
            "50 or more (the case-file reference describes effects)."
        )
    return None


def engine_obstacles(case: Case) -> dict[str, str]:
    """Why each engine the case page offers cannot run on ``case``, keyed by engine
    (``graph_model``, ``evolution``, ``bargaining``, ``forecast``; an engine that can
    run is absent): the parts it lacks, in the words with which ``detente analyze``
    skips it. Cheap checks, made before anything is computed at size: the graph
    model's (options, and priorities for every party that controls one), bargaining's
    outcome space (issues, each with a status quo) and the forecast of the weighted
    mean (an issue on an ordered scale with the stances of two parties)."""
    from detente.bargain.case import bargaining_problem
    from detente.forecast.case import forecast

    obstacles: dict[str, str] = {}
    controllers = {o.controller for o in case.options}
    unranked = [a.id for a in case.actors if a.id in controllers and a.id not in case.preferences]
    if not case.options:
        obstacles["graph_model"] = "the graph model needs 'options'; this case has none"
    elif unranked:  # as detente.gmcr.case.graph_model refuses it
        obstacles["graph_model"] = (
            f"the graph model needs preferences for {', '.join(unranked)} (each controls options)"
        )
    if "graph_model" in obstacles:
        obstacles["evolution"] = obstacles["graph_model"].replace(
            "the graph model", "the evolution of the graph model", 1
        )
    for engine, check in (
        ("bargaining", lambda: bargaining_problem(case)),
        ("forecast", lambda: forecast(case, models=["mean"])),
    ):
        try:
            check()
        except MissingPartError as exc:
            obstacles[engine] = "; ".join(p.message for p in exc.problems)
        except CaseError:
            pass  # too large, say: the run says so, as the command line would
    return obstacles


def _check_size(case: Case, limits: Limits) -> None:
    """Refuse, before any heavy work, a case whose every analysis would not fit this
    server's limits (the graph model's states, bargaining without options, the
    forecast's parties)."""
    from detente.gmcr.case import graph_model

    if case.options:
        with contextlib.suppress(MissingPartError):
            graph_model(case, max_bytes=limits.max_state_bytes)
    _check_bargaining(case, limits, options=False)
    _check_forecast(case, limits)


def _check_forecast(case: Case, limits: Limits) -> None:
    """Refuse a forecast of more parties than this server allows."""
    if not case.issues:
        return
    actors = len(case.actors)
    if actors > limits.max_forecast_actors:
        raise CaseTooLargeError(
            Problem(
                f"the forecast would follow {actors:,} parties; this server forecasts at "
                f"most {limits.max_forecast_actors:,}: merge the smaller parties into "
                "blocs, or run `detente forecast` on the command line",
                path=("actors",),
                expected=f"at most {limits.max_forecast_actors:,} parties",
                got=f"{actors:,}",
            )
        )


def _check_bargaining(case: Case, limits: Limits, *, options: bool) -> None:
    """Refuse bargaining that would scan more feasible packages than this server allows.

    ``options`` is the run's own flag (add the options that proposals set). The
    feasible packages are counted without a scan when the space knows them (its
    constraints bind the options alone), else every grid point counts, as the
    engine counts them against the same limit.
    """
    from detente.bargain.case import bargaining_problem

    if not case.issues:
        return
    try:
        space = bargaining_problem(case, options=options).space
    except MissingPartError:
        return  # the engine says what is missing
    count = space.count()
    packages = space.size if count is None else count
    if packages > limits.max_outcomes:
        added = " with the options that proposals set" if space.option_names else ""
        hint = "leave out the options or use" if space.option_names else "use"
        raise CaseTooLargeError(
            Problem(
                f"bargaining{added} would scan {packages:,} "
                f"{'feasible ' if count is not None else ''}packages; this server allows at "
                f"most {limits.max_outcomes:,}: {hint} fewer issue levels",
                expected=f"at most {limits.max_outcomes:,} packages",
                got=f"{packages:,}",
            )
        )


def _analysis_steps(case: Case, *, margins: bool = True) -> int:
    """How many steps :func:`detente.analysis.analyze` takes on ``case`` (``margins`` as
    it is called with): the three engines; after the graph model, each party's view of
    the game where the case states perceptions, the recorded history, and the SEQ
    robustness margins where parties state priorities; the way out of a linked case.
    An estimate for the progress bar: :class:`Steps` makes room for any step more."""
    from detente.model.links import is_linked

    steps = 3
    if case.options and case.preferences:
        preferences = list(case.preferences.values())
        steps += any(getattr(p, "perceives", None) for p in preferences)
        steps += bool(getattr(case, "history", None))
        if margins:
            steps += any(p.statements and p.ranking is None for p in preferences)
    return steps + (1 if is_linked(case) and case.preferences and case.issues else 0)


def _scenario_step(steps: Steps, step: str) -> None:
    """A step of :func:`detente.analysis.compare`, reported as ``"SCENARIO:STEP"``."""
    scenario, _, key = step.rpartition(":")
    steps.step(key, scenario or None)


def execute(
    case: Case,
    engine: str,
    parameters: dict[str, Any],
    limits: Limits,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run one analysis and return its results as plain data (see :func:`report_from_results`).

    ``progress``, when given, is called with the run's progress as it goes
    (:class:`Steps`): each engine of every analysis, and of every scenario compared,
    is a step; bargaining reports its scan within its step.
    """
    if engine == "all":
        from detente.analysis import analyze

        steps = Steps(progress, _analysis_steps(case))
        _check_size(case, limits)
        report = analysis_report(analyze(case, on_step=steps.step))
        if "way_out" not in report.data and "way_out" not in report.skipped:
            # Say why the way out, which opens the page when there is one, is absent.
            reason = way_out_obstacle(case)
            if reason is not None:
                report.skipped["way_out"] = reason
    elif engine == "way_out":
        from detente.analysis.wayout import way_out

        reason = way_out_obstacle(case)
        if reason is not None:
            raise MissingPartError(Problem(reason))
        steps = Steps(progress, 2)
        steps.step("check")
        _check_size(case, limits)
        steps.step("way_out")
        result = way_out(case, concept=parameters["concept"], max_paths=parameters["paths"])
        report = engine_report("way_out", result, case)
    elif engine == "compare":
        from detente.analysis import compare

        # Every scenario of the base case, each analysed as "Every analysis" would.
        _check_size(case, limits)
        steps = Steps(
            progress,
            sum(_analysis_steps(case.scenario(sid), margins=False) for sid in case.scenario_ids),
        )
        comparison = compare(case, on_step=functools.partial(_scenario_step, steps))
        report = comparison_report(comparison)
    elif engine == "graph_model":
        from detente.gmcr.case import analyze_conflict

        steps = Steps(progress, 1)
        steps.step("graph_model")
        conflict = analyze_conflict(
            case,
            concepts=parameters["concepts"] or None,
            horizon=parameters["horizon"],
            coalitions=parameters["coalitions"],
            max_bytes=limits.max_state_bytes,
            # the coalitions analysed, for the progress bar and its estimate
            progress=steps.scan if parameters["coalitions"] else None,
        )
        report = engine_report("graph_model", conflict, case)
    elif engine == "evolution":
        from detente.gmcr.evolution import analyze_evolution

        Steps(progress, 1).step("evolution")
        start = parameters.get("start")
        if start is not None and start not in {p.id for p in case.proposals}:
            ids = ", ".join(p.id for p in case.proposals) or "none in this case"
            raise ValueError(f"unknown proposal {start!r} to start from; choose from {ids}")
        evolved = analyze_evolution(
            case,
            start=start,
            coalitions=bool(parameters.get("coalitions", False)),
            weights=parameters.get("weights", "uniform"),
            max_bytes=limits.max_state_bytes,
        )
        report = engine_report("evolution", evolved, case)
    elif engine == "forecast":
        from detente.forecast.case import forecast

        steps = Steps(progress, 1)
        steps.step("forecast")
        _check_forecast(case, limits)
        forecasts = forecast(
            case,
            models=parameters["models"],
            variant=parameters["variant"],
            samples=parameters["samples"],
            seed=parameters["seed"],
            joint=parameters.get("joint", False),
            smp=parameters.get("smp"),
            # the share of the samples done, for the progress bar and its estimate
            progress=steps.scan if parameters["samples"] else None,
        )
        report = engine_report("forecast", forecasts, case)
    else:
        from detente.bargain.case import bargain

        steps = Steps(progress, 1)
        steps.step("bargaining")
        _check_bargaining(case, limits, options=parameters["options"])
        bargaining = bargain(
            case,
            progress=steps.scan,
            forum_solution=SOLUTION_ALIASES.get(parameters["solution"], parameters["solution"]),
            options=parameters["options"],
            forums=parameters["forums"],
            max_outcomes=limits.max_outcomes,
            samples=parameters.get("samples", 0),
            seed=parameters.get("seed", 0),
        )
        report = engine_report("bargaining", bargaining, case)
    results = {
        "brief": report.brief,
        "data": report.data,
        "skipped": report.skipped,
        "show_case": report.show_case,
    }
    if report.notes:
        results["notes"] = list(report.notes)
    return results


def report_from_results(results: dict[str, Any]) -> Report:
    """The report of a stored run, rebuilt from its plain data."""
    brief, data = results["brief"], results["data"]
    return Report(
        brief=brief,
        data=data,
        sections=[SECTION_BUILDERS[k](v, brief) for k, v in data.items() if k in SECTION_BUILDERS],
        skipped=dict(results.get("skipped") or {}),
        show_case=bool(results.get("show_case", True)),
        notes=list(results.get("notes") or []),
    )


def scenario_view(case: Case, scenario: str | None) -> Case:
    """``case`` as ``scenario`` sees it (the case itself for none); an unknown
    scenario is a :class:`~detente.errors.CaseError`."""
    if case.scenario_id is not None:
        # A what-if saved by an earlier version: already one scenario's view.
        if scenario and scenario != case.scenario_id:
            raise CaseError(
                Problem(
                    f"this case is scenario {case.scenario_id!r} of the case it was "
                    f"changed from, with no other scenarios: {scenario!r} does not apply",
                    path=("scenarios",),
                )
            )
        return case
    if scenario and scenario not in case.scenario_ids:
        raise CaseError(
            Problem(
                f"unknown scenario {scenario!r}; this case has "
                f"{', '.join(case.scenario_ids) or 'none'}",
                path=("scenarios",),
            )
        )
    return case.scenario(scenario or None)


def load_stored(content: str, name: str, fmt: str) -> Case:
    """A case stored in the workspace, from its text.

    What-ifs saved by earlier versions are JSON that names the scenario they were
    seen through (``scenario_id``), which a case file may no longer set: such a case
    is loaded without it and seen through that scenario again (its overrides are
    applied already, so applying them again changes nothing).
    """
    from detente.model.io import loads

    if fmt == "json" and '"scenario_id"' in content:
        data = json.loads(content)
        if isinstance(data, dict) and "scenario_id" in data:
            seen_through = data.pop("scenario_id")
            case = loads(json.dumps(data, ensure_ascii=False), file=name, fmt="json")
            return case.scenario(seen_through) if seen_through else case
    return loads(content, file=name, fmt=fmt)


@lru_cache(maxsize=8)
def _load(content: str, name: str, fmt: str) -> Case:
    return load_stored(content, name, fmt)


def run_stored(
    content: str,
    name: str,
    fmt: str,
    scenario: str | None,
    engine: str,
    parameters: dict[str, Any],
    limits: Limits,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """:func:`execute` on a stored case's text, under ``scenario`` (in a worker process).

    Comparing scenarios starts from the case itself, not from one scenario's view.
    """
    base = _load(content, name, fmt)
    case = base if engine == "compare" else scenario_view(base, scenario)
    return execute(case, engine, parameters, limits, progress)


def check_upload(data: str | bytes, name: str, fmt: str) -> str:
    """Validate a case file (in a worker process); its title."""
    from detente.model.io import loads

    return loads(data, file=name, fmt=fmt).title


def check_table(data: bytes, name: str) -> tuple[str, str]:
    """Turn a forecasting table into a case (in a worker process): its title and JSON text."""
    from detente._loading import forecast_table_from_bytes
    from detente.model.io import dumps

    case = forecast_table_from_bytes(data, name=name)
    return case.title, dumps(case, fmt="json")
