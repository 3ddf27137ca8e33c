"""The web app: load, validate and analyse cases in a browser (``detente serve``).

Server-rendered pages with plain forms; the only scripts are plotly.js and
static/app.js (which marks a form as running once it is sent), both served by the app
itself, and the few lines plotly writes to draw each figure. Every string
from a case is escaped by Jinja2's autoescaping. Uploads are kept as text in the
workspace (SQLite), never written under the name the user gave, and analyses run
in worker threads, a few at a time.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader

from detente import __version__
from detente.errors import AnalysisError, CaseError, CaseTooLargeError, Problem
from detente.forecast.spatial import SETTINGS as SMP_SETTINGS
from detente.model import Case
from detente.web._runs import (
    CONCEPT_LABELS,
    ENGINES,
    FORECAST_MODELS,
    MAX_PATHS,
    MAX_SAMPLES,
    SOLUTION_ALIASES,
    SOLUTION_LABELS,
    WAY_OUT_CONCEPTS,
    Limits,
    ParameterError,
    execute,
    parse_parameters,
    report_from_results,
    way_out_obstacle,
)
from detente.web._workspace import CaseRecord, RunRecord, Workspace

__all__ = ["DEFAULT_WORKSPACE", "MAX_UPLOAD_BYTES", "create_app"]

DEFAULT_WORKSPACE = "detente-workspace"
MAX_UPLOAD_BYTES = 5 * 2**20
"""Uploads larger than this are refused with 413 before they are read."""

DRAIN_LIMIT = 64 * 2**20
"""An oversize upload up to this size is read and dropped before the refusal is sent."""

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".gmcr": "gmcr"}
TABLES = (".csv", ".xml")
"""Forecasting tables (plain or KTAB CSV, KTAB XML): turned into a case on upload and kept as JSON."""
HERE = Path(__file__).parent
T = TypeVar("T")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        # plotly draws each figure with a short inline script and needs eval for some traces;
        # everything else must come from the app itself.
        b"default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        b"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; "
        b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class Busy(Exception):
    """Too many analyses are waiting already."""


class Workers:
    """Run blocking work in threads, at most ``size`` at once and ``size + queue`` accepted."""

    def __init__(self, size: int, queue: int):
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._pending = 0
        self._max_pending = size + queue

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        with self._lock:
            if self._pending >= self._max_pending:
                raise Busy
            self._pending += 1
        try:
            return await anyio.to_thread.run_sync(self._call, fn, args)
        finally:
            with self._lock:
                self._pending -= 1

    def _call(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        with self._slots:
            return fn(*args)


class _Guard:
    """ASGI middleware: refuse oversize or unsized request bodies, cross-site form posts
    and unknown Host headers, and add security headers to every response."""

    def __init__(self, app: Any, *, max_body: int, allowed_hosts: set[str] | None):
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        refusal = None
        if self.allowed_hosts is not None and _hostname(host) not in self.allowed_hosts:
            refusal = (400, "This server answers only on its own address.")
        elif scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            length = headers.get("content-length")
            if origin and origin != "null" and urlsplit(origin).netloc != host:
                refusal = (403, "Cross-site requests are refused.")
            elif "transfer-encoding" in headers and length is None:
                refusal = (411, "Send the request with a Content-Length.")
            elif length is not None and (not length.isdigit() or int(length) > self.max_body):
                refusal = (
                    413,
                    f"The upload is too large: case files are limited to "
                    f"{MAX_UPLOAD_BYTES // 2**20} MiB.",
                )
        if refusal is not None:
            status, message = refusal
            if status == 413 and int(length or 0) <= DRAIN_LIMIT:
                await _drain(receive)  # a browser shows the answer only once it has sent the body
            body = _message_page(status, message).encode("utf-8")
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"text/html; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                        *SECURITY_HEADERS,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _drain(receive: Any) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _message_page(status: int, message: str) -> str:
    return _templates().get_template("message.html.j2").render(status=status, message=message)


@lru_cache(maxsize=1)
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("detente.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.globals["engines"] = ENGINES
    # "2026-11-28T06:48:39+00:00" -> "2026-11-28 06:48"
    env.filters["when"] = lambda stamp: str(stamp)[:16].replace("T", " ") if stamp else "-"
    env.filters["plain"] = _plain_value
    env.tests["prose"] = _prose_table
    env.tests["short"] = _short_cell
    return env


SHORT_CELL = 20
"""A report table's cell whose every line is at most this long is kept on one line."""


def _short_cell(cell: Any) -> bool:
    return max(len(line) for line in str(cell).split("\n")) <= SHORT_CELL


def _prose_table(table: Any) -> bool:
    """Whether a report table holds words rather than numbers in several columns: on a
    narrow screen each of its rows becomes a block of labelled lines (the way out's
    paths, the verdicts), where a table of numbers scrolls sideways instead."""
    if len(table.columns) <= 3:
        return False
    cells = [str(cell) for row in table.rows for cell in row]
    if any(len(cell) > 2 * SHORT_CELL and not _short_cell(cell) for cell in cells):
        return True
    return len(table.columns) > 5 and sum(map(_numeric, cells)) < len(cells) / 2


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def _plain_value(value: Any) -> str:
    """A run parameter in words: yes/no, none, lists joined, mappings as key value."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain_value(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(_plain_value(v) for v in value) or "none"
    return str(value)


@lru_cache(maxsize=1)
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


def _display_name(filename: str | None) -> str:
    """The upload's base name, for display only: folders, control characters and length cut."""
    name = PurePosixPath(PureWindowsPath(filename or "").name).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:120] or "upload"


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def create_app(
    workspace: str | Path = DEFAULT_WORKSPACE,
    *,
    workers: int = 2,
    queue: int = 32,
    limits: Limits | None = None,
    allowed_hosts: set[str] | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> Any:
    """The web app, keeping its cases and runs in ``workspace`` (a folder).

    Parameters
    ----------
    workspace : str or Path
        Folder of the SQLite workspace; created when missing.
    workers : int
        Analyses that may run at once; further requests wait, up to ``queue`` of them,
        then get 503.
    limits : Limits, optional
        How large a case this server analyses (graph-model state memory, bargaining grid).
    allowed_hosts : set of str, optional
        Host names the app answers to (guards against DNS rebinding); ``None`` for any.
    max_upload_bytes : int
        Larger uploads are refused with 413.
    """
    store = Workspace(workspace)
    limits = limits or Limits()
    pool = Workers(workers, queue)
    env = _templates()
    templates = Jinja2Templates(env=env)
    cache: OrderedDict[int, Case] = OrderedDict()
    cache_lock = threading.Lock()

    app = FastAPI(title="detente", version=__version__, docs_url=None, redoc_url=None)
    app.state.workspace = store
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # -- helpers ------------------------------------------------------------------------

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def message(request: Request, status: int, text: str) -> HTMLResponse:
        return page(request, "message.html.j2", status, status=status, message=text)

    def base_case(record: CaseRecord) -> Case:
        with cache_lock:
            if record.id in cache:
                cache.move_to_end(record.id)
                return cache[record.id]
        from detente.model.io import loads

        case = loads(record.content, file=record.name, fmt=record.fmt)
        with cache_lock:
            cache[record.id] = case
            while len(cache) > 32:
                cache.popitem(last=False)
        return case

    async def load_base(record: CaseRecord) -> Case:
        """The stored case, parsed off the event loop when it is not cached."""
        return await anyio.to_thread.run_sync(base_case, record)

    def scenario_view(case: Case, scenario: str | None) -> Case:
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

    def home(
        request: Request, status: int = 200, problems: Sequence[Problem] = (), error: str = ""
    ) -> HTMLResponse:
        from detente import cases

        return page(
            request,
            "home.html.j2",
            status,
            builtins=cases.list(),
            cases=store.cases(limit=50),
            runs=store.runs(limit=10),
            problems=list(problems),
            error=error,
            max_upload_mib=max_upload_bytes / 2**20,
        )

    def case_page(
        request: Request,
        record: CaseRecord,
        scenario: str | None,
        status: int = 200,
        problems: Sequence[Problem] = (),
        error: str = "",
        whatif: dict[str, str] | None = None,
        detail: str = "",
    ) -> HTMLResponse:
        from detente.model.checks import case_warnings
        from detente.report import case_brief

        base = base_case(record)
        case = scenario_view(base, scenario)
        return page(
            request,
            "case.html.j2",
            status,
            record=record,
            base=base,
            case=case,
            brief=case_brief(case),
            scenario=case.scenario_id,
            concepts=CONCEPT_LABELS,
            way_out_concepts=WAY_OUT_CONCEPTS,
            max_paths=MAX_PATHS,
            way_out_obstacle=way_out_obstacle(case),
            solutions=SOLUTION_LABELS,
            solution_aliases=SOLUTION_ALIASES,
            forecast_models=FORECAST_MODELS,
            smp_settings=SMP_SETTINGS,
            max_samples=MAX_SAMPLES,
            runs=store.runs(case_id=record.id, limit=20),
            parent=store.case(record.parent_id) if record.parent_id else None,
            problems=list(problems),
            error=error,
            error_detail=detail,
            warnings=case_warnings(case),
            whatif=whatif or {},
        )

    async def run_analysis(
        case_id: int,
        case: Case,
        engine: str,
        parameters: dict[str, Any],
        rerun_of: int | None = None,
    ) -> RunRecord:
        """Run in a worker thread and store the run, whatever its outcome."""
        start = time.perf_counter()
        results = error = None
        status = "ok"
        try:
            results = await pool.run(execute, case, engine, parameters, limits)
        except CaseTooLargeError as exc:
            status, error = "refused", "; ".join(p.message for p in exc.problems)
        except CaseError as exc:
            status, error = "failed", "\n".join(str(p) for p in exc.problems)
        except (AnalysisError, ValueError) as exc:
            status, error = "failed", str(exc)
        except MemoryError:
            status, error = "refused", "the case is too large for this server's memory"
        run_id = store.add_run(
            case_id=case_id,
            scenario=case.scenario_id,
            engine=engine,
            parameters=parameters,
            version=__version__,
            status=status,
            results=results,
            error=error,
            seconds=round(time.perf_counter() - start, 3),
            rerun_of=rerun_of,
        )
        run = store.run(run_id)
        assert run is not None
        return run

    def run_response(request: Request, run: RunRecord) -> Response:
        if run.status == "ok":
            baseline = run.parameters.get("compared_with")
            query = f"?compare={baseline}" if isinstance(baseline, int) else ""
            return RedirectResponse(f"/runs/{run.id}{query}", status_code=303)
        return run_page(request, run, status=413 if run.status == "refused" else 422)

    def run_page(
        request: Request, run: RunRecord, status: int = 200, compare: RunRecord | None = None
    ) -> HTMLResponse:
        report = report_from_results(run.results) if run.results else None
        figures: dict[str, list[tuple[str, str]]] = {}
        if report is not None:
            from detente.report.plots import FIGURE_BUILDERS

            for key, data in report.data.items():
                builder = FIGURE_BUILDERS.get(key)
                if builder is None:
                    continue
                try:
                    built = builder(data, report.brief)
                except (ValueError, KeyError):
                    continue  # a figure this result cannot have (one actor, say)
                figures[key] = [
                    (
                        title,
                        fig.to_html(
                            full_html=False,
                            include_plotlyjs=False,
                            config={"displaylogo": False, "responsive": True},
                        ),
                    )
                    for title, fig in built
                ]
        original = store.run(run.rerun_of) if run.rerun_of else None
        same = None
        if original is not None and original.results is not None and run.results is not None:
            same = _canonical(original.results["data"]) == _canonical(run.results["data"])
        record = store.case(run.case_id)
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
        return page(
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
        )

    def get_case(case_id: int) -> CaseRecord | None:
        return store.case(case_id)

    # -- routes -------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return home(request)

    @app.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.get("/assets/plotly.min.js")
    async def plotly_js() -> Response:
        return Response(
            _plotly_js(),
            media_type="text/javascript; charset=utf-8",
            headers={"cache-control": "public, max-age=86400"},
        )

    @app.post("/cases/builtin")
    async def pick_builtin(request: Request) -> Response:
        from detente import cases

        form = await request.form()
        slug = str(form.get("name") or "")
        infos = {i.slug: i for i in cases.list()}
        bare = [key for key in infos if key.rsplit("/", 1)[-1] == slug]
        if slug not in infos and len(bare) == 1:
            slug = bare[0]  # "chicken" for "teaching/chicken", as the command line allows
        if slug not in infos:
            # Only names from the catalogue are looked up: a path typed here reaches nothing.
            return home(request, 404, error=f"There is no built-in case named {slug!r}.")
        path = infos[slug].path
        content = path.read_text(encoding="utf-8")
        fmt = FORMATS[path.suffix.lower()]
        try:
            case = await pool.run(_validate, content, slug, fmt)
        except Busy:
            return message(request, 503, "The server is busy; try again in a moment.")
        case_id = store.add_case(
            kind="builtin", name=slug, fmt=fmt, content=content, title=case.title
        )
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    @app.post("/cases/upload")
    async def upload(request: Request) -> Response:
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return home(request, 422, error="Choose a case file to upload.")
        name = _display_name(upload.filename)
        data = await upload.read(max_upload_bytes + 1)
        await upload.close()
        if len(data) > max_upload_bytes:
            return home(
                request,
                413,
                error=f"The upload is too large: case files are limited to "
                f"{max_upload_bytes / 2**20:g} MiB.",
            )
        suffix = PurePosixPath(name).suffix.lower()
        fmt = "json" if suffix in TABLES else FORMATS.get(suffix)
        if fmt is None:
            return home(
                request,
                415,
                error=f"{name} is not a case file: case files end in "
                f"{', '.join(sorted([*FORMATS, *TABLES]))} (YAML, JSON, a gmcr-py save, or a "
                "forecasting table: plain or KTAB CSV, KTAB XML).",
            )
        if not data.strip():
            return home(request, 422, error=f"{name} is empty: it holds no case.")
        try:
            if suffix in TABLES:
                case = await pool.run(_table_case, data, name)
            else:
                case = await pool.run(_validate, data, name, fmt)
        except Busy:
            return message(request, 503, "The server is busy; try again in a moment.")
        except CaseError as exc:
            return home(
                request,
                422,
                problems=exc.problems,
                error=f"{name} is not a valid case file "
                f"({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}).",
            )
        if suffix in TABLES:
            from detente.model.io import dumps

            content = dumps(case, fmt="json")
        else:
            content = data.decode("utf-8-sig")
        case_id = store.add_case(
            kind="upload", name=name, fmt=fmt, content=content, title=case.title
        )
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    @app.get("/cases/{case_id}", response_class=HTMLResponse)
    def show_case(request: Request, case_id: int, scenario: str | None = None) -> Response:
        record = get_case(case_id)
        if record is None:
            return message(request, 404, f"There is no case #{case_id} in this workspace.")
        try:
            return case_page(request, record, scenario)
        except CaseError as exc:
            return case_page(request, record, None, 422, problems=exc.problems)

    @app.post("/cases/{case_id}/runs")
    async def start_run(request: Request, case_id: int) -> Response:
        record = get_case(case_id)
        if record is None:
            return message(request, 404, f"There is no case #{case_id} in this workspace.")
        form = await request.form()
        fields = {k: form.getlist(k) if k in ("concepts", "models") else form.get(k) for k in form}
        scenario = str(form.get("scenario") or "") or None
        engine = str(form.get("engine") or "all")
        try:
            base = await load_base(record)
            # Comparing scenarios starts from the case itself, not from one scenario's view.
            case = base if engine == "compare" else scenario_view(base, scenario)
        except CaseError as exc:
            return case_page(request, record, None, 422, problems=exc.problems)
        if engine == "compare" and not case.scenarios:
            return case_page(
                request, record, scenario, 422, error="this case has no scenarios to compare"
            )
        if engine == "way_out" and (reason := way_out_obstacle(case)) is not None:
            return case_page(
                request,
                record,
                scenario,
                422,
                error="This case cannot show a way out yet",
                detail=reason,
            )
        try:
            parameters = parse_parameters(engine, fields)
        except ParameterError as exc:
            return case_page(request, record, scenario, 422, error=str(exc))
        try:
            run = await run_analysis(case_id, case, engine, parameters)
        except Busy:
            return message(request, 503, "The server is busy; try again in a moment.")
        return run_response(request, run)

    @app.post("/cases/{case_id}/whatif")
    async def what_if(request: Request, case_id: int) -> Response:
        record = get_case(case_id)
        if record is None:
            return message(request, 404, f"There is no case #{case_id} in this workspace.")
        form = await request.form()
        scenario = str(form.get("scenario") or "") or None
        entered = {k: str(form.get(k) or "") for k in form}
        try:
            case = scenario_view(await load_base(record), scenario)
        except CaseError as exc:  # an unknown scenario: show the case without it
            return case_page(request, record, None, 422, problems=exc.problems, whatif=entered)
        try:
            edited, note, content = _edit_case(case, entered)
        except CaseError as exc:
            return case_page(request, record, scenario, 422, problems=exc.problems, whatif=entered)
        except ValueError as exc:
            # The form comes back as the user filled it in, with what was wrong.
            return case_page(request, record, scenario, 422, error=str(exc), whatif=entered)
        edited_id = store.add_case(
            kind="edit",
            name=f"{record.name} (what-if)",
            fmt="json",
            content=content,
            title=edited.title,
            parent_id=record.id,
            note=note,
        )
        parameters = parse_parameters("bargaining", {})
        try:
            before = await run_analysis(case_id, case, "bargaining", parameters)
            # The after-run remembers its baseline, so a re-run shows both again.
            after = await run_analysis(
                edited_id, edited, "bargaining", {**parameters, "compared_with": before.id}
            )
        except Busy:
            return message(request, 503, "The server is busy; try again in a moment.")
        if after.status != "ok":
            return run_response(request, after)
        return RedirectResponse(f"/runs/{after.id}?compare={before.id}", status_code=303)

    @app.get("/runs", response_class=HTMLResponse)
    def list_runs(request: Request) -> HTMLResponse:
        return page(request, "runs.html.j2", runs=store.runs(limit=500), engines=ENGINES)

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def show_run(request: Request, run_id: int, compare: int | None = None) -> Response:
        run = store.run(run_id)
        if run is None:
            return message(request, 404, f"There is no run #{run_id} in this workspace.")
        other = store.run(compare) if compare is not None else None
        status = 200 if run.status == "ok" else (413 if run.status == "refused" else 422)
        return run_page(request, run, status=status, compare=other)

    @app.post("/runs/{run_id}/rerun")
    async def rerun(request: Request, run_id: int) -> Response:
        run = store.run(run_id)
        if run is None:
            return message(request, 404, f"There is no run #{run_id} in this workspace.")
        record = get_case(run.case_id)
        assert record is not None
        try:
            base = await load_base(record)
            case = base if run.engine == "compare" else scenario_view(base, run.scenario)
            again = await run_analysis(record.id, case, run.engine, run.parameters, rerun_of=run.id)
        except CaseError as exc:
            return message(request, 422, "; ".join(str(p) for p in exc.problems))
        except Busy:
            return message(request, 503, "The server is busy; try again in a moment.")
        return run_response(request, again)

    @app.get("/runs/{run_id}/report.html")
    async def download_html(request: Request, run_id: int) -> Response:
        run = store.run(run_id)
        if run is None or run.results is None:
            return message(request, 404, f"Run #{run_id} has no results to download.")
        html = await anyio.to_thread.run_sync(report_from_results(run.results).to_html)
        return HTMLResponse(
            html,
            headers={"content-disposition": f'attachment; filename="detente-run-{run_id}.html"'},
        )

    @app.get("/runs/{run_id}/report.md")
    async def download_markdown(request: Request, run_id: int) -> Response:
        run = store.run(run_id)
        if run is None or run.results is None:
            return message(request, 404, f"Run #{run_id} has no results to download.")
        text = await anyio.to_thread.run_sync(report_from_results(run.results).to_markdown)
        return Response(
            text,
            media_type="text/markdown; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="detente-run-{run_id}.md"'},
        )

    @app.get("/runs/{run_id}/results.json")
    async def download_json(request: Request, run_id: int) -> Response:
        run = store.run(run_id)
        if run is None or run.results is None:
            return message(request, 404, f"Run #{run_id} has no results to download.")
        body = {
            "run": {
                "id": run.id,
                "case": run.case_name,
                "scenario": run.scenario,
                "engine": run.engine,
                "parameters": run.parameters,
                "detente_version": run.version,
                "created": run.created,
            },
            "results": report_from_results(run.results).to_dict(),
        }
        return JSONResponse(
            body,
            headers={"content-disposition": f'attachment; filename="detente-run-{run_id}.json"'},
        )

    @app.get("/cases/{case_id}/case.{ext}")
    async def download_case(request: Request, case_id: int, ext: str) -> Response:
        record = get_case(case_id)
        if record is None or ext != {"gmcr": "gmcr"}.get(record.fmt, record.fmt):
            return message(request, 404, f"There is no such case file #{case_id}.")
        return Response(
            record.content,
            media_type="application/json" if record.fmt != "yaml" else "application/yaml",
            headers={"content-disposition": f'attachment; filename="case-{case_id}.{ext}"'},
        )

    return _Guard(app, max_body=max_upload_bytes + 64 * 1024, allowed_hosts=allowed_hosts)


def _table_case(data: bytes, name: str) -> Case:
    from detente._loading import forecast_table_from_bytes

    return forecast_table_from_bytes(data, name=name)


def _validate(data: str | bytes, name: str, fmt: str) -> Case:
    from detente.model.io import loads

    return loads(data, file=name, fmt=fmt)


def _edit_case(case: Case, form: dict[str, str]) -> tuple[Case, str, str]:
    """The case with one number changed: a party's position, salience or capability,
    or a proposal's level on an issue.

    ``case`` is the case as the chosen scenario sees it; the edited case is that view
    made concrete, without scenarios. Returns the edited case, a sentence saying what
    changed (and in which scenario), and the case as JSON text.
    """
    from detente.model.io import loads

    target = form.get("target")
    if target not in ("position", "salience", "capability", "proposal"):
        raise ValueError(
            "choose what to change: a party's position, salience or capability, or a "
            "proposal's level"
        )
    scenario = next((s for s in case.scenarios if s.id == case.scenario_id), None)
    try:
        value = float(form.get("value", ""))
    except ValueError:
        raise ValueError("the new value must be a number") from None
    data = case.model_dump(mode="json")
    if target == "capability":
        actor_id = form.get("actor", "")
        if actor_id not in case.actor_ids:
            raise ValueError(f"this case has no party {actor_id!r}")
        if not value > 0:
            raise ValueError("a capability must be positive")
        a = case.actor_ids.index(actor_id)
        old = case.actors[a].capability
        data["actors"][a]["capability"] = value
        note = f"{case.actors[a].name}'s capability: {old:g} → {value:g}"
    else:
        issue_id = form.get("issue", "")
        try:
            issue = case.issue(issue_id)
        except (CaseError, KeyError):
            raise ValueError(f"this case has no issue {issue_id!r}") from None
        k = [i.id for i in case.issues].index(issue.id)
        low, high = issue.scale
        if target == "salience" and not 0 < value <= 100:
            raise ValueError("a salience lies above 0 and at most 100")
        if target != "salience" and not low <= value <= high:
            raise ValueError(f"the new level must lie on the issue's scale, {low:g} to {high:g}")
        if target in ("position", "salience"):
            actor_id = form.get("actor", "")
            if actor_id not in issue.positions:
                raise ValueError(f"{actor_id!r} takes no position on {issue.name!r} in this case")
            stance = issue.positions[actor_id]
            old = stance.position if target == "position" else stance.salience
            data["issues"][k]["positions"][actor_id][target] = value
            who = case.actor(actor_id).name
            note = f"{who}'s {target} on {issue.name}: {old:g} → {value:g}"
        else:
            proposal_id = form.get("proposal", "")
            ids = [p.id for p in case.proposals]
            if proposal_id not in ids:
                raise ValueError(f"this case has no proposal {proposal_id!r}")
            j = ids.index(proposal_id)
            old_level = case.proposals[j].positions.get(issue.id)
            data["proposals"][j]["positions"][issue.id] = value
            before = f"{old_level:g}" if old_level is not None else "status quo"
            note = f"{case.proposals[j].name}, level of {issue.name}: {before} → {value:g}"
    # The what-if is one concrete view: the scenario it was seen through is applied
    # already, so it keeps no scenarios that could not apply to it; its notes say
    # where it came from.
    if scenario is not None:
        note += f" (scenario: {scenario.name})"
    origin = f"What-if of {case.title!r}: {note}."
    if scenario is not None:
        origin += (
            f" Made from the case as scenario {scenario.id!r} sees it; the case's "
            "scenarios are left out."
        )
    elif case.scenarios:
        origin += " Made from the case without a scenario; the case's scenarios are left out."
    data.update(
        scenarios=[],
        default_scenario=None,
        scenario_id=None,
        notes=origin + (f"\n\n{case.notes}" if case.notes else ""),
    )
    content = json.dumps(data, ensure_ascii=False, indent=1)
    edited = loads(content, file="what-if", fmt="json")
    return edited, note, content
