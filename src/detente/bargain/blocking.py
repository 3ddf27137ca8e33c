"""Who blocks a proposal, and the smallest change that would win each blocker over.

An actor *accepts* a package when its utility exceeds its reservation value (by
more than ``tol``, as in the ZOPA) and the package crosses none of its red lines, and
*blocks* it otherwise (Raiffa 1982, ch. 11; Lax and Sebenius 1986, ch. 6: a deal
must beat every party's no-agreement alternative). A red line is non-compensatory:
no gain elsewhere makes up for crossing it, so the assessment names each red line
crossed instead of a utility shortfall. For each blocker the engine looks at every
package one step away (one issue moved to another level, or one option flipped) and
keeps those that lift the blocker above its reservation value with none of its red
lines crossed, while every actor who accepted still accepts and no red line the
proposal respected gets crossed, smallest change first: the "what would it take"
question of Fisher and Ury (1981), restricted to single moves. A blocker whose red
lines no single move can respect gets no change: its red line must move.

References
----------
Fisher, R., and Ury, W. (1981). *Getting to Yes*. Houghton Mifflin.
Lax, D. A., and Sebenius, J. K. (1986). *The Manager as Negotiator*. Free Press.
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from detente.bargain._common import DEFAULT_TOL, ReservationLike, full_reservation
from detente.bargain.results import Change, Crossing, Package, ProposalAssessment
from detente.bargain.space import OutcomeSpace
from detente.bargain.utility import UtilityModel

__all__ = ["assess_proposal", "neighbours"]


def neighbours(
    space: OutcomeSpace, digits: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every package one step from ``digits``: one dimension changed.

    Returns
    -------
    (digits, dims, sizes)
        ``(N, n_dims)`` digits of the neighbours, ``(N,)`` the dimension each one
        changes, and ``(N,)`` the size of the change (fraction of the issue's scale,
        or 1 for an option flip).
    """
    base = np.asarray(digits, dtype=np.int64)
    rows, dims, sizes = [], [], []
    for k, name in enumerate(space.dims):
        alt = space.allowed(name)
        alt = alt[alt != base[k]]
        if alt.size == 0:
            continue
        block = np.repeat(base[None, :], alt.size, axis=0)
        block[:, k] = alt
        rows.append(block)
        dims.append(np.full(alt.size, k))
        if k < space.n_issues:
            lo, hi = space.scales[k]
            grid = space.levels[k]
            span = hi - lo if hi > lo else 1.0
            sizes.append(np.abs(grid[alt] - grid[base[k]]) / span)
        else:
            sizes.append(np.ones(alt.size))
    if not rows:
        return np.empty((0, base.size), dtype=np.int64), np.empty(0, int), np.empty(0)
    return np.concatenate(rows), np.concatenate(dims), np.concatenate(sizes)


def assess_proposal(
    space: OutcomeSpace,
    model: UtilityModel,
    reservation: ReservationLike,
    package: Mapping[str, float | bool],
    *,
    proposal_id: str = "proposal",
    base: Mapping[str, float | bool] | None = None,
    participants: Sequence[str] | None = None,
    max_changes: int | None = None,
    tol: float = DEFAULT_TOL,
) -> ProposalAssessment:
    """Each actor's utility for ``package``, who accepts and who blocks it, which red
    lines it crosses, and for each blocker the single changes that win it over without
    losing anyone (see the module docstring).

    Parameters
    ----------
    space : OutcomeSpace
        Its restriction (if any) limits which moves are considered.
    model : UtilityModel
    reservation : mapping or array_like
        Reservation values (``actor -> value``, or aligned with ``model.actors``).
    package : mapping
        ``{issue: level, option: bool}``; dimensions it omits come from ``base``.
    proposal_id : str
    base : mapping, optional
        Values for the dimensions the package leaves open (usually the status quo).
    participants : sequence of str, optional
        The actors whose acceptance matters (default: all actors of ``model``).
    max_changes : int, optional
        Keep at most this many changes per blocker.
    tol : float
        An actor accepts when its utility exceeds its reservation value by more
        than ``tol`` and the package crosses none of its red lines.

    Returns
    -------
    ProposalAssessment
        ``to_win[b]`` lists changes by increasing size, then by how many blockers
        they win over (more first), then by ``b``'s gain (larger first).
    """
    actors = tuple(participants) if participants is not None else model.actors
    sub = model.subset(actors)
    res = full_reservation(actors, model, reservation)
    r = np.array([res[a] for a in actors])
    digits = space.encode(package, base=base)
    u = sub.utilities_of(digits)
    crossed = sub.crossed(digits)[0]  # (actors, dims)
    accepted = (u > r + tol) & ~crossed.any(axis=1)
    blockers = [a for a, ok in zip(actors, accepted, strict=True) if not ok]
    feasible = bool(space.is_feasible(digits[None, :])[0])
    to_win: dict[str, tuple[Change, ...]] = {}
    if blockers:
        nd, dims, sizes = neighbours(space, digits)
        if nd.shape[0]:
            ok = space.is_feasible(nd)
            nu = sub.utilities_of(nd)
            ncrossed = sub.crossed(nd)
            above = (nu > r + tol) & ~ncrossed.any(axis=2)
            ok &= np.all(above[:, accepted], axis=1)
            # A change may leave a red line the proposal crossed as it was, never cross
            # one it respected.
            ok &= ~np.any(ncrossed & ~crossed[None], axis=(1, 2))
            blocker_rows = np.flatnonzero(~accepted)
            n_won = above[:, blocker_rows].sum(axis=1)
        for b in blockers:
            if nd.shape[0] == 0:
                to_win[b] = ()
                continue
            j = actors.index(b)
            cand = np.flatnonzero(ok & above[:, j])
            gain = nu[cand, j] - u[j]
            order = np.lexsort((cand, -gain, -n_won[cand], sizes[cand]))
            cand = cand[order]
            if max_changes is not None:
                cand = cand[:max_changes]
            changes = []
            for c in cand:
                k = int(dims[c])
                name = space.dims[k]
                before, after = _value(space, k, digits[k]), _value(space, k, nd[c, k])
                wins = tuple(actors[i] for i in blocker_rows if above[c, i])
                changes.append(
                    Change(
                        dimension=name,
                        kind="issue" if k < space.n_issues else "option",
                        before=before,
                        after=after,
                        size=float(sizes[c]),
                        package=Package.build(space, nd[c], actors, nu[c]),
                        wins=wins,
                    )
                )
            to_win[b] = tuple(changes)
    red_lines = {
        actor: tuple(
            Crossing(
                space.dims[k],
                _value(space, k, digits[k]),
                sub.red_lines[actor][k].description,
            )
            for k in np.flatnonzero(crossed[a]).tolist()
        )
        for a, actor in enumerate(actors)
        if crossed[a].any()
    }
    return ProposalAssessment(
        id=str(proposal_id),
        package=Package.build(space, digits, actors, u),
        reservation=res,
        accepted_by=tuple(a for a, ok in zip(actors, accepted, strict=True) if ok),
        blocked_by=tuple(blockers),
        to_win=to_win,
        feasible=feasible,
        red_lines=red_lines,
    )


def _value(space: OutcomeSpace, k: int, digit: int) -> float | bool:
    if k < space.n_issues:
        return float(space.levels[k][int(digit)])
    return bool(digit)
