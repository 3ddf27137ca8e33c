"""The bargaining figures (issue #12, item 5): which pair of parties the utility space shows
and why, the pair's own Pareto frontier over the cloud of packages, and forums ranked by
what their best package gives the parties at the table, not by the share of their grid."""

from __future__ import annotations

import copy
import itertools
import random
import re

import numpy as np
import pytest

import detente
from detente.bargain.case import bargain, bargaining_problem
from detente.model.io import loads
from detente.report.bargaining_plots import (
    LABEL_LINE,
    forum_ranking,
    forums_figure,
    furthest_pair,
    pair_frontier,
    utility_space_figure,
)
from detente.report.brief import case_brief
from detente.report.plots import FIGURE_BUILDERS

TOL = 1e-9

# Three made-up parties on two issues (levels every 10 points, status quo 50 on both).
# Alpha and Beta stand at opposite ends of both issues; Gamma sits between, near Alpha.
TRI_CASE = """\
id: tri
title: Three parties, two issues (made up for the figure tests)
sources:
  - id: s1
    title: Made up
actors:
  - {id: A, name: Alpha, capability: 50, sources: [s1]}
  - {id: B, name: Beta, capability: 50}
  - {id: C, name: Gamma, capability: 50}
options:
  - {id: host_summit, label: Gamma hosts a summit, controller: C}
status_quo: []
issues:
  - id: trade
    name: Trade
    status_quo: 50
    levels: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    positions:
      A: {position: 0, salience: 80}
      B: {position: 100, salience: 60}
      C: {position: 20, salience: 60}
  - id: aid
    name: Aid
    status_quo: 50
    levels: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    positions:
      A: {position: 100, salience: 40}
      B: {position: 0, salience: 90}
      C: {position: 30, salience: 20}
forums:
  - id: aid_only
    name: Aid talks
    members: [B, C]
    agenda: [aid]
  - id: everyone
    name: Everyone on everything
    members: [A, B, C]
    rules:
      - {actor: B, attends_if: "C and host_summit"}
  - id: trade_talks
    name: Trade talks
    members: [A, C]
    agenda: [trade]
"""


@pytest.fixture(scope="module")
def tri():
    case = loads(TRI_CASE)
    return bargain(case).to_dict(), case_brief(case)


@pytest.fixture(scope="module")
def korea():
    case = detente.load("korea")
    return bargain(case).to_dict(), case_brief(case)


def _trace(fig, prefix):
    found = [t for t in fig.data if (t.name or "").startswith(prefix)]
    assert len(found) == 1, [t.name for t in fig.data]
    return found[0]


def _points(trace):
    return list(zip(trace.x, trace.y, strict=True))


def _beats(q, p):
    """q at least as good as p for both, better for one."""
    return q[0] >= p[0] - TOL and q[1] >= p[1] - TOL and (q[0] > p[0] + TOL or q[1] > p[1] + TOL)


def _weighted_gap(brief, issues, a, b):
    """The documented distance, recomputed: the salience-weighted mean gap as a share of the scale."""
    total = weight = 0.0
    for issue in brief["issues"]:
        if issue["id"] not in issues:
            continue
        pa, pb = issue["positions"][a], issue["positions"][b]
        lo, hi = issue["scale"]
        w = (pa["salience"] + pb["salience"]) / 2
        total += w * abs(pa["position"] - pb["position"]) / (hi - lo)
        weight += w
    return total / weight


# -- which pair ------------------------------------------------------------------------


def test_default_pair_is_the_two_parties_furthest_apart(tri):
    # By hand: Alpha-Beta are 100 points apart on both issues (distance 1); Alpha-Gamma
    # (0.2 * 70 + 0.7 * 30) / 100 = 0.35; Beta-Gamma (0.8 * 60 + 0.3 * 55) / 115 = 0.56.
    data, brief = tri
    choice = furthest_pair(data, brief)
    assert (choice.x, choice.y) == ("A", "B")
    assert choice.distance == pytest.approx(1.0)
    assert "furthest apart" in choice.why and "100%" in choice.why
    fig = utility_space_figure(data, brief)
    assert fig.layout.meta["pair"] == ["A", "B"]
    assert fig.layout.xaxis.title.text.startswith("Utility of Alpha")
    assert fig.layout.yaxis.title.text.startswith("Utility of Beta")
    assert "furthest apart" in fig.layout.title.text


def test_korea_default_pair_maximises_the_weighted_gap_and_is_stable(korea):
    data, brief = korea
    issues = set(data["parameters"]["issues"])
    gaps = {
        (a, b): _weighted_gap(brief, issues, a, b)
        for a, b in itertools.combinations(data["actors"], 2)
    }
    choice = furthest_pair(data, brief)
    assert gaps[(choice.x, choice.y)] == pytest.approx(max(gaps.values()))
    assert choice.distance == pytest.approx(max(gaps.values()))
    # The choice depends on the case alone: not on the order of the packages in the data.
    shuffled = copy.deepcopy(data)
    random.Random(3).shuffle(shuffled["pareto"])
    shuffled["solutions"] = dict(reversed(list(shuffled["solutions"].items())))
    assert furthest_pair(shuffled, brief) == choice
    assert utility_space_figure(shuffled, brief).layout.meta["pair"] == [choice.x, choice.y]


def test_ties_go_to_the_first_pair_in_actor_order():
    issue = {
        "id": "i",
        "scale": [0, 100],
        "positions": {a: {"position": 50.0, "salience": 50.0} for a in "PQR"},
    }
    data = {"actors": ["P", "Q", "R"], "parameters": {"issues": ["i"]}, "solutions": {}}
    choice = furthest_pair(data, {"issues": [issue]})
    assert (choice.x, choice.y) == ("P", "Q")


def test_without_stances_the_pair_that_loses_most_at_each_others_favourite():
    def package(index, **u):
        return {"index": index, "issues": {}, "options": {}, "utilities": u}

    # P's favourite is package 0, Q's 1, R's 2. Losses: P-Q 0.9 + 0.9; P-R 0.1 + 0.2;
    # Q-R 0.8 + 0.5.
    data = {
        "actors": ["P", "Q", "R"],
        "parameters": {"issues": []},
        "pareto": [
            package(0, P=1.0, Q=0.1, R=0.5),
            package(1, P=0.1, Q=1.0, R=0.2),
            package(2, P=0.9, Q=0.2, R=0.7),
        ],
        "solutions": {},
    }
    choice = furthest_pair(data, {"issues": []})
    assert (choice.x, choice.y) == ("P", "Q")
    assert choice.distance == pytest.approx(1.8)
    assert "favourite" in choice.why


def test_the_pair_is_chosen_by_keyword(tri):
    data, brief = tri
    fig = utility_space_figure(data, brief, pair=("C", "A"))
    assert fig.layout.meta["pair"] == ["C", "A"]
    assert fig.layout.xaxis.title.text.startswith("Utility of Gamma")
    ((title, built), *_) = FIGURE_BUILDERS["bargaining"](data, brief, pair=("B", "C"))
    assert title == "The utility space" and built.layout.meta["pair"] == ["B", "C"]
    for bad in (("A", "A"), ("A", "Z")):
        with pytest.raises(ValueError, match="two different parties"):
            utility_space_figure(data, brief, pair=bad)


# -- the frontier ---------------------------------------------------------------------


def test_pair_frontier_keeps_one_of_each_non_dominated_point():
    points = [(0.5, 0.5), (0.1, 0.9), (0.5, 0.5), (0.4, 0.4), (0.9, 0.1), (0.5, 0.2)]
    assert pair_frontier(points) == [1, 0, 4]
    assert pair_frontier([]) == []


@pytest.mark.parametrize("which", ["tri", "korea"])
def test_frontier_points_are_pareto_optimal_and_cover_the_cloud(which, request):
    data, brief = request.getfixturevalue(which)
    pairs = (
        list(itertools.permutations(data["actors"], 2))
        if which == "tri"
        else [None, ("USA", "PRK"), ("CHN", "JPN")]
    )
    for pair in pairs:
        fig = utility_space_figure(data, brief, pair=pair)
        x, y = fig.layout.meta["pair"]
        frontier = _points(_trace(fig, "Pareto frontier for"))
        cloud = _points(_trace(fig, "Packages every party prefers"))
        assert frontier
        # Non-dominated: no package of the cloud beats a frontier point for both parties.
        for p in frontier:
            assert not any(_beats(q, p) for q in cloud), (pair, p)
        # Complete: every package of the cloud is on the line or beaten by a point of it.
        for q in cloud:
            assert any(_beats(p, q) or p == q for p in frontier), (pair, q)
        # Drawn as a line: the first party's utility rises, the second's falls.
        assert all(a[0] < b[0] and a[1] > b[1] for a, b in itertools.pairwise(frontier))
        # Each frontier point is a package of the data, with both parties' utilities.
        by_index = {p["index"]: p for p in data["pareto"]}
        indices = _trace(fig, "Pareto frontier for").meta["frontier_indices"]
        assert [(by_index[i]["utilities"][x], by_index[i]["utilities"][y]) for i in indices] == (
            frontier
        )


def test_korea_frontier_is_the_pairs_frontier_over_the_whole_zone(korea):
    """The line is the pair's frontier among every package all six prefer to the status
    quo (the whole outcome space, scanned here), not only among the packages in the data."""
    data, brief = korea
    problem = bargaining_problem(detente.load("korea"))
    model = problem.model
    space = model.acceptable(problem.space)  # no red line crossed
    r = np.array([data["reservation"][a] for a in model.actors])
    rows = []
    for chunk in space.chunks():
        u = model.evaluate(chunk)
        rows.append(u[np.all(u > r + TOL, axis=1)])
    zone = np.concatenate(rows)
    assert len(zone) == data["zopa"]
    for pair in [None, ("USA", "PRK"), ("ROK", "RUS")]:
        fig = utility_space_figure(data, brief, pair=pair)
        x, y = fig.layout.meta["pair"]
        ix, iy = model.actors.index(x), model.actors.index(y)
        points = [(float(a), float(b)) for a, b in zone[:, [ix, iy]]]
        expected = [points[k] for k in pair_frontier(points)]
        drawn = _points(_trace(fig, "Pareto frontier for"))
        assert drawn == pytest.approx(expected)


def test_status_quo_and_solutions_are_marked(korea):
    data, brief = korea
    fig = utility_space_figure(data, brief)
    x, y = fig.layout.meta["pair"]
    sq = _trace(fig, "Status quo (disagreement point)")
    assert _points(sq) == [(data["reservation"][x], data["reservation"][y])]
    solved = {k: s for k, s in data["solutions"].items() if s}
    assert len(solved) >= 4
    names = {t.name: t for t in fig.data}
    from detente.report.bargaining_plots import SOLUTION_LABELS

    for key, solution in solved.items():
        trace = names[SOLUTION_LABELS[key]]
        assert _points(trace) == [(solution["utilities"][x], solution["utilities"][y])]
    # The zone is shaded from the disagreement point.
    (shade,) = fig.layout.shapes
    assert (shade.x0, shade.y0) == (data["reservation"][x], data["reservation"][y])


def test_a_truncated_frontier_is_said():
    case = loads(TRI_CASE)
    data = bargain(case, pareto_limit=3).to_dict()
    assert data["pareto_count"] > 3
    fig = utility_space_figure(data, case_brief(case))
    assert f"3 of {data['pareto_count']}" in fig.layout.title.text


def test_without_a_zone_there_is_no_frontier_to_draw(tri):
    data, brief = copy.deepcopy(tri[0]), tri[1]
    data["pareto"], data["pareto_count"], data["zopa"] = [], 0, 0
    data["solutions"] = {k: None for k in data["solutions"]}
    fig = utility_space_figure(data, brief)
    assert not [t for t in fig.data if (t.name or "").startswith("Pareto frontier")]
    assert "no frontier" in fig.layout.title.text
    assert _points(_trace(fig, "Status quo")) == [
        (data["reservation"]["A"], data["reservation"]["B"])
    ]


# -- forums -----------------------------------------------------------------------------


def _expected_order(data):
    """Forums by the worst-off participant's gain, then the total gain; no agreement last."""
    r = data["reservation"]

    def key(item):
        k, f = item
        if not (f["agreement_possible"] and f["best"]):
            return (1, 0.0, 0.0, k)
        gains = [f["best"]["utilities"][a] - r[a] for a in f["participants"]]
        return (0, -min(gains), -sum(gains), k)

    return [f["id"] for _, f in sorted(enumerate(data["forums"]), key=key)]


def test_forums_are_ranked_by_the_best_packages_gains_not_grid_share(tri):
    data, brief = tri
    ranking = forum_ranking(data, brief)
    assert [r.id for r in ranking] == ["trade_talks", "everyone", "aid_only"]
    assert [r.id for r in ranking] == _expected_order(data)
    # The share of each grid in its zone ranks them otherwise: Aid talks (3 of 11
    # packages) before Everyone (11 of 121), although its worst-off party gains less.
    share = sorted(data["forums"], key=lambda f: -f["zopa"] / f["outcomes"])
    assert [f["id"] for f in share] == ["trade_talks", "aid_only", "everyone"]
    by_id = {r.id: r for r in ranking}
    assert by_id["aid_only"].worst == "C"
    assert by_id["aid_only"].worst_gain < by_id["everyone"].worst_gain
    # The gains are the best package's utilities over the reservation values.
    for forum in data["forums"]:
        row = by_id[forum["id"]]
        assert row.gains == pytest.approx(
            {
                a: forum["best"]["utilities"][a] - data["reservation"][a]
                for a in forum["participants"]
            }
        )
    fig = forums_figure(data, brief)
    assert fig.layout.meta["order"] == ["trade_talks", "everyone", "aid_only"]
    # One marker per party at the table, at its gain, in the forum's row.
    for trace in fig.data:
        if trace.type != "scatter":
            continue
        actor = next(a["id"] for a in brief["actors"] if a["name"] == trace.name)
        rows = [k for k, r in enumerate(ranking) if actor in r.gains]
        assert list(trace.x) == pytest.approx([ranking[k].gains[actor] for k in rows])
        middles = fig.layout.meta["rows"]
        nearest = [min(range(len(middles)), key=lambda k: abs(middles[k] - y)) for y in trace.y]
        assert nearest == rows
    (bar,) = [t for t in fig.data if t.type == "bar"]
    assert list(bar.x) == pytest.approx([r.worst_gain for r in ranking if r.worst])


@pytest.mark.parametrize("scenario", [None, "eve_of_hanoi_2019", "article_soft_dprk"])
def test_korea_forum_order_follows_the_best_packages_gains(scenario):
    case = detente.load("korea", scenario=scenario) if scenario else detente.load("korea")
    data, brief = bargain(case).to_dict(), case_brief(case)
    assert [r.id for r in forum_ranking(data, brief)] == _expected_order(data)
    assert forums_figure(data, brief).layout.meta["order"] == _expected_order(data)


def _forum_labels(fig):
    """Each forum's label (drawn above its row, its lines joined), by forum id."""
    return {
        fid: label.replace("<br>", " ")
        for fid, label in zip(fig.layout.meta["order"], fig.layout.meta["labels"], strict=True)
    }


def test_forum_labels_are_drawn_above_their_rows_in_lines_that_fit_a_phone(korea):
    """Each forum's label is drawn from the plot's left edge above its row's bar and
    markers (the y axis counts pixels), not as tick labels beside the rows, where they
    took half a phone's width and overlapped."""
    data, brief = korea
    fig = forums_figure(data, brief)
    drawn = [a for a in fig.layout.annotations if a.name == "forum"]
    assert [a.text for a in drawn] == list(fig.layout.meta["labels"])
    middles = fig.layout.meta["rows"]
    checked = 0
    for k, a in enumerate(drawn):
        assert a.xref == "paper" and a.x == 0 and a.yanchor == "top"
        lines = a.text.split("<br>")
        label_bottom = a.y - LABEL_LINE * len(lines)
        row = [
            y
            for t in fig.data
            if t.type == "scatter"
            for y in t.y
            if min(range(len(middles)), key=lambda j: abs(middles[j] - y)) == k
        ]
        checked += bool(row)
        if row:
            assert max(row) < label_bottom
            if k + 1 < len(drawn):
                assert min(row) > drawn[k + 1].y  # and above the next row's label
        for line in lines:
            assert len(re.sub(r"<[^>]+>", "", line)) <= 44, line
    assert checked >= 2
    assert fig.layout.yaxis.showticklabels is False


def test_forums_show_their_entry_conditions(tri, korea):
    data, brief = tri
    everyone = next(r for r in forum_ranking(data, brief) if r.id == "everyone")
    assert "Beta attends only if Gamma attends and Gamma hosts a summit" in everyone.conditions
    assert "needs first: Gamma hosts a summit" in everyone.conditions
    data, brief = korea
    fig = forums_figure(data, brief)
    labels = _forum_labels(fig)
    summit = labels["ne_asia_summit"]
    # options by their labels as written ("china convenes" lowercased China), actors
    # as attending
    assert (
        "North Korea attends only if the United States attends and China convenes "
        "multilateral talks and presses Kim to attend"
    ) in summit
    assert "china convenes" not in summit
    assert (
        "The United States attends only if the US president attends a multilateral summit with Kim"
        in summit
    )
    assert (
        "North Korea attends only if the US suspends or scales down large-scale combined"
        in labels["bilateral_us_dprk"]
    )


def test_a_forums_required_members_are_not_told_as_its_only_ones(korea):
    """The six-member Six-Party Talks read "meets only with the United States, North
    Korea and China": those are the members it cannot meet without."""
    data, brief = korea
    six = next(r for r in forum_ranking(data, brief) if r.id == "six_party_talks")
    assert len(six.participants) == 6
    assert "needs the United States, North Korea and China present" in six.conditions
    labels = _forum_labels(forums_figure(data, brief))
    assert not any("meets only with" in text for text in labels.values())


def test_a_forum_without_agreement_comes_last_and_says_why(korea):
    data, brief = korea
    fig = forums_figure(data, brief)
    assert fig.layout.meta["order"][-1] == "bilateral_us_dprk"
    texts = [a.text.replace("<br>", " ") for a in fig.layout.annotations]
    assert any("no package every participant prefers" in t for t in texts)


def test_forum_robustness_is_shown_when_sampled():
    case = loads(TRI_CASE)
    data = bargain(case, samples=12, seed=1).to_dict()
    fig = forums_figure(data, case_brief(case))
    labels = _forum_labels(fig)
    for fid, share in data["robustness"]["forums"].items():
        assert f"holds in {100 * share:.0f}% of 12 samples" in labels[fid]
