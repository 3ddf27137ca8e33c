"""Error messages fit the terminal: wrapped at its width, later lines under the text
after the ``file:line:`` prefix, no word or number broken; in a file or a pipe each
message stays one line (to search with grep)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from detente.cli._output import prefix_width, wrapped
from detente.errors import Problem

BROKEN = """\
id: x
title: T
actors:
  - id: A
    name: A
    capability: -3
  - id: B
    name: B
    capability: 1
options:
  - id: o
    actor: Q
    description: an option controlled by nobody we know of, described at length so the line runs on
"""


def words(text: str) -> list[str]:
    return text.split()


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture
def terminal(monkeypatch):
    """Standard error taken for a terminal (rich's TTY_COMPATIBLE), without colours."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.parametrize("columns", [50, 80, 120])
def test_every_error_line_fits_and_keeps_its_words(
    run_cli, tmp_path, monkeypatch, terminal, columns
):
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.chdir(tmp_path)  # a short file name: its prefix is the hanging indent
    path = Path("broken.yaml")
    path.write_text(BROKEN)
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    lines = plain(result.stderr).splitlines()
    assert lines[0].endswith("errors:")
    entries: list[list[str]] = []
    for line in lines[1:]:
        assert len(line) <= columns or " " not in line.strip(), line
        if line.startswith(f"  {path}:"):
            entries.append([line])
        else:
            prefix = re.match(rf"  {re.escape(str(path))}:\d+: ", entries[-1][0])
            assert prefix, entries[-1][0]
            # a later line starts under the text that follows `file:line: `
            assert line.startswith(" " * len(prefix.group(0))), line
            assert not line[len(prefix.group(0))].isspace(), line
            entries[-1].append(line)
    assert len(entries) == 5
    joined = [" ".join(" ".join(entry).split()) for entry in entries]
    assert any("capability: must be greater than 0.0 (got -3)" in e for e in joined)
    assert any("missing required field 'controller'" in e for e in joined)
    if columns == 50:
        assert any(len(entry) > 1 for entry in entries), "nothing was wrapped at 50 columns"


def test_wrapping_never_breaks_a_word_or_a_number():
    text = "f.yaml:3: states: 1,024,000 states exceed the limit of 65,536 (set DETENTE_MAX_STATES)"
    problem = Problem("x", file="f.yaml", line=3)
    hang = prefix_width(problem)
    assert hang == len("f.yaml:3: ")
    out = wrapped(text, 30, indent=2, hang=hang)
    assert words(out) == words(text)
    lines = out.splitlines()
    assert lines[0].startswith("  f.yaml:3: ")
    assert all(line.startswith(" " * (2 + hang)) for line in lines[1:])
    assert "1,024,000" in out and "65,536" in out and "DETENTE_MAX_STATES)" in out


def test_a_long_file_name_gets_a_short_indent_and_a_line_break_is_kept():
    name = "/a/very/long/folder/name/that/takes/most/of/the/line/case.yaml:12: "
    out = wrapped(name + "what went wrong, told at some length\nand a hint", 60, hang=len(name))
    lines = out.splitlines()
    assert lines[0] == name.rstrip()
    assert lines[1].startswith("    what went wrong")
    assert lines[-1] == "    and a hint"


def test_a_problem_without_a_file_has_no_prefix():
    assert prefix_width(Problem("nothing to point at")) == 0


def test_in_a_file_or_a_pipe_each_error_is_one_line(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    Path("broken.yaml").write_text(BROKEN)
    lines = run_cli("validate", "broken.yaml").stderr.splitlines()
    assert lines[0] == "5 errors:"
    assert len(lines) == 6
    assert all(line.startswith("  broken.yaml:") for line in lines[1:])


def test_warnings_are_wrapped_too(run_cli, tmp_path, monkeypatch, terminal):
    import warnings

    from detente.cli import _show_warning

    monkeypatch.setenv("COLUMNS", "40")
    message = "a valid but suspicious input, explained in a sentence that runs past forty columns"
    _show_warning(UserWarning(message), UserWarning, "x.py", 1)
    err = plain(run_cli("--version").stderr)  # run_cli reads what was captured
    lines = err.splitlines()
    assert lines[0].startswith("warning: a valid")
    assert all(len(line) <= 40 for line in lines)
    assert all(line.startswith(" " * len("warning: ")) for line in lines[1:])
    assert words(err) == words("warning: " + message)
    warnings.resetwarnings()
