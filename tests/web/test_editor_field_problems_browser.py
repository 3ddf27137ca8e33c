"""The case editor's problems where the user types (issue: "a new user's walk"): each
field's problem under the field, in plain words ("Capability: must be greater than 0.0
(got -5)"), with the Check panel as the summary, in the command line's words; the live
check answers a draft with problems with 200, so the browser logs no failed request;
and a party's statements grow with what is typed."""

from __future__ import annotations

import pytest

from tests.web.test_editor import DILEMMA, check

pytestmark = pytest.mark.xdist_group("web-browser")


def test_a_problem_names_its_field_in_plain_words(client):
    draft = {
        **DILEMMA,
        "actors": [{"id": "A", "name": "Alpha", "capability": -5}, DILEMMA["actors"][1]],
    }
    answer = check(client, draft)
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] is False
    (problem,) = body["problems"]
    assert problem["field"] == "actors[0].capability"
    assert problem["text"] == "actors[0].capability: must be greater than 0.0 (got -5)"
    assert problem["label"] == "Capability"
    assert problem["plain"] == "Capability: must be greater than 0.0 (got -5)"


def test_the_problem_of_a_field_is_shown_under_it_and_the_console_stays_clean(page, live_server):
    console = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    checks = []
    page.on(
        "response",
        lambda r: checks.append(r.status) if r.url.endswith("/editor/check") else None,
    )
    page.goto(live_server.url + "/editor/new")
    # a new case's title is empty until typed (its id is then made from it)
    page.fill("#ed-title", "A standoff")
    page.click("#add-party")
    page.locator(".party-id").nth(0).fill("US")
    page.locator(".party-id").nth(0).press("Tab")
    page.locator(".party-name").nth(0).fill("United States")
    capability = page.locator(".party-capability").nth(0)
    capability.fill("-5")
    message = page.locator("#parties-table .field-problem")
    message.wait_for()
    assert message.inner_text() == "Capability: must be greater than 0.0 (got -5)"
    # under that field, in its cell, and named as its description
    cell = capability.locator("xpath=..")
    assert cell.locator(".field-problem").count() == 1
    field, below = capability.bounding_box(), message.bounding_box()
    assert below["y"] >= field["y"] + field["height"] - 1
    described = capability.get_attribute("aria-describedby")
    assert described == message.get_attribute("id")
    assert capability.get_attribute("aria-invalid") == "true"
    # the Check panel keeps the summary, in the command line's words
    assert page.locator("#check-problems li").all_inner_texts() == [
        "actors[0].capability: must be greater than 0.0 (got -5)"
    ]
    # mended: the message goes
    capability.fill("5")
    page.wait_for_selector("#check-status.ok")
    assert page.locator(".field-problem").count() == 0
    assert capability.get_attribute("aria-invalid") is None
    assert capability.get_attribute("aria-describedby") is None
    assert checks and set(checks) == {200}, checks
    assert [line for line in console if line.startswith("error")] == []


def test_a_partys_statements_grow_with_what_is_typed(page, live_server):
    page.goto(live_server.url + "/editor/new")
    page.click("#add-party")
    page.locator(".party-id").nth(0).fill("US")
    page.locator(".party-id").nth(0).press("Tab")
    statements = page.locator("textarea.statements").first
    statements.wait_for()
    empty = statements.bounding_box()["height"]
    statements.fill("a\nb\nc\nd\ne\nf")
    page.wait_for_timeout(100)
    height, shown, scrolled = statements.evaluate(
        "(t) => [t.getBoundingClientRect().height, t.clientHeight, t.scrollTop]"
    )
    assert height > empty * 2, (height, empty)
    # every line is in sight: nothing is scrolled away, nothing hides below
    assert scrolled == 0
    assert statements.evaluate("(t) => t.scrollHeight <= t.clientHeight + 1")
    # up to a limit, then it scrolls
    statements.fill("\n".join(f"line {k}" for k in range(60)))
    page.wait_for_timeout(100)
    assert statements.bounding_box()["height"] <= 340
    assert shown > 0
