"""Laws of the bargaining engine, checked with hypothesis against brute force.

The brute-force references (``bargain_strategies``) enumerate every outcome one at a
time and compute utilities from the definition, so they share no code path with the
engine's chunked, vectorised scan.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from bargain_strategies import Problem, all_outcomes, dominated_mask, problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.bargain import (
    SOLUTIONS,
    OutcomeSpace,
    analyze,
    pareto_frontier,
    pareto_mask,
    solve,
)

pytestmark = pytest.mark.bargain

TOL = 1e-9  # strict preference: more than this above the reservation value

UTILITY_TOL = 1e-12
VALUE_TOL = 1e-9
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scan(problem: Problem, *, among="zopa", chunk_size=7, actor_order=None, issue_order=None):
    space = problem.space(issue_order=issue_order)
    model = problem.model(space, actor_order=actor_order)
    r = problem.reservation_for(model.actors)
    return space, model, r, pareto_frontier(space, model, r, among=among, chunk_size=chunk_size)


@SETTINGS
@given(problems())
def test_utilities_match_the_definition(problem):
    space = problem.space()
    model = problem.model(space)
    for _, pkg, u in all_outcomes(problem, space, model.actors):
        got = model.utilities_of(space.encode(pkg))
        np.testing.assert_allclose(got, u, atol=UTILITY_TOL)
        assert np.all(got >= -UTILITY_TOL)
        assert np.all(got <= 1 + UTILITY_TOL)


@SETTINGS
@given(problems(), st.sampled_from(["zopa", "all"]), st.sampled_from([1, 5, 64, 4096]))
def test_frontier_matches_brute_force(problem, among, chunk_size):
    space, model, r, front = _scan(problem, among=among, chunk_size=chunk_size)
    outcomes = [
        (i, model.utilities_of(space.encode(pkg)))
        for i, pkg, _ in all_outcomes(problem, space, model.actors)
    ]
    index = np.array([i for i, _ in outcomes], dtype=np.int64)
    u = np.array([v for _, v in outcomes]).reshape(len(outcomes), model.n_actors)
    zopa = np.all(u > r + TOL, axis=1) if len(outcomes) else np.zeros(0, bool)
    assert front.outcomes == len(outcomes)
    assert front.zopa == int(zopa.sum())
    pool = zopa if among == "zopa" else np.ones(len(outcomes), bool)
    expected = index[pool][~dominated_mask(u[pool])]
    assert sorted(front.index.tolist()) == sorted(expected.tolist())
    # No frontier point is dominated; every pooled outcome off the frontier is
    # weakly dominated by a frontier point.
    fu = front.utilities
    assert not dominated_mask(fu).any()
    for row in u[pool]:
        assert np.any(np.all(fu >= row, axis=1))


@SETTINGS
@given(problems())
def test_solutions_maximise_their_criteria_and_are_pareto_optimal(problem):
    space, model, r, front = _scan(problem, among="all")
    outcomes = [
        model.utilities_of(space.encode(pkg))
        for _, pkg, _ in all_outcomes(problem, space, model.actors)
    ]
    u = np.array(outcomes).reshape(len(outcomes), model.n_actors)
    zopa = u[np.all(u > r + TOL, axis=1)] if len(outcomes) else u
    for name in SOLUTIONS:
        row = solve(front, name)
        if zopa.shape[0] == 0:
            assert row is None
            continue
        assert row is not None
        chosen = front.utilities[row]
        assert np.all(chosen > r + TOL)  # inside the ZOPA
        assert not np.any(np.all(u >= chosen, axis=1) & np.any(u > chosen, axis=1)), (
            f"{name} is dominated"
        )
        gains = zopa - r
        if name == "nash":
            assert np.prod(chosen - r) >= np.prod(gains, axis=1).max() * (1 - 1e-8)
        elif name == "utilitarian":
            assert chosen.sum() >= zopa.sum(axis=1).max() - VALUE_TOL
        elif name == "egalitarian":
            assert (chosen - r).min() >= gains.min(axis=1).max() - VALUE_TOL
        elif name == "kalai_smorodinsky":
            ideal = zopa.max(axis=0)
            norm = gains / (ideal - r)
            assert ((chosen - r) / (ideal - r)).min() >= norm.min(axis=1).max() - VALUE_TOL


@SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_actor_order_does_not_matter(problem, rnd):
    order = list(problem.actors)
    rnd.shuffle(order)
    _space, model, _r, front = _scan(problem)
    _space2, model2, _r2, front2 = _scan(problem, actor_order=order)
    assert front.zopa == front2.zopa
    assert front.index.tolist() == front2.index.tolist()
    perm = [model.actors.index(a) for a in model2.actors]
    np.testing.assert_array_equal(front.utilities[:, perm], front2.utilities)
    for name in SOLUTIONS:
        a, b = solve(front, name), solve(front2, name)
        assert (a is None) == (b is None)
        if a is not None:
            assert front.index[a] == front2.index[b]


def _by_package(space, front):
    return {
        tuple(sorted(space.package_of(space.digits_of(i)).items())): u
        for i, u in zip(front.index, front.utilities, strict=True)
    }


@SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_issue_order_does_not_matter(problem, rnd):
    order = list(problem.issues)
    rnd.shuffle(order)
    space, _model, r, front = _scan(problem)
    space2, _model2, r2, front2 = _scan(problem, issue_order=order)
    assert front.outcomes == front2.outcomes
    assert front.zopa == front2.zopa
    a, b = _by_package(space, front), _by_package(space2, front2)
    # Summation order differs, so exact ties may split by one ulp: compare values.
    for pkg, u in a.items():
        if pkg in b:
            np.testing.assert_allclose(u, b[pkg], atol=UTILITY_TOL)
        else:
            # a package one ordering keeps may lose to an equal one by an ulp in the other:
            # the other frontier must still hold a package at least as good for everyone
            assert any(np.all(v >= u - UTILITY_TOL) for v in b.values())
    for name in SOLUTIONS:
        x, y = solve(front, name), solve(front2, name)
        assert (x is None) == (y is None)
        if x is None:
            continue
        gx, gy = front.utilities[x] - r, front2.utilities[y] - r2
        if name == "nash":
            np.testing.assert_allclose(np.prod(gx), np.prod(gy), rtol=1e-8)
        elif name == "utilitarian":
            np.testing.assert_allclose(gx.sum(), gy.sum(), atol=1e-9)
        elif name == "egalitarian":
            np.testing.assert_allclose(gx.min(), gy.min(), atol=1e-9)
        else:
            ix = front.utilities[front.in_zopa].max(axis=0) - r
            iy = front2.utilities[front2.in_zopa].max(axis=0) - r2
            np.testing.assert_allclose((gx / ix).min(), (gy / iy).min(), atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda d: st.lists(st.lists(st.integers(0, 3), min_size=d, max_size=d), max_size=120)
    )
)
def test_pareto_mask_with_ties_and_duplicates(rows):
    pts = np.array(rows, dtype=float).reshape(len(rows), -1 if rows else 1)
    assert np.array_equal(pareto_mask(pts), ~dominated_mask(pts))


def test_pareto_mask_large_random_matches_all_pairs():
    rng = np.random.default_rng(7)
    for d in (2, 3, 6):
        pts = np.round(rng.random((3000, d)), 2)  # many ties
        assert np.array_equal(pareto_mask(pts), ~dominated_mask(pts))


@settings(max_examples=20, deadline=None)
@given(problems())
def test_result_is_json_serialisable_and_deterministic(problem):
    space = problem.space()
    model = problem.model(space)
    r = problem.reservation
    first = analyze(space, model, r).to_dict()
    again = analyze(space, model, r).to_dict()
    assert first == again
    assert json.loads(json.dumps(first)) == first


@SETTINGS
@given(problems(), st.sampled_from([1, 3, 16, 4096]))
def test_every_walk_gives_the_same_utilities_bit_for_bit(problem, chunk_size):
    """Product chunks add outer and inner terms apart, listed chunks term by term;
    the snapped tables make both exact, so the utilities agree to the last bit."""
    space = problem.space()
    model = problem.model(space)
    floor = problem.reservation_for(model.actors) + TOL
    if not problem.infeasible and chunk_size >= 16:
        # no general mask: the walk is made of product chunks
        assert all(c.is_product for c in space.chunks(chunk_size))
    for chunk in space.chunks(chunk_size):
        u = model.evaluate(chunk)
        listed = np.stack(chunk.digits, axis=1) if len(chunk) else np.zeros((0, len(space.dims)))
        assert np.array_equal(u, model.utilities_of(listed).reshape(u.shape))
        rows, above = model.evaluate_above(chunk, floor)
        expected = np.flatnonzero(np.all(u > floor, axis=1))
        assert rows.tolist() == expected.tolist()
        assert np.array_equal(above, u[expected])


@SETTINGS
@given(problems())
def test_count_is_the_number_of_feasible_outcomes_when_known(problem):
    with_mask = problem.space()
    if problem.infeasible:
        assert with_mask.count() is None  # a general mask: only a scan can tell
    # Constraints on the options alone: counted without a scan.
    space = OutcomeSpace(
        problem.issues,
        options=problem.options,
        feasible_options=with_mask.feasible_options,
        scales={n: (0.0, 100.0) for n in problem.issues},
    )
    assert space.count() == sum(len(c) for c in space.chunks(64))


@SETTINGS
@given(problems(), st.lists(st.sampled_from([0.5, 1.0, 2.0, 5.0]), min_size=4, max_size=4))
def test_asymmetric_nash_maximises_the_weighted_product(problem, powers):
    from detente.bargain.solutions import asymmetric_nash_solution, nash_solution

    space, model, r, front = _scan(problem)
    w = np.array(powers[: model.n_actors])
    row = asymmetric_nash_solution(front, weights=w)
    assert (row is None) == (front.zopa == 0)
    assert asymmetric_nash_solution(front, weights=np.ones(model.n_actors)) == nash_solution(front)
    if row is None:
        return
    outcomes = [
        model.utilities_of(space.encode(p))
        for _, p, _ in all_outcomes(problem, space, model.actors)
    ]
    u = np.array(outcomes)
    inside = u[np.all(u > r + TOL, axis=1)]
    best = (np.log(inside - r) @ (w / w.sum())).max()
    got = np.log(front.utilities[row] - r) @ (w / w.sum())
    assert got >= best - 1e-9
