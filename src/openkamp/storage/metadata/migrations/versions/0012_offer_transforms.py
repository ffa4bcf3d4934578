"""the transforms an offer requires of its governed exports (issue 11, item 4)

``offers.transforms``: the JSON of a :class:`openkamp.sharing.transforms.TransformSpec` (drop,
pseudonymise, time shift, generalise, noise), nullable: without one, a governed export
pseudonymises the version's id and group columns and drops its free text
(:mod:`openkamp.sharing.delivery`).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("offers", sa.Column("transforms", sa.Text(), nullable=True))


def downgrade() -> None:
    # In place (batch mode would copy and drop offers, which contracts refer to).
    op.drop_column("offers", "transforms")
