"""The spatial model's non-default KTAB parameters.

``data/ktab_variant_runs.json`` holds KTAB ``smpc`` runs of small scenarios in
XML form, one per parameter setting (voting rules, victory laws, third-party
commitment, Markov PCEs, bargain interpolations and models, ideal adjustment);
its ``_note`` says how they were produced. Each must be reproduced turn by
turn from the XML through :meth:`ForecastInput.smp_kwargs`. Settings KTAB
cannot reproduce itself (stochastic transitions; the asymmetric prospect rule
after turn 1) are checked by formula and property tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detente.errors import CaseError
from detente.forecast import parse_ktab_xml, spatial_model
from detente.forecast.spatial import _coalitions, _markov, _turn, _vote, _vprob, smp_options

pytestmark = pytest.mark.forecast

DATA = json.loads((Path(__file__).parent / "data" / "ktab_variant_runs.json").read_text())
POSITION_TOL = 1e-6


def _turns(res, actors):
    return np.array(
        [
            [[it.rounds[t][a] for it in res.issues] for a in actors]
            for t in range(len(res.issues[0].rounds))
        ]
    )


@pytest.mark.parametrize("name", sorted(DATA["cases"]))
def test_variant_turn_by_turn_against_smpc(name):
    case = DATA["cases"][name]
    inp = parse_ktab_xml(case["xml"])
    c, x, s = inp.arrays()
    kw = inp.smp_kwargs()
    if "turns_only" in case:
        kw["rounds"] = case["turns_only"]
    res = spatial_model(inp.actors, c, x, s, issues=inp.issues, **kw)
    ours = _turns(res, inp.actors)
    ktab = np.array(case["turns"])
    assert ours.shape == ktab.shape  # same stopping turn
    assert np.allclose(ours, ktab, rtol=0, atol=POSITION_TOL)


def _xml_with(**params):
    text = DATA["cases"]["PCEModel=MarkovUniform/1"]["xml"]
    for key, value in params.items():
        start = text.index(f"<{key}>")
        end = text.index(f"</{key}>")
        text = text[: start + len(key) + 2] + value + text[end:]
    return text


@pytest.mark.parametrize(
    ("key", "value", "arg", "want"),
    [
        ("VotingRule", "PropCbc", "voting", "prop-cubic"),
        ("VotingRule", "ASymProsp", "voting", "asym-prospect"),
        ("VictoryProbModel", "Binary", "victory", "binary"),
        ("PCEModel", "MarkovIncentive", "pce", "markov-incentive"),
        ("PCEModel", "MarkovUniform", "pce", "markov-uniform"),
        ("StateTransitions", "Stochastic", "transitions", "stochastic"),
        ("InterVecBrgn", "S2PMax", "bargain", "s2pmax"),
        ("BargnModel", "InitRcvrInterp", "bargain_model", "init-rcvr-interp"),
        ("BargnModel", "PWCompInterp", "bargain_model", "pw-comp-interp"),
        ("ThirdPartyCommit", "NoCommit", "third_party", "none"),
    ],
)
def test_smp_kwargs_names(key, value, arg, want):
    assert parse_ktab_xml(_xml_with(**{key: value})).smp_kwargs()[arg] == want


def test_stochastic_xml_passes_its_seed():
    kw = parse_ktab_xml(_xml_with(StateTransitions="Stochastic")).smp_kwargs()
    assert kw["transitions"] == "stochastic" and kw["seed"] == 1
    assert "seed" not in parse_ktab_xml(_xml_with()).smp_kwargs()


def test_ideal_adjustment_read_from_xml():
    inp = parse_ktab_xml(DATA["cases"]["IdealAdjustment/1"]["xml"])
    A = inp.smp_kwargs()["accommodation"]
    assert A[0, 0] == 0.6 and A[0, 1] == 0.2 and A[1, 1] == 1.0 and A[3, 5] == 0.3
    # identity pairs only: no accommodation argument at all
    assert "accommodation" not in parse_ktab_xml(_xml_with()).smp_kwargs()
    bad = DATA["cases"]["IdealAdjustment/1"]["xml"].replace(
        "<referencePos>A1</referencePos>", "<referencePos>Nobody</referencePos>"
    )
    with pytest.raises(CaseError) as err:
        parse_ktab_xml(bad)
    assert err.value.problems[0].path == ("IdealAdjustment", 1, "referencePos")
    over = DATA["cases"]["IdealAdjustment/1"]["xml"].replace(
        "<adjust>0.6</adjust>", "<adjust>0.9</adjust>"
    )
    with pytest.raises(CaseError, match="sum to more than 1"):
        parse_ktab_xml(over)


def test_voting_rule_formulas():
    du = np.array([-0.3, -1e-9, 0.0, 2e-9, 0.3])
    assert np.allclose(_vote(2.0, du, "binary"), [-2, -0.2, 0, 0.4, 2])
    assert np.allclose(_vote(2.0, du, "prop-bin"), 2 * (0.8 * du + 0.2 * np.clip(du / 1e-8, -1, 1)))
    assert np.allclose(_vote(2.0, du, "prop-cubic"), du + du**3)
    assert np.allclose(_vote(2.0, du, "cubic"), 2 * du**3)
    assert np.allclose(_vote(3.0, du, "asym-prospect"), np.where(du > 0, 2 * du, 3 * du))


def test_asymmetric_prospect_coalitions_follow_ktab_pair_order():
    """KTAB forms each pair (i > j) from one vote v(i:j): a gain for the later
    option counts 2/3, a gain for the earlier one in full."""
    U = np.array([[[0.5, 0.8], [0.9, 0.6]]])  # voter 0 prefers option 1, voter 1 option 0
    C = _coalitions(U, np.array([[1.0, 2.0]]), "asym-prospect")[0]
    assert C[1, 0] == pytest.approx(1e-8 + (2 / 3) * 0.3)
    assert C[0, 1] == pytest.approx(1e-8 + 2.0 * 0.3)


def test_binary_victory_law():
    p = _vprob(np.array([1.1, 1.0, 1.04, 1.0]), np.array([1.0, 1.1, 1.0, 1.0]), 0)
    assert p[0] == pytest.approx(1.0, abs=1e-5)
    assert p[1] == pytest.approx(0.0, abs=1e-5)
    r = 1.04 / 2.04
    assert p[2] == pytest.approx((2.1 * r - 1) / 0.1)
    assert p[3] == pytest.approx(0.5)


def test_markov_pces_by_hand():
    """With two options the uniform chain's fixed point is p_1 = P(1 > 2); both
    chains give a distribution and ignore options outside the mask."""
    P = np.array([[[0.5, 0.7, 0.9], [0.3, 0.5, 0.2], [0.1, 0.8, 0.5]]])
    C = np.array([[[1e-8, 7.0, 9.0], [3.0, 1e-8, 2.0], [1.0, 8.0, 1e-8]]])
    mask = np.array([[True, True, False]])
    p = _markov(C, P, mask, "markov-uniform")[0]
    assert p == pytest.approx([0.7, 0.3, 0.0], abs=1e-5)
    for model in ("markov-uniform", "markov-incentive"):
        q = _markov(C, P, np.ones((1, 3), bool), model)[0]
        assert q.sum() == pytest.approx(1.0) and (q > 0).all()
        assert np.argmax(q) == 0


def _case(seed=3, n=7):
    rng = np.random.default_rng(seed)
    return (
        [f"a{i}" for i in range(n)],
        rng.uniform(0.1, 1, n),
        rng.uniform(0, 100, (n, 2)),
        rng.uniform(0.05, 0.5, (n, 2)),
    )


def test_stochastic_transitions_are_seeded():
    args = _case()
    a = spatial_model(*args, transitions="stochastic", seed=7)
    b = spatial_model(*args, transitions="stochastic", seed=7)
    assert [i.rounds for i in a.issues] == [i.rounds for i in b.issues]
    others = [spatial_model(*args, transitions="stochastic", seed=s) for s in range(8, 14)]
    assert any(o.issues[0].rounds != a.issues[0].rounds for o in others)
    assert a.parameters["transitions"] == "stochastic" and a.parameters["seed"] == 7


def test_stochastic_draws_follow_queue_probabilities():
    """Each actor's pick is distributed as its queue's PCE probabilities."""
    _names, c, x, s = _case(5, 5)
    B = 4000
    X = np.broadcast_to(x / 100, (B, 5, 2)).copy()
    S = np.broadcast_to(s, (B, 5, 2)).copy()
    C = np.broadcast_to(c, (B, 5)).copy()
    opts = smp_options(transitions="stochastic")
    tr: dict = {}
    _turn(X, S, C, opts, trace=tr, rng=np.random.default_rng(1))
    p = tr["queue_p"][0]
    for k in range(5):
        freq = np.bincount(tr["win"][:, k], minlength=p.shape[1]) / B
        assert np.allclose(freq, p[k], atol=0.03)


def test_variant_options_run_and_are_recorded():
    args = _case()
    for kw in (
        {"pce": "markov-incentive", "bargain": "s2pmax"},
        {"bargain_model": "init-rcvr-interp", "voting": "asym-prospect"},
        {"bargain_model": "pw-comp-interp", "victory": "binary"},
        {"accommodation": 0.5 * np.eye(7)},
    ):
        res = spatial_model(*args, **kw)
        for key, val in kw.items():
            got = res.parameters[key]
            assert got == (val.tolist() if isinstance(val, np.ndarray) else val)
        json.dumps(res.to_dict())
    with pytest.raises(ValueError, match="accommodation"):
        spatial_model(*args, accommodation=np.ones((7, 7)))
    with pytest.raises(ValueError, match="pce"):
        spatial_model(*args, pce="markov")
