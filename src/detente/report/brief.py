"""The case in brief: a plain, JSON-ready account of a case that every renderer shares."""

from __future__ import annotations

from typing import Any

from detente.model import Case

__all__ = ["case_brief"]


def _option_text(case: Case, option_id: str, taken: bool) -> str:
    option = case.option(option_id)
    return option.label if taken else f"not: {option.label}"


def case_brief(case: Case) -> dict[str, Any]:
    """Everything a reader needs to follow the analysis of ``case``, as plain data.

    The result holds only JSON types. Renderers (terminal, Markdown, HTML) format
    it; the ``--format json`` output of ``detente show`` is exactly this.
    """
    scenario = None
    if case.scenario_id is not None:
        s = next(s for s in case.scenarios if s.id == case.scenario_id)
        scenario = {"id": s.id, "name": s.name, "description": s.description, "date": s.date}
    taken = set(case.status_quo)
    actor_names = {a.id: a.name for a in case.actors}
    return {
        "id": case.id,
        "title": case.title,
        "description": case.description,
        "scenario": scenario,
        "scenarios": [{"id": s.id, "name": s.name} for s in case.scenarios],
        "default_scenario": case.default_scenario,
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "capability": a.capability,
                "options": [o.id for o in case.options if o.controller == a.id],
            }
            for a in case.actors
        ],
        "options": [
            {
                "id": o.id,
                "label": o.label,
                "controller": o.controller,
                "controller_name": actor_names[o.controller],
                "irreversible": o.irreversible,
                "status_quo": o.id in taken,
                "effects": [_effect_text(issue, e) for issue, e in o.effects.items()],
            }
            for o in case.options
        ],
        "constraints": [{"rule": _constraint_text(c), "note": c.note} for c in case.constraints],
        "preferences": {
            actor_id: (
                {"statements": [s.expr for s in p.statements]}
                if p.statements is not None
                else {
                    "ranking": [list(g) if not isinstance(g, str) else g for g in p.ranking or ()]
                }
            )
            for actor_id, p in case.preferences.items()
        },
        "issues": [
            {
                "id": i.id,
                "name": i.name,
                "low": i.low,
                "high": i.high,
                "scale": list(i.scale),
                "status_quo": i.status_quo,
                "positions": {
                    actor_id: {
                        "position": s.position,
                        "salience": s.salience,
                        "label": _level_name(i, s.position),
                        **({"red_line": s.red_line.describe()} if s.red_line else {}),
                    }
                    for actor_id, s in i.positions.items()
                },
            }
            for i in case.issues
        ],
        "proposals": [
            {
                "id": p.id,
                "name": p.name,
                "proposed_by": list(p.proposed_by),
                "description": p.description,
                "options": [_option_text(case, o, v) for o, v in p.options.items()],
                "positions": dict(p.positions),
                "implied": _implied_levels(case, p),
            }
            for p in case.proposals
        ],
        "forums": [
            {
                "id": f.id,
                "name": f.name,
                "members": list(f.members),
                "required": list(f.required),
                "rules": [{"actor": r.actor, "attends_if": r.attends_if} for r in f.rules],
                "agenda": list(f.agenda) if f.agenda is not None else [i.id for i in case.issues],
            }
            for f in case.forums
        ],
        "timeline": [
            {"date": e.date, "event": e.event, "actors": list(e.actors)} for e in case.timeline
        ],
        "sources": len(case.sources),
    }


def _implied_levels(case: Case, proposal) -> dict[str, float]:
    """The issue levels a proposal's options imply beyond the levels it names (what
    every engine judges it on, in a linked case), where they differ from the status quo."""
    from detente.model.links import is_linked, proposal_package, status_quo_levels

    if not is_linked(case) or not proposal.options:
        return {}
    levels = proposal_package(case, proposal).levels
    now = status_quo_levels(case)
    return {
        i: v for i, v in levels.items() if i not in proposal.positions and abs(v - now[i]) > 1e-9
    }


def _effect_text(issue_id: str, effect) -> str:
    """'sanctions_relief at least 50 (at most 25 if not taken)'."""
    if not effect.binds and effect.if_not_taken is not None:
        return f"{issue_id} {effect.if_not_taken.describe()} if not taken"
    text = f"{issue_id} {effect.describe()}"
    if effect.if_not_taken is not None:
        text += f" ({effect.if_not_taken.describe()} if not taken)"
    return text


def _level_name(issue, position: float) -> str:
    """A position as the reader should see it: the level's name on a categorical issue."""
    names = getattr(issue, "level_names", None)
    if names and issue.levels and position in issue.levels:
        return str(names[list(issue.levels).index(position)])
    return f"{position:g}"


def _constraint_text(constraint) -> str:
    if constraint.infeasible is not None:
        return f"never: {constraint.infeasible}"
    if constraint.require is not None:
        return f"always: {constraint.require}"
    if constraint.exclusive is not None:
        return f"at most one of: {', '.join(constraint.exclusive)}"
    return f"at least one of: {', '.join(constraint.at_least_one or ())}"
