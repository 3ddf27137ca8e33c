"""The spatial model's named settings (KTAB's model parameters) and their values.

A module of its own, with no imports, so that a command line or a form can offer the
settings without loading the model.
"""

from __future__ import annotations

__all__ = [
    "BARGAIN",
    "BARGAIN_MODEL",
    "BIG_R_ADJUST",
    "BIG_R_RANGE",
    "PCE",
    "SETTINGS",
    "THIRD_PARTY",
    "TRANSITIONS",
    "VICTORY",
    "VOTING",
]

VICTORY = {"linear": 1, "square": 2, "quartic": 4, "octic": 8, "binary": 0}
VOTING = ("proportional", "binary", "prop-bin", "prop-cubic", "cubic", "asym-prospect")
BIG_R_RANGE = ("min", "mid", "max")
BIG_R_ADJUST = {"none": 0.0, "one_third": 1 / 3, "half": 0.5, "two_thirds": 2 / 3, "full": 1.0}
BARGAIN = ("s2p2", "s1p1", "s2pmax")
BARGAIN_MODEL = ("init-only-interp", "init-rcvr-interp", "pw-comp-interp")
THIRD_PARTY = ("semi", "full", "none")
PCE = ("conditional", "markov-incentive", "markov-uniform")
TRANSITIONS = ("deterministic", "stochastic")


def _default_first(values, default: str) -> tuple[str, ...]:
    return (default, *(v for v in values if v != default))


SETTINGS: dict[str, tuple[str, ...]] = {
    "victory": _default_first(VICTORY, "linear"),
    "voting": _default_first(VOTING, "proportional"),
    "bargain": _default_first(BARGAIN, "s2p2"),
    "bargain_model": _default_first(BARGAIN_MODEL, "init-only-interp"),
    "third_party": _default_first(THIRD_PARTY, "semi"),
    "pce": _default_first(PCE, "conditional"),
    "big_r_range": _default_first(BIG_R_RANGE, "mid"),
    "big_r_adjust": _default_first(BIG_R_ADJUST, "one_third"),
    "transitions": _default_first(TRANSITIONS, "deterministic"),
}
"""The spatial model's named settings (KTAB's model parameters) and their values,
the default first: what a command line or a form may offer."""
