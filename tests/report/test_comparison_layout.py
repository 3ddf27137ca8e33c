"""`detente compare korea` at 120 columns keeps every scenario and gives the rows' names
a fair share of the width: no row name takes more than three lines."""

from __future__ import annotations

import textwrap

import pytest

from detente._columns import column_widths


@pytest.mark.slow
def test_compare_at_120_columns_gives_row_names_at_most_three_lines(run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    result = run_cli("compare", "korea")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    table = text.split("What changes between scenarios", 1)[1]
    header = next(line for line in table.splitlines() if "┃" in line)
    for scenario in ("deadlock_2022", "eve_of_hanoi_2019", "article_soft_dprk"):
        assert scenario in header, header
    # the first column's width, from where the header's first separator stands
    label_width = header.index("┃") - 1
    from detente._loading import load_base
    from detente.analysis import compare
    from detente.report import comparison_report

    (section,) = comparison_report(compare(load_base("korea"))).sections
    labels = [row[0] for table in section.tables for row in table.rows]
    assert labels
    for label in labels:
        assert label.split()[0] in table, label
        taken = textwrap.wrap(label, label_width, break_long_words=False)
        assert len(taken) <= 3, f"{label!r} takes {len(taken)} lines at {label_width} columns"


def test_the_first_column_keeps_a_fair_share():
    """Six columns at 120: the row names are not narrowed to the width of the values."""
    columns = ["", "deadlock_2022", "eve_of_hanoi_2019", "article_advice", "seoul", "soft"]
    rows = [
        ["Denuclearisation demanded of North Korea and its sequencing: " * 2]
        + ["unstable for USA, PRK, ROK, JPN"] * 5
    ]
    widths = column_widths(columns, rows, 120)
    assert sum(widths) + 3 * 5 <= 120
    assert widths[0] >= 120 // 4, widths
