"""``stability --coalitions``: refused before any work when too long (issue #11), and
reporting only the concepts asked for."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.gmcr.test_coalition_cost import ring


@pytest.fixture
def ring_case(tmp_path):
    def write(n: int):
        path = tmp_path / f"ring{n}.yaml"
        path.write_text(yaml.safe_dump(ring(n)), encoding="utf-8")
        return str(path)

    return write


def test_too_long_a_coalition_analysis_is_refused_before_the_stability_work(
    run_cli, ring_case, monkeypatch
):
    import detente.gmcr.case

    def no_work(*args, **kwargs):
        raise AssertionError("the analysis started")

    monkeypatch.setattr(detente.gmcr.case, "analyze_conflict", no_work)
    monkeypatch.setenv("DETENTE_MAX_SECONDS", "0.01")
    out = run_cli("stability", ring_case(10), "--coalitions")
    assert out.exit_code == 2, out.stderr
    message = " ".join(out.stderr.split())
    assert "coalition analysis of 45 coalitions over 1,024 states" in message
    assert "DETENTE_MAX_SECONDS" in message
    assert "coalitions would fit" in message or "fits in at most" in message
    out = run_cli("status-quo", ring_case(10), "--coalitions")
    assert out.exit_code == 2 and "DETENTE_MAX_SECONDS" in out.stderr


def test_coalitions_report_only_the_concepts_asked_for(run_cli, ring_case):
    case = ring_case(4)
    asked = run_cli("stability", case, "--concepts", "nash,seq", "--coalitions")
    assert asked.exit_code == 0, asked.stderr
    assert "GMR" not in asked.stdout
    assert "SEQ" in asked.stdout
    data = json.loads(
        run_cli(
            "stability", case, "--concepts", "nash,seq", "--coalitions", "--format", "json"
        ).stdout
    )
    assert data["coalitions"]["concepts"] == ["nash", "seq"]
    assert "gmr" not in json.dumps(data["coalitions"]).lower()
    everything = run_cli("stability", case, "--concepts", "nash,gmr,seq", "--coalitions")
    assert "GMR" in everything.stdout


def test_coalitions_need_a_coalition_concept(run_cli, ring_case):
    out = run_cli("stability", ring_case(3), "--concepts", "smr", "--coalitions")
    assert out.exit_code == 2
    words = " ".join(out.stderr.replace("│", " ").split())
    assert "coalition stability is available for nash, gmr, seq" in words
