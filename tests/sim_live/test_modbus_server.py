"""A real pymodbus client reads the simulator's Modbus server and, decoding the words per the
register map, gets the simulator's newest readings."""

from __future__ import annotations

import asyncio

import pytest
from pymodbus.client import AsyncModbusTcpClient
from tests.sim_live.conftest import make_live

from openkamp.connectors.payloads.modbus_registers import decode_value
from openkamp.sim.live import ModbusServer, free_port, register_map


def test_register_map_layout_is_documented_data() -> None:
    live = make_live()
    entries = register_map(live)
    press = [e for e in entries if e.equipment == "press01"]
    assert {e.unit_id for e in press} == {4}  # inj01, tank01, cnc01, press01
    by = {(e.signal, e.table, e.kind, e.word_order): e for e in press}
    assert by["flow", "input", "float32", "big"].address == 4  # third signal: 2·2
    assert by["flow", "holding", "int16", "big"].address == 2
    assert by["flow", "holding", "float32", "little"].address == 104
    assert by["vib_rms", "holding", "int16", "big"].scale == 1000.0  # 30 mm/s with 3 decimals fits
    # Injection pressure (2,500 bar with 1 decimal → 25,000) fits int16 at scale 10.
    inj = {(e.signal, e.kind): e for e in entries if e.equipment == "inj01"}
    assert inj["injection_pressure", "int16"].scale == 10.0
    d = by["flow", "input", "float32", "big"].as_dict()
    assert d["function"] == 4 and d["count"] == 2 and d["unit"] == "L/min"


def test_a_modbus_client_reads_every_signal_per_the_map() -> None:
    async def scenario() -> None:
        live = make_live()
        server = ModbusServer(live, port=free_port())
        await server.start()
        client = AsyncModbusTcpClient("127.0.0.1", port=server.port)
        try:
            await client.connect()
            for until in (30.0, 95.0):  # the served values follow the factory
                live._clock.t = live.origin.timestamp() + until  # type: ignore[attr-defined]
                await server.publish(live.step())
                checked = 0
                for e in register_map(live):
                    read = (
                        client.read_input_registers
                        if e.table == "input"
                        else client.read_holding_registers
                    )
                    rr = await read(e.address, count=e.count, device_id=e.unit_id)
                    assert not rr.isError(), e
                    got = decode_value(rr.registers, e.kind, word_order=e.word_order, scale=e.scale)
                    want = live.latest(e.equipment)[e.signal][1]
                    tolerance = 0.5 / e.scale if e.kind == "int16" else abs(want) * 1e-6 + 1e-6
                    assert got == pytest.approx(want, abs=tolerance), e
                    checked += 1
                assert checked == 3 * sum(len(m.signal_defs) for m in live.machines.values())
            # Outside the map: an exception response (illegal data address), not zeros.
            rr = await client.read_holding_registers(60, count=1, device_id=1)
            assert rr.isError()
        finally:
            client.close()
            await server.stop()

    asyncio.run(asyncio.wait_for(scenario(), 30))
