"""Content tests of the built-in North Korea case (src/detente/cases/korea.yaml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from detente.model.io import read

REPO = Path(__file__).resolve().parents[2]
CASE_FILE = REPO / "src" / "detente" / "cases" / "korea.yaml"
ARTICLE = REPO.parent / "shared" / "seed" / "deadlock-article.txt"

ACTORS = {"USA", "PRK", "ROK", "CHN", "JPN", "RUS"}
CONTROLLERS = {
    "test_moratorium": "PRK",
    "dismantle_yongbyon": "PRK",
    "full_denuclearisation": "PRK",
    "attend_summit": "PRK",
    "partial_relief": "USA",
    "suspend_exercises": "USA",
    "normalisation": "USA",
    "president_attends": "USA",
    "trilateral_exercises": "ROK",
    "china_convenes": "CHN",
    "china_enforces": "CHN",
    "japan_eases": "JPN",
    "russia_shields": "RUS",
}
ISSUES = {
    "denuclearisation",
    "sanctions_relief",
    "joint_exercises",
    "normalisation",
    "extended_deterrence",
    "trilateral_exercises",
    "summit_format",
}
PROPOSALS = {"hanoi_offer", "denuclearisation_first", "freeze_for_freeze", "summit_roadmap"}
FORUMS = {"bilateral_us_dprk", "six_party_talks", "ne_asia_summit"}
SCENARIOS = {"deadlock_2022", "eve_of_hanoi_2019", "article_advice", "seoul_as_2018"}


@pytest.fixture(scope="module")
def case():
    return read(CASE_FILE)


def test_six_actors(case):
    assert set(case.actor_ids) == ACTORS
    assert len(case.actor_ids) == 6


def test_options_and_controllers_in_order(case):
    assert {o.id: o.controller for o in case.options} == CONTROLLERS
    order = ["PRK", "USA", "ROK", "CHN", "JPN", "RUS"]
    ranks = [order.index(o.controller) for o in case.options]
    assert ranks == sorted(ranks), "options must be grouped PRK, USA, ROK, CHN, JPN, RUS"


def test_default_scenario(case):
    assert case.default_scenario == "deadlock_2022"
    assert set(case.scenario_ids) >= SCENARIOS
    assert case.scenario().scenario_id == "deadlock_2022"


def test_required_ids_exist(case):
    assert {i.id for i in case.issues} >= ISSUES
    assert {p.id for p in case.proposals} >= PROPOSALS
    assert {f.id for f in case.forums} >= FORUMS


def test_constraints_from_the_research(case):
    required = {c.require for c in case.constraints if c.require}
    assert "dismantle_yongbyon implies test_moratorium" in required
    assert "full_denuclearisation implies dismantle_yongbyon" in required


def test_status_quo_2022_and_2019(case):
    assert set(case.status_quo) == {"trilateral_exercises", "russia_shields"}
    hanoi = case.scenario("eve_of_hanoi_2019")
    assert set(hanoi.status_quo) == {"test_moratorium", "suspend_exercises"}


def test_every_actor_has_preferences_in_every_scenario(case):
    for sid in case.scenario_ids:
        view = case.scenario(sid)
        assert set(view.preferences) == ACTORS, sid


def test_every_issue_covers_all_actors_in_every_scenario(case):
    for sid in case.scenario_ids:
        for issue in case.scenario(sid).issues:
            assert set(issue.positions) == ACTORS, (sid, issue.id)
            assert issue.status_quo is not None, (sid, issue.id)
            assert issue.levels, issue.id


def test_proposals_set_options_and_positions(case):
    for proposal in case.proposals:
        assert proposal.options, proposal.id
        assert proposal.positions, proposal.id
    hanoi = case.proposal("hanoi_offer")
    assert hanoi.options == {
        "test_moratorium": True,
        "dismantle_yongbyon": True,
        "partial_relief": True,
    }
    roadmap = case.proposal("summit_roadmap")
    assert set(roadmap.positions) == ISSUES


def test_summit_rule_from_the_article(case):
    summit = next(f for f in case.forums if f.id == "ne_asia_summit")
    assert set(summit.members) == ACTORS
    rules = {(r.actor, r.attends_if) for r in summit.rules}
    assert ("PRK", "USA and china_convenes") in rules
    bilateral = next(f for f in case.forums if f.id == "bilateral_us_dprk")
    assert set(bilateral.members) == {"USA", "PRK"}
    assert set(bilateral.agenda) == {"denuclearisation", "sanctions_relief"}


def test_every_judgment_cites_a_source(case):
    cited = [*case.actors, *case.options, *case.constraints, *case.proposals, *case.forums]
    cited += [*case.timeline, *case.scenarios]
    cited += [r for f in case.forums for r in f.rules]
    for item in cited:
        assert item.sources, getattr(item, "id", item)
    for sid in case.scenario_ids:
        view = case.scenario(sid)
        for actor_id, prefs in view.preferences.items():
            assert prefs.sources, (sid, actor_id)
            for statement in prefs.statements:
                assert statement.sources, (sid, actor_id, statement.expr)
                assert statement.note, (sid, actor_id, statement.expr)
        for issue in view.issues:
            for actor_id, stance in issue.positions.items():
                assert stance.sources, (sid, issue.id, actor_id)
    for scenario in case.scenarios:
        for issue_id, changes in scenario.positions.items():
            for actor_id, change in changes.items():
                assert change.sources, (scenario.id, issue_id, actor_id)


def test_the_article_is_a_source(case):
    assert "article" in {s.id for s in case.sources}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2013", "-")
    return re.findall(r"[a-z0-9']+", text)


def test_no_eight_word_run_of_the_article(case):
    if not ARTICLE.exists():
        pytest.skip(f"article text not found at {ARTICLE}")
    words = _words(ARTICLE.read_text(encoding="utf-8"))
    shingles = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    data = case.model_dump(mode="json")
    copied = []
    for text in _strings(data):
        w = _words(text)
        copied += [
            " ".join(w[i : i + 8]) for i in range(len(w) - 7) if " ".join(w[i : i + 8]) in shingles
        ]
    assert not copied, copied
