"""The ``detente`` command. Each command parses its options and calls one function;
formatting lives in :mod:`detente.report`. Only this module turns errors into
messages and exit codes: 0 ok, 1 analysis failed, 2 bad input.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console

from detente import __version__
from detente.errors import AnalysisError, CaseError, DetenteError, Problem

__all__ = ["app", "main"]

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


_SOURCE: list[str] = []  # the case the running command loaded, to name it in errors
_CASE: list[Any] = []  # the case it loaded, to give engine problems their line


def _load(
    case,
    *,
    scenario: str | None = None,
    name: str | None = None,
    warn: bool = True,
    with_base: bool = False,
):
    """Load a case for a command, remembering where it came from for error messages;
    with ``warn``, say on standard error what is valid but suspicious in it; with
    ``with_base``, return the case without its scenario too (base, view)."""
    from pathlib import Path

    from detente import cases, load

    label = name if name is not None else str(case)
    looks_like_file = Path(label).exists() or (
        bool(Path(label).suffix or "/" in label) and not cases.is_builtin(label)
    )
    _SOURCE[:] = [label if looks_like_file else f"built-in case '{label}'"]
    path = Path(str(case))
    if isinstance(case, str) and path.suffix.lower() in (".csv", ".xml") and path.is_file():
        # a forecasting table (plain or KTAB CSV, KTAB XML) is a case of actors and issues
        from detente._loading import read_forecast_table

        case = read_forecast_table(path)
    loaded = load(case, scenario=scenario)
    _CASE[:] = [loaded]
    if with_base:
        from detente._loading import load_base

        base = load_base(case)
        _CASE[:] = [base]
        return base, loaded
    if warn:
        from detente.model.checks import case_warnings

        console = Console(stderr=True, soft_wrap=True, highlight=False)
        for warning in case_warnings(loaded):
            console.print(f"warning: {warning}", markup=False)
    return loaded


def _print_finding(console: Console, finding: dict) -> None:
    """A consistency finding: where, then what and the fix, indented under it."""
    import textwrap

    width = max(console.width - 4, 40)
    where = " ".join(
        x
        for x in (
            finding.get("location", ""),
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


def _singular(noun: str) -> str:
    """'1 constraint', '1 preference ordering', '1 timeline event'."""
    return noun[:-1] if noun.endswith("s") else noun


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


class MoveKind(StrEnum):
    improvements = "improvements"
    any = "any"


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


@app.command(
    help="Analyse a case and print the report."
    + EXAMPLES.format("detente analyze korea --scenario article_advice")
)
def analyze(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    format: FormatOpt = Format.text,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
) -> None:
    from detente.analysis import analyze as run_analyses
    from detente.report import analysis_report

    loaded = _load(case, scenario=scenario)
    with _progress("Analysing") as bar:
        analysis = run_analyses(loaded, on_step=bar.step)
    report = analysis_report(analysis)
    _write_reports(report, html, markdown)
    _render(report, format)


class WayOutConcept(StrEnum):
    seq = "seq"
    gmr = "gmr"
    nash = "nash"


@app.command(
    help=(
        "The way out of the deadlock: phased paths from the status quo to an agreement, each "
        "step stable for every party, acceptable to a forum's participants and reached by the "
        "parties' own improvements; with what would have to change, and who would change it. "
        "Needs a case whose options say what they do on the issues ('effects')."
    )
    + EXAMPLES.format("detente wayout korea --scenario article_advice --paths 3")
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
    format: FormatOpt = Format.text,
) -> None:
    from detente.analysis.wayout import way_out
    from detente.report import engine_report

    loaded = _load(case, scenario=scenario)
    with _progress("Looking for a way out", total=1) as bar:
        result = way_out(
            loaded, concept=concept.value, max_paths=paths, coalitions=None if coalitions else []
        )
        bar.step("way_out")
    _render(engine_report("way_out", result, loaded), format)


@app.command(
    help="Print a case: parties, options, issues, proposals and forums."
    + EXAMPLES.format("detente show korea --format json")
)
def show(case: CaseArg, scenario: ScenarioOpt = None, format: FormatOpt = Format.text) -> None:
    from detente.report import case_report

    _render(case_report(_load(case, scenario=scenario, warn=False)), format)


@app.command(help="List the built-in cases." + EXAMPLES.format("detente cases"))
def cases(format: FormatOpt = Format.text) -> None:
    from detente import cases as catalogue

    infos = catalogue.list()
    if format is Format.json:
        _emit_json(
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
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Name", style="bold")
    table.add_column("Description")
    table.add_column("Scenarios")
    for i in infos:
        table.add_row(i.slug, i.description, ", ".join(i.scenarios) or "-")
    _stdout().print(table)


@app.command(
    help=(
        "Check a case file and say what it holds, where its two halves (option priorities and "
        "issue stances) disagree, and which engines each scenario changes."
    )
    + EXAMPLES.format("detente validate korea --scenario eve_of_hanoi_2019")
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

    base, view = _load(case, scenario=scenario, warn=False, with_base=True)
    summary = validation_summary(view, source=case, base=base, only_scenario=scenario is not None)
    if format is Format.json:
        _emit_json(summary)
        return
    console = _stdout()
    console.print(f"[green]valid[/green]: {summary['source']} ({summary['title']})")
    for key, value in summary["counts"].items():
        console.print(f"  {value:>4} {key if value != 1 else _singular(key)}")
    from rich.text import Text

    for warning in summary["warnings"]:
        console.print(Text.assemble("  ", ("warning", "yellow"), f": {warning}"))
    findings = summary["consistency"]
    if findings:
        console.print(
            f"[yellow]{len(findings)} consistency finding{'s' if len(findings) != 1 else ''}"
            "[/yellow] (the options' priorities against the issue stances, scenarios, sources):"
        )
        for finding in findings:
            _print_finding(console, finding)
    elif summary["linked"]:
        console.print("consistent: the options' priorities and the issue stances agree")
    for sid, engines in summary["scenario_engines"].items():
        changed = ", ".join(e.replace("_", " ") for e in engines) or "nothing"
        console.print(f"  scenario {sid} changes: {changed}", markup=False)


@app.command(
    help="Print the JSON Schema of the case format (for editors)."
    + EXAMPLES.format("detente schema > case.schema.json")
)
def schema() -> None:
    from detente.model.schema import case_schema

    _emit_json(case_schema())


@app.command(
    help="Run the analyses on several scenarios of a case and show what changes, side by side."
    + EXAMPLES.format("detente compare korea --scenarios deadlock_2022,article_advice")
)
def compare(
    case: CaseArg = "korea",
    scenarios: Annotated[
        str | None, typer.Option("--scenarios", help="Comma-separated scenario ids; default: all.")
    ] = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente._loading import load_base
    from detente.analysis import compare as run
    from detente.report import comparison_report

    wanted = [s.strip() for s in scenarios.split(",") if s.strip()] if scenarios else None
    _SOURCE[:] = [case]
    _render(comparison_report(run(load_base(case), wanted)), format)


@app.command(
    help=(
        "Which states are stable for which party under each solution concept (graph model), and "
        "the equilibria."
    )
    + EXAMPLES.format("detente stability korea --concepts nash,seq --coalitions")
)
def stability(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    concepts: Annotated[
        str | None,
        typer.Option(
            "--concepts",
            help="Comma-separated: nash, gmr, smr, seq; with two parties also sim, seq_sim, lh, nm. Default: all that apply.",
        ),
    ] = None,
    horizon: Annotated[
        int, typer.Option("--horizon", min=1, help="The horizon h of limited-move stability.")
    ] = 2,
    coalitions: Annotated[
        bool,
        typer.Option(
            "--coalitions", help="Also analyse coalitions (the case's, or every pair of parties)."
        ),
    ] = False,
    joint_sanctions: Annotated[
        bool,
        typer.Option(
            "--joint-sanctions",
            help="With --coalitions: in coalition SEQ the other parties may also sanction by "
            "joint improvements of groups of them (Inohara & Hipel 2008).",
        ),
    ] = False,
    states: Annotated[
        str | None,
        typer.Option(
            "--states",
            help="Also tabulate these states concept by concept, with each party's rank of them: "
            "'equilibria', 'all', or comma-separated numbers or Y/N patterns (JSON lists only them).",
        ),
    ] = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.case import analyze_conflict
    from detente.gmcr.stability import TwoActorConceptError
    from detente.report import engine_report
    from detente.report.graph_model import graph_model_section, stability_tables
    from detente.report.sections import Section

    loaded = _load(case, scenario=scenario)
    wanted = _concept_list(concepts)
    if joint_sanctions and not coalitions:
        raise typer.BadParameter("joint sanctions apply to coalitions: add --coalitions")
    try:
        result = analyze_conflict(
            loaded,
            concepts=wanted,
            horizon=horizon,
            coalitions=coalitions,
            joint_sanctions=joint_sanctions,
        )
    except TwoActorConceptError as exc:
        raise typer.BadParameter(str(exc), param_hint="--concepts") from None
    chosen = None if states is None else _state_selection(result.stability, states)

    def told(data: dict[str, Any], brief: dict[str, Any]) -> Section:
        section = graph_model_section(data, brief)
        if chosen is None:
            return section
        extra = stability_tables(data, brief, [i + 1 for i in chosen])
        return Section(
            section.key, section.title, section.findings, section.tables + extra, section.figures
        )

    report = engine_report("graph_model", result, loaded, section=told)
    if chosen is not None:
        keep = {i + 1 for i in chosen}
        data = report.data["graph_model"]
        data["states"] = [s for s in data["states"] if s["index"] in keep]
    _render(report, format)


def _state_selection(result, text: str) -> list[int]:
    """0-based states named by ``--states``: 'all', 'equilibria' or a list."""
    model = result.model
    key = text.strip().lower()
    if key == "all":
        return list(range(model.n_states))
    if key == "equilibria":
        return sorted({i for c in result.concepts for i in result.equilibria(c)})
    parts = [x for x in text.split(",") if x.strip()]
    if not parts:
        raise typer.BadParameter(
            "give 'all', 'equilibria' or state numbers or patterns", param_hint="--states"
        )
    return sorted({_state_index(model, x, hint="--states") for x in parts})


@app.command(
    help="Each party's preference over the states, most preferred first, ties together: what its "
    "statements or ranking amount to."
    + EXAMPLES.format("detente preferences korea --actor PRK --top 5")
)
def preferences(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Only this party; default: every party.")
    ] = None,
    top: Annotated[
        int,
        typer.Option("--top", min=0, help="Show the best N levels of each party; 0 for all."),
    ] = 10,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.case import graph_model
    from detente.gmcr.results import preference_ranks, state_record
    from detente.report import Report, case_brief
    from detente.report.graph_model import preference_tables
    from detente.report.sections import Section

    loaded = _load(case, scenario=scenario)
    model = graph_model(loaded)
    if actor is not None and actor not in model.actors:
        raise typer.BadParameter(
            f"unknown party {actor!r}; choose from {', '.join(model.actors)}", param_hint="--actor"
        )
    ranks = preference_ranks(model)
    shown = [actor] if actor is not None else list(model.actors)
    states = [
        {**state_record(model, i), "rank": {a: int(ranks[model.actor_index(a), i]) for a in shown}}
        for i in range(model.n_states)
    ]
    data: dict[str, Any] = {"actors": shown, "states": states}
    brief = case_brief(loaded)
    tables = preference_tables(data, brief, top=top or None)
    findings = [
        f"{model.n_states:,} feasible states; rank 1 is a party's most preferred, and states "
        "of equal rank are equally preferred."
    ]
    if format is Format.json:
        _emit_json(
            {
                "n_states": model.n_states,
                "preferences": {
                    a: [s["index"] for s in sorted(states, key=lambda s: s["rank"][a])]
                    for a in shown
                },
                "ranks": {a: [s["rank"][a] for s in states] for a in shown},
            }
        )
        return
    section = Section("preferences", "Preferences over the states", findings, tables)
    _render(Report(brief=brief, data={}, sections=[section], show_case=False), format)


@app.command(
    name="status-quo",
    help="Where the status quo can go by unilateral improvements, which equilibria it reaches, and how."
    + EXAMPLES.format("detente status-quo korea --scenario eve_of_hanoi_2019"),
)
def status_quo(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    coalitions: Annotated[
        bool,
        typer.Option(
            "--coalitions", help="Also say which coalitions could leave the status quo together."
        ),
    ] = False,
    moves: Annotated[
        MoveKind,
        typer.Option(
            "--moves",
            help="Follow unilateral improvements (where the parties would take it) or any "
            "unilateral moves (where it could go at all).",
        ),
    ] = MoveKind.improvements,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.case import analyze_conflict
    from detente.report import engine_report
    from detente.report.graph_model import status_quo_section

    if coalitions and moves is MoveKind.any:
        raise typer.BadParameter(
            "coalitions move by joint improvements; use --coalitions with the default "
            "--moves improvements",
            param_hint="--moves",
        )
    loaded = _load(case, scenario=scenario)
    result = analyze_conflict(
        loaded,
        concepts=["nash", "gmr", "smr", "seq"],
        coalitions=coalitions,
        status_quo_moves=moves.value,
    )
    report = engine_report("graph_model", result, loaded, section=status_quo_section)
    if format is Format.json:
        # a case always names its status quo (an empty list is all options off)
        assert result.model.status_quo is not None and result.status_quo is not None
        payload = {"status_quo_index": result.model.status_quo + 1, **result.status_quo.to_dict()}
        if result.coalitions is not None:
            sq_state = result.coalitions.to_dict()["states"][result.model.status_quo]
            payload["coalitions"] = {
                "improvement": sq_state["coalition_improvement"],
                "stability": sq_state["coalition_stability"],
            }
        if result.status_quo_with_coalitions is not None:
            payload["with_coalitions"] = result.status_quo_with_coalitions.to_dict()
        _emit_json(payload)
        return
    _render(report, format)


@app.command(
    help=(
        "Which preferences would make a state stable (inverse graph model): the conditions for each "
        "party and concept, and how many orderings of the chosen range of states meet them."
    )
    + EXAMPLES.format("detente inverse chicken --state 1 --concepts gmr,seq")
)
def inverse(
    case: CaseArg = "korea",
    state: StateOpt = "",
    actor: Annotated[
        str | None, typer.Option("--actor", help="The party whose preferences vary; default: each.")
    ] = None,
    concepts: Annotated[
        str | None, typer.Option("--concepts", help="Comma-separated: nash, gmr, smr, seq.")
    ] = None,
    free: Annotated[
        str | None,
        typer.Option(
            "--free",
            help="Comma-separated state numbers whose rank may vary (the range); default: all that matter.",
        ),
    ] = None,
    scenario: ScenarioOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.case import graph_model
    from detente.gmcr.inverse import INVERSE_CONCEPTS, inverse_stability

    loaded = _load(case, scenario=scenario)
    model = graph_model(loaded)
    target = _state_index(model, state)
    wanted = _concept_list(concepts, allowed=INVERSE_CONCEPTS) or list(INVERSE_CONCEPTS)
    actors = [actor] if actor else list(model.actors)
    for a in actors:
        if a not in model.actors:
            raise typer.BadParameter(
                f"unknown party {a!r}; choose from {', '.join(model.actors)}", param_hint="--actor"
            )
    free_states = [_state_index(model, x, hint="--free") for x in free.split(",")] if free else None
    try:
        results = [
            inverse_stability(model, a, target, concept=c, free=free_states)
            for a in actors
            for c in wanted
        ]
    except AnalysisError as exc:
        if free is None:
            raise typer.BadParameter(
                f"{exc}: by default every state whose rank matters may vary; name the few "
                "that may with --free (e.g. --free 2187,2185,2186,2189,2190)"
            ) from None
        raise typer.BadParameter(
            f"{exc}; name fewer states whose rank may vary", param_hint="--free"
        ) from None
    if format is Format.json:
        _emit_json({"state": target + 1, "results": [r.to_dict() for r in results]})
        return
    console = _stdout()
    for r in results:
        share = f"{r.count:,} of {r.total:,} orderings ({r.count / r.total:.0%})"
        now = "holds now" if r.holds_now else "does not hold now"
        line = f"{r.conditions()}: {share}; {now}."
        console.print(f"- {line}" if format is Format.markdown else f"  • {line}")


@app.command(
    help="Why a state is stable or unstable for a party: its improving moves and the sanctions that exist or are missing."
    + EXAMPLES.format("detente explain korea --state 2187 --actor PRK --concept seq")
)
def explain(
    case: CaseArg = "korea",
    state: StateOpt = "",
    actor: Annotated[str, typer.Option("--actor", help="The party (required).")] = "",
    concept: Annotated[str, typer.Option("--concept", help="nash, gmr, smr or seq.")] = "seq",
    scenario: ScenarioOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr import instability_explanation
    from detente.gmcr.case import graph_model

    loaded = _load(case, scenario=scenario)
    model = graph_model(loaded)
    if actor not in model.actors:
        raise typer.BadParameter(
            (f"unknown party {actor!r}" if actor else "name the party")
            + f"; choose from {', '.join(model.actors)}",
            param_hint="--actor",
        )
    explainable = ("nash", "gmr", "smr", "seq") + (("sim",) if len(model.actors) == 2 else ())
    chosen = _concept_list(concept, hint="--concept", allowed=explainable) or ["seq"]
    if len(chosen) != 1:
        raise typer.BadParameter("name one concept", param_hint="--concept")
    (wanted,) = chosen
    result = instability_explanation(model, actor, _state_index(model, state), concept=wanted)
    data = result.to_dict()
    if format is Format.json:
        _emit_json(data)
        return
    from detente.report.graph_model import explanation_lines

    lines = explanation_lines(
        data, {a.id: a.name for a in loaded.actors}, {o.id: o.label for o in loaded.options}
    )
    console = _stdout()
    for line in lines:
        console.print(("- " if format is Format.markdown else "  • ") + line)


def _state_index(model, text: str, *, hint: str = "--state") -> int:
    text = text.strip()
    if not text:
        raise typer.BadParameter("give a state number (1-based) or a Y/N pattern", param_hint=hint)
    if text.isdigit():
        index = int(text) - 1
        if not 0 <= index < model.n_states:
            raise typer.BadParameter(
                f"state {text} does not exist (1..{model.n_states})", param_hint=hint
            )
        return index
    pattern = text.upper()
    if len(pattern) != len(model.options) or set(pattern) - {"Y", "N"}:
        raise typer.BadParameter(
            f"{text!r} is not a state number or a pattern of {len(model.options)} Y/N letters",
            param_hint=hint,
        )
    code = sum(1 << k for k, ch in enumerate(pattern) if ch == "Y")
    import numpy as np

    pos = int(np.searchsorted(model.states, code))
    if pos >= model.n_states or int(model.states[pos]) != code:
        raise typer.BadParameter(f"state {pattern} is infeasible", param_hint=hint)
    return pos


def _concept_list(
    text: str | None, *, hint: str = "--concepts", allowed: Sequence[str] | None = None
) -> list[str] | None:
    """Concept names from ``--concepts`` (None when the option was not given)."""
    if text is None:
        return None
    from detente.gmcr.stability import CONCEPTS

    wanted = [c.strip().lower() for c in text.split(",") if c.strip()]
    if not wanted:
        raise typer.BadParameter(f"name at least one of {', '.join(CONCEPTS)}", param_hint=hint)
    aliases = {"r": "nash", "seq+sim": "seq_sim"}
    wanted = [aliases.get(c, c) for c in wanted]
    choices = CONCEPTS if allowed is None else tuple(allowed)
    unknown = [c for c in wanted if c not in choices]
    if unknown:
        what = (
            f"unknown concept {unknown[0]!r}"
            if unknown[0] not in CONCEPTS
            else f"{unknown[0]!r} is not available here"
        )
        raise typer.BadParameter(f"{what}; choose from {', '.join(choices)}", param_hint=hint)
    return wanted


class ForecastModel(StrEnum):
    eum = "eum"
    smp = "smp"
    mean = "mean"
    median = "median"


@app.command(
    help=(
        "Where the bargaining on each issue is heading: Bueno de Mesquita's expected utility model, "
        "KTAB's spatial model and the weighted mean and median. CASE may also be a plain CSV "
        "(actor,capability,position,salience; saliences as shares from 0 to 1, positions on --scale) "
        "or a KTAB scenario (.csv, .xml; positions and saliences on 0 to 100)."
    )
    + EXAMPLES.format(
        "detente forecast korea --issue denuclearisation --model eum --samples 1000 --seed 7"
    )
)
def forecast(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    issue: Annotated[str | None, typer.Option("--issue", help="Forecast only this issue.")] = None,
    model: Annotated[
        list[ForecastModel] | None,
        typer.Option("--model", help="Model to run; repeat for several. Default: all four."),
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
            help="A spatial-model setting NAME=VALUE, repeatable (over a KTAB XML's): "
            + "; ".join(f"{k}: {'|'.join(v)}" for k, v in _smp_choices().items()),
        ),
    ] = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.forecast.case import forecast as run
    from detente.report import engine_report

    if variant not in ("paper", "scholz-code"):
        raise typer.BadParameter("choose paper or scholz-code", param_hint="--variant")
    source, smp = _forecast_source(case, scale)
    smp = {**smp, **_smp_settings(smp_setting or [])}
    loaded = _load(source, scenario=scenario, name=case)
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
        position_sd=position_sd,
        salience_sd=salience_sd,
        capability_sd=capability_sd,
        workers=None if samples >= 2000 else 1,
        dask_address=dask,
    )
    _render(engine_report("forecast", result, loaded), format)


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


@app.command(
    help=(
        "Which packages every party could accept, who blocks each proposal, and in which forum "
        "agreement becomes possible; with --samples, how often each proposal and forum stays "
        "inside the zone when positions and saliences are uncertain. CASE may also be a folder "
        "holding a GENIUS scenario (a domain XML and one profile XML per party)."
    )
    + EXAMPLES.format("detente bargain korea --solution ks --samples 500 --seed 7")
)
def bargain(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    solution: Annotated[
        Solution,
        typer.Option("--solution", help="The solution that picks each forum's best package."),
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
    format: FormatOpt = Format.text,
) -> None:
    from detente.bargain.case import bargain as run
    from detente.report import engine_report

    loaded = _load(case, scenario=scenario)
    with _progress("Scanning packages") as bar:
        result = run(
            loaded,
            forums=forums,
            options=options,
            forum_solution=SOLUTION_IDS[solution.value],
            samples=samples,
            seed=seed,
            position_sd=position_sd,
            salience_sd=salience_sd,
            workers=None if samples >= 500 else 1,
            dask_address=dask,
            progress=bar.update,
        )
    _render(engine_report("bargaining", result, loaded), format)


class BacktestModel(StrEnum):
    mean = "mean"
    median = "median"
    eum = "eum"
    eum_scholz = "eum-scholz"
    smp = "smp"


@app.command(
    help=(
        "Check every forecasting model against recorded outcomes: mean absolute error, RMSE, "
        "shares within 10 and 20 points, bias, and each model's difference from the compromise "
        "model with a bootstrap interval, broken down by the outcome table's categories. "
        "STANCES is a CSV table issue,actor,capability,position,salience (saliences as shares "
        "from 0 to 1); --outcomes a CSV table issue,outcome with, optionally, proposal, "
        "reference_point and text columns such as voting or procedure."
    )
    + EXAMPLES.format(
        "detente backtest ../shared/data/deu/deu3-dev-stances.csv "
        "--outcomes ../shared/data/deu/deu3-dev-outcomes.csv"
    )
)
def backtest(
    stances: Annotated[
        str, typer.Argument(help="The stance table (issue,actor,capability,position,salience).")
    ],
    outcomes: Annotated[
        str, typer.Option("--outcomes", "-o", help="The outcome table (issue,outcome,...).")
    ],
    model: Annotated[
        list[BacktestModel] | None,
        typer.Option(
            "--model",
            help="Model to run; repeat for several. mean, the compromise model and detente's "
            "recommended forecast, always runs. Default: all.",
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
        typer.Option("--csv", help="Also write the per-issue forecasts as a CSV file."),
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
    stance_table = read_stance_table(stances, scale=scale)
    outcome_table = read_outcome_table(outcomes, scale=scale)
    with _progress("Forecasting the issues", total=len(outcome_table)) as bar:
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
    report = backtest_report(result, stances=stances, outcomes=outcomes)
    if csv_out is not None:
        _write_file(csv_out, _csv_text(result.rows()))
        Console(stderr=True).print(f"wrote the per-issue forecasts to {csv_out}", highlight=False)
    _write_reports(report, html, markdown)
    _render(report, format)


def _csv_text(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


class ExportFormat(StrEnum):
    gmcr_py = "gmcr-py"
    json = "json"
    yaml = "yaml"


@app.command(
    help="Write a case in another format: a gmcr-py (GMCR+) save file, JSON or YAML."
    + EXAMPLES.format("detente export korea --to gmcr-py -o korea.gmcr")
)
def export(
    case: CaseArg,
    to: Annotated[ExportFormat, typer.Option("--to", help="Format to write.")] = ExportFormat.json,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="File to write; default: standard output.")
    ] = None,
    scenario: ScenarioOpt = None,
) -> None:

    from detente.model.io import dumps
    from detente.model.io.gmcr_py import case_to_gmcr

    loaded = _load(case, scenario=scenario)
    if to is ExportFormat.gmcr_py:
        from detente.model.io.gmcr_py import export_notes

        text = case_to_gmcr(loaded, ranking_of=_ranking_from_statements(loaded))
        notes = Console(stderr=True, soft_wrap=True, highlight=False)
        for note in export_notes(loaded):
            notes.print(f"note: {note}", markup=False)
    else:
        text = dumps(loaded, fmt=to.value)
    if output is None:
        sys.stdout.write(text)
        return
    _write_file(output, text)


@app.command(
    help="Serve the web app: load, validate and analyse cases in a browser."
    + EXAMPLES.format("detente serve --port 8000 --workspace ./detente-workspace")
)
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; the default answers only this machine.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workspace: Annotated[
        str,
        typer.Option(
            "--workspace", help="Folder of the SQLite workspace that keeps uploaded cases and runs."
        ),
    ] = "detente-workspace",
) -> None:
    try:
        from detente.web import serve as serve_web
    except ImportError as exc:
        from pathlib import Path

        from rich.markup import escape

        # from a checkout, the extra is installed from the checkout itself
        checkout = (Path(__file__).resolve().parents[2] / "pyproject.toml").exists()
        command = "pip install '.[web]'" if checkout else "pip install 'detente[web]'"
        Console(stderr=True).print(
            f"[bold red]error:[/bold red] the web app needs {escape(str(exc.name))}; "
            f"install it with: {escape(command)}"
        )
        raise typer.Exit(1) from None
    serve_web(host, port, workspace)


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


STEP_LABELS = {
    "way_out": "the way out",
    "graph_model": "graph model",
    "forecast": "forecast",
    "bargaining": "bargaining",
}


class _progress:
    """A progress bar on standard error for long work, shown only on a terminal.

    ``with _progress(title) as bar``: ``bar.step(key)`` advances one engine of
    ``analyze``; ``bar.update(done, total)`` reports a scan's progress.
    """

    def __init__(self, title: str, total: int = len(STEP_LABELS)):
        from rich.progress import Progress, TaskID

        self.title, self.total = title, total
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _progress:
        err = Console(stderr=True)
        if err.is_terminal:
            from rich.progress import Progress

            self.bar = Progress(console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.title, total=self.total)
        return self

    def step(self, key: str) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(
                self.task, description=f"{self.title}: {STEP_LABELS.get(key, key)}", advance=1
            )

    def update(self, done: int, total: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _write_reports(report, html: str | None, markdown: str | None) -> None:
    """Write the report as HTML and as Markdown where the options ask for them."""
    if html is not None:
        _write_file(html, report.to_html())
        Console(stderr=True).print(f"wrote the HTML report to {html}", highlight=False)
    if markdown is not None:
        _write_file(markdown, report.to_markdown())
        Console(stderr=True).print(f"wrote the Markdown report to {markdown}", highlight=False)


def _write_file(path: str, text: str) -> None:
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


def _render(report, format: Format) -> None:
    if format is Format.json:
        _emit_json(report.to_dict())
    elif format is Format.markdown:
        sys.stdout.write(report.to_markdown())
    else:
        console = _stdout()
        for renderable in report.renderables():
            console.print(renderable)


def _report_error(exc: DetenteError) -> None:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    problems = exc.problems if isinstance(exc, CaseError) else []
    if _CASE:
        # An engine's problem names a path in the case: give it the file's line too.
        problems = [_CASE[0].locate(p) for p in problems]
    if _SOURCE:
        problems = [p if p.file else p.located(_SOURCE[0], p.line, p.column) for p in problems]
    if problems:
        label = "error" if len(problems) == 1 else f"{len(problems)} errors"
        err.print(f"[bold red]{label}[/bold red]:", markup=True)
        for problem in problems:
            err.print(f"  {problem}", markup=False)
    else:
        err.print(f"[bold red]error:[/bold red] {exc}", markup=True)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings from detente as one clean line on standard error, without source lines."""
    Console(stderr=True, soft_wrap=True).print(f"warning: {message}", markup=False, highlight=False)


def main() -> None:
    """Entry point of the ``detente`` console script."""
    import warnings

    warnings.showwarning = _show_warning
    try:
        app()  # standalone: usage errors print themselves and exit 2
    except DetenteError as exc:
        _report_error(exc)
        sys.exit(exc.exit_code)
    except MemoryError:
        Console(stderr=True).print(
            "[bold red]error:[/bold red] the case is too large for this machine's memory"
        )
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence against tracebacks
        if os.environ.get("DETENTE_DEBUG"):
            raise
        Console(stderr=True).print(
            f"[bold red]internal error:[/bold red] {type(exc).__name__}: {exc}\n"
            "This is a bug in detente. Run again with DETENTE_DEBUG=1 to see where it happened, "
            "and report it."
        )
        sys.exit(1)
