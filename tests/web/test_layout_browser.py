"""Pages that fit the screen and draw their figures cleanly, in a real browser (issue 12's
smaller points; issue 15's history and evolution in the web app): no page wider than a
desktop (1,280 px) or a phone (375 px), whatever the case's names and messages; no
warning or error in the browser's console on a run's page; the history of korea and the
evolution of a case drawn as figures."""

from __future__ import annotations

import pytest

from tests.web.conftest import BROKEN_CASE, GOOD_CASE, open_builtin, upload_file, wait_done
from tests.web.test_report_narrow_browser import figure_spills

pytestmark = pytest.mark.xdist_group("web-browser")

WIDTHS = (1280, 375)

WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest("table, svg"))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}#${el.id}: ${(el.textContent || "").slice(0, 60)}`);
}"""


def assert_fits(page, url: str, what: str) -> None:
    """``url`` at each width, loaded afresh: the page is no wider than the window (a
    table wider than its column scrolls inside its own box), and no label of a figure
    spills out of its figure (see :func:`figure_spills`)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_function(
            "() => [...document.querySelectorAll('div[data-figure]')]"
            ".every((div) => div.querySelector('.main-svg'))"
        )
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (
            f"{what} at {width} px is {scroll} px wide: {page.evaluate(WIDEST)}"
        )
        # (the run page's figures are laid out as the HTML report's, from their JSON)
        spills = figure_spills(page)
        assert spills == [], f"{what} at {width} px: " + "\n".join(spills)


def watch_console(page) -> list[str]:
    """Every warning and error the page's console shows, from now on (plotly.js's own
    warnings, "WARN: ...", go to ``console.trace``)."""
    said: list[str] = []
    page.on(
        "console",
        lambda msg: (
            said.append(f"{msg.type}: {msg.text}")
            if msg.type in ("warning", "error", "trace")
            else None
        ),
    )
    return said


def test_error_pages_fit_a_desktop_and_a_phone(page, live_server, tmp_path):
    # a file name as long as an upload's may be (120 characters) and a problem that
    # names it: the problems' table and their one-line form
    name = "negotiation-round-" + "x" * 97 + ".yaml"
    for width in WIDTHS:  # the page answers the upload's POST: one upload at each width
        page.set_viewport_size({"width": width, "height": 900})
        upload_file(page, live_server, tmp_path, name, BROKEN_CASE)
        assert "1 problem in the case" in page.inner_text("#problems")
        assert page.url.endswith("/cases/upload")
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"problems at {width} px: {scroll} px: {page.evaluate(WIDEST)}"
        line = page.locator("#problems pre")
        assert line.evaluate("el => el.scrollWidth <= el.clientWidth"), "the one-line form spills"
    assert_fits(page, live_server.url + "/runs/abc", "a missing run's page")
    assert "There is no run #abc" in page.inner_text("#message")
    assert_fits(page, live_server.url + "/cases/" + "9" * 300, "a missing case's page")


def test_korea_run_fits_draws_its_history_and_warns_of_nothing(page, live_server):
    said = watch_console(page)
    open_builtin(page, live_server, "korea")
    case_url = page.url
    page.click("#submit-all")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    run_url = page.url
    assert page.inner_text("#run-status") == "ok"
    # the case's recorded history, told move by move, with its timeline drawn
    history = page.locator("#section-history")
    assert history.locator("h2").inner_text()
    history.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert history.locator("figcaption").count() >= 1
    said.clear()  # the run's progress is behind us: the finished page itself
    assert_fits(page, run_url, "korea's run of every analysis")
    page.wait_for_timeout(500)  # plotly warns as it draws, after the figures appear
    assert said == [], f"the run's page warned: {said[:5]} ({len(said)} in all)"
    assert_fits(page, case_url, "korea's page (its issues table)")
    assert_fits(page, live_server.url + "/runs", "the runs list")
    assert_fits(page, live_server.url + "/", "the home page")
    assert said == [], f"pages warned: {said[:5]} ({len(said)} in all)"


def test_the_evolution_runs_and_draws_its_figure(page, live_server, tmp_path):
    said = watch_console(page)
    upload_file(page, live_server, tmp_path, "summit.yaml", GOOD_CASE)
    page.select_option("#evolution-start", "hanoi")
    page.check("#evolution-coalitions")
    page.click("#submit-evolution")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    assert page.inner_text("#run-status") == "ok"
    facts = page.inner_text("#run-facts")
    assert "Evolution (graph model)" in facts
    assert "Start from: Yongbyon for relief (hanoi)" in facts and "Coalitions: yes" in facts
    section = page.locator("#section-evolution")
    assert "Where the parties' improvements lead" in section.locator("h2").inner_text()
    section.locator(".js-plotly-plot .main-svg").first.wait_for()
    # the figure draws the chain's states as markers
    assert section.locator(".js-plotly-plot .scatterlayer .point").count() >= 2
    assert_fits(page, page.url, "the evolution's run")
    assert said == [], f"the evolution's page warned: {said[:5]}"
