"""The ``detente`` command. Each command parses its options and calls one function;
formatting lives in :mod:`detente.report`. Only :func:`main` turns errors into
messages and exit codes: 0 ok, 1 analysis failed, 2 bad input.

One module per family of commands, each importing its engine only when it runs:
:mod:`~detente.cli.reports` (``analyze``, ``wayout``, ``compare``),
:mod:`~detente.cli.cases`, :mod:`~detente.cli.graph_model`,
:mod:`~detente.cli.forecasting`, :mod:`~detente.cli.bargaining` and
:mod:`~detente.cli.serve`. Their names, panels and summaries come from one registry,
:mod:`~detente.cli._commands`, from which ``detente --help`` is printed without building
the command line; ``detente cases`` is answered likewise (:mod:`~detente.cli._light`).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from detente.cli._commands import PANELS

if TYPE_CHECKING:
    import typer

    from detente.cli._session import Session
    from detente.errors import DetenteError

# each family registers its commands on ``app``; ``--help`` lists them in this order
FAMILIES = tuple(PANELS)

__all__ = ["app", "main"]


def application() -> typer.Typer:
    """The ``detente`` application with every family's commands registered."""
    from detente.cli._app import app

    for family in FAMILIES:
        importlib.import_module(f"detente.cli.{family}")
    return app


def __getattr__(name: str) -> Any:
    # ``detente.cli.app``, built on first use: ``detente --version`` needs none of it
    if name == "app":
        return application()
    raise AttributeError(f"module 'detente.cli' has no attribute {name!r}")


def _report_error(exc: DetenteError, state: Session) -> None:
    from rich.console import Console

    from detente.cli._output import message_width, prefix_width, print_labelled, wrapped
    from detente.errors import CaseError, in_file_order

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    problems = exc.problems if isinstance(exc, CaseError) else []
    if state.case is not None:
        # An engine's problem names a path in the case: give it the file's line too.
        problems = [state.case.locate(p) for p in problems]
    if state.source:
        problems = [p if p.file else p.located(state.source, p.line, p.column) for p in problems]
    if problems:
        problems = in_file_order(problems)
        label = "error" if len(problems) == 1 else f"{len(problems)} errors"
        err.print(f"[bold red]{label}[/bold red]:", markup=True)
        for problem in problems:
            text = wrapped(str(problem), message_width(err), indent=2, hang=prefix_width(problem))
            err.print(text, markup=False)
    else:
        print_labelled(err, "error", "bold red", str(exc))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings from detente as clean lines on standard error, without source lines."""
    from rich.console import Console

    from detente.cli._output import print_labelled

    print_labelled(
        Console(stderr=True, highlight=False, soft_wrap=True), "warning", "", str(message)
    )


def main() -> None:
    """Entry point of the ``detente`` console script."""
    if sys.argv[1:] == ["--version"]:  # answered before the command line is built
        from detente import __version__

        sys.stdout.write(f"detente {__version__}\n")
        return
    from detente.cli._light import answer

    if answer(sys.argv[1:]):  # `--help` and `cases`, without building the command line
        return
    import warnings

    from rich.console import Console

    from detente.cli._session import CURRENT, Session
    from detente.errors import DetenteError

    app = application()
    warnings.showwarning = _show_warning
    state = Session()
    CURRENT.set(state)
    try:
        app()  # standalone: usage errors print themselves and exit 2
    except DetenteError as exc:
        _report_error(exc, state)
        sys.exit(exc.exit_code)
    except MemoryError:
        Console(stderr=True, highlight=False).print(
            "[bold red]error:[/bold red] the case is too large for this machine's memory"
        )
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence against tracebacks
        if os.environ.get("DETENTE_DEBUG"):
            raise
        from detente.cli._output import message_width, print_labelled, wrapped

        err = Console(stderr=True, highlight=False, soft_wrap=True)
        print_labelled(err, "internal error", "bold red", f"{type(exc).__name__}: {exc}")
        advice = (
            "This is a bug in detente. Run again with DETENTE_DEBUG=1 to see where it "
            "happened, and report it."
        )
        err.print(wrapped(advice, message_width(err)), markup=False)
        sys.exit(1)
