"""The home page, the health check and the app's own copy of plotly.js."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from detente import __version__
from detente.web._pages import plotly_js
from detente.web.deps import Context

__all__ = ["router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def index(request: Request, context: Context) -> HTMLResponse:
    return context.home(request)


@router.get("/favicon.ico")
async def favicon() -> Response:
    return Response(status_code=204)


@router.get("/healthz")
async def healthz() -> dict[str, Any]:
    return {"status": "ok", "version": __version__}


@router.get("/assets/plotly.min.js")
async def plotly() -> Response:
    return Response(
        plotly_js(),
        media_type="text/javascript; charset=utf-8",
        headers={"cache-control": "public, max-age=86400"},
    )
