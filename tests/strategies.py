"""Hypothesis strategies for valid detente inputs, written once and shared by the tests."""

from __future__ import annotations

from hypothesis import strategies as st

from detente.model.expressions import And, Const, Iff, Implies, Not, Or, Var, to_text

__all__ = ["cases", "expressions"]


def expressions(ids="abcd"):
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


@st.composite
def cases(draw, *, max_actors: int = 4, max_options: int = 6, with_issues: bool = True):
    """Small valid cases: actors, options with controllers, a feasible status quo,
    statements for every actor and, optionally, issues with stances."""
    from detente.model import Case

    n_actors = draw(st.integers(2, max_actors))
    actor_ids = [f"A{i}" for i in range(n_actors)]
    n_options = draw(st.integers(n_actors, max(n_actors, max_options)))
    option_ids = [f"o{k}" for k in range(n_options)]
    # every actor controls at least one option
    controllers = actor_ids + [
        draw(st.sampled_from(actor_ids)) for _ in range(n_options - n_actors)
    ]
    status_quo = [o for o in option_ids if draw(st.booleans())]
    option_exprs = expressions(ids=option_ids)

    statements = {
        a: [
            draw(option_exprs.filter(lambda e: _satisfiable(e, option_ids)))
            for _ in range(draw(st.integers(1, 4)))
        ]
        for a in actor_ids
    }
    data = {
        "id": "generated",
        "title": "A generated case",
        "actors": [
            {"id": a, "name": f"Actor {a}", "capability": draw(st.floats(0.5, 100))}
            for a in actor_ids
        ],
        "options": [
            {"id": o, "label": f"Option {o}", "controller": c}
            for o, c in zip(option_ids, controllers, strict=True)
        ],
        "status_quo": status_quo,
        "preferences": {a: {"statements": [to_text(e) for e in s]} for a, s in statements.items()},
    }
    if with_issues:
        n_issues = draw(st.integers(1, 3))
        data["issues"] = [
            {
                "id": f"i{k}",
                "name": f"Issue {k}",
                "positions": {
                    a: {"position": draw(st.floats(0, 100)), "salience": draw(st.floats(1, 100))}
                    for a in actor_ids
                },
            }
            for k in range(n_issues)
        ]
    return Case.model_validate(data)


def _satisfiable(expr, ids) -> bool:
    import itertools

    from detente.model.expressions import evaluate, names

    involved = sorted(names(expr))
    return any(
        bool(evaluate(expr, dict(zip(involved, bits, strict=True))))
        for bits in itertools.product((False, True), repeat=len(involved))
    )
