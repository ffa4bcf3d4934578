"""Modbus fixtures: a platform with one machine whose live loop runs, and a real pymodbus TCP
server (in its own thread and event loop) that a test fills with words, stops and restarts."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.platform import Platform

PRESS = "plant1/line1/press01"
SIGNALS = [
    "f32_abcd", "f32_cdab", "f32_badc", "f32_dcba", "i16_scaled", "u16", "i32", "i32_cdab",
    "u32", "f64", "f64_cdab", "coil", "discrete", "input_f32", "other_unit", "bad",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(cond: Any, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    kamp = Platform.at(
        tmp_path / "data",
        password_hash_memory_kib=1024, password_hash_time_cost=1,
        duckdb_memory_limit="256MB", connectors_stats_interval_s=0.2,
    )  # fmt: skip
    sigs = [SignalSpec(s, s, s, "") for s in SIGNALS]
    kamp.assets.apply_tree(
        kamp.principal(),
        [
            SiteSpec(
                "plant1",
                lines=[LineSpec("line1", equipment=[EquipmentSpec("press01", signals=sigs)])],
            )
        ],
    )
    kamp.live.start()
    yield kamp
    kamp.close()


def sid(kamp: Platform, name: str) -> int:
    return int(kamp.assets.resolve(kamp.principal(), f"{PRESS}/{name}").id)


class ModbusTestServer:
    """A pymodbus TCP server with devices of plain tables: ``holding`` / ``input`` register
    words and ``coils`` / ``discrete`` bits by unit id, from address 0. Counts the requests
    it receives (``requests``)."""

    def __init__(self, tables: dict[int, dict[str, list[Any]]]) -> None:
        self.tables = tables
        self.port = free_port()
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: Any = None

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(20)

    def _trace(self, sending: bool, pdu: Any) -> Any:
        if not sending:
            self.requests += 1
        return pdu

    async def _start(self) -> None:
        from pymodbus.server import ModbusTcpServer
        from pymodbus.simulator import DataType, SimData, SimDevice

        def block(values: list[Any], kind: Any) -> list[Any]:
            return [SimData(0, values=list(values), datatype=kind)] if values else []

        devices = [
            SimDevice(
                id=unit,
                simdata=(
                    block(t.get("coils", [False]), DataType.BITS),
                    block(t.get("discrete", [False]), DataType.BITS),
                    block(t.get("holding", [0]), DataType.REGISTERS),
                    block(t.get("input", [0]), DataType.REGISTERS),
                ),
            )
            for unit, t in self.tables.items()
        ]
        self._server = ModbusTcpServer(
            devices, address=("127.0.0.1", self.port), trace_pdu=self._trace
        )
        await self._server.serve_forever(background=True)

    async def _stop(self) -> None:
        if self._server is not None:
            await self._server.shutdown()
            self._server = None

    def start(self) -> None:
        self._call(self._start())

    def stop(self) -> None:
        self._call(self._stop())

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
