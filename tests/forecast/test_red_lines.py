"""Red lines in the forecast: no actor concedes past its own, and the result says whose
red lines the forecast crosses.

The worked example is checked by hand from Scholz, Calbert and Smith (2011)'s
formulas (see ``test_eum_worked_example_stops_at_the_red_line``); the properties
check that red lines which never bind, or that nobody has, change nothing, round by
round.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.errors import CaseError
from detente.forecast import expected_utility, forecast, monte_carlo, spatial_model
from detente.model.io import loads
from detente.report import engine_report

from .strategies import issue_inputs

pytestmark = pytest.mark.forecast

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMP_FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INSIDE_TOL = 1e-9  # positions on the 0..100 scale; SMP rescales to 0..1 and back

RUNS = {
    "eum": lambda *a, **k: expected_utility(*a, **k),
    "eum-scholz": lambda *a, **k: expected_utility(*a, variant="scholz-code", **k),
    "smp": lambda *a, **k: spatial_model(*a, **k),
}


def _positions(result) -> np.ndarray:
    """Rounds x actors."""
    it = result.issues[0]
    return np.array([[r[a] for a in result.actors] for r in it.rounds])


# --------------------------------------------------------------------------- worked example


def test_eum_worked_example_stops_at_the_red_line():
    """Two actors, a at 0 (capability 3, salience 1) and b at 100 (capability 1,
    salience 1/2), on 0..100 (so Δ = 100 and d = 1). By hand, with SCS §2.2, §3 and §5:

    - votes: a gives 3 · 100 to a, b gives 0.5 · 100 to b, so P(a beats b) = 6/7;
    - security levels at r = 1 (EU = 2d (1 - 2 s_j (1 - P))): D_b = EU_a(a -> b) =
      2 (1 - 2 · ½ · 1/7) = 12/7 and D_a = EU_b(b -> a) = 2 (1 - 2 · 6/7) = -10/7, so
      R_b = 1, r_b = 1/2 and R_a = -1, r_a = 2;
    - with d = 1, U_s = 2 and U_f = -2 for every r, U_sq = 2 - 4 (½)^r: 1 for a,
      2 - 2√2 for b. a's challenge of b: EU = 2 - 4 s_b (1 - P_ab) - U_sq(a) =
      2 - 2/7 - 1 = 5/7 > 0; b's of a, as b sees it: 2 - 4 · 6/7 - (2 - 2√2) =
      2√2 - 24/7 < 0, and 5/7 + 2√2 - 24/7 > 0: a compromise (BDM's quadrant);
      b's own challenge of a has negative expected utility, so a gets no offer;
    - b moves toward a by |EU_b| / EU_a = (24/7 - 2√2) / (5/7) = 4.8 - 2.8√2 of the
      distance: to 100 (1 - 4.8 + 2.8√2) = 15.98 in round 1.

    With b's red line at least 40, b stops at 40 in round 1 and stays there: the next
    round's compromise would take it below 40 again, and it is clipped back. a never
    moves, the run converges in round 2, and the forecast (the weighted median, a's
    position 0) crosses b's red line.
    """
    actors, c, x, s = ["a", "b"], [3.0, 1.0], [0.0, 100.0], [1.0, 0.5]
    by_hand = 100.0 * (1.0 - 4.8 + 2.8 * math.sqrt(2.0))
    free = expected_utility(actors, c, x, s).issues[0]
    assert free.rounds[1] == {"a": 0.0, "b": pytest.approx(by_hand, abs=1e-9)}
    assert by_hand < 40.0  # without the rule b concedes past 40
    bound = expected_utility(actors, c, x, s, bounds=([None, 40.0], [None, None])).issues[0]
    assert bound.rounds == ({"a": 0.0, "b": 100.0}, {"a": 0.0, "b": 40.0}, {"a": 0.0, "b": 40.0})
    assert bound.stopped == "converged"
    assert bound.forecast == 0.0
    assert bound.red_lines == {"b": "at least 40"}
    assert bound.crosses_red_lines == ({"actor": "b", "red_line": "at least 40", "forecast": 0.0},)
    assert free.crosses_red_lines == ()
    assert free.red_lines == {}


def test_smp_first_turn_is_the_free_turn_clipped():
    """The spatial model clips after the turn's moves: the first turn from the same
    start is the unconstrained one, clipped; c (from 90 to 62.43 without its red line)
    stops at 70 and stays inside from then on."""
    actors, c, x, s = ["a", "b", "c"], [3.0, 1.0, 1.0], [10.0, 60.0, 90.0], [0.9, 0.5, 0.6]
    free = _positions(spatial_model(actors, c, x, s))
    assert free[1, 2] == pytest.approx(62.43)  # c concedes past 70
    run = spatial_model(actors, c, x, s, bounds=([None, None, 70.0], None))
    bound = _positions(run)
    assert bound[1].tolist() == [free[1, 0], free[1, 1], 70.0]
    assert (bound[1:, 2] >= 70.0 - INSIDE_TOL).all()
    it = run.issues[0]
    assert it.forecast < 70.0
    assert it.crosses_red_lines == (
        {"actor": "c", "red_line": "at least 70", "forecast": it.forecast},
    )


def test_joint_smp_clips_every_issue():
    """Bargaining over two issues at once, c would go from 90 to 62.44 on p and b from
    40 to 38.37 on q; with red lines at least 70 and at least 39 they stop there."""
    actors = ["a", "b", "c"]
    c = [3.0, 1.0, 1.0]
    x = np.array([[10.0, 80.0], [60.0, 40.0], [90.0, 20.0]])
    s = np.array([[0.45, 0.45], [0.25, 0.25], [0.3, 0.3]])
    free = spatial_model(actors, c, x, s, issues=["p", "q"])
    assert free.issue("p").final["c"] < 70.0
    assert free.issue("q").final["b"] < 39.0
    low = np.array([[np.nan, np.nan], [np.nan, 39.0], [70.0, np.nan]])
    run = spatial_model(actors, c, x, s, issues=["p", "q"], bounds=(low, None))
    p = np.array([r["c"] for r in run.issue("p").rounds])
    q = np.array([r["b"] for r in run.issue("q").rounds])
    assert (p >= 70.0 - INSIDE_TOL).all()
    assert (q >= 39.0 - INSIDE_TOL).all()
    assert run.issue("p").final["c"] == pytest.approx(70.0, abs=INSIDE_TOL)
    assert run.issue("p").red_lines == {"c": "at least 70"}
    assert run.issue("q").red_lines == {"b": "at least 39"}


# --------------------------------------------------------------------------- properties


def _non_binding(result) -> tuple[np.ndarray, np.ndarray]:
    """Each actor's red line as the range its free run covers: it never binds. The
    range is widened by a rounding error: the spatial model runs on the scale rescaled
    to 0..1, and a line read off the positions rescaled back can lie an ulp inside."""
    rounds = _positions(result)
    return np.maximum(rounds.min(axis=0) - 1e-9, 0.0), np.minimum(rounds.max(axis=0) + 1e-9, 100.0)


@pytest.mark.parametrize("model", list(RUNS))
@FAST
@given(data=issue_inputs(), which=st.integers(0, 3))
def test_red_lines_that_never_bind_change_nothing(model, data, which):
    """No red lines, open ones, and red lines that the free run never reaches give
    the same run, round by round, to the last bit."""
    actors, c, x, s = data
    free = RUNS[model](actors, c, x, s)
    low, high = _non_binding(free)
    n = len(actors)
    nan = np.full(n, np.nan)
    bounds = [(nan, nan), (low, high), (low, nan), (nan, high)][which]
    bound = RUNS[model](actors, c, x, s, bounds=bounds)
    assert bound.issues[0].rounds == free.issues[0].rounds
    assert bound.issues[0].forecast == free.issues[0].forecast
    assert bound.issues[0].stopped == free.issues[0].stopped


@pytest.mark.parametrize("model", list(RUNS))
@FAST
@given(data=issue_inputs(), cuts=st.lists(st.integers(0, 200), min_size=14, max_size=14))
def test_no_actor_ends_a_round_past_its_red_line(model, data, cuts):
    actors, c, x, s = data
    n = len(actors)
    a = np.array(cuts[:n], dtype=float) / 2
    b = np.array(cuts[7 : 7 + n], dtype=float) / 2
    low, high = np.minimum(a, b), np.maximum(a, b)
    low[::3] = np.nan  # some actors have only an upper bound, or none
    high[1::3] = np.nan
    run = RUNS[model](actors, c, x, s, bounds=(low, high))
    rounds = _positions(run)[1:]
    assert (rounds >= np.nan_to_num(low, nan=-np.inf) - INSIDE_TOL).all()
    assert (rounds <= np.nan_to_num(high, nan=np.inf) + INSIDE_TOL).all()
    f = run.issues[0].forecast
    crossed = {d["actor"] for d in run.issues[0].crosses_red_lines}
    outside = {
        actors[i]
        for i in range(n)
        if (not np.isnan(low[i]) and f < low[i] - 1e-9)
        or (not np.isnan(high[i]) and f > high[i] + 1e-9)
    }
    assert crossed == outside


@FAST
@given(data=issue_inputs(), seed=st.integers(0, 2**32))
def test_open_red_lines_leave_monte_carlo_unchanged(data, seed):
    actors, c, x, s = data
    kw = dict(position_sd=5.0, models=("median", "eum"), n_runs=6, seed=seed)
    nan = np.full(len(actors), np.nan)
    free = monte_carlo(actors, c, x, s, **kw)
    assert monte_carlo(actors, c, x, s, bounds=(nan, nan), **kw).to_dict() == free.to_dict()


def test_monte_carlo_keeps_red_lines_in_every_sample():
    """Every actor accepts nothing below 40: no sample's draw, run or forecast goes there."""
    actors, c, x, s = ["a", "b", "c"], [1.0, 2.0, 1.0], [45.0, 60.0, 90.0], [1.0, 0.5, 0.5]
    kw = dict(position_sd=20.0, models=("mean", "median", "eum", "smp"), n_runs=60, seed=3)
    free = monte_carlo(actors, c, x, s, **kw)
    assert min(free.get("issue", "mean").samples) < 40.0
    run = monte_carlo(actors, c, x, s, bounds=(40.0, None), **kw)
    for model in ("mean", "median", "eum", "smp"):
        assert min(run.get("issue", model).samples) >= 40.0 - INSIDE_TOL
    assert run.parameters["bounds"]["at_least"] == [40.0, 40.0, 40.0]


def test_bad_bounds_are_refused_with_their_place():
    args = (["a", "b"], [1, 1], [20, 80], [1, 1])
    with pytest.raises(CaseError) as err:
        expected_utility(*args, bounds=([50, 10], [40, None]))
    assert "bounds[0]: at_least must not be above at_most" in str(err.value)
    with pytest.raises(CaseError, match="at_most must lie on the scale"):
        spatial_model(*args, bounds=(None, [150, None]))
    with pytest.raises(CaseError, match="wrong shape"):
        monte_carlo(*args, bounds=([1, 2, 3], None), n_runs=2)
    with pytest.raises(CaseError, match="a pair"):
        expected_utility(*args, bounds=5)


# --------------------------------------------------------------------------- a case


CASE = """\
id: red
title: Red lines in a forecast
actors:
  - {id: US, name: United States, capability: 100}
  - {id: NK, name: North Korea, capability: 40}
  - {id: CN, name: China, capability: 60}
issues:
  - id: denuc
    name: Denuclearisation
    positions:
      US: {position: 95, salience: 90}
      NK: {position: 10, salience: 100, red_line: {at_most: 30, vetoes: [20]}}
      CN: {position: 60, salience: 60}
  - id: relief
    name: Sanctions relief
    positions:
      US: {position: 10, salience: 60}
      NK: {position: 90, salience: 70}
      CN: {position: 70, salience: 50}
"""

NO_RED_LINES = CASE.replace(", red_line: {at_most: 30, vetoes: [20]}", "")


def test_a_case_forecast_names_the_red_lines_its_forecasts_cross():
    case = loads(CASE)
    result = forecast(case)
    data = result.to_dict()["issues"]["denuc"]
    assert data["red_lines"] == {
        "NK": {
            "red_line": "at most 30, never 20",
            "at_least": None,
            "at_most": 30.0,
            "vetoes": [20.0],
            "position": 10.0,
        }
    }
    for model in ("eum", "smp"):
        run = result.results["denuc"][model]
        assert all(r["NK"] <= 30.0 + INSIDE_TOL for r in run.rounds)
        assert run.vetoes_not_enforced == {"NK": (20.0,)}
    crossing = {c["model"]: c for c in data["crosses_red_lines"]}
    for model, run in result.results["denuc"].items():
        assert (model in crossing) == (run.forecast > 30.0)
        assert run.red_lines == {"NK": "at most 30, never 20"}
        if model in crossing:
            assert crossing[model] == {
                "model": model,
                "actor": "NK",
                "red_line": "at most 30, never 20",
                "forecast": run.forecast,
            }
    assert data["crosses_red_lines"]  # NK is outweighed: the forecasts go past 30
    assert data["vetoes_not_enforced"] == {"NK": [20.0]}
    assert result.results["denuc"]["mean"].vetoes_not_enforced == {}


def test_issues_without_red_lines_are_forecast_as_before():
    with_lines = forecast(loads(CASE), samples=20, seed=4)
    without = forecast(loads(NO_RED_LINES), samples=20, seed=4)
    assert with_lines.to_dict()["issues"]["relief"] == without.to_dict()["issues"]["relief"]
    assert without.to_dict()["issues"]["denuc"]["crosses_red_lines"] == []
    assert without.to_dict()["issues"]["denuc"]["red_lines"] == {}


def test_vetoes_alone_bind_no_run_and_are_said_to_be_unenforced():
    case = loads(CASE.replace("{at_most: 30, vetoes: [20]}", "{vetoes: [20, 80]}"))
    result = forecast(case, models=["eum", "smp", "mean"], issue="denuc")
    free = forecast(loads(NO_RED_LINES), models=["eum", "smp", "mean"], issue="denuc")
    for model in ("eum", "smp", "mean"):
        assert result.results["denuc"][model].rounds == free.results["denuc"][model].rounds
    assert result.results["denuc"]["eum"].vetoes_not_enforced == {"NK": (20.0, 80.0)}
    assert result.to_dict()["issues"]["denuc"]["vetoes_not_enforced"] == {"NK": [20.0, 80.0]}
    text = " ".join(_section(case, result).findings)
    assert "cannot enforce North Korea's vetoes of 20 and 80" in text


def test_a_red_line_beyond_a_narrower_scale_is_held_at_its_end():
    case = loads(CASE.replace("{at_most: 30, vetoes: [20]}", "{at_least: 5, at_most: 99}"))
    result = forecast(case, models=["eum"], issue="denuc", scale=(0.0, 96.0))
    assert all(r["NK"] >= 5.0 for r in result.results["denuc"]["eum"].rounds[1:])


def test_joint_and_monte_carlo_forecasts_of_a_case_keep_red_lines():
    case = loads(CASE)
    joint = forecast(case, models=["smp"], joint=True)
    assert all(r["NK"] <= 30.0 + INSIDE_TOL for r in joint.results["denuc"]["smp"].rounds)
    sampled = forecast(case, models=["eum", "mean"], issue="denuc", samples=30, seed=2)
    free = forecast(loads(NO_RED_LINES), models=["eum", "mean"], issue="denuc", samples=30, seed=2)
    # drawn positions past NK's red line are kept at it, so the samples shift
    assert sampled.monte_carlo["denuc"]["eum"].samples != free.monte_carlo["denuc"]["eum"].samples


# --------------------------------------------------------------------------- the report


def _section(case, result):
    # The forecast's own section (a consistency section may come first).
    return next(s for s in engine_report("forecast", result, case).sections if s.key == "forecast")


def test_the_report_names_every_crossing():
    """NK (at most 30) is outweighed on denuclearisation: every model's forecast lies
    beyond its red line, and the text, the table and the Markdown say so."""
    case = loads(CASE)
    result = forecast(case)
    forecasts = {m: r.forecast for m, r in result.results["denuc"].items()}
    assert all(f > 30.0 for f in forecasts.values())
    section = _section(case, result)
    text = " ".join(section.findings)
    assert (
        f"Denuclearisation: the forecasts of the expected utility model ({forecasts['eum']:.0f}), "
        f"the spatial model ({forecasts['smp']:.0f}), the weighted mean ({forecasts['mean']:.1f}) "
        f"and the weighted median ({forecasts['median']:.0f}) cross North Korea's red line "
        "(at most 30, never 20), an outcome North Korea never accepts." in text
    )
    assert (
        "Denuclearisation: the expected utility model and the spatial model cannot enforce "
        "North Korea's veto of 20" in text
    )
    assert "Sanctions relief: every forecast" not in text  # no red lines there
    (table,) = [t for t in section.tables if t.title == "Red lines crossed by the forecasts"]
    models = ["expected utility model", "spatial model", "weighted mean", "weighted median"]
    assert [row[:4] for row in table.rows] == [
        ["Denuclearisation", "North Korea", "at most 30, never 20", m] for m in models
    ]
    markdown = engine_report("forecast", result, case).to_markdown()
    assert "### Red lines crossed by the forecasts" in markdown
    assert "| Denuclearisation | North Korea | at most 30, never 20 | spatial model |" in markdown


def test_the_report_says_when_every_forecast_respects_the_red_lines():
    case = loads(CASE.replace("{at_most: 30, vetoes: [20]}", "{at_most: 99}"))
    text = " ".join(_section(case, forecast(case)).findings)
    assert (
        "Denuclearisation: every forecast respects the red lines of the parties: "
        "North Korea's (at most 99)." in text
    )
    assert "Red lines crossed" not in text


def test_the_report_shows_a_forecast_just_past_a_line_with_the_decimals_that_tell():
    """A forecast a hair beyond the line is not rounded back onto it in the text."""
    mean = forecast(loads(NO_RED_LINES), models=["mean"], issue="denuc").results["denuc"]
    mean = mean["mean"].forecast  # 66.93...
    line = math.floor(mean * 1000) / 1000
    assert round(mean, 1) <= line < mean
    case = loads(CASE.replace("{at_most: 30, vetoes: [20]}", f"{{at_most: {line}}}"))
    text = " ".join(_section(case, forecast(case, models=["mean"], issue="denuc")).findings)
    shown = text.split("the forecast of the weighted mean (")[1].split(")")[0]
    assert float(shown) > line
    assert len(shown.split(".")[1]) > 1


def test_the_report_flags_a_start_beyond_its_own_red_line():
    case = loads(CASE.replace("position: 10, salience: 100", "position: 45, salience: 100"))
    result = forecast(case, models=["eum", "mean"], issue="denuc")
    assert result.results["denuc"]["eum"].rounds[1]["NK"] <= 30.0
    text = " ".join(_section(case, result).findings)
    assert (
        "North Korea's starting position (45) lies beyond its own red line (at most 30, never 20); "
        "the expected utility model moves it to the line in the first round." in text
    )


def test_the_report_tells_a_shared_red_line_once():
    from detente.report.forecasting import _red_line_findings

    line = {"red_line": "at least 50", "at_least": 50.0, "at_most": None, "vetoes": []}
    entry = {
        "name": "Extended deterrence",
        "models": {"eum": {}, "mean": {}},
        "red_lines": {"ROK": {**line, "position": 80.0}, "JPN": {**line, "position": 90.0}},
        "crosses_red_lines": [
            {"model": m, "actor": a, "red_line": "at least 50", "forecast": f}
            for m, f in (("eum", 45.0), ("mean", 49.96))
            for a in ("ROK", "JPN")
        ],
    }
    names = {"ROK": "South Korea", "JPN": "Japan"}
    assert _red_line_findings(entry, names, ["eum", "mean"]) == [
        "Extended deterrence: the forecasts of the expected utility model (45) and the "
        "weighted mean (49.96) cross the red line South Korea and Japan share (at least 50), "
        "an outcome neither accepts."
    ]
