"""detente: analyse deadlocked multilateral negotiations and find the way out.

A case (actors, options, preferences, issues, proposals, forums) goes in; the
graph model engine (:mod:`detente.gmcr`), the forecasting engine
(:mod:`detente.forecast`) and the bargaining engine (:mod:`detente.bargain`)
compute stable outcomes, where bargaining is heading and which packages and
forums make agreement possible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente.errors import (
    AnalysisError,
    CaseError,
    CaseTooLargeError,
    DetenteError,
    InfeasibleError,
    MissingPartError,
)

if TYPE_CHECKING:
    from detente._loading import load
    from detente.model import Case

__version__ = "0.1.0.dev0"

_LAZY = {"load": "detente._loading", "Case": "detente.model"}
"""Names imported on first use, so that ``detente --version`` and ``--help`` need not
load the case model (pydantic, numpy, the expression grammar)."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


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
