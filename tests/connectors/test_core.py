"""The connector core on real parts: the platform's stores, the live loop and a connector
plugin registered through the hook (tests/connectors/fake_plugin.py)."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from openkamp.connectors.base import MASK, Backoff, points_table
from openkamp.connectors.sink import Sink
from openkamp.core.errors import Forbidden, InvalidInput
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform
from openkamp.plugins import connectors

from .conftest import PRESS, open_platform, signal_id, tree, wait_for

START = 1_780_000_000_000_000


def producer(kamp: Platform, name: str, **config: Any) -> dict[str, Any]:
    cfg = {"equipment": PRESS, "signal": "pressure", **config}
    return kamp.connections.create(kamp.principal(), name, "test_producer", cfg)


def status(kamp: Platform, rec: dict[str, Any]) -> dict[str, Any]:
    return kamp.connections.status(kamp.principal(), rec["id"])


def test_connectors_are_plugins_registered_through_the_hook(plugin: Any) -> None:
    """The built-in http connector and a third party's come through the same hook; a kind
    nobody registered is refused in words."""
    kinds = {cls.kind for cls in connectors()}
    assert {"http", "test_producer", "test_broken"} <= kinds
    with Platform.at(Path(__import__("tempfile").mkdtemp()) / "d") as kamp:
        assert set(kamp.connections.kinds()) >= {"http", "test_producer"}
        with pytest.raises(InvalidInput) as refused:
            kamp.connections.create(kamp.principal(), "x", "no_such_kind", {})
        assert refused.value.code == "connectors.unknown_kind"


def test_a_connector_writes_durably_and_every_ack_is_stored(live: Platform, plugin: Any) -> None:
    """Points a connector was told are stored are in the store, once each, with their values;
    the counters say how many, when and how fast."""
    rec = producer(live, "p1", batches=20, batch=500)
    wait_for(lambda: plugin.log_of("p1")["acked"] == 10_000, what="10,000 acks")
    sid = signal_id(live)
    stored = live.ts.read(live.default_org_id, [sid])
    assert stored.num_rows == 10_000
    assert stored.column("ts").cast(pa.int64()).to_pylist() == sorted(
        plugin.log_of("p1")["acked_ts"]
    )
    assert stored.column("value").to_pylist()[:3] == [
        float(START % 1000),
        float((START + 1) % 1000),
        float((START + 2) % 1000),
    ]
    st = status(live, rec)
    assert st["state"] == "running" and st["points"] == 10_000 and st["batches"] == 20
    assert st["points_per_s"] > 0 and st["last_value_at"].startswith("2026-")
    assert st["buffer_fill"] == 0.0


def test_duplicates_are_stored_once_and_late_points_in_place(live: Platform, plugin: Any) -> None:
    """The same batch twice (a redelivery) and an older batch after newer ones: every (signal,
    time) once, in time order, with the last value sent."""
    sid = signal_id(live)
    org = live.default_org_id
    sink = live.live.sink
    newer = points_table([sid] * 3, [START + 10, START + 11, START + 12], [10.0, 11.0, 12.0])
    sink.write(org, newer)
    sink.write(org, newer)  # redelivered
    older = points_table([sid] * 3, [START + 1, START + 2, START + 11], [1.0, 2.0, 99.0])
    sink.write(org, older)  # late, out of order, and one changed value
    got = live.ts.read(org, [sid])
    assert got.column("ts").cast(pa.int64()).to_pylist() == [
        START + 1, START + 2, START + 10, START + 11, START + 12,
    ]  # fmt: skip
    assert got.column("value").to_pylist() == [1.0, 2.0, 10.0, 99.0, 12.0]


def test_a_full_buffer_makes_a_fast_producer_wait(live: Platform) -> None:
    """Backpressure: while the store is held up (here by a slow listener in the writer thread),
    the buffer fills to its capacity and the next writer waits instead of growing memory;
    once the store catches up, everything it waited with is stored."""
    sid = signal_id(live)
    org = live.default_org_id
    sink = Sink(live.ts, capacity=1_000, batch_points=1_000)
    hold = threading.Event()
    sink.add_listener(lambda org_id, pts: hold.wait(20))
    done: list[int] = []

    async def fast_producer() -> None:
        for i in range(5):
            ts = range(START + i * 1000, START + (i + 1) * 1000)
            await sink.write_async(org, points_table([sid] * 1000, list(ts), [1.0] * 1000))
            done.append(i)

    thread = threading.Thread(target=lambda: asyncio.run(fast_producer()))
    thread.start()
    # batch 0 is written and its listener holds the writer; batch 1 fills the buffer; batch 2
    # must wait for room.
    wait_for(lambda: sink.fill == 1_000, what="a full buffer")
    time.sleep(0.3)
    assert done == [0]  # batch 1 is admitted but not durable; batch 2 waits for room
    assert sink.fill <= sink.capacity
    hold.set()
    thread.join(20)
    assert done == [0, 1, 2, 3, 4]
    assert live.ts.count(org, [sid]) == 5_000
    sink.close()


def test_a_failing_listener_loses_nothing(live: Platform, plugin: Any) -> None:
    """A listener that raises is counted and logged; the points are stored, later listeners
    are still called, and ingest goes on."""
    seen: list[int] = []

    def broken(org_id: int, points: pa.Table) -> None:
        raise RuntimeError("listener bug")

    live.live.add_listener(broken)
    live.live.add_listener(lambda org_id, pts: seen.append(pts.num_rows))
    producer(live, "p2", batches=5, batch=100)
    wait_for(lambda: plugin.log_of("p2")["acked"] == 500, what="acks")
    assert live.ts.count(live.default_org_id, [signal_id(live)]) == 500
    wait_for(lambda: sum(seen) == 500, what="the second listener")
    assert live.live.sink.listener_errors >= 1


def test_a_crashing_connector_is_restarted_with_growing_delays(live: Platform, plugin: Any) -> None:
    """Each crash is counted with its error (the password masked) and the connector is started
    again after a growing delay; once it stops crashing its data flows."""
    rec = producer(live, "crashy", crash_runs=3, batches=2, batch=10, password="s3cr3t-pw")
    wait_for(lambda: plugin.log_of("crashy")["acked"] == 20, what="data after the crashes")
    st = status(live, rec)
    assert st["restarts"] == 3
    assert "crash 3" in st["last_error"] and "s3cr3t-pw" not in st["last_error"]
    assert MASK in st["last_error"]
    starts = plugin.log_of("crashy")["starts"]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 3 and gaps[0] >= 0.05 * 0.7 - 0.01
    assert gaps[2] > gaps[0]  # 0.05, 0.1, 0.2 less up to 30 % jitter: still growing
    # The record keeps the counters (saved periodically), for the page and after a restart.
    wait_for(
        lambda: (
            (live.meta.get(live.default_org_id, "connection", rec["id"])["stats"] or {}).get(
                "restarts"
            )
            == 3
        ),
        what="saved counters",
    )


def test_a_broken_connector_never_stops_the_others(live: Platform, plugin: Any) -> None:
    broken = live.connections.create(live.principal(), "down", "test_broken", {})
    producer(live, "fine", batches=3, batch=10)
    wait_for(lambda: plugin.log_of("fine")["acked"] == 30, what="the good connection")
    wait_for(lambda: status(live, broken)["restarts"] >= 2, what="restarts")
    st = status(live, broken)
    assert st["state"] in ("retrying", "running")
    assert "ConnectionRefusedError" in st["last_error"]


def test_backoff_is_exponential_jittered_and_capped() -> None:
    import random

    b = Backoff(initial=1.0, cap=8.0, factor=2.0, jitter=0.25, rng=random.Random(1))
    delays = [b.next() for _ in range(8)]
    bases = [1, 2, 4, 8, 8, 8, 8, 8]
    assert all(0.75 * base <= d <= base for d, base in zip(delays, bases, strict=True))
    assert len({round(d, 6) for d in delays[3:]}) > 1  # jittered, not all the cap
    b.reset()
    assert b.next() <= 1.0


def test_bad_values_are_rejected_and_counted(live: Platform, plugin: Any) -> None:
    """NaN values a source sends are left out and counted by reason; the good ones are
    stored, and the numbers add up."""
    rec = producer(live, "nans", batches=4, batch=50, bad_per_batch=3)
    wait_for(lambda: plugin.log_of("nans")["acked"] == 200, what="acks")
    st = status(live, rec)
    assert st["points"] == 200
    assert st["rejected"] == {"value.not_finite": 12} and st["rejected_total"] == 12
    assert live.ts.count(live.default_org_id, [signal_id(live)]) == 200


def test_connections_resume_after_the_platform_restarts(tmp_path: Path, plugin: Any) -> None:
    """An enabled connection runs again after close and reopen; a stopped one stays stopped;
    the counters continue from the saved ones."""
    data = tmp_path / "data"
    kamp = open_platform(data)
    kamp.assets.apply_tree(kamp.principal(), tree())
    kamp.live.start()
    on = producer(kamp, "on", batches=2, batch=10)
    off = producer(kamp, "off", batches=2, batch=10, start_us=START + 10**6)
    wait_for(lambda: plugin.log_of("on")["acked"] == 20 and plugin.log_of("off")["acked"] == 20)
    kamp.connections.stop(kamp.principal(), off["id"])
    kamp.close()

    plugin.LOG.clear()
    kamp = open_platform(data)
    try:
        me = kamp.principal()
        assert kamp.connections.get(me, on["id"])["enabled"]  # stopped with the platform
        kamp.live.start()
        wait_for(lambda: plugin.log_of("on")["runs"] == 1, what="the resumed connection")
        assert kamp.connections.status(me, on["id"])["state"] == "running"
        assert kamp.connections.status(me, off["id"])["state"] == "stopped"
        assert "off" not in plugin.LOG
        wait_for(lambda: plugin.log_of("on")["acked"] == 20)
        assert kamp.connections.status(me, on["id"])["points"] == 40  # 20 before, 20 again
        assert kamp.ts.count(kamp.default_org_id, [signal_id(kamp)]) == 40  # 20 + 20 of 'off'
    finally:
        kamp.close()


def test_connection_records_roles_secrets_and_organisations(live: Platform, plugin: Any) -> None:
    """Engineers change, viewers read; a secret is never shown and survives an update that
    sends the mask back; another organisation does not see the connection."""
    admin = live.principal()
    rec = producer(live, "sec", batches=1, batch=1, password="hunter22")
    assert rec["config"]["password"] == MASK
    stored = live.meta.get(live.default_org_id, "connection", rec["id"])
    assert stored["config"]["password"] == "hunter22"
    changed = live.connections.update(admin, rec["id"], config={**rec["config"], "batch": 2})
    assert changed["config"]["batch"] == 2 and changed["config"]["password"] == MASK
    stored = live.meta.get(live.default_org_id, "connection", rec["id"])
    assert stored["config"]["password"] == "hunter22"
    viewer = Principal(org_id=live.default_org_id, name="v", roles=frozenset({Role.VIEWER}))
    assert live.connections.get(viewer, rec["id"])["name"] == "sec"
    with pytest.raises(Forbidden):
        live.connections.stop(viewer, rec["id"])
    with pytest.raises(InvalidInput) as bad:
        live.connections.update(admin, rec["id"], config={"equipment": PRESS, "batch": "many"})
    assert bad.value.code == "connectors.bad_config"
    other = live.principal("other-org")
    assert live.connections.list(other) == []
    with pytest.raises(Exception) as missing:
        live.connections.get(other, rec["id"])
    assert type(missing.value).__name__ == "NotFound"
    live.connections.delete(admin, rec["id"])
    assert live.connections.list(admin) == []


def test_equipment_state_is_recorded_with_its_start(live: Platform) -> None:
    from openkamp.connectors.base import record_equipment_state

    org = live.default_org_id
    eq = live.assets.resolve(live.principal(), PRESS).id
    first = record_equipment_state(live.meta, org, eq, "running", "p")
    again = record_equipment_state(live.meta, org, eq, "running", "p", {"n": 1})
    assert again["since"] == first["since"] and again["detail"] == {"n": 1}
    down = record_equipment_state(live.meta, org, eq, "offline", "p")
    assert down["state"] == "offline" and down["since"] > first["since"]
    with pytest.raises(Exception) as foreign:
        record_equipment_state(live.meta, live.principal("b").org_id, eq, "down", "p")
    assert type(foreign.value).__name__ == "NotFound"


def test_closing_the_platform_drains_what_was_accepted(tmp_path: Path, plugin: Any) -> None:
    """A clean shutdown in the middle of a stream: the connector is asked to stop, its write in
    flight completes, the buffer is written out; what it was told is stored is in the store,
    and nothing it was not told about is half there."""
    data = tmp_path / "data"
    kamp = open_platform(data, connectors_buffer_points=5_000, connectors_batch_points=1_000)
    kamp.assets.apply_tree(kamp.principal(), tree())
    kamp.live.start()
    producer(kamp, "stream", batches=10_000, batch=1_000)
    wait_for(lambda: plugin.log_of("stream")["acked"] >= 20_000, what="a running stream")
    kamp.close()
    acked = plugin.log_of("stream")["acked"]
    assert acked % 1_000 == 0 and acked < 10_000_000
    kamp = open_platform(data)
    try:
        assert kamp.ts.count(kamp.default_org_id, [signal_id(kamp)]) == acked
    finally:
        kamp.close()
