"""``detente stability``'s JSON (streamed) and its state tables (--states-out)."""

from __future__ import annotations

import csv
import json

import pytest

from detente import load
from detente.gmcr import analyze_conflict


def test_the_streamed_json_is_the_analysis_as_data(run_cli):
    result = run_cli("stability", "chicken", "--format", "json")
    assert result.exit_code == 0, result.stderr
    expected = analyze_conflict(load("chicken")).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))


def test_json_with_states_lists_only_them(run_cli):
    result = run_cli("stability", "chicken", "--states", "1,YY", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["index"] for s in data["states"]] == [1, 4]
    assert data["equilibria"]  # every equilibrium is still named by number


def test_states_out_writes_one_row_per_state(run_cli, tmp_path):
    out = tmp_path / "states.csv"
    result = run_cli("stability", "prisoners_dilemma", "--states-out", str(out))
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert [r["state"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[3]["equilibrium:nash"] == "true" and rows[0]["equilibrium:nash"] == "false"
    assert "wrote 4 states" in result.stderr


def test_states_out_parquet_reads_back(run_cli, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet needs pyarrow (the parquet extra)")
    out = tmp_path / "states.parquet"
    result = run_cli("stability", "prisoners_dilemma", "--states-out", str(out))
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out)
    assert table.num_rows == 4
    assert table.column("equilibrium:nash").to_pylist() == [False, False, False, True]


def test_states_out_with_an_unknown_suffix_is_refused_before_the_work(run_cli, tmp_path):
    result = run_cli("stability", "korea", "--states-out", str(tmp_path / "states.xlsx"))
    assert result.exit_code == 2
    assert "--states-out" in result.stderr and ".csv" in result.stderr


def test_one_reachable_state_is_told_in_the_singular(run_cli):
    result = run_cli("status-quo", "korea", "--scenario", "seoul_as_2018")
    assert result.exit_code == 0
    assert "1 state can be reached" in result.stdout
    assert "1 states" not in result.stdout
