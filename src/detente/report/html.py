"""The self-contained HTML report: one file, no network needed to open it.

Styles and plotly's script are inlined; every string from the case is escaped by
Jinja2's autoescaping, so a case cannot inject markup or scripts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape

from detente import __version__

if TYPE_CHECKING:
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
                fig.to_html(
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
