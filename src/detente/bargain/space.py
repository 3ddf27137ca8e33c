"""The outcome space: a Cartesian grid of issue levels and binary options.

An outcome (a *package*) fixes one level on every issue and takes or leaves every
option. The space is the Cartesian product of the issues' level grids and of
``{0, 1}`` per option, minus the combinations a caller-supplied mask declares
infeasible. Outcomes are numbered in mixed radix (issues first, in the order given,
then options; the last dimension varies fastest), so an outcome is one integer and a
range of integers is a chunk of outcomes. The space is never materialised: the
engine walks it in chunks (:meth:`OutcomeSpace.chunks`) so that ten million outcomes
stream through a fixed amount of memory.

A chunk is usually a *product*: a block of combinations of the leading dimensions
(the outer rows) times every combination of the trailing ones (the inner rows, the
same for every chunk). Additive utilities then cost one small sum per outer and per
inner row and one broadcast addition, and a bound on the inner rows lets an outer
row that cannot reach a threshold be skipped whole. When feasibility depends on the
options alone (``feasible_options``), the inner rows hold every option, the mask is
evaluated once, and only feasible combinations are ever produced.

A *restricted* space (:meth:`OutcomeSpace.restrict`) pins some dimensions to one
level (the status quo, for issues that are not on a forum's agenda);
:meth:`OutcomeSpace.restrict_levels` keeps a subset of a dimension's levels (those no
party's red line forbids). A restricted space enumerates only the levels left but
reports outcomes in the numbering of the full space, so packages from different forums
compare directly.

References
----------
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press,
ch. 11-13 (many-issue negotiations: the package as a point in the outcome space).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import cast

import numpy as np

__all__ = ["Chunk", "FeasibleMask", "FeasibleOptions", "OutcomeSpace"]

FeasibleOptions = Callable[[np.ndarray], np.ndarray]
"""``feasible_options(options) -> mask``: feasibility that depends on the options
alone. ``options`` is a bool array ``(n, n_options)``; the result a bool array
``(n,)``. The engine evaluates it once, over the grid of options."""

FeasibleMask = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``feasible(levels, options) -> mask``.

``levels`` is a float array of shape ``(n, n_issues)`` (issue levels, not indices),
``options`` a bool array of shape ``(n, n_options)``; the function returns a bool
array of shape ``(n,)``, True where the combination is feasible. It must be a pure,
vectorised function: the engine calls it once per chunk.
"""

DEFAULT_CHUNK_SIZE = 1 << 18

INNER_ROWS = 1 << 12
"""Most grid points in a chunk's inner rows (enough to amortise each outer row)."""

MAX_OPTION_ROWS = 1 << 16
"""Most grid points of the options alone for them to be enumerated once as inner rows;
above it every chunk is listed and ``feasible_options`` is applied chunk by chunk."""


class Chunk:
    """A block of feasible outcomes, as arrays.

    A chunk is either *listed* (one digit per outcome and dimension) or a *product*:
    every one of ``B`` outer rows (digits of the leading dimensions) combined with
    every one of ``F`` inner rows (digits of the trailing ones), the inner varying
    fastest, ``B * F`` outcomes in all. :attr:`digits` lists a product on demand.

    Attributes
    ----------
    index : numpy.ndarray
        ``(n,)`` int64, each outcome's number in the full space.
    grid_count : int
        How many grid points the chunk covered before infeasible ones were dropped.
    outer, inner : tuple of numpy.ndarray or None
        For a product: one ``(B,)`` digit array per leading dimension and one
        ``(F,)`` array per trailing dimension; None for a listed chunk.
    """

    __slots__ = ("_digits", "grid_count", "index", "inner", "outer")

    def __init__(
        self,
        index: np.ndarray,
        digits: tuple[np.ndarray, ...] | None,
        grid_count: int,
        *,
        outer: tuple[np.ndarray, ...] | None = None,
        inner: tuple[np.ndarray, ...] | None = None,
    ) -> None:
        if digits is None and (outer is None or inner is None):
            raise ValueError("a chunk needs its digits, or outer and inner rows")
        self.index = index
        self._digits = digits
        self.grid_count = grid_count
        self.outer = outer if digits is None else None
        self.inner = inner if digits is None else None

    @property
    def is_product(self) -> bool:
        return self.outer is not None

    @property
    def digits(self) -> tuple[np.ndarray, ...]:
        """One ``(n,)`` int array per dimension (issues, then options): the level
        index of each issue and 0/1 for each option, in the full space's numbering."""
        if self._digits is None:
            assert self.outer is not None and self.inner is not None
            n_inner = _rows(self.inner)
            n_outer = self.index.shape[0] // n_inner if n_inner else 0
            self._digits = tuple(np.repeat(d, n_inner) for d in self.outer) + tuple(
                np.tile(d, n_outer) for d in self.inner
            )
        return self._digits

    def __len__(self) -> int:
        return int(self.index.shape[0])

    def take(self, rows: np.ndarray) -> Chunk:
        """The listed sub-chunk made of ``rows`` (a boolean mask or integer positions)."""
        return Chunk(self.index[rows], tuple(d[rows] for d in self.digits), self.grid_count)


def _rows(digits: tuple[np.ndarray, ...]) -> int:
    return int(digits[0].shape[0]) if digits else 1


class OutcomeSpace:
    """The Cartesian grid of issue levels and binary options, minus infeasible ones.

    Parameters
    ----------
    issues : mapping of str to array_like
        Issue name -> the 1-D grid of levels (numbers, distinct, any order).
    options : sequence of str, optional
        Names of the binary options.
    feasible : callable, optional
        ``feasible(levels, options) -> bool mask`` (see :data:`FeasibleMask`).
        Without it every combination is feasible.
    feasible_options : callable, optional
        ``feasible_options(options) -> bool mask`` (see :data:`FeasibleOptions`), for
        constraints on the options alone; much faster than ``feasible``. Both may be
        given: an outcome is feasible when both allow it.
    scales : mapping of str to (float, float), optional
        Issue name -> ``(low, high)``, the scale the closeness of linear-additive
        utilities is measured on. Defaults to the smallest and largest level; a case
        whose issues run from 0 to 100 passes ``(0, 100)``.

    Examples
    --------
    >>> space = OutcomeSpace({"price": [0, 50, 100]}, options=["summit"])
    >>> space.size
    6
    >>> space.package_of(space.encode({"price": 50, "summit": True}))
    {'price': 50.0, 'summit': True}
    """

    def __init__(
        self,
        issues: Mapping[str, Sequence[float] | np.ndarray],
        *,
        options: Sequence[str] = (),
        feasible: FeasibleMask | None = None,
        feasible_options: FeasibleOptions | None = None,
        scales: Mapping[str, tuple[float, float]] | None = None,
    ) -> None:
        names = tuple(str(n) for n in issues)
        levels = []
        for name in names:
            grid = np.asarray(issues[name], dtype=float)
            if grid.ndim != 1 or grid.size == 0:
                raise ValueError(f"issue {name!r}: levels must be a non-empty 1-D sequence")
            if not np.all(np.isfinite(grid)):
                raise ValueError(f"issue {name!r}: levels must be finite numbers")
            if np.unique(grid).size != grid.size:
                raise ValueError(f"issue {name!r}: levels must be distinct")
            grid.setflags(write=False)
            levels.append(grid)
        option_names = tuple(str(o) for o in options)
        dims = names + option_names
        if len(set(dims)) != len(dims):
            raise ValueError("issue and option names must be distinct")
        scale_list = []
        for name, grid in zip(names, levels, strict=True):
            if scales is not None and name in scales:
                lo, hi = (float(x) for x in scales[name])
            else:
                lo, hi = float(grid.min()), float(grid.max())
            if not lo <= float(grid.min()) <= float(grid.max()) <= hi:
                raise ValueError(f"issue {name!r}: levels lie outside the scale ({lo}, {hi})")
            scale_list.append((lo, hi))
        if scales is not None:
            unknown = set(scales) - set(names)
            if unknown:
                raise ValueError(f"scales given for unknown issues: {sorted(unknown)}")
        self.issue_names: tuple[str, ...] = names
        self.option_names: tuple[str, ...] = option_names
        self.levels: tuple[np.ndarray, ...] = tuple(levels)
        self.scales: tuple[tuple[float, float], ...] = tuple(scale_list)
        self.feasible: FeasibleMask | None = feasible
        self.feasible_options: FeasibleOptions | None = feasible_options if option_names else None
        self.base_radices: tuple[int, ...] = tuple(g.size for g in levels) + (2,) * len(
            option_names
        )
        self._allowed: tuple[np.ndarray, ...] = tuple(
            np.arange(r, dtype=np.int64) for r in self.base_radices
        )
        strides = [1] * len(self.base_radices)
        for k in range(len(strides) - 2, -1, -1):
            strides[k] = strides[k + 1] * self.base_radices[k + 1]
        self._strides: tuple[int, ...] = tuple(strides)

    # -- shape -------------------------------------------------------------------

    @property
    def dims(self) -> tuple[str, ...]:
        """Dimension names: the issues, then the options."""
        return self.issue_names + self.option_names

    @property
    def n_issues(self) -> int:
        return len(self.issue_names)

    @property
    def n_options(self) -> int:
        return len(self.option_names)

    @property
    def radices(self) -> tuple[int, ...]:
        """How many values each dimension can take in this (possibly restricted) space."""
        return tuple(a.size for a in self._allowed)

    @property
    def size(self) -> int:
        """The number of grid points (before the feasibility mask), a Python int."""
        return math.prod(self.radices)

    def count(self) -> int | None:
        """The number of feasible outcomes, when it is known without a scan: every grid
        point without masks, or the issue grid times the feasible option combinations
        when feasibility depends on the options alone; None under a general mask."""
        if self.feasible is not None:
            return None
        if self.feasible_options is None or self.size == 0:
            return self.size
        radices = self.radices
        option_grid = math.prod(radices[self.n_issues :])
        if option_grid > MAX_OPTION_ROWS:
            return None
        digits = self._decode(range(option_grid), self.n_issues, len(radices))
        return math.prod(radices[: self.n_issues]) * int(self._options_mask(digits).sum())

    @property
    def full_size(self) -> int:
        """The number of grid points of the unrestricted space."""
        return math.prod(self.base_radices)

    def allowed(self, dim: str | int) -> np.ndarray:
        """The level indices (0/1 for options) that ``dim`` may take here."""
        return self._allowed[self._dim(dim)].copy()

    def _dim(self, dim: str | int) -> int:
        if isinstance(dim, int | np.integer):
            return int(dim)
        try:
            return self.dims.index(dim)
        except ValueError:
            raise KeyError(f"no issue or option named {dim!r}") from None

    # -- restriction -------------------------------------------------------------

    def restrict(self, fixed: Mapping[str, float | bool]) -> OutcomeSpace:
        """The subspace where each dimension in ``fixed`` is pinned to one value.

        ``fixed`` maps an issue name to a level (one of its grid levels) and an
        option name to a bool. Outcomes keep the numbering of the full space.
        """
        new = object.__new__(OutcomeSpace)
        new.__dict__.update(self.__dict__)
        allowed = list(self._allowed)
        for name, value in fixed.items():
            k = self._dim(name)
            digit = self._digit_of(k, value)
            allowed[k] = np.array([digit], dtype=np.int64)
        new._allowed = tuple(allowed)
        return new

    def restrict_levels(
        self, allowed: Mapping[str | int, Sequence[int] | np.ndarray]
    ) -> OutcomeSpace:
        """The subspace where each dimension in ``allowed`` keeps only the given level
        indices (digits; 0/1 for an option), as far as this space allows them too.

        A dimension left without a level empties the space (:attr:`size` 0). Outcomes
        keep the numbering of the full space.
        """
        new = object.__new__(OutcomeSpace)
        new.__dict__.update(self.__dict__)
        kept = list(self._allowed)
        for dim, digits in allowed.items():
            k = self._dim(dim)
            kept[k] = np.intersect1d(kept[k], np.asarray(digits, dtype=np.int64))
        new._allowed = tuple(kept)
        return new

    def restrict_to_agenda(
        self, agenda: Sequence[str], status_quo: Mapping[str, float | bool]
    ) -> OutcomeSpace:
        """The subspace where only ``agenda`` moves; every other dimension keeps its
        status-quo value (Raiffa 1982, ch. 11: issues off the table stay where they
        are)."""
        for name in agenda:
            self._dim(name)
        missing = [d for d in self.dims if d not in agenda and d not in status_quo]
        if missing:
            raise ValueError(f"status quo lacks {missing}, which are not on the agenda")
        return self.restrict({d: status_quo[d] for d in self.dims if d not in agenda})

    # -- packages ----------------------------------------------------------------

    def _digit_of(self, k: int, value: float | bool) -> int:
        name = self.dims[k]
        if k >= self.n_issues:
            if not isinstance(value, bool | np.bool_) and value not in (0, 1):
                raise ValueError(f"option {name!r}: expected a bool, got {value!r}")
            return int(bool(value))
        grid = self.levels[k]
        hits = np.flatnonzero(np.isclose(grid, float(value), rtol=0.0, atol=1e-9))
        if hits.size == 0:
            raise ValueError(f"issue {name!r}: {value!r} is not one of the levels {grid.tolist()}")
        return int(hits[0])

    def encode(
        self,
        package: Mapping[str, float | bool],
        *,
        base: Mapping[str, float | bool] | None = None,
    ) -> np.ndarray:
        """The digits ``(n_dims,)`` of a package given as ``{name: level or bool}``.

        Dimensions missing from ``package`` are taken from ``base`` (for instance the
        status quo); a dimension missing from both raises :class:`ValueError`.
        """
        unknown = set(package) - set(self.dims)
        if unknown:
            raise ValueError(f"package names unknown issues or options: {sorted(unknown)}")
        digits = np.empty(len(self.dims), dtype=np.int64)
        for k, name in enumerate(self.dims):
            if name in package:
                digits[k] = self._digit_of(k, package[name])
            elif base is not None and name in base:
                digits[k] = self._digit_of(k, base[name])
            else:
                raise ValueError(f"package does not set {name!r}")
        return digits

    def index_of(self, digits: np.ndarray) -> np.ndarray | int:
        """Outcome number(s) in the full space; ``digits`` is ``(n_dims,)`` or
        ``(n, n_dims)``."""
        d = np.asarray(digits, dtype=np.int64)
        out = d @ np.asarray(self._strides, dtype=np.int64) if d.size else np.int64(0)
        return int(out) if np.ndim(out) == 0 else cast(np.ndarray, out)

    def digits_of(self, index: np.ndarray | int) -> np.ndarray:
        """Digits of outcome number(s) of the full space: ``(n_dims,)`` or
        ``(n, n_dims)``."""
        idx = np.asarray(index, dtype=np.int64)
        out = np.empty((*idx.shape, len(self.base_radices)), dtype=np.int64)
        for k, (r, s) in enumerate(zip(self.base_radices, self._strides, strict=True)):
            out[..., k] = (idx // s) % r
        return out

    def package_of(self, digits: np.ndarray) -> dict[str, float | bool]:
        """``{issue: level, option: bool}`` with Python scalars."""
        d = np.asarray(digits, dtype=np.int64)
        out: dict[str, float | bool] = {}
        for k, name in enumerate(self.issue_names):
            out[name] = float(self.levels[k][d[k]])
        for j, name in enumerate(self.option_names):
            out[name] = bool(d[self.n_issues + j])
        return out

    def is_feasible(self, digits: np.ndarray) -> np.ndarray:
        """Feasibility of outcomes given by digits ``(n, n_dims)`` (grid membership is
        not checked)."""
        d = np.atleast_2d(np.asarray(digits, dtype=np.int64))
        mask = np.ones(d.shape[0], dtype=bool)
        columns = tuple(d[:, k] for k in range(d.shape[1]))
        if self.feasible_options is not None:
            mask &= self._options_mask(columns[self.n_issues :])
        if self.feasible is not None:
            mask &= self._mask(columns)
        return mask

    def _options_mask(self, digits: tuple[np.ndarray, ...]) -> np.ndarray:
        assert self.feasible_options is not None
        n = digits[0].shape[0]
        options = np.empty((n, self.n_options), dtype=bool)
        for j in range(self.n_options):
            options[:, j] = digits[j].astype(bool)
        return _checked("feasible_options", self.feasible_options(options), n)

    def _mask(self, digits: tuple[np.ndarray, ...]) -> np.ndarray:
        assert self.feasible is not None
        n = digits[0].shape[0] if digits else 1
        levels = np.empty((n, self.n_issues), dtype=float)
        for k in range(self.n_issues):
            levels[:, k] = self.levels[k][digits[k]]
        options = np.empty((n, self.n_options), dtype=bool)
        for j in range(self.n_options):
            options[:, j] = digits[self.n_issues + j].astype(bool)
        return _checked("feasible", self.feasible(levels, options), n)

    # -- enumeration -------------------------------------------------------------

    def chunks(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Chunk]:
        """Walk the feasible outcomes in blocks of at most ``chunk_size`` grid points,
        in ascending order of outcome number.

        The trailing dimensions (every option, when ``feasible_options`` is set) form
        the inner rows, enumerated and filtered once; each chunk is a block of outer
        rows times the inner rows (see :class:`Chunk`). The general ``feasible`` mask,
        if any, is applied to each chunk, which is then listed.
        """
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        if self.size == 0:  # a dimension without a level left: nothing to walk
            return
        split = self._inner_split(chunk_size)
        if split is None:
            yield from self._listed_chunks(chunk_size)
            return
        radices = self.radices
        inner = self._decode(range(math.prod(radices[split:])), split, len(radices))
        if self.feasible_options is not None:
            ok = self._options_mask(inner[self.n_issues - split :])
            inner = tuple(d[ok] for d in inner)
        inner_index = self._index(inner, split)
        inner_grid = math.prod(radices[split:])
        n_outer = math.prod(radices[:split])
        per = max(1, chunk_size // inner_grid)
        for start in range(0, n_outer, per):
            rows = range(start, min(n_outer, start + per))
            outer = self._decode(rows, 0, split)
            index = (self._index(outer, 0)[:, None] + inner_index[None, :]).ravel()
            chunk = Chunk(index, None, len(rows) * inner_grid, outer=outer, inner=inner)
            if self.feasible is not None:
                chunk = chunk.take(self._mask(chunk.digits))
            yield chunk

    def _inner_split(self, chunk_size: int) -> int | None:
        """The first inner dimension, or None to list chunks whole: the trailing
        dimensions up to :data:`INNER_ROWS` grid points (and every option, when the
        options' feasibility is known apart), no more than ``chunk_size``."""
        radices = self.radices
        split, inner = len(radices), 1
        if self.feasible_options is not None:
            split = self.n_issues
            inner = math.prod(radices[split:])
            if inner > min(chunk_size, MAX_OPTION_ROWS):
                return None
        while split > 0 and inner * radices[split - 1] <= min(chunk_size, INNER_ROWS):
            split -= 1
            inner *= radices[split]
        return split

    def _decode(self, numbers: range, first: int, stop: int) -> tuple[np.ndarray, ...]:
        """Digits (full-space numbering) of dimensions ``first:stop`` for the given
        mixed-radix numbers of those dimensions in this space."""
        rest = np.arange(numbers.start, numbers.stop, dtype=np.int64)
        digits: list[np.ndarray] = [np.empty(0)] * (stop - first)
        for k in range(stop - 1, first - 1, -1):
            r = self.radices[k]
            local = np.zeros(rest.shape, dtype=np.int64) if r == 1 else rest % r
            if r > 1:
                rest //= r
            digits[k - first] = self._allowed[k][local]
        return tuple(digits)

    def _index(self, digits: tuple[np.ndarray, ...], first: int) -> np.ndarray:
        """Outcome numbers (full space) of the dimensions ``first:`` given as digits."""
        n = _rows(digits)
        index = np.zeros(n, dtype=np.int64)
        for k, d in enumerate(digits, start=first):
            if self.base_radices[k] > 1:
                index += d * self._strides[k]
        return index

    def _listed_chunks(self, chunk_size: int) -> Iterator[Chunk]:
        total = self.size
        for start in range(0, total, chunk_size):
            rows = range(start, min(total, start + chunk_size))
            digits = self._decode(rows, 0, len(self.radices))
            chunk = Chunk(self._index(digits, 0), digits, len(rows))
            mask = np.ones(len(rows), dtype=bool)
            if self.feasible_options is not None:
                mask &= self._options_mask(digits[self.n_issues :])
            if self.feasible is not None:
                mask &= self._mask(digits)
            yield chunk if mask.all() else chunk.take(mask)

    def __repr__(self) -> str:
        dims = ", ".join(f"{n}[{r}]" for n, r in zip(self.dims, self.radices, strict=True))
        return f"OutcomeSpace({dims}; {self.size} grid points)"


def _checked(name: str, mask: object, n: int) -> np.ndarray:
    out = np.asarray(mask)
    if out.shape != (n,) or out.dtype != bool:
        raise ValueError(
            f"{name}() must return a bool array of shape ({n},), got {out.dtype} {out.shape}"
        )
    return out
