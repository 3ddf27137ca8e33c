"""Issue #11: inputs that crashed, hung or blew memory are refused cleanly, fast.

Each example of the issue is refused with a CaseError naming the file (and, where the
input has lines, the line and the field), through the command with exit code 2, well
within the time limit; or, where it is valid, read.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from detente.errors import CaseError
from detente.model.io import read
from tests.conftest import SMALL_CASE

FAST = 10.0  # seconds: the issue's bound for a refusal


def edit(old: str, new: str, base: str = SMALL_CASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def refused(path: Path, message: str) -> CaseError:
    start = time.perf_counter()
    with pytest.raises(CaseError) as info:
        read(path)
    assert time.perf_counter() - start < FAST
    text = str(info.value)
    assert message in text, text
    assert all(str(path) in (p.file or "") for p in info.value.problems), text
    return info.value


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _many_options(n: int, *, exclusive: int = 0) -> str:
    options = "".join(
        f"  - id: o{k}\n    label: Option {k}\n    controller: {'US' if k % 2 else 'NK'}\n"
        for k in range(n)
    )
    text = edit("options:\n  - id: freeze", "options:\n" + options + "  - id: freeze")
    if exclusive:
        group = ", ".join(f"o{k}" for k in range(exclusive))
        text = edit(
            "  - require: dismantle implies freeze",
            f"  - require: dismantle implies freeze\n  - exclusive: [{group}]",
            text,
        )
    return text


# -- case files ----------------------------------------------------------------------

SCENARIO_PREFS = '    preferences:\n      US:\n        statements: ["{}"]\n'

CASE_FILES = {
    "not-nested-1000-deep-in-a-scenario": (
        SMALL_CASE + SCENARIO_PREFS.format("not " * 1000 + "freeze"),
        '"not not',
        "scenarios[0].preferences.US.statements[0]",
        "above the limit",
    ),
    "not-nested-150-deep-with-brackets": (
        SMALL_CASE + SCENARIO_PREFS.format("not (" * 150 + "freeze" + ")" * 150),
        '"not (not',
        "scenarios[0].preferences.US.statements[0]",
        "nests 150 levels deep",
    ),
    "65-options": (_many_options(62), "options:", "options", "above the limit of 62"),
    "yaml-block-sequences-1000-deep": (
        SMALL_CASE + "notes:\n  " + "- " * 1000 + "x\n",
        None,
        None,
        "levels deep",
    ),
    "scenario-capability-infinite": (
        SMALL_CASE + "    capabilities: {US: .inf}\n",
        "capabilities:",
        "scenarios[0].capabilities.US",
        "finite number",
    ),
    "scenario-capability-null": (
        SMALL_CASE + "    capabilities: {US: null}\n",
        "capabilities:",
        "scenarios[0].capabilities.US",
        "must be a number",
    ),
    "scenario-issue-status-quo-nan": (
        SMALL_CASE + "    issue_status_quo: {denuc: .nan}\n",
        "issue_status_quo:",
        "scenarios[0].issue_status_quo.denuc",
        "finite number",
    ),
    "capability-1e308": (
        edit("capability: 100", "capability: 1e308"),
        "capability: 1e308",
        "actors[0].capability",
        "beyond ±1e+12",
    ),
    "capability-true": (
        edit("capability: 100", "capability: true"),
        "capability: true",
        "actors[0].capability",
        "must be a number",
    ),
    "scale-infinite": (
        edit("    name: Denuclearisation\n", "    name: Denuclearisation\n    scale: [0, .inf]\n"),
        "scale: [0, .inf]",
        "issues[0].scale[1]",
        "finite number",
    ),
    "scenario-id-field": (
        edit("title: A small test case", "title: A small test case\nscenario_id: thaw"),
        "scenario_id: thaw",
        "scenario_id",
        "'scenario_id' is set by detente",
    ),
    "yaml-complex-key": (SMALL_CASE + "? [a, b]\n: c\n", "? [a, b]", None, "complex keys"),
    "yaml-complex-mapping-key": (
        edit("status_quo: []", "status_quo: []\n? {a: 1}\n: 2"),
        "? {a: 1}",
        None,
        "complex keys",
    ),
    "50000-aliased-actors": (
        SMALL_CASE.replace(
            "actors:\n  - id: US\n    name: United States\n    capability: 100\n    sources: [s1]\n",
            "actors:\n  - &a\n    id: US\n    name: United States\n    capability: 100\n"
            "    sources: [s1]\n" + "  - *a\n" * 50000,
        ),
        "actors:",
        "actors",
        "DETENTE_MAX_ACTORS",
    ),
    "ranking-of-200000-entries": (
        edit(
            "    statements: [freeze, dismantle, not relief]",
            "    ranking: [" + ", ".join(["NNN"] * 200_000) + "]",
        ),
        "ranking: [",
        "preferences.US.ranking",
        "3 options give at most 8 states",
    ),
    "a-million-values": (
        SMALL_CASE + "notes: [" + ", ".join(["x"] * 1_000_001) + "]\n",
        "notes: [",
        None,
        "DETENTE_MAX_VALUES",
    ),
    "ranking-longer-than-the-states": (
        edit(
            "    statements: [freeze, dismantle, not relief]",
            "    ranking: [" + ", ".join(["NNN"] * 20) + "]",
        ),
        "ranking: [",
        "preferences.US.ranking",
        "3 options give at most 8 states",
    ),
    "issue-of-100000-levels": (
        edit(
            "    name: Denuclearisation\n",
            "    name: Denuclearisation\n    levels: ["
            + ", ".join(str(k / 1000) for k in range(100_000))
            + "]\n",
        ),
        None,
        None,
        "above the limit",
    ),
    "issue-of-5000-levels": (
        edit(
            "    name: Denuclearisation\n",
            "    name: Denuclearisation\n    levels: ["
            + ", ".join(str(k / 100) for k in range(5000))
            + "]\n",
        ),
        "levels: [",
        "issues[0].levels",
        "number of levels (5,000) is above the limit of 1,000",
    ),
    "escape-sequence-in-title": (
        edit("title: A small test case", 'title: "\\e[2J\\e]0;pwned\\a Title"'),
        'title: "',
        "title",
        "control character U+001B",
    ),
    "escape-sequence-in-name": (
        edit("name: North Korea", 'name: "\\e[31mRED"'),
        'name: "',
        "actors[1].name",
        "control character",
    ),
    "name-of-30000-characters": (
        edit("name: North Korea", "name: " + "x" * 30000),
        "name: xxx",
        "actors[1].name",
        "30,000 characters",
    ),
    "beliefs-about-101-parties": (
        edit(
            "    statements: [freeze, dismantle, not relief]",
            "    statements: [freeze, dismantle, not relief]\n    perceives:\n      preferences:\n"
            + "".join(f"        P{k}: {{statements: [freeze]}}\n" for k in range(101)),
        ),
        "      preferences:",
        "preferences.US.perceives.preferences",
        "the number of parties US holds beliefs about (101) is above the limit of 100 "
        "(set DETENTE_MAX_PERCEPTIONS",
    ),
    "a-belief-of-20000-statements": (
        edit(
            "    statements: [freeze, dismantle, not relief]",
            "    statements: [freeze, dismantle, not relief]\n    perceives:\n      preferences:\n"
            "        NK:\n          statements: [" + ", ".join(["relief"] * 20_000) + "]\n",
        ),
        "          statements: [relief",
        "preferences.US.perceives.preferences.NK.statements",
        "the number of statements (20,000) is above the limit of 10,000",
    ),
    "a-believed-ranking-of-200000-entries": (
        edit(
            "    statements: [freeze, dismantle, not relief]",
            "    statements: [freeze, dismantle, not relief]\n    perceives:\n      preferences:\n"
            "        NK:\n          ranking: [" + ", ".join(["NNN"] * 200_000) + "]\n",
        ),
        "          ranking: [",
        "preferences.US.perceives.preferences.NK.ranking",
        "3 options give at most 8 states",
    ),
    "beliefs-about-101-parties-in-a-scenario": (
        edit(
            "    status_quo: [freeze]\n",
            "    status_quo: [freeze]\n    preferences:\n      US:\n"
            "        statements: [freeze]\n        perceives:\n          preferences:\n"
            + "".join(f"            P{k}: {{statements: [freeze]}}\n" for k in range(101)),
        ),
        "          preferences:",
        "scenarios[0].preferences.US.perceives.preferences",
        "(101) is above the limit of 100",
    ),
}


@pytest.mark.parametrize(
    ("text", "fragment", "field", "message"), CASE_FILES.values(), ids=CASE_FILES
)
def test_a_hostile_case_file_is_refused_with_file_line_and_field(
    tmp_path, text, fragment, field, message
):
    path = write(tmp_path, "case.yaml", text)
    error = refused(path, message)
    problem = next(p for p in error.problems if message in p.message)
    if fragment is not None:
        assert problem.line == line_of(text, fragment), str(problem)
    if field is not None:
        assert problem.field == field, str(problem)


@pytest.mark.parametrize("example", ["65-options", "capability-1e308", "escape-sequence-in-title"])
def test_the_command_exits_2_on_a_hostile_case(tmp_path, run_cli, example):
    text = CASE_FILES[example][0]
    path = write(tmp_path, "case.yaml", text)
    for command in ("validate", "analyze", "show"):
        result = run_cli(command, str(path))
        assert result.exit_code == 2, result.stderr
        assert "bug in detente" not in result.stderr
        assert str(path) in result.stderr
        assert "\x1b" not in result.stdout + result.stderr


def test_validate_refuses_an_infinite_number_on_its_line(tmp_path, run_cli):
    text = edit("capability: 100", "capability: .inf")
    path = write(tmp_path, "case.yaml", text)
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:{line_of(text, 'capability: .inf')}: actors[0].capability" in result.stderr


def test_a_legitimate_48_option_case_with_an_exclusive_constraint_loads(tmp_path):
    # 45 options in one exclusive group: 990 pairs, once a 990-term 'or' chain of text
    path = write(tmp_path, "case.yaml", _many_options(45, exclusive=45))
    start = time.perf_counter()
    case = read(path)
    assert time.perf_counter() - start < FAST
    assert len(case.options) == 48


def test_expressions_far_below_the_limits_still_work():
    from detente.model.expressions import evaluate, parse, to_text

    deep = parse("not " * 99 + "a")
    assert evaluate(deep, {"a": np.array([True, False])}).tolist() == [False, True]
    chain = parse(" or ".join(f"(x{k} and y{k})" for k in range(100)))
    values = {f"{v}{k}": np.array([k == 7, False]) for k in range(100) for v in "xy"}
    assert evaluate(chain, values).tolist() == [True, False]
    assert parse(to_text(chain)) == chain


def test_a_scenario_view_used_as_a_base_is_a_case_error():
    import detente

    view = detente.load("korea", scenario="eve_of_hanoi_2019")
    with pytest.raises(CaseError, match="already scenario"):
        detente.load(view, scenario="deadlock_2022")
    with pytest.raises(CaseError, match="already scenario"):
        view.scenario("deadlock_2022")


def test_a_built_in_case_without_scenarios_is_a_fresh_object_each_time():
    import detente

    first = detente.load("teaching/chicken")
    first.preferences.pop("A")
    second = detente.load("teaching/chicken")
    assert "A" in second.preferences
    assert first is not second


def test_limits_are_adjustable_by_environment_variables(tmp_path, monkeypatch):
    path = write(tmp_path, "case.yaml", _many_options(20))
    monkeypatch.setenv("DETENTE_MAX_OPTIONS", "10")
    refused(path, "above the limit of 10")
    monkeypatch.setenv("DETENTE_MAX_OPTIONS", "62")
    assert len(read(path).options) == 23


def test_the_perception_limit_is_adjustable_and_a_belief_within_it_reads(tmp_path, monkeypatch):
    text = edit(
        "    statements: [freeze, dismantle, not relief]",
        "    statements: [freeze, dismantle, not relief]\n    perceives:\n      preferences:\n"
        "        NK: {statements: [relief, freeze]}\n",
    )
    path = write(tmp_path, "case.yaml", text)
    monkeypatch.setenv("DETENTE_MAX_PERCEPTIONS", "0.5")  # read as 0: refused as unusable
    with pytest.raises(CaseError, match="DETENTE_MAX_PERCEPTIONS must be above 0"):
        read(path)
    monkeypatch.delenv("DETENTE_MAX_PERCEPTIONS")
    case = read(path)
    believed = case.preferences["US"].perceives.preferences["NK"]
    assert [s.expr for s in believed.statements] == ["relief", "freeze"]


# -- gmcr-py saves --------------------------------------------------------------------


def _gmcr(n: int, **changes) -> dict:
    options = [{"name": f"opt {k}", "permittedDirection": "both"} for k in range(n)]
    half = n // 2
    dms = [
        {"name": "DM 0", "options": list(range(half)), "preferences": [[[0, "Y"]]]},
        {"name": "DM 1", "options": list(range(half, n)), "preferences": [[[half, "N"]]]},
    ]
    data = {"options": options, "decisionMakers": dms, "infeasibles": []}
    data.update(changes)
    return data


def _gmcr_text(data: dict) -> str:
    return json.dumps(data, indent=1)


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("option", "", "must not be empty"),
        ("option", "   ", "must not be empty"),
        ("option", "x" * 30000, "30,000 characters"),
        ("dm", "", "must not be empty"),
        ("dm", "\t ", "must not be empty"),
        ("dm", "x" * 30000, "30,000 characters"),
        ("dm", "A\x1b[2JB", "control character"),
    ],
)
def test_a_gmcr_save_with_a_bad_name_names_the_field_and_line(tmp_path, where, value, message):
    data = _gmcr(4)
    if where == "option":
        data["options"][2]["name"] = value
        field = "options[2].name"
    else:
        data["decisionMakers"][1]["name"] = value
        field = "decisionMakers[1].name"
    text = _gmcr_text(data)
    path = write(tmp_path, "save.gmcr", text)
    error = refused(path, message)
    assert error.problems[0].field == field
    assert error.problems[0].line is not None and error.problems[0].line > 1


@pytest.mark.parametrize("title", [5, ["a"], {"x": 1}, True])
def test_a_gmcr_save_whose_title_is_not_text_is_refused(tmp_path, title):
    path = write(tmp_path, "save.gmcr", _gmcr_text(_gmcr(3, title=title)))
    error = refused(path, "'title' must be text")
    assert error.problems[0].field == "title"


def test_a_gmcr_save_of_64_options_with_the_status_quo_last_is_refused(tmp_path):
    data = _gmcr(64)
    data["detente"] = {
        "id": "x",
        "actor_ids": ["A", "B"],
        "option_ids": [f"o{k}" for k in range(64)],
        "status_quo": ["o63"],
    }
    refused(write(tmp_path, "save.gmcr", _gmcr_text(data)), "above the limit of 62")


def test_a_gmcr_save_of_60_options_reads_without_enumerating_its_states(tmp_path):
    path = write(tmp_path, "save.gmcr", _gmcr_text(_gmcr(60)))
    start = time.perf_counter()
    case = read(path)
    assert time.perf_counter() - start < FAST
    assert len(case.options) == 60


def test_a_gmcr_save_with_manual_rankings_over_too_many_options_is_refused(tmp_path):
    data = _gmcr(18, useManualPreferenceRanking=True)
    for dm in data["decisionMakers"]:
        dm["preferenceRanking"] = [1, 2, 3]
    refused(write(tmp_path, "save.gmcr", _gmcr_text(data)), "at most 16 options")


@pytest.mark.slow
def test_a_gmcr_save_of_16_options_with_manual_rankings_reads_in_time(tmp_path):
    data = _gmcr(16, useManualPreferenceRanking=True)
    for d, dm in enumerate(data["decisionMakers"]):
        ranking = list(range(1, 2**16 + 1))
        dm["preferenceRanking"] = ranking if d == 0 else ranking[::-1]
    path = write(tmp_path, "save.gmcr", json.dumps(data))
    start = time.perf_counter()
    case = read(path)
    assert time.perf_counter() - start < 2 * FAST
    assert case.preferences[case.actors[0].id].ranking is not None


@pytest.mark.slow
@pytest.mark.parametrize("n", [24, 25])
def test_a_large_gmcr_save_is_refused_before_the_work_in_analyze(tmp_path, run_cli, n):
    path = write(tmp_path, "save.gmcr", _gmcr_text(_gmcr(n)))
    start = time.perf_counter()
    result = run_cli("analyze", str(path))
    assert time.perf_counter() - start < 2 * FAST
    assert result.exit_code == 2
    assert "more than the limit" in result.stderr
    assert str(path) in result.stderr


# -- GENIUS folders -------------------------------------------------------------------

DOMAIN = (
    '<negotiation_template><utility_space><objective name="d">'
    '<issue index="1" name="{name}" type="integer"><range lowerbound="0" upperbound="{ub}"/>'
    "</issue></objective></utility_space></negotiation_template>"
)
PROFILE = (
    '<utility_space><objective><issue index="1" name="{name}" type="integer">'
    '<range lowerbound="0" upperbound="{ub}"/><evaluator ftype="linear" slope="0.1" offset="0"/>'
    '</issue><weight index="1" value="1"/></objective><reservation value="0.1"/></utility_space>'
)


def _genius(tmp_path: Path, domain: str, name: str = "Price", ub: str = "10") -> Path:
    folder = tmp_path / "genius"
    folder.mkdir()
    (folder / "domain.xml").write_text(domain)
    for party in ("buyer", "seller"):
        (folder / f"{party}.xml").write_text(PROFILE.format(name=name, ub=ub))
    return folder


def test_a_genius_folder_still_reads(tmp_path):
    case = read(_genius(tmp_path, DOMAIN.format(name="Price", ub="10")))
    assert [a.name for a in case.actors] == ["buyer", "seller"]


def test_a_genius_range_bound_of_1e308_is_refused_on_its_line(tmp_path):
    folder = _genius(tmp_path, DOMAIN.format(name="Price", ub="1e308").replace("><", ">\n<"))
    error = refused(folder, "beyond ±1e+12")
    assert error.problems[0].file == str(folder / "domain.xml")
    assert error.problems[0].line == 5
    assert error.problems[0].field.endswith("range[0].upperbound")


def test_a_genius_issue_name_of_30000_characters_is_refused(tmp_path):
    name = "P" * 30000
    refused(_genius(tmp_path, DOMAIN.format(name=name, ub="10"), name=name), "30,000 characters")


@pytest.mark.parametrize("depth", [20_000, 100_000])
def test_genius_xml_nested_deep_is_refused_without_memory(tmp_path, depth):
    domain = "<negotiation_template>" + "<a>" * depth + "</a>" * depth + "</negotiation_template>"
    refused(_genius(tmp_path, domain), "nesting of elements")


def test_an_xml_entity_declaration_is_refused(tmp_path):
    domain = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n' + DOMAIN.format(
        name="&a;", ub="10"
    )
    refused(_genius(tmp_path, domain), "declaration")


# -- one XML reader -------------------------------------------------------------------


def test_genius_and_ktab_share_one_xml_reader():
    from detente.forecast import inputs
    from detente.model.io import genius
    from detente.model.io.xml import parse_xml

    assert genius.parse_xml is parse_xml
    root = inputs._xml_tree("<Scenario><name>x</name></Scenario>")
    assert root.one("Scenario").one("name").text == "x"
