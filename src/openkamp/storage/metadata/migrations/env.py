"""Alembic environment: uses the engine handed over by openkamp.storage.metadata.migrate."""

from __future__ import annotations

from alembic import context

from openkamp.storage.metadata.schema import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
