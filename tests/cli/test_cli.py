"""The detente command, run in-process through its entry point and as a real installed process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

COMMANDS = [
    "analyze",
    "show",
    "cases",
    "validate",
    "schema",
    "export",
    "bargain",
    "stability",
    "status-quo",
    "preferences",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(run_cli, command):
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"detente {command}" in result.stdout


@pytest.mark.parametrize("command", ["analyze", "show", "validate"])
def test_case_commands_take_a_scenario(run_cli, small_case_file, command):
    result = run_cli(command, str(small_case_file), "--scenario", "thaw", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    scenario = data["case"]["scenario"]["id"] if "case" in data else data["scenario"]
    assert scenario == "thaw"


def test_show_json_holds_the_case(run_cli, small_case_file):
    data = json.loads(run_cli("show", str(small_case_file), "--format", "json").stdout)
    case = data["case"]
    assert [a["id"] for a in case["actors"]] == ["US", "NK"]
    assert [a["options"] for a in case["actors"]] == [["relief"], ["freeze", "dismantle"]]
    assert case["issues"][0]["positions"]["NK"] == {
        "position": 10.0,
        "salience": 100.0,
        "label": "10",
    }


def test_show_text_reads_as_a_report(run_cli, small_case_file):
    out = run_cli("show", str(small_case_file)).stdout
    for expected in (
        "A small test case",
        "Parties",
        "North Korea",
        "Status quo",
        "Dismantle Yongbyon",
        "Issues",
    ):
        assert expected in out


def test_markdown_output(run_cli, small_case_file):
    out = run_cli("show", str(small_case_file), "--format", "markdown").stdout
    assert out.startswith("# A small test case")
    assert "| Denuclearisation | 90 (80) | 10 (100) |" in out


def test_cases_lists_the_built_in_cases(run_cli):
    data = json.loads(run_cli("cases", "--format", "json").stdout)
    names = {c["name"] for c in data}
    assert {"teaching/chicken", "teaching/prisoners_dilemma"} <= names
    assert all(c["description"] for c in data)


def test_validate_counts_what_it_found(run_cli, small_case_file):
    result = run_cli("validate", str(small_case_file))
    assert result.exit_code == 0
    assert "valid" in result.stdout
    assert "3 options" in " ".join(result.stdout.split())


def test_validate_warns_of_a_statement_no_feasible_state_meets(run_cli, tmp_path):
    from tests.conftest import SMALL_CASE

    path = tmp_path / "case.yaml"
    path.write_text(
        SMALL_CASE.replace("[freeze, dismantle, not relief]", "[freeze, dismantle and not freeze]")
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 0
    assert "never counts" in result.stdout


def test_analyses_warn_on_standard_error_too(run_cli, tmp_path):
    from tests.conftest import SMALL_CASE

    path = tmp_path / "case.yaml"
    path.write_text(
        SMALL_CASE.replace("[freeze, dismantle, not relief]", "[freeze, dismantle and not freeze]")
    )
    result = run_cli("stability", str(path), "--format", "json")
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "never counts" in result.stderr
    json.loads(result.stdout)  # the report itself stays clean


def test_validate_warns_that_many_options_may_not_fit(run_cli, tmp_path):
    options = "\n".join(f"  - {{id: o{k}, label: option {k}, controller: A}}" for k in range(30))
    path = tmp_path / "wide.yaml"
    path.write_text(
        f"id: wide\ntitle: Wide\nactors:\n  - {{id: A, name: A}}\noptions:\n{options}\n"
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 0
    assert "2^30 states" in " ".join(result.stdout.split())


@pytest.mark.parametrize("name", ["teaching/chicken", "chicken"])
def test_built_in_cases_load_by_the_names_cases_prints(run_cli, name):
    result = run_cli("stability", name, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["states"]) == 4


def test_schema_is_json_schema(run_cli):
    data = json.loads(run_cli("schema").stdout)
    assert data["$schema"].endswith("2020-12/schema")
    assert "actors" in data["properties"]


def test_unknown_case_name_exits_2_with_a_suggestion(run_cli):
    result = run_cli("show", "chiken")
    assert result.exit_code == 2
    assert "did you mean" in result.stderr


def test_usage_errors_exit_2(run_cli):
    result = run_cli("show", "chicken", "--format", "pdf")
    assert result.exit_code == 2


def _installed(name: str) -> str:
    path = shutil.which(
        name, path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    )
    assert path, f"{name} is not installed: run pip install -e '.[test]'"
    return path


def test_the_installed_command_runs_the_main_job():
    result = subprocess.run(
        [_installed("detente"), "analyze"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "North Korea" in result.stdout
    assert "Traceback" not in result.stderr


def test_python_dash_m_detente_runs_too():
    result = subprocess.run(
        [sys.executable, "-m", "detente", "analyze", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["case"]["id"] == "korea"


def test_the_installed_command_reports_bad_input_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n")
    result = subprocess.run(
        [_installed("detente"), "validate", str(bad)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert f"{bad}:" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_bargain_reports_blockers_and_forums(run_cli):
    result = run_cli("bargain", "korea", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("outcomes", "zopa", "pareto", "solutions", "proposals", "forums"):
        assert key in data
    assert {f["id"] for f in data["forums"]} == {
        "bilateral_us_dprk",
        "six_party_talks",
        "ne_asia_summit",
    }
    text = run_cli("bargain", "korea").stdout
    assert "blocked by" in text
    assert "Forums" in text


def test_bargain_without_issues_says_what_is_missing(run_cli):
    result = run_cli("bargain", "chicken")
    assert result.exit_code == 2
    assert "bargaining needs 'issues'" in result.stderr


def test_analyze_includes_the_engines_the_case_supports(run_cli):
    data = json.loads(run_cli("analyze", "--format", "json").stdout)
    assert data["bargaining"]["proposals"]["hanoi_offer"]["blocked_by"]
    chicken = json.loads(run_cli("analyze", "chicken", "--format", "json").stdout)
    assert "bargaining" in chicken["skipped"]


def test_stability_json_has_the_documented_fields(run_cli):
    data = json.loads(
        run_cli("stability", "korea", "--concepts", "nash,gmr,smr,seq", "--format", "json").stdout
    )
    state = data["states"][data["status_quo_index"] - 1]
    assert set(state) >= {"index", "pattern", "options", "stability", "equilibrium"}
    assert state["stability"]["PRK"]["seq"] is True
    assert data["parameters"]["concepts"] == ["nash", "gmr", "smr", "seq"]


def test_status_quo_tells_the_path_as_a_story(run_cli):
    # In 2019 the status quo no longer moves (Russia already shields Pyongyang there); a
    # Moon-style Seoul leaves the 2022 status quo by dropping the trilateral drills.
    out = " ".join(run_cli("status-quo", "korea", "--scenario", "seoul_as_2018").stdout.split())
    assert "To state 2049 (an equilibrium under Nash, GMR, SMR and SEQ): South Korea drops" in out
    assert out.count("Graph model: which outcomes are stable") == 0


def test_unknown_concept_is_a_usage_error(run_cli):
    result = run_cli("stability", "korea", "--concepts", "nash,foo")
    assert result.exit_code == 2


def test_compare_puts_scenarios_side_by_side(run_cli):
    result = run_cli(
        "compare", "korea", "--scenarios", "deadlock_2022,article_soft_dprk", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    scenarios = data["scenarios"]
    assert set(scenarios) == {"deadlock_2022", "article_soft_dprk"}
    hanoi = {
        s: scenarios[s]["graph_model"]["proposals"]["hanoi_offer"]["equilibrium"]["seq"]
        for s in scenarios
    }
    assert hanoi == {"deadlock_2022": False, "article_soft_dprk": True}
    text = " ".join(
        run_cli("compare", "korea", "--scenarios", "deadlock_2022,article_soft_dprk").stdout.split()
    )
    assert "is a SEQ equilibrium in" in text


def test_inverse_states_the_conditions_and_counts(run_cli):
    result = run_cli(
        "inverse",
        "prisoners_dilemma",
        "--state",
        "NN",
        "--actor",
        "A",
        "--concepts",
        "gmr",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    (entry,) = json.loads(result.stdout)["results"]
    assert entry["text"] == "State 1 is GMR-stable for A if A prefers 1 to 2 or to 4"
    assert (entry["count"], entry["total"]) == (4, 6)


def test_inverse_with_a_bad_state_is_a_usage_error(run_cli):
    assert run_cli("inverse", "chicken", "--state", "99").exit_code == 2
    assert run_cli("inverse", "chicken", "--state", "YNY").exit_code == 2


def test_explain_names_the_unsanctioned_moves(run_cli):
    out = " ".join(run_cli("explain", "korea", "--state", "2187", "--actor", "PRK").stdout.split())
    assert "is unstable for North Korea under SEQ" in out
    assert "the move is unanswered" in out
    data = json.loads(
        run_cli(
            "explain",
            "prisoners_dilemma",
            "--state",
            "1",
            "--actor",
            "A",
            "--concept",
            "gmr",
            "--format",
            "json",
        ).stdout
    )
    assert data["stable"] is True
    assert data["improvements"][0]["sanctioned"] is True


def test_coalitions_that_could_move_together_are_named(run_cli):
    # In 2022 no pair of parties can leave the status quo together any more; with the
    # article's Washington and a softer Pyongyang, pairs with the United States can.
    args = ("--scenario", "article_soft_dprk", "--coalitions", "--concepts", "nash,gmr,seq")
    out = " ".join(run_cli("stability", "korea", *args).stdout.split())
    assert "Acting together, United States with North Korea" in out
    assert "Equilibria with coalitions" in out
    assert "Also against coalitions" in out


def test_a_range_too_wide_for_inverse_is_a_usage_error_naming_free(run_cli):
    result = run_cli("inverse", "korea", "--state", "2187", "--actor", "PRK", "--concepts", "seq")
    assert result.exit_code == 2
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "Invalid value for --free" not in message  # --free was not given
    assert "name the few that may with --free" in message
    # The example the message gives (and the tutorial shows) works.
    example = ["--free", "2187,2185,2186,2189,2190"]
    ok = run_cli(
        "inverse", "korea", "--state", "2187", "--actor", "PRK", "--concepts", "seq", *example
    )
    assert ok.exit_code == 0, ok.stderr
    assert "24 of 120 orderings" in " ".join(ok.stdout.split())


def test_joint_forecast_of_one_issue_is_refused(run_cli):
    result = run_cli("forecast", "korea", "--joint", "--issue", "sanctions_relief")
    assert result.exit_code == 2
    assert "drop --issue" in " ".join(result.stderr.replace("│", " ").split())


def test_two_party_concepts_on_six_parties_are_a_usage_error(run_cli):
    result = run_cli("stability", "korea", "--concepts", "sim")
    assert result.exit_code == 2
    assert "two" in result.stderr.lower()


def test_analyze_writes_html_and_markdown_files(run_cli, tmp_path):
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    result = run_cli("analyze", "chicken", "--html", str(html), "--markdown", str(md))
    assert result.exit_code == 0, result.stderr
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert md.read_text().startswith("# Chicken as a graph model")
    assert f"wrote the HTML report to {html}" in " ".join(result.stderr.split())
    # the terminal gets the case's title and the findings; the case's tables went to the files
    assert "Chicken as a graph model" in result.stdout and "Findings" in result.stdout
    assert "Parties" not in result.stdout
    assert "Parties" in run_cli("analyze", "chicken").stdout


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("inverse", "chicken", "--state", "1", "--free", "99"), "--free"),
        (("inverse", "chicken", "--state", "1", "--concepts", "lh"), "--concepts"),
        (("explain", "chicken", "--state", "1", "--actor", "A", "--concept", "foo"), "--concept"),
        (("stability", "chicken", "--concepts", ""), "--concepts"),
    ],
)
def test_usage_errors_name_the_option_at_fault(run_cli, args, hint):
    result = run_cli(*args)
    assert result.exit_code == 2
    assert f"Invalid value for {hint}:" in " ".join(result.stderr.split())


def test_explain_says_why_an_answer_fails_under_smr(run_cli, tmp_path):
    # B's step is answered by C (GMR), but B can then escape to a state it prefers.
    path = tmp_path / "escape.yaml"
    path.write_text(
        """id: escape
title: Escape
actors: [{id: B, name: Beta}, {id: C, name: Gamma}]
options:
  - {id: b1, label: step, controller: B}
  - {id: b2, label: escape, controller: B}
  - {id: c1, label: answer, controller: C}
status_quo: []
preferences:
  B: {ranking: [NYY, YNN, NNN, YNY, NNY, YYY, YYN, NYN]}
  C: {ranking: [YNY, NNN, NNY, YNN, NYY, YYY, YYN, NYN]}
"""
    )
    out = " ".join(
        run_cli(
            "explain", str(path), "--state", "NNN", "--actor", "B", "--concept", "smr"
        ).stdout.split()
    )
    assert "is unstable for Beta under SMR" in out
    assert "Gamma takes up 'answer'" in out
    assert "would then escape to state" in out


def test_preferences_list_states_best_first(run_cli):
    data = json.loads(run_cli("preferences", "chicken", "--format", "json").stdout)
    # Driver A: hold while B swerves (2) > both swerve (1) > swerve (3) > crash (4).
    assert data["preferences"]["A"] == [2, 1, 3, 4]
    assert data["ranks"]["B"] == [2, 3, 1, 4]
    text = " ".join(run_cli("preferences", "chicken", "--actor", "B").stdout.split())
    assert "Preferences of Driver B (4 levels)" in text
    assert "Driver A" not in text.replace("Driver A holds", "")


def test_stability_tabulates_the_states_asked_for(run_cli):
    out = run_cli("stability", "chicken", "--concepts", "nash,gmr", "--states", "equilibria")
    text = " ".join(out.stdout.split())
    # The equilibria under either concept: 2 and 3 (Nash), and 1 too (GMR).
    assert "Nash stability of 3 states" in text
    assert "GMR stability of 3 states" in text
    assert "stable (1)" in text  # Driver A's rank of state 2 (YN)
    data = json.loads(
        run_cli("stability", "chicken", "--states", "1,YY", "--format", "json").stdout
    )
    assert [s["index"] for s in data["states"]] == [1, 4]
    assert data["states"][0]["rank"] == {"A": 2, "B": 2}
    assert run_cli("stability", "chicken", "--states", "9").exit_code == 2


def test_status_quo_can_follow_any_moves(run_cli):
    def reach(*extra):
        out = run_cli("status-quo", "chicken", *extra, "--format", "json")
        assert out.exit_code == 0, out.stderr
        data = json.loads(out.stdout)
        return sorted(data["reachable"]), data["parameters"]["moves"]

    assert reach() == ([2, 3], "unilateral improvements")
    # Any moves, no party twice in a row: A swerves back only after B has moved.
    assert reach("--moves", "any") == ([1, 2, 3, 4], "unilateral moves")


def test_forecast_takes_spatial_model_settings(run_cli):
    def smp(*extra):
        out = run_cli(
            "forecast",
            "korea",
            "--issue",
            "denuclearisation",
            "--model",
            "smp",
            *extra,
            "--format",
            "json",
        )
        assert out.exit_code == 0, out.stderr
        return json.loads(out.stdout)

    plain = smp()
    binary = smp("--smp", "victory=binary", "--smp", "voting=binary")
    assert binary["parameters"]["smp"] == {"victory": "binary", "voting": "binary"}
    before = plain["issues"]["denuclearisation"]["models"]["smp"]["forecast"]
    after = binary["issues"]["denuclearisation"]["models"]["smp"]["forecast"]
    assert before != after
    assert run_cli("forecast", "korea", "--smp", "victory=big").exit_code == 2
    assert run_cli("forecast", "korea", "--smp", "nonsense").exit_code == 2


def test_export_to_gmcr_py_says_what_changes_on_standard_error(run_cli, tmp_path):
    out = tmp_path / "korea.gmcr"
    result = run_cli("export", "korea", "--to", "gmcr-py", "-o", str(out))
    assert result.exit_code == 0
    notes = " ".join(result.stderr.split())
    assert "Options were regrouped by party" in notes
    assert "no status quo" in notes
    back = json.loads(run_cli("status-quo", str(out), "--format", "json").stdout)
    taken = [o for o, v in back["status_quo"]["options"].items() if v]
    assert taken == ["trilateral_exercises", "russia_shields"]


def test_status_quo_with_coalitions_follows_joint_moves(run_cli):
    # In 2022 no pair can move the status quo any more (see tests/cases); in
    # article_soft_dprk pairs can.
    soft = ("--scenario", "article_soft_dprk", "--coalitions")
    text = " ".join(run_cli("status-quo", "korea", *soft).stdout.split())
    assert "With any two parties acting together" in text
    assert "United States and Russia together (" in text
    data = json.loads(run_cli("status-quo", "korea", *soft, "--format", "json").stdout)
    joint = data["with_coalitions"]
    assert len(joint["reachable"]) > len(data["reachable"])
    steps = [s for path in joint["paths"].values() for s in path]
    assert any("coalition" in s for s in steps)


def test_validate_warns_of_what_stops_an_analysis(run_cli, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(
        """id: w
title: W
actors: [{id: A, name: A}, {id: B, name: B}, {id: C, name: C}]
issues:
  - id: aid
    name: Aid
    positions:
      A: {position: 10, salience: 80}
      B: {position: 90, salience: 0.9}
  - id: lone
    name: Lone
    positions:
      A: {position: 50, salience: 50}
proposals:
  - {id: p, name: P, positions: {aid: 50}}
"""
    )
    out = " ".join(run_cli("validate", str(case)).stdout.split())
    assert "issue lone: forecasting needs the stances of at least two actors" in out
    assert "no status_quo for issue aid, lone: bargaining" in out
    assert "issues.aid.positions.B.salience is 0.9" in out


def test_an_engine_problem_names_the_line_of_the_case_file(run_cli, tmp_path):
    case = tmp_path / "nosq.yaml"
    case.write_text(
        """id: nosq
title: No status quo
actors:
  - {id: A, name: A}
  - {id: B, name: B}
issues:
  - id: aid
    name: Aid
    positions:
      A: {position: 10, salience: 50}
      B: {position: 90, salience: 50}
"""
    )
    result = run_cli("bargain", str(case))
    assert result.exit_code == 2
    assert f"{case}:7: issues[0].status_quo:" in result.stderr


def test_monte_carlo_uncertainties_are_options(run_cli):
    def interval(*extra):
        out = run_cli(
            "forecast",
            "korea",
            "--issue",
            "sanctions_relief",
            "--model",
            "mean",
            "--samples",
            "100",
            "--seed",
            "3",
            "--salience-sd",
            "0",
            "--capability-sd",
            "0",
            *extra,
            "--format",
            "json",
        )
        assert out.exit_code == 0, out.stderr
        return json.loads(out.stdout)["issues"]["sanctions_relief"]["monte_carlo"]["mean"][
            "interval"
        ]

    low, high = interval("--position-sd", "0")
    assert low == high  # nothing uncertain: every sample is the point forecast
    low, high = interval("--position-sd", "20")
    assert high - low > 10
    robust = run_cli(
        "bargain",
        "korea",
        "--samples",
        "20",
        "--position-sd",
        "0",
        "--salience-sd",
        "0",
        "--format",
        "json",
    )
    assert robust.exit_code == 0, robust.stderr
    shares = json.loads(robust.stdout)["robustness"]["proposals"]
    assert all(v in (0.0, 1.0) for v in shares.values())  # no noise: all or nothing


def test_one_issue_forecast_shows_positions_by_round(run_cli):
    text = " ".join(run_cli("forecast", "korea", "--issue", "sanctions_relief").stdout.split())
    assert "Positions by round: expected utility model" in text
    assert "Positions by round: spatial model" in text
    assert "Round 0 holds the starting positions." in text
    # All issues at once: one summary table, no per-round tables.
    assert "Positions by round" not in run_cli("forecast", "korea", "--model", "mean").stdout


def test_joint_sanctions_in_coalition_analysis(run_cli, tmp_path):
    case = tmp_path / "four.yaml"
    case.write_text(
        """id: four
title: Four
actors: [{id: A, name: A}, {id: B, name: B}, {id: C, name: C}, {id: D, name: D}]
options:
  - {id: a, label: a, controller: A}
  - {id: b, label: b, controller: B}
  - {id: c, label: c, controller: C}
  - {id: d, label: d, controller: D}
status_quo: []
preferences:
  A: {statements: [b, not c, a]}
  B: {statements: [a, not d, b]}
  C: {statements: [c and d, not a]}
  D: {statements: [c and d, not b]}
coalitions: [[A, B]]
"""
    )
    assert run_cli("stability", str(case), "--joint-sanctions").exit_code == 2
    out = run_cli("stability", str(case), "--coalitions", "--joint-sanctions", "--format", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)["coalitions"]
    assert data["parameters"]["sanctions"] == "joint"
    text = " ".join(
        run_cli("stability", str(case), "--coalitions", "--joint-sanctions").stdout.split()
    )
    assert "may also sanction by joint improvements" in text


def test_monte_carlo_intervals_are_tabulated(run_cli):
    text = " ".join(
        run_cli(
            "forecast", "korea", "--issue", "sanctions_relief", "--model", "mean", "--samples", "50"
        ).stdout.split()
    )
    assert "Monte Carlo: how far each forecast moves under uncertain inputs" in text
    assert "Middle 90%" in text
    plain = run_cli("forecast", "korea", "--issue", "sanctions_relief", "--model", "mean").stdout
    assert "Monte Carlo: how far" not in plain


@pytest.mark.parametrize("command", ["analyze", "validate", "show"])
def test_case_commands_read_the_forecasting_tables_forecast_reads(run_cli, tmp_path, command):
    table = tmp_path / "table.csv"
    table.write_text("actor,capability,position,salience\nUS,3,90,0.8\nNK,1,10,1.0\nCN,2,50,0.6\n")
    result = run_cli(command, str(table), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    if command == "analyze":
        assert "forecast" in data and "issue" in data["forecast"]["issues"]
    elif command == "validate":
        assert data["counts"]["actors"] == 3
    else:
        assert [a["id"] for a in data["case"]["actors"]] == ["US", "NK", "CN"]


def test_a_broken_forecasting_table_names_its_line_in_analyze(run_cli, tmp_path):
    table = tmp_path / "bad.csv"
    table.write_text("actor,capability,position,salience\nUS,3,x,0.8\nNK,1,10,1.0\n")
    result = run_cli("analyze", str(table))
    assert result.exit_code == 2
    assert f"{table}:2" in result.stderr and "position" in result.stderr


@pytest.mark.parametrize(
    ("name", "looks_like"),
    [
        ("c.yaml", "yaml"),
        ("c.yml", "yaml"),
        ("c.json", "json"),
        ("c.gmcr", "gmcr"),
        ("c.txt", "json"),
    ],
)
def test_export_writes_the_format_the_file_name_asks_for(run_cli, tmp_path, name, looks_like):
    """`detente export CASE -o chicken.yaml` writes YAML (it wrote JSON whatever the name);
    --to still decides when given."""
    out = tmp_path / name
    assert run_cli("export", "teaching/chicken", "-o", str(out)).exit_code == 0
    text = out.read_text()
    if looks_like == "yaml":
        assert not text.lstrip().startswith("{") and "actors:" in text
    elif looks_like == "gmcr":
        assert "decisionMakers" in json.loads(text)
    else:
        assert "actors" in json.loads(text)
    if out.suffix != ".txt":  # a case file detente reads back
        assert run_cli("validate", str(out)).exit_code == 0
    forced = tmp_path / ("forced" + out.suffix)
    assert run_cli("export", "teaching/chicken", "--to", "json", "-o", str(forced)).exit_code == 0
    assert isinstance(json.loads(forced.read_text()), dict)
