"""``detente --help`` from the registry, without typer or rich, and every ``--help`` at
80 columns: what the app has, laid out as typer lays it out, in words a user reads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from detente.cli import app
from detente.cli._commands import COMMANDS, OPTIONS, PANELS, main_help

GROUP = typer.main.get_command(app)
NAMES = list(GROUP.commands)  # type: ignore[attr-defined]


def typer_help(monkeypatch, capsys, *args: str, columns: int) -> str:
    """The help typer itself prints (not the fast path), at ``columns``."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    with pytest.raises(SystemExit) as ended:
        app([*args, "--help"], prog_name="detente")
    assert ended.value.code in (0, None)
    return capsys.readouterr().out


def test_the_registry_lists_the_apps_commands_with_their_panels_and_summaries():
    assert list(COMMANDS) == NAMES
    for name in NAMES:
        command = GROUP.commands[name]  # type: ignore[attr-defined]
        info = COMMANDS[name]
        assert command.rich_help_panel == PANELS[info.family], name
        assert command.short_help == info.summary, name
        assert command.help and info.summary, name
    # each family's module registers its own commands
    for name in NAMES:
        module = GROUP.commands[name].callback.__module__  # type: ignore[attr-defined]
        assert module == f"detente.cli.{COMMANDS[name].family}", name


def test_the_registry_lists_the_apps_own_options():
    options = [p for p in GROUP.get_params(typer.Context(GROUP)) if p.opts[0].startswith("--")]
    listed = {long: short for long, short, _ in OPTIONS}
    assert {p.opts[0] if p.opts[0].startswith("--") else p.opts[-1] for p in options} | {
        "--help"
    } >= set(listed)
    version = next(p for p in options if "--version" in p.opts)
    assert version.help == dict((o[0], o[2]) for o in OPTIONS)["--version"]


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_fast_help_is_the_help_typer_prints(monkeypatch, capsys, columns):
    assert main_help(width=columns, color=False) == typer_help(monkeypatch, capsys, columns=columns)


def test_the_fast_help_needs_neither_typer_nor_rich(tmp_path):
    script = (
        "import sys; sys.argv = ['detente', '--help']\n"
        "from detente.cli import main\n"
        "main()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'numpy'))\n"
        "sys.stderr.write(repr(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "PATH": "", "NO_COLOR": "1"},
        check=True,
    )
    assert done.stderr == "[]"
    assert "Usage: detente [OPTIONS] COMMAND [ARGS]..." in done.stdout
    for name, info in COMMANDS.items():
        assert re.search(rf"│ {re.escape(name)} +{re.escape(info.summary)}", done.stdout), name


def test_the_fast_help_answers_h_too(run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    assert run_cli("-h").stdout == run_cli("--help").stdout == main_help(width=80, color=False)


def test_colours_only_on_request(monkeypatch):
    coloured = main_help(width=80, color=True)
    assert "\x1b[" in coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert plain == main_help(width=80, color=False)


# -- every --help at 80 columns ---------------------------------------------------------
TYPE_NAMES = re.compile(r"<(bool|str|int|float|list|int range|float range)[^>]*>|\{[A-Za-z_]+\}")


@pytest.mark.parametrize("command", NAMES)
def test_every_help_reads_well_at_80_columns(monkeypatch, capsys, command):
    text = typer_help(monkeypatch, capsys, command, columns=80)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "…" not in text, "a word or a list of choices is cut off"
    assert not TYPE_NAMES.search(text), TYPE_NAMES.search(text)
    words = set(re.findall(r"[\w-]+", text))
    click_command = GROUP.commands[command]  # type: ignore[attr-defined]
    for param in click_command.params:
        desc = param.type_descriptor
        for choice in (desc.choices or ()) if desc.is_choice else ():
            value = getattr(choice, "value", choice)
            assert value in words, (
                f"{command} {param.opts}: the choice {value!r} is not shown whole"
            )
        if param.param_type_name == "argument":
            assert param.name.upper() in text.splitlines()[1], "the usage line names the argument"


def test_a_flag_shows_no_type_and_a_value_says_what_it_is(monkeypatch, capsys):
    text = typer_help(monkeypatch, capsys, "stability", columns=80)
    coalitions = next(line for line in text.splitlines() if line.startswith("│ --coalitions"))
    assert re.search(r"--coalitions\s+Also analyse", coalitions), coalitions
    assert re.search(r"--horizon\s+INTEGER \[x>=1\]", text)
    assert re.search(r"--scenario\s+-s\s+ID\s", text)
    text = typer_help(monkeypatch, capsys, "backtest", columns=80)
    assert "Usage: detente backtest [OPTIONS] STANCES" in text
    assert re.search(r"--scale\s+LO HI", text)


def test_the_backtest_help_says_what_its_tables_hold_and_where_they_come_from(
    monkeypatch, capsys, run_cli, tmp_path
):
    text = " ".join(typer_help(monkeypatch, capsys, "backtest", columns=80).split())
    assert "DEU" in text and "doi:10.34810/data53" in text, "where such tables come from"
    assert "ships no such data" in text
    stance_header = re.search(r"header (issue,actor,capability,position,salience)", text)
    stance_row = re.search(r"\(e\.g\. (\S+): positions", text)
    outcome_header = re.search(r"--outcomes is a CSV table (issue,outcome) ", text)
    outcome_row = re.search(r"\(e\.g\. (\S+): the decision recorded", text)
    assert stance_header and stance_row and outcome_header and outcome_row, text
    # tables written as the help says are read and backtested
    issue = stance_row.group(1).split(",")[0]
    stances = [stance_header.group(1), stance_row.group(1), f"{issue},XX,1,90,0.5"]
    (tmp_path / "stances.csv").write_text("\n".join(stances) + "\n")
    lines = [outcome_header.group(1), outcome_row.group(1)]
    (tmp_path / "outcomes.csv").write_text("\n".join(lines) + "\n")
    result = run_cli(
        "backtest",
        str(tmp_path / "stances.csv"),
        "--outcomes",
        str(tmp_path / "outcomes.csv"),
        "--model",
        "mean",
        "--bootstrap",
        "100",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert '"mean"' in result.stdout or '"compromise"' in result.stdout


def test_the_fast_help_follows_terminal_width_as_typer_does():
    env = {"TERMINAL_WIDTH": "70", "NO_COLOR": "1", "PATH": ""}

    script = Path(sys.executable).with_name("detente")  # typer names the program by it
    if not script.exists():
        pytest.skip("no detente script beside this Python")

    def run(*args: str) -> str:
        done = subprocess.run([str(script), *args], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    fast = run("--help")
    assert fast == run("--help", "--version")  # the same help, from typer (--help is eager)
    assert max(len(line) for line in fast.splitlines()) == 70
