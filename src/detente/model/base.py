"""Building blocks shared by every section of a case: frozen records, ids, citations."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from detente.model.expressions import KEYWORDS

__all__ = ["Cited", "Id", "Record", "Text"]

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$", min_length=1, max_length=64),
]
"""An identifier: a letter or underscore, then letters, digits, ``_`` or ``.``."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class Record(BaseModel):
    """A frozen, strictly checked record: unknown fields are errors, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Cited(Record):
    """A judgment that can cite sources (by source id) and carry an analyst's note."""

    sources: tuple[Id, ...] = Field(
        default=(), description="Ids of the sources behind this judgment."
    )
    note: str | None = Field(
        default=None, description="Why this judgment; say here if it is contestable."
    )


def check_not_keyword(value: str) -> str:
    if value.lower() in KEYWORDS:
        raise ValueError(
            f"{value!r} is a reserved word of the expression grammar; choose another id"
        )
    return value


class Identified(Cited):
    """A cited record with an id that expressions can name."""

    id: Id = Field(description="Unique id, used in expressions and references.")

    @field_validator("id")
    @classmethod
    def _not_keyword(cls, value: str) -> str:
        return check_not_keyword(value)
