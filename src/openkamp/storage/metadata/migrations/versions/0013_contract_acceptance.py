"""who accepted a contract's changed terms, and when (issue 11, item 3)

``contracts.accepted_by`` / ``accepted_at``: the consumer's user (its name, as ``decided_by`` names
the owner's) and the time it accepted a counter-offer; both null for a contract that became
active at the owner's approval, or was never accepted. A consumer's withdrawal of its own request
is the new state ``withdrawn`` of the same ``state`` column (a free text column: no constraint
to change).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contracts", sa.Column("accepted_by", sa.String(256), nullable=True))
    op.add_column("contracts", sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # In place (batch mode would copy and drop contracts, which deliveries refer to). Older code
    # does not know the state 'withdrawn': such contracts become 'rejected', the terminal state
    # closest to it (who ended it, when and why are kept).
    op.execute("UPDATE contracts SET state = 'rejected' WHERE state = 'withdrawn'")
    op.drop_column("contracts", "accepted_at")
    op.drop_column("contracts", "accepted_by")
