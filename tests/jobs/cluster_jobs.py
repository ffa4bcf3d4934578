"""Portable job functions for the Dask tests: module-level, so the cluster's worker processes
import them by name. They meet the test through files in a folder named by the job's parameters
(the test and the job run in different processes): ``started`` gets one line per start (its
process id), and the job goes on once the test creates ``go``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from openkamp.jobs import JobContext, portable
from openkamp.jobs.fanout import Part

LIMIT_S = 60.0  # a job the test forgets ends by itself


def _started(folder: str) -> None:
    with (Path(folder) / "started").open("a") as f:
        f.write(f"{os.getpid()}\n")


def _wait_for_go(folder: str, check: Any = None) -> None:
    deadline = time.monotonic() + LIMIT_S
    while not (Path(folder) / "go").exists():
        if check is not None:
            check()
        if time.monotonic() > deadline:
            raise TimeoutError("the test never said go")
        time.sleep(0.02)


@portable
def progress_then_wait(ctx: JobContext) -> dict[str, Any]:
    """Reports progress and a log line, then waits for ``go``."""
    ctx.log("reading 3 machines")
    ctx.progress(0.4, "halfway")
    _started(ctx.params["dir"])
    _wait_for_go(ctx.params["dir"], ctx.check)
    return {"pid": os.getpid()}


@portable
def hang(ctx: JobContext) -> dict[str, Any]:
    """Records its start and then hangs, never looking at cancel (a worker to be killed)."""
    ctx.progress(0.1, "hanging")
    ctx.flush()
    _started(ctx.params["dir"])
    _wait_for_go(ctx.params["dir"])
    return {"pid": os.getpid()}


def _square(part: Part, x: int) -> dict[str, Any]:
    part.log(f"squaring {x}")
    if x == 3:
        raise ValueError("three is unlucky")
    return {"x": x, "y": x * x, "pid": os.getpid()}


@portable
def squares(ctx: JobContext) -> dict[str, Any]:
    """Fans out one part per number; the part for 3 fails."""
    outcomes = ctx.map(_square, list(range(ctx.params["n"])), label=lambda x: f"n{x}")
    return {
        "values": [o.value for o in outcomes if o.ok],
        "failed": [[o.item, o.error] for o in outcomes if not o.ok],
        "workers": sorted({o.worker for o in outcomes}),
    }


def _wait_part(part: Part, x: int) -> int:
    _started(part.params["dir"])
    _wait_for_go(part.params["dir"], part.check)
    return x


@portable
def waiting_parts(ctx: JobContext) -> dict[str, Any]:
    """Parts that wait for ``go``, looking at cancel meanwhile."""
    outcomes = ctx.map(_wait_part, list(range(ctx.params["n"])))
    return {"done": len(outcomes)}
