"""A real asyncua client browses the simulator's OPC UA server, reads units, ranges and values,
and backfills with HistoryRead every reading the server published."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from asyncua import Client, ua
from tests.sim_live.conftest import make_live

from openkamp.sim.live import OpcUaServer, free_port


def test_address_space_values_and_history() -> None:
    async def scenario() -> None:
        live = make_live()
        server = OpcUaServer(live, port=free_port())
        await server.start()
        published: list[tuple[int, float]] = []
        try:
            for until in (20.0, 40.0, 60.0):
                live._clock.t = live.origin.timestamp() + until  # type: ignore[attr-defined]
                ticks = live.step()
                await server.publish(ticks)
                for t in ticks:
                    if t.equipment == "press01":
                        published += zip(
                            t.ts_ms.tolist(), t.signals["pressure"].tolist(), strict=True
                        )
            assert len(published) == 60  # one reading a second
            async with Client(server.endpoint, timeout=10) as client:
                # Browse: Objects → plant1 → line2 → press01 → pressure.
                objects = client.nodes.objects
                ns = await client.get_namespace_index("urn:openkamp:sim")
                site = await objects.get_child(f"{ns}:plant1")
                line = await site.get_child(f"{ns}:line2")
                press = await line.get_child(f"{ns}:press01")
                names = {(await c.read_browse_name()).Name for c in await press.get_children()}
                assert names == set(live.machines["press01"].signal_names)
                node = await press.get_child(f"{ns}:pressure")
                assert node.nodeid.to_string() == server.node_id("press01", "pressure")
                assert (await node.read_display_name()).Text == "Line pressure"
                assert (await node.read_description()).Text.startswith("유압")
                eu = await (await node.get_child("0:EngineeringUnits")).read_value()
                assert eu.DisplayName.Text == "bar" and eu.UnitId == 0x424152  # UNECE "BAR"
                rng = await (await node.get_child("0:EURange")).read_value()
                assert (rng.Low, rng.High) == (0.0, 250.0)
                # The current value and its source time are the newest reading.
                dv = await node.read_data_value()
                assert dv.Value.Value == published[-1][1]
                assert (
                    int(dv.SourceTimestamp.replace(tzinfo=UTC).timestamp() * 1000)
                    == published[-1][0]
                )
                assert await node.read_attribute(ua.AttributeIds.Historizing)
                # HistoryRead of the whole window gives every reading (several per publish).
                start = datetime.fromtimestamp(published[0][0] / 1000, UTC) - timedelta(seconds=1)
                history = await node.read_raw_history(start, start + timedelta(minutes=5))
                got = [
                    (int(h.SourceTimestamp.replace(tzinfo=UTC).timestamp() * 1000), h.Value.Value)
                    for h in history
                ]
                assert got == published
                # A gap in the middle (a client was away from 25 s to 45 s) is backfilled exactly.
                t25 = datetime.fromtimestamp((live.origin_ms + 25_000) / 1000, UTC)
                gap = await node.read_raw_history(t25, t25 + timedelta(seconds=19.5))
                assert [h.Value.Value for h in gap] == [v for _, v in published[25:45]]
        finally:
            await server.stop()

    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_with_users_only_their_logins_open_a_session() -> None:
    async def scenario() -> None:
        live = make_live()
        server = OpcUaServer(live, port=free_port(), users={"operator": "s3cret-Pw"})
        await server.start()
        try:
            for user, password in ((None, None), ("operator", "wrong"), ("nobody", "s3cret-Pw")):
                client = Client(server.endpoint, timeout=5)
                if user is not None:
                    client.set_user(user)
                    client.set_password(password or "")
                try:
                    await client.connect()
                except Exception:  # refused: BadIdentityTokenInvalid / Rejected
                    continue
                await client.disconnect()
                raise AssertionError(f"{user!r} was let in")
            client = Client(server.endpoint, timeout=5)
            client.set_user("operator")
            client.set_password("s3cret-Pw")
            async with client:
                node = client.get_node(server.node_id("press01", "flow"))
                assert (await node.read_browse_name()).Name == "flow"
        finally:
            await server.stop()

    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_a_restarted_server_serves_the_readings_of_its_outage_from_history() -> None:
    async def scenario() -> None:
        live = make_live()
        server = OpcUaServer(live, port=free_port())
        readings: list[tuple[int, float]] = []

        async def advance(seconds: float) -> None:
            live._clock.t += seconds  # type: ignore[attr-defined]
            ticks = live.step()
            await server.publish(ticks)
            for t in ticks:
                if t.equipment == "cnc01":
                    readings.extend(
                        zip(t.ts_ms.tolist(), t.signals["spindle_load"].tolist(), strict=True)
                    )

        await server.start()
        await advance(10.0)
        await server.stop()
        await advance(20.0)  # the factory runs on while its OPC UA server is down
        await server.start()
        await advance(10.0)
        try:
            async with Client(server.endpoint, timeout=10) as client:
                node = client.get_node(server.node_id("cnc01", "spindle_load"))
                start = datetime.fromtimestamp(live.origin_ms / 1000, UTC)
                history = await node.read_raw_history(start, start + timedelta(minutes=5))
                got = [
                    (int(h.SourceTimestamp.replace(tzinfo=UTC).timestamp() * 1000), h.Value.Value)
                    for h in history
                ]
                assert got == readings and len(readings) == 40
        finally:
            await server.stop()

    asyncio.run(asyncio.wait_for(scenario(), 60))
