"""Up-front estimates of the bargaining analysis' time and memory.

The work of :func:`~detente.bargain.analysis.analyze` is a scan of the outcome space
(every package's utility for every party) and the Pareto frontier of the zone of
possible agreement (ZOPA), which the engine builds chunk by chunk. The scan grows as
packages times parties; the frontier's work as the ZOPA's packages times the size of
its frontier times the parties, and the frontier's size depends on the utilities
(a few thousand packages for half a dozen parties, nearly the whole zone for thirty).
So the estimate takes a pilot: the utilities of a few thousand packages drawn at
random (seeded, so the estimate is the same every time), which give the ZOPA's share
of the space and the frontier's share of the ZOPA; the frontier of the whole zone is
extrapolated from the pilot's with the growth of the frontier of random points
(``(ln N)^(d - 1)``, Bentley et al. 1978), and never above the zone.

Constants were measured on a two-core machine (``benchmarks/bargain_scale.py``):
about 3 ns per package and party for the scan and 8e-11 s per package, frontier
package and party for the frontier. Each forum is a smaller analysis of the same
kind; each robustness sample redraws the utilities and checks every forum's zone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from detente.bargain._common import DEFAULT_TOL, ReservationLike, reservation_array
from detente.bargain.frontier import pareto_mask
from detente.bargain.space import DEFAULT_CHUNK_SIZE, OutcomeSpace
from detente.bargain.utility import UtilityModel
from detente.model.limits import Estimate, check_estimate, largest_fitting

__all__ = ["analysis_estimate", "check_bargain_cost"]

#: seconds per package and party of the scan
_SCAN = 3e-9
#: seconds per ZOPA package, frontier package and party of the frontier
_FRONT = 8e-11
#: seconds per robustness sample (drawing and checking the packages)
_SAMPLE = 2e-3
#: packages of the pilot
_PILOT = 4096
#: bytes of the process before the work (Python, numpy, detente)
_BASE = 150 * 2**20


def _pilot(
    space: OutcomeSpace, model: UtilityModel, r: np.ndarray, tol: float
) -> tuple[float, int, int]:
    """The ZOPA's share of the pilot's packages, the pilot's ZOPA packages and their
    frontier's size."""
    if space.size == 0:
        return 0.0, 0, 0
    rng = np.random.default_rng(0)
    digits = np.stack(
        [
            space.allowed(k)[rng.integers(0, space.radices[k], _PILOT)]
            for k in range(len(space.dims))
        ],
        axis=1,
    )
    keep = space.is_feasible(digits)
    if model.red_lines:
        keep &= ~model.crossed(digits).any(axis=(1, 2))
    u = model.utilities_of(digits[keep])
    inside = u[np.all(u > r + tol, axis=1)]
    front = int(pareto_mask(inside).sum()) if len(inside) else 0
    return len(inside) / _PILOT, len(inside), front


def _frontier(zone: float, pilot_zone: int, pilot_front: int, parties: int) -> float:
    """The frontier's size in a zone of ``zone`` packages, from the pilot's."""
    if zone <= 1 or pilot_zone == 0:
        return min(zone, 1.0)
    if pilot_front >= pilot_zone or pilot_zone < 2:
        return zone
    growth = (math.log(max(zone, 2.0)) / math.log(pilot_zone)) ** max(parties - 1, 0)
    return min(zone, max(pilot_front, 1) * growth)


def analysis_estimate(
    space: OutcomeSpace,
    model: UtilityModel,
    reservation: ReservationLike,
    *,
    forums: Sequence[tuple[OutcomeSpace, UtilityModel, np.ndarray]] = (),
    samples: int = 0,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    tol: float = DEFAULT_TOL,
    scale: float = 1.0,
) -> Estimate:
    """Time and peak memory of the analysis of ``space`` (and of each forum's
    ``(sub_space, sub_model, reservation)``, and of ``samples`` robustness samples),
    every space's size multiplied by ``scale`` (to find what would fit)."""
    total = Estimate()
    peak = 0.0
    sample = _SAMPLE
    parts = [(space, model, reservation_array(model, reservation)), *forums]
    for k, (sub, sub_model, r) in enumerate(parts):
        size = sub.size * scale
        parties = sub_model.n_actors
        share, pilot_zone, pilot_front = _pilot(sub, sub_model, np.asarray(r), tol)
        zone = size * share
        front = _frontier(zone, pilot_zone, pilot_front, parties)
        chunk_front = min(front, chunk_size)
        seconds = _SCAN * size * parties + _FRONT * zone * chunk_front * parties
        total += Estimate(seconds)
        chunk = min(size, chunk_size)
        peak = max(peak, 8 * (6 * chunk * (parties + len(sub.dims)) + 3 * front * (parties + 1)))
        if k:
            # a sample checks the forum's zone, up to a whole scan when it is empty
            sample += _SCAN * size * parties * (1.0 if share == 0 else min(1.0, 1 / zone))
    total += Estimate(samples * sample)
    return total + Estimate(0.0, _BASE + peak + samples * 8 * (len(forums) + 8))


def check_bargain_cost(
    space: OutcomeSpace,
    model: UtilityModel,
    reservation: ReservationLike,
    *,
    forums: Sequence[tuple[OutcomeSpace, UtilityModel, np.ndarray]] = (),
    samples: int = 0,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    tol: float = DEFAULT_TOL,
) -> None:
    """Refuse, before it starts, a bargaining analysis whose estimated time or memory
    exceeds ``DETENTE_MAX_SECONDS`` or ``DETENTE_MAX_MEMORY``, naming the number of
    packages (or of samples) that would fit."""
    settings: dict[str, Any] = {"forums": forums, "chunk_size": chunk_size, "tol": tol}
    estimate = analysis_estimate(space, model, reservation, samples=samples, **settings)
    if estimate.within():
        return
    what = (
        f"bargaining over {space.size:,} packages with {model.n_actors:,} parties"
        + (f" and {len(forums)} forums" if forums else "")
        + (f" and {samples:,} samples" if samples else "")
    )
    alone = analysis_estimate(space, model, reservation, **settings)
    if samples and alone.within():
        fit = largest_fitting(
            lambda k: analysis_estimate(space, model, reservation, samples=k, **settings),
            samples,
        )
        check_estimate(what, estimate, fits=f"at most {fit or 0:,} samples would fit")
    # the same space, scaled down: each package's share of the work stays the same
    steps = 1000
    fit = largest_fitting(
        lambda k: analysis_estimate(space, model, reservation, scale=k / steps, **settings),
        steps,
    )
    packages = 0 if fit is None else int(space.size * fit / steps)
    fits = (
        f"about {packages:,} packages would fit: use fewer issue levels or options"
        if packages
        else "use fewer issue levels, options or parties"
    )
    check_estimate(what, estimate, fits=fits)
