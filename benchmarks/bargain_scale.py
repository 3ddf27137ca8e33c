"""Scale and speed of the bargaining engine's array core (run by hand, not in CI).

Random linear-additive utilities, seeded: ideals uniform on [0, 100], saliences
uniform on [0, 1], option values Normal(0, 0.3); issues of 10 levels. Targets:

- 1,000,000 outcomes, 6 parties, reservation values 0.5: ZOPA, frontier and the four
  solutions in under 2 s;
- the same with reservation values 0: under 30 s;
- 10,000,000 outcomes streamed in chunks without running out of memory.

Usage::

    python benchmarks/bargain_scale.py            # the three targets
    python benchmarks/bargain_scale.py --korea [--options 1]   # the built-in case
    python benchmarks/bargain_scale.py --outcomes 1e6 --parties 6 --reservation 0.5 \\
        [--options 3] [--among all] [--analyze] [--chunk-size 262144]

``--analyze`` also times :func:`detente.bargain.analyze` (frontier packages as
Python objects) and ``to_dict()``. Peak memory is the process's maximum resident
set size.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import time

import numpy as np

from detente.bargain import (
    SOLUTIONS,
    OutcomeSpace,
    UtilityModel,
    analyze,
    linear_additive,
    pareto_frontier,
    solve,
)


def make_problem(
    outcomes: int, parties: int, *, options: int, seed: int
) -> tuple[OutcomeSpace, UtilityModel]:
    """About ``outcomes`` grid points: ``options`` binary options and issues of 10
    levels (the last issue shorter or longer so the total comes out right)."""
    rng = np.random.default_rng(seed)
    rest = max(2, outcomes // (2**options))
    n_issues = max(1, round(math.log10(rest)))
    issues = {f"i{k}": np.linspace(0, 100, 10) for k in range(n_issues - 1)}
    last = max(2, rest // 10 ** (n_issues - 1))
    issues[f"i{n_issues - 1}"] = np.linspace(0, 100, last)
    space = OutcomeSpace(
        issues,
        options=[f"o{j}" for j in range(options)],
        scales={k: (0, 100) for k in issues},
    )
    model = linear_additive(
        space,
        actors=[f"a{a}" for a in range(parties)],
        ideals=rng.uniform(0, 100, (parties, len(issues))),
        weights=rng.uniform(0, 1, (parties, len(issues))),
        option_values=rng.normal(0, 0.3, (parties, options)),
    )
    return space, model


def run(
    outcomes: int,
    parties: int,
    reservation: float,
    *,
    options: int = 0,
    seed: int = 2019,
    chunk_size: int = 1 << 18,
    among: str = "zopa",
    full: bool = False,
) -> None:
    space, model = make_problem(outcomes, parties, options=options, seed=seed)
    r = np.full(parties, reservation)
    t0 = time.perf_counter()
    front = pareto_frontier(space, model, r, among=among, chunk_size=chunk_size)
    t1 = time.perf_counter()
    picks = {name: solve(front, name) for name in SOLUTIONS}
    t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    nash = None if picks["nash"] is None else int(front.index[picks["nash"]])
    print(
        f"outcomes={front.outcomes:,} parties={parties} options={options} "
        f"reservation={reservation} among={among} chunk={chunk_size:,}: "
        f"zopa={front.zopa:,} frontier={front.index.size:,} "
        f"zopa+frontier={t1 - t0:.2f}s solutions={t2 - t1:.3f}s total={t2 - t0:.2f}s "
        f"peak_rss={rss:.0f}MB nash_outcome={nash}"
    )
    if full:
        t3 = time.perf_counter()
        result = analyze(space, model, r, among=among, chunk_size=chunk_size)
        t4 = time.perf_counter()
        text = json.dumps(result.to_dict())
        t5 = time.perf_counter()
        print(
            f"  analyze()={t4 - t3:.2f}s to_dict+json={t5 - t4:.2f}s json={len(text) / 1e6:.1f}MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="bargaining engine scale benchmark")
    parser.add_argument("--outcomes", type=float)
    parser.add_argument("--parties", type=int, default=6)
    parser.add_argument("--reservation", type=float, default=0.5)
    parser.add_argument("--options", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--chunk-size", type=float, default=1 << 18)
    parser.add_argument("--among", choices=["zopa", "all"], default="zopa")
    parser.add_argument("--analyze", action="store_true")
    parser.add_argument(
        "--korea",
        action="store_true",
        help="the built-in case's full forum design, every scenario (target 2 s); with "
        "--options N > 0, the options proposals set join the space (~100M grid points)",
    )
    args = parser.parse_args()
    if args.korea:
        import detente
        from detente.bargain.case import bargain

        for scenario in detente.load("korea").scenario_ids:
            case = detente.load("korea", scenario=scenario)
            t0 = time.perf_counter()
            # zone, frontier, four solutions, proposals, every forum
            result = bargain(case, options=args.options > 0)
            print(
                f"korea {scenario}: {time.perf_counter() - t0:.2f} s, {len(result.forums)} forums,"
                f" {result.result.outcomes:,} packages, frontier {result.result.pareto_count:,}"
            )
        return
    common = {"seed": args.seed, "chunk_size": int(args.chunk_size), "full": args.analyze}
    if args.outcomes is not None:
        run(
            int(args.outcomes),
            args.parties,
            args.reservation,
            options=args.options,
            among=args.among,
            **common,
        )
        return
    run(1_000_000, 6, 0.5, **common)
    run(1_000_000, 6, 0.0, **common)
    run(10_000_000, 6, 0.5, **common)


if __name__ == "__main__":
    main()
