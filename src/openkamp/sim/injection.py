"""Injection moulding machine: one row per shot, with a known logistic defect model.

What is modelled, and why
-------------------------
* **Shots.** The machine logs one row per shot. The cycle time (≈42 s by default) varies a little
  from shot to shot; short stoppages (≈1.5 % of shots, 0.5–10 min) and material changes between
  lots (15–45 min) add gaps, and the machine only runs in its working hours (Mon–Sat, 24 h by
  default). Shot times are logged to the second.
* **Material lots.** Every 700–1500 shots a new resin lot arrives with its own melt-flow deviation
  (viscosity); the setter retunes holding pressure and screw speed per lot.
* **Slow drift.** The zone-3 (feed) barrel heater degrades over days: it runs colder and hunts
  around its set point; the check ring wears, so the cushion shrinks. Both are restored at barrel
  maintenance, every 6–14 days (events ``barrel_maintenance``).
* **Daily cycle.** Mould temperature follows the chiller and the hall temperature over the day.
* **Start-up scrap.** After a pause of ten minutes or more the mould is cold for the next few
  shots: mould temperature is lower and short shots are far more likely.

Ground truth
------------
Each shot's defect is drawn from a multinomial logit over the four defect types. Logits are linear
in z-scores of the *true* (pre-measurement-noise) process values plus drift terms (``_LOGITS``);
``defect_prob`` = 1 − P(none). A model trained on the measured signals can recover much of this,
which tests check with an AUC floor.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from openkamp.core.assets import LabelSpec, LabelType
from openkamp.sim import _noise as nz
from openkamp.sim.machine import Block, Event, LazyTable, Machine, Run, SignalDef, text_labels
from openkamp.sim.schedule import DAY_S, WorkSchedule

DEFECT_TYPES = ("short_shot", "flash", "sink_mark", "burn")

_SIGNALS = (
    SignalDef("injection_time", "사출 시간", "Injection time", "s", 0.3, 5.0, 3),
    SignalDef("cushion", "쿠션량", "Cushion", "mm", 0.0, 20.0, 2),
    SignalDef("barrel_temp_z1", "실린더 온도 1존", "Barrel temperature zone 1", "°C", 150, 300, 1),
    SignalDef("barrel_temp_z2", "실린더 온도 2존", "Barrel temperature zone 2", "°C", 150, 300, 1),
    SignalDef("barrel_temp_z3", "실린더 온도 3존", "Barrel temperature zone 3", "°C", 150, 300, 1),
    SignalDef("mould_temp", "금형 온도", "Mould temperature", "°C", 10, 120, 1),
    SignalDef("injection_pressure", "사출 압력", "Peak injection pressure", "bar", 300, 2500, 1),
    SignalDef("hold_pressure", "보압", "Holding pressure", "bar", 100, 1500, 1),
    SignalDef("cycle_time", "사이클 타임", "Cycle time", "s", 10, 120, 2),
    SignalDef("plasticizing_time", "계량 시간", "Plasticizing (metering) time", "s", 1, 30, 2),
    SignalDef("screw_rpm", "스크류 회전수", "Screw speed", "rpm", 0, 300, 1),
)

_LABELS = (
    LabelSpec("pass_fail", "판정", "Inspection result", LabelType.CATEGORY, ["OK", "NG"],
              "OK or NG from the operator's inspection of the shot."),
    LabelSpec("defect_type", "불량 유형", "Defect type", LabelType.CATEGORY,
              ["none", *DEFECT_TYPES], "Kind of defect of an NG shot ('none' when OK)."),
    LabelSpec("lot_id", "로트 번호", "Lot number", LabelType.TEXT, [],
              "Material lot in the hopper."),
)  # fmt: skip

# Intercept, then coefficients of each defect's logit. Features are z-scores of the true process
# values: viscosity index, holding pressure, mould temperature, cushion, melt temperature,
# injection time, plus the cold-mould start-up term exp(-shots since restart / 3).
_FEATURES = ("viscosity", "hold", "mould", "cushion", "melt", "inj_time", "startup")
_LOGITS: dict[str, tuple[float, dict[str, float]]] = {
    "short_shot": (-8.5, {"viscosity": 2.0, "cushion": -1.4, "mould": -0.6, "startup": 3.5}),
    "flash": (-7.6, {"hold": 2.0, "viscosity": -1.5, "mould": 0.8}),
    "sink_mark": (-7.6, {"hold": -1.8, "mould": 1.3, "cushion": -0.8}),
    "burn": (-6.6, {"melt": 2.0, "inj_time": -1.5}),
}
# Process units per z-score unit of the features that are process values (bar, °C, mm, s).
_SCALE = {"hold": 25.0, "mould": 4.0, "cushion": 1.0, "inj_time": 0.07}

_TRUTH = {
    "shot_no": "Shot counter since the origin.",
    "defect_prob": "Probability that the shot is NG (1 − P(none)) under the true model.",
    **{f"p_{d}": f"Probability of a {d.replace('_', ' ')} defect." for d in DEFECT_TYPES},
    "heater_degradation": "Zone-3 heater degradation, 0 (new) to 1 (failing).",
    "check_ring_wear": "Check-ring wear, 0 (new) to 1 (worn out).",
    "melt_flow_dev": "Melt-flow deviation of the material lot, in standard deviations.",
    "viscosity_index": "True melt viscosity, as a z-score (higher = stiffer melt).",
    "shots_since_restart": "Shots since the last pause of 10 min or more.",
}


def what_if_defect_prob(truth: pd.DataFrame, **shift: Any) -> np.ndarray:
    """The true defect probability of the same shots had some true process values been shifted:
    the what-if oracle for testing setting recommendations against the ground truth.

    ``truth`` holds the shots' ground-truth rows (``defect_prob`` and ``p_<defect>`` columns);
    ``shift`` gives, per process value, a change (a number or one per shot) in process units:
    ``hold`` (holding pressure, bar), ``mould`` (mould temperature, °C), ``cushion`` (mm),
    ``inj_time`` (s), or in z-scores: ``viscosity``, ``melt``. Everything else about each shot
    (lot, drift, start-up) stays as it was. With no shift this returns ``defect_prob``.

    Each defect's odds against "none" are ``p_<defect> / (1 - defect_prob)``; a shift multiplies
    them by ``exp(coefficient × shift / scale)`` (see ``_LOGITS``).
    """
    unknown = set(shift) - set(_FEATURES) | ({"startup"} & set(shift))
    if unknown:
        allowed = [f for f in _FEATURES if f != "startup"]
        raise ValueError(f"unknown process values {sorted(unknown)}; choose from {allowed}")
    none = 1.0 - truth["defect_prob"].to_numpy(dtype=np.float64)
    total = np.zeros(len(truth))
    for kind, (_, coefs) in _LOGITS.items():
        odds = truth[f"p_{kind}"].to_numpy(dtype=np.float64) / none
        z = sum(
            c * np.asarray(shift[f], dtype=np.float64) / _SCALE.get(f, 1.0)
            for f, c in coefs.items()
            if f in shift
        )
        total = total + odds * np.exp(z)
    return np.asarray(1.0 - 1.0 / (1.0 + total))


class InjectionMachine(Machine):
    """An injection moulding machine logging one row per shot (see the module docstring)."""

    equipment_type = "injection_moulding"
    default_name_ko = "사출기"
    default_name_en = "Injection moulding machine"
    default_period_s = 42.0
    default_schedule = WorkSchedule(days=(0, 1, 2, 3, 4, 5))
    signal_defs = _SIGNALS
    label_specs = _LABELS
    truth_columns = _TRUTH
    # A per-shot machine has no sampling clock: ``period_s`` is its nominal cycle time.
    description = "One row per shot; sampling_period_s is the nominal cycle time."

    def start(self, origin: pd.Timestamp, key: int) -> InjectionRun:
        return InjectionRun(self, origin, key)


def _draw_lots(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "length": rng.integers(700, 1501, n).astype(np.float64),
        "mfi": rng.normal(0.0, 1.0, n),
        "hold_sp": 600.0 + 25.0 * rng.normal(0.0, 1.0, n),
        "rpm_sp": 120.0 + rng.choice([-10.0, 0.0, 0.0, 10.0], n),
        "change_gap": rng.uniform(900.0, 2700.0, n),
    }


def _draw_maintenance(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "length": rng.uniform(6.0, 14.0, n) * DAY_S,
        "heater_life": rng.uniform(5.0, 10.0, n) * DAY_S,
        "ring_life": rng.uniform(8.0, 16.0, n) * DAY_S,
    }


class InjectionRun(Run):
    machine: InjectionMachine

    def __init__(self, machine: InjectionMachine, origin: pd.Timestamp, key: int) -> None:
        super().__init__(machine, origin, key)
        self._lots = LazyTable(nz.derive_key(key, "lots"), _draw_lots)
        # The barrel was last serviced some days before the origin, so drift does not start at 0.
        age = float(np.random.default_rng(nz.derive_key(key, "age")).uniform(0.0, 6.0)) * DAY_S
        self._maint = LazyTable(nz.derive_key(key, "maint"), _draw_maintenance, first=-age)
        self._shot = 0  # index of the next shot to plan
        self._finish = 0.0  # operating time at which the last planned shot finishes
        empty = np.empty(0)
        self._planned: tuple[np.ndarray, np.ndarray, np.ndarray] = (
            empty.astype(np.int64),
            empty,
            empty,
        )
        self._prev_wall = -math.inf
        self._last_restart = 0
        self._lot_dates: dict[int, str] = {}

    def _plan(self) -> None:
        """Work out the next 256 shots' cycle times and start times (consumed as time passes)."""
        i = np.arange(self._shot, self._shot + 256, dtype=np.int64)
        cyc = self.machine.period_s + 0.25 * self.noise("cycle", i)
        stop = self.uniform("stop", i) < 0.015
        gap = np.where(stop, 30.0 + 570.0 * self.uniform("stop_len", i), 0.0)
        lot = self._lots.locate(i.astype(np.float64))
        new_lot = (i == self._lots.start[lot]) & (lot > 0)
        gap = gap + np.where(new_lot, self._lots.cols["change_gap"][lot], 0.0)
        # Sequential accumulation from the last finish time: shot times do not depend on how
        # the time axis is cut into calls.
        finish = np.cumsum(np.concatenate([[self._finish], gap + cyc]))[1:]
        self._shot += i.size
        self._finish = float(finish[-1])
        self._planned = (i, cyc, self.schedule.wall_time(finish - cyc))

    def _shot_times(self, until_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Indices, true cycle times and wall times of the shots starting before ``until_s``."""
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        while True:
            if self._planned[0].size == 0:
                self._plan()
            i, cyc, wall = self._planned
            n = int(np.searchsorted(wall, until_s, side="left"))
            parts.append((i[:n], cyc[:n], wall[:n]))
            self._planned = (i[n:], cyc[n:], wall[n:])
            if n < i.size:
                break
        if len(parts) == 1:
            return parts[0]
        return tuple(np.concatenate(p) for p in zip(*parts, strict=True))  # type: ignore[return-value]

    def advance(self, until_s: float) -> Block:
        i, cyc, wall = self._shot_times(until_s)
        if i.size == 0:
            return Block.empty(self.machine)
        t = np.floor(wall)  # the controller logs shot time to the second
        # Restarts: a pause of 10 minutes or more lets the mould cool down.
        gaps = np.diff(np.concatenate([[self._prev_wall], wall]))
        restart_at = np.where(gaps > 600.0, i, -1)
        last_restart = np.maximum.accumulate(np.concatenate([[self._last_restart], restart_at]))[1:]
        since = (i - last_restart).astype(np.float64)
        if i.size:
            self._prev_wall = float(wall[-1])
            self._last_restart = int(last_restart[-1])
        startup = np.exp(-since / 3.0)

        lot = self._lots.locate(i.astype(np.float64))
        mfi = self._lots.cols["mfi"][lot]
        hold_sp = self._lots.cols["hold_sp"][lot]
        rpm_sp = self._lots.cols["rpm_sp"][lot]
        m = self._maint.locate(t)
        age = t - self._maint.start[m]
        heater = np.clip(age / self._maint.cols["heater_life"][m], 0.0, 1.0) ** 2
        ring = np.clip(age / self._maint.cols["ring_life"][m], 0.0, 1.0)

        # True process state.
        z1 = 230.0 + 1.2 * self.smooth("z1", t, 3600.0)
        z2 = 225.0 + 1.2 * self.smooth("z2", t, 3600.0)
        # A degrading heater runs colder and hunts around its set point.
        z3 = 210.0 - 14.0 * heater + (0.5 + 3.0 * heater) * self.smooth("z3", t, 600.0)
        melt = 0.25 * (z1 - 230.0) / 1.2 + 0.25 * (z2 - 225.0) / 1.2 + 0.5 * (z3 - 210.0) / 7.0
        visc = -0.8 * mfi - 0.6 * melt + 0.3 * self.smooth("visc", t, 1800.0)
        mould = (
            45.0
            + 3.0 * self.smooth("mould", t, 3.0 * 3600.0)
            + 1.5 * nz.daily(self.local_s(t), peak_hour=15.0)
            - 8.0 * startup
        )
        hold = hold_sp + 6.0 * self.smooth("hold", t, 1200.0)
        inj_time = 1.2 + 0.06 * visc + 0.04 * self.smooth("inj", t, 900.0)
        cushion = 6.0 - 2.5 * ring - 0.35 * visc + 0.4 * self.smooth("cushion", t, 3600.0)
        pressure = 1100.0 + 110.0 * visc
        plast = 9.0 * (120.0 / rpm_sp) + 0.5 * visc + 0.8 * heater

        # Defect model on z-scores of the true values (see _LOGITS).
        feats = {
            "viscosity": visc,
            "hold": (hold - 600.0) / _SCALE["hold"],
            "mould": (mould - 45.0) / _SCALE["mould"],
            "cushion": (cushion - 6.0) / _SCALE["cushion"],
            "melt": melt,
            "inj_time": (inj_time - 1.2) / _SCALE["inj_time"],
            "startup": startup,
        }
        odds = np.stack([
            np.exp(b0 + sum(c * feats[f] for f, c in coefs.items()))
            for b0, coefs in _LOGITS.values()
        ])  # fmt: skip
        probs = odds / (1.0 + odds.sum(axis=0))
        u = self.uniform("defect", i)
        below = u < np.cumsum(probs, axis=0)
        kind = np.where(below.any(axis=0), np.argmax(below, axis=0) + 1, 0)
        defect = np.array(["none", *DEFECT_TYPES], dtype=object)[kind]

        # Measurement: each reading gets its own small sensor noise, counter-based on the shot.
        def noisy(x: np.ndarray, sd: float | np.ndarray, name: str) -> np.ndarray:
            return x + sd * self.noise(name, i)

        raw = {
            "injection_time": noisy(inj_time, 0.008, "injection_time"),
            "cushion": noisy(cushion, 0.08 + 0.4 * ring, "cushion"),
            "barrel_temp_z1": noisy(z1, 0.3, "barrel_temp_z1"),
            "barrel_temp_z2": noisy(z2, 0.3, "barrel_temp_z2"),
            "barrel_temp_z3": noisy(z3, 0.3, "barrel_temp_z3"),
            "mould_temp": noisy(mould, 0.3, "mould_temp"),
            "injection_pressure": noisy(pressure, 12.0, "injection_pressure"),
            "hold_pressure": noisy(hold, 3.0, "hold_pressure"),
            "cycle_time": cyc,
            "plasticizing_time": noisy(plast, 0.12, "plasticizing_time"),
            "screw_rpm": noisy(rpm_sp, 0.6, "screw_rpm"),
        }
        dp = 1.0 - 1.0 / (1.0 + odds.sum(axis=0))
        truth = {
            "shot_no": i.copy(),
            "defect_prob": dp,
            **{f"p_{d}": probs[n] for n, d in enumerate(DEFECT_TYPES)},
            "heater_degradation": heater,
            "check_ring_wear": ring,
            "melt_flow_dev": mfi,
            "viscosity_index": visc,
            "shots_since_restart": since.astype(np.int64),
        }
        labels = {
            "pass_fail": np.where(kind > 0, "NG", "OK").astype(object),
            "defect_type": defect,
            "lot_id": self._lot_ids(lot, i, t),
        }
        return Block(t=t, signals=self.measure(raw), labels=labels, truth=truth)

    def _lot_ids(self, lot: np.ndarray, i: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Lot ids like ``L240305-003``: the date the lot was started, and its sequence number."""
        starts = self._lots.start[lot]
        for j in np.unique(lot[i == starts]):
            first = t[np.argmax(lot == j)]
            day = (self.origin + pd.Timedelta(seconds=float(first))).strftime("%y%m%d")
            self._lot_dates[int(j)] = day
        ids = {int(j): f"L{self._lot_dates[int(j)]}-{int(j) + 1:03d}" for j in np.unique(lot)}
        return text_labels([ids[int(j)] for j in lot])

    def events(self, until_s: float) -> list[Event]:
        self._maint.cover(until_s)
        return [
            Event(self.machine.name, "barrel_maintenance", float(s), float(s),
                  "zone-3 heater and check ring replaced")
            for s in self._maint.start[1:]
            if 0.0 <= s < until_s
        ]  # fmt: skip
