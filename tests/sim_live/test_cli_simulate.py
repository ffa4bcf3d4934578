"""``openkamp simulate`` as a user runs it: publishes to the broker; killed with SIGKILL, the
broker sends its Sparkplug NDEATH will; wrong options are clear messages, not tracebacks."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiomqtt

from openkamp.connectors.payloads import SparkplugHost, decode_json
from openkamp.sim.live import Broker, free_port


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "openkamp.cli.main", *args]


def test_simulate_publishes_and_its_will_announces_a_crash(broker: Broker) -> None:
    async def scenario() -> None:
        host = SparkplugHost()
        json_points = 0
        async with aiomqtt.Client(broker.host, broker.port, identifier="test-cli-sub") as sub:
            await sub.subscribe("spBv1.0/#", qos=1)
            await sub.subscribe("openkamp/#", qos=1)
            proc = subprocess.Popen(
                _cli("--lang", "en", "simulate", "--mqtt-port", str(broker.port), "--opcua-port", "0",
                     "--modbus-port", str(free_port()), "--period", "1", "--tick", "0.5",
                     "--edge-node", "edge-cli"),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"},
            )  # fmt: skip
            killed = False
            try:
                async with asyncio.timeout(30):
                    async for msg in sub.messages:
                        topic = str(msg.topic)
                        if topic.startswith("spBv1.0/") and "/edge-cli" in topic:
                            decoded = host.decode(topic, msg.payload)  # type: ignore[arg-type]
                            if decoded.topic.message_type == "NDEATH":
                                assert killed
                                break
                        elif topic.startswith("openkamp/plant1/"):
                            json_points += len(decode_json(msg.payload))  # type: ignore[arg-type]
                        if not killed and json_points > 20 and len(host.online()) == 5:
                            proc.send_signal(signal.SIGKILL)  # no clean NDEATH: the will must come
                            killed = True
            finally:
                if proc.poll() is None:
                    proc.kill()
                out = proc.communicate()[0].decode(errors="replace")
        assert killed, out
        assert host.online() == {}  # the node and its four machines went offline with the will
        assert "OpenKAMP simulated factory running" in out

    asyncio.run(scenario())


def test_bad_options_are_messages_not_tracebacks() -> None:
    res = subprocess.run(
        _cli("--lang", "ko", "simulate", "--no-mqtt", "--opcua-port", "0", "--modbus-port", "0",
             "--inject", "press01:meltdown:60"),
        capture_output=True, timeout=60,
    )  # fmt: skip
    text = (res.stdout + res.stderr).decode()
    assert res.returncode == 2, text
    assert "Traceback" not in text
    assert "meltdown" in text and "bearing_wear" in text and "고장" in text


def test_register_map_file_and_opcua_logins(tmp_path: Path) -> None:
    out = tmp_path / "map.json"
    res = subprocess.run(
        _cli("--lang", "en", "simulate", "--no-mqtt", "--opcua-port", str(free_port()),
             "--opcua-user", "operator:pw-123456", "--modbus-port", str(free_port()),
             "--register-map", str(out), "--duration", "0.5"),
        capture_output=True, timeout=60,
    )  # fmt: skip
    text = (res.stdout + res.stderr).decode()
    assert res.returncode == 0, text
    entries = json.loads(out.read_text(encoding="utf-8"))
    press = [e for e in entries if e["equipment"] == "press01" and e["signal"] == "pressure"]
    assert {(e["function"], e["address"], e["kind"], e["word_order"]) for e in press} == {
        (4, 0, "float32", "big"),
        (3, 0, "int16", "big"),
        (3, 100, "float32", "little"),
    }
    assert "opc.tcp://127.0.0.1:" in text and "(operator)" in text and "pw-123456" not in text
    bad = subprocess.run(
        _cli("--lang", "ko", "simulate", "--no-mqtt", "--opcua-user", "nopassword"),
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2 and "로그인:비밀번호" in (bad.stdout + bad.stderr).decode()
