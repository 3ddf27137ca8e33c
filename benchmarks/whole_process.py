"""Whole-process benchmark of the detente command (run by hand, not in CI).

Times what a user waits for: a fresh process that starts Python, imports what the
command needs, reads the case, does the work and writes its output (standard output
goes to a file, as a user's redirection would). Hyperfine-style: each command runs
once or more to warm the disk cache, then several timed runs; the table gives the
minimum and median wall time, the median CPU time (user + system of the command and
every process it started, Monte Carlo workers included: steadier than wall time on a
busy machine, and above it when the work runs in parallel), the peak resident memory
(from ``wait4``: the largest process of the command's tree) and the size of what it
wrote (the last run's), next to the target of issue #13 where the issue gives one::

    python benchmarks/whole_process.py                      # every command, 5 runs each
    python benchmarks/whole_process.py --runs 3 --commands version typer analyze
    python benchmarks/whole_process.py --markdown           # the table for the README
    python benchmarks/whole_process.py --list               # the commands and their targets

A target relative to ``python -c "import typer"`` (the yardstick: what any Typer
command pays before doing anything) is judged as farm-bench's ``--vs`` does: each run
of the command follows one of the yardstick, and the table gives the median of the
ratios, run by run, which holds when the machine's load drifts.

``python`` is this interpreter and ``detente`` the script installed beside it, run
directly, so that a version manager's shim (pyenv's adds about 0.1 s of wall time to
every command, to detente and the yardstick alike) is not counted. The trade conflict (a gmcr-py save with 138,240 feasible states,
read from the shared data folder, never copied into the repository) is looked for at
``../shared/data/gmcr/trade.gmcr`` beside the checkout, then at
``/work/shared/data/gmcr/trade.gmcr``; without it its command is skipped with a
message. ``benchmarks/gmcr_output.py`` times that conflict's other outputs, and
``benchmarks/vs_gmcr_py.py`` compares detente with gmcr-py.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
TRADE_PLACES = (
    CHECKOUT.parent / "shared" / "data" / "gmcr" / "trade.gmcr",
    Path("/work/shared/data/gmcr/trade.gmcr"),
)


@dataclass(frozen=True)
class Command:
    """One command line to time, with the target issue #13 sets for it.

    ``argv`` may name ``{python}``, ``{detente}``, ``{out}`` (a file in a fresh
    temporary folder) and ``{trade}`` (the trade conflict). ``target`` is in seconds;
    ``relative`` is a multiple of the yardstick's median; ``note`` says where the
    target comes from.
    """

    key: str
    argv: tuple[str, ...]
    target: float | None = None
    relative: float | None = None
    note: str = ""

    @property
    def label(self) -> str:
        """The command as a user would type it."""
        if self.key == "typer-app":
            return "python -c TYPER_APP --version"
        words = [
            "python" if word == "{python}" else "detente" if word == "{detente}" else word
            for word in self.argv
        ]
        shown = " ".join(f'"{w}"' if " " in w else w for w in words)
        return shown.replace("{out}", "OUT").replace("{trade}", "trade.gmcr")

    def target_text(self) -> str:
        """The target as the table shows it."""
        if self.relative is not None:
            return f"< {self.relative:g}x typer"
        if self.target is not None:
            return f"< {self.target:g} s"
        return ""


YARDSTICK = "typer"
TYPER_APP = """import typer
app = typer.Typer()
@app.command()
def main(version: bool = typer.Option(False, "--version")) -> None:
    print("0")
app()
"""
"""The least a Typer command can do: one option, parsed (typer builds a pydantic
adapter per parameter, so this imports pydantic, which ``import typer`` does not)."""

COMMANDS = (
    Command("version", ("{detente}", "--version"), relative=1.5),
    Command(YARDSTICK, ("{python}", "-c", "import typer"), note="the yardstick"),
    Command(
        "typer-app",
        ("{python}", "-c", TYPER_APP, "--version"),
        note="floor: a one-option Typer app",
    ),
    Command("help", ("{detente}", "--help"), relative=1.5),
    Command("cases", ("{detente}", "cases"), relative=2.0),
    Command("validate", ("{detente}", "validate", "korea")),
    Command("analyze", ("{detente}", "analyze", "korea"), target=1.0),
    Command(
        "analyze-html",
        ("{detente}", "analyze", "korea", "--html", "{out}"),
        target=1.5,
        note="analyze korea, plus 0.5 s for the HTML report",
    ),
    Command(
        "trade-json",
        ("{detente}", "stability", "{trade}", "--format", "json"),
        target=5.0,
        note="138,240 states, output included",
    ),
    Command("forecast-mc", ("{detente}", "forecast", "korea", "--samples", "1000"), target=10.0),
    Command("bargain-mc", ("{detente}", "bargain", "korea", "--samples", "1000"), target=10.0),
)
BY_KEY = {command.key: command for command in COMMANDS}


@dataclass
class Timing:
    """What the runs of one command measured; ``ratios`` are its wall times over the
    yardstick's, run by run, for a command with a relative target."""

    wall: list[float]
    cpu: list[float]
    peak_kb: int
    out_bytes: int
    ratios: list[float]


class CommandFailed(RuntimeError):
    """The command exited with a non-zero status."""


def executables() -> dict[str, str]:
    """Where ``python`` and ``detente`` are, for the ``{python}`` and ``{detente}`` marks."""
    beside = Path(sys.executable).with_name("detente")
    detente = str(beside) if beside.exists() else shutil.which("detente")
    if detente is None:
        sys.exit("cannot find the detente command (pip install -e . first)")
    return {"python": sys.executable, "detente": detente}


def trade_places(explicit: Path | None) -> list[Path]:
    """Where to look for the trade conflict's save file, in order."""
    return [explicit] if explicit else list(dict.fromkeys(TRADE_PLACES))


def adopt_orphans() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux).

    A command's worker processes may outlive their parent's wait: multiprocessing's
    fork server, for one, is never waited for, so the CPU time of the Monte Carlo
    workers it reaps would be lost. As a "child subreaper", this process inherits
    such orphans, waits for them and adds their resource use to the command's.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    pr_set_child_subreaper = 36
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0) == 0


def reap_orphans(*, patience: float = 5.0) -> tuple[float, int]:
    """CPU time and peak RSS of the orphans left by the command that just ended."""
    cpu, peak = 0.0, 0
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break  # none left
        if pid == 0:
            time.sleep(0.01)  # some still running (a fork server shutting down)
            continue
        cpu += usage.ru_utime + usage.ru_stime
        peak = max(peak, usage.ru_maxrss)
    return cpu, peak


def run_once(argv: list[str], workdir: Path) -> tuple[float, float, int, int]:
    """Wall time, CPU time (s), peak RSS (KB) and bytes written by one whole process.

    Standard output goes to a file (as ``> file`` would), standard error to another
    that is shown when the command fails. The wall time ends when the command exits.
    ``os.wait4`` gives the command's resource use, its own children included once it
    has waited for them; orphans (see :func:`adopt_orphans`) are added after.
    """
    out = workdir / "stdout"
    err = workdir / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
    orphans_cpu, orphans_peak = reap_orphans()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        lines = err.read_text(errors="replace").strip().splitlines() or ["(no message)"]
        raise CommandFailed(f"exit {child.returncode}: {lines[-1][:200]}")
    written = sum(path.stat().st_size for path in workdir.iterdir() if path.name != "stderr")
    cpu = usage.ru_utime + usage.ru_stime + orphans_cpu
    return elapsed, cpu, max(usage.ru_maxrss, orphans_peak), written


def run_in_tmp(command: Command, marks: dict[str, str]) -> tuple[float, float, int, int]:
    """One run of ``command`` in a fresh temporary folder (where ``{out}`` goes)."""
    with tempfile.TemporaryDirectory(prefix="whole_process.") as tmp:
        workdir = Path(tmp)
        argv = [
            word.format(**marks, out=workdir / "out.html") if "{" in word else word
            for word in command.argv
        ]
        return run_once(argv, workdir)


def measure(
    command: Command, marks: dict[str, str], *, runs: int, warmup: int, versus: Command | None
) -> Timing:
    """Warm-up runs, then ``runs`` timed runs. With ``versus`` (the yardstick), each run
    of the command follows one of the yardstick, as farm-bench's ``--vs`` does, so that
    the ratio holds when the machine's load drifts."""
    timing = Timing([], [], 0, 0, [])
    for index in range(warmup + runs):
        base = run_in_tmp(versus, marks)[0] if versus is not None else None
        elapsed, seconds, peak_kb, out_bytes = run_in_tmp(command, marks)
        if index >= warmup:
            timing.wall.append(elapsed)
            timing.cpu.append(seconds)
            timing.peak_kb = max(timing.peak_kb, peak_kb)
            timing.out_bytes = out_bytes  # the last run's
            if base is not None:
                timing.ratios.append(elapsed / base)
    return timing


def size_text(n_bytes: int) -> str:
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1e6:.1f} MB"
    if n_bytes >= 1_000:
        return f"{n_bytes / 1e3:.0f} KB"
    return f"{n_bytes} B"


HEADER = ("command", "min s", "median s", "CPU s", "target", "met", "peak RSS", "output")


def row(command: Command, timing: Timing) -> tuple[str, ...]:
    median = statistics.median(timing.wall)
    target = command.target_text() or command.note
    verdict = ""
    if command.relative is not None and timing.ratios:
        ratio = statistics.median(timing.ratios)
        target = f"{target}: {ratio:.1f}x"
        verdict = "ok" if ratio < command.relative else "SLOW"
    elif command.target is not None:
        verdict = "ok" if median < command.target else "SLOW"
    return (
        command.label,
        f"{min(timing.wall):.2f}",
        f"{median:.2f}",
        f"{statistics.median(timing.cpu):.2f}",
        target,
        verdict,
        f"{timing.peak_kb / 1024:.0f} MiB",
        size_text(timing.out_bytes),
    )


def print_row(cells: tuple[str, ...], widths: list[int], *, markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(cells) + " |")
        return
    first, *rest = cells
    print(
        f"{first:<{widths[0]}}  "
        + "  ".join(f"{c:>{w}}" for c, w in zip(rest, widths[1:], strict=True))
    )


def with_bytecode() -> str | None:
    """Let the timed commands read compiled bytecode, as an installed detente does (pip
    compiles it at install time): where ``PYTHONDONTWRITEBYTECODE`` is set (as in some
    sandboxes), every run would compile every module of detente again, about 0.1 s of
    CPU that no user pays. The bytecode then goes to a temporary folder
    (``PYTHONPYCACHEPREFIX``), written by the warm-up runs, never into the checkout.
    Returns that folder, or None when nothing needed changing."""
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return None
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    if not os.environ.get("PYTHONPYCACHEPREFIX"):
        os.environ["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="whole_process.pycache.")
    return os.environ["PYTHONPYCACHEPREFIX"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--commands",
        nargs="+",
        metavar="KEY",
        choices=list(BY_KEY),
        default=list(BY_KEY),
        help="which commands to time (see --list; default: all)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--list", action="store_true", help="list the commands and exit")
    parser.add_argument("--trade", type=Path, help="the trade conflict's save file")
    args = parser.parse_args()
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")

    if args.list:
        for command in COMMANDS:
            target = command.target_text() or command.note
            print(f"{command.key:<13} {command.label:<50} {target}")
        return

    adopt_orphans()
    cache = with_bytecode()
    if cache is not None:
        print(f"PYTHONDONTWRITEBYTECODE unset for the commands; their bytecode goes to {cache}")
    marks = executables()
    places = trade_places(args.trade)
    trade = next((place for place in places if place.exists()), None)
    if trade is not None:
        marks["trade"] = str(trade)
    selected = [BY_KEY[key] for key in args.commands]
    selected.sort(key=lambda c: c.key not in (YARDSTICK, "typer-app"))  # yardsticks first

    print(
        f"{len(selected)} commands, {args.warmup} warm-up + {args.runs} timed runs each;"
        f" Python {platform.python_version()}, {os.cpu_count()} CPUs,"
        f" load average {os.getloadavg()[0]:.1f}; detente = {marks['detente']}"
    )
    widths = [max(len(c.label) for c in selected), 6, 8, 6, 30, 4, 8, 8]
    if args.markdown:
        print()
        print_row(HEADER, widths, markdown=True)
        print("|" + "|".join([":---", *["---:"] * 3, ":---", ":---", "---:", "---:"]) + "|")
    else:
        print_row(HEADER, widths, markdown=False)
    for command in selected:
        if "{trade}" in command.argv and trade is None:
            tried = " or ".join(str(place) for place in places)
            print(f"{command.label}: skipped, the trade conflict is not here ({tried})")
            continue
        try:
            timing = measure(
                command,
                marks,
                runs=args.runs,
                warmup=args.warmup,
                versus=BY_KEY[YARDSTICK] if command.relative else None,
            )
        except CommandFailed as failure:
            print(f"{command.label}: failed, {failure}")
            continue
        print_row(row(command, timing), widths, markdown=args.markdown)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
