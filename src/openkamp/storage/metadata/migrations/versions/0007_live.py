"""the live factory (issue 10)

Tables of the live path: ``connections`` (a connector's configuration, state and last saved
counters; resumed at start when enabled), ``equipment_states`` (each machine's live state:
running / idle / down / offline, since when, from which connection), ``alert_rules`` (score,
limit, rate of change, stale signal, equipment offline; severity and the rule's settings as JSON),
``notification_channels`` (webhook, e-mail) and ``retention_policies`` (raw, per-minute and
per-hour days, for an organisation (``scope_key`` 0) or one signal). Alerts gain their lifecycle:
the rule that raised them, the acknowledging person's comment, and who closed them and when.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("config", sa.Text(), server_default="{}", nullable=False),
        sa.Column("enabled", sa.Integer(), server_default="1", nullable=False),
        sa.Column("state", sa.String(16), server_default="stopped", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("stats", sa.Text(), server_default="{}", nullable=False),
        sa.Column("created_by", sa.String(256), server_default="", nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_connections_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_connections"),
        sa.UniqueConstraint("org_id", "name", name="uq_connections_name"),
    )
    op.create_table(
        "equipment_states",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("since", _tz(), nullable=False),
        sa.Column("source", sa.String(128), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_equipment_states_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["nodes.id"],
            name="fk_equipment_states_equipment_id_nodes",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_equipment_states"),
        sa.UniqueConstraint("org_id", "equipment_id", name="uq_equipment_states_equipment"),
    )
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=True),
        sa.Column("signal_id", sa.Integer(), nullable=True),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(16), server_default="warning", nullable=False),
        sa.Column("config", sa.Text(), server_default="{}", nullable=False),
        sa.Column("enabled", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_by", sa.String(256), server_default="", nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_alert_rules_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["equipment_id"],
            ["nodes.id"],
            name="fk_alert_rules_equipment_id_nodes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signals.id"],
            name="fk_alert_rules_signal_id_signals",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], name="fk_alert_rules_model_id_models", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_alert_rules"),
        sa.UniqueConstraint("org_id", "name", name="uq_alert_rules_name"),
    )
    op.create_table(
        "notification_channels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("config", sa.Text(), server_default="{}", nullable=False),
        sa.Column("min_severity", sa.String(16), server_default="warning", nullable=False),
        sa.Column("enabled", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_by", sa.String(256), server_default="", nullable=False),
        sa.Column("created_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name="fk_notification_channels_org_id_orgs",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notification_channels"),
        sa.UniqueConstraint("org_id", "name", name="uq_notification_channels_name"),
    )
    op.create_table(
        "retention_policies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("raw_days", sa.Integer(), nullable=True),
        sa.Column("minute_days", sa.Integer(), nullable=True),
        sa.Column("hour_days", sa.Integer(), nullable=True),
        sa.Column("updated_at", _tz(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_retention_policies_org_id_orgs", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_retention_policies"),
        sa.UniqueConstraint("org_id", "scope_key", name="uq_retention_policies_scope"),
    )
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("rule_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("closed_by", sa.String(256), nullable=True))
        batch.add_column(sa.Column("closed_at", _tz(), nullable=True))
        batch.create_foreign_key("fk_alerts_rule_id_alert_rules", "alert_rules", ["rule_id"],
                                 ["id"], ondelete="SET NULL")  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("fk_alerts_rule_id_alert_rules", type_="foreignkey")
        batch.drop_column("closed_at")
        batch.drop_column("closed_by")
        batch.drop_column("comment")
        batch.drop_column("rule_id")
    for table in ("retention_policies", "notification_channels", "alert_rules",
                  "equipment_states", "connections"):  # fmt: skip
        op.drop_table(table)
