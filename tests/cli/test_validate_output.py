"""`detente validate` on a built-in case: its findings' locations name the case's file
by its short name, not its path inside the installed package, and the heading of the
findings wraps with a hanging indent."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("columns", [50, 80, 120])
def test_a_built_in_case_is_located_by_its_file_name(run_cli, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    result = run_cli("validate", "korea", "--scenario", "eve_of_hanoi_2019")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    located = [line for line in lines if re.match(r"  \S+\.yaml:\d+: ", line)]
    assert located, result.stdout
    for line in located:
        assert line.startswith("  korea.yaml:"), line
        assert "site-packages" not in line and "/" not in line.split(":")[0], line
        if columns >= 80:
            assert len(line) <= columns, line
    # the heading: its later lines hang two columns in, not under its parenthesis
    at = next(k for k, line in enumerate(lines) if "consistency finding" in line)
    heading = [lines[at]]
    for line in lines[at + 1 :]:
        if line.startswith("  korea.yaml:"):
            break
        heading.append(line)
    assert heading[-1].endswith(":"), heading
    for line in heading[1:]:
        assert re.match(r"  \S", line), heading
    if columns >= 80:
        assert len(heading) == 1, heading


def test_the_analysis_report_locates_a_built_in_case_by_its_file_name():
    import detente
    from detente.analysis import analyze
    from detente.report import analysis_report

    report = analysis_report(analyze(detente.load("korea", scenario="eve_of_hanoi_2019")))
    (consistency,) = [s for s in report.sections if s.key == "consistency"]
    assert any("[korea.yaml:" in f for f in consistency.findings), consistency.findings
    assert not any("/cases/korea.yaml" in f for f in consistency.findings)


def test_a_user_file_keeps_its_path():
    from detente.report.text import short_location

    assert short_location("cases/mine.yaml:3: actors") == "cases/mine.yaml:3: actors"
