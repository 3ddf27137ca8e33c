"""The HTML report on a phone, in a real browser (chromium, headless, driven by
Playwright): korea's report, the one ``detente analyze korea --html`` writes and a
run's ``/runs/N/report.html`` serves, at 375 px is no wider than the window (a table
scrolls inside its own box), and each figure fits it with its title inside the figure
and its legend below the plot, not beside or over it; and no legend entry, tick label,
axis title, annotation or state label spills out of its figure, nor do two tick labels
of an axis overlap (the forum chart's labels did, and long legends were cut off)."""

from __future__ import annotations

import pytest

import detente
from detente.analysis import analyze
from detente.report import analysis_report

pytestmark = pytest.mark.xdist_group("web-browser")

PHONE = {"width": 375, "height": 800}

# Each figure's box, its plot area's, its title's and its legend's, in the page's pixels.
FIGURES = """() => [...document.querySelectorAll('.js-plotly-plot')].map((div) => {
  const box = (el) => {
    if (!el) { return null; }
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  };
  const figure = box(div);
  const size = div._fullLayout._size;
  return {
    name: (div.closest('figure').querySelector('figcaption') || {}).textContent,
    figure,
    plotBottom: figure.top + size.t + size.h,
    title: box(div.querySelector('.gtitle')),
    legend: div._fullLayout.showlegend ? box(div.querySelector('.legend')) : null,
  };
})"""


# Every label of every figure that lies (even partly) outside its figure's box, and every
# pair of an axis's tick labels that overlap, as lines of text.
SPILLS = """() => {
  const out = [];
  const inside = (r, f) =>
    r.left >= f.left - 1 && r.right <= f.right + 1 && r.top >= f.top - 1 && r.bottom <= f.bottom + 1;
  const parts = {
    "legend entry": ".legend .traces text",
    "tick label": ".xtick text, .ytick text",
    "axis title": ".xtitle, .ytitle, [class^='g-x'] text, [class^='g-y'] text",
    "annotation": ".annotation-text",
    "state label": ".textpoint text",
    "title": ".gtitle",
  };
  document.querySelectorAll(".js-plotly-plot").forEach((div) => {
    const fig = div.getBoundingClientRect();
    const name = (div.closest("figure")?.querySelector("figcaption")?.textContent || "").slice(0, 50);
    for (const [what, selector] of Object.entries(parts)) {
      div.querySelectorAll(selector).forEach((el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) { return; }
        if (!inside(r, fig)) {
          out.push(`${name}: ${what} '${el.textContent.slice(0, 40)}' spills out of the figure`);
        }
      });
    }
    for (const axis of [".xtick text", ".ytick text"]) {
      const boxes = [...div.querySelectorAll(axis)]
        .map((el) => [el.textContent, el.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0);
      boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, q]) => {
        const dx = Math.min(r.right, q.right) - Math.max(r.left, q.left);
        const dy = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
        if (dx > 1 && dy > 1) { out.push(`${name}: tick labels '${a.slice(0, 30)}' and '${b.slice(0, 30)}' overlap`); }
      }));
    }
  });
  return out;
}"""


def figure_spills(page) -> list[str]:
    """The labels of the page's figures that spill out of their figure or overlap."""
    return page.evaluate(SPILLS)


@pytest.fixture(scope="module")
def korea_report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "korea.html"
    path.write_text(analysis_report(analyze(detente.load("korea"))).to_html())
    return path


def test_korea_report_fits_a_phone(browser, korea_report):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(korea_report.as_uri())
    page.wait_for_function(
        "() => [...document.querySelectorAll('.plotly-graph-div')]"
        ".every((div) => div.querySelector('.main-svg'))"
    )
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"the report at 375 px is {scroll} px wide"
    figures = page.evaluate(FIGURES)
    assert len(figures) >= 10
    for f in figures:
        box = f["figure"]
        assert box["right"] <= client, f"{f['name']}: wider than the window"
        if f["title"]:
            title = f["title"]
            assert box["left"] <= title["left"] and title["right"] <= box["right"] + 1, (
                f"{f['name']}: its title spills out of the figure sideways"
            )
            assert box["top"] <= title["top"], f"{f['name']}: its title is cut off at the top"
        if f["legend"]:
            legend = f["legend"]
            assert legend["top"] >= f["plotBottom"] - 1, (
                f"{f['name']}: its legend is beside or over the plot, not below it"
            )
            # (an entry longer than a phone's width is cut at the figure's right edge)
            assert legend["left"] >= box["left"] - 1 and legend["bottom"] <= box["bottom"] + 1, (
                f"{f['name']}: its legend spills out of the figure"
            )
    spills = figure_spills(page)
    assert spills == [], "\n".join(spills)
    assert errors == []
    context.close()


# Each table box: whether it scrolls (wider content than box), whether a visible hint
# stands above it, and whether a shadow is painted at its edges.
SCROLL_BOXES = """() => [...document.querySelectorAll('.scroll')].map((box) => {
  const hint = box.previousElementSibling;
  const shown = !!hint && hint.classList.contains('scroll-hint') && !hint.hidden
    && hint.getBoundingClientRect().height > 0;
  return {
    head: (box.querySelector('th') || {}).textContent,
    scrolls: box.scrollWidth > box.clientWidth + 1,
    hint: shown,
    shadow: getComputedStyle(box).backgroundImage.includes('gradient'),
  };
})"""


def test_a_table_that_scrolls_on_a_phone_says_so(browser, korea_report):
    """At 375 px the issues table (and ten others) showed 3 of 6 parties, the rest behind
    a horizontal scroll with no cue: each such table has a hint above it and a shadow at
    the edge it scrolls towards; at a desktop's width a table that fits has no hint."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(korea_report.as_uri())
    boxes = page.evaluate(SCROLL_BOXES)
    scrolling = [b for b in boxes if b["scrolls"]]
    assert scrolling, "no table scrolls at 375 px: the test checks nothing"
    assert any(b["head"] == "Issue" for b in scrolling)
    for b in scrolling:
        assert b["hint"], f"the table headed {b['head']!r} scrolls without a hint"
        assert b["shadow"], f"the table headed {b['head']!r} scrolls without a shadow"
    page.set_viewport_size({"width": 1400, "height": 900})
    page.wait_for_timeout(200)
    for b in page.evaluate(SCROLL_BOXES):
        assert b["hint"] == b["scrolls"], f"the table headed {b['head']!r}: hint out of step"
    context.close()
