"""How commands print and write: reports in a format, JSON, files written whole,
progress on a terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

from detente.cli._app import Format
from detente.errors import CaseError, Problem


def print_finding(console: Console, finding: dict) -> None:
    """A consistency finding: where, then what and the fix, indented under it."""
    import textwrap

    from detente.report.text import short_location

    width = max(console.width - 4, 40)
    where = " ".join(
        x
        for x in (
            short_location(finding.get("location", "")),
            f"[{finding['scenario']}]" if finding.get("scenario") else "",
        )
        if x
    )
    if where:
        console.print(f"  {where}", markup=False, soft_wrap=True)
    for text in (finding["message"], f"fix: {finding['fix']}"):
        console.print(
            textwrap.fill(text, width, initial_indent="    ", subsequent_indent="      "),
            markup=False,
            soft_wrap=True,
        )


def wrapped(text: str, width: int | None, *, indent: int = 0, hang: int = 0) -> str:
    """``text`` in lines of at most ``width`` columns (a word or a number longer than a
    line keeps its own line, whole), the first indented by ``indent``, the others by
    ``indent + hang``; a line break in ``text`` starts a new line likewise indented.
    ``width=None``: one line per line of ``text``, as it is (for files and pipes, where
    a message is one line to search)."""
    import textwrap

    if width is None:
        return "\n".join(
            (" " * indent if k == 0 else " " * (indent + hang)) + part
            for k, part in enumerate(text.split("\n"))
        )
    if hang > width // 2:  # a long file name: its text would be a narrow column
        hang = 4
    first, rest = " " * indent, " " * (indent + hang)
    lines = []
    for k, part in enumerate(text.split("\n")):
        lines += textwrap.wrap(
            part,
            max(width, indent + hang + 1),
            initial_indent=first if k == 0 else rest,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [first if k == 0 else rest]
    return "\n".join(line.rstrip() for line in lines)


def prefix_width(problem: Problem) -> int:
    """The width of a problem's ``file:line: `` prefix (0 without one): its message's
    later lines go under the text that follows it."""
    where = problem.file or ("<case>" if problem.line is not None or problem.path else "")
    if problem.line is not None:
        where += f":{problem.line}"
    return len(where) + 2 if where and str(problem).startswith(where + ": ") else 0


def message_width(console: Console) -> int | None:
    """The width messages on ``console`` are wrapped at: a terminal's; None (no
    wrapping) in a file or a pipe, where each message stays one line to search."""
    return console.width if console.is_terminal else None


def print_labelled(console: Console, label: str, style: str, text: str) -> None:
    """``label: text`` wrapped at a terminal's width, later lines under the text."""
    from rich.text import Text

    body = wrapped(f"{label}: {text}", message_width(console), hang=len(label) + 2)
    console.print(Text(label, style=style) + Text(body[len(label) :]), soft_wrap=True)


def singular(noun: str) -> str:
    """'1 constraint', '1 preference ordering', '1 timeline event'."""
    return noun[:-1] if noun.endswith("s") else noun


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


STEP_LABELS = {
    "way_out": "the way out",
    "graph_model": "graph model",
    "forecast": "forecast",
    "bargaining": "bargaining",
    "history": "the history",
    "perception": "each party's view",
    "robustness": "robustness margins",
}


class progress:
    """A progress bar on standard error for long work, shown only on a terminal.

    ``with progress(title) as bar``: ``bar.step(key)`` advances one engine of
    ``analyze``; ``bar.update(done, total)`` reports a scan's progress. With
    ``total=None`` it shows the time spent (work whose size is not known ahead).
    """

    def __init__(self, title: str, total: int | None = len(STEP_LABELS)):
        self.title, self.total = title, total
        self.bar: Progress | None = None  # rich's, imported only on a terminal
        self.task: TaskID | None = None

    def __enter__(self) -> progress:
        err = Console(stderr=True)
        if err.is_terminal:
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.title, total=self.total)
        return self

    def step(self, key: str) -> None:
        if self.bar is not None and self.task is not None:
            label = " · ".join(STEP_LABELS.get(part, part) for part in key.split(":"))
            self.bar.update(self.task, description=f"{self.title}: {label}", advance=1)

    def update(self, done: int, total: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def write_reports(
    report, html: str | None, markdown: str | None, *, figure_options: dict | None = None
) -> None:
    """Write the report as HTML and as Markdown where the options ask for them."""
    if html is not None:
        write_file(html, report.to_html(figure_options=figure_options))
        Console(stderr=True).print(f"wrote the HTML report to {html}", highlight=False)
    if markdown is not None:
        write_file(markdown, report.to_markdown())
        Console(stderr=True).print(f"wrote the Markdown report to {markdown}", highlight=False)


def report_out(
    report,
    format: Format,
    html: str | None,
    markdown: str | None,
    *,
    figure_options: dict | None = None,
) -> None:
    """Write the report to the files ``--html`` and ``--markdown`` ask for, then print it:
    with a file written, a text report gives the title and the findings alone (its
    tables and figures are in the file), as ``detente analyze`` does."""
    write_reports(report, html, markdown, figure_options=figure_options)
    render(report, format, tables=html is None and markdown is None)


def write_file(path: str, text: str) -> None:
    """Write all or nothing: a half-written file never replaces a good one."""
    from pathlib import Path

    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CaseError(
            Problem(f"cannot write the file: {exc.strerror or exc}", file=str(target))
        ) from None
    except BaseException:  # Ctrl-C while writing: no half-written file stays behind
        partial.unlink(missing_ok=True)
        raise


def render(report, format: Format, *, tables: bool = True) -> None:
    """Print a report in ``format``; ``tables=False`` prints only the findings of a text
    report (its tables went to a file the user asked for)."""
    if format is Format.json:
        emit_json(report.to_dict())
    elif format is Format.markdown:
        sys.stdout.write(report.to_markdown())
    else:
        show(report.renderables(tables=tables))


def show(renderables: Iterable[Any]) -> None:
    """Print rich renderables on standard output; into a file or a pipe, without the
    spaces that pad table cells at the end of lines."""
    console = stdout()
    if console.is_terminal:
        for renderable in renderables:
            console.print(renderable)
        return
    with console.capture() as captured:
        for renderable in renderables:
            console.print(renderable)
    sys.stdout.write("\n".join(line.rstrip() for line in captured.get().split("\n")))


def csv_text(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()
