"""Every kind of broken case gets one clear message naming file, line and field, and exit code 2.

Each row edits the small valid case of ``conftest.SMALL_CASE`` (or replaces it
whole) and states where the problem must be reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from detente.errors import CaseError, MissingPartError
from detente.model.io import MAX_FILE_BYTES, read
from tests.conftest import SMALL_CASE


@dataclass(frozen=True)
class Broken:
    text: str | bytes
    line: int | None
    field: str | None
    message: str
    suffix: str = ".yaml"


def edit(old: str, new: str) -> str:
    assert old in SMALL_CASE, old
    return SMALL_CASE.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def row(text, fragment, field, message, **kw):
    """A broken case whose problem is reported on the line containing ``fragment``."""
    line = line_of(text, fragment) if fragment else None
    return Broken(text, line, field, message, **kw)


_dup_key = SMALL_CASE.replace("title: A small test case", "title: A small test case\ntitle: again")
_ranking = edit(
    "    statements: [freeze, dismantle, not relief]",
    "    ranking: [NNN, YNN, YYN, NNY, YNY]",
)
_bad_pattern = edit(
    "    statements: [freeze, dismantle, not relief]",
    "    ranking: [NNN, YNN, YYN, NNY, YNY, YYQ]",
)

_levels = edit(
    "    name: Denuclearisation\n", "    name: Denuclearisation\n    levels: [0, 50, 100]\n"
)


def edit_levels(old: str, new: str) -> str:
    """Edit the small case after giving its issue the levels 0, 50 and 100."""
    assert old in _levels, old
    return _levels.replace(old, new, 1)


_values = "US: {position: 90, salience: 80, values: {0: 0, 50: 0.5, 100: 1}}"


def _alias_bomb() -> str:
    """A few hundred bytes of YAML that expand, through aliases, to 9**9 values."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for k in range(1, 9):
        name, prev = chr(ord("a") + k), chr(ord("a") + k - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\nid: x\ntitle: t\nactors: []\n"


CASES = {
    "yaml-alias-bomb": row(_alias_bomb(), None, None, "expands to more than"),
    "deep-yaml": row("a: " + "[" * 5000 + "]" * 5000 + "\n", None, None, "levels deep"),
    "deep-json": Broken("[" * 50000 + "]" * 50000, None, None, "levels deep", ".json"),
    "bad-yaml": row(
        edit("    name: North Korea", "    name: [North Korea"),
        "capability: 50",
        None,
        "not valid YAML",
    ),
    "wrong-type": row(
        edit("capability: 100", "capability: strong"),
        "capability: strong",
        "actors[0].capability",
        "must be a number",
    ),
    "negative-capability": row(
        edit("capability: 50", "capability: -5"),
        "capability: -5",
        "actors[1].capability",
        "greater than 0",
    ),
    "unknown-controller": row(
        edit("controller: US", "controller: USA"),
        "controller: USA",
        "options[2].controller",
        "did you mean 'US'",
    ),
    "duplicate-id": row(
        edit("  - id: NK\n", "  - id: US  # again\n"),
        "# again",
        "actors[1].id",
        "duplicate id 'US'",
    ),
    "duplicate-key": row(_dup_key, "title: again", None, "duplicate key"),
    "infeasible-status-quo": row(
        edit("status_quo: []", "status_quo: [dismantle]"),
        "status_quo: [dismantle]",
        "status_quo",
        "infeasible",
    ),
    "no-feasible-state": row(
        edit(
            "  - require: dismantle implies freeze", "  - require: freeze\n  - require: not freeze"
        ),
        "constraints:",
        "constraints",
        "no feasible state",
    ),
    "unparsable-statement": row(
        edit("not relief]", "not relief and]"),
        "not relief and]",
        "preferences.US.statements[2]",
        "cannot parse",
    ),
    "contradictory-statement": row(
        edit(
            "[freeze, dismantle, not relief]", "[freeze, dismantle and not dismantle, not relief]"
        ),
        "dismantle and not dismantle",
        "preferences.US.statements[1].expr",
        "self-contradictory",
    ),
    "unknown-id-in-statement": row(
        edit("[relief, not dismantle", "[releif, not dismantle"),
        "[releif",
        "preferences.NK.statements[0].expr",
        "did you mean 'relief'",
    ),
    "position-out-of-range": row(
        edit("position: 90", "position: 190"),
        "position: 190",
        "issues[0].positions.US.position",
        "outside the issue's scale",
    ),
    "salience-out-of-range": row(
        edit("salience: 100}", "salience: 0}"),
        "salience: 0}",
        "issues[0].positions.NK.salience",
        "greater than 0",
    ),
    "missing-required-field": row(
        edit("    label: Freeze testing\n", ""),
        "  - id: freeze",
        "options[0].label",
        "missing required field 'label'",
    ),
    "unknown-field": row(
        edit("controller: NK\n  - id: dismantle", "controler: NK\n  - id: dismantle"),
        "controler: NK",
        "options[0].controler",
        "unknown field 'controler'",
    ),
    "unknown-status-quo-option": row(
        edit("status_quo: []", "status_quo: [frieze]"),
        "status_quo: [frieze]",
        "status_quo[0]",
        "did you mean 'freeze'",
    ),
    "unknown-constraint-option": row(
        edit("dismantle implies freeze", "dismantle implies freez"),
        "implies freez",
        "constraints[0].require",
        "did you mean 'freeze'",
    ),
    "ranking-incomplete": row(
        _ranking, "ranking: [", "preferences.US.ranking", "leaves out feasible states YYY"
    ),
    "ranking-bad-pattern": row(
        _bad_pattern,
        "ranking: [",
        "preferences.US.ranking[5]",
        "not a pattern of 3 letters Y, N or -",
    ),
    "unknown-source": row(
        edit("sources: [s1]", "sources: [s2]"),
        "sources: [s2]",
        "actors[0].sources[0]",
        "unknown source 's2'",
    ),
    "reserved-word-id": row(
        edit("  - id: relief", "  - id: iff"), "id: iff", "options[2].id", "reserved word"
    ),
    "reversed-scale": row(
        edit("    name: Denuclearisation\n", "    name: Denuclearisation\n    scale: [100, 0]\n"),
        "scale: [100, 0]",
        "issues[0].scale",
        "scale must run from low to high",
    ),
    "two-constraint-forms": row(
        edit(
            "  - require: dismantle implies freeze",
            "  - require: dismantle implies freeze\n    exclusive: [freeze, relief]",
        ),
        "require: dismantle",
        "constraints[0]",
        "exactly one of",
    ),
    "unknown-scenario-actor": row(
        edit("    status_quo: [freeze]\n", "    status_quo: [freeze]\n    capabilities: {UK: 3}\n"),
        "capabilities: {UK",
        "scenarios[0].capabilities.UK",
        "unknown actor 'UK'",
    ),
    "infeasible-scenario-status-quo": row(
        edit("    status_quo: [freeze]", "    status_quo: [dismantle]"),
        "status_quo: [dismantle]",
        "scenarios[0].status_quo",
        "infeasible",
    ),
    "unknown-default-scenario": row(
        SMALL_CASE + "default_scenario: thwa\n",
        "default_scenario: thwa",
        "default_scenario",
        "did you mean 'thaw'",
    ),
    "level-names-count": row(
        edit_levels(
            "    levels: [0, 50, 100]\n", "    levels: [0, 50, 100]\n    level_names: [no, yes]\n"
        ),
        "level_names: [no, yes]",
        "issues[0].level_names",
        "2 level names for 3 levels",
    ),
    "level-names-without-levels": row(
        edit(
            "    name: Denuclearisation\n", "    name: Denuclearisation\n    level_names: [a, b]\n"
        ),
        "level_names: [a, b]",
        "issues[0].level_names",
        "level_names need the issue's levels",
    ),
    "value-table-unknown-level": row(
        edit_levels("US: {position: 90, salience: 80}", _values.replace("50: 0.5", "40: 0.5")),
        "values: {0: 0, 40",
        "issues[0].positions.US.values[40]",
        "40 is not a level of the issue",
    ),
    "value-table-out-of-range": row(
        edit_levels("US: {position: 90, salience: 80}", _values.replace("100: 1}", "100: 1.5}")),
        "100: 1.5}",
        "issues[0].positions.US.values[100]",
        "value 1.5 of level 100 is outside [0, 1]",
    ),
    "value-table-missing-level": row(
        edit_levels("US: {position: 90, salience: 80}", _values.replace(", 100: 1", "")),
        "values: {0: 0, 50: 0.5}",
        "issues[0].positions.US.values",
        "no value for levels 100",
    ),
    "value-table-without-levels": row(
        edit("US: {position: 90, salience: 80}", _values),
        "values: {0: 0",
        "issues[0].positions.US.values",
        "a value table needs the issue's levels",
    ),
    "value-table-not-a-number": row(
        edit_levels("US: {position: 90, salience: 80}", _values.replace("50: 0.5", "50: half")),
        "50: half",
        "issues[0].positions.US.values[50]",
        "must be a number",
    ),
    "reservation-value-out-of-range": row(
        edit("    capability: 50\n", "    capability: 50\n    reservation_value: 1.2\n"),
        "reservation_value: 1.2",
        "actors[1].reservation_value",
        "must be at most 1",
    ),
    "discount-factor-zero": row(
        edit("    capability: 50\n", "    capability: 50\n    discount_factor: 0\n"),
        "discount_factor: 0",
        "actors[1].discount_factor",
        "greater than 0",
    ),
    "missing-actors-section": row(
        "id: x\ntitle: No actors\n", None, "actors", "missing required field 'actors'"
    ),
    "top-level-list": row("- id: x\n- title: y\n", None, None, "must be a mapping"),
    "empty-file": row("", None, None, "the file is empty"),
    "blank-file": row("\n\n   \n", None, None, "the file is empty"),
    "json-syntax": Broken(
        '{"id": "x",\n "title": "y",\n "actors": [}\n', 3, None, "not valid JSON", ".json"
    ),
    "json-wrong-type": Broken(
        '{"id": "x",\n "title": "y",\n "actors": [{"id": "A", "name": 7}]}\n',
        3,
        "actors[0].name",
        "must be text",
        ".json",
    ),
    "binary-file": Broken(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, None, "binary file"),
    "not-utf8": Broken(b"id: x\ntitle: caf\xe9\n", 2, None, "not UTF-8"),
    "unknown-suffix": Broken(SMALL_CASE, None, None, "unknown file type", ".txt"),
}


def write(tmp_path: Path, broken: Broken) -> Path:
    path = tmp_path / f"case{broken.suffix}"
    if isinstance(broken.text, bytes):
        path.write_bytes(broken.text)
    else:
        path.write_text(broken.text)
    return path


@pytest.mark.parametrize("broken", [pytest.param(b, id=k) for k, b in CASES.items()])
def test_broken_case_is_reported_with_file_line_and_field(tmp_path, broken):
    path = write(tmp_path, broken)
    with pytest.raises(CaseError) as info:
        read(path)
    problems = info.value.problems
    matching = [p for p in problems if broken.message in p.message]
    assert matching, f"no problem says {broken.message!r}: {[str(p) for p in problems]}"
    problem = matching[0]
    assert problem.file == str(path)
    if broken.line is not None:
        assert problem.line == broken.line, str(problem)
    if broken.field is not None:
        assert problem.field == broken.field, str(problem)


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(CASES[k], id=k)
        for k in ("wrong-type", "binary-file", "json-syntax", "unknown-controller")
    ],
)
def test_the_command_prints_one_line_per_problem_and_exits_2(tmp_path, run_cli, broken):
    path = write(tmp_path, broken)
    result = run_cli("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
    assert broken.message in result.stderr


def test_a_huge_file_is_refused_before_parsing(tmp_path, run_cli):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    result = run_cli("show", str(path))
    assert result.exit_code == 2
    assert "MiB" in result.stderr
    assert "limited to" in result.stderr


def test_a_missing_file_is_reported(tmp_path, run_cli):
    result = run_cli("show", str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_a_missing_section_names_the_analysis(small_case_file):
    case = read(small_case_file)
    with pytest.raises(MissingPartError, match="bargaining needs 'proposals'; this case has none"):
        case.require("proposals", analysis="bargaining")
