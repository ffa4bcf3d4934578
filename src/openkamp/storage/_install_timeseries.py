"""The time-series part of ``openkamp migrate``: points, labels, roll-up tiers and horizons of
every organisation copied from one store into the PostgreSQL store, then compared.

Memory stays bounded whatever the installation holds: a signal is read in time windows of at
most ``batch`` points (counted in the source engine, :func:`iter_time_windows`), and windows are
gathered across signals into writes of about ``batch`` points through the store's own ``write``
(binary COPY into an empty target, roll-ups kept in the same transaction). Each write is one
transaction. The roll-up tiers are then replaced by the source's as they are
(:meth:`PostgresTimeSeriesStore.restore_rollups`): where retention dropped raw points, or points
came in past a horizon, they are not what the raw points add up to. Minute aggregates are read
in windows of 720 hours of the hour tier. Horizons are set last.

Verification reads the copy back the same way and compares, per signal, the count, the exact
sums of times and values and a mix of every point (:mod:`._digests`); labels, roll-ups and
horizons per organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pyarrow as pa

from openkamp.storage._digests import Check, PointDigest, RollupDigest, RowDigest
from openkamp.storage.timeseries.base import TIERS, TimeSeriesStore, iter_time_windows

Progress = Callable[[str, int, int], None]

#: The whole time axis a label may lie on (the ingest path refuses times before 1990).
_ALL_TIME = (datetime(1900, 1, 1, tzinfo=UTC), datetime(2400, 1, 1, tzinfo=UTC))
_US = timedelta(microseconds=1)
#: Hour buckets per window of minute aggregates (30 days: at most 43,200 rows a signal).
_HOURS_PER_WINDOW = 720


def _point_windows(
    store: TimeSeriesStore, org: int, sid: int, first: datetime, last: datetime, most: int
) -> Iterator[pa.Table]:
    def count(a: datetime, b: datetime) -> int:
        return store.count(org, [sid], a, b)

    for lo, hi, _ in iter_time_windows(count, first, last + _US, most):
        yield store.read(org, [sid], lo, hi)


def _label_windows(store: TimeSeriesStore, org: int, cid: int, most: int) -> Iterator[pa.Table]:
    def count(a: datetime, b: datetime) -> int:
        return store.count_labels(org, [cid], a, b)

    for lo, hi, _ in iter_time_windows(count, *_ALL_TIME, most):
        yield store.read_labels(org, [cid], lo, hi)


def _rollup_windows(store: TimeSeriesStore, org: int, sid: int, tier: str) -> Iterator[pa.Table]:
    """A signal's aggregates of ``tier``: the hour tier whole (8,760 rows a year), the minute
    tier in consecutive windows that together cover all time, each starting at every 720th
    hour bucket (a minute bucket has its hour bucket, so a window holds at most 43,200 rows;
    before the hour tier's horizon there are no hour buckets to count by)."""
    hours = store.rollups(org, [sid], "hour")
    if tier == "hour":
        yield hours
        return
    starts = hours.column("bucket_start").cast(pa.int64()).to_numpy()
    edges: list[datetime] = []
    horizon = store.retained_from(org, [sid], "hour")
    if horizon is not None:
        edges.append(horizon)
        starts = starts[starts > _epoch_us(horizon)]
    edges += [_from_us(int(u)) for u in starts[::_HOURS_PER_WINDOW]]
    bounds: list[datetime | None] = [None, *edges, None]
    for lo, hi in pairwise(bounds):
        yield store.rollups(org, [sid], "minute", lo, hi)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_us(dt: datetime) -> int:
    return (dt - _EPOCH) // _US


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _paths(meta: Any, org: int) -> tuple[dict[int, str], dict[int, str]]:
    """Signal and label column ids of the organisation, each with its path in the asset tree."""
    nodes = {int(n["id"]): n for n in meta.find(org, "node")}

    def path(node_id: int | None) -> str:
        parts: list[str] = []
        seen: set[int] = set()
        while node_id is not None and node_id in nodes and node_id not in seen:
            seen.add(node_id)
            parts.append(str(nodes[node_id]["name"]))
            node_id = nodes[node_id]["parent_id"]
        return "/".join(reversed(parts))

    signals = {
        int(s["id"]): f"{path(s['equipment_id'])}/{s['name']}" for s in meta.find(org, "signal")
    }
    labels = {
        int(c["id"]): f"{path(c['equipment_id'])}/{c['name']}"
        for c in meta.find(org, "label_column")
    }
    return signals, labels


def _spans(store: TimeSeriesStore, org: int) -> dict[int, tuple[datetime, datetime]]:
    ext = store.extent(org)
    return {
        int(s): (f, last)
        for s, f, last in zip(
            ext.column("signal_id").to_pylist(),
            ext.column("first_ts").to_pylist(),
            ext.column("last_ts").to_pylist(),
            strict=True,
        )
    }


def copy_timeseries(
    meta: Any,
    src: TimeSeriesStore,
    dst: Any,
    *,
    batch: int,
    progress: Progress,
) -> list[Check]:
    """Copy every organisation's time series from ``src`` into the PostgreSQL store ``dst``
    and compare; returns the checks (points per signal, then labels, roll-ups and horizons per
    organisation). ``meta``: the source's metadata store (organisations, signal names)."""
    orgs = [(int(o["id"]), str(o["name"])) for o in meta.list_orgs()]
    spans = {org: _spans(src, org) for org, _ in orgs}
    total = sum(src.count(org) for org, _ in orgs)
    copied = 0
    progress("points", 0, total)
    for org, _ in orgs:
        buffer: list[pa.Table] = []
        held = 0
        for sid, (first, last) in sorted(spans[org].items()):
            for tbl in _point_windows(src, org, sid, first, last, batch):
                buffer.append(tbl)
                held += tbl.num_rows
                if held >= batch:
                    dst.write(org, pa.concat_tables(buffer))
                    copied += held
                    progress("points", copied, total)
                    buffer, held = [], 0
        if buffer:
            dst.write(org, pa.concat_tables(buffer))
            copied += held
            progress("points", copied, total)
    for org, _ in orgs:
        _, columns = _paths(meta, org)
        buffer, held = [], 0
        for cid in sorted(columns):
            for tbl in _label_windows(src, org, cid, batch):
                buffer.append(tbl)
                held += tbl.num_rows
                if held >= batch:
                    dst.write_labels(org, pa.concat_tables(buffer))
                    buffer, held = [], 0
        if buffer:
            dst.write_labels(org, pa.concat_tables(buffer))
    for i, (org, _) in enumerate(orgs):
        signals, _ = _paths(meta, org)
        for sid in sorted(set(signals) | set(spans[org])):
            for tier in ("hour", "minute"):
                dst.restore_rollups(org, tier, sid, _rollup_windows(src, org, sid, tier))
        for tier in TIERS:
            marks = {
                sid: found
                for sid in sorted(set(signals) | set(spans[org]))
                if (found := src.retained_from(org, [sid], tier)) is not None
            }
            dst.restore_horizons(org, tier, marks)
        progress("rollups", i + 1, len(orgs))
    return verify_timeseries(meta, src, dst, orgs, batch=batch, progress=progress)


def verify_timeseries(
    meta: Any,
    src: TimeSeriesStore,
    dst: TimeSeriesStore,
    orgs: Sequence[tuple[int, str]],
    *,
    batch: int,
    progress: Progress,
) -> list[Check]:
    """Compare the two stores organisation by organisation (each read in its own windows)."""
    checks: list[Check] = []
    for i, (org, org_name) in enumerate(orgs):
        progress("verify", i, len(orgs))
        signals, columns = _paths(meta, org)
        a, b = _spans(src, org), _spans(dst, org)
        for sid in sorted(set(a) | set(b)):
            mine = _points_digest(src, org, sid, a.get(sid), batch)
            theirs = _points_digest(dst, org, sid, b.get(sid), batch)
            checks.append(
                _check("points", f"{org_name}: {signals.get(sid, f'#{sid}')}", mine, theirs)
            )
        mine_l, theirs_l = RowDigest(), RowDigest()
        for cid in sorted(columns):
            for tbl in _label_windows(src, org, cid, batch):
                mine_l.add_labels(tbl)
            for tbl in _label_windows(dst, org, cid, batch):
                theirs_l.add_labels(tbl)
        labels = _check("labels", org_name, mine_l, theirs_l)
        # labels of columns the metadata does not know would be left behind: counted too
        labels.source_detail["all_columns"] = src.count_labels(org)
        labels.target_detail["all_columns"] = dst.count_labels(org)
        checks.append(labels)
        ids = sorted(set(signals) | set(a) | set(b))
        for tier in ("minute", "hour"):
            mine_r, theirs_r = RollupDigest(), RollupDigest()
            for sid in ids:
                for tbl in _rollup_windows(src, org, sid, tier):
                    mine_r.add(tbl)
                for tbl in _rollup_windows(dst, org, sid, tier):
                    theirs_r.add(tbl)
            checks.append(_check(f"rollup_{tier}", org_name, mine_r, theirs_r))
        mine_h, theirs_h = RowDigest(), RowDigest()
        for sid in ids:
            for tier in TIERS:
                for store, digest in ((src, mine_h), (dst, theirs_h)):
                    found = store.retained_from(org, [sid], tier)
                    if found is not None:
                        digest.add_row([sid, tier, found])
        checks.append(_check("horizons", org_name, mine_h, theirs_h))
    progress("verify", len(orgs), len(orgs))
    return checks


def _check(kind: str, name: str, mine: Any, theirs: Any) -> Check:
    """The comparison of two digests of one kind."""
    return Check(
        kind=kind,
        name=name,
        source=mine.count,
        target=theirs.count,
        source_digest=f"{mine.mix:016x}",
        target_digest=f"{theirs.mix:016x}",
        source_detail=mine.detail(),
        target_detail=theirs.detail(),
    )


def _points_digest(
    store: TimeSeriesStore,
    org: int,
    sid: int,
    span: tuple[datetime, datetime] | None,
    batch: int,
) -> PointDigest:
    digest = PointDigest()
    if span is not None:
        for tbl in _point_windows(store, org, sid, *span, batch):
            digest.add(tbl)
    return digest


__all__ = ["copy_timeseries", "verify_timeseries"]
