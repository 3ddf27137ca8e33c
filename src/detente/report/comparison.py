"""Scenarios side by side: what changes the outcome."""

from __future__ import annotations

from typing import Any

from detente.report.graph_model import CONCEPT_NAMES
from detente.report.sections import Section, Table, join_names

__all__ = ["comparison_section"]


def comparison_section(
    data: dict[str, Any], brief: dict[str, Any], scenario_names: dict[str, str]
) -> Section:
    """Compare each scenario's way out, graph-model, forecasting and bargaining results
    in one table."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    proposal_names = {p["id"]: p["name"] for p in brief["proposals"]}
    ids = list(data["scenarios"])
    columns = ["", *ids]
    rows: list[list[str]] = []
    findings: list[str] = []

    ways = {s: data["scenarios"][s].get("way_out") for s in ids}
    if any(ways.values()):

        def way_cell(w: dict[str, Any] | None) -> str:
            if not w:
                return "-"
            if not w["paths"]:
                return "none found"
            first = w["paths"][0]
            steps = " then ".join(step["label"] for step in first["steps"])
            n = first["n_changes"]
            return f"{steps} ({'no change' if not n else f'{n} change' + ('s' if n > 1 else '')})"

        rows.append(["The way out: first path", *[way_cell(ways[s]) for s in ids]])
        for s in ids:
            w = ways[s]
            if w and w["paths"]:
                first = w["paths"][0]
                n = first["n_changes"]
                steps = " then ".join(step["name"] for step in first["steps"])
                need = (
                    "needs no change"
                    if not n
                    else "needs: " + "; ".join(c["text"] for c in first["changes"])
                )
                findings.append(
                    f"{scenario_names.get(s, s)}: the first way out is {steps}; it {need}."
                )

    graph = {s: data["scenarios"][s].get("graph_model") for s in ids}
    if all(graph.values()):

        def sq_cell(g: dict[str, Any], concept: str) -> str:
            record = next(st for st in g["states"] if st["index"] == g["status_quo_index"])
            unstable = [a for a in g["actors"] if not record["stability"][a][concept]]
            return "equilibrium" if not unstable else "unstable for " + ", ".join(unstable)

        for concept in ("nash", "seq"):
            if all(concept in g["equilibria"] for g in graph.values()):
                rows.append(
                    [
                        f"Status quo under {CONCEPT_NAMES[concept]}",
                        *[sq_cell(graph[s], concept) for s in ids],
                    ]
                )
                rows.append(
                    [
                        f"{CONCEPT_NAMES[concept]} equilibria",
                        *[f"{len(graph[s]['equilibria'][concept]):,}" for s in ids],
                    ]
                )
        for pid in graph[ids[0]].get("proposals", {}):
            cells = []
            for s in ids:
                p = graph[s]["proposals"].get(pid)
                cells.append(
                    "-"
                    if p is None
                    else (
                        "SEQ equilibrium"
                        if p["equilibrium"].get("seq")
                        else "unstable for " + ", ".join(p["unstable_for"].get("seq", []))
                    )
                )
            rows.append([f"{pid} as a state", *cells])
        for pid in graph[ids[0]].get("proposals", {}):
            became = [
                scenario_names.get(s, s)
                for s in ids
                if graph[s]["proposals"].get(pid, {}).get("equilibrium", {}).get("seq")
            ]
            if became and len(became) < len(ids):
                findings.append(
                    f"{proposal_names.get(pid, pid)} is a SEQ equilibrium in {join_names(became)}"
                    f" (not in {join_names([scenario_names.get(x, x) for x in ids if scenario_names.get(x, x) not in became])})."
                )

    forecasts = {s: data["scenarios"][s].get("forecast") for s in ids}
    if all(forecasts.values()):
        first = forecasts[ids[0]]
        model_names = {
            "eum": "expected utility model",
            "smp": "spatial model",
            "mean": "compromise model",
            "median": "weighted median",
        }
        for issue_id, entry in first["issues"].items():
            # detente's forecast (the compromise model, see its record) first, then the
            # models that play rounds
            recommended = (entry.get("recommended") or {}).get("model")
            order = [recommended, "eum", "smp"] if recommended else ["eum", "smp"]
            shown = [m for m in dict.fromkeys(order) if m in entry["models"]]
            shown = shown or list(entry["models"])[:1]
            for model in shown:
                cells = []
                for s in ids:
                    other = forecasts[s]["issues"].get(issue_id, {}).get("models", {}).get(model)
                    cells.append("-" if other is None else f"{other['forecast']:.0f}")
                label = model_names.get(model, model)
                phrase = (
                    f"detente's forecast (the {label})"
                    if model == recommended
                    else f"the {label} forecast"
                )
                rows.append([f"{issue_id}: {phrase}", *cells])
                values = [float(c) for c in cells if c != "-"]
                if values and max(values) - min(values) >= 15:
                    findings.append(
                        f"{phrase if model == recommended else phrase.capitalize()} on "
                        f"{entry['name']} moves from "
                        f"{min(values):.0f} to "
                        f"{max(values):.0f} across these scenarios."
                    )
        findings.append(
            "Forecasts here are single runs on each scenario's point estimates; a forecast of one "
            "scenario with Monte Carlo samples shows how far each moves under uncertain inputs."
        )

    bargaining = {s: data["scenarios"][s].get("bargaining") for s in ids}
    if all(bargaining.values()):
        rows.append(
            [
                "Packages all parties prefer to the status quo",
                *[f"{bargaining[s]['zopa']:,}" for s in ids],
            ]
        )
        for pid in bargaining[ids[0]]["proposals"]:
            rows.append(
                [
                    f"{pid}: blocked by",
                    *[
                        ", ".join(bargaining[s]["proposals"][pid]["blocked_by"]) or "nobody"
                        for s in ids
                    ],
                ]
            )
        for pid in bargaining[ids[0]]["proposals"]:
            accepted = [
                scenario_names.get(s, s)
                for s in ids
                if not bargaining[s]["proposals"][pid]["blocked_by"]
            ]
            if accepted and len(accepted) < len(ids):
                findings.append(
                    f"{proposal_names.get(pid, pid)} is accepted by every party in {join_names(accepted)}"
                    f" (not in {join_names([scenario_names.get(x, x) for x in ids if scenario_names.get(x, x) not in accepted])})."
                )
        for forum in bargaining[ids[0]].get("forums", []):
            rows.append(
                [
                    f"{forum['name']}: packages in the zone",
                    *[
                        next(
                            (
                                f"{f['zopa']:,}"
                                for f in bargaining[s].get("forums", [])
                                if f["id"] == forum["id"]
                            ),
                            "-",
                        )
                        for s in ids
                    ],
                ]
            )
    if not findings:
        findings.append("No proposal changes status between these scenarios.")
    del names
    return Section(
        "comparison",
        "Scenarios side by side",
        findings,
        [
            Table(
                "What changes between scenarios",
                columns,
                rows,
                note="Rows name proposals and issues by their ids, as the case file does "
                "(detente show CASE gives their names).",
            )
        ],
    )
