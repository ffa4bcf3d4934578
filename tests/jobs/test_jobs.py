"""The jobs service on a real SQLite metadata store: lifecycle, cancel, failures, tenancy, limits.

Jobs synchronise with the test through events, never through sleeps: a job signals that it has
reached a point and waits for the test to let it go on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openkamp.core.errors import Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.jobs import Cancelled, JobContext, JobService, ThreadExecutor
from openkamp.jobs.context import LogBuffer
from openkamp.jobs.service import HIDDEN, INTERRUPTED, STOPPED
from openkamp.platform import Platform
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.registry import open_metadata

T = 5.0  # generous upper bound for any wait; tests normally pass in milliseconds


@pytest.fixture
def meta(tmp_path: Path) -> Iterator[MetadataStore]:
    store = open_metadata(f"sqlite:///{tmp_path / 'metadata.sqlite'}")
    yield store
    store.close()


@pytest.fixture
def org(meta: MetadataStore) -> int:
    return int(meta.create_org("factory")["id"])


@pytest.fixture
def eng(org: int) -> Principal:
    return Principal(org_id=org, name="kim", roles=frozenset({Role.ENGINEER}))


@pytest.fixture
def jobs(meta: MetadataStore) -> Iterator[JobService]:
    service = JobService(meta, workers=2)
    yield service
    service.close(timeout_s=1.0)


def _blocking(reached: threading.Event, go: threading.Event, result: Any = None) -> Any:
    def fn(ctx: JobContext) -> Any:
        reached.set()
        assert go.wait(T)
        return result

    return fn


# -- lifecycle ------------------------------------------------------------------------------------


def test_progress_and_log_are_visible_while_running_and_result_at_the_end(
    jobs: JobService, eng: Principal
) -> None:
    reached, go = threading.Event(), threading.Event()

    def fn(ctx: JobContext) -> dict[str, Any]:
        assert ctx.params == {"equipment": "press01"}
        assert ctx.principal == eng
        ctx.log("reading 3 rows")
        ctx.progress(0.25, "loading data")
        reached.set()
        assert go.wait(T)
        return {"rows": 3, "name": "압력"}

    job = jobs.submit(eng, "train", "Defect model", fn, params={"equipment": "press01"})
    assert job["status"] == "queued" and job["created_by"] == "kim"
    assert reached.wait(T)

    running = jobs.get(eng, job["id"])
    assert running["status"] == "running"
    assert running["progress"] == 0.25
    assert running["message"] == "loading data"
    assert "reading 3 rows" in running["log"]
    assert running["started_at"] is not None and running["finished_at"] is None

    go.set()
    done = jobs.wait(eng, job["id"], timeout=T)
    assert done["status"] == "done"
    assert done["progress"] == 1.0
    assert done["result"] == {"rows": 3, "name": "압력"}
    assert done["params"] == {"equipment": "press01"}
    assert done["error"] is None
    assert done["finished_at"] >= done["started_at"]


def test_a_domain_error_fails_the_job_with_its_message_and_hint(
    jobs: JobService, eng: Principal
) -> None:
    def fn(ctx: JobContext) -> None:
        raise InvalidInput("The target column is empty.", hint="Choose another target.")

    job = jobs.wait(eng, jobs.submit(eng, "train", "t", fn)["id"], timeout=T)
    assert job["status"] == "failed"
    assert job["error"] == "The target column is empty. Choose another target."
    assert "failed: The target column is empty." in job["log"]
    assert job["result"] == {
        "error": {
            "type": "InvalidInput",
            "code": None,
            "params": {},
            "hint": "Choose another target.",
        }
    }


def test_a_failed_job_says_its_error_in_the_readers_language(
    jobs: JobService, eng: Principal
) -> None:
    from openkamp.jobs.texts import localized

    def coded(ctx: JobContext) -> None:
        ctx.progress(0.5, "fit")
        raise InvalidInput("Cannot read the time 'x'.", code="bad_time", params={"text": "x"})

    def crash(ctx: JobContext) -> None:
        raise RuntimeError("internal detail that users never see")

    job = jobs.wait(eng, jobs.submit(eng, "train", "t", coded)["id"], timeout=T)
    ko, en = localized(job, "ko"), localized(job, "en")
    assert ko["message_text"] == "모델 학습 중" and en["message_text"] == "Training the model"
    assert ko["error_text"] == "시간 'x'을(를) 읽을 수 없습니다." and ko["error_hint"].startswith(
        "ISO"
    )
    assert en["error_text"] == "Cannot read the time 'x'."
    job = jobs.wait(eng, jobs.submit(eng, "train", "t", crash)["id"], timeout=T)
    ko = localized(job, "ko")
    assert "내부 오류" in ko["error_text"] and "internal detail" not in ko["error_text"]
    assert "internal detail" not in job["log"]  # the engineer reads no internal detail
    admin = Principal(org_id=eng.org_id, name="boss", roles=frozenset({Role.ADMIN}))
    assert "internal detail" in jobs.get(admin, job["id"])["log"]  # kept for the administrator


def test_an_unexpected_exception_fails_the_job_with_type_message_and_traceback(
    jobs: JobService, eng: Principal, org: int
) -> None:
    def divide_by_zero(ctx: JobContext) -> dict[str, Any]:
        ctx.log("reading /srv/factory/secret.csv")
        return {"x": 1 / 0}

    job_id = jobs.submit(eng, "score", "t", divide_by_zero)["id"]
    jobs.wait(eng, job_id, timeout=T)
    admin = Principal(org_id=org, name="boss", roles=frozenset({Role.ADMIN}))
    job = jobs.get(admin, job_id)  # administrators read everything
    assert job["status"] == "failed"
    assert job["error"] == "ZeroDivisionError: division by zero"
    assert "Traceback (most recent call last)" in job["log"]
    assert "divide_by_zero" in job["log"]  # the frame where it happened
    # Others read the plain log: no traceback (server paths, code), the internal error only
    # as one (issue 9, finding 9: viewers could read tracebacks and server paths).
    viewer = Principal(org_id=org, name="lee", roles=frozenset({Role.VIEWER}))
    for reader in (viewer, eng):
        seen = jobs.get(reader, job_id)
        assert "Traceback" not in seen["log"] and "site-packages" not in seen["log"]
        assert "divide_by_zero" not in seen["log"] and "ZeroDivision" not in seen["error"]
        assert "reading /srv/factory/secret.csv" in seen["log"]  # the job's own words stay
        listed = next(j for j in jobs.list(reader) if j["id"] == job_id)
        assert "Traceback" not in listed["log"] and listed["error"] == seen["error"]


def test_a_result_that_is_not_a_json_dict_fails_the_job(jobs: JobService, eng: Principal) -> None:
    job = jobs.wait(eng, jobs.submit(eng, "k", "t", lambda ctx: [1, 2])["id"], timeout=T)  # type: ignore[arg-type,return-value]
    assert job["status"] == "failed" and "returned a list" in job["error"]
    job = jobs.wait(eng, jobs.submit(eng, "k", "t", lambda ctx: {"x": object()})["id"], timeout=T)
    # An internal error: its text for administrators only, however soon the job ended.
    assert job["status"] == "failed" and job["error"] == HIDDEN
    admin = Principal(org_id=eng.org_id, name="boss", roles=frozenset({Role.ADMIN}))
    assert "TypeError" in jobs.wait(admin, job["id"], timeout=T)["error"]


def test_wait_shows_a_reader_the_same_record_whether_the_job_ended_before_or_during_it(
    jobs: JobService, eng: Principal
) -> None:
    # wait() answered the raw record when it had to poll, the reader's view when the job had
    # already ended: an engineer saw an internal error's text only when the job was slow.
    gate = threading.Event()

    def slow(ctx: object) -> dict[str, object]:
        gate.wait(5)
        return {"x": object()}

    job_id = jobs.submit(eng, "k", "t", slow)["id"]  # type: ignore[arg-type]
    threading.Timer(0.3, gate.set).start()
    assert jobs.wait(eng, job_id, timeout=T)["error"] == HIDDEN


def test_bad_submissions_are_refused(jobs: JobService, eng: Principal) -> None:
    with pytest.raises(InvalidInput):
        jobs.submit(eng, "train", "t", lambda ctx: None, params={"when": object()})
    with pytest.raises(InvalidInput):
        jobs.submit(eng, "", "t", lambda ctx: None)
    with pytest.raises(InvalidInput):
        jobs.list(eng, status="sleeping")


def test_list_is_newest_first_with_status_filter_and_limit(
    jobs: JobService, eng: Principal
) -> None:
    ids = [jobs.submit(eng, "k", f"job {i}", lambda ctx: None)["id"] for i in range(3)]
    for i in ids:
        jobs.wait(eng, i, timeout=T)
    failed = jobs.wait(eng, jobs.submit(eng, "k", "bad", lambda ctx: 1 / 0)["id"], timeout=T)
    assert [j["id"] for j in jobs.list(eng)] == [failed["id"], *reversed(ids)]
    assert [j["id"] for j in jobs.list(eng, limit=2)] == [failed["id"], ids[-1]]
    assert [j["id"] for j in jobs.list(eng, status="failed")] == [failed["id"]]


def test_wait_returns_the_running_record_when_the_timeout_passes(
    jobs: JobService, eng: Principal
) -> None:
    reached, go = threading.Event(), threading.Event()
    job = jobs.submit(eng, "k", "t", _blocking(reached, go))
    assert reached.wait(T)
    assert jobs.wait(eng, job["id"], timeout=0.05)["status"] == "running"
    go.set()
    assert jobs.wait(eng, job["id"], timeout=T)["status"] == "done"


# -- cancel ---------------------------------------------------------------------------------------


def test_a_running_job_is_cancelled_when_it_checks(jobs: JobService, eng: Principal) -> None:
    started = threading.Event()
    steps: list[int] = []

    def fn(ctx: JobContext) -> None:
        started.set()
        for step in range(100_000):
            ctx.check()
            steps.append(step)
            ctx._cancel.wait(0.01)  # stands for a unit of work; wakes at once on cancel

    job = jobs.submit(eng, "train", "long", fn)
    assert started.wait(T)
    asked = jobs.cancel(eng, job["id"])
    assert asked["status"] == "running" and asked["cancel_requested"] == 1
    ended = jobs.wait(eng, job["id"], timeout=T)
    assert ended["status"] == "cancelled"
    assert ended["finished_at"] is not None and ended["error"] is None
    assert ended["log"].rstrip().endswith("cancelled")
    assert len(steps) < 100_000


def test_a_job_that_returns_early_on_cancel_ends_cancelled_with_its_partial_result(
    jobs: JobService, eng: Principal
) -> None:
    started = threading.Event()

    def fn(ctx: JobContext) -> dict[str, Any]:
        started.set()
        done = 0
        while not ctx.cancelled:
            done += 1
            ctx._cancel.wait(0.01)
        return {"done": done}

    job = jobs.submit(eng, "score", "t", fn)
    assert started.wait(T)
    jobs.cancel(eng, job["id"])
    ended = jobs.wait(eng, job["id"], timeout=T)
    assert ended["status"] == "cancelled" and ended["result"]["done"] >= 1


def test_a_queued_job_is_cancelled_at_once_and_never_runs(
    meta: MetadataStore, eng: Principal
) -> None:
    jobs = JobService(meta, workers=1)
    try:
        reached, go = threading.Event(), threading.Event()
        ran = threading.Event()
        first = jobs.submit(eng, "k", "fills the pool", _blocking(reached, go))
        assert reached.wait(T)
        queued = jobs.submit(eng, "k", "waits", lambda ctx: ran.set())  # type: ignore[func-returns-value]
        assert jobs.get(eng, queued["id"])["status"] == "queued"

        cancelled = jobs.cancel(eng, queued["id"])
        assert cancelled["status"] == "cancelled" and cancelled["finished_at"] is not None
        assert cancelled["message"] == "cancelled by kim"

        go.set()
        assert jobs.wait(eng, first["id"], timeout=T)["status"] == "done"
        third = jobs.submit(eng, "k", "runs after", lambda ctx: {"ok": True})
        assert jobs.wait(eng, third["id"], timeout=T)["status"] == "done"  # the slot was freed
        assert not ran.is_set()
        assert jobs.get(eng, queued["id"])["status"] == "cancelled"
        assert jobs.cancel(eng, first["id"])["status"] == "done"  # finished: nothing to cancel
    finally:
        jobs.close(timeout_s=1.0)


def test_a_cancel_requested_in_the_store_reaches_the_job(
    meta: MetadataStore, eng: Principal
) -> None:
    """Another process (an API worker) can only set the flag; the context polls it."""
    jobs = JobService(meta, progress_interval_s=0.01)
    try:
        started = threading.Event()

        def fn(ctx: JobContext) -> None:
            started.set()
            deadline = time.monotonic() + T
            while time.monotonic() < deadline:
                ctx.check()
                time.sleep(0.005)

        job = jobs.submit(eng, "k", "t", fn)
        assert started.wait(T)
        meta.update(eng.org_id, "job", job["id"], {"cancel_requested": 1})
        assert jobs.wait(eng, job["id"], timeout=T)["status"] == "cancelled"
    finally:
        jobs.close(timeout_s=1.0)


def test_close_cancels_queued_jobs_and_fails_those_that_ignore_the_stop(
    meta: MetadataStore, eng: Principal
) -> None:
    executor = ThreadExecutor(1)
    jobs = JobService(meta, executor)
    reached, go = threading.Event(), threading.Event()
    stubborn = jobs.submit(eng, "k", "ignores cancel", _blocking(reached, go, {"late": True}))
    assert reached.wait(T)
    queued = jobs.submit(eng, "k", "never starts", lambda ctx: None)

    jobs.close(timeout_s=0.05)
    assert jobs.get(eng, queued["id"])["status"] == "cancelled"
    gave_up = jobs.get(eng, stubborn["id"])
    assert gave_up["status"] == "failed" and gave_up["error"] == STOPPED
    with pytest.raises(InvalidInput):
        jobs.submit(eng, "k", "t", lambda ctx: None)

    go.set()  # the function ends after all; it must not overwrite what close() recorded
    for thread in executor._threads:
        thread.join(T)
    assert jobs.get(eng, stubborn["id"]) == gave_up


# -- restart --------------------------------------------------------------------------------------


def test_jobs_left_by_a_crashed_process_are_marked_failed_on_reopen(tmp_path: Path) -> None:
    with Platform.at(tmp_path / "data") as kamp:
        me = kamp.principal()
        done = kamp.jobs.wait(me, kamp.jobs.submit(me, "k", "ok", lambda ctx: None)["id"], T)
        # What a process that died mid-work leaves behind:
        for status in ("queued", "running"):
            kamp.meta.insert(me.org_id, "job", {"kind": "train", "status": status})
    with Platform.at(tmp_path / "data") as kamp:
        jobs = {j["id"]: j for j in kamp.jobs.list(me)}
        assert jobs[done["id"]]["status"] == "done"
        left = [j for i, j in jobs.items() if i != done["id"]]
        assert [j["status"] for j in left] == ["failed", "failed"]
        assert all(j["error"] == INTERRUPTED and j["finished_at"] for j in left)


# -- tenancy --------------------------------------------------------------------------------------


def test_jobs_are_scoped_to_their_organisation_and_roles_apply(
    meta: MetadataStore, jobs: JobService, eng: Principal
) -> None:
    other = meta.create_org("another")["id"]
    stranger = Principal(org_id=other, name="lee", roles=frozenset({Role.ADMIN}))
    viewer = Principal(org_id=eng.org_id, name="park", roles=frozenset({Role.VIEWER}))

    job = jobs.wait(eng, jobs.submit(eng, "k", "t", lambda ctx: {"secret": 42})["id"], T)
    with pytest.raises(NotFound):
        jobs.get(stranger, job["id"])
    with pytest.raises(NotFound):
        jobs.cancel(stranger, job["id"])
    with pytest.raises(NotFound):
        jobs.wait(stranger, job["id"], timeout=0.01)
    assert jobs.list(stranger) == []

    assert jobs.get(viewer, job["id"])["result"] == {"secret": 42}
    assert [j["id"] for j in jobs.list(viewer)] == [job["id"]]
    with pytest.raises(Forbidden):
        jobs.submit(viewer, "k", "t", lambda ctx: None)
    with pytest.raises(Forbidden):
        jobs.cancel(viewer, job["id"])


# -- limits ---------------------------------------------------------------------------------------


def test_the_stored_log_keeps_only_its_last_bytes(meta: MetadataStore, eng: Principal) -> None:
    jobs = JobService(meta, log_max_bytes=2048)
    try:

        def chatty(ctx: JobContext) -> None:
            for i in range(1000):
                ctx.log(f"line {i:04d} 압력 측정")
            ctx.log("the end")

        job = jobs.wait(eng, jobs.submit(eng, "k", "t", chatty)["id"], timeout=T)
        log = job["log"]
        assert len(log.encode("utf-8")) <= 2048
        assert log.startswith("[… earlier lines dropped]\n")
        assert log.rstrip().endswith("the end")
        assert "line 0000" not in log and "line 0999" in log
    finally:
        jobs.close(timeout_s=1.0)


def test_a_line_longer_than_the_whole_log_keeps_its_end() -> None:
    log = LogBuffer(1024)
    log.add("압" * 2000 + "ONE")
    log.add("압" * 2000 + "TWO")
    text = log.text()
    assert len(text.encode("utf-8")) <= 1024
    assert text.startswith("[… earlier lines dropped]\n…압")
    assert "ONE" not in text and text.endswith("압TWO\n")


def _count_job_writes(meta: MetadataStore) -> list[dict[str, Any]]:
    writes: list[dict[str, Any]] = []
    update = meta.update

    def counting(org_id: int, kind: Any, record_id: int, values: dict[str, Any]) -> Any:
        if kind == "job":
            writes.append(values)
        return update(org_id, kind, record_id, values)

    meta.update = counting  # type: ignore[method-assign]
    return writes


def test_progress_writes_are_throttled(meta: MetadataStore, eng: Principal) -> None:
    writes = _count_job_writes(meta)
    jobs = JobService(meta, progress_interval_s=0.5)
    try:

        def tight_loop(ctx: JobContext) -> None:
            for i in range(20_000):
                ctx.progress(i / 20_000, "scoring")
                if i % 100 == 0:
                    ctx.log(f"row {i}")

        job = jobs.wait(eng, jobs.submit(eng, "score", "t", tight_loop)["id"], timeout=T)
        assert job["status"] == "done" and job["message"] == "scoring"
        assert "row 19900" in job["log"]  # the final write carries everything held back
        # start + first progress + one per elapsed interval + end; never one per call
        assert len(writes) <= 6, len(writes)
    finally:
        jobs.close(timeout_s=1.0)


def test_a_new_message_is_written_at_once_and_held_back_progress_soon_after(
    meta: MetadataStore, eng: Principal
) -> None:
    writes = _count_job_writes(meta)
    jobs = JobService(meta, progress_interval_s=0.05)
    try:
        reached, go = threading.Event(), threading.Event()

        def fn(ctx: JobContext) -> None:
            for step in ("load", "fit", "score"):
                ctx.progress(0.1, step)  # each new message is written, however soon
            ctx.progress(0.7)  # held back by the throttle; the ticker writes it
            reached.set()
            assert go.wait(T)

        job = jobs.submit(eng, "k", "t", fn)
        assert reached.wait(T)
        assert [w.get("message") for w in writes if "message" in w][:3] == ["load", "fit", "score"]
        deadline = time.monotonic() + T
        while jobs.get(eng, job["id"])["progress"] != 0.7 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert jobs.get(eng, job["id"])["progress"] == 0.7
        go.set()
        assert jobs.wait(eng, job["id"], timeout=T)["status"] == "done"
    finally:
        jobs.close(timeout_s=1.0)


def test_cancelled_is_raised_by_check_only_after_a_request(meta: MetadataStore, org: int) -> None:
    from openkamp.jobs import JobTask

    rec = meta.insert(org, "job", {"kind": "k", "status": "running"})
    principal = Principal(org_id=org, name="kim", roles=frozenset({Role.ENGINEER}))
    ctx = JobContext(meta, JobTask(org, rec["id"], principal, lambda c: None))
    ctx.check()
    ctx.request_cancel()
    with pytest.raises(Cancelled):
        ctx.check()


def test_progress_inside_a_store_transaction_does_not_deadlock_with_the_ticker(
    meta: MetadataStore, eng: Principal
) -> None:
    """The ticker flushing a context must never hold it while waiting for the store's lock."""
    jobs = JobService(meta, progress_interval_s=0.002)
    try:

        def fn(ctx: JobContext) -> None:
            with meta.transaction():  # as a service doing several writes atomically would
                deadline = time.monotonic() + 0.2
                while time.monotonic() < deadline:
                    ctx.progress(0.5)
                    time.sleep(0.001)  # let the ticker run and wait for the store lock

        job = jobs.wait(eng, jobs.submit(eng, "k", "t", fn)["id"], timeout=T)
        assert job["status"] == "done"
    finally:
        jobs.close(timeout_s=1.0)
