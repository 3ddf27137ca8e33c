"""The GENIUS scenario reader (detente.model.io.genius).

Expected values are worked out by hand from GENIUS's own scaling: a discrete
issue's evaluations are divided by that issue's largest evaluation (not rescaled
min-max, which would send the worst value to 0); linear evaluators are used as
given. The Laptop scenario is the one shipped with GENIUS (Lin et al. 2014) in
``etc/templates/Laptop`` (laptop_domain.xml, laptop_buyer_utility.xml,
laptop_seller_utility.xml), copied below with descriptions and costs trimmed.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from detente.bargain import OutcomeSpace, analyze, value_tables
from detente.errors import CaseError
from detente.model.io.genius import (
    read_genius_domain,
    read_genius_profile,
    read_genius_scenario,
)

TOL = 1e-12

HAND_DOMAIN = """<negotiation_template>
<utility_space>
<objective index="0" name="Toy">
  <issue index="1" name="color" type="discrete">
    <item index="1" value="red"/><item index="2" value="green"/><item index="3" value="blue"/>
  </issue>
  <issue index="2" name="size" type="discrete">
    <item value="S"/><item value="M"/><item value="L"/>
  </issue>
  <issue index="3" name="price" type="integer"><range lowerbound="0" upperbound="10"/></issue>
  <issue index="4" name="delay" type="real"><range lowerbound="0" upperbound="8"/></issue>
</objective>
</utility_space>
</negotiation_template>
"""

HAND_PROFILE = """<utility_space>
<objective index="0" name="Toy">
  <issue index="1" name="color" type="discrete">
    <item value="red" evaluation="4"/>
    <item value="green" evaluation="2"/>
    <item value="blue" evaluation="1"/>
  </issue>
  <issue index="2" name="size" type="discrete">
    <item value="S" evaluation="0"/><item value="M" evaluation="3"/><item value="L" evaluation="6"/>
  </issue>
  <issue index="3" name="price" type="integer">
    <range lowerbound="0" upperbound="10"/>
    <evaluator ftype="linear" slope="-0.1" offset="1"/>
  </issue>
  <issue index="4" name="delay" type="real">
    <range lowerbound="0" upperbound="8"/>
    <evaluator ftype="linear" parameter0="0.2" parameter1="0.05"/>
  </issue>
  <weight index="3" value="0.2"/>
  <weight index="1" value="0.4"/>
  <weight index="4" value="0.1"/>
  <weight index="2" value="0.3"/>
</objective>
<reservation value="0.35"/>
<discount_factor value="0.9"/>
</utility_space>
"""


def test_hand_domain_and_profile():
    domain = read_genius_domain(HAND_DOMAIN, file="toy_domain.xml")
    assert [(i.name, i.type) for i in domain.issues] == [
        ("color", "discrete"),
        ("size", "discrete"),
        ("price", "integer"),
        ("delay", "real"),
    ]
    assert domain.issue("color").values == ("red", "green", "blue")
    assert (domain.issue("price").lower, domain.issue("price").upper) == (0, 10)
    p = read_genius_profile(HAND_PROFILE, file="scenarios/toy/buyer.xml", domain=domain)
    assert p.name == "buyer"
    assert p.weights == {"color": 0.4, "size": 0.3, "price": 0.2, "delay": 0.1}
    # divided by the largest evaluation: 4/4, 2/4, 1/4 (min-max would give 1, 1/3, 0)
    assert p.evaluators["color"].evaluations == {"red": 1.0, "green": 0.5, "blue": 0.25}
    assert p.evaluators["size"].evaluations == {"S": 0.0, "M": 0.5, "L": 1.0}
    assert p.evaluators["color"].raw == {"red": 4.0, "green": 2.0, "blue": 1.0}
    assert p.evaluators["price"].evaluate(4) == pytest.approx(0.6, abs=TOL)
    assert p.evaluators["delay"].evaluate(4) == pytest.approx(0.4, abs=TOL)
    assert p.reservation == 0.35
    assert p.discount_factor == 0.9
    # .4 * .5 + .3 * .5 + .2 * .6 + .1 * .4 = .51
    bid = {"color": "green", "size": "M", "price": 4, "delay": 4}
    assert p.utility(bid) == pytest.approx(0.51, abs=TOL)


LAPTOP_DOMAIN = """<negotiation_template number_of_sessions="3">
<utility_space number_of_issues="0">
<objective index="1" etype="objective" type="objective" description="" name="Laptop">
<issue index="2" etype="discrete" type="discrete" vtype="discrete" name="Laptop">
<item index="1" value="Dell"/><item index="2" value="Macintosh"/><item index="3" value="HP"/>
</issue>
<issue index="3" etype="discrete" type="discrete" vtype="discrete" name="Harddisk">
<item index="1" value="60 Gb"/><item index="2" value="80 Gb"/><item index="3" value="120 Gb"/>
</issue>
<issue index="4" etype="discrete" type="discrete" vtype="discrete" name="External Monitor">
<item index="1" value="19'' LCD"/><item index="2" value="20'' LCD"/>
<item index="3" value="23'' LCD"/>
</issue>
</objective>
</utility_space>
</negotiation_template>
"""


def _laptop_profile(laptop, disk, monitor, weights):
    values = {
        "Laptop": ["Dell", "Macintosh", "HP"],
        "Harddisk": ["60 Gb", "80 Gb", "120 Gb"],
        "External Monitor": ["19'' LCD", "20'' LCD", "23'' LCD"],
    }
    blocks = []
    for index, (name, evals) in enumerate(
        zip(values, (laptop, disk, monitor), strict=True), start=2
    ):
        items = "".join(
            f'<item index="{k}" value="{v}" cost="0" evaluation="{e}"></item>\n'
            for k, (v, e) in enumerate(zip(values[name], evals, strict=True), start=1)
        )
        blocks.append(
            f'<issue index="{index}" etype="discrete" type="discrete" vtype="discrete" '
            f'name="{name}">\n{items}</issue>'
        )
    w = "".join(
        f'<weight index="{i}" value="{v}"></weight>\n' for i, v in enumerate(weights, start=2)
    )
    return (
        '<utility_space>\n<objective index="1" etype="objective" type="objective" '
        'description="" name="LaptopDomain">\n'
        + "\n".join(blocks)
        + "\n"
        + w
        + '</objective>\n<discount_factor value="0.42441038">\n</discount_factor>\n'
        "</utility_space>\n"
    )


# GENIUS etc/templates/Laptop: evaluations and weights as published there.
LAPTOP_BUYER = _laptop_profile(
    (12, 20, 30),
    (30, 20, 9),
    (30, 10, 20),
    (0.4452125771655631, 0.37808251708013424, 0.1767567099260568),
)
LAPTOP_SELLER = _laptop_profile(
    (12, 30, 20),
    (20, 30, 9),
    (3, 2, 1),
    (0.37808251708013424, 0.1767567099260568, 0.4452125771655631),
)
LAPTOP_FILES = {
    "Laptop/laptop_domain.xml": LAPTOP_DOMAIN,
    "Laptop/laptop_buyer_utility.xml": LAPTOP_BUYER,
    "Laptop/laptop_seller_utility.xml": LAPTOP_SELLER,
}


def test_laptop_scenario_by_hand():
    scenario = read_genius_scenario(LAPTOP_FILES)
    assert [p.name for p in scenario.profiles] == ["laptop_buyer_utility", "laptop_seller_utility"]
    buyer = scenario.profile("laptop_buyer_utility")
    seller = scenario.profile("laptop_seller_utility")
    assert buyer.evaluators["Laptop"].evaluations == pytest.approx(
        {"Dell": 0.4, "Macintosh": 2 / 3, "HP": 1.0}, abs=TOL
    )
    assert buyer.evaluators["Harddisk"].evaluations == pytest.approx(
        {"60 Gb": 1.0, "80 Gb": 2 / 3, "120 Gb": 0.3}, abs=TOL
    )
    assert seller.evaluators["External Monitor"].evaluations == pytest.approx(
        {"19'' LCD": 1.0, "20'' LCD": 2 / 3, "23'' LCD": 1 / 3}, abs=TOL
    )
    assert buyer.discount_factor == 0.42441038
    assert buyer.reservation is None
    best_for_buyer = {"Laptop": "HP", "Harddisk": "60 Gb", "External Monitor": "19'' LCD"}
    # The published weights sum to 1.0000518..., not 1; they are kept as written.
    assert buyer.utility(best_for_buyer) == pytest.approx(sum(buyer.weights.values()), abs=TOL)
    # .4452 * .4 + .3781 * .3 + .1768 * (1/3) = .350425...
    cheap = {"Laptop": "Dell", "Harddisk": "120 Gb", "External Monitor": "20'' LCD"}
    expected = 0.4452125771655631 * 0.4 + 0.37808251708013424 * 0.3 + 0.1767567099260568 / 3
    assert buyer.utility(cheap) == pytest.approx(expected, abs=TOL)
    best_for_seller = {"Laptop": "Macintosh", "Harddisk": "80 Gb", "External Monitor": "19'' LCD"}
    assert seller.utility(best_for_seller) == pytest.approx(sum(seller.weights.values()), abs=TOL)


def test_laptop_through_the_bargaining_engine():
    """Wire a GENIUS scenario into the engine (levels = item positions, value tables =
    scaled evaluations, weights as read) and compare with GENIUS utilities and a
    brute-force frontier over the 27 bids."""
    scenario = read_genius_scenario(LAPTOP_FILES)
    issues = scenario.domain.issues
    space = OutcomeSpace({i.name: list(range(len(i.values))) for i in issues})
    tables = {
        p.name: {i.name: [p.evaluators[i.name].evaluate(v) for v in i.values] for i in issues}
        for p in scenario.profiles
    }
    weights = {p.name: dict(p.weights) for p in scenario.profiles}
    # "none": GENIUS's sum of weight x evaluation, weights as written.
    model = value_tables(space, tables, weights=weights, normalize="none")
    bids = list(itertools.product(*(i.values for i in issues)))
    u = np.array(
        [
            [
                p.utility(dict(zip([i.name for i in issues], b, strict=True)))
                for p in scenario.profiles
            ]
            for b in bids
        ]
    )
    for b, row in zip(bids, u, strict=True):
        digits = space.encode({i.name: i.values.index(v) for i, v in zip(issues, b, strict=True)})
        np.testing.assert_allclose(model.utilities_of(digits), row, atol=TOL)
    result = analyze(space, model, [0.0, 0.0], among="all")
    ge = np.all(u[:, None, :] >= u[None, :, :], axis=2)
    gt = np.any(u[:, None, :] > u[None, :, :], axis=2)
    frontier = {bids[k] for k in np.flatnonzero(~np.any(ge & gt, axis=0))}
    got = {
        tuple(issues[n].values[int(p.issues[issues[n].name])] for n in range(3))
        for p in result.pareto
    }
    assert got == frontier
    nash = max(range(len(bids)), key=lambda k: u[k, 0] * u[k, 1])
    sol = result.solutions["nash"]
    assert tuple(issues[n].values[int(sol.issues[issues[n].name])] for n in range(3)) == bids[nash]


# -- errors ---------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<utility_space>&lol2;</utility_space>
"""


@pytest.mark.parametrize(
    ("text", "file", "line", "fragment"),
    [
        pytest.param(BILLION_LAUGHS, "evil.xml", 2, "DOCTYPE", id="doctype"),
        pytest.param(
            "<utility_space>\n<objective>\n</utility_space>",
            "broken.xml",
            3,
            "not well-formed",
            id="malformed",
        ),
        pytest.param(
            HAND_PROFILE.replace('evaluation="2"', 'evaluation="two"'),
            "p.xml",
            5,
            "finite number",
            id="bad-evaluation",
        ),
        pytest.param(
            HAND_PROFILE.replace('<weight index="4"', '<weight index="9"'),
            "p.xml",
            21,
            "matches no issue",
            id="weight-index",
        ),
        pytest.param(
            HAND_PROFILE.replace('ftype="linear" slope', 'ftype="exp" slope'),
            "p.xml",
            13,
            "ftype",
            id="bad-ftype",
        ),
        pytest.param(
            HAND_PROFILE.replace('evaluation="4"', 'evaluation="-4"'),
            "p.xml",
            4,
            "negative",
            id="negative-evaluation",
        ),
    ],
)
def test_errors_name_file_line_and_element(text, file, line, fragment):
    with pytest.raises(CaseError) as info:
        read_genius_profile(text, file=file)
    err = info.value
    assert err.file == file
    assert err.line == line
    assert fragment in str(err)


def test_error_path_names_the_element():
    text = HAND_PROFILE.replace('evaluation="2"', 'evaluation="two"')
    with pytest.raises(CaseError) as info:
        read_genius_profile(text, file="p.xml")
    assert info.value.field == "utility_space.objective[0].issue[0].item[1].evaluation"


def test_profile_must_match_domain():
    domain = read_genius_domain(HAND_DOMAIN, file="d.xml")
    text = HAND_PROFILE.replace('value="blue" evaluation', 'value="teal" evaluation')
    with pytest.raises(CaseError, match="items differ"):
        read_genius_profile(text, file="p.xml", domain=domain)


def test_scenario_needs_exactly_one_domain():
    with pytest.raises(CaseError, match="exactly one domain"):
        read_genius_scenario({"a.xml": HAND_PROFILE})
    with pytest.raises(CaseError, match="exactly one domain"):
        read_genius_scenario({"a.xml": HAND_DOMAIN, "b.xml": HAND_DOMAIN, "c.xml": HAND_PROFILE})


def test_weights_not_summing_to_one_warn_but_are_kept():
    text = HAND_PROFILE.replace(
        '<weight index="2" value="0.3"/>', '<weight index="2" value="0.6"/>'
    )
    with pytest.warns(UserWarning, match="weights sum to 1.3"):
        p = read_genius_profile(text, file="heavy.xml")
    assert p.weights["size"] == 0.6


# ANAC 2010, ItexvsCypress, the Cypress profile (GENIUS etc/templates/anac/y2010/
# ItexvsCypress/ItexvsCypress_Cypress.xml), as published. Its Price evaluations
# 6, 8, 10, 6, 8 become 0.6, 0.8, 1, 0.6, 0.8 under GENIUS scaling; a min-max
# rescaling would give 0, 0.5, 1, 0, 0.5.
CYPRESS = """<utility_space>
<objective index="0" description="" name="root" type="objective" etype="objective">
<issue index="1" name="Price" vtype="discrete" type="discrete" etype="discrete">
<item index="1" value="$5.37" evaluation="6"></item>
<item index="2" value="$4.12" evaluation="8"></item>
<item index="3" value="$3.98" evaluation="10"></item>
<item index="4" value="$3.71" evaluation="6"></item>
<item index="5" value="$3.47" evaluation="8"></item>
</issue>
<issue index="2" name="Delivery" vtype="discrete" type="discrete" etype="discrete">
<item index="1" value="60 days" evaluation="6"></item>
<item index="2" value="45 days" evaluation="4"></item>
<item index="3" value="30 days" evaluation="2"></item>
<item index="4" value="20 days" evaluation="10"></item>
</issue>
<issue index="3" name="Payment" vtype="discrete" type="discrete" etype="discrete">
<item index="1" value="Upon delivery" evaluation="10"></item>
<item index="2" value="30 days after delivery" evaluation="8"></item>
<item index="3" value="60 days after delivery" evaluation="4"></item>
</issue>
<issue index="4" name="Returns" vtype="discrete" type="discrete" etype="discrete">
<item index="1" value="Full price" evaluation="10"></item>
<item index="2" value="5% spoilage allowed" evaluation="6"></item>
<item index="3" value="10% spoilage allowed" evaluation="2"></item>
</issue>
<weight index="1" value="0.4022420410209347"></weight>
<weight index="2" value="0.19920310983017905"></weight>
<weight index="3" value="0.20210030166958587"></weight>
<weight index="4" value="0.1964545474793004"></weight>
</objective>
<discount_factor value="0.0"></discount_factor>
<reservation value="0.0"></reservation>
</utility_space>
"""
CYPRESS_WEIGHTS = (0.4022420410209347, 0.19920310983017905, 0.20210030166958587, 0.1964545474793004)


@pytest.mark.parametrize(
    ("bid", "evaluations"),
    [
        pytest.param(("$3.98", "20 days", "Upon delivery", "Full price"), (1, 1, 1, 1), id="best"),
        pytest.param(
            ("$5.37", "30 days", "60 days after delivery", "10% spoilage allowed"),
            (0.6, 0.2, 0.4, 0.2),
            id="worst-items",
        ),
        pytest.param(
            ("$3.47", "45 days", "30 days after delivery", "5% spoilage allowed"),
            (0.8, 0.4, 0.8, 0.6),
            id="middle",
        ),
    ],
)
def test_anac_2010_cypress_profile(bid, evaluations):
    p = read_genius_profile(CYPRESS, file="ItexvsCypress/ItexvsCypress_Cypress.xml")
    assert p.name == "ItexvsCypress_Cypress"
    assert p.reservation == 0.0
    assert p.discount_factor == 0.0
    assert p.evaluators["Price"].evaluations == pytest.approx(
        {"$5.37": 0.6, "$4.12": 0.8, "$3.98": 1.0, "$3.71": 0.6, "$3.47": 0.8}, abs=TOL
    )
    names = ("Price", "Delivery", "Payment", "Returns")
    expected = sum(w * e for w, e in zip(CYPRESS_WEIGHTS, evaluations, strict=True))
    assert p.utility(dict(zip(names, bid, strict=True))) == pytest.approx(expected, abs=TOL)
