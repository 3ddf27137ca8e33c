"""Fixtures of the web tests: case files as text, a client on a fresh workspace, and a
real server (uvicorn in a thread) driven by Debian's chromium through Playwright."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # starlette's TestClient warns, on import, that httpx will give way to httpx2
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from detente.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A small case that both engines can analyse: two parties, three options, two issues
# with a status quo, two proposals, a forum and a scenario.
GOOD_CASE = """\
id: summit
title: A two-party summit
description: A small case for the web tests.
actors:
  - {id: US, name: United States, capability: 100}
  - {id: NK, name: North Korea, capability: 50}
options:
  - {id: freeze, label: Freeze testing, controller: NK}
  - {id: dismantle, label: Dismantle Yongbyon, controller: NK}
  - {id: relief, label: Partial sanctions relief, controller: US}
constraints:
  - require: dismantle implies freeze
status_quo: []
preferences:
  US:
    statements: [freeze, dismantle, not relief]
  NK:
    statements: [relief, not dismantle, "freeze iff relief"]
issues:
  - id: denuc
    name: Denuclearisation
    levels: [0, 25, 50, 75, 100]
    status_quo: 0
    positions:
      US: {position: 90, salience: 80}
      NK: {position: 10, salience: 100}
  - id: relief_level
    name: Sanctions relief
    levels: [0, 25, 50, 75, 100]
    status_quo: 0
    positions:
      US: {position: 20, salience: 60}
      NK: {position: 90, salience: 90}
proposals:
  - id: hanoi
    name: Yongbyon for relief
    options: {freeze: true, dismantle: true, relief: true}
    positions: {denuc: 50, relief_level: 50}
  - id: freeze_deal
    name: Freeze for freeze
    options: {freeze: true}
    positions: {denuc: 25}
forums:
  - id: bilateral
    name: Bilateral summit
    members: [US, NK]
scenarios:
  - id: thaw
    name: A thaw
    status_quo: [freeze]
"""

# line 8 names an actor the case does not have
BROKEN_CASE = GOOD_CASE.replace(
    "  - {id: freeze, label: Freeze testing, controller: NK}",
    "  - {id: freeze, label: Freeze testing, controller: NKX}",
)
BROKEN_LINE = 8
BROKEN_FIELD = "options[0].controller"

XSS = "<script>alert(1)</script>"
XSS_CASE = GOOD_CASE.replace("name: United States", f'name: "{XSS}"').replace(
    "title: A two-party summit", 'title: "<img src=x onerror=alert(2)> summit"'
)


def large_case() -> str:
    """A case whose graph model has 2**40 states: refused before anything is allocated."""
    n = 40
    case = {
        "id": "huge",
        "title": "Too many options",
        "actors": [{"id": "A", "name": "A", "capability": 1}, {"id": "B", "name": "B"}],
        "options": [
            {"id": f"o{k}", "label": f"Option {k}", "controller": "AB"[k % 2]} for k in range(n)
        ],
        "preferences": {"A": {"statements": ["o0"]}, "B": {"statements": ["o1"]}},
    }
    return json.dumps(case)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "workspace"


@pytest.fixture
def client(workspace: Path) -> Iterator[TestClient]:
    with TestClient(create_app(workspace)) as test_client:
        yield test_client


def new_client(workspace: Path, **kwargs) -> TestClient:
    return TestClient(create_app(workspace, **kwargs))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app under uvicorn on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, workspace: Path):
        import uvicorn

        self.workspace = workspace
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(workspace, workers=2, allowed_hosts={"127.0.0.1", "localhost"})
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web app's server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("live") / "workspace") as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless. Missing chromium fails the tests; it never skips them."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(
            f"chromium is not installed at {CHROMIUM}: the browser tests need it "
            "(apt-get install chromium; scripts/test installs it)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
