"""Read YAML with libyaml (PyYAML's C parser) into plain Python values, as YAML 1.2 reads them.

The reader walks libyaml's events once and builds dicts, lists, strings, numbers,
booleans and None directly: no intermediate tree and no line numbers, which are found
only when an error or a report asks for them (:func:`compose` reads the text again,
keeping every node's position, and :func:`node_position` walks it).

Plain scalars are resolved by YAML 1.2's core schema as ruamel.yaml resolves them
(``yes``, ``no``, ``on`` and ``off`` stay text; ``1e5`` is a number; ``010`` is ten;
``0o17``, ``0x1F`` and ``0b101`` are integers; ``2019-02-27`` is a date, read as its
text), so a file reads to the same values as it did with ruamel's round-trip loader.

What a case file never needs is refused, with its line:

- tags other than YAML's own scalar and collection tags (``!!python/object``, ``!foo``);
- a key that is a list or a mapping (YAML's ``? `` complex keys);
- a key written twice in one mapping;
- an alias to a node that contains it;
- nesting deeper than ``depth``, and more than ``values`` values as written or
  ``nodes`` values once aliases are expanded (alias bombs: a few hundred bytes that
  expand to billions of values are refused after reading them once).

Merge keys (``<<: *base``) work as in ruamel: the mapping's own keys win, then the
merged mappings' in order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from yaml.composer import Composer
from yaml.error import MarkedYAMLError, YAMLError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.scanner import Scanner

from detente.errors import CaseError, Problem

try:
    from yaml._yaml import CParser as _Parser

    WITH_LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml: its Python parser

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str):
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    WITH_LIBYAML = False

__all__ = ["WITH_LIBYAML", "YAMLError", "compose", "load", "node_position"]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

# YAML 1.2's core schema, as ruamel.yaml (the reader detente used before) resolves it.
_FLOAT = re.compile(
    r"""[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN)""",
    re.X,
)
_INT = re.compile(r"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+")
_TIMESTAMP = re.compile(
    r"""[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
     (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?""",
    re.X,
)
_DATE_PARTS = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2}))?"
)
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("~", "null", "Null", "NULL", ""), None),
}
_NUMBER_START = frozenset("-+.0123456789")
_WORD_START = frozenset("tTfFnN~")


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    if digits[:1] in ("-", "+"):
        digits = digits[1:]
    base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2])
    return sign * (int(digits[2:], base) if base else int(digits))


def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    if digits.endswith(".inf"):
        return float("-inf") if digits[0] == "-" else float("inf")
    if digits == ".nan":
        return float("nan")
    return float(digits)


def _date(text: str) -> str:
    """A timestamp as the ISO text of its date (detente keeps dates as text)."""
    found = _DATE_PARTS.match(text)
    assert found is not None  # the text matched _TIMESTAMP
    year, month, day, hour, minute, second = found.groups()
    date = dt.date(int(year), int(month), int(day))
    if hour is not None:  # checks the time, as a timestamp reader would
        dt.time(int(hour), int(minute), int(second))
    return date.isoformat()


def _plain(text: str) -> Any:
    """A plain (unquoted, untagged) scalar as YAML 1.2's core schema reads it."""
    first = text[:1]
    if first in _NUMBER_START and first:
        if text.isdigit() and text.isascii():
            return int(text)
        if _FLOAT.fullmatch(text):
            return _float(text)
        if first != "." and _INT.fullmatch(text):
            return _int(text)
        if _TIMESTAMP.fullmatch(text):
            return _date(text)
        return text
    if not first or first in _WORD_START:
        return _WORDS.get(text, text)
    return text


def _tagged(tag: str, text: str) -> Any:
    """A scalar with one of YAML's own tags (``!!str 5``, ``!!float 1``)."""
    kind = tag[len(_TAG) :]
    if kind == "str":
        return text
    if kind == "null":
        return None
    if kind == "bool":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ValueError(f"{text!r} is not true or false")
    if kind == "int":
        if not _INT.fullmatch(text):
            raise ValueError(f"{text!r} is not an integer")
        return _int(text)
    if kind == "float":
        if not (_FLOAT.fullmatch(text) or _INT.fullmatch(text)):
            raise ValueError(f"{text!r} is not a number")
        return _float(text)
    if not _TIMESTAMP.fullmatch(text):
        raise ValueError(f"{text!r} is not a date")
    return _date(text)


def _scalar(tag: str | None, text: str, plain: bool) -> Any:
    if tag is None or tag == "!":
        return _plain(text) if plain else text
    if tag in _SCALAR_TAGS:
        return _tagged(tag, text)
    raise _TagError(tag)


class _TagError(Exception):
    def __init__(self, tag: str):
        short = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        super().__init__(
            f"the tag {short!r} is not part of a case file (a case file is plain YAML: "
            "names, numbers, lists and mappings)"
        )


def _error(message: str, mark: Any = None, file: str | None = None) -> CaseError:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return CaseError(Problem(f"not valid YAML: {message}", line=line, column=column), file=file)


_NO_KEY = object()
_MERGE = object()
_OPEN = object()  # an anchored collection still being read


def load(text: str, *, file: str | None, depth: int, values: int, nodes: int) -> Any:
    """The single document in ``text`` as plain values.

    Parameters
    ----------
    text
        The YAML text.
    file
        The file name that errors name.
    depth, values, nodes
        The limits: nesting, values as written, values once aliases are expanded
        (keys are not counted).

    Raises
    ------
    CaseError
        The text is not YAML, uses what a case never needs (see the module docstring),
        or exceeds a limit; the problem names the line where libyaml stopped.
    """
    try:
        return _load(text, file, depth, values, nodes)
    except MarkedYAMLError as exc:
        what = (exc.problem or exc.context or "malformed YAML").strip()
        if exc.problem and exc.context:
            what += f" ({exc.context.strip()})"
        raise _error(what, exc.problem_mark or exc.context_mark, file) from None
    except ReaderError as exc:
        # libyaml counts bytes of the UTF-8 text; PyYAML's own reader counts characters
        if WITH_LIBYAML:
            before = text.encode("utf-8", "surrogatepass")[: max(exc.position, 0)]
            line = before.count(b"\n") + 1
        else:  # pragma: no cover
            line = text.count("\n", 0, max(exc.position, 0)) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "?")
        raise CaseError(
            Problem(
                f"not valid YAML: unacceptable character #x{char:04x}: {exc.reason}", line=line
            ),
            file=file,
        ) from None
    except YAMLError as exc:
        raise _error(str(exc).splitlines()[0], None, file) from None
    except UnicodeError:
        raise _error("the text holds characters that are not Unicode", None, file) from None


def _load(text: str, file: str | None, depth: int, values: int, nodes: int) -> Any:
    get: Callable[[], Any] = _Parser(text).get_event
    get()  # the stream's start
    event = get()
    if type(event) is StreamEndEvent:
        return None
    anchors: dict[str, Any] = {}
    # The open collections, innermost last: what the enclosing one was doing when
    # this one started (its container, pending key, merges), and this one's anchor
    # and count of values before it.
    stack: list[tuple] = []
    current: Any = None  # the innermost open collection (None at the top)
    is_map = False
    key: Any = _NO_KEY  # the key waiting for its value, in a mapping
    merges: list | None = None
    written = total = 0
    root: Any = _NO_KEY
    key_mark: Any = None
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            try:
                if event.tag is None:
                    value = _plain(event.value) if event.implicit[0] else event.value
                else:
                    value = _scalar(event.tag, event.value, event.implicit[0])
            except _TagError as exc:
                raise _error(str(exc), event.start_mark, file) from None
            except (ValueError, OverflowError) as exc:
                raise _error(
                    f"{event.value[:40]!r} cannot be read as a value ({exc})",
                    event.start_mark,
                    file,
                ) from None
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            if is_map and key is _NO_KEY:
                if event.value == "<<" and event.tag is None and event.implicit[0]:
                    key = _MERGE
                else:
                    key = value
                    key_mark = event.start_mark
                continue
            size = 1
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if is_map and key is _NO_KEY:
                raise CaseError(
                    Problem(
                        "a key must be a name or a number, not a list or a mapping "
                        "(YAML's '? ' complex keys are not part of a case)",
                        line=event.start_mark.line + 1,
                    ),
                    file=file,
                )
            tag = event.tag
            want = _TAG + ("map" if kind is MappingStartEvent else "seq")
            if not (tag is None or tag == "!" or tag == want):
                raise _error(str(_TagError(tag)), event.start_mark, file)
            written += 1
            total += 1
            stack.append((current, is_map, key, key_mark, merges, event.anchor, total - 1))
            if len(stack) > depth:
                raise CaseError(
                    Problem(
                        f"the document nests more than {depth} levels deep; a case file needs "
                        "far fewer (set DETENTE_MAX_DEPTH to change the limit)",
                        line=event.start_mark.line + 1,
                    ),
                    file=file,
                )
            if event.anchor is not None:
                anchors[event.anchor] = _OPEN
            is_map = kind is MappingStartEvent
            current = {} if is_map else []
            key = _NO_KEY
            merges = None
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = current
            if merges:
                for source in merges:
                    for k, v in source.items():
                        value.setdefault(k, v)
            current, is_map, key, key_mark, merges, anchor, before = stack.pop()
            size = total - before
            if anchor is not None:
                anchors[anchor] = (value, size)
            total -= size  # counted again below, as the value it now is
            written -= 1
        elif kind is AliasEvent:
            entry = anchors.get(event.anchor)
            if entry is None:
                raise _error(f"found undefined alias {event.anchor!r}", event.start_mark, file)
            if entry is _OPEN:
                raise _error(
                    f"the alias *{event.anchor} refers to a value that contains it",
                    event.start_mark,
                    file,
                )
            value, size = entry
            if is_map and key is _NO_KEY:
                if isinstance(value, dict | list):
                    raise CaseError(
                        Problem(
                            "a key must be a name or a number, not a list or a mapping "
                            "(YAML's '? ' complex keys are not part of a case)",
                            line=event.start_mark.line + 1,
                        ),
                        file=file,
                    )
                key = value
                key_mark = event.start_mark
                continue
        elif kind is DocumentStartEvent:
            raise _error(
                "expected a single document in the stream, but found another document",
                event.start_mark,
                file,
            )
        elif kind is StreamEndEvent:
            return None if root is _NO_KEY else root
        else:  # the document's end
            continue
        # A value: count it, then put it in its place.
        written += 1
        total += size
        if written > values:
            raise CaseError(
                Problem(
                    f"the document holds more than {values:,} values; a case file is far "
                    "smaller (set DETENTE_MAX_VALUES to change the limit)",
                    line=event.start_mark.line + 1,
                ),
                file=file,
            )
        if total > nodes:
            raise CaseError(
                Problem(
                    f"the document expands to more than {nodes:,} values (through YAML "
                    "aliases?); a case file is far smaller (set DETENTE_MAX_NODES to change "
                    "the limit)"
                ),
                file=file,
            )
        if is_map:
            if key is _MERGE:
                sources = value if isinstance(value, list) else [value]
                if not all(isinstance(s, dict) for s in sources):
                    raise _error(
                        "a merge key ('<<') takes a mapping or a list of mappings",
                        event.start_mark,
                        file,
                    )
                merges = (merges or []) + sources
            elif key in current:
                raise _error(f"duplicate key {key!r}", key_mark, file)
            else:
                try:
                    current[key] = value
                except TypeError:  # pragma: no cover - keys are scalars
                    raise _error(f"the key {key!r} cannot be used", key_mark, file) from None
            key = _NO_KEY
        elif current is not None:
            current.append(value)
        else:
            root = value


# -- positions, found only when asked --------------------------------------------------

_PLAIN_TAG = "tag:detente,plain"  # placeholders: not tags a YAML file can write
_STR_TAG = "tag:detente,str"


class _Untagged:
    """Leaves untagged nodes to :func:`_node_key`, so that composing costs no regular
    expressions and a file reads to the same keys here as in :func:`load`."""

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN_TAG if implicit[0] else _STR_TAG
        return _TAG + ("seq" if kind is SequenceNode else "map")


class _Composer(_Untagged, _Parser):
    pass


def compose(text: str) -> Node | None:
    """Read ``text`` again into libyaml's nodes, which keep their lines and columns.

    Only for text that :func:`load` has read: its nesting is within the limit. None
    for a document of nothing but comments.
    """
    return _Composer(text).get_single_node()


def _node_key(node: Node) -> Any:
    if not isinstance(node, ScalarNode):
        return _NO_KEY
    if node.tag == _PLAIN_TAG:
        if node.value == "<<":
            return _MERGE
        try:
            return _plain(node.value)
        except (ValueError, OverflowError):
            return node.value
    if node.tag == _STR_TAG:
        return node.value
    try:
        return _scalar(node.tag, node.value, False)
    except (_TagError, ValueError, OverflowError):
        return node.value


def _find(node: MappingNode, key: Any) -> tuple[Node, Node] | None:
    """The (key node, value node) of ``key`` in a mapping, its own keys before merged ones."""
    merged: list[Node] = []
    for k, v in node.value:
        found = _node_key(k)
        if found is _MERGE:
            merged.extend(v.value if isinstance(v, SequenceNode) else [v])
        elif found is not _NO_KEY and found == key:
            return k, v
    for source in merged:
        if isinstance(source, MappingNode):
            hit = _find(source, key)
            if hit is not None:
                return hit
    return None


def node_position(root: Node, path: tuple) -> tuple[int | None, int | None, tuple]:
    """(line, column, the part of ``path`` found) of the deepest node on ``path``.

    A key's position is that of the key; a list item's, that of the item. Keys that
    are not in the document (pydantic's union tags) are skipped.
    """
    node = root
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    found: list = []
    for key in path:
        if isinstance(node, MappingNode):
            hit = _find(node, key)
            if hit is None:
                continue
            mark = hit[0].start_mark
            node = hit[1]
        elif (
            isinstance(node, SequenceNode)
            and isinstance(key, int)
            and not isinstance(key, bool)
            and 0 <= key < len(node.value)
        ):
            node = node.value[key]
            mark = node.start_mark
        else:
            continue
        line, column = mark.line + 1, mark.column + 1
        found.append(key)
    return line, column, tuple(found)
