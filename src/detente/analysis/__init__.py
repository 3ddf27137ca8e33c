"""Run every analysis a case supports and gather the results (the layer above the engines).

This package sits above the engines: it calls each engine the case has the parts
for, composes their answers about the same packages (:mod:`.verdicts`) into the way
out of the deadlock (:mod:`.wayout`), and hands the results to :mod:`detente.report`.
Engines never import it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from detente.errors import MissingPartError, Problem
from detente.model import Case
from detente.model.consistency import Finding, case_findings

__all__ = ["ENGINES", "Analysis", "Comparison", "Consistency", "analyze", "compare"]


@dataclass(frozen=True)
class Analysis:
    """A case and the results of the analyses run on it."""

    case: Case
    results: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


ENGINES = ("graph_model", "forecast", "bargaining")
STEPS = (
    *ENGINES,
    "perception",
    "history",
    "robustness",
    "way_out",
)  # what ``analyze`` reports to ``on_step``, in order


@dataclass(frozen=True)
class Consistency:
    """Where the case's two halves disagree (:mod:`detente.model.consistency`)."""

    findings: tuple[Finding, ...]
    linked: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "linked": self.linked,
            "findings": [{**f.to_dict(), "location": f.location} for f in self.findings],
        }


def analyze(
    case: Case, *, on_step: Callable[[str], None] | None = None, margins: bool = True
) -> Analysis:
    """Run the analyses that ``case`` has the parts for; the results hold the way out
    first (when the case links its options to its issues, composed from the engines'
    results), then the consistency of the case, then each engine's results; then,
    for the graph model, each party's view of the game where the case states
    perceptions, what the recorded history says, and (with ``margins``) how robust the
    SEQ equilibria, the status quo and the proposals are.

    An analysis the case lacks the parts for is listed in ``skipped`` with the reason.
    ``on_step(key)`` is called before each step runs (for progress bars).
    """
    from detente.analysis.wayout import way_out
    from detente.bargain.case import bargain
    from detente.forecast.case import forecast
    from detente.gmcr.case import analyze_conflict
    from detente.model.links import is_linked

    engines: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for key, run in (
        ("graph_model", analyze_conflict),
        ("forecast", forecast),
        ("bargaining", bargain),
    ):
        if on_step is not None:
            on_step(key)
        try:
            engines[key] = run(case)
        except MissingPartError as exc:
            skipped[key] = "; ".join(p.message for p in exc.problems)
    if "graph_model" in engines:
        engines.update(
            _graph_model_extras(case, on_step, margins=margins, conflict=engines["graph_model"])
        )
    results: dict[str, Any] = {}
    if is_linked(case) and case.preferences and case.issues:
        if on_step is not None:
            on_step("way_out")
        results["way_out"] = way_out(
            case,
            conflict=engines.get("graph_model"),
            forecasts=engines.get("forecast"),
            bargaining=engines.get("bargaining"),
        )
    results["consistency"] = Consistency(tuple(case_findings(case)), is_linked(case))
    results.update(engines)
    return Analysis(case=case, results=results, skipped=skipped)


def _graph_model_extras(
    case: Case, on_step: Callable[[str], None] | None, *, margins: bool, conflict: Any = None
) -> dict[str, Any]:
    """Perception (where the case states any), history (where it records one) and the
    SEQ robustness margins (where parties state priorities)."""
    extras: dict[str, Any] = {}
    if any(p.perceives for p in case.preferences.values()):
        from detente.gmcr.hypergame import analyze_hypergame

        if on_step is not None:
            on_step("perception")
        extras["perception"] = analyze_hypergame(case)
    if case.history:
        from detente.gmcr.history import analyze_history

        if on_step is not None:
            on_step("history")
        stability = conflict.stability if conflict is not None else None
        extras["history"] = analyze_history(case, stability=stability)
    statements = any(p.statements and p.ranking is None for p in case.preferences.values())
    if margins and statements:
        from detente.errors import AnalysisError
        from detente.gmcr.robustness import robustness

        if on_step is not None:
            on_step("robustness")
        # where the margins cannot be searched (misperceptions, say) there is no section
        with contextlib.suppress(AnalysisError):
            extras["robustness"] = robustness(case, concepts=("seq",), conflict=conflict)
    return extras


@dataclass(frozen=True)
class Comparison:
    """The same analyses run on several scenarios of one case, side by side."""

    case: Case
    analyses: dict[str, Analysis]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.id,
            "scenario_names": {s.id: s.name for s in self.case.scenarios if s.id in self.analyses},
            "scenarios": {
                sid: {k: _compact(k, r) for k, r in a.results.items()}
                for sid, a in self.analyses.items()
            },
        }


def _compact(key: str, result: Any) -> dict[str, Any]:
    """A result for side-by-side use: the graph model keeps only the status quo and the
    equilibria among its states (every state of every scenario would run to tens of MB)."""
    data = result.to_dict()
    if key == "graph_model" and "states" in data:
        sq = data.get("status_quo_index")
        data["states"] = [
            s for s in data["states"] if s["index"] == sq or any(s["equilibrium"].values())
        ]
        data["states_listed"] = "the status quo and the equilibria"
    return data


def compare(
    case: Case,
    scenarios: list[str] | None = None,
    *,
    on_step: Callable[[str], None] | None = None,
) -> Comparison:
    """Analyse ``case`` under each scenario (all of them by default).

    ``on_step("SCENARIO:STEP")`` is called before each step of each scenario's
    analysis runs (for progress bars; the steps are among :data:`STEPS`).
    """
    base = case
    if case.scenario_id is not None:
        raise ValueError("compare scenarios of the base case, not of a scenario's view")
    ids = scenarios or list(base.scenario_ids)
    if not ids:
        raise MissingPartError(
            Problem(
                "comparing scenarios needs 'scenarios'; this case has none", path=("scenarios",)
            )
        )
    analyses = {}
    for sid in ids:
        step = None if on_step is None else functools.partial(_scenario_step, on_step, sid)
        analyses[sid] = analyze(base.scenario(sid), on_step=step, margins=False)
    return Comparison(case=base, analyses=analyses)


def _scenario_step(on_step: Callable[[str], None], scenario: str, key: str) -> None:
    on_step(f"{scenario}:{key}")
