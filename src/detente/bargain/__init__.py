"""The bargaining engine: package deals, the zone of possible agreement and forums.

The array-level core works on an :class:`OutcomeSpace` (a grid of issue levels and
binary options, minus infeasible combinations) and a :class:`UtilityModel`
(additive utilities of each actor), never on a case; the case model wires a case
into these. Start with :func:`analyze`, or use the pieces:

- :func:`linear_additive`, :func:`value_tables`, :func:`reservation_values`;
  :meth:`UtilityModel.with_red_lines` adds red lines (:class:`RedLineRow`: levels an
  actor never accepts, whatever it gains elsewhere);
- :func:`pareto_frontier` (ZOPA count and frontier, streamed), :func:`pareto_mask`;
- :func:`nash_solution`, :func:`kalai_smorodinsky_solution`,
  :func:`utilitarian_solution`, :func:`egalitarian_solution`, :func:`solve`;
- :func:`assess_proposal` (who blocks, what would win them over);
- :func:`evaluate_forum` (can these participants agree on this agenda?);
- :func:`robustness_draw` (one Monte Carlo draw, a pure function of the seed) and
  :func:`zopa_membership` (the same check for utilities drawn by the caller).

Examples
--------
>>> from detente.bargain import OutcomeSpace, linear_additive, analyze
>>> space = OutcomeSpace({"relief": [0, 50, 100], "dismantle": [0, 50, 100]})
>>> model = linear_additive(space, actors=["US", "DPRK"],
...                         ideals=[[0, 100], [100, 0]], weights=[[1, 3], [3, 1]])
>>> result = analyze(space, model, [0.4, 0.4])
>>> result.solutions["nash"].issues
{'relief': 100.0, 'dismantle': 100.0}
"""

from __future__ import annotations

from detente.bargain.analysis import DEFAULT_MAX_OUTCOMES, analyze
from detente.bargain.blocking import assess_proposal, neighbours
from detente.bargain.case import CaseBargain, bargain
from detente.bargain.forums import Forum, evaluate_forum
from detente.bargain.frontier import Frontier, pareto_frontier, pareto_mask, zopa_count
from detente.bargain.results import (
    BargainResult,
    Change,
    Crossing,
    ForumEvaluation,
    Package,
    ProposalAssessment,
    RobustnessDraw,
)
from detente.bargain.robustness import perturb_profiles, robustness_draw, zopa_membership
from detente.bargain.solutions import (
    SOLUTIONS,
    egalitarian_solution,
    kalai_smorodinsky_solution,
    nash_solution,
    solve,
    utilitarian_solution,
)
from detente.bargain.space import Chunk, FeasibleMask, OutcomeSpace
from detente.bargain.utility import (
    RedLineRow,
    UtilityModel,
    linear_additive,
    reservation_values,
    value_tables,
)

__all__ = [
    "DEFAULT_MAX_OUTCOMES",
    "SOLUTIONS",
    "BargainResult",
    "CaseBargain",
    "Change",
    "Chunk",
    "Crossing",
    "FeasibleMask",
    "Forum",
    "ForumEvaluation",
    "Frontier",
    "OutcomeSpace",
    "Package",
    "ProposalAssessment",
    "RedLineRow",
    "RobustnessDraw",
    "UtilityModel",
    "analyze",
    "assess_proposal",
    "bargain",
    "egalitarian_solution",
    "evaluate_forum",
    "kalai_smorodinsky_solution",
    "linear_additive",
    "nash_solution",
    "neighbours",
    "pareto_frontier",
    "pareto_mask",
    "perturb_profiles",
    "reservation_values",
    "robustness_draw",
    "solve",
    "utilitarian_solution",
    "value_tables",
    "zopa_count",
    "zopa_membership",
]
