"""The web app's routes, one router per area: pages (the home page and assets), cases
(opening, uploading, showing and running them), runs (their pages, progress,
re-runs and cancelling), reports (downloads of a run's results) and the case editor.
Each takes what it needs as dependencies (:mod:`detente.web.deps`)."""

from __future__ import annotations

from detente.web.routes import cases, editor, pages, reports, runs

__all__ = ["ROUTERS"]

ROUTERS = (pages.router, cases.router, runs.router, reports.router, editor.router)
