"""Result types of the bargaining engine: frozen dataclasses of Python scalars.

Every result has ``to_dict()``, which returns only JSON-serialisable values (dicts
with string keys, lists, str, int, float, bool, None).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.bargain.space import OutcomeSpace

__all__ = [
    "BargainResult",
    "Change",
    "Crossing",
    "ForumEvaluation",
    "Package",
    "ProposalAssessment",
    "RobustnessDraw",
]


def _jsonable(value: Any) -> Any:
    """Python scalars and containers only (numpy scalars become int/float/bool)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


@dataclass(frozen=True)
class Package:
    """One outcome: a level on every issue and a setting of every option.

    Attributes
    ----------
    index : int
        The outcome's number in the full outcome space (depends on the order of
        issues; compare packages by ``issues`` and ``options``).
    issues : mapping of str to float
    options : mapping of str to bool
    utilities : mapping of str to float
        Actor -> utility (only the actors the analysis concerned).
    """

    index: int
    issues: Mapping[str, float]
    options: Mapping[str, bool]
    utilities: Mapping[str, float]

    @classmethod
    def build(
        cls,
        space: OutcomeSpace,
        digits: np.ndarray,
        actors: tuple[str, ...],
        utilities: np.ndarray,
    ) -> Package:
        """A package from digits and a utility vector (internal helper)."""
        values = space.package_of(digits)
        return cls(
            index=int(space.index_of(digits)),
            issues={k: float(values[k]) for k in space.issue_names},
            options={k: bool(values[k]) for k in space.option_names},
            utilities={a: float(u) for a, u in zip(actors, utilities, strict=True)},
        )

    def settings(self) -> dict[str, float | bool]:
        """``{issue: level, option: bool}``, as accepted by
        :meth:`OutcomeSpace.encode`."""
        return {**self.issues, **self.options}

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "issues": dict(self.issues),
            "options": dict(self.options),
            "utilities": dict(self.utilities),
        }


@dataclass(frozen=True)
class Change:
    """A one-dimension change to a package that wins a blocker over.

    Attributes
    ----------
    dimension : str
        The issue moved or the option flipped.
    kind : {"issue", "option"}
    before, after : float or bool
    size : float
        For an issue, the distance moved as a fraction of the issue's scale
        (``|after - before| / (high - low)``); an option flip counts 1.
    package : Package
        The changed package with everyone's utilities.
    wins : tuple of str
        Every blocker the change wins over (it loses no one who accepted).
    """

    dimension: str
    kind: str
    before: float | bool
    after: float | bool
    size: float
    package: Package
    wins: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "size": self.size,
            "package": self.package.to_dict(),
            "wins": list(self.wins),
        }


@dataclass(frozen=True)
class Crossing:
    """A package puts a dimension where an actor's red line forbids.

    Attributes
    ----------
    dimension : str
        The issue (or option) whose level crosses the red line.
    level : float or bool
        Where the package puts it.
    red_line : str
        The red line in words (e.g. ``"at most 50"``): what would have to move for the
        actor to consider the package at all.
    """

    dimension: str
    level: float | bool
    red_line: str

    def to_dict(self) -> dict[str, Any]:
        return {"issue": self.dimension, "level": self.level, "red_line": self.red_line}


@dataclass(frozen=True)
class ProposalAssessment:
    """Who accepts a proposal, who blocks it, and what would win each blocker over.

    Attributes
    ----------
    id : str
    package : Package
    reservation : mapping of str to float
    accepted_by, blocked_by : tuple of str
        Actors whose utility is above their reservation value with none of their red
        lines crossed / the others.
    to_win : mapping of str to tuple of Change
        Blocker -> the single-dimension changes that lift it above its reservation
        value and cross none of its red lines, while everyone who accepted still
        accepts and no other red line gets crossed, smallest change first.
    feasible : bool
        Whether the package satisfies the feasibility mask.
    red_lines : mapping of str to tuple of Crossing
        Actor -> the red lines of its that the package crosses (only actors with one);
        such an actor blocks the package whatever its utility, and when ``to_win``
        has no change for it, its red line must move.
    """

    id: str
    package: Package
    reservation: Mapping[str, float]
    accepted_by: tuple[str, ...]
    blocked_by: tuple[str, ...]
    to_win: Mapping[str, tuple[Change, ...]]
    feasible: bool = True
    red_lines: Mapping[str, tuple[Crossing, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "package": self.package.to_dict(),
            "utilities": dict(self.package.utilities),
            "reservation": dict(self.reservation),
            "feasible": self.feasible,
            "accepted_by": list(self.accepted_by),
            "blocked_by": list(self.blocked_by),
            "to_win": {b: [c.to_dict() for c in cs] for b, cs in self.to_win.items()},
            "red_lines": {a: [c.to_dict() for c in cs] for a, cs in self.red_lines.items()},
        }


@dataclass(frozen=True)
class ForumEvaluation:
    """Whether a forum (participants and agenda) can reach agreement.

    Attributes
    ----------
    participants : tuple of str
    agenda : tuple of str
        Issues and options that may move; the rest stay at the status quo.
    outcomes : int
        Feasible packages within the agenda.
    zopa : int
        Of those, how many every participant strictly prefers to its reservation
        value.
    agreement_possible : bool
        ``zopa > 0``.
    solution : str
        The solution concept used to pick ``best``.
    best : Package or None
        The package the solution picks (None without agreement).
    reservation : mapping of str to float
    """

    participants: tuple[str, ...]
    agenda: tuple[str, ...]
    outcomes: int
    zopa: int
    agreement_possible: bool
    solution: str
    best: Package | None
    reservation: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "participants": list(self.participants),
            "agenda": list(self.agenda),
            "outcomes": self.outcomes,
            "zopa": self.zopa,
            "agreement_possible": self.agreement_possible,
            "solution": self.solution,
            "best": None if self.best is None else self.best.to_dict(),
            "reservation": dict(self.reservation),
        }


@dataclass(frozen=True)
class BargainResult:
    """The bargaining analysis of one outcome space.

    Attributes
    ----------
    actors : tuple of str
    reservation : mapping of str to float
    outcomes : int
        Feasible outcomes.
    zopa : int
        Outcomes every actor strictly prefers to its reservation value.
    pareto : tuple of Package
        The Pareto frontier (among the ZOPA or among all outcomes, see
        ``parameters["among"]``), in outcome-number order.
    pareto_count : int
        Size of the frontier (``pareto`` may be truncated by ``pareto_limit``).
    solutions : mapping of str to Package or None
        Solution name -> the package it picks (None when the ZOPA is empty).
    proposals : mapping of str to ProposalAssessment
    forums : tuple of ForumEvaluation
    parameters : mapping
        The parameters of the call (``among``, ``tol``, ``chunk_size``, ...).
    method : str
    """

    actors: tuple[str, ...]
    reservation: Mapping[str, float]
    outcomes: int
    zopa: int
    pareto: tuple[Package, ...]
    pareto_count: int
    solutions: Mapping[str, Package | None]
    proposals: Mapping[str, ProposalAssessment] = field(default_factory=dict)
    forums: tuple[ForumEvaluation, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    method: str = "bargain"

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "actors": list(self.actors),
            "reservation": dict(self.reservation),
            "outcomes": self.outcomes,
            "zopa": self.zopa,
            "pareto_count": self.pareto_count,
            "pareto": [p.to_dict() for p in self.pareto],
            "solutions": {k: None if v is None else v.to_dict() for k, v in self.solutions.items()},
            "proposals": {k: v.to_dict() for k, v in self.proposals.items()},
            "forums": [f.to_dict() for f in self.forums],
            "parameters": _jsonable(self.parameters),
        }


@dataclass(frozen=True)
class RobustnessDraw:
    """One Monte Carlo draw of the robustness check (a pure function of ``seed``).

    Attributes
    ----------
    seed : int or None
        The seed of the draw (None when the utilities were not drawn here).
    reservation : mapping of str to float
        Reservation values under the drawn utilities.
    packages_in_zopa : mapping of str to bool
        Package id -> whether every actor (or, for a package tied to a forum, every
        participant) still strictly prefers it to its reservation value, crossing
        none of their red lines.
    forums_agreement : mapping of str to bool
        Forum id -> whether the forum's ZOPA is still non-empty.
    forums_zopa : mapping of str to int
        Forum id -> the forum's ZOPA size under the draw.
    """

    seed: int | None
    reservation: Mapping[str, float]
    packages_in_zopa: Mapping[str, bool]
    forums_agreement: Mapping[str, bool]
    forums_zopa: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "reservation": dict(self.reservation),
            "packages_in_zopa": dict(self.packages_in_zopa),
            "forums_agreement": dict(self.forums_agreement),
            "forums_zopa": dict(self.forums_zopa),
        }
