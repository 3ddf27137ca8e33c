"""Perception: first-level hypergames in the graph model, hidden and possible states.

A party may hold its own view of the conflict (a first-level hypergame; Fraser & Hipel
1979, 1984; Wang, Hipel & Fraser 1988, 1989; in graph form Aljefri, Hipel & Fang
2017/2018): it believes the others want what they may not want, and it may not know
that some options exist. Party ``j``'s **perceived game** ``G_j`` is the true graph
model with

* ``j``'s beliefs in place of the other parties' preferences (its own stay true);
* the options ``j`` does not know of frozen at "not taken": ``G_j``'s states are the
  true feasible states where none of them is taken, and nobody can take them there.

``j`` judges a true state as the state it takes it to be: the same state with the
options it does not know of left out (its projection into ``G_j``). A state is a
**hypergame equilibrium** under a solution concept when it is stable for every party
``j`` in ``j``'s own perceived game, the reading of Wang, Hipel & Fraser (1989) for
first-level hypergames: each party acts on its own view. The equilibria of the
hypergame that are not equilibria of the true game exist only because somebody
misperceives; the true equilibria missing from the hypergame are lost to
misperception.

The states a party **cannot see** are its hidden states (Obeidi, Hipel & Kilgour 2005):
here, those where an option it does not know of is taken, and those its
``misperceives`` expressions hide (GMCR II's state-level misperception, kept inside
every perceived game as in the true one). The states it sees are its possible states.

References
----------
Fraser, N. M., and Hipel, K. W. (1979). Solving complex conflicts. *IEEE Transactions on
Systems, Man, and Cybernetics* 9(12). Wang, M., Hipel, K. W., and Fraser, N. M. (1988).
Modeling misperceptions in games. *Behavioral Science* 33(3); (1989). Solution concepts
in hypergames. *Applied Mathematics and Computation* 34(3).
Aljefri, Y. M., Bashar, M. A., Fang, L., and Hipel, K. W. (2017). First-level hypergame
for investigating misperception in conflicts. *IEEE Transactions on SMC: Systems*.
Obeidi, A., Hipel, K. W., and Kilgour, D. M. (2005). The role of emotions in envisioning
outcomes in conflict analysis. *Group Decision and Negotiation* 14(6), 481-500.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.errors import InfeasibleError, Problem
from detente.gmcr.case import BASIC_CONCEPTS, graph_model, memory_limit
from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.preferences import payoff_from_ranking, payoff_from_statements
from detente.gmcr.results import _plain, preference_ranks, state_record
from detente.gmcr.stability import normalise_concepts, stabilities
from detente.gmcr.states import DEFAULT_MAX_BYTES
from detente.model import Case
from detente.model.checks import expand_ranking, feasible_mask
from detente.model.links import is_linked, proposal_package

__all__ = [
    "MARKS",
    "HypergameResult",
    "PerceivedGame",
    "analyze_hypergame",
    "case_perceptions",
    "hypergame_stabilities",
    "perceived_game",
]


#: What a state is, in the perception graph (:meth:`HypergameResult.state_marks`),
#: checked in this order: an equilibrium of the true game and of the hypergame; a true
#: equilibrium that some party's view unsettles (lost to misperception); a hypergame
#: equilibrium that is no true one (only through misperception); an equilibrium of some
#: party's perceived game only; a state hidden from some party; none of these.
MARKS = ("true", "lost", "misperception", "perceived", "hidden", "none")

#: The perception graph shows at most this many states.
GRAPH_STATES = 36


@dataclass(frozen=True, eq=False)
class PerceivedGame:
    """One party's perceived game ``G_j`` and how the true states map into it.

    Attributes
    ----------
    actor : str
        The perceiving party.
    model : GraphModel
        ``G_j``: same parties and options; its states are the true states where no
        option ``actor`` does not know of is taken; the other parties' payoffs are
        ``actor``'s beliefs.
    keep : numpy.ndarray
        ``int``: the true (0-based) index of each state of ``G_j``.
    projection : numpy.ndarray
        ``int`` per true state: the index in ``G_j`` of the state ``actor`` takes it
        to be (the options it does not know of left out); -1 when that state is not
        feasible.
    believed : tuple of str
        The parties whose preferences ``actor`` misperceives.
    unknown_options : tuple of str
        The options ``actor`` does not know exist.
    """

    actor: str
    model: GraphModel
    keep: np.ndarray
    projection: np.ndarray
    believed: tuple[str, ...] = ()
    unknown_options: tuple[str, ...] = ()


def perceived_game(
    model: GraphModel,
    actor: int | str,
    *,
    payoffs: Mapping[str, np.ndarray] | None = None,
    unknown_options: Sequence[str] = (),
) -> PerceivedGame:
    """Party ``actor``'s perceived game: ``payoffs`` (``other party -> payoff per true
    state``) in place of the others' preferences, ``unknown_options`` frozen at "not
    taken".

    Raises
    ------
    InfeasibleError
        Every feasible state has an option the party does not know of taken.
    ValueError
        A belief about the party itself, or an unknown party or option, or an option
        the party itself controls among those it does not know of.
    """
    a = model.actor_index(actor)
    name = model.actors[a]
    payoff = model.payoff.copy()
    for other, row in (payoffs or {}).items():
        k = model.actor_index(other)
        if k == a:
            raise ValueError(f"{name} cannot misperceive its own preferences")
        row = np.asarray(row, dtype=np.int64)
        if row.shape != (model.n_states,):
            raise ValueError(f"{name}'s belief about {other} needs one payoff per state")
        payoff[k] = row
    mask = 0
    for option in unknown_options:
        if option not in model.options:
            raise ValueError(f"unknown option {option!r}")
        k = model.options.index(option)
        if int(model.controller[k]) == a:
            raise ValueError(f"{name} controls {option!r}, so it cannot be unaware of it")
        mask |= 1 << k
    codes = model.states
    keep = np.flatnonzero((codes & np.int64(mask)) == 0)
    if keep.size == 0:
        raise InfeasibleError(
            Problem(
                f"{name} does not know of {', '.join(unknown_options)}, but every feasible "
                f"state has one of them taken: {name} could conceive of no state",
                path=("preferences", name, "perceives", "unknown_options"),
            )
        )
    sub = codes[keep]
    projected = codes & ~np.int64(mask)
    pos = np.minimum(np.searchsorted(sub, projected), sub.size - 1)
    projection = np.where(sub[pos] == projected, pos, -1).astype(np.int64)
    sq = None
    if model.status_quo is not None and projection[model.status_quo] >= 0:
        sq = int(projection[model.status_quo])
    perceived = None if model.perceived is None else model.perceived[:, keep]
    game = GraphModel(
        actors=model.actors,
        options=model.options,
        controller=model.controller,
        states=sub,
        payoff=payoff[:, keep],
        direction=model.direction,
        perceived=perceived,
        status_quo=sq,
    )
    return PerceivedGame(
        actor=name,
        model=game,
        keep=keep,
        projection=projection,
        believed=tuple(model.actors[model.actor_index(o)] for o in (payoffs or {})),
        unknown_options=tuple(unknown_options),
    )


@dataclass(frozen=True, eq=False)
class HypergameResult:
    """The true game, each party's perceived game and the first-level hypergame.

    Attributes
    ----------
    model : GraphModel
        The true game.
    concepts : tuple of str
        The solution concepts analysed.
    true_stable : mapping
        ``concept -> bool (n_actors, n_states)``: stability in the true game.
    own_stable : mapping
        ``concept -> bool (n_actors, n_states)``: whether each party finds each true
        state stable for itself in its own perceived game (False where the state it
        takes it to be is infeasible).
    games : mapping
        ``actor id -> PerceivedGame`` for the parties whose view differs from the
        true game.
    perceived_stable : mapping
        ``actor id -> concept -> bool (n_actors, n_states of G_j)``: stability of
        every party in that party's perceived game.
    visible : numpy.ndarray
        ``bool (n_actors, n_states)``: the true states each party sees (its possible
        states; the others are hidden from it).
    proposals : mapping
        ``proposal id -> 0-based state`` of the case's proposals (case analyses only).
    """

    model: GraphModel
    concepts: tuple[str, ...]
    true_stable: Mapping[str, np.ndarray]
    own_stable: Mapping[str, np.ndarray]
    games: Mapping[str, PerceivedGame]
    perceived_stable: Mapping[str, Mapping[str, np.ndarray]]
    visible: np.ndarray
    parameters: Mapping[str, Any] = field(default_factory=dict)
    proposals: Mapping[str, int] = field(default_factory=dict)
    case_id: str | None = None
    scenario: str | None = None
    method: str = (
        "first-level hypergame in the graph model: a state is a hypergame equilibrium when "
        "every party finds it stable in its own perceived game (Fraser & Hipel 1984; Wang, "
        "Hipel & Fraser 1989; "
        "Aljefri, Hipel & Fang 2017/2018); hidden states after Obeidi, Hipel & Kilgour 2005"
    )

    # -- sets of states --------------------------------------------------------------
    def true_equilibria(self, concept: str) -> list[int]:
        """0-based equilibria of the true game."""
        return [int(i) for i in np.flatnonzero(self.true_stable[concept].all(axis=0))]

    def hypergame_equilibria(self, concept: str) -> list[int]:
        """0-based states stable for every party in its own perceived game."""
        return [int(i) for i in np.flatnonzero(self.own_stable[concept].all(axis=0))]

    def perceived_equilibria(self, actor: str, concept: str) -> list[int]:
        """0-based true indices of the equilibria of ``actor``'s perceived game (of the
        true game when its view is the true one)."""
        game = self.games.get(actor)
        if game is None:
            return self.true_equilibria(concept)
        mask = self.perceived_stable[actor][concept].all(axis=0)
        return [int(game.keep[i]) for i in np.flatnonzero(mask)]

    def perceived_only(self, actor: str, concept: str) -> list[int]:
        """Equilibria of ``actor``'s perceived game that are not true equilibria: the
        outcomes it expects to last that rest on its misperception."""
        true = set(self.true_equilibria(concept))
        return [s for s in self.perceived_equilibria(actor, concept) if s not in true]

    def from_misperception(self, concept: str) -> list[int]:
        """Hypergame equilibria that are not equilibria of the true game."""
        true = set(self.true_equilibria(concept))
        return [s for s in self.hypergame_equilibria(concept) if s not in true]

    def lost_to_misperception(self, concept: str) -> list[int]:
        """True equilibria that are not hypergame equilibria."""
        hyper = set(self.hypergame_equilibria(concept))
        return [s for s in self.true_equilibria(concept) if s not in hyper]

    def misjudged_by(self, concept: str, state: int) -> list[str]:
        """The parties whose own view of ``state``'s stability differs from the truth."""
        t, o = self.true_stable[concept][:, state], self.own_stable[concept][:, state]
        return [a for k, a in enumerate(self.model.actors) if bool(t[k]) != bool(o[k])]

    def hidden_from(self, actor: str) -> list[int]:
        """0-based true states ``actor`` cannot see."""
        k = self.model.actor_index(actor)
        return [int(i) for i in np.flatnonzero(~self.visible[k])]

    def perceived_mask(self, concept: str) -> np.ndarray:
        """``bool (n_actors, n_states)``: the true state is an equilibrium of that party's
        perceived game (of the true game for a party whose view is the true one)."""
        true = self.true_stable[concept].all(axis=0)
        out = np.tile(true, (self.model.n_actors, 1))
        for actor, game in self.games.items():
            k = self.model.actor_index(actor)
            out[k] = False
            out[k, game.keep[self.perceived_stable[actor][concept].all(axis=0)]] = True
        return out

    def state_marks(self, concept: str) -> np.ndarray:
        """The mark of every true state under ``concept``, one of :data:`MARKS` (the
        first that applies)."""
        true = self.true_stable[concept].all(axis=0)
        hyper = self.own_stable[concept].all(axis=0)
        perceived = self.perceived_mask(concept).any(axis=0) & ~true
        hidden = ~self.visible.all(axis=0)
        return np.select(
            [true & hyper, true, hyper, perceived, hidden],
            list(MARKS[:5]),
            default=MARKS[5],
        )

    def graph_states(self, *, max_states: int = GRAPH_STATES) -> list[int]:
        """0-based states of the perception graph, around the status quo.

        In order, while fewer than ``max_states`` are chosen: the status quo (or, without
        one, the first proposal's state, or state 0); the proposals' states; the
        nearest states (fewest options changed from the status quo) of each mark but
        ``none``, rarest kinds first and at most six of each; the states one move of
        some party away from the status quo.
        """
        m = self.model
        proposals = list(dict.fromkeys(self.proposals.values()))
        centre = m.status_quo if m.status_quo is not None else (proposals[0] if proposals else 0)
        chosen: dict[int, None] = dict.fromkeys([centre, *proposals])
        distance = np.bitwise_count(np.asarray(m.states, dtype=np.int64) ^ int(m.states[centre]))
        marks = {c: self.state_marks(c) for c in self.concepts}
        for kind in ("misperception", "lost", "hidden", "true", "perceived"):
            for c in self.concepts:
                members = np.flatnonzero(marks[c] == kind)
                members = members[np.lexsort((members, distance[members]))]
                for s in members[:6]:
                    if len(chosen) >= max_states:
                        break
                    chosen.setdefault(int(s), None)
        graphs = MoveGraphs(m)
        near: list[int] = []
        for a in range(m.n_actors):
            near.extend(int(t) for t in graphs[a].targets(np.array([centre]))[1])
        for s in sorted(set(near), key=lambda t: (int(distance[t]), t)):
            if len(chosen) >= max_states:
                break
            chosen.setdefault(s, None)
        return list(chosen)[:max_states]

    def perception_graph(self, *, max_states: int = GRAPH_STATES) -> dict[str, Any]:
        """The states around the status quo and the moves between them, each state
        marked under every concept (JSON-ready; see :meth:`to_dict`, key ``graph``)."""
        m = self.model
        shown = self.graph_states(max_states=max_states)
        centre = shown[0]
        inside = np.zeros(m.n_states, dtype=bool)
        inside[shown] = True
        graphs = MoveGraphs(m)
        moves = []
        for a, actor in enumerate(m.actors):
            src, dst = graphs[a].targets(np.asarray(shown, dtype=np.int64))
            keep = inside[dst]
            for u, v in zip(src[keep].tolist(), dst[keep].tolist(), strict=True):
                moves.append(
                    {
                        "from": u + 1,
                        "to": v + 1,
                        "mover": actor,
                        "improvement": bool(m.payoff[a, v] > m.payoff[a, u]),
                    }
                )
        marks = {c: self.state_marks(c) for c in self.concepts}
        perceived = {c: self.perceived_mask(c) for c in self.concepts}
        by_state: dict[int, list[str]] = {}
        for pid, s in self.proposals.items():
            by_state.setdefault(s, []).append(pid)
        codes = np.asarray(m.states, dtype=np.int64)
        records = []
        for s in shown:
            records.append(
                {
                    "index": s + 1,
                    "pattern": m.pattern(s),
                    "status_quo": s == m.status_quo,
                    "proposals": by_state.get(s, []),
                    "options_changed": int(np.bitwise_count(codes[s] ^ codes[centre])),
                    "mark": {c: str(marks[c][s]) for c in self.concepts},
                    "stable_in_view_of": {
                        c: [
                            a
                            for k, a in enumerate(m.actors)
                            if a in self.games and perceived[c][k, s]
                        ]
                        for c in self.concepts
                    },
                    "hidden_from": [a for k, a in enumerate(m.actors) if not self.visible[k, s]],
                }
            )
        return {
            "centre": centre + 1,
            "marks": list(MARKS),
            "states": records,
            "moves": moves,
            "selection": (
                "the status quo, the proposals, the nearest states of each mark (at most six "
                "of each) and the states one move away from the status quo, at most "
                f"{max_states}"
            ),
        }

    def to_dict(self, *, states: str = "equilibria") -> dict[str, Any]:
        """JSON-ready dict.

        Keys: ``method``; ``case``, ``scenario``; ``parameters``; ``concepts``;
        ``actors``, ``options`` (ids in model order); ``state_numbering``;
        ``n_states``; ``status_quo_index`` (1-based, or None);
        ``perceptions`` (actor id -> ``misperceives_preferences_of`` (party ids),
        ``unknown_options`` (option ids), ``hidden_states`` (how many true states it
        cannot see), ``possible_states`` (how many it sees), ``unrecognisable_states``
        (how many it takes to be an infeasible state), ``status_quo_hidden`` (bool),
        and with ``states="all"`` ``hidden`` (1-based numbers)); for every party,
        including those whose view is the true one;
        ``equilibria`` (concept -> ``true``, ``hypergame``, ``only_by_misperception``,
        ``lost_to_misperception`` (1-based numbers), ``perceived`` (actor id -> 1-based
        numbers of its perceived game's equilibria, parties with their own view only),
        ``perceived_only`` (actor id -> equilibria of its perceived game that are not
        true equilibria), ``hidden_from`` (actor id -> true equilibria it cannot see,
        parties with any)); ``proposals`` (proposal id -> ``index`` 1-based,
        ``pattern``, ``equilibrium`` (concept -> ``true``, ``hypergame`` bools and
        ``perceived`` (actor id -> bool, parties with their own view; False when it
        cannot see the state))), for proposals that name a feasible state;
        ``misjudged`` (concept -> one record per state of ``only_by_misperception`` or
        ``lost_to_misperception``: ``state`` 1-based, ``parties`` (actor id -> ``true``
        and ``perceived`` stability for that party)); ``states`` (one record per state
        listed: ``index`` 1-based, ``code``, ``pattern``, ``options``, ``rank`` (actor ->
        true preference rank, 1 the best), ``true_stable`` and ``own_view_stable``
        (concept -> actor -> bool), ``seen_by`` (actor ids), ``equilibrium`` (concept ->
        ``true``/``hypergame`` bools)); ``graph`` (the perception graph: ``centre``,
        1-based, the status quo; ``marks``, the kinds of state, :data:`MARKS`;
        ``selection``, how the states were chosen; ``states``, one record per state
        shown: ``index``, ``pattern``, ``status_quo``, ``proposals`` (ids),
        ``options_changed`` (from the centre), ``mark`` (concept -> kind),
        ``stable_in_view_of`` (concept -> ids of the parties with their own view whose
        perceived game has it as an equilibrium), ``hidden_from`` (actor ids);
        ``moves``, the unilateral moves between the states shown: ``from``, ``to``,
        ``mover``, ``improvement`` (the mover truly prefers ``to``)).
        ``states="equilibria"`` (default) lists the
        equilibria of the true game and of the hypergame, the status quo and the
        proposals' states (the perceived games' equilibria are given by number only);
        ``"all"`` every state.
        """
        m = self.model
        cs = self.concepts
        eq_sets: dict[str, Any] = {}
        listed: set[int] = set()
        for c in cs:
            true, hyper = self.true_equilibria(c), self.hypergame_equilibria(c)
            perceived = {a: self.perceived_equilibria(a, c) for a in self.games}
            hidden = {
                a: [s + 1 for s in true if not self.visible[k, s]]
                for k, a in enumerate(m.actors)
                if not self.visible[k].all()
            }
            listed.update(true, hyper)
            eq_sets[c] = {
                "true": [s + 1 for s in true],
                "hypergame": [s + 1 for s in hyper],
                "only_by_misperception": [s + 1 for s in self.from_misperception(c)],
                "lost_to_misperception": [s + 1 for s in self.lost_to_misperception(c)],
                "perceived": {a: [s + 1 for s in v] for a, v in perceived.items()},
                "perceived_only": {
                    a: [s + 1 for s in self.perceived_only(a, c)] for a in self.games
                },
                "hidden_from": hidden,
            }
        misjudged = {
            c: [
                {
                    "state": s + 1,
                    "parties": {
                        a: {
                            "true": bool(self.true_stable[c][k, s]),
                            "perceived": bool(self.own_stable[c][k, s]),
                        }
                        for k, a in enumerate(m.actors)
                        if a in self.misjudged_by(c, s)
                    },
                }
                for s in self.from_misperception(c) + self.lost_to_misperception(c)
            ]
            for c in cs
        }
        perceptions = {}
        for k, a in enumerate(m.actors):
            game = self.games.get(a)
            record: dict[str, Any] = {
                "misperceives_preferences_of": list(game.believed) if game else [],
                "unknown_options": list(game.unknown_options) if game else [],
                "hidden_states": int((~self.visible[k]).sum()),
                "possible_states": int(self.visible[k].sum()),
                "unrecognisable_states": int((game.projection < 0).sum()) if game else 0,
                "status_quo_hidden": (
                    bool(not self.visible[k, m.status_quo]) if m.status_quo is not None else None
                ),
            }
            if states == "all":
                record["hidden"] = [int(i) + 1 for i in np.flatnonzero(~self.visible[k])]
            perceptions[a] = record
        listed.update(self.proposals.values())
        if m.status_quo is not None:
            listed.add(m.status_quo)
        if states == "all":
            chosen = list(range(m.n_states))
        elif states == "equilibria":
            chosen = sorted(listed)
        else:
            raise ValueError("states must be 'all' or 'equilibria'")
        ranks = preference_ranks(m)
        records = []
        for s in chosen:
            rec = state_record(m, s)
            rec["rank"] = {a: int(ranks[k, s]) for k, a in enumerate(m.actors)}
            rec["true_stable"] = {
                c: {a: bool(self.true_stable[c][k, s]) for k, a in enumerate(m.actors)} for c in cs
            }
            rec["own_view_stable"] = {
                c: {a: bool(self.own_stable[c][k, s]) for k, a in enumerate(m.actors)} for c in cs
            }
            rec["seen_by"] = [a for k, a in enumerate(m.actors) if self.visible[k, s]]
            rec["equilibrium"] = {
                c: {
                    "true": bool(self.true_stable[c][:, s].all()),
                    "hypergame": bool(self.own_stable[c][:, s].all()),
                }
                for c in cs
            }
            records.append(rec)
        proposals = {}
        for pid, s in self.proposals.items():
            proposals[pid] = {
                "index": s + 1,
                "pattern": m.pattern(s),
                "equilibrium": {
                    c: {
                        "true": bool(self.true_stable[c][:, s].all()),
                        "hypergame": bool(self.own_stable[c][:, s].all()),
                        "perceived": {
                            a: bool(
                                g.projection[s] >= 0
                                and self.visible[m.actor_index(a), s]
                                and self.perceived_stable[a][c][:, g.projection[s]].all()
                            )
                            for a, g in self.games.items()
                        },
                    }
                    for c in cs
                },
            }
        return {
            "method": self.method,
            "case": self.case_id,
            "scenario": self.scenario,
            "parameters": _plain(dict(self.parameters)),
            "concepts": list(cs),
            "actors": list(m.actors),
            "options": list(m.options),
            "state_numbering": "1-based positions of the feasible states in increasing code order",
            "n_states": m.n_states,
            "status_quo_index": m.status_quo + 1 if m.status_quo is not None else None,
            "perceptions": perceptions,
            "equilibria": eq_sets,
            "misjudged": misjudged,
            "proposals": proposals,
            "states": records,
            "graph": self.perception_graph(),
        }


def hypergame_stabilities(
    model: GraphModel,
    *,
    beliefs: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    unknown_options: Mapping[str, Sequence[str]] | None = None,
    concepts: Sequence[str] = BASIC_CONCEPTS,
    horizon: int = 2,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> HypergameResult:
    """Stability in the true game, in each party's perceived game, and the hypergame.

    Parameters
    ----------
    model : GraphModel
        The true game.
    beliefs : mapping, optional
        ``perceiver -> other party -> payoff per true state``: what the perceiver
        believes the other wants (higher is preferred).
    unknown_options : mapping, optional
        ``perceiver -> option ids`` it does not know exist.
    concepts : sequence of str
        Solution concepts (see :func:`~detente.gmcr.stabilities`); default Nash, GMR,
        SMR, SEQ.

    Returns
    -------
    HypergameResult

    References
    ----------
    Wang, Hipel & Fraser (1989), Solution concepts in hypergames, Applied Mathematics
    and Computation 34(3); Aljefri, Hipel & Fang (2017/2018), first-level and general
    hypergames in the graph model.

    Examples
    --------
    Prisoner's Dilemma where A wrongly believes B prefers to cooperate whatever A
    does: under sequential stability A then fears no sanction from mutual
    cooperation (NN) and keeps defecting (YN) only in its own view.

    >>> m = GraphModel.from_options(
    ...     actors=["A", "B"], options={"dA": "A", "dB": "B"},
    ...     rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]})
    >>> r = hypergame_stabilities(m, beliefs={"A": {"B": np.array([4, 4, 1, 1])}})
    >>> [m.pattern(i) for i in r.true_equilibria("seq")]
    ['NN', 'YY']
    >>> [m.pattern(i) for i in r.hypergame_equilibria("seq")]
    ['YY']
    """
    concepts = normalise_concepts(concepts)
    beliefs = dict(beliefs or {})
    unknown_options = dict(unknown_options or {})
    true = stabilities(model, concepts=concepts, horizon=horizon, max_bytes=max_bytes)
    own = {c: np.array(true.stable[c], dtype=bool) for c in concepts}
    visible = (
        np.ones((model.n_actors, model.n_states), dtype=bool)
        if model.perceived is None
        else np.array(model.perceived, dtype=bool)
    )
    games: dict[str, PerceivedGame] = {}
    perceived_stable: dict[str, dict[str, np.ndarray]] = {}
    for actor in list(dict.fromkeys([*beliefs, *unknown_options])):
        a = model.actor_index(actor)
        name = model.actors[a]
        held = beliefs.get(actor, {})
        unknown = tuple(unknown_options.get(actor, ()))
        if not held and not unknown:
            continue
        game = perceived_game(model, a, payoffs=held, unknown_options=unknown)
        res = stabilities(game.model, concepts=concepts, horizon=horizon, max_bytes=max_bytes)
        games[name] = game
        perceived_stable[name] = {c: res.stable[c] for c in concepts}
        ok = game.projection >= 0
        safe = np.where(ok, game.projection, 0)
        for c in concepts:
            own[c][a] = ok & res.stable[c][a][safe]
        seen = np.zeros(model.n_states, dtype=bool)
        seen[game.keep] = True
        visible[a] &= seen
    for arr in own.values():
        arr.setflags(write=False)
    visible.setflags(write=False)
    params: dict[str, Any] = {
        "concepts": list(concepts),
        "beliefs": {
            a: sorted(model.actors[model.actor_index(o)] for o in v) for a, v in beliefs.items()
        },
        "unknown_options": {a: list(v) for a, v in unknown_options.items()},
    }
    if "lh" in concepts:
        params["horizon"] = int(horizon)
    return HypergameResult(
        model=model,
        concepts=concepts,
        true_stable=true.stable,
        own_stable=own,
        games=games,
        perceived_stable=perceived_stable,
        visible=visible,
        parameters=params,
    )


def case_perceptions(
    case: Case, model: GraphModel
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, tuple[str, ...]]]:
    """The beliefs (``perceiver -> other -> payoff per state of model``) and unknown
    options (``perceiver -> option ids``) that ``preferences.<party>.perceives`` state."""
    beliefs: dict[str, dict[str, np.ndarray]] = {}
    unknown: dict[str, tuple[str, ...]] = {}
    feasible: np.ndarray | None = None
    for actor, prefs in case.preferences.items():
        view = prefs.perceives
        if view is None or actor not in model.actors:
            continue
        rows: dict[str, np.ndarray] = {}
        for other, believed in view.preferences.items():
            if believed.ranking is not None:
                if feasible is None:
                    n = len(case.options)
                    index = {o.id: k for k, o in enumerate(case.options)}
                    codes = np.arange(1 << n, dtype=np.int64)
                    constraints = [c.infeasible_expr for c in case.constraints]
                    feasible = codes[feasible_mask(constraints, codes, index)]
                groups = expand_ranking(believed.ranking, len(case.options), feasible)[0]
                rows[other] = payoff_from_ranking(groups, states=model.states)
            else:
                rows[other] = payoff_from_statements(
                    [s.parsed for s in believed.statements or ()],
                    states=model.states,
                    options=model.options,
                )
        if rows:
            beliefs[actor] = rows
        if view.unknown_options:
            unknown[actor] = tuple(view.unknown_options)
    return beliefs, unknown


def _proposal_states(case: Case, model: GraphModel) -> dict[str, int]:
    """Proposal id -> 0-based state: its options set on the status quo (as
    :func:`detente.gmcr.analyze_conflict` places proposals); infeasible ones left out."""
    index = {o: k for k, o in enumerate(model.options)}
    sq = int(model.states[model.status_quo]) if model.status_quo is not None else 0
    out = {}
    for proposal in case.proposals:
        options = proposal.options or proposal_package(case, proposal).options
        if not options or (not proposal.options and not is_linked(case)):
            continue
        code = sq
        for option, taken in options.items():
            bit = 1 << index[option]
            code = code | bit if taken else code & ~bit
        try:
            out[proposal.id] = model.index_of(code)
        except KeyError:
            continue
    return out


def analyze_hypergame(
    case: Case,
    *,
    concepts: Sequence[str] | None = None,
    horizon: int = 2,
    max_bytes: int | None = None,
) -> HypergameResult:
    """Hypergame analysis of a case: the perceptions its parties state
    (``preferences.<party>.perceives``) against the true game.

    A case without perceptions gives a hypergame equal to the true game (every
    party's view is the true one), with only the states hidden by ``misperceives``.

    Examples
    --------
    >>> import detente
    >>> r = analyze_hypergame(detente.load("prisoners_dilemma"), concepts=["nash"])
    >>> r.to_dict()["equilibria"]["nash"]["hypergame"]
    [4]
    """
    max_bytes = memory_limit(max_bytes)
    model = graph_model(case, max_bytes=max_bytes)
    beliefs, unknown = case_perceptions(case, model)
    result = hypergame_stabilities(
        model,
        beliefs=beliefs,
        unknown_options=unknown,
        concepts=concepts or BASIC_CONCEPTS,
        horizon=horizon,
        max_bytes=max_bytes,
    )
    return HypergameResult(
        model=result.model,
        concepts=result.concepts,
        true_stable=result.true_stable,
        own_stable=result.own_stable,
        games=result.games,
        perceived_stable=result.perceived_stable,
        visible=result.visible,
        parameters=result.parameters,
        proposals=_proposal_states(case, model),
        case_id=case.id,
        scenario=case.scenario_id,
    )
