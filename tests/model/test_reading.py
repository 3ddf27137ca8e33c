"""Issue #13 (reading) and #12 (problems at once): case files read by libyaml and the json
module, lines found only when there is something to report, every independent problem
of a file listed in one go.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.errors import CaseError
from detente.model.io import libyaml, read
from detente.model.io.yaml_json import YamlDocument, parse_document
from tests.conftest import SMALL_CASE

ROOT = Path(__file__).resolve().parents[2]


def edit(old: str, new: str, base: str = SMALL_CASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def problems_of(tmp_path: Path, text: str, name: str = "case.yaml") -> list:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CaseError) as info:
        read(path)
    assert all(p.file == str(path) for p in info.value.problems)
    return info.value.problems


def load(text: str):
    return libyaml.load(text, file="f", depth=64, values=10**6, nodes=10**6)


# -- every independent problem at once (#12, item 7) ----------------------------------

_README = edit("controller: US\n", "controller: USX\n", edit("not relief]", "relief &]"))

TOGETHER = {
    "the README's example: a statement that does not parse and an unknown actor": (
        _README,
        [
            ("relief &]", "preferences.US.statements[2]", "cannot parse"),
            ("controller: USX", "options[2].controller", "unknown actor 'USX'"),
        ],
    ),
    "a bad required number and an unknown actor": (
        edit("controller: US\n", "controller: USX\n", edit("position: 90", "position: high")),
        [
            ("position: high", "issues[0].positions.US.position", "must be a number"),
            ("controller: USX", "options[2].controller", "unknown actor 'USX'"),
        ],
    ),
    "a bad optional number and an unknown actor": (
        edit("controller: US\n", "controller: USX\n", edit("capability: 50", "capability: big")),
        [
            ("capability: big", "actors[1].capability", "must be a number"),
            ("controller: USX", "options[2].controller", "unknown actor 'USX'"),
        ],
    ),
    "an unknown field of an actor and an unknown source": (
        edit("sources: [s1]", "sources: [s2]", edit("capability: 50", "capabilty: 50")),
        [
            ("capabilty: 50", "actors[1].capabilty", "unknown field 'capabilty'"),
            ("sources: [s2]", "actors[0].sources[0]", "unknown source 's2'"),
        ],
    ),
    "a status quo item of the wrong kind and an unknown actor": (
        edit("controller: US\n", "controller: USX\n", edit("status_quo: []", "status_quo: [[x]]")),
        [
            ("status_quo: [[x]]", "status_quo[0]", "must be text"),
            ("controller: USX", "options[2].controller", "unknown actor 'USX'"),
        ],
    ),
    "two statements that do not parse": (
        edit('"freeze iff relief"', '"freeze iff"', _README),
        [
            ("relief &]", "preferences.US.statements[2]", "cannot parse"),
            ('"freeze iff"', "preferences.NK.statements[2]", "cannot parse"),
            ("controller: USX", "options[2].controller", "unknown actor 'USX'"),
        ],
    ),
    "an unknown actor in the case and another in a scenario": (
        edit(
            "    status_quo: [freeze]\n",
            "    status_quo: [freeze]\n    capabilities: {UK: 3}\n",
            edit("controller: US\n", "controller: USX\n"),
        ),
        [
            ("controller: USX", "options[2].controller", "unknown actor 'USX'"),
            ("capabilities: {UK", "scenarios[0].capabilities.UK", "unknown actor 'UK'"),
        ],
    ),
}


@pytest.mark.parametrize(("text", "expected"), TOGETHER.values(), ids=TOGETHER)
def test_every_independent_problem_of_a_file_is_listed_at_once(tmp_path, text, expected):
    problems = problems_of(tmp_path, text)
    assert len(problems) == len(expected), [str(p) for p in problems]
    for (fragment, field, message), problem in zip(expected, problems, strict=True):
        assert message in problem.message, str(problem)
        assert problem.field == field, str(problem)
        assert problem.line == line_of(text, fragment), str(problem)


def test_a_problem_that_follows_from_one_set_aside_is_not_reported(tmp_path):
    # US's stance is set aside with its bad position; a scenario that moves US on the
    # issue would then seem to lack a stance to move: not reported, it follows.
    text = edit(
        "    status_quo: [freeze]\n",
        "    status_quo: [freeze]\n    positions: {denuc: {US: {position: 50}}}\n",
        edit("position: 90", "position: high"),
    )
    problems = problems_of(tmp_path, text)
    assert [p.field for p in problems] == ["issues[0].positions.US.position"]


def test_a_missing_label_still_stops_there(tmp_path):
    # an option without its label can only be set aside whole, which would make every
    # reference to it look unknown
    text = edit("controller: US\n", "controller: USX\n", edit("    label: Freeze testing\n", ""))
    problems = problems_of(tmp_path, text)
    assert [p.field for p in problems] == ["options[0].label"]


def test_a_yaml_syntax_error_stops_reading(tmp_path):
    text = edit("controller: US\n", "controller: USX\n", edit("name: North Korea", "name: [NK"))
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert "not valid YAML" in problems[0].message
    assert problems[0].line == line_of(text, "capability: 50")


# -- YAML 1.2, as ruamel.yaml read it ---------------------------------------------------

SCALARS = [
    ("no", "no"),
    ("yes", "yes"),
    ("on", "on"),
    ("Off", "Off"),
    ("y", "y"),
    ("true", True),
    ("False", False),
    ("TRUE", True),
    ("~", None),
    ("null", None),
    ("", None),
    ("0", 0),
    ("-0", 0),
    ("+7", 7),
    ("010", 10),
    ("0o17", 15),
    ("0x1F", 31),
    ("0b101", 5),
    ("1_000", 1000),
    ("1e5", 100000.0),
    ("1.5e3", 1500.0),
    ("0.5", 0.5),
    (".5", 0.5),
    ("-.5", -0.5),
    ("1.", 1.0),
    ("1e400", math.inf),
    (".inf", math.inf),
    ("-.Inf", -math.inf),
    ("1:30", "1:30"),
    ("2019-02-27", "2019-02-27"),
    ("2019-02-27T10:00:00Z", "2019-02-27"),
    ("2019-2-7 10:00:00", "2019-02-07"),
    ("20190227", 20190227),
    ("0x", "0x"),
    ("1,000", "1,000"),
    ("inf", "inf"),
    ("<<", "<<"),
    ("'0x10'", "0x10"),
    ('"true"', "true"),
    ("!!str 5", "5"),
    ("!!int '7'", 7),
    ("!!float 5", 5.0),
    ("!!bool true", True),
    ("!!null x", None),
    ("! 5", 5),  # the non-specific tag resolves as if untagged, as in ruamel
]


@pytest.mark.parametrize(("written", "value"), SCALARS, ids=[s for s, _ in SCALARS])
def test_scalars_read_as_yaml_1_2_reads_them(written, value):
    got = load(f"v: {written}\n")["v"]
    assert type(got) is type(value)
    assert got == value


def test_nan_reads_as_a_number():
    assert math.isnan(load("v: .nan\n")["v"])


def _ruamel_value(text: str):
    """A document's value as ruamel.yaml's round-trip loader (detente's reader until
    issue #13) gave it, in plain Python types."""
    from ruamel.yaml import YAML

    value = YAML(typ="rt", pure=True).load(text)["v"]
    if isinstance(value, dt.datetime):
        return value.isoformat()[:10]
    if isinstance(value, dt.date):
        return value.isoformat()
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


_PLAIN = st.text(st.sampled_from("0123456789+-._eExXoObB:TtZ nulNUL~tfrsaTFRSA"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_PLAIN.map(str.strip))
def test_plain_scalars_read_as_ruamel_read_them(written):
    text = f"v: {written}\n"
    try:
        before = ("value", _ruamel_value(text))
    except Exception:  # ruamel refused it (or crashed on it)
        before = ("refused",)
    try:
        after = ("value", load(text)["v"])
    except CaseError:
        after = ("refused",)
    if before[0] == "refused" or after[0] == "refused":
        assert before[0] == after[0] or before == ("refused",), (written, before, after)
        return
    old, new = before[1], after[1]
    assert type(old) is type(new), (written, old, new)
    assert old == new or (isinstance(old, float) and math.isnan(old) and math.isnan(new))


# -- what a case file never needs is refused, with its line -----------------------------

REFUSED = {
    "a python tag": ("a: 1\nb: !!python/object:os.system x\n", 2, "tag '!!python/object"),
    "a local tag": ("a: 1\nb: !thing x\n", 2, "tag '!thing'"),
    "a set": ("a: 1\nb: !!set {x: null}\n", 2, "tag '!!set'"),
    "a duplicate key": ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a'"),
    "a duplicate key after a nested value": ("a:\n  x: 1\n  y: 2\na: 3\n", 4, "duplicate key"),
    "an alias that contains itself": ("a: &x [1, *x]\n", 1, "refers to a value that contains it"),
    "an undefined alias": ("a: 1\nb: *nowhere\n", 2, "undefined alias 'nowhere'"),
    "a second document": ("a: 1\n---\nb: 2\n", 2, "found another document"),
    "a mapping as a key": ("a: 1\n? {b: 1}\n: 2\n", 2, "complex keys"),
    "an aliased list as a key": ("a: &x [1]\n? *x\n: 2\n", 2, "complex keys"),
    "a control character": ("a: 1\nb: x\x07y\n", 2, "unacceptable character #x0007"),
    "an integer of 5,000 digits": ("a: 1\nb: " + "9" * 5000 + "\n", 2, "cannot be read"),
    "a bad date": ("a: 1\nb: 2019-02-30\n", 2, "cannot be read"),
    "nesting past the limit": ("a: " + "[" * 70 + "]" * 70 + "\n", 1, "more than 64 levels"),
}


@pytest.mark.parametrize(("text", "line", "message"), REFUSED.values(), ids=REFUSED)
def test_what_a_case_never_needs_is_refused_on_its_line(text, line, message):
    with pytest.raises(CaseError) as info:
        load(text)
    problem = info.value.problems[0]
    assert message in problem.message
    assert problem.line == line
    assert problem.file == "f"


def test_an_alias_bomb_is_refused_after_reading_it_once():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for k in range(1, 9):
        name, prev = chr(ord("a") + k), chr(ord("a") + k - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(CaseError, match="expands to more than 1,000,000 values"):
        load("\n".join(lines) + "\n")


def test_aliases_and_merge_keys_read_as_before():
    data = load(
        "base: &b {capability: 5, name: X}\n"
        "one: {<<: *b, name: Y}\n"
        "two:\n  <<: [*b, {extra: 1}]\n"
        "list: &l [1, 2]\n"
        "again: *l\n"
    )
    assert data["one"] == {"name": "Y", "capability": 5}
    assert data["two"] == {"capability": 5, "name": "X", "extra": 1}
    assert data["again"] == [1, 2]


def test_aliases_count_towards_the_limit_of_values_once_expanded():
    text = "a: &a [" + ", ".join(["x"] * 100) + "]\nb: [" + ", ".join(["*a"] * 100) + "]\n"
    assert len(load(text)["b"]) == 100
    with pytest.raises(CaseError, match="DETENTE_MAX_NODES"):
        libyaml.load(text, file="f", depth=64, values=10**6, nodes=5_000)
    with pytest.raises(CaseError, match="DETENTE_MAX_VALUES"):
        libyaml.load(text, file="f", depth=64, values=150, nodes=10**6)


# -- lines found only when asked ---------------------------------------------------------


def test_a_yaml_document_finds_lines_only_when_asked():
    document = parse_document(SMALL_CASE, file="f", fmt="yaml")
    assert isinstance(document, YamlDocument)
    assert document._nodes is None
    where = ("issues", 0, "positions", "NK", "salience")
    line, _, found = document.position(where)
    assert found == where
    assert line == line_of(SMALL_CASE, "NK: {position: 10")
    assert document._nodes is not None


def test_positions_follow_merge_keys_and_skip_union_tags():
    text = "base: &b\n  x: 1\n  y: 2\nitem:\n  <<: *b\n  z: 3\n"
    document = parse_document(text, file="f", fmt="yaml")
    assert document.position(("item", "z")) == (6, 3, ("item", "z"))
    assert document.position(("item", "str", "y"))[2] == ("item", "y")
    assert document.position(("item", "y"))[0] == 3  # where the merged key is written


def test_a_case_read_from_yaml_names_the_lines_of_later_problems(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(SMALL_CASE)
    case = read(path)
    from detente.errors import Problem

    located = case.locate(Problem("x", path=("options", 2, "controller")))
    assert located.line == line_of(SMALL_CASE, "controller: US")


@pytest.mark.parametrize("depth", [70, 2000])
def test_json_nested_past_the_limit_is_refused(tmp_path, depth):
    text = '{"id": ' + "[" * depth + "]" * depth + "}"
    problems = problems_of(tmp_path, text, "case.json")
    assert "levels deep" in problems[0].message


def test_reading_a_case_does_not_import_the_round_trip_reader():
    code = (
        "import sys; from detente.model.io import read; "
        f"read({str(ROOT / 'src/detente/cases/korea.yaml')!r}); "
        "print('ruamel' in ' '.join(sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# -- gmcr-py rankings -------------------------------------------------------------------


def _save(ranking: list) -> str:
    data = {
        "options": [{"name": f"o{k}"} for k in range(3)],
        "decisionMakers": [
            {"name": "A", "options": [0, 1], "preferenceRanking": list(range(1, 9))},
            {"name": "B", "options": [2], "preferenceRanking": ranking},
        ],
        "infeasibles": [],
        "useManualPreferenceRanking": True,
    }
    return json.dumps(data, indent=1)


def test_a_gmcr_ranking_reads_to_the_same_patterns_with_and_without_ties(tmp_path):
    flat = tmp_path / "flat.gmcr"
    flat.write_text(_save([8, 7, 6, 5, 4, 3, 2, 1]))
    tied = tmp_path / "tied.gmcr"
    tied.write_text(_save([8, [7, 6], 5, 4, 3, 2, 1]))
    flat_case, tied_case = read(flat), read(tied)
    flat_ranking = flat_case.preferences["B"].ranking
    assert flat_ranking[:3] == ("YYY", "NYY", "YNY")
    assert tied_case.preferences["B"].ranking[1] == ("NYY", "YNY")


@pytest.mark.parametrize("bad", [0, 9, -1, 10**30, 2.0, True])
def test_a_gmcr_ranking_with_a_state_out_of_range_names_its_place(tmp_path, bad):
    text = _save([8, 7, 6, 5, bad, 3, 2, 1])
    problems = problems_of(tmp_path, text, "save.gmcr")
    assert "is not a feasible state number (1..8)" in problems[0].message
    assert problems[0].field == "decisionMakers[1].preferenceRanking[4]"
    key_lines = [i for i, line in enumerate(text.splitlines(), 1) if "preferenceRanking" in line]
    assert problems[0].line == key_lines[1] + 5  # one state a line, after B's key
