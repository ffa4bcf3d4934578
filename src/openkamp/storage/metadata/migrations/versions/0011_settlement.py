"""settlement of shared data (issue 11)

What consumers owe and what owners earn (openkamp.sharing.settlement): ``valuations`` (a pooled
model's owners' contribution shares: method, values, standard errors), ``charges`` (what a
consumer owes for a month under a contract, or for a pooled model), ``statements`` and
``statement_lines`` (an owner's settlement for a month: a line per contract / pooled model and
the platform fee). Money is Decimal won stored as TEXT, never a floating-point column.

An issued statement is immutable: triggers refuse UPDATE and DELETE on ``statements`` and
``statement_lines`` (and TRUNCATE on PostgreSQL), a guard against accidents; the statement's
digest is also in the usage ledger.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

IMMUTABLE = ("statements", "statement_lines")


def _org_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["orgs.id"], name=f"fk_{table}_{column}_orgs", ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "valuations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_org_id", sa.Integer(), nullable=False),
        sa.Column("pooled_ref", sa.String(128), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False, server_default=""),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("shares", sa.Text(), nullable=False),
        sa.Column("std_errors", sa.Text(), nullable=True),
        sa.Column("full_value", sa.Text(), nullable=True),
        sa.Column("samples", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _org_fk("valuations", "consumer_org_id"),
        sa.PrimaryKeyConstraint("id", name="pk_valuations"),
    )
    op.create_index("ix_valuations_ref", "valuations", ["consumer_org_id", "pooled_ref"])
    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("consumer_org_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("pooled_ref", sa.String(128), nullable=True),
        sa.Column("valuation_id", sa.Integer(), nullable=True),
        sa.Column("dataset", sa.String(256), nullable=True),
        sa.Column("price", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("usage", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("charges", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("pooled", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("total", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _org_fk("charges", "org_id"),
        _org_fk("charges", "consumer_org_id"),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name="fk_charges_contract_id_contracts",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["valuation_id"],
            ["valuations.id"],
            name="fk_charges_valuation_id_valuations",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_charges"),
        sa.UniqueConstraint("contract_id", "period", name="uq_charges_contract_period"),
        sa.UniqueConstraint(
            "consumer_org_id", "pooled_ref", "period", name="uq_charges_pooled_period"
        ),
    )
    op.create_index("ix_charges_period_owner", "charges", ["period", "org_id"])
    op.create_index("ix_charges_period_consumer", "charges", ["period", "consumer_org_id"])
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="issued"),
        sa.Column("fee_rate", sa.Text(), nullable=False),
        sa.Column("revenue", sa.Text(), nullable=False),
        sa.Column("fee", sa.Text(), nullable=False),
        sa.Column("payout", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("issued_by", sa.String(256), nullable=False, server_default=""),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        _org_fk("statements", "org_id"),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
        sa.UniqueConstraint("org_id", "period", name="uq_statements_org_period"),
    )
    op.create_table(
        "statement_lines",
        sa.Column("statement_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("line_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("consumer_org_id", sa.Integer(), nullable=True),
        sa.Column("dataset", sa.String(256), nullable=True),
        sa.Column("pooled_ref", sa.String(128), nullable=True),
        sa.Column("share", sa.String(64), nullable=True),
        sa.Column("gross", sa.Text(), nullable=False),
        sa.Column("fee", sa.Text(), nullable=False),
        sa.Column("amount", sa.Text(), nullable=False),
        sa.Column("charges", sa.Text(), nullable=False, server_default="[]"),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name="fk_statement_lines_statement_id_statements",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name="fk_statement_lines_contract_id_contracts",
            ondelete="RESTRICT",
        ),
        _org_fk("statement_lines", "consumer_org_id"),
        sa.PrimaryKeyConstraint("statement_id", "line_no", name="pk_statement_lines"),
    )
    op.create_index(
        "ix_statement_lines_consumer", "statement_lines", ["consumer_org_id", "statement_id"]
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in IMMUTABLE:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'an issued statement is immutable'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION statement_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'an issued statement is immutable (%)', TG_TABLE_NAME; END $$"
        )
        for table in IMMUTABLE:
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION statement_immutable()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION statement_immutable()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in IMMUTABLE:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    op.drop_index("ix_statement_lines_consumer", table_name="statement_lines")
    op.drop_table("statement_lines")  # on PostgreSQL the table's triggers go with it
    op.drop_table("statements")
    op.drop_index("ix_charges_period_consumer", table_name="charges")
    op.drop_index("ix_charges_period_owner", table_name="charges")
    op.drop_table("charges")
    op.drop_index("ix_valuations_ref", table_name="valuations")
    op.drop_table("valuations")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS statement_immutable()")
