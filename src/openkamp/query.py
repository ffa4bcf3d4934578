"""Reading stored data by signal: ranges, latest values, downsampled windows, chart series.

Signals are named by id or by path (``plant1/line1/imm01/cushion``). Every signal is looked up
through the asset service first, so a signal of another organisation is simply not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from openkamp.assets.service import AssetService
from openkamp.core.assets import LabelColumn, Signal
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal, Role, require
from openkamp.storage.timeseries.base import TimeSeriesStore, time_windows, to_utc

SignalRef = int | str


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
        ids, names = self._ids(principal, refs)
        return self._named(self.ts.downsample(principal.org_id, ids, start, end, buckets), names)

    def chart(
        self,
        principal: Principal,
        refs: Sequence[SignalRef],
        start: datetime,
        end: datetime,
        width: int = 1000,
    ) -> dict[str, pa.Table]:
        """Per signal, at most ``width`` points chosen by LTTB: what a line chart should draw."""
        ids, names = self._ids(principal, refs)
        return {names[i]: self.ts.lttb(principal.org_id, i, start, end, width) for i in ids}

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
        walks data of any size one bounded piece at a time (counted in the engine)."""
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
