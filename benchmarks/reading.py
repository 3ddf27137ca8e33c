"""Whole-process benchmark of reading case files (run by hand, not in CI).

Generates its inputs in a temporary folder, then times what a user waits for when
detente reads each one: ``detente validate FILE`` as a fresh process (start-up,
reading, validation, the consistency report), and, inside one Python process with
its imports done, the parsing alone (YAML or JSON to plain values) and
``detente.load(FILE)`` (parsing, validating, applying the default scenario). Hyperfine-style: one
untimed run, then several timed runs; the table gives the minimum and median wall
time and the median CPU time (user + system: steadier than wall time on a busy
machine), next to the target of issue #13 (a 10 MB case or save file read in under
1 s, whole process)::

    python benchmarks/reading.py                     # every input, 5 runs each
    python benchmarks/reading.py --runs 3 --inputs case-yaml gmcr
    python benchmarks/reading.py --mb 20             # larger inputs
    python benchmarks/reading.py --scenarios 0       # the big case without scenarios
    python benchmarks/reading.py --keep DIR          # keep the generated files in DIR

The inputs:

- ``case-yaml``: a case of about 10 MB (``--mb``) written as YAML: 60 actors, 16
  options with statements, 100 issues with every actor's stance, 300 proposals, 5
  scenarios (``--scenarios``), and thousands of dated events and sources with their
  prose, each within the limits of :mod:`detente.model.limits`;
- ``case-json``: the same case as JSON;
- ``gmcr``: a gmcr-py save of about 10 MB: 16 options, 12 decision makers with manual
  rankings of all 65,536 states (the form that made a 71 KB save take 6-11 s);
- ``korea``: the built-in case's file, for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
KOREA = CHECKOUT / "src" / "detente" / "cases" / "korea.yaml"
TARGET = 1.0  # seconds, whole process, for a 10 MB file (issue #13)

WORDS = (
    *("talks", "summit", "sanctions", "relief", "freeze", "missile", "test", "envoy"),
    *("statement", "deadline", "proposal", "inspectors", "reactor", "declaration"),
    *("moratorium", "exercises", "alliance", "guarantee", "treaty", "verification"),
    *("dismantlement", "enrichment", "warheads", "delegation", "communique", "ceasefire"),
    *("corridor", "negotiations", "reciprocal", "step", "phased", "roadmap", "security"),
    *("assurances", "economic", "cooperation", "humanitarian", "aid"),
)


def prose(rng: random.Random, words: int) -> str:
    """Sentences of made-up diplomatic prose, about ``words`` words long."""
    out: list[str] = []
    while len(out) < words:
        sentence = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
        sentence[0] = sentence[0].capitalize()
        out.extend(sentence)
        out[-1] += "."
    return " ".join(out)


def big_case(megabytes: float, scenarios: int = 5, seed: int = 1) -> dict:
    """A valid case of about ``megabytes`` MB of YAML, within the default limits."""
    rng = random.Random(seed)
    actors = [f"A{k:02d}" for k in range(60)]
    options = [f"o{k:02d}" for k in range(16)]
    issues = [f"i{k:03d}" for k in range(100)]
    case: dict = {
        "id": "big",
        "title": f"A generated case of about {megabytes:g} MB",
        "description": prose(rng, 200),
        "sources": [],
        "actors": [
            {
                "id": a,
                "name": f"Party {a}",
                "capability": rng.randint(1, 100),
                "description": prose(rng, 60),
            }
            for a in actors
        ],
        "options": [
            {"id": o, "label": f"Option {o}", "controller": actors[k % 8]}
            for k, o in enumerate(options)
        ],
        "constraints": [{"require": f"{options[1]} implies {options[0]}"}],
        "status_quo": [options[0]],
        "preferences": {
            a: {
                "statements": [
                    ("" if rng.random() < 0.5 else "not ") + rng.choice(options) for _ in range(6)
                ]
            }
            for a in actors[:8]
        },
        "issues": [
            {
                "id": i,
                "name": f"Issue {i}",
                "low": prose(rng, 6),
                "high": prose(rng, 6),
                "positions": {
                    a: {
                        "position": rng.randint(0, 100),
                        "salience": rng.randint(10, 100),
                    }
                    for a in actors
                },
            }
            for i in issues
        ],
        "proposals": [
            {
                "id": f"p{k:03d}",
                "name": f"Package {k}",
                "description": prose(rng, 40),
                "positions": {i: rng.randint(0, 100) for i in rng.sample(issues, 60)},
            }
            for k in range(300)
        ],
        "scenarios": [
            {
                "id": f"s{k:02d}",
                "name": f"Scenario {k}",
                "note": prose(rng, 30),
                "capabilities": {a: rng.randint(1, 100) for a in rng.sample(actors, 10)},
            }
            for k in range(scenarios)
        ],
        "timeline": [],
    }
    # Dated events and their sources until the file reaches its size.
    size = len(json.dumps(case)) * 1.05  # YAML is about as long as compact JSON
    k = 0
    while size < megabytes * 1e6 and k < 10_000:
        source = {
            "id": f"src{k:05d}",
            "title": prose(rng, 10)[:-1],
            "publisher": "A news agency",
            "date": f"{2000 + k % 25}-{1 + k % 12:02d}-{1 + k % 28:02d}",
            "url": f"https://example.org/news/{k}",
            "note": prose(rng, 40),
        }
        event = {
            "date": source["date"],
            "event": prose(rng, 50),
            "actors": rng.sample(actors, 3),
            "sources": [source["id"]],
        }
        case["sources"].append(source)
        case["timeline"].append(event)
        size += len(json.dumps(source)) + len(json.dumps(event)) + 60
        k += 1
    return case


def gmcr_save(megabytes: float, seed: int = 1) -> dict:
    """A gmcr-py save of about ``megabytes`` MB (written with an indent of 2): 16 options,
    decision makers with manual rankings of all 65,536 states, as many as the size takes."""
    rng = random.Random(seed)
    n = 16
    per_ranking = 13 * 2**n  # bytes of one ranking, one state number a line
    dms = max(2, min(n, round(megabytes * 1e6 / per_ranking)))
    options = [{"name": f"option {k}", "permittedDirection": "both"} for k in range(n)]
    decision_makers = []
    for d in range(dms):
        ranking = list(range(1, 2**n + 1))
        rng.shuffle(ranking)
        decision_makers.append(
            {
                "name": f"DM {d}",
                "options": [k for k in range(n) if k % dms == d],
                "preferences": [],
                "preferenceRanking": ranking,
            }
        )
    return {
        "options": options,
        "decisionMakers": decision_makers,
        "infeasibles": [],
        "useManualPreferenceRanking": True,
        "program": "gmcr-py",
        "version": "0.4.1",
    }


def write_inputs(folder: Path, megabytes: float, scenarios: int) -> dict[str, Path]:
    """Every input, written into ``folder``."""
    from ruamel.yaml import YAML

    case = big_case(megabytes, scenarios)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 100
    paths = {
        "case-yaml": folder / "big_case.yaml",
        "case-json": folder / "big_case.json",
        "gmcr": folder / "big_save.gmcr",
        "korea": folder / "korea.yaml",
    }
    with paths["case-yaml"].open("w", encoding="utf-8") as f:
        yaml.dump(case, f)
    paths["case-json"].write_text(json.dumps(case, indent=1), encoding="utf-8")
    paths["gmcr"].write_text(json.dumps(gmcr_save(megabytes), indent=2), encoding="utf-8")
    shutil.copyfile(KOREA, paths["korea"])
    return paths


def whole_process(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU time (s) of one fresh process; standard output is thrown away."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            lines = err.read().decode(errors="replace").strip().splitlines() or ["(no message)"]
            raise RuntimeError(f"{' '.join(argv)}: {lines[-1][:300]}")
    return elapsed, usage.ru_utime + usage.ru_stime


IN_PROCESS = """
import sys, time, resource
from pathlib import Path
import detente
from detente.model.io import SUFFIXES
from detente.model.io.yaml_json import parse_document

path, runs = sys.argv[1], int(sys.argv[2])
fmt = {"gmcr": "json"}.get(SUFFIXES[Path(path).suffix], SUFFIXES[Path(path).suffix])
detente.load(path)  # warm-up: imports, grammars

def timed(work):
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    work()
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - start, cpu

for _ in range(runs):
    text = Path(path).read_text(encoding="utf-8")
    parse = timed(lambda: parse_document(text, file=path, fmt=fmt))
    load = timed(lambda: detente.load(path))
    print(*parse, *load)
"""


def in_process(python: str, path: Path, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU times, in one process with its imports done, of parsing the file
    (``parse_document``: YAML or JSON to plain values) and of ``detente.load(path)``
    (reading, validating, applying the default scenario)."""
    done = subprocess.run(
        [python, "-c", IN_PROCESS, str(path), str(runs)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1][:300])
    rows = [[float(x) for x in line.split()] for line in done.stdout.strip().splitlines()]
    return {
        "parse (in process)": ([r[0] for r in rows], [r[1] for r in rows]),
        "detente.load (in process)": ([r[2] for r in rows], [r[3] for r in rows]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    choices = ["case-yaml", "case-json", "gmcr", "korea"]
    parser.add_argument("--inputs", nargs="+", choices=choices, default=choices)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--mb", type=float, default=10.0, help="size of the generated inputs")
    parser.add_argument(
        "--scenarios", type=int, default=5, help="scenarios of the generated case (default 5)"
    )
    parser.add_argument("--keep", type=Path, help="write the inputs into this folder, keep them")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    python = sys.executable
    beside = Path(python).with_name("detente")
    detente = str(beside) if beside.exists() else shutil.which("detente")
    if detente is None:
        sys.exit("cannot find the detente command (pip install -e . first)")

    with tempfile.TemporaryDirectory(prefix="reading.") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = write_inputs(folder, args.mb, args.scenarios)
        print(
            f"{args.runs} timed runs each (after one untimed run); Python "
            f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.1f}; inputs in {folder}"
        )
        widths = (10, 7, 27, 6, 8, 6, 12)
        show(("input", "size", "what", "min s", "median s", "CPU s", "target"), widths)
        for key in args.inputs:
            path = paths[key]
            size = f"{path.stat().st_size / 1e6:.1f} MB"
            try:
                whole_process([detente, "validate", str(path)])
                runs = [whole_process([detente, "validate", str(path)]) for _ in range(args.runs)]
                measured = {
                    "detente validate FILE": ([r[0] for r in runs], [r[1] for r in runs]),
                    **in_process(python, path, args.runs),
                }
            except RuntimeError as failure:
                print(f"{key:<10}  {size:>7}  failed: {failure}")
                continue
            for k, (what, (wall, cpu)) in enumerate(measured.items()):
                target = TARGET if k == 0 and path.stat().st_size >= 5e6 else None
                median = statistics.median(wall)
                verdict = "" if target is None else ("ok" if median < target else "SLOW")
                cells = (
                    key if k == 0 else "",
                    size if k == 0 else "",
                    what,
                    f"{min(wall):.2f}",
                    f"{median:.2f}",
                    f"{statistics.median(cpu):.2f}",
                    f"< {target:g} s {verdict}" if target else "",
                )
                show(cells, widths)
            sys.stdout.flush()


def show(cells: tuple[str, ...], widths: tuple[int, ...]) -> None:
    print(
        "  ".join(
            f"{cell:<{width}}" if i < 3 else f"{cell:>{width}}"
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
    )


if __name__ == "__main__":
    main()
