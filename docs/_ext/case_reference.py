"""Write ``reference/case-file.md`` from the case model's JSON Schema at build time, so it cannot drift.

Each section of a case gets a table of its fields (type, whether required, default,
description) and an example taken from the built-in ``korea`` case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

SECTIONS = [
    ("Case", None, "The top level of a case file."),
    ("Source", "sources", "A document that judgments cite by its id."),
    ("Actor", "actors", "A party to the negotiation."),
    (
        "Option",
        "options",
        "A binary course of action, controlled by one actor (the graph-model view).",
    ),
    (
        "Effect",
        None,
        "What taking an option does on one issue (under an option's `effects`, keyed by issue "
        "id); see the how-to on linking options to issues.",
    ),
    (
        "Bound",
        None,
        "Where an issue stands while an option is not taken (an effect's `if_not_taken`).",
    ),
    ("Constraint", "constraints", "Which combinations of options cannot happen."),
    ("Preferences", "preferences", "What one actor wants over the options (keyed by actor id)."),
    ("Statement", None, "One option-prioritisation statement."),
    ("Perception", None, "A party's view of the game (its preferences' `perceives`)."),
    (
        "BelievedPreferences",
        None,
        "What a party believes another wants (under `perceives.preferences`, keyed by actor id).",
    ),
    ("Issue", "issues", "A continuous dimension of the negotiation (the spatial view)."),
    ("Stance", None, "An actor's position and salience on an issue (keyed by actor id)."),
    (
        "RedLine",
        None,
        "What a party never accepts on an issue, whatever it gains elsewhere (a stance's "
        "`red_line`); its bounds are the party's reservation on that issue.",
    ),
    ("Proposal", "proposals", "A named package on the table."),
    ("Forum", "forums", "A negotiating table: members, participation rules, agenda."),
    ("ParticipationRule", None, "An actor attends a forum only if a condition holds."),
    ("Event", "timeline", "A dated event of the case's history."),
    (
        "HistoryEntry",
        "history",
        "One dated graph-model state of the conflict's history (for `detente history`).",
    ),
    ("Scenario", "scenarios", "A named variant of the case: a moment in time or a counterfactual."),
    ("StanceChange", None, "A scenario's change to one stance."),
]


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"] if p.get("type") != "null") + (
            " (optional)" if any(p.get("type") == "null" for p in prop["anyOf"]) else ""
        )
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items") or prop.get("prefixItems")
        if isinstance(items, list):
            return "pair of " + " and ".join(_type(i) for i in items)
        return f"list of {_type(items or {})}"
    if kind == "object":
        extra = prop.get("additionalProperties")
        return f"mapping to {_type(extra)}" if isinstance(extra, dict) else "mapping"
    if "enum" in prop:
        return " or ".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    bounds = []
    for key, sign in (
        ("exclusiveMinimum", ">"),
        ("minimum", ">="),
        ("exclusiveMaximum", "<"),
        ("maximum", "<="),
    ):
        if key in prop:
            bounds.append(f"{sign} {prop[key]}")
    text = {
        "string": "text",
        "number": "number",
        "integer": "integer",
        "boolean": "true/false",
    }.get(kind, kind or "any")
    if "pattern" in prop:
        text += f" matching `{prop['pattern']}`"
    return text + (f" ({', '.join(bounds)})" if bounds else "")


def _example(section: str | None, case: dict) -> str | None:
    if section is None or section not in case or not case[section]:
        return None
    value = case[section]
    if isinstance(value, list):
        value = value[:1]
    elif isinstance(value, dict):
        key = next(iter(value))
        value = {key: value[key]}
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    from io import StringIO

    out = StringIO()
    yaml.dump({section: value}, out)
    return out.getvalue()


def render(schema: dict[str, Any], case: dict) -> str:
    defs = schema.get("$defs", {})
    lines = [
        "# Case-file reference",
        "",
        "<!-- Generated from the JSON Schema by docs/_ext/case_reference.py; do not edit. -->",
        "",
        "A case file is YAML or JSON. `detente schema` prints the JSON Schema this page is made from;",
        "point your editor at it for completion and checking. Cross-references (an option's controller",
        "must be an actor, an expression may only name known ids) are checked by `detente validate`.",
        "Examples are taken from the built-in `korea` case.",
        "",
    ]
    for name, section, summary in SECTIONS:
        model = schema if name == "Case" else defs.get(name)
        if model is None:
            continue
        required = set(model.get("required", []))
        lines += [f"## {name}", "", summary, ""]
        lines += ["| field | type | required | default | description |", "|---|---|---|---|---|"]
        for field, prop in model.get("properties", {}).items():
            default = json.dumps(prop["default"]) if "default" in prop else ""
            desc = (prop.get("description") or "").replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| `{field}` | {_type(prop).replace('|', '/')} | {'yes' if field in required else ''} | {default} | {desc} |"
            )
        lines.append("")
        example = _example(section, case)
        if example:
            lines += ["Example:", "", "```yaml", example.rstrip(), "```", ""]
    return "\n".join(lines) + "\n"


def generate(app) -> None:
    from detente import cases
    from detente.model.io import dumps
    from detente.model.schema import case_schema

    korea = json.loads(dumps(cases.load("korea")))
    target = Path(app.srcdir) / "reference" / "case-file.md"
    text = render(case_schema(), korea)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)


def setup(app):
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
