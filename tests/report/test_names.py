"""Party names in sentences (issue #12, wording): "the United States' behaviour", not
"United States' behaviour"; one rule, in :mod:`detente.report.text`, for every report."""

from __future__ import annotations

import pytest

import detente
from detente.analysis import analyze
from detente.bargain.case import bargain
from detente.gmcr import analyze_conflict
from detente.report import analysis_report, engine_report
from detente.report.bargaining import bargaining_section
from detente.report.brief import case_brief
from detente.report.text import definite, possessive, takes_the


@pytest.mark.parametrize(
    ("name", "the"),
    [
        pytest.param("United States", True, id="united-first"),
        pytest.param("United Kingdom", True, id="kingdom"),
        pytest.param("United Nations", True, id="nations"),
        pytest.param("Republic of Korea", True, id="republic-of"),
        pytest.param("Czech Republic", True, id="republic-last"),
        pytest.param("European Union", True, id="union"),
        pytest.param("Russian Federation", True, id="federation"),
        pytest.param("United Arab Emirates", True, id="emirates"),
        pytest.param("Netherlands", True, id="netherlands"),
        pytest.param("Philippines", True, id="philippines"),
        pytest.param("Gulf States", True, id="states-last"),
        pytest.param("Solomon Islands", True, id="islands"),
        pytest.param("UN Security Council", True, id="council"),
        pytest.param("US", True, id="initialism"),
        pytest.param("DPRK", True, id="initialism-dprk"),
        pytest.param("NATO", False, id="acronym-read-as-a-word"),
        pytest.param("North Korea", False, id="plain-country"),
        pytest.param("China", False, id="china"),
        pytest.param("Driver A", False, id="teaching-party"),
        pytest.param("The Hague Group", False, id="already-with-the"),
        pytest.param("Statesmen", False, id="word-not-name-end"),
        pytest.param("", False, id="empty"),
    ],
)
def test_which_names_take_the(name, the):
    assert takes_the(name) is the


@pytest.mark.parametrize(
    ("name", "start", "expected"),
    [
        ("United States", False, "the United States'"),
        ("United States", True, "The United States'"),
        ("North Korea", False, "North Korea's"),
        ("North Korea", True, "North Korea's"),
        ("Philippines", False, "the Philippines'"),
        ("European Union", False, "the European Union's"),
        ("Driver A", False, "Driver A's"),
    ],
)
def test_possessive(name, start, expected):
    assert possessive(name, start=start) == expected


def test_definite():
    assert definite("United States") == "the United States"
    assert definite("United States", start=True) == "The United States"
    assert definite("Japan", start=True) == "Japan"


def test_korea_reports_name_the_united_states_with_its_article():
    """Where a sentence names the United States after 'by', 'of' or at its start, the
    article is there; no sentence of korea's text, bargaining or way out says 'by United
    States' or 'of United States' or starts with 'United States'."""
    report = analysis_report(analyze(detente.load("korea")))
    case = detente.load("korea")
    # (the sections of report/dynamics.py are left out: they switch to this rule apart)
    dynamics = {"history", "robustness", "evolution", "perception"}
    sections = [s for s in report.sections if s.key not in dynamics]
    sections.append(bargaining_section(bargain(case).to_dict(), case_brief(case)))
    findings = [f for s in sections for f in s.findings]
    text = " ".join(findings)
    assert "the United States" in text
    for wrong in ("by United States", "of United States", "for United States", ". United States"):
        assert wrong not in text, wrong
    assert not any(f.startswith("United States") for f in findings)


def test_the_html_case_section_names_parties_with_their_article():
    case = detente.load("korea")
    html = engine_report("graph_model", analyze_conflict(case), case).to_html()
    assert "proposed by the United States, Japan)" in html
    assert "; the United States attends only if" in html
    assert "proposed by USA" not in html and "; USA attends" not in html


IDS = r"\b(?:USA|PRK|ROK|CHN|JPN|RUS)\b"
# a party's id where a sentence names the party: "PRK ranks", "CHN's top priority",
# "JPN: the graph model ...", "Stable under SEQ for USA, ROK", "Accepted by USA, PRK"
BY_ID = (
    rf"{IDS} (?:ranks|drops|no longer ranks|would have)",
    rf"{IDS}'s ",
    rf"^{IDS}: ",
    rf"Stable under \w+ for (?:[\w ]+, )*{IDS}",
    rf"Accepted by (?:[\w ]+, )*{IDS}",
)


@pytest.mark.parametrize("scenario", [None, "eve_of_hanoi_2019"])
def test_report_sentences_name_parties_by_name_not_id(scenario):
    """Robustness bullets, the way out's story and disagreements, and the consistency
    findings say "North Korea ranks ...", as the rest of the report does, not "PRK ranks"
    (a table keeps ids only in a column of ids)."""
    import re

    report = analysis_report(analyze(detente.load("korea", scenario=scenario)))
    prose = [f for s in report.sections for f in s.findings]
    cells = [
        cell
        for s in report.sections
        for t in s.tables
        if t.title.startswith(("The first path", "Where the engines disagree", "The status quo"))
        for row in t.rows
        for cell in (row if t.columns == ["Story"] else row[1:])
    ]
    said = [line for text in prose + cells for line in str(text).splitlines()]
    assert any("North Korea ranks" in line for line in said)
    wrong = [line for line in said for pattern in BY_ID if re.search(pattern, line)]
    assert not wrong, f"{len(wrong)} sentences name a party by its id, e.g. {wrong[0]!r}"
