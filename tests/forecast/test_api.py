"""The public API of detente.forecast, and what every model promises (conformance)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import detente.forecast as fc

pytestmark = pytest.mark.forecast

EXPECTED = {
    "ForecastInput",
    "CaseForecast",
    "forecast",
    "ForecastResult",
    "IssueForecast",
    "MonteCarloResult",
    "SampleSummary",
    "baselines",
    "expected_utility",
    "monte_carlo",
    "parse_actor_csv",
    "parse_ktab_csv",
    "parse_ktab_xml",
    "spatial_model",
    "weighted_mean",
    "weighted_median",
}

ACTORS = ["a", "b", "c", "d"]
CAP = np.array([1.0, 0.5, 0.8, 0.2])
POS = np.array([10.0, 40.0, 70.0, 95.0])
SAL = np.array([0.9, 0.5, 0.6, 0.3])

RUNS = {
    "eum": lambda: fc.expected_utility(ACTORS, CAP, POS, SAL),
    "eum-scholz": lambda: fc.expected_utility(ACTORS, CAP, POS, SAL, variant="scholz-code"),
    "smp": lambda: fc.spatial_model(ACTORS, CAP, POS, SAL),
    "baselines": lambda: fc.baselines(ACTORS, CAP, POS, SAL),
    "monte-carlo": lambda: fc.monte_carlo(
        ACTORS, CAP, POS, SAL, position_sd=5, n_runs=10, models=("mean", "median", "eum", "smp")
    ),
}


def test_exported_members():
    assert set(fc.__all__) == EXPECTED
    for name in fc.__all__:
        assert hasattr(fc, name), name


@pytest.mark.parametrize("run", list(RUNS))
def test_conformance(run):
    before = (CAP.copy(), POS.copy(), SAL.copy())
    a, b = RUNS[run](), RUNS[run]()
    # same inputs (and seed) give the same result; the result is JSON; inputs untouched
    assert a.to_dict() == b.to_dict()
    text = json.dumps(a.to_dict(), allow_nan=False)
    assert json.loads(text) == a.to_dict()
    for arr, old in zip((CAP, POS, SAL), before, strict=True):
        assert np.array_equal(arr, old)
    assert a.method in {"eum", "smp", "baselines", "monte_carlo"}
    assert isinstance(a.parameters, dict)


@pytest.mark.parametrize("run", ["eum", "eum-scholz", "smp", "baselines"])
def test_issue_result_shape(run):
    res = RUNS[run]()
    it = res.issues[0]
    assert it.rounds[0] == dict(zip(ACTORS, POS.tolist(), strict=True))
    assert set(it.baselines) == {"mean", "median"}
    assert it.stopped in {"converged", "cycle", "max_rounds", "fixed_rounds"}
    assert it.closest
    assert set(it.closest) <= set(ACTORS)
    d = it.to_dict()
    assert {"rounds", "forecast", "baselines", "stopped", "closest"} <= set(d)
    assert res.forecast == {"issue": it.forecast}


def test_engines_do_not_import_siblings():
    """Engines never import detente.gmcr or detente.bargain, print nothing, read no files."""
    for path in pathlib.Path(fc.__file__).parent.glob("*.py"):
        text = path.read_text()
        for banned in ("detente.gmcr", "detente.bargain", "print(", "open("):
            assert banned not in text, (path, banned)


def test_spatial_settings_list_the_defaults_first():
    import inspect

    from detente.forecast.spatial import SETTINGS, smp_options

    signature = inspect.signature(smp_options)
    for name, values in SETTINGS.items():
        assert signature.parameters[name].default == values[0], name
        for value in values:
            smp_options(**{name: value})  # every listed value is accepted
