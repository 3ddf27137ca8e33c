"""Commands that run several engines: ``analyze`` (also the default command),
``wayout`` and ``compare``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from detente import __version__
from detente.cli._app import (
    EXAMPLES,
    CaseArg,
    Format,
    FormatOpt,
    HtmlOpt,
    MarkdownOpt,
    ScenarioOpt,
    app,
    command,
)
from detente.cli._output import progress, report_out
from detente.cli._session import load_case, session


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(f"detente {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        analyze()


@command(
    "analyze",
    help="Analyse a case and print the report (with --html or --markdown the whole report goes "
    "to the file and the terminal shows the findings)."
    + EXAMPLES.format("detente analyze korea --scenario article_advice"),
)
def analyze(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    format: FormatOpt = Format.text,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    pair: Annotated[
        str | None,
        typer.Option(
            "--pair",
            metavar="A,B",
            help="With --html: the two parties of the utility-space plot, e.g. USA,PRK "
            "(default: the two whose positions are furthest apart).",
        ),
    ] = None,
) -> None:
    from detente.analysis import analyze as run_analyses
    from detente.report import analysis_report

    loaded = load_case(case, scenario=scenario)
    chosen = _pair(loaded, pair)
    with progress("Analysing") as bar:
        analysis = run_analyses(loaded, on_step=bar.step)
    # only the JSON output lists every state; the other formats show a few
    report = analysis_report(analysis, states="auto" if format is Format.json else "shown")
    # the full report goes to a file: the terminal gets the findings
    report_out(
        report,
        format,
        html,
        markdown,
        figure_options={"bargaining": {"pair": chosen}} if chosen else None,
    )


class WayOutConcept(StrEnum):
    seq = "seq"
    gmr = "gmr"
    nash = "nash"


@command(
    "wayout",
    help=(
        "The way out of the deadlock: phased paths from the status quo to an agreement, each "
        "step stable for every party, acceptable to a forum's participants and reached by the "
        "parties' own improvements; with what would have to change, and who would change it. "
        "Needs a case whose options say what they do on the issues ('effects')."
    )
    + EXAMPLES.format("detente wayout korea --scenario article_advice --paths 3"),
)
def wayout(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    concept: Annotated[
        WayOutConcept,
        typer.Option("--concept", help="The stability every step must have for every party."),
    ] = WayOutConcept.seq,
    paths: Annotated[
        int, typer.Option("--paths", min=1, max=20, help="How many paths to show.")
    ] = 5,
    coalitions: Annotated[
        bool,
        typer.Option(
            "--coalitions/--no-coalitions",
            help="Let coalitions' joint improvements move the conflict (the case's coalitions, "
            "or every pair of parties); --no-coalitions: single parties only.",
        ),
    ] = True,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.analysis.wayout import way_out
    from detente.report import engine_report

    loaded = load_case(case, scenario=scenario)
    with progress("Looking for a way out", total=1) as bar:
        result = way_out(
            loaded, concept=concept.value, max_paths=paths, coalitions=None if coalitions else []
        )
        bar.step("way_out")
    report_out(engine_report("way_out", result, loaded), format, html, markdown)


@command(
    "compare",
    help="Run the analyses on several scenarios of a case and show what changes, side by side."
    + EXAMPLES.format("detente compare korea --scenarios deadlock_2022,article_advice"),
)
def compare(
    case: CaseArg = "korea",
    scenarios: Annotated[
        str | None,
        typer.Option(
            "--scenarios", metavar="IDS", help="Comma-separated scenario ids; default: all."
        ),
    ] = None,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente._loading import load_base
    from detente.analysis import STEPS
    from detente.analysis import compare as run
    from detente.report import comparison_report

    wanted = [s.strip() for s in scenarios.split(",") if s.strip()] if scenarios else None
    session().source = case
    base = load_base(case)
    count = len(wanted) if wanted else len(base.scenario_ids)
    with progress("Comparing", total=count * len(STEPS)) as bar:
        comparison = run(base, wanted, on_step=bar.step)
    report_out(comparison_report(comparison), format, html, markdown)


def _pair(case, text: str | None) -> tuple[str, str] | None:
    """``--pair A,B``: two different parties of the case."""
    if text is None:
        return None
    parties = [a.id for a in case.actors]
    chosen = tuple(x.strip() for x in text.split(",") if x.strip())
    if len(chosen) != 2 or chosen[0] == chosen[1] or not set(chosen) <= set(parties):
        raise typer.BadParameter(
            f"{text!r}: name two different parties, e.g. {','.join(parties[:2])} (choose from "
            f"{', '.join(parties)})",
            param_hint="--pair",
        )
    return chosen[0], chosen[1]
