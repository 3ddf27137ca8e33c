"""The web app's routes, through FastAPI's TestClient: cases, uploads, analyses,
downloads, the workspace and the app's defences."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from detente.web import Limits
from tests.web.conftest import (
    BROKEN_CASE,
    BROKEN_FIELD,
    BROKEN_LINE,
    GOOD_CASE,
    XSS,
    XSS_CASE,
    large_case,
    new_client,
)


def upload(client, name: str, content: str | bytes, **kwargs):
    return client.post("/cases/upload", files={"file": (name, content)}, **kwargs)


def case_id_of(response) -> int:
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].rsplit("/", 1)[1])


def run(client, case_id: int, **form):
    return client.post(f"/cases/{case_id}/runs", data=form)


def run_id_of(response) -> int:
    assert response.status_code == 200, response.text[:2000]
    return int(re.search(r"/runs/(\d+)", str(response.url)).group(1))


def stored(workspace, query: str) -> list[tuple]:
    db = sqlite3.connect(workspace / "detente-workspace.sqlite3")
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


@pytest.fixture
def korea(client) -> int:
    return case_id_of(client.post("/cases/builtin", data={"name": "korea"}, follow_redirects=False))


@pytest.fixture
def small(client) -> int:
    return case_id_of(upload(client, "summit.yaml", GOOD_CASE, follow_redirects=False))


# -- cases ----------------------------------------------------------------------------


def test_home_offers_every_builtin_case(client):
    from detente import cases

    page = client.get("/")
    assert page.status_code == 200
    for info in cases.list():
        assert f'value="{info.slug}"' in page.text


def test_builtin_case_opens_with_its_scenarios(client, korea):
    page = client.get(f"/cases/{korea}")
    assert page.status_code == 200
    assert "North Korea" in page.text and "The deadlock at the end of 2022" in page.text
    hanoi = client.get(f"/cases/{korea}", params={"scenario": "eve_of_hanoi_2019"})
    assert 'id="scenario-now"><strong>Eve of the Hanoi summit' in hanoi.text
    unknown = client.get(f"/cases/{korea}", params={"scenario": "nope"})
    assert unknown.status_code == 422 and "unknown scenario" in unknown.text


def test_picking_a_builtin_twice_stores_it_once(client, workspace, korea):
    again = client.post("/cases/builtin", data={"name": "korea"}, follow_redirects=False)
    assert case_id_of(again) == korea
    assert stored(workspace, "SELECT COUNT(*) FROM cases") == [(1,)]


@pytest.mark.parametrize("name", ["../../../../etc/passwd", "/etc/passwd", "korea/../../x"])
def test_a_path_for_a_builtin_name_reaches_nothing(client, workspace, name):
    page = client.post("/cases/builtin", data={"name": name})
    assert page.status_code == 404 and "There is no built-in case" in page.text
    assert "root:" not in page.text
    assert stored(workspace, "SELECT COUNT(*) FROM cases") == [(0,)]


def test_upload_yaml_json_and_gmcr(client):
    from detente import load
    from detente.model.io.gmcr_py import case_to_gmcr
    from detente.model.io.yaml_json import parse_document, plain

    as_json = json.dumps(plain(parse_document(GOOD_CASE, file="summit.yaml", fmt="yaml")))
    for name, content, title in [
        ("summit.yaml", GOOD_CASE, "A two-party summit"),
        ("summit.json", as_json, "A two-party summit"),
        ("pd.gmcr", case_to_gmcr(load("prisoners_dilemma")), None),
    ]:
        page = upload(client, name, content)
        assert page.status_code == 200, (name, page.text[:1000])
        assert f"{name} (upload" in page.text
        if title:
            assert title in page.text


def test_broken_upload_names_line_and_field(client, workspace):
    page = upload(client, "broken.yaml", BROKEN_CASE)
    assert page.status_code == 422
    assert "broken.yaml is not a valid case file (1 problem)" in page.text
    row = re.search(r'<tr class="problem">(.*?)</tr>', page.text, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    # one file: named once above the table, which lists line, field and problem
    assert '<p id="problems-file">In <code class="path">broken<wbr>.yaml</code>:</p>' in page.text
    assert cells[0] == str(BROKEN_LINE)
    assert BROKEN_FIELD in cells[1].replace("<wbr>", "")
    # a quoted id is kept whole on a narrow screen
    assert 'unknown actor <span class="nowrap">&#39;NKX&#39;</span>' in cells[2]
    assert f"broken.yaml:{BROKEN_LINE}: {BROKEN_FIELD}: unknown actor" in page.text
    assert stored(workspace, "SELECT COUNT(*) FROM cases") == [(0,)]


@pytest.mark.parametrize(
    ("name", "content", "status", "says"),
    [
        ("notes.txt", "id: x\n", 415, "notes.txt is not a case file: case files end in"),
        ("picture.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 422, "binary file"),
        ("list.yaml", "- just\n- a list\n", 422, "not a valid case file"),
        ("compose.yaml", "services:\n  web:\n    image: nginx\n", 422, "not a valid case file"),
        ("empty.json", "   ", 422, "empty.json is empty"),
        (
            "bad.csv",
            "actor,capability,position,salience\nA,-1,5,0.5\nB,1,x,0.5\n",
            422,
            "bad.csv:2: capability: capability must be",
        ),
    ],
)
def test_files_that_are_not_cases_are_refused(client, workspace, name, content, status, says):
    page = upload(client, name, content)
    assert page.status_code == status
    assert says in page.text
    assert stored(workspace, "SELECT COUNT(*) FROM cases") == [(0,)]


def test_oversize_upload_is_refused_with_413(client, workspace):
    page = upload(client, "big.yaml", b"#" * (6 * 2**20))
    assert page.status_code == 413
    assert "The upload is too large: case files are limited to 5 MiB." in page.text
    assert stored(workspace, "SELECT COUNT(*) FROM cases") == [(0,)]


def test_upload_just_over_the_limit_is_refused_after_reading(workspace):
    # under the request limit (which allows for the form's overhead), over the file limit
    client = new_client(workspace, max_upload_bytes=2000)
    page = upload(client, "big.yaml", GOOD_CASE + "#" * 2000)
    assert page.status_code == 413 and "limited to" in page.text


def test_uploaded_file_name_is_never_a_path(client, workspace, tmp_path):
    before = sorted(p.name for p in tmp_path.rglob("*"))
    page = upload(client, "../../../evil.yaml", GOOD_CASE)
    assert page.status_code == 200
    assert "evil.yaml (upload" in page.text and "../" not in page.text
    assert stored(workspace, "SELECT name FROM cases") == [("evil.yaml",)]
    after = sorted(p.name for p in tmp_path.rglob("*"))
    assert [n for n in after if n not in before and not n.startswith("detente-workspace")] == []
    assert not (tmp_path.parent / "evil.yaml").exists()


# -- analyses -------------------------------------------------------------------------


def test_every_analysis_on_the_builtin_case(client, korea):
    page = run(client, korea, engine="all", scenario="article_advice")
    run_id_of(page)
    assert "Graph model: which outcomes are stable" in page.text
    assert "Bargaining: packages, blockers and forums" in page.text
    scenario_page = client.get(f"/cases/{korea}", params={"scenario": "article_advice"}).text
    assert "Washington follows the article&#39;s advice" in scenario_page
    assert '<script src="/assets/plotly.min.js" defer></script>' in page.text
    assert '<script src="/static/figures.js" defer></script>' in page.text
    # no inline script: each <script> loads a file of the app's or carries JSON data
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    for attrs, body in scripts:
        assert ('src="/' in attrs and not body.strip()) or 'type="application/json"' in attrs
    figures = [json.loads(body) for attrs, body in scripts if "application/json" in attrs]
    assert len(figures) >= 2 and all(set(f) == {"data", "layout", "config"} for f in figures)
    assert len(re.findall(r'<div class="figure" data-figure="', page.text)) == len(figures)
    assert "Plotly.newPlot" not in page.text and "The utility space" in page.text
    # korea records its history: the run tells it, with the timeline as a figure (issue 15)
    assert 'id="section-history"' in page.text
    assert 'data-figure="figure-history-1"' in page.text


def test_graph_model_with_concepts_and_coalitions(client):
    pd = case_id_of(
        client.post("/cases/builtin", data={"name": "prisoners_dilemma"}, follow_redirects=False)
    )
    page = run(
        client, pd, engine="graph_model", concepts=["nash", "gmr"], coalitions="on", horizon="3"
    )
    run_id = run_id_of(page)
    data = client.get(f"/runs/{run_id}/results.json").json()
    assert data["run"]["parameters"] == {
        "concepts": ["nash", "gmr"],
        "coalitions": True,
        "horizon": 3,
    }
    assert data["results"]["concepts"] == ["nash", "gmr"]
    assert data["results"]["equilibria"]["nash"] == [4]
    assert "coalitions" in data["results"]
    assert "Nash: 1 equilibrium" in page.text


def test_bargaining_with_solution_and_options(client, small):
    page = run(
        client, small, engine="bargaining", solution="egalitarian", options="on", forums="on"
    )
    run_id = run_id_of(page)
    data = client.get(f"/runs/{run_id}/results.json").json()
    assert data["run"]["parameters"] == {"solution": "egalitarian", "options": True, "forums": True}
    assert set(data["results"]["solutions"]) >= {"nash", "egalitarian"}
    assert "Bargaining: packages, blockers and forums" in page.text
    assert "The utility space" in page.text


def test_bargaining_robustness_from_the_form(client, korea):
    page = run(
        client, korea, engine="bargaining", solution="nash", forums="on", samples="40", seed="2"
    )
    run_id = run_id_of(page)
    data = client.get(f"/runs/{run_id}/results.json").json()
    assert data["run"]["parameters"]["samples"] == 40
    from detente import load

    proposals = {p.id for p in load("korea").proposals}
    assert proposals >= {"hanoi_offer", "denuclearisation_first", "freeze_for_freeze"}
    assert set(data["results"]["robustness"]["proposals"]) == proposals


def test_forecast_with_models_and_samples(client, korea):
    page = run(
        client,
        korea,
        engine="forecast",
        models=["eum", "mean"],
        variant="paper",
        samples="50",
        seed="4",
    )
    run_id = run_id_of(page)
    data = client.get(f"/runs/{run_id}/results.json").json()
    assert data["run"]["parameters"] == {
        "models": ["eum", "mean"],
        "variant": "paper",
        "samples": 50,
        "seed": 4,
    }
    issue = data["results"]["issues"]["denuclearisation"]
    assert set(issue["models"]) == {"eum", "mean"}
    assert issue["monte_carlo"]["eum"]["interval"]
    assert "Forecast: where the bargaining is heading" in page.text
    assert "positions by round" in page.text


def test_solution_ks_is_kalai_smorodinsky_as_on_the_command_line(client, small):
    form = client.get(f"/cases/{small}").text
    assert '<option value="kalai_smorodinsky">Kalai-Smorodinsky (ks)</option>' in form
    for name in ("ks", "KS", "kalai_smorodinsky"):
        page = run(client, small, engine="bargaining", solution=name)
        data = client.get(f"/runs/{run_id_of(page)}/results.json").json()
        assert data["run"]["parameters"]["solution"] == "kalai_smorodinsky"
        assert data["results"]["parameters"]["forum_solution"] == "kalai_smorodinsky"
    refused = run(client, small, engine="bargaining", solution="k")
    assert refused.status_code == 422
    assert "utilitarian, egalitarian, ks (kalai_smorodinsky)" in refused.text


def test_run_forms_show_that_they_are_running(client, small):
    page = client.get(f"/cases/{small}").text
    assert '<script src="/static/app.js" defer></script>' in page
    forms = re.findall(r"<form [^>]*>", page)
    runs = [f for f in forms if "/runs" in f or "/whatif" in f]
    # every analysis, compare (the case has scenarios), the three engines, the evolution,
    # what-if
    assert len(runs) == 8 and all("data-running=" in f for f in runs), runs
    assert page.count('class="run-status" role="status" aria-live="polite"') == 8
    # no run with samples yet: the hint gives the benchmark's figure (see test_pages_read)
    assert "a forecast with 1,000 samples took about 2.9 s" in page
    script = client.get("/static/app.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert 'button.textContent = "Running…"' in script.text
    # the script is the app's own: the policy still allows scripts only from the app
    assert "script-src 'self'" in script.headers["content-security-policy"]


def test_scenario_is_kept_with_the_run(client, small, workspace):
    run_id_of(run(client, small, engine="graph_model", scenario="thaw"))
    assert stored(workspace, "SELECT scenario, engine FROM runs") == [("thaw", "graph_model")]


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"engine": "graph_model", "concepts": ["bogus"]}, "unknown solution concept"),
        ({"engine": "graph_model", "horizon": "99"}, "horizon must be between"),
        ({"engine": "bargaining", "solution": "dictator"}, "unknown solution"),
        ({"engine": "forecast", "models": ["oracle"]}, "unknown model"),
        ({"engine": "forecast", "models": ["eum"], "samples": "999999"}, "samples must be between"),
        ({"engine": "forecast"}, "tick at least one forecasting model"),
        ({"engine": "forecast", "models": ["eum"], "joint": "on"}, "applies to the spatial model"),
        (
            {"engine": "forecast", "models": ["smp"], "smp_victory": "landslide"},
            "victory must be one of",
        ),
        ({"engine": "astrology"}, "unknown analysis"),
    ],
)
def test_bad_parameters_are_refused(client, small, form, says):
    page = run(client, small, **form)
    assert page.status_code == 422 and says in page.text


def test_analysis_that_cannot_apply_says_why(client, korea, workspace):
    page = run(client, korea, engine="graph_model", concepts=["sim"])
    assert page.status_code == 422
    assert "exactly two actors" in page.text
    assert stored(workspace, "SELECT status FROM runs") == [("failed",)]


def test_case_too_large_is_refused_not_run(client, workspace):
    huge = case_id_of(upload(client, "huge.json", large_case(), follow_redirects=False))
    for engine in ("all", "graph_model"):
        page = run(client, huge, engine=engine)
        assert page.status_code == 413
        assert "The case is too large to analyse here" in page.text
        assert "2^40 states" in page.text
    assert stored(workspace, "SELECT status FROM runs") == [("refused",), ("refused",)]


def test_bargaining_grid_beyond_the_servers_limit_is_refused(workspace):
    client = new_client(workspace, limits=Limits(max_outcomes=10))
    small = case_id_of(upload(client, "summit.yaml", GOOD_CASE, follow_redirects=False))
    page = run(client, small, engine="bargaining")
    assert page.status_code == 413 and "The case is too large" in page.text
    assert "bargaining would scan 25 feasible packages; this server allows at most 10" in page.text


def test_korea_with_the_options_of_its_proposals_runs_from_the_form(client, korea, workspace):
    page = run(client, korea, engine="bargaining", solution="nash", forums="on", options="on")
    data = client.get(f"/runs/{run_id_of(page)}/results.json").json()
    assert data["run"]["parameters"]["options"] is True
    # 99,532,800 grid points, of which the constraints on the options leave 49,766,400
    assert data["results"]["outcomes"] == 49_766_400
    assert "partial_relief" in data["results"]["parameters"]["options"]
    assert stored(workspace, "SELECT status FROM runs") == [("ok",)]


def test_the_bargaining_limit_counts_feasible_packages_with_the_ticked_options(workspace):
    from detente import load
    from detente.bargain.case import bargaining_problem

    space = bargaining_problem(load("korea"), options=True).space
    feasible = space.count()
    assert feasible is not None and feasible < space.size  # the options' constraints bind
    client = new_client(workspace, limits=Limits(max_outcomes=feasible - 1))
    korea = case_id_of(
        client.post("/cases/builtin", data={"name": "korea"}, follow_redirects=False)
    )
    page = run(client, korea, engine="bargaining", options="on")
    assert page.status_code == 413
    assert (
        f"bargaining with the options that proposals set would scan {feasible:,} feasible "
        f"packages; this server allows at most {feasible - 1:,}: leave out the options"
    ) in page.text
    assert f"{space.size:,}" not in page.text
    # without the options the same case is small (a few hundred thousand packages) and runs
    run_id_of(run(client, korea, engine="bargaining"))
    assert stored(workspace, "SELECT status FROM runs") == [("refused",), ("ok",)]


def test_an_absurd_bargaining_grid_is_refused_by_default(client, workspace):
    levels = list(range(101))
    case = {
        "id": "fine_grained",
        "title": "Four issues of 101 levels",
        "actors": [{"id": "A", "name": "A"}, {"id": "B", "name": "B"}],
        "issues": [
            {
                "id": f"i{k}",
                "name": f"Issue {k}",
                "levels": levels,
                "status_quo": 0,
                "positions": {
                    "A": {"position": 10, "salience": 50},
                    "B": {"position": 90, "salience": 50},
                },
            }
            for k in range(4)
        ],
    }
    fine = case_id_of(upload(client, "fine.json", json.dumps(case), follow_redirects=False))
    for engine in ("bargaining", "all"):
        page = run(client, fine, engine=engine)
        assert page.status_code == 413
        assert "would scan 104,060,401 feasible packages" in page.text
        assert "this server allows at most 60,000,000: use fewer issue levels" in page.text
    assert stored(workspace, "SELECT status FROM runs") == [("refused",), ("refused",)]


def test_what_if_position_changes_the_result(client, small):
    page = client.post(
        f"/cases/{small}/whatif",
        data={"target": "position", "actor": "NK", "issue": "relief_level", "value": "0"},
    )
    assert page.status_code == 200
    after, before = re.search(r"/runs/(\d+)\?compare=(\d+)", str(page.url)).groups()
    assert "What-if: North Korea&#39;s position on Sanctions relief: 90 → 0" in page.text
    assert "Before and after the change" in page.text
    # a table of what changed, before the two full reports
    changes = page.text.split('<table id="changes">', 1)[1].split("</table>", 1)[0]
    assert "<caption>What changed</caption>" in changes and "Nash solution" in changes
    old = client.get(f"/runs/{before}/results.json").json()["results"]
    new = client.get(f"/runs/{after}/results.json").json()["results"]
    assert old["solutions"] != new["solutions"]


@pytest.mark.parametrize(
    ("form", "note"),
    [
        (
            {"target": "salience", "issue": "relief_level", "value": "5"},
            "salience on Sanctions relief",
        ),
        ({"target": "capability", "value": "40"}, "capability: "),
    ],
)
def test_what_if_salience_and_capability(client, small, form, note):
    page = client.post(f"/cases/{small}/whatif", data={"actor": "NK", **form})
    assert page.status_code == 200, page.text[:500]
    assert f"What-if: North Korea&#39;s {note}" in page.text
    after, before = re.search(r"/runs/(\d+)\?compare=(\d+)", str(page.url)).groups()
    old = client.get(f"/runs/{before}/results.json").json()["results"]
    new = client.get(f"/runs/{after}/results.json").json()["results"]
    if form["target"] == "salience":
        assert old["solutions"] != new["solutions"]
    else:
        assert new["parameters"]["power"]["NK"] == 40.0


def test_what_if_proposal_level(client, small):
    page = client.post(
        f"/cases/{small}/whatif",
        data={
            "target": "proposal",
            "proposal": "freeze_deal",
            "issue": "relief_level",
            "value": "25",
        },
    )
    assert page.status_code == 200
    assert "Freeze for freeze, level of Sanctions relief: status quo → 25" in page.text
    after, before = re.search(r"/runs/(\d+)\?compare=(\d+)", str(page.url)).groups()
    old = client.get(f"/runs/{before}/results.json").json()["results"]
    new = client.get(f"/runs/{after}/results.json").json()["results"]
    assert old["proposals"] != new["proposals"]


def test_what_if_case_is_the_scenarios_view_without_scenarios(client, small, workspace):
    from detente.model.io import loads

    page = client.post(
        f"/cases/{small}/whatif",
        data={
            "target": "position",
            "actor": "NK",
            "issue": "relief_level",
            "value": "0",
            "scenario": "thaw",
        },
    )
    assert page.status_code == 200
    assert "90 → 0 (scenario: A thaw)" in page.text
    (edited,) = stored(workspace, "SELECT id FROM cases WHERE kind = 'edit'")[0]
    # the stored case is the scenario's view made concrete, with the change and a note
    case = loads(client.get(f"/cases/{edited}/case.json").text, fmt="json")
    assert case.status_quo == ("freeze",)  # what the thaw scenario sets
    assert case.issue("relief_level").positions["NK"].position == 0
    assert case.scenarios == () and case.default_scenario is None and case.scenario_id is None
    assert "Made from the case as scenario 'thaw' sees it" in case.notes
    # its page offers no scenario, says why, and refuses one posted anyway
    view = client.get(f"/cases/{edited}")
    assert 'id="scenario-select"' not in view.text
    assert "it has no scenarios of its own" in view.text
    assert 'name="scenario" value=""' in view.text
    refused = run(client, edited, engine="bargaining", scenario="thaw")
    assert refused.status_code == 422 and "unknown scenario &#39;thaw&#39;" in refused.text
    assert stored(workspace, "SELECT case_id, scenario FROM runs ORDER BY id") == [
        (small, "thaw"),  # before the change: the original case as the scenario sees it
        (edited, None),
    ]


def test_a_what_if_saved_as_a_scenario_view_refuses_other_scenarios(client, small, workspace):
    """Earlier versions saved a what-if with its scenario id and every scenario."""
    from detente.model.io import loads

    view = loads(GOOD_CASE, fmt="yaml").scenario("thaw")
    store = client.app.state.workspace
    old = store.add_case(
        kind="edit",
        name="summit (what-if)",
        fmt="json",
        content=json.dumps(view.model_dump(mode="json")),  # scenario_id and scenarios kept
        title=view.title,
        parent_id=small,
        note="an old what-if",
    )
    page = run(client, old, engine="bargaining", scenario="other")
    assert page.status_code == 422
    assert "this case is scenario &#39;thaw&#39; of the case it was changed from" in page.text
    run_id_of(run(client, old, engine="bargaining", scenario="thaw"))
    assert stored(workspace, "SELECT scenario, status FROM runs") == [("thaw", "ok")]


@pytest.mark.parametrize(
    ("form", "says"),
    [
        (
            {"target": "position", "actor": "NK", "issue": "denuc", "value": "150"},
            "scale, 0 to 100",
        ),
        ({"target": "position", "actor": "NK", "issue": "nope", "value": "5"}, "no issue"),
        (
            {"target": "position", "actor": "XX", "issue": "denuc", "value": "5"},
            "takes no position",
        ),
        ({"target": "proposal", "proposal": "zz", "issue": "denuc", "value": "5"}, "no proposal"),
        ({"target": "position", "actor": "NK", "issue": "denuc", "value": "lots"}, "a number"),
        ({"target": "salience", "actor": "NK", "issue": "denuc", "value": "0"}, "above 0"),
        ({"target": "capability", "actor": "NK", "value": "-2"}, "must be positive"),
        ({"target": "capability", "actor": "XX", "value": "2"}, "no party"),
        ({"target": "mood", "actor": "NK", "value": "2"}, "choose what to change"),
    ],
)
def test_what_if_bad_edit_is_refused(client, small, form, says):
    page = client.post(f"/cases/{small}/whatif", data=form)
    assert page.status_code == 422 and says in page.text


# -- downloads, the workspace, reproduction ---------------------------------------------


def test_downloads(client, small):
    run_id = run_id_of(run(client, small, engine="all"))
    html = client.get(f"/runs/{run_id}/report.html")
    assert html.status_code == 200
    assert "attachment" in html.headers["content-disposition"]
    for title in ("Graph model: which outcomes are stable", "Bargaining: packages, blockers"):
        assert title in html.text
    assert "SEQ equilibria" in html.text and "the only Nash equilibrium" in html.text
    assert "Nash: 1 equilibrium among 6 feasible states" in html.text
    assert "https://" not in re.sub(r"<script>.*?</script>", "", html.text, flags=re.S)
    data = json.loads(client.get(f"/runs/{run_id}/results.json").text)
    assert data["run"]["detente_version"]
    assert data["results"]["graph_model"]["equilibria"]["nash"] == [1]
    assert data["results"]["case"]["title"] == "A two-party summit"
    case_file = client.get(f"/cases/{small}/case.yaml")
    assert case_file.text == GOOD_CASE


def test_runs_survive_a_restart(client, workspace, small):
    first = run_id_of(run(client, small, engine="bargaining"))
    reopened = new_client(workspace)
    runs = reopened.get("/runs")
    assert f'href="/runs/{first}"' in runs.text and "summit.yaml" in runs.text
    page = reopened.get(f"/runs/{first}")
    assert page.status_code == 200 and "Bargaining: packages, blockers and forums" in page.text
    assert reopened.get(f"/runs/{first}/results.json").json()["results"]["solutions"]
    assert "A two-party summit" in reopened.get(f"/cases/{small}").text


def test_a_run_reproduces(client, workspace, korea):
    first = run_id_of(run(client, korea, engine="all", scenario="eve_of_hanoi_2019"))
    reopened = new_client(workspace)
    page = reopened.post(f"/runs/{first}/rerun")
    second = run_id_of(page)
    assert second != first
    assert f'Re-run of <a href="/runs/{first}">run #{first}</a>: the same results.' in page.text
    rows = stored(workspace, "SELECT scenario, engine, parameters, results, rerun_of FROM runs")
    assert rows[0][:3] == rows[1][:3] and rows[1][4] == first
    assert json.loads(rows[0][3])["data"] == json.loads(rows[1][3])["data"]


def test_missing_things_are_404(client):
    assert client.get("/cases/999").status_code == 404
    assert client.get("/runs/999").status_code == 404
    assert client.get("/runs/999/report.html").status_code == 404
    assert client.post("/runs/999/rerun").status_code == 404


# -- defences -------------------------------------------------------------------------


def test_case_strings_are_escaped(client):
    case_id = case_id_of(upload(client, "xss.yaml", XSS_CASE, follow_redirects=False))
    pages = [client.get(f"/cases/{case_id}"), run(client, case_id, engine="all"), client.get("/")]
    run_id = run_id_of(pages[1])
    pages.append(client.get(f"/runs/{run_id}/report.html"))
    for page in pages:
        assert XSS not in page.text
        assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].text
    assert "&lt;img src=x onerror=alert(2)&gt; summit" in pages[0].text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1].text


def test_every_page_is_served_by_the_app_itself(client, small):
    page = run(client, small, engine="all")
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(r.startswith(("/", "#")) for r in refs), refs
    assert "@import" not in page.text and "fonts." not in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert client.get("/assets/plotly.min.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200


def test_cross_site_posts_are_refused(client, workspace):
    page = client.post(
        "/cases/builtin", data={"name": "korea"}, headers={"origin": "http://evil.example"}
    )
    assert page.status_code == 403
    assert stored(workspace, "SELECT COUNT(*) FROM cases") == [(0,)]


def test_unknown_host_names_are_refused(workspace):
    client = new_client(workspace, allowed_hosts={"127.0.0.1", "localhost"})
    assert client.get("/", headers={"host": "rebound.example"}).status_code == 400
    assert client.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200


def test_serve_binds_loopback_and_guards_host_names(monkeypatch, workspace):
    import uvicorn

    import detente.web

    calls = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.update(app=app, **kwargs))
    detente.web.serve(workspace=workspace, port=8123)
    assert calls["host"] == "127.0.0.1" and calls["port"] == 8123
    assert (workspace / "detente-workspace.sqlite3").exists()
    from starlette.testclient import TestClient

    client = TestClient(calls["app"])
    assert client.get("/", headers={"host": "127.0.0.1:8123"}).status_code == 200
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400


def test_two_party_concepts_are_offered_only_for_two_parties(client, korea, small):
    korea_page = client.get(f"/cases/{korea}").text
    small_page = client.get(f"/cases/{small}").text
    assert 'value="sim"' not in korea_page
    assert 'value="sim"' in small_page


def test_a_forecasting_table_uploads_as_a_case_and_forecasts(client):
    table = "actor,capability,position,salience\nUS,100,90,0.8\nNK,55,10,1.0\nCN,75,50,0.6\n"
    page = upload(client, "stances.csv", table)
    assert page.status_code == 200, page.text[:500]
    case_url = str(page.url)
    case_id = int(case_url.rstrip("/").rsplit("/", 1)[-1])
    result = run(client, case_id, engine="forecast", models=["mean", "eum"], samples="0", seed="0")
    data = client.get(f"/runs/{run_id_of(result)}/results.json").json()
    (issue,) = data["results"]["issues"].values()
    assert set(issue["models"]) == {"mean", "eum"}


def test_joint_spatial_forecast_from_the_form(client, korea):
    page = run(client, korea, engine="forecast", models=["smp"], joint="on", samples="0", seed="0")
    data = client.get(f"/runs/{run_id_of(page)}/results.json").json()
    assert data["run"]["parameters"]["joint"] is True
    assert data["results"]["parameters"]["joint"] is True


def test_spatial_model_settings_from_the_form(client, korea):
    form = client.get(f"/cases/{korea}").text
    assert 'name="smp_victory"' in form and "linear (default)" in form
    page = run(
        client,
        korea,
        engine="forecast",
        models=["smp"],
        smp_victory="binary",
        smp_voting="binary",
        smp_pce="conditional",  # the default: not recorded
        samples="0",
        seed="0",
    )
    data = client.get(f"/runs/{run_id_of(page)}/results.json").json()
    assert data["run"]["parameters"]["smp"] == {"victory": "binary", "voting": "binary"}
    assert data["results"]["parameters"]["smp"] == {"victory": "binary", "voting": "binary"}


def test_scenarios_compare_side_by_side_in_the_browser(client, korea):
    assert 'id="run-compare"' in client.get(f"/cases/{korea}").text
    page = run(client, korea, engine="compare", scenario="article_advice")
    run_id = run_id_of(page)
    assert "Scenarios side by side" in page.text
    data = client.get(f"/runs/{run_id}/results.json").json()
    compared = data["results"]
    assert set(compared["scenarios"]) == set(compared["scenario_names"])
    assert len(compared["scenarios"]) == 5  # every scenario, whichever one was being viewed
    again = client.post(f"/runs/{run_id}/rerun")
    assert again.status_code == 200 and "Scenarios side by side" in again.text
    chicken = case_id_of(
        client.post("/cases/builtin", data={"name": "chicken"}, follow_redirects=False)
    )
    assert 'id="run-compare"' not in client.get(f"/cases/{chicken}").text
    refused = run(client, chicken, engine="compare")
    assert refused.status_code == 422 and "no scenarios to compare" in refused.text


def test_the_case_page_shows_what_validate_warns_of(client):
    text = GOOD_CASE.replace("title:", "sources: [{id: s1, title: A source}]\ntitle:", 1)
    case_id = case_id_of(upload(client, "warned.yaml", text, follow_redirects=False))
    page = client.get(f"/cases/{case_id}").text
    assert 'id="case-warnings"' in page
    assert "actors without a source" in page


def test_a_refused_what_if_keeps_what_was_entered(client, small):
    form = {"target": "salience", "actor": "NK", "issue": "relief_level", "value": "150"}
    page = client.post(f"/cases/{small}/whatif", data=form)
    assert page.status_code == 422 and "above 0 and at most 100" in page.text
    assert '<option value="NK" selected>' in page.text
    assert '<option value="salience" selected>' in page.text
    assert 'id="whatif-position-value" value="150"' in page.text


def test_a_what_if_under_an_unknown_scenario_is_refused_cleanly(client, small):
    form = {
        "target": "position",
        "actor": "NK",
        "issue": "relief_level",
        "value": "5",
        "scenario": "nope",
    }
    page = client.post(f"/cases/{small}/whatif", data=form)
    assert page.status_code == 422 and "nope" in page.text


def test_the_runs_list_reads_in_words(client, small):
    run_id_of(run(client, small, engine="graph_model", concepts=["nash", "seq"], coalitions="on"))
    row = re.findall(r'<tr class="run-row">(.*?)</tr>', client.get("/runs").text, re.S)[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "Graph model (stability)" in text
    # the same words as the run page's
    assert "Coalitions: yes" in text
    assert "Solution concepts: Nash stability (R: rational), Sequential stability (SEQ)" in text
    assert "true" not in text and "null" not in text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)  # a readable time


def test_the_runs_list_and_the_run_page_say_default_concepts_alike(client, small):
    run_id = run_id_of(run(client, small, engine="graph_model"))
    row = re.findall(r'<tr class="run-row">(.*?)</tr>', client.get("/runs").text, re.S)[0]
    listed = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    page = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/runs/{run_id}").text).split())
    assert "concepts none" not in listed
    if "every one that applies" in page:
        assert "every one that applies" in listed


def test_re_running_a_what_if_shows_before_and_after_again(client, small):
    page = client.post(
        f"/cases/{small}/whatif",
        data={"target": "position", "actor": "NK", "issue": "relief_level", "value": "0"},
    )
    after, before = re.search(r"/runs/(\d+)\?compare=(\d+)", str(page.url)).groups()
    again = client.post(f"/runs/{after}/rerun")
    assert again.status_code == 200
    assert f"compare={before}" in str(again.url)
    assert "Before and after the change" in again.text


def test_the_routes_live_in_routers_per_area(client):
    """Issue 13: routes in routers per area, with dependencies injected, not nested in
    ``create_app``; two apps in one process share no state."""
    import inspect

    from detente.web import app as web_app
    from detente.web.routes import ROUTERS

    fastapi_app = client.app.app.app  # inside the guard and the CSRF cookie layer
    # FastAPI keeps an included router as one entry (recent releases) or copies its routes
    included = [getattr(r, "original_router", r) for r in fastapi_app.routes]
    paths = {getattr(r, "path", None) for r in fastapi_app.routes}
    for router in ROUTERS:
        assert router in included or {r.path for r in router.routes} <= paths
    modules = {route.endpoint.__module__ for router in ROUTERS for route in router.routes}
    assert modules == {
        "detente.web.routes.pages",
        "detente.web.routes.cases",
        "detente.web.routes.runs",
        "detente.web.routes.reports",
        "detente.web.routes.editor",
    }
    assert sum(len(r.routes) for r in ROUTERS) >= 20
    source = inspect.getsource(web_app.create_app)
    assert "@app.get" not in source and "@app.post" not in source
    other = new_client(client.app.state.workspace.folder.parent / "other")
    assert other.app.state.context is not client.app.state.context
    assert other.app.state.context.store is not client.app.state.context.store
