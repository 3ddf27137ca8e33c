"""A report that is read (text, Markdown, HTML) lists only the states it shows, and reads
exactly as the report that keeps every state as data."""

from __future__ import annotations

import io

import pytest

import detente
from detente.analysis import analyze
from detente.report import analysis_report
from detente.report.text import section_renderables


def _text(report) -> str:
    from rich.console import Console

    console = Console(width=100, file=io.StringIO())
    for renderable in section_renderables(report.sections, report.skipped, findings_first=True):
        console.print(renderable)
    return console.file.getvalue()


@pytest.mark.parametrize(
    ("case", "scenario"),
    [
        pytest.param("korea", None, id="korea"),
        pytest.param("korea", "eve_of_hanoi_2019", id="korea-hanoi"),
        pytest.param("prisoners_dilemma", None, id="dilemma"),
        pytest.param("loyalty_in_doubt", None, id="loyalty"),
    ],
)
def test_shown_states_read_as_every_state(case, scenario) -> None:
    loaded = detente.load(case)
    if scenario is not None:
        loaded = loaded.base.scenario(scenario)
    analysis = analyze(loaded, margins=False)
    full = analysis_report(analysis)
    shown = analysis_report(analysis, states="shown")
    assert shown.sections == full.sections
    assert shown.to_markdown() == full.to_markdown()
    assert _text(shown) == _text(full)
    data, every = shown.data["graph_model"], full.data["graph_model"]
    assert data["listed_states"]["selection"] == "shown"
    listed = {s["index"] for s in data["states"]}
    equilibria = {i for eq in every["equilibria"].values() if eq for i in eq}
    expected = {s["index"] for s in every["states"]} & (equilibria | {every["status_quo_index"]})
    assert listed == expected
    assert [s for s in every["states"] if s["index"] in listed] == data["states"]
    assert {
        k: v for k, v in data.items() if k not in ("states", "listed_states", "coalitions")
    } == {k: v for k, v in every.items() if k not in ("states", "listed_states", "coalitions")}
