"""A bounded burst of requests on localhost: every one answered, no run lost."""

from __future__ import annotations

import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest

from detente.web.app import Busy, Workers
from tests.web.conftest import GOOD_CASE, LiveServer, live_client

N_REQUESTS = 40
N_THREADS = 8
TIMEOUT = 60


def test_burst_of_requests_loses_no_run(tmp_path):
    workspace = tmp_path / "workspace"
    with (
        LiveServer(workspace) as server,
        live_client(server.url, timeout=TIMEOUT, follow_redirects=True) as c,
    ):
        pd = c.post("/cases/builtin", data={"name": "prisoners_dilemma"})
        small = c.post("/cases/upload", files={"file": ("summit.yaml", GOOD_CASE)})
        assert pd.status_code == small.status_code == 200
        pd_id, small_id = (int(str(r.url).rsplit("/", 1)[1]) for r in (pd, small))

        def request(k: int) -> tuple[str, int, str]:
            with live_client(server.url, timeout=TIMEOUT, follow_redirects=True) as client:
                if k % 4 == 3:
                    r = client.get("/runs")
                    return "get", r.status_code, ""
                if k % 2:
                    r = client.post(f"/cases/{small_id}/runs", data={"engine": "bargaining"})
                else:
                    r = client.post(f"/cases/{pd_id}/runs", data={"engine": "all"})
                return "run", r.status_code, str(r.url)

        with ThreadPoolExecutor(N_THREADS) as pool:
            answers = list(pool.map(request, range(N_REQUESTS)))

    assert all(status == 200 for _, status, _ in answers), answers
    runs = [url for kind, _, url in answers if kind == "run"]
    ids = {int(re.search(r"/runs/(\d+)", url).group(1)) for url in runs}
    assert len(ids) == len(runs) == 30
    db = sqlite3.connect(workspace / "detente-workspace.sqlite3")
    try:
        rows = db.execute("SELECT COUNT(*), SUM(status = 'ok') FROM runs").fetchone()
    finally:
        db.close()
    assert rows == (30, 30)


def test_workers_refuse_work_beyond_their_queue():
    workers = Workers(1, queue=1)
    answers: list = []

    async def main() -> None:
        async def job() -> None:
            answers.append(await workers.run(time.sleep, 0.5))

        async with anyio.create_task_group() as tg:
            tg.start_soon(job)  # runs
            tg.start_soon(job)  # waits for the worker
            await anyio.sleep(0.1)
            with pytest.raises(Busy):
                await workers.run(time.sleep, 0)

    try:
        anyio.run(main)
    finally:
        workers.close()
    assert answers == [None, None]
