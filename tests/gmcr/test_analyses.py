"""Status quo, explanations and coalitions against the slow definitions."""

from __future__ import annotations

import json
from itertools import combinations, pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.errors import CaseTooLargeError, MissingPartError
from detente.gmcr import (
    GraphModel,
    coalition_stabilities,
    instability_explanation,
    reachable_states,
    stabilities,
    status_quo_paths,
)
from tests.gmcr.reference import Slow
from tests.gmcr.strategies import graph_models
from tests.gmcr.test_reference_cases import ELMIRA_STATES, elmira

pytestmark = pytest.mark.gmcr

FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(graph_models(), st.data())
def test_status_quo_reach_and_paths(model: GraphModel, data) -> None:
    sq = data.draw(st.integers(0, model.n_states - 1))
    res = status_quo_paths(model, status_quo=sq, max_paths=None)
    slow = Slow(model)
    assert set(res.reachable) == slow.reach(list(range(model.n_actors)), sq, True)
    for target, steps in res.paths.items():
        assert steps[0].source == sq
        assert steps[-1].target == target
        for a, b in pairwise(steps):
            assert a.target == b.source
            assert a.actor != b.actor  # legal sequence
        for step in steps:
            k = model.actors.index(step.actor)
            assert step.target in slow.Rp(k, step.source)
    json.dumps(res.to_dict())


@FEW
@given(graph_models(), st.data())
def test_reachable_states_equal_definition(model: GraphModel, data) -> None:
    group = data.draw(st.sets(st.integers(0, model.n_actors - 1), min_size=1))
    state = data.draw(st.integers(0, model.n_states - 1))
    improving = data.draw(st.booleans())
    got = reachable_states(model, sorted(group), state, improving=improving)
    assert set(got) == Slow(model).reach(sorted(group), state, improving)


@FEW
@given(graph_models(), st.data())
def test_explanation_agrees_with_stability(model: GraphModel, data) -> None:
    concept = data.draw(st.sampled_from(["nash", "gmr", "smr", "seq"]))
    actor = data.draw(st.integers(0, model.n_actors - 1))
    state = data.draw(st.integers(0, model.n_states - 1))
    expl = instability_explanation(model, actor, state, concept=concept, max_sanctions=1000)
    assert expl.stable == stabilities(model, concepts=(concept,)).is_stable(concept, actor, state)
    slow = Slow(model)
    assert {c.target for c in expl.improvements} == slow.Rp(actor, state)
    for check in expl.improvements:
        assert len(check.responses) == len(check.sanctions)
        for sanction, steps in zip(check.sanctions, check.responses, strict=True):
            assert slow.P[actor][sanction] <= slow.P[actor][state]
            assert steps[0].source == check.target
            assert steps[-1].target == sanction
            for a, b in pairwise(steps):
                assert a.target == b.source
                assert a.actor != b.actor
            for step in steps:
                k = model.actors.index(step.actor)
                assert k != actor
                allowed = slow.Rp(k, step.source) if concept == "seq" else slow.R[k][step.source]
                assert step.target in allowed
        # SMR: the GMR answers the actor escapes from, each with a real escape.
        assert not check.escapes or concept == "smr"
        for (answer, escape), steps in zip(check.escapes, check.escape_responses, strict=True):
            assert slow.P[actor][answer] <= slow.P[actor][state]
            assert escape in slow.R[actor][answer]
            assert slow.P[actor][escape] > slow.P[actor][state]
            assert steps[0].source == check.target and steps[-1].target == answer
        if concept == "smr":
            # The GMR answers split into those that hold under SMR and those the actor
            # escapes from.
            gmr = instability_explanation(model, actor, state, concept="gmr", max_sanctions=1000)
            (same,) = [c for c in gmr.improvements if c.target == check.target]
            escaped = {a for a, _ in check.escapes}
            assert escaped | set(check.sanctions) == set(same.sanctions)
            assert not escaped & set(check.sanctions)
    json.dumps(expl.to_dict())


@FEW
@given(graph_models(max_actors=3, max_options=5))
def test_coalition_improvements_equal_definition(model: GraphModel) -> None:
    groups = [c for size in (2, 3) for c in combinations(range(model.n_actors), size)]
    res = coalition_stabilities(model, coalitions=groups)
    slow = Slow(model)
    for g, members in enumerate(groups):
        expected = [slow.coalition_improvable(list(members), s) for s in range(model.n_states)]
        assert res.improvable[g].tolist() == expected
        outsiders = [k for k in range(model.n_actors) if k not in members]
        for s in range(model.n_states):
            imps = [
                t
                for t in slow.reach(list(members), s, False)
                if all(slow.P[k][t] > slow.P[k][s] for k in members)
            ]
            for concept, improving in (("gmr", False), ("seq", True)):
                ok = all(
                    any(
                        slow.P[k][u] <= slow.P[k][s]
                        for u in slow.reach(outsiders, t, improving)
                        for k in members
                    )
                    for t in imps
                )
                assert bool(res.stable[concept][g, s]) == ok, (members, s, concept)
    json.dumps(res.to_dict())


def test_elmira_status_quo_moves_to_state_5() -> None:
    """From the status quo (state 1) the local government insists: state 5."""
    model = elmira()
    res = status_quo_paths(model)
    five = model.index_of(ELMIRA_STATES[5][0])
    assert res.reachable == (five,)
    assert [(s.actor, s.changed) for s in res.paths[five]] == [("L", (("insist", True),))]


def test_elmira_coalition_of_ministry_and_uniroyal() -> None:
    """Kilgour et al. (2001): M and U together can move from state 5 to state 8
    (M modifies the order, U accepts it), which both prefer; state 8 is not
    improvable by any coalition."""
    model = elmira()
    res = coalition_stabilities(model, coalitions=[["M", "U"]])
    five, eight = (model.index_of(ELMIRA_STATES[k][0]) for k in (5, 8))
    assert res.improvable[0, five]
    assert not res.stable["nash"][0, five]
    assert res.stable["nash"][0, eight]


@FEW
@given(graph_models(max_actors=3, max_options=5), st.data())
def test_status_quo_reach_with_coalitions(model: GraphModel, data) -> None:
    sq = data.draw(st.integers(0, model.n_states - 1))
    pairs = [list(c) for c in combinations(range(model.n_actors), 2)]
    groups = data.draw(st.lists(st.sampled_from(pairs), min_size=1, unique_by=tuple))
    res = status_quo_paths(model, status_quo=sq, coalitions=groups, max_paths=None)
    slow = Slow(model)
    assert set(res.reachable) == slow.closure(sq, groups)
    for target, steps in res.paths.items():
        assert steps[0].source == sq and steps[-1].target == target
        k = 0
        while k < len(steps):
            step = steps[k]
            if step.coalition is None:  # a party's own improvement
                assert step.target in slow.Rp(model.actors.index(step.actor), step.source)
                k += 1
                continue
            # A joint move: consecutive moves by members, no one twice in a row,
            # ending where every member is better off than where it began.
            members = [model.actors.index(a) for a in step.coalition]
            joint = [step]
            while k + len(joint) < len(steps) and steps[k + len(joint)].coalition == step.coalition:
                joint.append(steps[k + len(joint)])
            for a, b in pairwise(joint):
                assert a.target == b.source and a.actor != b.actor
            for s in joint:
                assert s.target in slow.R[model.actors.index(s.actor)][s.source]
            assert joint[-1].target in slow.coalition_improvements(members, step.source)
            k += len(joint)


def test_elmira_coalition_reaches_the_resolution_from_the_status_quo() -> None:
    """Kilgour et al. (2001): after the local government insists (state 5), the
    Ministry and Uniroyal together move to state 8 (Uniroyal accepts a modified
    order), which parties acting alone cannot reach."""
    model = elmira()
    alone = status_quo_paths(model)
    joint = status_quo_paths(model, coalitions=[["M", "U"]])
    five, eight = (model.index_of(ELMIRA_STATES[k][0]) for k in (5, 8))
    assert eight not in alone.reachable
    assert set(joint.reachable) == {five, eight}
    steps = joint.paths[eight]
    assert [(s.actor, s.coalition) for s in steps] == [
        ("L", None),
        ("U", ("M", "U")),
        ("M", ("M", "U")),
    ]


def test_status_quo_with_coalitions_refuses_too_many_states(monkeypatch) -> None:
    monkeypatch.setattr("detente.gmcr.status_quo.MAX_COALITION_STATES", 4)
    model = elmira()
    with pytest.raises(CaseTooLargeError, match="square of the number of states"):
        status_quo_paths(model, coalitions=[["M", "U"]])


@FEW
@given(graph_models(min_actors=4, max_actors=4, max_options=6), st.data())
def test_coalition_seq_with_joint_sanctions_follows_the_definition(model: GraphModel, data) -> None:
    """C-SEQ with joint sanctions: every coalition improvement t of H from s meets a
    state, reached from t by outsiders' groups improving jointly, that some member of
    H likes no better than s. (Four parties, so the two outsiders can act jointly.)"""
    members = sorted(data.draw(st.sets(st.integers(0, model.n_actors - 1), min_size=2, max_size=2)))
    res = coalition_stabilities(model, coalitions=[members], concepts=("seq",), sanctions="joint")
    single = coalition_stabilities(model, coalitions=[members], concepts=("seq",))
    slow = Slow(model)
    outsiders = [k for k in range(model.n_actors) if k not in members]
    for s in range(model.n_states):
        expected = all(
            any(
                any(slow.P[k][u] <= slow.P[k][s] for k in members)
                for u in slow.joint_improvement_reach(outsiders, t)
            )
            for t in slow.coalition_improvements(members, s)
        )
        assert res.stable["seq"][0, s] == expected, s
        assert res.stable["seq"][0, s] >= single.stable["seq"][0, s]  # only more sanctions


def test_missing_status_quo() -> None:
    model = GraphModel.from_options(actors=["A", "B"], options={"a": "A", "b": "B"})
    with pytest.raises(MissingPartError, match="status quo"):
        status_quo_paths(model)


def test_coalition_size_guard() -> None:
    model = GraphModel.from_options(
        actors=["A", "B"], options={f"o{k}": "AB"[k % 2] for k in range(6)}
    )
    with pytest.raises(CaseTooLargeError, match="square"):
        coalition_stabilities(model, max_states=10)


@FEW
@given(graph_models())
def test_preference_ranks_follow_payoffs(model: GraphModel) -> None:
    from detente.gmcr.results import preference_ranks

    ranks = preference_ranks(model)
    for a in range(model.n_actors):
        p, r = model.payoff[a], ranks[a]
        assert r.min() == 1 and set(r.tolist()) == set(range(1, r.max() + 1))
        for i in range(model.n_states):
            for j in range(model.n_states):
                assert (r[i] < r[j]) == (p[i] > p[j])


def test_two_party_concepts_are_refused_before_any_work(monkeypatch) -> None:
    """SIM lists every move of both parties; a budget that holds the basic analysis
    but not those lists is refused up front, naming both sizes."""
    from detente.gmcr.graph import estimate_bytes
    from detente.gmcr.moves import MoveGraphs

    model = GraphModel.from_options(
        actors=["A", "B"], options={f"o{k}": "AB"[k % 2] for k in range(10)}
    )
    graphs = MoveGraphs(model)
    edges = 2 * (graphs[0].n_edges + graphs[1].n_edges)
    budget = (estimate_bytes(model) + estimate_bytes(model, n_edges=edges)) // 2
    stabilities(model, concepts=("nash", "seq"), max_bytes=budget)

    def no_work(*args, **kwargs):
        raise AssertionError("stability was computed before the size check")

    monkeypatch.setattr("detente.gmcr.stability._actor_stability", no_work)
    with pytest.raises(CaseTooLargeError, match="needs about"):
        stabilities(model, concepts=("nash", "seq", "sim"), max_bytes=budget)


def test_stability_to_dict_is_json() -> None:
    model = elmira()
    res = stabilities(model, concepts=("nash", "gmr", "smr", "seq"))
    d = res.to_dict()
    text = json.dumps(d)
    assert json.loads(text) == d
    first = d["states"][0]
    assert first["index"] == 1
    assert set(first) == {"index", "code", "pattern", "options", "rank", "stability", "equilibrium"}
    assert set(first["stability"]) == {"M", "U", "L"}
    assert set(first["stability"]["M"]) == {"nash", "gmr", "smr", "seq"}
    assert all(isinstance(v, bool) for v in first["options"].values())
    assert np.array_equal(np.array(d["equilibria"]["nash"]) - 1, res.equilibria("nash"))


@FEW
@given(graph_models(min_actors=2, max_actors=2), st.data())
def test_sim_explanation_agrees_with_stability(model: GraphModel, data) -> None:
    actor = data.draw(st.integers(0, 1))
    state = data.draw(st.integers(0, model.n_states - 1))
    expl = instability_explanation(model, actor, state, concept="sim")
    assert expl.stable == stabilities(model, concepts=("sim",)).is_stable("sim", actor, state)
    for check in expl.improvements:
        for steps in check.responses:
            assert [s.actor for s in steps] == [model.actors[1 - actor]]
            assert steps[0].source == state
