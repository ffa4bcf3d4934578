"""Where job functions run: the executor seam and the default in-process thread pool.

An executor only places work; every state change of a job (queued → running → done / failed /
cancelled, progress, log) is written by :func:`openkamp.jobs.service.run_job` through the
metadata store, wherever that function runs. That keeps the interface two methods wide:

``submit(task, run) -> handle``
    Start ``run(task)`` some time later. ``task`` is a :class:`JobTask`: plain, picklable values
    (ids, the principal, the function, its parameters). An in-process executor calls ``run(task)``
    on one of its threads. An out-of-process executor (``remote = True``; the Dask executor of
    :mod:`openkamp.jobs.dask`) ships ``task`` instead and calls ``run_job`` on the worker, against
    the installation's stores opened there; cancel requests reach the job through the
    ``cancel_requested`` column, which the job's context polls. For such an executor ``run`` is
    the service's *end* hook: it calls ``run(task, reason)`` in this process once the remote work
    ended, however it ended (``reason`` is None when the worker recorded the end itself, else
    why the work was lost), so that a job is never left ``running`` by a lost worker.
``handle.cancel() -> bool``
    Drop the task if it has not started; True when it never will. A False answer is harmless:
    ``run_job`` starts only jobs still ``queued``, so a job cancelled in the store is skipped.
``shutdown(timeout_s)``
    Take no more tasks, drop queued ones, and wait up to ``timeout_s`` for running ones. A
    remote executor only lets go of its connection: the jobs go on running on the cluster.
``still_running(keys)``
    After a restart: which jobs (``(org_id, job_id)``) this executor is still running elsewhere,
    so that the service does not mark them interrupted. None for an in-process executor.

Only a function marked :func:`portable` travels to another process: a module-level function that
reads what it needs through ``ctx.platform`` and ``ctx.params``. A closure over this process's
platform or files runs in this process whatever the executor (see ``JobService.submit``).
"""

from __future__ import annotations

import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from openkamp.core.tenancy import Principal

if TYPE_CHECKING:
    from openkamp.jobs.context import JobContext


F = TypeVar("F", bound=Callable[..., Any])


class WorkLost(Exception):
    """What a remote executor hands its end hook when it lost the work (the worker running it,
    or the cluster), as opposed to an error the job's function or its runner raised."""


_PORTABLE = "__openkamp_portable__"


def portable(fn: F) -> F:
    """Mark a module-level job function as one that may run in another process (a Dask worker):
    it takes everything from its context (``ctx.platform``, ``ctx.principal``, ``ctx.params``)
    and nothing from the process that submitted it."""
    setattr(fn, _PORTABLE, True)
    return fn


def is_portable(fn: Any) -> bool:
    """Whether ``fn`` (or the function a ``functools.partial`` wraps) is marked :func:`portable`."""
    while hasattr(fn, "func") and not hasattr(fn, _PORTABLE):  # functools.partial
        fn = fn.func
    return bool(getattr(fn, _PORTABLE, False))


@dataclass(frozen=True)
class JobTask:
    """Everything a worker needs to run one job (picklable when ``fn`` is)."""

    org_id: int
    job_id: int
    principal: Principal
    fn: Callable[[JobContext], dict[str, Any] | None]
    params: dict[str, Any] = field(default_factory=dict)


class Handle(Protocol):
    def cancel(self) -> bool:
        """Drop the task if it has not started; True when it will never run."""
        ...


class Executor(ABC):
    """Runs job tasks somewhere (see the module docstring for the contract)."""

    #: True when tasks run in other processes and outlive this one (see the module docstring).
    remote: ClassVar[bool] = False

    @abstractmethod
    def submit(self, task: JobTask, run: Callable[..., None]) -> Handle: ...

    @abstractmethod
    def shutdown(self, timeout_s: float) -> None: ...

    def still_running(self, keys: list[tuple[int, int]]) -> set[tuple[int, int]] | None:
        """Which of these jobs (org id, job id) still run elsewhere; None: this executor cannot
        tell (an in-process pool: whatever a previous process left is gone)."""
        return None


class _ThreadHandle:
    def __init__(self, task: JobTask, run: Callable[[JobTask], None]) -> None:
        self.task = task
        self.run = run
        self._lock = threading.Lock()
        self._state = "queued"  # queued | running | dropped

    def cancel(self) -> bool:
        with self._lock:
            if self._state == "queued":
                self._state = "dropped"
            return self._state == "dropped"

    def _claim(self) -> bool:
        with self._lock:
            if self._state != "queued":
                return False
            self._state = "running"
            return True


class ThreadExecutor(Executor):
    """A small pool of daemon threads (the default executor).

    Daemon threads, unlike ``concurrent.futures.ThreadPoolExecutor``'s, never keep the interpreter
    alive: a job function that ignores cancellation cannot stop a server from exiting. The next
    start marks such a job failed (``JobService.mark_interrupted``).
    """

    def __init__(self, workers: int = 2, *, name: str = "openkamp-job") -> None:
        if workers < 1:
            raise ValueError("a thread executor needs at least one worker")
        self.workers = workers
        self._queue: queue.SimpleQueue[_ThreadHandle | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._idle = threading.Condition(self._lock)
        self._closed = False
        self._name = name

    def submit(self, task: JobTask, run: Callable[[JobTask], None]) -> Handle:
        handle = _ThreadHandle(task, run)
        with self._lock:
            if self._closed:
                raise RuntimeError("the executor is shut down")
            if len(self._threads) < self.workers:  # threads start on demand
                t = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(t)
                t.start()
            self._queue.put(handle)
        return handle

    def _work(self) -> None:
        while True:
            handle = self._queue.get()
            if handle is None:
                return
            if not handle._claim():
                continue
            with self._lock:
                self._busy += 1
            try:
                handle.run(handle.task)
            except BaseException:  # run() records its own failures; never lose the thread
                pass
            finally:
                with self._lock:
                    self._busy -= 1
                    self._idle.notify_all()

    def shutdown(self, timeout_s: float) -> None:
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        while True:  # drop what never started
            try:
                handle = self._queue.get_nowait()
            except queue.Empty:
                break
            if handle is not None:
                handle.cancel()
        for _ in threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while self._busy and (left := deadline - time.monotonic()) > 0:
                self._idle.wait(left)
