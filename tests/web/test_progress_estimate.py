"""The time left of a run that goes on (a new user's walk: a compare run said "About
1 s left" from 3.8 s to 8.1 s, and "0.00 s" beside "1 s so far"): the estimate counts
down from when the share done last moved, and once the run outlasts it the page says it
is taking longer than estimated; a run that has not finished shows no duration."""

from __future__ import annotations

import re
import time

import pytest

from detente.web._workspace import RunRecord
from tests.web import jobs
from tests.web.conftest import GOOD_CASE, LiveServer, live_client
from tests.web.test_app import case_id_of, upload
from tests.web.test_runs import wait_for


@pytest.fixture
def small(client) -> int:
    return case_id_of(upload(client, "summit.yaml", GOOD_CASE, follow_redirects=False))


def running(case_id: int, engine: str, parameters: dict | None = None) -> RunRecord:
    return RunRecord(
        id=20_000,
        case_id=case_id,
        scenario=None,
        engine=engine,
        parameters=parameters or {},
        version="",
        status="running",
        results=None,
        error=None,
        seconds=0.0,
        rerun_of=None,
        created="",
    )


class Clock:
    """The run's start, set so that it has run for ``elapsed`` seconds."""

    def __init__(self, context, run_id: int):
        self.context, self.run_id = context, run_id

    def at(self, elapsed: float) -> None:
        self.context._started[self.run_id] = time.monotonic() - elapsed


def test_a_long_last_step_outlasts_the_estimate(client, small, monkeypatch):
    context = client.app.state.context
    run = running(small, "compare")
    clock = Clock(context, run.id)
    report = {"step": "Bargaining", "scenario": "thaw", "done": 8, "total": 10, "fraction": 0.8}
    monkeypatch.setattr(context.pool, "progress", lambda key: dict(report))
    clock.at(3.2)
    first = context.progress(run)
    assert first.remaining == pytest.approx(0.8, abs=0.05) and not first.overrun
    # the share moves, and the rate so far says a little more is left: the time left
    # still counts down to the end first said (4.0 s)
    report.update(done=9, fraction=0.9)
    clock.at(3.8)
    moved = context.progress(run)
    assert moved.remaining == pytest.approx(0.2, abs=0.05) and not moved.overrun
    # the share creeps on, and the rate so far would say "about 1 s" each time: past
    # the end it said, the page says the run is taking longer than estimated
    for elapsed, fraction in ((5.0, 0.92), (6.5, 0.94), (8.1, 0.95)):
        report.update(fraction=fraction)
        clock.at(elapsed)
        late = context.progress(run)
        assert late.overrun and late.remaining is None, elapsed
    assert late.to_dict()["overrun"] is True and late.to_dict()["remaining"] is None
    assert late.fraction == 0.95  # the bar still shows how far it has got


def test_a_run_of_steps_goes_by_the_last_such_runs_time(client, small, monkeypatch):
    """Steps differ in length (a comparison's last are its longest): the time the same
    analysis took last on this case tells the time left better than the steps done."""
    context = client.app.state.context
    run = running(small, "compare")
    clock = Clock(context, run.id)
    report = {"done": 3, "total": 10, "fraction": 0.3}
    monkeypatch.setattr(context.pool, "progress", lambda key: dict(report))
    monkeypatch.setattr(context.store, "last_seconds", lambda *args: 7.0)
    clock.at(1.0)
    assert context.progress(run).remaining == pytest.approx(6.0, abs=0.05)
    report.update(done=9, fraction=0.9)
    clock.at(4.0)
    assert context.progress(run).remaining == pytest.approx(3.0, abs=0.05)
    clock.at(7.5)
    assert context.progress(run).overrun


def test_a_faster_run_is_estimated_shorter(client, small, monkeypatch):
    context = client.app.state.context
    run = running(small, "forecast")
    clock = Clock(context, run.id)
    report = {"fraction": 0.1}
    monkeypatch.setattr(context.pool, "progress", lambda key: dict(report))
    clock.at(1.0)
    assert context.progress(run).remaining == pytest.approx(9.0, abs=0.05)
    report.update(fraction=0.8)
    clock.at(2.0)
    assert context.progress(run).remaining == pytest.approx(0.5, abs=0.05)


def test_an_estimate_from_the_last_run_is_outlasted_too(client, small, monkeypatch):
    context = client.app.state.context
    run = running(small, "graph_model")
    clock = Clock(context, run.id)
    monkeypatch.setattr(context.pool, "progress", lambda key: {"fraction": None})
    monkeypatch.setattr(context.store, "last_seconds", lambda *args: 5.0)
    clock.at(1.0)
    assert context.progress(run).remaining == pytest.approx(4.0, abs=0.05)
    clock.at(6.0)
    late = context.progress(run)
    assert late.overrun and late.remaining is None


def test_bargaining_with_samples_past_its_expected_time(client, small, monkeypatch):
    context = client.app.state.context
    run = running(small, "bargaining", {"samples": 100})
    clock = Clock(context, run.id)
    monkeypatch.setattr(context.pool, "progress", lambda key: {"fraction": 1.0})
    expected, _ = context.sample_estimate(run)
    clock.at(0.0)
    assert context.progress(run).remaining == pytest.approx(expected, abs=0.05)
    clock.at(expected + 5)
    assert context.progress(run).overrun


@pytest.fixture
def slow_server(workspace, monkeypatch):
    """A live server whose analyses take a minute, reporting half their work at once."""
    import detente.web._context as web_context

    monkeypatch.setattr(web_context, "run_stored", jobs.slow_run)
    with LiveServer(workspace, workers=1, queue=0) as server:
        yield server


def test_a_run_going_on_past_its_estimate_says_so(slow_server, workspace):
    with live_client(slow_server.url, timeout=60) as client:
        case = case_id_of(upload(client, "summit.yaml", GOOD_CASE))
        started = client.post(
            f"/cases/{case}/runs", data={"engine": "bargaining", "background": "1"}
        )
        run_id = int(started.headers["location"].rsplit("/", 1)[1])
        # half done at once, then nothing more: the estimate made then runs out
        progress = wait_for(
            lambda: p if (p := client.get(f"/runs/{run_id}/progress").json())["overrun"] else None
        )
        assert progress["remaining"] is None and progress["elapsed"] > 0
        page = client.get(f"/runs/{run_id}").text
        assert re.search(r"Taking longer than estimated \(\d+ s so far\)\.", page)
        # no duration beside a run that has not finished
        assert "(0.00 s)" not in page and 'id="run-seconds"' not in page
        assert client.post(f"/runs/{run_id}/cancel").status_code == 303


@pytest.mark.xdist_group("web-browser")
def test_the_run_page_says_a_run_takes_longer_than_estimated(browser, slow_server, tmp_path):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    path = tmp_path / "summit.yaml"
    path.write_text(GOOD_CASE)
    page.goto(slow_server.url + "/")
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-submit")
    page.wait_for_url("**/cases/*")
    page.click("#submit-bargaining")
    page.wait_for_url("**/runs/*")
    estimate = page.locator("#progress-estimate")
    estimate.filter(has_text="Taking longer than estimated").wait_for(timeout=20_000)
    assert re.fullmatch(r"Taking longer than estimated \(\d+ s so far\)\.", estimate.inner_text())
    assert "(0.00 s)" not in page.locator("#run-facts").inner_text()
    page.click("#cancel")
    page.wait_for_selector("#run-status.status-cancelled")
    assert errors == []
    context.close()
