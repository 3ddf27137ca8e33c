"""Red lines in the forecasting models: bounds on where an actor may move, and crossings.

A party's red line (:class:`~detente.model.sections.RedLine`) says what it never
accepts on an issue, whatever it gains elsewhere: levels below ``at_least``, above
``at_most``, and single vetoed levels. The bargaining models (the expected utility
model and the spatial model) keep every actor inside its red line's interval
``[at_least, at_most]``: after each round's update, each actor's new position is
clipped to its interval. A vetoed single level cannot be kept out that way on a
continuous scale (an actor moving from 20 to 30 passes 25 whatever it does), so
vetoes are not enforced, and the results say so (``vetoes_not_enforced``).

The array-level functions take the intervals as ``bounds=(at_least, at_most)``,
each an array of the positions' shape with NaN (or None) where a side is open;
:func:`check_bounds` validates them. Whatever a model enforces, every forecast is
checked against every red line it knows, vetoes included (:func:`crossings`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from detente.errors import CaseError, Problem
from detente.model.sections import RedLine

__all__ = ["Bounds", "check_bounds", "crossings", "described", "interval_lines"]

Bounds = tuple[np.ndarray, np.ndarray]
"""Red-line intervals ``(at_least, at_most)``, float arrays of the positions' shape with
``-inf`` and ``inf`` where a side is open."""


def _side(value, shape: tuple[int, ...], name: str, problems: list[Problem]) -> np.ndarray | None:
    try:
        # None, alone or as an entry, becomes NaN: no bound
        arr = np.asarray(np.nan if value is None else value, dtype=float)
    except (TypeError, ValueError):
        problems.append(
            Problem(f"bounds: {name} must be numbers (NaN or None: no bound)", path=("bounds",))
        )
        return None
    if arr.ndim == 1 and len(shape) == 2 and arr.shape[0] == shape[0]:
        arr = arr[:, None]  # one bound per actor, the same on every issue
    try:
        return np.broadcast_to(arr, shape).astype(float)
    except ValueError:
        problems.append(
            Problem(
                f"bounds: {name} has the wrong shape",
                path=("bounds",),
                expected=f"shape {shape} (or one value per actor)",
                got=f"shape {arr.shape}",
            )
        )
        return None


def check_bounds(bounds, shape: tuple[int, ...], scale: tuple[float, float]) -> Bounds | None:
    """Validate red-line bounds for positions of ``shape`` on ``scale``.

    Parameters
    ----------
    bounds : (at_least, at_most) or None
        Each side array_like, broadcastable to ``shape`` (one value per actor serves
        every issue); NaN, None or an infinity means no bound on that side.
    shape : tuple of int
        The positions' shape, ``(n,)`` or ``(n, D)``.
    scale : (float, float)
        The issue scale; finite bounds must lie on it.

    Returns
    -------
    (ndarray, ndarray) or None
        ``(at_least, at_most)`` as float arrays of ``shape`` with ``-inf`` and ``inf``
        where a side is open; None when no actor has any bound, so that the models
        run exactly as without red lines.

    Raises
    ------
    CaseError
        Bounds that are not numbers, of the wrong shape, off the scale, or with
        ``at_least`` above ``at_most``; one problem per bad entry, located as
        ``bounds[actor]`` or ``bounds[actor, issue]``.
    """
    if bounds is None:
        return None
    problems: list[Problem] = []
    try:
        low_in, high_in = bounds
    except (TypeError, ValueError):
        raise CaseError(
            Problem(
                "bounds must be a pair (at_least, at_most)",
                path=("bounds",),
                expected="(at_least, at_most)",
                got=type(bounds).__name__,
            )
        ) from None
    low = _side(low_in, shape, "at_least", problems)
    high = _side(high_in, shape, "at_most", problems)
    if problems or low is None or high is None:
        raise CaseError(problems)
    low = np.where(np.isnan(low) | (low == -np.inf), -np.inf, low)
    high = np.where(np.isnan(high) | (high == np.inf), np.inf, high)
    lo, hi = scale

    def where(mask: np.ndarray, message: str, expected: str, values: np.ndarray) -> None:
        for idx in zip(*np.nonzero(mask), strict=False):
            problems.append(
                Problem(
                    message,
                    path=("bounds", *(int(i) for i in idx)),
                    expected=expected,
                    got=repr(float(values[idx])),
                )
            )

    on_scale = f"a number in [{lo:g}, {hi:g}], or NaN for none"
    where(
        (low == np.inf) | (np.isfinite(low) & ((low < lo) | (low > hi))),
        f"at_least must lie on the scale [{lo:g}, {hi:g}]",
        on_scale,
        low,
    )
    where(
        (high == -np.inf) | (np.isfinite(high) & ((high < lo) | (high > hi))),
        f"at_most must lie on the scale [{lo:g}, {hi:g}]",
        on_scale,
        high,
    )
    where(low > high, "at_least must not be above at_most", "at_least <= at_most", low)
    if problems:
        raise CaseError(problems)
    if not (np.isfinite(low).any() or np.isfinite(high).any()):
        return None
    return low, high


def interval_lines(low: np.ndarray, high: np.ndarray) -> list[RedLine | None]:
    """One :class:`RedLine` per actor from interval bounds (None where both sides are open)."""
    out: list[RedLine | None] = []
    for a, b in zip(low.tolist(), high.tolist(), strict=True):
        at_least = a if np.isfinite(a) else None
        at_most = b if np.isfinite(b) else None
        open_ = at_least is None and at_most is None
        out.append(None if open_ else RedLine(at_least=at_least, at_most=at_most))
    return out


def crossings(
    actors: Sequence[str], forecast: float, lines: Sequence[RedLine | None]
) -> tuple[dict[str, Any], ...]:
    """``{actor, red_line, forecast}`` for every actor whose red line ``forecast`` crosses
    (lies outside its interval or on a vetoed level, to 1e-9), in actor order."""
    return tuple(
        {"actor": actor, "red_line": line.describe(), "forecast": float(forecast)}
        for actor, line in zip(actors, lines, strict=True)
        if line is not None and not line.allows(float(forecast))
    )


def described(actors: Sequence[str], lines: Sequence[RedLine | None]) -> dict[str, str]:
    """Actor -> its red line in words, for the actors that have one."""
    return {a: line.describe() for a, line in zip(actors, lines, strict=True) if line is not None}
