"""The case editor's checks: a draft case (the case file's data, as the editor's page
holds it) validated as ``detente validate`` validates a file, and each party's ranking
of the states that its preference statements give, as the graph model reads them.

The editor's page (static/editor.js) sends its draft here as the user types and shows
what comes back: the problems, with the field each names and the same message the
command line prints; the warnings; and for each party its states, most preferred
first, ties together. Saving stores the draft as a new version of the case (YAML) in
the workspace.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import numpy as np

from detente.errors import CaseError, CaseTooLargeError, MissingPartError, Problem
from detente.model import Case

__all__ = [
    "MAX_RANKED_OPTIONS",
    "MAX_SHOWN_STATES",
    "DraftError",
    "check_draft",
    "draft_of",
    "field_label",
    "id_from_title",
    "new_draft",
    "problem_dict",
    "read_draft",
    "validate_draft",
]

MAX_RANKED_OPTIONS = 13
"""Rankings are listed for at most this many options (2**13 = 8,192 states: the
built-in korea case has 13 options)."""

MAX_SHOWN_STATES = 64
"""Each party's ranking lists at most this many states (the rest are counted)."""


class DraftError(ValueError):
    """A request that holds no draft the editor can read (not JSON, not a case object)."""

    def __init__(self, message: str, field: str = "draft"):
        super().__init__(message)
        self.field = field


def new_draft() -> dict[str, Any]:
    """The draft of a case started from nothing."""
    return {
        "id": "",
        "title": "",
        "actors": [],
        "options": [],
        "constraints": [],
        "status_quo": [],
        "preferences": {},
        "issues": [],
        "scenarios": [],
    }


def draft_of(case: Case) -> dict[str, Any]:
    """The draft of an existing case: its data as a case file holds it."""
    data: dict[str, Any] = case.model_dump(
        mode="json", exclude_defaults=True, exclude={"scenario_id"}
    )
    for key, empty in new_draft().items():
        data.setdefault(key, empty)
    return data


def read_draft(body: bytes) -> tuple[dict[str, Any], str | None]:
    """The draft and the scenario it is seen through, from a request's JSON body
    ``{"draft": {...}, "scenario": "id" or null}``; :class:`DraftError` when unreadable."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DraftError("the draft is not JSON text (or nests too deeply)", field="") from None
    if not isinstance(data, dict) or "draft" not in data:
        raise DraftError('send {"draft": the case, "scenario": its id or null}', field="")
    draft = data["draft"]
    if not isinstance(draft, dict):
        raise DraftError("the draft must be a case: an object of the case file's sections")
    scenario = data.get("scenario")
    if scenario is not None and not isinstance(scenario, str):
        raise DraftError("the scenario must be a scenario's id", field="scenario")
    return draft, scenario or None


FIELD_LABELS = {
    "id": "Id",
    "name": "Name",
    "title": "Title",
    "description": "Description",
    "actors": "Parties",
    "capability": "Capability",
    "capabilities": "Capability",
    "options": "Options",
    "label": "Label",
    "controller": "Controlled by",
    "status_quo": "Status quo",
    "issue_status_quo": "Status quo",
    "constraints": "Constraints",
    "require": "Constraint",
    "infeasible": "Constraint",
    "exclusive": "Constraint",
    "at_least_one": "Constraint",
    "preferences": "Preferences",
    "statements": "Statements",
    "issues": "Issues",
    "levels": "Levels",
    "scale": "Scale",
    "positions": "Positions",
    "position": "Position",
    "salience": "Salience",
    "scenarios": "Scenarios",
}
"""What the editor calls a field of the case, by the last key of its path that it names."""


def field_label(path: tuple[str | int | float, ...]) -> str:
    """A field's path in plain words, as the editor labels the field:
    ``actors[1].capability`` is "Capability", ``preferences.A.statements[1]`` is
    "Statement 2"."""
    label = ""
    for k, key in enumerate(path):
        if not isinstance(key, str) or key not in FIELD_LABELS:
            continue
        label = FIELD_LABELS[key]
        following = path[k + 1] if k + 1 < len(path) else None
        if key == "statements" and isinstance(following, int):
            label = f"Statement {following + 1}"
    if not label and path:
        label = str(path[0]).replace("_", " ").capitalize()
    return label


def problem_dict(problem: Problem) -> dict[str, Any]:
    """A problem as the editor shows it: the field, and the message the CLI prints
    (``text``, after the field's path, for the list of problems), and the same message
    after the field's name in plain words (``plain``, shown under the field)."""
    text = str(replace(problem, file="draft", line=None, column=None))
    said = str(replace(problem, file=None, line=None, column=None, path=()))
    label = field_label(problem.path)
    return {
        "field": problem.field,
        "path": list(problem.path),
        "message": problem.message,
        "text": text.removeprefix("draft: "),
        "label": label,
        "plain": f"{label}: {said}" if label else said,
    }


def id_from_title(title: str) -> str:
    """The id a case whose id is left empty gets from its title: the title's letters
    and digits in lower case, joined by ``_`` ("Fence dispute, 2024" ->
    ``fence_dispute_2024``); empty for a title without any.

    >>> id_from_title("Fence dispute between neighbours"), id_from_title("2018–2022")
    ('fence_dispute_between_neighbours', 'case_2018_2022')
    """
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")
    if words[:1].isdigit():
        words = "case_" + words
    return words[:64].rstrip("_")


def validate_draft(draft: dict[str, Any]) -> Case:
    """The draft as a case, validated as a case file is (:class:`CaseError` if not).

    A draft whose id is empty takes one made from its title (:func:`id_from_title`):
    the editor shows the id a user may leave to it as the id field's placeholder. An
    empty title stays a problem, as it is in a case file."""
    if not draft.get("id") and isinstance(draft.get("title"), str):
        derived = id_from_title(draft["title"])
        if derived:
            draft = {**draft, "id": derived}
    try:
        return _loaded(draft)
    except CaseError as exc:
        if draft.get("id") or draft.get("title"):
            raise
        # both empty: the id is to come from the title, so the title's problem is the one
        problems = [p for p in exc.problems if p.path[:1] != ("id",)]
        raise CaseError(problems or exc.problems) from None


def _loaded(draft: dict[str, Any]) -> Case:
    from detente.model.io import loads

    where = _non_finite(draft)
    if where is not None:
        raise CaseError(Problem("must be a finite number", path=where, expected="a finite number"))
    try:
        text = json.dumps(draft, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise CaseError(Problem("the draft cannot be written as a case file")) from None
    return loads(text, file="draft", fmt="json")


def _non_finite(data: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where the draft holds an infinite or not-a-number value (JSON has neither)."""
    if isinstance(data, float) and not np.isfinite(data):
        return path
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        found = _non_finite(value, (*path, key))
        if found is not None:
            return found
    return None


def check_draft(draft: dict[str, Any], scenario: str | None) -> tuple[int, dict[str, Any]]:
    """Validate a draft and rank the states for each party, as the draft (seen through
    ``scenario``) has it. Returns the HTTP status and the answer: ``valid``,
    ``problems``, ``warnings``, ``rankings``.

    The status is 200 for a draft with problems too: the check answered, and its answer
    is the problems (``valid`` false), which the page shows as it would any answer; a
    browser logs every 4xx as a failed request, once for each check as the user types.
    Saving a draft with problems is refused with 422.
    """
    from detente.model.checks import case_warnings

    try:
        case = validate_draft(draft)
    except CaseError as exc:
        return 200, {"valid": False, "problems": [problem_dict(p) for p in exc.problems]}
    if scenario is not None and scenario not in case.scenario_ids:
        problem = Problem(
            f"unknown scenario {scenario!r}; this case has "
            f"{', '.join(case.scenario_ids) or 'none'}",
            path=("scenarios",),
        )
        return 200, {"valid": False, "problems": [problem_dict(problem)]}
    view = case.scenario(scenario)
    return 200, {
        "valid": True,
        "problems": [],
        "warnings": list(case_warnings(view)),
        "scenario": scenario,
        "rankings": rankings(view, draft, scenario),
    }


def rankings(view: Case, draft: dict[str, Any], scenario: str | None) -> dict[str, Any]:
    """Each party's ordering of the feasible states, most preferred first, ties together."""
    from detente.gmcr.case import graph_model
    from detente.gmcr.states import DEFAULT_MAX_BYTES

    if not view.options:
        return {"note": "Add options to see how each party ranks the states.", "parties": []}
    if len(view.options) > MAX_RANKED_OPTIONS:
        return {
            "note": f"{len(view.options)} options give up to {2 ** len(view.options):,} "
            f"states: rankings are listed for at most {MAX_RANKED_OPTIONS} options.",
            "parties": [],
        }
    controllers = {o.controller for o in view.options}
    silent = [a.id for a in view.actors if a.id in controllers and a.id not in view.preferences]
    if silent:
        # A party without statements is indifferent: ranked all tied, so the others' show.
        patched = json.loads(json.dumps(draft))
        target = patched
        if scenario is not None:
            target = next(s for s in patched.get("scenarios", []) if s.get("id") == scenario)
        prefs = target.setdefault("preferences", {})
        for actor_id in silent:
            prefs[actor_id] = {"statements": []}
        try:
            view = validate_draft(patched).scenario(scenario)
        except CaseError:
            return {"note": "", "parties": []}
    try:
        model = graph_model(view, max_bytes=min(DEFAULT_MAX_BYTES, 64 * 2**20))
    except (MissingPartError, CaseTooLargeError) as exc:
        return {"note": "; ".join(p.message for p in exc.problems), "parties": []}
    names = {a.id: a.name for a in view.actors}
    labels = {o.id: o.label for o in view.options}
    status_quo = model.status_quo
    parties = []
    for a, actor_id in enumerate(model.actors):
        payoff = np.asarray(model.payoff[a])
        order = np.lexsort((np.arange(payoff.size), -payoff))
        groups: list[list[dict[str, Any]]] = []
        last = None
        for index in order[:MAX_SHOWN_STATES]:
            value = int(payoff[index])
            state = {
                "index": int(index) + 1,
                "pattern": model.pattern(int(index)),
                "taken": [o for o, on in model.option_values(int(index)).items() if on],
                "status_quo": status_quo is not None and int(index) == int(status_quo),
            }
            if value != last:
                groups.append([])
                last = value
            groups[-1].append(state)
        parties.append(
            {
                "id": actor_id,
                "name": names.get(actor_id, actor_id),
                "indifferent": actor_id in silent,
                "groups": groups,
                "more": max(0, int(payoff.size) - MAX_SHOWN_STATES),
            }
        )
    return {
        "note": "",
        "states": int(model.states.size),
        "options": list(model.options),
        "labels": labels,
        "parties": parties,
    }
