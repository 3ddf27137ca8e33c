"""detente: analyse deadlocked multilateral negotiations and find the way out.

A case (actors, options, preferences, issues, proposals, forums) goes in; the
graph model engine (:mod:`detente.gmcr`), the forecasting engine
(:mod:`detente.forecast`) and the bargaining engine (:mod:`detente.bargain`)
compute stable outcomes, where bargaining is heading and which packages and
forums make agreement possible.
"""

from __future__ import annotations

from detente._loading import load
from detente.errors import (
    AnalysisError,
    CaseError,
    CaseTooLargeError,
    DetenteError,
    InfeasibleError,
    MissingPartError,
)
from detente.model import Case

__version__ = "0.1.0.dev0"

__all__ = [
    "AnalysisError",
    "Case",
    "CaseError",
    "CaseTooLargeError",
    "DetenteError",
    "InfeasibleError",
    "MissingPartError",
    "__version__",
    "load",
]
