"""One verdict per package and the way out, on a small linked case checked by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detente.analysis import analyze
from detente.analysis.wayout import way_out
from detente.model.consistency import issue_utility
from detente.model.io import loads
from detente.model.links import state_code, state_levels
from detente.report import analysis_report
from tests.model.test_links import LINKED


@pytest.fixture(scope="module")
def result():
    return way_out(loads(LINKED))


def test_the_first_path_needs_no_change(result):
    # State 5 (freeze and relief, no dismantling) puts denuc at 25 and relief at 50.
    # Graph model: NK's payoff there is the highest it can get (relief, not dismantle,
    # freeze iff relief all hold); the US would gain by dropping relief (freeze and
    # not relief: 4 + 1 > 4), but NK then drops the freeze (its payoff 2 -> 3), which
    # leaves the US at the status quo (payoff 1 < 4): SEQ-stable for both.
    # Bargaining: US (0.35 * 80 + 0.6 * 60) / 140 = 0.457 > 0.443 at the status quo;
    # NK (0.85 * 100 + 0.6 * 70) / 170 = 0.747 > 0.653. Neither moves alone from the
    # status quo, but the two together both improve: reached with a coalition.
    first = result.paths[0]
    assert [s.verdict.state for s in first.steps] == [5]
    assert first.changes == ()
    assert first.gains == ("US", "NK")
    step = first.steps[0]
    assert step.reach == "with coalitions"
    assert {m["coalition"] and tuple(m["coalition"]) for m in step.moves} == {("US", "NK")}


def test_a_blocked_proposal_names_the_smallest_stance_change(result):
    hanoi = next(p for p in result.paths if p.steps[-1].verdict.id == "hanoi")
    # NK at position p on denuc: the Hanoi package (denuc 50, relief 50) is worth
    # (100 - 50 + p + 42) / 170 and the status quo (100 - p + 21) / 170: NK prefers
    # the package once 2p > 29, from p = 15.
    assert [c.text for c in hanoi.changes] == [
        "North Korea would have to move its position on denuc from 10 to 15 to prefer the "
        "package to the status quo"
    ]
    verdict = hanoi.steps[-1].verdict
    assert verdict.bargaining["blocked_by"] == ["NK"]
    # The graph model ranks the Hanoi state above the status quo for NK (relief is its
    # first statement); its issue stances value the package below: the verdict says so.
    assert verdict.disagreements == (
        "NK: the graph model ranks this state above the status quo (statement 1, 'relief', "
        "holds here, not at the status quo); its issue stances value the package below it "
        "(utility 0.60 against 0.65, lost mostly on denuc (position 10, salience 100))",
    )


def test_every_engine_judges_the_same_package(result):
    case = loads(LINKED)
    judged = [v for v in result.verdicts if v.state is not None and v.levels is not None]
    assert {v.kind for v in judged} == {"proposal", "equilibrium"}
    # The bargaining solutions' closest states are packages already judged: one verdict
    # each, naming the other candidates it stands for.
    also = {label for v in judged for label in v.also}
    assert {"≈ Nash", "≈ utilitarian"} <= also
    for verdict in judged:
        # The bargaining verdict is on the levels that the state's options imply.
        code = state_code(case, verdict.options)
        row = state_levels(case, np.array([code]))[0]
        assert verdict.levels == dict(zip(("denuc", "relief"), row.tolist(), strict=True))
        assert verdict.bargaining["utilities"]["US"] == pytest.approx(
            issue_utility(case, "US", verdict.levels)
        )


def test_the_report_opens_with_the_way_out_and_json_documents_each_step():
    analysis = analyze(loads(LINKED))
    report = analysis_report(analysis)
    assert [s.key for s in report.sections][:2] == ["way_out", "consistency"]
    data = json.loads(json.dumps(report.to_dict()))
    step = data["way_out"]["paths"][0]["steps"][0]
    assert set(step) >= {
        "package",
        "state",
        "levels",
        "options",
        "forum",
        "reachable",
        "moves",
        "stability",
        "accepted_by",
        "changes",
    }
    assert step["stability"]["seq"] == ["US", "NK"]


def test_a_case_without_links_says_what_the_way_out_needs():
    unlinked = (
        LINKED.replace("    effects:\n      relief: {at_least: 50}\n", "")
        .replace("    effects:\n      denuc: {at_least: 50}\n", "")
        .replace("    effects:\n      denuc: {at_least: 25, if_not_taken: {at_most: 0}}\n", "")
    )
    result = way_out(loads(unlinked))
    assert result.paths == ()
    assert "options linked to the issues" in result.notes[-1]
    assert "way_out" not in analyze(loads(unlinked)).results


def test_explicit_rankings_and_misperceptions_are_not_reordered_but_do_not_fail():
    ranked = LINKED.replace(
        "US: {statements: [freeze, dismantle, not relief]}",
        "US: {ranking: [NNN, YYN, YNN, YYY, YNY, NNY]}",
    )
    misperceived = LINKED.replace(
        "US: {statements: [freeze, dismantle, not relief]}",
        'US: {statements: [freeze, dismantle, not relief], misperceives: ["dismantle and not relief"]}',
    )
    for text, why in ((ranked, "an explicit ranking"), (misperceived, "misperceptions")):
        result = way_out(loads(text))
        needs = [
            c.text
            for p in result.paths
            for s in p.steps
            for c in s.changes
            if c.kind == "priorities"
        ]
        assert all(why not in t for t in needs)  # such paths are dropped, not shown
        assert result.verdicts  # the verdicts are still given


def test_a_party_beyond_its_red_line_that_would_still_lose_must_change_both():
    # NK's red line at most 25: the Hanoi package (denuc 50) crosses it; moved, NK would
    # still prefer the status quo (0.60 against 0.65), so its position must move too.
    text = LINKED.replace("red_line: {at_most: 50}", "red_line: {at_most: 25}")
    result = way_out(loads(text), max_paths=10)
    hanoi = next(p for p in result.paths if p.steps[-1].verdict.id == "hanoi")
    [change] = [c for c in hanoi.changes if c.actor == "NK"]
    assert change.kind == "red_line"
    assert change.text == (
        "North Korea would have to move its red line on denuc to allow 50 and move its "
        "position on denuc from 10 to 15 to prefer the package to the status quo"
    )


def test_a_forum_hosts_only_the_states_that_keep_its_entry_terms():
    forum = (
        "forums:\n"
        "  - id: talks\n    name: Talks\n    members: [US, NK]\n"
        "    rules:\n      - {actor: NK, attends_if: RULE}\n"
    )
    hosts = {}
    for rule in ("relief", "dismantle"):
        result = way_out(loads(LINKED + forum.replace("RULE", rule)))
        hosts[rule] = {v.state: v.forums for v in result.verdicts}
    # State 5 (freeze and relief) is accepted by both: the talks host it when North
    # Korea's condition is relief, which the state takes, not when it is dismantlement.
    assert hosts["relief"][5] == ("talks",)
    assert hosts["dismantle"][5] == ()


def test_a_proposal_on_issues_no_option_moves_has_no_state():
    text = LINKED.replace(
        "proposals:\n",
        "proposals:\n  - {id: relief_words, name: Relief in words, positions: {relief: 75}}\n",
    ).replace("relief: {at_least: 50}", "denuc: {at_least: 0}")
    # No option moves relief any more: a level on it names no state.
    verdict = next(v for v in way_out(loads(text)).verdicts if v.id == "relief_words")
    assert verdict.state is None and verdict.graph_model is None


def test_an_effect_may_bind_only_when_the_option_is_not_taken():
    text = LINKED.replace(
        "      relief: {at_least: 50}\n", "      relief: {if_not_taken: {at_most: 25}}\n"
    )
    case = loads(text)
    assert case.option("relief").effects["relief"].if_not_taken.at_most == 25
    assert way_out(case).verdicts


def test_the_forecast_direction_has_a_symmetric_dead_zone():
    from detente.analysis.verdicts import _forecast_part

    class Ev:
        forecast_model = "m"
        case = loads(LINKED)

    for forecast, heads in (
        (20.3, "stays"),
        (19.7, "stays"),
        (35, "towards"),
        (60, "past"),
        (10, "away"),
        (50.2, "at"),
    ):
        Ev.forecast = {"issues": {"relief": {"models": {"m": {"forecast": forecast}}}}}
        part = _forecast_part(Ev, {"denuc": 0.0, "relief": 50.0})
        assert part["issues"]["relief"]["heads"] == heads, forecast
