"""Whole-process benchmark of the backtest on the DEU III development half (by hand, not in CI).

Runs ``detente backtest STANCES --outcomes OUTCOMES --format json`` as a user does (a
new Python process: start-up, reading both tables, every model on every issue, the
bootstrap, writing the JSON), several times, and prints the median time together with
each model's mean absolute error and its difference from the compromise model, so that
the figures in docs/methods/forecast.md can be reproduced::

    python benchmarks/backtest.py                    # ../shared/data/deu, 3 runs
    python benchmarks/backtest.py --runs 1 --data path/to/deu

The target of issue #14: 155 issues with every model in under 60 seconds on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(HERE.parent.parent / "shared" / "data" / "deu"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = Path(args.data)
    stances, outcomes = data / "deu3-dev-stances.csv", data / "deu3-dev-outcomes.csv"
    if not stances.exists():
        sys.exit(f"no DEU tables in {data}: pass --data DIR")
    command = [sys.executable, "-m", "detente", "backtest", str(stances)]
    command += ["--outcomes", str(outcomes), "--format", "json"]
    times, result = [], {}
    for _ in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
        result = json.loads(done.stdout)
    print(
        f"detente backtest on {len(result['issues'])} issues: whole process, {args.runs} runs: "
        f"median {statistics.median(times):.1f} s, slowest {max(times):.1f} s"
    )
    print(f"{'model':<14} {'MAE':>6} {'vs compromise [95% interval]':>32}")
    for key, rec in result["models"].items():
        diff = rec.get("mae_minus_baseline")
        text = (
            f"{diff['estimate']:+.2f} [{diff['low']:+.2f}, {diff['high']:+.2f}]"
            if diff
            else "benchmark"
        )
        mark = " (recommended)" if key == result["recommended"] else ""
        print(f"{key:<14} {rec['mae']:6.2f} {text:>32}{mark}")


if __name__ == "__main__":
    main()
