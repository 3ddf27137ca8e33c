"""``detente backtest``: the command a user runs on their own tables."""

from __future__ import annotations

import csv
import json
from html import unescape
from pathlib import Path

import pytest

STANCES = """issue,actor,capability,position,salience
i1,a,1,0,1
i1,b,1,100,1
i1,c,2,60,0.5
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


@pytest.fixture
def tables(tmp_path: Path) -> tuple[Path, Path]:
    s, o = tmp_path / "stances.csv", tmp_path / "outcomes.csv"
    s.write_text(STANCES)
    o.write_text(OUTCOMES)
    return s, o


def test_json_has_forecasts_per_issue_and_model_and_the_recommended_key(run_cli, tables):
    s, o = tables
    result = run_cli("backtest", str(s), "--outcomes", str(o), "--workers", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["recommended"] in data["models"]
    assert set(data["issues"]) == {"i1", "i2", "i3"}
    f = data["issues"]["i2"]["models"]["mean"]["forecast"]
    assert f == pytest.approx((0 * 0.5 + 100 * 1.5 + 40 * 2) / (0.5 + 1.5 + 2))
    assert data["models"]["mean"]["mae"] == pytest.approx(
        sum(abs(i["models"]["mean"]["error"]) for i in data["issues"].values()) / 3
    )


def test_text_report_fits_80_columns_and_writes_csv_html_markdown(run_cli, tables, tmp_path):
    s, o = tables
    out_csv, out_html, out_md = tmp_path / "f.csv", tmp_path / "r.html", tmp_path / "r.md"
    result = run_cli(
        "backtest",
        str(s),
        "--outcomes",
        str(o),
        "--model",
        "mean",
        "--model",
        "median",
        "--workers",
        "1",
        "--csv",
        str(out_csv),
        "--html",
        str(out_html),
        "--markdown",
        str(out_md),
    )
    assert result.exit_code == 0, result.stderr
    assert "Forecasts against recorded outcomes" in result.stdout
    assert "Mean absolute error by voting" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    rows = list(csv.DictReader(out_csv.read_text().splitlines()))
    assert len(rows) == 6 and {r["model"] for r in rows} == {"mean", "median"}
    html = out_html.read_text()
    assert "Forecast against recorded outcome" in html and "The case</a>" not in html
    assert "| compromise |" in out_md.read_text()


@pytest.mark.parametrize(
    ("stances", "outcomes", "expected"),
    [
        pytest.param(
            STANCES.replace("i1,b,1,100,1", "i1,b,1,140,1"),
            OUTCOMES,
            "stances.csv:3: position: position must be on the scale [0, 100]",
            id="position-off-scale",
        ),
        pytest.param(
            STANCES + "i1,a,1,10,1\n",
            OUTCOMES,
            "stances.csv:10: actor: actor 'a' has a second row on issue 'i1'",
            id="duplicate-actor",
        ),
        pytest.param(
            STANCES,
            "issue,result\ni1,50\n",
            "outcomes.csv:1: outcome: missing column 'outcome'",
            id="no-outcome-column",
        ),
    ],
)
def test_bad_tables_exit_2_naming_file_line_and_column(
    run_cli, tmp_path, stances, outcomes, expected
):
    s, o = tmp_path / "stances.csv", tmp_path / "outcomes.csv"
    s.write_text(stances)
    o.write_text(outcomes)
    result = run_cli("backtest", str(s), "--outcomes", str(o), "--workers", "1")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_model_is_a_usage_error(run_cli, tables):
    s, o = tables
    result = run_cli("backtest", str(s), "--outcomes", str(o), "--model", "oracle")
    assert result.exit_code == 2
    assert "'oracle' is not one of" in result.stderr


def test_skipped_issues_are_listed(run_cli, tables):
    s, o = tables
    o.write_text(OUTCOMES + "i9,p3,QMV,,10\n")
    result = run_cli("backtest", str(s), "--outcomes", str(o), "--model", "mean", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert "Issues not tested" in result.stdout
    assert "no stances in the stance table" in result.stdout


def test_the_command_offers_every_model_the_engine_has():
    from detente.cli.forecasting import BacktestModel
    from detente.forecast.backtest import MODELS

    assert tuple(m.value for m in BacktestModel) == MODELS


MODEL_LABELS = ("compromise", "weighted", "EUM (paper)", "EUM (Scholz)", "spatial")


def test_the_builtin_example_runs_without_outcomes_and_says_it_is_synthetic(run_cli):
    result = run_cli("backtest", "example", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert "Forecasts against recorded outcomes" in result.stdout
    assert "On 12 issues" in result.stdout
    assert "Mean absolute error by procedure" in result.stdout
    for label in MODEL_LABELS:  # every model's errors
        assert label in result.stdout, label
    assert "synthetic" in result.stderr and "not real decisions" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_the_example_gives_every_models_errors_as_json_and_names_itself(run_cli, tmp_path):
    from detente.forecast.backtest import MODELS

    page = tmp_path / "r.html"
    result = run_cli(
        "backtest", "example", "--workers", "1", "--format", "json", "--html", str(page)
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["issues"]) == 12
    assert set(data["models"]) == set(MODELS)
    assert all(m["mae"] >= 0 for m in data["models"].values())
    heading = unescape(page.read_text())  # the report's heading names the tables
    assert "detente's synthetic example (backtest-stances.csv)" in heading
    assert "detente's synthetic example (backtest-outcomes.csv)" in heading


def test_a_table_of_your_own_still_needs_its_outcomes(run_cli, tables):
    s, _ = tables
    result = run_cli("backtest", str(s), "--workers", "1")
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())  # as one line, whatever the wrapping
    assert "--outcomes" in message and "detente backtest example" in message
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_file_called_example_is_read_as_a_file(run_cli, tables, tmp_path, monkeypatch):
    """As with built-in case names, a file of that name wins over the built-in example."""
    s, o = tables
    monkeypatch.chdir(tmp_path)
    Path("example").write_text(s.read_text())
    result = run_cli("backtest", "example", "--outcomes", str(o), "--workers", "1", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert set(json.loads(result.stdout)["issues"]) == {"i1", "i2", "i3"}
    assert run_cli("backtest", "example", "--workers", "1").exit_code == 2
