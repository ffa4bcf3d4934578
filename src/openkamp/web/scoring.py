"""Scoring ("판정") a file or a stored period with a model, and the results people act on.

A file is read exactly as an import reads it (:meth:`ImportService.open_reader`: encoding,
delimiter, title blocks and header rows; then the record plan and converter of a dataset import:
units split off headers, thousands separators, summary rows quarantined). File columns meet the
model's inputs through :func:`openkamp.ingest.names.match_key` on the input's name and its
signal's display names, so ``사출압력(bar)`` and ``사출 압력`` both feed the input ``사출압력``.
Only inputs that no column feeds are reported missing; every other column (ids, times, labels)
passes through, so each result row joins back to its row of the file.

Results are kept (Parquet, for a day) under a token so that all rows can be downloaded as CSV or
Excel while the page shows the riskiest ones first.
"""

from __future__ import annotations

import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal
from openkamp.i18n import t
from openkamp.ingest.names import match_key
from openkamp.platform import Platform

KEEP_HOURS = 24
#: Columns added by scoring, in the order they are shown, with their catalogue key.
OUTPUTS = {
    "probability": "web_data.score.col.probability",
    "prediction": "web_data.score.col.prediction",
    "score": "web_data.score.col.score",
    "alarm": "web_data.score.col.alarm",
    "top_signal": "web_data.score.col.top_signal",
    "lo": "web_data.score.col.lo",
    "hi": "web_data.score.col.hi",
}
_TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass
class FileTable:
    """A file read for scoring: its rows (columns named as the dataset import names them), the
    header each came from, the time column, and the rows set aside with their reasons."""

    frame: pd.DataFrame
    headers: dict[str, str]
    time_column: str | None
    rows_read: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)


def read_file(kamp: Platform, path: Path) -> FileTable:
    """Every row of ``path``, read by the importer's reader and the dataset import's plan."""
    from openkamp.datasets.importing import plan_for
    from openkamp.datasets.records import RecordConverter
    from openkamp.ingest.importer import ImportOptions
    from openkamp.ingest.rows import Quarantine

    opts = ImportOptions()
    reader = kamp.imports.open_reader(path, opts)
    plan = plan_for(reader, opts)
    quarantine = Quarantine()
    try:
        converter = RecordConverter(
            plan, kamp.settings.timezone, quarantine, str(reader.details.get("delimiter") or ",")
        )
        tables = []
        for chunk in reader.chunks({}):
            rows = converter.convert(chunk)
            if rows is not None and rows.num_rows:
                tables.append(rows)
    finally:
        quarantine.discard()
    kept = [c.name for c in plan.columns if c.role != "ignore"]
    frame = (
        pa.concat_tables(tables).to_pandas() if tables else pd.DataFrame(columns=kept)
    ).reset_index(drop=True)
    time_col = next((c.name for c in plan.columns if c.role == "time"), None)
    return FileTable(
        frame=frame,
        headers={c.name: c.header for c in plan.columns},
        time_column=time_col,
        rows_read=len(frame) + quarantine.count,
        quarantined=quarantine.count,
        reasons=dict(quarantine.reasons),
    )


def input_names(kamp: Platform, me: Principal, mv: Any) -> dict[str, list[str]]:
    """Each model input with the names a file may give it: ``[own, Korean, English]`` (its
    signal's display names; ``""`` where there is none)."""
    inputs = list((mv.provenance.get("training") or {}).get("inputs") or [])
    spec = (mv.provenance.get("training") or {}).get("spec") or {}
    names: dict[str, list[str]] = {i: [i, "", ""] for i in inputs}
    equipment = spec.get("equipment")
    if equipment:
        try:
            node = kamp.assets.resolve(me, str(equipment))
            signals = kamp.assets.list_signals(me, node.id)
        except (NotFound, InvalidInput):  # the machine was renamed or deleted since
            signals = []
        for sig in signals:
            if sig.name in names:
                names[sig.name] = [sig.name, sig.name_ko or "", sig.name_en or ""]
    return names


def display_inputs(kamp: Platform, me: Principal, mv: Any, lang: str) -> dict[str, str]:
    """Each model input by the name people know it by in ``lang`` (its signal's display name)."""
    key = 1 if lang == "ko" else 2
    return {
        name: spellings[key] or spellings[1] or spellings[2] or name
        for name, spellings in input_names(kamp, me, mv).items()
    }


def match_inputs(
    columns: list[str], headers: dict[str, str], inputs: dict[str, list[str]]
) -> tuple[dict[str, str], list[str]]:
    """File column per model input (by :func:`match_key`), and the inputs no column feeds."""
    by_key: dict[str, str] = {}
    for col in columns:
        for text in (col, headers.get(col, col)):
            by_key.setdefault(match_key(text), col)
    found: dict[str, str] = {}
    missing: list[str] = []
    for name, spellings in inputs.items():
        keys = [match_key(s) for s in spellings if s]
        hit = next((by_key[k] for k in keys if k in by_key), None)
        if hit is None:
            missing.append(name)
        else:
            found[name] = hit
    return found, missing


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
    carriage return first) is written with a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def for_people(frame: pd.DataFrame, tz: Any) -> pd.DataFrame:
    """Times in local time without offset (as Excel shows them); text cells neutralised."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_convert(tz).dt.tz_localize(None)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(neutralise, na_action="ignore")
    return out


# --------------------------------------------------------------------------- kept results


def _root(kamp: Platform, org_id: int) -> Path:
    return Path(kamp.settings.data_dir) / "scored" / str(org_id)


def keep(kamp: Platform, me: Principal, frame: pd.DataFrame) -> str:
    """Keep a result for download; returns its token (results older than a day are removed)."""
    root = _root(kamp, me.org_id)
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_HOURS * 3600
    for old in root.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True) if old.is_file() else shutil.rmtree(old, True)
    token = secrets.token_urlsafe(18)
    frame.to_parquet(root / f"{token}.parquet", index=False)
    return token


def kept(kamp: Platform, me: Principal, token: str) -> pd.DataFrame:
    path = _root(kamp, me.org_id) / f"{token}.parquet"
    if not token or not set(token) <= _TOKEN_CHARS or not path.is_file():
        raise NotFound("The scored result is gone.", code="web_data.score_gone")
    return pd.read_parquet(path)


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel opens Korean text correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def to_excel(frame: pd.DataFrame, sheet: str) -> bytes:
    import io

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def column_titles(columns: list[str], headers: dict[str, str], lang: str) -> dict[str, str]:
    """What each result column is called on the page and in downloads: the output columns in
    the page's language, the file's columns as the file wrote them."""
    out = {}
    for c in columns:
        if c in OUTPUTS:
            out[c] = t(OUTPUTS[c], lang)
        elif c.startswith("p_") and c not in headers:
            out[c] = t("web_data.score.col.p_class", lang, label=c[2:])
        else:
            out[c] = headers.get(c, c)
    return out
