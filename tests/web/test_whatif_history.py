"""What-ifs on a case whose history names scenarios (korea's Hanoi entry is the state
scenario ``eve_of_hanoi_2019`` gives): the what-if keeps no scenarios, so its history
gives that entry's state as the options taken then."""

from __future__ import annotations

import re

import pytest

from detente.model.io import loads

FORMS = {
    "position": {"target": "position", "actor": "PRK", "issue": "denuclearisation"},
    "proposal": {"target": "proposal", "proposal": "hanoi_offer", "issue": "sanctions_relief"},
}


@pytest.fixture(scope="module")
def korea_client(tmp_path_factory):
    from tests.web.conftest import new_client

    with new_client(tmp_path_factory.mktemp("whatif") / "workspace") as client:
        page = client.post("/cases/builtin", data={"name": "korea"}, follow_redirects=False)
        assert page.status_code == 303
        client.korea = int(page.headers["location"].rsplit("/", 1)[1])
        yield client


@pytest.mark.parametrize("scenario", ["", "eve_of_hanoi_2019"], ids=["default", "hanoi"])
@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_what_if_on_korea_runs_bargaining_before_and_after(korea_client, form, scenario):
    client = korea_client
    page = client.post(
        f"/cases/{client.korea}/whatif",
        data={**FORMS[form], "value": "30", "scenario": scenario},
        follow_redirects=False,
    )
    assert page.status_code == 303, page.text[:3000]
    after, before = re.search(r"/runs/(\d+)\?compare=(\d+)", page.headers["location"]).groups()
    shown = client.get(page.headers["location"])
    assert shown.status_code == 200
    assert "Before and after the change" in shown.text
    old = client.get(f"/runs/{before}/results.json").json()["results"]
    new = client.get(f"/runs/{after}/results.json").json()["results"]
    assert old["solutions"] and new["solutions"]
    assert (old["solutions"], old["proposals"]) != (new["solutions"], new["proposals"])
    # the what-if keeps no scenarios, and its history names none
    case = loads(client.get(f"/cases/{edited_case(client, after)}/case.json").text, fmt="json")
    assert case.scenarios == ()
    assert all(entry.scenario is None for entry in case.history)


def edited_case(client, run_id: str) -> str:
    """The id of the case a run of a what-if ran on (its page links to it)."""
    found = re.search(r'href="/cases/(\d+)"', client.get(f"/runs/{run_id}").text)
    assert found
    return found.group(1)


def test_what_if_of_a_what_if_on_korea(korea_client):
    client = korea_client
    first = client.post(
        f"/cases/{client.korea}/whatif",
        data={**FORMS["position"], "value": "30", "scenario": "eve_of_hanoi_2019"},
        follow_redirects=False,
    )
    assert first.status_code == 303, first.text[:3000]
    after = re.search(r"/runs/(\d+)", first.headers["location"]).group(1)
    edited = edited_case(client, after)
    case = loads(client.get(f"/cases/{edited}/case.json").text, fmt="json")
    hanoi = next(e for e in case.history if e.label == "The Hanoi summit ends without a deal")
    assert hanoi.scenario is None and hanoi.options is not None
    again = client.post(
        f"/cases/{edited}/whatif",
        data={**FORMS["proposal"], "value": "30"},
        follow_redirects=False,
    )
    assert again.status_code == 303, again.text[:3000]
