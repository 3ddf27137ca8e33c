"""``detente bargain`` with the robustness Monte Carlo: --samples, --seed, --dask."""

from __future__ import annotations

import json

import pytest

import detente

pytestmark = pytest.mark.bargain


def _robustness(run_cli, *args: str) -> dict:
    result = run_cli("bargain", "korea", "--no-forums", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["robustness"]


def test_samples_and_seed_give_a_share_per_proposal(run_cli):
    rob = _robustness(run_cli, "--samples", "10", "--seed", "4")
    assert rob["samples"] == 10
    assert rob["seed"] == 4
    assert set(rob["proposals"]) == {p.id for p in detente.load("korea").proposals}
    assert rob["forums"] == {}
    assert rob == _robustness(run_cli, "--samples", "10", "--seed", "4")


def test_without_samples_there_is_no_robustness(run_cli):
    result = run_cli("bargain", "korea", "--no-forums", "--format", "json")
    assert "robustness" not in json.loads(result.stdout)


def test_the_text_report_has_the_robustness_table(run_cli):
    result = run_cli("bargain", "korea", "--samples", "6", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    assert "### Robustness: share of 6 samples (seed 0) inside the zone" in result.stdout
    assert "can still agree, with its best package inside its zone" in result.stdout


def test_negative_samples_are_a_usage_error(run_cli):
    result = run_cli("bargain", "korea", "--samples", "-1")
    assert result.exit_code == 2
    assert "--samples" in result.stderr


def test_dask_gives_the_local_result(run_cli):
    distributed = pytest.importorskip("distributed")
    local = _robustness(run_cli, "--samples", "8", "--seed", "2")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        remote = _robustness(
            run_cli, "--samples", "8", "--seed", "2", "--dask", cluster.scheduler_address
        )
    assert remote == local
