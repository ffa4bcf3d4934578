"""Import wizard: upload (with progress), preview and column mapping, then the import report.

1. ``POST /import/stage`` takes the file (the browser shows upload progress) and keeps it in a
   staging folder of the organisation, answering with a preview (:mod:`openkamp.web.preview`).
2. ``POST /import/preview`` previews it again with the user's choices (equipment, mapping).
3. ``POST /import/run`` imports it through the API's own upload route function (the same job,
   the same checks) and the page follows the job to ``/import/{id}``, the report.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import Headers
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.formparsers import MultiPartException, MultiPartParser

from openkamp.api.errors import error_body, status_of
from openkamp.api.routers.imports import _options, imports_upload
from openkamp.core.errors import InvalidInput, OpenKampError, TooLarge
from openkamp.core.tenancy import Role, require
from openkamp.core.uploads import (
    STAGED,
    copy_limited,
    folder_bytes,
    load_json,
    over_quota,
    safe_name,
    too_large,
)
from openkamp.i18n import t
from openkamp.web.assets_page import create_equipment
from openkamp.web.overview import asset_tree, display, equipment_of
from openkamp.web.page import Page, Posting, lang_of, platform_of, render
from openkamp.web.preview import preview, time_format_text

router = APIRouter()
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
STAGE_HOURS = 24  # staged files older than this are removed


def _json_errors(fn: Callable[[], dict[str, Any]], request: Request) -> Response:
    """The wizard's JSON answers, with domain errors in the API's error shape."""
    try:
        return JSONResponse(fn())
    except OpenKampError as exc:
        return JSONResponse(error_body(exc, request), status_code=status_of(exc))


async def _json_answer(
    request: Request, fn: Callable[[dict[str, Any]], dict[str, Any]]
) -> Response:
    """:func:`_json_errors` for a JSON request: ``fn`` gets its body (an object)."""
    try:
        body = await _body(request)
    except OpenKampError as exc:
        return JSONResponse(error_body(exc, request), status_code=status_of(exc))
    return _json_errors(lambda: fn(body), request)


def _stage_root(request: Request, org_id: int) -> Path:
    return Path(platform_of(request).settings.data_dir) / STAGED / str(org_id)


def _staged(request: Request, org_id: int, token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise InvalidInput("Unknown upload.", hint="Upload the file again.")
    folder = _stage_root(request, org_id) / token
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    if not files:
        raise InvalidInput("The uploaded file is gone.", hint="Upload the file again.")
    return files[0]


def _clean_old(root: Path) -> None:
    if not root.is_dir():
        return
    cutoff = time.time() - STAGE_HOURS * 3600
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, who: Page) -> HTMLResponse:
    kamp = platform_of(request)
    tree = asset_tree(request, who, latest=False)
    machines = equipment_of(tree)
    sites = [n for n in tree if n.kind == "site"]
    lines = [(line, site) for site in sites for line in site.children]
    past = list(reversed(kamp.imports.list(who.principal)))[:15]
    return render(
        request, "import.html", who, machines=machines, past=past, sites=sites, lines=lines
    )


MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the file


async def _read_upload(request: Request, limit: int, error: TooLarge) -> StarletteUpload:
    """The one file of a multipart request, read from the network only up to ``limit`` bytes
    (and the multipart framing): past it reading stops and ``error`` is raised."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit + MULTIPART_SLACK:
        raise error

    async def bounded() -> Any:
        seen = 0
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit + MULTIPART_SLACK:
                raise error
            yield chunk

    try:
        form = await MultiPartParser(request.headers, bounded(), max_files=1, max_fields=10).parse()
    except MultiPartException as exc:
        raise InvalidInput(f"The upload cannot be read: {exc.message}.") from exc
    file = form.get("file")
    if not isinstance(file, StarletteUpload):
        raise InvalidInput("Choose a file to upload.", code="upload.no_file")
    return file


@router.post("/import/stage")
async def import_stage(request: Request, who: Posting) -> Response:
    """Stage one file for the wizard: engineers only (as import itself), at most
    ``upload_max_bytes``, and the organisation's staged files within ``upload_org_quota_bytes``."""
    kamp = platform_of(request)
    try:
        require(who.principal, Role.ENGINEER)
        root = _stage_root(request, who.principal.org_id)
        _clean_old(root)
        limit = kamp.settings.upload_max_bytes
        room = kamp.settings.upload_org_quota_bytes - folder_bytes(root)
        error = (
            too_large(limit) if limit <= room else over_quota(kamp.settings.upload_org_quota_bytes)
        )
        if room <= 0:
            raise error
        file = await _read_upload(request, min(limit, room), error)
        name = safe_name(file.filename)
        token = secrets.token_urlsafe(18)
        folder = root / token
        folder.mkdir(parents=True, exist_ok=True)
        try:
            copy_limited(file.file, folder / name, min(limit, room), error)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            await file.close()
    except OpenKampError as exc:
        return JSONResponse(error_body(exc, request), status_code=status_of(exc))

    def answer() -> dict[str, Any]:
        try:
            found = preview(kamp, who.principal, folder / name, _options(None), lang_of(request))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return {"token": token, **found}

    return _json_errors(answer, request)


async def _body(request: Request) -> dict[str, Any]:
    body = load_json(await request.body(), "request")
    if not isinstance(body, dict):
        raise InvalidInput(
            "The request must be a JSON object.",
            code="input.not_object",
            params={"what": "request"},
        )
    return body


@router.post("/import/preview")
async def import_preview(request: Request, who: Posting) -> Response:
    kamp = platform_of(request)

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        token = str(body.get("token", ""))
        path = _staged(request, who.principal.org_id, token)
        opts = _options(json.dumps(body.get("options") or {}))
        return {"token": token, **preview(kamp, who.principal, path, opts, lang_of(request))}

    return await _json_answer(request, answer)


@router.post("/import/equipment")
async def import_new_equipment(request: Request, who: Posting) -> Response:
    """A new machine on the spot, for a file from a machine not yet known: under an existing
    line, or a new line of an existing or a new site. Answers its path and display name."""
    kamp = platform_of(request)

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        def number(key: str) -> int | None:
            value = str(body.get(key) or "").strip()
            return int(value) if value.isdecimal() else None

        node = create_equipment(
            kamp,
            who.principal,
            line_id=number("line_id"),
            site_id=number("site_id"),
            new_site=str(body.get("new_site") or ""),
            new_line=str(body.get("new_line") or ""),
            label=str(body.get("label") or ""),
            name=str(body.get("name") or ""),
        )
        return {
            "id": node.id,
            "path": kamp.assets.path_of(who.principal, node.id),
            "label": display(node, lang_of(request)),
        }

    return await _json_answer(request, answer)


@router.post("/import/run")
async def import_run(request: Request, who: Posting) -> Response:
    kamp = platform_of(request)

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        path = _staged(request, who.principal.org_id, str(body.get("token", "")))
        options = json.dumps(body.get("options") or {})
        _options(options)  # a bad option is reported before anything is copied
        try:
            with path.open("rb") as fh:
                upload = UploadFile(
                    fh, filename=path.name, headers=Headers({"content-type": "text/csv"})
                )
                return imports_upload(kamp, who.principal, upload, options=options)
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)

    return await _json_answer(request, answer)


@router.get("/import/{import_id}", response_class=HTMLResponse)
def import_report(request: Request, who: Page, import_id: int) -> HTMLResponse:
    kamp = platform_of(request)
    record = kamp.imports.get(who.principal, import_id)
    report = record.get("report") or {}
    lang = lang_of(request)
    reasons = []
    for reason, count in sorted((report.get("reasons") or {}).items(), key=lambda kv: -kv[1]):
        reasons.append({"reason": reason, **_reason_parts(str(reason), lang), "count": count})
    return render(
        request,
        "import_report.html",
        who,
        record=record,
        report=report,
        reasons=reasons,
        time_format=time_format_text(str(report.get("timestamp_format") or ""), lang),
        examples=[
            {**e, **_reason_parts(str(e.get("reason", "")), lang)}
            for e in (report.get("examples") or [])[:20]
        ],
    )


def _reason_parts(reason: str, lang: str) -> dict[str, str]:
    """A quarantine reason in words: ``text``, its category (the part before the colon) in
    ``lang``, and ``column``, the file's column it names, as the file wrote it (``value: not a
    number in column 'x'`` → 숫자가 아닌 값, x). The stored reason stays as it is."""
    from openkamp.i18n import MESSAGES

    category = reason.split(":", 1)[0].strip()
    key = f"reason.{category}"
    text = t(key, lang) if key in MESSAGES else t("web_data.import.reason_other", lang)
    column = re.search(r"column (['\"])(.+?)\1", reason)  # as repr() quotes the header
    return {"text": text, "column": column.group(2) if column else ""}
