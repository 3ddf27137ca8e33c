"""The way out in the web app: offered first on a case's page, run as an analysis of its
own (stored, listed, re-run, downloaded), shown first on "Every analysis", and refused
in plain words for a case that cannot have one."""

from __future__ import annotations

import json
import re

import pytest

from detente.web import Limits
from tests.model.test_links import LINKED
from tests.web.conftest import GOOD_CASE, new_client
from tests.web.test_app import case_id_of, run, run_id_of, stored, upload

# The linked case with a forum and a scenario, so that every page has something to show.
LINKED_FULL = (
    LINKED
    + """\
forums:
  - id: bilateral
    name: Bilateral summit
    members: [US, NK]
scenarios:
  - id: thaw
    name: A thaw
    status_quo: [freeze]
"""
)


@pytest.fixture
def linked(client) -> int:
    return case_id_of(upload(client, "linked.yaml", LINKED_FULL, follow_redirects=False))


@pytest.fixture
def unlinked(client) -> int:
    return case_id_of(upload(client, "summit.yaml", GOOD_CASE, follow_redirects=False))


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(html: str, key: str) -> str:
    return html.split(f'<section id="section-{key}"', 1)[1].split("</section>", 1)[0]


def test_the_way_out_is_the_first_analysis_of_a_linked_case(client, linked):
    page = client.get(f"/cases/{linked}").text
    analyses = page.split("<h2>Analyses</h2>", 1)[1]
    assert analyses.index('id="run-way-out"') < analyses.index('id="run-all"')
    card = analyses.split('id="run-way-out"', 1)[1].split("</section>", 1)[0]
    assert 'class="card lead"' in page.split('id="run-way-out"', 1)[0][-40:]
    assert re.findall(r'<option value="(\w+)"', card) == ["seq", "gmr", "nash"]
    assert 'name="paths" value="5" min="1" max="20"' in card
    assert 'value="way_out"' in card and 'id="submit-way-out"' in card
    assert "data-running=" in card and 'role="status"' in card


def test_the_way_out_runs_is_stored_and_listed_in_words(client, workspace, linked):
    page = run(client, linked, engine="way_out", concept="seq", paths="2")
    run_id = run_id_of(page)
    assert "<h1>Run #" in page.text and ": The way out</h1>" in page.text
    way_out = section(page.text, "way_out")
    assert "<h2>The way out</h2>" in way_out
    # the state where NK freezes and the US grants relief: no change needed, both gain
    assert (
        "Path 1: SEQ equilibrium, state 5 at the Bilateral summit. It needs no change: every "
        "step already holds. The United States and North Korea gain." in text_of(way_out)
    )
    assert "Path 3" not in way_out  # two paths asked for
    assert "Paths out of the deadlock, best first" in way_out
    assert "One verdict per package" in way_out
    data = client.get(f"/runs/{run_id}/results.json").json()
    assert data["run"]["engine"] == "way_out"
    assert data["run"]["parameters"] == {"concept": "seq", "paths": 2}
    assert data["results"]["concept"] == "seq"
    assert [s["state"] for s in data["results"]["paths"][0]["steps"]] == [5]
    assert stored(workspace, "SELECT engine, status FROM runs") == [("way_out", "ok")]
    row = re.findall(r'<tr class="run-row">(.*?)</tr>', client.get("/runs").text, re.S)[0]
    assert "The way out" in text_of(
        row
    ) and "Sequential stability (SEQ); Paths shown: 2" in text_of(row)


@pytest.mark.parametrize("concept", ["gmr", "nash"])
def test_the_way_out_under_another_concept(client, linked, concept):
    page = run(client, linked, engine="way_out", concept=concept.upper(), paths="5")
    data = client.get(f"/runs/{run_id_of(page)}/results.json").json()
    assert data["run"]["parameters"] == {"concept": concept, "paths": 5}
    assert data["results"]["concept"] == concept
    assert f"Unstable ({concept.upper()}) for" in page.text


def test_a_stored_way_out_is_shown_again_re_run_and_downloaded(client, workspace, linked):
    run_id = run_id_of(run(client, linked, engine="way_out", scenario="thaw"))
    shown = client.get(f"/runs/{run_id}").text
    reopened = new_client(workspace)
    again = reopened.get(f"/runs/{run_id}")
    assert again.status_code == 200
    assert section(again.text, "way_out") == section(shown, "way_out")
    rerun = reopened.post(f"/runs/{run_id}/rerun")
    assert f'Re-run of <a href="/runs/{run_id}">run #{run_id}</a>: the same results.' in rerun.text
    rows = stored(workspace, "SELECT scenario, engine, parameters FROM runs")
    assert rows[0] == rows[1] == ("thaw", "way_out", json.dumps({"concept": "seq", "paths": 5}))
    html = reopened.get(f"/runs/{run_id}/report.html")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    assert "The way out" in html.text and "Path 1:" in html.text
    markdown = reopened.get(f"/runs/{run_id}/report.md")
    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith(
        "text/markdown"
    )
    assert "## The way out" in markdown.text and "- Path 1:" in markdown.text


def test_multi_line_cells_keep_their_line_breaks(client, linked):
    page = run(client, linked, engine="way_out")
    way_out = section(page.text, "way_out")
    cells = re.findall(r'<td[^>]*data-label="Package">(.*?)</td>', way_out, re.S)
    assert any("\n(also" in cell for cell in cells), cells  # the packages it also stands for
    css = client.get("/static/app.css").text
    assert ".section td, .section th { white-space: pre-line; }" in css
    # a table of sentences stacks into labelled lines on a narrow screen
    assert '<table class="stack"><thead><tr><th scope="col">#</th>' in way_out


def test_every_analysis_opens_with_the_way_out_then_the_consistency(client, workspace, linked):
    page = run(client, linked, engine="all")
    run_id = run_id_of(page)
    order = re.findall(r'<section id="section-(\w+)"', page.text)
    assert order[:5] == ["way_out", "consistency", "graph_model", "forecast", "bargaining"]
    # then what the graph model adds where the case has the parts (analysis.analyze)
    assert set(order[5:]) <= {"perception", "history", "robustness"}
    # as a stored run rebuilt from its plain data shows it
    from detente.web._runs import report_from_results

    (results,) = stored(workspace, "SELECT results FROM runs")
    rebuilt = report_from_results(json.loads(results[0]))
    assert [s.key for s in rebuilt.sections] == order
    html = client.get(f"/runs/{run_id}/report.html").text
    opening = [html.index(f'<section id="{k}"') for k in ("way_out", "case", "consistency")]
    assert opening == sorted(opening)
    markdown = client.get(f"/runs/{run_id}/report.md").text
    assert markdown.index("## The way out") < markdown.index("## Consistency of the case")
    data = client.get(f"/runs/{run_id}/results.json").json()["results"]
    assert list(data)[:3] == ["case", "way_out", "consistency"]


def test_pages_that_compare_runs_take_the_new_results(client, linked):
    first = run_id_of(run(client, linked, engine="all"))
    second = run_id_of(run(client, linked, engine="all", scenario="thaw"))
    side_by_side = client.get(f"/runs/{second}", params={"compare": first})
    assert side_by_side.status_code == 200 and "Before and after the change" in side_by_side.text
    compared = run(client, linked, engine="compare")
    assert compared.status_code == 200, compared.text[:2000]
    scenarios = client.get(f"/runs/{run_id_of(compared)}/results.json").json()["results"]
    assert "way_out" in scenarios["scenarios"]["thaw"]
    what_if = client.post(
        f"/cases/{linked}/whatif",
        data={"target": "position", "actor": "NK", "issue": "denuc", "value": "40"},
    )
    assert what_if.status_code == 200 and "What changed" in what_if.text


def test_a_case_without_links_says_why_it_has_no_way_out(client, workspace, unlinked):
    page = client.get(f"/cases/{unlinked}").text
    card = page.split('id="run-way-out"', 1)[1].split("</section>", 1)[0]
    assert 'id="submit-way-out"' not in card
    assert "needs to know what each option does on the issues" in card
    refused = run(client, unlinked, engine="way_out")
    assert refused.status_code == 422
    assert "This case cannot show a way out yet" in refused.text
    detail = refused.text.split('id="error-detail">', 1)[1].split("</p>", 1)[0]
    assert "effects" in detail and "Traceback" not in refused.text
    assert stored(workspace, "SELECT COUNT(*) FROM runs") == [(0,)]  # nothing ran
    # every analysis runs the engines and says, where the way out would be, why it is not
    every = run(client, unlinked, engine="all")
    way_out = section(every.text, "way_out")
    assert "needs to know what each option does on the issues" in way_out
    assert "not run" not in way_out
    assert "does not link its options to its issues" in every.text  # the report's note


@pytest.mark.parametrize(
    ("builtin", "says"),
    [
        ("prisoners_dilemma", "This case has no issues on which the parties take positions."),
    ],
)
def test_a_case_missing_a_half_says_which(client, workspace, builtin, says):
    case_id = case_id_of(
        client.post("/cases/builtin", data={"name": builtin}, follow_redirects=False)
    )
    assert says in client.get(f"/cases/{case_id}").text
    refused = run(client, case_id, engine="way_out")
    assert refused.status_code == 422 and says in refused.text


def test_a_forecasting_table_has_no_options_for_a_way_out(client):
    table = "actor,capability,position,salience\nUS,100,90,0.8\nNK,55,10,1.0\n"
    case_id = case_id_of(upload(client, "table.csv", table, follow_redirects=False))
    refused = run(client, case_id, engine="way_out")
    assert refused.status_code == 422
    assert "This case has no options for the parties to take." in refused.text


@pytest.mark.parametrize(
    ("form", "says"),
    [
        (
            {"concept": "smr"},
            "the way out checks every step under seq, gmr, nash, not &#39;smr&#39;",
        ),
        ({"paths": "0"}, "the number of paths must be between 1 and 20"),
        ({"paths": "21"}, "the number of paths must be between 1 and 20"),
        ({"paths": "many"}, "the number of paths must be a whole number"),
    ],
)
def test_bad_way_out_parameters_are_refused(client, workspace, linked, form, says):
    page = run(client, linked, engine="way_out", **form)
    assert page.status_code == 422 and says in page.text
    assert stored(workspace, "SELECT COUNT(*) FROM runs") == [(0,)]


def test_a_way_out_beyond_the_servers_limits_is_refused(workspace):
    client = new_client(workspace, limits=Limits(max_state_bytes=16))
    case_id = case_id_of(upload(client, "linked.yaml", LINKED_FULL, follow_redirects=False))
    page = run(client, case_id, engine="way_out")
    assert page.status_code == 413 and "The case is too large to analyse here" in page.text
    assert stored(workspace, "SELECT engine, status FROM runs") == [("way_out", "refused")]
