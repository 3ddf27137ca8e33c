"""First-level hypergames in the graph model (Wang, Hipel & Fraser 1989; Aljefri, Hipel &
Fang 2017/2018) and hidden states (Obeidi, Hipel & Kilgour 2005).

The hypergame is checked by brute force: each party's perceived game is rebuilt here
from the definition (the true states with its unknown options not taken, its beliefs
in place of the others' payoffs) and analysed by the slow implementation of the
stability definitions (tests.gmcr.reference.Slow), on random two-party and n-party
conflicts. The papers' own examples are not reproduced: their tables were not
available to us.
"""

from __future__ import annotations

import json
import time
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.errors import CaseError, InfeasibleError
from detente.gmcr import GraphModel
from detente.gmcr.hypergame import (
    analyze_hypergame,
    hypergame_stabilities,
    perceived_game,
)
from tests.gmcr.reference import Slow
from tests.gmcr.strategies import graph_models

pytestmark = pytest.mark.gmcr

CORE = ("nash", "gmr", "smr", "seq")
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def perceptions(draw, model: GraphModel):
    """Random beliefs and unknown options for some of the parties."""
    beliefs: dict[str, dict[str, np.ndarray]] = {}
    unknown: dict[str, list[str]] = {}
    n = model.n_states
    for k, actor in enumerate(model.actors):
        if not draw(st.booleans()):
            continue
        others = [a for a in model.actors if a != actor]
        chosen = draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others)))
        if chosen:
            beliefs[actor] = {
                o: np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)))
                for o in chosen
            }
        foreign = [o for j, o in enumerate(model.options) if int(model.controller[j]) != k]
        hidden = (
            draw(st.lists(st.sampled_from(foreign), unique=True, max_size=2)) if foreign else []
        )
        if hidden:
            unknown[actor] = hidden
    return beliefs, unknown


def _perceived_by_definition(model, actor, beliefs, unknown):
    """Party ``actor``'s game from the definition: true states with its unknown options
    not taken; its beliefs in place of the others' payoffs."""
    mask = 0
    for o in unknown:
        mask |= 1 << model.options.index(o)
    keep = [i for i, c in enumerate(model.states.tolist()) if c & mask == 0]
    payoff = model.payoff.copy()
    for other, row in beliefs.items():
        payoff[model.actors.index(other)] = row
    game = GraphModel(
        actors=model.actors,
        options=model.options,
        controller=model.controller,
        states=model.states[keep],
        payoff=payoff[:, keep],
        direction=model.direction,
        perceived=None if model.perceived is None else model.perceived[:, keep],
    )
    return game, mask


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=5), st.data())
def test_hypergame_matches_the_definition(model, data):
    beliefs, unknown = data.draw(perceptions(model))
    blind = [
        a
        for a, hidden in unknown.items()
        if all(c & sum(1 << model.options.index(o) for o in hidden) for c in model.states.tolist())
    ]
    if blind:
        # A party that knows of no feasible state has no game of its own.
        with pytest.raises(InfeasibleError, match="could conceive of no state"):
            hypergame_stabilities(model, beliefs=beliefs, unknown_options=unknown)
        return
    res = hypergame_stabilities(model, beliefs=beliefs, unknown_options=unknown)
    true = {c: Slow(model).table(c) for c in CORE}
    codes = model.states.tolist()
    own = {c: true[c].copy() for c in CORE}
    visible = (
        np.ones((model.n_actors, model.n_states), dtype=bool)
        if model.perceived is None
        else model.perceived.copy()
    )
    perceived_eq = {}
    for k, actor in enumerate(model.actors):
        held, hidden = beliefs.get(actor, {}), unknown.get(actor, [])
        if not held and not hidden:
            continue
        game, mask = _perceived_by_definition(model, actor, held, hidden)
        slow = Slow(game)
        sub = game.states.tolist()
        for c in CORE:
            table = slow.table(c)
            for s, code in enumerate(codes):
                seen_as = code & ~mask
                own[c][k, s] = seen_as in sub and bool(table[k, sub.index(seen_as)])
            perceived_eq[actor, c] = [
                codes.index(sub[t]) for t in np.flatnonzero(table.all(axis=0))
            ]
        for s, code in enumerate(codes):
            if code & mask:
                visible[k, s] = False
    assert np.array_equal(res.visible, visible)
    for c in CORE:
        assert np.array_equal(res.true_stable[c], true[c]), c
        assert np.array_equal(res.own_stable[c], own[c]), c
        hyper = [int(s) for s in np.flatnonzero(own[c].all(axis=0))]
        truth = [int(s) for s in np.flatnonzero(true[c].all(axis=0))]
        assert res.hypergame_equilibria(c) == hyper
        assert res.from_misperception(c) == [s for s in hyper if s not in truth]
        assert res.lost_to_misperception(c) == [s for s in truth if s not in hyper]
        for actor in res.games:
            assert res.perceived_equilibria(actor, c) == perceived_eq[actor, c]
            assert res.perceived_only(actor, c) == [
                s for s in perceived_eq[actor, c] if s not in truth
            ]
    json.dumps(res.to_dict(states="all"))


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=5))
def test_without_perceptions_the_hypergame_is_the_true_game(model):
    res = hypergame_stabilities(model)
    for c in CORE:
        assert res.hypergame_equilibria(c) == res.true_equilibria(c)
        assert res.from_misperception(c) == res.lost_to_misperception(c) == []
    assert not res.games


@FEW
@given(graph_models(min_actors=2, max_actors=4, max_options=5), st.data())
def test_beliefs_about_preferences_change_a_partys_own_stability_only_under_seq(model, data):
    """Nash, GMR and SMR sanctions depend on the others' moves, not on their
    preferences; SEQ sanctions must be the others' improvements."""
    beliefs, _ = data.draw(perceptions(model))
    res = hypergame_stabilities(model, beliefs=beliefs)
    for c in ("nash", "gmr", "smr"):
        assert np.array_equal(res.own_stable[c], res.true_stable[c])


def _pd() -> GraphModel:
    return GraphModel.from_options(
        actors=["A", "B"],
        options={"dA": "A", "dB": "B"},
        rankings={"A": [1, 0, 3, 2], "B": [2, 0, 3, 1]},
    )


def test_a_misperception_removes_an_equilibrium_and_says_who_misjudges():
    """A believes B always prefers to keep quiet: under SEQ mutual cooperation (NN)
    loses its sanction in A's view, so NN is lost to misperception."""
    m = _pd()
    res = hypergame_stabilities(m, beliefs={"A": {"B": np.array([4, 4, 1, 1])}})
    nn = m.index_of(0)
    assert res.lost_to_misperception("seq") == [nn]
    assert res.misjudged_by("seq", nn) == ["A"]
    data = res.to_dict()
    assert data["equilibria"]["seq"]["lost_to_misperception"] == [nn + 1]
    assert data["misjudged"]["seq"] == [
        {"state": nn + 1, "parties": {"A": {"true": True, "perceived": False}}}
    ]
    # In A's own game B never confesses, so A's lone defection (YN) is its equilibrium.
    assert data["equilibria"]["seq"]["perceived"]["A"] == [m.index_of(1) + 1]


def test_a_misperception_can_create_an_equilibrium():
    """Three parties: C does not know B's option exists. From C's view, the state
    where B has taken it looks like the state where it has not."""
    m = GraphModel.from_options(
        actors=["A", "B", "C"],
        options={"a": "A", "b": "B", "c": "C"},
        preferences={"A": ["not a"], "B": ["b"], "C": ["c iff b"]},
    )
    res = hypergame_stabilities(m, unknown_options={"C": ["b"]})
    b_only = m.index_of(0b010)
    # True game: with b taken, C wants c; C's view: b is never taken, so C keeps c off.
    assert not res.true_stable["nash"][2, b_only]
    assert res.own_stable["nash"][2, b_only]
    assert b_only in res.from_misperception("nash")
    assert res.hidden_from("C") == [m.index_of(c) for c in (0b010, 0b011, 0b110, 0b111)]
    rec = res.to_dict()["perceptions"]["C"]
    assert rec["hidden_states"] == 4 and rec["possible_states"] == 4
    assert rec["unknown_options"] == ["b"]


def test_perceived_game_refuses_what_cannot_be():
    m = _pd()
    with pytest.raises(ValueError, match="its own"):
        perceived_game(m, "A", payoffs={"A": np.ones(4)})
    with pytest.raises(ValueError, match="controls"):
        perceived_game(m, "A", unknown_options=["dA"])
    with pytest.raises(ValueError, match="unknown option"):
        perceived_game(m, "A", unknown_options=["zz"])
    with pytest.raises(KeyError):
        perceived_game(m, "Z")


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
status_quo: []
preferences:
  A:
    statements: [b, "not a", c]
    perceives:
      preferences:
        B: {statements: ["not b", a]}
        C: {ranking: [NNY, "---"]}
  B:
    statements: [a, "not c"]
  C:
    statements: [a, b]
    perceives:
      unknown_options: [b]
"""


def _write(tmp_path, text):
    path = tmp_path / "three.yaml"
    path.write_text(text)
    return path


def test_a_case_states_perceptions(tmp_path):
    case = detente.load(_write(tmp_path, THREE))
    res = analyze_hypergame(case)
    m = res.model
    assert set(res.games) == {"A", "C"}
    assert res.games["A"].believed == ("B", "C")
    assert res.games["C"].unknown_options == ("b",)
    # A's belief about C is the ranking: NNY first, everything else tied.
    believed_c = res.games["A"].model.payoff[2]
    assert believed_c[m.index_of(0b100)] > believed_c.max() - 1
    assert len(set(believed_c.tolist())) == 2
    direct = hypergame_stabilities(
        m,
        beliefs={"A": {"B": res.games["A"].model.payoff[1], "C": believed_c}},
        unknown_options={"C": ["b"]},
    )
    for c in CORE:
        assert np.array_equal(direct.own_stable[c], res.own_stable[c])
    data = res.to_dict()
    assert data["case"] == "three" and data["scenario"] is None
    json.dumps(data)


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "        B: {statements",
            "        A: {statements",
            "preferences.A.perceives.preferences.A",
            "its own",
        ),
        (
            "        B: {statements",
            "        Q: {statements",
            "preferences.A.perceives.preferences.Q",
            "unknown actor",
        ),
        (
            "unknown_options: [b]",
            "unknown_options: [c]",
            "preferences.C.perceives.unknown_options[0]",
            "controls",
        ),
        (
            "unknown_options: [b]",
            "unknown_options: [zz]",
            "preferences.C.perceives.unknown_options[0]",
            "unknown option",
        ),
        (
            '["not b", a]',
            '["not b", zz]',
            "preferences.A.perceives.preferences.B.statements[1].expr",
            "unknown option",
        ),
        (
            '["not b", a]',
            '["not b", {expr: a, probability: 0.5}]',
            "preferences.A.perceives.preferences.B.statements[1].probability",
            "crisp",
        ),
        ('[NNY, "---"]', "[NNY]", "preferences.A.perceives.preferences.C.ranking", "leaves out"),
    ],
)
def test_bad_perceptions_name_file_line_and_field(tmp_path, old, new, field, words):
    assert old in THREE
    text = THREE.replace(old, new, 1)
    path = _write(tmp_path, text)
    with pytest.raises(CaseError) as info:
        detente.load(path)
    problems = [p for p in info.value.problems if p.field == field]
    assert problems, [str(p) for p in info.value.problems]
    assert words in problems[0].message
    assert problems[0].line is not None
    assert str(problems[0]).startswith(f"{path}:{problems[0].line}: {field}")


def test_a_scenario_states_its_own_perceptions(tmp_path):
    text = (
        THREE
        + """scenarios:
  - id: s
    name: s
    preferences:
      B:
        statements: [a]
        perceives:
          preferences:
            B: {statements: [b]}
"""
    )
    path = _write(tmp_path, text)
    with pytest.raises(CaseError) as info:
        detente.load(path)
    (problem,) = info.value.problems
    assert problem.field == "scenarios[0].preferences.B.perceives.preferences.B"
    assert problem.line == text.count("\n")  # the last line
    path.write_text(text.replace("B: {statements: [b]}", "A: {statements: [b]}"))
    case = detente.load(path)
    assert set(analyze_hypergame(case.scenario("s")).games) == {"A", "B", "C"}


# -- korea: what Washington and Pyongyang believed of each other at Hanoi -------------


def _hanoi():
    return detente.load("korea").base.scenario("eve_of_hanoi_2019")


def test_korea_hanoi_deals_rest_on_misperception():
    """Each side's expected deal is an equilibrium of its own view only: Pyongyang's
    Hanoi offer in Pyongyang's game, Washington's denuclearisation first in
    Washington's; neither is an equilibrium of the true game or the hypergame, and the
    status quo (freeze for freeze) is one everywhere."""
    start = time.perf_counter()
    res = analyze_hypergame(_hanoi())
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, elapsed
    data = res.to_dict()
    assert set(res.games) == {"USA", "PRK"}
    hanoi, first = data["proposals"]["hanoi_offer"], data["proposals"]["denuclearisation_first"]
    for c in ("gmr", "smr", "seq"):
        assert hanoi["equilibrium"][c] == {
            "true": False,
            "hypergame": False,
            "perceived": {"PRK": True, "USA": False},
        }
        assert first["equilibrium"][c] == {
            "true": False,
            "hypergame": False,
            "perceived": {"PRK": False, "USA": True},
        }
        assert hanoi["index"] in data["equilibria"][c]["perceived_only"]["PRK"]
        assert first["index"] in data["equilibria"][c]["perceived_only"]["USA"]
    sq = data["status_quo_index"]
    assert data["proposals"]["freeze_for_freeze"]["index"] == sq
    for c in res.concepts:
        assert sq in data["equilibria"][c]["true"]
        assert sq in data["equilibria"][c]["hypergame"]
    json.dumps(data)


def test_korea_perceptions_cite_the_cases_sources():
    case = _hanoi()
    ids = {s.id for s in case.sources}
    for actor in ("USA", "PRK"):
        view = case.preferences[actor].perceives
        assert view is not None and view.sources and set(view.sources) <= ids
        for believed in view.preferences.values():
            assert believed.sources and set(believed.sources) <= ids
            for statement in believed.statements or ():
                assert statement.sources and set(statement.sources) <= ids


def test_the_seed_article_is_not_copied_into_the_perceptions():
    text = files("detente.cases").joinpath("korea.yaml").read_text()
    block = text[text.index("        perceives:") :]
    seed_path = Path("/work/shared/seed/deadlock-article.txt")
    if not seed_path.is_file():
        pytest.skip("the seed article is not on this machine")
    seed = seed_path.read_text(encoding="utf-8")
    words = seed.split()
    shingles = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    flat = " ".join(block.split())
    assert not [s for s in shingles if s in flat]
