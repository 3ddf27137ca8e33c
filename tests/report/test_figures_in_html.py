"""The HTML report carries the fixed figures (issue #12, item 5): the utility space of the
default pair with its frontier, the forums by their best package, and each issue's
positions round by round under both models."""

from __future__ import annotations

import detente
from detente.analysis import analyze
from detente.report import analysis_report
from detente.report.bargaining_plots import furthest_pair
from detente.report.text import definite


def test_korea_report_draws_the_new_figures():
    report = analysis_report(analyze(detente.load("korea")))
    html = report.to_html()
    # (a legend's entry is broken into lines that fit a phone)
    html = html.replace("\\u003cbr\\u003e", " ").replace("<br>", " ")
    names = {a["id"]: a["name"] for a in report.brief["actors"]}
    choice = furthest_pair(report.data["bargaining"], report.brief)
    assert (
        f"Pareto frontier for {definite(names[choice.x])} and {definite(names[choice.y])}" in html
    )
    assert "Forums compared by their best package" in html
    assert "Share of the forum" not in html  # the grid share no longer ranks forums
    for entry in report.data["forecast"]["issues"].values():
        assert f"Positions over the rounds: {entry['name']}" in html
    assert "Spatial model" in html and "Expected utility" in html
