"""Stand-ins for an analysis, run by the web app's worker processes in the tests (a
worker imports them by name, so they live in a module of their own)."""

from __future__ import annotations

import time
from typing import Any

BUG = "unsupported format string passed to NoneType.__format__"


def slow_run(*args: Any) -> dict[str, Any]:
    """An analysis that takes its time: long enough to be seen running, cancelled or cut off."""
    time.sleep(60)
    raise AssertionError("the slow run should have been stopped")


def buggy_run(*args: Any) -> dict[str, Any]:
    """An analysis that fails the way a bug does (as the forecast of a capability of 1e308 did)."""
    raise TypeError(BUG)
