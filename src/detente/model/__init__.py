"""The case model: a negotiation written down, validated and immutable.

See :class:`Case` for the sections; :mod:`detente.model.expressions` for the
grammar of constraints, preference statements and participation rules; and
:mod:`detente.model.io` for reading case files.
"""

from __future__ import annotations

from detente.model.case import Case, Scenario, StanceChange
from detente.model.sections import (
    Actor,
    Constraint,
    Event,
    Forum,
    Issue,
    Option,
    ParticipationRule,
    Preferences,
    Proposal,
    Source,
    Stance,
    Statement,
)

__all__ = [
    "Actor",
    "Case",
    "Constraint",
    "Event",
    "Forum",
    "Issue",
    "Option",
    "ParticipationRule",
    "Preferences",
    "Proposal",
    "Scenario",
    "Source",
    "Stance",
    "StanceChange",
    "Statement",
]
