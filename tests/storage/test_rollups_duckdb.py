"""DuckDB roll-ups: built once for a file written before they existed; buckets stored as several
partial rows (small live appends) read as one, stay exact and are compacted."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openkamp.storage.testing.timeseries_contract import assert_rollups_match, at, points
from openkamp.storage.timeseries import duckdb as duckdb_store
from openkamp.storage.timeseries.duckdb import DuckDBTimeSeriesStore


def test_an_older_file_gets_its_rollups_built_once(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    rng = np.random.default_rng(1)
    con = duckdb.connect(str(path))  # the layout before roll-ups: points and labels only
    con.execute(
        "CREATE TABLE points (org_id INTEGER, signal_id INTEGER, ts TIMESTAMP, value DOUBLE);"
        "CREATE TABLE labels (org_id INTEGER, column_id INTEGER, ts TIMESTAMP, value VARCHAR)"
    )
    for org, sig in ((1, 1), (1, 2), (2, 1)):
        secs = np.sort(rng.choice(4 * 3600, size=2_000, replace=False)).astype(float)
        batch = points(sig, secs, rng.normal(size=secs.size))
        naive = batch.set_column(1, "ts", batch.column("ts").cast(pa.timestamp("us")))
        con.register("b", naive)
        con.execute("INSERT INTO points SELECT ?, signal_id, ts, value FROM b", [org])
        con.unregister("b")
    con.close()
    store = DuckDBTimeSeriesStore(f"duckdb:///{path}")
    try:
        assert store.rollups_built_s is not None
        assert_rollups_match(store, 1, [1, 2])
        assert_rollups_match(store, 2, [1])
        store.write(1, points(1, [5, 7], [100.0, -100.0]))  # maintained from here on
        assert_rollups_match(store, 1, [1, 2])
    finally:
        store.close()
    store = DuckDBTimeSeriesStore(f"duckdb:///{path}")
    try:
        assert store.rollups_built_s is None  # built once, not at every open
        assert_rollups_match(store, 1, [1, 2])
    finally:
        store.close()


def _rows(store: DuckDBTimeSeriesStore, table: str) -> int:
    """Stored roll-up rows (a bucket may be several until compacted)."""
    return int(store._con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def test_live_appends_add_rows_that_read_as_one_bucket_and_are_compacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small appended batches (the live case) add a partial aggregate per bucket and write;
    reads combine them, overwrites and deletes keep every bucket exact, and compaction folds
    them into one row per bucket without changing what is read."""
    monkeypatch.setattr(duckdb_store, "_LOOSE_ROWS", 10**9)  # compaction only when asked
    store = DuckDBTimeSeriesStore(f"duckdb:///{tmp_path}/live.duckdb")
    try:
        for k in range(30):  # 2 signals, a point each 2 s: 30 writes into one minute
            store.write(1, points([1, 2], [2.0 * k, 2.0 * k], [float(k), -float(k)]))
        assert _rows(store, "rollup_minute") == 60 and _rows(store, "rollup_hour") == 60
        assert_rollups_match(store, 1, [1, 2])
        # Adjusted without recomputing: a middle point, and the last one to a new maximum.
        store.write(1, points(1, [20, 58], [10.0, 40.0]))
        assert _rows(store, "rollup_minute") == 60
        assert_rollups_match(store, 1, [1, 2])
        # The maximum (in the newest row) and the minimum (in the oldest) overwritten by less
        # extreme values, a point of a middle row too: the bucket is recomputed.
        store.write(1, points(1, [58, 0, 20], [5.0, 3.0, 100.0]))
        assert_rollups_match(store, 1, [1, 2])
        store.write(1, points(1, [20], [1.0]))  # the overwritten maximum goes again
        assert_rollups_match(store, 1, [1, 2])
        store.write(1, points(2, [61], [7.0]))  # the next minute, same hour
        store.delete(1, [2], at(10), at(30))  # cut inside the minute
        assert_rollups_match(store, 1, [1, 2])
        before = {t: store.rollups(1, [1, 2], t) for t in ("minute", "hour")}
        assert store._loose_rows > 0
        store._writer.submit(store._compact)
        assert store._loose_rows == 0
        for tier, table in (("minute", "rollup_minute"), ("hour", "rollup_hour")):
            got = store.rollups(1, [1, 2], tier)  # type: ignore[arg-type]
            assert _rows(store, table) == got.num_rows
            for name in ("signal_id", "bucket_start", "count", "min", "max", "last_ts", "last"):
                assert got.column(name).equals(before[tier].column(name)), (tier, name)
            assert np.allclose(got.column("sum").to_numpy(), before[tier].column("sum").to_numpy())
    finally:
        store.close()


def test_only_buckets_that_got_a_second_row_are_noted(tmp_path: Path) -> None:
    store = DuckDBTimeSeriesStore(f"duckdb:///{tmp_path}/noted.duckdb")
    try:
        store.write(1, points(1, [0, 30], [1.0, 2.0]))  # a new signal: nothing stored before
        assert store._loose_rows == 0
        store.write(1, points(1, [45, 70], [3.0, 4.0]))  # meets minute 0 and hour 0
        assert store._loose_rows == 2
        store.write(1, points(1, [130], [5.0]))  # minute 2 is new, hour 0 is met
        assert store._loose_rows == 3
        assert _rows(store, "rollup_minute") == 4  # minute 0 twice, 1, 2
        assert_rollups_match(store, 1, [1])
    finally:
        store.close()
    store = DuckDBTimeSeriesStore(f"duckdb:///{tmp_path}/noted.duckdb")
    try:  # compacted at close
        assert _rows(store, "rollup_minute") == 3 and _rows(store, "rollup_hour") == 1
        assert_rollups_match(store, 1, [1])
    finally:
        store.close()


def test_rows_left_uncompacted_by_a_crash_stay_exact(tmp_path: Path) -> None:
    """A process killed before compacting leaves buckets of several rows that nobody noted:
    every later write, overwrite, delete and expiry still keeps them exact."""
    store = DuckDBTimeSeriesStore(f"duckdb:///{tmp_path}/crash.duckdb")
    for k in range(10):
        store.write(1, points(1, [5.0 * k], [float(k)]))
    store._loose, store._loose_rows = [], 0  # as if killed: what was noted is gone
    store.close()
    store = DuckDBTimeSeriesStore(f"duckdb:///{tmp_path}/crash.duckdb")
    try:
        assert _rows(store, "rollup_minute") == 10
        assert_rollups_match(store, 1, [1])
        store.write(1, points(1, [45, 0, 12], [-5.0, 20.0, 3.0]))  # last, min; a new point
        assert_rollups_match(store, 1, [1])
        store.write(1, points(1, [45], [4.0]))  # the overwritten minimum again: recomputed
        assert_rollups_match(store, 1, [1])
        assert _rows(store, "rollup_minute") == 1
    finally:
        store.close()


def test_a_failed_write_leaves_no_rollup_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DuckDBTimeSeriesStore(f"duckdb:///{tmp_path}/failed.duckdb")
    try:
        store.write(1, points(1, [0], [1.0]))
        add = DuckDBTimeSeriesStore._add_to_rollups

        def add_then_fail(self: DuckDBTimeSeriesStore, *args: Any, **kw: Any) -> None:
            add(self, *args, **kw)
            raise RuntimeError("disk gone")

        monkeypatch.setattr(DuckDBTimeSeriesStore, "_add_to_rollups", add_then_fail)
        with pytest.raises(RuntimeError):
            store.write(1, points(1, [10], [2.0]))
        monkeypatch.undo()
        assert store._loose_rows == 0 and not store._staged
        assert _rows(store, "rollup_minute") == 1 and store.count(1, [1]) == 1
        assert_rollups_match(store, 1, [1])
        store.write(1, points(1, [10], [2.0]))
        assert_rollups_match(store, 1, [1])
    finally:
        store.close()


_LIVE_OP = st.one_of(
    # append: (signal, points): that many points after the signal's newest, 1-20 s apart
    st.tuples(st.just("append"), st.sampled_from([1, 2]), st.integers(1, 5)),
    # late: points anywhere in the three hours (new ones and overwrites)
    st.tuples(
        st.just("late"),
        st.lists(
            st.tuples(st.sampled_from([1, 2]), st.integers(0, 3 * 3600 - 1)),
            min_size=1,
            max_size=5,
        ),
        st.just(0),
    ),
    st.tuples(st.just("delete"), st.integers(0, 3 * 3600), st.integers(1, 1800)),
    st.tuples(st.just("compact"), st.just(0), st.just(0)),
)


@settings(max_examples=40, deadline=None)
@given(ops=st.lists(_LIVE_OP, min_size=1, max_size=25), seed=st.integers(0, 2**16))
def test_rollups_stay_exact_through_live_appends_and_compaction(ops: list[Any], seed: int) -> None:
    """Runs of small appends (buckets of several rows) mixed with late points, overwrites,
    deletes and compaction at any moment: every tier equals aggregating the raw points."""
    rng = np.random.default_rng(seed)
    newest = {1: -1.0, 2: -1.0}
    with TemporaryDirectory() as tmp:
        store = DuckDBTimeSeriesStore(f"duckdb:///{tmp}/p.duckdb")
        try:
            for kind, a, b in ops:
                if kind == "append":
                    secs = newest[a] + np.cumsum(rng.integers(1, 21, b)).astype(float)
                    newest[a] = float(secs[-1])
                    store.write(1, points(a, secs, rng.integers(-9, 9, b).astype(float)))
                elif kind == "late":
                    sig, secs = zip(*a, strict=True)
                    vals = rng.integers(-9, 9, len(secs)).astype(float)
                    store.write(1, points(list(sig), secs, vals))
                    for s, x in zip(sig, secs, strict=True):
                        newest[s] = max(newest[s], float(x))
                elif kind == "delete":
                    store.delete(1, None, at(a), at(a + b))
                else:
                    store._writer.submit(store._compact)
            assert_rollups_match(store, 1, [1, 2])
        finally:
            store.close()
