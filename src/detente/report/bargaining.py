"""The bargaining section: which packages everyone could accept, who blocks, which forum works."""

from __future__ import annotations

from typing import Any

from detente.report.sections import Section, Table, join_names

__all__ = ["bargaining_section"]

SOLUTION_NAMES = {
    "nash": "Nash bargaining solution",
    "kalai_smorodinsky": "Kalai-Smorodinsky solution",
    "utilitarian": "utilitarian solution (largest total gain)",
    "egalitarian": "egalitarian solution (largest smallest gain)",
}


def _levels(package: dict[str, Any], issue_names: dict[str, str]) -> str:
    parts = [f"{issue_names.get(k, k)} {v:g}" for k, v in package.get("issues", {}).items()]
    parts += [f"{k} {'yes' if v else 'no'}" for k, v in package.get("options", {}).items()]
    return ", ".join(parts)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def bargaining_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Turn :meth:`CaseBargain.to_dict` output into findings and tables."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    issue_names = {i["id"]: i["name"] for i in brief["issues"]}
    proposal_names = {p["id"]: p["name"] for p in brief["proposals"]}
    n_actors = len(data["actors"])
    findings = []
    if data["zopa"]:
        findings.append(
            f"{data['zopa']:,} of the {data['outcomes']:,} packages on the issue grid leave all "
            f"{n_actors} parties better off than the status quo: a zone of possible agreement exists."
        )
    else:
        findings.append(
            f"None of the {data['outcomes']:,} packages on the issue grid leaves all {n_actors} parties "
            "better off than the status quo: there is no zone of possible agreement among all of them."
        )
    nash = data["solutions"].get("nash")
    if nash:
        findings.append(f"The Nash bargaining solution sets {_levels(nash, issue_names)}.")

    for pid, p in data["proposals"].items():
        label = proposal_names.get(pid, pid)
        accepted = [names.get(a, a) for a in p["accepted_by"]]
        blocked = [names.get(a, a) for a in p["blocked_by"]]
        if not blocked:
            findings.append(f"{label}: every party prefers it to the status quo.")
            continue
        sentence = f"{label}: accepted by {join_names(accepted)}; blocked by {join_names(blocked)}."
        wins = []
        for actor, changes in p.get("to_win", {}).items():
            if changes:
                c = changes[0]
                dim = issue_names.get(c["dimension"], c["dimension"])
                wins.append(
                    f"{names.get(actor, actor)} would accept it if {dim} moved from {c['before']:g} to {c['after']:g}"
                )
            else:
                wins.append(
                    f"no single change wins {names.get(actor, actor)} over without losing another party"
                )
        if wins:
            sentence += " " + "; ".join(wins)[0].upper() + "; ".join(wins)[1:] + "."
        findings.append(sentence)

    possible = [f for f in data.get("forums", []) if f["agreement_possible"]]
    for forum in data.get("forums", []):
        who = (
            join_names([names.get(a, a) for a in forum["participants"]])
            if forum["participants"]
            else "nobody"
        )
        agenda = forum["agenda"]
        on = (
            ", ".join(issue_names.get(i, i) for i in agenda)
            if len(agenda) <= 2
            else f"{len(agenda)} issues"
        )
        text = f"{forum['name']} ({who}; agenda: {on}): "
        if forum["agreement_possible"]:
            text += f"agreement possible, {forum['zopa']:,} of {forum['outcomes']:,} packages in the zone"
        else:
            text += "no agreement possible"
        if forum["commitments"]:
            text += f"; it needs first: {', '.join(forum['commitments'])}"
        if forum["absent"]:
            text += "; absent: " + "; ".join(
                f"{names.get(a, a)} ({why})" for a, why in forum["absent"].items()
            )
        findings.append(text + ".")
    if data.get("forums") and not possible:
        findings.append("No forum of the case makes an agreement possible.")

    actors = data["actors"]
    found = {k: v for k, v in data["solutions"].items() if v}
    short = {
        "nash": "Nash",
        "kalai_smorodinsky": "K-S",
        "utilitarian": "Utilit.",
        "egalitarian": "Egalit.",
    }
    status_quo = {i["id"]: i.get("status_quo") for i in brief["issues"]}
    rows = [
        [
            issue_names.get(i, i),
            _num(status_quo.get(i)),
            *[_num(v["issues"].get(i)) for v in found.values()],
        ]
        for i in data["parameters"].get("issues", [])
    ]
    rows += [
        [
            f"utility of {names.get(a, a)}",
            f"{data['reservation'][a]:.2f}",
            *[f"{v['utilities'][a]:.2f}" for v in found.values()],
        ]
        for a in actors
    ]
    solutions = Table(
        "Solutions: issue levels, and each party's utility (0 worst, 1 best)",
        ["", "Status quo", *[short.get(k, k) for k in found]],
        rows,
        note="Nash: largest product of gains; K-S: Kalai-Smorodinsky; Utilit.: largest total; Egalit.: largest smallest gain.",
    )
    proposals = Table(
        "Proposals",
        ["Proposal", "Accepted by", "Blocked by"],
        [
            [
                proposal_names.get(pid, pid),
                ", ".join(p["accepted_by"]) or "-",
                ", ".join(p["blocked_by"]) or "-",
            ]
            for pid, p in data["proposals"].items()
        ],
    )
    forums = Table(
        "Forums",
        ["Forum", "Participants", "Agenda", "Agreement", "Packages in the zone"],
        [
            [
                f["name"],
                ", ".join(f["participants"]) or "-",
                f"{len(f['agenda'])} issue{'s' if len(f['agenda']) != 1 else ''}",
                "possible" if f["agreement_possible"] else "impossible",
                f"{f['zopa']:,} of {f['outcomes']:,}",
            ]
            for f in data.get("forums", [])
        ],
    )
    tables = (
        [solutions]
        + ([proposals] if data["proposals"] else [])
        + ([forums] if data.get("forums") else [])
    )
    return Section("bargaining", "Bargaining: packages, blockers and forums", findings, tables)
