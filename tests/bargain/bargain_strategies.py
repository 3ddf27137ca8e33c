"""Hypothesis strategies for small bargaining problems, and brute-force references.

Everything here is deliberately naive (Python loops over all outcomes), so the
engine's vectorised, streamed answers can be checked against it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from detente.bargain import OutcomeSpace, UtilityModel, linear_additive


@dataclass
class Problem:
    issues: dict[str, list[float]]
    options: list[str]
    actors: list[str]
    ideals: np.ndarray
    weights: np.ndarray
    option_values: np.ndarray
    reservation: np.ndarray
    infeasible: frozenset[tuple[int, ...]]  # digit tuples declared infeasible
    infeasible_options: frozenset[tuple[int, ...]] = frozenset()  # option tuples, likewise

    def is_feasible(self, package: dict) -> bool:
        """Feasibility of a package, straight from the declared infeasible cells."""
        key = tuple(self.issues[n].index(package[n]) for n in self.issues)
        taken = tuple(int(package[o]) for o in self.options)
        return key + taken not in self.infeasible and taken not in self.infeasible_options

    def space(self, *, issue_order=None) -> OutcomeSpace:
        names = list(self.issues) if issue_order is None else issue_order
        infeasible = self.infeasible
        grids = self.issues
        all_names = list(self.issues)
        options = self.options

        def feasible(levels: np.ndarray, opts: np.ndarray) -> np.ndarray:
            out = np.ones(levels.shape[0], dtype=bool)
            if not infeasible:
                return out
            for r in range(levels.shape[0]):
                by_name = dict(zip(names, levels[r], strict=True))
                key = tuple(grids[n].index(by_name[n]) for n in all_names) + tuple(
                    int(o) for o in opts[r]
                )
                out[r] = key not in infeasible
            return out

        banned = self.infeasible_options

        def feasible_options(opts: np.ndarray) -> np.ndarray:
            return np.array([tuple(int(o) for o in row) not in banned for row in opts], bool)

        return OutcomeSpace(
            {n: self.issues[n] for n in names},
            options=options,
            # Without infeasible cells there is no general mask, so chunks are
            # products of outer and inner rows (the fast path) and get tested too.
            feasible=feasible if infeasible else None,
            feasible_options=feasible_options if banned else None,
            scales={n: (0.0, 100.0) for n in names},
        )

    def model(self, space: OutcomeSpace, *, actor_order=None) -> UtilityModel:
        rows = (
            list(range(len(self.actors)))
            if actor_order is None
            else [self.actors.index(a) for a in actor_order]
        )
        cols = [list(self.issues).index(n) for n in space.issue_names]
        return linear_additive(
            space,
            actors=[self.actors[r] for r in rows],
            ideals=self.ideals[np.ix_(rows, cols)],
            weights=self.weights[np.ix_(rows, cols)],
            option_values=self.option_values[rows],
        )

    def reservation_for(self, actor_order) -> np.ndarray:
        return np.array([self.reservation[self.actors.index(a)] for a in actor_order])


@st.composite
def problems(
    draw,
    *,
    max_issues: int = 3,
    max_levels: int = 4,
    max_options: int = 2,
    max_actors: int = 4,
    with_infeasible: bool = True,
) -> Problem:
    n_issues = draw(st.integers(1, max_issues))
    n_options = draw(st.integers(0, max_options))
    n_actors = draw(st.integers(2, max_actors))
    issues = {}
    for i in range(n_issues):
        levels = draw(
            st.lists(
                st.sampled_from([0.0, 10.0, 25.0, 50.0, 60.0, 75.0, 100.0]),
                min_size=1,
                max_size=max_levels,
                unique=True,
            )
        )
        issues[f"issue{i}"] = levels
    options = [f"opt{j}" for j in range(n_options)]
    grid = st.sampled_from([0.0, 20.0, 50.0, 70.0, 100.0])
    ideals = np.array([[draw(grid) for _ in range(n_issues)] for _ in range(n_actors)])
    weights = np.array(
        [
            [draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])) for _ in range(n_issues)]
            for _ in range(n_actors)
        ]
    )
    weights[:, 0] += 0.25  # every actor cares about something
    option_values = np.array(
        [
            [draw(st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0])) for _ in range(n_options)]
            for _ in range(n_actors)
        ]
    ).reshape(n_actors, n_options)
    reservation = np.array(
        [draw(st.sampled_from([0.0, 0.2, 0.4, 0.5, 0.6, 0.8])) for _ in range(n_actors)]
    )
    infeasible: frozenset = frozenset()
    if with_infeasible and draw(st.booleans()):
        radices = [len(v) for v in issues.values()] + [2] * n_options
        cells = list(itertools.product(*(range(r) for r in radices)))
        chosen = draw(st.lists(st.sampled_from(cells), max_size=max(1, len(cells) // 3)))
        infeasible = frozenset(chosen)
    infeasible_options: frozenset = frozenset()
    if with_infeasible and n_options and draw(st.booleans()):
        combos = list(itertools.product((0, 1), repeat=n_options))
        infeasible_options = frozenset(draw(st.lists(st.sampled_from(combos), max_size=2)))
    return Problem(
        issues,
        options,
        [f"actor{a}" for a in range(n_actors)],
        ideals,
        weights,
        option_values,
        reservation,
        infeasible,
        infeasible_options,
    )


# -- brute force ---------------------------------------------------------------------


def utility_by_hand(problem: Problem, actor: str, package: dict) -> float:
    """Linear-additive utility straight from the definition (weights normalisation):
    (sum_i w_i (1 - |x_i - p_i| / 100) + sum_o (c_o [x_o] - min(0, c_o)))
    / (sum_i w_i + sum_o |c_o|)."""
    a = problem.actors.index(actor)
    num = 0.0
    den = 0.0
    for i, name in enumerate(problem.issues):
        w = problem.weights[a, i]
        num += w * (1 - abs(package[name] - problem.ideals[a, i]) / 100.0)
        den += w
    for j, name in enumerate(problem.options):
        c = problem.option_values[a, j]
        num += c * package[name] - min(0.0, c)
        den += abs(c)
    return num / den


def all_outcomes(problem: Problem, space: OutcomeSpace, actors) -> list:
    """``[(index, package, utilities)]`` for every feasible outcome, one at a time."""
    out = []
    for digits in itertools.product(*(range(r) for r in space.base_radices)):
        d = np.array(digits)
        if not all(d[k] in space.allowed(k) for k in range(d.size)):
            continue
        pkg = space.package_of(d)
        if not problem.is_feasible(pkg):
            continue
        u = np.array([utility_by_hand(problem, a, pkg) for a in actors])
        out.append((int(space.index_of(d)), pkg, u))
    return out


def dominated_mask(u: np.ndarray) -> np.ndarray:
    """All-pairs dominance: row j is dominated if some row is >= everywhere and >
    somewhere."""
    if u.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    ge = np.all(u[:, None, :] >= u[None, :, :], axis=2)
    gt = np.any(u[:, None, :] > u[None, :, :], axis=2)
    return np.any(ge & gt, axis=0)
