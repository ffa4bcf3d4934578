"""The Modbus connector reads the live simulator's Modbus server (H2's, with its documented
register map) and stores the simulator's readings: float32 word-swapped (CDAB) exactly as
float32, scaled int16 within half a step; every machine behind one server by its unit id."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.sim_live.conftest import make_live

from openkamp.connectors.modbus import registers_from_map
from openkamp.platform import Platform
from openkamp.sim.live import ModbusServer, register_map

from .conftest import free_port, wait_for


class LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def simulated(tmp_path: Path) -> Iterator[tuple[Platform, Any, ModbusServer]]:
    live = make_live()
    kamp = Platform.at(
        tmp_path / "data",
        password_hash_memory_kib=1024, password_hash_time_cost=1,
        duckdb_memory_limit="256MB", connectors_stats_interval_s=0.2,
    )  # fmt: skip
    kamp.assets.apply_tree(kamp.principal(), [live.factory.asset_model()])
    loop = LoopThread()
    server = ModbusServer(live, port=free_port())
    loop.run(server.start())
    live._clock.t = live.origin.timestamp() + 95.0  # readings due over 95 s
    loop.run(server.publish(live.step()))
    kamp.live.start()
    yield kamp, live, server
    kamp.close()
    loop.run(server.stop())
    loop.close()


def newest(kamp: Platform, path: str) -> float | None:
    sid = int(kamp.assets.resolve(kamp.principal(), path).id)
    tbl = kamp.ts.read(kamp.default_org_id, [sid])
    return None if tbl.num_rows == 0 else float(tbl.column("value")[-1].as_py())


@pytest.mark.parametrize(("kind", "word_order", "table"),
                         [("float32", "little", "holding"), ("int16", "big", "holding"),
                          ("float32", "big", "input")])  # fmt: skip
def test_the_simulators_readings_are_stored_per_its_register_map(
    simulated: tuple[Platform, Any, ModbusServer], kind: str, word_order: str, table: str
) -> None:
    kamp, live, server = simulated
    entries = [e for e in register_map(live)
               if e.kind == kind and e.word_order == word_order and e.table == table]  # fmt: skip
    regs = registers_from_map(entries, live.paths)
    assert {r["unit_id"] for r in regs} == {1, 2, 3, 4}  # four machines behind one server
    kamp.connections.create(
        kamp.principal(), "sim", "modbus",
        {"host": "127.0.0.1", "port": server.port, "poll_period_s": 0.2, "registers": regs},
    )  # fmt: skip
    paths = {(e.equipment, e.signal): f"{live.paths[e.equipment]}/{e.signal}" for e in entries}
    wait_for(lambda: all(newest(kamp, p) is not None for p in paths.values()), what="every signal")
    for e in entries:
        want = live.latest(e.equipment)[e.signal][1]
        got = newest(kamp, paths[e.equipment, e.signal])
        if kind == "float32":
            assert got == float(np.float32(want)), e
        else:
            assert got == pytest.approx(want, abs=0.5 / e.scale + 1e-9), e
