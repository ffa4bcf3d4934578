"""Jobs: long work (training, imports, scoring) with progress, logs, cancel and a result."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import request_lang
from openkamp.api.records import Answer, IsoTime, record_out
from openkamp.jobs.texts import localized

router = APIRouter(prefix="/jobs", tags=["jobs"])


class Job(Answer):
    """Long work (training, an import, scoring) and where it stands."""

    id: int
    org_id: int
    kind: str = Field(description="train, import, score, recipe, …")
    title: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(description="0 to 1")
    message: str
    params: dict[str, Any]
    result: dict[str, Any] = Field(description="What the job made (by kind); {} until done")
    error: str | None
    cancel_requested: int = Field(description="1 once a cancel was asked")
    created_by: str
    created_at: IsoTime
    started_at: IsoTime | None
    finished_at: IsoTime | None
    attempt: int = Field(description="Starts so far (a retryable job whose worker died may "
                         "start again, up to max_attempts)")  # fmt: skip
    max_attempts: int
    title_text: str = Field(description="title, message and error in the request's language")
    message_text: str
    error_text: str
    error_hint: str | None


class JobWithLog(Job):
    log: str


class JobStarted(Answer):
    """The job that does the work (poll ``/jobs/{id}``)."""

    job: JobWithLog


class JobLog(Answer):
    log: str


def job_out(
    rec: dict[str, Any], request: Request | None = None, *, log: bool = False
) -> dict[str, Any]:
    """A job as JSON, with its message and error also in the request's language
    (``message_text``, ``error_text``, ``error_hint``)."""
    # Where it runs and as whom (a worker process's host and id, the submitter's principal)
    # are the installation's business, not the API's.
    internal = ("function", "submitter", "worker")
    return record_out(
        localized(rec, request_lang(request)), hide=internal if log else (*internal, "log")
    )


@router.get("", response_model=list[Job])
def jobs_list(
    request: Request, kamp: Kamp, me: Me, status: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Recent jobs of the organisation, newest first."""
    return [
        job_out(j, request)
        for j in kamp.jobs.list(me, status=status, limit=max(1, min(limit, 500)))
    ]


@router.get("/{job_id}", response_model=Job)
def jobs_get(job_id: int, request: Request, kamp: Kamp, me: Me) -> dict[str, Any]:
    """A job's status, progress, message and result."""
    return job_out(kamp.jobs.get(me, job_id), request)


@router.get("/{job_id}/log", response_model=JobLog)
def jobs_log(job_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return {"log": kamp.jobs.get(me, job_id).get("log", "")}


@router.post("/{job_id}/cancel", response_model=Job)
def jobs_cancel(job_id: int, request: Request, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Cancel a queued job at once, or ask a running one to stop."""
    return job_out(kamp.jobs.cancel(me, job_id), request)
