"""Proposals (who blocks, what would win them over) and forums (who can agree on what).

Examples worked by hand; the forum example is Sebenius's (1983) "adding issues":
two issues that are each purely distributive become jointly integrative.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from bargain_strategies import problems
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.bargain import (
    Forum,
    OutcomeSpace,
    analyze,
    assess_proposal,
    evaluate_forum,
    linear_additive,
    reservation_values,
)

pytestmark = pytest.mark.bargain

TOL = 1e-9  # strict preference: more than this above the reservation value


def _logroll(levels):
    space = OutcomeSpace({"x1": levels, "x2": levels})
    model = linear_additive(
        space, actors=["A", "B"], ideals=[[100, 100], [0, 0]], weights=[[3, 1], [1, 3]]
    )
    return space, model


def test_blocker_and_smallest_changes_by_hand():
    """Grid {0, 25, 50, 75, 100}^2, proposal (50, 50): u = (.5, .5). Reservation
    A .55 (blocks), B .3 (accepts). Moves that lift A above .55 and keep B above .3:
    x1 -> 75 (A .6875, B .4375), x2 -> 75 (A .5625, B .3125), x1 -> 100 (A .875,
    B .375); x2 -> 100 gives B .125 and is excluded."""
    space, model = _logroll([0, 25, 50, 75, 100])
    result = assess_proposal(
        space, model, {"A": 0.55, "B": 0.3}, {"x1": 50, "x2": 50}, proposal_id="compromise"
    )
    assert result.accepted_by == ("B",)
    assert result.blocked_by == ("A",)
    moves = [(c.dimension, c.after, c.size) for c in result.to_win["A"]]
    assert moves == [("x1", 75.0, 0.25), ("x2", 75.0, 0.25), ("x1", 100.0, 0.5)]
    first = result.to_win["A"][0]
    assert first.wins == ("A",)
    np.testing.assert_allclose(list(first.package.utilities.values()), [0.6875, 0.4375])
    d = result.to_dict()
    assert d["blocked_by"] == ["A"]
    assert d["to_win"]["A"][0]["dimension"] == "x1"


def test_nobody_blocks():
    space, model = _logroll([0, 50, 100])
    result = assess_proposal(space, model, [0.5, 0.5], {"x1": 100, "x2": 0})
    assert result.accepted_by == ("A", "B")
    assert result.blocked_by == ()
    assert result.to_win == {}


def test_option_flip_wins_blocker():
    space = OutcomeSpace({"aid": [0, 100]}, options=["summit"])
    model = linear_additive(
        space,
        actors=["US", "DPRK"],
        ideals=[[0], [100]],
        weights=[[1], [1]],
        option_values=[[0.5], [1.0]],
    )
    sq = {"aid": 0, "summit": False}
    r = reservation_values(space, model, status_quo=sq)
    result = assess_proposal(space, model, r, {"aid": 0}, base=sq)
    # DPRK blocks the status quo itself; holding a summit wins it and the US gains too
    # (but the US did not accept the status quo either, so nothing is lost).
    assert set(result.blocked_by) == {"US", "DPRK"}
    flips = [c for c in result.to_win["DPRK"] if c.kind == "option"]
    assert flips
    assert flips[0].after is True
    assert flips[0].size == 1.0


@settings(max_examples=40, deadline=None)
@given(problems(with_infeasible=False))
def test_changes_never_lose_an_accepter(problem):
    space = problem.space()
    model = problem.model(space)
    r = problem.reservation
    for digits in itertools.islice(itertools.product(*(range(k) for k in space.base_radices)), 6):
        pkg = space.package_of(np.array(digits))
        result = assess_proposal(space, model, r, pkg)
        u = np.array(list(result.package.utilities.values()))
        assert set(result.accepted_by) == {
            a for a, x, y in zip(model.actors, u, r, strict=True) if x > y + TOL
        }
        for blocker, changes in result.to_win.items():
            sizes = [c.size for c in changes]
            assert sizes == sorted(sizes)
            for c in changes:
                after = c.package.utilities
                assert after[blocker] > r[model.actors.index(blocker)] + TOL
                for a in result.accepted_by:
                    assert after[a] > r[model.actors.index(a)] + TOL
                changed = [k for k in pkg if c.package.settings()[k] != pkg[k]]
                assert changed == [c.dimension]


# -- forums -------------------------------------------------------------------------


def _korea():
    """US: relief 0 (weight 1), dismantle 100 (weight 3); DPRK: relief 100 (3),
    dismantle 0 (1); status quo (0, 0), u = (.25, .25). China: wants both at 50."""
    space = OutcomeSpace({"relief": [0, 50, 100], "dismantle": [0, 50, 100]})
    model = linear_additive(
        space,
        actors=["US", "DPRK", "China"],
        ideals=[[0, 100], [100, 0], [50, 50]],
        weights=[[1, 3], [3, 1], [1, 1]],
    )
    sq = {"relief": 0, "dismantle": 0}
    return space, model, sq, reservation_values(space, model, status_quo=sq)


@pytest.mark.parametrize(
    ("participants", "agenda", "zopa", "best"),
    [
        pytest.param(("US", "DPRK"), ("relief",), 0, None, id="bilateral-relief-only"),
        pytest.param(("US", "DPRK"), ("dismantle",), 0, None, id="bilateral-dismantle-only"),
        # (r, d) in the ZOPA iff 3d > r and 3r > d: (50,50), (50,100), (100,50),
        # (100,100); the Nash product is largest at (100, 100): gains (.5, .5).
        pytest.param(
            ("US", "DPRK"), ("relief", "dismantle"), 4, (100, 100), id="bilateral-package"
        ),
        # China's status-quo utility is .5; (50, 50) gives it 1, (100, 100) .5 (not
        # strictly better), so the three-party ZOPA is {(50,50), (50,100), (100,50)}.
        pytest.param(
            ("US", "DPRK", "China"), ("relief", "dismantle"), 3, (50, 50), id="trilateral-package"
        ),
    ],
)
def test_forums_by_hand(participants, agenda, zopa, best):
    space, model, sq, r = _korea()
    forum = evaluate_forum(space, model, r, participants=participants, agenda=agenda, status_quo=sq)
    assert forum.zopa == zopa
    assert forum.agreement_possible is (zopa > 0)
    assert forum.outcomes == 3 ** len(agenda)
    if best is None:
        assert forum.best is None
    else:
        assert (forum.best.issues["relief"], forum.best.issues["dismantle"]) == best
        assert set(forum.best.utilities) == set(participants)


def test_forums_through_analyze_to_dict():
    space, model, sq, r = _korea()
    result = analyze(
        space,
        model,
        r,
        status_quo=sq,
        forums=[Forum(("US", "DPRK"), ("relief",)), Forum(("US", "DPRK"), ("relief", "dismantle"))],
        proposals={"halfway": {"relief": 50, "dismantle": 50}},
    )
    d = result.to_dict()
    assert [f["agreement_possible"] for f in d["forums"]] == [False, True]
    assert d["forums"][1]["best"]["issues"] == {"relief": 100.0, "dismantle": 100.0}
    assert d["proposals"]["halfway"]["accepted_by"] == ["US", "DPRK", "China"]
    assert d["proposals"]["halfway"]["blocked_by"] == []


@settings(max_examples=40, deadline=None)
@given(problems(), st.data())
def test_forum_matches_brute_force(problem, data):
    """The forum's ZOPA is the set of packages that move only agenda items, keep the
    rest at the status quo, are feasible, and that every participant strictly
    prefers to its reservation value."""
    space = problem.space()
    model = problem.model(space)
    dims = list(space.dims)
    agenda = data.draw(st.lists(st.sampled_from(dims), unique=True))
    participants = data.draw(st.lists(st.sampled_from(list(model.actors)), min_size=1, unique=True))
    sq_digits = [data.draw(st.integers(0, r - 1)) for r in space.base_radices]
    sq = space.package_of(np.array(sq_digits))
    r = reservation_values(space, model, status_quo=sq)
    forum = evaluate_forum(space, model, r, participants=participants, agenda=agenda, status_quo=sq)
    rows = [model.actor_index(a) for a in participants]
    count = total = 0
    best = -np.inf
    for digits in itertools.product(*(range(k) for k in space.base_radices)):
        d = np.array(digits)
        if any(d[k] != sq_digits[k] for k in range(d.size) if dims[k] not in agenda):
            continue
        if not space.is_feasible(d[None, :])[0]:
            continue
        total += 1
        u = model.utilities_of(d)[rows]
        if np.all(u > r[rows] + TOL):
            count += 1
            best = max(best, float(np.prod(u - r[rows])))
    assert forum.outcomes == total
    assert forum.zopa == count
    assert forum.agreement_possible is (count > 0)
    if count:
        u = np.array([forum.best.utilities[a] for a in participants])
        assert np.prod(u - r[rows]) >= best * (1 - 1e-9)
        assert all(forum.best.settings()[k] == sq[k] for k in dims if k not in agenda)
