"""Sparkplug B over MQTT: births declare aliases, data by alias lands in the store with each
metric's own time, births and deaths set the machines' state, and a sequence gap makes the
connector ask the edge node for a rebirth (an NCMD seen on the broker)."""

from __future__ import annotations

import threading
from typing import Any

import paho.mqtt.client as mqtt
import pyarrow as pa

from openkamp.connectors.payloads.sparkplug import SparkplugEdgeNode, is_rebirth_request
from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import Broker

from .conftest import INJ, PRESS, Publisher, mqtt_connection, sid, status, wait_for

T0 = 1_780_000_000_000  # ms


def state(kamp: Platform, path: str) -> str | None:
    eq = kamp.assets.resolve(kamp.principal(), path).id
    found = kamp.meta.find(kamp.default_org_id, "equipment_state", equipment_id=eq)
    return found[0]["state"] if found else None


class Watcher:
    """Collects NCMD payloads sent to the edge node (what the platform asks of it)."""

    def __init__(self, broker: Broker, topic: str) -> None:
        self.seen: list[bytes] = []
        self.ready = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="watcher")
        self.client.on_message = lambda _c, _u, m: self.seen.append(m.payload)
        self.client.on_subscribe = lambda *a: self.ready.set()
        self.client.on_connect = lambda c, *a: c.subscribe(topic, 1)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert self.ready.wait(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_sparkplug_births_data_deaths_and_rebirth(kamp: Platform, broker: Broker) -> None:
    conn = mqtt_connection(
        kamp,
        broker,
        [{"topic": "spBv1.0/plant1/#", "format": "sparkplug",
          "equipment_map": {"press01": PRESS, "edge1/inj01": INJ}}],
    )  # fmt: skip
    wait_for(lambda: status(kamp, conn)["state"] == "running", what="running")
    node = SparkplugEdgeNode(
        "plant1", "edge1", {"press01": ["pressure", "oil_temp"], "inj01": ["speed"]}
    )
    watcher = Watcher(broker, "spBv1.0/plant1/NCMD/edge1")
    pub = Publisher(broker)
    sent: list[tuple[str, bytes]] = []

    def send(msg: tuple[str, bytes]) -> None:
        sent.append(msg)
        pub.publish(*msg, key=len(sent))

    try:
        node.new_session(T0)
        send(node.nbirth(T0))
        send(node.dbirth("press01", T0, {"pressure": 100.0, "oil_temp": 40.0}))
        send(node.dbirth("inj01", T0, {"speed": 7.0}))
        ts = [T0 + 1000, T0 + 2000, T0 + 3000]
        send(node.ddata("press01", ts, {"pressure": [101.0, 102.0, 103.0],
                                        "oil_temp": [41.0, 42.0, 43.0]}))  # fmt: skip
        pub.wait_acked(len(sent))
        p, o = sid(kamp, PRESS, "pressure"), sid(kamp, PRESS, "oil_temp")
        s = sid(kamp, INJ, "speed")

        def rows() -> dict[tuple[int, int], float]:
            got = kamp.ts.read(kamp.default_org_id, [p, o, s])
            tss = got.column("ts").cast(pa.int64()).to_pylist()
            keys = zip(got.column("signal_id").to_pylist(), tss, strict=True)
            return dict(zip(keys, got.column("value").to_pylist(), strict=True))

        wait_for(lambda: len(rows()) == 9, what="births' and data's points")
        got = rows()
        assert got[p, T0 * 1000] == 100.0 and got[s, T0 * 1000] == 7.0
        assert [got[p, t * 1000] for t in ts] == [101.0, 102.0, 103.0]
        assert [got[o, t * 1000] for t in ts] == [41.0, 42.0, 43.0]
        wait_for(lambda: state(kamp, PRESS) == "running" and state(kamp, INJ) == "running",
                 what="births mark the machines running")  # fmt: skip
        assert watcher.seen == []  # nothing missing so far: no rebirth asked

        send(node.ddeath("inj01", T0 + 4000))
        wait_for(lambda: state(kamp, INJ) == "offline", what="DDEATH marks inj01 offline")
        assert state(kamp, PRESS) == "running"

        node._next_seq()  # a message lost on the way: the next one's seq jumps
        send(node.ddata("press01", [T0 + 5000], {"pressure": [104.0]}))
        wait_for(lambda: any(is_rebirth_request(x) for x in watcher.seen), what="a rebirth NCMD")
        st: dict[str, Any] = status(kamp, conn)
        assert st["rejected"].get("sparkplug.rebirth") == 1, st
        assert st["rejected"].get("payload.seq") == 1, st
        wait_for(lambda: len(rows()) == 10, what="the data after the gap is still stored")

        send(node.ndeath(T0 + 6000))
        wait_for(lambda: state(kamp, PRESS) == "offline", what="NDEATH marks its devices offline")
    finally:
        pub.close()
        watcher.close()
