"""An injected simulator fault raises exactly one alert with the right signals (issue 10).

The live demo factory (its own physics, on a clock the test moves) runs its hydraulic press at
2 s sampling. Three hours of normal work are stored and a production anomaly model learns them
(no rule: the model's own alarm alerts). Then the live readings go through the platform's live
path (the sink, its durable write, the alert engine's worker) while a bearing fault is injected
for ten minutes: exactly one alert covers the fault, from its first reading, naming a signal the
fault changes, and the half hour before and the hour after it raise nothing (fixed seeds)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.sim import Factory, demo_lines
from openkamp.sim.live import LiveFactory

ORIGIN = pd.Timestamp("2026-03-02 09:00:00", tz="Asia/Seoul")
PRESS = "press01"
LEARN_S = 3 * 3600


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def to_points(ticks: list[Any], ids: dict[tuple[str, str], int]) -> pa.Table:
    parts = []
    for tick in ticks:
        ts = pd.to_datetime(tick.ts_ms, unit="ms", utc=True).as_unit("us")
        for name, values in tick.signals.items():
            sid = ids.get((tick.equipment, name))
            if sid is None:
                continue
            parts.append(pd.DataFrame({"signal_id": sid, "ts": ts, "value": values}))
    frame = pd.concat(parts, ignore_index=True)
    frame["value"] = frame["value"].astype(np.float64)
    return pa.Table.from_pandas(frame, preserve_index=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root: Path = tmp_path_factory.mktemp("fault")
    factory = Factory(seed=7, lines=demo_lines(1, {"hydraulic_press": 2.0}))
    clock = Clock(ORIGIN.timestamp())
    live = LiveFactory(factory, start=ORIGIN, clock=clock)
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    me = kamp.principal()
    kamp.assets.apply_tree(me, [factory.asset_model()])
    path = str(live.paths[PRESS])
    ids = {(PRESS, s.name): s.id for s in kamp.assets.list_signals(me)
           if kamp.assets.path_of(me, s.equipment_id) == path}  # fmt: skip
    kamp.ts.write(me.org_id, to_points([t for t in live.step(LEARN_S) if t.equipment == PRESS],
                                       ids))  # fmt: skip
    spec = TrainSpec(task="anomaly", name="press_watch", equipment=path, time_budget_s=3,
                     options={"detector": "pca"})  # fmt: skip
    result = kamp.ml.train(me, spec)
    kamp.models.set_stage(me, "press_watch", result.version.version, "production")
    yield {"kamp": kamp, "live": live, "ids": ids, "clock": clock}
    kamp.close()


def test_an_injected_fault_raises_exactly_one_alert_naming_its_signals(world: Any) -> None:
    kamp, live, ids = world["kamp"], world["live"], world["ids"]
    me = kamp.principal()
    fault_start = LEARN_S + 1800
    sink = kamp.live.sink
    t = float(LEARN_S)

    def run_until(end: float) -> None:
        nonlocal t
        while t < end:  # a minute of readings per write, as a connector would batch them
            t = min(end, t + 60)
            ticks = [x for x in live.step(t) if x.equipment == PRESS]
            if ticks:
                sink.write(kamp.default_org_id, to_points(ticks, ids))

    run_until(fault_start)
    world["clock"].t = ORIGIN.timestamp() + fault_start  # "now" for the injection
    injection = live.inject(PRESS, "bearing_wear", 600)
    run_until(fault_start + 600 + 3600)
    spec = live.faults(PRESS)["bearing_wear"]
    deadline = time.monotonic() + 60
    while kamp.alert_engine.stats()["queued"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kamp.alert_engine.flush(60)
    time.sleep(0.2)  # the last batch's listener call comes after the write returned
    assert kamp.alert_engine.flush(60)

    origin = ORIGIN.tz_convert("UTC").to_pydatetime()
    lo = origin + timedelta(seconds=injection.start_s)
    hi = origin + timedelta(seconds=injection.end_s)
    found = [a for a in kamp.alerts.list(me, history=True, limit=1000) if a["source"] == "model"]
    during = [a for a in found if a["first_at"] <= hi and a["last_at"] >= lo]
    assert len(during) == 1, [(a["first_at"], a["last_at"], a["detail"]["signals"]) for a in found]
    alert = during[0]
    assert alert["detail"]["signals"], alert["detail"]
    assert alert["detail"]["signals"][0] in spec.signals
    assert alert["first_at"] == lo  # raised by the fault's first reading
    assert alert["count"] >= 280  # nearly all of its 300 readings alarmed, in one episode
    assert len(found) == 1  # and nothing in the 1.5 h of normal work around it
    assert alert["rule_id"] is None and alert["model_id"] is not None
    assert kamp.alert_engine.stats()["errors"] == 0
