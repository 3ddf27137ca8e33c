"""The bargaining command: ``bargain``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from detente.cli._app import (
    EXAMPLES,
    CaseArg,
    DaskOpt,
    Format,
    FormatOpt,
    HtmlOpt,
    MarkdownOpt,
    PositionSdOpt,
    SalienceSdOpt,
    ScenarioOpt,
    SeedOpt,
    check_samples,
    command,
)
from detente.cli._output import progress, report_out
from detente.cli._session import load_case


class Solution(StrEnum):
    nash = "nash"
    ks = "ks"
    utilitarian = "utilitarian"
    egalitarian = "egalitarian"


SOLUTION_IDS = {
    "nash": "nash",
    "ks": "kalai_smorodinsky",
    "utilitarian": "utilitarian",
    "egalitarian": "egalitarian",
}


@command(
    "bargain",
    help=(
        "Which packages every party could accept, who blocks each proposal, and in which forum "
        "agreement becomes possible; with --samples, how often each proposal and forum stays "
        "inside the zone when positions and saliences are uncertain. CASE may also be a folder "
        "holding a GENIUS scenario (a domain XML and one profile XML per party). With --html, the "
        "report and its figures go to a file and the terminal shows the findings."
    )
    + EXAMPLES.format("detente bargain korea --solution ks --samples 500 --seed 7"),
)
def bargain(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    solution: Annotated[
        Solution,
        typer.Option(
            "--solution",
            help="The solution that picks each forum's best package: nash (Nash), ks "
            "(Kalai-Smorodinsky), utilitarian or egalitarian.",
        ),
    ] = Solution.nash,
    forums: Annotated[
        bool, typer.Option("--forums/--no-forums", help="Evaluate the case's forums.")
    ] = True,
    options: Annotated[
        bool,
        typer.Option("--options", help="Add the options that proposals set to the outcome space."),
    ] = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=0,
            help="Robustness: Monte Carlo samples of uncertain positions and saliences.",
        ),
    ] = 0,
    seed: SeedOpt = 0,
    dask: DaskOpt = None,
    position_sd: PositionSdOpt = 5.0,
    salience_sd: SalienceSdOpt = 5.0,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.bargain.case import bargain as run
    from detente.report import engine_report

    check_samples(samples)
    loaded = load_case(case, scenario=scenario)
    with progress("Scanning packages") as bar:
        result = run(
            loaded,
            forums=forums,
            options=options,
            forum_solution=SOLUTION_IDS[solution.value],
            samples=samples,
            seed=seed,
            position_sd=position_sd,
            salience_sd=salience_sd,
            workers=None,
            dask_address=dask,
            progress=bar.update,
        )
    report_out(engine_report("bargaining", result, loaded), format, html, markdown)
