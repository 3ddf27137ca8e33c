"""``--html FILE`` and ``--markdown FILE`` on each engine's command: the file gets that
engine's report with its figures, standard error says so, and the terminal gets the
title and the findings alone, as ``detente analyze`` does."""

from __future__ import annotations

import json

import pytest


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_forecast_writes_its_figures_with_the_monte_carlo_band(run_cli, tmp_path):
    html = tmp_path / "f.html"
    result = run_cli("forecast", "korea", "--samples", "50", "--seed", "1", "--html", str(html))
    assert result.exit_code == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "plotly-graph-div" in page and "Plotly.newPlot" in page
    assert "90% interval of 50 samples" in page  # the band's legend, at the summaries' level
    assert f"wrote the HTML report to {html}" in _one_line(result.stderr)
    # the findings on the terminal; the tables went to the file
    assert "Forecast: where the bargaining is heading" in result.stdout
    assert "Over 50 samples of uncertain inputs" in _one_line(result.stdout)
    for table in ("Forecasts by issue, on each issue", "Monte Carlo: how far each forecast"):
        assert table in page
        assert table not in result.stdout
    assert "Forecasts by issue, on each issue's scale" in run_cli("forecast", "korea").stdout


def test_forecast_writes_markdown_too(run_cli, tmp_path):
    md = tmp_path / "f.md"
    result = run_cli("forecast", "korea", "--model", "mean", "--markdown", str(md))
    assert result.exit_code == 0, result.stderr
    assert "### Forecasts by issue, on each issue's scale" in md.read_text(encoding="utf-8")
    assert f"wrote the Markdown report to {md}" in _one_line(result.stderr)
    assert "Forecasts by issue, on each issue's scale" not in result.stdout


def test_stability_writes_the_state_graph(run_cli, tmp_path):
    html = tmp_path / "s.html"
    result = run_cli("stability", "korea", "--html", str(html))
    assert result.exit_code == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    assert "<figcaption>The state graph around the status quo" in page
    assert "Graph model: which outcomes are stable" in result.stdout
    assert "Proposals as states" in page and "Proposals as states" not in result.stdout


def test_stability_json_with_html_still_prints_the_json(run_cli, tmp_path):
    html = tmp_path / "s.html"
    result = run_cli("stability", "chicken", "--format", "json", "--html", str(html))
    assert result.exit_code == 0, result.stderr
    assert "equilibria" in json.loads(result.stdout)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_status_quo_draws_the_state_graph_in_its_section(run_cli, tmp_path):
    html = tmp_path / "sq.html"
    result = run_cli("status-quo", "korea", "--html", str(html))
    assert result.exit_code == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    section = page[page.index("<h2>The status quo: how stable it is") :]
    assert "<figcaption>The state graph around the status quo" in section
    assert "Equilibria the status quo reaches" not in result.stdout


def test_bargain_writes_its_figures(run_cli, tmp_path):
    html = tmp_path / "b.html"
    result = run_cli("bargain", "korea", "--html", str(html))
    assert result.exit_code == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    assert "<figcaption>The utility space" in page
    assert "<figcaption>The forums side by side" in page
    assert "Bargaining: packages, blockers and forums" in result.stdout
    assert "Red lines: what each party never accepts" in page
    assert "Red lines: what each party never accepts" not in result.stdout


@pytest.mark.parametrize(
    ("args", "table"),
    [
        (("uncertain", "loyalty_in_doubt"), "<h3>"),
        (("preferences", "chicken"), "<h3>"),
        (("history", "korea", "--scenario", "eve_of_hanoi_2019", "--until", "2019"), "<figure>"),
    ],
)
def test_other_engines_write_their_reports(run_cli, tmp_path, args, table):
    """A report whose engine has no figures is written with its tables alone."""
    html = tmp_path / "r.html"
    result = run_cli(*args, "--html", str(html))
    assert result.exit_code == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and table in page
    assert f"wrote the HTML report to {html}" in _one_line(result.stderr)
    assert result.stdout.strip()


def test_the_forecast_json_tells_each_summarys_level(run_cli):
    import numpy as np

    result = run_cli("forecast", "korea", "--samples", "20", "--seed", "3", "--format", "json")
    assert result.exit_code == 0, result.stderr
    issues = json.loads(result.stdout)["issues"]
    summaries = [s for entry in issues.values() for s in entry["monte_carlo"].values()]
    assert summaries
    for summary in summaries:
        level = summary["level"]
        assert level == 0.9  # the Monte Carlo's default: the command offers no other
        tail = (1 - level) / 2
        expected = np.quantile(summary["samples"], [tail, 1 - tail])
        assert summary["interval"] == pytest.approx(expected)


def test_a_report_without_figures_carries_no_plotly(run_cli, tmp_path):
    """The evolution of korea starts at an absorbing status quo: no figure is drawn, so
    the page does not carry plotly.js's 4.8 MB."""
    html = tmp_path / "e.html"
    result = run_cli("evolution", "korea", "--html", str(html))
    assert result.exit_code == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    assert "Plotly.newPlot" not in page
    assert len(page) < 500_000, f"{len(page):,} characters for a page without figures"
