"""Reference results from the literature and from examples worked by hand.

Rows are ``pytest.param(Row(...), id=...)``; each row's ``source`` names where the
expected answer comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from detente.bargain import (
    OutcomeSpace,
    analyze,
    linear_additive,
    pareto_frontier,
    reservation_values,
    solve,
)

pytestmark = pytest.mark.bargain

UTILITY_TOL = 1e-12


# -- Nash (1950): Bill and Jack barter -------------------------------------------------

# Nash (1950), "The bargaining problem", Econometrica 18(2), the closing example: the table of
# goods: (utility to Bill, utility to Jack). Bill owns book, whip, ball, bat and box;
# Jack owns pen, toy, knife and hat. Each good is an option "hand it over"; giving a
# good costs its owner his utility and gains the other party his. No trade is the
# disagreement point. Nash's solution: Bill gives Jack book, whip, ball and
# bat; Jack gives Bill pen, toy and knife (gains 12 and 5, product 60).
BILL_GOODS = {"book": (2, 4), "whip": (2, 2), "ball": (2, 1), "bat": (2, 2), "box": (4, 1)}
JACK_GOODS = {"pen": (10, 1), "toy": (4, 1), "knife": (6, 2), "hat": (2, 2)}
NASH_1950_TRADE = {"book", "whip", "ball", "bat", "pen", "toy", "knife"}


def _barter(normalize: str):
    goods = list(BILL_GOODS) + list(JACK_GOODS)
    space = OutcomeSpace({}, options=goods)
    bill = [-BILL_GOODS[g][0] if g in BILL_GOODS else JACK_GOODS[g][0] for g in goods]
    jack = [BILL_GOODS[g][1] if g in BILL_GOODS else -JACK_GOODS[g][1] for g in goods]
    model = linear_additive(
        space,
        actors=["Bill", "Jack"],
        ideals=np.zeros((2, 0)),
        weights=np.zeros((2, 0)),
        option_values=[bill, jack],
        normalize=normalize,
    )
    no_trade = {g: False for g in goods}
    return space, model, reservation_values(space, model, status_quo=no_trade)


@pytest.mark.parametrize("normalize", ["none", "weights", "range"])
def test_nash_1950_bill_and_jack(normalize):
    space, model, r = _barter(normalize)
    result = analyze(space, model, r)
    nash = result.solutions["nash"]
    assert {g for g, taken in nash.options.items() if taken} == NASH_1950_TRADE
    if normalize == "none":
        assert nash.utilities == {"Bill": 12.0, "Jack": 5.0}
        assert r.tolist() == [0.0, 0.0]


# -- Splitting a unit surplus -----------------------------------------------------------


@dataclass(frozen=True)
class SplitRow:
    """One issue: A's share x in {0, 1, ..., 100}; u_A = x/100, u_B = 1 - x/100."""

    reservation: tuple[float, float]
    expected: dict[str, float]  # solution -> A's share
    source: str = ""


SPLIT_ROWS = [
    pytest.param(
        SplitRow(
            (0.0, 0.0),
            {"nash": 50, "kalai_smorodinsky": 50, "egalitarian": 50},
            "Nash (1950), symmetry axiom: equal split",
        ),
        id="symmetric",
    ),
    pytest.param(
        SplitRow(
            (0.2, 0.0),
            {"nash": 60, "kalai_smorodinsky": 60, "egalitarian": 60},
            "Osborne and Rubinstein (1990), Bargaining and Markets, ch. 2: on "
            "u_A + u_B = 1 the Nash solution is u_i = d_i + (1 - d_A - d_B) / 2; "
            "KS on the segment from d to the ideal (0.99, 0.79) meets it at 0.6",
        ),
        id="outside-option-A",
    ),
    pytest.param(
        SplitRow(
            (0.3, 0.1),
            {"nash": 60, "egalitarian": 60},
            "Osborne and Rubinstein (1990), ch. 2, as above",
        ),
        id="outside-options-both",
    ),
]


@pytest.mark.parametrize("row", SPLIT_ROWS)
def test_split_the_surplus(row):
    space = OutcomeSpace({"share_A": np.arange(101.0)}, scales={"share_A": (0, 100)})
    model = linear_additive(space, actors=["A", "B"], ideals=[[100], [0]], weights=[[1], [1]])
    front = pareto_frontier(space, model, row.reservation)
    for name, share in row.expected.items():
        got = space.package_of(space.digits_of(front.index[solve(front, name)]))
        assert got["share_A"] == share, name
    # Every package in the ZOPA is Pareto-optimal here (the frontier is a line).
    assert front.index.size == front.zopa


# -- Integrative bargaining: trading on differences in priorities -----------------------


@dataclass(frozen=True)
class LogrollRow:
    reservation: tuple[float, float]
    among: str
    frontier: list[tuple[float, float]]  # (issue1, issue2) packages
    nash: tuple[float, float] | None
    source: str = field(default="")


# Raiffa (1982), ch. 11-12: two issues, A cares 3:1 about issue 1 (wants it high) and
# B 3:1 about issue 2 (wants it low). Worked by hand on the grid {0, 50, 100}^2:
# u_A = (3 x1 + x2) / 400, u_B = ((100 - x1) + 3 (100 - x2)) / 400. The nine
# utility pairs: (0,0)->(0,1), (0,50)->(.125,.625), (0,100)->(.25,.25),
# (50,0)->(.375,.875), (50,50)->(.5,.5), (50,100)->(.625,.125), (100,0)->(.75,.75),
# (100,50)->(.875,.375), (100,100)->(1,0).
LOGROLL_ROWS = [
    pytest.param(
        LogrollRow((0.0, 0.0), "all", [(0, 0), (50, 0), (100, 0), (100, 50), (100, 100)], (100, 0)),
        id="frontier-of-all",
    ),
    pytest.param(
        LogrollRow((0.5, 0.5), "zopa", [(100, 0)], (100, 0)), id="compromise-as-reservation"
    ),
    pytest.param(LogrollRow((0.8, 0.5), "zopa", [], None), id="no-zopa"),
]


@pytest.mark.parametrize("row", LOGROLL_ROWS)
def test_logrolling(row):
    space = OutcomeSpace({"x1": [0, 50, 100], "x2": [0, 50, 100]})
    model = linear_additive(
        space, actors=["A", "B"], ideals=[[100, 100], [0, 0]], weights=[[3, 1], [1, 3]]
    )
    result = analyze(space, model, row.reservation, among=row.among)
    got = sorted((p.issues["x1"], p.issues["x2"]) for p in result.pareto)
    assert got == sorted(row.frontier)
    nash = result.solutions["nash"]
    if row.nash is None:
        assert nash is None
        assert result.zopa == 0
    else:
        assert (nash.issues["x1"], nash.issues["x2"]) == row.nash


def test_logrolling_utilities_by_hand():
    space = OutcomeSpace({"x1": [0, 50, 100], "x2": [0, 50, 100]})
    model = linear_additive(
        space, actors=["A", "B"], ideals=[[100, 100], [0, 0]], weights=[[3, 1], [1, 3]]
    )
    table = {
        (0, 0): (0, 1),
        (0, 50): (0.125, 0.625),
        (0, 100): (0.25, 0.25),
        (50, 0): (0.375, 0.875),
        (50, 50): (0.5, 0.5),
        (50, 100): (0.625, 0.125),
        (100, 0): (0.75, 0.75),
        (100, 50): (0.875, 0.375),
        (100, 100): (1, 0),
    }
    for (x1, x2), u in table.items():
        got = model.utilities_of(space.encode({"x1": x1, "x2": x2}))
        np.testing.assert_allclose(got, u, atol=UTILITY_TOL)


# -- A risk-averse party: a curved frontier ---------------------------------------------


@dataclass(frozen=True)
class CurvedRow:
    solution: str
    share: float  # A's share at the solution
    tol: float
    derivation: str


# u_A = x, u_B = sqrt(1 - x), disagreement (0, 0): the textbook illustration that
# risk aversion costs a bargainer (Osborne and Rubinstein 1990, ch. 2; Muthoo 1999,
# ch. 2). Solutions derived analytically on the continuum; the grid has step 1/1200,
# on which 2/3 and 3/4 lie exactly.
CURVED_ROWS = [
    pytest.param(
        CurvedRow("nash", 2 / 3, 0.0, "max x sqrt(1-x): sqrt(1-x) = x / (2 sqrt(1-x))"),
        id="nash",
    ),
    pytest.param(
        CurvedRow("utilitarian", 3 / 4, 0.0, "max x + sqrt(1-x): 1 = 1 / (2 sqrt(1-x))"),
        id="utilitarian",
    ),
    pytest.param(
        CurvedRow("egalitarian", (5**0.5 - 1) / 2, 1 / 1200, "x = sqrt(1-x): x^2 + x - 1 = 0"),
        id="egalitarian",
    ),
    pytest.param(
        CurvedRow(
            "kalai_smorodinsky",
            (5**0.5 - 1) / 2,
            2 / 1200,
            "ideal point (1, 1), so KS = egalitarian: x = sqrt(1-x)",
        ),
        id="kalai-smorodinsky",
    ),
]


@pytest.mark.parametrize("row", CURVED_ROWS)
def test_risk_averse_party(row):
    from detente.bargain import value_tables

    grid = np.arange(1201) / 1200
    space = OutcomeSpace({"x": grid})
    model = value_tables(space, {"A": {"x": grid}, "B": {"x": np.sqrt(1 - grid)}}, normalize="none")
    front = pareto_frontier(space, model, [0.0, 0.0])
    pkg = space.package_of(space.digits_of(front.index[solve(front, row.solution)]))
    assert pkg["x"] == pytest.approx(row.share, abs=row.tol + 1e-12)
