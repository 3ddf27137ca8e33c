"""The web app's doors, through httpx (FastAPI's TestClient): CSRF tokens and the
Origin and Referer checks on every state-changing request, ids bounded, every error
a styled page, no API schema served and a script policy without inline code."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import GOOD_CASE, page_token, raw_client

REFUSED = "This form has expired or did not come from this app&#39;s pages"
CROSS_SITE = "Cross-site requests are refused"


def stored_cases(client) -> int:
    return len(client.app.state.workspace.cases())


def stored_runs(client) -> int:
    return client.app.state.workspace.count_runs()


@pytest.fixture
def raw(workspace):
    """A client that sends only what each test gives it, on a workspace with one case
    (the summit, #1) and one finished run (#1)."""
    with raw_client(workspace) as client:
        token = page_token(client.get("/").text)
        client.headers["x-csrftoken"] = token
        case = client.post("/cases/upload", files={"file": ("summit.yaml", GOOD_CASE)})
        assert case.status_code == 200 and str(case.url).endswith("/cases/1")
        assert client.post("/cases/1/runs", data={"engine": "bargaining"}).status_code == 200
        del client.headers["x-csrftoken"]
        client.token = token
        yield client


def assert_styled(page, status: int, says: str = "") -> None:
    assert page.status_code == status, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    assert '<link rel="stylesheet" href="/static/app.css">' in page.text
    assert 'id="message"' in page.text or 'id="error"' in page.text
    assert "Traceback" not in page.text and 'File "' not in page.text
    if says:
        assert says in page.text


# -- CSRF -----------------------------------------------------------------------------

POSTS = [
    ("/cases/builtin", {"data": {"name": "korea"}}),
    ("/cases/upload", {"files": {"file": ("other.yaml", GOOD_CASE.replace("summit", "s2"))}}),
    ("/cases/1/runs", {"data": {"engine": "bargaining"}}),
    ("/cases/1/whatif", {"data": {"target": "capability", "actor": "NK", "value": "60"}}),
    ("/runs/1/rerun", {}),
    ("/runs/1/cancel", {}),
]


@pytest.mark.parametrize(("path", "body"), POSTS)
def test_every_post_without_the_token_is_refused(raw, path, body):
    cases, runs = stored_cases(raw), stored_runs(raw)
    assert_styled(raw.post(path, **body), 403, REFUSED)
    # a token of another session does not do either
    other = raw_client(raw.app.state.workspace.folder)
    stranger = page_token(other.get("/").text)
    assert stranger != raw.token
    assert_styled(raw.post(path, headers={"x-csrftoken": stranger}, **body), 403, REFUSED)
    assert_styled(raw.post(path, headers={"x-csrftoken": "0" * 64}, **body), 403, REFUSED)
    assert (stored_cases(raw), stored_runs(raw)) == (cases, runs)


def test_a_post_without_any_cookie_is_refused(workspace):
    client = raw_client(workspace)
    token = page_token(client.get("/").text)
    client.cookies.clear()
    page = client.post("/cases/builtin", data={"name": "korea", "csrftoken": token})
    assert_styled(page, 403, REFUSED)
    assert stored_cases(client) == 0


def test_the_token_in_a_form_field_is_accepted(raw):
    # as a page's forms send it: a field of the form, urlencoded or multipart
    page = raw.post("/cases/builtin", data={"csrftoken": raw.token, "name": "chicken"})
    assert page.status_code == 200 and "/cases/" in str(page.url)
    text = GOOD_CASE.replace("A two-party summit", "Another summit")
    upload = raw.post(
        "/cases/upload", data={"csrftoken": raw.token}, files={"file": ("s.yaml", text)}
    )
    assert upload.status_code == 200 and "Another summit" in upload.text
    assert stored_cases(raw) == 3


def test_every_form_of_every_page_carries_the_token(raw):
    pages = ["/", "/cases/1", "/runs", "/runs/1"]
    forms = []
    for path in pages:
        html = raw.get(path).text
        assert page_token(html) == raw.token
        for form in re.findall(r"<form [^>]*>.*?</form>", html, re.S):
            if 'method="post"' in form:
                forms.append(form)
                first = re.search(r"<input [^>]*>", form).group(0)
                assert first == f'<input type="hidden" name="csrftoken" value="{raw.token}">'
    assert len(forms) >= 12


def test_the_session_cookie_is_http_only_and_same_site(workspace):
    client = raw_client(workspace)
    cookie = client.get("/").headers["set-cookie"]
    assert re.match(r"detente_session_[0-9a-f]{10}=[A-Za-z0-9_-]{43}; ", cookie)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    # a browser that has its cookie is not given another
    assert "set-cookie" not in client.get("/").headers


def test_the_token_survives_a_restart_of_the_server(raw):
    again = raw_client(raw.app.state.workspace.folder)
    again.cookies = raw.cookies
    page = again.post("/cases/builtin", data={"name": "chicken", "csrftoken": raw.token})
    assert page.status_code == 200 and "/cases/" in str(page.url)


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "null"},  # a sandboxed iframe, a data: or file: page
        {"origin": "http://evil.example"},
        {"origin": "http://testserver.evil.example"},
        {"origin": "https://testserver"},  # another scheme is another origin
        {"origin": "http://testserver:8001"},
        {"origin": "not a url"},
        {"referer": "http://evil.example/page.html"},  # a Referer from elsewhere, no Origin
        {"referer": "null"},
    ],
)
@pytest.mark.parametrize(("path", "body"), POSTS[:4])
def test_cross_site_requests_are_refused_even_with_the_token(raw, headers, path, body):
    cases, runs = stored_cases(raw), stored_runs(raw)
    page = raw.post(path, headers={**headers, "x-csrftoken": raw.token}, **body)
    assert_styled(page, 403, CROSS_SITE)
    assert (stored_cases(raw), stored_runs(raw)) == (cases, runs)


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://testserver"},
        {"referer": "http://testserver/cases/1"},
        {"origin": "http://testserver", "referer": "http://testserver/"},
        {},  # neither: not a browser's cross-site request; the token decides
    ],
)
def test_same_origin_requests_with_the_token_are_accepted(raw, headers):
    page = raw.post(
        "/cases/builtin", data={"name": "chicken"}, headers={**headers, "x-csrftoken": raw.token}
    )
    assert page.status_code == 200 and "/cases/" in str(page.url)


# -- ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/cases/99999999999999999999999",
        "/cases/9223372036854775808",
        "/cases/-1",
        "/cases/abc",
        "/cases/1.5",
        "/cases/1e3",
        "/cases/%201",
        "/cases/0",
        "/cases/00000000000000000000000000001",
        "/runs/9223372036854775808",
        "/runs/99999999999999999999999",
        "/runs/-5",
        "/runs/x",
        "/runs/9223372036854775808/report.html",
        "/runs/9223372036854775808/report.md",
        "/runs/-1/results.json",
        "/cases/99999999999999999999999/case.yaml",
        "/cases/abc/case.yaml",
    ],
)
def test_ids_out_of_range_or_not_numbers_are_404(raw, path):
    page = raw.get(path)
    assert_styled(page, 404)


@pytest.mark.parametrize(
    "path",
    [
        "/cases/99999999999999999999999/runs",
        "/cases/-1/whatif",
        "/runs/9223372036854775808/rerun",
        "/runs/abc/cancel",
    ],
)
def test_posts_to_ids_out_of_range_are_404(raw, path):
    page = raw.post(path, data={"engine": "all"}, headers={"x-csrftoken": raw.token})
    assert_styled(page, 404)


@pytest.mark.parametrize("compare", ["99999999999999999999999", "abc", "-1", "7"])
def test_a_bad_run_to_compare_with_is_left_out(raw, compare):
    page = raw.get("/runs/1", params={"compare": compare})
    assert page.status_code == 200 and 'id="run-facts"' in page.text
    assert "Before and after the change" not in page.text


def test_a_long_id_is_cut_short_in_the_message(raw):
    page = raw.get("/cases/" + "9" * 500)
    assert_styled(page, 404, "There is no case #" + "9" * 40 + "…")
    assert "9" * 41 not in page.text


# -- errors ---------------------------------------------------------------------------


def test_unknown_pages_and_methods_are_styled(raw):
    assert_styled(raw.get("/nowhere"), 404, "There is no such page")
    assert_styled(raw.get("/static/nothing.js"), 404)
    wrong = raw.get("/runs/1/rerun")
    assert_styled(wrong, 405, "does not take that kind of request")
    assert "POST" in wrong.headers["allow"]


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"])
def test_no_api_schema_or_docs_are_served(raw, path):
    page = raw.get(path)
    assert_styled(page, 404)
    assert "openapi" not in page.text.lower()


@pytest.mark.parametrize(
    ("headers", "content", "status", "says"),
    [
        ({"content-type": "application/json"}, b'{"name": "korea"}', 415, "Send a web form"),
        ({"content-type": "text/plain"}, b"name=korea", 415, "Send a web form"),
        ({"content-type": "multipart/form-data"}, b"--x\r\n", 400, "no boundary"),
        (
            {"content-type": "multipart/form-data; boundary=xyz"},
            b"--xyz\r\nContent-Disposition: form-data\r\n\r\n\xff\xfe",
            400,
            "",
        ),
        ({"content-type": "application/x-www-form-urlencoded"}, b"\xff\xfe=\xff&name=%ff", 404, ""),
    ],
)
def test_malformed_requests_are_styled_refusals(raw, headers, content, status, says):
    page = raw.post(
        "/cases/builtin", content=content, headers={**headers, "x-csrftoken": raw.token}
    )
    assert_styled(page, status, says)
    assert stored_cases(raw) == 1


def test_a_bug_in_a_page_is_a_styled_500_without_traceback(raw, monkeypatch):
    def broken(**kwargs):
        raise KeyError("a missing part of the stored runs")

    monkeypatch.setattr(raw.app.state.workspace, "runs", broken)
    page = raw.get("/runs")
    assert_styled(page, 500, "Sorry: something went wrong on the server")
    assert "KeyError" in page.text and "This is a bug in detente" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


# -- the script policy ------------------------------------------------------------------


def test_the_policy_allows_no_inline_script_and_no_eval(raw):
    for path in ("/", "/cases/1", "/runs/1", "/nowhere"):
        csp = raw.get(path).headers["content-security-policy"]
        script = re.search(r"script-src ([^;]*)", csp).group(1).split()
        assert script == ["'self'"], csp
        assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    headers = raw.get("/").headers
    assert headers["referrer-policy"] == "same-origin"  # so the app's own forms send Origin
    assert headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_handler(raw):
    for path in ("/", "/cases/1", "/runs", "/runs/1"):
        html = raw.get(path).text
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert ('src="/' in attrs and not body.strip()) or 'type="application/json"' in attrs
        assert not re.search(r"\son[a-z]+=", html), path
        assert "javascript:" not in html


def test_the_report_download_keeps_a_sandboxed_policy_of_its_own(raw):
    page = raw.get("/runs/1/report.html")
    assert page.status_code == 200 and "attachment" in page.headers["content-disposition"]
    policies = page.headers.get_list("content-security-policy")
    assert len(policies) == 1 and policies[0].startswith("sandbox allow-scripts;")
    assert "allow-same-origin" not in policies[0]
