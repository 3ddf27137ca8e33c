"""The case editor on a phone (375 px), in a real browser: every field and every button of
its tables on the screen, whole (a new user's walk found the Remove buttons cut to "Re"
and a party's column of the positions table hidden behind a sideways scroll with no
cue); on a desktop the tables stay tables."""

from __future__ import annotations

import pytest

from tests.web.conftest import assert_screenshot, open_builtin, upload_file
from tests.web.test_case_parts import STANDOFF

pytestmark = pytest.mark.xdist_group("web-browser")

# Every control in the editor's tables that does not lie whole inside the window, or a
# button whose text is cut inside it; and the boxes that scroll sideways.
OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const controls = [...document.querySelectorAll('.editor .ed-body :is(input, select, button)')];
  return {
    controls: controls.length,
    cut: controls
      .filter((c) => { const r = c.getBoundingClientRect();
        return r.left < 0 || r.right > width + 1
          || (c.tagName === 'BUTTON' && c.scrollWidth > c.clientWidth + 1); })
      .map((c) => c.getAttribute('aria-label') || c.textContent),
    scrolling: [...document.querySelectorAll('.editor .ed-body')]
      .filter((box) => box.scrollWidth > box.clientWidth + 1)
      .map((box) => box.parentElement.id),
    page: [document.documentElement.scrollWidth, width],
  };
}"""


def open_editor(page, live_server, tmp_path) -> None:
    upload_file(page, live_server, tmp_path, "standoff.yaml", STANDOFF)
    page.click("#edit-case")
    page.wait_for_url("**/edit")
    page.wait_for_selector("#issues-table td.stance")
    page.wait_for_function(
        "() => document.getElementById('check-status').textContent.includes('valid')"
    )


def test_the_editor_on_a_phone_shows_every_field_and_button_whole(page, live_server, tmp_path):
    page.set_viewport_size({"width": 375, "height": 800})
    open_editor(page, live_server, tmp_path)
    page.click("#add-constraint")
    page.wait_for_selector("#constraints-table tr.constraint")
    found = page.evaluate(OFF_SCREEN)
    assert found["controls"] >= 20
    assert found["cut"] == [], f"cut off at 375 px: {found['cut']}"
    assert found["scrolling"] == [], f"scrolls sideways at 375 px: {found['scrolling']}"
    assert found["page"][0] <= found["page"][1]
    # each party's stance on the issue is on the screen, labelled with the party
    stance = page.locator("#issues-table td.stance[data-actor=PRK]")
    assert stance.get_attribute("data-label") == "North Korea: position, salience"
    assert stance.locator("input.stance-position").is_visible()
    assert page.locator("#issues-table td.stance").count() == 2
    remove = page.get_by_role("button", name="Remove party North Korea")
    assert remove.inner_text() == "Remove" and remove.is_visible()
    # the cells still edit the draft
    page.locator("#issues-table td.stance[data-actor=PRK] input.stance-position").fill("20")
    page.wait_for_function(
        "() => JSON.parse(document.getElementById('draft-json').value)"
        ".issues[0].positions.PRK.position === 20"
    )
    assert_screenshot(page, tmp_path, "editor-375")


def test_the_editor_on_a_desktop_keeps_its_tables(page, live_server, tmp_path):
    open_editor(page, live_server, tmp_path)
    heads = page.locator("#issues-table thead th")
    assert heads.nth(3).is_visible() and "United States" in heads.nth(3).inner_text()
    rows = page.evaluate(
        "() => [...document.querySelectorAll('#parties-table tr.party')]"
        ".map((tr) => getComputedStyle(tr).display)"
    )
    assert rows == ["table-row", "table-row"]
    assert page.evaluate(OFF_SCREEN)["cut"] == []
    # two parties' columns fit: no line about scrolling
    assert page.locator("#issues-scroll-hint").is_hidden()


def test_a_positions_table_wider_than_its_card_says_it_scrolls(page, live_server):
    # korea's six parties at a tablet's width: the table scrolls, and a line says so
    page.set_viewport_size({"width": 700, "height": 900})
    open_builtin(page, live_server, "korea")
    page.click("#edit-case")
    page.wait_for_url("**/edit")
    page.wait_for_selector("#issues-table td.stance")
    box = page.locator("#ed-issues .table-scroll")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    hint = page.locator("#issues-scroll-hint")
    assert hint.is_visible() and "scroll it sideways" in hint.inner_text()
    # stacked on a phone: nothing to scroll, nothing to say
    page.set_viewport_size({"width": 375, "height": 900})
    page.wait_for_function("() => document.getElementById('issues-scroll-hint').hidden")
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
