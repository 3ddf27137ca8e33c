"""Long work: Ctrl-C in the middle of it (exit code 130, no traceback, no half-written
file, no worker process left behind), and work too big refused before it starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def interrupt(
    args: list[str], *, after: float, cwd: Path, workers: bool = False
) -> tuple[int, str, set[int]]:
    """Run ``detente ARGS``, send SIGINT after ``after`` seconds; exit code, standard
    error, and the children it had just before the signal."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # wait until the command has worked ``after`` seconds of CPU (on a loaded machine the
    # wall clock says little about whether it is past its start-up), else of wall time
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if sys.platform != "linux":
            time.sleep(after)
            break
        if cpu_seconds(proc.pid) >= after and (not workers or len(children(proc.pid)) > 1):
            break
        time.sleep(0.05)
    before = children(proc.pid) if sys.platform == "linux" else set()
    assert proc.poll() is None, "the command ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("the command did not stop within 30 s of Ctrl-C")
    return proc.returncode, err, before


@pytest.mark.slow
def test_ctrl_c_during_an_analysis_exits_130_without_a_traceback(tmp_path):
    code, err, _ = interrupt(["compare", "korea", "--format", "json"], after=1.5, cwd=tmp_path)
    assert code == 130, err
    assert "Traceback" not in err and "internal error" not in err


def test_ctrl_c_while_writing_a_report_leaves_the_old_file_and_no_partial(tmp_path, monkeypatch):
    from detente.cli._output import write_file

    target = tmp_path / "report.html"
    target.write_text("the report of yesterday")

    def interrupted(self, *args, **kwargs):
        with Path.open(self, "w") as half:
            half.write("<html>half of it")
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_file(str(target), "<html>the whole new report</html>")
    monkeypatch.undo()
    assert target.read_text() == "the report of yesterday"
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads child processes from /proc")
def test_ctrl_c_stops_the_sampling_workers(tmp_path):
    code, err, before = interrupt(
        ["bargain", "korea", "--samples", "100000", "--seed", "1"],
        after=1.0,
        cwd=tmp_path,
        workers=True,
    )
    assert code == 130, err
    assert "Traceback" not in err
    assert before, "no worker process was running when Ctrl-C came"
    time.sleep(1.0)
    alive = {pid for pid in before if Path(f"/proc/{pid}").exists()}
    for pid in alive:  # a zombie is reaped; a live worker is a leak
        state = (Path(f"/proc/{pid}") / "stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state == "Z", f"worker {pid} still runs after Ctrl-C"


@pytest.mark.parametrize("command", ["forecast", "bargain"])
def test_more_samples_than_the_limit_are_refused_before_the_work(run_cli, command):
    result = run_cli(command, "korea", "--samples", "2000000")
    assert result.exit_code == 2
    assert "--samples" in result.stderr and "DETENTE_MAX_SAMPLES" in result.stderr


def test_the_engines_refuse_too_many_samples_too(monkeypatch):
    from detente.errors import CaseError
    from detente.model.limits import refresh_limits
    from detente.parallel import map_samples

    monkeypatch.setenv("DETENTE_MAX_SAMPLES", "10")
    refresh_limits()
    try:
        with pytest.raises(CaseError, match="above the limit of 10"):
            map_samples(lambda idx, seed: idx, 11, seed=0, workers=1)
    finally:
        monkeypatch.delenv("DETENTE_MAX_SAMPLES")
        refresh_limits()
