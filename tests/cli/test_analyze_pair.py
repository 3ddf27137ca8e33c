"""``detente analyze --html FILE --pair A,B``: the utility space of the pair asked for."""

from __future__ import annotations


def test_the_html_report_draws_the_pair_asked_for(run_cli, tmp_path):
    out = tmp_path / "korea.html"
    result = run_cli("analyze", "korea", "--html", str(out), "--pair", "USA,PRK")
    assert result.exit_code == 0, result.stderr
    page = out.read_text().replace("\\u003cbr\\u003e", " ")  # titles wrap on narrow screens
    assert "Utility space: United States and North Korea" in page
    # the terminal gets the findings; the tables went to the file
    assert "The tables behind the findings" not in result.stdout


def test_a_pair_that_is_not_two_parties_is_refused(run_cli):
    for bad in ("USA", "USA,USA", "USA,XX"):
        result = run_cli("analyze", "korea", "--pair", bad)
        assert result.exit_code == 2
        assert "--pair" in result.stderr and "choose from USA, PRK" in result.stderr
