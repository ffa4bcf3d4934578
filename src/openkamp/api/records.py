"""Stored records as JSON answers: times as ISO 8601 text, secrets never included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def record_out(rec: Mapping[str, Any], hide: Iterable[str] = ()) -> dict[str, Any]:
    """``rec`` with dates and times as ISO 8601 text, without the fields in ``hide``."""
    hidden = set(hide)
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in rec.items()
        if k not in hidden
    }
