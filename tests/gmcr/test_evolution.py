"""The evolution chain (detente.gmcr.evolution), checked against brute force.

The chain's states and transition probabilities are rebuilt from the slow definitions
(tests.gmcr.reference.Slow: unilateral and coalition improvements) and the rule stated
in the module; absorption, reach probabilities and expected moves are checked against
power iteration of that matrix (Kemeny & Snell 1960), on random two- and n-party
conflicts.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.errors import CaseTooLargeError, MissingPartError
from detente.gmcr import GraphModel
from detente.gmcr.evolution import analyze_evolution, evolution
from tests.gmcr.reference import Slow
from tests.gmcr.strategies import graph_models

pytestmark = pytest.mark.gmcr

FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOL = 1e-6


def _brute_chain(model: GraphModel, start: int, groups, weights: str, inertia: float = 0.0):
    slow = Slow(model)
    levels = [max(max(row) - 1, 1) for row in _dense(model)]
    rank = _dense(model)

    def improvements(s):
        out = []
        for a in range(model.n_actors):
            for t in slow.Rp(a, s):
                out.append(([a], t))
        for g in groups:
            for t in slow.coalition_improvements(list(g), s):
                out.append((list(g), t))
        return out

    states = sorted({start} | slow.closure(start, [list(g) for g in groups]))
    pos = {s: j for j, s in enumerate(states)}
    n = len(states)
    P = np.zeros((n, n))
    for s in states:
        imps = improvements(s)
        if not imps:
            P[pos[s], pos[s]] = 1.0
            continue
        w = []
        for members, t in imps:
            if weights == "uniform":
                w.append(1.0)
            else:
                w.append(np.mean([(rank[k][t] - rank[k][s]) / levels[k] for k in members]))
        total = sum(w)
        for (_, t), x in zip(imps, w, strict=True):
            P[pos[s], pos[t]] += (1 - inertia) * x / total
        P[pos[s], pos[s]] += inertia
    return states, P


def _dense(model: GraphModel):
    from detente.gmcr.preferences import dense_ranks

    return [dense_ranks(row).tolist() for row in model.payoff]


def _power(P: np.ndarray, start: int, doublings: int = 40) -> np.ndarray:
    """The distribution after 2^doublings steps, by repeated squaring."""
    M = P.copy()
    for _ in range(doublings):
        M = M @ M
        M /= M.sum(axis=1, keepdims=True)  # keep rows stochastic against rounding
    return M[start]


def _visits(P: np.ndarray, start: int, states: list[int], doublings: int = 40) -> float:
    """Expected steps spent in ``states`` over 2^doublings steps (sum of P^k, by doubling)."""
    S = np.eye(P.shape[0])  # sum of P^k for k < m
    M = P.copy()  # P^m
    for _ in range(doublings):
        S = S + S @ M
        M = M @ M
    return float(S[start, states].sum())


@FEW
@given(
    graph_models(min_actors=2, max_actors=3, max_options=5),
    st.sampled_from(["uniform", "gain"]),
    st.booleans(),
    st.data(),
)
def test_the_chain_is_the_stated_rule_over_the_improvements(model, weights, with_pairs, data):
    start = data.draw(st.integers(0, model.n_states - 1))
    groups = [(0, 1)] if with_pairs else []
    res = evolution(model, start=start, coalitions=groups, weights=weights, moves=(0, 1, 3))
    states, P = _brute_chain(model, start, groups, weights)
    assert res.states.tolist() == states
    assert np.allclose(res.transition, P, atol=1e-12)
    j = states.index(start)
    for k in (0, 1, 3):
        assert np.allclose(res.distributions[k], np.linalg.matrix_power(P, k)[j], atol=1e-12)


@FEW
@given(
    graph_models(min_actors=2, max_actors=4, max_options=5),
    st.sampled_from(["uniform", "gain"]),
    st.data(),
)
def test_absorption_and_reach_agree_with_power_iteration(model, weights, data):
    start = data.draw(st.integers(0, model.n_states - 1))
    groups = [(0, 1)] if data.draw(st.booleans()) else []
    inertia = data.draw(st.sampled_from([0.0, 0.5]))
    res = evolution(
        model, start=start, coalitions=groups, weights=weights, inertia=inertia, moves=()
    )
    states, P = _brute_chain(model, start, groups, weights, inertia)
    j = states.index(start)
    closed = [[states.index(s) for s in c] for c in res.closed_classes]
    transient = sorted(set(range(len(states))) - {x for c in closed for x in c})
    p = _power(P, j)
    for c, prob in zip(closed, res.class_probability, strict=True):
        assert abs(p[c].sum() - prob) < TOL
    assert abs(res.class_probability.sum() - 1.0) < TOL
    # Expected moves before settling: the expected time spent in transient states.
    expected = _visits(P, j, transient)
    assert abs(res.expected_moves_to_settle - expected) < 1e-6 * max(1.0, expected)
    # The chance of ever visiting an equilibrium: make it absorbing and iterate.
    for s, prob in res.reach_probability.items():
        t = states.index(s)
        Pt = P.copy()
        Pt[t] = 0.0
        Pt[t, t] = 1.0
        assert abs(_power(Pt, j)[t] - prob) < TOL, s
    # The chance of coming back to the start after leaving it.
    if start not in res.absorbing and res.expected_visits_to_start is not None:
        Ps = P.copy()
        Ps[j] = 0.0
        Ps[j, j] = 1.0
        first = P[j].copy()
        first[j] = 0.0
        first /= first.sum()
        back = float(first @ np.stack([_power(Ps, x)[j] for x in range(len(states))]))
        assert abs(res.return_probability - back) < TOL
    # Each closed class is closed and strongly connected in the brute-force chain.
    for c in closed:
        assert np.allclose(P[np.ix_(c, c)].sum(axis=1), 1.0)


def _pennies() -> GraphModel:
    """A cycle of thaw and escalation: A wants to match B, B to differ from A, so the
    improvements go round the four states for ever (a closed class, no absorption)."""
    return GraphModel.from_options(
        actors=["A", "B"],
        options={"a": "A", "b": "B"},
        rankings={"A": [[0, 3], [1, 2]], "B": [[1, 2], [0, 3]]},
        status_quo=0,
    )


def test_a_closed_cycle_is_reported_and_never_left():
    res = evolution(_pennies(), moves=(1, 2, 4))
    assert res.closed_classes == ((0, 1, 2, 3),)
    assert res.cycles == ((0, 1, 2, 3),)
    assert res.absorbing == ()
    assert res.class_probability.tolist() == [1.0]
    assert res.expected_moves_to_settle == 0.0
    assert res.probability_after(4) == {0: 1.0}
    data = res.to_dict()
    assert data["cycles"] == [{"states": [1, 2, 3, 4], "closed": True}]
    json.dumps(data)


def test_prisoners_dilemma_settles_at_mutual_defection():
    m = GraphModel.from_options(
        actors=["A", "B"],
        options={"dA": "A", "dB": "B"},
        rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]},
        status_quo=0,
    )
    res = evolution(m, moves=(1, 2))
    assert res.absorbing == (3,)
    assert res.expected_moves_to_settle == pytest.approx(2.0)
    assert res.expected_moves_to_leave_start == 1.0
    assert res.return_probability == 0.0
    assert res.reach_probability[3] == pytest.approx(1.0)
    # With inertia q a step keeps the state with probability q: leaving takes 1/(1-q).
    lazy = evolution(m, inertia=0.75, moves=())
    assert lazy.expected_moves_to_leave_start == pytest.approx(4.0)
    assert lazy.expected_moves_to_settle == pytest.approx(8.0)
    assert lazy.return_probability == 0.0  # staying put is no return
    data = res.to_dict()
    assert data["transitions"][0]["probability"] == pytest.approx(0.5)


def test_an_oversize_chain_is_refused_with_the_size_that_fits():
    with pytest.raises(CaseTooLargeError, match="at most 2 ") as info:
        evolution(_pennies(), max_states=2)
    message = str(info.value.problems[0])
    assert "max_states 2" in message and "of memory fit" in message


def test_the_memory_limit_bounds_the_chain():
    from detente.gmcr.evolution import _chain_limit

    assert _chain_limit(6000, 32 * 9) == 3  # a 3 x 3 chain's dense matrices
    assert _chain_limit(6000, 8 * 2**30) == 6000


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"weights": "random"}, ValueError),
        ({"inertia": 1.0}, ValueError),
        ({"moves": (-1,)}, ValueError),
        ({"start": 7}, ValueError),
        ({"concepts": ("zen",)}, ValueError),
    ],
)
def test_bad_input_is_refused(kwargs, error):
    with pytest.raises(error):
        evolution(_pennies(), **kwargs)


def test_no_start_and_no_status_quo():
    m = GraphModel.from_options(actors=["A"], options={"a": "A"})
    with pytest.raises(MissingPartError):
        evolution(m)


def test_the_case_level_call_and_korea():
    pd = analyze_evolution(detente.load("prisoners_dilemma"), moves=(1,))
    assert pd.to_dict()["absorbing"] == [4] and pd.case_id == "prisoners_dilemma"
    korea = detente.load("korea")
    # The 2022 deadlock is absorbing: nobody improves on it.
    assert analyze_evolution(korea, moves=(1,)).expected_moves_to_settle == 0.0
    view = korea.base.scenario("eve_of_hanoi_2019")
    res = analyze_evolution(view, start="summit_roadmap", weights="gain")
    data = res.to_dict()
    json.dumps(data)
    assert data["scenario"] == "eve_of_hanoi_2019"
    assert sum(c["probability"] for c in data["closed_classes"]) == pytest.approx(1.0)
    # The freeze of 2018-19 (the scenario's status quo) is one of the places it ends.
    sq = res.model.status_quo
    assert sq in res.absorbing
    assert res.reach_probability[sq] > 0
