"""Laws of the stability concepts, checked on random small conflicts with hypothesis.

* the engine equals a slow implementation written straight from the definitions
  (explicit breadth-first search over legal sequences), concept by concept;
* Nash => SMR => GMR and Nash => SEQ => GMR (Fang, Hipel & Kilgour 1993, ch. 3);
* relabelling actors, options (order and Y/N polarity) changes nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.gmcr import GraphModel, stabilities
from detente.gmcr.limited_move import _edges, _step
from detente.gmcr.moves import MoveGraphs
from tests.gmcr.reference import Slow
from tests.gmcr.strategies import graph_models

pytestmark = pytest.mark.gmcr

CORE = ("nash", "gmr", "smr", "seq")
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(graph_models())
def test_engine_equals_definitions(model: GraphModel) -> None:
    res = stabilities(model, concepts=CORE)
    slow = Slow(model)
    for concept in CORE:
        assert np.array_equal(res.stable[concept], slow.table(concept)), concept


@FEW
@given(graph_models(min_actors=2, max_actors=2), st.integers(1, 5))
def test_two_actor_concepts_equal_definitions(model: GraphModel, horizon: int) -> None:
    res = stabilities(model, concepts=("sim", "seq_sim", "lh"), horizon=horizon)
    slow = Slow(model)
    assert np.array_equal(res.stable["sim"], slow.table("sim"))
    assert np.array_equal(res.stable["seq_sim"], slow.table("seq_sim"))
    assert np.array_equal(res.stable["lh"], slow.lh_table(horizon))


@FEW
@given(graph_models())
def test_implications(model: GraphModel) -> None:
    s = stabilities(model, concepts=CORE).stable
    assert not (s["nash"] & ~s["smr"]).any()
    assert not (s["smr"] & ~s["gmr"]).any()
    assert not (s["nash"] & ~s["seq"]).any()
    assert not (s["seq"] & ~s["gmr"]).any()


@FEW
@given(graph_models(min_actors=2, max_actors=2))
def test_nm_is_lh_for_long_horizons(model: GraphModel) -> None:
    """NM is Lh on the eventual cycle of the anticipation maps, so it equals Lh
    stability over a long run of horizons once the maps cycle."""
    res = stabilities(model, concepts=("nm",))
    graphs = MoveGraphs(model)
    n = model.n_states
    edges = [_edges(graphs, 0), _edges(graphs, 1)]
    g = [np.arange(n), np.arange(n)]
    long_run = np.ones((2, n), dtype=bool)
    for h in range(1, 8 * n + 40):
        g = [_step(edges[0], graphs.rank[0], g[1]), _step(edges[1], graphs.rank[1], g[0])]
        if h >= 4 * n + 16:
            long_run[0] &= g[0] == np.arange(n)
            long_run[1] &= g[1] == np.arange(n)
    assert np.array_equal(res.stable["nm"], long_run)


def _relabel(
    model: GraphModel, actor_perm, option_perm, flip: int
) -> tuple[GraphModel, np.ndarray]:
    """Permute actors and options and flip the Y/N meaning of options in ``flip``.

    Returns the new model and, for each new state, the index of the old state.
    """
    n_opt = model.n_options
    old_codes = model.states
    new_codes = np.zeros_like(old_codes)
    flipped = old_codes ^ flip
    for new_k, old_k in enumerate(option_perm):
        new_codes |= ((flipped >> old_k) & 1) << new_k
    order = np.argsort(new_codes)
    direction = np.array([model.direction[k] for k in option_perm], dtype=np.int8)
    for new_k, old_k in enumerate(option_perm):
        if flip >> old_k & 1:
            direction[new_k] = -direction[new_k]
    inv_actor = {old: new for new, old in enumerate(actor_perm)}
    controller = np.array([inv_actor[int(model.controller[k])] for k in option_perm])
    perceived = None if model.perceived is None else model.perceived[list(actor_perm)][:, order]
    new = GraphModel(
        actors=tuple(model.actors[a] for a in actor_perm),
        options=tuple(model.options[k] for k in option_perm),
        controller=controller,
        states=new_codes[order],
        payoff=model.payoff[list(actor_perm)][:, order],
        direction=direction,
        perceived=perceived,
    )
    assert n_opt == new.n_options
    return new, order


@FEW
@given(graph_models(), st.data())
def test_relabelling_changes_nothing(model: GraphModel, data) -> None:
    actor_perm = data.draw(st.permutations(range(model.n_actors)))
    option_perm = data.draw(st.permutations(range(model.n_options)))
    flip = data.draw(st.integers(0, 2**model.n_options - 1))
    new, order = _relabel(model, actor_perm, option_perm, flip)
    before = stabilities(model, concepts=CORE).stable
    after = stabilities(new, concepts=CORE).stable
    for c in CORE:
        assert np.array_equal(after[c], before[c][list(actor_perm)][:, order]), c


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graph_models(min_actors=2, max_actors=2, directions=False, misperception=False))
def test_sim_on_the_grid_equals_sim_by_pairs_of_improvements(model: GraphModel) -> None:
    """The fast SIM (prefix minima on the grid of the two parties' option
    combinations) agrees with the general one that lists pairs of improvements."""
    from detente.gmcr.stability import _simultaneous, _simultaneous_dense

    graphs = MoveGraphs(model)
    for i in (0, 1):
        dense = _simultaneous_dense(graphs, i, 1 - i, force=True)
        assert dense is not None
        assert np.array_equal(dense, _simultaneous(graphs, i, 1 - i))
