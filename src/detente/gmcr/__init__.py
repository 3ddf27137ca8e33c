"""The graph model for conflict resolution (GMCR), on packed arrays.

States are integer codes (bit k = option k taken); moves are grouped by the options
an actor does not control, so that reachability and stability are vectorised
reductions, never loops over pairs of states. State numbers in results are
1-based, as in the papers (the k-th feasible state in increasing code order).

References
----------
Fang, Hipel & Kilgour (1993), *Interactive Decision Making: The Graph Model for
Conflict Resolution*, Wiley. Fang, Hipel, Kilgour & Peng (2003), "A decision
support system for interactive decision making, Parts I and II", IEEE Trans.
SMC-C 33(1). Kilgour, Hipel, Fang & Peng (2001), "Coalition analysis in group
decision support", GDN 10. Inohara & Hipel (2008), "Coalition analysis in the
graph model for conflict resolution", Systems Engineering 11.
"""

from __future__ import annotations

from detente.gmcr.case import ConflictAnalysis, ProposalStanding, analyze_conflict, graph_model
from detente.gmcr.coalitions import coalition_stabilities
from detente.gmcr.evolution import EvolutionResult, analyze_evolution, evolution
from detente.gmcr.explain import instability_explanation
from detente.gmcr.graph import GraphModel, check_size, estimate_bytes
from detente.gmcr.heterogeneous import (
    HeterogeneousResult,
    analyze_heterogeneous,
    case_concepts,
    heterogeneous_stabilities,
)
from detente.gmcr.history import (
    HistoryResult,
    HistoryStep,
    PartyBehaviour,
    analyze_history,
    behavioural_analysis,
)
from detente.gmcr.inverse import InverseResult, inverse_stability
from detente.gmcr.moves import unilateral_improvements, unilateral_moves
from detente.gmcr.preferences import dense_ranks, payoff_from_ranking, payoff_from_statements
from detente.gmcr.reach import reachable_states
from detente.gmcr.results import (
    CoalitionResult,
    Explanation,
    ImprovementCheck,
    StabilityResult,
    StatusQuoResult,
    Step,
)
from detente.gmcr.stability import (
    CONCEPTS,
    TWO_ACTOR_CONCEPTS,
    TwoActorConceptError,
    equilibria,
    stabilities,
)
from detente.gmcr.states import DEFAULT_MAX_BYTES, feasible_states, pattern
from detente.gmcr.status_quo import status_quo_paths

__all__ = [
    "CONCEPTS",
    "DEFAULT_MAX_BYTES",
    "TWO_ACTOR_CONCEPTS",
    "CoalitionResult",
    "ConflictAnalysis",
    "EvolutionResult",
    "Explanation",
    "GraphModel",
    "HeterogeneousResult",
    "HistoryResult",
    "HistoryStep",
    "ImprovementCheck",
    "InverseResult",
    "PartyBehaviour",
    "ProposalStanding",
    "StabilityResult",
    "StatusQuoResult",
    "Step",
    "TwoActorConceptError",
    "analyze_conflict",
    "analyze_evolution",
    "analyze_heterogeneous",
    "analyze_history",
    "behavioural_analysis",
    "case_concepts",
    "check_size",
    "coalition_stabilities",
    "dense_ranks",
    "equilibria",
    "estimate_bytes",
    "evolution",
    "feasible_states",
    "graph_model",
    "heterogeneous_stabilities",
    "instability_explanation",
    "inverse_stability",
    "pattern",
    "payoff_from_ranking",
    "payoff_from_statements",
    "reachable_states",
    "stabilities",
    "status_quo_paths",
    "unilateral_improvements",
    "unilateral_moves",
]
