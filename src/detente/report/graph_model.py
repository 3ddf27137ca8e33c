"""The graph-model section: which outcomes are stable, and where the status quo can go."""

from __future__ import annotations

from typing import Any

from detente.report.sections import Section, Table, join_names
from detente.report.text import definite

__all__ = [
    "explanation_lines",
    "graph_model_section",
    "path_story",
    "preference_tables",
    "stability_tables",
    "status_quo_section",
]

MAX_STATE_ROWS = 50
"""A table of states shows at most this many rows; its note says how many were left
out and where to find every state."""

MAX_PATHS_TOLD = 10
"""At most this many paths from the status quo are told as findings; the rest are
counted (every path is in the JSON output, under ``status_quo.paths``)."""

ALL_STATES_HINT = (
    "every state is in the JSON output (--format json --states all) and in a table file "
    "(--states-out states.csv or states.parquet)"
)

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
CONCEPT_MEANINGS = {
    "nash": "Nash: no party can gain by moving alone.",
    "gmr": "GMR (general metarationality): every gain can be answered by the others.",
    "smr": "SMR (symmetric metarationality): the answer holds even after a counter-move.",
    "seq": "SEQ (sequential stability): answered by moves the others gain from themselves.",
    "sim": "SIM (simultaneous sanctioning): every gain is undone when the other moves at the same time.",
    "seq_sim": "SEQ+SIM: stable under SEQ or under SIM.",
    "lh": "L{h} (limited move, horizon {h}): no gain when both look {h} moves ahead.",
    "nm": "Non-myopic: no gain when both look as far ahead as the conflict allows.",
}


def concept_note(concepts: list[str], horizon: int | None = None) -> str:
    """The legend for the concepts shown."""
    h = horizon if horizon is not None else "h"
    return " ".join(CONCEPT_MEANINGS[c].format(h=h) for c in concepts if c in CONCEPT_MEANINGS)


def concept_name(concept: str, data: dict[str, Any] | None = None) -> str:
    """The concept's short name; limited move carries its horizon (L2, L3, ...)."""
    if concept == "lh" and data is not None:
        horizon = (data.get("parameters") or {}).get("horizon")
        if horizon is not None:
            return f"L{horizon}"
    return CONCEPT_NAMES.get(concept, concept.upper())


def _moves_kind(sq: dict[str, Any]) -> str:
    """What the status-quo analysis followed: 'unilateral improvements' or 'unilateral moves'."""
    return str((sq.get("parameters") or {}).get("moves", "unilateral improvements"))


def _concepts(data: dict[str, Any]) -> list[str]:
    return list(data["equilibria"])


def path_story(steps: list[dict[str, Any]], names: dict[str, str], labels: dict[str, str]) -> str:
    """A path of moves told as a sentence: 'Russia starts: ...; then North Korea stops: ...'.
    The moves of a coalition's joint move are told together, with its members named."""
    parts: list[str] = []
    k = 0
    while k < len(steps):
        coalition = steps[k].get("coalition")
        group = [steps[k]]
        while coalition and k + len(group) < len(steps):
            if steps[k + len(group)].get("coalition") != coalition:
                break
            group.append(steps[k + len(group)])
        moves = []
        for step in group:
            actor = definite(names.get(step["actor"], step["actor"]))
            changes = [
                ("takes up" if taken else "drops") + f" '{labels.get(option, option)}'"
                for option, taken in step["changed"].items()
            ]
            moves.append(f"{actor} {' and '.join(changes)}")
        text = ", then ".join(moves)
        if coalition:
            members = join_names([definite(names.get(a, a)) for a in coalition])
            text = f"{members} together ({text})"
        parts.append(("then " if parts else "") + text)
        k += len(group)
    return "; ".join(parts)


def graph_model_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Turn :meth:`ConflictAnalysis.to_dict` output into findings and tables."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    labels = {o["id"]: o["label"] for o in brief["options"]}
    proposal_names = {p["id"]: p["name"] for p in brief["proposals"]}
    concepts = _concepts(data)
    label_of = {c: concept_name(c, data) for c in concepts}
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
            c: [definite(names.get(a, a)) for a in actors if not record["stability"][a][c]]
            for c in concepts
            if not record["equilibrium"][c]
        }
        text = f"The status quo (state {sq_index} of {n_states:,}) "
        if stable_all:
            text += f"is an equilibrium under {join_names([label_of[c] for c in stable_all])}"
            if "nash" in stable_all and len(data["equilibria"]["nash"]) == 1:
                text += ", and the only Nash equilibrium"
            text += ": no party gains by leaving it"
            if unstable:
                text += " under those concepts"
        if unstable:
            clauses = [
                f"under {label_of[c]} it is unstable for {join_names(who)}"
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
            f"{label_of[c]}: {len(eq):,} equilibri{'um' if len(eq) == 1 else 'a'} among {n_states:,} feasible states."
        )
    key = "seq" if "seq" in concepts else concepts[0]
    eq = data["equilibria"].get(key) or []
    summary = (data.get("equilibrium_options") or {}).get(key)
    if eq and summary is not None:
        # the engine's own summary covers every equilibrium, listed or not
        never, always = list(summary["never"]), list(summary["always"])
    elif eq and states:
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
    else:
        never, always = [], []
    if eq:
        if never:
            findings.append(
                f"No {label_of[key]} equilibrium has: {'; '.join(labels.get(o, o) for o in never)}."
            )
        if always:
            findings.append(
                f"Every {label_of[key]} equilibrium has: {'; '.join(labels.get(o, o) for o in always)}."
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
                f"by sequences of {_moves_kind(sq)}."
            )
            reached = {int(k): v for k, v in paths.items()}
            targets = [
                t for t in sq.get("equilibria", {}).get(key, []) if t != sq_index and t in reached
            ]
            for target in targets[:MAX_PATHS_TOLD]:
                findings.append(
                    f"Path to {label_of[key]} equilibrium {target}: {path_story(reached[target], names, labels)}."
                )
            findings += _paths_left_out(len(targets), f"{label_of[key]} equilibria")

    for pid, p in data.get("proposals", {}).items():
        label = proposal_names.get(pid, pid)
        eq_under = [label_of[c] for c in concepts if p["equilibrium"].get(c)]
        text = f"{label} (state {p['index']})"
        if eq_under:
            text += f" is an equilibrium under {join_names(eq_under)}"
        else:
            who = p["unstable_for"].get(key, [])
            text += f" is not an equilibrium: under {label_of[key]} {join_names([definite(names.get(a, a)) for a in who])} would leave it"
        if p["index"] == sq_index:
            text += "; it is the status quo itself."
        elif p.get("reachable_from_status_quo"):
            text += f"; the status quo can reach it by {_moves_kind(sq or {})}."
        else:
            text += f"; the status quo cannot reach it by {_moves_kind(sq or {})} alone."
        findings.append(text)

    coalitions = data.get("coalitions")
    if not coalitions:
        findings += joint_move_findings(data, names, label_of)
    if coalitions and sq_index is not None:
        record = next((s for s in coalitions["states"] if s["index"] == sq_index), None)
        if record:
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
                    held = [label_of[c] for c, v in stab.items() if v]
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
    if coalitions:
        groups = [" with ".join(names.get(a, a) for a in g) for g in coalitions["coalitions"]]

        def listed(indices: list[int]) -> str:
            text = ", ".join(str(i) for i in indices[:12])
            return (
                (text + f" (+{len(indices) - 12} more)") if len(indices) > 12 else (text or "none")
            )

        rows = []
        for c, joint in coalitions["equilibria"].items():
            alone = (coalitions.get("individual") or {}).get("equilibria", {}).get(c)
            alone = alone if alone is not None else data["equilibria"].get(c) or []
            rows.append([label_of.get(c, concept_name(c, data)), listed(alone), listed(joint)])
            lost = sorted(set(alone) - set(joint))
            if lost:
                findings.append(
                    f"Coalitions unsettle {len(lost):,} of the {len(alone):,} {concept_name(c, data)} "
                    f"equilibri{'um' if len(alone) == 1 else 'a'} (e.g. state {lost[0]}): some coalition "
                    "has a joint move every member prefers that the others cannot answer."
                )
        tables.append(
            Table(
                "Equilibria with coalitions",
                ["Concept", "Parties alone", "Also against coalitions"],
                rows,
                note="Coalitions analysed: " + "; ".join(groups) + ". A coalition moves by legal "
                "sequences of its members' moves; its move counts when every member gains "
                "(Kilgour et al. 2001; Inohara and Hipel 2008)."
                + (
                    " Under SEQ the others may also sanction by joint improvements of groups "
                    "of them."
                    if (coalitions.get("parameters") or {}).get("sanctions") == "joint"
                    else " Under SEQ the others sanction by their own unilateral improvements."
                ),
            )
        )
    if sq_index is not None and sq_index in states:
        record = states[sq_index]
        tables.append(
            Table(
                f"Stability of the status quo (state {sq_index}, {record['pattern']})",
                ["Party", *[label_of[c] for c in concepts]],
                [
                    [
                        names.get(a, a),
                        *["stable" if record["stability"][a][c] else "unstable" for c in concepts],
                    ]
                    for a in actors
                ],
                note=concept_note(concepts, (data.get("parameters") or {}).get("horizon")),
            )
        )
    shown = [i for i in eq if i in states][:12]
    if shown:
        which = (
            f"first {len(shown)}"
            if shown == eq[: len(shown)]
            else f"{len(shown)} around the status quo"
        )
        note = (
            "Pattern: Y/N per option in case order ("
            + ", ".join(o["id"] for o in brief["options"])
            + ")."
        )
        if len(shown) < len(eq):
            note += f" {len(eq) - len(shown):,} more not shown: {ALL_STATES_HINT}."
        tables.append(
            Table(
                f"{label_of[key]} equilibria ({len(eq):,}"
                + (f"; {which} shown)" if len(shown) < len(eq) else ")"),
                ["State", "Pattern", "Options taken"],
                [
                    [
                        str(i),
                        states[i]["pattern"],
                        ", ".join(o for o, v in states[i]["options"].items() if v) or "none",
                    ]
                    for i in shown
                ],
                note=note,
            )
        )
    if data.get("proposals"):
        tables.append(
            Table(
                "Proposals as states",
                ["Proposal", "State", *[label_of[c] for c in concepts], "Reachable"],
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


MAX_JOINT_TOLD = 3
"""At most this many equilibria are named with the joint moves that leave them."""


def joint_move_findings(
    data: dict[str, Any], names: dict[str, str], label_of: dict[str, str]
) -> list[str]:
    """The joint moves the state graph draws out of the status quo (and, where it draws
    every state, out of equilibria), told in words, for an analysis that followed no
    coalition: the figure draws pairs' joint improvements dashed, and the text, which
    speaks of parties moving alone, must not leave them unsaid (a stable state that two
    parties would leave together is not what "no party gains by leaving it" suggests)."""
    graph = data.get("state_graph") or {}
    nodes = {n["index"]: n for n in graph.get("nodes", [])}
    out: dict[int, dict[tuple[str, ...], list[int]]] = {}
    for e in graph.get("edges", []):
        if e["kind"] == "coalition" and e["from"] in nodes:
            out.setdefault(e["from"], {}).setdefault(tuple(e["movers"]), []).append(e["to"])
    if not out:
        return []

    def moves(by: dict[tuple[str, ...], list[int]]) -> str:
        told = []
        for movers, targets in by.items():
            who = " with ".join(definite(names.get(a, a)) for a in movers)
            shown = join_names([str(t) for t in targets[:3]])
            more = f" and {len(targets) - 3:,} more" if len(targets) > 3 else ""
            told.append(f"{who} (to state{'s' if len(targets) > 1 else ''} {shown}{more})")
        return "; ".join(told)

    hint = "coalitions were not analysed: detente stability --coalitions checks their stability"
    findings = []
    sq = graph.get("status_quo")
    if sq in out:
        findings.append(
            f"Acting together, a coalition could move the status quo (state {sq}) to a state "
            f"all its members prefer: {moves(out[sq])}. The state graph (HTML report, web "
            f"app) draws these joint moves dashed ({hint})."
        )
    if graph.get("states") != "all":
        return findings  # a view draws no joint move out of its other equilibria
    left = [
        i for i in sorted(out) if i != sq and any(nodes[i]["equilibrium"].get(c) for c in label_of)
    ]
    for i in left[:MAX_JOINT_TOLD]:
        under = [label_of[c] for c in label_of if nodes[i]["equilibrium"].get(c)]
        findings.append(
            f"State {i} is an equilibrium under {join_names(under)} for parties moving alone, "
            f"but a coalition could leave it for a state all its members prefer: "
            f"{moves(out[i])}; dashed in the state graph (HTML report, web app; {hint})."
        )
    if len(left) > MAX_JOINT_TOLD:
        findings.append(
            f"{len(left) - MAX_JOINT_TOLD:,} more equilibria have joint moves out of them "
            "(drawn in the state graph)."
        )
    return findings


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
            f"{len(reachable):,} state{'s' if len(reachable) != 1 else ''} can be reached by "
            f"sequences of {_moves_kind(sq)}."
        )
    paths = {int(k): v for k, v in (sq.get("paths") or {}).items()}
    under: dict[int, list[str]] = {}
    for concept, targets in (sq.get("equilibria") or {}).items():
        for target in targets:
            under.setdefault(target, []).append(concept_name(concept, data))
    rows = [
        [
            str(target) + (" (the status quo)" if target == sq_index else ""),
            states[target]["pattern"] if target in states else "",
            ", ".join(under[target]),
        ]
        for target in sorted(under)
    ]
    told = [t for t in sorted(under) if t != sq_index and t in paths]
    for target in told[:MAX_PATHS_TOLD]:
        findings.append(
            f"To state {target} (an equilibrium under {join_names(under[target])}): "
            f"{path_story(paths[target], names, labels)}."
        )
    findings += _paths_left_out(len(told), "equilibria")
    joint = data.get("status_quo_with_coalitions")
    if joint:
        coalitions = (joint.get("parameters") or {}).get("coalitions", [])
        n = len(data["actors"])
        if len(coalitions) == n * (n - 1) // 2 and all(len(g) == 2 for g in coalitions):
            who = "any two parties acting together"
        else:
            who = (
                "coalitions acting together ("
                + "; ".join(join_names([names.get(a, a) for a in g]) for g in coalitions)
                + ")"
            )
        more = sorted(set(joint["reachable"]) - set(reachable))
        findings.append(
            f"With {who}, {len(joint['reachable']):,} "
            f"state{'s' if len(joint['reachable']) != 1 else ''} can be reached, "
            f"{len(more):,} more than by parties acting alone."
        )
        alone = {t for ts in (sq.get("equilibria") or {}).values() for t in ts}
        joint_paths = {int(k): v for k, v in (joint.get("paths") or {}).items()}
        new_eq: dict[int, list[str]] = {}
        for concept, targets in (joint.get("equilibria") or {}).items():
            for target in targets:
                if target not in alone:
                    new_eq.setdefault(target, []).append(concept_name(concept, data))
        for target in sorted(new_eq)[:5]:
            if target in joint_paths:
                findings.append(
                    f"Only with coalitions, to state {target} (an equilibrium under "
                    f"{join_names(new_eq[target])}): {path_story(joint_paths[target], names, labels)}."
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
        left_out = len(rows) - MAX_STATE_ROWS
        tables.append(
            Table(
                "Equilibria the status quo reaches (or is)"
                + (f" ({len(rows):,}; first {MAX_STATE_ROWS} shown)" if left_out > 0 else ""),
                ["State", "Pattern", "Equilibrium under"],
                rows[:MAX_STATE_ROWS],
                note=(
                    f"{left_out:,} more not shown; every one is in the JSON output "
                    "(--format json, under status_quo.equilibria)."
                    if left_out > 0
                    else None
                ),
            )
        )
    return Section(
        "status_quo", "The status quo: how stable it is and where it can go", findings, tables
    )


def _paths_left_out(n_paths: int, what: str) -> list[str]:
    """The finding that counts the paths not told, if any."""
    if n_paths <= MAX_PATHS_TOLD:
        return []
    more = n_paths - MAX_PATHS_TOLD
    return [
        f"{more:,} more path{'s' if more != 1 else ''} to {what} not told here: every path "
        "is in the JSON output (--format json, under status_quo.paths)."
    ]


def _moves(changed: dict[str, bool], labels: dict[str, str]) -> str:
    return " and ".join(
        ("takes up" if taken else "drops") + f" '{labels.get(option, option)}'"
        for option, taken in changed.items()
    )


def explanation_lines(
    data: dict[str, Any], names: dict[str, str], labels: dict[str, str]
) -> list[str]:
    """:meth:`Explanation.to_dict` told in sentences: each improving move of the party
    and how the others answer it (or why they cannot)."""
    actor = definite(names.get(data["actor"], data["actor"]))
    opening = actor[:1].upper() + actor[1:]  # at the start of a sentence
    concept = data["concept"]
    shown = CONCEPT_NAMES.get(concept, concept.upper())
    state = data["state"]
    verdict = "stable" if data["stable"] else "unstable"
    lines = [f"State {state['index']} ({state['pattern']}) is {verdict} for {actor} under {shown}."]
    if not data["improvements"]:
        lines.append(
            f"{opening} has no unilateral improvement from it, so it is stable under every concept."
        )
    for imp in data["improvements"]:
        move = f"{opening} could move to state {imp['to']} ({_moves(imp['changed'], labels)})"
        if concept == "nash":
            lines.append(f"{move}, which it prefers: under Nash stability no answer is considered.")
        elif imp["sanctioned"]:
            example = imp["sanctions"][0]
            answer = imp["responses"][0] if imp["responses"] else []
            how = f", {path_story(answer, names, labels)}" if answer else ""
            count = imp["n_sanctions"]
            lines.append(
                f"{move}, but the others can answer: {count:,} "
                f"{'states leave' if count != 1 else 'state leaves'} {actor} no better off than "
                f"now, e.g. state {example}{how}."
            )
        elif imp.get("escapes"):
            first = imp["escapes"][0]
            how = path_story(first["responses"], names, labels)
            lines.append(
                f"{move}; the others could answer with state {first['state']} ({how}), but {actor} "
                f"would then escape to state {first['escape_to']}, which it prefers to state "
                f"{state['index']}: no answer holds under SMR."
            )
        else:
            kind = {
                "seq": "no sequence of moves the others gain from",
                "sim": "no improvement the other can make at the same time",
            }.get(concept, "no sequence of moves by the others")
            lines.append(
                f"{move}, and {kind} leaves {actor} as badly off as now: the move is unanswered."
            )
    return lines


def stability_tables(
    data: dict[str, Any],
    brief: dict[str, Any],
    indices: list[int],
    *,
    max_rows: int = MAX_STATE_ROWS,
) -> list[Table]:
    """The stability tableau of the graph-model papers, one table per concept: for each
    state asked for (1-based ``indices``), whether it is stable for each party and
    whether it is an equilibrium. Each party's cell also gives its rank of the state.
    At most ``max_rows`` states are shown; the note says how many more were asked for."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    states = {s["index"]: s for s in data.get("states", [])}
    actors = data["actors"]
    listed = [i for i in indices if i in states]
    shown = listed[:max_rows]
    left_out = len(indices) - len(shown)
    order = ", ".join(o["id"] for o in brief["options"])
    tables = []
    for c in _concepts(data):
        rows = []
        for i in shown:
            s = states[i]
            cells = [
                ("stable" if s["stability"][a][c] else "-") + f" ({s['rank'][a]})" for a in actors
            ]
            eq = s["equilibrium"][c]
            rows.append(
                [str(i), s["pattern"], *cells, "E" if eq else ("" if eq is not None else "?")]
            )
        more = f"; first {len(shown):,} shown" if left_out else ""
        tables.append(
            Table(
                f"{concept_name(c, data)} stability of {len(indices):,} state"
                f"{'s' if len(indices) != 1 else ''}{more}",
                ["State", "Pattern", *[names.get(a, a) for a in actors], "Equilibrium"],
                rows,
                note=f"Each party's cell: stable or not (-), and in brackets its rank of the state "
                f"(1 = most preferred; ties share a rank). E: stable for every party. Pattern: Y/N per "
                f"option in case order ({order})."
                + (f" {left_out:,} more states not shown: {ALL_STATES_HINT}." if left_out else ""),
            )
        )
    return tables


def preference_tables(
    data: dict[str, Any], brief: dict[str, Any], *, top: int | None
) -> list[Table]:
    """Each party's preference over the states, most preferred first (ties together),
    as option prioritisation or the ranking gives it; the ``top`` best tie groups."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    states = data.get("states", [])
    tables = []
    for a in data["actors"]:
        groups: dict[int, list[dict[str, Any]]] = {}
        for s in states:
            groups.setdefault(s["rank"][a], []).append(s)
        ranks = sorted(groups)
        kept = ranks if top is None else ranks[:top]
        rows = []
        for r in kept:
            members = groups[r]
            first = members[0]
            taken = [o for o, v in first["options"].items() if v]
            rows.append(
                [
                    str(r),
                    ", ".join(str(s["index"]) for s in members[:8])
                    + (f" (+{len(members) - 8} more)" if len(members) > 8 else ""),
                    first["pattern"] + (" ..." if len(members) > 1 else ""),
                    ", ".join(taken) or "none",
                ]
            )
        more = "" if len(kept) == len(ranks) else f"; first {len(kept)} shown"
        tables.append(
            Table(
                f"Preferences of {definite(names.get(a, a))} ({len(ranks):,} levels{more})",
                ["Rank", "States", "Pattern", "Options taken (first state)"],
                rows,
            )
        )
    return tables
