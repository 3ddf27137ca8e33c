"""The case: one negotiation, validated and immutable, with named scenarios."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from detente.errors import CaseError, MissingPartError, Problem
from detente.model.base import Id, Number, Record, Text
from detente.model.sections import (
    Actor,
    Constraint,
    Event,
    Forum,
    HistoryEntry,
    Issue,
    Option,
    Preferences,
    Proposal,
    RedLine,
    Source,
    Stance,
)

__all__ = ["Case", "Scenario", "StanceChange", "resolve_history"]


class StanceChange(Record):
    """A scenario's change to one actor's stance on one issue (either part may be left out)."""

    position: Number | None = None
    salience: Number | None = Field(default=None, gt=0, le=100)
    red_line: RedLine | None = Field(
        default=None, description="A red line replacing the stance's (see Stance.red_line)."
    )
    sources: tuple[Id, ...] = ()
    note: str | None = None


class Scenario(Record):
    """A named variant of the case: a moment in time or a counterfactual.

    Every part given replaces the case's part; parts left out are kept.
    """

    id: Id
    name: Text
    description: str | None = None
    date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    status_quo: tuple[Id, ...] | None = Field(
        default=None, description="Options taken in this scenario."
    )
    preferences: dict[Id, Preferences] = Field(
        default_factory=dict, description="Actor id -> preferences replacing the case's."
    )
    positions: dict[Id, dict[Id, StanceChange]] = Field(
        default_factory=dict, description="Issue id -> actor id -> changed stance."
    )
    issue_status_quo: dict[Id, Number] = Field(
        default_factory=dict, description="Issue id -> where the issue stands in this scenario."
    )
    capabilities: dict[Id, Number] = Field(
        default_factory=dict, description="Actor id -> capability."
    )
    forums: tuple[Forum, ...] | None = Field(
        default=None, description="Forums replacing the case's."
    )
    sources: tuple[Id, ...] = ()
    note: str | None = None


class Case(Record):
    """A negotiation: actors, options, preferences, issues, proposals, forums and scenarios.

    Load one with :func:`detente.load`; a case is immutable once validated. Use
    :meth:`scenario` to get the case as a named scenario sees it.
    """

    id: Id
    title: Text
    description: str | None = None
    sources: tuple[Source, ...] = ()
    actors: tuple[Actor, ...] = Field(min_length=1)
    # Where the case was read from: file name and a function from a path in the case
    # to its (line, column), so that an engine's problems can name the line.
    _origin: tuple[str, Callable[[tuple], tuple[int | None, int | None]]] | None = PrivateAttr(
        default=None
    )
    # The base case a scenario's view was made from (None for a base case).
    _base: Case | None = PrivateAttr(default=None)
    # Set once every check passed: the contents checked (this object's own field dict,
    # which model_copy replaces) and the limits in force then. A scenario's view of a
    # sound case is built from its validated parts (see apply_scenario).
    _sound: tuple[dict, object] | None = PrivateAttr(default=None)
    # Look-up tables by id: section name -> (the section's tuple, id -> item).
    _index: dict[str, tuple[tuple, dict]] | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # Two cases are equal when their contents are, wherever they were read from.
        if not isinstance(other, Case):
            return NotImplemented
        return self.__dict__ == other.__dict__

    @property
    def base(self) -> Case:
        """The case without its scenario (itself for a base case)."""
        return self._base if self._base is not None else self

    def locate(self, problem: Problem) -> Problem:
        """``problem`` with the file and line of its path, when the case came from a file."""
        if self._origin is None or problem.line is not None or not problem.path:
            return problem
        file, where = self._origin
        line, column = where(problem.path)
        return problem.located(problem.file or file, line, column)

    options: tuple[Option, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    status_quo: tuple[Id, ...] = Field(default=(), description="Ids of the options taken now.")
    preferences: dict[Id, Preferences] = Field(default_factory=dict)
    issues: tuple[Issue, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    forums: tuple[Forum, ...] = ()
    coalitions: tuple[tuple[Id, ...], ...] = Field(
        default=(),
        description="Coalitions of actors to analyse in the graph model (each two or more actors).",
    )
    timeline: tuple[Event, ...] = ()
    history: tuple[HistoryEntry, ...] = Field(
        default=(),
        description=(
            "The conflict's history in the graph model: dated states in order, for the "
            "behavioural analysis of who moved and which solution concepts explain it."
        ),
    )
    scenarios: tuple[Scenario, ...] = ()
    default_scenario: Id | None = Field(
        default=None, description="Scenario used when none is named."
    )
    scenario_id: Id | None = Field(
        default=None, description="Set by detente: the scenario this view of the case applies."
    )
    notes: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _sized(cls, data: object) -> object:
        from detente.model.checks import size_problems
        from detente.model.limits import refresh_limits

        refresh_limits()
        problems = size_problems(data)
        if problems:
            raise CaseError(problems)
        return data

    @model_validator(mode="after")
    def _checked(self) -> Case:
        from detente.model.checks import case_problems

        problems = case_problems(self)
        if problems:
            raise CaseError(problems)
        from detente.model.limits import limits

        self._sound = (self.__dict__, limits())
        return self

    def _is_sound(self) -> bool:
        """Whether this very case (not a copy with parts replaced) passed every check
        under the limits in force now."""
        from detente.model.limits import refresh_limits

        sound = self._sound
        return sound is not None and sound[0] is self.__dict__ and sound[1] == refresh_limits()

    # -- look-ups -------------------------------------------------------------

    def actor(self, actor_id: str) -> Actor:
        return self._find("actors", actor_id, "actor")

    def option(self, option_id: str) -> Option:
        return self._find("options", option_id, "option")

    def issue(self, issue_id: str) -> Issue:
        return self._find("issues", issue_id, "issue")

    def proposal(self, proposal_id: str) -> Proposal:
        return self._find("proposals", proposal_id, "proposal")

    def _find(self, section: str, item_id: str, kind: str):
        # An index per section, kept with the tuple it was built from, so that a copy
        # with the section replaced (model_copy(update=...)) builds its own.
        items = getattr(self, section)
        index = self._index
        if index is None:
            index = self._index = {}
        entry = index.get(section)
        if entry is None or entry[0] is not items:
            by_id: dict = {}
            for item in items:
                by_id.setdefault(item.id, item)  # the first of a duplicated id, as a search finds
            entry = index[section] = (items, by_id)
        found = entry[1].get(item_id)
        if found is None:
            return _by_id(items, item_id, kind)
        return found

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @property
    def scenario_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.scenarios)

    def require(self, *parts: str, analysis: str) -> None:
        """Raise MissingPartError unless the case has every named section."""
        for part in parts:
            if not getattr(self, part):
                raise MissingPartError(
                    Problem(f"{analysis} needs '{part}'; this case has none", path=(part,)),
                )

    # -- notebooks ------------------------------------------------------------

    def __repr__(self) -> str:
        """A line a reader can take in (the full contents are ``model_dump()``)."""
        counts = ", ".join(
            f"{len(getattr(self, part))} {part}"
            for part in ("actors", "options", "issues", "proposals", "forums", "scenarios")
            if getattr(self, part, ())
        )
        view = f", scenario={self.scenario_id!r}" if self.scenario_id is not None else ""
        return f"Case(id={self.id!r}, title={self.title!r}: {counts}{view})"

    def _repr_html_(self) -> str:
        from html import escape

        from detente.model.display import html_table

        title = f"<h3>{escape(self.title)}</h3>"
        if self.scenario_id:
            title += f"<p>Scenario: {escape(self.scenario_id)}</p>"
        actors = html_table(
            ["Party", "Capability", "Options"],
            [
                [
                    a.name,
                    a.capability,
                    ", ".join(o.id for o in self.options if o.controller == a.id),
                ]
                for a in self.actors
            ],
        )
        issues = ""
        if self.issues:
            issues = html_table(
                ["Issue", *[a.id for a in self.actors]],
                [
                    [
                        i.name,
                        *[
                            f"{i.positions[a.id].position:g} ({i.positions[a.id].salience:g})"
                            if a.id in i.positions
                            else "-"
                            for a in self.actors
                        ],
                    ]
                    for i in self.issues
                ],
                caption="Position (salience)",
            )
        return title + actors + issues

    def to_frame(self):
        """Stances as a pandas DataFrame: one row per actor and issue (needs pandas)."""
        from detente.model.display import records_frame

        return records_frame(
            [
                {
                    "actor": a,
                    "issue": i.id,
                    "position": s.position,
                    "salience": s.salience,
                    "capability": self.actor(a).capability,
                }
                for i in self.issues
                for a, s in i.positions.items()
            ]
        )

    # -- scenarios ------------------------------------------------------------

    def scenario(self, scenario_id: str | None = None) -> Case:
        """The case as a scenario sees it (the default scenario when none is named)."""
        if scenario_id is None:
            scenario_id = self.default_scenario
        if scenario_id is None or scenario_id == self.scenario_id:
            return self
        if self.scenario_id is not None:
            raise CaseError(
                Problem(
                    f"this case is already scenario {self.scenario_id!r}'s view of its base "
                    f"case; apply scenario {scenario_id!r} to the base case (case.base)",
                    path=("scenario_id",),
                )
            )
        scenario = _by_id(self.scenarios, scenario_id, "scenario")
        view = apply_scenario(self, scenario)
        view._base = self
        if self._origin is not None:
            file, where = self._origin
            index = self.scenarios.index(scenario)

            def where_in_view(path: tuple) -> tuple[int | None, int | None]:
                # A part the scenario overrides is found where the scenario says it.
                own = _override_path(path, self, scenario)
                return where(("scenarios", index, *own) if own is not None else path)

            view._origin = (file, where_in_view)
        return view


def _by_id(items, item_id: str, kind: str):
    for item in items:
        if item.id == item_id:
            return item
    from detente.model.expressions import suggest

    known = [i.id for i in items]
    hint = suggest(item_id, known)
    message = f"unknown {kind} {item_id!r}"
    message += f"; did you mean {hint!r}?" if hint else f" (known: {', '.join(known) or 'none'})"
    raise CaseError(Problem(message))


def apply_scenario(case: Case, scenario: Scenario, *, sound: bool | None = None) -> Case:
    """Return the case with the scenario's parts replacing the case's.

    The view of a sound case (one that passed every check: ``sound``, by default
    whether ``case`` did) is built from the case's validated parts, and only what the
    scenario changes is validated. When that finds a problem, or the case is not known
    to be sound, the whole merged case is validated again, which reports every
    problem where the scenario states it.
    """
    if sound is None:
        sound = case._is_sound()
    if sound:
        view = _quick_view(case, scenario)
        if view is not None:
            return view
    data = case.model_dump(mode="python", round_trip=True)
    if scenario.status_quo is not None:
        data["status_quo"] = scenario.status_quo
    prefs = dict(data["preferences"])
    for actor_id, pref in scenario.preferences.items():
        prefs[actor_id] = pref.model_dump(mode="python", round_trip=True)
    data["preferences"] = prefs
    caps = scenario.capabilities
    data["actors"] = [
        {**a, "capability": caps[a["id"]]} if a["id"] in caps else a for a in data["actors"]
    ]
    issues = []
    for issue in data["issues"]:
        changes = scenario.positions.get(issue["id"], {})
        positions = dict(issue["positions"])
        for actor_id, change in changes.items():
            stance = dict(positions.get(actor_id) or {})
            for key in ("position", "salience", "note"):
                value = getattr(change, key)
                if value is not None:
                    stance[key] = value
            if change.red_line is not None:
                stance["red_line"] = change.red_line.model_dump(mode="python", round_trip=True)
            if change.sources:
                stance["sources"] = change.sources
            positions[actor_id] = stance
        issue = {**issue, "positions": positions}
        if issue["id"] in scenario.issue_status_quo:
            issue["status_quo"] = scenario.issue_status_quo[issue["id"]]
        issues.append(issue)
    data["issues"] = issues
    if scenario.forums is not None:
        data["forums"] = [f.model_dump(mode="python", round_trip=True) for f in scenario.forums]
    data["scenario_id"] = scenario.id
    index = case.scenarios.index(scenario)
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                err["msg"].removeprefix("Value error, ")
                + (f" (got {err['input']!r})" if not isinstance(err["input"], dict | list) else ""),
                path=tuple(err["loc"]),
            )
            for err in exc.errors()
        ]
    except CaseError as exc:
        problems = list(exc.problems)
    raise CaseError(
        [
            Problem(
                f"in scenario {scenario.id!r}: {p.message}",
                path=("scenarios", index, *_scenario_path(p.path, data, scenario)),
                expected=p.expected,
                got=p.got,
            )
            for p in problems
        ]
    ) from None


def _quick_view(case: Case, scenario: Scenario) -> Case | None:
    """The scenario's view of the sound ``case``, validating only the parts the scenario
    changes; None when one of them has a problem (the caller then validates the merged
    case to report it as it always has).

    A sound case's parts the scenario leaves alone cannot hold a problem, so the view
    is sound when its changed records validate, the changed sections keep within the
    size limits and :func:`~detente.model.checks.scenario_view_problems` finds nothing.
    """
    from detente.model.checks import scenario_view_problems, size_problems

    fields = dict(case.__dict__)
    try:
        if scenario.status_quo is not None:
            fields["status_quo"] = scenario.status_quo
        fields["preferences"] = {**case.preferences, **scenario.preferences}
        caps = scenario.capabilities
        if caps:
            fields["actors"] = tuple(
                Actor.model_validate({**a.__dict__, "capability": caps[a.id]})
                if a.id in caps
                else a
                for a in case.actors
            )
        if scenario.positions or scenario.issue_status_quo:
            issues = []
            for issue in case.issues:
                changes = scenario.positions.get(issue.id, {})
                moved = issue.id in scenario.issue_status_quo
                if not changes and not moved:
                    issues.append(issue)
                    continue
                positions = dict(issue.positions)
                for actor_id, change in changes.items():
                    old = positions.get(actor_id)
                    stance = dict(old.__dict__) if old is not None else {}
                    for key in ("position", "salience", "note"):
                        value = getattr(change, key)
                        if value is not None:
                            stance[key] = value
                    if change.red_line is not None:
                        stance["red_line"] = change.red_line
                    if change.sources:
                        stance["sources"] = change.sources
                    positions[actor_id] = Stance.model_validate(stance)
                update: dict = {"positions": positions}
                if moved:
                    update["status_quo"] = scenario.issue_status_quo[issue.id]
                issues.append(issue.model_copy(update=update))
            fields["issues"] = tuple(issues)
    except ValidationError:
        return None
    if scenario.forums is not None:
        fields["forums"] = scenario.forums
    fields["scenario_id"] = scenario.id
    sizes = {
        "options": fields["options"],
        "forums": fields["forums"],
        "preferences": {
            actor_id: {
                "ranking": prefs.ranking,
                "statements": prefs.statements,
                "misperceives": prefs.misperceives,
            }
            for actor_id, prefs in scenario.preferences.items()
        },
    }
    if size_problems(sizes):
        return None
    view = Case.model_construct(**fields)
    if scenario_view_problems(view, scenario):
        return None
    view._sound = (view.__dict__, case._sound[1] if case._sound is not None else None)
    return view


def _override_path(path: tuple, case: Case, scenario: Scenario) -> tuple | None:
    """Where inside ``scenario`` the part of the case at ``path`` is set, when the
    scenario overrides it; None when the case's own value applies."""
    if not path:
        return None
    head = path[0]
    if head == "status_quo" and scenario.status_quo is not None:
        return path
    if head == "forums" and scenario.forums is not None:
        return path
    if head == "preferences" and len(path) >= 2 and path[1] in scenario.preferences:
        return path
    if head == "actors" and len(path) >= 3 and isinstance(path[1], int) and path[2] == "capability":
        actor_id = case.actors[path[1]].id if path[1] < len(case.actors) else None
        return ("capabilities", actor_id) if actor_id in scenario.capabilities else None
    if (
        head == "issues"
        and len(path) >= 3
        and isinstance(path[1], int)
        and path[1] < len(case.issues)
    ):
        issue_id = case.issues[path[1]].id
        if path[2] == "status_quo" and issue_id in scenario.issue_status_quo:
            return ("issue_status_quo", issue_id)
        changes = scenario.positions.get(issue_id, {})
        if path[2] == "positions" and len(path) >= 4 and path[3] in changes:
            change = changes[path[3]]
            field = path[4] if len(path) >= 5 else None
            # Only what the scenario sets is found there; the rest stays the case's.
            if field is None or getattr(change, str(field), None) not in (None, ()):
                return ("positions", issue_id, *path[3:])
    return None


def _scenario_path(path: tuple, data: dict, scenario: Scenario) -> tuple:
    """Where, inside a scenario, a problem found in the merged case belongs: the
    scenario's part of the same name, as precisely as the scenario states it."""
    if path and path[0] in ("status_quo", "preferences", "forums"):
        return path
    if len(path) >= 2 and path[0] == "actors" and isinstance(path[1], int):
        actor_id = data["actors"][path[1]]["id"]
        if actor_id in scenario.capabilities:
            return ("capabilities", actor_id)
        return ("capabilities",)
    if len(path) >= 2 and path[0] == "issues" and isinstance(path[1], int):
        issue_id = data["issues"][path[1]]["id"]
        if len(path) >= 3 and path[2] == "status_quo" and issue_id in scenario.issue_status_quo:
            return ("issue_status_quo", issue_id)
        changes = scenario.positions.get(issue_id, {})
        if len(path) >= 4 and path[2] == "positions" and path[3] in changes:
            return ("positions", issue_id, *path[3:])
        return ("positions", issue_id) if issue_id in scenario.positions else ("positions",)
    return ()


Stance.model_rebuild()


def resolve_history(case: Case) -> tuple[list[frozenset[str]], list[Problem]]:
    """The options taken in each entry of ``case.history``, and the problems met.

    An entry gives its state as ``options`` (all taken), ``scenario`` (that scenario's
    status quo, or the base case's when it sets none), or relative to the previous
    entry: ``changes`` (option -> taken) or ``proposal`` (the proposal's options set
    on the previous state). The first entry must give its state in full. Unknown ids
    are problems located at the entry's field; the result then holds the states up to
    the first entry that cannot be resolved.
    """
    base = case.base
    option_ids = [o.id for o in case.options]
    known = set(option_ids)
    scenarios = {s.id: s for s in base.scenarios}
    proposals = {p.id: p for p in case.proposals}
    from detente.model.checks import _unknown

    states: list[frozenset[str]] = []
    problems: list[Problem] = []
    for i, entry in enumerate(case.history):
        where = ("history", i)
        before = len(problems)
        state: set[str] = set()
        if entry.options is not None:
            for k, o in enumerate(entry.options):
                if o not in known:
                    problems.append(_unknown("option", o, option_ids, (*where, "options", k)))
            state = set(entry.options)
        elif entry.scenario is not None:
            scenario = scenarios.get(entry.scenario)
            if scenario is None:
                problems.append(
                    _unknown("scenario", entry.scenario, list(scenarios), (*where, "scenario"))
                )
            else:
                sq = scenario.status_quo if scenario.status_quo is not None else base.status_quo
                state = set(sq)
        elif not states:
            problems.append(
                Problem(
                    "the first entry of the history must give its state in full "
                    "('options' or 'scenario'), not relative to a previous one",
                    path=where,
                )
            )
        elif entry.changes is not None:
            state = set(states[-1])
            for o, taken in entry.changes.items():
                if o not in known:
                    problems.append(_unknown("option", o, option_ids, (*where, "changes", o)))
                elif taken:
                    state.add(o)
                else:
                    state.discard(o)
        else:
            assert entry.proposal is not None
            proposal = proposals.get(entry.proposal)
            if proposal is None:
                problems.append(
                    _unknown("proposal", entry.proposal, list(proposals), (*where, "proposal"))
                )
            elif not proposal.options:
                problems.append(
                    Problem(
                        f"proposal {entry.proposal!r} sets no options, so it names no state of "
                        "the graph model",
                        path=(*where, "proposal"),
                    )
                )
            else:
                state = set(states[-1])
                for o, taken in proposal.options.items():
                    if taken:
                        state.add(o)
                    else:
                        state.discard(o)
        if len(problems) > before:
            break
        states.append(frozenset(state))
    return states, problems
