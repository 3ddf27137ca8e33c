"""The state graph of a graph-model analysis, as a :class:`networkx.DiGraph`.

Nodes are feasible states, keyed by their 1-based number (as every ``to_dict()``
numbers them); edges are moves. A unilateral edge ``u -> v`` is one actor's move
(``kind="unilateral"``, ``mover`` its id); only one actor can make it, since each
option has one controller. A coalition edge is a joint improvement of a coalition
(``kind="coalition"``, ``movers`` the coalition's members): a legal sequence of the
members' moves that leaves every member strictly better off (Kilgour, Hipel, Fang &
Peng 2001; Inohara & Hipel 2008). A coalition edge is left out where one member's
unilateral edge already joins the same states.

Everything is read from the engine's own results: the moves and improvements from
:class:`~detente.gmcr.moves.MoveGraphs`, joint improvements from
:func:`~detente.gmcr.coalitions.coalition_improvements`, stability and equilibria
from the analysis (never computed again).

Two selections of states:

* ``"view"``: the states a reader of the analysis looks at: the status quo, the
  proposals, the states on the status quo's paths (the analysis's shortest paths of
  improvements to the equilibria it reaches), the equilibria nearest the status quo
  (capped), and one step around (the improvements from the status quo and from the
  proposals, the ones that are equilibria or proposals first). A model of at most
  :data:`SMALL_MODEL` states shows every state.
* ``"all"``: every state, for models of at most :data:`MAX_ALL_STATES` states.

References
----------
Fang, L., Hipel, K. W., and Kilgour, D. M. (1993). *Interactive Decision Making: The
Graph Model for Conflict Resolution*. Wiley (status quo analysis, ch. 3).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.errors import CaseTooLargeError
from detente.gmcr.coalitions import check_coalition_states, coalition_improvements, member_edges
from detente.gmcr.moves import MoveGraphs

if TYPE_CHECKING:
    import networkx as nx

    from detente.gmcr.case import ConflictAnalysis
    from detente.gmcr.results import Step

__all__ = ["MAX_ALL_STATES", "SMALL_MODEL", "state_graph", "state_graph_data"]

MAX_ALL_STATES = 4096
"""``states="all"`` is refused above this many states (the graph would be unreadable
and its edges run to millions)."""

SMALL_MODEL = 32
"""A model with at most this many states shows all of them, even in the view."""

_BLOCK = 256


def state_graph(
    analysis: ConflictAnalysis,
    *,
    states: str = "view",
    moves: str = "improvements",
    coalitions: bool | Sequence[Sequence[str]] | None = None,
    max_equilibria: int = 12,
    max_states: int = 60,
) -> nx.DiGraph:
    """The states and moves of ``analysis`` as a directed graph.

    Parameters
    ----------
    analysis : ConflictAnalysis
    states : {"view", "all"}
        The states around the status quo (see the module notes), or every state
        (refused above :data:`MAX_ALL_STATES` states).
    moves : {"improvements", "all"}
        Unilateral edges for improvements only (each mover strictly better off), or
        for every unilateral move (edge attribute ``improvement`` tells which).
    coalitions : bool, sequence of sequences of actor ids, or None
        Coalitions whose joint improvements are edges. None: the coalitions the
        analysis followed (none if it followed none); True: those, or every pair of
        actors if it followed none; False: no coalition edges.
    max_equilibria : int
        In the view, at most this many equilibria (nearest the status quo first).
    max_states : int
        In the view, neighbours of the status quo and of proposals are added only
        while the view has fewer states than this.

    Returns
    -------
    networkx.DiGraph
        Nodes keyed by 1-based state number, with ``index``, ``pattern``,
        ``options`` (id -> taken), ``taken`` (ids of the options taken),
        ``status_quo``, ``equilibrium`` (concept -> bool), ``equilibrium_concepts``
        (the concepts under which the state is an equilibrium, in the analysis's order
        of concepts), ``stable_for`` (concept -> actor ids), ``proposals`` (ids), ``moves_from_status_quo`` (fewest edges of
        the graph from the status quo, None if not reached) and, with coalitions
        analysed, ``coalition_equilibrium`` (concept -> bool) and
        ``unsettled_by_coalitions`` (concept -> the coalitions, as lists of actor ids,
        with a joint improvement from the state that the others cannot answer, for
        each concept under which the state is an equilibrium for the parties alone;
        empty where no coalition unsettles it). Edges carry ``kind``, ``mover`` or
        ``movers``, ``changed`` (option id -> new value) and ``improvement``. Graph
        attributes describe the selection (``states``, ``moves``, ``coalitions``,
        ``n_states``, ``status_quo``, ``concepts``, ``equilibria_total`` and
        ``notes``).

    Raises
    ------
    ValueError
        Unknown ``states`` or ``moves``, or ``states="all"`` on a large model.

    Examples
    --------
    >>> import detente
    >>> from detente.gmcr import analyze_conflict
    >>> g = analyze_conflict(detente.load("prisoners_dilemma")).to_networkx()
    >>> sorted(g.nodes)
    [1, 2, 3, 4]
    """
    import networkx as nx

    attrs, nodes, edges = _graph_parts(
        analysis,
        states=states,
        moves=moves,
        coalitions=coalitions,
        max_equilibria=max_equilibria,
        max_states=max_states,
    )
    g = nx.DiGraph()
    g.add_nodes_from(nodes.items())
    g.add_edges_from((u, v, data) for (u, v), data in edges.items())
    g.graph.update(attrs)
    return g


def state_graph_data(analysis: ConflictAnalysis, **options: Any) -> dict[str, Any]:
    """:func:`state_graph` as JSON-ready data: ``nodes`` (their attributes) and ``edges``
    (``from``, ``to`` and their attributes), with the graph attributes alongside."""
    attrs, nodes, edges = _graph_parts(analysis, **options)
    return {
        **attrs,
        "nodes": [dict(nodes[i]) for i in sorted(nodes)],
        "edges": [{"from": u, "to": v, **edges[u, v]} for u, v in sorted(edges)],
    }


def _graph_parts(
    analysis: ConflictAnalysis,
    *,
    states: str = "view",
    moves: str = "improvements",
    coalitions: bool | Sequence[Sequence[str]] | None = None,
    max_equilibria: int = 12,
    max_states: int = 60,
) -> tuple[dict[str, Any], dict[int, dict[str, Any]], dict[tuple[int, int], dict[str, Any]]]:
    """What :func:`state_graph` draws, without networkx (which a report of the graph's
    data does not need): the graph's attributes, its nodes (1-based state -> attributes)
    and its edges ((from, to) -> attributes), each in the order they were added."""
    if states not in ("view", "all"):
        raise ValueError(f"states must be 'view' or 'all', not {states!r}")
    if moves not in ("improvements", "all"):
        raise ValueError(f"moves must be 'improvements' or 'all', not {moves!r}")
    model = analysis.model
    n = model.n_states
    if states == "all" and n > MAX_ALL_STATES:
        raise ValueError(
            f"states='all' draws every state, and this model has {n:,} (more than "
            f"{MAX_ALL_STATES:,}): use states='view' for the states around the status quo"
        )
    graphs = MoveGraphs(model)
    notes: list[str] = []
    groups = _coalitions(analysis, coalitions)
    if groups:
        try:
            check_coalition_states(n, "drawing coalition moves")
        except CaseTooLargeError as exc:
            notes.append(exc.problems[0].message)
            groups = []
    index_groups = [tuple(sorted(model.actor_index(a) for a in g)) for g in groups]
    edges_of = [member_edges(graphs, g) for g in index_groups]

    def improvements(sources: np.ndarray) -> list[tuple[int, int, int]]:
        """(source, target, mover) for every improvement from ``sources``; mover k >= 0
        an actor, -1 - g coalition g."""
        out: list[tuple[int, int, int]] = []
        for k in range(model.n_actors):
            src, dst = graphs[k].targets(sources, improving=True)
            out.extend((int(s), int(d), k) for s, d in zip(src, dst, strict=True))
        for g, members in enumerate(index_groups):
            for lo in range(0, sources.size, _BLOCK):
                block = sources[lo : lo + _BLOCK]
                rows, dst = np.nonzero(
                    coalition_improvements(graphs, members, block, edges=edges_of[g])
                )
                out.extend((int(block[r]), int(d), -1 - g) for r, d in zip(rows, dst, strict=True))
        return out

    sq = model.status_quo
    eq_masks = {c: analysis.stability.equilibrium_mask(c) for c in analysis.stability.concepts}
    if states == "all" or n <= SMALL_MODEL:
        chosen = list(range(n))
    else:
        chosen = _view(analysis, improvements, eq_masks, max_equilibria, max_states)
    nodes = np.array(sorted(chosen), dtype=np.int64)
    in_view = np.zeros(n, dtype=bool)
    in_view[nodes] = True

    node_attrs: dict[int, dict[str, Any]] = {}
    edge_attrs: dict[tuple[int, int], dict[str, Any]] = {}
    proposals: dict[int, list[str]] = {}
    for p in analysis.proposals:
        proposals.setdefault(p.index - 1, []).append(p.id)
    stable = analysis.stability.stable
    coalition_eq = (
        {c: analysis.coalitions.equilibrium_mask(c) for c in analysis.coalitions.concepts}
        if analysis.coalitions is not None
        else None
    )
    unsettled = _unsettled(analysis)
    for i in nodes.tolist():
        values = model.option_values(i)
        attrs: dict[str, Any] = {
            "index": i + 1,
            "pattern": model.pattern(i),
            "options": values,
            "taken": [o for o, v in values.items() if v],
            "status_quo": i == sq,
            "equilibrium": {c: bool(m[i]) for c, m in eq_masks.items()},
            "equilibrium_concepts": [c for c, m in eq_masks.items() if m[i]],
            "stable_for": {
                c: [a for k, a in enumerate(model.actors) if stable[c][k, i]] for c in stable
            },
            "proposals": proposals.get(i, []),
        }
        if coalition_eq is not None:
            attrs["coalition_equilibrium"] = {c: bool(m[i]) for c, m in coalition_eq.items()}
            attrs["unsettled_by_coalitions"] = unsettled(i)
        node_attrs[i + 1] = attrs

    unilateral: set[tuple[int, int]] = set()
    for k in range(model.n_actors):
        src, dst = graphs[k].targets(nodes, improving=moves == "improvements")
        keep = in_view[dst]
        src, dst = src[keep], dst[keep]
        better = graphs.rank[k][dst] > graphs.rank[k][src]
        for s, d, b in zip(src.tolist(), dst.tolist(), better.tolist(), strict=True):
            unilateral.add((s, d))
            edge_attrs.setdefault((s + 1, d + 1), {}).update(
                kind="unilateral",
                mover=model.actors[k],
                changed=_changed(model, s, d),
                improvement=bool(b),
            )
    for g_index, members in enumerate(index_groups):
        names = list(groups[g_index])
        for lo in range(0, nodes.size, _BLOCK):
            block = nodes[lo : lo + _BLOCK]
            hits = coalition_improvements(graphs, members, block, edges=edges_of[g_index])
            rows, dst = np.nonzero(hits & in_view[None, :])
            for r, d in zip(rows.tolist(), dst.tolist(), strict=True):
                s = int(block[r])
                if (s, d) in unilateral:
                    continue
                if (s + 1, d + 1) in edge_attrs:
                    edge_attrs[s + 1, d + 1]["coalitions"].append(names)
                    continue
                edge_attrs[s + 1, d + 1] = {
                    "kind": "coalition",
                    "movers": names,
                    "coalitions": [names],
                    "changed": _changed(model, s, d),
                    "improvement": True,
                }

    depth = _depths(edge_attrs, sq + 1) if sq is not None else {}
    for node, attrs in node_attrs.items():
        attrs["moves_from_status_quo"] = depth.get(node)
    graph_attrs = dict(
        case=analysis.case_id,
        scenario=analysis.scenario,
        states=states if not (states == "view" and n <= SMALL_MODEL) else "all",
        moves=moves,
        n_states=n,
        status_quo=sq + 1 if sq is not None else None,
        actors=list(model.actors),
        options=list(model.options),
        concepts=list(analysis.stability.concepts),
        coalitions=[list(c) for c in groups],
        equilibria_total={c: int(m.sum()) for c, m in eq_masks.items()},
        notes=notes,
    )
    return graph_attrs, node_attrs, edge_attrs


def _unsettled(analysis: ConflictAnalysis) -> Any:
    """A function of a 0-based state giving, for each coalition concept under which the
    state is an equilibrium for the parties alone but not against the coalitions, the
    coalitions (lists of actor ids) that unsettle it: those with a joint improvement
    from it that the others cannot answer under that concept."""
    result = analysis.coalitions
    if result is None:
        return lambda i: {}
    alone = {c: result.individual.equilibrium_mask(c) for c in result.concepts}
    groups = [list(g) for g in result.coalitions]

    def unsettled(i: int) -> dict[str, list[list[str]]]:
        out: dict[str, list[list[str]]] = {}
        for c in result.concepts:
            if alone[c][i]:
                against = [groups[k] for k in np.flatnonzero(~result.stable[c][:, i]).tolist()]
                if against:
                    out[c] = against
        return out

    return unsettled


def _depths(edges: dict[tuple[int, int], dict[str, Any]], source: int) -> dict[int, int]:
    """The fewest edges from ``source`` to each node it reaches (breadth first)."""
    succ: dict[int, list[int]] = {}
    for u, v in edges:
        succ.setdefault(u, []).append(v)
    depth = {source: 0}
    queue = deque([source])
    while queue:
        u = queue.popleft()
        for v in succ.get(u, ()):
            if v not in depth:
                depth[v] = depth[u] + 1
                queue.append(v)
    return depth


def _coalitions(
    analysis: ConflictAnalysis, coalitions: bool | Sequence[Sequence[str]] | None
) -> list[tuple[str, ...]]:
    if coalitions is False:
        return []
    if coalitions is not None and coalitions is not True:
        return [tuple(c) for c in coalitions]
    found: list[tuple[str, ...]] = []
    if analysis.coalitions is not None:
        found += [tuple(c) for c in analysis.coalitions.coalitions]
    if analysis.status_quo_with_coalitions is not None:
        found += [tuple(c) for c in analysis.status_quo_with_coalitions.coalitions]
    found = list(dict.fromkeys(found))
    if not found and coalitions is True:
        actors = analysis.model.actors
        found = [(a, b) for i, a in enumerate(actors) for b in actors[i + 1 :]]
    return found


def _changed(model: Any, source: int, target: int) -> dict[str, bool]:
    a, b = int(model.states[source]), int(model.states[target])
    diff = a ^ b
    return {o: bool(b >> k & 1) for k, o in enumerate(model.options) if diff >> k & 1}


def _hops(steps: Sequence[Step]) -> list[tuple[int, int]]:
    """The hops of a path: each unilateral step, and each coalition's joint move (its
    members' consecutive steps) as one hop."""
    hops: list[tuple[int, int]] = []
    k = 0
    while k < len(steps):
        step = steps[k]
        end = k
        while (
            step.coalition is not None
            and end + 1 < len(steps)
            and steps[end + 1].coalition == step.coalition
            and steps[end + 1].source == steps[end].target
        ):
            end += 1
        hops.append((step.source, steps[end].target))
        k = end + 1
    return hops


def _view(
    analysis: ConflictAnalysis,
    improvements: Any,
    eq_masks: dict[str, np.ndarray],
    max_equilibria: int,
    max_states: int,
    max_neighbours: int = 10,
    max_departures: int = 3,
) -> list[int]:
    """0-based states of the view, in order of importance."""
    model = analysis.model
    sq = model.status_quo
    chosen: dict[int, None] = {}
    if sq is not None:
        chosen[sq] = None
    for p in analysis.proposals:
        chosen[p.index - 1] = None
    for result in (analysis.status_quo, analysis.status_quo_with_coalitions):
        if result is None:
            continue
        for steps in result.paths.values():
            for a, b in _hops(steps):
                chosen[a] = None
                chosen[b] = None
    n_concepts = np.zeros(model.n_states, dtype=np.int64)
    for mask in eq_masks.values():
        n_concepts += mask
    ref = int(model.states[sq]) if sq is not None else 0

    def order(i: int) -> tuple[int, int, int]:
        """Options changed from the status quo, then equilibrium under more concepts."""
        return bin(int(model.states[i]) ^ ref).count("1"), -int(n_concepts[i]), i

    equilibria = sorted(np.flatnonzero(n_concepts > 0).tolist(), key=order)
    for i in equilibria[:max_equilibria]:
        chosen[i] = None
    # One step around: improvements from the status quo, then departures from each
    # proposal; those that are equilibria or already in the view first.
    sources = [sq] if sq is not None else []
    sources += [p.index - 1 for p in analysis.proposals]
    sources = list(dict.fromkeys(sources))
    if sources:
        by_source: dict[int, set[int]] = {s: set() for s in sources}
        for s, d, _ in improvements(np.array(sources, dtype=np.int64)):
            by_source[s].add(d)
        for s in sources:
            room = max_neighbours if s == sq else max_departures
            ranked = sorted(by_source[s], key=lambda d: (d not in chosen, *order(d)))
            for d in ranked[:room]:
                if d not in chosen and len(chosen) >= max_states:
                    break
                chosen[d] = None
    return list(chosen)
