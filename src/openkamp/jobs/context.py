"""What a job function sees while it runs: progress, a bounded log, and cooperative cancel.

Writes to the store are throttled: a job may call :meth:`JobContext.progress` in a tight loop and
the store still sees at most one write per ``interval_s`` (plus one whenever the message changes).
A trailing update that the throttle held back is written by the service's ticker within
``interval_s`` (on a Dask worker, by the worker's own ticker), or at the end of the job.

A job function reaches the installation through ``ctx.platform``: the platform that owns the job
service in-process, or on a Dask worker the platform that worker opened from the installation's
settings (:mod:`openkamp.jobs.dask`). ``ctx.map`` fans a job out into independent parts
(:mod:`openkamp.jobs.fanout`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from openkamp.core.errors import NotFound
from openkamp.core.tenancy import Principal
from openkamp.jobs.executor import JobTask
from openkamp.storage.metadata.base import MetadataStore

if TYPE_CHECKING:
    from openkamp.jobs.fanout import Mapper, Outcome, Part

MESSAGE_MAX = 512  # the width of the jobs.message column
_DROPPED = "[… earlier lines dropped]"


class Cancelled(Exception):  # a signal, not an error: "the job was cancelled"
    """Raised by :meth:`JobContext.check` once cancellation was requested; ends the job cancelled."""


class LogBuffer:
    """The last ``max_bytes`` (UTF-8) of a job's log, whole lines where possible."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(max_bytes, 256)
        self._lines: deque[tuple[str, int]] = deque()
        self._size = 0  # bytes of the kept lines, newline included
        self.dropped = False

    def add(self, line: str) -> None:
        budget = self.max_bytes - len(_DROPPED.encode()) - 1
        data = line.encode("utf-8")
        if len(data) + 1 > budget:  # one huge line: keep its end
            line = "…" + data[-(budget - 4) :].decode("utf-8", errors="ignore")
            data = line.encode("utf-8")
        self._lines.append((line, len(data) + 1))
        self._size += len(data) + 1
        limit = budget if self.dropped or self._size > self.max_bytes else self.max_bytes
        while self._size > limit:
            _, n = self._lines.popleft()
            self._size -= n
            self.dropped = True
            limit = budget

    def text(self) -> str:
        body = "".join(line + "\n" for line, _ in self._lines)
        return f"{_DROPPED}\n{body}" if self.dropped else body


class JobContext:
    """Handed to a job function as its only argument.

    ``progress(fraction, message)`` reports how far the job is (0..1; a message of None keeps the
    current one); ``log(text)`` appends timestamped lines; ``cancelled`` tells whether someone asked
    the job to stop and ``check()`` raises :class:`Cancelled` if so. ``params`` are the job's
    parameters; ``principal`` is who submitted it (pass it on to services); ``platform`` is the
    installation the job runs against; ``map(fn, items)`` runs independent parts, spread over the
    cluster when the job runs on one.
    """

    def __init__(
        self,
        meta: MetadataStore,
        task: JobTask,
        *,
        interval_s: float = 0.5,
        log_max_bytes: int = 64 * 1024,
        cancel_event: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
        platform: Any = None,
        mapper: Mapper | None = None,
    ) -> None:
        self._meta = meta
        self._platform = platform
        self._mapper = mapper
        self._task = task
        self._interval = interval_s
        self._clock = clock
        self._cancel = cancel_event or threading.Event()
        self._lock = threading.RLock()
        self._log = LogBuffer(log_max_bytes)
        self._progress = 0.0
        self._message = ""
        self._dirty = False
        self._last_flush = -math.inf
        self._seq = 0  # snapshots taken
        self._written = 0  # the newest snapshot in the store
        self._last_poll = clock()
        self._attached = True
        self._attempt: int | None = None  # the start this context writes for (fence)
        #: The job was lost to another worker (:meth:`abandon`): its outcome is not written.
        self.abandoned = False

    # -- what the job function uses --------------------------------------------------------------

    @property
    def job_id(self) -> int:
        return self._task.job_id

    @property
    def principal(self) -> Principal:
        return self._task.principal

    @property
    def params(self) -> dict[str, Any]:
        return self._task.params

    @property
    def task(self) -> JobTask:
        return self._task

    @property
    def interval_s(self) -> float:
        return self._interval

    @property
    def platform(self) -> Any:
        """The :class:`~openkamp.platform.Platform` the job runs against."""
        if self._platform is None:
            raise RuntimeError("this job runs without a platform (a bare JobService)")
        return self._platform

    def map(
        self,
        fn: Callable[[Part, Any], Any],
        items: Sequence[Any],
        *,
        label: Callable[[Any], str] = str,
        span: tuple[float, float] = (0.0, 1.0),
    ) -> list[Outcome]:
        """Run ``fn(part, item)`` for every item and return their outcomes in item order (see
        :mod:`openkamp.jobs.fanout`); progress moves across ``span`` as parts end."""
        from openkamp.jobs.fanout import SequentialMapper, fan_out

        return fan_out(self, self._mapper or SequentialMapper(), fn, items, label=label, span=span)

    def progress(self, fraction: float, message: str | None = None) -> None:
        with self._lock:
            if not math.isnan(fraction):
                self._progress = min(1.0, max(0.0, float(fraction)))
            changed = message is not None and message[:MESSAGE_MAX] != self._message
            if changed:
                self._message = (message or "")[:MESSAGE_MAX]
            self._dirty = True
            write = changed or self._due()
        if write:
            self._flush()

    def log(self, text: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            for i, line in enumerate(str(text).splitlines() or [""]):
                self._log.add(f"{stamp} {line}" if i == 0 else f"  {line}")
            self._dirty = True
            write = self._due()
        if write:
            self._flush()

    @property
    def cancelled(self) -> bool:
        if self._cancel.is_set():
            return True
        now = self._clock()
        if now - self._last_poll >= self._interval:
            # Another process (an API worker) may have asked: the store is the shared truth.
            self._last_poll = now
            try:
                rec = self._meta.get(self._task.org_id, "job", self._task.job_id)
            except NotFound:
                return False
            if rec["cancel_requested"] or not self._ours(rec):
                self._cancel.set()  # (no longer ours: another worker runs it; stop here)
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancellation was requested (call it between steps)."""
        if self.cancelled:
            raise Cancelled("the job was cancelled")

    def flush(self) -> None:
        """Write pending progress and log now (before a long step without calls, say)."""
        self._flush()

    # -- what the service uses -------------------------------------------------------------------

    def flush_if_due(self) -> None:
        with self._lock:
            due = self._dirty and self._due()
        if due:
            self._flush()

    def detach(self) -> dict[str, Any]:
        """Stop writing (the service writes the final state); returns that state."""
        with self._lock:
            self._attached = False
            return {"progress": self._progress, "message": self._message, "log": self._log.text()}

    def request_cancel(self) -> None:
        self._cancel.set()

    def seed_log(self, text: str) -> None:
        """Continue the log already stored (a job started again keeps its earlier attempts')."""
        with self._lock:
            for line in str(text).splitlines():
                if line != _DROPPED:
                    self._log.add(line)

    def abandon(self) -> None:
        """This process lost the job (its lease): write nothing more, ask the function to stop."""
        with self._lock:
            self._attached = False
            self.abandoned = True
        self._cancel.set()

    def fence(self, attempt: int) -> None:
        """Write only while the record is ``running`` with this ``attempt``: a worker that lost
        the job (its lease ran out and the job was queued again or failed) writes nothing."""
        with self._lock:
            self._attempt = int(attempt)

    def _ours(self, rec: dict[str, Any]) -> bool:
        if self._attempt is None:
            return True
        return rec["status"] == "running" and int(rec.get("attempt") or 0) == self._attempt

    def _due(self) -> bool:
        return self._clock() - self._last_flush >= self._interval

    def _flush(self) -> None:
        # Lock order: the store's, then this context's; never the reverse. A job function may call
        # progress() inside its own store transaction while the ticker flushes the same context, so
        # the context lock is never held while waiting for the store.
        with self._lock:
            if not self._dirty:
                return
            self._seq += 1
            seq = self._seq
            values = {"progress": self._progress, "message": self._message, "log": self._log.text()}
            self._dirty = False
            self._last_flush = self._clock()
        try:
            with self._meta.transaction():
                with self._lock:
                    # A newer snapshot already written, or the job ended (a leaked context must
                    # not overwrite the final record): nothing to do.
                    if not self._attached or seq <= self._written:
                        return
                    fenced = self._attempt is not None
                if fenced and not self._ours(
                    self._meta.get(self._task.org_id, "job", self._task.job_id)
                ):
                    with self._lock:  # lost to another worker: write nothing more, stop
                        self._attached = False
                    self._cancel.set()
                    return
                self._meta.update(self._task.org_id, "job", self._task.job_id, values)
                with self._lock:
                    self._written = seq
        except BaseException:
            with self._lock:
                self._dirty = True  # try again at the next call or tick
            raise
