"""The bargaining section: which packages everyone could accept, who blocks, which forum works."""

from __future__ import annotations

import re
from typing import Any

from detente.report.sections import Section, Table, join_names
from detente.report.text import definite

__all__ = ["bargaining_section"]

SOLUTION_NAMES = {
    "nash": "Nash bargaining solution",
    "kalai_smorodinsky": "Kalai-Smorodinsky solution",
    "utilitarian": "utilitarian solution (largest total gain)",
    "egalitarian": "egalitarian solution (largest smallest gain)",
    "asymmetric_nash": "Nash solution with bargaining power (capabilities as weights)",
}


def _level(issue: str, value: float | None, level_names: dict[str, list[str]]) -> str:
    """A level as its label when the issue names its levels (levels 0, 1, ... of a
    categorical issue), else as a number."""
    if value is None:
        return "-"
    names = level_names.get(issue)
    if names and float(value).is_integer() and 0 <= int(value) < len(names):
        return names[int(value)]
    return f"{value:g}"


def _levels(
    package: dict[str, Any],
    issue_names: dict[str, str],
    level_names: dict[str, list[str]] | None = None,
) -> str:
    parts = [
        f"{issue_names.get(k, k)} {_level(k, v, level_names or {})}"
        for k, v in package.get("issues", {}).items()
    ]
    taken = [k.removeprefix("option:") for k, v in package.get("options", {}).items() if v]
    if package.get("options"):
        parts.append("options taken: " + (", ".join(taken) if taken else "none"))
    return ", ".join(parts)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _share(p: float) -> str:
    return f"{100 * p:.0f}%"


def _bound(issue: str, words: str, level_names: dict[str, list[str]]) -> str:
    """A red line in words ("at most 25"), its numbers as level names on an issue that
    names its levels ("at most freeze")."""
    if not level_names.get(issue):
        return words
    return re.sub(r"-?\d+(?:\.\d+)?", lambda m: _level(issue, float(m[0]), level_names), words)


def _crossed(
    crossings: list[dict[str, Any]],
    issue_names: dict[str, str],
    level_names: dict[str, list[str]],
) -> str:
    """'Denuclearisation 100 crosses its red line (at most 25)', for each red line crossed."""
    return " and ".join(
        f"{issue_names.get(c['issue'], c['issue'])} {_level(c['issue'], c['level'], level_names)} "
        f"crosses its red line ({_bound(c['issue'], c['red_line'], level_names)})"
        for c in crossings
    )


def _red_line_rows(
    data: dict[str, Any],
    names: dict[str, str],
    issue_names: dict[str, str],
    level_names: dict[str, list[str]],
) -> list[list[str]]:
    return [
        [names.get(a, a), issue_names.get(i, i), _bound(i, words, level_names)]
        for a, lines in (data.get("red_lines") or {}).items()
        for i, words in lines.items()
    ]


def _robustness(
    data: dict[str, Any], proposal_names: dict[str, str]
) -> tuple[list[str], Table | None]:
    """Findings and a table for the robustness Monte Carlo, when it ran."""
    rob = data.get("robustness")
    if not rob:
        return [], None
    if not rob["proposals"] and not rob["forums"]:
        return ["The case has no proposals or forums for the robustness check to test."], None
    forum_names = {f["id"]: f["name"] for f in data.get("forums", [])}
    n = rob["samples"]
    findings = []
    rows = []
    for pid, p in rob["proposals"].items():
        label = proposal_names.get(pid, pid)
        findings.append(
            f"Every party accepts {label} in {_share(p)} of {n:,} samples of uncertain "
            "positions and saliences."
        )
        rows.append(["proposal", label, _share(p), "-"])
    for fid, p in rob["forums"].items():
        label = forum_names.get(fid, fid)
        agree = rob["forum_agreement"].get(fid, 0.0)
        best = next((f["best"] for f in data.get("forums", []) if f["id"] == fid), None)
        if best is not None:
            findings.append(
                f"{label} can still agree, with its best package inside its zone, in "
                f"{_share(p)} of {n:,} samples (agreement possible at all in {_share(agree)})."
            )
        else:
            findings.append(
                f"{label} cannot agree on the estimates; agreement becomes possible in "
                f"{_share(agree)} of {n:,} samples."
            )
        rows.append(["forum", label, _share(p), _share(agree)])
    table = Table(
        f"Robustness: share of {n:,} samples (seed {rob['seed']}) inside the zone",
        ["", "Proposal or forum", "Stays inside", "Agreement possible"],
        rows,
        note=(
            f"Positions drawn with sd {rob['position_sd']:g} points and saliences with sd "
            f"{rob['salience_sd']:g} points unless a stance gives its own; a proposal stays "
            "inside when every party accepts it, a forum when it can still agree and its best "
            "package stays in its zone."
        ),
    )
    return findings, table


def bargaining_section(data: dict[str, Any], brief: dict[str, Any]) -> Section:
    """Turn :meth:`CaseBargain.to_dict` output into findings and tables."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    issue_names = {i["id"]: i["name"] for i in brief["issues"]}
    proposal_names = {p["id"]: p["name"] for p in brief["proposals"]}
    level_names = data.get("level_names", {})
    n_actors = len(data["actors"])
    basis = data.get("reservation_basis", {})
    from_status_quo = all(b == "status_quo" for b in basis.values())
    than = "the status quo" if from_status_quo else "their reservation values"
    findings = []
    red_lines = bool(data.get("red_lines"))
    better = (
        "better than the status quo for every party"
        if from_status_quo
        else "better for every party than its reservation value"
    )
    if red_lines and data["zopa"]:
        findings.append(
            f"{data['zopa']:,} of the {data['outcomes']:,} packages on the issue grid "
            f"{'is' if data['zopa'] == 1 else 'are'} {better} and within every red line: "
            "a zone of possible agreement exists."
        )
    elif red_lines:
        findings.append(
            f"None of the {data['outcomes']:,} packages on the issue grid is {better} and "
            "within every red line: there is no zone of possible agreement among all of them."
        )
    elif data["zopa"]:
        findings.append(
            f"{data['zopa']:,} of the {data['outcomes']:,} packages on the issue grid "
            f"{'leaves' if data['zopa'] == 1 else 'leave'} all {n_actors} parties better off than "
            f"{than}: a zone of possible agreement exists."
        )
    else:
        findings.append(
            f"None of the {data['outcomes']:,} packages on the issue grid leaves all {n_actors} parties "
            f"better off than {than}: there is no zone of possible agreement among all of them."
        )
    ignored = data.get("ignored_options") or []
    linked = any(o.get("effects") for o in brief["options"])
    if ignored and linked:
        findings.append(
            "Proposals are judged on the issue levels their options imply (the case says what "
            "each option does on the issues); the options themselves are not dimensions of the "
            "outcome space. Adding them weighs each party's option priorities too (the --options "
            "flag; in the web app, the box of the bargaining form)."
        )
    elif ignored:
        labels = {o["id"]: o["label"] for o in brief["options"]}
        findings.append(
            "Proposals are judged here on their issue levels only; the options they set ("
            + "; ".join(labels.get(o, o) for o in ignored)
            + ") are not in the outcome space. Adding the options that proposals set to the "
            "outcome space weighs them too (the --options flag; in the web app, the box of the "
            "bargaining form)."
        )
    chosen = data.get("parameters", {}).get("forum_solution", "nash")
    pick = data["solutions"].get(chosen) or data["solutions"].get("nash")
    if pick:
        label = SOLUTION_NAMES.get(chosen if data["solutions"].get(chosen) else "nash", chosen)
        findings.append(f"The {label} sets {_levels(pick, issue_names, level_names)}.")
    weighted = data["solutions"].get("asymmetric_nash")
    nash = data["solutions"].get("nash")
    changed_options = (
        [
            o
            for o, v in (weighted.get("options") or {}).items()
            if v != (nash.get("options") or {}).get(o)
        ]
        if weighted and nash
        else []
    )
    if weighted and nash and (weighted["issues"] != nash["issues"] or changed_options):
        option_labels_ = {o["id"]: o["label"] for o in brief["options"]}
        moved = [
            f"{issue_names.get(i, i)} {_level(i, nash['issues'][i], level_names)} -> "
            f"{_level(i, v, level_names)}"
            for i, v in weighted["issues"].items()
            if v != nash["issues"].get(i)
        ] + [
            ("takes up " if weighted["options"][o] else "drops ") + f"'{option_labels_.get(o, o)}'"
            for o in changed_options
        ]
        findings.append(
            "Weighting each party's gain by its capability (asymmetric Nash solution) moves the "
            f"package: {'; '.join(moved)}."
        )
    elif weighted and nash:
        findings.append(
            "Weighting each party's gain by its capability (asymmetric Nash solution) leaves the "
            "Nash package unchanged."
        )
    option_labels = {o["id"]: o["label"] for o in brief["options"]}

    def win(actor: str, c: dict[str, Any]) -> str:
        """'X would accept it if ...': the first change that wins ``actor`` over."""
        option = c["dimension"].removeprefix("option:")
        if c.get("kind") == "option" or (
            option in option_labels and c["dimension"] not in issue_names
        ):
            verb = "were taken" if c["after"] else "were dropped"
            return f"{definite(names.get(actor, actor))} would accept it if '{option_labels.get(option, option)}' {verb}"
        dim = issue_names.get(c["dimension"], c["dimension"])
        return (
            f"{definite(names.get(actor, actor))} would accept it if {dim} moved from "
            f"{_level(c['dimension'], c['before'], level_names)} to "
            f"{_level(c['dimension'], c['after'], level_names)}"
        )

    def no_win(actor: str) -> str:
        return f"no single change of one issue wins {definite(names.get(actor, actor))} over while keeping those who accept"

    def red_line_sentences(actor: str, p: dict[str, Any]) -> list[str]:
        """Why ``actor`` blocks a proposal that crosses its red line, and what would
        win it over: a change, or else the red line itself."""
        crossings = p["red_lines"][actor]
        crossed = _crossed(crossings, issue_names, level_names)
        who = definite(names.get(actor, actor))
        u, r = p.get("utilities", {}).get(actor), p.get("reservation", {}).get(actor)
        tol = data.get("parameters", {}).get("tol", 1e-9)
        gains = u is not None and r is not None and u > r + tol
        changes = p.get("to_win", {}).get(actor)
        that = "that red line" if len(crossings) == 1 else "those red lines"
        if gains:
            first = f"{who} blocks it only because {crossed}"
        else:
            alone = (
                "the status quo" if basis.get(actor, "status_quo") == "status_quo" else "no deal"
            )
            first = f"{who} blocks it: {crossed}, and it prefers {alone} anyway"
        if changes:
            return [first, win(actor, changes[0])]
        move = f"for {who} to accept it, {that} would have to move"
        return [first, move if gains else f"{move} and the proposal would have to change too"]

    for pid, p in data["proposals"].items():
        label = proposal_names.get(pid, pid)
        accepted = [definite(names.get(a, a)) for a in p["accepted_by"]]
        blocked = [definite(names.get(a, a)) for a in p["blocked_by"]]
        if not blocked:
            findings.append(
                f"{label}: every party prefers it to {than}"
                + (", and it crosses no red line." if red_lines else ".")
            )
            continue
        sentence = f"{label}: accepted by {join_names(accepted)}; blocked by {join_names(blocked)}."
        crossing = p.get("red_lines") or {}
        if crossing:
            # A red line crossed takes sentences of its own: each blocker one by one.
            parts = []
            for actor in p["blocked_by"]:
                if actor in crossing:
                    parts += red_line_sentences(actor, p)
                else:
                    changes = p.get("to_win", {}).get(actor)
                    parts.append(win(actor, changes[0]) if changes else no_win(actor))
            sentence += "".join(f" {s[0].upper()}{s[1:]}." for s in parts)
            findings.append(sentence)
            continue
        wins = [
            win(actor, changes[0]) if changes else no_win(actor)
            for actor, changes in p.get("to_win", {}).items()
        ]
        if wins:
            sentence += " " + "; ".join(wins)[0].upper() + "; ".join(wins)[1:] + "."
        findings.append(sentence)

    possible = [f for f in data.get("forums", []) if f["agreement_possible"]]
    for forum in data.get("forums", []):
        who = (
            join_names([names.get(a, a) for a in forum["participants"]])
            if forum["participants"]
            else "nobody"
        )
        agenda = [i for i in forum["agenda"] if i in issue_names]
        n_options = len(forum["agenda"]) - len(agenda)
        on = (
            ", ".join(issue_names.get(i, i) for i in agenda)
            if len(agenda) <= 2
            else f"{len(agenda)} issues"
        )
        if n_options:
            on += f" and {n_options} option{'s' if n_options != 1 else ''}"
        text = f"{forum['name']} ({who}; agenda: {on}): "
        if forum["agreement_possible"]:
            text += f"agreement possible, {forum['zopa']:,} of {forum['outcomes']:,} packages in the zone"
        else:
            text += "no agreement possible"
        if forum["commitments"]:
            text += "; it needs first: " + "; ".join(
                option_labels.get(o, o) for o in forum["commitments"]
            )
        if forum["absent"]:
            text += "; absent: " + "; ".join(
                f"{definite(names.get(a, a))} ({why})" for a, why in forum["absent"].items()
            )
        findings.append(text + ".")
    if data.get("forums") and not possible:
        findings.append("No forum of the case makes an agreement possible.")
    robust_findings, robust_table = _robustness(data, proposal_names)
    findings += robust_findings

    actors = data["actors"]
    found = {k: v for k, v in data["solutions"].items() if v}
    short = {
        "nash": "Nash",
        "kalai_smorodinsky": "K-S",
        "utilitarian": "Utilit.",
        "egalitarian": "Egalit.",
        "asymmetric_nash": "Nash (power)",
    }
    status_quo = {i["id"]: i.get("status_quo") for i in brief["issues"]}
    rows = [
        [
            issue_names.get(i, i),
            _level(i, status_quo.get(i), level_names),
            *[_level(i, v["issues"].get(i), level_names) for v in found.values()],
        ]
        for i in data["parameters"].get("issues", [])
    ]
    rows += [
        [
            f"utility of {definite(names.get(a, a))}",
            f"{data['reservation'][a]:.2f}",
            *[f"{v['utilities'][a]:.2f}" for v in found.values()],
        ]
        for a in actors
    ]
    solutions = Table(
        "Solutions: issue levels, and each party's utility (0 worst, 1 best)",
        [
            "",
            "Status quo" if from_status_quo else "No deal",
            *[short.get(k, k) for k in found],
        ],
        rows,
        note=(
            "Nash: largest product of gains; K-S: Kalai-Smorodinsky; Utilit.: largest total; Egalit.: largest "
            "smallest gain"
            + (
                "; Nash (power): largest product of gains, each raised to its party's capability "
                "share (asymmetric Nash, Kalai 1977)"
                if "asymmetric_nash" in found
                else ""
            )
            + ". Where several packages tie, the one whose gains are most even is shown. The first "
            "column's utilities are the reservation values."
        ),
    )
    proposals = Table(
        "Proposals",
        ["Proposal", "Accepted by", "Blocked by"],
        [
            [
                proposal_names.get(pid, pid),
                ", ".join(p["accepted_by"]) or "-",
                ", ".join(
                    f"{a} (red line)" if a in (p.get("red_lines") or {}) else a
                    for a in p["blocked_by"]
                )
                or "-",
            ]
            for pid, p in data["proposals"].items()
        ],
        note=(
            "A party marked (red line) blocks because the proposal crosses its red line."
            if any(p.get("red_lines") for p in data["proposals"].values())
            else None
        ),
    )
    red_line_rows = _red_line_rows(data, names, issue_names, level_names)
    red_line_table = Table(
        "Red lines: what each party never accepts",
        ["Party", "Issue", "Red line"],
        red_line_rows,
        note=(
            "A package beyond a party's red line is outside the zone and that party blocks it, "
            "whatever it gains on other issues."
        ),
    )
    forums = Table(
        "Forums",
        ["Forum", "Participants", "Agenda", "Agreement", "Packages in the zone"],
        [
            [
                f["name"],
                ", ".join(f["participants"]) or "-",
                f"{sum(i in issue_names for i in f['agenda'])} issues",
                "possible" if f["agreement_possible"] else "impossible",
                f"{f['zopa']:,} of {f['outcomes']:,}",
            ]
            for f in data.get("forums", [])
        ],
    )
    tables = (
        [solutions]
        + ([red_line_table] if red_line_rows else [])
        + ([proposals] if data["proposals"] else [])
        + ([forums] if data.get("forums") else [])
        + ([robust_table] if robust_table is not None else [])
    )
    return Section("bargaining", "Bargaining: packages, blockers and forums", findings, tables)


def bargaining_changes(
    before: dict[str, Any], after: dict[str, Any], brief: dict[str, Any]
) -> list[list[str]]:
    """What differs between two bargaining results (``to_dict()`` data) of the same case:
    rows of ``[what, before, after]``, only for the items that changed."""
    names = {a["id"]: a["name"] for a in brief["actors"]}
    issue_names = {i["id"]: i["name"] for i in brief["issues"]}
    proposal_names = {p["id"]: p["name"] for p in brief["proposals"]}
    rows: list[list[str]] = []

    def add(what: str, old: str, new: str) -> None:
        if old != new:
            rows.append([what, old, new])

    add(
        "Packages every party prefers to its reservation value",
        f"{before['zopa']:,} of {before['outcomes']:,}",
        f"{after['zopa']:,} of {after['outcomes']:,}",
    )
    short = {
        "nash": "Nash solution",
        "kalai_smorodinsky": "Kalai-Smorodinsky solution",
        "utilitarian": "Utilitarian solution",
        "egalitarian": "Egalitarian solution",
        "asymmetric_nash": "Nash solution with power",
    }
    for key, label in short.items():
        old, new = before["solutions"].get(key), after["solutions"].get(key)
        if old is None and new is None:
            continue
        if old is None or new is None:
            add(
                label,
                "none" if old is None else "a package",
                "none" if new is None else "a package",
            )
            continue
        for issue in sorted(set(old["issues"]) | set(new["issues"])):
            add(
                f"{label}: {issue_names.get(issue, issue)}",
                _shown(old["issues"].get(issue)),
                _shown(new["issues"].get(issue)),
            )
        for option in sorted(set(old.get("options") or {}) | set(new.get("options") or {})):
            add(
                f"{label}: option {option}",
                _shown((old.get("options") or {}).get(option)),
                _shown((new.get("options") or {}).get(option)),
            )
    for pid, new in after["proposals"].items():
        old = before["proposals"].get(pid)
        if old is None:
            continue
        blocked = {
            "before": ", ".join(names.get(a, a) for a in old["blocked_by"]) or "nobody",
            "after": ", ".join(names.get(a, a) for a in new["blocked_by"]) or "nobody",
        }
        add(f"{proposal_names.get(pid, pid)}: blocked by", blocked["before"], blocked["after"])
    old_forums = {f["id"]: f for f in before.get("forums", [])}
    for forum in after.get("forums", []):
        old = old_forums.get(forum["id"])
        if old is None:
            continue
        add(
            f"{forum['name']}: agreement possible",
            "yes" if old["agreement_possible"] else "no",
            "yes" if forum["agreement_possible"] else "no",
        )
        add(
            f"{forum['name']}: packages in its zone",
            f"{old.get('zopa', 0):,} of {old.get('outcomes', 0):,}",
            f"{forum.get('zopa', 0):,} of {forum.get('outcomes', 0):,}",
        )
    return rows


def _shown(value: Any) -> str:
    """A level or option value for a table cell: numbers to 10 significant digits,
    True/False as taken/left, absent as '-'."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "taken" if value else "left"
    if isinstance(value, int | float):
        return f"{value:.10g}"
    return str(value)
