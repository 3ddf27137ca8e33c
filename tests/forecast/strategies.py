"""Hypothesis strategies for forecasting inputs, written once for all forecast tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

__all__ = ["issue_inputs"]


@st.composite
def issue_inputs(
    draw, *, min_actors: int = 2, max_actors: int = 7, issues: int = 1, salience_sum: bool = False
):
    """``(actors, capability, position, salience)`` for one issue (or ``issues`` columns).

    Positions are drawn on a grid of 0.5 on the 0-100 scale, so that ties happen;
    capabilities and saliences are bounded away from zero. With ``salience_sum``
    each actor's saliences sum to at most 1 (the spatial model's rule).
    """
    n = draw(st.integers(min_actors, max_actors))
    grid = st.integers(0, 200).map(lambda k: k / 2)
    cap = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    shape = (n,) if issues == 1 else (n, issues)
    size = int(np.prod(shape))
    pos = np.array(draw(st.lists(grid, min_size=size, max_size=size))).reshape(shape)
    sal = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=size, max_size=size)))
    sal = sal.reshape(shape)
    if salience_sum and issues > 1:
        sal = sal / issues
    actors = tuple(f"A{i}" for i in range(n))
    return actors, np.array(cap), pos, sal
