"""The fast paths of loading give what the full paths give (issue #13: reading).

A scenario's view of a sound case is built from the case's validated parts; a ranking
that lists every feasible state once by Y/N patterns is read as arrays; look-ups by id
use an index; texts are checked for control characters all at once. Each is checked
here against the path it shortcuts.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from pydantic import ValidationError

import detente
from detente import cases
from detente.errors import CaseError
from detente.model.case import apply_scenario
from detente.model.checks import expand_ranking

SCENARIO_CASES = [info.slug for info in cases.list() if info.scenarios]


@pytest.mark.parametrize("slug", SCENARIO_CASES)
def test_every_scenario_view_is_the_fully_validated_one(slug):
    base = detente.load(slug, scenario=None).base
    assert base._is_sound()
    for scenario in base.scenarios:
        quick = apply_scenario(base, scenario)
        full = apply_scenario(base, scenario, sound=False)
        assert quick == full, scenario.id
        assert quick.model_dump() == full.model_dump(), scenario.id
        assert quick.scenario_id == scenario.id


def test_a_copy_with_parts_replaced_is_validated_again():
    base = detente.load("korea").base
    scenario = base.scenarios[0]
    # A copy made without validation, with a stance outside its scale: the view
    # must not take the copy for the sound case it came from.
    issue = base.issues[0]
    actor_id = next(iter(issue.positions))
    bad_stance = issue.positions[actor_id].model_copy(update={"position": 1e6})
    bad_issue = issue.model_copy(update={"positions": {**issue.positions, actor_id: bad_stance}})
    copy = base.model_copy(update={"issues": (bad_issue, *base.issues[1:])})
    assert not copy._is_sound()
    with pytest.raises(CaseError) as info:
        copy.scenario(scenario.id)
    assert any("outside the issue's scale" in p.message for p in info.value.problems)


def test_a_scenario_problem_is_reported_as_before(tmp_path):
    # A scenario that moves a stance beyond the issue's scale: found by the quick
    # check, reported by the full validation, at the scenario's line.
    text = """\
id: t
title: T
actors:
  - {id: A, name: A}
  - {id: B, name: B}
issues:
  - id: tax
    name: Tax
    positions:
      A: {position: 10, salience: 50}
      B: {position: 90, salience: 50}
scenarios:
  - id: s
    name: S
    positions:
      tax:
        A: {position: 150}
"""
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(CaseError) as info:
        detente.load(path)
    (problem,) = info.value.problems
    assert problem.message.startswith("in scenario 's': position 150 is outside")
    assert problem.path == ("scenarios", 0, "positions", "tax", "A", "position")
    assert problem.line == 17


def _slow_groups(ranking, n, feasible):
    """The tie groups a ranking of exact patterns stands for, state by state."""
    groups = []
    for group in ranking:
        members = (group,) if isinstance(group, str) else group
        codes = [sum(1 << k for k, ch in enumerate(p.upper()) if ch == "Y") for p in members]
        if codes:
            groups.append(codes)
    return groups


def _pattern(code: int, n: int, rng: random.Random) -> str:
    text = "".join("Y" if code >> k & 1 else "N" for k in range(n))
    return text.lower() if rng.random() < 0.2 else text


@pytest.mark.parametrize("seed", range(20))
def test_a_ranking_read_as_arrays_gives_the_groups_read_one_by_one(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 8)
    feasible = np.array(sorted(rng.sample(range(1 << n), rng.randint(1, 1 << n))))
    order = feasible.tolist()
    rng.shuffle(order)
    ranking: list = []
    k = 0
    while k < len(order):
        size = rng.choice([1, 1, 1, 2, 3])
        chunk = [_pattern(c, n, rng) for c in order[k : k + size]]
        ranking.append(chunk[0] if size == 1 and len(chunk) == 1 else tuple(chunk))
        k += size
    groups, problems = expand_ranking(tuple(ranking), n, feasible)
    assert problems == []
    assert groups == _slow_groups(ranking, n, feasible)


def test_a_ranking_with_a_problem_is_read_one_by_one():
    feasible = np.arange(8)
    ranking = ("YYY", "YYY", "NNN", "YNN", "NYN", "NNY", "YYN", "NYY")
    _, problems = expand_ranking(ranking, 3, feasible, path=("r",))
    assert [p.message for p in problems] == ["state YYY is ranked twice"]
    assert problems[0].path == ("r", 1)
    # A dash, an infeasible state and a state left out keep their messages.
    _, problems = expand_ranking(("YY-", "NNN"), 3, np.array([3, 7, 0]))
    assert problems == []
    _, problems = expand_ranking(("YYY", "NNN"), 3, np.array([7]))
    assert [p.message for p in problems] == ["this state is infeasible and cannot be ranked"]
    _, problems = expand_ranking(("YYY",), 3, np.array([0, 7]))
    assert "leaves out feasible states NNN" in problems[0].message


def test_look_ups_by_id_follow_a_copy_with_the_section_replaced():
    case = detente.load("korea")
    first = case.issues[0]
    assert case.issue(first.id) is first
    renamed = first.model_copy(update={"id": "renamed"})
    copy = case.model_copy(update={"issues": (renamed, *case.issues[1:])})
    assert copy.issue("renamed") is renamed
    with pytest.raises(CaseError, match="unknown issue"):
        copy.issue(first.id)
    assert case.issue(first.id) is first
    assert case.actor(case.actors[-1].id) is case.actors[-1]


def test_a_control_character_deep_in_a_ranking_is_named_as_before():
    from detente.model.sections import Preferences

    ranking = ["YN"] * 5000 + ["Y\x1bN"] + [("NY", "N\x07N")]
    with pytest.raises(ValidationError) as info:
        Preferences.model_validate({"ranking": ranking})
    assert "control character U+001B at position 2" in str(info.value)
    ties = ["YN", ("NY", "N\x07N")]
    with pytest.raises(ValidationError) as info:
        Preferences.model_validate({"ranking": ties})
    assert "control character U+0007 at position 2" in str(info.value)


def test_the_limit_message_counts_the_rows_of_the_table(tmp_path, monkeypatch):
    from detente._loading import read_forecast_table

    monkeypatch.setenv("DETENTE_MAX_ACTORS", "100")
    rows = "".join(f"a{k},1,{k % 100},0.5\n" for k in range(150))
    path = tmp_path / "t.csv"
    path.write_text("actor,capability,position,salience\n" + rows + "\n\n")
    with pytest.raises(CaseError) as info:
        read_forecast_table(path)
    assert "the number of actor rows (150) is above the limit of 100" in str(info.value)


_WORDS = (
    *("a", "b", "c.d", "x_1", "iffy", "notx", "AND", "1", "é"),
    *("iff", "<->", "->", "implies", "if", "or", "|", "and", "&"),
    *("not", "-", "!", "~", "true", "false", "(", ")", "(", ")"),
)


def _valid(rng: random.Random, depth: int = 0) -> str:
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(["a", "b", "c.d", "x_1", "true", "false", "iffy", "notx"])
    op = rng.choice(["not", "-", "!", "~", "&", "and", "|", "or", "->", "implies", "if"])
    op = rng.choice([op, "iff", "<->", "()"])
    if op in ("not", "-", "!", "~"):
        return f"{op}{' ' if op == 'not' else rng.choice(['', ' '])}{_valid(rng, depth + 1)}"
    if op == "()":
        return f"({_valid(rng, depth + 1)})"
    left, right = _valid(rng, depth + 1), _valid(rng, depth + 1)
    # Chains of "and" and "or" unbracketed (read as one operator over several operands).
    return f"{left} {op} {right}" if op in ("&", "and", "|", "or") else f"({left} {op} {right})"


@pytest.mark.parametrize("seed", range(4))
def test_the_quick_reader_of_expressions_agrees_with_lark(seed):
    from detente.model.expressions import _lark_parse, _quick_parse

    rng = random.Random(seed)
    read = 0
    for _ in range(500):
        text = _valid(rng)
        quick = _quick_parse(text)
        assert quick is not None, text  # every sound expression is read without lark
        assert quick == _lark_parse(text), text
        words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 7))]
        text = "".join(w + rng.choice(["", " ", " "]) for w in words)
        quick = _quick_parse(text)
        if quick is not None:  # read: lark reads it the same; otherwise lark tells why not
            read += 1
            assert quick == _lark_parse(text), text
    assert read > 20
