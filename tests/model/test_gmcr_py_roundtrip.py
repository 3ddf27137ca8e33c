"""gmcr-py (GMCR+) save files: strict reading, rankings without the flag, the "detente"
key that carries ids and the status quo, export notes, and round trips.

Written from the save-file notes in ``shared/research/gmcr/`` (the file format, not
gmcr-py's code).
"""

from __future__ import annotations

import copy
import json
import re
from itertools import product

import numpy as np
import pytest

from detente import load
from detente.errors import CaseError
from detente.gmcr import analyze_conflict
from detente.model import Case
from detente.model.checks import feasible_mask
from detente.model.io import loads
from detente.model.io.gmcr_py import case_to_gmcr, export_notes, gmcr_to_case_data
from tests.model.test_gmcr_py import MINIMAL


def imported(data: dict, file: str = "conflict.gmcr") -> Case:
    stem = file.rsplit(".", 1)[0]
    return Case.model_validate(gmcr_to_case_data(copy.deepcopy(data), file=file, case_id=stem))


def exported(case: Case) -> dict:
    return json.loads(case_to_gmcr(case))


def refusal(data: dict) -> CaseError:
    with pytest.raises(CaseError) as info:
        gmcr_to_case_data(data, file="bad.gmcr")
    return info.value


def feasible_contents(case: Case) -> list[frozenset[str]]:
    """Feasible states in detente's numbering (state k is entry k-1), as sets of options taken."""
    n = len(case.options)
    codes = np.arange(1 << n)
    index = {o: k for k, o in enumerate(case.option_ids)}
    ok = feasible_mask([c.infeasible_expr for c in case.constraints], codes, index)
    return [
        frozenset(o for k, o in enumerate(case.option_ids) if c >> k & 1)
        for c in codes[ok].tolist()
    ]


def content(case: Case, pattern: str) -> frozenset[str]:
    return frozenset(o for o, ch in zip(case.option_ids, pattern, strict=True) if ch == "Y")


def ranking_by_content(case: Case, actor_id: str) -> list[frozenset[frozenset[str]]]:
    ranking = case.preferences[actor_id].ranking
    assert ranking is not None
    return [
        frozenset(content(case, p) for p in ([g] if isinstance(g, str) else g)) for g in ranking
    ]


def equilibria_by_content(case: Case) -> dict[str, set[frozenset[str]]]:
    result = analyze_conflict(case)
    model = result.model
    return {
        concept: {
            frozenset(o for k, o in enumerate(model.options) if int(model.states[i]) >> k & 1)
            for i in result.stability.equilibria(concept)
        }
        for concept in result.stability.concepts
    }


def ranked_case() -> Case:
    """Three parties with explicit rankings (with ties), options not grouped by party,
    a constraint, a misperception, a status quo and a coalition."""
    options = [("b1", "B"), ("a1", "A"), ("c1", "C"), ("a2", "A")]
    ids = [o for o, _ in options]
    feasible = ["".join(p) for p in product("NY", repeat=4) if not (p[1] == "Y" and p[3] == "Y")]
    feasible.sort(key=lambda p: sum(1 << k for k, ch in enumerate(p) if ch == "Y"))

    def taken(p: str, option: str) -> int:
        return p[ids.index(option)] == "Y"

    scores = {
        "A": lambda p: 2 * taken(p, "b1") + taken(p, "a1") - taken(p, "c1"),
        "B": lambda p: 3 * taken(p, "a2") - taken(p, "b1") + taken(p, "c1"),
        "C": lambda p: -feasible.index(p),
    }

    def ranking(score) -> list:
        levels = sorted({score(p) for p in feasible}, reverse=True)
        groups = [[p for p in feasible if score(p) == level] for level in levels]
        return [g[0] if len(g) == 1 else g for g in groups]

    return Case.model_validate(
        {
            "id": "ranked",
            "title": "Three parties with rankings",
            "actors": [{"id": a, "name": f"Party {a}"} for a in "ABC"],
            "options": [
                {"id": o, "label": f"Option {o}", "controller": c, "irreversible": o == "c1"}
                for o, c in options
            ],
            "constraints": [{"infeasible": "a1 and a2"}],
            "status_quo": ["a1"],
            "preferences": {
                "A": {"ranking": ranking(scores["A"])},
                "B": {"ranking": ranking(scores["B"]), "misperceives": ["b1 and c1"]},
                "C": {"ranking": ranking(scores["C"])},
            },
            "coalitions": [["A", "C"]],
        }
    )


def statements_case() -> Case:
    return Case.model_validate(
        {
            "id": "two_party",
            "title": "Two parties with statements",
            "actors": [{"id": "A", "name": "Party A"}, {"id": "B", "name": "Party B"}],
            "options": [
                {"id": "a", "label": "A acts", "controller": "A"},
                {"id": "b", "label": "B acts", "controller": "B"},
            ],
            "status_quo": ["a"],
            "preferences": {"A": {"statements": ["a", "not b"]}, "B": {"statements": ["b"]}},
        }
    )


# -- 1. bad input is refused, naming the field ---------------------------------------


def test_an_unknown_permitted_direction_is_refused_with_its_path():
    data = copy.deepcopy(MINIMAL)
    data["options"][1]["permittedDirection"] = "sideways"
    error = refusal(data)
    [problem] = error.problems
    assert problem.path == ("options", 1, "permittedDirection")
    assert problem.field == "options[1].permittedDirection"
    for word in ("both", "fwd", "back", "sideways"):
        assert word in problem.message
    assert error.file == "bad.gmcr"


def test_an_unknown_permitted_direction_is_refused_when_reading_a_file():
    data = copy.deepcopy(MINIMAL)
    data["options"][2]["permittedDirection"] = "sideways"
    with pytest.raises(CaseError) as info:
        loads(json.dumps(data), file="edited.gmcr", fmt="gmcr")
    assert info.value.problems[0].path == ("options", 2, "permittedDirection")
    assert info.value.file == "edited.gmcr"


def test_each_permitted_direction_is_read():
    data = copy.deepcopy(MINIMAL)
    for option, direction in zip(data["options"], ["fwd", "back", "both"], strict=True):
        option["permittedDirection"] = direction
    case = imported(data)
    assert [o.irreversible for o in case.options] == ["forward", "backward", False]


def _set(path: tuple, value):
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            _set(("options", 0, "permittedDirection"), None),
            ("options", 0, "permittedDirection"),
            "both",
        ),
        (_set(("options", 0, "name"), 7), ("options", 0, "name"), "must be a string, got 7"),
        (_set(("options", 1), "Release water"), ("options", 1), "expected an object"),
        (
            _set(("decisionMakers", 1, "name"), ["Downstream"]),
            ("decisionMakers", 1, "name"),
            "must be a string",
        ),
        (
            _set(("decisionMakers", 0, "options"), "0, 1"),
            ("decisionMakers", 0, "options"),
            "must be a list",
        ),
        (
            _set(("decisionMakers", 0, "options"), [0, True]),
            ("decisionMakers", 0, "options", 1),
            "out of range",
        ),
        (
            _set(("decisionMakers", 1, "preferences"), {"a": 1}),
            ("decisionMakers", 1, "preferences"),
            "must be a list",
        ),
        (
            _set(("decisionMakers", 1, "misperceptions"), "none"),
            ("decisionMakers", 1, "misperceptions"),
            "must be a list",
        ),
        (_set(("infeasibles",), {}), ("infeasibles",), "must be a list"),
        (
            _set(("useManualPreferenceRanking",), "false"),
            ("useManualPreferenceRanking",),
            "must be true or false",
        ),
        (
            _set(("useManualPreferenceVectors",), 0),
            ("useManualPreferenceVectors",),
            "must be true or false",
        ),
    ],
)
def test_fields_of_the_wrong_type_are_refused_with_their_path(change, path, words):
    data = copy.deepcopy(MINIMAL)
    if path[0] == "useManualPreferenceVectors":
        del data["useManualPreferenceRanking"]
    change(data)
    problems = refusal(data).problems
    assert [p.path for p in problems] == [path]
    assert words in problems[0].message


@pytest.mark.parametrize(
    ("ranking", "index", "words"),
    [
        ([3, 1, 2, 6, 4, True], 5, "state true is not a feasible state number"),
        ([3, 1, 2, 6, [], [4, 5]], 4, "empty group"),
        ([3, 1, 2, 6, 4, "5"], 5, 'state "5" is not a feasible state number'),
    ],
)
def test_a_malformed_manual_ranking_is_refused_with_its_path(ranking, index, words):
    data = copy.deepcopy(MINIMAL)
    data["useManualPreferenceRanking"] = True
    data["decisionMakers"][0]["preferenceRanking"] = ranking
    data["decisionMakers"][1]["preferenceRanking"] = [1, 2, 3, 4, 5, 6]
    problems = refusal(data).problems
    assert problems[0].path == ("decisionMakers", 0, "preferenceRanking", index)
    assert words in problems[0].message


def test_a_ranking_that_leaves_out_a_state_is_refused():
    data = copy.deepcopy(MINIMAL)
    data["useManualPreferenceRanking"] = True
    data["decisionMakers"][0]["preferenceRanking"] = [3, 1, 2, 6, 4]
    data["decisionMakers"][1]["preferenceRanking"] = [1, 2, 3, 4, 5, 6]
    with pytest.raises(CaseError) as info:
        imported(data)
    assert any("leaves out" in p.message for p in info.value.problems)


# -- 2. rankings without the flag ------------------------------------------------------


def ranked_minimal(*, flag: bool | None, statements: bool, key: str = "preferenceRanking"):
    data = copy.deepcopy(MINIMAL)
    del data["useManualPreferenceRanking"]
    if flag is not None:
        data["useManualPreferenceRanking"] = flag
    data["decisionMakers"][0][key] = [3, 1, 2, 6, 4, 5]
    data["decisionMakers"][1][key] = [[1, 4], 3, [2, 5, 6]]
    if not statements:
        for dm in data["decisionMakers"]:
            dm["preferences"] = []
    return data


@pytest.mark.parametrize("key", ["preferenceRanking", "preferenceVector"])
def test_rankings_are_used_when_the_flag_is_absent_and_every_party_has_one(key):
    case = imported(ranked_minimal(flag=None, statements=False, key=key))
    assert case.preferences["Upstream"].ranking == ("YYN", "NNN", "YNN", "YYY", "NNY", "YNY")
    assert case.preferences["Downstream"].ranking == (
        ("NNN", "NNY"),
        "YYN",
        ("YNN", "YNY", "YYY"),
    )
    assert "rankings are used" in (case.description or "")


def test_rankings_are_used_when_the_flag_is_absent_and_preferences_are_missing():
    data = ranked_minimal(flag=None, statements=False)
    for dm in data["decisionMakers"]:
        del dm["preferences"]
    assert imported(data).preferences["Upstream"].ranking is not None


def test_statements_are_used_when_the_flag_is_false_even_with_rankings():
    case = imported(ranked_minimal(flag=False, statements=True))
    assert case.preferences["Upstream"].ranking is None
    assert len(case.preferences["Upstream"].statements or ()) == 3
    assert "rankings are used" not in (case.description or "")


def test_statements_are_used_when_the_flag_is_absent_and_some_party_has_statements():
    data = ranked_minimal(flag=None, statements=True)
    data["decisionMakers"][1]["preferences"] = []
    case = imported(data)
    assert case.preferences["Upstream"].ranking is None
    assert next(s.expr for s in case.preferences["Upstream"].statements or ()) == "not protest"


def test_statements_are_used_when_the_flag_is_absent_and_a_party_has_no_ranking():
    data = ranked_minimal(flag=None, statements=False)
    del data["decisionMakers"][1]["preferenceRanking"]
    case = imported(data)
    assert case.preferences["Upstream"].statements == ()
    assert case.preferences["Upstream"].ranking is None


# -- 3. the "detente" key: ids and status quo -------------------------------------------


def test_export_writes_ids_and_status_quo_under_a_detente_key():
    case = load("korea")
    data = exported(case)
    written = [o["name"] for o in data["options"]]
    assert data["detente"] == {
        "id": "korea",
        "actor_ids": list(case.actor_ids),
        "option_ids": [next(o.id for o in case.options if o.label == name) for name in written],
        "status_quo": list(case.status_quo),
    }
    assert set(data) >= {"options", "decisionMakers", "infeasibles", "detente"}


def test_korea_round_trip_keeps_ids_status_quo_and_equilibria():
    case = load("korea")
    again = imported(exported(case), file="korea.gmcr")
    assert again.id == case.id
    assert again.actor_ids == case.actor_ids
    assert sorted(again.option_ids) == sorted(case.option_ids)
    assert {o.id: (o.label, o.controller, o.direction) for o in again.options} == {
        o.id: (o.label, o.controller, o.direction) for o in case.options
    }
    assert set(again.status_quo) == set(case.status_quo)
    assert "state 1" not in (again.description or "")
    assert "'detente' key" in (again.description or "")
    before, after = equilibria_by_content(case), equilibria_by_content(again)
    assert before["nash"]  # the comparison below compares something
    assert after == before


def test_a_case_with_explicit_rankings_round_trips():
    case = ranked_case()
    data = exported(case)
    assert data["useManualPreferenceRanking"] is True
    again = imported(data, file="ranked.gmcr")
    assert again.id == "ranked"
    assert again.actor_ids == case.actor_ids
    # gmcr-py keeps options grouped by party: A's, then B's, then C's.
    assert again.option_ids == ("a1", "a2", "b1", "c1")
    assert again.status_quo == ("a1",)
    assert again.option("c1").irreversible == "forward"
    assert again.coalitions == (("A", "C"),)
    for actor in case.actor_ids:
        assert ranking_by_content(again, actor) == ranking_by_content(case, actor)
    assert again.preferences["B"].misperceives == ("b1 and c1",)
    assert set(feasible_contents(again)) == set(feasible_contents(case))
    before = equilibria_by_content(case)
    assert any(before.values())
    assert equilibria_by_content(again) == before


def test_a_file_gmcr_py_saves_again_keeps_its_detente_key():
    """gmcr-py ignores extra keys; if a user re-saves without changes the key still matches."""
    data = exported(statements_case())
    data.pop("program"), data.pop("version")
    again = imported(data)
    assert again.id == "two_party" and again.status_quo == ("a",)


def _add_option(data: dict) -> None:
    data["options"].append({"name": "A waits", "permittedDirection": "both"})
    data["decisionMakers"][0]["options"].append(len(data["options"]) - 1)


def _remove_party(data: dict) -> None:
    data["decisionMakers"].pop()
    data["options"].pop()
    data["decisionMakers"][0]["preferences"] = [[[0, "Y"]]]


def _detente(key: str, value):
    return lambda data: data["detente"].__setitem__(key, value)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(_add_option, id="option added in gmcr-py"),
        pytest.param(_remove_party, id="party removed in gmcr-py"),
        pytest.param(_detente("actor_ids", ["A", "not"]), id="keyword id"),
        pytest.param(_detente("option_ids", ["a", "2b"]), id="invalid id"),
        pytest.param(_detente("option_ids", ["a", "A"]), id="id taken by an actor"),
        pytest.param(_detente("option_ids", ["a"]), id="too few ids"),
        pytest.param(_detente("status_quo", ["c"]), id="unknown status quo option"),
        pytest.param(_detente("status_quo", ["a", "a"]), id="status quo repeated"),
        pytest.param(_detente("id", "two party"), id="invalid case id"),
        pytest.param(lambda d: d["detente"].pop("status_quo"), id="status quo missing"),
        pytest.param(lambda d: d.__setitem__("detente", ["two_party"]), id="not an object"),
        pytest.param(
            lambda d: d["infeasibles"].append([[0, "Y"]]), id="status quo made infeasible"
        ),
    ],
)
def test_a_detente_key_that_no_longer_matches_the_file_is_ignored(edit):
    data = exported(statements_case())
    edit(data)
    again = imported(data, file="edited.gmcr")
    assert again.id == "edited"
    assert again.actor_ids[0] == "Party_A"
    assert all(o.startswith(("a_", "b_")) for o in again.option_ids)
    feasible = feasible_contents(again)
    assert set(again.status_quo) == feasible[0]  # state 1
    description = again.description or ""
    assert "was ignored" in description and "state 1" in description


def test_without_a_detente_key_ids_come_from_names_and_the_status_quo_is_state_1():
    data = exported(statements_case())
    del data["detente"]
    again = imported(data, file="plain.gmcr")
    assert again.id == "plain"
    assert again.option_ids == ("a_acts", "b_acts")
    assert again.status_quo == ()
    assert "state 1" in (again.description or "")
    assert "ignored" not in (again.description or "")


# -- coalitions: gmcr-py needs a partition of the parties -------------------------------


def test_coalitions_are_written_as_a_partition_of_the_parties():
    data = exported(ranked_case())
    assert data["coalitions"] == [[0, 2], 1]


def test_coalitions_that_do_not_partition_the_parties_are_ignored_on_import():
    data = copy.deepcopy(MINIMAL)
    data["coalitions"] = [[0, 1], [1]]
    case = imported(data)
    assert case.coalitions == ()
    assert "coalitions" in (case.description or "")
    data["coalitions"] = [[1, 0]]
    assert imported(data).coalitions == (("Downstream", "Upstream"),)


def test_overlapping_coalitions_are_left_out_and_the_notes_say_so():
    case = Case.model_validate(
        {
            **ranked_case().model_dump(mode="json", exclude_defaults=True),
            "coalitions": [["A", "B"], ["B", "C"]],
        }
    )
    assert exported(case)["coalitions"] == [0, 1, 2]
    assert any("coalitions overlap" in note for note in export_notes(case))


# -- 4. export notes ---------------------------------------------------------------------


def test_export_notes_for_korea_give_renumbered_states_that_are_right():
    case = load("korea")
    notes = export_notes(case)
    assert all("\n" not in note for note in notes)
    [regrouped] = [n for n in notes if "regrouped by party" in n]
    pairs = re.findall(r"state (\d+) is state (\d+)", regrouped)
    assert pairs
    # The file's state numbering is the numbering of the case read back from it.
    again = imported(exported(case))
    before, after = feasible_contents(case), feasible_contents(again)
    for detente_state, file_state in pairs:
        assert detente_state != file_state
        assert before[int(detente_state) - 1] == after[int(file_state) - 1]


def test_export_notes_for_korea_say_what_the_file_cannot_hold():
    case = load("korea")
    notes = export_notes(case)
    [left_out] = [n for n in notes if n.startswith("Not in the file")]
    for part in ("5 scenarios", "deadlock_2022", "issues", "proposals", "forums", "timeline"):
        assert part in left_out
    [status_quo] = [n for n in notes if "status quo" in n]
    number = int(re.search(r"state (\d+) in the file", status_quo).group(1))
    again = imported(exported(case))
    assert feasible_contents(again)[number - 1] == set(case.status_quo)


@pytest.mark.parametrize("name", ["chicken", "prisoners_dilemma", "ranked", "two_party"])
def test_export_notes_say_nothing_about_regrouping_for_a_grouped_case(name):
    if name == "ranked":
        case = ranked_case()
        case = Case.model_validate(
            {
                **case.model_dump(mode="json", exclude_defaults=True),
                # grouped, in actor order: a1, a2, b1, c1 (rankings re-ordered to match)
                "options": [
                    case.option(o).model_dump(mode="json") for o in ("a1", "a2", "b1", "c1")
                ],
                "preferences": {
                    a: {
                        "ranking": [
                            _reorder(g, case.option_ids, ("a1", "a2", "b1", "c1"))
                            for g in case.preferences[a].ranking or ()
                        ]
                    }
                    for a in case.actor_ids
                },
            }
        )
    elif name == "two_party":
        case = statements_case()
    else:
        case = load(name)
    notes = export_notes(case)
    assert notes  # the status quo and the title are always worth a word
    assert not any("regroup" in note or "state numbers" in note for note in notes)
    assert not any("scenario" in note for note in notes)


def _reorder(group, old: tuple[str, ...], new: tuple[str, ...]):
    def one(p: str) -> str:
        return "".join(p[old.index(o)] for o in new)

    return one(group) if isinstance(group, str) else [one(p) for p in group]


def test_export_notes_say_when_statements_are_written_as_rankings():
    case = Case.model_validate(
        {
            **statements_case().model_dump(mode="json", exclude_defaults=True),
            "preferences": {
                "A": {"ranking": ["YN", "NN", ["NY", "YY"]]},
                "B": {"statements": ["b"]},
            },
        }
    )
    [note] = [n for n in export_notes(case) if "written as rankings" in n]
    assert "B" in note and "A," not in note
