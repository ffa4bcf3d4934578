"""leases of worker processes; jobs claimed by job workers (issue 12, item 2)

``leases``: which process (``host:pid:random``) holds a resource (``job:<id>``,
``connection:<id>``, ``chore:<name>``, ``process:<role>:<holder>``) until when, on the
database's clock (seconds since the epoch), read and written by
openkamp.storage.metadata.leases. ``jobs`` gains what a job worker needs to claim a queued job
and what fences a worker that lost it: ``attempt`` (starts so far; a worker writes only while
the record's attempt is its own), ``max_attempts`` (a retryable job lost with its worker is
queued again until then), ``function`` (the portable function, ``module:qualname``), ``submitter``
(JSON: who the job runs as) and ``worker`` (the holder answerable for it now).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("resource", sa.String(200), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("acquired_at", sa.Float(), nullable=False),
        sa.Column("renewed_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("resource", name="pk_leases"),
    )
    op.create_index("ix_leases_holder", "leases", ["holder"])
    op.add_column("jobs", sa.Column("attempt", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "jobs", sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column("jobs", sa.Column("function", sa.String(256), nullable=True))
    op.add_column("jobs", sa.Column("submitter", sa.Text(), nullable=True))
    op.add_column("jobs", sa.Column("worker", sa.String(200), nullable=True))
    op.create_index("ix_jobs_status", "jobs", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_jobs_status", table_name="jobs")
    # SQLite drops columns by copying the table (batch mode); PostgreSQL alters it in place.
    with op.batch_alter_table("jobs", recreate="auto") as batch:
        for name in ("worker", "submitter", "function", "max_attempts", "attempt"):
            batch.drop_column(name)
    op.drop_index("ix_leases_holder", table_name="leases")
    op.drop_table("leases")
