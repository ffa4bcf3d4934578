"""The results of scoring ("판정") that people act on: downloads (CSV with BOM, Excel, formula
cells neutralised, written a batch at a time), local times, column titles in the page's
language. The rows themselves are kept for a day by :class:`openkamp.ml.results.ScoreResults`.

Reading a file and matching its columns to the model's inputs is :mod:`openkamp.ml.file_scoring`
(the API scores files through it too).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import pandas as pd

from openkamp.core import cells
from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal
from openkamp.i18n import t
from openkamp.ingest.names import match_key
from openkamp.ml.file_scoring import (
    FileTable,
    display_inputs,
    input_names,
    match_inputs,
    read_file,
    score_file,
)
from openkamp.platform import Platform

__all__ = [
    "FileTable",
    "display_inputs",
    "input_names",
    "match_inputs",
    "read_file",
    "score_file",
]

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


neutralise = cells.neutralise  # the one rule for every export (openkamp.core.cells)


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


# --------------------------------------------------------------------------- downloads


def csv_chunks(frames: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """Consecutive frames (same columns) as one CSV: UTF-8 with BOM, so Excel opens Korean text
    correctly; cells neutralised; written a frame at a time (for a streaming response)."""
    first = True
    for frame in frames:
        text = cells.neutralise_frame(frame).to_csv(index=False, header=first)
        yield (("\ufeff" if first else "") + text).encode("utf-8")
        first = False


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel opens Korean text correctly."""
    return b"".join(csv_chunks([frame]))


def write_excel(frames: Iterable[pd.DataFrame], sheet: str, out: BinaryIO) -> int:
    """Consecutive frames as one sheet (openpyxl's write-only mode: rows are not kept);
    returns the rows written."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet[:31] or "scores")
    n = 0
    for i, frame in enumerate(frames):
        safe = cells.neutralise_frame(frame)
        if i == 0:
            ws.append([str(c) for c in safe.columns])
        values = safe.astype(object).where(pd.notna(safe), None)
        for row in values.itertuples(index=False, name=None):
            ws.append(list(row))
            n += 1
    wb.save(out)
    return n


def to_excel(frame: pd.DataFrame, sheet: str) -> bytes:
    import io

    buf = io.BytesIO()
    write_excel([frame], sheet, buf)
    return buf.getvalue()


def known_names(kamp: Platform, me: Principal, mv: Any, lang: str) -> dict[str, str]:
    """Display names (in ``lang``) of the model's machine's signals and label columns, by
    :func:`match_key` of every name they go by: a file column that is one of them is titled
    as people know it (``hold_pressure`` → 보압)."""
    spec = (mv.provenance.get("training") or {}).get("spec") or {}
    equipment = spec.get("equipment")
    if spec.get("dataset"):  # a table of records: its columns' display names
        try:
            version = kamp.datasets.get(me, str(spec["dataset"]))
        except (NotFound, InvalidInput):
            return {}
        found: dict[str, str] = {}
        for col in version.columns:
            for name in (col.name, col.header):
                if name:
                    found.setdefault(match_key(name), col.label(lang))
        return found
    if not equipment:
        return {}
    try:
        node = kamp.assets.resolve(me, str(equipment))
        items: list[Any] = [
            *kamp.assets.list_signals(me, node.id),
            *kamp.assets.list_label_columns(me, node.id),
        ]
    except (NotFound, InvalidInput):
        return {}
    out: dict[str, str] = {}
    for item in items:
        own = getattr(item, f"name_{lang}", "") or item.name_ko or item.name_en or item.name
        for name in (item.name, item.name_ko, item.name_en):
            if name:
                out.setdefault(match_key(name), own)
    return out


def column_titles(
    columns: list[str],
    headers: dict[str, str],
    lang: str,
    known: dict[str, str] | None = None,
    time_column: str | None = None,
) -> dict[str, str]:
    """What each result column is called on the page and in downloads: the outputs, the time
    and the machine's own signals and labels in the page's language; other file columns (ids,
    notes) as the file wrote them."""
    known = known or {}
    out = {}
    for c in columns:
        header = headers.get(c, c)
        if c in OUTPUTS:
            out[c] = t(OUTPUTS[c], lang)
        elif c.startswith("p_") and c not in headers:
            out[c] = t("web_data.score.col.p_class", lang, label=c[2:])
        elif c == time_column or (time_column is None and c == "timestamp"):
            out[c] = t("web_data.score.col.time", lang)
        elif c in RECOMMEND:
            out[c] = t(RECOMMEND[c], lang)
        else:
            out[c] = _known_or_suffixed(header, c, known, lang)
    return out


#: Columns of a recommendation (optimise models) and their titles.
RECOMMEND = {
    "predicted_before": "web_data.score.col.predicted_before",
    "predicted_after": "web_data.score.col.predicted_after",
    "improvement": "web_data.score.col.improvement",
    "changed": "web_data.score.col.changed",
    "distance": "web_data.score.col.distance",
}


def _known_or_suffixed(header: str, column: str, known: dict[str, str], lang: str) -> str:
    """A signal's display name; ``<signal>_current`` / ``<signal>_change`` of a recommendation
    as "보압 (현재)" / "보압 (변경량)"; else the header as the file wrote it."""
    for text in (header, column):
        hit = known.get(match_key(text))
        if hit:
            return hit
    for suffix in ("current", "change"):
        base = column.removesuffix(f"_{suffix}")
        if base != column and known.get(match_key(base)):
            return t(f"web_data.score.col.{suffix}", lang, name=known[match_key(base)])
    return header
