"""sign-in limits shared by every API worker (issue 12)

``login_limits``: the failed sign-ins, password checks still running and lockout of each limited
key (a login, a client address), one row per key, so that N API workers behind a load balancer
count against one limit (openkamp.accounts.stored_limiter); an embedded installation's single
process keeps them in memory and leaves the table empty. Sessions were in the store already.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_limits",
        sa.Column("limit_key", sa.String(200), nullable=False),
        sa.Column("failures", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("pending", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("limit_key", name="pk_login_limits"),
    )
    op.create_index("ix_login_limits_updated", "login_limits", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_login_limits_updated", table_name="login_limits")
    op.drop_table("login_limits")
