"""The web app in a real browser: Debian's chromium, headless, driven by Playwright
against the app under uvicorn on 127.0.0.1. Missing chromium fails these tests."""

from __future__ import annotations

import pytest

from tests.web.conftest import (
    BROKEN_CASE,
    BROKEN_FIELD,
    BROKEN_LINE,
    GOOD_CASE,
    XSS,
    XSS_CASE,
    assert_screenshot,
    open_builtin,
    upload_file,
    wait_done,
)

# one worker runs them all, so one browser and one server serve the module
pytestmark = pytest.mark.xdist_group("web-browser")


def test_builtin_case_every_analysis_with_plots(page, live_server, tmp_path):
    open_builtin(page, live_server, "korea")
    assert "North Korea" in page.inner_text("#actors")
    page.select_option("#scenario-select", "article_advice")
    page.click("#scenario-apply")
    assert "Washington follows the article's advice" in page.inner_text("#scenario-now")
    page.click("#submit-all")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    assert page.inner_text("#run-status") == "ok"
    assert "Graph model: which outcomes are stable" in page.inner_text("#section-graph_model")
    assert "Bargaining" in page.inner_text("#section-bargaining")
    # plotly drew the figures from the app's own copy of plotly.js, and they answer hover
    page.wait_for_selector("#section-bargaining .js-plotly-plot .main-svg")
    assert page.evaluate("typeof window.Plotly") == "object"
    assert page.locator(".js-plotly-plot").count() >= 1
    assert page.locator(".js-plotly-plot .hoverlayer").count() >= 1
    assert_screenshot(page, tmp_path, "korea-run")
    with page.expect_download() as download:
        page.click("#download-json")
    assert download.value.suggested_filename.endswith(".json")


def test_graph_model_and_bargaining_forms(page, live_server, tmp_path):
    upload_file(page, live_server, tmp_path, "summit.yaml", GOOD_CASE)
    case_url = page.url
    assert page.inner_text("#case-title") == "A two-party summit"
    page.check("#run-graph-model input[value=nash]")
    page.check("#run-graph-model input[value=seq]")
    page.click("#submit-graph-model")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    text = page.inner_text("#section-graph_model")
    assert "Nash: 1 equilibrium among 6 feasible states" in text
    assert "SEQ: 3 equilibria" in text and "GMR" not in text.split("\n")[1]
    page.goto(case_url)
    page.select_option("#bargain-solution", "kalai_smorodinsky")
    page.check("#bargain-options")
    page.click("#submit-bargaining")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    first_run = page.url
    assert "zone of possible agreement exists" in page.inner_text("#section-bargaining")
    # the parameters in words, the raw JSON folded away
    facts = page.inner_text("#run-facts")
    assert "Solution that picks each forum's package: Kalai-Smorodinsky" in facts
    assert "Add the options that proposals set to the outcome space: yes" in facts
    assert '"solution"' not in facts
    page.click("#run-parameters-json summary")
    assert '"solution": "kalai_smorodinsky"' in page.inner_text("#run-parameters-json")
    page.wait_for_selector(".js-plotly-plot .main-svg")
    # re-run from the page: the same results
    page.click("#rerun")
    page.wait_for_url(lambda url: url != first_run)
    wait_done(page)
    assert "the same results" in page.inner_text("#reproduced")


def test_what_if_shows_before_and_after(page, live_server, tmp_path):
    upload_file(page, live_server, tmp_path, "summit.yaml", GOOD_CASE)
    page.select_option("#whatif-actor", "NK")
    page.select_option("#whatif-position-issue", "relief_level")
    page.fill("#whatif-position-value", "0")
    page.click("#submit-whatif-position")
    page.wait_for_url("**/runs/*compare=*")
    assert "North Korea's position on Sanctions relief: 90 → 0" in page.inner_text("#edit-note")
    before, after = page.locator("#compare > div").all_inner_texts()
    assert before.startswith("Before") and after.startswith("After") and before[7:] != after[7:]


def test_broken_upload_shows_line_and_field(page, live_server, tmp_path):
    upload_file(page, live_server, tmp_path, "broken.yaml", BROKEN_CASE)
    problems = page.inner_text("#problems")
    assert "1 problem in the case" in problems
    assert page.inner_text("#problems-file") == "In broken.yaml:"  # one file: named once
    row = page.locator("#problems tr.problem td").all_inner_texts()
    assert row[:2] == [str(BROKEN_LINE), BROKEN_FIELD]
    assert "unknown actor 'NKX'" in row[2]
    assert_screenshot(page, tmp_path, "broken-upload")


def test_hostile_names_are_shown_not_run(page, live_server, tmp_path):
    upload_file(page, live_server, tmp_path, "xss.yaml", XSS_CASE)
    assert XSS in page.inner_text("#actors")
    page.click("#submit-all")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    page.wait_for_selector(".js-plotly-plot .main-svg")
    assert XSS in page.inner_text("main")
    assert page.dialogs == []


def test_oversize_upload_says_so(page, live_server, tmp_path):
    upload_file(page, live_server, tmp_path, "big.yaml", "#" * (6 * 2**20))
    assert "The upload is too large: case files are limited to 5 MiB." in page.inner_text("main")


def test_a_sent_form_says_it_is_running(page, live_server, tmp_path):
    upload_file(page, live_server, tmp_path, "summit.yaml", GOOD_CASE)
    # what the form looks like once sent, noted before the browser leaves the page
    # (a listener on window runs after the app's own, on document)
    page.evaluate(
        """() => window.addEventListener("submit", (event) => {
            if (window.noted) return;
            window.noted = true;
            const form = event.target;
            const button = form.querySelector("button[type=submit]");
            const status = form.querySelector(".run-status");
            const again = new SubmitEvent("submit", {bubbles: true, cancelable: true});
            sessionStorage.setItem("sent", JSON.stringify({
                button: button.textContent,
                disabled: button.getAttribute("aria-disabled"),
                role: status.getAttribute("role"),
                status: status.textContent,
                sentAgain: form.dispatchEvent(again),
            }));
        })"""
    )
    page.fill("#forecast-samples", "10")
    page.click("#submit-forecast")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    assert page.inner_text("#run-status") == "ok"
    sent = page.evaluate("JSON.parse(sessionStorage.getItem('sent'))")
    assert sent["button"] == "Running…" and sent["disabled"] == "true"
    assert sent["role"] == "status" and sent["status"].startswith("Running the forecast…")
    assert sent["sentAgain"] is False  # a second click while it runs sends nothing


def test_the_way_out_of_a_linked_case_reads_on_a_desktop_and_a_phone(page, live_server, tmp_path):
    from tests.model.test_links import LINKED

    upload_file(page, live_server, tmp_path, "linked.yaml", LINKED)
    # the way out is the first analysis offered, above every other form
    cards = page.locator("#run-way-out, .grid .card").evaluate_all("els => els.map(e => e.id)")
    assert cards[:2] == ["run-way-out", "run-all"]
    page.select_option("#way-out-concept", "seq")
    page.fill("#way-out-paths", "3")
    page.click("#submit-way-out")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    assert page.inner_text("#run-status") == "ok"
    way_out = page.locator("#section-way_out")
    assert way_out.locator("h2").inner_text() == "The way out"
    headline = way_out.locator("ul.findings li").first.inner_text()
    assert headline.startswith("Path 1: SEQ equilibrium, state 5. It needs no change")
    # a cell that joins lines (a package and the candidates it also stands for) shows them
    # on lines of their own
    cell = way_out.locator("td[data-label='Package']", has_text="(also").first
    assert cell.evaluate("td => getComputedStyle(td).whiteSpace") == "pre-line"
    assert len(cell.inner_text().strip().splitlines()) == 2
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert_screenshot(page, tmp_path, "way-out-1280")
    # a narrow phone: nothing wider than the screen; the paths' table becomes labelled lines
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    paths = way_out.locator("table.stack").first
    assert paths.locator("thead").evaluate("el => el.getBoundingClientRect().height") <= 1
    label = paths.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Steps: "'
    assert way_out.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert_screenshot(page, tmp_path, "way-out-390")


CSP_WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_the_report_plots_are_drawn_under_a_strict_script_policy(page, live_server, tmp_path):
    page.add_init_script(CSP_WATCH)
    csp = []
    page.on(
        "response",
        lambda r: (
            csp.append(r.headers.get("content-security-policy", ""))
            if r.request.resource_type == "document"
            else None
        ),
    )
    open_builtin(page, live_server, "korea")
    page.click("#submit-all")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    page.wait_for_selector("#section-bargaining .js-plotly-plot .main-svg")
    # every figure's data block drawn by static/figures.js, none left empty
    figures = page.locator("div[data-figure]")
    assert figures.count() >= 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('div[data-figure]')]"
        ".every((div) => div.querySelector('.main-svg'))"
    )
    assert page.locator("div[data-figure] .main-svg").count() >= figures.count()
    assert page.evaluate("window.__violations") == []
    assert csp and all(
        "script-src 'self';" in p and "unsafe" not in p.split("style-src")[0] for p in csp
    )
    assert_screenshot(page, tmp_path, "korea-strict-csp")


def test_a_form_sent_from_a_page_elsewhere_is_refused(page, live_server):
    """A data: page (Origin null) that posts a form to the app changes nothing."""
    before = len(live_server.app.state.workspace.cases())
    attack = (
        "data:text/html,<form method=post action='"
        + live_server.url
        + "/cases/builtin'><input name=name value=chicken></form>"
        + "<script>document.forms[0].submit()</script>"
    )
    with page.expect_response(lambda r: r.url.endswith("/cases/builtin")) as answer:
        page.goto(attack)
    assert answer.value.status == 403
    page.wait_for_load_state()
    assert "Cross-site requests are refused" in page.inner_text("main")
    assert len(live_server.app.state.workspace.cases()) == before
