"""A case's repr is one line a reader can take in, not the whole case (it was 93 KB)."""

from __future__ import annotations

from detente import load


def test_the_repr_of_a_case_counts_its_parts():
    korea = load("korea")
    text = repr(korea)
    assert len(text) < 300
    assert text.startswith("Case(id='korea', title='The North Korean")
    assert "6 actors, 13 options, 7 issues" in text
    assert f"scenario={korea.scenario_id!r}" in text


def test_the_repr_of_a_base_case_names_no_scenario():
    chicken = load("chicken")
    assert chicken.scenario_id is None
    assert "scenario=" not in repr(chicken)
    assert "2 actors, 2 options" in repr(chicken)
