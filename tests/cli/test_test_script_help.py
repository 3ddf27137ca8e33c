"""``bash scripts/test --help`` prints the script's usage and installs nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_the_usage_before_installing_anything(tmp_path, flag):
    # a copy whose install step stops the script: --help must never reach it
    text = SCRIPT.read_text(encoding="utf-8")
    assert "\npython -m pip install" in text
    copy = tmp_path / "scripts" / "test"
    copy.parent.mkdir()
    copy.write_text(
        text.replace("\npython -m pip install", "\necho INSTALLING; exit 9 #"), encoding="utf-8"
    )
    out = subprocess.run(
        ["bash", str(copy), "tests/cli", flag], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "INSTALLING" not in out.stdout
    assert out.stdout.startswith("Install what the tests need")
    assert "Usage: bash scripts/test [--browser] [pytest arguments]" in out.stdout
    assert "--browser" in out.stdout and "#" not in out.stdout.splitlines()[0]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_help_fits_80_columns_and_says_what_it_installs_where():
    out = subprocess.run(
        ["bash", str(SCRIPT), "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stdout + out.stderr
    wide = [line for line in out.stdout.splitlines() if len(line) > 80]
    assert not wide, f"{len(wide)} help lines wider than 80 characters, e.g. {wide[0]!r}"
    text = " ".join(out.stdout.split())
    for claim in ("from this checkout", "editable", "test extras", "active Python environment"):
        assert claim in text, f"the help does not say {claim!r}"
