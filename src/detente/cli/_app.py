"""The ``detente`` application object and the pieces every command shares: its
help, its examples and its options."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from detente.cli import _commands
from detente.cli._commands import APP_HELP

TYPE_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "float,float": "LO HI"}
"""What a value looks like, in the words ``--help`` shows (typer's own are type names)."""
CHOICES_SHOWN = 20
"""Choices are shown as ``a|b|c`` up to this many characters; longer lists are named in
the option's help, so that a narrow terminal never cuts them."""


def readable(param: Any, ctx: Any) -> None:
    """Say in a parameter's help what its value looks like, in words a user reads: no
    type for a flag, an argument by its name in capitals, TEXT, INTEGER or NUMBER for
    a value, the choices when they are short (else in the help text)."""
    if getattr(param, "_detente_readable", False):
        return
    param._detente_readable = True
    if isinstance(param, TyperArgument):
        if param.metavar is None:
            param.metavar = param.name.upper()
        # its name in capitals says what it is: no type beside it
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
        return
    if not isinstance(param, TyperOption) or param.metavar is not None:
        return
    if param.is_flag:
        param.metavar = ""
        return
    shown = param.display_type(ctx).strip("<>")
    if shown.startswith("list[") and shown.endswith("]"):
        shown = shown[5:-1]
    shown = shown.removesuffix(" range")
    if "|" in shown:
        choices = shown.split("|")
        if len(shown) > CHOICES_SHOWN:
            shown = (param.name or "value").upper()
            help_text = param.help or ""
            if not all(c in help_text for c in choices):
                param.help = f"{help_text} One of: {', '.join(choices)}.".strip()
        param.metavar = shown
        return
    param.metavar = TYPE_WORDS.get(shown, shown.upper())


class ReadableCommand(TyperCommand):
    """A command whose ``--help`` shows its parameters with :func:`readable`."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            readable(param, ctx)
        return params

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """The usage line with a required argument as ``NAME`` (typer writes ``{NAME}``)
        and an optional one as ``[NAME]``."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument) and param.required:
                name = param.metavar or (param.name or "").upper()
                pieces.append(name + ("..." if param.nargs != 1 else ""))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


class ReadableGroup(TyperGroup):
    """The app itself, its own options shown likewise."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            readable(param, ctx)
        return params


app = typer.Typer(
    name="detente",
    help=APP_HELP,
    cls=ReadableGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def command(name: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@app.command`` for the command ``name`` of the registry
    (:mod:`detente.cli._commands`: its panel and summary), with readable help."""
    return app.command(**_commands.command(name), cls=ReadableCommand, **options)


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
        "--scenario",
        "-s",
        metavar="ID",
        help="Scenario to apply; default: the case's default scenario.",
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
    typer.Option(
        "--dask", metavar="ADDRESS", help="Run the samples on a Dask cluster, e.g. tcp://HOST:8786."
    ),
]
HtmlOpt = Annotated[
    str | None,
    typer.Option(
        "--html", metavar="FILE", help="Also write the report as one self-contained HTML file."
    ),
]
MarkdownOpt = Annotated[
    str | None,
    typer.Option("--markdown", metavar="FILE", help="Also write the report as a Markdown file."),
]
StateOpt = Annotated[
    str, typer.Option("--state", metavar="STATE", help="State number (1-based) or Y/N pattern.")
]
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
