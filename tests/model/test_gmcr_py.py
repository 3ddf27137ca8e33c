"""gmcr-py (GMCR+) save files: reading, writing back, and refusing broken ones.

The minimal example and its expected reading come from the save-file notes in
``shared/research/gmcr/`` (written from the file format, not from gmcr-py's code).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detente.errors import CaseError
from detente.model.checks import feasible_mask
from detente.model.io import read
from detente.model.io.gmcr_py import case_to_gmcr
from tests.conftest import SHARED

MINIMAL = {
    "options": [
        {"name": "Build dam", "permittedDirection": "fwd"},
        {"name": "Release water", "permittedDirection": "both"},
        {"name": "Protest", "permittedDirection": "both"},
    ],
    "decisionMakers": [
        {
            "name": "Upstream",
            "options": [0, 1],
            "preferences": [
                [[2, "N"]],
                {"compound": True, "members": [[[0, "Y"], [1, "Y"]], [[0, "N"], [1, "N"]]]},
                [[0, "Y"]],
            ],
        },
        {
            "name": "Downstream",
            "options": [2],
            "preferences": [[[0, "N"]], [[1, "Y"], [2, "N"]]],
            "misperceptions": [[[0, "Y"], [1, "N"], [2, "Y"]]],
        },
    ],
    "infeasibles": [[[0, "N"], [1, "Y"]]],
    "coalitions": [0, 1],
    "useManualPreferenceRanking": False,
    "program": "gmcr-py",
    "version": "0.4.1",
}


def write(tmp_path: Path, data: dict, name: str = "conflict.gmcr") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def feasible_patterns(case) -> list[str]:
    n = len(case.options)
    codes = np.arange(1 << n)
    index = {o: k for k, o in enumerate(case.option_ids)}
    ok = feasible_mask([c.infeasible_expr for c in case.constraints], codes, index)
    return ["".join("Y" if c >> k & 1 else "N" for k in range(n)) for c in codes[ok]]


def test_minimal_example_reads_as_gmcr_py_reads_it(tmp_path):
    case = read(write(tmp_path, MINIMAL))
    assert case.actor_ids == ("Upstream", "Downstream")
    assert case.option_ids == ("build_dam", "release_water", "protest")
    assert [o.controller for o in case.options] == ["Upstream", "Upstream", "Downstream"]
    assert case.option("build_dam").irreversible == "forward"
    # gmcr-py reads 6 feasible states: NNN, YNN, YYN, NNY, YNY, YYY (codes 0, 1, 3, 4, 5, 7).
    assert feasible_patterns(case) == ["NNN", "YNN", "YYN", "NNY", "YNY", "YYY"]
    assert [s.expr for s in case.preferences["Upstream"].statements] == [
        "not protest",
        "(build_dam and release_water) or (not build_dam and not release_water)",
        "build_dam",
    ]
    assert case.preferences["Downstream"].misperceives == (
        "build_dam and not release_water and protest",
    )


def test_the_shipped_minimal_example_file_reads(tmp_path):
    path = SHARED / "research" / "gmcr" / "minimal_example.json"
    if not path.exists():
        pytest.skip("shared research notes are not beside this checkout")
    assert read(path) == read(write(tmp_path, MINIMAL, "minimal_example.json"))


def test_options_are_regrouped_by_decision_maker(tmp_path):
    data = json.loads(json.dumps(MINIMAL))
    # Downstream listed first: its option comes first in the state numbering.
    data["decisionMakers"] = data["decisionMakers"][::-1]
    case = read(write(tmp_path, data))
    assert case.option_ids == ("protest", "build_dam", "release_water")


def test_a_repeated_statement_is_dropped_as_gmcr_py_drops_it(tmp_path):
    data = json.loads(json.dumps(MINIMAL))
    data["decisionMakers"][0]["preferences"].append([[2, "N"]])
    case = read(write(tmp_path, data))
    assert len(case.preferences["Upstream"].statements) == 3


@pytest.mark.parametrize("source", ["minimal", "chicken", "prisoners_dilemma"])
def test_round_trip_through_a_gmcr_py_file(tmp_path, source):
    from detente import load

    case = read(write(tmp_path, MINIMAL)) if source == "minimal" else load(source)
    again = read(write(tmp_path, json.loads(case_to_gmcr(case)), "again.gmcr"))
    assert [a.name for a in again.actors] == [a.name for a in case.actors]
    assert [o.label for o in again.options] == [o.label for o in case.options]
    assert [o.irreversible for o in again.options] == [o.irreversible for o in case.options]
    assert feasible_patterns(again) == feasible_patterns(case)
    for actor, again_actor in zip(case.actors, again.actors, strict=True):
        prefs, other = case.preferences[actor.id], again.preferences[again_actor.id]
        if prefs.ranking is not None:
            assert other.ranking == prefs.ranking
        else:
            assert len(other.statements) == len(prefs.statements)


def test_a_manual_ranking_maps_state_numbers_to_patterns(tmp_path):
    data = json.loads(json.dumps(MINIMAL))
    data["useManualPreferenceRanking"] = True
    data["decisionMakers"][0]["preferenceRanking"] = [3, 1, 2, 6, 4, 5]
    data["decisionMakers"][1]["preferenceRanking"] = [[1, 4], 3, [2, 5, 6]]
    case = read(write(tmp_path, data))
    assert case.preferences["Upstream"].ranking == ("YYN", "NNN", "YNN", "YYY", "NNY", "YNY")
    assert case.preferences["Downstream"].ranking == (("NNN", "NNY"), "YYN", ("YNN", "YNY", "YYY"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["decisionMakers"][0]["options"].append(7), "option index 7 is out of range"),
        (lambda d: d["decisionMakers"][1]["options"].clear(), "controlled by no decision maker"),
        (lambda d: d["infeasibles"].append([[0, "Q"]]), "expected [option index, 'Y' or 'N']"),
        (lambda d: d.update(infeasibles=[[[0, "N"]], [[0, "Y"]]]), "exclude every state"),
        (
            lambda d: (
                d.update(useManualPreferenceRanking=True),
                d["decisionMakers"][0].update(preferenceRanking=[1, 2, 9]),
                d["decisionMakers"][1].update(preferenceRanking=[1, 2, 3, 4, 5, 6]),
            ),
            "state 9 is not a feasible state number",
        ),
        (lambda d: d.pop("decisionMakers"), "not a gmcr-py save file"),
    ],
)
def test_broken_gmcr_py_files_are_refused_with_the_field(tmp_path, change, message):
    data = json.loads(json.dumps(MINIMAL))
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(CaseError) as info:
        read(path)
    assert any(message in p.message for p in info.value.problems), info.value
    assert info.value.file == str(path)


def test_export_command_writes_a_file_that_reads_back(run_cli, tmp_path):
    target = tmp_path / "chicken.gmcr"
    result = run_cli("export", "chicken", "--to", "gmcr-py", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert [a.name for a in read(target).actors] == ["Driver A", "Driver B"]


def test_mixed_statements_and_rankings_export_as_rankings_for_all(run_cli, tmp_path):
    source = tmp_path / "mixed.yaml"
    source.write_text(
        "id: mixed\ntitle: Mixed\nactors:\n  - {id: A, name: A}\n  - {id: B, name: B}\n"
        "options:\n  - {id: a, label: a, controller: A}\n  - {id: b, label: b, controller: B}\n"
        "preferences:\n  A: {ranking: [YN, NN, [NY, YY]]}\n  B: {statements: [b, 'not a']}\n"
    )
    target = tmp_path / "mixed.gmcr"
    assert run_cli("export", str(source), "--to", "gmcr-py", "-o", str(target)).exit_code == 0
    again = read(target)
    assert again.preferences["A"].ranking == ("YN", "NN", ("NY", "YY"))
    # B: b outweighs not-a, so NY (3) > YY (2) > NN (1) > YN (0).
    assert again.preferences["B"].ranking == ("NY", "YY", "NN", "YN")


def test_korea_exports_and_reads_back_to_the_same_equilibria(run_cli, tmp_path):
    """korea lists North Korea's options before the United States' although the US is the
    first actor: the file is written grouped by decision maker, and still reads back to the
    same conflict."""
    from detente import load
    from detente.gmcr import analyze_conflict

    target = tmp_path / "korea.gmcr"
    assert run_cli("export", "korea", "--to", "gmcr-py", "-o", str(target)).exit_code == 0
    before = analyze_conflict(load("korea")).to_dict()["equilibria"]
    after = analyze_conflict(read(target)).to_dict()["equilibria"]
    assert {c: len(v) for c, v in before.items()} == {c: len(v) for c, v in after.items()}
