"""Payoffs (ordinal preferences over states) from statements or explicit rankings.

A payoff is an integer per state: higher is more preferred, equal is a tie. Only
the order matters, so both constructors return dense ranks ``1..m`` with ``m`` the
most preferred level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.errors import CaseError, Problem
from detente.gmcr.states import codes_to_bits
from detente.model.expressions import Expr, evaluate, parse

__all__ = ["dense_ranks", "payoff_from_ranking", "payoff_from_statements"]


def dense_ranks(scores: np.ndarray) -> np.ndarray:
    """Compress scores to ``1..m`` keeping order and ties (``m`` = best)."""
    values = np.asarray(scores).reshape(-1)
    if values.size and values.dtype.kind in "iu":
        low, high = int(values.min()), int(values.max())
        # Small integer ranges: count, no sort.
        if high - low < max(4 * values.size, 1 << 16):
            present = np.zeros(high - low + 1, dtype=np.int64)
            present[values - low] = 1
            return np.cumsum(present)[values - low]
    _, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64).reshape(-1) + 1


def payoff_from_statements(
    statements: Sequence[Expr | str],
    *,
    states: np.ndarray,
    options: Sequence[str],
) -> np.ndarray:
    """Payoff of every state from option-prioritisation statements.

    Statement ``k`` of ``K`` (most important first, ``k = 1..K``) is worth
    ``2**(K - k)`` in every state where it holds; a state's score is the sum, so a
    more important statement outweighs all less important ones together. Equal
    scores are ties. Scores are returned as dense ranks ``1..m``.

    Parameters
    ----------
    statements : sequence of Expr or str
        Expressions over option ids, most important first. Empty: all states tie.
    states : numpy.ndarray
        Codes of the feasible states.
    options : sequence of str
        Option ids in bit order.

    Returns
    -------
    numpy.ndarray
        ``int64`` dense ranks, one per state (higher = more preferred).

    References
    ----------
    Fang, Hipel, Kilgour & Peng (2003), "A decision support system for interactive
    decision making, Part I", IEEE SMC-C 33(1), option prioritisation.

    Examples
    --------
    >>> import numpy as np
    >>> payoff_from_statements(["a", "-b"], states=np.arange(4), options=["a", "b"]).tolist()
    [2, 4, 1, 3]
    """
    states = np.asarray(states, dtype=np.int64)
    n = states.shape[0]
    if not statements:
        return np.ones(n, dtype=np.int64)
    bits = codes_to_bits(states, options)
    truth = np.empty((n, len(statements)), dtype=bool)
    for k, statement in enumerate(statements):
        expr = parse(statement) if isinstance(statement, str) else statement
        truth[:, k] = np.broadcast_to(np.asarray(evaluate(expr, bits), dtype=bool), (n,))
    if len(statements) < 63:
        # Statement 1 is the most significant bit of the score.
        weights = np.left_shift(np.int64(1), np.arange(len(statements) - 1, -1, -1, dtype=np.int64))
        return dense_ranks(truth.astype(np.int64) @ weights)
    # Lexicographic order of the packed rows is the order of the weighted sums,
    # without overflow, however many statements there are.
    packed = np.packbits(truth, axis=1)
    _, inverse = np.unique(packed, axis=0, return_inverse=True)
    return inverse.astype(np.int64).reshape(-1) + 1


def payoff_from_ranking(
    ranking: Sequence[int | Sequence[int]],
    *,
    states: np.ndarray,
) -> np.ndarray:
    """Payoff of every state from an explicit ranking.

    Parameters
    ----------
    ranking : sequence
        Tie groups of state codes, most preferred first; a bare code is a group of
        one. Every feasible state must appear exactly once.
    states : numpy.ndarray
        Codes of the feasible states (sorted).

    Returns
    -------
    numpy.ndarray
        ``int64`` payoff per state: the first group gets the highest value.

    Raises
    ------
    CaseError
        If a code is not a feasible state, is listed twice, or a state is missing.

    Examples
    --------
    >>> import numpy as np
    >>> payoff_from_ranking([2, [0, 3], 1], states=np.arange(4)).tolist()
    [2, 1, 3, 2]
    """
    states = np.asarray(states, dtype=np.int64)
    n = states.shape[0]
    payoff = np.zeros(n, dtype=np.int64)
    level = len(ranking)
    for group in ranking:
        codes = [group] if isinstance(group, int | np.integer) else list(group)
        for code in codes:
            i = int(np.searchsorted(states, code))
            if i >= n or states[i] != code:
                raise CaseError(
                    Problem(
                        f"state {code} in the ranking is not a feasible state",
                        path=("preferences",),
                    )
                )
            if payoff[i]:
                raise CaseError(Problem(f"state {code} is ranked twice", path=("preferences",)))
            payoff[i] = level
        level -= 1
    missing = np.flatnonzero(payoff == 0)
    if missing.size:
        listed = ", ".join(str(int(c)) for c in states[missing[:5]])
        raise CaseError(
            Problem(
                f"{missing.size} feasible state(s) missing from the ranking: {listed}",
                path=("preferences",),
            )
        )
    return dense_ranks(payoff)
