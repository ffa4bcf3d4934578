"""Job workers (``openkamp serve --role jobs``) on PostgreSQL: a worker killed mid-job loses its
lease and the job is run again by the other worker (a retryable job) or failed with the reason,
within the lease's time; a worker that comes back after losing a job writes nothing (fenced by
the attempt); a job never runs in two workers at once. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openkamp.jobs.service import LOST
from openkamp.jobs.texts import error_texts

from .support import LEASE, Cluster, cluster, wait_for
from .worker_fns import steps

pytestmark = pytest.mark.postgres

TTL = LEASE["lease_ttl_s"]
#: From a worker's death to another's start of the job: the lease's time, one heartbeat before
#: it (the last renewal), a poll, a process under load.
TAKEOVER = TTL + 3.0


@pytest.fixture
def jobs_cluster(tmp_path: Path) -> Iterator[Cluster]:
    with cluster(tmp_path) as c:
        a, b = c.start("jobs"), c.start("jobs")
        c.wait_ready(a, b)
        yield c


def _submit(c: Cluster, marker: Path, *, attempts: int, n: int = 40) -> dict[str, Any]:
    me = c.kamp.principal()
    params = {"steps": n, "step_s": 0.1, "marker": str(marker)}
    job = c.kamp.jobs.submit(me, "k", "steps", steps, params, max_attempts=attempts)
    assert job["status"] == "queued" and job["function"] == "workers.worker_fns:steps"
    return job


def _job(c: Cluster, jid: int) -> dict[str, Any]:
    return c.kamp.meta.get(c.kamp.default_org_id, "job", jid)


def _running(c: Cluster, jid: int, attempt: int, progress: float = 0.15) -> dict[str, Any]:
    def ok() -> dict[str, Any] | None:
        rec = _job(c, jid)
        assert rec["status"] in ("queued", "running"), rec
        good = rec["status"] == "running" and rec["attempt"] == attempt
        return rec if good and rec["progress"] >= progress else None

    return wait_for(ok, 30, f"attempt {attempt} of job {jid} under way")


def _marks(marker: Path) -> list[tuple[str, int, int, float]]:
    out = []
    for line in marker.read_text(encoding="utf-8").splitlines():
        what, attempt, pid, at = line.split()
        out.append((what, int(attempt), int(pid), float(at)))
    return out


def test_a_killed_worker_s_retryable_job_is_run_again_by_the_other(
    jobs_cluster: Cluster, tmp_path: Path
) -> None:
    c, marker = jobs_cluster, tmp_path / "marks.txt"
    job = _submit(c, marker, attempts=2)
    first = _running(c, job["id"], 1)
    victim = c.by_holder(first["worker"])
    (other,) = [w for w in c.workers if w is not victim]
    os.kill(victim.pid, signal.SIGKILL)
    killed_at = time.time()
    victim.proc.wait(10)

    second = _running(c, job["id"], 2, progress=0.0)
    assert second["worker"] == other.holder
    done = wait_for(
        lambda: (r := _job(c, job["id"]))["status"] in ("done", "failed", "cancelled") and r,
        30, "the job's end",
    )  # fmt: skip
    assert done["status"] == "done", done["log"]
    assert done["attempt"] == 2 and done["result"]["attempt"] == 2
    assert done["result"]["pid"] == other.pid and done["worker"] == other.holder
    marks = _marks(marker)
    ones = [m for m in marks if m[1] == 1]
    twos = [m for m in marks if m[1] == 2]
    assert ones and {m[2] for m in ones} == {victim.pid}
    assert max(m[3] for m in ones) < killed_at  # nothing ran of attempt 1 after the kill
    assert {m[2] for m in twos} == {other.pid} and twos[-1][0] == "end"
    start2 = twos[0][3]
    assert killed_at < start2 < killed_at + TAKEOVER  # within the lease's time
    # the log tells the story: attempt 1's steps, why it was queued again, attempt 2's
    log = done["log"]
    assert f"step 0 by {victim.pid}" in log and "queued again" in log
    assert log.index("queued again") < log.index(f"step 0 by {other.pid}")
    assert c.kamp.jobs.get(c.kamp.principal(), job["id"])["status"] == "done"


def test_a_killed_worker_s_job_that_may_not_run_twice_fails_with_the_reason(
    jobs_cluster: Cluster, tmp_path: Path
) -> None:
    c, marker = jobs_cluster, tmp_path / "marks.txt"
    job = _submit(c, marker, attempts=1)
    first = _running(c, job["id"], 1)
    victim = c.by_holder(first["worker"])
    os.kill(victim.pid, signal.SIGKILL)
    killed_at = time.time()
    failed = wait_for(
        lambda: (r := _job(c, job["id"]))["status"] != "running" and r, TAKEOVER + 5,
        "the job failed",
    )  # fmt: skip
    assert time.time() - killed_at < TAKEOVER
    assert failed["status"] == "failed" and failed["error"] == LOST
    assert failed["attempt"] == 1 and failed["finished_at"] is not None
    assert "stopped renewing its lease" in failed["log"]
    ko, _ = error_texts(failed, "ko")
    en, _ = error_texts(failed, "en")
    assert "작업자" in ko and "중단" in ko and "worker" in en
    time.sleep(TTL)  # and nobody runs it again
    assert {m[1] for m in _marks(marker)} == {1} and _job(c, job["id"])["status"] == "failed"


def test_a_worker_that_comes_back_after_losing_its_job_writes_nothing(
    jobs_cluster: Cluster, tmp_path: Path
) -> None:
    """SIGSTOP past the lease's time: the other worker takes the job over; SIGCONT: the first
    finds its lease gone, stops its run and writes nothing more (its attempt is not the job's)."""
    c, marker = jobs_cluster, tmp_path / "marks.txt"
    job = _submit(c, marker, attempts=2, n=30)
    first = _running(c, job["id"], 1)
    paused = c.by_holder(first["worker"])
    (other,) = [w for w in c.workers if w is not paused]
    os.kill(paused.pid, signal.SIGSTOP)
    try:
        _running(c, job["id"], 2, progress=0.2)
    finally:
        os.kill(paused.pid, signal.SIGCONT)
    resumed_at = time.time()
    done = wait_for(
        lambda: (r := _job(c, job["id"]))["status"] in ("done", "failed", "cancelled") and r,
        30, "the job's end",
    )  # fmt: skip
    time.sleep(1.0)  # what the resumed worker would still write
    final = _job(c, job["id"])
    assert final == done
    assert done["status"] == "done" and done["result"]["pid"] == other.pid
    assert done["attempt"] == 2 and done["worker"] == other.holder
    log = done["log"]
    requeued = log.index("queued again")
    assert f"by {paused.pid}" not in log[requeued:]  # nothing of the first run after it
    assert done["message"] == f"step 29 by {other.pid}" and done["progress"] == 1.0
    # The first run stops soon after it resumes (it finds the job no longer its own)...
    late = [m for m in _marks(marker) if m[2] == paused.pid and m[3] > resumed_at]
    assert len(late) <= 15 and all(m[0] != "end" for m in late)
    # ...and while it was stopped, only the second ran
    assert paused.proc.poll() is None  # the worker itself lives on
    assert "Traceback" not in paused.output()
