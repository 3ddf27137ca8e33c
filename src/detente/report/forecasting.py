"""The forecasting section: where the bargaining on each issue is heading.

Point forecasts are single runs on the point estimates of the inputs, and a run of
the expected utility or spatial model can jump when an input moves a little; the
section says so when there are no Monte Carlo samples, and names each point forecast
that lies outside the middle 90 % of the samples when there are.

Red lines are told per issue: whose red line each model's forecast crosses (an
outcome that party never accepts), with the forecast shown to the decimals that
show it beyond the line; that every forecast respects them when none does; which
vetoed levels the bargaining models could not enforce; and a starting position that
already lies beyond its own party's red line. A table lists the crossings.

Sensitivity is told with the Spearman rank correlation ρ between each uncertain
input and the forecast over the samples. An input is called influential only when
``|ρ| >= 0.3`` -- Cohen's (1988) "medium" correlation, at which the input's rank
accounts for about a tenth of the variance of the forecast's ranks -- and when
``|ρ|`` also exceeds ``z / sqrt(N - 1)``, the noise bound of ρ for independent
samples (its variance under independence is ``1 / (N - 1)``; Kendall and Stuart
1979), with ``z`` the normal quantile of a two-sided 5 % test over all ``m`` inputs
at once (Bonferroni: ``z = Φ⁻¹(1 - 0.025 / m)``), so that neither a few samples nor
many inputs make noise look like influence. Otherwise no single input dominates, and
the strongest is named with its ρ.

References
----------
Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.
Lawrence Erlbaum, ch. 3.
Kendall, M. G., and Stuart, A. (1979). *The Advanced Theory of Statistics*, vol. 2,
4th ed. Griffin.
"""

from __future__ import annotations

import math
import re
from statistics import NormalDist
from typing import Any

from detente.report.sections import Section, Table, join_names
from detente.report.text import definite, possessive

__all__ = ["forecast_section"]

MODEL_NAMES = {
    "eum": "expected utility model",
    "smp": "spatial model",
    "mean": "weighted mean",
    "median": "weighted median",
}
STOPPED = {
    "converged": "converged",
    "cycle": "cycled; the forecast averages the cycle",
    "max_rounds": "hit the round limit",
    "fixed_rounds": "fixed rounds",
}


INFLUENTIAL = 0.3
"""The smallest |rank correlation| for calling an input influential (Cohen's "medium")."""

_INPUT = re.compile(r"^(capability|position|salience)\[([^,\]]+)(?:, ([^\]]+))?\]$")


def influence_threshold(n_samples: int, n_inputs: int = 1) -> float:
    """The |rank correlation| an input needs over ``n_samples`` samples to be called
    influential among ``n_inputs`` inputs: :data:`INFLUENTIAL`, or the noise bound
    ``z / sqrt(N - 1)`` of a rank correlation between independent variables, ``z``
    the Bonferroni-corrected two-sided 5 % normal quantile, when that is larger (see
    the module docstring)."""
    if n_samples < 2:
        return math.inf
    z = NormalDist().inv_cdf(1 - 0.025 / max(1, n_inputs))
    return max(INFLUENTIAL, z / math.sqrt(n_samples - 1))


def _who_ends_there(run: dict[str, Any], names: dict[str, str], scale: list[float]) -> str:
    """Which parties end at the forecast, from the run's ``closest`` (every party within
    1 % of the scale of it), or the closest one and where it ends."""
    final = dict(run["rounds"][-1])
    average = run.get("extra", {}).get("final_average")
    if average is not None:  # after a cycle, the positions averaged over it
        final = dict(zip(final, average, strict=True))
    closest = list(run.get("closest") or [])
    if not closest:
        closest = [min(final, key=lambda a: abs(final[a] - run["forecast"]))]
    tol = 0.01 * (scale[1] - scale[0])
    there = [
        a for a in final if a in closest and abs(final[a] - run["forecast"]) <= tol * (1 + 1e-9)
    ]
    if len(there) == len(final):
        return "every party ends there"
    if there:
        return f"{join_names([definite(names.get(a, a)) for a in there])} end{'s' if len(there) == 1 else ''} there"
    at: dict[str, list[str]] = {}  # the nearest may lie on either side of the forecast
    for a in closest:
        at.setdefault(f"{final[a]:.0f}", []).append(definite(names.get(a, a)))
    return "closest: " + join_names([f"{join_names(who)} at {x}" for x, who in at.items()])


def _input_name(label: str, names: dict[str, str], issue: str, issue_names: dict[str, str]) -> str:
    """``position[CHN, sanctions_relief]`` as "China's position" (naming the issue
    only when it is not the one at hand)."""
    match = _INPUT.match(label)
    if not match:
        return label
    kind, actor, on = match.groups()
    text = f"{possessive(names.get(actor, actor))} {kind}"
    if on and on != issue:
        text += f" on {issue_names.get(on, on)}"
    return text


def _sensitivity(
    summary: dict[str, Any], names: dict[str, str], issue: str, issue_names: dict[str, str]
) -> str:
    """What moves a model's forecast over the samples, with the rank correlations."""
    ranked = [(k, v) for k, v in summary.get("sensitivity", {}).items() if v is not None]
    if not ranked:
        return ""
    ranked.sort(key=lambda kv: -abs(kv[1]))
    n = len(summary["samples"]) if isinstance(summary["samples"], list) else summary["samples"]
    threshold = influence_threshold(int(n), len(ranked))
    strong = [(k, v) for k, v in ranked if abs(v) >= threshold][:2]
    if strong:
        which = join_names([_input_name(k, names, issue, issue_names) for k, _ in strong])
        rhos = join_names([f"{v:.2f}" for _, v in strong])
        return f"moved most by {which}, rank correlation{'s' if len(strong) > 1 else ''} {rhos}"
    label, rho = ranked[0]
    return (
        f"no single input dominates: the strongest, {_input_name(label, names, issue, issue_names)}, "
        f"has a rank correlation of {rho:.2f}"
    )


def _pair(*values: float) -> list[str]:
    """Values to 0 decimals, or to 1 or 2 where rounding would make different ones look equal."""
    for digits in (0, 1, 2):
        shown = [f"{v:.{digits}f}" for v in values]
        if len(set(shown)) == len(set(values)):
            return shown
    return shown


def _levels(values: list[float]) -> str:
    return join_names([f"{v:g}" for v in values])


def _beyond(value: float, line: dict[str, Any], model: str = "") -> str:
    """``value`` to the fewest decimals (up to 6; at least 1 for the weighted mean, as
    elsewhere in the section) at which it still lies beyond the red line's interval,
    so that 50.3 past "at most 50" does not read as 50."""
    lo, hi = line.get("at_least"), line.get("at_most")
    for digits in range(1 if model == "mean" else 0, 7):
        shown = round(value, digits)
        if (lo is not None and shown < lo) or (hi is not None and shown > hi):
            return f"{value:.{digits}f}"
    return f"{value:.0f}" if value == round(value) else f"{value:g}"


def _red_line_findings(
    entry: dict[str, Any], names: dict[str, str], models: list[str]
) -> list[str]:
    """What the forecasts of one issue do with the parties' red lines."""
    lines = entry.get("red_lines") or {}
    if not lines:
        return []
    issue = entry["name"]
    crossed: dict[str, list[dict[str, Any]]] = {}
    for crossing in entry.get("crosses_red_lines") or []:
        crossed.setdefault(crossing["actor"], []).append(crossing)
    out = []
    if crossed:
        # parties with the same red line crossed by the same forecasts are told together
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for actor, crossings in crossed.items():
            key = (crossings[0]["red_line"], tuple(c["model"] for c in crossings))
            groups.setdefault(key, []).append(actor)
        for (_description, _models), actors in groups.items():
            crossings = crossed[actors[0]]
            line = lines.get(actors[0], {"red_line": crossings[0]["red_line"]})
            which = join_names(
                [
                    f"the {MODEL_NAMES.get(c['model'], c['model'])} ({_beyond(c['forecast'], line, c['model'])})"
                    for c in crossings
                ]
            )
            verb = "crosses" if len(crossings) == 1 else "cross"
            who = [names.get(a, a) for a in actors]
            if len(who) == 1:
                whose = f"{possessive(who[0])} red line ({line['red_line']}), an outcome {definite(who[0])} never accepts"
            else:
                nobody = "neither" if len(who) == 2 else "none of them"
                whose = f"the red line {join_names([definite(w) for w in who])} share ({line['red_line']}), an outcome {nobody} accepts"
            out.append(
                f"{issue}: the forecast{'s' if len(crossings) > 1 else ''} of {which} {verb} {whose}."
            )
    else:
        held = join_names(
            [f"{possessive(names.get(a, a))} ({line['red_line']})" for a, line in lines.items()]
        )
        out.append(f"{issue}: every forecast respects the red lines of the parties: {held}.")
    bargaining = [MODEL_NAMES[m] for m in models if m in ("eum", "smp") and m in entry["models"]]
    runs = join_names([f"the {m}" for m in bargaining]) if bargaining else ""
    vetoes = entry.get("vetoes_not_enforced") or {}
    if vetoes and runs:
        vetoed = join_names(
            [
                f"{possessive(names.get(a, a))} veto{'es' if len(v) > 1 else ''} of {_levels(v)}"
                for a, v in vetoes.items()
            ]
        )
        out.append(
            f"{issue}: {runs} cannot enforce {vetoed}: they move positions on a continuous "
            "scale and keep each party only within its red line's interval (a forecast on a "
            "vetoed level is still reported as crossing it)."
        )
    for actor, line in lines.items():
        start, lo, hi = line.get("position"), line.get("at_least"), line.get("at_most")
        if start is None or not (
            (lo is not None and start < lo - 1e-9) or (hi is not None and start > hi + 1e-9)
        ):
            continue
        who = names.get(actor, actor)
        text = (
            f"{issue}: {possessive(who)} starting position ({start:g}) lies beyond its own red "
            f"line ({line['red_line']})"
        )
        if runs:
            text += f"; {runs} move{'s' if len(bargaining) == 1 else ''} it to the line in the first round"
        out.append(text + ".")
    return out


def _record_rows(record: dict[str, Any], models: list[str]) -> list[list[str]]:
    """One row per model run: its mean absolute error on the benchmark and its difference
    from the compromise model's."""
    recs = record.get("models") or {}
    base = recs.get("mean")
    rows = []
    for m in ["mean", *[m for m in models if m != "mean"]]:
        r = recs.get(m)
        if r is None or m not in MODEL_NAMES:
            continue
        if m == "mean":
            rows.append(["compromise model (weighted mean)", f"{r['mae']:.1f}", "recommended"])
            continue
        elif base is not None and "low" in r:
            diff = f"{r['mae'] - base['mae']:+.1f} ({r['low']:+.1f} to {r['high']:+.1f})"
        else:
            diff = "–"
        rows.append([MODEL_NAMES[m], f"{r['mae']:.1f}", diff])
    return rows


def forecast_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Turn :meth:`CaseForecast.to_dict` output into findings and tables."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    findings = []
    params = data["parameters"]
    models = list(params["models"])
    settings = []
    if params.get("variant") and params["variant"] != "paper" and "eum" in models:
        settings.append(
            f"the expected utility model runs as the replication code does ({params['variant']})"
        )
    if params.get("joint") and "smp" in models:
        settings.append("the spatial model bargains over all issues at once")
    smp = {k: v for k, v in (params.get("smp") or {}).items() if k != "seed"}
    if smp and "smp" in models:
        seed = (params.get("smp") or {}).get("seed")
        settings.append(
            "the spatial model's parameters: "
            + ", ".join(f"{k} {v}" for k, v in smp.items())
            + (
                f" (seed {seed})"
                if smp.get("transitions") == "stochastic" and seed is not None
                else ""
            )
        )
    if params.get("rounds"):
        settings.append(f"every model plays exactly {params['rounds']} rounds")
    if settings:
        findings.append("Settings: " + "; ".join(settings) + ".")
    rows = []
    issue_names = {i: e["name"] for i, e in data["issues"].items()}
    issue_names.update({i["id"]: i["name"] for i in brief.get("issues", [])})
    for issue_id, entry in data["issues"].items():
        by_model = entry["models"]
        rec = entry.get("recommended")
        first = next(iter(by_model.values()))
        mean, median = first["baselines"]["mean"], first["baselines"]["median"]
        parts = []
        for model in models:
            if model in ("mean", "median") or model not in by_model:
                continue
            f = by_model[model]
            parts.append(
                f"the {MODEL_NAMES[model]} forecasts {f['forecast']:.0f} after {f['n_rounds']} round{'s' if f['n_rounds'] != 1 else ''} "
                f"({STOPPED.get(f['stopped'], f['stopped'])}; {_who_ends_there(f, names, entry['scale'])})"
            )
        baselines = []
        if "mean" in models and not rec:
            baselines.append(f"the weighted mean of the starting positions is {mean:.1f}")
        if "median" in models:
            baselines.append(
                f"the weighted median {median:.0f}"
                if baselines or not rec
                else f"the weighted median of the starting positions is {median:.0f}"
            )
        if rec:
            lo50, hi50 = rec["interval_50"]
            lo, hi = rec["interval"]
            parts.insert(
                0,
                f"detente's forecast is {rec['forecast']:.0f}, the compromise position (50% "
                f"interval {lo50:.0f} to {hi50:.0f}, {rec['level']:.0%} {lo:.0f} to {hi:.0f})",
            )
        text = f"{entry['name']}: " + "; ".join(
            [*parts, " and ".join(baselines)] if baselines else parts
        )
        if "mean" in models and "median" in models and abs(mean - median) >= 20:
            text += " (mean and median lie far apart: the parties split into blocs, so one number would mislead)"
        mc = entry.get("monte_carlo", {})
        fragile = []
        if mc:
            first_summary = next(iter(mc.values()))
            n = first_summary["samples"]
            n = len(n) if isinstance(n, list) else n
            parts = []
            for key, summary in mc.items():
                lo, hi = summary["interval"]
                moved = _sensitivity(summary, names, issue_id, issue_names)
                level = f"{summary.get('level', 0.9):.0%}"
                parts.append(
                    f"the {MODEL_NAMES.get(key, key)} gives {summary['median']:.0f} ({level} between {lo:.0f} and {hi:.0f}"
                    + (f"; {moved})" if moved else ")")
                )
                point = by_model.get(key, {}).get("forecast")
                if point is not None and not lo <= point <= hi:
                    p, a, b = _pair(point, lo, hi)
                    fragile.append(
                        f"The {MODEL_NAMES.get(key, key)}'s point forecast, {p}, lies outside the "
                        f"middle {level} of the samples ({a} to {b}): fragile."
                    )
            text += f". Over {n:,} samples of uncertain inputs " + "; ".join(parts)
        findings.append(" ".join([text + ".", *fragile]))
        findings += _red_line_findings(entry, names, models)
        rows.append(
            [
                entry["name"],
                *(
                    [
                        f"{rec['forecast']:.0f} ({rec['interval_50'][0]:.0f}–"
                        f"{rec['interval_50'][1]:.0f})"
                    ]
                    if rec
                    else []
                ),
                *[
                    f"{by_model[m]['forecast']:.1f}" if m in by_model else "-"
                    for m in models
                    if m not in ("mean", "median")
                ],
                *([f"{mean:.1f}"] if "mean" in models and not rec else []),
                *([f"{median:.0f}"] if "median" in models else []),
            ]
        )
    record = data.get("record") or {}
    record_rows = _record_rows(record, models)
    if record_rows:
        bench = record["benchmark"]
        others = [
            f"the {MODEL_NAMES[m]} by {r['mae']:.0f}"
            for m, r in record["models"].items()
            if m != "mean" and m in MODEL_NAMES and m in models
        ]
        findings.append(
            f"How far to trust {'each model' if len(models) > 1 else 'the model'}: on "
            f"{bench['issues']} resolved EU legislative issues ({bench['name']}), the "
            "compromise model missed the recorded outcome by "
            f"{record['models']['mean']['mae']:.0f} points on average (of 100)"
            + (", " + ", ".join(others) if others else "")
            + "; no model beat the compromise model, "
            + (
                "so detente headlines it, with intervals calibrated on those decisions"
                if "mean" in models
                else "detente's recommended forecast, which the weighted mean model adds"
            )
            + " (docs/methods/forecast.md)."
        )
    runs = [m for m in models if m in ("eum", "smp")]
    if runs and data["issues"] and not any(e.get("monte_carlo") for e in data["issues"].values()):
        several = len(rows) > 1 or len(runs) > 1
        findings.append(
            ("These forecasts are single runs" if several else "This forecast is a single run")
            + " on the point estimates of the inputs, and a run can move far when an input moves "
            "a little: Monte Carlo samples of uncertain inputs show how far (--samples N; in the "
            "web app, the samples field)."
        )
    for skipped_id, reason in (data.get("skipped") or {}).items():
        findings.append(f"{issue_names.get(skipped_id, skipped_id)} was not forecast: {reason}.")
    recommended = any("recommended" in e for e in data["issues"].values())
    columns = [
        "Issue",
        *(["detente (50%)"] if recommended else []),
        *[MODEL_NAMES[m] for m in models if m not in ("mean", "median")],
        *(["Weighted mean"] if "mean" in models and not recommended else []),
        *(["Weighted median"] if "median" in models else []),
    ]
    table = Table(
        "Forecasts by issue, on each issue's scale",
        columns,
        rows,
        note="Weights are capability times salience."
        + (
            " detente's forecast is the compromise model (the weighted mean), with its 50% "
            "interval."
            if recommended
            else ""
        ),
    )
    tables = [table]
    if record_rows:
        tables.append(
            Table(
                f"The models' record on {record['benchmark']['issues']} resolved EU decisions",
                ["Model", "Mean error", "Than compromise (95%)"],
                record_rows,
                note=(
                    "Mean absolute error of each model's forecast against the recorded outcome, "
                    f"in points of a 0-100 scale, on {record['benchmark']['name']} "
                    f"({record['benchmark']['citation']}); the difference from the compromise "
                    "model with a bootstrap interval over proposals. Reproduce it with "
                    "detente backtest (benchmarks/backtest.py)."
                ),
            )
        )
    mc_rows = [
        [
            entry["name"],
            MODEL_NAMES.get(key, key),
            f"{entry['models'][key]['forecast']:.1f}" if key in entry["models"] else "-",
            f"{summary['median']:.1f}",
            f"{summary['interval'][0]:.1f} to {summary['interval'][1]:.1f}",
        ]
        for entry in data["issues"].values()
        for key, summary in (entry.get("monte_carlo") or {}).items()
    ]
    # one level for a run (the forecast's --level); shown as written, whichever it was
    levels = {
        f"{summary.get('level', 0.9):.0%}"
        for entry in data["issues"].values()
        for summary in (entry.get("monte_carlo") or {}).values()
    }
    mc_level = " / ".join(sorted(levels)) or "90%"
    crossing_rows = [
        [
            entry["name"],
            names.get(c["actor"], c["actor"]),
            c["red_line"],
            MODEL_NAMES.get(c["model"], c["model"]),
            _beyond(c["forecast"], (entry.get("red_lines") or {}).get(c["actor"], {}), c["model"]),
        ]
        for entry in data["issues"].values()
        for c in entry.get("crosses_red_lines") or []
    ]
    if crossing_rows:
        tables.append(
            Table(
                "Red lines crossed by the forecasts",
                ["Issue", "Party", "Red line", "Model", "Forecast"],
                crossing_rows,
                note="A party never accepts an outcome beyond its red line. The expected "
                "utility and spatial models keep each party inside its own red line in every "
                "round; the forecast can still lie beyond it.",
            )
        )
    if mc_rows:
        tables.append(
            Table(
                "Monte Carlo: how far each forecast moves under uncertain inputs",
                ["Issue", "Model", "Point forecast", "Median of samples", f"Middle {mc_level}"],
                mc_rows,
                note="The point forecast is the run on the case's own numbers; the samples "
                "redraw positions, saliences and capabilities within their uncertainties.",
            )
        )
    if len(data["issues"]) == 1:
        ((issue_id, entry),) = data["issues"].items()
        capability = {a["id"]: a.get("capability", 0.0) for a in brief["actors"]}
        tables += [
            _rounds_table(entry["models"][m], MODEL_NAMES[m], entry["name"], names, capability)
            for m in runs
            if m in entry["models"]
        ]
    return Section("forecast", "Forecast: where the bargaining is heading", findings, tables)


MAX_ROUND_PARTIES = 12
"""Above this many parties, the table of positions by round shows the most capable only."""


def _rounds_table(
    run: dict[str, Any],
    model: str,
    issue: str,
    names: dict[str, str],
    capability: dict[str, float] | None = None,
    *,
    shown: int = 12,
    parties: int = MAX_ROUND_PARTIES,
) -> Table:
    """Each party's position round by round (the first and last rounds of a long run;
    of a large table of parties, the ``parties`` most capable, in the case's order)."""
    rounds = run["rounds"]
    actors = list(rounds[0])
    note = "Round 0 holds the starting positions."
    if len(actors) > parties:
        weight = capability or {}
        ranked = sorted(range(len(actors)), key=lambda k: (-weight.get(actors[k], 0.0), k))
        kept = sorted(ranked[:parties])
        left_out = len(actors) - parties
        actors = [actors[k] for k in kept]
        note += (
            f" The {parties} most capable of {len(actors) + left_out:,} parties; "
            f"{left_out:,} more are left out (--format json gives every party's positions)."
        )
    keep = list(range(len(rounds)))
    if len(rounds) > shown:
        keep = [*keep[: shown // 2], -1, *keep[-(shown - shown // 2 - 1) :]]
    rows = [
        ["...", *["" for _ in actors]]
        if k < 0
        else [str(k), *[f"{rounds[k][a]:.1f}" for a in actors]]
        for k in keep
    ]
    return Table(
        f"Positions by round: {model}, {issue}",
        ["Round", *[names.get(a, a) for a in actors]],
        rows,
        note=note,
    )
