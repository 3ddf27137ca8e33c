"""Hypothesis strategies for random small graph models (2-4 actors, 2-6 options)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from detente.gmcr.graph import GraphModel

__all__ = ["graph_models"]


@st.composite
def graph_models(
    draw,
    *,
    min_actors: int = 2,
    max_actors: int = 4,
    min_options: int = 2,
    max_options: int = 6,
    directions: bool = True,
    misperception: bool = True,
) -> GraphModel:
    n_actors = draw(st.integers(min_actors, max_actors))
    n_options = draw(st.integers(max(min_options, n_actors), max(max_options, n_actors)))
    # Every actor controls at least one option.
    controller = list(range(n_actors)) + draw(
        st.lists(
            st.integers(0, n_actors - 1),
            min_size=n_options - n_actors,
            max_size=n_options - n_actors,
        )
    )
    controller = draw(st.permutations(controller))
    all_codes = list(range(2**n_options))
    infeasible = draw(st.sets(st.sampled_from(all_codes), max_size=2**n_options - 1))
    states = np.array(sorted(set(all_codes) - infeasible), dtype=np.int64)
    n = states.size
    levels = draw(st.integers(1, max(1, n)))
    payoff = np.array(
        [draw(st.lists(st.integers(0, levels), min_size=n, max_size=n)) for _ in range(n_actors)],
        dtype=np.int64,
    )
    if directions:
        direction = draw(
            st.lists(st.sampled_from([0, 0, 0, 1, -1]), min_size=n_options, max_size=n_options)
        )
    else:
        direction = [0] * n_options
    perceived = None
    if misperception and draw(st.booleans()):
        perceived = np.array(
            [
                draw(st.lists(st.sampled_from([True, True, True, False]), min_size=n, max_size=n))
                for _ in range(n_actors)
            ]
        )
    return GraphModel(
        actors=tuple(f"A{a}" for a in range(n_actors)),
        options=tuple(f"o{k}" for k in range(n_options)),
        controller=np.array(controller),
        states=states,
        payoff=payoff,
        direction=np.array(direction, dtype=np.int8),
        perceived=perceived,
    )
