"""Scale-out benchmark (issue 12): the regional centre's figures, one section function each.

    python bench/scale.py                          # 5 M points on a fresh local database
    python bench/scale.py --points 20000000 --json
    python bench/scale.py --url postgresql+psycopg://me:pw@db/postgres --only pg_

A database is created for the run and dropped after, on the server of ``--url`` (a role that
may create databases), by default the local one (``OPENKAMP_TEST_PG`` or the Unix socket, as the
tests find it). Sections:

* ``pg_copy``: points/s through the product's ``write()`` on PostgreSQL against raw binary COPY
  of the same rows, in the same batches (one COPY and commit each), into an equivalent bare table
  (the same columns and primary key; no partitions, roll-ups or locks), in the same run, rounds
  alternating on fresh databases; for batches of 100,000 points (ingest workers batching, imports),
  20,000 and 2,000 (a live write of one source: 200 signals x 10 s). Also the merge way (a batch that meets stored
  points: staged, then ``INSERT ... ON CONFLICT``) against the same upsert on the bare table,
  the bare table without its index, and the bytes a point takes on disk.
* ``pg_downsample``: the product's ``downsample()`` (Arrow out) over SQL written by hand for the
  same aggregation (count, min, max, mean, last per bucket) and fetched with a plain cursor: the
  idiomatic query (``extract(epoch ...)``, ``array_agg(value ORDER BY ts DESC)[1]``) and the
  product's own query; ``pg_downsample_ratio`` is over the faster of the two (the product's
  overhead when its SQL is the faster one), ``pg_downsample_ratio_idiomatic`` over the first.
* ``dask``: 20 models trained by one fan-out job on a Dask LocalCluster of 2 workers against the
  same job in one process, in the same run (bench/scale_dask.py, whose docstring says how).
* ``ingest_workers``: the same MQTT backlog taken by 1 and by 2 ingest worker processes
  (``ingest_2_vs_1_workers`` and the absolute rates), and ``region``: ``--factories`` streaming
  for ``--minutes`` while ``--users`` read through 2 API workers (``region_api_p99_ms``,
  ``region_errors``, ``region_ingest_lag_s``), with the arithmetic to 1,000 factories; both in
  bench/scale_region.py, whose docstring says how.

The last line with ``--json`` is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, print_table
from openkamp.storage.testing import postgres as pgtest
from openkamp.storage.timeseries._pgcopy import copy_in
from openkamp.storage.timeseries.base import TS_TYPE
from openkamp.storage.timeseries.postgres import PostgresTimeSeriesStore

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T0_US = int(T0.timestamp() * 1_000_000)
ORG = 1
BARE = """CREATE TABLE bare (org_id integer NOT NULL, signal_id integer NOT NULL,
    ts timestamptz NOT NULL, value double precision NOT NULL, PRIMARY KEY (org_id, signal_id, ts))"""


class Run:
    """What the sections share: the server, the sizes, and the figures found so far."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.admin: str = args.url or pgtest.server_url()
        self.points: int = args.points
        self.signals: int = args.signals
        self.rounds: int = args.rounds
        self.ingest_points: int = args.ingest_points
        self.factories: int = args.factories
        self.users: int = args.users
        self.minutes: float = args.minutes
        self.figures: dict[str, Any] = {}
        self.tables: list[tuple[str, list[tuple[str, ...]], tuple[str, ...]]] = []

    @contextmanager
    def database(self) -> Iterator[str]:
        import os

        old = os.environ.get(pgtest.ENV)
        os.environ[pgtest.ENV] = self.admin
        try:
            with pgtest.fresh_database("okbench") as url:
                yield url
        finally:
            if old is None:
                os.environ.pop(pgtest.ENV, None)
            else:
                os.environ[pgtest.ENV] = old


def connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(pgtest._dsn(url), autocommit=True)


def batches(points: int, signals: int, per_batch: int) -> Iterator[tuple[Any, Any, Any]]:
    """``points`` points of ``signals`` signals at 1 Hz from T0, as consecutive time slices of
    every signal (signal-major inside a slice) of about ``per_batch`` points: numpy signal ids,
    times in µs and values (fixed seed)."""
    rng = np.random.default_rng(7)
    seconds = max(1, per_batch // signals)
    total = points // signals
    sig_ids = np.arange(1, signals + 1, dtype=np.int32)
    for lo in range(0, total, seconds):
        secs = np.arange(lo, min(total, lo + seconds), dtype=np.int64)
        sig = np.repeat(sig_ids, secs.size)
        ts = T0_US + np.tile(secs, signals) * 1_000_000
        yield sig, ts, rng.normal(size=sig.size).round(3)


def as_table(sig: Any, ts: Any, val: Any) -> pa.Table:
    return pa.table(
        {
            "signal_id": pa.array(sig.astype(np.int64)),
            "ts": pa.array(ts).cast(TS_TYPE),
            "value": pa.array(val),
        }
    )


def raw_copy(url: str, data: list[tuple[Any, Any, Any]], ddl: str = BARE) -> float:
    """Points/s of binary COPY into a fresh bare table, a COPY and a commit per batch."""
    with connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bare")
        conn.execute(ddl)
        conn.execute("CHECKPOINT")
        t0 = time.perf_counter()
        for sig, ts, val in data:
            with conn.transaction(), conn.cursor() as cur:
                copy_in(
                    cur,
                    "COPY bare (org_id, signal_id, ts, value) FROM STDIN (FORMAT BINARY)",
                    [("int4", ORG), ("int4", sig), ("timestamptz", ts), ("float8", val)],
                )
        return sum(len(d[0]) for d in data) / (time.perf_counter() - t0)


def raw_upsert(url: str, data: list[tuple[Any, Any, Any]]) -> float:
    """Points/s of the same rows through a staging table and INSERT ... ON CONFLICT into the
    bare table holding them already (a rewrite): what the product's merge way does, bare."""
    with connect(url) as conn:
        conn.execute(
            "CREATE TEMP TABLE stage (signal_id int4, ts timestamptz, value float8) "
            "ON COMMIT DELETE ROWS"
        )
        t0 = time.perf_counter()
        for sig, ts, val in data:
            with conn.transaction(), conn.cursor() as cur:
                copy_in(
                    cur,
                    "COPY stage FROM STDIN (FORMAT BINARY)",
                    [("int4", sig), ("timestamptz", ts), ("float8", val)],
                )
                cur.execute(
                    "INSERT INTO bare SELECT 1, signal_id, ts, value FROM stage "
                    "ON CONFLICT (org_id, signal_id, ts) DO UPDATE SET value = excluded.value "
                    "WHERE bare.value IS DISTINCT FROM excluded.value"
                )
        return sum(len(d[0]) for d in data) / (time.perf_counter() - t0)


def product_write(url: str, tables: list[pa.Table], fresh: bool = True) -> float:
    """Points/s of the product's write() of the batches (a fresh store's tables if ``fresh``)."""
    if fresh:
        with connect(url) as conn:
            for t in ("ts_points", "ts_rollup_minute", "ts_rollup_hour", "ts_horizons", "ts_meta"):
                conn.execute(f"DROP TABLE IF EXISTS {t} CASCADE")
            conn.execute("CHECKPOINT")
    store = PostgresTimeSeriesStore(url)
    try:
        t0 = time.perf_counter()
        for tbl in tables:
            store.write(ORG, tbl)
        return sum(t.num_rows for t in tables) / (time.perf_counter() - t0)
    finally:
        store.close()


def section_pg_copy(run: Run) -> None:
    bulk = list(batches(run.points, run.signals, 100_000))
    bulk_tables = [as_table(*b) for b in bulk]
    live_points = min(run.points, 400_000)
    live = list(batches(live_points, run.signals, 2_000))
    live_tables = [as_table(*b) for b in live]
    mid = list(batches(min(run.points, 2_000_000), run.signals, 20_000))
    mid_tables = [as_table(*b) for b in mid]
    merge_points = min(run.points, 1_000_000)
    merge = list(batches(merge_points, run.signals, 100_000))
    merge_tables = [as_table(*b) for b in merge]
    seen: dict[str, list[float]] = {}
    # Rounds on fresh databases, baseline and product alternating: the machine is shared and
    # its load changes; medians are reported.
    for k in range(run.rounds):
        with run.database() as url:
            pairs: list[tuple[str, Callable[[], float]]] = [
                ("raw_bulk", lambda: raw_copy(url, bulk)),
                ("product_bulk", lambda: product_write(url, bulk_tables)),
                ("raw_mid", lambda: raw_copy(url, mid)),
                ("product_mid", lambda: product_write(url, mid_tables)),
                ("raw_live", lambda: raw_copy(url, live)),
                ("product_live", lambda: product_write(url, live_tables)),
            ]
            for i in range(0, len(pairs), 2):  # which goes first alternates from round to round
                for key, fn in pairs[i : i + 2][:: 1 if k % 2 == 0 else -1]:
                    seen.setdefault(key, []).append(fn())
            seen.setdefault("raw_noindex", []).append(
                raw_copy(url, bulk, BARE.replace(", PRIMARY KEY (org_id, signal_id, ts)", ""))
            )
            raw_copy(url, merge)  # then rewrite what is there, both ways
            seen.setdefault("raw_upsert", []).append(raw_upsert(url, merge))
            product_write(url, merge_tables)
            seen.setdefault("product_merge", []).append(
                product_write(url, merge_tables, fresh=False)
            )
    med = {k: statistics.median(v) for k, v in seen.items()}
    # Sizes: the product's tables after the bulk load, per point.
    with run.database() as url:
        product_write(url, bulk_tables)
        with connect(url) as conn:
            conn.execute("VACUUM ANALYZE")
            row = conn.execute(
                "SELECT (SELECT sum(pg_table_size(c.oid)) FROM pg_inherits i "
                " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ts_points'::regclass),"
                " (SELECT sum(pg_indexes_size(c.oid)) FROM pg_inherits i "
                " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ts_points'::regclass),"
                " pg_total_relation_size('ts_rollup_minute') + "
                " pg_total_relation_size('ts_rollup_hour')"
            ).fetchone()
        heap, index, rollups = (int(x) for x in row)
    n = sum(len(b[0]) for b in bulk)
    f = run.figures
    f["pg_copy_ratio"] = round(med["product_bulk"] / med["raw_bulk"], 3)
    f["pg_copy_ratio_20k"] = round(med["product_mid"] / med["raw_mid"], 3)
    f["pg_copy_ratio_live"] = round(med["product_live"] / med["raw_live"], 3)
    f["pg_write_pts_s"] = round(med["product_bulk"])
    f["pg_raw_copy_pts_s"] = round(med["raw_bulk"])
    f["pg_write_live_pts_s"] = round(med["product_live"])
    f["pg_raw_copy_live_pts_s"] = round(med["raw_live"])
    f["pg_raw_copy_noindex_pts_s"] = round(med["raw_noindex"])
    f["pg_merge_pts_s"] = round(med["product_merge"])
    f["pg_raw_upsert_pts_s"] = round(med["raw_upsert"])
    f["pg_bytes_per_point"] = round((heap + index + rollups) / n, 1)
    f["pg_bytes_per_point_heap"] = round(heap / n, 1)
    f["pg_bytes_per_point_index"] = round(index / n, 1)
    f["pg_bytes_per_point_rollups"] = round(rollups / n, 1)
    rows: list[tuple[str, ...]] = [
        ("bulk (100,000-point batches)", f"{n:,}", f"{med['raw_bulk']:,.0f}",
         f"{med['product_bulk']:,.0f}", f"{f['pg_copy_ratio']:.3f}"),
        ("20,000-point batches", f"{sum(len(b[0]) for b in mid):,}", f"{med['raw_mid']:,.0f}",
         f"{med['product_mid']:,.0f}", f"{f['pg_copy_ratio_20k']:.3f}"),
        ("live (2,000-point batches)", f"{sum(len(b[0]) for b in live):,}",
         f"{med['raw_live']:,.0f}", f"{med['product_live']:,.0f}",
         f"{f['pg_copy_ratio_live']:.3f}"),
        ("rewrite (merge / upsert)", f"{sum(len(b[0]) for b in merge):,}",
         f"{med['raw_upsert']:,.0f}", f"{med['product_merge']:,.0f}",
         f"{med['product_merge'] / med['raw_upsert']:.3f}"),
        ("bare table without index", f"{n:,}", f"{med['raw_noindex']:,.0f}", "", ""),
    ]  # fmt: skip
    run.tables.append(
        (
            f"Writes to PostgreSQL, points/s (median of {run.rounds} rounds)",
            rows,
            ("batches", "points", "raw COPY", "product", "ratio"),
        )
    )
    run.tables.append(
        (
            "Bytes per point on disk (product, after VACUUM)",
            [
                ("heap", f"{f['pg_bytes_per_point_heap']}"),
                ("primary key", f"{f['pg_bytes_per_point_index']}"),
                ("roll-ups (minute + hour)", f"{f['pg_bytes_per_point_rollups']}"),
                ("total", f"{f['pg_bytes_per_point']}"),
            ],
            ("part", "bytes"),
        )
    )


def _handwritten(start: datetime, end: datetime, buckets: int) -> str:
    """The SQL a person would write for the same buckets (floor((t - start) * n / span))."""
    s_us = int(start.timestamp() * 1_000_000)
    span = int((end - start) / timedelta(microseconds=1))
    return (
        f"SELECT signal_id, floor(((extract(epoch FROM ts) * 1000000) - {s_us}) * {buckets} "
        f"/ {span})::int8 AS bucket, count(*), min(value), max(value), avg(value), "
        "(array_agg(value ORDER BY ts DESC))[1] AS last FROM ts_points "
        "WHERE org_id = %s AND signal_id = ANY(%s) AND ts >= %s AND ts < %s "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    )


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def section_pg_downsample(run: Run) -> None:
    with run.database() as url:
        product_write(url, [as_table(*b) for b in batches(run.points, run.signals, 100_000)])
        with connect(url) as conn:
            conn.execute("VACUUM ANALYZE")
        per = run.points // run.signals
        start, end = T0, T0 + timedelta(seconds=per)
        store = PostgresTimeSeriesStore(url)
        results: list[tuple[str, ...]] = []
        try:
            for label, ids, buckets in (
                ("10 signals, 1,000 buckets", list(range(1, 11)), 1000),
                (f"{run.signals} signals, 1,000 buckets", list(range(1, run.signals + 1)), 1000),
            ):
                own_sql, _, _ = store._bucket_sql(start, end, buckets, "ts")
                same = (
                    f"SELECT signal_id, {own_sql} AS b, count(*), min(value), max(value), "
                    "avg(value), (max(array[date_part('epoch', ts), value]))[2] FROM ts_points "
                    "WHERE org_id = %s AND signal_id = ANY(%s) AND ts >= %s AND ts < %s "
                    "GROUP BY 1, 2 ORDER BY 1, 2"
                )
                hand = _handwritten(start, end, buckets)
                with connect(url) as conn:

                    def by_hand(sql: str, conn: Any = conn, ids: list[int] = ids) -> int:
                        return len(conn.execute(sql, [ORG, ids, start, end]).fetchall())

                    def product(ids: list[int] = ids, buckets: int = buckets) -> int:
                        return int(store.downsample(ORG, ids, start, end, buckets).num_rows)

                    fns: dict[str, Callable[[], int]] = {
                        "product": product,
                        "hand": partial(by_hand, hand),
                        "same": partial(by_hand, same),
                    }
                    rows = {k: fn() for k, fn in fns.items()}  # warm-up, and the answers agree
                    assert len(set(rows.values())) == 1, rows
                    times: dict[str, list[float]] = {k: [] for k in fns}
                    for _ in range(5):  # alternating: the same load for each
                        for k, fn in fns.items():
                            t0 = time.perf_counter()
                            fn()
                            times[k].append(time.perf_counter() - t0)
                med = {k: statistics.median(v) for k, v in times.items()}
                key = "" if len(ids) == 10 else "_all"
                # The ratio is taken against the faster of the two hand-run queries: the
                # idiomatic one (numeric epoch, ordered array_agg for the last value) is slower
                # than the product's own SQL, and a ratio against it alone would flatter.
                best = min(med["hand"], med["same"])
                run.figures[f"pg_downsample_ratio{key}"] = round(med["product"] / best, 3)
                run.figures[f"pg_downsample_ratio_idiomatic{key}"] = round(
                    med["product"] / med["hand"], 3
                )
                run.figures[f"pg_downsample_s{key}"] = round(med["product"], 3)
                run.figures[f"pg_downsample_hand_s{key}"] = round(med["hand"], 3)
                results.append(
                    (label, f"{len(ids) * per:,}", f"{rows['product']:,}",
                     f"{med['hand']:.3f}", f"{med['same']:.3f}", f"{med['product']:.3f}",
                     f"{med['product'] / best:.3f}")
                )  # fmt: skip
            # Raw reads (Arrow out) and the latest value of every signal, for sizing.
            ten = list(range(1, 11))
            n_read = store.read(ORG, ten, start, end).num_rows
            t_read = statistics.median(
                _timed(lambda: store.read(ORG, ten, start, end)) for _ in range(3)
            )
            every = list(range(1, run.signals + 1))
            store.latest(ORG, every)
            t_latest = statistics.median(_timed(lambda: store.latest(ORG, every)) for _ in range(5))
            run.figures["pg_read_pts_s"] = round(n_read / t_read)
            run.figures["pg_latest_ms"] = round(t_latest * 1000, 1)
            results.append(("read() of 10 signals (Arrow)", f"{n_read:,}", f"{n_read:,}", "",
                            "", f"{t_read:.3f}", ""))  # fmt: skip
            results.append((f"latest() of {run.signals} signals", "", f"{run.signals}", "", "",
                            f"{t_latest:.3f}", ""))  # fmt: skip
        finally:
            store.close()
    run.tables.append(
        (
            "Downsampling on PostgreSQL, seconds (median of 5)",
            results,
            (
                "query",
                "points",
                "rows",
                "idiomatic SQL",
                "product's SQL",
                "product",
                "ratio to the faster",
            ),
        )
    )


INGEST_HEADER = ("workers", "points", "points/s (10-90 %)", "whole s", "workers' CPU µs/point",
                 "PostgreSQL's", "busy")  # fmt: skip


def section_ingest_workers(run: Run) -> None:
    """1 versus 2 ingest workers taking the same MQTT backlog (bench/scale_region.py)."""
    from scale_region import ingest_workers

    with run.database() as url:
        out = ingest_workers(url, points=run.ingest_points, rounds=max(1, run.rounds // 2))
    run.figures.update({k: v for k, v in out.items() if k != "ingest_phases"})
    run.figures["ingest_phases"] = out["ingest_phases"]
    rows: list[tuple[str, ...]] = [
        (f"{p['workers']:.0f}", f"{p['points']:,.0f}", f"{p['pts_s']:,.0f}",
         f"{p['whole_s']:.1f}", f"{p['cpu_per_point_us']:.1f}", f"{p['pg_cpu_per_point_us']:.1f}",
         f"{p['workers_used']:.0f}")
        for p in out["ingest_phases"]
    ]  # fmt: skip
    rows.append(("2 / 1", "", f"{out['ingest_2_vs_1_workers']:.3f}", "", "", "", ""))
    run.tables.append(
        (
            "Ingest workers: an MQTT backlog (4 connections, batched JSON) into PostgreSQL",
            rows,
            INGEST_HEADER,
        )
    )


def section_dask(run: Run) -> None:
    """20 models on a Dask LocalCluster (2 workers) versus sequentially in one process, in the
    same run: bench/scale_dask.py (its docstring says how, and what the figure depends on)."""
    import os

    from scale_dask import run as dask_run

    old = os.environ.get(pgtest.ENV)
    os.environ[pgtest.ENV] = run.admin  # its databases on this run's server
    try:
        out = dask_run(models=20)
    finally:
        if old is None:
            os.environ.pop(pgtest.ENV, None)
        else:
            os.environ[pgtest.ENV] = old
    for key in ("dask_speedup_20_models", "dask_speedup_vs_default_blas", "dask_worker_busy_share",
                "sequential_s", "dask_s", "same_models", "load_average_1min"):  # fmt: skip
        run.figures[key if key.startswith("dask_") else f"dask_{key}"] = out[key]
    run.tables.append(
        (
            f"Dask: {out['models']} models, {out['hours_per_model']:g} h of 1 s data each",
            [
                ("sequential, one process (1 BLAS thread)", f"{out['sequential_s']:.2f}"),
                ("sequential, default BLAS threads", f"{out['sequential_default_blas_s']:.2f}"),
                (f"LocalCluster, {out['dask_workers']} workers", f"{out['dask_s']:.2f}"),
                ("speed-up", f"{out['dask_speedup_20_models']:.2f}"),
                ("workers' busy share", f"{out['dask_worker_busy_share']:.2f}"),
            ],
            ("run", "seconds"),
        )
    )


def section_region(run: Run) -> None:
    """Factories streaming over MQTT to 2 ingest workers while users read through 2 API
    workers (bench/scale_region.py), and the arithmetic to 1,000 factories."""
    from scale_region import region, to_thousand

    with run.database() as url:
        out = region(url, factories=run.factories, users=run.users, minutes=run.minutes)
    run.figures.update(out)
    f = out
    run.tables.append(
        (
            f"Region: {f['region_factories']} factories ({f['region_pts_s']:,} points/s over "
            f"MQTT), {f['region_users']} users, {f['region_minutes']:g} min",
            [
                ("API requests", f"{f['region_requests']:,} ({f['region_req_s']}/s)"),
                ("API p50 / p99 ms", f"{f['region_api_p50_ms']} / {f['region_api_p99_ms']}"),
                *[(f"  {k} p50 / p99 ms (n)", f"{v['p50_ms']} / {v['p99_ms']} ({v['n']})")
                  for k, v in f["region_api_by_kind"].items()],
                ("errors", f"{f['region_errors']} {' '.join(f['region_error_kinds'])}"),
                ("ingest trail p50 / p99 / max s",
                 f"{f['region_ingest_lag_p50_s']} / {f['region_ingest_lag_s']} / "
                 f"{f['region_ingest_lag_max_s']} ({f['region_lag_samples']:,} samples)"),
                ("publish to stored, mean s", f"{f['region_ingest_latency_mean_s']}"),
                ("drain after the stream, s", f"{f['region_drain_s']}"),
                ("points acked / stored / lost",
                 f"{f['region_acked_points']:,} / {f['region_stored_points']:,} / "
                 f"{f['region_points_lost']:,}"),
                ("connections per ingest worker", f"{f['region_connections_per_worker']}"),
            ],
            ("figure", "value"),
        )
    )  # fmt: skip
    run.tables.append(
        (
            "To 1,000 factories (linear in points/s and users)",
            to_thousand(out, run.figures.get("ingest_1_worker_pts_s")),
            ("", "measured", "1,000 factories"),
        )
    )


SECTIONS: dict[str, Callable[[Run], None]] = {
    "pg_copy": section_pg_copy,
    "pg_downsample": section_pg_downsample,
    "ingest_workers": section_ingest_workers,
    "dask": section_dask,
    "region": section_region,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=5_000_000, help="points written (and read)")
    ap.add_argument("--signals", type=int, default=200)
    ap.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="write rounds (medians reported); the ingest section alternates rounds // 2 pairs "
        "of 1- and 2-worker phases",
    )
    ap.add_argument("--ingest-points", type=int, default=3_000_000, help="points a phase")
    ap.add_argument("--factories", type=int, default=100, help="the region's factories")
    ap.add_argument("--users", type=int, default=50, help="the region's users")
    ap.add_argument("--minutes", type=float, default=10.0, help="the region's run")
    ap.add_argument("--url", help="SQLAlchemy URL of a server role that may create databases")
    ap.add_argument("--only", default="", help="run the sections whose name starts so")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    run = Run(args)
    started = time.perf_counter()
    for name, section in SECTIONS.items():
        if name.startswith(args.only):
            t0 = time.perf_counter()
            section(run)
            run.figures[f"{name}_section_s"] = round(time.perf_counter() - t0, 1)
    for title, rows, header in run.tables:
        print_table(title, rows, header)
    with connect(run.admin) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
        shared = conn.execute("SHOW shared_buffers").fetchone()[0]
    print(f"\nPostgreSQL {server} (shared_buffers {shared}); {time.perf_counter() - started:.0f} s")
    emit_json(
        args.json,
        {
            "points": args.points,
            "signals": args.signals,
            "postgres": server,
            "shared_buffers": shared,
            **run.figures,
            "machine": machine(),
        },
    )


if __name__ == "__main__":
    main()
