"""Monte Carlo forecasts and the shared executor (detente.parallel)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from detente import parallel
from detente.errors import CaseError
from detente.forecast import monte_carlo
from detente.forecast.montecarlo import monte_carlo_runs
from detente.parallel import map_samples, normalize_seed, sample_rng

pytestmark = pytest.mark.forecast

ACTORS = ("US", "NK", "CN", "KR", "JP", "RU")
CAP = np.array([1.0, 0.3, 0.8, 0.4, 0.4, 0.5])
POS = np.array(
    [[90, 80, 20], [10, 5, 70], [40, 30, 50], [70, 60, 30], [85, 75, 25], [35, 30, 55]],
    dtype=float,
)
SAL = np.array(
    [
        [0.3, 0.3, 0.2],
        [0.4, 0.3, 0.3],
        [0.2, 0.2, 0.3],
        [0.3, 0.3, 0.2],
        [0.2, 0.3, 0.2],
        [0.2, 0.1, 0.2],
    ]
)


def _draw(indices, seed):
    return np.array([sample_rng(seed, int(i)).standard_normal(3) for i in indices])


def _where(indices, seed):
    """Which process ran each sample."""
    del seed
    return np.full(len(indices), os.getpid())


@pytest.fixture
def pool(monkeypatch):
    """Local workers whatever the work: starting them counts as free."""
    monkeypatch.setattr(parallel, "START_SECONDS", -1.0)


def test_map_samples_is_independent_of_chunking_and_workers(pool):
    a = map_samples(_draw, 11, seed=5, workers=1, chunk=2)
    b = map_samples(_draw, 11, seed=5, workers=1, chunk=11)
    c = map_samples(_draw, 11, seed=5, workers=2, chunk=3)
    assert a.shape == (11, 3)
    assert np.array_equal(a, b)
    assert np.array_equal(a, c)
    assert not np.array_equal(a, map_samples(_draw, 11, seed=6, workers=1))


def test_small_work_stays_in_this_process():
    """Work that would gain less from local workers than starting them costs runs
    here: the first chunk times it."""
    assert set(map_samples(_where, 12, seed=1, workers=2, chunk=3)) == {os.getpid()}


def test_workers_run_the_rest_of_bigger_work(pool):
    ran = map_samples(_where, 12, seed=1, workers=2, chunk=3)
    # the first chunk is timed here, the other three go to the workers
    assert set(ran[:3]) == {os.getpid()}
    assert os.getpid() not in set(ran[3:])


def test_map_samples_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        local = map_samples(_draw, 9, seed=3, workers=1)
        remote = map_samples(_draw, 9, seed=3, dask_address=client, chunk=4)
        by_address = map_samples(_draw, 9, seed=3, dask_address=cluster.scheduler_address)
    assert np.array_equal(local, remote)
    assert np.array_equal(local, by_address)


def test_seeds():
    assert normalize_seed(3) == 3
    g = np.random.default_rng(1)
    assert normalize_seed(g) == normalize_seed(np.random.default_rng(1))
    assert isinstance(normalize_seed(None), int)
    with pytest.raises(ValueError, match="seed"):
        normalize_seed(-1)
    with pytest.raises(ValueError, match="n must"):
        map_samples(_draw, -1, seed=1)
    assert len(map_samples(_draw, 0, seed=1, workers=1)) == 0


def test_monte_carlo_summaries():
    res = monte_carlo(
        ACTORS,
        CAP,
        POS,
        SAL,
        issues=["denuclearisation", "relief", "summit"],
        position_sd=8.0,
        salience_sd=0.05,
        capability_range=(CAP * 0.8, CAP * 1.2),
        models=("mean", "median", "eum", "smp"),
        n_runs=60,
        seed=11,
    )
    assert {(s.issue, s.model) for s in res.summaries} == {
        (i, m)
        for i in ("denuclearisation", "relief", "summit")
        for m in ("mean", "median", "eum", "smp")
    }
    s = res.get("denuclearisation", "mean")
    assert len(s.samples) == 60
    assert s.interval[0] <= s.median <= s.interval[1]
    assert s.interval[0] >= 0
    assert s.interval[1] <= 100
    # the compromise model on issue 0 depends on issue-0 inputs and capabilities only
    assert all("relief" not in k and "summit" not in k for k in s.sensitivity)
    assert "position[US, denuclearisation]" in s.sensitivity
    # the joint spatial model sees every input
    assert "position[US, summit]" in res.get("denuclearisation", "smp").sensitivity
    top = s.top_inputs(2)
    assert len(top) == 2
    assert abs(top[0][1]) >= abs(top[1][1])
    json.dumps(res.to_dict())


def test_each_summary_carries_its_interval_level_and_the_figures_show_it():
    """The summaries say the level of their interval (JSON: ``level``), so that the
    figures name the band by it rather than by a default."""
    from detente.report.forecast_plots import trajectory_figure

    res = monte_carlo(
        ACTORS,
        CAP,
        POS[:, 0],
        SAL[:, 0],
        position_sd=8.0,
        models=("mean", "eum"),
        n_runs=40,
        seed=2,
        level=0.8,
    )
    for summary in res.summaries:
        assert summary.level == 0.8
        data = summary.to_dict()
        assert data["level"] == 0.8
        assert data["interval"] == pytest.approx(np.quantile(summary.samples, [0.1, 0.9]))
    from detente.forecast import expected_utility

    run = expected_utility(ACTORS, CAP, POS[:, 0], SAL[:, 0]).issues[0].to_dict()
    entry = {
        "name": "issue",
        "scale": [0.0, 100.0],
        "models": {"eum": run},
        "monte_carlo": {"eum": res.get("issue", "eum").to_dict()},
    }
    names = {a: a for a in ACTORS}
    legends = [t.name for t in trajectory_figure(entry, names).data if t.name]
    assert any("80% interval of 40 samples" in name for name in legends), legends
    assert not any("90% interval" in name for name in legends), legends


def test_monte_carlo_same_seed_same_result_any_executor(pool):
    kw = dict(position_sd=5.0, models=("median", "eum"), n_runs=24, seed=2)
    a = monte_carlo(ACTORS, CAP, POS[:, 0], SAL[:, 0], **kw)
    b = monte_carlo(ACTORS, CAP, POS[:, 0], SAL[:, 0], workers=2, chunk=5, **kw)
    assert a.to_dict() == b.to_dict()
    c = monte_carlo(ACTORS, CAP, POS[:, 0], SAL[:, 0], **{**kw, "seed": 3})
    assert a.to_dict() != c.to_dict()


def test_position_moves_the_mean_most():
    """Only US's position is uncertain: it is the input that moves the forecast."""
    sd = np.zeros(6)
    sd[0] = 10.0
    res = monte_carlo(
        ACTORS, CAP, POS[:, 0], SAL[:, 0], position_sd=sd, models=("mean",), n_runs=100, seed=0
    )
    s = res.get("issue", "mean")
    assert list(s.sensitivity) == ["position[US]"]
    assert s.sensitivity["position[US]"] == pytest.approx(1.0)


def test_no_spread_gives_a_point():
    res = monte_carlo(ACTORS, CAP, POS[:, 0], SAL[:, 0], models=("mean", "eum"), n_runs=5)
    s = res.get("issue", "mean")
    assert s.interval[0] == s.interval[1] == s.median
    assert s.sensitivity == {}


def test_bad_spreads():
    with pytest.raises(CaseError, match="not both"):
        monte_carlo(
            ACTORS,
            CAP,
            POS[:, 0],
            SAL[:, 0],
            position_sd=1,
            position_range=(POS[:, 0] - 1, POS[:, 0] + 1),
        )
    with pytest.raises(CaseError, match=">= 0"):
        monte_carlo(ACTORS, CAP, POS[:, 0], SAL[:, 0], position_sd=-1)
    with pytest.raises(ValueError, match="models"):
        monte_carlo(ACTORS, CAP, POS[:, 0], SAL[:, 0], models=("oracle",))
    with pytest.raises(ValueError, match="level"):
        monte_carlo(ACTORS, CAP, POS[:, 0], SAL[:, 0], level=1.5)


def test_stochastic_transitions_in_monte_carlo_do_not_depend_on_chunking():
    """Each sample seeds its own SMP transitions, so results are the same whatever the chunk size."""
    import numpy as np

    from detente.forecast import monte_carlo

    actors = ("A", "B", "C", "D")
    c, x, s = (
        np.array([3.0, 2.0, 1.0, 1.5]),
        np.array([10.0, 40.0, 70.0, 90.0]),
        np.array([0.8, 0.6, 0.9, 0.5]),
    )
    kw = dict(
        position_sd=5.0, models=("smp",), n_runs=12, seed=4, smp={"transitions": "stochastic"}
    )
    a = monte_carlo(actors, c, x, s, chunk=3, **kw).to_dict()
    b = monte_carlo(actors, c, x, s, chunk=12, **kw).to_dict()
    assert a == b


def test_runs_together_give_each_run_its_own_result():
    """Several runs share one pass over the samples (their issues batched for each
    model) and each gets exactly what it gets alone, red lines included."""
    at_most = np.where(np.arange(18).reshape(6, 3) % 4 == 0, 35.0, np.nan)
    runs = [
        dict(
            actors=ACTORS,
            capability=CAP,
            position=POS,
            salience=SAL,
            position_sd=5.0,
            capability_sd=0.1,
            models=("mean", "eum"),
            bounds=(None, at_most),
        ),
        dict(
            actors=ACTORS[:4],
            capability=CAP[:4],
            position=POS[:4, 1],
            salience=SAL[:4, 1],
            issues=["relief"],
            salience_sd=0.05,
            models=("eum", "smp", "median"),
        ),
        dict(
            actors=ACTORS[:4],
            capability=CAP[:4],
            position=POS[:4, 2],
            salience=SAL[:4, 2],
            issues=["summit"],
            position_sd=8.0,
            models=("smp",),
        ),
    ]
    together = monte_carlo_runs(runs, n_runs=30, seed=9, chunk=7)
    alone = [monte_carlo(**run, n_runs=30, seed=9) for run in runs]
    assert [r.to_dict() for r in together] == [r.to_dict() for r in alone]
