"""MQTT subscriber: topics mapped to equipment and signals, JSON and Sparkplug B payloads,
QoS 1 on a persistent session, each message acknowledged only once its points are durable.

An ``mqtt`` connection names a broker (``host``, ``port``, ``client_id``, login, TLS) and its
``subscriptions``. A subscription's ``topic`` is an MQTT topic filter whose levels may be
named: ``factory/{line}/{machine}/data`` subscribes ``factory/+/+/data`` and hands the levels to
the ``equipment`` template (``plant1/{line}/{machine}``) and the ``signal`` template (``{signal}``
for one-value messages whose topic names the signal). ``format`` says how payloads read:

* ``json``: the single-value, batch and compact forms of
  :mod:`openkamp.connectors.payloads.json_forms` (a reading without a time is stamped on receipt);
  ``signals`` renames payload names to signal keys.
* ``sparkplug``: Sparkplug B (``spBv1.0/<group>/<type>/<node>[/<device>]``), decoded by
  :class:`~openkamp.connectors.payloads.SparkplugHost` (aliases from NBIRTH / DBIRTH). A device is
  the equipment ``equipment_map[device]`` (or ``[node/device]``), else the ``equipment`` template
  filled with ``{group}``, ``{node}``, ``{device}``. A birth marks its equipment ``running``, a
  death ``offline``; units declared in a birth (``engUnit`` property) are used when a signal is
  created. A sequence gap, an unknown alias or data from a node never born makes the connector
  publish ``NCMD`` ``Node Control/Rebirth`` (at most once per ``rebirth_interval_s`` per node,
  counted ``sparkplug.rebirth``).

**Delivery.** The client keeps a fixed id (``client_id``, by default one per connection) and a
persistent session (MQTT 5: clean start off, ``session_expiry_s``; 3.1.1: clean session off), so
the broker keeps QoS 1 messages while the platform is away. Acknowledgements are manual
(paho's ``manual_ack``): messages are gathered into batches (``batch_messages`` or
``batch_ms``), each batch is one ``ctx.write`` and every message of it gets its PUBACK, in
arrival order, only after that write is durable. A message the platform took but did not store
(a crash, a lost connection) is not acknowledged, so the broker sends it again and the store's
idempotent write keeps it once. The broker sends at most ``receive_maximum`` unacknowledged
messages (MQTT 5's Receive Maximum): a store slower than the publishers leaves the rest queued
at the broker instead of in our memory; as a second bound (QoS 0 has no flow control, and
some brokers send more), the connector stops reading its socket while it holds that many.
Reconnects wait with :class:`Backoff`. The session is paho's (through aiomqtt); incoming
messages are read from the socket in bulk and a batch's PUBACKs go out as one write
(:mod:`openkamp.connectors.mqtt_wire`: paho's per-message path cost more than the rest of the
platform together).

**Bad input** never ends the connection; it is counted on it by reason and acknowledged (a
message that can never be stored would otherwise come back forever): ``payload.<reason>`` (the
codecs' reasons: ``payload.json``, ``payload.protobuf``, ``payload.ts_range``, ``payload.alias``,
``payload.seq`` …), ``topic.unknown`` (a topic no subscription pattern matches, e.g. left in the
session by an earlier configuration), ``equipment.unknown``, ``signal.unknown``, ``time.absurd``
(far future), ``mqtt.flood`` (messages of one topic beyond ``max_messages_per_s_per_topic``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from openkamp.connectors.base import (
    Backoff,
    Connector,
    ConnectorConfig,
    ConnectorContext,
    Secret,
    now_us,
    points_table,
)
from openkamp.connectors.mqtt_wire import BulkReader, Message, send_pubacks
from openkamp.connectors.payloads import PayloadError, SparkplugHost, decode_json, parse_ts
from openkamp.connectors.payloads._points import TS_MAX_US
from openkamp.core.errors import NotFound, OpenKampError

_NAMED = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_FIELDS = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SPARKPLUG_FIELDS = {"group", "node", "device"}
#: Seconds a name not found (equipment, signal) is not looked up again.
MISS_TTL_S = 5.0


class MqttSubscription(BaseModel):
    """One topic pattern and how its messages map to equipment and signals."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(
        min_length=1,
        description="Topic filter; levels may be named: factory/{line}/{machine}/data",
    )
    format: Literal["json", "sparkplug"] = Field("json", description="json or sparkplug")
    equipment: str = Field(
        "",
        description="Equipment key path, may use the topic's names: plant1/{line}/{machine} "
        "(Sparkplug: {group}, {node}, {device})",
    )
    signal: str = Field(
        "", description="Signal of one-value messages, e.g. {signal}; empty: named in the payload"
    )
    signals: dict[str, str] = Field(
        default_factory=dict, description="Payload or metric name -> signal key (renames)"
    )
    equipment_map: dict[str, str] = Field(
        default_factory=dict, description="Sparkplug: device id (or node/device) -> equipment"
    )
    qos: int = Field(1, ge=0, le=1, description="Subscription QoS (1: at least once)")

    @model_validator(mode="after")
    def _check(self) -> MqttSubscription:
        levels = self.topic.split("/")
        names: set[str] = set()
        for i, level in enumerate(levels):
            m = _NAMED.match(level)
            if m:
                if m.group(1) in names:
                    raise ValueError(f"topic level name {{{m.group(1)}}} used twice")
                names.add(m.group(1))
            elif level == "#" and i != len(levels) - 1:
                raise ValueError("'#' may only be the last topic level")
            elif ("#" in level or "+" in level or "{" in level) and level not in ("#", "+"):
                raise ValueError(f"topic level {level!r} mixes a wildcard with text")
        known = _SPARKPLUG_FIELDS if self.format == "sparkplug" else names
        for template in (self.equipment, self.signal):
            for name in _FIELDS.findall(template):
                if name not in known:
                    raise ValueError(f"{{{name}}} is not a named level of the topic")
        if self.format == "sparkplug":
            if levels[0] not in ("spBv1.0", "#", "+"):
                raise ValueError("a Sparkplug B topic starts with spBv1.0/")
            if not self.equipment and not self.equipment_map:
                raise ValueError("a Sparkplug subscription needs equipment or equipment_map")
        elif not self.equipment:
            raise ValueError("a JSON subscription needs its equipment (key path template)")
        return self

    @property
    def filter(self) -> str:
        """The MQTT topic filter (named levels as ``+``)."""
        return "/".join("+" if _NAMED.match(p) else p for p in self.topic.split("/"))


class MqttConfig(ConnectorConfig):
    """An MQTT broker and the topics to take from it."""

    host: str = Field(min_length=1, description="Broker address")
    port: int = Field(1883, ge=1, le=65535, description="Broker port (1883; TLS usually 8883)")
    client_id: str = Field(
        "", max_length=128, description="Fixed client id of the session; empty: one per connection"
    )
    username: str = Field("", description="Login name (empty: anonymous)")
    password: Secret = ""
    tls: bool = Field(False, description="Connect with TLS")
    tls_ca_file: str = Field("", description="CA certificate file (PEM); empty: the system's")
    tls_insecure: bool = Field(False, description="Do not check the broker's host name")
    protocol: Literal["5", "3.1.1"] = Field("5", description="MQTT version")
    keepalive_s: int = Field(30, ge=5, le=3600, description="Keep-alive interval")
    session_expiry_s: int = Field(
        7 * 86_400, ge=0, le=4_294_967_295,
        description="How long the broker keeps the session (and its messages) while away",
    )  # fmt: skip
    receive_maximum: int = Field(
        5_000, ge=1, le=65_535, description="Most unacknowledged messages the broker may send"
    )
    batch_messages: int = Field(
        5_000, ge=1, le=100_000, description="Most messages stored in one write"
    )
    batch_ms: float = Field(20.0, ge=0, le=5_000, description="Longest wait to fill a batch (ms)")
    max_messages_per_s_per_topic: float = Field(
        0.0, ge=0, description="Messages of one topic beyond this rate are dropped (0: no cap)"
    )
    rebirth_interval_s: float = Field(
        5.0, ge=0, description="Sparkplug: least time between rebirth requests to one node"
    )
    reconnect_max_s: float = Field(
        30.0, gt=0, le=3600, description="Longest wait between reconnect attempts"
    )
    subscriptions: list[MqttSubscription] = Field(
        default_factory=list, description="Topic patterns and their mapping"
    )


# --------------------------------------------------------------------------- topic routes


@dataclass
class _Route:
    sub: MqttSubscription
    levels: list[str]
    names: dict[int, str]  # level index -> name
    multi: bool  # ends with '#'

    @classmethod
    def of(cls, sub: MqttSubscription) -> _Route:
        levels = sub.topic.split("/")
        names = {i: m.group(1) for i, p in enumerate(levels) if (m := _NAMED.match(p))}
        return cls(sub, levels, names, levels[-1] == "#")

    def match(self, parts: list[str]) -> dict[str, str] | None:
        n = len(self.levels) - 1 if self.multi else len(self.levels)
        if len(parts) < n or (not self.multi and len(parts) != n):
            return None
        got: dict[str, str] = {}
        for i in range(n):
            want = self.levels[i]
            if i in self.names:
                got[self.names[i]] = parts[i]
            elif want != "+" and want != parts[i]:
                return None
        return got


@dataclass
class _Target:
    """What a topic maps to (JSON): its route, equipment path and signal name."""

    route: _Route
    equipment: str
    signal: str | None


@dataclass
class _Batch:
    """Points of one batch: single readings as scalars, larger messages as arrays."""

    sids: list[int] = field(default_factory=list)
    ts: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)
    chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    # Compact series of the whole batch, turned into arrays once (per series: id, t0, step, n;
    # four lists, not a tuple per series: fewer objects for the garbage collector to scan).
    series_ids: list[int] = field(default_factory=list)
    series_t0: list[int] = field(default_factory=list)
    series_step: list[float] = field(default_factory=list)
    series_len: list[int] = field(default_factory=list)
    series_vals: list[float] = field(default_factory=list)

    def add_series(self, sid: int, t0_us: int, step_us: float, values: list[Any]) -> None:
        """A compact series: ``values`` at ``t0_us + round(i * step_us)``."""
        self.series_ids.append(sid)
        self.series_t0.append(t0_us)
        self.series_step.append(step_us)
        self.series_len.append(len(values))
        self.series_vals.extend(values)

    def table(self) -> Any:
        parts = [
            (np.array(self.sids, np.int64), np.array(self.ts, np.int64), np.array(self.vals)),
            *self.chunks,
        ]
        if self.series_ids:
            lens = np.array(self.series_len, np.int64)
            starts = np.cumsum(lens) - lens
            index = np.arange(int(lens.sum())) - np.repeat(starts, lens)
            # the same arithmetic as json_forms' compact form: t0 + round(i * dt_ms * 1000)
            ts = np.repeat(np.array(self.series_t0, np.int64), lens) + np.round(
                index * np.repeat(np.array(self.series_step, np.float64), lens)
            ).astype(np.int64)
            vals = np.array(self.series_vals, dtype=np.float64)
            parts.append((np.repeat(np.array(self.series_ids, np.int64), lens), ts, vals))
        sids, ts, vals = (np.concatenate(c) for c in zip(*parts, strict=True))
        return points_table(sids, ts, vals)

    def __len__(self) -> int:
        return len(self.sids) + sum(c[0].size for c in self.chunks) + len(self.series_vals)


_NUMBERS = {int, float}


def compact_doc(payload: bytes) -> tuple[int, float, dict[str, list[Any]]] | None:
    """A plain compact-form message (``t0``, ``dt``, ``s`` of number lists) as (t0 µs, step µs,
    series), for the batch-wide fast path; None for anything else (the codec then reads it,
    reporting what is wrong). Values are checked as the codec checks them."""
    if b'"t0"' not in payload:
        return None
    try:
        doc = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if type(doc) is not dict or len(doc) != 3:
        return None
    t0, series = doc.get("t0"), doc.get("s")
    raw: Any = doc.get("dt")
    dt = float(raw) if type(raw) in _NUMBERS else 0.0
    if type(series) is not dict or not 0 < dt <= 86_400_000:
        return None
    try:
        t0_us = parse_ts(t0)
    except PayloadError:
        return None
    step = dt * 1000.0
    for values in series.values():
        if type(values) is not list or not values or not set(map(type, values)) <= _NUMBERS:
            return None
        if t0_us + round((len(values) - 1) * step) >= TS_MAX_US:
            return None
    return t0_us, step, series


class _Lost(Exception):
    """The connection to the broker is gone."""


# --------------------------------------------------------------------------- the connector


class MqttConnector(Connector):
    """Subscribes to an MQTT broker (see the module docstring)."""

    kind: ClassVar[str] = "mqtt"
    Config: ClassVar[type[ConnectorConfig]] = MqttConfig
    title: ClassVar[dict[str, str]] = {"ko": "MQTT 구독", "en": "MQTT subscriber"}

    #: Write tasks of batches in flight at once (decoding goes on while the store writes).
    PIPELINE = 4
    #: About the most points of one batch: batches of large messages close after fewer
    #: messages, so that their PUBACKs come sooner and the broker keeps sending while the store
    #: writes (with 100-point messages, 5,000 a batch filled the whole Receive Maximum window:
    #: reading, decoding and writing took turns).
    BATCH_POINTS = 50_000

    def __init__(self, config: ConnectorConfig) -> None:
        super().__init__(config)
        self.cfg: MqttConfig = config  # type: ignore[assignment]
        self.routes = [_Route.of(s) for s in self.cfg.subscriptions]
        self._topics: dict[bytes, _Target | _Route | None] = {}
        self._equipment: dict[str, int | None] = {}
        self._signals: dict[tuple[int, str], int | None] = {}
        self._misses: dict[Any, float] = {}
        self._buckets: dict[bytes, list[float]] = {}
        self._sparkplug: dict[int, SparkplugHost] = {}
        self._units: dict[tuple[str, str, str | None, str], str] = {}
        self._rebirth_at: dict[tuple[str, str], float] = {}
        self._client: Any = None
        self._writing: set[asyncio.Future[int]] = set()  # writes in flight (kept referenced)
        #: Seen by tests and the benchmark: messages taken, most messages held at once,
        #: rebirth requests sent, sessions opened.
        self.received = 0
        self.peak_held = 0
        self.rebirths = 0
        self.sessions = 0

    # -- the connection loop ------------------------------------------------------------------

    def client_id(self, ctx: ConnectorContext) -> str:
        return self.cfg.client_id or f"openkamp-{ctx.org_id}-{ctx.connection_id}"

    async def run(self, ctx: ConnectorContext) -> None:
        if not self.routes:
            ctx.error("the connection has no subscriptions")
            await ctx.stopping.wait()
            return
        backoff = Backoff(initial=0.2, cap=self.cfg.reconnect_max_s)
        while not ctx.stopping.is_set():
            ctx.set_state("connecting")
            try:
                await self._session(ctx, backoff)
            except _Lost as exc:
                ctx.reject("mqtt.outage", 1)
                ctx.error(str(exc))
            except OpenKampError:
                raise
            except Exception as exc:  # aiomqtt.MqttError and socket errors: reconnect
                if type(exc).__name__ not in ("MqttError", "MqttCodeError", "MqttConnectError"):
                    raise
                ctx.reject("mqtt.outage", 1)
                ctx.error(exc)
            if ctx.stopping.is_set():
                return
            ctx.set_state("connecting")
            await ctx.sleep(backoff.next())

    def _client_for(self, ctx: ConnectorContext) -> Any:
        import aiomqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        cfg = self.cfg
        kwargs: dict[str, Any] = {
            "identifier": self.client_id(ctx),
            "username": cfg.username or None,
            "password": cfg.password or None,
            "keepalive": cfg.keepalive_s,
            "timeout": 10.0,
        }
        if cfg.protocol == "5":
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = cfg.session_expiry_s
            props.ReceiveMaximum = cfg.receive_maximum
            kwargs |= {
                "protocol": aiomqtt.ProtocolVersion.V5,
                "clean_start": False,  # keep the session (and its queued messages) always
                "properties": props,
            }
        else:
            kwargs |= {"protocol": aiomqtt.ProtocolVersion.V311, "clean_session": False}
        if cfg.tls:
            kwargs["tls_params"] = aiomqtt.TLSParameters(ca_certs=cfg.tls_ca_file or None)
            kwargs["tls_insecure"] = cfg.tls_insecure
        client = aiomqtt.Client(cfg.host, cfg.port, **kwargs)
        # Manual acknowledgements (paho 2; aiomqtt has no option for it yet: aiomqtt#345): set
        # before connecting, since a persistent session's queued messages come right after.
        client._client.manual_ack_set(True)
        return client

    async def _session(self, ctx: ConnectorContext, backoff: Backoff) -> None:
        """One connection: subscribe, then batch, store and acknowledge until stopped or lost."""
        cfg = self.cfg
        client = self._client_for(ctx)
        paho = client._client
        inbox: deque[Message] = deque()
        wake = asyncio.Event()  # something arrived
        filled = asyncio.Event()  # a whole batch arrived
        full = cfg.batch_messages  # messages of the next batch (fewer for large messages)
        high = cfg.receive_maximum

        def arrived() -> None:
            if not wake.is_set():
                wake.set()
            if len(inbox) >= full and not filled.is_set():
                filled.set()

        reader = BulkReader(client, inbox, high, arrived)

        def on_message(_client: Any, _userdata: Any, message: Any) -> None:
            # paho's own reader (before the bulk reader takes over, or where it cannot):
            # the same message tuples
            inbox.append((message._topic, message.payload, message.mid, message.qos,
                          time.time_ns() // 1000))  # fmt: skip
            arrived()
            if len(inbox) >= reader.high:
                reader.pause()

        paho.on_message = on_message
        self.sessions += 1
        async with client:
            self._client = client
            ctx.set_state("running")
            backoff.reset()
            # Read in bulk from the start (a persistent session's queued messages follow the
            # CONNACK), but never pause before the SUBACK is in: nothing is taken from the
            # inbox until then, so a pause would wait for itself. Meanwhile the broker sends at
            # most Receive Maximum messages (none is acknowledged yet).
            reader.high = 1 << 62
            reader.install()
            await client.subscribe([(s.filter, s.qos) for s in cfg.subscriptions])
            reader.high = high
            lost = client._disconnected  # aiomqtt's future: set when the connection drops
            writes: asyncio.Queue[tuple[asyncio.Future[int] | None, list[int]] | None] = (
                asyncio.Queue(self.PIPELINE)
            )
            acker = asyncio.create_task(self._ack_in_order(ctx, paho, writes))
            stop = asyncio.ensure_future(ctx.stopping.wait())
            per = 1.0  # points per message, a running mean
            try:
                while not ctx.stopping.is_set():
                    if not inbox:
                        wake.clear()
                        waiter = asyncio.ensure_future(wake.wait())
                        await asyncio.wait(
                            [waiter, lost, stop, acker], return_when=asyncio.FIRST_COMPLETED
                        )
                        waiter.cancel()
                    if lost.done() or acker.done():
                        break
                    if not inbox:
                        continue
                    filled.clear()
                    if len(inbox) < full and cfg.batch_ms > 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(filled.wait(), cfg.batch_ms / 1000)
                    held = len(inbox)
                    if held > self.peak_held:
                        self.peak_held = held
                    n = min(held, full)
                    batch = [inbox.popleft() for _ in range(n)]
                    self.received += n
                    if reader.paused and len(inbox) < high // 2:
                        reader.resume()
                    points, acks = await self._decode(ctx, client, batch)
                    per = 0.5 * per + 0.5 * max(1.0, len(points) / n)
                    full = max(1, min(cfg.batch_messages, int(self.BATCH_POINTS / per)))
                    task = None
                    if len(points):
                        task = asyncio.ensure_future(ctx.write(points.table()))
                        self._writing.add(task)
                        task.add_done_callback(self._writing.discard)
                    await writes.put((task, acks))
            finally:
                stop.cancel()
                if not acker.done():
                    if lost.done():  # no PUBACK can go out any more: the broker sends again
                        acker.cancel()
                    else:  # stopping: acknowledge what becomes durable, then end
                        await writes.put(None)
                        await acker
                self._client = None
            if acker.done() and not acker.cancelled() and acker.exception() is not None:
                raise acker.exception()  # type: ignore[misc]
            if lost.done() and not ctx.stopping.is_set():
                exc = lost.exception() if not lost.cancelled() else None
                raise _Lost(f"connection to {cfg.host}:{cfg.port} lost: {exc or 'closed'}")

    async def _ack_in_order(
        self,
        ctx: ConnectorContext,
        paho: Any,
        writes: asyncio.Queue[tuple[asyncio.Future[int] | None, list[int]] | None],
    ) -> None:
        """PUBACK every message of a batch once its write is durable, batches in order."""
        while True:
            item = await writes.get()
            if item is None:
                return
            task, acks = item
            if task is not None:
                # Shielded: a write handed to the platform is never cancelled half-way (the
                # session may end meanwhile; its points are still stored, just not acked).
                await asyncio.shield(task)  # a failed write raises: nothing more is acked
            send_pubacks(paho, acks)

    # -- decoding -----------------------------------------------------------------------------

    async def _decode(
        self, ctx: ConnectorContext, client: Any, batch: list[Message]
    ) -> tuple[_Batch, list[int]]:
        out = _Batch()
        acks: list[int] = []  # packet ids of the QoS 1 messages
        cap = self.cfg.max_messages_per_s_per_topic
        topics = self._topics
        for topic, payload, mid, qos, recv_us in batch:
            if qos:
                acks.append(mid)
            if cap and not self._admit(topic, cap):
                ctx.reject("mqtt.flood", 1, topic.decode(errors="replace"))
                continue
            target = topics[topic] if topic in topics else self._target(topic)
            if target is None:
                ctx.reject("topic.unknown", 1, topic.decode(errors="replace"))
            elif isinstance(target, _Target):
                await self._json(ctx, target, payload, recv_us, out)
            else:
                await self._sparkplug_message(ctx, client, target, topic.decode(), payload,
                                              recv_us, out)  # fmt: skip
        return out, acks

    def _admit(self, topic: bytes, cap: float) -> bool:
        """A token bucket per topic (``cap`` per second, bursts of one second)."""
        now = time.monotonic()
        b = self._buckets.get(topic)
        if b is None:
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            b = self._buckets[topic] = [cap, now]
        b[0] = min(cap, b[0] + (now - b[1]) * cap)
        b[1] = now
        if b[0] < 1.0:
            return False
        b[0] -= 1.0
        return True

    def _target(self, raw: bytes) -> _Target | _Route | None:
        """What a topic maps to (None: no subscription's pattern, or not UTF-8), cached."""
        found: _Target | _Route | None = None
        try:
            parts = raw.decode().split("/")
        except UnicodeDecodeError:
            parts = []
        for route in self.routes if parts else ():
            got = route.match(parts)
            if got is None:
                continue
            if route.sub.format == "sparkplug":
                found = route if parts[0] == "spBv1.0" else None
            else:
                sig = route.sub.signal.format_map(got) if route.sub.signal else None
                found = _Target(route, route.sub.equipment.format_map(got), sig)
            break
        if len(self._topics) > 100_000:
            self._topics.clear()
        self._topics[raw] = found
        return found

    async def _equipment_id(self, ctx: ConnectorContext, path: str) -> int | None:
        hit = self._equipment.get(path, False)
        if hit is not False and (
            hit is not None or time.monotonic() - self._misses.get(path, 0.0) < MISS_TTL_S
        ):
            return hit
        try:
            eid: int | None = await ctx.equipment(path)
        except NotFound:
            eid = None
            self._misses[path] = time.monotonic()
        self._equipment[path] = eid
        return eid

    async def _signal_id(
        self, ctx: ConnectorContext, eq: int, name: str, unit: str = ""
    ) -> int | None:
        key = (eq, name)
        hit = self._signals.get(key, False)
        if hit is not False and (
            hit is not None or time.monotonic() - self._misses.get(key, 0.0) < MISS_TTL_S
        ):
            return hit
        try:
            sid = await ctx.signal(eq, name, unit=unit)
        except OpenKampError as exc:  # a name the platform cannot take as a signal key
            ctx.reject("signal.unknown", 1, f"{name}: {exc}")
            sid = None
        if sid is None:
            self._misses[key] = time.monotonic()
        self._signals[key] = sid
        return sid

    async def _ids(
        self,
        ctx: ConnectorContext,
        eq: int,
        names: tuple[str, ...],
        renames: dict[str, str],
        counts: np.ndarray | None,
        where: str,
        units: dict[str, str] | None = None,
    ) -> np.ndarray:
        """Signal ids of decoded names (-1: unknown, counted per reading)."""
        ids = np.empty(len(names), np.int64)
        for k, name in enumerate(names):
            key = renames.get(name, name)
            sid = self._signals.get((eq, key))
            if sid is None:
                sid = await self._signal_id(ctx, eq, key, (units or {}).get(name, ""))
            if sid is None:
                n = 1 if counts is None else int(counts[k])
                ctx.reject("signal.unknown", n, f"{where}/{key}")
                ids[k] = -1
            else:
                ids[k] = sid
        return ids

    async def _json(
        self, ctx: ConnectorContext, target: _Target, payload: bytes, recv_us: int, out: _Batch
    ) -> None:
        compact = compact_doc(payload)
        if compact is not None:
            await self._compact(ctx, target, compact, out)
            return
        try:
            pts = decode_json(payload, signal=target.signal, default_ts_us=recv_us)
        except PayloadError as exc:
            ctx.reject(f"payload.{exc.reason}", 1, payload[:100])
            return
        for reason, n in pts.rejected.items():
            ctx.reject(f"payload.{reason}", n)
        if not len(pts):
            return
        eq = self._equipment.get(target.equipment)
        if eq is None:
            eq = await self._equipment_id(ctx, target.equipment)
            if eq is None:
                ctx.reject("equipment.unknown", len(pts), target.equipment)
                return
        renames = target.route.sub.signals
        if len(pts) == 1:  # the one-value message: no arrays on the hot path
            name = pts.names[0]
            key = renames.get(name, name) if renames else name
            sid = self._signals.get((eq, key))
            if sid is None:
                sid = await self._signal_id(ctx, eq, key)
                if sid is None:
                    ctx.reject("signal.unknown", 1, f"{target.equipment}/{key}")
                    return
            out.sids.append(sid)
            out.ts.append(int(pts.ts_us[0]))
            out.vals.append(float(pts.values[0]))
            return
        counts = np.bincount(pts.name_index, minlength=len(pts.names))
        ids = await self._ids(ctx, eq, pts.names, renames, counts, target.equipment)
        sids = ids[pts.name_index]
        if (ids < 0).any():
            keep = sids >= 0
            out.chunks.append((sids[keep], pts.ts_us[keep], pts.values[keep]))
        else:
            out.chunks.append((sids, pts.ts_us, pts.values))

    async def _compact(
        self,
        ctx: ConnectorContext,
        target: _Target,
        doc: tuple[int, float, dict[str, list[Any]]],
        out: _Batch,
    ) -> None:
        t0, step, series = doc
        eq = self._equipment.get(target.equipment)
        if eq is None:
            eq = await self._equipment_id(ctx, target.equipment)
            if eq is None:
                ctx.reject("equipment.unknown", sum(map(len, series.values())), target.equipment)
                return
        renames = target.route.sub.signals
        for name, values in series.items():
            key = renames.get(name, name) if renames else name
            sid = self._signals.get((eq, key))
            if sid is None:
                sid = await self._signal_id(ctx, eq, key)
                if sid is None:
                    ctx.reject("signal.unknown", len(values), f"{target.equipment}/{key}")
                    continue
            out.add_series(sid, t0, step, values)

    # -- Sparkplug B --------------------------------------------------------------------------

    def _device_equipment(self, sub: MqttSubscription, group: str, node: str,
                          device: str | None) -> str | None:  # fmt: skip
        emap = sub.equipment_map
        if device is not None:
            hit = emap.get(f"{node}/{device}") or emap.get(device)
            if hit:
                return hit
        elif node in emap:
            return emap[node]
        if not sub.equipment or (device is None and "{device}" in sub.equipment):
            return None
        return sub.equipment.format_map({"group": group, "node": node, "device": device or ""})

    async def _sparkplug_message(
        self,
        ctx: ConnectorContext,
        client: Any,
        route: _Route,
        topic: str,
        payload: bytes,
        recv_us: int,
        out: _Batch,
    ) -> None:
        host = self._sparkplug.setdefault(id(route), SparkplugHost())
        try:
            msg = host.decode(topic, payload, default_ts_us=recv_us)
        except PayloadError as exc:
            ctx.reject(f"payload.{exc.reason}", 1, payload[:100])
            return
        t = msg.topic
        for problem in msg.problems:
            ctx.reject(f"payload.{problem}", 1, topic)
        for reason, n in msg.points.rejected.items():
            if reason != "alias":  # counted once per message above
                ctx.reject(f"payload.{reason}", n)
        group, node = t.group_id or "", t.edge_node_id or ""
        if msg.rebirth:
            await self._request_rebirth(ctx, client, group, node)
        if msg.births:
            self._remember_units(route, group, node, t.device_id, payload)
        sub = route.sub
        for ev in msg.events:
            path = self._device_equipment(sub, ev.group_id, ev.edge_node_id, ev.device_id)
            if path is None:
                continue
            eq = await self._equipment_id(ctx, path)
            if eq is None:
                ctx.reject("equipment.unknown", 1, path)
                continue
            state = "running" if ev.online else "offline"
            await ctx.set_equipment_state(eq, state, {"sparkplug": str(t)})
        pts = msg.points
        if not len(pts):
            return
        path = self._device_equipment(sub, group, node, t.device_id)
        eq = await self._equipment_id(ctx, path) if path is not None else None
        if eq is None:
            ctx.reject("equipment.unknown", len(pts), path or topic)
            return
        units = {
            name: self._units.get((str(id(route)), node, t.device_id, name), "")
            for name in pts.names
        }
        counts = np.bincount(pts.name_index, minlength=len(pts.names))
        ids = await self._ids(ctx, eq, pts.names, sub.signals, counts, str(path), units)
        sids = ids[pts.name_index]
        keep = sids >= 0
        out.chunks.append((sids[keep], pts.ts_us[keep], pts.values[keep]))

    def _remember_units(
        self, route: _Route, group: str, node: str, device: str | None, payload: bytes
    ) -> None:
        """Units a birth declares (the ``engUnit`` property, as Ignition and Tahu write it)."""
        from pysparkplug._protobuf import Payload as PBPayload

        with contextlib.suppress(Exception):
            pb = PBPayload.FromString(bytes(payload))
            for m in pb.metrics:
                if m.name and m.HasField("properties"):
                    props = m.properties
                    for key, value in zip(props.keys, props.values, strict=False):
                        if key.lower() in ("engunit", "engunits", "unit") and value.string_value:
                            self._units[str(id(route)), node, device, m.name] = value.string_value

    async def _request_rebirth(
        self, ctx: ConnectorContext, client: Any, group: str, node: str
    ) -> None:
        from openkamp.connectors.payloads.sparkplug import rebirth_command

        now = time.monotonic()
        last = self._rebirth_at.get((group, node))
        if last is not None and now - last < self.cfg.rebirth_interval_s:
            return
        self._rebirth_at[group, node] = now
        topic, payload = rebirth_command(group, node, now_us() // 1000)
        try:
            await client.publish(topic, payload, qos=0)
        except Exception as exc:  # the connection is going: the next session asks again
            ctx.error(exc)
            return
        self.rebirths += 1
        ctx.reject("sparkplug.rebirth", 1, topic)
