"""The simulator's publisher rides out a broker restart: readings made while the broker is down
wait in its backlog and are delivered after it reconnects (none lost)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import aiomqtt
from tests.sim_live.conftest import make_live

from openkamp.connectors.payloads import decode_json
from openkamp.sim.live import MqttPublisher, Tick, free_port, run_broker
from openkamp.sim.live.mosquitto import broker_or_skip


def test_readings_made_during_a_broker_outage_arrive_after_it(tmp_path: Path) -> None:
    broker_or_skip()
    port = free_port()
    folder = tmp_path / "broker"

    async def scenario() -> None:
        live = make_live()
        sent: list[Tick] = []
        received: set[tuple[str, str, int]] = set()

        async def subscribe_once(stop_when: int) -> None:
            # A persistent session: the broker keeps the subscription and queues for it.
            async with aiomqtt.Client(
                "127.0.0.1", port, identifier="test-persistent", clean_session=False
            ) as sub:
                await sub.subscribe("openkamp/#", qos=1)
                async with asyncio.timeout(20):
                    async for m in sub.messages:
                        equipment = str(m.topic).rsplit("/", 1)[1]
                        for name, ts_us, _ in decode_json(m.payload).as_tuples():  # type: ignore[arg-type]
                            received.add((equipment, name, ts_us // 1000))
                        if len(received) >= stop_when:
                            return

        def expected() -> set[tuple[str, str, int]]:
            return {
                (t.equipment, s, ts) for t in sent for s in t.signals for ts in t.ts_ms.tolist()
            }

        def advance() -> list[Tick]:
            live._clock.t += 10.0  # type: ignore[attr-defined]
            ticks = live.step()
            sent.extend(ticks)
            return ticks

        with contextlib.ExitStack() as stack:
            stack.enter_context(run_broker(port, folder=folder))
            pub = MqttPublisher(
                live, "127.0.0.1", port, sparkplug=False, control=False, client_prefix="t-restart"
            )
            # Register the persistent session first, then publish.
            async with aiomqtt.Client(
                "127.0.0.1", port, identifier="test-persistent", clean_session=False
            ) as s:
                await s.subscribe("openkamp/#", qos=1)
            await pub.start()
            await pub.publish(advance())
            await subscribe_once(len(expected()))
            stack.close()  # the broker stops
        # While it is down the factory runs on; its readings wait in the backlog.
        for _ in range(3):
            await pub.publish(advance())
            await asyncio.sleep(0.1)
        assert pub.channels["json"].backlog
        with run_broker(port, folder=folder):
            async with asyncio.timeout(20):
                while pub.channels["json"].backlog or not pub.channels["json"].connected.is_set():
                    await asyncio.sleep(0.05)
            await subscribe_once(len(expected()))
            await pub.stop()
        assert received == expected()
        assert pub.channels["json"].stats.connects == 2
        assert pub.channels["json"].stats.dropped == 0

    asyncio.run(scenario())
