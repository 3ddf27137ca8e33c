"""The time a run with Monte Carlo samples should take scales with the samples asked for
(issue #12, progress): the run page's estimate, the forecast's progress bar (the share of
its samples done) and the case page's live estimate beside the samples field; from the
workspace's own runs of the case, else from figures measured as _runs.SAMPLE_TIMES says."""

from __future__ import annotations

import re

import pytest

from detente.model.io import loads
from detente.web._runs import SAMPLE_TIMES, SAMPLES_BENCHMARK, Limits, execute, expected_seconds
from detente.web._workspace import RunRecord
from tests.web.conftest import GOOD_CASE, open_builtin
from tests.web.test_app import case_id_of, run, run_id_of, stored, upload


@pytest.fixture
def small(client) -> int:
    return case_id_of(upload(client, "summit.yaml", GOOD_CASE, follow_redirects=False))


def running(case_id: int, engine: str, samples: int) -> RunRecord:
    """A run of ``engine`` with ``samples`` samples that has just started."""
    return RunRecord(
        id=10_000 + samples,
        case_id=case_id,
        scenario=None,
        engine=engine,
        parameters={"samples": samples},
        version="",
        status="running",
        results=None,
        error=None,
        seconds=0.0,
        rerun_of=None,
        created="",
    )


def test_the_expected_time_grows_with_the_samples():
    for engine, measured in SAMPLE_TIMES.items():
        base = expected_seconds(engine, 0)
        assert base == pytest.approx(measured.base)
        one, four = expected_seconds(engine, 1000), expected_seconds(engine, 4000)
        assert four - base == pytest.approx(4 * (one - base), rel=1e-3)
    # the forecast's figure is the one the case page and the docs quote
    samples, seconds = SAMPLES_BENCHMARK
    assert expected_seconds("forecast", samples) - SAMPLE_TIMES["forecast"].base == pytest.approx(
        seconds, rel=1e-3
    )
    # the workspace's own runs come first: 0.5 s without samples, 2.5 s with 200
    assert expected_seconds("bargaining", 400, plain=0.5, sampled=(200, 2.5)) == pytest.approx(4.5)
    assert expected_seconds("graph_model", 400) is None


def test_the_run_pages_estimate_scales_with_the_samples_asked_for(client, small):
    context = client.app.state.context
    estimates = {
        n: context.progress(running(small, "forecast", n)).remaining for n in (500, 1000, 4000)
    }
    base = SAMPLE_TIMES["forecast"].base
    assert estimates[4000] > estimates[1000] > estimates[500] > 0
    assert estimates[4000] - base == pytest.approx(8 * (estimates[500] - base), rel=0.01)
    # once the case has a run with samples, its time per sample is the one used
    run_id = run_id_of(run(client, small, engine="forecast", models=["mean"], samples="40"))
    plain_id = run_id_of(run(client, small, engine="forecast", models=["mean"], samples="0"))
    (taken,) = stored(
        client.app.state.workspace.folder, f"SELECT seconds FROM runs WHERE id = {run_id}"
    )[0]
    (plain,) = stored(
        client.app.state.workspace.folder, f"SELECT seconds FROM runs WHERE id = {plain_id}"
    )[0]
    per_sample = max(0.0, taken - plain) / 40
    later = context.progress(running(small, "forecast", 4000)).remaining
    assert later == pytest.approx(plain + 4000 * per_sample, abs=0.05)


def test_bargainings_bar_leaves_room_for_the_samples_after_its_scan(client, small, monkeypatch):
    """Bargaining reports its scan of the packages, then draws its samples silently: with
    samples, the scan's end is only the scan's share of the bar, and the estimate is the
    time the samples should still take, not zero."""
    context = client.app.state.context
    monkeypatch.setattr(
        context.pool,
        "progress",
        lambda key: {"step": "Bargaining", "done": 0, "total": 1, "fraction": 1.0},
    )
    sampled = context.progress(running(small, "bargaining", 2000))
    measured = SAMPLE_TIMES["bargaining"]
    total = measured.base + 2000 * measured.per_sample
    assert sampled.fraction == pytest.approx(measured.base / total, abs=1e-3)
    assert sampled.remaining == pytest.approx(total, rel=0.01)
    plain = context.progress(running(small, "bargaining", 0))
    assert plain.fraction == 1.0  # without samples, the scan is the whole run


def test_a_forecast_reports_the_share_of_its_samples_done():
    case = loads(GOOD_CASE, file="summit.yaml")
    reports: list[dict] = []
    parameters = {
        "models": ["eum", "mean"],
        "variant": "paper",
        "samples": 60,
        "seed": 0,
    }
    execute(case, "forecast", parameters, Limits(), progress=reports.append)
    fractions = [r["fraction"] for r in reports if r["fraction"] is not None]
    assert fractions and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert reports[0]["fraction"] is None  # before the samples start, the share is unknown


def test_the_case_page_carries_the_rates_of_its_samples_fields(client, small):
    page = client.get(f"/cases/{small}").text
    for engine, field in (("forecast", "forecast-samples"), ("bargaining", "bargain-samples")):
        tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', page)
        assert tag is not None
        base = float(re.search(r'data-base="([\d.]+)"', tag[0])[1])
        per_sample = float(re.search(r'data-per-sample="([\d.]+)"', tag[0])[1])
        assert base == pytest.approx(SAMPLE_TIMES[engine].base, abs=1e-3)
        assert per_sample == pytest.approx(SAMPLE_TIMES[engine].per_sample, abs=1e-6)
        estimate = tag[0].split('data-estimate="')[1].split('"')[0]
        assert f'id="{estimate}"' in page


@pytest.mark.xdist_group("web-browser")
def test_the_samples_field_says_how_long_as_its_number_is_typed(page, live_server):
    open_builtin(page, live_server, "korea")
    page.fill("#forecast-samples", "2000")
    said = page.inner_text("#forecast-samples-estimate")
    context = live_server.app.state.context
    case_id = int(page.url.rsplit("/", 1)[1])
    base, per_sample = context.sample_rate(case_id, "forecast")

    def about(seconds: float) -> str:  # as static/app.js writes it
        return f"{seconds:.1f} s" if seconds < 10 else f"{round(seconds)} s"

    assert said.startswith(f"With 2,000 samples: about {about(base + 2000 * per_sample)}")
    page.fill("#forecast-samples", "4000")
    longer = page.inner_text("#forecast-samples-estimate")
    assert longer.startswith(f"With 4,000 samples: about {about(base + 4000 * per_sample)}")
    page.fill("#forecast-samples", "0")
    assert page.inner_text("#forecast-samples-estimate") == ""
