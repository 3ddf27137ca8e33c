"""Backtests: the tables, the metrics, the bootstrap and the whole run on synthetic data."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import CaseError
from detente.forecast.backtest import (
    MODELS,
    backtest,
    error_metrics,
    paired_bootstrap,
)
from detente.model.io.issue_tables import (
    parse_outcome_table,
    parse_stance_table,
    read_stance_table,
)

pytestmark = pytest.mark.forecast

STANCES = """issue,actor,capability,position,salience
i1,a,1,0,1
i1,b,1,100,1
i2,a,1,0,0.5
i2,b,3,100,0.5
i2,c,2,40,1
i3,a,2,20,1
i3,b,1,80,1
"""
OUTCOMES = """issue,proposal,voting,reference_point,outcome
i1,p1,QMV,0,50
i2,p1,QMV,,70
i3,p2,Unan,100,40
"""


def _problems(exc: pytest.ExceptionInfo[CaseError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


# --- the tables -----------------------------------------------------------------------


def test_stance_table_groups_rows_by_issue():
    table = parse_stance_table(STANCES)
    assert [t.issue for t in table] == ["i1", "i2", "i3"]
    assert table[1].actors == ("a", "b", "c")
    assert table[1].capability == (1.0, 3.0, 2.0)
    assert table[1].salience == (0.5, 0.5, 1.0)
    assert table[2].line == 7


def test_outcome_table_keeps_groups_reference_points_and_categories():
    table = parse_outcome_table(OUTCOMES)
    assert [(o.issue, o.group, o.outcome, o.reference_point) for o in table] == [
        ("i1", "p1", 50.0, 0.0),
        ("i2", "p1", 70.0, None),
        ("i3", "p2", 40.0, 100.0),
    ]
    assert table[2].attributes == {"voting": "Unan"}


def test_without_a_proposal_column_each_issue_is_its_own_group():
    table = parse_outcome_table("issue,outcome\nx,1\ny,2\n")
    assert [o.group for o in table] == ["x", "y"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "issue,actor,position,salience\ni,a,1,1\n",
            "<stances>:1: capability: missing column 'capability'",
            id="missing-column",
        ),
        pytest.param(
            "issue,actor,capability,position,salience\ni,a,1,x,1\n",
            "<stances>:2: position: position must be a number",
            id="not-a-number",
        ),
        pytest.param(
            "issue,actor,capability,position,salience\ni,a,1,150,1\n",
            "<stances>:2: position: position must be on the scale [0, 100]",
            id="off-the-scale",
        ),
        pytest.param(
            "issue,actor,capability,position,salience\ni,a,0,50,1\n",
            "<stances>:2: capability: capability must be > 0",
            id="zero-capability",
        ),
        pytest.param(
            "issue,actor,capability,position,salience\ni,a,1,50,inf\n",
            "<stances>:2: salience: salience must be a finite number",
            id="infinite",
        ),
        pytest.param(
            "issue,actor,capability,position,salience\ni,a,1,50,1\n\ni,a,2,60,1\n",
            "<stances>:4: actor: actor 'a' has a second row on issue 'i' (the first is on line 2)",
            id="duplicate-actor-row",
        ),
        pytest.param(
            "issue,actor,capability,position,salience\n,a,1,50,1\n",
            "<stances>:2: issue: issue is empty",
            id="empty-issue",
        ),
    ],
)
def test_bad_stance_tables_name_line_and_column(text, expected):
    with pytest.raises(CaseError) as exc:
        parse_stance_table(text)
    assert any(p.startswith(expected) for p in _problems(exc)), _problems(exc)


def test_saliences_on_a_0_to_100_scale_get_a_hint():
    with pytest.raises(CaseError) as exc:
        parse_stance_table("issue,actor,capability,position,salience\ni,a,1,50,40\ni,b,1,0,60\n")
    assert any("divide a 0-100 salience column by 100" in p for p in _problems(exc))


def test_bad_outcome_tables_name_line_and_column():
    with pytest.raises(CaseError) as exc:
        parse_outcome_table("issue,outcome\ni1,50\ni1,60\ni2,200\ni3,abc\n", file="o.csv")
    assert _problems(exc) == [
        "o.csv:3: issue: issue 'i1' has a second row (the first is on line 2)",
        "o.csv:4: outcome: outcome must be on the scale [0, 100]",
        "o.csv:5: outcome: outcome must be a number, not 'abc'",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"issue,actor\x00", "binary file", id="nul-byte"),
        pytest.param(b"\xff\xfe\xfa", "not UTF-8", id="not-utf8"),
        pytest.param(b"", "the table is empty", id="empty"),
        pytest.param(
            b"issue,actor,capability,position,salience\n" + b"i,a," + b"9" * 200_000 + b",1,1\n",
            "a cell is longer than",
            id="huge-cell",
        ),
    ],
)
def test_broken_files_are_refused_with_the_file_name(tmp_path, content, expected):
    path = tmp_path / "stances.csv"
    path.write_bytes(content)
    with pytest.raises(CaseError) as exc:
        read_stance_table(path)
    message = _problems(exc)[0]
    assert message.startswith(str(path)) and expected in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CaseError, match="no such file"):
        read_stance_table(tmp_path / "nowhere.csv")


# --- the metrics ----------------------------------------------------------------------


def test_metrics_against_a_hand_computation():
    # errors: +10, -20, 0, +5 -> MAE 35/4, RMSE sqrt(525/4), within 10: 3 of 4, within 20: 4
    m = error_metrics([60, 30, 50, 105], [50, 50, 50, 100])
    assert m["mae"] == pytest.approx(8.75)
    assert m["rmse"] == pytest.approx(np.sqrt(525 / 4))
    assert m["within_10"] == pytest.approx(0.75)
    assert m["within_20"] == pytest.approx(1.0)
    assert m["bias"] == pytest.approx(-5 / 4)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.floats(0, 100)),
        min_size=1,
        max_size=40,
    )
)
def test_metric_inequalities(pairs):
    f, y = zip(*pairs, strict=True)
    m = error_metrics(f, y)
    assert m["rmse"] >= m["mae"] - 1e-9 >= abs(m["bias"]) - 2e-9
    assert 0 <= m["within_10"] <= m["within_20"] <= 1


def test_bootstrap_of_a_constant_difference_is_that_difference():
    est, lo, hi = paired_bootstrap([3, 5, 7, 9], [1, 3, 5, 7], ["a", "b", "b", "c"], n=500)
    assert (est, lo, hi) == (2.0, 2.0, 2.0)


def test_bootstrap_resamples_whole_groups():
    # Group g1 (two issues) is 10 points worse, g2 (two issues) 10 points better. Drawing
    # groups, a resample's mean difference is +10, 0 or -10 and nothing in between.
    loss = [10, 10, 0, 0]
    base = [0, 0, 10, 10]
    groups = ["g1", "g1", "g2", "g2"]
    est, lo, hi = paired_bootstrap(loss, base, groups, n=2000, seed=3)
    assert est == 0.0
    assert lo == -10.0 and hi == 10.0


def test_bootstrap_is_determined_by_its_seed():
    rng = np.random.default_rng(0)
    loss, base = rng.random(30), rng.random(30)
    groups = [f"g{i % 7}" for i in range(30)]
    a = paired_bootstrap(loss, base, groups, seed=5)
    assert a == paired_bootstrap(loss, base, groups, seed=5)
    assert a[1] < a[0] < a[2]


# --- the whole backtest ---------------------------------------------------------------


def _synthetic(n_issues: int = 24, seed: int = 1) -> tuple[str, str]:
    """Issues whose recorded outcome is exactly the compromise position."""
    rng = np.random.default_rng(seed)
    stances = io.StringIO()
    outcomes = io.StringIO()
    sw, ow = csv.writer(stances), csv.writer(outcomes)
    sw.writerow(["issue", "actor", "capability", "position", "salience"])
    ow.writerow(["issue", "proposal", "voting", "outcome"])
    for i in range(n_issues):
        n = int(rng.integers(3, 7))
        c = rng.uniform(0.5, 3, n).round(2)
        x = rng.choice([0.0, 25.0, 50.0, 75.0, 100.0], n)
        s = rng.uniform(0.2, 1, n).round(2)
        for k in range(n):
            sw.writerow([f"i{i}", f"a{k}", c[k], x[k], s[k]])
        outcome = float((c * s * x).sum() / (c * s).sum())
        ow.writerow([f"i{i}", f"p{i // 3}", "QMV" if i % 2 else "Unan", repr(outcome)])
    return stances.getvalue(), outcomes.getvalue()


@pytest.fixture(scope="module")
def synthetic():
    text_s, text_o = _synthetic()
    return parse_stance_table(text_s), parse_outcome_table(text_o)


def test_when_outcomes_are_the_compromise_position_the_compromise_model_is_exact(synthetic):
    res = backtest(*synthetic, models=("mean", "median"), workers=1)
    mean = res.records["mean"]
    assert res.recommended == "mean"
    assert mean.mae == pytest.approx(0, abs=1e-9) and mean.coverage == 1.0
    assert mean.within_10 == 1.0 and mean.vs_baseline is None
    median = res.records["median"]
    assert median.mae > 5
    d, lo, hi = median.vs_baseline
    assert d == pytest.approx(median.mae) and 0 < lo <= d <= hi
    assert set(res.breakdowns["voting"]) == {"QMV", "Unan"}
    assert sum(v["n"] for v in res.breakdowns["voting"].values()) == 24


def test_every_model_runs_and_the_json_has_the_documented_keys(synthetic):
    stances, outcomes = synthetic
    res = backtest(stances[:6], outcomes, bootstrap=200, workers=1)
    data = json.loads(json.dumps(res.to_dict()))
    assert list(data["models"]) == list(MODELS)
    assert data["recommended"] in data["models"]
    issue = data["issues"]["i0"]
    for m in MODELS:
        assert 0 <= issue["models"][m]["forecast"] <= 100
    assert {"mae", "rmse", "within_10", "within_20", "bias"} <= set(data["models"]["eum"])
    assert "mae_minus_baseline" in data["models"]["smp"]
    # only the first six issues have stances: the others are skipped, with the reason
    skipped = {s["issue"]: s["reason"] for s in data["skipped"]}
    assert skipped["i7"] == "no stances in the stance table"


def test_the_same_seed_gives_the_same_result_on_one_or_two_processes(synthetic):
    a = backtest(*synthetic, models=("mean", "median", "eum-scholz"), seed=4, workers=1)
    b = backtest(*synthetic, models=("mean", "median", "eum-scholz"), seed=4, workers=2)
    assert a.to_dict() == b.to_dict()
    c = backtest(*synthetic, models=("mean", "median", "eum-scholz"), seed=5, workers=1)
    assert c.records["median"].vs_baseline != a.records["median"].vs_baseline


def test_untestable_issues_are_listed_not_fatal():
    stances = parse_stance_table(
        "issue,actor,capability,position,salience\n"
        "ok,a,1,0,1\nok,b,1,100,1\n"
        "alone,a,1,0,1\n"
        "quiet,a,1,0,0\nquiet,b,1,100,0\n"
        "orphan,a,1,0,1\norphan,b,1,10,1\n"
        "blank,a,1,0,1\nblank,b,1,10,1\n"
    )
    outcomes = parse_outcome_table("issue,outcome\nok,50\nalone,0\nquiet,10\nblank,\nunknown,30\n")
    res = backtest(stances, outcomes, models=("mean",), workers=1)
    assert [i.issue for i in res.issues] == ["ok"]
    assert dict(res.skipped) == {
        "alone": "only 1 actor with a stance",
        "quiet": "every salience is zero",
        "blank": "no recorded outcome",
        "unknown": "no stances in the stance table",
        "orphan": "no row in the outcome table",
    }


def test_nothing_testable_is_an_error():
    stances = parse_stance_table("issue,actor,capability,position,salience\nx,a,1,0,1\n")
    outcomes = parse_outcome_table("issue,outcome\ny,50\n")
    with pytest.raises(CaseError, match="no issue can be tested"):
        backtest(stances, outcomes, workers=1)


def test_unknown_models_are_refused(synthetic):
    with pytest.raises(CaseError, match="unknown model 'oracle'"):
        backtest(*synthetic, models=("oracle",), workers=1)


def test_monte_carlo_intervals_get_their_coverage_measured(synthetic):
    stances, outcomes = synthetic
    res = backtest(
        stances[:8], outcomes[:8], models=("mean",), samples=60, position_sd=10, workers=1
    )
    rec = res.records["mean"]
    # the outcome is the compromise position of the stated inputs: the compromise model's
    # intervals over drawn inputs hold it nearly always
    assert rec.mc_coverage is not None and rec.mc_coverage >= 0.75
    lo, hi = res.issues[0].mc_intervals["mean"]
    assert lo < res.issues[0].forecasts["mean"] < hi
    # the calibrated interval is another thing: forecast plus or minus half the scale's range
    clo, chi = res.issues[0].intervals["mean"]
    assert (clo, chi) != (lo, hi) and chi - clo > hi - lo


def test_frame_and_html_for_notebooks(synthetic):
    pytest.importorskip("pandas")
    res = backtest(*synthetic, models=("mean", "median"), workers=1)
    frame = res.to_frame()
    assert len(frame) == 2 * len(res.issues)
    assert {"issue", "proposal", "model", "forecast", "outcome", "error", "voting"} <= set(frame)
    summary = res.summary_frame()
    assert summary.loc["median", "mae"] == pytest.approx(res.records["median"].mae)
    assert "<table>" in res._repr_html_() and "median" in res._repr_html_()


def test_a_dask_cluster_gives_the_same_backtest(synthetic):
    distributed = pytest.importorskip("distributed")
    local = backtest(*synthetic, models=("mean", "median", "eum-scholz"), workers=1)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = backtest(*synthetic, models=("mean", "median", "eum-scholz"), dask_address=client)
    assert remote.to_dict() == local.to_dict()


def test_progress_is_reported_up_to_the_whole(synthetic):
    seen: list[tuple[int, int]] = []
    backtest(*synthetic, models=("mean",), workers=1, progress=lambda d, n: seen.append((d, n)))
    assert seen and seen[-1] == (24, 24)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_model_s_monte_carlo_interval_does_not_depend_on_the_other_models(synthetic):
    stances, outcomes = synthetic
    alone = backtest(stances[:4], outcomes[:4], models=("mean",), samples=20, workers=1)
    along = backtest(
        stances[:4], outcomes[:4], models=("mean", "median", "eum-scholz"), samples=20, workers=1
    )
    assert [i.mc_intervals["mean"] for i in alone.issues] == [
        i.mc_intervals["mean"] for i in along.issues
    ]
    assert all("eum-scholz" in i.mc_intervals for i in along.issues)
