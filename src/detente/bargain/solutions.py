"""Bargaining solutions: Nash, Kalai-Smorodinsky, utilitarian and egalitarian.

Each solution picks one package from the Pareto frontier of the zone of possible
agreement (ZOPA), with the reservation values as the disagreement point ``d``. All
four are computed on the frontier of the ZOPA, which is enough:

- the Nash product and the utilitarian sum increase strictly with every gain, so
  their maxima over the ZOPA lie on its frontier;
- the Kalai-Smorodinsky and egalitarian criteria (a minimum) do not increase
  strictly; ties are broken lexicographically (leximin), whose maximisers are
  Pareto-optimal, and only frontier points are candidates anyway.

Remaining ties (values within ``tol`` of the best) go to the package with the
smallest outcome number, so results are deterministic.

References
----------
Nash, J. F. (1950). The bargaining problem. *Econometrica* 18(2), 155-162.
Kalai, E., and Smorodinsky, M. (1975). Other solutions to Nash's bargaining problem.
*Econometrica* 43(3), 513-518.
Kalai, E. (1977). Proportional solutions to bargaining situations: interpersonal
utility comparisons. *Econometrica* 45(7), 1623-1630.
Kalai, E. (1977). Nonsymmetric Nash solutions and replications of 2-person
bargaining. *International Journal of Game Theory* 6(3), 129-133 (the asymmetric
Nash solution, with bargaining powers as exponents).
Harsanyi, J. C. (1955). Cardinal welfare, individualistic ethics, and interpersonal
comparisons of utility. *Journal of Political Economy* 63(4), 309-321.
Rawls, J. (1971). *A Theory of Justice*; Sen, A. (1970). *Collective Choice and
Social Welfare* (leximin).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from detente.bargain._common import DEFAULT_TOL
from detente.bargain.frontier import Frontier

__all__ = [
    "SOLUTIONS",
    "WEIGHTED_SOLUTIONS",
    "asymmetric_nash_solution",
    "egalitarian_solution",
    "kalai_smorodinsky_solution",
    "nash_solution",
    "solve",
    "utilitarian_solution",
]


def _best(values: np.ndarray, candidates: np.ndarray, tol: float) -> np.ndarray:
    """Positions in ``candidates`` whose value is within ``tol`` of the largest."""
    v = values[candidates]
    top = v.max()
    return candidates[v >= top - tol * max(1.0, abs(top))]


def _leximin(values: np.ndarray, candidates: np.ndarray, tol: float) -> np.ndarray:
    """Leximin maximisers: the best smallest value, then the best second smallest,
    and so on (Sen 1970)."""
    srt = np.sort(values, axis=1)
    for c in range(srt.shape[1]):
        candidates = _best(srt[:, c], candidates, tol)
        if candidates.size == 1:
            break
    return candidates


def _pick(frontier: Frontier, rows: np.ndarray) -> int:
    """The frontier row among ``rows`` with the smallest outcome number."""
    return int(rows[np.argmin(frontier.index[rows])])


def _zopa_rows(frontier: Frontier) -> np.ndarray | None:
    rows = np.flatnonzero(frontier.in_zopa)
    return rows if rows.size else None


def nash_solution(frontier: Frontier, *, tol: float = DEFAULT_TOL) -> int | None:
    """The Nash bargaining solution: maximise the product of gains over the
    reservation values, ``prod_a (u_a - d_a)``, over the ZOPA (Nash 1950, eq. on
    p. 159; for n players, the same axioms).

    The product is compared as a sum of logarithms, which avoids underflow with many
    actors.

    Returns
    -------
    int or None
        The row of ``frontier`` chosen, or None when the ZOPA is empty.
    """
    rows = _zopa_rows(frontier)
    if rows is None:
        return None
    gains = frontier.utilities - frontier.reservation
    logs = np.full(gains.shape[0], -np.inf)
    logs[rows] = np.log(gains[rows]).sum(axis=1)
    return _pick(frontier, _best(logs, rows, tol))


def asymmetric_nash_solution(
    frontier: Frontier, *, weights: np.ndarray, tol: float = DEFAULT_TOL
) -> int | None:
    """The asymmetric (weighted) Nash solution: maximise ``prod_a (u_a - d_a)^w_a``
    over the ZOPA, where ``w_a`` is actor ``a``'s bargaining power (Kalai 1977,
    *Int. J. Game Theory*; with equal powers it is the Nash solution). Powers are
    positive, aligned with ``frontier.actors`` and scaled to sum to 1.

    Returns
    -------
    int or None
        The row of ``frontier`` chosen, or None when the ZOPA is empty.
    """
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(frontier.actors),) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("bargaining powers must be positive, one per actor")
    rows = _zopa_rows(frontier)
    if rows is None:
        return None
    gains = frontier.utilities - frontier.reservation
    logs = np.full(gains.shape[0], -np.inf)
    logs[rows] = np.log(gains[rows]) @ (w / w.sum())
    return _pick(frontier, _best(logs, rows, tol))


def kalai_smorodinsky_solution(frontier: Frontier, *, tol: float = DEFAULT_TOL) -> int | None:
    """The Kalai-Smorodinsky solution, discrete form: maximise the smallest
    normalised gain ``(u_a - d_a) / (I_a - d_a)``, where the ideal point ``I_a`` is
    actor ``a``'s best utility over the ZOPA (Kalai and Smorodinsky 1975: the point
    of the frontier on the segment from ``d`` to ``I``; on a finite set, the point
    closest to it in this max-min sense). Ties are broken toward Pareto optimality
    (only frontier points compete) and then leximin on normalised gains.
    """
    rows = _zopa_rows(frontier)
    if rows is None:
        return None
    u = frontier.utilities
    ideal = u[rows].max(axis=0)
    norm = (u - frontier.reservation) / (ideal - frontier.reservation)
    return _pick(frontier, _leximin(norm, rows, tol))


def utilitarian_solution(frontier: Frontier, *, tol: float = DEFAULT_TOL) -> int | None:
    """The utilitarian solution: maximise the sum of utilities over the ZOPA
    (Harsanyi 1955)."""
    rows = _zopa_rows(frontier)
    if rows is None:
        return None
    return _pick(frontier, _best(frontier.utilities.sum(axis=1), rows, tol))


def egalitarian_solution(frontier: Frontier, *, tol: float = DEFAULT_TOL) -> int | None:
    """The egalitarian solution: maximise the smallest gain ``u_a - d_a`` over the
    ZOPA (Kalai 1977), ties broken leximin (Sen 1970), which keeps it Pareto-optimal.
    """
    rows = _zopa_rows(frontier)
    if rows is None:
        return None
    gains = frontier.utilities - frontier.reservation
    return _pick(frontier, _leximin(gains, rows, tol))


SOLUTIONS: dict[str, Callable[..., int | None]] = {
    "nash": nash_solution,
    "kalai_smorodinsky": kalai_smorodinsky_solution,
    "utilitarian": utilitarian_solution,
    "egalitarian": egalitarian_solution,
}
"""Solution name -> function of a :class:`~detente.bargain.frontier.Frontier`."""

WEIGHTED_SOLUTIONS: dict[str, Callable[..., int | None]] = {
    "asymmetric_nash": asymmetric_nash_solution,
}
"""Solutions that also need each actor's bargaining power (``weights``)."""


def solve(
    frontier: Frontier,
    name: str,
    *,
    tol: float = DEFAULT_TOL,
    weights: np.ndarray | None = None,
) -> int | None:
    """Apply the solution called ``name`` (a key of :data:`SOLUTIONS`, or of
    :data:`WEIGHTED_SOLUTIONS` with ``weights``, the actors' bargaining powers)."""
    if name in WEIGHTED_SOLUTIONS:
        if weights is None:
            raise ValueError(f"the {name} solution needs the actors' bargaining powers")
        return WEIGHTED_SOLUTIONS[name](frontier, weights=weights, tol=tol)
    try:
        fn = SOLUTIONS[name]
    except KeyError:
        known = sorted([*SOLUTIONS, *WEIGHTED_SOLUTIONS])
        raise ValueError(f"unknown solution {name!r}; choose from {known}") from None
    return fn(frontier, tol=tol)
