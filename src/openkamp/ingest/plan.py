"""Deciding what each column of a file means, before any data is written.

The plan says which column holds the time (and in which format), whether the file is wide (a
column per signal) or long (signal, timestamp, value rows), and for every other column whether it
becomes a signal, a label column or is ignored. Everything that would make the whole file
unusable is found here and raised as :class:`ImportRejected`, so a rejected file changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from openkamp.core.assets import LabelSpec, LabelType, SignalSpec, ValueType, slugify
from openkamp.core.errors import ImportRejected
from openkamp.ingest.timestamps import TimestampFormat, detect_format
from openkamp.ingest.values import is_numeric_sample

_TS_NAME = re.compile(
    r"^(time|timestamp|datetime|date_?time|date|ts|일시|시간|시각|날짜|측정\s*시간|측정\s*일시|수집\s*시간|time\s*stamp)$",
    re.IGNORECASE,
)
_SIGNAL_NAME = re.compile(
    r"^(signal|tag|tag_?name|sensor|name|variable|신호|태그|항목|센서)$", re.IGNORECASE
)
_VALUE_NAME = re.compile(r"^(value|val|값|측정값)$", re.IGNORECASE)
_UNIT = re.compile(r"^(?P<name>.*?)\s*[\(\[](?P<unit>[^\)\]]{1,16})[\)\]]\s*$")
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


@dataclass
class ImportPlan:
    layout: Literal["wide", "long"]
    timestamp_column: str
    timestamp_format: TimestampFormat
    targets: list[ColumnTarget] = field(default_factory=list)
    signal_column: str | None = None  # long layout
    value_column: str | None = None  # long layout


def split_unit(header: str) -> tuple[str, str]:
    """``'온도(℃)'`` → ``('온도', '℃')``; headers without a unit come back unchanged."""
    m = _UNIT.match(header.strip())
    if m and m.group("name").strip():
        return m.group("name").strip(), m.group("unit").strip()
    return header.strip(), ""


def signal_spec_for(header: str) -> SignalSpec:
    """A new signal's spec from a column header (Korean headers become the Korean name)."""
    text, unit = split_unit(header)
    korean = bool(_HANGUL.search(text))
    return SignalSpec(
        name=slugify(text, "signal"),
        name_ko=text if korean else "",
        name_en="" if korean else text,
        unit=unit,
    )


def label_spec_for(header: str, sample: list[Any]) -> LabelSpec:
    text, _ = split_unit(header)
    korean = bool(_HANGUL.search(text))
    distinct = sorted({str(v).strip() for v in sample if v is not None and str(v).strip()})
    as_category = 0 < len(distinct) <= 20
    return LabelSpec(
        name=slugify(text, "label"),
        name_ko=text if korean else "",
        name_en="" if korean else text,
        label_type=LabelType.CATEGORY if as_category else LabelType.TEXT,
        categories=distinct if as_category else [],
    )


def _text_sample(values: list[Any]) -> list[str]:
    return [
        "" if v is None else (v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v))
        for v in values
    ]


def find_timestamp_column(
    columns: list[str], sample: dict[str, list[Any]], requested: str | None
) -> tuple[str, TimestampFormat]:
    if requested:
        if requested not in columns:
            raise ImportRejected(
                f"There is no column {requested!r} in the file.",
                hint=f"Columns found: {', '.join(columns[:30])}.",
            )
        order = [requested]
    else:
        named = [c for c in columns if _TS_NAME.match(c.strip())]
        order = named + [c for c in columns if c not in named]
    for col in order:
        values = sample.get(col, [])
        present = [v for v in values if v not in (None, "")]
        if present and all(hasattr(v, "year") for v in present):
            return col, TimestampFormat("typed")  # Excel / Parquet datetimes
        fmt = detect_format(_text_sample(values))
        if fmt is not None and (requested or _TS_NAME.match(col.strip()) or "%" in fmt.pattern):
            return col, fmt
        if requested:
            shown = ", ".join(repr(v) for v in _text_sample(values)[:3])
            raise ImportRejected(
                f"The times in column {col!r} cannot be read (e.g. {shown}).",
                hint="Give the format with --timestamp-format, e.g. '%Y-%m-%d %H:%M:%S'.",
            )
    raise ImportRejected(
        "No timestamp column was found.",
        hint=f"Name the column holding the time with --timestamp-column. Columns found: {', '.join(columns[:30])}.",
    )


def detect_layout(columns: list[str], requested: str) -> tuple[str, str | None, str | None]:
    sig = next((c for c in columns if _SIGNAL_NAME.match(c.strip())), None)
    val = next((c for c in columns if _VALUE_NAME.match(c.strip())), None)
    if requested == "long" or (requested == "auto" and sig and val and len(columns) <= 5):
        if not (sig and val):
            raise ImportRejected(
                "A long-layout file needs a signal column and a value column.",
                hint="Name them 'signal' and 'value' (or 신호 / 값), or import as wide layout.",
            )
        return "long", sig, val
    return "wide", None, None


def build_plan(
    columns: list[str],
    sample: dict[str, list[Any]],
    *,
    layout: str = "auto",
    timestamp_column: str | None = None,
    timestamp_format: str | None = None,
    mapping: dict[str, str] | None = None,
    label_columns: list[str] | None = None,
    ignore_columns: list[str] | None = None,
) -> ImportPlan:
    """Decide layout, timestamp and per-column targets (ids are resolved later)."""
    mapping = dict(mapping or {})
    labels = set(label_columns or [])
    ignored = set(ignore_columns or []) | {c for c, t in mapping.items() if t in ("", "-")}
    for col in [*mapping, *labels, *ignored]:
        if col not in columns:
            raise ImportRejected(
                f"There is no column {col!r} in the file.",
                hint=f"Columns found: {', '.join(columns[:30])}.",
            )
    kind, sig_col, val_col = detect_layout(columns, layout)
    ts_col, fmt = find_timestamp_column(columns, sample, timestamp_column)
    if timestamp_format:
        fmt = TimestampFormat(timestamp_format, fraction=fmt.fraction)
    plan = ImportPlan(kind, ts_col, fmt, signal_column=sig_col, value_column=val_col)  # type: ignore[arg-type]
    if kind == "long":
        return plan
    for col in columns:
        if col == ts_col:
            continue
        if col in ignored:
            plan.targets.append(ColumnTarget(col, "ignore"))
            continue
        name = mapping.get(col, "")
        values = sample.get(col, [])
        as_label = col in labels or not is_numeric_sample(_text_sample(values))
        if as_label:
            spec: SignalSpec | LabelSpec = label_spec_for(col, values)
            plan.targets.append(ColumnTarget(col, "label", name or spec.name, create=spec))
        else:
            spec = signal_spec_for(col)
            if name:
                spec.name = name
            plan.targets.append(ColumnTarget(col, "signal", spec.name, create=spec))
    if not any(t.kind != "ignore" for t in plan.targets):
        raise ImportRejected(
            "The file has a timestamp column but no data columns.",
            hint="Check the delimiter (--delimiter) and the column mapping.",
        )
    return plan


def bool_signal(spec: SignalSpec | None) -> bool:
    return spec is not None and spec.value_type == ValueType.BOOL
