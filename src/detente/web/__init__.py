"""The web app: load, validate and analyse cases in a browser (``detente serve``).

:func:`serve` runs the app with uvicorn; :func:`create_app` builds it (for tests, or
to mount under another ASGI server). Needs the ``web`` extra: fastapi, uvicorn,
python-multipart and asgi-csrf.
"""

from __future__ import annotations

from pathlib import Path

from detente.web._runs import Limits
from detente.web._workspace import Workspace, WorkspaceError
from detente.web.app import DEFAULT_WORKSPACE, MAX_UPLOAD_BYTES, create_app

__all__ = [
    "DEFAULT_WORKSPACE",
    "MAX_UPLOAD_BYTES",
    "Limits",
    "WorkspaceError",
    "create_app",
    "serve",
]

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workspace: str | Path = DEFAULT_WORKSPACE,
    *,
    workers: int = 2,
) -> None:
    """Serve the web app until interrupted (Ctrl-C).

    Parameters
    ----------
    host : str
        Address to bind; the default answers only this machine.
    port : int
    workspace : str or Path
        Folder of the SQLite workspace that keeps uploaded cases and every run.
    workers : int
        Worker processes, so analyses that may run at once.

    Raises
    ------
    WorkspaceError
        The workspace file is damaged, or another server is using the workspace.
    """
    import uvicorn

    # On a loopback address, answer only to loopback names (a guard against DNS rebinding).
    allowed = LOOPBACK | {host} if host in LOOPBACK else None
    store = Workspace(workspace)
    # Claimed before the server starts, so a second server stops with a clear message;
    # the app's own start claims it again (claims nest within a process).
    interrupted = store.claim()
    try:
        app = create_app(workspace, workers=workers, allowed_hosts=allowed)
        print(f"detente {_version()}: workspace {Path(workspace).resolve()}")
        if interrupted:
            print(f"{interrupted} run(s) cut off when the server last stopped: marked interrupted")
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    finally:
        store.release()


def _version() -> str:
    from detente import __version__

    return __version__
