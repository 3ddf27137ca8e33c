"""Robustness margins: the smallest change of priorities that removes or creates an equilibrium.

An equilibrium is robust when no small change of the parties' preferences removes it
(Matbouli, Hipel and Kilgour 2014 rank equilibria by how freely a party could deviate
once its preferences change; Ben-Haim and Hipel 2002 measure how much preference
uncertainty an equilibrium withstands). The inverse question (Kinsara, Kilgour and
Hipel 2015) asks which preferences make a chosen state stable; with costs attached to
changes it becomes an optimisation problem that is NP-hard in general (the preference
manipulation problem, "Optimizing the cost of preference manipulation in the graph
model for conflict resolution"). This module answers both questions over
option-prioritisation statements (Fang, Hipel, Kilgour and Peng 2003, Part I), the
form the analyst writes.

**Distance.** An *edit* takes one statement of one party's list and moves it to
another rank, or drops it (as in :mod:`detente.gmcr.margins`). The size of a change is
the number of statements moved or dropped: for a list ``A`` of ``K`` statements and a
new list ``B`` (an ordering of some of them) it is ``K - LCS(A, B)``, the length of the
longest common subsequence subtracted from ``K``: Ulam's distance between orderings
(Diaconis 1988, ch. 6), extended by deletions. Ties between changes of equal size are
broken by the number of adjacent swaps (Kendall's distance between ``A`` and ``B``
with the dropped statements moved to the bottom), then by the party's order.

**Rankings.** A party given by an explicit ranking of states gets margins in pairs of
states reordered (:func:`ranking_distance`: Kendall's distance, a pair that becomes or
stops being a tie counting one). Every concept here decides a state's stability for a
party from the set of states it ranks above the state, and the nearest ranking with a
given such set is known in closed form (:meth:`_RankLocal.cost`); every set is tried up
to :data:`EXACT_RANK_STATES` states, a bounded search with a proven lower bound runs
beyond (:func:`_rank_search`). In a model mixing both kinds of parties, a statement moved
and a pair reordered each count as one change.

**Scope.** One party's list changes at a time, the others held as stated (the inverse
analysis of Kinsara et al. varies one decision maker at a time too). To make a state an
equilibrium, every party for which it is unstable changes its own list; for Nash, GMR
and SMR a party's stability depends on its own preferences only, so the sum of the
parties' smallest changes is the smallest change overall. Under SEQ a new list may also
withdraw a sanction another party relied on; other changes of the same sizes are then
tried, and ``confirmed`` says whether the state became an equilibrium.

**Search and guarantee.** Every ordering within two edits of a party's list is
examined (exhaustively: for ``K`` = 14 statements, 183 orderings at one edit and
14,120 at two). So a reported size of 1 or 2 is minimal, and "not found" means no
change of one party of at most two edits does it. Beyond two edits a beam search (the
orderings that leave the fewest unanswered improvements) gives a change whose size is
an upper bound; the result says which guarantee holds. An equilibrium from which no
party has a move to a state satisfying a statement of its own that the equilibrium does
not cannot be removed by any reordering (``impossible``); under Nash the converse holds
(moving that statement first is one edit). For SEQ, where a party's preferences also
decide whether its sanctions against the others are credible, single edits are checked
for every party's stability, pairs for the edited party's own: a pair that removes an
equilibrium only by making a sanction against another party incredible is not searched.
Every change reported is confirmed by the full stability analysis of the edited model,
which also says for whom the state is then unstable.

**Computation.** For a party, every candidate ordering's payoffs are one matrix
product (orderings by statements by states). With every option reversible and no
misperception, the opponents' legal sequences of moves reach the connected component
of the state in the union of their move graphs, and legal sequences of improvements
reach its descendants in the union of their improvement graphs (two consecutive moves
of one party compose into one move; whether the state itself is reached does not
matter, the focal party preferring it to its start); so GMR and SMR need one minimum
per component and SEQ a propagation over the fixed improvement graphs, for all
candidates and all states at once. Other models use the general stability code for
each candidate.

References
----------
Ben-Haim, Y., and Hipel, K. W. (2002). The graph model for conflict resolution with
information-gap uncertainty in preferences. *Applied Mathematics and Computation*
126(2-3), 319-340.
Diaconis, P. (1988). *Group Representations in Probability and Statistics*. IMS
Lecture Notes 11 (Ulam's and Kendall's metrics on permutations, ch. 6).
Fang, L., Hipel, K. W., Kilgour, D. M., and Peng, X. (2003). A decision support
system for interactive decision making, Part I. *IEEE Trans. SMC-C* 33(1), 42-55.
Kinsara, R. A., Kilgour, D. M., and Hipel, K. W. (2015). Inverse approach to the
graph model for conflict resolution. *IEEE Trans. SMC: Systems* 45(5), 734-742.
Matbouli, Y. T., Hipel, K. W., and Kilgour, D. M. (2014). A fresh perspective on
robustness of equilibrium in the graph model. *IEEE SMC 2014*, 2905-2910.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from detente.errors import AnalysisError
from detente.gmcr.graph import GraphModel
from detente.gmcr.margins import _apply, _ordinal, _single_edits
from detente.gmcr.moves import MoveGraph, MoveGraphs
from detente.gmcr.preferences import dense_ranks
from detente.gmcr.reach import legal_reach_min, legal_sequence_bfs
from detente.gmcr.results import StabilityResult, state_record
from detente.gmcr.stability import _actor_stability, normalise_concepts, stabilities
from detente.model.expressions import Expr, evaluate, parse, to_text
from detente.model.limits import Estimate, check_estimate

__all__ = [
    "EXACT_RANK_STATES",
    "EXHAUSTIVE_EDITS",
    "ROBUSTNESS_CONCEPTS",
    "Margin",
    "PreferenceChange",
    "RobustnessResult",
    "equilibrium_margins",
    "kendall_swaps",
    "ranking_distance",
    "robustness",
    "statement_distance",
]

ROBUSTNESS_CONCEPTS = ("nash", "gmr", "smr", "seq")
#: Changes of up to this many edits per party are searched exhaustively.
EXHAUSTIVE_EDITS = 2
BEAM = 25
_CHUNK = 1024
#: Under SEQ, how many other changes of the same size per party are tried when those
#: found do not make the state an equilibrium (new preferences may withdraw a sanction).
_ALTERNATIVES = 6
_BIG = np.int64(1) << np.int64(61)
#: Up to this many states, SEQ's sanction values are taken over each state's descendants
#: rather than propagated over every state.
_FEW_STATES = 64
#: Up to this many states, every set of states a ranking party could rank above a state is
#: tried (2 ** (states - 1) sets): the ranking margins are exact.
EXACT_RANK_STATES = 12
#: Beyond, how many positions of the state (the ranks of the states that decide its
#: stability, nearest first) the bounded search tries.
_RANK_THRESHOLDS = 64
#: Equilibria x ranking parties x states above which the ranking search refuses a concept
#: up front (27 million, GMR on the 4,096-state conflict of benchmarks/vs_gmcr_py.py, takes
#: about a minute on two shared cores).
_RANK_WORK = 30_000_000
_METHOD = (
    "robustness margins over option-prioritisation statements: fewest statements moved or "
    "dropped (Ulam's distance with deletions), exhaustive up to two edits per party, beam "
    "search beyond; explicit rankings: fewest pairs of states reordered (Kendall's "
    "distance), exact up to 12 states, bounded search with a lower bound beyond; every "
    "change confirmed by the full stability analysis"
)


# -- distances ---------------------------------------------------------------------------
def statement_distance(k: int, order: Sequence[int]) -> int:
    """Edits (statements moved or dropped) from the list ``0..k-1`` to ``order``.

    ``order`` lists the kept statements by their old 0-based rank. The distance is
    ``k - LCS``: every statement off the longest subsequence kept in its old relative
    order must be moved or dropped, and moving or dropping each once suffices.

    Examples
    --------
    >>> statement_distance(4, [1, 0, 2, 3]), statement_distance(4, [0, 2, 3])
    (1, 1)
    """
    tails: list[int] = []  # patience sorting: the longest increasing subsequence
    for x in order:
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if tails[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        if lo == len(tails):
            tails.append(x)
        else:
            tails[lo] = x
    return k - len(tails)


def kendall_swaps(k: int, order: Sequence[int]) -> int:
    """Adjacent swaps from ``0..k-1`` to ``order``, dropped statements moved to the bottom.

    Examples
    --------
    >>> kendall_swaps(3, [2, 0, 1]), kendall_swaps(3, [1, 2])
    (2, 2)
    """
    kept = set(order)
    full = np.array(list(order) + [x for x in range(k) if x not in kept], dtype=np.int64)
    return int(np.triu(full[:, None] > full[None, :], 1).sum())


def _orders(k: int) -> tuple[tuple[tuple[tuple[int, ...], tuple], ...], ...]:
    """Orderings at exactly 1 and 2 edits from ``0..k-1``, each with one edit path."""
    return tuple(_orders_at(k, d) for d in range(1, EXHAUSTIVE_EDITS + 1))


@lru_cache(maxsize=128)
def _orders_at(k: int, d: int) -> tuple[tuple[tuple[int, ...], tuple], ...]:
    """Orderings at exactly ``d`` edits from ``0..k-1``, each with one edit path, in the
    order a breadth-first search finds them (built on need: most searches stop at one)."""
    if d == 0:
        return ((tuple(range(k)), ()),)
    seen = {o for j in range(d) for o, _ in _orders_at(k, j)}
    found: list[tuple[tuple[int, ...], tuple]] = []
    for order, path in _orders_at(k, d - 1):
        for edit in _single_edits(len(order)):
            new = _apply(list(order), edit)
            if new is None:
                continue
            t = tuple(new)
            if t in seen:
                continue
            seen.add(t)
            found.append((t, (*path, (order[edit[0]], edit[1]))))
    return tuple(found)


def _weights(orders: Sequence[Sequence[int]], k: int) -> np.ndarray:
    w = np.zeros((len(orders), k), dtype=np.int64)
    for r, order in enumerate(orders):
        n = len(order)
        for pos, st in enumerate(order):
            w[r, st] = 1 << (n - 1 - pos)
    return w


# -- results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PreferenceChange:
    """A new list of one party's statements, or a new ranking of the states.

    Attributes
    ----------
    actor : str
        The party whose preferences change.
    edits : tuple
        ``(statement, old rank, new rank)``, 1-based ranks, new rank None for a drop,
        one per statement moved or dropped.
    statements : tuple of str
        The new list, most important first.
    size : int
        Statements moved or dropped (Ulam's distance with deletions); for a ranking, pairs
        of states reordered (Kendall's distance, :func:`ranking_distance`).
    swaps : int
        Adjacent swaps (Kendall's distance, dropped statements moved to the bottom); for
        a ranking, ``size``.
    order : tuple of int
        The new list as the statements' old 0-based ranks (``to_dict``: 1-based).
    unit : str
        ``"statements"`` or ``"ranks"`` (a party with an explicit ranking of states).
    state : int or None
        Ranks: the 0-based state the change is about.
    raised, lowered : tuple of int
        Ranks: the 0-based states the party now ranks above ``state`` and did not, and
        those it ranked above it and does not any more (``to_dict``: 1-based). The new
        ranking keeps the old order among the states above ``state`` and among the
        others; when something is lowered, ``state`` goes just above all the others.
    payoff : numpy.ndarray or None
        Ranks: the new ranking as a payoff row (higher is better); not in ``to_dict``.
    """

    actor: str
    edits: tuple[tuple[str, int, int | None], ...]
    statements: tuple[str, ...]
    size: int
    swaps: int
    order: tuple[int, ...] = ()
    unit: str = "statements"
    state: int | None = None
    raised: tuple[int, ...] = ()
    lowered: tuple[int, ...] = ()
    payoff: np.ndarray | None = field(default=None, repr=False, compare=False)

    def describe(self) -> list[str]:
        """The edits in words."""
        out = []
        if self.unit == "ranks":
            s = (self.state or 0) + 1
            for told, what in ((self.raised, "ranks"), (self.lowered, "no longer ranks")):
                if told:
                    names = ", ".join(str(x + 1) for x in told[:8])
                    more = f" and {len(told) - 8:,} more" if len(told) > 8 else ""
                    out.append(
                        f"{self.actor} {what} state{'s' if len(told) > 1 else ''} {names}{more} "
                        f"above state {s}"
                    )
            if not out:
                out.append(f"{self.actor} ranks state {s} strictly above the states tied with it")
            out[-1] += f" ({self.size:,} pair{'s' if self.size != 1 else ''} of states reordered)"
            return out
        for text, old, new in self.edits:
            if new is None:
                out.append(f"{self.actor} drops {text!r} (now {_ordinal(old)})")
            else:
                out.append(
                    f"{self.actor} ranks {text!r} {_ordinal(new)} instead of {_ordinal(old)}"
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "size": self.size,
            "swaps": self.swaps,
            "edits": [{"statement": t, "from_rank": a, "to_rank": b} for t, a, b in self.edits],
            "statements": list(self.statements),
            "order": [k + 1 for k in self.order],
            "unit": self.unit,
            "raised": [x + 1 for x in self.raised],
            "lowered": [x + 1 for x in self.lowered],
            "described": self.describe(),
        }


@dataclass(frozen=True)
class Margin:
    """The smallest change found that removes an equilibrium or makes a state one.

    Attributes
    ----------
    state : int
        0-based state index (``to_dict`` gives the 1-based record).
    concept : str
        ``nash``, ``gmr``, ``smr`` or ``seq``.
    kind : str
        ``"remove"`` (the state is an equilibrium) or ``"make"`` (it is not).
    labels : tuple of str
        What the state is in the case: ``status_quo``, proposal ids.
    size : int or None
        Total statements moved or dropped; None when nothing was found.
    lower_bound : int or None
        No change smaller than this exists (of the kind searched); None when no change
        of any size exists (``impossible``).
    exact : bool
        ``size == lower_bound``: the change is minimal.
    guarantee : str
        What the search proves, in words.
    changes : tuple of PreferenceChange
        One per party whose list changes.
    unstable_for : dict
        After the change (full analysis): party -> the 0-based states it can then
        improve to without a sanction. Empty for ``make`` when it worked.
    confirmed : bool
        The full stability analysis of the edited model agrees with the search.
    stable_before : dict
        Party -> whether the state was stable for it before the change.
    impossible : bool
        No change of the kind searched, of any size, does it.
    single_edit_parties : tuple of str
        ``remove`` only: the parties one edit of whose own list (one adjacent swap of
        whose ranking) makes the state unstable for themselves (exhaustive; how many
        parties could unsettle it alone).
    unit : str
        What ``size`` counts: ``"statements"`` (moved or dropped), ``"ranks"`` (pairs of
        states reordered in a ranking) or ``"mixed"`` (both, each counting one).
    model : GraphModel
        The model before the change (for ``to_dict``'s state record).
    """

    state: int
    concept: str
    kind: str
    labels: tuple[str, ...]
    size: int | None
    lower_bound: int | None
    exact: bool
    guarantee: str
    changes: tuple[PreferenceChange, ...]
    unstable_for: dict[str, tuple[int, ...]]
    confirmed: bool
    stable_before: dict[str, bool]
    impossible: bool = False
    single_edit_parties: tuple[str, ...] = ()
    unit: str = "statements"
    model: GraphModel | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        if self.model is None:
            raise ValueError("this margin was built without its model")
        return {
            "state": state_record(self.model, self.state),
            "concept": self.concept,
            "kind": self.kind,
            "labels": list(self.labels),
            "size": self.size,
            "lower_bound": self.lower_bound,
            "exact": self.exact,
            "guarantee": self.guarantee,
            "changes": [c.to_dict() for c in self.changes],
            "unstable_for": {a: [t + 1 for t in ts] for a, ts in self.unstable_for.items()},
            "confirmed": self.confirmed,
            "stable_before": dict(self.stable_before),
            "impossible": self.impossible,
            "single_edit_parties": list(self.single_edit_parties),
            "unit": self.unit,
        }


@dataclass(frozen=True, eq=False)
class RobustnessResult:
    """Robustness margins of a case's equilibria, status quo and proposals.

    Attributes
    ----------
    model : GraphModel
    case_id, scenario : str or None
    concepts : tuple of str
    equilibria : dict
        ``concept -> tuple of Margin`` (kind ``remove``), one per equilibrium.
    states : dict
        ``concept -> tuple of Margin`` for the status quo and the proposals' states
        (kind ``remove`` when the state is an equilibrium, ``make`` otherwise).
    parties : tuple of str
        Parties whose statements were searched; the others (explicit rankings) keep
        their preferences.
    parameters : dict
        ``max_edits``, ``beam``.

    ``to_dict()`` gives ``{"case", "scenario", "method", "distance", "concepts",
    "parties", "parameters", "equilibria": {concept: [margin]}, "states": {concept:
    [margin]}, "summary": {concept: {"equilibria", "margin_counts", "min_margin"}},
    "state_numbering": "1-based"}``, each margin as :meth:`Margin.to_dict`: ``state``
    (index, code, pattern, options), ``concept``, ``kind``, ``labels``, ``size``,
    ``lower_bound``, ``exact``, ``guarantee``, ``changes`` (actor, size, swaps, edits
    with from/to ranks, the new statements, their old 1-based ranks as ``order``,
    described), ``unstable_for`` (party -> the
    1-based states it improves to unsanctioned after the change), ``confirmed``,
    ``stable_before``, ``impossible``, ``single_edit_parties``. ``summary.margin_counts`` counts equilibria by
    margin: ``"1"``, ``"2"``, ``">2"`` (none within two edits, or a larger ranking
    change), ``"impossible"``, ``"not found"`` (SEQ rankings: no change makes the state
    unstable for the party whose ranking changes, and changes that withdraw a sanction
    were not searched).
    """

    model: GraphModel
    case_id: str | None
    scenario: str | None
    concepts: tuple[str, ...]
    equilibria: dict[str, tuple[Margin, ...]]
    states: dict[str, tuple[Margin, ...]]
    parties: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        summary = {}
        for c, margins in self.equilibria.items():
            counts: dict[str, int] = {}
            for g in margins:
                if g.size is not None:
                    key = str(g.size) if g.size <= EXHAUSTIVE_EDITS else f">{EXHAUSTIVE_EDITS}"
                elif g.impossible:
                    key = "impossible"
                elif (g.lower_bound or 0) > EXHAUSTIVE_EDITS:
                    key = f">{EXHAUSTIVE_EDITS}"
                else:
                    key = "not found"
                counts[key] = counts.get(key, 0) + 1
            sizes = [g.size for g in margins if g.size is not None]
            summary[c] = {
                "equilibria": len(margins),
                "margin_counts": counts,
                "min_margin": min(sizes) if sizes else None,
            }
        return {
            "case": self.case_id,
            "scenario": self.scenario,
            "method": _METHOD,
            "distance": "statements moved or dropped (Ulam's distance with deletions); ties "
            "broken by adjacent swaps (Kendall's distance); for parties that rank the states, "
            "pairs of states reordered (Kendall's distance, a tie made or broken counting one)",
            "concepts": list(self.concepts),
            "parties": list(self.parties),
            "parameters": dict(self.parameters),
            "equilibria": {c: [g.to_dict() for g in v] for c, v in self.equilibria.items()},
            "states": {c: [g.to_dict() for g in v] for c, v in self.states.items()},
            "summary": summary,
            "state_numbering": "1-based",
        }


# -- the search ---------------------------------------------------------------------------
@dataclass
class _Party:
    index: int
    actor: str
    texts: list[str]
    truth: np.ndarray  # (K, n) int64: statement k holds in state s


class _Search:
    """Evaluators of candidate orderings for one model, with shared structures."""

    def __init__(
        self,
        model: GraphModel,
        statements: Mapping[str, Sequence[str | Expr]],
        concepts: Sequence[str] = ("nash",),
        stability: StabilityResult | None = None,
        rankings: Sequence[str] = (),
    ):
        if model.perceived is not None:
            raise AnalysisError(
                "robustness margins are not computed for models with misperceptions"
            )
        self.model = model
        self.graphs = MoveGraphs(model)
        self.n = model.n_states
        self.fast = not np.any(model.direction != 0)
        self.parties: dict[int, _Party] = {}
        bits = {o: (model.states >> k) & 1 == 1 for k, o in enumerate(model.options)}
        for actor, stmts in statements.items():
            a = model.actor_index(actor)
            exprs = [parse(s) if isinstance(s, str) else s for s in stmts]
            texts = [s if isinstance(s, str) else to_text(s) for s in stmts]
            truth = np.array(
                [np.broadcast_to(np.asarray(evaluate(e, bits), bool), (self.n,)) for e in exprs],
                dtype=np.int64,
            ).reshape(len(exprs), self.n)
            if len(exprs) > 40:
                raise AnalysisError(f"{actor} has {len(exprs)} statements; at most 40 are searched")
            base = _weights([list(range(len(exprs)))], len(exprs)) @ truth
            if not np.array_equal(dense_ranks(base[0]), dense_ranks(model.payoff[a])):
                raise AnalysisError(
                    f"the statements given for {actor} do not produce its payoff in the model"
                )
            self.parties[a] = _Party(a, model.actors[a], texts, truth)
        self.rank_parties: list[int] = []
        for actor in rankings:
            a = model.actor_index(actor)
            if a in self.parties:
                raise AnalysisError(f"{actor} is given both statements and a ranking to edit")
            if a not in self.rank_parties:
                self.rank_parties.append(a)
        self.rank_parties.sort()
        self._groups: dict[int, np.ndarray] = {}
        self._sorted: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._components: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        if (
            stability is None
            or stability.model is not model
            or not set(concepts) <= set(stability.concepts)
        ):
            stability = stabilities(model, concepts=concepts)
        self.base = stability
        self._robust: dict[tuple[int, int], np.ndarray] = {}
        self._descendants: dict[tuple[int, int], np.ndarray] = {}

    # structures -------------------------------------------------------------------------
    def sorted_groups(self, a: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """States sorted by the options ``a`` does not control: order, starts, group id."""
        if a not in self._sorted:
            key = self.model.states & ~np.int64(self.model.actor_mask(a))
            order = np.argsort(key, kind="stable")
            skey = key[order]
            new = np.ones(self.n, dtype=bool)
            new[1:] = skey[1:] != skey[:-1]
            starts = np.flatnonzero(new)
            gid = np.empty(self.n, dtype=np.int64)
            gid[order] = np.cumsum(new) - 1
            self._sorted[a] = (order, starts, gid)
        return self._sorted[a]

    def groups(self, a: int) -> np.ndarray:
        """``(n, g)``: the states in each state's group for ``a`` (its moves and itself)."""
        if a not in self._groups:
            order, starts, gid = self.sorted_groups(a)
            sizes = np.diff(np.append(starts, self.n))
            g = int(sizes.max())
            col = np.arange(g)[None, :]
            own = gid[:, None]
            pos = starts[own] + col
            valid = col < sizes[own]
            members = order[np.minimum(pos, self.n - 1)]
            self._groups[a] = np.where(valid, members, np.arange(self.n)[:, None])
        return self._groups[a]

    def components(self, a: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Connected components of the union of the opponents' move graphs: order, starts,
        component id per state (all options reversible)."""
        if a not in self._components:
            label = np.arange(self.n, dtype=np.int64)
            opponents = [k for k in range(self.model.n_actors) if k != a]
            while True:
                old = label.copy()
                for k in opponents:
                    order, starts, gid = self.sorted_groups(k)
                    label = np.minimum.reduceat(label[order], starts)[gid]
                if np.array_equal(old, label):
                    break
            _, cid = np.unique(label, return_inverse=True)
            cid = cid.reshape(-1)
            order = np.argsort(cid, kind="stable")
            sc = cid[order]
            new = np.ones(self.n, dtype=bool)
            new[1:] = sc[1:] != sc[:-1]
            self._components[a] = (order, np.flatnonzero(new), cid)
        return self._components[a]

    # evaluators -------------------------------------------------------------------------
    def escapes_all(
        self, a: int, concept: str, payoff: np.ndarray, states: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For candidate payoffs ``(c, n)`` of ``a``: the count of unsanctioned improvements
        of ``a`` from each of ``states`` (default every state), ``(c, len(states))``; and
        the sanction values at the states ``a`` moves to from them, as ``(cols, value)``
        with ``value`` of shape ``(c, len(cols))`` (a UI to ``s1`` from ``s`` is sanctioned
        when ``value[s1] <= payoff[s]``)."""
        every = np.arange(self.n, dtype=np.int64)
        states = every if states is None else np.asarray(states, dtype=np.int64).reshape(-1)
        if not self.fast:
            count, value = self._escapes_slow(a, concept, payoff)
            return count[:, states], every, value
        members = self.groups(a)[states]  # (m, g): the states a moves to, and the state
        cols, inv = np.unique(members, return_inverse=True)
        inv = inv.reshape(members.shape)
        value = self.sanction_values(a, concept, payoff, cols)
        ps = payoff[:, states]
        count = np.zeros(ps.shape, dtype=np.int32)
        for col in range(members.shape[1]):
            count += (payoff[:, members[:, col]] > ps) & (value[:, inv[:, col]] > ps)
        return count, cols, value

    def sanction_values(
        self, a: int, concept: str, payoff: np.ndarray, cols: np.ndarray
    ) -> np.ndarray:
        """``(c, len(cols))``: for candidate payoffs ``(c, n)`` of ``a``, the least payoff
        the opponents' responses of the concept can leave ``a`` with from each state of
        ``cols`` (all options reversible)."""
        c = payoff.shape[0]
        if concept == "nash":
            return np.full((c, cols.size), _BIG, dtype=np.int64)
        if concept in ("gmr", "smr"):
            v = payoff
            if concept == "smr":
                order, starts, gid = self.sorted_groups(a)
                v = np.maximum.reduceat(payoff[:, order], starts, axis=1)[:, gid]
            order, starts, cid = self.components(a)
            return np.minimum.reduceat(v[:, order], starts, axis=1)[:, cid[cols]]
        if cols.size > _FEW_STATES:
            return self._improvement_descendants_min(a, payoff)[:, cols]
        # A few states: the minimum over each one's descendants (fixed sets, as the
        # opponents' preferences do not change), without propagating over every state.
        value = np.empty((c, cols.size), dtype=np.int64)
        for i, t in enumerate(cols.tolist()):
            value[:, i] = payoff[:, self.descendants(a, t)].min(axis=1)
        return value

    def descendants(self, a: int, state: int) -> np.ndarray:
        """``state`` and the states the opponents of ``a`` reach from it by sequences of
        their unilateral improvements (in the union of their improvement graphs)."""
        key = (a, state)
        if key not in self._descendants:
            graphs = [self.graphs[k] for k in range(self.model.n_actors) if k != a]
            reached = np.zeros(self.n, dtype=bool)
            reached[state] = True
            frontier = np.array([state], dtype=np.int64)
            while frontier.size:
                found = [g.frontier_targets(frontier, improving=True)[1] for g in graphs]
                new = np.unique(np.concatenate(found)) if found else frontier[:0]
                frontier = new[~reached[new]]
                reached[frontier] = True
            self._descendants[key] = np.flatnonzero(reached)
        return self._descendants[key]

    def _improvement_descendants_min(self, a: int, payoff: np.ndarray) -> np.ndarray:
        """Minimum of ``payoff`` over each state and the states the opponents reach from it
        by sequences of their unilateral improvements (their preferences as stated)."""
        graphs = [self.graphs[k] for k in range(self.model.n_actors) if k != a]
        value = payoff.copy()
        for _ in range(self.n + 1):
            old = value.copy()
            for g in graphs:  # each mover sees the values the previous one just lowered
                np.minimum(value, _batched_min_improving(g, value), out=value)
            if np.array_equal(old, value):
                return value
        raise AnalysisError("improvement reach did not settle")  # pragma: no cover

    def _escapes_slow(
        self, a: int, concept: str, payoff: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The general stability code, one candidate at a time (directed options)."""
        count = np.zeros(payoff.shape, dtype=np.int32)
        for r in range(payoff.shape[0]):
            edited = _with_payoff(self.model, {a: payoff[r]})
            graphs = MoveGraphs(edited)
            for k in range(self.model.n_actors):
                if k != a:
                    graphs._graphs[k] = self.graphs[k]
            row = _actor_stability(graphs, a, (concept,), horizon=2)[concept]
            count[r] = ~row
        return count, np.full(payoff.shape, _BIG, dtype=np.int64)

    def seq_robust(self, j: int, a: int) -> np.ndarray:
        """States SEQ-stable for ``j`` whatever ``a``'s preferences: stable when ``a`` makes
        no improvement at all (improvements of ``a`` only add sanctions against ``j``)."""
        key = (j, a)
        if key not in self._robust:
            movers = [k for k in range(self.model.n_actors) if k not in (j, a)]
            p = self.graphs.rank[j]
            m = legal_reach_min(self.graphs, movers, p, improving=True)
            self._robust[key] = self.graphs[j].reduce_max(m, improving=True) <= p
        return self._robust[key]

    def local(self, a: int, state: int, concept: str) -> _Local:
        """The conditions for ``state`` to be stable for ``a`` (see :class:`_Local`)."""
        return _Local(self, a, state, concept)


def _batched_min_improving(g: MoveGraph, values: np.ndarray) -> np.ndarray:
    """:meth:`MoveGraph.reduce_min` with ``improving=True`` for a batch of value rows (the
    same segmented running minimum, one row per candidate ordering)."""
    vs = values[:, g.order]
    span = np.int64(int(vs.max()) + 3 if vs.size else 3)
    shift = g.gid.astype(np.int64) * span
    run = np.minimum.accumulate(vs - shift[None, :], axis=1) + shift[None, :]
    prev = g.prev_better
    res = np.where(prev[None, :] >= 0, run[:, np.maximum(prev, 0)], _BIG)
    out = np.empty_like(res)
    out[:, g.order] = res
    return out


class _Local:
    """The stability conditions of one state for one party, over its statements' truth
    patterns (margins.py's check, batched over candidate orderings, with SMR)."""

    def __init__(self, search: _Search, a: int, state: int, concept: str):
        model, graphs = search.model, search.graphs
        party = search.parties[a]
        opponents = [k for k in range(model.n_actors) if k != a]
        moves = graphs[a].targets(np.array([state]))[1]
        alts: list[np.ndarray] = []
        groups: list[list[np.ndarray]] = []
        involved = [np.array([state]), moves]
        for s1 in moves.tolist():
            if concept == "nash":
                reached = np.zeros(0, dtype=np.int64)
            elif concept in ("gmr", "smr") and search.fast:
                # The component of s1 in the opponents' moves (s1 itself is never a
                # sanction: the party prefers it to the state).
                _order, _starts, cid = search.components(a)
                reached = np.flatnonzero(cid == cid[s1])
            else:
                reached = legal_sequence_bfs(
                    graphs, opponents, int(s1), improving=concept == "seq"
                ).reached
            alts.append(reached)
            involved.append(reached)
            if concept == "smr":
                esc = [
                    np.concatenate(([s2], graphs[a].targets(np.array([s2]))[1]))
                    for s2 in reached.tolist()
                ]
                groups.append(esc)
                involved.extend(esc)
        cols = np.unique(np.concatenate(involved)).astype(np.int64)
        pats, inv = np.unique(party.truth[:, cols].T, axis=0, return_inverse=True)
        where = dict(zip(cols.tolist(), inv.reshape(-1).tolist(), strict=True))
        self.s = where[int(state)]
        self.moves = [where[int(t)] for t in moves.tolist()]
        # A payoff is a sum of statement weights, all positive: over a set of states its
        # minimum is reached at a truth pattern no other pattern of the set is inside.
        self.alts = [_minimal(pats, np.unique([where[int(t)] for t in r.tolist()])) for r in alts]
        self.groups: list[np.ndarray] = []
        for esc in groups:
            rows = {tuple(sorted({where[int(t)] for t in e.tolist()})) for e in esc}
            width = max((len(r) for r in rows), default=1)
            arr = np.array([list(r) + [r[0]] * (width - len(r)) for r in rows], dtype=np.int64)
            self.groups.append(arr.reshape(len(rows), width))
        used = np.unique(
            np.concatenate(
                [[self.s], self.moves, *self.alts, *(g.reshape(-1) for g in self.groups)]
            )
        ).astype(np.int64)
        remap = np.zeros(pats.shape[0], dtype=np.int64)
        remap[used] = np.arange(used.size)
        self.patterns = pats[used].T  # (K, used patterns)
        self.s = int(remap[self.s])
        self.moves = [int(remap[t]) for t in self.moves]
        self.alts = [remap[x] for x in self.alts]
        self.groups = [remap[g] for g in self.groups]
        self.concept = concept

    def escapes(self, weights: np.ndarray) -> np.ndarray:
        """Unsanctioned improvements from the state, per candidate (rows of ``weights``)."""
        p = weights @ self.patterns
        ps = p[:, self.s]
        count = np.zeros(weights.shape[0], dtype=np.int32)
        for k, t in enumerate(self.moves):
            improving = p[:, t] > ps
            if self.concept == "nash":
                count += improving
                continue
            if self.concept == "smr":
                grp = self.groups[k]
                sanctioned = (
                    (p[:, grp].max(axis=2) <= ps[:, None]).any(axis=1)
                    if grp.size
                    else np.zeros_like(improving)
                )
            else:
                alt = self.alts[k]
                sanctioned = p[:, alt].min(axis=1) <= ps if alt.size else np.zeros_like(improving)
            count += improving & ~sanctioned
        return count


def _minimal(patterns: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The ids whose truth pattern contains no other pattern among ``ids``."""
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size <= 1:
        return ids
    m = patterns[ids].astype(bool)
    inside = (m[:, None, :] <= m[None, :, :]).all(axis=2)  # inside[y, x]: y within x
    np.fill_diagonal(inside, False)
    return ids[~inside.any(axis=0)]


def _can_improve(party: _Party, moves: np.ndarray, state: int) -> bool:
    """Some ordering of the party's statements makes some move an improvement: a move
    to a state satisfying a statement the state does not (else every payoff there is at
    most the state's, whatever the order)."""
    t = party.truth[:, moves]
    return bool((t > party.truth[:, [state]]).any())


def _with_payoff(model: GraphModel, rows: Mapping[int, np.ndarray]) -> GraphModel:
    payoff = model.payoff.copy()
    for a, row in rows.items():
        payoff[a] = dense_ranks(np.asarray(row))
    return dataclasses.replace(model, payoff=payoff)


def _change(
    party: _Party, order: Sequence[int], path: Sequence[tuple[int, int | None]]
) -> PreferenceChange:
    k = len(party.texts)
    moved: list[tuple[int, int | None]] = []
    for st, _new in path:
        if st in [m for m, _ in moved]:
            continue
        moved.append((st, _new))
    edits = tuple(
        (party.texts[st], st + 1, (list(order).index(st) + 1) if st in order else None)
        for st, _ in moved
    )
    return PreferenceChange(
        actor=party.actor,
        edits=edits,
        statements=tuple(party.texts[s] for s in order),
        size=statement_distance(k, order),
        swaps=kendall_swaps(k, order),
        order=tuple(order),
    )


def _path_from_orders(k: int, order: Sequence[int]) -> tuple[tuple[int, int | None], ...]:
    """One minimal set of statements to move or drop: those off a longest kept subsequence."""
    kept = list(order)
    # longest increasing subsequence with back-pointers
    n = len(kept)
    best = [1] * n
    back = [-1] * n
    for i in range(n):
        for j in range(i):
            if kept[j] < kept[i] and best[j] + 1 > best[i]:
                best[i], back[i] = best[j] + 1, j
    stay: set[int] = set()
    if n:
        i = max(range(n), key=lambda x: best[x])
        while i >= 0:
            stay.add(kept[i])
            i = back[i]
    path: list[tuple[int, int | None]] = [
        (st, kept.index(st) if st in kept else None) for st in range(k) if st not in stay
    ]
    return tuple(path)


def _unsanctioned(model: GraphModel, a: int, state: int, concept: str) -> tuple[int, ...]:
    """The improvements of ``a`` from ``state`` that no response of the concept answers
    (straight from the definitions, for the few states a report lists)."""
    graphs = MoveGraphs(model)
    p = graphs.rank[a]
    _, targets = graphs[a].targets(np.array([state]), improving=True)
    opponents = [k for k in range(model.n_actors) if k != a]
    out = []
    for s1 in targets.tolist():
        if concept == "nash":
            out.append(int(s1))
            continue
        reached = legal_sequence_bfs(graphs, opponents, int(s1), improving=concept == "seq").reached
        values = p[reached]
        if concept == "smr":
            values = np.array(
                [
                    max(int(p[s2]), int(p[graphs[a].targets(np.array([s2]))[1]].max(initial=0)))
                    for s2 in reached.tolist()
                ],
                dtype=np.int64,
            )
        if not (values.size and (values <= p[state]).any()):
            out.append(int(s1))
    return tuple(sorted(out))


@dataclass
class _Found:
    size: int
    swaps: int
    actor: int
    order: tuple[int, ...]
    path: tuple


def _better(new: _Found, old: _Found | None) -> bool:
    return old is None or (new.size, new.swaps, new.actor) < (old.size, old.swaps, old.actor)


def _pick(hit: np.ndarray, swaps: np.ndarray) -> int | None:
    """The candidate with the fewest swaps among the hits (first on ties), or None."""
    if not hit.any():
        return None
    return int(np.where(hit, swaps, np.iinfo(np.int64).max).argmin())


def _level(
    party: _Party, d: int
) -> tuple[list[tuple[int, ...]], list[tuple], np.ndarray, np.ndarray]:
    return _level_k(len(party.texts), d)


@lru_cache(maxsize=64)
def _level_k(k: int, d: int) -> tuple[list[tuple[int, ...]], list[tuple], np.ndarray, np.ndarray]:
    """The orderings at exactly ``d`` edits from ``0..k-1``: paths, weights and swaps."""
    level = _orders_at(k, d) if k else ()
    orders = [o for o, _ in level]
    paths = [p for _, p in level]
    weights, swaps = _weights_and_swaps(orders, k)
    weights.setflags(write=False)
    swaps.setflags(write=False)
    return orders, paths, weights, swaps


def _weights_and_swaps(orders: Sequence[Sequence[int]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_weights` and :func:`kendall_swaps` of many orderings at once."""
    m = len(orders)
    if not m:
        return np.zeros((0, k), dtype=np.int64), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter((len(o) for o in orders), dtype=np.int64, count=m)
    flat = np.fromiter(itertools.chain.from_iterable(orders), dtype=np.int64)
    rows = np.repeat(np.arange(m), lengths)
    starts = np.cumsum(lengths) - lengths
    pos = np.arange(flat.size) - np.repeat(starts, lengths)
    # Each statement's place in the full list: the kept ones where the ordering puts
    # them, the dropped ones at the bottom in their old order.
    place = np.broadcast_to(np.arange(k, dtype=np.int64), (m, k)) + lengths[:, None]
    place = place.copy()
    place[rows, flat] = pos
    weights = np.zeros((m, k), dtype=np.int64)
    weights[rows, flat] = np.left_shift(1, lengths[rows] - 1 - pos)
    swaps = np.zeros(m, dtype=np.int64)
    for a in range(k - 1):
        swaps += (place[:, a : a + 1] > place[:, a + 1 :]).sum(axis=1)
    return weights, swaps


def _local_search(
    loc: _Local,
    party: _Party,
    *,
    want_stable: bool,
    max_edits: int,
    beam: int,
    others: list[_Found] | None = None,
) -> tuple[_Found | None, int]:
    """The smallest change of ``party``'s list after which the state's escape count is zero
    (``want_stable``) or positive; returns the change and the proven lower bound. Within
    the exhaustive radius, ``others`` receives the other changes of the same size (fewest
    swaps first)."""
    k = len(party.texts)
    scored: list[tuple[int, int, tuple[int, ...], tuple]] = []
    for d in range(1, EXHAUSTIVE_EDITS + 1):
        orders, paths, weights, swaps = _level(party, d)
        best: int | None = None
        counts = np.zeros(len(orders), dtype=np.int32)
        for lo in range(0, len(orders), _CHUNK):
            counts[lo : lo + _CHUNK] = loc.escapes(weights[lo : lo + _CHUNK])
        hit = counts == 0 if want_stable else counts > 0
        best = _pick(hit, swaps)
        if best is not None:
            if others is not None:
                ok = np.flatnonzero(hit)
                for r in ok[np.argsort(swaps[ok], kind="stable")][1:_ALTERNATIVES].tolist():
                    others.append(_Found(d, int(swaps[r]), party.index, orders[r], paths[r]))
            return _Found(d, int(swaps[best]), party.index, orders[best], paths[best]), d
        if d == EXHAUSTIVE_EDITS and want_stable:
            rank = np.lexsort((swaps, counts))[:beam]
            scored = [(int(counts[r]), int(swaps[r]), orders[r], paths[r]) for r in rank]
    lower = EXHAUSTIVE_EDITS + 1
    if not want_stable or not scored:
        return None, lower
    # Beyond the exhaustive radius: a beam over the orderings that leave fewest escapes.
    seen = {o for lvl in _orders(k) for o, _ in lvl}
    seen.add(tuple(range(k)))
    frontier = scored
    for _depth in range(EXHAUSTIVE_EDITS + 1, max_edits + 1):
        cands: list[tuple[tuple[int, ...], tuple]] = []
        for _, _, order, path in frontier:
            for edit in _single_edits(len(order)):
                new = _apply(list(order), edit)
                if new is None or tuple(new) in seen:
                    continue
                seen.add(tuple(new))
                cands.append((tuple(new), (*path, (order[edit[0]], edit[1]))))
        if not cands:
            break
        weights = _weights([o for o, _ in cands], k)
        counts = np.concatenate(
            [loc.escapes(weights[lo : lo + _CHUNK]) for lo in range(0, len(cands), _CHUNK)]
        )
        sizes = np.array([statement_distance(k, o) for o, _ in cands], dtype=np.int64)
        swaps = np.array([kendall_swaps(k, o) for o, _ in cands], dtype=np.int64)
        ok = np.flatnonzero(counts == 0)
        if ok.size:
            r = int(ok[np.lexsort((swaps[ok], sizes[ok]))[0]])
            order = cands[r][0]
            return _Found(
                int(sizes[r]), int(swaps[r]), party.index, order, _path_from_orders(k, order)
            ), lower
        rank = np.lexsort((swaps, counts))[:beam]
        frontier = [(int(counts[r]), int(swaps[r]), cands[r][0], cands[r][1]) for r in rank]
    return None, lower


def _removals(
    search: _Search, concept: str, eq: Sequence[int]
) -> dict[int, tuple[_Found | None, dict[str, tuple[int, ...]], bool, tuple[str, ...]]]:
    """For each equilibrium: the smallest change of one party's list that removes it, the
    improvements (party -> targets) the search saw unsanctioned after it, whether no
    change of any size can remove it, and the parties one edit of whose own list makes it
    unstable for themselves (for Nash: no party has a move to a state that
    satisfies a statement the equilibrium does not; one edit, moving that statement
    first, would otherwise do; for the others: no party has such a move at all)."""
    found: dict[int, _Found] = {}
    escapes: dict[int, dict[str, tuple[int, ...]]] = {}
    alone: dict[int, list[str]] = {}
    if not eq:
        return {}
    eq_arr = np.asarray(eq, dtype=np.int64)
    for a in sorted(search.parties):
        party = search.parties[a]
        if not party.texts:
            continue
        orders, paths, weights, swaps = _level(party, 1)
        payoff = weights @ party.truth
        count, cols, value = search.escapes_all(a, concept, payoff, eq_arr)
        hit = count > 0
        for j in np.flatnonzero(hit.any(axis=0)).tolist():
            alone.setdefault(int(eq_arr[j]), []).append(party.actor)
        key = np.where(hit, swaps[:, None], np.iinfo(np.int64).max)
        rows = key.argmin(axis=0)
        members = search.groups(a)
        for j in np.flatnonzero(hit.any(axis=0)).tolist():
            r = int(rows[j])
            cand = _Found(1, int(swaps[r]), a, orders[r], paths[r])
            s = int(eq_arr[j])
            if _better(cand, found.get(s)):
                found[s] = cand
                p, t = payoff[r], members[s]
                v = value[r, np.searchsorted(cols, t)]
                esc = t[(p[t] > p[s]) & (v > p[s])] if search.fast else np.zeros(0, np.int64)
                escapes[s] = {party.actor: tuple(sorted(set(esc.tolist())))} if esc.size else {}
    if concept == "seq":
        _credibility_edits(search, [int(x) for x in eq_arr if int(x) not in found], found)
    impossible: set[int] = set()
    for s in [int(x) for x in eq_arr if int(x) not in found]:
        # A party that cannot be edited keeps its improvements; under SEQ an edit of
        # another party could leave one of them unsanctioned.
        possible = concept == "seq" and any(
            search.graphs[j].targets(np.array([s]), improving=True)[1].size
            for j in range(search.model.n_actors)
            if j not in search.parties
        )
        for a in sorted(search.parties):
            party = search.parties[a]
            moves = search.graphs[a].targets(np.array([s]))[1]
            if not party.texts or not _can_improve(party, moves, s):
                continue
            possible = True
            if concept == "nash":
                continue  # moving the statement up would have been found at one edit
            loc = search.local(a, s, concept)
            pair, _ = _local_search(loc, party, want_stable=False, max_edits=2, beam=0)
            if pair is not None and _better(pair, found.get(s)):
                found[s] = pair
                escapes[s] = {}
        if not possible or concept == "nash":
            impossible.add(s)
    return {
        int(s): (
            found.get(int(s)),
            escapes.get(int(s), {}),
            int(s) in impossible,
            tuple(alone.get(int(s), ())),
        )
        for s in eq_arr
    }


def _credibility_edits(search: _Search, states: Sequence[int], found: dict[int, _Found]) -> None:
    """SEQ: single edits of one party that remove an equilibrium by leaving another party's
    improvement without a credible sanction, checked with the general SEQ code (for the
    few equilibria no single edit destabilises for the edited party itself)."""
    model = search.model
    for a in sorted(search.parties):
        party = search.parties[a]
        todo = {
            s: [
                j
                for j in range(model.n_actors)
                if j != a and search.graphs[j].targets(np.array([s]), improving=True)[1].size
            ]
            for s in states
        }
        todo = {s: js for s, js in todo.items() if js}
        if not party.texts or not todo:
            continue
        orders, paths, weights, swaps = _level(party, 1)
        payoff = weights @ party.truth
        for r in np.argsort(swaps, kind="stable").tolist():
            edited = _with_payoff(model, {a: payoff[r]})
            graphs = MoveGraphs(edited)
            for k in range(model.n_actors):
                if k != a:
                    graphs._graphs[k] = search.graphs[k]
            rows: dict[int, np.ndarray] = {}
            for s, js in list(todo.items()):
                for j in js:
                    if j not in rows:
                        rows[j] = _actor_stability(graphs, j, ("seq",), horizon=2)["seq"]
                    if not rows[j][s]:
                        cand = _Found(1, int(swaps[r]), a, orders[r], paths[r])
                        if _better(cand, found.get(s)):
                            found[s] = cand
                        del todo[s]
                        break
            if not todo:
                break


# -- explicit rankings ---------------------------------------------------------------------
def ranking_distance(before: np.ndarray, after: np.ndarray) -> int:
    """Pairs of states whose order differs between two rankings (payoff rows, higher is
    better): Kendall's distance, the fewest adjacent swaps between two strict rankings,
    extended to ties (a pair that becomes or stops being a tie counts as one).

    Examples
    --------
    >>> ranking_distance(np.array([3, 2, 1]), np.array([1, 2, 3]))
    3
    >>> ranking_distance(np.array([3, 2, 1]), np.array([2, 2, 1]))
    1
    """
    b = np.asarray(before, dtype=np.int64).reshape(-1)
    a = np.asarray(after, dtype=np.int64).reshape(-1)
    total = 0
    for lo in range(0, b.size, 512):  # rows of the pair matrix, a block at a time
        sb = np.sign(b[lo : lo + 512, None] - b[None, :])
        sa = np.sign(a[lo : lo + 512, None] - a[None, :])
        total += int((sb != sa).sum())
    return total // 2


@dataclass
class _RankFound:
    size: int
    lower: int
    exact: bool
    actor: int
    above: np.ndarray  # (n,) bool: the states the party ranks above the state afterwards
    loc: _RankLocal | None = None


class _RankLocal:
    """The stability of one state for one party as a function of the set ``U`` of states
    the party ranks strictly above it (all the concepts here depend on nothing else of its
    ranking): an improvement ``t`` is a move in ``U``, a sanction a state out of ``U``
    (SMR: with all of the party's moves from it out of ``U``)."""

    def __init__(self, search: _Search, a: int, state: int, concept: str):
        graphs, model = search.graphs, search.model
        self.s, self.concept, self.n = state, concept, model.n_states
        self.r = model.payoff[a].astype(np.int64)
        self._sorted: np.ndarray | None = None
        self.moves = graphs[a].targets(np.array([state]))[1]
        opponents = [k for k in range(model.n_actors) if k != a]
        self.reach: list[np.ndarray] = []
        self.escape: dict[int, np.ndarray] = {}
        for t in self.moves.tolist():
            if concept == "nash":
                reached = np.zeros(0, dtype=np.int64)
            elif search.fast and concept in ("gmr", "smr"):
                # All options reversible: the component of t in the opponents' moves (t
                # itself among them is no sanction, the party ranking it above the state).
                cid = search.components(a)[2]
                reached = np.flatnonzero(cid == cid[t])
            elif search.fast:
                reached = search.descendants(a, int(t))  # t and its descendants
            else:
                reached = legal_sequence_bfs(
                    graphs, opponents, int(t), improving=concept == "seq"
                ).reached
            self.reach.append(reached)
        # SMR: each responding state z with the party's escapes from it, one padded row per
        # z (z itself fills the padding: "z and every escape out of the set").
        self.zs = np.unique(np.concatenate(self.reach)) if self.reach else np.zeros(0, np.int64)
        if concept == "smr" and self.zs.size:
            if search.fast:
                self.esc = search.groups(a)[self.zs]
            else:
                rows = [graphs[a].targets(np.array([z]))[1] for z in self.zs.tolist()]
                width = max(1, *(r.size for r in rows)) if rows else 1
                self.esc = np.array(
                    [np.concatenate([r, np.full(width - r.size, z)]) for z, r in
                     zip(self.zs.tolist(), rows, strict=True)],
                    dtype=np.int64,
                ).reshape(self.zs.size, width)  # fmt: skip
            self.escape = {z: row for z, row in zip(self.zs.tolist(), self.esc, strict=True)}

    def relevant(self) -> np.ndarray:
        parts = [self.moves, *self.reach, *self.escape.values()]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def unsanctioned(self, above: np.ndarray) -> np.ndarray:
        """``(m, len(moves))``: for candidate sets (rows of ``above``, ``(m, n)`` bool),
        the improvements that no sanction answers."""
        out = np.zeros((above.shape[0], self.moves.size), dtype=bool)
        ok: np.ndarray | None = None
        for k, t in enumerate(self.moves.tolist()):
            hit = above[:, t].copy()
            reach = self.reach[k]
            if self.concept in ("gmr", "seq"):
                hit &= above[:, reach].all(axis=1)
            elif self.concept == "smr" and reach.size:
                if ok is None:  # z in the set, or an escape from it in the set
                    ok = above[:, self.zs] | above[:, self.esc].any(axis=2)
                hit &= ok[:, np.searchsorted(self.zs, reach)].all(axis=1)
            out[:, k] = hit
        return out

    def stable(self, above: np.ndarray) -> np.ndarray:
        return np.asarray(~self.unsanctioned(above).any(axis=1), dtype=bool)

    def cost(self, above: np.ndarray) -> np.ndarray:
        """:func:`ranking_distance` from the ranking to the nearest ranking whose set of
        states above the state is each row of ``above``: every state of the set must beat
        every state out of it (pairs counted when they did not), the order inside the set
        is kept, and out of it the state must be best; when some state that was above it
        is not any more, that takes its pairs with those states and with the states tied
        with it (it goes strictly above them all; fewer changes cannot put it on top)."""
        r, s = self.r, self.s
        if self._sorted is None:
            self._sorted = np.sort(r)
        order = np.argsort(r, kind="stable")
        first = np.searchsorted(self._sorted, r, side="left")  # where each state's rank starts
        out = np.empty(above.shape[0], dtype=np.int64)
        for lo in range(0, above.shape[0], 256):
            rows = above[lo : lo + 256]
            rest = ~rows
            # For each x in the set: the states out of it ranked at least as high as x (a
            # suffix count over the states sorted by rank).
            suffix = np.cumsum(rest[:, order][:, ::-1], axis=1)[:, ::-1]
            suffix = np.concatenate([suffix, np.zeros((rows.shape[0], 1), np.int64)], axis=1)
            cross = np.where(rows, suffix[:, first], 0).sum(axis=1)
            rest[:, s] = False
            violators = (rest & (r > r[s])).sum(axis=1)
            ties = (rest & (r == r[s])).sum(axis=1)
            out[lo : lo + 256] = cross + np.where(violators > 0, violators + ties, 0)
        return out

    def payoff(self, above: np.ndarray) -> np.ndarray:
        """The ranking :meth:`cost` measures, as a payoff row."""
        r, s = self.r, self.s
        new = r.copy()
        rest = ~above
        rest[s] = False
        if (rest & (r > r[s])).any():
            new[s] = int(r[rest].max()) + 1
        if above.any():
            top = int(new[~above].max())
            new[above] = r[above] - int(r[above].min()) + top + 1
        return dense_ranks(new)

    def lower_bound(self, want_stable: bool) -> int:
        """A lower bound on the change. A state ``x`` that must cross the state (go above
        it, or stop being above it) changes, with ``x`` or with the state, its pair with
        every state ranked between them or tied with either: ``1 +`` that many
        (:meth:`crossing`). For a removal, the fewest over the improvements that could go
        unsanctioned of the most any state that must go above costs, and of how many
        must; to make the state stable, the most over the unsanctioned improvements of
        the least it costs to answer it, and the count of disjoint sets of states from
        each of which one must leave the set above (a packing)."""
        now = self.r > self.r[self.s]
        if not want_stable:
            need = []
            for k, t in enumerate(self.moves.tolist()):
                members = np.array([t], dtype=np.int64)
                if self.concept in ("gmr", "seq"):
                    reach = self.reach[k]
                    if (reach == self.s).any():
                        continue
                    members = reach if (reach == t).any() else np.append(reach, t)
                up = members[~now[members]]
                need.append(max(up.size, int(self.crossing(up).max(initial=0))))
            return max(1, min(need)) if need else 0
        bad = self.unsanctioned(now[None, :])[0]
        used: set[int] = set()
        packed = 0
        most = 0
        for k in np.flatnonzero(bad).tolist():
            group: set[int] = {int(self.moves[k])}
            if self.concept in ("gmr", "seq", "smr"):
                group |= set(self.reach[k].tolist())
            if self.concept == "smr":
                for z in self.reach[k].tolist():
                    group |= set(self.escape[z].tolist())
            group = {x for x in group if now[x] and x != self.s}  # only these can go down
            most = max(most, int(self.crossing(np.fromiter(group, np.int64)).min()))
            if not group & used:
                used |= group
                packed += 1
        return max(1, packed, most)

    def crossing(self, xs: np.ndarray) -> np.ndarray:
        """Pairs that change when each of ``xs`` crosses the state: ``(x, state)`` and, for
        every other state ``y`` ranked between them or tied with either, ``(x, y)`` or
        ``(y, state)`` (else ``y`` would keep ``x`` on its side)."""
        if self._sorted is None:
            self._sorted = np.sort(self.r)
        rx, rs = self.r[np.asarray(xs, dtype=np.int64)], self.r[self.s]
        lo, hi = np.minimum(rx, rs), np.maximum(rx, rs)
        inside = np.searchsorted(self._sorted, hi, "right") - np.searchsorted(self._sorted, lo)
        return np.asarray(inside - 1, dtype=np.int64)


def _rank_search(loc: _RankLocal, a: int, *, want_stable: bool) -> _RankFound | None:
    """The change of ``a``'s ranking with the fewest pairs reordered after which the state
    is stable (``want_stable``) or unstable for ``a``: every set of states above it when
    the model has at most :data:`EXACT_RANK_STATES` states, otherwise the sets of three
    families (the state moved up or down; the improvements and their sanctions' states
    moved above it; the state moved up and the improvements then left unsanctioned moved
    below it), with the lower bound of :meth:`_RankLocal.lower_bound`. None when no
    change of the ranking does it."""
    n, s, r = loc.n, loc.s, loc.r
    now = r > r[s]
    now[s] = False
    if n <= EXACT_RANK_STATES:
        others = np.delete(np.arange(n), s)
        codes = np.arange(1 << others.size, dtype=np.int64)
        above = np.zeros((codes.size, n), dtype=bool)
        above[:, others] = (codes[:, None] >> np.arange(others.size)) & 1 == 1
        ok = loc.stable(above) if want_stable else ~loc.stable(above)
        if not ok.any():
            return None
        rows = np.flatnonzero(ok)
        cost = loc.cost(above[rows])
        flips = (above[rows] != now).sum(axis=1)
        best = int(rows[np.lexsort((flips, cost))[0]])
        size = int(cost.min())
        return _RankFound(size, size, True, a, above[best], loc)
    lower = loc.lower_bound(want_stable)
    if not want_stable and lower == 0:
        return None
    # The state moved: thresholds at the ranks of the states that matter, nearest first.
    values = np.unique(np.append(r[loc.relevant()], r[s]))
    values = values[np.argsort(np.abs(values - r[s]), kind="stable")][:_RANK_THRESHOLDS]
    cands = [r > v for v in values.tolist()] + [r >= v for v in values.tolist()]
    if want_stable:
        cands.append(np.zeros(n, dtype=bool))
    else:
        for k, t in enumerate(loc.moves.tolist()):
            cands.append(now.copy())
            cands[-1][t] = True
            cands[-1][loc.reach[k]] = True
    above = np.array(cands, dtype=bool).reshape(len(cands), n)
    above[:, s] = False
    if want_stable:
        lifted = above[~(above & ~now).any(axis=1)]  # the state moved up, or kept
        bad = loc.unsanctioned(lifted)
        dropped = lifted.copy()
        for k, t in enumerate(loc.moves.tolist()):
            dropped[bad[:, k], t] = False
        above = np.vstack([above, dropped])
    ok = loc.stable(above) if want_stable else ~loc.stable(above)
    if not ok.any():
        return None
    rows = np.flatnonzero(ok)
    cost = loc.cost(above[rows])
    best = int(rows[int(cost.argmin())])
    size = int(cost.min())
    return _RankFound(size, min(lower, size), size <= lower, a, above[best], loc)


def _rank_change(search: _Search, loc: _RankLocal, found: _RankFound) -> PreferenceChange:
    model = search.model
    before = loc.r > loc.r[loc.s]
    new = loc.payoff(found.above)
    # The pairwise count is quadratic: checked on models small enough (tests check the rest).
    if model.n_states <= 1024 and ranking_distance(loc.r, new) != found.size:  # pragma: no cover
        raise AnalysisError("the ranking change does not have the size computed")
    return PreferenceChange(
        actor=model.actors[found.actor],
        edits=(),
        statements=(),
        size=found.size,
        swaps=found.size,
        unit="ranks",
        state=loc.s,
        raised=tuple(np.flatnonzero(found.above & ~before).tolist()),
        lowered=tuple(np.flatnonzero(~found.above & before).tolist()),
        payoff=new.astype(np.int32),
    )


def _rank_removals(
    search: _Search, concept: str, eq: Sequence[int]
) -> dict[int, tuple[_RankFound | None, bool, tuple[str, ...], int]]:
    """For each equilibrium: the smallest change of one ranking party's ranking found that
    makes it unstable for that party, whether none can, the parties one swap unsettles,
    and the lower bound over the ranking parties."""
    out: dict[int, tuple[_RankFound | None, bool, tuple[str, ...], int]] = {}
    for s in eq:
        best: _RankFound | None = None
        alone: list[str] = []
        lower: int | None = None
        for a in search.rank_parties:
            loc = _RankLocal(search, a, int(s), concept)
            found = _rank_search(loc, a, want_stable=False)
            if found is None:
                continue
            lower = found.lower if lower is None else min(lower, found.lower)
            if found.size == 1:
                alone.append(search.model.actors[a])
            if best is None or found.size < best.size:
                best = found
        out[int(s)] = (best, best is None, tuple(alone), lower or 0)
    return out


def _guarantee_remove(size: int | None, concept: str) -> str:
    seq = (
        " (SEQ: single edits are checked for every party's stability; pairs only for the "
        "edited party's own, so a pair that only makes a sanction against another party "
        "incredible is not searched)"
        if concept == "seq" and size != 1
        else ""
    )
    if size is None:
        return f"no change of one party's list by at most {EXHAUSTIVE_EDITS} edits removes it{seq}"
    if size == 1:
        return "minimal: one edit of one party's list removes it" + seq
    return f"minimal: no single edit of any party's list removes it; these {size} do{seq}"


def _margin_remove(
    search: _Search,
    concept: str,
    s: int,
    item: tuple[_Found | None, dict[str, tuple[int, ...]], bool, tuple[str, ...]],
    labels: tuple[str, ...],
    confirm: bool,
    cache: dict,
) -> Margin:
    model = search.model
    cand, seen, impossible, alone = item
    before = {a: True for a in model.actors}
    if cand is None:
        guarantee = (
            "no change of one party's list, of any size, removes it: no party has a move to "
            "a state that satisfies a statement of its own that this state does not"
            if impossible
            else _guarantee_remove(None, concept)
        )
        if not any(p.texts for p in search.parties.values()):
            impossible, guarantee = False, "not searched: no party states statements"
        return Margin(
            s, concept, "remove", labels, None, None if impossible else EXHAUSTIVE_EDITS + 1,
            False, guarantee, (), {}, True, before, impossible, alone, model=model,
        )  # fmt: skip
    party = search.parties[cand.actor]
    change = _change(party, cand.order, cand.path)
    unstable = dict(seen)
    confirmed = True
    if confirm or not unstable:
        stable, unstable = _outcome(search, concept, {cand.actor: cand.order}, s, cache, known=seen)
        confirmed = not bool(stable.all()) and (not seen or not bool(stable[cand.actor]))
    return Margin(
        s, concept, "remove", labels, cand.size, cand.size, True,
        _guarantee_remove(cand.size, concept), (change,), unstable, confirmed, before, False,
        alone, model=model,
    )  # fmt: skip


def _margin_remove_ranked(
    search: _Search,
    concept: str,
    s: int,
    stmt: Margin,
    item: tuple[_RankFound | None, bool, tuple[str, ...], int],
    cache: dict,
) -> Margin:
    """The statement margin ``stmt`` merged with the ranking parties' search: the smaller
    change (a statement moved and a pair of states reordered each count one)."""
    if not search.rank_parties:
        return stmt
    model = search.model
    found, _, alone, lower = item
    has_statements = any(p.texts for p in search.parties.values())
    alone_all = tuple(
        model.actors[a]
        for a in range(model.n_actors)
        if model.actors[a] in set(stmt.single_edit_parties) | set(alone)
    )
    seq = (
        " (SEQ: only changes that make it unstable for the party whose ranking changes are "
        "searched; one that only makes that party's sanction against another incredible is not)"
        if concept == "seq" and (found is None or found.size > 1)
        else ""
    )
    if found is None:
        # No ranking party can unsettle it for itself. Under SEQ, another party's
        # improvement might lose its sanction, unless no party has an improvement from it.
        rank_impossible = concept != "seq" or not any(
            search.graphs[j].targets(np.array([s]), improving=True)[1].size
            for j in range(model.n_actors)
        )
        stmt_impossible = stmt.impossible or not has_statements
        impossible = rank_impossible and stmt_impossible
        if not has_statements:
            guarantee = (
                "no change of any party's ranking, of any size, removes it: each move of a "
                "ranking party from it is answered by a response it cannot rank above it"
                if impossible
                else "no change of one party's ranking makes it unstable for that party" + seq
            )
            return dataclasses.replace(
                stmt, lower_bound=None if impossible else 1, guarantee=guarantee,
                impossible=impossible, single_edit_parties=alone_all,
            )  # fmt: skip
        return dataclasses.replace(
            stmt,
            impossible=impossible,
            lower_bound=stmt.lower_bound
            if impossible or stmt.lower_bound
            else EXHAUSTIVE_EDITS + 1,
            single_edit_parties=alone_all,
        )
    stmt_lower = stmt.lower_bound if has_statements and not stmt.impossible else None
    if stmt.size is not None and stmt.size <= found.size:
        low = min(x for x in (stmt.lower_bound, lower) if x is not None)
        return dataclasses.replace(
            stmt, lower_bound=low, exact=stmt.size == low, single_edit_parties=alone_all
        )
    low = min(x for x in (stmt_lower, lower) if x is not None)
    loc = found.loc or _RankLocal(search, found.actor, s, concept)
    change = _rank_change(search, loc, found)
    escapes = loc.moves[loc.unsanctioned(found.above[None, :])[0]]
    known = {model.actors[found.actor]: tuple(sorted(escapes.tolist()))}
    stable, unstable = _outcome(
        search, concept, {}, s, cache, ranked={found.actor: np.asarray(change.payoff)}, known=known
    )
    confirmed = not bool(stable.all()) and not bool(stable[found.actor])
    exact = found.size == low
    if exact:
        guarantee = (
            "minimal: no change of fewer pairs of states in any party's ranking"
            + (" or statements in any party's list" if has_statements else "")
            + " removes it"
            + seq
        )
    else:
        guarantee = (
            f"upper bound: no change smaller than {low} exists (rankings are searched "
            f"exactly up to {EXACT_RANK_STATES} states, by a bounded search beyond"
            + (f"; statements up to {EXHAUSTIVE_EDITS} edits" if has_statements else "")
            + ")"
            + seq
        )
    return Margin(
        s, concept, "remove", stmt.labels, found.size, low, exact, guarantee, (change,),
        unstable, confirmed, stmt.stable_before, False, alone_all, unit="ranks", model=model,
    )  # fmt: skip


def _outcome(
    search: _Search,
    concept: str,
    rows: Mapping[int, tuple[int, ...]],
    state: int,
    cache: dict,
    *,
    known: Mapping[str, tuple[int, ...]] | None = None,
    ranked: Mapping[int, np.ndarray] | None = None,
) -> tuple[np.ndarray, dict[str, tuple[int, ...]]]:
    """Stability of ``state`` for every party after the change, from the full analysis, and
    the unsanctioned improvements of the parties it is then unstable for (``known`` gives
    those the search already listed)."""
    known = known or {}
    ranked = ranked or {}
    key = tuple(sorted(rows.items()))
    if ranked:
        # A ranking change is met once: keeping its move graphs would only fill memory.
        cache = {}
    if key not in cache:
        payoffs = {
            a: (_weights([order], len(search.parties[a].texts)) @ search.parties[a].truth)[0]
            for a, order in rows.items()
        }
        payoffs.update({a: np.asarray(p, dtype=np.int64) for a, p in ranked.items()})
        edited = _with_payoff(search.model, payoffs)
        graphs = MoveGraphs(edited)
        for k in range(edited.n_actors):
            if k not in payoffs:
                graphs._graphs[k] = search.graphs[k]
        cache[key] = (edited, graphs, {})
    edited, graphs, table = cache[key]

    def row(k: int) -> np.ndarray:
        if k not in table:
            table[k] = _actor_stability(graphs, k, (concept,), horizon=2)[concept]
        return table[k]

    stable = search.base.stable[concept][:, state].copy()
    for k in range(edited.n_actors):
        # Nash, GMR and SMR stability of a party depends on its own preferences only; under
        # SEQ a party stays stable if it does without the edited parties' improvements.
        changed = [*rows, *ranked]
        if k in changed or (
            concept == "seq"
            and stable[k]
            and not all(search.seq_robust(k, a)[state] for a in changed)
        ):
            stable[k] = row(k)[state]
    unstable = {
        edited.actors[a]: known.get(edited.actors[a]) or _unsanctioned(edited, a, state, concept)
        for a in np.flatnonzero(~stable).tolist()
    }
    return stable, unstable


def _margin_make(
    search: _Search,
    concept: str,
    s: int,
    labels: tuple[str, ...],
    *,
    max_edits: int,
    beam: int,
    cache: dict,
) -> Margin:
    model = search.model
    col = search.base.stable[concept][:, s]
    before = {model.actors[a]: bool(col[a]) for a in range(model.n_actors)}
    changes: list[PreferenceChange] = []
    rows: dict[int, tuple[int, ...]] = {}
    alternatives: dict[int, list[_Found]] = {}
    chosen: dict[int, _Found] = {}
    lower = 0
    total: int | None = 0
    missing: list[str] = []
    ranked: list[str] = []
    beamed: list[str] = []
    ranks: dict[int, np.ndarray] = {}
    bounded: list[str] = []
    for a in np.flatnonzero(~col).tolist():
        if a in search.rank_parties:
            loc_r = _RankLocal(search, a, s, concept)
            found_r = _rank_search(loc_r, a, want_stable=True)
            if found_r is None:  # pragma: no cover - ranking it first always does
                raise AnalysisError("no ranking makes the state stable")
            change_r = _rank_change(search, loc_r, found_r)
            ranks[a] = np.asarray(change_r.payoff)
            changes.append(change_r)
            lower += found_r.lower
            if total is not None:
                total += found_r.size
            if not found_r.exact:
                bounded.append(model.actors[a])
            continue
        party = search.parties.get(a)
        if party is None or not party.texts:
            ranked.append(model.actors[a])
            total = None
            continue
        loc = search.local(a, s, concept)
        alternatives[a] = []
        cand, low = _local_search(
            loc, party, want_stable=True, max_edits=max_edits, beam=beam, others=alternatives[a]
        )
        if cand is None:
            missing.append(model.actors[a])
            lower += low
            total = None
            continue
        lower += min(cand.size, low)
        if cand.size > EXHAUSTIVE_EDITS:
            beamed.append(model.actors[a])
        if total is not None:
            total += cand.size
        rows[a] = cand.order
        chosen[a] = cand
        changes.append(_change(party, cand.order, cand.path))
    confirmed = False
    unstable: dict[str, tuple[int, ...]] = {}
    if total is not None and (rows or ranks):
        stable, unstable = _outcome(search, concept, rows, s, cache, ranked=ranks)
        confirmed = bool(stable.all())
        if not confirmed and concept == "seq" and rows:
            # Other changes of the same sizes, fewest swaps in all first.
            options = [[chosen[a], *alternatives.get(a, [])] for a in rows]
            combos = sorted(itertools.product(*options), key=lambda c: sum(f.swaps for f in c))
            for combo in combos[1 : 8 * _ALTERNATIVES]:
                trial = {f.actor: f.order for f in combo}
                stable, unstable = _outcome(search, concept, trial, s, cache, ranked=ranks)
                if stable.all():
                    confirmed, rows = True, trial
                    kept = [c for c in changes if c.unit == "ranks"]
                    changes = [_change(search.parties[f.actor], f.order, f.path) for f in combo]
                    changes += kept
                    break
    seq = (
        "; SEQ: each party's own list changes with the others' as stated (a change of "
        "another party that makes its sanctions credible is not searched)"
        if concept == "seq"
        else ""
    )
    if ranked:
        guarantee = (
            f"not searched: {', '.join(ranked)} states no statements (an explicit ranking or "
            "none), and only statements are edited"
        )
    elif total is None:
        guarantee = (
            f"no change of at most {max_edits} edits (exhaustive up to {EXHAUSTIVE_EDITS}, beam "
            f"beyond) of their own lists makes it stable for {', '.join(missing)}" + seq
        )
        lower = max(lower, 1)
    elif beamed:
        guarantee = (
            f"{'minimal' if total == lower else 'upper bound'}: no change of at most "
            f"{EXHAUSTIVE_EDITS} edits makes it stable for {', '.join(beamed)}; the change "
            f"found by beam search has {total} edits in all" + seq
        )
    elif bounded and total != lower:
        guarantee = (
            f"upper bound: the rankings of {', '.join(bounded)} were searched by a bounded "
            f"search (more than {EXACT_RANK_STATES} states); no change smaller than {lower} "
            "in all exists" + seq
        )
    else:
        guarantee = (
            "minimal: for each party it is unstable for, no smaller change of its own "
            f"{'preferences' if ranks else 'list'} makes it stable (exhaustive up to "
            f"{EXHAUSTIVE_EDITS} edits"
            + (f"; rankings exactly up to {EXACT_RANK_STATES} states" if ranks else "")
            + "), and a party's stability depends on its own preferences only"
            if concept != "seq"
            else "minimal for each party's own preferences (exhaustive up to "
            f"{EXHAUSTIVE_EDITS} edits"
            + (f"; rankings exactly up to {EXACT_RANK_STATES} states" if ranks else "")
            + ")"
            + seq
        )
    units = {c.unit for c in changes}
    unit = units.pop() if len(units) == 1 else ("mixed" if units else "statements")
    return Margin(
        s, concept, "make", labels, total, lower, total is not None and total == lower,
        guarantee, tuple(changes), unstable, confirmed, before, False, unit=unit, model=model,
    )  # fmt: skip


def margins_estimate(n_states: int, rank_work: Any = ()) -> Estimate:
    """The time and peak memory of :func:`equilibrium_margins`, from the number of states
    and, for parties with explicit rankings, the work of their search (equilibria x
    ranking parties x states, per concept). Measured on two cores (December 2026):
    statements alone took about 18 KB and up to 0.8 ms per state for the four concepts
    (3 parties and 65,536 states: 13.6 s, 825 MB; the trade conflict's 138,240 states:
    111 s, 2.5 GB); rankings about 160 bytes and 2.6 us per unit of work at the peak
    concept (a 4,096-state conflict with 27 million units for SMR: 4.3 GB, 164 s in all)."""
    work = list(rank_work)
    return Estimate(
        8e-4 * n_states + 2.6e-6 * sum(work), 18_000 * n_states + 160 * max(work, default=0)
    )


def equilibrium_margins(
    model: GraphModel,
    statements: Mapping[str, Sequence[str | Expr]],
    *,
    concepts: Sequence[str] = ROBUSTNESS_CONCEPTS,
    states: Mapping[int, Sequence[str]] | None = None,
    max_edits: int = 4,
    beam: int = BEAM,
    confirm: bool = True,
    case_id: str | None = None,
    scenario: str | None = None,
    stability: StabilityResult | None = None,
    rankings: Sequence[str] = (),
) -> RobustnessResult:
    """Robustness margins of every equilibrium, and of chosen states, under each concept.

    Parameters
    ----------
    model : GraphModel
        The conflict; no misperceptions.
    statements : mapping
        ``actor id -> statements`` (most important first) that produce the actor's
        payoff in ``model``; parties not listed keep their preferences.
    concepts : sequence of {"nash", "gmr", "smr", "seq"}
    states : mapping, optional
        ``0-based state -> labels`` (e.g. ``{sq: ["status_quo"]}``) to report too: the
        change that removes it if it is an equilibrium, that makes it one otherwise.
    max_edits : int
        Depth of the beam search past the exhaustive radius (two edits per party).
    beam : int
        Orderings kept per beam level.
    confirm : bool
        Confirm every change that removes an equilibrium with the full stability
        analysis (changes that make one are always confirmed).
    stability : StabilityResult, optional
        The stability analysis of ``model`` under the concepts, when already computed.
    rankings : sequence of str
        Parties whose ranking of the states (their payoff in ``model``) is searched, in
        pairs of states reordered (:func:`ranking_distance`); not in ``statements``.

    Returns
    -------
    RobustnessResult

    Raises
    ------
    AnalysisError
        Misperceptions, statements that do not produce the model's payoffs, more
        than 40 statements, or a state out of range.
    ValueError
        A concept other than Nash, GMR, SMR or SEQ, or ``max_edits`` below 2.

    Examples
    --------
    A wants to match B and, other things equal, not to take ``a``; B wants ``b``:

    >>> prefs = {"A": ["a iff b", "-a"], "B": ["b", "-a"]}
    >>> m = GraphModel.from_options(
    ...     actors=["A", "B"], options={"a": "A", "b": "B"}, preferences=prefs)
    >>> r = equilibrium_margins(m, prefs, concepts=["nash"])
    >>> [(g.state + 1, g.size, g.changes[0].describe()) for g in r.equilibria["nash"]]
    [(4, 1, ["A ranks 'a iff b' 2nd instead of 1st"])]
    """
    concepts = normalise_concepts(concepts)
    bad = [c for c in concepts if c not in ROBUSTNESS_CONCEPTS]
    if bad:
        raise ValueError(
            f"robustness margins are computed for {', '.join(ROBUSTNESS_CONCEPTS)}, not {', '.join(bad)}"
        )
    if max_edits < EXHAUSTIVE_EDITS:
        raise ValueError(f"max_edits must be at least {EXHAUSTIVE_EDITS}")
    states = dict(states or {})
    for s in states:
        if not 0 <= int(s) < model.n_states:
            raise AnalysisError(f"state {int(s) + 1} does not exist (1..{model.n_states})")
    search = _Search(model, statements, concepts, stability=stability, rankings=rankings)
    # Every limit is checked before any search starts.
    rank_work = {}
    for c in concepts:
        work = len(search.base.equilibria(c)) * len(search.rank_parties) * model.n_states
        if work > _RANK_WORK and model.n_states > EXACT_RANK_STATES:
            raise AnalysisError(
                f"ranking margins of {work // max(model.n_states * len(search.rank_parties), 1):,} "
                f"{c.upper()} equilibria over {model.n_states:,} states for "
                f"{len(search.rank_parties)} parties are too much work "
                f"({work:,} > {_RANK_WORK:,}); ask for fewer concepts or a smaller model"
            )
        rank_work[c] = work
    check_estimate(
        f"robustness margins of {model.n_states:,} states ({', '.join(concepts)})",
        margins_estimate(model.n_states, rank_work.values()),
        fits="ask for fewer concepts, or analyse a smaller model (fewer options)",
        path=("options",),
    )
    equilibria: dict[str, tuple[Margin, ...]] = {}
    chosen: dict[str, tuple[Margin, ...]] = {}
    for c in concepts:
        eq = search.base.equilibria(c)
        cache: dict = {}
        found = _removals(search, c, eq)
        ranked = _rank_removals(search, c, eq) if search.rank_parties else {}
        labels = {int(s): tuple(v) for s, v in states.items()}
        margins = {
            s: _margin_remove(search, c, s, found[s], labels.get(s, ()), confirm, cache) for s in eq
        }
        for s in ranked:
            margins[s] = _margin_remove_ranked(search, c, s, margins[s], ranked[s], cache)
        equilibria[c] = tuple(margins[s] for s in eq)
        out = []
        for s, lab in labels.items():
            if s in margins:
                out.append(margins[s])
            else:
                out.append(
                    _margin_make(search, c, s, lab, max_edits=max_edits, beam=beam, cache=cache)
                )
        chosen[c] = tuple(out)
    return RobustnessResult(
        model=model,
        case_id=case_id,
        scenario=scenario,
        concepts=concepts,
        equilibria=equilibria,
        states=chosen,
        parties=tuple(model.actors[a] for a in sorted([*search.parties, *search.rank_parties])),
        parameters={
            "max_edits": max_edits,
            "beam": beam,
            "exhaustive_edits": EXHAUSTIVE_EDITS,
            "exact_rank_states": EXACT_RANK_STATES,
        },
    )


def robustness(
    case: Any,
    *,
    concepts: Sequence[str] = ROBUSTNESS_CONCEPTS,
    max_edits: int = 4,
    beam: int = BEAM,
    confirm: bool = True,
    conflict: Any = None,
) -> RobustnessResult:
    """Robustness margins of a case's equilibria, its status quo and its proposals.

    Every party that states option-prioritisation statements is searched; parties with
    an explicit ranking keep it. ``conflict`` is the case's graph-model analysis
    (:func:`detente.gmcr.case.analyze_conflict`) when the caller has it: its model,
    stability and proposals' states are used rather than computed again. See
    :func:`equilibrium_margins`.

    Examples
    --------
    The status quo of the 2022 deadlock is a Nash equilibrium that no change of one
    party's priorities removes:

    >>> import detente
    >>> r = robustness(detente.load("korea"), concepts=["nash"])
    >>> [(g.labels, g.size, g.impossible) for g in r.equilibria["nash"]]
    [(('status_quo',), None, True)]
    """
    from detente.gmcr.case import _proposal_standings, graph_model

    if (
        conflict is not None
        and conflict.case_id == case.id
        and conflict.scenario == case.scenario_id
    ):
        model, stability = conflict.model, conflict.stability
        standings = conflict.proposals
    else:
        model, stability = graph_model(case), None
        standings = None
    statements = {
        actor: [s.expr for s in prefs.statements or ()]
        for actor, prefs in case.preferences.items()
        if actor in model.actors and prefs.ranking is None
    }
    rankings = [
        actor
        for actor, prefs in case.preferences.items()
        if actor in model.actors and prefs.ranking is not None
    ]
    labels: dict[int, list[str]] = {}
    if model.status_quo is not None:
        labels.setdefault(int(model.status_quo), []).append("status_quo")
    if standings is None:
        standings = _proposal_standings(case, stabilities(model, concepts=("nash",)), None)
    for p in standings:
        labels.setdefault(p.index - 1, []).append(p.id)
    return equilibrium_margins(
        model,
        statements,
        concepts=concepts,
        states={s: tuple(v) for s, v in labels.items()},
        max_edits=max_edits,
        beam=beam,
        confirm=confirm,
        case_id=case.id,
        scenario=case.scenario_id,
        stability=stability,
        rankings=rankings,
    )
