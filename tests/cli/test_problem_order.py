"""``detente validate`` lists a file's problems in line order."""

from __future__ import annotations

import pytest

import detente.cli.cases
from detente.errors import CaseError, Problem


@pytest.fixture
def problems_out_of_order(monkeypatch):
    found = [
        Problem("twelve", file="case.yaml", line=12, path=("a",)),
        Problem("elsewhere", file="data.csv", line=3),
        Problem("eight", file="case.yaml", line=8, path=("b",)),
        Problem("no line", file="case.yaml"),
        Problem("eight again", file="case.yaml", line=8, column=2, path=("c",)),
        Problem("first of data", file="data.csv", line=2),
    ]

    def load_case(*args, **kwargs):
        raise CaseError(found)

    monkeypatch.setattr(detente.cli.cases, "load_case", load_case)


def test_problems_are_listed_by_file_then_line(run_cli, problems_out_of_order):
    out = run_cli("validate", "case.yaml")
    assert out.exit_code == 2
    messages = [line.rsplit(": ", 1)[-1] for line in out.stderr.splitlines()[1:]]
    assert messages == [
        "eight",
        "eight again",
        "twelve",
        "no line",
        "first of data",
        "elsewhere",
    ]
