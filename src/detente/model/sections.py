"""The sections of a case: who negotiates, what each controls and wants, what is on the table.

Each class is one section's record. Cross-references between sections (an option's
controller must be an actor, say) are checked by :mod:`detente.model.checks` once
the whole case is read, so that every problem can be reported with its location.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator

from detente.model.base import Cited, Id, Identified, Level, Number, Record, Text
from detente.model.expressions import And, Expr, ExpressionError, Not, Or, Var, parse

__all__ = [
    "Actor",
    "BelievedPreferences",
    "Bound",
    "Constraint",
    "Effect",
    "Event",
    "Forum",
    "HistoryEntry",
    "Issue",
    "Option",
    "ParticipationRule",
    "Perception",
    "Preferences",
    "Proposal",
    "RedLine",
    "Source",
    "Stance",
    "Statement",
]


def _check_expression(text: str) -> str:
    try:
        parse(text)
    except ExpressionError as exc:
        raise ValueError(str(exc)) from None
    return text


class Source(Record):
    """A document a judgment rests on."""

    id: Id
    title: Text
    author: str | None = None
    publisher: str | None = None
    date: str | None = Field(
        default=None, description="Publication date, ISO (YYYY, YYYY-MM or YYYY-MM-DD)."
    )
    url: str | None = None
    note: str | None = None
    hindsight: bool = Field(
        default=False,
        description=(
            "A later analysis of the period it is cited for: scenarios dated before it may "
            "cite it without a warning."
        ),
    )


class Actor(Identified):
    """A party to the negotiation."""

    name: Text = Field(description="Display name, e.g. 'North Korea'.")
    capability: Number = Field(
        default=1.0,
        gt=0,
        description="Relative power to shape the outcome (any positive scale; only ratios matter).",
    )
    capability_sd: Number | None = Field(
        default=None,
        ge=0,
        description="Uncertainty of the capability (a standard deviation, same unit).",
    )
    description: str | None = None
    best_alternative: dict[Id, Number] | None = Field(
        default=None,
        description=(
            "Issue id -> level: what this actor gets without an agreement (its BATNA). "
            "Issues not named stay at the status quo. Default: the status quo."
        ),
    )
    reservation_value: Number | None = Field(
        default=None,
        ge=0,
        le=1,
        description=(
            "The utility (0 worst, 1 best) below which this actor accepts no agreement. "
            "Overrides best_alternative and the status quo as the reservation value."
        ),
    )
    discount_factor: Number | None = Field(
        default=None,
        gt=0,
        le=1,
        description=(
            "How much an agreement loses per unit of time (GENIUS: utility times d^t). "
            "Recorded for the record; the bargaining analysis is timeless and does not use it."
        ),
    )


class Bound(Record):
    """Where an issue may stand: at least one end of an interval on its scale."""

    at_least: Number | None = Field(default=None, description="The lowest level allowed.")
    at_most: Number | None = Field(default=None, description="The highest level allowed.")

    @model_validator(mode="after")
    def _an_interval(self) -> Bound:
        if (
            self.at_least is None
            and self.at_most is None
            and not getattr(self, "vetoes", ())
            and getattr(self, "if_not_taken", None) is None
        ):
            raise ValueError(f"give {self._fields_named}")
        if (
            self.at_least is not None
            and self.at_most is not None
            and not self.at_least <= self.at_most
        ):
            raise ValueError(
                f"at_least ({self.at_least:g}) must not be above at_most ({self.at_most:g})"
            )
        return self

    _fields_named = "'at_least', 'at_most' or both"

    def allows(self, level: float) -> bool:
        return (self.at_least is None or level >= self.at_least - 1e-9) and (
            self.at_most is None or level <= self.at_most + 1e-9
        )

    @property
    def binds(self) -> bool:
        """Whether it bounds the issue at all (an effect may bind only when not taken)."""
        return self.at_least is not None or self.at_most is not None

    def describe(self) -> str:
        if not self.binds:
            return "anywhere"
        if self.at_least is not None and self.at_most is not None:
            if self.at_least == self.at_most:
                return f"at {self.at_least:g}"
            return f"from {self.at_least:g} to {self.at_most:g}"
        if self.at_least is not None:
            return f"at least {self.at_least:g}"
        return f"at most {self.at_most:g}"


class Effect(Cited, Bound):
    """What an option does on one issue: where taking it puts the issue, and optionally
    where not taking it does (see :mod:`detente.model.links`)."""

    if_not_taken: Bound | None = Field(
        default=None, description="Where the issue stands while the option is not taken."
    )

    _fields_named = "'at_least', 'at_most' or 'if_not_taken'"


class Option(Identified):
    """A binary course of action controlled by one actor (the graph-model view)."""

    label: Text = Field(
        description="What taking the option means, e.g. 'Dismantle all Yongbyon facilities'."
    )
    controller: Id = Field(description="Id of the actor who decides whether the option is taken.")
    irreversible: bool | Literal["forward", "backward"] = Field(
        default=False,
        description=(
            "true or 'forward': once taken it cannot be dropped; 'backward': once dropped it "
            "cannot be taken again; false: both ways."
        ),
    )

    effects: dict[Id, Effect] = Field(
        default_factory=dict,
        description=(
            "Issue id -> where taking the option puts that issue, e.g. "
            "{sanctions_relief: {at_least: 50}}: links the graph model to the issue scales."
        ),
    )

    @property
    def direction(self) -> int:
        """0 both ways, 1 only from not taken to taken, -1 only from taken to not taken."""
        if self.irreversible is True or self.irreversible == "forward":
            return 1
        if self.irreversible == "backward":
            return -1
        return 0


class Constraint(Cited):
    """Which combinations of options cannot happen. Give exactly one of the four forms."""

    infeasible: str | None = Field(
        default=None, description="Expression that no feasible state satisfies."
    )
    require: str | None = Field(
        default=None, description="Expression that every feasible state satisfies."
    )
    exclusive: tuple[Id, ...] | None = Field(
        default=None, description="At most one of these options is taken."
    )
    at_least_one: tuple[Id, ...] | None = Field(
        default=None, description="At least one of these options is taken."
    )

    _check = field_validator("infeasible", "require")(
        lambda cls, v: v if v is None else _check_expression(v)
    )

    @model_validator(mode="after")
    def _one_form(self) -> Constraint:
        given = [
            k
            for k in ("infeasible", "require", "exclusive", "at_least_one")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'infeasible', 'require', 'exclusive', 'at_least_one' "
                f"(got {', '.join(given) or 'none'})"
            )
        for key in ("exclusive", "at_least_one"):
            group = getattr(self, key)
            if group is not None and len(group) < 2:
                raise ValueError(f"'{key}' needs at least two options")
        return self

    @property
    def infeasible_expr(self) -> Expr:
        """The constraint as one expression that is true exactly on infeasible states."""
        if self.infeasible is not None:
            return parse(self.infeasible)
        if self.require is not None:
            return Not(parse(self.require))
        if self.exclusive is not None:
            return _exclusive(self.exclusive)
        assert self.at_least_one is not None
        return And(tuple(Not(Var(o)) for o in self.at_least_one))


@lru_cache(maxsize=256)
def _exclusive(group: tuple[str, ...]) -> Expr:
    """Two or more of ``group`` taken: one flat ``or`` of every pair (built as a tree,
    not as text, so that 48 options' 1,128 pairs need no parsing)."""
    return Or(tuple(And((Var(a), Var(b))) for i, a in enumerate(group) for b in group[i + 1 :]))


class Statement(Cited):
    """One option-prioritisation statement: an expression over options the actor wants true."""

    expr: str = Field(
        description="E.g. 'partial_relief', 'not complete_denuclearisation', 'a iff b'."
    )

    probability: Number | None = Field(
        default=None,
        ge=0,
        le=1,
        description=(
            "Probabilistic preferences (Rego & dos Santos 2015): the probability that the party "
            "holds this statement, independently of its other statements. The crisp analyses "
            "read every statement as held."
        ),
    )
    uncertain: bool = Field(
        default=False,
        description=(
            "Unknown preferences (Li, Hipel, Kilgour & Fang 2004): whether the party holds this "
            "statement is not known, so comparisons of states that turn on it are unknown."
        ),
    )

    _check = field_validator("expr")(lambda cls, v: _check_expression(v))

    @model_validator(mode="after")
    def _one_uncertainty(self) -> Statement:
        if self.uncertain and self.probability is not None:
            raise ValueError(
                "give either 'probability' (probabilistic) or 'uncertain: true' (unknown), not both"
            )
        return self

    @property
    def parsed(self) -> Expr:
        return parse(self.expr)


def _plain_statement_list(value: object) -> object:
    if isinstance(value, list | tuple):
        return [{"expr": v} if isinstance(v, str) else v for v in value]
    return value


class BelievedPreferences(Cited):
    """What one party believes another party wants: statements or a ranking, as in
    :class:`Preferences` (first-level hypergame; Wang, Hipel & Fraser 1988)."""

    statements: tuple[Statement, ...] | None = Field(
        default=None, description="Option-prioritisation statements, most important first."
    )
    ranking: tuple[str | tuple[str, ...], ...] | None = Field(
        default=None, description="Every feasible state, most preferred first (see Preferences)."
    )

    _plain = field_validator("statements", mode="before")(lambda cls, v: _plain_statement_list(v))

    @model_validator(mode="after")
    def _one_form(self) -> BelievedPreferences:
        if (self.statements is None) == (self.ranking is None):
            raise ValueError("give either 'statements' or 'ranking' (exactly one)")
        return self


class Perception(Cited):
    """A party's own view of the game (a first-level hypergame): what it believes the
    other parties want, and the options it does not know exist."""

    preferences: dict[Id, BelievedPreferences] = Field(
        default_factory=dict,
        description=(
            "Other party's id -> the preferences this party believes it holds. Parties not "
            "named are perceived as they are."
        ),
    )
    unknown_options: tuple[Id, ...] = Field(
        default=(),
        description=(
            "Options this party does not know exist: in its view they are never taken and "
            "nobody can take them, and it cannot see the states where they are taken."
        ),
    )


SolutionConcept = Literal["nash", "gmr", "smr", "seq", "sim", "seq_sim", "lh", "nm"]
"""A graph-model solution concept a party may be analysed under (see docs/methods/gmcr.md)."""


class Preferences(Cited):
    """What one actor wants over the options: prioritised statements, or an explicit ranking."""

    statements: tuple[Statement, ...] | None = Field(
        default=None,
        description="Option-prioritisation statements, most important first (none: indifferent between all states).",
    )
    ranking: tuple[str | tuple[str, ...], ...] | None = Field(
        default=None,
        description=(
            "Every feasible state, most preferred first, each as a Y/N pattern in option order; "
            "a list of patterns is a tie. A '-' in a pattern means the option does not matter: "
            "the pattern stands for every feasible state it matches that no earlier entry "
            "ranked (so a last pattern of dashes ties all the rest)."
        ),
    )
    misperceives: tuple[str, ...] = Field(
        default=(),
        description="Expressions for states this actor does not perceive (graph-model misperception).",
    )
    solution_concept: SolutionConcept | None = Field(
        default=None,
        description=(
            "The solution concept this actor is analysed under in heterogeneous stability "
            "analysis (GMCR II's per-DM concept): nash, gmr, smr, seq, or, with two actors, "
            "sim, seq_sim, lh (limited move) or nm (non-myopic). Default: every concept."
        ),
    )
    horizon: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="The horizon h of limited-move stability, when solution_concept is lh.",
    )
    perceives: Perception | None = Field(
        default=None,
        description=(
            "This party's view of the game when it differs from the true one (hypergame "
            "analysis): its beliefs about the others' preferences and the options it does "
            "not know of."
        ),
    )

    @field_validator("statements", mode="before")
    @classmethod
    def _plain_statements(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return [{"expr": v} if isinstance(v, str) else v for v in value]
        return value

    _check_misperceives = field_validator("misperceives")(
        lambda cls, v: tuple(_check_expression(e) for e in v)
    )

    @model_validator(mode="after")
    def _one_form(self) -> Preferences:
        if (self.statements is None) == (self.ranking is None):
            raise ValueError("give either 'statements' or 'ranking' (exactly one)")
        if self.horizon is not None and self.solution_concept != "lh":
            raise ValueError(
                "'horizon' is the horizon of limited move: give it with solution_concept: lh"
            )
        return self


class RedLine(Cited, Bound):
    """What a party will never accept on an issue, whatever it gets elsewhere: levels
    outside [at_least, at_most] and the levels it vetoes (non-compensatory)."""

    at_least: Number | None = Field(default=None, description="The lowest level it accepts.")
    at_most: Number | None = Field(default=None, description="The highest level it accepts.")
    vetoes: tuple[Number, ...] = Field(default=(), description="Levels it never accepts.")

    _fields_named = "'at_least', 'at_most' or 'vetoes'"

    def allows(self, level: float) -> bool:
        if any(abs(level - v) <= 1e-9 for v in self.vetoes):
            return False
        return Bound.allows(self, level)

    def describe(self) -> str:
        parts = [Bound.describe(self)] if (self.at_least, self.at_most) != (None, None) else []
        if self.vetoes:
            parts.append("never " + " or ".join(f"{v:g}" for v in self.vetoes))
        return ", ".join(parts)


class Stance(Cited):
    """An actor's position and salience on one issue."""

    position: Number = Field(description="Preferred point on the issue's scale.")
    salience: Number = Field(
        gt=0, le=100, description="How much the issue matters to the actor, 0 < s <= 100."
    )
    position_sd: Number | None = Field(
        default=None,
        ge=0,
        description="Uncertainty of the position (a standard deviation, on the issue's scale).",
    )
    salience_sd: Number | None = Field(
        default=None,
        ge=0,
        description="Uncertainty of the salience (a standard deviation, in points).",
    )
    values: dict[Level, Number] | None = Field(
        default=None,
        description=(
            "Level -> value in [0, 1]: an explicit value table over the issue's levels, used by "
            "bargaining instead of closeness to the position (give every level). The position "
            "still serves forecasting."
        ),
    )
    red_line: RedLine | None = Field(
        default=None,
        description=(
            "What the actor never accepts on this issue, e.g. {at_most: 25}: no package beyond "
            "it is acceptable to it, however much it gains elsewhere."
        ),
    )


class Issue(Identified):
    """A continuous dimension of the negotiation (the spatial view)."""

    name: Text
    low: str = Field(default="0", description="What the low end of the scale means.")
    high: str = Field(default="100", description="What the high end of the scale means.")
    scale: tuple[Number, Number] = Field(
        default=(0.0, 100.0), description="The scale's ends [low, high]."
    )
    levels: tuple[Number, ...] | None = Field(
        default=None, description="Discrete levels a package can set (the bargaining grid)."
    )
    level_names: tuple[str, ...] | None = Field(
        default=None,
        description=(
            "One label per level, in the order of levels, for categorical issues "
            "(e.g. GENIUS discrete values: levels 0, 1, 2 named 'Dell', 'Macintosh', 'HP')."
        ),
    )
    status_quo: Number | None = Field(default=None, description="Where the issue stands now.")
    positions: dict[Id, Stance] = Field(default_factory=dict, description="Actor id -> stance.")

    @field_validator("scale")
    @classmethod
    def _scale_order(cls, scale: tuple[float, float]) -> tuple[float, float]:
        lo, hi = scale
        if not lo < hi:
            raise ValueError(f"scale must run from low to high (got [{lo:g}, {hi:g}])")
        return scale


class Proposal(Identified):
    """A named package on the table: a setting of options and/or issue positions."""

    name: Text
    proposed_by: tuple[Id, ...] = ()
    description: str | None = None
    options: dict[Id, bool] = Field(
        default_factory=dict,
        description="Option id -> taken; options not named stay at the status quo.",
    )
    positions: dict[Id, Number] = Field(
        default_factory=dict,
        description="Issue id -> level; issues not named stay at the status quo.",
    )

    @field_validator("proposed_by", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value


class ParticipationRule(Cited):
    """An actor attends a forum only if a condition holds (over actors attending and options taken)."""

    actor: Id
    attends_if: str

    _check = field_validator("attends_if")(lambda cls, v: _check_expression(v))

    @property
    def parsed(self) -> Expr:
        return parse(self.attends_if)


class Forum(Identified):
    """A negotiating table: who may sit at it, on what rules, with which agenda."""

    name: Text
    description: str | None = None
    members: tuple[Id, ...] = Field(description="Actors who may attend.")
    required: tuple[Id, ...] = Field(
        default=(), description="Actors without whom the forum does not meet."
    )
    rules: tuple[ParticipationRule, ...] = ()
    agenda: tuple[Id, ...] | None = Field(
        default=None, description="Issue ids on the agenda; default all."
    )


class Event(Cited):
    """A dated event of the case's history."""

    date: str = Field(
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="ISO date: YYYY, YYYY-MM or YYYY-MM-DD."
    )
    event: Text
    actors: tuple[Id, ...] = ()


class HistoryEntry(Cited):
    """One dated state of the conflict's history (the graph-model view).

    Give the state in exactly one way: ``options`` (every option taken then),
    ``changes`` (options changed since the previous entry), ``proposal`` (a proposal's
    options set on top of the previous entry) or ``scenario`` (a scenario's status quo).
    """

    date: str = Field(
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="ISO date: YYYY, YYYY-MM or YYYY-MM-DD."
    )
    label: Text = Field(description="A short label, e.g. 'Singapore summit'.")
    options: tuple[Id, ...] | None = Field(
        default=None, description="The options taken in this state (all others not taken)."
    )
    changes: dict[Id, bool] | None = Field(
        default=None,
        description="Option id -> taken: what changed since the previous entry of the history.",
    )
    proposal: Id | None = Field(
        default=None,
        description="A proposal whose options are set on top of the previous entry's state.",
    )
    scenario: Id | None = Field(
        default=None,
        description="A scenario whose status quo (the case's, if it sets none) is this state.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> HistoryEntry:
        given = [
            k
            for k in ("options", "changes", "proposal", "scenario")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'options', 'changes', 'proposal', 'scenario' "
                f"(got {', '.join(given) or 'none'})"
            )
        return self
