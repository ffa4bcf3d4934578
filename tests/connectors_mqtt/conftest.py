"""MQTT fixtures: a real Mosquitto on a free port (skipped without it, a failure under CI=true),
a platform with two machines whose live loop runs, and a QoS 1 publisher (paho, its own thread)
that records which publishes the broker acknowledged."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import Broker, broker_or_skip, run_broker

PRESS = "plant1/line1/press01"
INJ = "plant1/line2/inj01"
SIGNALS = ["pressure", "oil_temp", "speed"]


def tree() -> list[SiteSpec]:
    def eq(name: str) -> EquipmentSpec:
        return EquipmentSpec(name, signals=[SignalSpec(s, s, s, "") for s in SIGNALS])

    return [
        SiteSpec(
            "plant1",
            lines=[
                LineSpec("line1", equipment=[eq("press01")]),
                LineSpec("line2", equipment=[eq("inj01")]),
            ],
        )
    ]


def open_platform(data: Path, **settings: Any) -> Platform:
    kw: dict[str, Any] = {
        "password_hash_memory_kib": 1024, "password_hash_time_cost": 1,
        "duckdb_memory_limit": "256MB", "connectors_stats_interval_s": 0.2,
    }  # fmt: skip
    kw.update(settings)
    return Platform.at(data, **kw)


def wait_for(cond: Any, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    broker_or_skip()
    with run_broker(folder=tmp_path / "broker") as b:
        yield b


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    kamp = open_platform(tmp_path / "data")
    kamp.assets.apply_tree(kamp.principal(), tree())
    kamp.live.restart_initial_s = 0.05
    kamp.live.restart_max_s = 0.5
    kamp.live.start()
    yield kamp
    kamp.close()


def sid(kamp: Platform, path: str, name: str) -> int:
    return int(kamp.assets.resolve(kamp.principal(), f"{path}/{name}").id)


def mqtt_connection(
    kamp: Platform, broker: Broker, subscriptions: list[dict[str, Any]], **config: Any
) -> dict[str, Any]:
    cfg = {"host": broker.host, "port": broker.port, "subscriptions": subscriptions,
           "batch_ms": 5, **config}  # fmt: skip
    return kamp.connections.create(kamp.principal(), config.pop("name", "mqtt1"), "mqtt", cfg)


def status(kamp: Platform, conn: dict[str, Any]) -> dict[str, Any]:
    return kamp.connections.status(kamp.principal(), conn["id"])


class Publisher:
    """A paho client publishing from its own network thread; ``acked`` holds the keys of the
    publishes the broker acknowledged (PUBACK for QoS 1)."""

    def __init__(self, broker: Broker, client_id: str = "test-pub", *, v5: bool = True) -> None:
        import paho.mqtt.client as mqtt

        self.broker = broker
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            **({} if v5 else {"clean_session": False}),
        )
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(0.1, 1)
        self._lock = threading.Lock()
        self._mids: dict[int, Any] = {}
        self._early: set[int] = set()
        self.acked: list[Any] = []
        self.connected = threading.Event()
        self.client.on_publish = self._on_publish
        self.client.on_connect = lambda *a: self.connected.set()
        self.client.on_disconnect = lambda *a: self.connected.clear()
        self.client.connect(broker.host, broker.port, keepalive=10)
        self.client.loop_start()
        assert self.connected.wait(10), "the publisher did not connect"

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason: Any, _p: Any) -> None:
        if getattr(reason, "is_failure", False):
            return
        with self._lock:  # never held while calling paho (its own locks: a deadlock)
            key = self._mids.pop(mid, None)
            if key is None:
                self._early.add(mid)  # acknowledged before publish() registered it
            else:
                self.acked.append(key)

    def publish(self, topic: str, payload: bytes | str, key: Any = None, qos: int = 1) -> None:
        info = self.client.publish(topic, payload, qos=qos)
        if key is not None and qos:
            with self._lock:
                if info.mid in self._early:
                    self._early.discard(info.mid)
                    self.acked.append(key)
                else:
                    self._mids[info.mid] = key

    def wait_acked(self, n: int, timeout: float = 30.0) -> None:
        wait_for(lambda: len(self.acked) >= n, timeout, f"{n} acknowledged publishes")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
