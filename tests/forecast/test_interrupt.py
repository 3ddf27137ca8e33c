"""Ctrl-C during a long forecast (issue #11): the command stops at once, prints no
traceback, exits non-zero and leaves no partial output file and no worker behind.

Each test starts ``detente`` in a subprocess with Ctrl-C at its default (a shell's
background job would inherit it ignored), waits until it has used a second of
processor time (so it has read the case and started the work), then sends SIGINT.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "deu"


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _work(pid: int) -> float:
    """Processor seconds of ``pid`` and of the workers it started."""
    total = 0.0
    for p in {pid, *_descendants(pid)}:
        with contextlib.suppress(OSError):  # a process that has just ended
            total += _cpu_seconds(p)
    return total


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {p for p, pp in parents.items() if pp == parent} - found
        found |= kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def interrupted(*args: str, cpu: float = 1.0, processes: int = 0, limit: float = 60.0):
    """Run ``detente ARGS``, send SIGINT once it has used ``cpu`` seconds of processor
    time and started ``processes`` processes (its workers, with the process server and
    resource tracker that start them); return the process, its standard error and how
    long it took to stop."""
    command = shutil.which("detente")
    assert command, "the detente command is installed"
    env = dict(os.environ, DETENTE_MAX_SECONDS="100000")
    child = subprocess.Popen(
        [command, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    start = time.monotonic()
    while child.poll() is None and (
        _work(child.pid) < cpu or len(_descendants(child.pid)) < processes
    ):
        assert time.monotonic() - start < limit, "the command never started working"
        time.sleep(0.05)
    assert child.poll() is None, "the command ended before it could be interrupted"
    workers = _descendants(child.pid)
    child.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, err = child.communicate(timeout=30)
    took = time.monotonic() - sent
    time.sleep(0.5)
    assert not [p for p in workers if _alive(p)], "a worker outlived the command"
    return child, err.decode(errors="replace"), took


def test_ctrl_c_stops_a_long_monte_carlo_forecast_at_once():
    child, err, took = interrupted("forecast", "korea", "--samples", "100000")
    assert child.returncode == 130
    assert took < 5
    assert "Traceback" not in err


@pytest.mark.slow
@pytest.mark.skipif(not DATA.is_dir(), reason="the DEU III tables are not here")
def test_ctrl_c_stops_the_backtest_workers_and_writes_no_report(tmp_path):
    """The first chunk of samples runs in the command's own process; the rest on two
    worker processes, which Ctrl-C must end too."""
    out = tmp_path / "backtest.html"
    child, err, took = interrupted(
        "backtest",
        str(DATA / "deu3-dev-stances.csv"),
        "--outcomes",
        str(DATA / "deu3-dev-outcomes.csv"),
        "--model",
        "mean",
        "--samples",
        "8000",
        "--workers",
        "2",
        "--html",
        str(out),
        processes=4,  # the two workers are running
    )
    assert child.returncode == 130
    assert took < 10
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no report, no .partial file
