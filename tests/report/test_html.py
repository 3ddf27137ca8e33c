"""The HTML report: self-contained, complete, and safe against markup in case texts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import detente
from detente.analysis import analyze
from detente.model.io import loads
from detente.report import analysis_report
from tests.conftest import SMALL_CASE


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.headings: list[str] = []
        self.scripts = 0
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if tag in ("script", "link", "img", "iframe") and re.match(r"(https?:)?//", value):
                self.external.append(value)
        if tag == "script":
            self.scripts += 1
        self._in_h2 = tag == "h2"

    def handle_data(self, data):
        if self._in_h2 and data.strip():
            self.headings.append(data.strip())
            self._in_h2 = False


@pytest.fixture(scope="module")
def korea_html() -> str:
    return analysis_report(analyze(detente.load("korea"))).to_html()


def test_the_report_needs_no_network(korea_html):
    parser = Collector()
    parser.feed(korea_html)
    assert parser.external == []  # no script, style, image or frame from elsewhere
    assert "@import" not in korea_html
    assert "<link" not in korea_html


def test_every_section_and_plot_is_there(korea_html):
    parser = Collector()
    parser.feed(korea_html)
    # The way out opens the report, then the case and the evidence.
    assert parser.headings[:3] == ["Contents", "The way out", "The case"]
    assert "Consistency of the case" in parser.headings
    assert "Graph model: which outcomes are stable" in parser.headings
    assert "Bargaining: packages, blockers and forums" in parser.headings
    # the state graph, one positions-by-round plot per issue, the utility space and the
    # forums, the history's timeline and the robustness margins
    assert korea_html.count('class="plotly-graph-div"') == 1 + 7 + 2 + 1 + 1
    assert "The recorded moves, party by party" in korea_html
    assert "How many changes of priorities it takes" in korea_html
    assert "States around the status quo" in korea_html
    assert "positions by round" in korea_html
    assert "Utility space" in korea_html
    assert "Forums compared" in korea_html


def test_the_findings_name_the_equilibria_and_blockers(korea_html):
    assert (
        "is an equilibrium under Nash, GMR, SMR and SEQ, and the only Nash equilibrium"
        in korea_html
    )
    # since the case links its two halves, the 2022 status quo is the only SEQ equilibrium
    assert "SEQ equilibria (1)" in korea_html
    assert "blocked by North Korea" in korea_html


def test_markup_in_a_case_is_shown_not_run():
    case = loads(SMALL_CASE.replace("name: North Korea", "name: <script>alert(1)</script>"))
    html = analysis_report(analyze(case)).to_html()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markdown_and_json_carry_the_same_findings():
    report = analysis_report(analyze(detente.load("korea")))
    markdown = report.to_markdown()
    data = report.to_dict()
    assert "## Graph model: which outcomes are stable" in markdown
    assert data["graph_model"]["equilibria"]["nash"] == [data["graph_model"]["status_quo_index"]]
    for section in report.sections:
        for finding in section.findings:
            assert finding.replace("|", "\\|") in markdown


def test_a_number_and_its_companion_in_brackets_stay_together(korea_html):
    """Issue 12: at a phone's width "5 (100)" broke into "5" above "(100)"; the issues'
    cells and each "number (companion)" of a table are written so that they cannot
    (the browser test, tests/web/test_cells_narrow_browser.py, measures it)."""
    assert '<td class="num nowrap">5&nbsp;(100)</td>' in korea_html
    assert "white-space: nowrap" in korea_html.split(".nowrap", 1)[1].split("}", 1)[0]
    forecast = korea_html.split('<section id="forecast">', 1)[1].split("</section>", 1)[0]
    assert re.search(r'<td><span class="nowrap">\d+&nbsp;\(\d+–\d+\)</span></td>', forecast)
    assert not re.search(r"<td>[^<]*\d \(", forecast)
