"""Where loading a case spends its time, stage by stage (run by hand, not in CI).

``benchmarks/reading.py`` times reading as a whole; this script splits the validation
of its two large inputs into the stages issue #13 made fast, inside one Python
process with its imports done (CPU seconds, the median of several runs):

- ``validate``: the parsed document to a checked case (fields, cross-references and
  every scenario's view);
- ``scenario view``: one scenario's view of the checked case (built from the case's
  validated parts; ``full`` validates the merged case again, as every view was built
  before, and as a view is still built when it has a problem to report);
- ``rankings``: the gmcr-py save's rankings of 65,536 states checked and read
  (the fast path reads patterns as arrays; ``one by one`` is the general reader).

::

    python benchmarks/loading_stages.py            # 10 MB inputs, 3 runs
    python benchmarks/loading_stages.py --mb 20 --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reading import big_case, gmcr_save


def cpu_median(work, runs: int) -> float:
    """The median CPU seconds of ``runs`` calls of ``work`` (after one untimed call)."""
    work()
    times = []
    for _ in range(runs):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of the inputs (MB)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each stage")
    args = parser.parse_args()

    import numpy as np

    from detente.model import Case
    from detente.model.case import apply_scenario
    from detente.model.checks import expand_ranking, feasible_mask
    from detente.model.io import loads

    rows: list[tuple[str, float]] = []
    data = big_case(args.mb)
    rows.append(("case: validate", cpu_median(lambda: Case.model_validate(data), args.runs)))
    case = Case.model_validate(data)
    scenario = case.scenarios[-1]
    rows.append(
        ("case: scenario view", cpu_median(lambda: apply_scenario(case, scenario), args.runs))
    )
    rows.append(
        (
            "case: scenario view, full",
            cpu_median(lambda: apply_scenario(case, scenario, sound=False), args.runs),
        )
    )

    text = json.dumps(gmcr_save(args.mb)).encode()
    rows.append(
        ("save: read", cpu_median(lambda: loads(text, file="save.gmcr", fmt="gmcr"), args.runs))
    )
    save = loads(text, file="save.gmcr", fmt="gmcr")
    n = len(save.options)
    codes = np.arange(1 << n, dtype=np.int64)
    index = {o.id: k for k, o in enumerate(save.options)}
    feasible = codes[feasible_mask([c.infeasible_expr for c in save.constraints], codes, index)]
    rankings = [p.ranking for p in save.preferences.values() if p.ranking is not None]

    def read_all() -> None:
        for ranking in rankings:
            expand_ranking(ranking, n, feasible)

    def one_by_one() -> None:
        # A last pattern of dashes ties nothing (every state is ranked already) but
        # sends the ranking to the general reader.
        for ranking in rankings:
            expand_ranking((*ranking, "-" * n), n, feasible)

    rows.append((f"save: {len(rankings)} rankings", cpu_median(read_all, args.runs)))
    rows.append((f"save: {len(rankings)} rankings, one by one", cpu_median(one_by_one, 1)))

    print(f"inputs of about {args.mb:g} MB; median CPU seconds of {args.runs} runs")
    width = max(len(label) for label, _ in rows)
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds:7.3f}")


if __name__ == "__main__":
    main()
