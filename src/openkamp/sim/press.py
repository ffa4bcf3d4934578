"""Hydraulic press and its pump unit: condition-monitoring features, with injected faults.

What is modelled, and why
-------------------------
Each row is what a condition-monitoring box reports for one sampling window (10 s by default):
mean line pressure and its ripple, pump flow, motor current, oil temperature, and vibration
features of the pump bearing (RMS velocity, kurtosis, high-frequency envelope). The press works
day shifts (Mon–Fri 08–12 and 13–20 by default); outside them the box logs an idle unit. Duty
varies slowly with the parts being pressed; oil temperature follows a 45-minute thermal lag.

Faults arrive as a renewal process, never two at once: a healthy stretch (6 h plus an
exponential of mean 2.25 days), then a fault of a random kind with a known start and end. Each
acts through a severity ``s`` between 0 and 1:

* ``bearing_wear`` (1–4 days, ``s`` grows as a power of elapsed time): vibration RMS up to ×3,
  kurtosis up (impacts), high-frequency envelope up strongly, a little more motor current.
* ``cavitation`` (20 min – 4 h, bursty): large pressure ripple, flow loss and flow unsteadiness,
  high-frequency noise, slightly lower pressure.
* ``leakage`` (6 h – 3 days, grows): lower pressure and flow, more current, hotter oil.
* ``sensor_drift`` (1–5 days): the pressure *reading* drifts up to ±25 bar; the process is fine.
* ``stuck_sensor`` (2–12 h): the oil-temperature reading freezes at its value when it stuck.

Physical faults only show while the unit runs; sensor faults show at any time.

Ground truth
------------
``fault_kind`` and ``fault_severity`` per row, ``fault_id``, ``running``, and the true pressure and
oil temperature (which differ from the readings under sensor faults); the fault intervals are
:meth:`PressRun.events`. The factory's maintenance log gives the ``fault_kind`` label column.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from openkamp.core.assets import LabelSpec, LabelType
from openkamp.sim import _noise as nz
from openkamp.sim.machine import Block, Event, FixedRateRun, LazyTable, Machine, SignalDef
from openkamp.sim.schedule import DAY_S, WorkSchedule

FAULT_KINDS = ("bearing_wear", "cavitation", "leakage", "sensor_drift", "stuck_sensor")
_FAULT_P = (0.3, 0.2, 0.2, 0.15, 0.15)
# Duration range of each fault kind, in hours.
_FAULT_H = {
    "bearing_wear": (24.0, 96.0),
    "cavitation": (1.0 / 3.0, 4.0),
    "leakage": (6.0, 72.0),
    "sensor_drift": (24.0, 120.0),
    "stuck_sensor": (2.0, 12.0),
}

_SIGNALS = (
    SignalDef("pressure", "유압", "Line pressure", "bar", 0, 250, 1),
    SignalDef("pressure_ripple", "압력 맥동", "Pressure ripple", "bar", 0, 40, 2),
    SignalDef("flow", "유량", "Pump flow", "L/min", 0, 120, 1),
    SignalDef("motor_current", "모터 전류", "Motor current", "A", 0, 60, 2),
    SignalDef("oil_temp", "작동유 온도", "Oil temperature", "°C", 0, 90, 1),
    SignalDef("vib_rms", "진동 RMS", "Vibration RMS velocity", "mm/s", 0, 30, 3),
    SignalDef("vib_kurtosis", "진동 첨도", "Vibration kurtosis", "", 1, 20, 2),
    SignalDef("vib_hf", "고주파 진동", "High-frequency vibration envelope", "g", 0, 10, 3),
)

_LABELS = (
    LabelSpec("fault_kind", "고장 유형", "Fault kind", LabelType.CATEGORY, ["none", *FAULT_KINDS],
              "Fault recorded in the maintenance log for this time ('none' when healthy)."),
)  # fmt: skip

_TRUTH = {
    "fault_kind": "Active fault ('none' when healthy).",
    "fault_severity": "Severity of the active fault, 0 to 1.",
    "fault_id": "Sequence number of the active fault (-1 when healthy).",
    "running": "Whether the unit was scheduled to run.",
    "pressure_true": "True line pressure (bar); differs from the reading under sensor drift.",
    "oil_temp_true": "True oil temperature (°C); differs from the reading when the sensor sticks.",
}


class HydraulicPress(Machine):
    """A hydraulic press with condition monitoring, sampled every ``period_s`` seconds."""

    equipment_type = "hydraulic_press"
    default_name_ko = "유압 프레스"
    default_name_en = "Hydraulic press"
    default_period_s = 10.0
    default_schedule = WorkSchedule(days=(0, 1, 2, 3, 4), hours=((8.0, 12.0), (13.0, 20.0)))
    signal_defs = _SIGNALS
    label_specs = _LABELS
    truth_columns = _TRUTH
    description = "Pump and press condition monitoring with injected faults of known intervals."

    def start(self, origin: pd.Timestamp, key: int) -> PressRun:
        return PressRun(self, origin, key)


def _draw_faults(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    kind = rng.choice(len(FAULT_KINDS), size=n, p=_FAULT_P)
    lo = np.array([_FAULT_H[k][0] for k in FAULT_KINDS])[kind]
    hi = np.array([_FAULT_H[k][1] for k in FAULT_KINDS])[kind]
    duration = rng.uniform(lo, hi) * 3600.0
    gap = 0.25 * DAY_S + rng.exponential(2.25 * DAY_S, n)  # healthy time before the fault
    return {
        "length": gap + duration,
        "gap": gap,
        "duration": duration,
        "kind": kind,
        "sign": rng.choice([-1.0, 1.0], n),
    }


class PressRun(FixedRateRun):
    def __init__(self, machine: HydraulicPress, origin: pd.Timestamp, key: int) -> None:
        super().__init__(machine, origin, key)
        self._faults = LazyTable(nz.derive_key(key, "faults"), _draw_faults)
        self._oil = 26.0
        self._oil_decay = math.exp(-self.period_s / 2700.0)
        self._stuck_at: dict[int, float] = {}  # fault id → frozen oil-temperature reading

    def rows(self, i: np.ndarray, t: np.ndarray) -> Block:
        f = self._faults
        n = np.maximum(f.locate(t), 0)
        begin = f.start[n] + f.cols["gap"][n]
        duration = f.cols["duration"][n]
        active = (t >= begin) & (t < begin + duration)
        frac = np.clip((t - begin) / duration, 0.0, 1.0)
        kind = np.where(active, f.cols["kind"][n], -1)

        def severity(name: str, profile: np.ndarray) -> np.ndarray:
            return np.where(kind == FAULT_KINDS.index(name), profile, 0.0)

        s_bear = severity("bearing_wear", 0.15 + 0.85 * frac**1.5)
        # Cavitation comes in bursts as air is drawn in and collapses.
        s_cav = severity("cavitation", np.clip(0.75 + 0.35 * self.smooth("cav", t, 60.0), 0, 1))
        s_leak = severity("leakage", 0.3 + 0.7 * frac)
        s_drift = severity("sensor_drift", frac)
        stuck = kind == FAULT_KINDS.index("stuck_sensor")

        run = self.schedule.working(t).astype(np.float64)
        duty = self.smooth("duty", t, 600.0)
        noise = {name: self.noise(name, i) for name in ("p", "r", "q", "c", "o", "v", "k", "h")}

        pressure = run * (165.0 + 8.0 * duty - 35.0 * s_leak - 6.0 * s_cav) + 2.0
        pressure = pressure + (0.3 + 1.2 * run) * noise["p"]
        ripple = run * (1.5 + 14.0 * s_cav * (0.6 + 0.4 * np.abs(noise["r"]))) + 0.1
        ripple = ripple + (0.05 + 0.15 * run) * np.abs(noise["r"])
        flow = run * (62.0 + 3.0 * duty - 12.0 * s_leak - 9.0 * s_cav + 5.0 * s_cav * noise["q"])
        flow = flow + 0.4 * run * noise["q"]
        current = run * (
            30.0 + 0.08 * (pressure - 165.0) + 2.0 * s_bear + 5.5 * s_leak + 1.5 * s_cav
        )
        current = current + 1.2 + 0.3 * noise["c"]

        # Oil settles toward ambient when idle and ~23 °C above it under load (leaks run hotter).
        ambient = 24.0 + 2.0 * nz.daily(self.local_s(t), peak_hour=15.0)
        target = ambient + run * (23.0 + 9.0 * s_leak + 3.0 * s_bear)
        oil, self._oil = nz.ema(target, self._oil_decay, self._oil)

        vib = run * (2.1 + 0.15 * duty) * (1.0 + 2.0 * s_bear + 0.4 * s_cav) + 0.06
        vib = vib * (1.0 + 0.05 * noise["v"])
        kurt = 3.0 + run * (5.0 * s_bear + 2.5 * s_cav) + 0.15 * noise["k"]
        hf = run * (0.35 + 2.8 * s_bear**1.2 + 1.5 * s_cav) + 0.02
        hf = hf * (1.0 + 0.08 * noise["h"])

        # Sensor faults change only the readings.
        oil_read = oil + 0.1 * noise["o"]
        if stuck.any():
            for fid in np.unique(n[stuck]):
                rows = stuck & (n == fid)
                frozen = self._stuck_at.setdefault(int(fid), float(oil_read[np.argmax(rows)]))
                oil_read = np.where(rows, frozen, oil_read)
        raw = {
            "pressure": pressure + 25.0 * f.cols["sign"][n] * s_drift,
            "pressure_ripple": ripple,
            "flow": flow,
            "motor_current": current,
            "oil_temp": oil_read,
            "vib_rms": vib,
            "vib_kurtosis": kurt,
            "vib_hf": hf,
        }
        names = np.array(["none", *FAULT_KINDS], dtype=object)[kind + 1]
        # At most one fault is active, so the severities add up to the active one's.
        sev = s_bear + s_cav + s_leak + s_drift + stuck
        truth = {
            "fault_kind": names,
            "fault_severity": sev,
            "fault_id": np.where(active, n, -1),
            "running": run > 0,
            "pressure_true": pressure,
            "oil_temp_true": oil,
        }
        return Block(
            t=t, signals=self.measure(raw), labels={"fault_kind": names.copy()}, truth=truth
        )

    def events(self, until_s: float) -> list[Event]:
        f = self._faults.cover(until_s)
        begin = f.start + f.cols["gap"]
        return [
            Event(self.machine.name, FAULT_KINDS[int(f.cols["kind"][n])], float(begin[n]),
                  float(begin[n] + f.cols["duration"][n]), f"fault {n}")
            for n in np.flatnonzero(begin < until_s)
        ]  # fmt: skip
