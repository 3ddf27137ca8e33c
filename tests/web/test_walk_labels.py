"""More small findings of a new user's walk: a what-if's note writes possessives as the
history does; a what-if's run says which scenario the what-if was made from (here and
in /runs); versions and what-ifs are labelled alike on the home page, in /runs and on
the run pages ("Version N", "What-if"); a case's title is not repeated as its name and
its id is shown; download names keep the years of "2018–2022" apart; an upload's
problem is said once, as ``detente validate`` says it, with quoted ids kept whole; and
a draft whose id is left empty takes one made from its title."""

from __future__ import annotations

import re

import pytest

from detente.model.io import loads
from tests.web.test_app import run, run_id_of, upload
from tests.web.test_editor import DILEMMA, save
from tests.web.test_history import draft_of, saved_id

HANOI = "Eve of the Hanoi summit (February 2019)"


@pytest.fixture(scope="module")
def korea(tmp_path_factory):
    """A workspace with korea, a what-if of it made through the Hanoi scenario, and a
    version of it saved from the editor: the client, and the runs' and cases' ids."""
    from tests.web.conftest import new_client

    with new_client(tmp_path_factory.mktemp("labels") / "workspace") as client:
        page = client.post("/cases/builtin", data={"name": "korea"}, follow_redirects=False)
        client.korea = int(page.headers["location"].rsplit("/", 1)[1])
        page = client.post(
            f"/cases/{client.korea}/whatif",
            data={
                "target": "position",
                "actor": "USA",
                "issue": "denuclearisation",
                "value": "30",
                "scenario": "eve_of_hanoi_2019",
            },
            follow_redirects=False,
        )
        assert page.status_code == 303, page.text[:2000]
        client.after = int(re.search(r"/runs/(\d+)", page.headers["location"]).group(1))
        draft = draft_of(client, client.korea)
        client.version = saved_id(save(client, draft, parent=str(client.korea)))
        client.version_run = run_id_of(run(client, client.version, engine="bargaining"))
        yield client


def cell(html: str, run_id: int, css: str) -> str:
    """The text of a /runs row's cell, tags removed."""
    row = re.search(
        rf'<tr class="run-row">\s*<td class="num"><a href="/runs/{run_id}">.*?</tr>', html, re.S
    )
    assert row, run_id
    found = re.search(rf'<td class="{css}">(.*?)</td>', row.group(0), re.S)
    assert found
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_a_what_if_note_writes_a_possessive_as_the_history_does(korea):
    page = korea.get(f"/runs/{korea.after}").text
    note = re.search(r'id="edit-note">(.*?)</p>', page, re.S).group(1)
    assert "United States&#39; position on Denuclearisation" in note
    assert "States&#39;s" not in page


def test_a_what_if_run_names_the_scenario_it_was_made_from(korea):
    page = korea.get(f"/runs/{korea.after}").text
    scenario = re.search(r'<td id="run-scenario">(.*?)</td>', page, re.S).group(1)
    assert scenario == f"{HANOI}, applied before the change (a what-if has no scenarios)"
    runs = korea.get("/runs").text
    assert cell(runs, korea.after, "run-scenario") == scenario
    assert cell(runs, korea.version_run, "run-scenario") == "deadlock_2022"


def test_versions_and_what_ifs_are_labelled_alike_everywhere(korea):
    runs = korea.get("/runs").text
    assert cell(runs, korea.version_run, "run-case") == "korea · Version 1"
    what_if = cell(runs, korea.after, "run-case")
    assert what_if.startswith("korea · What-if: United States&#39; position")
    # the scenario it was made in is in the Scenario column, not said again here
    assert what_if.endswith("100 → 30") and "scenario" not in what_if
    home = korea.get("/").text
    kinds = [
        re.sub(r"<[^>]+>", "", k) for k in re.findall(r'<td class="case-kind">(.*?)</td>', home)
    ]
    assert "built-in" in kinds and "Version 1" in kinds
    assert any(k.startswith("What-if: United States") for k in kinds)
    assert "edit:" not in home and "version: version" not in home
    page = korea.get(f"/runs/{korea.version_run}").text
    assert "· Version 1</span>" in re.search(r'id="run-case">(.*?)</td>', page).group(1)
    assert 'id="version-note">Version 1, saved from the case editor.</p>' in page


def test_a_title_is_not_repeated_as_the_name_and_the_case_id_is_shown(client):
    built = saved_id(save(client, DILEMMA))
    page = run(client, built, engine="graph_model")
    run_id_of(page)
    row = re.search(r'id="run-case">(.*?)</td>', page.text).group(1)
    assert row == f'<a href="/cases/{built}">A dilemma</a> <span class="muted">· Version 1</span>'
    # a case seen without a scenario says so in a word, not a dash
    assert '<td id="run-scenario">none</td>' in page.text
    case_page = client.get(f"/cases/{built}").text
    assert '<code id="case-id">dilemma</code>' in case_page
    assert f"Case #{built}: A dilemma" not in case_page


def test_a_download_name_keeps_the_years_of_a_range_apart(korea):
    answer = korea.get(f"/cases/{korea.korea}/export.yaml")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="the-north-korean-denuclearisation-deadlock-2018-2022.yaml"'
    )


BAD = """id: bad
title: Bad
actors:
  - {id: A, name: Alpha}
  - {id: B, name: Beta}
options:
  - {id: o1, label: One, controller: Z}
status_quo: [not_an_option]
"""


def test_an_upload_problem_is_said_once_as_the_cli_says_it(client):
    page = upload(client, "bad.yaml", BAD)
    assert page.status_code == 422
    assert "(expected a known" not in page.text
    text = re.sub(r"<[^>]+>", "", page.text)
    assert "unknown actor &#39;Z&#39; (known: A, B)" in text
    assert '<span class="nowrap">&#39;not_an_option&#39;</span>' in page.text


def test_a_draft_without_an_id_takes_one_from_its_title(client):
    draft = {**DILEMMA, "id": "", "title": "Fence dispute between neighbours – 2024"}
    checked = client.post("/editor/check", json={"draft": draft, "scenario": None}).json()
    assert checked["valid"], checked
    built = saved_id(save(client, draft))
    case = loads(client.get(f"/cases/{built}/case.yaml").text, file="saved.yaml")
    assert case.id == "fence_dispute_between_neighbours_2024"
    assert case.title == "Fence dispute between neighbours – 2024"
    # an empty title is a problem, as in a case file: the one to mend, as the id left
    # empty is to be made from it
    checked = client.post(
        "/editor/check", json={"draft": {**draft, "title": ""}, "scenario": None}
    ).json()
    assert not checked["valid"]
    assert [p["text"] for p in checked["problems"]] == ["title: must not be empty (got '')"]
    # a title of no letters or digits makes no id: the id is asked for
    checked = client.post(
        "/editor/check", json={"draft": {**draft, "title": "–"}, "scenario": None}
    ).json()
    assert [p["text"] for p in checked["problems"]] == ["id: must not be empty (got '')"]
    # an id typed is kept as typed
    checked = client.post(
        "/editor/check", json={"draft": {**draft, "id": "9 bad"}, "scenario": None}
    ).json()
    assert [p["field"] for p in checked["problems"]] == ["id"]
