"""What every page of the web app shares: the Jinja2 templates and their filters, and
small helpers for ids in paths, names from uploads and figures as data."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from detente import __version__
from detente.report.html import stance_cell, unbroken
from detente.web._runs import (
    CONCEPT_LABELS,
    ENGINES,
    EVOLUTION_WEIGHTS,
    FORECAST_MODELS,
    SOLUTION_ALIASES,
    SOLUTION_LABELS,
    WAY_OUT_CONCEPTS,
)

__all__ = [
    "MAX_ID_DIGITS",
    "canonical",
    "display_name",
    "download_name",
    "duration",
    "figure_json",
    "ident",
    "kind_label",
    "message_page",
    "parameter_items",
    "plotly_js",
    "run_scenario",
    "shown",
    "templates",
]

MAX_ID_DIGITS = 18
"""Ids in paths are whole numbers of at most this many digits (below 2**63)."""

SHORT_CELL = 20
"""A report table's cell whose every line is at most this long is kept on one line."""


def ident(text: str | None) -> int | None:
    """An id from a path or a query: a whole number of at most 18 digits, else ``None``."""
    if text is None or re.fullmatch(rf"[0-9]{{1,{MAX_ID_DIGITS}}}", text) is None:
        return None
    return int(text)


def shown(text: str) -> str:
    """Something a request named, cut short for a message (the page escapes it)."""
    return text if len(text) <= 40 else text[:40] + "…"


def message_page(status: int, message: str) -> str:
    return templates().get_template("message.html.j2").render(status=status, message=message)


@lru_cache(maxsize=1)
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("detente.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.globals["engines"] = ENGINES
    # "2026-11-28T06:48:39+00:00" -> "2026-11-28 06:48"
    env.filters["when"] = lambda stamp: str(stamp)[:16].replace("T", " ") if stamp else "-"
    env.filters["plain"] = _plain_value
    env.filters["data_json"] = data_json
    env.globals["parameter_items"] = parameter_items
    env.filters["duration"] = duration
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.tests["prose"] = _prose_table
    env.tests["short"] = _short_cell
    # the report's cells, written as the HTML report writes them
    env.filters["stance"] = stance_cell
    env.filters["unbroken"] = unbroken
    env.filters["breakable"] = breakable
    env.globals["kind_label"] = kind_label
    env.globals["run_scenario"] = run_scenario
    env.filters["quoted_whole"] = quoted_whole
    return env


_MADE_IN = re.compile(r".* \(scenario: (.+)\)", re.S)
"""A what-if's note: the change, then the scenario it was made in."""

KINDS = {"builtin": "built-in", "upload": "uploaded"}
"""What the pages call a stored case of each kind (versions and what-ifs: see
:func:`kind_label`)."""


def kind_label(kind: str, note: str | None, *, short: bool = False) -> tuple[str, str]:
    """What a stored case is, as the home page, /runs and the run and case pages say
    it: ``("Version 2", "what the user noted")`` for a version saved from the editor,
    ``("What-if", "North Korea's position on …: 90 → 0")`` for a what-if, ``("built-in",
    "")`` or ``("uploaded", "")`` for the others. ``short``: a what-if's change without
    the scenario it was made in, for a list that names the scenario beside it."""
    from detente.web._history import note_parts

    if kind == "edit":
        if short and (found := _MADE_IN.fullmatch(note or "")) is not None:
            return "What-if", (note or "")[: found.start(1) - len(" (scenario: ")]
        return "What-if", note or ""
    if kind == "version":
        number, said = note_parts(kind, note)
        return (f"Version {number}" if number is not None else "A version"), said
    return KINDS.get(kind, kind), note or ""


def run_scenario(scenario: str | None, case_kind: str, case_note: str | None) -> str:
    """The scenario a run saw, in words: its id; for a run of a what-if (which has no
    scenarios: it is one concrete view) the scenario it was made from, which its note
    names; "none" for a case seen without one."""
    if scenario:
        return scenario
    if case_kind == "edit":
        found = _MADE_IN.fullmatch(case_note or "")
        if found is not None:
            return f"{found.group(1)}, applied before the change (a what-if has no scenarios)"
        return "none: a what-if is one concrete view of its case"
    return "none"


def quoted_whole(text: str) -> Markup:
    """A message whose quoted ids ('not_an_option') stay whole on a narrow screen: each
    quoted token, quotes included, in a span that does not wrap."""
    return Markup(
        re.sub(
            r"&#39;(?:(?!&#39;)\S){1,32}&#39;",
            lambda m: f'<span class="nowrap">{m.group(0)}</span>',
            str(escape(text)),
        )
    )


def breakable(name: str) -> Markup:
    """A file name or a field's path that may wrap only at sensible points on a narrow
    screen: after a slash, a hyphen or an underscore, and before a dot
    (``case/<wbr>broken<wbr>.yaml``, ``actors[1]<wbr>.capability``)."""
    return Markup(re.sub(r"(?<=[/\\_-])|(?=\.)", "<wbr>", str(escape(name))).removeprefix("<wbr>"))


def _short_cell(cell: Any) -> bool:
    return max(len(line) for line in str(cell).split("\n")) <= SHORT_CELL


def _prose_table(table: Any) -> bool:
    """Whether a report table holds words rather than numbers in several columns: on a
    narrow screen each of its rows becomes a block of labelled lines (the way out's
    paths, the verdicts), where a table of numbers scrolls sideways instead."""
    if len(table.columns) <= 3:
        return False
    cells = [str(cell) for row in table.rows for cell in row]
    if any(len(cell) > 2 * SHORT_CELL and not _short_cell(cell) for cell in cells):
        return True
    return len(table.columns) > 5 and sum(map(_numeric, cells)) < len(cells) / 2


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


def _plain_value(value: Any) -> str:
    """A run parameter in words: yes/no, none, lists joined, mappings as key value."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain_value(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return ", ".join(_plain_value(v) for v in value) or "none"
    return str(value)


def duration(seconds: float) -> str:
    """A time in words for a hint: "0.4 s", "13 s", "2 min 5 s"."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


PARAMETER_LABELS = {
    "concept": "Every step stable for every party under",
    "paths": "Paths shown",
    "start": "Start from",
    "concepts": "Solution concepts",
    "horizon": "Horizon of limited move",
    "coalitions": "Coalitions",
    "weights": "Transition weights",
    "models": "Models",
    "variant": "Expected utility model",
    "joint": "Spatial model: bargain over all issues at once",
    "smp": "Spatial model settings",
    "solution": "Solution that picks each forum's package",
    "forums": "Evaluate the forums",
    "options": "Add the options that proposals set to the outcome space",
    "samples": "Monte Carlo samples",
    "seed": "Seed",
    "compared_with": "Compared with",
}
"""What the case page's forms call each parameter of a run, in the order they are listed."""

VARIANTS = {"paper": "as the paper describes it", "scholz-code": "as the replication code runs it"}


def parameter_items(
    engine: str, parameters: dict[str, Any], proposals: Any = ()
) -> list[tuple[str, str]]:
    """A run's parameters in words, as ``(label, value)`` pairs in the order of the
    case page's forms: the labels of the forms' fields, the values as the forms offer
    them (``proposals``, the case brief's, names a start); any other parameter by its
    name with its value in words."""
    names = {p.get("id"): p.get("name") for p in proposals or () if isinstance(p, dict)}
    order = list(PARAMETER_LABELS)
    items = []
    for key in sorted(parameters, key=lambda k: order.index(k) if k in order else len(order)):
        value = parameters[key]
        label = PARAMETER_LABELS.get(key, key.replace("_", " ").capitalize())
        items.append((label, _parameter_value(engine, key, value, names)))
    return items


def _parameter_value(engine: str, key: str, value: Any, proposals: dict[Any, Any]) -> str:
    if key == "concepts" and isinstance(value, list):
        return ", ".join(CONCEPT_LABELS.get(c, str(c)) for c in value) or "every one that applies"
    if key == "concept":
        return WAY_OUT_CONCEPTS.get(value, _plain_value(value))
    if key == "models" and isinstance(value, list):
        return ", ".join(FORECAST_MODELS.get(m, str(m)) for m in value) or "none"
    if key == "variant":
        return VARIANTS.get(value, _plain_value(value))
    if key == "solution":
        return SOLUTION_LABELS.get(SOLUTION_ALIASES.get(value, value), _plain_value(value))
    if key == "weights":
        return EVOLUTION_WEIGHTS.get(value, _plain_value(value))
    if key == "start" and engine == "evolution":
        if value is None:
            return "the status quo"
        name = proposals.get(value)
        return f"{name} ({value})" if name and name != value else f"the proposal {value}"
    if key == "compared_with" and isinstance(value, int):
        return f"run #{value}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return _plain_value(value)


@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


def display_name(filename: str | None) -> str:
    """The upload's base name, for display only: folders, control characters and length cut."""
    name = PurePosixPath(PureWindowsPath(filename or "").name).name
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:120] or "upload"


def download_name(title: str, case_id: int, ext: str) -> str:
    """The file name a stored case downloads as: its title as a slug
    ("A two-party summit" -> ``a-two-party-summit.yaml``), or ``case-<id>`` for a title
    with no letters or digits to make one of."""
    import unicodedata

    # dashes of any kind (en, em, minus, hyphen) part words as a hyphen-minus does:
    # "2018–2022" -> 2018-2022, not 20182022
    title = re.sub(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]", "-", title)
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].rstrip("-")
    return f"{slug or f'case-{case_id}'}.{ext}"


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def data_json(data: Any) -> str:
    """Data as JSON that is safe inside ``<script type="application/json">`` (no ``<``,
    ``>`` or ``&``), for a page's scripts to read."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figure_json(fig: Any) -> str:
    """A plotly figure, or its plain data (:func:`detente.report.html.figure_data`), as
    the JSON a page's data block carries for static/figures.js."""
    import plotly.io as pio

    plain = json.loads(pio.to_json(fig, validate=False))
    return data_json(
        {
            "data": plain["data"],
            "layout": plain["layout"],
            "config": {"displaylogo": False, "responsive": True},
        }
    )
