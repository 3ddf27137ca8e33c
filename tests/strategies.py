"""Hypothesis strategies for valid detente inputs, written once and shared by the tests."""

from __future__ import annotations

from hypothesis import strategies as st

from detente.model.expressions import And, Const, Iff, Implies, Not, Or, Var

__all__ = ["expressions"]


def expressions(ids: str = "abcd"):
    """Expression trees over single-letter ids, as the parser builds them."""
    leaves = st.one_of(
        st.sampled_from([Var(i) for i in ids]), st.sampled_from([Const(True), Const(False)])
    )

    def extend(children):
        many = st.lists(children, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            children.map(Not),
            many.map(And),
            many.map(Or),
            st.tuples(children, children).map(lambda p: Implies(*p)),
            st.tuples(children, children).map(lambda p: Iff(*p)),
        )

    return st.recursive(leaves, extend, max_leaves=12)
