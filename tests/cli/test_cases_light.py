"""``detente cases`` without typer, rich or the case model: the same figures as the
full load of every built-in case, the same output as the typer command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from detente import cases
from detente.cli import application
from detente.cli._light import answer, cases_table


def test_the_quick_reading_gives_what_the_full_load_gives():
    quick, full = cases.catalogue(), cases.list()
    assert [i.slug for i in quick] == [i.slug for i in full]
    assert len(quick) >= 4
    for a, b in zip(quick, full, strict=True):
        assert a == b, a.slug
        case = cases.load(a.slug)  # the validated case, field by field
        assert a.title == case.title
        assert a.scenarios == case.scenario_ids
        assert a.description == (case.description or case.title).strip().split("\n")[0]


def test_a_file_the_quick_reading_cannot_take_is_loaded_in_full(tmp_path, monkeypatch):
    broken = tmp_path / "broken.yaml"
    broken.write_text("- a list, not a case\n")
    assert cases._head(broken) is None
    assert cases._head(tmp_path / "case.json") is None
    untitled = tmp_path / "untitled.yaml"
    untitled.write_text("id: x\nscenarios: [{id: a}]\n")
    assert cases._head(untitled) is None
    odd = tmp_path / "odd.yaml"
    odd.write_text("title: T\nscenarios: [just a name]\n")
    assert cases._head(odd) is None
    good = tmp_path / "good.yaml"
    good.write_text(
        "title: T\ndescription: |\n  First line.\n  Second.\nscenarios: [{id: a}, {id: b}]\n"
    )
    assert cases._head(good) == ("T", "First line.\nSecond.\n", ("a", "b"))


def typer_output(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as ended:
        application()(list(args), prog_name="detente")
    assert ended.value.code in (0, None)
    return capsys.readouterr().out


@pytest.mark.parametrize("columns", [80, 120, 200])
@pytest.mark.parametrize(
    "args", [("cases",), ("cases", "--format", "json"), ("cases", "-f", "markdown")]
)
def test_the_light_listing_is_what_the_typer_command_prints(monkeypatch, capsys, args, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    assert answer(list(args)) is True
    light = capsys.readouterr().out
    assert light == typer_output(capsys, *args)
    assert "korea" in light and "prisoners_dilemma" in light


def test_too_narrow_for_columns_the_typer_command_answers(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "40")
    assert answer(["cases"]) is False
    assert capsys.readouterr().out == ""
    assert "korea" in typer_output(capsys, "cases")


def test_other_arguments_go_to_the_typer_command():
    for args in (["cases", "--help"], ["cases", "--format", "html"], ["cases", "x"], ["show"]):
        assert answer(args) is False


@pytest.mark.parametrize("width", [30, 36, 60])
def test_a_table_is_laid_out_as_the_report_lays_it_out(width):
    from rich.console import Console

    from detente.report.text import FittedTable

    columns = ["Name", "Description", "Scenarios"]
    rows = [["a", "one two three four five six", "x, y"], ["bb", "seven", "-"]]
    text = cases_table(columns, rows, width)
    assert text is not None
    console = Console(width=width, highlight=False, color_system=None)
    with console.capture() as captured:
        console.print(FittedTable(columns, rows))
    assert text == "\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n"
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    words = " ".join(line.split("│")[1] for line in lines[2:] if "│" in line).split()
    assert words == ["one", "two", "three", "four", "five", "six", "seven"]


def test_a_table_too_narrow_for_its_columns_is_left_to_the_report():
    assert cases_table(["Name", "Description"], [["a-very-long-name", "word"]], 12) is None


def test_listing_the_cases_loads_neither_typer_nor_rich_nor_the_case_model():
    script = (
        "import sys; sys.argv = ['detente', 'cases']\n"
        "from detente.cli import main\n"
        "main()\n"
        "heavy = ('typer', 'rich', 'pydantic', 'numpy', 'detente.model')\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "PATH": "", "NO_COLOR": "1"},
        check=True,
    )
    assert done.stderr == "[]"
    assert done.stdout.startswith("Name")
