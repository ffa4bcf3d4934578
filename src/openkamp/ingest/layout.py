"""Where the table starts: title blocks, blank rows, one or two header rows, merged header cells.

MES and PLC exports rarely begin with the header. A title (``사출기 생산 실적``), the period, the
author and blank rows come first; the header may take two rows — Korean above English, a group
(``금형온도``) above its members (``LH``, ``RH``), or names above units — with merged cells. This
module looks at the first rows of a sheet or text file as a grid of cells and finds the header
and the first data row; every decision comes with a note (a catalogue code and its parameters)
so the preview can say what was found and why, and the user can override it.

Detection: the data block is the first run of rows that are mostly numbers or times and as wide
as the table; the header is the non-empty row just above it, plus the row above that when it
reads as a header too (several cells, no ``key: value`` title, not data). Two header rows are
combined column by column (see :func:`combine_rows`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from openkamp.core.errors import ImportRejected
from openkamp.ingest.names import header_name, normalise_text

#: Rows looked at to find the header (title blocks are short).
SCAN_ROWS = 40
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?\s*[^\d\s]{0,5}$")
_DIGIT = re.compile(r"\d")
_DATE = re.compile(r"^\d{2,4}[-/.년]\s?\d{1,2}[-/.월]\s?\d{1,4}")
_CLOCK = re.compile(r"^(오전|오후|AM|PM)?\s*\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?\s*(AM|PM)?$", re.I)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_UNITS = {
    "℃", "°c", "c", "°f", "k", "bar", "mbar", "pa", "kpa", "mpa", "psi", "kgf/cm2", "kgf/㎠",
    "mm", "cm", "m", "um", "μm", "µm", "mm/s", "m/s", "m/min", "rpm", "s", "sec", "ms", "min",
    "h", "%", "a", "ma", "v", "kv", "w", "kw", "kwh", "hz", "kg", "g", "t", "ton", "l", "ml",
    "l/min", "lpm", "n", "kn", "nm", "cc", "cm3", "ea", "개", "회", "초", "분", "도",
}  # fmt: skip


def cell_kind(v: Any) -> str:
    """'empty', 'number', 'time' or 'text' for one cell (typed Excel value or text)."""
    if v is None:
        return "empty"
    if isinstance(v, bool):
        return "text"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, datetime | date | time):
        return "time"
    s = str(v).strip()
    if not s:
        return "empty"
    if _DATE.match(s) or _CLOCK.match(s):
        return "time"
    if _DIGIT.search(s) and _NUMBER.match(s):
        return "number"
    return "text"


def is_unit(text: str) -> bool:
    """A header cell that is only a unit: ``bar``, ``(℃)``, ``[mm/s]``."""
    s = normalise_text(text).strip("()[]{} ").casefold()
    return s in _UNITS or s.replace("°", "") in _UNITS


@dataclass
class HeaderLayout:
    """Where the header is (0-based rows of the grid) and the column names it gives."""

    header_row: int
    header_rows: int
    columns: list[str]  # one name per column, units kept as '(unit)', not yet unique
    english: dict[int, str] = field(default_factory=dict)  # column index -> English name
    title: list[str] = field(default_factory=list)  # text of the rows above the header
    notes: list[dict[str, Any]] = field(default_factory=list)  # {'code', 'params'} for the preview

    @property
    def data_row(self) -> int:
        return self.header_row + self.header_rows


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return normalise_text(str(v))


def _note(layout: HeaderLayout, code: str, **params: Any) -> None:
    layout.notes.append({"code": f"ingest.note.{code}", "params": params})


def detect_header(
    rows: list[list[Any]],
    *,
    merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None,
    header_row: int | None = None,
    header_rows: int | None = None,
) -> HeaderLayout:
    """Find the header in the first rows of a file (``rows``: cells as read, ``merged``: the
    sheet's merged ranges as ((row, col), (row, col)) relative to ``rows``)."""
    scan = rows[:SCAN_ROWS]
    kinds = [[cell_kind(v) for v in r] for r in scan]
    filled = [sum(k != "empty" for k in r) for r in kinds]
    if not any(filled):
        raise ImportRejected(
            "The file is empty.", hint="Choose the file that holds the data.", code="ingest.empty"
        )
    width = max(filled)

    def datalike(i: int) -> bool:
        n = filled[i]
        measured = sum(k in ("number", "time") for k in kinds[i])
        return n >= max(2, (width + 1) // 2) and measured >= max(1, 0.3 * n)

    def titlelike(i: int) -> bool:
        cells = [_text(v) for v in scan[i] if _text(v)]
        colons = sum((":" in c) or c.endswith("~") or (" ~ " in c) for c in cells)
        return filled[i] <= 1 or colons * 2 >= len(cells)

    if header_row is not None:
        if not 0 <= header_row < len(rows):
            raise ImportRejected(
                f"Row {header_row + 1} is not in the file.",
                hint="Choose a header row within the file's first rows.",
                code="ingest.header_row_missing",
                params={"row": header_row + 1},
            )
        h0 = header_row
        if header_rows is None:
            nxt = h0 + 1
            header_rows = (
                2
                if nxt < len(scan)
                and filled[nxt] >= 2
                and not datalike(nxt)
                and (nxt + 1 >= len(scan) or datalike(nxt + 1))
                and filled[h0] >= 2
                else 1
            )
        n_head = max(1, min(2, header_rows))
        layout = HeaderLayout(h0, n_head, [])
        _note(layout, "header_given", row=h0 + 1, rows=n_head)
    else:
        layout = _auto(scan, kinds, filled, datalike, titlelike)
    layout.title = [
        " ".join(_text(v) for v in r if _text(v)) for r in rows[: layout.header_row] if any(r)
    ]
    layout.title = [t for t in layout.title if t]
    if layout.title:
        _note(layout, "title", rows=layout.header_row, text=" / ".join(layout.title)[:120])
    head = rows[layout.header_row : layout.data_row]
    if len(head) == 2:
        layout.columns = combine_rows(layout, head[0], head[1], merged or [])
    elif head:
        layout.columns = [_text(v) for v in head[0]]
    return layout


def _auto(
    scan: list[list[Any]],
    kinds: list[list[str]],
    filled: list[int],
    datalike: Any,
    titlelike: Any,
) -> HeaderLayout:
    n = len(scan)
    data = None
    for i in range(n):
        if not datalike(i):
            continue
        following = [j for j in range(i + 1, min(n, i + 4)) if filled[j]]
        if all(datalike(j) for j in following[:2]):
            data = i
            break
    if data is None:  # no block of numbers or times: the first full row is the header
        first = next(i for i in range(n) if filled[i] >= max(1, max(filled) // 2))
        layout = HeaderLayout(first, 1, [])
        if first:
            _note(layout, "header_found", row=first + 1)
        return layout
    above = [i for i in range(data) if filled[i]]
    if not above:
        raise ImportRejected(
            "The file has no header row: its first row already holds data.",
            hint="Add a row of column names above the data, or choose the header row.",
            code="ingest.no_header",
        )
    h = above[-1]
    if titlelike(h) and filled[h] < 2:
        raise ImportRejected(
            "No header row was found above the data.",
            hint="Choose the header row (the row with the column names).",
            code="ingest.no_header",
        )
    start, rows = h, 1
    prev = h - 1
    if prev >= 0 and filled[prev] >= 2 and not datalike(prev) and not titlelike(prev):
        start, rows = prev, 2
    layout = HeaderLayout(start, rows, [])
    if start or rows > 1:
        _note(layout, "header_found", row=start + 1, rows=rows, data_row=data + 1)
    return layout


def combine_rows(
    layout: HeaderLayout,
    top_raw: list[Any],
    bottom_raw: list[Any],
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
) -> list[str]:
    """Two header rows become one name per column.

    * names above units (``사출압력`` / ``bar``) → ``사출압력(bar)``;
    * Korean above English (or the reverse), every column → the Korean name, English kept;
    * a group above its members (``금형온도`` over ``LH``, ``RH``; merged or left blank to the
      right in a CSV) → ``금형온도 LH``; a cell merged down over both rows keeps its one name.
    """
    width = max(len(top_raw), len(bottom_raw))
    top = [_text(top_raw[j]) if j < len(top_raw) else "" for j in range(width)]
    bottom = [_text(bottom_raw[j]) if j < len(bottom_raw) else "" for j in range(width)]
    r0 = layout.header_row
    grouped = False
    # Merged cells (Excel): the value sits in the range's first cell; spread it across.
    for (ra, ca), (rb, cb) in merged:
        if ra <= r0 <= rb and cb > ca:
            for j in range(ca + 1, min(cb + 1, width)):
                if not top[j]:
                    top[j], grouped = top[ca], True
    # Blank to the right of a group cell (CSV exports of merged cells): the group goes on,
    # as long as the row below names members. A cell with nothing below spans both rows.
    last = ""
    for j in range(width):
        if top[j]:
            last = top[j] if bottom[j] else ""
        elif last and bottom[j]:
            top[j], grouped = last, True
        else:
            last = ""
    pairs = [(t, b) for t, b in zip(top, bottom, strict=True) if t and b]
    if pairs and all(is_unit(b) for _, b in pairs):
        _note(layout, "unit_row")
        return [
            f"{t}({b.strip('()[]{} ')})" if t and b else t or b
            for t, b in zip(top, bottom, strict=True)
        ]
    bilingual = (
        not grouped
        and len(pairs) >= 2
        and sum(_lang(t) != _lang(b) and {_lang(t), _lang(b)} == {"ko", "en"} for t, b in pairs)
        >= 0.8 * len(pairs)
    )
    out: list[str] = []
    if bilingual:
        _note(layout, "bilingual_header")
        for j, (t, b) in enumerate(zip(top, bottom, strict=True)):
            ko, en = (t, b) if _lang(t) == "ko" or not b else (b, t)
            if ko and en and ko != en:
                layout.english[j] = en
            out.append(ko or en)
        return out
    if grouped:
        _note(layout, "group_header")
    for t, b in zip(top, bottom, strict=True):
        if t == b or not b or not t:
            out.append(t or b)
            continue
        # A group's unit goes to the end, where header_name finds it: 금형온도(℃) + LH
        # → 금형온도 LH(℃).
        group, unit = header_name(t)
        name, own = header_name(b)
        out.append(f"{group} {name}({own or unit})" if (own or unit) else f"{group} {name}")
    return out


def _lang(text: str) -> str:
    if _HANGUL.search(text):
        return "ko"
    return "en" if _LATIN.search(text) else ""
