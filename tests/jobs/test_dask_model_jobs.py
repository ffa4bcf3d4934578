"""The API's and the pages' model jobs on a real Dask cluster: a ``LocalCluster`` of two worker
processes (one thread each), the installation on PostgreSQL (metadata and time series) with its
data folder seen by every worker.

Training through ``POST /models/train``, scoring a period (in time partitions too) and a file
through the API, and scoring on the web page run on the workers, and answer what the same
requests answer in the server's own process. A fleet job's part whose worker is killed after it
registered its model is run again by Dask, and the model is registered once.
"""

from __future__ import annotations

import io
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.jobs.dask import close_platforms
from openkamp.ml.jobs import spec_params
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.storage.testing.postgres import fresh_database
from openkamp.storage.timeseries.base import TS_TYPE

from . import cluster_model_jobs as cm
from .test_dask import FAST, T, _until, _worker_pids

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 2, tzinfo=UTC)
ROWS = 2400  # 40 minutes of 1 s readings per press
SIGNALS = ["pressure", "oil_temp", "current"]
ADMIN, PASSWORD = "kim", "dask model jobs 2026"
TRAIN = {"task": "anomaly", "name": "watch", "equipment": "plant1/line1/press00",
         "start": T0.isoformat(), "end": (T0 + timedelta(minutes=30)).isoformat(),
         "time_budget_s": 2}  # fmt: skip
PERIOD = {"start": T0.isoformat(), "end": (T0 + timedelta(seconds=ROWS)).isoformat()}


def _presses(kamp: Platform, n: int = 2) -> list[str]:
    """``n`` presses with :data:`ROWS` readings of three signals each (the same numbers in every
    installation: a fixed seed), a stretch of high pressure near the end of each."""
    me = kamp.principal()
    presses = [EquipmentSpec(f"press{i:02d}", equipment_type="press",
                             signals=[SignalSpec(s) for s in SIGNALS]) for i in range(n)]  # fmt: skip
    kamp.assets.apply_tree(me, [SiteSpec("plant1", lines=[LineSpec("line1", equipment=presses)])])
    rng = np.random.default_rng(11)
    stamps = pa.array([T0 + timedelta(seconds=i) for i in range(ROWS)], TS_TYPE)
    paths = [f"plant1/line1/press{i:02d}" for i in range(n)]
    for path in paths:
        for sig in kamp.query.signals(me, [f"{path}/{s}" for s in SIGNALS]):
            values = rng.normal(50, 5, ROWS)
            values[2200:2260] += 40 if sig.name == "pressure" else 0
            kamp.ts.write(me.org_id, pa.table({"signal_id": np.full(ROWS, sig.id),
                                               "ts": stamps, "value": values}))  # fmt: skip
    return paths


def _api(kamp: Platform) -> TestClient:
    admin = kamp.accounts.create_first_admin(kamp.default_org_id, ADMIN, PASSWORD)
    token = kamp.accounts.create_token(kamp.accounts.principal_of(admin), "t", ["admin"])[1]
    client = TestClient(create_app(platform=kamp))
    client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory, cluster: Any) -> Iterator[Platform]:
    """A regional centre on PostgreSQL, its jobs on the cluster, two presses of data."""
    root = tmp_path_factory.mktemp("centre")
    with fresh_database("okmm") as meta_url, fresh_database("okmt") as ts_url:
        kamp = Platform.at(root / "data", metadata_url=meta_url, timeseries_url=ts_url,
                           jobs_scheduler=cluster.scheduler.address,
                           jobs_progress_interval_s=0.1, **FAST)  # fmt: skip
        try:
            _presses(kamp)
            yield kamp
        finally:
            kamp.close()
            cluster.run(close_platforms)  # before the databases go


@pytest.fixture(scope="module")
def here(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The same presses in a one-process installation (embedded stores, jobs in its own pool)."""
    kamp = Platform.at(tmp_path_factory.mktemp("here") / "data", **FAST)
    try:
        _presses(kamp)
        yield kamp
    finally:
        kamp.close()


@pytest.fixture(scope="module")
def apis(centre: Platform, here: Platform) -> Iterator[dict[str, TestClient]]:
    clients = {"centre": _api(centre), "here": _api(here)}
    with clients["centre"], clients["here"]:
        yield clients


def _job(kamp: Platform, started: Any) -> dict[str, Any]:
    assert started.status_code == 202, started.text
    done = kamp.jobs.wait(kamp.principal(), started.json()["job"]["id"], timeout=T)
    assert done["status"] == "done", done["log"]
    return done


def _on_worker(job: dict[str, Any], cluster: Any) -> bool:
    return any(f"Dask worker {a}" in job["log"] for a in _worker_pids(cluster))


def _shape(value: Any) -> Any:
    """The keys of a JSON value, and the kind of each value (null where it is null)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return None if value is None else type(value).__name__.replace("int", "float")


@pytest.fixture(scope="module")
def trained(
    centre: Platform, here: Platform, apis: dict[str, TestClient], cluster: Any
) -> dict[str, dict[str, Any]]:
    """The train route's job on the cluster and in one process (also the scoring tests' model,
    a model that looks back: a lag window, smoothing and an alarm filter)."""
    body = {**TRAIN, "description": "lags"}
    jobs = {}
    for where, kamp in (("centre", centre), ("here", here)):
        sent = apis[where].post("/api/v1/models/train", json=body)
        jobs[where] = _job(kamp, sent)
    return jobs


def test_the_train_route_trains_on_a_worker_and_answers_as_in_process(
    trained: dict[str, dict[str, Any]], centre: Platform, apis: dict[str, TestClient],
    cluster: Any,
) -> None:  # fmt: skip
    on_cluster, in_process = trained["centre"], trained["here"]
    assert _on_worker(on_cluster, cluster) and not _on_worker(in_process, cluster)
    assert on_cluster["progress"] == 1.0 and on_cluster["message"] == "register"
    got, want = on_cluster["result"], in_process["result"]
    assert _shape(got) == _shape(want)
    assert set(got) == {"model", "seconds"}
    # The same data and settings: the same model, registered in the centre's store.
    for key in ("name", "version", "task", "stage", "dataset_id", "schema_hash", "inputs"):
        assert got["model"][key] == want["model"][key], key
    assert got["model"]["metrics"].keys() == want["model"]["metrics"].keys()
    api = apis["centre"]
    listed = api.get("/api/v1/models/watch/versions/1").json()
    assert listed == got["model"]  # what the job answered is what the registry holds
    # The route's answer at once (?wait=true) has the job's result's shape.
    now = api.post("/api/v1/models/train", params={"wait": True},
                   json={**TRAIN, "name": "watch_now"}).json()  # fmt: skip
    assert _shape(now) == _shape(got)


def _download(api: TestClient, result: dict[str, Any]) -> pd.DataFrame:
    csv = api.get(result["download"])
    assert csv.status_code == 200
    return pd.read_csv(io.StringIO(csv.content.decode("utf-8-sig")))


def test_a_period_scores_on_the_workers_in_time_partitions_as_in_one_run(
    trained: dict[str, Any], centre: Platform, apis: dict[str, TestClient], cluster: Any
) -> None:
    api = apis["centre"]
    url = "/api/v1/models/watch/score"
    jobs = {
        n: _job(centre, api.post(url, params={"wait": False},
                                 json={**PERIOD, "limit": 300, "partitions": n}))
        for n in (1, 3)
    }  # fmt: skip
    now = api.post(url, json={**PERIOD, "limit": 300})
    assert now.status_code == 200
    one, three = jobs[1], jobs[3]
    assert _on_worker(one, cluster) and _on_worker(three, cluster)
    assert "3 time partitions" in three["log"]
    workers = {w for w in _worker_pids(cluster) if f"({w})" in three["log"]}
    assert workers, three["log"]  # the partitions ran as Dask tasks
    for key in ("rows", "total", "truncated", "summary"):
        assert three["result"][key] == one["result"][key] == now.json()[key], key
    assert one["result"]["total"] == ROWS and one["result"]["truncated"]
    assert one["result"]["summary"]["alarms"] > 0
    pd.testing.assert_frame_equal(_download(api, three["result"]), _download(api, one["result"]))


def test_a_file_scores_on_a_worker_as_in_the_server(
    trained: dict[str, Any], centre: Platform, apis: dict[str, TestClient], cluster: Any
) -> None:
    api = apis["centre"]
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"time": pd.date_range(T0, periods=400, freq="s").strftime("%Y-%m-%d %H:%M:%S"),
                          **{s: rng.normal(50, 5, 400).round(3) for s in SIGNALS}})  # fmt: skip
    body = frame.to_csv(index=False).encode()

    def score(wait: bool) -> Any:
        return api.post("/api/v1/models/watch/score-file", data={"wait": wait, "limit": 50},
                        files={"file": ("shots.csv", body, "text/csv")})  # fmt: skip

    job = _job(centre, score(False))
    now = score(True)
    assert now.status_code == 200, now.text
    assert _on_worker(job, cluster)
    got, want = job["result"], now.json()
    assert {k: v for k, v in got.items() if k != "download"} == {
        k: v for k, v in want.items() if k != "download"
    }
    assert got["total"] == 400 and len(got["rows"]) == 50
    pd.testing.assert_frame_equal(_download(api, got), _download(api, want))


def test_the_scoring_page_scores_on_a_worker(
    trained: dict[str, Any], centre: Platform, cluster: Any
) -> None:
    from tests.web.flows_support import log_in

    with TestClient(create_app(platform=centre), follow_redirects=False) as client:
        csrf = log_in(client, ADMIN, PASSWORD)
        sent = client.post("/models/watch/1/score", data={"csrf_token": csrf,
                           "start": "2026-03-02", "end": "2026-03-02"})  # fmt: skip
        assert sent.status_code == 303, sent.text
        job_id = int(sent.headers["location"].rsplit("/", 1)[1])
        job = centre.jobs.wait(centre.principal(), job_id, timeout=T)
        assert job["status"] == "done", job["log"]
        assert _on_worker(job, cluster) and job["result"]["rows"] == ROWS
        page = client.get(job["result"]["next"])
        assert page.status_code == 200 and f"{ROWS:,}" in page.text


def test_a_rerun_part_registers_its_model_once(
    centre: Platform, cluster: Any, tmp_path: Path
) -> None:
    """A fleet job's part registers its machine's model, then its worker is killed: Dask runs
    the part again on the other worker, which finds the model the first run registered."""
    me = centre.principal()
    folder = tmp_path / "meet"
    folder.mkdir()
    spec = TrainSpec(task="anomaly", name="watch", start=T0, end=T0 + timedelta(minutes=30),
                     time_budget_s=1.0, options={"detector": "pca"})  # fmt: skip
    machines = ["plant1/line1/press00", "plant1/line1/press01"]
    params = {"dir": str(folder), "machines": machines,
              "spec": {**spec_params(spec), "equipment": ""}}  # fmt: skip
    job = centre.jobs.submit(me, "train", "fleet", cm.fleet_that_waits, params=params)

    def registered() -> list[list[str]]:
        path = folder / "registered"
        return [line.split() for line in path.read_text().splitlines()] if path.exists() else []

    parent = _until(lambda: (folder / "parent").exists() and (folder / "parent").read_text())
    # Two parts, two workers: one part runs beside the job's task (whose worker it would end
    # with it), the other on the other worker, whose death only the part sees.
    pid, model, version = _until(lambda: [r for r in registered() if r[0] != parent])[0]
    assert version == "1"
    os.kill(int(pid), signal.SIGKILL)
    (folder / "go").touch()  # the part beside the job's task may end
    done = centre.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "done", done["log"]
    runs = [r for r in registered() if r[1] == model]
    assert len(runs) == 2 and runs[1][0] != pid  # run again, by another worker
    assert [v.version for v in centre.models.list(me, model)] == [1]
    assert {m["name"]: m["version"] for m in done["result"]["models"]} == {
        "watch-press00": 1, "watch-press01": 1}  # fmt: skip
    assert "version 1 was registered by an earlier run of this part" in done["log"]
    cluster.wait_for_workers(2, timeout=T)  # the nanny restarted the killed worker
