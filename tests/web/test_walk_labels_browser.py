"""Findings of a new user's walk, in a real browser: a new case's title typed into its
field is the title the case is saved and listed under (the field was pre-filled with
"A new case", which the typing was appended to), and the id left empty is made from
it; on a phone (375 px) an upload's problem keeps a quoted id whole."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import upload_file
from tests.web.test_walk_labels import BAD

pytestmark = pytest.mark.xdist_group("web-browser")

TITLE = "Fence dispute between neighbours"


def test_a_title_typed_into_a_new_case_is_the_title_it_is_listed_under(page, live_server):
    page.goto(live_server.url + "/")
    page.click("#start-new")
    page.wait_for_url("**/editor/new")
    assert page.input_value("#ed-title") == "" and page.input_value("#ed-id") == ""
    assert page.get_attribute("#ed-title", "placeholder")
    # typed as a user types: a click into the field, then the keys
    page.click("#ed-title")
    page.keyboard.type(TITLE, delay=5)
    assert page.input_value("#ed-title") == TITLE
    # the id left empty is made from the title, as its placeholder says
    assert page.get_attribute("#ed-id", "placeholder") == (
        "fence_dispute_between_neighbours (from the title)"
    )
    page.click("#add-party")
    page.locator(".party-id").nth(0).fill("N1")
    page.locator(".party-name").nth(0).fill("The Smiths")
    page.click("#add-option")
    page.locator(".option-id").nth(0).fill("fence")
    page.locator(".option-label").nth(0).fill("Build the fence")
    page.wait_for_selector("#check-status.ok")
    assert page.locator("#check-problems li").count() == 0
    page.click("#save")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert page.inner_text("#case-title") == TITLE
    assert page.inner_text("#case-id") == "fence_dispute_between_neighbours"
    page.goto(live_server.url + "/")
    row = page.locator("#cases tbody tr").filter(has_text=TITLE)
    assert row.count() == 1
    assert row.locator("td").nth(1).inner_text() == TITLE
    assert row.locator("td").nth(2).inner_text() == TITLE


def test_a_new_case_without_a_title_is_told_it_needs_one(page, live_server):
    page.goto(live_server.url + "/editor/new")
    page.click("#add-party")
    page.locator(".party-id").nth(0).fill("N1")
    page.wait_for_selector("#check-problems li.problem")
    problems = page.locator("#check-problems li.problem").all_inner_texts()
    assert any(p.startswith("title: must not be empty") for p in problems), problems
    # the id left empty is to be made from the title: the title is the one to mend
    assert not any(p.startswith("id:") for p in problems), problems


def test_a_quoted_id_in_an_upload_problem_is_kept_whole_at_375_px(page, live_server, tmp_path):
    page.set_viewport_size({"width": 375, "height": 800})
    upload_file(page, live_server, tmp_path, "bad.yaml", BAD)
    quoted = page.locator("tr.problem span.nowrap", has_text="not_an_option")
    assert quoted.count() == 1
    # one line box: the token and its closing quote are not parted
    rects = quoted.evaluate("(el) => el.getClientRects().length")
    assert rects == 1
    assert quoted.inner_text() == "'not_an_option'"
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
