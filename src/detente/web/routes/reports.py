"""A run's results as downloads: the HTML report, the Markdown report, the JSON results."""

from __future__ import annotations

import functools
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from detente.web._context import utility_pair
from detente.web._pages import shown
from detente.web._runs import report_from_results
from detente.web._workspace import RunRecord
from detente.web.deps import Context

__all__ = ["router"]

router = APIRouter()


def _finished(context: Context, run_id: str) -> RunRecord | None:
    run = context.maybe_run(run_id)
    return run if run is not None and run.results is not None else None


def _none(request: Request, context: Context, run_id: str) -> Response:
    if context.maybe_run(run_id) is None:
        return context.message(request, 404, f"There is no run #{shown(run_id)} in this workspace.")
    return context.message(request, 404, f"Run #{shown(run_id)} has no results to download.")


@router.get("/runs/{run_id}/report.html")
async def download_html(
    request: Request,
    run_id: str,
    context: Context,
    pair: Annotated[list[str] | None, Query(max_length=400)] = None,
) -> Response:
    """The HTML report; ``pair`` as on the run's page (bargaining's utility space)."""
    run = _finished(context, run_id)
    if run is None or run.results is None:
        return _none(request, context, run_id)
    report = report_from_results(run.results)
    _, chosen, _ = utility_pair(run.results, (pair or [])[:3])
    options = {"bargaining": {"pair": chosen}} if chosen else None
    html = await anyio.to_thread.run_sync(functools.partial(report.to_html, figure_options=options))
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


@router.get("/runs/{run_id}/report.md")
async def download_markdown(request: Request, run_id: str, context: Context) -> Response:
    run = _finished(context, run_id)
    if run is None or run.results is None:
        return _none(request, context, run_id)
    text = await anyio.to_thread.run_sync(report_from_results(run.results).to_markdown)
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="detente-run-{run.id}.md"'},
    )


@router.get("/runs/{run_id}/results.json")
async def download_json(request: Request, run_id: str, context: Context) -> Response:
    run = _finished(context, run_id)
    if run is None or run.results is None:
        return _none(request, context, run_id)
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
