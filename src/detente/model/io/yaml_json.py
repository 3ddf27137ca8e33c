"""Read cases from YAML and JSON text, finding line numbers only when they are needed.

YAML is read by libyaml (PyYAML's C parser, :mod:`detente.model.io.libyaml`) and JSON
by the json module, both straight into plain values, at about a million values a
second. Nothing keeps line numbers while reading: validation errors from pydantic and
from the cross-reference checks carry a path into the document, and :func:`locate`
finds that path's line and column then, by reading the text again with positions
(YAML) or by skipping over the values before it (JSON).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from detente.errors import CaseError, Problem

__all__ = [
    "JsonDocument",
    "YamlDocument",
    "case_from_document",
    "locate",
    "parse_document",
    "problems_from_validation",
]


def parse_document(text: str, *, file: str, fmt: str) -> YamlDocument | JsonDocument:
    """Parse YAML or JSON text into its plain values, with what finds their lines later.

    The text's size (``DETENTE_MAX_BYTES``), its nesting (``DETENTE_MAX_DEPTH``) and
    its number of values (``DETENTE_MAX_VALUES`` as written, ``DETENTE_MAX_NODES`` once
    YAML aliases are expanded) are limited (:mod:`detente.model.limits`).

    Raises
    ------
    CaseError
        The text is empty, not YAML or JSON, or above a limit; the problem names the
        file and, where the parser stopped at one, the line.
    """
    from detente.model.limits import limits, too_large

    bounds = limits()
    if len(text) > bounds.bytes:
        raise too_large("the text's size in characters", len(text), "bytes", file=file)
    if not text.strip():
        raise CaseError(
            Problem("the file is empty; a case file needs at least 'id', 'title' and 'actors'"),
            file=file,
        )
    if fmt == "json":
        return _parse_json(text, file=file)
    from detente.model.io import libyaml

    try:
        data = libyaml.load(
            text, file=file, depth=bounds.depth, values=bounds.values, nodes=bounds.nodes
        )
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise CaseError(
            Problem("not valid YAML: it nests too deeply for a case file"), file=file
        ) from None
    return YamlDocument(data, text)


class YamlDocument:
    """A parsed YAML document: its plain values, and its text, to find lines on demand.

    The first call of :meth:`position` reads the text again with libyaml, keeping each
    node's line and column, and keeps that tree for the calls after it.
    """

    def __init__(self, data: Any, text: str):
        self.data = data
        self.text = text
        self._nodes: Any = None

    def position(self, path: tuple) -> tuple[int | None, int | None, tuple]:
        """(line, column, the part of ``path`` found) of the deepest value on ``path``;
        keys that are not in the document (pydantic's union tags) are skipped."""
        from detente.model.io import libyaml

        if self._nodes is None:
            try:
                self._nodes = libyaml.compose(self.text)
            except libyaml.YAMLError:  # libyaml's composer refuses a reused anchor
                self._nodes = False
        if not self._nodes:
            return None, None, ()
        return libyaml.node_position(self._nodes, path)


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
    from detente.model.limits import limits

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

    bounds = limits()
    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise CaseError(
            Problem(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno), file=file
        ) from None
    except RecursionError:
        # the json module gives up near Python's recursion limit (about 1,000 levels)
        raise CaseError(
            Problem(
                "the document nests more than 900 levels deep; a case file needs far fewer "
                f"(at most {bounds.depth}; set DETENTE_MAX_DEPTH to change the limit)"
            ),
            file=file,
        ) from None
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise CaseError(Problem(f"not valid JSON: {exc}"), file=file) from None
    if duplicate:
        key = duplicate[0]
        hits = [m.start() for m in re.finditer(re.escape(json.dumps(key)) + r"\s*:", text)]
        line = text.count("\n", 0, hits[1]) + 1 if len(hits) > 1 else None
        raise CaseError(Problem(f"not valid JSON: duplicate key {key!r}", line=line), file=file)
    depth, values = _depth_and_values(data, bounds.depth)
    if depth > bounds.depth:
        raise _too_deep(bounds.depth, file)
    if values > bounds.values:
        raise CaseError(
            Problem(
                f"the document holds {values:,} values, above the limit of {bounds.values:,} "
                "(set DETENTE_MAX_VALUES to change it)"
            ),
            file=file,
        )
    return JsonDocument(data, text)


def _too_deep(limit: int, file: str) -> CaseError:
    return CaseError(
        Problem(
            f"the document nests more than {limit} levels deep; a case file needs far fewer "
            "(set DETENTE_MAX_DEPTH to change the limit)"
        ),
        file=file,
    )


def _depth_and_values(data: Any, limit: int) -> tuple[int, int]:
    """The nesting of parsed JSON (lists and objects; ``limit`` + 1 if deeper than
    ``limit``) and its number of values (keys not counted)."""
    values, depth = 1, 0
    level = [data] if type(data) is dict or type(data) is list else []
    while level and depth <= limit:
        depth += 1
        inner: list = []
        for item in level:
            items = item.values() if type(item) is dict else item
            values += len(items)
            kinds = set(map(type, items))  # in C: long lists of numbers cost little
            if dict in kinds or list in kinds:
                inner.extend([v for v in items if type(v) is dict or type(v) is list])
        level = inner
    return depth, values


def _line_of(text: str, word: str) -> int | None:
    found = re.search(r"(?<![A-Za-z\"])" + re.escape(word) + r"(?![A-Za-z\"])", text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def plain(document: Any) -> Any:
    """The plain values of a parsed document (anything else is returned as it is)."""
    if isinstance(document, YamlDocument | JsonDocument):
        return document.data
    return document


def locate(document: Any, path: tuple) -> tuple[int | None, int | None, tuple]:
    """The (line, column) of the deepest node on ``path``, and the part of the path found.

    Path elements that are not keys of the document (pydantic adds union-member
    tags such as ``'str'``) are skipped. The first call on a YAML document reads its
    text again, with positions.
    """
    if isinstance(document, YamlDocument | JsonDocument):
        return document.position(path)
    return None, None, ()


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

    data = plain(document)
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise CaseError(
            Problem(
                f"a case file must be a mapping of sections (id, title, actors, ...), not {kind}",
                line=1,
            ),
            file=file,
        )
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

    Each field pydantic refused is set aside and the case is checked again without
    it: a key of a mapping is dropped; an item of a list of names or numbers (a
    statement, an id of the status quo) is dropped; a required field that cannot be
    dropped takes the mapping entry holding it along (an actor's stance on an issue,
    an actor's preferences); a known top-level field of the wrong kind (the status quo)
    is dropped. When the rest passes the field checks (after a few such
    rounds), its cross-reference problems (unknown ids, infeasible constraints, ...)
    are reported too, except those inside what was set aside (an item of a section,
    or a whole list of names) and, for an issue, any that name it, since they may only
    follow from setting it aside. A field that only goes with its whole item (an
    actor's id, an option's label), a section that others refer to (actors, options,
    issues, proposals, scenarios, sources, forums), a required top-level field or an
    unknown top-level one (a misspelt section?) stops there.
    """
    from detente.model.case import Case

    errors = _first_causes(exc)
    salvaged = copy.deepcopy(data)
    touched: set[tuple] = set()
    ids: set[str] = set()
    for _ in range(_SALVAGE_ROUNDS):
        targets = set()
        for error in errors:
            target = _set_aside(salvaged, tuple(error["loc"]), error["type"])
            if target is None:
                return []
            targets.add(target)
        # what lies inside another target goes with it
        targets = {t for t in targets if not any(o != t and t[: len(o)] == o for o in targets)}
        for target in targets:
            head = salvaged.get(target[0])
            if len(target) == 1 or (isinstance(head, list) and _all_scalars(head)):
                touched.add(target[:1])
            else:
                touched.add(target[:2])
            if target[0] == "issues" and len(target) > 1 and isinstance(head, list):
                issue = head[target[1]]
                if isinstance(issue, dict) and isinstance(issue.get("id"), str):
                    # Scenarios, forums and proposals refer to its stances, scale and levels.
                    ids.add(issue["id"])
        # later items of a list first, so that the earlier ones keep their place
        for target in sorted(targets, key=_path_order, reverse=True):
            _remove(salvaged, target)
        try:
            Case.model_validate(salvaged)
        except ValidationError as again:
            errors = _first_causes(again)  # a dropped field was required: widen
            continue
        except CaseError as more:
            out = []
            for p in more.problems:
                if any(p.path[: len(t)] == t for t in touched) or ids.intersection(
                    k for k in p.path if isinstance(k, str)
                ):
                    continue
                line, column, _ = locate(document, p.path)
                out.append(p.located(file, line, column))
            return out
        return []
    return []


_SALVAGE_ROUNDS = 4

_KEPT_SECTIONS = frozenset(
    {
        "id",
        "title",
        "actors",
        "options",
        "constraints",
        "issues",
        "proposals",
        "scenarios",
        "sources",
        "forums",
    }
)
"""Top-level fields that are never set aside: required, referred to from elsewhere, or
(the constraints) deciding which states exist."""


def _all_scalars(items: list) -> bool:
    return all(not isinstance(item, dict | list) for item in items)


def _set_aside(data: Any, loc: tuple, kind: str) -> tuple | None:
    """The path of what to remove from ``data`` so that the error at ``loc`` goes away,
    or None when that would take a section others refer to (or a required one).

    A key of a mapping goes; so does an item of a list of names or numbers. An item of
    a list of records (an option, a statement written as a mapping) takes its list
    along, under the key that holds it.

    ``loc`` may hold pydantic's union tags, which are not keys of the data: they are
    skipped. For a missing field (not in the data), its mapping is what goes. An
    unknown top-level key is never set aside: it may be a misspelt section (``option``)
    whose absence would make every reference to it look unknown."""
    path: list = []
    node = data
    for key in loc:
        if (isinstance(node, dict) and key in node) or (
            isinstance(node, list)
            and isinstance(key, int)
            and not isinstance(key, bool)
            and 0 <= key < len(node)
        ):
            path.append(key)
            node = node[key]
    while path:
        parent = _get(data, tuple(path[:-1]))
        if isinstance(parent, dict):
            if len(path) == 1 and (path[0] in _KEPT_SECTIONS or kind == "extra_forbidden"):
                return None  # an unknown section may be a misspelt one that others need
            return tuple(path)
        if _all_scalars(parent):  # a list of names or numbers: the item goes
            return tuple(path)
        path.pop()  # an item of a list of records: the list goes, if it may
    return None


def _path_order(path: tuple) -> tuple:
    return tuple((1, k) if isinstance(k, int) else (0, str(k)) for k in path)


def _get(data: Any, path: tuple) -> Any:
    node = data
    for key in path:
        node = node[key]
    return node


def _remove(data: Any, path: tuple) -> None:
    parent = _get(data, path[:-1])
    del parent[path[-1]]


def _line_and_column(document: Any, path: tuple) -> tuple[int | None, int | None]:
    line, column, _ = locate(document, path)
    return line, column
