"""CNC machining centre: spindle and vibration readings, with tool wear and remaining useful life.

What is modelled, and why
-------------------------
* **Work.** The cell works day shifts (Mon–Fri 08–12 and 13–20 by default). Each part takes
  300 s of operating time: 150 s roughing, 90 s finishing, 60 s load/unload with the spindle
  stopped. Outside working hours the controller keeps logging an idle machine.
* **Tool wear.** Flank wear VB (mm) grows with *cutting* time τ along the classic three-phase curve:
  fast running-in, a long linear stretch, then accelerating wear,
  ``VB(τ) = 0.08·(1 − e^(−τ/5)) + 0.0012·m·τ + 0.25·(m·τ/220)^4`` (τ in minutes), where each tool
  has its own wear-rate factor ``m`` (log-normal: inserts and work material vary).
* **Tool changes.** The operator changes the tool when the controller's tool-life counter expires
  (160 min of cutting, give or take what the operator does). A tool that wears faster reaches the
  failure threshold VB = 0.45 mm first and breaks (about a quarter of tools): the machine
  alarms and stands for 20–60 min. A planned change takes 3–8 min.
* **Signals.** Spindle load and vibration rise with wear, and rise sharply as VB nears the failure
  threshold (chipping); part-to-part hardness adds variation. Coolant warms with cutting through a
  20-minute thermal lag.

Ground truth
------------
``tool_wear`` (VB, mm), ``rul_min`` (remaining *cutting* minutes until VB reaches the failure
threshold, defined even for tools changed before they fail; it only decreases while cutting),
``tool_id``, ``cutting_min`` and the machine ``state``; events ``tool_change`` / ``tool_failure``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from openkamp.core.assets import LabelSpec, LabelType
from openkamp.sim import _noise as nz
from openkamp.sim.machine import (
    Block,
    Event,
    FixedRateRun,
    LazyTable,
    Machine,
    SignalDef,
    text_labels,
)
from openkamp.sim.schedule import WorkSchedule

VB_FAIL_MM = 0.45
PART_S = 300.0  # operating seconds per part
ROUGH_S = 150.0
CUT_S = 240.0  # roughing + finishing; the rest of the part cycle is load/unload
STATES = ("off", "roughing", "finishing", "load_unload", "tool_change")

_SIGNALS = (
    SignalDef("spindle_speed", "주축 회전수", "Spindle speed", "rpm", 0, 8000, 0),
    SignalDef("spindle_load", "주축 부하", "Spindle load", "%", 0, 150, 1),
    SignalDef("feed_rate", "이송 속도", "Feed rate", "mm/min", 0, 2000, 0),
    SignalDef("vibration_rms", "진동 RMS", "Vibration RMS", "mm/s", 0, 30, 3),
    SignalDef("coolant_temp", "절삭유 온도", "Coolant temperature", "°C", 0, 60, 1),
)

_LABELS = (
    LabelSpec("tool_id", "공구 번호", "Tool id", LabelType.TEXT, [],
              "Serial of the tool in the spindle (from the tool-management sheet)."),
    LabelSpec("alarm", "알람", "Alarm", LabelType.BOOL, [],
              "The controller is in a tool-breakage alarm."),
)  # fmt: skip

_TRUTH = {
    "tool_wear": "Flank wear VB of the tool in the spindle (mm).",
    "rul_min": "Remaining cutting minutes until VB reaches the failure threshold.",
    "cutting_min": "Cutting minutes of the tool in the spindle.",
    "tool_id": "Serial of the tool in the spindle.",
    "will_fail": "Whether this tool runs to failure before its planned change.",
    "state": f"Machine state: {', '.join(STATES)}.",
}


def flank_wear(cutting_min: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Flank wear VB (mm) after ``cutting_min`` minutes of cutting, at wear-rate factor ``rate``."""
    tau = np.asarray(cutting_min, dtype=np.float64)
    return (
        0.08 * (1.0 - np.exp(-tau / 5.0)) + 0.0012 * rate * tau + 0.25 * (rate * tau / 220.0) ** 4
    )


def minutes_to_failure(rate: np.ndarray) -> np.ndarray:
    """Cutting minutes until VB reaches ``VB_FAIL_MM``, by bisection (wear is increasing in τ)."""
    lo = np.zeros_like(rate)
    hi = np.full_like(rate, 5000.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        worn = flank_wear(mid, rate) >= VB_FAIL_MM
        hi = np.where(worn, mid, hi)
        lo = np.where(worn, lo, mid)
    return hi


def _cut_to_op(cut_s: np.ndarray) -> np.ndarray:
    """Operating seconds since installation after ``cut_s`` seconds of cutting."""
    parts = np.floor(cut_s / CUT_S)
    return parts * PART_S + (cut_s - parts * CUT_S)


def _op_to_cut(op_s: np.ndarray) -> np.ndarray:
    parts = np.floor(op_s / PART_S)
    return parts * CUT_S + np.minimum(op_s - parts * PART_S, CUT_S)


def _draw_tools(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    rate = rng.lognormal(0.0, 0.25, n)
    planned = 160.0 + rng.uniform(-20.0, 30.0, n)  # the tool-life counter, as the operator runs it
    fail = minutes_to_failure(rate)
    will_fail = fail < planned
    used_min = np.minimum(fail, planned)
    active = _cut_to_op(used_min * 60.0)
    downtime = np.where(will_fail, rng.uniform(1200.0, 3600.0, n), rng.uniform(180.0, 480.0, n))
    return {
        "length": active + downtime,
        "active": active,
        "rate": rate,
        "fail_min": fail,
        "will_fail": will_fail,
    }


class CncMachine(Machine):
    """A CNC machining centre sampled every ``period_s`` seconds (see the module docstring)."""

    equipment_type = "cnc"
    default_name_ko = "CNC 가공기"
    default_name_en = "CNC machining centre"
    default_period_s = 10.0
    default_schedule = WorkSchedule(days=(0, 1, 2, 3, 4), hours=((8.0, 12.0), (13.0, 20.0)))
    signal_defs = _SIGNALS
    label_specs = _LABELS
    truth_columns = _TRUTH
    description = "Spindle, vibration and coolant readings; tool wear and RUL as ground truth."

    def start(self, origin: pd.Timestamp, key: int) -> CncRun:
        return CncRun(self, origin, key)


class CncRun(FixedRateRun):
    def __init__(self, machine: CncMachine, origin: pd.Timestamp, key: int) -> None:
        super().__init__(machine, origin, key)
        self._tools = LazyTable(nz.derive_key(key, "tools"), _draw_tools)
        self._coolant = 22.0
        self._coolant_decay = math.exp(-self.period_s / 1200.0)

    def rows(self, i: np.ndarray, t: np.ndarray) -> Block:
        tools = self._tools
        working = self.schedule.working(t)
        op = self.schedule.op_time(t)
        k = np.maximum(tools.locate(op), 0)
        active = tools.cols["active"][k]
        u = op - tools.start[k]  # operating seconds since the tool was installed
        in_use = u < active
        cut_min = _op_to_cut(np.minimum(u, active)) / 60.0
        rate = tools.cols["rate"][k]
        wear = flank_wear(cut_min, rate)
        w = wear / VB_FAIL_MM
        distress = w**10  # chipping: a sharp rise only in the last few percent of life
        phase = u - np.floor(u / PART_S) * PART_S
        state = np.select(
            [~working, ~in_use, phase < ROUGH_S, phase < CUT_S], [0, 4, 1, 2], default=3
        )
        rough, finish = state == 1, state == 2
        cutting = rough | finish

        # Part-to-part hardness of the work material, fixed per part.
        part = k * 100_000 + np.floor(u / PART_S).astype(np.int64)
        hard = 1.0 + 0.04 * self.noise("hardness", part)
        speed = np.select([rough, finish], [1800.0, 2600.0], 0.0)
        feed = np.select([rough, finish], [400.0, 180.0], 0.0)
        base_load = np.select([rough, finish, state == 3], [55.0, 30.0, 3.0], 0.5)
        load = np.where(cutting, base_load * hard * (1.0 + 0.35 * w) + 25.0 * distress, base_load)
        base_vib = np.select([rough, finish, state == 3], [1.4, 0.8, 0.25], 0.05)
        vib = np.where(cutting, base_vib * (1.0 + 1.2 * w**2) + 4.0 * distress, base_vib)

        # Coolant: heat from cutting through a thermal lag, on top of the hall's daily cycle.
        ambient = 21.0 + 2.0 * nz.daily(self.local_s(t), peak_hour=15.0)
        heat = np.select([cutting, state == 3], [9.0, 3.0], 0.0)
        coolant, self._coolant = nz.ema(ambient + heat, self._coolant_decay, self._coolant)

        raw = {
            "spindle_speed": speed * (1.0 + 0.002 * self.noise("speed", i)),
            "spindle_load": load + np.where(cutting, 1.5, 0.3) * np.abs(self.noise("load", i)),
            "feed_rate": feed,
            "vibration_rms": vib * (1.0 + 0.06 * self.noise("vib", i)),
            "coolant_temp": coolant + 0.1 * self.noise("coolant", i),
        }
        ids = np.array(
            [f"T01-{n + 1:04d}" for n in range(int(k.max(initial=-1)) + 1)], dtype=object
        )
        tool_id = ids[k] if k.size else text_labels([])
        will_fail = tools.cols["will_fail"][k]
        truth = {
            "tool_wear": wear,
            "rul_min": tools.cols["fail_min"][k] - cut_min,
            "cutting_min": cut_min,
            "tool_id": tool_id,
            "will_fail": will_fail,
            "state": np.array(STATES, dtype=object)[state],
        }
        labels = {"tool_id": tool_id, "alarm": (state == 4) & will_fail}
        return Block(t=t, signals=self.measure(raw), labels=labels, truth=truth)

    def events(self, until_s: float) -> list[Event]:
        tools = self._tools.cover(float(self.schedule.op_time(np.array([until_s]))[0]))
        end_t = self.schedule.wall_time(tools.start + tools.cols["active"])
        back_t = self.schedule.wall_time(tools.start + tools.cols["length"])
        vb = flank_wear(_op_to_cut(tools.cols["active"]) / 60.0, tools.cols["rate"])
        return [
            Event(
                self.machine.name,
                "tool_failure" if tools.cols["will_fail"][n] else "tool_change",
                float(end_t[n]),
                float(back_t[n]),
                f"T01-{n + 1:04d} removed at VB {vb[n]:.3f} mm",
            )
            for n in np.flatnonzero(end_t < until_s)
        ]
