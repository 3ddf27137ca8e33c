"""Options linked to issues: a graph-model state read as a package on the issue scales.

An option may say what taking it does on an issue (``effects``: at least or at most
some level) and, optionally, where the issue stands while it is not taken
(``if_not_taken``). In a state, each issue sits at the point of the interval that its
options' bounds leave (the highest lower bound, the lowest upper bound) nearest the
issue's status quo: options move an issue only as far as they must. An issue no
option names stays at its status quo. Bounds that leave no interval (one option puts
an issue at least at 50, another at most at 25) make the state contradictory; the
case's checks report every feasible state where that happens.

A proposal is one package for every engine: its options (over the status quo) give
the state, the links give its issue levels, and the levels it names itself override
them; a proposal that names levels only gets the feasible state whose levels come
closest to them (then the fewest changed options).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from detente.model.checks import MAX_ENUMERATED_OPTIONS, feasible_mask

if TYPE_CHECKING:
    from detente.model.case import Case
    from detente.model.sections import Proposal

__all__ = [
    "Package",
    "feasible_codes",
    "is_linked",
    "level_bounds",
    "proposal_package",
    "state_code",
    "state_levels",
    "status_quo_levels",
]


def is_linked(case: Case) -> bool:
    """Whether some option of ``case`` says what it does on an issue."""
    return any(o.effects for o in case.options)


def reference_levels(case: Case) -> np.ndarray:
    """Each issue's status quo level (its scale's low end where it has none)."""
    return np.array(
        [i.status_quo if i.status_quo is not None else i.scale[0] for i in case.issues],
        dtype=float,
    )


def status_quo_levels(case: Case) -> dict[str, float]:
    """Issue id -> its status quo level (its scale's low end where it has none)."""
    return dict(zip([i.id for i in case.issues], reference_levels(case).tolist(), strict=True))


def level_bounds(case: Case, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest and highest level each issue may take in each state.

    ``codes`` are states (bit k set: option k taken); the result is two arrays of
    shape ``(len(codes), len(case.issues))``, the scale's ends where no option binds.
    """
    codes = np.asarray(codes, dtype=np.int64)
    n = codes.shape[0]
    lo = np.tile(np.array([i.scale[0] for i in case.issues], dtype=float), (n, 1))
    hi = np.tile(np.array([i.scale[1] for i in case.issues], dtype=float), (n, 1))
    column = {i.id: j for j, i in enumerate(case.issues)}
    for k, option in enumerate(case.options):
        if not option.effects:
            continue
        taken = (codes >> k) & 1 == 1
        for issue_id, effect in option.effects.items():
            j = column[issue_id]
            for bound, where in ((effect, taken), (effect.if_not_taken, ~taken)):
                if bound is None:
                    continue
                if bound.at_least is not None:
                    lo[:, j] = np.where(where, np.maximum(lo[:, j], bound.at_least), lo[:, j])
                if bound.at_most is not None:
                    hi[:, j] = np.where(where, np.minimum(hi[:, j], bound.at_most), hi[:, j])
    return lo, hi


def state_levels(case: Case, codes: np.ndarray) -> np.ndarray:
    """Each state's issue levels, ``(len(codes), len(case.issues))``; NaN where the
    state's options bound an issue to no level at all."""
    lo, hi = level_bounds(case, codes)
    levels = np.clip(reference_levels(case), lo, hi)
    return np.where(lo <= hi + 1e-9, levels, np.nan)


def state_code(case: Case, options: Mapping[str, bool]) -> int:
    """The state that sets ``options`` and leaves every other option as in the status quo."""
    index = {o: k for k, o in enumerate(case.option_ids)}
    code = sum(1 << index[o] for o in case.status_quo)
    for option, taken in options.items():
        bit = 1 << index[option]
        code = code | bit if taken else code & ~bit
    return code


def feasible_codes(case: Case) -> np.ndarray | None:
    """Every feasible state of ``case`` (None when it has too many options to list)."""
    n = len(case.options)
    if n > MAX_ENUMERATED_OPTIONS:
        return None
    codes = np.arange(1 << n, dtype=np.int64)
    index = {o: k for k, o in enumerate(case.option_ids)}
    return codes[feasible_mask([c.infeasible_expr for c in case.constraints], codes, index)]


@dataclass(frozen=True)
class Package:
    """One package as every engine sees it.

    Attributes
    ----------
    options : mapping of str to bool, or None
        Every option of the case, taken or not (None when the case has no options).
    levels : mapping of str to float
        Every issue's level.
    derived : tuple of str
        Which half was derived from the other: ``"levels"`` (from the options, by the
        links) and/or ``"options"`` (the state whose levels come closest).
    """

    options: dict[str, bool] | None
    levels: dict[str, float]
    derived: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "options": dict(self.options) if self.options is not None else None,
            "levels": dict(self.levels),
            "derived": list(self.derived),
        }


def _options_of(case: Case, code: int) -> dict[str, bool]:
    return {o: bool((code >> k) & 1) for k, o in enumerate(case.option_ids)}


def proposal_package(case: Case, proposal: Proposal) -> Package:
    """The package ``proposal`` stands for (see the module docstring)."""
    linked = is_linked(case)
    derived: list[str] = []
    code: int | None = None
    if case.options and (proposal.options or not linked or not proposal.positions):
        code = state_code(case, proposal.options)
    elif case.options and any(
        issue_id in o.effects for o in case.options for issue_id in proposal.positions
    ):
        # Levels on issues that no option moves say nothing about the state.
        code = closest_state(case, proposal.positions)
        if code is not None:
            derived.append("options")
    levels = status_quo_levels(case)
    if linked and code is not None:
        row = state_levels(case, np.array([code]))[0]
        for issue, value in zip(case.issues, row, strict=True):
            if not np.isnan(value):
                levels[issue.id] = float(value)
        if any(i.id not in proposal.positions for i in case.issues):
            derived.append("levels")
    levels.update({k: float(v) for k, v in proposal.positions.items()})
    options = _options_of(case, code) if code is not None else None
    return Package(options=options, levels=levels, derived=tuple(derived))


def closest_state(case: Case, levels: Mapping[str, float]) -> int | None:
    """The feasible state whose linked levels come closest to ``levels`` (summed
    distance in shares of each scale), then the one that changes fewest options."""
    codes = feasible_codes(case)
    if codes is None or not codes.size:
        return None
    at = state_levels(case, codes)
    gap = np.zeros(codes.size)
    for j, issue in enumerate(case.issues):
        if issue.id in levels:
            span = issue.scale[1] - issue.scale[0]
            gap += np.nan_to_num(np.abs(at[:, j] - levels[issue.id]) / span, nan=np.inf)
    sq = state_code(case, {})
    diff = codes ^ sq
    changes = np.zeros(codes.size, dtype=np.int64)
    for k in range(len(case.options)):
        changes += (diff >> k) & 1
    best = np.lexsort((changes, np.round(gap, 9)))[0]
    return int(codes[best])
