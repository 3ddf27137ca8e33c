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
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Union

import numpy as np
from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

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
    return Lark(_GRAMMAR, parser="lalr", lexer="basic", maybe_placeholders=False)


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


def _build(tree) -> Expr:
    """Turn the parse tree into expression nodes, keeping parenthesised groups nested."""
    if isinstance(tree, Token):
        return Var(str(tree))
    if not isinstance(tree, Tree):
        raise TypeError(tree)
    kind = tree.data
    kids = tree.children
    if kind == "group":
        return _build(kids[0])
    if kind == "var":
        return Var(str(kids[0]))
    if kind == "true":
        return Const(True)
    if kind == "false":
        return Const(False)
    if kind == "not_":
        return Not(_build(kids[1]))
    if kind in ("and_", "or_"):
        node = And if kind == "and_" else Or
        left_tree = kids[0]
        left = _build(left_tree)
        # A chain a & b & c arrives as ((a & b) & c): flatten it, but only when the
        # left child is the same operator written without parentheses.
        same_chain = getattr(left_tree, "data", None) == kind
        head = left.operands if same_chain and isinstance(left, node) else (left,)
        return node((*head, _build(kids[2])))
    if kind == "implies":
        return Implies(_build(kids[0]), _build(kids[2]))
    if kind == "reverse_if":
        return Implies(_build(kids[2]), _build(kids[0]))
    if kind == "iff":
        return Iff(_build(kids[0]), _build(kids[2]))
    raise TypeError(f"unknown node {kind}")  # pragma: no cover


# Binding strength, loosest first; used by the printer to place parentheses.
_LEVEL = {Iff: 0, Implies: 1, Or: 2, And: 3, Not: 4, Var: 5, Const: 5}


def to_text(expr: Expr) -> str:
    """Print an expression so that :func:`parse` gives the same tree back."""

    def wrap(child: Expr, parent_level: int) -> str:
        text = to_text(child)
        return f"({text})" if _LEVEL[type(child)] <= parent_level else text

    if isinstance(expr, Var):
        return expr.name
    if isinstance(expr, Const):
        return "true" if expr.value else "false"
    if isinstance(expr, Not):
        return "not " + wrap(expr.operand, _LEVEL[Not] - 1)
    if isinstance(expr, And | Or):
        word = " and " if isinstance(expr, And) else " or "
        level = _LEVEL[type(expr)]
        return word.join(wrap(op, level) for op in expr.operands)
    if isinstance(expr, Implies):
        return f"{wrap(expr.premise, 1)} implies {wrap(expr.conclusion, 1)}"
    if isinstance(expr, Iff):
        return f"{wrap(expr.left, 0)} iff {wrap(expr.right, 0)}"
    raise TypeError(f"not an expression: {expr!r}")


def names(expr: Expr) -> set[str]:
    """The ids an expression mentions."""
    if isinstance(expr, Var):
        return {expr.name}
    if isinstance(expr, Const):
        return set()
    if isinstance(expr, Not):
        return names(expr.operand)
    if isinstance(expr, And | Or):
        return set().union(*(names(op) for op in expr.operands))
    if isinstance(expr, Implies):
        return names(expr.premise) | names(expr.conclusion)
    if isinstance(expr, Iff):
        return names(expr.left) | names(expr.right)
    raise TypeError(f"not an expression: {expr!r}")


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
    if isinstance(expr, Var):
        return values[expr.name]
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Not):
        return np.logical_not(evaluate(expr.operand, values))
    if isinstance(expr, And):
        out = evaluate(expr.operands[0], values)
        for op in expr.operands[1:]:
            out = np.logical_and(out, evaluate(op, values))
        return out
    if isinstance(expr, Or):
        out = evaluate(expr.operands[0], values)
        for op in expr.operands[1:]:
            out = np.logical_or(out, evaluate(op, values))
        return out
    if isinstance(expr, Implies):
        return np.logical_or(
            np.logical_not(evaluate(expr.premise, values)), evaluate(expr.conclusion, values)
        )
    if isinstance(expr, Iff):
        return np.equal(evaluate(expr.left, values), evaluate(expr.right, values))
    raise TypeError(f"not an expression: {expr!r}")
