"""The bargaining analysis of a case: its issues as an outcome space, its forums as tables.

This module wires a :class:`~detente.model.Case` into the array-level engine:

- each issue becomes a dimension whose levels are the issue's ``levels`` (or five
  evenly spaced points of its scale), together with its status quo, every
  proposal's level and every best alternative, so each named package lies on the grid;
- a proposal is judged on the one package it stands for
  (:func:`detente.model.links.proposal_package`): the levels it names, and on the
  issues it does not name the levels its options imply when options say what they do
  on the issues (``effects``), the status quo otherwise;
- each actor's utility is additive over the issues (Raiffa 1982, ch. 12): on each
  issue an evaluation in [0, 1], weighted by the actor's salience, the weighted sum
  divided by the sum of the actor's saliences (so utilities lie in [0, 1]). The
  evaluation is the closeness ``1 - |level - position| / (high - low)`` by default
  (linear-additive), or the stance's explicit value table (``values``, level ->
  value), read at each grid point: grid points between two levels (a status quo or
  proposal off the levels) take the linear interpolation, points beyond the end
  levels the end's value. An actor without a stance on an issue gives it weight 0;
- options join the space only when asked for (``options=True`` takes the options
  that some proposal sets). An option's value to an actor is the average change in
  the actor's normalised option-prioritisation score when that option is taken,
  over every pair of feasible states that differ in that option alone: a linear
  reading of preferences that are not additive in general;
- each actor's reservation value is its explicit ``reservation_value`` if given,
  otherwise its utility for its best alternative, otherwise for the status quo;
- a stance's ``red_line`` is non-compensatory: a package that puts the issue where
  the red line forbids (below ``at_least``, above ``at_most``, at a level it
  ``vetoes``; read on the issue's grid) is unacceptable to that actor however much it
  gains elsewhere. The actor's preference is lexicographic (Fishburn 1974): packages
  that respect its red lines come first, utility orders them only then; a red line
  is the decision analyst's conjunctive cut-off (Einhorn 1970) and the negotiator's
  sacred value, which no offer on another issue buys (Tetlock 2003; Atran and
  Axelrod 2008). Such a package is outside the zone of possible agreement, no
  solution picks it, no forum with that actor picks it, and a proposal that crosses
  a red line is blocked by its owner, with the red line named. Red lines are kept
  beside the utilities, not folded into them as a penalty
  (:class:`~detente.bargain.utility.RedLineRow`): every utility reported is the
  additive one, the sums stay exact, and the zone is scanned on the smaller grid of
  levels that no participant forbids. Reservation values ignore red lines (the
  status quo is where things stand, not an agreement), and the robustness Monte
  Carlo keeps them fixed;
- with ``samples``, a robustness Monte Carlo redraws positions and saliences (see
  :func:`bargain`) and reports how often each proposal and each forum's best package
  stays inside the zone;
- each forum of the case is evaluated with the participants its rules admit: a
  member whose participation rule cannot hold, whatever options are taken, stays
  away; options that a rule needs (China convening the talks, say) are reported as
  the forum's entry commitments.

References
----------
Atran, S., and Axelrod, R. (2008). Reframing sacred values. *Negotiation Journal*
24(3), 221-246.
Einhorn, H. J. (1970). The use of nonlinear, noncompensatory models in decision
making. *Psychological Bulletin* 73(3), 221-230.
Fishburn, P. C. (1974). Lexicographic orders, utilities and decision rules: a survey.
*Management Science* 20(11), 1442-1471.
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
Scholz, J. B., Calbert, G. J., and Smith, G. A. (2011). Unravelling Bueno De
Mesquita's group decision model. *Journal of Theoretical Politics* 23(4), 510-531.
Sebenius, J. K. (1983). Negotiation arithmetic: adding and subtracting issues and
parties. *International Organization* 37(2), 281-316.
Tetlock, P. E. (2003). Thinking the unthinkable: sacred values and taboo cognitions.
*Trends in Cognitive Sciences* 7(7), 320-324.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from detente.bargain._common import DEFAULT_TOL
from detente.bargain.analysis import DEFAULT_MAX_OUTCOMES, analyze
from detente.bargain.cost import check_bargain_cost
from detente.bargain.forums import evaluate_forum
from detente.bargain.results import BargainResult, ForumEvaluation
from detente.bargain.robustness import zopa_membership
from detente.bargain.solutions import SOLUTIONS
from detente.bargain.space import OutcomeSpace
from detente.bargain.utility import RedLineRow, UtilityModel, value_tables
from detente.errors import CaseError, MissingPartError, Problem
from detente.model import Case
from detente.model.checks import feasible_mask
from detente.model.expressions import Expr, evaluate, names
from detente.model.links import is_linked, level_bounds, proposal_package, state_code
from detente.parallel import map_samples, normalize_seed, sample_rng

__all__ = [
    "ActorProfiles",
    "BargainingProblem",
    "CaseBargain",
    "ForumDesign",
    "Robustness",
    "bargain",
    "bargaining_problem",
]

DEFAULT_POINTS = 5
MIN_SALIENCE = 1e-6
"""Drawn saliences are clipped to [MIN_SALIENCE, 100] points: a party keeps some weight
on an issue it holds a stance on, so its utility stays defined."""


@dataclass(frozen=True, eq=False)
class ActorProfiles:
    """Each actor's additive profile over the issues of a :class:`BargainingProblem`.

    Attributes
    ----------
    ideals, saliences : numpy.ndarray
        ``(n_actors, n_issues)``: positions (the status quo where the actor has no
        stance) and saliences in points (0 where it has none).
    tables : mapping of (int, int) to numpy.ndarray
        ``(actor row, issue column)`` -> the stance's value table read on the issue's
        grid (see the module docstring); these pairs ignore ``ideals``.
    option_values : numpy.ndarray or None
        ``(n_actors, n_options)``.
    position_sd, salience_sd : numpy.ndarray
        The stances' own uncertainties, NaN where the stance gives none (or there is
        no stance).
    red_lines : mapping of str to mapping of int to RedLineRow
        Actor -> issue column -> its red line read on the issue's grid (fixed under
        the robustness draws).
    """

    ideals: np.ndarray
    saliences: np.ndarray
    tables: Mapping[tuple[int, int], np.ndarray]
    option_values: np.ndarray | None
    position_sd: np.ndarray
    salience_sd: np.ndarray
    red_lines: Mapping[str, Mapping[int, RedLineRow]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class BargainingProblem:
    """A case as the bargaining engine sees it.

    ``reservation_basis`` says where each actor's reservation value comes from:
    ``"reservation_value"``, ``"best_alternative"`` or ``"status_quo"``.
    """

    space: OutcomeSpace
    model: UtilityModel
    reservation: dict[str, float]
    status_quo: dict[str, float | bool]
    proposals: dict[str, dict[str, float | bool]]
    ignored_options: tuple[str, ...] = ()
    option_dimensions: dict[str, str] = field(default_factory=dict)
    profiles: ActorProfiles | None = None
    reservation_basis: dict[str, str] = field(default_factory=dict)
    alternatives: dict[str, dict[str, float | bool]] = field(default_factory=dict)
    proposal_bounds: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    """Proposal id -> issue -> the levels its options allow (linked cases): what would
    win a blocker over stays inside them."""


@dataclass(frozen=True)
class Robustness:
    """How often each proposal and each forum stays inside the zone under uncertain inputs.

    Attributes
    ----------
    samples, seed : int
    position_sd, salience_sd : float
        The default uncertainties (stances may carry their own).
    proposals : mapping of str to float
        Proposal id -> share of samples in which every party accepts it.
    forums : mapping of str to float
        Forum id -> share of samples in which the forum can still agree and its best
        package stays inside its zone (for a forum that cannot agree on the analyst's
        inputs: the share in which agreement becomes possible).
    forum_agreement : mapping of str to float
        Forum id -> share of samples in which the forum's zone is not empty.
    """

    samples: int
    seed: int
    position_sd: float
    salience_sd: float
    proposals: dict[str, float]
    forums: dict[str, float]
    forum_agreement: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "samples": self.samples,
            "seed": self.seed,
            "position_sd": self.position_sd,
            "salience_sd": self.salience_sd,
            "proposals": dict(self.proposals),
            "forums": dict(self.forums),
            "forum_agreement": dict(self.forum_agreement),
        }


@dataclass(frozen=True)
class ForumDesign:
    """One forum of the case: who attends under its rules, on what terms, and what it can agree."""

    id: str
    name: str
    participants: tuple[str, ...]
    absent: dict[str, str]
    commitments: tuple[str, ...]
    evaluation: ForumEvaluation | None

    def to_dict(self) -> dict[str, Any]:
        ev = self.evaluation
        return {
            "id": self.id,
            "name": self.name,
            "participants": list(self.participants),
            "absent": dict(self.absent),
            "commitments": list(self.commitments),
            "agenda": list(ev.agenda) if ev else [],
            "agreement_possible": bool(ev.agreement_possible) if ev else False,
            "zopa": int(ev.zopa) if ev else 0,
            "outcomes": int(ev.outcomes) if ev else 0,
            "best": ev.best.to_dict() if ev and ev.best is not None else None,
            "solution": ev.solution if ev else None,
        }


@dataclass(frozen=True)
class CaseBargain:
    """The bargaining analysis of a case: zone, frontier, solutions, proposals, forums."""

    case_id: str
    scenario: str | None
    result: BargainResult
    forums: tuple[ForumDesign, ...] = ()
    ignored_options: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    robustness: Robustness | None = None
    reservation_basis: dict[str, str] = field(default_factory=dict)
    level_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    red_lines: dict[str, dict[str, str]] = field(default_factory=dict)
    """Actor -> issue -> its red line in words (only actors with one)."""

    def to_frame(self):
        """The proposals: each actor's utility and verdict, one row per proposal and actor (needs pandas)."""
        from detente.model.display import records_frame

        data = self.to_dict()
        return records_frame(
            [
                {
                    "proposal": pid,
                    "actor": actor,
                    "utility": p["utilities"][actor],
                    "reservation": data["reservation"][actor],
                    "accepts": actor in p["accepted_by"],
                }
                for pid, p in data["proposals"].items()
                for actor in data["actors"]
            ]
        )

    def _repr_html_(self) -> str:
        from detente.model.display import html_table

        data = self.to_dict()
        rows = [
            [pid, ", ".join(p["accepted_by"]) or "-", ", ".join(p["blocked_by"]) or "-"]
            for pid, p in data["proposals"].items()
        ]
        head = f"<p>{data['zopa']:,} of {data['outcomes']:,} packages leave every party better off than the status quo.</p>"
        return head + html_table(["Proposal", "Accepted by", "Blocked by"], rows)

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict()
        data["forums"] = [f.to_dict() for f in self.forums]
        data["case"] = self.case_id
        data["scenario"] = self.scenario
        data["method"] = "linear-additive bargaining (Raiffa 1982)"
        data["parameters"] = {**data.get("parameters", {}), **self.parameters}
        if self.ignored_options:
            data["ignored_options"] = list(self.ignored_options)
        if self.reservation_basis:
            data["reservation_basis"] = dict(self.reservation_basis)
        if self.level_names:
            data["level_names"] = {k: list(v) for k, v in self.level_names.items()}
        if self.red_lines:
            data["red_lines"] = {a: dict(v) for a, v in self.red_lines.items()}
        if self.robustness is not None:
            data["robustness"] = self.robustness.to_dict()
        return data


def _grid(case: Case, issue, extra: Sequence[float]) -> list[float]:
    lo, hi = issue.scale
    base = list(issue.levels) if issue.levels else list(np.linspace(lo, hi, DEFAULT_POINTS))
    points = {float(x) for x in base} | {float(x) for x in extra}
    return sorted(points)


def _option_values(case: Case, option_ids: Sequence[str]) -> np.ndarray:
    """Average marginal value of each option to each actor (see the module docstring)."""
    n = len(case.options)
    values = np.zeros((len(case.actors), len(option_ids)))
    if not option_ids:
        return values
    if n > 22:
        raise CaseError(
            Problem("option values need at most 22 options in the case", path=("options",))
        )
    codes = np.arange(1 << n, dtype=np.int64)
    index = {o: k for k, o in enumerate(case.option_ids)}
    feasible = feasible_mask([c.infeasible_expr for c in case.constraints], codes, index)
    columns = {o: (codes >> k) & 1 == 1 for o, k in index.items()}
    for a, actor in enumerate(case.actors):
        prefs = case.preferences.get(actor.id)
        if prefs is None:
            continue
        score = np.zeros(codes.shape)
        if prefs.statements is not None:
            k_total = len(prefs.statements)
            for k, statement in enumerate(prefs.statements):
                truth = np.broadcast_to(
                    np.asarray(evaluate(statement.parsed, columns), bool), codes.shape
                )
                score += truth * 2.0 ** (k_total - 1 - k)
            score /= max(2.0**k_total - 1, 1.0)
        else:
            groups = prefs.ranking or ()
            for rank, group in enumerate(groups):
                for pattern in (group,) if isinstance(group, str) else group:
                    code = sum(1 << j for j, ch in enumerate(pattern.upper()) if ch == "Y")
                    score[code] = 1.0 - rank / max(len(groups) - 1, 1)
        for j, option in enumerate(option_ids):
            bit = 1 << index[option]
            without = codes[(codes & bit) == 0]
            both = feasible[without] & feasible[without | bit]
            if both.any():
                values[a, j] = float(np.mean(score[without[both] | bit] - score[without[both]]))
    return values


def _value_row(grid: np.ndarray, levels: Sequence[float], values: Mapping[float, float]):
    """A value table read on ``grid``: exact at the levels, linear between them, flat beyond."""
    xs = np.array(sorted(levels), dtype=float)
    ys = np.empty(xs.size)
    for k, x in enumerate(xs):
        ys[k] = next(float(v) for level, v in values.items() if abs(level - x) <= 1e-9)
    return np.interp(grid, xs, ys)


def _utility_model(
    space: OutcomeSpace,
    actors: Sequence[str],
    ideals: np.ndarray,
    saliences: np.ndarray,
    tables: Mapping[tuple[int, int], np.ndarray],
    option_values: np.ndarray | None,
    red_lines: Mapping[str, Mapping[int, RedLineRow]] | None = None,
) -> UtilityModel:
    """Additive utilities through the core's :func:`value_tables`: each issue's row is
    the stance's value table, or the closeness to the ideal on the issue's scale
    (exactly the terms of :func:`~detente.bargain.utility.linear_additive`); weights
    are saliences / 100, and ``"weights"`` normalisation divides by their sum. Red
    lines ride beside the tables, untouched."""
    rows: dict[str, dict[str, np.ndarray]] = {}
    weights: dict[str, dict[str, float]] = {}
    for a, actor in enumerate(actors):
        rows[actor] = {}
        weights[actor] = {}
        for i, (name, grid, (lo, hi)) in enumerate(
            zip(space.issue_names, space.levels, space.scales, strict=True)
        ):
            row = tables.get((a, i))
            if row is None:
                span = hi - lo
                row = 1.0 - np.abs(grid - ideals[a, i]) / span if span > 0 else np.ones(grid.size)
            rows[actor][name] = row
            weights[actor][name] = float(saliences[a, i]) / 100.0
    no_stake = [
        actor
        for a, actor in enumerate(actors)
        if not (saliences[a] > 0).any()
        and (option_values is None or not np.any(option_values[a] != 0))
    ]
    if no_stake:
        raise MissingPartError(
            Problem(
                f"bargaining needs every party to care about something: {', '.join(no_stake)} "
                "has no stance (or only zero weights) on any issue",
                path=("issues",),
            )
        )
    options = None
    if option_values is not None and space.n_options:
        options = {
            actor: {o: float(option_values[a, j]) for j, o in enumerate(space.option_names)}
            for a, actor in enumerate(actors)
        }
    model = value_tables(space, rows, weights=weights, option_values=options)
    return model.with_red_lines(red_lines) if red_lines else model


def _red_line_rows(case: Case, space: OutcomeSpace) -> dict[str, dict[int, RedLineRow]]:
    """Each stance's red line read on its issue's grid: actor -> issue column -> row."""
    out: dict[str, dict[int, RedLineRow]] = {}
    for j, issue in enumerate(case.issues):
        for actor, stance in issue.positions.items():
            line = stance.red_line
            if line is None:
                continue
            allowed = np.array([line.allows(float(x)) for x in space.levels[j]], dtype=bool)
            out.setdefault(actor, {})[j] = RedLineRow(allowed, line.describe())
    return out


def _red_line_words(case: Case) -> dict[str, dict[str, str]]:
    """Actor -> issue -> its red line in words, actors in the case's order."""
    out: dict[str, dict[str, str]] = {}
    for actor in case.actor_ids:
        for issue in case.issues:
            stance = issue.positions.get(actor)
            if stance is not None and stance.red_line is not None:
                out.setdefault(actor, {})[issue.id] = stance.red_line.describe()
    return out


def _reservations(
    space: OutcomeSpace,
    model: UtilityModel,
    status_quo: Mapping[str, float | bool] | np.ndarray,
    fixed: Mapping[str, float],
    alternatives: Mapping[str, Mapping[str, float | bool] | np.ndarray],
) -> dict[str, float]:
    """``reservation_value`` over best alternative over status quo, per actor (the
    status quo and the alternatives as packages or as their digits)."""
    sq = model.utilities_of(_digits(space, status_quo))
    out = {}
    for a, actor in enumerate(model.actors):
        if actor in fixed:
            out[actor] = float(fixed[actor])
        elif actor in alternatives:
            out[actor] = float(model.utilities_of(_digits(space, alternatives[actor]))[a])
        else:
            out[actor] = float(sq[a])
    return out


def _digits(space: OutcomeSpace, package: Mapping[str, float | bool] | np.ndarray) -> np.ndarray:
    """A complete package's digits (given as digits already, or encoded here)."""
    return package if isinstance(package, np.ndarray) else space.encode(package)


@dataclass(frozen=True)
class _OptionFeasibility:
    """The case's constraints as :data:`~detente.bargain.space.FeasibleOptions`
    (a module-level class, so the space pickles for worker processes)."""

    fixed_code: int
    bits: tuple[int, ...]
    constraints: tuple[Expr, ...]
    index: Mapping[str, int]

    def __call__(self, chosen: np.ndarray) -> np.ndarray:
        codes = np.full(chosen.shape[0], self.fixed_code, dtype=np.int64)
        for j, bit in enumerate(self.bits):
            codes |= np.where(chosen[:, j], bit, 0)
        return feasible_mask(list(self.constraints), codes, dict(self.index))


def bargaining_problem(case: Case, *, options: bool | Sequence[str] = False) -> BargainingProblem:
    """Turn a case into an outcome space, utilities and reservation values.

    Raises
    ------
    MissingPartError
        The case has no issues, or an issue has no status quo.
    """
    case.require("issues", analysis="bargaining")
    sq_levels: dict[str, float] = {}
    for i, issue in enumerate(case.issues):
        if issue.status_quo is None:
            raise MissingPartError(
                Problem(
                    f"bargaining needs where issue {issue.id!r} stands now: give its 'status_quo' level",
                    path=("issues", i, "status_quo"),
                )
            )
        sq_levels[issue.id] = issue.status_quo
    if options is True:
        option_ids = [o for o in case.option_ids if any(o in p.options for p in case.proposals)]
    elif options is False:
        option_ids = []
    else:
        option_ids = list(options)
        unknown = [o for o in option_ids if o not in case.option_ids]
        if unknown:
            raise CaseError(Problem(f"unknown option {unknown[0]!r}", path=("options",)))

    # Every engine judges a proposal on one package: on a linked case, the levels its
    # options imply; otherwise (and for the issues it names) its own levels.
    packages = {p.id: proposal_package(case, p) for p in case.proposals}
    grids = {}
    for issue in case.issues:
        extra = [sq_levels[issue.id]]
        extra += [pkg.levels[issue.id] for pkg in packages.values()]
        extra += [
            a.best_alternative[issue.id]
            for a in case.actors
            if a.best_alternative and issue.id in a.best_alternative
        ]
        grids[issue.id] = _grid(case, issue, extra)

    index = {o: k for k, o in enumerate(case.option_ids)}
    constraints = [c.infeasible_expr for c in case.constraints]
    sq_taken = set(case.status_quo)
    feasible = None
    if option_ids and constraints:
        feasible = _OptionFeasibility(
            sum(1 << index[o] for o in sq_taken if o not in option_ids),
            tuple(1 << index[o] for o in option_ids),
            tuple(constraints),
            index,
        )

    # An option may share its id with an issue (korea's normalisation is both); its
    # dimension is then called "option:<id>".
    issue_ids = {i.id for i in case.issues}
    dims = {o: f"option:{o}" if o in issue_ids else o for o in option_ids}
    space = OutcomeSpace(
        grids,
        options=[dims[o] for o in option_ids],
        feasible_options=feasible,
        scales={i.id: i.scale for i in case.issues},
    )
    shape = (len(case.actors), len(case.issues))
    ideals = np.zeros(shape)
    saliences = np.zeros(shape)
    position_sd = np.full(shape, np.nan)
    salience_sd = np.full(shape, np.nan)
    tables: dict[tuple[int, int], np.ndarray] = {}
    for j, issue in enumerate(case.issues):
        for a, actor in enumerate(case.actors):
            stance = issue.positions.get(actor.id)
            if stance is None:
                ideals[a, j] = issue.status_quo
                continue
            ideals[a, j] = stance.position
            saliences[a, j] = stance.salience
            if stance.position_sd is not None:
                position_sd[a, j] = stance.position_sd
            if stance.salience_sd is not None:
                salience_sd[a, j] = stance.salience_sd
            if stance.values is not None:
                assert issue.levels is not None  # checked with the case
                tables[a, j] = _value_row(space.levels[j], issue.levels, stance.values)
    option_values = _option_values(case, option_ids) if option_ids else None
    actors = list(case.actor_ids)
    red_lines = _red_line_rows(case, space)
    model = _utility_model(space, actors, ideals, saliences, tables, option_values, red_lines)
    status_quo: dict[str, float | bool] = {i.id: float(sq_levels[i.id]) for i in case.issues}
    status_quo.update({dims[o]: o in sq_taken for o in option_ids})
    fixed = {a.id: a.reservation_value for a in case.actors if a.reservation_value is not None}
    alternatives = {
        a.id: {**status_quo, **a.best_alternative}
        for a in case.actors
        if a.best_alternative and a.id not in fixed
    }
    reservation = _reservations(space, model, status_quo, fixed, alternatives)
    basis = {
        a: "reservation_value"
        if a in fixed
        else "best_alternative"
        if a in alternatives
        else "status_quo"
        for a in actors
    }
    proposals = {}
    ignored = set()
    for p in case.proposals:
        package: dict[str, float | bool] = dict(packages[p.id].levels)
        for o, v in p.options.items():
            if o in option_ids:
                package[dims[o]] = v
            else:
                ignored.add(o)
        proposals[p.id] = package
    proposal_bounds = {}
    if is_linked(case):
        for p in case.proposals:
            state = packages[p.id].options
            if not state or not p.options:
                continue  # a proposal written as levels only is not tied to its options
            lo, hi = level_bounds(case, np.array([state_code(case, state)]))
            proposal_bounds[p.id] = {
                issue.id: (float(lo[0, j]), float(hi[0, j]))
                for j, issue in enumerate(case.issues)
                if (lo[0, j], hi[0, j]) != tuple(issue.scale)
            }
    profiles = ActorProfiles(
        ideals, saliences, tables, option_values, position_sd, salience_sd, red_lines
    )
    return BargainingProblem(
        space,
        model,
        reservation,
        status_quo,
        proposals,
        tuple(sorted(ignored)),
        option_dimensions=dims,
        profiles=profiles,
        reservation_basis=basis,
        alternatives=alternatives,
        proposal_bounds=proposal_bounds,
    )


def forum_participants(
    case: Case, forum
) -> tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]:
    """Who attends ``forum`` under its rules, who stays away and why, and which options the rules need.

    Starting from all members, an actor whose rule cannot hold (for any setting of
    the options the rules name) leaves, until the set is stable. Among the option
    settings that satisfy every remaining rule, the one closest to the status quo
    gives the commitments.
    """
    members = list(forum.members)
    rules = {r.actor: r.parsed for r in forum.rules}
    option_vars = sorted({n for e in rules.values() for n in names(e) if n in case.option_ids})
    settings = [
        dict(zip(option_vars, bits, strict=True))
        for bits in itertools.product((False, True), repeat=len(option_vars))
    ]
    sq = set(case.status_quo)
    settings.sort(key=lambda s: sum(s[o] != (o in sq) for o in option_vars))
    absent: dict[str, str] = {}
    while True:
        present = set(members)

        def holds(actor: str, setting: dict[str, bool], present: set[str] = present) -> bool:
            values = {a: a in present for a in case.actor_ids}
            values.update({o: o in sq for o in case.option_ids})
            values.update(setting)
            return bool(evaluate(rules[actor], values))

        workable = [s for s in settings if all(holds(a, s) for a in members if a in rules)]
        if workable:
            chosen = workable[0]
            commitments = tuple(o for o in option_vars if chosen[o] != (o in sq) and chosen[o])
            return tuple(members), absent, commitments
        # Drop the members whose own rule fails under every setting, then retry.
        failing = [a for a in members if a in rules and not any(holds(a, s) for s in settings)]
        if not failing:
            failing = [a for a in members if a in rules][:1]
        for a in failing:
            members.remove(a)
            absent[a] = (
                f"attends only if {forum.rules[[r.actor for r in forum.rules].index(a)].attends_if}"
            )
        required_gone = [a for a in forum.required if a not in members]
        if required_gone:
            for a in members:
                absent.setdefault(a, f"the forum does not meet without {', '.join(required_gone)}")
            return (), absent, ()


def bargain(
    case: Case,
    *,
    solutions: Sequence[str] | None = None,
    forums: bool = True,
    options: bool | Sequence[str] = False,
    forum_solution: str = "nash",
    pareto_limit: int | None = 200,
    max_outcomes: int = DEFAULT_MAX_OUTCOMES,
    progress: Callable[[int, int], None] | None = None,
    samples: int = 0,
    seed: int | np.random.Generator | None = 0,
    position_sd: float = 5.0,
    salience_sd: float = 5.0,
    workers: int | None = 1,
    dask_address: Any = None,
    power: bool = True,
) -> CaseBargain:
    """Zone of possible agreement, Pareto frontier, solutions, proposals and forums of a case.

    Each proposal is judged on the package it stands for (its options' linked levels
    where it names none), and red lines are non-compensatory: a package that crosses a
    party's red line is outside the zone and never chosen, and a proposal that crosses
    one is blocked by that party, which its assessment's ``red_lines`` names (see the
    module docstring).

    Parameters
    ----------
    case : Case
        A case with issues, each with a status quo level and stances.
    solutions : sequence of str, optional
        Any of ``"nash"``, ``"kalai_smorodinsky"``, ``"utilitarian"``, ``"egalitarian"``
        and ``"asymmetric_nash"``. Default: the first four, and the asymmetric Nash
        solution when the capabilities differ (see ``power``).
    forums : bool
        Evaluate the case's forums.
    options : bool or sequence of str
        Add options to the outcome space: ``True`` for the options proposals set.
    forum_solution : str
        The solution that picks each forum's best package.
    pareto_limit : int, optional
        Report at most this many frontier packages (the count is always complete).
    samples : int
        Robustness Monte Carlo samples (0: none). Each sample redraws every stance's
        position (normal, sd ``position_sd`` points of the issue scale, clipped to the
        scale) and salience (normal, sd ``salience_sd`` points, clipped to
        (0, 100]), using the stance's own ``position_sd`` / ``salience_sd`` where the
        case gives them, as the forecast's Monte Carlo does. Value tables, option
        values, red lines and explicit reservation values stay fixed; reservation
        values from the status quo or a best alternative follow the drawn utilities.
        It then checks whether every party still accepts each proposal, and whether
        each forum can still agree with its best package inside its zone.
    seed : int
        The seed of the samples: sample ``k`` draws from
        :func:`detente.parallel.sample_rng` ``(seed, k)``, so the same seed gives the
        same result serially, on local cores or on a Dask cluster.
    position_sd, salience_sd : float
        Default uncertainties, as in forecasting.
    workers, dask_address
        Where the samples run (see :func:`detente.parallel.map_samples`).
    power : bool
        With the default solutions, add the asymmetric Nash solution, with the
        capabilities as bargaining powers (Kalai 1977), when the capabilities differ.

    Examples
    --------
    >>> import detente
    >>> from detente.bargain.case import bargain
    >>> result = bargain(detente.load("korea"))
    >>> sorted(result.to_dict()["solutions"])
    ['asymmetric_nash', 'egalitarian', 'kalai_smorodinsky', 'nash', 'utilitarian']
    """
    if samples < 0:
        raise ValueError(f"samples must be >= 0, got {samples}")
    if forum_solution not in SOLUTIONS:
        raise ValueError(
            f"forums pick their package with one of {', '.join(SOLUTIONS)}, not {forum_solution!r}"
        )
    if position_sd < 0 or salience_sd < 0:
        raise ValueError("position_sd and salience_sd must be >= 0")
    problem = bargaining_problem(case, options=options)
    designs: list[ForumDesign] = []
    planned = []
    if forums:
        for forum in case.forums:
            participants, absent, commitments = forum_participants(case, forum)
            agenda = list(forum.agenda) if forum.agenda is not None else [i.id for i in case.issues]
            agenda += [
                dim
                for o, dim in problem.option_dimensions.items()
                if case.option(o).controller in participants
            ]
            planned.append((forum, participants, absent, commitments, agenda))
    # the whole analysis (every forum and sample included) within the limits, before any
    # of it starts
    check_bargain_cost(
        problem.space,
        problem.model,
        problem.reservation,
        forums=[
            (
                problem.space.restrict_to_agenda(tuple(dict.fromkeys(agenda)), problem.status_quo),
                problem.model.subset(participants),
                np.array([problem.reservation[a] for a in participants]),
            )
            for _f, participants, _a, _c, agenda in planned
            if len(participants) >= 2
        ],
        samples=samples,
    )
    if forums:
        for forum, participants, absent, commitments, agenda in planned:
            evaluation = None
            if len(participants) >= 2:
                evaluation = evaluate_forum(
                    problem.space,
                    problem.model,
                    problem.reservation,
                    participants=participants,
                    agenda=agenda,
                    status_quo=problem.status_quo,
                    solution=forum_solution,
                )
            designs.append(
                ForumDesign(forum.id, forum.name, participants, absent, commitments, evaluation)
            )
    capability = {a.id: a.capability for a in case.actors if a.id in problem.model.actors}
    if solutions is None:
        solutions = tuple(SOLUTIONS)
        if power and len(set(capability.values())) > 1:
            solutions = (*solutions, "asymmetric_nash")
    result = analyze(
        problem.space,
        problem.model,
        problem.reservation,
        solutions=solutions,
        power=capability if "asymmetric_nash" in solutions else None,
        proposals=problem.proposals,
        proposal_bounds=problem.proposal_bounds,
        status_quo=problem.status_quo,
        pareto_limit=pareto_limit,
        max_outcomes=max_outcomes,
        progress=progress,
    )
    robustness = None
    if samples:
        robustness = _robustness(
            case,
            problem,
            designs,
            samples=samples,
            seed=normalize_seed(seed),
            position_sd=float(position_sd),
            salience_sd=float(salience_sd),
            workers=workers,
            dask_address=dask_address,
        )
    return CaseBargain(
        case_id=case.id,
        scenario=case.scenario_id,
        result=result,
        forums=tuple(designs),
        ignored_options=problem.ignored_options,
        parameters={"options": list(problem.space.option_names), "forum_solution": forum_solution},
        robustness=robustness,
        reservation_basis=problem.reservation_basis,
        level_names={i.id: i.level_names for i in case.issues if i.level_names},
        red_lines=_red_line_words(case),
    )


# -- robustness ----------------------------------------------------------------------


def _robustness(
    case: Case,
    problem: BargainingProblem,
    designs: Sequence[ForumDesign],
    *,
    samples: int,
    seed: int,
    position_sd: float,
    salience_sd: float,
    workers: int | None,
    dask_address: Any,
) -> Robustness:
    profiles = problem.profiles
    assert profiles is not None
    has = profiles.saliences > 0
    forums = []
    for d in designs:
        ev = d.evaluation
        if ev is None:
            continue
        best = ev.best.settings() if ev.best is not None else None
        forums.append((d.id, tuple(ev.participants), tuple(ev.agenda), best))
    spec = {
        "space": problem.space,
        "actors": tuple(problem.model.actors),
        "profiles": profiles,
        "position_sd": np.where(
            has, np.where(np.isnan(profiles.position_sd), position_sd, profiles.position_sd), 0.0
        ),
        "salience_sd": np.where(
            has, np.where(np.isnan(profiles.salience_sd), salience_sd, profiles.salience_sd), 0.0
        ),
        "status_quo": problem.status_quo,
        "fixed": {
            a: v
            for a, v in problem.reservation.items()
            if problem.reservation_basis.get(a) == "reservation_value"
        },
        "alternatives": problem.alternatives,
        "proposals": problem.proposals,
        "forums": tuple(forums),
    }
    table = np.asarray(
        map_samples(
            partial(_robustness_chunk, spec=spec),
            samples,
            seed=seed,
            workers=workers,
            dask_address=dask_address,
        ),
        dtype=bool,
    )
    share = table.mean(axis=0)
    n_prop = len(problem.proposals)
    n_forum = len(forums)
    props = {pid: float(share[k]) for k, pid in enumerate(problem.proposals)}
    held = {f[0]: float(share[n_prop + k]) for k, f in enumerate(forums)}
    agree = {f[0]: float(share[n_prop + n_forum + k]) for k, f in enumerate(forums)}
    # A forum whose rules leave fewer than two participants never agrees.
    for d in designs:
        held.setdefault(d.id, 0.0)
        agree.setdefault(d.id, 0.0)
    order = [d.id for d in designs]
    return Robustness(
        samples=samples,
        seed=seed,
        position_sd=position_sd,
        salience_sd=salience_sd,
        proposals=props,
        forums={f: held[f] for f in order},
        forum_agreement={f: agree[f] for f in order},
    )


def _zone_is_empty(space: OutcomeSpace, model: UtilityModel, r: np.ndarray) -> bool:
    """Whether no outcome of ``space`` beats every reservation value with no red line
    crossed (stops at the first)."""
    for chunk in model.acceptable(space).chunks():
        if len(chunk) and model.evaluate_above(chunk, r + DEFAULT_TOL)[0].size:
            return False
    return True


def _robustness_chunk(indices: np.ndarray, seed: int, spec: dict[str, Any]) -> np.ndarray:
    """One row per sample: each proposal accepted by all, each forum's best package
    still in its zone with agreement possible, each forum able to agree."""
    space: OutcomeSpace = spec["space"]
    actors: tuple[str, ...] = spec["actors"]
    prof: ActorProfiles = spec["profiles"]
    forums = spec["forums"]
    lo = np.array([sc[0] for sc in space.scales])
    hi = np.array([sc[1] for sc in space.scales])
    has = prof.saliences > 0
    sub_spaces = [
        space.restrict_to_agenda(agenda, spec["status_quo"]) for _, _, agenda, _ in forums
    ]
    packages = dict(spec["proposals"])
    participants = {}
    for fid, who, _, best in forums:
        if best is not None:
            packages[f"forum:{fid}"] = best
            participants[f"forum:{fid}"] = who
    # the packages, the status quo and the alternatives are the same in every draw:
    # encoded once here rather than once per draw
    status_quo = spec["status_quo"]
    packages = {pid: space.encode(pkg, base=status_quo) for pid, pkg in packages.items()}
    sq_digits = space.encode(status_quo)
    alternatives = {a: space.encode(alt) for a, alt in spec["alternatives"].items()}
    out = np.zeros((len(indices), len(spec["proposals"]) + 2 * len(forums)), dtype=bool)
    for row, k in enumerate(indices):
        rng = sample_rng(seed, int(k))
        # fixed draw order: positions, then saliences
        ideals = np.clip(prof.ideals + spec["position_sd"] * rng.standard_normal(has.shape), lo, hi)
        sal = prof.saliences + spec["salience_sd"] * rng.standard_normal(has.shape)
        sal = np.where(has, np.clip(sal, MIN_SALIENCE, 100.0), 0.0)
        model = _utility_model(
            space, actors, ideals, sal, prof.tables, prof.option_values, prof.red_lines
        )
        res = _reservations(space, model, sq_digits, spec["fixed"], alternatives)
        draw = zopa_membership(
            space,
            model,
            res,
            seed=int(k),
            status_quo=spec["status_quo"],
            packages=packages,
            package_participants=participants,
        )
        cells = [draw.packages_in_zopa[pid] for pid in spec["proposals"]]
        held, agree = [], []
        for (fid, who, _, best), sub in zip(forums, sub_spaces, strict=True):
            kept = best is not None and draw.packages_in_zopa[f"forum:{fid}"]
            possible = kept or not _zone_is_empty(
                sub, model.subset(who), np.array([res[a] for a in who])
            )
            held.append(kept if best is not None else possible)
            agree.append(possible)
        out[row] = cells + held + agree
    return out
