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

The demo organisation gets default alert rules for the live machines
(:mod:`openkamp.sim.live.demo_rules`), and the web UI injects faults through the running
:class:`LiveDemo` (``app.state.simulator``, ``/api/v1/simulator``): :meth:`LiveDemo.inject`,
:meth:`LiveDemo.end` and :meth:`LiveDemo.status` act for engineers and administrators of the
organisation the demo feeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.i18n import t
from openkamp.sim.live.factory import Tick
from openkamp.sim.live.faults import Injection

log = logging.getLogger(__name__)

#: Sampling periods of the live machines (seconds; the injection machine's is its cycle time,
#: its own 42 s: its short stoppages come every ~70 shots, and at a faster cycle they came every
#: few minutes, each one longer than the overview's "no new data" limit).
PERIODS = {"hydraulic_press": 1.0, "cnc": 1.0, "melting_tank": 2.0, "injection_moulding": 42.0}
MQTT_NAME = "demo-mqtt"
OPCUA_NAME = "demo-opcua"
#: Which machine comes over which protocol.
JSON_MACHINES = ("inj01", "tank01")
SPARKPLUG_MACHINES = ("cnc01",)
OPCUA_MACHINES = ("press01",)
#: The machines that send live data, in the order the UI lists them.
LIVE_MACHINES = (*OPCUA_MACHINES, *SPARKPLUG_MACHINES, *JSON_MACHINES)
PROTOCOLS = {
    **{m: "opcua" for m in OPCUA_MACHINES},
    **{m: "sparkplug" for m in SPARKPLUG_MACHINES},
    **{m: "mqtt-json" for m in JSON_MACHINES},
}
#: The longest fault the UI may inject (a day).
MAX_DURATION_S = 86_400.0


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
        #: The organisation the demo's connections feed (set by :meth:`connect`).
        self.org_id: int | None = None
        self.rules_created = 0
        self.broker: Any = None
        self.opcua: Any = None
        self.publisher: Any = None
        self.sparkplug: Any = None

    def start(self) -> LiveDemo:
        from openkamp.connectors.payloads.sparkplug import SparkplugEdgeNode
        from openkamp.sim.live import MqttPublisher, OpcUaServer, Simulator, free_port, run_broker

        # asyncua warns on the console about the demo's security-free endpoint: not for users.
        logging.getLogger("asyncua").addHandler(logging.NullHandler())

        async def broker() -> Any:
            # Started from the simulator's own thread: the broker lives as long as that thread,
            # and ends with it when the process is killed (no broker left behind a SIGKILL).
            return self._stack.enter_context(run_broker(die_with_parent=True))

        try:
            self._thread.start()
            self.broker = asyncio.run_coroutine_threadsafe(broker(), self._loop).result(60)
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
            asyncio.run_coroutine_threadsafe(self._hold_session(), self._loop).result(30)
            asyncio.run_coroutine_threadsafe(self._sim.start(), self._loop).result(60)
        except BaseException:
            self.stop()
            raise
        return self

    async def _hold_session(self) -> None:
        """Open the platform's MQTT session on the broker before the first reading: the broker
        keeps what the machines publish until the server's connection takes it over (the
        moulding machine's first shot and the Sparkplug births come before the server runs)."""
        import aiomqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        config = self.mqtt_config()
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 7 * 86_400  # as the connection's own default
        async with aiomqtt.Client(
            config["host"], config["port"], identifier=config["client_id"],
            protocol=aiomqtt.ProtocolVersion.V5, clean_start=False, properties=props,
        ) as client:  # fmt: skip
            await client.subscribe([(sub["topic"], 1) for sub in config["subscriptions"]])

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
        """Create (or point at this run's ports) the demo organisation's two connections, and
        its default alert rules for the live machines where it lacks them."""
        from openkamp.sim.live.demo_rules import ensure_demo_rules

        me = kamp.principal()
        self.org_id = me.org_id
        self.rules_created = len(
            ensure_demo_rules(kamp, {m: str(self.live.paths[m]) for m in LIVE_MACHINES}, me)
        )
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

    # -- fault injection (the web UI) ---------------------------------------------------------

    def _allowed(self, principal: Principal, role: Role) -> None:
        """Only the organisation the demo feeds sees its simulator (others: "not running")."""
        if self.org_id is None or principal.org_id != self.org_id or self._sim is None:
            raise NotFound(
                "No live simulator runs in this server for your organisation.",
                hint="Start the demo with ./kamp demo (openkamp demo --serve).",
                code="simulator.not_running",
            )
        require(principal, role)

    def status(self, principal: Principal) -> dict[str, Any]:
        """The live machines with the faults each can take, and the faults going on or still
        to begin (anyone of the demo's organisation may read it)."""
        from openkamp.sim.live.demo_rules import rules_for

        self._allowed(principal, Role.VIEWER)
        machines = []
        for m in LIVE_MACHINES:
            machine = self.live.machine(m)
            machines.append(
                {
                    "equipment": m,
                    "path": str(self.live.paths[m]),
                    "name_ko": machine.name_ko,
                    "name_en": machine.name_en,
                    "protocol": PROTOCOLS[m],
                    "faults": [
                        {"fault": name, "signals": list(spec.signals),
                         "rules": [r.name for r in rules_for(m, name)]}
                        for name, spec in self.live.faults(m).items()
                    ],
                }
            )  # fmt: skip
        return {"machines": machines, "injections": [self._out(i) for i in self.live.pending()]}

    def inject(
        self,
        principal: Principal,
        equipment: str,
        fault: str,
        duration_s: float = 600.0,
        severity: float = 1.0,
    ) -> dict[str, Any]:
        """Inject ``fault`` into a live machine from now for ``duration_s`` seconds (engineers
        and administrators)."""
        self._allowed(principal, Role.ENGINEER)
        if equipment not in LIVE_MACHINES:
            raise InvalidInput(
                f"No live machine {equipment!r}; live: {', '.join(LIVE_MACHINES)}.",
                code="live.no_machine",
                params={"equipment": equipment, "known": ", ".join(LIVE_MACHINES)},
            )
        if not duration_s <= MAX_DURATION_S:  # NaN too
            raise InvalidInput(
                f"A fault lasts at most {MAX_DURATION_S:.0f} s here, got {duration_s!r}.",
                code="live.long_duration",
                params={"duration": duration_s, "limit": f"{MAX_DURATION_S:.0f}"},
            )
        inj = self.live.inject(equipment, fault, duration_s, severity=severity)
        log.info("fault injected by %s: %s", principal.name, inj)
        return self._out(inj)

    def end(self, principal: Principal, injection_id: int) -> dict[str, Any]:
        """End an injected fault now (engineers and administrators)."""
        self._allowed(principal, Role.ENGINEER)
        inj = self.live.end(injection_id)
        log.info("fault ended by %s: %s", principal.name, inj)
        return self._out(inj)

    def _out(self, inj: Injection) -> dict[str, Any]:
        origin = self.live.origin.to_pydatetime()
        start: datetime = origin + timedelta(seconds=inj.start_s)
        end: datetime = origin + timedelta(seconds=inj.end_s)
        return {
            "id": inj.id,
            "equipment": inj.equipment,
            "fault": inj.fault,
            "severity": inj.severity,
            "start": start,
            "end": end,
            "signals": list(self.live.faults(inj.equipment)[inj.fault].signals),
        }


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
    if demo.rules_created:
        say(f"[green]✓[/] {t('live_ui.rules_created', lang, n=demo.rules_created)}")
    s = kamp.settings
    host = "127.0.0.1" if s.host in ("0.0.0.0", "", "::") else s.host
    say(f"[green]✓[/] {t('live_ui.inject_ui', lang, url=f'http://{host}:{s.port}/#simulator')}")
    say(
        f"[dim]{t('live_ui.inject_hint', lang)}: mosquitto_pub -p {demo.broker.port} -t "
        f"{demo.publisher.prefix}/_sim/inject -m "
        '\'{"equipment": "press01", "fault": "bearing_wear", "duration_s": 600}\'[/]'
    )
    return demo
