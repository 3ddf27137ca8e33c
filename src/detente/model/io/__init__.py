"""Read cases from files, chosen by suffix: YAML (``.yaml``, ``.yml``), JSON (``.json``) and
gmcr-py saves (``.gmcr``); and from folders holding a GENIUS scenario (a domain XML and
one profile XML per party, see :mod:`detente.model.io.genius`)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from detente.errors import CaseError, Problem
from detente.model.case import Case
from detente.model.io.gmcr_py import gmcr_to_case_data, is_gmcr_document
from detente.model.io.yaml_json import case_from_document, parse_document, plain
from detente.model.limits import limits, refresh_limits

__all__ = ["MAX_FILE_BYTES", "SUFFIXES", "dumps", "loads", "read", "read_genius_folder"]

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Case files larger than this are refused before they are parsed (the default of
``DETENTE_MAX_BYTES``, see :mod:`detente.model.limits`)."""

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".gmcr": "gmcr"}


def read(path: str | Path) -> Case:
    """Read and validate a case file, or a folder holding a GENIUS scenario.

    Raises
    ------
    CaseError
        The file is missing, not text, too large, malformed or not a valid case;
        each problem names the file, the line and the field.
    """
    refresh_limits()
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise CaseError(Problem("no such file"), file=name)
    if path.is_dir():
        return read_genius_folder(path)
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(SUFFIXES))
        raise CaseError(
            Problem(f"unknown file type {path.suffix or '(none)'!r}; case files end in {known}"),
            file=name,
        )
    size = path.stat().st_size
    _check_size(size, name, "case files are limited to")
    return loads(path.read_bytes(), file=name, fmt=fmt)


def _check_size(size: int, name: str, words: str = "the limit is") -> None:
    limit = limits().bytes
    if size > limit:
        raise CaseError(
            Problem(
                f"the file is {size / 1024 / 1024:.1f} MiB; {words} {limit / 1024 / 1024:g} MiB "
                "(set DETENTE_MAX_BYTES to change the limit)",
                expected=f"at most {limit:,} bytes",
                got=f"{size:,} bytes",
            ),
            file=name,
        )


def _text(path: Path) -> str:
    """A file's UTF-8 text, refusing large and binary files (errors name the file)."""
    name = str(path)
    _check_size(path.stat().st_size, name)
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise CaseError(Problem("this is a binary file, not XML text"), file=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaseError(Problem("the file is not UTF-8 text", line=line), file=name) from None


def read_genius_folder(path: str | Path) -> Case:
    """A folder holding a GENIUS scenario (one domain XML, one profile XML per party) as a case.

    Other files in the folder are ignored. See :mod:`detente.model.io.genius` for how
    the scenario becomes a case (no status quo in GENIUS: each issue's first level;
    the parties' reservation values are the disagreement point).

    Raises
    ------
    CaseError
        No XML files, no domain or several, or a broken file; each problem names the
        file (and, inside an XML file, the line and the element).
    """
    from detente.model.io.genius import genius_case_data, genius_case_id, read_genius_scenario

    folder = Path(path)
    xml = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".xml")
    if not xml:
        raise CaseError(
            Problem(
                "this folder holds no case: a case file ends in "
                f"{', '.join(sorted(SUFFIXES))}, and a GENIUS scenario folder holds a domain "
                "XML and one profile XML per party"
            ),
            file=str(folder),
        )
    if len(xml) > limits().actors + 1:
        raise CaseError(
            Problem(
                f"the folder holds {len(xml):,} XML files: a domain and {len(xml) - 1:,} profiles "
                f"is above the limit of {limits().actors} parties (set DETENTE_MAX_ACTORS to change it)"
            ),
            file=str(folder),
        )
    total = sum(p.stat().st_size for p in xml)
    _check_size(total, str(folder), "the XML files of a folder are limited to")
    files = {str(p): _text(p) for p in xml}
    name = folder.resolve().name
    try:
        scenario = read_genius_scenario(files)
        data = genius_case_data(scenario, case_id=genius_case_id(name), source=str(folder))
        if len(scenario.profiles) < 2:
            raise CaseError(
                Problem(
                    f"a GENIUS scenario needs at least two party profiles; this folder has {len(scenario.profiles)}"
                )
            )
        return Case.model_validate(data)
    except CaseError as exc:
        raise CaseError(exc.problems, file=str(folder)) from None
    except ValidationError as exc:
        from detente.model.io.yaml_json import problems_from_validation

        problems = problems_from_validation(exc, None, str(folder))
        raise CaseError(
            [
                replace(
                    p,
                    message=p.message + " (in the case made from the GENIUS scenario)",
                )
                for p in problems
            ]
        ) from None


def loads(data: str | bytes, *, file: str = "<case>", fmt: str = "yaml") -> Case:
    """Validate a case from YAML or JSON text (or bytes)."""
    refresh_limits()
    if isinstance(data, bytes):
        _check_size(len(data), file, "the input is limited to")
        if b"\x00" in data[:8192]:
            raise CaseError(
                Problem("this is a binary file, not a case file (YAML or JSON text)"), file=file
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise CaseError(Problem("the file is not UTF-8 text", line=line), file=file) from None
        data = text
    document = parse_document(data, file=file, fmt="json" if fmt == "gmcr" else fmt)
    if fmt == "gmcr" or (fmt == "json" and is_gmcr_document(plain(document))):
        return _gmcr_case(document, file=file)
    return case_from_document(document, file=file)


def _gmcr_case(document, *, file: str) -> Case:
    from pathlib import PurePath

    from detente.model.io.yaml_json import locate, problems_from_validation

    data = plain(document)
    if not is_gmcr_document(data):
        raise CaseError(
            Problem("not a gmcr-py save file: it needs 'options' and 'decisionMakers'"), file=file
        )

    def located(problems: list[Problem]) -> list[Problem]:
        """Problems whose paths are the file's own, with the file's lines."""
        out = []
        for p in problems:
            line, column, _ = locate(document, p.path) if p.path else (p.line, p.column, ())
            out.append(p.located(file, line, column))
        return out

    try:
        case_data = gmcr_to_case_data(data, file=file, case_id=PurePath(file).stem)
    except CaseError as exc:
        raise CaseError(located(exc.problems)) from None
    try:
        return Case.model_validate(case_data)
    except CaseError as exc:
        # the case's paths (options[3].label) are not the file's: name the file only
        raise CaseError([p.located(file, None) for p in exc.problems]) from None
    except ValidationError as exc:
        problems = problems_from_validation(exc, None, file)
        raise CaseError(
            [
                replace(p, message=p.message + " (in the case made from the save file)")
                for p in problems
            ]
        ) from None


def dumps(case: Case, *, fmt: str = "json") -> str:
    """The case as JSON (or YAML) text that :func:`loads` reads back to an equal case."""
    data = case.model_dump(mode="json", exclude_defaults=True, exclude={"scenario_id"})
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    # ruamel initialises this to None, so its inferred type is None; it takes a bool
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
