"""Read and write the save files of gmcr-py (GMCR+), the Waterloo graph-model tool.

Written from the file format as documented from the outside (options, decision
makers with the options they control, preference statements or a manual ranking,
misperceptions, infeasible conditions, permitted directions, coalitions); no code
of gmcr-py was read or ported.

The semantics follow gmcr-py so that results can be compared state by state with
tables made with it:

- options are regrouped by decision maker (the first decision maker's options in
  the order it lists them, then the next's), and bit k of a state's code is the
  k-th regrouped option; feasible states are numbered 1, 2, ... in increasing
  code order (detente numbers states the same way);
- a condition ``[[option, "Y"|"N"], ...]`` is a conjunction and a compound
  condition a disjunction of conditions; statement j of k weighs 2^(k-1-j);
- a statement repeated word for word is dropped, as gmcr-py drops it;
- ``fwd`` options are irreversible once taken, ``back`` options once dropped;
- coalitions that do not split the decision makers into groups are ignored.

gmcr-py files have no status quo and no ids. :func:`case_to_gmcr` adds a top-level
``"detente"`` key, which gmcr-py ignores, holding the case id, the actor and option
ids and the status quo; :func:`gmcr_to_case_data` uses it when it still matches the
file, and otherwise makes ids from the names and takes the first feasible state
(state 1) as the status quo, saying so in the case description.
:func:`export_notes` tells what a written file cannot show or hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np

from detente.errors import CaseError, Problem
from detente.model.checks import MAX_ENUMERATED_OPTIONS, feasible_mask, ranking_codes
from detente.model.expressions import KEYWORDS, evaluate, names, parse

__all__ = ["case_to_gmcr", "export_notes", "gmcr_to_case_data", "is_gmcr_document"]

_DIRECTIONS = {"both": False, "fwd": "forward", "back": "backward"}
_KINDS = {str: "a string", list: "a list", dict: "an object", bool: "true or false"}

# A condition read from the file: (written as a compound?, disjunction of conjunctions
# of (option index in the file, taken?)).
_Condition = tuple[bool, list[list[tuple[int, bool]]]]


def is_gmcr_document(data: Any) -> bool:
    """Whether parsed JSON looks like a gmcr-py save file."""
    return isinstance(data, dict) and "decisionMakers" in data and "options" in data


def _slug(name: str, *, lower: bool) -> str:
    text = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "x"
    if lower:
        text = text.lower()
    if text[0].isdigit():
        text = "_" + text
    if text.lower() in KEYWORDS:
        text += "_"
    return text[:60]


def _unique(names_: Iterable[str], taken: set[str]) -> list[str]:
    out = []
    for name in names_:
        candidate, k = name, 2
        while candidate in taken:
            candidate, k = f"{name}_{k}", k + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _show(value: Any) -> str:
    """A value as it appears in the JSON file, shortened."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@lru_cache(maxsize=1)
def _id_adapter():
    from pydantic import TypeAdapter

    from detente.model.base import Id

    return TypeAdapter(Id)


def _valid_id(value: Any, *, keyword_ok: bool = False) -> bool:
    """Whether ``value`` is an id a case accepts (actor and option ids may not be keywords)."""
    from pydantic import ValidationError

    if not isinstance(value, str) or (not keyword_ok and value.lower() in KEYWORDS):
        return False
    try:
        _id_adapter().validate_python(value)
    except ValidationError:
        return False
    return True


class _Reader:
    def __init__(self, data: dict, file: str):
        self.data = data
        self.file = file

    def fail(self, message: str, *path: str | int) -> CaseError:
        return CaseError(Problem(message, path=tuple(path), file=self.file))

    def get(self, obj: Any, key: str, kind: type, *path: str | int, default: Any = ...) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(f"expected an object with '{key}', got {_show(obj)}", *path)
        if key not in obj:
            if default is not ...:
                return default
            raise self.fail(f"missing required field '{key}'", *path, key)
        value = obj[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            what = _KINDS.get(kind, kind.__name__)
            raise self.fail(f"'{key}' must be {what}, got {_show(value)}", *path, key)
        return value

    def name(self, obj: Any, *path: str | int) -> str:
        """An option's or decision maker's name: text, not blank, not too long, no
        control characters."""
        value = self.get(obj, "name", str, *path).strip()
        if not value:
            raise self.fail("'name' must not be empty or blank", *path, "name")
        self.text(value, *path, "name")
        return value

    def text(self, value: str, *path: str | int) -> None:
        from detente.model.base import check_control_characters
        from detente.model.limits import limits

        limit = limits().text
        if len(value) > limit:
            raise self.fail(
                f"the text has {len(value):,} characters, above the limit of {limit:,} "
                "(set DETENTE_MAX_TEXT to change it)",
                *path,
            )
        try:
            check_control_characters(value)
        except ValueError as exc:
            raise self.fail(str(exc), *path) from None

    def condition(self, cond: Any, n_raw: int, *path: str | int) -> _Condition:
        """Check a condition or compound condition and return it as a disjunction."""
        if isinstance(cond, dict):
            members = cond.get("members")
            if not isinstance(members, list) or not members:
                raise self.fail("a compound condition needs a non-empty 'members' list", *path)
            return True, [
                terms
                for i, m in enumerate(members)
                for terms in self.condition(m, n_raw, *path, "members", i)[1]
            ]
        if not isinstance(cond, list) or not cond:
            raise self.fail("a condition is a list of [option index, 'Y' or 'N'] pairs", *path)
        terms = []
        for i, pair in enumerate(cond):
            if not (isinstance(pair, list) and len(pair) == 2 and pair[1] in ("Y", "N")):
                raise self.fail("expected [option index, 'Y' or 'N']", *path, i)
            idx = pair[0]
            if not _is_int(idx) or not 0 <= idx < n_raw:
                raise self.fail(f"option index {idx!r} is out of range (0..{n_raw - 1})", *path, i)
            terms.append((idx, pair[1] == "Y"))
        return False, [terms]


def _render(cond: _Condition, id_of: dict[int, str]) -> str:
    compound, conjunctions = cond
    parts = [
        " and ".join(id_of[idx] if taken else f"not {id_of[idx]}" for idx, taken in terms)
        for terms in conjunctions
    ]
    if not compound:
        return parts[0]
    return " or ".join(f"({p})" if " and " in p else p for p in parts)


def _holds(cond: _Condition, taken: set[int]) -> bool:
    return any(all((idx in taken) == want for idx, want in terms) for terms in cond[1])


def _manual_flag(r: _Reader, data: dict) -> bool | None:
    """The file's useManualPreferenceRanking (or its legacy name), None if absent."""
    for key in ("useManualPreferenceRanking", "useManualPreferenceVectors"):
        if key in data:
            return bool(r.get(data, key, bool))
    return None


def _ranking_key(dm: dict) -> str:
    return "preferenceRanking" if "preferenceRanking" in dm else "preferenceVector"


def _detente_block(data: dict, n_dms: int, n_options: int) -> dict | None:
    """The ``"detente"`` key written by :func:`case_to_gmcr`, if it still matches the file."""
    block = data.get("detente")
    if not isinstance(block, dict):
        return None
    actor_ids = block.get("actor_ids")
    option_ids = block.get("option_ids")
    status_quo = block.get("status_quo")
    if not (
        _valid_id(block.get("id"), keyword_ok=True)
        and isinstance(actor_ids, list)
        and isinstance(option_ids, list)
        and isinstance(status_quo, list)
        and len(actor_ids) == n_dms
        and len(option_ids) == n_options
    ):
        return None
    ids = actor_ids + option_ids
    if not all(_valid_id(i) for i in ids) or len(set(ids)) != len(ids):
        return None
    if len(set(map(str, status_quo))) != len(status_quo) or not all(
        isinstance(s, str) and s in option_ids for s in status_quo
    ):
        return None
    return block


def gmcr_to_case_data(data: dict, *, file: str, case_id: str = "gmcr") -> dict:
    """Turn a parsed gmcr-py save file into case data (a dict for :class:`Case`).

    Ids and the status quo come from the file's ``"detente"`` key when it matches the
    file (same numbers of decision makers and options, valid ids, a feasible status
    quo made of listed options); otherwise ids are made from the names and the
    status quo is the first feasible state.

    When the file does not say whether it uses manual rankings
    (``useManualPreferenceRanking``), the rankings are used if every decision maker
    has one and none has statements.

    Raises
    ------
    CaseError
        A field of the wrong type, an unknown permitted direction, an option index
        out of range, an option no decision maker controls, a malformed condition, a
        ranking that does not list every feasible state once.
    """
    r = _Reader(data, file)
    options = r.get(data, "options", list)
    dms = r.get(data, "decisionMakers", list)
    if not dms:
        raise r.fail("a conflict needs at least one decision maker", "decisionMakers")
    from detente.model.limits import limits

    bounds = limits()
    if len(options) > bounds.options:
        raise r.fail(
            f"the file has {len(options)} options, above the limit of {bounds.options} "
            "(the graph model's states are 63-bit codes)",
            "options",
        )
    if len(dms) > bounds.actors:
        raise r.fail(
            f"the file has {len(dms)} decision makers, above the limit of {bounds.actors} "
            "(set DETENTE_MAX_ACTORS to change it)",
            "decisionMakers",
        )
    n_raw = len(options)
    option_names_raw = [r.name(o, "options", i) for i, o in enumerate(options)]
    irreversible_raw = []
    for i, option in enumerate(options):
        value = option.get("permittedDirection", "both")
        if not isinstance(value, str) or value not in _DIRECTIONS:
            raise r.fail(
                f'\'permittedDirection\' must be "both", "fwd" or "back", got {_show(value)}',
                "options",
                i,
                "permittedDirection",
            )
        irreversible_raw.append(_DIRECTIONS[value])
    dm_names = [r.name(dm, "decisionMakers", d) for d, dm in enumerate(dms)]
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise r.fail(f"'title' must be text, got {_show(title)}", "title")
    if isinstance(title, str):
        title = title.strip()
        r.text(title, "title")

    # Regroup options by decision maker, as gmcr-py numbers states.
    order: list[int] = []
    controller_of: dict[int, int] = {}
    for d, dm in enumerate(dms):
        for j, idx in enumerate(r.get(dm, "options", list, "decisionMakers", d)):
            if not _is_int(idx) or not 0 <= idx < n_raw:
                raise r.fail(
                    f"option index {idx!r} is out of range (0..{n_raw - 1})",
                    "decisionMakers",
                    d,
                    "options",
                    j,
                )
            if idx in controller_of:
                raise r.fail(
                    f"option {idx} is controlled by two decision makers",
                    "decisionMakers",
                    d,
                    "options",
                    j,
                )
            controller_of[idx] = d
            order.append(idx)
    orphans = [i for i in range(n_raw) if i not in controller_of]
    if orphans:
        raise r.fail(
            f"option {option_names_raw[orphans[0]]!r} is controlled by no decision maker",
            "options",
            orphans[0],
        )
    position = {raw: k for k, raw in enumerate(order)}

    # Conditions, checked before any id is chosen.
    infeasibles = [
        r.condition(c, n_raw, "infeasibles", i)
        for i, c in enumerate(r.get(data, "infeasibles", list, default=[]))
    ]
    flag = _manual_flag(r, data)
    manual = flag
    if manual is None:
        manual = all(
            isinstance(dm.get("preferenceRanking", dm.get("preferenceVector")), list)
            and not dm.get("preferences")
            for dm in dms
        )
    misperceptions: list[list[_Condition]] = []
    statements_raw: list[list[_Condition]] = []
    rankings_raw: list[list] = []
    for d, dm in enumerate(dms):
        where = ("decisionMakers", d)
        misperceptions.append(
            [
                r.condition(c, n_raw, *where, "misperceptions", i)
                for i, c in enumerate(r.get(dm, "misperceptions", list, *where, default=[]))
            ]
        )
        if manual:
            key = _ranking_key(dm)
            if key not in dm:
                raise r.fail("missing 'preferenceRanking' (the file uses manual rankings)", *where)
            rankings_raw.append(r.get(dm, key, list, *where))
        else:
            statements_raw.append(
                [
                    r.condition(s, n_raw, *where, "preferences", i)
                    for i, s in enumerate(r.get(dm, "preferences", list, *where))
                ]
            )

    # Ids and status quo: from the "detente" key if it still matches the file.
    block = _detente_block(data, len(dms), n_raw)
    if block is not None:
        sq_raw = {block["option_ids"].index(s) for s in block["status_quo"]}
        if any(_holds(c, sq_raw) for c in infeasibles):
            block = None  # the status quo is no longer feasible: the file was edited
    if block is not None:
        actor_ids = list(block["actor_ids"])
        option_ids = [block["option_ids"][raw] for raw in order]
    else:
        taken: set[str] = set()
        actor_ids = _unique((_slug(n, lower=False) for n in dm_names), taken)
        option_ids = _unique((_slug(option_names_raw[raw], lower=True) for raw in order), taken)
    id_of = {raw: option_ids[position[raw]] for raw in order}

    constraints = [{"infeasible": _render(c, id_of)} for c in infeasibles]
    preferences: dict[str, dict] = {}
    for d, actor_id in enumerate(actor_ids):
        entry: dict[str, Any] = {}
        if misperceptions[d]:
            entry["misperceives"] = [_render(c, id_of) for c in misperceptions[d]]
        if not manual:
            statements, seen = [], set()
            for stmt in statements_raw[d]:
                text = _render(stmt, id_of)
                if text in seen:
                    continue  # gmcr-py drops a repeated statement
                seen.add(text)
                statements.append(text)
            entry["statements"] = statements
        preferences[actor_id] = entry

    n = len(order)
    exprs = [parse(c["infeasible"]) for c in constraints]
    index_of = {oid: k for k, oid in enumerate(option_ids)}
    feasible = None
    if rankings_raw:
        most = bounds.ranking_options
        if n > most:
            raise r.fail(
                f"manual rankings need at most {most} options (they list every feasible "
                f"state); this file has {n} (set DETENTE_MAX_RANKING_OPTIONS to change the limit)",
                "options",
            )
        codes = np.arange(1 << n, dtype=np.int64)
        feasible = codes[feasible_mask(exprs, codes, index_of)]
        if feasible.size == 0:
            raise r.fail("the infeasible conditions exclude every state", "infeasibles")
    first_feasible = _first_feasible(n, exprs, index_of) if block is None else None
    if block is None and first_feasible is None:
        raise r.fail("the infeasible conditions exclude every state", "infeasibles")

    patterns = _patterns(feasible, n) if rankings_raw else []
    for d, ranking in enumerate(rankings_raw):
        key = _ranking_key(dms[d])
        preferences[actor_ids[d]]["ranking"] = _ranking_patterns(
            r, ranking, patterns, ("decisionMakers", d, key)
        )

    file_name = file.rsplit("/", 1)[-1]
    notes = [f"Imported from the gmcr-py save file {file_name}."]
    if block is not None:
        status_quo = [oid for oid in option_ids if oid in block["status_quo"]]
        notes.append(
            "The ids and the status quo come from the file's 'detente' key, "
            "written when detente exported the case."
        )
    else:
        assert first_feasible is not None
        status_quo = [oid for k, oid in enumerate(option_ids) if first_feasible >> k & 1]
        if "detente" in data:
            notes.append(
                "The file's 'detente' key no longer matches it (was the file edited in "
                "gmcr-py?) and was ignored."
            )
        notes.append(
            "gmcr-py files have no status quo: detente takes the first feasible state (state 1)."
        )
    if flag is None and manual:
        notes.append(
            "The file does not say whether to use rankings or statements; every decision "
            "maker has a ranking and none has statements, so the rankings are used."
        )

    coalitions = []
    raw_coalitions = data.get("coalitions")
    if isinstance(raw_coalitions, list) and raw_coalitions:
        groups_ = [item if isinstance(item, list) else [item] for item in raw_coalitions]
        flat = [m for g in groups_ for m in g]
        if all(_is_int(m) for m in flat) and sorted(flat) == list(range(len(dms))):
            coalitions = [[actor_ids[m] for m in g] for g in groups_ if len(g) > 1]
        else:
            notes.append(
                "Its coalitions do not split the decision makers into groups, so they were "
                "ignored, as gmcr-py ignores them."
            )

    title = title or f"Graph model from {file_name}"
    return {
        "id": block["id"] if block is not None else _slug(case_id, lower=True),
        "title": title,
        "description": " ".join(notes),
        "actors": [{"id": a, "name": name} for a, name in zip(actor_ids, dm_names, strict=True)],
        "options": [
            {
                "id": id_of[raw],
                "label": option_names_raw[raw],
                "controller": actor_ids[controller_of[raw]],
                "irreversible": irreversible_raw[raw],
            }
            for raw in order
        ],
        "constraints": constraints,
        "status_quo": status_quo,
        "preferences": preferences,
        "coalitions": coalitions,
    }


def _patterns(codes: np.ndarray | None, n: int) -> list[str]:
    """The Y/N pattern (option k is letter k) of each state code, made by numpy at once."""
    assert codes is not None
    if n == 0:
        return [""] * len(codes)
    taken = (codes[:, None] >> np.arange(n, dtype=np.int64)) & 1 == 1
    letters = np.where(taken, "Y", "N")  # one character per cell, each row contiguous
    return np.ascontiguousarray(letters).view(f"<U{n}").ravel().tolist()


def _ranking_patterns(
    r: _Reader, ranking: list, patterns: list[str], where: tuple
) -> list[str | list[str]]:
    """A ranking of feasible state numbers (1-based; a list is a tie) as Y/N patterns."""
    size = len(patterns)
    if all(type(state) is int for state in ranking):  # no ties: checked at once
        try:
            numbers = np.array(ranking, dtype=np.int64)
        except OverflowError:  # a number beyond 64 bits: the loop below names it
            numbers = np.zeros(1, dtype=np.int64)
        if not ((numbers < 1) | (numbers > size)).any():
            return [patterns[k] for k in (numbers - 1).tolist()]
    groups: list[str | list[str]] = []
    for i, item in enumerate(ranking):
        if isinstance(item, list) and not item:
            raise r.fail("an empty group of equally preferred states", *where, i)
        members = item if isinstance(item, list) else [item]
        pats = []
        for state in members:
            if not _is_int(state) or not 1 <= state <= size:
                raise r.fail(
                    f"state {_show(state)} is not a feasible state number (1..{size})", *where, i
                )
            pats.append(patterns[state - 1])
        groups.append(pats if isinstance(item, list) else pats[0])
    return groups


def _first_feasible(n: int, exprs: list, index_of: dict[str, int]) -> int | None:
    """The smallest feasible state code (gmcr-py's state 1), scanning the codes a block
    at a time, so that a file of 60 options costs one block when state 1 is feasible."""
    block = 1 << 16
    for start in range(0, 1 << n, block):
        codes = np.arange(start, min(start + block, 1 << n), dtype=np.int64)
        ok = np.flatnonzero(feasible_mask(exprs, codes, index_of))
        if ok.size:
            return int(codes[ok[0]])
        if start >= 1 << 26:
            return None  # 64 million states infeasible: refuse rather than scan 2^60
    return None


def _dnf(expr_text: str, option_index: dict[str, int]) -> list[list[list]]:
    """An expression as a list of conjunctions of [option index, 'Y'|'N'] (one per satisfying assignment)."""
    expr = parse(expr_text)
    involved = sorted(names(expr), key=option_index.__getitem__)
    m = len(involved)
    codes = np.arange(1 << m, dtype=np.int64)
    columns = {name: (codes >> k) & 1 == 1 for k, name in enumerate(involved)}
    true = np.broadcast_to(np.asarray(evaluate(expr, columns), bool), codes.shape)
    return [
        [[option_index[name], "Y" if code >> k & 1 else "N"] for k, name in enumerate(involved)]
        for code in codes[true].tolist()
    ]


def _condition(expr_text: str, option_index: dict[str, int]) -> list | dict:
    terms = _dnf(expr_text, option_index)
    if len(terms) == 1:
        return terms[0]
    return {"compound": True, "members": terms}


def _written_order(case) -> list:
    """The case's options as a gmcr-py file lists them: grouped by controller, in actor order."""
    return [o for a in case.actors for o in case.options if o.controller == a.id]


def _coalition_groups(case) -> list[tuple[str, ...]] | None:
    """The case's coalitions as a partition of its actors (the others alone), or None
    if they overlap and gmcr-py cannot hold them."""
    groups = [tuple(c) for c in case.coalitions]
    members = [a for g in groups for a in g]
    if len(members) != len(set(members)):
        return None
    group_of = {a: g for g in groups for a in g}
    out: list[tuple[str, ...]] = []
    for actor in case.actors:
        group = group_of.get(actor.id, (actor.id,))
        if group not in out:
            out.append(group)
    return out


def case_to_gmcr(case, ranking_of=None) -> str:
    """The graph-model part of a case as gmcr-py save-file JSON.

    Options are written grouped by controller, in actor order, as gmcr-py keeps
    them; when the case lists them otherwise, state numbers in gmcr-py follow the
    written order (the file is consistent in itself, and reads back to the same
    conflict; :func:`export_notes` says so). If some actors have statements and
    others an explicit ranking, ``ranking_of(actor_id)`` must give the ranking (tie
    groups of Y/N patterns in the case's option order) for the actors without one,
    since gmcr-py uses either statements for all or rankings for all.

    A top-level ``"detente"`` key, which gmcr-py ignores, keeps the case id, the
    actor ids (in decision-maker order), the option ids (in the written order) and
    the status quo, so that :func:`gmcr_to_case_data` reads the file back with them.
    """
    ordered = _written_order(case)
    index = {o.id: k for k, o in enumerate(ordered)}
    direction = {False: "both", True: "fwd", "forward": "fwd", "backward": "back"}
    manual = any(p.ranking is not None for p in case.preferences.values())
    numbers = _state_numbers(case, ordered) if manual else {}
    dms = []
    for actor in case.actors:
        prefs = case.preferences.get(actor.id)
        entry: dict[str, Any] = {
            "name": actor.name,
            "options": [index[o.id] for o in ordered if o.controller == actor.id],
            "preferences": [],
        }
        if prefs is not None and prefs.statements is not None:
            entry["preferences"] = [_condition(s.expr, index) for s in prefs.statements]
        if manual:
            if prefs is not None and prefs.ranking is not None:
                ranking = [
                    _pattern(group[0], len(case.options))
                    if len(group) == 1
                    else [_pattern(c, len(case.options)) for c in group]
                    for group in ranking_codes(case, actor.id)
                ]
            elif ranking_of is not None:
                ranking = ranking_of(actor.id)
            else:
                raise CaseError(
                    Problem(
                        f"{actor.id} has no explicit ranking; gmcr-py needs rankings for all or none",
                        path=("preferences", actor.id),
                    )
                )
            entry["preferenceRanking"] = [
                numbers[g.upper()] if isinstance(g, str) else [numbers[p.upper()] for p in g]
                for g in ranking
            ]
        if prefs is not None and prefs.misperceives:
            entry["misperceptions"] = [_condition(e, index) for e in prefs.misperceives]
        dms.append(entry)
    actor_pos = {a.id: k for k, a in enumerate(case.actors)}
    # gmcr-py needs coalitions as a partition of the decision makers (an integer for a
    # decision maker alone); overlapping coalitions cannot be written.
    groups = _coalition_groups(case) or [(a.id,) for a in case.actors]
    data = {
        "options": [
            {"name": o.label, "permittedDirection": direction[o.irreversible]} for o in ordered
        ],
        "decisionMakers": dms,
        "infeasibles": [_condition(_infeasible_text(c), index) for c in case.constraints],
        "useManualPreferenceRanking": manual,
        "coalitions": [
            [actor_pos[m] for m in g] if len(g) > 1 else actor_pos[g[0]] for g in groups
        ],
        "program": "gmcr-py",
        "version": "0.4.1",
        "detente": {
            "id": case.id,
            "actor_ids": list(case.actor_ids),
            "option_ids": [o.id for o in ordered],
            "status_quo": list(case.status_quo),
        },
    }
    return json.dumps(data, indent=2) + "\n"


def _numbering(case, ordered) -> tuple[np.ndarray, np.ndarray]:
    """Feasible state codes in the case's option order (detente's state k is entry k-1)
    and, for each, its state number in a file with the options in ``ordered``."""
    n = len(case.options)
    codes = np.arange(1 << n, dtype=np.int64)
    case_index = {o.id: k for k, o in enumerate(case.options)}
    feasible = codes[
        feasible_mask([c.infeasible_expr for c in case.constraints], codes, case_index)
    ]
    # gmcr-py numbers feasible states by their code in the written order
    rewritten = np.zeros_like(feasible)
    for k, option in enumerate(ordered):
        rewritten |= ((feasible >> case_index[option.id]) & 1) << k
    file_number = np.empty_like(feasible)
    file_number[np.argsort(rewritten, kind="stable")] = np.arange(1, feasible.size + 1)
    return feasible, file_number


def _state_numbers(case, ordered) -> dict[str, int]:
    """Y/N pattern (case option order) -> gmcr-py state number (written option order)."""
    n = len(case.options)
    feasible, file_number = _numbering(case, ordered)
    return {
        "".join("Y" if c >> k & 1 else "N" for k in range(n)): int(number)
        for c, number in zip(feasible.tolist(), file_number.tolist(), strict=True)
    }


def _pattern(code: int, n: int) -> str:
    return "".join("Y" if code >> k & 1 else "N" for k in range(n))


def _infeasible_text(constraint) -> str:
    from detente.model.expressions import to_text

    return to_text(constraint.infeasible_expr)


def _count(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def export_notes(case) -> list[str]:
    """What a user should know about the gmcr-py file :func:`case_to_gmcr` writes for ``case``.

    One plain-English line per note: state numbers that differ from detente's
    because the options were regrouped by party (with examples), where the status
    quo is, preferences written in another form, and the parts of the case that a
    gmcr-py file cannot hold.
    """
    notes: list[str] = []
    ordered = _written_order(case)
    n = len(case.options)
    file_number = sq = None
    if 0 < n <= MAX_ENUMERATED_OPTIONS:
        feasible, file_number = _numbering(case, ordered)
        sq = _status_quo_position(case, feasible)

    if ordered != list(case.options):
        parties = ", ".join(a.id for a in case.actors if any(o.controller == a.id for o in ordered))
        regrouped = (
            f"Options were regrouped by party ({parties}), as gmcr-py keeps them, "
            "so the file's state numbers differ from detente's"
        )
        if file_number is None:
            notes.append(regrouped + ".")
        else:
            moved = (file_number != np.arange(1, file_number.size + 1)).nonzero()[0].tolist()
            if moved:
                shown = moved[:2]
                if sq is not None and sq in moved and sq not in shown:
                    shown = [sq, shown[0]]
                examples = f"detente's state {shown[0] + 1} is state {int(file_number[shown[0]])}"
                examples += " in the file"
                if len(shown) > 1:
                    examples += (
                        f", and its state {shown[1] + 1} is state {int(file_number[shown[1]])}"
                    )
                notes.append(f"{regrouped}: {examples}.")

    sq_text = ", ".join(case.status_quo) or "no option taken"
    if sq is not None and file_number is not None:
        sq_text += f"; state {int(file_number[sq])} in the file"
    notes.append(
        f"gmcr-py has no status quo: detente keeps its status quo ({sq_text}) under the "
        "file's 'detente' key, which gmcr-py ignores."
    )

    if any(p.ranking is not None for p in case.preferences.values()):
        converted = [a for a, p in case.preferences.items() if p.ranking is None]
        if converted:
            notes.append(
                "gmcr-py takes statements for every party or rankings for every party: "
                f"the statements of {', '.join(converted)} were written as rankings."
            )
    if case.coalitions and _coalition_groups(case) is None:
        notes.append(
            "The coalitions overlap, and gmcr-py needs each party in at most one: "
            "they were left out."
        )

    left_out = ["the title and description" if case.description else "the title"]
    if case.scenarios:
        text = _count(len(case.scenarios), "scenario")
        if case.scenario_id is not None:
            text += f" (the file is the case as scenario '{case.scenario_id}' sees it)"
        left_out.append(text)
    for part, word in (("issues", "issue"), ("proposals", "proposal"), ("forums", "forum")):
        if getattr(case, part):
            left_out.append(_count(len(getattr(case, part)), word))
    if case.timeline:
        left_out.append("the timeline")
    if case.sources:
        left_out.append(_count(len(case.sources), "source"))
    notes.append(f"Not in the file (gmcr-py has no place for them): {', '.join(left_out)}.")
    return notes


def _status_quo_position(case, feasible: np.ndarray) -> int | None:
    """0-based detente state index of the status quo, if it is feasible."""
    index = {o.id: k for k, o in enumerate(case.options)}
    code = sum(1 << index[o] for o in case.status_quo)
    pos = int(np.searchsorted(feasible, code))
    return pos if pos < feasible.size and int(feasible[pos]) == code else None
