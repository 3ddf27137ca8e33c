"""The suite every engine passes on cases: repeatable, JSON-ready, leaves the case alone,
and names what is missing.

Each engine enters as a row: how to run it on a case, and which section it needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

import detente
from detente.bargain.case import bargain
from detente.errors import MissingPartError
from detente.forecast.case import forecast
from detente.gmcr.case import analyze_conflict


@dataclass(frozen=True)
class Engine:
    run: Callable
    needs: str
    without: str  # a built-in case that lacks the part


ENGINES = {
    "graph_model": Engine(lambda case: analyze_conflict(case), "options", "korea-without-options"),
    "bargaining": Engine(lambda case: bargain(case), "issues", "chicken"),
    "forecast": Engine(lambda case: forecast(case, samples=50, seed=1), "issues", "chicken"),
}


def case_without(name: str):
    if name == "korea-without-options":
        return detente.load("korea").model_copy(
            update={"options": (), "constraints": (), "status_quo": (), "preferences": {}}
        )
    return detente.load(name)


@pytest.fixture(params=list(ENGINES), ids=list(ENGINES))
def engine(request):
    return ENGINES[request.param]


@pytest.mark.parametrize("scenario", ["deadlock_2022", "eve_of_hanoi_2019"])
def test_same_input_same_result(engine, scenario):
    case = detente.load("korea", scenario=scenario)
    assert json.dumps(engine.run(case).to_dict(), sort_keys=True) == json.dumps(
        engine.run(case).to_dict(), sort_keys=True
    )


def test_result_is_json_ready_python_values(engine):
    data = engine.run(detente.load("korea")).to_dict()
    assert json.loads(json.dumps(data)) == data


def test_the_case_is_left_unchanged(engine):
    case = detente.load("korea")
    before = case.model_dump()
    engine.run(case)
    assert case.model_dump() == before


def test_a_missing_part_raises_the_named_error(engine):
    with pytest.raises(MissingPartError, match=engine.needs):
        engine.run(case_without(engine.without))
