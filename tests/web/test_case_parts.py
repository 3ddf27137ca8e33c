"""What a case page offers, from what a new user's walk through the app found: a case
whose one scenario is not the default, a version's note as it was written, and only
the analyses a case has the parts for (as ``detente analyze`` decides), with a failed
run's message naming the file the case came from."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.web import jobs
from tests.web.conftest import GOOD_CASE, new_client

# Two parties, two options, one issue and one scenario that is not the default.
STANDOFF = """\
id: standoff
title: A two-party standoff
actors:
- {id: USA, name: United States, capability: 100}
- {id: PRK, name: North Korea, capability: 60}
options:
- {id: relief, label: Partial relief, controller: USA}
- {id: freeze, label: Test freeze, controller: PRK}
preferences:
  USA: {statements: [freeze, not relief]}
  PRK: {statements: [relief, freeze iff relief]}
issues:
- id: denuc
  name: Denuclearisation
  status_quo: 0
  positions:
    USA: {position: 90, salience: 70}
    PRK: {position: 5, salience: 100}
scenarios:
- id: thaw
  name: A thaw
  positions:
    denuc:
      PRK: {position: 30}
"""

# A KTAB table as KTAB writes it (a title line, then a row per party): its issue has
# no status quo, so it can be forecast but not bargained over.
KTAB_TABLE = """\
China Policy; scen 0,Scenario-000; Appetite for reform, 3, 1,
Actor,Description,Influence,Policy Position,Policy Salience,
XJ,Xi Jinping,100,30,30,
LK,Li Keqiang,65,45,65,
ZG,Zhang Gaoli,35,30,40,
"""

# Options that North Korea controls, but no priorities of its own.
UNRANKED = GOOD_CASE.replace(
    """  NK:
    statements: [relief, not dismantle, "freeze iff relief"]
""",
    "",
)


def upload(client, name: str, content: str) -> int:
    page = client.post("/cases/upload", files={"file": (name, content)}, follow_redirects=False)
    assert page.status_code == 303, page.text[:1000]
    return int(page.headers["location"].rsplit("/", 1)[1])


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|section)>', html, re.S)
    assert match is not None, f"no #{element_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def runs(workspace: Path) -> list[tuple]:
    db = sqlite3.connect(workspace / "detente-workspace.sqlite3")
    try:
        return db.execute("SELECT engine, status, error FROM runs ORDER BY id").fetchall()
    finally:
        db.close()


# -- scenarios ---------------------------------------------------------------------------


def test_a_case_whose_one_scenario_is_not_the_default_says_it_is_shown_without_it(client):
    case = upload(client, "standoff.yaml", STANDOFF)
    page = client.get(f"/cases/{case}").text
    # the picker says what is shown: no scenario, until one is chosen
    assert '<option value="" selected>none: the case as its file states it</option>' in page
    assert '<option value="thaw" >A thaw</option>' in page
    assert "This case has no scenarios" not in page
    said = text_of(page, "scenario-base")
    assert "without a scenario" in said and "none of its scenarios is the default" in said
    # one scenario is one, not "each of the 1 scenarios"
    compare = text_of(page, "run-compare")
    assert "1 scenarios" not in compare
    assert "the case's one scenario, A thaw" in compare
    # chosen, the scenario is named
    chosen = client.get(f"/cases/{case}?scenario=thaw").text
    assert "<strong>A thaw</strong>" in chosen and 'id="scenario-base"' not in chosen
    assert '<option value="thaw" selected>A thaw</option>' in chosen
    assert client.get(f"/cases/{case}?scenario=").status_code == 200


def test_a_case_without_scenarios_still_says_it_has_none(client):
    case = upload(client, "standoff.yaml", STANDOFF.split("scenarios:")[0])
    page = client.get(f"/cases/{case}").text
    assert text_of(page, "scenario-none") == "This case has no scenarios."
    assert 'id="run-compare"' not in page


# -- a version's note --------------------------------------------------------------------


def test_a_versions_note_is_shown_as_it_was_written(client):
    first = upload(client, "standoff.yaml", STANDOFF)
    editor = client.get(f"/cases/{first}/edit").text
    draft = json.loads(editor.split('id="draft-data">', 1)[1].split("</script>", 1)[0])
    draft["actors"][1]["capability"] = 90
    saved = client.post(
        "/editor/save",
        data={"draft": json.dumps(draft), "parent": str(first), "note": "PRK stronger"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:500]
    page = client.get(saved.headers["location"]).text
    note = text_of(page, "version-note")
    assert note.startswith("Version 1, saved from the case editor: PRK stronger")
    assert "prk stronger" not in page


# -- only the analyses a case has the parts for ------------------------------------------


def test_a_ktab_table_without_a_status_quo_is_not_offered_bargaining(client, workspace):
    case = upload(client, "SOE-Policy.csv", KTAB_TABLE)
    page = client.get(f"/cases/{case}").text
    # the forecast is offered; bargaining, and the what-ifs that re-run it, are not
    assert 'id="submit-forecast"' in page
    assert 'id="submit-bargaining"' not in page and 'id="whatif-position"' not in page
    reason = text_of(page, "bargaining-unavailable")
    assert "bargaining needs where issue 'Policy_Position' stands now" in reason.replace(
        "&#39;", "'"
    )
    assert "needs &#39;options&#39;" in text_of(page, "graph-model-unavailable")
    # asked for all the same, the run is refused with the reason, and nothing is run
    for path, form in (
        (f"/cases/{case}/runs", {"engine": "bargaining"}),
        (f"/cases/{case}/whatif", {"target": "position", "actor": "XJ", "value": "40"}),
    ):
        answer = client.post(path, data=form)
        assert answer.status_code == 422
        assert "does not apply to this case" in answer.text
        assert "stands now" in answer.text
    assert runs(workspace) == []
    # what the case has the parts for still runs
    every = client.post(f"/cases/{case}/runs", data={"engine": "all"})
    assert every.status_code == 200 and runs(workspace)[0][:2] == ("all", "ok")


def test_a_party_that_controls_options_without_priorities_gets_no_graph_model(client):
    case = upload(client, "summit.yaml", UNRANKED)
    page = client.get(f"/cases/{case}").text
    assert 'id="submit-graph-model"' not in page and 'id="run-evolution"' not in page
    assert "needs preferences for NK" in text_of(page, "graph-model-unavailable")
    assert 'id="submit-bargaining"' in page and 'id="submit-forecast"' in page
    answer = client.post(f"/cases/{case}/runs", data={"engine": "evolution"})
    assert answer.status_code == 422 and "needs preferences for NK" in answer.text


def test_a_case_with_every_part_is_offered_every_analysis(client):
    case = upload(client, "summit.yaml", GOOD_CASE)
    page = client.get(f"/cases/{case}").text
    for button in ("graph-model", "evolution", "bargaining", "forecast", "whatif-position"):
        assert f'id="submit-{button}"' in page
    assert "unavailable" not in page.replace("way-out-unavailable", "")


@pytest.mark.parametrize("name", ["SOE-Policy.csv", "standoff.yaml"])
def test_a_failed_runs_message_names_the_uploaded_file(workspace, monkeypatch, name):
    import detente.web._context as web_context

    monkeypatch.setattr(web_context, "run_stored", jobs.missing_part_run)
    with new_client(workspace) as client:
        case = upload(client, name, KTAB_TABLE if name.endswith(".csv") else STANDOFF)
        page = client.post(f"/cases/{case}/runs", data={"engine": "forecast", "models": "mean"})
        assert page.status_code == 422
        ((_engine, status, error),) = runs(workspace)
        assert status == "failed"
        assert error == f"{name}: issues[0].status_quo: {jobs.MISSING}"
        assert "&lt;case&gt;" not in page.text and f"{name}: issues[0].status_quo" in page.text


# -- the utility space's pair, as `detente analyze --pair A,B` chooses it -----------------


def drawn_pair(html: str) -> list[str]:
    block = html.split('id="figure-bargaining-1">', 1)[1].split("</script>", 1)[0]
    return json.loads(block)["layout"]["meta"]["pair"]


def selected(html: str, select_id: str) -> str:
    options = html.split(f'id="{select_id}">', 1)[1].split("</select>", 1)[0]
    match = re.search(r'<option value="([^"]+)" selected>', options)
    assert match is not None, f"nothing selected in #{select_id}"
    return match.group(1)


def test_the_run_page_draws_the_utility_space_of_the_pair_chosen(client):
    page = client.post("/cases/builtin", data={"name": "korea"}, follow_redirects=True)
    case = page.url.path.rsplit("/", 1)[-1]
    run = client.post(f"/cases/{case}/runs", data={"engine": "bargaining"})
    assert run.status_code == 200, run.text[:500]
    url = run.url.path
    # by default the two furthest apart, and the form says which they are
    default = drawn_pair(run.text)
    assert [selected(run.text, "pair-x"), selected(run.text, "pair-y")] == default
    assert run.text.count('<option value="JPN"') == 2
    # chosen as the command line takes it, or as the form sends it
    for query in ("?pair=USA,CHN", "?pair=USA&pair=CHN"):
        chosen = client.get(url + query)
        assert chosen.status_code == 200
        assert drawn_pair(chosen.text) == ["USA", "CHN"]
        assert [selected(chosen.text, "pair-x"), selected(chosen.text, "pair-y")] == [
            "USA",
            "CHN",
        ]
        assert "The pair you chose" in text_of(chosen.text, "pair-hint")
    # the HTML report downloaded from that page draws the same pair
    link = re.search(r'href="(/runs/\d+/report\.html[^"]*)" id="download-html"', chosen.text)
    assert link is not None and link.group(1).endswith("?pair=USA%2CCHN")
    report = client.get(link.group(1))
    assert report.status_code == 200 and '"pair":["USA","CHN"]' in report.text.replace(" ", "")
    # a pair that is not two different parties: said, and the default drawn
    for query in ("?pair=USA,USA", "?pair=USA,XXX", "?pair=USA", "?pair=USA&pair=CHN&pair=JPN"):
        wrong = client.get(url + query)
        assert wrong.status_code == 200
        assert "two different parties of USA, PRK" in text_of(wrong.text, "pair-error")
        assert drawn_pair(wrong.text) == default


def test_a_two_party_run_has_no_pair_to_choose(client):
    case = upload(client, "summit.yaml", GOOD_CASE)
    run = client.post(f"/cases/{case}/runs", data={"engine": "bargaining"})
    assert run.status_code == 200 and 'id="figure-bargaining-1"' in run.text
    assert 'id="pair-form"' not in run.text
