"""The terminal report at 80 and 120 columns: no line wider than the terminal, no word or
number split across lines, no column dropped or cut; and snapshots of small reports.

Set DETENTE_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after a deliberate change of
the report's text (then read the diff).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from detente import load
from detente.report import analysis_report, case_report, comparison_report, engine_report
from detente.report.text import FittedTable, bullet

WIDTHS = (80, 120)
SNAPSHOTS = Path(__file__).parent / "snapshots"


def render(renderables, width: int) -> str:
    console = Console(
        file=io.StringIO(), width=width, color_system=None, highlight=False, soft_wrap=False
    )
    for renderable in renderables:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in console.file.getvalue().split("\n"))  # type: ignore[attr-defined]


def assert_fits(text: str, width: int) -> None:
    wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not wide, f"{len(wide)} lines wider than {width} columns, e.g. {wide[0]!r}"
    assert "…" not in text, "a cell was cut with an ellipsis"


def assert_whole_words(text: str, cells: list[str], width: int) -> None:
    """Every word of every cell (that could fit a line at all) appears whole."""
    flat = " ".join(text.split())
    padded = f" {flat} "
    for cell in cells:
        for word in str(cell).split():
            if len(word) < width - 8:
                assert re.search(rf"(?<=[\s│┃(]){re.escape(word)}", padded), (
                    f"{word!r} is split or missing at {width} columns"
                )


@pytest.fixture(scope="module")
def korea():
    return load("korea")


@pytest.fixture(scope="module")
def korea_comparison():
    from detente._loading import load_base
    from detente.analysis import compare

    return comparison_report(compare(load_base("korea")))


def report_tables(report):
    return [table for section in report.sections for table in section.tables]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_comparison_of_korea_keeps_every_scenario_and_every_word(korea_comparison, width):
    """At 80 columns the five scenarios' columns cannot keep whole words: the table stacks,
    one block per row, and no scenario is dropped (article_soft_dprk was)."""
    tables = report_tables(korea_comparison)
    assert tables
    for table in tables:
        text = render([FittedTable(table.columns, table.rows)], width)
        assert_fits(text, width)
        assert_whole_words(text, [*table.columns, *(c for row in table.rows for c in row)], width)
        for column in table.columns:
            assert " ".join(column.split()) in " ".join(text.split())
    whole = render(korea_comparison.renderables(), width)
    assert_fits(whole, width)
    assert "article_soft_dprk" in whole


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("engine", ["graph_model", "bargaining", "forecast"])
def test_engine_reports_on_korea_fit_and_keep_words(korea, engine, width):
    if engine == "graph_model":
        from detente.gmcr.case import analyze_conflict

        result = analyze_conflict(korea, concepts=["nash", "gmr", "smr", "seq"])
    elif engine == "bargaining":
        from detente.bargain.case import bargain

        result = bargain(korea)
    else:
        from detente.forecast.case import forecast

        result = forecast(korea, models=["mean", "median", "eum"])
    report = engine_report(engine, result, korea)
    text = render(report.renderables(), width)
    assert_fits(text, width)
    for table in report_tables(report):
        alone = render([FittedTable(table.columns, table.rows)], width)
        assert_whole_words(alone, [*table.columns, *(c for row in table.rows for c in row)], width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_case_report_fits(korea, width):
    assert_fits(render(case_report(korea).renderables(), width), width)


def test_a_table_that_fits_keeps_its_columns_and_one_that_does_not_stacks():
    table = FittedTable(
        ["Party", "Denuclearisation", "Normalisation"], [["North Korea", "unacceptable", "later"]]
    )
    assert (
        table.whole_words_width()
        == len("North") + len("Denuclearisation") + len("Normalisation") + 6
    )
    side_by_side = render([table], 80)
    assert re.search(r"North Korea\s+│\s+unacceptable\s+│\s+later", side_by_side)
    stacked = render([table], 36)
    assert stacked.splitlines() == [
        "Party: North Korea",
        "  Denuclearisation: unacceptable",
        "  Normalisation: later",
    ]
    # too narrow for a label and its value side by side: the value goes under it
    assert render([table], 24).splitlines()[1:3] == ["  Denuclearisation:", "  unacceptable"]


def test_bullets_hang_under_their_first_word():
    text = render([bullet("word " * 30)], 40)
    lines = text.splitlines()
    assert lines[0].startswith("  • word")
    assert all(line.startswith("    word") for line in lines[1:] if line)


def snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("DETENTE_UPDATE_SNAPSHOTS") or not path.exists():
        if not os.environ.get("DETENTE_UPDATE_SNAPSHOTS") and os.environ.get("CI"):
            pytest.fail(f"snapshot {path.name} is missing: run with DETENTE_UPDATE_SNAPSHOTS=1")
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"the report differs from {path}; if the change is meant, rerun with "
        "DETENTE_UPDATE_SNAPSHOTS=1 and read the diff"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", ["chicken", "prisoners_dilemma"])
def test_snapshot_of_a_teaching_case(case, width):
    from detente.analysis import analyze

    report = analysis_report(analyze(load(case)))
    text = render(report.renderables(), width)
    assert_fits(text, width)
    snapshot(f"{case}-analyze-{width}", text)


def test_a_header_is_wrapped_not_cropped_when_the_columns_are_tight():
    """rich's own layout cropped the last header ('North Kore') where the natural widths
    overflowed by a little; the table sets every column's width itself."""
    long = "Grand bargain — complete denuclearisation for security guarantees, a peace treaty"
    table = FittedTable(
        ["Proposal", "Concept", "True game", "Hypergame", "United States", "North Korea"],
        [
            [long, "SEQ", "no", "no", "yes", "no"],
            ["Kalai-Smorodinsky", "Nash", "no", "no", "no", "yes"],
        ],
    )
    for width in (64, 72, 80):
        text = render([table], width)
        assert_fits(text, width)
        assert_whole_words(text, [*table.columns, *(c for row in table.rows for c in row)], width)


def _ktab_table(path: Path, parties: int) -> Path:
    """A KTAB-style CSV (one issue) with ``parties`` actors."""
    lines = [
        f"Many parties; scen 0,Scenario-000; A policy with many parties, {parties}, 1, ",
        "Actor,Description,Influence,Policy Position,Policy Salience, ",
    ]
    for k in range(parties):
        lines.append(f"P{k:02d},Party {k},{10 + k},{(37 * k) % 101},{20 + (k * 7) % 80}, ")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_the_issues_table_of_many_parties_keeps_every_value(tmp_path, width):
    """26 parties drew 26 empty one-character columns at 80 columns and "…" in every
    cell at 120: the table is transposed or stacked instead, each value whole."""
    from detente._loading import read_forecast_table

    case = load(read_forecast_table(_ktab_table(tmp_path / "many.csv", 26)))
    text = render(case_report(case).renderables(), width)
    assert_fits(text, width)
    flat = " ".join(text.split())
    for k in range(26):
        cell = f"{(37 * k) % 101} ({20 + (k * 7) % 80})"
        # the actors are named by their descriptions ("Party 7")
        assert re.search(rf"Party {k}\b[:\s│]+{re.escape(cell)}", flat), (
            f"Party {k}'s {cell!r} is missing at {width} columns"
        )


@pytest.mark.parametrize("width", WIDTHS)
def test_a_position_and_its_salience_stay_on_one_line(korea, width):
    """At 80 columns North Korea's "100 (90)" on joint exercises broke into "100" and
    "(90)"; every position (salience) cell of the issues table stays whole."""
    text = render(case_report(korea).renderables(), width)
    lines = text.splitlines()
    for issue in korea.issues:
        for stance in issue.positions.values():
            cell = f"{stance.position:g} ({stance.salience:g})"
            assert any(cell in line for line in lines), f"{cell!r} is broken at {width} columns"


def test_a_table_of_whole_cells_breaks_a_long_row_name_after_an_underscore():
    table = FittedTable(
        ["Issue", "North Korea"], [["trilateral_exercises", "100 (90)"]], whole_cells=True
    )
    lines = render([table], 24).splitlines()
    assert any(line.startswith("trilateral_ ") and "100 (90)" in line for line in lines)
    assert any(line.startswith("exercises") for line in lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_one_column_table_of_prose_wraps_at_its_width(width):
    """A sentence holding an identifier (test_moratorium) wraps as a paragraph, not one
    word per line."""
    sentence = (
        "Step 1: the state closest to the Nash solution (state 2210) at the Six-Party "
        "Talks (revived). Moves: North Korea takes test_moratorium (with the United "
        "States), then the United States takes normalisation (with North Korea)."
    )
    text = render([FittedTable(["Story"], [[sentence]])], width)
    body = text.splitlines()[2:]
    assert_fits(text, width)
    assert_whole_words(text, [sentence], width)
    assert all(len(line.split()) > 1 for line in body if line.strip()), body
    assert len([line for line in body if line.strip()]) <= len(sentence) // (width - 20) + 1


def test_a_long_identifier_still_breaks_after_an_underscore():
    cell = "a_very_long_identifier_that_cannot_fit (state 12)"
    text = render([FittedTable(["Row", "Value"], [[cell, "1"]])], 40)
    assert "a_very_long_identifier_" in text and "…" not in text
