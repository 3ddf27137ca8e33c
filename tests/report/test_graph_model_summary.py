"""The graph-model section of a big model: told from the compact JSON, with tables of
states capped and saying how many were left out."""

from __future__ import annotations

import re

import pytest

import detente
from detente.gmcr import analyze_conflict
from detente.gmcr import results as results_module
from detente.gmcr.case import ConflictAnalysis
from detente.gmcr.results import conflict_dict
from detente.report import Report, case_brief, graph_model
from detente.report.graph_model import (
    MAX_STATE_ROWS,
    graph_model_section,
    stability_tables,
    status_quo_section,
)


@pytest.fixture(scope="module")
def korea() -> tuple[detente.Case, ConflictAnalysis]:
    case = detente.load("korea")
    return case, analyze_conflict(case)


@pytest.fixture
def summary(korea, monkeypatch) -> dict:
    """Korea's JSON as a model above the threshold gets it (4,096 states > 1,000)."""
    monkeypatch.setattr(results_module, "MAX_LISTED_STATES", 1000)
    data = conflict_dict(korea[1])
    assert data["listed_states"]["selection"] == "summary"
    return data


def test_the_summary_tells_what_every_state_tells(korea, summary) -> None:
    case, analysis = korea
    brief = case_brief(case)
    full = graph_model_section(conflict_dict(analysis, states="all"), brief)
    short = graph_model_section(summary, brief)
    assert short.findings == full.findings
    assert status_quo_section(summary, brief).findings == (
        status_quo_section(conflict_dict(analysis, states="all"), brief).findings
    )


def test_the_equilibria_table_says_how_many_are_left_out(korea, monkeypatch) -> None:
    case = korea[0]
    analysis = analyze_conflict(case, concepts=["gmr"])  # 144 GMR equilibria
    monkeypatch.setattr(results_module, "MAX_LISTED_STATES", 1000)
    summary = conflict_dict(analysis)
    table = next(
        t
        for t in graph_model_section(summary, case_brief(case)).tables
        if "equilibria (" in t.title
    )
    total = len(analysis.stability.equilibria("gmr"))
    listed = {s["index"] for s in summary["states"]}
    assert 0 < len(table.rows) <= 12
    assert {int(row[0]) for row in table.rows} <= listed
    assert table.title.startswith(f"GMR equilibria ({total:,};")
    assert f"{total - len(table.rows):,} more not shown" in (table.note or "")
    assert "--states all" in (table.note or "")


def test_stability_tables_are_capped(korea) -> None:
    case, analysis = korea
    data = conflict_dict(analysis)
    tables = stability_tables(data, case_brief(case), list(range(1, 201)))
    assert len(tables) == len(analysis.stability.concepts)
    for table in tables:
        assert len(table.rows) == MAX_STATE_ROWS
        assert [row[0] for row in table.rows] == [str(i) for i in range(1, MAX_STATE_ROWS + 1)]
        assert table.title.endswith(f"of 200 states; first {MAX_STATE_ROWS} shown")
        assert f"{200 - MAX_STATE_ROWS:,} more states not shown" in (table.note or "")
    few = stability_tables(data, case_brief(case), [1, 2])
    assert all(len(t.rows) == 2 and "not shown" not in (t.note or "") for t in few)


def test_the_html_report_of_a_big_model_stays_small(korea, summary) -> None:
    case, _ = korea
    brief = case_brief(case)
    report = Report(
        brief=brief,
        data={"graph_model": summary},
        sections=[graph_model_section(summary, brief)],
        show_case=False,
    )
    html = report.to_html()
    # without the plotting library's own script, the page is the findings, capped
    # tables and the state graph's view
    page = re.sub(r"<script[^>]*>.{100000,}?</script>", "", html, flags=re.S)
    assert len(page) < 250_000
    assert html.count("<tr") < 100


def test_paths_and_reached_equilibria_are_capped(monkeypatch) -> None:
    case = detente.load("chicken")  # the status quo reaches two equilibria
    data = conflict_dict(analyze_conflict(case))
    brief = case_brief(case)
    told = status_quo_section(data, brief)
    assert sum(f.startswith("To state") for f in told.findings) == 2
    monkeypatch.setattr(graph_model, "MAX_PATHS_TOLD", 1)
    monkeypatch.setattr(graph_model, "MAX_STATE_ROWS", 1)
    section = status_quo_section(data, brief)
    assert sum(f.startswith("To state") for f in section.findings) == 1
    assert "1 more path to equilibria not told here" in section.findings[-1]
    table = section.tables[-1]
    assert table.title == "Equilibria the status quo reaches (or is) (3; first 1 shown)"
    assert len(table.rows) == 1
    assert (table.note or "").startswith("2 more not shown")
    summary = graph_model_section(data, brief)
    assert sum(f.startswith("Path to SEQ") for f in summary.findings) == 1
    assert any(f.startswith("1 more path to SEQ equilibria") for f in summary.findings)
