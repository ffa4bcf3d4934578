"""An installation moved to PostgreSQL (``openkamp migrate --to postgresql://…``, issue 12).

A factory PC that outgrows embedded storage, or joins a regional centre, keeps everything it
has: :func:`migrate_installation` copies the metadata (SQLite) and the time series (DuckDB: points,
labels, roll-up tiers and horizons) of the installation its settings name into an empty
PostgreSQL database, then reads the copy back and compares it with the source, table by table
and signal by signal (:class:`Check`: counts, exact sums and order-independent digests,
:mod:`._digests`). Nothing in the source changes (its schema is brought to the current version
first, as opening it would). What stays where it is: the data folder's files (``files/``), keys
(``keys/``: the ledger's signing keys and the sharing secret), scored results and reports; the
regional installation uses the same folder as ``OPENKAMP_DATA_DIR``, shared by every process.

Metadata. The target's schema is made by the Alembic migrations (as any process opening it
would), then every table is copied in dependency order (``MetaData.sorted_tables``; a node after
its parent) in one transaction, keeping every id, and each table's id sequence is moved past
the largest id. The ledger's tables refuse UPDATE and DELETE by trigger, never INSERT, so their
rows are copied as any other. Leases are process state and are not copied. A failed copy leaves
no metadata behind.

Time series (:mod:`._install_timeseries`): streamed in windows of at most ``batch_points``
points per read and written in batches of about that many through the PostgreSQL store's own
write (binary COPY, roll-ups in the same transaction), so memory stays bounded; a failure part
way leaves the points copied so far, and the target must be dropped and made again.

A target that holds any OpenKAMP table with rows is refused before anything is written (a second
migration into the same database, workers already running on it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, LargeBinary, String, Table, create_engine, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.types import DateTime

from openkamp.core.errors import ConfigError, Conflict, StorageError
from openkamp.settings import Settings
from openkamp.storage._digests import Check, RowDigest
from openkamp.storage._install_timeseries import copy_timeseries
from openkamp.storage.metadata.schema import metadata as schema
from openkamp.storage.metadata.schema import orgs
from openkamp.storage.metadata.sql import WRITER_LOCK, SqlMetadataStore

#: ``progress(stage, done, total)``: stage is metadata, points, rollups or verify.
Progress = Callable[[str, int, int], None]

#: Tables of process state, not of the installation: not copied.
SKIPPED = ("leases",)
#: Options of the time-series store in a URL's query (libpq knows none of them).
TS_OPTIONS = ("pool_size", "partition")
TS_TABLES = ("ts_points", "ts_labels", "ts_rollup_minute", "ts_rollup_hour", "ts_horizons")
_ROWS_PER_BATCH = 1000


@dataclass
class MigrationReport:
    """What :func:`migrate_installation` copied and how the copy compared with the source."""

    metadata_url: str
    timeseries_url: str
    data_dir: Path
    checks: list[Check]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def mismatches(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def settings_lines(self) -> list[str]:
        """The settings that point the installation at the copy (environment or .env)."""
        return [
            f"OPENKAMP_METADATA_URL={self.metadata_url}",
            f"OPENKAMP_TIMESERIES_URL={self.timeseries_url}",
            f"OPENKAMP_DATA_DIR={self.data_dir}",
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "settings": self.settings_lines(),
            "checks": [c.to_json() for c in self.checks],
        }


def _postgresql(url: str) -> bool:
    return url.startswith(("postgresql://", "postgresql+psycopg://"))


def _shown(url: str) -> str:
    """A URL as it may be shown (no password)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def target_urls(to: str, timeseries_to: str | None = None) -> tuple[str, str]:
    """The metadata and time-series URLs of a migration's target: ``to`` for both (its
    time-series options, ``?partition=day&pool_size=8``, left out of the metadata's), or
    ``timeseries_to`` for the time series."""
    for url in (to, timeseries_to):
        if url is not None and not _postgresql(url):
            raise ConfigError(
                f"{_shown(url)} is not the address of a PostgreSQL database.",
                hint="For example: openkamp migrate --to postgresql://kamp@db-host/kamp",
                code="migrate.not_postgresql",
                params={"url": _shown(url)},
            )
    try:
        u = make_url(to)
    except ArgumentError as exc:
        raise ConfigError(
            f"{_shown(to)} is not the address of a PostgreSQL database.",
            code="migrate.not_postgresql",
            params={"url": _shown(to)},
        ) from exc
    meta = to
    if any(k in u.query for k in TS_OPTIONS):
        meta = u.difference_update_query(TS_OPTIONS).render_as_string(hide_password=False)
    return meta, timeseries_to or to


def _engine_url(url: str) -> str:
    """A SQLAlchemy URL with our driver and without the time-series store's options."""
    u = make_url(url)
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    return u.difference_update_query(TS_OPTIONS).render_as_string(hide_password=False)


def _same_database(a: str, b: str) -> bool:
    if not (_postgresql(a) and _postgresql(b)):
        return False
    ua, ub = make_url(a), make_url(b)

    def where(u: Any) -> tuple[Any, ...]:
        return (u.query.get("host") or u.host, u.port or 5432, u.database)

    return where(ua) == where(ub)


def held_tables(url: str) -> list[str]:
    """OpenKAMP's tables in the database at ``url`` that hold rows (none in a new database)."""
    engine = create_engine(_engine_url(url))
    held: list[str] = []
    try:
        with engine.connect() as conn:
            for name in sorted({*schema.tables, *TS_TABLES}):
                if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is None:
                    continue
                if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None:
                    held.append(name)
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise StorageError(
            f"Cannot reach the target database {_shown(url)}: {first[0] if first else exc}",
            hint="Check that PostgreSQL runs, that the database exists (createdb) and that the "
            "role may connect and create tables there.",
        ) from exc
    finally:
        engine.dispose()
    return held


def _refuse_held(held: Sequence[str]) -> None:
    if held:
        names = ", ".join(held[:6]) + (" …" if len(held) > 6 else "")
        raise Conflict(
            f"The target database already holds OpenKAMP data ({names}); nothing was copied.",
            hint="Migrate into a new, empty database (createdb kamp); if this one is left from a "
            "failed earlier migration, drop and create it again.",
            code="migrate.target_not_empty",
            params={"tables": names},
        )


def _source_timeseries_url(settings: Settings) -> str:
    """The time-series URL the platform would open (DuckDB with the memory settings)."""
    url = settings.resolved_timeseries_url()
    if url.startswith("duckdb") and "?" not in url:
        url += f"?memory_limit={settings.duckdb_memory_limit}"
        if settings.duckdb_threads:
            url += f"&threads={settings.duckdb_threads}"
    return url


def migrate_installation(
    settings: Settings,
    to: str,
    *,
    timeseries_to: str | None = None,
    batch_points: int = 100_000,
    progress: Progress | None = None,
) -> MigrationReport:
    """Copy the installation ``settings`` name into the empty PostgreSQL database(s) ``to``
    (and ``timeseries_to``) and compare the copy with it (module docstring). The report's
    :attr:`~MigrationReport.ok` says whether every count and digest matched; refusals (a
    target that is not PostgreSQL, not empty, or the source itself) raise before anything is
    written. The server must not run on the installation meanwhile."""
    from openkamp.storage.registry import open_timeseries

    started = time.monotonic()
    tell = progress or (lambda stage, done, total: None)
    meta_url, ts_url = target_urls(to, timeseries_to)
    source_meta, source_ts = settings.resolved_metadata_url(), _source_timeseries_url(settings)
    for src, dst in ((source_meta, meta_url), (source_ts, ts_url)):
        if _same_database(src, dst):
            raise ConfigError(
                f"This installation already uses {_shown(dst)}: there is nothing to move.",
                code="migrate.same_store",
                params={"url": _shown(dst)},
            )
    held = held_tables(meta_url)
    if not _same_database(meta_url, ts_url):
        held += held_tables(ts_url)
    _refuse_held(sorted(set(held)))
    checks: list[Check] = []
    source = SqlMetadataStore(source_meta)
    try:
        target = SqlMetadataStore(meta_url)
        try:
            checks += copy_metadata(source, target, tell)
        finally:
            target.close()
        src_ts = open_timeseries(source_ts)
        try:
            dst_ts = open_timeseries(ts_url)
            try:
                checks += copy_timeseries(
                    source, src_ts, dst_ts, batch=max(1, int(batch_points)), progress=tell
                )
            finally:
                dst_ts.close()
        finally:
            src_ts.close()
    finally:
        source.close()
    return MigrationReport(
        metadata_url=meta_url,
        timeseries_url=ts_url,
        data_dir=Path(settings.data_dir).resolve(),
        checks=checks,
        seconds=time.monotonic() - started,
    )


# -- metadata ------------------------------------------------------------------------------------


def copy_metadata(
    source: SqlMetadataStore, target: SqlMetadataStore, progress: Progress
) -> list[Check]:
    """Copy every table (but :data:`SKIPPED`) in one transaction of the target, then read the
    copy back and compare it with what was read from the source."""
    tables = [t for t in schema.sorted_tables if t.name not in SKIPPED]
    read: dict[str, RowDigest] = {}
    with target.engine.begin() as dst, source.engine.connect() as src:
        # one migration at a time, and none beside running workers (they take the same lock)
        dst.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITER_LOCK})
        if dst.execute(select(orgs.c.id).limit(1)).first() is not None:
            _refuse_held(["orgs"])
        for i, table in enumerate(tables):
            progress("metadata", i, len(tables))
            digest = read[table.name] = RowDigest()
            for rows in _rows(src, table):
                for row in rows:
                    digest.add_row([row[c.name] for c in table.columns])
                dst.execute(table.insert(), rows)
        _move_sequences(dst, tables)
    progress("metadata", len(tables), len(tables))
    checks = []
    with target.engine.connect() as dst:
        for table in tables:
            copied = RowDigest()
            for rows in _rows(dst, table, parents_first=False):
                for row in rows:
                    copied.add_row([row[c.name] for c in table.columns])
            mine = read[table.name]
            checks.append(
                Check(
                    kind="table",
                    name=table.name,
                    source=mine.count,
                    target=copied.count,
                    source_digest=mine.hex,
                    target_digest=copied.hex,
                )
            )
    return checks


def _rows(
    conn: Connection, table: Table, *, parents_first: bool = True
) -> Iterator[list[dict[str, Any]]]:
    """The table's rows in batches, engine-independent (:func:`_portable`), in key order; a
    table that refers to itself (nodes) with each row after the row it refers to."""
    result = conn.execution_options(yield_per=_ROWS_PER_BATCH).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if own and parents_first:
        rows = [_portable(table, r) for r in result.mappings()]
        ordered = _parents_first(rows, own[0], table.primary_key.columns[0].name)
        for lo in range(0, len(ordered), _ROWS_PER_BATCH):
            yield ordered[lo : lo + _ROWS_PER_BATCH]
        return
    for part in result.mappings().partitions():
        yield [_portable(table, r) for r in part]


def _parents_first(rows: list[dict[str, Any]], ref: str, key: str) -> list[dict[str, Any]]:
    placed: set[Any] = set()
    out: list[dict[str, Any]] = []
    pending = rows
    while pending:
        rest = []
        for r in pending:
            if r[ref] is None or r[ref] in placed or r[ref] == r[key]:
                out.append(r)
                placed.add(r[key])
            else:
                rest.append(r)
        if len(rest) == len(pending):  # a parent that is not there: the insert will say so
            out += rest
            break
        pending = rest
    return out


def _portable(table: Table, row: Any) -> dict[str, Any]:
    """A row's values as both engines take them: times aware (SQLite gives them back without
    their zone: they are stored in UTC), text as text (SQLite keeps whatever it was given)."""
    out: dict[str, Any] = {}
    for col in table.columns:
        value = row[col.name]
        if value is not None:
            if isinstance(col.type, DateTime) and isinstance(value, datetime):
                value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
            elif isinstance(col.type, String) and not isinstance(value, str):
                value = str(value)
            elif isinstance(col.type, LargeBinary) and not isinstance(value, bytes):
                value = bytes(value)
        out[col.name] = value
    return out


def _move_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """Each copied table's id sequence past its largest id, so new records get new ids."""
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1 or not isinstance(key[0].type, Integer) or key[0].autoincrement is False:
            continue
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key[0].name}
        ).scalar()
        if seq is None:
            continue
        conn.execute(
            text(
                f'SELECT setval(:s, coalesce((SELECT max("{key[0].name}") FROM "{table.name}"), 0)'
                " + 1, false)"
            ),
            {"s": seq},
        )


__all__ = ["Check", "MigrationReport", "held_tables", "migrate_installation", "target_urls"]
