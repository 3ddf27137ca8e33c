"""The terminal report, rendered with rich from the plain data of :mod:`detente.report.brief`."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from detente._columns import SEPARATOR, column_floors, column_widths, wrap_id
from detente.report.sections import Section

__all__ = [
    "FittedTable",
    "bullet",
    "case_sections",
    "definite",
    "hanging",
    "possessive",
    "reflow",
    "section_renderables",
    "short_location",
    "takes_the",
]


BUILT_IN = Path(__file__).resolve().parents[1] / "cases"
"""Where the built-in cases live (in site-packages once installed)."""


def short_location(location: str) -> str:
    """``location`` (``file:line: field``) with a built-in case's file given by its name
    under the built-in cases ("korea.yaml:700: ...") rather than its full path inside the
    installed package; a user's own file keeps its path as given."""
    for root in {str(BUILT_IN), str(BUILT_IN.resolve())}:
        prefix = root + os.sep
        if location.startswith(prefix):
            return location[len(prefix) :].replace(os.sep, "/")
    return location


def _not_taken(n_options: int, n_taken: int) -> str:
    """The options not taken, counted plainly: "both options", "all 5 options", "the
    other option", "the other 3 options", "none"."""
    left = n_options - n_taken
    if left == 0:
        return "none"
    if n_taken == 0:
        return {1: "the only option", 2: "both options"}.get(left, f"all {left} options")
    return "the other option" if left == 1 else f"the other {left} options"


def reflow(text: str) -> str:
    """Join the lines of each paragraph (YAML block text keeps the author's line breaks)."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


# Party names that English writes with "the" (the United States, the Republic of
# Korea, the European Union, the Netherlands, the UN): see takes_the.
_THE_FIRST = {"United"}
_THE_WORDS = {
    "Republic",
    "Kingdom",
    "Union",
    "Federation",
    "Emirates",
    "Nations",
    "Islands",
    "Commission",
    "Council",
}
_THE_LAST = {"States", "Netherlands", "Philippines", "Bahamas", "Gambia", "Maldives"}
_THE_INITIALISMS = {"US", "USA", "UK", "EU", "UN", "UAE", "USSR", "DPRK", "ROK", "PRC", "IAEA"}


def takes_the(name: str) -> bool:
    """Whether English puts "the" before the party name ``name`` ("the United States",
    not "United States").

    The rule: a name takes "the" when its first word is "United" (the United States,
    the United Kingdom, the United Nations); when one of its words is "Republic",
    "Kingdom", "Union", "Federation", "Emirates", "Nations", "Islands", "Commission"
    or "Council" (the Republic of Korea, the Czech Republic, the European Union, the
    Russian Federation, the Solomon Islands, the UN Security Council); when its last
    word is "States", "Netherlands", "Philippines", "Bahamas", "Gambia" or "Maldives"
    (the Gulf States, the Netherlands); or when it is one of the initialisms read
    letter by letter US, USA, UK, EU, UN, UAE, USSR, DPRK, ROK, PRC and IAEA
    (acronyms read as words, NATO or ASEAN, take none). A name that already begins
    with "the" takes none more. Words count with their capital, so "Driver A" or
    "North Korea" take none.

    >>> takes_the("United States"), takes_the("Republic of Korea"), takes_the("China")
    (True, True, False)
    """
    words = name.split()
    if not words or words[0].lower() == "the":
        return False
    return (
        words[0] in _THE_FIRST
        or any(w.strip(",.") in _THE_WORDS for w in words)
        or words[-1] in _THE_LAST
        or name in _THE_INITIALISMS
    )


def definite(name: str, *, start: bool = False) -> str:
    """The party name ``name`` as English writes it in a sentence: with "the" where
    :func:`takes_the` says so ("the United States"), capitalised at the start of a
    sentence (``start``: "The United States").

    >>> definite("United States"), definite("United States", start=True), definite("China")
    ('the United States', 'The United States', 'China')
    """
    if not takes_the(name):
        return name
    return f"{'The' if start else 'the'} {name}"


def possessive(name: str, *, start: bool = False) -> str:
    """The possessive of the party name ``name``, with its article where English needs
    one (see :func:`definite`): an apostrophe alone after a final "s" ("the United
    States'"), "'s" otherwise ("North Korea's").

    >>> possessive("United States"), possessive("North Korea"), possessive("Netherlands", start=True)
    ("the United States'", "North Korea's", "The Netherlands'")
    """
    return definite(name, start=start) + ("'" if name.endswith("s") else "'s")


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
        if taken:
            yield hanging("  in force: ", "; ".join(taken))
        else:
            yield Text("  no option is in force")
        yield Text(f"  not taken: {_not_taken(len(brief['options']), len(taken))}", style="dim")
    elif brief["options"]:
        yield _heading("Status quo")
        for option in brief["options"]:
            mark = (
                Text("  in force  ", style="bold green")
                if option["status_quo"]
                else Text("  not taken ", style="dim")
            )
            yield hanging(mark, f"{option['label']} ({option['controller_name']})")
            if option.get("effects"):
                yield hanging(
                    "              on the issues: ", "; ".join(option["effects"]), style="dim"
                )
        for constraint in brief["constraints"]:
            yield hanging("  rule: ", constraint["rule"], style="dim")

    if brief["issues"]:
        yield _heading("Issues: each party's position and salience")
        actor_ids = [a["id"] for a in brief["actors"]]
        rows = []
        for issue in brief["issues"]:
            cells = []
            for actor_id in actor_ids:
                stance = issue["positions"].get(actor_id)
                cells.append(
                    "-"
                    if stance is None
                    else f"{stance.get('label', stance['position'])} ({stance['salience']:g})"
                )
            rows.append([issue["id"], *cells])
        # Many parties (KTAB tables have dozens) do not fit as columns: FittedTable
        # transposes or stacks them, and keeps each "position (salience)" cell whole.
        yield FittedTable(
            ["Issue", *(names[a] for a in actor_ids)], rows, whole_cells=True, justify="right"
        )
        red_lines = [
            f"{names[a]}: {issue['id']} {stance['red_line']}"
            for issue in brief["issues"]
            for a, stance in issue["positions"].items()
            if stance.get("red_line")
        ]
        if red_lines:
            yield Text("Red lines (never accepted, whatever else is gained):", style="dim")
            for red_line in red_lines:
                yield hanging("  ", red_line, style="dim")
        yield Text("Position (salience). Scale ends:", style="dim")
        for issue in brief["issues"]:
            lo, hi = issue["scale"]
            text = f"{issue['id']} ({issue['name']}): {lo:g} = {issue['low']}; {hi:g} = {issue['high']}"
            if issue.get("status_quo") is not None:
                text += f"; now at {issue['status_quo']:g}"
            yield hanging("  ", text, style="dim")

    if brief["proposals"] and compact:
        yield _heading("Proposals on the table")
        for proposal in brief["proposals"]:
            judged = {**proposal["positions"], **proposal.get("implied", {})}
            levels = ", ".join(f"{k} {v:g}" for k, v in judged.items())
            yield hanging("  ", proposal["name"] + (f": {levels}" if levels else ""))
    elif brief["proposals"]:
        yield _heading("Proposals on the table")
        for proposal in brief["proposals"]:
            by = ", ".join(names.get(a, a) for a in proposal["proposed_by"])
            title = Text(proposal["name"], style="bold")
            if by:
                title.append(f" (proposed by {by})", style="dim")
            yield title
            if proposal.get("description"):
                yield hanging("  ", reflow(proposal["description"]))
            for option_text in proposal["options"]:
                yield hanging("  - ", option_text)
            if proposal["positions"]:
                issue_names = {i["id"]: i["name"] for i in brief["issues"]}
                levels = ", ".join(
                    f"{issue_names.get(k, k)} {v:g}" for k, v in proposal["positions"].items()
                )
                yield hanging("  issue levels: ", levels, style="dim")
            if proposal.get("implied"):
                issue_names = {i["id"]: i["name"] for i in brief["issues"]}
                implied = ", ".join(
                    f"{issue_names.get(k, k)} {v:g}" for k, v in proposal["implied"].items()
                )
                yield hanging("  implied by its options: ", implied, style="dim")

    if brief["forums"]:
        yield _heading("Forums")
        for forum in brief["forums"]:
            yield Text(forum["name"], style="bold")
            yield hanging("  members: ", ", ".join(names.get(m, m) for m in forum["members"]))
            for rule in forum["rules"]:
                who = names.get(rule["actor"], rule["actor"])
                yield hanging(
                    "  ", f"{definite(who, start=True)} attends only if {rule['attends_if']}"
                )
            yield hanging("  agenda: ", ", ".join(forum["agenda"]), style="dim")

    if brief["timeline"] and timeline_events and not compact:
        events = brief["timeline"][-timeline_events:]
        yield _heading(f"Recent history ({len(events)} of {len(brief['timeline'])} events)")
        for event in events:
            yield hanging(f"  {event['date']:<10}  ", event["event"])


def section_renderables(
    sections: list[Section],
    skipped: dict[str, str],
    *,
    findings_first: bool = False,
    notes: Sequence[str] = (),
    tables: bool = True,
) -> Iterator[RenderableType]:
    """Each engine's findings in plain words, then the tables behind them; with
    ``findings_first`` every engine's findings come before any table; without
    ``tables``, the findings alone."""
    if findings_first and len(sections) > 1:
        yield Text("")
        yield Panel(Text("Findings", style="bold"), expand=True)
        for section in sections:
            yield _heading(section.title)
            for finding in section.findings:
                yield bullet(finding)
        for key, reason in skipped.items():
            yield Text(f"\n{key.replace('_', ' ').capitalize()}: not run ({reason})", style="dim")
        for note in notes:
            yield Text("\n" + note, style="italic")
        if not tables:
            return
        yield Text("")
        yield Panel(Text("The tables behind the findings", style="bold"), expand=True)
        for section in sections:
            yield from _tables(section)
        return
    for section in sections:
        yield Text("")
        yield Panel(Text(section.title, style="bold"), expand=True)
        for finding in section.findings:
            yield bullet(finding)
        if tables:
            yield from _tables(section)
    for key, reason in skipped.items():
        yield Text(f"\n{key.replace('_', ' ').capitalize()}: not run ({reason})", style="dim")


def _tables(section: Section) -> Iterator[RenderableType]:
    for table in section.tables:
        yield _heading(table.title)
        yield FittedTable(table.columns, table.rows)
        if table.note:
            yield hanging("", table.note, style="dim")


def hanging(prefix: str | Text, text: str | Text, *, style: str = "") -> RenderableType:
    """``prefix`` then ``text``, its later lines wrapped under its first (a hanging
    indent): bullets, labelled lines and notes stay readable at any width."""
    body = text if isinstance(text, Text) else Text(text, style=style)
    if not prefix:
        return body
    return _Hanging(prefix if isinstance(prefix, Text) else Text(prefix, style=style), body)


class _Hanging:
    """A prefix and a text wrapped beside it; on a terminal too narrow for both, the text
    goes under the prefix instead (nothing is cut)."""

    MIN_TEXT = 12

    def __init__(self, prefix: Text, body: Text):
        self.prefix, self.body = prefix, body

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        width = options.max_width
        if self.prefix.cell_len + self.MIN_TEXT > width:
            yield self.prefix
            yield from self._lines(Text("  "), width, console)
            return
        yield from self._lines(self.prefix, width, console)

    def _lines(self, prefix: Text, width: int, console: Console) -> Iterator[Text]:
        """The body wrapped beside ``prefix``, line by line (no padding at their ends)."""
        indent = Text(" " * prefix.cell_len)
        for k, line in enumerate(self.body.wrap(console, max(width - prefix.cell_len, 1))):
            line.rstrip()
            yield Text.assemble(prefix if k == 0 else indent, line)


def bullet(text: str) -> RenderableType:
    return hanging("  • ", text)


class FittedTable:
    """A table that never splits a word or a number: drawn as columns where every
    column's longest word fits the width it is printed at, else transposed (rows as
    columns) where that fits, else stacked, one block per row with each column's value
    under its header. Nothing is dropped or cut."""

    SEPARATOR = SEPARATOR

    def __init__(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        whole_cells: bool = False,
        justify: Literal["left", "right"] = "left",
        break_ids: bool = True,
    ):
        """``whole_cells``: every cell but those of the first column (which names the
        row) is kept on one line, as if it were one word ("100 (90)" never breaks into
        "100" / "(90)"); ``justify``: how those columns' cells are aligned; ``break_ids``:
        the first column's identifiers may break after an underscore (not where the
        reader copies them, as case names)."""
        self.columns = [str(c) for c in columns]
        self.rows = [[str(cell) for cell in row] for row in rows]
        self.whole_cells = whole_cells
        self.break_ids = break_ids
        self.justify: Literal["left", "right"] = justify

    def whole_words_width(self) -> int:
        """The narrowest width at which the columns keep every word whole."""
        n = len(self.columns)
        floors = column_floors(
            self.columns, self.rows, whole_cells=self.whole_cells, break_ids=self.break_ids
        )
        return sum(floors) + self.SEPARATOR * max(n - 1, 0)

    def column_widths(self, width: int) -> list[int]:
        """Each column's width at ``width`` (see :func:`detente._columns.column_widths`)."""
        return column_widths(
            self.columns, self.rows, width, whole_cells=self.whole_cells, break_ids=self.break_ids
        )

    def columns_table(self, width: int) -> Table:
        """The table as columns, each as wide as :meth:`column_widths` gives at ``width``."""
        grid = Table(show_edge=False, pad_edge=False)
        widths = self.column_widths(width)
        for k, (column, column_width) in enumerate(zip(self.columns, widths, strict=True)):
            # a kept-whole cell is never wider than its column (see column_floors), so it
            # stays on one line; headers wrap at their spaces
            grid.add_column(column, width=column_width, justify=self.justify if k > 0 else "left")
        for row in self.rows:
            grid.add_row(*(wrap_id(row[0], widths[0]), *row[1:]) if row and self.break_ids else row)
        return grid

    def stacked(self) -> Iterator[RenderableType]:
        label, *others = self.columns
        for row in self.rows:
            head = row[0] if row else ""
            yield hanging("", Text(f"{label}: {head}" if label else head, style="bold"))
            for k, column in enumerate(others, start=1):
                value = row[k] if k < len(row) else ""
                yield hanging(f"  {column}: " if column else "  ", value)

    def transposed(self) -> FittedTable:
        """Rows as columns (headed by each row's first cell), columns as rows."""
        columns = ["", *(row[0] if row else "" for row in self.rows)]
        rows = [
            [column, *(row[k] if k < len(row) else "" for row in self.rows)]
            for k, column in enumerate(self.columns[1:], start=1)
        ]
        return FittedTable(
            columns,
            rows,
            whole_cells=self.whole_cells,
            justify=self.justify,
            break_ids=self.break_ids,
        )

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        width = options.max_width
        if len(self.columns) < 2 or self.whole_words_width() <= width:
            yield self.columns_table(width)
            return
        flipped = self.transposed()
        if len(self.rows) > 1 and flipped.whole_words_width() <= width:
            yield flipped.columns_table(width)
        else:
            yield from self.stacked()
