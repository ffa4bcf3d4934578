"""Live-path fixtures: a platform with one machine (and one in a second organisation), the test
connector plugin registered through the hook, and a real uvicorn server for HTTP ingest."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.core.tenancy import Role, system_principal
from openkamp.platform import Platform
from openkamp.plugins import plugin_manager

from . import fake_plugin

PASSWORD = "correct horse battery"
PRESS = "plant1/line1/press01"


def tree(site: str = "plant1") -> list[SiteSpec]:
    return [
        SiteSpec(
            site,
            lines=[
                LineSpec(
                    "line1",
                    equipment=[
                        EquipmentSpec(
                            "press01",
                            signals=[
                                SignalSpec("pressure", "사출압력", "Pressure", "bar"),
                                SignalSpec("oil_temp", "유온", "Oil temperature", "℃"),
                            ],
                        )
                    ],
                )
            ],
        )
    ]


@pytest.fixture
def plugin() -> Iterator[Any]:
    """The test connectors, registered through the plugin hook for one test."""
    pm = plugin_manager()
    pm.register(fake_plugin, name="test_connectors")
    fake_plugin.LOG.clear()
    yield fake_plugin
    pm.unregister(name="test_connectors")


def open_platform(data: Path, **settings: Any) -> Platform:
    kw: dict[str, Any] = {
        "password_hash_memory_kib": 1024, "password_hash_time_cost": 1,
        "duckdb_memory_limit": "256MB", "connectors_stats_interval_s": 0.2,
    }  # fmt: skip
    kw.update(settings)
    return Platform.at(data, **kw)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Platform]:
    """A platform with the press in the default organisation, its live loop running."""
    kamp = open_platform(tmp_path / "data")
    kamp.assets.apply_tree(kamp.principal(), tree())
    kamp.live.restart_initial_s = 0.05
    kamp.live.restart_max_s = 0.4
    kamp.live.start()
    yield kamp
    kamp.close()


def signal_id(kamp: Platform, name: str = "pressure", org: str | None = None) -> int:
    sig = kamp.assets.resolve(kamp.principal(org), f"{PRESS}/{name}")
    return int(sig.id)


def wait_for(cond: Any, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    kamp: Platform
    base: str
    tokens: dict[str, str]
    org_b: int

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A real uvicorn server (in a thread) on a platform with two organisations: A (kim, admin
    token; park, an engineer with a read-only and a write token) and B (lee), both with a
    press01 of the same path."""
    import uvicorn

    from openkamp.api import create_app

    root = tmp_path_factory.mktemp("ingest")
    kamp = open_platform(root / "data", ingest_max_bytes=2 * 1024 * 1024)
    kamp.assets.apply_tree(kamp.principal(), tree())
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    me_kim = kamp.accounts.principal_of(kim)
    park = kamp.accounts.create_user(me_kim, "park", PASSWORD, role=Role.ENGINEER)
    org_b = kamp.meta.create_org("other-factory")["id"]
    kamp.assets.apply_tree(system_principal(org_b), tree())
    lee = kamp.accounts.create_user(system_principal(org_b), "lee", PASSWORD, role=Role.ADMIN)
    tokens = {
        "kim": kamp.accounts.create_token(me_kim, "t", ["admin"])[1],
        "park": kamp.accounts.create_token(kamp.accounts.principal_of(park), "ro", ["read"])[1],
        "park_w": kamp.accounts.create_token(kamp.accounts.principal_of(park), "w", ["write"])[1],
        "lee": kamp.accounts.create_token(kamp.accounts.principal_of(lee), "t", ["admin"])[1],
    }
    port = free_port()
    config = uvicorn.Config(
        create_app(platform=kamp), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), what="uvicorn")
    assert server.started
    yield Served(kamp, f"http://127.0.0.1:{port}/api/v1", tokens, org_b)
    server.should_exit = True
    thread.join(timeout=20)
    kamp.close()
