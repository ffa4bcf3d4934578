"""The edge's store-and-forward queue: point batches on disk until the remote platform has them.

One SQLite file in WAL mode with ``synchronous=FULL``: an append is one transaction whose
commit is fsync'd before :meth:`DiskQueue.append` returns, so a batch the queue accepted
survives SIGKILL and a power cut. Each row holds one batch as an Arrow IPC stream of
POINT_SCHEMA (signal id, time, value) with its number of points and bytes. The forwarder
:meth:`claims <DiskQueue.claim>` the oldest batches not already in flight, sends them, and
:meth:`deletes <DiskQueue.delete>` them only once the remote answered 2xx. A crash between the
remote's answer and the delete sends those batches again after the restart: harmless, as the
remote stores a point once per (signal, time).

**When full** (``max_bytes`` of batches queued): an append *waits* until the forwarder has
made room; nothing is ever dropped, old or new. The wait travels back through the live buffer
to the connector (its ``ctx.write`` waits), which is the backpressure a source sees (an MQTT
broker keeps the unacknowledged messages, a Modbus poll is skipped and counted). Freed pages
of the file are reused, so the file stays about ``max_bytes`` large.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from openkamp.core.errors import StorageError
from openkamp.storage.timeseries.base import conform_points

_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL,
    points INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    body BLOB NOT NULL
)
"""


#: Most batches in one claim (SQLite's host parameters are limited).
MAX_CLAIM = 500


def table_to_ipc(table: pa.Table, compression: str | None = None) -> bytes:
    """A table as an Arrow IPC stream (``compression``: ``zstd``, ``lz4`` or None)."""
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=compression)
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def ipc_to_table(body: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(body)).read_all()


@dataclass
class Claimed:
    """Batches taken for one request (kept in the queue until :meth:`DiskQueue.delete`)."""

    ids: list[int]
    points: int
    size: int
    bodies: list[builtins.bytes]


class QueueClosed(StorageError):
    """The queue was closed while a caller waited for room."""


class DiskQueue:
    """A bounded, durable FIFO of point batches (thread-safe; see the module docstring)."""

    def __init__(
        self, path: str | Path, *, max_bytes: int = 1 << 30, compression: str | None = None
    ) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes = int(max_bytes)
        #: Arrow IPC body compression of appended batches (``zstd``, ``lz4`` or None).
        self.compression = compression
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # the commit's fsync: durable on return
        self._db.execute(_SCHEMA)
        self._cond = threading.Condition()
        self._inflight: set[int] = set()
        self._closed = False
        row = self._db.execute("SELECT COUNT(*), COALESCE(SUM(points), 0), "
                               "COALESCE(SUM(bytes), 0) FROM batch").fetchone()  # fmt: skip
        self._batches, self._points, self._bytes = int(row[0]), int(row[1]), int(row[2])
        #: Appends that had to wait for room, and the seconds they waited (backpressure).
        self.full_waits = 0
        self.full_wait_s = 0.0
        self.appended_points = 0

    # -- producer -----------------------------------------------------------------------------

    def append(self, org_id: int, points: pa.Table | pa.RecordBatch, *,
               compression: str | None = None, timeout: float | None = None) -> int:  # fmt: skip
        """Add a batch durably (fsync'd) and return its number of points. Waits while the queue
        is full (a batch larger than the whole queue is taken when the queue is empty);
        ``timeout``: :class:`TimeoutError` after that many seconds of waiting."""
        table = conform_points(points)
        if table.num_rows == 0:
            return 0
        body = table_to_ipc(table, compression)
        size = len(body)
        with self._cond:
            if not self._fits(size):
                self.full_waits += 1
                began = time.monotonic()
                ok = self._cond.wait_for(lambda: self._closed or self._fits(size), timeout)
                self.full_wait_s += time.monotonic() - began
                if not ok:
                    raise TimeoutError("the edge queue stayed full")
            if self._closed:
                raise QueueClosed("The edge queue is closed (the edge is stopping).")
            self._db.execute(
                "INSERT INTO batch (org_id, points, bytes, created_us, body) VALUES (?, ?, ?, ?, ?)",
                (org_id, table.num_rows, size, time.time_ns() // 1000, body),
            )
            self._batches += 1
            self._points += table.num_rows
            self._bytes += size
            self.appended_points += table.num_rows
            self._cond.notify_all()
        return int(table.num_rows)

    def _fits(self, size: int) -> bool:
        return self._bytes == 0 or self._bytes + size <= self.max_bytes

    # -- the TimeSeriesStore.write the live Sink calls ----------------------------------------

    def write(self, org_id: int, points: pa.Table | pa.RecordBatch) -> int:
        """What :class:`~openkamp.connectors.sink.Sink` calls as its store: durable on return."""
        return self.append(org_id, points, compression=self.compression)

    # -- consumer -----------------------------------------------------------------------------

    def claim(self, max_points: int, *, wait: float | None = None) -> Claimed | None:
        """The oldest batches not in flight, together up to ``max_points`` (at least one),
        marked in flight; None when there is none (after waiting up to ``wait`` seconds)."""
        with self._cond:
            if wait:
                self._cond.wait_for(
                    lambda: self._closed or self._batches > len(self._inflight), wait
                )
            if self._batches <= len(self._inflight):
                return None
            ids: list[int] = []
            n = size = last = 0
            full = False
            while not full:
                rows = self._db.execute(
                    "SELECT id, points, bytes FROM batch WHERE id > ? ORDER BY id LIMIT 256",
                    (last,),
                ).fetchall()
                if not rows:
                    break
                for rid, pts, nbytes in rows:
                    last = rid
                    if rid in self._inflight:
                        continue
                    if ids and (n + pts > max_points or len(ids) >= MAX_CLAIM):
                        full = True
                        break
                    ids.append(rid)
                    n += pts
                    size += nbytes
            if not ids:
                return None
            marks = ",".join("?" * len(ids))
            found = dict(self._db.execute(f"SELECT id, body FROM batch WHERE id IN ({marks})", ids))
            bodies = [found[i] for i in ids]
            self._inflight.update(ids)
            return Claimed(ids, n, size, bodies)

    def release(self, claimed: Claimed) -> None:
        """Give claimed batches back (their send failed): they go again, oldest first."""
        with self._cond:
            self._inflight.difference_update(claimed.ids)
            self._cond.notify_all()

    def delete(self, claimed: Claimed) -> None:
        """Remove batches the remote has stored (durably: fsync'd)."""
        with self._cond:
            marks = ",".join("?" * len(claimed.ids))
            self._db.execute(f"DELETE FROM batch WHERE id IN ({marks})", claimed.ids)
            self._inflight.difference_update(claimed.ids)
            self._batches -= len(claimed.ids)
            self._points -= claimed.points
            self._bytes -= claimed.size
            self._cond.notify_all()

    # -- state --------------------------------------------------------------------------------

    def wait_empty(self, timeout: float | None = None) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._batches == 0, timeout)

    def stats(self) -> dict[str, Any]:
        """Depth (batches, points, bytes), the oldest batch's age, backpressure so far."""
        with self._cond:
            row = self._db.execute("SELECT MIN(created_us) FROM batch").fetchone()
            oldest = row[0]
            return {
                "batches": self._batches,
                "points": self._points,
                "bytes": self._bytes,
                "max_bytes": self.max_bytes,
                "fill_ratio": min(1.0, self._bytes / self.max_bytes),
                "oldest_age_s": (time.time_ns() // 1000 - oldest) / 1e6 if oldest else 0.0,
                "in_flight": len(self._inflight),
                "full_waits": self.full_waits,
                "full_wait_s": round(self.full_wait_s, 3),
            }

    def close(self) -> None:
        """Wake every waiting caller (they get :class:`QueueClosed`) and close the file."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        with self._cond:
            self._db.close()


def read_stats(path: str | Path) -> dict[str, Any] | None:
    """A queue file's depth, read without opening it for writing (``openkamp edge status``
    while the edge runs); None when there is no queue."""
    p = Path(path)
    if not p.exists():
        return None
    db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    try:
        n, pts, size, oldest = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(points), 0), COALESCE(SUM(bytes), 0), "
            "MIN(created_us) FROM batch"
        ).fetchone()
    finally:
        db.close()
    return {
        "batches": int(n),
        "points": int(pts),
        "bytes": int(size),
        "oldest_age_s": (time.time_ns() // 1000 - oldest) / 1e6 if oldest else 0.0,
    }
