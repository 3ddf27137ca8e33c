"""The case's status quo in the analysis report says plainly which options are in force
and which are not: "no option is in force; not taken: both options", never "in force:
none of the options; not taken: the other 2 options"."""

from __future__ import annotations

import pytest

from detente.report.text import _not_taken


def test_a_status_quo_with_no_option_in_force(run_cli, small_case_file, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    result = run_cli("analyze", str(small_case_file))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "no option is in force" in text
    assert "none of the options" not in text
    assert "the other" not in text.split("Status quo", 1)[1].split("\n\n", 1)[0]


@pytest.mark.parametrize(
    ("n_options", "n_taken", "said"),
    [
        (2, 0, "both options"),
        (3, 0, "all 3 options"),
        (1, 0, "the only option"),
        (3, 2, "the other option"),
        (13, 2, "the other 11 options"),
        (2, 2, "none"),
    ],
)
def test_the_options_not_taken_are_counted_plainly(n_options, n_taken, said):
    assert _not_taken(n_options, n_taken) == said
