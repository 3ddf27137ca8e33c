"""The terminal report, rendered with rich from the plain data of :mod:`detente.report.brief`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from detente.report.sections import Section

__all__ = ["case_sections", "reflow", "section_renderables"]


def reflow(text: str) -> str:
    """Join the lines of each paragraph (YAML block text keeps the author's line breaks)."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def _heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def case_sections(
    brief: dict[str, Any], *, timeline_events: int = 8, compact: bool = False
) -> Iterator[RenderableType]:
    """The case, section by section, as rich renderables; ``compact`` gives the case in
    brief that opens an analysis (no constraint, scale, proposal or history details)."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    header = Text(brief["title"], style="bold")
    body: list[RenderableType] = [header]
    if brief.get("description"):
        body.append(Text(reflow(brief["description"])))
    scenario = brief.get("scenario")
    if scenario:
        line = Text("Scenario: ", style="bold")
        line.append(scenario["name"])
        if scenario["id"] == brief.get("default_scenario"):
            line.append(" (default)", style="dim")
        body.append(line)
        if scenario.get("description"):
            body.append(Text(reflow(scenario["description"]), style="italic"))
    others = [s["id"] for s in brief["scenarios"] if not scenario or s["id"] != scenario["id"]]
    if others:
        body.append(Text(f"Other scenarios (--scenario NAME): {', '.join(others)}", style="dim"))
    yield Panel(Group(*body), expand=True)

    yield _heading("Parties")
    parties = Table(show_edge=False, pad_edge=False, expand=False)
    parties.add_column("Party")
    parties.add_column("Capability", justify="right")
    parties.add_column("Controls")
    labels = {o["id"]: o["label"] for o in brief["options"]}
    for actor in brief["actors"]:
        controls = "\n".join(labels[o] for o in actor["options"]) or "-"
        parties.add_row(actor["name"], f"{actor['capability']:g}", controls)
    yield parties

    if brief["options"] and compact:
        taken = [o["label"] for o in brief["options"] if o["status_quo"]]
        yield _heading("Status quo")
        yield Text("  in force: " + ("; ".join(taken) if taken else "none of the options"))
        yield Text(
            f"  not taken: the other {len(brief['options']) - len(taken)} options", style="dim"
        )
    elif brief["options"]:
        yield _heading("Status quo")
        for option in brief["options"]:
            mark = (
                Text("  in force  ", style="bold green")
                if option["status_quo"]
                else Text("  not taken ", style="dim")
            )
            line = mark + Text(f"{option['label']} ({option['controller_name']})")
            yield line
            if option.get("effects"):
                yield Text(
                    "              on the issues: " + "; ".join(option["effects"]), style="dim"
                )
        for constraint in brief["constraints"]:
            yield Text(f"  rule: {constraint['rule']}", style="dim")

    if brief["issues"]:
        yield _heading("Issues: each party's position and salience")
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("Issue", no_wrap=True)
        actor_ids = [a["id"] for a in brief["actors"]]
        for actor_id in actor_ids:
            table.add_column(names[actor_id], justify="right")
        for issue in brief["issues"]:
            cells = []
            for actor_id in actor_ids:
                stance = issue["positions"].get(actor_id)
                cells.append(
                    "-"
                    if stance is None
                    else f"{stance.get('label', stance['position'])} ({stance['salience']:g})"
                )
            table.add_row(issue["id"], *cells)
        yield table
        red_lines = [
            f"  {names[a]}: {issue['id']} {stance['red_line']}"
            for issue in brief["issues"]
            for a, stance in issue["positions"].items()
            if stance.get("red_line")
        ]
        if red_lines:
            yield Text("Red lines (never accepted, whatever else is gained):", style="dim")
            for red_line in red_lines:
                yield Text(red_line, style="dim")
        yield Text("Position (salience). Scale ends:", style="dim")
        for issue in brief["issues"]:
            lo, hi = issue["scale"]
            text = f"  {issue['id']} ({issue['name']}): {lo:g} = {issue['low']}; {hi:g} = {issue['high']}"
            if issue.get("status_quo") is not None:
                text += f"; now at {issue['status_quo']:g}"
            yield Text(text, style="dim")

    if brief["proposals"] and compact:
        yield _heading("Proposals on the table")
        for proposal in brief["proposals"]:
            judged = {**proposal["positions"], **proposal.get("implied", {})}
            levels = ", ".join(f"{k} {v:g}" for k, v in judged.items())
            yield Text(f"  {proposal['name']}" + (f": {levels}" if levels else ""))
    elif brief["proposals"]:
        yield _heading("Proposals on the table")
        for proposal in brief["proposals"]:
            by = ", ".join(names.get(a, a) for a in proposal["proposed_by"])
            title = Text(proposal["name"], style="bold")
            if by:
                title.append(f" (proposed by {by})", style="dim")
            yield title
            if proposal.get("description"):
                yield Text("  " + reflow(proposal["description"]))
            for option_text in proposal["options"]:
                yield Text(f"  - {option_text}")
            if proposal["positions"]:
                issue_names = {i["id"]: i["name"] for i in brief["issues"]}
                levels = ", ".join(
                    f"{issue_names.get(k, k)} {v:g}" for k, v in proposal["positions"].items()
                )
                yield Text(f"  issue levels: {levels}", style="dim")
            if proposal.get("implied"):
                issue_names = {i["id"]: i["name"] for i in brief["issues"]}
                implied = ", ".join(
                    f"{issue_names.get(k, k)} {v:g}" for k, v in proposal["implied"].items()
                )
                yield Text(f"  implied by its options: {implied}", style="dim")

    if brief["forums"]:
        yield _heading("Forums")
        for forum in brief["forums"]:
            yield Text(forum["name"], style="bold")
            yield Text("  members: " + ", ".join(names.get(m, m) for m in forum["members"]))
            for rule in forum["rules"]:
                yield Text(
                    f"  {names.get(rule['actor'], rule['actor'])} attends only if {rule['attends_if']}"
                )
            yield Text("  agenda: " + ", ".join(forum["agenda"]), style="dim")

    if brief["timeline"] and timeline_events and not compact:
        events = brief["timeline"][-timeline_events:]
        yield _heading(f"Recent history ({len(events)} of {len(brief['timeline'])} events)")
        for event in events:
            yield Text(f"  {event['date']:<10}  {event['event']}")


def section_renderables(
    sections: list[Section],
    skipped: dict[str, str],
    *,
    findings_first: bool = False,
    notes: Sequence[str] = (),
) -> Iterator[RenderableType]:
    """Each engine's findings in plain words, then the tables behind them; with
    ``findings_first`` every engine's findings come before any table."""
    if findings_first and len(sections) > 1:
        yield Text("")
        yield Panel(Text("Findings", style="bold"), expand=True)
        for section in sections:
            yield _heading(section.title)
            for finding in section.findings:
                yield Text("  • " + finding)
        for key, reason in skipped.items():
            yield Text(f"\n{key}: not run ({reason})", style="dim")
        for note in notes:
            yield Text("\n" + note, style="italic")
        yield Text("")
        yield Panel(Text("The tables behind the findings", style="bold"), expand=True)
        for section in sections:
            yield from _tables(section)
        return
    for section in sections:
        yield Text("")
        yield Panel(Text(section.title, style="bold"), expand=True)
        for finding in section.findings:
            yield Text("  • " + finding)
        yield from _tables(section)
    for key, reason in skipped.items():
        yield Text(f"\n{key}: not run ({reason})", style="dim")


def _tables(section: Section) -> Iterator[RenderableType]:
    for table in section.tables:
        yield _heading(table.title)
        grid = Table(show_edge=False, pad_edge=False)
        # Fold long cells rather than cut them; keep each header word whole, unless the
        # table has so many columns that whole words would push the last ones off an
        # 80-column terminal.
        # Where every column's longest word (header or cell) fits, no word is split.
        cap = 80 // max(len(table.columns), 1) - 3 if len(table.columns) >= 5 else None
        whole = [
            max(
                (
                    len(w)
                    for text in [column, *(r[k] for r in table.rows if k < len(r))]
                    for w in str(text).split()
                ),
                default=1,
            )
            for k, column in enumerate(table.columns)
        ]
        fits = sum(whole) + 3 * len(whole) <= 80
        for k, column in enumerate(table.columns):
            widest = max((len(word) for word in column.split()), default=1)
            if fits:
                widest = whole[k]
            elif cap is not None:
                widest = max(min(widest, cap), 4)
            grid.add_column(column, overflow="fold", min_width=widest)
        for row in table.rows:
            grid.add_row(*row)
        yield grid
        if table.note:
            yield Text(table.note, style="dim")
