"""The dependencies the routers take (FastAPI's ``Depends``): the app's context (its
workspace, workers, limits and templates), the CSRF check every state-changing
request passes, and the case or run a path names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from detente.web._context import WebContext
from detente.web._csrf import FIELD as CSRF_FIELD
from detente.web._csrf import HEADER as CSRF_HEADER
from detente.web._csrf import session
from detente.web._guard import SAFE_METHODS
from detente.web._workspace import CaseRecord, RunRecord, Workspace

__all__ = [
    "MAX_FORM_FIELDS",
    "Context",
    "CsrfRefused",
    "NamedCase",
    "NamedRun",
    "Store",
    "check_csrf",
    "get_context",
]

MAX_FORM_FIELDS = 64
"""The most fields a form may have (the forecast's form has about twenty)."""


class CsrfRefused(Exception):
    """A state-changing request without its session's CSRF token."""


def get_context(request: Request) -> WebContext:
    """The app's :class:`WebContext`, made by ``create_app``."""
    context: WebContext = request.app.state.context
    return context


Context = Annotated[WebContext, Depends(get_context)]


def get_store(context: Context) -> Workspace:
    return context.store


Store = Annotated[Workspace, Depends(get_store)]


async def check_csrf(request: Request, context: Context) -> None:
    """Every state-changing request carries its session's token (header or form field)."""
    if request.method in SAFE_METHODS:
        return
    value, sent = session(request.scope)
    token = request.headers.get(CSRF_HEADER)
    kind = request.headers.get("content-type", "")
    if token is None and sent and not kind.startswith("application/json"):
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
        field = form.get(CSRF_FIELD)
        token = field if isinstance(field, str) else None
        if not context.tokens.valid(value, token):
            await form.close()  # an upload refused unread
    if not sent or not context.tokens.valid(value, token):
        raise CsrfRefused


def named_case(case_id: str, context: Context) -> CaseRecord:
    """The case the path's ``case_id`` names (else a 404 page)."""
    return context.case_record(case_id)


def named_run(run_id: str, context: Context) -> RunRecord:
    """The run the path's ``run_id`` names (else a 404 page)."""
    return context.run_record(run_id)


NamedCase = Annotated[CaseRecord, Depends(named_case)]
NamedRun = Annotated[RunRecord, Depends(named_run)]
