"""The graph model's history, evolution and per-party concepts on the command line."""

from __future__ import annotations

import json

import pytest

from detente import load
from detente.gmcr.heterogeneous import analyze_heterogeneous
from detente.gmcr.history import analyze_history


def test_history_tells_every_recorded_move(run_cli):
    result = run_cli("history", "korea", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    expected = analyze_history(load("korea")).to_dict()
    assert [s["date"] for s in data["steps"]] == [s["date"] for s in expected["steps"]]
    assert set(data["parties"]) == {a.id for a in load("korea").actors}
    text = run_cli("history", "korea").stdout
    assert "The recorded moves" in text
    for step in expected["steps"]:
        assert step["date"] in text


def test_history_of_a_period_under_a_scenario(run_cli):
    result = run_cli(
        "history", "korea", "--scenario", "eve_of_hanoi_2019", "--until", "2019", "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["scenario"] == "eve_of_hanoi_2019"
    assert all(s["date"] <= "2019-99" for s in data["steps"])


def test_history_without_a_history_is_a_clear_error(run_cli):
    result = run_cli("history", "chicken")
    assert result.exit_code == 2
    assert "history" in result.stderr and "Traceback" not in result.stderr


def test_evolution_from_a_proposal(run_cli):
    result = run_cli("evolution", "korea", "--start", "freeze_for_freeze", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    ends = sum(c["probability"] for c in data["closed_classes"])
    assert ends == pytest.approx(1.0)
    for dist in data["distributions"].values():
        assert sum(s["probability"] for s in dist["states"]) + dist["rest"] == pytest.approx(1.0)


def test_evolution_names_an_unknown_start(run_cli):
    result = run_cli("evolution", "korea", "--start", "no_such_deal")
    assert result.exit_code == 2
    assert "no_such_deal" in result.stderr and "hanoi_offer" in result.stderr


def test_stability_with_each_party_under_its_own_concept(run_cli):
    result = run_cli(
        "stability",
        "prisoners_dilemma",
        "--party-concept",
        "A=gmr",
        "--party-concept",
        "B=nash",
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    mixed = json.loads(result.stdout)["heterogeneous"]
    expected = analyze_heterogeneous(
        load("prisoners_dilemma"), concepts={"A": "gmr", "B": "nash"}, default="nash"
    ).to_dict()
    assert mixed["equilibria"] == expected["equilibria"]
    assert mixed["concepts"] == {"A": "gmr", "B": "nash"}


@pytest.mark.parametrize(
    ("value", "said"), [("Z=nash", "PARTY=CONCEPT"), ("A=wise", "not a solution concept")]
)
def test_a_bad_party_concept_is_named(run_cli, value, said):
    result = run_cli("stability", "prisoners_dilemma", "--party-concept", value)
    assert result.exit_code == 2
    assert said in result.stderr


def test_robustness_of_the_status_quo_and_the_proposals(run_cli):
    from detente.gmcr.robustness import robustness

    result = run_cli("robustness", "korea", "--concepts", "nash,seq", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    expected = robustness(load("korea"), concepts=("nash", "seq")).to_dict()
    assert data["summary"] == expected["summary"]
    status_quo = next(m for m in data["states"]["seq"] if m["labels"] == ["status_quo"])
    assert status_quo["kind"] == "remove" and status_quo["impossible"]
    text = run_cli("robustness", "korea", "--concepts", "seq").stdout
    assert "no change of any one party's priorities unsettles the status quo" in " ".join(
        text.split()
    )


def test_perception_tells_who_sees_which_deal_as_stable(run_cli):
    result = run_cli("perception", "korea", "--scenario", "eve_of_hanoi_2019", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    hanoi = data["proposals"]["hanoi_offer"]["equilibrium"]["seq"]
    assert hanoi["perceived"]["PRK"] and not hanoi["true"]
    text = " ".join(
        run_cli("perception", "korea", "--scenario", "eve_of_hanoi_2019").stdout.split()
    )
    assert "looks stable (GMR) only to North Korea" in text


def test_uncertain_preferences_of_the_teaching_case(run_cli):
    from detente.gmcr.uncertain import analyze_probabilistic, analyze_unknown

    case = load("loyalty_in_doubt")
    result = run_cli("uncertain", "loyalty_in_doubt", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["equilibria"] == analyze_probabilistic(case).to_dict()["equilibria"]
    assert data["uncertain_parties"] == ["B"]
    unknown = run_cli("uncertain", "loyalty_in_doubt", "--unknown", "-f", "json")
    assert json.loads(unknown.stdout)["equilibria"] == analyze_unknown(case).to_dict()["equilibria"]


def test_uncertain_refuses_a_model_too_big_for_it(run_cli, tmp_path):
    """Thirteen free options make 8,192 states, above the default cap of 4,096."""
    options = "\n".join(
        f"  - {{id: o{k}, label: option {k}, controller: {'A' if k % 2 else 'B'}}}"
        for k in range(13)
    )
    path = tmp_path / "big.yaml"
    path.write_text(
        "id: big\ntitle: Too big\nactors:\n  - {id: A, name: A}\n  - {id: B, name: B}\n"
        f"options:\n{options}\nstatus_quo: []\npreferences:\n"
        "  A: {statements: [{expr: o0, probability: 0.5}]}\n  B: {statements: [o1]}\n"
    )
    result = run_cli("uncertain", str(path))
    assert result.exit_code == 2, result.stdout
    assert "8,192" in result.stderr and "4,096" in result.stderr
