"""Report sections compared across runs."""

from __future__ import annotations

import detente
from detente.bargain.case import bargain
from detente.report import case_brief
from detente.report.bargaining import bargaining_changes


def test_bargaining_changes_lists_only_what_differs():
    case = detente.load("korea")
    before = bargain(case).to_dict()
    after = bargain(detente.load("korea", scenario="article_advice")).to_dict()
    brief = case_brief(case)
    assert bargaining_changes(before, before, brief) == []
    rows = bargaining_changes(before, after, brief)
    assert all(old != new for _, old, new in rows)
    zone = dict((what, (old, new)) for what, old, new in rows)[
        "Packages every party prefers to its reservation value"
    ]
    assert zone == (f"{before['zopa']:,} of 194,400", f"{after['zopa']:,} of 194,400")
    blocked = [r for r in rows if r[0].endswith("blocked by")]
    assert blocked, "the article's advice changes who blocks some proposal"


def test_bargaining_changes_of_different_cases_show_what_is_missing():
    korea = bargain(detente.load("korea")).to_dict()
    small = dict(korea, solutions={"nash": {"issues": {"other": 1.0}, "options": {}}})
    rows = bargaining_changes(korea, small, case_brief(detente.load("korea")))
    levels = {what: (old, new) for what, old, new in rows if what.startswith("Nash solution:")}
    assert levels["Nash solution: other"] == ("-", "1")
    assert all(new == "-" for what, (_, new) in levels.items() if what != "Nash solution: other")
