"""The case editor's endpoints, through FastAPI's TestClient: a draft checked as it is
typed (/editor/check), saved as a new version (/editor/save), the versions of a case,
a draft with problems answered with them (200), and bad input answered with a 4xx
naming the field, never a 500."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from detente.model.io import loads
from tests.web.conftest import GOOD_CASE

DILEMMA = {
    "id": "dilemma",
    "title": "A dilemma",
    "actors": [{"id": "A", "name": "Alpha"}, {"id": "B", "name": "Beta"}],
    "options": [
        {"id": "a", "label": "Alpha concedes", "controller": "A"},
        {"id": "b", "label": "Beta concedes", "controller": "B"},
    ],
    "status_quo": ["a", "b"],
    "preferences": {"A": {"statements": ["b", "not a"]}, "B": {"statements": ["a", "not b"]}},
    "scenarios": [{"id": "hawks", "name": "Hawks", "status_quo": []}],
}


def check(client, draft, scenario=None, **kwargs):
    return client.post("/editor/check", json={"draft": draft, "scenario": scenario}, **kwargs)


def ranking(answer, actor: str) -> list[list[str]]:
    (party,) = [p for p in answer["rankings"]["parties"] if p["id"] == actor]
    return [["+".join(s["taken"]) or "-" for s in group] for group in party["groups"]]


def upload(client, name: str, content: str) -> int:
    page = client.post("/cases/upload", files={"file": (name, content)}, follow_redirects=False)
    assert page.status_code == 303, page.text[:500]
    return int(page.headers["location"].rsplit("/", 1)[1])


def save(client, draft, **form):
    text = draft if isinstance(draft, str) else json.dumps(draft)
    return client.post("/editor/save", data={"draft": text, **form}, follow_redirects=False)


# -- checking a draft ------------------------------------------------------------------


def test_a_valid_draft_gives_each_partys_ranking_of_the_states(client):
    answer = check(client, DILEMMA)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["valid"] and body["problems"] == []
    assert body["rankings"]["states"] == 4
    # most important statement first: Alpha wants b above all, then not a
    assert ranking(body, "A") == [["b"], ["a+b"], ["-"], ["a"]]
    assert ranking(body, "B") == [["a"], ["a+b"], ["-"], ["b"]]
    (starred,) = [
        s
        for p in body["rankings"]["parties"]
        for g in p["groups"]
        for s in g
        if s["status_quo"] and p["id"] == "A"
    ]
    assert starred["taken"] == ["a", "b"]


def test_ties_and_a_party_without_statements(client):
    draft = {**DILEMMA, "preferences": {"A": {"statements": ["b"]}}}
    body = check(client, draft).json()
    assert ranking(body, "A") == [["b", "a+b"], ["-", "a"]]
    (beta,) = [p for p in body["rankings"]["parties"] if p["id"] == "B"]
    assert beta["indifferent"] and len(beta["groups"]) == 1
    assert any("no preferences for B" in w for w in body["warnings"])


def test_a_scenario_is_an_overlay_on_the_case(client):
    body = check(client, DILEMMA, scenario="hawks").json()
    assert body["scenario"] == "hawks"
    statuses = [s for g in body["rankings"]["parties"][0]["groups"] for s in g if s["status_quo"]]
    assert [s["taken"] for s in statuses] == [[]]
    unknown = check(client, DILEMMA, scenario="doves")
    assert unknown.status_code == 200 and unknown.json()["valid"] is False
    assert unknown.json()["problems"][0]["field"] == "scenarios"


def test_problems_name_the_field_with_the_messages_of_the_command_line(client, tmp_path):
    """The editor's problem and `detente validate`'s line for the same case say the same."""
    draft = {
        **DILEMMA,
        "actors": [{"id": "A", "name": "Alpha"}, {"id": "B", "name": ""}],
        "preferences": {"A": {"statements": ["b", "not a and"]}},
    }
    answer = check(client, draft)
    assert answer.status_code == 200 and answer.json()["valid"] is False
    problems = answer.json()["problems"]
    assert [p["field"] for p in problems] == ["actors[1].name", "preferences.A.statements[1]"]
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(draft, indent=1))
    cli = subprocess.run(
        [sys.executable, "-m", "detente", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 2
    printed = cli.stdout + cli.stderr
    for p in problems:
        assert p["text"].startswith(p["field"] + ": ")
        assert p["message"] in printed, (p, printed)
        assert any(line.endswith(p["text"]) for line in printed.splitlines()), (p, printed)


def test_a_cross_reference_is_named_too(client):
    draft = {**DILEMMA, "options": [{"id": "a", "label": "A", "controller": "C"}], "status_quo": []}
    draft["preferences"] = {"A": {"statements": ["a"]}}
    body = check(client, draft).json()
    assert body["valid"] is False
    assert any(
        p["field"] == "options[0].controller" and "'C'" in p["message"] for p in body["problems"]
    )


def test_too_many_options_are_validated_but_not_ranked(client):
    options = [{"id": f"o{k}", "label": f"O{k}", "controller": "A"} for k in range(14)]
    draft = {**DILEMMA, "options": options, "status_quo": [], "scenarios": []}
    draft["preferences"] = {"A": {"statements": ["o1"]}}
    body = check(client, draft).json()
    assert body["valid"] and body["rankings"]["parties"] == []
    assert "rankings are listed for at most 13 options" in body["rankings"]["note"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        pytest.param(b"{not json", 400, "", id="not-json"),
        pytest.param(b"[1, 2]", 400, "", id="not-an-object"),
        pytest.param(b'{"draft": [1]}', 400, "draft", id="draft-not-an-object"),
        pytest.param(b'{"draft": {}, "scenario": 3}', 400, "scenario", id="scenario-not-text"),
        pytest.param(b'{"draft": {"id": "x"}}', 200, "title", id="no-title"),
        pytest.param(
            b'{"draft": {"id": "x", "title": "T", "actors": 5}}', 200, "actors", id="wrong-type"
        ),
        pytest.param(b"[" * 50_000 + b"]" * 50_000, 400, "", id="deeply-nested"),
        pytest.param(
            json.dumps(
                {
                    "draft": {
                        "id": "x",
                        "title": "T",
                        "actors": [{"id": "A", "name": "A", "capability": 1e400}],
                    }
                }
            )
            .encode()
            .replace(b"Infinity", b"1e400"),
            200,
            "actors[0].capability",
            id="infinite-number",
        ),
        pytest.param(
            b'{"draft": {"id": "x", "title": "T", "foo": 1}}', 200, "foo", id="unknown-section"
        ),
    ],
)
def test_bad_drafts_get_their_problems_naming_the_field(client, body, status, field):
    """A body that holds no draft is refused (4xx); a draft with problems is answered
    (200) with its problems, as the editor's page shows them."""
    answer = client.post(
        "/editor/check", content=body, headers={"content-type": "application/json"}
    )
    assert answer.status_code == status, answer.text[:500]
    assert answer.json()["valid"] is False
    problems = answer.json()["problems"]
    assert problems and all(p["text"] for p in problems)
    assert field in [p["field"] for p in problems] or any(
        p["field"].startswith(field) for p in problems
    ), problems


def test_the_check_is_guarded_like_every_write(client, workspace):
    from tests.web.conftest import raw_client

    refused = client.request("POST", "/editor/check", json={"draft": DILEMMA}, csrf=False)
    assert refused.status_code == 403
    elsewhere = check(client, DILEMMA, headers={"origin": "http://evil.example"})
    assert elsewhere.status_code == 403
    big = {**DILEMMA, "description": "x" * (600 * 2**10)}
    assert check(client, big).status_code == 413
    as_text = client.post("/editor/check", content=b"{}", headers={"content-type": "text/plain"})
    assert as_text.status_code == 415
    as_form = client.post("/editor/check", data={"draft": "{}"})
    assert as_form.status_code == 415 and "JSON" in as_form.json()["problems"][0]["message"]
    with raw_client(workspace) as raw:
        # JSON is taken only where the editor sends it
        other = raw.post("/cases/builtin", json={"name": "korea"})
        assert other.status_code == 415


# -- saving versions -------------------------------------------------------------------


def test_a_draft_from_nothing_is_saved_as_a_yaml_case(client):
    assert "Start a case from nothing" in client.get("/").text
    page = client.get("/editor/new")
    assert page.status_code == 200 and 'src="/static/editor.js"' in page.text
    # a new case's id and title are empty (examples as placeholders), not text that
    # what the user types would be appended to
    assert '"id":"","title":""' in page.text
    assert 'id="ed-title" data-bind="title" placeholder=' in page.text
    saved = save(client, DILEMMA, note="a first try")
    assert saved.status_code == 303
    case_id = int(saved.headers["location"].rsplit("/", 1)[1])
    shown = client.get(f"/cases/{case_id}")
    assert "Version 1, saved from the case editor: a first try" in shown.text
    assert '<h1 id="case-title">A dilemma</h1>' in shown.text
    text = client.get(f"/cases/{case_id}/case.yaml").text
    assert loads(text, file="saved.yaml") == loads(json.dumps(DILEMMA), file="d", fmt="json")


def test_versions_of_a_stored_case_keep_a_history(client):
    first = upload(client, "summit.yaml", GOOD_CASE)
    editor = client.get(f"/cases/{first}/edit")
    assert editor.status_code == 200 and "Editing" in editor.text
    draft = json.loads(editor.text.split('id="draft-data">', 1)[1].split("</script>", 1)[0])
    assert draft["id"] == "summit" and draft["scenarios"][0]["id"] == "thaw"
    draft["title"] = "A summit, revised"
    v1 = int(save(client, draft, parent=str(first)).headers["location"].rsplit("/", 1)[1])
    draft["actors"][0]["capability"] = 80
    v2 = int(save(client, draft, parent=str(v1)).headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/cases/{v2}")
    assert "Version 2, saved from the case editor" in page.text
    rows = page.text.split('id="versions"', 1)[1].split("</table>", 1)[0]
    assert rows.count('class="version') == 3
    assert f'href="/cases/{first}"' in rows and f'href="/cases/{v1}"' in rows
    # the original stays as it was; every version downloads as YAML
    assert client.get(f"/cases/{first}/case.yaml").text == GOOD_CASE
    for case_id in (first, v1, v2):
        assert client.get(f"/cases/{case_id}/export.yaml").status_code == 200
    assert "capability: 80" in client.get(f"/cases/{v2}/export.yaml").text


def test_a_draft_with_problems_is_not_saved_and_comes_back(client, workspace):
    before = len(client.app.state.workspace.cases())
    bad = {**DILEMMA, "actors": [{"id": "A", "name": ""}]}
    page = save(client, bad, note="broken")
    assert page.status_code == 422
    assert "The case was not saved" in page.text and "actors[0].name" in page.text
    assert "must not be empty" in page.text and 'value="broken"' in page.text
    for text, status in [("{nope", 400), ("[1]", 400), ("", 422), ("x" * (600 * 2**10), 413)]:
        answer = save(client, text)
        assert answer.status_code == status, (text[:10], answer.status_code)
    assert save(client, DILEMMA, parent="999").status_code == 404
    assert save(client, DILEMMA, parent="abc").status_code == 404
    assert len(client.app.state.workspace.cases()) == before
    assert client.get("/cases/999/edit").status_code == 404
    assert client.get("/cases/abc/edit").status_code == 404


def test_saving_needs_the_forms_token(client):
    answer = client.request("POST", "/editor/save", data={"draft": json.dumps(DILEMMA)}, csrf=False)
    assert answer.status_code == 403


def test_hostile_names_reach_the_editor_as_data_not_markup(client):
    from tests.web.conftest import XSS, XSS_CASE

    case_id = upload(client, "xss.yaml", XSS_CASE)
    page = client.get(f"/cases/{case_id}/edit")
    assert page.status_code == 200
    assert XSS not in page.text and "<img src=x" not in page.text
    block = page.text.split('id="draft-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and json.loads(block)["actors"][0]["name"] == XSS
    body = check(client, json.loads(block)).json()
    assert body["valid"] and body["rankings"]["parties"][0]["name"] == XSS
