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

from detente.errors import CaseError, Problem
from detente.model import Case
from detente.model.expressions import suggest
from detente.model.io import SUFFIXES, read

__all__ = ["CaseInfo", "is_builtin", "list", "load", "path_of"]

ROOT = Path(__file__).parent


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
    hint = suggest(slug, [*files, *by_stem])
    message = f"no built-in case {slug!r}"
    message += f"; did you mean {hint!r}?" if hint else f" (built-in: {', '.join(files)})"
    raise CaseError(
        Problem(message, expected="a case file path or a built-in case name", got=repr(slug))
    )


@lru_cache(maxsize=32)
def _load(path: Path, mtime: float) -> Case:
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
