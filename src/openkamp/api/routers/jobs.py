"""Jobs: long work (training, imports, scoring) with progress, logs, cancel and a result."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from openkamp.api.deps import Kamp, Me
from openkamp.api.records import record_out

router = APIRouter(prefix="/jobs", tags=["jobs"])


def job_out(rec: dict[str, Any], *, log: bool = False) -> dict[str, Any]:
    return record_out(rec, hide=() if log else ("log",))


@router.get("")
def jobs_list(
    kamp: Kamp, me: Me, status: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Recent jobs of the organisation, newest first."""
    return [job_out(j) for j in kamp.jobs.list(me, status=status, limit=max(1, min(limit, 500)))]


@router.get("/{job_id}")
def jobs_get(job_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """A job's status, progress, message and result."""
    return job_out(kamp.jobs.get(me, job_id))


@router.get("/{job_id}/log")
def jobs_log(job_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return {"log": kamp.jobs.get(me, job_id).get("log", "")}


@router.post("/{job_id}/cancel")
def jobs_cancel(job_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Cancel a queued job at once, or ask a running one to stop."""
    return job_out(kamp.jobs.cancel(me, job_id))
