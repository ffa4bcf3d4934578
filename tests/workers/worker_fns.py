"""Portable job functions for the job worker tests (imported by the worker processes as
``workers.worker_fns``, with the tests folder on their path): each step is logged with the process
and attempt that ran it, in the job's log and in a marker file outside the store."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from openkamp.jobs import portable
from openkamp.jobs.context import JobContext


@portable
def steps(ctx: JobContext) -> dict[str, Any]:
    p = ctx.params
    n, step_s, marker = int(p["steps"]), float(p["step_s"]), Path(p["marker"])
    pid = os.getpid()
    attempt = int(ctx.platform.meta.get(ctx.task.org_id, "job", ctx.job_id)["attempt"])

    def mark(what: str) -> None:
        with marker.open("a", encoding="utf-8") as f:
            f.write(f"{what} {attempt} {pid} {time.time():.3f}\n")

    mark("start")
    for i in range(n):
        ctx.check()
        time.sleep(step_s)
        mark(f"step{i}")
        ctx.log(f"step {i} by {pid}")
        ctx.progress((i + 1) / n, f"step {i} by {pid}")
    mark("end")
    return {"pid": pid, "attempt": attempt, "steps": n}
