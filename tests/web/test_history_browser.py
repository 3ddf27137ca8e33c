"""A case's history page in a real browser (issue 12, "The first hour"): a version
saved in the case editor shows on the page the case links to, with its note and what
changed, and the page fits a desktop (1,280 px) and a phone (375 px)."""

from __future__ import annotations

import pytest

from tests.web.conftest import open_builtin
from tests.web.test_layout_browser import assert_fits

pytestmark = pytest.mark.xdist_group("web-browser")


def test_a_version_saved_in_the_editor_shows_in_the_history(page, live_server):
    open_builtin(page, live_server, "korea")
    page.click("#edit-case")
    page.wait_for_selector("#issues-table td.stance")
    page.locator("#issues-table td.stance[data-actor=PRK] input.stance-position").first.fill("20")
    page.locator("#save-note").fill("a freeze <for now>")
    page.click("#save")
    page.wait_for_url("**/cases/*")
    page.click("#case-history")
    page.wait_for_url("**/history")
    newest = page.locator("ol#history > li").first
    assert "current" in newest.get_attribute("class")
    assert "Note: a freeze <for now>" in newest.inner_text()
    assert "North Korea's position on Denuclearisation" in newest.inner_text()
    assert "5 → 20" in newest.inner_text()
    assert_fits(page, page.url, "the history page")
