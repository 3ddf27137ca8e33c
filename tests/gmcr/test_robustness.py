"""Robustness margins (detente.gmcr.robustness): minimality against brute force over every
ordering of every subset of the parties' statements, the definitions checked by the full
stability analysis, the fast evaluator against the general one, bad input, and korea."""

from __future__ import annotations

import itertools
import json
from collections import deque

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import detente
from detente.errors import AnalysisError, InfeasibleError
from detente.gmcr.case import graph_model
from detente.gmcr.explain import instability_explanation
from detente.gmcr.graph import GraphModel
from detente.gmcr.margins import _apply, _single_edits
from detente.gmcr.preferences import payoff_from_statements
from detente.gmcr.robustness import (
    EXHAUSTIVE_EDITS,
    _level_k,
    _Search,
    equilibrium_margins,
    kendall_swaps,
    robustness,
    statement_distance,
)
from detente.gmcr.stability import stabilities
from detente.model.expressions import parse, to_text
from tests.strategies import expressions

pytestmark = pytest.mark.gmcr

CONCEPTS = ("nash", "gmr", "smr", "seq")
FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def statement_models(draw, *, min_actors: int = 2, max_actors: int = 4, directions: bool = True):
    """Small option-form models whose parties state 1-3 statements each."""
    n_actors = draw(st.integers(min_actors, max_actors))
    actors = [f"A{i}" for i in range(n_actors)]
    n_options = draw(st.integers(n_actors, n_actors + 2))
    options = [f"o{k}" for k in range(n_options)]
    controllers = actors + [draw(st.sampled_from(actors)) for _ in range(n_options - n_actors)]
    exprs = expressions(ids=options)
    prefs = {a: [to_text(draw(exprs)) for _ in range(draw(st.integers(1, 3)))] for a in actors}
    infeasible = [to_text(draw(exprs))] if draw(st.booleans()) else []
    direction = {o: draw(st.sampled_from([0, 0, 0, 1, -1])) for o in options} if directions else {}
    try:
        model = GraphModel.from_options(
            actors=actors,
            options=list(zip(options, controllers, strict=True)),
            preferences=prefs,
            infeasible=infeasible,
            direction={o: d for o, d in direction.items() if d},
        )
    except InfeasibleError:
        assume(False)
    return model, prefs


def _orderings(k: int):
    """Every ordering of every subset of 0..k-1 (the base ordering included)."""
    for m in range(k + 1):
        yield from itertools.permutations(range(k), m)


def _edited(model, prefs, changes):
    payoff = model.payoff.copy()
    for actor, statements in changes.items():
        payoff[model.actor_index(actor)] = payoff_from_statements(
            list(statements), states=model.states, options=model.options
        )
    import dataclasses

    return dataclasses.replace(model, payoff=payoff)


def _stable(model, concept):
    return stabilities(model, concepts=(concept,)).stable[concept]


def _brute(model, prefs, concept):
    """``(actor, state) -> {"unstable": min distance making state unstable for actor,
    "stable": min distance making it stable for actor, "removed": min distance of a change
    of actor's list after which state is not an equilibrium}`` over all orderings."""
    out: dict = {}
    for actor, stmts in prefs.items():
        a = model.actor_index(actor)
        k = len(stmts)
        for order in _orderings(k):
            edited = _edited(model, prefs, {actor: [stmts[i] for i in order]})
            table = _stable(edited, concept)
            d = statement_distance(k, order)
            for s in range(model.n_states):
                keys = ["stable" if table[a, s] else "unstable"]
                if not table[:, s].all():
                    keys.append("removed")
                for key in keys:
                    cur = out.setdefault((a, s), {}).get(key)
                    if cur is None or d < cur:
                        out[(a, s)][key] = d
    return out


def _least(values):
    return min((d for d in values if d is not None), default=None)


@FEW
@given(statement_models(), st.sampled_from(CONCEPTS))
def test_margins_are_minimal_by_brute_force(data, concept) -> None:
    model, prefs = data
    base = _stable(model, concept)
    eq = set(np.flatnonzero(base.all(axis=0)).tolist())
    others = [s for s in range(model.n_states) if s not in eq][:4]
    result = equilibrium_margins(
        model, prefs, concepts=[concept], states={s: ("chosen",) for s in others}
    )
    brute = _brute(model, prefs, concept)
    actors = range(model.n_actors)
    for g in result.equilibria[concept]:
        assert g.kind == "remove" and g.state in eq
        assert set(g.single_edit_parties) == {
            model.actors[a] for a in actors if brute[(a, g.state)].get("unstable") == 1
        }
        own = _least(brute[(a, g.state)].get("unstable") for a in actors)
        removed = _least(brute[(a, g.state)].get("removed") for a in actors)
        # Nash, GMR, SMR: a party's stability depends on its own list only. SEQ: one edit
        # is checked for every party's stability, two for the edited party's own.
        best = own if concept != "seq" or removed != 1 else 1
        if best is not None and best <= EXHAUSTIVE_EDITS:
            assert g.size == best and g.exact
        else:
            assert g.size is None
        if g.size is not None:
            assert removed is not None and g.size >= removed
        if g.impossible:
            assert removed is None
        if g.size is not None:
            (change,) = g.changes
            edited = _edited(model, prefs, {change.actor: change.statements})
            after = _stable(edited, concept)[:, g.state]
            assert not after.all()
            assert g.confirmed
            assert set(g.unstable_for) == {model.actors[k] for k in np.flatnonzero(~after)}
            for actor, targets in g.unstable_for.items():
                why = instability_explanation(edited, actor, g.state, concept=concept)
                assert set(targets) == {c.target for c in why.improvements if not c.sanctioned}
            assert change.statements == tuple(prefs[change.actor][i] for i in change.order)
            assert change.size == statement_distance(len(prefs[change.actor]), change.order)
            if concept != "seq":
                assert set(g.unstable_for) == {change.actor}
            assert change.actor in g.unstable_for or concept == "seq"
    for g in result.states[concept]:
        assert g.kind == "make"
        unstable = [a for a in actors if not base[a, g.state]]
        mins = [brute[(a, g.state)].get("stable") for a in unstable]
        if all(d is not None and d <= EXHAUSTIVE_EDITS for d in mins):
            assert g.size == sum(mins) and g.exact
        elif any(d is None for d in mins):
            assert g.size is None
        else:
            assert g.size is None or g.size >= sum(mins)
        if g.size is not None:
            assert g.lower_bound is not None and g.lower_bound <= g.size
            edited = _edited(model, prefs, {c.actor: c.statements for c in g.changes})
            after = _stable(edited, concept)
            if concept != "seq":
                # Each change is the party's own; under SEQ another party's change may
                # make a sanction against it incredible again, which confirmed reports.
                for c in g.changes:
                    assert after[model.actor_index(c.actor), g.state]
                assert g.confirmed and after[:, g.state].all()
            assert g.confirmed == bool(after[:, g.state].all())


@FEW
@given(statement_models(max_actors=3, directions=False), st.sampled_from(CONCEPTS), st.data())
def test_the_fast_evaluator_agrees_with_the_general_stability_code(data, concept, draw) -> None:
    model, prefs = data
    search = _Search(model, prefs)
    a = draw.draw(st.integers(0, model.n_actors - 1))
    party = search.parties[a]
    _, _, weights, _ = _level_k(len(party.texts), 1)
    weights = np.vstack([weights, np.ones((1, len(party.texts)), dtype=np.int64)])
    payoff = weights @ party.truth
    fast, _, _ = search.escapes_all(a, concept, payoff)
    slow, _ = search._escapes_slow(a, concept, payoff)
    np.testing.assert_array_equal(fast > 0, slow > 0)


@FEW
@given(statement_models(max_actors=3, directions=False), st.sampled_from(CONCEPTS), st.data())
def test_escapes_of_a_few_states_match_those_of_every_state(data, concept, draw) -> None:
    model, prefs = data
    search = _Search(model, prefs)
    a = draw.draw(st.integers(0, model.n_actors - 1))
    party = search.parties[a]
    _, _, weights, _ = _level_k(len(party.texts), 1)
    payoff = np.vstack([weights, np.ones((1, len(party.texts)), dtype=np.int64)]) @ party.truth
    every, cols, value = search.escapes_all(a, concept, payoff)
    np.testing.assert_array_equal(cols, np.arange(model.n_states))
    chosen = np.array(
        draw.draw(st.lists(st.integers(0, model.n_states - 1), min_size=1, max_size=4)),
        dtype=np.int64,
    )
    some, some_cols, some_value = search.escapes_all(a, concept, payoff, chosen)
    np.testing.assert_array_equal(some, every[:, chosen])
    np.testing.assert_array_equal(some_value, value[:, some_cols])
    if concept == "seq":  # the descendants of each state against the propagation
        propagated = search._improvement_descendants_min(a, payoff)
        np.testing.assert_array_equal(
            search.sanction_values(a, concept, payoff, some_cols), propagated[:, some_cols]
        )


def test_korea_seq_sanctions_of_a_few_states_match_the_propagation(korea) -> None:
    case, model, _ = korea
    prefs = {a: [s.expr for s in p.statements or ()] for a, p in case.preferences.items()}
    search = _Search(model, prefs, ("seq",))
    for a in (0, 3):
        party = search.parties[a]
        _, _, weights, _ = _level_k(len(party.texts), 1)
        payoff = weights @ party.truth
        states = np.array([int(model.status_quo), 0, model.n_states - 1], dtype=np.int64)
        count, cols, value = search.escapes_all(a, "seq", payoff, states)
        assert 0 < cols.size <= 64  # the few-states path, not the propagation
        full = search._improvement_descendants_min(a, payoff)
        np.testing.assert_array_equal(value, full[:, cols])
        members = search.groups(a)[states]
        ps = payoff[:, states]
        expected = sum(
            (payoff[:, members[:, j]] > ps) & (full[:, members[:, j]] > ps)
            for j in range(members.shape[1])
        )
        np.testing.assert_array_equal(count, expected)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.data())
def test_statement_distance_is_the_fewest_moves_or_drops(k, data) -> None:
    base = tuple(range(k))
    dist = {base: 0}
    queue = deque([base])
    while queue:  # breadth-first over single edits
        order = queue.popleft()
        for edit in _single_edits(len(order)):
            new = _apply(list(order), edit)
            if new is not None and tuple(new) not in dist:
                dist[tuple(new)] = dist[order] + 1
                queue.append(tuple(new))
    order = data.draw(st.sampled_from(sorted(dist)))
    assert statement_distance(k, order) == dist[order]
    full = list(order) + [x for x in range(k) if x not in order]
    inversions = sum(1 for i, j in itertools.combinations(range(k), 2) if full[i] > full[j])
    assert kendall_swaps(k, order) == inversions
    for d in (1, 2):
        orders, _, _, swaps = _level_k(k, d)
        assert all(statement_distance(k, o) == d for o in orders)
        assert swaps.tolist() == [kendall_swaps(k, o) for o in orders]


def test_bad_input_is_refused() -> None:
    prefs = {"A": ["a iff b", "-a"], "B": ["b", "-a"]}
    model = GraphModel.from_options(
        actors=["A", "B"], options={"a": "A", "b": "B"}, preferences=prefs
    )
    with pytest.raises(ValueError, match="robustness margins are computed"):
        equilibrium_margins(model, prefs, concepts=["sim"])
    with pytest.raises(ValueError, match="unknown solution concept"):
        equilibrium_margins(model, prefs, concepts=["bogus"])
    with pytest.raises(ValueError, match="max_edits"):
        equilibrium_margins(model, prefs, max_edits=1)
    with pytest.raises(AnalysisError, match="do not produce its payoff"):
        equilibrium_margins(model, {"A": ["a"], "B": ["b", "-a"]})
    with pytest.raises(AnalysisError, match="does not exist"):
        equilibrium_margins(model, prefs, states={7: ("x",)})
    with pytest.raises(KeyError):
        equilibrium_margins(model, {"C": ["a"]})
    seen = GraphModel.from_options(
        actors=["A", "B"],
        options={"a": "A", "b": "B"},
        preferences=prefs,
        misperceived={"A": ["b"]},
    )
    with pytest.raises(AnalysisError, match="misperceptions"):
        equilibrium_margins(seen, prefs)


def test_a_worked_two_party_example() -> None:
    """A wants to match B, and otherwise not to take a; B wants b. (Y, Y) is the only Nash
    equilibrium; A ranking 'not a' first removes it, by A's move to (N, Y)."""
    prefs = {"A": ["a iff b", "-a"], "B": ["b", "-a"]}
    model = GraphModel.from_options(
        actors=["A", "B"], options={"a": "A", "b": "B"}, preferences=prefs
    )
    result = equilibrium_margins(model, prefs, concepts=["nash"], states={0: ("start",)})
    (g,) = result.equilibria["nash"]
    assert model.pattern(g.state) == "YY"
    assert (g.size, g.exact, g.confirmed) == (1, True, True)
    assert g.changes[0].statements == ("-a", "a iff b")
    assert g.unstable_for == {"A": (model.states.tolist().index(2),)}
    (start,) = result.states["nash"]
    assert start.kind == "make" and start.stable_before == {"A": True, "B": False}
    # B must stop wanting b above everything: dropping it is one edit.
    assert start.size == 1 and start.changes[0].actor == "B"
    data = result.to_dict()
    json.dumps(data)
    assert data["summary"]["nash"] == {"equilibria": 1, "margin_counts": {"1": 1}, "min_margin": 1}
    assert set(data["equilibria"]["nash"][0]) == {
        "state", "concept", "kind", "labels", "size", "lower_bound", "exact", "guarantee",
        "changes", "unstable_for", "confirmed", "stable_before", "impossible",
        "single_edit_parties", "unit",
    }  # fmt: skip
    assert data["equilibria"]["nash"][0]["unit"] == "statements"
    assert data["equilibria"]["nash"][0]["unstable_for"] == {"A": [3]}  # 1-based: (N, Y)
    assert data["equilibria"]["nash"][0]["changes"][0]["order"] == [2, 1]


@pytest.fixture(scope="module")
def korea():
    case = detente.load("korea")
    return case, graph_model(case), robustness(case)


def test_korea_status_quo_is_an_equilibrium_with_a_reported_margin(korea) -> None:
    case, model, result = korea
    sq = model.status_quo
    statements = {a: [s.expr for s in case.preferences[a].statements] for a in model.actors}
    for concept in CONCEPTS:
        (mine,) = [g for g in result.states[concept] if "status_quo" in g.labels]
        assert mine.state == sq and mine.kind == "remove"
        assert mine in result.equilibria[concept]
    nash = next(g for g in result.states["nash"] if "status_quo" in g.labels)
    # No party has a move to a state that satisfies a statement of its own the status quo
    # does not: no reordering of anybody's statements makes it Nash-unstable.
    assert nash.impossible and nash.size is None and nash.lower_bound is None
    for actor, stmts in statements.items():
        a = model.actor_index(actor)
        truth = np.array(
            [
                payoff_from_statements([parse(t)], states=model.states, options=model.options) > 1
                for t in stmts
            ]
        )
        moves = np.flatnonzero(
            (model.states & ~np.int64(model.actor_mask(a)))
            == (model.states[sq] & ~np.int64(model.actor_mask(a)))
        )
        assert not (truth[:, moves] > truth[:, [sq]]).any()
        orders, _, _, _ = _level_k(len(stmts), 1)
        for order in orders[:40]:
            edited = _edited(model, statements, {actor: [stmts[i] for i in order]})
            assert stabilities(edited, concepts=("nash",), actors=[a]).stable["nash"][a, sq]


def test_korea_equilibria_margins_are_confirmed_by_the_full_analysis(korea) -> None:
    case, model, result = korea
    statements = {a: [s.expr for s in case.preferences[a].statements] for a in model.actors}
    data = result.to_dict()
    json.dumps(data)
    for concept in CONCEPTS:
        eq = stabilities(model, concepts=(concept,)).equilibria(concept)
        assert [g.state for g in result.equilibria[concept]] == eq
        assert all(g.confirmed for g in result.equilibria[concept])
        found = [g for g in result.equilibria[concept] if g.size is not None]
        for g in found[:: max(1, len(found) // 5)]:
            (change,) = g.changes
            edited = _edited(model, statements, {change.actor: change.statements})
            after = _stable(edited, concept)[:, g.state]
            assert not after.all()
            assert {model.actors[k] for k in np.flatnonzero(~after)} == set(g.unstable_for)
    # The proposals are reported too, each with the change that makes it an equilibrium.
    labels = {lab for g in result.states["gmr"] for lab in g.labels}
    assert {"status_quo", "hanoi_offer", "freeze_for_freeze"} <= labels
    for g in result.states["gmr"]:
        if g.kind == "make" and g.size is not None:
            assert g.confirmed


def test_past_two_edits_the_beam_finds_a_change_and_says_how_good_it_is() -> None:
    """A0 states 'o0' three times: (N, N) is stable for it only once all three are dropped,
    a change of three edits that only the beam search reaches; none of two exists, so it
    is minimal."""
    prefs = {"A0": ["o0", "o0", "o0"], "A1": ["o0"]}
    model = GraphModel.from_options(
        actors=["A0", "A1"], options={"o0": "A0", "o1": "A1"}, preferences=prefs
    )
    result = equilibrium_margins(model, prefs, concepts=["nash", "gmr"], states={0: ("NN",)})
    for concept in ("nash", "gmr"):
        (g,) = result.states[concept]
        assert g.kind == "make" and g.size == 3 and g.lower_bound == 3 and g.exact
        assert g.guarantee.startswith("minimal: no change of at most 2 edits")
        assert g.changes[0].statements == () and g.confirmed
    capped = equilibrium_margins(model, prefs, concepts=["nash"], states={0: ()}, max_edits=2)
    (g,) = capped.states["nash"]
    assert g.size is None and g.lower_bound == 3 and not g.exact
