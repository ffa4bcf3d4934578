"""Signal data: ranges, latest values, downsampled windows and chart series; data quality."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Query

from openkamp.api.deps import Kamp, Me
from openkamp.core.errors import InvalidInput

router = APIRouter(prefix="/data", tags=["data"])

Signals = Annotated[
    list[str], Query(description="Signal ids or paths (site/line/equipment/signal); repeat")
]
MAX_POINTS = 200_000  # a range read larger than this must be downsampled or paged


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    out = table.to_pylist()
    for row in out:
        for k, v in row.items():
            if isinstance(v, datetime):
                row[k] = v.astimezone(UTC).isoformat()
    return out


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None or end is None:
        raise InvalidInput("Give both start and end.")
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    if end <= start:
        raise InvalidInput("end must be after start.")
    return start, end


@router.get("/range")
def data_range(
    kamp: Kamp,
    me: Me,
    signal: Signals,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_POINTS)] = 10_000,
) -> dict[str, Any]:
    """Raw points of ``[start, end)``, ordered by signal then time (at most ``limit``)."""
    table = kamp.query.read(me, signal, start, end, limit=limit + 1)
    truncated = table.num_rows > limit
    return {"points": _rows(table.slice(0, limit)), "truncated": truncated}


@router.get("/latest")
def data_latest(kamp: Kamp, me: Me, signal: Signals) -> list[dict[str, Any]]:
    """The most recent point of each signal."""
    return _rows(kamp.query.latest(me, signal))


@router.get("/downsample")
def data_downsample(
    kamp: Kamp,
    me: Me,
    signal: Signals,
    start: datetime | None = None,
    end: datetime | None = None,
    buckets: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict[str, Any]]:
    """``buckets`` equal time buckets per signal: count, min, max, mean, last."""
    lo, hi = _window(start, end)
    return _rows(kamp.query.downsample(me, signal, lo, hi, buckets))


@router.get("/chart")
def data_chart(
    kamp: Kamp,
    me: Me,
    signal: Signals,
    start: datetime | None = None,
    end: datetime | None = None,
    width: Annotated[int, Query(ge=10, le=5000)] = 1000,
) -> dict[str, Any]:
    """What a line chart of ``width`` pixels should draw: per signal, min and max per pixel
    column (every spike stays visible), computed in the database whatever the range."""
    lo, hi = _window(start, end)
    table = kamp.query.downsample(me, signal, lo, hi, width)
    # Column-wise (not row dicts): this is the route a zooming chart calls all the time.
    times = pc.strftime(table.column("bucket_start"), format="%Y-%m-%dT%H:%M:%SZ")
    series: dict[str, dict[str, list[Any]]] = {}
    names = table.column("signal")
    for name in pc.unique(names).to_pylist():
        mask = pc.equal(names, name)
        series[name] = {
            "t": pc.filter(times, mask).to_pylist(),
            "min": pc.filter(table.column("min"), mask).to_pylist(),
            "max": pc.filter(table.column("max"), mask).to_pylist(),
            "mean": pc.filter(table.column("mean"), mask).to_pylist(),
        }
    return {"start": lo.isoformat(), "end": hi.isoformat(), "width": width, "series": series}


@router.get("/extent")
def data_extent(
    kamp: Kamp, me: Me, signal: Annotated[list[str] | None, Query()] = None
) -> list[dict[str, Any]]:
    """Per signal: number of points, first and last time."""
    return _rows(kamp.query.extent(me, signal))


@router.get("/quality")
def data_quality(
    kamp: Kamp,
    me: Me,
    equipment: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """Quality indices and findings of one equipment's data in a period."""
    from openkamp.ml.tables import read_table
    from openkamp.quality import profile

    table = read_table(kamp.query, kamp.assets, me, equipment, start, end)
    report = profile(table.frame.reset_index(), time="timestamp")
    lang = kamp.settings.language
    out = report.to_dict()
    out["findings"] = [
        {**f, "text": finding.text(lang)}
        for f, finding in zip(out["findings"], report.findings, strict=True)
    ]
    return out
