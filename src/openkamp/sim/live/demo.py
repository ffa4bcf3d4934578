"""The demo factory, running: ``openkamp demo --serve`` (the README's first command) starts a
private Mosquitto on a free local port and the live simulator in the platform process, and
points two enabled connections of the demo organisation at them, so live data flows into the
store while the server runs.

* MQTT (``demo-mqtt``): the moulding line's machines as JSON batches
  (``openkamp/plant1/line1/<machine>``) and the CNC machine as Sparkplug B
  (``spBv1.0/plant1/…/edge1/cnc01``).
* OPC UA (``demo-opcua``): the hydraulic press's variables, subscribed (history kept).

The simulator runs on the wall clock from now, so every live point is newer than the stored
demo month (which ends in the past) and lands on the same signals. Without Mosquitto the demo
says (Korean and English) that live data needs ``apt-get install mosquitto`` and goes on with
the stored data: it never fails for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from typing import Any

from openkamp.i18n import t
from openkamp.sim.live.factory import Tick

log = logging.getLogger(__name__)

#: Sampling periods of the live machines (seconds; the injection machine's is its cycle time).
PERIODS = {"hydraulic_press": 1.0, "cnc": 1.0, "melting_tank": 2.0, "injection_moulding": 5.0}
MQTT_NAME = "demo-mqtt"
OPCUA_NAME = "demo-opcua"
#: Which machine comes over which protocol.
JSON_MACHINES = ("inj01", "tank01")
SPARKPLUG_MACHINES = ("cnc01",)
OPCUA_MACHINES = ("press01",)


class _Only:
    """An output that gets only some machines' readings."""

    def __init__(self, out: Any, machines: tuple[str, ...]) -> None:
        self.out, self.machines = out, set(machines)

    async def start(self) -> None:
        await self.out.start()

    async def publish(self, ticks: Sequence[Tick]) -> None:
        mine = [x for x in ticks if x.equipment in self.machines]
        if mine:
            await self.out.publish(mine)

    async def stop(self) -> None:
        await self.out.stop()


class LiveDemo:
    """The broker, the simulator's thread and its outputs; :meth:`stop` ends them all."""

    def __init__(self, *, seed: int = 42, tick_s: float = 1.0) -> None:
        from openkamp.sim.live import LiveFactory

        self.live = LiveFactory(seed=seed, periods=PERIODS)
        self.tick_s = tick_s
        self._stack = contextlib.ExitStack()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="openkamp-live-demo", daemon=True
        )
        self._sim: Any = None
        self.broker: Any = None
        self.opcua: Any = None
        self.publisher: Any = None
        self.sparkplug: Any = None

    def start(self) -> LiveDemo:
        from openkamp.connectors.payloads.sparkplug import SparkplugEdgeNode
        from openkamp.sim.live import MqttPublisher, OpcUaServer, Simulator, free_port, run_broker

        # asyncua warns on the console about the demo's security-free endpoint: not for users.
        logging.getLogger("asyncua").addHandler(logging.NullHandler())

        try:
            self.broker = self._stack.enter_context(run_broker())
            host, port = self.broker.host, self.broker.port
            self.publisher = MqttPublisher(
                self.live, host, port, json_form="batch", sparkplug=False, client_prefix="demo"
            )
            self.sparkplug = MqttPublisher(
                self.live, host, port, json_form=None, sparkplug=True, control=False,
                client_prefix="demo",
            )  # fmt: skip
            # The edge node declares only its Sparkplug machines (no births of unmapped ones).
            self.sparkplug.node = SparkplugEdgeNode(
                self.sparkplug.group_id,
                self.sparkplug.edge_node_id,
                {m: [d.name for d in self.live.signal_defs(m)] for m in SPARKPLUG_MACHINES},
            )
            self.opcua = OpcUaServer(self.live, port=free_port())
            outputs = [
                _Only(self.publisher, JSON_MACHINES),
                _Only(self.sparkplug, SPARKPLUG_MACHINES),
                self.opcua,
            ]
            self._sim = Simulator(self.live, outputs, tick_s=self.tick_s)
            self._thread.start()
            asyncio.run_coroutine_threadsafe(self._sim.start(), self._loop).result(60)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._sim is not None and self._thread.is_alive():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._sim.stop(), self._loop).result(30)
            self._sim = None
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._stack.close()

    # -- the connections ----------------------------------------------------------------------

    def mqtt_config(self) -> dict[str, Any]:
        site = self.live.factory.site[0]
        paths = self.live.paths
        subs: list[dict[str, Any]] = [
            {
                "topic": f"{self.publisher.prefix}/{site}/{paths[m].line}/{m}",
                "format": "json",
                "equipment": str(paths[m]),
            }
            for m in JSON_MACHINES
        ]
        subs.append(
            {
                "topic": f"spBv1.0/{self.sparkplug.group_id}/#",
                "format": "sparkplug",
                "equipment_map": {m: str(paths[m]) for m in SPARKPLUG_MACHINES},
            }
        )
        return {
            "host": self.broker.host,
            "port": self.broker.port,
            "client_id": "openkamp-demo",
            "subscriptions": subs,
        }

    def opcua_config(self) -> dict[str, Any]:
        nodes = [
            {
                "node_id": self.opcua.node_id(m, d.name),
                "equipment": str(self.live.paths[m]),
                "signal": d.name,
                "unit": d.unit,
            }
            for m in OPCUA_MACHINES
            for d in self.live.signal_defs(m)
        ]
        return {"endpoint": self.opcua.endpoint, "nodes": nodes}

    def connect(self, kamp: Any) -> list[dict[str, Any]]:
        """Create (or point at this run's ports) the demo organisation's two connections."""
        me = kamp.principal()
        out = []
        for name, kind, config in (
            (MQTT_NAME, "mqtt", self.mqtt_config()),
            (OPCUA_NAME, "opcua", self.opcua_config()),
        ):
            rec = kamp.connections.find(me, name)
            if rec is None:
                out.append(kamp.connections.create(me, name, kind, config, enabled=True))
            else:
                out.append(kamp.connections.update(me, rec["id"], config=config, enabled=True))
        return out


def start_live_demo(kamp: Any, console: Any = None, lang: str = "ko") -> LiveDemo | None:
    """Start the live demo and connect the platform to it; None (said on ``console``) when
    Mosquitto is missing or the simulator cannot start: the stored demo data still serves."""
    from openkamp.sim.live.mosquitto import find_mosquitto

    say = console.print if console is not None else log.warning
    if find_mosquitto() is None:  # said in Korean and English: the install hint matters
        for language in ("ko", "en"):
            say(f"[yellow]![/] {t('live_ui.no_mosquitto', language)}")
        return None
    demo = LiveDemo()
    try:
        demo.start()
        demo.connect(kamp)
    except Exception as exc:  # the stored demo still serves: say why and go on
        log.exception("live demo failed")
        demo.stop()
        say(f"[yellow]![/] {t('live_ui.failed', lang, error=exc)}")
        return None
    say(
        "[green]✓[/] "
        + t(
            "live_ui.started",
            lang,
            mqtt=demo.broker.url,
            json=", ".join(JSON_MACHINES),
            sparkplug=", ".join(SPARKPLUG_MACHINES),
            opcua=demo.opcua.endpoint,
            opcua_machines=", ".join(OPCUA_MACHINES),
        )
    )
    say(
        f"[dim]{t('live_ui.inject_hint', lang)}: mosquitto_pub -p {demo.broker.port} -t "
        f"{demo.publisher.prefix}/_sim/inject -m "
        '\'{"equipment": "press01", "fault": "bearing_wear", "duration_s": 600}\'[/]'
    )
    return demo
