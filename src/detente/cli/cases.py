"""Commands about the case itself: ``show``, ``cases``, ``validate``, ``schema`` and
``export``."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from detente.cli._app import EXAMPLES, CaseArg, Format, FormatOpt, ScenarioOpt, command
from detente.cli._output import (
    emit_json,
    print_finding,
    print_labelled,
    render,
    singular,
    stdout,
    wrapped,
    write_file,
)
from detente.cli._session import load_case


@command(
    "show",
    help="Print a case: parties, options, issues, proposals and forums."
    + EXAMPLES.format("detente show korea --format json"),
)
def show(case: CaseArg, scenario: ScenarioOpt = None, format: FormatOpt = Format.text) -> None:
    from detente.report import case_report

    render(case_report(load_case(case, scenario=scenario, warn=False)), format)


@command("cases", help="List the built-in cases." + EXAMPLES.format("detente cases"))
def cases(format: FormatOpt = Format.text) -> None:
    from detente import cases as catalogue

    infos = catalogue.catalogue()  # as listed without typer (detente.cli._light)
    if format is Format.json:
        emit_json(
            [
                {
                    "name": i.slug,
                    "title": i.title,
                    "description": i.description,
                    "scenarios": list(i.scenarios),
                }
                for i in infos
            ]
        )
        return
    if format is Format.markdown:
        for i in infos:
            sys.stdout.write(f"- **{i.slug}**: {i.description}\n")
        return

    from detente.report.text import FittedTable

    rows = [[i.slug, i.description, ", ".join(i.scenarios) or "-"] for i in infos]
    from detente.cli._output import show as print_renderables

    print_renderables([FittedTable(["Name", "Description", "Scenarios"], rows, break_ids=False)])


@command(
    "validate",
    help=(
        "Check a case file and say what it holds, where its two halves (option priorities and "
        "issue stances) disagree, and which engines each scenario changes."
    )
    + EXAMPLES.format("detente validate korea --scenario eve_of_hanoi_2019"),
)
def validate(
    case: CaseArg,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Check this scenario (and the base case's findings that it keeps); default: "
            "the base case and every scenario.",
        ),
    ] = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.report import validation_summary

    base, view = load_case(case, scenario=scenario, warn=False, with_base=True)
    summary = validation_summary(view, source=case, base=base, only_scenario=scenario is not None)
    if format is Format.json:
        emit_json(summary)
        return
    console = stdout()
    console.print(f"[green]valid[/green]: {summary['source']} ({summary['title']})")
    for key, value in summary["counts"].items():
        console.print(f"  {value:>4} {key if value != 1 else singular(key)}")
    from rich.text import Text

    from detente.report.text import hanging

    for warning in summary["warnings"]:
        console.print(hanging(Text.assemble("  ", ("warning", "yellow"), ": "), warning))
    findings = summary["consistency"]
    if findings:
        count = f"{len(findings)} consistency finding{'s' if len(findings) != 1 else ''}"
        heading = Text(
            wrapped(
                f"{count} (priorities against stances, scenarios, sources):", console.width, hang=2
            )
        )
        heading.stylize("yellow", 0, len(count))
        console.print(heading, soft_wrap=True)
        for finding in findings:
            print_finding(console, finding)
    elif summary["linked"]:
        console.print("consistent: each party's priorities follow what its issue stances value")
    for sid, engines in summary["scenario_engines"].items():
        changed = ", ".join(e.replace("_", " ") for e in engines) or "nothing"
        console.print(f"  scenario {sid} changes: {changed}", markup=False)


@command(
    "schema",
    help="Print the JSON Schema of the case format (for editors)."
    + EXAMPLES.format("detente schema > case.schema.json"),
)
def schema() -> None:
    from detente.model.schema import case_schema

    emit_json(case_schema())


class ExportFormat(StrEnum):
    gmcr_py = "gmcr-py"
    json = "json"
    yaml = "yaml"


@command(
    "export",
    help="Write a case in another format: a gmcr-py (GMCR+) save file, JSON or YAML."
    + EXAMPLES.format("detente export korea --to gmcr-py -o korea.gmcr"),
)
def export(
    case: CaseArg,
    to: Annotated[
        ExportFormat | None,
        typer.Option(
            "--to",
            help="Format to write; default: as the output file's suffix says (.gmcr, .yaml or "
            ".yml, .json), else JSON.",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="File to write; default: standard output."
        ),
    ] = None,
    scenario: ScenarioOpt = None,
) -> None:

    from detente.model.io import dumps
    from detente.model.io.gmcr_py import case_to_gmcr

    if to is None:
        to = _format_of(output)
    loaded = load_case(case, scenario=scenario)
    if to is ExportFormat.gmcr_py:
        from detente.model.io.gmcr_py import export_notes

        text = case_to_gmcr(loaded, ranking_of=_ranking_from_statements(loaded))
        notes = Console(stderr=True, soft_wrap=True, highlight=False)
        for note in export_notes(loaded):
            print_labelled(notes, "note", "", str(note))
    else:
        text = dumps(loaded, fmt=to.value)
    if output is None:
        sys.stdout.write(text)
        return
    write_file(output, text)


def _format_of(output: str | None) -> ExportFormat:
    """The format an output file's suffix asks for (JSON for standard output or another
    suffix)."""
    from pathlib import Path

    suffix = Path(output).suffix.lower() if output else ""
    return {
        ".gmcr": ExportFormat.gmcr_py,
        ".yaml": ExportFormat.yaml,
        ".yml": ExportFormat.yaml,
    }.get(suffix, ExportFormat.json)


def _ranking_from_statements(case):
    """For gmcr-py files that need every party's ranking: rank states by the statements' scores."""

    def ranking_of(actor_id: str) -> list:
        from detente.gmcr import pattern
        from detente.gmcr.case import graph_model

        model = graph_model(case)
        payoff = model.payoff[model.actor_index(actor_id)]
        n = len(model.options)
        groups = []
        for level in sorted(set(payoff.tolist()), reverse=True):
            members = [pattern(int(model.states[i]), n) for i in (payoff == level).nonzero()[0]]
            groups.append(members[0] if len(members) == 1 else members)
        return groups

    return ranking_of
