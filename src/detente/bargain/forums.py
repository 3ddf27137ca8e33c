"""Forum evaluation: can a given set of participants, with a given agenda, agree?

A *forum* is a set of participants and an agenda: the issues and options that may
move, the rest held at the status quo. The forum can reach agreement when its zone
of possible agreement (ZOPA) is non-empty: some package within the agenda that every
participant strictly prefers to its reservation value and that crosses none of the
participants' red lines (an issue off the agenda stays at its status quo, so a status
quo beyond a participant's red line leaves the forum no agreement). Widening the
agenda creates room for trades across issues ("logrolling", Raiffa 1982, ch. 11;
Sebenius 1983, adding issues); adding or removing parties changes who must be
satisfied (Sebenius 1983, adding and subtracting parties; Lax and Sebenius 1986,
ch. 10). The caller
enumerates the candidate forums (from the case's participation rules) and maps
:func:`evaluate_forum` over them.

References
----------
Sebenius, J. K. (1983). Negotiation arithmetic: adding and subtracting issues and
parties. *International Organization* 37(2), 281-316.
Lax, D. A., and Sebenius, J. K. (1986). *The Manager as Negotiator*. Free Press.
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from detente.bargain._common import DEFAULT_TOL, ReservationLike, full_reservation
from detente.bargain.frontier import pareto_frontier
from detente.bargain.results import ForumEvaluation, Package
from detente.bargain.solutions import solve
from detente.bargain.space import DEFAULT_CHUNK_SIZE, OutcomeSpace
from detente.bargain.utility import UtilityModel

__all__ = ["Forum", "evaluate_forum"]


class Forum(NamedTuple):
    """A candidate forum: who takes part and what is on the table."""

    participants: tuple[str, ...]
    agenda: tuple[str, ...]


def evaluate_forum(
    space: OutcomeSpace,
    model: UtilityModel,
    reservation: ReservationLike,
    *,
    participants: Sequence[str],
    agenda: Sequence[str],
    status_quo: Mapping[str, float | bool],
    solution: str = "nash",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    tol: float = DEFAULT_TOL,
) -> ForumEvaluation:
    """Whether ``participants`` can agree on a package that moves only ``agenda``.

    Parameters
    ----------
    space : OutcomeSpace
    model : UtilityModel
    reservation : mapping or array_like
        Reservation values of the model's actors (only participants' are used).
    participants : sequence of str
        Actors who must agree (non-participants are not consulted).
    agenda : sequence of str
        Issues and options that may move; every other dimension stays at its
        ``status_quo`` value.
    status_quo : mapping
        ``{issue: level, option: bool}`` for every dimension off the agenda.
    solution : str
        Which solution picks the best package (see
        :data:`~detente.bargain.solutions.SOLUTIONS`).
    chunk_size, tol

    Returns
    -------
    ForumEvaluation
    """
    participants = tuple(dict.fromkeys(participants))
    if not participants:
        raise ValueError("a forum needs at least one participant")
    agenda = tuple(dict.fromkeys(agenda))
    sub_space = space.restrict_to_agenda(agenda, status_quo)
    sub_model = model.subset(participants)
    res = full_reservation(participants, model, reservation)
    r = [res[a] for a in participants]
    front = pareto_frontier(sub_space, sub_model, r, chunk_size=chunk_size, tol=tol)
    row = solve(front, solution, tol=tol)
    best = None
    if row is not None:
        best = Package.build(
            space, space.digits_of(front.index[row]), participants, front.utilities[row]
        )
    return ForumEvaluation(
        participants=participants,
        agenda=agenda,
        outcomes=front.outcomes,
        zopa=front.zopa,
        agreement_possible=front.zopa > 0,
        solution=solution,
        best=best,
        reservation=res,
    )
