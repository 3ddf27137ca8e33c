"""Heterogeneous stability (GMCR II's per-party concept; Fang, Hipel, Kilgour & Peng 2003).

Checked by brute force against the definitions (tests.gmcr.reference.Slow) on random
two-party and n-party conflicts, and on bad input, the case field and its validation.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.errors import CaseError, MissingPartError
from detente.gmcr import GraphModel, TwoActorConceptError, stabilities
from detente.gmcr.heterogeneous import (
    analyze_heterogeneous,
    case_concepts,
    heterogeneous_stabilities,
)
from tests.gmcr.reference import Slow
from tests.gmcr.strategies import graph_models

pytestmark = pytest.mark.gmcr

CORE = ("nash", "gmr", "smr", "seq")
FEW = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pd() -> GraphModel:
    return GraphModel.from_options(
        actors=["A", "B"],
        options={"dA": "A", "dB": "B"},
        rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]},
    )


@FEW
@given(graph_models(min_actors=2, max_actors=4), st.data())
def test_each_party_is_judged_by_the_definition_of_its_own_concept(model, data):
    chosen = {a: data.draw(st.sampled_from(CORE)) for a in model.actors}
    res = heterogeneous_stabilities(model, chosen)
    slow = Slow(model)
    for k, a in enumerate(model.actors):
        assert np.array_equal(res.stable[k], slow.table(chosen[a])[k]), (a, chosen[a])
    expected = np.all([slow.table(chosen[a])[k] for k, a in enumerate(model.actors)], axis=0)
    assert res.equilibria() == [int(i) for i in np.flatnonzero(expected)]


@FEW
@given(graph_models(min_actors=2, max_actors=2), st.data(), st.integers(1, 4))
def test_two_party_concepts_mix_with_the_others(model, data, horizon):
    concepts = ("nash", "gmr", "smr", "seq", "sim", "seq_sim", "lh")
    chosen = {a: data.draw(st.sampled_from(concepts)) for a in model.actors}
    res = heterogeneous_stabilities(model, chosen, horizon=horizon)
    slow = Slow(model)
    for k, a in enumerate(model.actors):
        expected = slow.lh_table(horizon) if chosen[a] == "lh" else slow.table(chosen[a])
        assert np.array_equal(res.stable[k], expected[k]), (a, chosen[a])


@FEW
@given(graph_models(min_actors=2, max_actors=4), st.sampled_from(CORE))
def test_one_concept_for_all_gives_that_concepts_equilibria(model, concept):
    res = heterogeneous_stabilities(model, dict.fromkeys(model.actors, concept))
    assert res.equilibria() == stabilities(model, concepts=[concept]).equilibria(concept)


@FEW
@given(graph_models(min_actors=2, max_actors=4), st.data())
def test_a_stricter_concept_for_one_party_never_adds_equilibria(model, data):
    """Nash-stable implies SEQ-stable implies GMR-stable (Fang et al. 1993), so moving
    one party from GMR to SEQ to Nash can only remove equilibria."""
    chosen = {a: data.draw(st.sampled_from(CORE)) for a in model.actors}
    who = data.draw(st.sampled_from(model.actors))
    masks = [
        heterogeneous_stabilities(model, {**chosen, who: c}).equilibrium_mask()
        for c in ("gmr", "seq", "nash")
    ]
    assert not (masks[1] & ~masks[0]).any()
    assert not (masks[2] & ~masks[1]).any()


def test_prisoners_dilemma_with_a_nash_and_a_gmr_prisoner():
    """Fang, Hipel & Kilgour (1993), ch. 3: mutual cooperation (NN) is GMR stable for
    both prisoners and Nash stable for neither; a Nash prisoner leaves it."""
    m = _pd()
    res = heterogeneous_stabilities(m, {"A": "nash", "B": "gmr"})
    assert [m.pattern(i) for i in res.equilibria()] == ["YY"]
    both_gmr = heterogeneous_stabilities(m, {"A": "gmr", "B": "gmr"})
    assert [m.pattern(i) for i in both_gmr.equilibria()] == ["NN", "YY"]
    data = res.to_dict(states="all")
    assert data["concepts"] == {"A": "nash", "B": "gmr"}
    assert data["equilibria"] == [4]
    assert [s["equilibrium"] for s in data["states"]] == [False, False, False, True]


def test_aliases_and_indices_are_accepted():
    m = _pd()
    res = heterogeneous_stabilities(m, {0: "R", "B": "SEQ+SIM"})
    assert res.concepts == {"A": "nash", "B": "seq_sim"}


@pytest.mark.parametrize(
    ("concepts", "horizons", "error", "words"),
    [
        ({"A": "nash"}, None, ValueError, "no solution concept for B"),
        ({"A": "nash", "B": "zen"}, None, ValueError, "unknown solution concept"),
        ({"A": "nash", "C": "gmr"}, None, KeyError, "unknown actor"),
        ({"A": "nash", "B": "gmr"}, {"B": 3}, ValueError, "not limited move"),
        ({"A": "lh", "B": "gmr"}, {"A": 0}, ValueError, ">= 1"),
    ],
)
def test_bad_input_is_refused(concepts, horizons, error, words):
    with pytest.raises(error, match=words):
        heterogeneous_stabilities(_pd(), concepts, horizons=horizons)


def test_two_party_concepts_are_refused_for_three_parties():
    m = GraphModel.from_options(actors=["A", "B", "C"], options={"a": "A", "b": "B", "c": "C"})
    with pytest.raises(TwoActorConceptError):
        heterogeneous_stabilities(m, {"A": "sim", "B": "nash", "C": "nash"})


def _with_concepts(text: str, concepts: dict[str, str]) -> str:
    for actor, concept in concepts.items():
        text = text.replace(
            f"  {actor}:\n    ranking:",
            f"  {actor}:\n    solution_concept: {concept}\n    ranking:",
        )
    return text


def _pd_file(tmp_path, concepts):
    from importlib.resources import files

    src = files("detente.cases").joinpath("teaching/prisoners_dilemma.yaml").read_text()
    path = tmp_path / "pd.yaml"
    path.write_text(_with_concepts(src, concepts))
    return path


def test_the_case_states_each_partys_concept(tmp_path):
    case = detente.load(_pd_file(tmp_path, {"A": "nash", "B": "gmr"}))
    assert case_concepts(case) == ({"A": "nash", "B": "gmr"}, {})
    res = analyze_heterogeneous(case)
    assert res.to_dict()["equilibria"] == [4]
    assert res.case_id == "prisoners_dilemma"
    # A mapping (the command line's) overrides the case.
    assert analyze_heterogeneous(case, concepts={"A": "gmr"}).to_dict()["equilibria"] == [1, 4]


def test_a_party_without_concept_needs_a_default():
    case = detente.load("prisoners_dilemma")
    with pytest.raises(MissingPartError, match="A, B"):
        analyze_heterogeneous(case)
    assert analyze_heterogeneous(case, default="nash").to_dict()["equilibria"] == [4]


def test_a_horizon_belongs_to_limited_move(tmp_path):
    path = _pd_file(tmp_path, {"A": "gmr"})
    path.write_text(
        path.read_text().replace("solution_concept: gmr", "solution_concept: gmr\n    horizon: 3")
    )
    with pytest.raises(CaseError, match="limited move"):
        detente.load(path)


def test_a_two_party_concept_in_a_six_party_case_names_file_line_and_field(tmp_path):
    from importlib.resources import files

    text = files("detente.cases").joinpath("korea.yaml").read_text()
    marker = "  PRK:\n    sources: [isdp2022, opennuclear2021, oodaloop2022]\n"
    assert marker in text
    text = text.replace(marker, marker + "    solution_concept: nm\n", 1)
    path = tmp_path / "korea.yaml"
    path.write_text(text)
    with pytest.raises(CaseError) as info:
        detente.load(path)
    (problem,) = info.value.problems
    assert problem.field == "preferences.PRK.solution_concept"
    assert problem.line == text[: text.index("solution_concept: nm")].count("\n") + 1
    assert str(problem).startswith(f"{path}:{problem.line}: preferences.PRK.solution_concept")


def test_a_scenario_changes_a_partys_concept_with_its_preferences(tmp_path):
    path = _pd_file(tmp_path, {"A": "nash", "B": "gmr"})
    path.write_text(
        path.read_text()
        + """scenarios:
  - id: patient
    name: A weighs B's answer
    preferences:
      A: {solution_concept: gmr, ranking: [YN, NN, YY, NY]}
"""
    )
    case = detente.load(path)
    assert analyze_heterogeneous(case).to_dict()["equilibria"] == [4]
    patient = analyze_heterogeneous(case.scenario("patient"))
    assert patient.concepts == {"A": "gmr", "B": "gmr"}
    assert patient.to_dict()["equilibria"] == [1, 4]
    assert patient.scenario == "patient"
