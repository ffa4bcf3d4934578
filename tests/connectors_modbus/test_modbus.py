"""The Modbus TCP connector against a real pymodbus server: every type and word / byte order
decodes to the value the server holds, adjacent registers are read in as few requests as the
protocol allows, a stopped and restarted server is reconnected to with the outage counted, and
an illegal address is counted without costing the other signals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from pymodbus.client import AsyncModbusTcpClient as Client

from openkamp.connectors.modbus import (
    MAX_REGISTERS,
    ModbusRegister,
    _Entry,
    decode,
    encode,
    plan,
)
from openkamp.platform import Platform

from .conftest import PRESS, ModbusTestServer, sid, wait_for

DT = Client.DATATYPE


def words(value: float, kind: Any, word_order: str = "big") -> list[int]:
    """pymodbus's own encoding (independent of ours)."""
    return list(Client.convert_to_registers(value, kind, word_order=word_order))  # type: ignore[arg-type]


def swap_bytes(ws: list[int]) -> list[int]:
    return [((w & 0xFF) << 8) | (w >> 8) for w in ws]


def f32(x: float) -> float:
    return float(np.float32(x))


# The server's holding registers 0..23, and what each entry must read back.
HOLDING = (
    words(161.3, DT.FLOAT32)  # 0: ABCD
    + words(-1234.5678, DT.FLOAT32, "little")  # 2: CDAB
    + swap_bytes(words(0.0421, DT.FLOAT32))  # 4: BADC
    + swap_bytes(words(98765.43, DT.FLOAT32, "little"))  # 6: DCBA
    + words(-1613, DT.INT16)  # 8: int16, scale 10
    + words(65000, DT.UINT16)  # 9
    + words(-123456789, DT.INT32)  # 10
    + words(987654321, DT.INT32, "little")  # 12
    + words(4_000_000_000, DT.UINT32)  # 14
    + words(2.718281828459045, DT.FLOAT64)  # 16
    + words(-6.02214076e23, DT.FLOAT64, "little")  # 20
)
MAP: list[dict[str, Any]] = [
    {"signal": "f32_abcd", "address": 0, "type": "float32"},
    {"signal": "f32_cdab", "address": 2, "type": "float32", "word_order": "little"},
    {"signal": "f32_badc", "address": 4, "type": "float32", "byte_order": "little"},
    {"signal": "f32_dcba", "address": 6, "type": "float32", "word_order": "little",
     "byte_order": "little"},
    {"signal": "i16_scaled", "address": 8, "type": "int16", "scale": 10},
    {"signal": "u16", "address": 9, "type": "uint16", "offset": -65000.5},
    {"signal": "i32", "address": 10, "type": "int32"},
    {"signal": "i32_cdab", "address": 12, "type": "int32", "word_order": "little"},
    {"signal": "u32", "address": 14, "type": "uint32"},
    {"signal": "f64", "address": 16, "type": "float64"},
    {"signal": "f64_cdab", "address": 20, "type": "float64", "word_order": "little"},
    {"signal": "input_f32", "address": 0, "function": "input", "type": "float32"},
    {"signal": "coil", "address": 2, "function": "coil"},
    {"signal": "discrete", "address": 1, "function": "discrete"},
    {"signal": "other_unit", "address": 1, "type": "int16", "unit_id": 2, "scale": 100},
]  # fmt: skip
EXPECTED = {
    "f32_abcd": f32(161.3), "f32_cdab": f32(-1234.5678), "f32_badc": f32(0.0421),
    "f32_dcba": f32(98765.43), "i16_scaled": -161.3, "u16": -0.5, "i32": -123456789.0,
    "i32_cdab": 987654321.0, "u32": 4_000_000_000.0, "f64": 2.718281828459045,
    "f64_cdab": -6.02214076e23, "input_f32": f32(-0.5), "coil": 1.0, "discrete": 0.0,
    "other_unit": -3.07,
}  # fmt: skip
TABLES = {
    1: {
        "holding": HOLDING,
        "input": words(-0.5, DT.FLOAT32),
        "coils": [False, False, True, False],
        "discrete": [True, False, True],
    },
    2: {"holding": [0, *words(-307, DT.INT16)]},
}
#: Requests one poll of MAP takes: unit 1 holding 0..23, input 0..1, coils, discrete; unit 2.
REQUESTS_PER_POLL = 5


@pytest.fixture
def server() -> Iterator[ModbusTestServer]:
    srv = ModbusTestServer(TABLES)
    srv.start()
    yield srv
    srv.close()


def connect(kamp: Platform, server: ModbusTestServer, registers: list[dict[str, Any]],
            **config: Any) -> dict[str, Any]:  # fmt: skip
    cfg = {"host": "127.0.0.1", "port": server.port, "equipment": PRESS, "poll_period_s": 0.1,
           "timeout_s": 1.0, "reconnect_max_s": 0.5, "registers": registers, **config}  # fmt: skip
    return kamp.connections.create(kamp.principal(), "plc", "modbus", cfg)


def stored(kamp: Platform, name: str) -> np.ndarray:
    tbl = kamp.ts.read(kamp.default_org_id, [sid(kamp, name)])
    return np.asarray(tbl.column("value").to_numpy())


def status(kamp: Platform, rec: dict[str, Any]) -> dict[str, Any]:
    return kamp.connections.status(kamp.principal(), rec["id"])


def test_decode_agrees_with_pymodbus_for_every_type_and_order() -> None:
    cases = [(DT.INT16, "int16", -1613), (DT.UINT16, "uint16", 65000),
             (DT.INT32, "int32", -123456789), (DT.UINT32, "uint32", 4_000_000_000),
             (DT.FLOAT32, "float32", f32(161.3)), (DT.FLOAT64, "float64", -6.02214076e23)]  # fmt: skip
    for dt, kind, value in cases:
        for order in ("big", "little"):
            ws = words(value, dt, order)
            assert decode(ws, kind, order) == value, (kind, order)
            assert encode(value, kind, order) == ws, (kind, order)
            # Byte-swapped devices: the same words with each word's two bytes exchanged.
            assert decode(swap_bytes(ws), kind, order, "little") == value, (kind, order)


def test_adjacent_registers_are_read_in_as_few_requests_as_the_protocol_allows() -> None:
    def entry(address: int, kind: str = "float32", **kw: Any) -> _Entry:
        return _Entry(ModbusRegister(signal="s", address=address, type=kind, **kw), 1)  # type: ignore[arg-type]

    # 100 float32 back to back = 200 registers: two requests (125 + 75), none split mid-value.
    blocks = plan([entry(2 * k) for k in range(100)], unit_id=1)
    assert [(b.start, b.count) for b in blocks] == [(0, 124), (124, 76)]
    assert all(b.count <= MAX_REGISTERS for b in blocks)
    # A gap splits unless merge_gap allows reading across it; tables and units never mix.
    mixed = [entry(0), entry(2), entry(10), entry(0, function="input"), entry(0, unit_id=3)]
    assert len(plan(mixed, unit_id=1)) == 4
    assert len(plan(mixed, unit_id=1, merge_gap=6)) == 3
    # 2000 coils per request.
    coils = plan([entry(k, function="coil") for k in range(2500)], unit_id=1)
    assert [(b.start, b.count) for b in coils] == [(0, 2000), (2000, 500)]


def test_every_type_and_order_is_stored_as_the_servers_value(
    kamp: Platform, server: ModbusTestServer
) -> None:
    rec = connect(kamp, server, MAP)
    wait_for(lambda: all(len(stored(kamp, s)) >= 3 for s in EXPECTED), what="three polls")
    for name, want in EXPECTED.items():
        got = stored(kamp, name)
        assert got[-1] == pytest.approx(want, rel=1e-12, abs=1e-9), name
    kamp.connections.stop(kamp.principal(), rec["id"])
    polls = len(stored(kamp, "f32_abcd"))
    # Grouped: five requests a poll for fifteen signals (the last poll may have been cut short).
    assert REQUESTS_PER_POLL * polls <= server.requests <= REQUESTS_PER_POLL * (polls + 1)
    st = status(kamp, rec)
    assert st["rejected"] == {} and st["restarts"] == 0
    # Each poll carries its own time: the stored times of one signal are all different.
    ts = kamp.ts.read(kamp.default_org_id, [sid(kamp, "f64")]).column("ts").to_pylist()
    assert len(set(ts)) == len(ts) == polls


def test_a_stopped_server_is_reconnected_to_and_the_outage_counted(
    kamp: Platform, server: ModbusTestServer
) -> None:
    rec = connect(kamp, server, MAP[:2])
    wait_for(lambda: len(stored(kamp, "f32_abcd")) >= 3, what="polls before the outage")
    server.stop()
    wait_for(lambda: status(kamp, rec)["notes"].get("modbus.outage") == 1, what="outage")
    wait_for(lambda: status(kamp, rec)["last_error"] is not None, what="the error shown")
    before = len(stored(kamp, "f32_abcd"))
    import time

    time.sleep(1.5)  # several reconnect attempts fail: still one outage, nothing stored
    assert len(stored(kamp, "f32_abcd")) == before
    assert status(kamp, rec)["notes"]["modbus.outage"] == 1
    server.start()
    wait_for(lambda: len(stored(kamp, "f32_abcd")) >= before + 3, what="polls after the restart")
    st = status(kamp, rec)
    assert st["state"] == "running" and st["restarts"] == 0  # reconnected, never crashed
    assert st["notes"] == {"modbus.outage": 1} and st["rejected"] == {}
    assert stored(kamp, "f32_cdab")[-1] == EXPECTED["f32_cdab"]


def test_an_illegal_address_is_counted_and_costs_only_its_signal(
    kamp: Platform, server: ModbusTestServer
) -> None:
    # 'bad' sits right after the served registers (0..23), next to f64_cdab (20..23): their
    # block is refused as a whole once, then read entry by entry.
    bad = {"signal": "bad", "address": len(HOLDING), "type": "uint16"}
    rec = connect(kamp, server, [MAP[0], MAP[1], MAP[10], bad])
    wait_for(lambda: len(stored(kamp, "f64_cdab")) >= 3, what="the good signals")
    kamp.connections.stop(kamp.principal(), rec["id"])
    assert len(stored(kamp, "bad")) == 0
    st = status(kamp, rec)
    assert st["restarts"] == 0 and st["last_error"] is None
    polls = len(stored(kamp, "f32_abcd"))
    assert len(stored(kamp, "f64_cdab")) == polls - 1  # all but the first poll
    # The first poll's whole block (2 entries), then 'bad' alone in every later poll (the last
    # one may have been cut short after its read).
    assert polls + 1 <= st["rejected"]["modbus.illegal_address"] <= polls + 2
    assert set(st["rejected"]) == {"modbus.illegal_address"}
    assert "code 2" in st["samples"]["modbus.illegal_address"]
    assert stored(kamp, "f64_cdab")[-1] == EXPECTED["f64_cdab"]


def test_unknown_signals_are_counted_and_the_rest_polled(
    kamp: Platform, server: ModbusTestServer
) -> None:
    rec = connect(kamp, server, [MAP[0], {"signal": "no_such", "address": 2, "type": "uint16"}])
    wait_for(lambda: len(stored(kamp, "f32_abcd")) >= 2, what="polls")
    assert status(kamp, rec)["rejected"] == {"signal.unknown": 1}


def test_a_server_that_never_answers_costs_timeouts_then_a_reconnect(kamp: Platform) -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []

    def accept() -> None:  # takes connections and requests, answers nothing
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    try:
        rec = kamp.connections.create(kamp.principal(), "mute", "modbus", {
            "host": "127.0.0.1", "port": port, "equipment": PRESS, "poll_period_s": 0.05,
            "timeout_s": 0.2, "reconnect_max_s": 0.3, "registers": MAP[:1],
        })  # fmt: skip
        wait_for(lambda: len(accepted) >= 2, what="a reconnect after three timeouts")
        st = status(kamp, rec)
        assert st["rejected"].get("modbus.timeout", 0) >= 3
        assert st["notes"].get("modbus.outage", 0) >= 1
        assert st["restarts"] == 0 and "no answer" in (st["last_error"] or "")
    finally:
        listener.close()
        for c in accepted:
            c.close()
