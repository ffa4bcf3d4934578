"""JSON payloads of MQTT (and HTTP) sources: the three documented forms, decoded to columns.

**Single value.** One reading of the signal the topic names (the connector's topic pattern says
which part of the topic is the signal, and passes it as ``signal``)::

    1.23                                   # a bare number (or true / false): stamped on receipt
    {"value": 1.23, "ts": "2026-03-01T09:00:00.250+09:00"}
    {"signal": "pressure", "value": 1.23, "ts": 1772323200250}   # the name in the payload

**Batch.** Readings of several signals taken at one time, or a list of such::

    {"ts": "2026-03-01T09:00:00Z", "values": {"pressure": 161.2, "flow": 60.4}}
    [{"ts": 1772323200, "values": {...}}, {"ts": 1772323210, "values": {...}}]

**Compact** (high rates: one timestamp and a step for a whole series)::

    {"t0": 1772323200000, "dt": 10, "s": {"vib": [0.12, 0.13, 0.11], "rpm": [1800, 1801, 1799]}}

reading ``i`` of each series is at ``t0 + i·dt``; ``dt`` is in milliseconds (0 < dt ≤ one day); ``t0`` is any
timestamp below; ``null`` in a series is a missing reading (skipped, counted).

**Timestamps** (``ts``, ``t0``): ISO 8601 text (naive times are taken in ``tz``), or an epoch
number in seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude (see
``epoch_to_us``); numbers as text ("1772323200") too. Without one, the reading is stamped
``default_ts_us`` (the receive time, which the connector passes); with neither, it is refused
(``ts_missing``). Times outside 2000–2100 are absurd (``ts_range``).

**Values** are JSON numbers or booleans (1 / 0). A malformed message raises
:class:`~openkamp.connectors.payloads.PayloadError` with its reason; a good message with some
bad values (text, null, NaN) returns the good readings and counts the others in
``Points.rejected``.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, tzinfo
from typing import Any

import numpy as np

from openkamp.connectors.payloads._points import (
    TS_MAX_US,
    TS_MIN_US,
    PayloadError,
    Points,
    parse_ts,
)

__all__ = ["decode_json", "encode_batch", "encode_compact"]


def decode_json(
    payload: bytes | bytearray | memoryview | str,
    *,
    signal: str | None = None,
    default_ts_us: int | None = None,
    tz: tzinfo = UTC,
) -> Points:
    """Decode one message in any of the documented forms (see the module docstring).

    ``signal`` is the name the topic gives (required for single values that do not name
    themselves); ``default_ts_us`` stamps readings without a time; ``tz`` is the zone of naive
    ISO times.
    """
    try:
        text = payload if isinstance(payload, str) else bytes(payload).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError("encoding", "the payload is not UTF-8 text") from exc
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise PayloadError("json", f"not JSON: {str(exc)[:80]}") from exc
    if type(doc) is dict and "value" in doc and len(doc) <= 3 and "values" not in doc:
        fast = _single(doc, signal, default_ts_us, tz)  # the one-reading message, kept quick
        if fast is not None:
            return fast
    return _Decoder(signal, default_ts_us, tz).document(doc)


def _single(
    doc: dict[str, Any], signal: str | None, default_ts: int | None, tz: tzinfo
) -> Points | None:
    v = doc["value"]
    name = doc.get("signal", doc.get("name")) or signal
    if not (type(v) is float or type(v) is int) or type(name) is not str or not math.isfinite(v):
        return None  # the general path reports what is wrong
    ts = doc.get("ts")
    if ts is None:
        if default_ts is None:
            return None
        us = default_ts
    else:
        us = parse_ts(ts, tz)
    return Points((name,), _ZERO_INDEX, np.array([us], dtype=np.int64), np.array([float(v)]), {})


_ZERO_INDEX = np.zeros(1, dtype=np.int32)
_ZERO_INDEX.flags.writeable = False


class _Decoder:
    def __init__(self, signal: str | None, default_ts_us: int | None, tz: tzinfo) -> None:
        self.signal = signal
        self.default_ts = default_ts_us
        self.tz = tz
        self.codes: dict[str, int] = {}
        self.idx: list[int] = []
        self.ts: list[int] = []
        self.vals: list[float] = []
        self.rejected: dict[str, int] = {}
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    # ------------------------------------------------------------------ forms

    def document(self, doc: Any) -> Points:
        if isinstance(doc, dict):
            self.item(doc)
        elif isinstance(doc, list):
            if not doc:
                raise PayloadError("shape", "an empty list")
            for item in doc:
                if not isinstance(item, dict):
                    raise PayloadError("shape", "a list item is not an object")
                self.item(item)
        elif _is_value(doc):
            self.single(doc, None, None)
        else:
            raise PayloadError("shape", f"a JSON {type(doc).__name__} is none of the forms")
        return self.finish()

    def item(self, obj: dict[str, Any]) -> None:
        if "values" in obj:
            values = obj["values"]
            if not isinstance(values, dict):
                raise PayloadError("shape", '"values" is not an object of signal: value')
            self.batch(values, self.stamp(obj.get("ts")))
        elif "s" in obj:
            self.compact(obj)
        elif "value" in obj:
            name = obj.get("signal", obj.get("name"))
            if name is not None and not isinstance(name, str):
                raise PayloadError("shape", '"signal" is not text')
            self.single(obj["value"], obj.get("ts"), name)
        else:
            raise PayloadError("shape", 'an object without "value", "values" or "s"')

    def single(self, value: Any, ts: Any, name: str | None) -> None:
        name = name or self.signal
        if not name:
            raise PayloadError("topic", "a single value, but neither topic nor payload names it")
        self.add(name, self.stamp(ts), value)

    def compact(self, obj: dict[str, Any]) -> None:
        series, dt = obj["s"], obj.get("dt")
        if not isinstance(series, dict):
            raise PayloadError("shape", '"s" is not an object of signal: [values]')
        if isinstance(dt, bool) or not isinstance(dt, int | float) or not dt > 0:
            raise PayloadError("shape", '"dt" (milliseconds between readings) must be > 0')
        if not dt <= _MAX_DT_MS:
            raise PayloadError("shape", '"dt" must be at most a day (86,400,000 ms)')
        t0 = self.stamp(obj.get("t0"))
        step_us = dt * 1000.0
        for name, vals in series.items():
            if not isinstance(vals, list):
                raise PayloadError("shape", f'series "{name}" is not a list')
            n = len(vals)
            if n == 0:
                continue
            ts = t0 + np.round(np.arange(n) * step_us).astype(np.int64)
            if set(map(type, vals)) <= _NUMBER_TYPES:  # the common case, converted in bulk
                arr = np.array(vals, dtype=np.float64)
            else:
                arr = np.array([_num(v, self.rejected) for v in vals], dtype=np.float64)
                keep = ~np.isnan(arr) | np.array([type(v) is float for v in vals])
                arr, ts = arr[keep], ts[keep]
            if ts.size and ts[-1] >= TS_MAX_US:
                raise PayloadError("ts_range", "a compact series runs past the year 2100")
            code = self.codes.setdefault(name, len(self.codes))
            self.chunks.append((np.full(ts.size, code, np.int32), ts, arr))

    # ------------------------------------------------------------------ pieces

    def stamp(self, ts: Any) -> int:
        if ts is None:
            if self.default_ts is None:
                raise PayloadError("ts_missing", "no timestamp, and no receive time to use")
            return self.default_ts
        return parse_ts(ts, self.tz)

    def batch(self, values: dict[str, Any], ts: int) -> None:
        # The hot loop of the batch form: no call per reading.
        codes, idx, vals = self.codes, self.idx, self.vals
        n = 0
        for name, v in values.items():
            t = type(v)
            if t is float or t is int:
                x = float(v)
            elif t is bool:
                x = 1.0 if v else 0.0
            else:
                key = "value_null" if v is None else "value_type"
                self.rejected[key] = self.rejected.get(key, 0) + 1
                continue
            code = codes.get(name)
            if code is None:
                code = codes[name] = len(codes)
            idx.append(code)
            vals.append(x)
            n += 1
        self.ts.extend([ts] * n)

    def add(self, name: str, ts: int, v: Any) -> None:
        t = type(v)
        if t is float or t is int:
            x = float(v)
        elif t is bool:
            x = 1.0 if v else 0.0
        elif v is None:
            self.rejected["value_null"] = self.rejected.get("value_null", 0) + 1
            return
        else:
            self.rejected["value_type"] = self.rejected.get("value_type", 0) + 1
            return
        code = self.codes.get(name)
        if code is None:
            code = self.codes[name] = len(self.codes)
        self.idx.append(code)
        self.ts.append(ts)
        self.vals.append(x)

    def finish(self) -> Points:
        parts = [
            (
                np.array(self.idx, dtype=np.int32),
                np.array(self.ts, dtype=np.int64),
                np.array(self.vals, dtype=np.float64),
            ),
            *self.chunks,
        ]
        idx, ts, vals = (np.concatenate(cols) for cols in zip(*parts, strict=True))
        ok = np.isfinite(vals)  # NaN and ±Infinity: json accepts them, the store does not
        if not ok.all():
            bad = int(ok.size - np.count_nonzero(ok))
            self.rejected["value_range"] = self.rejected.get("value_range", 0) + bad
            idx, ts, vals = idx[ok], ts[ok], vals[ok]
        if ts.size and (ts.min() < TS_MIN_US or ts.max() >= TS_MAX_US):
            raise PayloadError("ts_range", "a timestamp is outside 2000–2100")
        return Points(tuple(self.codes), idx, ts, vals, self.rejected)


def _is_value(v: Any) -> bool:
    return isinstance(v, int | float) or v is None


def _num(v: Any, rejected: dict[str, int]) -> float:
    """One value of a compact series that is not a plain number (NaN marks one left out)."""
    if type(v) is bool:
        return 1.0 if v else 0.0
    if type(v) is int or type(v) is float:
        return float(v)
    key = "value_null" if v is None else "value_type"
    rejected[key] = rejected.get(key, 0) + 1
    return math.nan


_NUMBER_TYPES = {int, float}
_MAX_DT_MS = 86_400_000


# --------------------------------------------------------------------------- encoders


def encode_batch(rows: list[tuple[int, dict[str, float]]]) -> bytes:
    """The batch form of ``[(epoch_ms, {signal: value}), …]`` (one object if one row)."""
    items = [{"ts": ts, "values": values} for ts, values in rows]
    doc: Any = items[0] if len(items) == 1 else items
    return json.dumps(doc, separators=(",", ":")).encode()


def encode_compact(t0_ms: int, dt_ms: float, series: dict[str, list[float]]) -> bytes:
    """The compact form: readings ``i`` of every series at ``t0_ms + i·dt_ms``."""
    return json.dumps({"t0": t0_ms, "dt": dt_ms, "s": series}, separators=(",", ":")).encode()
