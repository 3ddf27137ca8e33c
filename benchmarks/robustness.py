"""Robustness margins on the korea case (run by hand, not in CI).

For every scenario of ``korea``, the robustness margins of every equilibrium under
Nash, GMR, SMR and SEQ, and of the status quo and the proposals
(:func:`detente.gmcr.robustness.robustness`). Each run is a whole process (Python
start, imports, loading the case, every scenario), timed from outside; the target of
issue 15 is under 30 seconds in total::

    python benchmarks/robustness.py                 # 3 runs, min and median
    python benchmarks/robustness.py --runs 5 --concepts nash seq

Wall time depends on what else the machine runs; the CPU time of the process is printed
too. The last run also prints, per scenario, the time and the margins found (how many
equilibria need one edit, two, more than two, or cannot be removed at all).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def child(concepts: list[str]) -> None:
    start = time.perf_counter()
    import detente
    from detente.gmcr.robustness import robustness

    base = detente.load("korea")
    rows = []
    for scenario in [s.id for s in base.scenarios]:
        t = time.perf_counter()
        result = robustness(detente.load("korea", scenario=scenario), concepts=concepts)
        data = result.to_dict()
        rows.append(
            {
                "scenario": scenario,
                "seconds": round(time.perf_counter() - t, 3),
                "summary": data["summary"],
                "status_quo": {
                    c: next(
                        (
                            {"kind": g["kind"], "size": g["size"], "impossible": g["impossible"]}
                            for g in data["states"][c]
                            if "status_quo" in g["labels"]
                        ),
                        None,
                    )
                    for c in concepts
                },
            }
        )
    print(json.dumps({"inside": round(time.perf_counter() - start, 3), "scenarios": rows}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concepts", nargs="+", default=["nash", "gmr", "smr", "seq"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.concepts)
        return
    times, cpu = [], []
    report = None
    for _ in range(args.runs):
        t = time.perf_counter()
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--concepts", *args.concepts],
            check=True,
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
        report = json.loads(out.stdout)
    assert report is not None
    for row in report["scenarios"]:
        print(f"{row['scenario']:<20} {row['seconds']:6.2f} s")
        for concept, summary in row["summary"].items():
            sq = row["status_quo"][concept]
            print(
                f"    {concept:<4} {summary['equilibria']:4d} equilibria, margins "
                f"{summary['margin_counts']}; status quo: {sq}"
            )
    print(
        f"whole process, {args.runs} runs ({', '.join(args.concepts)}): "
        f"min {min(times):.2f} s, median {statistics.median(times):.2f} s "
        f"(target: under 30 s); CPU time min {min(cpu):.2f} s, median "
        f"{statistics.median(cpu):.2f} s"
    )


if __name__ == "__main__":
    main()
