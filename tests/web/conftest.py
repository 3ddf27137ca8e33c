"""Fixtures of the web tests: case files as text, a client on a fresh workspace, and a
real server (uvicorn in a thread) driven by chromium through Playwright (skipped, with
a message, where no chromium is found, unless required: see ``browser``).

The app refuses a state-changing request without the CSRF token of the browser's
session, as a page's forms send it. ``client`` and :func:`new_client` are test
clients that send it on every POST the way a script would (the ``x-csrftoken``
header, from the session's cookie), so the tests of the routes read as before;
tests of the CSRF guard itself use :func:`raw_client`."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
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


SAFE = ("GET", "HEAD", "OPTIONS")
TOKEN = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


def page_token(html: str) -> str:
    """The CSRF token a page of the app carries for its scripts."""
    found = TOKEN.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


class CsrfClient(TestClient):
    """A test client that sends its session's CSRF token with every POST, as a script
    would, in the ``x-csrftoken`` header (``csrf=False`` sends none)."""

    _token: str | None = None

    def request(self, method: str, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        if method.upper() not in SAFE and kwargs.pop("csrf", True):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("x-csrftoken", self.csrf_token())
            kwargs["headers"] = headers
        return super().request(method, url, **kwargs)

    def csrf_token(self) -> str:
        if self._token is None:
            self._token = page_token(super().request("GET", "/").text)
        return self._token


@pytest.fixture
def client(workspace: Path) -> Iterator[TestClient]:
    with CsrfClient(create_app(workspace)) as test_client:
        yield test_client


def new_client(workspace: Path, **kwargs) -> TestClient:
    return CsrfClient(create_app(workspace, **kwargs))


def raw_client(workspace: Path, **kwargs) -> TestClient:
    """A client that sends only what a test gives it: no CSRF token of its own."""
    return TestClient(create_app(workspace, **kwargs))


def live_client(url: str, **kwargs: Any) -> httpx.Client:
    """An httpx client of a live server that sends its session's CSRF token as a header."""
    client = httpx.Client(base_url=url, **kwargs)
    with httpx.Client(base_url=url) as probe:
        token = page_token(probe.get("/").text)
        client.cookies = httpx.Cookies(probe.cookies)
    client.headers["x-csrftoken"] = token
    return client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The app under uvicorn on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, workspace: Path, **kwargs: Any):
        import uvicorn

        self.workspace = workspace
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        kwargs.setdefault("workers", 2)
        app = create_app(workspace, allowed_hosts={"127.0.0.1", "localhost"}, **kwargs)
        self.app = app
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
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


FALSE = ("0", "false", "False", "FALSE", "no")


def find_chromium() -> str | None:
    """The chromium the browser tests drive: the executable ``DETENTE_CHROMIUM`` names
    (a Chrome or Chromium anywhere, e.g. on macOS), else Debian's ``chromium``."""
    named = os.environ.get("DETENTE_CHROMIUM")
    if named:
        return shutil.which(named)
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return CHROMIUM if Path(CHROMIUM).exists() else None


def browser_tests_required() -> bool:
    """Whether a missing chromium fails the browser tests instead of skipping them: when
    ``DETENTE_BROWSER_TESTS=1`` (``bash scripts/test --browser`` sets it) or on CI."""
    asked = os.environ.get("DETENTE_BROWSER_TESTS", "")
    if asked:
        return asked not in FALSE
    return os.environ.get("CI", "") not in ("", *FALSE)


NO_CHROMIUM = (
    "no chromium found, so the browser tests do not run: install chromium "
    "(Debian/Ubuntu: apt-get install chromium), set DETENTE_CHROMIUM to a Chrome or "
    "Chromium executable, or run `bash scripts/test --browser`, which installs it"
)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip the tests that drive a browser where there is none, before their fixtures
    start a server: skipped here, they are summed up on one line of the report."""
    needs_browser = "browser" in getattr(item, "fixturenames", ())
    if needs_browser and not browser_tests_required() and find_chromium() is None:
        pytest.skip(NO_CHROMIUM)


@pytest.fixture(scope="module")
def browser():
    """Chromium, headless. When none is found the browser tests are skipped, with one
    message saying what to install, unless they are required (see
    :func:`browser_tests_required`): then they fail."""
    executable = find_chromium()
    if executable is None:
        if browser_tests_required():
            pytest.fail(f"{NO_CHROMIUM} (they are required here)", pytrace=False)
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


# -- pages in the browser (the browser tests' fixture and helpers) ----------------------


@pytest.fixture
def page(browser, live_server):
    """A fresh page that records every request leaving 127.0.0.1, every dialog and every error."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.outside = []
    page.dialogs = []
    page.errors = []

    def offline(route):
        if urlsplit(route.request.url).hostname not in ("127.0.0.1", None):
            page.outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", offline)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    # a 4xx page is an answer the tests expect; a script or style that fails to load is not
    page.on(
        "console",
        lambda msg: (
            page.errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            page.errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    yield page
    assert page.outside == [], f"the page reached beyond the app: {page.outside}"
    assert page.errors == [], f"script errors: {page.errors}"
    context.close()


def open_builtin(page, live_server, name: str) -> None:
    page.goto(live_server.url + "/")
    page.select_option("#builtin-name", name)
    page.click("#open-builtin")
    page.wait_for_url("**/cases/*")


def upload_file(page, live_server, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    page.goto(live_server.url + "/")
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-submit")
    page.wait_for_load_state()


def wait_done(page, timeout: float = 90_000) -> None:
    """Wait on a run's page until the run has ended: the page shows its progress while it
    goes on (static/progress.js), then reloads itself with the results."""
    page.wait_for_selector("#run-status:not(.status-running)", timeout=timeout)
    page.wait_for_load_state()


def assert_screenshot(page, tmp_path: Path, name: str) -> None:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
