"""Value tables, explicit reservation values and the robustness Monte Carlo on cases.

Utilities are worked out by hand in the comments: on each issue an evaluation (the
stance's value table, or closeness ``1 - |level - position| / (high - low)``), weighted
by salience, divided by the sum of the actor's saliences.
"""

from __future__ import annotations

import json
import re

import pytest

import detente
from detente import parallel
from detente.bargain.case import bargain, bargaining_problem
from detente.model.io import loads
from detente.report import engine_report

pytestmark = pytest.mark.bargain

TOL = 1e-12

TABLES_CASE = """\
id: tables
title: Value tables and reservation values
actors:
  - {id: A, name: Alpha}
  - {id: B, name: Beta, reservation_value: 0.3}
  - {id: C, name: Gamma, best_alternative: {price: 100}}
issues:
  - id: colour
    name: Colour
    scale: [0, 2]
    levels: [0, 1, 2]
    level_names: [red, green, blue]
    status_quo: 0
    positions:
      A: {position: 2, salience: 60, values: {0: 0.2, 1: 0.5, 2: 1}}
      B: {position: 0, salience: 20, values: {0: 1, 1: 0.25, 2: 0}}
      C: {position: 1, salience: 50}
  - id: price
    name: Price
    levels: [0, 50, 100]
    status_quo: 50
    positions:
      A: {position: 0, salience: 40}
      B: {position: 100, salience: 80, values: {0: 0, 50: 0.4, 100: 1}}
      C: {position: 100, salience: 50}
proposals:
  - {id: deal, name: Blue at 50, positions: {colour: 2, price: 50}}
  - {id: mid, name: Price 75, positions: {price: 75}}
forums:
  - {id: pair, name: Alpha and Beta, members: [A, B]}
  - {id: all, name: Everyone, members: [A, B, C]}
"""


@pytest.fixture(scope="module")
def tables_case():
    return loads(TABLES_CASE)


def _utilities(problem, package):
    digits = problem.space.encode(package, base=problem.status_quo)
    return dict(zip(problem.model.actors, problem.model.utilities_of(digits).tolist(), strict=True))


def test_value_tables_replace_closeness_where_given(tables_case):
    problem = bargaining_problem(tables_case)
    u = _utilities(problem, {"colour": 2, "price": 50})
    # A: (60 x 1 + 40 x (1 - 50/100)) / 100 = 0.8
    # B: (20 x 0 + 80 x 0.4) / 100 = 0.32
    # C: closeness on both: (50 x (1 - 1/2) + 50 x (1 - 50/100)) / 100 = 0.5
    assert u == pytest.approx({"A": 0.8, "B": 0.32, "C": 0.5}, abs=TOL)


def test_a_value_table_is_interpolated_between_levels(tables_case):
    problem = bargaining_problem(tables_case)
    # 75 lies halfway between the levels 50 (0.4) and 100 (1): B values it 0.7.
    # B at the status quo colour red (1) and price 75: (20 x 1 + 80 x 0.7) / 100 = 0.76
    assert _utilities(problem, {"price": 75})["B"] == pytest.approx(0.76, abs=TOL)


def test_reservation_value_over_best_alternative_over_status_quo(tables_case):
    problem = bargaining_problem(tables_case)
    # A: status quo (red, 50): (60 x 0.2 + 40 x 0.5) / 100 = 0.32
    # B: its explicit 0.3 (its status-quo utility would be 0.52)
    # C: best alternative (red, 100): (50 x 0.5 + 50 x 1) / 100 = 0.75
    assert problem.reservation == pytest.approx({"A": 0.32, "B": 0.3, "C": 0.75}, abs=TOL)
    assert problem.reservation_basis == {
        "A": "status_quo",
        "B": "reservation_value",
        "C": "best_alternative",
    }


def test_acceptance_follows_value_tables_and_reservation_values(tables_case):
    data = bargain(tables_case).to_dict()
    assert data["proposals"]["deal"]["accepted_by"] == ["A", "B"]
    assert data["proposals"]["deal"]["blocked_by"] == ["C"]
    assert data["level_names"] == {"colour": ["red", "green", "blue"]}
    assert data["reservation_basis"]["B"] == "reservation_value"
    assert "robustness" not in data


def test_the_report_names_levels_and_reservation_values(tables_case):
    result = bargain(tables_case)
    text = engine_report("bargaining", result, tables_case).to_markdown()
    assert "better off than their reservation values" in text
    assert "Colour moved from red to green" in text
    assert "No deal" in text


def test_without_new_fields_utilities_are_the_linear_additive_ones():
    """The adapter goes through value_tables now; for a plain case the utilities are
    exactly (bit for bit) those of linear_additive."""
    import numpy as np

    from detente.bargain import linear_additive

    case = detente.load("korea")
    problem = bargaining_problem(case)
    ideals = np.array(
        [
            [i.positions[a].position if a in i.positions else i.status_quo for i in case.issues]
            for a in case.actor_ids
        ]
    )
    weights = np.array(
        [
            [i.positions[a].salience / 100 if a in i.positions else 0.0 for i in case.issues]
            for a in case.actor_ids
        ]
    )
    model = linear_additive(
        problem.space, actors=list(case.actor_ids), ideals=ideals, weights=weights
    )
    for mine, theirs in zip(problem.model.tables, model.tables, strict=True):
        assert np.array_equal(mine, theirs)


# -- robustness -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def korea():
    return detente.load("korea")


@pytest.fixture(scope="module")
def korea_robust(korea):
    return bargain(korea, samples=24, seed=5)


def test_robustness_is_json_with_a_share_per_proposal_and_forum(korea, korea_robust):
    data = json.loads(json.dumps(korea_robust.to_dict()))
    rob = data["robustness"]
    assert rob["samples"] == 24
    assert rob["seed"] == 5
    assert set(rob["proposals"]) == {p.id for p in korea.proposals}
    assert set(rob["forums"]) == {f.id for f in korea.forums}
    shares = [*rob["proposals"].values(), *rob["forums"].values()]
    assert all(0 <= p <= 1 for p in shares)
    # a share of 24 samples is a whole number of 24ths
    assert all(abs(p * 24 - round(p * 24)) < 1e-9 for p in shares)
    for fid, p in rob["forums"].items():
        assert p <= rob["forum_agreement"][fid]


def test_the_same_seed_gives_the_same_result_on_local_processes(korea, korea_robust, monkeypatch):
    # worker processes even for this little work (which would otherwise stay here)
    monkeypatch.setattr(parallel, "START_SECONDS", -1.0)
    again = bargain(korea, samples=24, seed=5, workers=2)
    assert again.robustness == korea_robust.robustness


def test_the_same_seed_gives_the_same_result_on_a_dask_cluster(korea, korea_robust):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = bargain(korea, samples=24, seed=5, dask_address=client)
    assert remote.robustness == korea_robust.robustness


def test_without_uncertainty_every_sample_is_the_estimate(tables_case):
    result = bargain(tables_case, samples=6, seed=1, position_sd=0, salience_sd=0)
    data = result.to_dict()
    rob = data["robustness"]
    for pid, p in data["proposals"].items():
        assert rob["proposals"][pid] == (1.0 if not p["blocked_by"] else 0.0)
    for forum in data["forums"]:
        assert rob["forums"][forum["id"]] == (1.0 if forum["agreement_possible"] else 0.0)


def test_a_stance_own_uncertainty_overrides_the_default(tables_case):
    """Every stance says it is certain: large default spreads change nothing."""
    text = re.sub(r"salience: (\d+)", r"salience: \1, position_sd: 0, salience_sd: 0", TABLES_CASE)
    certain = loads(text)
    assert certain.issues[0].positions["A"].salience_sd == 0
    loose = bargain(certain, samples=8, seed=2, position_sd=40, salience_sd=40)
    exact = bargain(tables_case, samples=8, seed=2, position_sd=0, salience_sd=0)
    assert loose.robustness.proposals == exact.robustness.proposals
    assert loose.robustness.forums == exact.robustness.forums


def test_value_tables_do_not_move_with_positions():
    """A party whose every stance is a value table ignores position noise."""
    text = (
        TABLES_CASE.replace(
            "      C: {position: 1, salience: 50}\n",
            "      C: {position: 1, salience: 50, values: {0: 0.5, 1: 1, 2: 0.5}}\n",
        )
        .replace(
            "      A: {position: 0, salience: 40}\n      B",
            "      A: {position: 0, salience: 40, values: {0: 1, 50: 0.5, 100: 0}}\n      B",
        )
        .replace(
            "      C: {position: 100, salience: 50}\n",
            "      C: {position: 100, salience: 50, values: {0: 0, 50: 0.5, 100: 1}}\n",
        )
    )
    case = loads(text)
    noisy = bargain(case, samples=6, seed=3, position_sd=50, salience_sd=0)
    still = bargain(case, samples=6, seed=3, position_sd=0, salience_sd=0)
    assert noisy.robustness == still.robustness.__class__(
        **{**still.robustness.__dict__, "position_sd": 50.0}
    )


def test_the_report_gives_each_share(tables_case):
    result = bargain(tables_case, samples=5, seed=0, position_sd=0, salience_sd=0)
    report = engine_report("bargaining", result, tables_case)
    text = report.to_markdown()
    assert "Every party accepts Blue at 50 in 0% of 5 samples" in text
    assert "Robustness: share of 5 samples (seed 0) inside the zone" in text
    assert "Alpha and Beta can still agree" in text


def test_bad_robustness_parameters_are_refused(tables_case):
    with pytest.raises(ValueError, match="samples"):
        bargain(tables_case, samples=-1)
    with pytest.raises(ValueError, match="position_sd"):
        bargain(tables_case, samples=2, position_sd=-1)
