"""The bargaining analysis of one outcome space, in one call.

:func:`analyze` runs the pieces in order (Raiffa 1982, ch. 11-13): stream the
outcome space to count the zone of possible agreement (ZOPA) and find the Pareto
frontier; pick the Nash, Kalai-Smorodinsky, utilitarian and egalitarian packages;
assess named proposals (who accepts, who blocks, what would win each blocker over);
evaluate candidate forums. It forwards to the functions of the other modules.

References
----------
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from detente.bargain._common import DEFAULT_TOL, ReservationLike, full_reservation
from detente.bargain.blocking import assess_proposal
from detente.bargain.cost import check_bargain_cost
from detente.bargain.forums import Forum, evaluate_forum
from detente.bargain.frontier import Among, Progress, pareto_frontier
from detente.bargain.results import BargainResult, Package
from detente.bargain.solutions import SOLUTIONS, WEIGHTED_SOLUTIONS, solve
from detente.bargain.space import DEFAULT_CHUNK_SIZE, OutcomeSpace
from detente.bargain.utility import UtilityModel
from detente.errors import CaseTooLargeError, Problem

__all__ = ["DEFAULT_MAX_OUTCOMES", "analyze"]

DEFAULT_MAX_OUTCOMES = 100_000_000


def analyze(
    space: OutcomeSpace,
    model: UtilityModel,
    reservation: ReservationLike,
    *,
    among: Among = "zopa",
    solutions: Sequence[str] = tuple(SOLUTIONS),
    proposals: Mapping[str, Mapping[str, float | bool]] | None = None,
    proposal_bounds: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
    forums: Sequence[Forum] = (),
    status_quo: Mapping[str, float | bool] | None = None,
    forum_solution: str = "nash",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    tol: float = DEFAULT_TOL,
    pareto_limit: int | None = None,
    max_outcomes: int = DEFAULT_MAX_OUTCOMES,
    max_changes: int | None = 10,
    progress: Progress | None = None,
    power: Mapping[str, float] | None = None,
) -> BargainResult:
    """ZOPA, Pareto frontier, solutions, proposals and forums of one outcome space.

    Parameters
    ----------
    space : OutcomeSpace
    model : UtilityModel
    reservation : mapping or array_like
        Reservation values (``actor -> value``, or aligned with ``model.actors``);
        see :func:`~detente.bargain.utility.reservation_values`.
    among : {"zopa", "all"}
        Report the frontier of the ZOPA (default) or of all feasible outcomes.
        Solutions always come from the ZOPA.
    solutions : sequence of str
        Names from :data:`~detente.bargain.solutions.SOLUTIONS`.
    proposals : mapping, optional
        Proposal id -> package; dimensions a package omits come from ``status_quo``.
    proposal_bounds : mapping, optional
        Proposal id -> issue -> ``(low, high)``: the changes that would win a blocker
        over keep that issue inside the interval (the levels a linked proposal's
        options allow).
    forums : sequence of Forum
        Candidate forums to evaluate (they need ``status_quo``).
    status_quo : mapping, optional
    forum_solution : str
        Solution that picks each forum's best package.
    chunk_size, tol
    pareto_limit : int, optional
        Report at most this many frontier packages (those with the largest sum of
        utilities); ``pareto_count`` always gives the full size.
    max_outcomes : int
        Refuse spaces with more feasible packages than this (grid points, when
        feasibility is not known without a scan).
    max_changes : int, optional
        Changes kept per blocker of a proposal.
    progress : callable, optional
        ``progress(done, total)`` after each chunk of the main scan.
    power : mapping, optional
        Each actor's bargaining power (positive; only ratios matter), needed by the
        ``asymmetric_nash`` solution.

    Returns
    -------
    BargainResult

    Raises
    ------
    CaseTooLargeError
        The space has more than ``max_outcomes`` packages, or the analysis' estimated
        time or memory (:mod:`detente.bargain.cost`) exceeds ``DETENTE_MAX_SECONDS`` or
        ``DETENTE_MAX_MEMORY``; both checked before the scan starts.
    """
    packages = space.count()
    if packages is None:  # a general feasibility mask: only a scan could tell
        packages = space.size
    if packages > max_outcomes:
        raise CaseTooLargeError(
            Problem(
                f"the outcome space has {packages:,} packages, more than the limit "
                f"of {max_outcomes:,}; use fewer issue levels or options",
                expected=f"at most {max_outcomes:,} packages",
                got=f"{packages:,}",
            )
        )
    if forums and status_quo is None:
        raise ValueError("forums need the status quo (the levels of issues off the agenda)")
    check_bargain_cost(
        space,
        model,
        reservation,
        forums=[
            (
                space.restrict_to_agenda(tuple(dict.fromkeys(f.agenda)), status_quo or {}),
                model.subset(tuple(dict.fromkeys(f.participants))),
                np.array(
                    [
                        full_reservation(f.participants, model, reservation)[a]
                        for a in dict.fromkeys(f.participants)
                    ]
                ),
            )
            for f in forums
        ],
        chunk_size=chunk_size,
        tol=tol,
    )
    for name in solutions:
        if name not in SOLUTIONS and name not in WEIGHTED_SOLUTIONS:
            known = sorted([*SOLUTIONS, *WEIGHTED_SOLUTIONS])
            raise ValueError(f"unknown solution {name!r}; choose from {known}")
        if name in WEIGHTED_SOLUTIONS and power is None:
            raise ValueError(f"the {name} solution needs each actor's bargaining power")
    weights = None
    if power is not None:
        missing = [a for a in model.actors if a not in power]
        if missing:
            raise ValueError(f"no bargaining power for {missing}")
        weights = np.array([float(power[a]) for a in model.actors])
    front = pareto_frontier(
        space, model, reservation, among=among, chunk_size=chunk_size, tol=tol, progress=progress
    )
    actors = model.actors
    digits = space.digits_of(front.index)
    rows: Sequence[int] = range(front.index.size)
    if pareto_limit is not None and front.index.size > pareto_limit:
        top = (-front.utilities.sum(axis=1)).argsort(kind="stable")[:pareto_limit]
        rows = sorted(top.tolist())
    pareto = tuple(Package.build(space, digits[i], actors, front.utilities[i]) for i in rows)
    picked: dict[str, Package | None] = {}
    for name in solutions:
        row = solve(front, name, tol=tol, weights=weights)
        picked[name] = (
            None if row is None else Package.build(space, digits[row], actors, front.utilities[row])
        )
    assessed = {
        pid: assess_proposal(
            _within(space, (proposal_bounds or {}).get(pid)),
            model,
            reservation,
            pkg,
            proposal_id=pid,
            base=status_quo,
            max_changes=max_changes,
            tol=tol,
        )
        for pid, pkg in (proposals or {}).items()
    }
    evaluated = tuple(
        evaluate_forum(
            space,
            model,
            reservation,
            participants=f.participants,
            agenda=f.agenda,
            status_quo=status_quo or {},
            solution=forum_solution,
            chunk_size=chunk_size,
            tol=tol,
        )
        for f in forums
    )
    return BargainResult(
        actors=actors,
        reservation=full_reservation(actors, model, reservation),
        outcomes=front.outcomes,
        zopa=front.zopa,
        pareto=pareto,
        pareto_count=int(front.index.size),
        solutions=picked,
        proposals=assessed,
        forums=evaluated,
        parameters={
            "among": among,
            "solutions": list(solutions),
            "forum_solution": forum_solution,
            "chunk_size": chunk_size,
            "tol": tol,
            "pareto_limit": pareto_limit,
            "max_changes": max_changes,
            "issues": list(space.issue_names),
            "options": list(space.option_names),
            "normalization": model.normalization,
            **({"power": {a: float(power[a]) for a in actors}} if power is not None else {}),
        },
        method="zopa-pareto-solutions (Raiffa 1982; Nash 1950; Kalai-Smorodinsky 1975)",
    )


def _within(space: OutcomeSpace, bounds: Mapping[str, tuple[float, float]] | None) -> OutcomeSpace:
    """``space`` with each issue in ``bounds`` kept to the levels inside its interval."""
    if not bounds:
        return space
    allowed: dict[str | int, np.ndarray] = {}
    for issue, (lo, hi) in bounds.items():
        grid = space.levels[space.issue_names.index(issue)]
        allowed[issue] = np.flatnonzero((grid >= lo - 1e-9) & (grid <= hi + 1e-9))
    return space.restrict_levels(allowed)
