"""Runs in the web app's worker processes: recorded as running, cancelled, cut off,
refused when the server is busy, failed with a message when the engine fails;
the workspace's file checked and claimed by one server at a time."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from detente.web import Limits, WorkspaceError, create_app
from detente.web._workspace import Workspace
from tests.web import jobs
from tests.web.conftest import GOOD_CASE, LiveServer, free_port, live_client, new_client


def upload(client, name: str, content: str) -> int:
    page = client.post("/cases/upload", files={"file": (name, content)}, follow_redirects=False)
    assert page.status_code == 303, page.text[:1000]
    return int(page.headers["location"].rsplit("/", 1)[1])


def runs(workspace: Path) -> list[tuple]:
    db = sqlite3.connect(workspace / "detente-workspace.sqlite3")
    try:
        return db.execute("SELECT id, status, error FROM runs ORDER BY id").fetchall()
    finally:
        db.close()


def wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def in_background(fn):
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(value=fn()), daemon=True)
    thread.start()
    return thread, result


# -- engine failures ------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="the worker's memory cap is an rlimit")
def test_a_run_that_wants_too_much_memory_is_refused_and_the_server_goes_on(workspace, monkeypatch):
    import detente.web._context as web_context

    monkeypatch.setattr(web_context, "run_stored", jobs.hungry_run)
    with new_client(workspace) as client:
        case = upload(client, "summit.yaml", GOOD_CASE)
        page = client.post(f"/cases/{case}/runs", data={"engine": "forecast", "models": "eum"})
        assert page.status_code < 500
        ((_run_id, status, error),) = runs(workspace)
        assert status == "refused" and "memory" in error
        monkeypatch.undo()
        assert client.get("/").status_code == 200


def test_an_engine_bug_is_a_failed_run_with_its_message(workspace, monkeypatch):
    import detente.web._context as web_context

    monkeypatch.setattr(web_context, "run_stored", jobs.buggy_run)
    with new_client(workspace) as client:
        case = upload(client, "summit.yaml", GOOD_CASE)
        page = client.post(f"/cases/{case}/runs", data={"engine": "forecast", "models": "eum"})
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert "The analysis could not be carried out" in page.text
        assert f"internal error: TypeError: {jobs.BUG}" in page.text
        assert "This is a bug in detente" in page.text and "Traceback" not in page.text
        ((run_id, status, error),) = runs(workspace)
        assert status == "failed" and error.startswith(f"internal error: TypeError: {jobs.BUG}")
        # the record shows the same message later, and the server goes on serving
        again = client.get(f"/runs/{run_id}")
        assert again.status_code == 500 and jobs.BUG in again.text
        assert client.get("/").status_code == 200


def test_a_forecast_of_enormous_capabilities_fails_or_is_refused_with_a_message(client, workspace):
    table = (
        "actor,capability,position,salience\nUS,1e308,90,0.8\nNK,1e308,10,1.0\nCN,1e308,50,0.6\n"
    )
    page = client.post("/cases/upload", files={"file": ("big.csv", table)})
    assert page.headers["content-type"].startswith("text/html")
    if page.status_code != 200:  # refused when read: a message naming the file
        assert page.status_code in (413, 422) and "big.csv" in page.text
        return
    case = int(str(page.url).rsplit("/", 1)[1])
    result = client.post(
        f"/cases/{case}/runs", data={"engine": "forecast", "models": ["eum", "smp", "mean"]}
    )
    assert result.headers["content-type"].startswith("text/html")
    ((_, status, error),) = runs(workspace)
    if result.status_code == 200:
        assert status == "ok"
    else:
        assert result.status_code in (413, 422, 500) and status in ("failed", "refused")
        assert error and error.splitlines()[0] in result.text.replace("&#39;", "'")


def table(actors: int) -> str:
    rows = [f"A{k},{1 + k % 50},{k % 100},0.5" for k in range(actors)]
    return "actor,capability,position,salience\n" + "\n".join(rows) + "\n"


def test_a_table_of_300_parties_is_refused_before_any_work(client, workspace):
    start = time.monotonic()
    page = client.post("/cases/upload", files={"file": ("crowd.csv", table(300))})
    if page.status_code == 200:  # the readers let it in: the server's bound refuses the run
        case = int(str(page.url).rsplit("/", 1)[1])
        for engine, form in [("forecast", {"models": ["eum", "smp"]}), ("all", {})]:
            page = client.post(f"/cases/{case}/runs", data={"engine": engine, **form})
            assert page.status_code == 413
            assert "the forecast would follow 300 parties; this server forecasts at most" in (
                page.text
            )
        assert [s for _, s, _ in runs(workspace)] == ["refused", "refused"]
    else:  # refused as it was read, with the limit named
        assert page.status_code in (413, 422) and "crowd.csv" in page.text
        assert "actor" in page.text and "limit" in page.text
        assert runs(workspace) == []
    assert time.monotonic() - start < 10


def test_the_bound_on_parties_is_the_servers_to_set(workspace):
    client = new_client(workspace, limits=Limits(max_forecast_actors=30))
    case = upload(client, "thirty.csv", table(30))
    form = {"engine": "forecast", "models": ["mean", "median"]}
    assert client.post(f"/cases/{case}/runs", data=form).status_code == 200
    client = new_client(workspace, limits=Limits(max_forecast_actors=29))
    page = client.post(f"/cases/{case}/runs", data=form)
    assert page.status_code == 413
    assert "the forecast would follow 30 parties; this server forecasts at most 29:" in page.text
    assert [s for _, s, _ in runs(workspace)] == ["ok", "refused"]


def test_a_run_past_its_time_is_stopped_and_refused(workspace, monkeypatch):
    import detente.web._context as web_context

    case = upload(new_client(workspace), "summit.yaml", GOOD_CASE)
    monkeypatch.setattr(web_context, "run_stored", jobs.slow_run)
    with new_client(workspace, limits=Limits(max_seconds=1.0)) as client:
        start = time.monotonic()
        page = client.post(f"/cases/{case}/runs", data={"engine": "bargaining"})
        assert time.monotonic() - start < 15
        assert page.status_code == 413
        assert "took longer than this server allows (1 s)" in page.text
        assert [s for _, s, _ in runs(workspace)] == ["refused"]


# -- running, cancelled, busy -----------------------------------------------------------


@pytest.fixture
def slow_server(workspace, monkeypatch):
    """A live server with one worker and no queue, whose analyses take a minute."""
    import detente.web._context as web_context

    monkeypatch.setattr(web_context, "run_stored", jobs.slow_run)
    with LiveServer(workspace, workers=1, queue=0) as server:
        yield server


def test_a_run_is_recorded_running_and_can_be_cancelled(slow_server, workspace):
    with live_client(slow_server.url, timeout=60, follow_redirects=True) as client:
        case = upload(client, "summit.yaml", GOOD_CASE)
        thread, result = in_background(
            lambda: client.post(f"/cases/{case}/runs", data={"engine": "bargaining"})
        )
        run_id = wait_for(lambda: [r for r, s, _ in runs(workspace) if s == "running"])[0]
        page = client.get(f"/runs/{run_id}")
        assert page.status_code == 200 and 'id="run-status">running<' in page.text
        assert '<meta http-equiv="refresh" content="3">' in page.text
        assert 'action="/runs/' + str(run_id) + '/cancel"' in page.text
        assert "Cancel run #" in client.get("/runs").text
        start = time.monotonic()
        cancelled = client.post(f"/runs/{run_id}/cancel")
        assert cancelled.status_code == 200 and "The run was cancelled" in cancelled.text
        thread.join(timeout=30)
        assert time.monotonic() - start < 20
        assert result["value"].status_code == 200
        assert "The run was cancelled" in result["value"].text
        assert runs(workspace) == [(run_id, "cancelled", "cancelled before it finished")]


def test_a_run_in_the_background_shows_its_progress_and_can_be_cancelled(slow_server, workspace):
    """The app's forms ask for their run in the background: the answer is the run's page
    at once, with a progress bar fed by what the worker reports, and a cancel button."""
    with live_client(slow_server.url, timeout=60) as client:
        case = upload(client, "summit.yaml", GOOD_CASE)
        start = time.monotonic()
        started = client.post(
            f"/cases/{case}/runs", data={"engine": "bargaining", "background": "1"}
        )
        assert time.monotonic() - start < 10
        assert started.status_code == 303
        run_id = int(started.headers["location"].rsplit("/", 1)[1])
        assert runs(workspace) == [(run_id, "running", None)]
        # the stand-in analysis reports half of its work done
        progress = wait_for(
            lambda: p if (p := client.get(f"/runs/{run_id}/progress").json())["fraction"] else None
        )
        assert progress["status"] == "running" and progress["step"] == "Slow"
        assert progress["fraction"] == 0.5 and progress["done"] == 0 and progress["total"] == 2
        assert progress["elapsed"] >= 0 and "error" not in progress
        page = client.get(f"/runs/{run_id}")
        assert '<progress id="progress-bar" max="1" value="0.5"' in page.text
        assert 'src="/static/progress.js"' in page.text and 'id="cancel"' in page.text
        assert client.post(f"/runs/{run_id}/cancel").status_code == 303
        assert client.get(f"/runs/{run_id}/progress").json()["status"] == "cancelled"
        assert runs(workspace) == [(run_id, "cancelled", "cancelled before it finished")]


def test_the_progress_of_a_finished_or_unknown_run(client, workspace):
    case = upload(client, "summit.yaml", GOOD_CASE)
    page = client.post(f"/cases/{case}/runs", data={"engine": "graph_model"})
    run_id = int(re.search(r"/runs/(\d+)", str(page.url)).group(1))
    done = client.get(f"/runs/{run_id}/progress")
    assert done.status_code == 200 and done.json()["status"] == "ok"
    assert done.json()["fraction"] == 1.0 and done.json()["remaining"] == 0.0
    for bad in ("999", "abc", "1" * 30):
        missing = client.get(f"/runs/{bad}/progress")
        assert missing.status_code == 404 and "There is no run" in missing.json()["error"]


def test_every_engine_of_every_scenario_is_a_step_of_the_progress():
    """What a worker reports while it runs (detente.web._runs.execute)."""
    from detente.analysis import STEPS, analyze, compare
    from detente.model.io import loads
    from detente.web._runs import STEP_LABELS, Steps, execute

    assert set(STEPS) <= set(STEP_LABELS)  # every step analyze may take has words
    case = loads(GOOD_CASE, file="summit.yaml")
    # every step analyze takes, the engines first, each a step of the progress bar
    keys: list[str] = []
    analyze(case, on_step=keys.append)
    assert keys[:3] == ["graph_model", "forecast", "bargaining"]
    reports: list[dict] = []
    execute(case, "all", {}, Limits(), progress=reports.append)
    assert [r["step"] for r in reports] == [STEP_LABELS[k] for k in keys]
    assert [r["fraction"] for r in reports] == [round(k / len(keys), 4) for k in range(len(keys))]
    assert {r["total"] for r in reports} == {len(keys)}  # counted ahead, none missed
    reports.clear()
    keys.clear()
    compare(case, on_step=keys.append)
    execute(case, "compare", {}, Limits(), progress=reports.append)
    assert {r["scenario"] for r in reports} == {"thaw"} and len(reports) == len(keys)
    assert {r["total"] for r in reports} == {len(keys)}
    reports.clear()
    parameters = {"solution": "nash", "options": False, "forums": True}
    execute(case.scenario(None), "bargaining", parameters, Limits(), progress=reports.append)
    # one step: how far it has got is told only once its scan reports
    assert reports[0] == {
        "step": "Bargaining",
        "scenario": None,
        "done": 0,
        "total": 1,
        "fraction": None,
    }
    fractions = [r["fraction"] for r in reports[1:]]
    assert fractions == sorted(fractions) and all(0 <= f <= 1 for f in fractions)
    # a step more than announced makes room for itself: the share done stays below 1
    reports.clear()
    steps = Steps(reports.append, 2)
    for key in ("graph_model", "history", "bargaining"):
        steps.step(key)
    assert [r["fraction"] for r in reports] == [0.0, 0.5, round(2 / 3, 4)]
    assert [r["step"] for r in reports][1] == "The recorded history"
    # reports of a scan come at most a few times a second
    steps = Steps(reports.append, 1)
    reports.clear()
    steps.step("bargaining")
    for k in range(1000):
        steps.scan(k, 1000)
    assert len(reports) <= 2


def test_a_busy_server_answers_503_with_retry_after_and_records_nothing(slow_server, workspace):
    with live_client(slow_server.url, timeout=60, follow_redirects=True) as client:
        case = upload(client, "summit.yaml", GOOD_CASE)
        thread, _ = in_background(
            lambda: client.post(f"/cases/{case}/runs", data={"engine": "bargaining"})
        )
        (run_id,) = wait_for(lambda: [r for r, s, _ in runs(workspace) if s == "running"])
        for path, form in [
            (f"/cases/{case}/runs", {"data": {"engine": "bargaining"}}),
            ("/cases/builtin", {"data": {"name": "chicken"}}),
            ("/cases/upload", {"files": {"file": ("s.yaml", GOOD_CASE + "# another\n")}}),
        ]:
            busy = client.post(path, **form)
            assert busy.status_code == 503, busy.text[:500]
            assert busy.headers["retry-after"].isdigit()
            assert "The server is busy" in busy.text
        # pages are served meanwhile
        assert client.get("/").status_code == 200
        assert len(runs(workspace)) == 1
        client.post(f"/runs/{run_id}/cancel")
        thread.join(timeout=30)


@pytest.mark.slow
def test_a_page_loads_quickly_while_analyses_run(workspace):
    """Analyses run in worker processes: the server's own process keeps serving."""
    with (
        LiveServer(workspace, workers=2) as server,
        live_client(server.url, timeout=120, follow_redirects=True) as client,
    ):
        korea = client.post("/cases/builtin", data={"name": "korea"})
        case = int(str(korea.url).rsplit("/", 1)[1])
        form = {"engine": "bargaining", "options": "on", "samples": "200"}
        threads = [
            in_background(lambda: client.post(f"/cases/{case}/runs", data=form)) for _ in range(2)
        ]
        wait_for(lambda: sum(s == "running" for _, s, _ in runs(workspace)) == 2)
        times = []
        while any(t.is_alive() for t, _ in threads) and len(times) < 40:
            start = time.perf_counter()
            assert client.get("/runs").status_code == 200
            times.append(time.perf_counter() - start)
        for thread, _ in threads:
            thread.join(timeout=120)
        assert len(times) >= 5
        times.sort()
        assert times[int(0.95 * (len(times) - 1))] < 0.3, times
        assert [s for _, s, _ in runs(workspace)] == ["ok", "ok"]


# -- the workspace ---------------------------------------------------------------------


def test_runs_cut_off_by_a_crash_are_marked_interrupted(workspace):
    store = Workspace(workspace)
    case = store.add_case(kind="upload", name="s.yaml", fmt="yaml", content=GOOD_CASE, title="S")
    left = store.add_run(
        case_id=case,
        scenario=None,
        engine="all",
        parameters={},
        version="0",
        status="running",
        results=None,
        error=None,
        seconds=0,
    )
    with new_client(workspace) as client:  # the app's start claims the workspace
        page = client.get(f"/runs/{left}")
        assert 'id="run-status">interrupted<' in page.text
        assert "The run was interrupted" in page.text
        assert "the server stopped while this run was going on" in page.text
    assert runs(workspace)[0][1] == "interrupted"


def test_the_workspace_file_is_in_wal_mode(client, workspace):
    db = sqlite3.connect(workspace / "detente-workspace.sqlite3")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        db.close()


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"this is not a database" * 100),
        lambda path: path.write_bytes(path.read_bytes()[:100] + b"\x00" * 8000),
        "pages",
    ],
)
def test_a_damaged_workspace_file_is_refused_with_a_message(workspace, damage):
    new_client(workspace).post("/cases/upload", files={"file": ("s.yaml", GOOD_CASE)})
    path = workspace / "detente-workspace.sqlite3"
    sqlite3.connect(path).execute("PRAGMA wal_checkpoint(TRUNCATE)").connection.close()
    if damage == "pages":
        data = bytearray(path.read_bytes())
        page_size = int.from_bytes(data[16:18], "big")
        for k in range(page_size + 100, len(data), 97):  # every page but the first
            data[k] ^= 0xA5
        path.write_bytes(bytes(data))
    else:
        damage(path)
    with pytest.raises(WorkspaceError) as refused:
        create_app(workspace)
    message = str(refused.value)
    assert f"the workspace file {path} is damaged" in message
    assert "move it aside to start a new workspace, or restore it from a copy" in message
    assert refused.value.exit_code == 2


CLAIM = """
import sys
from detente.web._workspace import Workspace
Workspace(sys.argv[1]).claim()
print("claimed", flush=True)
sys.stdin.read()
"""


def test_a_second_server_on_the_same_workspace_is_refused(workspace):
    Workspace(workspace)
    holder = subprocess.Popen(
        [sys.executable, "-c", CLAIM, str(workspace)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "claimed"
        with pytest.raises(WorkspaceError, match="another detente server is using the workspace"):
            Workspace(workspace).claim()
        # the command line says so and stops at once, before serving anything
        port = free_port()
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "detente",
                "serve",
                "--port",
                str(port),
                "--workspace",
                str(workspace),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert cli.returncode == 2, cli.stderr
        assert f"another detente server is using the workspace {workspace} (process " in (
            " ".join(cli.stderr.split())
        )
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    finally:
        holder.communicate("", timeout=10)
    # once the first has stopped, the workspace is free again
    store = Workspace(workspace)
    assert store.claim() == 0
    store.release()


def test_claims_nest_within_one_process(workspace):
    store = Workspace(workspace)
    store.claim()
    store.claim()
    store.release()
    assert (workspace / "detente-workspace.lock").read_text() == str(__import__("os").getpid())
    store.release()
    store.release()  # one too many does nothing


def test_the_workers_are_processes_of_their_own(client):
    import os

    workers = client.app.state.workers
    case = upload(client, "summit.yaml", GOOD_CASE)
    assert client.post(f"/cases/{case}/runs", data={"engine": "bargaining"}).status_code == 200
    pids = {w.process.pid for w in workers._idle}
    assert pids and os.getpid() not in pids
    assert re.match(r"detente-worker", workers._idle[0].process.name)


def test_a_what_if_stored_by_an_earlier_version_still_opens_and_runs(client, workspace):
    """Earlier versions stored a what-if with ``scenario_id: null``, which a case file
    may no longer set."""
    import json

    from detente.model.io import loads

    data = loads(GOOD_CASE, fmt="yaml").model_dump(mode="json")
    data.update(scenarios=[], default_scenario=None, scenario_id=None)
    store = client.app.state.workspace
    old = store.add_case(
        kind="edit", name="s (what-if)", fmt="json", content=json.dumps(data), title="S"
    )
    assert client.get(f"/cases/{old}").status_code == 200
    page = client.post(f"/cases/{old}/runs", data={"engine": "bargaining"})
    assert page.status_code == 200 and 'id="run-status">ok<' in page.text


def test_a_graph_model_run_with_coalitions_tells_how_far_it_has_got():
    """The coalitions' analysis reports each coalition done (as the command line's bar
    does), so the run page's bar moves and its estimate can be made; without
    coalitions the one step's share is not told."""
    import detente
    from detente.web._runs import execute, parse_parameters

    case = detente.load("korea")
    reports: list[dict] = []
    parameters = parse_parameters("graph_model", {"coalitions": "on"})
    assert parameters["coalitions"]
    execute(case, "graph_model", parameters, Limits(), progress=reports.append)
    fractions = [r["fraction"] for r in reports[1:]]
    assert reports[0]["fraction"] is None and fractions
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    reports.clear()
    execute(
        case, "graph_model", parse_parameters("graph_model", {}), Limits(), progress=reports.append
    )
    assert [r["fraction"] for r in reports] == [None]
