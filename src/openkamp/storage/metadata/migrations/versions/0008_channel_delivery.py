"""notification channels record their deliveries (issue 10)

A channel says how its notifications fare: how many were sent and failed, when the last one
went out, and the last error (a refused webhook, an SMTP server that did not answer), so the
alerts page shows a broken channel instead of it failing unseen.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification_channels") as batch:
        batch.add_column(sa.Column("sent", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification_channels") as batch:
        batch.drop_column("last_error")
        batch.drop_column("last_sent_at")
        batch.drop_column("failures")
        batch.drop_column("sent")
