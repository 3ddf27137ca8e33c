"""Parsers of forecasting inputs, and the errors that name row and column."""

from __future__ import annotations

import numpy as np
import pytest

from detente.errors import CaseError
from detente.forecast import (
    expected_utility,
    parse_actor_csv,
    parse_ktab_csv,
    parse_ktab_xml,
    spatial_model,
)

pytestmark = pytest.mark.forecast

EU_CSV = """Actor,Capability,Position,Salience
Netherlands,0.08,4,0.8
Belgium,0.08,7,0.4
Luxembourg,0.03,4,0.2
Germany,0.16,4,0.8
France,0.16,10,0.6
Italy,0.16,10,0.6
UK,0.16,10,0.9
Ireland,0.05,7,0.1
Denmark,0.05,4,1.0
Greece,0.08,7,0.7
"""

KTAB_CSV = """Dummy,three actors on two dimensions,3,2,
Actor,Description,Power,Tax,Tax salience,Trade,Trade salience,
Alice,first,117.7,20,32.3,39.8,22.4,
Bob,second,93.2,15.9,25.2,61.4,34.5,
Carol,third,50,80,50,10,50,
"""

KTAB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Scenario>
  <name>DummyData</name>
  <desc>A small test</desc>
  <prngSeed>0351</prngSeed>
  <ModelParameters>
    <VictoryProbModel>Square</VictoryProbModel>
    <PCEModel>Conditional</PCEModel>
    <StateTransitions>Deterministic</StateTransitions>
    <VotingRule>Prop</VotingRule>
    <BigRAdjust>OneThird</BigRAdjust>
    <BigRRange>Mid</BigRRange>
    <ThirdPartyCommit>SemiCommit</ThirdPartyCommit>
    <InterVecBrgn>S2P2</InterVecBrgn>
    <BargnModel>InitOnlyInterp</BargnModel>
  </ModelParameters>
  <Dimensions><dName>Tax</dName><dName>Trade</dName></Dimensions>
  <Actors>
    <Actor>
      <name>Alice</name><description>first</description><capability>117.7</capability>
      <Position><dCoord>20</dCoord><dCoord>39.8</dCoord></Position>
      <Salience><dSal>32.3</dSal><dSal>22.4</dSal></Salience>
    </Actor>
    <Actor>
      <name>Bob</name><description>second</description><capability>93.2</capability>
      <Position><dCoord>15.9</dCoord><dCoord>61.4</dCoord></Position>
      <Salience><dSal>25.2</dSal><dSal>34.5</dSal></Salience>
    </Actor>
    <Actor>
      <name>Carol</name><description>third</description><capability>50</capability>
      <Position><dCoord>80</dCoord><dCoord>10</dCoord></Position>
      <Salience><dSal>50</dSal><dSal>50</dSal></Salience>
    </Actor>
  </Actors>
</Scenario>
"""


def test_actor_csv_reads_eu_data():
    inp = parse_actor_csv(EU_CSV, scale=(0, 10))
    assert inp.actors[0] == "Netherlands"
    assert len(inp.actors) == 10
    c, x, s = inp.arrays()
    assert x.shape == (10, 1)
    assert s[9, 0] == 0.7
    res = expected_utility(
        inp.actors,
        c,
        x[:, 0],
        s[:, 0],
        scale=inp.scale,
        variant="scholz-code",
        rounds=10,
        statistic="mean",
    )
    assert res.issues[0].forecast == pytest.approx(7.242130958, abs=1e-9)


def test_actor_csv_several_issues():
    text = "actor,capability,position:tax,salience:tax,position:trade,salience:trade\n"
    text += "a,1,10,0.5,20,0.4\nb,2,30,0.2,40,0.1\n"
    inp = parse_actor_csv(text)
    assert inp.issues == ("tax", "trade")
    assert inp.position == ((10.0, 20.0), (30.0, 40.0))


def test_ktab_csv_and_xml_agree():
    a, b = parse_ktab_csv(KTAB_CSV), parse_ktab_xml(KTAB_XML)
    assert a.actors == b.actors == ("Alice", "Bob", "Carol")
    assert a.issues == b.issues == ("Tax", "Trade")
    assert a.position == b.position
    assert np.allclose(a.salience, b.salience)
    assert a.salience[0] == pytest.approx((0.323, 0.224))
    assert b.seed == 351
    assert b.name == "DummyData"
    kw = b.smp_kwargs()
    assert kw["victory"] == "square"
    assert kw["third_party"] == "semi"
    c, x, s = b.arrays()
    res = spatial_model(b.actors, c, x, s, issues=b.issues, **kw)
    assert res.parameters["victory"] == "square"


def test_unsupported_ktab_setting_is_named():
    text = KTAB_XML.replace("<PCEModel>Conditional", "<PCEModel>Bogus")
    with pytest.raises(CaseError) as err:
        parse_ktab_xml(text).smp_kwargs()
    assert err.value.problems[0].field == "ModelParameters.PCEModel"


@pytest.mark.parametrize(
    ("text", "field", "line", "fragment"),
    [
        pytest.param(
            EU_CSV.replace("Belgium,0.08", "Belgium,-0.08"),
            "capability",
            3,
            "> 0",
            id="negative-capability",
        ),
        pytest.param(
            EU_CSV.replace("Ireland,0.05,7,0.1", "Ireland,0.05,7,1.4"),
            "salience",
            9,
            "[0, 1]",
            id="salience-out-of-range",
        ),
        pytest.param(
            EU_CSV.replace("France,0.16,10", "France,0.16,ten"),
            "position",
            6,
            "number",
            id="non-numeric-position",
        ),
        pytest.param(
            "actor,capability,position,salience\nsolo,1,5,0.5\n",
            "row",
            2,
            "two actors",
            id="one-actor",
        ),
        pytest.param(
            EU_CSV.replace("Greece", "Denmark"), "actor", 11, "repeated", id="repeated-actor"
        ),
        pytest.param(
            "actor,capability,salience\na,1,0.5\nb,1,0.5\n",
            "column.position",
            1,
            "missing",
            id="missing-column",
        ),
    ],
)
def test_actor_csv_errors_name_row_and_column(text, field, line, fragment):
    with pytest.raises(CaseError) as err:
        parse_actor_csv(text, scale=(0, 10))
    p = err.value.problems[0]
    assert p.field == field
    assert p.line == line
    assert fragment in str(p)


@pytest.mark.parametrize(
    ("old", "new", "field", "line"),
    [
        pytest.param("Bob,second,93.2", "Bob,second,-3", "Power", 4, id="power"),
        pytest.param("Carol,third,50,80", "Carol,third,50,180", "Tax", 5, id="position"),
        pytest.param(
            "Carol,third,50,80,50,10,50",
            "Carol,third,50,80,60,10,50",
            "salience",
            5,
            id="salience-sum",
        ),
        pytest.param("Alice,first,117.7,20", "Alice,first,117.7,x", "Tax", 3, id="non-numeric"),
        pytest.param(",3,2,", ",4,2,", "header.numActors", 1, id="count"),
    ],
)
def test_ktab_csv_errors(old, new, field, line):
    with pytest.raises(CaseError) as err:
        parse_ktab_csv(KTAB_CSV.replace(old, new))
    p = err.value.problems[0]
    assert (p.field, p.line) == (field, line)


def test_ktab_xml_errors_name_actor_and_line():
    bad = KTAB_XML.replace("<dCoord>15.9</dCoord>", "<dCoord></dCoord>")
    with pytest.raises(CaseError) as err:
        parse_ktab_xml(bad)
    p = err.value.problems[0]
    assert p.field == "actor[1].dCoord[0]"
    assert p.line == 26
    with pytest.raises(CaseError) as err:
        parse_ktab_xml(KTAB_XML.replace("<capability>50<", "<capability>0<"))
    assert err.value.problems[0].field == "actor[2].capability"
    with pytest.raises(CaseError) as err:
        parse_ktab_xml("<Scenario><Actors>")
    assert err.value.problems[0].line == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"capability": [1, -2, 1]}, "capability[1]", id="negative-capability"),
        pytest.param({"salience": [0.5, 1.5, 0.5]}, "salience[1]", id="salience"),
        pytest.param({"position": [10, "high", 30]}, "position[1]", id="non-numeric"),
        pytest.param({"position": [10, 120, 30]}, "position[1]", id="off-scale"),
        pytest.param(
            {"actors": ["a"], "capability": [1], "position": [1], "salience": [1]},
            "actors",
            id="one-actor",
        ),
    ],
)
def test_array_inputs_errors_name_field(kwargs, field):
    base = {
        "actors": ["a", "b", "c"],
        "capability": [1, 2, 1],
        "position": [10, 20, 30],
        "salience": [0.5, 0.5, 0.5],
    }
    args = {**base, **kwargs}
    for fn in (expected_utility, spatial_model):
        with pytest.raises(CaseError) as err:
            fn(args["actors"], args["capability"], args["position"], args["salience"])
        assert err.value.problems[0].field == field


# -- issue #11: hostile forecasting tables -----------------------------------------


def _plain_table(n: int) -> str:
    rows = "".join(
        f"a{k},{1 + k % 7},{(k * 37) % 101},{0.1 + (k % 9) / 10:.1f}\n" for k in range(n)
    )
    return "actor,capability,position,salience\n" + rows


def _ktab_xml(n: int, description: str = "d") -> str:
    actors = "".join(
        f"<Actor><name>A{k}</name><description>{description if k == 0 else 'd'}</description>"
        f"<capability>{k + 1}</capability><Position><dCoord>{k % 100}</dCoord></Position>"
        "<Salience><dSal>50</dSal></Salience></Actor>"
        for k in range(n)
    )
    return (
        "<Scenario><name>s</name><desc>d</desc><Dimensions><dName>Tax</dName></Dimensions>"
        f"<Actors>{actors}</Actors></Scenario>"
    )


def _table_error(tmp_path, name: str, data: str | bytes):
    import time

    from detente._loading import read_forecast_table

    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    start = time.perf_counter()
    with pytest.raises(CaseError) as info:
        read_forecast_table(path)
    assert time.perf_counter() - start < 10
    assert all(p.file == str(path) for p in info.value.problems)
    return info.value


@pytest.mark.parametrize("n", [1_001, 10_000, 100_000])
def test_a_table_with_too_many_rows_is_refused_before_parsing(tmp_path, n):
    error = _table_error(tmp_path, "t.csv", _plain_table(n))
    assert "above the limit of 1,000" in str(error)
    assert "DETENTE_MAX_ACTORS" in str(error)


def test_a_ktab_csv_of_100000_rows_is_refused(tmp_path):
    rows = "".join(f"A{k},x,{1 + k % 50},{k % 100},{1 + k % 90},\n" for k in range(100_000))
    error = _table_error(
        tmp_path, "k.csv", f"s,d,100000,1,\nActor,Description,Power,Tax,Tax sal,\n{rows}"
    )
    assert "above the limit of 1,000" in str(error)


def test_100000_rows_validate_in_seconds_when_the_limit_is_raised(monkeypatch):
    import time

    monkeypatch.setenv("DETENTE_MAX_ACTORS", "200000")
    start = time.perf_counter()
    table = parse_actor_csv(_plain_table(100_000))
    assert time.perf_counter() - start < 10
    assert len(table.actors) == 100_000
    start = time.perf_counter()
    with pytest.raises(CaseError, match="is repeated"):
        parse_actor_csv(_plain_table(100_000) + "a5,1,2,0.5\n")
    assert time.perf_counter() - start < 10


def test_a_cell_over_the_csv_field_limit_is_a_clean_error(tmp_path):
    error = _table_error(
        tmp_path,
        "t.csv",
        "actor,capability,position,salience\nb,1,3,0.5\n" + "a" * 140_000 + ",1,2,0.5\n",
    )
    assert "131,072 characters" in str(error)
    assert error.problems[0].line == 3


def test_a_nul_byte_late_in_a_large_table_names_its_line(tmp_path):
    data = (_plain_table(90) + "zz,1,\x002,0.5\n" + "x\n" * 200_000).encode()
    error = _table_error(tmp_path, "t.csv", data)
    assert "NUL byte" in str(error)
    assert error.problems[0].line == 92


def test_an_actor_name_of_30000_characters_names_the_row(tmp_path):
    error = _table_error(
        tmp_path,
        "t.csv",
        "actor,capability,position,salience\n" + "a" * 30000 + ",1,2,0.5\nb,1,3,0.5\n",
    )
    assert error.problems[0].field == "actor"
    assert "30,000 characters" in str(error)


def test_a_capability_of_1e308_is_refused(tmp_path):
    error = _table_error(
        tmp_path, "t.csv", "actor,capability,position,salience\na,1e308,2,0.5\nb,1,3,0.5\n"
    )
    assert error.problems[0].field == "capability"
    assert "beyond" in str(error)


@pytest.mark.parametrize("size", [400_000, 2_000_000])
def test_ktab_xml_with_megabytes_of_text_in_an_element_is_refused_fast(tmp_path, size):
    error = _table_error(tmp_path, "s.xml", _ktab_xml(3, "x\n" * (size // 2)))
    assert "<description>" in str(error)
    assert "above the limit" in str(error)


def test_ktab_xml_of_20000_actors_is_refused_fast(tmp_path):
    error = _table_error(tmp_path, "s.xml", _ktab_xml(20_000))
    assert "<Actor> elements (20,000)" in str(error)


def test_ktab_xml_still_reads(tmp_path):
    table = parse_ktab_xml(_ktab_xml(5))
    assert table.actors == ("A0", "A1", "A2", "A3", "A4")


def test_the_forecast_command_exits_2_on_a_hostile_table(tmp_path, run_cli):
    path = tmp_path / "t.csv"
    path.write_text(_plain_table(1000))
    result = run_cli("forecast", str(path))
    assert result.exit_code == 2
    assert f"{path}:" in result.stderr
    assert "bug in detente" not in result.stderr
