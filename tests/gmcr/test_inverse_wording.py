"""The inverse graph model's conditions read as sentences: each starts with a capital."""

from __future__ import annotations

import detente
from detente.gmcr.case import graph_model
from detente.gmcr.inverse import inverse_stability


def test_every_kind_of_condition_starts_with_a_capital():
    model = graph_model(detente.load("prisoners_dilemma"))
    texts = {
        inverse_stability(model, "A", state, concept=concept, free=free).conditions()
        for state in range(model.n_states)
        for concept in ("nash", "gmr", "seq")
        for free in (None, [state])
    }
    starts = {text.split(" ")[0] for text in texts}
    assert starts >= {"State", "No"}
    assert all(text[0].isupper() for text in texts), texts
