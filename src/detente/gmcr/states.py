"""Feasible states as packed integer codes.

A state of a conflict in option form is a choice, taken or not, of every option. It
is packed into one integer: bit ``k`` is set when option ``k`` (in option order) is
taken. Graph-model papers print a state as a column of Y and N, one per option;
:func:`pattern` prints it on one line in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.errors import CaseTooLargeError, Problem
from detente.model.expressions import Expr, evaluate, parse

__all__ = [
    "DEFAULT_MAX_BYTES",
    "codes_to_bits",
    "feasible_states",
    "pattern",
]

#: Default memory limit of the engine: 8 GiB.
DEFAULT_MAX_BYTES = 8 * 2**30

_CHUNK = 1 << 20
_MAX_OPTIONS = 62


def _default_option_ids(n_options: int) -> tuple[str, ...]:
    return tuple(f"o{k}" for k in range(n_options))


def codes_to_bits(codes: np.ndarray, options: Sequence[str]) -> dict[str, np.ndarray]:
    """Map each option id to the boolean array "option taken" over ``codes``."""
    codes = np.asarray(codes, dtype=np.int64)
    return {opt: ((codes >> k) & 1).astype(bool) for k, opt in enumerate(options)}


def feasible_states(
    n_options: int,
    infeasible: Sequence[Expr | str],
    *,
    options: Sequence[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """Codes of the states where no infeasibility expression holds.

    The ``2**n_options`` candidate states are scanned in chunks of about a million,
    so that 2**24 states never sit in memory as boolean tables.

    Parameters
    ----------
    n_options : int
        Number of options; bit ``k`` of a code is option ``k``.
    infeasible : sequence of Expr or str
        Expressions over option ids (see :mod:`detente.model.expressions`); a state
        where any of them holds is infeasible. Text is parsed.
    options : sequence of str, optional
        The option ids, in bit order. Default ``o0, o1, ...``.
    max_bytes : int
        Refuse (before allocating) when the result could exceed this many bytes.

    Returns
    -------
    numpy.ndarray
        Sorted ``int64`` codes of the feasible states.

    Raises
    ------
    CaseTooLargeError
        If ``2**n_options`` states could not fit in ``max_bytes``.

    Examples
    --------
    >>> feasible_states(2, ["o0 and o1"]).tolist()
    [0, 1, 2]
    """
    if n_options < 0:
        raise ValueError("n_options must be >= 0")
    if options is None:
        options = _default_option_ids(n_options)
    if len(options) != n_options:
        raise ValueError(f"{len(options)} option ids given for {n_options} options")
    # Worst case: every state feasible, 8 bytes per code, plus one chunk of work.
    n_candidates = 2**n_options
    estimate = n_candidates * 8 + min(n_candidates, _CHUNK) * (n_options + 16)
    if n_options > _MAX_OPTIONS or estimate > max_bytes:
        raise CaseTooLargeError(
            Problem(
                f"{n_options} options give up to 2^{n_options} states; enumerating them "
                f"needs about {_format_bytes(estimate)}, more than the limit of "
                f"{_format_bytes(max_bytes)}",
                path=("options",),
                expected=f"at most {_format_bytes(max_bytes)}",
                got=_format_bytes(estimate),
            )
        )
    exprs = [parse(e) if isinstance(e, str) else e for e in infeasible]
    kept: list[np.ndarray] = []
    for start in range(0, n_candidates, _CHUNK):
        codes = np.arange(start, min(start + _CHUNK, n_candidates), dtype=np.int64)
        bits = codes_to_bits(codes, options)
        bad = np.zeros(codes.shape, dtype=bool)
        for expr in exprs:
            bad |= np.broadcast_to(np.asarray(evaluate(expr, bits), dtype=bool), codes.shape)
        kept.append(codes[~bad])
    return np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)


def pattern(code: int, n_options: int) -> str:
    """The state as graph-model papers print it: Y or N per option, in option order.

    Examples
    --------
    >>> pattern(0b101, 3)
    'YNY'
    """
    code = int(code)
    return "".join("Y" if (code >> k) & 1 else "N" for k in range(n_options))


def _format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover
