"""The way out: phased paths from the status quo to an agreement the parties would keep.

A path is a short sequence of steps, each a package (a graph-model state and its issue
levels; :mod:`detente.model.links`) that

1. is stable for every party under the chosen concept (SEQ by default: Fang, Hipel &
   Kilgour 1993), so nobody would leave it once there;
2. is acceptable to every participant of a forum that hosts it (no participant below
   its reservation value or across a red line, and the forum's agenda covers what
   the step changes, and the state keeps the forum's participation rules), so it can
   be agreed somewhere; the hosting forum is the one needing the fewest changes, and
   where no forum of the case meets, every party sits at one table;
3. is reached from the step before by unilateral improvements, or by coalitions'
   joint improvements (Kilgour, Hipel, Fang & Peng 2001; Inohara & Hipel 2008), so
   the parties would make the moves themselves;

and whose last step leaves at least one party better off than the status quo. The
steps are the verdicts' packages (:mod:`detente.analysis.verdicts`): the proposals,
the equilibria nearest the status quo and the bargaining solutions.

Where a step fails a condition, the path says what would have to change and who
would have to change it: the fewest shifts of a party's priorities that make the
state stable for it (:func:`detente.gmcr.margins.stabilizing_edit`), the stance or
red line a rejecting party would have to move, or the forum that would have to put an
issue on its agenda. The changes of a path are then applied together and the path is
checked again in the graph model (every step stable, every step reachable from the
one before); a path whose changes do not hold together is dropped.

Paths are ranked by the number of changes they need, then by how many parties gain
at the end, then by how many options a path takes and withdraws again on the way
(such moves are told in the story), then by how many steps need a coalition's joint
move, then by length: the
first path is the smallest change that opens a way out, which is the question the
analyst asks of a deadlock. Each final package appears once, with its best path.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from detente.analysis.verdicts import (
    Evidence,
    Verdict,
    gather_evidence,
    judge,
    meets_entry_terms,
)
from detente.model import Case
from detente.model.links import status_quo_levels

__all__ = ["Change", "PathStep", "WayOut", "WayOutPath", "way_out"]

MAX_PATHS = 5
MAX_CHECKS = 40
STRICTER = {"gmr": ("seq", "nash"), "seq": ("nash",), "nash": ()}
"""Concepts each concept follows from (Nash => SEQ => GMR: Fang, Hipel & Kilgour 1993)."""
TOL = 1e-9


@dataclass(frozen=True)
class Change:
    """What one party (or the forum) would have to change for a step to hold."""

    actor: str | None
    kind: str  # priorities | stance | red_line | forum
    text: str
    detail: dict[str, Any] = field(default_factory=dict)
    size: int = 1  # how many things change: statements moved, red lines and positions moved

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "kind": self.kind,
            "text": self.text,
            "size": self.size,
            **self.detail,
        }


def _size(changes: list[Change]) -> int:
    return sum(c.size for c in changes)


@dataclass(frozen=True)
class PathStep:
    """One step of a path, with the evidence for each condition."""

    verdict: Verdict
    forum: str | None
    reach: str  # alone | with coalitions | after the changes
    moves: tuple[dict[str, Any], ...]
    changes: tuple[Change, ...]

    def to_dict(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "package": v.id,
            "name": v.name,
            "label": v.label,
            "state": v.state,
            "options": v.options,
            "levels": v.levels,
            "forum": self.forum,
            "reachable": self.reach,
            "moves": list(self.moves),
            "stability": v.graph_model["stable_for"] if v.graph_model else None,
            "accepted_by": v.bargaining["accepted_by"] if v.bargaining else None,
            "blocked_by": v.bargaining["blocked_by"] if v.bargaining else None,
            "forecast": v.forecast,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True)
class WayOutPath:
    steps: tuple[PathStep, ...]
    gains: tuple[str, ...]
    changes: tuple[Change, ...]
    story: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": [s.to_dict() for s in self.steps],
            "gains": list(self.gains),
            "changes": [c.to_dict() for c in self.changes],
            "n_changes": _size(list(self.changes)),
            "story": list(self.story),
        }


@dataclass(frozen=True)
class WayOut:
    """Ranked phased paths out of the deadlock, with the verdict on every package."""

    case_id: str
    scenario: str | None
    concept: str
    paths: tuple[WayOutPath, ...]
    verdicts: tuple[Verdict, ...]
    coalitions: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "scenario": self.scenario,
            "method": "phased paths of stable, acceptable, reachable packages (detente)",
            "concept": self.concept,
            "coalitions": [list(c) for c in self.coalitions],
            "paths": [p.to_dict() for p in self.paths],
            "verdicts": [v.to_dict() for v in self.verdicts],
            "notes": list(self.notes),
        }


def way_out(
    case: Case,
    *,
    concept: str = "seq",
    coalitions: list[list[str]] | None = None,
    max_paths: int = MAX_PATHS,
    conflict: Any = None,
    forecasts: Any = None,
    bargaining: Any = None,
) -> WayOut:
    """The best phased paths from the status quo of ``case`` to an agreement.

    Parameters
    ----------
    case : Case
        A case with both halves: options with preferences, and issues with stances.
    concept : {"seq", "gmr", "nash"}
        The stability every step must have for every party.
    coalitions : list of lists of actor ids, optional
        Coalitions whose joint improvements may move the conflict; default the
        case's, or every pair of parties.
    max_paths : int
        How many paths to return.
    conflict, forecasts, bargaining
        The case's engine results, when already computed with their defaults
        (:func:`detente.analysis.analyze` passes them).

    Examples
    --------
    >>> import detente
    >>> from detente.analysis.wayout import way_out
    >>> result = way_out(detente.load("korea"))
    >>> result.concept
    'seq'
    """
    from detente.gmcr.margins import SUPPORTED_CONCEPTS

    if concept not in SUPPORTED_CONCEPTS:
        raise ValueError(
            f"the way out checks steps under {', '.join(SUPPORTED_CONCEPTS)}, not {concept!r}"
        )
    ev, candidates = gather_evidence(
        case,
        concept=concept,
        coalitions=coalitions,
        conflict=conflict,
        forecasts=forecasts,
        bargaining=bargaining,
    )
    verdicts = tuple(judge(ev, candidates))
    notes = list(ev.notes)
    result = WayOut(
        case.id, case.scenario_id, concept, (), verdicts, tuple(ev.coalitions), tuple(notes)
    )
    if ev.conflict is None or ev.bargaining is None or not ev.linked:
        missing = []
        if ev.conflict is None:
            missing.append("options with each party's preferences (the graph model)")
        if ev.bargaining is None:
            missing.append("issues with stances and status quo levels (bargaining)")
        if ev.conflict is not None and ev.bargaining is not None:
            missing.append("options linked to the issues ('effects'), so that a state is a package")
        notes.append("the way out needs " + " and ".join(missing))
        return dataclasses.replace(result, notes=tuple(notes))
    paths = _search(ev, verdicts, max_paths)
    if not paths:
        notes.append(
            "no path found among the packages judged (proposals, the equilibria nearest the "
            "status quo, the bargaining solutions and forums' best packages): none is stable, "
            "acceptable and reachable with the changes the search proposes (single shifts of "
            "a party's priorities, and pairs from the most promising; parties with explicit "
            "rankings or misperceptions are not reordered)"
        )
    return dataclasses.replace(result, paths=tuple(paths), notes=tuple(notes))


# -- the search ------------------------------------------------------------------------


def _steps(ev: Evidence, verdicts: tuple[Verdict, ...]) -> list[Verdict]:
    """One verdict per state other than the status quo, with a package and a state."""
    sq = ev.conflict.model.status_quo
    seen: set[int] = set()
    out = []
    for v in verdicts:
        if v.state is None or v.levels is None or v.state - 1 == sq or v.state in seen:
            continue
        if v.bargaining is None or v.graph_model is None:
            continue
        seen.add(v.state)
        out.append(v)
    return out


def _search(ev: Evidence, verdicts: tuple[Verdict, ...], max_paths: int) -> list[WayOutPath]:
    steps = _steps(ev, verdicts)
    needs = {v.id: _needs(ev, v) for v in steps}
    hosts = {v.id: (_table(ev, v)[0] or {}).get("id") for v in steps}
    gains = {v.id: _gains(v, needs[v.id]) for v in steps}
    candidates: list[tuple[tuple, tuple[Verdict, ...]]] = []
    for length in (1, 2, 3):
        for seq in itertools.permutations(steps, length):
            if not gains[seq[-1].id]:
                continue
            if length == 3 and any(needs[v.id] for v in seq[:2]):
                continue  # long paths only through steps that already hold
            changes = _union(c for v in seq for c in needs[v.id])
            if changes is None:
                continue  # one party would need two different reorderings
            key = (_size(changes), -len(gains[seq[-1].id]), length)
            candidates.append((key, seq))
    candidates.sort(key=lambda x: x[0])
    checker = _Checker(ev)
    needs_by = {ev.concept: needs}
    best: dict[str, tuple[tuple, WayOutPath]] = {}  # final package -> its best path
    checked = 0
    for key, seq in candidates:
        if checked >= MAX_CHECKS:
            break
        if len(best) >= max_paths and key[0] > max(k[0] for k, _ in best.values()):
            break  # every later candidate needs more changes than the paths kept
        known = best.get(seq[-1].id)
        if known is not None and known[0][:2] < key[:2]:
            continue  # this final package already has a path needing fewer changes
        # The smallest shifts of priority that make a state stable under the concept may
        # leave a party no reason to move there; the shifts for a stricter concept (which
        # imply it) are tried next.
        reaches = None
        for concept in (ev.concept, *STRICTER[ev.concept]):
            if concept not in needs_by:
                needs_by[concept] = {v.id: _needs(ev, v, concept) for v in steps}
            step_needs = needs_by[concept]
            changes = _union(c for v in seq for c in step_needs[v.id])
            if changes is None:
                continue
            checked += 1
            reaches = checker.check(seq, changes)
            if reaches is not None:
                break
        if reaches is None or changes is None:
            continue
        path_steps = tuple(
            PathStep(
                verdict=v,
                forum=hosts[v.id],
                reach=reach,
                moves=moves,
                changes=tuple(step_needs[v.id]),
            )
            for v, (reach, moves) in zip(seq, reaches, strict=True)
        )
        # Ties go to paths the parties walk alone, then to shorter ones.
        joint = sum(step.reach.startswith("with coalitions") for step in path_steps)
        reversed_ = len(_reversals(path_steps, {}))
        full = (
            _size(changes),
            -len(_path_gains(gains[seq[-1].id], changes)),
            reversed_,
            joint,
            key[2],
        )
        if known is None or full < known[0]:
            best[seq[-1].id] = (
                full,
                WayOutPath(
                    steps=path_steps,
                    gains=tuple(_path_gains(gains[seq[-1].id], changes)),
                    changes=tuple(changes),
                    story=tuple(_story(ev, path_steps)),
                ),
            )
    return [path for _, path in sorted(best.values(), key=lambda x: x[0])][:max_paths]


def _union(changes) -> list[Change] | None:
    out: list[Change] = []
    edits: dict[str, tuple] = {}
    for c in changes:
        if c.kind == "priorities":
            order = tuple(c.detail["statements"])
            if edits.setdefault(c.actor or "", order) != order:
                return None
        if c not in out:
            out.append(c)
    return out


def _path_gains(final: list[str], changes: list[Change]) -> list[str]:
    """The parties better off at the end that did not have to move a stance or a red
    line at any step of the path."""
    moved = {c.actor for c in changes if c.kind in ("stance", "red_line")}
    return [a for a in final if a not in moved]


def _gains(v: Verdict, needs: list[Change]) -> list[str]:
    """Parties strictly better off than at the status quo, once the step holds."""
    assert v.bargaining is not None
    moved = {c.actor for c in needs if c.kind in ("stance", "red_line")}
    return [a for a in v.bargaining["gains"] if a not in moved]


def _table(ev: Evidence, v: Verdict) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """The forum that would host ``v`` with the fewest changes: ``(forum, participants
    who reject the package, issues it changes that are off the forum's agenda)``; with
    no forum that can meet, every party at one table (forum None)."""
    assert v.levels is not None and v.bargaining is not None and ev.bargaining is not None
    sq = status_quo_levels(ev.case)
    changed = {i for i, x in v.levels.items() if abs(x - sq[i]) > TOL}
    best: tuple | None = None
    for f in ev.bargaining["forums"]:
        if len(f["participants"]) < 2 or not meets_entry_terms(ev.case, f, v.options):
            continue
        missing = sorted(changed - set(f["agenda"]))
        rejecting = [a for a in f["participants"] if a not in v.bargaining["accepted_by"]]
        cost = (len(rejecting) + len(missing), len(missing))
        if best is None or cost < best[0]:
            best = (cost, f, rejecting, missing)
    if best is None:
        return None, list(v.bargaining["blocked_by"]), []
    return best[1], best[2], best[3]


def _needs(ev: Evidence, v: Verdict, concept: str | None = None) -> list[Change]:
    """What would have to change for ``v`` to be a step: stability, acceptance, forum."""
    from detente.gmcr.margins import stabilizing_edit

    out: list[Change] = []
    model = ev.conflict.model
    assert v.graph_model is not None and v.bargaining is not None and v.state is not None
    from detente.report.text import definite

    for actor in v.graph_model["unstable_for"][concept or ev.concept]:
        prefs = ev.case.preferences.get(actor)
        name = definite(ev.case.actor(actor).name)
        edit = None
        if prefs is not None and prefs.statements is not None and model.perceived is None:
            edit = stabilizing_edit(
                model,
                actor,
                [s.expr for s in prefs.statements],
                v.state - 1,
                concept=concept or ev.concept,
                graphs=ev.reach_alone.graphs if ev.reach_alone is not None else None,
            )
        elif prefs is None or prefs.statements is None:
            out.append(_unsearched(name, actor, "its preferences are an explicit ranking"))
            continue
        else:
            out.append(_unsearched(name, actor, "the case has misperceptions"))
            continue
        if edit is None:
            out.append(
                Change(
                    actor,
                    "priorities",
                    f"{name} would leave this state under any ordering within two shifts of its "
                    "priorities",
                    {"statements": ["<none found>"], "unreachable": True},
                )
            )
            continue
        out.append(
            Change(
                actor,
                "priorities",
                "; ".join(edit.describe(name))
                + (
                    f" (a shift that makes the state {concept.upper()}-stable, so that the "
                    "parties also move there)"
                    if concept and concept != ev.concept
                    else ""
                ),
                {"statements": list(edit.statements), "edits": edit.to_dict()["edits"]},
                size=max(len(edit.edits), 1),
            )
        )
    forum, rejecting, missing = _table(ev, v)
    for actor in rejecting:
        out.append(_acceptance_change(ev, v, actor))
    if forum is not None and missing:
        out.append(
            Change(
                None,
                "forum",
                f"{forum['name']} would have to put {', '.join(missing)} on its agenda",
                {"forum": forum["id"], "agenda_missing": missing},
            )
        )
    return out


def _unsearched(name: str, actor: str, why: str) -> Change:
    """A change of priorities that the search cannot propose (the path is dropped)."""
    return Change(
        actor,
        "priorities",
        f"{name} would have to rank this state higher; no reordering is searched because {why}",
        {"statements": ["<none found>"], "unreachable": True},
    )


def _acceptance_change(ev: Evidence, v: Verdict, actor: str) -> Change:
    """What a party that rejects ``v`` would have to change: the red lines the package
    crosses, and its stance where it would still prefer the status quo without them."""
    from detente.report.text import definite

    assert v.bargaining is not None and v.levels is not None
    name = definite(ev.case.actor(actor).name)
    parts: list[str] = []
    detail: dict[str, Any] = {}
    kind = "stance"
    for line in v.bargaining["red_lines"].get(actor) or []:
        issue = line["issue"] if isinstance(line, dict) else str(line)
        level = v.levels.get(issue)
        kind = "red_line"
        parts.append(
            f"move its red line on {issue} to allow {level:g}"
            if level is not None
            else f"move its red line on {issue}"
        )
        detail.setdefault("red_lines", []).append({"issue": issue, "level": level})
    u, r = v.bargaining["utilities"][actor], v.bargaining["reservation"][actor]
    if u <= r + TOL:
        shift = _position_shift(ev, v.levels, actor)
        if shift is not None:
            issue, old, new = shift
            parts.append(f"move its position on {issue} from {old:g} to {new:g}")
            detail.update({"issue": issue, "from": old, "to": new})
        else:
            parts.append(
                f"value the package above the status quo (utility {u:.2f}, reservation {r:.2f})"
            )
    ending = " to prefer the package to the status quo" if u <= r + TOL else ""
    # Moving a red line (what a party said it never accepts) counts twice.
    return Change(
        actor,
        kind,
        f"{name} would have to {' and '.join(parts)}{ending}",
        detail,
        size=len(parts) + len(detail.get("red_lines", [])),
    )


def _position_shift(ev: Evidence, levels: dict[str, float], actor: str) -> tuple | None:
    """The smallest move of one of ``actor``'s positions (whole points, towards the
    package) after which it prefers the package to its reservation value.

    Moving the position on issue j changes only that issue's term of the additive
    utility, in the package and in the reservation's alternative alike."""
    case = ev.case
    party = case.actor(actor)
    ref = status_quo_levels(case)
    ref.update(party.best_alternative or {})
    best = None
    for issue in case.issues:
        stance = issue.positions.get(actor)
        if stance is None or stance.values is not None:
            continue
        span = issue.scale[1] - issue.scale[0]
        others = [i for i in case.issues if i.id != issue.id and actor in i.positions]
        weight = stance.salience + sum(i.positions[actor].salience for i in others)
        rest_u = sum(
            i.positions[actor].salience
            * (1 - abs(levels[i.id] - i.positions[actor].position) / (i.scale[1] - i.scale[0]))
            for i in others
            if i.positions[actor].values is None
        )
        if any(i.positions[actor].values is not None for i in others):
            continue  # value tables: no closed form here
        rest_r = sum(
            i.positions[actor].salience
            * (1 - abs(ref[i.id] - i.positions[actor].position) / (i.scale[1] - i.scale[0]))
            for i in others
        )
        target = levels[issue.id]
        step = 1.0 if target > stance.position else -1.0
        p = stance.position
        for _ in range(int(abs(target - stance.position)) + 1):
            p = p + step if abs(target - p) >= 1 else target
            u = (rest_u + stance.salience * (1 - abs(target - p) / span)) / weight
            r = (
                party.reservation_value
                if party.reservation_value is not None
                else (rest_r + stance.salience * (1 - abs(ref[issue.id] - p) / span)) / weight
            )
            if u > r + TOL:
                move = abs(p - stance.position) / span
                if best is None or move < best[0]:
                    best = (move, issue.id, stance.position, p)
                break
    return best[1:] if best else None


class _Checker:
    """Apply a path's changes of priorities together and check every step again."""

    def __init__(self, ev: Evidence) -> None:
        self.ev = ev
        self._models: dict[tuple, _Edited | None] = {}
        self._reached_before: dict[tuple[int, int], bool] = {}

    def _edited(self, changes: list[Change]) -> _Edited | None:
        from detente.gmcr.preferences import payoff_from_statements
        from detente.model.expressions import parse

        key = tuple(
            sorted(
                (c.actor or "", tuple(c.detail["statements"]))
                for c in changes
                if c.kind == "priorities"
            )
        )
        if key not in self._models:
            model = self.ev.conflict.model
            if any(statements == ("<none found>",) for _, statements in key):
                self._models[key] = None
            elif not key:
                self._models[key] = _Edited(self.ev, model, frozenset())
            else:
                payoff = model.payoff.copy()
                for actor, statements in key:
                    payoff[model.actor_index(actor)] = payoff_from_statements(
                        [parse(s) for s in statements], states=model.states, options=model.options
                    )
                edited = dataclasses.replace(model, payoff=payoff)
                actors = frozenset(model.actor_index(actor) for actor, _ in key)
                self._models[key] = _Edited(self.ev, edited, actors)
        return self._models[key]

    def _reached_as_stated(self, here: int, there: int) -> bool:
        """``there`` is reached from ``here`` with the preferences as the case states them."""
        if (here, there) not in self._reached_before:
            joint = self.ev.reach_joint
            self._reached_before[here, there] = self.ev.reach_alone.path(
                here, there
            ) is not None or (joint is not None and joint.path(here, there) is not None)
        return self._reached_before[here, there]

    def check(
        self, seq: tuple[Verdict, ...], changes: list[Change]
    ) -> list[tuple[str, tuple[dict[str, Any], ...]]] | None:
        edited = self._edited(changes)
        if edited is None:
            return None
        out = []
        here = self.ev.conflict.model.status_quo
        for v in seq:
            assert v.state is not None
            there = v.state - 1
            if not edited.stable(there):
                return None
            steps = edited.alone().path(here, there)
            how = "alone"
            if steps is None and edited.joint() is not None:
                steps = edited.joint().path(here, there)
                how = "with coalitions"
            if steps is None:
                return None
            if edited.actors and not self._reached_as_stated(here, there):
                how = f"{how}, after the changes"
            out.append((how, tuple(s.to_dict() for s in steps)))
            here = there
        return out


class _Edited:
    """The model with some parties' priorities changed: each party's stability under the
    concept and where improvements lead, each computed when a step first needs it."""

    def __init__(self, ev: Evidence, model: Any, actors: frozenset[int]) -> None:
        self.ev, self.model, self.actors = ev, model, actors
        self._stable: dict[int, Any] = {}
        self._alone = ev.reach_alone if not actors else None
        self._joint = ev.reach_joint if not actors else None
        self._joint_built = not actors

    def stable(self, state: int) -> bool:
        """The state is stable for every party under the concept."""
        return all(self._row(k)[state] for k in range(self.model.n_actors))

    def _row(self, k: int) -> Any:
        if k not in self._stable:
            from detente.gmcr.stability import stabilities

            concept = self.ev.concept
            base = self.ev.conflict.stability.stable[concept]
            # Nash, GMR and SMR stability of a party depends on its own preferences only; its
            # SEQ stability also on the others' improvements (its sanctions), so with any
            # change every party is analysed again (each when a step first needs it).
            if not self.actors or (concept != "seq" and k not in self.actors):
                self._stable[k] = base[k]
            else:
                graphs = self.alone().graphs  # the changed model's, shared where unchanged
                self._stable[k] = stabilities(
                    self.model, concepts=(concept,), actors=[k], graphs=graphs
                ).stable[concept][k]
        return self._stable[k]

    def alone(self) -> Any:
        """Where the parties' unilateral improvements lead."""
        if self._alone is None:
            self._alone = self.ev.reach_alone.repriced(self.model)
        return self._alone

    def joint(self) -> Any:
        """Where improvements lead with the coalitions' joint ones; None without coalitions
        (the coalitions' joint moves, which preferences do not change, are the case's)."""
        if not self._joint_built:
            if self.ev.reach_joint is not None:
                self._joint = self.ev.reach_joint.repriced(self.model)
            self._joint_built = True
        return self._joint


# -- the story -------------------------------------------------------------------------


def _and(names: Iterable[str]) -> str:
    """``a, b and c``."""
    told = list(names)
    return ", ".join(told[:-1]) + " and " + told[-1] if len(told) > 1 else "".join(told)


def _story(ev: Evidence, steps: tuple[PathStep, ...]) -> list[str]:
    from detente.report.text import definite

    names = {a.id: definite(a.name) for a in ev.case.actors}
    forums = {f.id: f.name for f in ev.case.forums}
    out = []
    for k, step in enumerate(steps, 1):
        v = step.verdict
        movers = _movers(step.moves, names)
        where = f" at the {forums.get(step.forum, step.forum)}" if step.forum else ""
        how = f"reached by {movers} ({step.reach})" if movers else f"reached {step.reach}"
        state = "" if v.kind == "equilibrium" else f" (state {v.state})"
        line = f"Step {k}: {v.name}{state}{where}, {how}."
        if step.moves:
            line += " Moves: " + _moves_text(step.moves, names) + "."
        if v.levels is not None:
            sq = status_quo_levels(ev.case)
            moved = [f"{i} {x:g}" for i, x in v.levels.items() if abs(x - sq[i]) > TOL]
            line += f" On the issues: {', '.join(moved) or 'as now'}."
        assert v.graph_model is not None and v.bargaining is not None
        stable = v.graph_model["stable_for"][ev.concept]
        if len(stable) == len(ev.conflict.model.actors):
            line += f" Stable for all under {ev.concept.upper()}."
        else:
            line += (
                f" Stable under {ev.concept.upper()} for "
                f"{_and(names.get(a, a) for a in stable) or 'nobody'} as preferences stand."
            )
        accepted = v.bargaining["accepted_by"]
        if accepted and len(accepted) == len(ev.case.actors):
            line += " Accepted by every party."
        else:
            line += f" Accepted by {_and(names.get(a, a) for a in accepted) or 'nobody'}."
        if v.forecast and v.forecast["issues"]:
            line += (
                f" The {_MODEL_WORDS.get(v.forecast['model'], v.forecast['model'])}'s rounds "
                "head towards it on "
                f"{v.forecast['towards']} of {len(v.forecast['issues'])} issues it changes."
            )
        out.append(line)
        for change in step.changes:
            out.append(f"  needs: {change.text}")
    for text in _reversals(steps, names):
        out.append(f"  note: {text}")
    return out


def _moves_text(moves: tuple[dict[str, Any], ...], names: dict[str, str]) -> str:
    """'North Korea takes test_moratorium, then United States drops partial_relief'."""
    parts = []
    for m in moves:
        what = ", ".join(
            f"{'takes' if taken else 'drops'} {option}" for option, taken in m["changed"].items()
        )
        together = (
            f" (with {', '.join(names.get(a, a) for a in m['coalition'] if a != m['actor'])})"
            if m.get("coalition")
            else ""
        )
        parts.append(f"{names.get(m['actor'], m['actor'])} {what}{together}")
    return ", then ".join(parts)


def _reversals(steps: tuple[PathStep, ...], names: dict[str, str]) -> list[str]:
    """Options a path takes and then drops again (or drops and takes back)."""
    first: dict[str, tuple[str, bool]] = {}
    out = []
    for step in steps:
        for m in step.moves:
            for option, taken in m["changed"].items():
                if option in first and first[option][1] != taken:
                    who = names.get(m["actor"], m["actor"])
                    did = "takes back" if taken else "withdraws"
                    out.append(
                        f"{who} {did} {option} on the way, which "
                        f"{names.get(first[option][0], first[option][0])} had "
                        f"{'taken' if first[option][1] else 'dropped'} earlier in this path"
                    )
                first.setdefault(option, (m["actor"], taken))
    return out


def _movers(moves: tuple[dict[str, Any], ...], names: dict[str, str]) -> str:
    seen: list[str] = []
    for m in moves:
        group = m.get("coalition") or [m["actor"]]
        who = " with ".join(names.get(a, a) for a in group)
        if who not in seen:
            seen.append(who)
    return ", then ".join(seen)


_MODEL_WORDS = {"eum": "expected utility model", "smp": "spatial model"}
