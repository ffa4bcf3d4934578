"""Reading stored data by signal: ranges, latest values, downsampled windows, chart series.

Signals are named by id or by path (``plant1/line1/imm01/cushion``). Every signal is looked up
through the asset service first, so a signal of another organisation is simply not found.

Tiers. Downsampled answers and charts come from the raw points or from the store's per-minute or
per-hour roll-ups (:func:`pick_tier`): among the tiers that still hold the whole range (retention
has not dropped any of it), the coarsest whose buckets are at most half the asked bucket, else the
finest that holds the range. A year at 1,000 buckets reads the hour tier (about 9,000 rows per
signal instead of 31 million points), a day reads raw points, and a month whose raw points are
gone still charts from the minute tier. The answer says which tier it came from (the ``tier`` key
of the table's schema metadata, :func:`tier_of`). ``windows`` always walks the raw points: its
callers (exports, model tables) read raw points window by window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from openkamp.assets.service import AssetService
from openkamp.core.assets import LabelColumn, Signal
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal, Role, require
from openkamp.storage.timeseries.base import (
    TIER_WIDTH,
    TIERS,
    TS_TYPE,
    Tier,
    TimeSeriesStore,
    time_windows,
    to_utc,
)

SignalRef = int | str

#: A roll-up tier answers only buckets at least this many times as wide as its own: each answer
#: bucket then holds two or more whole aggregates and at most one cut by its edges.
TIER_MIN_RATIO = 2


def pick_tier(
    horizons: dict[Tier, datetime | None], start: datetime, end: datetime, buckets: int
) -> Tier:
    """The tier to answer ``buckets`` buckets of ``[start, end)`` from.

    ``horizons`` gives, per tier, the time from which it still holds everything (None: nothing
    dropped). Among the tiers that hold the whole range, the coarsest whose width is at most
    1/TIER_MIN_RATIO of the asked bucket (raw always qualifies); when none qualifies, the finest
    that holds the range; when no tier holds the whole range, the one reaching furthest back.
    """
    bucket = (end - start) / max(1, buckets)
    holding = [t for t in TIERS if (h := horizons.get(t)) is None or h <= start]
    if not holding:
        far = _aware(end)
        return min(TIERS, key=lambda t: horizons.get(t) or far)
    fine = [t for t in holding if TIER_WIDTH[t] * TIER_MIN_RATIO <= bucket]
    return fine[-1] if fine else holding[0]


def tier_for(
    ts: TimeSeriesStore,
    org_id: int,
    signal_ids: Sequence[int],
    start: datetime,
    end: datetime,
    buckets: int,
) -> Tier:
    """The tier :func:`pick_tier` chooses for a downsample of these signals, from the store's
    horizons (for callers that hold a store and an organisation, not a principal)."""
    horizons = {t: ts.retained_from(org_id, signal_ids, t) for t in TIERS}
    return pick_tier(horizons, _aware(start), _aware(end), buckets)


def tiered_downsample(
    ts: TimeSeriesStore,
    org_id: int,
    signal_ids: Sequence[int],
    start: datetime,
    end: datetime,
    buckets: int,
) -> pa.Table:
    """``ts.downsample`` from the tier :func:`tier_for` chooses, tagged (:func:`tier_of`)."""
    tier = tier_for(ts, org_id, signal_ids, start, end, buckets)
    return _tagged(ts.downsample(org_id, signal_ids, start, end, buckets, tier=tier), tier)


def tier_of(table: pa.Table) -> Tier:
    """Which tier a downsampled answer or chart series came from."""
    meta = table.schema.metadata or {}
    tier = meta.get(b"tier", b"raw").decode()
    return tier if tier in TIER_WIDTH else "raw"


def _tagged(table: pa.Table, tier: Tier) -> pa.Table:
    return table.replace_schema_metadata({**(table.schema.metadata or {}), b"tier": tier})


class QueryService:
    def __init__(self, timeseries: TimeSeriesStore, assets: AssetService) -> None:
        self.ts = timeseries
        self.assets = assets

    def signals(self, principal: Principal, refs: Sequence[SignalRef]) -> list[Signal]:
        return self.assets.signals_by_ref(principal, refs)

    def _ids(
        self, principal: Principal, refs: Sequence[SignalRef]
    ) -> tuple[list[int], dict[int, str]]:
        sigs = self.signals(principal, refs)
        return [s.id for s in sigs], {s.id: s.name for s in sigs}

    @staticmethod
    def _named(table: pa.Table, names: dict[int, str]) -> pa.Table:
        col = [names.get(i, "") for i in table.column("signal_id").to_pylist()]
        return table.append_column("signal", pa.array(col, pa.string()))

    def read(
        self,
        principal: Principal,
        refs: Sequence[SignalRef],
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        ids, names = self._ids(principal, refs)
        return self._named(self.ts.read(principal.org_id, ids, start, end, limit), names)

    def latest(self, principal: Principal, refs: Sequence[SignalRef]) -> pa.Table:
        ids, names = self._ids(principal, refs)
        return self._named(self.ts.latest(principal.org_id, ids), names)

    def downsample(
        self,
        principal: Principal,
        refs: Sequence[SignalRef],
        start: datetime,
        end: datetime,
        buckets: int = 1000,
    ) -> pa.Table:
        """``buckets`` equal buckets per signal, from the tier :func:`pick_tier` chooses
        (:func:`tier_of` says which)."""
        ids, names = self._ids(principal, refs)
        tier = self.tier(principal, ids, start, end, buckets)
        table = self.ts.downsample(principal.org_id, ids, start, end, buckets, tier=tier)
        return _tagged(self._named(table, names), tier)

    def tier(
        self,
        principal: Principal,
        signal_ids: Sequence[int],
        start: datetime,
        end: datetime,
        buckets: int,
    ) -> Tier:
        """The tier a downsample of these signals (ids of the principal's organisation) reads."""
        return tier_for(self.ts, principal.org_id, signal_ids, start, end, buckets)

    def chart(
        self,
        principal: Principal,
        refs: Sequence[SignalRef],
        start: datetime,
        end: datetime,
        width: int = 1000,
    ) -> dict[str, pa.Table]:
        """Per signal, at most ``width`` points chosen by LTTB: what a line chart should draw.

        From raw points (MinMaxLTTB) where :func:`pick_tier` picks raw; else from a tier's
        aggregates, each bucket of ``2 * width`` giving its minimum and its maximum as two
        points, so no spike is hidden. :func:`tier_of` on a series says which tier drew it."""
        from openkamp.storage.timeseries.lttb import lttb_indices

        ids, names = self._ids(principal, refs)
        org = principal.org_id
        out: dict[str, pa.Table] = {}
        for i in ids:
            tier = self.tier(principal, [i], start, end, width)
            if tier == "raw":
                out[names[i]] = _tagged(self.ts.lttb(org, i, start, end, width), tier)
                continue
            agg = self.ts.downsample(org, [i], start, end, 2 * width, tier=tier)
            t0 = agg.column("bucket_start").cast(pa.int64()).to_numpy()
            half = (_aware(end) - _aware(start)) / (4 * width) // timedelta(microseconds=1)
            ts = np.column_stack([t0, t0 + half]).ravel()
            val = np.column_stack(
                [agg.column("min").to_numpy(), agg.column("max").to_numpy()]
            ).ravel()
            idx = lttb_indices(ts.astype(np.float64), val, width) if ts.size else ts
            series = pa.table({"ts": pa.array(ts[idx]).cast(TS_TYPE), "value": val[idx]})
            out[names[i]] = _tagged(series, tier)
        return out

    def labels(
        self,
        principal: Principal,
        columns: Sequence[int | str],
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pa.Table:
        cols: list[LabelColumn] = []
        for ref in columns:
            found = (
                self.assets.get_label_column(principal, int(ref))
                if isinstance(ref, int) or str(ref).isdecimal()
                else self.assets.resolve(principal, str(ref))
            )
            if not isinstance(found, LabelColumn):
                raise InvalidInput(f"{ref!r} is not a label column.")
            cols.append(found)
        return self.ts.read_labels(principal.org_id, [c.id for c in cols], start, end)

    def windows(
        self,
        principal: Principal,
        refs: Sequence[SignalRef],
        start: datetime | None,
        end: datetime | None,
        most: int,
    ) -> list[tuple[datetime, datetime, int]]:
        """Consecutive time windows, each holding at most ``most`` points of the signals (with
        the number each holds), covering their stored points in ``[start, end)``: how a request
        walks data of any size one bounded piece at a time (counted in the engine). Always raw
        points: the readers of the windows read raw points (where retention dropped them, a
        window holds what is left)."""
        ids, _ = self._ids(principal, refs)
        org = principal.org_id
        span = self.ts.extent(org, ids)
        if span.num_rows == 0:
            return []
        first = min(span.column("first_ts").to_pylist())
        last = max(span.column("last_ts").to_pylist()) + timedelta(microseconds=1)
        lo = first if start is None else max(first, _aware(start))
        hi = last if end is None else min(last, _aware(end))
        return time_windows(lambda a, b: self.ts.count(org, ids, a, b), lo, hi, most)

    def extent(self, principal: Principal, refs: Sequence[SignalRef] | None = None) -> pa.Table:
        if refs is None:
            return self.ts.extent(principal.org_id)
        ids, names = self._ids(principal, refs)
        return self._named(self.ts.extent(principal.org_id, ids), names)

    def delete(
        self,
        principal: Principal,
        refs: Sequence[SignalRef],
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> int:
        require(principal, Role.ENGINEER)
        ids, _ = self._ids(principal, refs)
        return self.ts.delete(principal.org_id, ids, start, end)

    def apply_retention(
        self, principal: Principal, keep: timedelta, now: datetime | None = None
    ) -> int:
        """Delete every point of the organisation older than ``keep``; returns points deleted."""
        require(principal, Role.ADMIN)
        if keep <= timedelta(0):
            raise InvalidInput("Retention must keep a positive duration.")
        cutoff = (now or datetime.now(UTC)) - keep
        return self.ts.delete(principal.org_id, None, None, cutoff)


def _aware(dt: datetime) -> datetime:
    """An API bound as an aware UTC time (a naive bound is refused, as every read does)."""
    out = to_utc(dt)
    assert out is not None
    return out
