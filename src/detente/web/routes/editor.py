"""The case editor: a case built from nothing or from a stored one, checked as it is
typed (a JSON endpoint that answers with the problems and each party's ranking of
the states), and saved as a new version of the case in the workspace."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from detente.errors import CaseError, Problem
from detente.web._editor import (
    DraftError,
    check_draft,
    draft_of,
    new_draft,
    problem_dict,
    read_draft,
    validate_draft,
)
from detente.web._guard import MAX_DRAFT_BYTES
from detente.web._workspace import CaseRecord
from detente.web.deps import MAX_FORM_FIELDS, Context, NamedCase

__all__ = ["router"]

router = APIRouter()


def _editor(
    request: Request,
    context: Context,
    draft: dict[str, Any],
    parent: CaseRecord | None,
    status: int = 200,
    problems: Sequence[Problem] = (),
    note: str = "",
    error: str = "",
) -> HTMLResponse:
    return context.page(
        request,
        "editor.html.j2",
        status,
        draft=draft,
        parent=parent,
        versions=context.store.versions(parent.id) if parent is not None else [],
        problems=list(problems),
        note=note,
        error=error,
        max_draft_kib=MAX_DRAFT_BYTES // 2**10,
    )


@router.get("/editor/new", response_class=HTMLResponse)
def new_case(request: Request, context: Context) -> HTMLResponse:
    """The editor on a case started from nothing."""
    return _editor(request, context, new_draft(), None)


@router.get("/cases/{case_id}/edit", response_class=HTMLResponse)
async def edit_case(request: Request, record: NamedCase, context: Context) -> Response:
    """The editor on a stored case: saving makes a new version of it."""
    try:
        case = await context.load_base(record)
    except CaseError as exc:
        return context.case_page(request, record, None, 422, problems=exc.problems)
    return _editor(request, context, draft_of(case), record)


@router.post("/editor/check")
async def check(request: Request) -> JSONResponse:
    """Validate a draft (JSON ``{"draft": ..., "scenario": ...}``) and rank the states.

    200 with ``valid`` true, the warnings and each party's ranking, or with ``valid``
    false and the problems, each naming its field with the message the command line
    prints (the check answered: the problems are its answer, as the page shows them);
    400 for a body that is not such JSON; 415 for a body that is not JSON at all.
    """
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse(
            {"valid": False, "problems": [_plain("", "send the draft as JSON")]},
            status_code=415,
        )
    body = await request.body()
    try:
        draft, scenario = read_draft(body)
    except DraftError as exc:
        return JSONResponse(
            {"valid": False, "problems": [_plain(exc.field, str(exc))]}, status_code=400
        )
    status, answer = await anyio.to_thread.run_sync(check_draft, draft, scenario)
    return JSONResponse(answer, status_code=status, headers={"cache-control": "no-store"})


def _plain(field: str, message: str) -> dict[str, Any]:
    return problem_dict(Problem(message, path=(field,) if field else ()))


@router.post("/editor/save")
async def save(request: Request, context: Context) -> Response:
    """Store the draft (form field ``draft``, JSON) as a new version of the case (YAML)."""
    from detente.model.io import dumps

    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    text = form.get("draft")
    note = str(form.get("note") or "").strip()[:200]
    parent = context.maybe_case(str(form.get("parent") or "")) if form.get("parent") else None
    if form.get("parent") and parent is None:
        return context.message(request, 404, "The case this draft was started from is gone.")
    if not isinstance(text, str) or not text.strip():
        return _editor(
            request, context, new_draft(), parent, 422, error="The form holds no draft to save."
        )
    if len(text.encode("utf-8")) > MAX_DRAFT_BYTES:
        return _editor(
            request,
            context,
            new_draft(),
            parent,
            413,
            error=f"The draft is too large: drafts are limited to {MAX_DRAFT_BYTES // 2**10} KiB.",
        )
    try:
        draft, _ = read_draft(json.dumps({"draft": json.loads(text)}).encode())
    except (ValueError, RecursionError, DraftError) as exc:
        message = str(exc) if isinstance(exc, DraftError) else "the draft is not JSON text"
        return _editor(
            request,
            context,
            new_draft(),
            parent,
            400,
            error=f"The draft cannot be read: {message}.",
        )
    try:
        case = await anyio.to_thread.run_sync(validate_draft, draft)
    except CaseError as exc:
        return _editor(
            request,
            context,
            draft,
            parent,
            422,
            problems=exc.problems,
            note=note,
            error="The case was not saved: it has problems.",
        )
    content = await anyio.to_thread.run_sync(lambda: dumps(case, fmt="yaml"))
    lineage = context.store.versions(parent.id) if parent is not None else []
    number = sum(1 for r in lineage if r.kind == "version") + 1
    saved = context.store.add_case(
        kind="version",
        # a case built here was never a file: it is listed by its title
        name=parent.name if parent is not None else case.title,
        fmt="yaml",
        content=content,
        title=case.title,
        parent_id=parent.id if parent is not None else None,
        note=f"version {number}, saved from the case editor" + (f": {note}" if note else ""),
    )
    return RedirectResponse(f"/cases/{saved}", status_code=303)
