"""The README's quick start works as written, its commands and its Python example run, and CI
runs exactly its test command."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_quick_start_is_two_commands():
    install, tests = blocks("console")[:2]
    assert install.strip() == "pip install . && detente analyze"
    assert tests.strip() == "bash scripts/test"


def test_ci_runs_exactly_the_readme_test_command():
    test_command = blocks("console")[1].strip()
    ci = (REPO / ".ci" / "run").read_text()
    commands = [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert commands == [test_command]


def test_the_main_job_of_the_quick_start_runs():
    detente = shutil.which("detente", path=str(Path(sys.executable).parent)) or shutil.which(
        "detente"
    )
    assert detente, "detente is not installed"
    result = subprocess.run([detente, "analyze"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "North Korea" in result.stdout


def test_the_python_example_runs():
    assert blocks("python"), "the README has no Python example"
    namespace: dict = {}
    for code in blocks("python"):  # the README's own examples, in order, as a user runs them
        exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["hanoi"].scenario_id == "eve_of_hanoi_2019"
    assert namespace["stable"], "the example finds no sequentially stable state"


def table_commands() -> list[str]:
    """The commands of the README's command table, as ``detente NAME``."""
    rows = re.findall(r"^\| `(detente [^`]*)` \|", README, flags=re.M)
    assert rows, "the README has no command table"
    return [" ".join(row.split()[:2]) for row in rows]


@pytest.mark.parametrize("command", table_commands())
def test_every_command_of_the_table_has_a_working_help(command, run_cli):
    result = run_cli(*command.split()[1:], "--help")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Example:" in result.stdout, f"`{command} --help` shows no example"


def test_the_table_lists_every_command():
    from detente.cli import app

    commands = {f"detente {name}" for name in typer.main.get_command(app).commands}  # type: ignore[attr-defined]
    assert set(table_commands()) == commands


def prose_commands() -> list[str]:
    """The commands the README's text cites with a built-in case (``detente validate korea``),
    outside the table: each is a claim a reader can run."""
    text = "\n".join(line for line in README.splitlines() if not line.startswith("|"))
    cited = re.findall(r"`(detente [a-z-]+ [^`]+)`", " ".join(text.split()))
    return [c for c in dict.fromkeys(cited) if not re.search(r"[A-Z]{2,}|\[", c)]


@pytest.mark.slow
@pytest.mark.parametrize("command", prose_commands())
def test_every_command_the_text_cites_runs(command, run_cli):
    result = run_cli(*shlex.split(command)[1:])
    output = result.stdout + result.stderr
    assert result.exit_code == 0, output
    assert "internal error" not in output and "Traceback" not in output, output


def test_the_case_file_example_is_valid(tmp_path):
    from detente.model.io import read

    path = tmp_path / "small.yaml"
    path.write_text(blocks("yaml")[0])
    case = read(path)
    assert case.actor_ids == ("USA", "PRK")


def test_the_docs_build_says_what_to_install_first():
    """`pip install .` brings no Sphinx: the README installs the extra that does, right
    before the build command, and that extra holds what docs/conf.py loads."""
    import tomllib

    block = next(b for b in blocks("console") if "sphinx" in b)
    lines = [line.strip() for line in block.strip().splitlines()]
    build = next(k for k, line in enumerate(lines) if line.startswith("python -m sphinx"))
    install = re.fullmatch(r"pip install '\.\[(\w+)\]'", lines[build - 1] if build else "")
    assert install, f"no `pip install '.[EXTRA]'` before the build: {lines}"
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    names = {re.split(r"[<>=\[ ]", requirement)[0].lower() for requirement in extras[install[1]]}
    assert {"sphinx", "myst-parser"} <= names, names
    conf = (REPO / "docs" / "conf.py").read_text()
    if "myst_parser" in conf:
        assert "myst-parser" in names
