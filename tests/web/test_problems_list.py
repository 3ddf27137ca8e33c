"""The list of problems in an uploaded case: in the order ``detente validate`` prints
them (by line, as numbers), and on a phone with its headers and line numbers whole and
the file named once above the table."""

from __future__ import annotations

import re

import pytest

from detente.errors import Problem, in_file_order

pytestmark = pytest.mark.xdist_group("web-browser")

# four problems, on lines 5, 7, 9 and 11, which the checks find in the order of the
# case's fields (actors, options, status quo, preferences): 5, 9, 11, 7
BROKEN = """\
id: mini
title: Mini
actors:
  - {id: A, name: A, capability: 1}
  - {id: B, name: B, capability: -5}
preferences:
  A: {statements: 5}
options:
  - {id: o, label: 7, controller: A}
description: x
status_quo: 3
"""

PHONE = {"width": 375, "height": 800}


def test_uploaded_problems_are_listed_by_line(client):
    page = client.post("/cases/upload", files={"file": ("broken.yaml", BROKEN)})
    assert page.status_code == 422
    table = page.text.split('<table class="problems-table">', 1)[1].split("</table>", 1)[0]
    lines = re.findall(r'<td class="num">(\d+)</td>', table)
    assert lines == ["5", "7", "9", "11"]
    one_line_each = page.text.split("<pre>", 1)[1].split("</pre>", 1)[0]
    assert re.findall(r"broken.yaml:(\d+):", one_line_each) == ["5", "7", "9", "11"]
    # one file: named once above the table, with no column of its own
    assert '<p id="problems-file">In <code class="path">broken<wbr>.yaml</code>:</p>' in page.text
    assert "<th>File</th>" not in table
    assert '<code class="path">actors[1]<wbr>.capability</code>' in table


def test_problems_are_ordered_by_file_then_line_then_column():
    """One ordering (:func:`detente.errors.in_file_order`) for the command line and the
    web app: files as they first come up, lines as numbers, a line's columns in order,
    problems without a line last in their file, ties in the order found."""
    problems = [
        Problem("a", file="b.yaml", line=11),
        Problem("b", file="b.yaml", line=5),
        Problem("c", file="b.yaml"),
        Problem("d", file="a.yaml", line=2),
        Problem("e", file="b.yaml", line=7, column=9),
        Problem("f", file="b.yaml", line=7, column=3),
        Problem("g", file="b.yaml", line=9),
        Problem("h", file="b.yaml", line=9),
    ]
    assert [p.message for p in in_file_order(problems)] == list("bfeghacd")


def test_the_problems_table_on_a_phone(page, live_server, tmp_path):
    page.set_viewport_size(PHONE)
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    page.goto(live_server.url + "/")
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-submit")
    page.wait_for_selector("#problems")
    lines = page.evaluate(
        r"""() => [...document.querySelectorAll('#problems th, #problems td.num')].map((el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          const tops = new Set([...range.getClientRects()]
            .filter((r) => r.width > 0 && r.height > 0).map((r) => Math.round(r.top)));
          return [el.textContent.trim(), tops.size];
        })"""
    )
    assert [text for text, _ in lines] == ["Line", "Field", "Problem", "5", "7", "9", "11"]
    assert [f"{t!r} on {n} lines" for t, n in lines if n != 1] == []
    assert page.locator("#problems-file").inner_text() == "In broken.yaml:"
    scroll, width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= width, f"the page at 375 px is {scroll} px wide"
