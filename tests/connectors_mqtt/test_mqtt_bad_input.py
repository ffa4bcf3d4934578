"""Bad input over MQTT is counted on the connection by reason, never ends it, and good messages
keep flowing around it: malformed JSON and protobuf, wrong types, absurd times, unknown
equipment, signals, aliases and topics, and a flood from one topic."""

from __future__ import annotations

import json

import pyarrow as pa

from openkamp.connectors.payloads.sparkplug import SparkplugEdgeNode
from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import Broker

from .conftest import PRESS, Publisher, mqtt_connection, sid, status, wait_for

T0 = 1_780_000_000_000  # ms
SINGLE = {"topic": "factory/{line}/{machine}/{signal}", "equipment": "plant1/{line}/{machine}",
          "signal": "{signal}"}  # fmt: skip
SPB = {"topic": "spBv1.0/plant1/#", "format": "sparkplug", "equipment_map": {"press01": PRESS}}


def test_bad_input_is_counted_by_reason_while_good_data_flows(
    kamp: Platform, broker: Broker
) -> None:
    conn = mqtt_connection(kamp, broker, [SINGLE, SPB, {"topic": "old/#", "equipment": PRESS}],
                           max_messages_per_s_per_topic=50)  # fmt: skip
    wait_for(lambda: status(kamp, conn)["state"] == "running", what="running")
    # A new configuration without old/#: the persistent session still holds that subscription,
    # so its messages still come and match no pattern.
    kamp.connections.update(
        kamp.principal(), conn["id"],
        config={**conn["config"], "subscriptions": [SINGLE, SPB]},
    )  # fmt: skip
    wait_for(lambda: status(kamp, conn)["state"] == "running", what="running again")
    pressure = sid(kamp, PRESS, "pressure")
    pub = Publisher(broker)
    good = 0

    def ok() -> None:
        nonlocal good
        good += 1
        pub.publish("factory/line1/press01/pressure", json.dumps({"ts": T0 + good, "value": good}))

    node = SparkplugEdgeNode("plant1", "edge1", {"press01": ["oil_temp"]})
    node.new_session(T0)
    bad = [
        ("factory/line1/press01/pressure", b"{not json"),  # payload.json
        ("factory/line1/press01/pressure", b'{"value": "high", "ts": 1780000000000}'),  # type
        ("factory/line1/press01/pressure", b'{"value": 1, "ts": 315532800000}'),  # 1980
        ("factory/line1/press01/pressure", b'{"value": 1, "ts": 3786912000000}'),  # 2090
        ("factory/line1/press01/nosuch", b"1"),  # signal.unknown
        ("factory/line9/mill07/pressure", b"1"),  # equipment.unknown
        ("spBv1.0/plant1/DDATA/edge1/press01", b"\xff\x00garbage"),  # payload.protobuf
        node.nbirth(T0),
        node.dbirth("press01", T0, {"oil_temp": 1.0}),
        ("old/anything", b"1"),  # topic.unknown
    ]
    try:
        for topic, payload in bad:
            ok()
            pub.publish(topic, payload)
        # an alias no birth declared (and then a rebirth request)
        other = SparkplugEdgeNode("plant1", "edge1", {"press01": ["oil_temp", "undeclared"]})
        other._seq = node._seq  # the same node, in sequence, sending alias 2 it never declared
        ok()
        pub.publish(*other.ddata("press01", [T0 + 9], {"undeclared": [2.0]}))
        for i in range(300):  # a flood on one topic: 50 per second pass
            pub.publish("factory/line1/press01/speed", json.dumps({"ts": T0 + i, "value": i}))
        for _ in range(20):
            ok()
        wait_for(lambda: kamp.ts.read(kamp.default_org_id, [pressure]).num_rows == good,
                 what="every good point stored")  # fmt: skip
        wait_for(lambda: status(kamp, conn)["rejected"].get("topic.unknown") == 1, what="counted")
    finally:
        pub.close()
    got = kamp.ts.read(kamp.default_org_id, [pressure])
    assert sorted(got.column("ts").cast(pa.int64()).to_pylist()) == [
        (T0 + i) * 1000 for i in range(1, good + 1)
    ]
    rej = status(kamp, conn)["rejected"]
    for reason in ("payload.json", "payload.value_type", "payload.ts_range", "time.absurd",
                   "signal.unknown", "equipment.unknown", "payload.protobuf", "payload.alias",
                   "topic.unknown"):  # fmt: skip
        assert rej.get(reason) == 1, (reason, rej)
    assert 200 <= rej["mqtt.flood"] <= 260, rej
    speed = kamp.ts.read(kamp.default_org_id, [sid(kamp, PRESS, "speed")]).num_rows
    assert speed == 300 - rej["mqtt.flood"]  # what was not cut is stored
    assert status(kamp, conn)["state"] == "running" and status(kamp, conn)["restarts"] == 0
