"""Inverse graph-model analysis: which preferences make a chosen state stable.

The forward analysis takes preferences and finds the stable states. The inverse
question (Kinsara, Kilgour and Hipel 2015, inverse GMCR; the goal seeker of GMCR+)
starts from a state the analyst wants stable for an actor and asks which of the
actor's preference orderings make it so, with the other actors' preferences as they
are. The answer is derived from the definitions, not by enumerating permutations:

- Nash: every state ``s1`` the actor can move to from the target ``s`` is not
  preferred to ``s``;
- GMR: for every such ``s1``, either ``s`` is preferred to ``s1`` or the others can
  reach, by a legal sequence of unilateral moves from ``s1``, some ``s2`` that the
  actor does not prefer to ``s``;
- SEQ: the same with the others' unilateral improvements;
- SMR: the same as GMR, where ``s`` must also be preferred to every state the actor
  can escape to from ``s2``.

Each condition is a clause "s above at least one of these (groups of) states".
Orderings are counted exactly: for a set ``D`` of free states placed below ``s``
there are ``|D|! (n - |D|)!`` orderings of the ``n`` free states and ``s``, so the
count sums this over the sets ``D`` that satisfy every clause. Only the free states
that appear in some clause are enumerated (at most 20 of them); the others are
counted by a binomial sum.

Orderings are strict (no ties). States outside the chosen range keep their present
relation to the target, read from the actor's current preferences.

References
----------
Kinsara, R. A., Kilgour, D. M., and Hipel, K. W. (2015). Inverse approach to the
graph model for conflict resolution. *IEEE Transactions on Systems, Man, and
Cybernetics: Systems* 45(5), 734-742.
Fang, L., Hipel, K. W., and Kilgour, D. M. (1993). *Interactive Decision Making*.
Wiley (the stability definitions).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import comb, factorial
from typing import Any

import numpy as np

from detente.errors import AnalysisError
from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import unilateral_moves
from detente.gmcr.reach import reachable_states
from detente.gmcr.results import state_record

__all__ = ["INVERSE_CONCEPTS", "Clause", "InverseResult", "inverse_stability"]

INVERSE_CONCEPTS = ("nash", "gmr", "smr", "seq")
_NAME = {"nash": "Nash", "gmr": "GMR", "smr": "SMR", "seq": "SEQ"}
MAX_INVOLVED = 20


@dataclass(frozen=True)
class Clause:
    """The target must be preferred to every state of at least one alternative.

    ``move`` is the actor's move the clause answers (0-based); each alternative is a
    tuple of 0-based states.
    """

    move: int
    alternatives: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class InverseResult:
    """Which orderings of the free states make ``target`` stable for ``actor``."""

    model: GraphModel
    actor: str
    target: int
    concept: str
    free: tuple[int, ...]
    clauses: tuple[Clause, ...]
    count: int
    total: int
    holds_now: bool

    def conditions(self) -> str:
        """The clauses as a sentence, with 1-based state numbers as papers print them."""
        s = self.target + 1
        if not self.clauses:
            return f"State {s} is {_NAME[self.concept]}-stable for {self.actor} whatever its preferences over the range"
        if self.count == 0:
            return f"No ordering of the range makes state {s} {_NAME[self.concept]}-stable for {self.actor}"
        parts = []
        for clause in self.clauses:
            alts = [" and ".join(f"to {t + 1}" for t in alt) for alt in clause.alternatives]
            parts.append(f"{s} " + " or ".join(alts))
        return (
            f"State {s} is {_NAME[self.concept]}-stable for {self.actor} if {self.actor} prefers "
            + ", and ".join(parts)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "target": state_record(self.model, self.target),
            "concept": self.concept,
            "free": [t + 1 for t in self.free],
            "conditions": [
                {
                    "move": c.move + 1,
                    "prefer_to_any_of": [[t + 1 for t in alt] for alt in c.alternatives],
                }
                for c in self.clauses
            ],
            "text": self.conditions(),
            "count": self.count,
            "total": self.total,
            "share": self.count / self.total if self.total else 0.0,
            "holds_now": self.holds_now,
            "state_numbering": "1-based",
            "method": "inverse GMCR (Kinsara, Kilgour and Hipel 2015), exact count",
        }


def _raw_clauses(model: GraphModel, a: int, target: int, concept: str) -> list[Clause]:
    others = [k for k in range(len(model.actors)) if k != a]
    clauses = []
    for s1 in unilateral_moves(model, a, target):
        alternatives: list[tuple[int, ...]] = [(s1,)]
        if concept != "nash" and others:
            answers = reachable_states(model, others, s1, improving=concept == "seq")
            for s2 in answers:
                if concept == "smr":
                    escapes = unilateral_moves(model, a, s2)
                    alternatives.append(tuple(sorted({s2, *escapes})))
                else:
                    alternatives.append((s2,))
        clauses.append(Clause(s1, tuple(alternatives)))
    return clauses


def inverse_stability(
    model: GraphModel,
    actor: int | str,
    target: int,
    *,
    concept: str = "seq",
    free: Iterable[int] | None = None,
) -> InverseResult:
    """Which preference orderings of ``actor`` make ``target`` stable under ``concept``.

    Parameters
    ----------
    model : GraphModel
    actor : int or str
        The actor whose preferences vary; the others keep theirs.
    target : int
        0-based index of the state to make stable.
    concept : {"nash", "gmr", "smr", "seq"}
    free : iterable of int, optional
        0-based states whose rank relative to ``target`` may vary (the range). By
        default every state that appears in a condition.

    Returns
    -------
    InverseResult
        The conditions, the exact number of orderings of the free states and the
        target that satisfy them, and the total number of such orderings.
    """
    if concept not in INVERSE_CONCEPTS:
        raise AnalysisError(
            f"inverse analysis supports {', '.join(INVERSE_CONCEPTS)}, not {concept!r}"
        )
    a = model.actor_index(actor)
    if not 0 <= target < model.n_states:
        raise AnalysisError(f"state {target + 1} does not exist (1..{model.n_states})")
    raw = _raw_clauses(model, a, target, concept)
    involved_all = sorted({t for c in raw for alt in c.alternatives for t in alt if t != target})
    free_set = set(involved_all) if free is None else {int(t) for t in free if int(t) != target}
    payoff = model.payoff[a]

    def fixed_ok(t: int) -> bool:  # the target is no worse than t, as preferences stand now
        return bool(payoff[target] >= payoff[t])

    # Simplify: drop alternatives that fixed states already defeat, and clauses that
    # a fixed alternative already satisfies.
    clauses: list[Clause] = []
    impossible = False
    for clause in raw:
        kept: list[tuple[int, ...]] = []
        satisfied = False
        for alt in clause.alternatives:
            alt = tuple(t for t in alt if t != target)
            if any(t not in free_set and not fixed_ok(t) for t in alt):
                continue  # a fixed state beats the target: this alternative cannot hold
            rest = tuple(t for t in alt if t in free_set)
            if not rest:
                satisfied = True
                break
            kept.append(rest)
        if satisfied:
            continue
        if not kept:
            impossible = True
        clauses.append(Clause(clause.move, tuple(dict.fromkeys(kept))))

    holds_now = all(
        any(all(fixed_ok(t) for t in alt if t != target) for alt in c.alternatives) for c in raw
    )
    n_free = len(free_set)
    total = factorial(n_free + 1)
    if impossible:
        return InverseResult(
            model,
            model.actors[a],
            target,
            concept,
            tuple(sorted(free_set)),
            tuple(clauses),
            0,
            total,
            holds_now,
        )
    involved = sorted({t for c in clauses for alt in c.alternatives for t in alt})
    if len(involved) > MAX_INVOLVED:
        raise AnalysisError(
            f"the conditions involve {len(involved)} free states; at most {MAX_INVOLVED} can be counted exactly: "
            "choose a smaller range of states"
        )
    count = _count(clauses, involved, n_free)
    return InverseResult(
        model,
        model.actors[a],
        target,
        concept,
        tuple(sorted(free_set)),
        tuple(clauses),
        count,
        total,
        holds_now,
    )


def _count(clauses: Sequence[Clause], involved: list[int], n_free: int) -> int:
    """Orderings of the free states and the target in which every clause holds."""
    m = len(involved)
    position = {t: k for k, t in enumerate(involved)}
    masks = np.arange(1 << m, dtype=np.int64)  # bit k set: involved[k] is below the target
    ok = np.ones(masks.shape, dtype=bool)
    for clause in clauses:
        any_alt = np.zeros(masks.shape, dtype=bool)
        for alt in clause.alternatives:
            need = sum(1 << position[t] for t in alt)
            any_alt |= (masks & need) == need
        ok &= any_alt
    below = (
        np.bitwise_count(masks[ok].astype(np.uint64))
        if hasattr(np, "bitwise_count")
        else _popcount(masks[ok])
    )
    sizes = np.bincount(below.astype(np.int64), minlength=m + 1)
    u = n_free - m  # free states no clause mentions: anywhere
    count = 0
    for d, how_many in enumerate(sizes.tolist()):
        if how_many:
            count += how_many * sum(
                comb(u, b) * factorial(d + b) * factorial(n_free - d - b) for b in range(u + 1)
            )
    return count


def _popcount(values: np.ndarray) -> np.ndarray:  # pragma: no cover - numpy < 2.0
    return np.array([bin(int(v)).count("1") for v in values], dtype=np.int64)
