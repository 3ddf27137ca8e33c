"""The graph model of the built-in korea case reproduces the findings its encoding was built to show.

Targets G1, G2, G5, G6, G9 and G11 of ``shared/research/domain/proposed_gmcr.md``
(computed there with an independent prototype of the standard definitions), as they
apply to the six-party model of the case. Since the case links its options to the issue
scales and makes both halves say the same (issue #10), G2's freeze-for-freeze and G6's
deterred North Korea no longer hold; their tests say what holds instead and why.
"""

from __future__ import annotations

import pytest

import detente
from detente.gmcr import analyze_conflict

BASIC = ("nash", "gmr", "smr", "seq")


@pytest.fixture(scope="module")
def analyses():
    return {
        s: analyze_conflict(detente.load("korea", scenario=s), concepts=BASIC)
        for s in ("deadlock_2022", "eve_of_hanoi_2019", "seoul_as_2018", "article_soft_dprk")
    }


def unstable_at_status_quo(result):
    m = result.model
    return {
        c: [a for k, a in enumerate(m.actors) if not result.stability.stable[c][k, m.status_quo]]
        for c in BASIC
    }


def test_g1_g5_the_2022_status_quo_is_the_only_nash_equilibrium_and_stable_for_all(analyses):
    result = analyses["deadlock_2022"]
    data = result.to_dict()
    assert data["equilibria"]["nash"] == [data["status_quo_index"]]
    assert unstable_at_status_quo(result) == {c: [] for c in BASIC}
    assert result.status_quo.reachable == ()  # no party can improve alone


def test_g2_no_stable_outcome_has_relief_yongbyon_or_denuclearisation(analyses):
    data = analyses["deadlock_2022"].to_dict()
    states = {s["index"]: s for s in data["states"]}
    for concept in ("gmr", "seq"):
        for index in data["equilibria"][concept]:
            options = states[index]["options"]
            assert not (
                options["partial_relief"]
                or options["dismantle_yongbyon"]
                or options["full_denuclearisation"]
            )


def test_g2_freeze_for_freeze_is_not_sequentially_stable_in_2022(analyses):
    """Changed with the linked case: in 2022 Washington ranks its drills and strategic
    assets above a test freeze (it rejected freeze-for-freeze and widened the drills while
    the launches went on; the issue half says the same), so it would resume the drills
    and freeze-for-freeze is no longer sequentially stable. Only the status quo is."""
    result = analyses["deadlock_2022"]
    standing = {p.id: p for p in result.proposals}
    assert not standing["freeze_for_freeze"].equilibrium["seq"]
    assert standing["freeze_for_freeze"].unstable_for["seq"] == ("USA",)
    assert not standing["hanoi_offer"].equilibrium["seq"]
    assert "PRK" in standing["hanoi_offer"].unstable_for["seq"]
    data = result.to_dict()
    assert data["equilibria"]["seq"] == [data["status_quo_index"]]


def test_g6_in_2019_north_korea_keeps_the_freeze_of_its_own_accord(analyses):
    """Changed with the linked case: the 2019 North Korea no longer wants to test other
    things equal (it kept the moratorium unasked until the end of 2019, its stance on the
    scale prefers the freeze, and the evidence for the wish, the May 2019 launches, came
    after the scenario's date), so the 2019 status quo is stable for it under every
    concept, not only because testing would be punished."""
    unstable = unstable_at_status_quo(analyses["eve_of_hanoi_2019"])
    assert unstable == {c: [] for c in BASIC}


def test_g11_a_seoul_led_as_in_2018_unsettles_the_2022_status_quo(analyses):
    unstable = unstable_at_status_quo(analyses["seoul_as_2018"])
    assert unstable["nash"] == ["ROK"]


def test_g9_the_article_advice_with_a_softer_pyongyang_stabilises_the_hanoi_offer(analyses):
    standing = {p.id: p for p in analyses["article_soft_dprk"].proposals}
    assert standing["hanoi_offer"].equilibrium["seq"]
    assert standing["summit_roadmap"].equilibrium["seq"]
