"""Turning one parsed chunk into points and labels: every cell checked, bad rows quarantined.

Wide layout: the timestamp column plus one column per signal or label column; the chunk is
unpivoted to ``(signal, ts, value)`` signal-major and time-ordered, which is what the store's
fast append path wants. Long layout: ``(signal, timestamp, value)`` rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openkamp.ingest import timestamps
from openkamp.ingest.plan import ImportPlan
from openkamp.ingest.readers import Chunk
from openkamp.ingest.rows import Quarantine, Reasons, SeenTimes
from openkamp.ingest.values import is_summary, to_float
from openkamp.storage.timeseries.base import TS_TYPE

SignalIds = Callable[[pa.Array], tuple[np.ndarray, np.ndarray]]


@dataclass
class Converted:
    """What one chunk yields: points and labels to store, rows stored, time range (µs)."""

    points: pa.Table | None = None
    labels: pa.Table | None = None
    stored: int = 0
    time_range: tuple[int, int] | None = None


def _row_text(table: pa.Table, idx: np.ndarray, delimiter: str) -> list[str]:
    cols = [table.column(i).take(pa.array(idx)).to_pylist() for i in range(table.num_columns)]
    return [
        delimiter.join("" if c[j] is None else str(c[j]) for c in cols) for j in range(len(idx))
    ]


Values = np.ndarray | list[np.ndarray]  # a column, or the parsed blocks of a clean one


def _parts(col: pa.ChunkedArray) -> list[np.ndarray]:
    return [c.to_numpy(zero_copy_only=False) for c in col.chunks if len(c)]


def _whole(v: Values) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v
    return v[0] if len(v) == 1 else np.concatenate(v) if v else np.empty(0)


def _fill(dst: np.ndarray, v: Values) -> None:
    if isinstance(v, np.ndarray):
        dst[:] = v
        return
    pos = 0
    for part in v:
        dst[pos : pos + len(part)] = part
        pos += len(part)


class ChunkConverter:
    """Converts the chunks of one import (see the module docstring)."""

    def __init__(
        self,
        plan: ImportPlan,
        tz: str,
        seen: SeenTimes,
        quarantine: Quarantine,
        delimiter: str,
        signal_ids: SignalIds,
    ) -> None:
        self.plan, self.tz, self.seen, self.quarantine = plan, tz, seen, quarantine
        self.delimiter = delimiter
        self.signal_ids = signal_ids  # long layout: names -> ids (see SignalMapping)

    def convert(self, chunk: Chunk) -> Converted:
        """Validate one chunk; quarantine its bad rows; return what to store."""
        plan, tz, dups = self.plan, self.tz, self.seen
        table = chunk.table
        n = table.num_rows
        if n == 0:
            return Converted()
        reason = Reasons(n)
        reason.flag(self._summary(table), "summary: a total or summary row (합계, 평균, Total …)")
        if len(plan.time_columns) == 2:
            time_text = timestamps.join_date_time(
                table.column(plan.time_columns[0]), table.column(plan.time_columns[1])
            )
        else:
            time_text = table.column(plan.timestamp_column)
        ts_arr, bad_ts = timestamps.parse(time_text, plan.timestamp_format, tz)
        reason.flag(bad_ts, "timestamp: cannot be read")
        ts = pc.fill_null(ts_arr.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)

        if plan.layout == "long":
            assert plan.signal_column and plan.value_column
            sig_ids, unknown = self.signal_ids(table.column(plan.signal_column).combine_chunks())
            vals, bad_v = to_float(table.column(plan.value_column))
            v = pc.fill_null(vals, np.nan).to_numpy(zero_copy_only=False)
            reason.flag(unknown, "signal: unknown signal name")
            reason.flag(bad_v, f"value: not a number in column {plan.value_column!r}")
            reason.flag(np.isnan(v), "value: missing")
            ok = reason.ok
            dup = np.zeros(n, dtype=bool)
            dup[ok] = dups.check(ts[ok], sig_ids[ok])
            reason.flag(dup, "duplicate: same signal and time as an earlier row")
            ok = reason.ok
            self._quarantine(table, chunk, reason)
            if not ok.any():
                return Converted()
            points = pa.table(
                {
                    "signal_id": pa.array(sig_ids[ok]),
                    "ts": pa.array(ts[ok]).cast(TS_TYPE),
                    "value": pa.array(v[ok]),
                }
            )
            return Converted(points, None, int(ok.sum()), (int(ts[ok].min()), int(ts[ok].max())))

        sig_targets = [t for t in plan.targets if t.kind == "signal"]
        lab_targets = [t for t in plan.targets if t.kind == "label"]
        values: list[Values] = []
        any_missing = False  # clean chunks (the usual case) skip the per-cell missing checks
        for t in sig_targets:
            col = table.column(t.column)
            if pa.types.is_float64(col.type) and col.null_count == 0 and not t.booleans:
                # The fast path (Arrow typed every cell): numpy views of the parsed blocks,
                # copied once, into the unpivoted column below.
                values.append(_parts(col))
                continue
            arr, bad = to_float(
                table.column(t.column),
                booleans=t.booleans,
                unit=t.unit_in_cells,
                comma_decimal=t.comma_decimal,
            )
            reason.flag(bad, f"value: not a number in column {t.column!r}")
            any_missing = any_missing or arr.null_count > 0
            values.append(
                (pc.fill_null(arr, np.nan) if arr.null_count else arr).to_numpy(
                    zero_copy_only=False
                )
            )
        label_values: list[pa.Array] = []
        for t in lab_targets:
            col = table.column(t.column).combine_chunks()
            text = pc.utf8_trim_whitespace(col.cast(pa.string()))
            text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
            broken = pc.fill_null(pc.match_substring(text, "\ufffd"), False).to_numpy(
                zero_copy_only=False
            )
            reason.flag(broken, f"text: undecodable bytes in column {t.column!r}")
            label_values.append(text)
        if any_missing:  # the slow path needs whole columns
            values = [_whole(v) for v in values]
        has_value = np.zeros(n, dtype=bool)
        if values and not any_missing:
            has_value[:] = True
        for v in values if any_missing else []:
            has_value |= ~np.isnan(v)
        for lv in label_values:
            has_value |= pc.is_valid(lv).to_numpy(zero_copy_only=False)
        reason.flag(~has_value, "empty: the row has a time but no values")
        ok = reason.ok
        if ok.any():
            dup = np.zeros(n, dtype=bool)
            dup[ok] = dups.check(ts[ok])
            reason.flag(dup, "duplicate: same time as an earlier row")
            ok = reason.ok
        self._quarantine(table, chunk, reason)
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return Converted()
        t_ok = ts[idx]
        if len(t_ok) > 1 and not np.all(t_ok[1:] > t_ok[:-1]):
            idx = idx[np.argsort(t_ok, kind="stable")]  # time order keeps the store's append path
            t_ok = ts[idx]
        m = len(idx)
        points = None
        if sig_targets:
            ids = np.array([t.target_id for t in sig_targets], dtype=np.int64)
            # Unpivot signal-major (the store's append path wants signal, then time); skip the
            # copies when every row is good and every cell present (the common case).
            in_order = m == n and bool(idx[-1] == n - 1)
            k = len(ids)
            v_all = np.empty(k * m, dtype=np.float64)
            for j, v in enumerate(values):
                if in_order:
                    _fill(v_all[j * m : (j + 1) * m], v)
                else:
                    v_all[j * m : (j + 1) * m] = _whole(v)[idx]
            # Filled by broadcasting (np.repeat / np.tile cost 5x more on 20 M points).
            sig_all: np.ndarray = np.empty(k * m, dtype=np.int64)
            sig_all.reshape(k, m)[:] = ids[:, None]
            ts_all: np.ndarray = np.empty(k * m, dtype=np.int64)
            ts_all.reshape(k, m)[:] = t_ok
            keep = ~np.isnan(v_all) if any_missing else None
            if keep is not None and not keep.all():
                sig_all, ts_all, v_all = sig_all[keep], ts_all[keep], v_all[keep]
            points = pa.table(
                {
                    "signal_id": pa.array(sig_all),
                    "ts": pa.array(ts_all).cast(TS_TYPE),
                    "value": pa.array(v_all),
                }
            )
        labels = None
        if lab_targets:
            take = pa.array(idx)
            parts = []
            for t, lv in zip(lab_targets, label_values, strict=True):
                sub = lv.take(take)
                valid = pc.is_valid(sub)
                parts.append(
                    pa.table(
                        {
                            "column_id": pa.array(np.full(m, t.target_id, dtype=np.int64)),
                            "ts": pa.array(t_ok).cast(TS_TYPE),
                            "value": sub,
                        }
                    ).filter(valid)
                )
            labels = pa.concat_tables(parts)
        return Converted(points, labels, m, (int(t_ok.min()), int(t_ok.max())))

    def _summary(self, table: pa.Table) -> np.ndarray:
        """Rows whose time column or a text column (ids, labels) says 합계, 평균, Total …

        Only text columns are looked at: a chunk whose times all parsed as times (the fast
        path of clean files) has no such row there, so clean files pay nothing.
        """
        mask = np.zeros(table.num_rows, dtype=bool)
        for col in self._text_columns:
            arr = table.column(col)
            if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                mask |= is_summary(arr.combine_chunks())
        return mask

    @property
    def _text_columns(self) -> list[str]:
        plan = self.plan
        cols = list(plan.time_columns or [plan.timestamp_column])
        cols += [t.column for t in plan.targets if t.kind == "label" or t.role == "empty"]
        return cols

    def _quarantine(self, table: pa.Table, chunk: Chunk, reason: Reasons) -> None:
        bad = reason.bad_rows()
        if not bad:
            return
        idx = np.array([i for i, _ in bad], dtype=np.int64)
        numbers = chunk.row_numbers(idx)
        # The row as the file wrote it (the docs promise the raw line); rebuilt from the
        # parsed cells only for readers that cannot give it.
        raws = (
            chunk.raw_lines(numbers)
            if chunk.raw_lines is not None
            else _row_text(table, idx, self.delimiter)
        )
        for (_, text), raw, number in zip(bad, raws, numbers, strict=True):
            self.quarantine.add(int(number), text, raw)
