"""Datasets: named, versioned, immutable tables (record tables imported as they are), and the
snapshot table of one equipment's signals and labels for a period (``/datasets/table``).

Each route is one call of :class:`openkamp.datasets.DatasetService`. A dataset is named by its
name, with ``?version=`` for an older version (the latest by default). Row pages are bounded
(at most :data:`MAX_PAGE` rows, read from the stored file's row groups that hold them); exports
stream the whole version.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.openapi import file_answer
from openkamp.api.records import Answer, IsoTime
from openkamp.api.routers.data import QualityReport
from openkamp.api.routers.models import Rows, frame_out
from openkamp.datasets import DatasetVersion
from openkamp.datasets.export import csv_chunks
from openkamp.datasets.snapshot import snapshot
from openkamp.ml.tables import summarise_table

router = APIRouter(prefix="/datasets", tags=["datasets"])

#: The most rows one page returns.
MAX_PAGE = 1_000
Version = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Version (default: latest)")]


CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Column(Answer):
    name: str
    header: str = Field(description="The column's title in the file")
    kind: str = Field(description="number, integer, bool, time, text, …")
    role: str = Field(description="input, target, time, id, group, …")
    unit: str
    display: dict[str, str] = Field(description="Display names by language")
    label: str = Field(description="The display name in the installation's language")


class Dataset(Answer):
    """One version of a dataset."""

    id: int
    name: str
    version: int
    ref: str = Field(description="name@version")
    display_name: str
    description: str
    origin: str = Field(description="records (an imported table) or snapshot")
    rows: int
    columns: list[Column]
    schema_hash: str
    content_sha256: str
    equipment_id: int | None
    import_id: int | None
    options: dict[str, Any] = Field(description="How the version was made")
    created_at: IsoTime | None
    created_by: str
    time_column: str | None
    id_columns: list[str]
    label_columns: list[str]
    group_column: str | None


class VersionRef(Answer):
    version: int
    id: int
    rows: int
    schema_hash: str
    content_sha256: str
    created_at: IsoTime | None


class DatasetQuality(QualityReport):
    sample_rows: int = Field(description="Rows profiled (the latest, at most 20,000)")
    total_rows: int


class DatasetDetail(Dataset):
    versions: list[VersionRef]
    quality: DatasetQuality | SkipJsonSchema[None] = Field(
        default=None, description="With quality=true (the default)"
    )


class EquipmentTable(Answer):
    """One equipment's table for a period: identity, shape and first rows."""

    dataset_id: str
    schema_hash: str
    equipment: str
    rows: int
    signals: list[str]
    labels: list[str]
    first: IsoTime | None
    last: IsoTime | None
    head: Rows


class RowsPage(Answer):
    name: str
    version: int
    columns: list[str]
    offset: int
    limit: int
    total: int
    rows: list[dict[str, Any]]


def _ref(name: str, version: int | None) -> str:
    return name if version is None else f"{name}@{version}"


def version_out(v: DatasetVersion, lang: str) -> dict[str, Any]:
    """A version as JSON, with the column labels in ``lang``."""
    out = v.to_dict()
    for col, c in zip(out["columns"], v.columns, strict=True):
        col["label"] = c.label(lang)
    return out


def _filename(v: DatasetVersion, ext: str) -> str:
    # ASCII fallback plus the UTF-8 name (RFC 6266), so Korean names survive every browser.
    from urllib.parse import quote

    name = f"{v.name}-v{v.version}.{ext}"
    return f"attachment; filename=\"dataset-{v.id}.{ext}\"; filename*=UTF-8''{quote(name)}"


@router.get("/table", response_model=EquipmentTable, responses=responses(404))
def datasets_table(
    kamp: Kamp,
    me: Me,
    equipment: str,
    start: datetime | None = None,
    end: datetime | None = None,
    signal: Annotated[list[str] | None, Query(description="Signals (default: all)")] = None,
    label: Annotated[list[str] | None, Query(description="Label columns (default: all)")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> dict[str, Any]:
    """Identity, shape and first rows of one equipment's table for a period (read piece by
    piece: memory stays bounded whatever the period holds)."""
    table = summarise_table(
        kamp.query, kamp.assets, me, equipment, start, end, signals=signal, labels=label,
        head=limit,
    )  # fmt: skip
    head = frame_out(table.head, limit)
    head["total"], head["truncated"] = table.rows, table.rows > limit
    return {
        "dataset_id": table.dataset_id,
        "schema_hash": table.schema_hash,
        **table.describe(),
        "head": head,
    }


class SnapshotRequest(BaseModel):
    """What to freeze: one equipment's signals and labels for a period."""

    name: str = Field(min_length=1, max_length=128)
    equipment: str = Field(min_length=1, max_length=512)
    start: datetime | None = None
    end: datetime | None = None
    signals: list[str] | None = None
    labels: list[str] | None = None
    description: str = Field(default="", max_length=2000)


@router.post("/snapshot", status_code=201, response_model=Dataset, responses=responses(404, 409))
def datasets_snapshot(body: SnapshotRequest, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Store one equipment's table for a period as the next version of a dataset (origin
    ``snapshot``); the same table as the latest version makes no new one."""
    v = snapshot(
        kamp.datasets, kamp.query, kamp.assets, me, body.name, body.equipment, body.start,
        body.end, signals=body.signals, labels=body.labels, description=body.description,
    )  # fmt: skip
    return version_out(v, kamp.settings.language)


@router.get("", response_model=list[Dataset])
def datasets_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """The latest version of every dataset of the organisation, by name."""
    lang = kamp.settings.language
    return [version_out(v, lang) for v in kamp.datasets.list(me)]


@router.get("/{name}", response_model=DatasetDetail, response_model_exclude_unset=True)
def datasets_get(
    name: str,
    kamp: Kamp,
    me: Me,
    version: Version = None,
    quality: Annotated[bool, Query(description="Include the quality profile")] = True,
) -> dict[str, Any]:
    """One version: columns with kinds and roles, row count, hashes, every version of the name,
    and (by default) the quality profile of its latest rows (at most 20,000)."""
    lang = kamp.settings.language
    v = kamp.datasets.get(me, _ref(name, version))
    out = version_out(v, lang)
    out["versions"] = [
        {"version": o.version, "id": o.id, "rows": o.rows, "schema_hash": o.schema_hash,
         "content_sha256": o.content_sha256,
         "created_at": o.created_at.isoformat() if o.created_at else None}
        for o in kamp.datasets.versions(me, v.name)
    ]  # fmt: skip
    if quality:
        report = kamp.datasets.quality(me, v.id)
        q = report.to_dict()
        q["findings"] = [
            {**f, "text": finding.text(lang)}
            for f, finding in zip(q["findings"], report.findings, strict=True)
        ]
        q["sample_rows"], q["total_rows"] = report.rows, v.rows
        out["quality"] = q
    return out


@router.get("/{name}/rows", response_model=RowsPage)
def datasets_rows(
    name: str,
    kamp: Kamp,
    me: Me,
    version: Version = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    column: Annotated[list[str] | None, Query(description="Columns (default: all)")] = None,
) -> dict[str, Any]:
    """A page of rows, in stored order (only the asked columns and rows are read)."""
    v = kamp.datasets.get(me, _ref(name, version))
    page = kamp.datasets.read(me, v.id, column, limit=limit, offset=offset)
    body = frame_out(page.reset_index(drop=True), limit)
    rows = [{k: r[k] for k in page.columns} for r in body["rows"]]  # without the frame index
    return {
        "name": v.name,
        "version": v.version,
        "columns": list(page.columns),
        "offset": offset,
        "limit": limit,
        "total": v.rows,
        "rows": rows,
    }


@router.get(
    "/{name}/export",
    response_model=None,
    response_class=Response,
    responses=file_answer("The version as CSV (format=csv) or Excel (format=xlsx)", CSV, XLSX),
)
def datasets_export(
    name: str,
    kamp: Kamp,
    me: Me,
    version: Version = None,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response | StreamingResponse:
    """The whole version as CSV (streamed, UTF-8 with BOM) or Excel; headers as in the file,
    local times, cells that a spreadsheet would run as formulas neutralised."""
    v = kamp.datasets.get(me, _ref(name, version))
    tz = kamp.settings.timezone
    if format == "csv":
        return StreamingResponse(
            csv_chunks(kamp.datasets, me, v.id, tz),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": _filename(v, "csv")},
        )
    # Written to a private temporary file (in memory while small), then sent a megabyte at a
    # time: a sheet of a million rows is tens of megabytes compressed.
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20, prefix="okp-export-")  # noqa: SIM115 - closed by pieces()
    try:
        kamp.datasets.export(me, v.id, spool, "xlsx", tz)  # type: ignore[arg-type]
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    def pieces() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(1 << 20):
                yield chunk

    return StreamingResponse(
        pieces(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _filename(v, "xlsx")},
    )


@router.delete("/{name}", status_code=204)
def datasets_delete(name: str, kamp: Kamp, me: Me, version: Version = None) -> Response:
    """Delete one version (``?version=``) or, without it, every version of the dataset."""
    kamp.datasets.delete(me, _ref(name, version))
    return Response(status_code=204)
