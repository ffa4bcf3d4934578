"""The queue of jobs that job workers run (``jobs`` columns of migration 0016).

A job submitted by an API worker with a portable function (``function``) and no ``worker`` waits as
``queued`` until a job worker claims it: :func:`claim` takes the oldest such jobs, marks them
``running`` with the next ``attempt`` and the worker as theirs, and takes their leases
(``job:<id>``), all in one transaction. On PostgreSQL the rows are read ``FOR UPDATE SKIP
LOCKED``, so workers claiming at the same moment never wait on each other's rows nor take the
same job; the transaction's advisory lock (:meth:`SqlMetadataStore.transaction`) also orders the
claim against every other read-check-write of a job (a cancel, the sweep). :func:`orphans` finds
the active jobs whose process lost its lease: what the sweep of any worker requeues or fails.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, cast, literal, or_, select, update

from openkamp.storage.metadata.base import Record
from openkamp.storage.metadata.leases import LeaseStore, db_now
from openkamp.storage.metadata.schema import jobs, leases

__all__ = ["claim", "job_resource", "orphans"]


def job_resource(job_id: int) -> str:
    """The lease name of a job."""
    return f"job:{int(job_id)}"


def claim(meta: Any, holder: str, limit: int, ttl_s: float) -> list[Record]:
    """Claim up to ``limit`` queued jobs for ``holder`` (oldest first) and take their leases for
    ``ttl_s`` seconds; returns the claimed job records (status ``running``, ``attempt`` the one
    this claim started)."""
    if limit <= 0:
        return []
    c = jobs.c
    claimed: list[tuple[int, int]] = []
    with meta.transaction(), meta._write() as conn:
        stmt = (
            select(c.id, c.org_id)
            .where(
                c.status == "queued",
                c.function.is_not(None),
                c.worker.is_(None),
                c.cancel_requested == 0,
            )
            .order_by(c.id)
            .limit(int(limit))
        )
        if conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = conn.execute(stmt).all()
        leases_ = LeaseStore(meta)
        for row in rows:
            done = conn.execute(
                update(jobs)
                .where(c.id == row.id, c.status == "queued", c.worker.is_(None))
                .values(
                    status="running",
                    attempt=c.attempt + 1,
                    worker=holder,
                    started_at=datetime.now(UTC),
                )
            ).rowcount
            if done and leases_.acquire(job_resource(row.id), holder, ttl_s) is not None:
                claimed.append((int(row.org_id), int(row.id)))
            elif done:  # a stale lease of the job held by a live process: not now
                conn.execute(
                    update(jobs)
                    .where(c.id == row.id)
                    .values(status="queued", attempt=c.attempt - 1, worker=None, started_at=None)
                )
    return [meta.get(org, "job", jid) for org, jid in claimed]


def orphans(meta: Any) -> list[tuple[int, int]]:
    """Active jobs (queued or running) answered for by a process (``worker`` set) whose lease
    is missing, expired or held by another process: ``(org_id, job_id)``, oldest first."""
    c, lc = jobs.c, leases.c
    with meta._read() as conn:
        now = db_now(conn)
        resource = literal("job:") + cast(c.id, String)
        stmt = (
            select(c.org_id, c.id)
            .select_from(jobs.outerjoin(leases, lc.resource == resource))
            .where(
                c.status.in_(("queued", "running")),
                c.worker.is_not(None),
                or_(
                    lc.resource.is_(None),
                    lc.expires_at <= now,
                    lc.holder != c.worker,
                ),
            )
            .order_by(c.id)
        )
        return [(int(r.org_id), int(r.id)) for r in conn.execute(stmt)]
