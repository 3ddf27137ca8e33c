"""Pages that read as a new user expects (issue 12's smaller points, issue 15's evolution
in the web app): a run's parameters in words, a styled page for any malformed id, the
time Monte Carlo samples take as measured, and the evolution of the graph model run
from the case page."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from detente.web._pages import duration
from detente.web._runs import SAMPLES_BENCHMARK
from detente.web.routes import ROUTERS
from tests.web.conftest import GOOD_CASE
from tests.web.test_app import case_id_of, run, run_id_of, stored, upload

DOCS = Path(__file__).parents[2] / "docs" / "how-to" / "web.md"


@pytest.fixture
def small(client) -> int:
    return case_id_of(upload(client, "summit.yaml", GOOD_CASE, follow_redirects=False))


def visible(page: str) -> str:
    """A page's text as read on screen: tags dropped, the folded JSON left out."""
    page = re.sub(r"<details id=\"run-parameters-json\">.*?</details>", " ", page, flags=re.S)
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    page = re.sub(r"</?(span|a|code|strong|em)\b[^>]*>", "", page)  # inline: no space
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def facts(page: str) -> str:
    table = re.search(r'<table id="run-facts">(.*?)</table>', page, re.S)
    assert table, "the run page has no table of facts"
    return visible(table.group(1))


# -- a run's parameters in words ------------------------------------------------------


def test_a_runs_parameters_read_in_words(client, small):
    page = run(client, small, engine="graph_model", concepts=["nash", "seq"], coalitions="on")
    run_id_of(page)
    text = facts(page.text)
    assert "Analysis Graph model (stability)" in text
    assert "Solution concepts: Nash stability (R: rational), Sequential stability (SEQ)" in text
    assert "Horizon of limited move: 2" in text and "Coalitions: yes" in text
    assert "{" not in text and "true" not in text and '"' not in text
    # the raw JSON stays at hand, folded
    folded = re.search(r'<details id="run-parameters-json">(.*?)</details>', page.text, re.S)
    assert folded and json.loads(html.unescape(re.sub(r"<[^>]+>", "", folded.group(1))[7:])) == {
        "coalitions": True,
        "concepts": ["nash", "seq"],
        "horizon": 2,
    }


def test_forecast_and_default_parameters_read_in_words(client, small):
    page = run(client, small, engine="forecast", models=["eum", "median"], samples="20", seed="3")
    text = facts(page.text)
    assert (
        "Models: Expected utility model (Bueno de Mesquita; Scholz et al. 2011), Weighted median"
        in text
    )
    assert "Expected utility model: as the paper describes it" in text
    assert "Monte Carlo samples: 20" in text and "Seed: 3" in text
    everything = facts(run(client, small, engine="all").text)
    assert "Analysis Every analysis" in everything
    assert "Parameters none: this analysis takes no parameters" in everything
    what_if = client.post(
        f"/cases/{small}/whatif",
        data={"target": "position", "actor": "NK", "issue": "relief_level", "value": "0"},
    )
    before = re.search(r"compare=(\d+)", str(what_if.url)).group(1)
    text = facts(what_if.text)
    assert f"Compared with: run #{before}" in text
    assert "Solution that picks each forum's package: Nash" in text


# -- malformed ids, on every route that takes one ---------------------------------------


def _routes_with_ids():
    for router in ROUTERS:
        for route in router.routes:
            if "{case_id}" in route.path or "{run_id}" in route.path:
                for method in sorted(route.methods - {"HEAD"}):
                    yield method, route.path


ROUTES_WITH_IDS = sorted(set(_routes_with_ids()))
MALFORMED = ["abc", "-1", "1.5", "1e3", "9" * 30, "0x1", "%20", "%00"]


@pytest.mark.parametrize(("method", "path"), ROUTES_WITH_IDS, ids=lambda v: str(v))
def test_a_malformed_id_gets_a_styled_page_naming_it(client, small, method, path):
    """Every route whose path names a case or a run answers a malformed id with a 404
    page in the app's style that says what is missing (the progress of a run, read by
    the run page's script, with a JSON sentence), never FastAPI's raw JSON 422."""
    for bad in MALFORMED:
        url = path.replace("{case_id}", bad).replace("{run_id}", bad).replace("{ext}", "yaml")
        answer = client.request(method, url, data={"engine": "all"} if method == "POST" else None)
        assert answer.status_code == 404, (url, answer.status_code, answer.text[:300])
        if path.endswith("/progress"):
            assert answer.json()["error"].startswith("There is no run #")
            continue
        assert answer.headers["content-type"].startswith("text/html"), url
        assert '<link rel="stylesheet" href="/static/app.css">' in answer.text
        assert 'id="message"' in answer.text and '"detail"' not in answer.text
        said = visible(answer.text)
        assert re.search(r"There is no (case|run|such case file) #", said), (url, said)


def test_every_route_with_an_id_is_covered():
    paths = {path for _, path in ROUTES_WITH_IDS}
    assert {"/runs/{run_id}", "/cases/{case_id}", "/runs/{run_id}/rerun"} <= paths
    assert len(ROUTES_WITH_IDS) >= 12


# -- how long samples take ----------------------------------------------------------------


def test_the_samples_hint_gives_the_last_measured_run(client, small, workspace):
    hint = re.compile(r'<p class="muted hint" id="forecast-samples-time">(.*?)</p>', re.S)
    before = visible(hint.search(client.get(f"/cases/{small}").text).group(1))
    samples, seconds = SAMPLES_BENCHMARK
    assert f"a forecast with {samples:,} samples took about {duration(seconds)}" in before
    assert 'id="bargain-samples-time"' not in client.get(f"/cases/{small}").text
    run_id = run_id_of(
        run(client, small, engine="forecast", models=["mean"], samples="30", scenario="thaw")
    )
    page = client.get(f"/cases/{small}").text
    (taken,) = stored(workspace, f"SELECT seconds FROM runs WHERE id = {run_id}")[0]
    after = visible(hint.search(page).group(1))
    assert (
        f"the last forecast of this case with 30 samples took {duration(taken)} "
        f"(run #{run_id}, scenario thaw)" in after
    )
    assert f'href="/runs/{run_id}"' in hint.search(page).group(1)
    # a run without samples, or of another analysis, leaves the figure as it was
    run_id_of(run(client, small, engine="forecast", models=["mean"], samples="0"))
    bargained = run_id_of(run(client, small, engine="bargaining", samples="12"))
    page = client.get(f"/cases/{small}").text
    assert after == visible(hint.search(page).group(1))
    bargain_hint = re.search(r'id="bargain-samples-time">(.*?)</p>', page, re.S).group(1)
    assert "bargaining run of this case with 12 samples took" in visible(bargain_hint)
    assert f"run #{bargained}" in visible(bargain_hint)


def test_the_benchmark_figure_is_the_one_the_docs_state():
    samples, seconds = SAMPLES_BENCHMARK
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert f"{samples:,} samples" in text and f"about {duration(seconds)}" in text
    assert "5 to 10 seconds" not in text


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0.42, "0.4 s"), (9.96, "10.0 s"), (13.2, "13 s"), (59.4, "59 s"), (125, "2 min 5 s")],
)
def test_durations_read_in_words(seconds, said):
    assert duration(seconds) == said


# -- the evolution of the graph model -------------------------------------------------------


def test_the_evolution_runs_from_the_case_page(client, small, workspace):
    page = client.get(f"/cases/{small}").text
    form = re.search(r'<section class="card" id="run-evolution">(.*?)</section>', page, re.S)
    assert form, "the case page offers no evolution"
    starts = re.findall(r'<option value="([^"]*)">', form.group(1).split("evolution-weights")[0])
    assert starts == ["", "hanoi", "freeze_deal"]  # the status quo, then the proposals
    answer = run(client, small, engine="evolution", start="hanoi", coalitions="on")
    run_id = run_id_of(answer)
    ((engine, parameters, status),) = stored(
        workspace, f"SELECT engine, parameters, status FROM runs WHERE id = {run_id}"
    )
    assert (engine, status) == ("evolution", "ok")
    assert json.loads(parameters) == {"start": "hanoi", "coalitions": True, "weights": "uniform"}
    assert 'id="section-evolution"' in answer.text
    assert "Where the parties&#39; improvements lead" in answer.text
    assert 'data-figure="figure-evolution-1"' in answer.text
    text = facts(answer.text)
    assert "Analysis Evolution (graph model)" in text
    assert "Start from: Yongbyon for relief (hanoi)" in text and "Coalitions: yes" in text
    data = client.get(f"/runs/{run_id}/results.json").json()
    evolution = data["results"]  # one engine's results, as `detente evolution --format json`
    assert data["run"]["engine"] == "evolution" and evolution["n_states"] >= 1
    assert evolution["parameters"]["coalitions"] and evolution["case"] == "summit"
    # from the status quo, without coalitions, by gain: another start, the same chain's rules
    other = run_id_of(run(client, small, engine="evolution", weights="gain"))
    again = client.get(f"/runs/{other}/results.json").json()["results"]
    assert again["start"] != evolution["start"]
    other_facts = facts(client.get(f"/runs/{other}").text)
    assert "Start from: the status quo" in other_facts
    assert "Transition weights: in proportion to the movers' gain" in other_facts
    # a re-run gives the same chain
    rerun = client.post(f"/runs/{run_id}/rerun")
    assert rerun.status_code == 200 and "the same results" in rerun.text


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"start": "nowhere"}, "There is no proposal &#39;nowhere&#39; to start from"),
        ({"weights": "random"}, "unknown transition rule &#39;random&#39;"),
    ],
)
def test_a_bad_evolution_is_refused_with_the_form(client, small, workspace, form, says):
    page = run(client, small, engine="evolution", **form)
    assert page.status_code == 422 and says in page.text
    assert stored(workspace, "SELECT COUNT(*) FROM runs WHERE engine = 'evolution'") == [(0,)]


def test_a_case_without_options_offers_no_evolution(client, workspace):
    table = "actor,capability,position,salience\nA,1,10,1\nB,2,90,1\nC,1,50,1\n"
    case_id = case_id_of(upload(client, "stances.csv", table, follow_redirects=False))
    assert 'id="run-evolution"' not in client.get(f"/cases/{case_id}").text
    page = run(client, case_id, engine="evolution")
    assert page.status_code == 422 and "no options" in page.text


def test_the_evolution_of_korea_from_a_proposal_with_coalitions():
    """What a worker runs for the form (detente.web._runs.execute), as the command line's
    ``detente evolution korea --start ... --coalitions`` computes it."""
    import detente
    from detente.gmcr.evolution import analyze_evolution
    from detente.web._runs import Limits, execute

    case = detente.load("korea").scenario(None)
    start = next(p.id for p in case.proposals if p.options)
    reports: list[dict] = []
    parameters = {"start": start, "coalitions": True, "weights": "uniform"}
    results = execute(case, "evolution", parameters, Limits(), progress=reports.append)
    expected = analyze_evolution(case, start=start, coalitions=True).to_dict()
    assert results["data"]["evolution"] == json.loads(json.dumps(expected))
    assert [r["step"] for r in reports] == ["Evolution"]
    assert results["show_case"] is False


def test_the_case_page_explains_the_concepts_and_solutions_it_offers(client, small):
    """No bare 'Nash (R)' or 'Lh': each concept offered is spelled out and explained in a
    line under the choices (and a title on each), as the reports' tables explain them;
    the bargaining solutions, 'ks' among them, are explained under their choice."""
    page = client.get(f"/cases/{small}").text
    assert "Nash (R)" not in page and "(Lh)" not in page
    assert "Nash stability (R: rational)" in page
    legend = re.search(r'<p class="muted hint" id="concepts-legend">(.*?)</p>', page, re.S)
    assert legend is not None
    for meaning in (
        "Nash: no party can gain by moving alone.",
        "GMR (general metarationality): every gain can be answered by the others.",
        "SEQ (sequential stability)",
        "Lh (limited move, horizon h): no gain when both look h moves ahead.",
    ):
        assert meaning in html.unescape(legend[1])
    assert 'title="Nash: no party can gain by moving alone."' in page
    hint = re.search(r'id="bargain-solution-hint">(.*?)</p>', page, re.S)
    assert hint is not None and "Kalai-Smorodinsky (ks" in html.unescape(hint[1])
