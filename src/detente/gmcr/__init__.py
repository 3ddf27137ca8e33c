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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.gmcr.case import ConflictAnalysis, ProposalStanding, analyze_conflict, graph_model
    from detente.gmcr.coalitions import coalition_stabilities
    from detente.gmcr.evolution import EvolutionResult, analyze_evolution
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
    from detente.gmcr.hypergame import (
        HypergameResult,
        analyze_hypergame,
        hypergame_stabilities,
        perceived_game,
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
    from detente.gmcr.robustness import RobustnessResult, equilibrium_margins
    from detente.gmcr.stability import (
        CONCEPTS,
        TWO_ACTOR_CONCEPTS,
        TwoActorConceptError,
        equilibria,
        stabilities,
    )
    from detente.gmcr.states import DEFAULT_MAX_BYTES, feasible_states, pattern
    from detente.gmcr.status_quo import status_quo_paths
    from detente.gmcr.uncertain import (
        UncertainResult,
        analyze_probabilistic,
        analyze_unknown,
        probabilistic_stabilities,
        unknown_stabilities,
    )

_HOME = {
    "RobustnessResult": "robustness",
    "equilibrium_margins": "robustness",
    "ConflictAnalysis": "case",
    "ProposalStanding": "case",
    "analyze_conflict": "case",
    "graph_model": "case",
    "coalition_stabilities": "coalitions",
    "EvolutionResult": "evolution",
    "analyze_evolution": "evolution",
    "instability_explanation": "explain",
    "GraphModel": "graph",
    "check_size": "graph",
    "estimate_bytes": "graph",
    "HeterogeneousResult": "heterogeneous",
    "analyze_heterogeneous": "heterogeneous",
    "case_concepts": "heterogeneous",
    "heterogeneous_stabilities": "heterogeneous",
    "HistoryResult": "history",
    "HistoryStep": "history",
    "PartyBehaviour": "history",
    "analyze_history": "history",
    "behavioural_analysis": "history",
    "HypergameResult": "hypergame",
    "analyze_hypergame": "hypergame",
    "hypergame_stabilities": "hypergame",
    "perceived_game": "hypergame",
    "InverseResult": "inverse",
    "inverse_stability": "inverse",
    "unilateral_improvements": "moves",
    "unilateral_moves": "moves",
    "dense_ranks": "preferences",
    "payoff_from_ranking": "preferences",
    "payoff_from_statements": "preferences",
    "reachable_states": "reach",
    "CoalitionResult": "results",
    "Explanation": "results",
    "ImprovementCheck": "results",
    "StabilityResult": "results",
    "StatusQuoResult": "results",
    "Step": "results",
    "CONCEPTS": "stability",
    "TWO_ACTOR_CONCEPTS": "stability",
    "TwoActorConceptError": "stability",
    "equilibria": "stability",
    "stabilities": "stability",
    "DEFAULT_MAX_BYTES": "states",
    "feasible_states": "states",
    "pattern": "states",
    "status_quo_paths": "status_quo",
    "UncertainResult": "uncertain",
    "analyze_probabilistic": "uncertain",
    "analyze_unknown": "uncertain",
    "probabilistic_stabilities": "uncertain",
    "unknown_stabilities": "uncertain",
}
"""Where each public name lives; imported on first use, so that a command loads only
the parts of the graph model it runs (the evolution chain's networkx, say, only when
asked for)."""


def __getattr__(name: str) -> Any:
    if name in _HOME:
        import importlib

        value = getattr(importlib.import_module(f"detente.gmcr.{_HOME[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'detente.gmcr' has no attribute {name!r}")


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
    "HypergameResult",
    "ImprovementCheck",
    "InverseResult",
    "PartyBehaviour",
    "ProposalStanding",
    "RobustnessResult",
    "StabilityResult",
    "StatusQuoResult",
    "Step",
    "TwoActorConceptError",
    "UncertainResult",
    "analyze_conflict",
    "analyze_evolution",
    "analyze_heterogeneous",
    "analyze_history",
    "analyze_hypergame",
    "analyze_probabilistic",
    "analyze_unknown",
    "behavioural_analysis",
    "case_concepts",
    "check_size",
    "coalition_stabilities",
    "dense_ranks",
    "equilibria",
    "equilibrium_margins",
    "estimate_bytes",
    "feasible_states",
    "graph_model",
    "heterogeneous_stabilities",
    "hypergame_stabilities",
    "instability_explanation",
    "inverse_stability",
    "pattern",
    "payoff_from_ranking",
    "payoff_from_statements",
    "perceived_game",
    "probabilistic_stabilities",
    "reachable_states",
    "stabilities",
    "status_quo_paths",
    "unilateral_improvements",
    "unilateral_moves",
    "unknown_stabilities",
]
