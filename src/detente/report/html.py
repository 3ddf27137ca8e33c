"""The self-contained HTML report: one file, no network needed to open it.

Styles and plotly's script are inlined; every string from the case is escaped by
Jinja2's autoescaping, so a case cannot inject markup or scripts.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from detente import __version__

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from detente.report import Report

__all__ = ["figure_data", "for_any_width", "render_html", "stance_cell", "unbroken"]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from detente.report.text import definite

    environment = Environment(
        loader=PackageLoader("detente.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # a party's id as its name in a sentence, with its article ("the United States")
    environment.filters["party"] = lambda actor, names: definite(names.get(actor, actor))
    environment.filters["stance"] = stance_cell
    environment.filters["unbroken"] = unbroken
    return environment


# A number and its companion in brackets: "5 (100)", "62 (43–82)", "-0.4 (12%)".
_PAIRED = re.compile(r"(?<![\w.])([-+−]?\d[\d,.]*%?) \(([^()\n]{1,30})\)")


def stance_cell(stance: Mapping[str, Any]) -> Markup:
    """A party's stance on an issue as the issues' table shows it, "position (salience)"
    (the level's name on a categorical issue), on one line however narrow the screen:
    the web app's case page and the report both write it so.

    Examples
    --------
    >>> stance_cell({"position": 5, "salience": 100.0, "label": "5"})
    Markup('5&nbsp;(100)')
    """
    label = stance.get("label")
    position = label if label is not None else f"{stance['position']:g}"
    return escape(position) + Markup("&nbsp;(") + escape(f"{stance['salience']:g}") + Markup(")")


def unbroken(cell: Any) -> Markup:
    """A table's cell, escaped, with each number and its companion in brackets kept on
    one line (a non-breaking space between them, the pair in a ``nowrap`` span), so that
    a narrow screen never shows "62" above "(43–82)"; the rest of the cell wraps.

    Examples
    --------
    >>> unbroken("62 (43–82) <b>")
    Markup('<span class="nowrap">62&nbsp;(43–82)</span> &lt;b&gt;')
    """
    text = str(escape(cell))
    return Markup(_PAIRED.sub(r'<span class="nowrap">\1&nbsp;(\2)</span>', text))


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    # A "</script>" inside the library would end the inline element early.
    return get_plotlyjs().replace("</script>", "<\\/script>")


# A title's line at most this many characters long, and a subtitle's and an axis's
# (smaller type): short enough to fit a phone's width (375 px), where plotly, which
# never wraps a title, would cut it off at the figure's edge.
TITLE_WIDTH = 39
SMALL_WIDTH = 44
AXIS_WIDTH = 36
DEFAULT_HEIGHT = 450  # plotly's, for a figure that sets none
TITLE_SIZE = 15  # the title's type: a line of TITLE_WIDTH characters fits a phone
TITLE_LINE = 18  # the pixels a line of a title takes, about
# A legend's entry at most this many characters a line, and what an entry takes on a
# phone (plotly's legend type, 13 px): a symbol's width, then about 7 px a character,
# in rows of 335 px (a phone's 375 px less the page's and the figure's edges), 20 px a
# line, groups 10 px apart. LEGEND_ROOM: what the figures' heights already leave for
# the legend (one or two rows).
LEGEND_WIDTH = 40
LEGEND_SYMBOL = 44
LEGEND_CHAR = 7
PHONE_LEGEND = 335
LEGEND_LINE = 20
LEGEND_GAP = 10
LEGEND_ROOM = 40
# An x axis's title is centred on the plot, which a y axis's labels narrow: on a phone
# about PHONE_X pixels less TICK_CHAR a character of the longest label are left for it,
# at AXIS_CHAR pixels a character, and never fewer than MIN_AXIS_WIDTH characters.
PHONE_X = 315
TICK_CHAR = 6.5
AXIS_CHAR = 8.5
MIN_AXIS_WIDTH = 10

_TAG = re.compile(r"^<(sup|sub|b|i|em)>(.*)</\1>$", re.S)


def _wrapped(text: str, width: int) -> str:
    """``text`` (plotly's markup: lines split by ``<br>``, a line in one tag such as
    ``<sup>``) with every line longer than ``width`` broken into shorter lines."""
    lines = []
    for line in re.split(r"<br\s*/?>", text):
        tagged = _TAG.match(line.strip())
        tag, words = tagged.groups() if tagged else ("", line)
        limit = SMALL_WIDTH if tag in ("sup", "sub") else width
        parts = textwrap.wrap(words, limit, break_long_words=False) or [words]
        lines += [f"<{tag}>{part}</{tag}>" if tag else part for part in parts]
    return "<br>".join(lines)


def _lines(text: str) -> list[str]:
    """The lines of plotly's markup, tags left out."""
    return [re.sub(r"<[^>]+>", "", line) for line in re.split(r"<br\s*/?>", text)]


def _legend_height(data: dict[str, Any]) -> int:
    """About the pixels the legend takes below the plot on a phone: its entries packed
    in rows of :data:`PHONE_LEGEND` pixels, a row as tall as its tallest entry, and each
    legend group starting a row of its own."""
    entries = [t for t in data["data"] if t.get("showlegend") is not False and t.get("name")]
    shown = data["layout"].get("showlegend")
    if shown is False or (
        shown is None and len(entries) < 2 and not any(t.get("showlegend") for t in entries)
    ):
        return 0  # no legend (plotly shows none for a lone trace unless asked)
    height, row, row_lines, group = 0, 0, 0, None
    for trace in entries:
        lines = _lines(trace["name"])
        width = LEGEND_SYMBOL + LEGEND_CHAR * max(len(line) for line in lines)
        legendgroup = trace.get("legendgroup")
        if row and (row + width > PHONE_LEGEND or legendgroup != group):
            height += LEGEND_LINE * row_lines + (LEGEND_GAP if legendgroup != group else 0)
            row, row_lines = 0, 0
        group = legendgroup
        row += width
        row_lines = max(row_lines, len(lines))
    return height + LEGEND_LINE * row_lines


def _axes(layout: dict[str, Any], letter: str) -> list[dict[str, Any]]:
    """The layout's x or y axes (``xaxis``, ``xaxis2``, ...), the first made if missing."""
    layout.setdefault(f"{letter}axis", {})
    return [v for k, v in layout.items() if re.fullmatch(rf"{letter}axis\d*", k)]


def _x_title_width(data: dict[str, Any]) -> int:
    """The characters an x axis's title may have on a line: fewer where long tick labels
    of a y axis take part of a phone's width."""
    texts: list[str] = []
    for axis in _axes(data["layout"], "y"):
        if axis.get("showticklabels") is not False:
            texts += [str(t) for t in axis.get("ticktext") or ()]
    # a categorical axis's labels are the traces' values
    texts += [y for trace in data["data"] for y in _values(trace.get("y")) if isinstance(y, str)]
    longest = max((len(line) for t in texts for line in _lines(t)), default=0)
    return max(MIN_AXIS_WIDTH, min(AXIS_WIDTH, int((PHONE_X - TICK_CHAR * longest) / AXIS_CHAR)))


def _values(values: Any) -> Any:
    """A trace's data array as something to iterate over (none for a missing one)."""
    return () if values is None else values


def _title_text(owner: dict[str, Any]) -> str | None:
    title = owner.get("title")
    return title.get("text") if isinstance(title, dict) else title


def for_any_width(data: dict[str, Any]) -> dict[str, Any]:
    """A figure's plain data (``fig.to_dict()``) laid out for any width, from a phone's
    (375 px) to a desktop's: as wide as its box (no fixed width), its legend in rows
    below the plot rather than beside or over it, with entries broken into lines that
    fit a phone, its titles broken into lines that fit, its margins grown to hold the
    tick labels, the axis titles and the title, and its height grown by what the legend
    takes on a phone (so that the plot keeps its height there; on a desktop, where the
    legend takes fewer rows, the plot gains it). The HTML report and the web app's run
    pages both draw figures so. Plain data rather than plotly's figure objects: setting
    their properties one by one took a quarter of an HTML report's time."""
    layout = data["layout"]
    for trace in data["data"]:
        if trace.get("showlegend") is not False and trace.get("name"):
            trace["name"] = _wrapped(trace["name"], LEGEND_WIDTH)
    layout["autosize"] = True
    layout.pop("width", None)
    layout.setdefault("legend", {}).update(
        orientation="h", x=0, xanchor="left", y=0, yanchor="bottom", yref="container"
    )
    height = (layout.get("height") or DEFAULT_HEIGHT) + max(0, _legend_height(data) - LEGEND_ROOM)
    text = _title_text(layout)
    if text:
        title = _wrapped(text, TITLE_WIDTH)
        # the lines a title gains are added to the figure's height, not taken from its plot
        height += (title.count("<br>") - text.count("<br>")) * TITLE_LINE
        old = layout["title"] if isinstance(layout.get("title"), dict) else {}
        layout["title"] = {
            **old,
            "text": title,
            "font": {**old.get("font", {}), "size": TITLE_SIZE},
            # from the figure's left edge, upwards from above the plot (clear of the
            # subplots' titles) and pushing the top margin to hold its lines
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "bottom",
            "yref": "paper",
            "pad": {**old.get("pad", {}), "b": 28, "l": 8},
            "automargin": True,
        }
    layout["height"] = height
    widths = {"x": _x_title_width(data), "y": AXIS_WIDTH}
    for letter, width in widths.items():
        for axis in _axes(layout, letter):
            axis["automargin"] = True
            text = _title_text(axis)
            if "title" in axis:
                rest = dict(axis["title"]) if isinstance(axis["title"], dict) else {}
                rest.pop("text", None)  # an empty title is none
                axis["title"] = {**rest, "text": _wrapped(text, width)} if text else rest
    return data


@lru_cache(maxsize=1)
def _template() -> dict[str, Any]:
    import plotly.io as pio

    from detente.report.plots import TEMPLATE

    return pio.templates[TEMPLATE].to_plotly_json()


def figure_data(fig: go.Figure) -> dict[str, Any]:
    """``fig`` as the plain data plotly.js draws: laid out for any width
    (:func:`for_any_width`) and in detente's template
    (:data:`~detente.report.plots.TEMPLATE`, put in here rather than by each figure's
    builder, where plotly would copy it for every figure)."""
    data = for_any_width(fig.to_dict())
    data["layout"]["template"] = _template()
    return data


def render_html(
    report: Report, figure_options: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """The report as one HTML document with its plots and scripts inside;
    ``figure_options`` gives an engine's figures their options (``{"bargaining":
    {"pair": ("USA", "PRK")}}``: the utility space of that pair)."""
    import plotly.io as pio

    from detente.report.plots import FIGURE_BUILDERS

    options = figure_options or {}
    figures = {}
    for key, data in report.data.items():
        builder = FIGURE_BUILDERS.get(key)
        if builder is None:
            continue
        if options.get(key):
            builder = functools.partial(builder, **options[key])
        figures[key] = [
            (
                title,
                pio.to_html(
                    figure_data(fig),
                    full_html=False,
                    include_plotlyjs=False,
                    config={"displaylogo": False, "responsive": True},
                    validate=False,
                ),
            )
            for title, fig in builder(data, report.brief)
        ]
    labels = {o["id"]: o["label"] for o in report.brief["options"]}
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            brief=report.brief,
            sections=report.sections,
            figures=figures,
            skipped=report.skipped,
            notes=report.notes,
            labels=labels,
            names={a["id"]: a["name"] for a in report.brief.get("actors", [])},
            version=__version__,
            # plotly.js (4.8 MB) only where a figure is drawn
            plotly_js=_plotly_js() if any(figures.values()) else "",
        )
    )
