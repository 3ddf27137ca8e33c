"""Scale and speed of the forecasting engine (run by hand, not in CI).

Usage::

    python benchmarks/forecast_scale.py            # everything (a few minutes)
    python benchmarks/forecast_scale.py --quick    # skips the 10,000-actor EUM and SMP 250

Targets: EUM 1,000 actors x 10 rounds < 1 s; EUM 10,000 actors x 10 rounds < 60 s
with bounded memory; one SMP turn of 500 actors in under 1 GB (memory grows as
actors^2); SMP 100 actors to KTAB's stopping rule < 10 s and 250
actors < 5 min; a 10,000-sample Monte Carlo of a 6-actor, 7-issue case < 30 s.
Inputs are random (seeded) and uniform: capability in [0.1, 1], positions on
0..100, saliences in [0.1, 1] (SMP multi-issue: each actor's saliences sum to
at most 1).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np

from detente.forecast import expected_utility, monte_carlo, spatial_model


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _case(n: int, seed: int, dims: int = 1):
    rng = np.random.default_rng(seed)
    shape = (n,) if dims == 1 else (n, dims)
    sal = rng.uniform(0.1, 1.0, shape)
    if dims > 1:
        sal = sal / dims
    return [f"a{i}" for i in range(n)], rng.uniform(0.1, 1.0, n), rng.uniform(0, 100, shape), sal


def _report(label: str, seconds: float, target: float, extra: str = "") -> None:
    flag = "ok" if seconds < target else "SLOW"
    print(f"{label:<48} {seconds:8.2f} s  (target < {target:g} s, {flag}) {extra}", flush=True)


def eum(n: int, target: float) -> None:
    a, c, x, s = _case(n, seed=n)
    t0 = time.perf_counter()
    res = expected_utility(a, c, x, s, rounds=10)
    dt = time.perf_counter() - t0
    it = res.issues[0]
    _report(
        f"EUM paper, {n} actors x 10 rounds",
        dt,
        target,
        f"forecast {it.forecast:.2f}, peak RSS {_peak_mb():.0f} MB",
    )


def smp(n: int, target: float) -> None:
    a, c, x, s = _case(n, seed=n)
    t0 = time.perf_counter()
    res = spatial_model(a, c, x, s)
    dt = time.perf_counter() - t0
    it = res.issues[0]
    _report(
        f"SMP, {n} actors to the stopping rule",
        dt,
        target,
        f"{it.n_rounds} turns, {it.stopped}, forecast {it.forecast:.2f}, "
        f"peak RSS {_peak_mb():.0f} MB",
    )


def smp_memory(n: int, target_mb: float) -> None:
    """One turn of the spatial model on ``n`` actors: its voter-by-option arrays are
    formed in blocks, so the peak memory grows as n^2 (a single n^3 array of 500 actors
    would take 1 GB; the whole turn used to hold several)."""
    a, c, x, s = _case(n, seed=n)
    t0 = time.perf_counter()
    spatial_model(a, c, x, s, rounds=1)
    dt = time.perf_counter() - t0
    peak = _peak_mb()
    flag = "ok" if peak < target_mb else "LARGE"
    print(
        f"{f'SMP, {n} actors, one turn (memory)':<48} {dt:8.2f} s  peak RSS {peak:.0f} MB "
        f"(target < {target_mb:g} MB, {flag})",
        flush=True,
    )


def mc(workers: int | None, target: float) -> None:
    a, c, x, s = _case(6, seed=7, dims=7)
    t0 = time.perf_counter()
    res = monte_carlo(
        a,
        c,
        x,
        s,
        position_sd=5.0,
        salience_sd=0.02,
        capability_sd=0.05,
        models=("mean", "median", "eum", "smp"),
        n_runs=10_000,
        seed=1,
        workers=workers,
    )
    dt = time.perf_counter() - t0
    s0 = res.get("issue0", "eum")
    _report(
        f"Monte Carlo 10,000 x (6 actors, 7 issues), workers={workers}",
        dt,
        target,
        f"eum issue0 median {s0.median:.2f} {tuple(round(v, 2) for v in s0.interval)}",
    )


def korea_mc(target: float) -> None:
    """The built-in case through the case adapter, all four models, as `detente forecast` runs it."""
    import detente
    from detente.forecast.case import forecast

    case = detente.load("korea")
    t0 = time.perf_counter()
    result = forecast(
        case, models=["eum", "smp", "mean", "median"], samples=10_000, seed=1, workers=None
    )
    dt = time.perf_counter() - t0
    s0 = result.monte_carlo["denuclearisation"]["eum"]
    _report(
        "Monte Carlo 10,000 samples of the korea case (7 issues; EUM, SMP, mean, median)",
        dt,
        target,
        f"eum denuclearisation median {s0.median:.2f}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the two slowest runs")
    args = parser.parse_args(argv)
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    eum(1_000, 1.0)
    smp_memory(500, 1024.0)  # before the larger runs: the peak RSS is the process's
    smp(100, 10.0)
    mc(1, 30.0)
    mc(None, 30.0)
    korea_mc(30.0)
    if not args.quick:
        eum(10_000, 60.0)
        smp(250, 300.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
