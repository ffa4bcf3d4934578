"""``openkamp simulate``: the demo factory, live, over MQTT (JSON and Sparkplug B), OPC UA and
Modbus TCP, with faults injected from the command line or the MQTT control topic.

    openkamp simulate --broker-start                 # private Mosquitto on a free port
    openkamp simulate --mqtt-port 1883 --opcua-port 4840 --modbus-port 5020
    openkamp simulate --broker-start --period 1 --inject press01:bearing_wear:600@60

Runs until Ctrl+C (or SIGTERM, or ``--duration`` seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from pathlib import Path
from typing import Annotated, Any

import typer

from openkamp.cli.common import console, lang
from openkamp.core.errors import InvalidInput
from openkamp.i18n import t


def _parse_injection(text: str) -> tuple[str, str, float, float]:
    """``machine:fault:seconds[@delay]`` → (machine, fault, duration, delay)."""
    spec, _, delay = text.partition("@")
    parts = spec.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        return parts[0], parts[1], float(parts[2]), float(delay or 0)
    except ValueError:
        raise InvalidInput(
            f"--inject {text!r} is not machine:fault:seconds[@delay].",
            code="live.bad_inject",
            params={"value": text},
        ) from None


def simulate(
    broker_start: Annotated[
        bool, typer.Option("--broker-start", help="Start a private Mosquitto on a free port")
    ] = False,
    mqtt_host: Annotated[str, typer.Option(help="MQTT broker host")] = "127.0.0.1",
    mqtt_port: Annotated[
        int | None, typer.Option(help="MQTT broker port (default 1883; free with --broker-start)")
    ] = None,
    mqtt: Annotated[bool, typer.Option("--mqtt/--no-mqtt", help="Publish over MQTT")] = True,
    json_form: Annotated[
        str, typer.Option(help="JSON payloads: batch, compact, single or none")
    ] = "batch",
    sparkplug: Annotated[
        bool, typer.Option("--sparkplug/--no-sparkplug", help="Publish Sparkplug B")
    ] = True,
    edge_node: Annotated[str, typer.Option(help="Sparkplug B edge node id")] = "edge1",
    host: Annotated[
        str, typer.Option(help="Address the OPC UA and Modbus servers bind")
    ] = "127.0.0.1",
    opcua_port: Annotated[int, typer.Option(help="OPC UA server port (0: none)")] = 4840,
    modbus_port: Annotated[int, typer.Option(help="Modbus TCP server port (0: none)")] = 5020,
    opcua_user: Annotated[
        list[str] | None,
        typer.Option(help="OPC UA login:password (repeatable; then anonymous is refused)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Simulator seed")] = 42,
    period: Annotated[
        float | None, typer.Option(help="Sampling period of every machine, seconds (default 10)")
    ] = None,
    speed: Annotated[float, typer.Option(help="Simulated seconds per second")] = 1.0,
    tick: Annotated[float, typer.Option(help="Seconds between publications")] = 1.0,
    inject: Annotated[
        list[str] | None,
        typer.Option(
            help="Inject a fault: machine:fault:seconds[@delay], e.g. press01:leakage:600@60"
        ),
    ] = None,
    duration: Annotated[float | None, typer.Option(help="Stop after this many seconds")] = None,
    register_map_file: Annotated[
        Path | None,
        typer.Option("--register-map", help="Write the Modbus register map (JSON) here"),
    ] = None,
) -> None:
    """Run the demo factory live: MQTT (JSON, Sparkplug B), OPC UA with history, Modbus TCP."""
    from openkamp.sim.live import LiveFactory
    from openkamp.sim.live.mosquitto import run_broker

    if json_form not in ("batch", "compact", "single", "none"):
        raise InvalidInput(
            f"--json-form {json_form!r}: use batch, compact, single or none.",
            code="live.bad_json_form",
            params={"value": json_form},
        )
    periods = None
    if period is not None:
        from openkamp.sim import MACHINE_TYPES

        # The injection machine's "period" is its cycle time: never below a few seconds.
        periods = {
            k: (max(period, 5.0) if k == "injection_moulding" else period) for k in MACHINE_TYPES
        }
    live = LiveFactory(seed=seed, periods=periods, speed=speed)
    injections = [_parse_injection(i) for i in inject or []]
    users = {}
    for item in opcua_user or []:
        login, sep, password = item.partition(":")
        if not sep or not login or not password:
            raise InvalidInput(
                f"--opcua-user {item!r} is not login:password.",
                code="live.bad_opcua_user",
                params={"value": login},
            )
        users[login] = password
    for machine, fault, seconds, delay in injections:
        live.inject(machine, fault, seconds, delay_s=delay)  # checked before anything starts
    language = lang()
    with contextlib.ExitStack() as stack:
        port = mqtt_port
        if mqtt and broker_start:
            broker = stack.enter_context(run_broker(port, host=mqtt_host))
            port = broker.port
            console.print(f"[green]✓[/] {t('live.broker_started', language, url=broker.url)}")
        asyncio.run(
            _run(live, mqtt_host if mqtt else None, port or 1883, json_form, sparkplug, edge_node,
                 host, opcua_port, modbus_port, tick, duration, register_map_file, language, users)
        )  # fmt: skip


async def _run(
    live: Any,
    mqtt_host: str | None,
    mqtt_port: int,
    json_form: str,
    sparkplug: bool,
    edge_node: str,
    host: str,
    opcua_port: int,
    modbus_port: int,
    tick: float,
    duration: float | None,
    register_map_file: Path | None,
    language: str,
    users: dict[str, str],
) -> None:
    from openkamp.sim.live import ModbusServer, MqttPublisher, OpcUaServer, Simulator, register_map

    outputs: list[Any] = []
    lines: list[str] = []
    site = live.factory.site[0]
    if mqtt_host is not None and (json_form != "none" or sparkplug):
        pub = MqttPublisher(
            live, mqtt_host, mqtt_port, json_form=None if json_form == "none" else json_form,  # type: ignore[arg-type]
            sparkplug=sparkplug, edge_node_id=edge_node,
        )  # fmt: skip
        outputs.append(pub)
        topics = []
        if json_form != "none":
            topics.append(f"JSON {pub.prefix}/{site}/<line>/<machine>")
        if sparkplug:
            topics.append(f"Sparkplug B spBv1.0/{site}/…/{edge_node}")
        lines.append(f"MQTT   mqtt://{mqtt_host}:{mqtt_port}  ({', '.join(topics)})")
        lines.append(
            f"       {t('live.inject_hint', language)}: mosquitto_pub -p {mqtt_port} -t "
            f'{pub.prefix}/_sim/inject -m \'{{"equipment": "press01", "fault": "bearing_wear", "duration_s": 600}}\''
        )
    if opcua_port:
        opc = OpcUaServer(live, host=host, port=opcua_port, users=users or None)
        outputs.append(opc)
        lines.append(f"OPC UA {opc.endpoint}" + (f"  ({', '.join(users)})" if users else ""))
    if modbus_port:
        outputs.append(ModbusServer(live, host=host, port=modbus_port))
        units = ", ".join(f"{i} {name}" for i, name in enumerate(live.machines, start=1))
        lines.append(f"Modbus {host}:{modbus_port}  (unit id: {units})")
    if register_map_file is not None:
        register_map_file.write_text(
            json.dumps([e.as_dict() for e in register_map(live)], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    sim = Simulator(live, outputs, tick_s=tick)
    await sim.start()
    console.rule(f"[bold]{t('live.title', language)}[/]")
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True)
    for inj in live.injections:
        console.print(
            f"[yellow]![/] {t('live.injected', language, equipment=inj.equipment, fault=inj.fault)}"
        )
    console.print(f"[dim]{t('stop_server', language)}[/]")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        if duration is None:
            await stop.wait()
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), duration)
    finally:
        await sim.stop()
        console.print(f"[green]✓[/] {t('live.stopped', language, readings=sim.readings)}")
