"""What the routes share, passed down to them as a FastAPI dependency: the workspace,
the worker processes, the limits, the CSRF tokens and the caches of parsed cases and
drawn reports, with the helpers that render pages and run analyses.

One :class:`WebContext` is made by :func:`~detente.web.app.create_app` for each app
and kept in the app's state; nothing here lives at module level, so two apps in one
process (the tests make many) share nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import inf
from typing import Any, NamedTuple

import anyio
import anyio.to_thread
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from detente import __version__
from detente.errors import AnalysisError, CaseError, CaseTooLargeError, Problem, in_file_order
from detente.forecast.spatial import SETTINGS as SMP_SETTINGS
from detente.model import Case
from detente.report.graph_model import CONCEPT_MEANINGS as _MEANINGS
from detente.web._csrf import CsrfTokens, session
from detente.web._pages import canonical, figure_json, ident, shown, templates
from detente.web._runs import (
    CONCEPT_LABELS,
    ENGINES,
    EVOLUTION_WEIGHTS,
    FORECAST_MODELS,
    MAX_PATHS,
    MAX_SAMPLES,
    SAMPLE_TIMES,
    SAMPLES_BENCHMARK,
    SOLUTION_ALIASES,
    SOLUTION_LABELS,
    WAY_OUT_CONCEPTS,
    Limits,
    engine_obstacles,
    expected_seconds,
    load_stored,
    report_from_results,
    run_stored,
    scenario_view,
    way_out_obstacle,
)
from detente.web._workers import Cancelled, Job, Overtime, WorkerCrash, Workers
from detente.web._workspace import CaseRecord, RunRecord, Workspace

__all__ = ["BUSY", "RETRY_AFTER", "CaseView", "NotFound", "Progress", "WebContext"]

log = logging.getLogger("detente.web")

RETRY_AFTER = 10
"""Seconds a client is asked to wait after a 503 (``Retry-After``)."""

BUSY = "The server is busy with other analyses; try again in a moment."

CACHE_SIZE = 32
"""Parsed cases and scenario views kept in memory (a stored case never changes)."""
REPORT_CACHE_SIZE = 16


class NotFound(Exception):
    """What a path names is not in the workspace: answered with a 404 page saying so."""


@dataclass(frozen=True)
class Progress:
    """How far a run has gone, for the run page's progress bar."""

    status: str
    step: str | None
    scenario: str | None
    done: int
    total: int
    fraction: float | None
    elapsed: float
    remaining: float | None
    """Seconds still to go: from the share done so far, or from the same analysis's
    last run on this case while too little is done to tell; ``None`` when there is no
    estimate, or the run has outlasted it (see ``overrun``)."""
    overrun: bool = False
    """Whether the run has gone on past what was estimated: the page then says it is
    taking longer than estimated instead of a time left that no longer holds."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "step": self.step,
            "scenario": self.scenario,
            "done": self.done,
            "total": self.total,
            "fraction": self.fraction,
            "elapsed": round(self.elapsed, 1),
            "remaining": None if self.remaining is None else round(self.remaining, 1),
            "overrun": self.overrun,
        }


class CaseView(NamedTuple):
    """A case as a scenario sees it, with what its page shows of it."""

    case: Case
    brief: Any
    way_out: str | None
    """Why the case has no way out (None when it has one)."""
    obstacles: dict[str, str]
    """Why each engine that cannot run on the case cannot (:func:`engine_obstacles`)."""
    warnings: list[str]


class WebContext:
    """The app's workspace, workers, limits and caches, and what the routes do with them."""

    def __init__(
        self,
        store: Workspace,
        pool: Workers,
        limits: Limits,
        tokens: CsrfTokens,
        *,
        max_upload_bytes: int,
    ):
        self.store = store
        self.pool = pool
        self.limits = limits
        self.tokens = tokens
        self.max_upload_bytes = max_upload_bytes
        self.templates = Jinja2Templates(env=templates())
        self._cases: OrderedDict[int, Case] = OrderedDict()
        self._views: OrderedDict[tuple[int, str | None], CaseView]
        self._views = OrderedDict()
        self._reports: OrderedDict[
            tuple[int, tuple[str, str] | None], tuple[Any, dict[str, list[tuple[str, str]]]]
        ]
        self._reports = OrderedDict()
        self._lock = threading.Lock()
        self._started: dict[int, float] = {}
        # run id -> the earliest end of the run (in seconds from its start) that its
        # page has been told: an estimate later found longer does not put it off
        self._ends: dict[int, float] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- pages ------------------------------------------------------------------------

    def page(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        value, _ = session(request.scope)
        context.setdefault("csrftoken", self.tokens.token(value) if value else "")
        if context.get("problems"):
            context["problems"] = in_file_order(context["problems"])
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    def message(
        self,
        request: Request,
        status: int,
        text: str,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        response = self.page(request, "message.html.j2", status, status=status, message=text)
        if headers:
            response.headers.update(headers)
        return response

    def busy(self, request: Request) -> HTMLResponse:
        return self.message(request, 503, BUSY, headers={"retry-after": str(RETRY_AFTER)})

    def home(
        self,
        request: Request,
        status: int = 200,
        problems: Sequence[Problem] = (),
        error: str = "",
    ) -> HTMLResponse:
        from detente import cases

        response = self.page(
            request,
            "home.html.j2",
            status,
            builtins=cases.list(),
            cases=self.store.cases(limit=50),
            runs=self.store.runs(limit=10),
            problems=list(problems),
            error=error,
            max_upload_mib=self.max_upload_bytes / 2**20,
        )
        if status == 503:
            response.headers["retry-after"] = str(RETRY_AFTER)
        return response

    def case_page(
        self,
        request: Request,
        record: CaseRecord,
        scenario: str | None,
        status: int = 200,
        problems: Sequence[Problem] = (),
        error: str = "",
        whatif: dict[str, str] | None = None,
        detail: str = "",
    ) -> HTMLResponse:
        base = self.base_case(record)
        view = self.case_view(record, base, scenario)
        case, brief = view.case, view.brief
        return self.page(
            request,
            "case.html.j2",
            status,
            record=record,
            base=base,
            case=case,
            brief=brief,
            scenario=case.scenario_id,
            concepts=CONCEPT_LABELS,
            concept_meanings=CONCEPT_MEANINGS,
            evolution_weights=EVOLUTION_WEIGHTS,
            way_out_concepts=WAY_OUT_CONCEPTS,
            max_paths=MAX_PATHS,
            way_out_obstacle=view.way_out,
            obstacles=view.obstacles,
            solutions=SOLUTION_LABELS,
            solution_aliases=SOLUTION_ALIASES,
            forecast_models=FORECAST_MODELS,
            smp_settings=SMP_SETTINGS,
            max_samples=MAX_SAMPLES,
            sampled={
                engine: self.store.last_sampled(record.id, engine)
                for engine in ("forecast", "bargaining")
            },
            samples_benchmark=SAMPLES_BENCHMARK,
            sample_rates={engine: self.sample_rate(record.id, engine) for engine in SAMPLE_TIMES},
            runs=self.store.runs(case_id=record.id, limit=20),
            parent=self.store.case(record.parent_id) if record.parent_id else None,
            versions=self.store.versions(record.id),
            problems=list(problems),
            error=error,
            error_detail=detail,
            warnings=view.warnings,
            whatif=whatif or {},
        )

    def run_page(
        self,
        request: Request,
        run: RunRecord,
        status: int = 200,
        compare: RunRecord | None = None,
        pair: Sequence[str] = (),
    ) -> HTMLResponse:
        parties, chosen, pair_error = utility_pair(run.results, pair)
        report, figures = self.drawn(run, chosen)
        original = self.store.run(run.rerun_of) if run.rerun_of else None
        same = None
        if original is not None and original.results is not None and run.results is not None:
            same = canonical(original.results["data"]) == canonical(run.results["data"])
        record = self.store.case(run.case_id)
        compare_report = (
            report_from_results(compare.results)
            if compare is not None and compare.results
            else None
        )
        changes = None
        if compare_report is not None and report is not None:
            from detente.report.bargaining import bargaining_changes

            before_data = compare_report.data.get("bargaining")
            after_data = report.data.get("bargaining")
            if before_data and after_data:
                changes = bargaining_changes(before_data, after_data, report.brief)
        return self.page(
            request,
            "run.html.j2",
            status,
            run=run,
            record=record,
            report=report,
            figures=figures,
            engines=ENGINES,
            original=original,
            same=same,
            compare=compare,
            compare_report=compare_report,
            changes=changes,
            progress=self.progress(run) if run.status == "running" else None,
            pair_parties=parties,
            pair=chosen,
            pair_drawn=chosen or default_pair(run.results, parties),
            pair_error=pair_error,
        )

    def run_response(self, request: Request, run: RunRecord) -> Response:
        if run.status in ("ok", "running"):
            baseline = run.parameters.get("compared_with")
            query = f"?compare={baseline}" if isinstance(baseline, int) else ""
            return RedirectResponse(f"/runs/{run.id}{query}", status_code=303)
        return self.run_page(request, run, status=run_status(run))

    # -- records from paths -------------------------------------------------------------

    def case_record(self, text: str) -> CaseRecord:
        """The case a path names, or :class:`NotFound`."""
        case_id = ident(text)
        record = self.store.case(case_id) if case_id is not None else None
        if record is None:
            raise NotFound(f"There is no case #{shown(text)} in this workspace.")
        return record

    def run_record(self, text: str) -> RunRecord:
        """The run a path names, or :class:`NotFound`."""
        run_id = ident(text)
        run = self.store.run(run_id) if run_id is not None else None
        if run is None:
            raise NotFound(f"There is no run #{shown(text)} in this workspace.")
        return run

    def maybe_case(self, text: str | None) -> CaseRecord | None:
        case_id = ident(text)
        return self.store.case(case_id) if case_id is not None else None

    def maybe_run(self, text: str | None) -> RunRecord | None:
        run_id = ident(text)
        return self.store.run(run_id) if run_id is not None else None

    # -- cases ----------------------------------------------------------------------------

    def base_case(self, record: CaseRecord) -> Case:
        with self._lock:
            if record.id in self._cases:
                self._cases.move_to_end(record.id)
                return self._cases[record.id]
        case = load_stored(record.content, record.name, record.fmt)
        with self._lock:
            self._cases[record.id] = case
            while len(self._cases) > CACHE_SIZE:
                self._cases.popitem(last=False)
        return case

    async def load_base(self, record: CaseRecord) -> Case:
        """The stored case, parsed off the event loop when it is not cached."""
        return await anyio.to_thread.run_sync(self.base_case, record)

    def case_view(self, record: CaseRecord, base: Case, scenario: str | None) -> CaseView:
        """The case as ``scenario`` sees it, its brief, why it has no way out, why an
        engine cannot run on it and what validation warns of: kept for the latest few
        views, as a stored case never changes."""
        key = (record.id, scenario or None)
        with self._lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        from detente.model.checks import case_warnings
        from detente.report import case_brief

        case = scenario_view(base, scenario)
        view = CaseView(
            case,
            case_brief(case),
            way_out_obstacle(case),
            engine_obstacles(case),
            list(case_warnings(case)),
        )
        with self._lock:
            self._views[key] = view
            while len(self._views) > CACHE_SIZE:
                self._views.popitem(last=False)
        return view

    # -- runs -----------------------------------------------------------------------------

    async def run_analysis(
        self,
        record: CaseRecord,
        scenario: str | None,
        engine: str,
        parameters: dict[str, Any],
        rerun_of: int | None = None,
        *,
        wait: bool = True,
    ) -> RunRecord:
        """Run in a worker process and store the run, whatever its outcome.

        The run is stored as ``running`` first (so a crash of the server leaves a
        trace, marked ``interrupted`` on the next start) and finished in place. With
        ``wait``, the run is returned once it has ended; without, at once, still
        ``running``, while it goes on in the background (its page shows its progress).
        Raises :class:`~detente.web._workers.Busy`, storing nothing, when too many
        runs wait already.
        """
        job = self.pool.admit()
        try:
            # the workspace is written from a thread: the event loop serves pages meanwhile
            run_id = await anyio.to_thread.run_sync(
                functools.partial(
                    self.store.add_run,
                    case_id=record.id,
                    scenario=scenario,
                    engine=engine,
                    parameters=parameters,
                    version=__version__,
                    status="running",
                    results=None,
                    error=None,
                    seconds=0.0,
                    rerun_of=rerun_of,
                )
            )
            self.pool.name(job, run_id)
            self._started[run_id] = time.monotonic()
        except BaseException:
            job.__exit__(None, None, None)
            raise
        if wait:
            await self._carry_out(job, run_id, record, scenario, engine, parameters)
        else:
            task = asyncio.get_running_loop().create_task(
                self._carry_out(job, run_id, record, scenario, engine, parameters)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        run = await anyio.to_thread.run_sync(self.store.run, run_id)
        assert run is not None
        return run

    async def _carry_out(
        self,
        job: Job,
        run_id: int,
        record: CaseRecord,
        scenario: str | None,
        engine: str,
        parameters: dict[str, Any],
    ) -> None:
        start = time.perf_counter()
        results = error = None
        status = "ok"
        with job:
            try:
                # looked up when called, so that the tests can stand in an analysis of their own
                results = await self.pool.run(
                    _runner(),
                    record.content,
                    record.name,
                    record.fmt,
                    scenario,
                    engine,
                    parameters,
                    self.limits,
                    job=job,
                    progress=True,
                )
            except CaseTooLargeError as exc:
                status, error = "refused", "; ".join(p.message for p in exc.problems)
            except CaseError as exc:
                # named by the file the case came from, as the command line names it
                status, error = (
                    "failed",
                    "\n".join(
                        str(p if p.file else p.located(record.name, p.line, p.column))
                        for p in exc.problems
                    ),
                )
            except (AnalysisError, ValueError) as exc:
                status, error = "failed", str(exc)
            except MemoryError:
                status, error = "refused", "the case is too large for this server's memory"
            except Overtime as exc:
                status, error = (
                    "refused",
                    f"the analysis took longer than this server allows ({exc.seconds:g} s) "
                    "and was stopped: try fewer samples or a smaller case, or run it on the "
                    "command line",
                )
            except Cancelled:
                status, error = "cancelled", "cancelled before it finished"
            except WorkerCrash as exc:
                status, error = "failed", f"the analysis stopped: {exc}"
            except Exception as exc:  # a bug: recorded, then answered with a 500 page
                from detente.web._guard import internal

                log.error("run #%d failed", run_id, exc_info=exc)
                status, error = "failed", internal(exc)
            finally:
                if status == "ok" and results is None:  # an exception not caught above
                    status, error = "failed", "the analysis stopped without a result"
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(
                        functools.partial(
                            self.store.finish_run,
                            run_id,
                            status=status,
                            results=results,
                            error=error,
                            seconds=round(time.perf_counter() - start, 3),
                        )
                    )
                self._started.pop(run_id, None)
                self._ends.pop(run_id, None)

    def progress(self, run: RunRecord) -> Progress:
        """How far ``run`` has gone: what its worker last reported, and an estimate."""
        if run.status != "running":
            return Progress(run.status, None, None, 1, 1, 1.0, run.seconds, 0.0)
        started = self._started.get(run.id)
        elapsed = time.monotonic() - started if started is not None else 0.0
        report = self.pool.progress(run.id) or {}
        fraction = report.get("fraction")
        remaining = None
        estimate = self.sample_estimate(run)
        expected = estimate[0] if estimate is not None else None
        if estimate is not None and run.engine == "bargaining":
            # The scan reports its share of the packages; the samples come after it and
            # report nothing: the bar shows the scan's share of the expected time, the
            # estimate what is left of that time.
            expected, base = estimate
            if isinstance(fraction, int | float) and expected > 0:
                fraction = round(fraction * min(1.0, base / expected), 4)
            remaining = expected - elapsed
        elif int(report.get("total", 1)) > 1 and (before := self._last_seconds(run)) is not None:
            # A run of several steps (every analysis, a comparison of scenarios) reports
            # the share of its steps done, and its steps differ in length: the time the
            # same analysis took last on this case tells the time left better.
            remaining = before - elapsed
        elif isinstance(fraction, int | float) and fraction >= 0.05 and elapsed >= 0.5:
            # (a forecast's Monte Carlo reports the share of its samples done)
            remaining = elapsed * (1 - fraction) / fraction
        elif expected is not None:
            remaining = expected - elapsed
        elif (before := self._last_seconds(run)) is not None:
            remaining = before - elapsed
        # The time left counts down to the earliest end the page has said: at the rate
        # so far, a run whose last steps are its longest would say "about 1 s" for
        # seconds on end; once past that end, the page says the run is taking longer
        # than estimated instead.
        told = self._ends.get(run.id) if started is not None else None
        if remaining is not None and started is not None:
            told = self._ends[run.id] = min(told if told is not None else inf, elapsed + remaining)
        if told is not None:
            remaining = told - elapsed
        overrun = remaining is not None and remaining <= 0
        if overrun:
            remaining = None
        return Progress(
            status="running",
            step=report.get("step"),
            scenario=report.get("scenario"),
            done=int(report.get("done", 0)),
            total=int(report.get("total", 1)),
            fraction=fraction if isinstance(fraction, int | float) else None,
            elapsed=elapsed,
            remaining=None if remaining is None else max(0.0, remaining),
            overrun=overrun,
        )

    def _last_seconds(self, run: RunRecord) -> float | None:
        """How long the same analysis last took on this case and scenario."""
        return self.store.last_seconds(run.case_id, run.engine, run.scenario)

    def sample_rate(self, case_id: int, engine: str) -> tuple[float, float]:
        """A run of ``engine`` on this case: the seconds it takes without samples, and
        the seconds a sample adds (see :func:`~detente.web._runs.expected_seconds`)."""
        last = self.store.last_sampled(case_id, engine)
        plain = self.store.last_plain_seconds(case_id, engine)
        sampled = (last.samples, last.seconds) if last is not None else None
        base = expected_seconds(engine, 0, plain=plain, sampled=sampled) or 0.0
        thousand = expected_seconds(engine, 1000, plain=plain, sampled=sampled) or base
        return base, (thousand - base) / 1000

    def sample_estimate(self, run: RunRecord) -> tuple[float, float] | None:
        """How long ``run`` should take, and how much of that without its samples, when
        it draws Monte Carlo samples: scaled to the samples it asked for
        (:func:`~detente.web._runs.expected_seconds`, from this case's last runs of the
        engine with and without samples); None for a run without samples."""
        samples = int((run.parameters or {}).get("samples") or 0)
        if samples <= 0 or run.engine not in SAMPLE_TIMES:
            return None
        base, per_sample = self.sample_rate(run.case_id, run.engine)
        return base + per_sample * samples, base

    def running_here(self, run_id: int) -> bool:
        return self.pool.running(run_id)

    async def close(self) -> None:
        """Stop the workers; runs still going on end as cancelled."""
        await anyio.to_thread.run_sync(self.pool.close)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)

    # -- reports ----------------------------------------------------------------------------

    def drawn(
        self, run: RunRecord, pair: tuple[str, str] | None = None
    ) -> tuple[Any, dict[str, list[tuple[str, str]]]]:
        """A finished run's report and its figures as JSON, kept for the latest few runs
        (drawing the figures takes longer than the rest of the page); ``pair``, the two
        parties of bargaining's utility space (default: the two furthest apart)."""
        if run.results is None:
            return None, {}
        drawn = (run.id, pair)
        with self._lock:
            if drawn in self._reports:
                self._reports.move_to_end(drawn)
                return self._reports[drawn]
        report = report_from_results(run.results)
        figures: dict[str, list[tuple[str, str]]] = {}
        from detente.report.html import figure_data
        from detente.report.plots import FIGURE_BUILDERS

        for key, data in report.data.items():
            builder = FIGURE_BUILDERS.get(key)
            if builder is None:
                continue
            options = {"pair": pair} if key == "bargaining" and pair else {}
            try:
                built = builder(data, report.brief, **options)
            except (ValueError, KeyError):
                continue  # a figure this result cannot have (one actor, say)
            # laid out as the HTML report lays them out: for a phone's width as for a desktop's
            figures[key] = [(title, figure_json(figure_data(fig))) for title, fig in built]
        with self._lock:
            self._reports[drawn] = (report, figures)
            while len(self._reports) > REPORT_CACHE_SIZE:
                self._reports.popitem(last=False)
        return report, figures


CONCEPT_MEANINGS = {c: m.format(h="h") for c, m in _MEANINGS.items()}
"""Each solution concept's meaning in a sentence, as the reports' tables explain them:
the case page's concept choices carry them (a line under the choices, a title on each)."""


def utility_pair(
    results: dict[str, Any] | None, asked: Sequence[str]
) -> tuple[list[tuple[str, str]], tuple[str, str] | None, str]:
    """The parties whose utility space a run's bargaining may draw (id and name; none
    without bargaining, or with two parties only), the pair ``asked`` for (``A,B`` as
    ``detente analyze --pair`` takes it, or two values) when it is two different ones
    of them, and what is wrong with it when it is not. ``results``: the run's."""
    data = (results or {}).get("data", {}).get("bargaining")
    if not isinstance(data, dict) or len(data.get("actors") or ()) < 3:
        return [], None, ""
    brief = (results or {}).get("brief", {})
    names = {a["id"]: a.get("name") or a["id"] for a in brief.get("actors", [])}
    parties = [(a, names.get(a, a)) for a in data["actors"]]
    chosen = [x.strip() for text in asked for x in str(text).split(",") if x.strip()]
    if not chosen:
        return parties, None, ""
    if len(chosen) != 2 or chosen[0] == chosen[1] or not set(chosen) <= set(data["actors"]):
        return (
            parties,
            None,
            "The utility space is of two different parties of "
            f"{', '.join(data['actors'])}; shown for the default pair instead.",
        )
    return parties, (chosen[0], chosen[1]), ""


def default_pair(
    results: dict[str, Any] | None, parties: Sequence[tuple[str, str]]
) -> tuple[str, str]:
    """The pair bargaining's utility space shows unless another is chosen (ids; none
    without a choice of parties)."""
    if not parties or results is None:
        return ("", "")
    from detente.report.bargaining_plots import furthest_pair

    choice = furthest_pair(results["data"]["bargaining"], results["brief"])
    return choice.x, choice.y


def run_status(run: RunRecord) -> int:
    """The HTTP status of a run's page."""
    if run.status == "refused":
        return 413
    if run.status == "failed":
        return 500 if (run.error or "").startswith("internal error:") else 422
    return 200


def _runner() -> Any:
    return run_stored
