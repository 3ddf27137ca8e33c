"""The one XML reader of detente, shared by GENIUS scenarios and KTAB scenarios.

It runs the standard library's expat parser with every door closed that XML opens
to a hostile file:

- a document type declaration, an entity declaration or a reference to an external
  entity is refused (no "billion laughs", no external files), and parameter entities
  are never parsed;
- elements nest at most ``DETENTE_MAX_DEPTH`` deep and a document holds at most
  ``DETENTE_MAX_NODES`` elements (:mod:`detente.model.limits`), checked as the
  parser goes, so that 100,000 nested elements cost nothing;
- an attribute value, or the text of an element without children, holds at most
  ``DETENTE_MAX_TEXT`` characters; text arrives in pieces that are joined once, never
  added up one by one.

The result is a light tree of :class:`XmlElement` (tag, attributes, text, line and a
location path such as ``("utility_space", "objective", 0, "issue", 2)``), with the
few look-ups the readers need (``get``, ``find``, ``findall``, ``iter``).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.parsers import expat

from detente.errors import CaseError, Problem
from detente.model.limits import Limits, limits

__all__ = ["XmlElement", "parse_xml"]


class XmlElement:
    """One element: ``tag``, ``attrib``, ``text`` (of an element without children),
    ``line`` (1-based), ``path`` and ``children``."""

    __slots__ = ("attrib", "children", "line", "path", "tag", "text")

    def __init__(self, tag: str, attrib: dict[str, str], line: int, path: tuple) -> None:
        self.tag = tag
        self.attrib = attrib
        self.line = line
        self.path = path
        self.children: list[XmlElement] = []
        self.text = ""

    def __repr__(self) -> str:
        return f"<XmlElement {self.tag} line {self.line}>"

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def find(self, tag: str) -> XmlElement | None:
        """The first child with this tag, or None."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[XmlElement]:
        """The children with this tag, in document order."""
        return [c for c in self.children if c.tag == tag]

    def iter(self, tag: str | None = None) -> Iterator[XmlElement]:
        """This element and every element below it (with ``tag``), in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            if tag is None or node.tag == tag:
                yield node
            stack.extend(reversed(node.children))

    # the names KTAB's reader uses
    def all(self, tag: str) -> list[XmlElement]:
        return self.findall(tag)

    def one(self, tag: str) -> XmlElement | None:
        return self.find(tag)


def parse_xml(text: str, *, file: str | None = None, path_root: tuple = ()) -> XmlElement:
    """Parse XML text into an :class:`XmlElement` tree, within the limits.

    ``path_root`` prefixes the location path of a problem found while parsing.

    Raises
    ------
    CaseError
        Not well-formed XML, a document type or entity declaration, nesting, elements or
        text beyond the limits; the problem names the file and the line.
    """
    bounds = limits()
    parser = expat.ParserCreate(encoding="utf-8")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[XmlElement] = []
    pieces: list[list[str]] = []
    counts: list[dict[str, int]] = [{}]
    roots: list[XmlElement] = []
    total = [0]

    def fail(message: str) -> CaseError:
        return CaseError(Problem(message, path=path_root, file=file, line=parser.CurrentLineNumber))

    def refuse_declaration(name: str, *args: object) -> None:
        raise fail(
            f"a document type declaration or an entity declaration (<!DOCTYPE {name}>, "
            "<!ENTITY>) is not allowed: the files detente reads have none, and entities could "
            "expand without bound"
        )

    def refuse_external(*args: object) -> int:
        raise fail("a reference to an external entity is not allowed")

    def over(what: str, count: int, name: str) -> CaseError:
        return fail(
            f"{what} ({count:,}) is above the limit of {getattr(bounds, name):,} "
            f"(set {Limits.variable(name)} to change it)"
        )

    def start(tag: str, attrs: dict[str, str]) -> None:
        if len(stack) >= bounds.depth:
            raise over("the nesting of elements", len(stack) + 1, "depth")
        total[0] += 1
        if total[0] > bounds.nodes:
            raise over("the number of elements", total[0], "nodes")
        for key, value in attrs.items():
            if len(value) > bounds.text:
                raise fail(
                    f"the attribute {key}= of <{tag}> has {len(value):,} characters, above the "
                    f"limit of {bounds.text:,} (set DETENTE_MAX_TEXT to change it)"
                )
        n = counts[-1].get(tag, 0)
        counts[-1][tag] = n + 1
        path = (*stack[-1].path, tag, n) if stack else (tag,)
        el = XmlElement(tag, attrs, parser.CurrentLineNumber, path)
        if stack:
            stack[-1].children.append(el)
        else:
            roots.append(el)
        stack.append(el)
        pieces.append([])
        counts.append({})

    def end(tag: str) -> None:
        el = stack.pop()
        parts = pieces.pop()
        counts.pop()
        if not el.children and parts:
            el.text = "".join(parts)
            if len(el.text.strip()) > bounds.text:
                raise CaseError(
                    Problem(
                        f"the text of <{tag}> has {len(el.text.strip()):,} characters, above "
                        f"the limit of {bounds.text:,} (set DETENTE_MAX_TEXT to change it)",
                        path=path_root,
                        file=file,
                        line=el.line,
                    )
                )

    def chars(data: str) -> None:
        if pieces and not stack[-1].children:
            pieces[-1].append(data)  # joined once, at the element's end

    parser.StartDoctypeDeclHandler = refuse_declaration
    parser.EntityDeclHandler = refuse_declaration
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text.lstrip("\ufeff").encode("utf-8"), True)
    except expat.ExpatError as exc:
        raise CaseError(
            Problem(
                f"not well-formed XML: {expat.ErrorString(exc.code)}",
                path=path_root,
                file=file,
                line=exc.lineno,
                column=exc.offset + 1 if exc.offset is not None else None,
            )
        ) from None
    except RecursionError:  # pragma: no cover - expat does not recurse; a safety net
        raise CaseError(Problem("the XML nests too deeply", file=file)) from None
    if not roots:
        raise CaseError(Problem("empty XML document", path=path_root, file=file))
    return roots[0]
