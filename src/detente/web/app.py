"""The web app: load, validate, edit and analyse cases in a browser (``detente serve``).

Server-rendered pages with plain forms. The only scripts are files the app serves
itself: plotly.js, static/app.js (which marks a form as running once it is sent),
static/figures.js (which draws each figure from the JSON data block the page
carries), static/progress.js (a running run's progress bar) and static/editor.js
(the case editor); the Content-Security-Policy allows no inline script and no
``eval``. Every string from a case is escaped by Jinja2's autoescaping. Uploads are
kept as text in the workspace (SQLite), never written under the name the user gave.

Analyses, and the reading of uploads, run in worker processes (:mod:`._workers`),
a few at a time, so the server's own process stays free to serve pages; a run is
recorded as ``running`` when it starts, reports its progress and can be cancelled.

The app is a FastAPI app whose routes live in routers per area
(:mod:`detente.web.routes`), each taking the app's :class:`~._context.WebContext`
(workspace, workers, limits, templates) and the CSRF check as dependencies
(:mod:`detente.web.deps`). Its outermost layer, :class:`~._guard.Guard`, refuses
requests from elsewhere and bodies too large before they reach the app; every
error is a styled page with the status it deserves, never a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from detente import __version__
from detente.web._context import NotFound, WebContext
from detente.web._csrf import CsrfCookie, CsrfTokens
from detente.web._guard import MAX_UPLOAD_BYTES, Guard, apology
from detente.web._runs import Limits
from detente.web._workers import Busy, Workers
from detente.web._workspace import Workspace
from detente.web.deps import CsrfRefused, check_csrf, get_context
from detente.web.routes import ROUTERS

__all__ = ["DEFAULT_WORKSPACE", "MAX_UPLOAD_BYTES", "Busy", "Workers", "create_app"]

log = logging.getLogger("detente.web")

DEFAULT_WORKSPACE = "detente-workspace"
HERE = Path(__file__).parent


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
    cookie = hashlib.sha256(store.secret("cookie-name").encode()).hexdigest()[:10]
    tokens = CsrfTokens(store.secret("csrf"), cookie=f"detente_session_{cookie}")
    context = WebContext(store, pool, limits, tokens, max_upload_bytes=max_upload_bytes)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        interrupted = store.claim()
        if interrupted:
            log.warning("%d run(s) cut off by an earlier stop marked interrupted", interrupted)
        pool.start()
        try:
            yield
        finally:
            await context.close()
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
    app.state.context = context
    app.state.workspace = store
    app.state.workers = pool
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_pages(app)

    guarded = Guard(
        CsrfCookie(app, tokens), max_body=max_upload_bytes + 64 * 1024, allowed_hosts=allowed_hosts
    )
    guarded.state = app.state
    return guarded


def _add_error_pages(app: FastAPI) -> None:
    """Every error a styled page with the status it deserves."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        texts = {
            404: "There is no such page in this app.",
            405: "This page does not take that kind of request.",
        }
        text = texts.get(exc.status_code) or str(exc.detail)
        return get_context(request).message(request, exc.status_code, text, headers=exc.headers)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return get_context(request).message(request, 404, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()})
        return get_context(request).message(
            request, 422, f"The request could not be read: check {', '.join(fields) or 'it'}."
        )

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return get_context(request).message(
            request,
            403,
            "This form has expired or did not come from this app's pages: go back, reload "
            "the page and send it again.",
        )

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        return get_context(request).message(request, 500, apology(exc))
