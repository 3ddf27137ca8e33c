"""Cross-checks of the two halves of a case (option priorities against issue stances)."""

from __future__ import annotations

from detente.model.consistency import case_findings, scenario_engines
from detente.model.io import loads
from tests.model.test_links import LINKED


def kinds(case):
    return sorted((f.kind, f.actor or f.scenario) for f in case_findings(case))


def test_a_consistent_linked_case_has_no_findings():
    assert case_findings(loads(LINKED)) == []


def test_a_top_priority_that_issue_utility_lets_others_buy_is_reported_with_the_fix():
    # North Korea would never dismantle, yet cares little about denuclearisation on the
    # issue scale: relief buys dismantlement.
    text = (
        LINKED.replace(
            'NK: {statements: [relief, not dismantle, "freeze iff relief"]}',
            "NK: {statements: [not dismantle, relief]}",
        )
        .replace(
            "NK: {position: 10, salience: 100, red_line: {at_most: 50}}",
            "NK: {position: 10, salience: 20}",
        )
        .replace("NK: {position: 90, salience: 70}", "NK: {position: 90, salience: 100}")
    )
    findings = case_findings(loads(text, file="nk.yaml"))
    assert [f.kind for f in findings] == ["bought", "order"]
    bought, order = findings
    assert bought.actor == "NK"
    assert "top priority is 'not dismantle'" in bought.message
    assert "denuc 50" in bought.message and "relief 100" in bought.message
    # By hand: with salience s on denuc, the package (denuc 50, relief 100) is worth
    # (0.6 s + 90) / (s + 100) to NK and the status quo (denuc 0, relief 20)
    # (0.9 s + 30) / (s + 100); the package stays better unless s >= 200, beyond the
    # scale of saliences, so the only fix offered is a red line below dismantlement.
    assert bought.fix == "give NK a red line on denuc (at_most: 25)"
    assert str(bought).startswith("nk.yaml:")
    # Relief (50 instead of 20: 0.3 * 100) is worth five times not dismantling
    # (denuc 0 instead of 50: 0.3 * 20) to NK on the issues, yet ranks second.
    assert order.message == (
        "NK ranks 'not dismantle' (statement 1) above 'relief' (statement 2), whose effect "
        "its issue stances value 5.0 times as much"
    )
    # With the red line the top priority can no longer be bought, and it outweighs
    # relief on the issue side too (a red line is non-compensatory), as in the graph
    # model: no finding is left.
    fixed = text.replace(
        "NK: {position: 10, salience: 20}",
        "NK: {position: 10, salience: 20, red_line: {at_most: 25}}",
    )
    assert case_findings(loads(fixed)) == []


def test_a_statement_against_the_issue_stance_is_reported():
    # The US wants the freeze, but stands at 0 on denuclearisation.
    text = LINKED.replace("US: {position: 90, salience: 80}", "US: {position: 0, salience: 80}")
    findings = [f for f in case_findings(loads(text)) if f.kind == "direction"]
    assert len(findings) == 2
    assert "US wants 'freeze' (statement 1)" in findings[0].message
    assert "denuc: position 0, 25 with the statement's side, 0 without" in findings[0].message
    assert "US wants 'dismantle' (statement 2)" in findings[1].message


def test_status_quo_proposal_and_red_line_disagreements():
    text = (
        LINKED.replace("status_quo: []", "status_quo: [freeze]")
        .replace(
            "options: {freeze: true, dismantle: true, relief: true}",
            "options: {freeze: true, dismantle: true, relief: true}\n    positions: {relief: 25}",
        )
        .replace("red_line: {at_most: 50}", "red_line: {at_least: 50}")
    )
    found = {f.kind: f for f in case_findings(loads(text, file="c.yaml"))}
    assert set(found) >= {"status_quo", "proposal", "red_line"}
    assert (
        "issue denuc stands at 0, but the options of the status quo put it from 25 to 100"
        in found["status_quo"].message
    )
    assert (
        "proposal hanoi puts relief at 25, but its options put it from 50 to 100"
        in found["proposal"].message
    )
    assert (
        "NK's position on denuc (10) crosses its own red line (at least 50)"
        in found["red_line"].message
    )


def test_scenarios_that_change_one_half_and_late_sources_are_flagged():
    text = LINKED.replace(
        "actors:\n", "sources:\n  - {id: late, title: Later, date: '2022-09'}\nactors:\n", 1
    ) + (
        "scenarios:\n"
        "  - id: prefs_only\n    name: Only preferences\n    date: '2019-02'\n"
        "    preferences:\n      US: {statements: [freeze], sources: [late]}\n"
        "  - id: both\n    name: Both halves\n"
        "    preferences:\n      US: {statements: [freeze]}\n"
        "    positions: {denuc: {US: {position: 80}}}\n"
    )
    case = loads(text)
    assert scenario_engines(case, case.scenarios[0]) == ("graph_model",)
    assert scenario_engines(case, case.scenarios[1]) == ("graph_model", "forecast", "bargaining")
    found = [(f.kind, f.scenario) for f in case_findings(case)]
    assert ("scenario", "prefs_only") in found
    assert ("source_date", "prefs_only") in found
    assert not [k for k, s in found if s == "both"]


def test_a_scenario_changing_a_partys_priorities_but_not_its_stances_is_flagged():
    text = LINKED + (
        "scenarios:\n"
        "  - id: soft\n    name: Softer North Korea, stances untouched\n"
        "    preferences:\n      NK: {statements: [relief, freeze]}\n"
        "    positions: {denuc: {US: {position: 80}}}\n"
    )
    found = [f for f in case_findings(loads(text)) if f.kind == "scenario"]
    assert [(f.scenario, f.actor) for f in found] == [("soft", "NK")]
    assert "changes NK's preferences but none of its stances" in found[0].message


def test_a_red_line_decides_the_direction_of_a_statement():
    # NK stands at 30 on denuc, but never accepts more than 40: not dismantling (denuc
    # 0 rather than 50) is what its stances want, though 50 is closer to 30 than 0.
    text = LINKED.replace(
        'NK: {statements: [relief, not dismantle, "freeze iff relief"]}',
        "NK: {statements: [relief, not dismantle]}",
    ).replace(
        "NK: {position: 10, salience: 100, red_line: {at_most: 50}}",
        "NK: {position: 30, salience: 100, red_line: {at_most: 40}}",
    )
    assert [f for f in case_findings(loads(text)) if f.kind == "direction"] == []
    without = text.replace(", red_line: {at_most: 40}", "")
    assert [f.kind for f in case_findings(loads(without)) if f.actor == "NK"] == ["direction"]


def test_a_scenario_view_reports_its_own_scenario_findings():
    text = LINKED + (
        "scenarios:\n"
        "  - id: soft\n    name: Softer North Korea, stances untouched\n"
        "    preferences:\n      NK: {statements: [relief, freeze]}\n"
        "    positions: {denuc: {US: {position: 80}}}\n"
    )
    view = loads(text).scenario("soft")
    assert view.base.scenario_id is None
    # NK now wants the freeze it stands against (a finding of the view), and the
    # scenario changed its priorities only (a finding of the scenario).
    assert [(f.kind, f.scenario) for f in case_findings(view)] == [
        ("direction", None),
        ("scenario", "soft"),
    ]


def test_a_statement_is_read_by_what_it_means_not_how_it_is_written():
    base = (
        LINKED.replace(
            'NK: {statements: [relief, not dismantle, "freeze iff relief"]}',
            "NK: {statements: [STATEMENT, relief]}",
        )
        .replace(
            "NK: {position: 10, salience: 100, red_line: {at_most: 50}}",
            "NK: {position: 10, salience: 20}",
        )
        .replace("NK: {position: 90, salience: 70}", "NK: {position: 90, salience: 100}")
    )
    plain = case_findings(loads(base.replace("STATEMENT", "not dismantle")))
    written = case_findings(loads(base.replace("STATEMENT", '"not (dismantle or false)"')))
    assert [f.kind for f in plain] == [f.kind for f in written] == ["bought", "order"]


def test_a_compound_top_priority_is_checked_over_the_states_that_break_it():
    # The US puts "no relief without dismantling" first, yet values relief for a freeze
    # (state: freeze and relief, denuc 25 and relief 50) above the status quo:
    # (0.35 * 80 + 0.6 * 60) / 140 = 0.457 > 0.443.
    text = LINKED.replace(
        "US: {statements: [freeze, dismantle, not relief]}",
        'US: {statements: ["relief implies dismantle", freeze]}',
    )
    [bought] = [f for f in case_findings(loads(text)) if f.kind == "bought"]
    assert bought.message == (
        "US's top priority is 'relief implies dismantle', yet its issue stances accept a state "
        "that breaks it (denuc 25, relief 50: utility 0.46 against its reservation 0.44)"
    )
