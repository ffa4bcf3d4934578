"""The live factory as an OPC UA server (asyncua), with history for every variable.

**Address space** (namespace ``urn:openkamp:sim``, index 2 on a fresh server)::

    Objects
    └── plant1                      Object   ns=2;s=plant1
        └── line1                   Object   ns=2;s=plant1/line1
            └── inj01               Object   ns=2;s=plant1/line1/inj01
                └── cushion         Variable ns=2;s=plant1/line1/inj01/cushion   (Double)
                    ├── EngineeringUnits  Property  EUInformation (UNECE code, e.g. "mm")
                    └── EURange           Property  Range(low, high) of the sensor

BrowseNames are the code names (``cushion``); DisplayNames the English names; Descriptions the
Korean name and, where there is one, the machine's description. Objects carry the same. Every
variable's ``SourceTimestamp`` is the reading's simulated time.

**Sign-in.** Anonymous by default; with ``users`` (login → password) only those may open a
session (the security policy stays ``None``: a test and demo server, not a secure one).

**History.** Each variable keeps its last ``history_count`` readings (20,000 by default: 55
hours at the demo's 10 s) (all of them, also several
per publishing interval) and answers HistoryRead (raw, by time range): ``Historizing`` is true and
the access levels include HistoryRead, so a client can backfill a gap after a disconnect.
Readings are kept while the server is stopped too (as a control system keeps logging while its
OPC UA interface is down): after :meth:`OpcUaServer.start` again, history holds the outage.
"""

from __future__ import annotations

import hmac
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from openkamp.sim.live.factory import LiveFactory, Tick

NAMESPACE = "urn:openkamp:sim"
UNECE_URI = "http://www.opcfoundation.org/UA/units/un/cefact"

#: Units of the demo's sensors → UNECE Recommendation 20 common codes (OPC UA Part 8, EUInformation).
UNECE: dict[str, str] = {
    "°C": "CEL",
    "bar": "BAR",
    "s": "SEC",
    "mm": "MMT",
    "rpm": "RPM",
    "%": "P1",
    "mm/min": "H81",
    "mm/s": "C16",
    "L/min": "L2",
    "A": "AMP",
    "kW": "KWT",
    "kg": "KGM",
    "g": "K40",  # standard acceleration of free fall
}


def unit_id(code: str) -> int:
    """OPC UA's UnitId of a UNECE code: its characters packed into an integer (Part 8, 5.6.3)."""
    value = 0
    for c in code:
        value = (value << 8) | ord(c)
    return value


class OpcUaServer:
    """Serves the live factory over OPC UA (see the module docstring)."""

    def __init__(
        self,
        live: LiveFactory,
        *,
        host: str = "127.0.0.1",
        port: int = 4840,
        history_count: int = 20_000,
        name: str = "OpenKAMP simulated factory",
        users: Mapping[str, str] | None = None,
    ) -> None:
        self.live = live
        self.host = host
        self.port = port
        self.history_count = history_count
        self.name = name
        #: Login → password; when given, anonymous sessions are refused.
        self.users = dict(users) if users else None
        self.ns = 2
        self._server: Any = None
        self._nodes: dict[tuple[str, str], Any] = {}
        self._history: dict[tuple[str, str], deque[tuple[int, float]]] = {}

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://{self.host}:{self.port}/openkamp/"

    def node_id(self, equipment: str, signal: str) -> str:
        """The string NodeId of a signal's variable, e.g. ``ns=2;s=plant1/line2/press01/flow``."""
        return f"ns={self.ns};s={self.live.paths[equipment]}/{signal}"

    async def start(self) -> None:
        from asyncua import Server

        ua = _ua()

        manager: Any = _Passwords(self.users) if self.users else None  # an asyncua UserManager
        server = Server(user_manager=manager)
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name(self.name)
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        if self.users:
            server.set_security_IDs(["Username"])
        self.ns = await server.register_namespace(NAMESPACE)
        storage = server.iserver.history_manager.storage
        objects = server.nodes.objects
        site, site_ko, site_en = self.live.factory.site
        site_node = await self._object(objects, site, site_en, site_ko)
        for line in self.live.factory.lines:
            line_node = await self._object(
                site_node, f"{site}/{line.name}", line.name_en or line.name, line.name_ko, line.name
            )
            for m in line.machines:
                path = str(self.live.paths[m.name])
                eq = await self._object(
                    line_node, path, m.name_en, f"{m.name_ko} ({m.description})", m.name
                )
                for d in m.signal_defs:
                    var = await eq.add_variable(
                        ua.NodeId(f"{path}/{d.name}", self.ns),
                        ua.QualifiedName(d.name, self.ns),
                        ua.Variant(float("nan"), ua.VariantType.Double),
                    )
                    await var.write_attribute(
                        ua.AttributeIds.DisplayName,
                        ua.DataValue(ua.Variant(ua.LocalizedText(d.name_en, "en"))),
                    )
                    text = f"{d.name_ko}" + (f" — {d.description}" if d.description else "")
                    await var.write_attribute(
                        ua.AttributeIds.Description,
                        ua.DataValue(ua.Variant(ua.LocalizedText(text, "ko"))),
                    )
                    code = UNECE.get(d.unit)
                    eu = ua.EUInformation(
                        NamespaceUri=UNECE_URI,
                        UnitId=unit_id(code) if code else -1,
                        DisplayName=ua.LocalizedText(d.unit, "en"),
                        Description=ua.LocalizedText(d.unit, "en"),
                    )
                    await var.add_property(
                        ua.NodeId(f"{path}/{d.name}/EngineeringUnits", self.ns),
                        ua.QualifiedName("EngineeringUnits", 0),
                        eu,
                    )
                    await var.add_property(
                        ua.NodeId(f"{path}/{d.name}/EURange", self.ns),
                        ua.QualifiedName("EURange", 0),
                        ua.Range(Low=float(d.min_value), High=float(d.max_value)),
                    )
                    # History kept by us (every reading), read by the server's HistoryRead.
                    await var.write_attribute(
                        ua.AttributeIds.Historizing,
                        ua.DataValue(ua.Variant(True, ua.VariantType.Boolean)),
                    )
                    await var.set_attr_bit(ua.AttributeIds.AccessLevel, ua.AccessLevel.HistoryRead)
                    await var.set_attr_bit(
                        ua.AttributeIds.UserAccessLevel, ua.AccessLevel.HistoryRead
                    )
                    # By count only: a period would be measured from the wall clock.
                    await storage.new_historized_node(var.nodeid, None, self.history_count)
                    self._nodes[m.name, d.name] = var
        await server.start()
        self._server = server
        # A restarted server serves what was kept meanwhile (a gap a client can backfill).
        for (equipment, signal), kept in self._history.items():
            await self._serve(equipment, signal, list(kept))

    async def _object(
        self, parent: Any, node_id: str, display: str, description: str, browse: str | None = None
    ) -> Any:
        ua = _ua()
        node = await parent.add_object(
            ua.NodeId(node_id, self.ns), ua.QualifiedName(browse or node_id, self.ns)
        )
        await node.write_attribute(
            ua.AttributeIds.DisplayName, ua.DataValue(ua.Variant(ua.LocalizedText(display, "en")))
        )
        await node.write_attribute(
            ua.AttributeIds.Description,
            ua.DataValue(ua.Variant(ua.LocalizedText(description, "ko"))),
        )
        return node

    async def publish(self, ticks: Sequence[Tick]) -> None:
        """Keep every reading (also while the server is stopped) and serve it if running."""
        for tick in ticks:
            ts = tick.ts_ms.tolist()
            for signal, values in tick.signals.items():
                kept = self._history.setdefault(
                    (tick.equipment, signal), deque(maxlen=self.history_count)
                )
                kept.extend(zip(ts, values.tolist(), strict=True))
                if self._server is not None:
                    await self._serve(
                        tick.equipment, signal, list(zip(ts, values.tolist(), strict=True))
                    )

    async def _serve(self, equipment: str, signal: str, readings: list[tuple[int, float]]) -> None:
        ua = _ua()
        server = self._server
        storage = server.iserver.history_manager.storage
        node = self._nodes[equipment, signal]
        now = datetime.now(UTC)
        dv = None
        for ms, v in readings:
            dv = ua.DataValue(
                ua.Variant(float(v), ua.VariantType.Double),
                SourceTimestamp=datetime.fromtimestamp(ms / 1000.0, UTC),
                ServerTimestamp=now,
            )
            await storage.save_node_value(node.nodeid, dv)
        if dv is not None:
            await server.write_attribute_value(node.nodeid, dv)

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
            self._server = None


def _ua() -> Any:
    """asyncua's ``ua`` module, untyped here: its constructors are annotated with its own wire
    aliases (``String``, ``Int16`` …) that plain ``str`` / ``int`` values satisfy at run time."""
    from asyncua import ua

    return ua


class _Passwords:
    """An asyncua user manager: a session's login and password must match one of ``users``."""

    def __init__(self, users: Mapping[str, str]) -> None:
        self.users = dict(users)

    def get_user(
        self,
        iserver: Any,
        username: str | None = None,
        password: str | None = None,
        certificate: Any = None,
    ) -> Any:
        from asyncua.crypto.permission_rules import User, UserRole

        expected = self.users.get(username or "")
        if expected is None or password is None:
            return None
        if not hmac.compare_digest(expected.encode(), password.encode()):
            return None
        return User(role=UserRole.User, name=username)
