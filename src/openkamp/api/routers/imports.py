"""Imports: upload a CSV / Excel / Parquet file, read its report, download its quarantined rows."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import types
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from fastapi import APIRouter, Form, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import Field

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.openapi import file_answer
from openkamp.api.records import Answer, IsoTime, record_out
from openkamp.api.routers.jobs import JobStarted, job_out
from openkamp.api.uploads import UploadLimitRoute
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Role, require
from openkamp.core.uploads import copy_limited, load_json, safe_name
from openkamp.ingest.importer import ImportOptions, ImportReport

router = APIRouter(prefix="/imports", tags=["imports"], route_class=UploadLimitRoute)

CHUNK = 1 << 20


class Imported(Answer):
    """An import done at once (``wait=true``)."""

    report: ImportReport


class ImportRecord(Answer):
    """One import of the organisation, with its report as stored."""

    id: int
    org_id: int
    file_name: str
    file_checksum: str
    file_size: int
    options_hash: str
    options: dict[str, Any]
    status: str = Field(description="running, done, failed, skipped, interrupted, …")
    started_at: IsoTime
    finished_at: IsoTime | None
    rows_read: int
    rows_stored: int
    rows_quarantined: int
    points_inserted: int
    points_updated: int
    points_unchanged: int
    labels_written: int
    reasons: dict[str, int] = Field(description="Quarantine reason → rows")
    quarantine_sha256: str | None
    report: dict[str, Any] = Field(description="The import's report (see ImportReport)")
    error: str | None


def _fits(value: Any, hint: Any) -> bool:
    """Whether a JSON value has the type an :class:`ImportOptions` field declares."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return True
    if origin in (Union, types.UnionType):
        return any(_fits(value, a) for a in args)
    if origin is Literal:
        return isinstance(value, (str, int)) and value in args
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if origin is list:
        return isinstance(value, list) and all(_fits(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            _fits(k, args[0]) and _fits(v, args[1]) for k, v in value.items()
        )
    return True


def _options(raw: str | None) -> ImportOptions:
    if not raw:
        return ImportOptions()
    values = load_json(raw, "options")
    if not isinstance(values, dict):
        raise InvalidInput(
            "options must be a JSON object.", code="input.not_object", params={"what": "options"}
        )
    known = set(ImportOptions.__dataclass_fields__)
    unknown = set(values) - known
    if unknown:
        names = ", ".join(sorted(str(u)[:60] for u in unknown)[:10])
        raise InvalidInput(
            f"Unknown import options {names}.",
            hint=f"Known: {sorted(known)}.",
            code="import.unknown_option",
            params={"names": names},
        )
    hints = get_type_hints(ImportOptions)
    for key, value in values.items():
        if not _fits(value, hints[key]):
            raise InvalidInput(
                f"The import option {key!r} has a value of the wrong kind.",
                hint="See ImportOptions in the API documentation.",
                code="import.bad_option",
                params={"name": key},
            )
    try:
        return ImportOptions(**values)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Bad import options: {exc}.", code="import.bad_option",
                           params={"name": "options"}) from exc  # fmt: skip


def _save(upload: UploadFile, folder: Path, limit: int) -> Path:
    target = folder / safe_name(upload.filename)
    copy_limited(upload.file, target, limit)
    return target


@router.post(
    "", status_code=201, response_model=JobStarted | Imported, responses=responses(404, 409)
)
def imports_upload(
    kamp: Kamp,
    me: Me,
    file: UploadFile,
    options: Annotated[str | None, Form(description="ImportOptions as JSON")] = None,
    wait: bool = False,
) -> dict[str, Any]:
    """Upload a file and import it: as a job (default; poll ``/jobs/{id}``), or at once with
    ``wait=true``. The report counts rows read = rows stored + rows quarantined, always."""
    require(me, Role.ENGINEER)
    opts = _options(options)
    safe_name(file.filename)  # refused before anything is written
    folder = Path(tempfile.mkdtemp(prefix="okp-upload-", dir=kamp.settings.data_dir))
    try:
        path = _save(file, folder, kamp.settings.upload_max_bytes)
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


@router.get("", response_model=list[ImportRecord])
def imports_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """Past imports of the organisation, newest last."""
    return [record_out(r) for r in kamp.imports.list(me)]


@router.get("/{import_id}", response_model=ImportRecord)
def imports_get(import_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """One import with its full report."""
    return record_out(kamp.imports.get(me, import_id))


@router.get(
    "/{import_id}/quarantine",
    response_class=Response,
    responses=file_answer("The quarantined rows (CSV)", "text/csv"),
)
def imports_quarantine(import_id: int, kamp: Kamp, me: Me) -> Response:
    """The quarantined rows of an import as CSV (row number, reason, original line).

    The stored quarantine keeps the file's raw lines; the download neutralises them for
    spreadsheets (:func:`openkamp.core.cells.neutralise_csv`): a cell beginning with ``=``, ``+``,
    ``-``, ``@``, a tab, a carriage return or an apostrophe is written with one more leading
    apostrophe, so the raw line is the cell with one leading apostrophe removed, if it has one."""
    from openkamp.core.cells import neutralise_csv

    pieces = kamp.imports.quarantine_pieces(me, import_id)  # 404 here, before any byte

    def body() -> Iterator[bytes]:
        first = next(pieces, None)
        if first is not None:  # an import without quarantined rows: an empty file
            yield from neutralise_csv(itertools.chain([first], pieces))

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="quarantine-{import_id}.csv"'},
    )
