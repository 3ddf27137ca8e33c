"""The bargaining report tells readers about red lines: who blocks a proposal because it
crosses one, which red line would have to move, the zone within every red line, and a
table of the parties' red lines. Cases without red lines read as before.

The case is the linked case of ``tests/model/test_links.py`` (North Korea: denuclearisation
at most 50) with three proposals that cross that red line. Deep cuts (denuclearisation 75,
partial relief): North Korea prefers the status quo anyway, and moving denuclearisation down
to 25 wins it over. Disarmament for nothing (100, no relief): it prefers the status quo
anyway and no single change wins it over, so the red line has to move. The big deal (75,
full relief) is worth more to North Korea than low reservation values: it blocks only
because of its red line.
"""

from __future__ import annotations

import pytest

from detente.bargain.case import bargain
from detente.model.io import loads
from detente.report import engine_report
from detente.report.bargaining import _bound, bargaining_section
from detente.report.brief import case_brief
from tests.model.test_links import LINKED

pytestmark = pytest.mark.bargain

CROSSING = """\
  - id: deep
    name: Deep cuts
    positions: {denuc: 75, relief: 50}
  - id: big
    name: Big deal
    positions: {denuc: 75, relief: 100}
  - id: disarm
    name: Disarmament for nothing
    positions: {denuc: 100, relief: 0}
"""

CASE = LINKED + CROSSING
WITHOUT_RED_LINE = CASE.replace(", red_line: {at_most: 50}", "")
# Low reservation values: North Korea would gain from the big deal but for its red line.
LOW_RESERVATION = CASE.replace(
    "{id: US, name: United States}", "{id: US, name: United States, reservation_value: 0.3}"
).replace("{id: NK, name: North Korea}", "{id: NK, name: North Korea, reservation_value: 0.3}")


def _words(text: str) -> str:
    """The text with its line breaks and table padding folded into single spaces."""
    return " ".join(text.split())


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "linked.yaml"
    path.write_text(CASE)
    return path


@pytest.fixture
def text(run_cli, case_file, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("bargain", str(case_file))
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    return _words(result.stdout)


@pytest.fixture
def markdown(run_cli, case_file):
    result = run_cli("bargain", str(case_file), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_zone_is_within_every_red_line(text, markdown):
    zone = (
        "2 of the 30 packages on the issue grid are better than the status quo for every "
        "party and within every red line: a zone of possible agreement exists."
    )
    assert zone in text
    assert f"- {zone}" in markdown


def test_a_blocker_is_told_by_the_red_line_it_crosses_and_the_change_that_wins_it(text, markdown):
    sentence = (
        "Deep cuts: accepted by the United States; blocked by North Korea. North Korea blocks it: "
        "Denuclearisation 75 crosses its red line (at most 50), and it prefers the status quo "
        "anyway. North Korea would accept it if Denuclearisation moved from 75 to 25."
    )
    assert sentence in text
    assert sentence in markdown


def test_without_a_change_the_red_line_has_to_move(text, markdown):
    sentence = (
        "Disarmament for nothing: accepted by the United States; blocked by North Korea. North "
        "Korea blocks it: Denuclearisation 100 crosses its red line (at most 50), and it "
        "prefers the status quo anyway. For North Korea to accept it, that red line would have "
        "to move and the proposal would have to change too."
    )
    assert sentence in text
    assert sentence in markdown
    assert "wins North Korea over" not in text


def test_proposals_within_the_red_lines_read_as_before(text):
    # Its options (freeze and dismantle) keep denuclearisation at 50 or more, so the change
    # that wins North Korea over is on relief: (0.6 * 100 + 0.85 * 70) / 170 = 0.70 > 0.65.
    assert (
        "Yongbyon for relief: accepted by the United States; blocked by North Korea. North Korea "
        "would accept it if Sanctions relief moved from 50 to 75."
    ) in text


def test_the_red_lines_table(text, markdown):
    assert "Red lines: what each party never accepts" in text
    assert "North Korea │ Denuclearisation │ at most 50" in text
    assert "### Red lines: what each party never accepts" in markdown
    assert "| Party | Issue | Red line |" in markdown
    assert "| North Korea | Denuclearisation | at most 50 |" in markdown
    assert "| Deep cuts | US | NK (red line) |" in markdown
    assert "| Yongbyon for relief | US | NK |" in markdown
    assert "A party marked (red line) blocks because the proposal crosses its red line." in (
        markdown
    )
    # The red lines come after the solutions and before the proposals.
    assert markdown.index("### Solutions") < markdown.index("### Red lines")
    assert markdown.index("### Red lines") < markdown.index("### Proposals")


def test_a_party_that_would_gain_blocks_only_because_of_its_red_line():
    case = loads(LOW_RESERVATION)
    report = engine_report("bargaining", bargain(case), case)
    md = report.to_markdown()
    assert "2 of the 30 packages" not in md, (
        "reservation values, not the status quo, bound the zone here"
    )
    assert "better for every party than its reservation value and within every red line" in md
    assert (
        "Big deal: accepted by the United States; blocked by North Korea. North Korea blocks it "
        "only because Denuclearisation 75 crosses its red line (at most 50). North Korea would "
        "accept it if Denuclearisation moved from 75 to 50."
    ) in md
    assert "crosses its red line (at most 50)" in report.to_html()


def test_a_party_that_would_gain_and_has_no_change_needs_its_red_line_moved():
    case = loads(LOW_RESERVATION)
    data = bargain(case).to_dict()
    data["proposals"]["big"]["to_win"]["NK"] = []
    findings = bargaining_section(data, case_brief(case)).findings
    assert (
        "Big deal: accepted by the United States; blocked by North Korea. North Korea blocks it "
        "only because Denuclearisation 75 crosses its red line (at most 50). For North Korea "
        "to accept it, that red line would have to move."
    ) in findings


def test_without_red_lines_the_report_reads_as_before(tmp_path, run_cli):
    path = tmp_path / "plain.yaml"
    path.write_text(WITHOUT_RED_LINE)
    result = run_cli("bargain", str(path), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    md = result.stdout
    assert "red line" not in md.lower()
    assert (
        "of the 30 packages on the issue grid leave all 2 parties better off than the status "
        "quo: a zone of possible agreement exists."
    ) in md
    assert "| Disarmament for nothing | US | NK |" in md
    assert "### Red lines" not in md


def test_red_lines_on_named_levels_use_the_names():
    names = {"colour": ["red", "green", "blue"]}
    assert _bound("colour", "at most 1", names) == "at most green"
    assert _bound("colour", "from 0 to 1, never 2", names) == "from red to green, never blue"
    assert _bound("other", "at most 1", names) == "at most 1"
