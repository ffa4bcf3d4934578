"""Jobs on Dask (issue 12): 20 models on a LocalCluster of 2 workers versus one after another in
one process, in the same run.

    python bench/scale_dask.py                      # 20 presses, 24 h of data each, 2 workers
    python bench/scale_dask.py --models 8 --hours 6 --json

The installation is a regional centre's, on the PostgreSQL test server (``OPENKAMP_TEST_PG`` or
the local socket, as the tests find it): metadata and time series in fresh databases, files in a
temporary folder. ``--models`` presses of three signals get ``--hours`` of 1 s readings each.

The work is one fan-out job, ``openkamp.ml.jobs.train_fleet``: one anomaly model per press, the
same spec for each (a fixed detector, so the same data gives the same model), submitted and
waited for through ``JobService``:

* **sequential**: no scheduler; the job runs in the server's thread pool and its parts (the
  presses) one after another in its thread (after a one-press job, so imports and first-use
  costs are paid before the timing, as on the warmed cluster);
* **dask**: ``jobs_scheduler`` names a ``LocalCluster(n_workers=--workers, threads_per_worker=1,
  processes=True)``; the job goes to a worker and each press is a Dask task of its own. The
  cluster is warmed first by a one-press job (each worker process opens the installation once; a
  centre's long-lived workers have done that already): the cold run's time is reported beside.

``dask_speedup_20_models`` = sequential seconds / dask seconds (submit to done, as a user waits),
both with one BLAS / OpenMP thread per process (Dask's nanny gives its workers one,
``distributed.nanny.pre-spawn-environ``); ``dask_speedup_vs_default_blas`` compares with the
in-process run as the server makes it, a BLAS thread per core (on a loaded machine those threads
oversubscribe the cores and the in-process run is much slower). Each in-process run is made
before and after the Dask run and the two are averaged (other load on the machine drifts); the
1-minute load average is recorded before, between and after the runs.
Both runs must have trained every press, with the same metrics press by press. The figure is
bounded by the cores the machine gives the workers (this script's host: ``os.cpu_count()``, and
whatever else runs there): ``dask_train_s_per_model`` against ``sequential_train_s_per_model``
says how much each model slowed down beside the others, ``dask_worker_busy_share`` how much of
the workers' time went to training at all (the rest is the cluster's own cost).

Measured (2026-12, defaults: 20 presses, 24 h each, 5.18 M points) on a 2-core machine shared
with other work, 1-minute load average 4.1 to 7.4 during the run: sequential 43.6 s (one BLAS
thread; 42.3 and 44.9), 90.0 s with a BLAS thread per core; Dask 68.0 s, so
``dask_speedup_20_models`` 0.64 (1.32 against the default threads); busy share 0.96, and a model
took 6.53 s on a worker against 2.10 s alone. The cluster's overhead is a few per cent; the
machine had no idle core to give the second worker, so this figure says nothing yet about
scaling: rerun it on an idle machine with at least 4 cores. With 6 h per press (``--hours 6``,
load 3.7 to 5.4): 11.8 s against 12.3 s (0.96), busy share about 0.97.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, print_table
from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.ml.jobs import FleetSpec, submit_fleet
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.storage.testing.postgres import fresh_database
from openkamp.storage.timeseries.base import TS_TYPE

T0 = datetime(2026, 3, 2, tzinfo=UTC)
SIGNALS = ("pressure", "oil_temp", "current")
FAST = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


def load(kamp: Platform, models: int, hours: float) -> None:
    """``models`` presses with ``hours`` of 1 s readings of three signals each."""
    me = kamp.principal()
    presses = [
        EquipmentSpec(f"press{i:02d}", equipment_type="press",
                      signals=[SignalSpec(s) for s in SIGNALS])
        for i in range(models)
    ]  # fmt: skip
    kamp.assets.apply_tree(me, [SiteSpec("plant1", lines=[LineSpec("line1", equipment=presses)])])
    rows = int(hours * 3600)
    stamps = pa.array([T0 + timedelta(seconds=i) for i in range(rows)], TS_TYPE)
    rng = np.random.default_rng(11)
    for i in range(models):
        refs = [f"plant1/line1/press{i:02d}/{s}" for s in SIGNALS]
        for sig in kamp.query.signals(me, refs):
            values = rng.normal(50, 5, rows) + np.sin(np.arange(rows) / 300.0)
            table = pa.table({"signal_id": np.full(rows, sig.id), "ts": stamps, "value": values})
            kamp.ts.write(me.org_id, table)


def fleet(name: str, hours: float, machines: list[str] | None = None) -> FleetSpec:
    spec = TrainSpec(task="anomaly", name=name, start=T0, end=T0 + timedelta(hours=hours),
                     time_budget_s=30.0, options={"detector": "pca", "lags": 3, "smoothing": 5})  # fmt: skip
    if machines:
        return FleetSpec(spec, equipment=machines)
    return FleetSpec(spec, under="plant1/line1", equipment_type="press")


def train(
    kamp: Platform, spec: FleetSpec, blas_threads: int | None = 1
) -> tuple[float, dict[str, Any]]:
    """Submit the fleet job and wait for it: (seconds, result). ``blas_threads``: BLAS / OpenMP
    threads of this process meanwhile (None: the library's default, one per core)."""
    from threadpoolctl import threadpool_limits

    me = kamp.principal()
    t0 = time.perf_counter()
    with threadpool_limits(limits=blas_threads):
        job = submit_fleet(kamp, me, spec)
        done = kamp.jobs.wait(me, job["id"], timeout=3600)
    seconds = time.perf_counter() - t0
    if done["status"] != "done":
        raise SystemExit(f"the {spec.spec.name} job ended {done['status']}: {done['log'][-2000:]}")
    return seconds, done["result"]


def sequential(tmp: Path, stores: dict[str, Any], hours: float, tag: str) -> dict[str, Any]:
    """The in-process runs: one BLAS thread (as a Dask worker has) and the default."""
    kamp = Platform.at(tmp / "data", **stores)
    try:
        one_s, result = train(kamp, fleet(f"seq1{tag}", hours), 1)
        default_s, _ = train(kamp, fleet(f"seqd{tag}", hours), None)
    finally:
        kamp.close()
    return {"one_s": one_s, "default_s": default_s, "result": result}


def _mean_train_s(result: dict[str, Any]) -> float:
    return round(sum(m["seconds"] for m in result["models"]) / len(result["models"]), 3)


def run(models: int = 20, hours: float = 24.0, workers: int = 2) -> dict[str, Any]:
    """Every run on one installation; the figures as a dict (for bench/scale.py too)."""
    from distributed import LocalCluster

    loads = [os.getloadavg()[0]]
    tmp = Path(tempfile.mkdtemp(prefix="okbench-dask-"))
    try:
        with fresh_database("okbm") as meta_url, fresh_database("okbt") as ts_url:
            stores = {"metadata_url": meta_url, "timeseries_url": ts_url, **FAST}
            kamp = Platform.at(tmp / "data", **stores)
            try:
                t0 = time.perf_counter()
                load(kamp, models, hours)
                load_s = time.perf_counter() - t0
                # Warm as the cluster is (imports, first model): only steady work is compared.
                train(kamp, fleet("seqwarm", hours, ["plant1/line1/press00"]))
            finally:
                kamp.close()
            before = sequential(tmp, stores, hours, "a")
            loads.append(os.getloadavg()[0])
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster:  # fmt: skip
                kamp = Platform.at(tmp / "data", jobs_scheduler=cluster.scheduler_address,
                                   **stores)  # fmt: skip
                try:
                    cold_s, _ = train(kamp, fleet("warm", hours, ["plant1/line1/press00"]))
                    dask_s, dsk = train(kamp, fleet("dask", hours))
                finally:
                    kamp.close()
            loads.append(os.getloadavg()[0])
            # Again after the cluster: the machine's other load drifts during a run.
            after = sequential(tmp, stores, hours, "b")
            loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    by_machine = {m["equipment"]: m["metrics"] for m in before["result"]["models"]}
    same = len(by_machine) == len(dsk["models"]) == models and all(
        by_machine.get(m["equipment"]) == m["metrics"] for m in dsk["models"]
    )
    one = (before["one_s"] + after["one_s"]) / 2
    default = (before["default_s"] + after["default_s"]) / 2
    return {
        "models": models,
        "hours_per_model": hours,
        "points": models * len(SIGNALS) * int(hours * 3600),
        "dask_workers": workers,
        "load_s": round(load_s, 2),
        "sequential_s": round(one, 2),
        "sequential_runs_s": [round(before["one_s"], 2), round(after["one_s"], 2)],
        "sequential_default_blas_s": round(default, 2),
        "sequential_default_blas_runs_s": [
            round(before["default_s"], 2),
            round(after["default_s"], 2),
        ],
        "dask_s": round(dask_s, 2),
        "dask_cold_one_model_s": round(cold_s, 2),
        "dask_speedup_20_models": round(one / dask_s, 2),
        "dask_speedup_vs_default_blas": round(default / dask_s, 2),
        "dask_workers_used": len(dsk["workers"]),
        # Seconds ml.train took per model, inside the parts: how much the parts themselves slowed
        # down side by side (contention for cores and the database) versus the cluster's overhead.
        "sequential_train_s_per_model": _mean_train_s(before["result"]),
        "dask_train_s_per_model": _mean_train_s(dsk),
        # Share of the workers' wall time spent inside ml.train: near 1, the cluster's own cost
        # (scheduling, shipping, the job's waiting) is small and the parts got what cores there were.
        "dask_worker_busy_share": round(
            _mean_train_s(dsk) * len(dsk["models"]) / (workers * dask_s), 3
        ),
        "same_models": same,
        "load_average_1min": [round(x, 2) for x in loads],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=int, default=20, help="presses, one model each")
    ap.add_argument("--hours", type=float, default=24.0, help="hours of 1 s data per press")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes")
    ap.add_argument("--json", action="store_true", help="print one JSON line last")
    args = ap.parse_args()
    out = run(args.models, args.hours, args.workers)
    print_table(
        f"{args.models} models, {args.hours:g} h of 1 s data each ({os.cpu_count()} cpus)",
        [
            ("sequential, one process, 1 BLAS thread", f"{out['sequential_s']:.2f}"),
            (
                "sequential, one process, default BLAS threads",
                f"{out['sequential_default_blas_s']:.2f}",
            ),
            (f"Dask LocalCluster, {args.workers} workers", f"{out['dask_s']:.2f}"),
            ("speed-up (1 BLAS thread each)", f"{out['dask_speedup_20_models']:.2f}x"),
            ("speed-up (vs default BLAS threads)", f"{out['dask_speedup_vs_default_blas']:.2f}x"),
            ("Dask, first job on fresh workers (1 model)", f"{out['dask_cold_one_model_s']:.2f}"),
        ],
        ("run", "seconds"),
    )
    if not out["same_models"]:
        print("WARNING: the two runs' models differ", file=sys.stderr)
    emit_json(args.json, {**out, "machine": machine()})


if __name__ == "__main__":
    main()
