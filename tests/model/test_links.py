"""Options linked to issues: states as packages, proposals as one package, red lines."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from detente.errors import CaseError
from detente.model.io import loads
from detente.model.links import is_linked, proposal_package, state_code, state_levels
from detente.model.sections import RedLine

LINKED = """\
id: linked
title: A linked case
actors:
  - {id: US, name: United States}
  - {id: NK, name: North Korea}
options:
  - id: freeze
    label: Freeze testing
    controller: NK
    effects:
      denuc: {at_least: 25, if_not_taken: {at_most: 0}}
  - id: dismantle
    label: Dismantle Yongbyon
    controller: NK
    effects:
      denuc: {at_least: 50}
  - id: relief
    label: Partial sanctions relief
    controller: US
    effects:
      relief: {at_least: 50}
constraints:
  - require: dismantle implies freeze
status_quo: []
preferences:
  US: {statements: [freeze, dismantle, not relief]}
  NK: {statements: [relief, not dismantle, "freeze iff relief"]}
issues:
  - id: denuc
    name: Denuclearisation
    levels: [0, 25, 50, 75, 100]
    status_quo: 0
    positions:
      US: {position: 90, salience: 80}
      NK: {position: 10, salience: 100, red_line: {at_most: 50}}
  - id: relief
    name: Sanctions relief
    levels: [0, 25, 50, 75, 100]
    status_quo: 20
    positions:
      US: {position: 10, salience: 60}
      NK: {position: 90, salience: 70}
proposals:
  - id: hanoi
    name: Yongbyon for relief
    options: {freeze: true, dismantle: true, relief: true}
  - id: by_levels
    name: Written as levels
    positions: {denuc: 25, relief: 20}
"""


def test_a_state_is_a_package_on_the_issues():
    case = loads(LINKED)
    assert is_linked(case)
    codes = np.array([state_code(case, {}), state_code(case, {"freeze": True})])
    codes = np.append(codes, state_code(case, {"freeze": True, "dismantle": True, "relief": True}))
    levels = state_levels(case, codes)
    # The status quo state sits at the issues' status quo; options move issues only as
    # far as their bounds require.
    assert levels.tolist() == [[0, 20], [25, 20], [50, 50]]


def test_a_proposal_is_one_package_whichever_half_it_is_written_in():
    case = loads(LINKED)
    hanoi = proposal_package(case, case.proposal("hanoi"))
    assert hanoi.levels == {"denuc": 50, "relief": 50}
    assert hanoi.options == {"freeze": True, "dismantle": True, "relief": True}
    assert hanoi.derived == ("levels",)
    by_levels = proposal_package(case, case.proposal("by_levels"))
    assert by_levels.options == {"freeze": True, "dismantle": False, "relief": False}
    assert by_levels.levels == {"denuc": 25, "relief": 20}
    assert by_levels.derived == ("options",)


def test_unlinked_cases_keep_proposal_levels_and_status_quo():
    case = loads(
        LINKED.replace(
            "    effects:\n      denuc: {at_least: 25, if_not_taken: {at_most: 0}}\n", ""
        )
        .replace("    effects:\n      denuc: {at_least: 50}\n", "")
        .replace("    effects:\n      relief: {at_least: 50}\n", "")
    )
    assert not is_linked(case)
    hanoi = proposal_package(case, case.proposal("hanoi"))
    assert hanoi.levels == {"denuc": 0, "relief": 20}
    assert hanoi.derived == ()


def test_contradictory_effects_are_refused_with_the_options_named():
    text = LINKED.replace("require: dismantle implies freeze", "require: relief or not relief")
    with pytest.raises(CaseError) as err:
        loads(text, file="linked.yaml")
    message = str(err.value)
    assert "linked.yaml:" in message
    assert "issue 'denuc' no level" in message
    assert "freeze not taken puts it at most 0" in message
    assert "dismantle taken puts it at least 50" in message


def test_effects_and_red_lines_must_name_known_issues_inside_their_scale():
    text = LINKED.replace("relief: {at_least: 50}", "relif: {at_least: 50}").replace(
        "red_line: {at_most: 50}", "red_line: {at_most: 150}"
    )
    with pytest.raises(CaseError) as err:
        loads(text, file="linked.yaml")
    message = str(err.value)
    assert "options[2].effects.relif: unknown issue 'relif'; did you mean 'relief'?" in message
    assert "red_line.at_most: level 150 is outside the issue's scale [0, 100]" in message


def test_red_lines_read_bounds_and_vetoes():
    line = RedLine(at_most=50, vetoes=(25,))
    assert [line.allows(v) for v in (0, 25, 50, 75)] == [True, False, True, False]
    assert line.describe() == "at most 50, never 25"
    with pytest.raises(ValidationError):
        RedLine()
    with pytest.raises(ValidationError):
        RedLine(at_least=60, at_most=40)


def test_a_scenario_can_change_a_red_line():
    text = LINKED + (
        "scenarios:\n  - id: soft\n    name: Softer\n"
        "    positions: {denuc: {NK: {red_line: {at_most: 75}}}}\n"
    )
    case = loads(text)
    assert case.issue("denuc").positions["NK"].red_line.at_most == 50
    assert case.scenario("soft").issue("denuc").positions["NK"].red_line.at_most == 75


def test_the_graph_model_judges_a_proposal_written_as_levels_on_its_closest_state():
    from detente.gmcr.case import analyze_conflict

    standings = {p.id: p for p in analyze_conflict(loads(LINKED)).proposals}
    assert standings["by_levels"].options == {"freeze": True, "dismantle": False, "relief": False}
    unlinked = LINKED.replace("    effects:\n      relief: {at_least: 50}\n", "")
    unlinked = unlinked.replace("    effects:\n      denuc: {at_least: 50}\n", "").replace(
        "    effects:\n      denuc: {at_least: 25, if_not_taken: {at_most: 0}}\n", ""
    )
    # Without links, levels say nothing about options: no state for that proposal.
    assert "by_levels" not in {p.id for p in analyze_conflict(loads(unlinked)).proposals}


def test_red_lines_that_cannot_bind_or_rule_out_everything_are_warned_of():
    from detente.model.checks import case_warnings

    off_grid = loads(LINKED.replace("red_line: {at_most: 50}", "red_line: {vetoes: [35]}"))
    assert any(
        "vetoed level 35 is not one of the issue's levels" in w for w in case_warnings(off_grid)
    )
    everything = loads(
        LINKED.replace("red_line: {at_most: 50}", "red_line: {at_least: 10, at_most: 20}")
    )
    assert any("rules out every level" in w for w in case_warnings(everything))
    assert not any("red_line" in w for w in case_warnings(loads(LINKED)))
