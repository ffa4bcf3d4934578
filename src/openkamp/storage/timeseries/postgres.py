"""Time-series store on PostgreSQL (``postgresql+psycopg://user:pw@host/db``): the regional centre.

Any number of processes (API, ingest and job workers) open the same database; nothing here
assumes one writer. Settings: ``OPENKAMP_TIMESERIES_URL=postgresql+psycopg://user:pw@db/kamp``
(``postgresql://`` too; ``?host=/var/run/postgresql`` for a Unix socket). Options in the query
string: ``pool_size`` (connections per process, default 8) and ``partition`` (``month``, ``week``
or ``day``: the width of the time partitions, fixed when the tables are created, default month);
any other option goes to libpq (``sslmode``, ``application_name``, ...).

Layout. ``ts_points(org_id, signal_id, ts, value)`` is range-partitioned by ``ts``; a partition is
created on demand before the first write that needs it, in a transaction of its own under an
advisory lock (two processes needing it at once create it once), as a plain table then attached
(``ATTACH PARTITION`` takes a lock that lets reads and writes of the other partitions go on, where
``CREATE TABLE ... PARTITION OF`` would wait for every running query on the table and hold up
every write behind it). Retention can then drop old months with partitions later, and a query
for a period only opens the partitions that cover it.

Index: the primary key ``(org_id, signal_id, ts)``, a B-tree, and no other. The contract's
writes are idempotent on (signal, time) with the last write winning, which needs a unique index
on that key anyway (``ON CONFLICT``); its leading columns are exactly what every read asks for,
one organisation's signals over a time range, so the same index answers them in key order with
no sort (a chart of one signal reads one contiguous slice of it), the newest point of a signal
is one descent, and the existence probe of a write is one probe per signal. A BRIN on ``ts``
would be tiny but only narrows by time: with a thousand factories' signals interleaved in
arrival order, every block of a time range holds every signal, so a one-signal read would still
read the whole range of every signal; and a second index costs every write. Cost measured by
bench/scale.py: about 84 bytes a point (52 in the heap, 32 in the key), see docs/deploy.md.

Writes. A batch is de-duplicated in numpy (the last of a repeated (signal, time) wins), then,
when no stored point of its signals lies within its time range (the live case: appending), sent
with binary COPY straight into ``ts_points`` (rows packed by numpy, :mod:`._pgcopy`) under a
shared advisory lock per signal slot (64 slots per organisation: appends never wait on each
other). A point that another process stored meanwhile makes the COPY fail on the primary key; the
batch then goes the merge way, as does any batch that meets stored points: COPY into a temporary
table, one join to find the stored values, ``INSERT ... ON CONFLICT DO UPDATE`` of the new and
changed points, under exclusive locks of its slots (so a merge never races another write,
delete or expiry of the same signals). bench/scale.py measures both against bare COPY.

Roll-ups (``ts_rollup_minute``, ``ts_rollup_hour``: one row per signal and bucket) change in
the same transaction as the points: an append adds its per-bucket aggregates (computed in numpy,
COPYed, upserted), a merge adds its new points and recomputes the buckets whose points changed
(:mod:`._pgrollup`). Downsampling, latest values, extents, roll-up reads and retention run in
the database; results come back as Arrow tables through binary COPY.

Sessions run in UTC (buckets are UTC minutes and hours). Connections keep small temporary tables
for staging, so a connection pooler in front must pool by session, not by transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from openkamp.core.errors import InvalidInput, StorageError
from openkamp.storage.timeseries import _pgrollup as rollup
from openkamp.storage.timeseries._pgcopy import copy_in, copy_out
from openkamp.storage.timeseries._pgsql import (
    LAST,
    US,
    datetimes,
    ids_of,
    int_array,
    micros,
    ts_array,
)
from openkamp.storage.timeseries._pgsql import where as sql_where
from openkamp.storage.timeseries.base import (
    DOWNSAMPLE_SCHEMA,
    LABEL_SCHEMA,
    POINT_SCHEMA,
    ROLLUP_SCHEMA,
    TIER_WIDTH,
    TS_TYPE,
    RollupTier,
    Tier,
    TimeSeriesStore,
    WriteResult,
    conform_points,
    floor_to,
)

log = logging.getLogger(__name__)

_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS ts_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS ts_points (
    org_id integer NOT NULL, signal_id integer NOT NULL, ts timestamptz NOT NULL,
    value double precision NOT NULL, PRIMARY KEY (org_id, signal_id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE IF NOT EXISTS ts_rollup_minute (
    org_id integer NOT NULL, signal_id integer NOT NULL, bucket timestamptz NOT NULL,
    n bigint NOT NULL, vmin double precision, vmax double precision, vsum double precision,
    last_ts timestamptz, vlast double precision, PRIMARY KEY (org_id, signal_id, bucket))
    WITH (fillfactor = 50);
CREATE TABLE IF NOT EXISTS ts_rollup_hour (LIKE ts_rollup_minute INCLUDING ALL)
    WITH (fillfactor = 50);
CREATE TABLE IF NOT EXISTS ts_horizons (
    org_id integer NOT NULL, signal_id integer NOT NULL, tier text NOT NULL,
    before timestamptz NOT NULL, PRIMARY KEY (org_id, signal_id, tier));
CREATE TABLE IF NOT EXISTS ts_labels (
    org_id integer NOT NULL, column_id integer NOT NULL, ts timestamptz NOT NULL, value text,
    PRIMARY KEY (org_id, column_id, ts));
"""
#: Staging tables of each connection, emptied at every commit.
_TEMP_SQL = """
SET TIME ZONE 'UTC';
CREATE TEMP TABLE IF NOT EXISTS _okt_b (signal_id int4, ts timestamptz, value float8)
    ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _okt_a (signal_id int4, ts timestamptz, old float8, new float8)
    ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _okt_r (tier int2, signal_id int4, bucket timestamptz, n int8,
    vmin float8, vmax float8, vsum float8, last_ts timestamptz, vlast float8) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _okt_k (signal_id int4, bucket timestamptz, from_minutes bool)
    ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS _okt_l (column_id int4, ts timestamptz, value text)
    ON COMMIT DELETE ROWS;
"""
_PARTITION_UNITS = {"month": "M", "week": "W", "day": "D"}
_INT4 = 2**31 - 1
#: Advisory lock keys (bigint space): DDL, and per organisation 64 slots of signals / columns.
_DDL_LOCK = 0x4F4B_5444_0000_0000
_POINT_LOCK = 0x4F4B_5453_0000_0000
_LABEL_LOCK = 0x4F4B_544C_0000_0000
_SLOTS = 64


class _Conflict(Exception):
    """The batch meets stored points: write it by merging."""


def _conninfo(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string and the store's own options, from a SQLAlchemy-style URL."""
    from psycopg.conninfo import make_conninfo
    from sqlalchemy.engine import make_url

    u = make_url(url)
    query = {k: (v[-1] if isinstance(v, tuple) else v) for k, v in u.query.items()}
    own: dict[str, str] = {k: query.pop(k) for k in ("pool_size", "partition") if k in query}
    parts: dict[str, Any] = {
        "host": query.pop("host", None) or u.host,
        "port": u.port,
        "user": u.username,
        "password": u.password,
        "dbname": u.database,
        **query,
    }
    return make_conninfo(**{k: v for k, v in parts.items() if v not in (None, "")}), own


def _prepare(tbl: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Signal, time (µs) and value arrays of a batch with each signal's points in one run in
    time order and no (signal, time) twice: the last written of a repeat wins."""
    sig = tbl.column("signal_id").to_numpy()
    if sig.min() < -_INT4 or sig.max() > _INT4:
        raise InvalidInput("Signal ids must fit in 32 bits.")
    ts = tbl.column("ts").cast(pa.int64()).to_numpy()
    val = tbl.column("value").to_numpy()
    if len(sig) > 1:
        step = sig[1:] != sig[:-1]
        starts = np.flatnonzero(np.r_[True, step])
        if len(np.unique(sig[starts])) != len(starts) or not np.all(step | (ts[1:] > ts[:-1])):
            order = np.lexsort((np.arange(len(sig)), ts, sig))  # arrival order breaks ties
            sig, ts, val = sig[order], ts[order], val[order]
            keep = np.r_[(sig[1:] != sig[:-1]) | (ts[1:] != ts[:-1]), True]
            sig, ts, val = sig[keep], ts[keep], val[keep]
    return sig.astype(np.int32), ts.astype(np.int64), val.astype(np.float64)


def _slots(base: int, org: int, ids: Any | None) -> list[int]:
    """The advisory lock keys of the organisation's slots holding ``ids`` (all when None)."""
    first = base + (org & 0xFF_FFFF) * _SLOTS
    if ids is None:
        return list(range(first, first + _SLOTS))
    return sorted({first + int(i) % _SLOTS for i in np.unique(np.asarray(ids, dtype=np.int64))})


def _lock(cur: Any, keys: list[int], *, shared: bool = False) -> None:
    """Take transaction-level advisory locks in key order (no deadlock between two takers),
    and plan the transaction's statements on the primary key.

    A partition only minutes old has no statistics until autovacuum reaches it (a minute or more
    after its rows arrive); without them the planner took the existence probe of an append for
    a scan of the whole partition (0.25 s a write at 60,000 points instead of 1 ms). Every
    statement of a write, merge, delete or expiry is meant for the key, so the transaction
    disables sequential and bitmap scans (``SET LOCAL``: gone at commit), and JIT compilation,
    which the scans' penalty in the costs would start (0.28 s to compile a 200-row upsert)."""
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    cur.execute(
        "SELECT set_config('enable_seqscan', 'off', true), "
        "set_config('enable_bitmapscan', 'off', true), set_config('jit', 'off', true), "
        f"(SELECT count({fn}(k)) FROM unnest(%s::int8[]) AS k)",
        [int_array(keys)],
    )


class PostgresTimeSeriesStore(TimeSeriesStore):
    """Time-series store on PostgreSQL: partitioned points, roll-ups kept by upsert."""

    scheme: ClassVar[str] = "postgresql"

    def __init__(self, url: str = "postgresql+psycopg:///openkamp") -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        conninfo, own = _conninfo(url)
        try:
            size = int(own.get("pool_size", 8))
        except ValueError as exc:
            raise InvalidInput(f"pool_size must be a number, not {own['pool_size']!r}.") from exc
        wanted = own.get("partition", "month")
        if wanted not in _PARTITION_UNITS:
            raise InvalidInput(
                f"Unknown partition width {wanted!r}.",
                hint=f"Use one of {', '.join(_PARTITION_UNITS)}.",
            )
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=max(1, size),
            kwargs={"autocommit": True},
            configure=self._configure,
            open=False,
            name="openkamp-timeseries",
        )
        try:
            self._pool.open(wait=True, timeout=15)
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [_DDL_LOCK])
                conn.execute(_SCHEMA_SQL)
                conn.execute(
                    "INSERT INTO ts_meta VALUES ('partition', %s) ON CONFLICT DO NOTHING", [wanted]
                )
                row = conn.execute("SELECT value FROM ts_meta WHERE key = 'partition'").fetchone()
                found = conn.execute(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "WHERE i.inhparent = 'ts_points'::regclass"
                ).fetchall()
        except Exception as exc:
            self._pool.close()
            raise StorageError(
                f"Cannot open the time-series database at {url}: {exc}",
                hint="Check that PostgreSQL runs and that the role may create tables there.",
            ) from exc
        assert row is not None
        if row[0] != wanted and "partition" in own:
            log.warning("time partitions stay %s wide (the tables were made so)", row[0])
        #: numpy unit of a partition (month, week or day) and the partitions known to exist.
        self._unit = _PARTITION_UNITS[row[0]]
        self._parts: set[str] = {r[0] for r in found}

    @staticmethod
    def _configure(conn: Any) -> None:
        conn.execute(_TEMP_SQL)

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.cursor() as cur:
            yield cur

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def close(self) -> None:
        self._pool.close()

    # -- partitions ---------------------------------------------------------------------------

    def _ensure_partitions(self, ts: np.ndarray) -> None:
        """Create the partitions holding these times (µs) that do not exist yet."""
        unit = self._unit
        periods = np.unique(ts.astype("datetime64[us]").astype(f"datetime64[{unit}]"))
        wanted = []
        for p in periods:
            lo = p.astype("datetime64[us]")
            name = f"ts_points_{unit.lower()}{str(lo)[:10].replace('-', '')}"
            if name not in self._parts:
                wanted.append((name, lo, (p + 1).astype("datetime64[us]")))
        if not wanted:
            return
        with self._transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_DDL_LOCK])
            cur.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'ts_points'::regclass"
            )
            attached = {r[0] for r in cur.fetchall()}
            for name, lo, hi in wanted:
                if name in attached:
                    continue
                cur.execute(
                    f"CREATE TABLE IF NOT EXISTS {name} "
                    "(LIKE ts_points INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
                cur.execute(
                    f"ALTER TABLE ts_points ATTACH PARTITION {name} "
                    f"FOR VALUES FROM ('{lo}+00') TO ('{hi}+00')"
                )
                log.info("created the time-series partition %s", name)
            self._parts |= attached
        self._parts.update(name for name, _, _ in wanted)

    # -- writes -------------------------------------------------------------------------------

    def write(self, org_id: int, points: pa.Table | pa.RecordBatch) -> WriteResult:
        import psycopg.errors as pe

        tbl = conform_points(points)
        if tbl.num_rows == 0:
            return WriteResult()
        org = int(org_id)
        sig, ts, val = _prepare(tbl)
        self._ensure_partitions(ts)
        try:
            return self._append(org, sig, ts, val)
        except (_Conflict, pe.UniqueViolation, pe.DeadlockDetected):
            # Stored points in the batch's range, or another writer's at the same keys.
            return self._merge(org, sig, ts, val)

    def _append(self, org: int, sig: Any, ts: Any, val: Any) -> WriteResult:
        """COPY a batch that meets no stored point, and add its aggregates to the roll-ups."""
        starts = np.flatnonzero(np.r_[True, sig[1:] != sig[:-1]])
        ends = np.r_[starts[1:], len(sig)] - 1
        with self._transaction() as cur:
            _lock(cur, _slots(_POINT_LOCK, org, sig[starts]), shared=True)
            # One probe of the key per signal: a LATERAL ... LIMIT 1 cannot be turned into a
            # join over the whole partition, whatever the planner guesses of a young one.
            cur.execute(
                "SELECT 1 FROM unnest(%s::int4[], %s::int8[], %s::int8[]) AS b(sig, lo, hi), "
                "LATERAL (SELECT 1 FROM ts_points p WHERE p.org_id = %s AND p.signal_id = b.sig "
                f"AND p.ts >= {US.format('b.lo')} AND p.ts <= {US.format('b.hi')} LIMIT 1) "
                "AS x LIMIT 1",
                [int_array(sig[starts]), int_array(ts[starts]), int_array(ts[ends]), org],
            )
            if cur.fetchone() is not None:
                raise _Conflict
            copy_in(
                cur,
                "COPY ts_points (org_id, signal_id, ts, value) FROM STDIN (FORMAT BINARY)",
                [("int4", org), ("int4", sig), ("timestamptz", ts), ("float8", val)],
            )
            rollup.add(cur, org, sig, ts, val)
        return WriteResult(inserted=len(sig))

    def _merge(self, org: int, sig: Any, ts: Any, val: Any) -> WriteResult:
        """Insert new points, update changed ones, skip identical ones, and bring the roll-ups
        along, under exclusive locks of the batch's signals."""
        with self._transaction() as cur:
            _lock(cur, _slots(_POINT_LOCK, org, sig))
            copy_in(
                cur,
                "COPY _okt_b FROM STDIN (FORMAT BINARY)",
                [("int4", sig), ("timestamptz", ts), ("float8", val)],
            )
            if len(sig) > 10_000:
                cur.execute("ANALYZE _okt_b")  # so the join is planned for the batch's size
            lo, hi = datetimes([ts.min(), ts.max()])
            cur.execute(
                "INSERT INTO _okt_a SELECT b.signal_id, b.ts, p.value, b.value FROM _okt_b b "
                "LEFT JOIN ts_points p ON p.org_id = %s AND p.signal_id = b.signal_id "
                "AND p.ts = b.ts AND p.ts >= %s AND p.ts <= %s AND p.signal_id = ANY(%s::int4[])",
                [org, lo, hi, np.unique(sig).tolist()],
            )
            cur.execute(
                "SELECT count(*) FILTER (WHERE old IS NULL), "
                "count(*) FILTER (WHERE old IS DISTINCT FROM new AND old IS NOT NULL) FROM _okt_a"
            )
            inserted, changed = cur.fetchone()
            if inserted or changed:
                cur.execute(
                    "INSERT INTO ts_points SELECT %s, signal_id, ts, new FROM _okt_a "
                    "WHERE old IS DISTINCT FROM new ON CONFLICT (org_id, signal_id, ts) "
                    "DO UPDATE SET value = excluded.value",
                    [org],
                )
                rollup.after_merge(cur, org, bool(changed))
        return WriteResult(
            inserted=int(inserted), updated=int(changed), unchanged=len(sig) - inserted - changed
        )

    # -- deletes and retention ----------------------------------------------------------------

    def delete(
        self,
        org_id: int,
        signal_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        org, ids = int(org_id), ids_of(signal_ids)
        if ids == []:
            return 0
        where, params = sql_where("signal_id", org, ids, start, end)
        with self._transaction() as cur:
            _lock(cur, _slots(_POINT_LOCK, org, ids))
            cur.execute(f"DELETE FROM ts_points WHERE {where}", params)
            n = cur.rowcount
            if n or start is None or end is None:
                rollup.after_delete(cur, org, ids, start, end)
            if start is None and end is None:  # the signals' whole history is gone
                hw, hp = sql_where("signal_id", org, ids, None, None)
                cur.execute(f"DELETE FROM ts_horizons WHERE {hw}", hp)
        return int(n)

    def expire(
        self,
        org_id: int,
        tier: Tier,
        signal_ids: Sequence[int],
        before: datetime,
        *,
        chunk: int = 100_000,
    ) -> int:
        if tier not in TIER_WIDTH:
            raise InvalidInput(f"Unknown tier {tier!r}.")
        if chunk < 1:
            raise InvalidInput("chunk must be at least 1.")
        org, ids = int(org_id), ids_of(signal_ids) or []
        if not ids:
            return 0
        cut = floor_to(before, TIER_WIDTH["hour"] if tier == "raw" else TIER_WIDTH[tier])
        slots = _slots(_POINT_LOCK, org, ids)
        with self._transaction() as cur:  # horizons only move forward
            cur.execute(
                "INSERT INTO ts_horizons SELECT %s, s, %s, %s FROM unnest(%s::int4[]) AS s "
                "ON CONFLICT (org_id, signal_id, tier) "
                "DO UPDATE SET before = greatest(ts_horizons.before, excluded.before)",
                [org, tier, cut, ids],
            )
        table, key = ("ts_points", "ts") if tier == "raw" else (rollup.ROLLUPS[tier][0], "bucket")
        where, params = sql_where("signal_id", org, ids, None, cut, time=key)
        sql = (
            f"DELETE FROM {table} t USING (SELECT signal_id, {key} FROM {table} WHERE {where} "
            f"LIMIT {int(chunk)}) d WHERE t.org_id = %s AND t.signal_id = d.signal_id "
            f"AND t.{key} = d.{key} AND t.{key} < %s"
        )
        total = 0
        while True:  # each chunk its own transaction: writes run between two chunks
            with self._transaction() as cur:
                _lock(cur, slots)
                cur.execute(sql, [*params, org, cut])
                n = int(cur.rowcount)
            total += n
            if n < chunk:
                return total

    def retained_from(self, org_id: int, signal_ids: Sequence[int], tier: Tier) -> datetime | None:
        ids = ids_of(signal_ids)
        if not ids:
            return None
        with self._cursor() as cur:
            cur.execute(
                "SELECT max(before) FROM ts_horizons WHERE org_id = %s AND tier = %s "
                "AND signal_id = ANY(%s::int8[])",
                [int(org_id), tier, ids],
            )
            row = cur.fetchone()
        found: datetime | None = row[0] if row else None
        return None if found is None else found.astimezone(UTC)

    # -- another store's tiers as they are (openkamp migrate) ----------------------------------

    def restore_rollups(
        self, org_id: int, tier: RollupTier, signal_id: int, batches: Iterable[pa.Table]
    ) -> int:
        """Replace one signal's aggregates of ``tier`` by ``batches`` (ROLLUP_SCHEMA rows of
        that signal) in one transaction; returns the rows stored. A migration copies another
        store's tiers as they are: where retention dropped raw points, or points were written
        past a horizon, they are not what aggregating the raw points would give."""
        if tier not in rollup.ROLLUPS:
            raise InvalidInput(f"Unknown roll-up tier {tier!r}.")
        table, org, sid, n = rollup.ROLLUPS[tier][0], int(org_id), int(signal_id), 0
        with self._transaction() as cur:
            _lock(cur, _slots(_POINT_LOCK, org, [sid]))
            cur.execute(f"DELETE FROM {table} WHERE org_id = %s AND signal_id = %s", [org, sid])
            for tbl in batches:
                if tbl.num_rows == 0:
                    continue
                if set(tbl.column("signal_id").to_pylist()) != {sid}:
                    raise InvalidInput(f"Roll-up rows of another signal than {sid}.")

                def col(name: str, tbl: pa.Table = tbl) -> Any:
                    c = tbl.column(name)
                    return (c.cast(pa.int64()) if pa.types.is_timestamp(c.type) else c).to_numpy(
                        zero_copy_only=False
                    )

                copy_in(
                    cur,
                    "COPY _okt_r FROM STDIN (FORMAT BINARY)",
                    [("int2", 0), ("int4", sid), ("timestamptz", col("bucket_start")),
                     ("int8", col("count")), ("float8", col("min")), ("float8", col("max")),
                     ("float8", col("sum")), ("timestamptz", col("last_ts")),
                     ("float8", col("last"))],
                )  # fmt: skip
                cur.execute(
                    f"INSERT INTO {table} SELECT %s, signal_id, bucket, n, vmin, vmax, vsum, "
                    "last_ts, vlast FROM _okt_r",
                    [org],
                )
                cur.execute("DELETE FROM _okt_r")
                n += tbl.num_rows
        return n

    def restore_horizons(self, org_id: int, tier: Tier, horizons: Mapping[int, datetime]) -> None:
        """Set the signals' horizons of ``tier`` to these times exactly (a migration copies
        them; :meth:`expire` would also drop data, and only moves them forward)."""
        if tier not in TIER_WIDTH:
            raise InvalidInput(f"Unknown tier {tier!r}.")
        if not horizons:
            return
        ids = sorted(horizons)
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO ts_horizons SELECT %s, s, %s, b "
                "FROM unnest(%s::int4[], %s::timestamptz[]) AS h(s, b) "
                "ON CONFLICT (org_id, signal_id, tier) DO UPDATE SET before = excluded.before",
                [int(org_id), tier, int_array(ids), [horizons[i] for i in ids]],
            )

    # -- reads --------------------------------------------------------------------------------

    def _points(self, sql: str, params: list[Any]) -> pa.Table:
        with self._cursor() as cur:
            got = copy_out(
                cur,
                sql,
                params,
                [("signal_id", "int4"), ("ts", "timestamptz"), ("value", "float8")],
            )
        return pa.table(
            {
                "signal_id": pa.array(got["signal_id"].astype(np.int64)),
                "ts": ts_array(got["ts"]),
                "value": pa.array(got["value"]),
            },
            schema=POINT_SCHEMA,
        )

    def read(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        ids = ids_of(signal_ids)
        if not ids or (limit is not None and limit <= 0):
            return POINT_SCHEMA.empty_table()
        where, params = sql_where("signal_id", int(org_id), ids, start, end)
        tail = "" if limit is None else f" LIMIT {int(limit)}"
        return self._points(
            f"SELECT signal_id, ts, value FROM ts_points WHERE {where} ORDER BY signal_id, ts{tail}",
            params,
        )

    def latest(self, org_id: int, signal_ids: Sequence[int]) -> pa.Table:
        ids = [i for i in (ids_of(signal_ids) or []) if abs(i) <= _INT4]
        if not ids:
            return POINT_SCHEMA.empty_table()
        # One descent of the key per signal (and partition), however long its history.
        return self._points(
            "SELECT s.id, p.ts, p.value FROM unnest(%s::int4[]) AS s(id) CROSS JOIN LATERAL "
            "(SELECT ts, value FROM ts_points WHERE org_id = %s AND signal_id = s.id "
            "ORDER BY ts DESC LIMIT 1) p ORDER BY s.id",
            [ids, int(org_id)],
        )

    @staticmethod
    def _bucket_sql(start: datetime, end: datetime, buckets: int, col: str) -> tuple[str, int, int]:
        """The bucket number of ``col`` (exact integer arithmetic, as the contract's edges)."""
        if buckets < 1:
            raise InvalidInput("buckets must be at least 1.")
        s_us, e_us = (micros(start), micros(end))
        if e_us <= s_us:
            raise InvalidInput("The end of a range must be after its start.")
        span = e_us - s_us
        # date_part's float8 epoch rounds back to the exact microsecond (< 2^53 µs).
        us = f"(date_part('epoch', {col}) * 1000000)::int8 - {s_us}"
        if span * buckets < 2**62:
            return f"(({us}) * {int(buckets)}) / {span}", s_us, span
        return f"(({us})::numeric * {int(buckets)} / {span})::int8", s_us, span  # no overflow

    def _downsampled(
        self, sql: str, params: list[Any], s_us: int, span: int, buckets: int
    ) -> pa.Table:
        with self._cursor() as cur:
            got = copy_out(
                cur,
                sql,
                params,
                [("signal_id", "int4"), ("bucket", "int8"), ("count", "int8"), ("min", "float8"),
                 ("max", "float8"), ("mean", "float8"), ("last", "float8")],
            )  # fmt: skip
        b = got["bucket"]
        return pa.table(
            {
                "signal_id": pa.array(got["signal_id"].astype(np.int64)),
                "bucket": pa.array(b),
                "bucket_start": ts_array(s_us + (b * span) // int(buckets)),
                "count": pa.array(got["count"]),
                "min": pa.array(got["min"]),
                "max": pa.array(got["max"]),
                "mean": pa.array(got["mean"]),
                "last": pa.array(got["last"]),
            },
            schema=DOWNSAMPLE_SCHEMA,
        )

    def downsample(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        start: datetime,
        end: datetime,
        buckets: int,
        tier: Tier = "raw",
    ) -> pa.Table:
        if tier != "raw":
            return self._downsample_rollups(org_id, signal_ids, start, end, buckets, tier)
        bucket, s_us, span = self._bucket_sql(start, end, buckets, "ts")
        ids = ids_of(signal_ids)
        if not ids:
            return DOWNSAMPLE_SCHEMA.empty_table()
        where, params = sql_where("signal_id", int(org_id), ids, start, end)
        sql = (
            f"SELECT signal_id, {bucket} AS b, count(*), min(value), max(value), avg(value), "
            f"{LAST.format(ts='ts', v='value')} FROM ts_points WHERE {where} "
            "GROUP BY signal_id, b ORDER BY signal_id, b"
        )
        return self._downsampled(sql, params, s_us, span, buckets)

    def _downsample_rollups(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        start: datetime,
        end: datetime,
        buckets: int,
        tier: str,
    ) -> pa.Table:
        if tier not in rollup.ROLLUPS:
            raise InvalidInput(f"Unknown tier {tier!r}.")
        bucket, s_us, span = self._bucket_sql(start, end, buckets, "bucket")
        ids = ids_of(signal_ids)
        if not ids:
            return DOWNSAMPLE_SCHEMA.empty_table()
        where, params = sql_where("signal_id", int(org_id), ids, start, end, time="bucket")
        sql = (
            f"SELECT signal_id, {bucket} AS b, sum(n)::int8, min(vmin), max(vmax), "
            f"sum(vsum) / sum(n), {LAST.format(ts='last_ts', v='vlast')} "
            f"FROM {rollup.ROLLUPS[tier][0]} WHERE {where} GROUP BY signal_id, b ORDER BY signal_id, b"
        )
        return self._downsampled(sql, params, s_us, span, buckets)

    def minmax_points(
        self, org_id: int, signal_id: int, start: datetime, end: datetime, buckets: int
    ) -> pa.Table:
        bucket, _, _ = self._bucket_sql(start, end, buckets, "ts")
        where, params = sql_where("signal_id", int(org_id), [int(signal_id)], start, end)
        sql = f"""
            WITH g AS (
                SELECT min(array[value, e]) AS lo, max(array[value, e]) AS hi,
                       min(array[e, value]) AS f, max(array[e, value]) AS l
                FROM (SELECT {bucket} AS b, date_part('epoch', ts) AS e, value
                      FROM ts_points WHERE {where}) s GROUP BY b)
            SELECT DISTINCT (e * 1000000)::int8 AS ts, v FROM (
                SELECT lo[2] AS e, lo[1] AS v FROM g UNION ALL SELECT hi[2], hi[1] FROM g
                UNION ALL SELECT f[1], f[2] FROM g UNION ALL SELECT l[1], l[2] FROM g) x
            ORDER BY 1"""
        with self._cursor() as cur:
            got = copy_out(cur, sql, params, [("ts", "int8"), ("value", "float8")])
        return pa.table({"ts": ts_array(got["ts"]), "value": pa.array(got["value"])})

    def rollups(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        tier: RollupTier,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        if tier not in rollup.ROLLUPS:
            raise InvalidInput(f"Unknown roll-up tier {tier!r}.")
        ids = ids_of(signal_ids)
        if not ids:
            return ROLLUP_SCHEMA.empty_table()
        where, params = sql_where("signal_id", int(org_id), ids, start, end, time="bucket")
        with self._cursor() as cur:
            got = copy_out(
                cur,
                f"SELECT signal_id, bucket, n, vmin, vmax, vsum, last_ts, vlast "
                f"FROM {rollup.ROLLUPS[tier][0]} WHERE {where} ORDER BY signal_id, bucket",
                params,
                [("signal_id", "int4"), ("bucket_start", "timestamptz"), ("count", "int8"),
                 ("min", "float8"), ("max", "float8"), ("sum", "float8"),
                 ("last_ts", "timestamptz"), ("last", "float8")],
            )  # fmt: skip
        cols = {k: pa.array(v) for k, v in got.items()}
        cols["signal_id"] = pa.array(got["signal_id"].astype(np.int64))
        cols["bucket_start"] = ts_array(got["bucket_start"])
        cols["last_ts"] = ts_array(got["last_ts"])
        return pa.table(cols, schema=ROLLUP_SCHEMA)

    def _count(self, table: str, key: str, org_id: int, ids: Any, start: Any, end: Any) -> int:
        ids = ids_of(ids)
        if ids == []:
            return 0
        where, params = sql_where(key, int(org_id), ids, start, end)
        with self._cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {table} WHERE {where}", params)
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def count(
        self,
        org_id: int,
        signal_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        return self._count("ts_points", "signal_id", org_id, signal_ids, start, end)

    def extent(self, org_id: int, signal_ids: Sequence[int] | None = None) -> pa.Table:
        schema = pa.schema(
            [("signal_id", pa.int64()), ("count", pa.int64()), ("first_ts", TS_TYPE),
             ("last_ts", TS_TYPE)]
        )  # fmt: skip
        ids = ids_of(signal_ids)
        if ids == []:
            return schema.empty_table()
        where, params = sql_where("signal_id", int(org_id), ids, None, None)
        with self._cursor() as cur:
            got = copy_out(
                cur,
                "SELECT signal_id, count(*), min(ts), max(ts) FROM ts_points "
                f"WHERE {where} GROUP BY signal_id ORDER BY signal_id",
                params,
                [("signal_id", "int4"), ("count", "int8"), ("first_ts", "timestamptz"),
                 ("last_ts", "timestamptz")],
            )  # fmt: skip
        return pa.table(
            {
                "signal_id": pa.array(got["signal_id"].astype(np.int64)),
                "count": pa.array(got["count"]),
                "first_ts": ts_array(got["first_ts"]),
                "last_ts": ts_array(got["last_ts"]),
            },
            schema=schema,
        )

    # -- labels -------------------------------------------------------------------------------

    def write_labels(self, org_id: int, labels: pa.Table) -> WriteResult:
        try:
            tbl = labels.select(["column_id", "ts", "value"]).cast(LABEL_SCHEMA)
        except (KeyError, pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InvalidInput(f"Label batch does not match (column_id, ts, value): {exc}") from exc
        if tbl.column("ts").null_count or tbl.column("column_id").null_count:
            raise InvalidInput("Label batch has null keys.")
        if tbl.num_rows == 0:
            return WriteResult()
        org = int(org_id)
        col = tbl.column("column_id").to_numpy()
        if col.min() < -_INT4 or col.max() > _INT4:
            raise InvalidInput("Column ids must fit in 32 bits.")
        ts = tbl.column("ts").cast(pa.int64()).to_numpy()
        order = np.lexsort((np.arange(len(col)), ts, col))  # the last written of a key wins
        col, ts = col[order], ts[order]
        keep = order[np.r_[(col[1:] != col[:-1]) | (ts[1:] != ts[:-1]), True]]
        tbl = tbl.take(pa.array(keep))
        with self._transaction() as cur:
            _lock(cur, _slots(_LABEL_LOCK, org, col))
            with cur.copy("COPY _okt_l FROM STDIN (FORMAT BINARY)") as cp:
                cp.set_types(["int4", "timestamptz", "text"])
                for row in zip(*(tbl.column(c).to_pylist() for c in tbl.column_names), strict=True):
                    cp.write_row(row)
            cur.execute(
                "SELECT count(s.ts), count(s.ts) FILTER (WHERE s.value IS DISTINCT FROM l.value) "
                "FROM _okt_l l LEFT JOIN ts_labels s ON s.org_id = %s "
                "AND s.column_id = l.column_id AND s.ts = l.ts",
                [org],
            )
            existing, changed = cur.fetchone()
            cur.execute(
                "INSERT INTO ts_labels AS s SELECT %s, column_id, ts, value FROM _okt_l "
                "ON CONFLICT (org_id, column_id, ts) DO UPDATE SET value = excluded.value "
                "WHERE s.value IS DISTINCT FROM excluded.value",
                [org],
            )
        return WriteResult(
            inserted=tbl.num_rows - int(existing),
            updated=int(changed),
            unchanged=int(existing) - int(changed),
        )

    def read_labels(
        self,
        org_id: int,
        column_ids: Sequence[int],
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        ids = ids_of(column_ids)
        if not ids:
            return LABEL_SCHEMA.empty_table()
        where, params = sql_where("column_id", int(org_id), ids, start, end)
        with self._cursor() as cur:
            cur.execute(
                f"SELECT column_id, ts, value FROM ts_labels WHERE {where} ORDER BY column_id, ts",
                params,
            )
            rows = cur.fetchall()
        if not rows:
            return LABEL_SCHEMA.empty_table()
        cid, ts, value = zip(*rows, strict=True)
        return pa.table(
            {"column_id": list(cid), "ts": pa.array(ts, TS_TYPE), "value": list(value)},
            schema=LABEL_SCHEMA,
        )

    def count_labels(
        self,
        org_id: int,
        column_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        return self._count("ts_labels", "column_id", org_id, column_ids, start, end)

    def delete_labels(
        self,
        org_id: int,
        column_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        org, ids = int(org_id), ids_of(column_ids)
        if ids == []:
            return 0
        where, params = sql_where("column_id", org, ids, start, end)
        with self._transaction() as cur:
            _lock(cur, _slots(_LABEL_LOCK, org, ids))
            cur.execute(f"DELETE FROM ts_labels WHERE {where}", params)
            return int(cur.rowcount)


__all__ = ["PostgresTimeSeriesStore"]
