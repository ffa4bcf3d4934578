"""Fan-out in the in-process pool (no cluster): ``ctx.map`` runs the parts one after another in
the job's thread, and the fleet job trains one model per machine on embedded storage."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.core.tenancy import Principal
from openkamp.jobs import JobContext, portable
from openkamp.jobs.fanout import Part
from openkamp.ml.jobs import FleetSpec, model_names, spec_of, spec_params, submit_fleet
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.storage.timeseries.base import TS_TYPE

T = 30.0
T0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_parts_run_in_order_with_their_errors_logs_and_progress(
    kamp: Platform, me: Principal
) -> None:
    seen: list[int] = []

    def part(p: Part, x: int) -> int:
        assert p.platform is kamp and p.principal == me
        seen.append(x)
        p.log(f"x={x}")
        if x == 2:
            raise ValueError("two")
        return x * 10

    def job(ctx: JobContext) -> dict[str, Any]:
        out = ctx.map(part, [0, 1, 2, 3], label=lambda x: f"item{x}", span=(0.5, 1.0))
        return {"ok": [o.value for o in out if o.ok], "bad": [o.error for o in out if not o.ok]}

    rec = kamp.jobs.submit(me, "score", "parts", job)
    done = kamp.jobs.wait(me, rec["id"], timeout=T)
    assert done["status"] == "done"
    assert done["result"] == {"ok": [0, 10, 30], "bad": ["ValueError: two"]}
    assert seen == [0, 1, 2, 3]  # one after another
    assert "[item1] x=1" in done["log"] and "[item2] failed: ValueError: two" in done["log"]
    assert "4 parts" in done["log"]


def test_cancel_between_parts_stops_the_rest(kamp: Platform, me: Principal) -> None:
    first, go = threading.Event(), threading.Event()
    seen: list[int] = []

    def part(p: Part, x: int) -> int:
        seen.append(x)
        first.set()
        assert go.wait(T)
        return x

    def job(ctx: JobContext) -> None:
        ctx.map(part, list(range(5)))

    rec = kamp.jobs.submit(me, "score", "parts", job)
    assert first.wait(T)
    kamp.jobs.cancel(me, rec["id"])
    go.set()
    assert kamp.jobs.wait(me, rec["id"], timeout=T)["status"] == "cancelled"
    assert seen == [0]


def test_portable_marks_a_function_and_its_partials() -> None:
    import functools

    from openkamp.jobs.executor import is_portable

    @portable
    def fn(ctx: JobContext, extra: int = 0) -> None:
        return None

    assert is_portable(fn) and is_portable(functools.partial(fn, extra=1))
    assert not is_portable(lambda ctx: None)


def test_a_train_spec_survives_the_trip_through_job_parameters() -> None:
    spec = TrainSpec(task="optimise", name="x", equipment="a/b/c", target="y", controls=["u"],
                     bounds={"u": (1.0, 2.0)}, start=T0, end=T0 + timedelta(days=1))  # fmt: skip
    assert spec_of(spec_params(spec)) == spec


def test_models_of_machines_with_the_same_name_on_two_lines_are_told_apart() -> None:
    assert model_names("m", ["p/l1/a", "p/l1/b", "p/l2/a"]) == {
        "p/l1/a": "m-p.l1.a", "p/l1/b": "m-b", "p/l2/a": "m-p.l2.a"}  # fmt: skip


def test_one_model_per_machine_in_process(kamp: Platform, me: Principal) -> None:
    names = ["pressure", "current"]
    machines = [EquipmentSpec(f"m{i}", equipment_type="press" if i < 3 else "robot",
                              signals=[SignalSpec(s) for s in names]) for i in range(4)]  # fmt: skip
    kamp.assets.apply_tree(me, [SiteSpec("p", lines=[LineSpec("l", equipment=machines)])])
    rows = 1200
    stamps = pa.array([T0 + timedelta(seconds=i) for i in range(rows)], TS_TYPE)
    rng = np.random.default_rng(3)
    for i in range(4):
        for sig in kamp.query.signals(me, [f"p/l/m{i}/{s}" for s in names]):
            kamp.ts.write(me.org_id, pa.table({"signal_id": np.full(rows, sig.id), "ts": stamps,
                                               "value": rng.normal(size=rows)}))  # fmt: skip
    spec = TrainSpec(task="anomaly", name="watch", start=T0, end=T0 + timedelta(hours=1),
                     time_budget_s=1.0, options={"detector": "pca"})  # fmt: skip
    job = submit_fleet(kamp, me, FleetSpec(spec, under="p", equipment_type="press"))
    done = kamp.jobs.wait(me, job["id"], timeout=T)
    assert done["status"] == "done", done["log"]
    assert [m["name"] for m in done["result"]["models"]] == ["watch-m0", "watch-m1", "watch-m2"]
    assert done["result"]["failed"] == []
    for m in done["result"]["models"]:
        assert kamp.models.get(me, m["name"], m["version"]).metrics == m["metrics"]
    assert done["progress"] == 1.0
