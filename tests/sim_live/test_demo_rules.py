"""The live demo's default alert rules on the live simulator's own readings (issue 10's
acceptance: a fault injected in the simulator raises an alert; nothing fires in normal running).

The demo factory's four live machines run at the demo's sampling periods on a clock the test
moves, and their readings go to the platform's alert engine in 10 s batches, as the demo's
connections deliver them. Half an hour of normal running raises no alert; then each fault the
simulator can inject runs for ten minutes (with five normal minutes after it): each fault with a
default rule raises exactly one alert, from its rule, naming a signal the fault changes, and
nothing else fires. The documented exceptions (at most one alert): the stirrer's slip has no
rule (no limit tells it from the batch's other phases), the pressure sensor's drift crosses its
level only while the press runs high, and the tank's temperature offset shows only while the
melt is near its set point (heating's end and the hold, about half of a batch cycle)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from openkamp.platform import Platform
from openkamp.sim import Factory
from openkamp.sim.live import LiveFactory
from openkamp.sim.live.demo import LIVE_MACHINES, PERIODS
from openkamp.sim.live.demo_rules import DEMO_RULES, ensure_demo_rules, rules_for

ORIGIN = pd.Timestamp("2026-03-02 09:00:00", tz="Asia/Seoul")
FAST = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}
#: Faults that may raise no alert (see the module's doc).
MAY_MISS = {("tank01", "stirrer_slip"), ("press01", "sensor_drift"), ("tank01", "temp_offset")}


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root: Path = tmp_path_factory.mktemp("demo_rules")
    kamp = Platform.at(root / "data", **FAST)
    me = kamp.principal()
    kamp.assets.apply_tree(me, [Factory(seed=42).asset_model()])
    clock = Clock(ORIGIN.timestamp())
    live = LiveFactory(seed=42, periods=PERIODS, clock=clock, start=ORIGIN)
    paths = {m: str(live.paths[m]) for m in LIVE_MACHINES}
    created = ensure_demo_rules(kamp, paths)
    ids = {}
    for m in LIVE_MACHINES:
        node = kamp.assets.resolve(me, paths[m])
        ids.update({(m, s.name): s.id for s in kamp.assets.list_signals(me, node.id)})
    yield {"kamp": kamp, "live": live, "clock": clock, "ids": ids, "created": created,
           "paths": paths}  # fmt: skip
    kamp.close()


def test_the_rules_are_created_once(world: dict[str, Any]) -> None:
    kamp = world["kamp"]
    assert len(world["created"]) == len(DEMO_RULES)
    assert ensure_demo_rules(kamp, world["paths"]) == []  # a second run adds nothing
    rules = kamp.alert_rules.list(kamp.principal())
    assert sorted(r["name"] for r in rules) == sorted(r.name for r in DEMO_RULES)
    # every fault of every live machine but the stirrer's slip has a rule that watches it
    live = world["live"]
    unwatched = {(m, f) for m in LIVE_MACHINES for f in live.faults(m) if not rules_for(m, f)}
    assert unwatched == {("tank01", "stirrer_slip")}


def test_faults_raise_one_alert_each_and_normal_running_none(world: dict[str, Any]) -> None:
    kamp, live, clock, ids = world["kamp"], world["live"], world["clock"], world["ids"]
    me, org = kamp.principal(), kamp.default_org_id
    engine = kamp.alert_engine
    engine.reload()
    t = 0.0

    def run(seconds: float) -> None:
        nonlocal t
        end = t + seconds
        while t < end:
            t = min(end, t + 10.0)
            clock.t = ORIGIN.timestamp() + t
            parts = [
                pd.DataFrame({"signal_id": ids[(tick.equipment, name)],
                              "ts": pd.to_datetime(tick.ts_ms, unit="ms", utc=True),
                              "value": values.astype(np.float64)})
                for tick in live.step(t) if tick.equipment in LIVE_MACHINES
                for name, values in tick.signals.items()
            ]  # fmt: skip
            if parts:
                frame = pd.concat(parts, ignore_index=True)
                frame["ts"] = frame["ts"].astype("datetime64[us, UTC]")
                engine.process(org, pa.Table.from_pandas(frame, preserve_index=False))

    def new() -> list[dict[str, Any]]:
        got = [a for a in kamp.alerts.list(me, history=True, limit=1000) if a["id"] not in seen]
        seen.update(a["id"] for a in got)
        return got

    seen: set[int] = set()
    run(1800)
    assert new() == []  # half an hour of normal running: nothing
    for m in LIVE_MACHINES:
        for fault, spec in live.faults(m).items():
            live.inject(m, fault, 600)
            run(600 + 300)
            got = new()
            expected = {r.name for r in rules_for(m, fault)}
            if (m, fault) in MAY_MISS:
                assert len(got) <= 1, (m, fault, [a["title"] for a in got])
            else:
                assert len(got) == 1, (m, fault, [a["title"] for a in got])
            for alert in got:
                assert alert["detail"]["params"]["rule"] in expected, (m, fault, alert["title"])
                assert set(alert["detail"]["signals"]) <= set(spec.signals), alert["detail"]
    assert engine.stats()["errors"] == 0
