"""A short, seeded fuzzing run over every reader and the case model (issue #11).

Each input, a grammar-aware mutant of a valid one (lines deleted and duplicated, values
turned into other types, extreme and non-finite numbers, deep expressions and nesting,
long, empty and odd unicode names) or text made up by hypothesis, must be either read
or refused with a CaseError whose every problem names the file (exit code 2 through
the command line), within the time limit. ``benchmarks/fuzz.py`` runs the long version.
"""

from __future__ import annotations

import random
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.mutants import MUTANTS, READERS, case_mutants, run_one

LIMIT = 10.0  # seconds per input
PER_READER = 12


def _check(reader: str, tmp_path, name: str, files: dict[str, bytes]) -> str:
    outcome, detail, seconds = run_one(reader, tmp_path, name, files)
    assert outcome != "crashed", f"{reader} mutant crashed detente: {detail}"
    assert seconds < LIMIT, f"{reader} mutant took {seconds:.1f} s ({outcome}: {detail})"
    return outcome


@pytest.mark.parametrize("reader", READERS)
def test_seeded_mutants_are_read_or_refused_naming_the_file(tmp_path_factory, reader):
    rng = random.Random(f"detente-fuzz-{reader}")
    make = MUTANTS[reader]
    mutant = case_mutants(rng, large=False) if reader == "case" else make(rng)
    outcomes = []
    for k in range(PER_READER):
        name, files = mutant()
        outcomes.append(_check(reader, tmp_path_factory.mktemp(f"{reader}{k}"), name, files))
    assert "refused" in outcomes  # the mutants do break things


_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300
) | st.sampled_from(["- - - - x", "{a: [", "? [a]\n: b", "&a [*a, *a]", "<a><b>", "a,b\n1,2"])


@_SETTINGS
@given(reader=st.sampled_from(READERS), text=_TEXT)
def test_made_up_text_is_read_or_refused(tmp_path_factory, reader, text):
    name = {
        "case": "case.yaml",
        "gmcr": "save.gmcr",
        "genius": "genius/domain.xml",
        "ktab_csv": "ktab.csv",
        "ktab_xml": "scenario.xml",
        "plain_csv": "table.csv",
    }[reader]
    files = {name: text.encode()}
    if reader == "genius":
        files["genius/party.xml"] = text.encode()
        name = "genius"
    _check(reader, tmp_path_factory.mktemp("made"), name, files)


@_SETTINGS
@given(reader=st.sampled_from(READERS), seed=st.integers(0, 2**32 - 1))
def test_hypothesis_chosen_mutants_are_read_or_refused(tmp_path_factory, reader, seed):
    rng = random.Random(seed)
    mutant = case_mutants(rng, large=False) if reader == "case" else MUTANTS[reader](rng)
    name, files = mutant()
    _check(reader, tmp_path_factory.mktemp("chosen"), name, files)


def test_a_crash_is_refused_through_the_command_with_exit_2(tmp_path, run_cli):
    rng = random.Random(7)
    mutant = case_mutants(rng, large=False)
    for _ in range(4):
        name, files = mutant()
        for rel, data in files.items():
            (tmp_path / rel).write_bytes(data)
        result = run_cli("validate", str(tmp_path / name))
        assert result.exit_code in (0, 2), result.stderr
        assert "bug in detente" not in result.stderr
        if result.exit_code == 2:
            assert str(tmp_path / name) in result.stderr


# -- the expected utility model's memory ------------------------------------------------


def test_the_eum_vote_sums_never_hold_actors_cubed():
    from detente.forecast.eum import _prob_direct

    rng = np.random.default_rng(3)
    B, n = 2, 400
    x = rng.uniform(0, 100, (B, n))
    w = rng.uniform(0.1, 1, (B, n))
    rows = slice(0, 1)
    tracemalloc.start()
    P = _prob_direct(x, w, rows, chunk=1 << 12)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # the votes of one row against every pair would be B n^2 floats (2.5 MB) at once
    assert peak < B * n * n * 8 / 5
    whole = _prob_direct(x, w, rows, chunk=1 << 30)  # one block, as before
    assert np.max(np.abs(P - whole)) < 1e-12


@pytest.mark.slow
def test_a_batch_of_eum_runs_on_500_actors_stays_small():
    import resource

    from detente.forecast.eum import run_eum_batch

    rng = np.random.default_rng(0)
    B, n = 4, 500
    x = rng.uniform(0, 100, (B, n))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    run_eum_batch(x, rng.uniform(1, 10, (B, n)), rng.uniform(0.1, 1, (B, n)), rounds=1)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 300  # B n^3 floats would be 4 GB
    assert time.perf_counter() - start < 120
