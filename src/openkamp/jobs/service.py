"""The jobs service: long work (training, large imports, scoring) run in the background.

A job is a record (kind ``job``, organisation-scoped) and a function ``fn(ctx) -> dict | None``::

    job = kamp.jobs.submit(me, "train", "Defect model for press 1", lambda ctx: train(ctx))
    kamp.jobs.wait(me, job["id"], timeout=60)["status"]   # 'done'

Statuses: ``queued → running → done | failed | cancelled``; a queued job may also go straight to
``cancelled``. The record holds progress (0..1), the current message, the last part of the log,
the parameters, the result (the function's returned dict) and, for a failure, the error.

Where the function runs is the executor's business (:mod:`openkamp.jobs.executor`); every state
change goes through :func:`run_job` and the metadata store, so a record means the same whichever
executor ran it. With a remote executor (Dask), functions marked ``portable`` go to the cluster and
the others (closures over this process's platform or files) run in this process's pool.
"""

from __future__ import annotations

import builtins
import json
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openkamp.core.errors import InvalidInput, OpenKampError
from openkamp.core.tenancy import Principal, Role, require
from openkamp.jobs.context import MESSAGE_MAX, Cancelled, JobContext
from openkamp.jobs.executor import (
    Executor,
    Handle,
    JobTask,
    ThreadExecutor,
    WorkLost,
    is_portable,
)
from openkamp.storage.metadata.base import MetadataStore, Record

JobFn = Callable[[JobContext], dict[str, Any] | None]

STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")
INTERRUPTED = "interrupted (the server restarted)"
STOPPED = "interrupted (the server stopped before the job ended)"
LOST = "interrupted (the worker running it stopped)"


def _now() -> datetime:
    return datetime.now(UTC)


def _describe(exc: BaseException) -> str:
    """The error text users see: a domain error's message and hint, else type and message."""
    if isinstance(exc, OpenKampError):
        return str(exc)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


#: A Python traceback in a job's log: its header, the indented frame lines, the exception line.
_TRACEBACK = re.compile(r"Traceback \(most recent call last\):\n(?:[ \t].*\n?)*(?:\S.*)?")
#: What a reader who is not an administrator sees instead of a traceback or an internal error.
HIDDEN = "(details of an internal error: for administrators)"


def for_reader(rec: Record, principal: Principal) -> Record:
    """``rec`` as ``principal`` may read it: administrators see everything; others see the log
    without Python tracebacks (they name server paths and code) and an internal error only as
    one, never its text. Domain errors (with a catalogue code) are shown to everyone."""
    if principal.has(Role.ADMIN):
        return rec
    out = dict(rec)
    if out.get("log"):
        out["log"] = _TRACEBACK.sub(HIDDEN, str(out["log"]))
    result = out.get("result")
    error = result.get("error") if isinstance(result, dict) else None
    internal = not isinstance(error, dict) or error.get("type") == "internal"
    if out.get("error") and internal and out["error"] not in (INTERRUPTED, STOPPED, LOST):
        out["error"] = HIDDEN
    return out


def error_record(exc: BaseException) -> dict[str, Any]:
    """What a job keeps of its failure so that a page can say it in the reader's language: a
    domain error's type, code and parameters; for anything else only that it was internal (the
    traceback is in the job's log, never shown as the message)."""
    if isinstance(exc, OpenKampError):
        params = {
            k: v if isinstance(v, int | float | bool) else str(v) for k, v in exc.params.items()
        }
        return {"type": type(exc).__name__, "code": exc.code, "params": params, "hint": exc.hint}
    return {"type": "internal", "code": "job.internal", "params": {}, "hint": None}


def run_job(
    meta: MetadataStore,
    task: JobTask,
    *,
    interval_s: float = 0.5,
    log_max_bytes: int = 64 * 1024,
    context: JobContext | None = None,
) -> str:
    """Run one queued job to its end and record the outcome; returns the final status.

    Executors call this wherever the function runs (in-process: through the service, which passes
    the ``context`` it tracks for cancel and flushing). A job that is no longer ``queued`` (it was
    cancelled while waiting) is skipped.
    """
    org, jid = task.org_id, task.job_id
    with meta.transaction():
        rec = meta.get(org, "job", jid)
        if rec["status"] != "queued":
            return str(rec["status"])
        meta.update(org, "job", jid, {"status": "running", "started_at": _now()})
    ctx = context or JobContext(meta, task, interval_s=interval_s, log_max_bytes=log_max_bytes)
    result: dict[str, Any] = {}
    error: str | None = None
    status = "done"
    try:
        value = task.fn(ctx)
        if value is not None and not isinstance(value, dict):
            raise InvalidInput(
                f"The job function returned a {type(value).__name__}; a job returns a dict or None."
            )
        result = value or {}
        json.dumps(
            result, sort_keys=True
        )  # refuse what the store could not keep, while we can still say why
    except Cancelled:
        status = "cancelled"
        ctx.log("cancelled")
    except BaseException as exc:  # every failure ends the job, none the worker
        status, error, result = "failed", _describe(exc), {"error": error_record(exc)}
        if isinstance(exc, OpenKampError):
            ctx.log(f"failed: {error}")
        else:
            ctx.log("".join(traceback.format_exception(exc)).rstrip())
    else:
        if ctx.cancelled:  # the function saw the request and returned early
            status = "cancelled"
            ctx.log("cancelled")
    final = ctx.detach()
    if status == "done":
        final["progress"] = 1.0
    with meta.transaction():
        if meta.get(org, "job", jid)["status"] != "running":
            return "failed"  # the service gave up on it at shutdown; keep what it wrote
        meta.update(
            org,
            "job",
            jid,
            {**final, "status": status, "result": result, "error": error, "finished_at": _now()},
        )
    return status


@dataclass
class _Active:
    task: JobTask
    handle: Handle | None
    context: JobContext
    remote: bool = False  # runs on the cluster (the executor calls _remote_ended)


class JobService:
    """Submit, follow, cancel and wait for jobs (``Platform.jobs``).

    Viewers may read jobs; engineers submit and cancel them. A job of another organisation is
    "not found", exactly like a missing one. ``platform`` is what job functions reach as
    ``ctx.platform`` (the :class:`~openkamp.platform.Platform` sets itself).
    """

    def __init__(
        self,
        meta: MetadataStore,
        executor: Executor | None = None,
        *,
        workers: int = 2,
        progress_interval_s: float = 0.5,
        log_max_bytes: int = 64 * 1024,
    ) -> None:
        self.meta = meta
        self.executor = executor or ThreadExecutor(workers)
        # Beside a remote executor, a pool here for what cannot travel (see submit).
        self._local = ThreadExecutor(workers) if self.executor.remote else None
        self.platform: Any = None
        self.progress_interval_s = progress_interval_s
        self.log_max_bytes = log_max_bytes
        self._lock = threading.Lock()
        self._ended = threading.Condition(self._lock)
        self._active: dict[int, _Active] = {}
        self._closed = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # -- start-up -------------------------------------------------------------------------------

    def mark_interrupted(self) -> int:
        """Jobs left queued or running by a process that died are marked failed.

        Call once at start-up, before any job is submitted. With several processes sharing one
        store this would also fail other live processes' jobs: scale-out needs worker leases.
        Jobs a remote executor still runs (on the Dask cluster) are left alone: their workers
        record their end.
        """
        left = [
            (org["id"], rec)
            for org in self.meta.list_orgs()
            for rec in self.meta.find(org["id"], "job", status=list(ACTIVE))
        ]
        if not left:
            return 0
        elsewhere = self.executor.still_running([(org, rec["id"]) for org, rec in left]) or set()
        n = 0
        for org_id, rec in left:
            if (org_id, rec["id"]) in elsewhere:
                continue
            with self.meta.transaction():
                if self.meta.get(org_id, "job", rec["id"])["status"] not in ACTIVE:
                    continue  # it ended meanwhile
                self.meta.update(
                    org_id,
                    "job",
                    rec["id"],
                    {"status": "failed", "error": INTERRUPTED, "finished_at": _now()},
                )
            n += 1
        return n

    # -- the service ----------------------------------------------------------------------------

    def submit(
        self,
        principal: Principal,
        kind: str,
        title: str,
        fn: JobFn,
        params: dict[str, Any] | None = None,
        *,
        role: Role = Role.ENGINEER,
    ) -> Record:
        """Queue ``fn(ctx)``; returns the job record (status ``queued``). ``role``: the least
        role that may start it (scoring, which a viewer may do, runs as a job too)."""
        require(principal, role)
        if not kind or len(kind) > 32:
            raise InvalidInput(f"A job kind is 1 to 32 characters, not {kind!r}.")
        if len(title) > 256:
            raise InvalidInput("A job title is at most 256 characters.")
        params = dict(params or {})
        try:
            json.dumps(params, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"Job parameters must be JSON values: {exc}.") from exc
        with self._lock:
            if self._closed:
                raise InvalidInput("The job service is shut down; no new jobs are accepted.")
            rec = self.meta.insert(
                principal.org_id,
                "job",
                {
                    "kind": kind,
                    "title": title,
                    "status": "queued",
                    "params": params,
                    "created_by": principal.name,
                },
            )
            task = JobTask(principal.org_id, rec["id"], principal, fn, params)
            ctx = JobContext(
                self.meta,
                task,
                interval_s=self.progress_interval_s,
                log_max_bytes=self.log_max_bytes,
                platform=self.platform,
            )
            active = _Active(task, None, ctx)
            self._active[task.job_id] = active
            self._start_ticker()
            # Under the lock, so cancel() never sees an entry without its handle.
            try:
                if self._local is None:
                    active.handle = self.executor.submit(task, self._run)
                elif is_portable(fn):
                    active.remote = True
                    active.handle = self.executor.submit(task, self._remote_ended)
                else:  # a closure over this process: it runs here, and says so in its log
                    ctx.log("runs in this server process: its function cannot go to the cluster")
                    active.handle = self._local.submit(task, self._run)
            except Exception as exc:  # the cluster does not answer, say: the job fails with why
                self._active.pop(task.job_id, None)
                ctx.detach()
                self._end_remote(task, exc)
                return self.meta.get(principal.org_id, "job", rec["id"])
        return rec

    def get(self, principal: Principal, job_id: int) -> Record:
        """A job as ``principal`` may read it (see :func:`for_reader`)."""
        require(principal, Role.VIEWER)
        return for_reader(self.meta.get(principal.org_id, "job", job_id), principal)

    def list(
        self, principal: Principal, status: str | None = None, limit: int = 50
    ) -> builtins.list[Record]:
        """The organisation's jobs, newest first; ``status`` filters to one status."""
        require(principal, Role.VIEWER)
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"Unknown job status {status!r}; known: {', '.join(STATUSES)}.")
        where = {} if status is None else {"status": status}
        found = self.meta.find_first(
            principal.org_id, "job", order=("-id",), limit=max(0, limit), **where
        )
        return [for_reader(rec, principal) for rec in found]

    def cancel(self, principal: Principal, job_id: int) -> Record:
        """Cancel a job: a queued one at once; a running one when its function next checks."""
        require(principal, Role.ENGINEER)
        org = principal.org_id
        with self._lock:
            active = self._active.get(job_id)
            if active is not None and active.task.org_id != org:
                active = None
        with self.meta.transaction():
            rec = self.meta.get(org, "job", job_id)
            if rec["status"] == "queued":
                rec = self.meta.update(
                    org,
                    "job",
                    job_id,
                    {
                        "status": "cancelled",
                        "cancel_requested": 1,
                        "message": f"cancelled by {principal.name}"[:MESSAGE_MAX],
                        "finished_at": _now(),
                    },
                )
            elif rec["status"] == "running":
                rec = self.meta.update(org, "job", job_id, {"cancel_requested": 1})
            else:
                return rec  # already finished: nothing to do
        if active is not None:
            active.context.request_cancel()
            if rec["status"] == "cancelled" and active.handle is not None:
                active.handle.cancel()  # free the slot; run_job skips it either way
                self._forget(job_id)
        return rec

    def wait(self, principal: Principal, job_id: int, timeout: float | None = None) -> Record:
        """The job's record once it has finished, or as it stands after ``timeout`` seconds."""
        rec = self.get(principal, job_id)
        deadline = None if timeout is None else time.monotonic() + timeout
        while rec["status"] not in FINISHED:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            with self._lock:
                local = job_id in self._active
                if local:  # woken when any job of this process ends
                    self._ended.wait(0.25 if left is None else min(left, 0.25))
            if not local:  # runs elsewhere (another process): poll the store
                time.sleep(0.05 if left is None else max(0.0, min(left, 0.05)))
            rec = self.get(principal, job_id)
        return rec

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop: queued jobs are cancelled, running ones asked to stop and given ``timeout_s``;
        any still running then are marked failed (their threads can no longer write)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            # Jobs on the cluster go on without this process: their workers record their end.
            for a in [a for a in self._active.values() if a.remote]:
                self._active.pop(a.task.job_id, None)
            active = list(self._active.values())
        for a in active:
            if a.handle is not None and a.handle.cancel():
                self._end_unstarted(a, "cancelled (the server stopped)")
            else:
                a.context.request_cancel()
        self.executor.shutdown(timeout_s)
        if self._local is not None:
            self._local.shutdown(timeout_s)
        with self._lock:
            left = list(self._active.values())
        for a in left:  # still running (ignored the cancel), or never picked up by the executor
            a.context.detach()
            self._end_unstarted(a, STOPPED, status="failed")
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1.0)

    # -- inside ---------------------------------------------------------------------------------

    def _run(self, task: JobTask) -> None:
        with self._lock:
            active = self._active.get(task.job_id)
        if active is None:  # cancelled before it started
            return
        try:
            run_job(self.meta, task, context=active.context)
        finally:
            self._forget(task.job_id)

    def _remote_ended(self, task: JobTask, problem: BaseException | None = None) -> None:
        """The remote executor's end hook: a job its worker did not finish is failed here, with
        the reason (a lost worker or cluster: :class:`WorkLost`; else what the worker raised
        before the job could start, such as a configuration error found there)."""
        try:
            if problem is not None:
                self._end_remote(task, problem)
        finally:
            self._forget(task.job_id)

    def _end_remote(self, task: JobTask, problem: BaseException) -> None:
        org, jid = task.org_id, task.job_id
        lost = isinstance(problem, WorkLost)
        with self.meta.transaction():
            rec = self.meta.get(org, "job", jid)
            if rec["status"] not in ACTIVE:
                return  # the worker recorded the end (or someone cancelled it)
            error = LOST if lost else _describe(problem)
            stamp = _now().strftime("%Y-%m-%dT%H:%M:%SZ")
            line = f"{LOST}: {problem}" if lost else f"failed on the cluster: {error}"
            log = f"{rec['log']}{stamp} {line}\n"[-self.log_max_bytes :]
            values: Record = {"status": "failed", "error": error, "log": log, "finished_at": _now()}
            if not lost:
                values["result"] = {"error": error_record(problem)}
            self.meta.update(org, "job", jid, values)

    def _forget(self, job_id: int) -> None:
        with self._lock:
            self._active.pop(job_id, None)
            self._ended.notify_all()

    def _end_unstarted(self, a: _Active, error: str, status: str = "cancelled") -> None:
        org, jid = a.task.org_id, a.task.job_id
        with self.meta.transaction():
            if self.meta.get(org, "job", jid)["status"] in ACTIVE:
                values: Record = {"status": status, "finished_at": _now()}
                values["error" if status == "failed" else "message"] = error
                self.meta.update(org, "job", jid, values)
        self._forget(jid)

    def _start_ticker(self) -> None:
        # Called with self._lock held. One thread writes trailing progress the throttle held back.
        if self._ticker is None:
            self._ticker = threading.Thread(
                target=self._tick, name="openkamp-jobs-tick", daemon=True
            )
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.progress_interval_s):
            with self._lock:
                contexts = [a.context for a in self._active.values()]
            for ctx in contexts:
                try:
                    ctx.flush_if_due()
                except Exception:  # a failed write is retried next tick
                    continue
