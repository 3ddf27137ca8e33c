"""Commands answered without building the command line (no typer, no rich, no case
model): ``detente --help`` (from :mod:`detente.cli._commands`) and ``detente cases``
in its common forms. Anything else, or anything these cannot lay out, goes to the
typer app, which gives the same output."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Sequence

__all__ = ["answer", "cases_table"]

from detente._columns import SEPARATOR


def answer(argv: Sequence[str]) -> bool:
    """Answer ``detente ARGV`` here if it is one of the light commands; False if the
    typer app should."""
    args = list(argv)
    if args in (["--help"], ["-h"]):
        from detente.cli._commands import main_help

        sys.stdout.write(main_help())
        return True
    if args[:1] == ["cases"]:
        fmt = _format(args[1:])
        if fmt is None:
            return False
        return _cases(fmt)
    return False


def _format(args: list[str]) -> str | None:
    """The output format of ``cases [--format F]``; None for any other arguments."""
    if not args:
        return "text"
    if len(args) == 2 and args[0] in ("--format", "-f"):
        value = args[1]
    elif len(args) == 1 and args[0].startswith("--format="):
        value = args[0].split("=", 1)[1]
    else:
        return None
    return value if value in ("text", "json", "markdown") else None


def _cases(fmt: str) -> bool:
    from detente import cases

    infos = cases.catalogue()
    if fmt == "json":
        data = [
            {
                "name": i.slug,
                "title": i.title,
                "description": i.description,
                "scenarios": list(i.scenarios),
            }
            for i in infos
        ]
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return True
    if fmt == "markdown":
        sys.stdout.write("".join(f"- **{i.slug}**: {i.description}\n" for i in infos))
        return True
    from detente.cli._commands import _color, _width

    rows = [[i.slug, i.description, ", ".join(i.scenarios) or "-"] for i in infos]
    text = cases_table(["Name", "Description", "Scenarios"], rows, _width(), bold=_color())
    if text is None:
        return False  # too narrow for columns: the full table transposes or stacks it
    sys.stdout.write(text)
    return True


def cases_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], width: int, *, bold: bool = False
) -> str | None:
    """A table laid out as :class:`detente.report.text.FittedTable` (``break_ids=False``)
    lays out its columns
    at ``width`` (the header, a heavy rule, one line per wrapped line of a row; no word
    split), lines without trailing spaces; None where the columns do not fit."""
    from detente._columns import column_floors, column_widths

    n = len(columns)
    columns = [str(c) for c in columns]
    rows = [[str(x) for x in row] for row in rows]
    if n < 2 or sum(column_floors(columns, rows, break_ids=False)) + SEPARATOR * (n - 1) > width:
        return None
    widths = column_widths(columns, rows, width, break_ids=False)
    header = [c.ljust(w) for c, w in zip(columns, widths, strict=True)]
    if bold:
        header = [
            f"\x1b[1m{c}\x1b[0m{' ' * (len(h) - len(c))}"
            for c, h in zip(columns, header, strict=True)
        ]
    lines = [" ┃ ".join(header).rstrip()]
    rule = ["━" * (w + (1 if k in (0, n - 1) else 2)) for k, w in enumerate(widths)]
    lines.append("╇".join(rule))
    for row in rows:
        wrapped = [
            [
                piece
                for line in (cell.splitlines() or [""])
                for piece in textwrap.wrap(line, w, break_long_words=False, break_on_hyphens=False)
                or [""]
            ]
            for cell, w in zip(row, widths, strict=True)
        ]
        for i in range(max(len(x) for x in wrapped)):
            parts = [
                (x[i] if i < len(x) else "").ljust(w) for x, w in zip(wrapped, widths, strict=True)
            ]
            lines.append(" │ ".join(parts).rstrip())
    return "\n".join(lines) + "\n"
