"""The smallest change of a party's priorities that makes a state stable for it.

Inverse analysis (:mod:`detente.gmcr.inverse`) counts every preference ordering that
makes a state stable; with a dozen options that space is astronomically large. An
analyst asks something narrower: how little would this party's stated priorities
have to change? This module answers it over option-prioritisation statements
(Fang, Hipel, Kilgour & Peng 2003, Part I, for the statements): an *edit* moves one
statement to another rank or drops it, and the search looks for the fewest edits
after which the state is stable for the party under the concept.

Only the party's own payoffs change, so the opponents' reach from each of its moves
is computed once and every candidate ordering is checked on those few states:
Nash (no unilateral improvement), GMR (every improvement answered by some sequence
of the opponents' moves that leaves the party no better off than at the state) and
SEQ (the same, by sequences of the opponents' unilateral improvements). The search
tries every single edit, then pairs that start from the 25 single edits leaving
the fewest unanswered improvements; among the edits that work it prefers the
smallest shifts of rank, and confirms the one it returns with the full stability
analysis.

References
----------
Fang, L., Hipel, K. W., Kilgour, D. M., and Peng, X. (2003). A decision support
system for interactive decision making, Part I: model formulation. *IEEE Trans.
SMC-C* 33(1), 42-55.
Kinsara, R. A., Petersons, O., Hipel, K. W., and Kilgour, D. M. (2015). Advanced
decision support for the graph model for conflict resolution. *Journal of Decision
Systems* 24(2), 117-145 (inverse analysis).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.gmcr.graph import GraphModel
from detente.gmcr.improvements import repriced_moves
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.preferences import payoff_from_statements
from detente.gmcr.reach import legal_sequence_bfs
from detente.gmcr.stability import stabilities
from detente.model.expressions import Expr, evaluate, parse

__all__ = ["SUPPORTED_CONCEPTS", "PreferenceEdit", "stabilizing_edit"]

SUPPORTED_CONCEPTS = ("nash", "gmr", "seq")
BEAM = 25


@dataclass(frozen=True)
class PreferenceEdit:
    """A new order of one party's statements, and the edits that lead to it.

    ``edits`` are ``(statement, old rank, new rank)`` with 1-based ranks; a new rank
    of None drops the statement.
    """

    actor: str
    edits: tuple[tuple[str, int, int | None], ...]
    statements: tuple[str, ...]

    def describe(self, name: str | None = None) -> list[str]:
        """The edits in words, naming the party ``name`` (default its id)."""
        who = name or self.actor
        out = []
        for text, old, new in self.edits:
            if new is None:
                out.append(f"{who} drops {text!r} (now {_ordinal(old)})")
            else:
                out.append(f"{who} ranks {text!r} {_ordinal(new)} instead of {_ordinal(old)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "edits": [{"statement": t, "from_rank": a, "to_rank": b} for t, a, b in self.edits],
            "statements": list(self.statements),
            "described": self.describe(),
        }


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _single_edits(k: int) -> list[tuple[int, int | None]]:
    """Every move of one statement to another rank (0-based), and every drop."""
    edits: list[tuple[int, int | None]] = [
        (i, j) for i in range(k) for j in range(k + 1) if i != j and j != i + 1
    ]
    edits += [(i, None) for i in range(k)]
    return edits


def _apply(order: list[int], edit: tuple[int, int | None]) -> list[int] | None:
    """Move the statement at position ``edit[0]`` to ``edit[1]`` (or drop it)."""
    i, j = edit
    if i >= len(order) or (j is not None and j > len(order)):
        return None
    moved = order[i]
    rest = order[:i] + order[i + 1 :]
    if j is None:
        return rest
    rest.insert(j if j < i else j - 1, moved)
    return rest


def stabilizing_edit(
    model: GraphModel,
    actor: int | str,
    statements: Sequence[str | Expr],
    target: int,
    *,
    concept: str = "seq",
    max_edits: int = 2,
    graphs: MoveGraphs | None = None,
) -> PreferenceEdit | None:
    """The fewest statement edits that make ``target`` (0-based) stable for ``actor``.

    ``statements`` are the actor's statements as the model was built from them (most
    important first). Returns an empty edit when the state is already stable, None
    when no ordering within ``max_edits`` edits makes it so. ``graphs``: the move
    graphs of ``model`` when built already (several searches on one model share them).

    Raises
    ------
    ValueError
        For a concept other than Nash, GMR or SEQ, or a model with misperceptions.
    """
    if concept not in SUPPORTED_CONCEPTS:
        raise ValueError(f"preference edits are searched for {', '.join(SUPPORTED_CONCEPTS)}")
    if model.perceived is not None:
        raise ValueError("preference edits are not searched in models with misperceptions")
    a = model.actor_index(actor)
    texts = [s if isinstance(s, str) else _text(s) for s in statements]
    exprs = [parse(s) if isinstance(s, str) else s for s in statements]
    if graphs is None:
        graphs = MoveGraphs(model)
    elif graphs.model is not model:
        raise ValueError("graphs must be the move graphs of the model")
    moves = graphs[a].targets(np.array([target]))[1]
    opponents = [k for k in range(model.n_actors) if k != a]
    improving = concept == "seq"
    answers = [
        legal_sequence_bfs(graphs, opponents, int(s), improving=improving).reached
        if concept != "nash"
        else np.zeros(0, dtype=np.int64)
        for s in moves
    ]
    involved = np.unique(np.concatenate([[target], moves, *answers])).astype(np.int64)
    where = {int(s): k for k, s in enumerate(involved)}
    t = where[int(target)]
    m_idx = [where[int(s)] for s in moves]
    ans_idx = [np.array([where[int(u)] for u in ans], dtype=np.int64) for ans in answers]
    codes = model.states[involved]
    columns = {o: (codes >> k) & 1 == 1 for k, o in enumerate(model.options)}
    # truth[k, s]: statement k holds in involved state s. An ordering's payoff is the
    # statements' truths weighted 2^(K-1), ..., 1 (payoff_from_statements, unranked).
    truth = np.array(
        [np.broadcast_to(np.asarray(evaluate(e, columns), bool), codes.shape) for e in exprs],
        dtype=np.int64,
    ).reshape(len(exprs), codes.size)

    def escapes(order: list[int]) -> int:
        weights = np.left_shift(1, np.arange(len(order) - 1, -1, -1, dtype=np.int64))
        p = weights @ truth[order] if order else np.zeros(codes.size, dtype=np.int64)
        count = 0
        for s, ans in zip(m_idx, ans_idx, strict=True):
            if p[s] > p[t] and not (ans.size and (p[ans] <= p[t]).any()):
                count += 1
        return count

    base = list(range(len(exprs)))
    if escapes(base) == 0:
        return _confirmed(graphs, a, exprs, texts, base, (), target, concept)
    frontier: list[tuple[int, int, list[int], tuple]] = [(escapes(base), 0, base, ())]
    for _depth in range(max_edits):
        scored: list[tuple[int, int, list[int], tuple]] = []
        for _, shift, order, done in frontier:
            for edit in _single_edits(len(order)):
                new = _apply(order, edit)
                if new is None:
                    continue
                moved = len(order) - edit[0] if edit[1] is None else abs(edit[1] - edit[0])
                path = (*done, (order[edit[0]], edit[1]))
                scored.append((escapes(new), shift + moved, new, path))
        # The smallest shifts of rank first, among the orderings that leave no escape.
        scored.sort(key=lambda x: (x[0], x[1]))
        for left, _, new, path in scored:
            if left:
                break
            found = _confirmed(graphs, a, exprs, texts, new, path, target, concept)
            if found is not None:
                return found
        frontier = scored[:BEAM]
    return None


def _text(expr: Expr) -> str:
    from detente.model.expressions import to_text

    return to_text(expr)


def _confirmed(
    graphs: MoveGraphs,
    a: int,
    exprs: list[Expr],
    texts: list[str],
    order: list[int],
    path: tuple,
    target: int,
    concept: str,
) -> PreferenceEdit | None:
    """The edit, if the full stability analysis agrees that it makes ``target`` stable
    (the others' move graphs, which the edit leaves as they are, taken from ``graphs``)."""
    model = graphs.model
    payoff = model.payoff.copy()
    payoff[a] = payoff_from_statements(
        [exprs[k] for k in order], states=model.states, options=model.options
    )
    edited = dataclasses.replace(model, payoff=payoff)
    moves = repriced_moves(graphs, edited)
    if not stabilities(edited, concepts=(concept,), actors=[a], graphs=moves).stable[concept][
        a, target
    ]:
        return None
    edits = []
    for k, new_rank in path:
        edits.append((texts[k], k + 1, None if new_rank is None else order.index(k) + 1))
    return PreferenceEdit(
        actor=model.actors[a],
        edits=tuple(edits),
        statements=tuple(texts[k] for k in order),
    )
