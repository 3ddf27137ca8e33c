"""Ctrl-C during long bargaining samples (issue #11): the command stops at once, with
no traceback and a non-zero exit code (see tests/forecast/test_interrupt.py)."""

from __future__ import annotations

import sys

import pytest

from tests.forecast.test_interrupt import interrupted

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def test_ctrl_c_stops_long_bargaining_samples_at_once():
    child, err, took = interrupted("bargain", "korea", "--samples", "200000")
    assert child.returncode == 130
    assert took < 5
    assert "Traceback" not in err
