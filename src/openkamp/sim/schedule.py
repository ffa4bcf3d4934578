"""Weekly working hours, and the mapping between wall-clock time and operating time.

Small factories do not run around the clock: a CNC cell may work two day shifts with a lunch
break, an injection machine may run day and night but stop on Sundays. Wear and production only
advance while a machine works, so the simulator keeps two clocks:

* wall time ``t``: seconds since the simulation's origin (its ``start``);
* operating time ``op``: working seconds since the origin.

:class:`WorkSchedule` declares the hours; :meth:`WorkSchedule.bind` anchors them to an origin and
returns a :class:`BoundSchedule` that converts between the clocks, vectorised. The week is taken
in the origin's local time with the origin's UTC offset (Korea has no daylight saving time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from openkamp.core.errors import InvalidInput

DAY_S = 86_400.0
WEEK_S = 7 * DAY_S


@dataclass(frozen=True)
class WorkSchedule:
    """Working hours repeated every week.

    ``days`` are weekdays (0 = Monday … 6 = Sunday); ``hours`` are ``(from, to)`` local hours,
    ``0 <= from < to <= 24``, applied to each of those days. A night shift crossing midnight is two
    ranges, e.g. ``((0, 6), (22, 24))``.
    """

    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    hours: tuple[tuple[float, float], ...] = ((0.0, 24.0),)

    @classmethod
    def always(cls) -> WorkSchedule:
        return cls()

    def intervals(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted, merged working intervals within one week, as (starts, ends) in week seconds."""
        if not self.days or not self.hours:
            raise InvalidInput("A work schedule needs at least one day and one range of hours.")
        spans: list[tuple[float, float]] = []
        for d in sorted(set(self.days)):
            if not 0 <= d <= 6:
                raise InvalidInput(f"Invalid weekday {d!r}.", hint="Use 0 (Monday) to 6 (Sunday).")
            for h0, h1 in self.hours:
                if not 0 <= h0 < h1 <= 24:
                    raise InvalidInput(
                        f"Invalid working hours ({h0}, {h1}).",
                        hint="Use 0 <= from < to <= 24; split a night shift into two ranges.",
                    )
                spans.append((d * DAY_S + h0 * 3600.0, d * DAY_S + h1 * 3600.0))
        spans.sort()
        merged: list[list[float]] = []
        for a, b in spans:
            # Merge touching ranges (e.g. 24-hour days) so a boundary is never a fake stop.
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        arr = np.asarray(merged, dtype=np.float64)
        return arr[:, 0], arr[:, 1]

    def bind(self, origin: pd.Timestamp) -> BoundSchedule:
        return BoundSchedule(self, origin)


class BoundSchedule:
    """A :class:`WorkSchedule` anchored at an origin: converts wall time ⇄ operating time."""

    def __init__(self, schedule: WorkSchedule, origin: pd.Timestamp) -> None:
        self._starts, ends = schedule.intervals()
        self._lengths = ends - self._starts
        self._cum = np.concatenate([[0.0], np.cumsum(self._lengths)[:-1]])
        self._per_week = float(self._lengths.sum())
        self._always = self._per_week >= WEEK_S
        #: Local seconds since the Monday 00:00 before the origin.
        self.week_offset_s = (
            origin.weekday() * DAY_S
            + origin.hour * 3600.0
            + origin.minute * 60.0
            + origin.second
            + origin.microsecond / 1e6
        )
        self._op0 = float(self._op_abs(np.array([self.week_offset_s]))[0])

    def _op_abs(self, local: np.ndarray) -> np.ndarray:
        k = np.floor(local / WEEK_S)
        s = local - k * WEEK_S
        j = np.searchsorted(self._starts, s, side="right") - 1
        jc = np.clip(j, 0, None)
        within = np.minimum(s - self._starts[jc], self._lengths[jc])
        return k * self._per_week + np.where(j >= 0, self._cum[jc] + within, 0.0)

    def op_time(self, t: np.ndarray) -> np.ndarray:
        """Operating seconds elapsed between the origin and wall times ``t``."""
        t = np.asarray(t, dtype=np.float64)
        if self._always:
            return t.copy()
        return self._op_abs(t + self.week_offset_s) - self._op0

    def wall_time(self, op: np.ndarray) -> np.ndarray:
        """The wall time at which ``op`` operating seconds have elapsed.

        An ``op`` that falls exactly on the end of a working range maps to the start of the next
        one, so work paused at the end of a shift resumes when the next shift starts.
        """
        op = np.asarray(op, dtype=np.float64)
        if self._always:
            return op.copy()
        absolute = op + self._op0
        k = np.floor(absolute / self._per_week)
        r = absolute - k * self._per_week
        j = np.clip(np.searchsorted(self._cum, r, side="right") - 1, 0, None)
        return k * WEEK_S + self._starts[j] + (r - self._cum[j]) - self.week_offset_s

    def working(self, t: np.ndarray) -> np.ndarray:
        """Whether the machine is scheduled to work at wall times ``t``."""
        t = np.asarray(t, dtype=np.float64)
        if self._always:
            return np.ones(t.shape, dtype=bool)
        s = np.mod(t + self.week_offset_s, WEEK_S)
        j = np.searchsorted(self._starts, s, side="right") - 1
        jc = np.clip(j, 0, None)
        return (j >= 0) & (s < self._starts[jc] + self._lengths[jc])

    def next_working(self, t: float) -> float:
        """``t`` itself if the machine works then, else the start of the next working range."""
        if self.working(np.array([t]))[0]:
            return t
        return float(self.wall_time(self.op_time(np.array([t])))[0])
