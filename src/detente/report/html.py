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

from detente import __version__

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from detente.report import Report

__all__ = ["render_html"]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("detente.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


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


def _for_any_width(fig: go.Figure) -> go.Figure:
    """``fig`` laid out for any width, from a phone's to a desktop's: as wide as its
    box (no fixed width), its legend in rows below the plot rather than beside or over
    it, its titles broken into lines that fit, and its margins grown to hold the tick
    labels, the axis titles and the title."""
    layout = fig.layout
    fig.update_layout(
        autosize=True,
        width=None,
        legend=dict(orientation="h", x=0, xanchor="left", y=0, yanchor="bottom", yref="container"),
    )
    if layout.title.text:
        title = _wrapped(layout.title.text, TITLE_WIDTH)
        # the lines a title gains are added to the figure's height, not taken from its plot
        added = title.count("<br>") - layout.title.text.count("<br>")
        fig.update_layout(
            height=(layout.height or DEFAULT_HEIGHT) + added * TITLE_LINE,
            title=dict(
                text=title,
                font=dict(size=TITLE_SIZE),
                # from the figure's left edge, upwards from above the plot (clear of
                # the subplots' titles) and pushing the top margin to hold its lines
                x=0,
                xanchor="left",
                xref="container",
                y=1,
                yanchor="bottom",
                yref="paper",
                pad=dict(b=28, l=8),
                automargin=True,
            ),
        )
    fig.for_each_xaxis(
        lambda axis: axis.update(
            automargin=True,
            title_text=_wrapped(axis.title.text, AXIS_WIDTH) if axis.title.text else None,
        )
    )
    fig.for_each_yaxis(
        lambda axis: axis.update(
            automargin=True,
            title_text=_wrapped(axis.title.text, AXIS_WIDTH) if axis.title.text else None,
        )
    )
    return fig


def render_html(
    report: Report, figure_options: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """The report as one HTML document with its plots and scripts inside;
    ``figure_options`` gives an engine's figures their options (``{"bargaining":
    {"pair": ("USA", "PRK")}}``: the utility space of that pair)."""
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
                _for_any_width(fig).to_html(
                    full_html=False,
                    include_plotlyjs=False,
                    config={"displaylogo": False, "responsive": True},
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
            version=__version__,
            plotly_js=_plotly_js() if figures else "",
        )
    )
