"""The graph model's commands: ``stability``, ``preferences``, ``status-quo``,
``inverse`` and ``explain``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer

from detente.cli._app import (
    EXAMPLES,
    CaseArg,
    Format,
    FormatOpt,
    HtmlOpt,
    MarkdownOpt,
    ScenarioOpt,
    StateOpt,
    command,
)
from detente.cli._output import emit_json, progress, report_out, show, write_reports
from detente.cli._session import load_case
from detente.errors import AnalysisError, CaseError, Problem

FourConceptsOpt = Annotated[
    str | None,
    typer.Option(
        "--concepts",
        metavar="LIST",
        help="Comma-separated: nash, gmr, smr, seq (default all four).",
    ),
]
FOUR_CONCEPTS = ("nash", "gmr", "smr", "seq")


class MoveKind(StrEnum):
    improvements = "improvements"
    any = "any"


@command(
    "stability",
    help=(
        "Which states are stable for which party under each solution concept (graph model), and "
        "the equilibria."
    )
    + EXAMPLES.format("detente stability korea --concepts nash,seq --coalitions"),
)
def stability(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    concepts: Annotated[
        str | None,
        typer.Option(
            "--concepts",
            metavar="LIST",
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
            metavar="STATES",
            help="Also tabulate these states concept by concept, with each party's rank of them: "
            "'equilibria', 'all', or comma-separated numbers or Y/N patterns. JSON lists only "
            "them; without --states it lists every state up to 4,096, else the status quo, the "
            "proposals, the equilibria's neighbourhood and every equilibrium by number.",
        ),
    ] = None,
    states_out: Annotated[
        str | None,
        typer.Option(
            "--states-out",
            metavar="FILE",
            help="Also write one row per state (options, ranks, stability per party and "
            "concept, equilibria) to FILE.csv or FILE.parquet (Parquet needs "
            "pip install 'detente[parquet]'); with --states, only those.",
        ),
    ] = None,
    party_concept: Annotated[
        list[str] | None,
        typer.Option(
            "--party-concept",
            metavar="PARTY=CONCEPT",
            help="PARTY=CONCEPT, repeatable: judge that party by its own solution concept and "
            "report the equilibria where every party is stable under its own (heterogeneous "
            "stability); parties not named keep the case's 'solution_concept', else Nash.",
        ),
    ] = None,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.case import analyze_conflict
    from detente.gmcr.stability import TwoActorConceptError

    loaded = load_case(case, scenario=scenario)
    wanted = _concept_list(concepts)
    own = _party_concepts(loaded, party_concept or [])
    if states_out is not None:
        from detente.model.io.state_tables import table_format

        try:
            table_format(states_out)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--states-out") from None
    if joint_sanctions and not coalitions:
        raise typer.BadParameter("joint sanctions apply to coalitions: add --coalitions")
    if coalitions:
        _coalition_concepts(wanted)
        _check_coalitions(loaded, joint=joint_sanctions)
    try:
        # with coalitions, a bar of the coalitions analysed (their analysis takes the
        # time); without, the time spent
        with progress("Coalitions' stability" if coalitions else "Stability", total=None) as bar:
            result = analyze_conflict(
                loaded,
                concepts=wanted,
                horizon=horizon,
                coalitions=coalitions,
                joint_sanctions=joint_sanctions,
                progress=bar.update if coalitions else None,
            )
    except TwoActorConceptError as exc:
        raise typer.BadParameter(str(exc), param_hint="--concepts") from None
    if result.coalitions is not None and wanted:
        from dataclasses import replace

        from detente.gmcr.coalitions import concepts_only

        # the coalition analysis runs every coalition concept: report only those asked for
        result = replace(
            result, coalitions=concepts_only(result.coalitions, _coalition_concepts(wanted))
        )
    chosen = None if states is None else _state_selection(result.stability, states)
    if states_out is not None:
        _write_states(result, chosen, states_out)
    if format is Format.json and own is None:
        from detente.gmcr.results import write_conflict_json

        if html is not None or markdown is not None:
            write_reports(_stability_report(result, loaded, chosen, None, horizon), html, markdown)
        # streamed: a 100,000-state model's every state never sits in memory as one dict
        write_conflict_json(result, sys.stdout, states="auto" if chosen is None else chosen)
        sys.stdout.write("\n")
        return
    report_out(_stability_report(result, loaded, chosen, own, horizon), format, html, markdown)


def _stability_report(result, loaded, chosen: list[int] | None, own, horizon: int):
    """The stability report: with ``chosen`` states, their tableau; with ``own``
    concepts (party -> concept), the equilibria when each party is judged by its own."""
    from detente.report import engine_report
    from detente.report.graph_model import graph_model_section, stability_tables
    from detente.report.sections import Section

    def told(data: dict[str, Any], brief: dict[str, Any]) -> Section:
        section = graph_model_section(data, brief)
        if chosen is None:
            return section
        from detente.gmcr.results import state_records
        from detente.report.graph_model import MAX_STATE_ROWS

        listed = {**data, "states": state_records(result.stability, chosen[:MAX_STATE_ROWS])}
        extra = stability_tables(listed, brief, [i + 1 for i in chosen])
        return Section(
            section.key, section.title, section.findings, section.tables + extra, section.figures
        )

    report = engine_report("graph_model", result, loaded, section=told)
    if chosen is not None:
        from detente.gmcr.results import state_records

        report.data["graph_model"]["states"] = state_records(result.stability, chosen)
    if own is not None:
        from detente.gmcr.heterogeneous import analyze_heterogeneous
        from detente.report.dynamics import heterogeneous_section

        mixed = analyze_heterogeneous(loaded, concepts=own, default="nash", horizon=horizon)
        report.data["graph_model"]["heterogeneous"] = mixed.to_dict()
        report.sections.append(
            heterogeneous_section(report.data["graph_model"]["heterogeneous"], report.brief)
        )
    return report


def _coalition_concepts(wanted: list[str] | None) -> list[str]:
    """The coalition concepts among those asked for (all three when none were named);
    refuses ``--coalitions`` with none of them."""
    from detente.gmcr.coalitions import COALITION_CONCEPTS

    if not wanted:
        return list(COALITION_CONCEPTS)
    chosen = [c for c in wanted if c in COALITION_CONCEPTS]
    if not chosen:
        raise typer.BadParameter(
            f"coalition stability is available for {', '.join(COALITION_CONCEPTS)}: add one "
            "of them to --concepts, or leave out --coalitions",
            param_hint="--concepts",
        )
    return chosen


def _check_coalitions(case, *, joint: bool = False) -> None:
    """Refuse, before any stability work, a coalition analysis too long for the limits
    (the case's coalitions, or every pair of parties, as :func:`analyze_conflict` takes)."""
    from detente.gmcr.case import graph_model
    from detente.gmcr.coalitions import check_coalition_cost

    model = graph_model(case)
    groups = [tuple(g) for g in case.coalitions] or [
        (a, b) for i, a in enumerate(model.actors) for b in model.actors[i + 1 :]
    ]
    check_coalition_cost(model, groups, sanctions="joint" if joint else "single")


def _write_states(result, chosen: list[int] | None, path: str) -> None:
    """``--states-out``: the stability tableau as CSV or Parquet."""
    from rich.console import Console

    from detente.gmcr.results import state_table_columns
    from detente.model.io.state_tables import write_state_table

    columns = state_table_columns(result.stability, states="all" if chosen is None else chosen)
    try:
        write_state_table(columns, path)
    except ImportError as exc:
        raise CaseError(Problem(str(exc), file=path)) from None
    except OSError as exc:
        raise CaseError(
            Problem(f"cannot write the file: {exc.strerror or exc}", file=path)
        ) from None
    rows = len(next(iter(columns.values())))
    Console(stderr=True).print(f"wrote {rows:,} states to {path}", highlight=False)


def _party_concepts(case, items: list[str]) -> dict[str, str] | None:
    """``--party-concept PARTY=CONCEPT`` options as a mapping; None when neither they nor
    the case give any party a concept of its own."""
    from detente.gmcr.stability import CONCEPTS

    parties = [a.id for a in case.actors]
    out: dict[str, str] = {}
    for item in items:
        party, sep, concept = (x.strip() for x in item.partition("="))
        concept = concept.lower()
        if not sep or party not in parties:
            raise typer.BadParameter(
                f"{item!r}: expected PARTY=CONCEPT with PARTY one of {', '.join(parties)}",
                param_hint="--party-concept",
            )
        if concept not in CONCEPTS:
            raise typer.BadParameter(
                f"{concept!r} is not a solution concept; choose from {', '.join(CONCEPTS)}",
                param_hint="--party-concept",
            )
        out[party] = concept
    stated = any(p.solution_concept for p in case.preferences.values())
    return out if out or stated else None


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


@command(
    "preferences",
    help="Each party's preference over the states, most preferred first, ties together: what its "
    "statements or ranking amount to."
    + EXAMPLES.format("detente preferences korea --actor PRK --top 5"),
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
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.case import graph_model
    from detente.gmcr.results import preference_ranks, state_record
    from detente.report import Report, case_brief
    from detente.report.graph_model import preference_tables
    from detente.report.sections import Section

    loaded = load_case(case, scenario=scenario)
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
    section = Section("preferences", "Preferences over the states", findings, tables)
    report = Report(brief=brief, data={}, sections=[section], show_case=False)
    if format is Format.json:
        write_reports(report, html, markdown)
        emit_json(
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
    report_out(report, format, html, markdown)


@command(
    "status-quo",
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
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.case import analyze_conflict
    from detente.report import engine_report

    if coalitions and moves is MoveKind.any:
        raise typer.BadParameter(
            "coalitions move by joint improvements; use --coalitions with the default "
            "--moves improvements",
            param_hint="--moves",
        )
    loaded = load_case(case, scenario=scenario)
    if coalitions:
        _check_coalitions(loaded)
    with progress(
        "Where the status quo can go" + (": coalitions" if coalitions else ""), total=None
    ) as bar:
        result = analyze_conflict(
            loaded,
            concepts=["nash", "gmr", "smr", "seq"],
            coalitions=coalitions,
            status_quo_moves=moves.value,
            progress=bar.update if coalitions else None,
        )
    report = engine_report("graph_model", result, loaded, section=_status_quo_told)
    if format is Format.json:
        write_reports(report, html, markdown)
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
        emit_json(payload)
        return
    report_out(report, format, html, markdown)


def _status_quo_told(data: dict[str, Any], brief: dict[str, Any]):
    """The status quo's section under the graph model's key: the HTML report draws an
    engine's figures in its section, and the graph model's is the state graph around
    the status quo and its paths."""
    from dataclasses import replace

    from detente.report.graph_model import status_quo_section

    return replace(status_quo_section(data, brief), key="graph_model")


@command(
    "inverse",
    help=(
        "Which preferences would make a state stable (inverse graph model): the conditions for each "
        "party and concept, and how many orderings of the chosen range of states meet them."
    )
    + EXAMPLES.format("detente inverse chicken --state 1 --concepts gmr,seq"),
)
def inverse(
    case: CaseArg = "korea",
    state: StateOpt = "",
    actor: Annotated[
        str | None, typer.Option("--actor", help="The party whose preferences vary; default: each.")
    ] = None,
    concepts: Annotated[
        str | None,
        typer.Option("--concepts", metavar="LIST", help="Comma-separated: nash, gmr, smr, seq."),
    ] = None,
    free: Annotated[
        str | None,
        typer.Option(
            "--free",
            metavar="STATES",
            help="Comma-separated state numbers whose rank may vary (the range); default: all that matter.",
        ),
    ] = None,
    scenario: ScenarioOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.case import graph_model
    from detente.gmcr.inverse import INVERSE_CONCEPTS, inverse_stability

    loaded = load_case(case, scenario=scenario)
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
        results = []
        # each party and concept takes a search of the others' moves: a few seconds on
        # the six-party case
        with progress("Inverse stability", total=len(actors) * len(wanted)) as bar:
            for a in actors:
                for c in wanted:
                    results.append(inverse_stability(model, a, target, concept=c, free=free_states))
                    bar.step(f"{a}:{c}")
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
        emit_json({"state": target + 1, "results": [r.to_dict() for r in results]})
        return
    lines = []
    for r in results:
        share = f"{r.count:,} of {r.total:,} orderings ({r.count / r.total:.0%})"
        now = "holds now" if r.holds_now else "does not hold now"
        lines.append(f"{r.conditions()}: {share}; {now}.")
    _print_lines(lines, format)


@command(
    "explain",
    help="Why a state is stable or unstable for a party: its improving moves and the sanctions that exist or are missing."
    + EXAMPLES.format("detente explain korea --state 2187 --actor PRK --concept seq"),
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

    loaded = load_case(case, scenario=scenario)
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
        emit_json(data)
        return
    from detente.report.graph_model import explanation_lines

    lines = explanation_lines(
        data, {a.id: a.name for a in loaded.actors}, {o.id: o.label for o in loaded.options}
    )
    _print_lines(lines, format)


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
        import difflib

        close = difflib.get_close_matches(unknown[0], choices, n=1)
        what = (
            f"unknown concept {unknown[0]!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
            if unknown[0] not in CONCEPTS
            else f"{unknown[0]!r} is not available here"
        )
        raise typer.BadParameter(f"{what}; choose from {', '.join(choices)}", param_hint=hint)
    return wanted


def _print_lines(lines: list[str], format: Format) -> None:
    """Lines as a Markdown list, or as bullets with hanging indents."""
    if format is Format.markdown:
        sys.stdout.write("".join(f"- {line}\n" for line in lines))
        return
    from detente.report.text import bullet

    show(bullet(line) for line in lines)


@command(
    "history",
    help="What the case's recorded history says about each party: for each move, who moved and "
    "whether it was an improvement for them, and which solution concepts each party's behaviour "
    "fits (behavioural analysis, after Hipel et al. 2019)."
    + EXAMPLES.format("detente history korea --scenario eve_of_hanoi_2019 --until 2019"),
)
def history(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Only the entries dated from this (e.g. 2018 or 2018-06).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="DATE",
            help="Only the entries dated up to this (2019 keeps all of 2019).",
        ),
    ] = None,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.history import analyze_history
    from detente.report import engine_report

    loaded = load_case(case, scenario=scenario)
    result = analyze_history(loaded, since=since, until=until)
    report_out(engine_report("history", result, loaded), format, html, markdown)


class Weights(StrEnum):
    uniform = "uniform"
    gain = "gain"


@command(
    "evolution",
    help="Where the parties' improvements lead from a state, as a Markov chain: the states "
    "after k moves, where the conflict ends and with what probability, the chance of reaching "
    "each equilibrium, and cycles of thaw and escalation."
    + EXAMPLES.format("detente evolution korea --start hanoi_offer --coalitions"),
)
def evolution(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="ID",
            help="A proposal id (its options set on the status quo); default: the status quo.",
        ),
    ] = None,
    coalitions: Annotated[
        bool,
        typer.Option(
            "--coalitions",
            help="Coalitions move too, by joint improvements (the case's, or every pair).",
        ),
    ] = False,
    weights: Annotated[
        Weights,
        typer.Option(
            "--weights",
            help="uniform: every available improvement equally likely; gain: weighted by the "
            "movers' gain.",
        ),
    ] = Weights.uniform,
    inertia: Annotated[
        float,
        typer.Option(
            "--inertia", min=0.0, max=0.99, help="The chance that nobody moves at a step."
        ),
    ] = 0.0,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.evolution import analyze_evolution
    from detente.report import engine_report

    loaded = load_case(case, scenario=scenario)
    if start is not None and start not in {p.id for p in loaded.proposals}:
        ids = ", ".join(p.id for p in loaded.proposals) or "none in this case"
        raise typer.BadParameter(
            f"unknown proposal {start!r}; choose from {ids}", param_hint="--start"
        )
    with progress("Following the improvements", total=None):
        result = analyze_evolution(
            loaded, start=start, coalitions=coalitions, weights=weights.value, inertia=inertia
        )
    report_out(engine_report("evolution", result, loaded), format, html, markdown)


@command(
    "perception",
    help="Each party's view of the game (the preferences it believes the others hold, the "
    "options it does not know of): the equilibria of the true game, of each view and of the "
    "hypergame, and which rest on misperception (Fraser & Hipel; Wang, Hipel & Fraser)."
    + EXAMPLES.format("detente perception korea --scenario eve_of_hanoi_2019"),
)
def perception(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    concepts: FourConceptsOpt = None,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.hypergame import analyze_hypergame
    from detente.report import engine_report

    loaded = load_case(case, scenario=scenario)
    wanted = _concept_list(concepts, allowed=FOUR_CONCEPTS)
    with progress("Each party's view of the game", total=None):
        result = analyze_hypergame(loaded, concepts=wanted)
    report_out(engine_report("perception", result, loaded), format, html, markdown)


@command(
    "robustness",
    help="How robust the equilibria are: for every equilibrium, the fewest changes of one "
    "party's priorities (statements moved or dropped; for a party that ranks the states, "
    "pairs of states reordered) that upset it; for the status quo and each proposal, the "
    "fewest changes that would make it an equilibrium, and whose."
    + EXAMPLES.format("detente robustness korea --concepts nash,seq"),
)
def robustness(
    case: CaseArg = "korea",
    scenario: ScenarioOpt = None,
    concepts: FourConceptsOpt = None,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.robustness import robustness as margins
    from detente.report import engine_report

    loaded = load_case(case, scenario=scenario)
    wanted = _concept_list(concepts, allowed=FOUR_CONCEPTS)
    with progress("Robustness margins", total=None):
        result = margins(loaded, concepts=tuple(wanted or FOUR_CONCEPTS))
    report_out(engine_report("robustness", result, loaded), format, html, markdown)


@command(
    "uncertain",
    help="Stability when preferences are uncertain: statements held with a probability "
    "('probability: p'; Rego & dos Santos 2015's alpha-Nash, (alpha, beta)-GMR and SMR, "
    "(alpha, beta, gamma)-SEQ) or whose holding is unknown ('uncertain: true', or --unknown; "
    "Li, Hipel, Kilgour & Fang 2004's four readings). Up to 4,096 states."
    + EXAMPLES.format("detente uncertain loyalty_in_doubt"),
)
def uncertain(
    case: CaseArg,
    scenario: ScenarioOpt = None,
    unknown: Annotated[
        bool,
        typer.Option(
            "--unknown", help="Read every uncertain statement as unknown, not as a probability."
        ),
    ] = False,
    alpha: Annotated[
        float, typer.Option("--alpha", min=0.0, max=1.0, help="Improvement threshold.")
    ] = 0.5,
    beta: Annotated[
        float, typer.Option("--beta", min=0.0, max=1.0, help="Deterrence threshold.")
    ] = 0.5,
    gamma: Annotated[
        float, typer.Option("--gamma", min=0.0, max=1.0, help="Sanctioners' improvement threshold.")
    ] = 0.5,
    concepts: FourConceptsOpt = None,
    html: HtmlOpt = None,
    markdown: MarkdownOpt = None,
    format: FormatOpt = Format.text,
) -> None:
    from detente.gmcr.uncertain import analyze_probabilistic, analyze_unknown
    from detente.report import engine_report

    loaded = load_case(case, scenario=scenario)
    wanted = tuple(_concept_list(concepts, allowed=FOUR_CONCEPTS) or FOUR_CONCEPTS)
    if unknown:
        result = analyze_unknown(loaded, concepts=wanted)
    else:
        result = analyze_probabilistic(loaded, alpha=alpha, beta=beta, gamma=gamma, concepts=wanted)
    report_out(engine_report("uncertain", result, loaded), format, html, markdown)
