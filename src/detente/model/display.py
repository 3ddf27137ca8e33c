"""Display helpers for notebooks: small escaped HTML tables and optional pandas frames.

Case and result objects use these for ``_repr_html_`` (Jupyter's rich display) and
``to_frame()``. pandas is optional: ``to_frame`` says how to install it when missing.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["html_table", "records_frame"]


def html_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str | None = None
) -> str:
    """An HTML table with every cell escaped."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def records_frame(records: list[dict[str, Any]], *, index: str | None = None):
    """A pandas DataFrame from flat records (pandas is imported only here)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("to_frame() needs pandas: pip install pandas") from None
    frame = pd.DataFrame.from_records(records)
    return frame.set_index(index) if index else frame
