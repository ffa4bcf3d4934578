"""Jobs on a real Dask cluster: a ``LocalCluster`` of two worker processes (one thread each).

The installation is what a regional centre runs, on the test server: metadata and time series on
PostgreSQL (a fresh database each), files in a folder every worker sees; one test keeps the
metadata on a SQLite file, which workers on the same machine may share. Jobs meet the test
through files (:mod:`cluster_jobs`), never through sleeps.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.core.errors import ConfigError
from openkamp.core.tenancy import Principal
from openkamp.i18n import error_text
from openkamp.jobs.dask import DaskExecutor, Installation, close_platforms
from openkamp.jobs.service import LOST
from openkamp.jobs.texts import error_texts
from openkamp.ml.jobs import FleetSpec, spec_params, submit_fleet, train_model
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.settings import Settings
from openkamp.storage.registry import schemes
from openkamp.storage.testing.postgres import fresh_database, server_or_skip
from openkamp.storage.timeseries.base import TS_TYPE

from . import cluster_jobs as cj

pytestmark = pytest.mark.postgres

T = 45.0  # upper bound of any wait; the tests normally pass in seconds
T0 = datetime(2026, 3, 2, tzinfo=UTC)
FAST = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


def _worker_pids(client: Any) -> dict[str, int]:
    return dict(client.run(os.getpid))


@pytest.fixture
def centre(tmp_path: Path, cluster: Any) -> Iterator[Platform]:
    """A regional centre's installation: PostgreSQL for metadata and time series, jobs on the
    cluster."""
    with fresh_database("okjm") as meta_url, fresh_database("okjt") as ts_url:
        kamp = Platform.at(
            tmp_path / "data",
            metadata_url=meta_url,
            timeseries_url=ts_url,
            jobs_scheduler=cluster.scheduler.address,
            jobs_progress_interval_s=0.1,
            **FAST,
        )
        try:
            yield kamp
        finally:
            kamp.close()
            cluster.run(close_platforms)  # before the databases go


@pytest.fixture
def me(centre: Platform) -> Principal:
    return centre.principal()


def _params(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    folder = tmp_path / "meet"
    folder.mkdir(parents=True, exist_ok=True)
    return {"dir": str(folder), **extra}


def _until(what: Any, timeout: float = T) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def _starts(params: dict[str, Any]) -> list[int]:
    path = Path(params["dir"]) / "started"
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _machines(kamp: Platform, me: Principal, n: int, *, rows: int = 1500) -> list[str]:
    """``n`` presses of three signals with ``rows`` seconds of data each; returns their paths."""
    names = ["pressure", "oil_temp", "current"]
    presses = [
        EquipmentSpec(
            f"press{i:02d}", equipment_type="press", signals=[SignalSpec(s) for s in names]
        )
        for i in range(n)
    ]
    kamp.assets.apply_tree(me, [SiteSpec("plant1", lines=[LineSpec("line1", equipment=presses)])])
    rng = np.random.default_rng(7)
    stamps = pa.array([T0 + timedelta(seconds=i) for i in range(rows)], TS_TYPE)
    paths = [f"plant1/line1/press{i:02d}" for i in range(n)]
    for path in paths:
        for sig in kamp.query.signals(me, [f"{path}/{s}" for s in names]):
            values = rng.normal(50, 5, rows)
            kamp.ts.write(me.org_id, pa.table({"signal_id": np.full(rows, sig.id),
                                               "ts": stamps, "value": values}))  # fmt: skip
    return paths


def _spec(name: str, equipment: str = "") -> TrainSpec:
    return TrainSpec(task="anomaly", name=name, equipment=equipment, start=T0,
                     end=T0 + timedelta(hours=1), time_budget_s=1.0,
                     options={"detector": "pca"})  # fmt: skip


# -- models on the cluster -----------------------------------------------------------------------


def test_a_model_is_trained_on_a_worker_with_the_metadata_on_sqlite(
    tmp_path: Path, cluster: Any
) -> None:
    with fresh_database("okjt") as ts_url:
        kamp = Platform.at(
            tmp_path / "data",
            timeseries_url=ts_url,  # the metadata: the default SQLite file of the data folder
            jobs_scheduler=cluster.scheduler.address,
            jobs_progress_interval_s=0.1,
            **FAST,
        )
        try:
            me = kamp.principal()
            (path,) = _machines(kamp, me, 1)
            job = kamp.jobs.submit(me, "train", "press anomaly", train_model,
                                   params=spec_params(_spec("watch", path)))  # fmt: skip
            done = kamp.jobs.wait(me, job["id"], timeout=T)
            assert done["status"] == "done", done["log"]
            assert done["progress"] == 1.0
            assert done["result"]["model"]["name"] == "watch"
            mv = kamp.models.get(me, "watch", done["result"]["model"]["version"])
            assert mv.task == "anomaly" and mv.metrics
            # It ran on one of the cluster's workers, which wrote the record itself.
            assert any(f"Dask worker {a}" in done["log"] for a in _worker_pids(cluster))
        finally:
            kamp.close()
            cluster.run(close_platforms)


def test_one_model_per_machine_fans_out_over_the_workers(
    centre: Platform, me: Principal, cluster: Any
) -> None:
    paths = _machines(centre, me, 4)
    # A fifth press without data: its model fails with the reason, the others are trained.
    centre.assets.apply_tree(me, [SiteSpec("plant1", lines=[LineSpec("line1", equipment=[
        EquipmentSpec("press99", equipment_type="press", signals=[SignalSpec("pressure")])])])])  # fmt: skip
    job = submit_fleet(centre, me, FleetSpec(_spec("watch"), under="plant1/line1",
                                             equipment_type="press"))  # fmt: skip
    done = centre.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "done", done["log"]
    result = done["result"]
    assert sorted(m["equipment"] for m in result["models"]) == paths
    assert [f["equipment"] for f in result["failed"]] == ["plant1/line1/press99"]
    for m in result["models"]:
        assert centre.models.get(me, m["name"], m["version"]).task == "anomaly"
    assert {m["name"] for m in result["models"]} == {f"watch-press{i:02d}" for i in range(4)}
    # Each machine was a Dask task of its own, run by the cluster's workers.
    assert result["workers"] and set(result["workers"]) <= set(_worker_pids(cluster))
    assert "[plant1/line1/press99] failed" in done["log"]
    assert done["progress"] == 1.0 and done["message"] == "5/5"


def test_parts_report_their_failures_and_logs(centre: Platform, me: Principal) -> None:
    job = centre.jobs.submit(me, "score", "squares", cj.squares, params={"n": 6})
    done = centre.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "done", done["log"]
    assert [v["y"] for v in done["result"]["values"]] == [0, 1, 4, 16, 25]
    assert done["result"]["failed"] == [[3, "ValueError: three is unlucky"]]
    assert "[n4] squaring 4" in done["log"] and "[n3] failed: ValueError" in done["log"]


# -- progress, log, cancel, as in-process -----------------------------------------------------------


def test_progress_and_log_are_visible_while_running(
    centre: Platform, me: Principal, cluster: Any, tmp_path: Path
) -> None:
    params = _params(tmp_path)
    job = centre.jobs.submit(me, "train", "slow", cj.progress_then_wait, params=params)
    running = _until(lambda: (r := centre.jobs.get(me, job["id"]))["progress"] == 0.4 and r)
    assert running["status"] == "running" and running["message"] == "halfway"
    assert "reading 3 machines" in running["log"]
    assert [j["id"] for j in centre.jobs.list(me, status="running")] == [job["id"]]
    (Path(params["dir"]) / "go").touch()
    done = centre.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "done" and done["progress"] == 1.0
    assert done["result"]["pid"] in _worker_pids(cluster).values()
    assert done["result"]["pid"] != os.getpid()


def test_cancel_reaches_a_running_job_on_a_worker(
    centre: Platform, me: Principal, tmp_path: Path
) -> None:
    params = _params(tmp_path)
    job = centre.jobs.submit(me, "train", "slow", cj.progress_then_wait, params=params)
    _until(lambda: _starts(params))
    assert centre.jobs.cancel(me, job["id"])["status"] == "running"  # asked; the worker stops it
    done = centre.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "cancelled"
    assert "cancelled" in done["log"]


def test_cancel_stops_a_fanned_out_job_and_its_parts(
    centre: Platform, me: Principal, cluster: Any, tmp_path: Path
) -> None:
    params = _params(tmp_path, n=6)
    job = centre.jobs.submit(me, "train", "parts", cj.waiting_parts, params=params)
    _until(lambda: len(_starts(params)) >= 2)  # both workers run a part
    centre.jobs.cancel(me, job["id"])
    done = centre.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "cancelled", done["log"]
    # Running parts saw the cancel and parts not started were dropped: none is left on the
    # cluster (without the cancel they would wait for "go" for a minute).
    _until(lambda: not cluster.run_on_scheduler(_parts_left))


def _parts_left(dask_scheduler: Any = None) -> list[str]:
    return [str(k) for k, t in dask_scheduler.tasks.items() if "-part-" in str(k)
            and t.state in ("processing", "queued", "waiting", "no-worker")]  # fmt: skip


def test_a_queued_job_is_cancelled_at_once(centre: Platform, me: Principal, tmp_path: Path) -> None:
    # Two hanging jobs fill both workers; the third waits on the scheduler.
    params = [_params(tmp_path / str(i)) for i in range(3)]
    for p in params:
        Path(p["dir"]).mkdir(parents=True, exist_ok=True)
    jobs = [
        centre.jobs.submit(me, "train", "wait", cj.progress_then_wait, params=p) for p in params
    ]
    _until(lambda: sum(bool(_starts(p)) for p in params) == 2)
    waiting = next(j for j, p in zip(jobs, params, strict=True) if not _starts(p))
    assert centre.jobs.cancel(me, waiting["id"])["status"] == "cancelled"
    for p in params:
        (Path(p["dir"]) / "go").touch()
    for j in jobs:
        end = centre.jobs.wait(me, j["id"], timeout=T)
        assert end["status"] == ("cancelled" if j["id"] == waiting["id"] else "done")
    assert not _starts(params[[j["id"] for j in jobs].index(waiting["id"])])  # never ran


# -- lost workers, restarts, what runs where ---------------------------------------------------------


def test_a_worker_killed_mid_job_fails_the_job_with_the_reason_and_never_reruns_it(
    centre: Platform, me: Principal, cluster: Any, tmp_path: Path
) -> None:
    params = _params(tmp_path)
    job = centre.jobs.submit(me, "train", "doomed", cj.hang, params=params)
    (pid,) = _until(lambda: _starts(params))
    assert pid in _worker_pids(cluster).values()
    os.kill(pid, signal.SIGKILL)
    done = centre.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "failed" and done["error"] == LOST
    assert LOST in done["log"]
    assert error_texts(done, "ko")[0].startswith("작업을 실행하던 작업자")
    assert error_texts(done, "en")[0].startswith("The job was interrupted because the worker")
    # Dask ran the task again on another worker, which failed the job instead of running it.
    time.sleep(1.0)
    assert _starts(params) == [pid]
    (Path(params["dir"]) / "go").touch()
    cluster.wait_for_workers(2, timeout=T)  # the nanny restarted the killed worker


def test_a_restarted_server_leaves_jobs_on_the_cluster_running(
    tmp_path: Path, cluster: Any
) -> None:
    params = _params(tmp_path)
    with fresh_database("okjm") as meta_url, fresh_database("okjt") as ts_url:
        values = dict(metadata_url=meta_url, timeseries_url=ts_url,
                      jobs_scheduler=cluster.scheduler.address, jobs_progress_interval_s=0.1,
                      **FAST)  # fmt: skip
        first = Platform.at(tmp_path / "data", **values)
        me = first.principal()
        job = first.jobs.submit(me, "train", "long", cj.progress_then_wait, params=params)
        _until(lambda: _starts(params))
        first.close()  # the server stops; the job goes on
        again = Platform.at(tmp_path / "data", **values)
        try:
            assert again.jobs.get(me, job["id"])["status"] == "running"  # not "interrupted"
            (Path(params["dir"]) / "go").touch()
            done = again.jobs.wait(me, job["id"], timeout=T)
            assert done["status"] == "done", done["log"]
        finally:
            again.close()
            cluster.run(close_platforms)


def test_a_closure_runs_in_the_server_process(centre: Platform, me: Principal) -> None:
    job = centre.jobs.submit(me, "import", "here", lambda ctx: {"pid": os.getpid()})
    done = centre.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "done" and done["result"]["pid"] == os.getpid()
    assert "runs in this server process" in done["log"]


# -- configurations that cannot work -----------------------------------------------------------------


def test_embedded_time_series_are_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        Platform.at(tmp_path / "data", jobs_scheduler="tcp://127.0.0.1:8786", **FAST)
    assert err.value.code == "jobs.dask_embedded_timeseries"
    ko, ko_hint = error_text(err.value, "ko")
    en, en_hint = error_text(err.value, "en")
    assert "DuckDB" in ko and "시계열" in ko and ko_hint and "OPENKAMP_TIMESERIES_URL" in ko_hint
    assert "one process only" in en and en_hint and "OPENKAMP_JOBS_SCHEDULER" in en_hint
    assert not (tmp_path / "data").exists()  # refused before anything was opened or made


def test_a_bad_scheduler_address_and_memory_metadata_are_refused(tmp_path: Path) -> None:
    ts = "postgresql+psycopg://u@h/db"
    with pytest.raises(ConfigError) as err:
        Platform.at(tmp_path / "d", timeseries_url=ts, jobs_scheduler="scheduler:8786", **FAST)
    assert err.value.code == "jobs.dask_address"
    with pytest.raises(ConfigError) as err:
        Platform.at(tmp_path / "d", timeseries_url=ts, metadata_url="sqlite://",
                    jobs_scheduler="tcp://h:8786", **FAST)  # fmt: skip
    assert err.value.code == "jobs.dask_memory_metadata"
    assert error_text(err.value, "ko")[0] != error_text(err.value, "en")[0]


def test_a_scheduler_that_does_not_answer_fails_the_job_with_the_reason(tmp_path: Path) -> None:
    server_or_skip()
    if "postgresql" not in schemes("timeseries"):
        pytest.skip("no PostgreSQL time-series backend registered")
    with fresh_database("okjt") as ts_url:
        kamp = Platform.at(tmp_path / "data", timeseries_url=ts_url, **FAST,
                           jobs_scheduler="tcp://127.0.0.1:9", jobs_scheduler_timeout_s=1.0)  # fmt: skip
        try:
            me = kamp.principal()
            job = kamp.jobs.submit(me, "train", "x", cj.progress_then_wait, params={"dir": "."})
            assert job["status"] == "failed"
            assert job["result"]["error"]["code"] == "jobs.dask_unreachable"
            assert (
                error_texts(job, "ko")[0]
                == "tcp://127.0.0.1:9의 Dask 스케줄러가 응답하지 않습니다."
            )
        finally:
            kamp.close()


def test_a_worker_refuses_a_sqlite_file_on_another_host_and_a_folder_it_does_not_see(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", timeseries_url="postgresql://h/db", **FAST)
    (tmp_path / "data" / "files").mkdir(parents=True)
    inst = Installation.of(settings, Platform.for_worker)
    inst.check_worker()  # this host sees everything
    elsewhere = Installation(inst.values, inst.opener, "another-host", inst.tag)
    with pytest.raises(ConfigError) as err:
        elsewhere.check_worker()
    assert err.value.code == "jobs.dask_sqlite_elsewhere"
    moved = Installation({**inst.values, "files_url": f"file://{tmp_path / 'nfs'}"},
                         inst.opener, inst.host, inst.tag)  # fmt: skip
    with pytest.raises(ConfigError) as err:
        moved.check_worker()
    assert err.value.code == "jobs.dask_worker_folder"
    assert "nfs" in error_text(err.value, "ko")[0]


def test_the_executor_is_chosen_by_the_setting(tmp_path: Path) -> None:
    kamp = Platform.at(tmp_path / "data", **FAST)
    try:
        assert not kamp.jobs.executor.remote
    finally:
        kamp.close()
    settings = Settings(data_dir=tmp_path / "d2", timeseries_url="postgresql://h/db",
                        jobs_scheduler="tcp://10.0.0.5:8786", **FAST)  # fmt: skip
    executor = DaskExecutor.from_settings(settings, Platform.for_worker)
    assert executor.remote and executor.address == "tcp://10.0.0.5:8786"
    assert executor.installation.values["metadata_url"].startswith("sqlite:///")
    executor.shutdown(0)
