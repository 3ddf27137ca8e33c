"""Runs: the list, a run's page and its progress, re-running and cancelling."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from detente.errors import CaseError
from detente.web._context import run_status
from detente.web._pages import shown
from detente.web._runs import ENGINES, scenario_view
from detente.web._workers import Busy
from detente.web.deps import Context, NamedRun
from detente.web.routes.cases import in_background

__all__ = ["router"]

router = APIRouter()

CANCEL_WAIT = 5.0
"""Seconds a cancel request waits for the run to be recorded as cancelled."""


@router.get("/runs", response_class=HTMLResponse)
def list_runs(request: Request, context: Context) -> HTMLResponse:
    return context.page(
        request, "runs.html.j2", runs=context.store.runs(limit=500), engines=ENGINES
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def show_run(
    request: Request,
    run: NamedRun,
    context: Context,
    compare: str | None = None,
    pair: Annotated[list[str] | None, Query(max_length=400)] = None,
) -> Response:
    """A run's page; ``pair`` (``A,B``, or twice, as the page's form sends it) names the
    two parties of bargaining's utility space, as ``detente analyze --pair`` does."""
    other = context.maybe_run(compare)
    return context.run_page(
        request, run, status=run_status(run), compare=other, pair=(pair or [])[:3]
    )


@router.get("/runs/{run_id}/progress")
def run_progress(run_id: str, context: Context) -> JSONResponse:
    """How far a run has gone, for the progress bar of its page (static/progress.js)."""
    run = context.maybe_run(run_id)
    if run is None:
        return JSONResponse(
            {"error": f"There is no run #{shown(run_id)} in this workspace."}, status_code=404
        )
    body = context.progress(run).to_dict()
    if run.status == "running" and not context.running_here(run.id):
        body["error"] = "this run is not going on in this server"
    return JSONResponse(body, headers={"cache-control": "no-store"})


@router.post("/runs/{run_id}/rerun")
async def rerun(request: Request, run: NamedRun, context: Context) -> Response:
    record = context.store.case(run.case_id)
    assert record is not None
    background = await in_background(request)
    try:
        base = await context.load_base(record)
        if run.engine != "compare":
            scenario_view(base, run.scenario)  # an unknown scenario is refused here
        again = await context.run_analysis(
            record, run.scenario, run.engine, run.parameters, rerun_of=run.id, wait=not background
        )
    except CaseError as exc:
        return context.message(request, 422, "; ".join(str(p) for p in exc.problems))
    except Busy:
        return context.busy(request)
    return context.run_response(request, again)


@router.post("/runs/{run_id}/cancel")
async def cancel(request: Request, run: NamedRun, context: Context) -> Response:
    if run.status == "running" and not context.pool.cancel(run.id):
        # running in the record but not in this server: left by another process
        return context.message(request, 409, f"Run #{run.id} is not running in this server.")
    # the run's own task records the cancellation once its worker has stopped
    with anyio.move_on_after(CANCEL_WAIT):
        while True:
            again = context.store.run(run.id)
            if again is None or again.status != "running":
                break
            await anyio.sleep(0.05)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)
