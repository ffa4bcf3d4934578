"""Alembic environment: uses the engine handed over by openkamp.storage.metadata.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from openkamp.storage.metadata.schema import metadata

#: PostgreSQL advisory lock held while migrating: workers starting at once on one database
#: migrate one after another (the second finds the schema current), never side by side.
MIGRATE_LOCK = 0x6F6B_6D69_6772_6174  # "okmigrat"

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK})
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
