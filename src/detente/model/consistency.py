"""Where the two halves of a case disagree: option priorities against issue stances.

A case describes one negotiation twice: as options with prioritised statements (the
graph model) and as issue scales with positions, saliences and red lines
(forecasting and bargaining). Where options are linked to issues
(:mod:`detente.model.links`), the two halves can be compared, and where they
disagree the engines will too. Each check below returns findings that name the
party, the statement or stance at fault and a fix:

``bought``
    A party's top statement (what its graph model never trades away) is violated by
    a package that its issue utility would accept: others could buy it with gains
    elsewhere. Statements are lexicographic (Fang, Hipel & Kilgour 1993, ch. 2), issue
    utilities compensatory (Raiffa 1982, ch. 12); a red line makes the issue half
    non-compensatory where the graph model is.
``unlinked``
    A party's top statement names only options that do nothing on the issue scales.
``direction``
    A statement that wants an option taken (or not), while the party's issue stances
    prefer where the option's other side leaves the issues.
``order``
    A statement ranked above another whose effect on the issues the party's stances
    value at least twice as much (statements on different issues).
``red_line``
    A party's own position lies beyond its red line.
``status_quo``
    An issue's status quo level lies outside the bounds its options give in the
    status-quo state.
``proposal``
    A proposal's level lies outside the bounds its own options give.
``scenario``
    A scenario changes one half of the case only, so the engines of the other half
    answer as in the base case.
``source_date``
    A scenario cites a source dated after the scenario's own date (unless the source
    is marked ``hindsight``: a later analysis of the period).

References
----------
Fang, L., Hipel, K. W., and Kilgour, D. M. (1993). *Interactive Decision Making: The
Graph Model for Conflict Resolution*. Wiley.
Raiffa, H. (1982). *The Art and Science of Negotiation*. Harvard University Press.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.errors import Problem
from detente.model.expressions import evaluate, names
from detente.model.links import (
    feasible_codes,
    is_linked,
    level_bounds,
    state_code,
    state_levels,
    status_quo_levels,
)

if TYPE_CHECKING:
    from detente.model.case import Case, Scenario
    from detente.model.sections import Bound, Issue

__all__ = ["Finding", "case_findings", "issue_utility", "scenario_engines"]

TOLERANCE = 1e-9
GRID_POINTS = 5


@dataclass(frozen=True)
class Finding:
    """One disagreement between the halves of a case, with the fix."""

    kind: str
    message: str
    fix: str
    actor: str | None = None
    scenario: str | None = None
    problem: Problem | None = None

    @property
    def location(self) -> str:
        """``file:line: field`` (as much of it as is known)."""
        if self.problem is None:
            return ""
        return str(self.problem).removesuffix(self.problem.message).removesuffix(": ")

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        scope = f"[{self.scenario}] " if self.scenario else ""
        return f"{where}{scope}{self.message}; fix: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "message": self.message, "fix": self.fix}
        if self.actor:
            data["actor"] = self.actor
        if self.scenario:
            data["scenario"] = self.scenario
        if self.problem is not None:
            data["field"] = self.problem.field
            if self.problem.file:
                data["file"] = self.problem.file
            if self.problem.line is not None:
                data["line"] = self.problem.line
        return data


def scenario_engines(case: Case, scenario: Scenario) -> tuple[str, ...]:
    """Which engines' answers a scenario can change, by the parts it sets."""
    graph = scenario.status_quo is not None or bool(scenario.preferences)
    issues = bool(scenario.positions or scenario.issue_status_quo or scenario.capabilities)
    engines = []
    if graph and case.options:
        engines.append("graph_model")
    if issues and case.issues:
        engines.append("forecast")
    if (issues or scenario.forums is not None) and case.issues:
        engines.append("bargaining")
    return tuple(engines)


def case_findings(case: Case) -> list[Finding]:
    """Every disagreement between the halves of ``case``; for a base case with
    scenarios, of each scenario's view too (each finding says which); for a scenario's
    view, of that view and of the scenario itself (its halves and its sources)."""
    found = list(_view_findings(case))
    if case.scenario_id is not None and case.base is not case:
        found += [f for f in _scenario_findings(case.base) if f.scenario == case.scenario_id]
    if case.scenario_id is None:
        found += list(_scenario_findings(case))
        for scenario in case.scenarios:
            view = case.scenario(scenario.id)
            found += [
                Finding(f.kind, f.message, f.fix, f.actor, scenario.id, f.problem)
                for f in _view_findings(view)
                if (f.kind, f.message) not in {(g.kind, g.message) for g in found}
            ]
    return found


def _locate(case: Case, message: str, path: tuple) -> Problem:
    return case.locate(Problem(message, path=path))


# -- utilities on the issue scales ----------------------------------------------------


def _grid(issue: Issue) -> np.ndarray:
    lo, hi = issue.scale
    base = issue.levels if issue.levels else np.linspace(lo, hi, GRID_POINTS)
    points = set(map(float, base))
    if issue.status_quo is not None:
        points.add(float(issue.status_quo))
    return np.array(sorted(points))


def _value(issue: Issue, actor: str, level: np.ndarray | float) -> np.ndarray:
    """The actor's evaluation of levels of ``issue`` in [0, 1] (bargaining's rule)."""
    stance = issue.positions[actor]
    level = np.asarray(level, dtype=float)
    if stance.values is not None:
        xs = sorted(stance.values)
        return np.interp(level, xs, [stance.values[x] for x in xs])
    lo, hi = issue.scale
    return 1.0 - np.abs(level - stance.position) / (hi - lo)


def _allowed(issue: Issue, actor: str, level: np.ndarray) -> np.ndarray:
    line = issue.positions[actor].red_line
    if line is None:
        return np.ones(level.shape, dtype=bool)
    return np.array([line.allows(float(x)) for x in level], dtype=bool)


def issue_utility(case: Case, actor: str, levels: Mapping[str, float]) -> float:
    """The actor's additive utility of a package of issue levels, in [0, 1]: each
    issue's evaluation (closeness to its position, or its value table) weighted by
    its salience (Raiffa 1982, ch. 12; the bargaining engine's rule, without its
    rounding)."""
    return _utility(case, actor, levels)


def _utility(case: Case, actor: str, levels: Mapping[str, float]) -> float:
    num = den = 0.0
    for issue in case.issues:
        if actor in issue.positions:
            w = issue.positions[actor].salience
            num += w * float(_value(issue, actor, levels[issue.id]))
            den += w
    return num / den if den else 0.0


def _reservation(case: Case, actor: str) -> float:
    party = case.actor(actor)
    if party.reservation_value is not None:
        return party.reservation_value
    levels = status_quo_levels(case)
    levels.update(party.best_alternative or {})
    return _utility(case, actor, levels)


def _stake(case: Case, actor: str) -> bool:
    return any(actor in i.positions for i in case.issues)


# -- the checks -----------------------------------------------------------------------


def _view_findings(case: Case) -> Iterator[Finding]:
    yield from _red_line_findings(case)
    if not is_linked(case):
        return
    yield from _status_quo_findings(case)
    yield from _proposal_findings(case)
    for actor, prefs in case.preferences.items():
        if not prefs.statements or not _stake(case, actor):
            continue
        yield from _bought(case, actor)
        yield from _direction(case, actor)
        yield from _order(case, actor)


def _red_line_findings(case: Case) -> Iterator[Finding]:
    for i, issue in enumerate(case.issues):
        for actor, stance in issue.positions.items():
            line = stance.red_line
            if line is not None and not line.allows(stance.position):
                yield Finding(
                    "red_line",
                    f"{actor}'s position on {issue.id} ({stance.position:g}) crosses its own red "
                    f"line ({line.describe()})",
                    "move the position inside the red line, or the red line past the position",
                    actor=actor,
                    problem=_locate(case, "", ("issues", i, "positions", actor, "red_line")),
                )


def _status_quo_findings(case: Case) -> Iterator[Finding]:
    code = state_code(case, {})
    lo, hi = level_bounds(case, np.array([code]))
    for j, issue in enumerate(case.issues):
        if issue.status_quo is None:
            continue
        if not lo[0, j] - TOLERANCE <= issue.status_quo <= hi[0, j] + TOLERANCE:
            yield Finding(
                "status_quo",
                f"issue {issue.id} stands at {issue.status_quo:g}, but the options of the status "
                f"quo put it from {lo[0, j]:g} to {hi[0, j]:g}",
                "make the issue's status_quo and the status quo options tell the same story",
                problem=_locate(case, "", ("issues", j, "status_quo")),
            )


def _proposal_findings(case: Case) -> Iterator[Finding]:
    column = {issue.id: j for j, issue in enumerate(case.issues)}
    for k, proposal in enumerate(case.proposals):
        if not proposal.options or not proposal.positions:
            continue
        lo, hi = level_bounds(case, np.array([state_code(case, proposal.options)]))
        for issue_id, level in proposal.positions.items():
            j = column[issue_id]
            if not lo[0, j] - TOLERANCE <= level <= hi[0, j] + TOLERANCE:
                yield Finding(
                    "proposal",
                    f"proposal {proposal.id} puts {issue_id} at {level:g}, but its options put it "
                    f"from {lo[0, j]:g} to {hi[0, j]:g}",
                    "give the level its options imply, or change the options",
                    problem=_locate(case, "", ("proposals", k, "positions", issue_id)),
                )


def _literal(expr) -> tuple[str, bool] | None:
    """``(option, wanted)`` for a statement whose truth depends on one option only
    (``x``, ``not x``, or any expression equivalent to one of them)."""
    named = names(expr)
    if len(named) != 1:
        return None
    (option,) = named
    when_taken = bool(evaluate(expr, {option: True}))
    if when_taken == bool(evaluate(expr, {option: False})):
        return None  # always or never true: it says nothing about the option
    return option, when_taken


def _side_bounds(case: Case, option_id: str, taken: bool) -> dict[str, Bound]:
    option = case.option(option_id)
    out = {}
    for issue_id, effect in option.effects.items():
        bound = effect if taken else effect.if_not_taken
        if bound is not None and bound.binds:
            out[issue_id] = bound
    return out


def _bought(case: Case, actor: str) -> Iterator[Finding]:
    """The actor's top statement, kept by the status quo and broken by a package that its
    issue utility ranks above the status quo (its reservation)."""
    prefs = case.preferences[actor]
    assert prefs.statements
    top = prefs.statements[0]
    sq = state_code(case, {})
    values = {o: bool((sq >> k) & 1) for k, o in enumerate(case.option_ids)}
    if not evaluate(top.parsed, values):
        return  # the status quo breaks it too: accepting other such packages is no contradiction
    reservation = _reservation(case, actor)
    path = ("preferences", actor, "statements", 0, "expr")
    named = sorted(n for n in names(top.parsed) if n in case.option_ids)
    if named and not any(case.option(o).effects for o in named):
        yield Finding(
            "unlinked",
            f"{actor}'s top priority {top.expr!r} names only options that do nothing on the "
            "issue scales, so forecasting and bargaining cannot see what it cares about most",
            f"say what {', '.join(named)} does on the issues ('effects'), or add an issue for it",
            actor=actor,
            problem=_locate(case, "", path),
        )
        return
    literal = _literal(top.parsed)
    if literal is not None and case.option(literal[0]).effects:
        option_id, wanted = literal
        bounds = _side_bounds(case, option_id, not wanted)
        if bounds:
            yield from _bought_on_grid(case, actor, top.expr, bounds, reservation, path)
            return
    yield from _bought_in_states(case, actor, top, reservation, path)


def _bought_on_grid(
    case: Case,
    actor: str,
    statement: str,
    bounds: Mapping[str, Bound],
    reservation: float,
    path: tuple,
) -> Iterator[Finding]:
    """Over every package of the issues' grids: the best the actor gets with the
    unwanted side's levels (the rest at its best levels within its red lines)."""
    best: dict[str, float] = {}
    total = weight = 0.0
    for issue in case.issues:
        grid = _grid(issue)
        if issue.id in bounds:
            grid = grid[[bounds[issue.id].allows(float(x)) for x in grid]]
        if actor not in issue.positions:
            best[issue.id] = float(grid[0]) if grid.size else np.nan
            continue
        grid = grid[_allowed(issue, actor, grid)]
        if not grid.size:
            return  # its red lines already rule the unwanted side out
        values = _value(issue, actor, grid)
        k = int(np.argmax(values))
        best[issue.id] = float(grid[k])
        w = issue.positions[actor].salience
        total += w * float(values[k])
        weight += w
    utility = total / weight
    if utility <= reservation + TOLERANCE:
        return
    issue_id = max(bounds, key=lambda i: case.issue(i).positions.get(actor) is not None)
    line = _red_line_fix(case, issue_id, bounds[issue_id])
    salience = _salience_fix(case, actor, issue_id, best, reservation)
    fix = f"give {actor} a red line on {issue_id} ({line})"
    if salience is not None:
        fix += f", or raise its salience on {issue_id} above {salience:g}"
    shown = ", ".join(f"{i} {v:g}" for i, v in best.items())
    yield Finding(
        "bought",
        f"{actor}'s top priority is {statement!r}, yet its issue stances accept a package "
        f"that breaks it ({shown}: utility {utility:.2f} against its reservation "
        f"{reservation:.2f})",
        fix,
        actor=actor,
        problem=_locate(case, "", path),
    )


def _red_line_fix(case: Case, issue_id: str, unwanted: Bound) -> str:
    lo, hi = case.issue(issue_id).scale
    if unwanted.at_least is not None and unwanted.at_least > lo:
        below = [x for x in _grid(case.issue(issue_id)) if x < unwanted.at_least]
        return f"at_most: {max(below):g}" if below else f"at_most below {unwanted.at_least:g}"
    if unwanted.at_most is not None and unwanted.at_most < hi:
        above = [x for x in _grid(case.issue(issue_id)) if x > unwanted.at_most]
        return f"at_least: {min(above):g}" if above else f"at_least above {unwanted.at_most:g}"
    return f"excluding {unwanted.describe()}"


def _salience_fix(
    case: Case, actor: str, issue_id: str, best: Mapping[str, float], reservation: float
) -> float | None:
    """The smallest salience (whole points up to 100) on ``issue_id`` that puts the
    best package breaking the statement below the reservation, if any."""
    issue = case.issue(issue_id)
    if actor not in issue.positions:
        return None
    now = issue.positions[actor].salience
    ref = status_quo_levels(case)
    ref.update(case.actor(actor).best_alternative or {})
    for s in range(int(np.floor(now)) + 1, 101):
        num_b = num_r = den = 0.0
        for other in case.issues:
            if actor not in other.positions:
                continue
            w = float(s) if other.id == issue_id else other.positions[actor].salience
            num_b += w * float(_value(other, actor, best[other.id]))
            num_r += w * float(_value(other, actor, ref[other.id]))
            den += w
        fixed = case.actor(actor).reservation_value
        if num_b / den <= (fixed if fixed is not None else num_r / den) + TOLERANCE:
            return float(s)
    return None


def _bought_in_states(
    case: Case, actor: str, top, reservation: float, path: tuple
) -> Iterator[Finding]:
    codes = feasible_codes(case)
    if codes is None:
        return
    index = {o: k for k, o in enumerate(case.option_ids)}
    columns = {o: (codes >> k) & 1 == 1 for o, k in index.items()}
    breaks = ~np.broadcast_to(np.asarray(evaluate(top.parsed, columns), bool), codes.shape)
    if not breaks.any():
        return
    levels = state_levels(case, codes[breaks])
    # Every breaking state's utility at once (the additive rule of _utility), states
    # across one of the actor's red lines left out.
    usable = ~np.isnan(levels).any(axis=1)
    total = np.zeros(levels.shape[0])
    weight = 0.0
    for j, issue in enumerate(case.issues):
        if actor not in issue.positions:
            continue
        column = np.nan_to_num(levels[:, j])
        w = issue.positions[actor].salience
        total += w * _value(issue, actor, column)
        weight += w
        values, inverse = np.unique(column, return_inverse=True)
        usable &= _allowed(issue, actor, values)[inverse.reshape(-1)]
    if not usable.any() or weight == 0:
        return
    utilities = np.where(usable, total / weight, -np.inf)
    k = int(np.argmax(utilities))
    best_u = float(utilities[k])
    best_row = {i.id: float(v) for i, v in zip(case.issues, levels[k], strict=True)}
    if best_u <= reservation + TOLERANCE:
        return
    sq = status_quo_levels(case)
    moved = [i for i in best_row if abs(best_row[i] - sq[i]) > TOLERANCE]
    shown = ", ".join(f"{i} {best_row[i]:g}" for i in moved) or "the status quo levels"
    yield Finding(
        "bought",
        f"{actor}'s top priority is {top.expr!r}, yet its issue stances accept a state that "
        f"breaks it ({shown}: utility {best_u:.2f} against its reservation {reservation:.2f})",
        f"give {actor} a red line on {', '.join(moved) or 'the issues involved'} that rules "
        "this out, raise its salience there, or lower the statement",
        actor=actor,
        problem=_locate(case, "", path),
    )


@dataclass(frozen=True)
class _Effect:
    """A single-option statement read on the issue scales."""

    rank: int  # 0-based
    expr: str
    issues: tuple[str, ...]
    wanted: dict[str, float]  # issue -> level with the option on the statement's side
    other: dict[str, float]  # issue -> level with it on the other side
    gain: float  # salience-weighted evaluation of the first minus the second


def _statement_effects(case: Case, actor: str) -> Iterator[_Effect]:
    """The actor's single-option statements on linked options, read on the issue scales
    from the status quo."""
    prefs = case.preferences[actor]
    ref = status_quo_levels(case)
    for k, statement in enumerate(prefs.statements or ()):
        literal = _literal(statement.parsed)
        if literal is None:
            continue
        option_id, wanted = literal
        effects = case.option(option_id).effects
        if not effects:
            continue
        sides = {}
        for taken in (True, False):
            bounds = _side_bounds(case, option_id, taken)
            sides[taken] = {i: _clip(ref[i], bounds[i]) if i in bounds else ref[i] for i in effects}
        gain = 0.0
        crossed = {True: False, False: False}  # a side beyond the actor's red line
        for issue_id in effects:
            issue = case.issue(issue_id)
            if actor in issue.positions:
                for side in (True, False):
                    level = np.array([sides[side][issue_id]])
                    crossed[side] |= not _allowed(issue, actor, level)[0]
                gain += issue.positions[actor].salience * float(
                    _value(issue, actor, sides[wanted][issue_id])
                    - _value(issue, actor, sides[not wanted][issue_id])
                )
        if crossed[wanted] != crossed[not wanted]:
            # A red line decides, whatever the closeness says (non-compensatory).
            gain = -np.inf if crossed[wanted] else np.inf
        yield _Effect(k, statement.expr, tuple(effects), sides[wanted], sides[not wanted], gain)


def _direction(case: Case, actor: str) -> Iterator[Finding]:
    """Each single-option statement against the issue stances on the option's issues."""
    for e in _statement_effects(case, actor):
        if e.gain >= -TOLERANCE:
            continue
        detail = "; ".join(
            f"{i}: position {case.issue(i).positions[actor].position:g}, "
            f"{e.wanted[i]:g} with the statement's side, {e.other[i]:g} without"
            for i in e.issues
            if actor in case.issue(i).positions
        )
        if e.gain == -np.inf:
            detail += "; the statement's side crosses its own red line"
        yield Finding(
            "direction",
            f"{actor} wants {e.expr!r} (statement {e.rank + 1}), but its issue stances "
            f"prefer the other side ({detail})",
            "move its position towards the statement's side, or reverse the statement",
            actor=actor,
            problem=_locate(case, "", ("preferences", actor, "statements", e.rank, "expr")),
        )


ORDER_FACTOR = 2.0
"""An order finding needs a lower-ranked statement worth this many times a higher one."""


def _order(case: Case, actor: str) -> Iterator[Finding]:
    """Statements ranked above others whose effect the issue stances value far less
    (statements on disjoint issues only, each wanted by the stances too)."""
    effects = [e for e in _statement_effects(case, actor) if TOLERANCE < e.gain < np.inf]
    pairs = [
        (x, y)
        for i, x in enumerate(effects)
        for y in effects[i + 1 :]
        if not set(x.issues) & set(y.issues) and y.gain >= ORDER_FACTOR * x.gain
    ]
    if not pairs:
        return
    shown = "; ".join(
        f"{x.expr!r} (statement {x.rank + 1}) above {y.expr!r} (statement {y.rank + 1}), "
        f"whose effect its issue stances value {y.gain / x.gain:.1f} times as much"
        for x, y in pairs[:3]
    )
    more = f"; and {len(pairs) - 3} more such pairs" if len(pairs) > 3 else ""
    yield Finding(
        "order",
        f"{actor} ranks {shown}{more}",
        "reorder the statements, or move the saliences of the issues involved so that what "
        "it ranks first weighs most",
        actor=actor,
        problem=_locate(case, "", ("preferences", actor, "statements", pairs[0][0].rank, "expr")),
    )


def _clip(level: float, bound: Bound) -> float:
    lo = bound.at_least if bound.at_least is not None else -np.inf
    hi = bound.at_most if bound.at_most is not None else np.inf
    return float(min(max(level, lo), hi))


def _scenario_findings(case: Case) -> Iterator[Finding]:
    both = bool(case.options and case.preferences) and bool(case.issues)
    dates = {s.id: s.date for s in case.sources if s.date}
    hindsight = {s.id for s in case.sources if s.hindsight}
    for k, scenario in enumerate(case.scenarios):
        engines = scenario_engines(case, scenario)
        if both and engines and ("graph_model" in engines) != ("forecast" in engines):
            changed = "the graph model" if "graph_model" in engines else "the issue stances"
            other = (
                "forecast and bargaining answer"
                if "graph_model" in engines
                else "graph model answers"
            )
            yield Finding(
                "scenario",
                f"scenario {scenario.id} changes {changed} only: its {other} as in the base case",
                "change the other half as the scenario's story requires (positions, saliences "
                "and red lines, or preferences and the status quo)",
                scenario=scenario.id,
                problem=_locate(case, "", ("scenarios", k)),
            )
        stances = {a for changes in scenario.positions.values() for a in changes}
        stances |= set(scenario.capabilities)
        for actor in scenario.preferences:
            if both and "graph_model" in engines and "forecast" in engines and actor not in stances:
                yield Finding(
                    "scenario",
                    f"scenario {scenario.id} changes {actor}'s preferences but none of its "
                    "stances: its forecast and bargaining answer with the base case's "
                    f"{actor}",
                    f"change {actor}'s positions, saliences or red lines as the story requires",
                    actor=actor,
                    scenario=scenario.id,
                    problem=_locate(case, "", ("scenarios", k, "preferences", actor)),
                )
        if scenario.date:
            late: dict[str, tuple] = {}
            for path, source in _scenario_citations(scenario):
                date = dates.get(source)
                if date and _later(date, scenario.date) and source not in hindsight:
                    late.setdefault(source, path)
            if late:
                first = next(iter(late.values()))
                listed = ", ".join(f"{s} ({dates[s]})" for s in late)
                yield Finding(
                    "source_date",
                    f"scenario {scenario.id} ({scenario.date}) cites {len(late)} source"
                    f"{'s' if len(late) > 1 else ''} dated after it: {listed}",
                    "cite what was known by the scenario's date, or mark a later analysis of "
                    "the period as 'hindsight: true' in sources",
                    scenario=scenario.id,
                    problem=_locate(case, "", ("scenarios", k, *first)),
                )


def _scenario_citations(scenario: Scenario) -> Iterator[tuple[tuple, str]]:
    for source in scenario.sources:
        yield ("sources",), source
    for actor, prefs in scenario.preferences.items():
        for source in prefs.sources:
            yield ("preferences", actor, "sources"), source
        for k, statement in enumerate(prefs.statements or ()):
            for source in statement.sources:
                yield ("preferences", actor, "statements", k, "sources"), source
    for issue_id, changes in scenario.positions.items():
        for actor, change in changes.items():
            cited = list(change.sources) + list(change.red_line.sources if change.red_line else ())
            for source in cited:
                yield ("positions", issue_id, actor, "sources"), source


def _later(date: str, than: str) -> bool:
    """Whether ``date`` is after ``than`` at the precision both give (YYYY[-MM[-DD]])."""
    n = min(len(date), len(than))
    return date[:n] > than[:n]
