"""One verdict per package: what every engine says about the same package.

The candidates are the case's proposals, the graph model's equilibria, the
bargaining solutions and each forum's best package. Each is read as one package
(options and issue levels, through the case's links: :mod:`detente.model.links`),
and each engine is asked about that package alone:

- bargaining: who accepts it (utility above the reservation value, no red line
  crossed), who blocks it and why;
- the graph model: for whom its state is stable under each concept, whether it is an
  equilibrium, and whether the status quo reaches it by unilateral improvements, or
  only with coalitions' joint improvements;
- the forecast: on each issue the package changes, whether the forecast leaves the
  status quo towards the package's level (reaching it, or going past it) or away;
- forums: the forums whose participants all accept it, whose agenda covers what it
  changes, and whose participation rules its state keeps (a forum whose members come
  only if some option is taken does not meet in a state without it).

Where two engines disagree about a party (it accepts the package but would leave its
state, or it would stay but rejects the package), the verdict names the inputs that
cause it: the statement behind the move, or the stances behind the rejection.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.errors import CaseTooLargeError, MissingPartError
from detente.model import Case
from detente.model.links import (
    closest_state,
    is_linked,
    proposal_package,
    state_levels,
    status_quo_levels,
)
from detente.model.sections import Proposal

__all__ = ["Evidence", "Verdict", "gather_evidence", "judge", "meets_entry_terms"]

MAX_EQUILIBRIA = 5
"""Equilibria judged besides the proposals: the ones the status quo reaches first,
then those changing fewest options."""
TOL = 1e-9
_SOLUTION_NAMES = {
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "utilitarian": "utilitarian",
    "egalitarian": "egalitarian",
    "asymmetric_nash": "power-weighted Nash",
}


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    kind: str  # proposal | equilibrium | solution | forum
    options: dict[str, bool] | None
    levels: dict[str, float] | None
    label: str = ""
    also: tuple[str, ...] = ()  # labels of the other candidates that are the same package


@dataclass
class Evidence:
    """The engines' results on one case, shared by the verdicts and the way out."""

    case: Case
    concept: str
    conflict: Any = None  # detente.gmcr.case.ConflictAnalysis
    reach_alone: Any = None  # detente.gmcr.improvements.ImprovementReach
    reach_joint: Any = None
    coalitions: tuple[tuple[str, ...], ...] = ()
    bargaining: dict[str, Any] | None = None  # bargain(...).to_dict() with the candidates
    forecast: dict[str, Any] | None = None
    forecast_model: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        return is_linked(self.case)

    def state_index(self, options: Mapping[str, bool] | None) -> int | None:
        """0-based index of the state setting ``options`` (None if infeasible)."""
        if options is None or self.conflict is None:
            return None
        model = self.conflict.model
        code = sum(1 << k for k, o in enumerate(model.options) if options.get(o))
        pos = int(np.searchsorted(model.states, code))
        if pos < model.states.size and int(model.states[pos]) == code:
            return pos
        return None


@dataclass(frozen=True)
class Verdict:
    """What every engine says about one package."""

    id: str
    name: str
    label: str  # a short name for tables
    kind: str
    options: dict[str, bool] | None
    levels: dict[str, float] | None
    state: int | None  # 1-based
    bargaining: dict[str, Any] | None
    graph_model: dict[str, Any] | None
    forecast: dict[str, Any] | None
    forums: tuple[str, ...]
    disagreements: tuple[str, ...]
    also: tuple[str, ...] = ()

    def accepted_by_all(self) -> bool:
        return self.bargaining is not None and not self.bargaining["blocked_by"]

    def stable_for_all(self, concept: str) -> bool:
        return self.graph_model is not None and bool(self.graph_model["equilibrium"].get(concept))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "state": self.state,
            "options": dict(self.options) if self.options is not None else None,
            "levels": dict(self.levels) if self.levels is not None else None,
            "bargaining": self.bargaining,
            "graph_model": self.graph_model,
            "forecast": self.forecast,
            "forums": list(self.forums),
            "disagreements": list(self.disagreements),
            "also": list(self.also),
        }


def _options_of(model, index: int) -> dict[str, bool]:
    code = int(model.states[index])
    return {o: bool((code >> k) & 1) for k, o in enumerate(model.options)}


def _levels_of(case: Case, options: Mapping[str, bool]) -> dict[str, float] | None:
    if not case.issues or not is_linked(case):
        return None
    index = {o: k for k, o in enumerate(case.option_ids)}
    code = sum(1 << index[o] for o, v in options.items() if v)
    row = state_levels(case, np.array([code]))[0]
    if np.isnan(row).any():
        return None
    return {i.id: float(v) for i, v in zip(case.issues, row, strict=True)}


def gather_evidence(
    case: Case,
    *,
    concept: str = "seq",
    coalitions: Sequence[Sequence[str]] | None = None,
    conflict: Any = None,
    forecasts: Any = None,
    bargaining: Any = None,
) -> tuple[Evidence, list[Candidate]]:
    """Run every engine the case has the parts for, once, with the candidate packages.

    ``conflict``, ``forecasts`` and ``bargaining`` are the engines' results on ``case``
    when the caller has them already (run with their defaults; a graph-model result
    without the concepts needed is computed again)."""
    from detente.bargain.case import bargain
    from detente.forecast.case import forecast
    from detente.gmcr.case import analyze_conflict
    from detente.gmcr.improvements import ImprovementReach

    needed = {"nash", "seq", concept}
    if conflict is not None and not needed <= set(conflict.stability.concepts):
        conflict = None  # computed for other concepts: run the graph model again
    ev = Evidence(case=case, concept=concept, conflict=conflict)
    if conflict is None and case.options and case.preferences:
        try:
            ev.conflict = analyze_conflict(case)
        except MissingPartError as exc:
            ev.notes.append("; ".join(p.message for p in exc.problems))
    if ev.conflict is not None:
        model = ev.conflict.model
        if concept not in ev.conflict.stability.concepts:
            raise ValueError(f"the graph model computed no {concept!r} stability")
        if coalitions is not None:
            groups = [tuple(c) for c in coalitions]
        else:
            groups = [tuple(c) for c in case.coalitions] or [
                (a, b) for i, a in enumerate(model.actors) for b in model.actors[i + 1 :]
            ]
        ev.reach_alone = ImprovementReach(model)
        if groups:
            try:
                ev.reach_joint = ImprovementReach(model, coalitions=groups)
                ev.coalitions = tuple(groups)
            except CaseTooLargeError as exc:
                ev.notes.append(exc.problems[0].message)
    if case.issues:
        try:
            ev.forecast = (forecasts if forecasts is not None else forecast(case)).to_dict()
            models = ev.forecast["parameters"]["models"]
            ev.forecast_model = models[0] if models else None
        except MissingPartError as exc:
            ev.notes.append("; ".join(p.message for p in exc.problems))

    candidates = _proposal_candidates(case) + _equilibrium_candidates(ev)
    first = None
    if case.issues:
        try:
            first = (bargaining if bargaining is not None else bargain(case)).to_dict()
        except MissingPartError as exc:
            ev.notes.append("; ".join(p.message for p in exc.problems))
        if first is not None:
            candidates += _bargaining_candidates(ev, first)
    candidates = _merged(candidates)
    if first is not None:
        synthetic = [
            Proposal(id=c.id, name=c.name, options=c.options or {}, positions=c.levels)
            for c in candidates
            if c.kind != "proposal" and c.levels is not None
        ]
        augmented = case.model_copy(update={"proposals": (*case.proposals, *synthetic)})
        ev.bargaining = bargain(augmented).to_dict()
    return ev, candidates


def _merged(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per package: a candidate found by an engine (an equilibrium, a
    solution, a forum's best package) with the same options and levels as an earlier
    candidate is folded into it (its label kept in ``also``); proposals always keep
    their own."""
    out: list[Candidate] = []
    for c in candidates:
        if c.kind == "proposal":
            out.append(c)  # every proposal keeps its own verdict
            continue
        same = next(
            (
                k
                for k, d in enumerate(out)
                if c.options is not None and d.options == c.options and d.levels == c.levels
            ),
            None,
        )
        if same is None:
            out.append(c)
        else:
            d = out[same]
            out[same] = dataclasses.replace(d, also=(*d.also, c.label or c.id))
    return out


def _proposal_candidates(case: Case) -> list[Candidate]:
    out = []
    linked = is_linked(case)
    for p in case.proposals:
        package = proposal_package(case, p)
        levels = package.levels if case.issues else None
        # Without links, levels alone say nothing about the state.
        options = package.options if (p.options or linked) else None
        out.append(Candidate(p.id, p.name, "proposal", options, levels, p.id))
    return out


def _equilibrium_candidates(ev: Evidence) -> list[Candidate]:
    if ev.conflict is None:
        return []
    model = ev.conflict.model
    eq = ev.conflict.stability.equilibria(ev.concept)
    sq = model.status_quo
    reached = (
        set(ev.reach_joint.reachable(sq).tolist()) if ev.reach_joint and sq is not None else set()
    )
    sq_code = int(model.states[sq]) if sq is not None else 0

    def order(i: int) -> tuple:
        return (i not in reached, bin(int(model.states[i]) ^ sq_code).count("1"), i)

    chosen = sorted((i for i in eq if i != sq), key=order)[:MAX_EQUILIBRIA]
    out = []
    for i in chosen:
        options = _options_of(model, i)
        out.append(
            Candidate(
                f"state.{i + 1}",
                f"{ev.concept.upper()} equilibrium, state {i + 1}",
                "equilibrium",
                options,
                _levels_of(ev.case, options),
                f"state {i + 1}",
            )
        )
    return out


def _bargaining_candidates(ev: Evidence, result: dict[str, Any]) -> list[Candidate]:
    case = ev.case
    out = []
    named = [
        (
            f"solution.{k}",
            f"{_SOLUTION_NAMES.get(k, k)} solution",
            "solution",
            s,
            _SOLUTION_NAMES.get(k, k),
        )
        for k, s in result["solutions"].items()
        if s
    ]
    named += [
        (
            f"forum.{f['id']}",
            f"best package of the {f['name']}",
            "forum",
            f["best"],
            f"best of {f['id']}",
        )
        for f in result["forums"]
        if f.get("best")
    ]
    seen: set[tuple] = set()
    for cid, name, kind, package, label in named:
        levels = {k: float(v) for k, v in package["issues"].items()}
        options = None
        if ev.conflict is not None and is_linked(case):
            # One package for every engine: the state whose linked levels come closest
            # to the solution, judged on those levels (issues no option moves stay at
            # the status quo).
            code = closest_state(case, levels)
            if code is not None:
                options = {o: bool((code >> k) & 1) for k, o in enumerate(case.option_ids)}
                linked = _levels_of(case, options)
                if linked is not None:
                    name = f"the state closest to the {name}"
                    label = f"≈ {label}"
                    levels = linked
        key = tuple(sorted(levels.items()))
        if key in seen:
            continue
        seen.add(key)
        out.append(Candidate(cid, name, kind, options, levels, label))
    return out


def judge(ev: Evidence, candidates: Sequence[Candidate]) -> list[Verdict]:
    """The verdict on each candidate package (see the module docstring)."""
    return [_verdict(ev, c) for c in candidates]


def _verdict(ev: Evidence, c: Candidate) -> Verdict:
    index = ev.state_index(c.options)
    bargaining = _bargaining_part(ev, c)
    graph = _graph_part(ev, index)
    forecast = _forecast_part(ev, c.levels)
    forums = _hosting_forums(ev, c, bargaining)
    disagreements = _disagreements(ev, c, index, bargaining, graph)
    return Verdict(
        id=c.id,
        name=c.name,
        label=c.label or c.id,
        kind=c.kind,
        options=c.options,
        levels=c.levels,
        state=index + 1 if index is not None else None,
        bargaining=bargaining,
        graph_model=graph,
        forecast=forecast,
        forums=forums,
        disagreements=tuple(disagreements),
        also=c.also,
    )


def _bargaining_part(ev: Evidence, c: Candidate) -> dict[str, Any] | None:
    if ev.bargaining is None or c.levels is None:
        return None
    p = ev.bargaining["proposals"].get(c.id)
    if p is None:
        return None
    return {
        "accepted_by": list(p["accepted_by"]),
        "blocked_by": list(p["blocked_by"]),
        "utilities": dict(p["utilities"]),
        "reservation": dict(p["reservation"]),
        "red_lines": dict(p.get("red_lines") or {}),
        "gains": [a for a in p["accepted_by"] if p["utilities"][a] > p["reservation"][a] + TOL],
    }


def _graph_part(ev: Evidence, index: int | None) -> dict[str, Any] | None:
    if ev.conflict is None or index is None:
        return None
    result = ev.conflict.stability
    model = result.model
    stable_for = {
        c: [a for k, a in enumerate(model.actors) if result.stable[c][k, index]]
        for c in result.concepts
    }
    sq = model.status_quo
    reach = "status quo" if index == sq else "no"
    path = None
    if sq is not None and index != sq:
        steps = ev.reach_alone.path(sq, index)
        if steps is not None:
            reach, path = "alone", steps
        elif ev.reach_joint is not None:
            steps = ev.reach_joint.path(sq, index)
            if steps is not None:
                reach, path = "with coalitions", steps
        else:
            reach = "not alone (coalitions not checked)"
    return {
        "stable_for": stable_for,
        "unstable_for": {c: [a for a in model.actors if a not in v] for c, v in stable_for.items()},
        "equilibrium": {c: len(v) == len(model.actors) for c, v in stable_for.items()},
        "reachable": reach,
        "path": [s.to_dict() for s in path] if path else [],
    }


def _forecast_part(ev: Evidence, levels: Mapping[str, float] | None) -> dict[str, Any] | None:
    if ev.forecast is None or levels is None or ev.forecast_model is None:
        return None
    sq = status_quo_levels(ev.case)
    issues = {}
    for issue_id, data in ev.forecast["issues"].items():
        model = data["models"].get(ev.forecast_model)
        if model is None or issue_id not in levels or abs(levels[issue_id] - sq[issue_id]) <= TOL:
            continue
        f, x, s = float(model["forecast"]), float(levels[issue_id]), sq[issue_id]
        # Towards: the forecast leaves the status quo on the package's side (it may go
        # past the package); "at": within half a point of it.
        if abs(f - x) <= 0.5:
            heads = "at"
        elif abs(f - s) <= 0.5:
            heads = "stays"  # within half a point of the status quo, either way
        elif (f - s) * (x - s) > 0:
            heads = "past" if abs(f - s) > abs(x - s) else "towards"
        else:
            heads = "away"
        issues[issue_id] = {"level": x, "forecast": f, "status_quo": s, "heads": heads}
    return {
        "model": ev.forecast_model,
        "issues": issues,
        "towards": sum(v["heads"] in ("towards", "at", "past") for v in issues.values()),
        "away": sum(v["heads"] in ("away", "stays") for v in issues.values()),
    }


def _hosting_forums(
    ev: Evidence, c: Candidate, bargaining: dict[str, Any] | None
) -> tuple[str, ...]:
    if bargaining is None or ev.bargaining is None or c.levels is None:
        return ()
    sq = status_quo_levels(ev.case)
    changed = {i for i, v in c.levels.items() if abs(v - sq[i]) > TOL}
    out = []
    for forum in ev.bargaining["forums"]:
        who = forum["participants"]
        if len(who) < 2 or not changed <= set(forum["agenda"]):
            continue
        if not meets_entry_terms(ev.case, forum, c.options):
            continue
        if all(a in bargaining["accepted_by"] for a in who):
            out.append(forum["id"])
    return tuple(out)


def meets_entry_terms(
    case: Case, forum: Mapping[str, Any], options: Mapping[str, bool] | None
) -> bool:
    """Whether a state keeps every participation rule of ``forum`` (as bargaining
    reports it: its participants) true, so the forum meets while the state holds;
    True when the package has no state to check."""
    if options is None:
        return True
    from detente.model.expressions import evaluate

    spec = next((f for f in case.forums if f.id == forum["id"]), None)
    if spec is None:
        return True
    present = set(forum["participants"])
    values: dict[str, bool] = {a: a in present for a in case.actor_ids}
    values.update({o: bool(options.get(o)) for o in case.option_ids})
    return all(bool(evaluate(r.parsed, values)) for r in spec.rules if r.actor in present)


def _disagreements(
    ev: Evidence,
    c: Candidate,
    index: int | None,
    bargaining: dict[str, Any] | None,
    graph: dict[str, Any] | None,
) -> list[str]:
    """Both engines say whether a party prefers this package to the status quo: the
    graph model by its ranking of the two states, bargaining by the package's utility
    against the reservation value. Where they answer differently, name the inputs."""
    if bargaining is None or graph is None or index is None:
        return []
    model = ev.conflict.model
    sq = model.status_quo
    if sq is None or index == sq:
        return []
    out = []
    for a, actor in enumerate(model.actors):
        if actor not in bargaining["utilities"]:
            continue
        ranked = int(np.sign(model.payoff[a, index] - model.payoff[a, sq]))
        u, r = bargaining["utilities"][actor], bargaining["reservation"][actor]
        crossed = bool(bargaining["red_lines"].get(actor))
        valued = -1 if crossed or u < r - TOL else (1 if u > r + TOL else 0)
        if ranked * valued >= 0:
            continue
        statement = _deciding_statement(ev, actor, index, sq)
        gm = "above" if ranked > 0 else "below"
        issues = "below" if valued < 0 else "above"
        out.append(
            f"{actor}: the graph model ranks this state {gm} the status quo{statement}; its "
            f"issue stances value the package {issues} it ({_issue_reason(ev, c, actor, u, r, crossed, bargaining)})"
        )
    return out


def _deciding_statement(ev: Evidence, actor: str, index: int, sq: int) -> str:
    """The most important statement that holds in one of the two states only."""
    from detente.model.expressions import evaluate

    prefs = ev.case.preferences.get(actor)
    if prefs is None or prefs.statements is None:
        return " (by its explicit ranking)"
    model = ev.conflict.model
    here, there = _options_of(model, index), _options_of(model, sq)
    for k, statement in enumerate(prefs.statements):
        holds_here = bool(evaluate(statement.parsed, here))
        if holds_here != bool(evaluate(statement.parsed, there)):
            where = "here, not at the status quo" if holds_here else "at the status quo, not here"
            return f" (statement {k + 1}, {statement.expr!r}, holds {where})"
    return ""


def _issue_reason(
    ev: Evidence,
    c: Candidate,
    actor: str,
    u: float,
    r: float,
    crossed: bool,
    bargaining: dict[str, Any],
) -> str:
    if crossed:
        lines = bargaining["red_lines"][actor]
        return "it crosses its red line on " + ", ".join(
            str(x.get("issue", x)) if isinstance(x, dict) else str(x) for x in lines
        )
    assert c.levels is not None
    sq = status_quo_levels(ev.case)
    moves = []
    for issue in ev.case.issues:
        stance = issue.positions.get(actor)
        if stance is None:
            continue
        span = issue.scale[1] - issue.scale[0]
        change = (
            stance.salience
            * (abs(sq[issue.id] - stance.position) - abs(c.levels[issue.id] - stance.position))
            / span
        )
        if (change > TOL) if u > r else (change < -TOL):
            moves.append((change, issue.id, stance))
    moves.sort(key=lambda m: m[0], reverse=u > r)
    named = ", ".join(
        f"{i} (position {s.position:g}, salience {s.salience:g})" for _, i, s in moves[:2]
    )
    verb = "gained" if u > r else "lost"
    if not named:
        return f"utility {u:.2f} against its reservation value {r:.2f}"
    return f"utility {u:.2f} against {r:.2f}, {verb} mostly on {named}"
