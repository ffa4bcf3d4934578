"""InfluxDB line protocol, parsed to columns: what Telegraf, Node-RED and most gateways send.

::

    <measurement>[,<tag_key>=<tag_value>…] <field_key>=<field_value>[,<field_key>=<field_value>…] [<timestamp>]

following InfluxDB's line protocol reference (docs.influxdata.com, "Line protocol reference"):

* **Escaping.** In the measurement, ``\\,`` and ``\\ `` are a comma and a space; in tag keys,
  tag values and field keys also ``\\=``; in string field values ``\\"`` and ``\\\\``. ``\\\\``
  is one backslash everywhere; a backslash before any other character is a literal backslash.
* **Field values.** Floats (``1``, ``-1.5``, ``1.2e-3``; no NaN or infinity), integers ``12i``
  (int64), unsigned integers ``12u`` (uint64), booleans (``t T true True TRUE`` / ``f F false
  False FALSE``, stored as 1 / 0), strings in double quotes (valid, but the platform stores
  numbers: counted as ``string_field``, not stored).
* **Timestamp.** An integer in ``precision`` (``ns`` by default, or ``us``, ``ms``, ``s``),
  optional: without one the line takes ``default_ts_us`` (the receive time). Stored in µs
  (nanoseconds are floored).
* **Lines.** Separated by ``\\n`` (a ``\\r`` before it is dropped); blank lines and lines whose
  first non-blank character is ``#`` (comments) are skipped; tag values may not be empty; a point
  has at least one field.

A bad line never stops the good ones: each is reported as a :class:`LineError` with its line
number (1-based), reason code and a short message, and the other lines' points are returned.

Each point's name is its series and field in canonical form, ``measurement,tag1=a,tag2=b field``
(tags sorted by key, escaped as above), and :attr:`LineProtocolResult.series` gives the same as
structured :class:`SeriesField` entries, aligned with ``points.names``, for mapping to signals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from openkamp.connectors.payloads._points import TS_MAX_US, TS_MIN_US, Points

__all__ = ["LineError", "LineProtocolResult", "SeriesField", "parse_line_protocol"]

PRECISIONS = {"ns": None, "us": 1, "ms": 1_000, "s": 1_000_000}
_TRUE = frozenset(("t", "T", "true", "True", "TRUE"))
_FALSE = frozenset(("f", "F", "false", "False", "FALSE"))
_I64 = 2**63
_U64 = 2**64


@dataclass(frozen=True)
class SeriesField:
    """The measurement, tags (sorted by key) and field key of a point's name."""

    measurement: str
    tags: tuple[tuple[str, str], ...]
    field: str


@dataclass(frozen=True)
class LineError:
    """A line that was left out: its number (1-based), reason code, message and start."""

    line: int
    reason: str
    message: str
    text: str


@dataclass(frozen=True)
class LineProtocolResult:
    points: Points
    series: tuple[SeriesField, ...]
    errors: tuple[LineError, ...]
    #: Lines that gave points (comments and blank lines are not counted).
    lines: int


class _LineError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def parse_line_protocol(
    text: str, precision: str = "ns", *, default_ts_us: int | None = None
) -> LineProtocolResult:
    """Parse a body of line protocol (see the module docstring)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {sorted(PRECISIONS)}, got {precision!r}")
    scale = PRECISIONS[precision]
    keys: dict[str, tuple[str, tuple[tuple[str, str], ...], str]] = {}
    codes: dict[tuple[str, str], int] = {}
    series: list[SeriesField] = []
    names: list[str] = []
    idx: list[int] = []
    tss: list[int] = []
    vals: list[float] = []
    errors: list[LineError] = []
    rejected: dict[str, int] = {}
    good = 0
    plain = "\\" not in text and '"' not in text  # no escapes, no strings: the fast path only
    for n, line in enumerate(text.split("\n"), 1):
        if line.endswith("\r"):
            line = line[:-1]
        stripped = line.lstrip(" \t")
        if not stripped or stripped[0] == "#":
            continue
        try:
            line_vals: list[tuple[str, float]] = []
            strings = 0
            if plain or ("\\" not in stripped and '"' not in stripped):
                parts = stripped.split(" ")
                if "" in parts:
                    parts = [p for p in parts if p]
                if len(parts) == 2:
                    key_raw, fields_raw = parts
                    ts_raw = None
                elif len(parts) == 3:
                    key_raw, fields_raw, ts_raw = parts
                elif len(parts) == 1:
                    raise _LineError("line", "no field set")
                else:
                    raise _LineError("line", "unexpected text after the timestamp")
                for f in fields_raw.split(","):
                    k, sep, v = f.partition("=")
                    if not sep or not k or not v or "=" in v:
                        raise _LineError("line", f"field {f!r} is not key=value")
                    line_vals.append((k, _value(v)))
            else:
                key_raw, fields, ts_raw = _split_slow(stripped)
                for k, v, is_string in fields:
                    if is_string:
                        strings += 1
                    else:
                        line_vals.append((k, _value(v)))
            if ts_raw is None:
                if default_ts_us is None:
                    raise _LineError("ts_missing", "no timestamp, and no receive time to use")
                ts = default_ts_us
            else:
                try:
                    t = int(ts_raw)
                except ValueError:
                    raise _LineError(
                        "ts_format", f"timestamp {ts_raw!r} is not an integer"
                    ) from None
                if "_" in ts_raw or not ts_raw.isascii():
                    raise _LineError("ts_format", f"timestamp {ts_raw!r} is not an integer")
                ts = t // 1000 if scale is None else t * scale
                if not TS_MIN_US <= ts < TS_MAX_US:
                    raise _LineError("ts_range", f"timestamp {ts_raw} is outside 2000–2100")
            key = keys.get(key_raw)
            if key is None:
                key = keys[key_raw] = _parse_key(key_raw)
        except _LineError as exc:
            errors.append(LineError(n, exc.reason, exc.message, line[:120]))
            continue
        good += 1
        if strings:
            rejected["string_field"] = rejected.get("string_field", 0) + strings
        for k, x in line_vals:
            code = codes.get((key_raw, k))
            if code is None:
                code = codes[key_raw, k] = len(names)
                field = _unescape(k, _KEY_ESC) if "\\" in k else k
                if not field:
                    raise AssertionError("unreachable: empty field keys are refused above")
                series.append(SeriesField(key[0], key[1], field))
                names.append(f"{key[2]} {_escape(field, _KEY_CHARS)}")
            idx.append(code)
            tss.append(ts)
            vals.append(x)
    points = Points(
        tuple(names),
        np.array(idx, dtype=np.int32),
        np.array(tss, dtype=np.int64),
        np.array(vals, dtype=np.float64),
        rejected,
    )
    return LineProtocolResult(points, tuple(series), tuple(errors), good)


# --------------------------------------------------------------------------- pieces


def _value(v: str) -> float:
    last = v[-1]
    if last == "i" or last == "u":
        body = v[:-1]
        try:
            x = int(body)
        except ValueError:
            raise _LineError("line", f"field value {v!r} is not an integer") from None
        if "_" in body or not body.isascii():
            raise _LineError("line", f"field value {v!r} is not an integer")
        if last == "i" and not -_I64 <= x < _I64:
            raise _LineError("line", f"integer {v!r} is out of the int64 range")
        if last == "u" and not 0 <= x < _U64:
            raise _LineError("line", f"unsigned integer {v!r} is out of the uint64 range")
        return float(x)
    if v in _TRUE:
        return 1.0
    if v in _FALSE:
        return 0.0
    try:
        f = float(v)
    except ValueError:
        raise _LineError("line", f"field value {v!r} is not a number") from None
    # Python's float() also reads "nan", "inf", "infinity" and "1_0", which line protocol has not.
    if f - f != 0.0 or "_" in v or not v.isascii():
        raise _LineError("line", f"field value {v!r} is not a number")
    return f


_MEAS_CHARS = ", "
_KEY_CHARS = ",= "
_MEAS_ESC = frozenset(",\\ ")
_KEY_ESC = frozenset(",=\\ ")


def _unescape(s: str, escapable: frozenset[str]) -> str:
    out = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n and s[i + 1] in escapable:
            out.append(s[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _escape(s: str, chars: str) -> str:
    if "\\" in s:
        s = s.replace("\\", "\\\\")
    for c in chars:
        if c in s:
            s = s.replace(c, "\\" + c)
    return s


def _split_unescaped(s: str, sep: str) -> list[str]:
    """Split at ``sep`` where it is not escaped by a backslash (escapes kept)."""
    if "\\" not in s:
        return s.split(sep)
    parts, cur, i, n = [], [], 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n:
            cur.append(s[i : i + 2])
            i += 2
            continue
        if c == sep:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def _parse_key(raw: str) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """Measurement, sorted tags and the canonical series key of ``measurement,tags``."""
    parts = _split_unescaped(raw, ",")
    meas = _unescape(parts[0], _MEAS_ESC) if "\\" in parts[0] else parts[0]
    if not meas:
        raise _LineError("line", "no measurement name")
    tags: dict[str, str] = {}
    for p in parts[1:]:
        kv = _split_unescaped(p, "=")
        if len(kv) != 2 or not kv[0] or not kv[1]:
            raise _LineError("line", f"tag {p!r} is not key=value (tag values may not be empty)")
        k = _unescape(kv[0], _KEY_ESC) if "\\" in kv[0] else kv[0]
        tags[k] = _unescape(kv[1], _KEY_ESC) if "\\" in kv[1] else kv[1]
    ordered = tuple(sorted(tags.items()))
    canon = _escape(meas, _MEAS_CHARS) + "".join(
        f",{_escape(k, _KEY_CHARS)}={_escape(v, _KEY_CHARS)}" for k, v in ordered
    )
    return meas, ordered, canon


def _split_slow(line: str) -> tuple[str, list[tuple[str, str, bool]], str | None]:
    """Split a line with escapes or string fields: key, fields ``(key, value, is_string)``,
    timestamp. Field keys keep their escapes (unescaped by the caller, as in the fast path)."""
    n = len(line)
    i = 0
    # The key (measurement and tags) ends at the first unescaped space.
    while i < n:
        c = line[i]
        if c == "\\":
            i += 2
            continue
        if c == " ":
            break
        i += 1
    key = line[:i]
    while i < n and line[i] == " ":
        i += 1
    if i >= n:
        raise _LineError("line", "no field set")
    fields: list[tuple[str, str, bool]] = []
    while True:
        # field key up to an unescaped '='
        start = i
        while i < n:
            c = line[i]
            if c == "\\":
                i += 2
                continue
            if c == "=" or c == " " or c == ",":
                break
            i += 1
        if i >= n or line[i] != "=" or i == start:
            raise _LineError("line", f"field {line[start : i + 1]!r} is not key=value")
        fkey = line[start:i]
        i += 1
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while i < n:
                c = line[i]
                if c == "\\" and i + 1 < n and line[i + 1] in '"\\':
                    buf.append(line[i + 1])
                    i += 2
                    continue
                if c == '"':
                    break
                buf.append(c)
                i += 1
            if i >= n:
                raise _LineError("line", "a string field value has no closing quote")
            i += 1
            fields.append((fkey, "".join(buf), True))
        else:
            start = i
            while i < n and line[i] not in ", ":
                i += 1
            if i == start:
                raise _LineError("line", f"field {fkey!r} has no value")
            fields.append((fkey, line[start:i], False))
        if i < n and line[i] == ",":
            i += 1
            continue
        break
    while i < n and line[i] == " ":
        i += 1
    rest = line[i:].rstrip(" \t")
    if not rest:
        return key, fields, None
    if " " in rest:
        raise _LineError("line", "unexpected text after the timestamp")
    return key, fields, rest
