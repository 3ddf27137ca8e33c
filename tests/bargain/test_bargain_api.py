"""The public API, the outcome space, utilities, robustness draws and conformance:
same input, same result; results are JSON; inputs are left unchanged."""

from __future__ import annotations

import ast
import json
import pathlib

import numpy as np
import pytest

import detente.bargain as bargain
from detente.bargain import (
    Forum,
    OutcomeSpace,
    analyze,
    linear_additive,
    pareto_frontier,
    perturb_profiles,
    reservation_values,
    robustness_draw,
    value_tables,
    zopa_count,
    zopa_membership,
)
from detente.errors import CaseTooLargeError

pytestmark = pytest.mark.bargain

EXPECTED_API = {
    "DEFAULT_MAX_OUTCOMES",
    "SOLUTIONS",
    "BargainResult",
    "CaseBargain",
    "bargain",
    "Change",
    "Chunk",
    "Crossing",
    "FeasibleMask",
    "Forum",
    "ForumEvaluation",
    "Frontier",
    "OutcomeSpace",
    "Package",
    "ProposalAssessment",
    "RedLineRow",
    "RobustnessDraw",
    "UtilityModel",
    "analyze",
    "assess_proposal",
    "egalitarian_solution",
    "evaluate_forum",
    "kalai_smorodinsky_solution",
    "linear_additive",
    "nash_solution",
    "neighbours",
    "pareto_frontier",
    "pareto_mask",
    "perturb_profiles",
    "reservation_values",
    "robustness_draw",
    "solve",
    "utilitarian_solution",
    "value_tables",
    "zopa_count",
    "zopa_membership",
}


def test_public_api_is_the_documented_list():
    assert set(bargain.__all__) == EXPECTED_API
    for name in bargain.__all__:
        assert hasattr(bargain, name)


def test_engine_imports_no_sibling_engine_and_only_the_adapter_reads_the_case():
    """DESIGN: engines never import each other; only the case adapter
    (``bargain/case.py``) reads the case model. The limits on work
    (``detente.model.limits``) are no part of a case: every engine checks its estimate
    against them."""
    for path in pathlib.Path(bargain.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("detente.gmcr", "detente.forecast")), path
                if path.name != "case.py" and node.module != "detente.model.limits":
                    assert not node.module.startswith("detente.model"), path


# -- outcome space ----------------------------------------------------------------------


def test_chunks_cover_the_space_once_in_order():
    space = OutcomeSpace({"a": [0, 1, 2], "b": [5, 6]}, options=["x", "y"])
    seen = np.concatenate([c.index for c in space.chunks(5)])
    assert seen.tolist() == list(range(space.size))
    for i in seen:
        assert space.index_of(space.digits_of(i)) == i


def test_feasibility_mask_and_restriction_keep_full_numbering():
    def no_x_without_a2(levels, options):
        return ~(options[:, 0] & (levels[:, 0] != 2))

    space = OutcomeSpace({"a": [0, 1, 2], "b": [5, 6]}, options=["x"], feasible=no_x_without_a2)
    pkgs = [space.package_of(space.digits_of(i)) for c in space.chunks(4) for i in c.index]
    assert len(pkgs) == 12 - 4
    assert all(p["a"] == 2 for p in pkgs if p["x"])
    sub = space.restrict_to_agenda(["b"], {"a": 2, "b": 5, "x": True})
    idx = [int(i) for c in sub.chunks() for i in c.index]
    assert [space.package_of(space.digits_of(i)) for i in idx] == [
        {"a": 2.0, "b": 5.0, "x": True},
        {"a": 2.0, "b": 6.0, "x": True},
    ]


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="distinct"):
        OutcomeSpace({"a": [1, 1]})
    with pytest.raises(ValueError, match="outside the scale"):
        OutcomeSpace({"a": [0, 200]}, scales={"a": (0, 100)})
    space = OutcomeSpace({"a": [0, 50, 100]})
    with pytest.raises(ValueError, match="not one of the levels"):
        space.encode({"a": 40})
    with pytest.raises(ValueError, match="ideals must lie"):
        linear_additive(space, actors=["A"], ideals=[[150]], weights=[[1]])
    with pytest.raises(ValueError, match="non-negative"):
        linear_additive(space, actors=["A"], ideals=[[50]], weights=[[-1]])
    model = linear_additive(space, actors=["A"], ideals=[[50]], weights=[[1]])
    with pytest.raises(ValueError, match="reservation"):
        pareto_frontier(space, model, [0.1, 0.2])


def test_too_large_space_is_refused_before_work():
    space = OutcomeSpace({f"i{k}": np.arange(10.0) for k in range(6)})
    model = linear_additive(
        space, actors=["A", "B"], ideals=np.zeros((2, 6)), weights=np.ones((2, 6))
    )
    with pytest.raises(CaseTooLargeError) as info:
        analyze(space, model, [0, 0], max_outcomes=1000)
    assert "1,000,000" in str(info.value)


def test_the_limit_counts_feasible_packages_when_they_are_known():
    # 100 issue levels x 2^6 option combinations, of which only 2 are feasible: no
    # option taken, or o0 alone (a rule on the options alone).
    space = OutcomeSpace(
        {"i": np.arange(100.0)},
        options=[f"o{k}" for k in range(6)],
        feasible_options=lambda taken: taken.sum(axis=1) == (taken[:, 0]).astype(int),
    )
    assert (space.size, space.count()) == (6400, 200)
    model = linear_additive(
        space, actors=["A", "B"], ideals=[[10.0], [90.0]], weights=[[1.0], [1.0]]
    )
    result = analyze(space, model, [0, 0], max_outcomes=1000)  # 200 <= 1000 < 6400
    assert result.outcomes == 200


# -- utilities --------------------------------------------------------------------------


def test_normalisations():
    space = OutcomeSpace({"a": [0, 50, 100], "b": [0, 100]}, options=["x"])
    kwargs = dict(actors=["A"], ideals=[[0, 50]], weights=[[2, 1]], option_values=[[-1]])
    # weights: (2 * close_a + 1 * close_b + (-1 * x + 1)) / 4, close_b = 1 - 50/100
    w = linear_additive(space, **kwargs)
    u = w.utilities_of(space.encode({"a": 0, "b": 0, "x": False}))
    np.testing.assert_allclose(u, [(2 * 1 + 0.5 + 1) / 4])
    # range: best grid point 1, worst 0
    r = linear_additive(space, normalize="range", **kwargs)
    all_u = np.concatenate([r.evaluate(c) for c in space.chunks()])
    assert all_u.min() == pytest.approx(0)
    assert all_u.max() == pytest.approx(1)
    none = linear_additive(space, normalize="none", **kwargs)
    u = none.utilities_of(space.encode({"a": 100, "b": 100, "x": True}))
    np.testing.assert_allclose(u, [2 * 0 + 0.5 - 1])


def test_value_tables_match_linear_additive():
    space = OutcomeSpace({"a": [0, 50, 100]}, options=["x"])
    lin = linear_additive(space, actors=["A"], ideals=[[100]], weights=[[3]], option_values=[[1]])
    tab = value_tables(
        space,
        {"A": {"a": {0: 0.0, 50: 0.5, 100: 1.0}}},
        weights={"A": {"a": 3}},
        option_values={"A": {"x": 1}},
    )
    for c in space.chunks():
        np.testing.assert_allclose(lin.evaluate(c), tab.evaluate(c))


def test_reservation_values_batna_overrides_status_quo():
    space = OutcomeSpace({"a": [0, 100]})
    model = linear_additive(space, actors=["A", "B"], ideals=[[0], [100]], weights=[[1], [1]])
    r = reservation_values(space, model, status_quo={"a": 0}, batna={"B": 0.3})
    assert r.tolist() == [1.0, 0.3]


# -- robustness draws ---------------------------------------------------------------------


def _draw_inputs():
    space = OutcomeSpace(
        {"relief": [0, 50, 100], "dismantle": [0, 50, 100]},
        scales={"relief": (0, 100), "dismantle": (0, 100)},
    )
    ideals = np.array([[0.0, 100.0], [100.0, 0.0]])
    weights = np.array([[1.0, 3.0], [3.0, 1.0]])
    return space, ideals, weights


def test_robustness_draw_is_a_pure_function_of_the_seed():
    space, ideals, weights = _draw_inputs()
    kw = dict(
        actors=["US", "DPRK"],
        ideals=ideals,
        weights=weights,
        status_quo={"relief": 0, "dismantle": 0},
        packages={"grand": {"relief": 100, "dismantle": 100}},
        forums={
            "bilateral": Forum(("US", "DPRK"), ("relief", "dismantle")),
            "relief-only": Forum(("US", "DPRK"), ("relief",)),
        },
        ideal_sd=10.0,
        weight_sd=0.3,
    )
    ideals_before, weights_before = ideals.copy(), weights.copy()
    a = robustness_draw(space, seed=3, **kw)
    b = robustness_draw(space, seed=3, **kw)
    assert a == b
    assert np.array_equal(ideals, ideals_before)
    assert np.array_equal(weights, weights_before)
    json.dumps(a.to_dict())
    draws = [robustness_draw(space, seed=s, **kw) for s in range(20)]
    assert {d.forums_agreement["relief-only"] for d in draws} == {False}
    assert len({tuple(d.reservation.values()) for d in draws}) == 20


def test_zero_noise_reproduces_the_baseline():
    space, ideals, weights = _draw_inputs()
    sq = {"relief": 0, "dismantle": 0}
    draw = robustness_draw(
        space,
        seed=1,
        actors=["US", "DPRK"],
        ideals=ideals,
        weights=weights,
        status_quo=sq,
        ideal_sd=0.0,
        weight_sd=0.0,
        packages={"grand": {"relief": 100, "dismantle": 100}, "sq": {}},
        forums={"bilateral": Forum(("US", "DPRK"), ("relief", "dismantle"))},
    )
    assert draw.packages_in_zopa == {"grand": True, "sq": False}
    assert draw.forums_zopa == {"bilateral": 4}
    p, w, _c = perturb_profiles(space, ideals, weights, seed=1, ideal_sd=0.0, weight_sd=0.0)
    assert np.array_equal(p, ideals)
    assert np.array_equal(w, weights)
    model = linear_additive(space, actors=["US", "DPRK"], ideals=ideals, weights=weights)
    r = reservation_values(space, model, status_quo=sq)
    assert zopa_count(space, model, r) == (9, 4)


def test_zopa_membership_for_caller_drawn_utilities():
    space, ideals, weights = _draw_inputs()
    sq = {"relief": 0, "dismantle": 0}
    model = linear_additive(space, actors=["US", "DPRK"], ideals=ideals, weights=weights)
    r = reservation_values(space, model, status_quo=sq)
    got = zopa_membership(
        space,
        model,
        r,
        status_quo=sq,
        packages={"grand": {"relief": 100, "dismantle": 100}, "relief": {"relief": 100}},
        package_participants={"relief": ["DPRK"]},
        forums={"bilateral": Forum(("US", "DPRK"), ("relief", "dismantle"))},
    )
    assert got.seed is None
    assert got.packages_in_zopa == {"grand": True, "relief": True}
    assert got.forums_agreement == {"bilateral": True}
    assert json.loads(json.dumps(got.to_dict()))["forums_zopa"] == {"bilateral": 4}


def test_progress_callback_reaches_the_total():
    space = OutcomeSpace({"a": np.arange(10.0), "b": np.arange(10.0)})
    model = linear_additive(
        space, actors=["A", "B"], ideals=[[0, 9], [9, 0]], weights=[[1, 1], [1, 1]]
    )
    calls = []
    pareto_frontier(space, model, [0, 0], chunk_size=30, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(30, 100), (60, 100), (90, 100), (100, 100)]


def test_rounding_is_per_actor_so_small_utilities_keep_their_precision():
    """Utility tables are rounded to a power-of-two step per actor: an actor whose
    utilities are tiny next to another's keeps differences of 1e-7."""
    from detente.bargain import zopa_count
    from detente.bargain.utility import value_tables

    space = OutcomeSpace({"price": [0.0, 1.0, 2.0]})
    model = value_tables(
        space,
        {"A": {"price": [0, 5e8, 1e9]}, "B": {"price": [0.9, 0.3000004, 0.1]}},
        normalize="none",
    )
    assert zopa_count(space, model, np.array([1.0, 0.3000003])) == (3, 1)
