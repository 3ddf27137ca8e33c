"""Write tables of plain columns, one row per state, as CSV or Parquet.

The graph model's stability tableau (built by
:func:`detente.gmcr.results.state_table_columns`) has one row per feasible state and
one column per option, party and concept: a 100,000-state model is millions of cells,
the size analysts load into pandas, R or DuckDB rather than read. This module only
writes columns (numpy arrays or lists, all of one length) and knows nothing of the
graph model.

- CSV: a header of column names, then one line per row; booleans as ``true`` and
  ``false``, missing values empty. Always available.
- Parquet: typed columns (booleans, integers, text), through pyarrow, which is an
  optional extra (``pip install 'detente[parquet]'``).

Each file is written to a temporary file beside it and renamed when complete, so a
failure never leaves half a table behind.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

__all__ = [
    "PARQUET_EXTRA",
    "TABLE_FORMATS",
    "Columns",
    "table_format",
    "write_csv",
    "write_parquet",
    "write_state_table",
]

TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
"""File suffixes and the table format each is written in."""

PARQUET_EXTRA = "parquet"
"""The optional extra that brings pyarrow: ``pip install 'detente[parquet]'``."""

_ROWS_PER_BLOCK = 16_384

Columns = Mapping[str, np.ndarray | Sequence[Any]]
"""Column name to its values, every column of one length."""


def table_format(path: str | Path) -> str:
    """``"csv"`` or ``"parquet"``, from the file's suffix.

    Raises ValueError for another suffix, naming the known ones."""
    fmt = TABLE_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(TABLE_FORMATS))
        raise ValueError(
            f"unknown table type {Path(path).suffix or '(none)'!r} for {path}; use one of {known}"
        )
    return fmt


def write_state_table(columns: Columns, path: str | Path, *, format: str | None = None) -> None:
    """Write ``columns`` to ``path`` as CSV or Parquet (``format``, or by suffix).

    Parameters
    ----------
    columns : mapping of str to array or sequence
        Column name to values, every column as long as the others; written in the
        mapping's order.
    path : str or Path
    format : {"csv", "parquet"}, optional
        Default: from the suffix (:data:`TABLE_FORMATS`).

    Raises
    ------
    ValueError
        Columns of different lengths, or an unknown format.
    ImportError
        Parquet without pyarrow installed; the message says how to install it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "states.csv"
    >>> write_state_table({"state": [1, 2], "stable": [True, False]}, out)
    >>> out.read_text()
    'state,stable\\n1,true\\n2,false\\n'
    """
    fmt = format or table_format(path)
    if fmt == "csv":
        _check_lengths(columns)
        with _replacing(Path(path), "w") as file:
            write_csv(columns, file)
    elif fmt == "parquet":
        write_parquet(columns, path)
    else:
        raise ValueError(f"format must be 'csv' or 'parquet', not {fmt!r}")


def write_csv(columns: Columns, file: IO[str]) -> None:
    """Write ``columns`` as CSV (the csv module's quoting) to an open text file, a
    block of rows at a time."""
    n = _check_lengths(columns)
    names = list(columns)
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow([str(name) for name in names])
    for lo in range(0, n, _ROWS_PER_BLOCK):
        cells = [_csv_cells(columns[name], lo, min(n, lo + _ROWS_PER_BLOCK)) for name in names]
        writer.writerows(zip(*cells, strict=True))


def write_parquet(columns: Columns, path: str | Path) -> None:
    """Write ``columns`` to a Parquet file (needs pyarrow)."""
    try:
        # optional (the parquet extra) and without type hints
        import pyarrow as pa  # type: ignore[import-not-found,unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise ImportError(
            f"writing Parquet needs pyarrow: pip install 'detente[{PARQUET_EXTRA}]' "
            "(or write CSV: a file ending in .csv)",
            name="pyarrow",
        ) from None
    _check_lengths(columns)
    table = pa.table({str(name): _arrow_values(values) for name, values in columns.items()})
    with _replacing(Path(path), "wb") as file:
        pq.write_table(table, file)


def _check_lengths(columns: Columns) -> int:
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}: {size:,}" for name, size in lengths.items())
        raise ValueError(f"every column needs the same number of rows; got {shown}")
    return next(iter(lengths.values()), 0)


def _csv_cells(values: np.ndarray | Sequence[Any], lo: int, hi: int) -> list[str]:
    """Rows ``lo:hi`` of a column as CSV cells."""
    if isinstance(values, np.ndarray):
        block = values[lo:hi]
        if block.dtype == bool:
            return np.where(block, "true", "false").tolist()
        if block.dtype.kind in "iu":
            return block.astype(str).tolist()
        if block.dtype.kind == "U":
            return block.tolist()
        return [_cell(v) for v in block.tolist()]
    return [_cell(v) for v in values[lo:hi]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _arrow_values(values: np.ndarray | Sequence[Any]) -> Any:
    """A column as pyarrow takes it: numpy arrays as they are (text as Python strings)."""
    if isinstance(values, np.ndarray) and values.dtype.kind != "U":
        return values
    return list(values.tolist() if isinstance(values, np.ndarray) else values)


@contextmanager
def _replacing(path: Path, mode: str) -> Iterator[IO[Any]]:
    """An open temporary file beside ``path`` that replaces it once written in full."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with (
            open(tmp, "xb") if "b" in mode else open(tmp, "x", encoding="utf-8", newline="")
        ) as file:
            yield file
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
