"""The long fuzzing run of issue #11 (by hand or on a schedule, not in CI).

Usage::

    python benchmarks/fuzz.py                       # 10,000 mutants per reader
    python benchmarks/fuzz.py --per-reader 2000 --readers case gmcr --jobs 2 --seed 1

For each reader (case files, gmcr-py saves, GENIUS folders, KTAB CSV and XML, plain
forecasting tables) it makes grammar-aware mutants of valid inputs
(``tests/fuzz/mutants.py``) and reads each as the command line does, in worker
processes limited to ``--timeout`` seconds and ``--memory`` MiB per input. It prints,
per reader, how many mutants were loaded, refused (a CaseError naming the file: exit
code 2), crashed (anything else), hung (past the timeout) or ran out of memory, with
the slowest input, and the first few crashes and hangs with their seeds, so that each
can be made again with ``--replay READER:SEED``. The exit code is 1 if anything
crashed, hung or ran out of memory.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing as mp
import random
import resource
import signal
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.mutants import MUTANTS, READERS, run_one


class _Hung(Exception):
    pass


def _alarm(signum, frame):
    raise _Hung


def _worker(args: tuple[str, int, int, float, int]) -> tuple[str, int, str, str, float]:
    """Judge mutants ``start .. start+count`` of a reader, each from its own seed."""
    reader, seed, count, timeout, memory = args
    del count
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(seed)
    try:
        name, files = MUTANTS[reader](rng)()
    except (RecursionError, ValueError):  # the mutant could not be written out: skip it
        return reader, seed, "skipped", "mutant not made", 0.0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            outcome, detail, seconds = run_one(reader, Path(folder), name, files)
        except _Hung:
            outcome, detail, seconds = "hung", f"past {timeout:g} s", time.perf_counter() - start
        except MemoryError:
            outcome, detail, seconds = "memory", f"above {memory} MiB", time.perf_counter() - start
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return reader, seed, outcome, detail, seconds


def _init(memory: int) -> None:
    import warnings

    warnings.simplefilter("ignore")  # valid-but-odd inputs warn; only outcomes count
    limit = memory * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-reader", type=int, default=10_000, help="mutants per reader")
    parser.add_argument("--readers", nargs="*", default=list(READERS), choices=READERS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per input")
    parser.add_argument("--memory", type=int, default=3072, help="MiB per worker")
    parser.add_argument("--replay", help="READER:SEED: judge one mutant and print it")
    args = parser.parse_args(argv)

    if args.replay:
        reader, seed = args.replay.split(":")
        print(_worker((reader, int(seed), 1, args.timeout, args.memory)))
        return 0

    tasks = [
        (
            reader,
            args.seed * 1_000_003 + zlib.crc32(reader.encode()) * 100_003 + k,
            1,
            args.timeout,
            args.memory,
        )
        for reader in args.readers
        for k in range(args.per_reader)
    ]
    counts: dict[str, collections.Counter] = {r: collections.Counter() for r in args.readers}
    slowest: dict[str, tuple[float, int]] = {r: (0.0, 0) for r in args.readers}
    bad: list[tuple[str, int, str, str]] = []
    start = time.perf_counter()
    with mp.get_context("fork").Pool(
        args.jobs, initializer=_init, initargs=(args.memory,), maxtasksperchild=200
    ) as pool:
        for done, (reader, seed, outcome, detail, seconds) in enumerate(
            pool.imap_unordered(_worker, tasks, chunksize=4), 1
        ):
            counts[reader][outcome] += 1
            if seconds > slowest[reader][0]:
                slowest[reader] = (seconds, seed)
            if outcome in ("crashed", "hung", "memory"):
                bad.append((reader, seed, outcome, detail))
            if done % 500 == 0:
                print(
                    f"  {done:,}/{len(tasks):,} in {time.perf_counter() - start:.0f} s", flush=True
                )
    print(f"\n{len(tasks):,} mutants in {time.perf_counter() - start:.0f} s (seed {args.seed})\n")
    print(
        f"{'reader':<10} {'loaded':>7} {'refused':>8} {'crashed':>8} {'hung':>5} {'memory':>7}  slowest"
    )
    for reader in args.readers:
        c = counts[reader]
        secs, seed = slowest[reader]
        print(
            f"{reader:<10} {c['loaded']:>7} {c['refused']:>8} {c['crashed']:>8} {c['hung']:>5} "
            f"{c['memory']:>7} {c['skipped']:>7}  {secs:.1f} s ({reader}:{seed})"
        )
    for reader, seed, outcome, detail in bad[:20]:
        print(f"  {outcome}: --replay {reader}:{seed}: {detail}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
