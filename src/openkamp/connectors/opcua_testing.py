"""A synthetic OPC UA server of many machines and variables (tests and the benchmark).

:class:`BigServer` serves ``machines`` objects under ``Objects/plant/line<k>/``, each with
``variables`` Double variables carrying ``EngineeringUnits`` (UNECE ``CEL``) and ``EURange``,
so a browse sees what a large PLC / SCADA server shows. :meth:`BigServer.tick` gives every
variable a new value at one source time (values from a seeded formula, so a reader can check
them: :func:`value_at`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from openkamp.connectors.opcua import _ua

NAMESPACE = "urn:openkamp:bigserver"


def value_at(machine: int, variable: int, second: int) -> float:
    """The value variable ``variable`` of machine ``machine`` has at ``second`` (µs exact)."""
    return float((machine * 7919 + variable * 104729 + second * 31) % 100_000) / 100.0


class BigServer:
    """An asyncua server of ``machines`` × ``variables`` numeric variables (module docstring)."""

    def __init__(
        self, port: int, machines: int = 50, variables: int = 100, machines_per_line: int = 10
    ) -> None:
        self.port = port
        self.machines = machines
        self.variables = variables
        self.machines_per_line = machines_per_line
        self.server: Any = None
        self.nodes: list[Any] = []  # NodeIds, machine-major
        self.ns = 2

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://127.0.0.1:{self.port}/big/"

    def node_id(self, machine: int, variable: int) -> str:
        return f"ns={self.ns};s=m{machine:04d}/v{variable:04d}"

    async def start(self) -> None:
        from asyncua import Server

        ua = _ua()
        server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        self.ns = await server.register_namespace(NAMESPACE)
        ns = self.ns
        plant = await server.nodes.objects.add_object(
            ua.NodeId("plant", ns), ua.QualifiedName("plant", ns)
        )
        cel = ua.EUInformation(
            NamespaceUri="http://www.opcfoundation.org/UA/units/un/cefact",
            UnitId=(ord("C") << 16) | (ord("E") << 8) | ord("L"),
            DisplayName=ua.LocalizedText("°C", "en"),
            Description=ua.LocalizedText("degree Celsius", "en"),
        )
        line: Any = None
        for m in range(self.machines):
            if m % self.machines_per_line == 0:
                k = m // self.machines_per_line + 1
                line = await plant.add_object(
                    ua.NodeId(f"line{k}", ns), ua.QualifiedName(f"line{k}", ns)
                )
            machine = await line.add_object(
                ua.NodeId(f"m{m:04d}", ns), ua.QualifiedName(f"m{m:04d}", ns)
            )
            for v in range(self.variables):
                nid = ua.NodeId(f"m{m:04d}/v{v:04d}", ns)
                var = await machine.add_variable(
                    nid, ua.QualifiedName(f"v{v:04d}", ns), ua.Variant(0.0, ua.VariantType.Double)
                )
                await var.add_property(
                    ua.NodeId(f"m{m:04d}/v{v:04d}/eu", ns), ua.QualifiedName("EngineeringUnits", 0),
                    cel,
                )  # fmt: skip
                await var.add_property(
                    ua.NodeId(f"m{m:04d}/v{v:04d}/range", ns), ua.QualifiedName("EURange", 0),
                    ua.Range(Low=0.0, High=1000.0),
                )  # fmt: skip
                self.nodes.append(nid)
        await server.start()
        self.server = server

    async def tick(self, second: int) -> None:
        """Every variable's value at ``second`` (epoch seconds), stamped with that time."""
        ua = _ua()
        at = datetime.fromtimestamp(second, UTC)
        now = datetime.now(UTC)
        write = self.server.write_attribute_value
        for i, nid in enumerate(self.nodes):
            m, v = divmod(i, self.variables)
            dv = ua.DataValue(
                ua.Variant(value_at(m, v, second), ua.VariantType.Double),
                SourceTimestamp=at,
                ServerTimestamp=now,
            )
            await write(nid, dv)

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None


async def _serve(port: int, machines: int, variables: int, rate_hz: float) -> None:
    import sys
    import time

    srv = BigServer(port, machines, variables)
    await srv.start()
    second = int(time.time())
    await srv.tick(second)
    print(f"ready {srv.endpoint} {second}", flush=True)
    try:
        if rate_hz <= 0:  # serve until killed
            await asyncio.Event().wait()
        while True:
            second += 1
            await asyncio.sleep(max(0.0, second - time.time()))
            await srv.tick(second)
            print(f"tick {second}", flush=True)
    finally:
        await srv.stop()
        sys.stdout.flush()


if __name__ == "__main__":  # python -m openkamp.connectors.opcua_testing PORT MACHINES VARS HZ
    import logging
    import sys

    logging.disable(logging.WARNING)
    a = sys.argv[1:]
    asyncio.run(_serve(int(a[0]), int(a[1]), int(a[2]), float(a[3]) if len(a) > 3 else 0.0))
