"""Whole-process benchmark of the graph model's outputs (run by hand, not in CI).

Times what a user waits for on the multilateral trade conflict (138,240 feasible
states, a gmcr-py save read from the shared data folder, never copied into the
repository): a fresh Python process that imports detente, reads the case, runs the
analysis and writes one output file. Three outputs, with the targets of issue #13:

- ``json``: the compact JSON (summary, every equilibrium by number, the status quo,
  proposals, the state graph's view, the records of the states around the status
  quo): under 5 s;
- ``json-all``: the JSON with a record for every state, streamed: under 20 s;
- ``parquet`` (and ``csv``): the stability tableau, one row per state: under 10 s.

Each output is timed over several runs (hyperfine-style: minimum and median), with
the child's peak resident memory (from ``wait4``) and the file's size::

    python benchmarks/gmcr_output.py                  # 5 runs of each output
    python benchmarks/gmcr_output.py --runs 3 --outputs json json-all
    python benchmarks/gmcr_output.py --cli            # time the detente command instead

By default each run is a small Python script calling the writers directly
(:func:`detente.gmcr.results.write_conflict_json`,
:func:`detente.gmcr.results.state_table_columns` and
:func:`detente.model.io.state_tables.write_state_table`); ``--cli`` runs
``detente stability`` with ``--format json``, ``--states all`` and ``--states-out``.
Parquet needs pyarrow (``pip install 'detente[parquet]'``); without it that output
is skipped with a message.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRADE = Path("/work/shared/data/gmcr/trade.gmcr")

TARGETS = {"json": 5.0, "json-all": 20.0, "parquet": 10.0, "csv": 10.0}
"""Seconds, whole process (issue #13); CSV is held to the Parquet target."""

SUFFIX = {"json": ".json", "json-all": ".json", "parquet": ".parquet", "csv": ".csv"}

CHILD = """
import sys
from detente.model.io import read
from detente.gmcr import analyze_conflict

output, case_file, out = sys.argv[1:4]
analysis = analyze_conflict(read(case_file))
if output in ("json", "json-all"):
    from detente.gmcr.results import write_conflict_json

    with open(out, "w", encoding="utf-8") as file:
        write_conflict_json(analysis, file, states="all" if output == "json-all" else "auto")
else:
    from detente.gmcr.results import state_table_columns
    from detente.model.io.state_tables import write_state_table

    write_state_table(state_table_columns(analysis.stability), out)
"""


def command(output: str, case_file: Path, out: Path, *, cli: bool) -> list[str]:
    """The child process's command line for one run."""
    if not cli:
        return [sys.executable, "-c", CHILD, output, str(case_file), str(out)]
    base = ["detente", "stability", str(case_file)]
    if output == "json":
        return [*base, "--format", "json"]
    if output == "json-all":
        return [*base, "--format", "json", "--states", "all"]
    return [*base, "--states-out", str(out)]


def run_once(output: str, case_file: Path, out: Path, *, cli: bool) -> tuple[float, int]:
    """Wall time of one whole process, and its peak resident memory in KB."""
    argv = command(output, case_file, out, cli=cli)
    to_file = cli and output.startswith("json")  # the command writes JSON to stdout
    with (
        out.open("w") if to_file else open(os.devnull, "w") as stdout,
        tempfile.TemporaryFile("w+") as stderr,
    ):
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            stderr.seek(0)
            raise RuntimeError(f"{' '.join(argv[:3])} ... failed:\n{stderr.read()[-2000:]}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each output (default 5)")
    parser.add_argument(
        "--outputs", nargs="+", choices=list(TARGETS), default=["json", "json-all", "parquet"]
    )
    parser.add_argument("--gmcr-file", type=Path, default=TRADE, help="the conflict to write")
    parser.add_argument("--cli", action="store_true", help="time the detente command itself")
    args = parser.parse_args()
    if not args.gmcr_file.exists():
        print(f"skipped: {args.gmcr_file} is not here (the shared data folder is absent)")
        return
    print(
        f"{args.gmcr_file}: {args.runs} runs each, whole process ({'CLI' if args.cli else 'API'})"
    )
    print(
        f"{'output':<10} {'min s':>7} {'median s':>9} {'target':>7} {'peak MB':>8} {'size MB':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="gmcr_output.") as tmp:
        for output in args.outputs:
            if output == "parquet" and importlib.util.find_spec("pyarrow") is None:
                print(f"{output:<10} skipped: needs pyarrow (pip install 'detente[parquet]')")
                continue
            out = Path(tmp) / f"{output}{SUFFIX[output]}"
            times, peaks = [], []
            for _ in range(args.runs):
                elapsed, peak = run_once(output, args.gmcr_file, out, cli=args.cli)
                times.append(elapsed)
                peaks.append(peak)
            best, median = min(times), statistics.median(times)
            target = TARGETS[output]
            peak_mb = f"{max(peaks) / 1024:8.0f}"
            size = out.stat().st_size / 1e6 if out.exists() else 0.0
            verdict = "ok" if median < target else "SLOW"
            print(
                f"{output:<10} {best:7.2f} {median:9.2f} {target:6.0f}s {peak_mb} {size:8.1f}"
                f"  {verdict}"
            )


if __name__ == "__main__":
    main()
