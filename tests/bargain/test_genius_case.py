"""GENIUS scenario folders as cases: ``detente.load(folder)`` and ``detente bargain FOLDER``.

The small Holiday domain below is written for this test; the utilities in the comments
are worked out by hand with GENIUS's scaling (each discrete issue's evaluations divided
by that issue's largest one; linear evaluators as given; the utility is the weighted sum
of the evaluations).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import detente
from detente.bargain.case import bargain, bargaining_problem
from detente.errors import CaseError
from detente.model.io import read
from tests.bargain.test_genius_reader import LAPTOP_FILES

pytestmark = pytest.mark.bargain

TOL = 1e-12

DOMAIN = """<?xml version="1.0" encoding="UTF-8"?>
<negotiation_template>
<utility_space>
<objective index="0" name="Holiday">
  <issue index="1" name="destination" type="discrete">
    <item index="1" value="Paris"/><item index="2" value="Rome"/><item index="3" value="Oslo"/>
  </issue>
  <issue index="2" name="nights" type="integer"><range lowerbound="1" upperbound="5"/></issue>
</objective>
</utility_space>
</negotiation_template>
"""

ALICE = """<utility_space>
<objective index="0" name="Holiday">
  <issue index="1" name="destination" type="discrete">
    <item value="Paris" evaluation="8"/>
    <item value="Rome" evaluation="4"/>
    <item value="Oslo" evaluation="2"/>
  </issue>
  <issue index="2" name="nights" type="integer">
    <range lowerbound="1" upperbound="5"/>
    <evaluator ftype="linear" slope="0.25" offset="-0.25"/>
  </issue>
  <weight index="1" value="0.7"/>
  <weight index="2" value="0.3"/>
</objective>
<reservation value="0.4"/>
<discount_factor value="0.9"/>
</utility_space>
"""

BOB = """<utility_space>
<objective index="0" name="Holiday">
  <issue index="1" name="destination" type="discrete">
    <item value="Paris" evaluation="1"/>
    <item value="Rome" evaluation="3"/>
    <item value="Oslo" evaluation="6"/>
  </issue>
  <issue index="2" name="nights" type="integer">
    <range lowerbound="1" upperbound="5"/>
    <evaluator ftype="linear" slope="-0.25" offset="1.25"/>
  </issue>
  <weight index="1" value="0.5"/>
  <weight index="2" value="0.5"/>
</objective>
<discount_factor value="0"/>
</utility_space>
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / Path(name).name).write_text(text)
    return folder


@pytest.fixture
def holiday(tmp_path: Path) -> Path:
    return write(
        tmp_path / "Holiday",
        {
            "holiday_domain.xml": DOMAIN,
            "alice.xml": ALICE,
            "Bob-2.xml": BOB,
            "README.txt": "not part of the scenario",
        },
    )


def test_a_genius_folder_reads_as_a_case(holiday):
    case = detente.load(holiday)
    assert case.id == "Holiday"
    assert [(a.id, a.name) for a in case.actors] == [("Bob_2", "Bob-2"), ("alice", "alice")]
    bob, alice = case.actors
    assert (alice.reservation_value, alice.discount_factor) == (0.4, 0.9)
    # no reservation in Bob's profile: 0, as GENIUS reads it; discount 0 means none: 1
    assert (bob.reservation_value, bob.discount_factor) == (0.0, 1.0)
    destination, nights = case.issues
    assert destination.levels == (0, 1, 2)
    assert destination.level_names == ("Paris", "Rome", "Oslo")
    assert destination.status_quo == 0
    assert nights.levels == (1, 2, 3, 4, 5)
    assert nights.level_names is None
    assert nights.status_quo == 1
    stance = destination.positions["alice"]
    assert stance.salience == pytest.approx(70)
    assert stance.position == 0  # Paris, her best
    assert stance.values == pytest.approx({0: 1.0, 1: 0.5, 2: 0.25}, abs=TOL)
    assert nights.positions["Bob_2"].values == pytest.approx(
        {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25, 5: 0.0}, abs=TOL
    )
    assert not case.options
    assert not case.proposals


@pytest.mark.parametrize(
    ("package", "alice", "bob"),
    [
        # alice: 0.7 x 0.5 + 0.3 x (0.25 x 3 - 0.25); bob: 0.5 x 3/6 + 0.5 x (1.25 - 0.25 x 3)
        pytest.param({"destination": 1, "nights": 3}, 0.5, 0.5, id="Rome-3"),
        # alice: 0.7 x 1 + 0.3 x 1; bob: 0.5 x 1/6 + 0.5 x 0
        pytest.param({"destination": 0, "nights": 5}, 1.0, 1 / 12, id="Paris-5"),
        # alice: 0.7 x 2/8 + 0.3 x 0; bob: 0.5 x 1 + 0.5 x 1
        pytest.param({"destination": 2, "nights": 1}, 0.175, 1.0, id="Oslo-1"),
    ],
)
def test_utilities_of_known_packages(holiday, package, alice, bob):
    problem = bargaining_problem(detente.load(holiday))
    u = problem.model.utilities_of(problem.space.encode(package))
    assert dict(zip(problem.model.actors, u.tolist(), strict=True)) == pytest.approx(
        {"alice": alice, "Bob_2": bob}, abs=TOL
    )


def test_reservation_values_are_the_disagreement_point(holiday):
    result = bargain(detente.load(holiday)).to_dict()
    assert result["reservation"] == {"Bob_2": 0.0, "alice": 0.4}
    assert result["reservation_basis"] == {
        "Bob_2": "reservation_value",
        "alice": "reservation_value",
    }
    # Zone: alice above 0.4 and Bob above 0. Nash: the largest (u_alice - 0.4) x u_bob.
    # Paris, 1 night: alice 0.7, Bob 0.5/6 + 0.5 = 0.5833: 0.3 x 0.5833 = 0.175;
    # Paris, 2 nights: 0.775 and 0.4583: 0.1719; Rome, 4 nights: 0.575 and 0.375: 0.0656;
    # every other package gives less.
    assert result["solutions"]["nash"]["issues"] == {"destination": 0.0, "nights": 1.0}


def test_laptop_scenario_matches_genius_utilities(tmp_path):
    """The Laptop scenario shipped with GENIUS: each bid's utility is GENIUS's weighted sum,
    divided by the sum of the weights (1.0000518 for the buyer, as published)."""
    from detente.model.io.genius import read_genius_scenario

    folder = write(tmp_path / "Laptop", LAPTOP_FILES)
    case = read(folder)
    scenario = read_genius_scenario(LAPTOP_FILES)
    problem = bargaining_problem(case)
    issues = scenario.domain.issues
    for bid in [("HP", "60 Gb", "19'' LCD"), ("Dell", "120 Gb", "20'' LCD")]:
        package = {case.issues[k].id: float(issues[k].values.index(v)) for k, v in enumerate(bid)}
        u = problem.model.utilities_of(problem.space.encode(package))
        for a, profile in enumerate(scenario.profiles):
            named = dict(zip([i.name for i in issues], bid, strict=True))
            expected = profile.utility(named) / sum(profile.weights.values())
            assert u[a] == pytest.approx(expected, abs=TOL)


def test_real_and_large_integer_issues_get_a_grid(tmp_path):
    domain = DOMAIN.replace(
        '<range lowerbound="1" upperbound="5"/>', '<range lowerbound="0" upperbound="100"/>'
    ).replace(
        "</objective>",
        '<issue index="3" name="price" type="real"><range lowerbound="0" upperbound="1"/></issue>\n'
        "</objective>",
    )

    def profile(text: str) -> str:
        return (
            text.replace(
                '<range lowerbound="1" upperbound="5"/>', '<range lowerbound="0" upperbound="100"/>'
            )
            .replace('slope="0.25" offset="-0.25"', 'slope="0.01" offset="0"')
            .replace('slope="-0.25" offset="1.25"', 'slope="-0.01" offset="1"')
            .replace(
                '<weight index="1"',
                '<issue index="3" name="price" type="real"><range lowerbound="0" upperbound="1"/>'
                '<evaluator ftype="linear" slope="1" offset="0"/></issue>\n<weight index="3" '
                'value="0"/>\n<weight index="1"',
            )
        )

    folder = write(
        tmp_path / "grid",
        {"d.xml": domain, "alice.xml": profile(ALICE), "bob.xml": profile(BOB)},
    )
    case = read(folder)
    nights, price = case.issues[1], case.issues[2]
    assert nights.levels == tuple(float(x) for x in range(0, 101, 10))
    assert len(price.levels) == 11
    assert price.levels[0] == 0
    assert price.levels[-1] == 1
    assert price.positions == {}  # weight 0: no stance
    bargain(case)


@pytest.mark.parametrize(
    ("files", "file", "fragment"),
    [
        pytest.param(
            {"d.xml": DOMAIN, "alice.xml": ALICE.replace('evaluation="4"', 'evaluation="x"')},
            "alice.xml",
            "finite number",
            id="bad-evaluation",
        ),
        pytest.param(
            {"d.xml": DOMAIN, "alice.xml": ALICE.replace('value="0.4"', 'value="1.4"')},
            "alice.xml",
            "reservation value 1.4 is outside [0, 1]",
            id="reservation-range",
        ),
        pytest.param(
            {"d.xml": DOMAIN, "alice.xml": ALICE.replace('slope="0.25"', 'slope="0.5"')},
            "alice.xml",
            "outside [0, 1]",
            id="evaluator-range",
        ),
        pytest.param(
            {"d.xml": DOMAIN, "e.xml": DOMAIN, "alice.xml": ALICE},
            None,
            "exactly one domain file",
            id="two-domains",
        ),
        pytest.param({"notes.txt": "hello"}, None, "holds no case", id="no-xml"),
    ],
)
def test_errors_name_the_file(tmp_path, files, file, fragment):
    folder = write(tmp_path / "broken", files)
    with pytest.raises(CaseError) as info:
        read(folder)
    problem = info.value.problems[0]
    assert fragment in str(problem)
    assert problem.file == str(folder / file) if file else str(folder)


def test_bad_evaluation_names_the_line(tmp_path):
    folder = write(
        tmp_path / "broken",
        {"d.xml": DOMAIN, "alice.xml": ALICE.replace('evaluation="4"', 'evaluation="x"')},
    )
    with pytest.raises(CaseError) as info:
        read(folder)
    assert info.value.line == 5


def test_detente_bargain_runs_on_a_genius_folder(holiday, run_cli):
    assert run_cli("bargain", str(holiday)).exit_code == 0
    result = run_cli("bargain", str(holiday), "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "better off than their reservation values" in result.stdout
    assert "Paris" in result.stdout
    result = run_cli("bargain", str(holiday), "--format", "json", "--samples", "8", "--seed", "1")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["level_names"]["destination"] == ["Paris", "Rome", "Oslo"]
    assert data["robustness"]["samples"] == 8
    assert run_cli("show", str(holiday)).exit_code == 0


def test_a_broken_genius_folder_exits_2_naming_the_file(tmp_path, run_cli):
    folder = write(
        tmp_path / "broken",
        {"d.xml": DOMAIN, "alice.xml": ALICE.replace('evaluation="4"', 'evaluation="x"')},
    )
    result = run_cli("bargain", str(folder))
    assert result.exit_code == 2
    assert f"{folder / 'alice.xml'}:5" in result.stderr
    assert "Traceback" not in result.stderr


def test_analyze_on_a_genius_folder_skips_forecasting_categorical_issues(holiday, run_cli):
    result = run_cli("analyze", str(holiday), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "bargaining" in data
    categorical = {i["id"] for i in data["case"]["issues"] if _is_categorical(holiday, i["id"])}
    assert categorical, "the test domain has discrete issues"
    forecast_issues = set(data["forecast"]["issues"]) if "forecast" in data else set()
    assert not categorical & forecast_issues
    if "forecast" not in data:
        assert "categorical" in data["skipped"]["forecast"]


def _is_categorical(folder, issue_id) -> bool:
    from detente import load

    issue = load(folder).issue(issue_id)
    return bool(issue.level_names)
