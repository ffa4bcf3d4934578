"""PostgreSQL binary COPY for numpy columns, in and out, without a Python object per value.

psycopg's ``write_row`` and ``fetchall`` build Python objects per value (a ``datetime`` per
timestamp): about 1-3 µs a row, more than PostgreSQL takes to store it. Fixed-width columns
(int4, int8, float8, timestamptz) are instead packed into, and read from, the binary COPY format
(https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4) with one numpy
structured array per chunk: a tuple is an int16 field count, then per field an int32 length and
the big-endian value. Timestamps travel as int64 microseconds since 2000-01-01 (the server's
epoch); callers give and get microseconds since 1970-01-01.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from openkamp.core.errors import StorageError

#: Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 (UTC).
PG_EPOCH_US = 946_684_800_000_000
HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
TRAILER = b"\xff\xff"
#: Binary wire type of each supported column type (all big-endian, fixed width).
WIRE: dict[str, str] = {
    "int2": ">i2",
    "int4": ">i4",
    "int8": ">i8",
    "float8": ">f8",
    "timestamptz": ">i8",
}
_NATIVE: dict[str, str] = {
    "int2": "<i2",
    "int4": "<i4",
    "int8": "<i8",
    "float8": "<f8",
    "timestamptz": "<i8",
}
#: Rows packed per chunk: ~4 MB for four columns, so a batch never doubles its memory.
CHUNK_ROWS = 100_000


def _row_dtype(types: Sequence[str]) -> np.dtype[Any]:
    fields: list[tuple[str, str]] = [("nf", ">i2")]
    for i, t in enumerate(types):
        if t not in WIRE:
            raise ValueError(f"binary COPY of {t!r} is not supported")
        fields += [(f"l{i}", ">i4"), (f"v{i}", WIRE[t])]
    return np.dtype(fields)


def encode(columns: Sequence[tuple[str, Any]]) -> bytes:
    """Binary COPY tuples (no header or trailer) of ``(type, values)`` columns: numpy arrays of
    one length, or scalars repeated on every row. ``timestamptz`` values are µs since 1970."""
    n = max((len(v) for _, v in columns if np.ndim(v)), default=0)
    dtype = _row_dtype([t for t, _ in columns])
    rows = np.empty(n, dtype)
    rows["nf"] = len(columns)
    for i, (t, values) in enumerate(columns):
        rows[f"l{i}"] = np.dtype(WIRE[t]).itemsize
        if t == "timestamptz":
            values = np.asarray(values, dtype=np.int64) - PG_EPOCH_US
        rows[f"v{i}"] = values
    return rows.tobytes()


def copy_in(cur: Any, statement: str, columns: Sequence[tuple[str, Any]]) -> int:
    """Run ``COPY ... FROM STDIN (FORMAT BINARY)`` with the columns, in chunks; returns rows."""
    n = max((len(v) for _, v in columns if np.ndim(v)), default=0)
    with cur.copy(statement) as cp:
        cp.write(HEADER)
        for lo in range(0, n, CHUNK_ROWS):
            cp.write(
                encode([(t, v[lo : lo + CHUNK_ROWS] if np.ndim(v) else v) for t, v in columns])
            )
        cp.write(TRAILER)
    return n


def copy_out(
    cur: Any, query: str, params: Sequence[Any] | None, columns: Sequence[tuple[str, str]]
) -> dict[str, np.ndarray]:
    """The rows of ``query`` as numpy arrays, read by ``COPY (query) TO STDOUT`` in binary.

    ``columns`` names each selected column with its type; every value must be non-null (a null
    has no fixed width: the reader refuses it). Timestamps come back as µs since 1970."""
    buf = bytearray()
    with cur.copy(f"COPY ({query}) TO STDOUT (FORMAT BINARY)", params) as cp:
        for block in cp:
            buf += block
    types = [t for _, t in columns]
    dtype = _row_dtype(types)
    if len(buf) < 21 or not buf.startswith(HEADER[:11]):
        raise StorageError("PostgreSQL answered a COPY with an unexpected format.")
    start = 19 + int.from_bytes(buf[15:19], "big")
    body = memoryview(buf)[start : len(buf) - 2]
    if len(body) % dtype.itemsize:
        raise StorageError("A COPY answer held a null or a value of unexpected width.")
    rows = np.frombuffer(body, dtype)
    widths = [np.dtype(WIRE[t]).itemsize for t in types]
    if rows.size and (
        np.any(rows["nf"] != len(types))
        or any(np.any(rows[f"l{i}"] != w) for i, w in enumerate(widths))
    ):
        raise StorageError("A COPY answer held a null or a value of unexpected width.")
    out: dict[str, np.ndarray] = {}
    for i, (name, t) in enumerate(columns):
        values = rows[f"v{i}"].astype(_NATIVE[t])
        out[name] = values + PG_EPOCH_US if t == "timestamptz" else values
    return out
