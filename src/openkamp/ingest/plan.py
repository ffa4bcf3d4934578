"""Deciding what each column of a file means, before any data is written.

The plan says which column holds the time (and in which format), whether the file is wide (a
column per signal) or long (signal, timestamp, value rows), and for every other column whether it
becomes a signal, a label column or is ignored. Everything that would make the whole file
unusable is found here and raised as :class:`ImportRejected`, so a rejected file changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from openkamp.core.assets import LabelSpec, LabelType, SignalSpec, ValueType, slugify
from openkamp.core.errors import ImportRejected
from openkamp.ingest.names import header_name, match_key
from openkamp.ingest.timestamps import (
    TYPED,
    TYPED_DATE,
    TimestampFormat,
    detect_format,
    is_clock_sample,
)
from openkamp.ingest.values import SUMMARY, cell_unit, decimal_comma, is_numeric_sample

_TS_NAME = re.compile(
    r"^(time|timestamp|datetime|date_?time|date|ts|일시|시간|시각|날짜|일자|측정시간|측정일시|"
    r"수집시간|수집일시|생산일시|작업일시|생산일자|작업일자|측정일자|time\s*stamp|발생시간|등록일시)$",
    re.IGNORECASE,
)
_SIGNAL_NAME = re.compile(
    r"^(signal|tag|tag_?name|sensor|name|variable|신호|태그|항목|센서)$", re.IGNORECASE
)
_VALUE_NAME = re.compile(r"^(value|val|값|측정값)$", re.IGNORECASE)
# Columns that say which part, shot, lot or cavity a row is about (compared by match_key).
_ID_NAME = re.compile(
    r"^(품번|품목|품목코드|품명|부품번호|제품번호|제품코드|lot|lotno|lot번호|로트|로트번호|"
    r"캐비티|cavity|cav|캐비티번호|금형|금형번호|mold|mould|moldno|part|partno|partnumber|"
    r"serial|serialno|시리얼|일련번호|바코드|barcode|shot|shotno|샷|샷번호|쇼트|쇼트번호|"
    r"작업지시|작업지시번호|workorder|id|no|번호|순번|위치|side|position)$"
)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass
class ColumnTarget:
    """Where one column goes: ``kind`` is 'signal', 'label' or 'ignore'."""

    column: str
    kind: Literal["signal", "label", "ignore"]
    name: str = ""
    target_id: int | None = None  # signal or label column id once resolved
    create: SignalSpec | LabelSpec | None = None  # spec to create when it does not exist
    booleans: bool = False
    role: str = ""  # 'id' (which part / shot / cavity), 'label', 'excluded', 'empty' or ''
    unit_in_cells: str = ""  # '230 bar': every number of the column carries this unit
    comma_decimal: bool = False  # '1,5' means 1.5


@dataclass
class ImportPlan:
    layout: Literal["wide", "long"]
    timestamp_column: str  # the time column, or the date column of a date + time pair
    timestamp_format: TimestampFormat
    targets: list[ColumnTarget] = field(default_factory=list)
    signal_column: str | None = None  # long layout
    value_column: str | None = None  # long layout
    time_columns: list[str] = field(default_factory=list)  # [time] or [date, time]; [] if none
    id_columns: list[str] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # {'code', 'params'}: what and why

    def note(self, code: str, **params: Any) -> None:
        self.notes.append({"code": f"ingest.note.{code}", "params": params})

    @property
    def time_label(self) -> str:
        """The time column as people read it: ``'일시'`` or ``'일자 + 시간'``."""
        return " + ".join(self.time_columns)


def split_unit(header: str) -> tuple[str, str]:
    """``'온도(℃)'`` → ``('온도', '℃')`` (see :func:`openkamp.ingest.names.header_name`)."""
    return header_name(header)


def signal_spec_for(header: str, english: str = "", unit: str = "") -> SignalSpec:
    """A new signal's spec from a column header (Korean headers become the Korean name; an
    English header row gives the English name; ``unit`` when the header has none)."""
    text, own_unit = split_unit(header)
    en_text, en_unit = split_unit(english) if english else ("", "")
    korean = bool(_HANGUL.search(text))
    return SignalSpec(
        name=slugify(en_text or text, "signal"),
        name_ko=text if korean else "",
        name_en=en_text or ("" if korean else text),
        unit=own_unit or en_unit or unit,
    )


def label_spec_for(header: str, sample: list[Any], english: str = "") -> LabelSpec:
    text, _ = split_unit(header)
    en_text = split_unit(english)[0] if english else ""
    korean = bool(_HANGUL.search(text))
    distinct = sorted({str(v).strip() for v in sample if v is not None and str(v).strip()})
    as_category = 0 < len(distinct) <= 20
    return LabelSpec(
        name=slugify(en_text or text, "label"),
        name_ko=text if korean else "",
        name_en=en_text or ("" if korean else text),
        label_type=LabelType.CATEGORY if as_category else LabelType.TEXT,
        categories=distinct if as_category else [],
    )


def _text_sample(values: list[Any]) -> list[str]:
    return [
        ""
        if v is None
        else v.isoformat(sep=" ")
        if isinstance(v, datetime)
        else v.isoformat()
        if isinstance(v, date | time)
        else str(v)
        for v in values
    ]


def _missing_column(col: str, columns: list[str]) -> ImportRejected:
    return ImportRejected(
        f"There is no column {col!r} in the file.",
        hint=f"Columns found: {', '.join(columns[:30])}.",
        code="ingest.no_column",
        params={"column": col, "columns": ", ".join(columns[:30])},
    )


def _single_format(col: str, values: list[Any], requested: bool) -> TimestampFormat | None:
    # Total rows (합계, 소계 …) in the time column are not times, nor a reason to doubt it.
    values = [v for v in values if not (isinstance(v, str) and re.match(SUMMARY, v, re.IGNORECASE))]
    present = [v for v in values if v not in (None, "")]
    if present and all(isinstance(v, datetime | date) for v in present):
        midnight = all(
            not isinstance(v, datetime) or (v.hour, v.minute, v.second, v.microsecond) == (0,) * 4
            for v in present
        )
        return TimestampFormat(TYPED_DATE if midnight else TYPED)
    fmt = detect_format(_text_sample(values))
    if fmt is not None and (requested or _TS_NAME.match(match_key(col)) or "%" in fmt.pattern):
        return fmt
    return None


def find_time_columns(
    columns: list[str], sample: dict[str, list[Any]], requested: list[str] | None = None
) -> tuple[list[str], TimestampFormat | None, str]:
    """The time column, or a date column and a time column to join; and why (a note code).

    Returns ``([], None, 'no_time')`` when nothing reads as time (a record table).
    """
    for col in requested or []:
        if col not in columns:
            raise _missing_column(col, columns)
    if requested and len(requested) > 2:
        raise ImportRejected(
            "Give one time column, or a date column and a time column.",
            hint="e.g. time_columns=['일자', '시간'].",
            code="ingest.time_columns",
            params={"count": len(requested)},
        )
    if requested and len(requested) == 2:
        fmt = _joined_format(sample, requested[0], requested[1])
        if fmt is None:
            raise _unreadable(requested[0] + " + " + requested[1], sample.get(requested[0], []))
        return list(requested), fmt, "time_given"
    if requested:
        col = requested[0]
        fmt = _single_format(col, sample.get(col, []), True)
        if fmt is None:
            raise _unreadable(col, sample.get(col, []))
        return [col], fmt, "time_given"
    named = [c for c in columns if _TS_NAME.match(match_key(c))]
    order = named + [c for c in columns if c not in named]
    found = [(c, f) for c in order if (f := _single_format(c, sample.get(c, []), False))]
    full = [(c, f) for c, f in found if not f.date_only]
    if full:
        return [full[0][0]], full[0][1], "time_named" if full[0][0] in named else "time_found"
    clocks = [c for c in columns if is_clock_sample(sample.get(c, []))]
    for date_col, _ in found:  # date-only columns, named ones first
        after = [c for c in clocks if columns.index(c) > columns.index(date_col)] + clocks
        for clock in after:
            fmt = _joined_format(sample, date_col, clock)
            if fmt is not None:
                return [date_col, clock], fmt, "time_split"
    if found:
        return [found[0][0]], found[0][1], "time_date_only"
    return [], None, "no_time"


def find_timestamp_column(
    columns: list[str], sample: dict[str, list[Any]], requested: str | None
) -> tuple[str, TimestampFormat]:
    """The one time column and its format (raises when there is none).

    Kept for callers that read one column; :func:`find_time_columns` also finds a date column
    and a time column to join.
    """
    cols, fmt, _ = find_time_columns(columns, sample, [requested] if requested else None)
    if fmt is None:
        raise no_time_column(columns)
    return cols[0], fmt


def _joined_format(
    sample: dict[str, list[Any]], date_col: str, clock: str
) -> TimestampFormat | None:
    dates = sample.get(date_col, [])
    times = sample.get(clock, [])
    joined = [
        f"{d.strftime('%Y-%m-%d') if isinstance(d, datetime | date) else str(d).strip()} "
        f"{t.isoformat() if isinstance(t, time) else str(t).strip()}"
        for d, t in zip(dates, times, strict=False)
        if d not in (None, "") and t not in (None, "")
    ]
    return detect_format(joined)


def _unreadable(col: str, values: list[Any]) -> ImportRejected:
    shown = ", ".join(repr(v) for v in _text_sample(values)[:3])
    return ImportRejected(
        f"The times in column {col!r} cannot be read (e.g. {shown}).",
        hint="Give the format with --timestamp-format, e.g. '%Y-%m-%d %H:%M:%S'.",
        code="ingest.time_unreadable",
        params={"column": col, "examples": shown},
    )


def no_time_column(columns: list[str]) -> ImportRejected:
    """The error of a time-series import from a file without a time column."""
    return ImportRejected(
        "No timestamp column was found.",
        hint="Name the column holding the time with --timestamp-column, or import the file as "
        f"a record table. Columns found: {', '.join(columns[:30])}.",
        code="ingest.no_time",
        params={"columns": ", ".join(columns[:30])},
    )


def detect_layout(columns: list[str], requested: str) -> tuple[str, str | None, str | None]:
    sig = next((c for c in columns if _SIGNAL_NAME.match(c.strip())), None)
    val = next((c for c in columns if _VALUE_NAME.match(c.strip())), None)
    if requested == "long" or (requested == "auto" and sig and val and len(columns) <= 5):
        if not (sig and val):
            raise ImportRejected(
                "A long-layout file needs a signal column and a value column.",
                hint="Name them 'signal' and 'value' (or 신호 / 값), or import as wide layout.",
                code="ingest.long_columns",
            )
        return "long", sig, val
    return "wide", None, None


def _repeats(values: list[Any]) -> int:
    """How many sample rows repeat an earlier row's time."""
    present = [
        str(v)
        for v in values
        if v not in (None, "") and not (isinstance(v, str) and re.match(SUMMARY, v, re.I))
    ]
    return len(present) - len(set(present))


def build_plan(
    columns: list[str],
    sample: dict[str, list[Any]],
    *,
    layout: str = "auto",
    timestamp_column: str | None = None,
    timestamp_format: str | None = None,
    time_columns: list[str] | None = None,
    mapping: dict[str, str] | None = None,
    label_columns: list[str] | None = None,
    ignore_columns: list[str] | None = None,
    id_columns: list[str] | None = None,
    english: dict[str, str] | None = None,
    require_time: bool = True,
) -> ImportPlan:
    """Decide layout, time column(s) and per-column targets (ids are resolved later).

    With ``require_time=False`` a file without a time column gets a plan with no time columns
    instead of an error: the preview shows it, and a record-table import can use it. The plan
    says what the columns are, not which kind of data the file is: that is decided in one
    place, :func:`openkamp.datasets.records.detect_kind`, from this plan and the sample.
    """
    mapping = dict(mapping or {})
    labels = set(label_columns or [])
    english = english or {}
    ignored = set(ignore_columns or []) | {c for c, t in mapping.items() if t in ("", "-")}
    for col in [*mapping, *labels, *ignored, *(id_columns or [])]:
        if col not in columns:
            raise _missing_column(col, columns)
    kind, sig_col, val_col = detect_layout(columns, layout)
    wanted = list(time_columns or ([timestamp_column] if timestamp_column else []))
    ts_cols, fmt, why = find_time_columns(columns, sample, wanted)
    if fmt is None:
        if require_time:
            raise no_time_column(columns)
        fmt = TimestampFormat("")
    if timestamp_format:
        fmt = TimestampFormat(timestamp_format, fraction=fmt.fraction)
    plan = ImportPlan(
        kind,  # type: ignore[arg-type]
        ts_cols[0] if ts_cols else "",
        fmt,
        signal_column=sig_col,
        value_column=val_col,
        time_columns=ts_cols,
    )
    plan.note(why, columns=" + ".join(ts_cols), format=fmt.describe())
    if kind == "long":
        return plan
    if id_columns is None:
        ids = [c for c in columns if c not in ts_cols and _ID_NAME.match(match_key(c))]
        if ids:
            plan.note("id_columns", columns=", ".join(ids))
    else:
        ids = list(id_columns)
    plan.id_columns = ids
    repeats = _repeats(_time_sample(sample, ts_cols)) if ts_cols else 0
    if repeats:  # a fact; whether it makes a table of records is detect_kind's to say
        plan.note("times_repeat", rows=repeats, ids=", ".join(ids))
    summary = _summary_rows(sample, columns)
    if summary:
        plan.note("summary_rows", rows=summary)
    for col in columns:
        if col in ts_cols:
            continue
        values = sample.get(col, [])
        if col in ignored:
            plan.targets.append(ColumnTarget(col, "ignore", role="excluded"))
            continue
        if all(v in (None, "") for v in values) and col not in labels and col not in mapping:
            plan.targets.append(ColumnTarget(col, "ignore", role="empty"))
            plan.note("empty_column", column=col)
            continue
        name = mapping.get(col, "")
        texts = _text_sample(values)
        unit = cell_unit(texts) if col not in labels and col not in ids else ""
        comma = decimal_comma(texts)
        numeric = is_numeric_sample(texts, unit=unit, comma_decimal=comma)
        # Ids the user names are kept as text; detected ones only when they are not numbers
        # (a shot counter stays a signal of a time series).
        given_id = id_columns is not None and col in ids
        as_label = col in labels or given_id or not numeric
        if as_label:
            spec: SignalSpec | LabelSpec = label_spec_for(col, values, english.get(col, ""))
            role = "id" if col in ids else "label"
            plan.targets.append(
                ColumnTarget(col, "label", name or spec.name, create=spec, role=role)
            )
        else:
            spec = signal_spec_for(col, english.get(col, ""), unit)
            if name:
                spec.name = name
            plan.targets.append(
                ColumnTarget(
                    col, "signal", spec.name, create=spec, unit_in_cells=unit, comma_decimal=comma
                )
            )
            if unit:
                plan.note("unit_in_cells", column=col, unit=unit)
            if comma:
                plan.note("decimal_comma", column=col)
    if not any(t.kind != "ignore" for t in plan.targets):
        raise ImportRejected(
            "The file has no data columns besides the time.",
            hint="Check the delimiter (--delimiter) and the column mapping.",
            code="ingest.no_data_columns",
        )
    return plan


def _time_sample(sample: dict[str, list[Any]], cols: list[str]) -> list[Any]:
    if len(cols) == 1:
        return sample.get(cols[0], [])
    return [
        f"{d} {t}" for d, t in zip(sample.get(cols[0], []), sample.get(cols[1], []), strict=False)
    ]


def _summary_rows(sample: dict[str, list[Any]], columns: list[str]) -> int:
    """Sample rows whose first text cells say 합계 / 평균 / Total …"""
    n = max((len(v) for v in sample.values()), default=0)
    hits = 0
    for i in range(n):
        cells = [sample[c][i] for c in columns[:3] if i < len(sample.get(c, []))]
        if any(isinstance(v, str) and re.match(SUMMARY, v, re.IGNORECASE) for v in cells):
            hits += 1
    return hits


def bool_signal(spec: SignalSpec | None) -> bool:
    return spec is not None and spec.value_type == ValueType.BOOL


def note_texts(notes: list[dict[str, Any]], lang: str = "ko") -> list[str]:
    """The plan's notes (what was detected and why) as sentences in ``lang``."""
    from openkamp.i18n import t

    return [t(n["code"], lang, **n.get("params", {})) for n in notes]
