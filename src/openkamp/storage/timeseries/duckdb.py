"""Embedded time-series store on a DuckDB file (``duckdb:///path/to/file.duckdb``).

Layout: one long table ``points(org_id, signal_id, ts, value)`` and one ``labels`` table. DuckDB
compresses the constant ``org_id`` and the slowly changing ``signal_id`` to almost nothing, and its
zone maps skip row groups outside a queried time range or signal, so no index is needed.

Idempotent writes without a primary-key index (an ART index over hundreds of millions of points
would cost more memory than the data): the store remembers, per signal, the newest timestamp it
holds (the high-water mark). A batch entirely newer than the mark of each of its signals (the
normal case: appending) is inserted directly. Anything else goes through a merge that compares the
batch with the stored points in the batch's time range and inserts new points, updates changed
ones and skips identical ones, in one transaction. The mark is valid because every write goes
through the store's single writer thread.

Roll-ups. Two more tables, ``rollup_minute`` and ``rollup_hour`` (org, signal, bucket, count, min,
max, sum, last time, last value), change in the same transaction as the points they summarise.
A bucket may be stored as several rows, *partial aggregates* of disjoint sets of its points, read
as one (count and sum add up, min / max / last combine: :meth:`DuckDBTimeSeriesStore.rollups`
and the tier charts group by bucket). New points are aggregated per bucket in numpy and appended
as rows, one plain INSERT per tier: a live source writes a few hundred points every 50-500 ms,
and merging them into the bucket's stored row (a MERGE per tier) cost 3-4 times the write of the
points themselves. The buckets that received a second row are compacted into one row now and
then, in a transaction of their own (every ``_LOOSE_ROWS`` such rows and at close); which ones
is known without a query: an appended batch can only meet a stored row in the bucket of its
signal's newest stored point (the high-water mark). Changed points adjust a bucket's newest row
(sum, last, widened min / max: the bucket's values stay exact), and a bucket whose minimum or
maximum was overwritten by a less extreme value, or whose points were deleted, is replaced by
one row recomputed from the raw points. Like ``points`` the tables have no index: statements
filter on a bucket range, which DuckDB's zone maps narrow to the recent row groups when data
arrives in time order. ``horizons`` holds, per signal and tier, the time before which retention
has dropped that tier's data; raw buckets older than the raw horizon are never recomputed (their
raw points are gone), only added to. A file written before roll-ups existed gets them built from
its points once, at open.

URL options: ``?memory_limit=512MB&threads=2``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openkamp.core.errors import InvalidInput, StorageError
from openkamp.storage._writer import SingleWriter
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
    iter_time_windows,
    to_utc,
)

log = logging.getLogger(__name__)

# No NOT NULL constraints and 32-bit ids: checking constraints and widening ids cost ~17 % of
# insert time, and conform_points() already refuses nulls before anything reaches the engine.
_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS points (org_id INTEGER, signal_id INTEGER, ts TIMESTAMP, value DOUBLE);
CREATE TABLE IF NOT EXISTS labels (org_id INTEGER, column_id INTEGER, ts TIMESTAMP, value VARCHAR);
CREATE TABLE IF NOT EXISTS horizons (org_id INTEGER, signal_id INTEGER, tier VARCHAR, before TIMESTAMP);
"""
_ROLLUP_COLUMNS = (
    "org_id INTEGER, signal_id INTEGER, bucket TIMESTAMP, n BIGINT, vmin DOUBLE, vmax DOUBLE, "
    "vsum DOUBLE, last_ts TIMESTAMP, vlast DOUBLE"
)
#: Roll-up tiers: table and the DuckDB unit its buckets are truncated to.
_ROLLUPS: dict[str, tuple[str, str]] = {
    "minute": ("rollup_minute", "minute"),
    "hour": ("rollup_hour", "hour"),
}
#: One aggregate per bucket of raw points (``{unit}``: minute or hour).
_AGG_RAW = (
    "signal_id, date_trunc('{unit}', ts) AS bucket, count(*) AS n, min(value) AS vmin, "
    "max(value) AS vmax, sum(value) AS vsum, max(ts) AS last_ts, arg_max(value, ts) AS vlast"
)


def _naive(dt: datetime | None) -> datetime | None:
    """DuckDB TIMESTAMP columns hold naive UTC; convert an aware bound to that."""
    utc = to_utc(dt)
    return None if utc is None else utc.replace(tzinfo=None)


def _where(
    key: str,
    org_id: int,
    ids: Sequence[int] | None,
    start: datetime | None,
    end: datetime | None,
    time: str = "ts",
) -> tuple[str, list[Any]]:
    """A WHERE clause scoped to the organisation, with placeholders for its parameters."""
    clauses: list[str] = ["org_id = ?"]
    params: list[Any] = [int(org_id)]
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            return "FALSE", []
        clauses.append(f"{key} IN ({', '.join('?' * len(ids))})")
        params.extend(ids)
    if start is not None:
        clauses.append(f"{time} >= ?")
        params.append(_naive(start))
    if end is not None:
        clauses.append(f"{time} < ?")
        params.append(_naive(end))
    return " AND ".join(clauses), params


def _aware(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Label naive UTC timestamps from DuckDB as UTC and fix column types."""
    return table.cast(schema) if table.num_rows else schema.empty_table()


def _engine_batch(tbl: pa.Table, key: str) -> pa.Table:
    """The batch as the engine stores it: 32-bit ids and naive UTC timestamps.

    An aware Arrow column would make DuckDB convert every value through time-zone logic (half
    of the insert time); both casts here are cheap.
    """
    tbl = tbl.set_column(0, key, tbl.column(key).cast(pa.int32()))
    return tbl.set_column(1, "ts", tbl.column("ts").cast(pa.timestamp("us")))


_MINUTE_US = 60_000_000
_HOUR_US = 3_600_000_000


def _run_starts(sig: Any) -> Any:
    """True where a run of one signal starts in an array ordered by signal."""
    return np.r_[True, sig[1:] != sig[:-1]]


def _buckets(sig: Any, ts: Any, val: Any, width_us: int) -> pa.Table:
    """Per (signal, bucket) of ``width_us``: count, min, max, sum, last time and value, of
    points ordered by signal then time (numpy arrays; ``ts`` in µs). Vectorised: a batch is
    cut where the key changes and each run reduced at once."""
    sig = np.asarray(sig, dtype=np.int64)
    ts = np.asarray(ts, dtype=np.int64)
    val = np.asarray(val, dtype=np.float64)
    bucket = ts - ts % width_us
    cut = np.flatnonzero(np.r_[True, (sig[1:] != sig[:-1]) | (bucket[1:] != bucket[:-1])])
    last = np.r_[cut[1:], len(sig)] - 1
    return _agg_table(
        sig[cut], bucket[cut], np.diff(np.r_[cut, len(sig)]), np.minimum.reduceat(val, cut),
        np.maximum.reduceat(val, cut), np.add.reduceat(val, cut), ts[last], val[last],
    )  # fmt: skip


def _combine(agg: pa.Table, width_us: int) -> pa.Table:
    """Aggregates (ordered by signal, bucket) combined into coarser buckets of ``width_us``."""
    sig = agg.column("signal_id").to_numpy()
    start = agg.column("bucket").cast(pa.int64()).to_numpy()
    bucket = start - start % width_us
    cut = np.flatnonzero(np.r_[True, (sig[1:] != sig[:-1]) | (bucket[1:] != bucket[:-1])])
    last = np.r_[cut[1:], len(sig)] - 1

    def col(name: str) -> Any:
        return agg.column(name).to_numpy()

    return _agg_table(
        sig[cut], bucket[cut], np.add.reduceat(col("n"), cut),
        np.minimum.reduceat(col("vmin"), cut), np.maximum.reduceat(col("vmax"), cut),
        np.add.reduceat(col("vsum"), cut), agg.column("last_ts").cast(pa.int64()).to_numpy()[last],
        col("vlast")[last],
    )  # fmt: skip


def _agg_table(
    sig: Any, bucket: Any, n: Any, vmin: Any, vmax: Any, vsum: Any, last_ts: Any, vlast: Any
) -> pa.Table:
    naive = pa.timestamp("us")
    return pa.table(
        {
            "signal_id": pa.array(sig, pa.int32()),
            "bucket": pa.array(bucket, pa.int64()).cast(naive),
            "n": pa.array(n, pa.int64()),
            "vmin": pa.array(vmin, pa.float64()),
            "vmax": pa.array(vmax, pa.float64()),
            "vsum": pa.array(vsum, pa.float64()),
            "last_ts": pa.array(last_ts, pa.int64()).cast(naive),
            "vlast": pa.array(vlast, pa.float64()),
        }
    )


def _bucket_range(agg: pa.Table) -> list[Any]:
    b = agg.column("bucket")
    return [pc.min(b).as_py(), pc.max(b).as_py()]


_READ_WINDOW = 100_000  # points sorted at a time by a limited read
_ANSWERS_KEPT = 256  # cached latest / extent answers (each a few rows per signal)
_NO_DATA = -(2**62)  # high-water mark of a signal without points
#: Roll-up rows added to buckets that already had one, before those buckets are compacted: a
#: live source of 100 signals adds about 200 a write (a minute and an hour row per signal), so
#: this compacts every 250 writes or so, in the time of 5-10 writes (every 50 writes cost three
#: times as much per write: the statements cost more than the rows); reads group at most this
#: many extra rows.
_LOOSE_ROWS = 50_000


class DuckDBTimeSeriesStore(TimeSeriesStore):
    """Time-series store on an embedded DuckDB database."""

    scheme: ClassVar[str] = "duckdb"

    def __init__(self, url: str = "duckdb://") -> None:
        parsed = urlparse(url)
        path = parsed.path or ":memory:"
        if parsed.netloc:  # duckdb://relative/path
            path = parsed.netloc + parsed.path
        opts = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        if path not in (":memory:", "/:memory:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            path = ":memory:"
        self.url = url
        config: dict[str, Any] = {}
        if "memory_limit" in opts:
            config["memory_limit"] = opts["memory_limit"]
        if "threads" in opts:
            config["threads"] = int(opts["threads"])
        try:
            self._con = duckdb.connect(path, config=config)
        except duckdb.IOException as exc:
            raise StorageError(
                f"Cannot open the time-series database {path}: {exc}",
                hint="Another OpenKAMP process may hold it open; stop it or use another data_dir.",
            ) from exc
        self._con.execute(_SCHEMA_SQL)
        #: Seconds spent building roll-ups of a file written before they existed (None: none).
        self.rollups_built_s: float | None = self._ensure_rollups(self._con)
        # (org, signal, tier) -> the horizon (naive UTC); changed only by the writer thread.
        self._horizon: dict[tuple[int, int, str], datetime] = {
            (int(o), int(s), str(t)): b
            for o, s, t, b in self._con.execute("SELECT * FROM horizons").fetchall()
        }
        self._hwm: dict[tuple[int, int], int] = {}  # (org, signal) -> newest ts in µs
        # Buckets given a second roll-up row, as (org, table, signal ids, bucket starts in µs):
        # those of the write in progress, and those committed and waiting for compaction.
        # Changed only by the writer thread.
        self._staged: list[tuple[int, str, Any, Any]] = []
        self._loose: list[tuple[int, str, Any, Any]] = []
        self._loose_rows = 0
        self._compaction_queued = False
        # Small answers read on every page view (latest values, extents) are kept per
        # organisation until its points change: every write or delete bumps the org's generation
        # after it is committed, and a cached answer is only used under the generation it was
        # read in. This process is the database's only writer, so no change goes unseen.
        self._gen: dict[int, int] = {}
        self._answers: OrderedDict[tuple[Any, ...], pa.Table] = OrderedDict()
        self._answers_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[duckdb.DuckDBPyConnection] = []
        self._writer = SingleWriter("duckdb", self._con)

    # -- connections --------------------------------------------------------------------------

    def _reader(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._con.cursor()  # a connection of its own to the same database
            self._local.cur = cur
            self._readers.append(cur)
        return cur

    def _query(self, sql: str, params: list[Any]) -> pa.Table:
        rel = self._reader().sql(sql, params=params)
        # DuckDB 2 renamed ``arrow()`` (which now streams) to ``to_arrow_table()``.
        return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()

    def _changed(self, org: int) -> None:
        with self._answers_lock:
            self._gen[org] = self._gen.get(org, 0) + 1

    def _remembered(self, key: tuple[Any, ...], org: int, read: Callable[[], pa.Table]) -> pa.Table:
        """``read()``, or its answer from an earlier call under the org's same generation."""
        with self._answers_lock:
            full = (*key, self._gen.get(org, 0))
            found = self._answers.get(full)
            if found is not None:
                self._answers.move_to_end(full)
                return found
        answer = read()
        with self._answers_lock:
            self._answers[full] = answer
            while len(self._answers) > _ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return answer

    def close(self) -> None:
        if self._loose and not self._writer.closed:
            try:
                self._writer.submit(self._compact)
            except Exception:  # only tidiness: the rows read the same uncompacted
                log.warning("could not compact the roll-ups at close", exc_info=True)
        self._writer.close()
        for cur in self._readers:
            cur.close()
        self._con.close()

    # -- writes -------------------------------------------------------------------------------

    def write(self, org_id: int, points: pa.Table | pa.RecordBatch) -> WriteResult:
        tbl = conform_points(points)
        if tbl.num_rows == 0:
            return WriteResult()
        return self._writer.submit(lambda con: self._write_points(con, int(org_id), tbl))

    def _write_points(self, con: duckdb.DuckDBPyConnection, org: int, tbl: pa.Table) -> WriteResult:
        sig = tbl.column("signal_id").to_numpy()
        ts = tbl.column("ts").cast(pa.int64()).to_numpy()
        # Batches as imports produce them, one time-ordered run per signal, are recognised in a
        # few vectorised passes (no sort, no hash); anything else is left to the engine's merge.
        starts = np.flatnonzero(np.r_[True, sig[1:] != sig[:-1]])
        run_sig = sig[starts]
        unique_sorted = len(np.unique(run_sig)) == len(run_sig) and bool(
            np.all((sig[1:] != sig[:-1]) | (ts[1:] > ts[:-1]))
        )
        if not unique_sorted and len(sig) > 1:
            # Time-major batches (a line per time with every signal, as line protocol and
            # gateways send them) are appends too once sorted by signal and time, if no
            # (signal, time) repeats: a sort costs less than the merge.
            order = np.lexsort((ts, sig))
            sig_o, ts_o = sig[order], ts[order]
            if bool(np.all((sig_o[1:] != sig_o[:-1]) | (ts_o[1:] > ts_o[:-1]))):
                tbl, sig, ts = tbl.take(pa.array(order)), sig_o, ts_o
                starts = np.flatnonzero(np.r_[True, sig[1:] != sig[:-1]])
                run_sig, unique_sorted = sig[starts], True
        ends = np.r_[starts[1:], len(sig)]
        if unique_sorted:
            gsig, gmin, gmax = run_sig.tolist(), ts[starts].tolist(), ts[ends - 1].tolist()
        else:
            grouped = tbl.group_by("signal_id").aggregate([("ts", "min"), ("ts", "max")])
            gsig = grouped.column("signal_id").to_pylist()
            gmin = grouped.column("ts_min").cast(pa.int64()).to_pylist()
            gmax = grouped.column("ts_max").cast(pa.int64()).to_pylist()
        self._load_hwm(con, org, [s for s in gsig if (org, s) not in self._hwm])
        appending = unique_sorted and all(
            lo > self._hwm.get((org, s), _NO_DATA) for s, lo in zip(gsig, gmin, strict=True)
        )
        con.register("_batch", _engine_batch(tbl, "signal_id"))
        try:
            # One transaction: the points and the roll-ups that summarise them never part.
            con.execute("BEGIN TRANSACTION")
            try:
                if appending:
                    con.execute(
                        "INSERT INTO points SELECT ?, signal_id, ts, value FROM _batch", [org]
                    )
                    self._add_to_rollups(con, org, sig, ts, tbl.column("value").to_numpy())
                    result = WriteResult(inserted=tbl.num_rows)
                else:
                    result = self._merge(con, org, unique_sorted)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                self._note_loose(committed=False)
                raise
        finally:
            con.unregister("_batch")
        self._note_loose(committed=True)
        for s, hi in zip(gsig, gmax, strict=True):
            self._hwm[(org, s)] = max(self._hwm.get((org, s), _NO_DATA), hi)
        self._changed(org)
        return result

    def _load_hwm(self, con: duckdb.DuckDBPyConnection, org: int, signals: list[int]) -> None:
        if not signals:
            return
        where, params = _where("signal_id", org, signals, None, None)
        rows = con.execute(
            f"SELECT signal_id, epoch_us(max(ts)) FROM points WHERE {where} GROUP BY 1", params
        ).fetchall()
        found = {int(s): int(t) for s, t in rows}
        for s in signals:
            self._hwm[(org, s)] = found.get(s, _NO_DATA)

    def _merge(self, con: duckdb.DuckDBPyConnection, org: int, unique: bool) -> WriteResult:
        """Insert new points, update changed ones, skip identical ones, and bring the roll-ups
        along (inside the caller's transaction)."""
        # Last occurrence wins inside the batch (row order = arrival order).
        dedup = (
            "SELECT signal_id, ts, value FROM _batch"
            if unique
            else "SELECT signal_id, ts, arg_max(value, rn) AS value FROM "
            "(SELECT *, row_number() OVER () AS rn FROM _batch) GROUP BY signal_id, ts"
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE _b AS {dedup}")
        lo, hi = con.execute("SELECT epoch_us(min(ts)), epoch_us(max(ts)) FROM _b").fetchall()[0]
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _e AS
               SELECT p.rowid AS rid, p.value AS old, b.value AS new, b.signal_id, b.ts
               FROM points p JOIN _b b ON p.signal_id = b.signal_id AND p.ts = b.ts
               WHERE p.org_id = ? AND p.ts BETWEEN make_timestamp(?) AND make_timestamp(?)
                 AND p.signal_id IN (SELECT DISTINCT signal_id FROM _b)""",
            [org, lo, hi],
        )
        existing, changed = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE old <> new) FROM _e"
        ).fetchall()[0]
        if changed:
            con.execute(
                "UPDATE points SET value = _e.new FROM _e "
                "WHERE points.rowid = _e.rid AND _e.old <> _e.new"
            )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _n AS SELECT b.signal_id, b.ts, b.value FROM _b b "
            "ANTI JOIN _e e ON b.signal_id = e.signal_id AND b.ts = e.ts"
        )
        inserted = con.execute("INSERT INTO points SELECT ?, * FROM _n", [org]).fetchall()[0][0]
        new = con.execute(
            "SELECT signal_id, epoch_us(ts), value FROM _n ORDER BY 1, 2"
        ).fetchnumpy()
        self._add_to_rollups(con, org, *new.values(), appended=False)
        if changed:
            self._rollups_after_change(con, org)
        con.execute("DROP TABLE _b; DROP TABLE _e; DROP TABLE _n")
        return WriteResult(
            inserted=int(inserted), updated=int(changed), unchanged=int(existing - changed)
        )

    # -- roll-ups -----------------------------------------------------------------------------

    @staticmethod
    def _ensure_rollups(con: duckdb.DuckDBPyConnection) -> float | None:
        """Create the roll-up tables; in a file that has points but no roll-ups yet, build them
        from the points, once (one transaction: an interrupted build is redone at next open)."""
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'rollup_minute'"
        ).fetchall()[0][0]
        if found:
            return None
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        try:
            for table, _ in _ROLLUPS.values():
                con.execute(f"CREATE TABLE {table} ({_ROLLUP_COLUMNS})")
            con.execute(
                f"INSERT INTO rollup_minute SELECT org_id, {_AGG_RAW.format(unit='minute')} "
                "FROM points GROUP BY ALL ORDER BY bucket, org_id, signal_id"
            )
            con.execute(
                "INSERT INTO rollup_hour SELECT org_id, signal_id, date_trunc('hour', bucket) AS "
                "bucket, sum(n)::BIGINT, min(vmin), max(vmax), sum(vsum), max(last_ts), "
                "arg_max(vlast, last_ts) FROM rollup_minute GROUP BY ALL "
                "ORDER BY bucket, org_id, signal_id"
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        built = time.perf_counter() - started
        if con.execute("SELECT count(*) FROM rollup_minute").fetchall()[0][0]:
            log.info("built the roll-ups of the stored points in %.1f s", built)
            return built
        return None

    def _add_to_rollups(
        self,
        con: duckdb.DuckDBPyConnection,
        org: int,
        sig: Any,
        ts: Any,
        val: Any,
        *,
        appended: bool = True,
    ) -> None:
        """Add points that were not stored before to both tiers, as partial aggregates: one
        INSERT per tier, no merge with the stored rows (aggregates of disjoint point sets
        combine exactly when read). ``sig``, ``ts`` (µs) and ``val`` are numpy arrays ordered by
        signal, then time. ``appended``: every point is newer than its signal's high-water mark
        (the live case), so only the bucket of the mark can already hold a row; otherwise any
        bucket of the batch may (noted for compaction, :meth:`_compact`)."""
        if len(sig) == 0:
            return
        minute = _buckets(sig, ts, val, _MINUTE_US)
        hour = _combine(minute, _HOUR_US)
        if appended:
            # The signals' marks, looked up once for both tiers (each tier's aggregates start
            # with the same signals in the same order).
            firsts = [np.flatnonzero(_run_starts(agg.column("signal_id").to_numpy()))
                      for agg in (minute, hour)]  # fmt: skip
            run_sig = minute.column("signal_id").to_numpy()[firsts[0]]
            marks = np.fromiter(
                (self._hwm.get((org, int(s)), _NO_DATA) for s in run_sig), np.int64, len(run_sig)
            )
        for k, (agg, (table, _), width) in enumerate(
            zip((minute, hour), _ROLLUPS.values(), (_MINUTE_US, _HOUR_US), strict=True)
        ):
            rows = agg.add_column(0, "org_id", pa.array(np.full(agg.num_rows, org, np.int32)))
            con.from_arrow(rows).insert_into(table)
            keys_sig = agg.column("signal_id").to_numpy()
            keys_bucket = agg.column("bucket").cast(pa.int64()).to_numpy()
            if appended:
                first = firsts[k]
                meets = (marks != _NO_DATA) & (marks - marks % width == keys_bucket[first])
                keys_sig, keys_bucket = keys_sig[first][meets], keys_bucket[first][meets]
            if len(keys_sig):
                self._staged.append((org, table, keys_sig, keys_bucket))

    def _note_loose(self, committed: bool) -> None:
        """After a write's transaction: keep the buckets it gave a second row (when it was
        committed) and, once there are ``_LOOSE_ROWS`` of them, queue their compaction behind
        the write (the writer's caller has its answer by then)."""
        staged, self._staged = self._staged, []
        if not committed:
            return
        self._loose.extend(staged)
        self._loose_rows += sum(len(keys[2]) for keys in staged)
        if self._loose_rows >= _LOOSE_ROWS and not self._compaction_queued:
            self._compaction_queued = True
            self._writer.post(self._compact)

    def _compact(self, con: duckdb.DuckDBPyConnection) -> None:
        """Fold each bucket noted as stored in several rows into one row, in a transaction of
        its own. Only tidiness: readers group by bucket, so both forms read the same."""
        loose, self._loose, self._loose_rows = self._loose, [], 0
        self._compaction_queued = False
        grouped: dict[tuple[int, str], list[tuple[Any, Any]]] = {}
        for org, table, sig, bucket in loose:
            grouped.setdefault((org, table), []).append((sig, bucket))
        if not grouped:
            return
        con.execute("BEGIN TRANSACTION")
        try:
            for (org, table), parts in grouped.items():
                keys = pa.table(
                    {
                        "signal_id": pa.array(np.concatenate([p[0] for p in parts]), pa.int32()),
                        "bucket": pa.array(np.concatenate([p[1] for p in parts]), pa.int64()).cast(
                            pa.timestamp("us")
                        ),
                    }
                )
                span = [org, *_bucket_range(keys)]
                con.register("_lk", keys)
                try:
                    con.execute(
                        f"""CREATE OR REPLACE TEMP TABLE _f AS
                            SELECT r.signal_id, r.bucket, sum(r.n)::BIGINT AS n,
                                   min(r.vmin) AS vmin, max(r.vmax) AS vmax, sum(r.vsum) AS vsum,
                                   max(r.last_ts) AS last_ts, arg_max(r.vlast, r.last_ts) AS vlast
                            FROM {table} r SEMI JOIN _lk k
                                 ON r.signal_id = k.signal_id AND r.bucket = k.bucket
                            WHERE r.org_id = ? AND r.bucket BETWEEN ? AND ?
                            GROUP BY r.signal_id, r.bucket HAVING count(*) > 1""",
                        span,
                    )
                    con.execute(
                        f"DELETE FROM {table} AS r USING _f f WHERE r.org_id = ? AND r.bucket "
                        "BETWEEN ? AND ? AND r.signal_id = f.signal_id AND r.bucket = f.bucket",
                        span,
                    )
                    con.execute(f"INSERT INTO {table} SELECT ?, * FROM _f", [org])
                finally:
                    con.unregister("_lk")
            con.execute("DROP TABLE _f")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _rollups_after_change(self, con: duckdb.DuckDBPyConnection, org: int) -> None:
        """Points in ``_e`` changed value: adjust the aggregates of their buckets (sum, last,
        and min / max where the new value is more extreme), and recompute a bucket whose
        minimum or maximum was overwritten by a less extreme value: minutes from the raw points,
        hours from their minutes (60 rows instead of up to 3,600 points a signal) where the
        minute tier still holds the whole hour, else from the raw points. Buckets older than
        the raw horizon are only adjusted (their raw points are gone)."""
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _c AS
               SELECT e.signal_id, e.ts, e.old, e.new,
                      e.ts >= coalesce(h.before, '-infinity'::TIMESTAMP) AS whole,
                      date_trunc('hour', e.ts) >= coalesce(m.before, '-infinity'::TIMESTAMP)
                          AS minutes_whole
               FROM _e e
               LEFT JOIN (SELECT signal_id, before FROM horizons
                          WHERE org_id = ? AND tier = 'raw') h USING (signal_id)
               LEFT JOIN (SELECT signal_id, before FROM horizons
                          WHERE org_id = ? AND tier = 'minute') m USING (signal_id)
               WHERE e.old <> e.new""",
            [org, org],
        )
        lo, hi = con.execute("SELECT min(ts), max(ts) FROM _c").fetchall()[0]
        if lo is None:
            con.execute("DROP TABLE _c")
            return
        for table, unit in _ROLLUPS.values():
            # The change per bucket: the sum moves by new - old, the last value follows when the
            # last point changed, count and times stay. Only a bucket whose minimum or maximum
            # was overwritten by a less extreme value needs its points again. A bucket of
            # several rows is judged on their combination and the change goes to its newest row
            # (``rid``, the one holding the bucket's last point): the rows' combination stays
            # the bucket's exact aggregate even though that row alone no longer is one.
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _d AS
                    SELECT c.signal_id, r.bucket, any_value(r.rid) AS rid,
                           sum(c.new - c.old) AS dsum, min(c.new) AS mn,
                           max(c.new) AS mx, max(c.ts) AS mts, arg_max(c.new, c.ts) AS mlast,
                           bool_and(c.whole) AS whole, bool_and(c.minutes_whole) AS minutes_whole,
                           bool_or((c.old = r.vmin AND c.new > c.old)
                                   OR (c.old = r.vmax AND c.new < c.old)) AS redo
                    FROM _c c JOIN (
                        SELECT signal_id, bucket, min(vmin) AS vmin, max(vmax) AS vmax,
                               arg_max(rowid, last_ts) AS rid
                        FROM {table} WHERE org_id = ?
                             AND bucket BETWEEN date_trunc('{unit}', ?::TIMESTAMP) AND ?
                             AND signal_id IN (SELECT DISTINCT signal_id FROM _c)
                        GROUP BY signal_id, bucket) r
                      ON r.signal_id = c.signal_id AND r.bucket = date_trunc('{unit}', c.ts)
                    GROUP BY c.signal_id, r.bucket""",
                [org, lo, hi],
            )
            con.execute(
                f"""UPDATE {table} AS r SET vsum = r.vsum + d.dsum,
                       vmin = least(r.vmin, d.mn), vmax = greatest(r.vmax, d.mx),
                       vlast = CASE WHEN d.mts = r.last_ts THEN d.mlast ELSE r.vlast END
                    FROM _d d WHERE r.rowid = d.rid"""
            )
            # Where retention dropped the bucket's raw points (not whole), min and max stay
            # widened: nothing to recompute them from.
            if unit == "hour":
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE _k AS SELECT signal_id, bucket FROM _d "
                    "WHERE redo AND whole AND minutes_whole"
                )
                self._recompute(con, org, table, unit, from_minutes=True)
                where = "redo AND whole AND NOT minutes_whole"
            else:
                where = "redo AND whole"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _k AS SELECT signal_id, bucket FROM _d WHERE {where}"
            )
            self._recompute(con, org, table, unit)
            con.execute("DROP TABLE _d")
        con.execute("DROP TABLE _c")

    @staticmethod
    def _recompute(
        con: duckdb.DuckDBPyConnection,
        org: int,
        table: str,
        unit: str,
        *,
        from_minutes: bool = False,
    ) -> None:
        """Replace the aggregates of the buckets in ``_k`` (signal_id, bucket) by aggregating
        the raw points they hold now (a bucket left without points disappears), or, with
        ``from_minutes``, the minute tier's aggregates of those buckets."""
        lo, hi = con.execute("SELECT min(bucket), max(bucket) FROM _k").fetchall()[0]
        if lo is not None:
            con.execute(
                f"DELETE FROM {table} AS r USING _k k WHERE r.org_id = ? AND r.bucket "
                "BETWEEN ? AND ? AND r.signal_id = k.signal_id AND r.bucket = k.bucket",
                [org, lo, hi],
            )
            if from_minutes:
                select = (
                    f"SELECT ?, signal_id, date_trunc('{unit}', bucket) AS b, sum(n)::BIGINT, "
                    "min(vmin), max(vmax), sum(vsum), max(last_ts), arg_max(vlast, last_ts) "
                    "FROM (SELECT m.* FROM rollup_minute m SEMI JOIN _k k "
                    f"ON m.signal_id = k.signal_id AND date_trunc('{unit}', m.bucket) = k.bucket "
                    f"WHERE m.org_id = ? AND m.bucket >= ? AND m.bucket < ? + INTERVAL 1 {unit} "
                    "AND m.signal_id IN (SELECT DISTINCT signal_id FROM _k)) GROUP BY ALL"
                )
            else:
                select = (
                    f"SELECT ?, {_AGG_RAW.format(unit=unit)} FROM (SELECT p.signal_id, p.ts, "
                    "p.value FROM points p SEMI JOIN _k k ON p.signal_id = k.signal_id "
                    f"AND date_trunc('{unit}', p.ts) = k.bucket WHERE p.org_id = ? "
                    f"AND p.ts >= ? AND p.ts < ? + INTERVAL 1 {unit} "
                    "AND p.signal_id IN (SELECT DISTINCT signal_id FROM _k)) GROUP BY ALL"
                )
            con.execute(f"INSERT INTO {table} {select}", [org, org, lo, hi])
        con.execute("DROP TABLE _k")

    def _rollups_after_delete(
        self,
        con: duckdb.DuckDBPyConnection,
        org: int,
        ids: Sequence[int] | None,
        start: datetime | None,
        end: datetime | None,
    ) -> None:
        """Raw points of ``[start, end)`` were deleted: drop the aggregates of buckets wholly
        inside, recompute the (at most two) buckets cut by the bounds from what is left."""
        for tier, (table, unit) in _ROLLUPS.items():
            width = TIER_WIDTH[tier]  # type: ignore[index]
            lo = None if start is None else floor_to(start, width)
            if lo is not None and start is not None and lo < to_utc(start):  # type: ignore[operator]
                lo += width
            hi = None if end is None else floor_to(end, width)
            where, params = _where("signal_id", org, ids, lo, hi, time="bucket")
            if lo is None or hi is None or hi > lo:
                con.execute(f"DELETE FROM {table} WHERE {where}", params)
            edges = sorted(
                floor_to(b, width).replace(tzinfo=None)
                for b in {start, end}
                if b is not None and floor_to(b, width) != to_utc(b)
            )
            if not edges:
                continue
            where, params = _where("r.signal_id", org, ids, None, None)
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _k AS
                    SELECT DISTINCT r.signal_id, r.bucket FROM {table} r
                    LEFT JOIN (SELECT signal_id, before FROM horizons
                               WHERE org_id = ? AND tier = 'raw') h USING (signal_id)
                    WHERE {where.replace("org_id", "r.org_id", 1)}
                      AND r.bucket IN ({", ".join("?" * len(edges))})
                      AND r.bucket >= coalesce(h.before, '-infinity'::TIMESTAMP)""",
                [org, *params, *edges],
            )
            self._recompute(con, org, table, unit)

    def delete(
        self,
        org_id: int,
        signal_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        org = int(org_id)
        ids = None if signal_ids is None else [int(i) for i in signal_ids]
        where, params = _where("signal_id", org, ids, start, end)

        def run(con: duckdb.DuckDBPyConnection) -> int:
            con.execute("BEGIN TRANSACTION")
            try:
                n = con.execute(f"DELETE FROM points WHERE {where}", params).fetchall()[0][0]
                if n or start is None or end is None:
                    self._rollups_after_delete(con, org, ids, start, end)
                if start is None and end is None:  # the signals' whole history is gone
                    hw, hp = _where("signal_id", org, ids, None, None)
                    con.execute(f"DELETE FROM horizons WHERE {hw}", hp)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            if start is None and end is None:
                for mark in [k for k in self._horizon if k[0] == org]:
                    if ids is None or mark[1] in ids:
                        del self._horizon[mark]
            # Marks may now be too high, which only sends later writes down the merge path;
            # forget them so they are reloaded exactly.
            for key in [k for k in self._hwm if k[0] == org]:
                del self._hwm[key]
            self._changed(org)
            return int(n)

        return self._writer.submit(run)

    # -- retention ----------------------------------------------------------------------------

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
        org, ids = int(org_id), sorted({int(s) for s in signal_ids})
        if not ids:
            return 0
        cut = floor_to(before, TIER_WIDTH["hour"] if tier == "raw" else TIER_WIDTH[tier])
        naive_cut = _naive(cut)
        assert naive_cut is not None

        def mark(con: duckdb.DuckDBPyConnection) -> None:
            moved = [s for s in ids if self._horizon.get((org, s, tier), naive_cut) <= naive_cut]
            if not moved:
                return
            con.execute("BEGIN TRANSACTION")
            try:
                where, params = _where("signal_id", org, moved, None, None)
                con.execute(f"DELETE FROM horizons WHERE {where} AND tier = ?", [*params, tier])
                con.executemany(
                    "INSERT INTO horizons VALUES (?, ?, ?, ?)",
                    [[org, s, tier, naive_cut] for s in moved],
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            for s in moved:
                self._horizon[(org, s, tier)] = naive_cut

        self._writer.submit(mark)
        if tier != "raw":
            # Buckets noted as stored in several rows are folded first, so that what is dropped
            # counts aggregates (rows left from before a crash would count once each).
            self._writer.submit(self._compact)
        table, time_col = ("points", "ts") if tier == "raw" else (_ROLLUPS[tier][0], "bucket")
        where, params = _where("signal_id", org, ids, None, cut, time=time_col)
        sql = (
            f"DELETE FROM {table} WHERE rowid IN "
            f"(SELECT rowid FROM {table} WHERE {where} LIMIT {int(chunk)})"
        )

        def drop(con: duckdb.DuckDBPyConnection) -> int:
            return int(con.execute(sql, params).fetchall()[0][0])

        total = 0
        while True:
            # Each chunk is its own write: a waiting ingest write runs between two chunks.
            n = self._writer.submit(drop)
            total += n
            if n < chunk:
                break
        if tier == "raw" and total:

            def forget(con: duckdb.DuckDBPyConnection) -> None:
                for key in [k for k in self._hwm if k[0] == org and k[1] in ids]:
                    del self._hwm[key]

            self._writer.submit(forget)
        if total:
            self._changed(org)
        return total

    def retained_from(self, org_id: int, signal_ids: Sequence[int], tier: Tier) -> datetime | None:
        found = [
            b
            for s in signal_ids
            if (b := self._horizon.get((int(org_id), int(s), tier))) is not None
        ]
        return max(found).replace(tzinfo=UTC) if found else None

    def rollups(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        tier: RollupTier,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        if tier not in _ROLLUPS:
            raise InvalidInput(f"Unknown roll-up tier {tier!r}.")
        where, params = _where("signal_id", org_id, signal_ids, start, end, time="bucket")
        sql = (  # a bucket may be stored in several rows (see the module's docstring)
            "SELECT signal_id, bucket AS bucket_start, sum(n)::BIGINT AS count, min(vmin) AS min, "
            "max(vmax) AS max, sum(vsum) AS sum, max(last_ts) AS last_ts, "
            f"arg_max(vlast, last_ts) AS last FROM {_ROLLUPS[tier][0]} WHERE {where} "
            "GROUP BY signal_id, bucket ORDER BY signal_id, bucket"
        )
        return _aware(self._query(sql, params), ROLLUP_SCHEMA)

    # -- reads --------------------------------------------------------------------------------

    def read(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        if limit is None:
            where, params = _where("signal_id", org_id, signal_ids, start, end)
            sql = f"SELECT signal_id, ts, value FROM points WHERE {where} ORDER BY signal_id, ts"
            return _aware(self._query(sql, params), POINT_SCHEMA)
        return self._read_first(int(org_id), sorted({int(s) for s in signal_ids}), start, end,
                                int(limit))  # fmt: skip

    def _read_first(
        self, org: int, ids: list[int], start: datetime | None, end: datetime | None, limit: int
    ) -> pa.Table:
        """The first ``limit`` points by (signal, time), in memory bounded by the limit.

        ``ORDER BY signal_id, ts LIMIT n`` sorts everything the filter keeps once ``n`` is large
        (DuckDB's top-n is for small limits): 434 MB for the first 200,000 of 10 M points. Read
        signal by signal instead, each in time windows of about the limit (counted in the
        engine, only as far as needed), so a sort never holds more than a window."""
        parts: list[pa.Table] = []
        left = limit
        start, end = to_utc(start), to_utc(end)
        extent = {r["signal_id"]: r for r in self.extent(org, ids).to_pylist()}
        for sid in ids:
            if left <= 0:
                break
            if sid not in extent:
                continue
            lo = extent[sid]["first_ts"] if start is None else max(start, extent[sid]["first_ts"])
            last = extent[sid]["last_ts"] + timedelta(microseconds=1)
            hi = last if end is None else min(end, last)

            def count(a: datetime, b: datetime, sid: int = sid) -> int:
                return self.count(org, [sid], a, b)

            for a, b, _ in iter_time_windows(count, lo, hi, max(left, _READ_WINDOW)):
                where, params = _where("signal_id", org, [sid], a, b)
                got = self._query(
                    f"SELECT signal_id, ts, value FROM points WHERE {where} ORDER BY ts "
                    f"LIMIT {left}",
                    params,
                )
                parts.append(_aware(got, POINT_SCHEMA))
                left -= got.num_rows
                if left <= 0:
                    break
        return pa.concat_tables(parts) if parts else POINT_SCHEMA.empty_table()

    def latest(self, org_id: int, signal_ids: Sequence[int]) -> pa.Table:
        org, ids = int(org_id), [int(s) for s in signal_ids]
        return self._remembered(("latest", org, tuple(ids)), org, lambda: self._latest(org, ids))

    def _latest(self, org: int, ids: list[int]) -> pa.Table:
        # The newest point of each signal is at its high-water mark, which this process knows
        # (it is the only writer); reading only from the oldest of those marks lets the engine
        # skip every row group of older data instead of scanning each signal's whole history.
        missing = [s for s in ids if (org, s) not in self._hwm]
        if missing:
            where, params = _where("signal_id", org, missing, None, None)
            found = dict(
                self._reader()
                .execute(
                    f"SELECT signal_id, epoch_us(max(ts)) FROM points WHERE {where} GROUP BY 1",
                    params,
                )
                .fetchall()
            )
            for s in missing:  # never lower a mark the writer has raised meanwhile
                self._hwm.setdefault((org, s), int(found.get(s, _NO_DATA)))
        marks = [self._hwm.get((org, s), _NO_DATA) for s in ids]
        known = [m for m in marks if m > _NO_DATA]
        where, params = _where("signal_id", org, ids, None, None)
        if known:
            where += " AND ts >= make_timestamp(?)"
            params = [*params, min(known)]
        sql = (
            "SELECT signal_id, max(ts) AS ts, arg_max(value, ts) AS value "
            f"FROM points WHERE {where} GROUP BY signal_id ORDER BY signal_id"
        )
        return _aware(self._query(sql, params), POINT_SCHEMA)

    @staticmethod
    def _bucket_sql(start: datetime, end: datetime, buckets: int) -> tuple[str, int, int]:
        if buckets < 1:
            raise InvalidInput("buckets must be at least 1.")
        s_us = int(to_utc(start).timestamp() * 1_000_000)  # type: ignore[union-attr]
        e_us = int(to_utc(end).timestamp() * 1_000_000)  # type: ignore[union-attr]
        if e_us <= s_us:
            raise InvalidInput("The end of a range must be after its start.")
        span = e_us - s_us
        # Integer arithmetic keeps bucket edges exact (no float rounding at the boundaries).
        return f"((epoch_us(ts) - {s_us}) * {int(buckets)}) // {span}", s_us, span

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
        bucket, s_us, span = self._bucket_sql(start, end, buckets)
        where, params = _where("signal_id", org_id, signal_ids, start, end)
        sql = f"""
            SELECT signal_id, b AS bucket,
                   make_timestamp({s_us} + (b * {span}) // {int(buckets)}) AS bucket_start,
                   n AS count, vmin AS min, vmax AS max, vmean AS mean, vlast AS last
            FROM (SELECT signal_id, {bucket} AS b, count(*) AS n, min(value) AS vmin,
                         max(value) AS vmax, avg(value) AS vmean, arg_max(value, ts) AS vlast
                  FROM points WHERE {where} GROUP BY ALL)
            ORDER BY signal_id, bucket"""
        return _aware(self._query(sql, params), DOWNSAMPLE_SCHEMA)

    def _downsample_rollups(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        start: datetime,
        end: datetime,
        buckets: int,
        tier: str,
    ) -> pa.Table:
        if tier not in _ROLLUPS:
            raise InvalidInput(f"Unknown tier {tier!r}.")
        bucket, s_us, span = self._bucket_sql(start, end, buckets)
        bucket = bucket.replace("epoch_us(ts)", "epoch_us(bucket)")
        where, params = _where("signal_id", org_id, signal_ids, start, end, time="bucket")
        sql = f"""
            SELECT signal_id, b AS bucket,
                   make_timestamp({s_us} + (b * {span}) // {int(buckets)}) AS bucket_start,
                   n::BIGINT AS count, vmin AS min, vmax AS max, vsum / n AS mean, vlast AS last
            FROM (SELECT signal_id, {bucket} AS b, sum(n) AS n, min(vmin) AS vmin,
                         max(vmax) AS vmax, sum(vsum) AS vsum, arg_max(vlast, last_ts) AS vlast
                  FROM {_ROLLUPS[tier][0]} WHERE {where} GROUP BY ALL)
            ORDER BY signal_id, bucket"""
        return _aware(self._query(sql, params), DOWNSAMPLE_SCHEMA)

    def minmax_points(
        self, org_id: int, signal_id: int, start: datetime, end: datetime, buckets: int
    ) -> pa.Table:
        bucket, _, _ = self._bucket_sql(start, end, buckets)
        where, params = _where("signal_id", org_id, [signal_id], start, end)
        sql = f"""
            WITH g AS (
                SELECT {bucket} AS b, arg_min(ts, value) AS t1, min(value) AS v1,
                       arg_max(ts, value) AS t2, max(value) AS v2,
                       min(ts) AS t3, arg_min(value, ts) AS v3,
                       max(ts) AS t4, arg_max(value, ts) AS v4
                FROM points WHERE {where} GROUP BY ALL)
            SELECT DISTINCT ts, value FROM (
                SELECT t1 AS ts, v1 AS value FROM g UNION ALL SELECT t2, v2 FROM g
                UNION ALL SELECT t3, v3 FROM g UNION ALL SELECT t4, v4 FROM g)
            ORDER BY ts"""
        out = self._query(sql, params)
        schema = pa.schema([("ts", TS_TYPE), ("value", pa.float64())])
        return _aware(out, schema)

    def count(
        self,
        org_id: int,
        signal_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        return self._count("points", "signal_id", org_id, signal_ids, start, end)

    def extent(self, org_id: int, signal_ids: Sequence[int] | None = None) -> pa.Table:
        org = int(org_id)
        ids = None if signal_ids is None else tuple(int(s) for s in signal_ids)
        return self._remembered(("extent", org, ids), org, lambda: self._extent(org, ids))

    def _extent(self, org_id: int, signal_ids: Sequence[int] | None) -> pa.Table:
        where, params = _where("signal_id", org_id, signal_ids, None, None)
        sql = (
            "SELECT signal_id, count(*) AS count, min(ts) AS first_ts, max(ts) AS last_ts "
            f"FROM points WHERE {where} GROUP BY signal_id ORDER BY signal_id"
        )
        schema = pa.schema(
            [
                ("signal_id", pa.int64()),
                ("count", pa.int64()),
                ("first_ts", TS_TYPE),
                ("last_ts", TS_TYPE),
            ]
        )
        return _aware(self._query(sql, params), schema)

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

        def run(con: duckdb.DuckDBPyConnection) -> WriteResult:
            con.register("_lb", _engine_batch(tbl, "column_id"))
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    """CREATE OR REPLACE TEMP TABLE _l AS
                       SELECT column_id, ts, arg_max(value, rn) AS value FROM
                       (SELECT *, row_number() OVER () AS rn FROM _lb) GROUP BY column_id, ts"""
                )
                existing, changed = con.execute(
                    """SELECT count(*), count(*) FILTER (WHERE l.value IS DISTINCT FROM s.value)
                       FROM labels s JOIN _l l USING (column_id, ts) WHERE s.org_id = ?""",
                    [org],
                ).fetchall()[0]
                con.execute(
                    "DELETE FROM labels s USING _l l WHERE s.org_id = ? AND s.column_id = l.column_id "
                    "AND s.ts = l.ts AND s.value IS DISTINCT FROM l.value",
                    [org],
                )
                inserted = con.execute(
                    "INSERT INTO labels SELECT ?, l.column_id, l.ts, l.value FROM _l l "
                    "ANTI JOIN (SELECT * FROM labels WHERE org_id = ?) s "
                    "ON s.column_id = l.column_id AND s.ts = l.ts",
                    [org, org],
                ).fetchall()[0][0]
                con.execute("DROP TABLE _l")
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
            finally:
                con.unregister("_lb")
            return WriteResult(
                inserted=int(inserted) - int(changed),
                updated=int(changed),
                unchanged=int(existing) - int(changed),
            )

        return self._writer.submit(run)

    def read_labels(
        self,
        org_id: int,
        column_ids: Sequence[int],
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        where, params = _where("column_id", org_id, column_ids, start, end)
        sql = f"SELECT column_id, ts, value FROM labels WHERE {where} ORDER BY column_id, ts"
        return _aware(self._query(sql, params), LABEL_SCHEMA)

    def count_labels(
        self,
        org_id: int,
        column_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        return self._count("labels", "column_id", org_id, column_ids, start, end)

    def _count(
        self,
        table: str,
        key: str,
        org_id: int,
        ids: Sequence[int] | None,
        start: datetime | None,
        end: datetime | None,
    ) -> int:
        where, params = _where(key, org_id, ids, start, end)
        row = self._reader().execute(f"SELECT count(*) FROM {table} WHERE {where}", params)
        found = row.fetchall()
        return int(found[0][0]) if found else 0

    def delete_labels(
        self,
        org_id: int,
        column_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        where, params = _where("column_id", org_id, column_ids, start, end)
        return self._writer.submit(
            lambda con: int(
                con.execute(f"DELETE FROM labels WHERE {where}", params).fetchall()[0][0]
            )
        )


__all__ = ["DuckDBTimeSeriesStore"]
