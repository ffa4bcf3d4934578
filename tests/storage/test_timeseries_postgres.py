"""The time-series contract suite on PostgreSQL (a real server: one fresh database per test),
the roll-up cases that are not DuckDB's own, and two processes writing to one database."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
import test_retention as retention  # its Platform-level tests run here again, on PostgreSQL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openkamp.platform import Platform
from openkamp.storage import open_timeseries
from openkamp.storage.testing.postgres import _dsn, fresh_database
from openkamp.storage.testing.timeseries_contract import (
    T0,
    TimeSeriesContract,
    aggregate,
    assert_rollups_match,
    at,
    points,
)
from openkamp.storage.timeseries import _pgrollup as rollup
from openkamp.storage.timeseries.base import TimeSeriesStore
from openkamp.storage.timeseries.postgres import PostgresTimeSeriesStore

pytestmark = pytest.mark.postgres


def _with(url: str, **options: str) -> str:
    """The URL with store options added to its query string."""
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return f"{url}{'&' if '?' in url else '?'}{query}"


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


class TestPostgres(TimeSeriesContract):
    @pytest.fixture
    def make_store(self, database: str) -> Callable[[], TimeSeriesStore]:
        return lambda: open_timeseries(_with(database, pool_size="4"))


@pytest.fixture
def store(database: str) -> Iterator[PostgresTimeSeriesStore]:
    s = PostgresTimeSeriesStore(database)
    yield s
    s.close()


def _sql(database: str, query: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(_dsn(database)) as conn:
        return conn.execute(query).fetchall()


def test_partitions_are_made_on_demand_by_month(database: str) -> None:
    s = PostgresTimeSeriesStore(_with(database, partition="day"))  # fixed at creation: stays day
    s.write(1, points(1, [0, 86_400 * 3], [1.0, 2.0]))  # 1 and 4 March
    s.close()
    s = PostgresTimeSeriesStore(database)
    try:
        s.write(1, points(1, [86_400 * 3 + 5], [3.0]))
        names = {
            r[0]
            for r in _sql(
                database,
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'ts_points'::regclass",
            )
        }
        assert names == {"ts_points_d20260301", "ts_points_d20260304"}
        assert s.count(1, [1]) == 3
    finally:
        s.close()


def test_both_url_schemes_open_the_store(database: str) -> None:
    for url in (database, database.replace("postgresql+psycopg://", "postgresql://")):
        s = open_timeseries(url)
        try:
            assert isinstance(s, PostgresTimeSeriesStore)
            s.write(1, points(1, [0], [1.0]))
            assert s.count(1) == 1
        finally:
            s.close()


def test_an_unknown_partition_width_is_refused(database: str) -> None:
    from openkamp.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        PostgresTimeSeriesStore(_with(database, partition="year"))


def test_merges_below_the_horizon_adjust_and_late_points_add(
    store: PostgresTimeSeriesStore,
) -> None:
    """Overwrites and new points in buckets whose raw points retention dropped: the sum and
    the last follow exactly, min and max widen only, counts add."""
    secs = np.arange(0, 2 * 3600, 30.0)
    store.write(1, points(1, secs, np.arange(secs.size, dtype=float)))
    store.expire(1, "raw", [1], at(3600))
    before = store.rollups(1, [1], "hour").to_pylist()[0]
    late = points(1, [30, 59, 60.5], [1000.0, -5.0, 7.0])  # dropped by retention: all new
    assert store.write(1, late).inserted == 3
    hour = store.rollups(1, [1], "hour").to_pylist()[0]
    assert hour["count"] == before["count"] + 3
    assert (hour["max"], hour["min"]) == (1000.0, -5.0)
    assert hour["sum"] == pytest.approx(before["sum"] + 1002.0)
    assert store.write(1, points(1, [30], [1.0])).updated == 1  # adjusted, not recomputed
    hour2 = store.rollups(1, [1], "hour").to_pylist()[0]
    assert hour2["sum"] == pytest.approx(hour["sum"] - 999.0) and hour2["max"] == 1000.0
    assert hour2["count"] == hour["count"]
    minute = store.rollups(1, [1], "minute", at(0), at(60)).to_pylist()[0]
    # Two points of the minute were expired (still counted), two came late.
    assert (minute["count"], minute["last_ts"], minute["last"]) == (4, at(59), -5.0)
    above = store.read(1, [1], at(3600))
    assert above.num_rows == 120


def test_two_processes_write_one_database(database: str) -> None:
    """Two OS processes write the same signals at once (appends, overlapping rewrites with
    changed values, late points): exact counts and checksums, no duplicate key, the roll-ups
    equal the raw points."""
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from openkamp.storage import open_timeseries
        from openkamp.storage.testing.timeseries_contract import points

        url, who = sys.argv[1], int(sys.argv[2])
        store = open_timeseries(url)
        print("ready", flush=True)
        sys.stdin.readline()  # both start writing at once
        for k in range(40):
            # Interleaved appends: process 0 writes even seconds, process 1 odd ones, of the
            # same three signals, in 30-second slices written at the same time.
            secs = np.arange(k * 30 + who, (k + 1) * 30, 2.0)
            for sig in (1, 2, 3):
                store.write(1, points(sig, secs, secs * sig))
            # Both rewrite the same slice with the same values (the same final answer).
            if k % 5 == 4:
                lo = (k - 4) * 30
                both = np.arange(lo, lo + 30, 1.0)
                store.write(1, points([1, 2, 3] * both.size, np.repeat(both, 3),
                                      np.repeat(both, 3) * np.tile([1, 2, 3], both.size)))
        store.close()
        """
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, database, str(who)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for who in (0, 1)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.close()
    for p in procs:
        assert p.wait(timeout=300) == 0
    s = PostgresTimeSeriesStore(database)
    try:
        got = s.read(1, [1, 2, 3])
        assert got.num_rows == 3 * 1200
        for sig in (1, 2, 3):
            one = got.filter(pa.compute.equal(got.column("signal_id"), sig))
            secs = [(t - T0).total_seconds() for t in one.column("ts").to_pylist()]
            assert secs == list(range(1200))
            assert one.column("value").to_pylist() == [float(x * sig) for x in range(1200)]
        dup = _sql(
            database,
            "SELECT count(*) FROM (SELECT org_id, signal_id, ts FROM ts_points "
            "GROUP BY 1, 2, 3 HAVING count(*) > 1) d",
        )
        assert dup == [(0,)]
        assert_rollups_match(s, 1, [1, 2, 3])
        checksum = sum(got.column("value").to_pylist())
        assert checksum == pytest.approx(sum(range(1200)) * 6)
    finally:
        s.close()


# -- roll-ups: the backend-generic cases of test_rollups_duckdb.py ---------------------------


def test_a_failed_write_leaves_nothing(
    store: PostgresTimeSeriesStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails after its points and aggregates went in leaves neither: one
    transaction, on the append way and on the merge way."""
    store.write(1, points(1, [0], [1.0]))
    add, merge = rollup.add, rollup.after_merge

    def add_then_fail(*args: Any, **kw: Any) -> None:
        add(*args, **kw)
        raise RuntimeError("disk gone")

    def merge_then_fail(*args: Any, **kw: Any) -> None:
        merge(*args, **kw)
        raise RuntimeError("disk gone")

    monkeypatch.setattr(rollup, "add", add_then_fail)
    monkeypatch.setattr(rollup, "after_merge", merge_then_fail)
    with pytest.raises(RuntimeError):
        store.write(1, points(1, [10], [2.0]))  # appended
    with pytest.raises(RuntimeError):
        store.write(1, points(1, [0, 5], [3.0, 4.0]))  # merged
    monkeypatch.undo()
    assert store.read(1, [1]).column("value").to_pylist() == [1.0]
    assert store.rollups(1, [1], "minute").column("count").to_pylist() == [1]
    store.write(1, points(1, [0, 10], [2.0, 2.0]))
    assert_rollups_match(store, 1, [1])


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
    st.tuples(st.just("expire"), st.integers(0, 3 * 3600), st.sampled_from(["raw", "minute"])),
)
_orgs = itertools.count(1)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(_LIVE_OP, min_size=1, max_size=20), seed=st.integers(0, 2**16))
def test_rollups_stay_exact_through_live_appends_and_retention(
    store: PostgresTimeSeriesStore, ops: list[Any], seed: int
) -> None:
    """Small appends mixed with late points, overwrites, deletes and expiries at any moment:
    the tiers equal aggregating the raw points above the raw horizon (an organisation per
    example, one database)."""
    org, rng = next(_orgs), np.random.default_rng(seed)
    newest = {1: -1.0, 2: -1.0}
    horizon = {"raw": 0.0, "minute": 0.0}
    for kind, a, b in ops:
        if kind == "append":
            secs = newest[a] + np.cumsum(rng.integers(1, 21, b)).astype(float)
            newest[a] = float(secs[-1])
            store.write(org, points(a, secs, rng.integers(-9, 9, b).astype(float)))
        elif kind == "late":
            sig, secs = zip(*a, strict=True)
            store.write(org, points(list(sig), secs, rng.integers(-9, 9, len(secs)).astype(float)))
            for s, x in zip(sig, secs, strict=True):
                newest[s] = max(newest[s], float(x))
        elif kind == "delete":
            store.delete(org, None, at(a), at(a + b))
        else:
            store.expire(org, b, [1, 2], at(a), chunk=7)
            cut = a // 3600 * 3600 if b == "raw" else a // 60 * 60
            horizon[b] = max(horizon[b], float(cut))
    # Above the raw horizon (and the minute horizon for minutes) each tier is exact.
    raw = store.read(org, [1, 2], at(horizon["raw"]))
    for tier, since in (("hour", horizon["raw"]), ("minute", max(horizon.values()))):
        want = {k: v for k, v in aggregate(raw, tier).items() if k[1] >= at(since)}  # type: ignore[arg-type]
        got = {
            (r["signal_id"], r["bucket_start"]): r
            for r in store.rollups(org, [1, 2], tier, at(since)).to_pylist()  # type: ignore[arg-type]
        }
        assert got.keys() == want.keys(), tier
        for key, w in want.items():
            g = got[key]
            assert (g["count"], g["min"], g["max"], g["last_ts"], g["last"]) == (
                w["count"], w["min"], w["max"], w["last_ts"], w["last"]), (tier, key)  # fmt: skip
            assert g["sum"] == pytest.approx(w["sum"], abs=1e-9), (tier, key)


# -- retention through the platform (tests/storage/test_retention.py) on PostgreSQL ----------


@pytest.fixture
def kamp(tmp_path: Path, database: str) -> Iterator[Platform]:
    """The platform with its time series on PostgreSQL (metadata stays embedded)."""
    platform = Platform.at(tmp_path / "data", timeseries_url=database)
    yield platform
    platform.close()


ids = retention.ids
test_policies_scoped_and_checked = retention.test_policies_scoped_and_checked
test_apply_drops_each_tier_per_policy_and_reads_follow = (
    retention.test_apply_drops_each_tier_per_policy_and_reads_follow
)
test_the_server_applies_retention_periodically = (
    retention.test_the_server_applies_retention_periodically
)
