"""Cases: a built-in case or an upload into the workspace, a case's page, its file, its
history (every version saved from the case editor, with what changed in each), and the
analyses started from it (runs and what-ifs)."""

from __future__ import annotations

import json
import logging
from pathlib import PurePosixPath
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from detente.errors import CaseError, CaseTooLargeError
from detente.model import Case
from detente.web._context import BUSY
from detente.web._csrf import FIELD as CSRF_FIELD
from detente.web._guard import internal
from detente.web._history import history, possessive
from detente.web._pages import download_name, shown
from detente.web._runs import (
    ENGINES,
    ParameterError,
    check_table,
    check_upload,
    parse_parameters,
    scenario_view,
    way_out_obstacle,
)
from detente.web._workers import Busy, Overtime, WorkerCrash
from detente.web.deps import MAX_FORM_FIELDS, Context, NamedCase

__all__ = ["FORMATS", "TABLES", "evolution_obstacle", "in_background", "router"]

log = logging.getLogger("detente.web")

router = APIRouter()

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".gmcr": "gmcr"}
TABLES = (".csv", ".xml")
"""Forecasting tables (plain or KTAB CSV, KTAB XML): turned into a case on upload and kept as JSON."""


async def in_background(request: Request) -> bool:
    """Whether a form asks for its run to go on in the background (``background=1``,
    as the app's own forms do): the answer is then the run's page, with its progress,
    at once; without it the answer waits for the run to end."""
    form = await request.form()
    return str(form.get("background") or "") in ("1", "on", "true")


@router.post("/cases/builtin")
async def pick_builtin(request: Request, context: Context) -> Response:
    from detente import cases

    form = await request.form()
    slug = str(form.get("name") or "")
    infos = {i.slug: i for i in cases.list()}
    bare = [key for key in infos if key.rsplit("/", 1)[-1] == slug]
    if slug not in infos and len(bare) == 1:
        slug = bare[0]  # "chicken" for "teaching/chicken", as the command line allows
    if slug not in infos:
        # Only names from the catalogue are looked up: a path typed here reaches nothing.
        return context.home(request, 404, error=f"There is no built-in case named {slug!r}.")
    path = infos[slug].path
    content = path.read_text(encoding="utf-8")
    fmt = FORMATS[path.suffix.lower()]
    try:
        title = await context.pool.run(check_upload, content, slug, fmt)
    except Busy:
        return context.busy(request)
    except CaseError as exc:  # a limit of this machine (an environment variable, say)
        return context.home(request, 422, problems=exc.problems, error=f"{slug} cannot be opened.")
    except Exception as exc:
        log.error("opening %s failed", slug, exc_info=exc)
        return context.home(request, 500, error=f"{slug} could not be opened. {internal(exc)}")
    case_id = context.store.add_case(
        kind="builtin", name=slug, fmt=fmt, content=content, title=title
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/upload")
async def upload(request: Request, context: Context) -> Response:
    from detente.web._pages import display_name

    limit = context.max_upload_bytes
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return context.home(request, 422, error="Choose a case file to upload.")
    name = display_name(upload.filename)
    data = await upload.read(limit + 1)
    await upload.close()
    if len(data) > limit:
        return context.home(
            request,
            413,
            error=f"The upload is too large: case files are limited to {limit / 2**20:g} MiB.",
        )
    suffix = PurePosixPath(name).suffix.lower()
    fmt = "json" if suffix in TABLES else FORMATS.get(suffix)
    if fmt is None:
        return context.home(
            request,
            415,
            error=f"{name} is not a case file: case files end in "
            f"{', '.join(sorted([*FORMATS, *TABLES]))} (YAML, JSON, a gmcr-py save, or a "
            "forecasting table: plain or KTAB CSV, KTAB XML).",
        )
    if not data.strip():
        return context.home(request, 422, error=f"{name} is empty: it holds no case.")
    try:
        if suffix in TABLES:
            title, content = await context.pool.run(check_table, data, name)
        else:
            title = await context.pool.run(check_upload, data, name, fmt)
            content = data.decode("utf-8-sig")
    except Busy:
        return context.home(request, 503, error=BUSY)
    except CaseTooLargeError as exc:
        return context.home(
            request,
            413,
            problems=exc.problems,
            error=f"{name} is too large for this server to read.",
        )
    except CaseError as exc:
        return context.home(
            request,
            422,
            problems=exc.problems,
            error=f"{name} is not a valid case file "
            f"({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}).",
        )
    except Overtime as exc:
        return context.home(
            request,
            413,
            error=f"{name} took longer than this server allows ({exc.seconds:g} s) to read.",
        )
    except (WorkerCrash, MemoryError) as exc:
        return context.home(
            request, 413, error=f"{name} could not be read: {exc or 'out of memory'}"
        )
    except Exception as exc:  # a reader's bug: the message the command line prints
        log.error("reading %s failed", name, exc_info=exc)
        return context.home(request, 500, error=f"{name} could not be read. {internal(exc)}")
    case_id = context.store.add_case(
        kind="upload", name=name, fmt=fmt, content=content, title=title
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def show_case(
    request: Request, record: NamedCase, context: Context, scenario: str | None = None
) -> Response:
    try:
        return context.case_page(request, record, scenario)
    except CaseError as exc:
        return context.case_page(request, record, None, 422, problems=exc.problems)


@router.get("/cases/{case_id}/history", response_class=HTMLResponse)
async def case_history(request: Request, record: NamedCase, context: Context) -> HTMLResponse:
    """The history of the lineage of versions ``case_id`` belongs to: the case it started
    from and every version saved from the case editor, newest first."""
    lineage = context.store.versions(record.id)
    entries = await anyio.to_thread.run_sync(
        history, lineage, context.store.case, context.base_case
    )
    return context.page(
        request,
        "history.html.j2",
        record=record,
        first=lineage[0] if lineage else record,
        entries=entries,
        runs=context.store.run_counts([e.record.id for e in entries]),
    )


@router.post("/cases/{case_id}/runs")
async def start_run(request: Request, record: NamedCase, context: Context) -> Response:
    form = await request.form()
    fields = {k: form.getlist(k) if k in ("concepts", "models") else form.get(k) for k in form}
    scenario = str(form.get("scenario") or "") or None
    engine = str(form.get("engine") or "all")
    try:
        base = await context.load_base(record)
        # Comparing scenarios starts from the case itself, not from one scenario's view.
        case = base if engine == "compare" else scenario_view(base, scenario)
    except CaseError as exc:
        return context.case_page(request, record, None, 422, problems=exc.problems)
    if engine == "compare" and not case.scenarios:
        return context.case_page(
            request, record, scenario, 422, error="this case has no scenarios to compare"
        )
    if engine == "way_out" and (reason := way_out_obstacle(case)) is not None:
        return context.case_page(
            request,
            record,
            scenario,
            422,
            error="This case cannot show a way out yet",
            detail=reason,
        )
    obstacles = (
        {}
        if engine == "compare"
        else (await anyio.to_thread.run_sync(context.case_view, record, base, scenario)).obstacles
    )
    if (reason := obstacles.get(engine)) is not None:
        # what the case page does not offer: the parts the engine needs are missing
        return context.case_page(
            request,
            record,
            scenario,
            422,
            error=f"{ENGINES[engine]} does not apply to this case",
            detail=reason[:1].upper() + reason[1:] + ".",
        )
    try:
        parameters = parse_parameters(engine, fields)
    except ParameterError as exc:
        return context.case_page(request, record, scenario, 422, error=str(exc))
    if engine == "evolution" and (problem := evolution_obstacle(case, parameters)) is not None:
        return context.case_page(request, record, scenario, 422, error=problem)
    try:
        run = await context.run_analysis(
            record, case.scenario_id, engine, parameters, wait=not await in_background(request)
        )
    except Busy:
        return context.busy(request)
    return context.run_response(request, run)


def evolution_obstacle(case: Case, parameters: dict[str, Any]) -> str | None:
    """Why the evolution cannot start as asked on ``case`` (``None`` when it can)."""
    if not case.options:
        return "This case has no options, so the evolution of the graph model does not apply."
    start = parameters.get("start")
    if start is not None and start not in {p.id for p in case.proposals}:
        ids = ", ".join(p.id for p in case.proposals) or "none in this case"
        return f"There is no proposal {shown(start)!r} to start from; choose from {ids}."
    return None


@router.post("/cases/{case_id}/whatif")
async def what_if(request: Request, record: NamedCase, context: Context) -> Response:
    form = await request.form()
    scenario = str(form.get("scenario") or "") or None
    entered = {k: str(form.get(k) or "") for k in form if k != CSRF_FIELD}
    try:
        base = await context.load_base(record)
        case = scenario_view(base, scenario)
    except CaseError as exc:  # an unknown scenario: show the case without it
        return context.case_page(request, record, None, 422, problems=exc.problems, whatif=entered)
    view = await anyio.to_thread.run_sync(context.case_view, record, base, scenario)
    if (reason := view.obstacles.get("bargaining")) is not None:
        return context.case_page(
            request,
            record,
            scenario,
            422,
            error="A what-if re-runs bargaining, which does not apply to this case",
            detail=reason[:1].upper() + reason[1:] + ".",
        )
    try:
        edited, note, content = edit_case(case, entered)
    except CaseError as exc:
        return context.case_page(
            request, record, scenario, 422, problems=exc.problems, whatif=entered
        )
    except ValueError as exc:
        # The form comes back as the user filled it in, with what was wrong.
        return context.case_page(request, record, scenario, 422, error=str(exc), whatif=entered)
    edited_id = context.store.add_case(
        kind="edit",
        name=f"{record.name} (what-if)",
        fmt="json",
        content=content,
        title=edited.title,
        parent_id=record.id,
        note=note,
    )
    edited_record = context.store.case(edited_id)
    assert edited_record is not None
    parameters = parse_parameters("bargaining", {})
    try:
        before = await context.run_analysis(record, case.scenario_id, "bargaining", parameters)
        # The after-run remembers its baseline, so a re-run shows both again.
        after = await context.run_analysis(
            edited_record, None, "bargaining", {**parameters, "compared_with": before.id}
        )
    except Busy:
        return context.busy(request)
    if after.status != "ok":
        return context.run_response(request, after)
    return RedirectResponse(f"/runs/{after.id}?compare={before.id}", status_code=303)


@router.get("/cases/{case_id}/case.{ext}")
async def download_case(request: Request, case_id: str, ext: str, context: Context) -> Response:
    record = context.maybe_case(case_id)
    if record is None or ext != {"gmcr": "gmcr"}.get(record.fmt, record.fmt):
        return context.message(request, 404, f"There is no such case file #{shown(case_id)}.")
    return Response(
        record.content,
        media_type="application/json" if record.fmt != "yaml" else "application/yaml",
        headers={"content-disposition": _attachment(download_name(record.title, record.id, ext))},
    )


@router.get("/cases/{case_id}/export.yaml")
async def export_yaml(record: NamedCase, context: Context) -> Response:
    """Any stored case as a YAML case file (a what-if, a gmcr-py save, a table)."""
    from detente.model.io import dumps

    if record.fmt == "yaml":
        text = record.content
    else:
        case = await context.load_base(record)
        text = await anyio.to_thread.run_sync(lambda: dumps(case, fmt="yaml"))
    return Response(
        text,
        media_type="application/yaml",
        headers={
            "content-disposition": _attachment(download_name(record.title, record.id, "yaml"))
        },
    )


def _attachment(name: str) -> str:
    return f'attachment; filename="{name}"'


def edit_case(case: Case, form: dict[str, str]) -> tuple[Case, str, str]:
    """The case with one number changed: a party's position, salience or capability,
    or a proposal's level on an issue.

    ``case`` is the case as the chosen scenario sees it; the edited case is that view
    made concrete, without scenarios (an entry of its history that named a scenario
    gives that state as the options taken then). Returns the edited case, a sentence
    saying what changed (and in which scenario), and the case as JSON text.
    """
    from detente.model.io import loads

    target = form.get("target")
    if target not in ("position", "salience", "capability", "proposal"):
        raise ValueError(
            "choose what to change: a party's position, salience or capability, or a "
            "proposal's level"
        )
    scenario = next((s for s in case.scenarios if s.id == case.scenario_id), None)
    try:
        value = float(form.get("value", ""))
    except ValueError:
        raise ValueError("the new value must be a number") from None
    data: dict[str, Any] = case.model_dump(mode="json")
    if target == "capability":
        actor_id = form.get("actor", "")
        if actor_id not in case.actor_ids:
            raise ValueError(f"this case has no party {actor_id!r}")
        if not value > 0:
            raise ValueError("a capability must be positive")
        a = case.actor_ids.index(actor_id)
        old = case.actors[a].capability
        data["actors"][a]["capability"] = value
        note = f"{possessive(case.actors[a].name)} capability: {old:g} → {value:g}"
    else:
        issue_id = form.get("issue", "")
        try:
            issue = case.issue(issue_id)
        except (CaseError, KeyError):
            raise ValueError(f"this case has no issue {issue_id!r}") from None
        k = [i.id for i in case.issues].index(issue.id)
        low, high = issue.scale
        if target == "salience" and not 0 < value <= 100:
            raise ValueError("a salience lies above 0 and at most 100")
        if target != "salience" and not low <= value <= high:
            raise ValueError(f"the new level must lie on the issue's scale, {low:g} to {high:g}")
        if target in ("position", "salience"):
            actor_id = form.get("actor", "")
            if actor_id not in issue.positions:
                raise ValueError(f"{actor_id!r} takes no position on {issue.name!r} in this case")
            stance = issue.positions[actor_id]
            old = stance.position if target == "position" else stance.salience
            data["issues"][k]["positions"][actor_id][target] = value
            who = case.actor(actor_id).name
            note = f"{possessive(who)} {target} on {issue.name}: {old:g} → {value:g}"
        else:
            proposal_id = form.get("proposal", "")
            ids = [p.id for p in case.proposals]
            if proposal_id not in ids:
                raise ValueError(f"this case has no proposal {proposal_id!r}")
            j = ids.index(proposal_id)
            old_level = case.proposals[j].positions.get(issue.id)
            data["proposals"][j]["positions"][issue.id] = value
            before = f"{old_level:g}" if old_level is not None else "status quo"
            note = f"{case.proposals[j].name}, level of {issue.name}: {before} → {value:g}"
    # The what-if is one concrete view: the scenario it was seen through is applied
    # already, so it keeps no scenarios that could not apply to it; its notes say
    # where it came from.
    if scenario is not None:
        note += f" (scenario: {scenario.name})"
    origin = f"What-if of {case.title!r}: {note}."
    if scenario is not None:
        origin += (
            f" Made from the case as scenario {scenario.id!r} sees it; the case's "
            "scenarios are left out."
        )
    elif case.scenarios:
        origin += " Made from the case without a scenario; the case's scenarios are left out."
    data.pop("scenario_id", None)  # set by detente on a view, never in a case file
    _history_without_scenarios(case, data)
    data.update(
        scenarios=[],
        default_scenario=None,
        notes=origin + (f"\n\n{case.notes}" if case.notes else ""),
    )
    content = json.dumps(data, ensure_ascii=False, indent=1)
    edited = loads(content, file="what-if", fmt="json")
    return edited, note, content


def _history_without_scenarios(case: Case, data: dict[str, Any]) -> None:
    """Give each entry of the history in ``data`` that names a scenario (its state is
    that scenario's status quo) as the options taken then: the what-if keeps no
    scenarios, so such an entry would name one it does not have."""
    from detente.model.case import resolve_history

    entries = data.get("history") or []
    if not any(entry.get("scenario") is not None for entry in entries):
        return
    states, _ = resolve_history(case)
    order = [o.id for o in case.options]
    for entry, state in zip(entries, states, strict=False):
        if entry.get("scenario") is not None:
            entry["scenario"] = None
            entry["options"] = [o for o in order if o in state]
