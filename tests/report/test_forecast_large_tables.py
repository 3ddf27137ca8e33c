"""A forecast of many parties keeps its terminal tables small (issue #13, item 5)."""

from __future__ import annotations

from detente.forecast.case import forecast
from detente.model import Case
from detente.report.brief import case_brief
from detente.report.forecasting import MAX_ROUND_PARTIES, forecast_section


def _many_parties(n: int) -> Case:
    return Case.model_validate(
        {
            "id": "many",
            "title": "Many parties",
            "actors": [
                {"id": f"a{k}", "name": f"Party {k}", "capability": 1.0 + (k * 37) % n}
                for k in range(n)
            ],
            "issues": [
                {
                    "id": "tax",
                    "name": "Tax",
                    "positions": {
                        f"a{k}": {"position": (k * 13) % 101, "salience": 10 + (k * 7) % 90}
                        for k in range(n)
                    },
                }
            ],
        }
    )


def _rounds_tables(case: Case):
    data = forecast(case, models=["eum"], rounds=3).to_dict()
    section = forecast_section(data, case_brief(case))
    return [t for t in section.tables if t.title.startswith("Positions by round")]


def test_a_large_table_of_parties_shows_the_most_capable_and_says_how_many_are_left_out():
    case = _many_parties(40)
    (table,) = _rounds_tables(case)
    assert len(table.columns) == 1 + MAX_ROUND_PARTIES
    strongest = sorted(case.actors, key=lambda a: -a.capability)[:MAX_ROUND_PARTIES]
    # The most capable, in the case's order.
    assert table.columns[1:] == [a.name for a in case.actors if a in strongest]
    assert "28 more are left out" in (table.note or "")
    assert "--format json" in (table.note or "")
    assert all(len(row) == len(table.columns) for row in table.rows)


def test_a_small_table_of_parties_is_shown_whole():
    case = _many_parties(MAX_ROUND_PARTIES)
    (table,) = _rounds_tables(case)
    assert table.columns[1:] == [a.name for a in case.actors]
    assert table.note == "Round 0 holds the starting positions."
