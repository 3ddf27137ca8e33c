"""The synthetic tables of ``detente backtest example``: what the generator writes, small,
in the tables' format, and shipped inside the package."""

from __future__ import annotations

import importlib.util

import pytest

from detente.cases import ROOT, backtest_example
from detente.model.io.issue_tables import read_outcome_table, read_stance_table
from tests.conftest import REPO

GENERATOR = REPO / "scripts" / "make_backtest_example.py"


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("make_backtest_example", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_tables_are_exactly_what_the_generator_writes(generator):
    stances, outcomes = backtest_example()
    assert generator.OUT == ROOT / "examples"
    assert (stances.name, outcomes.name) == (generator.STANCES_FILE, generator.OUTCOMES_FILE)
    want_stances, want_outcomes = generator.tables()
    assert stances.read_bytes() == want_stances.encode(), (
        "run `python scripts/make_backtest_example.py` and commit its output"
    )
    assert outcomes.read_bytes() == want_outcomes.encode()


def test_the_generator_is_seeded(generator):
    assert generator.tables() == generator.tables()
    assert generator.tables(1) != generator.tables()


def test_the_tables_are_small_and_inside_the_package():
    for path in backtest_example():
        assert path.is_file() and path.is_relative_to(ROOT)
        assert path.stat().st_size < 10_000


def test_the_tables_have_what_a_backtest_reads():
    stances_path, outcomes_path = backtest_example()
    stances = read_stance_table(stances_path)
    outcomes = read_outcome_table(outcomes_path)
    assert len(stances) == len(outcomes) == 12
    assert {s.issue for s in stances} == {o.issue for o in outcomes}
    for issue in stances:
        assert 6 <= len(issue.actors) <= 10
        assert all(0 <= x <= 100 for x in issue.position)
        assert all(0 < s <= 1 for s in issue.salience)
        assert all(c > 0 for c in issue.capability)
    for outcome in outcomes:
        assert outcome.outcome is not None and 0 <= outcome.outcome <= 100
        assert outcome.reference_point is not None
        assert outcome.group != outcome.issue  # grouped by the proposal column
    assert len({o.group for o in outcomes}) > 1
    assert {o.attributes["procedure"] for o in outcomes} == {"majority", "consensus"}


def test_the_tables_are_not_listed_as_cases():
    from detente import cases

    assert not any("example" in info.slug for info in cases.catalogue())
