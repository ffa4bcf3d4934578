"""Stored records as JSON answers: times as ISO 8601 text, secrets never included; the base of
the API's answer schemas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema


def record_out(rec: Mapping[str, Any], hide: Iterable[str] = ()) -> dict[str, Any]:
    """``rec`` with dates and times as ISO 8601 text, without the fields in ``hide``."""
    hidden = set(hide)
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in rec.items()
        if k not in hidden
    }


class Answer(BaseModel):
    """Base of the API's answer schemas (``response_model`` of the routes). Closed: an answer
    with a field its schema does not declare fails (a 500 the tests see) instead of the field
    silently vanishing, so the OpenAPI description and the answers cannot drift apart."""

    model_config = ConfigDict(extra="forbid")


#: A time in an answer: ISO 8601 text exactly as :func:`record_out` writes it (``isoformat``).
Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda v: v.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

#: A time that is already ISO 8601 text (the data routes' many points: kept as text, not parsed).
IsoTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
