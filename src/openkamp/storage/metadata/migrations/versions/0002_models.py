"""models: the model registry

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("production_slot", sa.Integer(), nullable=True),
        sa.Column("artefact_sha256", sa.String(length=64), nullable=False),
        sa.Column("artefact_size", sa.BigInteger(), nullable=False),
        sa.Column("class_path", sa.String(length=512), nullable=False),
        sa.Column("provenance", sa.Text(), server_default="{}", nullable=False),
        sa.Column("metrics", sa.Text(), server_default="{}", nullable=False),
        sa.Column("params", sa.Text(), server_default="{}", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=256), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_models_org_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("org_id", "name", "version", name="uq_models_name_version"),
        sa.UniqueConstraint("org_id", "name", "production_slot", name="uq_models_production"),
    )


def downgrade() -> None:
    op.drop_table("models")
