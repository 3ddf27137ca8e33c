"""The ``detente`` application object and the pieces every command shares: its
help, its examples and its options."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

app = typer.Typer(
    name="detente",
    help=(
        "Analyse deadlocked multilateral negotiations: which outcomes are stable, where "
        "bargaining is heading, which packages every party could accept and in which forum "
        "an agreement becomes possible.\n\n"
        "Run with no command to analyse the built-in case (the North Korean "
        "denuclearisation deadlock)."
    ),
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXAMPLES = "\n\n**Example:** `{}`"


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


CaseArg = Annotated[
    str,
    typer.Argument(
        help="A case file (YAML or JSON) or the name of a built-in case (see `detente cases`)."
    ),
]
ScenarioOpt = Annotated[
    str | None,
    typer.Option(
        "--scenario", "-s", help="Scenario to apply; default: the case's default scenario."
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
SeedOpt = Annotated[
    int,
    typer.Option(
        "--seed",
        min=0,
        help="Seed of the Monte Carlo samples; the same seed gives the same result.",
    ),
]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="Run the samples on a Dask cluster, e.g. tcp://HOST:8786."),
]
HtmlOpt = Annotated[
    str | None,
    typer.Option("--html", help="Also write the report as one self-contained HTML file."),
]
MarkdownOpt = Annotated[
    str | None, typer.Option("--markdown", help="Also write the report as a Markdown file.")
]
StateOpt = Annotated[str, typer.Option("--state", help="State number (1-based) or Y/N pattern.")]
PositionSdOpt = Annotated[
    float,
    typer.Option(
        "--position-sd",
        min=0,
        help="Monte Carlo: uncertainty of positions (points of the issue scale) where the "
        "case gives none.",
    ),
]
SalienceSdOpt = Annotated[
    float,
    typer.Option(
        "--salience-sd",
        min=0,
        help="Monte Carlo: uncertainty of saliences (points, 0-100) where the case gives none.",
    ),
]


def check_samples(samples: int) -> None:
    """``--samples`` within the limit (``DETENTE_MAX_SAMPLES``), before any work starts."""
    from detente.model.limits import Limits, limits

    cap = limits().samples
    if samples > cap:
        raise typer.BadParameter(
            f"{samples:,} samples are more than the limit of {cap:,} (each sample keeps every "
            f"model's forecast of every issue); set {Limits.variable('samples')} to raise it",
            param_hint="--samples",
        )
