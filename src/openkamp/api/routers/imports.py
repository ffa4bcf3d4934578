"""Imports: upload a CSV / Excel / Parquet file, read its report, download its quarantined rows."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Response, UploadFile

from openkamp.api.deps import Kamp, Me
from openkamp.api.records import record_out
from openkamp.api.routers.jobs import job_out
from openkamp.core.errors import InvalidInput
from openkamp.ingest.importer import ImportOptions

router = APIRouter(prefix="/imports", tags=["imports"])

CHUNK = 1 << 20


def _options(raw: str | None) -> ImportOptions:
    if not raw:
        return ImportOptions()
    try:
        values = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"options is not JSON: {exc.msg}.") from exc
    if not isinstance(values, dict):
        raise InvalidInput("options must be a JSON object.")
    known = set(ImportOptions.__dataclass_fields__)
    unknown = set(values) - known
    if unknown:
        raise InvalidInput(
            f"Unknown import options {sorted(unknown)}.", hint=f"Known: {sorted(known)}."
        )
    try:
        return ImportOptions(**values)
    except TypeError as exc:
        raise InvalidInput(f"Bad import options: {exc}.") from exc


def _save(upload: UploadFile, folder: Path) -> Path:
    name = Path(upload.filename or "upload").name or "upload"
    target = folder / name
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, CHUNK)
    return target


@router.post("", status_code=201)
def imports_upload(
    kamp: Kamp,
    me: Me,
    file: UploadFile,
    options: Annotated[str | None, Form(description="ImportOptions as JSON")] = None,
    wait: bool = False,
) -> dict[str, Any]:
    """Upload a file and import it: as a job (default; poll ``/jobs/{id}``), or at once with
    ``wait=true``. The report counts rows read = rows stored + rows quarantined, always."""
    opts = _options(options)
    folder = Path(tempfile.mkdtemp(prefix="okp-upload-", dir=kamp.settings.data_dir))
    try:
        path = _save(file, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    name = path.name

    def run(ctx: Any = None) -> dict[str, Any]:
        try:

            def progress(done: int, total: int) -> None:
                if ctx is not None and total:
                    ctx.progress(done / total, name)

            report = kamp.imports.import_file(me, path, opts, progress=progress, file_name=name)
            return {"report": asdict(report)}
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    if wait:
        return run()
    job = kamp.jobs.submit(me, "import", name, run, params={"file": name})
    return {"job": job_out(job, log=True)}


@router.get("")
def imports_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """Past imports of the organisation, newest last."""
    return [record_out(r) for r in kamp.imports.list(me)]


@router.get("/{import_id}")
def imports_get(import_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """One import with its full report."""
    return record_out(kamp.imports.get(me, import_id))


@router.get("/{import_id}/quarantine")
def imports_quarantine(import_id: int, kamp: Kamp, me: Me) -> Response:
    """The quarantined rows of an import as CSV (row number, reason, original values)."""
    data = kamp.imports.quarantined_rows(me, import_id)
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="quarantine-{import_id}.csv"'},
    )
