"""detente: analyse deadlocked multilateral negotiations and find the way out.

A case (actors, options, preferences, issues, proposals, forums) goes in; the
graph model engine (:mod:`detente.gmcr`), the forecasting engine
(:mod:`detente.forecast`) and the bargaining engine (:mod:`detente.bargain`)
compute stable outcomes, where bargaining is heading and which packages and
forums make agreement possible.
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
