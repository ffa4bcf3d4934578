"""The simulated factory: a site of lines and machines, and the ways to get its data out.

``Factory(seed=42)`` is the demo factory: one site (plant1, 본사공장 / Main plant) with a moulding
line (an injection moulding machine and a melting tank) and a machining line (a CNC machining
centre and a hydraulic press). ``copies`` adds more machines of each kind; ``lines`` replaces the
layout altogether.

Every machine's randomness is keyed by ``(seed, machine name)``, so machines are independent, the
same seed always gives the same data, and adding a machine does not change the others. A
realisation is anchored at the requested ``start``: the same ``(seed, start, end)`` always gives the
same rows, and :meth:`Factory.stream` from ``start`` yields the same values as
:meth:`Factory.generate` from ``start``, only a batch at a time.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

from openkamp.core.assets import LineSpec, SiteSpec, check_name
from openkamp.core.errors import InvalidInput
from openkamp.sim import _noise as nz
from openkamp.sim.cnc import CncMachine
from openkamp.sim.export import write_frames
from openkamp.sim.injection import InjectionMachine
from openkamp.sim.machine import Block, Machine, Run
from openkamp.sim.press import HydraulicPress
from openkamp.sim.tank import MeltingTank

DEFAULT_TZ = "Asia/Seoul"
TimeLike: TypeAlias = datetime | pd.Timestamp | str

#: Machine classes by equipment type, for ``Factory(periods=...)`` and custom layouts.
MACHINE_TYPES: dict[str, type[Machine]] = {
    cls.equipment_type: cls for cls in (InjectionMachine, CncMachine, HydraulicPress, MeltingTank)
}


@dataclass
class Line:
    """A production line of the simulated site."""

    name: str
    name_ko: str = ""
    name_en: str = ""
    machines: list[Machine] = field(default_factory=list)


@dataclass
class Simulation:
    """Everything one realisation produced: data as the factory sees it, and the hidden truth."""

    #: Equipment name → timestamp, one column per signal, one per label.
    data: dict[str, pd.DataFrame]
    #: Equipment name → timestamp and ground-truth columns, row-aligned with ``data``.
    truth: dict[str, pd.DataFrame]
    #: Events (tool changes, faults, maintenance): equipment, kind, start, end, detail.
    events: pd.DataFrame


def demo_lines(copies: int = 1, periods: Mapping[str, float] | None = None) -> list[Line]:
    """The demo layout; ``copies`` machines of each kind; ``periods`` by equipment type (seconds;
    for the injection machine, its nominal cycle time)."""
    if copies < 1:
        raise InvalidInput(f"copies must be at least 1, got {copies!r}.")
    periods = dict(periods or {})
    unknown = set(periods) - set(MACHINE_TYPES)
    if unknown:
        raise InvalidInput(
            f"Unknown equipment type(s) in periods: {sorted(unknown)}.",
            hint=f"Use one of {sorted(MACHINE_TYPES)}.",
        )

    def make(cls: type[Machine], prefix: str, n: int, ko: str, en: str) -> Machine:
        return cls(f"{prefix}{n:02d}", name_ko=f"{ko} {n}호기", name_en=f"{en} {n}",
                   period_s=periods.get(cls.equipment_type))  # fmt: skip

    numbers = range(1, copies + 1)
    return [
        Line("line1", "성형 라인", "Moulding line",
             [make(InjectionMachine, "inj", n, "사출기", "Injection moulding machine") for n in numbers]
             + [make(MeltingTank, "tank", n, "용해탱크", "Melting tank") for n in numbers]),
        Line("line2", "가공 라인", "Machining line",
             [make(CncMachine, "cnc", n, "CNC 가공기", "CNC machining centre") for n in numbers]
             + [make(HydraulicPress, "press", n, "유압 프레스", "Hydraulic press") for n in numbers]),
    ]  # fmt: skip


class Factory:
    """A seedable simulated factory with known ground truth (see the module docstring).

    ``lines`` gives a custom layout; without it the demo layout is built from ``copies`` and
    ``periods`` (see :func:`demo_lines`). ``tz`` is the factory's time zone: naive times passed in
    are taken as local time there, and every timestamp comes out in it.
    """

    def __init__(
        self,
        seed: int = 42,
        *,
        lines: Sequence[Line] | None = None,
        copies: int = 1,
        periods: Mapping[str, float] | None = None,
        tz: str = DEFAULT_TZ,
        site: tuple[str, str, str] = ("plant1", "본사공장", "Main plant"),
    ) -> None:
        self.seed = seed
        self.tz = tz
        self.site = site
        self.lines = list(lines) if lines is not None else demo_lines(copies, periods)
        self.machines: dict[str, Machine] = {}
        for line in self.lines:
            check_name(line.name, "line name")
            for m in line.machines:
                if m.name in self.machines:
                    raise InvalidInput(
                        f"Two machines are named {m.name!r}.",
                        hint="Equipment names must be unique in a factory.",
                    )
                self.machines[m.name] = m

    # ------------------------------------------------------------------ asset model

    def asset_model(self) -> SiteSpec:
        """The site → line → equipment tree, with every signal and label column."""
        name, ko, en = self.site
        return SiteSpec(
            name=name,
            name_ko=ko,
            name_en=en,
            description="Simulated factory (openkamp.sim).",
            lines=[
                LineSpec(line.name, line.name_ko, line.name_en,
                         equipment=[m.spec() for m in line.machines])
                for line in self.lines
            ],
        )  # fmt: skip

    # ------------------------------------------------------------------ batch generation

    def simulate(self, start: TimeLike, end: TimeLike) -> Simulation:
        """Run every machine over ``[start, end)``: data, ground truth and events in one pass."""
        origin, end_s = self._window(start, end)
        runs = self._start(origin)
        data, truth = {}, {}
        for name, run in runs.items():
            block = run.advance(end_s)
            ts = self._timestamps(origin, block.t)
            data[name] = pd.DataFrame({"timestamp": ts, **block.signals, **block.labels})
            truth[name] = pd.DataFrame({"timestamp": ts, **block.truth})
        return Simulation(data=data, truth=truth, events=self._events(runs, origin, end_s))

    def generate(self, start: TimeLike, end: TimeLike) -> dict[str, pd.DataFrame]:
        """Data as the factory would record it: equipment name → timestamp, signals, labels."""
        return self.simulate(start, end).data

    def ground_truth(self, start: TimeLike, end: TimeLike) -> dict[str, pd.DataFrame]:
        """The hidden truth, row-aligned with :meth:`generate` (see each machine's docstring)."""
        return self.simulate(start, end).truth

    def events(self, start: TimeLike, end: TimeLike) -> pd.DataFrame:
        """Known events and fault intervals that start in ``[start, end)``, as in :meth:`simulate`.

        Cheap: events come from the machines' event tables, without generating any rows.
        """
        origin, end_s = self._window(start, end)
        return self._events(self._start(origin), origin, end_s)

    def write_files(
        self,
        out_dir: str | pathlib.Path,
        start: TimeLike,
        end: TimeLike,
        *,
        layout: Literal["wide", "long"] = "wide",
        fmt: Literal["csv", "xlsx", "parquet"] = "csv",
        encoding: str = "utf-8",
        korean_headers: bool = False,
    ) -> list[pathlib.Path]:
        """Write each machine's data to files, as a factory would export it.

        See :func:`openkamp.sim.export.write_frames` for the layouts, formats and encodings.
        """
        frames = self.generate(start, end)
        return write_frames(frames, self.machines, pathlib.Path(out_dir), layout=layout,
                            fmt=fmt, encoding=encoding, korean_headers=korean_headers)  # fmt: skip

    # ------------------------------------------------------------------ live stream

    def stream(
        self, start: TimeLike, end: TimeLike | None = None, batch_seconds: float = 1.0
    ) -> Iterator[list[tuple[str, str, datetime, float]]]:
        """Signal readings as a live feed: one batch per ``batch_seconds`` of simulated time.

        Each batch is a list of ``(equipment, signal, timestamp, value)`` sorted by timestamp,
        possibly empty (a machine sampled every 10 s has nothing to say most seconds). Labels and
        ground truth are not streamed. Values are computed batch by batch, so an endless stream
        (``end=None``) costs no memory; pace it yourself for real time.
        """
        if not batch_seconds > 0:
            raise InvalidInput(f"batch_seconds must be positive, got {batch_seconds!r}.")
        origin, end_s = self._window(start, end)
        return self._stream(origin, end_s, float(batch_seconds))

    def _stream(
        self, origin: pd.Timestamp, end_s: float, step: float
    ) -> Iterator[list[tuple[str, str, datetime, float]]]:
        runs = self._start(origin)
        n = 0
        while n * step < end_s:
            until = min((n + 1) * step, end_s)
            batch: list[tuple[str, str, datetime, float]] = []
            for name, run in runs.items():
                block = run.advance(until)
                if len(block):
                    batch += _tuples(name, block, origin)
            batch.sort(key=lambda row: row[2])
            yield batch
            n += 1

    # ------------------------------------------------------------------ helpers

    def _start(self, origin: pd.Timestamp) -> dict[str, Run]:
        return {
            name: m.start(origin, nz.derive_key("openkamp.sim", self.seed, name))
            for name, m in self.machines.items()
        }

    def _events(self, runs: dict[str, Run], origin: pd.Timestamp, end_s: float) -> pd.DataFrame:
        rows = [
            (e.equipment, e.kind, e.start_s, e.end_s, e.detail)
            for run in runs.values()
            for e in run.events(end_s)
            if e.start_s >= 0.0
        ]
        ev = pd.DataFrame(rows, columns=["equipment", "kind", "start_s", "end_s", "detail"])
        ev.insert(2, "start", self._timestamps(origin, ev.pop("start_s").to_numpy(float)))
        ev.insert(3, "end", self._timestamps(origin, ev.pop("end_s").to_numpy(float)))
        return ev.sort_values(["start", "equipment"], kind="stable").reset_index(drop=True)

    def _to_ts(self, value: TimeLike) -> pd.Timestamp:
        ts = pd.Timestamp(value)
        return ts.tz_localize(self.tz) if ts.tzinfo is None else ts.tz_convert(self.tz)

    def _window(self, start: TimeLike, end: TimeLike | None) -> tuple[pd.Timestamp, float]:
        origin = self._to_ts(start)
        if end is None:
            return origin, math.inf
        end_s = (self._to_ts(end) - origin).total_seconds()
        if not end_s > 0:
            raise InvalidInput(f"end ({end}) must be after start ({start}).")
        return origin, end_s

    @staticmethod
    def _timestamps(origin: pd.Timestamp, t: np.ndarray) -> pd.DatetimeIndex:
        # Whole milliseconds: the grid is exact, and float seconds would leave ns-level dust.
        return origin + pd.to_timedelta(
            np.round(np.asarray(t) * 1000.0).astype(np.int64), unit="ms"
        )

    def __repr__(self) -> str:
        return f"Factory(seed={self.seed}, machines={list(self.machines)})"


def _tuples(
    name: str, block: Block, origin: pd.Timestamp
) -> list[tuple[str, str, datetime, float]]:
    # Add in UTC and convert back, as pandas does for generate(): right across DST changes too.
    base = origin.tz_convert("UTC").to_pydatetime()
    tz = origin.tzinfo
    ms = np.round(block.t * 1000.0).astype(np.int64)
    times = [(base + timedelta(milliseconds=int(m))).astimezone(tz) for m in ms]
    out = []
    for signal, values in block.signals.items():
        out += [(name, signal, ts, float(v)) for ts, v in zip(times, values, strict=True)]
    return out
