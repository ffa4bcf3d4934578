"""The edge with a real local source: a Modbus connection polls a pymodbus server on the factory
PC and the edge forwards through a remote outage; every point the poller wrote into the queue
reaches the remote, once, with the server's value."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from pymodbus.client import AsyncModbusTcpClient as Client
from tests.connectors_modbus.conftest import ModbusTestServer

from openkamp.edge.runner import Edge

from .conftest import PRESS, SETTINGS, RemotePlatform, wait_for


def test_modbus_points_reach_the_remote_through_an_outage(
    tmp_path: Path, remote: RemotePlatform
) -> None:
    words = list(Client.convert_to_registers(161.3, Client.DATATYPE.FLOAT32, word_order="little"))
    plc = ModbusTestServer({1: {"holding": words}})
    plc.start()
    conn = {"name": "plc", "kind": "modbus", "config": {
        "host": "127.0.0.1", "port": plc.port, "equipment": PRESS, "poll_period_s": 0.02,
        "registers": [{"signal": "pressure", "address": 0, "type": "float32",
                       "word_order": "little"}],
    }}  # fmt: skip
    edge = Edge(tmp_path / "edge", remote.url, remote.token, connections=[conn],
                platform_settings=SETTINGS, status_interval_s=0.2)  # fmt: skip
    edge.start()
    try:
        wait_for(lambda: remote.count("pressure") >= 20, what="polls at the remote")
        remote.stop()
        assert edge.queue is not None
        wait_for(lambda: edge.queue.stats()["points"] >= 30, what="polls queued")  # type: ignore[union-attr]
        remote.start()
        time.sleep(0.5)
        me = edge.kamp.principal()
        rec = edge.kamp.connections.find(me, "plc")
        edge.kamp.connections.stop(me, rec["id"])  # the source stops; the queue drains
        polled = edge.kamp.connections.status(me, rec["id"])["points"]
        assert edge.queue.wait_empty(30)
    finally:
        edge.stop()
        plc.close()
    ts, values = remote.values("pressure")
    assert len(ts) == polled == len(np.unique(ts))
    assert np.all(values == float(np.float32(161.3)))
