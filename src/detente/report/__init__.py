"""Reports: the same content as terminal text (rich), Markdown and JSON.

Reports never run an engine: the caller runs the analyses and passes the
results in (see :mod:`detente.analysis`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType

from detente.model import Case
from detente.report.brief import case_brief
from detente.report.markdown import case_markdown
from detente.report.text import case_sections

if TYPE_CHECKING:
    from detente.analysis import Analysis

__all__ = ["Report", "analysis_report", "case_brief", "case_report", "validation_summary"]


@dataclass(frozen=True)
class Report:
    """A report's content, renderable as terminal text, Markdown or JSON."""

    brief: dict[str, Any]
    sections: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.brief, **self.sections}

    def to_markdown(self) -> str:
        return case_markdown(self.brief)

    def renderables(self) -> Iterator[RenderableType]:
        yield from case_sections(self.brief)


def case_report(case: Case) -> Report:
    """The case in brief."""
    return Report(brief=case_brief(case))


def analysis_report(analysis: Analysis) -> Report:
    """The full analysis report: the case in brief, then each engine's findings.

    The caller runs the analyses (:func:`detente.analysis.analyze`) and passes them in.
    """
    return Report(brief=case_brief(analysis.case), sections=dict(analysis.results))


def validation_summary(case: Case, *, source: str) -> dict[str, Any]:
    """What ``detente validate`` says about a valid case: counts and warnings."""
    counts = {
        "actors": len(case.actors),
        "options": len(case.options),
        "constraints": len(case.constraints),
        "preference orderings": len(case.preferences),
        "issues": len(case.issues),
        "proposals": len(case.proposals),
        "forums": len(case.forums),
        "timeline events": len(case.timeline),
        "scenarios": len(case.scenarios),
        "sources": len(case.sources),
    }
    from detente.model.checks import case_warnings

    warnings = case_warnings(case)
    return {
        "source": source,
        "id": case.id,
        "title": case.title,
        "scenario": case.scenario_id,
        "counts": counts,
        "warnings": warnings,
    }
