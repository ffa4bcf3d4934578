"""The demo factory on the wall clock: the simulator's own machines, advanced as time passes.

:class:`LiveFactory` starts every machine of a :class:`~openkamp.sim.Factory` at an origin (now,
to the second) exactly as ``Factory.generate`` / ``Factory.stream`` do, so the readings are the
same physics and, fault injections aside, the very same values as ``Factory.generate(origin, …)``
(a test checks this). :meth:`LiveFactory.step` returns the readings that fell due since the last
call as :class:`Tick` s; the servers and publishers of this package send them on.

By default every machine works around the clock (a live demonstration at night or on a Sunday
should not show idle machines; ``always_on=False`` keeps each machine's working hours), and
``periods`` can make machines sample faster than the demo's 10 s.

Faults are injected with :meth:`LiveFactory.inject` (see :mod:`openkamp.sim.live.faults`).
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.sim.factory import Factory, demo_lines
from openkamp.sim.live.faults import FAULTS, FaultSpec, Injection, is_finite_duration
from openkamp.sim.machine import Machine, Run, SignalDef
from openkamp.sim.schedule import WorkSchedule


@dataclass(frozen=True)
class Tick:
    """Readings of one machine that fell due in one step: ``signals[name][i]`` at ``ts_ms[i]``."""

    equipment: str
    ts_ms: np.ndarray
    signals: dict[str, np.ndarray]

    def __len__(self) -> int:
        return int(self.ts_ms.size)


@dataclass(frozen=True)
class MachinePath:
    """Where a machine sits in the asset model: site / line / equipment."""

    site: str
    line: str
    equipment: str

    def __str__(self) -> str:
        return f"{self.site}/{self.line}/{self.equipment}"


class LiveFactory:
    """A factory whose machines produce readings as the wall clock runs (see the module doc).

    ``speed`` runs simulated time faster than the clock (2.0: two simulated seconds per second;
    timestamps are simulated time). ``clock`` returns the current epoch seconds (tests pass
    their own).
    """

    def __init__(
        self,
        factory: Factory | None = None,
        *,
        seed: int = 42,
        periods: Mapping[str, float] | None = None,
        copies: int = 1,
        always_on: bool = True,
        start: datetime | None = None,
        speed: float = 1.0,
        clock: object = None,
    ) -> None:
        if not speed > 0 or not math.isfinite(speed):
            raise InvalidInput(f"speed must be a positive number, got {speed!r}.")
        self.factory = factory or Factory(seed=seed, lines=demo_lines(copies, periods))
        if always_on:
            for m in self.factory.machines.values():
                m.schedule = WorkSchedule.always()
        self._clock = clock if callable(clock) else time.time
        now = self._clock()
        tz = self.factory.tz
        if start is None:
            self.origin = pd.Timestamp(math.floor(now), unit="s", tz="UTC").tz_convert(tz)
        else:
            ts = pd.Timestamp(start)
            self.origin = ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)
        self.origin_ms = int(self.origin.timestamp() * 1000)
        self._wall0 = self.origin.timestamp()
        self.speed = float(speed)
        # The same runs, keyed the same way, as Factory.generate / stream (same values).
        self._runs: dict[str, Run] = self.factory._start(self.origin)
        self.sim_s = 0.0
        site = self.factory.site[0]
        self.paths = {
            m.name: MachinePath(site, line.name, m.name)
            for line in self.factory.lines
            for m in line.machines
        }
        self._latest: dict[str, dict[str, tuple[int, float]]] = {n: {} for n in self._runs}
        self._ids = itertools.count(1)
        self.injections: list[Injection] = []
        # Faults are injected from other threads (a web request) while the simulator steps.
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ the machines

    @property
    def machines(self) -> dict[str, Machine]:
        return self.factory.machines

    def signal_defs(self, equipment: str) -> tuple[SignalDef, ...]:
        return self.machine(equipment).signal_defs

    def machine(self, equipment: str) -> Machine:
        m = self.factory.machines.get(equipment)
        if m is None:
            raise InvalidInput(
                f"No machine {equipment!r} in the simulated factory.",
                code="live.no_machine",
                params={"equipment": equipment, "known": ", ".join(self.factory.machines)},
            )
        return m

    # ------------------------------------------------------------------ time

    def now_s(self) -> float:
        """Simulated seconds since the origin, by the clock."""
        return (self._clock() - self._wall0) * self.speed

    def step(self, until_s: float | None = None) -> list[Tick]:
        """Every reading due before ``until_s`` (default: now) not returned before."""
        with self._lock:
            return self._step(self.now_s() if until_s is None else float(until_s))

    def _step(self, until: float) -> list[Tick]:
        if until <= self.sim_s:
            return []
        self.sim_s = until
        ticks = []
        for name, run in self._runs.items():
            block = run.advance(until)
            if not len(block):
                continue
            signals = self._faulted(name, block.t, dict(block.signals))
            ts_ms = self.origin_ms + np.round(block.t * 1000.0).astype(np.int64)
            latest = self._latest[name]
            last_ts = int(ts_ms[-1])
            for sig, v in signals.items():
                latest[sig] = (last_ts, float(v[-1]))
            ticks.append(Tick(name, ts_ms, signals))
        return ticks

    def latest(self, equipment: str) -> dict[str, tuple[int, float]]:
        """The newest reading of each signal of a machine: name → (epoch ms, value)."""
        return dict(self._latest[self.machine(equipment).name])

    # ------------------------------------------------------------------ faults

    def faults(self, equipment: str) -> dict[str, FaultSpec]:
        """The faults that can be injected into a machine, by name."""
        return FAULTS.get(self.machine(equipment).equipment_type, {})

    def inject(
        self,
        equipment: str,
        fault: str,
        duration_s: float,
        *,
        severity: float = 1.0,
        delay_s: float = 0.0,
    ) -> Injection:
        """Inject ``fault`` into ``equipment`` from now (+ ``delay_s``) for ``duration_s``.

        Raises :class:`InvalidInput` for an unknown machine or fault (the message lists the
        valid ones) or a duration or severity out of range.
        """
        specs = self.faults(equipment)
        if fault not in specs:
            raise InvalidInput(
                f"Machine {equipment!r} has no fault {fault!r}; choose from {sorted(specs)}.",
                code="live.no_fault",
                params={"equipment": equipment, "fault": fault, "known": ", ".join(sorted(specs))},
            )
        if not is_finite_duration(duration_s):
            raise InvalidInput(
                f"A fault's duration must be positive seconds, got {duration_s!r}.",
                code="live.bad_duration",
                params={"duration": duration_s},
            )
        if not 0.0 < severity <= 1.0:
            raise InvalidInput(
                f"A fault's severity is in (0, 1], got {severity!r}.",
                code="live.bad_severity",
                params={"severity": severity},
            )
        with self._lock:
            start = max(self.sim_s, self.now_s()) + max(0.0, delay_s)
            inj = Injection(next(self._ids), equipment, fault, start, start + duration_s, severity)
            self.injections.append(inj)
        return inj

    def clear(self, equipment: str | None = None) -> int:
        """End the injected faults (of one machine, or all) now; how many were active."""
        with self._lock:
            now = max(self.sim_s, self.now_s())
            n = 0
            for inj in self.injections:
                if (equipment is None or inj.equipment == equipment) and inj.end_s > now:
                    inj.end_s = max(inj.start_s, now)
                    n += 1
        return n

    def end(self, injection_id: int) -> Injection:
        """End one injected fault now (one that has not begun yet is dropped); raises
        :class:`NotFound` when no fault of that number is still to come or going on."""
        with self._lock:
            now = max(self.sim_s, self.now_s())
            for inj in self.injections:
                if inj.id == injection_id and inj.end_s > max(now, inj.start_s):
                    inj.end_s = max(inj.start_s, now)
                    return inj
        raise NotFound(
            f"No injected fault #{injection_id} is going on.",
            code="live.no_injection",
            params={"id": injection_id},
        )

    def pending(self) -> list[Injection]:
        """Injected faults going on or still to begin, by the clock."""
        with self._lock:
            now = max(self.sim_s, self.now_s())
            return [i for i in self.injections if i.end_s > max(now, i.start_s)]

    def active(self, at_s: float | None = None) -> list[Injection]:
        """Faults active at ``at_s`` (default: the last step)."""
        t = self.sim_s if at_s is None else at_s
        return [i for i in self.injections if i.start_s <= t < i.end_s]

    def _faulted(
        self, name: str, t: np.ndarray, signals: dict[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        mine = [
            i
            for i in self.injections
            if i.equipment == name and i.end_s > t[0] and i.start_s <= t[-1]
        ]
        if not mine:
            return signals
        specs = self.faults(name)
        defs = {s.name: s for s in self.signal_defs(name)}
        for inj in mine:
            rows = (t >= inj.start_s) & (t < inj.end_s)
            if not rows.any():
                continue
            spec = specs[inj.fault]
            part = {k: v[rows].astype(np.float64) for k, v in signals.items()}
            spec.apply(part, t[rows], inj)
            for k in spec.signals:
                d = defs[k]
                merged = signals[k].astype(np.float64, copy=True)
                merged[rows] = np.round(np.clip(part[k], d.min_value, d.max_value), d.decimals)
                signals[k] = merged
        return signals

    def __repr__(self) -> str:
        return f"LiveFactory(origin={self.origin}, machines={list(self._runs)})"
