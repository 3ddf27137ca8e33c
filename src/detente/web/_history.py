"""A case's history: the case a lineage of versions started from and every version of
it saved from the case editor, newest first, each with the note it was saved with and
what changed from the case it was saved from (parties, options, issues, proposals and
scenarios added or removed; positions, saliences, capabilities and preferences changed),
computed from the two case models."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from detente.errors import CaseError
from detente.model import Case
from detente.web._workspace import CaseRecord

__all__ = [
    "MAX_CHANGES",
    "Entry",
    "case_changes",
    "history",
    "note_parts",
    "possessive",
    "user_note",
    "yaml_lines",
]

MAX_CHANGES = 6
"""The most changes a version lists; the rest are counted ("and 4 more changes")."""

# What the editor's save route writes as a version's note, around what the user typed.
_SAVED = re.compile(r"version (\d+), saved from the case editor(?:: (.*))?", re.S)

# The parts of a case that are lists of things with ids: what one of them is called.
_PARTS = (
    ("actors", "party", "parties"),
    ("options", "option", "options"),
    ("issues", "issue", "issues"),
    ("proposals", "proposal", "proposals"),
    ("scenarios", "scenario", "scenarios"),
    ("forums", "forum", "forums"),
    ("sources", "source", "sources"),
)
# Parts whose changes are told in a word: what they are called.
_WHOLE = {
    "title": "the title",
    "description": "the description",
    "notes": "the notes",
    "constraints": "the constraints",
    "coalitions": "the coalitions",
    "timeline": "the timeline",
    "history": "the history",
    "default_scenario": "the default scenario",
    "id": "the case's id",
}


@dataclass(frozen=True)
class Entry:
    """One version in a case's history, as its page lists it."""

    record: CaseRecord
    number: int | None
    """The version's number as the editor counted it (None for the case it started from)."""
    note: str
    """What the user wrote when saving it (empty when nothing)."""
    base: CaseRecord | None
    """The case it was saved from (None for the first)."""
    changes: list[str] = field(default_factory=list)
    more: int = 0
    """How many more changes there are than ``changes`` lists."""
    lines: tuple[int, int] | None = None
    """Lines of the YAML case file added and removed since ``base``."""
    problem: str = ""
    """Why the case cannot be read (empty when it can)."""


def user_note(record: CaseRecord) -> tuple[int | None, str]:
    """A version's number and the note its user wrote, from the note the editor stored
    (a what-if's note says what it changed)."""
    return note_parts(record.kind, record.note)


def note_parts(kind: str, note: str | None) -> tuple[int | None, str]:
    """:func:`user_note` of a case of kind ``kind`` whose stored note is ``note``."""
    if kind != "version":
        return None, (note or "") if kind == "edit" else ""
    found = _SAVED.fullmatch(note or "")
    if found is None:
        return None, note or ""
    return int(found.group(1)), (found.group(2) or "").strip()


def history(
    lineage: Sequence[CaseRecord],
    full: Callable[[int], CaseRecord | None],
    load: Callable[[CaseRecord], Case],
) -> list[Entry]:
    """The entries of a lineage (:meth:`Workspace.versions`, oldest first), newest
    first; ``full`` gives a record with its text, ``load`` parses it."""
    records = {r.id: full(r.id) or r for r in lineage}
    cases: dict[int, Case | str] = {}
    for case_id, record in records.items():
        try:
            cases[case_id] = load(record)
        except CaseError as exc:
            cases[case_id] = "; ".join(p.message for p in exc.problems[:2]) or str(exc)
    entries = []
    for record in records.values():
        number, note = user_note(record)
        base = records.get(record.parent_id) if record.parent_id is not None else None
        after, before = cases[record.id], cases[base.id] if base is not None else None
        if isinstance(after, str):
            entries.append(Entry(record, number, note, base, problem=after))
            continue
        if base is None or before is None or isinstance(before, str):
            entries.append(Entry(record, number, note, base))
            continue
        changes = case_changes(before, after)
        entries.append(
            Entry(
                record,
                number,
                note,
                base,
                changes[:MAX_CHANGES],
                max(0, len(changes) - MAX_CHANGES),
                yaml_lines(before, after),
            )
        )
    return entries[::-1]


def yaml_lines(before: Case, after: Case) -> tuple[int, int]:
    """How many lines of the case file (as YAML) ``after`` adds and removes."""
    from detente.model.io import dumps

    old = dumps(before, fmt="yaml").splitlines()
    new = dumps(after, fmt="yaml").splitlines()
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added += j2 - j1
    return added, removed


def case_changes(before: Case, after: Case) -> list[str]:
    """What changed from ``before`` to ``after``, a short sentence each, in the order of
    the case file: things added and removed by id, then what changed in the ones both
    have (positions and saliences on issues, capabilities, proposals' levels,
    preferences, the status quo)."""
    old = before.model_dump(mode="json")
    new = after.model_dump(mode="json")
    names = _names(old) | _names(new)
    said: list[str] = []
    for key in ("id", "title", "description"):
        if old.get(key) != new.get(key):
            said.append(_whole(key, old.get(key), new.get(key)))
    for key, one, many in _PARTS:
        was = {x["id"]: x for x in old.get(key) or ()}
        now = {x["id"]: x for x in new.get(key) or ()}
        added = [_name(now[i]) for i in now if i not in was]
        removed = [_name(was[i]) for i in was if i not in now]
        if added:
            said.append(f"added {many if len(added) > 1 else one}: {', '.join(added)}")
        if removed:
            said.append(f"removed {many if len(removed) > 1 else one}: {', '.join(removed)}")
        for i in was:
            if i in now and was[i] != now[i]:
                said += _changed(key, one, was[i], now[i], names)
    taken = [names.get(o, o) for o in new.get("status_quo") or () if o not in old["status_quo"]]
    dropped = [names.get(o, o) for o in old.get("status_quo") or () if o not in new["status_quo"]]
    if taken:
        said.append(f"status quo: now taken {', '.join(taken)}")
    if dropped:
        said.append(f"status quo: no longer taken {', '.join(dropped)}")
    prefs_old, prefs_new = old.get("preferences") or {}, new.get("preferences") or {}
    for actor in dict.fromkeys([*prefs_old, *prefs_new]):
        if prefs_old.get(actor) != prefs_new.get(actor):
            said.append(f"{possessive(names.get(actor, actor))} preferences changed")
    for key in ("constraints", "coalitions", "timeline", "history", "default_scenario", "notes"):
        if old.get(key) != new.get(key):
            said.append(_whole(key, old.get(key), new.get(key)))
    return [s[:1].upper() + s[1:] for s in said]


def _changed(
    key: str, one: str, was: dict[str, Any], now: dict[str, Any], names: dict[str, str]
) -> list[str]:
    """What changed in one party, issue, proposal... that both versions have."""
    name = _name(now)
    said = []
    if key == "actors" and was.get("capability") != now.get("capability"):
        said.append(
            f"{possessive(name)} capability: {_num(was.get('capability'))} → "
            f"{_num(now.get('capability'))}"
        )
    elif key == "issues":
        stances_old, stances_new = was.get("positions") or {}, now.get("positions") or {}
        for actor in dict.fromkeys([*stances_old, *stances_new]):
            a, b = stances_old.get(actor), stances_new.get(actor)
            who = names.get(actor, actor)
            if a is None or b is None:
                what = "no longer takes" if b is None else "now takes"
                said.append(f"{who} {what} a position on {name}")
                continue
            for part in ("position", "salience"):
                if a.get(part) != b.get(part):
                    said.append(
                        f"{possessive(who)} {part} on {name}: {_num(a.get(part))} → "
                        f"{_num(b.get(part))}"
                    )
        if was.get("status_quo") != now.get("status_quo"):
            said.append(
                f"status quo of {name}: {_num(was.get('status_quo'))} → "
                f"{_num(now.get('status_quo'))}"
            )
    elif key == "proposals":
        levels_old, levels_new = was.get("positions") or {}, now.get("positions") or {}
        for issue in dict.fromkeys([*levels_old, *levels_new]):
            if levels_old.get(issue) != levels_new.get(issue):
                said.append(
                    f"{name}, level of {names.get(issue, issue)}: "
                    f"{_num(levels_old.get(issue))} → {_num(levels_new.get(issue))}"
                )
    if said:
        # anything else of it that changed (its name, its notes) goes unsaid but counted
        rest = {k for k in was if was[k] != now.get(k)} - {
            "capability",
            "positions",
            "status_quo",
        }
        return said + ([f"{one} {name} changed otherwise"] if rest else [])
    return [f"{one} {name} changed"]


def _names(data: dict[str, Any]) -> dict[str, str]:
    """Every id of a case with what to call it."""
    return {
        x["id"]: _name(x)
        for key, _, _ in _PARTS
        for x in data.get(key) or ()
        if isinstance(x, dict) and "id" in x
    }


def _name(thing: dict[str, Any]) -> str:
    return str(thing.get("name") or thing.get("label") or thing.get("title") or thing["id"])


def possessive(name: str) -> str:
    """A party's name with its possessive ending, as the history and a what-if's note
    write it: "North Korea's", "United States'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _num(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, int | float):
        return f"{value:g}"
    return str(value)


def _whole(key: str, was: Any, now: Any) -> str:
    what = _WHOLE.get(key, key.replace("_", " "))
    if key in ("title", "default_scenario", "id") and was and now:
        return f"{what}: {_cut(was)!r} → {_cut(now)!r}"
    if not was:
        return f"{what} added"
    if not now:
        return f"{what} removed"
    return f"{what} changed"


def _cut(text: Any) -> str:
    text = str(text)
    return text if len(text) <= 60 else text[:60] + "…"
