"""Write the synthetic example tables that ``detente backtest example`` runs on.

The tables are made up: 12 issues of a few fictional proposals, on each of which 6 to
10 of 10 fictional actors (``A`` to ``J``) take a stance. Nothing in them comes from a real data
set (DEU or any other); they exist so that a new user can see what a backtest reports
without first converting a data set.

How they are drawn (``random.Random(SEED)``, so every run writes the same files):

- each actor has one capability for every issue, 1 to 10;
- issues are grouped into proposals of 1 to 4 issues; each proposal has a ``procedure``
  (``majority`` or ``consensus``) by which the report breaks the errors down;
- on each issue 6 to 10 actors hold a position on the 0-100 scale (a multiple of 5;
  about one in four at an end of the scale) with a salience from 0.1 to 1.0;
- the issue's ``reference_point`` (status quo) is a multiple of 5 on the scale;
- its recorded ``outcome`` is the capability × salience weighted mean of the positions
  plus normal noise (standard deviation 15 points), clipped to the scale and rounded.

So the compromise model is right by construction, up to the noise: the example shows the
report, not how well any model forecasts real decisions.

Run from the repository root::

    python scripts/make_backtest_example.py

and commit both files; ``tests/cases/test_backtest_example.py`` checks that the shipped
files are exactly what this script writes.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SEED = 20261202
ISSUES = 12
ACTORS = tuple("ABCDEFGHIJ")
NOISE_SD = 15.0
OUT = Path(__file__).resolve().parent.parent / "src" / "detente" / "cases" / "examples"
STANCES_FILE = "backtest-stances.csv"
OUTCOMES_FILE = "backtest-outcomes.csv"


def tables(seed: int = SEED) -> tuple[str, str]:
    """The stance table and the outcome table, as CSV text with ``\\n`` line ends."""
    rng = random.Random(seed)
    capability = {a: rng.randint(1, 10) for a in ACTORS}

    proposals: list[tuple[str, str, int]] = []  # (proposal, procedure, issues)
    left = ISSUES
    while left:
        size = min(left, rng.randint(1, 4))
        procedure = rng.choice(("majority", "consensus"))
        proposals.append((f"P{len(proposals) + 1}", procedure, size))
        left -= size

    stances = ["issue,actor,capability,position,salience"]
    outcomes = ["issue,proposal,procedure,reference_point,outcome"]
    number = 0
    for proposal, procedure, size in proposals:
        for _ in range(size):
            number += 1
            issue = f"issue{number:02d}"
            actors = sorted(rng.sample(ACTORS, rng.randint(6, 10)))
            weighted = total = 0.0
            for actor in actors:
                at_an_end = rng.random() < 0.25
                position = rng.choice((0, 100)) if at_an_end else 5 * rng.randint(0, 20)
                salience = rng.randint(1, 10) / 10
                stances.append(f"{issue},{actor},{capability[actor]},{position},{salience:.1f}")
                weighted += capability[actor] * salience * position
                total += capability[actor] * salience
            reference_point = 5 * rng.randint(0, 20)
            outcome = weighted / total + rng.gauss(0.0, NOISE_SD)
            outcome = round(min(100.0, max(0.0, outcome)))
            outcomes.append(f"{issue},{proposal},{procedure},{reference_point},{outcome}")
    return "\n".join(stances) + "\n", "\n".join(outcomes) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to write (default {OUT})")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in zip((STANCES_FILE, OUTCOMES_FILE), tables(), strict=True):
        path = args.out / name
        path.write_bytes(text.encode("utf-8"))
        print(f"wrote {path} ({len(text.encode('utf-8'))} bytes)")


if __name__ == "__main__":
    main()
