"""The way out's check of a path's changes: each party's stability computed on need (and
reused where the concept lets it) gives what the full stability analysis of the edited
model gives, and where improvements lead is the same with coalitions built on need."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import detente
from detente.analysis.verdicts import gather_evidence
from detente.analysis.wayout import Change, _Checker
from detente.gmcr.improvements import ImprovementReach
from detente.gmcr.preferences import payoff_from_statements
from detente.gmcr.stability import stabilities
from detente.model.expressions import parse


def reordered(statements: list[str]) -> list[str]:
    """The priorities upside down: a change that moves korea's SEQ and GMR equilibria."""
    return statements[::-1]


@pytest.fixture(scope="module")
def korea():
    return detente.load("korea")


@pytest.mark.parametrize("concept", ["seq", "gmr", "nash"])
def test_edited_stability_is_the_full_analysis_of_the_edited_model(korea, concept):
    ev, _ = gather_evidence(korea, concept=concept)
    model = ev.conflict.model
    actor = model.actors[1]
    statements = reordered([s.expr for s in korea.preferences[actor].statements])
    change = Change(actor, "priorities", "reordered", {"statements": statements})
    edited = _Checker(ev)._edited([change])
    payoff = model.payoff.copy()
    payoff[1] = payoff_from_statements(
        [parse(s) for s in statements], states=model.states, options=model.options
    )
    full = stabilities(dataclasses.replace(model, payoff=payoff), concepts=(concept,))
    mask = full.equilibrium_mask(concept)
    moved = np.flatnonzero(mask != ev.conflict.stability.equilibrium_mask(concept))
    if concept != "nash":  # (the Nash equilibrium of korea survives any reordering)
        assert moved.size > 0, "the change should move some equilibria"
    rng = np.random.default_rng(7)
    states = [
        *moved[:6].tolist(),
        *np.flatnonzero(mask)[:3].tolist(),
        *rng.integers(0, model.n_states, 8).tolist(),
    ]
    for state in states:
        assert edited.stable(int(state)) == bool(mask[state]), state
    joint = edited.joint()
    expected = ImprovementReach(edited.model, coalitions=ev.coalitions)
    sq = int(model.status_quo)
    for state in states[:4]:
        assert (joint.path(sq, int(state)) is None) == (expected.path(sq, int(state)) is None)


def test_without_changes_the_case_as_stated_is_checked(korea):
    ev, _ = gather_evidence(korea)
    unchanged = _Checker(ev)._edited([])
    assert unchanged.alone() is ev.reach_alone and unchanged.joint() is ev.reach_joint
    mask = ev.conflict.stability.equilibrium_mask(ev.concept)
    for state in range(0, ev.conflict.model.n_states, 97):
        assert unchanged.stable(state) == bool(mask[state])
    none_found = Change("USA", "priorities", "x", {"statements": ["<none found>"]})
    assert _Checker(ev)._edited([none_found]) is None
