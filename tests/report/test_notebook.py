"""Cases and results display in notebooks and convert to pandas DataFrames."""

from __future__ import annotations

import detente
from detente.bargain.case import bargain
from detente.gmcr import analyze_conflict
from detente.model.io import loads
from tests.conftest import SMALL_CASE


def test_from_load_to_a_chart_in_three_lines():
    case = detente.load("korea")
    frame = case.to_frame().pivot(index="issue", columns="actor", values="position")
    assert frame.loc["denuclearisation", "PRK"] == 5
    assert set(frame.columns) == set(case.actor_ids)


def test_case_html_is_escaped():
    evil = loads(SMALL_CASE.replace("name: North Korea", "name: <script>alert(1)</script>"))
    html = evil._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_graph_model_result_frame_has_a_row_per_state():
    result = analyze_conflict(detente.load("prisoners_dilemma"))
    frame = result.to_frame()
    assert len(frame) == 4
    assert bool(frame.loc[4, ("equilibrium", "nash")]) is True
    assert frame["nash"].columns.tolist() == ["A", "B"]  # stability per party under Nash
    assert frame["rank"].loc[4].tolist() == [3, 3]
    assert frame["pattern"].loc[4] == "YY"
    assert "Equilibria" in result._repr_html_()


def test_bargaining_result_frame_has_a_row_per_proposal_and_party():
    result = bargain(detente.load("korea"))
    frame = result.to_frame()
    assert len(frame) == 5 * 6  # five proposals (the grand bargain added), six parties
    hanoi = frame[(frame.proposal == "hanoi_offer") & (frame.actor == "PRK")]
    assert not bool(hanoi.accepts.iloc[0])
    assert "blocked" in result._repr_html_().lower()


def test_the_notebook_how_to_runs():
    """docs/how-to/notebook.md: its code blocks run as written (plots drawn off screen)."""
    import re

    import matplotlib

    matplotlib.use("Agg")
    from tests.conftest import REPO

    text = (REPO / "docs" / "how-to" / "notebook.md").read_text()
    namespace: dict = {}
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert not any("../" in block for block in blocks), "the guide needs data outside the package"
    for block in blocks:
        exec(
            compile(block, "notebook.md", "exec"), namespace
        )  # the guide's own code, as a reader runs it
    assert len(namespace["deals"].to_frame()) == 30  # five proposals, six parties
    # the backtest block ran on the shipped example: one row per issue and model
    errors = namespace["errors"]
    assert set(errors.procedure) == {"majority", "consensus"}
    assert len(errors) == 12 * errors.model.nunique()


def test_the_guide_gives_the_state_graph_in_networkx():
    import re

    import networkx as nx

    from tests.conftest import REPO

    text = (REPO / "docs" / "how-to" / "notebook.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "to_networkx" in b)
    namespace: dict = {"case": detente.load("korea"), "analyze_conflict": analyze_conflict}
    exec(compile(block, "notebook.md", "exec"), namespace)
    graph = namespace["graph"]
    assert isinstance(graph, nx.DiGraph)
    assert namespace["status_quo"] in graph
    assert namespace["back"][namespace["status_quo"]] == 0


def test_the_html_report_line_runs_in_a_fresh_session():
    """`import detente` alone loads no submodule: the guide's HTML line imports what it
    uses, so it runs in a new interpreter as written."""
    import re
    import subprocess
    import sys

    from tests.conftest import REPO

    text = (REPO / "docs" / "how-to" / "notebook.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    html_block = next(b for b in blocks if "to_html()" in b)
    code = 'import detente\ncase = detente.load("korea")\n' + html_block
    code += "\nassert html.lstrip().lower().startswith('<!doctype html')\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    # no call through a submodule the guide's text does not import
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    assert not re.search(r"`detente\.\w+\.\w+\(detente\.", prose), "a call needs an import"
