"""The ``detente`` command line at a glance, without typer or rich: the app's help, its
options, and each command's family, panel and one-line summary.

The typer app is built from this registry (:mod:`detente.cli._app` takes the help, each
family's ``@command("name", ...)`` its name, panel and summary), and
``detente --help`` is printed from it directly (:func:`main_help`), so that the
commonest first command a user types answers at once and cannot drift from the app.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from typing import Any, NamedTuple

__all__ = ["APP_HELP", "COMMANDS", "OPTIONS", "PANELS", "command", "main_help"]

APP_HELP = (
    "Analyse deadlocked multilateral negotiations: which outcomes are stable, where "
    "bargaining is heading, which packages every party could accept and in which forum "
    "an agreement becomes possible.\n\n"
    "Run with no command to analyse the built-in case (the North Korean "
    "denuclearisation deadlock)."
)

PANELS = {
    "reports": "Analyses",
    "cases": "Cases",
    "graph_model": "Graph model",
    "forecasting": "Forecasting",
    "bargaining": "Bargaining",
    "serve": "Web app",
}
"""Each family's module (under :mod:`detente.cli`) and the panel its commands are listed
under, in the order ``--help`` lists them."""


class Command(NamedTuple):
    family: str
    summary: str


COMMANDS: dict[str, Command] = {
    "analyze": Command("reports", "Analyse a case with every engine and print the report."),
    "wayout": Command("reports", "Phased paths from the status quo to an agreement."),
    "compare": Command("reports", "Several scenarios of a case, side by side."),
    "show": Command("cases", "Print a case: parties, options, issues and proposals."),
    "cases": Command("cases", "List the built-in cases."),
    "validate": Command("cases", "Check a case file and say what it holds."),
    "schema": Command("cases", "Print the JSON Schema of the case format."),
    "export": Command("cases", "Write a case as a gmcr-py save file, JSON or YAML."),
    "stability": Command("graph_model", "Stable states and equilibria under each concept."),
    "preferences": Command("graph_model", "Each party's ranking of the states."),
    "status-quo": Command("graph_model", "Where the status quo can go by improvements."),
    "inverse": Command("graph_model", "Which preferences would make a state stable."),
    "explain": Command("graph_model", "Why a state is stable or unstable for a party."),
    "history": Command("graph_model", "What the recorded history says about each party."),
    "evolution": Command("graph_model", "Where improvements lead from a state, as a Markov chain."),
    "perception": Command("graph_model", "Each party's view of the game (hypergame)."),
    "robustness": Command("graph_model", "The fewest changes of priorities that upset a state."),
    "uncertain": Command("graph_model", "Stability when preferences are uncertain."),
    "forecast": Command("forecasting", "Where the bargaining on each issue is heading."),
    "backtest": Command("forecasting", "Check the forecasting models against outcomes."),
    "bargain": Command("bargaining", "Acceptable packages, blockers and forums."),
    "serve": Command("serve", "Serve the web app."),
}
"""Every command, in the order ``--help`` lists them within their panel."""

OPTIONS = (
    ("--version", "", "Print the version and exit."),
    ("--help", "-h", "Show this message and exit."),
)
"""The app's own options: long name, short name, help."""


def command(name: str) -> dict[str, Any]:
    """The keyword arguments of ``app.command`` that come from the registry."""
    info = COMMANDS[name]
    return {"name": name, "rich_help_panel": PANELS[info.family], "short_help": info.summary}


# -- detente --help -------------------------------------------------------------------
def main_help(*, width: int | None = None, color: bool | None = None) -> str:
    """The top-level help, laid out as typer lays out a group's help (the usage, the
    help, then rounded panels of options and of commands, as rich draws them), at
    ``width`` columns (default: the terminal's, as rich measures it)."""
    if width is None:  # typer draws its help at TERMINAL_WIDTH columns where that is set
        fixed = os.environ.get("TERMINAL_WIDTH", "")
        width = int(fixed) if fixed.isdigit() and int(fixed) > 0 else _width()
    color = _color() if color is None else color
    blank = " " * width
    lines = [
        blank,
        _pad(" " + _style("1", color)("Usage: detente [OPTIONS] COMMAND [ARGS]..."), width),
    ]
    lines.append(blank)
    for k, paragraph in enumerate(APP_HELP.split("\n\n")):
        if k:
            lines.append(blank)
        lines += [_pad(" " + line, width) for line in _wrap(paragraph, width - 2)]
    lines.append(blank)
    # rich's table of options: long name, short name, then three empty columns (negative
    # forms and the value's type), two spaces apart
    long_width = max(len(o[0]) for o in OPTIONS)
    short_width = max(len(o[1]) for o in OPTIONS)
    option = _style("1;36", color)
    switch = _style("1;32", color)
    rows = [
        (option(long.ljust(long_width)) + "  " + switch(short.ljust(short_width)) + " " * 6, text)
        for long, short, text in OPTIONS
    ]
    lines += _panel("Options", rows, long_width + 2 + short_width + 6, width, color)
    longest = max(len(name) for name in COMMANDS)
    for family, title in PANELS.items():
        rows = [
            (option(name.ljust(longest)), info.summary)
            for name, info in COMMANDS.items()
            if info.family == family
        ]
        lines += _panel(title, rows, longest, width, color)
    return "\n".join(lines) + "\n\n"


def _panel(
    title: str, rows: list[tuple[str, str]], first: int, width: int, color: bool
) -> list[str]:
    """A rounded box titled ``title``: each row's first cell (``first`` columns wide,
    padded already), two spaces, then its text wrapped in the rest of the box."""
    dim = _style("2", color)
    room = max(width - 4 - first - 2, 10)  # the borders, a space inside each, the gap
    out = [dim("╭─ ") + title + dim(" " + "─" * max(width - len(title) - 5, 0) + "╮")]
    for cell, text in rows:
        for k, line in enumerate(_wrap(text, room) or [""]):
            left = cell if k == 0 else " " * first
            out.append(dim("│") + " " + left + "  " + line.ljust(room) + " " + dim("│"))
    out.append(dim("╰" + "─" * (width - 2) + "╯"))
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, words and numbers kept whole."""
    return textwrap.wrap(
        " ".join(text.split()), width, break_long_words=False, break_on_hyphens=False
    )


def _pad(line: str, width: int) -> str:
    """``line`` padded with spaces to ``width`` visible columns (as rich pads)."""
    visible = len(_ESCAPE.sub("", line))
    return line + " " * max(width - visible, 0)


_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _style(code: str, color: bool) -> Any:
    if not color:
        return lambda text: text
    return lambda text: f"\x1b[{code}m{text}\x1b[0m" if text.strip() else text


def _width() -> int:
    """The terminal's width as rich measures it: ``COLUMNS``, else the terminal, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        try:
            return os.get_terminal_size(sys.stdout.fileno()).columns
        except OSError:
            return 80
    return 80


def _color() -> bool:
    """Colours on a terminal, unless ``NO_COLOR`` is set or the terminal is dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()
