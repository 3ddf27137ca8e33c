"""The Monte Carlo interval's level is the user's to choose (``forecast(level=...)``,
``detente forecast --level``): the summaries carry it, a lower level gives intervals
inside the higher one's over the same samples, and the report says it."""

from __future__ import annotations

import json

import detente
from detente.forecast.case import forecast


def _intervals(level: float) -> dict[str, tuple[float, float, float]]:
    case = detente.load("korea")
    result = forecast(case, models=["mean", "median"], samples=200, seed=3, level=level)
    data = result.to_dict()
    return {
        f"{issue}/{model}": (summary["level"], *summary["interval"])
        for issue, entry in data["issues"].items()
        for model, summary in (entry.get("monte_carlo") or {}).items()
    }


def test_a_lower_level_gives_intervals_inside_the_higher_ones():
    wide, narrow = _intervals(0.9), _intervals(0.5)
    assert wide.keys() == narrow.keys() and wide
    for key in wide:
        (lw, a, b), (ln, c, d) = wide[key], narrow[key]
        assert (lw, ln) == (0.9, 0.5)
        assert a <= c <= d <= b, key
    assert any(narrow[k][1] > wide[k][1] or narrow[k][2] < wide[k][2] for k in wide)


def test_the_command_takes_the_level_and_refuses_one_outside_0_1(run_cli):
    result = run_cli(
        "forecast", "korea", "--model", "mean", "--samples", "50", "--level", "0.8",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    levels = {
        s["level"]
        for entry in json.loads(result.stdout)["issues"].values()
        for s in (entry.get("monte_carlo") or {}).values()
    }
    assert levels == {0.8}
    text = run_cli("forecast", "korea", "--model", "mean", "--samples", "50", "--level", "0.8")
    assert "80% between" in " ".join(text.stdout.split())
    bad = run_cli("forecast", "korea", "--samples", "10", "--level", "1.5")
    assert bad.exit_code == 2 and "--level" in bad.stderr
