"""Contract suite for :class:`~openkamp.storage.timeseries.base.TimeSeriesStore` backends.

Use it from any test module, for any backend, unchanged::

    class TestMyBackend(TimeSeriesContract):
        @pytest.fixture
        def make_store(self, tmp_path):
            # returns a callable that opens (or re-opens) the same database
            return lambda: MyStore(f"mine://{tmp_path}/db")

The suite closes the stores it opens.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openkamp.core.errors import InvalidInput
from openkamp.storage.timeseries.base import (
    TIER_WIDTH,
    TS_TYPE,
    RollupTier,
    TimeSeriesStore,
    floor_to,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def points(signal: int | list[int], seconds: Iterable[float], values: Iterable[float]) -> pa.Table:
    """A point batch; ``signal`` may be one id or one per row; times are seconds after T0."""
    values = list(values)
    n = len(values)
    sig = [signal] * n if isinstance(signal, int) else list(signal)
    ts = [T0 + timedelta(seconds=float(s)) for s in seconds]
    return pa.table(
        {
            "signal_id": pa.array(sig, pa.int64()),
            "ts": pa.array(ts, TS_TYPE),
            "value": pa.array(values, pa.float64()),
        }
    )


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def aggregate(raw: pa.Table, tier: RollupTier) -> dict[tuple[int, datetime], dict[str, Any]]:
    """What a roll-up tier must hold: the raw points aggregated per signal and bucket."""
    out: dict[tuple[int, datetime], dict[str, Any]] = {}
    for row in raw.to_pylist():  # ordered by signal then time: the last seen is the last
        key = (row["signal_id"], floor_to(row["ts"], TIER_WIDTH[tier]))
        agg = out.setdefault(key, {"count": 0, "min": np.inf, "max": -np.inf, "sum": 0.0})
        agg["count"] += 1
        agg["min"] = min(agg["min"], row["value"])
        agg["max"] = max(agg["max"], row["value"])
        agg["sum"] += row["value"]
        agg["last_ts"], agg["last"] = row["ts"], row["value"]
    return out


def assert_rollups_match(store: TimeSeriesStore, org: int, signals: list[int]) -> None:
    """Each tier equals aggregating the raw points that exist: count, min, max, the last
    value and its time exactly, the sum to rounding."""
    raw = store.read(org, signals)
    tiers: tuple[RollupTier, ...] = ("minute", "hour")
    for tier in tiers:
        want = aggregate(raw, tier)
        got = {
            (r["signal_id"], r["bucket_start"]): r
            for r in store.rollups(org, signals, tier).to_pylist()
        }
        assert got.keys() == want.keys(), tier
        for key, w in want.items():
            g = got[key]
            assert (g["count"], g["min"], g["max"]) == (w["count"], w["min"], w["max"]), key
            assert (g["last_ts"], g["last"]) == (w["last_ts"], w["last"]), key
            assert g["sum"] == pytest.approx(w["sum"], rel=1e-12, abs=1e-9), key


_org_ids = itertools.count(1000)  # a fresh organisation per generated example
_OP = st.one_of(
    # (kind, signal, seconds, value): append, write anywhere (late / overwrite), delete range
    st.tuples(
        st.just("write"),
        st.lists(
            st.tuples(
                st.sampled_from([1, 2]),
                st.integers(0, 3 * 3600 - 1),
                st.integers(-50, 50).map(float),
            ),
            min_size=1,
            max_size=40,
        ),
    ),
    st.tuples(
        st.just("delete"),
        st.tuples(
            st.sampled_from([None, 1, 2]),
            st.one_of(st.none(), st.integers(0, 3 * 3600)),
            st.one_of(st.none(), st.integers(0, 3 * 3600)),
        ),
    ),
)


class TimeSeriesContract:
    """Behaviour every time-series backend must show."""

    @pytest.fixture
    def make_store(self) -> Callable[[], TimeSeriesStore]:  # pragma: no cover - overridden
        raise NotImplementedError("override make_store in the backend's test class")

    @pytest.fixture
    def store(self, make_store: Callable[[], TimeSeriesStore]) -> Iterator[TimeSeriesStore]:
        s = make_store()
        yield s
        s.close()

    # -- writing and reading ------------------------------------------------------------------

    def test_round_trip_ordered_and_half_open(self, store: TimeSeriesStore) -> None:
        store.write(1, points(7, [2, 0, 1], [2.0, 0.0, 1.0]))
        store.write(1, points(3, [5], [50.0]))
        got = store.read(1, [7, 3])
        assert got.column("signal_id").to_pylist() == [3, 7, 7, 7]
        assert got.column("value").to_pylist() == [50.0, 0.0, 1.0, 2.0]
        window = store.read(1, [7], at(1), at(2))  # start inclusive, end exclusive
        assert window.column("value").to_pylist() == [1.0]
        assert got.schema.field("ts").type == TS_TYPE
        assert store.read(1, [7], limit=2).num_rows == 2

    def test_a_limited_read_is_the_start_of_the_whole_read(self, store: TimeSeriesStore) -> None:
        """``limit`` keeps the first points by (signal, time), whatever the order of the asked
        signals, the period and the limit (backends may read piece by piece to bound memory)."""
        rng = np.random.default_rng(3)
        for sid, n in ((4, 700), (9, 1), (2, 350)):
            secs = np.sort(rng.choice(5000, size=n, replace=False)).tolist()
            store.write(1, points(sid, secs, rng.normal(size=n).tolist()))
        store.write(2, points(4, [0, 1], [1.0, 2.0]))  # another organisation's
        for lo, hi in ((None, None), (at(100), at(4000)), (at(4999), None)):
            whole = store.read(1, [9, 2, 4], lo, hi)
            for limit in (1, 2, 349, 351, 1050, 5000):
                got = store.read(1, [9, 2, 4], lo, hi, limit=limit)
                assert got.equals(whole.slice(0, limit)), (lo, hi, limit)
        assert store.read(1, [], limit=5).num_rows == 0
        assert store.read(1, [77], limit=5).num_rows == 0

    def test_rewriting_the_same_points_adds_nothing(self, store: TimeSeriesStore) -> None:
        batch = points(1, range(100), np.arange(100.0))
        first = store.write(1, batch)
        again = store.write(1, batch)
        assert (first.inserted, again.inserted, again.unchanged) == (100, 0, 100)
        assert store.count(1, [1]) == 100

    def test_changed_value_replaces_and_last_in_batch_wins(self, store: TimeSeriesStore) -> None:
        store.write(1, points(1, [0, 1, 2], [0.0, 1.0, 2.0]))
        res = store.write(1, points(1, [1, 3], [10.0, 3.0]))
        assert (res.inserted, res.updated) == (1, 1)
        dup = store.write(1, points(1, [4, 4, 4], [1.0, 2.0, 3.0]))
        assert dup.inserted == 1
        got = store.read(1, [1]).column("value").to_pylist()
        assert got == [0.0, 10.0, 2.0, 3.0, 3.0]

    def test_out_of_order_and_interleaved_writes(self, store: TimeSeriesStore) -> None:
        store.write(1, points(1, [10, 11, 12], [1.0, 1.0, 1.0]))
        store.write(1, points(1, [0, 5, 11, 20], [2.0, 2.0, 2.0, 2.0]))  # older, overlapping, newer
        got = store.read(1, [1])
        secs = [(t - T0).total_seconds() for t in got.column("ts").to_pylist()]
        assert secs == [0, 5, 10, 11, 12, 20]
        assert got.column("value").to_pylist() == [2.0, 2.0, 1.0, 2.0, 1.0, 2.0]

    def test_time_major_batches(self, store: TimeSeriesStore) -> None:
        """A line per time with every signal (line protocol, gateways): stored as given, a
        repeat of (signal, time) inside the batch still the last one written."""
        for first in (0, 5):
            secs = [t for t in range(first, first + 5) for _ in (1, 2, 3)]
            store.write(1, points([1, 2, 3] * 5, secs, [float(t) for t in secs]))
        got = store.read(1, [1, 2, 3])
        assert got.column("signal_id").to_pylist() == [1] * 10 + [2] * 10 + [3] * 10
        assert got.column("value").to_pylist() == [float(t) for t in range(10)] * 3
        res = store.write(1, points([2, 1, 2], [20, 20, 20], [1.0, 2.0, 3.0]))
        assert res.inserted == 2
        assert store.read(1, [2], at(20)).column("value").to_pylist() == [3.0]
        assert_rollups_match(store, 1, [1, 2, 3])

    def test_bad_batches_are_refused_and_change_nothing(self, store: TimeSeriesStore) -> None:
        bad = pa.table({"signal_id": [1], "ts": pa.array([datetime(2026, 1, 1)]), "value": [1.0]})
        with pytest.raises(InvalidInput):
            store.write(1, bad)  # naive timestamps are ambiguous
        with pytest.raises(InvalidInput):
            store.write(1, pa.table({"signal_id": [1], "value": [1.0]}))
        nulls = points(1, [0], [1.0]).set_column(2, "value", pa.array([None], pa.float64()))
        with pytest.raises(InvalidInput):
            store.write(1, nulls)
        with pytest.raises(InvalidInput):
            store.read(1, [1], datetime(2026, 1, 1))
        assert store.count(1) == 0

    # -- tenancy ------------------------------------------------------------------------------

    def test_organisations_never_see_each_other(self, store: TimeSeriesStore) -> None:
        store.write(1, points(1, [0, 1], [1.0, 2.0]))
        store.write(2, points(1, [0], [99.0]))  # same signal id, other organisation
        assert store.read(1, [1]).column("value").to_pylist() == [1.0, 2.0]
        assert store.read(2, [1]).column("value").to_pylist() == [99.0]
        assert store.delete(2) == 1
        assert store.count(1) == 2 and store.count(2) == 0
        assert store.latest(3, [1]).num_rows == 0

    # -- queries ------------------------------------------------------------------------------

    def test_latest_value_per_signal(self, store: TimeSeriesStore) -> None:
        store.write(1, points([1, 1, 2], [0, 9, 4], [1.0, 9.0, 4.0]))
        got = store.latest(1, [1, 2, 3])
        assert got.column("signal_id").to_pylist() == [1, 2]
        assert got.column("value").to_pylist() == [9.0, 4.0]

    def test_downsample_matches_numpy(self, store: TimeSeriesStore) -> None:
        rng = np.random.default_rng(0)
        secs = np.sort(rng.choice(10_000, size=3_000, replace=False)).astype(float)
        vals = rng.normal(size=3_000)
        store.write(1, points(1, secs, vals))
        got = store.downsample(1, [1], at(0), at(10_000), 7)
        edges = np.floor(secs * 7 / 10_000).astype(int)
        for row in got.to_pylist():
            sel = edges == row["bucket"]
            assert row["count"] == sel.sum()
            assert row["min"] == pytest.approx(vals[sel].min())
            assert row["max"] == pytest.approx(vals[sel].max())
            assert row["mean"] == pytest.approx(vals[sel].mean())
            assert row["last"] == pytest.approx(vals[sel][-1])
            assert row["bucket_start"] == at(row["bucket"] * 10_000 / 7).replace(
                microsecond=row["bucket_start"].microsecond
            )
        assert sum(got.column("count").to_pylist()) == 3_000
        with pytest.raises(InvalidInput):
            store.downsample(1, [1], at(10), at(0), 5)

    def test_downsample_bucket_edges_are_exact(self, store: TimeSeriesStore) -> None:
        store.write(1, points(1, [0, 9.999999, 10, 19.999999], [1.0, 2.0, 3.0, 4.0]))
        got = store.downsample(1, [1], at(0), at(20), 2)
        assert got.column("count").to_pylist() == [2, 2]
        assert got.column("last").to_pylist() == [2.0, 4.0]

    def test_lttb_keeps_shape_and_ends(self, store: TimeSeriesStore) -> None:
        n = 20_000
        secs = np.arange(n, dtype=float)
        vals = np.sin(secs / 500.0)
        vals[12_345] = 50.0  # a spike a chart must never hide
        store.write(1, points(1, secs, vals))
        out = store.lttb(1, 1, at(0), at(n), 200)
        assert out.num_rows == 200
        v = out.column("value").to_numpy()
        assert v.max() == 50.0
        t = [(x - T0).total_seconds() for x in out.column("ts").to_pylist()]
        assert t[0] == 0 and t[-1] == n - 1 and t == sorted(t)
        assert set(np.round(v, 12)) <= set(np.round(vals, 12))

    def test_delete_by_range_and_extent(self, store: TimeSeriesStore) -> None:
        store.write(1, points(1, range(10), np.ones(10)))
        store.write(1, points(2, range(10), np.ones(10)))
        assert store.delete(1, [1], at(0), at(5)) == 5  # retention-style: drop the oldest
        ext = {r["signal_id"]: r for r in store.extent(1).to_pylist()}
        assert ext[1]["count"] == 5 and ext[1]["first_ts"] == at(5)
        assert ext[2]["count"] == 10 and ext[2]["last_ts"] == at(9)
        store.write(1, points(1, [0], [7.0]))  # writing below a deleted range works again
        assert store.count(1, [1]) == 6

    def test_latest_and_extent_follow_every_change(self, store: TimeSeriesStore) -> None:
        """Read, change, read again: appends, rewrites, late points and deletes all show at
        once (a backend may keep these small answers, never past a change)."""
        store.write(1, points(1, [0, 1], [1.0, 2.0]))
        for _ in range(2):  # asked twice: the second answer may come from a cache
            assert store.latest(1, [1]).column("value").to_pylist() == [2.0]
            assert store.extent(1, [1]).column("count").to_pylist() == [2]
        store.write(1, points(1, [5], [5.0]))  # an append
        assert store.latest(1, [1]).column("value").to_pylist() == [5.0]
        assert store.extent(1, [1]).column("count").to_pylist() == [3]
        store.write(1, points(1, [5], [6.0]))  # the newest point rewritten
        assert store.latest(1, [1]).column("value").to_pylist() == [6.0]
        store.write(1, points(1, [-3], [0.5]))  # a late point, before the first
        assert store.extent(1, [1]).column("first_ts").to_pylist() == [at(-3)]
        store.delete(1, [1], at(4), at(10))
        assert store.latest(1, [1]).column("value").to_pylist() == [2.0]
        assert store.extent(1).column("count").to_pylist() == [3]
        store.write(2, points(1, [9], [9.0]))  # another organisation's change
        assert store.latest(1, [1]).column("value").to_pylist() == [2.0]
        assert store.latest(2, [1]).column("value").to_pylist() == [9.0]

    # -- roll-ups and retention ---------------------------------------------------------------

    @settings(
        max_examples=40,
        deadline=None,
        # Every backend's test class runs this same method: differing executors by design.
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
    )
    @given(ops=st.lists(_OP, min_size=1, max_size=8), spread=st.booleans())
    def test_rollups_equal_the_raw_points_after_any_writes(
        self, store: TimeSeriesStore, ops: list[Any], spread: bool
    ) -> None:
        """Appends, late and out-of-order points, overwrites (also within a batch) and deletes
        of any range: every tier equals aggregating the raw points that exist."""
        org = next(_org_ids)
        for kind, arg in ops:
            if kind == "write":
                rows = sorted(arg, key=lambda r: (r[0], r[1])) if spread else arg
                sig, secs, vals = zip(*rows, strict=True)
                # Fractions of a second exercise the microsecond edges of the buckets.
                store.write(org, points(list(sig), [x + 0.25 * (x % 3) for x in secs], vals))
            else:
                sig, lo, hi = arg
                ids = None if sig is None else [sig]
                store.delete(
                    org, ids, None if lo is None else at(lo), None if hi is None else at(hi)
                )
        assert_rollups_match(store, org, [1, 2])

    def test_rollups_follow_an_overwrite_of_the_extremes_and_the_last(
        self, store: TimeSeriesStore
    ) -> None:
        store.write(1, points(1, [0, 10, 20], [5.0, 9.0, 1.0]))
        store.write(1, points(1, [10, 20], [6.0, 7.0]))  # the max and the last change
        row = store.rollups(1, [1], "minute").to_pylist()[0]
        assert (row["count"], row["min"], row["max"], row["last"]) == (3, 5.0, 7.0, 7.0)
        assert row["sum"] == pytest.approx(18.0)
        store.write(1, points(1, [5], [-1.0]))  # a late point, a new minimum
        row = store.rollups(1, [1], "hour").to_pylist()[0]
        assert (row["count"], row["min"], row["last_ts"]) == (4, -1.0, at(20))
        store.delete(1, [1], at(0), at(6))
        assert_rollups_match(store, 1, [1])
        assert store.rollups(2, [1], "minute").num_rows == 0  # another organisation's

    def test_downsample_from_a_tier_equals_the_raw_answer_on_whole_buckets(
        self, store: TimeSeriesStore
    ) -> None:
        rng = np.random.default_rng(5)
        secs = np.sort(rng.choice(6 * 3600, size=5_000, replace=False)).astype(float)
        vals = rng.normal(size=5_000).round(3)
        store.write(1, points(1, secs, vals))
        store.write(1, points(2, secs[::2], vals[::2]))
        for tier, buckets in (("minute", 36), ("hour", 3), ("minute", 360)):
            raw = store.downsample(1, [1, 2], at(0), at(6 * 3600), buckets)
            got = store.downsample(1, [1, 2], at(0), at(6 * 3600), buckets, tier=tier)  # type: ignore[arg-type]
            assert got.schema == raw.schema
            for name in ("signal_id", "bucket", "bucket_start", "count", "min", "max", "last"):
                assert got.column(name).equals(raw.column(name)), (tier, name)
            assert np.allclose(got.column("mean").to_numpy(), raw.column("mean").to_numpy())
        with pytest.raises(InvalidInput):
            store.downsample(1, [1], at(0), at(60), 2, tier="day")  # type: ignore[arg-type]

    def test_expire_drops_one_tier_and_keeps_the_others(self, store: TimeSeriesStore) -> None:
        secs = np.arange(0, 3 * 3600, 10.0)  # three hours, every 10 s
        store.write(1, points(1, secs, np.sin(secs)))
        store.write(1, points(2, secs, np.cos(secs)))
        before = store.downsample(1, [1, 2], at(0), at(3 * 3600), 3, tier="minute")
        assert store.retained_from(1, [1, 2], "raw") is None
        # Raw is cut on a whole hour (1.5 h -> 1 h), in chunks smaller than the drop.
        dropped = store.expire(1, "raw", [1], at(5400), chunk=97)
        assert dropped == 360
        assert store.count(1, [1]) == 720 and store.count(1, [2]) == 1080
        assert store.retained_from(1, [1], "raw") == at(3600)
        assert store.retained_from(1, [1, 2], "raw") == at(3600)
        assert store.retained_from(1, [2], "raw") is None
        assert store.retained_from(2, [1], "raw") is None  # another organisation's
        after = store.downsample(1, [1, 2], at(0), at(3 * 3600), 3, tier="minute")
        assert after.equals(before)  # the roll-ups still hold the dropped hour
        # A late point below the horizon is merged into the aggregates it falls in.
        store.write(1, points(1, [15], [100.0]))
        m = store.rollups(1, [1], "minute", at(0), at(60)).to_pylist()[0]
        assert (m["count"], m["max"]) == (7, 100.0)
        store.write(1, points(1, [15], [50.0]))  # ...and an overwrite of it adjusts the sum
        m2 = store.rollups(1, [1], "minute", at(0), at(60)).to_pylist()[0]
        assert m2["count"] == 7 and m2["sum"] == pytest.approx(m["sum"] - 50.0)
        # Horizons only move forward; a tier of aggregates is cut on its own width.
        store.expire(1, "raw", [1], at(1800))
        assert store.retained_from(1, [1], "raw") == at(3600)
        assert store.expire(1, "minute", [1, 2], at(7230)) == 2 * 120
        assert store.rollups(1, [1], "minute").column("bucket_start").to_pylist()[0] == at(7200)
        assert store.retained_from(1, [1], "minute") == at(7200)
        assert store.rollups(1, [1], "hour").num_rows == 3  # the hour tier is untouched
        assert store.expire(1, "hour", [], at(7200)) == 0
        # Deleting a signal's whole history forgets its horizons.
        store.delete(1, [1])
        assert store.retained_from(1, [1], "raw") is None
        assert store.rollups(1, [1], "hour").num_rows == 0

    def test_expire_lets_writes_through_between_chunks(self, store: TimeSeriesStore) -> None:
        secs = np.arange(0, 2 * 3600, 1.0)
        store.write(1, points(1, secs, np.ones(secs.size)))
        errors: list[BaseException] = []

        def ingest() -> None:
            try:
                for i in range(50):
                    store.write(1, points(2, np.arange(i * 10, i * 10 + 10.0), np.ones(10)))
            except BaseException as exc:
                errors.append(exc)

        t = threading.Thread(target=ingest)
        t.start()
        assert store.expire(1, "raw", [1], at(7200), chunk=500) == 7200
        t.join()
        assert not errors and store.count(1, [2]) == 500 and store.count(1, [1]) == 0
        assert_rollups_match(store, 1, [2])
        assert sum(store.rollups(1, [1], "hour").column("count").to_pylist()) == 7200

    # -- labels -------------------------------------------------------------------------------

    def test_labels_are_idempotent_records(self, store: TimeSeriesStore) -> None:
        lab = pa.table(
            {
                "column_id": [5, 5, 6],
                "ts": pa.array([at(0), at(1), at(0)], TS_TYPE),
                "value": ["OK", "NG", "LOT-7"],
            }
        )
        assert store.write_labels(1, lab).inserted == 3
        again = store.write_labels(1, lab)
        assert (again.inserted, again.unchanged) == (0, 3)
        fix = pa.table({"column_id": [5], "ts": pa.array([at(1)], TS_TYPE), "value": ["OK"]})
        assert store.write_labels(1, fix).updated == 1
        got = store.read_labels(1, [5])
        assert got.column("value").to_pylist() == ["OK", "OK"]
        assert store.read_labels(2, [5]).num_rows == 0
        assert store.count_labels(1, [5]) == 2 and store.count_labels(1, [5, 6]) == 3
        assert store.count_labels(1, [5], at(1), at(2)) == 1
        assert store.count_labels(2, [5]) == 0 and store.count_labels(1, []) == 0
        assert store.delete_labels(1, [6]) == 1
        assert store.count_labels(1) == 2

    # -- durability and concurrency -----------------------------------------------------------

    def test_acknowledged_writes_survive_reopening(
        self, make_store: Callable[[], TimeSeriesStore]
    ) -> None:
        s = make_store()
        s.write(1, points(1, range(1000), np.arange(1000.0)))
        s.close()
        s = make_store()
        try:
            assert s.count(1, [1]) == 1000
            assert s.write(1, points(1, [999], [999.0])).unchanged == 1  # marks rebuilt
        finally:
            s.close()

    def test_reads_run_while_writing(self, store: TimeSeriesStore) -> None:
        errors: list[BaseException] = []
        done = threading.Event()

        def reader() -> None:
            try:
                while not done.is_set():
                    n = store.count(1, [1])
                    assert n % 100 == 0  # a write is all or nothing
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for i in range(30):
            store.write(1, points(1, np.arange(i * 100, (i + 1) * 100), np.ones(100)))
        done.set()
        for t in threads:
            t.join()
        assert not errors
        assert store.count(1, [1]) == 3000
