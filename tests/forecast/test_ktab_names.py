"""The names KTAB actors are shown by: the name column, or a name-like description of a code."""

from __future__ import annotations

import pytest

from detente._loading import read_forecast_table

from .test_inputs import KTAB_CSV, KTAB_XML

HEADER = "Policy,a test,{n},1,\nActor,Description,Power,Tax,Tax sal,\n"


def _actors(tmp_path, rows: list[str]) -> list[tuple[str, str, str | None]]:
    path = tmp_path / "t.csv"
    path.write_text(HEADER.format(n=len(rows)) + "".join(f"{r},100,30,30,\n" for r in rows))
    return [(a.id, a.name, a.description) for a in read_forecast_table(path).actors]


@pytest.mark.parametrize(
    ("name", "text"),
    [pytest.param("ktab.csv", KTAB_CSV, id="csv"), pytest.param("ktab.xml", KTAB_XML, id="xml")],
)
def test_named_actors_keep_their_names_and_their_descriptions_as_notes(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    actors = read_forecast_table(path).actors
    assert [(a.id, a.name, a.description) for a in actors] == [
        ("Alice", "Alice", "first"),
        ("Bob", "Bob", "second"),
        ("Carol", "Carol", "third"),
    ]


def test_a_code_takes_its_name_like_description(tmp_path):
    assert _actors(tmp_path, ["XJ,Xi Jinping", "USA,US Gov", "EU,"]) == [
        ("XJ", "Xi Jinping", "Xi Jinping"),
        ("USA", "US Gov", "US Gov"),
        ("EU", "EU", None),
    ]


@pytest.mark.parametrize(
    "description",
    [
        pytest.param("General Secretary of the Communist Party of China", id="over-40"),
        pytest.param("The leader; decides alone", id="semicolon"),
        pytest.param("Leads the party.", id="sentence"),
        pytest.param("Does he decide?", id="question"),
        pytest.param("a b c d e f g", id="seven-words"),
    ],
)
def test_a_description_that_reads_as_prose_never_becomes_a_name(tmp_path, description):
    assert _actors(tmp_path, [f"XJ,{description}", "USA,US Gov"])[0] == ("XJ", "XJ", description)


def test_a_description_never_takes_another_actors_name(tmp_path):
    rows = ["AB,CD", "CD,AB", "XJ,Xi", "LK,Xi"]
    assert [n for _, n, _ in _actors(tmp_path, rows)] == ["AB", "CD", "XJ", "LK"]
