"""The graph-model section: which outcomes are stable, and where the status quo can go."""

from __future__ import annotations

from typing import Any

from detente.report.sections import Section, Table, join_names

__all__ = ["graph_model_section", "path_story", "status_quo_section"]

CONCEPT_NAMES = {
    "nash": "Nash",
    "gmr": "GMR",
    "smr": "SMR",
    "seq": "SEQ",
    "sim": "SIM",
    "seq_sim": "SEQ+SIM",
    "lh": "limited move",
    "nm": "non-myopic",
}
CONCEPT_NOTE = (
    "Nash: no party can gain by moving alone. GMR (general metarationality): every gain can be "
    "answered by the others. SMR (symmetric metarationality): the answer holds even after a counter-move. "
    "SEQ (sequential stability): answered by moves the others gain from themselves."
)


def _concepts(data: dict[str, Any]) -> list[str]:
    return list(data["equilibria"])


def path_story(steps: list[dict[str, Any]], names: dict[str, str], labels: dict[str, str]) -> str:
    """A path of moves told as a sentence: 'Russia starts: ...; then North Korea stops: ...'."""
    parts = []
    for k, step in enumerate(steps):
        actor = names.get(step["actor"], step["actor"])
        changes = [
            ("takes up" if taken else "drops") + f" '{labels.get(option, option)}'"
            for option, taken in step["changed"].items()
        ]
        parts.append(("then " if k else "") + f"{actor} {' and '.join(changes)}")
    return "; ".join(parts)


def graph_model_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Turn :meth:`ConflictAnalysis.to_dict` output into findings and tables."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    labels = {o["id"]: o["label"] for o in brief["options"]}
    proposal_names = {p["id"]: p["name"] for p in brief["proposals"]}
    concepts = _concepts(data)
    states = {s["index"]: s for s in data.get("states", [])}
    actors = data["actors"]
    n_states = data.get("n_states", len(states))
    findings: list[str] = []

    sq = data.get("status_quo")
    sq_index = data.get("status_quo_index")
    if sq_index is not None and sq_index in states:
        record = states[sq_index]
        stable_all = [c for c in concepts if record["equilibrium"][c]]
        unstable = {
            c: [names.get(a, a) for a in actors if not record["stability"][a][c]]
            for c in concepts
            if not record["equilibrium"][c]
        }
        text = f"The status quo (state {sq_index} of {n_states:,}) "
        if stable_all:
            text += f"is an equilibrium under {join_names([CONCEPT_NAMES[c] for c in stable_all])}"
            if "nash" in stable_all and len(data["equilibria"]["nash"]) == 1:
                text += ", and the only Nash equilibrium"
            text += ": no party gains by leaving it"
            if unstable:
                text += " under those concepts"
        if unstable:
            clauses = [
                f"under {CONCEPT_NAMES[c]} it is unstable for {join_names(who)}"
                for c, who in unstable.items()
            ]
            if stable_all:
                text += "; " + "; ".join(clauses)
            else:
                text += "is no equilibrium: " + "; ".join(clauses)
        findings.append(text + ".")

    for c in concepts:
        eq = data["equilibria"][c]
        if eq is None:
            continue
        findings.append(
            f"{CONCEPT_NAMES[c]}: {len(eq):,} equilibri{'um' if len(eq) == 1 else 'a'} among {n_states:,} feasible states."
        )
    key = "seq" if "seq" in concepts else concepts[0]
    eq = data["equilibria"].get(key) or []
    if eq and states:
        never = [
            o["id"]
            for o in brief["options"]
            if not any(states[i]["options"][o["id"]] for i in eq if i in states)
        ]
        always = [
            o["id"]
            for o in brief["options"]
            if all(states[i]["options"][o["id"]] for i in eq if i in states)
        ]
        if never:
            findings.append(
                f"No {CONCEPT_NAMES[key]} equilibrium has: {'; '.join(labels.get(o, o) for o in never)}."
            )
        if always:
            findings.append(
                f"Every {CONCEPT_NAMES[key]} equilibrium has: {'; '.join(labels.get(o, o) for o in always)}."
            )

    if sq:
        reachable = sq.get("reachable", [])
        paths = sq.get("paths", {})
        if not reachable:
            findings.append(
                "From the status quo no party has a unilateral improvement: by moves made alone, the "
                "conflict stays where it is."
            )
        else:
            findings.append(
                f"From the status quo, {len(reachable):,} state{'s' if len(reachable) != 1 else ''} can be reached "
                "by sequences of unilateral improvements."
            )
            reached = {int(k): v for k, v in paths.items()}
            for c, targets in sq.get("equilibria", {}).items():
                if c != key:
                    continue
                for target in targets:
                    if target == sq_index or target not in reached:
                        continue
                    findings.append(
                        f"Path to {CONCEPT_NAMES[c]} equilibrium {target}: {path_story(reached[target], names, labels)}."
                    )

    for pid, p in data.get("proposals", {}).items():
        label = proposal_names.get(pid, pid)
        eq_under = [CONCEPT_NAMES[c] for c in concepts if p["equilibrium"].get(c)]
        text = f"{label} (state {p['index']})"
        if eq_under:
            text += f" is an equilibrium under {join_names(eq_under)}"
        else:
            who = p["unstable_for"].get(key, [])
            text += f" is not an equilibrium: under {CONCEPT_NAMES[key]} {join_names([names.get(a, a) for a in who])} would leave it"
        if p["index"] == sq_index:
            text += "; it is the status quo itself."
        elif p.get("reachable_from_status_quo"):
            text += "; the status quo can reach it by unilateral improvements."
        else:
            text += "; the status quo cannot reach it by unilateral improvements alone."
        findings.append(text)

    coalitions = data.get("coalitions")
    if coalitions and sq_index is not None:
        record = (
            coalitions["states"][sq_index - 1] if len(coalitions["states"]) >= sq_index else None
        )
        if record and record["index"] == sq_index:
            movers = [k for k, v in record["coalition_improvement"].items() if v]
            if movers:
                pretty = [" with ".join(names.get(a, a) for a in k.split("+")) for k in movers]
                findings.append(
                    "Acting together, "
                    + join_names(pretty)
                    + " could each move the status quo to a state every member prefers; no single party can."
                    if not (sq or {}).get("reachable")
                    else "Acting together, "
                    + join_names(pretty)
                    + " could each improve on the status quo."
                )
                for k in movers:
                    stab = record["coalition_stability"][k]
                    held = [CONCEPT_NAMES[c] for c, v in stab.items() if v]
                    if held:
                        findings.append(
                            f"Against {' with '.join(names.get(a, a) for a in k.split('+'))}, the status quo still holds under {join_names(held)}: "
                            "the others can answer their joint move."
                        )
            else:
                findings.append(
                    "No coalition analysed has a joint move from the status quo that all its members prefer."
                )

    tables = []
    if sq_index is not None and sq_index in states:
        record = states[sq_index]
        tables.append(
            Table(
                f"Stability of the status quo (state {sq_index}, {record['pattern']})",
                ["Party", *[CONCEPT_NAMES[c] for c in concepts]],
                [
                    [
                        names.get(a, a),
                        *["stable" if record["stability"][a][c] else "unstable" for c in concepts],
                    ]
                    for a in actors
                ],
                note=CONCEPT_NOTE,
            )
        )
    if eq and states:
        shown = eq[:12]
        tables.append(
            Table(
                f"{CONCEPT_NAMES[key]} equilibria ({len(eq):,}; first {len(shown)} shown)",
                ["State", "Pattern", "Options taken"],
                [
                    [
                        str(i),
                        states[i]["pattern"],
                        ", ".join(o for o, v in states[i]["options"].items() if v) or "none",
                    ]
                    for i in shown
                    if i in states
                ],
                note="Pattern: Y/N per option in case order ("
                + ", ".join(o["id"] for o in brief["options"])
                + ").",
            )
        )
    if data.get("proposals"):
        tables.append(
            Table(
                "Proposals as states",
                ["Proposal", "State", *[CONCEPT_NAMES[c] for c in concepts], "Reachable"],
                [
                    [
                        proposal_names.get(pid, pid),
                        str(p["index"]),
                        *[
                            "equilibrium"
                            if p["equilibrium"].get(c)
                            else "unstable: " + ", ".join(p["unstable_for"].get(c, []))
                            for c in concepts
                        ],
                        "yes" if p.get("reachable_from_status_quo") else "no",
                    ]
                    for pid, p in data["proposals"].items()
                ],
            )
        )
    return Section("graph_model", "Graph model: which outcomes are stable", findings, tables)


def status_quo_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """The status quo's fate as a story: how stable it is, where it can go, and by whose moves."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    labels = {o["id"]: o["label"] for o in brief["options"]}
    full = graph_model_section(data, brief)
    findings = [f for f in full.findings if f.startswith("The status quo")]
    sq = data.get("status_quo") or {}
    sq_index = data.get("status_quo_index")
    states = {s["index"]: s for s in data.get("states", [])}
    reachable = sq.get("reachable", [])
    if sq_index in states:
        taken = [labels.get(o, o) for o, v in states[sq_index]["options"].items() if v]
        findings.insert(0, "Now: " + ("; ".join(taken) if taken else "no option is taken") + ".")
    if not reachable:
        findings.append(
            "No party has a unilateral improvement from the status quo: by moves made alone, the conflict stays where it is."
        )
    else:
        findings.append(
            f"{len(reachable):,} states can be reached by sequences of unilateral improvements."
        )
    paths = {int(k): v for k, v in (sq.get("paths") or {}).items()}
    told: set[int] = set()
    rows = []
    for concept, targets in (sq.get("equilibria") or {}).items():
        for target in targets:
            if target == sq_index:
                continue
            rows.append(
                [
                    CONCEPT_NAMES.get(concept, concept),
                    str(target),
                    states[target]["pattern"] if target in states else "",
                ]
            )
            if target in paths and target not in told:
                told.add(target)
                findings.append(
                    f"To equilibrium {target}: {path_story(paths[target], names, labels)}."
                )
    if reachable and not told:
        findings.append(
            "None of the states it can reach is an equilibrium other than the status quo."
        )
    findings += [
        f for f in full.findings if f.startswith("Acting together") or f.startswith("Against ")
    ]
    tables = [t for t in full.tables if t.title.startswith("Stability of the status quo")]
    if rows:
        tables.append(
            Table("Equilibria the status quo reaches", ["Concept", "State", "Pattern"], rows)
        )
    return Section(
        "status_quo", "The status quo: how stable it is and where it can go", findings, tables
    )
