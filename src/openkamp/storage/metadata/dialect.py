"""The one statement the two SQL engines spell differently: ``INSERT ... ON CONFLICT``.

An insert that meets a row with the same key either does nothing or changes that row, in one
statement: atomic on PostgreSQL whatever other processes do at the same moment, where a read
followed by an insert or an update is not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table

__all__ = ["insert_on_conflict"]


def insert_on_conflict(conn: Connection, table: Table) -> Any:
    """The engine's own INSERT of ``table`` (SQLite 3.24+ or PostgreSQL), which has
    ``on_conflict_do_nothing`` / ``on_conflict_do_update`` and ``excluded``."""
    name = conn.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise NotImplementedError(f"No INSERT ... ON CONFLICT for the {name} engine.")
