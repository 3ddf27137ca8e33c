"""Small findings of a new user's walk: a version saved from the editor is labelled as
a version (not a what-if) on its runs' pages; a case built in the editor is listed by
its title and downloads under it; a run without parameters offers no empty "As JSON";
and every id a case or run page points to (aria-describedby, aria-labelledby, a
label's ``for``) is on the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.web.conftest import GOOD_CASE
from tests.web.test_app import case_id_of, run, run_id_of, upload
from tests.web.test_editor import DILEMMA, save
from tests.web.test_history import draft_of, saved_id


class References(HTMLParser):
    """The ids a page has, and the ids its attributes point to."""

    POINTERS = ("aria-describedby", "aria-labelledby", "aria-controls", "for", "list")

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.pointed: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in self.POINTERS and value:
                self.pointed += [(tag, name, ref) for ref in value.split()]


@pytest.fixture
def small(client) -> int:
    return case_id_of(upload(client, "summit.yaml", GOOD_CASE, follow_redirects=False))


def dangling(html: str) -> list[str]:
    refs = References()
    refs.feed(html)
    return [f"<{tag} {name}={ref!r}>" for tag, name, ref in refs.pointed if ref not in refs.ids]


def test_a_version_saved_from_the_editor_is_labelled_as_a_version(client, small):
    draft = draft_of(client, small)
    draft["actors"][0]["capability"] = 80
    v1 = saved_id(save(client, draft, parent=str(small)))
    page = run(client, v1, engine="bargaining")
    run_id_of(page)
    assert '<p class="note" id="version-note">Version 1, saved from the case editor.</p>' in (
        page.text
    )
    assert "What-if:" not in page.text and "version: version" not in page.text.lower()


def test_a_case_built_in_the_editor_is_listed_and_downloaded_by_its_title(client):
    built = saved_id(save(client, DILEMMA))
    home = client.get("/").text
    row = re.search(rf'<tr><td class="num">{built}</td>(.*?)</tr>', home).group(1)
    assert f'<a href="/cases/{built}">A dilemma</a>' in row
    assert ".yaml" not in row
    for path in (f"/cases/{built}/case.yaml", f"/cases/{built}/export.yaml"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == 'attachment; filename="a-dilemma.yaml"'


def test_a_run_without_parameters_offers_no_json_of_them(client, small):
    page = run(client, small, engine="compare")
    run_id_of(page)
    assert 'id="run-parameters">none: this analysis takes no parameters' in page.text
    assert 'id="run-parameters-json"' not in page.text
    with_parameters = run(client, small, engine="bargaining")
    assert 'id="run-parameters-json"' in with_parameters.text


@pytest.mark.parametrize("sampled", [False, True], ids=["no-sampled-run", "a-sampled-run"])
def test_every_id_a_case_or_run_page_points_to_is_on_it(client, small, sampled):
    korea = client.post("/cases/builtin", data={"name": "korea"}, follow_redirects=False)
    korea_id = int(korea.headers["location"].rsplit("/", 1)[1])
    pages = [f"/cases/{small}", f"/cases/{korea_id}", f"/cases/{small}?scenario=thaw"]
    if sampled:
        for engine in ("bargaining", "forecast"):
            run_id_of(run(client, small, engine=engine, samples="5", models=["mean"]))
    for engine in ("bargaining", "graph_model", "compare"):
        pages.append(f"/runs/{run_id_of(run(client, small, engine=engine))}")
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert dangling(page.text) == [], path
