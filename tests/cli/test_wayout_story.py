"""`detente wayout`: the first path's story reads as wrapped paragraphs at the terminal's
width, never one word per line (a one-column table once put each word on a line of its
own when the text held an identifier with an underscore)."""

from __future__ import annotations

import pytest


def story_lines(text: str) -> list[str]:
    """The lines of the "Story" table under "The first path, step by step"."""
    lines = text.splitlines()
    start = lines.index("The first path, step by step")
    assert lines[start + 1].strip() == "Story", lines[start : start + 3]
    body = []
    for line in lines[start + 3 :]:  # after the title, the header and its rule
        if not line.strip():
            break
        body.append(line)
    return body


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("scenario", [None, "article_soft_dprk"])
def test_the_story_is_wrapped_prose(run_cli, monkeypatch, columns, scenario):
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    args = ["wayout", "korea"] + (["--scenario", scenario] if scenario else [])
    result = run_cli(*args)
    assert result.exit_code == 0, result.stderr
    body = story_lines(result.stdout)
    assert len(body) > 2, body
    # a single word on a line is only the end of a sentence carried over
    single = [line for line in body if len(line.split()) == 1 and not line.endswith(".")]
    assert not single, f"{len(single)} story lines hold a single word, e.g. {single[:3]}"
    assert all(len(line) <= columns for line in body)
    # the sentences fill the width: most lines reach past three quarters of it
    full = [line for line in body if len(line) > columns * 3 // 4]
    assert len(full) >= len(body) // 2, body


def test_the_count_of_changes_agrees_with_the_list():
    """ "It needs 4 changes by North Korea: a; b" lists fewer items than it counts when a
    red line moves (it counts two): the sentence says so where it counts."""
    import re

    import detente
    from detente.analysis import analyze
    from detente.report import analysis_report

    report = analysis_report(analyze(detente.load("korea")))
    (way_out,) = [s for s in report.sections if s.key == "way_out"]
    checked = 0
    for headline in way_out.findings:
        found = re.search(r"needs (\d+) changes? (.*?): (.*?)\. \S+ [\w ,]+ gains?\.$", headline)
        if not found:
            continue
        n, who, listed = int(found[1]), found[2], found[3]
        # the items: "a; b", where one party's changes join with "and move its ..."
        items = len(listed.split("; ")) + listed.count(" and move its ")
        red_lines = listed.count("red line")
        if red_lines:
            assert "red line counts two" in who, headline
        assert items + red_lines == n, headline
        checked += 1
    assert checked >= 3
