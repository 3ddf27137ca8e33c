"""Individual stability of every state for every actor, and equilibria.

For a focal actor ``i`` with opponents ``H = N - {i}``, payoff ``P_i`` and state
``s`` (Fang, Hipel & Kilgour 1993, ch. 3; Fang et al. 2003, Part I, Table I):

* **Nash** (R, Nash stability): ``R_i^+(s)`` is empty.
* **GMR** (general metarationality): for every ``s1`` in ``R_i^+(s)`` there is
  ``s2`` in ``R_H(s1)`` with ``P_i(s2) <= P_i(s)``.
* **SMR** (symmetric metarationality): as GMR, and moreover every ``s3`` in
  ``R_i(s2)`` has ``P_i(s3) <= P_i(s)``.
* **SEQ** (sequential stability): as GMR with ``s2`` in ``R_H^+(s1)``: the
  opponents sanction only by unilateral improvements of their own.
* **SIM** (simultaneous sanctioning, two actors): for every ``s1`` in
  ``R_i^+(s)`` there is ``s2`` in ``R_j^+(s)`` such that the state reached when
  both move at once from ``s`` (``i``'s options as in ``s1``, ``j``'s as in
  ``s2``) is feasible and ``P_i <= P_i(s)`` there (Fraser & Hipel 1984; Fang,
  Hipel & Kilgour 1993).
* **SEQ+SIM**: stable if sanctioned sequentially (SEQ) or simultaneously (SIM),
  as in Fraser & Hipel's procedure, where simultaneous sanctioning is the last
  check applied to states otherwise unstable.
* **Lh**, **NM**: limited-move stability with horizon h and non-myopic stability
  (two actors), see :mod:`detente.gmcr.limited_move`.

``R_H`` and ``R_H^+`` follow legal sequences (no actor moves twice in a row),
computed by :func:`detente.gmcr.reach.legal_reach_min` without ever listing pairs
of states.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from detente.errors import AnalysisError
from detente.gmcr.graph import GraphModel, check_size
from detente.gmcr.moves import MoveGraphs, _expand
from detente.gmcr.reach import legal_reach_min
from detente.gmcr.results import StabilityResult
from detente.gmcr.states import DEFAULT_MAX_BYTES

__all__ = [
    "CONCEPTS",
    "TWO_ACTOR_CONCEPTS",
    "TwoActorConceptError",
    "equilibria",
    "stabilities",
]

#: Concept keys, in the order results list them.
CONCEPTS = ("nash", "gmr", "smr", "seq", "sim", "seq_sim", "lh", "nm")
#: Concepts the literature defines for two actors only.
TWO_ACTOR_CONCEPTS = frozenset({"sim", "seq_sim", "lh", "nm"})
_DEFAULT = ("nash", "gmr", "smr", "seq")
_ALIASES = {
    "r": "nash",
    "nash": "nash",
    "gmr": "gmr",
    "smr": "smr",
    "seq": "seq",
    "sim": "sim",
    "seq+sim": "seq_sim",
    "seq_sim": "seq_sim",
    "seqsim": "seq_sim",
    "lh": "lh",
    "limited_move": "lh",
    "nm": "nm",
    "non_myopic": "nm",
    "nonmyopic": "nm",
}


class TwoActorConceptError(AnalysisError):
    """A solution concept defined only for two actors was asked of a larger model."""


def normalise_concepts(concepts: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for c in concepts:
        key = _ALIASES.get(str(c).strip().lower())
        if key is None:
            raise ValueError(f"unknown solution concept {c!r}; known: {', '.join(CONCEPTS)}")
        if key not in out:
            out.append(key)
    return tuple(sorted(out, key=CONCEPTS.index))


def stabilities(
    model: GraphModel,
    *,
    concepts: Sequence[str] = _DEFAULT,
    actors: Sequence[int | str] | None = None,
    horizon: int = 2,
    max_bytes: int = DEFAULT_MAX_BYTES,
    graphs: MoveGraphs | None = None,
) -> StabilityResult:
    """Stability of every state for every actor under each concept.

    Parameters
    ----------
    model : GraphModel
        The conflict.
    concepts : sequence of str
        Any of ``nash`` (alias ``R``), ``gmr``, ``smr``, ``seq``, ``sim``,
        ``seq_sim`` (``SEQ+SIM``), ``lh``, ``nm``. Default Nash, GMR, SMR, SEQ.
    actors : sequence, optional
        Only analyse these actors (ids or indices); the others' rows are False.
        Equilibria need every actor.
    horizon : int
        The horizon h of limited-move stability ``lh``.
    max_bytes : int
        Refuse, before allocating, an analysis needing more memory.
    graphs : MoveGraphs, optional
        The move graphs of ``model`` when built already (they are built here
        otherwise, and their ``max_bytes`` applies).

    Returns
    -------
    StabilityResult
        ``stable[concept]`` is a bool array ``(n_actors, n_states)``.

    Raises
    ------
    TwoActorConceptError
        If SIM, SEQ+SIM, Lh or NM is asked of a model without exactly two actors.
    CaseTooLargeError
        If the analysis would need more than ``max_bytes``.

    References
    ----------
    Fang, Hipel & Kilgour (1993), *Interactive Decision Making: The Graph Model for
    Conflict Resolution*, Wiley, ch. 3-4. Fang, Hipel, Kilgour & Peng (2003), "A
    decision support system for interactive decision making, Part I", IEEE Trans.
    SMC-C 33(1):42-55. Fraser & Hipel (1984), *Conflict Analysis*.

    Examples
    --------
    Prisoner's Dilemma with one option ("defect") per prisoner:

    >>> m = GraphModel.from_options(
    ...     actors=["A", "B"], options={"dA": "A", "dB": "B"},
    ...     rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]})
    >>> r = stabilities(m)
    >>> [m.pattern(i) for i in r.equilibria("nash")], [m.pattern(i) for i in r.equilibria("gmr")]
    (['YY'], ['NN', 'YY'])
    """
    concepts = normalise_concepts(concepts)
    two_only = [c for c in concepts if c in TWO_ACTOR_CONCEPTS]
    if two_only and model.n_actors != 2:
        names = ", ".join(c.upper().replace("_", "+") for c in two_only)
        raise TwoActorConceptError(
            f"{names} {'is' if len(two_only) == 1 else 'are'} defined for conflicts with exactly two "
            f"actors in the literature; this model has {model.n_actors}"
        )
    if "lh" in concepts and horizon < 1:
        raise ValueError("the horizon of limited-move stability must be >= 1")
    if graphs is None:
        graphs = MoveGraphs(model, max_bytes=max_bytes)
    elif graphs.model is not model:
        raise ValueError("graphs must be the move graphs of the model analysed")
    if any(c in TWO_ACTOR_CONCEPTS for c in concepts):
        # SIM, SEQ+SIM, Lh and NM list both actors' moves: refuse before any work.
        check_size(model, max_bytes=max_bytes, n_edges=2 * (graphs[0].n_edges + graphs[1].n_edges))
    chosen = range(model.n_actors) if actors is None else [model.actor_index(a) for a in actors]
    stable = {c: np.zeros((model.n_actors, model.n_states), dtype=bool) for c in concepts}
    for i in chosen:
        row = _actor_stability(graphs, i, concepts, horizon=horizon)
        for c in concepts:
            stable[c][i] = row[c]
    for arr in stable.values():
        arr.setflags(write=False)
    params: dict[str, object] = {"concepts": list(concepts)}
    if "lh" in concepts:
        params["horizon"] = int(horizon)
    if actors is not None:
        params["actors"] = [model.actors[i] for i in chosen]
    return StabilityResult(model=model, concepts=concepts, stable=stable, parameters=params)


def equilibria(
    model: GraphModel,
    *,
    concepts: Sequence[str] = _DEFAULT,
    horizon: int = 2,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, list[int]]:
    """``concept -> 0-based indices`` of the states stable for every actor.

    A convenience over :func:`stabilities`; see it for the parameters.
    """
    res = stabilities(model, concepts=concepts, horizon=horizon, max_bytes=max_bytes)
    return {c: res.equilibria(c) for c in res.concepts}


def _actor_stability(
    graphs: MoveGraphs, i: int, concepts: Sequence[str], *, horizon: int
) -> dict[str, np.ndarray]:
    model = graphs.model
    p = graphs.rank[i]
    gi = graphs[i]
    opponents = [k for k in range(model.n_actors) if k != i]
    out: dict[str, np.ndarray] = {}
    if "nash" in concepts:
        out["nash"] = ~gi.has_move(improving=True)
    if "gmr" in concepts:
        m = legal_reach_min(graphs, opponents, p)
        out["gmr"] = gi.reduce_max(m, improving=True) <= p
    if "smr" in concepts:
        # The best the focal actor could escape to from s2 (staying included).
        escape = np.maximum(p, gi.reduce_max(p))
        m = legal_reach_min(graphs, opponents, escape)
        out["smr"] = gi.reduce_max(m, improving=True) <= p
    if "seq" in concepts or "seq_sim" in concepts:
        m = legal_reach_min(graphs, opponents, p, improving=True)
        seq = gi.reduce_max(m, improving=True) <= p
        if "seq" in concepts:
            out["seq"] = seq
    if "sim" in concepts or "seq_sim" in concepts:
        dense = _simultaneous_dense(graphs, i, opponents[0])
        sim = dense if dense is not None else _simultaneous(graphs, i, opponents[0])
        if "sim" in concepts:
            out["sim"] = sim
        if "seq_sim" in concepts:
            out["seq_sim"] = seq | sim
    if "lh" in concepts or "nm" in concepts:
        from detente.gmcr.limited_move import limited_move_rows

        rows = limited_move_rows(
            graphs, i, horizon=horizon if "lh" in concepts else None, nm="nm" in concepts
        )
        out.update(rows)
    return out


_DENSE_SIM_CELLS = 1 << 22


def _simultaneous_dense(
    graphs: MoveGraphs, i: int, j: int, *, force: bool = False
) -> np.ndarray | None:
    """SIM stability for ``i`` against ``j`` on the grid of the two actors' option
    combinations, without listing pairs of improvements; None when the fast path does
    not apply (directed options, misperception, or a grid too large).

    A state is ``(a, b)``: ``a`` the combination of ``i``'s options, ``b`` of ``j``'s.
    ``j``'s improvements from ``(a, b)`` are the ``b'`` of row ``a`` that ``j`` ranks
    above ``(a, b)``: with row ``a`` sorted by ``j``'s rank, a prefix. So the best
    sanction against ``i``'s improvement to ``a'`` is a prefix minimum of ``i``'s rank
    along row ``a'`` in that order, computed once per ``a`` for every ``a'``. Unless
    ``force``, sparse models (where listing pairs of improvements is cheaper) get None
    too.
    """
    model = graphs.model
    if model.perceived is not None or np.any(model.direction != 0):
        return None
    bits_i = np.flatnonzero(model.controller == i)
    bits_j = np.flatnonzero(model.controller == j)
    n_a, n_b = 1 << bits_i.size, 1 << bits_j.size
    if n_a * n_b > _DENSE_SIM_CELLS or bits_i.size + bits_j.size != len(model.options):
        return None
    codes = model.states
    n = model.n_states

    def compress(bits: np.ndarray) -> np.ndarray:
        out = np.zeros(n, dtype=np.int64)
        for r, b in enumerate(bits):
            out |= ((codes >> int(b)) & 1) << r
        return out

    a_of, b_of = compress(bits_i), compress(bits_j)
    # The grid's work grows with (rows in use) x (cells); listing pairs of improvements
    # grows with the pairs. On sparse models (few feasible cells) the pairs win.
    rows = np.unique(a_of).size
    pairs = _improvement_pairs(graphs, i, j)
    if 64 * n_a * n_b > graphs.max_bytes:
        return None
    if not force and rows * n_a * n_b > 8 * pairs + (1 << 16):
        return None
    big = n + 1  # above every rank: an infeasible cell is never a sanction
    rank_i = np.full((n_a, n_b), big, dtype=np.int64)
    rank_i[a_of, b_of] = graphs.rank[i]
    rank_j = np.full((n_a, n_b), -1, dtype=np.int64)  # below every rank: never an improvement
    rank_j[a_of, b_of] = graphs.rank[j]
    feasible = np.zeros((n_a, n_b), dtype=bool)
    feasible[a_of, b_of] = True
    state = np.full((n_a, n_b), -1, dtype=np.int64)
    state[a_of, b_of] = np.arange(n)
    stable = np.ones(n, dtype=bool)
    for a in range(n_a):
        here = feasible[a]
        if not here.any():
            continue
        order = np.argsort(-rank_j[a], kind="stable")
        # How many b' j ranks strictly above (a, b): the length of j's prefix.
        above = np.searchsorted(-rank_j[a][order], -rank_j[a], side="left")
        prefix_min = np.minimum.accumulate(rank_i[:, order], axis=1)
        best = prefix_min[:, np.maximum(above - 1, 0)]
        best[:, above == 0] = big
        now = rank_i[a]
        improves = feasible & (rank_i > now[None, :])  # i's improvements a' from (a, b)
        unanswered = (improves & (best > now[None, :])).any(axis=0) & here
        stable[state[a, unanswered]] = False
    return stable


def _improvement_pairs(graphs: MoveGraphs, i: int, j: int) -> int:
    """About how many (UI of i, UI of j) pairs start from the same state, the work of
    :func:`_simultaneous`: half of each actor's moves from each state (the moves are
    the other members of the state's group in the actor's move graph)."""

    def moves(k: int) -> np.ndarray:
        g = graphs[k]
        return (g.sizes[g.gid[g.pos]] - 1).astype(np.float64)

    return int((moves(i) * moves(j)).sum() / 4)


def _simultaneous(graphs: MoveGraphs, i: int, j: int, *, chunk: int = 1 << 22) -> np.ndarray:
    """SIM stability for ``i`` against ``j``: every UI of ``i`` from s meets a UI of
    ``j`` from s such that moving together lands where ``i`` is no better off."""
    model = graphs.model
    n = model.n_states
    codes = model.states
    p = graphs.rank[i]
    # The improvements of both actors are listed explicitly: refuse first.
    check_size(
        model, max_bytes=graphs.max_bytes, n_edges=2 * (graphs[i].n_edges + graphs[j].n_edges)
    )
    allstates = np.arange(n, dtype=np.int64)
    si, di = graphs[i].targets(allstates, improving=True)
    sj, dj = graphs[j].targets(allstates, improving=True)
    order = np.argsort(sj, kind="stable")
    sj, dj = sj[order], dj[order]
    cj = np.bincount(sj, minlength=n)
    ptr = np.concatenate(([0], np.cumsum(cj)))
    sanctioned = np.zeros(si.shape[0], dtype=bool)
    combos = cj[si]
    # Process the i-improvements in slices so that the (UI of i) x (UI of j) pairs
    # of one slice stay below ``chunk``.
    cum = np.cumsum(combos)
    n_edges = si.shape[0]
    lo = 0
    while lo < n_edges:
        start = int(cum[lo - 1]) if lo else 0
        hi = max(lo + 1, int(np.searchsorted(cum, start + chunk, side="right")))
        e = np.arange(lo, min(hi, n_edges))
        cnt = combos[e]
        rep = np.repeat(e, cnt)
        jpos = _expand(ptr[si[e]], cnt)
        # i's options as in s1, j's as in s2, the rest as in s.
        joint = codes[di[rep]] ^ codes[dj[jpos]] ^ codes[si[rep]]
        idx = np.minimum(np.searchsorted(codes, joint), n - 1)
        ok = (codes[idx] == joint) & (p[idx] <= p[si[rep]])
        sanctioned[rep[ok]] = True
        lo = hi
    unsanctioned = np.bincount(si[~sanctioned], minlength=n)
    return unsanctioned == 0
