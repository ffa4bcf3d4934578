"""Record tables from files: is a file a time series or a table of records, and its rows as a
dataset.

Many factory files are tables of records — one row per part, lot or test, or several rows per
timestamp (the LH and RH cavity of one shot) — with or without a time. :func:`detect_kind` says
which kind a file is, from the ingest plan of the file (:func:`openkamp.ingest.plan.build_plan`:
its time column(s), id columns, numbers) and the reader's sample, with the reasons in words
(``datasets.reason.*`` in the catalogue) so the preview can show them and the user can switch.
It is the one place that decides the kind: the preview (:meth:`ImportService.preview_kind`),
the import (:meth:`ImportService.import_file`) and the scoring of a file
(:func:`openkamp.ml.file_scoring.read_file`) all reach it through
:func:`openkamp.datasets.importing.decide_kind`. :class:`RecordPlan` gives every column its dataset kind and role, and
:class:`RecordConverter` turns the reader's chunks into typed rows, quarantining the rows it
cannot keep (summary rows, unreadable times, text in a number column, wrong field counts) with a
reason, so that rows read = rows stored + rows quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openkamp.core.errors import ImportRejected, InvalidInput
from openkamp.datasets._version import ROLES, DatasetColumn, check_columns
from openkamp.ingest import timestamps
from openkamp.ingest.names import header_name, match_key
from openkamp.ingest.plan import ColumnTarget, ImportPlan
from openkamp.ingest.readers import Chunk
from openkamp.ingest.rows import Quarantine, Reasons
from openkamp.ingest.timestamps import TimestampFormat
from openkamp.ingest.values import MISSING, is_summary, to_float

__all__ = [
    "KindDecision",
    "KindReason",
    "RecordConverter",
    "RecordPlan",
    "detect_kind",
    "plan_records",
    "row_ids",
]

Kind = Literal["timeseries", "records"]

# Headers of labels: judgement, result, defect type.
_LABEL_NAME = re.compile(
    r"^(판정|양불|양불판정|양부|합부|결과|검사결과|품질|불량|불량여부|불량유형|불량코드|불량명|"
    r"result|judge|judgement|judgment|label|okng|ok/ng|passfail|pass/fail|defect|defecttype|"
    r"quality|class)$"
)
# Values that only a label holds.
_LABEL_VALUES = {
    "ok", "ng", "양품", "불량", "pass", "fail", "good", "bad", "합격", "불합격", "정상", "이상",
}  # fmt: skip
#: Share of sample rows with an earlier row's time above which repeats are the table's structure
#: (several rows per time), not errors of a time series.
REPEATED_SHARE = 0.05


@dataclass(frozen=True)
class KindReason:
    """Why a kind was chosen: a catalogue code (``datasets.reason.<code>``) and its params."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "ko") -> str:
        from openkamp.i18n import t

        params = dict(self.params)
        if self.code == "chosen":  # the kind in words: 기록 표 (데이터셋) / Time series (signals)
            params["kind"] = t(f"datasets.kind.{params.get('kind')}", lang)
        return t(f"datasets.reason.{self.code}", lang, **params)

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
    # The ingest plan the decision read (so the file is planned once: a record import and the
    # scoring of a file build their columns on it), and whether a time-series import can use
    # it as it is (not when it was read as a wide table or without a time).
    plan: ImportPlan | None = field(default=None, compare=False, repr=False)
    series_plan: bool = field(default=False, compare=False, repr=False)

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
    return match_key(header)


def is_label_column(header: str, values: Sequence[Any]) -> bool:
    """A judgement / result / defect-type column, by its header or by holding only OK/NG words."""
    if _LABEL_NAME.match(_key(header)):
        return True
    present = {str(v).strip().casefold() for v in values if v not in (None, "")}
    return bool(present) and present <= _LABEL_VALUES


def _text(values: Sequence[Any]) -> list[str]:
    """Sample cells as text (typed Excel dates and times as ISO text)."""
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


def _time_text(sample: Mapping[str, list[Any]], cols: Sequence[str]) -> pa.Array:
    """The sample's time cells as one column (a date and a time column joined)."""

    def column(name: str) -> pa.Array:
        values = sample.get(name, [])
        present = [v for v in values if v not in (None, "")]
        if present and all(isinstance(v, datetime) for v in present):
            return pa.array([v if v not in (None, "") else None for v in values])
        return pa.array(_text(values), pa.string())

    if len(cols) == 2:
        return timestamps.join_date_time(column(cols[0]), column(cols[1]))
    return column(cols[0])


def detect_kind(
    plan: ImportPlan,
    sample: Mapping[str, list[Any]],
    *,
    requested: str = "auto",
    tz: str = "UTC",
    known_columns: frozenset[str] | None = None,
    series_hint: str | None = None,
) -> KindDecision:
    """Time series or records, with reasons in words, from the ingest plan of the file (built
    with ``require_time=False``) and its sample: the one rule every path uses.

    ``series_hint`` (a reason code) says the user already described the file as a time series
    (a long layout, a column → signal mapping): then it is one, when it has a time.

    The rule follows the shape of the rows, not the spelling of the headers, as an engineer
    reads a file: one row per moment is a machine's history, several rows per moment or rows
    without a moment are records. In order:

    * no time column → records;
    * repeated times (more than :data:`REPEATED_SHARE` of the sample: several records per
      time, such as the cavities of a shot; a single repeat is an error of a time series,
      quarantined there) → records;
    * every column already a signal or label of the chosen equipment (``known_columns``) → time
      series;
    * an id column (part, serial, barcode … written as text) that gives every row its own value
      → records, one row per part (:func:`row_ids`);
    * otherwise (one row per time) → time series. Judgements (OK/NG), defect types, lots,
      product codes and other text become label columns of the time series, numbers with units
      in their cells become signals: neither makes a time-ordered log a table of records.

    A ``requested`` kind other than ``auto`` wins, and the reasons still say what was found.
    """
    if requested not in ("auto", "timeseries", "records"):
        raise InvalidInput(
            f"Unknown import kind {requested!r}.",
            hint="Use auto, timeseries or records.",
            code="datasets.kind",
            params={"kind": requested},
        )
    reasons: list[KindReason] = []
    time_label = " + ".join(plan.time_columns)
    detected: Kind
    if not plan.time_columns:
        detected = "records"
        reasons.append(KindReason("no_time"))
    elif series_hint is not None:
        detected = "timeseries"
        reasons.append(KindReason(series_hint))
    else:
        detected, more = _with_time(plan, sample, time_label, tz, known_columns)
        reasons.extend(more)
    kind: Kind = detected if requested == "auto" else requested  # type: ignore[assignment]
    if kind != detected:
        reasons.append(KindReason("chosen", {"kind": kind}))
    return KindDecision(kind, tuple(reasons), detected, time_label or None)


#: Share of sample rows that must hold a value for an id column to name each row's part.
ROW_ID_SHARE = 0.8


def row_ids(plan: ImportPlan, sample: Mapping[str, list[Any]]) -> list[str]:
    """Id columns written as text (serial, barcode, part number …) with a different value on
    every sample row that has one, filled on nearly every row (:data:`ROW_ID_SHARE`): each
    row is its own part. Ids that repeat (a lot, a product code, a mould, a cavity) are what
    the rows share, not what tells them apart, and do not make a table of records."""
    rows = max((len(v) for v in sample.values()), default=0)
    out = []
    for t in plan.targets:
        if t.kind != "label" or t.role != "id":
            continue
        present = [str(v).strip() for v in sample.get(t.column, []) if v not in (None, "")]
        present = [v for v in present if v]
        filled = len(present) >= 2 and len(present) >= ROW_ID_SHARE * rows
        if filled and len(set(present)) == len(present):
            out.append(t.column)
    return out


def _with_time(
    plan: ImportPlan,
    sample: Mapping[str, list[Any]],
    time_label: str,
    tz: str,
    known: frozenset[str] | None,
) -> tuple[Kind, list[KindReason]]:
    parsed, bad = timestamps.parse(_time_text(sample, plan.time_columns), plan.timestamp_format, tz)
    ts = parsed.cast(pa.int64()).to_numpy(zero_copy_only=False)[~bad]
    if len(ts):
        repeated = len(ts) - len(np.unique(ts))
        if repeated > REPEATED_SHARE * len(ts):
            return "records", [
                KindReason("repeated_time", {"column": time_label, "rows": repeated, "of": len(ts)})
            ]
    data = [t for t in plan.targets if t.kind != "ignore"]
    if known is not None and data and all(_key(t.column) in known for t in data):
        return "timeseries", [KindReason("known_signals", {"count": len(data)})]
    ids = row_ids(plan, sample)
    if ids:
        return "records", [KindReason("id_columns", {"columns": ", ".join(ids)})]
    increasing = len(ts) < 2 or bool(np.all(np.diff(ts) > 0))
    return "timeseries", [
        KindReason("increasing_time" if increasing else "time_series", {"column": time_label})
    ]


# -- the plan of a record table ---------------------------------------------------------------


@dataclass
class RecordPlan:
    """What each file column becomes in the dataset (``source``: the file columns each dataset
    column is read from: one, or a date and a time column joined)."""

    columns: list[DatasetColumn]
    source: dict[str, list[str]]  # dataset column name -> file columns
    time_format: TimestampFormat | None
    number_format: dict[str, tuple[str, bool]] = field(default_factory=dict)  # unit, comma
    summary_columns: list[str] = field(default_factory=list)  # file columns a total is named in

    @property
    def time_column(self) -> str | None:
        """The dataset's time column (its name)."""
        return next((c.name for c in self.columns if c.role == "time"), None)

    def describe(self) -> list[dict[str, Any]]:
        return [c.to_dict() for c in self.columns]

    def arrow_types(self) -> dict[str, pa.DataType]:
        """Types the reader may parse file columns as directly (the fast path; a chunk with a
        cell that does not fit is read as text and checked cell by cell, as for signals)."""
        types: dict[str, pa.DataType] = {}
        for c in self.columns:
            source = self.source[c.name]
            if c.kind == "number" and self.number_format.get(source[0]) == ("", False):
                types[source[0]] = pa.float64()
            elif c.kind == "time" and len(source) == 1 and self.time_format is not None:
                fmt = self.time_format
                if fmt.pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S") and not fmt.fraction:
                    types[source[0]] = pa.timestamp("us")
        return types


def plan_records(
    plan: ImportPlan,
    sample: Mapping[str, list[Any]],
    *,
    roles: Mapping[str, str] | None = None,
    label_columns: Sequence[str] = (),
    excluded: Sequence[str] = (),
) -> RecordPlan:
    """Kind and role of every column, from the ingest plan: its time column(s) (a date and a
    time column become one time column), numbers where the plan found numbers (with units in
    cells and decimal commas as it found them), ids as it found them, labels by header or OK/NG
    values, and text categories as inputs. ``roles`` (header → role) overrides; columns the user
    excluded are left out, empty ones kept with the role ``ignore``."""
    roles = dict(roles or {})
    # The time of a split date and time is one column of the dataset, shown (and given roles)
    # under its joined header, "일자 + 시간"; a role for it is the role of both file columns.
    joined = " + ".join(plan.time_columns)
    if len(plan.time_columns) > 1 and joined in roles:
        role = roles.pop(joined)
        for c in plan.time_columns:
            roles.setdefault(c, role)
    headers = [*plan.time_columns, *(t.column for t in plan.targets)]
    for col, role in roles.items():
        if col not in headers:
            raise ImportRejected(
                f"There is no column {col!r} in the file.",
                hint=f"Columns found: {', '.join(headers[:30])}.",
                code="datasets.no_file_column",
                params={"column": col},
            )
        if role not in ROLES:
            raise InvalidInput(
                f"Column {col!r}: unknown role {role!r}.",
                code="datasets.column_role",
                params={"column": col, "role": role, "roles": ", ".join(ROLES)},
            )
    out = RecordPlan([], {}, None)
    used: set[str] = set()

    def add(column: DatasetColumn, source: list[str]) -> None:
        base, n, name = column.name, 2, column.name
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        out.columns.append(replace(column, name=name))
        out.source[name] = source

    time_cols = list(plan.time_columns)
    if time_cols and any(roles.get(c, "time") != "time" for c in time_cols):
        time_cols = []  # the user un-chose the time: its columns are kept as text below
    if time_cols:
        label = " + ".join(header_name(c)[0] for c in time_cols)
        add(
            DatasetColumn(
                label, "time", "time", header=" + ".join(time_cols), display=_display(label)
            ),
            time_cols,
        )
        out.time_format = plan.timestamp_format
        out.summary_columns += time_cols
    targets = list(plan.targets)
    if plan.time_columns and not time_cols:
        targets = [ColumnTarget(c, "label") for c in plan.time_columns] + targets
    for t in targets:
        if (t.kind == "ignore" and t.role == "excluded") or t.column in excluded:
            continue
        name, unit = header_name(t.column)
        name = name or "column"
        values = sample.get(t.column, [])
        if t.kind == "signal":
            kind = "number"
            # A numeric id (shot number, cavity 1/2) is an id of a record, not a measurement.
            role = (
                "label"
                if t.column in label_columns
                else "id"
                if t.column in plan.id_columns
                else "input"
            )
            spec_unit = getattr(t.create, "unit", "") if t.create is not None else ""
            unit = unit or spec_unit or t.unit_in_cells
            out.number_format[t.column] = (t.unit_in_cells, t.comma_decimal)
        elif t.kind == "label":
            kind = "text"
            if t.role == "id":
                role = "id"
            elif t.column in label_columns or is_label_column(t.column, values):
                role = "label"
            else:
                role = "input"  # a text category: an input a model may use
            out.summary_columns.append(t.column)
        else:  # empty in the sample
            kind, role = "text", "ignore"
            out.summary_columns.append(t.column)
        role = roles.get(t.column, role)
        if role == "time":
            role = "input"  # only the plan's time column(s) hold times
        add(
            DatasetColumn(name, kind, role, header=t.column, unit=unit, display=_display(name)),
            [t.column],
        )
    check_columns(out.columns)
    return out


def _display(name: str) -> dict[str, str]:
    return {"ko": name} if re.search(r"[\uac00-\ud7a3]", name) else {"ko": name, "en": name}


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
        summary = np.zeros(n, dtype=bool)
        for col in self.plan.summary_columns:
            arr = table.column(col).combine_chunks()
            summary |= is_summary(arr)
        reason.flag(summary, "summary: a total or summary row (합계, 평균, Total …)")
        out: dict[str, pa.Array] = {}
        present = np.zeros(n, dtype=bool)
        for c in self.plan.columns:
            source = self.plan.source[c.name]
            if c.kind == "time":
                assert self.plan.time_format is not None
                text = (
                    timestamps.join_date_time(table.column(source[0]), table.column(source[1]))
                    if len(source) == 2
                    else table.column(source[0])
                )
                parsed, bad = timestamps.parse(text, self.plan.time_format, self.tz)
                reason.flag(bad, f"timestamp: cannot be read in column {c.header!r}")
                out[c.name] = parsed
                present |= ~bad
            elif c.kind == "number":
                unit, comma = self.plan.number_format.get(source[0], ("", False))
                nums, bad = to_float(table.column(source[0]), unit=unit, comma_decimal=comma)
                reason.flag(bad, f"value: not a number in column {c.header!r}")
                out[c.name] = nums
                present |= pc.is_valid(nums).to_numpy(zero_copy_only=False)
            else:
                text = _as_text(table.column(source[0]))
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
            # The row as the file wrote it; rebuilt from the cells only for readers that
            # cannot give the raw line.
            raws = (
                chunk.raw_lines(numbers)
                if chunk.raw_lines is not None
                else _row_text(table, idx, self.delimiter)
            )
            for (_, text_), raw, number in zip(bad_rows, raws, numbers, strict=True):
                self.quarantine.add(int(number), text_, raw)
        ok = reason.ok
        rows = pa.table(out)
        if not ok.all():
            rows = rows.filter(pa.array(ok))
        self.stored += rows.num_rows
        return rows


def _as_text(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Cells as trimmed text; missing markers and empty cells become nulls."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        arr = pc.strftime(arr.cast(pa.timestamp("us")), format="%Y-%m-%d %H:%M:%S")
    elif pa.types.is_floating(arr.type):
        # Excel numbers in a text column ('12' read as 12.0) are written as people wrote them.
        as_int = pc.equal(arr, pc.floor(arr))
        arr = pc.if_else(
            pc.fill_null(as_int, False),
            pc.cast(pc.cast(arr, pa.int64(), safe=False), pa.string()),
            pc.cast(arr, pa.string()),
        )
    text = pc.utf8_trim_whitespace(arr.cast(pa.string()))
    missing = pc.fill_null(pc.is_in(text, value_set=pa.array(MISSING)), True)
    return pc.if_else(missing, pa.scalar(None, pa.string()), text)
