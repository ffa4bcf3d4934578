"""Edge fixtures: a real remote platform served by uvicorn on a free port (stopped and started
again on the same port for outages) with an API token, and the ticker connector."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.platform import Platform
from openkamp.plugins import plugin_manager

from . import ticker_plugin

PASSWORD = "correct horse battery"
PRESS = "plant1/line1/press01"
SETTINGS: dict[str, Any] = {
    "password_hash_memory_kib": 1024, "password_hash_time_cost": 1,
    "duckdb_memory_limit": "256MB", "connectors_stats_interval_s": 0.2,
}  # fmt: skip


def tree() -> list[SiteSpec]:
    sigs = [SignalSpec("pressure", "사출압력", "Pressure", "bar"), SignalSpec("count", unit="")]
    eq = EquipmentSpec("press01", signals=sigs)
    return [SiteSpec("plant1", lines=[LineSpec("line1", equipment=[eq])])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(cond: Any, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class RemotePlatform:
    """The regional platform: a uvicorn server on a fixed port that can be stopped (a WAN
    outage: nothing answers) and started again."""

    def __init__(self, root: Path, **settings: Any) -> None:
        self.kamp = Platform.at(root / "remote", **{**SETTINGS, **settings})
        self.kamp.assets.apply_tree(self.kamp.principal(), tree())
        admin = self.kamp.accounts.create_first_admin(self.kamp.default_org_id, "kim", PASSWORD)
        me = self.kamp.accounts.principal_of(admin)
        self.token = self.kamp.accounts.create_token(me, "edge", ["write", "read"])[1]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.start()

    def start(self) -> None:
        import uvicorn

        from openkamp.api import create_app

        config = uvicorn.Config(
            create_app(platform=self.kamp), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_for(lambda: self._server.started or not self._thread.is_alive(), what="uvicorn")
        assert self._server.started

    def stop(self) -> None:
        self._server.should_exit = True
        assert self._thread is not None
        self._thread.join(30)

    def signal_id(self, name: str) -> int:
        return int(self.kamp.assets.resolve(self.kamp.principal(), f"{PRESS}/{name}").id)

    def values(self, name: str = "count") -> tuple[np.ndarray, np.ndarray]:
        tbl = self.kamp.ts.read(self.kamp.default_org_id, [self.signal_id(name)])
        ts = tbl.column("ts").cast("int64").to_numpy()
        return ts, tbl.column("value").to_numpy()

    def count(self, name: str = "count") -> int:
        return len(self.values(name)[0])

    def close(self) -> None:
        self.stop()
        self.kamp.close()


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[RemotePlatform]:
    r = RemotePlatform(tmp_path)
    yield r
    r.close()


@pytest.fixture
def ticker() -> Iterator[Any]:
    pm = plugin_manager()
    pm.register(ticker_plugin, name="edge_ticker")
    yield ticker_plugin
    pm.unregister(name="edge_ticker")


def assert_exactly(remote: RemotePlatform, total: int) -> None:
    """Every point 0 … total-1 stored at the remote once, with its own value (count and sum)."""
    ts, values = remote.values()
    assert len(ts) == total
    assert len(np.unique(ts)) == total
    k = (ts - ticker_plugin.T0) // 1000
    assert np.array_equal(np.sort(k), np.arange(total))
    assert np.array_equal(values[np.argsort(k)], np.arange(total, dtype=float))
    assert float(values.sum()) == total * (total - 1) / 2
