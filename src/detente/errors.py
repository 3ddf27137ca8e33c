"""The exceptions detente raises.

::

    DetenteError
     +-- CaseError              a case (file or object) is invalid: exit code 2
     |    +-- MissingPartError  the case lacks a section the analysis needs
     |    +-- InfeasibleError   the constraints leave no feasible state
     |    +-- CaseTooLargeError the analysis would not fit in memory
     +-- AnalysisError          valid input, but the analysis failed: exit code 1

A :class:`CaseError` carries one :class:`Problem` per bad field, each naming the
file, the line, the field (a dotted path such as ``actors[2].capability``), what was
expected and what was found. Only the command line turns these into messages and
exit codes. This module imports nothing from detente.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

__all__ = [
    "AnalysisError",
    "CaseError",
    "CaseTooLargeError",
    "DetenteError",
    "InfeasibleError",
    "MissingPartError",
    "Problem",
    "in_file_order",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case.

    ``path`` is the location inside the case as a tuple of keys and list indices
    (a level in a value table is a number key); ``field`` renders it as
    ``options[3].controller``.
    """

    message: str
    path: tuple[str | int | float, ...] = ()
    file: str | None = None
    line: int | None = None
    column: int | None = None
    expected: str | None = None
    got: str | None = None

    @property
    def field(self) -> str:
        return format_path(self.path)

    def located(self, file: str | None, line: int | None, column: int | None = None) -> Problem:
        return replace(self, file=file, line=line, column=column)

    def __str__(self) -> str:
        where = self.file or ("<case>" if self.line is not None or self.path else "")
        if self.line is not None:
            where += f":{self.line}"
        parts = [where] if where else []
        if self.path:
            parts.append(self.field)
        text = ": ".join([*parts, self.message])
        if (
            self.expected
            and self.expected not in self.message
            and (self.got is None or self.got not in self.message)
        ):
            text += f" (expected {self.expected}"
            text += f", got {self.got})" if self.got is not None else ")"
        return text


def format_path(path: tuple[str | int | float, ...]) -> str:
    """Render a location path as ``a.b[2].c``."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += ("." if out else "") + str(key)
    return out


MAX_REPORTED = 50
"""A :class:`CaseError` keeps at most this many problems, then says how many more there were."""


class DetenteError(Exception):
    """Base class of every error detente raises on purpose."""

    exit_code = 1


class CaseError(DetenteError):
    """A case is invalid. Holds one :class:`Problem` per bad field."""

    exit_code = 2

    def __init__(self, problems: Problem | str | list[Problem], *, file: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        if file is not None:
            problems = [p if p.file else replace(p, file=file) for p in problems]
        problems = list(problems)
        if len(problems) > MAX_REPORTED:
            # An input with thousands of faults (50,000 copies of one actor) gets the
            # first ones and a count, not a message of thousands of lines.
            more = len(problems) - MAX_REPORTED
            problems = [
                *problems[:MAX_REPORTED],
                Problem(
                    f"... and {more:,} more problem{'s' if more != 1 else ''} like these",
                    file=problems[0].file,
                ),
            ]
        self.problems: list[Problem] = problems
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str | None:
        return self.problems[0].file if self.problems else None

    @property
    def line(self) -> int | None:
        return self.problems[0].line if self.problems else None

    @property
    def field(self) -> str:
        return self.problems[0].field if self.problems else ""


class MissingPartError(CaseError):
    """The case lacks a section that the requested analysis needs."""


class InfeasibleError(CaseError):
    """The constraints leave no feasible state (or the status quo is infeasible)."""


class CaseTooLargeError(CaseError):
    """The analysis would need more memory than allowed; refused before allocating."""


class AnalysisError(DetenteError):
    """The input is valid, but the analysis could not be carried out."""


def in_file_order(problems: Sequence[Problem]) -> list[Problem]:
    """Problems in the order they are reported, on the command line and in the web app:
    by file (in the order the files first come up), then by line and column; problems
    without a line stay after their file's others, and problems on one line keep their
    order (the checks found them independently)."""
    files: dict[str | None, int] = {}
    for p in problems:
        files.setdefault(p.file, len(files))
    return sorted(
        problems,
        key=lambda p: (files[p.file], p.line is None, p.line or 0, p.column or 0),
    )
