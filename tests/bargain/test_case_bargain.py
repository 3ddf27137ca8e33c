"""The bargaining analysis of whole cases: issues as a grid, forums from participation rules."""

from __future__ import annotations

import json

import pytest

import detente
from detente.bargain.case import bargain, bargaining_problem, forum_participants
from detente.errors import MissingPartError
from detente.model.io import loads
from tests.conftest import SMALL_CASE

_ISSUE = """\
  - id: relief_level
    name: Sanctions relief
    status_quo: 0
    levels: [0, 50, 100]
    positions:
      US: {position: 0, salience: 30}
      NK: {position: 100, salience: 60}
"""
_TABLES = """\
proposals:
  - id: deal
    name: A deal
    positions: {denuc: 100, relief_level: 100}
forums:
  - id: talks
    name: Talks
    members: [US, NK]
    rules:
      - {actor: NK, attends_if: "US and relief"}
  - id: never
    name: A table North Korea never joins
    members: [US, NK]
    required: [NK]
    rules:
      - {actor: NK, attends_if: "relief and not relief"}
"""
FORUM_CASE = (
    SMALL_CASE.replace(
        "    name: Denuclearisation\n",
        "    name: Denuclearisation\n    status_quo: 50\n    levels: [0, 50, 100]\n",
    ).replace("scenarios:\n", _ISSUE + "scenarios:\n")
    + _TABLES
)


@pytest.fixture(scope="module")
def korea_result():
    return bargain(detente.load("korea"))


def test_every_proposal_is_assessed_for_every_actor(korea_result):
    data = korea_result.to_dict()
    assert set(data["proposals"]) == {p.id for p in detente.load("korea").proposals}
    assert {"hanoi_offer", "freeze_for_freeze", "summit_roadmap"} <= set(data["proposals"])
    for assessment in data["proposals"].values():
        assert sorted(assessment["accepted_by"] + assessment["blocked_by"]) == sorted(
            detente.load("korea").actor_ids
        )
    json.dumps(data)  # JSON-ready


def test_the_summit_needs_china_to_convene_and_a_us_president(korea_result):
    summit = next(f for f in korea_result.forums if f.id == "ne_asia_summit")
    assert "PRK" in summit.participants
    assert "china_convenes" in summit.commitments


def test_the_zone_shrinks_with_a_narrow_agenda(korea_result):
    by_id = {f.id: f.evaluation for f in korea_result.forums}
    assert by_id["bilateral_us_dprk"].outcomes < by_id["six_party_talks"].outcomes


def test_reservation_values_are_status_quo_utilities():
    problem = bargaining_problem(detente.load("korea"))
    sq = problem.model.utilities_of(problem.space.encode(problem.status_quo))
    assert [problem.reservation[a] for a in problem.model.actors] == pytest.approx(list(sq))


def test_forum_rules_decide_who_attends_and_on_what_terms():
    case = loads(FORUM_CASE)
    talks, never = case.forums
    participants, absent, commitments = forum_participants(case, talks)
    assert participants == ("US", "NK")
    assert commitments == ("relief",)
    participants, absent, _ = forum_participants(case, never)
    assert "NK" in absent
    assert participants == ()


def test_a_forum_without_its_required_member_cannot_agree():
    result = bargain(loads(FORUM_CASE))
    never = next(f for f in result.forums if f.id == "never")
    assert never.to_dict()["agreement_possible"] is False


def test_acceptance_follows_salience_weighted_closeness():
    # The deal moves denuclearisation 50 -> 100 and relief 0 -> 100 (scale 0..100).
    # US (ideal 90, weight 0.8; ideal 0, weight 0.3): 0.8 * (0.9 - 0.6) - 0.3 * (1 - 0) = -0.06, blocks.
    # NK (ideal 10, weight 1.0; ideal 100, weight 0.6): 1.0 * (0.1 - 0.6) + 0.6 * (1 - 0) = +0.10, accepts.
    result = bargain(loads(FORUM_CASE)).to_dict()
    assert result["proposals"]["deal"]["accepted_by"] == ["NK"]
    assert result["proposals"]["deal"]["blocked_by"] == ["US"]


def test_options_join_the_space_on_request():
    result = bargain(loads(FORUM_CASE), options=["relief"])
    assert result.to_dict()["parameters"]["options"] == ["relief"]


def test_bargaining_needs_each_issue_status_quo():
    with pytest.raises(MissingPartError, match="status_quo") as info:
        bargain(loads(SMALL_CASE))
    assert info.value.field == "issues[0].status_quo"


def test_options_that_share_an_id_with_an_issue_get_their_own_dimension():
    # korea's "normalisation" and "trilateral_exercises" are both options and issues.
    space = bargaining_problem(detente.load("korea"), options=True).space
    assert "option:normalisation" in space.option_names
    assert "normalisation" in space.issue_names


def test_asymmetric_nash_weighs_gains_by_capability():
    """One issue, status quo 0, A wants 80 and B 40 (closeness utilities). Gains above
    the status quo are x/100 for A and (80 - x)/100 for B on [40, 80], so the Nash
    product peaks at 40; with A three times as capable, 3 ln x + ln(80 - x) peaks at
    x = 60 (Kalai 1977)."""
    from detente.bargain.case import bargain
    from detente.model.io import loads

    text = """id: power
title: Power
actors:
  - {id: A, name: A, capability: CAP}
  - {id: B, name: B, capability: 1}
issues:
  - id: x
    name: X
    status_quo: 0
    levels: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    positions:
      A: {position: 80, salience: 50}
      B: {position: 40, salience: 50}
"""
    strong = bargain(loads(text.replace("CAP", "3"), fmt="yaml")).to_dict()
    assert strong["solutions"]["nash"]["issues"] == {"x": 40.0}
    assert strong["solutions"]["asymmetric_nash"]["issues"] == {"x": 60.0}
    assert strong["parameters"]["power"] == {"A": 3.0, "B": 1.0}
    equal = bargain(loads(text.replace("CAP", "1"), fmt="yaml")).to_dict()
    assert "asymmetric_nash" not in equal["solutions"]  # equal powers: the Nash solution
