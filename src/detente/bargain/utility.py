"""Actors' utilities over the outcome space, and their reservation values.

Every utility here is *additive* over the dimensions of the space (Raiffa 1982,
ch. 12; Keeney and Raiffa 1976, ch. 3): an actor's utility for a package is a sum of
one term per issue (a function of that issue's level) and one term per option (a
function of taking it or not). The engine stores one small table per dimension,
``tables[k][a, level]``, and evaluates a whole chunk of outcomes with one gather and
one addition per dimension.

Normalisation (how utilities come to lie in [0, 1])
---------------------------------------------------
``"weights"`` (the default)
    The weighted-average form used by Raiffa (1982, ch. 12) and by GENIUS (Lin et
    al. 2014): ``u = sum_k w_k e_k(x_k) / sum_k w_k`` where each evaluation ``e_k``
    lies in [0, 1]. For a linear-additive actor the issue evaluation is the
    closeness ``1 - |level - ideal| / (high - low)`` on the issue's scale, with the
    salience as weight; an option with value ``c`` counts as an issue of weight
    ``|c|`` whose evaluation is 1 in the state the actor prefers (taken if
    ``c > 0``) and 0 in the other. A package at the actor's ideal on every issue,
    with every option set its way, has utility 1.
``"range"``
    The raw sum, rescaled affinely so that the best grid point (ignoring the
    feasibility mask) has utility 1 and the worst 0. Nash and Kalai-Smorodinsky
    solutions do not change under this rescaling; the utilitarian and egalitarian
    ones may.
``"none"``
    The raw sum, unchanged (the caller promises it lies in [0, 1]).

Red lines
---------
An actor may also refuse some levels of a dimension outright, whatever it gains
elsewhere (:class:`RedLineRow`). Its preference is then lexicographic (Fishburn
1974): first whether a package crosses none of its red lines, then its utility. The
red lines are kept beside the tables, never folded into them as a penalty, so every
utility stays the additive sum above (exact, and meaningful to show) and a package
that crosses a red line is simply not acceptable to that actor:
:meth:`UtilityModel.acceptable` is the part of the space that crosses none of the
model's red lines (a product of level subsets, so the zone is scanned on a smaller
grid), :meth:`UtilityModel.crossed` says which red lines given packages cross.

References
----------
Fishburn, P. C. (1974). Lexicographic orders, utilities and decision rules: a survey.
*Management Science* 20(11), 1442-1471.
Keeney, R. L., and Raiffa, H. (1976). *Decisions with Multiple Objectives*. Wiley.
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
Lin, R., Kraus, S., Baarslag, T., Tykhonov, D., Hindriks, K., and Jonker, C. M.
(2014). Genius: an integrated environment for supporting the design of generic
automated negotiators. *Computational Intelligence* 30(1), 48-70.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from detente.bargain.space import Chunk, OutcomeSpace

__all__ = [
    "Normalization",
    "RedLineRow",
    "UtilityModel",
    "linear_additive",
    "reservation_values",
    "value_tables",
]

Normalization = Literal["weights", "range", "none"]
_NORMALIZATIONS = ("weights", "range", "none")


@dataclass(frozen=True, eq=False)
class RedLineRow:
    """One actor's red line on one dimension, read on the dimension's grid.

    Attributes
    ----------
    allowed : numpy.ndarray
        ``(radix,)`` bool: whether the actor can accept each level (False: the red
        line forbids it, whatever the rest of the package).
    description : str
        The red line in words, e.g. ``"at most 50"``.
    """

    allowed: np.ndarray
    description: str = ""

    def __post_init__(self) -> None:
        allowed = np.array(self.allowed, dtype=bool)
        if allowed.ndim != 1:
            raise ValueError("a red line row holds one bool per level")
        allowed.setflags(write=False)
        object.__setattr__(self, "allowed", allowed)


@dataclass(frozen=True, eq=False)
class UtilityModel:
    """Additive utilities of several actors over one outcome space.

    Attributes
    ----------
    actors : tuple of str
        Actor names, in the order of the rows of every table.
    tables : tuple of numpy.ndarray
        One ``(n_actors, radix_k)`` float table per dimension of the space (issues,
        then options): ``tables[k][a, v]`` is actor ``a``'s term when dimension ``k``
        takes value ``v``. Normalisation is already folded in.
    normalization : str
        How the tables were scaled (see the module docstring).
    red_lines : mapping of str to mapping of int to RedLineRow
        Actor -> dimension number -> the levels the actor never accepts (see the
        module docstring); empty by default.
    """

    actors: tuple[str, ...]
    tables: tuple[np.ndarray, ...]
    normalization: str = "weights"
    red_lines: Mapping[str, Mapping[int, RedLineRow]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", _exact_tables(self.tables))
        object.__setattr__(self, "red_lines", self._checked(self.red_lines))

    def _checked(
        self, red_lines: Mapping[str, Mapping[int, RedLineRow]]
    ) -> dict[str, dict[int, RedLineRow]]:
        lines: dict[str, dict[int, RedLineRow]] = {}
        for actor, rows in red_lines.items():
            if actor not in self.actors:
                raise ValueError(f"red lines given for unknown actor {actor!r}")
            for k, row in rows.items():
                if not 0 <= k < len(self.tables):
                    raise ValueError(f"actor {actor!r}: no dimension {k} for a red line")
                if row.allowed.shape != (self.tables[k].shape[1],):
                    raise ValueError(
                        f"actor {actor!r}, dimension {k}: the red line needs "
                        f"{self.tables[k].shape[1]} levels, got {row.allowed.shape}"
                    )
            if rows:
                lines[actor] = dict(rows)
        return lines

    def with_red_lines(self, red_lines: Mapping[str, Mapping[int, RedLineRow]]) -> UtilityModel:
        """The same utilities, bit for bit (the tables are not rounded again), with
        ``red_lines`` instead of the model's own."""
        new = object.__new__(UtilityModel)
        new.__dict__.update(self.__dict__)
        object.__setattr__(new, "red_lines", self._checked(red_lines))
        return new

    def acceptable(self, space: OutcomeSpace) -> OutcomeSpace:
        """The part of ``space`` that crosses no red line of the model's actors: each
        dimension keeps the levels every actor allows (``space`` itself without red
        lines; a space of size 0 when some dimension keeps no level)."""
        if not self.red_lines:
            return space
        keep: dict[int, np.ndarray] = {}
        for rows in self.red_lines.values():
            for k, row in rows.items():
                keep[k] = keep[k] & row.allowed if k in keep else row.allowed
        return space.restrict_levels({k: np.flatnonzero(ok) for k, ok in keep.items()})

    def crossed(self, digits: np.ndarray) -> np.ndarray:
        """Which red lines packages cross: ``digits`` ``(n, n_dims)`` -> bool
        ``(n, n_actors, n_dims)``, True where the dimension's level is one the actor's
        red line forbids."""
        d = np.atleast_2d(np.asarray(digits, dtype=np.int64))
        out = np.zeros((d.shape[0], self.n_actors, d.shape[1]), dtype=bool)
        for actor, rows in self.red_lines.items():
            a = self.actors.index(actor)
            for k, row in rows.items():
                out[:, a, k] = ~row.allowed[d[:, k]]
        return out

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    def evaluate(self, chunk: Chunk) -> np.ndarray:
        """Utilities of every outcome of ``chunk``: float array ``(n, n_actors)``."""
        if chunk.outer is not None and chunk.inner is not None:
            outer, inner = self._parts(chunk.outer, chunk.inner)
            return (outer[:, None, :] + inner[None, :, :]).reshape(-1, self.n_actors)
        return self._sum(self.tables, chunk.digits)

    def evaluate_above(self, chunk: Chunk, floor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, utilities)`` of the outcomes of ``chunk`` whose utilities all exceed
        ``floor`` (``(n_actors,)``): their positions in the chunk and their utilities.

        For a product chunk, an outer row whose utilities plus the best inner term
        cannot exceed ``floor`` for some actor is skipped whole (branch and bound over
        an additive sum)."""
        if chunk.outer is None or chunk.inner is None:
            u = self.evaluate(chunk)
            rows = np.flatnonzero(np.all(u > floor, axis=1))
            return rows, u[rows]
        outer, inner = self._parts(chunk.outer, chunk.inner)
        n_inner = inner.shape[0]
        if n_inner == 0:
            return np.empty(0, dtype=np.int64), np.empty((0, self.n_actors))
        hopeful = np.flatnonzero(np.all(outer + inner.max(axis=0) > floor, axis=1))
        u = outer[hopeful][:, None, :] + inner[None, :, :]
        inside = np.all(u > floor, axis=2)
        o, i = np.nonzero(inside)
        return hopeful[o] * n_inner + i, u[o, i]

    def _parts(
        self, outer: tuple[np.ndarray, ...], inner: tuple[np.ndarray, ...]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Utility terms of the outer rows ``(B, n_actors)`` and inner rows
        ``(F, n_actors)`` of a product chunk; their sums are the utilities."""
        k = len(outer)
        return self._sum(self.tables[:k], outer), self._sum(self.tables[k:], inner)

    def _sum(self, tables: Sequence[np.ndarray], digits: Sequence[np.ndarray]) -> np.ndarray:
        n = int(digits[0].shape[0]) if len(digits) else 1
        out = np.zeros((n, self.n_actors), dtype=float)
        for table, d in zip(tables, digits, strict=True):
            if table.shape[1] == 1:
                out += table[:, 0]
            else:
                out += table.T[d]
        return out

    def utilities_of(self, digits: np.ndarray) -> np.ndarray:
        """Utilities of outcomes given as digits, ``(n_dims,)`` -> ``(n_actors,)`` or
        ``(n, n_dims)`` -> ``(n, n_actors)``."""
        d = np.asarray(digits, dtype=np.int64)
        single = d.ndim == 1
        d = np.atleast_2d(d)
        out = np.zeros((d.shape[0], self.n_actors), dtype=float)
        for k, table in enumerate(self.tables):
            out += table.T[d[:, k]]
        return out[0] if single else out

    def subset(self, actors: Sequence[str]) -> UtilityModel:
        """The same utilities for ``actors`` only, in that order."""
        rows = [self.actor_index(a) for a in actors]
        return UtilityModel(
            tuple(self.actors[r] for r in rows),
            tuple(t[rows] for t in self.tables),
            self.normalization,
            {a: self.red_lines[a] for a in actors if a in self.red_lines},
        )

    def actor_index(self, actor: str) -> int:
        try:
            return self.actors.index(actor)
        except ValueError:
            raise KeyError(f"no actor named {actor!r}") from None


_EXACT_BITS = 50


def _exact_tables(tables: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """``tables`` rounded, actor by actor, to multiples of a power of two ``q_a``, so
    that every sum of one term per table is exact in floating point.

    With every term of actor ``a`` a multiple of ``q_a`` and every partial sum below
    ``2**50 q_a`` in size, no addition rounds: a package's utility does not depend on
    the order its terms are added in (a chunk adds outer and inner parts separately,
    a listed chunk term by term), so the zone and the frontier do not depend on how the
    space is walked. ``q_a`` is about ``1e-15`` of actor ``a``'s largest possible
    utility, far below any difference that matters to that actor. (Terms are rounded
    one by one, so packages whose utilities tie in exact arithmetic may still differ in
    the last place, as they may without rounding.)
    """
    arrays = [np.asarray(t, dtype=float) for t in tables]
    if not arrays or any(a.ndim != 2 for a in arrays) or any(a.size == 0 for a in arrays):
        return tuple(arrays)
    bound = np.sum([np.abs(a).max(axis=1) for a in arrays], axis=0)  # per actor
    q = np.ones_like(bound)
    usable = np.isfinite(bound) & (bound > 2.0**-900)
    q[usable] = np.exp2(np.ceil(np.log2(bound[usable])) - _EXACT_BITS)
    out = []
    for a in arrays:
        snapped = np.where(usable[:, None], np.round(a / q[:, None]) * q[:, None], a)
        snapped.setflags(write=False)
        out.append(snapped)
    return tuple(out)


def _check_normalization(normalize: str) -> None:
    if normalize not in _NORMALIZATIONS:
        raise ValueError(f"normalize must be one of {_NORMALIZATIONS}, got {normalize!r}")


def _finish(
    actors: Sequence[str],
    issue_evals: list[np.ndarray],
    issue_weights: np.ndarray,
    option_values: np.ndarray,
    normalize: str,
) -> UtilityModel:
    """Combine evaluations ``(n_actors, n_levels)`` per issue, weights
    ``(n_actors, n_issues)`` and option values ``(n_actors, n_options)`` into tables."""
    _check_normalization(normalize)
    n_actors = len(actors)
    if len(set(actors)) != n_actors:
        raise ValueError("actor names must be distinct")
    if n_actors == 0:
        raise ValueError("at least one actor is needed")
    tables = [w[:, None] * e for w, e in zip(issue_weights.T, issue_evals, strict=True)]
    # An option is a two-level issue: 0 when left, its value when taken.
    tables += [np.stack([np.zeros(n_actors), c], axis=1) for c in option_values.T]
    if normalize == "weights":
        total = issue_weights.sum(axis=1) + np.abs(option_values).sum(axis=1)
        bad = [a for a, t in zip(actors, total, strict=True) if not t > 0]
        if bad:
            raise ValueError(f"actors {bad} have no positive weight or option value")
        # Shift each option so that its worse state scores 0 (weight |c|, evaluation
        # in {0, 1}), then divide everything by the total weight.
        for j in range(option_values.shape[1]):
            tables[len(issue_evals) + j] -= np.minimum(0.0, option_values[:, j])[:, None]
        tables = [t / total[:, None] for t in tables]
    elif normalize == "range":
        lo = sum(t.min(axis=1) for t in tables) if tables else np.zeros(n_actors)
        hi = sum(t.max(axis=1) for t in tables) if tables else np.zeros(n_actors)
        span = hi - lo
        bad = [a for a, s in zip(actors, span, strict=True) if not s > 0]
        if bad:
            raise ValueError(f"actors {bad} are indifferent between all outcomes")
        # Subtracting each table's minimum moves the worst grid point to 0.
        tables = [(t - t.min(axis=1, keepdims=True)) / span[:, None] for t in tables]
    for t in tables:
        t.setflags(write=False)
    return UtilityModel(tuple(str(a) for a in actors), tuple(tables), normalize)


def _matrix(values: object, shape: tuple[int, int], what: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != shape:
        raise ValueError(f"{what}: expected shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what}: values must be finite")
    return arr


def linear_additive(
    space: OutcomeSpace,
    *,
    actors: Sequence[str],
    ideals: np.ndarray | Sequence[Sequence[float]],
    weights: np.ndarray | Sequence[Sequence[float]],
    option_values: np.ndarray | Sequence[Sequence[float]] | None = None,
    normalize: Normalization = "weights",
) -> UtilityModel:
    """Salience-weighted closeness to each actor's ideal, plus option terms.

    Actor ``a``'s raw utility for a package ``x`` is

    .. math:: U_a(x) = \\sum_i w_{ai}\\,(1 - |x_i - p_{ai}| / (h_i - l_i))
              + \\sum_o c_{ao}\\,[x_o\\ \\text{taken}]

    where ``p_ai`` is the ideal (position), ``w_ai >= 0`` the weight (salience),
    ``(l_i, h_i)`` the issue's scale and ``c_ao`` the option value, then normalised
    as described in the module docstring (Raiffa 1982, ch. 12, the additive scoring
    system; the spatial closeness of Bueno de Mesquita's and KTAB's models).

    Parameters
    ----------
    space : OutcomeSpace
    actors : sequence of str
    ideals, weights : array_like, shape (n_actors, n_issues)
        Ideal levels (within each issue's scale) and non-negative weights.
    option_values : array_like, shape (n_actors, n_options), optional
        Value of taking each option (negative if the actor opposes it); zero if
        omitted.
    normalize : {"weights", "range", "none"}

    Returns
    -------
    UtilityModel

    Examples
    --------
    >>> space = OutcomeSpace({"aid": [0, 50, 100]}, options=["summit"])
    >>> model = linear_additive(space, actors=["A"], ideals=[[100]], weights=[[3]],
    ...                         option_values=[[1]])
    >>> model.utilities_of(space.encode({"aid": 50, "summit": True})).round(3).tolist()
    [0.625]
    """
    n_actors, n_issues = len(actors), space.n_issues
    p = _matrix(ideals, (n_actors, n_issues), "ideals")
    w = _matrix(weights, (n_actors, n_issues), "weights")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    c = (
        np.zeros((n_actors, space.n_options))
        if option_values is None
        else _matrix(option_values, (n_actors, space.n_options), "option_values")
    )
    evals = []
    for i, (grid, (lo, hi)) in enumerate(zip(space.levels, space.scales, strict=True)):
        if np.any((p[:, i] < lo) | (p[:, i] > hi)):
            raise ValueError(
                f"issue {space.issue_names[i]!r}: ideals must lie on the scale ({lo}, {hi})"
            )
        span = hi - lo
        if span > 0:
            evals.append(1.0 - np.abs(grid[None, :] - p[:, i : i + 1]) / span)
        else:
            evals.append(np.ones((n_actors, grid.size)))
    return _finish(actors, evals, w, c, normalize)


def value_tables(
    space: OutcomeSpace,
    tables: Mapping[str, Mapping[str, Sequence[float] | np.ndarray | Mapping[float, float]]],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    option_values: Mapping[str, Mapping[str, float]] | None = None,
    normalize: Normalization = "weights",
) -> UtilityModel:
    """Additive utilities from explicit value tables (level -> value per issue).

    Parameters
    ----------
    space : OutcomeSpace
    tables : mapping
        ``tables[actor][issue]`` is either a sequence of values aligned with the
        issue's levels or a mapping ``level -> value``. Every actor must give every
        issue. With ``normalize="weights"`` values must lie in [0, 1] (GENIUS
        evaluations, already divided by each issue's largest one).
    weights : mapping, optional
        ``weights[actor][issue]``, default 1 for every issue.
    option_values : mapping, optional
        ``option_values[actor][option]``, default 0.
    normalize : {"weights", "range", "none"}

    Returns
    -------
    UtilityModel

    References
    ----------
    Raiffa, H. (1982), ch. 12: the additive scoring system as tables of points.
    """
    actors = list(tables)
    n_actors = len(actors)
    evals = []
    for i, name in enumerate(space.issue_names):
        grid = space.levels[i]
        block = np.empty((n_actors, grid.size))
        for a, actor in enumerate(actors):
            if name not in tables[actor]:
                raise ValueError(f"actor {actor!r} has no value table for issue {name!r}")
            spec = tables[actor][name]
            if isinstance(spec, Mapping):
                row = np.full(grid.size, np.nan)
                for level, value in spec.items():
                    hit = np.flatnonzero(np.isclose(grid, float(level), rtol=0, atol=1e-9))
                    if hit.size == 0:
                        raise ValueError(
                            f"actor {actor!r}, issue {name!r}: {level!r} is not a level"
                        )
                    row[hit[0]] = float(value)
                if np.isnan(row).any():
                    raise ValueError(f"actor {actor!r}, issue {name!r}: table misses levels")
            else:
                row = np.asarray(spec, dtype=float)
                if row.shape != grid.shape:
                    raise ValueError(
                        f"actor {actor!r}, issue {name!r}: expected {grid.size} values"
                    )
            block[a] = row
        if normalize == "weights" and (np.any(block < 0) or np.any(block > 1)):
            raise ValueError(f"issue {name!r}: table values must lie in [0, 1]")
        evals.append(block)
    w = np.ones((n_actors, space.n_issues))
    if weights is not None:
        for a, actor in enumerate(actors):
            for i, name in enumerate(space.issue_names):
                w[a, i] = float(weights.get(actor, {}).get(name, 1.0))
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    c = np.zeros((n_actors, space.n_options))
    if option_values is not None:
        for a, actor in enumerate(actors):
            for j, name in enumerate(space.option_names):
                c[a, j] = float(option_values.get(actor, {}).get(name, 0.0))
    return _finish(actors, evals, w, c, normalize)


def reservation_values(
    space: OutcomeSpace,
    model: UtilityModel,
    *,
    status_quo: Mapping[str, float | bool] | None = None,
    batna: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Each actor's reservation value: its explicit BATNA if given, otherwise its
    utility for the status quo (Raiffa 1982, ch. 4; Fisher and Ury 1981, the best
    alternative to a negotiated agreement).

    Returns
    -------
    numpy.ndarray
        ``(n_actors,)`` floats, in the order of ``model.actors``.
    """
    batna = dict(batna or {})
    unknown = set(batna) - set(model.actors)
    if unknown:
        raise ValueError(f"BATNA given for unknown actors: {sorted(unknown)}")
    out = np.empty(model.n_actors)
    sq = None
    for a, actor in enumerate(model.actors):
        if actor in batna:
            out[a] = float(batna[actor])
            continue
        if status_quo is None:
            raise ValueError(f"actor {actor!r} has no BATNA and no status quo was given")
        if sq is None:
            sq = model.utilities_of(space.encode(status_quo))
        out[a] = sq[a]
    return out
