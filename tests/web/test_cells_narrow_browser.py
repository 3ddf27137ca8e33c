"""Numbers in tables on a phone, in a real browser (issue 12, "The first hour"): at
375 px a cell that holds a number and its companion in brackets (a party's position
and salience, "5 (100)"; a forecast and its interval, "62 (43–82)") keeps them on one
line, in the HTML report, on a case's page and on a run's page; the table scrolls
sideways in its own box instead, and the report still says so above it."""

from __future__ import annotations

import pytest

import detente
from detente.analysis import analyze
from detente.report import analysis_report
from tests.web.conftest import open_builtin, wait_done

pytestmark = pytest.mark.xdist_group("web-browser")

PHONE = {"width": 375, "height": 800}

# Each cell (of the tables ``selector`` picks) that holds a number followed by something
# in brackets, with how many lines its text takes on the screen.
LINES = r"""(selector) => [...document.querySelectorAll(selector)]
  .filter((td) => /\d\s*\(/.test(td.textContent))
  .map((td) => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set([...range.getClientRects()]
      .filter((r) => r.width > 0 && r.height > 0)
      .map((r) => Math.round(r.top)));
    return [td.textContent.trim(), tops.size];
  })"""


def split_cells(page, selector: str) -> list[str]:
    cells = page.evaluate(LINES, selector)
    assert cells, f"no cell with a number in brackets under {selector!r}"
    return [f"{text!r} on {lines} lines" for text, lines in cells if lines != 1]


@pytest.fixture(scope="module")
def korea_report(tmp_path_factory):
    path = tmp_path_factory.mktemp("cells") / "korea.html"
    path.write_text(analysis_report(analyze(detente.load("korea"))).to_html())
    return path


def test_the_reports_numbers_stay_whole_and_their_tables_scroll(browser, korea_report):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(korea_report.as_uri())
    assert split_cells(page, "#case td") == []  # the issues: position (salience)
    assert split_cells(page, "#forecast td") == []  # a forecast (its interval)
    # the issues' table is wider than the phone: it scrolls in its box, which says so
    box = page.locator("#case h3:has-text('Issues') ~ div.scroll").first
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")
    hint = box.evaluate("(el) => el.previousElementSibling.textContent")
    assert "Scroll the table sideways" in hint
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= width, f"the report at 375 px is {scroll} px wide"
    context.close()


def test_a_case_and_a_run_keep_their_numbers_whole_on_a_phone(page, live_server):
    open_builtin(page, live_server, "korea")
    case_url = page.url.split("?")[0]
    page.set_viewport_size(PHONE)
    page.goto(case_url)
    assert split_cells(page, "#issues td") == []
    assert page.locator("#issues").evaluate("(el) => el.scrollWidth > el.clientWidth")
    page.click("#submit-forecast")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    assert split_cells(page, "#section-forecast td") == []
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= width, f"the run's page at 375 px is {scroll} px wide"
