"""Evolution of a conflict as a Markov chain over its states.

The graph model says which moves each party would make; it does not say which of
them happens first. This module assumes that, at each step, one of the improvements
available from the current state is taken at random:

* the improvements from state ``s`` are every party's unilateral improvements
  ``(i, t)``, ``t`` in ``R_i^+(s)`` (Fang, Hipel & Kilgour 1993, ch. 2), and, when
  coalitions are given, every coalition's coalition improvements ``(H, t)``, ``t`` in
  ``R_H^{++}(s)`` (reachable by a legal sequence of the members' moves, every member
  strictly better off; Inohara & Hipel 2008);
* ``weights="uniform"``: each improvement ``(mover, t)`` is equally likely;
  ``weights="gain"``: in proportion to the mover's gain, the rise of ``t`` over ``s``
  in the mover's preference levels divided by its number of levels minus one (so
  every party's gains run from 0 to 1), a coalition's gain being its members' mean;
* a state without improvements is absorbing; with ``inertia`` ``q > 0`` a state with
  improvements is kept with probability ``q`` at each step (nobody moves yet).

The chain is built over the states reachable from the start (the status quo by
default), with dense numpy linear algebra. From it detente reports the distribution
after ``k`` moves; the closed classes (absorbing states, and closed cycles the
conflict can never leave); the transient cycles (strongly connected sets of more
than one state: thaw and escalation that go round before settling); the probability
of ending in each closed class and of ever reaching each equilibrium, from the
fundamental matrix ``N = (I - Q)^{-1}`` of the transient part (Kemeny & Snell 1960,
ch. III); the expected number of moves before the conflict settles in a closed class
(the row sum of ``N``); the expected number of steps before it first leaves the start
(``1 / (1 - P[s, s])``); and the chance it ever comes back to the start.

The graph-model literature has no Markov model of its own; this one is detente's,
built only from the graph model's moves and preferences, and every number depends on
the weighting rule chosen.

References
----------
Fang, L., Hipel, K. W., and Kilgour, D. M. (1993). *Interactive Decision Making*. Wiley.
Inohara, T., and Hipel, K. W. (2008). Coalition analysis in the graph model for conflict
resolution. *Systems Engineering* 11(4), 343-359.
Kemeny, J. G., and Snell, J. L. (1960). *Finite Markov Chains*. Van Nostrand, ch. III.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from detente.errors import CaseTooLargeError, MissingPartError, Problem
from detente.gmcr.case import graph_model, memory_limit
from detente.gmcr.coalitions import check_coalition_states, coalition_improvements, member_edges
from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.results import _plain, state_record
from detente.gmcr.stability import normalise_concepts, stabilities
from detente.gmcr.states import DEFAULT_MAX_BYTES, _format_bytes
from detente.model import Case

__all__ = [
    "MAX_CHAIN_STATES",
    "WEIGHTS",
    "EvolutionResult",
    "analyze_evolution",
    "evolution",
]

#: The weighting rules of transitions.
WEIGHTS = ("uniform", "gain")
#: The largest chain (states reachable from the start) detente builds by default: the
#: linear algebra is dense, so time grows as the cube of this number.
MAX_CHAIN_STATES = 6000
_BYTES_PER_CELL = 8 * 4  # the transition matrix, I - Q, its factorisation, slack

_DEFAULT_CONCEPTS = ("nash", "gmr", "smr", "seq")


@dataclass(frozen=True, eq=False)
class EvolutionResult:
    """The Markov chain of a conflict's evolution and what it implies.

    Attributes
    ----------
    model : GraphModel
    start : int
        0-based start state.
    states : numpy.ndarray
        0-based model indices of the chain's states (those reachable from the start),
        sorted; chain position ``j`` is model state ``states[j]``.
    transition : numpy.ndarray
        ``(n, n)`` row-stochastic matrix over the chain's states.
    edges : tuple
        ``(source, target, mover, weight)`` per improvement (0-based model states;
        ``mover`` an actor id or coalition ids joined by ``+``).
    distributions : mapping
        ``k -> probability per chain state after k steps``.
    closed_classes : tuple of tuple of int
        Closed communicating classes (model states); singletons are absorbing states.
    cycles : tuple of tuple of int
        Strongly connected sets of more than one state (model states), closed or not.
    class_probability : numpy.ndarray
        Probability of ending in each closed class, from the start.
    reach_probability : mapping
        ``model state -> probability of ever visiting it`` for the equilibria in the chain.
    equilibria : mapping
        ``model state -> concepts`` under which it is an equilibrium (states of the chain).
    expected_moves_to_settle : float
        Expected steps before the chain enters a closed class (0 if the start is in one).
    expected_moves_to_leave_start : float or None
        ``1 / (1 - P[s, s])``; None when the start is absorbing.
    expected_visits_to_start : float or None
        Expected visits to the start before settling (None when the start is in a
        closed class).
    return_probability : float
        Chance of coming back to the start after leaving it (before settling).
    """

    model: GraphModel
    start: int
    states: np.ndarray
    transition: np.ndarray
    edges: tuple[tuple[int, int, str, float], ...]
    distributions: Mapping[int, np.ndarray]
    closed_classes: tuple[tuple[int, ...], ...]
    cycles: tuple[tuple[int, ...], ...]
    class_probability: np.ndarray
    reach_probability: Mapping[int, float]
    equilibria: Mapping[int, tuple[str, ...]]
    expected_moves_to_settle: float
    expected_moves_to_leave_start: float | None
    expected_visits_to_start: float | None
    return_probability: float
    parameters: Mapping[str, Any] = field(default_factory=dict)
    method: str = "Markov chain over the parties' improvements (detente's rule, see docs)"
    case_id: str | None = None
    scenario: str | None = None

    @property
    def absorbing(self) -> tuple[int, ...]:
        """Absorbing states (0-based model indices)."""
        return tuple(c[0] for c in self.closed_classes if len(c) == 1)

    def probability_after(self, k: int) -> dict[int, float]:
        """``model state -> probability`` after ``k`` steps (only ``k`` computed)."""
        dist = self.distributions[k]
        return {int(self.states[j]): float(p) for j, p in enumerate(dist) if p > 0}

    def to_dict(self, *, top: int = 10, max_edges: int = 2000) -> dict[str, Any]:
        """JSON-ready dict; state numbers are 1-based.

        Keys: ``method``; ``case``, ``scenario``; ``parameters`` (``weights``,
        ``inertia``, ``coalitions``, ``moves``, ``concepts``, and from a case analysis
        ``start_proposal`` or ``start_changes`` when it was given a start); ``rule`` (the
        transition rule in words); ``state_numbering``; ``start`` (state record:
        ``index``, ``code``, ``pattern``, ``options``, and what it is: ``status_quo``
        (bool), ``proposal`` (the id of the proposal the case analysis started from,
        else None), ``changes`` (``option -> taken`` set on the status quo to get it,
        when the case analysis was given them, else None)); ``n_states`` (states in the
        chain); ``distributions`` (k -> list of ``{"state", "probability"}``, the
        ``top`` likeliest, and ``rest``, the probability of all others);
        ``absorbing`` (1-based states); ``closed_classes`` (lists of states, each with
        ``states``, ``cycle`` (more than one state) and ``probability`` of ending
        there); ``cycles`` (``states``, ``closed``); ``equilibria`` (list of
        ``{"state", "pattern", "concepts", "probability"}``: the equilibria in the
        chain and the chance of ever reaching each); ``expected_moves_to_settle``;
        ``expected_moves_to_leave_start`` (None when the start is absorbing);
        ``expected_visits_to_start`` (None when the start is in a closed class);
        ``return_probability``; ``transitions`` (``{"from", "to", "mover",
        "weight", "probability"}`` per improvement; with more than ``max_edges``, only
        those among the start, the states where the conflict ends and the ``top``
        likeliest states after each number of moves); ``transitions_listed`` ("all",
        or which).
        """
        m = self.model
        dists = {}
        for k, dist in self.distributions.items():
            order = np.argsort(-dist, kind="stable")
            shown = [j for j in order[:top] if dist[j] > 0]
            dists[str(k)] = {
                "states": [
                    {"state": int(self.states[j]) + 1, "probability": float(dist[j])} for j in shown
                ],
                "rest": float(max(0.0, 1.0 - sum(float(dist[j]) for j in shown))),
            }
        totals: dict[int, float] = {}
        for s, _, _, w in self.edges:
            totals[s] = totals.get(s, 0.0) + w
        keep = 1.0 - float(self.parameters.get("inertia", 0.0))
        edges = list(self.edges)
        listed = "all"
        if len(edges) > max_edges:
            # the improvements among the states worth showing: the start, where the
            # conflict ends, and the likeliest states after each number of moves
            notable = {int(self.start)}
            notable.update(int(s) for c in self.closed_classes for s in c)
            for dist in self.distributions.values():
                notable.update(
                    int(self.states[j])
                    for j in np.argsort(-dist, kind="stable")[:top]
                    if dist[j] > 0
                )
            edges = [e for e in edges if e[0] in notable and e[1] in notable][:max_edges]
            listed = "among the start, the states where the conflict ends and the likeliest states"
        transitions = [
            {
                "from": s + 1,
                "to": t + 1,
                "mover": mover,
                "weight": w,
                "probability": keep * w / totals[s] if totals[s] > 0 else 0.0,
            }
            for s, t, mover, w in edges
        ]
        return {
            "method": self.method,
            "case": self.case_id,
            "scenario": self.scenario,
            "parameters": _plain(dict(self.parameters)),
            "rule": _rule_text(str(self.parameters.get("weights", "uniform"))),
            "state_numbering": "1-based positions of the feasible states in increasing code order",
            "start": {
                **state_record(m, self.start),
                "status_quo": m.status_quo is not None and int(self.start) == m.status_quo,
                "proposal": self.parameters.get("start_proposal"),
                "changes": self.parameters.get("start_changes"),
            },
            "n_states": int(self.states.size),
            "distributions": dists,
            "absorbing": [s + 1 for s in self.absorbing],
            "closed_classes": [
                {
                    "states": [s + 1 for s in c],
                    "cycle": len(c) > 1,
                    "probability": float(p),
                }
                for c, p in zip(self.closed_classes, self.class_probability, strict=True)
            ],
            "cycles": [
                {"states": [s + 1 for s in c], "closed": c in self.closed_classes}
                for c in self.cycles
            ],
            "equilibria": [
                {
                    "state": s + 1,
                    "pattern": m.pattern(s),
                    "concepts": list(self.equilibria[s]),
                    "probability": float(self.reach_probability.get(s, 0.0)),
                }
                for s in sorted(self.equilibria)
            ],
            "expected_moves_to_settle": float(self.expected_moves_to_settle),
            "expected_moves_to_leave_start": self.expected_moves_to_leave_start,
            "expected_visits_to_start": self.expected_visits_to_start,
            "return_probability": float(self.return_probability),
            "transitions": transitions,
            "transitions_listed": listed,
        }


def _rule_text(weights: str) -> str:
    if weights == "gain":
        how = (
            "in proportion to the mover's gain (its rise in preference levels over its "
            "number of levels minus one; a coalition's gain is its members' mean)"
        )
    else:
        how = "each with the same probability"
    return (
        "From each state, one of the available improvements (every party's unilateral "
        f"improvements and the listed coalitions' coalition improvements) is taken, {how}; "
        "a state without improvements is absorbing."
    )


def _chain_limit(max_states: int, max_bytes: int) -> int:
    return max(1, min(max_states, math.isqrt(max(max_bytes, 0) // _BYTES_PER_CELL)))


def evolution(
    model: GraphModel,
    *,
    start: int | None = None,
    coalitions: Sequence[Sequence[int | str]] = (),
    weights: str = "uniform",
    inertia: float = 0.0,
    moves: Sequence[int] = (1, 2, 5, 10, 20),
    concepts: Sequence[str] = _DEFAULT_CONCEPTS,
    max_states: int = MAX_CHAIN_STATES,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> EvolutionResult:
    """The Markov chain of the conflict's evolution from ``start``.

    Parameters
    ----------
    model : GraphModel
    start : int, optional
        0-based start state; default the status quo.
    coalitions : sequence of sequences of actor ids or indices
        Coalitions whose coalition improvements are transitions too.
    weights : {"uniform", "gain"}
        The transition rule (see the module docstring).
    inertia : float
        Probability, in ``[0, 1)``, that nobody moves at a step from a state that has
        improvements.
    moves : sequence of int
        The ``k`` for which the distribution after ``k`` steps is reported.
    concepts : sequence of str
        Whose equilibria get a probability of being reached.
    max_states : int
        Refuse a chain of more states (the linear algebra is dense).
    max_bytes : int
        Memory limit; the chain's limit is also what fits in it.

    Returns
    -------
    EvolutionResult

    Raises
    ------
    MissingPartError
        No start and no status quo.
    CaseTooLargeError
        The chain would have more states than fit, refused before any matrix is
        built; the message gives the size that fits.

    References
    ----------
    Kemeny & Snell (1960), *Finite Markov Chains*, ch. III (absorbing chains and the
    fundamental matrix); Fang, Hipel & Kilgour (1993) and Inohara & Hipel (2008) for
    the improvements.

    Examples
    --------
    Prisoner's Dilemma from mutual cooperation: each prisoner defects with
    probability 1/2, then the other follows; the chain ends at mutual defection.

    >>> m = GraphModel.from_options(
    ...     actors=["A", "B"], options={"dA": "A", "dB": "B"},
    ...     rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]}, status_quo=0)
    >>> r = evolution(m, moves=(1, 2))
    >>> r.probability_after(1), r.probability_after(2)
    ({1: 0.5, 2: 0.5}, {3: 1.0})
    >>> r.expected_moves_to_settle
    2.0
    """
    if weights not in WEIGHTS:
        raise ValueError(f"weights must be one of {', '.join(WEIGHTS)}, not {weights!r}")
    if not 0.0 <= float(inertia) < 1.0:
        raise ValueError("inertia must be in [0, 1)")
    ks = sorted({int(k) for k in moves})
    if any(k < 0 for k in ks):
        raise ValueError("moves must be >= 0")
    concepts = normalise_concepts(concepts)
    s0 = model.status_quo if start is None else int(start)
    if s0 is None:
        raise MissingPartError(
            Problem("the evolution chain needs a start or a status quo", path=("status_quo",))
        )
    if not 0 <= s0 < model.n_states:
        raise ValueError(f"start state {s0} out of range")
    groups = [tuple(sorted({model.actor_index(a) for a in c})) for c in coalitions]
    if groups:
        check_coalition_states(model.n_states, "the evolution chain with coalitions")
    limit = _chain_limit(max_states, max_bytes)
    graphs = MoveGraphs(model, max_bytes=max_bytes)
    rank = graphs.rank
    levels = np.maximum(rank.max(axis=1) - 1, 1).astype(np.float64)
    movers = list(model.actors) + ["+".join(model.actors[k] for k in g) for g in groups]
    group_edges = [member_edges(graphs, g) for g in groups]

    # 1. Breadth-first search over improvements from the start, refusing the chain as
    #    soon as it outgrows the limit (before any matrix exists).
    seen = {s0}
    frontier = np.array([s0], dtype=np.int64)
    src_parts: list[np.ndarray] = []
    dst_parts: list[np.ndarray] = []
    who_parts: list[np.ndarray] = []
    while frontier.size:
        found: list[np.ndarray] = []
        for i in range(model.n_actors):
            src, dst = graphs[i].targets(frontier, improving=True)
            src_parts.append(src)
            dst_parts.append(dst)
            who_parts.append(np.full(src.size, i, dtype=np.int64))
            found.append(dst)
        for g, members in enumerate(groups):
            imp = coalition_improvements(graphs, members, frontier, edges=group_edges[g])
            rows, dst = np.nonzero(imp)
            src_parts.append(frontier[rows])
            dst_parts.append(dst.astype(np.int64))
            who_parts.append(np.full(dst.size, model.n_actors + g, dtype=np.int64))
            found.append(dst)
        new = np.setdiff1d(np.concatenate(found), np.fromiter(seen, dtype=np.int64))
        seen.update(int(x) for x in new)
        if len(seen) > limit:
            raise CaseTooLargeError(
                Problem(
                    f"the evolution chain from state {s0 + 1} has more than {limit:,} states "
                    f"(at least {len(seen):,}); its dense linear algebra handles at most "
                    f"{limit:,} (max_states {max_states:,}; {_format_bytes(max_bytes)} of "
                    f"memory fit {_chain_limit(10**12, max_bytes):,})",
                    path=("options",),
                    expected=f"at most {limit:,} states",
                    got=f"{len(seen):,} or more",
                )
            )
        frontier = new
    states = np.array(sorted(seen), dtype=np.int64)
    n = states.size
    src = np.concatenate(src_parts) if src_parts else np.zeros(0, dtype=np.int64)
    dst = np.concatenate(dst_parts) if dst_parts else np.zeros(0, dtype=np.int64)
    who = np.concatenate(who_parts) if who_parts else np.zeros(0, dtype=np.int64)

    # 2. Weights and the transition matrix.
    if weights == "uniform":
        w = np.ones(src.size, dtype=np.float64)
    else:
        w = np.empty(src.size, dtype=np.float64)
        for mover in np.unique(who):
            sel = who == mover
            who_moves: list[int] = (
                [int(mover)] if mover < model.n_actors else list(groups[mover - model.n_actors])
            )
            gain = np.zeros(int(sel.sum()), dtype=np.float64)
            for k in who_moves:
                gain += (rank[k, dst[sel]] - rank[k, src[sel]]) / levels[k]
            w[sel] = gain / len(who_moves)
    pos = np.searchsorted(states, src)
    tpos = np.searchsorted(states, dst)
    P = np.zeros((n, n), dtype=np.float64)
    np.add.at(P, (pos, tpos), w)
    out_weight = P.sum(axis=1)
    moving = out_weight > 0
    P[moving] /= out_weight[moving, None]
    if inertia:
        P[moving] *= 1.0 - inertia
        P[moving, np.flatnonzero(moving)] += inertia
    P[~moving, np.flatnonzero(~moving)] = 1.0

    # 3. Distributions after k steps.
    dist = np.zeros(n, dtype=np.float64)
    dist[int(np.searchsorted(states, s0))] = 1.0
    distributions: dict[int, np.ndarray] = {}
    for k in range(0, (ks[-1] if ks else 0) + 1):
        if k in ks:
            distributions[k] = dist.copy()
        dist = dist @ P

    # 4. Classes: strongly connected components; closed ones have no way out.
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    nz_src, nz_dst = np.nonzero(P)
    graph.add_edges_from((int(a), int(b)) for a, b in zip(nz_src, nz_dst, strict=True) if a != b)
    comps = [sorted(c) for c in nx.strongly_connected_components(graph)]
    comp_of = np.empty(n, dtype=np.int64)
    for c, members_c in enumerate(comps):
        comp_of[members_c] = c
    leaves = np.zeros(len(comps), dtype=bool)
    for a, b in graph.edges():
        if comp_of[a] != comp_of[b]:
            leaves[comp_of[a]] = True
    closed = [c for c in range(len(comps)) if not leaves[c]]
    closed.sort(key=lambda c: comps[c][0])
    closed_classes = tuple(tuple(int(states[j]) for j in comps[c]) for c in closed)
    cycles = tuple(
        sorted(
            (tuple(int(states[j]) for j in comp) for comp in comps if len(comp) > 1),
            key=lambda c: c[0],
        )
    )

    # 5. Absorption into the closed classes, from the fundamental matrix of the rest.
    in_closed = np.zeros(n, dtype=bool)
    for c in closed:
        in_closed[comps[c]] = True
    transient = np.flatnonzero(~in_closed)
    s_pos = int(np.searchsorted(states, s0))
    class_prob = np.zeros(len(closed), dtype=np.float64)
    stab = stabilities(model, concepts=concepts, max_bytes=max_bytes)
    eq_concepts: dict[int, tuple[str, ...]] = {}
    for s in states:
        names = tuple(c for c in concepts if bool(stab.stable[c][:, s].all()))
        if names:
            eq_concepts[int(s)] = names
    reach: dict[int, float] = {}
    visits: float | None = None
    ret = 0.0
    if in_closed[s_pos]:
        class_prob[[k for k, c in enumerate(closed) if s_pos in comps[c]]] = 1.0
        settle = 0.0
        mine = comps[comp_of[s_pos]]
        for s in eq_concepts:
            reach[s] = 1.0 if int(np.searchsorted(states, s)) in mine else 0.0
    else:
        t_index = {int(j): q for q, j in enumerate(transient)}
        Q = P[np.ix_(transient, transient)]
        A = np.eye(transient.size) - Q
        e = np.zeros(transient.size)
        e[t_index[s_pos]] = 1.0
        y = np.linalg.solve(A.T, e)  # expected visits to each transient state
        settle = float(y.sum())
        for k, c in enumerate(closed):
            class_prob[k] = float(y @ P[np.ix_(transient, comps[c])].sum(axis=1))
        visits = float(y[t_index[s_pos]])
        # 1 - 1/visits is the chance of being at the start again; a step that stays
        # (inertia) is no return, so condition on leaving first.
        stay = float(P[s_pos, s_pos])
        ret = max(0.0, ((1.0 - 1.0 / visits) - stay) / (1.0 - stay)) if visits > 0 else 0.0
        targets = [s for s in eq_concepts if not in_closed[int(np.searchsorted(states, s))]]
        if targets:
            cols = np.array([t_index[int(np.searchsorted(states, s))] for s in targets])
            E = np.zeros((transient.size, cols.size))
            E[cols, np.arange(cols.size)] = 1.0
            X = np.linalg.solve(A, E)  # X[:, j] = N e_j: visits to target j from each state
            diag = X[cols, np.arange(cols.size)]
            for q, s in enumerate(targets):
                reach[s] = float(y[cols[q]] / diag[q]) if s != s0 else 1.0
        for s in eq_concepts:
            if s in reach:
                continue
            j = int(np.searchsorted(states, s))
            c = next(k for k, cc in enumerate(closed) if j in comps[cc])
            # A state of a closed class is reached once the class is: a singleton or
            # an irreducible cycle visits all its states.
            reach[s] = float(class_prob[c])
    leave = None if not moving[s_pos] else float(1.0 / (1.0 - P[s_pos, s_pos]))
    edges = tuple(
        (int(a), int(b), movers[int(m_)], float(x))
        for a, b, m_, x in zip(src, dst, who, w, strict=True)
    )
    P.setflags(write=False)
    return EvolutionResult(
        model=model,
        start=s0,
        states=states,
        transition=P,
        edges=edges,
        distributions=distributions,
        closed_classes=closed_classes,
        cycles=cycles,
        class_probability=class_prob,
        reach_probability=reach,
        equilibria=eq_concepts,
        expected_moves_to_settle=settle,
        expected_moves_to_leave_start=leave,
        expected_visits_to_start=visits,
        return_probability=ret,
        parameters={
            "weights": weights,
            "inertia": float(inertia),
            "coalitions": [[model.actors[k] for k in g] for g in groups],
            "moves": ks,
            "concepts": list(concepts),
            "max_states": max_states,
        },
    )


def analyze_evolution(
    case: Case,
    *,
    start: str | Mapping[str, bool] | None = None,
    coalitions: bool | Sequence[Sequence[str]] = False,
    weights: str = "uniform",
    inertia: float = 0.0,
    moves: Sequence[int] = (1, 2, 5, 10, 20),
    concepts: Sequence[str] = _DEFAULT_CONCEPTS,
    max_states: int = MAX_CHAIN_STATES,
    max_bytes: int | None = None,
) -> EvolutionResult:
    """The evolution chain of a case (see :func:`evolution`).

    Parameters
    ----------
    case : Case
    start : str or mapping, optional
        A proposal id (its options set on the status quo), or ``option -> taken``
        changes to the status quo; default the status quo.
    coalitions : bool or sequence of sequences of actor ids
        ``True``: the case's coalitions, or every pair of parties if it names none.

    Examples
    --------
    >>> import detente
    >>> r = analyze_evolution(detente.load("prisoners_dilemma"), moves=(1,))
    >>> r.to_dict()["absorbing"]
    [4]
    """
    max_bytes = memory_limit(max_bytes)
    model = graph_model(case, max_bytes=max_bytes)
    index = {o: k for k, o in enumerate(model.options)}
    s0: int | None = None
    if start is not None:
        if model.status_quo is None:
            raise MissingPartError(
                Problem("a start relative to the status quo needs one", path=("status_quo",))
            )
        changes = dict(case.proposal(start).options) if isinstance(start, str) else dict(start)
        code = int(model.states[model.status_quo])
        for o, taken in changes.items():
            if o not in index:
                raise KeyError(f"unknown option {o!r}")
            code = code | (1 << index[o]) if taken else code & ~(1 << index[o])
        try:
            s0 = model.index_of(code)
        except KeyError:
            named = [o for o, k in index.items() if code >> k & 1]
            raise ValueError(
                f"the start state ({', '.join(named) or 'no option taken'}) is infeasible"
            ) from None
    if isinstance(coalitions, bool):
        groups: list[tuple[str, ...]] = []
        if coalitions:
            groups = [tuple(g) for g in case.coalitions] or [
                (a, b) for i, a in enumerate(model.actors) for b in model.actors[i + 1 :]
            ]
    else:
        groups = [tuple(g) for g in coalitions]
    result = evolution(
        model,
        start=s0,
        coalitions=groups,
        weights=weights,
        inertia=inertia,
        moves=moves,
        concepts=concepts,
        max_states=max_states,
        max_bytes=max_bytes,
    )
    told: dict[str, Any] = {}
    if isinstance(start, str):
        told["start_proposal"] = start
    elif start is not None:
        told["start_changes"] = {str(o): bool(v) for o, v in start.items()}
    return _with_case(result, case, told)


def _with_case(
    result: EvolutionResult, case: Case, parameters: Mapping[str, Any] | None = None
) -> EvolutionResult:
    from dataclasses import replace

    return replace(
        result,
        case_id=case.id,
        scenario=case.scenario_id,
        parameters={**result.parameters, **(parameters or {})},
    )
