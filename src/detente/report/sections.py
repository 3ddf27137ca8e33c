"""A report section: findings in plain words first, then the tables behind them.

Each engine's results become one :class:`Section` (see the ``*_section``
functions); the terminal, Markdown and HTML renderers all draw the same sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Section", "Table", "join_names"]


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str | None = None


@dataclass(frozen=True)
class Section:
    """One engine's findings: sentences a reader can act on, and the tables behind them."""

    key: str
    title: str
    findings: list[str]
    tables: list[Table] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    if not names:
        return "nobody"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
