"""Fan-out inside a job: one job, many independent parts (a model per machine, the scores of one
time partition each).

``ctx.map(fn, items)`` runs ``fn(part, item)`` for every item and returns one :class:`Outcome`
per item, in item order. Where the parts run is the mapper's business:

* in-process (the thread pool): one after another, in the job's own thread
  (:class:`SequentialMapper`);
* on a Dask worker: each part is a Dask task of its own, spread over the cluster, while the
  job's task waits outside the worker's thread pool (:class:`openkamp.jobs.dask.DaskMapper`).

Parts are independent: a part that fails is an outcome with its error, not the job's end; the
job function decides what a failed part means. Cancel: the job stops waiting at its next look at
the record, parts that have not started are dropped, and running ones stop at their next
``part.check()`` (which polls the same ``cancel_requested`` column as the job). A part's log lines
come back with its outcome and are written to the job's log with the item's label in front:
parts on other workers cannot write the job's record without overwriting each other.

A part function is like a portable job function: module-level, reading what it needs through
``part.platform``, ``part.principal`` and ``part.params``; its value is plain data (it travels
back from the worker, and a job's result must be JSON).

A part may run twice: on a cluster, Dask runs a part again when the worker running it died,
perhaps after the part had done its work. A part function is therefore idempotent or fenced:
what it writes is keyed by the job and its item (``part.fence(item)``), so that a second run
finds the first run's work instead of doing it again (a model per machine is registered once;
a time partition's scores are written to that partition's own place, whole or not at all).
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from openkamp.core.errors import OpenKampError
from openkamp.core.tenancy import Principal
from openkamp.jobs.context import Cancelled
from openkamp.jobs.executor import JobTask

if TYPE_CHECKING:
    from openkamp.jobs.context import JobContext


@dataclass
class Outcome:
    """How one part ended: its value, or its error (``error`` the text, ``error_record`` what a
    page needs to say it in the reader's language); its log lines, where and how long it ran."""

    item: Any
    value: Any = None
    error: str | None = None
    error_record: dict[str, Any] | None = None
    log: list[str] = field(default_factory=list)
    worker: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class Part:
    """What a part function sees: the platform, the job's principal and parameters, ``check()``
    (raises :class:`Cancelled` once the job was asked to stop) and ``log(text)``."""

    def __init__(self, platform: Any, task: JobTask, cancelled: Callable[[], bool]) -> None:
        self.platform = platform
        self._task = task
        self._cancelled = cancelled
        self.lines: list[str] = []

    @property
    def principal(self) -> Principal:
        return self._task.principal

    @property
    def params(self) -> dict[str, Any]:
        return self._task.params

    @property
    def job_id(self) -> int:
        return self._task.job_id

    @property
    def cancelled(self) -> bool:
        return self._cancelled()

    def check(self) -> None:
        if self._cancelled():
            raise Cancelled("the job was cancelled")

    def log(self, text: str) -> None:
        self.lines.extend(str(text).splitlines() or [""])

    def fence(self, what: str) -> str:
        """A key naming this job's part for ``what`` (its item), the same when the part runs
        again: Dask reruns a part whose worker died, possibly after the part did its work, so
        work that must happen once is keyed by it (a model registered with it is registered
        once, :meth:`~openkamp.ml.registry.ModelRegistry.register`; see :func:`fan_out`)."""
        return f"job {self._task.org_id}/{self._task.job_id}: {what}"


def where() -> str:
    """This process, for an outcome: ``pid@host``."""
    return f"{os.getpid()}@{socket.gethostname()}"


def run_part(part: Part, fn: Callable[[Part, Any], Any], item: Any, worker: str = "") -> Outcome:
    """Run one part and keep how it ended (never raises, so one part cannot end the others)."""
    from openkamp.jobs.service import _describe, error_record

    started = time.perf_counter()
    out = Outcome(item, worker=worker or where())
    try:
        out.value = fn(part, item)
    except Cancelled:
        out.error = "cancelled"
    except Exception as exc:  # a part's failure is its outcome
        out.error, out.error_record = _describe(exc), error_record(exc)
        if not isinstance(exc, OpenKampError):
            part.log("".join(traceback.format_exception(exc)).rstrip())
    out.log = part.lines
    out.seconds = round(time.perf_counter() - started, 3)
    return out


class Mapper(Protocol):
    def run(
        self,
        ctx: JobContext,
        fn: Callable[[Part, Any], Any],
        items: Sequence[Any],
        done: Callable[[int, Outcome], None],
    ) -> None:
        """Run every part; call ``done(index, outcome)`` in the job's thread as each ends; raise
        :class:`Cancelled` (after dropping what has not started) once the job is cancelled."""
        ...


class SequentialMapper:
    """Parts one after another in the job's thread (the in-process executor)."""

    def run(
        self,
        ctx: JobContext,
        fn: Callable[[Part, Any], Any],
        items: Sequence[Any],
        done: Callable[[int, Outcome], None],
    ) -> None:
        for i, item in enumerate(items):
            ctx.check()
            part = Part(ctx.platform, ctx.task, lambda: ctx.cancelled)
            done(i, run_part(part, fn, item))


def fan_out(
    ctx: JobContext,
    mapper: Mapper,
    fn: Callable[[Part, Any], Any],
    items: Sequence[Any],
    *,
    label: Callable[[Any], str] = str,
    span: tuple[float, float] = (0.0, 1.0),
) -> list[Outcome]:
    """``ctx.map``: run the parts with ``mapper``, log and count them as they end."""
    items = list(items)
    outcomes: list[Outcome | None] = [None] * len(items)
    lo, hi = span
    n = len(items)
    finished = 0

    def done(i: int, outcome: Outcome) -> None:
        nonlocal finished
        outcomes[i] = outcome
        finished += 1
        name = label(items[i])
        for line in outcome.log:
            ctx.log(f"[{name}] {line}")
        if outcome.ok:
            ctx.log(f"[{name}] done in {outcome.seconds:.1f} s ({outcome.worker})")
        else:
            ctx.log(f"[{name}] failed: {outcome.error} ({outcome.worker})")
        ctx.progress(lo + (hi - lo) * finished / max(n, 1), f"{finished}/{n}")

    ctx.log(f"{n} parts")
    mapper.run(ctx, fn, items, done)
    ctx.check()  # a part that saw the cancel ended as "cancelled": so does the job
    return [o if o is not None else Outcome(items[i], error="lost") for i, o in enumerate(outcomes)]
