"""What every simulated machine shares: its declared signals, a run that advances in time, events.

A :class:`Machine` is a description (name, sampling, working hours) that can state its asset
spec. :meth:`Machine.start` begins a :class:`Run` anchored at an origin and keyed by the factory's
seed; :meth:`Run.advance` returns the rows of the next stretch of time as a :class:`Block`. The
same run serves a month-long ``generate`` (one call) and a live stream (many small calls), and
both see the same values because:

* per-row randomness is counter-based (``_noise``), a function of the row's position;
* random events (tool lives, faults, lots, batches) come from :class:`LazyTable`, drawn in order
  from a seeded generator and extended only as far as needed;
* the little true state that is carried (thermal lags, the time of the last shot) lives in the run.

Measured values are rounded to the sensor's resolution and saturate at the sensor's range, as a
4–20 mA transmitter does; the ground truth keeps full precision.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from openkamp.core.assets import EquipmentSpec, LabelSpec, SignalSpec, ValueType, check_name
from openkamp.core.errors import InvalidInput
from openkamp.sim import _noise as nz
from openkamp.sim.schedule import DAY_S, BoundSchedule, WorkSchedule


@dataclass(frozen=True)
class SignalDef:
    """A signal as a machine declares it: display names, unit, physical range and resolution."""

    name: str
    name_ko: str
    name_en: str
    unit: str
    min_value: float
    max_value: float
    decimals: int
    description: str = ""
    value_type: ValueType = ValueType.FLOAT

    def spec(self, sampling_period_s: float | None) -> SignalSpec:
        return SignalSpec(
            name=self.name,
            name_ko=self.name_ko,
            name_en=self.name_en,
            unit=self.unit,
            value_type=self.value_type,
            min_value=self.min_value,
            max_value=self.max_value,
            sampling_period_s=sampling_period_s,
            description=self.description,
        )


@dataclass
class Block:
    """Rows of one machine over a stretch of time, as parallel arrays.

    ``t`` is seconds since the run's origin (sorted); ``signals`` hold measured values, ``labels``
    what the factory records (pass/fail, lot …), ``truth`` what only the simulator knows.
    """

    t: np.ndarray
    signals: dict[str, np.ndarray]
    labels: dict[str, np.ndarray]
    truth: dict[str, np.ndarray]

    def __len__(self) -> int:
        return int(self.t.size)

    @classmethod
    def empty(cls, machine: Machine) -> Block:
        """No rows (a stream asks for many stretches of time in which nothing happens)."""
        return cls(
            t=np.empty(0),
            signals={name: np.empty(0) for name in machine.signal_names},
            labels={name: np.empty(0, dtype=object) for name in machine.label_names},
            truth={name: np.empty(0) for name in machine.truth_columns},
        )


@dataclass(frozen=True)
class Event:
    """Something that happened to a machine over an interval (``end_s == start_s``: instant)."""

    equipment: str
    kind: str
    start_s: float
    end_s: float
    detail: str = ""


class LazyTable:
    """Rows of random events drawn in order, a chunk at a time, from one seeded generator.

    ``draw(rng, n)`` returns ``n`` new rows as arrays and must include ``length`` (how far the next
    row starts after this one). Row starts are ``first`` and then ``place(previous start +
    previous length)``; ``place`` (default: identity) can push a start into working hours. Because
    chunks are always the same size and drawn in order, the table is the same however far it has
    been extended.
    """

    CHUNK = 32

    def __init__(
        self,
        key: int,
        draw: Callable[[np.random.Generator, int], dict[str, np.ndarray]],
        first: float = 0.0,
        place: Callable[[float], float] | None = None,
    ) -> None:
        self._rng = np.random.default_rng(key)
        self._draw = draw
        self._place = place
        self._next = first
        self.cols: dict[str, np.ndarray] = {}
        self.start = np.empty(0)

    def cover(self, x: float) -> LazyTable:
        """Extend until some row starts after ``x``, so every point up to ``x`` falls in a row."""
        while self.start.size == 0 or self.start[-1] <= x:
            new = self._draw(self._rng, self.CHUNK)
            starts = np.empty(self.CHUNK)
            nxt = self._next
            for i, length in enumerate(new["length"]):
                nxt = self._place(nxt) if self._place else nxt
                starts[i] = nxt
                nxt = nxt + float(length)
            self._next = nxt
            self.start = np.concatenate([self.start, starts])
            for k, v in new.items():
                self.cols[k] = np.concatenate([self.cols[k], v]) if k in self.cols else v
        return self

    def locate(self, x: np.ndarray) -> np.ndarray:
        """Index of the row each point falls in (-1 before the first row)."""
        x = np.asarray(x, dtype=np.float64)
        if x.size:
            self.cover(float(x.max()))
        return np.searchsorted(self.start, x, side="right") - 1


class Run(ABC):
    """One realisation of a machine from an origin; advance it through time in order."""

    def __init__(self, machine: Machine, origin: pd.Timestamp, key: int) -> None:
        self.machine = machine
        self.origin = origin
        self.key = key
        self._stream_keys: dict[tuple[str, str], int] = {}
        self.schedule: BoundSchedule = machine.schedule.bind(origin)
        #: Local seconds since midnight at the origin, for daily cycles.
        self.day_offset_s = self.schedule.week_offset_s % DAY_S

    def stream_key(self, kind: str, name: str) -> int:
        """The key of one named random stream of this run (cached: it is asked for every block)."""
        key = self._stream_keys.get((kind, name))
        if key is None:
            key = self._stream_keys[kind, name] = nz.derive_key(self.key, kind, name)
        return key

    def noise(self, name: str, idx: np.ndarray) -> np.ndarray:
        """Standard normal values of stream ``name`` at row (or shot) indices ``idx``."""
        return nz.normal(self.stream_key("normal", name), idx)

    def uniform(self, name: str, idx: np.ndarray) -> np.ndarray:
        """Uniform (0, 1) values of stream ``name`` at row (or shot) indices ``idx``."""
        return nz.uniform(self.stream_key("uniform", name), idx)

    def smooth(self, name: str, t: np.ndarray, scale_s: float) -> np.ndarray:
        """A smooth unit-variance process ``name`` at wall times ``t`` (see ``_noise.smooth``)."""
        return nz.smooth(self.stream_key("smooth", name), t, scale_s)

    @abstractmethod
    def advance(self, until_s: float) -> Block:
        """Rows with ``t < until_s`` not returned before; call with increasing ``until_s``."""

    def events(self, until_s: float) -> list[Event]:
        """Events that started before ``until_s`` (none by default)."""
        return []

    def local_s(self, t: np.ndarray) -> np.ndarray:
        """Local seconds since the origin's midnight, for daily cycles."""
        return np.asarray(t) + self.day_offset_s

    def measure(self, raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Apply each sensor's range and resolution to true readings, in declaration order."""
        out: dict[str, np.ndarray] = {}
        for s in self.machine.signal_defs:
            out[s.name] = np.round(np.clip(raw[s.name], s.min_value, s.max_value), s.decimals)
        return out


class FixedRateRun(Run):
    """A run whose rows sit on a fixed grid ``t = i * period``; subclasses compute rows by index."""

    def __init__(self, machine: Machine, origin: pd.Timestamp, key: int) -> None:
        super().__init__(machine, origin, key)
        self.period_s = machine.period_s
        self._next = 0

    def advance(self, until_s: float) -> Block:
        end = max(self._next, math.ceil(until_s / self.period_s - 1e-9))
        if end == self._next:
            return Block.empty(self.machine)
        i = np.arange(self._next, end, dtype=np.int64)
        self._next = end
        return self.rows(i, i * self.period_s)

    @abstractmethod
    def rows(self, i: np.ndarray, t: np.ndarray) -> Block:
        """Compute rows ``i`` (at wall times ``t``); always called for consecutive indices."""


class Machine(ABC):
    """A kind of simulated equipment; subclasses declare signals, labels and ground truth."""

    equipment_type: ClassVar[str]
    default_name_ko: ClassVar[str]
    default_name_en: ClassVar[str]
    default_period_s: ClassVar[float]
    default_schedule: ClassVar[WorkSchedule] = WorkSchedule()
    signal_defs: ClassVar[tuple[SignalDef, ...]]
    label_specs: ClassVar[tuple[LabelSpec, ...]]
    #: Ground-truth column → what it means (documentation and tests use it).
    truth_columns: ClassVar[dict[str, str]]
    description: ClassVar[str] = ""

    def __init__(
        self,
        name: str,
        *,
        name_ko: str | None = None,
        name_en: str | None = None,
        period_s: float | None = None,
        schedule: WorkSchedule | None = None,
    ) -> None:
        self.name = check_name(name, "equipment name")
        self.name_ko = self.default_name_ko if name_ko is None else name_ko
        self.name_en = self.default_name_en if name_en is None else name_en
        self.period_s = float(self.default_period_s if period_s is None else period_s)
        if not self.period_s > 0:
            raise InvalidInput(f"Sampling period must be positive, got {period_s!r}.")
        self.schedule = self.default_schedule if schedule is None else schedule

    @property
    def signal_names(self) -> list[str]:
        return [s.name for s in self.signal_defs]

    @property
    def label_names(self) -> list[str]:
        return [lab.name for lab in self.label_specs]

    def spec(self) -> EquipmentSpec:
        return EquipmentSpec(
            name=self.name,
            name_ko=self.name_ko,
            name_en=self.name_en,
            equipment_type=self.equipment_type,
            description=self.description,
            signals=[s.spec(self.period_s) for s in self.signal_defs],
            labels=[
                LabelSpec(
                    name=lab.name,
                    name_ko=lab.name_ko,
                    name_en=lab.name_en,
                    label_type=lab.label_type,
                    categories=list(lab.categories),
                    description=lab.description,
                )
                for lab in self.label_specs
            ],
        )

    @abstractmethod
    def start(self, origin: pd.Timestamp, key: int) -> Run:
        """Start a realisation at ``origin``; ``key`` (from the seed) fixes its randomness."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, period_s={self.period_s})"


def text_labels(values: Sequence[str | None] | np.ndarray) -> np.ndarray:
    """An object array of label strings (None = no label), the form label columns take."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr
