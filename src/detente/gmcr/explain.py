"""Why a state is stable or unstable for an actor: its improvements and sanctions.

For each unilateral improvement ``s1`` of the focal actor ``i`` from ``s``, the
sanctions are the states the opponents can then reach (by the concept's kind of
legal sequence) where ``i`` is no better off than at ``s`` (Fang, Hipel & Kilgour
1993, ch. 3). An improvement without a sanction is what makes ``s`` unstable.
"""

from __future__ import annotations

import numpy as np

from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.reach import legal_sequence_bfs
from detente.gmcr.results import Explanation, ImprovementCheck, Step, make_step
from detente.gmcr.stability import TwoActorConceptError, normalise_concepts
from detente.gmcr.states import DEFAULT_MAX_BYTES

__all__ = ["instability_explanation"]

_METHODS = {
    "nash": "Nash stability: any unilateral improvement makes the state unstable",
    "gmr": "GMR: an improvement is sanctioned if the opponents, by any legal sequence of "
    "moves, can reach a state the actor likes no better than the start",
    "smr": "SMR: as GMR, and the actor cannot then escape to a state it prefers to the start",
    "seq": "SEQ: as GMR, but the opponents sanction only by legal sequences of their own "
    "unilateral improvements",
    "sim": "SIM: an improvement is sanctioned if the opponent, improving at the same time from "
    "the start, lands both in a state the actor likes no better",
}


def instability_explanation(
    model: GraphModel,
    actor: int | str,
    state: int,
    *,
    concept: str = "gmr",
    max_sanctions: int = 10,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Explanation:
    """The unilateral improvements of ``actor`` from ``state`` and their sanctions.

    Parameters
    ----------
    model : GraphModel
        The conflict.
    actor : int or str
        The focal actor.
    state : int
        0-based index of the state.
    concept : str
        ``nash``, ``gmr``, ``smr``, ``seq`` or (two actors) ``sim``.
    max_sanctions : int
        List at most this many sanctioning states per improvement (all are counted).

    Returns
    -------
    Explanation
        ``stable`` and, per improvement, the sanctioning states (0-based).

    References
    ----------
    Fang, Hipel & Kilgour (1993), ch. 3, the definitions of Nash, GMR, SMR and SEQ.
    """
    (concept,) = normalise_concepts([concept])
    if concept not in _METHODS:
        raise ValueError(f"explanations are available for {', '.join(_METHODS)}, not {concept!r}")
    if concept == "sim" and model.n_actors != 2:
        raise TwoActorConceptError(
            f"SIM is defined for two actors; this model has {model.n_actors}"
        )
    i = model.actor_index(actor)
    graphs = MoveGraphs(model, max_bytes=max_bytes)
    p = graphs.rank[i]
    ps = p[state]
    opponents = [k for k in range(model.n_actors) if k != i]
    _, improvements = graphs[i].targets(np.array([state]), improving=True)
    checks = []
    codes = model.states
    escape = np.maximum(graphs[i].reduce_max(p), p) if concept == "smr" else None
    for s1 in sorted(int(t) for t in improvements):
        responses: list[tuple[Step, ...]] = []
        escapes: list[tuple[int, int]] = []
        escape_responses: list[tuple[Step, ...]] = []
        if concept == "nash":
            sanctions = np.zeros(0, dtype=np.int64)
        elif concept == "sim":
            j = opponents[0]
            _, s2 = graphs[j].targets(np.array([state]), improving=True)
            joint = codes[s1] ^ codes[s2] ^ codes[state]
            idx = np.minimum(np.searchsorted(codes, joint), model.n_states - 1)
            ok = (codes[idx] == joint) & (p[idx] <= ps)
            sanctions, first = np.unique(idx[ok], return_index=True)
            for t in s2[ok][first][:max_sanctions]:
                responses.append((make_step(model, j, state, int(t)),))
        else:
            reach = legal_sequence_bfs(graphs, opponents, s1, improving=concept == "seq")
            cand = reach.reached[p[reach.reached] <= ps]
            if escape is not None:
                escaped = cand[escape[cand] > ps]
                cand = cand[escape[cand] <= ps]
                for t in escaped[:max_sanctions]:
                    _, out = graphs[i].targets(np.array([int(t)]))
                    best = int(out[np.argmax(p[out])])
                    escapes.append((int(t), best))
                    escape_responses.append(
                        tuple(make_step(model, k, a, b) for k, a, b in reach.path(int(t)))
                    )
            sanctions = cand
            for t in sanctions[:max_sanctions]:
                responses.append(tuple(make_step(model, k, a, b) for k, a, b in reach.path(int(t))))
        step = make_step(model, i, state, s1)
        checks.append(
            ImprovementCheck(
                target=s1,
                changed=step.changed,
                sanctions=tuple(int(x) for x in sanctions[:max_sanctions]),
                n_sanctions=int(sanctions.size),
                sanctioned=bool(sanctions.size),
                responses=tuple(responses),
                escapes=tuple(escapes),
                escape_responses=tuple(escape_responses),
            )
        )
    return Explanation(
        model=model,
        actor=model.actors[i],
        state=int(state),
        concept=concept,
        stable=all(c.sanctioned for c in checks),
        improvements=tuple(checks),
        method=_METHODS[concept],
    )
