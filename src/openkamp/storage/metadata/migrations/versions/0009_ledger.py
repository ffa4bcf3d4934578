"""the usage ledger (issue 11)

An append-only Merkle-tree transparency log of every access, export, training and settlement
(openkamp.sharing.ledger): ``ledger_entries`` (the canonical JSON leaves, with the acting
organisation, kind, contract, dataset and time as columns), ``ledger_parties`` (the organisations
each entry concerns), ``ledger_nodes`` (hashes of the complete subtrees, for O(log n) proofs) and
``ledger_heads`` (signed tree heads of the platform and of the acting organisations).

Triggers refuse UPDATE and DELETE on the four tables (and TRUNCATE on PostgreSQL): nothing in
OpenKAMP changes a ledger row, and a mistaken statement fails instead of rewriting history. They
are a guard against accidents, not the proof: whoever can write the database file can drop them,
which is why ``Ledger.verify`` recomputes the tree and checks the signed tree heads.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("ledger_entries", "ledger_parties", "ledger_nodes", "ledger_heads")


def _key() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", _key(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("contract", sa.String(128), nullable=True),
        sa.Column("dataset", sa.String(256), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leaf", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_ledger_entries_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_ledger_entries"),
    )
    op.create_table(
        "ledger_parties",
        sa.Column("seq", _key(), autoincrement=False, nullable=False),
        sa.Column("org_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_ledger_parties_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("seq", "org_id", name="pk_ledger_parties"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_ledger_parties_org_seq", "ledger_parties", ["org_id", "seq"])
    op.create_table(
        "ledger_nodes",
        sa.Column("id", _key(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_nodes"),
    )
    op.create_table(
        "ledger_heads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_ledger_heads_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_heads"),
    )
    op.create_index("ix_ledger_heads_org_size", "ledger_heads", ["org_id", "tree_size"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    op.drop_index("ix_ledger_heads_org_size", table_name="ledger_heads")
    op.drop_index("ix_ledger_parties_org_seq", table_name="ledger_parties")
    for table in reversed(TABLES):
        op.drop_table(table)  # on PostgreSQL the table's triggers go with it
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
