"""Record tables from files: is a file a time series or a table of records, and its rows as a
dataset.

Many factory files are tables of records — one row per shot, part, lot or test — with or without
a time, several rows per timestamp (the LH and RH cavity of one shot), id columns and text
categories. :func:`detect_kind` says which kind a file is, from the reader's sample, with the
reasons in words (``datasets.reason.*`` in the catalogue) so the preview can show them and the
user can switch. :class:`RecordPlan` gives every column its dataset kind and role, and
:class:`RecordConverter` turns the reader's chunks into typed rows, quarantining the rows it
cannot keep (summary rows, unreadable times, text in a number column, wrong field counts) with a
reason, so that rows read = rows stored + rows quarantined.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openkamp.core.errors import ImportRejected, InvalidInput
from openkamp.datasets._version import ROLES, DatasetColumn
from openkamp.ingest import timestamps
from openkamp.ingest.plan import find_timestamp_column, split_unit
from openkamp.ingest.readers import Chunk
from openkamp.ingest.rows import Quarantine, Reasons
from openkamp.ingest.timestamps import TimestampFormat
from openkamp.ingest.values import MISSING, is_numeric_sample, to_float

__all__ = [
    "KindDecision",
    "KindReason",
    "RecordConverter",
    "RecordPlan",
    "detect_kind",
    "plan_records",
]

Kind = Literal["timeseries", "records"]

# Headers that name a row's part, cavity, lot, mould, serial … (compared without spaces,
# underscores or case, after the unit is removed). Exact names, so that '금형온도' (a mould
# temperature) stays a measurement.
_ID_WORDS = (
    "품번|품목|품목코드|품명|부품번호|제품번호|제품코드|캐비티|캐비티번호|cav|cavity|cavityno|"
    "로트|로트번호|lot|lotno|lotid|lotnumber|금형|금형번호|금형코드|mold|mould|moldno|mouldno|"
    "시리얼|시리얼번호|serial|serialno|sn|s/n|바코드|barcode|작업지시|작업지시번호|workorder|wo|"
    "part|partno|partid|partnumber|shotno|shotid|샷번호|설비|설비번호|machine|machineid|호기|"
    "작업자|operator|라인|line"
)
_ID_NAME = re.compile(rf"^({_ID_WORDS})$")
# Headers of labels: judgement, result, defect type.
_LABEL_NAME = re.compile(
    r"^(판정|양불|양불판정|양부|합부|결과|검사결과|품질|불량|불량여부|불량유형|불량코드|불량명|"
    r"result|judge|judgement|judgment|label|okng|passfail|defect|defecttype|quality|class)$"
)
# Values that only a label holds.
_LABEL_VALUES = {
    "ok", "ng", "양품", "불량", "pass", "fail", "good", "bad", "합격", "불합격", "정상", "이상",
}  # fmt: skip
# Cells that mark a total / summary row under a table (a person's line, not a record).
_SUMMARY = re.compile(
    r"^\s*(합계|소계|총계|누계|평균|계|total|subtotal|grand\s*total|sum|average|avg|mean)\s*:?\s*$",
    re.IGNORECASE,
)
#: Share of sample rows with an earlier row's time above which repeats are the table's structure
#: (several rows per time), not errors of a time series.
REPEATED_SHARE = 0.05
#: Share of a sample's cells that must read as numbers for a column to be a number column (the
#: rows with text there are then quarantined as "not a number"); below it the column is text.
#: The time-series importer's own rule, so that both read a column the same way.
NUMERIC_SHARE = 0.5


@dataclass(frozen=True)
class KindReason:
    """Why a kind was chosen: a catalogue code (``datasets.reason.<code>``) and its params."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "ko") -> str:
        from openkamp.i18n import t

        return t(f"datasets.reason.{self.code}", lang, **dict(self.params))

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "params": dict(self.params)}
        if lang:
            out["text"] = self.text(lang)
        return out


@dataclass(frozen=True)
class KindDecision:
    """The kind a file was found to be (or was asked to be), and why."""

    kind: Kind
    reasons: tuple[KindReason, ...]
    detected: Kind  # what auto-detection found, even when the user chose otherwise
    time_column: str | None = None

    def texts(self, lang: str = "ko") -> list[str]:
        return [r.text(lang) for r in self.reasons]

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "detected": self.detected,
            "time_column": self.time_column,
            "reasons": [r.to_dict(lang) for r in self.reasons],
        }


def _key(header: str) -> str:
    name, _ = split_unit(unicodedata.normalize("NFKC", str(header)))
    return re.sub(r"[\s_\-.]+", "", name).casefold()


def is_id_header(header: str) -> bool:
    return bool(_ID_NAME.match(_key(header)))


def is_label_column(header: str, values: Sequence[Any]) -> bool:
    """A judgement / result / defect-type column, by its header or by holding only OK/NG words."""
    if _LABEL_NAME.match(_key(header)):
        return True
    present = {str(v).strip().casefold() for v in values if v not in (None, "")}
    return bool(present) and present <= _LABEL_VALUES


def _text(values: Sequence[Any]) -> list[str]:
    return [
        "" if v is None else (v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v))
        for v in values
    ]


def _time_column(
    columns: list[str], sample: dict[str, list[Any]], requested: str | None
) -> tuple[str | None, TimestampFormat | None]:
    try:
        col, fmt = find_timestamp_column(columns, sample, requested)
    except ImportRejected:
        if requested:
            raise
        return None, None
    return col, fmt


def _is_number(values: Sequence[Any]) -> bool:
    present = [v for v in values if v not in (None, "") and str(v).strip() not in MISSING]
    if not present:
        return False  # an empty column says nothing: keep it as text
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return True
    return is_numeric_sample(_text(present), threshold=NUMERIC_SHARE)


def detect_kind(
    columns: list[str],
    sample: dict[str, list[Any]],
    *,
    requested: str = "auto",
    timestamp_column: str | None = None,
    timestamp_format: str | None = None,
    tz: str = "UTC",
    known_columns: frozenset[str] | None = None,
    series_hint: str | None = None,
) -> KindDecision:
    """Time series or records, with reasons in words.

    ``series_hint`` (a reason code) says the user already described the file as a time series
    (a long layout, a column → signal mapping): then it is one.

    In order: no time column → records; repeated times (more than :data:`REPEATED_SHARE` of the
    sample) → records; every column already a signal or label of the chosen equipment
    (``known_columns``) → time series; id columns, or text columns that are not labels, beside a
    time → records; otherwise (strictly increasing time with numeric columns) → time series. A
    ``requested`` kind other than ``auto`` wins, and the reasons still say what was found.
    """
    reasons: list[KindReason] = []
    ts_col, fmt = _time_column(columns, sample, timestamp_column)
    if timestamp_format and fmt is not None:
        fmt = TimestampFormat(timestamp_format, fraction=fmt.fraction)
    detected: Kind
    if series_hint is not None and ts_col is not None:
        detected = "timeseries"
        reasons.append(KindReason(series_hint))
    elif ts_col is None or fmt is None:
        detected = "records"
        reasons.append(KindReason("no_time"))
    else:
        detected, more = _with_time(columns, sample, ts_col, fmt, tz, known_columns)
        reasons.extend(more)
    if requested not in ("auto", "timeseries", "records"):
        raise InvalidInput(
            f"Unknown import kind {requested!r}.",
            hint="Use auto, timeseries or records.",
            code="datasets.kind",
            params={"kind": requested},
        )
    kind: Kind = detected if requested == "auto" else requested  # type: ignore[assignment]
    if kind != detected:
        reasons.append(KindReason("chosen", {"kind": kind}))
    return KindDecision(kind, tuple(reasons), detected, ts_col)


def _with_time(
    columns: list[str],
    sample: dict[str, list[Any]],
    ts_col: str,
    fmt: TimestampFormat,
    tz: str,
    known: frozenset[str] | None,
) -> tuple[Kind, list[KindReason]]:
    values = sample.get(ts_col, [])
    if values and all(hasattr(v, "year") for v in values if v not in (None, "")):
        arr = pa.array([v if v not in ("",) else None for v in values])
    else:
        arr = pa.array(_text(values), pa.string())
    parsed, bad = timestamps.parse(arr, fmt, tz)
    ts = parsed.cast(pa.int64()).to_numpy(zero_copy_only=False)[~bad]
    if len(ts):
        repeated = len(ts) - len(np.unique(ts))
        if repeated > REPEATED_SHARE * len(ts):
            return "records", [
                KindReason("repeated_time", {"column": ts_col, "rows": repeated, "of": len(ts)})
            ]
    others = [c for c in columns if c != ts_col]
    if known is not None and others and all(_key(c) in known for c in others):
        return "timeseries", [KindReason("known_signals", {"count": len(others)})]
    ids = [c for c in others if is_id_header(c)]
    texts = [
        c
        for c in others
        if c not in ids
        and not _is_number(sample.get(c, []))
        and not is_label_column(c, sample.get(c, []))
        and any(v not in (None, "") for v in sample.get(c, []))
    ]
    reasons: list[KindReason] = []
    if ids:
        reasons.append(KindReason("id_columns", {"columns": ", ".join(ids)}))
    if texts:
        reasons.append(KindReason("text_columns", {"columns": ", ".join(texts)}))
    if reasons:
        return "records", reasons
    increasing = len(ts) < 2 or bool(np.all(np.diff(ts) > 0))
    return "timeseries", [
        KindReason("increasing_time" if increasing else "time_series", {"column": ts_col})
    ]


# -- the plan of a record table ---------------------------------------------------------------


@dataclass
class RecordPlan:
    """What each file column becomes in the dataset."""

    columns: list[DatasetColumn]  # in file order
    headers: dict[str, str]  # dataset column name -> file header
    time_column: str | None  # file header
    time_format: TimestampFormat | None

    def describe(self) -> list[dict[str, Any]]:
        return [c.to_dict() for c in self.columns]


def plan_records(
    columns: list[str],
    sample: dict[str, list[Any]],
    *,
    time_column: str | None = None,
    timestamp_format: str | None = None,
    roles: Mapping[str, str] | None = None,
    label_columns: Sequence[str] = (),
    ignore_columns: Sequence[str] = (),
    no_time: bool = False,
) -> RecordPlan:
    """Kind and role of every column: a found (or given) time column, id columns by their
    header, labels by header or OK/NG values, numbers where the sample reads as numbers (at
    least :data:`NUMERIC_SHARE`), text elsewhere. ``roles`` (header → role) overrides."""
    roles = dict(roles or {})
    for col, role in roles.items():
        if col not in columns:
            raise ImportRejected(
                f"There is no column {col!r} in the file.",
                hint=f"Columns found: {', '.join(columns[:30])}.",
                code="datasets.no_file_column",
                params={"column": col},
            )
        if role not in ROLES:
            raise InvalidInput(
                f"Column {col!r}: unknown role {role!r}.",
                code="datasets.column_role",
                params={"column": col, "role": role, "roles": ", ".join(ROLES)},
            )
    requested_time = time_column or next((c for c, r in roles.items() if r == "time"), None)
    ts_col, fmt = (None, None) if no_time else _time_column(columns, sample, requested_time)
    if timestamp_format and fmt is not None:
        fmt = TimestampFormat(timestamp_format, fraction=fmt.fraction)
    out: list[DatasetColumn] = []
    headers: dict[str, str] = {}
    for col in columns:
        name, unit = split_unit(unicodedata.normalize("NFKC", str(col)))
        name = " ".join(name.split()) or "column"
        base, n = name, 2
        while name in headers:
            name, n = f"{base}_{n}", n + 1
        headers[name] = col
        values = sample.get(col, [])
        if col == ts_col:
            kind, role = "time", "time"
        else:
            kind = "number" if _is_number(values) else "text"
            if col in ignore_columns:
                role = "ignore"
            elif col in label_columns or is_label_column(col, values):
                role = "label"
            elif is_id_header(col):
                role = "id"
            else:
                role = "input"
        role = roles.get(col, role)
        if role == "time" and col != ts_col:
            role = "input"  # only the parsed time column holds times
        if col == ts_col and role != "time":
            kind = "text"  # the user un-chose the time: keep it as written
        korean = bool(re.search(r"[\uac00-\ud7a3]", name))
        out.append(
            DatasetColumn(
                name=name,
                kind=kind,
                role=role,
                header=str(col),
                unit=unit,
                display={"ko": name} if korean else {"en": name, "ko": name},
            )
        )
    time_kept = any(c.role == "time" for c in out)
    return RecordPlan(out, headers, ts_col if time_kept else None, fmt if time_kept else None)


# -- converting chunks ------------------------------------------------------------------------


def _row_text(table: pa.Table, idx: np.ndarray, delimiter: str) -> list[str]:
    cols = [table.column(i).take(pa.array(idx)).to_pylist() for i in range(table.num_columns)]
    return [
        delimiter.join("" if c[j] is None else str(c[j]) for c in cols) for j in range(len(idx))
    ]


class RecordConverter:
    """Typed rows of a record table, chunk by chunk; bad rows quarantined with a reason."""

    def __init__(self, plan: RecordPlan, tz: str, quarantine: Quarantine, delimiter: str) -> None:
        self.plan, self.tz, self.quarantine, self.delimiter = plan, tz, quarantine, delimiter
        self.stored = 0

    def convert(self, chunk: Chunk) -> pa.Table | None:
        table = chunk.table
        n = table.num_rows
        if n == 0:
            return None
        reason = Reasons(n)
        # A total / summary row: a summary word in one of the first two columns' cells.
        for col in table.column_names[:2]:
            arr = table.column(col)
            if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                hit = pc.fill_null(
                    pc.match_substring_regex(arr, _SUMMARY.pattern, ignore_case=True), False
                )
                reason.flag(
                    np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool),
                    "summary: a total or summary row, not a record",
                )
        out: dict[str, pa.Array] = {}
        present = np.zeros(n, dtype=bool)
        for c in self.plan.columns:
            arr = table.column(c.header)
            if c.kind == "time":
                assert self.plan.time_format is not None
                parsed, bad = timestamps.parse(arr, self.plan.time_format, self.tz)
                reason.flag(bad, f"timestamp: cannot be read in column {c.header!r}")
                out[c.name] = parsed
                present |= ~bad
            elif c.kind == "number":
                nums, bad = to_float(arr)
                reason.flag(bad, f"value: not a number in column {c.header!r}")
                out[c.name] = nums
                present |= pc.is_valid(nums).to_numpy(zero_copy_only=False)
            else:
                text = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
                if pa.types.is_timestamp(text.type) or pa.types.is_date(text.type):
                    text = pc.strftime(text, format="%Y-%m-%d %H:%M:%S")
                text = pc.utf8_trim_whitespace(text.cast(pa.string()))
                missing = pc.fill_null(pc.is_in(text, value_set=pa.array(MISSING)), True)
                text = pc.if_else(missing, pa.scalar(None, pa.string()), text)
                broken = pc.fill_null(pc.match_substring(text, "\ufffd"), False)
                reason.flag(
                    broken.to_numpy(zero_copy_only=False),
                    f"text: undecodable bytes in column {c.header!r}",
                )
                out[c.name] = text
                present |= pc.is_valid(text).to_numpy(zero_copy_only=False)
        reason.flag(~present, "empty: the row has no values")
        bad_rows = reason.bad_rows()
        if bad_rows:
            idx = np.array([i for i, _ in bad_rows], dtype=np.int64)
            numbers = chunk.row_numbers(idx)
            for (_, text), raw, number in zip(
                bad_rows, _row_text(table, idx, self.delimiter), numbers, strict=True
            ):
                self.quarantine.add(int(number), text, raw)
        ok = reason.ok
        rows = pa.table(out)
        if not ok.all():
            rows = rows.filter(pa.array(ok))
        self.stored += rows.num_rows
        return rows
