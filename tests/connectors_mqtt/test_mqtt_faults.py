"""Delivery guarantees of the MQTT connector, end to end: every message the broker accepted
from the publisher with QoS 1 (its PUBACK to the publisher) ends up stored exactly once (count
and checksum), when the broker restarts mid-stream and when the platform process is killed
with SIGKILL mid-stream and started again; and a publisher faster than the store leaves the
excess queued at the broker, not in the platform's memory."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from openkamp.connectors.base import ConnectorContext, Counters
from openkamp.connectors.mqtt import MqttConnector
from openkamp.connectors.names import Names
from openkamp.connectors.sink import Sink
from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import Broker, broker_or_skip, free_port, run_broker

from .conftest import PRESS, Publisher, mqtt_connection, open_platform, sid, tree, wait_for

T0 = 1_780_000_000_000_000  # µs
PER = 10  # points per message
BATCH_SUB = {"topic": "f/{machine}", "equipment": "plant1/line1/{machine}"}


def message(i: int) -> str:
    """Message ``i``: PER readings of pressure at T0 + (i·PER + j) ms, value i·PER + j."""
    base = (T0 // 1000) + i * PER
    return json.dumps({"t0": base, "dt": 1, "s": {"pressure": [float(i * PER + j)
                                                              for j in range(PER)]}})  # fmt: skip


def check_exactly_once(got: pa.Table, acked: list[int]) -> None:
    ts = got.column("ts").cast(pa.int64()).to_numpy()
    values = got.column("value").to_numpy()
    assert len(set(ts.tolist())) == len(ts), "a point is stored twice"
    by_ts = dict(zip(ts.tolist(), values.tolist(), strict=True))
    want = {T0 + (i * PER + j) * 1000: float(i * PER + j) for i in acked for j in range(PER)}
    missing = set(want) - set(by_ts)
    assert not missing, f"{len(missing)} acknowledged points missing"
    assert sum(by_ts[t] for t in want) == sum(want.values())  # checksum of the acknowledged
    assert all(by_ts[t] == v for t, v in want.items())


def stream(pub: Publisher, n: int, rate: float, stop: threading.Event | None = None) -> int:
    """Publish messages 0..n-1 at about ``rate`` per second; returns how many were sent."""
    start = time.monotonic()
    for i in range(n):
        if stop is not None and stop.is_set():
            return i
        pub.publish("f/press01", message(i), key=i)
        lag = start + i / rate - time.monotonic()
        if lag > 0:
            time.sleep(lag)
    return n


def test_broker_restart_mid_stream_loses_nothing(tmp_path: Path) -> None:
    broker_or_skip()
    kamp = open_platform(tmp_path / "data")
    kamp.assets.apply_tree(kamp.principal(), tree())
    kamp.live.start()
    folder, port = tmp_path / "broker", free_port()
    cm = run_broker(port, folder=folder)
    broker = cm.__enter__()
    try:
        conn = mqtt_connection(kamp, broker, [BATCH_SUB])
        wait_for(lambda: kamp.connections.status(kamp.principal(), conn["id"])["state"]
                 == "running", what="running")  # fmt: skip
        pub = Publisher(broker, "pub-restart")
        n = 3000
        sender = threading.Thread(target=stream, args=(pub, n, 1000.0))
        sender.start()
        pub.wait_acked(800)
        cm.__exit__(None, None, None)  # SIGTERM: Mosquitto saves its sessions and stops
        time.sleep(1.0)
        cm = run_broker(port, folder=folder)
        broker = cm.__enter__()
        sender.join(60)
        pub.wait_acked(n, timeout=60)  # the publisher resends what the broker had not taken
        pub.close()
        acked = sorted(set(pub.acked))
        p = sid(kamp, PRESS, "pressure")
        wait_for(lambda: kamp.ts.read(kamp.default_org_id, [p]).num_rows >= len(acked) * PER,
                 timeout=60, what="every acknowledged message stored")  # fmt: skip
        check_exactly_once(kamp.ts.read(kamp.default_org_id, [p]), acked)
        st = kamp.connections.status(kamp.principal(), conn["id"])
        assert st["rejected"].get("mqtt.outage", 0) >= 1, st  # it did see the broker go
    finally:
        cm.__exit__(None, None, None)
        kamp.close()


def test_platform_sigkill_mid_stream_loses_nothing(tmp_path: Path, broker: Broker) -> None:
    data = tmp_path / "data"
    kamp = open_platform(data)
    kamp.assets.apply_tree(kamp.principal(), tree())
    p, org = sid(kamp, PRESS, "pressure"), kamp.default_org_id
    mqtt_connection(kamp, broker, [BATCH_SUB])  # enabled: it resumes with the platform process
    kamp.close()
    child = Path(__file__).with_name("_platform_child.py")
    progress: list[int] = []
    running = threading.Event()

    def start() -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, str(child), str(data), str(org), str(p)],
                                stdout=subprocess.PIPE, text=True)  # fmt: skip

        def read() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("stored"):
                    progress.append(int(line.split()[1]))
                    if line.split()[2] == "running":
                        running.set()

        threading.Thread(target=read, daemon=True).start()
        return proc

    proc = start()
    # The first start makes the platform's session (and subscription) at the broker; from
    # then on the broker keeps the stream for it, also while the process is dead.
    assert running.wait(60), "the platform's connection did not start"
    pub = Publisher(broker, "pub-sigkill")
    n = 4000
    sender = threading.Thread(target=stream, args=(pub, n, 800.0))
    sender.start()
    try:
        wait_for(lambda: progress and progress[-1] >= 500 * PER, timeout=60, what="stream going")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
        stored_at_kill = progress[-1]
        assert stored_at_kill < n * PER  # killed mid-stream
        time.sleep(0.5)  # the broker keeps the stream for the platform's session meanwhile
        progress.clear()
        proc = start()
        sender.join(60)
        pub.wait_acked(n, timeout=60)
        wait_for(lambda: progress and progress[-1] >= n * PER, timeout=90,
                 what="every acknowledged message stored after the restart")  # fmt: skip
    finally:
        pub.close()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
    kamp = open_platform(data)
    try:
        got = kamp.ts.read(org, [p])
    finally:
        kamp.close()
    assert got.num_rows == n * PER
    check_exactly_once(got, sorted(set(pub.acked)))


class SlowStore:
    """A store that takes ``delay_s`` per write (a disk far slower than the publishers)."""

    def __init__(self, inner: Any, delay_s: float) -> None:
        self.inner, self.delay_s = inner, delay_s
        self.writes = 0

    def write(self, org_id: int, points: Any) -> Any:
        time.sleep(self.delay_s)
        self.writes += 1
        return self.inner.write(org_id, points)


def test_backpressure_keeps_the_excess_at_the_broker(kamp: Platform, broker: Broker) -> None:
    """With a store that takes 50 ms per write of at most 200 messages, the connector never
    holds more than Receive Maximum messages; the broker keeps the rest until there is room."""
    slow = SlowStore(kamp.ts, 0.05)
    sink = Sink(slow, capacity=2_000, batch_points=2_000)  # type: ignore[arg-type]
    config = MqttConnector.Config.model_validate({
        "host": broker.host, "port": broker.port, "subscriptions": [BATCH_SUB],
        "receive_maximum": 300, "batch_messages": 200, "batch_ms": 5,
        "client_id": "bp-test",
    })  # fmt: skip
    connector = MqttConnector(config)
    loop = asyncio.new_event_loop()
    ctx_box: dict[str, ConnectorContext] = {}

    async def main() -> None:
        ctx = ConnectorContext(
            org_id=kamp.default_org_id, connection_id=1, name="bp", config=config, sink=sink,
            names=Names(kamp.meta, kamp.default_org_id), meta=kamp.meta, counters=Counters(),
        )  # fmt: skip
        ctx_box["ctx"] = ctx
        await connector.run(ctx)

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    thread.start()
    wait_for(lambda: connector.sessions == 1 and connector._client is not None, what="connected")
    pub = Publisher(broker, "pub-bp")
    n = 6000
    try:
        for i in range(n):  # as fast as the publisher goes: far faster than 4,000 messages/s
            pub.publish("f/press01", message(i), key=i)
        pub.wait_acked(n, timeout=60)
        published_at = time.monotonic()
        p = sid(kamp, PRESS, "pressure")
        wait_for(lambda: kamp.ts.read(kamp.default_org_id, [p]).num_rows == n * PER,
                 timeout=120, what="the whole backlog stored")  # fmt: skip
        drained_at = time.monotonic()
    finally:
        pub.close()
        loop.call_soon_threadsafe(ctx_box["ctx"].stopping.set)
        thread.join(30)
        sink.close()
    # The broker had every message long before the slow store took the last ones ...
    assert drained_at - published_at > 0.5
    # ... and the connector never held more than it allowed the broker to send.
    assert 0 < connector.peak_held <= 300, connector.peak_held
    assert connector.received >= n
