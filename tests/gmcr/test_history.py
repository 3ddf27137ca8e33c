"""Behavioural analysis of a recorded history (after Hipel, Xu, Wang, Kilgour & Fang 2019).

The step verdicts and each party's consistency with Nash, GMR, SMR and SEQ are checked
against a direct implementation of the rule stated in detente.gmcr.history, built on
the slow definitions of tests.gmcr.reference, on random two- and n-party conflicts;
then the case format (`history:`), its validation, and the Korea history.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.errors import CaseError, MissingPartError
from detente.gmcr import GraphModel
from detente.gmcr.history import analyze_history, behavioural_analysis
from tests.gmcr.reference import Slow
from tests.gmcr.strategies import graph_models

pytestmark = pytest.mark.gmcr

CORE = ("nash", "gmr", "smr", "seq")
FEW = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sanctioned(slow: Slow, concept: str, i: int, s: int, t: int) -> bool:
    """Whether the improvement s -> t of i is sanctioned (Fang, Hipel & Kilgour 1993)."""
    P = slow.P[i]
    H = [k for k in range(slow.m.n_actors) if k != i]
    if concept == "nash":
        return False
    if concept == "gmr":
        return any(P[x] <= P[s] for x in slow.reach(H, t, False))
    if concept == "smr":
        return any(
            P[x] <= P[s] and all(P[y] <= P[s] for y in slow.R[i][x])
            for x in slow.reach(H, t, False)
        )
    return any(P[x] <= P[s] for x in slow.reach(H, t, True))


def _expected(model: GraphModel, states: list[int]):
    """The rule, written out state by state."""
    slow = Slow(model)
    tables = {c: slow.table(c) for c in CORE}
    n_actors = model.n_actors
    kinds = []
    obs: list[list[dict[str, bool]]] = [[] for _ in range(n_actors)]
    for s, t in itertools.pairwise(states):
        diff = slow.codes[s] ^ slow.codes[t]
        movers = [a for a in range(n_actors) if diff & slow.masks[a]]
        if not movers:
            kinds.append("no_change")
        elif len(movers) == 1:
            (a,) = movers
            kinds.append("unilateral_improvement" if t in slow.Rp(a, s) else "unilateral_move")
        else:
            ok = t in slow.coalition_improvements(movers, s)
            kinds.append("coalition_improvement" if ok else "joint_move")
        for a in range(n_actors):
            if a not in movers:
                obs[a].append({c: bool(tables[c][a, s]) for c in CORE})
            elif len(movers) == 1:
                ui = t in slow.Rp(a, s)
                obs[a].append({c: ui and not _sanctioned(slow, c, a, s, t) for c in CORE})
    for a in range(n_actors):
        obs[a].append({c: bool(tables[c][a, states[-1]]) for c in CORE})
    return kinds, obs


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=5), st.data())
def test_steps_and_consistency_follow_the_stated_rule(model, data):
    states = data.draw(st.lists(st.integers(0, model.n_states - 1), min_size=1, max_size=6))
    res = behavioural_analysis(model, states)
    kinds, obs = _expected(model, states)
    assert [s.kind for s in res.steps] == kinds
    for a, party in enumerate(res.parties):
        assert party.n_observations == len(obs[a])
        for c in CORE:
            assert party.n_consistent[c] == sum(o[c] for o in obs[a]), (party.actor, c)
        assert party.concepts == tuple(c for c in CORE if all(o[c] for o in obs[a]))


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=5), st.data())
def test_consistency_respects_the_implications_between_concepts(model, data):
    """Nash => SMR, SEQ => GMR (Fang et al. 1993): a stay consistent with Nash is
    consistent with all; a move consistent with GMR is consistent with all."""
    states = data.draw(st.lists(st.integers(0, model.n_states - 1), min_size=2, max_size=6))
    res = behavioural_analysis(model, states)
    for step in res.steps:
        for actor, verdict in step.consistent.items():
            if step.observations[actor] == "stayed" and verdict["nash"]:
                assert all(verdict.values())
            if step.observations[actor] == "moved" and verdict["gmr"]:
                assert all(verdict.values())
            if step.observations[actor] == "moved_jointly":
                assert all(v is None for v in verdict.values())


@FEW
@given(graph_models(min_actors=2, max_actors=3, max_options=5))
def test_a_history_of_one_state_observes_its_stability(model):
    res = behavioural_analysis(model, [0])
    assert res.steps == ()
    slow = Slow(model)
    for a, party in enumerate(res.parties):
        assert party.concepts == tuple(c for c in CORE if slow.table(c)[a, 0])
    assert behavioural_analysis(model, [0], include_final=False).parties[0].n_observations == 0


def _pd() -> GraphModel:
    return GraphModel.from_options(
        actors=["A", "B"],
        options={"dA": "A", "dB": "B"},
        rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]},
    )


def test_prisoners_dilemma_history():
    """From NN, A defects (a UI that B can sanction: only Nash explains it), then B
    follows (unsanctioned: every concept explains it). B held back at NN, where only the
    sanctioning concepts keep it (NN is GMR, SMR, SEQ stable for B but not Nash)."""
    res = behavioural_analysis(_pd(), [0, 1, 3], dates=["1", "2", "3"], labels=["a", "b", "c"])
    assert [s.movers for s in res.steps] == [("A",), ("B",)]
    assert res.steps[0].consistent["A"] == {"nash": True, "gmr": False, "smr": False, "seq": False}
    assert res.party("A").concepts == ("nash",)
    assert res.party("B").concepts == ("gmr", "smr", "seq")
    assert res.final_equilibrium == dict.fromkeys(CORE, True)
    data = res.to_dict()
    json.dumps(data)
    assert data["steps"][0]["improved_for"] == ["A"]
    assert data["steps"][0]["gains"] == {"A": 1, "B": -2}  # B: 2nd best to worst
    assert data["parties"]["A"]["inconsistent_steps"]["gmr"] == [1]


def test_a_joint_move_is_a_coalition_improvement_when_every_mover_gains():
    res = behavioural_analysis(_pd(), [3, 0])  # both stop defecting together
    (step,) = res.steps
    assert step.kind == "coalition_improvement" and step.legal
    assert step.observations == {"A": "moved_jointly", "B": "moved_jointly"}
    assert behavioural_analysis(_pd(), [0, 3]).steps[0].kind == "joint_move"


def test_a_move_against_preferences_fits_no_concept():
    res = behavioural_analysis(_pd(), [1, 0])  # A stops defecting alone
    assert res.steps[0].kind == "unilateral_move"
    assert res.steps[0].consistent["A"] == dict.fromkeys(CORE, False)


def test_an_irreversible_option_makes_its_reversal_illegal():
    m = GraphModel.from_options(
        actors=["A", "B"],
        options={"dA": "A", "dB": "B"},
        rankings={"A": [0, 1, 3, 2], "B": [2, 0, 3, 1]},
        direction={"dA": 1},
    )
    (step,) = behavioural_analysis(m, [1, 0]).steps
    assert step.kind == "unilateral_move" and not step.legal


@pytest.mark.parametrize(
    ("states", "kwargs", "words"),
    [
        ([], {}, "at least one state"),
        ([9], {}, "out of range"),
        ([0, 1], {"dates": ["2018"]}, "one item per state"),
    ],
)
def test_bad_input_is_refused(states, kwargs, words):
    with pytest.raises(ValueError, match=words):
        behavioural_analysis(_pd(), states, **kwargs)


# -- the case format ---------------------------------------------------------------

PD_HISTORY = """
history:
  - {date: "2001", label: quiet, options: []}
  - {date: "2002", label: A talks, changes: {A_defects: true}}
  - {date: "2003", label: both talk, scenario: both}
scenarios:
  - id: both
    name: Both confess
    status_quo: [A_defects, B_defects]
"""


def _pd_with(tmp_path, history: str):
    from importlib.resources import files

    text = files("detente.cases").joinpath("teaching/prisoners_dilemma.yaml").read_text()
    path = tmp_path / "pd.yaml"
    path.write_text(text.rstrip("\n") + "\n" + history)
    return path, path.read_text()


def test_the_case_records_its_history(tmp_path):
    path, _ = _pd_with(tmp_path, PD_HISTORY)
    res = analyze_history(detente.load(path))
    assert [e.label for e in res.entries] == ["quiet", "A talks", "both talk"]
    assert [s.kind for s in res.steps] == ["unilateral_improvement"] * 2
    assert res.party("B").concepts == ("gmr", "smr", "seq")
    assert analyze_history(detente.load(path), since="2002").steps[0].movers == ("B",)
    assert len(analyze_history(detente.load(path), until="2002").entries) == 2
    with pytest.raises(MissingPartError):
        analyze_history(detente.load(path), since="2010")


def test_a_case_without_history_says_so():
    with pytest.raises(MissingPartError, match="history"):
        analyze_history(detente.load("prisoners_dilemma"))


@pytest.mark.parametrize(
    ("history", "fragment", "field", "words"),
    [
        (
            '  - {date: "2001", label: x, options: [A_defect]}\n',
            "A_defect]",
            "history[0].options[0]",
            "did you mean 'A_defects'",
        ),
        (
            '  - {date: "2001", label: x, options: []}\n  - {date: "2002", label: y, changes: {B_def: true}}\n',
            "label: y",
            "history[1].changes.B_def",
            "unknown option",
        ),
        (
            '  - {date: "2001", label: x, changes: {A_defects: true}}\n',
            "label: x",
            "history[0]",
            "first entry",
        ),
        (
            '  - {date: "2001", label: x, options: []}\n  - {date: "2002", label: y, proposal: deal}\n',
            "label: y",
            "history[1].proposal",
            "unknown proposal",
        ),
        (
            '  - {date: "2002", label: x, options: []}\n  - {date: "2001", label: y, options: []}\n',
            "label: y",
            "history[1].date",
            "date order",
        ),
        (
            '  - {date: "2001", label: x, options: [], scenario: s}\n',
            "label: x",
            "history[0]",
            "exactly one of",
        ),
    ],
)
def test_a_bad_history_names_file_line_and_field(tmp_path, history, fragment, field, words):
    path, text = _pd_with(tmp_path, "history:\n" + history)
    with pytest.raises(CaseError) as info:
        detente.load(path)
    (problem,) = info.value.problems
    assert problem.field == field
    assert words in problem.message
    assert problem.line == text[: text.index(fragment)].count("\n") + 1
    assert str(problem).startswith(f"{path}:{problem.line}: {field}")


def test_an_infeasible_history_state_is_refused(tmp_path):
    path, _ = _pd_with(
        tmp_path,
        'constraints:\n  - {infeasible: "A_defects and B_defects"}\n'
        'history:\n  - {date: "2001", label: x, options: [A_defects, B_defects]}\n',
    )
    with pytest.raises(CaseError) as info:
        detente.load(path)
    # The rankings list the state the constraint removes too; the history's is one problem.
    (problem,) = [p for p in info.value.problems if p.field.startswith("history")]
    assert problem.field == "history[0]"
    assert "infeasible" in problem.message


# -- Korea ---------------------------------------------------------------------------


def test_korea_history_runs_from_the_2017_escalation_to_the_2022_deadlock():
    case = detente.load("korea")
    res = analyze_history(case)
    data = res.to_dict()
    json.dumps(data)
    dates = [e["date"] for e in data["entries"]]
    assert dates[0].startswith("2017") and dates[-1].startswith("2022")
    assert any(d.startswith("2018-06") for d in dates)  # Singapore
    assert "2019-02-28" in dates  # Hanoi
    # The record ends at the case's status quo.
    last = res.entries[-1].state
    assert res.model.status_quo == last
    by_date = {s.date: s for s in res.steps}
    assert by_date["2018-04-20"].movers == ("PRK",)  # the moratorium
    assert by_date["2018-06-18"].movers == ("USA",)  # drills suspended after Singapore
    assert by_date["2018-07"].movers == ("CHN", "RUS")  # joint step in the committee
    assert by_date["2019-02-28"].kind == "no_change"  # Hanoi: nothing moved
    assert by_date["2022-03-24"].movers == ("PRK",)
    # Under the 2022 preferences the steps back into the deadlock are improvements.
    for date in ("2022-03-24", "2022-08-08", "2022-08-22"):
        assert by_date[date].kind == "unilateral_improvement", date
    # Every entry cites sources the case already has.
    known = {s.id for s in case.sources}
    assert all(e.sources and set(e.sources) <= known for e in case.history)


def test_korea_history_before_hanoi_with_the_2019_preferences():
    view = detente.load("korea").base.scenario("eve_of_hanoi_2019")
    res = analyze_history(view, until="2019")
    assert res.scenario == "eve_of_hanoi_2019"
    assert res.entries[-1].date == "2019-02-28"
    assert res.model.states[res.entries[-1].state] == res.model.states[res.model.status_quo]
    kinds = {s.date: s.kind for s in res.steps}
    assert kinds["2018-06-18"] == "unilateral_improvement"  # Trump's suspension
    assert np.isfinite(res.party("USA").n_observations)
