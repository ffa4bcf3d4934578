"""One daemon thread working through a bounded queue, for the work that must stay off the live
path (alert rules, notifications): :meth:`QueueWorker.put` never blocks — a full queue drops
the item and counts it — :meth:`stop` finishes what is queued, :meth:`flush` waits for it, and
an optional ``tick`` runs every ``tick_s`` between items."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class QueueWorker(Generic[T]):
    def __init__(
        self,
        name: str,
        handle: Callable[[T], None],
        *,
        size: int,
        tick: Callable[[], None] | None = None,
        tick_s: float = 5.0,
    ) -> None:
        self.name = name
        self._handle = handle
        self._tick = tick
        self.tick_s = tick_s
        self._queue: queue.Queue[T | None] = queue.Queue(size)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.dropped = 0
        self.errors = 0

    def put(self, item: T) -> bool:
        """Queue ``item`` for the worker (started if need be); False (counted) when full."""
        self.start()
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            self.dropped += 1
            return False

    def qsize(self) -> int:
        return self._queue.qsize()

    def start(self) -> bool:
        """Start the thread; False when it runs already."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return False
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
            return True

    def stop(self, timeout: float = 10.0) -> None:
        """Work through what is queued, then end the thread."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)
        self._thread = None

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued item is handled; False on timeout."""
        end = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > end:
                return False
            time.sleep(0.005)
        return True

    def _run(self) -> None:
        next_tick = time.monotonic() + self.tick_s
        while True:
            got = True
            item: T | None = None
            try:
                wait = max(0.0, next_tick - time.monotonic()) if self._tick else None
                item = self._queue.get(timeout=wait)
            except queue.Empty:
                got = False
            try:
                if got and item is None:
                    return
                if item is not None:
                    self._handle(item)
                if self._tick is not None and time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + self.tick_s
                    self._tick()
            except Exception:
                self.errors += 1
                log.exception("%s failed on an item", self.name)
            finally:
                if got:
                    self._queue.task_done()
