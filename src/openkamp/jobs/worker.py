"""A job worker's loop: claim queued jobs and run them here; sweep jobs whose worker was lost.

``openkamp serve --role jobs`` runs one :class:`JobWorker` (an ``all`` process on a shared
store runs one too, to pick up jobs queued by API workers or queued again after a worker died;
an API worker runs one that only sweeps). Every ``poll_s`` seconds it

1. sweeps (:meth:`JobService.sweep`): an active job whose process stopped renewing its lease is
   queued again (a retryable portable job with attempts left) or failed with the reason;
2. claims as many queued jobs as its pool has free threads (``job_queue.claim``: oldest first,
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and runs them (:meth:`JobService.adopt`), each under
   its lease, renewed by the process's heartbeat until the job ends.

A job therefore never runs in two workers at once: a worker that lost a job's lease (it was
stopped, or cut off from the database, past the lease's time) is fenced by the job's attempt
number and writes nothing more, while the sweep hands the job on.
"""

from __future__ import annotations

import logging
import threading

from openkamp.jobs.service import JobService
from openkamp.storage.metadata.job_queue import claim

log = logging.getLogger(__name__)

__all__ = ["JobWorker"]


class JobWorker:
    """Claims and sweeps jobs for this process (module docstring)."""

    def __init__(self, jobs: JobService, *, poll_s: float = 1.0, claims: bool = True) -> None:
        if jobs.leases is None:
            raise ValueError("a job worker needs the process's leases (a shared store)")
        self.jobs = jobs
        self.poll_s = poll_s
        self.claims = claims
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.claimed = 0
        self.swept = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="openkamp-job-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for queued jobs now (a job was just submitted in this process)."""
        self._wake.set()

    def check(self) -> int:
        """One pass: sweep, then claim and start what the pool has room for; returns how many
        jobs were claimed."""
        self.swept += self.jobs.sweep()
        if not self.claims:
            return 0
        free = self.jobs.free_slots()
        if free <= 0:
            return 0
        keeper = self.jobs.leases
        assert keeper is not None
        recs = claim(self.jobs.meta, keeper.holder, free, keeper.ttl_s)
        for rec in recs:
            log.info("job %s (attempt %s) claimed by %s", rec["id"], rec["attempt"], keeper.holder)
            self.jobs.adopt(rec)
        self.claimed += len(recs)
        return len(recs)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # the database away for a moment: try again at the next poll
                log.warning("job worker pass failed", exc_info=True)
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def stop(self, timeout: float = 10.0) -> None:
        """Claim nothing more (running jobs are the job service's to end, at its close)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
