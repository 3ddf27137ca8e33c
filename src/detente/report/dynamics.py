"""The graph model's heterogeneous stability, the conflict's history and its evolution,
told for readers (from the plain data of the results' ``to_dict``).

:func:`heterogeneous_section` reads
:meth:`detente.gmcr.heterogeneous.HeterogeneousResult.to_dict`;
:func:`history_section` reads :meth:`detente.gmcr.history.HistoryResult.to_dict`;
:func:`evolution_section` reads :meth:`detente.gmcr.evolution.EvolutionResult.to_dict`.
"""

from __future__ import annotations

from typing import Any

from detente.report.graph_model import CONCEPT_NAMES
from detente.report.sections import Section, Table, join_names
from detente.report.text import definite, possessive

__all__ = [
    "evolution_section",
    "heterogeneous_section",
    "history_section",
    "perception_section",
    "robustness_section",
    "uncertain_section",
]


KINDS = {
    "unilateral_improvement": "a unilateral improvement",
    "unilateral_move": "a unilateral move against the mover's preferences",
    "coalition_improvement": "a coalition improvement",
    "joint_move": "a joint move that is no improvement for all movers",
    "no_change": "no change of state",
}


WEIGHTS = {
    "uniform": "each available improvement equally likely",
    "gain": "improvements weighted by the movers' gain",
}


def _names(brief: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a["name"] for a in brief["actors"]}


def _described(change: dict[str, Any], names: dict[str, str]) -> list[str]:
    """A change's edits in words, naming its party by name ("North Korea ranks ...")
    where the engine names it by its id."""
    actor = change.get("actor")
    told = change.get("described", [])
    if not actor or actor not in names:
        return list(told)
    name = definite(names[actor])
    return [name + d[len(actor) :] if d.startswith(f"{actor} ") else d for d in told]


def _concepts(keys: list[str]) -> str:
    return join_names([CONCEPT_NAMES.get(k, k) for k in keys]) if keys else "none"


def heterogeneous_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Equilibria when each party is judged by its own solution concept."""
    names = _names(brief)
    judged = "; ".join(
        f"{definite(names.get(a, a))} under {CONCEPT_NAMES.get(c, c)}"
        for a, c in data["concepts"].items()
    )
    eq = data["equilibria"]
    findings = [
        f"Each party judged by its own solution concept ({judged}): {len(eq):,} "
        f"equilibri{'um' if len(eq) == 1 else 'a'} among {data['n_states']:,} feasible states."
    ]
    tables = []
    if data["states"]:
        actors = data["actors"]
        shown = data["states"][:20]
        tables.append(
            Table(
                f"Equilibria of the parties' own concepts ({len(eq):,}; first {len(shown)} shown)",
                ["State", "Pattern", *(names.get(a, a) for a in actors)],
                [
                    [
                        str(s["index"]),
                        s["pattern"],
                        *(f"rank {s['rank'][a]}" for a in actors),
                    ]
                    for s in shown
                ],
                note="Rank 1 is a party's most preferred state.",
            )
        )
    stable = ", ".join(f"{names.get(a, a)} {n:,}" for a, n in data["stable_for"].items())
    findings.append(f"States stable for each party under its concept: {stable}.")
    return Section("heterogeneous", "Each party under its own solution concept", findings, tables)


def history_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """What the recorded history says about each party's behaviour."""
    names = _names(brief)
    steps = data["steps"]
    findings: list[str] = []
    if not steps:
        findings.append("The history records fewer than two states: no move to judge.")
    for party, behaviour in data["parties"].items():
        who = names.get(party, party)
        n = behaviour["n_observations"]
        if not n:
            continue
        fits = behaviour["consistent_with"]
        if fits:
            findings.append(
                f"{possessive(who, start=True)} behaviour in all {n} observations fits {_concepts(fits)}."
            )
        else:
            best = behaviour["best"]
            counts = behaviour["n_consistent"]
            top = counts[best[0]] if best else 0
            findings.append(
                f"No concept fits all of {possessive(who)} behaviour; {_concepts(best)} fit "
                f"{'best' if len(best) == 1 else 'equally best'} ({top} of {n} observations)."
            )
    against = [s for s in steps if s["kind"] in ("unilateral_move", "joint_move")]
    if against:
        moves = "; ".join(
            f"{s['date']} {join_names([definite(names.get(m, m)) for m in s['movers']])}"
            for s in against
        )
        findings.append(
            f"{len(against)} of {len(steps)} recorded moves went against the movers' "
            f"preferences as the case states them ({moves}): either the preferences of that time "
            "differed from the case's, or the move answered something outside the model."
        )
    final = data.get("final_equilibrium") or {}
    if final:
        held = [k for k, v in final.items() if v]
        findings.append(
            "The last recorded state is "
            + (f"an equilibrium under {_concepts(held)}." if held else "no equilibrium.")
        )
    rows = [
        [
            s["date"],
            s["label"],
            join_names([names.get(m, m) for m in s["movers"]]) or "-",
            KINDS.get(s["kind"], s["kind"]).removeprefix("a ").removeprefix("no ").capitalize()
            if s["kind"] != "no_change"
            else "No change",
        ]
        for s in steps
    ]
    tables = []
    if rows:
        tables.append(Table("The recorded moves", ["Date", "Event", "Moved", "Kind"], rows))
    concepts = data["parameters"]["concepts"]
    if data["parties"]:
        tables.append(
            Table(
                "Observations consistent with each concept",
                ["Party", *(CONCEPT_NAMES.get(c, c) for c in concepts)],
                [
                    [
                        names.get(p, p),
                        *(f"{b['n_consistent'][c]} of {b['n_observations']}" for c in concepts),
                    ]
                    for p, b in data["parties"].items()
                ],
                note=data["rule"],
            )
        )
    return Section("history", "What the history says about each party", findings, tables)


def _evolution_start(data: dict[str, Any], brief: dict[str, Any]) -> str:
    """What the evolution starts from, in words: the status quo, a proposal (set on the
    status quo) or the status quo with some options changed, and its state number."""
    record = data["start"]
    proposals = {p["id"]: p["name"] for p in brief.get("proposals", [])}
    pid = record.get("proposal")
    changes = record.get("changes") or {}
    if pid:
        how = "the status quo itself" if record.get("status_quo") else "set on the status quo"
        what = f"{proposals.get(pid, pid)} ({how})"
    elif record.get("status_quo"):
        what = "the status quo"
    elif changes:
        told = join_names([f"{'taking' if v else 'dropping'} {o}" for o, v in changes.items()])
        what = f"the status quo with {told}"
    else:
        return f"state {record['index']}"
    return f"{what}, state {record['index']}"


def evolution_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Where the parties' improvements take the conflict, as a Markov chain."""
    findings: list[str] = []
    start = data["start"]["index"]
    n = data["n_states"]
    rule = WEIGHTS.get(data["parameters"].get("weights"), data["rule"].rstrip("."))
    findings.append(
        f"From {_evolution_start(data, brief)}, the parties' improvements reach {n:,} "
        f"state{'s' if n != 1 else ''} ({rule})."
    )
    absorbing = data["absorbing"]
    if absorbing == [start]:
        findings.append(
            f"State {start} is absorbing: no party, and no coalition considered, has an "
            "improvement from it, so the conflict stays there."
        )
    else:
        settle = data.get("expected_moves_to_settle")
        if settle is not None:
            findings.append(f"On average the conflict settles after {settle:.1f} moves.")
        leave = data.get("expected_moves_to_leave_start")
        if leave is not None and data["parameters"].get("inertia"):
            findings.append(f"It leaves state {start} after {leave:.1f} moves on average.")
        if data.get("return_probability"):
            findings.append(
                f"Once it has left, it comes back to state {start} with probability "
                f"{data['return_probability']:.0%}."
            )
    cycles = data["cycles"]
    if cycles:
        closed = [c for c in data["closed_classes"] if c["cycle"]]
        findings.append(
            f"{len(cycles)} cycle{'s' if len(cycles) != 1 else ''} of thaw and escalation "
            "(states the parties' improvements lead around and back); "
            + (
                f"{len(closed)} of them trap the conflict once it is in."
                if closed
                else "the conflict leaves each of them in the end."
            )
        )
    for c in data["closed_classes"][:5]:
        where = (
            f"state {c['states'][0]}"
            if len(c["states"]) == 1
            else f"the cycle through states {', '.join(str(s) for s in c['states'][:6])}"
            + (" ..." if len(c["states"]) > 6 else "")
        )
        findings.append(f"It ends in {where} with probability {c['probability']:.0%}.")
    passing = [e for e in data["equilibria"] if e["probability"] > 0]
    if passing:
        told = "; ".join(
            f"{e['state']} ({_concepts(e['concepts'])}) {e['probability']:.0%}" for e in passing[:6]
        )
        findings.append(f"The chance it ever reaches each equilibrium: {told}.")
    tables = []
    distributions = data["distributions"]
    if distributions:
        rows = []
        for k, dist in distributions.items():
            shown = [s for s in dist["states"] if s["probability"] >= 0.005]
            rest = 1.0 - sum(s["probability"] for s in shown)
            top = ", ".join(f"{s['state']} ({s['probability']:.0%})" for s in shown)
            if rest >= 0.005:
                top += f", other states {rest:.0%}"
            rows.append([k, top])
        tables.append(Table("Where the conflict is after k moves", ["Moves", "States"], rows))
    if data["closed_classes"]:
        tables.append(
            Table(
                "Where it ends",
                ["States", "Cycle", "Probability"],
                [
                    [
                        ", ".join(str(s) for s in c["states"][:12])
                        + (f" (+{len(c['states']) - 12})" if len(c["states"]) > 12 else ""),
                        "yes" if c["cycle"] else "no",
                        f"{c['probability']:.0%}",
                    ]
                    for c in data["closed_classes"][:20]
                ],
            )
        )
    return Section("evolution", "Where the parties' improvements lead", findings, tables)


def perception_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Equilibria of the true game, of each party's view and of the hypergame."""
    names = _names(brief)
    proposals = {p["id"]: p["name"] for p in brief["proposals"]}
    findings: list[str] = []
    for party, view in data["perceptions"].items():
        wrong = view["misperceives_preferences_of"]
        unknown = view["unknown_options"]
        if not wrong and not unknown:
            continue
        parts = []
        if wrong:
            parts.append(
                "misreads what "
                + join_names([definite(names.get(a, a)) for a in wrong])
                + (" wants" if len(wrong) == 1 else " want")
            )
        if unknown:
            parts.append(f"does not know of {join_names(unknown)}")
        hidden = (
            f" ({view['hidden_states']:,} states hidden from it)" if view["hidden_states"] else ""
        )
        findings.append(
            f"{definite(names.get(party, party), start=True)} {' and '.join(parts)}{hidden}."
        )
    if not findings:
        stated = any(
            v["misperceives_preferences_of"] or v["unknown_options"] or v["hidden_states"]
            for v in data["perceptions"].values()
        )
        findings.append(
            "No party misperceives the game: its equilibria are the true ones."
            if stated
            else "The case states no perceptions ('perceives' under a party's preferences): "
            "every party is taken to see the true game, so the hypergame is the true game."
        )
    for concept, eq in data["equilibria"].items():
        label = CONCEPT_NAMES.get(concept, concept)
        only = eq["only_by_misperception"]
        lost = eq["lost_to_misperception"]
        if only:
            findings.append(
                f"{label}: {len(only)} hypergame equilibri{'um' if len(only) == 1 else 'a'} "
                f"exist only because somebody misperceives (states "
                f"{', '.join(str(s) for s in only[:8])}{' ...' if len(only) > 8 else ''})."
            )
        if lost:
            findings.append(
                f"{label}: {len(lost)} true equilibri{'um is' if len(lost) == 1 else 'a are'} "
                f"lost to misperception (states {', '.join(str(s) for s in lost[:8])}"
                f"{' ...' if len(lost) > 8 else ''})."
            )
    for pid, proposal in data["proposals"].items():
        for concept, verdict in proposal["equilibrium"].items():
            believers = [a for a, v in verdict["perceived"].items() if v]
            if believers and not verdict["true"]:
                findings.append(
                    f"{proposals.get(pid, pid)} looks stable ({CONCEPT_NAMES.get(concept, concept)}) "
                    f"only to {join_names([definite(names.get(a, a)) for a in believers])}, in "
                    f"{'its' if len(believers) == 1 else 'their'} view of the game; it is no "
                    "true equilibrium."
                )
                break
    concepts = list(data["equilibria"])
    rows = [
        [
            CONCEPT_NAMES.get(c, c),
            f"{len(data['equilibria'][c]['true']):,}",
            f"{len(data['equilibria'][c]['hypergame']):,}",
            f"{len(data['equilibria'][c]['only_by_misperception']):,}",
            f"{len(data['equilibria'][c]['lost_to_misperception']):,}",
        ]
        for c in concepts
    ]
    tables = [
        Table(
            "Equilibria of the true game and of the hypergame",
            ["Concept", "True game", "Hypergame", "Only by misperception", "Lost to it"],
            rows,
            note="A hypergame equilibrium is a state every party finds stable in its own view "
            "of the game (Fraser & Hipel 1979; Wang, Hipel & Fraser 1989).",
        )
    ]
    if data["proposals"]:
        views = [
            a
            for a, v in data["perceptions"].items()
            if v["misperceives_preferences_of"] or v["unknown_options"]
        ]
        tables.append(
            Table(
                "The proposals as states: stable in whose view",
                [
                    "Proposal",
                    "Concept",
                    "True game",
                    "Hypergame",
                    *(names.get(a, a) for a in views),
                ],
                [
                    [
                        proposals.get(pid, pid),
                        CONCEPT_NAMES.get(c, c),
                        "yes" if v["true"] else "no",
                        "yes" if v["hypergame"] else "no",
                        *("yes" if v["perceived"].get(a) else "no" for a in views),
                    ]
                    for pid, p in data["proposals"].items()
                    for c, v in p["equilibrium"].items()
                    if c in ("nash", "seq")
                ],
            )
        )
    return Section("perception", "Perception: each party's view of the game", findings, tables)


def _margin_size(m: dict[str, Any]) -> str:
    if m["impossible"]:
        return "impossible"
    if m["size"] is None:
        bound = m.get("lower_bound")
        return f"more than {bound - 1}" if bound and bound > 1 else "not found"
    return f"{m['size']}" + ("" if m["exact"] else " (at most)")


def robustness_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """How little of the parties' priorities has to change to upset an equilibrium, or to
    make the status quo's alternatives stable."""
    names = _names(brief)
    proposals = {p["id"]: p["name"] for p in brief["proposals"]}

    def label(m: dict[str, Any]) -> str:
        told = ["the status quo" if x == "status_quo" else proposals.get(x, x) for x in m["labels"]]
        return join_names(told) or f"state {m['state']['index']}"

    findings: list[str] = []
    for concept, margins in data["states"].items():
        cname = CONCEPT_NAMES.get(concept, concept)
        for m in margins:
            if m["kind"] == "remove":
                if m["impossible"]:
                    findings.append(
                        f"{cname}: no change of any one party's priorities unsettles "
                        f"{label(m)} (state {m['state']['index']})."
                    )
                else:
                    who = join_names([definite(names.get(a, a)) for a in m["single_edit_parties"]])
                    findings.append(
                        f"{cname}: {label(m)} (state {m['state']['index']}) falls with "
                        f"{_margin_size(m)} change{'s' if m['size'] != 1 else ''}"
                        + (f"; {who} could unsettle it alone with one" if who else "")
                        + "."
                    )
            elif m["kind"] == "make" and m["size"] is not None and m["size"] <= 2:
                steps = "; ".join(d for ch in m["changes"] for d in _described(ch, names))
                findings.append(
                    f"{cname}: {label(m)} becomes an equilibrium with {m['size']} change"
                    f"{'s' if m['size'] != 1 else ''}: {steps}."
                )
    rows = [
        [
            CONCEPT_NAMES.get(concept, concept),
            label(m),
            "upset it" if m["kind"] == "remove" else "make it stable",
            _margin_size(m),
            "; ".join(d for ch in m["changes"] for d in _described(ch, names)) or "-",
        ]
        for concept, margins in data["states"].items()
        for m in margins
    ]
    tables = [
        Table(
            "The status quo and the proposals: the smallest change of priorities",
            ["Concept", "State", "To", "Changes", "Which"],
            rows,
            note=data["distance"],
        )
    ]
    summary = data["summary"]
    tables.append(
        Table(
            "Every equilibrium: how many changes upset it",
            ["Concept", "Equilibria", "1", "2", "more", "impossible"],
            [
                [
                    CONCEPT_NAMES.get(c, c),
                    f"{s['equilibria']:,}",
                    *(f"{s['margin_counts'].get(k, 0):,}" for k in ("1", "2", ">2", "impossible")),
                ]
                for c, s in summary.items()
            ],
        )
    )
    return Section("robustness", "How robust the equilibria are", findings, tables)


EXTENSIONS = {
    "a": "moves to states it prefers or is unsure of; deterred only by states known no better",
    "b": "moves to states it prefers or is unsure of; deterred also by states it is unsure of",
    "c": "moves only to states it knows it prefers; deterred only by states known no better",
    "d": "moves only to states it knows it prefers; deterred also by states it is unsure of",
}


def _uncertain_label(key: str) -> str:
    concept, _, variant = key.partition("_")
    name = CONCEPT_NAMES.get(concept, concept)
    return f"{name} ({variant})" if variant else name


def uncertain_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Equilibria under unknown (Li et al. 2004) or probabilistic (Rego & dos Santos
    2015) preferences."""
    names = _names(brief)
    parties = (
        join_names([definite(names.get(a, a)) for a in data["uncertain_parties"]]) or "no party"
    )
    params = data["parameters"]
    findings: list[str] = []
    if data["kind"] == "probabilistic":
        findings.append(
            f"Preferences held with a probability ({parties}): a move counts as an improvement "
            f"when the mover prefers it with probability above {params['alpha']:g}, and a "
            f"sanction deters when the party prefers the outcome with probability at most "
            f"{params['beta']:g} (sanctioners' moves above {params['gamma']:g})."
        )
    else:
        findings.append(
            f"Preferences partly unknown ({parties}): four readings of stability, from the "
            "strictest (a) to the most lenient (d)."
        )
    for key, states in data["equilibria"].items():
        shown = ", ".join(str(s) for s in states[:12]) + (" ..." if len(states) > 12 else "")
        findings.append(
            f"{_uncertain_label(key)}: {len(states):,} equilibri{'um' if len(states) == 1 else 'a'}"
            + (f" (state{'s' if len(states) != 1 else ''} {shown})." if states else ".")
        )
    tables = []
    if data["states"]:
        keys = list(data["equilibria"])
        tables.append(
            Table(
                "The equilibria under each reading",
                ["State", "Pattern", *(_uncertain_label(k) for k in keys)],
                [
                    [
                        str(s["index"]),
                        s["pattern"],
                        *("yes" if s["equilibrium"][k] else "-" for k in keys),
                    ]
                    for s in data["states"][:50]
                ],
                note="; ".join(f"({k}) {v}" for k, v in EXTENSIONS.items())
                if data["kind"] == "unknown"
                else None,
            )
        )
    return Section("uncertain", "Uncertain preferences", findings, tables)
