"""One writer thread per embedded database (STYLE rule 4, after datasette's execute_write_fn).

Embedded engines (DuckDB, SQLite) allow one writer at a time. Instead of locks scattered through
the code, every write is a function submitted to a queue and run, in order, by a single thread
that owns the write connection. ``submit`` blocks until the function has run and returns its
result (or raises its exception), so a write that returned has been committed.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_STOP = object()

log = logging.getLogger(__name__)


class SingleWriter:
    """Runs submitted functions one at a time on a dedicated thread."""

    def __init__(self, name: str, connection: Any) -> None:
        self._conn = connection
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=f"writer-{name}", daemon=True)
        self._closed = False
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            fn, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn(self._conn))
            except BaseException as exc:
                fut.set_exception(exc)

    def submit(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(connection)`` on the writer thread and return its result."""
        if self._closed:
            raise RuntimeError("store is closed")
        if threading.current_thread() is self._thread:
            return fn(self._conn)  # re-entrant call from inside a write
        fut: Future[T] = Future()
        self._queue.put((fn, fut))
        return fut.result()

    def post(self, fn: Callable[[Any], object]) -> None:
        """Queue ``fn(connection)`` to run on the writer thread after what is queued, without
        waiting for it (upkeep that no caller needs to wait for); its errors are logged.
        Nothing is queued once the writer is closed."""
        if self._closed:
            return

        def run(conn: Any) -> None:
            try:
                fn(conn)
            except Exception:
                log.warning("background write %r failed", fn, exc_info=True)

        self._queue.put((run, Future()))

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()
