"""Alembic environment: uses the engine handed over by openkamp.storage.metadata.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from openkamp.storage.metadata.schema import metadata

#: PostgreSQL advisory lock held while migrating: workers starting at once on one database
#: migrate one after another (the second finds the schema current), never side by side.
MIGRATE_LOCK = 0x6F6B_6D69_6772_6174  # "okmigrat"

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite alters a table by copying it (batch mode): the old table is dropped, and with
        # foreign keys on, dropping a parent deletes its children's rows (ON DELETE CASCADE),
        # e.g. every sharing_jobs row when a downgrade copies ``jobs``. SQLite's own advice:
        # foreign keys off while the schema changes (the pragma is a no-op inside a
        # transaction, so before it), then check that every reference still holds.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK})
            context.configure(
                connection=connection, target_metadata=metadata, render_as_batch=sqlite
            )
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken references: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
