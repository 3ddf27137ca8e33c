"""The case editor in a real browser (chromium, headless, driven by Playwright): a case
built from nothing, with each party's ranking of the states updated as it is typed,
saved, run, and its state graph drawn with moves coloured by who moves; and a stored
case edited through one of its scenarios (an overlay) and saved as a new version."""

from __future__ import annotations

import pytest
import yaml

from tests.web.conftest import GOOD_CASE, upload_file, wait_done

pytestmark = pytest.mark.xdist_group("web-browser")


@pytest.fixture
def editor(page):
    """The browser tests' page, on which a draft with problems is checked too: the
    check answers it with 200 and the problems, so that nothing is logged as failed."""
    checked = []
    page.on(
        "response",
        lambda r: checked.append(r.status) if r.url.endswith("/editor/check") else None,
    )
    yield page
    assert checked and set(checked) == {200}, checked


def ranking(page, actor: str) -> list[str]:
    return page.locator(f"#rankings-body section[data-actor={actor}] ol li").all_inner_texts()


def test_a_case_built_from_nothing_is_ranked_as_typed_saved_run_and_drawn(editor, live_server):
    page = editor
    page.goto(live_server.url + "/")
    page.click("#start-new")
    page.wait_for_url("**/editor/new")
    page.fill("#ed-id", "built")
    page.fill("#ed-title", "A dilemma built in the browser")
    page.click("#add-party")
    page.click("#add-party")
    page.locator(".party-id").nth(0).fill("P1")
    page.locator(".party-name").nth(0).fill("Washington")
    page.locator(".party-id").nth(1).fill("P2")
    page.locator(".party-name").nth(1).fill("Pyongyang")
    page.click("#add-option")
    page.click("#add-option")
    page.locator(".option-id").nth(0).fill("o1")
    page.locator(".option-label").nth(0).fill("Sanctions relief")
    page.locator(".option-id").nth(1).fill("o2")
    page.locator(".option-label").nth(1).fill("Freeze testing")
    page.locator(".option-controller").nth(1).select_option("P2")
    # both options in force now: each party would rather drop its own concession
    page.locator(".option-now").nth(0).check()
    page.locator(".option-now").nth(1).check()
    page.fill("textarea.statements[data-actor=P1]", "o2\nnot o1")
    page.fill("textarea.statements[data-actor=P2]", "o1\nnot o2")
    page.wait_for_function(
        "() => document.querySelectorAll('#rankings-body section[data-actor=P2] li').length == 4"
    )
    assert page.inner_text("#check-status") == "No problems: the case is valid."
    # each party's states, most preferred first (a prisoner's dilemma)
    assert ranking(page, "P1") == ["o2", "o1 + o2 ★", "nothing taken", "o1"]
    assert ranking(page, "P2") == ["o1", "o1 + o2 ★", "nothing taken", "o2"]

    # a mistake is named inline, with the message `detente validate` prints, then mended
    page.fill("textarea.statements[data-actor=P1]", "o2\nnot o3")
    page.wait_for_selector("#check-problems li.problem")
    problem = page.inner_text("#check-problems li.problem")
    assert problem.startswith("preferences.P1") and "o3" in problem
    assert "invalid" in page.get_attribute("textarea.statements[data-actor=P1]", "class")
    assert page.locator("#rankings-body.stale").count() == 1
    page.fill("textarea.statements[data-actor=P1]", "o2\nnot o1")
    page.wait_for_selector("#check-status.ok")
    assert page.locator("#check-problems li").count() == 0

    # an issue: the table of positions and saliences
    page.click("#add-issue")
    page.locator(".issue-id").fill("denuc")
    page.locator(".issue-name").fill("Denuclearisation")
    page.locator(".issue-now").fill("10")
    for k, (position, salience) in enumerate([("90", "80"), ("10", "100")]):
        page.locator(".stance-position").nth(k).fill(position)
        page.locator(".stance-salience").nth(k).fill(salience)
    page.locator(".stance-salience").nth(1).fill("0")  # out of range: named inline
    page.wait_for_selector("#check-problems li.problem")
    assert "issues[0].positions.P2.salience" in page.inner_text("#check-problems")
    page.locator(".stance-salience").nth(1).fill("100")
    page.wait_for_selector("#check-status.ok")

    page.fill("#save-note", "built in the test")
    page.click("#save")
    page.wait_for_url("**/cases/*")
    assert page.inner_text("#case-title") == "A dilemma built in the browser"
    assert "Version 1, saved from the case editor: built in the test" in page.inner_text(
        "#version-note"
    )
    assert "Washington" in page.inner_text("#actors")

    page.check("#run-graph-model input[value=nash]")
    page.click("#submit-graph-model")
    page.wait_for_url("**/runs/*")
    wait_done(page)
    assert page.inner_text("#run-status") == "ok"
    graph = page.locator("#section-graph_model figure", has_text="arrows: improvements")
    graph.locator(".main-svg").first.wait_for()
    # the state graph: moves drawn as lines, one colour per party that moves
    strokes = graph.evaluate(
        """fig => [...fig.querySelectorAll('.scatterlayer .trace')]
            .map((t) => t.querySelector('path.js-line'))
            .filter((p) => p)
            .map((p) => p.style.stroke)"""
    )
    assert len(set(strokes)) >= 2, strokes
    legend = graph.locator(".legend").text_content()
    assert "Washington moves" in legend and "Pyongyang moves" in legend


def test_a_stored_case_edited_through_a_scenario_becomes_a_new_version(page, live_server, tmp_path):
    upload_file(page, live_server, tmp_path, "summit.yaml", GOOD_CASE)
    case_url = page.url
    page.click("#edit-case")
    page.wait_for_url("**/edit")
    page.wait_for_selector("#check-status.ok")
    assert ranking(page, "US")[0] == "freeze + dismantle"
    # seen through the scenario: its status quo (freeze) is the one starred
    page.select_option("#ed-view", "thaw")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#rankings-body li')]"
        ".some((li) => li.textContent.startsWith('freeze ★'))"
    )
    assert page.locator("#ed-title").is_disabled()  # the case's own parts are locked
    # a stance changed in the scenario only: the case's value stays as the placeholder
    position = page.locator("#issues-table tr.issue").nth(1).locator(".stance-position").nth(1)
    assert position.input_value() == "90"
    position.fill("40")
    assert "overridden" in position.get_attribute("class")
    page.wait_for_selector("#check-status.ok")
    page.select_option("#ed-view", "")
    position = page.locator("#issues-table tr.issue").nth(1).locator(".stance-position").nth(1)
    assert position.input_value() == "90"
    page.click("#save")
    page.wait_for_url("**/cases/*")
    assert page.url != case_url
    assert "Version 1, saved from the case editor" in page.inner_text("#version-note")
    versions = page.locator("#versions tr.version").all_inner_texts()
    assert len(versions) == 2 and "the case it started from (uploaded)" in versions[0]
    with page.expect_download() as download:
        page.locator("#versions a[download]").nth(1).click()
    text = download.value.path().read_text()
    assert "thaw" in text and "position: 40" in text


def test_what_is_keyed_in_field_after_field_is_what_is_saved(page, live_server):
    """Typed as a user types: an id, then a click on the next field or a Tab to it. The
    editor applies an id when its field loses the focus; that must neither take the
    focus away from the field the user went to nor lose a keystroke typed there, and a
    new row's fields are empty (examples as placeholders), not text the typing is
    appended to."""
    page.goto(live_server.url + "/editor/new")
    page.fill("#ed-id", "typed")
    page.fill("#ed-title", "Typed field after field")

    def typed(text: str) -> None:
        page.keyboard.type(text, delay=15)

    def focused() -> str:
        """The field the focus is in, as the part of the draft it edits."""
        return page.evaluate("document.activeElement.dataset.field || ''")

    page.click("#add-party")
    page.click("#add-party")
    party_id, party_name = page.locator(".party-id"), page.locator(".party-name")
    assert party_id.nth(0).input_value() == "" and party_name.nth(0).input_value() == ""
    assert party_id.nth(0).get_attribute("placeholder") == "USA"
    assert party_name.nth(0).get_attribute("placeholder") == "United States"
    # an id, then a click on the name
    party_id.nth(0).click()
    typed("USA")
    party_name.nth(0).click()
    assert focused() == "actors[0].name"
    typed("United States")
    # an id, then Tab to the name
    party_id.nth(1).click()
    typed("PRK")
    page.keyboard.press("Tab")
    assert focused() == "actors[1].name"
    typed("North Korea")
    page.keyboard.press("Tab")
    assert focused() == "actors[1].capability"
    typed("50")

    for k, (option, label, controller) in enumerate(
        [
            ("relief", "Sanctions relief", "USA"),
            ("freeze", "Freeze testing", "PRK"),
        ]
    ):
        page.click("#add-option")
        assert page.locator(".option-label").nth(k).input_value() == ""
        page.locator(".option-id").nth(k).click()
        typed(option)
        page.keyboard.press("Tab")
        assert focused() == f"options[{k}].label"
        typed(label)
        page.keyboard.press("Tab")
        assert focused() == f"options[{k}].controller"
        page.locator(".option-controller").nth(k).select_option(controller)
        page.keyboard.press("Tab")
        assert focused() == "status_quo"  # the option's box "in force now"
    page.fill("textarea.statements[data-actor=USA]", "freeze\nnot relief")
    page.fill("textarea.statements[data-actor=PRK]", "relief\nnot freeze")
    page.wait_for_selector("#check-status.ok")

    page.click("#save")
    page.wait_for_url("**/cases/*")
    link = page.locator("a", has_text="download the case file").get_attribute("href")
    saved = yaml.safe_load(page.request.get(live_server.url + link).text())
    assert saved["actors"] == [
        {"id": "USA", "name": "United States"},
        {"id": "PRK", "name": "North Korea", "capability": 50},
    ]
    assert saved["options"] == [
        {"id": "relief", "label": "Sanctions relief", "controller": "USA"},
        {"id": "freeze", "label": "Freeze testing", "controller": "PRK"},
    ]
    # a draft with problems (the empty fields, before they were typed) is answered with
    # its problems, and no request of the page failed
    assert page.errors == []
