"""Every command's ``--help`` shows an example, and every example runs as written.

The commands are read from the typer app, so a new command is covered (and must carry
an example) without touching this file. Each example runs in-process through the real
entry point, from a scratch directory so that the files it writes land there; a path
in an example is read relative to the checkout, and an example whose input file is not
there is skipped with the file's name. ``detente serve`` is never started: only its
help is checked.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
import typer

from detente.cli import app
from tests.conftest import REPO

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]

# examples that take several seconds (Monte Carlo, coalitions, every scenario or engine)
SLOW = {"analyze", "wayout", "compare", "stability", "forecast", "bargain"}
# examples that must not be run (a web server does not end): their help renders and their
# arguments parse
NOT_RUN = {"serve"}

EXAMPLE = re.compile(r"^\s*Example:\s*(detente\b.*?)\s*$", re.M)
FAILURE = ("internal error", "Traceback")


def help_text(run_cli, monkeypatch, *command: str) -> str:
    monkeypatch.setenv("COLUMNS", "400")  # one example on one line, whatever its length
    monkeypatch.setenv("NO_COLOR", "1")
    result = run_cli(*command, "--help")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def example_of(run_cli, monkeypatch, command: str) -> str:
    found = EXAMPLE.findall(help_text(run_cli, monkeypatch, command))
    assert len(found) == 1, f"`detente {command} --help` shows {len(found)} examples, not one"
    return found[0]


def test_the_commands_are_found():
    assert {"analyze", "stability", "forecast", "serve"} <= set(COMMANDS)


def test_the_main_help_lists_every_command(run_cli, monkeypatch):
    text = help_text(run_cli, monkeypatch)
    for command in COMMANDS:
        assert re.search(rf"\b{re.escape(command)}\b", text), command


@pytest.mark.parametrize("command", COMMANDS)
def test_the_example_needs_nothing_outside_the_package(command, run_cli, monkeypatch):
    """A user who installed detente with `pip install .` has no data next to the checkout
    (issue #12): examples use built-in names (`korea`, `detente backtest example`)."""
    example = example_of(run_cli, monkeypatch, command)
    assert "../" not in example, f"`{example}` needs a file outside the package"


@pytest.mark.parametrize(
    "command",
    [pytest.param(c, marks=pytest.mark.slow) if c in SLOW else c for c in COMMANDS],
)
def test_the_help_example_runs(command, run_cli, monkeypatch, tmp_path):
    example = example_of(run_cli, monkeypatch, command)
    words = shlex.split(example)
    assert words[:2] == ["detente", command], f"the example of {command} runs another command"
    if command in NOT_RUN:  # its arguments are parsed, and the command is not called
        click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
        with click_command.make_context(command, words[2:]) as context:
            assert context.params, f"`{example}` has no arguments to check"
        return

    redirect = None
    if ">" in words:  # `detente schema > case.schema.json`
        at = words.index(">")
        words, redirect = words[:at], words[at + 1]
    args = []
    for word in words[1:]:
        if "/" in word and not word.startswith("-"):  # an input file, relative to the checkout
            if not (REPO / word).exists():
                pytest.skip(f"`{example}` needs {word}, which is not next to this checkout")
            word = str((REPO / word).resolve())
        args.append(word)

    monkeypatch.chdir(tmp_path)  # the files an example writes land here
    monkeypatch.setenv("COLUMNS", "120")
    result = run_cli(*args)
    output = result.stdout + result.stderr
    assert result.exit_code == 0, f"`{example}` exited with {result.exit_code}:\n{output}"
    for failure in FAILURE:
        assert failure not in output, f"`{example}`:\n{output}"

    if redirect:
        assert result.stdout.strip(), f"`{example}` printed nothing"
        if redirect.endswith(".json"):
            json.loads(result.stdout)
    elif command == "export" and "-o" in args:  # `-o FILE`: the file is the output
        written = tmp_path / args[args.index("-o") + 1]
        assert written.exists() and written.stat().st_size > 0, f"`{example}` wrote nothing"
    else:
        assert result.stdout.strip(), f"`{example}` printed nothing"


@pytest.mark.parametrize("command", COMMANDS)
def test_the_example_fits_one_line_at_80_columns(command, run_cli, monkeypatch):
    """The example is copied from its first line: at 80 columns it must not wrap."""
    example = example_of(run_cli, monkeypatch, command)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    result = run_cli(command, "--help")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    at = [k for k, line in enumerate(lines) if EXAMPLE.match(line)]
    assert len(at) == 1, f"`detente {command} --help` shows {len(at)} examples at 80 columns"
    line = lines[at[0]]
    assert len(line.rstrip()) <= 80, line
    assert EXAMPLE.match(line).group(1) == example, f"the example wraps at 80 columns: {line!r}"  # type: ignore[union-attr]
    following = lines[at[0] + 1] if at[0] + 1 < len(lines) else ""
    assert not following.strip(), f"the example goes on to a second line: {following!r}"
