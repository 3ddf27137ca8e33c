"""Forecasts of whole cases and of forecasting tables, through the engine and the command."""

from __future__ import annotations

import json

import pytest

import detente
from detente.errors import CaseError, MissingPartError
from detente.forecast.case import forecast


def test_every_issue_gets_every_model_and_the_baselines():
    result = forecast(detente.load("korea"), models=["eum", "smp", "mean", "median"])
    data = result.to_dict()
    assert set(data["issues"]) == {i.id for i in detente.load("korea").issues}
    for entry in data["issues"].values():
        for model in ("eum", "smp", "mean", "median"):
            run = entry["models"][model]
            assert run["rounds"][0].keys() == {"USA", "PRK", "ROK", "CHN", "JPN", "RUS"}
            assert run["stopped"] in {"converged", "cycle", "max_rounds", "fixed_rounds"}
            lo, hi = entry["scale"]
            assert lo <= run["forecast"] <= hi
    json.dumps(data)


def test_baselines_match_the_research_notes():
    """proposed_spatial.md section 4: 2022 weighted mean and median per issue (to 0.1)."""
    data = forecast(detente.load("korea"), models=["mean", "median"]).to_dict()["issues"]
    expected = {
        "denuclearisation": (57.4, 75),
        "sanctions_relief": (45.8, 15),
        "joint_exercises": (54.4, 90),
        "normalisation": (49.6, 35),
        "extended_deterrence": (50.3, 80),
        "trilateral_exercises": (50.3, 85),
        "summit_format": (42.2, 25),
    }
    for issue, (mean, median) in expected.items():
        assert data[issue]["models"]["mean"]["forecast"] == pytest.approx(mean, abs=0.05)
        assert data[issue]["models"]["median"]["forecast"] == pytest.approx(median, abs=0.05)


def test_the_2019_snapshot_puts_the_denuclearisation_centre_near_70():
    """S1: the 2018-19 weighted mean on denuclearisation is about 70 (69.7)."""
    data = forecast(detente.load("korea", scenario="eve_of_hanoi_2019"), models=["mean"]).to_dict()
    assert data["issues"]["denuclearisation"]["models"]["mean"]["forecast"] == pytest.approx(
        69.7, abs=0.05
    )


def test_monte_carlo_repeats_with_the_same_seed():
    case = detente.load("korea")
    a = forecast(
        case, models=["mean", "eum"], issue="denuclearisation", samples=200, seed=3
    ).to_dict()
    b = forecast(
        case, models=["mean", "eum"], issue="denuclearisation", samples=200, seed=3
    ).to_dict()
    assert a == b
    mc = a["issues"]["denuclearisation"]["monte_carlo"]["eum"]
    assert mc["interval"][0] <= mc["median"] <= mc["interval"][1]


def test_forecasting_needs_issues():
    with pytest.raises(MissingPartError, match="forecasting needs 'issues'"):
        forecast(detente.load("chicken"))


def test_an_unknown_model_is_refused():
    with pytest.raises(CaseError, match="unknown model"):
        forecast(detente.load("korea"), models=["oracle"])


EU = "actor,capability,position,salience\nNetherlands,0.08,4,0.8\nBelgium,0.08,7,0.4\nGermany,0.16,4,0.8\nFrance,0.16,10,0.6\nUK,0.16,10,0.9\n"


def test_the_command_reads_a_plain_csv(run_cli, tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text(EU)
    result = run_cli(
        "forecast", str(path), "--scale", "0", "10", "--model", "mean", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    (entry,) = json.loads(result.stdout)["issues"].values()
    assert entry["scale"] == [0, 10]
    assert set(entry["models"]["mean"]["rounds"][0]) == {
        "Netherlands",
        "Belgium",
        "Germany",
        "France",
        "UK",
    }


def test_the_command_names_the_row_and_column_of_bad_input(run_cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("actor,capability,position,salience\nA,-1,5,0.5\nB,1,x,0.5\n")
    result = run_cli("forecast", str(path))
    assert result.exit_code == 2
    assert f"{path}:2: row[0].capability" in result.stderr
    assert f"{path}:3: row[1].position" in result.stderr


def test_forecast_text_names_the_blocs(run_cli):
    out = " ".join(
        run_cli("forecast", "korea", "--issue", "sanctions_relief", "--model", "eum").stdout.split()
    )
    assert "mean and median lie far apart" in out


def test_a_ktab_file_with_entities_is_refused(run_cli, tmp_path):
    path = tmp_path / "lol.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n'
        "<Scenario><name>&lol2;</name></Scenario>\n"
    )
    result = run_cli("forecast", str(path))
    assert result.exit_code == 2
    assert "document type declaration" in result.stderr


def test_a_ktab_scenario_brings_its_model_parameters(run_cli, tmp_path):
    """The spatial model runs with the XML's ModelParameters (here Square victory, not the default)."""
    from detente.forecast import parse_ktab_xml, spatial_model
    from tests.forecast.test_inputs import KTAB_XML

    path = tmp_path / "k.xml"
    path.write_text(KTAB_XML)
    result = run_cli("forecast", str(path), "--model", "smp", "--joint", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["parameters"]["smp"]["victory"] == "square"
    scenario = parse_ktab_xml(KTAB_XML)
    c, x, s = scenario.arrays()
    expected = spatial_model(
        scenario.actors,
        c,
        x,
        s,
        issues=scenario.issues,
        **scenario.smp_kwargs(),
    )
    got = {issue: entry["models"]["smp"]["forecast"] for issue, entry in data["issues"].items()}
    assert got == pytest.approx(expected.forecast)

    path.write_text(KTAB_XML.replace("<VictoryProbModel>Square", "<VictoryProbModel>Bogus"))
    bad = run_cli("forecast", str(path), "--model", "smp")
    assert bad.exit_code == 2
    assert "VictoryProbModel" in bad.stderr or "victory" in bad.stderr.lower()


def test_scale_is_refused_for_ktab_scenarios_and_joint_needs_the_spatial_model(run_cli, tmp_path):
    from tests.forecast.test_inputs import KTAB_XML

    path = tmp_path / "k.xml"
    path.write_text(KTAB_XML)
    assert run_cli("forecast", str(path), "--scale", "0", "10").exit_code == 2
    assert run_cli("forecast", "korea", "--model", "eum", "--joint").exit_code == 2
