"""Figures of the bargaining analysis: the utility space of a pair of parties with their
Pareto frontier, and the forums compared by what their best package gives each party.

Both draw from :meth:`CaseBargain.to_dict` data and the case brief; neither runs an engine.

The utility space shows two parties at a time. Unless the caller names the pair, it is the
two parties whose stances lie furthest apart (:func:`furthest_pair`), a choice that depends
on the case alone, so it is the same on every run. Over the cloud of frontier packages the
figure draws the pair's own Pareto frontier (:func:`pair_frontier`): the packages no other
package beats for both of them. Since the cloud is the frontier of every party among the
packages the analysis ranges over (``parameters["among"]``), the pair's frontier within it is
the pair's frontier among all those packages: a package that one package beats for the pair
is beaten by the same point of the all-party frontier, or tied with one on it.

Forums are ranked by their best package (the one the forum's solution picks): first by the
gain of the worst-off party at the table over its status-quo utility, then by the total gain
at the table (:func:`forum_ranking`). The share of a forum's grid inside its zone is no
measure of a forum: a two-issue forum has a small grid and a six-party forum a huge one.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any, NamedTuple

import plotly.graph_objects as go

from detente.report.plots import LAYOUT, PALETTE, SYMBOLS
from detente.report.sections import join_names
from detente.report.text import definite

__all__ = [
    "ForumRow",
    "PairChoice",
    "bargaining_figures",
    "forum_ranking",
    "forums_figure",
    "furthest_pair",
    "pair_frontier",
    "utility_space_figure",
]

SOLUTION_LABELS = {
    "nash": "Nash solution",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "utilitarian": "Utilitarian",
    "egalitarian": "Egalitarian",
    "asymmetric_nash": "Nash with bargaining power",
}

TOL = 1e-9
# The forums chart, in pixels: a row's label (name, size, conditions; LABEL_WIDTH
# characters a line, a phone's, LABEL_LINE pixels a line), then ROW_BAR for its bar and
# markers, then ROW_GAP before the next row.
LABEL_WIDTH = 44
LABEL_LINE = 18
ROW_BAR = 44
ROW_GAP = 24
"""Utilities closer than this count as equal (the bargaining engine's default ``tol``)."""


class PairChoice(NamedTuple):
    """The two parties a utility-space figure shows, and why those two."""

    x: str
    y: str
    distance: float
    why: str


def furthest_pair(data: dict[str, Any], brief: dict[str, Any]) -> PairChoice:
    """The two parties furthest apart, in the order of ``data["actors"]``.

    The distance between two parties is the gap between their positions on each issue of
    the outcome space, as a share of the issue's scale, averaged over the issues on which
    both take a stance, each weighted by the two parties' mean salience on it (a gap on
    an issue neither cares about counts little). Without such issues (an outcome space of
    options only), the distance is what each party loses, in utility, at the other's
    favourite package among those in ``data``, summed. Ties go to the pair that comes
    first in actor order, so the choice depends on the case alone.

    Raises
    ------
    ValueError
        With fewer than two parties.
    """
    actors = list(data["actors"])
    if len(actors) < 2:
        raise ValueError("a utility space needs two parties")
    pairs = [(a, b) for i, a in enumerate(actors) for b in actors[i + 1 :]]
    stances = _stances(data, brief)
    by_position = {pair: _position_distance(stances, *pair) for pair in pairs}
    scored = {pair: d for pair, d in by_position.items() if d is not None}
    if scored:
        # max() keeps the first of equal keys: ties go to the earlier pair.
        pair = max(pairs, key=lambda p: round(scored.get(p, -1.0), 12))
        d = scored[pair]
        return PairChoice(
            *pair,
            d,
            f"their positions lie furthest apart: {100 * d:.0f}% of each issue's scale on "
            "average, weighted by salience",
        )
    packages = _packages(data)
    if not packages:
        return PairChoice(*pairs[0], 0.0, "the first two parties (no packages to compare)")
    favourite = {a: max(packages, key=lambda p: p["utilities"][a]) for a in actors}

    def loss(a: str, b: str) -> float:
        ua = favourite[a]["utilities"][a] - favourite[b]["utilities"][a]
        ub = favourite[b]["utilities"][b] - favourite[a]["utilities"][b]
        return float(ua + ub)

    pair = max(pairs, key=lambda p: round(loss(*p), 12))
    return PairChoice(
        *pair,
        loss(*pair),
        "each loses the most utility at the other's favourite package",
    )


def _stances(data: dict[str, Any], brief: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Issue id -> the brief's issue, for the issues of the outcome space."""
    dims = set(data.get("parameters", {}).get("issues") or [])
    return {
        i["id"]: i
        for i in brief.get("issues", [])
        if (not dims or i["id"] in dims) and i.get("positions")
    }


def _position_distance(issues: dict[str, dict[str, Any]], a: str, b: str) -> float | None:
    total = weight = 0.0
    for issue in issues.values():
        pa, pb = issue["positions"].get(a), issue["positions"].get(b)
        if pa is None or pb is None:
            continue
        lo, hi = issue.get("scale") or (0.0, 100.0)
        span = (hi - lo) or 1.0
        w = (float(pa.get("salience", 1.0)) + float(pb.get("salience", 1.0))) / 2
        total += w * abs(float(pa["position"]) - float(pb["position"])) / span
        weight += w
    return total / weight if weight > 0 else None


def _from_status_quo(data: dict[str, Any]) -> bool:
    """Whether every reservation value is the party's utility of the status quo."""
    return all(b == "status_quo" for b in (data.get("reservation_basis") or {}).values())


def _packages(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The packages the analysis ranges over that the data holds: the frontier and the
    solutions (which lie on it), each once, in outcome order."""
    seen: dict[int, dict[str, Any]] = {}
    for p in [*(data.get("pareto") or []), *(s for s in data["solutions"].values() if s)]:
        seen.setdefault(p["index"], p)
    return [seen[k] for k in sorted(seen)]


def pair_frontier(points: list[tuple[float, float]], *, tol: float = TOL) -> list[int]:
    """The Pareto frontier of two utilities: indices of the points that no other point
    beats on both (at least as good on one, better on the other, by more than ``tol``),
    one per distinct point, from the lowest first utility to the highest.

    Examples
    --------
    >>> pair_frontier([(0.1, 0.9), (0.5, 0.5), (0.4, 0.4), (0.9, 0.1), (0.5, 0.5)])
    [0, 1, 3]
    """
    order = sorted(range(len(points)), key=lambda k: (-points[k][0], -points[k][1], k))
    kept: list[int] = []
    best_y = float("-inf")
    for k in order:
        if points[k][1] > best_y + tol:
            kept.append(k)
            best_y = points[k][1]
    return kept[::-1]


def _levels_text(package: dict[str, Any], issue_names: dict[str, str]) -> str:
    parts = [f"{issue_names.get(k, k)} {v:g}" for k, v in package.get("issues", {}).items()]
    taken = [k.removeprefix("option:") for k, v in (package.get("options") or {}).items() if v]
    if package.get("options"):
        parts.append("options taken: " + (", ".join(taken) if taken else "none"))
    return "<br>".join(parts)


def utility_space_figure(
    data: dict[str, Any],
    brief: dict[str, Any],
    *,
    pair: tuple[str, str] | None = None,
) -> go.Figure:
    """Two parties' utilities: the packages of the frontier as a cloud, the pair's own
    Pareto frontier as a line over it, the status quo (the disagreement point) and the
    solutions.

    Parameters
    ----------
    data : dict
        :meth:`CaseBargain.to_dict` output.
    brief : dict
        The case brief (:func:`detente.report.brief.case_brief`).
    pair : (str, str), optional
        The parties on the x and y axes (actor ids); default :func:`furthest_pair`.

    Raises
    ------
    ValueError
        When ``pair`` names a party the analysis does not have, or the same one twice.
    """
    names = {a["id"]: a["name"] for a in brief.get("actors", [])}
    issue_names = {i["id"]: i["name"] for i in brief.get("issues", [])}
    if pair is None:
        choice = furthest_pair(data, brief)
        x, y = choice.x, choice.y
        why = f"Default pair: {choice.why}."
    else:
        x, y = pair
        unknown = [a for a in (x, y) if a not in data["actors"]]
        if unknown or x == y:
            raise ValueError(
                f"a utility space needs two different parties of {', '.join(data['actors'])}, "
                f"not {x!r} and {y!r}"
            )
        why = "Pair chosen by the caller."
    nx, ny = names.get(x, x), names.get(y, y)
    rx, ry = data["reservation"][x], data["reservation"][y]
    sq = _from_status_quo(data)
    than = "the status quo" if sq else "their reservation values"
    packages = _packages(data)
    points = [(p["utilities"][x], p["utilities"][y]) for p in packages]
    frontier = [packages[k] for k in pair_frontier(points)]
    fig = go.Figure()
    fig.add_shape(
        type="rect",
        x0=rx,
        y0=ry,
        x1=1,
        y1=1,
        line=dict(width=0),
        fillcolor="rgba(0,114,178,0.08)",
        layer="below",
    )
    among = data.get("parameters", {}).get("among", "zopa")
    cloud_name = (
        f"Packages every party prefers to {'the status quo' if sq else 'its reservation value'} "
        "(all-party frontier)"
        if among == "zopa"
        else "All-party Pareto frontier"
    )
    if packages:
        fig.add_trace(
            go.Scatter(
                x=[p["utilities"][x] for p in packages],
                y=[p["utilities"][y] for p in packages],
                mode="markers",
                name=cloud_name,
                marker=dict(color="#999999", symbol="circle-open", size=7),
                text=[_levels_text(p, issue_names) for p in packages],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    if frontier:
        fig.add_trace(
            go.Scatter(
                x=[p["utilities"][x] for p in frontier],
                y=[p["utilities"][y] for p in frontier],
                mode="lines+markers",
                name=f"Pareto frontier for {definite(nx)} and {definite(ny)}",
                line=dict(color="#0072B2", width=2.5),
                marker=dict(color="#0072B2", symbol="circle", size=8),
                text=[_levels_text(p, issue_names) for p in frontier],
                hovertemplate="%{text}<extra></extra>",
                meta={"frontier_indices": [p["index"] for p in frontier]},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[rx],
            y=[ry],
            mode="markers",
            name="Status quo (disagreement point)" if sq else "Disagreement point (no deal)",
            marker=dict(color="#000000", symbol="x", size=13),
        )
    )
    solved = [(k, s) for k, s in data["solutions"].items() if s]
    for k, (key, solution) in enumerate(solved):
        fig.add_trace(
            go.Scatter(
                x=[solution["utilities"][x]],
                y=[solution["utilities"][y]],
                mode="markers",
                name=SOLUTION_LABELS.get(key, key),
                marker=dict(
                    color=PALETTE[(k + 1) % len(PALETTE)],
                    symbol=SYMBOLS[(k + 1) % len(SYMBOLS)],
                    size=14,
                    line=dict(color="#000000", width=1),
                ),
                text=[_levels_text(solution, issue_names)],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    shown = len(data.get("pareto") or [])
    count = data.get("pareto_count", shown)
    notes = [why]
    if not packages:
        notes.append(f"No package leaves every party better off than {than}: no frontier.")
    elif count > shown:
        notes.append(
            f"The frontier is drawn from the {shown:,} of {count:,} all-party frontier packages "
            "the analysis kept (pareto_limit)."
        )
    fig.update_layout(
        **{
            **LAYOUT,
            "height": 560,
            "legend": dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.02),
            "margin": dict(l=60, r=20, t=100, b=60),
        },
        title=(
            f"Utility space: {nx} and {ny}<br><sup>Line: the packages no other beats for both; "
            f"shaded: both better off than {than}.</sup><br><sup>" + " ".join(notes) + "</sup>"
        ),
        meta={"pair": [x, y], "why": why},
    )
    xs = [rx, *(pt[0] for pt in points)]
    ys = [ry, *(pt[1] for pt in points)]
    pad_x = max(0.03, 0.08 * (max(xs) - min(xs)))
    pad_y = max(0.03, 0.08 * (max(ys) - min(ys)))
    fig.update_xaxes(
        title=f"Utility of {definite(nx)} (0 worst, 1 best)",
        range=[max(0.0, min(xs) - pad_x), min(1.02, max(xs) + pad_x)],
    )
    fig.update_yaxes(
        title=f"Utility of {definite(ny)} (0 worst, 1 best)",
        range=[max(0.0, min(ys) - pad_y), min(1.02, max(ys) + pad_y)],
    )
    return fig


@dataclass(frozen=True)
class ForumRow:
    """One forum as the forum chart ranks it.

    Attributes
    ----------
    id, name : str
    participants : tuple of str
    gains : dict
        Participant -> utility of the forum's best package minus its reservation value
        (its status-quo utility unless the case gives another; empty without a package).
    worst : str or None
        The participant who gains least (the first in the forum's order on a tie).
    conditions : tuple of str
        Who attends only if what, who is required, what the rules need first and who
        stays away, in words.
    """

    id: str
    name: str
    participants: tuple[str, ...]
    gains: dict[str, float]
    worst: str | None
    conditions: tuple[str, ...]

    @property
    def worst_gain(self) -> float | None:
        return None if self.worst is None else self.gains[self.worst]

    @property
    def total_gain(self) -> float:
        return sum(self.gains.values())


_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = {"and", "or", "not", "implies", "iff", "true", "false"}


def _condition_words(
    expression: str, names: dict[str, str], labels: dict[str, str] | None = None
) -> str:
    """A participation rule in words: an actor named, as attending ("the United States
    attends"), an option by its label as the case writes it ("China convenes
    multilateral talks", not "china convenes"; only a leading "The" lowered, mid-sentence);
    a token neither names, as a word."""
    labels = labels or {}

    def word(m: re.Match[str]) -> str:
        token = m[0]
        if token.lower() in _KEYWORDS:
            return token
        if token in names:
            return f"{definite(names[token])} attends"
        if token in labels:
            label = labels[token]
            return "the" + label[3:] if label.startswith("The ") else label
        return token.replace("_", " ")

    return _WORDS.sub(word, expression)


def forum_ranking(data: dict[str, Any], brief: dict[str, Any]) -> list[ForumRow]:
    """The forums of ``data``, best first: forums whose best package every participant
    prefers to the status quo before the others, by the worst-off participant's gain,
    then by the total gain at the table, then in the case's order."""
    names = {a["id"]: a["name"] for a in brief.get("actors", [])}
    rules = {f["id"]: f for f in brief.get("forums", [])}
    reservation = data["reservation"]
    rows = []
    for forum in data.get("forums") or []:
        best = forum.get("best")
        gains = (
            {
                a: float(best["utilities"][a] - reservation[a])
                for a in forum["participants"]
                if a in best["utilities"] and a in reservation
            }
            if best and forum.get("agreement_possible")
            else {}
        )
        worst = min(gains, key=lambda a: gains[a]) if gains else None
        spec = rules.get(forum["id"], {})
        labels = {o["id"]: o.get("label") or o["id"] for o in brief.get("options", [])}
        conditions = [
            f"{definite(names.get(r['actor'], r['actor']), start=True)} attends only if "
            f"{_condition_words(r['attends_if'], names, labels)}"
            for r in spec.get("rules", [])
        ]
        if spec.get("required"):
            # the forum's required members, not its only ones: it meets only when they
            # are all present
            conditions.append(
                "needs "
                + join_names([definite(names.get(a, a)) for a in spec["required"]])
                + " present"
            )
        if forum.get("commitments"):
            conditions.append(
                "needs first: "
                + "; ".join(labels.get(o, o.replace("_", " ")) for o in forum["commitments"])
            )
        for a, reason in (forum.get("absent") or {}).items():
            conditions.append(f"{definite(names.get(a, a), start=True)} stays away ({reason})")
        rows.append(
            ForumRow(
                forum["id"],
                forum["name"],
                tuple(forum["participants"]),
                gains,
                worst,
                tuple(conditions),
            )
        )
    order = {r.id: k for k, r in enumerate(rows)}
    return sorted(
        rows,
        key=lambda r: (
            r.worst is None,
            -round(r.worst_gain or 0.0, 12),
            -round(r.total_gain, 12),
            order[r.id],
        ),
    )


def forums_figure(data: dict[str, Any], brief: dict[str, Any]) -> go.Figure:
    """The forums compared by their best package: each participant's gain over the
    status quo (one marker per party), the worst-off participant's gain as a bar (the
    ranking), and each forum's name, size and entry conditions above its row, as wide as
    the plot (in lines that fit a phone).

    The y axis counts pixels down from the top (``layout.meta["rows"]``: each row's
    middle), so that a row holds its label whatever its length."""
    names = {a["id"]: a["name"] for a in brief.get("actors", [])}
    issue_ids = {i["id"] for i in brief.get("issues", [])}
    by_id = {f["id"]: f for f in data.get("forums") or []}
    ranking = forum_ranking(data, brief)
    than = "the status quo" if _from_status_quo(data) else "its reservation value"
    robustness = data.get("robustness") or {}
    actors = list(data["actors"])
    n = len(actors)
    labels = []
    for r in ranking:
        forum = by_id[r.id]
        agenda = forum.get("agenda") or []
        n_issues = sum(i in issue_ids for i in agenda)
        size = f"{len(r.participants)} parties, {n_issues} issue{'s' if n_issues != 1 else ''}"
        lines = [
            *(f"<b>{part}</b>" for part in textwrap.wrap(r.name, LABEL_WIDTH - 4)),
            size,
            *(part for c in r.conditions for part in textwrap.wrap(c, LABEL_WIDTH)),
        ]
        share = (robustness.get("forums") or {}).get(r.id)
        if share is not None:
            lines.append(f"holds in {100 * share:.0f}% of {robustness.get('samples', 0):,} samples")
        labels.append("<br>".join(lines))
    # Each row, in pixels: its label, then its bar and markers, then a gap.
    tops, rows, top = [], [], 0.0
    for label in labels:
        tops.append(-top)
        label_px = LABEL_LINE * (label.count("<br>") + 1) + 6
        rows.append(-(top + label_px + ROW_BAR / 2))
        top += label_px + ROW_BAR + ROW_GAP
    offset = {a: 0.8 * ROW_BAR * ((k + 0.5) / max(n, 1) - 0.5) for k, a in enumerate(actors)}
    fig = go.Figure()
    agreeing = [(k, r) for k, r in enumerate(ranking) if r.worst is not None]
    if agreeing:
        fig.add_trace(
            go.Bar(
                x=[r.worst_gain for _, r in agreeing],
                y=[rows[k] for k, _ in agreeing],
                orientation="h",
                width=0.9 * ROW_BAR,
                name="Worst-off participant's gain (the ranking)",
                marker=dict(color="rgba(0,114,178,0.18)", line=dict(color="#0072B2", width=1)),
                hovertext=[
                    f"{r.name}: the worst-off at the table, {names.get(str(r.worst), r.worst)}, "
                    f"gains {r.worst_gain:+.3f}"
                    for _, r in agreeing
                ],
                hoverinfo="text",
            )
        )
    for j, actor in enumerate(actors):
        at = [(k, r) for k, r in enumerate(ranking) if actor in r.gains]
        if not at:
            continue
        fig.add_trace(
            go.Scatter(
                x=[r.gains[actor] for _, r in at],
                y=[rows[k] + offset[actor] for k, _ in at],
                mode="markers",
                name=names.get(actor, actor),
                marker=dict(
                    color=PALETTE[j % len(PALETTE)],
                    symbol=SYMBOLS[j % len(SYMBOLS)],
                    size=11,
                    line=dict(color="#000000", width=1),
                ),
                hovertext=[
                    f"{names.get(actor, actor)} in {r.name}: {r.gains[actor]:+.3f} over {than}"
                    for _, r in at
                ],
                hoverinfo="text",
            )
        )
    for k, r in enumerate(ranking):
        fig.add_annotation(
            x=0,
            xref="paper",
            y=tops[k],
            yref="y",
            text=labels[k],
            showarrow=False,
            xanchor="left",
            yanchor="top",
            align="left",
            font=dict(size=12),
            name="forum",
        )
        if r.worst is None:
            why = (
                "does not meet"
                if len(r.participants) < 2
                else f"no package every participant prefers to {than.replace('its', 'their')}"
            )
            fig.add_annotation(
                x=0,
                y=rows[k],
                text="<br>".join(textwrap.wrap(why, 28)),
                showarrow=False,
                xanchor="left",
                align="left",
                font=dict(size=12, color="#555555"),
            )
    fig.add_vline(x=0, line=dict(color="#000000", width=1))
    gains = [g for r in ranking for g in r.gains.values()]
    hi = max([0.05, *gains])
    lo = min([0.0, *gains])
    fig.update_layout(
        **{
            **LAYOUT,
            # the rows' pixels, and the title's and the axis's above and below
            "height": int(200 + top),
            "legend": dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.02),
            "margin": dict(l=20, r=20, t=80, b=60),
        },
        title=(
            "Forums compared by their best package<br><sup>Each participant's gain over "
            f"{than}; ranked by the worst-off participant's gain, then the total gain</sup>"
        ),
        meta={"order": [r.id for r in ranking], "labels": labels, "rows": rows},
    )
    fig.update_xaxes(
        title=f"Gain in utility over {than} (utilities run from 0 worst to 1 best)",
        range=[lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)],
    )
    fig.update_yaxes(
        showticklabels=False,
        ticks="",
        showline=False,
        range=[-top, 4],
        showgrid=False,
    )
    return fig


def bargaining_figures(
    data: dict[str, Any], brief: dict[str, Any], *, pair: tuple[str, str] | None = None
) -> list[tuple[str, go.Figure]]:
    """The bargaining figures of a report: the utility space of ``pair`` (default
    :func:`furthest_pair`) and, when the case has forums, the forums compared."""
    figures = [("The utility space", utility_space_figure(data, brief, pair=pair))]
    if data.get("forums"):
        figures.append(("The forums side by side", forums_figure(data, brief)))
    return figures
