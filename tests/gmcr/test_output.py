"""Big graph-model outputs: compact JSON by default above a threshold, every state
streamed, and the stability tableau as plain columns."""

from __future__ import annotations

import json

import numpy as np
import pytest

import detente
from detente.gmcr import GraphModel, analyze_conflict, stabilities
from detente.gmcr import results as results_module
from detente.gmcr.case import ConflictAnalysis
from detente.gmcr.results import (
    MAX_LISTED_STATES,
    conflict_dict,
    iter_conflict_json,
    preference_ranks,
    state_record,
    state_records,
    state_table_columns,
    write_conflict_json,
)

pytestmark = pytest.mark.gmcr


@pytest.fixture(scope="module")
def dilemma() -> ConflictAnalysis:
    return analyze_conflict(detente.load("prisoners_dilemma"), coalitions=True)


@pytest.fixture(scope="module")
def korea() -> ConflictAnalysis:
    return analyze_conflict(detente.load("korea"))


def _expected_record(analysis: ConflictAnalysis, i: int) -> dict:
    """One state's record built state by state from the public per-state pieces."""
    m, stab = analysis.model, analysis.stability
    ranks = preference_ranks(m)
    return {
        **state_record(m, i),
        "rank": {a: int(ranks[k, i]) for k, a in enumerate(m.actors)},
        "stability": {
            a: {c: bool(stab.stable[c][k, i]) for c in stab.concepts}
            for k, a in enumerate(m.actors)
        },
        "equilibrium": {c: bool(stab.equilibrium_mask(c)[i]) for c in stab.concepts},
    }


def test_records_match_the_per_state_pieces(korea) -> None:
    picked = [0, 1, 17, korea.model.status_quo, korea.model.n_states - 1]
    assert state_records(korea.stability, picked) == [_expected_record(korea, i) for i in picked]


def test_small_models_list_every_state(dilemma, korea) -> None:
    assert korea.model.n_states <= MAX_LISTED_STATES
    for analysis in (dilemma, korea):
        data = conflict_dict(analysis)
        assert data["listed_states"] == {"selection": "all", "count": analysis.model.n_states}
        assert [s["index"] for s in data["states"]] == list(range(1, analysis.model.n_states + 1))


@pytest.mark.parametrize("indent", [2, None])
@pytest.mark.parametrize("states", ["all", "equilibria", "summary", [3, 0]])
def test_streamed_json_parses_to_the_dict(dilemma, states, indent) -> None:
    text = "".join(iter_conflict_json(dilemma, states=states, indent=indent))
    expected = json.loads(json.dumps(conflict_dict(dilemma, states=states)))
    assert json.loads(text) == expected
    if states == [3, 0]:
        assert [s["index"] for s in expected["states"]] == [4, 1]
        assert [s["index"] for s in expected["coalitions"]["states"]] == [4, 1]


def test_no_state_listed_is_still_valid_json(dilemma) -> None:
    data = json.loads("".join(iter_conflict_json(dilemma, states=[])))
    assert data["states"] == []
    assert data["equilibria"]["nash"] == [4]


def test_streaming_writes_every_state_a_block_at_a_time(korea, monkeypatch) -> None:
    monkeypatch.setattr(results_module, "_RECORD_BLOCK", 500)
    chunks = list(iter_conflict_json(korea, states="all"))
    # head, opening, ceil(4096 / 500) = 9 blocks, closing
    assert len(chunks) == 12
    assert max(len(c) for c in chunks[2:-1]) < len(chunks[0]) + 500 * 1000
    data = json.loads("".join(chunks))
    assert len(data["states"]) == 4096
    picked = [5, korea.model.status_quo, 4095]
    assert [data["states"][i] for i in picked] == [_expected_record(korea, i) for i in picked]


def test_big_models_get_the_summary(korea, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(results_module, "MAX_LISTED_STATES", 1000)
    data = conflict_dict(korea)
    view = [node["index"] for node in data["state_graph"]["nodes"]]
    assert data["listed_states"] == {"selection": "summary", "count": len(view)}
    assert [s["index"] for s in data["states"]] == sorted(view)
    assert data["status_quo_index"] in view
    for p in data["proposals"].values():
        assert p["index"] in view
    stab = korea.stability
    for c in stab.concepts:
        assert data["equilibria"][c] == [i + 1 for i in stab.equilibria(c)]
        assert data["equilibrium_counts"][c] == len(stab.equilibria(c))
    out = tmp_path / "summary.json"
    with out.open("w", encoding="utf-8") as file:
        write_conflict_json(korea, file)
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(data))
    # lists of state numbers stay on one line; the summary is a fraction of every state
    lines = out.read_text(encoding="utf-8").splitlines()
    assert not any(line.strip().rstrip(",").isdigit() for line in lines)
    every = sum(len(chunk) for chunk in iter_conflict_json(korea, states="all"))
    assert out.stat().st_size < every / 10


def test_equilibrium_options_are_those_of_every_and_no_equilibrium(korea) -> None:
    data = conflict_dict(korea, states=[])
    m = korea.model
    for c in korea.stability.concepts:
        taken = [m.option_values(i) for i in korea.stability.equilibria(c)]
        expected = {
            "always": [o for o in m.options if all(t[o] for t in taken)],
            "never": [o for o in m.options if not any(t[o] for t in taken)],
        }
        assert data["equilibrium_options"][c] == expected


def test_unknown_selection_is_refused(dilemma) -> None:
    with pytest.raises(ValueError, match="states must be"):
        conflict_dict(dilemma, states="some")
    with pytest.raises(ValueError, match=r"0\.\.3"):
        conflict_dict(dilemma, states=[4])


def test_table_columns_hold_the_records(korea) -> None:
    columns = state_table_columns(korea.stability)
    m, stab = korea.model, korea.stability
    assert {len(v) for v in columns.values()} == {m.n_states}
    assert list(columns)[:3] == ["state", "code", "pattern"]
    i = m.status_quo
    record = _expected_record(korea, i)
    assert columns["state"][i] == i + 1
    assert columns["code"][i] == record["code"]
    assert columns["pattern"][i] == record["pattern"]
    for option, taken in record["options"].items():
        assert columns[option][i] == taken
    for a in m.actors:
        assert columns[f"rank:{a}"][i] == record["rank"][a]
        for c in stab.concepts:
            assert np.array_equal(columns[f"{a}:{c}"], stab.stable[c][m.actor_index(a)])
    for c in stab.concepts:
        assert np.array_equal(columns[f"equilibrium:{c}"], stab.equilibrium_mask(c))


def test_table_columns_of_chosen_states_and_clashing_option_ids() -> None:
    model = GraphModel.from_options(
        actors=["A", "B"],
        options=[("state", "A"), ("x", "B")],
        preferences={"A": ["state"], "B": ["x"]},
    )
    result = stabilities(model, concepts=("nash",))
    columns = state_table_columns(result, states=[2, 0])
    assert list(columns) == [
        "state",
        "code",
        "pattern",
        "option:state",
        "x",
        "rank:A",
        "rank:B",
        "A:nash",
        "B:nash",
        "equilibrium:nash",
    ]
    assert columns["state"].tolist() == [3, 1]
    assert columns["pattern"].tolist() == [model.pattern(2), model.pattern(0)]


def test_partial_analyses_leave_equilibria_unknown() -> None:
    model = GraphModel.from_options(
        actors=["A", "B"],
        options=[("a", "A"), ("b", "B")],
        preferences={"A": ["a"], "B": ["b"]},
    )
    result = stabilities(model, concepts=("nash",), actors=["A"])
    records = state_records(result, range(model.n_states))
    assert all(r["equilibrium"] == {"nash": None} for r in records)
    text = "[" + "".join(results_module._record_texts(result, np.arange(4), separator=",")) + "]"
    assert json.loads(text) == records
    assert "equilibrium:nash" not in state_table_columns(result)
