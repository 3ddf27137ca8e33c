"""The bargaining analysis of a case: its issues as an outcome space, its forums as tables.

This module wires a :class:`~detente.model.Case` into the array-level engine:

- each issue becomes a dimension whose levels are the issue's ``levels`` (or five
  evenly spaced points of its scale), together with its status quo, every
  proposal's level and every best alternative, so each named package lies on the grid;
- each actor's utility is linear-additive: salience-weighted closeness to its
  position (Raiffa 1982, ch. 12), with the saliences as weights;
- options join the space only when asked for (``options=True`` takes the options
  that some proposal sets). An option's value to an actor is the average change in
  the actor's normalised option-prioritisation score when that option is taken,
  over every pair of feasible states that differ in that option alone: a linear
  reading of preferences that are not additive in general;
- each actor's reservation value is its utility for its best alternative, or for
  the status quo;
- each forum of the case is evaluated with the participants its rules admit: a
  member whose participation rule cannot hold, whatever options are taken, stays
  away; options that a rule needs (China convening the talks, say) are reported as
  the forum's entry commitments.

References
----------
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
Sebenius, J. K. (1983). Negotiation arithmetic: adding and subtracting issues and
parties. *International Organization* 37(2), 281-316.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.bargain.analysis import DEFAULT_MAX_OUTCOMES, analyze
from detente.bargain.forums import evaluate_forum
from detente.bargain.results import BargainResult, ForumEvaluation
from detente.bargain.solutions import SOLUTIONS
from detente.bargain.space import OutcomeSpace
from detente.bargain.utility import UtilityModel, linear_additive
from detente.errors import CaseError, MissingPartError, Problem
from detente.model import Case
from detente.model.checks import feasible_mask
from detente.model.expressions import evaluate, names

__all__ = ["BargainingProblem", "CaseBargain", "ForumDesign", "bargain", "bargaining_problem"]

DEFAULT_POINTS = 5


@dataclass(frozen=True, eq=False)
class BargainingProblem:
    """A case as the bargaining engine sees it."""

    space: OutcomeSpace
    model: UtilityModel
    reservation: dict[str, float]
    status_quo: dict[str, float | bool]
    proposals: dict[str, dict[str, float | bool]]
    ignored_options: tuple[str, ...] = ()
    option_dimensions: dict[str, str] = field(default_factory=dict)


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


def bargaining_problem(case: Case, *, options: bool | Sequence[str] = False) -> BargainingProblem:
    """Turn a case into an outcome space, utilities and reservation values.

    Raises
    ------
    MissingPartError
        The case has no issues, or an issue has no status quo.
    """
    case.require("issues", analysis="bargaining")
    for i, issue in enumerate(case.issues):
        if issue.status_quo is None:
            raise MissingPartError(
                Problem(
                    f"bargaining needs where issue {issue.id!r} stands now: give its 'status_quo' level",
                    path=("issues", i, "status_quo"),
                )
            )
    if options is True:
        option_ids = [o for o in case.option_ids if any(o in p.options for p in case.proposals)]
    elif options is False:
        option_ids = []
    else:
        option_ids = list(options)
        unknown = [o for o in option_ids if o not in case.option_ids]
        if unknown:
            raise CaseError(Problem(f"unknown option {unknown[0]!r}", path=("options",)))

    grids = {}
    for issue in case.issues:
        extra = [issue.status_quo]
        extra += [p.positions[issue.id] for p in case.proposals if issue.id in p.positions]
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
        fixed_code = sum(1 << index[o] for o in sq_taken if o not in option_ids)
        bits = [1 << index[o] for o in option_ids]

        def feasible(levels: np.ndarray, chosen: np.ndarray) -> np.ndarray:
            codes = np.full(chosen.shape[0], fixed_code, dtype=np.int64)
            for j, bit in enumerate(bits):
                codes |= np.where(chosen[:, j], bit, 0)
            return feasible_mask(constraints, codes, index)

    # An option may share its id with an issue (korea's normalisation is both); its
    # dimension is then called "option:<id>".
    issue_ids = {i.id for i in case.issues}
    dims = {o: f"option:{o}" if o in issue_ids else o for o in option_ids}
    space = OutcomeSpace(
        grids,
        options=[dims[o] for o in option_ids],
        feasible=feasible,
        scales={i.id: tuple(i.scale) for i in case.issues},
    )
    ideals = np.zeros((len(case.actors), len(case.issues)))
    weights = np.zeros_like(ideals)
    for j, issue in enumerate(case.issues):
        for a, actor in enumerate(case.actors):
            stance = issue.positions.get(actor.id)
            if stance is not None:
                ideals[a, j] = stance.position
                weights[a, j] = stance.salience / 100.0
            else:
                ideals[a, j] = issue.status_quo
    model = linear_additive(
        space,
        actors=list(case.actor_ids),
        ideals=ideals,
        weights=weights,
        option_values=_option_values(case, option_ids) if option_ids else None,
    )
    status_quo: dict[str, float | bool] = {i.id: float(i.status_quo) for i in case.issues}
    status_quo.update({dims[o]: o in sq_taken for o in option_ids})
    sq_utilities = model.utilities_of(space.encode(status_quo))
    reservation = {}
    for a, actor in enumerate(case.actors):
        if actor.best_alternative:
            package = {**status_quo, **actor.best_alternative}
            reservation[actor.id] = float(model.utilities_of(space.encode(package))[a])
        else:
            reservation[actor.id] = float(sq_utilities[a])
    proposals = {}
    ignored = set()
    for p in case.proposals:
        package: dict[str, float | bool] = dict(p.positions)
        for o, v in p.options.items():
            if o in option_ids:
                package[dims[o]] = v
            else:
                ignored.add(o)
        proposals[p.id] = package
    return BargainingProblem(
        space, model, reservation, status_quo, proposals, tuple(sorted(ignored))
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
    solutions: Sequence[str] = tuple(SOLUTIONS),
    forums: bool = True,
    options: bool | Sequence[str] = False,
    forum_solution: str = "nash",
    pareto_limit: int | None = 200,
    max_outcomes: int = DEFAULT_MAX_OUTCOMES,
    progress: Callable[[int, int], None] | None = None,
) -> CaseBargain:
    """Zone of possible agreement, Pareto frontier, solutions, proposals and forums of a case.

    Parameters
    ----------
    case : Case
        A case with issues, each with a status quo level and stances.
    solutions : sequence of str
        Any of ``"nash"``, ``"kalai_smorodinsky"``, ``"utilitarian"``, ``"egalitarian"``.
    forums : bool
        Evaluate the case's forums.
    options : bool or sequence of str
        Add options to the outcome space: ``True`` for the options proposals set.
    forum_solution : str
        The solution that picks each forum's best package.
    pareto_limit : int, optional
        Report at most this many frontier packages (the count is always complete).

    Examples
    --------
    >>> import detente
    >>> from detente.bargain import bargain
    >>> result = bargain(detente.load("korea"))
    >>> sorted(result.to_dict()["solutions"])
    ['egalitarian', 'kalai_smorodinsky', 'nash', 'utilitarian']
    """
    problem = bargaining_problem(case, options=options)
    designs: list[ForumDesign] = []
    if forums:
        for forum in case.forums:
            participants, absent, commitments = forum_participants(case, forum)
            agenda = list(forum.agenda) if forum.agenda is not None else [i.id for i in case.issues]
            agenda += [
                dim
                for o, dim in problem.option_dimensions.items()
                if case.option(o).controller in participants
            ]
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
    result = analyze(
        problem.space,
        problem.model,
        problem.reservation,
        solutions=solutions,
        proposals=problem.proposals,
        status_quo=problem.status_quo,
        pareto_limit=pareto_limit,
        max_outcomes=max_outcomes,
        progress=progress,
    )
    return CaseBargain(
        case_id=case.id,
        scenario=case.scenario_id,
        result=result,
        forums=tuple(designs),
        ignored_options=problem.ignored_options,
        parameters={"options": list(problem.space.option_names), "forum_solution": forum_solution},
    )
