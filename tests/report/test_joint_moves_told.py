"""The text and the state graph agree on coalitions' joint moves (issue #12, found by a
new-user walk): the figure draws every pair's joint improvements dashed even when the
analysis followed no coalition, while the text spoke only of parties moving alone, so
the prisoner's dilemma's text called state 4 an equilibrium ("no party gains by leaving
it") next to a figure that drew both suspects leaving it together for state 1. Now each
joint move the figure draws out of the status quo, or out of an equilibrium where it
draws every state, is told in the text, and each joint move the text tells is drawn."""

from __future__ import annotations

import re

import pytest

import detente
from detente.gmcr import analyze_conflict
from detente.report.brief import case_brief
from detente.report.graph_model import graph_model_section
from detente.report.plots import state_graph_figure

CASES = [
    pytest.param("prisoners_dilemma", None, id="prisoners_dilemma"),
    pytest.param("loyalty_in_doubt", None, id="loyalty_in_doubt"),
    pytest.param("chicken", None, id="chicken"),
    pytest.param("korea", "article_advice", id="korea-article_advice"),
]


def _drawn_joint_moves(fig) -> set[tuple[int, int]]:
    moves = set()
    for t in fig.data:
        if not (t.name or "").endswith("(joint move)"):
            continue
        for h in t.hovertext:
            m = re.search(r"state (\d+) → state (\d+)", h)
            moves.add((int(m[1]), int(m[2])))
    return moves


def _told_joint_moves(findings: list[str]) -> set[tuple[int, int]]:
    """(from, to) of each joint move a finding tells: 'the status quo (state S) ...' or
    'State S is an equilibrium ... leave it ...', then each '(to state(s) T, U and V)'."""
    told = set()
    for f in findings:
        m = re.match(r"Acting together, .* the status quo \(state (\d+)\)", f) or re.match(
            r"State (\d+) is an equilibrium .* a coalition could leave it", f
        )
        if not m:
            continue
        for group in re.findall(r"\(to states? ([\d, and]+?)(?: and [\d,]+ more)?\)", f):
            for t in re.findall(r"\d+", group):
                told.add((int(m[1]), int(t)))
    return told


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_the_text_and_the_state_graph_agree_on_joint_moves(name, scenario):
    case = detente.load(name)
    if scenario:
        case = case.base.scenario(scenario)
    data = analyze_conflict(case).to_dict()
    graph = data["state_graph"]
    fig = state_graph_figure(data, case_brief(case))
    findings = graph_model_section(data, case_brief(case)).findings
    drawn = _drawn_joint_moves(fig)
    told = _told_joint_moves(findings)
    # every joint move the text tells is drawn
    assert told <= drawn
    # every joint move drawn out of the status quo, or (all states drawn) out of an
    # equilibrium, is told, at most three targets a coalition ("and N more")
    nodes = {n["index"]: n for n in graph["nodes"]}
    sq = graph["status_quo"]
    leaving = {
        (a, b)
        for a, b in drawn
        if a == sq or (graph["states"] == "all" and any(nodes[a]["equilibrium"].values()))
    }
    assert {a for a, _ in leaving} == {a for a, _ in told}
    for origin in {a for a, _ in leaving}:
        (finding,) = [
            f
            for f in findings
            if f"(state {origin})" in f or f.startswith(f"State {origin} is an equilibrium")
        ]
        more = sum(int(n.replace(",", "")) for n in re.findall(r"and ([\d,]+) more", finding))
        n_told = sum(1 for a, _ in told if a == origin)
        assert n_told + more == sum(1 for a, _ in leaving if a == origin)


def test_the_prisoners_dilemma_tells_the_joint_move_out_of_its_equilibrium():
    case = detente.load("prisoners_dilemma")
    findings = graph_model_section(analyze_conflict(case).to_dict(), case_brief(case)).findings
    (told,) = [f for f in findings if f.startswith("State 4 is an equilibrium")]
    assert "Suspect A with Suspect B (to state 1)" in told
    assert "coalitions were not analysed" in told


def test_with_coalitions_analysed_the_coalition_findings_speak_instead():
    case = detente.load("prisoners_dilemma")
    data = analyze_conflict(case, coalitions=True).to_dict()
    findings = graph_model_section(data, case_brief(case)).findings
    assert not any("coalitions were not analysed" in f for f in findings)
    assert any("Coalitions unsettle" in f and "state 4" in f for f in findings)
