"""Whole-process benchmark of the way out (run by hand, not in CI).

Times ``detente wayout CASE --scenario S --format json`` as a user runs it: a new
Python process each time (start-up, reading the case, every engine, the search,
writing the output), several runs per scenario, and prints the median and the
slowest run::

    python benchmarks/wayout.py                 # korea, every scenario, 3 runs each
    python benchmarks/wayout.py --runs 5 --scenarios deadlock_2022 article_advice
    python benchmarks/wayout.py --case my_case.yaml

The target of issue #10: ``detente wayout korea`` in under 5 seconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def scenarios_of(case: str) -> list[str]:
    from detente._loading import load_base

    return list(load_base(case).scenario_ids) or [""]


def time_run(case: str, scenario: str) -> float:
    command = [sys.executable, "-m", "detente", "wayout", case, "--format", "json"]
    if scenario:
        command += ["--scenario", scenario]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="korea")
    parser.add_argument("--scenarios", nargs="*", help="Default: every scenario of the case.")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    scenarios = args.scenarios or scenarios_of(args.case)
    print(f"detente wayout {args.case}: whole process, {args.runs} runs each")
    for scenario in scenarios:
        times = [time_run(args.case, scenario) for _ in range(args.runs)]
        print(
            f"  {scenario or '(no scenario)':<22} median {statistics.median(times):6.2f} s"
            f"   slowest {max(times):6.2f} s"
        )


if __name__ == "__main__":
    main()
