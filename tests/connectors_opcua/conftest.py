"""OPC UA fixtures: a platform whose live loop runs, and the simulator's real asyncua server
(:class:`openkamp.sim.live.OpcUaServer`, history included) in its own thread and event loop,
on a clock the test moves."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from openkamp.platform import Platform
from openkamp.sim import Factory, demo_lines
from openkamp.sim.live import LiveFactory, OpcUaServer, free_port

#: Machines sample fast (seconds), so a few simulated seconds give readings of every machine.
FAST = {"hydraulic_press": 1.0, "cnc": 1.0, "melting_tank": 2.0, "injection_moulding": 5.0}


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def wait_for(cond: Any, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class SimServer:
    """The live demo factory served over OPC UA from a thread of its own. Simulated time starts
    ten minutes ago (so every reading is in the past, where HistoryRead finds it) and moves only
    by :meth:`advance`, which keeps every reading the server publishes in ``readings``
    (equipment, signal) → [(ms, value)], also while the server is stopped (it keeps them in its
    history then too)."""

    def __init__(self, users: dict[str, str] | None = None) -> None:
        origin = pd.Timestamp(int(time.time()) - 600, unit="s", tz="UTC")
        self.clock = Clock(origin.timestamp())
        factory = Factory(seed=7, lines=demo_lines(1, FAST))
        self.live = LiveFactory(factory, start=origin, clock=self.clock)
        self.server = OpcUaServer(self.live, port=free_port(), users=users)
        self.readings: dict[tuple[str, str], list[tuple[int, float]]] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    def call(self, coro: Any, timeout: float = 120) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> None:
        self.call(self.server.start())

    def stop(self) -> None:
        self.call(self.server.stop())

    def advance(self, seconds: float) -> int:
        """Move simulated time on and publish what fell due; returns how many readings."""
        self.clock.t += seconds
        ticks = self.live.step()
        self.call(self.server.publish(ticks))
        n = 0
        for t in ticks:
            ts = t.ts_ms.tolist()
            for signal, values in t.signals.items():
                kept = self.readings.setdefault((t.equipment, signal), [])
                kept.extend(zip(ts, values.tolist(), strict=True))
                n += len(ts)
        return n

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture
def sim() -> Iterator[SimServer]:
    srv = SimServer()
    srv.start()
    srv.advance(1.0)
    yield srv
    srv.close()


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    kamp = Platform.at(
        tmp_path / "data",
        password_hash_memory_kib=1024, password_hash_time_cost=1,
        duckdb_memory_limit="256MB", connectors_stats_interval_s=0.2,
    )  # fmt: skip
    kamp.live.restart_initial_s = 0.2
    kamp.live.start()
    yield kamp
    kamp.close()
