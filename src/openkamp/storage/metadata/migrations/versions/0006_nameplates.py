"""equipment nameplates

An equipment's nameplate (manufacturer, product, serial number, year of construction, product
URI, the manufacturer's contact), which the AAS export writes as a Digital Nameplate submodel
(IDTA 02006-2-0; issue 9, finding 11): one JSON text column of the filled fields, "{}" for none,
so every node that exists has an empty nameplate.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("nodes", sa.Column("nameplate", sa.Text(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("nodes") as batch:
        batch.drop_column("nameplate")
