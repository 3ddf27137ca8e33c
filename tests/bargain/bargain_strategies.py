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


# -- whole cases -----------------------------------------------------------------------

_LEVELS = [0.0, 25.0, 50.0, 75.0, 100.0]


@st.composite
def bargain_cases(
    draw,
    *,
    red_lines: bool = False,
    effects: bool = False,
    max_actors: int = 3,
    max_options: int = 3,
    max_issues: int = 3,
) -> dict:
    """Small valid cases for the bargaining engine, as the data of a case file.

    Issues on a grid of quarter points (the status quo and proposals may sit off it),
    stances everywhere, options with statements, proposals written as levels, options
    or both, forums over subsets of the actors and agendas. With ``red_lines``, some
    stances draw a red line (bounds and vetoes); with ``effects``, some options say
    what they do on an issue (one option per issue, so no state is contradictory).
    Load it with ``loads(json.dumps(data))``: the case's own checks run.
    """
    n_actors = draw(st.integers(2, max_actors))
    actors = [f"A{i}" for i in range(n_actors)]
    n_options = draw(st.integers(0, max_options))
    options = [f"o{k}" for k in range(n_options)]
    n_issues = draw(st.integers(1, max_issues))
    issues = [f"i{j}" for j in range(n_issues)]
    off_grid = st.sampled_from([*_LEVELS, 10.0, 60.0])
    data: dict = {
        "id": "generated",
        "title": "A generated bargaining case",
        "actors": [
            {"id": a, "name": f"Actor {a}", "capability": draw(st.sampled_from([1, 2, 5]))}
            for a in actors
        ],
        "options": [],
        "status_quo": [o for o in options if draw(st.booleans())],
        "preferences": {},
        "issues": [],
        "proposals": [],
    }
    linked = list(issues)
    for o in options:
        option: dict = {
            "id": o,
            "label": f"Option {o}",
            "controller": draw(st.sampled_from(actors)),
        }
        if effects and linked and draw(st.booleans()):
            issue = linked.pop(draw(st.integers(0, len(linked) - 1)))
            level = draw(st.sampled_from([25.0, 50.0, 75.0]))
            if draw(st.booleans()):
                effect: dict = {"at_least": level}
                if draw(st.booleans()):
                    effect["if_not_taken"] = {"at_most": level - 25.0}
            else:
                effect = {"at_most": level}
                if draw(st.booleans()):
                    effect["if_not_taken"] = {"at_least": level + 25.0}
            option["effects"] = {issue: effect}
        data["options"].append(option)
    if options:
        for a in actors:
            picked = draw(st.lists(st.sampled_from(options), min_size=1, max_size=2, unique=True))
            data["preferences"][a] = {
                "statements": [o if draw(st.booleans()) else f"not {o}" for o in picked]
            }
    else:
        data.pop("options")
        data.pop("status_quo")
        data.pop("preferences")
    for j in issues:
        positions = {}
        for a in actors:
            stance: dict = {
                "position": draw(st.sampled_from([0.0, 20.0, 50.0, 70.0, 100.0])),
                "salience": draw(st.sampled_from([10.0, 40.0, 80.0, 100.0])),
            }
            if red_lines and draw(st.integers(0, 2)) == 0:
                kind = draw(st.sampled_from(["at_least", "at_most", "both", "vetoes"]))
                line: dict = {}
                if kind in ("at_least", "both"):
                    line["at_least"] = draw(st.sampled_from([0.0, 25.0, 40.0, 50.0]))
                if kind in ("at_most", "both"):
                    line["at_most"] = draw(st.sampled_from([50.0, 60.0, 75.0, 100.0]))
                if kind == "vetoes" or draw(st.booleans()):
                    line["vetoes"] = draw(
                        st.lists(st.sampled_from(_LEVELS), min_size=1, max_size=2, unique=True)
                    )
                stance["red_line"] = line
            positions[a] = stance
        data["issues"].append(
            {
                "id": j,
                "name": f"Issue {j}",
                "levels": _LEVELS,
                "status_quo": draw(off_grid),
                "positions": positions,
            }
        )
    for k in range(draw(st.integers(1, 3))):
        proposal: dict = {"id": f"p{k}", "name": f"Proposal {k}"}
        named = draw(st.lists(st.sampled_from(issues), max_size=n_issues, unique=True))
        if named:
            proposal["positions"] = {j: draw(off_grid) for j in named}
        if options and draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(options), min_size=1, unique=True))
            proposal["options"] = {o: draw(st.booleans()) for o in chosen}
        data["proposals"].append(proposal)
    forums = []
    for k in range(draw(st.integers(0, 2))):
        members = draw(st.lists(st.sampled_from(actors), min_size=2, unique=True))
        forum: dict = {"id": f"f{k}", "name": f"Forum {k}", "members": members}
        if draw(st.booleans()):
            forum["agenda"] = draw(
                st.lists(st.sampled_from(issues), min_size=1, max_size=n_issues, unique=True)
            )
        forums.append(forum)
    if forums:
        data["forums"] = forums
    return data
