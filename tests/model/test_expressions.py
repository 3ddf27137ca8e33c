"""The expression grammar: parsing, printing, evaluation and error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.model.expressions import (
    And,
    Const,
    ExpressionError,
    Iff,
    Implies,
    Not,
    Or,
    Var,
    evaluate,
    names,
    parse,
    suggest,
    to_text,
)
from tests.strategies import expressions


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        pytest.param("a", Var("a"), id="id"),
        pytest.param("not a", Not(Var("a")), id="not"),
        pytest.param("-a", Not(Var("a")), id="minus"),
        pytest.param("!a", Not(Var("a")), id="bang"),
        pytest.param("a and b & c", And((Var("a"), Var("b"), Var("c"))), id="and-chain"),
        pytest.param("a | b or c", Or((Var("a"), Var("b"), Var("c"))), id="or-chain"),
        pytest.param(
            "a or b and c", Or((Var("a"), And((Var("b"), Var("c"))))), id="and-binds-tighter"
        ),
        pytest.param("-a and b", And((Not(Var("a")), Var("b"))), id="not-binds-tightest"),
        pytest.param(
            "a implies b -> c", Implies(Var("a"), Implies(Var("b"), Var("c"))), id="implies-right"
        ),
        pytest.param("b if a", Implies(Var("a"), Var("b")), id="reverse-if"),
        pytest.param("a iff b", Iff(Var("a"), Var("b")), id="iff"),
        pytest.param("a <-> b or c", Iff(Var("a"), Or((Var("b"), Var("c")))), id="iff-loosest"),
        pytest.param(
            "(a and b) and c", And((And((Var("a"), Var("b"))), Var("c"))), id="group-kept"
        ),
        pytest.param("true or x.y", Or((Const(True), Var("x.y"))), id="constants-and-dots"),
        pytest.param("android", Var("android"), id="keyword-prefix-is-an-id"),
    ],
)
def test_parse(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("a and", 6, "end of expression"),
        ("a $ b", 3, "unexpected character '$'"),
        ("(a or b", 8, "end of expression"),
        ("a b", 3, "unexpected 'b'"),
        ("and a", 1, "unexpected 'and'"),
        ("", None, "empty"),
    ],
)
def test_parse_errors_name_the_column(text, column, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.column == column
    assert fragment in str(info.value)


def test_evaluate_truth_tables():
    a = np.array([0, 0, 1, 1], bool)
    b = np.array([0, 1, 0, 1], bool)
    values = {"a": a, "b": b}
    assert np.array_equal(evaluate(parse("a implies b"), values), [True, True, False, True])
    assert np.array_equal(evaluate(parse("a if b"), values), [True, False, True, True])
    assert np.array_equal(evaluate(parse("a iff b"), values), [True, False, False, True])
    assert np.array_equal(evaluate(parse("not a or b and a"), values), [True, True, False, True])


def test_names_and_suggestions():
    assert names(parse("a and (b or not c) implies a")) == {"a", "b", "c"}
    assert suggest("partial_releif", ["partial_relief", "suspend_exercises"]) == "partial_relief"
    assert suggest("zzz", ["partial_relief"]) is None


@settings(max_examples=300, deadline=None)
@given(expressions())
def test_print_then_parse_gives_the_same_tree(expr):
    assert parse(to_text(expr)) == expr


@settings(max_examples=200, deadline=None)
@given(expressions(), st.lists(st.booleans(), min_size=4, max_size=4))
def test_printing_keeps_the_meaning(expr, bits):
    values = dict(zip("abcd", bits, strict=True))
    assert bool(evaluate(parse(to_text(expr)), values)) == bool(evaluate(expr, values))
