"""The live factory as a Modbus TCP server (pymodbus), with a documented register map.

One server, one **unit id per machine** (1, 2, … in the factory's order: inj01, tank01, cnc01,
press01 for the demo), as behind a Modbus gateway. Each machine's signals ``k = 0, 1, …`` (in
the machine's declaration order) appear three times:

=====================  ===========  ====================================================
table (function)       address      encoding
=====================  ===========  ====================================================
input registers (4)    ``2k``       float32, word order ``big`` (ABCD: high word first)
holding registers (3)  ``k``        int16, ``value × scale`` (scale = 10^decimals of
                                    the sensor, lowered until the range fits in int16)
holding registers (3)  ``100 + 2k`` float32, word order ``little`` (CDAB: low word first)
=====================  ===========  ====================================================

Addresses are the protocol's 0-based addresses (what a client passes). :func:`register_map`
returns every entry as data (:class:`RegisterEntry`; ``as_dict()`` for JSON and connection
configs) and :func:`openkamp.connectors.payloads.modbus_registers.decode_value` turns the words
read back into the value. Registers outside the map answer "illegal data address".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from openkamp.connectors.payloads.modbus_registers import (
    WIDTH,
    RegisterType,
    WordOrder,
    encode_value,
)
from openkamp.sim.live.factory import LiveFactory, Tick
from openkamp.sim.machine import SignalDef

FLOAT_SWAPPED_BASE = 100


@dataclass(frozen=True)
class RegisterEntry:
    """Where one reading of one signal sits, and how it is encoded."""

    equipment: str
    signal: str
    unit_id: int
    table: Literal["input", "holding"]
    address: int
    kind: RegisterType
    word_order: WordOrder
    #: ``value = raw / scale`` (1 for floats)
    scale: float
    unit: str

    @property
    def count(self) -> int:
        """Registers to read."""
        return WIDTH[self.kind]

    @property
    def function(self) -> int:
        """The Modbus function code that reads it (4 input registers, 3 holding registers)."""
        return 4 if self.table == "input" else 3

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "count": self.count, "function": self.function}


def int16_scale(d: SignalDef) -> float:
    """10^decimals of the sensor, lowered until its whole range fits in int16."""
    decimals = d.decimals
    while decimals > 0 and max(abs(d.min_value), abs(d.max_value)) * 10**decimals > 32767:
        decimals -= 1
    return float(10**decimals)


def register_map(live: LiveFactory) -> list[RegisterEntry]:
    """Every register entry of the factory (see the module docstring for the layout)."""
    out: list[RegisterEntry] = []
    for unit_id, (name, m) in enumerate(live.machines.items(), start=1):
        for k, d in enumerate(m.signal_defs):
            out.append(
                RegisterEntry(name, d.name, unit_id, "input", 2 * k, "float32", "big", 1.0, d.unit)
            )
            out.append(
                RegisterEntry(
                    name, d.name, unit_id, "holding", k, "int16", "big", int16_scale(d), d.unit
                )
            )
            out.append(
                RegisterEntry(
                    name,
                    d.name,
                    unit_id,
                    "holding",
                    FLOAT_SWAPPED_BASE + 2 * k,
                    "float32",
                    "little",
                    1.0,
                    d.unit,
                )
            )
    return out


class ModbusServer:
    """Serves the live factory's newest readings over Modbus TCP (see the module docstring)."""

    def __init__(self, live: LiveFactory, *, host: str = "127.0.0.1", port: int = 5020) -> None:
        self.live = live
        self.host = host
        self.port = port
        self.map = register_map(live)
        self._by_machine: dict[str, list[RegisterEntry]] = {}
        for e in self.map:
            self._by_machine.setdefault(e.equipment, []).append(e)
        n = {name: len(m.signal_defs) for name, m in live.machines.items()}
        # The words each machine serves, updated on every tick; read by the request hook.
        self._words: dict[str, dict[str, list[int]]] = {
            name: {"i": [0] * (2 * k), "h": [0] * (FLOAT_SWAPPED_BASE + 2 * k)}
            for name, k in n.items()
        }
        self._server: Any = None

    def words(self, equipment: str) -> dict[str, list[int]]:
        """The machine's current input (``i``) and holding (``h``) words."""
        return self._words[equipment]

    async def start(self) -> None:
        from pymodbus.server import ModbusTcpServer
        from pymodbus.simulator import DataType, SimData, SimDevice

        devices = []
        for unit_id, name in enumerate(self.live.machines, start=1):
            k = len(self._words[name]["i"]) // 2
            words = self._words[name]
            devices.append(
                SimDevice(
                    id=unit_id,
                    simdata=(
                        [SimData(0, count=16, values=False, datatype=DataType.BITS)],
                        [SimData(0, count=16, values=False, datatype=DataType.BITS)],
                        [
                            SimData(0, count=k, values=0, datatype=DataType.REGISTERS),
                            SimData(
                                FLOAT_SWAPPED_BASE,
                                count=2 * k,
                                values=0,
                                datatype=DataType.REGISTERS,
                            ),
                        ],
                        [SimData(0, count=2 * k, values=0, datatype=DataType.REGISTERS)],
                    ),
                    action=functools.partial(_refresh, words),
                )
            )
        self._server = ModbusTcpServer(devices, address=(self.host, self.port))
        await self._server.serve_forever(background=True)

    async def publish(self, ticks: Sequence[Tick]) -> None:
        for tick in ticks:
            entries = self._by_machine[tick.equipment]
            words = self._words[tick.equipment]
            for e in entries:
                v = float(tick.signals[e.signal][-1])
                if not math.isfinite(v):
                    continue
                table = words["i" if e.table == "input" else "h"]
                table[e.address : e.address + e.count] = encode_value(
                    v, e.kind, word_order=e.word_order, scale=e.scale
                )

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.shutdown()
            self._server = None


async def _refresh(
    words: dict[str, list[int]],
    function_code: int,
    start_address: int,
    address: int,
    count: int,
    registers: list[int],
    set_values: Any,
) -> None:
    """pymodbus's request hook: copies the machine's current words into the served block."""
    table = "i" if function_code == 4 else "h" if function_code in (3, 6, 16, 22, 23) else None
    if table is None or set_values is not None:
        return
    src = words[table]
    lo = max(address, start_address)
    hi = min(address + count, start_address + len(src))
    if hi > lo:
        registers[lo - start_address : hi - start_address] = src[lo:hi]
