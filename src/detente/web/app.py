"""The web app: load, validate and analyse cases in a browser (``detente serve``).

Server-rendered pages with plain forms. The only scripts are files the app serves
itself: plotly.js, static/app.js (which marks a form as running once it is sent)
and static/figures.js (which draws each figure from the JSON data block the page
carries); the Content-Security-Policy allows no inline script and no ``eval``.
Every string from a case is escaped by Jinja2's autoescaping. Uploads are kept as
text in the workspace (SQLite), never written under the name the user gave.

Analyses, and the reading of uploads, run in worker processes (:mod:`._workers`),
a few at a time, so the server's own process stays free to serve pages; a run is
recorded as ``running`` when it starts and can be cancelled.

The doors of the app and how each is guarded (docs/security.md says more):

- every request: its ``Host`` must be one this server answers to (against DNS
  rebinding), its body is bounded (413) and must say how long it is (411);
- every state-changing request (any method but GET, HEAD, OPTIONS): an ``Origin``
  that is not this server's own (``null`` included) is refused, and so is a
  ``Referer`` from elsewhere when there is no ``Origin``; and it must carry the
  CSRF token of the browser's session, in a form field ``csrftoken`` or an
  ``x-csrftoken`` header (a signed double-submit cookie, :mod:`._csrf`);
- ids in paths are whole numbers of at most 18 digits, else 404;
- every error is a styled page with the status it deserves, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente import __version__
from detente.errors import AnalysisError, CaseError, CaseTooLargeError, Problem
from detente.forecast.spatial import SETTINGS as SMP_SETTINGS
from detente.model import Case
from detente.web._csrf import FIELD as CSRF_FIELD
from detente.web._csrf import HEADER as CSRF_HEADER
from detente.web._csrf import CsrfCookie, CsrfTokens, session
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
    check_table,
    check_upload,
    load_stored,
    parse_parameters,
    report_from_results,
    run_stored,
    scenario_view,
    way_out_obstacle,
)
from detente.web._workers import Busy, Cancelled, Overtime, RemoteError, WorkerCrash, Workers
from detente.web._workspace import CaseRecord, RunRecord, Workspace

__all__ = ["DEFAULT_WORKSPACE", "MAX_UPLOAD_BYTES", "create_app"]

log = logging.getLogger("detente.web")

DEFAULT_WORKSPACE = "detente-workspace"
MAX_UPLOAD_BYTES = 5 * 2**20
"""Uploads larger than this are refused with 413 before they are read."""

DRAIN_LIMIT = 64 * 2**20
"""An oversize upload up to this size is read and dropped before the refusal is sent."""

MAX_ID_DIGITS = 18
"""Ids in paths are whole numbers of at most this many digits (below 2**63)."""

RETRY_AFTER = 10
"""Seconds a client is asked to wait after a 503 (``Retry-After``)."""

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".gmcr": "gmcr"}
TABLES = (".csv", ".xml")
"""Forecasting tables (plain or KTAB CSV, KTAB XML): turned into a case on upload and kept as JSON."""
HERE = Path(__file__).parent

CSP = (
    "default-src 'self'; script-src 'self'; "
    # plotly sets styles on the elements it draws and adds a stylesheet of its own
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" even
    # with the app's own forms, and null is what a sandboxed or data: page sends
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_FIELDS = 64
"""The most fields a form may have (the forecast's form has about twenty)."""

BUSY = "The server is busy with other analyses; try again in a moment."


def _same_origin(url: str, scheme: str, host: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == scheme and parts.netloc.lower() == host.lower() and bool(host)


class CsrfRefused(Exception):
    """A state-changing request without its session's CSRF token."""


class _Guard:
    """ASGI middleware, the app's outermost layer: refuse unknown Host headers, oversize
    or unsized bodies and cross-site requests; add security headers to every
    response; and answer any error that escapes the layers inside with a styled page."""

    state: Any = None
    """The FastAPI app's state (its ``workspace`` and ``workers``), for tests and tools."""

    def __init__(self, app: Any, *, max_body: int, allowed_hosts: set[str] | None):
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = allowed_hosts

    def refusal(self, scope: dict[str, Any], headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _hostname(host) not in self.allowed_hosts:
            return 400, "This server answers only on its own address."
        if scope["method"] in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        referer = headers.get("referer")
        scheme = scope.get("scheme", "http")
        if origin is not None:
            if not _same_origin(origin, scheme, host):
                return 403, "Cross-site requests are refused: send the form from this app's pages."
        elif referer is not None and not _same_origin(referer, scheme, host):
            return 403, "Cross-site requests are refused: send the form from this app's pages."
        length = headers.get("content-length")
        if "transfer-encoding" in headers and length is None:
            return 411, "Send the request with a Content-Length."
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return (
                413,
                f"The upload is too large: case files are limited to "
                f"{MAX_UPLOAD_BYTES // 2**20} MiB.",
            )
        kind = headers.get("content-type", "")
        media = kind.split(";", 1)[0].strip().lower()
        if media == "multipart/form-data" and "; boundary=" not in kind:
            return 400, "The form could not be read: its parts have no boundary."
        if media not in FORM_TYPES and (media or (length or "0") != "0"):
            return 415, "Send a web form: this app reads forms and file uploads only."
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            status, message = refusal
            length = headers.get("content-length") or "0"
            if status == 413 and length.isdigit() and int(length) <= DRAIN_LIMIT:
                await _drain(receive)  # a browser shows the answer only once it has sent the body
            await _send_page(send, status, message, close=True)
            return

        started = False

        async def send_with_headers(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                own = list(message.get("headers", []))
                named = {bytes(k).lower() for k, _ in own}
                # a response with a policy of its own (the report download) keeps it
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in named]
                message = {**message, "headers": [*own, *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            log.error("error in %s %s", scope["method"], scope["path"], exc_info=exc)
            if not started:  # else the app's own handler has answered with its 500 page
                await _send_page(send, 500, _apology(exc))


async def _send_page(send: Any, status: int, message: str, *, close: bool = False) -> None:
    body = _message_page(status, message).encode("utf-8")
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drain(receive: Any) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _ident(text: str) -> int | None:
    """An id from a path or a query: a whole number of at most 18 digits, else ``None``."""
    if re.fullmatch(rf"[0-9]{{1,{MAX_ID_DIGITS}}}", text) is None:
        return None
    return int(text)


def _shown(text: str) -> str:
    """Something a request named, cut short for a message (the page escapes it)."""
    return text if len(text) <= 40 else text[:40] + "…"


def _what(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, RemoteError) else f"{type(exc).__name__}: {exc}"


def _apology(exc: BaseException) -> str:
    return (
        f"Sorry: something went wrong on the server (internal error: {_what(exc)}). "
        "This is a bug in detente; please report it."
    )


def _internal(exc: BaseException) -> str:
    """What the command line prints for an error it did not expect."""
    return f"internal error: {_what(exc)}\nThis is a bug in detente; please report it."


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
        Folder of the SQLite workspace; created when missing. A damaged workspace
        file is refused (:class:`~detente.web._workspace.WorkspaceError`).
    workers : int
        Worker processes, so analyses that may run at once; further requests wait,
        up to ``queue`` of them, then get 503 with ``Retry-After``.
    limits : Limits, optional
        How large a case this server analyses (graph-model state memory, bargaining
        grid, forecast parties) and how long one run may take.
    allowed_hosts : set of str, optional
        Host names the app answers to (guards against DNS rebinding); ``None`` for any.
    max_upload_bytes : int
        Larger uploads are refused with 413.

    When the app starts (its ASGI lifespan), it claims the workspace: another server
    already using it is refused, and runs a crash left ``running`` are marked
    ``interrupted``. When it stops, its worker processes stop.
    """
    store = Workspace(workspace)
    limits = limits or Limits()
    pool = Workers(workers, queue, max_seconds=limits.max_seconds)
    tokens = CsrfTokens(
        store.secret("csrf"), cookie=f"detente_session_{_digest(store.secret('cookie-name'))}"
    )

    async def check_csrf(request: Request) -> None:
        """Every state-changing request carries its session's token (header or form field)."""
        if request.method in SAFE_METHODS:
            return
        value, sent = session(request.scope)
        token = request.headers.get(CSRF_HEADER)
        if token is None and sent:
            form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
            field = form.get(CSRF_FIELD)
            token = field if isinstance(field, str) else None
            if not tokens.valid(value, token):
                await form.close()  # an upload refused unread
        if not sent or not tokens.valid(value, token):
            raise CsrfRefused

    env = _templates()
    templates = Jinja2Templates(env=env)
    cache: OrderedDict[int, Case] = OrderedDict()
    views: OrderedDict[tuple[int, str | None], tuple[Case, Any, str | None, list[str]]] = (
        OrderedDict()
    )
    reports: OrderedDict[int, tuple[Any, dict[str, list[tuple[str, str]]]]] = OrderedDict()
    cache_lock = threading.Lock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        interrupted = store.claim()
        if interrupted:
            log.warning("%d run(s) cut off by an earlier stop marked interrupted", interrupted)
        pool.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(pool.close)
            store.release()

    app = FastAPI(
        title="detente",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_csrf)],
    )
    app.state.workspace = store
    app.state.workers = pool
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # -- helpers ------------------------------------------------------------------------

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        value, _ = session(request.scope)
        context.setdefault("csrftoken", tokens.token(value) if value else "")
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def message(
        request: Request, status: int, text: str, headers: Mapping[str, str] | None = None
    ) -> HTMLResponse:
        response = page(request, "message.html.j2", status, status=status, message=text)
        if headers:
            response.headers.update(headers)
        return response

    def busy(request: Request) -> HTMLResponse:
        return message(request, 503, BUSY, headers={"retry-after": str(RETRY_AFTER)})

    def no_case(request: Request, text: str) -> HTMLResponse:
        return message(request, 404, f"There is no case #{_shown(text)} in this workspace.")

    def no_run(request: Request, text: str) -> HTMLResponse:
        return message(request, 404, f"There is no run #{_shown(text)} in this workspace.")

    def base_case(record: CaseRecord) -> Case:
        with cache_lock:
            if record.id in cache:
                cache.move_to_end(record.id)
                return cache[record.id]
        case = load_stored(record.content, record.name, record.fmt)
        with cache_lock:
            cache[record.id] = case
            while len(cache) > 32:
                cache.popitem(last=False)
        return case

    async def load_base(record: CaseRecord) -> Case:
        """The stored case, parsed off the event loop when it is not cached."""
        return await anyio.to_thread.run_sync(base_case, record)

    def home(
        request: Request, status: int = 200, problems: Sequence[Problem] = (), error: str = ""
    ) -> HTMLResponse:
        from detente import cases

        response = page(
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
        if status == 503:
            response.headers["retry-after"] = str(RETRY_AFTER)
        return response

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
        base = base_case(record)
        case, brief, obstacle, warnings = case_view(record, base, scenario)
        return page(
            request,
            "case.html.j2",
            status,
            record=record,
            base=base,
            case=case,
            brief=brief,
            scenario=case.scenario_id,
            concepts=CONCEPT_LABELS,
            way_out_concepts=WAY_OUT_CONCEPTS,
            max_paths=MAX_PATHS,
            way_out_obstacle=obstacle,
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
            warnings=warnings,
            whatif=whatif or {},
        )

    def case_view(
        record: CaseRecord, base: Case, scenario: str | None
    ) -> tuple[Case, Any, str | None, list[str]]:
        """The case as ``scenario`` sees it, its brief, why it has no way out and what
        validation warns of: kept for the latest few views, as a stored case never changes."""
        key = (record.id, scenario or None)
        with cache_lock:
            if key in views:
                views.move_to_end(key)
                return views[key]
        from detente.model.checks import case_warnings
        from detente.report import case_brief

        case = scenario_view(base, scenario)
        view = (case, case_brief(case), way_out_obstacle(case), list(case_warnings(case)))
        with cache_lock:
            views[key] = view
            while len(views) > 32:
                views.popitem(last=False)
        return view

    async def run_analysis(
        record: CaseRecord,
        scenario: str | None,
        engine: str,
        parameters: dict[str, Any],
        rerun_of: int | None = None,
    ) -> RunRecord:
        """Run in a worker process and store the run, whatever its outcome.

        The run is stored as ``running`` first (so a crash of the server leaves a
        trace, marked ``interrupted`` on the next start) and finished in place.
        Raises :class:`Busy`, storing nothing, when too many runs wait already.
        """
        with pool.admit() as job:
            # the workspace is written from a thread: the event loop serves pages meanwhile
            run_id = await anyio.to_thread.run_sync(
                functools.partial(
                    store.add_run,
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
            pool.name(job, run_id)
            start = time.perf_counter()
            results = error = None
            status = "ok"
            try:
                results = await pool.run(
                    run_stored,
                    record.content,
                    record.name,
                    record.fmt,
                    scenario,
                    engine,
                    parameters,
                    limits,
                    job=job,
                )
            except CaseTooLargeError as exc:
                status, error = "refused", "; ".join(p.message for p in exc.problems)
            except CaseError as exc:
                status, error = "failed", "\n".join(str(p) for p in exc.problems)
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
                log.error("run #%d failed", run_id, exc_info=exc)
                status, error = "failed", _internal(exc)
            finally:
                if status == "ok" and results is None:  # an exception not caught above
                    status, error = "failed", "the analysis stopped without a result"
                await anyio.to_thread.run_sync(
                    functools.partial(
                        store.finish_run,
                        run_id,
                        status=status,
                        results=results,
                        error=error,
                        seconds=round(time.perf_counter() - start, 3),
                    )
                )
        run = await anyio.to_thread.run_sync(store.run, run_id)
        assert run is not None
        return run

    def run_status(run: RunRecord) -> int:
        if run.status == "refused":
            return 413
        if run.status == "failed":
            return 500 if (run.error or "").startswith("internal error:") else 422
        return 200

    def run_response(request: Request, run: RunRecord) -> Response:
        if run.status == "ok":
            baseline = run.parameters.get("compared_with")
            query = f"?compare={baseline}" if isinstance(baseline, int) else ""
            return RedirectResponse(f"/runs/{run.id}{query}", status_code=303)
        return run_page(request, run, status=run_status(run))

    def run_page(
        request: Request, run: RunRecord, status: int = 200, compare: RunRecord | None = None
    ) -> HTMLResponse:
        report, figures = drawn(run)
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

    def drawn(run: RunRecord) -> tuple[Any, dict[str, list[tuple[str, str]]]]:
        """A finished run's report and its figures as JSON, kept for the latest few runs
        (drawing the figures takes longer than the rest of the page)."""
        if run.results is None:
            return None, {}
        with cache_lock:
            if run.id in reports:
                reports.move_to_end(run.id)
                return reports[run.id]
        report = report_from_results(run.results)
        figures: dict[str, list[tuple[str, str]]] = {}
        from detente.report.plots import FIGURE_BUILDERS

        for key, data in report.data.items():
            builder = FIGURE_BUILDERS.get(key)
            if builder is None:
                continue
            try:
                built = builder(data, report.brief)
            except (ValueError, KeyError):
                continue  # a figure this result cannot have (one actor, say)
            figures[key] = [(title, _figure_json(fig)) for title, fig in built]
        with cache_lock:
            reports[run.id] = (report, figures)
            while len(reports) > 16:
                reports.popitem(last=False)
        return report, figures

    def get_case(text: str) -> CaseRecord | None:
        case_id = _ident(text)
        return store.case(case_id) if case_id is not None else None

    def get_run(text: str) -> RunRecord | None:
        run_id = _ident(text)
        return store.run(run_id) if run_id is not None else None

    # -- errors -------------------------------------------------------------------------

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        texts = {
            404: "There is no such page in this app.",
            405: "This page does not take that kind of request.",
        }
        text = texts.get(exc.status_code) or str(exc.detail)
        return message(request, exc.status_code, text, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()})
        return message(
            request, 422, f"The request could not be read: check {', '.join(fields) or 'it'}."
        )

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return message(
            request,
            403,
            "This form has expired or did not come from this app's pages: go back, reload "
            "the page and send it again.",
        )

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        return message(request, 500, _apology(exc))

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
            title = await pool.run(check_upload, content, slug, fmt)
        except Busy:
            return busy(request)
        except CaseError as exc:  # a limit of this machine (an environment variable, say)
            return home(request, 422, problems=exc.problems, error=f"{slug} cannot be opened.")
        except Exception as exc:
            log.error("opening %s failed", slug, exc_info=exc)
            return home(request, 500, error=f"{slug} could not be opened. {_internal(exc)}")
        case_id = store.add_case(kind="builtin", name=slug, fmt=fmt, content=content, title=title)
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    @app.post("/cases/upload")
    async def upload(request: Request) -> Response:
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
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
                title, content = await pool.run(check_table, data, name)
            else:
                title = await pool.run(check_upload, data, name, fmt)
                content = data.decode("utf-8-sig")
        except Busy:
            return home(request, 503, error=BUSY)
        except CaseTooLargeError as exc:
            return home(
                request,
                413,
                problems=exc.problems,
                error=f"{name} is too large for this server to read.",
            )
        except CaseError as exc:
            return home(
                request,
                422,
                problems=exc.problems,
                error=f"{name} is not a valid case file "
                f"({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}).",
            )
        except Overtime as exc:
            return home(
                request,
                413,
                error=f"{name} took longer than this server allows ({exc.seconds:g} s) to read.",
            )
        except (WorkerCrash, MemoryError) as exc:
            return home(request, 413, error=f"{name} could not be read: {exc or 'out of memory'}")
        except Exception as exc:  # a reader's bug: the message the command line prints
            log.error("reading %s failed", name, exc_info=exc)
            return home(request, 500, error=f"{name} could not be read. {_internal(exc)}")
        case_id = store.add_case(kind="upload", name=name, fmt=fmt, content=content, title=title)
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    @app.get("/cases/{case_id}", response_class=HTMLResponse)
    def show_case(request: Request, case_id: str, scenario: str | None = None) -> Response:
        record = get_case(case_id)
        if record is None:
            return no_case(request, case_id)
        try:
            return case_page(request, record, scenario)
        except CaseError as exc:
            return case_page(request, record, None, 422, problems=exc.problems)

    @app.post("/cases/{case_id}/runs")
    async def start_run(request: Request, case_id: str) -> Response:
        record = get_case(case_id)
        if record is None:
            return no_case(request, case_id)
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
            run = await run_analysis(record, case.scenario_id, engine, parameters)
        except Busy:
            return busy(request)
        return run_response(request, run)

    @app.post("/cases/{case_id}/whatif")
    async def what_if(request: Request, case_id: str) -> Response:
        record = get_case(case_id)
        if record is None:
            return no_case(request, case_id)
        form = await request.form()
        scenario = str(form.get("scenario") or "") or None
        entered = {k: str(form.get(k) or "") for k in form if k != CSRF_FIELD}
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
        edited_record = store.case(edited_id)
        assert edited_record is not None
        parameters = parse_parameters("bargaining", {})
        try:
            before = await run_analysis(record, case.scenario_id, "bargaining", parameters)
            # The after-run remembers its baseline, so a re-run shows both again.
            after = await run_analysis(
                edited_record, None, "bargaining", {**parameters, "compared_with": before.id}
            )
        except Busy:
            return busy(request)
        if after.status != "ok":
            return run_response(request, after)
        return RedirectResponse(f"/runs/{after.id}?compare={before.id}", status_code=303)

    @app.get("/runs", response_class=HTMLResponse)
    def list_runs(request: Request) -> HTMLResponse:
        return page(request, "runs.html.j2", runs=store.runs(limit=500), engines=ENGINES)

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def show_run(request: Request, run_id: str, compare: str | None = None) -> Response:
        run = get_run(run_id)
        if run is None:
            return no_run(request, run_id)
        other = get_run(compare) if compare is not None else None
        return run_page(request, run, status=run_status(run), compare=other)

    @app.post("/runs/{run_id}/rerun")
    async def rerun(request: Request, run_id: str) -> Response:
        run = get_run(run_id)
        if run is None:
            return no_run(request, run_id)
        record = store.case(run.case_id)
        assert record is not None
        try:
            base = await load_base(record)
            if run.engine != "compare":
                scenario_view(base, run.scenario)  # an unknown scenario is refused here
            again = await run_analysis(
                record, run.scenario, run.engine, run.parameters, rerun_of=run.id
            )
        except CaseError as exc:
            return message(request, 422, "; ".join(str(p) for p in exc.problems))
        except Busy:
            return busy(request)
        return run_response(request, again)

    @app.post("/runs/{run_id}/cancel")
    async def cancel(request: Request, run_id: str) -> Response:
        run = get_run(run_id)
        if run is None:
            return no_run(request, run_id)
        if run.status == "running" and not pool.cancel(run.id):
            # running in the record but not in this server: left by another process
            return message(request, 409, f"Run #{run.id} is not running in this server.")
        # the run's own request records the cancellation once its worker has stopped
        for _ in range(100):
            again = store.run(run.id)
            if again is None or again.status != "running":
                break
            await anyio.sleep(0.05)
        return RedirectResponse(f"/runs/{run.id}", status_code=303)

    @app.get("/runs/{run_id}/report.html")
    async def download_html(request: Request, run_id: str) -> Response:
        run = get_run(run_id)
        if run is None or run.results is None:
            return message(request, 404, f"Run #{_shown(run_id)} has no results to download.")
        html = await anyio.to_thread.run_sync(report_from_results(run.results).to_html)
        return HTMLResponse(
            html,
            headers={
                "content-disposition": f'attachment; filename="detente-run-{run.id}.html"',
                # a download, never shown inside the app: in case a browser shows it anyway,
                # it runs in a sandbox of its own, with no access to the app
                "content-security-policy": "sandbox allow-scripts; default-src 'none'; "
                "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:",
            },
        )

    @app.get("/runs/{run_id}/report.md")
    async def download_markdown(request: Request, run_id: str) -> Response:
        run = get_run(run_id)
        if run is None or run.results is None:
            return message(request, 404, f"Run #{_shown(run_id)} has no results to download.")
        text = await anyio.to_thread.run_sync(report_from_results(run.results).to_markdown)
        return Response(
            text,
            media_type="text/markdown; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="detente-run-{run.id}.md"'},
        )

    @app.get("/runs/{run_id}/results.json")
    async def download_json(request: Request, run_id: str) -> Response:
        run = get_run(run_id)
        if run is None or run.results is None:
            return message(request, 404, f"Run #{_shown(run_id)} has no results to download.")
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
            headers={"content-disposition": f'attachment; filename="detente-run-{run.id}.json"'},
        )

    @app.get("/cases/{case_id}/case.{ext}")
    async def download_case(request: Request, case_id: str, ext: str) -> Response:
        record = get_case(case_id)
        if record is None or ext != {"gmcr": "gmcr"}.get(record.fmt, record.fmt):
            return message(request, 404, f"There is no such case file #{_shown(case_id)}.")
        return Response(
            record.content,
            media_type="application/json" if record.fmt != "yaml" else "application/yaml",
            headers={"content-disposition": f'attachment; filename="case-{record.id}.{ext}"'},
        )

    guarded = _Guard(
        CsrfCookie(app, tokens), max_body=max_upload_bytes + 64 * 1024, allowed_hosts=allowed_hosts
    )
    guarded.state = app.state
    return guarded


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _figure_json(fig: Any) -> str:
    """A plotly figure as the JSON a page's data block carries for static/figures.js:
    safe inside ``<script type="application/json">`` (no ``<``, ``>`` or ``&``)."""
    plain = json.loads(fig.to_json())
    text = json.dumps(
        {
            "data": plain["data"],
            "layout": plain["layout"],
            "config": {"displaylogo": False, "responsive": True},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
    data.pop("scenario_id", None)  # set by detente on a view, never in a case file
    data.update(
        scenarios=[],
        default_scenario=None,
        notes=origin + (f"\n\n{case.notes}" if case.notes else ""),
    )
    content = json.dumps(data, ensure_ascii=False, indent=1)
    edited = loads(content, file="what-if", fmt="json")
    return edited, note, content
