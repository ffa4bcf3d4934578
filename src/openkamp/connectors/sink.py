"""The bounded buffer between every live source and the time-series store.

All connections and HTTP ingest requests of the platform hand their points to one :class:`Sink`.
It holds at most ``capacity`` points that are not yet durable: a caller whose points do not fit
waits (in order of arrival) until the writer has made room, which is how a fast producer is
slowed to what the store can take (backpressure) instead of growing memory. A writer thread
takes the waiting points of one organisation, up to ``batch_points`` from many callers at once,
writes them with the store (idempotent on signal and time; durable when it returns), and only
then tells each caller its points are stored. After each durable write it calls the listeners
``on_points(org_id, points)`` (online scoring, alert rules, live pages); a listener that fails
is logged and changes nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from openkamp.core.errors import StorageError
from openkamp.storage.timeseries.base import TimeSeriesStore, conform_points

log = logging.getLogger(__name__)

Listener = Callable[[int, pa.Table], None]


@dataclass
class _Item:
    org_id: int
    table: pa.Table
    done: Future[int]


class _Waiter:
    """A caller waiting for room: a thread (``event``) or a coroutine (``loop`` + ``future``)."""

    __slots__ = ("event", "future", "granted", "loop", "n")

    def __init__(self, n: int, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.n = n
        self.granted = False
        self.loop = loop
        self.event = threading.Event() if loop is None else None
        self.future: asyncio.Future[None] | None = loop.create_future() if loop else None

    def wake(self, granted: bool = True) -> None:
        """Let the caller go on: with room (``granted``), or to find the sink closed."""
        self.granted = granted
        if self.event is not None:
            self.event.set()
        elif self.loop is not None and self.future is not None:
            fut = self.future

            def resolve() -> None:
                if not fut.done():
                    fut.set_result(None)

            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                self.loop.call_soon_threadsafe(resolve)


class Sink:
    """Bounded, batching, durable writer of live points (thread-safe; sync and async callers)."""

    def __init__(
        self,
        store: TimeSeriesStore,
        *,
        capacity: int = 1_000_000,
        batch_points: int = 200_000,
    ) -> None:
        if capacity < 1 or batch_points < 1:
            raise ValueError("capacity and batch_points must be at least 1")
        self.store = store
        self.capacity = int(capacity)
        self.batch_points = int(min(batch_points, capacity))
        self._cond = threading.Condition()
        self._queue: deque[_Item] = deque()
        self._waiters: deque[_Waiter] = deque()
        self._fill = 0  # points admitted and not yet written (queued or being written)
        self._listeners: list[Listener] = []
        self._thread: threading.Thread | None = None
        self._closed = False
        self.written = 0  # points made durable since start
        self.failures = 0  # store writes that failed
        self.listener_errors = 0

    # -- listeners ----------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(org_id, points)`` after every durable write (from the writer thread:
        keep it quick, or hand the points on)."""
        with self._cond:
            self._listeners = [*self._listeners, listener]

    def remove_listener(self, listener: Listener) -> None:
        with self._cond:
            self._listeners = [x for x in self._listeners if x is not listener]

    # -- state --------------------------------------------------------------------------------

    @property
    def fill(self) -> int:
        """Points accepted and not yet durable."""
        return self._fill

    @property
    def fill_ratio(self) -> float:
        return min(1.0, self._fill / self.capacity)

    # -- writing ------------------------------------------------------------------------------

    def _pieces(self, org_id: int, points: pa.Table | pa.RecordBatch) -> Iterator[pa.Table]:
        tbl = conform_points(points)
        for offset in range(0, tbl.num_rows, self.batch_points):
            yield tbl.slice(offset, self.batch_points)

    def write(self, org_id: int, points: pa.Table | pa.RecordBatch) -> int:
        """Store points of ``org_id``; returns their number once they are durable. Blocks
        while the buffer is full (for threads: API routes, tests)."""
        return sum(f.result() for f in self.submit(org_id, points))

    def submit(self, org_id: int, points: pa.Table | pa.RecordBatch) -> list[Future[int]]:
        """Hand points over, waiting only for room; each future resolves (to its number of
        points) once they are durable. Lets a reader go on parsing while the store writes;
        acknowledge the source only after every future has resolved."""
        futures = []
        for piece in self._pieces(org_id, points):
            self._admit_blocking(piece.num_rows)
            futures.append(self._enqueue(org_id, piece))
        return futures

    async def write_async(self, org_id: int, points: pa.Table | pa.RecordBatch) -> int:
        """:meth:`write` for coroutines: awaits room and durability without blocking the loop."""
        futures = []
        for piece in self._pieces(org_id, points):
            await self._admit_async(piece.num_rows)
            futures.append(self._enqueue(org_id, piece))
        total = 0
        for f in futures:
            # shielded: a caller cancelled while its points are being written must not cancel
            # the writer's future (the points are written whatever the caller does)
            total += await asyncio.shield(asyncio.wrap_future(f))
        return total

    def _admit_now(self, n: int) -> bool:
        """Room for ``n`` points without waiting (the lock is held)."""
        if self._closed:
            raise StorageError("The live data buffer is closed (the platform is stopping).")
        if not self._waiters and (self._fill + n <= self.capacity or self._fill == 0):
            self._fill += n
            return True
        return False

    def _admit_blocking(self, n: int) -> None:
        with self._cond:
            if self._admit_now(n):
                return
            waiter = _Waiter(n)
            self._waiters.append(waiter)
        assert waiter.event is not None
        waiter.event.wait()
        if self._closed and not waiter.granted:
            raise StorageError("The live data buffer is closed (the platform is stopping).")

    async def _admit_async(self, n: int) -> None:
        loop = asyncio.get_running_loop()
        with self._cond:
            if self._admit_now(n):
                return
            waiter = _Waiter(n, loop)
            self._waiters.append(waiter)
        assert waiter.future is not None
        try:
            await waiter.future
        except asyncio.CancelledError:
            with self._cond:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                elif waiter.granted:  # room was given just as the caller gave up: hand it back
                    self._fill -= n
                    self._grant()
            raise
        if not waiter.granted:
            raise StorageError("The live data buffer is closed (the platform is stopping).")

    def _grant(self) -> None:
        """Wake waiting callers, in order, while their points fit (the lock is held)."""
        while self._waiters:
            first = self._waiters[0]
            if self._fill + first.n > self.capacity and self._fill > 0:
                return
            self._waiters.popleft()
            self._fill += first.n
            first.wake()

    def _enqueue(self, org_id: int, table: pa.Table) -> Future[int]:
        done: Future[int] = Future()
        with self._cond:
            self._queue.append(_Item(org_id, table, done))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="live-sink", daemon=True)
                self._thread.start()
            self._cond.notify_all()
        return done

    def _take(self) -> list[_Item] | None:
        """The next batch: queued items of the first item's organisation, in arrival order."""
        with self._cond:
            while not self._queue:
                if self._closed:
                    return None
                self._cond.wait()
            first = self._queue.popleft()
            batch, n = [first], first.table.num_rows
            kept: deque[_Item] = deque()
            while self._queue and n < self.batch_points:
                item = self._queue.popleft()
                if item.org_id == first.org_id and n + item.table.num_rows <= self.batch_points:
                    batch.append(item)
                    n += item.table.num_rows
                else:
                    kept.append(item)
            kept.extend(self._queue)
            self._queue = kept
            return batch

    def _run(self) -> None:
        while True:
            batch = self._take()
            if batch is None:
                return
            org = batch[0].org_id
            table = (
                batch[0].table
                if len(batch) == 1
                else pa.concat_tables([it.table for it in batch]).combine_chunks()
            )
            error: BaseException | None = None
            try:
                self.store.write(org, table)
            except BaseException as exc:  # handed to every caller of the batch
                error = exc
                self.failures += 1
                log.warning("live write of %d points failed: %s", table.num_rows, exc)
            with self._cond:
                self._fill -= table.num_rows
                self._grant()
                if error is None:
                    self.written += table.num_rows
                listeners = self._listeners
                self._cond.notify_all()
            for it in batch:
                if it.done.cancelled():  # its caller gave up; the points are written anyway
                    continue
                try:
                    if error is None:
                        it.done.set_result(it.table.num_rows)
                    else:
                        it.done.set_exception(error)
                except InvalidStateError:  # cancelled between the check and the answer
                    pass
            if error is None:
                for listener in listeners:
                    try:
                        listener(org, table)
                    except Exception:
                        self.listener_errors += 1
                        log.exception("a live-data listener failed (the points are stored)")

    # -- lifecycle ----------------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything accepted so far is durable; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._fill == 0, timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        """Refuse new points, write what is buffered, stop the writer."""
        with self._cond:
            self._closed = True
            waiting = list(self._waiters)
            self._waiters.clear()
            self._cond.notify_all()
        for waiter in waiting:  # not granted: their callers get StorageError
            waiter.wake(granted=False)
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def stats(self) -> dict[str, Any]:
        return {
            "fill": self._fill,
            "capacity": self.capacity,
            "fill_ratio": self.fill_ratio,
            "written": self.written,
            "failures": self.failures,
            "listener_errors": self.listener_errors,
        }
