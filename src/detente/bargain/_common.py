"""Small helpers shared by the bargaining modules (private)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from detente.bargain.utility import UtilityModel

ReservationLike = Mapping[str, float] | Sequence[float] | np.ndarray

DEFAULT_TOL = 1e-9
"""Utilities closer than this count as equal: an actor strictly prefers a package to
its reservation value when its utility exceeds it by more than ``tol``, and solution
values within ``tol`` (relative to their size, at least 1) tie. Without it, two
mathematically equal utilities summed in a different order (say, after reordering
issues) could land one unit in the last place apart and flip a strict comparison."""


def reservation_array(model: UtilityModel, reservation: ReservationLike) -> np.ndarray:
    """Reservation values as an array in the order of ``model.actors``.

    Accepts a mapping ``actor -> value`` (which must cover every actor of the model)
    or a sequence aligned with ``model.actors``.
    """
    if isinstance(reservation, Mapping):
        missing = [a for a in model.actors if a not in reservation]
        if missing:
            raise ValueError(f"no reservation value for {missing}")
        r = np.array([float(reservation[a]) for a in model.actors])
    else:
        r = np.asarray(reservation, dtype=float)
        if r.shape != (model.n_actors,):
            raise ValueError(f"reservation: expected {model.n_actors} values, got shape {r.shape}")
    if not np.all(np.isfinite(r)):
        raise ValueError("reservation values must be finite")
    return r


def full_reservation(
    actors: Sequence[str], model: UtilityModel, reservation: ReservationLike
) -> dict[str, float]:
    """``{actor: value}`` for ``actors`` from reservation values given for the
    model's actors (mapping, or sequence aligned with ``model.actors``)."""
    if isinstance(reservation, Mapping):
        return {a: float(reservation[a]) for a in actors}
    r = reservation_array(model, reservation)
    return {a: float(r[model.actor_index(a)]) for a in actors}
