"""The report as Markdown, from the plain data of :mod:`detente.report.brief`."""

from __future__ import annotations

from typing import Any

from detente.report.sections import Section
from detente.report.text import definite

__all__ = ["case_markdown", "sections_markdown"]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def case_markdown(brief: dict[str, Any]) -> str:
    """The case in brief as a Markdown document."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    out = [f"# {brief['title']}", ""]
    if brief.get("description"):
        out += [brief["description"].strip(), ""]
    if brief.get("scenario"):
        s = brief["scenario"]
        out += [
            f"**Scenario:** {s['name']}"
            + (f". {s['description'].strip()}" if s.get("description") else ""),
            "",
        ]

    out += ["## Parties", "", "| Party | Capability | Controls |", "|---|---:|---|"]
    labels = {o["id"]: o["label"] for o in brief["options"]}
    for a in brief["actors"]:
        out.append(
            f"| {_cell(a['name'])} | {a['capability']:g} | {_cell('; '.join(labels[o] for o in a['options']))} |"
        )
    out.append("")

    if brief["options"]:
        out += ["## Status quo", ""]
        for o in brief["options"]:
            effects = "; ".join(o.get("effects") or [])
            out.append(
                f"- [{'x' if o['status_quo'] else ' '}] {o['label']} ({o['controller_name']})"
                + (f"; on the issues: {effects}" if effects else "")
            )
        out.append("")

    if brief["issues"]:
        ids = [a["id"] for a in brief["actors"]]
        out += [
            "## Issues",
            "",
            "Position (salience); the scale's ends and where each issue stands now follow the table.",
            "",
        ]
        out.append("| Issue | " + " | ".join(_cell(names[i]) for i in ids) + " |")
        out.append("|---|" + "---:|" * len(ids))
        for issue in brief["issues"]:
            cells = []
            for actor_id in ids:
                s = issue["positions"].get(actor_id)
                cells.append(
                    "-" if s is None else f"{s.get('label', s['position'])} ({s['salience']:g})"
                )
            out.append(f"| {_cell(issue['name'])} | " + " | ".join(cells) + " |")
        out.append("")
        red = [
            f"- {names[a]}: {issue['name']} {stance['red_line']}"
            for issue in brief["issues"]
            for a, stance in issue["positions"].items()
            if stance.get("red_line")
        ]
        if red:
            out += ["Red lines (never accepted, whatever else is gained):", "", *red, ""]
        for issue in brief["issues"]:
            lo, hi = issue["scale"]
            now = f"; now at {issue['status_quo']:g}" if issue.get("status_quo") is not None else ""
            out.append(f"- {issue['name']}: {lo:g} = {issue['low']}; {hi:g} = {issue['high']}{now}")
        out.append("")

    if brief["proposals"]:
        out += ["## Proposals", ""]
        for p in brief["proposals"]:
            by = ", ".join(names.get(a, a) for a in p["proposed_by"])
            issue_names = {i["id"]: i["name"] for i in brief["issues"]}
            levels = ", ".join(f"{issue_names.get(k, k)} {v:g}" for k, v in p["positions"].items())
            out.append(
                f"- **{p['name']}**"
                + (f" (proposed by {by})" if by else "")
                + ": "
                + "; ".join(p["options"])
                + (f" (issue levels: {levels})" if levels else "")
                + (
                    " (implied by its options: "
                    + ", ".join(f"{issue_names.get(k, k)} {v:g}" for k, v in p["implied"].items())
                    + ")"
                    if p.get("implied")
                    else ""
                )
            )
        out.append("")

    if brief["forums"]:
        out += ["## Forums", ""]
        for f in brief["forums"]:
            rules = "; ".join(
                f"{definite(names.get(r['actor'], r['actor']), start=True)} attends only if "
                f"{r['attends_if']}"
                for r in f["rules"]
            )
            members = ", ".join(names.get(m, m) for m in f["members"])
            out.append(f"- **{f['name']}**: {members}" + (f". {rules}" if rules else ""))
        out.append("")
    return "\n".join(out)


def sections_markdown(
    sections: list[Section], skipped: dict[str, str], *, findings_first: bool = False
) -> str:
    """Each engine's findings, then its tables, as Markdown; with ``findings_first`` every
    engine's findings come before any table."""
    out: list[str] = []
    if findings_first and len(sections) > 1:
        out += ["## Findings", ""]
        for section in sections:
            out += [f"### {section.title}", ""]
            out += [f"- {_cell(f)}" for f in section.findings]
            out.append("")
        for key, reason in skipped.items():
            out += [f"*{key.replace('_', ' ').capitalize()}: not run ({reason})*", ""]
        out += ["## The tables behind the findings", ""]
        for section in sections:
            out += _tables_markdown(section)
        return "\n".join(out)
    for section in sections:
        out += [f"## {section.title}", ""]
        out += [f"- {_cell(f)}" for f in section.findings]
        out.append("")
        out += _tables_markdown(section)
    for key, reason in skipped.items():
        out += [f"*{key.replace('_', ' ').capitalize()}: not run ({reason})*", ""]
    return "\n".join(out)


def _tables_markdown(section: Section) -> list[str]:
    out: list[str] = []
    for table in section.tables:
        out += [f"### {table.title}", ""]
        out.append("| " + " | ".join(_cell(c) for c in table.columns) + " |")
        out.append("|" + "---|" * len(table.columns))
        out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
        out.append("")
        if table.note:
            out += [f"*{_cell(table.note)}*", ""]
    return out
