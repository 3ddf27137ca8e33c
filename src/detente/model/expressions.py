"""The expression grammar shared by constraints, preference statements and forum rules.

An expression combines ids (of options or of actors) with logical operators:

==========================  ==========================  ==============
operator                    spellings                   binds
==========================  ==========================  ==============
negation                    ``not a``, ``-a``, ``!a``   tightest
conjunction                 ``a and b``, ``a & b``
disjunction                 ``a or b``, ``a | b``
implication                 ``a implies b``, ``a -> b``
reverse implication         ``b if a`` (the same as ``a implies b``)
equivalence                 ``a iff b``, ``a <-> b``    loosest
==========================  ==========================  ==============

``true`` and ``false`` are constants; parentheses group. ``implies`` groups to the
right (``a -> b -> c`` is ``a -> (b -> c)``). ``b if a`` is read as English reads it,
and as graph-model tools store option-prioritisation statements ("q if p"): a
implies b.

Expressions are parsed by a LALR parser (lark), never evaluated as Python. They
evaluate over whole arrays at once, so one call scores every state of a conflict.
A small recursive-descent reader of the same grammar parses the expressions it can
read (every sound one of moderate nesting) without starting lark; the rest, and every
error, go to lark, which states the problem.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union

import numpy as np

if TYPE_CHECKING:
    from lark import Lark

__all__ = [
    "And",
    "Const",
    "Expr",
    "ExpressionError",
    "Iff",
    "Implies",
    "Not",
    "Or",
    "Var",
    "depth",
    "evaluate",
    "names",
    "parse",
    "suggest",
    "to_text",
    "unknown_names",
]


@dataclass(frozen=True)
class Var:
    """An option or actor id; true when the option is taken (the actor attends)."""

    name: str


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Implies:
    premise: Expr
    conclusion: Expr


@dataclass(frozen=True)
class Iff:
    left: Expr
    right: Expr


Expr = Union[Var, Const, Not, And, Or, Implies, Iff]  # noqa: UP007 (used at runtime)


class ExpressionError(ValueError):
    """An expression could not be parsed. ``column`` is 1-based."""

    def __init__(self, message: str, text: str, column: int | None = None):
        self.text = text
        self.column = column
        self.reason = message
        where = f" at column {column}" if column else ""
        super().__init__(f"cannot parse {text!r}{where}: {message}")


_GRAMMAR = r"""
?start: iff
?iff: implies
    | iff IFF implies                 -> iff
?implies: reverse
    | or_ IMPLIES implies             -> implies
?reverse: or_
    | or_ IF or_                      -> reverse_if
?or_: and_
    | or_ OR and_                     -> or_
?and_: not_
    | and_ AND not_                   -> and_
?not_: atom
    | NOT not_                        -> not_
?atom: NAME                           -> var
    | TRUE                            -> true
    | FALSE                           -> false
    | "(" iff ")"                     -> group

IFF.3: "<->" | /iff\b/
IMPLIES.3: "->" | /implies\b/
IF.3: /if\b/
OR.3: "|" | /or\b/
AND.3: "&" | /and\b/
NOT.3: "-" | "!" | "~" | /not\b/
TRUE.3: /true\b/
FALSE.3: /false\b/
NAME: /[A-Za-z_][A-Za-z0-9_.]*/

%import common.WS
%ignore WS
"""

KEYWORDS = frozenset({"not", "and", "or", "implies", "if", "iff", "true", "false"})


@lru_cache(maxsize=1)
def _parser() -> Lark:
    from lark import Lark

    return Lark(_GRAMMAR, parser="lalr", lexer="basic", maybe_placeholders=False)


# The grammar's terminals as lark's basic lexer tries them: the keywords first (the
# longer "->" before "-"), then ids, parentheses and white space.
_TOKENS = re.compile(
    r"(?P<IFF><->|iff\b)|(?P<IMPLIES>->|implies\b)|(?P<IF>if\b)|(?P<OR>\||or\b)"
    r"|(?P<AND>&|and\b)|(?P<NOT>-|!|~|not\b)|(?P<TRUE>true\b)|(?P<FALSE>false\b)"
    r"|(?P<NAME>[A-Za-z_][A-Za-z0-9_.]*)|(?P<LPAR>\()|(?P<RPAR>\))|(?P<WS>[ \t\f\r\n]+)"
)
_QUICK_DEPTH = 64


class _Unread(Exception):
    """The quick reader leaves this expression to lark."""


def _quick_parse(text: str) -> Expr | None:
    """``text`` read by recursive descent over :data:`_GRAMMAR`, giving the tree lark's
    parse and :func:`_build` give; None where lark must read it (an error to report,
    or nesting deeper than :data:`_QUICK_DEPTH`)."""
    tokens: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        match = _TOKENS.match(text, at)
        if match is None:
            return None
        kind = match.lastgroup
        assert kind is not None
        if kind != "WS":
            tokens.append((kind, match.group()))
        at = match.end()
    tokens.append(("$END", ""))
    pos = 0

    def peek() -> str:
        return tokens[pos][0]

    def take(kind: str) -> str:
        nonlocal pos
        if tokens[pos][0] != kind:
            raise _Unread
        pos += 1
        return tokens[pos - 1][1]

    def iff(level: int) -> Expr:
        if level > _QUICK_DEPTH:
            raise _Unread
        left = implies(level)
        while peek() == "IFF":
            take("IFF")
            left = Iff(left, implies(level))
        return left

    def implies(level: int) -> Expr:
        if level > _QUICK_DEPTH:
            raise _Unread
        left = or_(level)
        if peek() == "IMPLIES":
            take("IMPLIES")
            return Implies(left, implies(level + 1))
        if peek() == "IF":
            take("IF")
            return Implies(or_(level), left)
        return left

    def or_(level: int) -> Expr:
        operands = [and_(level)]
        while peek() == "OR":
            take("OR")
            operands.append(and_(level))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_(level: int) -> Expr:
        operands = [not_(level)]
        while peek() == "AND":
            take("AND")
            operands.append(not_(level))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_(level: int) -> Expr:
        if peek() == "NOT":
            if level > _QUICK_DEPTH:
                raise _Unread
            take("NOT")
            return Not(not_(level + 1))
        kind = peek()
        if kind == "NAME":
            return Var(take("NAME"))
        if kind in ("TRUE", "FALSE"):
            take(kind)
            return Const(kind == "TRUE")
        take("LPAR")
        inner = iff(level + 1)
        take("RPAR")
        return inner

    try:
        expr = iff(0)
        take("$END")
    except (_Unread, RecursionError):
        return None
    return expr


_TOKEN_NAMES = {
    "IFF": "'iff'",
    "IMPLIES": "'implies'",
    "IF": "'if'",
    "OR": "'or'",
    "AND": "'and'",
    "NOT": "'not'",
    "NAME": "an id",
    "LPAR": "'('",
    "RPAR": "')'",
    "TRUE": "'true'",
    "FALSE": "'false'",
    "$END": "the end",
}


@lru_cache(maxsize=4096)
def parse(text: str) -> Expr:
    """Parse an expression into a tree.

    Examples
    --------
    >>> parse("dismantle_yongbyon implies partial_relief")
    Implies(premise=Var(name='dismantle_yongbyon'), conclusion=Var(name='partial_relief'))
    >>> to_text(parse("-a & (b | c)"))
    'not a and (b or c)'
    """
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text", repr(text))
    if not text.strip():
        raise ExpressionError("the expression is empty", text)
    from detente.model.limits import limits

    bounds = limits()
    if len(text) > bounds.expression:
        raise ExpressionError(
            f"the expression has {len(text):,} characters, above the limit of "
            f"{bounds.expression:,} (set DETENTE_MAX_EXPRESSION to change it)",
            text[:40] + "...",
        )
    quick = _quick_parse(text)
    expr = quick if quick is not None else _lark_parse(text)
    nesting = depth(expr)
    if nesting > bounds.expression_depth:
        raise ExpressionError(
            f"the expression nests {nesting:,} levels deep, above the limit of "
            f"{bounds.expression_depth:,} (set DETENTE_MAX_EXPRESSION_DEPTH to change it)",
            text if len(text) <= 60 else text[:57] + "...",
        )
    return expr


def _lark_parse(text: str) -> Expr:
    """``text`` parsed by lark, each error told in the grammar's words."""
    from lark import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

    try:
        tree = _parser().parse(text)
    except UnexpectedCharacters as exc:
        raise ExpressionError(
            # lark declares pos_in_stream as None; UnexpectedCharacters always sets an int
            f"unexpected character {text[exc.pos_in_stream]!r}",  # type: ignore[index]
            text,
            exc.column,
        ) from None
    except UnexpectedToken as exc:
        expected = sorted(_TOKEN_NAMES.get(t, t) for t in exc.expected if t in _TOKEN_NAMES)
        got = "end of expression" if exc.token.type == "$END" else repr(str(exc.token))
        hint = f"; expected {' or '.join(expected)}" if expected else ""
        column = exc.column if exc.token.type != "$END" else len(text) + 1
        raise ExpressionError(f"unexpected {got}{hint}", text, column) from None
    except UnexpectedInput as exc:  # pragma: no cover - lark's other error kinds
        raise ExpressionError(
            str(exc).splitlines()[0], text, getattr(exc, "column", None)
        ) from None
    return _build(tree)


def _operand_trees(tree) -> list:
    """The subtrees a node of the parse tree combines, in order; a chain ``a & b & c``
    (left-nested by the grammar) gives all its operands at once, unless a part of it
    was written in parentheses."""
    from lark import Tree

    kind = tree.data
    kids = tree.children
    if kind == "group":
        return [kids[0]]
    if kind == "not_":
        return [kids[1]]
    if kind in ("and_", "or_"):
        out = []
        node = tree
        while isinstance(node, Tree) and node.data == kind:
            out.append(node.children[2])
            node = node.children[0]
        out.append(node)
        out.reverse()
        return out
    if kind in ("implies", "iff"):
        return [kids[0], kids[2]]
    if kind == "reverse_if":
        return [kids[2], kids[0]]
    return []


def _build(tree) -> Expr:
    """Turn the parse tree into expression nodes, keeping parenthesised groups nested.

    Iterative (an explicit stack), so that neither a long chain nor deep nesting meets
    Python's recursion limit.
    """
    from lark import Token, Tree

    values: list[Expr] = []
    stack: list[tuple[object, bool]] = [(tree, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, Token):
            values.append(Var(str(node)))
            continue
        if not isinstance(node, Tree):
            raise TypeError(node)
        kind = node.data
        if kind == "var":
            values.append(Var(str(node.children[0])))
            continue
        if kind in ("true", "false"):
            values.append(Const(kind == "true"))
            continue
        if kind not in ("group", "not_", "and_", "or_", "implies", "iff", "reverse_if"):
            raise TypeError(f"unknown node {kind}")  # pragma: no cover
        kids = _operand_trees(node)
        if not done:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        args = values[-len(kids) :]
        del values[-len(kids) :]
        if kind == "group":
            values.append(args[0])
        elif kind == "not_":
            values.append(Not(args[0]))
        elif kind == "and_":
            values.append(And(tuple(args)))
        elif kind == "or_":
            values.append(Or(tuple(args)))
        elif kind == "iff":
            values.append(Iff(args[0], args[1]))
        else:  # implies, and reverse_if with its operands swapped
            values.append(Implies(args[0], args[1]))
    return values[0]


def _children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Var | Const):
        return ()
    if isinstance(expr, Not):
        return (expr.operand,)
    if isinstance(expr, And | Or):
        return expr.operands
    if isinstance(expr, Implies):
        return (expr.premise, expr.conclusion)
    if isinstance(expr, Iff):
        return (expr.left, expr.right)
    raise TypeError(f"not an expression: {expr!r}")


def depth(expr: Expr) -> int:
    """How deeply an expression nests (a name is 0; ``not a`` and ``a or b or c`` are 1)."""
    deepest = 0
    stack = [(expr, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((k, level + 1) for k in _children(node))
    return deepest


# Binding strength, loosest first; used by the printer to place parentheses.
_LEVEL = {Iff: 0, Implies: 1, Or: 2, And: 3, Not: 4, Var: 5, Const: 5}


def to_text(expr: Expr) -> str:
    """Print an expression so that :func:`parse` gives the same tree back."""
    texts: list[str] = []
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, Var):
            texts.append(node.name)
            continue
        if isinstance(node, Const):
            texts.append("true" if node.value else "false")
            continue
        kids = _children(node)
        if not done:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        parts = texts[-len(kids) :]
        del texts[-len(kids) :]

        def wrap(child: Expr, text: str, parent_level: int) -> str:
            return f"({text})" if _LEVEL[type(child)] <= parent_level else text

        if isinstance(node, Not):
            texts.append("not " + wrap(kids[0], parts[0], _LEVEL[Not] - 1))
        elif isinstance(node, And | Or):
            word = " and " if isinstance(node, And) else " or "
            level = _LEVEL[type(node)]
            texts.append(word.join(wrap(k, t, level) for k, t in zip(kids, parts, strict=True)))
        elif isinstance(node, Implies):
            texts.append(f"{wrap(kids[0], parts[0], 1)} implies {wrap(kids[1], parts[1], 1)}")
        else:
            texts.append(f"{wrap(kids[0], parts[0], 0)} iff {wrap(kids[1], parts[1], 0)}")
    return texts[0]


def names(expr: Expr) -> set[str]:
    """The ids an expression mentions."""
    out: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            out.add(node.name)
        else:
            stack.extend(_children(node))
    return out


def unknown_names(expr: Expr, known: Iterable[str]) -> list[str]:
    """The ids in ``expr`` that are not in ``known``, in sorted order."""
    known_set = set(known)
    return sorted(n for n in names(expr) if n not in known_set)


def suggest(name: str, known: Iterable[str]) -> str | None:
    """The closest known id to a misspelt one, or None when nothing is close."""
    known_list = list(known)
    close = difflib.get_close_matches(name, known_list, n=1, cutoff=0.6)
    if not close:
        lowered = {k.lower(): k for k in known_list}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
        close = [lowered[c] for c in close]
    return close[0] if close else None


def evaluate(expr: Expr, values: Mapping[str, np.ndarray | bool]) -> np.ndarray | bool:
    """Evaluate over arrays of truth values (one entry per state), element-wise.

    ``values`` maps each id to a boolean array (or a plain bool); all arrays must
    share one shape. A name missing from ``values`` raises KeyError.

    Examples
    --------
    >>> import numpy as np
    >>> evaluate(parse("a implies b"), {"a": np.array([0, 0, 1, 1], bool),
    ...                                 "b": np.array([0, 1, 0, 1], bool)})
    array([ True,  True, False,  True])
    """
    # An explicit stack of (node, operands done, value so far): no recursion, and an
    # and/or chain folds each operand into one array as soon as it is computed.
    stack: list[list] = [[expr, 0, None]]
    result: Any = None
    returned = False
    while stack:
        frame = stack[-1]
        node = frame[0]
        if isinstance(node, Var):
            result, returned = values[node.name], True
            stack.pop()
            continue
        if isinstance(node, Const):
            result, returned = node.value, True
            stack.pop()
            continue
        kids = _children(node)
        if returned:
            i, acc = frame[1], frame[2]
            if isinstance(node, Not):
                acc = np.logical_not(result)
            elif i == 0:
                acc = result
            elif isinstance(node, And):
                acc = np.logical_and(acc, result)
            elif isinstance(node, Or):
                acc = np.logical_or(acc, result)
            elif isinstance(node, Implies):
                acc = np.logical_or(np.logical_not(acc), result)
            else:
                acc = np.equal(acc, result)
            frame[1], frame[2] = i + 1, acc
            returned = False
        if frame[1] < len(kids):
            stack.append([kids[frame[1]], 0, None])
            continue
        result, returned = frame[2], True
        stack.pop()
    assert result is not None
    return result
