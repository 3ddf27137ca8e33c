"""The built-in cases: data files in this folder, found by glob (no registry to edit).

A case's slug is its path below this folder without the suffix
(``korea``, ``teaching/prisoners_dilemma``); a file's bare name works too when it
is unique.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from detente.errors import CaseError, Problem

if TYPE_CHECKING:
    from detente.model import Case

__all__ = ["CaseInfo", "backtest_example", "catalogue", "is_builtin", "list", "load", "path_of"]

ROOT = Path(__file__).parent
SUFFIXES = (".yaml", ".yml", ".json", ".gmcr")
"""The suffixes of case files (:data:`detente.model.io.SUFFIXES`, named here so that
listing the cases does not load the case model)."""


def backtest_example() -> tuple[Path, Path]:
    """The stance and outcome tables of the synthetic backtest example shipped with
    detente (12 made-up issues, not real decisions; written by
    ``scripts/make_backtest_example.py``): the pair ``detente backtest example`` reads."""
    folder = ROOT / "examples"
    return folder / "backtest-stances.csv", folder / "backtest-outcomes.csv"


@dataclass(frozen=True)
class CaseInfo:
    """A built-in case as the catalogue lists it."""

    slug: str
    title: str
    description: str
    scenarios: tuple[str, ...]
    path: Path


def _files() -> dict[str, Path]:
    files = {}
    for path in sorted(ROOT.rglob("*")):
        if path.suffix in SUFFIXES and path.is_file():
            files[path.relative_to(ROOT).with_suffix("").as_posix()] = path
    return files


def is_builtin(slug: str) -> bool:
    """Whether ``slug`` names a built-in case (by slug or unique bare name)."""
    try:
        path_of(slug)
    except CaseError:
        return False
    return True


def path_of(slug: str) -> Path:
    """The file of a built-in case, by slug or unique bare name."""
    files = _files()
    if slug in files:
        return files[slug]
    by_stem: dict[str, builtins.list[Path]] = {}
    for key, path in files.items():
        by_stem.setdefault(key.rsplit("/", 1)[-1], []).append(path)
    if len(by_stem.get(slug, [])) == 1:
        return by_stem[slug][0]
    from detente.model.expressions import suggest

    hint = suggest(slug, [*files, *by_stem])
    message = f"no built-in case {slug!r}"
    message += f"; did you mean {hint!r}?" if hint else f" (built-in: {', '.join(files)})"
    raise CaseError(
        Problem(message, expected="a case file path or a built-in case name", got=repr(slug))
    )


@lru_cache(maxsize=32)
def _load(path: Path, mtime: float) -> Case:
    from detente.model.io import read

    return read(path)


def load(slug: str) -> Case:
    """Load a built-in case by slug (see :func:`list`)."""
    path = path_of(slug)
    return _load(path, path.stat().st_mtime)


def list() -> builtins.list[CaseInfo]:
    """Every built-in case with a one-line description, sorted by slug."""
    infos = []
    for slug, path in _files().items():
        case = _load(path, path.stat().st_mtime)
        first_line = (case.description or case.title).strip().split("\n", 1)[0]
        infos.append(CaseInfo(slug, case.title, first_line, case.scenario_ids, path))
    return infos


def catalogue() -> builtins.list[CaseInfo]:
    """What :func:`list` gives, read straight from the files (YAML by libyaml where
    available) without checking the cases: for listing them fast. A file the quick
    reading cannot take (not YAML, or not a mapping) is loaded in full."""
    infos = []
    for slug, path in _files().items():
        head = _head(path)
        if head is None:
            case = _load(path, path.stat().st_mtime)
            title, description, scenarios = case.title, case.description, case.scenario_ids
        else:
            title, description, scenarios = head
        first_line = (description or title).strip().split("\n", 1)[0]
        infos.append(CaseInfo(slug, title, first_line, scenarios, path))
    return infos


def _head(path: Path) -> tuple[str, str | None, tuple[str, ...]] | None:
    """A YAML case file's title, description and scenario ids, unchecked; None when the
    file is not a YAML mapping with a title."""
    if path.suffix not in (".yaml", ".yml"):
        return None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        return None
    description = data.get("description")
    scenarios = data.get("scenarios") or []
    if not isinstance(scenarios, builtins.list) or not all(
        isinstance(x, dict) and isinstance(x.get("id"), str) for x in scenarios
    ):
        return None
    return (
        data["title"],
        description if isinstance(description, str) else None,
        tuple(x["id"] for x in scenarios),
    )
