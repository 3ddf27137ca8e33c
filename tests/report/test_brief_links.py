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
