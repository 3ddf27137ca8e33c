"""``detente inverse`` shows its progress, one step per party and concept."""

from __future__ import annotations

import detente.cli.graph_model

OPENED: list[Recorder] = []


class Recorder:
    def __init__(self, title, total=None):
        self.title, self.total, self.steps = title, total, []
        OPENED.append(self)

    def __enter__(self):
        return self

    def step(self, key):
        self.steps.append(key)

    def update(self, done, total):
        pass

    def __exit__(self, *exc):
        pass


def test_inverse_steps_through_each_party_and_concept(run_cli, monkeypatch):
    OPENED.clear()
    monkeypatch.setattr(detente.cli.graph_model, "progress", Recorder)
    out = run_cli("inverse", "chicken", "--state", "1", "--concepts", "nash,gmr")
    assert out.exit_code == 0, out.stderr
    (bar,) = OPENED
    assert bar.total == 4
    assert bar.steps == ["A:nash", "A:gmr", "B:nash", "B:gmr"]
