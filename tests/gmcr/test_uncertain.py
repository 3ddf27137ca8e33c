"""Unknown preferences (Li, Hipel, Kilgour & Fang 2004) and probabilistic preferences
(Rego & dos Santos 2015).

Checked by brute force: the definitions are written out below state by state, with
Python sets and a breadth-first search over legal sequences, and compared with the
matrix implementation on random two-party and n-party conflicts; the laws the papers
state (the crisp concepts as a special case, the order of the four extensions, the
effect of alpha and beta) are checked on the same conflicts. The papers' worked
examples are not reproduced: their tables were not available to us.
"""

from __future__ import annotations

import itertools
import json
from collections import deque

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.errors import CaseError, CaseTooLargeError
from detente.gmcr import GraphModel, graph_model, payoff_from_statements, stabilities
from detente.gmcr.uncertain import (
    analyze_probabilistic,
    analyze_unknown,
    preference_probability,
    probabilistic_stabilities,
    statement_completions,
    unknown_relation,
    unknown_stabilities,
)
from tests.gmcr.reference import Slow
from tests.gmcr.strategies import graph_models

pytestmark = pytest.mark.gmcr

CORE = ("nash", "gmr", "smr", "seq")
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def completions(draw, n: int, max_rows: int = 3):
    """Possible crisp preferences of one party (rows of ranks) and their weights."""
    rows = draw(st.integers(1, max_rows))
    ranks = np.array(
        [draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)) for _ in range(rows)]
    )
    raw = np.array(draw(st.lists(st.integers(1, 5), min_size=rows, max_size=rows)), dtype=float)
    return ranks, raw / raw.sum()


def _reach(R, group, s, step):
    """States reached from ``s`` by non-empty legal sequences of ``group``'s steps."""
    seen: set[tuple[int, int]] = set()
    queue = deque([(s, -1)])
    while queue:
        x, last = queue.popleft()
        for k in group:
            if k == last:
                continue
            for y in step(k, x):
                if (y, k) not in seen:
                    seen.add((y, k))
                    queue.append((y, k))
    return {y for y, _ in seen}


def _slow_table(model, improves, deters, opponent_step, concept):
    """Stability by the definition: ``improves(i, s)`` the focal party's moves that
    count, ``deters(i, x, s)`` whether reaching ``x`` deters ``i`` from leaving ``s``,
    ``opponent_step(k, x)`` the moves of ``k`` that SEQ lets sanction."""
    slow = Slow(model)
    R = slow.R
    n = model.n_states
    out = np.zeros((model.n_actors, n), dtype=bool)
    for i in range(model.n_actors):
        H = [k for k in range(model.n_actors) if k != i]
        for s in range(n):
            ok = True
            for s1 in improves(i, s):
                if concept == "nash":
                    ok = False
                elif concept in ("gmr", "smr"):
                    reached = _reach(R, H, s1, lambda k, x: R[k][x])
                    ok = any(
                        deters(i, s2, s)
                        and (concept == "gmr" or all(deters(i, s3, s) for s3 in R[i][s2]))
                        for s2 in reached
                    )
                else:
                    reached = _reach(R, H, s1, opponent_step)
                    ok = any(deters(i, s2, s) for s2 in reached)
                if not ok:
                    break
            out[i, s] = ok
    return out


def _crisp_relations(model):
    out = {}
    for k in range(model.n_actors):
        p = model.payoff[k]
        out[k] = (p[:, None] > p[None, :], np.zeros((model.n_states,) * 2, dtype=bool))
    return out


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=4), st.data())
def test_unknown_preferences_match_the_definitions(model, data):
    n = model.n_states
    given_rel = {}
    for actor in model.actors:
        if data.draw(st.booleans()):
            ranks, _ = data.draw(completions(n))
            given_rel[actor] = unknown_relation(ranks)
    res = unknown_stabilities(model, given_rel)
    rel = _crisp_relations(model)
    for actor, pair in given_rel.items():
        rel[model.actor_index(actor)] = pair
    slow = Slow(model)

    def loose(k, x):  # R_k^{+,U}(x)
        better, unknown = rel[k]
        return {y for y in slow.R[k][x] if better[y, x] or unknown[y, x]}

    for v in "abcd":

        def improves(i, s, v=v):
            better, unknown = rel[i]
            return {s1 for s1 in slow.R[i][s] if better[s1, s] or (v in "ab" and unknown[s1, s])}

        def deters(i, x, s, v=v):
            better, unknown = rel[i]
            return not better[x, s] and (v in "bd" or not unknown[x, s])

        for c in CORE:
            expected = _slow_table(model, improves, deters, loose, c)
            assert np.array_equal(res.stable[f"{c}_{v}"], expected), (c, v)


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=4), st.data())
def test_probabilistic_preferences_match_the_definitions(model, data):
    n = model.n_states
    probs = {}
    for actor in model.actors:
        if data.draw(st.booleans()):
            ranks, weights = data.draw(completions(n))
            probs[actor] = preference_probability(ranks, weights)
    alpha, beta, gamma = (data.draw(st.sampled_from([0.0, 0.2, 0.5, 0.8, 1.0])) for _ in "abg")
    res = probabilistic_stabilities(model, probs, alpha=alpha, beta=beta, gamma=gamma)
    P = {
        k: (model.payoff[k][:, None] > model.payoff[k][None, :]).astype(float)
        for k in range(model.n_actors)
    }
    for actor, prob in probs.items():
        P[model.actor_index(actor)] = prob
    slow = Slow(model)
    for c in CORE:
        expected = _slow_table(
            model,
            lambda i, s: {s1 for s1 in slow.R[i][s] if P[i][s1, s] > alpha},
            lambda i, x, s: P[i][x, s] <= beta,
            lambda k, x: {y for y in slow.R[k][x] if P[k][y, x] > gamma},
            c,
        )
        assert np.array_equal(res.stable[c], expected), c
    json.dumps(res.to_dict(states="all"))


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=4), st.data())
def test_crisp_preferences_give_the_crisp_concepts(model, data):
    """Every extension of Li et al., and every alpha, beta, gamma below 1 in Rego & dos
    Santos, reduce to Nash, GMR, SMR and SEQ when nothing is uncertain."""
    crisp = stabilities(model, concepts=CORE)
    unknown = unknown_stabilities(model)
    params = {k: data.draw(st.floats(0, 0.999)) for k in ("alpha", "beta", "gamma")}
    prob = probabilistic_stabilities(model, **params)
    for c in CORE:
        assert np.array_equal(prob.stable[c], crisp.stable[c]), c
        for v in "abcd":
            assert np.array_equal(unknown.stable[f"{c}_{v}"], crisp.stable[c]), (c, v)


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=4), st.data())
def test_extension_a_is_the_strictest_and_d_the_most_lenient(model, data):
    rel = {}
    for actor in model.actors:
        ranks, _ = data.draw(completions(model.n_states))
        rel[actor] = unknown_relation(ranks)
    res = unknown_stabilities(model, rel)
    for c in CORE:
        a, b, cc, d = (res.stable[f"{c}_{v}"] for v in "abcd")
        for low, high in ((a, b), (b, d), (a, cc), (cc, d)):
            assert not (low & ~high).any(), c


@FEW
@given(graph_models(min_actors=2, max_actors=3, max_options=4), st.data())
def test_higher_alpha_and_beta_never_remove_a_stable_state(model, data):
    probs = {}
    for actor in model.actors:
        ranks, weights = data.draw(completions(model.n_states))
        probs[actor] = preference_probability(ranks, weights)
    lo, hi = sorted(data.draw(st.floats(0, 1)) for _ in range(2))
    gamma = data.draw(st.floats(0, 1))
    base = probabilistic_stabilities(model, probs, alpha=lo, beta=lo, gamma=gamma)
    more = probabilistic_stabilities(model, probs, alpha=hi, beta=hi, gamma=gamma)
    for c in CORE:
        assert not (base.stable[c] & ~more.stable[c]).any(), c


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_relations_and_probabilities_follow_the_completions(data):
    n = data.draw(st.integers(1, 6))
    ranks, weights = data.draw(completions(n, max_rows=4))
    better, unknown = unknown_relation(ranks)
    prob = preference_probability(ranks, weights)
    for x, y in itertools.product(range(n), repeat=2):
        col_x, col_y = ranks[:, x], ranks[:, y]
        assert better[x, y] == bool((col_x > col_y).all())
        agree = (col_x > col_y).all() or (col_x < col_y).all() or (col_x == col_y).all()
        assert unknown[x, y] == (not agree)
        assert prob[x, y] == pytest.approx(float(weights[col_x > col_y].sum()))
    assert (prob + prob.T <= 1 + 1e-9).all()


# -- the case format ------------------------------------------------------------------

THREE = """\
id: three
title: Three parties
actors:
  - {id: A, name: A}
  - {id: B, name: B}
  - {id: C, name: C}
options:
  - {id: a, label: a, controller: A}
  - {id: b, label: b, controller: B}
  - {id: c, label: c, controller: C}
  - {id: d, label: d, controller: A}
status_quo: []
preferences:
  A:
    statements: [b, {expr: "not a", probability: 0.7}, {expr: "c iff d", probability: 0.4}, d]
  B:
    statements: [a, {expr: "not c", probability: 1}, {expr: "b", probability: 0}]
  C:
    statements: [{expr: a, probability: 0.5}, b, "not c"]
"""


def _load(tmp_path, text=THREE):
    path = tmp_path / "three.yaml"
    path.write_text(text)
    return detente.load(path), path


def test_statements_held_with_a_probability_give_weighted_completions(tmp_path):
    case, _ = _load(tmp_path)
    model = graph_model(case)
    weights, ranks = statement_completions(case, "A", model, probabilistic=True)
    statements = case.preferences["A"].statements
    exprs = [s.parsed for s in statements]
    expected = {}
    for keep_a, keep_cd in itertools.product((False, True), repeat=2):
        held = [exprs[0]] + ([exprs[1]] if keep_a else []) + ([exprs[2]] if keep_cd else [])
        row = payoff_from_statements([*held, exprs[3]], states=model.states, options=model.options)
        w = (0.7 if keep_a else 0.3) * (0.4 if keep_cd else 0.6)
        expected[tuple(row.tolist())] = expected.get(tuple(row.tolist()), 0) + w
    got = {}
    for w, row in zip(weights, ranks, strict=True):
        got[tuple(row.tolist())] = got.get(tuple(row.tolist()), 0) + w
    assert got.keys() == expected.keys()
    for key in got:
        assert got[key] == pytest.approx(expected[key])
    # B's probabilities 1 and 0 are certainties: one completion, statement b dropped.
    _, r_b = statement_completions(case, "B", model, probabilistic=True)
    assert r_b.shape[0] == 1
    crisp_b = payoff_from_statements(
        [exprs_b.parsed for exprs_b in case.preferences["B"].statements[:2]],
        states=model.states,
        options=model.options,
    )
    assert np.array_equal(r_b[0], crisp_b)


def test_a_case_gets_both_analyses(tmp_path):
    case, _ = _load(tmp_path)
    model = graph_model(case)
    prob = analyze_probabilistic(case, alpha=0.5, beta=0.5, gamma=0.5)
    probs = {}
    for actor in ("A", "C"):
        w, r = statement_completions(case, actor, model, probabilistic=True)
        probs[actor] = preference_probability(r, w)
    direct = probabilistic_stabilities(model, probs)
    for c in CORE:
        assert np.array_equal(prob.stable[c], direct.stable[c])
    data = prob.to_dict()
    assert data["kind"] == "probabilistic" and data["case"] == "three"
    assert data["parameters"]["completions"] == {"A": 4, "B": 1, "C": 2}
    assert data["uncertain_parties"] == ["A", "C"]
    unknown = analyze_unknown(case)
    assert unknown.concepts[:4] == ("nash_a", "nash_b", "nash_c", "nash_d")
    assert unknown.to_dict()["uncertain_parties"] == ["A", "C"]
    json.dumps(unknown.to_dict(states="all"))


def test_without_uncertain_statements_the_analyses_are_the_crisp_one():
    case = detente.load("prisoners_dilemma")
    crisp = stabilities(graph_model(case))
    unknown = analyze_unknown(case)
    prob = analyze_probabilistic(case, alpha=0.1, beta=0.9, gamma=0.3)
    for c in CORE:
        assert unknown.equilibria(f"{c}_a") == unknown.equilibria(f"{c}_d") == crisp.equilibria(c)
        assert prob.equilibria(c) == crisp.equilibria(c)


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "probability: 0.7",
            "probability: 1.5",
            "preferences.A.statements[1].probability",
            "at most 1",
        ),
        (
            "probability: 0.7",
            "probability: -0.1",
            "preferences.A.statements[1].probability",
            "at least 0",
        ),
        (
            "probability: 0.7",
            "probability: 0.7, uncertain: true",
            "preferences.A.statements[1]",
            "not both",
        ),
        (
            "probability: 0.7",
            "probability: yes",
            "preferences.A.statements[1].probability",
            "number",
        ),
    ],
)
def test_bad_probabilities_name_file_line_and_field(tmp_path, old, new, field, words):
    text = THREE.replace(old, new, 1)
    path = tmp_path / "three.yaml"
    path.write_text(text)
    with pytest.raises(CaseError) as info:
        detente.load(path)
    (problem,) = info.value.problems
    assert problem.field == field
    assert words in problem.message
    line = text[: text.index(new)].count("\n") + 1
    assert str(problem).startswith(f"{path}:{line}: {field}")


def test_probabilistic_analysis_needs_a_probability_for_every_uncertain_statement(tmp_path):
    case, _ = _load(tmp_path, THREE.replace("probability: 0.7", "uncertain: true"))
    with pytest.raises(CaseError) as info:
        analyze_probabilistic(case)
    (problem,) = info.value.problems
    assert problem.field == "preferences.A.statements[1].uncertain"
    # The unknown-preference analysis reads it as "held or not".
    assert analyze_unknown(case).parameters["completions"]["A"] == 4


def test_bad_parameters_and_sizes_are_refused():
    m = GraphModel.from_options(
        actors=["A", "B"],
        options={"dA": "A", "dB": "B"},
        rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]},
    )
    with pytest.raises(ValueError, match="alpha"):
        probabilistic_stabilities(m, alpha=1.2)
    with pytest.raises(ValueError, match=r"P\[x, y\] \+ P\[y, x\]"):
        probabilistic_stabilities(m, {"A": np.full((4, 4), 0.6)})
    with pytest.raises(ValueError, match="variants"):
        unknown_stabilities(m, variants=["e"])
    with pytest.raises(ValueError, match="unknown concept"):
        unknown_stabilities(m, concepts=["sim"])
    with pytest.raises(CaseTooLargeError, match="4,096 states"):
        analyze_unknown(detente.load("korea"), max_states=1024)


@pytest.mark.slow
def test_korea_sized_analyses_reduce_to_the_crisp_concepts():
    """On korea's 4,096 states, with nothing uncertain, every extension and the
    probabilistic concepts give the crisp engine's stabilities (the block-by-block
    reachability checked against the crisp engine's own at full size)."""
    model = graph_model(detente.load("korea"))
    assert model.n_states == 4096
    crisp = stabilities(model, concepts=CORE)
    unknown = unknown_stabilities(model, variants=["a", "d"], max_states=4096)
    prob = probabilistic_stabilities(model, alpha=0.2, beta=0.6, gamma=0.4, max_states=4096)
    for c in CORE:
        assert np.array_equal(prob.stable[c], crisp.stable[c]), c
        for v in "ad":
            assert np.array_equal(unknown.stable[f"{c}_{v}"], crisp.stable[c]), (c, v)
