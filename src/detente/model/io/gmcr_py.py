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
- ``fwd`` options are irreversible once taken, ``back`` options once dropped.

gmcr-py files have no status quo; detente takes the first feasible state (state 1)
and says so in the case description.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from detente.errors import CaseError, Problem
from detente.model.checks import feasible_mask
from detente.model.expressions import KEYWORDS, evaluate, names, parse

__all__ = ["case_to_gmcr", "gmcr_to_case_data", "is_gmcr_document"]

_DIRECTIONS = {"both": False, "fwd": "forward", "back": "backward"}


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


class _Reader:
    def __init__(self, data: dict, file: str):
        self.data = data
        self.file = file

    def fail(self, message: str, *path: str | int) -> CaseError:
        return CaseError(Problem(message, path=tuple(path), file=self.file))

    def get(self, obj: Any, key: str, kind: type, *path: str | int, default: Any = ...) -> Any:
        if not isinstance(obj, dict) or key not in obj:
            if default is not ...:
                return default
            raise self.fail(f"missing required field '{key}'", *path, key)
        value = obj[key]
        if not isinstance(value, kind):
            raise self.fail(f"expected {kind.__name__}, got {type(value).__name__}", *path, key)
        return value


def gmcr_to_case_data(data: dict, *, file: str, case_id: str = "gmcr") -> dict:
    """Turn a parsed gmcr-py save file into case data (a dict for :class:`Case`).

    Raises
    ------
    CaseError
        An option index out of range, an option no decision maker controls, a
        malformed condition, a ranking that does not list every feasible state once.
    """
    r = _Reader(data, file)
    options = r.get(data, "options", list)
    dms = r.get(data, "decisionMakers", list)
    if not dms:
        raise r.fail("a conflict needs at least one decision maker", "decisionMakers")
    n_raw = len(options)

    # Regroup options by decision maker, as gmcr-py numbers states.
    order: list[int] = []
    controller_of: dict[int, int] = {}
    for d, dm in enumerate(dms):
        for j, idx in enumerate(r.get(dm, "options", list, "decisionMakers", d)):
            if not isinstance(idx, int) or not 0 <= idx < n_raw:
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
        label = (
            options[orphans[0]].get("name", orphans[0])
            if isinstance(options[orphans[0]], dict)
            else orphans[0]
        )
        raise r.fail(f"option {label!r} is controlled by no decision maker", "options", orphans[0])
    position = {raw: k for k, raw in enumerate(order)}

    taken: set[str] = set()
    dm_names = [str(r.get(dm, "name", str, "decisionMakers", d)) for d, dm in enumerate(dms)]
    actor_ids = _unique((_slug(n, lower=False) for n in dm_names), taken)
    option_names = [str(r.get(options[raw], "name", str, "options", raw)) for raw in order]
    option_ids = _unique((_slug(n, lower=True) for n in option_names), taken)

    def condition(cond: Any, *path: str | int) -> str:
        if isinstance(cond, dict):
            members = cond.get("members")
            if not isinstance(members, list) or not members:
                raise r.fail("a compound condition needs a non-empty 'members' list", *path)
            parts = [condition(m, *path, "members", i) for i, m in enumerate(members)]
            return " or ".join(f"({p})" if " and " in p else p for p in parts)
        if not isinstance(cond, list) or not cond:
            raise r.fail("a condition is a list of [option index, 'Y' or 'N'] pairs", *path)
        terms = []
        for i, pair in enumerate(cond):
            if not (isinstance(pair, list) and len(pair) == 2 and pair[1] in ("Y", "N")):
                raise r.fail("expected [option index, 'Y' or 'N']", *path, i)
            idx = pair[0]
            if not isinstance(idx, int) or not 0 <= idx < n_raw:
                raise r.fail(f"option index {idx!r} is out of range (0..{n_raw - 1})", *path, i)
            oid = option_ids[position[idx]]
            terms.append(oid if pair[1] == "Y" else f"not {oid}")
        return " and ".join(terms)

    constraints = [
        {"infeasible": condition(c, "infeasibles", i)}
        for i, c in enumerate(r.get(data, "infeasibles", list, default=[]))
    ]
    manual = bool(
        data.get("useManualPreferenceRanking", data.get("useManualPreferenceVectors", False))
    )

    preferences: dict[str, dict] = {}
    rankings: dict[str, list] = {}
    for d, dm in enumerate(dms):
        where = ("decisionMakers", d)
        entry: dict[str, Any] = {}
        misperceptions = r.get(dm, "misperceptions", list, *where, default=[])
        if misperceptions:
            entry["misperceives"] = [
                condition(c, *where, "misperceptions", i) for i, c in enumerate(misperceptions)
            ]
        if manual:
            ranking = dm.get("preferenceRanking", dm.get("preferenceVector"))
            if not isinstance(ranking, list):
                raise r.fail("missing 'preferenceRanking' (the file uses manual rankings)", *where)
            rankings[actor_ids[d]] = ranking
        else:
            statements, seen = [], set()
            for i, stmt in enumerate(r.get(dm, "preferences", list, *where)):
                text = condition(stmt, *where, "preferences", i)
                if text in seen:
                    continue  # gmcr-py drops a repeated statement
                seen.add(text)
                statements.append(text)
            entry["statements"] = statements
        preferences[actor_ids[d]] = entry

    n = len(order)
    codes = np.arange(1 << n, dtype=np.int64) if n <= 24 else None
    feasible = None
    if codes is not None:
        exprs = [parse(c["infeasible"]) for c in constraints]
        feasible = codes[feasible_mask(exprs, codes, {oid: k for k, oid in enumerate(option_ids)})]
        if feasible.size == 0:
            raise r.fail("the infeasible conditions exclude every state", "infeasibles")

    def pattern(code: int) -> str:
        return "".join("Y" if code >> k & 1 else "N" for k in range(n))

    for actor_id, ranking in rankings.items():
        if feasible is None:
            raise r.fail("manual rankings need at most 24 options", "decisionMakers")
        d = actor_ids.index(actor_id)
        groups = []
        for i, item in enumerate(ranking):
            members = item if isinstance(item, list) else [item]
            pats = []
            for state in members:
                if not isinstance(state, int) or not 1 <= state <= feasible.size:
                    raise r.fail(
                        f"state {state!r} is not a feasible state number (1..{feasible.size})",
                        "decisionMakers",
                        d,
                        "preferenceRanking",
                        i,
                    )
                pats.append(pattern(int(feasible[state - 1])))
            groups.append(pats[0] if len(pats) == 1 and not isinstance(item, list) else pats)
        preferences[actor_id]["ranking"] = groups

    status_quo = []
    if feasible is not None:
        first = int(feasible[0])
        status_quo = [oid for k, oid in enumerate(option_ids) if first >> k & 1]

    coalitions = []
    raw_coalitions = data.get("coalitions")
    if isinstance(raw_coalitions, list):
        for item in raw_coalitions:
            members = item if isinstance(item, list) else [item]
            if all(isinstance(m, int) and 0 <= m < len(dms) for m in members) and len(members) > 1:
                coalitions.append([actor_ids[m] for m in members])

    title = data.get("title") or f"Graph model from {file.rsplit('/', 1)[-1]}"
    return {
        "id": _slug(case_id, lower=True),
        "title": title,
        "description": (
            f"Imported from the gmcr-py save file {file.rsplit('/', 1)[-1]}. gmcr-py files have no status "
            "quo: detente takes the first feasible state (state 1)."
        ),
        "actors": [{"id": a, "name": name} for a, name in zip(actor_ids, dm_names, strict=True)],
        "options": [
            {
                "id": oid,
                "label": label,
                "controller": actor_ids[controller_of[raw]],
                "irreversible": _DIRECTIONS.get(
                    str(options[raw].get("permittedDirection", "both")), False
                ),
            }
            for oid, label, raw in zip(option_ids, option_names, order, strict=True)
        ],
        "constraints": constraints,
        "status_quo": status_quo,
        "preferences": preferences,
        "coalitions": coalitions,
    }


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


def case_to_gmcr(case, ranking_of=None) -> str:
    """The graph-model part of a case as gmcr-py save-file JSON.

    Options are written grouped by controller, in actor order, as gmcr-py keeps
    them; when the case lists them otherwise, state numbers in gmcr-py follow the
    written order (the file is consistent in itself, and reads back to the same
    conflict). If some actors have statements and others an explicit ranking,
    ``ranking_of(actor_id)`` must give the ranking (tie groups of Y/N patterns in
    the case's option order) for the actors without one, since gmcr-py uses
    either statements for all or rankings for all.
    """
    ordered = [o for a in case.actors for o in case.options if o.controller == a.id]
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
                ranking = prefs.ranking
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
    data = {
        "options": [
            {"name": o.label, "permittedDirection": direction[o.irreversible]} for o in ordered
        ],
        "decisionMakers": dms,
        "infeasibles": [_condition(_infeasible_text(c), index) for c in case.constraints],
        "useManualPreferenceRanking": manual,
        "coalitions": [[actor_pos[m] for m in c] for c in getattr(case, "coalitions", ())],
        "program": "gmcr-py",
        "version": "0.4.1",
    }
    return json.dumps(data, indent=2) + "\n"


def _state_numbers(case, ordered) -> dict[str, int]:
    """Y/N pattern (case option order) -> gmcr-py state number (written option order)."""
    n = len(case.options)
    codes = np.arange(1 << n, dtype=np.int64)
    case_index = {o.id: k for k, o in enumerate(case.options)}
    feasible = codes[
        feasible_mask([c.infeasible_expr for c in case.constraints], codes, case_index)
    ]
    # gmcr-py numbers feasible states by their code in the written order
    written = {o.id: k for k, o in enumerate(ordered)}

    def rewritten(code: int) -> int:
        return sum(1 << written[oid] for oid, k in case_index.items() if code >> k & 1)

    by_code = sorted((rewritten(int(c)), int(c)) for c in feasible)
    return {
        "".join("Y" if c >> k & 1 else "N" for k in range(n)): i + 1
        for i, (_, c) in enumerate(by_code)
    }


def _infeasible_text(constraint) -> str:
    from detente.model.expressions import to_text

    return to_text(constraint.infeasible_expr)
