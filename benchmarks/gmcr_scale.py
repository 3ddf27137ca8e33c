"""Scale benchmark of the graph model engine (run by hand, not in CI).

Random conflicts::

    python benchmarks/gmcr_scale.py --actors 3 --options 16
    python benchmarks/gmcr_scale.py --actors 3 --options 12 16 20 --concepts nash gmr smr seq

The multilateral trade conflict (a gmcr-py save file, read from the shared data
folder, never copied into the repository)::

    python benchmarks/gmcr_scale.py --trade
    python benchmarks/gmcr_scale.py --gmcr-file /work/shared/data/gmcr/trade.gmcr

For each size and concept it prints the wall time and the peak memory traced by
tracemalloc (numpy allocations included), plus the process's peak RSS at the end.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from detente.gmcr import GraphModel, stabilities, status_quo_paths
from detente.gmcr.preferences import payoff_from_statements
from detente.gmcr.states import feasible_states
from detente.model.expressions import And, Expr, Not, Or, Var

TRADE = Path("/work/shared/data/gmcr/trade.gmcr")


def random_conflict(
    n_actors: int,
    n_options: int,
    *,
    seed: int = 0,
    n_statements: int = 6,
    n_infeasible: int = 0,
    irreversible: float = 0.0,
) -> GraphModel:
    """A random conflict: options dealt to actors in turn, random literal or
    two-literal statements per actor, optional random two-literal infeasibilities,
    and a fraction of options that may only go N->Y (which needs explicit edges)."""
    rng = np.random.default_rng(seed)
    options = tuple(f"o{k}" for k in range(n_options))
    actors = tuple(f"A{a}" for a in range(n_actors))
    controller = np.arange(n_options) % n_actors

    def literal() -> Expr:
        v: Expr = Var(options[int(rng.integers(n_options))])
        return Not(v) if rng.random() < 0.5 else v

    def statement() -> Expr:
        r = rng.random()
        if r < 0.5:
            return literal()
        if r < 0.8:
            return And((literal(), literal()))
        return Or((literal(), literal()))

    infeasible = [And((literal(), literal())) for _ in range(n_infeasible)]
    states = feasible_states(n_options, infeasible, options=options)
    payoff = np.stack(
        [
            payoff_from_statements(
                [statement() for _ in range(n_statements)], states=states, options=options
            )
            for _ in actors
        ]
    )
    direction = (rng.random(n_options) < irreversible).astype(np.int8)
    return GraphModel(
        actors=actors,
        options=options,
        controller=controller,
        states=states,
        payoff=payoff,
        direction=direction,
        status_quo=0 if states[0] == 0 else None,
    )


def read_gmcr_file(path: Path) -> GraphModel:
    """A gmcr-py save file through detente's own reader and case adapter, as users load it."""
    import detente
    from detente.gmcr import graph_model

    return graph_model(detente.load(path))


def measure(
    model: GraphModel, concepts: list[str], label: str, *, status_quo: bool = False
) -> None:
    print(
        f"{label}: {model.n_actors} actors, {model.n_options} options, {model.n_states:,} states",
        flush=True,
    )
    total = 0.0
    for concept in concepts:
        tracemalloc.start()
        t0 = time.perf_counter()
        res = stabilities(model, concepts=(concept,))
        dt = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        total += dt
        n_eq = int(res.equilibrium_mask(concept).sum())
        print(
            f"  {concept:>6}: {dt:8.2f} s  peak {peak / 2**20:9.1f} MiB  equilibria {n_eq:,}",
            flush=True,
        )
    t0 = time.perf_counter()
    stabilities(model, concepts=concepts)
    together = time.perf_counter() - t0
    print(f"  all concepts in one call: {together:.2f} s (sum of separate calls {total:.2f} s)")
    if status_quo:
        sq = model.status_quo if model.status_quo is not None else 0
        tracemalloc.start()
        t0 = time.perf_counter()
        res = status_quo_paths(model, status_quo=sq, concepts=concepts)
        dt = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  status quo (state {sq + 1}): {dt:.2f} s  peak {peak / 2**20:.1f} MiB  "
            f"reachable {len(res.reachable):,}  paths {len(res.paths)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--actors", type=int, nargs="+", default=[3])
    parser.add_argument("--options", type=int, nargs="+", default=[12, 16])
    parser.add_argument("--statements", type=int, default=6)
    parser.add_argument("--infeasible", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--irreversible", type=float, default=0.0, help="fraction of N->Y-only options"
    )
    parser.add_argument("--status-quo", action="store_true", help="also time status-quo analysis")
    parser.add_argument("--concepts", nargs="+", default=["nash", "gmr", "smr", "seq"])
    parser.add_argument("--trade", action="store_true", help=f"benchmark {TRADE}")
    parser.add_argument("--gmcr-file", type=Path, help="benchmark a gmcr-py save file")
    parser.add_argument(
        "--korea",
        action="store_true",
        help="the built-in case's full analysis, every scenario (target 0.2 s each)",
    )
    args = parser.parse_args(argv)
    if args.korea:
        import detente
        from detente.gmcr import analyze_conflict

        for scenario in detente.load("korea").scenario_ids:
            case = detente.load("korea", scenario=scenario)
            t0 = time.perf_counter()
            analyze_conflict(case)  # every concept that applies, every actor, status-quo paths
            print(f"korea {scenario}: {time.perf_counter() - t0:.3f} s")
        return 0
    if args.trade or args.gmcr_file:
        path = args.gmcr_file or TRADE
        t0 = time.perf_counter()
        model = read_gmcr_file(path)
        print(f"read {path.name} in {time.perf_counter() - t0:.2f} s")
        measure(model, args.concepts, path.stem, status_quo=args.status_quo)
    else:
        for a in args.actors:
            for o in args.options:
                t0 = time.perf_counter()
                model = random_conflict(
                    a,
                    o,
                    seed=args.seed,
                    n_statements=args.statements,
                    n_infeasible=args.infeasible,
                    irreversible=args.irreversible,
                )
                print(f"built in {time.perf_counter() - t0:.2f} s")
                measure(
                    model, args.concepts, f"random seed {args.seed}", status_quo=args.status_quo
                )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS of the process: {rss / 2**10:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
