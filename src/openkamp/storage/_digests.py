"""Order-independent checksums of stored data, for comparing two stores (``openkamp migrate``).

Two stores hold the same data when every digest here agrees, whatever order and batches each
store answers in: every figure is an exact sum over the rows. Points are summed exactly: the
count, the sum of their times in microseconds (a Python int), the exact sum of their values
(:func:`exact_sum`: float64 values are integers times powers of two, added as integers, shown
correctly rounded) and a 64-bit mix of each point's time and value bits added modulo 2^64, which
also notices two values swapped between times. Metadata rows and labels are summed the same way
from a hash of each row's canonical text.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa

_MASK = (1 << 64) - 1
#: Finite float64 values are ``m * 2**(e - 53)`` with an integer ``m`` below 2^53 and
#: ``e >= -1073`` (numpy.frexp): scaled by 2^1126 every one is an integer.
_SCALE_BITS = 1126
_K1 = np.uint64(0x9E37_79B9_7F4A_7C15)
_K2 = np.uint64(0xC2B2_AE3D_27D4_EB4F)


def exact_sum(values: np.ndarray) -> int:
    """The exact sum of the finite float64 ``values``, scaled by 2^1126 (a Python int).

    Vectorised: each value's 53-bit significand is split in two halves whose sums per binary
    exponent stay exact in float64 (at most 2^27 each, fewer than 2^26 values per call), then
    the few per-exponent sums are added as Python integers."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & (v != 0)]
    total = 0
    step = 1 << 25
    for lo in range(0, len(v), step):
        part = v[lo : lo + step]
        m, e = np.frexp(part)
        mi = (m * 2.0**53).astype(np.int64)  # exact: a significand has 53 bits
        hi, low = mi >> 26, mi & ((1 << 26) - 1)  # mi == hi * 2^26 + low, low >= 0
        exps, idx = np.unique(e, return_inverse=True)
        his = np.bincount(idx, weights=hi.astype(np.float64))
        lows = np.bincount(idx, weights=low.astype(np.float64))
        for x, h, w in zip(exps.tolist(), his.tolist(), lows.tolist(), strict=True):
            total += ((int(h) << 26) + int(w)) << (x + _SCALE_BITS - 53)
    return total


def as_float(scaled: int) -> float:
    """An :func:`exact_sum` as the nearest float (Python's int division rounds correctly)."""
    return scaled / (1 << _SCALE_BITS)


def _int_sum(values: np.ndarray) -> int:
    """The exact sum of int64 values (a Python int; numpy's would overflow)."""
    v = np.asarray(values, dtype=np.int64)
    return int(np.sum(v >> 32)) * (1 << 32) + int(np.sum(v & 0xFFFF_FFFF))


def _mix(a: np.ndarray, b: np.ndarray) -> int:
    """Sum modulo 2^64 of a 64-bit mix of each pair (uint64 arrays)."""
    with np.errstate(over="ignore"):
        x = a * _K1 ^ (b + _K2) * _K2
        x ^= x >> np.uint64(31)
        x *= _K1
        x ^= x >> np.uint64(29)
        return int(np.sum(x, dtype=np.uint64))


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)


@dataclass
class PointDigest:
    """Count, exact time and value sums and a mix of every point of one signal."""

    count: int = 0
    time_sum: int = 0  # µs since 1970, summed exactly
    value_sum: int = 0  # exact_sum scale
    mix: int = 0

    def add(self, points: pa.Table) -> None:
        if points.num_rows == 0:
            return
        ts = points.column("ts").cast(pa.int64()).to_numpy()
        val = points.column("value").to_numpy(zero_copy_only=False)
        self.count += len(ts)
        self.time_sum += _int_sum(ts)
        self.value_sum += exact_sum(val)
        self.mix = (self.mix + _mix(ts.view(np.uint64), _bits(val))) & _MASK

    @property
    def values(self) -> float:
        return as_float(self.value_sum)

    def detail(self) -> dict[str, Any]:
        return {"value_sum": self.values, "time_sum": self.time_sum}


@dataclass
class RollupDigest:
    """Rows, points counted and a mix of every aggregate of one signal's tier."""

    count: int = 0
    points: int = 0
    mix: int = 0

    def add(self, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        bucket = rows.column("bucket_start").cast(pa.int64()).to_numpy()
        last_ts = rows.column("last_ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
        n = rows.column("count").to_numpy(zero_copy_only=False)
        self.count += len(bucket)
        self.points += int(np.sum(n))
        acc = self.mix
        for name in ("min", "max", "sum", "last"):
            vals = rows.column(name).to_numpy(zero_copy_only=False)
            acc += _mix(bucket.view(np.uint64), _bits(vals) ^ np.uint64(len(name)))
        acc += _mix(bucket.view(np.uint64), last_ts.view(np.uint64) ^ n.astype(np.uint64))
        self.mix = acc & _MASK

    def detail(self) -> dict[str, Any]:
        return {"points": self.points}


@dataclass
class RowDigest:
    """Count and the sum modulo 2^64 of a hash of each row's canonical text."""

    count: int = 0
    mix: int = 0

    def add_row(self, values: list[Any]) -> None:
        text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=_canon)
        h = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")
        self.count += 1
        self.mix = (self.mix + h) & _MASK

    def add_labels(self, labels: pa.Table) -> None:
        """Label values (column, time, text) of a store, one row each."""
        ts = labels.column("ts").cast(pa.int64()).to_numpy()
        texts = labels.column("value").to_pylist()
        crc = np.fromiter(
            (0 if s is None else zlib.crc32(s.encode("utf-8")) + 1 for s in texts),
            dtype=np.uint64,
            count=len(texts),
        )
        col = labels.column("column_id").to_numpy().astype(np.uint64)
        self.count += len(ts)
        self.mix = (self.mix + _mix(ts.view(np.uint64) ^ col, crc)) & _MASK

    def detail(self) -> dict[str, Any]:
        return {}

    @property
    def hex(self) -> str:
        return f"{self.mix:016x}"


def _canon(value: Any) -> Any:
    """The engine-independent form of a value (times in UTC, bytes in hex)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)


@dataclass
class Check:
    """One comparison of a source with its copy: rows on each side, a digest of each, and
    further exact figures (``detail``: sums of values and times of points) on each side."""

    kind: str  # table | points | labels | rollup_minute | rollup_hour | horizons
    name: str
    source: int
    target: int
    source_digest: str
    target_digest: str
    source_detail: dict[str, Any] = field(default_factory=dict)
    target_detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.source == self.target
            and self.source_digest == self.target_digest
            and self.source_detail == self.target_detail
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "name": self.name, "ok": self.ok,
            "source": {"rows": self.source, "digest": self.source_digest, **self.source_detail},
            "target": {"rows": self.target, "digest": self.target_digest, **self.target_detail},
        }  # fmt: skip
