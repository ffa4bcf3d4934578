"""Signal data: ranges, latest values, downsampled windows and chart series; data quality."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.records import Answer, IsoTime
from openkamp.api.streaming import json_rows
from openkamp.core.errors import InvalidInput
from openkamp.query import tier_of

router = APIRouter(prefix="/data", tags=["data"])

Signals = Annotated[
    list[str], Query(description="Signal ids or paths (site/line/equipment/signal); repeat")
]
MAX_POINTS = 200_000  # a range read larger than this must be downsampled or paged
QUALITY_POINTS = 500_000  # the most points one quality request profiles (the newest)


class Point(Answer):
    signal: str = Field(description="The signal's path as asked")
    signal_id: int
    ts: IsoTime
    value: float | None


class Points(Answer):
    points: list[Point]
    truncated: bool = Field(description="More points than limit lie in the period")


Tier = Literal["raw", "minute", "hour"]
TIER_TEXT = "Where the answer came from: raw points, or per-minute / per-hour aggregates"


class Bucket(Answer):
    signal: str
    signal_id: int
    bucket: int
    bucket_start: IsoTime
    count: int
    min: float | None
    max: float | None
    mean: float | None
    last: float | None
    tier: Tier = Field(description=TIER_TEXT)


class ChartSeries(Answer):
    """One signal's chart: per pixel column its start time (UTC) and min, max and mean."""

    t: list[str]
    min: list[float | None]
    max: list[float | None]
    mean: list[float | None]


class Chart(Answer):
    start: IsoTime
    end: IsoTime
    width: int
    series: dict[str, ChartSeries] = Field(description="By signal path")
    tier: Tier = Field(description=TIER_TEXT)


class Extent(Answer):
    signal: str | SkipJsonSchema[None] = Field(
        default=None, description="The signal's path as asked (only when signals were asked)"
    )
    signal_id: int
    count: int
    first_ts: IsoTime | None
    last_ts: IsoTime | None


class ColumnQuality(Answer):
    name: str
    kind: str = Field(description="number, integer, bool, time or text")
    count: int
    missing: int
    distinct: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    invalid: int
    stuck: int
    jumps: int
    outliers: int


class Finding(Answer):
    column: str
    problem: str
    count: int
    rows: list[int] = Field(description="Row positions (0-based), the first few")
    times: list[str]
    text: str = Field(description="The finding for a person, in the installation's language")


class QualityReport(Answer):
    """Quality indices in [0, 1] and findings of a table (see openkamp.quality.profile)."""

    rows: int
    columns: list[ColumnQuality]
    indices: dict[str, float]
    overall: float
    findings: list[Finding]
    time: str | None
    period_s: float | None
    expected_rows: int
    start: str | None
    end: str | None


class QualitySample(Answer):
    whole: bool = Field(description="The whole period was profiled")
    points: int
    total_points: int
    first: IsoTime | None
    last: IsoTime | None


class DataQuality(QualityReport):
    sample: QualitySample = Field(description="Which part of the period was profiled")


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


@router.get("/range", response_model=Points, responses=responses(404))
def data_range(
    kamp: Kamp,
    me: Me,
    signal: Signals,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_POINTS)] = 10_000,
) -> StreamingResponse:
    """Raw points of ``[start, end)``, ordered by signal then time (at most ``limit``)."""
    table = kamp.query.read(me, signal, start, end, limit=limit + 1)
    truncated = table.num_rows > limit
    return json_rows(table.slice(0, limit), "points", truncated=truncated)


@router.get("/latest", response_model=list[Point], responses=responses(404))
def data_latest(kamp: Kamp, me: Me, signal: Signals) -> list[dict[str, Any]]:
    """The most recent point of each signal."""
    return _rows(kamp.query.latest(me, signal))


@router.get("/downsample", response_model=list[Bucket], responses=responses(404))
def data_downsample(
    kamp: Kamp,
    me: Me,
    signal: Signals,
    start: datetime | None = None,
    end: datetime | None = None,
    buckets: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> StreamingResponse:
    """``buckets`` equal time buckets per signal: count, min, max, mean, last; from the
    finest tier of data that holds the whole period (``tier``, see docs/architecture.md)."""
    lo, hi = _window(start, end)
    table = kamp.query.downsample(me, signal, lo, hi, buckets)
    tier = pa.array([tier_of(table)] * table.num_rows, pa.string())
    return json_rows(table.append_column("tier", tier))


@router.get("/chart", response_model=Chart, responses=responses(404))
def data_chart(
    kamp: Kamp,
    me: Me,
    signal: Signals,
    start: datetime | None = None,
    end: datetime | None = None,
    width: Annotated[int, Query(ge=10, le=5000)] = 1000,
) -> dict[str, Any]:
    """What a line chart of ``width`` pixels should draw: per signal, min and max per pixel
    column (every spike stays visible), computed in the database whatever the range: from the
    raw points, or the per-minute or per-hour aggregates for long ranges and for periods whose
    raw points retention has dropped (``tier`` says which)."""
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
    return {
        "start": lo.isoformat(), "end": hi.isoformat(), "width": width, "series": series,
        "tier": tier_of(table),
    }  # fmt: skip


@router.get(
    "/extent", response_model=list[Extent], response_model_exclude_unset=True,
    responses=responses(404),
)  # fmt: skip
def data_extent(
    kamp: Kamp, me: Me, signal: Annotated[list[str] | None, Query()] = None
) -> list[dict[str, Any]]:
    """Per signal: number of points, first and last time."""
    return _rows(kamp.query.extent(me, signal))


@router.get("/quality", response_model=DataQuality, responses=responses(404))
def data_quality(
    kamp: Kamp,
    me: Me,
    equipment: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """Quality indices and findings of one equipment's data in a period: of the whole period
    when it holds at most 500,000 points, else of its newest part that does (``sample``
    says which part was profiled and how much of the period that is)."""
    from openkamp.ml.tables import newest_part
    from openkamp.quality import profile

    part = newest_part(
        kamp.query, kamp.assets, me, equipment, start, end, most_points=QUALITY_POINTS
    )
    frame = part.table.frame
    report = profile(frame.reset_index(), time="timestamp")
    lang = kamp.settings.language
    out = report.to_dict()
    out["findings"] = [
        {**f, "text": finding.text(lang)}
        for f, finding in zip(out["findings"], report.findings, strict=True)
    ]
    out["sample"] = {
        "whole": part.whole,
        "points": part.points,
        "total_points": part.total_points,
        "first": frame.index[0].isoformat() if len(frame) else None,
        "last": frame.index[-1].isoformat() if len(frame) else None,
    }
    return out
