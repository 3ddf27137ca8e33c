"""Shared fixtures: a small valid case as text, and a runner for the real command."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: no per-example deadline (CI machines are shared and slow at times);
# on CI the examples are derandomised so that a run is repeatable.
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", parent=settings.get_profile("dev"), derandomize=True, print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

SMALL_CASE = """\
id: small
title: A small test case
sources:
  - id: s1
    title: A source
actors:
  - id: US
    name: United States
    capability: 100
    sources: [s1]
  - id: NK
    name: North Korea
    capability: 50
options:
  - id: freeze
    label: Freeze testing
    controller: NK
  - id: dismantle
    label: Dismantle Yongbyon
    controller: NK
  - id: relief
    label: Partial sanctions relief
    controller: US
constraints:
  - require: dismantle implies freeze
status_quo: []
preferences:
  US:
    statements: [freeze, dismantle, not relief]
  NK:
    statements: [relief, not dismantle, "freeze iff relief"]
issues:
  - id: denuc
    name: Denuclearisation
    positions:
      US: {position: 90, salience: 80}
      NK: {position: 10, salience: 100}
scenarios:
  - id: thaw
    name: A thaw
    status_quo: [freeze]
"""


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run ``detente ARGS`` in-process through the real entry point (errors and exit codes included)."""
    from detente.cli import main

    def run(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["detente", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def small_case_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL_CASE)
    return path
