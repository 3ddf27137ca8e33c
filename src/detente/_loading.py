"""Find a case by what the user typed: a file path or the name of a built-in case."""

from __future__ import annotations

from pathlib import Path

from detente.model import Case
from detente.model.io import SUFFIXES, read

__all__ = [
    "forecast_table_from_bytes",
    "forecast_table_kind",
    "load",
    "load_base",
    "read_forecast_table",
]


def load(source: str | Path | Case, *, scenario: str | None = None) -> Case:
    """Load a case from a file or by built-in name, as the given scenario sees it.

    Parameters
    ----------
    source
        A path to a case file (YAML or JSON), the name of a built-in case
        (``"korea"``; see ``detente cases``), or a :class:`~detente.model.Case`.
    scenario
        The scenario to apply; by default the case's default scenario.

    Raises
    ------
    CaseError
        The file is missing or invalid, or the name is unknown.

    Examples
    --------
    >>> import detente
    >>> case = detente.load("korea")
    >>> case.scenario_id
    'deadlock_2022'
    >>> [a.id for a in case.actors]
    ['USA', 'PRK', 'ROK', 'CHN', 'JPN', 'RUS']
    """
    case = load_base(source)
    if case.scenario_id is not None and scenario is not None and scenario != case.scenario_id:
        from detente.errors import CaseError, Problem

        raise CaseError(
            Problem(
                f"this case is already scenario {case.scenario_id!r}'s view of its base case; "
                f"load the base case (case.base) to pick scenario {scenario!r}",
                path=("scenario_id",),
            )
        )
    return case.scenario(scenario)


def load_base(source: str | Path | Case) -> Case:
    """Load a case without applying any scenario (see :func:`load`)."""
    if isinstance(source, Case):
        case = source
    else:
        from detente import cases

        path = Path(source)
        bare_name = isinstance(source, str) and "/" not in source and "\\" not in source
        # A slug such as "teaching/chicken" names a built-in case unless a file or
        # folder of that name exists.
        slug = isinstance(source, str) and not path.exists() and cases.is_builtin(source)
        is_file = path.is_file() or (path.suffix.lower() in SUFFIXES and not slug)
        # A folder wins over a built-in name only when the name is written as a path.
        is_folder = path.is_dir() and not (bare_name and cases.is_builtin(str(source)))
        if not (is_file or is_folder) and not bare_name and not slug:
            from detente.errors import CaseError, Problem

            raise CaseError(Problem("no such file or folder"), file=str(source))
        case = read(path) if is_file or is_folder else _fresh(cases.load(str(source)))
    return case


def _fresh(case: Case) -> Case:
    """A copy of a cached built-in case that shares no mutable part with it (a case is
    frozen, but its mappings are dicts: edits to one load must not reach the next)."""
    import copy

    sound = case._is_sound()
    fields = copy.deepcopy(case.__dict__)
    fresh = case.model_copy()
    fresh.__dict__.update(fields)
    fresh._index = None
    if sound:
        # The same contents, checked: its scenarios' views are built from its parts.
        fresh._sound = (fresh.__dict__, case._sound[1] if case._sound else None)
    return fresh


def forecast_table_kind(path: str | Path) -> str:
    """``"ktab-xml"``, ``"plain"`` (a header starting with ``actor``) or ``"ktab-csv"``."""
    path = Path(path)
    if path.suffix.lower() == ".xml":
        return "ktab-xml"
    with path.open("rb") as f:
        head = f.read(256).decode("utf-8-sig", errors="replace").lstrip().lower()
    return "plain" if head.startswith("actor") else "ktab-csv"


def read_forecast_table(path: str | Path, *, scale: tuple[float, float] | None = None) -> Case:
    """A forecasting table as a case: a plain ``actor,capability,position,salience`` CSV,
    a KTAB CSV or a KTAB XML scenario (one issue per dimension).

    Saliences read as shares (0 to 1) become points (0 to 100), as in case files.
    """

    from detente.errors import CaseError, Problem
    from detente.model.limits import limits, refresh_limits, too_large

    refresh_limits()
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CaseError(Problem(f"cannot read the file: {exc.strerror}"), file=name) from None
    if size > limits().bytes:
        raise too_large("the file's size in bytes", size, "bytes", file=name)
    return forecast_table_from_bytes(path.read_bytes(), name=name, scale=scale)


def forecast_table_from_bytes(
    data: bytes, *, name: str, scale: tuple[float, float] | None = None
) -> Case:
    """A forecasting table given as the bytes of a file called ``name`` (see :func:`read_forecast_table`)."""
    import re

    from pydantic import ValidationError

    from detente.errors import CaseError, Problem
    from detente.forecast.inputs import parse_actor_csv, parse_ktab_csv, parse_ktab_xml
    from detente.model.limits import refresh_limits, too_large

    path = Path(name)
    bounds = refresh_limits()
    if len(data) > bounds.bytes:
        raise too_large("the file's size in bytes", len(data), "bytes", file=name)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise CaseError(
            Problem(
                "this is a binary file, not a forecasting table (it holds a NUL byte)"
                if nul < 8192
                else "the file holds a NUL byte, which no text table has",
                line=data.count(b"\n", 0, nul) + 1,
            ),
            file=name,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CaseError(Problem("the file is not UTF-8 text", line=line), file=name) from None
    try:
        if path.suffix.lower() == ".xml":
            table = parse_ktab_xml(text)
        elif text.lstrip().lower().startswith("actor"):
            table = parse_actor_csv(text, scale=scale or (0.0, 100.0))
        else:
            table = parse_ktab_csv(text)
    except CaseError as exc:
        problems = list(exc.problems)
        if (
            path.suffix.lower() != ".xml"
            and not text.lstrip().lower().startswith("actor")
            and any("header" in p.field for p in problems)
        ):
            problems.insert(
                0,
                Problem(
                    "not a forecasting table: a plain table starts with the header "
                    "actor,capability,position,salience; a KTAB CSV with its scenario line",
                    line=1,
                ),
            )
        raise CaseError(problems, file=name) from None

    def slug(text: str, taken: set[str]) -> str:
        base = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:56] or "x"
        if base[0].isdigit():
            base = "_" + base
        candidate, k = base, 2
        while candidate in taken:
            candidate, k = f"{base}_{k}", k + 1
        taken.add(candidate)
        return candidate

    taken: set[str] = set()
    actor_ids = [slug(a, taken) for a in table.actors]
    issue_ids = [slug(i, taken) for i in table.issues]
    zero = [(r, d) for r, row in enumerate(table.salience) for d, v in enumerate(row) if v <= 0]
    if zero:
        r, d = zero[0]
        raise CaseError(
            Problem(
                f"actor {table.actors[r]!r} has salience 0 on {table.issues[d]!r}; detente needs saliences above 0",
                path=("row", r, "salience"),
            ),
            file=name,
        )
    names = _ktab_display_names(table.actors, table.descriptions)
    described = [d.strip() for d in table.descriptions] or [""] * len(table.actors)
    data_dict = {
        "id": slug(path.stem, set()).lower(),
        "title": table.name or f"Forecasting table {path.name}",
        "description": table.description or f"Read from {path.name}.",
        "actors": [
            {"id": aid, "name": a, "capability": c} | ({"description": d} if d else {})
            for aid, a, c, d in zip(actor_ids, names, table.capability, described, strict=True)
        ],
        "issues": [
            {
                "id": iid,
                "name": issue,
                "scale": list(scale or table.scale),
                "positions": {
                    aid: {
                        "position": table.position[r][d],
                        "salience": table.salience[r][d] * 100.0,
                    }
                    for r, aid in enumerate(actor_ids)
                },
            }
            for d, (iid, issue) in enumerate(zip(issue_ids, table.issues, strict=True))
        ],
    }
    try:
        return Case.model_validate(data_dict)
    except CaseError as exc:
        raise CaseError([p.located(name, None) for p in exc.problems]) from None
    except ValidationError as exc:
        raise CaseError(_table_problems(exc, table), file=name) from None


def _ktab_display_names(actors, descriptions) -> list[str]:
    """The name each KTAB actor is shown by: its name column, or its description
    when the name is a code and the description reads like a name.

    KTAB's own examples use both styles: SOE-Policy names its actors by codes with
    full names as descriptions ("XJ", "Xi Jinping"), other tables by names with
    notes as descriptions ("Alice", "first"). A name counts as a code when it is
    at most 5 capitals or digits (one letter at least); a description reads like a
    name when it has at most 40 characters and 6 words and no sentence punctuation.
    A description that two actors share, or that is another actor's name, is not
    used, so the names stay distinct.
    """
    import re

    code = re.compile(r"[A-Z0-9]{1,5}")
    # A description that ends a sentence or holds a clause break reads as prose, not a name.
    prose = re.compile(r"[!?;:\n]|[a-z]{4,}\.(\s|$)")
    described = [d.strip() for d in descriptions] or [""] * len(actors)
    names = [
        d
        if code.fullmatch(a)
        and any(ch.isalpha() for ch in a)
        and 0 < len(d) <= 40
        and len(d.split()) <= 6
        and not prose.search(d)
        else a
        for a, d in zip(actors, described, strict=True)
    ]
    counts: dict[str, int] = {}
    for n in {*names, *actors}:
        counts[n.casefold()] = 0
    for n in [*names, *actors]:
        counts[n.casefold()] += 1
    # A description used as a name must be unique among the names and the codes.
    return [
        n if n == a or counts[n.casefold()] == 1 else a for a, n in zip(actors, names, strict=True)
    ]


def _table_problems(exc, table) -> list:
    """pydantic's errors on the case made from a table, named as the table names them:
    the row (0-based data row) and the column."""
    from detente.errors import Problem
    from detente.model.io.yaml_json import problems_from_validation

    out = []
    for p in problems_from_validation(exc, None, ""):
        path = p.path
        if len(path) >= 3 and path[0] == "actors" and isinstance(path[1], int):
            column = {"name": "actor", "capability": "capability"}.get(str(path[2]), str(path[2]))
            path = ("row", path[1], column)
        elif path and path[0] == "title":
            path = ("name",)
        elif len(path) >= 3 and path[0] == "issues" and path[2] == "name":
            index = path[1]
            named = isinstance(index, int) and 0 <= index < len(table.issues)
            path = ("column", table.issues[index] if named else index)
        out.append(Problem(p.message, path=path, expected=p.expected, got=p.got))
    return out
