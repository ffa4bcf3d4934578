"""Rows of the sharing tables in and out of SQL: times are stored in UTC, and SQLite hands them
back without their offset. The record store (:mod:`openkamp.storage.metadata.sql`) does the same
and decodes its JSON columns too; the contract and settlement stores keep JSON text as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from openkamp.storage.metadata.base import Record

__all__ = ["aware", "row_out", "values_in"]


def aware(value: Any) -> Any:
    """A time read back from the store, made aware (UTC); anything else as it is."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite drops the offset; we store UTC
    return value


def row_out(row: Any) -> Record:
    """A result row as a record, its times aware (UTC)."""
    return {k: aware(v) for k, v in row._mapping.items()}


def values_in(values: Record) -> Record:
    """Values to write, aware times converted to UTC (naive ones are taken as written)."""
    return {
        k: (v.astimezone(UTC) if isinstance(v, datetime) and v.tzinfo else v)
        for k, v in values.items()
    }
