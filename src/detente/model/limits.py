"""Size limits on every input, checked before parsing or before the work starts.

Every reader (case files in YAML or JSON, gmcr-py saves, GENIUS folders, KTAB CSV and
XML scenarios, plain forecasting tables) refuses an input that exceeds one of these
limits with a :class:`~detente.errors.CaseError` (exit code 2) that names the file, the
limit and how to raise it. Each limit can be changed with an environment variable,
read each time an input is checked:

==============================  ===========  ===========================================
environment variable            default      what it bounds
==============================  ===========  ===========================================
``DETENTE_MAX_BYTES``           20 MiB       size of one input file
``DETENTE_MAX_DEPTH``           64           nesting of YAML, JSON and XML documents (at
                                             most 1,000, whatever the setting)
``DETENTE_MAX_NODES``           1,000,000    values in a document after YAML aliases are
                                             expanded (keys not counted)
``DETENTE_MAX_VALUES``          1,000,000    values in a YAML or JSON document as written
                                             (keys not counted; libyaml reads about 400,000
                                             a second, the json module millions; the largest
                                             built-in case holds about 3,300)
``DETENTE_MAX_TEXT``            20,000       characters of one name, title or XML text
``DETENTE_MAX_ACTORS``          1,000        actors (parties; rows of a forecasting table)
``DETENTE_MAX_OPTIONS``         62           options of a case (graph model)
``DETENTE_MAX_ISSUES``          100          issues of a case (columns of a table)
``DETENTE_MAX_LEVELS``          1,000        levels of one issue
``DETENTE_MAX_SCENARIOS``       100          scenarios of a case (each is checked whole)
``DETENTE_MAX_ITEMS``           10,000       items of any other list (statements, ...)
``DETENTE_MAX_RANKING_OPTIONS`` 16           options of a case with an explicit ranking
``DETENTE_MAX_EXPRESSION``      2,000        characters of one expression
``DETENTE_MAX_EXPRESSION_DEPTH``100          nesting of one expression (``not``, brackets)
``DETENTE_MAX_MAGNITUDE``       1e12         absolute value of any number in a case
``DETENTE_MAX_SAMPLES``         1,000,000    Monte Carlo samples of one run (each sample
                                             keeps every model's forecast of every issue)
``DETENTE_MAX_PERCEPTIONS``     100          beliefs of one party about the others
                                             (``perceives:``; each is a ranking or a list
                                             of statements, checked whole)
``DETENTE_MAX_SECONDS``         300          estimated time of one forecast or bargaining
                                             analysis, in seconds (the web app's runs
                                             stop after as long)
``DETENTE_MAX_MEMORY``          2 GiB        estimated peak memory of one forecast,
                                             bargaining or graph-model analysis, in bytes
==============================  ===========  ===========================================

The forecasting and bargaining engines estimate, from the size of their input and
before they start, the time and the peak memory of the work (:class:`Estimate`), and
refuse (:func:`check_estimate`) what would take more than ``DETENTE_MAX_SECONDS`` or
``DETENTE_MAX_MEMORY``, naming the size that would fit. The estimates are rough (the
constants were measured on a two-core machine) and take the longest a run may last:
the spatial model's work grows as the cube of the actors, so at the defaults a
table of about 290 actors is the largest it takes for up to 100 turns, while the
expected utility model takes 1,000 actors in a few seconds. The actor limit itself
bounds only the reading of a table and the size of the reports. Options are bounded
by the 63-bit state codes of the graph model, which itself refuses, before it
starts, an analysis that would not fit in ``DETENTE_MAX_MEMORY`` (about 22 options). An explicit
ranking lists every feasible state, so it needs few options.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from detente.errors import CaseError, Problem

__all__ = [
    "Estimate",
    "Limits",
    "check_estimate",
    "format_bytes",
    "format_seconds",
    "largest_fitting",
    "limits",
    "refresh_limits",
    "too_large",
]


@dataclass(frozen=True)
class Limits:
    """The limits in force (see the module docstring)."""

    bytes: int = 20 * 1024 * 1024
    depth: int = 64
    nodes: int = 1_000_000
    values: int = 1_000_000
    text: int = 20_000
    actors: int = 1_000
    options: int = 62
    issues: int = 100
    levels: int = 1_000
    scenarios: int = 100
    items: int = 10_000
    ranking_options: int = 16
    expression: int = 2_000
    expression_depth: int = 100
    magnitude: float = 1e12
    samples: int = 1_000_000
    perceptions: int = 100
    seconds: float = 300.0
    memory: int = 2 * 1024**3

    @staticmethod
    def variable(name: str) -> str:
        """The environment variable that sets the limit ``name``."""
        return "DETENTE_MAX_" + name.upper()


# State codes are 63-bit integers: no setting goes beyond 62 options. libyaml's nodes are
# composed by recursion in C, which no setting may push towards the stack's end.
_HARD = {"options": 62, "depth": 1000}


_FLOATS = ("magnitude", "seconds")

_current: list[Limits] = []


def limits() -> Limits:
    """The limits in force: the defaults, each overridden by its environment variable,
    as read by the last :func:`refresh_limits` (every reader calls it on entry, and so
    does the validation of every case)."""
    return _current[0] if _current else refresh_limits()


def refresh_limits() -> Limits:
    """Read the limits from the environment again, and return them."""
    values: dict[str, int | float] = {}
    for f in fields(Limits):
        raw = os.environ.get(Limits.variable(f.name))
        if raw is None or not raw.strip():
            continue
        try:
            value = float(raw) if f.name in _FLOATS else int(float(raw))
        except ValueError:
            raise CaseError(
                Problem(
                    f"the environment variable {Limits.variable(f.name)}={raw!r} is not a number"
                )
            ) from None
        if not value > 0:
            raise CaseError(
                Problem(f"the environment variable {Limits.variable(f.name)} must be above 0")
            )
        values[f.name] = min(value, _HARD[f.name]) if f.name in _HARD else value
    _current[:] = [Limits(**values)]  # type: ignore[arg-type]
    return _current[0]


def too_large(
    what: str,
    count: int | float,
    limit_name: str,
    *,
    file: str | None = None,
    line: int | None = None,
    path: tuple = (),
    unit: str = "",
) -> CaseError:
    """The error for an input above a limit: names the size, the limit and its variable."""
    limit = getattr(limits(), limit_name)
    shown = f"{count:,}{unit}" if isinstance(count, int) else f"{count:g}{unit}"
    cap = f"{limit:,}{unit}" if isinstance(limit, int) else f"{limit:g}{unit}"
    variable = Limits.variable(limit_name)
    hint = "" if limit_name in _HARD else f" (set {variable} to change the limit)"
    return CaseError(
        Problem(
            f"{what} ({shown}) is above the limit of {cap}{hint}",
            path=path,
            file=file,
            line=line,
            expected=f"at most {cap}",
            got=shown,
        )
    )


def format_bytes(n: float) -> str:
    """``1.5 GiB``: a size in bytes for a message."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{int(n)} B" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def format_seconds(s: float) -> str:
    """``45 s``, ``12 min``, ``3.5 h``, ``20 days``: a duration for a message."""
    if s < 10:
        return f"{s:.2g} s"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:,.0f} days"


@dataclass(frozen=True)
class Estimate:
    """Rough time (seconds) and peak memory (bytes) of a piece of work, from its size.

    Work done one piece after the other adds its times and keeps the largest peak
    (``a + b``); ``k * a`` is ``a`` done ``k`` times over.
    """

    seconds: float = 0.0
    bytes: float = 0.0

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(self.seconds + other.seconds, max(self.bytes, other.bytes))

    def __rmul__(self, k: float) -> Estimate:
        return Estimate(self.seconds * k, self.bytes)

    def within(self, bounds: Limits | None = None) -> bool:
        """True when the estimate is within the limits in force (or ``bounds``)."""
        bounds = bounds or limits()
        return self.seconds <= bounds.seconds and self.bytes <= bounds.memory


def largest_fitting(estimate_of, most: int, *, least: int = 1) -> int | None:
    """The largest ``k`` in ``[least, most]`` whose ``estimate_of(k)`` is within the
    limits, assuming estimates grow with ``k``; None when not even ``least`` fits."""
    if not estimate_of(least).within():
        return None
    lo, hi = least, most
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if estimate_of(mid).within():
            lo = mid
        else:
            hi = mid - 1
    return lo


def check_estimate(
    what: str, estimate: Estimate, *, fits: str = "", path: tuple = (), file: str | None = None
) -> None:
    """Refuse, before it starts, work whose estimate exceeds a limit.

    Raises :class:`~detente.errors.CaseTooLargeError` (exit code 2) naming the work
    (``what``), the estimate, the limit it exceeds with its environment variable, and
    ``fits``: what would fit (a smaller size, fewer rounds or samples).
    """
    from detente.errors import CaseTooLargeError

    bounds = limits()
    if estimate.within(bounds):
        return
    over = []
    if estimate.seconds > bounds.seconds:
        cap = format_seconds(bounds.seconds)
        over.append(f"the limit of {cap} (set {Limits.variable('seconds')} to raise it)")
    if estimate.bytes > bounds.memory:
        cap = format_bytes(bounds.memory)
        over.append(f"the limit of {cap} (set {Limits.variable('memory')} to raise it)")
    need = f"about {format_seconds(estimate.seconds)} and {format_bytes(estimate.bytes)}"
    raise CaseTooLargeError(
        Problem(
            f"{what} would take {need} (estimated before starting), more than "
            + " and ".join(over)
            + (f"; {fits}" if fits else ""),
            path=path,
            file=file,
            expected=f"at most {format_seconds(bounds.seconds)} and {format_bytes(bounds.memory)}",
            got=need,
        )
    )
