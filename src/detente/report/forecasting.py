"""The forecasting section: where the bargaining on each issue is heading."""

from __future__ import annotations

from typing import Any

from detente.report.sections import Section, Table, join_names

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


def _who_ends_there(run: dict[str, Any], names: dict[str, str], scale: list[float]) -> str:
    """Which parties end at the forecast (within 1 % of the scale), or the closest one."""
    final = run["rounds"][-1]
    tol = 0.01 * (scale[1] - scale[0])
    there = [a for a, x in final.items() if abs(x - run["forecast"]) <= tol]
    if len(there) == len(final):
        return "every party ends there"
    if there:
        return f"{join_names([names.get(a, a) for a in there])} end{'s' if len(there) == 1 else ''} there"
    closest = min(final, key=lambda a: abs(final[a] - run["forecast"]))
    return f"closest: {names.get(closest, closest)} at {final[closest]:.0f}"


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
    if params.get("smp"):
        settings.append(
            "the spatial model's parameters: "
            + ", ".join(f"{k} {v}" for k, v in params["smp"].items() if k != "seed")
        )
    if params.get("rounds"):
        settings.append(f"every model plays exactly {params['rounds']} rounds")
    if settings:
        findings.append("Settings: " + "; ".join(settings) + ".")
    rows = []
    for entry in data["issues"].values():
        by_model = entry["models"]
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
        text = f"{entry['name']}: " + ("; ".join(parts) + "; " if parts else "")
        text += f"the weighted mean of the starting positions is {mean:.1f} and the weighted median {median:.0f}"
        if abs(mean - median) >= 20:
            text += " (mean and median lie far apart: the parties split into blocs, so one number would mislead)"
        mc = entry.get("monte_carlo", {})
        if mc:
            first_summary = next(iter(mc.values()))
            n = first_summary["samples"]
            n = len(n) if isinstance(n, list) else n
            parts = []
            for key, summary in mc.items():
                lo, hi = summary["interval"]
                top = ", ".join(name for name, _ in summary.get("top_inputs", [])[:2])
                parts.append(
                    f"the {MODEL_NAMES.get(key, key)} gives {summary['median']:.0f} (90% between {lo:.0f} and {hi:.0f}"
                    + (f"; moved most by {top})" if top else ")")
                )
            text += f". Over {n:,} samples of uncertain inputs " + "; ".join(parts)
        findings.append(text + ".")
        rows.append(
            [
                entry["name"],
                *[
                    f"{by_model[m]['forecast']:.1f}" if m in by_model else "-"
                    for m in models
                    if m not in ("mean", "median")
                ],
                f"{mean:.1f}",
                f"{median:.0f}",
            ]
        )
    columns = [
        "Issue",
        *[MODEL_NAMES[m] for m in models if m not in ("mean", "median")],
        "Weighted mean",
        "Weighted median",
    ]
    table = Table(
        "Forecasts by issue, on each issue's scale",
        columns,
        rows,
        note="Weights are capability times salience.",
    )
    return Section("forecast", "Forecast: where the bargaining is heading", findings, [table])
