"""The MQTT section of ``bench/stream.py`` (issue 10): publish → durable in the store.

Everything on one private Mosquitto (persistence on) in the same run:

* **throughput** (``mqtt_batched_points_per_s``, ``mqtt_single_messages_per_s``): a backlog
  of QoS 1 messages waits at the broker for a persistent session (published by a separate
  process beforehand), then the receiver connects and takes it all; the time runs from the
  connection's start to the last point being durable in the store (the sink's listener sees
  it). The baseline (``mqtt_bare_*``) is a bare aiomqtt subscriber that only counts the same
  backlog's messages (auto-acknowledged) on the same broker; ``mqtt_ratio`` is the smaller of
  the two ratios (one-value messages and batches of 100 points).
* **latency** (``stored_p99_ms``): a publisher process sends at a steady rate for
  ``--mqtt-seconds``; each reading carries its publish time, and the listener takes
  ``durable time − reading time`` for every point after each durable write.
* **loss** (``mqtt_lost``): messages the broker acknowledged to the publishers and not stored.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

N_SIGNALS = 100
PER_BATCH = 100  # points per batched message: 10 signals x 10 readings, 1 ms apart
T0_US = 1_780_000_000_000_000


# --------------------------------------------------------------------------- publisher process


def _payloads(kind: str, start: int, n: int, live: bool) -> list[tuple[str, bytes]]:
    out = []
    for k in range(start, start + n):
        t0_us = time.time_ns() // 1000 if live else None  # live: each its publish time
        if kind == "single":
            s = k % N_SIGNALS
            ts = t0_us if t0_us is not None else T0_US + (k // N_SIGNALS) * 1000
            body = b'{"ts":%d,"value":%d}' % (ts, k)
            out.append((f"b/press01/s{s:03d}", body))
        else:
            group = k % (N_SIGNALS // 10)
            t0 = t0_us if t0_us is not None else T0_US + (k // (N_SIGNALS // 10)) * 10_000
            series = {f"s{group * 10 + j:03d}": [float(k)] * 10 for j in range(10)}
            body = json.dumps({"t0": t0, "dt": 1, "s": series}, separators=(",", ":")).encode()
            out.append(("g/press01", body))
    return out


def _publish(port: int, kind: str, n: int, rate: float, live: bool, done: Any) -> None:
    """A paho QoS 1 publisher (its own process): ``n`` messages at ``rate`` per second (0: as
    fast as it can); ``live`` stamps each message with its publish time. Puts the number the
    broker acknowledged into ``done``."""
    import paho.mqtt.client as mqtt

    acked = 0
    lock = threading.Lock()

    def on_publish(*_a: Any) -> None:
        nonlocal acked
        with lock:
            acked += 1

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{kind}-{time.time()}",
                    protocol=mqtt.MQTTv5)  # fmt: skip
    c.max_inflight_messages_set(2000)
    c.max_queued_messages_set(0)
    c.on_publish = on_publish
    c.connect("127.0.0.1", port)
    c.loop_start()
    start = time.monotonic()
    chunk = 200
    for i in range(0, n, chunk):
        m = min(chunk, n - i)
        msgs = _payloads(kind, i, m, live)
        for topic, body in msgs:
            c.publish(topic, body, qos=1)
        if rate:
            lag = start + (i + m) / rate - time.monotonic()
            if lag > 0:
                time.sleep(lag)
    deadline = time.monotonic() + 120
    while acked < n and time.monotonic() < deadline:
        time.sleep(0.01)
    c.disconnect()
    c.loop_stop()
    done.put(acked)


def _run_publisher(port: int, kind: str, n: int, rate: float = 0.0, live: bool = False) -> Any:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_publish, args=(port, kind, n, rate, live, q), daemon=True)
    proc.start()
    return proc, q


# --------------------------------------------------------------------------- baseline


async def _bare_session(port: int, client_id: str, topic: str, n: int | None) -> float:
    """A bare aiomqtt subscriber on a persistent session: counts ``n`` messages (None: only
    subscribe and leave); returns the seconds from connecting to the last one."""
    import aiomqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    props.ReceiveMaximum = 5000
    start = time.perf_counter()
    async with aiomqtt.Client("127.0.0.1", port, identifier=client_id, clean_start=False,
                              protocol=aiomqtt.ProtocolVersion.V5, properties=props) as c:  # fmt: skip
        if n is None:
            await c.subscribe(topic, 1)
            return 0.0
        got = 0
        async for _ in c.messages:
            got += 1
            if got >= n:
                break
    return time.perf_counter() - start


# --------------------------------------------------------------------------- the platform


class _Meter:
    """Counts durable points (a sink listener) and keeps each point's publish→durable delay."""

    def __init__(self) -> None:
        self.points = 0
        self.done_at = 0.0
        self.target = 0
        self.delays: list[np.ndarray] = []
        self.keep_delays = False
        self.event = threading.Event()

    def __call__(self, org: int, table: Any) -> None:
        import pyarrow as pa

        self.points += table.num_rows
        if self.keep_delays:
            now = time.time_ns() // 1000
            self.delays.append(now - table.column("ts").cast(pa.int64()).to_numpy())
        if self.target and self.points >= self.target and not self.event.is_set():
            self.done_at = time.perf_counter()
            self.event.set()

    def expect(self, n: int) -> None:
        self.points, self.target, self.done_at = 0, n, 0.0
        self.event.clear()


def mqtt_section(messages: int, batches: int, seconds: float, rate: float) -> dict[str, Any]:
    from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
    from openkamp.platform import Platform
    from openkamp.sim.live.mosquitto import run_broker

    root = Path(tempfile.mkdtemp(prefix="openkamp-bench-mqtt-"))
    out: dict[str, Any] = {}
    try:
        with run_broker(folder=root / "broker") as broker:
            kamp = Platform.at(root / "data")
            try:
                sigs = [SignalSpec(f"s{i:03d}") for i in range(N_SIGNALS)]
                eq = EquipmentSpec("press01", signals=sigs)
                kamp.assets.apply_tree(
                    kamp.principal(),
                    [SiteSpec("plant1", lines=[LineSpec("line1", equipment=[eq])])],
                )
                meter = _Meter()
                kamp.live.add_listener(meter)
                kamp.live.start()
                out |= mqtt_throughput(kamp, broker.port, meter, "single", messages, 1)
                out |= mqtt_throughput(kamp, broker.port, meter, "batch", batches, PER_BATCH)
                out |= mqtt_latency(kamp, broker.port, meter, seconds, rate)
            finally:
                kamp.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    out["mqtt_ratio"] = round(min(out.pop("_ratio_single"), out.pop("_ratio_batch")), 3)
    out["mqtt_lost"] = out.pop("_lost_single") + out.pop("_lost_batch") + out.pop("_lost_live")
    return out


def _connection(kamp: Any, port: int, kind: str) -> dict[str, Any]:
    if kind == "single":
        sub = {"topic": "b/{machine}/{signal}", "equipment": "plant1/line1/{machine}",
               "signal": "{signal}"}  # fmt: skip
    else:
        sub = {"topic": "g/{machine}", "equipment": "plant1/line1/{machine}"}
    config = {"host": "127.0.0.1", "port": port, "subscriptions": [sub]}
    return kamp.connections.create(kamp.principal(), f"bench-{kind}", "mqtt", config)


def _wait_running(kamp: Any, conn: dict[str, Any]) -> None:
    for _ in range(500):
        if kamp.connections.status(kamp.principal(), conn["id"])["state"] == "running":
            return
        time.sleep(0.02)
    raise RuntimeError("the MQTT connection did not start")


def mqtt_throughput(
    kamp: Any, port: int, meter: _Meter, kind: str, n: int, per: int
) -> dict[str, Any]:
    """Drain a backlog of ``n`` messages: the bare subscriber, then the platform."""
    topic = "b/#" if kind == "single" else "g/#"
    asyncio.run(_bare_session(port, f"bare-{kind}", topic, None))  # its session, subscribed
    conn = _connection(kamp, port, kind)  # the platform's session, subscribed
    _wait_running(kamp, conn)
    kamp.connections.stop(kamp.principal(), conn["id"])
    proc, q = _run_publisher(port, kind, n)
    acked = q.get(timeout=600)
    proc.join(30)
    bare_s = asyncio.run(_bare_session(port, f"bare-{kind}", topic, n))
    meter.expect(n * per)
    start = time.perf_counter()
    kamp.connections.start(kamp.principal(), conn["id"])
    meter.event.wait(600)
    took = (meter.done_at or time.perf_counter()) - start
    time.sleep(0.5)  # anything beyond the target would be a duplicate write (none expected)
    kamp.connections.stop(kamp.principal(), conn["id"])
    stored = meter.points // per
    bare = n / bare_s
    mine = stored / took
    label = "single_messages" if kind == "single" else "batched_points"
    return {
        f"mqtt_{label}_per_s": round(mine if kind == "single" else mine * per),
        f"mqtt_bare_{'messages' if kind == 'single' else 'batch_messages'}_per_s": round(bare),
        f"_ratio_{kind}": mine / bare,
        f"_lost_{kind}": max(0, acked - stored),
    }


def mqtt_latency(
    kamp: Any, port: int, meter: _Meter, seconds: float, rate: float
) -> dict[str, Any]:
    """Publish one-value messages at ``rate`` per second for ``seconds``: p50 / p99 of the
    time from publishing a reading to its being durable."""
    conn = kamp.connections.find(kamp.principal(), "bench-single")
    kamp.connections.start(kamp.principal(), conn["id"])
    _wait_running(kamp, conn)
    n = int(seconds * rate)
    meter.expect(n)
    meter.delays.clear()
    meter.keep_delays = True
    proc, q = _run_publisher(port, "single", n, rate=rate, live=True)
    acked = q.get(timeout=seconds + 600)
    proc.join(30)
    meter.event.wait(60)
    meter.keep_delays = False
    kamp.connections.stop(kamp.principal(), conn["id"])
    delays = np.concatenate(meter.delays) / 1000 if meter.delays else np.zeros(1)
    return {
        "stored_p50_ms": round(float(np.percentile(delays, 50)), 1),
        "stored_p99_ms": round(float(np.percentile(delays, 99)), 1),
        "mqtt_live_messages_per_s": rate,
        "_lost_live": max(0, acked - meter.points),
    }
