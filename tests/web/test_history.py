"""A case's history page (issue 12, "The first hour"), through FastAPI's TestClient:
every version of a case saved from the editor, newest first, each with its time, its
note as written, what changed from the version it was saved from, and links to open,
download and run it; an unknown case answered with a 404 page."""

from __future__ import annotations

import json
import re

import pytest

from detente.model.io import loads
from detente.web._history import case_changes
from tests.web.conftest import GOOD_CASE
from tests.web.test_editor import save, upload


def draft_of(client, case_id: int) -> dict:
    editor = client.get(f"/cases/{case_id}/edit")
    assert editor.status_code == 200
    return json.loads(editor.text.split('id="draft-data">', 1)[1].split("</script>", 1)[0])


def saved_id(answer) -> int:
    assert answer.status_code == 303, answer.text[:500]
    return int(answer.headers["location"].rsplit("/", 1)[1])


def entries(html: str) -> list[tuple[int, str]]:
    """Each version the history page lists, in its order: its case's id and its text."""
    items = re.findall(
        r'<li class="card history-entry[^"]*" id="version-(\d+)">(.*?)</li>\n', html, re.S
    )
    return [(int(case_id), re.sub(r"\s+", " ", body)) for case_id, body in items]


def test_the_history_lists_every_version_newest_first_with_what_changed(client):
    first = upload(client, "summit.yaml", GOOD_CASE)
    draft = draft_of(client, first)
    draft["issues"][0]["positions"]["NK"]["position"] = 30
    draft["actors"].append({"id": "CN", "name": "China", "capability": 40})
    note = 'North Korea softer <b>"bold"</b>'
    v1 = saved_id(save(client, draft, parent=str(first), note=note))
    draft["proposals"] = draft["proposals"][:1]
    draft["issues"][1]["positions"]["US"]["salience"] = 70
    v2 = saved_id(save(client, draft, parent=str(v1)))

    case_page = client.get(f"/cases/{v1}")
    assert f'href="/cases/{v1}/history"' in case_page.text
    page = client.get(f"/cases/{v1}/history")
    assert page.status_code == 200
    listed = entries(page.text)
    assert [case_id for case_id, _ in listed] == [v2, v1, first]
    (_, newest), (_, older), (_, original) = listed
    assert "Version 2" in newest and "Version 1" in older
    assert "The case it started from" in original and "uploaded" in original
    # what changed, from the version each was saved from
    assert "United States&#39; salience on Sanctions relief: 60 → 70" in newest
    assert "Removed proposal: Freeze for freeze" in newest
    assert "Added party: China" in older
    assert "North Korea&#39;s position on Denuclearisation: 10 → 30" in older
    assert "China" not in newest
    # the note as the user wrote it, escaped; the time each was saved
    assert "North Korea softer &lt;b&gt;&#34;bold&#34;&lt;/b&gt;" in older
    assert "<b>" not in page.text.split("<main>", 1)[1]
    assert "Saved without a note." in newest and "Note:" in older
    assert re.search(r'<time datetime="20\d\d-[^"]+">20\d\d-\d\d-\d\d \d\d:\d\d UTC</time>', newest)
    # the case the page was asked for is marked; each version opens, downloads and runs
    assert 'history-entry current" id="version-' + str(v1) in page.text
    for case_id, body in listed:
        assert f'href="/cases/{case_id}"' in body
        assert f'href="/cases/{case_id}/export.yaml" download' in body
        assert f'action="/cases/{case_id}/runs"' in body and 'value="all"' in body
    # any case of the lineage shows the same history
    assert [c for c, _ in entries(client.get(f"/cases/{first}/history").text)] == [v2, v1, first]


def test_an_old_version_downloads_as_it_was(client):
    first = upload(client, "summit.yaml", GOOD_CASE)
    draft = draft_of(client, first)
    draft["actors"][0]["capability"] = 80
    v1 = saved_id(save(client, draft, parent=str(first)))
    draft["actors"][0]["capability"] = 60
    saved_id(save(client, draft, parent=str(v1)))
    answer = client.get(f"/cases/{v1}/export.yaml")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/yaml")
    assert 'filename="a-two-party-summit.yaml"' in answer.headers["content-disposition"]
    case = loads(answer.text, file="v1.yaml")
    assert case.actor("US").capability == 80
    assert answer.text == client.app.state.workspace.case(v1).content


@pytest.mark.parametrize("case_id", ["999", "abc", "-1", "9" * 40])
def test_an_unknown_case_has_no_history(client, case_id):
    answer = client.get(f"/cases/{case_id}/history")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert 'id="message"' in answer.text and "There is no case" in answer.text


def test_a_case_without_versions_has_a_history_of_one(client):
    first = upload(client, "summit.yaml", GOOD_CASE)
    page = client.get(f"/cases/{first}/history")
    assert page.status_code == 200
    assert [c for c, _ in entries(page.text)] == [first]
    assert 'id="history-alone"' in page.text and f'href="/cases/{first}/edit"' in page.text


def summit(edit=None):
    """The web tests' case, with ``edit`` applied to its data."""
    data = loads(GOOD_CASE, file="summit.yaml").model_dump(mode="json", exclude_none=True)
    data.pop("scenario_id", None)
    if edit is not None:
        edit(data)
    return loads(json.dumps(data), file="summit.json", fmt="json")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda d: d["actors"][1].update(capability=70),
            ["North Korea's capability: 50 → 70"],
            id="capability",
        ),
        pytest.param(
            lambda d: d.update(status_quo=["freeze"]),
            ["Status quo: now taken Freeze testing"],
            id="status-quo",
        ),
        pytest.param(
            lambda d: d["preferences"]["US"].update(statements=["relief"]),
            ["United States' preferences changed"],
            id="preferences",
        ),
        pytest.param(
            lambda d: d["scenarios"].append({"id": "chill", "name": "A chill"}),
            ["Added scenario: A chill"],
            id="scenario-added",
        ),
        pytest.param(
            lambda d: d["proposals"][0]["positions"].update(denuc=75),
            ["Yongbyon for relief, level of Denuclearisation: 50 → 75"],
            id="proposal-level",
        ),
        pytest.param(
            lambda d: d.update(title="A summit, revised"),
            ["The title: 'A two-party summit' → 'A summit, revised'"],
            id="title",
        ),
        pytest.param(lambda d: None, [], id="nothing"),
    ],
)
def test_what_changed_is_told_in_a_few_words(edit, expected):
    assert case_changes(summit(), summit(edit)) == expected
