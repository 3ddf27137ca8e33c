"""Reports: the same content as terminal text (rich), Markdown and JSON.

Reports never run an engine: the caller runs the analyses and passes the
results in (see :mod:`detente.analysis`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType

from detente.model import Case
from detente.report.backtest import backtest_figure
from detente.report.bargaining import bargaining_section
from detente.report.brief import case_brief
from detente.report.comparison import comparison_section
from detente.report.dynamics import (
    evolution_section,
    heterogeneous_section,
    history_section,
    perception_section,
    robustness_section,
    uncertain_section,
)
from detente.report.forecasting import forecast_section
from detente.report.graph_model import graph_model_section
from detente.report.markdown import case_markdown, sections_markdown
from detente.report.sections import Section
from detente.report.text import case_sections, section_renderables
from detente.report.wayout import consistency_section, way_out_section

if TYPE_CHECKING:
    from detente.analysis import Analysis, Comparison

__all__ = [
    "Report",
    "analysis_report",
    "backtest_figure",
    "backtest_report",
    "case_brief",
    "case_report",
    "engine_report",
    "validation_summary",
]


@dataclass(frozen=True)
class Report:
    """A report's content, renderable as terminal text, Markdown or JSON.

    ``data`` holds each engine's results as plain data (the JSON output);
    ``sections`` the same results as findings and tables for readers.
    """

    brief: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    show_case: bool = True
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        if not self.show_case and len(self.data) == 1:
            return next(iter(self.data.values()))
        out: dict[str, Any] = {"case": self.brief, **self.data}
        if self.notes:
            out["notes"] = list(self.notes)
        if self.skipped:
            out["skipped"] = dict(self.skipped)
        return out

    def to_markdown(self) -> str:
        head = case_markdown(self.brief) if self.show_case else f"# {self.brief['title']}\n\n"
        notes = "".join(f"\n*{n}*\n" for n in self.notes)
        return (
            head
            + sections_markdown(self.sections, self.skipped, findings_first=self.show_case)
            + notes
        )

    def to_html(self, *, figure_options: dict[str, dict[str, Any]] | None = None) -> str:
        """The report as one HTML page with its plots; ``figure_options`` per engine, e.g.
        ``{"bargaining": {"pair": ("USA", "PRK")}}`` for the utility space of that pair."""
        from detente.report.html import render_html

        return render_html(self, figure_options)

    def renderables(self, *, tables: bool = True) -> Iterator[RenderableType]:
        """The report for a terminal; without ``tables``, the case's title and the findings
        alone (for a command whose full report went to a file)."""
        if self.show_case and self.sections:
            case = case_sections(self.brief, compact=True)
            # the title panel opens the case; its tables went to the file too
            yield from case if tables else itertools.islice(case, 1)
            yield from section_renderables(
                self.sections, self.skipped, findings_first=True, notes=self.notes, tables=tables
            )
            return
        if self.show_case:
            yield from case_sections(self.brief)
        yield from section_renderables(self.sections, self.skipped, tables=tables)


def _comparison_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Scenarios side by side, from :meth:`Comparison.to_dict` output."""
    return comparison_section(data, brief, data.get("scenario_names") or {})


def _consistency_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    return consistency_section(data["findings"], brief, linked=data.get("linked", True))


SECTION_BUILDERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], Section]] = {
    "way_out": way_out_section,
    "consistency": _consistency_section,
    "graph_model": graph_model_section,
    "forecast": forecast_section,
    "bargaining": bargaining_section,
    "comparison": _comparison_section,
    "heterogeneous": heterogeneous_section,
    "history": history_section,
    "evolution": evolution_section,
    "perception": perception_section,
    "robustness": robustness_section,
    "uncertain": uncertain_section,
}


def case_report(case: Case) -> Report:
    """The case in brief."""
    return Report(brief=case_brief(case))


def analysis_report(analysis: Analysis, *, states: str = "auto") -> Report:
    """The full analysis report: the case in brief, then each engine's findings.

    The caller runs the analyses (:func:`detente.analysis.analyze`) and passes them in.
    ``states`` says which states the graph model's data lists a record for (see
    :func:`detente.gmcr.results.conflict_dict`): ``"auto"`` as its JSON output gives
    them, or ``"shown"``, only those the report shows (the status quo and the
    equilibria), for a report that is read (text, Markdown, HTML) rather than kept
    as data; the report reads the same either way.
    """
    brief = case_brief(analysis.case)
    data = {
        key: result.to_dict(states=states) if key == "graph_model" else result.to_dict()
        for key, result in analysis.results.items()
    }
    sections = [
        SECTION_BUILDERS[key](value, brief)
        for key, value in data.items()
        if key in SECTION_BUILDERS
    ]
    notes = []
    if "graph_model" in data and ({"forecast", "bargaining"} & set(data)) and "way_out" not in data:
        notes.append(
            "This case does not link its options to its issues, so the graph model (options and "
            "priorities) and the forecast and bargaining (issue scales and stances) judge two "
            "descriptions of the packages, and no way out is computed. Say what each option does "
            "on the issues ('effects' in the case file) to get one verdict per package."
        )
    return Report(
        brief=brief, data=data, sections=sections, skipped=dict(analysis.skipped), notes=notes
    )


def engine_report(
    key: str,
    result: Any,
    case: Case,
    *,
    section: Callable[[dict[str, Any], dict[str, Any]], Section] | None = None,
) -> Report:
    """A report on one engine's results alone (for ``detente bargain`` and the like);
    ``section`` overrides how the results are told. Where the case's two halves
    disagree, the report opens with the consistency findings (text, Markdown and
    HTML; the JSON output stays the engine's own, and ``detente validate`` gives the
    findings as JSON)."""
    from detente.model.consistency import case_findings

    brief = case_brief(case)
    data = {key: result.to_dict()}
    build = section or SECTION_BUILDERS[key]
    sections = [build(data[key], brief)]
    findings = case_findings(case)
    if findings:
        found = [{**f.to_dict(), "location": f.location} for f in findings]
        sections.insert(0, consistency_section(found, brief))
    return Report(brief=brief, data=data, sections=sections, show_case=False)


def backtest_report(result: Any, *, stances: str, outcomes: str) -> Report:
    """A backtest's report (the caller runs :func:`detente.forecast.backtest.backtest`);
    ``stances`` and ``outcomes`` name the tables in the heading."""
    from detente.report.backtest import backtest_brief, backtest_section

    data = result.to_dict()
    return Report(
        brief=backtest_brief(data, stances=stances, outcomes=outcomes),
        data={"backtest": data},
        sections=[backtest_section(data)],
        show_case=False,
    )


def comparison_report(comparison: Comparison) -> Report:
    """Scenarios side by side (the caller runs :func:`detente.analysis.compare`)."""
    brief = case_brief(comparison.case)
    data = comparison.to_dict()
    section = _comparison_section(data, brief)
    return Report(brief=brief, data={"comparison": data}, sections=[section], show_case=False)


def validation_summary(
    case: Case, *, source: str, base: Case | None = None, only_scenario: bool = False
) -> dict[str, Any]:
    """What ``detente validate`` says about a valid case: counts, warnings, where its
    two halves disagree (for ``base`` and each of its scenarios, or ``case`` alone;
    with ``only_scenario``, for ``case``'s scenario alone) and which engines each
    scenario changes."""
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
    from detente.model.consistency import case_findings, scenario_engines
    from detente.model.links import is_linked

    warnings = case_warnings(case)
    checked = base if base is not None else case
    findings = case_findings(checked)
    if only_scenario and case.scenario_id is not None:
        findings = [f for f in findings if f.scenario in (None, case.scenario_id)]
    return {
        "source": source,
        "id": case.id,
        "title": case.title,
        "scenario": case.scenario_id,
        "counts": counts,
        "warnings": warnings,
        "linked": is_linked(checked),
        "consistency": [{**f.to_dict(), "location": f.location} for f in findings],
        "scenario_engines": {s.id: list(scenario_engines(checked, s)) for s in checked.scenarios},
    }
