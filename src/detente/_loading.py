"""Find a case by what the user typed: a file path or the name of a built-in case."""

from __future__ import annotations

from pathlib import Path

from detente.model import Case
from detente.model.io import SUFFIXES, read

__all__ = ["load", "load_base"]


def load(source: str | Path | Case, *, scenario: str | None = None) -> Case:
    """Load a case from a file or by built-in name, as the given scenario sees it.

    Parameters
    ----------
    source
        A path to a case file (YAML or JSON), the name of a built-in case
        (``"korea"``; see ``detente cases``), or a :class:`~detente.model.Case`.
    scenario
        The scenario to apply; by default the case's default scenario.

    Raises
    ------
    CaseError
        The file is missing or invalid, or the name is unknown.

    Examples
    --------
    >>> import detente
    >>> case = detente.load("korea")
    >>> case.scenario_id
    'deadlock_2022'
    >>> [a.id for a in case.actors]
    ['USA', 'PRK', 'ROK', 'CHN', 'JPN', 'RUS']
    """
    case = load_base(source)
    if case.scenario_id is not None and scenario is not None and scenario != case.scenario_id:
        raise ValueError(
            "this case is already a scenario's view; load the base case to pick another scenario"
        )
    return case.scenario(scenario)


def load_base(source: str | Path | Case) -> Case:
    """Load a case without applying any scenario (see :func:`load`)."""
    if isinstance(source, Case):
        case = source
    else:
        from detente import cases

        path = Path(source)
        bare_name = isinstance(source, str) and "/" not in source and "\\" not in source
        is_file = path.is_file() or path.suffix.lower() in SUFFIXES
        # A folder wins over a built-in name only when the name is written as a path.
        is_folder = path.is_dir() and not (bare_name and cases.is_builtin(source))
        case = read(path) if is_file or is_folder else cases.load(str(source))
    return case
