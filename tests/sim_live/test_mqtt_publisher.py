"""The simulator publishing to a real Mosquitto: a plain aiomqtt subscriber receives JSON batches
and Sparkplug B messages that decode (with our codecs) to exactly the simulator's readings;
rebirth on request; faults injected over the control topic show in the published values."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiomqtt
import numpy as np
import pysparkplug as spb
from tests.sim_live.conftest import make_live

from openkamp.connectors.payloads import SparkplugHost, decode_json
from openkamp.connectors.payloads.sparkplug import rebirth_command
from openkamp.sim.live import Broker, LiveFactory, MqttPublisher, Tick


async def _collect(
    broker: Broker,
    topics: list[str],
    action: Callable[[], Awaitable[Any]],
    until: Callable[[list[aiomqtt.Message]], bool],
) -> list[aiomqtt.Message]:
    got: list[aiomqtt.Message] = []
    async with aiomqtt.Client(broker.host, broker.port, identifier="test-subscriber") as sub:
        for t in topics:
            await sub.subscribe(t, qos=1)
        await action()
        async with asyncio.timeout(15):
            async for msg in sub.messages:
                got.append(msg)
                if until(got):
                    break
    return got


def _advance(live: LiveFactory, seconds: float) -> list[Tick]:
    live._clock.t += seconds  # type: ignore[attr-defined]
    return live.step()


def test_json_batches_decode_to_the_simulators_readings(broker: Broker) -> None:
    async def scenario() -> None:
        live = make_live()
        pub = MqttPublisher(live, broker.host, broker.port, sparkplug=False, client_prefix="t-json")
        sent: list[Tick] = []

        async def act() -> None:
            await pub.start()
            for _ in range(3):
                ticks = _advance(live, 20.0)
                sent.extend(ticks)
                await pub.publish(ticks)

        msgs = await _collect(
            broker,
            ["openkamp/#"],
            act,
            lambda got: (
                sum(len(decode_json(m.payload)) for m in got)
                >= sum(len(t) * len(t.signals) for t in sent)
            ),  # type: ignore[arg-type]
        )
        await pub.stop()
        decoded: dict[tuple[str, str, int], float] = {}
        for m in msgs:
            topic = str(m.topic)
            assert topic.count("/") == 3, topic  # openkamp/<site>/<line>/<equipment>
            equipment = topic.rsplit("/", 1)[1]
            for name, ts_us, value in decode_json(m.payload).as_tuples():  # type: ignore[arg-type]
                decoded[equipment, name, ts_us // 1000] = value
        expected = {
            (t.equipment, sig, ts): float(v)
            for t in sent
            for sig, values in t.signals.items()
            for ts, v in zip(t.ts_ms.tolist(), values.tolist(), strict=True)
        }
        assert decoded == expected
        assert {str(m.topic) for m in msgs} >= {
            "openkamp/plant1/line2/press01",
            "openkamp/plant1/line1/inj01",
        }

    asyncio.run(scenario())


def test_sparkplug_births_and_data_decode_to_the_simulators_readings(broker: Broker) -> None:
    async def scenario() -> None:
        live = make_live()
        _advance(live, 5.0)
        pub = MqttPublisher(live, broker.host, broker.port, json_form=None, client_prefix="t-spb")
        sent: list[Tick] = []

        async def act() -> None:
            await pub.start()
            for _ in range(2):
                ticks = _advance(live, 15.0)
                sent.extend(ticks)
                await pub.publish(ticks)

        def done(got: list[aiomqtt.Message]) -> bool:
            n = sum(1 for m in got if "/DDATA/" in str(m.topic))
            return n >= sum(1 for t in sent if len(t))

        msgs = await _collect(broker, ["spBv1.0/#"], act, done)
        kinds = [str(m.topic).split("/")[2] for m in msgs]
        assert kinds[0] == "NBIRTH" and kinds[1:5] == ["DBIRTH"] * 4
        # Decoded by pysparkplug itself: the births carry names, aliases and DOUBLE types.
        dbirth = spb.DBirth.decode(msgs[1].payload)  # type: ignore[arg-type]
        assert all(m.alias and m.datatype == spb.DataType.DOUBLE for m in dbirth.metrics)
        # And by our host application codec: seq without gaps, every reading by alias.
        host = SparkplugHost()
        got: dict[tuple[str, str, int], float] = {}
        for m in msgs:
            d = host.decode(str(m.topic), m.payload)  # type: ignore[arg-type]
            assert not d.rebirth, (m.topic, d.problems)
            if d.topic.message_type == "DDATA":
                for name, ts_us, v in d.points.as_tuples():
                    got[d.topic.device_id or "", name, ts_us // 1000] = v
        expected = {
            (t.equipment, sig, ts): float(v)
            for t in sent
            for sig, values in t.signals.items()
            for ts, v in zip(t.ts_ms.tolist(), values.tolist(), strict=True)
        }
        assert got == expected
        assert host.online()[("plant1", "edge1", "press01")]

        # A rebirth request brings NBIRTH and every DBIRTH again; a clean stop, the deaths.
        async def ask() -> None:
            async with aiomqtt.Client(broker.host, broker.port, identifier="test-scada") as scada:
                await scada.publish(*rebirth_command("plant1", "edge1", 1), qos=1)

        again = await _collect(
            broker, ["spBv1.0/#"], ask, lambda g: sum("BIRTH" in str(m.topic) for m in g) >= 5
        )
        again = [m for m in again if "/NCMD/" not in str(m.topic)]  # our own request, also seen
        assert [str(m.topic).split("/")[2] for m in again][:5] == ["NBIRTH"] + ["DBIRTH"] * 4
        deaths = await _collect(
            broker, ["spBv1.0/#"], pub.stop, lambda g: any("NDEATH" in str(m.topic) for m in g)
        )
        for m in again + deaths:
            host.decode(str(m.topic), m.payload)  # type: ignore[arg-type]
        assert host.online() == {}

    asyncio.run(scenario())


def test_a_fault_injected_over_the_control_topic_shows_in_the_published_values(
    broker: Broker,
) -> None:
    async def scenario() -> None:
        live = make_live()
        pub = MqttPublisher(live, broker.host, broker.port, sparkplug=False, client_prefix="t-ctl")
        await pub.start()
        try:
            before = _advance(live, 30.0)
            async with aiomqtt.Client(broker.host, broker.port, identifier="test-operator") as op:
                await op.publish(
                    "openkamp/_sim/inject",
                    json.dumps({"equipment": "press01", "fault": "leakage", "duration_s": 600}),
                    qos=1,
                )
            async with asyncio.timeout(10):
                while not live.injections:
                    await asyncio.sleep(0.05)
            (inj,) = live.injections
            assert (inj.equipment, inj.fault) == ("press01", "leakage")
            received: list[float] = []

            async def act() -> None:
                await pub.publish(_advance(live, 30.0))

            msgs = await _collect(
                broker, ["openkamp/plant1/line2/press01"], act, lambda g: len(g) >= 1
            )
            for m in msgs:
                p = decode_json(m.payload)  # type: ignore[arg-type]
                received += p.values[p.name_index == p.names.index("pressure")].tolist()
            normal = [
                float(v) for t in before if t.equipment == "press01" for v in t.signals["pressure"]
            ]
            # A leak drops the line pressure by about 35 bar at full severity.
            assert np.mean(normal) - np.mean(received) > 25
        finally:
            await pub.stop()

    asyncio.run(scenario())
