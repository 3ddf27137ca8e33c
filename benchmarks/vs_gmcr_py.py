"""detente beside gmcr-py (GMCR+) on one conflict, whole process (run by hand, not in CI).

The conflict: 3 parties with 4 options each (12 options, 4,096 feasible states) and
an explicit ranking of every state for each party (gmcr-py's manual preference
ranking), generated from a seed into a temporary folder as a gmcr-py save file,
written from the published format (``research/gmcr/save-file-format.md`` in the
shared folder). Each party's ranking orders the states by a seeded integer score
(a weight per option plus a few pairwise terms), so equal scores are ties, written
as gmcr-py writes them (nested lists); ``--strict`` breaks every tie, and
``--random`` draws each ranking uniformly at random instead (strict orders without
any structure: more unilateral improvements, which cost gmcr-py about 1.6 times as
much and detente the same, so the ratio depends on the rankings).

Timed as whole processes (hyperfine-style: minimum and median wall time, median CPU
time, peak resident memory from ``wait4``), standard output written to a file:

- gmcr-py: a small driver run with ``python`` that loads the file with gmcr-py's
  conflict model and asks its logical solver for Nash, GMR, SMR and SEQ stability of
  every state for every decision maker (no Tk window), then prints them as JSON;
- ``detente stability FILE`` (the text report) and ``detente stability FILE --format json``.

Then both answers are compared, state by state, party by party and concept by
concept, and so are the equilibria; any difference is listed, and SEQ differences
are checked from the definitions, in plain Python, against both readings of how the
others may answer (legal sequences of their improvements, which detente follows, or
each other party moving at most once, which is what gmcr-py's answers match). The
issue's target (#13) is detente at least 100 times faster as a whole process::

    python benchmarks/vs_gmcr_py.py --gmcr-py ~/src/gmcr-py
    GMCR_PY_DIR=~/src/gmcr-py python benchmarks/vs_gmcr_py.py --runs 3 --gmcr-runs 1
    python benchmarks/vs_gmcr_py.py --gmcr-py DIR --profile    # where detente's time goes

gmcr-py (https://github.com/onp/gmcr-py) is all rights reserved: this script only
runs a checkout of it that you provide (needs numpy); nothing of it is copied here.
Without one it says so and stops. Its solver is slow (about 19 s of CPU and 0.8 GB
on this conflict, 30 s with ``--random``), so it runs once by default, without
warm-up.
``--profile`` adds ``python -X importtime`` and ``cProfile`` runs of
``detente stability FILE``: the import total and the heaviest imports, and the
functions that take the most cumulative time.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

CONCEPTS = ("nash", "gmr", "smr", "seq")
TARGET_RATIO = 100.0

DRIVER = """
import json, sys

gmcr_dir, save_file = sys.argv[1:3]
sys.path.insert(0, gmcr_dir)
from data_01_conflictModel import ConflictModel
from data_02_conflictSolvers import LogicalSolver

conflict = ConflictModel()
conflict.load_from_file(save_file)
solver = LogicalSolver(conflict)
n = len(conflict.feasibles)
stable = {
    concept: [
        [bool(getattr(solver, concept)(dm, state)[0]) for state in range(n)]
        for dm in solver.effectiveDMs
    ]
    for concept in sys.argv[3].split(",")
}
json.dump({"dms": [dm.name for dm in solver.effectiveDMs], "n_states": n, "stable": stable},
          sys.stdout)
"""
"""Loads the save file and asks gmcr-py's solver for each concept, state and party."""


def conflict(
    *,
    seed: int,
    n_parties: int = 3,
    per_party: int = 4,
    strict: bool = False,
    uniform: bool = False,
) -> dict:
    """A gmcr-py save file (as a dict) with a manual ranking of every state per party.

    No infeasible states, so state number ``s`` has code ``s - 1``: bit ``k`` says
    whether option ``k`` is taken, options grouped by party as gmcr-py keeps them.
    """
    rng = random.Random(seed)
    n_options = n_parties * per_party
    codes = range(2**n_options)
    parties = []
    for p in range(n_parties):
        weight = [rng.randint(-40, 40) for _ in range(n_options)]
        pairs = [
            (*rng.sample(range(n_options), 2), rng.choice([-1, 1]) * rng.randint(10, 30))
            for _ in range(4)
        ]

        def score(code: int, weight=weight, pairs=pairs) -> int:
            taken = [code >> k & 1 for k in range(n_options)]
            return sum(w * t for w, t in zip(weight, taken, strict=True)) + sum(
                w * taken[i] * taken[j] for i, j, w in pairs
            )

        jitter = list(codes)
        rng.shuffle(jitter)  # a random order: of all states, or within a score
        ranking: list = []
        if uniform:
            ranking = [c + 1 for c in jitter]
        else:
            tiebreak = jitter.__getitem__ if strict else (lambda c: 0)
            ordered = sorted(codes, key=lambda c: (-score(c), tiebreak(c), c))
            for _, tie in groupby(ordered, key=lambda c: (score(c), tiebreak(c))):
                states = [c + 1 for c in tie]
                ranking.append(states if len(states) > 1 else states[0])
        parties.append(
            {
                "name": f"Party {chr(ord('A') + p)}",
                "options": list(range(p * per_party, (p + 1) * per_party)),
                "preferences": [],
                "preferenceRanking": ranking,
            }
        )
    return {
        "options": [
            {"name": f"Option {k + 1}", "permittedDirection": "both"} for k in range(n_options)
        ],
        "decisionMakers": parties,
        "infeasibles": [],
        "useManualPreferenceRanking": True,
        "program": "gmcr-py",
        "version": "0.4.1",
    }


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]
    peak_kb: int

    def row(self, label: str) -> str:
        return (
            f"{label:<42} {min(self.wall):8.2f} {statistics.median(self.wall):9.2f}"
            f" {statistics.median(self.cpu):7.2f} {self.peak_kb / 1024:8.0f}"
        )


def run_once(argv: list[str], stdout_path: Path) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system) and peak RSS (KB) of one whole process."""
    with stdout_path.open("wb") as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            message = stderr.read().decode(errors="replace")[-2000:]
            sys.exit(f"{' '.join(argv[:4])} ... failed:\n{message}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def measure(argv: list[str], stdout_path: Path, *, runs: int, warmup: int) -> Timing:
    timing = Timing([], [], 0)
    for index in range(warmup + runs):
        wall, cpu, peak = run_once(argv, stdout_path)
        if index >= warmup:
            timing.wall.append(wall)
            timing.cpu.append(cpu)
            timing.peak_kb = max(timing.peak_kb, peak)
    return timing


def state_list(states: list[int], limit: int = 12) -> str:
    shown = ", ".join(str(s) for s in states[:limit])
    return f"{shown}, ... ({len(states)} in all)" if len(states) > limit else shown


def compare(gmcr: dict, detente: dict) -> tuple[list[str], dict[str, list[tuple[int, int]]]]:
    """Every difference between gmcr-py's and detente's stabilities and equilibria.

    Parties are matched by position (both keep the file's order; detente's ids are
    made from the names). States are numbered alike (1-based, increasing code).
    Returns the differences as lines, and the SEQ ones as (party, state) pairs: those
    stable for detente only and those stable for gmcr-py only.
    """
    problems: list[str] = []
    seq: dict[str, list[tuple[int, int]]] = {"detente": [], "gmcr-py": []}
    if gmcr["n_states"] != detente["n_states"]:
        n_gmcr, n_detente = gmcr["n_states"], detente["n_states"]
        return [f"feasible states: gmcr-py {n_gmcr}, detente {n_detente}"], seq
    actors = detente["actors"]
    if len(actors) != len(gmcr["dms"]):
        return [f"parties: gmcr-py {gmcr['dms']}, detente {actors}"], seq
    records = {record["index"]: record for record in detente["states"]}
    if len(records) != gmcr["n_states"]:
        return [f"detente's JSON lists {len(records)} of {gmcr['n_states']} states"], seq
    for concept in CONCEPTS:
        for p, (name, actor) in enumerate(zip(gmcr["dms"], actors, strict=True)):
            theirs = gmcr["stable"][concept][p]
            ours = [records[s + 1]["stability"][actor][concept] for s in range(len(theirs))]
            only_gmcr = [
                s + 1 for s, (g, d) in enumerate(zip(theirs, ours, strict=True)) if g and not d
            ]
            only_detente = [
                s + 1 for s, (g, d) in enumerate(zip(theirs, ours, strict=True)) if d and not g
            ]
            if concept == "seq":
                seq["gmcr-py"] += [(p, state) for state in only_gmcr]
                seq["detente"] += [(p, state) for state in only_detente]
            if only_gmcr:
                problems.append(
                    f"{concept}, {name}: stable for gmcr-py only in {state_list(only_gmcr)}"
                )
            if only_detente:
                problems.append(
                    f"{concept}, {name}: stable for detente only in {state_list(only_detente)}"
                )
        equilibria_gmcr = [
            s + 1 for s in range(gmcr["n_states"]) if all(dm[s] for dm in gmcr["stable"][concept])
        ]
        equilibria_detente = sorted(detente["equilibria"][concept])
        if equilibria_gmcr != equilibria_detente:
            extra = sorted(set(equilibria_gmcr) - set(equilibria_detente))
            missing = sorted(set(equilibria_detente) - set(equilibria_gmcr))
            problems.append(
                f"{concept} equilibria: gmcr-py only {state_list(extra) or '-'};"
                f" detente only {state_list(missing) or '-'}"
            )
    return problems, seq


class Sanctions:
    """Sequential stability (SEQ) of one state for one party, checked from the
    definitions on the save file's rankings, two ways: the others answer by a legal
    sequence of their unilateral improvements (any number of moves, no party twice
    in a row: Fang, Hipel and Kilgour 1993), or each of the others moves at most once.
    Plain Python, for the few states where the two programs disagree."""

    def __init__(self, save: dict) -> None:
        n_states = 2 ** len(save["options"])
        self.level = []  # per party and state: higher is better, equal is a tie
        self.mask = []  # per party: the bits of the options it controls
        for party in save["decisionMakers"]:
            level = [0] * n_states
            ranking = party["preferenceRanking"]
            for place, states in enumerate(ranking):
                for state in states if isinstance(states, list) else [states]:
                    level[state - 1] = len(ranking) - place
            self.level.append(level)
            self.mask.append(sum(1 << k for k in party["options"]))

    def improvements(self, party: int, code: int) -> list[int]:
        mask, level = self.mask[party], self.level[party]
        out, change = [], mask
        while change:
            if level[code ^ change] > level[code]:
                out.append(code ^ change)
            change = (change - 1) & mask
        return out

    def answered(self, party: int, start: int, code: int, *, once: bool) -> bool:
        """Whether the others can take ``code`` to a state ``party`` likes no better
        than ``start``, by improvements of their own."""
        others = [j for j in range(len(self.mask)) if j != party]
        worst = self.level[party][start]
        frontier = [(code, frozenset() if once else None, -1)]
        seen = set()
        while frontier:
            state, moved, last = frontier.pop()
            for j in others:
                if j == last or (once and j in moved):
                    continue
                for target in self.improvements(j, state):
                    if self.level[party][target] <= worst:
                        return True
                    key = (target, moved | {j} if once else None, j)
                    if key not in seen:
                        seen.add(key)
                        frontier.append(key)
        return False

    def seq_stable(self, party: int, state: int, *, once: bool) -> bool:
        code = state - 1  # no infeasible states: state s has code s - 1
        return all(
            self.answered(party, code, move, once=once) for move in self.improvements(party, code)
        )


def explain_seq(save: dict, seq: dict[str, list[tuple[int, int]]], names: list[str]) -> list[str]:
    """Check the SEQ differences against both readings of the opponents' answers."""
    if not seq["detente"] and not seq["gmcr-py"]:
        return []
    check = Sanctions(save)
    lines = []
    for side, pairs in seq.items():
        if not pairs:
            continue
        readings = {
            (check.seq_stable(p, s, once=False), check.seq_stable(p, s, once=True))
            for p, s in pairs
        }
        parties = ", ".join(sorted({names[p] for p, _ in pairs}))
        if side == "detente" and readings == {(True, False)}:
            lines.append(
                f"all {len(pairs)} SEQ differences stable for detente only ({parties}) are stable"
                " when the others answer by legal sequences of improvements (Fang, Hipel &"
                " Kilgour 1993), and unstable when each other party may move at most once:"
                " gmcr-py gives the latter (see docs/methods/gmcr.md, legal sequences)"
            )
        else:
            lines.append(
                f"SEQ stable for {side} only ({len(pairs)}, {parties}): (legal sequences,"
                f" each moves at most once) give {sorted(readings)}: NOT explained"
            )
    return lines


def equilibria_counts(gmcr: dict) -> str:
    counts = {
        concept: sum(all(dm[s] for dm in gmcr["stable"][concept]) for s in range(gmcr["n_states"]))
        for concept in CONCEPTS
    }
    return ", ".join(
        f"{concept.upper() if concept != 'nash' else 'Nash'} {n}" for concept, n in counts.items()
    )


def profile(detente: str, save_file: Path, tmp: Path, *, top: int) -> None:
    """Import time (``-X importtime``) and a cProfile of ``detente stability FILE``."""
    out = tmp / "profile.out"
    with out.open("wb") as stdout:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", detente, "stability", str(save_file)],
            stdout=stdout,
            stderr=subprocess.PIPE,
            check=True,
        )
    imports = []
    for line in result.stderr.decode().splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(3)) == 1:  # a top-level import
            imports.append((int(match.group(2)) / 1e6, match.group(4)))
    total = sum(seconds for seconds, _ in imports)
    print(f"\nImports (python -X importtime): {total:.2f} s in all; the heaviest top-level ones:")
    for seconds, name in sorted(imports, reverse=True)[:top]:
        if seconds >= 0.005:
            print(f"  {seconds:6.2f} s  {name}")

    stats_file = tmp / "stability.prof"
    with out.open("wb") as stdout:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cProfile",
                "-o",
                str(stats_file),
                detente,
                "stability",
                str(save_file),
            ],
            stdout=stdout,
            check=True,
        )
    print(
        f"\ncProfile of detente stability FILE: detente's own functions (module bodies,"
        f" that is imports, left out), by cumulative time, top {top}:"
    )
    stats = pstats.Stats(str(stats_file), stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(r"/detente/(?!.*\(<module>\))", top)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--gmcr-py",
        type=Path,
        default=os.environ.get("GMCR_PY_DIR"),
        help="a checkout of gmcr-py (default: $GMCR_PY_DIR)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of detente (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed detente runs first")
    parser.add_argument(
        "--gmcr-runs", type=int, default=1, help="timed runs of gmcr-py (default 1)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the conflict (default 0)")
    parser.add_argument("--strict", action="store_true", help="rankings without ties")
    parser.add_argument("--random", action="store_true", help="uniformly random rankings")
    parser.add_argument("--save", type=Path, help="also write the conflict's save file here")
    parser.add_argument("--profile", action="store_true", help="profile detente stability FILE")
    args = parser.parse_args()

    gmcr_dir = args.gmcr_py
    if gmcr_dir is None:
        print(
            "skipped: give a checkout of gmcr-py with --gmcr-py DIR or GMCR_PY_DIR"
            " (https://github.com/onp/gmcr-py; it is run, never copied)"
        )
        return
    gmcr_dir = Path(gmcr_dir).expanduser()
    if not (gmcr_dir / "data_02_conflictSolvers.py").exists():
        print(f"skipped: {gmcr_dir} holds no gmcr-py checkout (no data_02_conflictSolvers.py)")
        return
    beside = Path(sys.executable).with_name("detente")
    detente = str(beside) if beside.exists() else shutil.which("detente")
    if detente is None:
        sys.exit("cannot find the detente command (pip install -e . first)")

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from whole_process import with_bytecode

    cache = with_bytecode()  # both sides read compiled bytecode, as installed code does
    if cache is not None:
        print(f"PYTHONDONTWRITEBYTECODE unset for the commands; their bytecode goes to {cache}")
    save = conflict(seed=args.seed, strict=args.strict, uniform=args.random)
    with tempfile.TemporaryDirectory(prefix="vs_gmcr_py.") as name:
        tmp = Path(name)
        save_file = tmp / "conflict_3x12.gmcr"
        save_file.write_text(json.dumps(save))
        if args.save:
            shutil.copyfile(save_file, args.save)
        driver = tmp / "gmcr_py_driver.py"
        driver.write_text(DRIVER)
        ties = (
            "uniformly random rankings"
            if args.random
            else "scored strict rankings"
            if args.strict
            else "scored rankings with ties"
        )
        print(
            f"3 parties, 12 options, 4,096 states, {ties} (seed {args.seed});"
            f" save file {save_file.stat().st_size / 1e3:.0f} KB;"
            f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        print(f"{'whole process':<42} {'min s':>8} {'median s':>9} {'CPU s':>7} {'peak MiB':>8}")

        gmcr_out, text_out, json_out = tmp / "gmcr.json", tmp / "detente.txt", tmp / "detente.json"
        gmcr_argv = [sys.executable, str(driver), str(gmcr_dir), str(save_file), ",".join(CONCEPTS)]
        text_argv = [detente, "stability", str(save_file)]
        json_argv = [*text_argv, "--format", "json"]
        timings = {}
        for key, label, argv, out, runs, warmup in (
            ("text", "detente stability FILE", text_argv, text_out, args.runs, args.warmup),
            (
                "json",
                "detente stability FILE --format json",
                json_argv,
                json_out,
                args.runs,
                args.warmup,
            ),
            ("gmcr", "gmcr-py: load + Nash, GMR, SMR, SEQ", gmcr_argv, gmcr_out, args.gmcr_runs, 0),
        ):
            timings[key] = measure(argv, out, runs=runs, warmup=warmup)
            print(timings[key].row(label), flush=True)

        gmcr_median = statistics.median(timings["gmcr"].wall)
        gmcr_cpu = statistics.median(timings["gmcr"].cpu)
        for key in ("text", "json"):
            ratio = gmcr_median / statistics.median(timings[key].wall)
            cpu_ratio = gmcr_cpu / statistics.median(timings[key].cpu)
            verdict = "ok" if ratio >= TARGET_RATIO else "below target"
            print(
                f"gmcr-py / detente ({key}): {ratio:5.1f}x wall, {cpu_ratio:5.1f}x CPU"
                f"  (target >= {TARGET_RATIO:g}x wall: {verdict})"
            )

        # the comparison reads every state's record: ask for them explicitly, in case
        # the default JSON of a big model leaves them out
        all_out = tmp / "detente_all.json"
        run_once([*json_argv, "--states", "all"], all_out)
        gmcr = json.loads(gmcr_out.read_text())
        problems, seq = compare(gmcr, json.loads(all_out.read_text()))
        if problems:
            print(f"\nDIFFERENCES between gmcr-py and detente ({len(problems)}):")
            for problem in problems:
                print(f"  {problem}")
            for line in explain_seq(save, seq, gmcr["dms"]):
                print(f"  Checked from the definitions: {line}.")
        else:
            print(
                f"\nSame answers: every state's Nash, GMR, SMR and SEQ stability for every party,"
                f" and the equilibria ({equilibria_counts(gmcr)})."
            )
        if args.profile:
            profile(detente, save_file, tmp, top=20)


if __name__ == "__main__":
    main()
