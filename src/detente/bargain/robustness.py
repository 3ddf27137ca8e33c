"""Robustness of packages and forums to uncertain ideals and weights.

Analysts rarely know positions and saliences exactly. :func:`perturb_profiles` draws
one plausible set of ideals, weights and option values around the analyst's
estimates, as a pure function of ``seed``; :func:`robustness_draw` recomputes, for
that draw, whether each named package is still inside the zone of possible
agreement (ZOPA) and whether each forum can still agree. The caller maps
:func:`robustness_draw` over seeds (serially or with the project's Monte Carlo
executor) and aggregates the shares, as Monte Carlo sensitivity analysis does for
spatial bargaining models (Scholz, Calbert and Smith 2011, section 4).

Noise model
-----------
- ideals: ``ideal + Normal(0, ideal_sd)``, clipped to the issue's scale;
- weights: ``weight * LogNormal(0, weight_sd)`` (stays non-negative, relative noise);
- option values: ``value + Normal(0, option_sd)``.

References
----------
Scholz, J. B., Calbert, G. J., and Smith, G. A. (2011). Unravelling Bueno De
Mesquita's group decision model. *Journal of Theoretical Politics* 23(4), 510-531.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from detente.bargain._common import DEFAULT_TOL, ReservationLike, reservation_array
from detente.bargain.forums import Forum
from detente.bargain.frontier import zopa_count
from detente.bargain.results import RobustnessDraw
from detente.bargain.space import DEFAULT_CHUNK_SIZE, OutcomeSpace
from detente.bargain.utility import (
    Normalization,
    UtilityModel,
    linear_additive,
    reservation_values,
)

__all__ = ["perturb_profiles", "robustness_draw", "zopa_membership"]


def perturb_profiles(
    space: OutcomeSpace,
    ideals: np.ndarray | Sequence[Sequence[float]],
    weights: np.ndarray | Sequence[Sequence[float]],
    option_values: np.ndarray | Sequence[Sequence[float]] | None = None,
    *,
    seed: int | np.random.SeedSequence,
    ideal_sd: float = 5.0,
    weight_sd: float = 0.2,
    option_sd: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One draw of ideals, weights and option values (see the module's noise model).

    Returns
    -------
    (ideals, weights, option_values)
        New arrays of the same shapes; the inputs are not modified.
    """
    rng = np.random.default_rng(seed)
    p = np.array(ideals, dtype=float)
    w = np.array(weights, dtype=float)
    c = (
        np.zeros((p.shape[0], space.n_options))
        if option_values is None
        else np.array(option_values, dtype=float)
    )
    lo = np.array([s[0] for s in space.scales])
    hi = np.array([s[1] for s in space.scales])
    p = np.clip(p + rng.normal(0.0, ideal_sd, p.shape), lo, hi)
    w = w * rng.lognormal(0.0, weight_sd, w.shape)
    c = c + rng.normal(0.0, option_sd, c.shape)
    return p, w, c


def robustness_draw(
    space: OutcomeSpace,
    *,
    seed: int,
    actors: Sequence[str],
    ideals: np.ndarray | Sequence[Sequence[float]],
    weights: np.ndarray | Sequence[Sequence[float]],
    option_values: np.ndarray | Sequence[Sequence[float]] | None = None,
    status_quo: Mapping[str, float | bool] | None = None,
    batna: Mapping[str, float] | None = None,
    packages: Mapping[str, Mapping[str, float | bool]] | None = None,
    package_participants: Mapping[str, Sequence[str]] | None = None,
    forums: Mapping[str, Forum] | None = None,
    ideal_sd: float = 5.0,
    weight_sd: float = 0.2,
    option_sd: float = 0.0,
    normalize: Normalization = "weights",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    tol: float = DEFAULT_TOL,
) -> RobustnessDraw:
    """Whether packages stay in the ZOPA and forums stay able to agree, for one
    draw of linear-additive profiles. A pure function of its arguments (``seed``
    included), so it can be mapped over seeds in any order or in parallel.

    Parameters
    ----------
    space : OutcomeSpace
    seed : int
    actors, ideals, weights, option_values
        The baseline linear-additive profiles (see
        :func:`~detente.bargain.utility.linear_additive`).
    status_quo, batna
        Reservation values: an actor's BATNA if given, else its (drawn) utility for
        the status quo. ``status_quo`` is also the fixed part of every forum.
    packages : mapping, optional
        Package id -> ``{issue: level, option: bool}`` (missing dimensions are
        taken from ``status_quo``).
    package_participants : mapping, optional
        Package id -> the actors whose acceptance counts (default: all).
    forums : mapping of str to Forum, optional
    ideal_sd, weight_sd, option_sd
        Noise scales (see the module docstring).
    normalize, chunk_size

    Returns
    -------
    RobustnessDraw
    """
    p, w, c = perturb_profiles(
        space,
        ideals,
        weights,
        option_values,
        seed=seed,
        ideal_sd=ideal_sd,
        weight_sd=weight_sd,
        option_sd=option_sd,
    )
    model = linear_additive(
        space, actors=actors, ideals=p, weights=w, option_values=c, normalize=normalize
    )
    r = reservation_values(space, model, status_quo=status_quo, batna=batna)
    return zopa_membership(
        space,
        model,
        r,
        seed=int(seed),
        status_quo=status_quo,
        packages=packages,
        package_participants=package_participants,
        forums=forums,
        chunk_size=chunk_size,
        tol=tol,
    )


def zopa_membership(
    space: OutcomeSpace,
    model: UtilityModel,
    reservation: ReservationLike,
    *,
    seed: int | None = None,
    status_quo: Mapping[str, float | bool] | None = None,
    packages: Mapping[str, Mapping[str, float | bool] | np.ndarray] | None = None,
    package_participants: Mapping[str, Sequence[str]] | None = None,
    forums: Mapping[str, Forum] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    tol: float = DEFAULT_TOL,
) -> RobustnessDraw:
    """Whether each package is inside the ZOPA and each forum can agree, for given
    utilities: the deterministic half of :func:`robustness_draw`, for callers that
    draw utilities their own way (``seed`` is only recorded). The model's red lines
    count as they are: a package that crosses one is never inside the ZOPA. A
    package is ``{issue: level, option: bool}`` (missing dimensions taken from
    ``status_quo``) or its digits (:meth:`~detente.bargain.space.OutcomeSpace.encode`).

    Returns
    -------
    RobustnessDraw
    """
    r = reservation_array(model, reservation)
    res = {a: float(v) for a, v in zip(model.actors, r, strict=True)}
    in_zopa: dict[str, bool] = {}
    for pid, pkg in (packages or {}).items():
        who = (package_participants or {}).get(pid, model.actors)
        rows = [model.actor_index(a) for a in who]
        # a package may come encoded already (its digits), as many draws judge the same ones
        digits = pkg if isinstance(pkg, np.ndarray) else space.encode(pkg, base=status_quo)
        u = model.utilities_of(digits)
        crossed = model.crossed(digits)[0][rows].any()
        in_zopa[pid] = bool(np.all(u[rows] > r[rows] + tol)) and not crossed
    agree: dict[str, bool] = {}
    sizes: dict[str, int] = {}
    if forums and status_quo is None:
        raise ValueError("forums need the status quo (the levels of issues off the agenda)")
    for fid, forum in (forums or {}).items():
        sub_space = space.restrict_to_agenda(tuple(forum.agenda), status_quo or {})
        sub_model = model.subset(tuple(forum.participants))
        rr = [res[a] for a in sub_model.actors]
        _, n = zopa_count(sub_space, sub_model, rr, chunk_size=chunk_size, tol=tol)
        agree[fid] = n > 0
        sizes[fid] = n
    return RobustnessDraw(
        seed=seed,
        reservation=res,
        packages_in_zopa=in_zopa,
        forums_agreement=agree,
        forums_zopa=sizes,
    )
