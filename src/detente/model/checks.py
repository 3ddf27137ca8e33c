"""Cross-reference checks of a whole case, each problem reported with its location.

Pydantic checks each field alone (types, ranges, grammar); this module checks what
needs the whole case: unique ids, references that resolve, expressions naming
known ids, positions inside their scale, level names and value tables that match
an issue's levels, a feasible status quo, constraints that
leave some feasible state, preference statements that can be satisfied, rankings
that list every feasible state once, and every scenario.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from detente.errors import Problem
from detente.model.expressions import Expr, evaluate, names, parse, suggest

if TYPE_CHECKING:
    from detente.model.case import Case

__all__ = [
    "MAX_ENUMERATED_OPTIONS",
    "case_problems",
    "expand_ranking",
    "feasible_mask",
    "history_and_concept_problems",
    "perception_problems",
    "ranking_codes",
    "scenario_view_problems",
    "size_problems",
]

MAX_ENUMERATED_OPTIONS = 22
"""Above this many options, checks that enumerate states look only at the options involved."""


def _unknown(kind: str, name: str, known: Iterable[str], path: tuple) -> Problem:
    known = list(dict.fromkeys(known))
    hint = suggest(name, known)
    message = f"unknown {kind} {name!r}"
    message += f"; did you mean {hint!r}?" if hint else f" (known: {', '.join(known) or 'none'})"
    return Problem(message, path=path, expected=f"a known {kind} id", got=repr(name))


def _check_refs(
    problems: list[Problem], ids: Iterable[str], known: Iterable[str], kind: str, path: tuple
) -> None:
    known = list(known)
    known_set = set(known)
    for i, name in enumerate(ids):
        if name not in known_set:
            problems.append(_unknown(kind, name, known, (*path, i)))


def _check_expr(problems: list[Problem], text: str, known: dict[str, str], path: tuple) -> None:
    """Every id in an expression must be known; ``known`` maps id -> its kind."""
    for name in sorted(names(parse(text))):
        if name not in known:
            kinds = " or ".join(sorted(set(known.values()))) or "id"
            problems.append(_unknown(kinds, name, known, path))


_SIZED_SECTIONS = {
    "actors": "actors",
    "options": "options",
    "issues": "issues",
    "scenarios": "scenarios",
}


def size_problems(data: object) -> list[Problem]:
    """Sections larger than the limits (:mod:`detente.model.limits`), found in the raw
    data before any field is validated, so that a file of 50,000 actors or an issue of
    100,000 levels is refused at once, and each problem names the limit to change."""
    from detente.model.limits import Limits, limits

    if not isinstance(data, dict):
        return []
    bounds = limits()
    problems: list[Problem] = []

    def over(path: tuple, what: str, count: int, name: str) -> None:
        limit = getattr(bounds, name)
        if count > limit:
            problems.append(
                Problem(
                    f"{what} ({count:,}) is above the limit of {limit:,}"
                    + (
                        f" (set {Limits.variable(name)} to change it)"
                        if name != "options"
                        else " (the graph model's states are 63-bit codes)"
                    ),
                    path=path,
                    expected=f"at most {limit:,}",
                    got=f"{count:,}",
                )
            )

    for key, name in _SIZED_SECTIONS.items():
        section = data.get(key)
        if isinstance(section, list | tuple):
            over((key,), f"the number of {key}", len(section), name)
    for key in ("sources", "constraints", "proposals", "forums", "timeline", "coalitions"):
        section = data.get(key)
        if isinstance(section, list | tuple):
            over((key,), f"the number of {key}", len(section), "items")
    if problems:
        return problems
    issues = data.get("issues")
    for i, issue in enumerate(issues if isinstance(issues, list | tuple) else ()):
        if isinstance(issue, dict):
            for key in ("levels", "level_names"):
                value = issue.get(key)
                if isinstance(value, list | tuple):
                    over(
                        ("issues", i, key),
                        f"the number of {key.replace('_', ' ')}",
                        len(value),
                        "levels",
                    )
    n_options = len(data["options"]) if isinstance(data.get("options"), list | tuple) else 0

    def ranking_size(path: tuple, ranking: object) -> None:
        if not isinstance(ranking, list | tuple):
            return
        most = 2 ** min(n_options, bounds.ranking_options)
        if len(ranking) > most:
            problems.append(
                Problem(
                    f"the ranking has {len(ranking):,} entries, but "
                    + (
                        f"{n_options} options give at most {most:,} states"
                        if n_options <= bounds.ranking_options
                        else f"an explicit ranking needs at most {bounds.ranking_options} options"
                    ),
                    path=path,
                    expected=f"at most {most:,} entries",
                    got=f"{len(ranking):,}",
                )
            )

    def preference_sizes(where: tuple, prefs: object) -> None:
        for actor, pref in prefs.items() if isinstance(prefs, dict) else ():
            if not isinstance(pref, dict):
                continue
            ranking_size((*where, actor, "ranking"), pref.get("ranking"))
            for key in ("statements", "misperceives"):
                value = pref.get(key)
                if isinstance(value, list | tuple):
                    over((*where, actor, key), f"the number of {key}", len(value), "items")
            view = pref.get("perceives")
            if not isinstance(view, dict):
                continue
            base = (*where, actor, "perceives")
            unknown = view.get("unknown_options")
            if isinstance(unknown, list | tuple):
                over(
                    (*base, "unknown_options"),
                    "the number of unknown options",
                    len(unknown),
                    "items",
                )
            beliefs = view.get("preferences")
            if not isinstance(beliefs, dict):
                continue
            if len(beliefs) > bounds.perceptions:
                over(
                    (*base, "preferences"),
                    f"the number of parties {actor} holds beliefs about",
                    len(beliefs),
                    "perceptions",
                )
                continue
            for other, believed in beliefs.items():
                if not isinstance(believed, dict):
                    continue
                ranking_size((*base, "preferences", other, "ranking"), believed.get("ranking"))
                statements = believed.get("statements")
                if isinstance(statements, list | tuple):
                    over(
                        (*base, "preferences", other, "statements"),
                        "the number of statements",
                        len(statements),
                        "items",
                    )

    preference_sizes(("preferences",), data.get("preferences"))
    scenarios = data.get("scenarios")
    for i, scenario in enumerate(scenarios if isinstance(scenarios, list | tuple) else ()):
        if isinstance(scenario, dict):
            preference_sizes(("scenarios", i, "preferences"), scenario.get("preferences"))
    return problems


def feasible_mask(
    constraints: list[Expr], codes: np.ndarray, option_index: dict[str, int]
) -> np.ndarray:
    """True where a state (bit k of its code = option k taken) makes no constraint expression true.

    ``constraints`` are the expressions that hold on infeasible states
    (:attr:`Constraint.infeasible_expr`).
    """
    columns = {oid: (codes >> k) & 1 == 1 for oid, k in option_index.items()}
    ok = np.ones(codes.shape, dtype=bool)
    for expr in constraints:
        ok &= ~np.broadcast_to(np.asarray(evaluate(expr, columns), dtype=bool), codes.shape)
    return ok


def _satisfiable(
    expr: Expr, constraints: list[Expr], limit: int = MAX_ENUMERATED_OPTIONS
) -> bool | None:
    """Whether some assignment makes ``expr`` true and every constraint false.

    Enumerates the ids involved; returns None when there are too many to enumerate.
    A case's scenarios and its warnings ask again about the same statements: the
    answers are kept.
    """
    return _satisfiable_kept(expr, tuple(constraints), limit)


@lru_cache(maxsize=4096)
def _satisfiable_kept(expr: Expr, constraints: tuple[Expr, ...], limit: int) -> bool | None:
    involved = sorted(
        names(expr).union(*(names(c) for c in constraints)) if constraints else names(expr)
    )
    if len(involved) > limit:
        return None
    n = len(involved)
    codes = np.arange(1 << n, dtype=np.int64)
    columns = {name: (codes >> k) & 1 == 1 for k, name in enumerate(involved)}
    ok = np.broadcast_to(np.asarray(evaluate(expr, columns), dtype=bool), codes.shape).copy()
    for c in constraints:
        ok &= ~np.broadcast_to(np.asarray(evaluate(c, columns), dtype=bool), codes.shape)
    return bool(ok.any())


def case_problems(case: Case) -> list[Problem]:
    """Every cross-reference problem of ``case`` (empty when the case is sound)."""
    problems: list[Problem] = []
    actor_ids = [a.id for a in case.actors]
    option_ids = [o.id for o in case.options]
    issue_ids = [i.id for i in case.issues]
    source_ids = [s.id for s in case.sources]
    # The first issue of each id, as a search finds it (duplicates are reported below).
    issue_scale: dict[str, tuple[float, float]] = {}
    for issue in case.issues:
        issue_scale.setdefault(issue.id, issue.scale)

    # Unique ids. Actors and options share one namespace: expressions name both.
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for section in ("actors", "options", "issues", "proposals", "forums", "scenarios", "sources"):
        for i, item in enumerate(getattr(case, section)):
            where: tuple[str | int, ...] = (section, i, "id")
            namespace = "expr" if section in ("actors", "options") else section
            id_key = (namespace, item.id)
            if id_key in seen:
                first = seen[id_key]
                problems.append(
                    Problem(
                        f"duplicate id {item.id!r} (first used at {first[0]}[{first[1]}])",
                        path=where,
                        expected="a unique id",
                        got=repr(item.id),
                    )
                )
            else:
                seen[id_key] = (section, i)

    _check_sources(case, problems, set(source_ids))

    for i, actor in enumerate(case.actors):
        for issue_id, level in (actor.best_alternative or {}).items():
            where = ("actors", i, "best_alternative", issue_id)
            if issue_id not in issue_scale:
                problems.append(_unknown("issue", issue_id, issue_ids, where))
            elif not issue_scale[issue_id][0] <= level <= issue_scale[issue_id][1]:
                problems.append(
                    Problem(f"level {level:g} is outside the issue's scale", path=where)
                )

    for i, option in enumerate(case.options):
        if option.controller not in actor_ids:
            problems.append(
                _unknown("actor", option.controller, actor_ids, ("options", i, "controller"))
            )
        for issue_id, effect in option.effects.items():
            where = ("options", i, "effects", issue_id)
            if issue_id not in issue_scale:
                problems.append(_unknown("issue", issue_id, issue_ids, where))
                continue
            scale = issue_scale[issue_id]
            _check_bound_scale(problems, effect, scale, where)
            if effect.if_not_taken is not None:
                _check_bound_scale(problems, effect.if_not_taken, scale, (*where, "if_not_taken"))

    option_kinds = dict.fromkeys(option_ids, "option")
    for i, constraint in enumerate(case.constraints):
        for key in ("infeasible", "require"):
            text = getattr(constraint, key)
            if text is not None:
                _check_expr(problems, text, option_kinds, ("constraints", i, key))
        for key in ("exclusive", "at_least_one"):
            group = getattr(constraint, key)
            if group is not None:
                _check_refs(problems, group, option_ids, "option", ("constraints", i, key))

    _check_refs(problems, case.status_quo, option_ids, "option", ("status_quo",))
    for k, option_id in enumerate(case.status_quo):
        if option_id in case.status_quo[:k]:
            problems.append(
                Problem(
                    f"option {option_id!r} is listed twice in the status quo",
                    path=("status_quo", k),
                )
            )

    for actor_id, prefs in case.preferences.items():
        if actor_id not in actor_ids:
            problems.append(_unknown("actor", actor_id, actor_ids, ("preferences", actor_id)))
        for k, statement in enumerate(prefs.statements or ()):
            _check_expr(
                problems,
                statement.expr,
                option_kinds,
                ("preferences", actor_id, "statements", k, "expr"),
            )
        for k, text in enumerate(prefs.misperceives):
            _check_expr(problems, text, option_kinds, ("preferences", actor_id, "misperceives", k))

    for i, issue in enumerate(case.issues):
        lo, hi = issue.scale
        for actor_id, stance in issue.positions.items():
            where = ("issues", i, "positions", actor_id)
            if actor_id not in actor_ids:
                problems.append(_unknown("actor", actor_id, actor_ids, where))
            if not lo <= stance.position <= hi:
                problems.append(
                    Problem(
                        f"position {stance.position:g} is outside the issue's scale [{lo:g}, {hi:g}]",
                        path=(*where, "position"),
                        expected=f"a number from {lo:g} to {hi:g}",
                        got=f"{stance.position:g}",
                    )
                )
            if stance.red_line is not None:
                _check_bound_scale(problems, stance.red_line, (lo, hi), (*where, "red_line"))
        for k, level in enumerate(issue.levels or ()):
            if not lo <= level <= hi:
                problems.append(
                    Problem(
                        f"level {level:g} is outside the scale [{lo:g}, {hi:g}]",
                        path=("issues", i, "levels", k),
                    )
                )
        if issue.levels is not None and list(issue.levels) != sorted(set(issue.levels)):
            problems.append(
                Problem("levels must be distinct and increasing", path=("issues", i, "levels"))
            )
        _check_level_tables(problems, issue, ("issues", i))
        if issue.status_quo is not None and not lo <= issue.status_quo <= hi:
            problems.append(
                Problem(
                    f"status quo {issue.status_quo:g} is outside the scale [{lo:g}, {hi:g}]",
                    path=("issues", i, "status_quo"),
                )
            )

    for i, proposal in enumerate(case.proposals):
        _check_refs(
            problems, proposal.proposed_by, actor_ids, "actor", ("proposals", i, "proposed_by")
        )
        for option_id in proposal.options:
            if option_id not in option_ids:
                problems.append(
                    _unknown(
                        "option", option_id, option_ids, ("proposals", i, "options", option_id)
                    )
                )
        for issue_id, level in proposal.positions.items():
            where = ("proposals", i, "positions", issue_id)
            if issue_id not in issue_scale:
                problems.append(_unknown("issue", issue_id, issue_ids, where))
                continue
            lo, hi = issue_scale[issue_id]
            if not lo <= level <= hi:
                problems.append(
                    Problem(
                        f"level {level:g} is outside the issue's scale [{lo:g}, {hi:g}]", path=where
                    )
                )

    expr_kinds = {**option_kinds, **dict.fromkeys(actor_ids, "actor")}
    for i, forum in enumerate(case.forums):
        _check_forum(problems, forum, ("forums", i), actor_ids, issue_ids, expr_kinds)

    for i, coalition in enumerate(case.coalitions):
        _check_refs(problems, coalition, actor_ids, "actor", ("coalitions", i))
        if len(set(coalition)) < 2:
            problems.append(
                Problem("a coalition needs at least two different actors", path=("coalitions", i))
            )

    for i, event in enumerate(case.timeline):
        _check_refs(problems, event.actors, actor_ids, "actor", ("timeline", i, "actors"))

    if problems:
        # Feasibility checks and the scenarios' views need sound references; the
        # scenarios' own references do not, and are reported with these.
        return problems + _scenario_problems(case, apply=False)

    problems.extend(_feasibility_problems(case))
    problems.extend(_link_problems(case))
    # A view of a case sound so far is built from its validated parts (see
    # detente.model.case.apply_scenario); otherwise the merged case is validated whole.
    problems.extend(_scenario_problems(case, sound=not problems))
    problems.extend(history_and_concept_problems(case))
    problems.extend(perception_problems(case))
    return problems


def _check_bound_scale(
    problems: list[Problem], bound, scale: tuple[float, float], where: tuple
) -> None:
    lo, hi = scale
    named: list[tuple[tuple[str | int, ...], float | None]] = [
        (("at_least",), bound.at_least),
        (("at_most",), bound.at_most),
    ]
    named += [(("vetoes", k), v) for k, v in enumerate(getattr(bound, "vetoes", ()))]
    for key, value in named:
        if value is not None and not lo <= value <= hi:
            path = (*where, *key)
            problems.append(
                Problem(
                    f"level {value:g} is outside the issue's scale [{lo:g}, {hi:g}]",
                    path=path,
                    expected=f"a number from {lo:g} to {hi:g}",
                    got=f"{value:g}",
                )
            )


def _link_problems(case: Case) -> list[Problem]:
    """Feasible states whose options bound an issue to no level at all."""
    from detente.model.links import feasible_codes, is_linked, state_levels

    if not is_linked(case):
        return []
    codes = feasible_codes(case)
    if codes is None:
        return []
    levels = state_levels(case, codes)
    problems = []
    for j, issue in enumerate(case.issues):
        bad = np.flatnonzero(np.isnan(levels[:, j]))
        if not bad.size:
            continue
        code = int(codes[bad[0]])
        involved = []
        for k, option in enumerate(case.options):
            effect = option.effects.get(issue.id)
            if effect is None:
                continue
            taken = bool((code >> k) & 1)
            bound = effect if taken else effect.if_not_taken
            if bound is not None and bound.binds:
                involved.append((k, option.id, taken, bound))
        said = "; ".join(
            f"{oid} {'taken' if taken else 'not taken'} puts it {bound.describe()}"
            for _, oid, taken, bound in involved
        )
        first = involved[0][0] if involved else 0
        problems.append(
            Problem(
                f"the option effects leave issue {issue.id!r} no level in {bad.size} feasible "
                f"state(s): {said}",
                path=("options", first, "effects", issue.id),
                expected="bounds that overlap in every feasible state (or a constraint that "
                "rules such states out)",
            )
        )
    return problems


def _key(level: float) -> float | int:
    """A level as a path key: ``2`` rather than ``2.0``, as a YAML file writes it."""
    return int(level) if float(level).is_integer() else level


def _check_level_tables(problems: list[Problem], issue, where: tuple) -> None:
    """Level names and value tables must match the issue's levels, values lie in [0, 1]."""
    levels = list(issue.levels) if issue.levels is not None else None
    if issue.level_names is not None:
        path = (*where, "level_names")
        if levels is None:
            problems.append(
                Problem(
                    "level_names need the issue's levels: give 'levels' too",
                    path=path,
                    expected="levels",
                )
            )
        elif len(issue.level_names) != len(levels):
            problems.append(
                Problem(
                    f"{len(issue.level_names)} level names for {len(levels)} levels",
                    path=path,
                    expected=f"{len(levels)} names, one per level",
                    got=str(len(issue.level_names)),
                )
            )
        elif len(set(issue.level_names)) != len(issue.level_names):
            problems.append(Problem("level names must be distinct", path=path))
    for actor_id, stance in issue.positions.items():
        if stance.values is None:
            continue
        path = (*where, "positions", actor_id, "values")
        if levels is None:
            problems.append(
                Problem(
                    "a value table needs the issue's levels: give the issue 'levels'",
                    path=path,
                    expected="levels on the issue",
                )
            )
            continue
        shown = ", ".join(f"{x:g}" for x in levels)
        covered = set()
        for level, value in stance.values.items():
            hits = [k for k, x in enumerate(levels) if abs(x - level) <= 1e-9]
            if not hits:
                problems.append(
                    Problem(
                        f"{level:g} is not a level of the issue (levels: {shown})",
                        path=(*path, _key(level)),
                        expected="a level of the issue",
                        got=f"{level:g}",
                    )
                )
            covered.update(hits)
            if not 0 <= value <= 1:
                problems.append(
                    Problem(
                        f"value {value:g} of level {level:g} is outside [0, 1]",
                        path=(*path, _key(level)),
                        expected="a value from 0 to 1",
                        got=f"{value:g}",
                    )
                )
        missing = [f"{x:g}" for k, x in enumerate(levels) if k not in covered]
        if missing:
            problems.append(
                Problem(
                    f"the value table gives no value for levels {', '.join(missing)}",
                    path=path,
                    expected="a value for every level",
                )
            )


def _check_forum(problems, forum, where, actor_ids, issue_ids, expr_kinds) -> None:
    _check_refs(problems, forum.members, actor_ids, "actor", (*where, "members"))
    for k, actor_id in enumerate(forum.required):
        if actor_id not in forum.members:
            problems.append(
                Problem(
                    f"required actor {actor_id!r} is not a member of the forum",
                    path=(*where, "required", k),
                )
            )
    for k, rule in enumerate(forum.rules):
        if rule.actor not in actor_ids:
            problems.append(_unknown("actor", rule.actor, actor_ids, (*where, "rules", k, "actor")))
        _check_expr(problems, rule.attends_if, expr_kinds, (*where, "rules", k, "attends_if"))
    if forum.agenda is not None:
        _check_refs(problems, forum.agenda, issue_ids, "issue", (*where, "agenda"))


def _check_sources(case: Case, problems: list[Problem], source_ids: set[str]) -> None:
    def check(item, path: tuple) -> None:
        for k, sid in enumerate(getattr(item, "sources", ()) or ()):
            if sid not in source_ids:
                problems.append(_unknown("source", sid, sorted(source_ids), (*path, "sources", k)))

    for section in (
        "actors",
        "options",
        "constraints",
        "proposals",
        "forums",
        "timeline",
        "scenarios",
    ):
        for i, item in enumerate(getattr(case, section)):
            check(item, (section, i))
    for i, issue in enumerate(case.issues):
        check(issue, ("issues", i))
        for actor_id, stance in issue.positions.items():
            check(stance, ("issues", i, "positions", actor_id))
    for actor_id, prefs in case.preferences.items():
        check(prefs, ("preferences", actor_id))
        for k, statement in enumerate(prefs.statements or ()):
            check(statement, ("preferences", actor_id, "statements", k))
    for i, forum in enumerate(case.forums):
        for k, rule in enumerate(forum.rules):
            check(rule, ("forums", i, "rules", k))


def _feasibility_problems(
    case: Case, *, status_quo: bool = True, actors: Iterable[str] | None = None
) -> list[Problem]:
    """The status quo's feasibility (with ``status_quo``) and the preferences' (of
    ``actors``, by default every actor with preferences)."""
    problems: list[Problem] = []
    if not case.options:
        return problems
    option_index = {o.id: k for k, o in enumerate(case.options)}
    constraints = [c.infeasible_expr for c in case.constraints]

    sq_code = np.array([sum(1 << option_index[o] for o in case.status_quo)], dtype=np.int64)
    if status_quo and not feasible_mask(constraints, sq_code, option_index)[0]:
        if _satisfiable(parse("true"), constraints) is False:
            problems.append(
                Problem(
                    "the constraints leave no feasible state: every combination of options is excluded",
                    path=("constraints",),
                )
            )
            return problems
        broken = [
            i for i, c in enumerate(constraints) if not feasible_mask([c], sq_code, option_index)[0]
        ]
        for i in broken:
            problems.append(
                Problem(
                    f"the status quo ({', '.join(case.status_quo) or 'no option taken'}) is infeasible: "
                    f"it violates constraints[{i}]",
                    path=("status_quo",),
                    expected="a feasible combination of options",
                )
            )

    stated = case.preferences
    if actors is not None:
        stated = {a: stated[a] for a in actors if a in stated}
    for actor_id, prefs in stated.items():
        for k, statement in enumerate(prefs.statements or ()):
            if _satisfiable(statement.parsed, []) is False:
                problems.append(
                    Problem(
                        f"statement {statement.expr!r} is self-contradictory: no state can satisfy it",
                        path=("preferences", actor_id, "statements", k, "expr"),
                    )
                )
        if prefs.ranking is not None:
            problems.extend(_ranking_problems(case, actor_id, prefs.ranking, option_index))
    return problems


def _ranking_problems(
    case: Case, actor_id: str, ranking, option_index: dict[str, int]
) -> list[Problem]:
    from detente.model.limits import limits

    n = len(case.options)
    base = ("preferences", actor_id, "ranking")
    most = limits().ranking_options
    if n > most:
        return [
            Problem(
                f"an explicit ranking needs at most {most} options (it lists every "
                f"feasible state); this case has {n} (set DETENTE_MAX_RANKING_OPTIONS to "
                "change the limit)",
                path=base,
            )
        ]
    codes = np.arange(1 << n, dtype=np.int64)
    feasible = codes[
        feasible_mask([c.infeasible_expr for c in case.constraints], codes, option_index)
    ]
    if _exact_ranking(ranking, n, feasible) is not None:
        return []  # sound, and its groups are not needed here
    return expand_ranking(ranking, n, feasible, path=base)[1]


_WILDCARD_WORK = 50_000_000


def expand_ranking(
    ranking, n_options: int, feasible: np.ndarray, *, path: tuple = ()
) -> tuple[list[list[int]], list[Problem]]:
    """An explicit ranking as tie groups of state codes, and its problems.

    Each entry is a Y/N pattern in option order, or a list of them (a tie). A pattern
    may write ``-`` for an option that does not matter: it stands for every feasible
    state that matches it and that no earlier entry has ranked, so a last entry of
    dashes means "everything else, equally". Every feasible state must end up ranked
    exactly once.
    """
    n = n_options
    feasible = np.asarray(feasible, dtype=np.int64)
    exact = _exact_ranking(ranking, n, feasible)
    if exact is not None:
        return _tie_groups(ranking, exact), []
    patterns = [p for g in ranking for p in ((g,) if isinstance(g, str) else g)]
    wild = sum(1 for p in patterns if isinstance(p, str) and "-" in p)
    if wild * feasible.size > _WILDCARD_WORK:
        return [], [
            Problem(
                f"the ranking has {wild:,} patterns with '-' over {feasible.size:,} feasible "
                f"states, more than detente matches (at most {_WILDCARD_WORK:,} pattern-state "
                "pairs); write fewer patterns with '-'",
                path=path,
            )
        ]
    feasible_set = set(feasible.tolist())
    taken: dict[int, tuple] = {}
    groups: list[list[int]] = []
    problems: list[Problem] = []
    for i, group in enumerate(ranking):
        members = (group,) if isinstance(group, str) else group
        codes: list[int] = []
        in_group: set[int] = set()
        for j, pattern in enumerate(members):
            where = (*path, i) if isinstance(group, str) else (*path, i, j)
            text = pattern.strip().upper()
            if len(text) != n or set(text) - {"Y", "N", "-"}:
                problems.append(
                    Problem(
                        f"state {pattern!r} is not a pattern of {n} letters Y, N or - "
                        "(any) in option order",
                        path=where,
                        expected=f"{n} letters Y, N or -",
                        got=repr(pattern),
                    )
                )
                continue
            must = sum(1 << k for k, ch in enumerate(text) if ch == "Y")
            if "-" not in text:
                if must in taken and must in in_group:
                    continue  # a wildcard of this same tie group has it already
                if must in taken:
                    problems.append(Problem(f"state {text} is ranked twice", path=where))
                elif must not in feasible_set:
                    problems.append(
                        Problem("this state is infeasible and cannot be ranked", path=where)
                    )
                else:
                    taken[must] = where
                    codes.append(must)
                    in_group.add(must)
                continue
            fixed = sum(1 << k for k, ch in enumerate(text) if ch != "-")
            matches = [int(c) for c in feasible[(feasible & fixed) == must] if int(c) not in taken]
            if not matches and set(text) != {"-"}:  # "everything else" may be nothing
                problems.append(
                    Problem(
                        f"{text} matches no feasible state that an earlier entry has not ranked",
                        path=where,
                    )
                )
            for c in matches:
                taken[c] = where
            codes.extend(matches)
            in_group.update(matches)
        if codes:  # a trailing "everything else" may have been empty
            groups.append(codes)
    missing = [int(c) for c in feasible if int(c) not in taken]
    if missing and not problems:
        shown = ", ".join(
            "".join("Y" if c >> k & 1 else "N" for k in range(n)) for c in missing[:5]
        )
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        problems.append(
            Problem(
                f"the ranking leaves out feasible states {shown}{more} "
                "(end it with a pattern of dashes to tie all the rest)",
                path=path,
                expected="every feasible state",
            )
        )
    return groups, problems


def _exact_ranking(ranking, n: int, feasible: np.ndarray) -> np.ndarray | None:
    """The state codes of a ranking that lists every feasible state once, each by a
    pattern of Y and N only (as a gmcr-py save gives it), read as arrays, in the
    ranking's order; None for any other ranking, which :func:`expand_ranking` reads
    pattern by pattern (and where it finds the problems to report)."""
    if not 0 < n <= 62 or not ranking:
        return None
    try:
        texts = np.array(ranking)
    except ValueError:  # ties of several sizes
        texts = np.array(())
    if texts.ndim != 1 or texts.dtype.kind != "U":  # ties
        texts = np.array([p for g in ranking for p in ((g,) if isinstance(g, str) else g)])
    if texts.ndim != 1 or texts.dtype.kind != "U" or texts.size != feasible.size:
        return None
    if texts.dtype.itemsize != 4 * n:
        return None  # some pattern longer than n letters (spaces included)
    # Each letter as its code point; upper case by clearing bit 5 (y -> Y, n -> N).
    letters = texts.view(np.uint32).reshape(-1, n)
    upper = letters & ~np.uint32(0x20)
    yes = upper == ord("Y")
    if not (yes | (upper == ord("N"))).all():
        return None  # a dash, another letter, or a shorter pattern (padded with 0)
    codes = (yes.astype(np.int64) << np.arange(n, dtype=np.int64)).sum(axis=1)
    if not np.array_equal(np.sort(codes), np.sort(feasible)):
        return None  # a state ranked twice, an infeasible one or one left out
    return codes


def _tie_groups(ranking, codes: np.ndarray) -> list[list[int]]:
    """The codes of the ranking's patterns, in order, cut into its tie groups."""
    listed = codes.tolist()
    if len(listed) == len(ranking):
        return [[c] for c in listed]
    groups: list[list[int]] = []
    start = 0
    for group in ranking:
        size = 1 if isinstance(group, str) else len(group)
        if size:
            groups.append(listed[start : start + size])
        start += size
    return groups


def _scenario_problems(case: Case, *, apply: bool = True, sound: bool = False) -> list[Problem]:
    """The scenarios' unknown ids, and (with ``apply``) the problems of each scenario's
    view of the case, for the scenarios whose ids are sound (``sound``: the case itself
    passed every check that a view repeats)."""
    from detente.errors import CaseError
    from detente.model.case import apply_scenario

    problems: list[Problem] = []
    if case.scenario_id is not None:
        return problems
    scenario_ids = [s.id for s in case.scenarios]
    if case.default_scenario is not None and case.default_scenario not in scenario_ids:
        problems.append(
            _unknown("scenario", case.default_scenario, scenario_ids, ("default_scenario",))
        )
    actor_ids = [a.id for a in case.actors]
    option_ids = [o.id for o in case.options]
    issue_ids = [i.id for i in case.issues]
    for i, scenario in enumerate(case.scenarios):
        where = ("scenarios", i)
        before = len(problems)
        _check_refs(
            problems, scenario.status_quo or (), option_ids, "option", (*where, "status_quo")
        )
        for actor_id in scenario.preferences:
            if actor_id not in actor_ids:
                problems.append(
                    _unknown("actor", actor_id, actor_ids, (*where, "preferences", actor_id))
                )
        for actor_id in scenario.capabilities:
            if actor_id not in actor_ids:
                problems.append(
                    _unknown("actor", actor_id, actor_ids, (*where, "capabilities", actor_id))
                )
        for issue_id, changes in scenario.positions.items():
            if issue_id not in issue_ids:
                problems.append(
                    _unknown("issue", issue_id, issue_ids, (*where, "positions", issue_id))
                )
                continue
            for actor_id, change in changes.items():
                if actor_id not in actor_ids:
                    problems.append(
                        _unknown(
                            "actor", actor_id, actor_ids, (*where, "positions", issue_id, actor_id)
                        )
                    )
                old = case.issue(issue_id).positions.get(actor_id)
                if old is None and (change.position is None or change.salience is None):
                    problems.append(
                        Problem(
                            f"{actor_id} has no stance on {issue_id} in the case: give both position and salience",
                            path=(*where, "positions", issue_id, actor_id),
                        )
                    )
        for issue_id in scenario.issue_status_quo:
            if issue_id not in issue_ids:
                problems.append(
                    _unknown("issue", issue_id, issue_ids, (*where, "issue_status_quo", issue_id))
                )
        if apply and len(problems) == before:
            try:
                apply_scenario(case, scenario, sound=sound)
            except CaseError as exc:
                problems.extend(exc.problems)
    return problems


def scenario_view_problems(view: Case, scenario) -> list[Problem]:
    """The problems of a scenario's view of a sound case, in the parts the scenario
    changes (its status quo, preferences, stances, issue status quos and forums).

    Paths are the view's, as :func:`case_problems` gives them; the parts the scenario
    leaves alone are the sound case's, and are not checked again. Used to tell whether
    a view needs the full validation that reports its problems (see
    :func:`detente.model.case.apply_scenario`).
    """
    problems: list[Problem] = []
    actor_ids = [a.id for a in view.actors]
    actor_set = set(actor_ids)
    option_ids = [o.id for o in view.options]
    issue_ids = [i.id for i in view.issues]
    source_ids = {s.id for s in view.sources}
    option_kinds = dict.fromkeys(option_ids, "option")

    def cites(item, path: tuple) -> None:
        for k, sid in enumerate(getattr(item, "sources", ()) or ()):
            if sid not in source_ids:
                problems.append(_unknown("source", sid, sorted(source_ids), (*path, "sources", k)))

    if scenario.status_quo is not None:
        _check_refs(problems, view.status_quo, option_ids, "option", ("status_quo",))
        if len(set(view.status_quo)) != len(view.status_quo):
            problems.append(Problem("an option is listed twice in the status quo"))
    for actor_id in scenario.preferences:
        prefs = view.preferences[actor_id]
        where = ("preferences", actor_id)
        if actor_id not in actor_set:
            problems.append(_unknown("actor", actor_id, actor_ids, where))
        cites(prefs, where)
        for k, statement in enumerate(prefs.statements or ()):
            cites(statement, (*where, "statements", k))
            _check_expr(problems, statement.expr, option_kinds, (*where, "statements", k, "expr"))
        for k, text in enumerate(prefs.misperceives):
            _check_expr(problems, text, option_kinds, (*where, "misperceives", k))
    changed_issues = set(scenario.positions) | set(scenario.issue_status_quo)
    for i, issue in enumerate(view.issues):
        if issue.id not in changed_issues:
            continue
        lo, hi = issue.scale
        for actor_id in scenario.positions.get(issue.id, {}):
            stance = issue.positions[actor_id]
            at: tuple = ("issues", i, "positions", actor_id)
            if actor_id not in actor_set:
                problems.append(_unknown("actor", actor_id, actor_ids, at))
            cites(stance, at)
            if not lo <= stance.position <= hi:
                problems.append(Problem("position outside the scale", path=(*at, "position")))
            if stance.red_line is not None:
                _check_bound_scale(problems, stance.red_line, (lo, hi), (*at, "red_line"))
        if issue.status_quo is not None and not lo <= issue.status_quo <= hi:
            problems.append(Problem("status quo outside the scale", path=("issues", i)))
    if not set(changed_issues) <= set(issue_ids):
        problems.append(Problem("a scenario names an unknown issue"))
    if scenario.forums is not None:
        expr_kinds = {**option_kinds, **dict.fromkeys(actor_ids, "actor")}
        forum_ids = [f.id for f in view.forums]
        if len(set(forum_ids)) != len(forum_ids):
            problems.append(Problem("duplicate forum id", path=("forums",)))
        for i, forum in enumerate(view.forums):
            cites(forum, ("forums", i))
            for k, rule in enumerate(forum.rules):
                cites(rule, ("forums", i, "rules", k))
            _check_forum(problems, forum, ("forums", i), actor_ids, issue_ids, expr_kinds)
    if problems:
        return problems
    return _feasibility_problems(
        view, status_quo=scenario.status_quo is not None, actors=scenario.preferences
    )


LARGE_OPTION_COUNT = 24
"""Above this many options, ``validate`` warns that the graph model may not fit."""


def case_warnings(case: Case) -> list[str]:
    """Things that are valid but suspicious: missing stances, statements no feasible state meets."""
    warnings = []
    if len(case.options) > LARGE_OPTION_COUNT:
        warnings.append(
            f"{len(case.options)} options give up to 2^{len(case.options)} states: the graph model "
            "enumerates them and refuses an analysis that needs more than 8 GiB (about "
            f"{LARGE_OPTION_COUNT} options, more if constraints rule most states out)"
        )
    if case.options:
        missing = [a.id for a in case.actors if a.id not in case.preferences]
        if missing:
            warnings.append(
                f"no preferences for {', '.join(missing)}: the graph model cannot rank states for them"
            )
    constraints = [c.infeasible_expr for c in case.constraints]
    for actor_id, prefs in case.preferences.items():
        if prefs.statements is not None and not prefs.statements:
            warnings.append(
                f"no preference statements for {actor_id}: indifferent between all states"
            )
        for k, statement in enumerate(prefs.statements or ()):
            if _satisfiable(statement.parsed, constraints) is False:
                warnings.append(
                    f"preferences.{actor_id}.statements[{k}]: no feasible state satisfies {statement.expr!r}, "
                    "so it never counts"
                )
    for proposal in case.proposals:
        for issue_id, level in proposal.positions.items():
            issue = next((i for i in case.issues if i.id == issue_id), None)
            if issue is not None and issue.levels and level not in issue.levels:
                warnings.append(
                    f"proposal {proposal.id}: {issue_id} {level:g} is not one of the issue's levels "
                    f"({', '.join(f'{v:g}' for v in issue.levels)}); bargaining adds it to the grid"
                )
    for issue in case.issues:
        missing = [a.id for a in case.actors if a.id not in issue.positions]
        if missing:
            warnings.append(f"issue {issue.id}: no stance for {', '.join(missing)}")
        if len(issue.positions) < 2:
            warnings.append(
                f"issue {issue.id}: forecasting needs the stances of at least two actors; "
                "it will be skipped"
            )
    for issue in case.issues:
        grid = list(issue.levels or ())
        for actor, stance in issue.positions.items():
            line = stance.red_line
            if line is None:
                continue
            off = [v for v in line.vetoes if grid and all(abs(v - g) > 1e-9 for g in grid)]
            if off:
                warnings.append(
                    f"issues.{issue.id}.positions.{actor}.red_line: vetoed level "
                    f"{', '.join(f'{v:g}' for v in off)} is not one of the issue's levels, so "
                    "bargaining never meets it"
                )
            if grid and not any(line.allows(g) for g in grid):
                warnings.append(
                    f"issues.{issue.id}.positions.{actor}.red_line: it rules out every level of "
                    f"the issue, so {actor} accepts no package at all"
                )
    no_status_quo = [i.id for i in case.issues if i.status_quo is None]
    if no_status_quo and (case.proposals or case.forums):
        warnings.append(
            f"no status_quo for issue {', '.join(no_status_quo)}: bargaining needs where each "
            "issue stands now, and will not run"
        )
    saliences = [
        (issue.id, actor, stance.salience)
        for issue in case.issues
        for actor, stance in issue.positions.items()
    ]
    shares = [(i, a, s) for i, a, s in saliences if 0 < s <= 1]
    if shares and any(s > 1 for _, _, s in saliences):
        i, a, s = shares[0]
        warnings.append(
            f"issues.{i}.positions.{a}.salience is {s:g} while other saliences are above 1: "
            "case files take saliences in points from 0 to 100, not shares"
            + (f" ({len(shares)} such)" if len(shares) > 1 else "")
        )
    if case.sources:
        uncited = [a.id for a in case.actors if not a.sources]
        if uncited:
            warnings.append(f"actors without a source: {', '.join(uncited)}")
    return warnings


def ranking_codes(case: Case, actor_id: str) -> list[list[int]]:
    """An actor's explicit ranking as tie groups of state codes (bit k = option k),
    dashes expanded (see :func:`expand_ranking`); the case must be valid."""
    prefs = case.preferences[actor_id]
    if prefs.ranking is None:
        raise ValueError(f"{actor_id} gives statements, not a ranking")
    n = len(case.options)
    option_index = {o.id: k for k, o in enumerate(case.options)}
    codes = np.arange(1 << n, dtype=np.int64)
    feasible = codes[
        feasible_mask([c.infeasible_expr for c in case.constraints], codes, option_index)
    ]
    return expand_ranking(prefs.ranking, n, feasible)[0]


_TWO_ACTOR_CONCEPTS = ("sim", "seq_sim", "lh", "nm")


def history_and_concept_problems(case: Case) -> list[Problem]:
    """Problems of the graph model's history and per-party solution concepts.

    Each party's ``solution_concept`` must suit the graph model (SIM, SEQ+SIM, limited
    move and non-myopic are defined for two parties); each entry of ``history`` must
    resolve (see :func:`detente.model.case.resolve_history`) to a feasible state, in
    date order. Checked once, on the base case: a scenario changes neither.
    """
    from detente.model.case import resolve_history

    problems: list[Problem] = []
    if case.scenario_id is not None:
        return problems  # the base case checked the scenario's parts where it states them
    controllers = {o.controller for o in case.options}
    n_parties = sum(1 for a in case.actors if a.id in controllers or a.id in case.preferences)
    stated = [(("preferences",), case.preferences)] + [
        (("scenarios", i, "preferences"), s.preferences) for i, s in enumerate(case.scenarios)
    ]
    for where, preferences in stated:
        for actor_id, prefs in preferences.items():
            concept = prefs.solution_concept
            if concept in _TWO_ACTOR_CONCEPTS and n_parties != 2:
                problems.append(
                    Problem(
                        f"{concept} is defined for graph models of exactly two parties; this "
                        f"one has {n_parties}",
                        path=(*where, actor_id, "solution_concept"),
                        expected="nash, gmr, smr or seq",
                        got=repr(concept),
                    )
                )
    if not case.history:
        return problems
    if not case.options:
        return [
            *problems,
            Problem("a history of graph-model states needs options", path=("history",)),
        ]
    states, found = resolve_history(case)
    problems.extend(found)
    option_index = {o.id: k for k, o in enumerate(case.options)}
    constraints = [c.infeasible_expr for c in case.constraints]
    codes = np.array([sum(1 << option_index[o] for o in state) for state in states], dtype=np.int64)
    ok = feasible_mask(constraints, codes, option_index) if codes.size else codes.astype(bool)
    for bad in np.flatnonzero(~ok).tolist():
        taken = ", ".join(sorted(states[bad])) or "no option taken"
        problems.append(
            Problem(
                f"this state ({taken}) is infeasible under the constraints",
                path=("history", bad),
                expected="a feasible combination of options",
            )
        )
    for i in range(1, len(case.history)):
        if case.history[i].date < case.history[i - 1].date:
            problems.append(
                Problem(
                    f"the history is not in date order: {case.history[i].date} comes after "
                    f"{case.history[i - 1].date}",
                    path=("history", i, "date"),
                )
            )
    return problems


def perception_problems(case: Case) -> list[Problem]:
    """Problems of the parties' perceptions (``preferences.<party>.perceives``).

    A party perceives other parties only (not itself), by known ids; its beliefs are
    crisp statements naming known options, or a ranking of the feasible states; it may
    be unaware of options others control, never of its own. Checked once, on the base
    case, for the case's preferences and every scenario's.
    """
    problems: list[Problem] = []
    if case.scenario_id is not None:
        return problems
    actor_ids = [a.id for a in case.actors]
    option_ids = [o.id for o in case.options]
    controller = {o.id: o.controller for o in case.options}
    option_kinds = dict.fromkeys(option_ids, "option")
    stated = [(("preferences",), case.preferences)] + [
        (("scenarios", i, "preferences"), s.preferences) for i, s in enumerate(case.scenarios)
    ]
    feasible: np.ndarray | None = None
    for where, preferences in stated:
        for actor_id, prefs in preferences.items():
            view = prefs.perceives
            if view is None:
                continue
            base = (*where, actor_id, "perceives")
            if not case.options:
                problems.append(Problem("perceptions need the graph model's options", path=base))
                continue
            for other, believed in view.preferences.items():
                path = (*base, "preferences", other)
                if other == actor_id:
                    problems.append(
                        Problem(
                            f"{actor_id} cannot hold a perception of its own preferences: they "
                            f"are preferences.{actor_id} itself",
                            path=path,
                            expected="another party's id",
                            got=repr(other),
                        )
                    )
                    continue
                if other not in actor_ids:
                    problems.append(_unknown("actor", other, actor_ids, path))
                    continue
                for k, statement in enumerate(believed.statements or ()):
                    spath = (*path, "statements", k)
                    _check_expr(problems, statement.expr, option_kinds, (*spath, "expr"))
                    if statement.probability is not None or statement.uncertain:
                        problems.append(
                            Problem(
                                "a belief about another party's preferences is crisp: "
                                "'probability' and 'uncertain' are not read here",
                                path=(
                                    *spath,
                                    "probability"
                                    if statement.probability is not None
                                    else "uncertain",
                                ),
                            )
                        )
                if believed.ranking is not None:
                    from detente.model.limits import limits

                    n = len(case.options)
                    if n > limits().ranking_options:
                        problems.append(
                            Problem(
                                f"an explicit ranking needs at most {limits().ranking_options} "
                                f"options; this case has {n}",
                                path=(*path, "ranking"),
                            )
                        )
                        continue
                    if feasible is None:
                        index = {o: k for k, o in enumerate(option_ids)}
                        codes = np.arange(1 << n, dtype=np.int64)
                        constraints = [c.infeasible_expr for c in case.constraints]
                        feasible = codes[feasible_mask(constraints, codes, index)]
                    problems.extend(
                        expand_ranking(believed.ranking, n, feasible, path=(*path, "ranking"))[1]
                    )
            for k, option_id in enumerate(view.unknown_options):
                path = (*base, "unknown_options", k)
                if option_id not in controller:
                    problems.append(_unknown("option", option_id, option_ids, path))
                elif controller[option_id] == actor_id:
                    problems.append(
                        Problem(
                            f"{actor_id} controls {option_id!r}, so it cannot be unaware of it",
                            path=path,
                            expected="an option another party controls",
                            got=repr(option_id),
                        )
                    )
    return problems
