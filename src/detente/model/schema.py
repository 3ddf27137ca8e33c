"""The JSON Schema of the case format, for editors and for the case-file reference."""

from __future__ import annotations

from typing import Any

from detente.model.case import Case

__all__ = ["case_schema"]

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def case_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that a case file follows.

    Cross-references (an option's controller must be an actor, say) cannot be
    expressed in JSON Schema; ``detente validate`` checks them.
    """
    schema = Case.model_json_schema(mode="validation")
    schema["properties"].pop("scenario_id", None)
    return {
        "$schema": SCHEMA_URI,
        "$id": "https://detente.invalid/case.schema.json",
        **schema,
        "title": "detente case",
    }
