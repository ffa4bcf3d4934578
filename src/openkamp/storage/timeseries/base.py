"""The time-series store interface: signal values as Arrow batches in, windows out.

Points are ``(signal_id, ts, value)``: ``ts`` is a UTC timestamp with microsecond resolution and
``value`` a 64-bit float. Label / event values (pass/fail, defect type, lot id) are stored beside
them as ``(column_id, ts, value)`` with a text value.

Rules every backend follows (the contract suite in :mod:`openkamp.storage.testing` checks them):

* every call takes the acting organisation id and never touches another organisation's rows;
* writes are idempotent on ``(signal_id, ts)``: writing a point again changes nothing, writing a
  different value for the same key replaces it (last write wins), also within one batch;
* ``end`` bounds are exclusive, ``start`` bounds inclusive;
* a write that returned has been committed (acknowledged data survives a crash).

Roll-ups. Beside the raw points a backend keeps two tiers of aggregates, per minute and per hour
(:data:`ROLLUP_SCHEMA`: count, min, max, sum, and the last value with its time), maintained in the
same transaction as every write and delete, so they always equal aggregating the raw points that
exist. Retention drops a tier's old data (:meth:`TimeSeriesStore.expire`) without touching the
other tiers: a chart of a period whose raw points are gone is drawn from the minute or hour tier.
Once raw data of a signal has been dropped before a time (its *horizon*, always a whole hour),
the aggregates of older buckets can no longer be recomputed from raw; a point written there later
is merged into them (count, sum, min, max and last stay exact for new points; an overwrite there
adjusts the sum and last exactly and can only widen min and max).

How a backend stores the aggregates is its own affair, as long as :meth:`TimeSeriesStore.rollups`
answers one row per bucket. Keeping them costs every write, and live sources write a few hundred
points many times a second, so the upkeep should be a fixed, small number of statements per
write whatever the buckets hold: the DuckDB store appends a partial aggregate per bucket and
combines them when read (compacting now and then); a server database may upsert instead
(``INSERT … ON CONFLICT DO UPDATE`` on signal and bucket). ``bench/rollups.py`` measures the
cost against the same store without roll-ups.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa

from openkamp.core.errors import InvalidInput

TS_TYPE = pa.timestamp("us", tz="UTC")
POINT_SCHEMA = pa.schema([("signal_id", pa.int64()), ("ts", TS_TYPE), ("value", pa.float64())])
LABEL_SCHEMA = pa.schema([("column_id", pa.int64()), ("ts", TS_TYPE), ("value", pa.string())])
DOWNSAMPLE_SCHEMA = pa.schema(
    [
        ("signal_id", pa.int64()),
        ("bucket", pa.int64()),
        ("bucket_start", TS_TYPE),
        ("count", pa.int64()),
        ("min", pa.float64()),
        ("max", pa.float64()),
        ("mean", pa.float64()),
        ("last", pa.float64()),
    ]
)

ROLLUP_SCHEMA = pa.schema(
    [
        ("signal_id", pa.int64()),
        ("bucket_start", TS_TYPE),
        ("count", pa.int64()),
        ("min", pa.float64()),
        ("max", pa.float64()),
        ("sum", pa.float64()),
        ("last_ts", TS_TYPE),
        ("last", pa.float64()),
    ]
)

#: Where data lives: the raw points, or the per-minute and per-hour aggregates.
Tier = Literal["raw", "minute", "hour"]
RollupTier = Literal["minute", "hour"]
TIERS: tuple[Tier, ...] = ("raw", "minute", "hour")
#: The width of one bucket of each tier (raw points have none).
TIER_WIDTH: dict[Tier, timedelta] = {
    "raw": timedelta(0),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
}


def floor_to(dt: datetime, width: timedelta) -> datetime:
    """``dt`` (aware) rounded down to a multiple of ``width`` since the epoch, in UTC."""
    utc = to_utc(dt)
    assert utc is not None
    if width <= timedelta(0):
        return utc
    step = _micros_of(width)
    us = _micros(utc)
    return _EPOCH + timedelta(microseconds=us - us % step)


def _micros_of(width: timedelta) -> int:
    return (width.days * 86_400 + width.seconds) * 1_000_000 + width.microseconds


@dataclass(frozen=True)
class WriteResult:
    """What a write did: new points, points whose value changed, points already stored as-is."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def to_utc(dt: datetime | None) -> datetime | None:
    """Normalise a bound to an aware UTC datetime; naive datetimes are refused (ambiguous)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        raise InvalidInput(
            f"Timestamp {dt.isoformat()} has no time zone.",
            hint="Pass an aware datetime, e.g. datetime(..., tzinfo=ZoneInfo('Asia/Seoul')).",
        )
    return dt.astimezone(UTC)


def time_windows(
    count: Callable[[datetime, datetime], int],
    start: datetime,
    end: datetime,
    most: int,
) -> list[tuple[datetime, datetime, int]]:
    """Split ``[start, end)`` into consecutive windows of at most ``most`` stored values each
    (``count(lo, hi)`` counts them in the engine), leaving out empty windows.

    What lets a request walk any amount of data in bounded memory: read, pivot or profile one
    window at a time. A window is split into equal parts until it holds ``most`` or fewer, or
    until it is one microsecond long (the values sharing one timestamp are never split).
    Returns ``(lo, hi, n)`` triples in time order.
    """
    return list(iter_time_windows(count, start, end, most))


def iter_time_windows(
    count: Callable[[datetime, datetime], int],
    start: datetime,
    end: datetime,
    most: int,
) -> Iterator[tuple[datetime, datetime, int]]:
    """:func:`time_windows` one window at a time, counting only as far as the caller reads
    (a reader that needs the first thousand values stops after the first windows)."""
    if most < 1:
        raise ValueError("most must be at least 1")
    lo_us = _micros(start)
    hi_us = _micros(end)

    def at(us: int) -> datetime:
        return _EPOCH + timedelta(microseconds=us)

    def walk(lo: int, hi: int, n: int) -> Iterator[tuple[datetime, datetime, int]]:
        if n == 0:
            return
        if n <= most or hi - lo <= 1:
            yield at(lo), at(hi), n
            return
        parts = min(64, max(2, 2 * -(-n // most)), hi - lo)
        edges = [lo + (hi - lo) * i // parts for i in range(parts + 1)]
        for a, b in pairwise(edges):
            if b > a:
                yield from walk(a, b, count(at(a), at(b)))

    if hi_us > lo_us:
        yield from walk(lo_us, hi_us, count(at(lo_us), at(hi_us)))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(dt: datetime) -> int:
    utc = to_utc(dt)
    assert utc is not None
    delta = utc - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def conform_points(points: pa.Table | pa.RecordBatch) -> pa.Table:
    """Cast a batch to :data:`POINT_SCHEMA`, refusing nulls (a missing value is no point)."""
    if isinstance(points, pa.RecordBatch):
        points = pa.Table.from_batches([points])
    missing = {"signal_id", "ts", "value"} - set(points.column_names)
    if missing:
        raise InvalidInput(f"Point batch lacks columns {sorted(missing)}.")
    points = points.select(["signal_id", "ts", "value"])
    ts = points.column("ts")
    if pa.types.is_timestamp(ts.type) and ts.type.tz is None:
        raise InvalidInput("Point timestamps must carry a time zone (UTC).")
    try:
        points = points.cast(POINT_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput(f"Point batch has the wrong types: {exc}") from exc
    for name in ("signal_id", "ts", "value"):
        if points.column(name).null_count:
            raise InvalidInput(f"Point batch has nulls in '{name}'; drop missing values first.")
    return points


class TimeSeriesStore(ABC):
    """Abstract time-series store. Backends register a URL scheme in the storage registry."""

    scheme: ClassVar[str]

    # -- points -------------------------------------------------------------------------------

    @abstractmethod
    def write(self, org_id: int, points: pa.Table | pa.RecordBatch) -> WriteResult:
        """Store points idempotently; returns once they are committed."""

    @abstractmethod
    def read(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        """Points of the signals in ``[start, end)``, ordered by signal then time."""

    @abstractmethod
    def latest(self, org_id: int, signal_ids: Sequence[int]) -> pa.Table:
        """The most recent point of each signal that has any (POINT_SCHEMA)."""

    @abstractmethod
    def downsample(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        start: datetime,
        end: datetime,
        buckets: int,
        tier: Tier = "raw",
    ) -> pa.Table:
        """Aggregate ``[start, end)`` into ``buckets`` equal time buckets per signal.

        Returns DOWNSAMPLE_SCHEMA rows for non-empty buckets only, ordered by signal and bucket;
        ``last`` is the value with the latest timestamp in the bucket. With ``tier`` "minute" or
        "hour" the buckets are made of that tier's aggregates instead of raw points: each
        aggregate counts wholly in the bucket that holds its start (exactly the raw answer
        when ``start`` and the bucket width are whole multiples of the tier's width).
        """

    # -- roll-ups and retention ---------------------------------------------------------------

    @abstractmethod
    def rollups(
        self,
        org_id: int,
        signal_ids: Sequence[int],
        tier: RollupTier,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        """The stored aggregates of ``tier`` whose bucket starts in ``[start, end)``
        (ROLLUP_SCHEMA), ordered by signal then bucket."""

    @abstractmethod
    def expire(
        self,
        org_id: int,
        tier: Tier,
        signal_ids: Sequence[int],
        before: datetime,
        *,
        chunk: int = 100_000,
    ) -> int:
        """Drop the signals' data of ``tier`` older than ``before`` (floored to a whole hour for
        raw points, to the tier's width for aggregates); the other tiers keep theirs.

        Returns the rows dropped (points, or aggregates: one per bucket). Drops at most
        ``chunk`` rows per transaction so that writes run between the chunks (retention never
        blocks ingest for long), and records ``before`` as the tier's horizon of each signal
        (see :meth:`retained_from`) before the first chunk. Horizons only move forward.
        """

    @abstractmethod
    def retained_from(self, org_id: int, signal_ids: Sequence[int], tier: Tier) -> datetime | None:
        """The time from which ``tier`` still holds everything of all these signals (the
        latest of their horizons), or None when none of them has had that tier expired."""

    @abstractmethod
    def delete(
        self,
        org_id: int,
        signal_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """Delete points (all signals when ``signal_ids`` is None) in ``[start, end)``."""

    @abstractmethod
    def count(
        self,
        org_id: int,
        signal_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """Number of stored points."""

    @abstractmethod
    def extent(self, org_id: int, signal_ids: Sequence[int] | None = None) -> pa.Table:
        """Per signal: ``signal_id, count, first_ts, last_ts``."""

    # -- labels -------------------------------------------------------------------------------

    @abstractmethod
    def write_labels(self, org_id: int, labels: pa.Table) -> WriteResult:
        """Store label values idempotently on ``(column_id, ts)`` (LABEL_SCHEMA)."""

    @abstractmethod
    def read_labels(
        self,
        org_id: int,
        column_ids: Sequence[int],
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        """Label values in ``[start, end)``, ordered by column then time."""

    def count_labels(
        self,
        org_id: int,
        column_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """Number of stored label values (backends count in the engine; this fallback reads
        the values, so every backend overrides it)."""
        if column_ids is None:
            raise NotImplementedError("count_labels over every column needs the backend's own")
        return int(self.read_labels(org_id, column_ids, start, end).num_rows)

    @abstractmethod
    def delete_labels(
        self,
        org_id: int,
        column_ids: Sequence[int] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        """Delete label values."""

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release engine resources."""

    def __enter__(self) -> TimeSeriesStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- derived operations (shared by all backends) -----------------------------------------

    def lttb(
        self,
        org_id: int,
        signal_id: int,
        start: datetime,
        end: datetime,
        n_out: int,
    ) -> pa.Table:
        """Largest-Triangle-Three-Buckets reduction of one signal for charts (``ts, value``).

        Long ranges are first reduced in the engine to the min and max point of ``4 * n_out``
        buckets (MinMaxLTTB, Van Der Donckt et al. 2023), so memory stays bounded however many
        points the range holds; LTTB then runs on those candidates.
        """
        from openkamp.storage.timeseries.lttb import lttb_indices

        if n_out < 3:
            raise InvalidInput("LTTB needs at least 3 output points.")
        n = self.count(org_id, [signal_id], start, end)
        if n <= 4 * n_out:
            pts = self.read(org_id, [signal_id], start, end)
        else:
            pts = self.minmax_points(org_id, signal_id, start, end, 4 * n_out)
        ts = pts.column("ts").cast(pa.int64()).to_numpy()
        val = pts.column("value").to_numpy()
        idx = lttb_indices(ts.astype(np.float64), val, n_out)
        return pa.table({"ts": pa.array(ts[idx]).cast(TS_TYPE), "value": val[idx]})

    def minmax_points(
        self, org_id: int, signal_id: int, start: datetime, end: datetime, buckets: int
    ) -> pa.Table:
        """The points holding the minimum and the maximum of each bucket, in time order.

        Backends should override this with an engine-side query; the default reads everything.
        """
        pts = self.read(org_id, [signal_id], start, end)
        from openkamp.storage.timeseries.lttb import minmax_indices

        ts = pts.column("ts").cast(pa.int64()).to_numpy()
        idx = minmax_indices(ts, pts.column("value").to_numpy(), buckets)
        return pts.take(pa.array(idx)).select(["ts", "value"])
