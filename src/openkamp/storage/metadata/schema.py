"""Tables of the metadata store (SQLAlchemy Core), portable across SQLite and PostgreSQL.

Alembic migrations in ``migrations/`` create exactly these tables; a test compares the two.
Nothing here is SQLite-only: JSON is stored as text, timestamps are timezone-aware, uniqueness
of top-level names uses ``parent_key`` (0 for no parent) because NULLs never collide in UNIQUE
constraints on either engine.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

orgs = Table(
    "orgs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("display_name", String(256), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # KSIC code such as "C29" (migration 0010): the industry a usage policy's clause checks.
    Column("industry", String(16), nullable=True),
)

nodes = Table(
    "nodes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("parent_id", Integer, ForeignKey("nodes.id", ondelete="RESTRICT"), nullable=True),
    Column("parent_key", Integer, nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_ko", String(256), nullable=False, server_default=""),
    Column("name_en", String(256), nullable=False, server_default=""),
    Column("equipment_type", String(64), nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # JSON object: an equipment's nameplate, its filled fields only (core.assets.Nameplate).
    Column("nameplate", Text, nullable=False, server_default="{}"),
    UniqueConstraint("org_id", "parent_key", "name", name="uq_nodes_sibling_name"),
    Index("ix_nodes_org_parent", "org_id", "parent_id"),
)

signals = Table(
    "signals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("equipment_id", Integer, ForeignKey("nodes.id", ondelete="RESTRICT"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_ko", String(256), nullable=False, server_default=""),
    Column("name_en", String(256), nullable=False, server_default=""),
    Column("unit", String(32), nullable=False, server_default=""),
    Column("value_type", String(16), nullable=False),
    Column("min_value", Float, nullable=True),
    Column("max_value", Float, nullable=True),
    Column("sampling_period_s", Float, nullable=True),
    Column("description", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("equipment_id", "name", name="uq_signals_equipment_name"),
    Index("ix_signals_org_equipment", "org_id", "equipment_id"),
)

label_columns = Table(
    "label_columns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("equipment_id", Integer, ForeignKey("nodes.id", ondelete="RESTRICT"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("name_ko", String(256), nullable=False, server_default=""),
    Column("name_en", String(256), nullable=False, server_default=""),
    Column("label_type", String(16), nullable=False),
    Column("categories", Text, nullable=False, server_default="[]"),  # JSON list
    Column("description", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("equipment_id", "name", name="uq_label_columns_equipment_name"),
    Index("ix_label_columns_org_equipment", "org_id", "equipment_id"),
)

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("file_name", String(512), nullable=False),
    Column("file_checksum", String(64), nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("options_hash", String(64), nullable=False),
    Column("options", Text, nullable=False, server_default="{}"),  # JSON
    Column("status", String(16), nullable=False),  # running | done | failed | rejected
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("rows_read", BigInteger, nullable=False, server_default="0"),
    Column("rows_stored", BigInteger, nullable=False, server_default="0"),
    Column("rows_quarantined", BigInteger, nullable=False, server_default="0"),
    Column("points_inserted", BigInteger, nullable=False, server_default="0"),
    Column("points_updated", BigInteger, nullable=False, server_default="0"),
    Column("points_unchanged", BigInteger, nullable=False, server_default="0"),
    Column("labels_written", BigInteger, nullable=False, server_default="0"),
    Column("reasons", Text, nullable=False, server_default="{}"),  # JSON {reason: count}
    Column("quarantine_sha256", String(64), nullable=True),
    Column("report", Text, nullable=False, server_default="{}"),  # JSON, the full report
    Column("error", Text, nullable=True),
    Index("ix_imports_org_checksum", "org_id", "file_checksum"),
)

models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("task", String(16), nullable=False),  # anomaly | classify | regress | rul | ...
    Column("stage", String(16), nullable=False),  # candidate | production | archived
    # 1 for the production version, NULL otherwise: NULLs never collide in UNIQUE constraints,
    # so the database itself allows at most one production version per name, on every engine.
    Column("production_slot", Integer, nullable=True),
    Column("artefact_sha256", String(64), nullable=False),
    Column("artefact_size", BigInteger, nullable=False),
    Column("class_path", String(512), nullable=False),  # module:qualname of the model object
    Column("provenance", Text, nullable=False, server_default="{}"),  # JSON
    Column("metrics", Text, nullable=False, server_default="{}"),  # JSON
    Column("params", Text, nullable=False, server_default="{}"),  # JSON
    Column("description", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False, server_default=""),
    UniqueConstraint("org_id", "name", "version", name="uq_models_name_version"),
    UniqueConstraint("org_id", "name", "production_slot", name="uq_models_production"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("login", String(128), nullable=False, unique=True),  # lower-case; unique platform-wide
    Column("display_name", String(256), nullable=False, server_default=""),
    Column("password_hash", String(256), nullable=False),  # argon2id, with its parameters
    Column("role", String(16), nullable=False),  # operator | admin | engineer | viewer
    Column("language", String(8), nullable=False, server_default="ko"),
    Column("active", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
    Index("ix_users_org", "org_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column(
        "prefix", String(16), nullable=False
    ),  # the first characters, shown to tell tokens apart
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the secret
    Column("scopes", Text, nullable=False, server_default="[]"),  # JSON list: read | write | admin
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("user_id", "name", name="uq_api_tokens_user_name"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the cookie value
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=True),
    Column("user_agent", String(256), nullable=False, server_default=""),
    Index("ix_sessions_user", "user_id"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("kind", String(32), nullable=False),  # train | import | score | ...
    Column("title", String(256), nullable=False, server_default=""),
    Column("status", String(16), nullable=False),  # queued | running | done | failed | cancelled
    Column("progress", Float, nullable=False, server_default="0"),  # 0..1
    Column("message", String(512), nullable=False, server_default=""),
    Column("log", Text, nullable=False, server_default=""),
    Column("params", Text, nullable=False, server_default="{}"),  # JSON
    Column("result", Text, nullable=False, server_default="{}"),  # JSON
    Column("error", Text, nullable=True),
    Column("cancel_requested", Integer, nullable=False, server_default="0"),
    Column("created_by", String(256), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    # Worker processes (issue 12, migration 0016): ``attempt`` counts starts and fences writes
    # (a worker whose attempt is no longer the record's writes nothing); ``function`` names a portable
    # function (module:qualname) a job worker may run, ``submitter`` (JSON) who it runs as;
    # ``worker`` is the holder id of the process answerable for the job (its lease ``job:<id>``).
    Column("attempt", Integer, nullable=False, server_default="0"),
    Column("max_attempts", Integer, nullable=False, server_default="1"),
    Column("function", String(256), nullable=True),
    Column("submitter", Text, nullable=True),
    Column("worker", String(200), nullable=True),
    Index("ix_jobs_org_status", "org_id", "status"),
    Index("ix_jobs_status", "status", "id"),
)

datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("version", Integer, nullable=False),  # 1, 2, … per name; a version never changes
    Column("display_name", String(256), nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
    # The machine the records come from, when there is one (a dataset may span none).
    Column("equipment_id", Integer, ForeignKey("nodes.id", ondelete="SET NULL"), nullable=True),
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="SET NULL"), nullable=True),
    Column("origin", String(16), nullable=False),  # records | snapshot
    Column("rows", BigInteger, nullable=False, server_default="0"),
    # JSON list of columns: name, header, kind (number|text|time|bool), role
    # (input|time|id|group|label|ignore), unit, display {ko, en}.
    Column("columns", Text, nullable=False, server_default="[]"),
    Column("schema_hash", String(64), nullable=False),
    Column("content_sha256", String(64), nullable=False),  # of the stored table file
    Column("file_key", String(128), nullable=False),  # the table (Parquet) in the file store
    Column("options", Text, nullable=False, server_default="{}"),  # JSON: how it was made
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(256), nullable=False, server_default=""),
    UniqueConstraint("org_id", "name", "version", name="uq_datasets_name_version"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("equipment_id", Integer, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=True),
    Column("model_id", Integer, ForeignKey("models.id", ondelete="SET NULL"), nullable=True),
    Column("source", String(16), nullable=False),  # model | limit | stale | ...
    Column("severity", String(16), nullable=False),  # info | warning | critical
    Column("title", String(512), nullable=False),
    Column("detail", Text, nullable=False, server_default="{}"),  # JSON
    Column("first_at", DateTime(timezone=True), nullable=False),  # first and last reading
    Column("last_at", DateTime(timezone=True), nullable=False),
    Column("count", Integer, nullable=False, server_default="1"),
    Column("status", String(16), nullable=False),  # open | acknowledged
    Column("acknowledged_by", String(256), nullable=True),
    Column("acknowledged_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("rule_id", Integer, ForeignKey("alert_rules.id", ondelete="SET NULL"), nullable=True),
    Column("comment", Text, nullable=True),  # the acknowledging person's comment
    Column("closed_by", String(256), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Index("ix_alerts_org_status", "org_id", "status"),
)

connections = Table(
    "connections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("kind", String(32), nullable=False),  # mqtt | opcua | modbus | http | ... (plugins)
    Column("config", Text, nullable=False, server_default="{}"),  # JSON, the kind's settings
    Column("enabled", Integer, nullable=False, server_default="1"),  # runs (and resumes) if 1
    Column("state", String(16), nullable=False, server_default="stopped"),
    Column("last_error", Text, nullable=True),
    Column("stats", Text, nullable=False, server_default="{}"),  # JSON, last saved counters
    Column("created_by", String(256), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("org_id", "name", name="uq_connections_name"),
)

equipment_states = Table(
    "equipment_states",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("equipment_id", Integer, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=False),
    Column("state", String(16), nullable=False),  # running | idle | down | offline
    Column("since", DateTime(timezone=True), nullable=False),
    Column("source", String(128), nullable=False, server_default=""),  # the connection's name
    Column("detail", Text, nullable=False, server_default="{}"),  # JSON
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("org_id", "equipment_id", name="uq_equipment_states_equipment"),
)

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # score | limit | rate | stale | offline
    Column("equipment_id", Integer, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=True),
    Column("signal_id", Integer, ForeignKey("signals.id", ondelete="CASCADE"), nullable=True),
    Column("model_id", Integer, ForeignKey("models.id", ondelete="CASCADE"), nullable=True),
    Column("severity", String(16), nullable=False, server_default="warning"),
    Column("config", Text, nullable=False, server_default="{}"),  # JSON: thresholds, durations
    Column("enabled", Integer, nullable=False, server_default="1"),
    Column("created_by", String(256), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("org_id", "name", name="uq_alert_rules_name"),
)

notification_channels = Table(
    "notification_channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # webhook | email
    Column("config", Text, nullable=False, server_default="{}"),  # JSON: url / recipients
    Column("min_severity", String(16), nullable=False, server_default="warning"),
    Column("enabled", Integer, nullable=False, server_default="1"),
    Column("created_by", String(256), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Deliveries (migration 0008): counts, the last one sent and the last error.
    Column("sent", Integer, nullable=False, server_default="0"),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("last_sent_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("org_id", "name", name="uq_notification_channels_name"),
)

retention_policies = Table(
    "retention_policies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    # 0: the organisation's default; otherwise the signal it is for (NULLs never collide)
    Column("scope_key", BigInteger, nullable=False, server_default="0"),
    Column("raw_days", Integer, nullable=True),  # NULL: keep forever
    Column("minute_days", Integer, nullable=True),
    Column("hour_days", Integer, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("org_id", "scope_key", name="uq_retention_policies_scope"),
)

# -- the usage ledger (issue 11, migration 0009) ---------------------------------------------
# An append-only Merkle-tree log (openkamp.sharing.ledger, through storage.metadata.ledger): rows
# are only ever inserted, and the migration adds triggers that refuse UPDATE and DELETE. These
# tables are not record kinds: no generic find / update / delete reaches them.

#: A leaf index or node id: 64-bit, and on SQLite the rowid itself (INTEGER PRIMARY KEY).
LEDGER_KEY = BigInteger().with_variant(Integer(), "sqlite")

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("seq", LEDGER_KEY, primary_key=True, autoincrement=False),  # the leaf's index
    Column("kind", String(32), nullable=False),  # access | export | training | settlement
    # The acting organisation (the leaf names it, and every party, by name).
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("contract", String(128), nullable=True),
    Column("dataset", String(256), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("leaf", Text, nullable=False),  # canonical JSON: its UTF-8 bytes are the Merkle leaf
)

# The organisations each entry concerns (the acting one included): an organisation's view.
ledger_parties = Table(
    "ledger_parties",
    metadata,
    Column("seq", LEDGER_KEY, primary_key=True, autoincrement=False),
    Column(
        "org_id",
        Integer,
        ForeignKey("orgs.id", ondelete="RESTRICT"),
        primary_key=True,
        autoincrement=False,
    ),
    Index("ix_ledger_parties_org_seq", "org_id", "seq"),
    sqlite_with_rowid=False,
)

# Hashes of the complete subtrees, by flat-tree node id (leaf j: 2j; level L, index i:
# i * 2^(L+1) + 2^L - 1): O(log n) of them give any proof.
ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("id", LEDGER_KEY, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

# Signed tree heads: the platform's (org_id NULL) and the acting organisation's, per batch.
ledger_heads = Table(
    "ledger_heads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("timestamp_ms", BigInteger, nullable=False),  # signed: milliseconds since 1970, UTC
    Column("key_id", String(64), nullable=False),  # hex SHA-256 of the signer's public key (DER)
    Column("signature", LargeBinary(64), nullable=False),  # Ed25519
    Index("ix_ledger_heads_org_size", "org_id", "tree_size"),
)

#: The ledger's tables, all append-only.
LEDGER_TABLES = (ledger_entries, ledger_parties, ledger_nodes, ledger_heads)

# -- sharing manufacturing data (issue 11, migration 0010) ------------------------------------
# JSON is stored as text. Offers are a record kind (the store decodes their JSON columns);
# contracts concern two organisations and are read through storage.metadata.contracts.

# A dataset version an organisation offers (openkamp.sharing.catalog).
offers = Table(
    "offers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),  # owner
    Column("name", String(128), nullable=False),
    Column("dataset_id", Integer, ForeignKey("datasets.id", ondelete="RESTRICT"), nullable=False),
    Column("dataset_name", String(128), nullable=False),
    Column("dataset_version", Integer, nullable=False),
    Column("schema_hash", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("title_ko", String(256), nullable=False, server_default=""),
    Column("title_en", String(256), nullable=False, server_default=""),
    Column("description_ko", Text, nullable=False, server_default=""),
    Column("description_en", Text, nullable=False, server_default=""),
    Column("equipment_type", String(64), nullable=False, server_default=""),
    Column("industry", String(16), nullable=False, server_default=""),  # KSIC code
    # anomaly | defect | quality | rul | forecast | setting | vision | other
    Column("problem", String(32), nullable=False, server_default="other"),
    Column("coverage", Text, nullable=False, server_default="{}"),  # JSON: start, end, rows, ...
    Column("preview", Text, nullable=False, server_default="{}"),  # JSON: columns, <= 20 rows
    Column("certificate", Text, nullable=False, server_default="{}"),  # JSON, signed
    Column("price", Text, nullable=False, server_default="{}"),  # JSON (sharing.pricing)
    Column("policy", Text, nullable=False, server_default="{}"),  # ODRL Offer JSON-LD
    # JSON TransformSpec its governed exports apply (migration 0012); None: the default
    Column("transforms", Text, nullable=True),
    Column(
        "state", String(16), nullable=False, server_default="draft"
    ),  # draft|published|withdrawn
    Column("golden", Integer, nullable=False, server_default="0"),
    Column("golden_by", String(256), nullable=True),
    Column("golden_at", DateTime(timezone=True), nullable=True),
    Column("created_by", String(256), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("org_id", "name", name="uq_offers_name"),
    Index("ix_offers_state", "state", "golden"),  # the cross-organisation catalog search
)

# A consumer organisation's contract for an offer; ``org_id`` is the OWNER's organisation.
contracts = Table(
    "contracts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("offer_id", Integer, ForeignKey("offers.id", ondelete="RESTRICT"), nullable=False),
    Column("consumer_org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("requested_by", String(256), nullable=False, server_default=""),
    Column("purpose", String(32), nullable=False),  # a sharing.policy.Purpose value
    Column("request_note", Text, nullable=False, server_default=""),
    # requested | countered | active | rejected | withdrawn | expired | revoked | completed
    Column("state", String(16), nullable=False, server_default="requested"),
    Column("terms", Text, nullable=True),  # ODRL Agreement JSON-LD, once decided
    Column("price", Text, nullable=False, server_default="{}"),  # JSON (sharing.pricing)
    Column("starts_at", DateTime(timezone=True), nullable=True),
    Column("ends_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(256), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_note", Text, nullable=True),
    # The consumer's acceptance of a counter-offer (migration 0013).
    Column("accepted_by", String(256), nullable=True),
    Column("accepted_at", DateTime(timezone=True), nullable=True),
    Column("ended_by", String(256), nullable=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("end_reason", Text, nullable=True),
    # Names the per-contract key (pseudonymisation, watermark); the key is derived, not stored.
    Column("secret_id", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_contracts_offer", "offer_id"),
    Index("ix_contracts_consumer", "consumer_org_id", "state"),
)

# Usage counters per contract, updated in the transaction that appends the ledger entry.
contract_usage = Table(
    "contract_usage",
    metadata,
    Column(
        "contract_id",
        Integer,
        ForeignKey("contracts.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("rows", BigInteger, nullable=False, server_default="0"),
    Column("queries", BigInteger, nullable=False, server_default="0"),
    Column("trainings", BigInteger, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# What left the owner's space under a contract: a governed export or a compute-to-data result.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),  # owner
    Column("contract_id", Integer, ForeignKey("contracts.id", ondelete="RESTRICT"), nullable=False),
    Column("kind", String(16), nullable=False),  # export | compute
    Column("rows", BigInteger, nullable=False, server_default="0"),
    Column("columns", Text, nullable=False, server_default="[]"),  # JSON list
    Column("sha256", String(64), nullable=False, server_default=""),  # of the delivered file
    Column("watermark", Text, nullable=False, server_default="{}"),  # JSON: scheme, params, no key
    Column("delivered_at", DateTime(timezone=True), nullable=False),
    Column("delete_by", DateTime(timezone=True), nullable=True),
    Column("deleted_at", DateTime(timezone=True), nullable=True),  # the consumer's confirmation
    Column("ledger_index", BigInteger, nullable=True),
    Index("ix_deliveries_contract", "contract_id"),
)

# Which jobs run under which contract (revocation cancels them).
sharing_jobs = Table(
    "sharing_jobs",
    metadata,
    Column(
        "job_id",
        Integer,
        ForeignKey("jobs.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    # keyed by job and contract since migration 0015: a pooled job works under each contract
    Column(
        "contract_id",
        Integer,
        ForeignKey("contracts.id", ondelete="RESTRICT"),
        primary_key=True,
        autoincrement=False,
    ),
    Index("ix_sharing_jobs_contract", "contract_id"),
)

# -- settlement (issue 11, migration 0011) -------------------------------------------------------
# Money is Decimal won stored as TEXT, never a floating-point column; JSON as text. Read and
# written through storage.metadata.settlement. Statements and their lines are immutable once
# issued: the migration adds triggers that refuse UPDATE and DELETE on them.

# A pooled model's owners' contribution shares (openkamp.sharing.valuation).
valuations = Table(
    "valuations",
    metadata,
    Column("id", Integer, primary_key=True),
    # the organisation that trained the pooled model (the consumer)
    Column("consumer_org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("pooled_ref", String(128), nullable=False),  # the pooled model, e.g. "model:42"
    Column("metric", String(64), nullable=False, server_default=""),
    Column("method", String(16), nullable=False),  # exact | monte_carlo
    Column("shares", Text, nullable=False),  # JSON {owner org id: value as text}
    Column("std_errors", Text, nullable=True),  # JSON {owner org id: text} (Monte Carlo)
    Column("full_value", Text, nullable=True),  # the full coalition's metric, as text
    Column("samples", Integer, nullable=True),  # Monte Carlo permutations
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_valuations_ref", "consumer_org_id", "pooled_ref"),
)

# What a consumer owes for a month: under a contract (kind "contract", org_id the owner) or for
# a pooled model (kind "pooled", org_id NULL: the owners and their shares are in ``pooled``).
charges = Table(
    "charges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # contract | pooled
    Column("period", String(7), nullable=False),  # YYYY-MM
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=True),
    Column("consumer_org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),
    Column("contract_id", Integer, ForeignKey("contracts.id", ondelete="RESTRICT"), nullable=True),
    Column("pooled_ref", String(128), nullable=True),
    Column(
        "valuation_id", Integer, ForeignKey("valuations.id", ondelete="RESTRICT"), nullable=True
    ),
    Column("dataset", String(256), nullable=True),
    Column("price", Text, nullable=False, server_default="{}"),  # JSON (sharing.pricing)
    Column("usage", Text, nullable=False, server_default="{}"),  # JSON: the month's usage
    Column("charges", Text, nullable=False, server_default="[]"),  # JSON: kind, amount, basis
    Column("pooled", Text, nullable=False, server_default="{}"),  # JSON: shares, contracts, ...
    Column("total", Text, nullable=False),  # whole won
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("contract_id", "period", name="uq_charges_contract_period"),
    UniqueConstraint("consumer_org_id", "pooled_ref", "period", name="uq_charges_pooled_period"),
    Index("ix_charges_period_owner", "period", "org_id"),
    Index("ix_charges_period_consumer", "period", "consumer_org_id"),
)

# An owner's settlement statement for a month (always issued, then immutable).
statements = Table(
    "statements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=False),  # owner
    Column("period", String(7), nullable=False),
    Column("state", String(16), nullable=False, server_default="issued"),
    Column("fee_rate", Text, nullable=False),
    Column("revenue", Text, nullable=False),  # whole won, = the sum of the lines' amounts
    Column("fee", Text, nullable=False),
    Column("payout", Text, nullable=False),
    Column("digest", String(64), nullable=False),  # SHA-256 of the statement's canonical JSON
    Column("issued_by", String(256), nullable=False, server_default=""),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("ledger_index", BigInteger, nullable=True),  # its "settlement" entry in the ledger
    UniqueConstraint("org_id", "period", name="uq_statements_org_period"),
)

statement_lines = Table(
    "statement_lines",
    metadata,
    Column(
        "statement_id",
        Integer,
        ForeignKey("statements.id", ondelete="RESTRICT"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # contract | pooled | platform_fee
    Column("contract_id", Integer, ForeignKey("contracts.id", ondelete="RESTRICT"), nullable=True),
    Column("consumer_org_id", Integer, ForeignKey("orgs.id", ondelete="RESTRICT"), nullable=True),
    Column("dataset", String(256), nullable=True),
    Column("pooled_ref", String(128), nullable=True),
    Column("share", String(64), nullable=True),  # the contribution share as given (text)
    Column("gross", Text, nullable=False),
    Column("fee", Text, nullable=False),
    Column("amount", Text, nullable=False),
    Column("charges", Text, nullable=False, server_default="[]"),  # JSON: the bill's basis
    Index("ix_statement_lines_consumer", "consumer_org_id", "statement_id"),
)

# -- sign-in limits shared by processes (issue 12, migration 0014) ----------------------------
# One row per limited key (``login:<name>``, ``client:<address>``) while it has failures, running
# password checks or a lockout: every API worker counts against the same rows. Read and written
# through storage.metadata.login_limits (times in the JSON lists are epoch milliseconds).
login_limits = Table(
    "login_limits",
    metadata,
    Column("limit_key", String(200), primary_key=True),
    Column("failures", Text, nullable=False, server_default="[]"),  # JSON: failure times
    Column("pending", Text, nullable=False, server_default="[]"),  # JSON: running checks' starts
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_login_limits_updated", "updated_at"),
)

# -- leases of worker processes (issue 12, migration 0016) --------------------------------------
# Which process holds a resource (a job, a connection, a periodic chore) until when: taken and
# renewed by single statements (storage.metadata.leases), times in seconds since the epoch on
# the database's clock, so the processes' own clocks never decide who holds what.
leases = Table(
    "leases",
    metadata,
    Column("resource", String(200), primary_key=True),
    Column("holder", String(200), nullable=False),  # host:pid:random of the holding process
    Column("acquired_at", Float, nullable=False),
    Column("renewed_at", Float, nullable=False),  # the last heartbeat
    Column("expires_at", Float, nullable=False),
    Index("ix_leases_holder", "holder"),
)

#: Tables whose rows are never changed once written (issued statements).
STATEMENT_TABLES = (statements, statement_lines)

#: Record kinds the store serves, by name.
TABLES = {
    "node": nodes,
    "signal": signals,
    "label_column": label_columns,
    "import": imports,
    "model": models,
    "user": users,
    "api_token": api_tokens,
    "session": sessions,
    "job": jobs,
    "dataset": datasets,
    "alert": alerts,
    "connection": connections,
    "equipment_state": equipment_states,
    "alert_rule": alert_rules,
    "notification_channel": notification_channels,
    "retention_policy": retention_policies,
    "offer": offers,
}

#: Kinds that :meth:`MetadataStore.lookup` may find across organisations (authentication only).
LOOKUP_KINDS = ("user", "api_token", "session")
