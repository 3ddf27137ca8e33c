"""Tables of plain columns written as CSV (always) and Parquet (with pyarrow)."""

from __future__ import annotations

import csv
import sys

import numpy as np
import pytest

from detente.model.io import state_tables
from detente.model.io.state_tables import (
    PARQUET_EXTRA,
    Columns,
    table_format,
    write_csv,
    write_parquet,
    write_state_table,
)

COLUMNS: Columns = {
    "state": np.array([1, 2, 3], dtype=np.int64),
    "pattern": np.array(["YN", "NY", "YY"]),
    "a, b": np.array([True, False, True]),
    "note": ['says "no"', None, "two\nlines"],
    "share": [0.5, 1.25, None],
}


def _rows(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_csv_quotes_only_what_needs_it(tmp_path) -> None:
    out = tmp_path / "states.csv"
    write_state_table(COLUMNS, out)
    assert _rows(out) == [
        ["state", "pattern", "a, b", "note", "share"],
        ["1", "YN", "true", 'says "no"', "0.5"],
        ["2", "NY", "false", "", "1.25"],
        ["3", "YY", "true", "two\nlines", ""],
    ]
    assert out.read_text(encoding="utf-8").startswith('state,pattern,"a, b",note,share\n1,YN,')


def test_csv_in_blocks_is_the_same_table(tmp_path, monkeypatch) -> None:
    n = 1000
    columns = {
        "state": np.arange(1, n + 1),
        "pattern": np.array([format(i, "010b") for i in range(n)]),
        "stable": np.arange(n) % 3 == 0,
    }
    whole = tmp_path / "whole.csv"
    write_state_table(columns, whole)
    monkeypatch.setattr(state_tables, "_ROWS_PER_BLOCK", 7)
    blocks = tmp_path / "blocks.csv"
    write_state_table(columns, blocks)
    assert blocks.read_bytes() == whole.read_bytes()
    rows = _rows(blocks)
    assert len(rows) == n + 1
    assert rows[1000] == ["1000", format(999, "010b"), "true"]


def test_write_csv_to_an_open_file(tmp_path) -> None:
    out = tmp_path / "to_stdout.csv"
    with out.open("w", encoding="utf-8", newline="") as file:
        write_csv({"x": [1, 2]}, file)
    assert out.read_text(encoding="utf-8") == "x\n1\n2\n"


def test_columns_of_different_lengths_are_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="same number of rows; got a: 2, b: 3"):
        write_state_table({"a": [1, 2], "b": [1, 2, 3]}, tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


def test_the_format_comes_from_the_suffix(tmp_path) -> None:
    assert table_format("out/States.CSV") == "csv"
    assert table_format("states.parquet") == table_format("states.pq") == "parquet"
    with pytest.raises(ValueError, match=r"unknown table type '.xlsx'.*\.csv, \.parquet"):
        write_state_table({"a": [1]}, tmp_path / "states.xlsx")
    write_state_table({"a": [1]}, tmp_path / "states.txt", format="csv")
    assert (tmp_path / "states.txt").read_text(encoding="utf-8") == "a\n1\n"


def test_a_failed_write_leaves_nothing_behind(tmp_path) -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("cannot render")

    out = tmp_path / "states.csv"
    out.write_text("the previous table\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="cannot render"):
        write_state_table({"a": [1, Broken()]}, out)
    assert list(tmp_path.iterdir()) == [out]
    assert out.read_text(encoding="utf-8") == "the previous table\n"


def test_parquet_without_pyarrow_names_the_extra(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError, match=rf"pip install 'detente\[{PARQUET_EXTRA}\]'"):
        write_state_table({"a": [1]}, tmp_path / "states.parquet")
    assert list(tmp_path.iterdir()) == []


def test_parquet_keeps_the_column_types(tmp_path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "states.parquet"
    write_parquet(COLUMNS, out)
    table = pq.read_table(out)
    assert table.column_names == list(COLUMNS)
    assert [str(t) for t in table.schema.types] == ["int64", "string", "bool", "string", "double"]
    assert table.to_pydict() == {
        name: (values.tolist() if isinstance(values, np.ndarray) else values)
        for name, values in COLUMNS.items()
    }
