"""The spatial model against KTAB's own ``smpc``, turn by turn.

``data/ktab_runs.json`` holds, for three of KTAB's example scenarios and two
random ones, every actor's position after every turn and the final winning
probabilities as KTAB computed them; its ``_note`` says how they were produced.
KTAB's defaults are ours, so the runs must agree exactly (positions are rounded
to 1e-4 of the scale by both programs) and stop on the same turn.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detente.forecast import parse_ktab_csv, spatial_model

pytestmark = pytest.mark.forecast

DATA = json.loads((Path(__file__).parent / "data" / "ktab_runs.json").read_text())
POSITION_TOL = 1e-6  # KTAB stores positions x 100 as doubles
PROB_TOL = 6e-5  # KTAB prints probabilities to 4 decimals


@pytest.mark.parametrize("name", sorted(DATA["cases"]))
def test_turn_by_turn_against_smpc(name):
    case = DATA["cases"][name]
    inp = parse_ktab_csv(case["csv"])
    c, x, s = inp.arrays()
    res = spatial_model(inp.actors, c, x, s, issues=inp.issues)
    ours = np.array(
        [
            [[it.rounds[t][a] for it in res.issues] for a in inp.actors]
            for t in range(len(res.issues[0].rounds))
        ]
    )
    ktab = np.array(case["turns"])
    assert ours.shape == ktab.shape  # same number of turns: same stopping turn
    assert np.allclose(ours, ktab, rtol=0, atol=POSITION_TOL)
    assert res.issues[0].stopped == "converged"
    prob = res.issues[0].extra["position_probability"]
    assert [prob[a] for a in inp.actors] == pytest.approx(case["final_prob"], abs=PROB_TOL)
