"""The case in brief shows what options do on the issues and the parties' red lines."""

from __future__ import annotations

from detente.model.io import loads
from detente.report import case_report
from tests.model.test_links import LINKED


def test_show_tells_effects_and_red_lines(run_cli, tmp_path):
    path = tmp_path / "linked.yaml"
    path.write_text(LINKED)
    result = run_cli("show", str(path))
    assert result.exit_code == 0
    assert "on the issues: denuc at least 25 (at most 0 if not taken)" in result.stdout
    assert "North Korea: denuc at most 50" in result.stdout
    markdown = case_report(loads(LINKED)).to_markdown()
    assert "; on the issues: relief at least 50" in markdown
    assert "- North Korea: Denuclearisation at most 50" in markdown


def test_engine_reports_open_with_the_cases_consistency_findings(run_cli, tmp_path):
    path = tmp_path / "nk.yaml"
    # North Korea stands against the freeze it wants: a direction finding.
    path.write_text(
        LINKED.replace(
            'NK: {statements: [relief, not dismantle, "freeze iff relief"]}',
            "NK: {statements: [freeze, relief]}",
        )
    )
    text = run_cli("bargain", str(path)).stdout
    assert text.index("Consistency of the case") < text.index("Bargaining")
    assert "North Korea wants 'freeze' (statement 1)" in text  # named as elsewhere
    # The JSON output stays the engine's own.
    assert "consistency" not in run_cli("bargain", str(path), "--format", "json").stdout


def test_show_tells_the_levels_a_proposals_options_imply(run_cli):
    # Freeze-for-freeze names denuclearisation and the drills; suspending the drills
    # also lowers extended deterrence (an effect of the option), which every engine
    # judges: the case shows it.
    result = run_cli("show", "korea")
    assert "implied by its options: US extended deterrence for South Korea and Japan 50" in (
        " ".join(result.stdout.split())
    )
