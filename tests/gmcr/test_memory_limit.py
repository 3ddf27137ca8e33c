"""The graph model of a case is bounded by the memory limit in force (``DETENTE_MAX_MEMORY``,
issue #11): a model whose analysis would not fit is refused as soon as its states are
known, with the limit and how to set it, and one that fits is analysed."""

from __future__ import annotations

import pytest

from detente.errors import CaseTooLargeError
from detente.gmcr import analyze_conflict, graph_model
from detente.model.limits import refresh_limits


def _case_text(n_options: int, n_parties: int = 3) -> str:
    lines = ["id: wide", "title: Many options", "actors:"]
    lines += [f"  - {{id: p{i}, name: Party {i}}}" for i in range(n_parties)]
    lines.append("options:")
    lines += [
        f"  - {{id: o{k}, label: option {k}, controller: p{k % n_parties}}}"
        for k in range(n_options)
    ]
    lines += ["status_quo: []", "preferences:"]
    for i in range(n_parties):
        lines += [f"  p{i}:", "    statements:"]
        lines += [f"      - {'not ' if (k + i) % 2 else ''}o{k}" for k in range(n_options)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def memory_limit(monkeypatch):
    def set_limit(value: str) -> None:
        monkeypatch.setenv("DETENTE_MAX_MEMORY", value)
        refresh_limits()

    yield set_limit
    monkeypatch.delenv("DETENTE_MAX_MEMORY", raising=False)
    refresh_limits()


def test_a_model_beyond_the_memory_limit_is_refused_before_its_analysis(
    tmp_path, memory_limit, run_cli
):
    path = tmp_path / "wide.yaml"
    path.write_text(_case_text(14), encoding="utf-8")
    memory_limit(str(2 * 2**20))
    result = run_cli("stability", str(path))
    assert result.exit_code == 2
    assert "16,384 states" in result.stderr and "DETENTE_MAX_MEMORY" in result.stderr
    assert "wide.yaml" in result.stderr


def test_the_same_model_is_analysed_under_a_limit_it_fits(tmp_path, memory_limit):
    import detente

    path = tmp_path / "wide.yaml"
    path.write_text(_case_text(14), encoding="utf-8")
    case = detente.load(path)
    memory_limit(str(2 * 2**20))
    with pytest.raises(CaseTooLargeError):
        graph_model(case)
    memory_limit(str(64 * 2**20))
    assert analyze_conflict(case, concepts=["nash"]).model.n_states == 2**14


def test_robustness_margins_beyond_the_limits_are_refused_before_the_search(
    memory_limit, monkeypatch
):
    import detente
    from detente.gmcr import robustness as margins

    searched = []
    monkeypatch.setattr(margins, "_removals", lambda *a, **k: searched.append(a) or {})
    memory_limit(str(16 * 2**20))  # korea's 4,096 states need about 70 MiB
    with pytest.raises(CaseTooLargeError, match="robustness margins of 4,096 states"):
        margins.robustness(detente.load("korea"))
    assert searched == []


@pytest.mark.parametrize("analysis", ["analyze_hypergame", "analyze_evolution"])
def test_the_case_level_analyses_obey_the_memory_limit(tmp_path, memory_limit, analysis):
    import detente
    from detente import gmcr

    path = tmp_path / "wide.yaml"
    path.write_text(_case_text(14), encoding="utf-8")
    case = detente.load(path)
    memory_limit(str(2 * 2**20))
    with pytest.raises(CaseTooLargeError, match="16,384 states"):
        getattr(gmcr, analysis)(case)
