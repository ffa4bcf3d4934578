"""A model job for the Dask tests that stops where a test kills its worker: module-level, so the
cluster's worker processes import it by name. It meets the test through files in the folder its
parameters name (``parent``: the job's process id; ``registered``: one line per part run, its
process id, model and version; ``go``: created by the test)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openkamp.jobs import JobContext, portable
from openkamp.jobs.fanout import Part
from openkamp.ml.jobs import _train_machine

from .cluster_jobs import _wait_for_go


def _train_then_wait(part: Part, item: dict[str, str]) -> dict[str, Any]:
    """A fleet job's part (the model of one machine, registered with the part's fence) that,
    the first time it runs, waits after registering: there its worker is killed, and Dask runs
    the part again on another worker."""
    folder = Path(part.params["dir"])
    out = _train_machine(part, item)
    with (folder / "registered").open("a") as f:
        f.write(f"{os.getpid()} {item['name']} {out['version']}\n")
    marker = folder / f"ran-{item['name']}"
    if not marker.exists():
        marker.touch()
        _wait_for_go(str(folder), part.check)
    return {**out, "pid": os.getpid()}


@portable
def fleet_that_waits(ctx: JobContext) -> dict[str, Any]:
    """One model per machine of ``ctx.params['machines']`` (see :func:`_train_then_wait`)."""
    (Path(ctx.params["dir"]) / "parent").write_text(str(os.getpid()))
    items = [{"equipment": p, "name": f"watch-{p.rsplit('/', 1)[-1]}"}
             for p in ctx.params["machines"]]  # fmt: skip
    outcomes = ctx.map(_train_then_wait, items, label=lambda it: it["equipment"])
    return {
        "models": [o.value for o in outcomes if o.ok],
        "failed": [[o.item["equipment"], o.error] for o in outcomes if not o.ok],
    }
