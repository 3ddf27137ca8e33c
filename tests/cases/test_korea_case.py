"""Content tests of the built-in North Korea case (src/detente/cases/korea.yaml).

The first part checks the case itself: parties, options and their links to the issue
scales, red lines, sources. The second checks what each scenario's description says it
shows, on all three engines through their Python APIs: the graph model
(:func:`detente.gmcr.analyze_conflict`), bargaining (:func:`detente.bargain.case.bargain`)
and forecasting (:func:`detente.forecast.case.forecast`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from detente.bargain.case import bargain
from detente.forecast.case import forecast
from detente.gmcr import analyze_conflict
from detente.gmcr.coalitions import MAX_COALITION_STATES
from detente.model.consistency import case_findings
from detente.model.io import read
from detente.model.links import (
    feasible_codes,
    level_bounds,
    proposal_package,
    state_code,
    state_levels,
)

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
PROPOSALS = {
    "hanoi_offer",
    "denuclearisation_first",
    "freeze_for_freeze",
    "summit_roadmap",
    "grand_bargain",
}
FORUMS = {"bilateral_us_dprk", "six_party_talks", "ne_asia_summit"}
SCENARIOS = (
    "deadlock_2022",
    "eve_of_hanoi_2019",
    "article_advice",
    "seoul_as_2018",
    "article_soft_dprk",
)
# Options whose meaning is a level on an issue scale; the others say in their note why not.
LINKED = {
    "test_moratorium",
    "dismantle_yongbyon",
    "full_denuclearisation",
    "attend_summit",
    "partial_relief",
    "suspend_exercises",
    "normalisation",
    "trilateral_exercises",
}


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
    assert set(case.scenario_ids) >= set(SCENARIOS)
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
    # Russia shields Pyongyang in both periods, as its first-ranked statements want.
    assert set(hanoi.status_quo) == {"test_moratorium", "suspend_exercises", "russia_shields"}


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
    # the trilateral drills stay where the status quo has them (on the agenda, not traded
    # away), so the roadmap leaves that one level to its options
    assert set(roadmap.positions) == ISSUES - {"trilateral_exercises"}


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
    for sid in case.scenario_ids:
        for issue in case.scenario(sid).issues:
            for actor_id, stance in issue.positions.items():
                if stance.red_line is not None:
                    assert stance.red_line.sources, (sid, issue.id, actor_id)
                    assert stance.red_line.note, (sid, issue.id, actor_id)
    for option in case.options:
        for issue_id, effect in option.effects.items():
            assert effect.sources and effect.note, (option.id, issue_id)


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


# -- the two halves linked -----------------------------------------------------------


def test_options_with_an_issue_counterpart_say_what_they_do_on_the_scales(case):
    assert {o.id for o in case.options if o.effects} == LINKED
    for option in case.options:
        if not option.effects:
            assert re.search(r"not linked|no effect on the issue scales", option.note, re.I), (
                option.id
            )


def test_the_graph_model_stays_small_enough_for_coalition_analysis(case):
    # 13 options, two constraints: 4,096 feasible states, well under the coalition cap;
    # `detente status-quo korea --coalitions` takes a few seconds at this size. The grand
    # bargain's security guarantees and force posture are folded into the normalisation
    # and drills options rather than added as options of their own.
    states = feasible_codes(case).size
    assert states == 4096
    assert states <= MAX_COALITION_STATES


@pytest.mark.parametrize("sid", SCENARIOS)
def test_the_status_quo_state_sits_at_every_issue_status_quo(case, sid):
    view = case.scenario(sid)
    levels = state_levels(view, np.array([state_code(view, {})]))[0]
    assert levels.tolist() == [issue.status_quo for issue in view.issues]


@pytest.mark.parametrize("sid", SCENARIOS)
def test_each_proposal_is_one_package_its_options_and_levels_agree(case, sid):
    view = case.scenario(sid)
    for proposal in view.proposals:
        package = proposal_package(view, proposal)
        lo, hi = level_bounds(view, np.array([state_code(view, proposal.options)]))
        for j, issue in enumerate(view.issues):
            level = package.levels[issue.id]
            assert lo[0, j] <= level <= hi[0, j], (sid, proposal.id, issue.id, level)
        for option, taken in proposal.options.items():
            assert package.options[option] is taken


def _red_lines(view):
    return {
        (issue.id, actor): stance.red_line
        for issue in view.issues
        for actor, stance in issue.positions.items()
        if stance.red_line is not None
    }


def test_red_lines_2022(case):
    lines = {k: (v.at_least, v.at_most, v.vetoes) for k, v in _red_lines(case.scenario()).items()}
    assert lines == {
        # the 2022 law: no bargaining over the weapons; a freeze is left open [C]
        ("denuclearisation", "PRK"): (None, 25, ()),
        # no agreement that leaves the arsenal unconstrained
        ("denuclearisation", "USA"): (25, None, ()),
        ("denuclearisation", "ROK"): (25, None, ()),
        ("denuclearisation", "JPN"): (25, None, ()),
        # the umbrella itself is not negotiable
        ("extended_deterrence", "ROK"): (50, None, ()),
        ("extended_deterrence", "JPN"): (50, None, ()),
    }


def test_red_lines_that_scenarios_change(case):
    hanoi = _red_lines(case.scenario("eve_of_hanoi_2019"))
    assert hanoi["denuclearisation", "PRK"].at_most == 50  # the Hanoi offer, 'the most it could do'
    assert hanoi["sanctions_relief", "USA"].vetoes == (50,)  # no partial relief for steps
    soft = _red_lines(case.scenario("article_soft_dprk"))
    assert soft["denuclearisation", "PRK"].at_most == 50  # as in 2019, not the 2022 law


# Findings the consistency checks are known to report outside the default scenario,
# and why (see the case's notes, item 14): China and Russia keep their 2022 rankings in
# 2019, where the suspended drills and the dormant trilateral drills weigh differently on
# the issue scales, and China's first statement, kept by the 2019 status quo, has no red
# line behind it.
KNOWN_FINDINGS = {
    ("eve_of_hanoi_2019", "bought", "CHN"),
    ("eve_of_hanoi_2019", "order", "CHN"),
    ("eve_of_hanoi_2019", "order", "RUS"),
}


def test_the_default_scenario_passes_every_consistency_check(case):
    findings = case_findings(case)
    assert [str(f) for f in findings if f.scenario in (None, case.default_scenario)] == []


def test_other_scenarios_report_no_more_than_the_known_findings(case):
    found = {(f.scenario, f.kind, f.actor) for f in case_findings(case)}
    assert found <= KNOWN_FINDINGS, found - KNOWN_FINDINGS


# -- each scenario's expectations on the three engines ---------------------------------

BASIC = ("nash", "gmr", "smr", "seq")


@pytest.fixture(scope="module")
def runs(case):
    """Graph model, bargaining and forecast of every scenario."""
    out = {}
    for sid in SCENARIOS:
        view = case.scenario(sid)
        graph = analyze_conflict(view, concepts=BASIC)
        out[sid] = {
            "view": view,
            "graph": graph,
            "proposals": {p.id: p for p in graph.proposals},
            "bargain": bargain(view).to_dict(),
            "forecast": forecast(view).to_dict(),
        }
    return out


def _unstable_at_status_quo(graph):
    m = graph.model
    return {
        c: [a for k, a in enumerate(m.actors) if not graph.stability.stable[c][k, m.status_quo]]
        for c in BASIC
    }


def _denuclearisation(run, proposal_id):
    return run["bargain"]["proposals"][proposal_id]["package"]["issues"]["denuclearisation"]


def _positions(run, issue, model, actor):
    return [r[actor] for r in run["forecast"]["issues"][issue]["models"][model]["rounds"]]


def _forecasts(run, issue):
    return {m: v["forecast"] for m, v in run["forecast"]["issues"][issue]["models"].items()}


def test_2022_graph_model_the_status_quo_is_the_only_equilibrium_and_no_proposal_stands(runs):
    run = runs["deadlock_2022"]
    data = run["graph"].to_dict()
    sq = data["status_quo_index"]
    assert data["equilibria"]["nash"] == [sq]
    assert data["equilibria"]["seq"] == [sq]
    assert _unstable_at_status_quo(run["graph"]) == {c: [] for c in BASIC}
    assert run["graph"].status_quo.reachable == ()
    standing = run["proposals"]
    for pid in ("hanoi_offer", "denuclearisation_first", "summit_roadmap", "grand_bargain"):
        assert "PRK" in standing[pid].unstable_for["seq"], pid
    assert standing["freeze_for_freeze"].unstable_for["seq"] == ("USA",)
    assert not any(p.reachable for p in standing.values())


@pytest.mark.slow
def test_2022_graph_model_no_pair_of_parties_leaves_the_status_quo_together(case):
    graph = analyze_conflict(case.scenario("deadlock_2022"), concepts=BASIC, coalitions=True)
    with_coalitions = graph.status_quo_with_coalitions.to_dict()
    assert with_coalitions["reachable"] == []
    assert with_coalitions["equilibria"]["seq"] == [graph.to_dict()["status_quo_index"]]


def test_2022_bargaining_nothing_beyond_a_freeze(runs):
    run = runs["deadlock_2022"]
    proposals = run["bargain"]["proposals"]
    for pid in proposals:
        if _denuclearisation(run, pid) > 25:
            assert "PRK" in proposals[pid]["blocked_by"], pid
    assert set(proposals["freeze_for_freeze"]["blocked_by"]) == {"USA", "ROK", "JPN"}
    # the zone exists, but only at a freeze: North Korea's ceiling is the allies' floor
    assert run["bargain"]["zopa"] > 0
    assert {p["issues"]["denuclearisation"] for p in run["bargain"]["pareto"]} == {25.0}


def test_2022_forecast_north_korea_stops_at_a_freeze_the_forecast_goes_beyond(runs):
    run = runs["deadlock_2022"]
    for model in ("eum", "smp"):
        assert max(_positions(run, "denuclearisation", model, "PRK")) <= 25 + 1e-9
    assert all(v > 25 for v in _forecasts(run, "denuclearisation").values())


def test_2019_graph_model_does_not_find_the_hanoi_deal(runs):
    run = runs["eve_of_hanoi_2019"]
    hanoi = run["proposals"]["hanoi_offer"]
    for concept in BASIC:
        assert not hanoi.equilibrium[concept]
        assert "USA" in hanoi.unstable_for[concept]
    assert _unstable_at_status_quo(run["graph"]) == {c: [] for c in BASIC}


def test_2019_bargaining_washington_alone_blocks_the_hanoi_offer(runs):
    hanoi = runs["eve_of_hanoi_2019"]["bargain"]["proposals"]["hanoi_offer"]
    assert hanoi["blocked_by"] == ["USA"]
    assert set(hanoi["accepted_by"]) == {"PRK", "ROK", "CHN", "JPN", "RUS"}
    assert [r["issue"] for r in hanoi["red_lines"]["USA"]] == ["sanctions_relief"]


def test_2019_forecast_relief_stays_below_what_pyongyang_asked_for(runs):
    forecasts = _forecasts(runs["eve_of_hanoi_2019"], "sanctions_relief")
    assert forecasts["eum"] < 50
    assert forecasts["smp"] < 50


def test_article_advice_washington_alone_opens_no_deal(runs):
    run = runs["article_advice"]
    data = run["graph"].to_dict()
    assert data["equilibria"]["nash"] == [data["status_quo_index"]]
    proposals = run["bargain"]["proposals"]
    for pid in ("hanoi_offer", "summit_roadmap"):
        assert "PRK" in run["proposals"][pid].unstable_for["seq"], pid
        assert "USA" in proposals[pid]["accepted_by"], pid
        assert "PRK" in proposals[pid]["blocked_by"], pid
    assert max(_positions(run, "denuclearisation", "eum", "PRK")) <= 25 + 1e-9
    assert all(v > 25 for v in _forecasts(run, "denuclearisation").values())


def test_seoul_as_2018_unsettles_the_status_quo_but_ends_no_deadlock(runs):
    run = runs["seoul_as_2018"]
    assert _unstable_at_status_quo(run["graph"]) == {c: ["ROK"] for c in BASIC}
    data = run["graph"].to_dict()
    states = {s["index"]: s["options"] for s in data["states"]}
    for index in data["equilibria"]["seq"]:
        options = states[index]
        assert not (
            options["partial_relief"]
            or options["dismantle_yongbyon"]
            or options["full_denuclearisation"]
        )
    proposals = run["bargain"]["proposals"]
    assert "ROK" in proposals["freeze_for_freeze"]["accepted_by"]
    assert "ROK" in proposals["summit_roadmap"]["accepted_by"]
    for pid in proposals:
        if _denuclearisation(run, pid) > 25:
            assert "PRK" in proposals[pid]["blocked_by"], pid
    assert all(v > 25 for v in _forecasts(run, "denuclearisation").values())


def test_article_soft_dprk_a_first_step_becomes_stable_and_acceptable(runs):
    run = runs["article_soft_dprk"]
    standing = run["proposals"]
    for pid in ("hanoi_offer", "summit_roadmap"):
        assert standing[pid].equilibrium["seq"], pid
        assert not standing[pid].reachable, pid  # not by one party alone
    proposals = run["bargain"]["proposals"]
    assert proposals["hanoi_offer"]["blocked_by"] == []
    assert "PRK" in proposals["denuclearisation_first"]["blocked_by"]
    assert max(_positions(run, "denuclearisation", "eum", "PRK")) <= 50 + 1e-9
    assert _forecasts(run, "denuclearisation")["eum"] == pytest.approx(50, abs=1)


@pytest.mark.slow
def test_article_soft_dprk_coalitions_reach_the_first_step(case):
    graph = analyze_conflict(case.scenario("article_soft_dprk"), concepts=BASIC, coalitions=True)
    reached = graph.status_quo_with_coalitions.to_dict()["equilibria"]["seq"]
    standing = {p.id: p.to_dict()["index"] for p in graph.proposals}
    assert standing["hanoi_offer"] in reached
    assert standing["summit_roadmap"] in reached
    assert standing["grand_bargain"] not in reached


@pytest.mark.parametrize("sid", SCENARIOS)
def test_no_grand_bargain_is_reachable(runs, sid):
    """A finding, not a missing option: the grand bargain is written down (security
    guarantees, a peace treaty, force posture) and fails on every engine."""
    run = runs[sid]
    grand = run["proposals"]["grand_bargain"]
    assert not grand.equilibrium["seq"]
    assert "PRK" in grand.unstable_for["seq"]
    assert not grand.reachable
    assert "PRK" in run["bargain"]["proposals"]["grand_bargain"]["blocked_by"]
    assert any(
        r["issue"] == "denuclearisation"
        for r in run["bargain"]["proposals"]["grand_bargain"]["red_lines"]["PRK"]
    )


@pytest.mark.parametrize("sid", SCENARIOS)
def test_a_package_crossing_a_party_red_line_is_unacceptable_to_it(runs, sid):
    run = runs[sid]
    lines = _red_lines(run["view"])
    for pid, result in run["bargain"]["proposals"].items():
        levels = result["package"]["issues"]
        for (issue, actor), line in lines.items():
            if not line.allows(levels[issue]):
                assert actor in result["blocked_by"], (sid, pid, issue, actor)


@pytest.mark.parametrize("sid", SCENARIOS)
def test_no_forecast_position_crosses_its_own_red_line(runs, sid):
    run = runs[sid]
    for (issue, actor), line in _red_lines(run["view"]).items():
        for model in ("eum", "smp"):
            for position in _positions(run, issue, model, actor):
                # bounds only: the forecast reports vetoes of single levels, it does not
                # enforce them
                assert line.at_least is None or position >= line.at_least - 1e-9
                assert line.at_most is None or position <= line.at_most + 1e-9
