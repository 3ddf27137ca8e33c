"""Memory-lean and threaded paths give the same bits as the plain ones (issue #11, #13).

The spatial model forms its voter-by-option arrays in blocks of ``chunk`` entries
(never actors^3 at once); the expected utility model shares one large table's tiles
among threads. Neither may change a result: each test runs both ways and compares
every round exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from detente.forecast import eum, expected_utility, spatial_model

SMP_SETTINGS = [
    {},
    {"voting": "asym-prospect"},
    {"pce": "markov-incentive"},
    {"bargain_model": "init-rcvr-interp"},
    {"bargain_model": "pw-comp-interp"},
    {"victory": "binary", "voting": "binary"},
]


def _random(n: int, dims: int, seed: int):
    rng = np.random.default_rng(seed)
    actors = [f"a{i}" for i in range(n)]
    shape = (n,) if dims == 1 else (n, dims)
    salience = rng.uniform(0.1, 1, shape) / dims
    return actors, rng.uniform(0.1, 1, n), rng.uniform(0, 100, shape), salience


def _rounds(result):
    return [(i.forecast, [tuple(r.values()) for r in i.rounds], i.extra) for i in result.issues]


@pytest.mark.parametrize("settings", SMP_SETTINGS, ids=lambda s: "-".join(s.values()) or "ktab")
@pytest.mark.parametrize("dims", [1, 3])
def test_the_spatial_model_in_small_blocks_gives_the_same_bits(settings, dims):
    actors, c, x, s = _random(17, dims, seed=dims)
    whole = spatial_model(actors, c, x, s, max_rounds=12, **settings)
    blocks = spatial_model(actors, c, x, s, max_rounds=12, chunk=37, **settings)
    assert _rounds(blocks) == _rounds(whole)


@pytest.mark.parametrize("ties", [False, True])
def test_the_expected_utility_model_gives_the_same_bits_with_threads(monkeypatch, ties):
    actors, c, x, s = _random(700, 1, seed=7)
    if ties:
        x = np.round(x / 5) * 5  # many actors at the same positions: ties to break
    monkeypatch.setattr(eum, "_THREADS", 1)
    alone = expected_utility(actors, c, x, s, rounds=6)
    monkeypatch.setattr(eum, "_THREADS", 3)
    shared = expected_utility(actors, c, x, s, rounds=6)
    assert _rounds(shared) == _rounds(alone)


def test_the_midpoint_search_over_a_sorted_tile_counts_as_the_full_search():
    rng = np.random.default_rng(3)
    xs = np.sort(np.round(rng.uniform(0, 100, 400), 1))  # sorted, with ties
    votes = eum._SortedVotes(xs, rng.uniform(0.1, 1, 400))
    for rows, cols in [(slice(0, 181), slice(181, 362)), (slice(362, 400), slice(362, 400))]:
        m = 0.5 * (xs[rows, None] + xs[None, cols])
        assert np.array_equal(votes._below(m), np.searchsorted(xs, m, side="left"))
