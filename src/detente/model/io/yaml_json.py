"""Read cases from YAML and JSON text, keeping line numbers so errors can name them.

Both formats are parsed by ruamel.yaml's round-trip loader (JSON is read as YAML
1.2 after the json module has checked its syntax), which records the line and
column of every key and item. Validation errors from pydantic and from the
cross-reference checks carry a path into the document; :func:`locate` turns that
path into a line.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from detente.errors import CaseError, Problem

__all__ = ["case_from_document", "locate", "parse_document", "problems_from_validation"]


def parse_document(text: str, *, file: str, fmt: str) -> Any:
    """Parse YAML or JSON text into a document that remembers where each value is.

    YAML is parsed by ruamel's round-trip loader into its commented containers (which
    remember lines); JSON by the json module into a :class:`JsonDocument`, which finds
    the line of a value when asked. Nesting deeper than the limit
    (:mod:`detente.model.limits`; brackets, and YAML's indented blocks and ``- - -``
    sequences) is refused before parsing.
    """
    from detente.model.limits import limits, too_large

    if len(text) > limits().bytes:
        raise too_large("the text's size in characters", len(text), "bytes", file=file)
    limit = limits().depth
    depth = _max_nesting(text, limit)
    if depth > limit:
        raise CaseError(
            Problem(
                f"the document nests {depth} levels deep; a case file needs far fewer (at most "
                f"{limit}; set DETENTE_MAX_DEPTH to change the limit)"
            ),
            file=file,
        )
    if not text.strip():
        raise CaseError(
            Problem("the file is empty; a case file needs at least 'id', 'title' and 'actors'"),
            file=file,
        )
    if fmt == "json":
        return _parse_json(text, file=file)
    # ruamel's round-trip reader keeps every line, in pure Python: bound its work
    written = 3 * text.count("\n") + text.count(",") + len(text) // 50 + 1
    if written > limits().values:
        raise too_large(
            "the work of reading this YAML file (3 per line, 1 per comma, 1 per 50 characters)",
            written,
            "values",
            file=file,
        )
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        what = (exc.problem or exc.context or "malformed YAML").strip()
        if "found duplicate key" in str(exc) or "duplicate key" in what:
            what = "duplicate key " + what.split("duplicate key", 1)[-1].strip()
        raise CaseError(
            Problem(f"not valid YAML: {what}", line=line, column=column), file=file
        ) from None
    except YAMLError as exc:
        raise CaseError(Problem(f"not valid YAML: {str(exc).splitlines()[0]}"), file=file) from None
    except RecursionError:
        raise CaseError(
            Problem("not valid YAML: it nests too deeply for a case file"), file=file
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # a scalar ruamel cannot convert (an integer of 5,000 digits, a bad date)
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CaseError(Problem(f"not valid YAML: {message}"), file=file) from None


class JsonDocument:
    """A parsed JSON document: its plain values, and its text, to find lines on demand.

    JSON is parsed by the json module (fast, in C); the line and column of a value is
    found only when an error or a report asks for it, by skipping over the values before
    it (:meth:`position`).
    """

    def __init__(self, data: Any, text: str):
        self.data = data
        self.text = text

    def position(self, path: tuple) -> tuple[int | None, int | None, tuple]:
        """(line, column, the part of ``path`` found) of the deepest value on ``path``;
        keys that are not in the document (pydantic's union tags) are skipped."""
        text = self.text
        decoder = json.JSONDecoder()
        n = len(text)

        def ws(i: int) -> int:
            return _JSON_WS.match(text, i).end()  # type: ignore[union-attr]

        def skip(i: int) -> int:
            """The position after the value at ``i`` (and a following comma)."""
            _, j = decoder.raw_decode(text, i)
            j = ws(j)
            return ws(j + 1) if j < n and text[j] == "," else j

        pos = ws(0)
        at = pos
        found: list = []
        try:
            for key in path:
                if pos >= n:
                    break
                if text[pos] == "{" and not isinstance(key, bool):
                    i = ws(pos + 1)
                    hit = None
                    while i < n and text[i] != "}":
                        name, j = decoder.raw_decode(text, i)
                        j = ws(ws(j) + 1)  # past the colon
                        if name == key or (
                            isinstance(key, int | float) and _same_number(name, key)
                        ):
                            hit = (i, j)
                            break
                        i = skip(j)
                    if hit is None:
                        continue
                    at, pos = hit
                elif text[pos] == "[" and isinstance(key, int) and key >= 0:
                    i = ws(pos + 1)
                    for _ in range(key):
                        if i >= n or text[i] == "]":
                            break
                        i = skip(i)
                    if i >= n or text[i] == "]":
                        continue
                    at = pos = i
                else:
                    continue
                found.append(key)
        except (ValueError, IndexError):  # pragma: no cover - the text parsed as JSON
            pass
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        return line, column, tuple(found)


_JSON_WS = re.compile(r"[ \t\n\r]*")


def _same_number(text: str, key: float) -> bool:
    try:
        return float(text) == key
    except ValueError:
        return False


def _parse_json(text: str, *, file: str) -> JsonDocument:
    duplicate: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict:
        out = dict(items)
        if len(out) != len(items) and not duplicate:
            seen: set[str] = set()
            duplicate.extend(k for k, _ in items if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        return out

    def constant(name: str) -> float:
        raise CaseError(
            Problem(
                f"not valid JSON: {name} is not a number JSON allows",
                line=_line_of(text, name),
            ),
            file=file,
        )

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise CaseError(
            Problem(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno), file=file
        ) from None
    except RecursionError:
        raise CaseError(Problem("not valid JSON: it nests too deeply"), file=file) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise CaseError(Problem(f"not valid JSON: {exc}"), file=file) from None
    if duplicate:
        key = duplicate[0]
        hits = [m.start() for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)]
        line = text.count("\n", 0, hits[1]) + 1 if len(hits) > 1 else None
        raise CaseError(Problem(f"not valid JSON: duplicate key {key!r}", line=line), file=file)
    return JsonDocument(data, text)


def _line_of(text: str, word: str) -> int | None:
    found = re.search(r"(?<![A-Za-z\"])" + re.escape(word) + r"(?![A-Za-z\"])", text)
    return text.count("\n", 0, found.start()) + 1 if found else None


_BRACKETS = re.compile(r"[\[\]{}]")


def _max_nesting(text: str, limit: int | None = None) -> int:
    """The deepest nesting of the document: a cheap guard, run before parsing.

    Counts brackets (``[`` and ``{``) and YAML's block structure: each deeper
    indentation, and each ``- `` or ``? `` that opens a block on the same line
    (``- - - x`` nests three sequences). Brackets inside quoted text count too; they
    are balanced in any real case, and prose would need dozens of unmatched ones to
    trip the limit. Returns early once ``limit`` is exceeded.
    """
    limit = MAX_DEPTH if limit is None else limit
    flow = deepest = 0
    indents: list[int] = []
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if flow == 0:
            column = len(line) - len(stripped)
            while indents and indents[-1] >= column:
                indents.pop()
            indents.append(column)
            rest = stripped
            while rest[:2] in ("- ", "? ", ": ") or rest in ("-", "?"):
                after = rest[1:].lstrip(" ")
                column += len(rest) - len(after)
                indents.append(column)
                rest = after
            deepest = max(deepest, len(indents))
            if deepest > limit:
                return deepest
        for bracket in _BRACKETS.finditer(line):
            if bracket.group() in "[{":
                flow += 1
                deepest = max(deepest, len(indents) + flow)
                if deepest > limit:
                    return deepest
            else:
                flow = max(0, flow - 1)
    return deepest


MAX_DEPTH = 64
"""The default limit of nesting (see :mod:`detente.model.limits`; a case needs about ten levels)."""

MAX_NODES = 1_000_000
"""A document that expands to more values than this (YAML aliases can multiply a small
file into billions of values) is refused."""


class _Budget:
    def __init__(self, limit: int):
        self.left = self.limit = limit


def plain(node: Any, budget: _Budget | None = None) -> Any:
    """Convert ruamel containers and scalars into plain Python values for validation.

    Raises
    ------
    CaseError
        The document expands to more values than the limit (``DETENTE_MAX_NODES``), or
        a mapping has a key that is itself a list or a mapping (YAML's complex keys).
    """
    if isinstance(node, JsonDocument):
        return node.data
    if budget is None:
        from detente.model.limits import limits

        budget = _Budget(limits().nodes)
    budget.left -= 1
    if budget.left < 0:
        raise CaseError(
            Problem(
                f"the document expands to more than {budget.limit:,} values (through YAML aliases?); "
                "a case file is far smaller (set DETENTE_MAX_NODES to change the limit)"
            )
        )
    if isinstance(node, Mapping):
        out = {}
        for k, v in node.items():
            key = plain_key(k)
            if not isinstance(key, str | int | float | bool) and key is not None:
                line = None
                with contextlib.suppress(KeyError, TypeError, AttributeError):
                    line = node.lc.key(k)[0] + 1  # type: ignore[attr-defined]
                raise CaseError(
                    Problem(
                        "a key must be a name or a number, not a list or a mapping "
                        "(YAML's '? ' complex keys are not part of a case)",
                        line=line,
                    )
                )
            out[key] = plain(v, budget)
        return out
    if isinstance(node, Sequence) and not isinstance(node, str | bytes):
        return [plain(v, budget) for v in node]
    if isinstance(node, dt.datetime | dt.date):
        return node.isoformat()[:10] if isinstance(node, dt.datetime) else node.isoformat()
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def plain_key(key: Any) -> Any:
    if isinstance(key, str):
        return str(key)
    if isinstance(key, Mapping) or (isinstance(key, Sequence) and not isinstance(key, bytes)):
        return _Unhashable()
    return plain(key, _Budget(1))


class _Unhashable:
    """Stands for a complex key (a list or a mapping used as a key), which is refused."""


def locate(document: Any, path: tuple) -> tuple[int | None, int | None, tuple]:
    """The (line, column) of the deepest node on ``path``, and the part of the path found.

    Path elements that are not keys of the document (pydantic adds union-member
    tags such as ``'str'``) are skipped.
    """
    if isinstance(document, JsonDocument):
        return document.position(path)
    node = document
    line, column = _own_position(node)
    found: list = []
    for key in path:
        lc = getattr(node, "lc", None)
        if isinstance(node, Mapping) and key in node:
            if lc is not None:
                with contextlib.suppress(KeyError, TypeError, AttributeError):
                    line, column = (x + 1 for x in lc.key(key))
            node = node[key]
        elif (
            isinstance(node, Sequence)
            and not isinstance(node, str)
            and isinstance(key, int)
            and 0 <= key < len(node)
        ):
            if lc is not None:
                with contextlib.suppress(KeyError, TypeError, AttributeError):
                    line, column = (x + 1 for x in lc.item(key))
            node = node[key]
        else:
            continue
        found.append(key)
    return line, column, tuple(found)


def _own_position(node: Any) -> tuple[int | None, int | None]:
    lc = getattr(node, "lc", None)
    if lc is None or getattr(lc, "line", None) is None:
        return None, None
    return lc.line + 1, lc.col + 1


_MAX_ERRORS = 200
"""Validation errors beyond this many are not located (each costs a look through the file)."""

_MESSAGES = {
    "missing": "missing required field",
    "extra_forbidden": "unknown field",
}


def problems_from_validation(exc: ValidationError, document: Any, file: str) -> list[Problem]:
    """Turn pydantic's errors into problems that name file, line and field."""
    problems = []
    seen = set()
    for error in _first_causes(exc)[:_MAX_ERRORS]:
        loc = tuple(error["loc"])
        if document is None:  # data made by a converter: the path is the case's own
            line, column, found = None, None, tuple(k for k in loc if isinstance(k, str | int))
        else:
            line, column, found = locate(document, loc)
        kind = error["type"]
        # Report the field as the user wrote it: the path into the document,
        # plus the missing or unknown key itself.
        field = found
        if kind in ("missing", "extra_forbidden") and loc and loc[-1] not in found:
            field = (*found, loc[-1])
        if kind == "missing":
            message = f"missing required field '{loc[-1]}'"
            got = None
        elif kind == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'"
            got = None
        else:
            message = _plain_message(kind, error.get("ctx") or {}, error["msg"])
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            value = error.get("input")
            got = _short(value)
            if got is not None and kind not in ("value_error", "assertion_error"):
                message += f" (got {got})"
        key = (field, message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(message, path=field, file=file, line=line, column=column, got=got))
    return _prefer_specific(problems)


_WORDS = {
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number (not .inf or .nan)",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "string_type": "must be text",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "dict_type": "must be a mapping (key: value lines)",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "model_type": "must be a mapping (key: value lines)",
}


def _plain_message(kind: str, ctx: dict, fallback: str) -> str:
    """pydantic's message in the words of a case file's author."""
    if kind in _WORDS:
        return _WORDS[kind]
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    if kind == "too_long":
        n = ctx.get("max_length")
        return f"takes at most {n} item{'s' if n != 1 else ''}"
    if kind == "greater_than":
        return f"must be greater than {ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "less_than":
        return f"must be less than {ctx.get('lt')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "string_pattern_mismatch":
        return f"must match the pattern {ctx.get('pattern')} (letters, digits, _ and ., not starting with a digit)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return fallback


def _prefer_specific(problems: list[Problem]) -> list[Problem]:
    """For a union field pydantic reports one error per member; keep the most useful."""
    by_field: dict[tuple, list[Problem]] = {}
    for p in problems:
        by_field.setdefault(p.path, []).append(p)
    out = []
    for group in by_field.values():
        if len(group) > 1:
            typed = [
                p
                for p in group
                if not p.message.startswith(("Input should be a valid", "must be a"))
            ]
            group = typed or group[:1]
        out.extend(group)
    return out


def _short(value: Any) -> str | None:
    if isinstance(value, Mapping | list | tuple):
        return None
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def case_from_document(document: Any, *, file: str):
    """Validate a parsed document as a case, mapping every problem to its line."""
    from detente.model.case import Case

    content = document.data if isinstance(document, JsonDocument) else document
    if not isinstance(content, Mapping):
        kind = "a list" if isinstance(content, list) else f"a {type(content).__name__}"
        raise CaseError(
            Problem(
                f"a case file must be a mapping of sections (id, title, actors, ...), not {kind}",
                line=1,
            ),
            file=file,
        )
    try:
        data = plain(document)
    except CaseError as exc:
        raise CaseError(exc.problems, file=file) from None
    if "scenario_id" in data:
        line, column, _ = locate(document, ("scenario_id",))
        raise CaseError(
            Problem(
                "'scenario_id' is set by detente on a scenario's view of a case, not in a case "
                "file; choose a scenario with 'default_scenario' or --scenario",
                path=("scenario_id",),
                file=file,
                line=line,
                column=column,
            )
        )
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, document, file)
        raise CaseError(problems + _more_problems(data, exc, document, file)) from None
    except CaseError as exc:
        located = []
        for p in exc.problems:
            line, column, _ = locate(document, p.path)
            located.append(p.located(file, line, column))
        raise CaseError(located) from None
    case._origin = (file, functools.partial(_line_and_column, document))
    return case


def _first_causes(exc: ValidationError) -> list[Any]:
    """pydantic's errors without those that only follow from others: a list that is
    "too short" because its items failed is reported by its items."""
    errors = exc.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in errors]
    return [
        e
        for e, loc in zip(errors, locs, strict=True)
        if not (
            e["type"] == "too_short"
            and any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs)
        )
    ]


def _more_problems(data: Any, exc: ValidationError, document: Any, file: str) -> list[Problem]:
    """The cross-reference problems a file also has, so that one round of fixes is
    enough where possible.

    When every field pydantic refused is an unknown key or an optional field inside
    one item of a section (an actor, an option, an issue, a scenario, ...), the case is
    checked again without those fields; if it then passes the field checks, its
    cross-reference problems (unknown ids, infeasible constraints, ...) are reported
    too, except those that touch an item whose field was dropped (its own path, or, for
    an issue, any path naming it), since they may only follow from the drop. A missing
    or malformed required field, or a wrong top-level key, stops there.
    """
    from detente.model.case import Case

    errors = _first_causes(exc)
    if any(e["type"] == "missing" for e in errors):
        return []
    salvaged = copy.deepcopy(data)
    touched: set[tuple] = set()
    ids: set[str] = set()
    for error in errors:
        loc = tuple(error["loc"])
        if len(loc) < 3 or not isinstance(salvaged, dict):
            return []  # a section itself is wrong: everything in it is in doubt
        item = salvaged.get(loc[0])
        item = (
            item.get(loc[1])
            if isinstance(item, dict)
            else (
                item[loc[1]]
                if isinstance(item, list) and isinstance(loc[1], int) and 0 <= loc[1] < len(item)
                else None
            )
        )
        if loc[0] == "issues" and isinstance(item, dict) and isinstance(item.get("id"), str):
            # Scenarios, forums and proposals refer to an issue's stances, scale and levels.
            ids.add(item["id"])
        touched.add(loc[:2])
        if not _drop(salvaged, loc):
            return []
    try:
        Case.model_validate(salvaged)
    except CaseError as more:
        out = []
        for p in more.problems:
            if p.path[:2] in touched or ids.intersection(k for k in p.path if isinstance(k, str)):
                continue
            line, column, _ = locate(document, p.path)
            out.append(p.located(file, line, column))
        return out
    except ValidationError:
        return []  # a refused field was required after all
    return []


def _drop(data: Any, loc: tuple) -> bool:
    """Remove the key at ``loc`` (skipping pydantic's union tags); False if there is
    no key to remove there."""
    node = data
    for i, key in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and key in node:
            if last:
                del node[key]
                return True
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            if last:
                return False  # an item of a list: dropping it would shift the others
            node = node[key]
        elif last:
            return False
    return False


def _line_and_column(document: Any, path: tuple) -> tuple[int | None, int | None]:
    line, column, _ = locate(document, path)
    return line, column
