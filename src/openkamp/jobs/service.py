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
import importlib
import inspect
import json
import re
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from openkamp.core.errors import InvalidInput, OpenKampError
from openkamp.core.tenancy import Principal, Role, Scope, require
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
from openkamp.storage.metadata.job_queue import job_resource, orphans

if TYPE_CHECKING:
    from openkamp.workers.keeper import LeaseKeeper

JobFn = Callable[[JobContext], dict[str, Any] | None]

STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")
INTERRUPTED = "interrupted (the server restarted)"
STOPPED = "interrupted (the server stopped before the job ended)"
LOST = "interrupted (the worker running it stopped)"


#: Most starts a retryable job may have (``submit(max_attempts=)``).
MAX_ATTEMPTS = 10


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp() -> str:
    return _now().strftime("%Y-%m-%dT%H:%M:%SZ")


def function_ref(fn: Any) -> str | None:
    """``module:qualname`` of a :func:`~openkamp.jobs.executor.portable` module-level function,
    which a job worker imports to run the job; None for anything else (closures, lambdas,
    partials, functions of ``__main__``): those run in the process that submitted them."""
    if not is_portable(fn) or not inspect.isfunction(fn):
        return None
    module, qual = getattr(fn, "__module__", None), fn.__qualname__
    if not module or module == "__main__" or "<" in qual:
        return None
    ref = f"{module}:{qual}"
    try:
        found = resolve_function(ref)
    except InvalidInput:
        return None
    return ref if found is fn else None


def resolve_function(ref: str) -> JobFn:
    """The portable function ``module:qualname`` names (the job worker's side of
    :func:`function_ref`); InvalidInput for anything not marked portable."""
    module, _, qual = ref.partition(":")
    try:
        found: Any = importlib.import_module(module)
        for part in qual.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InvalidInput(f"The job function {ref!r} is not installed here: {exc}.") from exc
    if not inspect.isfunction(found) or not is_portable(found):
        raise InvalidInput(f"{ref!r} is not a portable job function.")
    return found


def principal_record(p: Principal) -> dict[str, Any]:
    """A principal as JSON values (who a queued job runs as)."""
    return {
        "org_id": p.org_id,
        "name": p.name,
        "roles": sorted(r.value for r in p.roles),
        "user_id": p.user_id,
        "scopes": None if p.scopes is None else sorted(s.value for s in p.scopes),
        "token_id": p.token_id,
    }


def principal_of(rec: dict[str, Any]) -> Principal:
    scopes = rec.get("scopes")
    return Principal(
        org_id=int(rec["org_id"]),
        name=str(rec["name"]),
        roles=frozenset(Role(r) for r in rec.get("roles") or ()),
        user_id=rec.get("user_id"),
        scopes=None if scopes is None else frozenset(Scope(x) for x in scopes),
        token_id=rec.get("token_id"),
    )


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
    attempt: int | None = None,
) -> str:
    """Run one queued job to its end and record the outcome; returns the final status.

    Executors call this wherever the function runs (in-process: through the service, which passes
    the ``context`` it tracks for cancel and flushing). A job that is no longer ``queued`` (it was
    cancelled while waiting) is skipped. ``attempt``: the job was claimed from the queue already
    (it is ``running`` with that attempt). Every start counts an attempt, and the outcome (like
    each progress write) is written only while the record's attempt is still this run's: a run
    whose worker lost the job to another writes nothing (:meth:`JobContext.fence`).
    """
    org, jid = task.org_id, task.job_id
    if attempt is None:
        with meta.transaction():
            rec = meta.get(org, "job", jid)
            if rec["status"] != "queued":
                return str(rec["status"])
            attempt = int(rec.get("attempt") or 0) + 1
            meta.update(
                org, "job", jid, {"status": "running", "started_at": _now(), "attempt": attempt}
            )
    ctx = context or JobContext(meta, task, interval_s=interval_s, log_max_bytes=log_max_bytes)
    ctx.fence(attempt)
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
        rec = meta.get(org, "job", jid)
        lost = ctx.abandoned or int(rec.get("attempt") or 0) != attempt
        if rec["status"] != "running" or lost:
            # The service gave up on it at shutdown, or the job was lost to another worker
            # (queued again or failed by the sweep): keep what is recorded.
            return "failed"
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
    attempt: int | None = None  # claimed from the queue: running with this attempt already


class JobService:
    """Submit, follow, cancel and wait for jobs (``Platform.jobs``).

    Viewers may read jobs; engineers submit and cancel them. A job of another organisation is
    "not found", exactly like a missing one. ``platform`` is what job functions reach as
    ``ctx.platform`` (the :class:`~openkamp.platform.Platform` sets itself).

    Several processes on one store (PostgreSQL): ``leases`` is the process's
    :class:`~openkamp.workers.keeper.LeaseKeeper`; every job this process runs or holds queued
    is its own under a lease ``job:<id>``, and :meth:`sweep` (any process) queues again or fails
    the jobs whose process lost its lease. ``dispatch = "queue"`` (API workers): jobs with a
    portable function wait in the store for a job worker (:mod:`openkamp.jobs.worker`) instead
    of running here.
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
        self.leases: LeaseKeeper | None = None
        self.dispatch: Literal["here", "queue"] = "here"

    # -- start-up -------------------------------------------------------------------------------

    def mark_interrupted(self) -> int:
        """Jobs left queued or running by a process that died are marked failed.

        Call once at start-up, before any job is submitted. Jobs a remote executor still runs
        (on the Dask cluster) are left alone: their workers record their end. With ``leases``
        (processes sharing the store), only jobs no live process answers for: those of
        processes gone (:meth:`sweep`, after ending the leases of this host's dead processes),
        and active jobs of no process at all, except queued ones waiting for a job worker.
        """
        left = [
            (org["id"], rec)
            for org in self.meta.list_orgs()
            for rec in self.meta.find(org["id"], "job", status=list(ACTIVE))
        ]
        if self.leases is not None:
            self.leases.expire_dead_here()
            swept = self.sweep()
            left = [
                (org, rec)
                for org, rec in left
                if not rec.get("worker") and not (rec["status"] == "queued" and rec.get("function"))
            ]
            return swept + self._interrupt(left)
        return self._interrupt(left)

    def _interrupt(self, left: builtins.list[tuple[int, Record]]) -> int:
        if not left:
            return 0
        elsewhere = self.executor.still_running([(org, rec["id"]) for org, rec in left]) or set()
        n = 0
        for org_id, rec in left:
            if (org_id, rec["id"]) in elsewhere:
                continue
            with self.meta.transaction():
                now = self.meta.get(org_id, "job", rec["id"])
                if now["status"] not in ACTIVE or now.get("worker") != rec.get("worker"):
                    continue  # it ended meanwhile, or a worker took it
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
        max_attempts: int = 1,
    ) -> Record:
        """Queue ``fn(ctx)``; returns the job record (status ``queued``). ``role``: the least
        role that may start it (scoring, which a viewer may do, runs as a job too).

        ``max_attempts`` > 1 declares the job safe to run again from the start (idempotent): a
        portable job whose worker died is then queued again for another worker, up to that many
        starts; otherwise it fails with the reason. A job runs in one worker at a time whatever
        happens (leases and attempt fencing).
        """
        require(principal, role)
        if not kind or len(kind) > 32:
            raise InvalidInput(f"A job kind is 1 to 32 characters, not {kind!r}.")
        if len(title) > 256:
            raise InvalidInput("A job title is at most 256 characters.")
        if not 1 <= max_attempts <= MAX_ATTEMPTS:
            raise InvalidInput(f"A job has 1 to {MAX_ATTEMPTS} attempts, not {max_attempts}.")
        params = dict(params or {})
        try:
            json.dumps(params, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"Job parameters must be JSON values: {exc}.") from exc
        to_cluster = self._local is not None and is_portable(fn)
        ref = None if to_cluster else function_ref(fn)  # (the cluster runs it, not job workers)
        values: Record = {
            "kind": kind,
            "title": title,
            "status": "queued",
            "params": params,
            "created_by": principal.name,
            "max_attempts": max_attempts,
        }
        if ref is not None:
            values |= {"function": ref, "submitter": json.dumps(principal_record(principal))}
        keeper = self.leases
        if self.dispatch == "queue" and ref is not None:
            with self._lock:
                if self._closed:
                    raise InvalidInput("The job service is shut down; no new jobs are accepted.")
            return self.meta.insert(principal.org_id, "job", values)  # a job worker claims it
        with self._lock:
            if self._closed:
                raise InvalidInput("The job service is shut down; no new jobs are accepted.")
            if keeper is not None and not to_cluster:
                # The job and its lease in one transaction: no sweep ever sees one without the
                # other (it would take the job for a dead process's).
                with self.meta.transaction():
                    rec = self.meta.insert(
                        principal.org_id, "job", {**values, "worker": keeper.holder}
                    )
                    keeper.store.acquire(job_resource(rec["id"]), keeper.holder, keeper.ttl_s)
                keeper.track(job_resource(rec["id"]), self._lost)
            else:
                rec = self.meta.insert(principal.org_id, "job", values)
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
        for a in [a for a in active if a.attempt is not None]:
            if self._hand_back(a):  # queued again for another job worker: not waited for
                active.remove(a)
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
            run_job(self.meta, task, context=active.context, attempt=active.attempt)
        finally:
            self._forget(task.job_id)

    # -- several processes: leases, the queue, the sweep ------------------------------------------

    def free_slots(self) -> int:
        """How many more jobs this process's pool would start now (what a job worker claims)."""
        workers = getattr(self._local or self.executor, "workers", 0)
        with self._lock:
            return 0 if self._closed else max(0, int(workers) - len(self._active))

    def adopt(self, rec: Record) -> None:
        """Run here a job this process claimed from the queue (``job_queue.claim``: it is
        ``running`` with this process as its worker and its lease taken)."""
        keeper = self.leases
        assert keeper is not None, "claimed jobs need the process's leases"
        org, jid, attempt = int(rec["org_id"]), int(rec["id"]), int(rec["attempt"])
        keeper.track(job_resource(jid), self._lost)
        try:
            fn = resolve_function(str(rec["function"]))
            principal = principal_of(json.loads(rec["submitter"] or "{}"))
        except Exception as exc:  # not installed here, say: the job fails with why
            self._finish_claimed(org, jid, attempt, exc)
            return
        params = dict(rec.get("params") or {})
        task = JobTask(org, jid, principal, fn, params)
        ctx = JobContext(
            self.meta,
            task,
            interval_s=self.progress_interval_s,
            log_max_bytes=self.log_max_bytes,
            platform=self.platform,
        )
        ctx.seed_log(str(rec.get("log") or ""))
        ctx.log(f"attempt {attempt} runs on {keeper.holder}")
        active = _Active(task, None, ctx, attempt=attempt)
        pool = self._local or self.executor
        with self._lock:
            if self._closed:
                raise InvalidInput("The job service is shut down; no new jobs are accepted.")
            self._active[jid] = active
            self._start_ticker()
            active.handle = pool.submit(task, self._run)

    def _finish_claimed(self, org: int, jid: int, attempt: int, exc: BaseException) -> None:
        with self.meta.transaction():
            rec = self.meta.get(org, "job", jid)
            if rec["status"] == "running" and int(rec["attempt"]) == attempt:
                error = _describe(exc)
                log = f"{rec['log']}{_stamp()} failed: {error}\n"[-self.log_max_bytes :]
                self.meta.update(
                    org,
                    "job",
                    jid,
                    {
                        "status": "failed",
                        "error": error,
                        "result": {"error": error_record(exc)},
                        "log": log,
                        "finished_at": _now(),
                    },
                )
        self._forget(jid)

    def _lost(self, resource: str) -> None:
        """This process lost a job's lease (it stalled, or the store was out of reach longer
        than the lease lasts): another worker may run the job now. Its function is asked to
        stop and nothing it does is written any more; the sweep decides the record."""
        jid = int(resource.partition(":")[2])
        with self._lock:
            active = self._active.get(jid)
        if active is not None:
            active.context.abandon()

    def sweep(self) -> int:
        """Active jobs whose process lost its lease (it died, or stalled past the lease's time):
        a retryable job with a portable function is queued again for a job worker (until its
        ``max_attempts``), any other fails with the reason (:data:`LOST`). Any process may
        sweep: each job is decided once, in a transaction that checks the lease again. Returns
        how many jobs were decided."""
        keeper = self.leases
        if keeper is None:
            return 0
        n = 0
        for org, jid in orphans(self.meta):
            with self.meta.transaction():
                rec = self.meta.get(org, "job", jid)
                worker = rec.get("worker")
                if rec["status"] not in ACTIVE or not worker:
                    continue
                lease = keeper.store.get(job_resource(jid))
                if lease is not None and lease.holder == worker and lease.live(keeper.store.now()):
                    continue  # renewed meanwhile
                self._requeue_or_fail(rec, f"{worker} stopped renewing its lease")
                keeper.store.release(str(worker), [job_resource(jid)])
            n += 1
        return n

    def _requeue_or_fail(self, rec: Record, why: str) -> str:
        """Within a transaction: queue ``rec`` again for a job worker when it may run again,
        else end it (cancelled if that was asked, else failed with :data:`LOST`)."""
        org, jid = int(rec["org_id"]), int(rec["id"])
        attempt = int(rec.get("attempt") or 0)
        portable = bool(rec.get("function"))
        never_started = rec["status"] == "queued"
        if rec["cancel_requested"]:
            status, line = "cancelled", f"{why}; it was being cancelled: cancelled"
        elif portable and (never_started or attempt < int(rec.get("max_attempts") or 1)):
            status = "queued"
            line = f"{why} (attempt {attempt}); queued again for another worker"
        else:
            status, line = "failed", f"{LOST}: {why} (attempt {attempt})"
        values: Record = {"status": status, "worker": None}
        values["log"] = f"{rec['log']}{_stamp()} {line}\n"[-self.log_max_bytes :]
        if status == "queued":
            values |= {"started_at": None, "message": ""}
        else:
            values["finished_at"] = _now()
            if status == "failed":
                values["error"] = LOST
        self.meta.update(org, "job", jid, values)
        return status

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
        if self.leases is not None and self.leases.holds(job_resource(job_id)):
            self.leases.release(job_resource(job_id))

    def _hand_back(self, a: _Active) -> bool:
        """A job worker stopping: a claimed job that may run again goes back to the queue at
        once (its run here is abandoned, fenced by its attempt); True when it did."""
        org, jid = a.task.org_id, a.task.job_id
        with self.meta.transaction():
            rec = self.meta.get(org, "job", jid)
            if rec["status"] != "running" or int(rec.get("attempt") or 0) != a.attempt:
                return False
            if not rec.get("function") or int(rec["attempt"]) >= int(rec["max_attempts"]):
                return False
            a.context.abandon()
            self._requeue_or_fail(rec, f"{rec.get('worker')} stopped")
        if a.handle is not None:
            a.handle.cancel()
        self._forget(jid)
        return True

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
