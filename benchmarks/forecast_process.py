"""Whole-process benchmark of forecasting and bargaining (run by hand, not in CI).

Times what a user waits for, start-up, reading and writing included, for the runs
issue #13 names: ``detente forecast korea``, the forecast and bargaining Monte Carlo
of the built-in case (1,000 samples each) and the expected utility model on a
1,000-actor, 10-round plain CSV (random and seeded: capability in [0.1, 1],
positions on 0..100, saliences in [0.1, 1]; written to a temporary folder). Each
command runs once to warm the disk cache, then several timed runs; the table gives
the minimum and median wall time and the median CPU time (user + system of the
command's process and the children it waited for)::

    python benchmarks/forecast_process.py                  # every run, 5 timed runs each
    python benchmarks/forecast_process.py --runs 3 --only eum-csv forecast-mc
    python benchmarks/forecast_process.py --src ../other/src   # another checkout's code

The children run with ``PYTHONDONTWRITEBYTECODE`` unset, so that the warm-up run
caches the bytecode as an installed package has it (with it set, each run compiles
the changed modules again, about 0.1 s). Wall times depend on the machine's load (the
expected utility model shares one large table's tiles among up to four threads);
the CPU column is steadier.

``--src`` puts a folder first on the children's ``PYTHONPATH``, so that the same
runs time another version of detente (an older checkout's ``src``) for a before and
after. ``benchmarks/forecast_scale.py`` times the engines alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

EUM_CSV = ("forecast", "{csv}", "--scale", "0", "100", "--model", "eum", "--rounds", "10")
#: name -> (arguments of ``detente``, target in seconds from issue #13 or None)
RUNS: dict[str, tuple[tuple[str, ...], float | None]] = {
    "forecast": (("forecast", "korea"), None),
    "forecast-mc": (("forecast", "korea", "--samples", "1000"), 10.0),
    "bargain-mc": (("bargain", "korea", "--samples", "1000"), 10.0),
    "eum-csv": (EUM_CSV, 1.0),
    "eum-csv-json": ((*EUM_CSV, "--format", "json"), 1.0),
}


def write_actors(path: Path, n: int = 1000, seed: int = 1000) -> None:
    """A plain actor table of ``n`` random actors (the format of ``parse_actor_csv``)."""
    rng = np.random.default_rng(seed)
    c, x, s = rng.uniform(0.1, 1, n), rng.uniform(0, 100, n), rng.uniform(0.1, 1, n)
    rows = [f"a{i},{c[i]:.6g},{x[i]:.6g},{s[i]:.6g}" for i in range(n)]
    path.write_text("actor,capability,position,salience\n" + "\n".join(rows) + "\n")


def run_once(argv: list[str], env: dict[str, str], out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process, its standard output to a file."""
    with out.open("wb") as stdout:
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE, env=env
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        message = child.stderr.read().decode(errors="replace") if child.stderr else ""
        sys.exit(f"{' '.join(argv)} failed: {message.strip()[-300:]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--only", nargs="+", choices=list(RUNS), default=list(RUNS))
    parser.add_argument("--src", type=Path, help="run the detente found in this folder")
    args = parser.parse_args()
    detente = Path(sys.executable).with_name("detente")
    env = dict(os.environ, DETENTE_MAX_ACTORS="5000")
    # an installed detente has its bytecode cached; without the cache every run would
    # compile the modules again (about 0.1 s), so the warm-up run must be able to write it
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(args.src.resolve()), env.get("PYTHONPATH", "")])
    print(f"{args.runs} timed runs each (after 1 warm-up); load {os.getloadavg()[0]:.1f}")
    print(f"{'run':<14} {'min s':>7} {'median s':>9} {'CPU s':>7}  target")
    with tempfile.TemporaryDirectory(prefix="forecast_process.") as tmp:
        csv = Path(tmp) / "actors1000.csv"
        write_actors(csv)
        for name in args.only:
            words, target = RUNS[name]
            argv = [str(detente), *(w.format(csv=csv) for w in words)]
            timings = [run_once(argv, env, Path(tmp) / "out") for _ in range(1 + args.runs)][1:]
            wall = [w for w, _ in timings]
            cpu = statistics.median(c for _, c in timings)
            mark = "" if target is None else f"< {target:g} s"
            print(
                f"{name:<14} {min(wall):7.2f} {statistics.median(wall):9.2f} {cpu:7.2f}  {mark}",
                flush=True,
            )


if __name__ == "__main__":
    main()
