"""The README's quick start works as written, and CI runs exactly its test command."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

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
    code = blocks("python")[0]
    namespace: dict = {}
    exec(
        compile(code, "README.md", "exec"), namespace
    )  # the README's own example, as a user would run it
    assert namespace["hanoi"].scenario_id == "eve_of_hanoi_2019"


def test_the_case_file_example_is_valid(tmp_path):
    from detente.model.io import read

    path = tmp_path / "small.yaml"
    path.write_text(blocks("yaml")[0])
    case = read(path)
    assert case.actor_ids == ("USA", "PRK")
