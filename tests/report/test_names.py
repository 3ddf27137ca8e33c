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
