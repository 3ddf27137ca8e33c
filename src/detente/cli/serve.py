"""The web app's command: ``serve``."""

from __future__ import annotations

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
        from pathlib import Path

        from rich.markup import escape

        # from a checkout, the extra is installed from the checkout itself
        checkout = (Path(__file__).resolve().parents[3] / "pyproject.toml").exists()
        command = "pip install '.[web]'" if checkout else "pip install 'detente[web]'"
        Console(stderr=True).print(
            f"[bold red]error:[/bold red] the web app needs {escape(str(exc.name))}; "
            f"install it with: {escape(command)}"
        )
        raise typer.Exit(1) from None
    serve_web(host, port, workspace)
