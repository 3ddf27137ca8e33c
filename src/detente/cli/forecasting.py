"""The forecasting commands: ``forecast`` and ``backtest``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

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
from detente.cli._output import (
    csv_text,
    print_labelled,
    progress,
    render,
    report_out,
    write_file,
    write_reports,
)
from detente.cli._session import load_case
from detente.errors import CaseError


def _smp_choices() -> dict[str, tuple[str, ...]]:
    """The spatial model's settings a user may choose, and their values (KTAB's)."""
    from detente.forecast.smp_settings import SETTINGS

    return SETTINGS


def _smp_settings(items: list[str]) -> dict[str, str]:
    """``--smp NAME=VALUE`` options as keyword arguments of the spatial model."""
    choices = _smp_choices()
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip().replace("-", "_"), value.strip()
        if not sep or name not in choices:
            raise typer.BadParameter(
                f"{item!r}: expected NAME=VALUE with NAME one of {', '.join(choices)}",
                param_hint="--smp",
            )
        if value not in choices[name]:
            raise typer.BadParameter(
                f"{name} must be one of {', '.join(choices[name])}, not {value!r}",
                param_hint="--smp",
            )
        out[name] = value
    return out


def _forecast_source(case: str, scale: tuple[float, float] | None):
    """A case file, or a forecasting table (plain or KTAB CSV, KTAB XML) turned into a case,
    with the spatial model's parameters a KTAB XML scenario sets."""
    from pathlib import Path

    path = Path(case)
    if path.suffix.lower() not in (".csv", ".xml") or not path.is_file():
        return case, {}
    from detente._loading import forecast_table_kind, read_forecast_table

    kind = forecast_table_kind(path)
    if kind != "plain" and scale is not None:
        raise typer.BadParameter(
            "KTAB scenarios are on 0..100; --scale is for plain CSV tables", param_hint="--scale"
        )
    if kind == "plain" and scale is None:
        Console(stderr=True).print(
            "warning: taking the positions' scale as 0 to 100; give --scale LO HI if they are on another scale",
            highlight=False,
        )
    smp: dict = {}
    if kind == "ktab-xml":
        from detente.forecast.inputs import parse_ktab_xml

        try:
            smp = parse_ktab_xml(path.read_text(encoding="utf-8-sig")).smp_kwargs()
        except CaseError as exc:
            raise CaseError(exc.problems, file=str(path)) from None
    return read_forecast_table(path, scale=scale), smp


class ForecastModel(StrEnum):
    eum = "eum"
    smp = "smp"
    mean = "mean"
    median = "median"


@command(
    "forecast",
    help=(
        "Where the bargaining on each issue is heading: Bueno de Mesquita's expected utility model, "
        "KTAB's spatial model and the weighted mean and median. CASE may also be a plain CSV "
        "(actor,capability,position,salience; saliences as shares from 0 to 1, positions on --scale) "
        "or a KTAB scenario (.csv, .xml; positions and saliences on 0 to 100). With --html, the "
        "report and its figures go to a file and the terminal shows the findings."
    )
    + EXAMPLES.format("detente forecast korea --model eum --samples 1000 --seed 7"),
)
def forecast(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    issue: Annotated[str | None, typer.Option("--issue", help="Forecast only this issue.")] = None,
    model: Annotated[
        list[ForecastModel] | None,
        typer.Option(
            "--model",
            help="Model to run (eum, smp, mean or median); repeat for several. Default: all four.",
        ),
    ] = None,
    variant: Annotated[
        str,
        typer.Option(
            "--variant",
            help="EUM variant: paper (the paper's text) or scholz-code (the replication code).",
        ),
    ] = "paper",
    rounds: Annotated[
        int | None, typer.Option("--rounds", min=1, help="Play exactly this many rounds.")
    ] = None,
    joint: Annotated[
        bool, typer.Option("--joint", help="Spatial model: bargain over all issues at once.")
    ] = False,
    scale: Annotated[
        tuple[float, float] | None,
        typer.Option("--scale", help="The issue scale LO HI (default: the case's, else 0 100)."),
    ] = None,
    samples: Annotated[
        int, typer.Option("--samples", min=0, help="Monte Carlo samples of uncertain inputs.")
    ] = 0,
    seed: SeedOpt = 0,
    level: Annotated[
        float,
        typer.Option(
            "--level",
            help="Monte Carlo: the share of the samples' forecasts inside each interval, "
            "between 0 and 1.",
        ),
    ] = 0.9,
    dask: DaskOpt = None,
    position_sd: PositionSdOpt = 5.0,
    salience_sd: SalienceSdOpt = 5.0,
    capability_sd: Annotated[
        float,
        typer.Option(
            "--capability-sd",
            min=0,
            help="Monte Carlo: uncertainty of capabilities, as a share of each, where the case "
            "gives none.",
        ),
    ] = 0.1,
    smp_setting: Annotated[
        list[str] | None,
        typer.Option(
            "--smp",
            metavar="NAME=VALUE",
            help="A spatial-model setting, repeatable (over a KTAB XML's). "
            + "; ".join(f"{k}: {', '.join(v)}" for k, v in _smp_choices().items())
            + ".",
        ),
    ] = None,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.forecast.case import forecast as run
    from detente.report import engine_report

    if variant not in ("paper", "scholz-code"):
        raise typer.BadParameter("choose paper or scholz-code", param_hint="--variant")
    source, smp = _forecast_source(case, scale)
    smp = {**smp, **_smp_settings(smp_setting or [])}
    check_samples(samples)
    if not 0 < level < 1:
        raise typer.BadParameter(
            f"{level:g} is not between 0 and 1 (e.g. 0.8)", param_hint="--level"
        )
    loaded = load_case(source, scenario=scenario, name=case)
    models = [m.value for m in model] if model else ["eum", "smp", "mean", "median"]
    if joint and "smp" not in models:
        raise typer.BadParameter(
            "--joint applies to the spatial model: add --model smp", param_hint="--joint"
        )
    if joint and issue is not None:
        raise typer.BadParameter(
            "--joint bargains over all issues at once; drop --issue (the report gives each "
            "issue's joint forecast)",
            param_hint="--joint",
        )
    with progress("Forecasting", total=samples or None) as bar:
        result = run(
            loaded,
            models=models,
            issue=issue,
            variant=variant,
            rounds=rounds,
            joint=joint,
            smp=smp,
            scale=scale,
            samples=samples,
            seed=seed,
            level=level,
            position_sd=position_sd,
            salience_sd=salience_sd,
            capability_sd=capability_sd,
            workers=None,
            dask_address=dask,
            progress=bar.update,
        )
    report_out(engine_report("forecast", result, loaded), format, html, markdown)


EXAMPLE = "example"
"""The name that gives ``detente backtest`` its built-in synthetic tables."""


def _is_example(stances: str) -> bool:
    """Whether STANCES names the built-in example: the bare name, unless a file of that
    name exists (as a built-in case name gives way to a file, see :func:`detente.load`)."""
    return stances == EXAMPLE and not Path(stances).is_file()


class BacktestModel(StrEnum):
    mean = "mean"
    median = "median"
    eum = "eum"
    eum_scholz = "eum-scholz"
    smp = "smp"


@command(
    "backtest",
    help=(
        "Check every forecasting model against recorded outcomes: mean absolute error, RMSE, "
        "shares within 10 and 20 points, bias, and each model's difference from the compromise "
        "model with a bootstrap interval, broken down by the outcome table's categories.\n\n"
        "STANCES is a CSV table with the header `issue,actor,capability,position,salience`, "
        "one row per actor holding a position on an issue (e.g. `vat,DE,3.9,20,0.6`: positions "
        "on the issue's 0-100 scale, saliences as shares from 0 to 1). --outcomes is a CSV table "
        "`issue,outcome` (e.g. `vat,35`: the decision recorded, on the same scale), with, "
        "optionally, `proposal` (issues of one proposal are resampled together), "
        "`reference_point` (the status quo) and text columns such as `voting` or `procedure` "
        "to break the errors down by.\n\n"
        "Such tables come from expert surveys of decided issues. The usual source is the "
        "DEU data set, Decision-making in the European Union (DEU III: Arregui & Perarnaud "
        "2021, doi:10.34810/data53, CC BY 4.0; positions, saliences and outcomes of Council "
        "legislation): convert its file to the two tables. detente ships no such data, only "
        "a small synthetic pair of tables to try the command on: with STANCES `example` and "
        "no --outcomes it runs on 12 made-up issues, generated at random, not real decisions."
    )
    + EXAMPLES.format("detente backtest example")
    + "\n\nFor real data, convert DEU III to the two tables, then: "
    "`detente backtest stances.csv --outcomes outcomes.csv`",
)
def backtest(
    stances: Annotated[
        str,
        typer.Argument(
            help="The stance table (issue,actor,capability,position,salience), or `example` "
            "for the synthetic tables shipped with detente."
        ),
    ],
    outcomes: Annotated[
        str | None,
        typer.Option(
            "--outcomes",
            "-o",
            metavar="FILE",
            help="The outcome table (issue,outcome,...); required unless STANCES is `example`.",
        ),
    ] = None,
    model: Annotated[
        list[BacktestModel] | None,
        typer.Option(
            "--model",
            help="Model to run (mean, median, eum, eum-scholz or smp); repeat for several. "
            "mean, the compromise model and detente's recommended forecast, always runs. "
            "Default: all.",
        ),
    ] = None,
    scale: Annotated[
        tuple[float, float],
        typer.Option("--scale", help="The scale of every issue, LO HI."),
    ] = (0.0, 100.0),
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap", min=100, help="Bootstrap resamples for the intervals of differences."
        ),
    ] = 2000,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=0,
            help="Monte Carlo samples per issue, to measure the coverage of each model's "
            "intervals (every model runs once per sample and issue: pick the models with "
            "--model to keep it short).",
        ),
    ] = 0,
    position_sd: PositionSdOpt = 5.0,
    salience_sd: SalienceSdOpt = 5.0,
    seed: SeedOpt = 0,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Local processes (default: every core)."),
    ] = None,
    dask: DaskOpt = None,
    csv_out: Annotated[
        str | None,
        typer.Option(
            "--csv", metavar="FILE", help="Also write the per-issue forecasts as a CSV file."
        ),
    ] = None,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.forecast.backtest import MODELS
    from detente.forecast.backtest import backtest as run
    from detente.model.io.issue_tables import read_outcome_table, read_stance_table
    from detente.report import backtest_report

    chosen = list(dict.fromkeys([m.value for m in model] if model else MODELS))
    if not scale[0] < scale[1]:
        raise typer.BadParameter("LO must be below HI", param_hint="--scale")
    check_samples(samples)
    names: dict[str, str] = {}  # how the report's heading names the tables
    if _is_example(stances):
        from detente.cases import backtest_example

        example_stances, example_outcomes = backtest_example()
        for path in (example_stances, example_outcomes):
            names[str(path)] = f"detente's synthetic {EXAMPLE} ({path.name})"
        stances = str(example_stances)
        if outcomes is None:
            outcomes = str(example_outcomes)
        print_labelled(
            Console(stderr=True, highlight=False),
            "note",
            "",
            f"the {EXAMPLE} tables are synthetic (made-up issues, not real decisions), "
            f"in {example_stances.parent}",
        )
    elif outcomes is None:
        raise typer.BadParameter(
            f"required with a stance table of your own (only `detente backtest {EXAMPLE}` "
            f"finds its outcome table without it)",
            param_hint="--outcomes",
        )
    stance_table = read_stance_table(stances, scale=scale)
    outcome_table = read_outcome_table(outcomes, scale=scale)
    with progress("Forecasting the issues", total=len(outcome_table)) as bar:
        result = run(
            stance_table,
            outcome_table,
            models=chosen,
            scale=scale,
            bootstrap=bootstrap,
            seed=seed,
            samples=samples,
            position_sd=position_sd,
            salience_sd=salience_sd / 100,
            workers=workers,
            dask_address=dask,
            progress=bar.update,
        )
    report = backtest_report(
        result, stances=names.get(stances, stances), outcomes=names.get(outcomes, outcomes)
    )
    if csv_out is not None:
        write_file(csv_out, csv_text(result.rows()))
        Console(stderr=True).print(f"wrote the per-issue forecasts to {csv_out}", highlight=False)
    write_reports(report, html, markdown)
    render(report, format)
