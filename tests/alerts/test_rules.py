"""Live alert rules (issue 10, point 5): each kind on known data fires exactly once per episode,
with hysteresis, minimum duration and clearing; the explanation names the signals; a restart
continues an episode instead of raising it again; the live path reaches the engine.

Points go to the engine the way the live path hands them over (``AlertEngine.process`` with a
point table, or through ``Platform.live``'s sink and the engine's worker)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from openkamp.alerts.engine import AlertEngine
from openkamp.core.assets import SignalSpec
from openkamp.core.errors import InvalidInput, NotFound
from openkamp.platform import Platform

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FAST = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    with Platform.at(tmp_path / "data", **FAST) as k:
        yield k


def machine(kamp: Platform, name: str = "press", signals: tuple[str, ...] = ("temp",)) -> Any:
    me = kamp.principal()
    sites = kamp.assets.list_nodes(me, "site")
    site = sites[0] if sites else kamp.assets.create_node(me, "site", "p")
    lines = kamp.assets.list_nodes(me, "line")
    line = lines[0] if lines else kamp.assets.create_node(me, "line", "l", site.id)
    eq = kamp.assets.create_node(me, "equipment", name, line.id)
    ids = [kamp.assets.create_signal(me, eq.id, SignalSpec(s, min_value=0.0, max_value=100.0)).id
           for s in signals]  # fmt: skip
    return eq.id, ids


def points(signal_id: int, values: list[float], start: int = 0, step_s: float = 1.0) -> pa.Table:
    times = [T0 + timedelta(seconds=(start + i) * step_s) for i in range(len(values))]
    return pa.table(
        {
            "signal_id": pa.array([signal_id] * len(values), pa.int64()),
            "ts": pa.array(times, pa.timestamp("us", tz="UTC")),
            "value": pa.array(values, pa.float64()),
        }
    )


def engine(kamp: Platform) -> AlertEngine:
    return AlertEngine(kamp.meta, kamp.alerts, None, tick_s=3600)


def alerts(kamp: Platform, **where: Any) -> list[dict[str, Any]]:
    return kamp.alerts.list(kamp.principal(), history=True, limit=1000, **where)


def feed(e: AlertEngine, kamp: Platform, sid: int, values: list[float], *, chunk: int = 7) -> None:
    """``values`` one per second, handed over in chunks (episodes cross batch borders)."""
    for at in range(0, len(values), chunk):
        e.process(kamp.default_org_id, points(sid, values[at : at + chunk], start=at))


def test_limit_fires_once_per_episode_with_hysteresis_and_clears(kamp: Platform) -> None:
    me = kamp.principal()
    _, (sid,) = machine(kamp)
    rule = kamp.alert_rules.create(
        me, name="hot", kind="limit", signal_id=sid, severity="critical",
        config={"high": 80, "clear_high": 70},
    )  # fmt: skip
    e = engine(kamp)
    # normal, an episode (85, 90), between clear and fire levels (75: still the same episode),
    # back below the clear level (65: ends), a second episode (95), cleared again
    values = [50.0] * 10 + [85, 90, 75, 78, 85, 75] + [65.0] * 5 + [95.0, 96] + [60.0] * 5
    feed(e, kamp, sid, values)
    got = alerts(kamp, rule_id=rule["id"])
    assert len(got) == 2
    second, first = got  # the newest first
    assert first["source"] == "limit" and first["severity"] == "critical"
    assert first["first_at"] == T0 + timedelta(seconds=10)
    assert first["last_at"] == T0 + timedelta(seconds=14)  # the last reading above 80
    assert first["count"] == 3  # 85, 90, 85 were above; 75 and 78 only inside the band
    assert first["detail"]["active"] is False
    assert first["detail"]["cleared_at"] == (T0 + timedelta(seconds=16)).isoformat()
    assert first["detail"]["peak"] == 90
    assert first["detail"]["signals"] == ["temp"]
    assert second["first_at"] == T0 + timedelta(seconds=21)
    assert "temp" in first["title"] and "80" in first["title"]


def test_limit_from_the_signals_declared_limits_and_low_side(kamp: Platform) -> None:
    me = kamp.principal()
    _, (sid,) = machine(kamp)
    kamp.alert_rules.create(me, name="declared", kind="limit", signal_id=sid)
    e = engine(kamp)
    feed(e, kamp, sid, [50.0] * 3 + [-5.0] * 3 + [50.0] * 3 + [120.0] + [50.0])
    got = alerts(kamp)
    assert len(got) == 2
    assert {a["detail"]["params"]["level"] for a in got} == {"0", "100"}


def test_minimum_duration(kamp: Platform) -> None:
    """A condition shorter than for_s raises nothing; one that lasts raises one alert whose
    first time is when the condition began."""
    me = kamp.principal()
    _, (sid,) = machine(kamp)
    kamp.alert_rules.create(me, name="long", kind="limit", signal_id=sid,
                            config={"high": 80, "for_s": 5})  # fmt: skip
    e = engine(kamp)
    values = [50.0] * 5 + [90.0] * 5 + [50.0] * 5  # 90 for 4 s (t=5..9): too short
    values += [90.0] * 8 + [50.0] * 2  # 90 for 7 s (t=15..22): fires at t=20
    feed(e, kamp, sid, values, chunk=3)
    (alert,) = alerts(kamp)
    assert alert["first_at"] == T0 + timedelta(seconds=15)
    assert alert["created_at"] is not None and alert["count"] == 8


def test_clear_duration_keeps_one_episode(kamp: Platform) -> None:
    me = kamp.principal()
    _, (sid,) = machine(kamp)
    kamp.alert_rules.create(me, name="flap", kind="limit", signal_id=sid,
                            config={"high": 80, "clear_for_s": 5})  # fmt: skip
    e = engine(kamp)
    # flapping: back below for 2 s between bad readings never ends the episode
    values = [50.0] * 3 + [90, 50, 50, 90, 50, 50, 90] + [50.0] * 7 + [90.0]
    feed(e, kamp, sid, values, chunk=2)
    got = alerts(kamp)
    assert len(got) == 2  # one for the flapping, one after 5 s of calm
    assert got[1]["count"] == 3


def test_rate_of_change(kamp: Platform) -> None:
    me = kamp.principal()
    _, (sid,) = machine(kamp)
    kamp.alert_rules.create(me, name="jump", kind="rate", signal_id=sid,
                            config={"high": 10, "per_s": 1})  # fmt: skip
    e = engine(kamp)
    # a slow ramp (2 per second) never fires; a drop of 30 in a second does, once, in either
    # direction, and the rate between batches counts (the drop crosses a batch border)
    values = [float(2 * i) for i in range(7)] + [-18.0, -17, -16] + [14.0, 15.0]
    feed(e, kamp, sid, values, chunk=7)
    got = alerts(kamp)
    assert len(got) == 2
    assert sorted(a["first_at"] for a in got) == [T0 + timedelta(seconds=7),
                                                  T0 + timedelta(seconds=10)]  # fmt: skip
    assert {a["detail"]["peak"] for a in got} == {30.0}


def test_stale_signal_and_missing_signal(kamp: Platform) -> None:
    me = kamp.principal()
    _, (a, b) = machine(kamp, signals=("temp", "pressure"))
    kamp.alert_rules.create(me, name="silent", kind="stale", signal_id=a,
                            config={"max_age_s": 60})  # fmt: skip
    e = engine(kamp)
    e.process(kamp.default_org_id, points(a, [1.0, 2.0]))  # last point at T0 + 1 s
    e.tick(T0 + timedelta(seconds=30))
    assert alerts(kamp) == []
    e.tick(T0 + timedelta(seconds=62))
    e.tick(T0 + timedelta(seconds=90))  # still silent: the same episode
    (alert,) = alerts(kamp)
    assert alert["source"] == "stale" and alert["first_at"] == T0 + timedelta(seconds=1)
    assert alert["detail"]["active"] is True
    e.process(kamp.default_org_id, points(a, [3.0], start=100))  # back
    (alert,) = alerts(kamp)
    assert alert["detail"]["active"] is False
    e.tick(T0 + timedelta(seconds=120))
    assert len(alerts(kamp)) == 1
    e.tick(T0 + timedelta(seconds=200))  # silent again: a new episode
    assert len(alerts(kamp)) == 2
    # a signal never heard of is missing: silent since the engine began watching it
    kamp.alert_rules.create(me, name="never", kind="stale", signal_id=b,
                            config={"max_age_s": 10})  # fmt: skip
    e.reload()
    e.tick(datetime.now(UTC))
    assert not any(x["detail"]["signals"] == ["pressure"] for x in alerts(kamp))
    e.tick(datetime.now(UTC) + timedelta(seconds=30))
    assert sum(x["detail"]["signals"] == ["pressure"] for x in alerts(kamp)) == 1


def test_equipment_offline(kamp: Platform) -> None:
    from openkamp.connectors.base import record_equipment_state

    me = kamp.principal()
    eq, _ = machine(kamp)
    kamp.alert_rules.create(me, name="gone", kind="offline", equipment_id=eq, severity="critical",
                            config={"for_s": 30})  # fmt: skip
    e = engine(kamp)
    record_equipment_state(kamp.meta, kamp.default_org_id, eq, "running", "test", None)
    e.tick()
    record_equipment_state(kamp.meta, kamp.default_org_id, eq, "offline", "test", None)
    e.tick()  # offline for less than 30 s
    assert alerts(kamp) == []
    later = datetime.now(UTC) + timedelta(seconds=31)
    e.tick(later)
    e.tick(later + timedelta(seconds=5))
    (alert,) = alerts(kamp)
    assert alert["source"] == "offline" and alert["severity"] == "critical"
    assert alert["detail"]["params"]["state"] == "offline"
    record_equipment_state(kamp.meta, kamp.default_org_id, eq, "running", "test", None)
    e.tick(later + timedelta(seconds=10))
    (alert,) = alerts(kamp)
    assert alert["detail"]["active"] is False


def test_a_restart_continues_the_episode(kamp: Platform) -> None:
    me = kamp.principal()
    _, (sid,) = machine(kamp)
    kamp.alert_rules.create(me, name="hot", kind="limit", signal_id=sid, config={"high": 80})
    engine(kamp).process(kamp.default_org_id, points(sid, [90.0, 91.0]))
    again = engine(kamp)  # a new process: state only in the alert
    again.process(kamp.default_org_id, points(sid, [92.0, 93.0], start=2))
    assert len(alerts(kamp)) == 1
    again.process(kamp.default_org_id, points(sid, [10.0, 95.0], start=4))
    assert len(alerts(kamp)) == 2  # ended at 10, a new episode at 95


def test_rules_are_checked_and_scoped(kamp: Platform) -> None:
    me = kamp.principal()
    eq, (sid,) = machine(kamp)
    with pytest.raises(InvalidInput) as bad:
        kamp.alert_rules.create(me, name="x", kind="limit", signal_id=sid,
                                config={"high": 1, "clear_high": 5})  # fmt: skip
    assert bad.value.code == "alerting.bad_config"
    with pytest.raises(InvalidInput) as bad:
        kamp.alert_rules.create(me, name="x", kind="rate", signal_id=sid)
    assert bad.value.code == "alerting.needs_high"
    with pytest.raises(InvalidInput):
        kamp.alert_rules.create(me, name="x", kind="score", equipment_id=eq)
    other = kamp.principal("orgb")
    with pytest.raises(NotFound):  # another organisation's signal is not found
        kamp.alert_rules.create(other, name="x", kind="limit", signal_id=sid)
    kamp.alert_rules.create(me, name="mine", kind="limit", signal_id=sid)
    assert kamp.alert_rules.list(other) == []


def test_the_live_path_reaches_the_engine(kamp: Platform) -> None:
    """Points written through the live sink raise the alert from the engine's worker, and the
    sink's writer never waits for the engine."""
    me = kamp.principal()
    _, (sid,) = machine(kamp)
    kamp.alert_rules.create(me, name="hot", kind="limit", signal_id=sid, config={"high": 80})
    sink = kamp.live.sink
    sink.write(kamp.default_org_id, points(sid, [50.0, 90.0, 91.0]))
    # the sink tells its listeners right after the write is durable (and after the caller)
    end = time.monotonic() + 10
    while not alerts(kamp) and time.monotonic() < end:
        time.sleep(0.01)
    (alert,) = alerts(kamp)
    assert alert["first_at"] == T0 + timedelta(seconds=1)
    assert kamp.alert_engine.stats()["batches"] >= 1
    # a slow engine does not slow the writer: the listener only queues
    values = np.full(1000, 50.0).tolist()
    sink.write(kamp.default_org_id, points(sid, values, start=10))
    assert sink.flush(10) and sink.stats()["listener_errors"] == 0
