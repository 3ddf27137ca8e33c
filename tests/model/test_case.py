"""The case model: scenarios, immutability, serialisation and the JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

import detente
from detente.cases import list as list_cases
from detente.model.io import dumps, loads, read
from detente.model.schema import case_schema
from tests.conftest import SMALL_CASE
from tests.strategies import cases


@pytest.fixture
def case(small_case_file):
    return read(small_case_file)


def test_a_scenario_replaces_only_what_it_names(case):
    thaw = case.scenario("thaw")
    assert thaw.scenario_id == "thaw"
    assert thaw.status_quo == ("freeze",)
    assert case.status_quo == ()
    assert thaw.actors == case.actors
    assert thaw.preferences == case.preferences


def test_scenario_changes_stances_and_capabilities():
    text = SMALL_CASE.replace(
        "    status_quo: [freeze]\n",
        "    status_quo: [freeze]\n    capabilities: {NK: 70}\n    positions: {denuc: {NK: {position: 45}}}\n",
    )
    thaw = loads(text).scenario("thaw")
    assert thaw.actor("NK").capability == 70
    stance = thaw.issue("denuc").positions["NK"]
    assert (stance.position, stance.salience) == (45, 100)


def test_the_case_is_immutable(case):
    with pytest.raises(ValidationError):
        case.title = "changed"
    with pytest.raises(ValidationError):
        case.actors[0].capability = 3


def test_unknown_scenario_suggests_the_closest(case):
    with pytest.raises(detente.CaseError, match="did you mean 'thaw'"):
        case.scenario("thow")


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_dump_and_load_give_an_equal_case(case, fmt):
    again = loads(dumps(case, fmt=fmt), fmt=fmt)
    assert again == case


def test_every_case_file_validates_against_the_published_schema():
    schema = case_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for info in list_cases():
        data = json.loads(dumps(read(info.path)))
        errors = list(validator.iter_errors(data))
        assert not errors, (info.slug, errors[0].message if errors else None)


def test_the_schema_rejects_what_the_model_rejects():
    validator = jsonschema.Draft202012Validator(case_schema())
    assert list(
        validator.iter_errors(
            {"id": "x", "title": "t", "actors": [{"id": "A", "name": "a", "capability": -1}]}
        )
    )
    assert list(validator.iter_errors({"id": "x", "title": "t", "actors": [], "bogus": 1}))


def test_load_accepts_paths_names_and_cases(small_case_file, case):
    assert detente.load(small_case_file) == case
    assert detente.load(str(small_case_file), scenario="thaw").status_quo == ("freeze",)
    assert detente.load(case) is case
    assert detente.load("chicken").id == "chicken"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_any_valid_case_survives_a_round_trip_through_json(case):
    assert loads(dumps(case), fmt="json") == case


@pytest.mark.parametrize(
    ("override", "line", "path"),
    [
        ("capabilities: {USA: -1}", 17, "scenarios[0].capabilities.USA"),
        ("issue_status_quo: {aid: 1000}", 17, "scenarios[0].issue_status_quo.aid"),
    ],
)
def test_a_bad_scenario_override_is_reported_where_the_scenario_says_it(
    tmp_path, override, line, path
):
    from detente.model.io import read

    case = tmp_path / "case.yaml"
    case.write_text(
        f"""id: s
title: S
actors:
  - {{id: USA, name: US, capability: 50}}
  - {{id: PRK, name: NK, capability: 20}}
issues:
  - id: aid
    name: Aid
    status_quo: 10
    positions:
      USA: {{position: 10, salience: 50}}
      PRK: {{position: 90, salience: 50}}
scenarios:
  - id: weak
    name: Weak
    note: what if
    {override}
"""
    )
    with pytest.raises(detente.CaseError) as info:
        read(case)
    (problem,) = info.value.problems
    assert problem.line == line
    assert str(problem).startswith(f"{case}:{line}: {path}: in scenario 'weak'")


def test_field_and_reference_problems_are_reported_in_one_round(tmp_path):
    """A typo'd key, a bad optional value, an unknown controller and an unknown option
    in a statement: all four at once, each with its line, and no knock-on error."""
    case = tmp_path / "case.yaml"
    case.write_text(
        """id: two
title: Two rounds
actors:
  - {id: A, name: A, capabilty: 5}
  - {id: B, name: B, capability: -3}
options:
  - {id: a, label: a, controller: A}
  - {id: b, label: b, controller: C}
preferences:
  A: {statements: [a, not bb]}
  B: {statements: [b]}
"""
    )
    with pytest.raises(detente.CaseError) as info:
        read(case)
    found = [(p.line, ".".join(str(k) for k in p.path)) for p in info.value.problems]
    assert found == [
        (4, "actors.0.capabilty"),
        (5, "actors.1.capability"),
        (8, "options.1.controller"),
        (10, "preferences.A.statements.1.expr"),
    ]


def test_a_missing_required_field_stops_before_the_reference_checks(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(
        """id: two
title: Missing
actors:
  - {id: A}
options:
  - {id: a, label: a, controller: C}
"""
    )
    with pytest.raises(detente.CaseError) as info:
        read(case)
    assert [p.message for p in info.value.problems] == ["missing required field 'name'"]


def test_a_scenario_view_locates_what_the_scenario_overrides_at_the_scenario(tmp_path):
    from detente.errors import Problem

    case = tmp_path / "case.yaml"
    case.write_text(
        """id: s
title: S
actors:
  - {id: USA, name: US}
  - {id: PRK, name: NK}
issues:
  - id: aid
    name: Aid
    status_quo: 10
    positions:
      USA: {position: 10, salience: 50}
      PRK: {position: 90, salience: 50}
scenarios:
  - id: soft
    name: Soft
    positions:
      aid:
        PRK: {position: 60}
"""
    )
    view = read(case).scenario("soft")
    moved = view.locate(Problem("x", path=("issues", 0, "positions", "PRK", "position")))
    kept = view.locate(Problem("x", path=("issues", 0, "positions", "USA", "position")))
    assert (moved.file, moved.line) == (str(case), 18)  # the scenario's line
    assert kept.line == 11  # the case's own line
    # the scenario sets PRK's position only: its salience is still the case's
    salience = view.locate(Problem("x", path=("issues", 0, "positions", "PRK", "salience")))
    assert salience.line == 12


@pytest.mark.parametrize(
    ("text", "only"),
    [
        (
            "actors: [{id: A, name: A}]\noption:\n  - {id: a, label: a, controller: A}\n"
            "preferences:\n  A: {statements: [a]}\n",
            "unknown field 'option'",
        ),
        (
            "actors: [{id: A, name: A}]\nissues:\n  - id: t\n    name: T\n    positons:\n"
            "      A: {position: 10, salience: 50}\nscenarios:\n  - id: s\n    name: S\n"
            "    positions:\n      t:\n        A: {position: 20}\n",
            "unknown field 'positons'",
        ),
        (
            "actors: [{id: A, name: A}]\nissues:\n  - id: t\n    name: T\n    scale: [10, -10]\n"
            "    positions:\n      A: {position: -5, salience: 50}\n",
            "scale must run from low to high",
        ),
    ],
)
def test_the_second_round_reports_nothing_that_only_follows_from_the_first(text, only):
    """A typo in a section's name, or a broken field that others depend on, is
    reported alone: the checks after it would only echo it."""
    with pytest.raises(detente.CaseError) as info:
        loads("id: x\ntitle: X\n" + text, fmt="yaml")
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 1 and messages[0].startswith(only), messages
