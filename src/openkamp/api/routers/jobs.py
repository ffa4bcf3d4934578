"""Jobs: long work (training, imports, scoring) with progress, logs, cancel and a result."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import request_lang
from openkamp.api.records import record_out
from openkamp.jobs.texts import localized

router = APIRouter(prefix="/jobs", tags=["jobs"])


def job_out(
    rec: dict[str, Any], request: Request | None = None, *, log: bool = False
) -> dict[str, Any]:
    """A job as JSON, with its message and error also in the request's language
    (``message_text``, ``error_text``, ``error_hint``)."""
    return record_out(localized(rec, request_lang(request)), hide=() if log else ("log",))


@router.get("")
def jobs_list(
    request: Request, kamp: Kamp, me: Me, status: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Recent jobs of the organisation, newest first."""
    return [
        job_out(j, request)
        for j in kamp.jobs.list(me, status=status, limit=max(1, min(limit, 500)))
    ]


@router.get("/{job_id}")
def jobs_get(job_id: int, request: Request, kamp: Kamp, me: Me) -> dict[str, Any]:
    """A job's status, progress, message and result."""
    return job_out(kamp.jobs.get(me, job_id), request)


@router.get("/{job_id}/log")
def jobs_log(job_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return {"log": kamp.jobs.get(me, job_id).get("log", "")}


@router.post("/{job_id}/cancel")
def jobs_cancel(job_id: int, request: Request, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Cancel a queued job at once, or ask a running one to stop."""
    return job_out(kamp.jobs.cancel(me, job_id), request)
