"""How a table's columns share a width without splitting a word: one plain-Python layout
for :class:`detente.report.text.FittedTable` (drawn with rich) and for the light
``detente cases`` (drawn without it), so that both print the same table."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["SEPARATOR", "column_floors", "column_widths", "id_parts", "wrap_id"]

SEPARATOR = 3
"""`` │ `` between two columns (no outer edge, no edge padding)."""


def id_parts(cell: str) -> list[str]:
    """The pieces a row name may break into: its words, and an identifier's pieces
    after each underscore ("trilateral_" "exercises")."""
    return [part for word in cell.split() for part in re.findall(r"[^_]*_|[^_]+", word)]


def wrap_id(cell: str, width: int) -> str:
    """``cell`` with a line break after an underscore wherever an identifier longer than
    ``width`` needs one (a table would otherwise fold it mid-word); other words are kept
    as they are, for the table to wrap at their spaces (so prose stays prose)."""
    if len(cell) <= width or "_" not in cell:
        return cell
    words: list[str] = []
    for word in cell.split(" "):
        if len(word) <= width or "_" not in word:
            words.append(word)
            continue
        lines: list[str] = []
        line = ""
        for part in re.findall(r"[^_]*_|[^_]+", word):
            if line and len(line) + len(part) > width:
                lines.append(line)
                line = part
            else:
                line += part
        lines.append(line)
        words.append("\n".join(lines))
    return " ".join(words)


def column_floors(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    whole_cells: bool = False,
    break_ids: bool = True,
) -> list[int]:
    """Each column's narrowest width that splits no word: its longest word (with
    ``break_ids`` the first column's row names may break after an underscore; with
    ``whole_cells`` the other columns' cells are kept whole, line by line)."""
    floors = []
    for k, column in enumerate(columns):
        header = max((len(word) for word in column.split()), default=1)
        cells = [row[k] for row in rows if k < len(row)]
        if whole_cells and k > 0:
            pieces = [len(line) for cell in cells for line in cell.splitlines()]
        elif k == 0 and break_ids:
            pieces = [len(part) for cell in cells for part in id_parts(cell)]
        else:
            pieces = [len(word) for cell in cells for word in cell.split()]
        floors.append(max([header, *pieces]))
    return floors


def column_widths(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    whole_cells: bool = False,
    break_ids: bool = True,
) -> list[int]:
    """Each column's width at ``width``: its natural width (its longest line), the widest
    narrowed first (a column wider than its cells, only for its header, before any
    other), never below :func:`column_floors`; with three columns or more, the first
    (the rows' names) keeps up to a third of the width until the others reach their
    floors."""
    n = len(columns)
    floors = column_floors(columns, rows, whole_cells=whole_cells, break_ids=break_ids)
    cells = [
        max((len(line) for row in rows if k < len(row) for line in row[k].splitlines()), default=1)
        for k in range(n)
    ]
    natural = [max(len(line) for line in (columns[k].splitlines() or [""])) for k in range(n)]
    widths = [max(natural[k], cells[k], floors[k]) for k in range(n)]
    room = width - SEPARATOR * max(n - 1, 0)
    # the first column names the rows: it keeps up to a third of the room while the other
    # columns can still narrow (else many narrow columns leave a row's name a word a line)
    fair = list(floors)
    if n > 2:
        fair[0] = max(floors[0], min(widths[0], room // 3))
    for limits in (fair, floors):
        while sum(widths) > room:
            k = max(
                range(n), key=lambda j: (widths[j] > limits[j], widths[j] > cells[j], widths[j])
            )
            if widths[k] <= limits[k]:
                break
            widths[k] -= 1
    return widths
