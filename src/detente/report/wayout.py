"""The way out and the verdicts on each package, told for readers (from plain data).

:func:`way_out_section` reads :meth:`detente.analysis.wayout.WayOut.to_dict`;
:func:`consistency_section` reads the case's consistency findings
(:func:`detente.model.consistency.case_findings`, as dictionaries).
"""

from __future__ import annotations

from typing import Any

from detente.report.sections import Section, Table, join_names
from detente.report.text import definite, possessive, short_location

__all__ = ["consistency_section", "way_out_section"]


def way_out_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Ranked phased paths, then one verdict per package."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    names.update({f["id"]: f["name"] for f in brief["forums"]})
    concept = data["concept"].upper()
    findings: list[str] = []
    paths = data["paths"]
    if not paths:
        findings += data["notes"] or ["no way out was found"]
    for rank, path in enumerate(paths, 1):
        findings.append(_path_headline(rank, path, names, concept))
    tables = []
    if paths:
        tables.append(
            Table(
                "Paths out of the deadlock, best first",
                ["#", "Steps", "Forum", "Reached", "Changes", "Gain"],
                [
                    [
                        str(rank),
                        "\n".join(_step_label(s) for s in p["steps"]),
                        "\n".join(names.get(s["forum"], s["forum"] or "-") for s in p["steps"]),
                        "\n".join(s["reachable"] for s in p["steps"]),
                        str(p["n_changes"]),
                        ", ".join(p["gains"]),
                    ]
                    for rank, p in enumerate(paths, 1)
                ],
                note=(
                    f"A step is a package stable for every party under {concept}, acceptable to "
                    "every participant of the forum that hosts it, and reached from the step "
                    "before by improvements of single parties or coalitions. The changes are listed "
                    "above (each moved statement, stance and forum agenda counts one, a moved red "
                    "line two); the changes of priorities were applied together and every step "
                    "checked again in the graph model, while changes of stances, red lines and "
                    "agendas are what bargaining needs and were not checked together. Ranked by "
                    "changes, then parties that gain, then options taken and withdrawn on the way, "
                    "then coalition steps, then length."
                ),
            )
        )
        story = [[line] for p in paths[:1] for line in p["story"]]
        tables.append(Table("The first path, step by step", ["Story"], story))
    tables.append(_verdict_table(data, concept, {f["id"]: f["name"] for f in brief["forums"]}))
    parties = {a["id"]: a["name"] for a in brief["actors"]}
    disagreements = [
        [v["label"], _party_colon(d, parties)] for v in data["verdicts"] for d in v["disagreements"]
    ]
    if disagreements:
        tables.append(
            Table(
                "Where the engines disagree about the same package, and why",
                ["Package", "Disagreement"],
                disagreements,
            )
        )
    for note in data["notes"] if paths else []:
        findings.append(note)
    return Section("way_out", "The way out", findings, tables)


def _path_headline(rank: int, path: dict[str, Any], names: dict[str, str], concept: str) -> str:
    steps = " then ".join(
        f"{s['name']}" + (f" at the {names.get(s['forum'], s['forum'])}" if s["forum"] else "")
        for s in path["steps"]
    )
    changes = path["changes"]
    if not changes:
        need = "needs no change: every step already holds"
    else:
        who = [
            definite(w)
            for w in sorted({names.get(c["actor"], c["actor"]) for c in changes if c["actor"]})
        ]
        forum = any(c["kind"] == "forum" for c in changes)
        n = path["n_changes"]
        need = f"needs {n} change{'s' if n != 1 else ''}"
        if who:
            need += f" by {join_names(who)}"
        if forum:
            need += (" and" if who else "") + " to a forum's agenda"
        if any(c.get("red_lines") for c in changes):
            # the count is of changes, not of the items listed: say why they differ
            need += " (a moved red line counts two)"
        need += ": " + "; ".join(c["text"] for c in changes)
    gainers = join_names([definite(names.get(a, a)) for a in path["gains"]])
    verb = "gains" if len(path["gains"]) == 1 else "gain"
    return f"Path {rank}: {steps}. It {need}. {gainers[:1].upper()}{gainers[1:]} {verb}."


def _step_label(step: dict[str, Any]) -> str:
    """A step's short label, with its state number unless the label is the state."""
    label = step["label"]
    return label if label == f"state {step['state']}" else f"{label} (state {step['state']})"


def _verdict_table(data: dict[str, Any], concept: str, forums: dict[str, str]) -> Table:
    key = data["concept"]
    rows = []
    for v in data["verdicts"]:
        b, g, f = v["bargaining"], v["graph_model"], v["forecast"]
        also = v.get("also") or []
        rows.append(
            [
                v["label"] + (f"\n(also {', '.join(also)})" if also else ""),
                str(v["state"]) if v["state"] is not None else "-",
                (", ".join(b["blocked_by"]) or "nobody") if b else "-",
                (", ".join(g["unstable_for"][key]) or "nobody") if g else "-",
                g["reachable"] if g else "-",
                f"{f['towards']} of {len(f['issues'])}" if f and f["issues"] else "-",
                "\n".join(forums.get(x, x) for x in v["forums"]) or "-",
            ]
        )
    return Table(
        "One verdict per package",
        [
            "Package",
            "State",
            "Rejected by",
            f"Unstable ({concept}) for",
            "Reached",
            "Forecast towards",
            "Possible in",
        ],
        rows,
        note=(
            "Each package is read once (its options and issue levels through the case's links) and "
            "every engine judges it: who rejects it in bargaining, for whom its state is not "
            f"{concept}-stable, whether the status quo reaches it (alone, or with coalitions), on "
            "how many of the issues it changes the forecast leaves the status quo towards it (to "
            "it or past it), and the forums that meet in its state and whose participants all "
            "accept it. '≈ X': the state closest to solution X, judged on that state's own "
            "levels, which can differ from X's. '-': the engine cannot judge it, or no forum."
        ),
    )


def consistency_section(
    findings: list[dict[str, Any]], brief: dict[str, Any], *, linked: bool = True
) -> Section:
    """Where the case's two halves disagree, with the fix for each."""
    if not findings:
        said = (
            "No consistency finding: each party's statements come in the order its issue "
            "stances value their effects, and its red lines, the scenarios and the sources "
            "check out. A whole package can still be ranked by a party's priorities and valued "
            "by its stances differently (several statements weigh together); the way out lists "
            "any such package under 'Where the engines disagree'."
            if linked
            else "No consistency finding, but the options are not linked to the issues "
            "('effects'), so their priorities and the issue stances could not be compared; "
            "only red lines, scenarios and sources were checked."
        )
        return Section("consistency", "Consistency of the case", [said])
    names = {a["id"]: a["name"] for a in brief["actors"]}
    lines = [
        f"{_named(f['message'], f.get('actor'), names)} (fix: {f['fix']})"
        + (f" [{short_location(f['location'])}]" if f.get("location") else "")
        for f in findings
    ]
    if not linked:
        lines.append(
            "The options are not linked to the issues ('effects'): their priorities and the "
            "issue stances were not compared."
        )
    return Section("consistency", "Consistency of the case", lines)


def _named(message: str, actor: str | None, names: dict[str, str]) -> str:
    """``message`` with the party it opens with ("CHN ranks ...", "CHN's top priority")
    named by its name, as the rest of the report names it; the fix keeps the id, which is
    what the case file spells."""
    if not actor or actor not in names:
        return message
    for tail in (" ", "'s "):
        if message.startswith(actor + tail):
            name = names[actor]
            said = (
                possessive(name, start=True) + " "
                if tail == "'s "
                else definite(name, start=True) + " "
            )
            return said + message[len(actor + tail) :]
    return message


def _party_colon(text: str, names: dict[str, str]) -> str:
    """``text`` opening with a party's id and a colon ("JPN: ...") opened with its name
    ("Japan: ...")."""
    head, colon, rest = text.partition(": ")
    return f"{definite(names[head], start=True)}: {rest}" if colon and head in names else text
