"""States, patterns, preferences, the memory guard, bad input and the public API."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import detente.gmcr as gmcr
from detente.errors import CaseError, CaseTooLargeError, InfeasibleError
from detente.gmcr import (
    GraphModel,
    TwoActorConceptError,
    feasible_states,
    instability_explanation,
    pattern,
    payoff_from_ranking,
    payoff_from_statements,
    stabilities,
    unilateral_improvements,
    unilateral_moves,
)
from detente.model.expressions import parse
from tests.gmcr.test_reference_cases import elmira

pytestmark = pytest.mark.gmcr

EXPORTED = {
    "CONCEPTS",
    "DEFAULT_MAX_BYTES",
    "TWO_ACTOR_CONCEPTS",
    "CoalitionResult",
    "ConflictAnalysis",
    "EvolutionResult",
    "Explanation",
    "GraphModel",
    "HeterogeneousResult",
    "HistoryResult",
    "HistoryStep",
    "HypergameResult",
    "ImprovementCheck",
    "InverseResult",
    "PartyBehaviour",
    "ProposalStanding",
    "RobustnessResult",
    "StabilityResult",
    "StatusQuoResult",
    "Step",
    "TwoActorConceptError",
    "UncertainResult",
    "analyze_conflict",
    "analyze_evolution",
    "analyze_heterogeneous",
    "analyze_history",
    "analyze_hypergame",
    "analyze_probabilistic",
    "analyze_unknown",
    "behavioural_analysis",
    "case_concepts",
    "check_size",
    "coalition_stabilities",
    "dense_ranks",
    "equilibria",
    "equilibrium_margins",
    "estimate_bytes",
    "feasible_states",
    "graph_model",
    "heterogeneous_stabilities",
    "hypergame_stabilities",
    "instability_explanation",
    "inverse_stability",
    "pattern",
    "payoff_from_ranking",
    "payoff_from_statements",
    "perceived_game",
    "probabilistic_stabilities",
    "reachable_states",
    "stabilities",
    "status_quo_paths",
    "unilateral_improvements",
    "unilateral_moves",
    "unknown_stabilities",
}


def test_public_api() -> None:
    assert set(gmcr.__all__) == EXPORTED
    for name in gmcr.__all__:
        assert hasattr(gmcr, name)


def test_feasible_states_and_pattern() -> None:
    states = feasible_states(3, ["a and b", parse("not a and c")], options=["a", "b", "c"])
    expected = [c for c in range(8) if not ((c & 1 and c & 2) or (not c & 1 and c & 4))]
    assert states.tolist() == expected
    assert pattern(0b011, 3) == "YYN"
    assert feasible_states(2, []).tolist() == [0, 1, 2, 3]


def test_feasible_states_chunked_matches_direct() -> None:
    # 2**21 candidates: two chunks of 2**20.
    states = feasible_states(21, ["o0 and o20", "o3 iff o7"])
    codes = np.arange(2**21, dtype=np.int64)
    bit = lambda k: (codes >> k) & 1 == 1  # noqa: E731
    keep = ~(bit(0) & bit(20)) & ~(bit(3) == bit(7))
    assert np.array_equal(states, codes[keep])


def test_statement_weights() -> None:
    states = np.arange(8)
    # Statement 1 outweighs statements 2 and 3 together; 2 and 3 only break ties.
    p = payoff_from_statements(["a", "b", "c"], states=states, options=["a", "b", "c"])
    order = sorted(range(8), key=lambda s: (s & 1, s >> 1 & 1, s >> 2 & 1))
    assert [int(p[s]) for s in order] == list(range(1, 9))
    ties = payoff_from_statements(["a or b"], states=states, options=["a", "b", "c"])
    assert ties.tolist() == [1, 2, 2, 2, 1, 2, 2, 2]
    many = payoff_from_statements(
        [f"o{k % 3}" for k in range(70)], states=states, options=["o0", "o1", "o2"]
    )
    assert many.max() == 8  # 70 statements, no overflow


def test_ranking_errors() -> None:
    states = np.arange(4)
    with pytest.raises(CaseError, match="missing"):
        payoff_from_ranking([0, 1, 2], states=states)
    with pytest.raises(CaseError, match="twice"):
        payoff_from_ranking([0, [1, 0], 2, 3], states=states)
    with pytest.raises(CaseError, match="not a feasible"):
        payoff_from_ranking([0, 1, 2, 3, 9], states=states)


def test_too_large_refused_before_allocating() -> None:
    tracemalloc.start()
    with pytest.raises(CaseTooLargeError) as info:
        feasible_states(34, [])  # 2**34 codes: 128 GiB
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * 2**20
    assert "GiB" in str(info.value)
    assert info.value.field == "options"
    with pytest.raises(CaseTooLargeError):
        GraphModel.from_options(actors=["A"], options={f"o{k}": "A" for k in range(40)})


def test_analysis_refused_over_the_limit() -> None:
    model = elmira()
    with pytest.raises(CaseTooLargeError, match="limit"):
        stabilities(model, max_bytes=1000)


def test_two_actor_concepts_refused_for_three_actors() -> None:
    model = elmira()
    for concept in ("sim", "SEQ+SIM", "lh", "nm"):
        with pytest.raises(TwoActorConceptError, match="two actors"):
            stabilities(model, concepts=(concept,))
    with pytest.raises(TwoActorConceptError):
        instability_explanation(model, "M", 0, concept="sim")


def test_unknown_concept() -> None:
    with pytest.raises(ValueError, match="unknown solution concept"):
        stabilities(elmira(), concepts=("nashh",))


def test_bad_models() -> None:
    with pytest.raises(InfeasibleError):
        GraphModel.from_options(actors=["A"], options={"a": "A"}, infeasible=["a", "not a"])
    with pytest.raises(CaseError, match="payoff"):
        GraphModel(
            actors=("A",),
            options=("a",),
            controller=np.array([0]),
            states=np.array([0, 1]),
            payoff=np.zeros((1, 3)),
            direction=np.zeros(1),
        )
    with pytest.raises(CaseError, match="sorted"):
        GraphModel(
            actors=("A",),
            options=("a",),
            controller=np.array([0]),
            states=np.array([1, 0]),
            payoff=np.zeros((1, 2)),
            direction=np.zeros(1),
        )
    with pytest.raises(InfeasibleError, match="status quo"):
        GraphModel.from_options(
            actors=["A"], options={"a": "A"}, infeasible=["a"], status_quo={"a": True}
        )


def test_moves_respect_direction_and_misperception() -> None:
    # A controls a (irreversible once taken) and b; B controls c.
    model = GraphModel.from_options(
        actors=["A", "B"],
        options={"a": "A", "b": "A", "c": "B"},
        direction={"a": 1},
        misperceived={"A": ["b and c"]},
        rankings={"A": list(range(8)), "B": list(range(8))},
    )
    s = model.index_of(0b001)  # a taken
    # A may change b alone, but not undo a.
    assert [int(model.states[t]) for t in unilateral_moves(model, "A", s)] == [0b011]
    # From 0: A reaches a, b, ab; but b with c is misperceived by A (c is N here).
    assert sorted(int(model.states[t]) for t in unilateral_moves(model, "A", 0)) == [1, 2, 3]
    s = model.index_of(0b100)
    assert sorted(int(model.states[t]) for t in unilateral_moves(model, "A", s)) == [0b101]
    # The ranking lists codes most preferred first: lower codes are better for A,
    # but once a is taken A cannot undo it.
    assert unilateral_improvements(model, "A", model.index_of(0b011)) == [model.index_of(0b001)]
    assert unilateral_improvements(model, "A", model.index_of(0b001)) == []


def test_partial_actor_analysis() -> None:
    model = elmira()
    part = stabilities(model, actors=["U"])
    full = stabilities(model)
    u = model.actors.index("U")
    for c in part.concepts:
        assert np.array_equal(part.stable[c][u], full.stable[c][u])
    with pytest.raises(ValueError, match="every actor"):
        part.equilibria("nash")
    d = part.to_dict()
    assert d["equilibria"]["nash"] is None
    assert d["states"][0]["equilibrium"]["nash"] is None


def test_same_input_same_result_and_model_untouched() -> None:
    model = elmira()
    before = (model.states.copy(), model.payoff.copy())
    first = stabilities(model, concepts=("nash", "gmr", "smr", "seq")).to_dict()
    second = stabilities(model, concepts=("nash", "gmr", "smr", "seq")).to_dict()
    assert first == second
    assert np.array_equal(model.states, before[0])
    assert np.array_equal(model.payoff, before[1])
    with pytest.raises(ValueError, match="read-only"):
        model.payoff[0, 0] = 7


def _ranked_case(ranking_a: list) -> str:
    return f"""id: dashes
title: Dashes
actors: [{{id: A, name: A}}, {{id: B, name: B}}]
options:
  - {{id: a, label: a, controller: A}}
  - {{id: b, label: b, controller: B}}
status_quo: []
preferences:
  A: {{ranking: {ranking_a}}}
  B: {{ranking: [NY, NN, YN, YY]}}
"""


def test_ranking_dash_edge_cases() -> None:
    from detente.model.checks import expand_ranking

    states = np.arange(4)  # NN, YN, NY, YY
    # A tie group's members may overlap in any order; a trailing "everything else"
    # may be empty.
    assert expand_ranking([["Y-", "YN"], "--"], 2, states) == ([[1, 3], [0, 2]], [])
    assert expand_ranking(["YN", "YY", "NN", "NY", "--"], 2, states) == ([[1], [3], [0], [2]], [])


def test_ranking_dashes_stand_for_the_states_not_yet_ranked() -> None:
    from detente.gmcr.case import graph_model
    from detente.model.io import loads

    # A: YN first; then Y- (every state with a taken not yet ranked: YY); then the rest, tied.
    model = graph_model(loads(_ranked_case("[YN, Y-, '--']"), fmt="yaml"))
    payoff = dict(zip((model.pattern(i) for i in range(4)), model.payoff[0].tolist(), strict=True))
    assert payoff["YN"] > payoff["YY"] > payoff["NN"] == payoff["NY"]


@pytest.mark.parametrize(
    ("ranking", "says"),
    [
        ("[Y-, YN, '--']", "state YN is ranked twice"),
        ("[YN, YY, Y-, '--']", "Y- matches no feasible state"),
        ("[YN, YY]", "end it with a pattern of dashes"),
        ("[YN, 'Y?', '--']", "letters Y, N or -"),
    ],
)
def test_ranking_dash_mistakes_are_named(ranking: str, says: str) -> None:
    from detente.model.io import loads

    with pytest.raises(CaseError) as info:
        loads(_ranked_case(ranking), fmt="yaml")
    assert says in str(info.value)


def test_dashed_rankings_export_to_gmcr_py_expanded() -> None:
    import json

    from detente.gmcr.case import analyze_conflict
    from detente.model.io import loads
    from detente.model.io.gmcr_py import case_to_gmcr

    case = loads(_ranked_case("[YN, Y-, '--']"), fmt="yaml")
    text = case_to_gmcr(case)
    (dm_a, _) = json.loads(text)["decisionMakers"]
    assert dm_a["preferenceRanking"] == [2, 4, [1, 3]]
    back = loads(text, fmt="json")
    assert (
        analyze_conflict(back).to_dict()["equilibria"]
        == analyze_conflict(case).to_dict()["equilibria"]
    )
