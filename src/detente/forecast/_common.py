"""Input checks and small helpers shared by the forecasting models.

Every model takes plain arrays: per actor a capability ``c > 0``, a position ``x``
on the issue scale and a salience ``s`` in [0, 1]. :func:`check_issue` turns them
into float arrays, or raises :class:`~detente.errors.CaseError` with one
:class:`~detente.errors.Problem` per bad value, located as
``capability[3]``, ``position[0]`` and so on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detente.errors import CaseError, Problem

__all__ = ["CLOSE", "CheckedIssue", "check_issue", "check_issues", "closest_actors"]


@dataclass(frozen=True)
class CheckedIssue:
    """Validated inputs for one or several issues (positions ``(n,)`` or ``(n, D)``)."""

    actors: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    scale: tuple[float, float]


def _as_float(values, name: str, problems: list[Problem]) -> np.ndarray | None:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        # find the first offending entry so the message can name it
        flat = list(np.asarray(values, dtype=object).ravel())
        for i, v in enumerate(flat):
            try:
                float(v)
            except (TypeError, ValueError):
                problems.append(
                    Problem(
                        f"{name} must be a number",
                        path=(name, i),
                        expected="a number",
                        got=repr(v),
                    )
                )
                break
        return None
    return arr


def issue_arrays(
    actors: Sequence[str],
    capability,
    position,
    salience,
    *,
    scale: tuple[float, float] = (0.0, 100.0),
    issues: Sequence[str] | None = None,
) -> tuple[CheckedIssue, np.ndarray, np.ndarray, tuple[str, ...], bool]:
    """Check one issue or several and return ``(checked, X (n, D), S (n, D), issue names, multi)``.

    Positions given as ``(n,)`` are one issue; ``(n, D)`` are ``D`` issues bargained
    over together. Issue names default to ``"issue"`` or ``"issue0"``, ``"issue1"``...
    """
    multi = np.asarray(position, dtype=object).ndim == 2
    chk = check_issue(actors, capability, position, salience, scale=scale, multi=multi)
    X = chk.position if multi else chk.position[:, None]
    S = chk.salience if multi else chk.salience[:, None]
    D = X.shape[1]
    names = (
        tuple(issues)
        if issues is not None
        else (("issue",) if D == 1 else tuple(f"issue{d}" for d in range(D)))
    )
    if len(names) != D:
        raise ValueError(f"{len(names)} issue names for {D} issues")
    return chk, X, S, names, multi


def check_issue(
    actors: Sequence[str],
    capability,
    position,
    salience,
    *,
    scale: tuple[float, float] = (0.0, 100.0),
    multi: bool = False,
) -> CheckedIssue:
    """Validate one issue (``multi=False``) or a joint set of issues (``(n, D)``).

    Raises
    ------
    CaseError
        One problem per bad value: fewer than two actors, lengths that differ,
        non-numeric or non-finite values, capability not > 0, salience outside
        [0, 1], position outside the scale.
    """
    problems: list[Problem] = []
    names = tuple(str(a) for a in actors)
    if len(names) < 2:
        problems.append(
            Problem(
                "a forecast needs at least two actors",
                path=("actors",),
                expected="at least 2 actors",
                got=str(len(names)),
            )
        )
    if len(set(names)) != len(names):
        seen: set[str] = set()
        for i, a in enumerate(names):
            if a in seen:
                problems.append(Problem(f"actor name {a!r} is repeated", path=("actors", i)))
            seen.add(a)
    try:
        lo, hi = (float(scale[0]), float(scale[1]))
    except (TypeError, ValueError, IndexError):
        raise CaseError(Problem("scale must be (lo, hi)", path=("scale",))) from None
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        problems.append(Problem("scale must satisfy lo < hi", path=("scale",), got=f"({lo}, {hi})"))
    c = _as_float(capability, "capability", problems)
    x = _as_float(position, "position", problems)
    s = _as_float(salience, "salience", problems)
    if problems and (c is None or x is None or s is None):
        raise CaseError(problems)
    assert c is not None
    assert x is not None
    assert s is not None
    n = len(names)
    want_x = (n, x.shape[1]) if (multi and x.ndim == 2) else (n,)
    for name, arr, shape in (
        ("capability", c, (n,)),
        ("position", x, want_x),
        ("salience", s, want_x),
    ):
        if arr.shape != shape:
            problems.append(
                Problem(
                    f"{name} has the wrong shape",
                    path=(name,),
                    expected=f"shape {shape}",
                    got=f"shape {arr.shape}",
                )
            )
    if problems:
        raise CaseError(problems)

    def where(mask: np.ndarray, name: str, msg: str, expected: str, arr: np.ndarray) -> None:
        for idx in zip(*np.nonzero(mask), strict=False):
            key: tuple[str | int, ...] = (name, *(int(i) for i in idx))
            problems.append(Problem(msg, path=key, expected=expected, got=repr(float(arr[idx]))))

    where(~np.isfinite(c) | (c <= 0), "capability", "capability must be > 0", "> 0", c)
    where(
        ~np.isfinite(s) | (s < 0) | (s > 1),
        "salience",
        "salience must lie in [0, 1]",
        "a number in [0, 1]",
        s,
    )
    where(
        ~np.isfinite(x) | (x < lo) | (x > hi),
        "position",
        f"position must lie on the scale [{lo:g}, {hi:g}]",
        f"a number in [{lo:g}, {hi:g}]",
        x,
    )
    if problems:
        raise CaseError(problems)
    return CheckedIssue(names, c, x, s, (lo, hi))


def check_issues(actors, capability, position, salience, *, scale) -> CheckedIssue:
    """Validate several issues jointly: positions and saliences ``(n, D)``."""
    x = np.asarray(position, dtype=object)
    if x.ndim == 1:
        position = np.asarray(position, dtype=object)[:, None]
        salience = np.asarray(salience, dtype=object)[:, None]
    return check_issue(actors, capability, position, salience, scale=scale, multi=True)


CLOSE = 0.01
"""An actor "ends at" the forecast when its final position lies within this share of
the issue scale's range of it (the report's "X and Y end there")."""


def closest_actors(
    actors: tuple[str, ...], positions: np.ndarray, target, *, scale: tuple[float, float]
) -> tuple[str, ...]:
    """The actors whose final positions end at ``target``, nearest first.

    An actor ends there when its position lies within :data:`CLOSE` (1 %) of the
    scale's range of ``target``; every such actor is listed, however many. When
    none does, the nearest actor is listed, with any others as near (to a
    millionth of the range). Ties keep the actors' order.
    """
    diff = np.asarray(positions, dtype=float) - np.asarray(target, dtype=float)
    dist = np.sqrt((diff**2).reshape(len(actors), -1).sum(axis=1))
    span = float(scale[1]) - float(scale[0])
    within = CLOSE * span
    if not (dist <= within).any():
        within = float(dist.min()) + 1e-6 * span
    order = np.argsort(dist, kind="stable")
    return tuple(actors[int(i)] for i in order if dist[i] <= within)
