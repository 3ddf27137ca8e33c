"""Behavioural analysis of a conflict's recorded history.

A history is a sequence of dated states ``s_0, s_1, ..., s_K`` (the case's ``history:``
section). For each step ``s_{k-1} -> s_k`` detente says who moved (the parties whose
options changed), whether the move was a unilateral improvement (one mover, a
unilateral move it strictly prefers), a coalition improvement (several movers: ``s_k``
is reachable from ``s_{k-1}`` by a legal sequence of their moves and every mover
strictly prefers it; Kilgour, Hipel, Fang & Peng 2001; Inohara & Hipel 2008), or
neither (a move against some mover's preferences, or one the model does not allow).

Then, for each party and each of Nash, GMR, SMR and SEQ, whether the party's observed
behaviour is consistent with the concept. This follows the behavioural analysis of
Hipel, Xu, Wang, Kilgour & Fang (2019), which takes observed stabilities (a state the
party stays at is stable for it) and asks which stability definitions agree with them.
detente reads the observations off the history by this rule:

1. **Stayed.** Party ``i`` stays at ``s_{k-1}`` when it is not among the movers of step
   ``k`` (and at the last state, unless ``include_final=False``): it could have moved
   and did not. Consistent with concept ``C`` iff ``s_{k-1}`` is ``C``-stable for ``i``.
2. **Moved alone.** ``i`` is the only mover of step ``k``. If the move is a unilateral
   improvement ``s -> t``, it is consistent with ``C`` iff ``C`` does not sanction it:
   always for Nash; for GMR iff no state of ``R_H(t)`` (the others' legal sequences of
   moves from ``t``) is no better for ``i`` than ``s``; for SMR iff each such state lets
   ``i`` escape to a state it prefers to ``s``; for SEQ iff no state of ``R_H^+(t)``
   (legal sequences of the others' unilateral improvements) is no better for ``i`` than
   ``s`` (the sanction tests of Fang, Hipel & Kilgour 1993, ch. 3, applied to the one
   improvement observed). A move that is not a unilateral improvement (against ``i``'s
   preferences, or not a move the model allows) is consistent with none of them: each
   concept assumes a party moves only to improve.
3. **Moved jointly.** ``i`` is one of several movers: the individual concepts say
   nothing about joint moves, so the step is no observation for them (the step's
   coalition verdict covers it).

Since Nash implies SMR and SEQ, which imply GMR, a stay consistent with Nash is
consistent with all four, and a move consistent with GMR is too. A party's behaviour
is consistent with a concept when every one of its observations is; ``best`` lists the
concepts that agree with the most observations.

References
----------
Hipel, K. W., Xu, H., Wang, J., Kilgour, D. M., and Fang, L. (2019). Behavioral analysis
in the graph model for conflict resolution. *IEEE Transactions on Systems, Man, and
Cybernetics: Systems* 49(5). doi:10.1109/TSMC.2017.2689004.
Fang, L., Hipel, K. W., and Kilgour, D. M. (1993). *Interactive Decision Making: The
Graph Model for Conflict Resolution*. Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.errors import CaseError, MissingPartError, Problem
from detente.gmcr.case import graph_model, memory_limit
from detente.gmcr.graph import GraphModel
from detente.gmcr.moves import MoveGraphs
from detente.gmcr.reach import legal_reach_min, legal_sequence_bfs
from detente.gmcr.results import StabilityResult, _plain, state_record
from detente.gmcr.stability import stabilities
from detente.gmcr.states import DEFAULT_MAX_BYTES
from detente.model import Case
from detente.model.case import resolve_history

__all__ = [
    "BEHAVIOUR_CONCEPTS",
    "HistoryEntryState",
    "HistoryResult",
    "HistoryStep",
    "PartyBehaviour",
    "analyze_history",
    "behavioural_analysis",
]

#: The concepts behavioural analysis tests (Hipel et al. 2019 test these four).
BEHAVIOUR_CONCEPTS = ("nash", "gmr", "smr", "seq")

STEP_KINDS = (
    "no_change",
    "unilateral_improvement",
    "unilateral_move",
    "coalition_improvement",
    "joint_move",
)


@dataclass(frozen=True)
class HistoryEntryState:
    """One recorded state: 0-based ``state`` index, ``date``, ``label``, ``sources``."""

    state: int
    date: str | None = None
    label: str | None = None
    sources: tuple[str, ...] = ()

    def to_dict(self, model: GraphModel) -> dict[str, Any]:
        return {
            "date": self.date,
            "label": self.label,
            "sources": list(self.sources),
            "state": state_record(model, self.state),
        }


@dataclass(frozen=True)
class HistoryStep:
    """One step of the history, from ``source`` to ``target`` (0-based states).

    ``kind`` is one of ``no_change``, ``unilateral_improvement`` (one mover, a move it
    is allowed and strictly prefers), ``unilateral_move`` (one mover, otherwise),
    ``coalition_improvement`` (several movers, reachable by a legal sequence of their
    moves, every mover strictly better off) and ``joint_move`` (several movers,
    otherwise). ``legal`` says whether the model allows the step as the movers' (legal
    sequence of) moves. ``gains`` gives every party's change of preference level
    (positive: better off). ``observations`` gives, per party, ``stayed``, ``moved``
    or ``moved_jointly``; ``consistent`` gives, per party, concept -> bool (None when
    the step is no observation for that party).
    """

    number: int
    source: int
    target: int
    date: str | None
    label: str | None
    movers: tuple[str, ...]
    changed: tuple[tuple[str, bool], ...]
    kind: str
    legal: bool
    gains: Mapping[str, int]
    observations: Mapping[str, str]
    consistent: Mapping[str, Mapping[str, bool | None]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.number,
            "from": self.source + 1,
            "to": self.target + 1,
            "date": self.date,
            "label": self.label,
            "movers": list(self.movers),
            "changed": {o: v for o, v in self.changed},
            "kind": self.kind,
            "legal": self.legal,
            "improved_for": [a for a in self.movers if self.gains[a] > 0],
            "gains": dict(self.gains),
            "observations": dict(self.observations),
            "consistent": {a: dict(c) for a, c in self.consistent.items()},
        }


@dataclass(frozen=True)
class PartyBehaviour:
    """Which concepts one party's observed behaviour is consistent with.

    ``n_observations`` counts its observations (stays and moves alone);
    ``n_consistent`` gives, per concept, how many of them agree with it; ``concepts``
    the concepts every observation agrees with; ``best`` the concepts agreeing with
    the most (all four when the party has no observation); ``inconsistent_steps``, per
    concept, the steps whose observation disagrees (step 0 is no step: a stay at the
    first state is reported with step 1, a stay at the last with step K + 1).
    """

    actor: str
    n_observations: int
    n_consistent: Mapping[str, int]
    concepts: tuple[str, ...]
    best: tuple[str, ...]
    inconsistent_steps: Mapping[str, tuple[int, ...]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "n_observations": self.n_observations,
            "n_consistent": dict(self.n_consistent),
            "consistent_with": list(self.concepts),
            "best": list(self.best),
            "inconsistent_steps": {c: list(v) for c, v in self.inconsistent_steps.items()},
        }


@dataclass(frozen=True, eq=False)
class HistoryResult:
    """The behavioural analysis of a history.

    Attributes
    ----------
    model : GraphModel
    entries : tuple of HistoryEntryState
        The recorded states, in order.
    steps : tuple of HistoryStep
        One per pair of consecutive entries.
    parties : tuple of PartyBehaviour
        One per party, in model order.
    final_equilibrium : mapping
        Concept -> whether the last recorded state is an equilibrium under it.
    parameters : mapping
    method : str
    case_id, scenario : str or None
    """

    model: GraphModel
    entries: tuple[HistoryEntryState, ...]
    steps: tuple[HistoryStep, ...]
    parties: tuple[PartyBehaviour, ...]
    final_equilibrium: Mapping[str, bool]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    method: str = (
        "behavioural analysis of the recorded history (after Hipel, Xu, Wang, Kilgour & Fang 2019)"
    )
    case_id: str | None = None
    scenario: str | None = None

    def party(self, actor: str) -> PartyBehaviour:
        for p in self.parties:
            if p.actor == actor:
                return p
        raise KeyError(f"unknown party {actor!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict.

        Keys: ``method``; ``case``, ``scenario``; ``parameters`` (``concepts`` tested,
        ``include_final``, ``since``, ``until``); ``rule`` (the observation rule, in
        words); ``state_numbering``; ``entries`` (per recorded state: ``date``,
        ``label``, ``sources``, ``state`` with ``index`` 1-based, ``code``,
        ``pattern``, ``options``); ``steps`` (per step: ``step`` number from 1,
        ``from``/``to`` 1-based states, ``date`` and ``label`` of the state reached,
        ``movers``, ``changed`` option -> new value, ``kind`` (``no_change``,
        ``unilateral_improvement``, ``unilateral_move``, ``coalition_improvement``,
        ``joint_move``), ``legal``, ``improved_for`` (movers better off), ``gains``
        (party -> change of preference level, positive better), ``observations``
        (party -> ``stayed``, ``moved`` or ``moved_jointly``), ``consistent`` (party
        -> concept -> bool or None)); ``parties`` (party -> ``n_observations``,
        ``n_consistent`` concept -> count, ``consistent_with``, ``best``,
        ``inconsistent_steps`` concept -> step numbers); ``final_equilibrium``
        (concept -> whether the last state is an equilibrium).
        """
        m = self.model
        return {
            "method": self.method,
            "case": self.case_id,
            "scenario": self.scenario,
            "parameters": _plain(dict(self.parameters)),
            "rule": RULE,
            "state_numbering": "1-based positions of the feasible states in increasing code order",
            "entries": [e.to_dict(m) for e in self.entries],
            "steps": [s.to_dict() for s in self.steps],
            "parties": {p.actor: p.to_dict() for p in self.parties},
            "final_equilibrium": dict(self.final_equilibrium),
        }


RULE = (
    "A party that does not move while the conflict is at a state stays there: consistent "
    "with a concept when the state is stable for it under that concept. A party that moves "
    "alone by a unilateral improvement is consistent with a concept when that concept does "
    "not sanction the improvement; a move that is no unilateral improvement is consistent "
    "with none. A joint move of several parties is no observation for the individual "
    "concepts."
)


def behavioural_analysis(
    model: GraphModel,
    states: Sequence[int],
    *,
    dates: Sequence[str | None] | None = None,
    labels: Sequence[str | None] | None = None,
    sources: Sequence[Sequence[str]] | None = None,
    include_final: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stability: StabilityResult | None = None,
) -> HistoryResult:
    """Who moved at each step of a history, and which concepts each party's behaviour fits.

    Parameters
    ----------
    model : GraphModel
        The conflict.
    states : sequence of int
        The recorded states, 0-based indices into ``model.states``, in time order.
    dates, labels, sources : sequences, optional
        One per state, reported with it.
    include_final : bool
        Count the last state as a stay of every party (the conflict rests there at the
        end of the record); False drops those observations.
    max_bytes : int
        Memory limit.
    stability : StabilityResult, optional
        The stability of ``model`` for every party under Nash, GMR, SMR and SEQ (and
        maybe more), when computed already; otherwise it is computed here.

    Returns
    -------
    HistoryResult

    Raises
    ------
    ValueError
        No state, a state index out of range, or metadata of the wrong length.

    References
    ----------
    Hipel, Xu, Wang, Kilgour & Fang (2019), IEEE TSMC: Systems 49(5), behavioural
    analysis; Fang, Hipel & Kilgour (1993), ch. 3, the stability definitions.

    Examples
    --------
    Prisoner's Dilemma: from mutual cooperation (NN) A defects, then B. A's defection
    ignored B's sanction (only Nash explains it); B held back at NN as the sanction
    concepts say, but not as Nash would:

    >>> m = GraphModel.from_options(
    ...     actors=["A", "B"], options={"dA": "A", "dB": "B"},
    ...     rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]})
    >>> r = behavioural_analysis(m, [0, 1, 3])
    >>> [s.kind for s in r.steps]
    ['unilateral_improvement', 'unilateral_improvement']
    >>> r.party("A").concepts, r.party("B").concepts
    (('nash',), ('gmr', 'smr', 'seq'))
    """
    states = [int(s) for s in states]
    if not states:
        raise ValueError("a history needs at least one state")
    for s in states:
        if not 0 <= s < model.n_states:
            raise ValueError(f"state index {s} out of range (0..{model.n_states - 1})")
    k = len(states)
    for name, seq in (("dates", dates), ("labels", labels), ("sources", sources)):
        if seq is not None and len(seq) != k:
            raise ValueError(f"{name} must give one item per state ({k}), not {len(seq)}")
    entries = tuple(
        HistoryEntryState(
            state=s,
            date=dates[j] if dates is not None else None,
            label=labels[j] if labels is not None else None,
            sources=tuple(sources[j]) if sources is not None else (),
        )
        for j, s in enumerate(states)
    )
    concepts = BEHAVIOUR_CONCEPTS
    if stability is not None and _covers(stability, model, concepts):
        stab = stability
    else:
        stab = stabilities(model, concepts=concepts, max_bytes=max_bytes)
    graphs = MoveGraphs(model, max_bytes=max_bytes)
    rank = graphs.rank
    n_actors = model.n_actors
    # Per actor and concept: the worst (lowest-ranked) state the others can push the
    # actor to from each state, under the concept's kind of sanction (computed for the
    # actors that move alone, once each, and read per move).
    worst: dict[tuple[int, str], np.ndarray] = {}

    def worst_after(i: int, c: str) -> np.ndarray:
        if (i, c) not in worst:
            others = [j for j in range(n_actors) if j != i]
            p = rank[i]
            if c == "smr":
                escape = np.maximum(p, graphs[i].reduce_max(p))
                worst[i, c] = legal_reach_min(graphs, others, escape)
            else:
                worst[i, c] = legal_reach_min(graphs, others, p, improving=c == "seq")
        return worst[i, c]

    def move_consistency(i: int, s: int, t: int) -> tuple[bool, dict[str, bool | None]]:
        """Whether s -> t is a UI of i, and per concept whether the concept allows it."""
        _, dst = graphs[i].targets(np.array([s]))
        legal = bool((dst == t).any())
        if not legal or rank[i, t] <= rank[i, s]:
            return legal, dict.fromkeys(concepts, False)
        out: dict[str, bool | None] = {"nash": True}
        for c in ("gmr", "smr", "seq"):
            out[c] = bool(worst_after(i, c)[t] > rank[i, s])
        return legal, out

    def stay_consistency(i: int, s: int) -> dict[str, bool | None]:
        return {c: bool(stab.stable[c][i, s]) for c in concepts}

    steps: list[HistoryStep] = []
    observations: list[list[tuple[int, dict[str, bool | None]]]] = [[] for _ in range(n_actors)]
    for number in range(1, k):
        s, t = states[number - 1], states[number]
        a, b = int(model.states[s]), int(model.states[t])
        diff = a ^ b
        changed = tuple(
            (opt, bool(b >> q & 1)) for q, opt in enumerate(model.options) if diff >> q & 1
        )
        movers_idx = sorted(
            {int(model.controller[q]) for q in range(model.n_options) if diff >> q & 1}
        )
        gains = {model.actors[j]: int(rank[j, t] - rank[j, s]) for j in range(n_actors)}
        obs: dict[str, str] = {}
        consistent: dict[str, dict[str, bool | None]] = {}
        for j in range(n_actors):
            if j not in movers_idx:
                obs[model.actors[j]] = "stayed"
                c = stay_consistency(j, s)
            elif len(movers_idx) == 1:
                obs[model.actors[j]] = "moved"
                _, c = move_consistency(j, s, t)
            else:
                obs[model.actors[j]] = "moved_jointly"
                c = dict.fromkeys(concepts, None)
            consistent[model.actors[j]] = c
            if obs[model.actors[j]] != "moved_jointly":
                observations[j].append((number, c))
        if not movers_idx:
            kind, legal = "no_change", True
        elif len(movers_idx) == 1:
            legal, _ = move_consistency(movers_idx[0], s, t)
            improving = rank[movers_idx[0], t] > rank[movers_idx[0], s]
            kind = "unilateral_improvement" if legal and improving else "unilateral_move"
        else:
            reach = legal_sequence_bfs(graphs, movers_idx, s)
            legal = bool(np.isin(t, reach.reached))
            improving = all(rank[j, t] > rank[j, s] for j in movers_idx)
            kind = "coalition_improvement" if legal and improving else "joint_move"
        steps.append(
            HistoryStep(
                number=number,
                source=s,
                target=t,
                date=entries[number].date,
                label=entries[number].label,
                movers=tuple(model.actors[j] for j in movers_idx),
                changed=changed,
                kind=kind,
                legal=legal,
                gains=gains,
                observations=obs,
                consistent=consistent,
            )
        )
    if include_final:
        last = states[-1]
        for j in range(n_actors):
            observations[j].append((k, stay_consistency(j, last)))
    parties = []
    for j in range(n_actors):
        obs_j = observations[j]
        n_ok = {c: sum(1 for _, v in obs_j if v[c]) for c in concepts}
        bad = {c: tuple(num for num, v in obs_j if not v[c]) for c in concepts}
        most = max(n_ok.values()) if obs_j else 0
        parties.append(
            PartyBehaviour(
                actor=model.actors[j],
                n_observations=len(obs_j),
                n_consistent=n_ok,
                concepts=tuple(c for c in concepts if n_ok[c] == len(obs_j)),
                best=tuple(c for c in concepts if n_ok[c] == most),
                inconsistent_steps=bad,
            )
        )
    final = {c: bool(stab.stable[c][:, states[-1]].all()) for c in concepts}
    return HistoryResult(
        model=model,
        entries=entries,
        steps=tuple(steps),
        parties=tuple(parties),
        final_equilibrium=final,
        parameters={"concepts": list(concepts), "include_final": include_final},
    )


def _covers(stability: StabilityResult, model: GraphModel, concepts: Sequence[str]) -> bool:
    """``stability`` is of ``model``'s conflict with its preferences, for every party
    under each of ``concepts``."""
    other = stability.model
    same = other is model or (
        other.actors == model.actors
        and other.options == model.options
        and np.array_equal(other.states, model.states)
        and np.array_equal(other.payoff, model.payoff)
        and np.array_equal(other.controller, model.controller)
        and np.array_equal(other.direction, model.direction)
        and (
            (other.perceived is None and model.perceived is None)
            or (
                other.perceived is not None
                and model.perceived is not None
                and np.array_equal(other.perceived, model.perceived)
            )
        )
    )
    analysed = stability.parameters.get("actors")
    every = analysed is None or len(analysed) == model.n_actors
    return (
        same
        and every
        and all(
            c in stability.concepts
            and stability.stable[c].shape == (model.n_actors, model.n_states)
            for c in concepts
        )
    )


def analyze_history(
    case: Case,
    *,
    since: str | None = None,
    until: str | None = None,
    include_final: bool = True,
    max_bytes: int | None = None,
    stability: StabilityResult | None = None,
) -> HistoryResult:
    """The behavioural analysis of the case's ``history:`` section.

    The parties' preferences are those of ``case`` (a scenario's view uses the
    scenario's): analyse the 2018-19 part of a history with the preferences of a
    2019 scenario, say, by passing that scenario's view and ``until="2019-12"``.

    Parameters
    ----------
    case : Case
    since, until : str, optional
        Keep only the entries dated from ``since`` / up to ``until`` (ISO prefixes
        compare as text: ``until="2019"`` keeps every date of 2019).
    include_final : bool
        See :func:`behavioural_analysis`.
    stability : StabilityResult, optional
        The stability of the case's graph model (that of its conflict analysis, say),
        reused where it covers Nash, GMR, SMR and SEQ for every party; see
        :func:`behavioural_analysis`.

    Raises
    ------
    MissingPartError
        The case has no history, or none is left between ``since`` and ``until``.

    Examples
    --------
    >>> import detente
    >>> result = analyze_history(detente.load("korea"))
    >>> [(s["date"], s["movers"], s["kind"]) for s in result.to_dict()["steps"]][-1]
    ('2022-08-22', ['USA'], 'unilateral_improvement')
    """
    case.require("history", analysis="the behavioural analysis")
    states, problems = resolve_history(case)
    if problems:
        raise CaseError([case.locate(p) for p in problems])
    max_bytes = memory_limit(max_bytes)
    model = graph_model(case, max_bytes=max_bytes)
    index = {o: q for q, o in enumerate(model.options)}
    picked = []
    for entry, taken in zip(case.history, states, strict=True):
        if since is not None and entry.date < since:
            continue
        if until is not None and entry.date[: len(until)] > until:
            continue
        code = sum(1 << index[o] for o in taken)
        try:
            picked.append((entry, model.index_of(code)))
        except KeyError:
            raise CaseError(
                case.locate(
                    Problem(
                        "this state of the history is infeasible",
                        path=("history", case.history.index(entry)),
                    )
                )
            ) from None
    if not picked:
        raise MissingPartError(
            Problem(
                f"no entry of the history is dated between {since or 'the start'} and "
                f"{until or 'the end'}",
                path=("history",),
            )
        )
    result = behavioural_analysis(
        model,
        [s for _, s in picked],
        dates=[e.date for e, _ in picked],
        labels=[e.label for e, _ in picked],
        sources=[e.sources for e, _ in picked],
        include_final=include_final,
        max_bytes=max_bytes,
        stability=stability,
    )
    return HistoryResult(
        model=result.model,
        entries=result.entries,
        steps=result.steps,
        parties=result.parties,
        final_equilibrium=result.final_equilibrium,
        parameters={**result.parameters, "since": since, "until": until},
        case_id=case.id,
        scenario=case.scenario_id,
    )
