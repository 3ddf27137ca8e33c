"""Where improvements lead from any state: unilateral and coalition improvements, shared.

Status-quo analysis asks where the conflict goes from one state. A phased way out
asks it from several states in turn (from the status quo to a first step, from that
step to the next), so :class:`ImprovementReach` computes each state's improvements
once, on first need, and answers reachability and shortest paths from any state.

A step is one party's unilateral improvement or one coalition's joint improvement
(the members' legal sequence of moves that leaves each of them strictly better off:
Kilgour, Hipel, Fang & Peng 2001; Inohara & Hipel 2008). Two improvements in a row by
the same party compose into one improvement, so the no-repeat rule of legal
sequences adds no state to what is reachable and the search is a plain breadth-first
search over states.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from detente.gmcr.coalitions import check_coalition_states, coalition_improvements, member_edges
from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.results import Step, make_step
from detente.gmcr.states import DEFAULT_MAX_BYTES

__all__ = ["ImprovementReach", "repriced_moves", "traced_steps"]


class ImprovementReach:
    """Improvements of ``model`` from any state, by single parties and by ``coalitions``.

    Examples
    --------
    >>> import detente
    >>> from detente.gmcr.case import graph_model
    >>> model = graph_model(detente.load("prisoners_dilemma"))
    >>> reach = ImprovementReach(model)
    >>> sorted(model.pattern(i) for i in reach.reachable(model.status_quo))
    ['NY', 'YN', 'YY']
    """

    def __init__(
        self,
        model: GraphModel,
        *,
        coalitions: Sequence[Sequence[int | str]] = (),
        max_bytes: int = DEFAULT_MAX_BYTES,
        graphs: MoveGraphs | None = None,
    ) -> None:
        self.model = model
        self.max_bytes = max_bytes
        if graphs is not None and graphs.model is not model:
            raise ValueError("graphs must be the move graphs of the model")
        self.graphs = graphs if graphs is not None else MoveGraphs(model, max_bytes=max_bytes)
        self.groups = [tuple(sorted({model.actor_index(a) for a in c})) for c in coalitions]
        self.names = [tuple(model.actors[k] for k in g) for g in self.groups]
        if self.groups:
            check_coalition_states(model.n_states)
        # Each coalition's members' moves (not their improvements): listed on first need.
        self._edges: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None] = [
            None for _ in self.groups
        ]
        # state -> (targets, movers): mover k >= 0 is an actor, -1 - g coalition g.
        self._succ: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        # source -> a finished search from it (came_from, mover, depth)
        self._done: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def repriced(self, model: GraphModel) -> ImprovementReach:
        """The improvements of ``model``, the same conflict as this one's but for the
        parties' preferences, by the same coalitions.

        What does not hang on preferences is shared rather than computed again: the
        coalitions' joint moves (their members' moves, of which the joint improvements
        are those every member prefers), and the move graph of every party whose
        preferences are unchanged (:func:`repriced_moves`).

        Raises
        ------
        ValueError
            When ``model`` has other states, options, controllers or perceptions.
        """
        graphs = repriced_moves(self.graphs, model)
        out = ImprovementReach(
            model, coalitions=self.groups, max_bytes=self.max_bytes, graphs=graphs
        )
        out._edges = [self._members(g) for g in range(len(self.groups))]
        return out

    def _members(self, g: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Coalition ``g``'s members' moves (:func:`member_edges`), listed once."""
        edges = self._edges[g]
        if edges is None:
            edges = self._edges[g] = member_edges(self.graphs, self.groups[g])
        return edges

    def _expand(self, states: np.ndarray) -> None:
        """Compute the improvements of the states not seen yet."""
        new = np.array([s for s in states.tolist() if s not in self._succ], dtype=np.int64)
        if not new.size:
            return
        pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for k in range(self.model.n_actors):
            src, dst = self.graphs[k].targets(new, improving=True)
            pairs.append((src, dst, np.full(src.size, k, dtype=np.int64)))
        for g, members in enumerate(self.groups):
            for lo in range(0, new.size, 1024):
                block = new[lo : lo + 1024]
                hits = coalition_improvements(self.graphs, members, block, edges=self._members(g))
                rows, dst = np.nonzero(hits)
                pairs.append((block[rows], dst, np.full(dst.size, -1 - g, dtype=np.int64)))
        src = np.concatenate([p[0] for p in pairs])
        dst = np.concatenate([p[1] for p in pairs])
        who = np.concatenate([p[2] for p in pairs])
        order = np.argsort(src, kind="stable")
        src, dst, who = src[order], dst[order], who[order]
        bounds = np.searchsorted(src, new, side="left"), np.searchsorted(src, new, side="right")
        for s, a, b in zip(new.tolist(), *bounds, strict=True):
            self._succ[s] = (dst[a:b], who[a:b])

    def _search(
        self, source: int, target: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Breadth-first search from ``source``; with ``target``, it may stop once the
        target is reached (such a partial search is not kept)."""
        if source in self._done:
            return self._done[source]
        n = self.model.n_states
        came_from = np.full(n, -1, dtype=np.int64)
        mover = np.zeros(n, dtype=np.int64)
        depth = np.full(n, -1, dtype=np.int64)
        depth[source] = 0
        frontier = np.array([source], dtype=np.int64)
        level = 0
        while frontier.size:
            level += 1
            self._expand(frontier)
            found = []
            for s in frontier.tolist():
                dst, who = self._succ[s]
                new = depth[dst] < 0
                if not new.any():
                    continue
                dst_new, first = np.unique(dst[new], return_index=True)
                came_from[dst_new] = s
                mover[dst_new] = who[new][first]
                depth[dst_new] = level
                found.append(dst_new)
            frontier = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
            if target is not None and depth[target] > 0:
                return came_from, mover, depth
        self._done[source] = (came_from, mover, depth)
        return came_from, mover, depth

    def reachable(self, source: int) -> np.ndarray:
        """0-based states reached from ``source`` by one or more improvements."""
        _, _, depth = self._search(int(source))
        return np.flatnonzero(depth > 0)

    def path(self, source: int, target: int) -> tuple[Step, ...] | None:
        """A shortest sequence of improvements from ``source`` to ``target`` (coalition
        moves expanded into their members' moves, each step naming the coalition), or
        None when ``target`` cannot be reached."""
        came_from, mover, depth = self._search(int(source), int(target))
        if target == source:
            return ()
        if depth[target] <= 0:
            return None
        return traced_steps(
            self.model, self.graphs, self.groups, self.names, came_from, mover, int(target)
        )


def traced_steps(
    model: GraphModel,
    graphs: MoveGraphs,
    groups: Sequence[tuple[int, ...]],
    names: Sequence[tuple[str, ...]],
    came_from: np.ndarray,
    mover: np.ndarray,
    target: int,
) -> tuple[Step, ...]:
    """The steps of a search's path to ``target``, read back through ``came_from``
    (``mover`` k >= 0 an actor, -1 - g coalition g); a coalition's joint move is
    expanded into its members' moves (a shortest legal sequence of them)."""
    from detente.gmcr.reach import legal_sequence_bfs

    hops = []
    state = int(target)
    while came_from[state] >= 0:
        hops.append((int(came_from[state]), int(mover[state]), state))
        state = int(came_from[state])
    steps: list[Step] = []
    for a, who, b in reversed(hops):
        if who >= 0:
            steps.append(make_step(model, who, a, b))
            continue
        g = -1 - who
        joint = legal_sequence_bfs(graphs, groups[g], a)
        for k, x, y in joint.path(b):
            step = make_step(model, k, x, y)
            steps.append(Step(step.actor, step.source, step.target, step.changed, names[g]))
    return tuple(steps)


def repriced_moves(graphs: MoveGraphs, model: GraphModel) -> MoveGraphs:
    """The move graphs of ``model``, the conflict of ``graphs`` with other preferences:
    a party's move graph hangs on the moves and on its own preferences alone, so the
    graphs of the parties whose preferences are unchanged are those of ``graphs``.

    Raises
    ------
    ValueError
        When ``model`` has other states, options, controllers or perceptions.
    """
    base = graphs.model
    same = (
        model.options == base.options
        and model.actors == base.actors
        and np.array_equal(model.states, base.states)
        and np.array_equal(model.controller, base.controller)
        and np.array_equal(model.direction, base.direction)
        and _same_perception(model.perceived, base.perceived)
    )
    if not same:
        raise ValueError("repriced move graphs need the same conflict with other preferences")
    out = MoveGraphs(model, max_bytes=graphs.max_bytes)
    for k in range(model.n_actors):
        if np.array_equal(out.rank[k], graphs.rank[k]):
            out._graphs[k] = graphs[k]
    return out


def _same_perception(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
