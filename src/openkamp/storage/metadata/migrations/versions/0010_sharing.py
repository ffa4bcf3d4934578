"""sharing manufacturing data (issue 11): offers, contracts, usage, deliveries

``orgs`` gains ``industry`` (a KSIC code such as "C29": the consumer's industry for a usage
policy's industry clause). ``offers`` are datasets an organisation offers: catalog fields in
Korean and English, coverage, an anonymised preview, the signed quality certificate, the price
model and the ODRL Offer (JSON as text), draft / published / withdrawn, golden when the operator
marks it. ``contracts`` are a consumer organisation's requests for an offer and their lifecycle
(``org_id`` is the owner's organisation, ``consumer_org_id`` the consumer's); ``secret_id`` names
the per-contract key (derived, never stored here). ``contract_usage`` counts rows, queries and
trainings per contract (updated in the transaction that appends the access to the ledger).
``deliveries`` are governed exports and compute-to-data results, ``sharing_jobs`` the jobs that
run under a contract (revocation cancels them).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("orgs", sa.Column("industry", sa.String(16), nullable=True))
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("dataset_name", sa.String(128), nullable=False),
        sa.Column("dataset_version", sa.Integer(), nullable=False),
        sa.Column("schema_hash", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title_ko", sa.String(256), server_default="", nullable=False),
        sa.Column("title_en", sa.String(256), server_default="", nullable=False),
        sa.Column("description_ko", sa.Text(), server_default="", nullable=False),
        sa.Column("description_en", sa.Text(), server_default="", nullable=False),
        sa.Column("equipment_type", sa.String(64), server_default="", nullable=False),
        sa.Column("industry", sa.String(16), server_default="", nullable=False),
        sa.Column("problem", sa.String(32), server_default="other", nullable=False),
        sa.Column("coverage", sa.Text(), server_default="{}", nullable=False),
        sa.Column("preview", sa.Text(), server_default="{}", nullable=False),
        sa.Column("certificate", sa.Text(), server_default="{}", nullable=False),
        sa.Column("price", sa.Text(), server_default="{}", nullable=False),
        sa.Column("policy", sa.Text(), server_default="{}", nullable=False),
        sa.Column("state", sa.String(16), server_default="draft", nullable=False),
        sa.Column("golden", sa.Integer(), server_default="0", nullable=False),
        sa.Column("golden_by", sa.String(256), nullable=True),
        sa.Column("golden_at", _tz(), nullable=True),
        sa.Column("created_by", sa.String(256), server_default="", nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_offers_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name="fk_offers_dataset_id_datasets",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_offers"),
        sa.UniqueConstraint("org_id", "name", name="uq_offers_name"),
    )
    op.create_index("ix_offers_state", "offers", ["state", "golden"])
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("consumer_org_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(256), server_default="", nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("request_note", sa.Text(), server_default="", nullable=False),
        sa.Column("state", sa.String(16), server_default="requested", nullable=False),
        sa.Column("terms", sa.Text(), nullable=True),
        sa.Column("price", sa.Text(), server_default="{}", nullable=False),
        sa.Column("starts_at", _tz(), nullable=True),
        sa.Column("ends_at", _tz(), nullable=True),
        sa.Column("decided_by", sa.String(256), nullable=True),
        sa.Column("decided_at", _tz(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("ended_by", sa.String(256), nullable=True),
        sa.Column("ended_at", _tz(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("secret_id", sa.String(64), nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_contracts_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name="fk_contracts_offer_id_offers", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["consumer_org_id"],
            ["orgs.id"],
            name="fk_contracts_consumer_org_id_orgs",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contracts"),
        sa.UniqueConstraint("secret_id", name="uq_contracts_secret_id"),
    )
    op.create_index("ix_contracts_offer", "contracts", ["offer_id"])
    op.create_index("ix_contracts_consumer", "contracts", ["consumer_org_id", "state"])
    op.create_table(
        "contract_usage",
        sa.Column("contract_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rows", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("queries", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("trainings", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name="fk_contract_usage_contract_id_contracts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contract_id", name="pk_contract_usage"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rows", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("columns", sa.Text(), server_default="[]", nullable=False),
        sa.Column("sha256", sa.String(64), server_default="", nullable=False),
        sa.Column("watermark", sa.Text(), server_default="{}", nullable=False),
        sa.Column("delivered_at", _tz(), nullable=False),
        sa.Column("delete_by", _tz(), nullable=True),
        sa.Column("deleted_at", _tz(), nullable=True),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_deliveries_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name="fk_deliveries_contract_id_contracts",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
    )
    op.create_index("ix_deliveries_contract", "deliveries", ["contract_id"])
    op.create_table(
        "sharing_jobs",
        sa.Column("job_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name="fk_sharing_jobs_job_id_jobs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name="fk_sharing_jobs_contract_id_contracts",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("job_id", name="pk_sharing_jobs"),
    )
    op.create_index("ix_sharing_jobs_contract", "sharing_jobs", ["contract_id"])


def downgrade() -> None:
    op.drop_index("ix_sharing_jobs_contract", table_name="sharing_jobs")
    op.drop_index("ix_deliveries_contract", table_name="deliveries")
    op.drop_index("ix_contracts_consumer", table_name="contracts")
    op.drop_index("ix_contracts_offer", table_name="contracts")
    op.drop_index("ix_offers_state", table_name="offers")
    for table in ("sharing_jobs", "deliveries", "contract_usage", "contracts", "offers"):
        op.drop_table(table)
    # Not batch mode: on SQLite it would copy and drop ``orgs``, which every table refers to.
    # SQLite (3.35+) and PostgreSQL both drop a plain column in place.
    op.drop_column("orgs", "industry")
