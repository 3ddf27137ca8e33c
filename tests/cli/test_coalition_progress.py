"""``stability --coalitions`` and ``status-quo --coalitions`` show how far the coalition
analysis has gone: the engine reports each coalition done through a callback."""

from __future__ import annotations

from typing import ClassVar

import pytest
import yaml

from detente.gmcr import analyze_conflict
from detente.gmcr.case import graph_model
from detente.gmcr.coalitions import coalition_stabilities
from detente.model.case import Case
from tests.gmcr.test_coalition_cost import ring


def test_the_engine_reports_each_coalition_done() -> None:
    calls: list[tuple[int, int]] = []
    model = graph_model(Case.model_validate(ring(4)))
    result = coalition_stabilities(model, progress=lambda done, total: calls.append((done, total)))
    n = len(result.coalitions)
    assert calls == [(k, n) for k in range(n + 1)]
    # the callback changes nothing
    again = coalition_stabilities(model)
    assert (again.improvable == result.improvable).all()


def test_analyze_conflict_passes_the_callback_to_the_coalitions_only() -> None:
    case = Case.model_validate(ring(4))
    calls: list[tuple[int, int]] = []
    analyze_conflict(case, coalitions=True, progress=lambda *a: calls.append(a))
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)
    calls.clear()
    analyze_conflict(case, progress=lambda *a: calls.append(a))
    assert calls == []


class _Recorder:
    """Stands in for the CLI's progress bar and keeps what it was told."""

    made: ClassVar[list[_Recorder]] = []

    def __init__(self, title: str, total: int | None = None):
        self.title, self.total, self.updates = title, total, []
        _Recorder.made.append(self)

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def step(self, key: str) -> None:
        pass

    def update(self, done: int, total: int) -> None:
        self.updates.append((done, total))


@pytest.mark.parametrize("command", ["stability", "status-quo"])
def test_the_commands_show_a_bar_of_the_coalitions_done(run_cli, tmp_path, monkeypatch, command):
    """The bar only pulsed with the time spent: now it is told the coalitions done of
    those analysed, so it shows a percentage and the time left."""
    import detente.cli.graph_model

    monkeypatch.setattr(detente.cli.graph_model, "progress", _Recorder)
    _Recorder.made.clear()
    path = tmp_path / "ring4.yaml"
    path.write_text(yaml.safe_dump(ring(4)), encoding="utf-8")
    out = run_cli(command, str(path), "--coalitions")
    assert out.exit_code == 0, out.stderr
    (bar,) = _Recorder.made
    assert bar.updates[0] == (0, 6) and bar.updates[-1] == (6, 6)
    _Recorder.made.clear()
    assert run_cli(command, str(path)).exit_code == 0
    assert [b.updates for b in _Recorder.made] == [[]]
