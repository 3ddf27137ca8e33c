"""Long-format tables of many issues and their recorded outcomes, for backtests.

Two CSV tables, in the format of the DEU data sets (Thomson et al. 2006; Arregui and
Perarnaud 2021):

- a *stance table*, ``issue,actor,capability,position,salience``: one row per actor
  holding a position on an issue (the actors may differ from issue to issue);
- an *outcome table*, ``issue,outcome`` and optionally ``proposal`` (issues of one
  proposal are resampled together), ``reference_point`` (the status quo) and any
  other columns, kept as text (``voting``, ``procedure``, ...) to break results down.

Both readers check every cell and raise one :class:`~detente.errors.CaseError` that
names the file, the line and the column of each bad cell. Issues that cannot be
tested (no outcome, fewer than two actors, no stances) are not errors: the backtest
lists them as skipped.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from detente.errors import CaseError, Problem
from detente.model.limits import limits

__all__ = [
    "MAX_TABLE_ROWS",
    "IssueOutcome",
    "IssueStances",
    "parse_outcome_table",
    "parse_stance_table",
    "read_outcome_table",
    "read_stance_table",
]

MAX_TABLE_ROWS = 200_000
"""Tables with more rows than this are refused (DEU III has about 6,000 stances)."""

MAX_CELL_CHARS = 1_000
"""No cell of these tables needs more characters than this."""

STANCE_COLUMNS = ("issue", "actor", "capability", "position", "salience")


@dataclass(frozen=True)
class IssueStances:
    """The actors' stances on one issue, in the order of the table's rows."""

    issue: str
    actors: tuple[str, ...]
    capability: tuple[float, ...]
    position: tuple[float, ...]
    salience: tuple[float, ...]
    line: int
    """The line of the issue's first row."""


@dataclass(frozen=True)
class IssueOutcome:
    """The recorded outcome of one issue, with what else the outcome table says of it."""

    issue: str
    outcome: float | None
    """None where the cell is empty (the issue is skipped)."""
    group: str
    """The proposal the issue belongs to (the issue itself without a ``proposal`` column)."""
    reference_point: float | None
    attributes: dict[str, str] = field(default_factory=dict)
    """The table's other columns (voting rule, procedure, ...), as text."""
    line: int = 0


def read_stance_table(
    path: str | Path, *, scale: tuple[float, float] = (0.0, 100.0)
) -> tuple[IssueStances, ...]:
    """Read a stance table from a file (see :func:`parse_stance_table`)."""
    return parse_stance_table(_text(Path(path)), file=str(path), scale=scale)


def read_outcome_table(
    path: str | Path, *, scale: tuple[float, float] = (0.0, 100.0)
) -> tuple[IssueOutcome, ...]:
    """Read an outcome table from a file (see :func:`parse_outcome_table`)."""
    return parse_outcome_table(_text(Path(path)), file=str(path), scale=scale)


def parse_stance_table(
    text: str, *, file: str = "<stances>", scale: tuple[float, float] = (0.0, 100.0)
) -> tuple[IssueStances, ...]:
    """Parse ``issue,actor,capability,position,salience`` rows, grouped by issue.

    Capabilities must be finite and > 0, positions on ``scale``, saliences in
    [0, 1] (shares; a table on a 0-100 salience scale is refused with a hint), and
    an actor may hold one stance per issue.

    Raises
    ------
    CaseError
        Missing columns, empty or non-numeric cells, values out of range, repeated
        actor rows; each problem names the file, the line and the column.

    Examples
    --------
    >>> t = parse_stance_table("issue,actor,capability,position,salience\\n"
    ...                        "i1,a,1,0,0.5\\ni1,b,2,100,1\\n")
    >>> t[0].issue, t[0].actors, t[0].position
    ('i1', ('a', 'b'), (0.0, 100.0))
    """
    header_line, names, rows = _table(text, file, need=STANCE_COLUMNS)
    col = {name: names.index(name) for name in STANCE_COLUMNS}
    lo, hi = scale
    problems: list[Problem] = []
    grouped: dict[str, list[tuple[int, str, float, float, float]]] = {}
    first_line: dict[str, int] = {}
    seen: dict[tuple[str, str], int] = {}
    salience_above_one = 0
    for line, rec in rows:
        issue = _cell(rec, col["issue"])
        actor = _cell(rec, col["actor"])
        for name, value in (("issue", issue), ("actor", actor)):
            if not value:
                problems.append(Problem(f"{name} is empty", path=(name,), file=file, line=line))
        c = _number(rec, col["capability"], "capability", line, file, problems)
        x = _number(rec, col["position"], "position", line, file, problems)
        s = _number(rec, col["salience"], "salience", line, file, problems)
        if c is not None and c <= 0:
            problems.append(_range("capability", "> 0", c, line, file))
            c = None
        if x is not None and not lo <= x <= hi:
            problems.append(_range("position", f"on the scale [{lo:g}, {hi:g}]", x, line, file))
            x = None
        if s is not None and not 0 <= s <= 1:
            salience_above_one += s > 1
            problems.append(_range("salience", "a share in [0, 1]", s, line, file))
            s = None
        if issue and actor:
            if (issue, actor) in seen:
                problems.append(
                    Problem(
                        f"actor {actor!r} has a second row on issue {issue!r} "
                        f"(the first is on line {seen[issue, actor]})",
                        path=("actor",),
                        file=file,
                        line=line,
                    )
                )
            seen.setdefault((issue, actor), line)
        if issue and actor and c is not None and x is not None and s is not None:
            grouped.setdefault(issue, []).append((line, actor, c, x, s))
            first_line.setdefault(issue, line)
    if salience_above_one:
        problems.append(
            Problem(
                "saliences are shares in [0, 1]; divide a 0-100 salience column by 100",
                path=("salience",),
                file=file,
                line=header_line,
            )
        )
    if problems:
        raise CaseError(problems[:50] + _more(problems, 50, file))
    return tuple(
        IssueStances(
            issue=issue,
            actors=tuple(r[1] for r in rows_),
            capability=tuple(r[2] for r in rows_),
            position=tuple(r[3] for r in rows_),
            salience=tuple(r[4] for r in rows_),
            line=first_line[issue],
        )
        for issue, rows_ in grouped.items()
    )


def parse_outcome_table(
    text: str, *, file: str = "<outcomes>", scale: tuple[float, float] = (0.0, 100.0)
) -> tuple[IssueOutcome, ...]:
    """Parse ``issue,outcome`` rows (plus ``proposal``, ``reference_point`` and any text columns).

    An empty outcome cell is allowed (the backtest skips the issue and says so); an
    empty reference point means the data have none.

    Raises
    ------
    CaseError
        Missing columns, repeated issues, non-numeric or off-scale outcomes and
        reference points; each problem names the file, the line and the column.

    Examples
    --------
    >>> t = parse_outcome_table("issue,proposal,voting,outcome\\ni1,p1,QMV,40\\n")
    >>> t[0].outcome, t[0].group, t[0].attributes
    (40.0, 'p1', {'voting': 'QMV'})
    """
    _header_line, names, rows = _table(text, file, need=("issue", "outcome"))
    i_issue, i_out = names.index("issue"), names.index("outcome")
    i_group = names.index("proposal") if "proposal" in names else None
    i_ref = names.index("reference_point") if "reference_point" in names else None
    others = [
        (i, name)
        for i, name in enumerate(names)
        if name and name not in ("issue", "outcome", "proposal", "reference_point")
    ]
    lo, hi = scale
    problems: list[Problem] = []
    out: list[IssueOutcome] = []
    seen: dict[str, int] = {}
    for line, rec in rows:
        issue = _cell(rec, i_issue)
        if not issue:
            problems.append(Problem("issue is empty", path=("issue",), file=file, line=line))
            continue
        if issue in seen:
            problems.append(
                Problem(
                    f"issue {issue!r} has a second row (the first is on line {seen[issue]})",
                    path=("issue",),
                    file=file,
                    line=line,
                )
            )
            continue
        seen[issue] = line
        values: dict[str, float | None] = {}
        for name, index in (("outcome", i_out), ("reference_point", i_ref)):
            if index is None or not _cell(rec, index):
                values[name] = None
                continue
            v = _number(rec, index, name, line, file, problems)
            if v is not None and not lo <= v <= hi:
                problems.append(_range(name, f"on the scale [{lo:g}, {hi:g}]", v, line, file))
                v = None
            values[name] = v
        group = _cell(rec, i_group) if i_group is not None else ""
        out.append(
            IssueOutcome(
                issue=issue,
                outcome=values["outcome"],
                group=group or issue,
                reference_point=values["reference_point"],
                attributes={name: _cell(rec, i) for i, name in others},
                line=line,
            )
        )
    if problems:
        raise CaseError(problems[:50] + _more(problems, 50, file))
    return tuple(out)


def _text(path: Path) -> str:
    name = str(path)
    if not path.is_file():
        raise CaseError(Problem("no such file" if not path.exists() else "not a file"), file=name)
    size = path.stat().st_size
    if size > limits().bytes:
        raise CaseError(
            Problem(
                f"the table is {size / 2**20:.1f} MiB; tables are limited to "
                f"{limits().bytes / 2**20:g} MiB (set DETENTE_MAX_BYTES to change the limit)"
            ),
            file=name,
        )
    data = path.read_bytes()
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CaseError(Problem("this is a binary file, not a CSV table", line=line), file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaseError(Problem("the file is not UTF-8 text", line=line), file=name) from None


def _table(
    text: str, file: str, *, need: tuple[str, ...]
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header line, the lower-cased column names and the non-blank records with their lines."""
    if len(text) > limits().bytes:
        raise CaseError(
            Problem(f"the table is larger than {limits().bytes / 2**20:g} MiB"), file=file
        )
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise CaseError(Problem("this is a binary file, not a CSV table", line=line), file=file)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for rec in reader:
            if any(len(cell) > MAX_CELL_CHARS for cell in rec):
                raise CaseError(
                    Problem(f"a cell is longer than {MAX_CELL_CHARS:,} characters", line=line),
                    file=file,
                )
            if any(cell.strip() for cell in rec):
                records.append((line, rec))
                if len(records) > MAX_TABLE_ROWS + 1:
                    raise CaseError(
                        Problem(f"the table has more than {MAX_TABLE_ROWS:,} rows", line=line),
                        file=file,
                    )
            line = reader.line_num + 1
    except csv.Error as exc:
        reason = (
            f"a cell is longer than {csv.field_size_limit():,} characters"
            if "field limit" in str(exc)
            else f"not a readable CSV table: {exc}"
        )
        raise CaseError(Problem(reason, line=line), file=file) from None
    if not records:
        raise CaseError(Problem("the table is empty", line=1), file=file)
    header_line, header = records[0]
    names = [h.strip().lower() for h in header]
    missing = [c for c in need if c not in names]
    if missing:
        raise CaseError(
            [
                Problem(
                    f"missing column {c!r} (the header needs {', '.join(need)})",
                    path=(c,),
                    line=header_line,
                )
                for c in missing
            ],
            file=file,
        )
    return header_line, names, records[1:]


def _cell(rec: list[str], index: int) -> str:
    return rec[index].strip() if index < len(rec) else ""


def _number(
    rec: list[str], index: int, name: str, line: int, file: str, problems: list[Problem]
) -> float | None:
    text = _cell(rec, index)
    try:
        value = float(text)
    except ValueError:
        got = repr(text[:40]) if text else "an empty cell"
        problems.append(
            Problem(
                f"{name} must be a number, not {got}",
                path=(name,),
                file=file,
                line=line,
                expected="a number",
                got=got,
            )
        )
        return None
    if not math.isfinite(value):
        problems.append(
            Problem(f"{name} must be a finite number", path=(name,), file=file, line=line)
        )
        return None
    return value


def _range(name: str, want: str, value: float, line: int, file: str) -> Problem:
    return Problem(
        f"{name} must be {want}",
        path=(name,),
        file=file,
        line=line,
        expected=want,
        got=f"{value:g}",
    )


def _more(problems: list[Problem], shown: int, file: str) -> list[Problem]:
    if len(problems) <= shown:
        return []
    return [Problem(f"... and {len(problems) - shown} more problems", file=file)]
