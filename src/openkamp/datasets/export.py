"""Datasets out to people: CSV (UTF-8 with BOM, so Excel opens Korean text) and Excel.

Both stream the version batch by batch (bounded memory). Headers are the file's own headers
(``사출압력(bar)``), times are local times without an offset (as Excel shows them), and a text
cell a spreadsheet would run as a formula (beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is written with a leading apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

import pandas as pd

from openkamp.core.cells import neutralise
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal

if TYPE_CHECKING:
    from openkamp.datasets._version import DatasetVersion
    from openkamp.datasets.service import DatasetRef, DatasetService

__all__ = ["EXCEL_MAX_ROWS", "FORMATS", "csv_chunks", "neutralise", "write_excel", "write_export"]

FORMATS = ("csv", "xlsx")
#: Rows of data an Excel sheet holds (1,048,576 rows less the header).
EXCEL_MAX_ROWS = 1_048_575


def _for_people(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_convert(tz).dt.tz_localize(None)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(neutralise, na_action="ignore")
    return out


def _headers(v: DatasetVersion) -> list[str]:
    return [c.header or c.name for c in v.columns]


def csv_chunks(
    service: DatasetService, principal: Principal, ref: DatasetRef, tz: str
) -> Iterator[bytes]:
    """The version as CSV bytes, one piece per stored batch (for a streaming response)."""
    v = service.get(principal, ref)
    buf = io.StringIO()
    csv.writer(buf).writerow([neutralise(h) for h in _headers(v)])
    yield ("\ufeff" + buf.getvalue()).encode("utf-8")
    for frame in service.iter_batches(principal, v.id):
        yield _for_people(frame, tz).to_csv(index=False, header=False).encode("utf-8")


def write_excel(
    service: DatasetService, principal: Principal, ref: DatasetRef, out: BinaryIO, tz: str
) -> int:
    """The version as one .xlsx sheet (openpyxl's write-only mode: rows are not kept)."""
    from openpyxl import Workbook

    v = service.get(principal, ref)
    if v.rows > EXCEL_MAX_ROWS:
        raise InvalidInput(
            f"An Excel file holds at most {EXCEL_MAX_ROWS:,} rows (this dataset: {v.rows:,}).",
            hint="Export as CSV instead.",
            code="datasets.export_too_large",
            params={"limit": EXCEL_MAX_ROWS, "rows": v.rows},
        )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(v.name[:31] or "data"))
    ws.append([neutralise(h) for h in _headers(v)])
    n = 0
    for frame in service.iter_batches(principal, v.id):
        people = _for_people(frame, tz).astype(object).where(pd.notna(frame), None)
        for row in people.itertuples(index=False, name=None):
            ws.append(list(row))
            n += 1
    wb.save(out)
    return n


def write_export(
    service: DatasetService,
    principal: Principal,
    ref: DatasetRef,
    out: BinaryIO,
    fmt: str,
    tz: str,
) -> int:
    """Write the version to ``out`` as ``csv`` or ``xlsx``; returns the rows written."""
    if fmt == "csv":
        v = service.get(principal, ref)
        for piece in csv_chunks(service, principal, v.id, tz):
            out.write(piece)
        return v.rows
    if fmt == "xlsx":
        return write_excel(service, principal, ref, out, tz)
    raise InvalidInput(
        f"Export format {fmt!r} is not supported; use csv or xlsx.",
        code="datasets.export_format",
        params={"format": fmt},
    )
