"""Building blocks shared by every section of a case: frozen records, ids, citations."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
)

from detente.model.expressions import KEYWORDS
from detente.model.limits import limits

__all__ = ["Cited", "Id", "Level", "Number", "Record", "Text", "check_control_characters"]

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$", min_length=1, max_length=64),
]
"""An identifier: a letter or underscore, then letters, digits, ``_`` or ``.``."""


def _text_length(value: str) -> str:
    limit = limits().text
    if len(value) > limit:
        raise ValueError(
            f"the text has {len(value):,} characters, above the limit of {limit:,} "
            "(set DETENTE_MAX_TEXT to change it)"
        )
    return value


Text = Annotated[str, StringConstraints(min_length=1), AfterValidator(_text_length)]
"""A name or title: not empty, at most :attr:`Limits.text <detente.model.limits.Limits>` characters."""


def _in_range(value: float) -> float:
    bound = limits().magnitude
    if not -bound <= value <= bound:
        raise ValueError(
            f"the number {value:g} is beyond ±{bound:g}, the largest a case may hold "
            "(set DETENTE_MAX_MAGNITUDE to change the limit)"
        )
    return value


Number = Annotated[float, Strict(), AllowInfNan(False), AfterValidator(_in_range)]
"""A finite number of moderate size: not true or false, not infinite or NaN, and within
:attr:`Limits.magnitude <detente.model.limits.Limits>` of zero, so that every engine's
arithmetic stays finite."""


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


Level = Annotated[float, BeforeValidator(_not_bool), AllowInfNan(False), AfterValidator(_in_range)]
"""A level used as a key (of a value table): a number, which JSON writes as text."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_control_characters(value: str) -> str:
    """Refuse control characters (terminal escape sequences, bidirectional overrides):
    a case's texts are printed on terminals and pages. Tabs and line breaks pass."""
    found = _CONTROL.search(value)
    if found:
        raise ValueError(
            f"contains the control character U+{ord(found.group()):04X} at position "
            f"{found.start() + 1}; texts in a case may not hold control characters "
            "(terminal escape sequences)"
        )
    return value


def _clean(text: str) -> bool:
    """True when ``text`` surely holds no control character (printable ASCII, or no
    match of the pattern)."""
    return (text.isascii() and text.isprintable()) or _CONTROL.search(text) is None


def _check_strings(value: Any) -> Any:
    if isinstance(value, str):
        if not _clean(value):
            check_control_characters(value)
        return value
    if isinstance(value, tuple | list):
        # One look at all the texts (a ranking holds tens of thousands); only when it
        # finds a control character are they checked one by one, for the message.
        try:
            joined = "".join(value)
        except TypeError:  # not all texts: ties (lists of texts) or numbers
            joined = "".join(
                text
                for item in value
                if isinstance(item, tuple | list)
                for text in item
                if isinstance(text, str)
            ) + "".join(item for item in value if isinstance(item, str))
        if _clean(joined):
            return value
        for item in value:
            if isinstance(item, str):
                check_control_characters(item)
            elif isinstance(item, tuple | list):
                for inner in item:
                    if isinstance(inner, str):
                        check_control_characters(inner)
    return value


class Record(BaseModel):
    """A frozen, strictly checked record: unknown fields are errors, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return _check_strings(value)


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
