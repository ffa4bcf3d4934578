"""The MQTT section of ``bench/stream.py`` (issue 10): publish → durable in the store → alert.

Everything on one private Mosquitto (persistence on) in the same run:

* **throughput** (``mqtt_batched_points_per_s``, ``mqtt_single_messages_per_s``): a backlog
  of QoS 1 messages waits at the broker for a persistent session (published by a separate
  process beforehand), then the platform's connection connects and takes it all; the time runs
  from the connection's start to the last point being durable in the store (a sink listener
  sees it). The baselines are bare subscribers that only count the same backlog's messages
  (acknowledging each at once) on the same broker, each on its own persistent session:
  aiomqtt's message iterator and paho on its own network thread; ``mqtt_bare_*`` is the faster
  of the two and ``mqtt_ratio`` the smaller of the platform's two ratios against it (one-value
  messages, batches of 100 points). Also measured, ``mqtt_wire_only_*``: the connector's own
  wire reader (:mod:`openkamp.connectors.mqtt_wire`: MQTT framing parsed in bulk, PUBACKs in
  bulk) counting with no payload decoded (``mqtt_wire_ratio_*``): not a subscriber one could
  use, but the floor of what reading MQTT costs here.
* **latency** (``stored_p99_ms``, ``alert_p99_ms``) and **sustained** run: a publisher process
  sends one-value messages at ``--mqtt-rate`` for ``--mqtt-seconds`` (300: the issue's five
  minutes), each reading stamped with its publish time. A limit rule (``high`` = 100) watches the
  machine; every ``ALERT_EVERY_S`` one reading crosses it (150, the next reading of that signal
  is back at 50: one episode each). Stored: ``durable time − reading time`` of every point,
  taken by a sink listener after each durable write. Alert: the engine's ``notify`` callback
  (called right after the alert is inserted) minus the crossing reading's time (the alert's
  ``first_at``, which is its publish time). Percentiles from 1 ms histograms (bounded memory
  in a long run). RSS of this process (the platform's) is sampled over the run.
* **loss** (``mqtt_lost``): messages the broker acknowledged to the publishers and not stored.

The publishers write MQTT 3.1.1 packets straight to a socket (a load generator: on this 2-core
machine a paho publisher took a core for 3,000 messages/s, CPU the platform under test did not
get) and count the broker's PUBACKs.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import shutil
import socket
import struct
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

N_SIGNALS = 100
PER_BATCH = 100  # points per batched message: 10 signals x 10 readings, 1 ms apart
T0_US = 1_780_000_000_000_000
ALERT_HIGH = 100.0  # the latency run's limit; normal readings stay at 50-56
ALERT_EVERY_S = 0.25  # one crossing reading this often


# --------------------------------------------------------------------------- publisher process


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _publish_packet(topic: bytes, body: bytes, mid: int) -> bytes:
    """A QoS 1 PUBLISH (MQTT 3.1.1)."""
    rest = struct.pack("!H", len(topic)) + topic + struct.pack("!H", mid) + body
    return b"\x32" + _varint(len(rest)) + rest


def _message(kind: str, k: int, live_us: int | None, every: int) -> tuple[bytes, bytes]:
    """Message ``k`` of a run: its topic and payload. ``live_us``: the publish time (µs) the
    reading carries (distinct per signal: the store keeps one point per signal and time);
    values then stay normal except every ``every``-th one (crosses the limit)."""
    if kind == "single":
        s = k % N_SIGNALS
        if live_us is None:
            ts, value = T0_US + (k // N_SIGNALS) * 1000, float(k)
        else:
            ts = live_us
            value = 150.0 if every and k % every == 0 else 50.0 + k % 7
        return b"b/press01/s%03d" % s, b'{"ts":%d,"value":%r}' % (ts, value)
    group = k % (N_SIGNALS // 10)
    t0 = live_us if live_us is not None else T0_US + (k // (N_SIGNALS // 10)) * 10_000
    values = ",".join([repr(float(k))] * 10)
    series = ",".join(f'"s{group * 10 + j:03d}":[{values}]' for j in range(10))
    return b"g/press01", b'{"t0":%d,"dt":1,"s":{%s}}' % (t0, series.encode())


class _RawPublisher:
    """A QoS 1 publisher on a plain socket (MQTT 3.1.1, clean session): sends packets in bulk
    and counts the broker's PUBACKs on a reader thread."""

    MAX_IN_FLIGHT = 50_000  # below the 65,535 packet ids (the broker acknowledges in order)

    def __init__(self, port: int, client_id: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cid = client_id.encode()
        rest = b"\x00\x04MQTT\x04\x02\x00\x00" + struct.pack("!H", len(cid)) + cid
        self.sock.sendall(b"\x10" + _varint(len(rest)) + rest)
        connack = self.sock.recv(4)
        if connack[:1] != b"\x20" or connack[3:4] != b"\x00":
            raise RuntimeError(f"publisher refused: {connack!r}")
        self.acked = 0
        self.sent = 0
        self.reader = threading.Thread(target=self._count, daemon=True)
        self.reader.start()

    def _count(self) -> None:
        buf = b""
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                return
            if not data:
                return
            buf += data
            whole = len(buf) // 4 * 4  # the broker sends this client PUBACKs only (4 bytes)
            if buf[0:whole:4].count(0x40) != whole // 4:
                raise RuntimeError("the broker sent the publisher something else than PUBACKs")
            self.acked += whole // 4
            buf = buf[whole:]

    def send(self, packets: list[bytes]) -> None:
        while self.acked < self.sent - self.MAX_IN_FLIGHT:
            time.sleep(0.001)
        self.sock.sendall(b"".join(packets))
        self.sent += len(packets)

    def close(self, wait_s: float) -> int:
        deadline = time.monotonic() + wait_s
        while self.acked < self.sent and time.monotonic() < deadline:
            time.sleep(0.005)
        acked = self.acked
        self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        self.sock.close()
        return acked


def _publish(port: int, kind: str, n: int, rate: float, live: bool, done: Any) -> None:
    """Its own process: ``n`` messages at ``rate`` per second (0: as fast as it can); ``live``
    stamps each with its publish time and makes some cross the alert limit. Puts the number
    the broker acknowledged into ``done``."""
    pub = _RawPublisher(port, f"bench-pub-{kind}-{time.time()}")
    every = max(1, round(rate * ALERT_EVERY_S)) if live and rate else 0
    if every and every % N_SIGNALS == 0:
        every += 1  # crossings move over the signals
    start = time.monotonic()
    sent = 0
    floor = 0  # the next free time: one tick's readings of a signal are 1 µs apart
    while sent < n:
        due = n if not rate else min(n, int((time.monotonic() - start) * rate) + 1)
        if due <= sent:
            time.sleep(0.0005)
            continue
        m = min(due - sent, 2_000)
        now = max(time.time_ns() // 1000, floor) if live else None
        packets = []
        for j, k in enumerate(range(sent, sent + m)):
            topic, body = _message(kind, k, None if now is None else now + j // N_SIGNALS, every)
            packets.append(_publish_packet(topic, body, k % 65_535 + 1))
        pub.send(packets)
        sent += m
        floor = (now or 0) + m // N_SIGNALS + 1
    took = time.monotonic() - start
    done.put((pub.close(600), every, took))


def _run_publisher(port: int, kind: str, n: int, rate: float = 0.0, live: bool = False) -> Any:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_publish, args=(port, kind, n, rate, live, q), daemon=True)
    proc.start()
    return proc, q


# --------------------------------------------------------------------------- baselines


def _connect_props() -> Any:
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    props.ReceiveMaximum = 5000
    return props


async def _bare_aiomqtt(port: int, client_id: str, topic: str, n: int | None) -> float:
    """aiomqtt's message iterator on a persistent session: counts ``n`` messages (None: only
    subscribe and leave); returns the seconds from connecting to the last one."""
    import aiomqtt

    start = time.perf_counter()
    async with aiomqtt.Client("127.0.0.1", port, identifier=client_id, clean_start=False,
                              protocol=aiomqtt.ProtocolVersion.V5,
                              properties=_connect_props()) as c:  # fmt: skip
        if n is None:
            await c.subscribe(topic, 1)
            return 0.0
        got = 0
        async for _ in c.messages:
            got += 1
            if got >= n:
                break
    return time.perf_counter() - start


def _bare_paho(port: int, client_id: str, n: int) -> float:
    """paho on its own network thread (``loop_start``), acknowledging each message itself."""
    import paho.mqtt.client as mqtt

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    got = 0
    done = threading.Event()

    def on_message(*_a: Any) -> None:
        nonlocal got
        got += 1
        if got >= n:
            done.set()

    c.on_message = on_message
    start = time.perf_counter()
    c.connect("127.0.0.1", port, clean_start=False, properties=_connect_props())
    c.loop_start()
    done.wait(600)
    took = time.perf_counter() - start
    c.disconnect()
    c.loop_stop()
    return took


async def _bare_bulk(port: int, client_id: str, n: int) -> float:
    """The connector's own wire path (bulk reads, PUBACKs in bulk) with nothing behind it:
    each read's messages are counted and acknowledged at once."""
    import aiomqtt

    from openkamp.connectors.mqtt_wire import BulkReader, Message, send_pubacks

    start = time.perf_counter()
    client = aiomqtt.Client("127.0.0.1", port, identifier=client_id, clean_start=False,
                            protocol=aiomqtt.ProtocolVersion.V5, properties=_connect_props())  # fmt: skip
    paho = client._client
    paho.manual_ack_set(True)
    inbox: deque[Message] = deque()
    got = 0
    done = asyncio.Event()

    def arrived() -> None:
        nonlocal got
        mids = [m[2] for m in inbox if m[3]]
        got += len(inbox)
        inbox.clear()
        send_pubacks(paho, mids)
        if got >= n:
            done.set()

    def on_message(_c: Any, _u: Any, m: Any) -> None:
        inbox.append((m._topic, m.payload, m.mid, m.qos, 0))
        arrived()

    paho.on_message = on_message
    async with client:
        BulkReader(client, inbox, 1 << 62, arrived).install()
        await asyncio.wait_for(done.wait(), 600)
    return time.perf_counter() - start


def _bare_rates(port: int, kind: str, topic: str, n: int) -> dict[str, float]:
    """Messages/s of each bare subscriber over its own copy of the backlog."""
    return {
        "aiomqtt": n / asyncio.run(_bare_aiomqtt(port, f"bare-aiomqtt-{kind}", topic, n)),
        "paho": n / _bare_paho(port, f"bare-paho-{kind}", n),
        "bulk": n / asyncio.run(_bare_bulk(port, f"bare-bulk-{kind}", n)),
    }


# --------------------------------------------------------------------------- the platform


class _Histogram:
    """Delays in 1 ms bins (bounded memory however long the run)."""

    def __init__(self, max_ms: int = 600_000) -> None:
        self.bins = np.zeros(max_ms + 1, dtype=np.int64)

    def add(self, delays_us: np.ndarray) -> None:
        ms = np.clip(delays_us // 1000, 0, len(self.bins) - 1)
        counts = np.bincount(ms)
        self.bins[: len(counts)] += counts

    @property
    def n(self) -> int:
        return int(self.bins.sum())

    def percentile(self, q: float) -> float:
        total = self.n
        if not total:
            return float("nan")
        # the upper edge of the bin holding the q-th percentile (a delay rounds up)
        return float(np.searchsorted(np.cumsum(self.bins), q / 100 * total) + 1)


class _Meter:
    """Counts durable points (a sink listener) and keeps each point's publish→durable delay."""

    def __init__(self) -> None:
        self.points = 0
        self.done_at = 0.0
        self.target = 0
        self.delays: _Histogram | None = None
        self.event = threading.Event()

    def __call__(self, org: int, table: Any) -> None:
        import pyarrow as pa

        self.points += table.num_rows
        if self.delays is not None:
            now = time.time_ns() // 1000
            self.delays.add(now - table.column("ts").cast(pa.int64()).to_numpy())
        if self.target and self.points >= self.target and not self.event.is_set():
            self.done_at = time.perf_counter()
            self.event.set()

    def expect(self, n: int) -> None:
        self.points, self.target, self.done_at = 0, n, 0.0
        self.event.clear()


class _AlertMeter:
    """Wraps the alert engine's ``notify`` (called right after an alert is inserted): the delay
    from the crossing reading (the alert's ``first_at``: its publish time) to that moment."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.inner: Callable[..., None] | None = engine.notify
        self.delays = _Histogram()
        self.opened = 0
        engine.notify = self

    def __call__(self, org_id: int, rec: Any, what: str) -> None:
        if what == "opened":
            now = time.time_ns() // 1000
            first = rec["first_at"]
            if first.tzinfo is None:  # stored as UTC
                first = first.replace(tzinfo=UTC)
            self.delays.add(np.array([now - int(first.timestamp() * 1_000_000)]))
            self.opened += 1
        if self.inner is not None:
            self.inner(org_id, rec, what)

    def close(self) -> None:
        self.engine.notify = self.inner


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def mqtt_section(messages: int, batches: int, seconds: float, rate: float) -> dict[str, Any]:
    from _common import print_table
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
                if messages:
                    out |= mqtt_throughput(kamp, broker.port, meter, "single", messages, 1)
                if batches:
                    out |= mqtt_throughput(kamp, broker.port, meter, "batch", batches, PER_BATCH)
                if seconds:
                    out |= mqtt_latency(kamp, broker.port, meter, seconds, rate)
            finally:
                kamp.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ratios = [out.pop(k) for k in ("_ratio_single", "_ratio_batch") if k in out]
    if ratios:
        out["mqtt_ratio"] = round(min(ratios), 3)
    out["mqtt_lost"] = sum(out.pop(k) for k in ("_lost_single", "_lost_batch", "_lost_live")
                           if k in out)  # fmt: skip
    rows = [(k, f"{v:,}" if isinstance(v, int | float) else str(v)) for k, v in out.items()]
    print_table("MQTT (publish -> durable -> alert), one private Mosquitto", rows,
                ("figure", "value"))  # fmt: skip
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
    """Drain a backlog of ``n`` messages: the bare subscribers, then the platform."""
    topic = "b/#" if kind == "single" else "g/#"
    for bare in ("aiomqtt", "paho", "bulk"):  # their sessions, subscribed
        asyncio.run(_bare_aiomqtt(port, f"bare-{bare}-{kind}", topic, None))
    conn = _connection(kamp, port, kind)  # the platform's session, subscribed
    _wait_running(kamp, conn)
    kamp.connections.stop(kamp.principal(), conn["id"])
    proc, q = _run_publisher(port, kind, n)
    acked, _, _ = q.get(timeout=1200)
    proc.join(30)
    bare = _bare_rates(port, kind, topic, n)
    meter.expect(n * per)
    start = time.perf_counter()
    kamp.connections.start(kamp.principal(), conn["id"])
    meter.event.wait(600)
    took = (meter.done_at or time.perf_counter()) - start
    time.sleep(0.5)  # anything beyond the target would be a duplicate write (none expected)
    kamp.connections.stop(kamp.principal(), conn["id"])
    stored = meter.points // per
    mine = stored / took
    fastest = max(bare["aiomqtt"], bare["paho"])
    unit = "messages" if kind == "single" else "batch_messages"
    label = "single_messages" if kind == "single" else "batched_points"
    return {
        f"mqtt_{label}_per_s": round(mine if kind == "single" else mine * per),
        **({"mqtt_batched_messages_per_s": round(mine)} if kind == "batch" else {}),
        f"mqtt_bare_{unit}_per_s": round(fastest),
        f"mqtt_bare_aiomqtt_{unit}_per_s": round(bare["aiomqtt"]),
        f"mqtt_bare_paho_{unit}_per_s": round(bare["paho"]),
        f"mqtt_wire_only_{unit}_per_s": round(bare["bulk"]),
        f"mqtt_ratio_{kind}": round(mine / fastest, 3),
        f"mqtt_wire_ratio_{kind}": round(mine / bare["bulk"], 3),
        f"_ratio_{kind}": mine / fastest,
        f"_lost_{kind}": max(0, acked - stored),
    }


def mqtt_latency(
    kamp: Any, port: int, meter: _Meter, seconds: float, rate: float
) -> dict[str, Any]:
    """One-value messages at ``rate`` per second for ``seconds`` with a limit rule on the
    machine: publish → stored and publish → alert percentiles, loss, and this process's RSS."""
    me = kamp.principal()
    press = kamp.assets.resolve(me, "plant1/line1/press01")
    rule = kamp.alert_rules.create(me, name="bench-limit", kind="limit",
                                   equipment_id=int(press.id), config={"high": ALERT_HIGH})  # fmt: skip
    alerts = _AlertMeter(kamp.alert_engine)
    conn = kamp.connections.find(me, "bench-single") or _connection(kamp, port, "single")
    kamp.connections.start(me, conn["id"])
    _wait_running(kamp, conn)
    n = int(seconds * rate)
    meter.expect(n)
    meter.delays = _Histogram()
    rss = [_rss_mb()]
    began = datetime.now(UTC)
    proc, q = _run_publisher(port, "single", n, rate=rate, live=True)
    while proc.is_alive() and q.empty():
        time.sleep(min(5.0, max(0.5, seconds / 20)))
        rss.append(_rss_mb())
    acked, every, took = q.get(timeout=seconds + 600)
    proc.join(30)
    meter.event.wait(60)
    kamp.alert_engine.flush(30)
    rss.append(_rss_mb())
    stored = meter.delays
    meter.delays = None
    alerts.close()
    kamp.connections.stop(me, conn["id"])
    kamp.alert_rules.delete(me, int(rule["id"]))
    ids = [int(kamp.assets.resolve(me, f"plant1/line1/press01/s{i:03d}").id)
           for i in range(N_SIGNALS)]  # fmt: skip
    # what the store holds (one point per signal and time), not what the listener saw
    kept = kamp.ts.count(kamp.default_org_id, ids, start=began)
    crossings = len(range(0, n, every)) if every else 0

    def ms(h: _Histogram, q: float) -> float | None:
        return h.percentile(q) if h.n else None

    return {
        "mqtt_sustained_seconds": round(took, 1),
        "mqtt_live_messages_per_s": rate,
        "mqtt_live_published_per_s": round(n / took),
        "mqtt_live_messages": n,
        "mqtt_live_lost": max(0, acked - kept),
        "stored_p50_ms": ms(stored, 50),
        "stored_p99_ms": ms(stored, 99),
        "stored_max_ms": ms(stored, 100),
        "alert_p50_ms": ms(alerts.delays, 50),
        "alert_p99_ms": ms(alerts.delays, 99),
        "alert_max_ms": ms(alerts.delays, 100),
        "alert_episodes": crossings,
        "alert_opened": alerts.opened,
        "rss_start_mb": round(rss[0], 1),
        "rss_mid_mb": round(rss[len(rss) // 2], 1),
        "rss_end_mb": round(rss[-1], 1),
        "_lost_live": max(0, acked - kept),
    }
