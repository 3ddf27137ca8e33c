"""Stand-ins for an analysis, run by the web app's worker processes in the tests (a
worker imports them by name, so they live in a module of their own)."""

from __future__ import annotations

import time
from typing import Any

BUG = "unsupported format string passed to NoneType.__format__"


def slow_run(*args: Any, progress: Any = None) -> dict[str, Any]:
    """An analysis that takes its time: long enough to be seen running, cancelled or cut
    off; it reports its progress as a real run does, half-way through its one step."""
    if progress is not None:
        progress({"step": "Slow", "scenario": None, "done": 0, "total": 2, "fraction": 0.5})
    time.sleep(60)
    raise AssertionError("the slow run should have been stopped")


def buggy_run(*args: Any, progress: Any = None) -> dict[str, Any]:
    """An analysis that fails the way a bug does (as the forecast of a capability of 1e308 did)."""
    raise TypeError(BUG)


def hungry_run(*args: Any, progress: Any = None) -> dict[str, Any]:
    """An analysis that asks for far more memory than a worker may have (8 GiB)."""
    block = bytearray(8 * 2**30)
    return {"size": len(block)}


MISSING = "bargaining needs where issue 'x' stands now: give its 'status_quo' level"


def missing_part_run(*args: Any, progress: Any = None) -> dict[str, Any]:
    """An analysis that finds a part of the case missing, as an engine says it (with
    the field, without the file)."""
    from detente.errors import MissingPartError, Problem

    raise MissingPartError(Problem(MISSING, path=("issues", 0, "status_quo")))
