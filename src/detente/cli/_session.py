"""What the running command loaded (the case and where it came from), kept on the
invocation so that errors can name the file and line."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from rich.console import Console


@dataclass
class Session:
    """The case a command loaded and its source, for :func:`detente.cli.main`'s error messages."""

    source: str | None = None  # the file or built-in case, to name it in errors
    case: Any = None  # the loaded case, to give engine problems their line


# one per invocation: :func:`detente.cli.main` sets it, the commands fill it in
CURRENT: ContextVar[Session] = ContextVar("detente_cli_session")


def session() -> Session:
    """The running command's session: the one :func:`detente.cli.main` started, else a new one."""
    state = CURRENT.get(None)
    if state is None:
        state = Session()
        CURRENT.set(state)
    return state


def load_case(
    case,
    *,
    scenario: str | None = None,
    name: str | None = None,
    warn: bool = True,
    with_base: bool = False,
):
    """Load a case for a command, remembering where it came from for error messages;
    with ``warn``, say on standard error what is valid but suspicious in it; with
    ``with_base``, return the case without its scenario too (base, view)."""
    from pathlib import Path

    from detente import cases, load

    label = name if name is not None else str(case)
    looks_like_file = Path(label).exists() or (
        bool(Path(label).suffix or "/" in label) and not cases.is_builtin(label)
    )
    state = session()
    state.source = label if looks_like_file else f"built-in case '{label}'"
    path = Path(str(case))
    if isinstance(case, str) and path.suffix.lower() in (".csv", ".xml") and path.is_file():
        # a forecasting table (plain or KTAB CSV, KTAB XML) is a case of actors and issues
        from detente._loading import read_forecast_table

        case = read_forecast_table(path)
    loaded = load(case, scenario=scenario)
    state.case = loaded
    if with_base:
        base = loaded.base  # the case as read, without its scenario (not read twice)
        state.case = base
        return base, loaded
    if warn:
        from detente.cli._output import print_labelled
        from detente.model.checks import case_warnings

        console = Console(stderr=True, soft_wrap=True, highlight=False)
        for warning in case_warnings(loaded):
            print_labelled(console, "warning", "", str(warning))
    return loaded
