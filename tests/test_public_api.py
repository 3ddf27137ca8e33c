"""The public API is a list, checked here: what ``import detente`` offers by name."""

from __future__ import annotations

import detente

EXPECTED = {
    "AnalysisError",
    "Case",
    "CaseError",
    "CaseTooLargeError",
    "DetenteError",
    "InfeasibleError",
    "MissingPartError",
    "__version__",
    "load",
}


def test_exported_members():
    assert set(detente.__all__) == EXPECTED
    for name in detente.__all__:
        assert hasattr(detente, name), name
