"""The live factory publishing to an MQTT broker: JSON and Sparkplug B, QoS 1, reconnecting.

**JSON** (``json_form``), for every machine ``<site>/<line>/<equipment>`` of the factory
(payload forms as :mod:`openkamp.connectors.payloads.json_forms` documents them, times in epoch ms):

* ``batch`` (default): topic ``<prefix>/<site>/<line>/<equipment>``, one message per machine and
  step: ``{"ts": 1772323200000, "values": {"pressure": 161.2, …}}``, a list of those when the
  step holds several readings;
* ``compact``: same topic, ``{"t0": …, "dt": …, "s": {"pressure": [...], …}}`` for evenly spaced
  readings (a batch otherwise);
* ``single``: topic ``<prefix>/<site>/<line>/<equipment>/<signal>``, ``{"ts": …, "value": …}``
  per reading.

**Sparkplug B**: group ``<site>`` (``plant1``), edge node ``edge_node_id`` (``edge1``), one device
per machine (``inj01`` …), metric names = signal names, all DOUBLE. On every connection: a new
``bdSeq`` whose NDEATH is the MQTT will, NBIRTH, a DBIRTH per machine with aliases and current
values, then DDATA by alias with each reading's own timestamp; ``seq`` runs 0…255 over them. An
``NCMD`` ``Node Control/Rebirth`` makes it publish the births again. A clean stop publishes
DDEATHs and the NDEATH itself.

**Control** (for demonstrations; the CLI enables it): JSON on ``<prefix>/_sim/inject`` —
``{"equipment": "press01", "fault": "bearing_wear", "duration_s": 600, "severity": 1.0}`` — and
``<prefix>/_sim/clear`` (``{"equipment": "press01"}`` or ``{}``) call
:meth:`LiveFactory.inject` / :meth:`LiveFactory.clear`.

Readings wait in a bounded backlog per format while the broker is away (oldest dropped beyond
``backlog`` messages, counted) and are sent after the reconnection (backoff 0.2 s doubling to
5 s); a message whose PUBACK was lost may be sent twice (the platform stores a reading once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from openkamp.connectors.payloads.json_forms import encode_batch, encode_compact
from openkamp.connectors.payloads.sparkplug import SparkplugEdgeNode, is_rebirth_request
from openkamp.core.errors import OpenKampError
from openkamp.sim.live.factory import LiveFactory, Tick

log = logging.getLogger(__name__)

JsonForm = Literal["batch", "compact", "single"]
Item = tuple[str, Any]  # (kind, data), encoded when sent (Sparkplug numbers its messages then)


@dataclass
class ChannelStats:
    sent: int = 0
    dropped: int = 0
    connects: int = 0
    last_error: str | None = None
    received_commands: int = 0
    errors: list[str] = field(default_factory=list)


class _Channel:
    """One MQTT connection with its backlog, reconnecting until stopped."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        *,
        qos: int,
        backlog: int,
        encode: Callable[[Item], list[tuple[str, bytes]]],
        on_connect: Callable[[], list[tuple[str, bytes]]] = lambda: [],
        will: Callable[[], tuple[str, bytes] | None] = lambda: None,
        subscriptions: Sequence[str] = (),
        on_message: Callable[[str, bytes], list[tuple[str, bytes]]] | None = None,
        on_stop: Callable[[], list[tuple[str, bytes]]] = lambda: [],
        client_id: str,
    ) -> None:
        self.name = name
        self.host, self.port, self.qos = host, port, qos
        self.backlog: deque[Item] = deque()
        self.limit = backlog
        self.encode = encode
        self.on_connect = on_connect
        self.will = will
        self.subscriptions = tuple(subscriptions)
        self.on_message = on_message
        self.on_stop = on_stop
        self.client_id = client_id
        self.stats = ChannelStats()
        self.connected = asyncio.Event()
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._client: Any = None

    def put(self, item: Item) -> None:
        self.backlog.append(item)
        while len(self.backlog) > self.limit:
            self.backlog.popleft()
            self.stats.dropped += 1
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"openkamp-sim-mqtt-{self.name}")

    async def _run(self) -> None:
        import aiomqtt

        backoff = 0.2
        while not self._stopping:
            will = self.will()
            try:
                async with aiomqtt.Client(
                    self.host,
                    self.port,
                    identifier=self.client_id,
                    will=aiomqtt.Will(will[0], will[1], qos=1) if will else None,
                    clean_session=True,
                    keepalive=10,
                    timeout=10,
                ) as client:
                    self._client = client
                    self.stats.connects += 1
                    backoff = 0.2
                    for topic in self.subscriptions:
                        await client.subscribe(topic, qos=1)
                    await self._send(client, self.on_connect())
                    self.connected.set()
                    reader = asyncio.create_task(self._read(client)) if self.subscriptions else None
                    try:
                        await self._drain(client)
                    finally:
                        if reader is not None:
                            reader.cancel()
                            with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
                                await reader
                        self.connected.clear()
                        if self._stopping:
                            with contextlib.suppress(aiomqtt.MqttError):
                                await self._send(client, self.on_stop())
                    self._client = None
            except aiomqtt.MqttError as exc:
                self._client = None
                self.connected.clear()
                self.stats.last_error = str(exc)
                if self._stopping:
                    return
                log.info("MQTT %s: %s; reconnecting in %.1f s", self.name, exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _drain(self, client: Any) -> None:
        while True:
            if not self.backlog:
                if self._stopping:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            # Send up to 256 items at once (pipelined), then drop them from the backlog.
            n = min(len(self.backlog), 256)
            messages = [m for i in range(n) for m in self.encode(self.backlog[i])]
            await self._send(client, messages)
            for _ in range(n):
                self.backlog.popleft()

    async def _send(self, client: Any, messages: list[tuple[str, bytes]]) -> None:
        if messages:
            # Every publish is awaited (none left with an unread error), then the first error
            # (a lost connection) ends the connection; the backlog keeps what was not sent.
            results = await asyncio.gather(
                *(client.publish(t, p, qos=self.qos) for t, p in messages), return_exceptions=True
            )
            for r in results:
                if isinstance(r, BaseException):
                    raise r
            self.stats.sent += len(messages)

    async def _read(self, client: Any) -> None:
        async for message in client.messages:
            if self.on_message is None:
                continue
            self.stats.received_commands += 1
            try:
                replies = self.on_message(str(message.topic), bytes(message.payload or b""))
            except Exception as exc:  # a bad command never stops the simulator
                self.stats.errors.append(f"{message.topic}: {exc}")
                log.warning("ignored command on %s: %s", message.topic, exc)
                continue
            await self._send(client, replies)

    async def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._task, timeout_s)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class MqttPublisher:
    """Publishes the live factory's readings (see the module docstring)."""

    def __init__(
        self,
        live: LiveFactory,
        host: str = "127.0.0.1",
        port: int = 1883,
        *,
        json_form: JsonForm | None = "batch",
        sparkplug: bool = True,
        prefix: str = "openkamp",
        edge_node_id: str = "edge1",
        group_id: str | None = None,
        qos: int = 1,
        backlog: int = 100_000,
        control: bool = True,
        client_prefix: str | None = None,
    ) -> None:
        self.live = live
        self.host, self.port = host, port
        self.json_form = json_form
        self.prefix = prefix
        self.group_id = group_id or live.factory.site[0]
        self.edge_node_id = edge_node_id
        self.qos = qos
        self.control = control
        cid = client_prefix or f"openkamp-sim-{os.getpid()}"
        self.node = SparkplugEdgeNode(
            self.group_id,
            edge_node_id,
            {name: [d.name for d in m.signal_defs] for name, m in live.machines.items()},
        )
        self.channels: dict[str, _Channel] = {}
        if json_form is not None:
            self.channels["json"] = _Channel(
                "json",
                host,
                port,
                qos=qos,
                backlog=backlog,
                encode=self._encode_json,
                subscriptions=[f"{prefix}/_sim/+"] if control else [],
                on_message=self._command,
                client_id=f"{cid}-json",
            )
        if sparkplug:
            self.channels["sparkplug"] = _Channel(
                "sparkplug",
                host,
                port,
                qos=qos,
                backlog=backlog,
                encode=self._encode_sparkplug,
                on_connect=self._births,
                will=self._will,
                subscriptions=[self.node.topic("NCMD")],
                on_message=self._ncmd,
                on_stop=self._deaths,
                client_id=f"{cid}-spb",
            )

    # ------------------------------------------------------------------ topics

    def json_topic(self, equipment: str, signal: str | None = None) -> str:
        path = self.live.paths[equipment]
        base = f"{self.prefix}/{path.site}/{path.line}/{path.equipment}"
        return f"{base}/{signal}" if signal else base

    # ------------------------------------------------------------------ lifecycle

    async def start(self, wait_s: float = 10.0) -> None:
        for ch in self.channels.values():
            ch.start()
        try:
            await asyncio.wait_for(
                asyncio.gather(*(ch.connected.wait() for ch in self.channels.values())), wait_s
            )
        except TimeoutError:
            errors = "; ".join(f"{n}: {c.stats.last_error}" for n, c in self.channels.items())
            await self.stop()
            raise OpenKampError(
                f"Cannot reach the MQTT broker at {self.host}:{self.port} ({errors}).",
                code="live.broker_unreachable",
                params={"address": f"{self.host}:{self.port}"},
            ) from None

    async def publish(self, ticks: Sequence[Tick]) -> None:
        for tick in ticks:
            if not len(tick):
                continue
            for ch in self.channels.values():
                ch.put(("tick", tick))

    async def stop(self) -> None:
        await asyncio.gather(*(ch.stop() for ch in self.channels.values()))

    def stats(self) -> dict[str, ChannelStats]:
        return {n: c.stats for n, c in self.channels.items()}

    # ------------------------------------------------------------------ JSON

    def _encode_json(self, item: Item) -> list[tuple[str, bytes]]:
        tick: Tick = item[1]
        ts = tick.ts_ms.tolist()
        cols = {k: v.tolist() for k, v in tick.signals.items()}
        if self.json_form == "single":
            return [
                (self.json_topic(tick.equipment, sig), json.dumps({"ts": t, "value": v}).encode())
                for sig, values in cols.items()
                for t, v in zip(ts, values, strict=True)
            ]
        topic = self.json_topic(tick.equipment)
        if self.json_form == "compact":
            steps = np.diff(tick.ts_ms)
            if steps.size == 0 or ((steps > 0).all() and (steps == steps[0]).all()):
                dt = (
                    int(steps[0])
                    if steps.size
                    else round(self.live.machine(tick.equipment).period_s * 1000)
                )
                return [(topic, encode_compact(int(ts[0]), dt, cols))]
        rows = [(t, {k: cols[k][i] for k in cols}) for i, t in enumerate(ts)]
        return [(topic, encode_batch(rows))]

    def _command(self, topic: str, payload: bytes) -> list[tuple[str, bytes]]:
        verb = topic.rsplit("/", 1)[-1]
        body = json.loads(payload or b"{}")
        if verb == "inject":
            inj = self.live.inject(
                body["equipment"],
                body["fault"],
                float(body.get("duration_s", 600)),
                severity=float(body.get("severity", 1.0)),
            )
            log.info("injected %s", inj)
        elif verb == "clear":
            self.live.clear(body.get("equipment"))
        return []

    # ------------------------------------------------------------------ Sparkplug B

    def _will(self) -> tuple[str, bytes]:
        return self.node.new_session(_now_ms())

    def _births(self) -> list[tuple[str, bytes]]:
        now = _now_ms()
        values = {
            name: {sig: v for sig, (_, v) in self.live.latest(name).items()}
            for name in self.live.machines
        }
        return self.node.rebirth(now, values)

    def _encode_sparkplug(self, item: Item) -> list[tuple[str, bytes]]:
        tick: Tick = item[1]
        return [self.node.ddata(tick.equipment, tick.ts_ms, tick.signals)]

    def _ncmd(self, topic: str, payload: bytes) -> list[tuple[str, bytes]]:
        return self._births() if is_rebirth_request(payload) else []

    def _deaths(self) -> list[tuple[str, bytes]]:
        now = _now_ms()
        out = [self.node.ddeath(d, now) for d in self.live.machines]
        # The NDEATH of this session (the same bdSeq as the will the broker holds).
        out.append(self.node.ndeath(now))
        return out


def _now_ms() -> int:
    return int(time.time() * 1000)
