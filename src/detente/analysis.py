"""Run every analysis a case supports and gather the results (the interface layer).

This module sits above the engines: it calls each engine the case has the parts
for and hands the results to :mod:`detente.report`. Engines never import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from detente.errors import MissingPartError
from detente.model import Case

__all__ = ["Analysis", "analyze"]


@dataclass(frozen=True)
class Analysis:
    """A case and the results of the analyses run on it."""

    case: Case
    results: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def analyze(case: Case) -> Analysis:
    """Run the analyses that ``case`` has the parts for.

    An analysis the case lacks the parts for is listed in ``skipped`` with the reason.
    """
    from detente.bargain.case import bargain
    from detente.gmcr.case import analyze_conflict

    results: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for key, run in (("graph_model", analyze_conflict), ("bargaining", bargain)):
        try:
            results[key] = run(case)
        except MissingPartError as exc:
            skipped[key] = "; ".join(p.message for p in exc.problems)
    return Analysis(case=case, results=results, skipped=skipped)
