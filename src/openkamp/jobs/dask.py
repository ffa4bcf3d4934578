"""Jobs on a Dask cluster: the executor a regional centre selects with ``jobs_scheduler``.

``OPENKAMP_JOBS_SCHEDULER=tcp://scheduler:8786`` sends every portable job (training, scoring,
valuation: functions marked :func:`openkamp.jobs.portable`) to the Dask scheduler at that address;
empty, jobs run in the server's own thread pool. What changes for a job: nothing it can see. It
gets the same ``ctx`` (progress, log, cancel), its record goes through the same ``run_job``, and
``JobService`` submits, lists, cancels and waits the same way.

How a job runs on a worker
    The executor ships the picklable :class:`JobTask` and the :class:`Installation` (every setting,
    so a worker's environment changes nothing). The worker opens the installation's platform once
    per process (:func:`worker_platform`: ``Platform.for_worker``, the stores and services without
    the server's start-up chores) and calls ``run_job`` there; ``ctx.platform`` is that platform.
    Progress and log reach the record through the worker's own ticker; cancel reaches the worker
    through the record's ``cancel_requested`` column, which the job's context polls.

What the installation must look like (checked at start-up, :func:`check_settings`)
    Every worker opens the same stores as the server, at the same time:

    * **time series on a server** (PostgreSQL). An embedded DuckDB file can be opened by one
      process only: the server holds it, and a worker cannot open it even read-only ("Could not
      set lock on file"). Training and period scoring read signals, so this is refused at start.
    * **metadata on PostgreSQL**, or on a SQLite file when every worker runs on the server's own
      machine (SQLite's locks do not hold over a network file system; a worker elsewhere refuses
      the job with the reason).
    * **files and the data folder at the same path on every worker** (a shared folder, NFS or
      similar): model artefacts and datasets are files, and the ledger's keys live in
      ``<data_dir>/keys``. A worker that does not see the folder refuses the job instead of
      writing models where no one else would find them.

A worker lost mid-job (killed, out of memory, its machine gone)
    Dask runs the lost worker's task again elsewhere. The job may have done part of its work
    (registered a model, written scores), so the second run does not start it over: it finds the
    job ``running``, fails it with the reason (:data:`~openkamp.jobs.service.LOST`) and returns.
    A job therefore never runs twice, at once or after another, and never stays ``running``: when
    Dask gives up on the task (its workers keep dying) or loses it (the scheduler restarted), the
    executor's end hook fails the job in the submitting process.

The server restarting does not stop jobs on the cluster (they are *fire and forget*): a new
server leaves alone the jobs the scheduler still knows (:meth:`DaskExecutor.still_running`) and
their workers record how they end.

Fan-out: on a worker, ``ctx.map`` submits each part as a Dask task of its own from inside the
job's task (``worker_client``: the job's task leaves the worker's thread pool while it waits, so
its thread runs parts too), see :class:`DaskMapper` and :mod:`openkamp.jobs.fanout`.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from openkamp.core.errors import ConfigError, NotFound
from openkamp.jobs.context import JobContext
from openkamp.jobs.executor import Executor, Handle, JobTask, WorkLost
from openkamp.jobs.fanout import Outcome, Part, run_part
from openkamp.jobs.service import LOST, run_job

if TYPE_CHECKING:
    from distributed import Client, Future

    from openkamp.settings import Settings

log = logging.getLogger(__name__)

#: Stores every process of an installation can open at once (a scheme not listed is taken to be
#: a server or a third party's shared store); the embedded ones and why they cannot be shared.
_EMBEDDED_TIMESERIES = {"duckdb"}


# -- the installation, as a worker opens it --------------------------------------------------------


@dataclass(frozen=True)
class Installation:
    """What a worker needs to open the platform of the server that submitted a job."""

    values: dict[str, Any]
    """Every setting, given explicitly, with the store URLs and the data folder resolved."""
    opener: Callable[[dict[str, Any]], Any]
    """Opens the platform from ``values`` (``Platform.for_worker``): the jobs package does not
    import the platform above it."""
    host: str
    """The server's host name: a worker on another host may not open a SQLite file."""
    tag: str
    """Short hash of the metadata URL: job keys of two installations on one cluster differ."""

    @classmethod
    def of(cls, settings: Settings, opener: Callable[[dict[str, Any]], Any]) -> Installation:
        values = settings.model_dump()
        values.update(
            data_dir=settings.data_dir.resolve(),
            metadata_url=settings.resolved_metadata_url(),
            timeseries_url=settings.resolved_timeseries_url(),
            files_url=settings.resolved_files_url(),
        )
        tag = hashlib.sha256(values["metadata_url"].encode()).hexdigest()[:10]
        return cls(values, opener, socket.gethostname(), tag)

    def job_key(self, org_id: int, job_id: int) -> str:
        return f"openkamp-job-{self.tag}-{org_id}-{job_id}"

    @property
    def interval_s(self) -> float:
        return float(self.values["jobs_progress_interval_s"])

    @property
    def log_max_bytes(self) -> int:
        return int(self.values["jobs_log_max_bytes"])

    def check_worker(self) -> None:
        """Refuse, with the reason, to run this installation's jobs in this process (a worker):
        a SQLite file on another host, a data or files folder this host does not see."""
        here = socket.gethostname()
        meta = str(self.values["metadata_url"])
        if urlparse(meta).scheme == "sqlite" and here != self.host:
            raise ConfigError(
                f"The metadata are in a SQLite file on {self.host}; the Dask worker on {here} "
                "cannot share it.",
                hint="Put the metadata on PostgreSQL (OPENKAMP_METADATA_URL=postgresql+psycopg://"
                "…) or run the Dask workers on the server's machine.",
                code="jobs.dask_sqlite_elsewhere",
                params={"host": self.host, "worker": here},
            )
        folders = [Path(self.values["data_dir"])]
        files = urlparse(str(self.values["files_url"]))
        if files.scheme == "file":
            folders.append(Path(files.path))
        for folder in folders:
            if not folder.is_dir():
                raise ConfigError(
                    f"The Dask worker on {here} does not see the folder {folder}.",
                    hint="Mount the installation's shared folder at the same path on every "
                    "worker (models, datasets and keys are files there).",
                    code="jobs.dask_worker_folder",
                    params={"path": str(folder), "worker": here},
                )


def check_settings(settings: Settings) -> None:
    """Refuse at start-up a configuration whose stores the Dask workers cannot open (see the
    module docstring); raises :class:`ConfigError` with a code (Korean and English texts)."""
    address = settings.jobs_scheduler
    ts = urlparse(settings.resolved_timeseries_url()).scheme
    if ts in _EMBEDDED_TIMESERIES:
        raise ConfigError(
            "Jobs on a Dask cluster need the time series on a database server: the embedded "
            "DuckDB file can be opened by one process only, and the workers must read it too.",
            hint="Set OPENKAMP_TIMESERIES_URL to a PostgreSQL database (postgresql+psycopg://"
            "user@host/db), or leave OPENKAMP_JOBS_SCHEDULER empty to run jobs in this process.",
            code="jobs.dask_embedded_timeseries",
            params={"scheduler": address, "scheme": ts},
        )
    meta = settings.resolved_metadata_url()
    if urlparse(meta).scheme == "sqlite" and (":memory:" in meta or meta.rstrip("/") == "sqlite:"):
        raise ConfigError(
            "Jobs on a Dask cluster cannot use metadata kept in this process's memory.",
            hint="Set OPENKAMP_METADATA_URL to a PostgreSQL database or a SQLite file.",
            code="jobs.dask_memory_metadata",
            params={"scheduler": address},
        )
    if "://" not in address:
        raise ConfigError(
            f"{address!r} is not the address of a Dask scheduler.",
            hint="Use the address the scheduler prints, e.g. tcp://10.0.0.5:8786.",
            code="jobs.dask_address",
            params={"address": address},
        )


# -- the worker's side -------------------------------------------------------------------------------

_platforms: dict[str, Any] = {}
_platforms_lock = threading.Lock()


def worker_platform(inst: Installation) -> Any:
    """The installation's platform in this (worker) process, opened once and kept."""
    key = inst.tag + hashlib.sha256(repr(sorted(inst.values.items())).encode()).hexdigest()
    with _platforms_lock:
        kamp = _platforms.get(key)
        if kamp is None:
            inst.check_worker()
            kamp = inst.opener(inst.values)
            _platforms[key] = kamp
            if len(_platforms) == 1:
                atexit.register(close_platforms)
        return kamp


def close_platforms() -> None:
    """Close the platforms this worker process opened (a test dropping its databases; a
    worker plugin's teardown); the next job opens its installation again."""
    with _platforms_lock:
        for kamp in _platforms.values():
            try:
                kamp.close()
            except Exception:  # the process is ending: best effort
                log.exception("closing a worker's platform")
        _platforms.clear()


class _Ticker:
    """Writes the progress a job's throttle held back, as the service's ticker does in-process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._contexts: set[JobContext] = set()
        self._thread: threading.Thread | None = None
        self._interval = 0.5

    def add(self, ctx: JobContext) -> None:
        with self._lock:
            self._contexts.add(ctx)
            self._interval = min(self._interval, max(ctx.interval_s, 0.05))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="openkamp-jobs-tick", daemon=True
                )
                self._thread.start()

    def discard(self, ctx: JobContext) -> None:
        with self._lock:
            self._contexts.discard(ctx)

    def _run(self) -> None:
        import time

        while True:
            time.sleep(self._interval)
            with self._lock:
                contexts = list(self._contexts)
            for ctx in contexts:
                try:
                    ctx.flush_if_due()
                except Exception:  # retried at the next tick
                    continue


_ticker = _Ticker()


def run_remote(inst: Installation, task: JobTask) -> str:
    """The Dask task of one job: run it on this worker and record how it ended."""
    kamp = worker_platform(inst)
    meta = kamp.meta
    with meta.transaction():
        rec = meta.get(task.org_id, "job", task.job_id)
        if rec["status"] == "running":
            # Dask runs a task again when the worker running it was lost. The first run may have
            # done part of the work: fail the job with the reason rather than run it twice.
            line = f"{LOST}: Dask started it again on {_worker_name()}; it is not run twice"
            meta.update(
                task.org_id,
                "job",
                task.job_id,
                {
                    "status": "failed",
                    "error": LOST,
                    "log": f"{rec['log']}{line}\n"[-inst.log_max_bytes :],
                    "finished_at": _utcnow(),
                },
            )
            return "failed"
    ctx = JobContext(
        meta,
        task,
        interval_s=inst.interval_s,
        log_max_bytes=inst.log_max_bytes,
        platform=kamp,
        mapper=DaskMapper(inst),
    )
    ctx.log(f"runs on the Dask worker {_worker_name()}")
    _ticker.add(ctx)
    try:
        return run_job(meta, task, context=ctx)
    finally:
        _ticker.discard(ctx)


def _utcnow() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except ValueError:  # not in a worker (a test calling the runner directly)
        from openkamp.jobs.fanout import where

        return where()


class _CancelPoll:
    """``part.cancelled`` on a worker: the job record's ``cancel_requested``, read at most once
    per interval."""

    def __init__(self, meta: Any, task: JobTask, interval_s: float) -> None:
        self._meta = meta
        self._task = task
        self._interval = interval_s
        self._next = 0.0
        self._set = False

    def __call__(self) -> bool:
        import time

        now = time.monotonic()
        if not self._set and now >= self._next:
            self._next = now + self._interval
            try:
                rec = self._meta.get(self._task.org_id, "job", self._task.job_id)
            except NotFound:
                return False
            self._set = bool(rec["cancel_requested"])
        return self._set


def run_part_remote(inst: Installation, task: JobTask, fn: Any, item: Any) -> Outcome:
    """The Dask task of one part of a fanned-out job."""
    kamp = worker_platform(inst)
    part = Part(kamp, task, _CancelPoll(kamp.meta, task, inst.interval_s))
    return run_part(part, fn, item, worker=_worker_name())


class DaskMapper:
    """``ctx.map`` on a Dask worker: every part a Dask task, spread over the cluster."""

    def __init__(self, inst: Installation) -> None:
        self.inst = inst

    def run(
        self,
        ctx: JobContext,
        fn: Callable[[Part, Any], Any],
        items: Sequence[Any],
        done: Callable[[int, Outcome], None],
    ) -> None:
        from distributed import wait, worker_client

        task = ctx.task
        base = f"{self.inst.job_key(task.org_id, task.job_id)}-part-{uuid.uuid4().hex[:8]}"
        # worker_client: this task leaves the worker's thread pool while it waits, so the
        # worker's threads run parts (with one thread per worker, the parts would wait forever).
        with worker_client() as client:
            futures = [
                client.submit(
                    run_part_remote, self.inst, task, fn, item, key=f"{base}-{i}", pure=False
                )
                for i, item in enumerate(items)
            ]
            index = {f.key: i for i, f in enumerate(futures)}
            pending: set[Future[Outcome]] = set(futures)
            try:
                while pending:
                    try:
                        finished, pending = wait(
                            pending, timeout=max(ctx.interval_s, 0.1), return_when="FIRST_COMPLETED"
                        )
                    except TimeoutError:
                        finished = set()
                    for f in finished:
                        i = index[f.key]
                        if f.status == "finished":
                            outcome = f.result()
                        else:  # the part's own errors are in its outcome: this one was lost
                            outcome = Outcome(items[i], error=f"lost by the cluster ({f.status})")
                        done(i, outcome)
                    ctx.check()
            finally:
                if pending:  # cancelled: drop the parts that have not started
                    client.cancel(list(pending), force=True)
                for f in futures:  # their outcomes are in hand: the cluster may forget them
                    f.release()


# -- the server's side -------------------------------------------------------------------------------


class _DaskHandle:
    def __init__(self, executor: DaskExecutor, future: Future[str]) -> None:
        self._executor = executor
        self.future = future

    def cancel(self) -> bool:
        # Dropped if it has not started; if it has, run_job sees the job cancelled in the store
        # (a cancelled queued job is skipped), so the answer is always "maybe".
        self._executor._cancel(self.future)
        return False


class DaskExecutor(Executor):
    """Runs portable jobs on the Dask cluster whose scheduler is at ``address``.

    The connection opens at the first job (a server whose scheduler is down still starts; its
    jobs fail with the reason). ``installation`` is what workers open; ``client`` an existing
    ``distributed.Client`` to use instead of connecting (tests).
    """

    remote = True

    def __init__(
        self,
        address: str,
        installation: Installation,
        *,
        timeout_s: float = 10.0,
        client: Client | None = None,
    ) -> None:
        self.address = address
        self.installation = installation
        self.timeout_s = timeout_s
        self._client = client
        self._own_client = client is None
        self._lock = threading.Lock()
        self._closed = False
        self._futures: dict[str, Future[str]] = {}  # held, so their callbacks fire

    @classmethod
    def from_settings(
        cls, settings: Settings, opener: Callable[[dict[str, Any]], Any]
    ) -> DaskExecutor:
        """The executor of ``settings.jobs_scheduler``, after :func:`check_settings`."""
        check_settings(settings)
        return cls(
            settings.jobs_scheduler,
            Installation.of(settings, opener),
            timeout_s=settings.jobs_scheduler_timeout_s,
        )

    def client(self) -> Client:
        with self._lock:
            if self._closed:
                raise RuntimeError("the executor is shut down")
            if self._client is None:
                from distributed import Client

                try:
                    self._client = Client(
                        self.address, timeout=self.timeout_s, set_as_default=False
                    )
                except (OSError, TimeoutError) as exc:
                    raise ConfigError(
                        f"The Dask scheduler at {self.address} does not answer: {exc}",
                        hint="Start the scheduler (dask scheduler) and its workers, or check "
                        "OPENKAMP_JOBS_SCHEDULER.",
                        code="jobs.dask_unreachable",
                        params={"address": self.address},
                    ) from exc
            return self._client

    def submit(self, task: JobTask, run: Callable[..., None]) -> Handle:
        from distributed import fire_and_forget

        client = self.client()
        key = self.installation.job_key(task.org_id, task.job_id)
        future: Future[str] = client.submit(
            run_remote, self.installation, task, key=key, pure=False, retries=0
        )
        # The job belongs to the cluster, not to this connection: it runs to its end even if
        # this server stops (a new server finds it through still_running).
        fire_and_forget(future)
        with self._lock:
            self._futures[key] = future
        future.add_done_callback(lambda f: self._ended(f, task, run))
        return _DaskHandle(self, future)

    def _ended(self, future: Future[str], task: JobTask, run: Callable[..., None]) -> None:
        with self._lock:
            self._futures.pop(str(future.key), None)
            if self._closed:
                return  # this server stops; the job goes on and its worker records the end
        problem: BaseException | None = None
        status = future.status
        if status == "error":
            exc = future.exception()
            from distributed import KilledWorker

            if isinstance(exc, KilledWorker):
                problem = WorkLost(f"the Dask workers running it kept dying ({exc})")
            else:
                problem = exc if isinstance(exc, BaseException) else RuntimeError(str(exc))
        elif status != "finished":
            problem = WorkLost(f"the Dask cluster lost the task ({status})")
        try:
            run(task, problem)
        except Exception:  # a callback thread: log, never raise into distributed
            log.exception("recording the end of job %s", task.job_id)

    def _cancel(self, future: Future[str]) -> None:
        try:
            self.client().cancel([future], force=True)
        except Exception:  # the job is cancelled in the store either way
            log.warning("could not drop the Dask task of a cancelled job", exc_info=True)

    def still_running(self, keys: list[tuple[int, int]]) -> set[tuple[int, int]] | None:
        try:
            client = self.client()
            names = {self.installation.job_key(o, j): (o, j) for o, j in keys}
            known = client.run_on_scheduler(_known_keys, list(names))
        except Exception:  # cannot tell: the service fails them, as after any restart
            log.warning("the Dask scheduler at %s does not answer", self.address, exc_info=True)
            return None
        return {names[k] for k in known}

    def shutdown(self, timeout_s: float) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            client, self._client = self._client, None
            self._futures.clear()
        if client is not None and self._own_client:
            try:
                client.close(timeout=timeout_s)
            except Exception:
                log.warning("closing the Dask client", exc_info=True)


_WAITING = {"released", "waiting", "no-worker", "queued", "processing"}


def _known_keys(keys: list[str], dask_scheduler: Any = None) -> list[str]:
    """On the scheduler: which job keys it still has to run (or runs)."""
    tasks = dask_scheduler.tasks
    return [k for k in keys if k in tasks and tasks[k].state in _WAITING]
