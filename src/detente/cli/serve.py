"""The web app's command: ``serve``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from detente.cli._app import EXAMPLES, command


@command(
    "serve",
    help="Serve the web app: load, validate and analyse cases in a browser."
    + EXAMPLES.format("detente serve --port 8000 --workspace ./detente-workspace"),
)
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="Address to bind; the default answers only this machine.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workspace: Annotated[
        str,
        typer.Option(
            "--workspace",
            metavar="FOLDER",
            help="Folder of the SQLite workspace that keeps uploaded cases and runs.",
        ),
    ] = "detente-workspace",
) -> None:
    try:
        from detente.web import serve as serve_web
    except ImportError as exc:
        from rich.markup import escape

        command = install_command(Path.cwd(), Path(__file__))
        Console(stderr=True).print(
            f"[bold red]error:[/bold red] the web app needs {escape(str(exc.name))}; "
            f"install it with: {escape(command)}"
        )
        raise typer.Exit(1) from None
    serve_web(host, port, workspace)


def _checkout(folder: Path) -> Path | None:
    """The source checkout of detente holding ``folder`` (its pyproject.toml names the
    project ``detente``), or None."""
    for parent in (folder, *folder.parents):
        pyproject = parent / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
            return parent if re.search(r'^name\s*=\s*"detente"\s*$', text, re.M) else None
    return None


def install_command(cwd: Path, module: Path) -> str:
    """How to install the web extra: from the checkout the user works in (``.[web]``),
    from the checkout this module runs from (an editable install), else from the
    package index."""
    here = _checkout(cwd.resolve())
    if here is not None:
        return "pip install '.[web]'" if here == cwd.resolve() else f"pip install '{here}[web]'"
    source = _checkout(module.resolve().parent)
    if source is not None:
        return f"pip install '{source}[web]'"
    return "pip install 'detente[web]'"
