"""Runs the live factory: steps it on a timer and hands every step's readings to its outputs.

    live = LiveFactory(seed=42)
    async with Simulator(live, [MqttPublisher(live, port=1883), OpcUaServer(live, port=4840),
                                ModbusServer(live, port=5020)]) as sim:
        sim.inject("press01", "bearing_wear", 600)
        await sim.wait()          # until stop() (or Ctrl+C in the CLI)

Outputs are anything with ``async start()``, ``async publish(ticks)`` and ``async stop()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol

from openkamp.sim.live.factory import LiveFactory, Tick
from openkamp.sim.live.faults import Injection

log = logging.getLogger(__name__)


class Output(Protocol):
    async def start(self) -> None: ...

    async def publish(self, ticks: Sequence[Tick]) -> None: ...

    async def stop(self) -> None: ...


class Simulator:
    """Steps ``live`` every ``tick_s`` seconds and publishes to ``outputs`` (see the module)."""

    def __init__(
        self, live: LiveFactory, outputs: Sequence[Output], *, tick_s: float = 0.5
    ) -> None:
        self.live = live
        self.outputs = list(outputs)
        self.tick_s = tick_s
        self.steps = 0
        self.readings = 0
        self._task: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()

    async def start(self) -> None:
        # The first readings are taken before the outputs start: what an output announces as
        # it connects (Sparkplug births, OPC UA variables) carries values, not nulls.
        first = self.live.step()
        started: list[Output] = []
        try:
            for out in self.outputs:
                await out.start()
                started.append(out)
        except BaseException:
            for out in reversed(started):
                with contextlib.suppress(Exception):
                    await out.stop()
            raise
        await self._publish(first)
        self._task = asyncio.create_task(self._loop(), name="openkamp-sim-live")

    async def step(self) -> list[Tick]:
        """Advance to now and publish; returns the step's readings."""
        ticks = self.live.step()
        await self._publish(ticks)
        return ticks

    async def _publish(self, ticks: list[Tick]) -> None:
        if ticks:
            for out in self.outputs:
                await out.publish(ticks)
        self.steps += 1
        self.readings += sum(len(t) * len(t.signals) for t in ticks)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_s)
            try:
                await self.step()
            except Exception:  # one failed step (an output's hiccup) must not stop the factory
                log.exception("simulator step failed")

    def inject(
        self, equipment: str, fault: str, duration_s: float, *, severity: float = 1.0
    ) -> Injection:
        return self.live.inject(equipment, fault, duration_s, severity=severity)

    async def wait(self) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for out in reversed(self.outputs):
            try:
                await out.stop()
            except Exception:
                log.exception("stopping %s failed", type(out).__name__)
        self._stopped.set()

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
