"""What every codec returns: decoded points as columns, and the typed error for bad input.

Codecs turn bytes from a source into :class:`Points`: one array per column, names
dictionary-encoded (``names`` holds each distinct name once, ``name_index`` says which one each
point has), so a message of 10,000 readings of 20 signals costs 20 name lookups, not 10,000, and no
Python object per point. :meth:`Points.to_table` turns them into the platform's
``POINT_SCHEMA`` table once the connector has resolved the names to signal ids.

Bad input is never an exception that escapes as a crash: a malformed message raises
:class:`PayloadError` (an :class:`~openkamp.core.errors.InvalidInput` with a ``reason`` code the
connector counts, ``ctx.reject(reason, n)``), and a message that is fine except for some of its
values returns the good points with the bad ones counted in ``Points.rejected`` by reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

import numpy as np

from openkamp.core.errors import InvalidInput

#: Reason codes a codec reports (``PayloadError.reason`` and the keys of ``Points.rejected``);
#: each has a text ``err.payload.<reason>`` in ``openkamp.i18n.live``.
REASONS = (
    "encoding",  # the bytes are not UTF-8 text
    "json",  # not JSON at all
    "shape",  # JSON, but none of the documented forms
    "value_type",  # a value that is not a number (or a bool)
    "value_null",  # a null value (no reading)
    "value_range",  # a number that is not finite (NaN, ±inf) or a compact series of wrong length
    "ts_missing",  # no timestamp and no default (receive time) given
    "ts_format",  # a timestamp that is neither ISO 8601 nor an epoch number
    "ts_range",  # a timestamp outside the accepted years (absurd: 1970, 9999 …)
    "protobuf",  # bytes that are not a Sparkplug B payload
    "topic",  # a topic outside the expected layout
    "alias",  # a Sparkplug metric alias no birth certificate declared
    "seq",  # a Sparkplug sequence number out of order (a rebirth is due)
    "line",  # an InfluxDB line protocol line that does not parse
    "string_field",  # a line protocol string field (the platform stores numbers)
    "non_numeric",  # a Sparkplug metric of a type that is not a number (string, bytes …)
)

#: Timestamps outside these years are refused as absurd (``ts_range``); callers may narrow them.
TS_MIN_US = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
TS_MAX_US = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000


class PayloadError(InvalidInput):
    """A message that cannot be decoded at all; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, message: str, **params: object) -> None:
        super().__init__(message, code=f"payload.{reason}", params={"detail": message, **params})
        self.reason = reason


@dataclass(frozen=True)
class Points:
    """Decoded readings as columns (see the module docstring).

    ``ts_us`` are microseconds since 1970-01-01 UTC (the store's resolution), ``values`` float64;
    ``rejected`` counts readings left out, by reason code.
    """

    names: tuple[str, ...]
    name_index: np.ndarray
    ts_us: np.ndarray
    values: np.ndarray
    rejected: Mapping[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.values.size)

    @classmethod
    def empty(cls, rejected: Mapping[str, int] | None = None) -> Points:
        return cls((), np.empty(0, np.int32), np.empty(0, np.int64), np.empty(0), rejected or {})

    def name_of(self) -> np.ndarray:
        """Each point's name as an object array (convenient in tests; not for the hot path)."""
        return np.asarray(self.names, dtype=object)[self.name_index]

    def to_table(self, signal_ids: Sequence[int] | np.ndarray) -> Any:
        """A ``POINT_SCHEMA`` Arrow table; ``signal_ids[k]`` is the id of ``names[k]``."""
        import pyarrow as pa

        from openkamp.storage.timeseries.base import POINT_SCHEMA

        ids = np.asarray(signal_ids, dtype=np.int64)
        return pa.table(
            {
                "signal_id": ids[self.name_index] if ids.size else np.empty(0, np.int64),
                "ts": pa.array(self.ts_us, type=pa.timestamp("us", tz="UTC")),
                "value": self.values,
            },
            schema=POINT_SCHEMA,
        )

    def as_tuples(self) -> list[tuple[str, int, float]]:
        """``(name, ts_us, value)`` per point (tests and debugging)."""
        return list(
            zip(self.name_of().tolist(), self.ts_us.tolist(), self.values.tolist(), strict=True)
        )


def concat(parts: Sequence[Points]) -> Points:
    """One :class:`Points` from several, names merged."""
    parts = [p for p in parts if len(p) or p.rejected]
    if not parts:
        return Points.empty()
    if len(parts) == 1:
        return parts[0]
    names: dict[str, int] = {}
    idx: list[np.ndarray] = []
    rejected: dict[str, int] = {}
    for p in parts:
        remap = np.array([names.setdefault(n, len(names)) for n in p.names], dtype=np.int32)
        idx.append(remap[p.name_index] if p.names else p.name_index)
        for k, v in p.rejected.items():
            rejected[k] = rejected.get(k, 0) + v
    return Points(
        tuple(names),
        np.concatenate(idx).astype(np.int32, copy=False),
        np.concatenate([p.ts_us for p in parts]),
        np.concatenate([p.values for p in parts]),
        rejected,
    )


# --------------------------------------------------------------------------- timestamps


def epoch_to_us(x: float) -> int:
    """An epoch number in seconds, milliseconds, microseconds or nanoseconds, as microseconds.

    The unit is told by magnitude, which is unambiguous for any time after 1973: seconds are
    below 1e11 (year 5138), milliseconds below 1e14, microseconds below 1e17, nanoseconds above.
    Times before 1973 in ms/us/ns would read as a later unit's; they are refused as absurd anyway.
    """
    a = abs(x)
    if a < 1e11:
        return round(x * 1_000_000)
    if a < 1e14:
        return round(x * 1_000)
    if a < 1e17:
        return round(x)
    return int(x) // 1000 if isinstance(x, int) else round(x / 1000)


def epoch_array_to_us(x: np.ndarray) -> np.ndarray:
    """:func:`epoch_to_us` over an array (unit chosen per element)."""
    x = np.asarray(x)
    if x.dtype.kind in "iu":
        xi = x.astype(np.int64)
        a = np.abs(xi)
        return np.select(
            [a < 10**11, a < 10**14, a < 10**17], [xi * 1_000_000, xi * 1_000, xi], xi // 1000
        ).astype(np.int64)
    xf = x.astype(np.float64)
    a = np.abs(xf)
    out = np.select([a < 1e11, a < 1e14, a < 1e17], [xf * 1e6, xf * 1e3, xf], xf / 1e3)
    return np.round(out).astype(np.int64)


def parse_ts(value: Any, tz: tzinfo = UTC) -> int:
    """A JSON timestamp (ISO 8601 text or an epoch number) as microseconds since the epoch.

    Naive ISO times are taken in ``tz``. Raises :class:`PayloadError` (``ts_format`` /
    ``ts_range``).
    """
    if isinstance(value, bool):
        raise PayloadError("ts_format", f"a timestamp cannot be {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise PayloadError("ts_format", f"timestamp {value!r} is not finite")
        us = epoch_to_us(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            if text and (text[0].isdigit() or text[0] in "+-") and _is_number(text):
                us = epoch_to_us(float(text) if "." in text or "e" in text.lower() else int(text))
            else:
                dt = datetime.fromisoformat(text)
                if dt.tzinfo is None:
                    dt = dt.replace(tzinfo=tz)
                delta = dt - _EPOCH
                us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        except (ValueError, OverflowError) as exc:
            raise PayloadError("ts_format", f"timestamp {value!r} is not ISO 8601") from exc
    else:
        raise PayloadError("ts_format", f"timestamp of type {type(value).__name__}")
    check_ts(us)
    return us


def check_ts(us: int) -> None:
    if not TS_MIN_US <= us < TS_MAX_US:
        raise PayloadError("ts_range", f"timestamp {us} µs is outside 2000–2100")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
