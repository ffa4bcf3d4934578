"""Melting tank: batches of raw material melted and stirred, each inspected OK or NG.

In the spirit of the KAMP melting-tank data set (temperature, stirrer speed and weight logged
through each batch, every row tagged with the batch's OK/NG result).

What is modelled, and why
-------------------------
A batch is charge (8–12 min, weight rises to 900–1100 kg as cold material cools the melt) → heat
(40–50 min, temperature approaches its target with a 10-minute time constant while the heater
runs near full power) → hold (about 30 min at the target, stirred) → discharge (5–8 min). Between
batches the tank cools toward the hall temperature (4-hour time constant). Batches only *start*
in working hours (Mon–Sat 06–22 by default) but always run to the end once started.

Batches go wrong for three known reasons, drawn per batch: the temperature controller settles off
its 80 °C set point (σ 1.2 °C; in 5 % of batches by 3–6 °C), the stirrer slips (4 %: 80–160 rpm
below its 480 rpm set point), or the operator cuts the hold short (4 %: 12–20 min, not 30).

Ground truth
------------
``ng_prob`` = logistic(−5.0 + 1.1·|z_temp| + 0.45·max(0, −z_speed) + 0.6·max(0, −z_hold)), with
z-scores of the batch's hold-temperature offset (σ 1.2 °C), stirrer speed (σ 15 rpm) and hold time
(σ 2 min); the batch's OK/NG is drawn from it. Also exposed: ``phase``, ``batch_no`` and the three
batch factors. Rows between batches have no batch id and no OK/NG.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from openkamp.core.assets import LabelSpec, LabelType
from openkamp.sim import _noise as nz
from openkamp.sim.machine import Block, FixedRateRun, LazyTable, Machine, SignalDef, text_labels
from openkamp.sim.schedule import WorkSchedule

SET_POINT_C = 80.0
RESIDUAL_KG = 15.0
PHASES = ("idle", "charge", "heat", "hold", "discharge")
_COOL_TAU_S = 4 * 3600.0
_HEAT_TAU_S = 600.0

_SIGNALS = (
    SignalDef("melt_temp", "용해 온도", "Melt temperature", "°C", 0, 150, 1),
    SignalDef("motor_speed", "교반기 회전수", "Stirrer speed", "rpm", 0, 1000, 0),
    SignalDef("melt_weight", "용해 중량", "Melt weight", "kg", 0, 1500, 1),
    SignalDef("heater_power", "히터 출력", "Heater power", "kW", 0, 100, 1),
)

_LABELS = (
    LabelSpec("pass_fail", "판정", "Inspection result", LabelType.CATEGORY, ["OK", "NG"],
              "Result of the batch's inspection, on every row of the batch."),
    LabelSpec("batch_id", "배치 번호", "Batch number", LabelType.TEXT, [],
              "Batch being processed (empty between batches)."),
)  # fmt: skip

_TRUTH = {
    "ng_prob": "Probability that the batch is NG under the true model.",
    "phase": f"Process phase: {', '.join(PHASES)}.",
    "batch_no": "Batch sequence number (-1 between batches).",
    "temp_offset": "Offset of the batch's hold temperature from the set point (°C).",
    "stirrer_setpoint": "Stirrer speed actually reached during hold (rpm).",
    "hold_min": "Length of the batch's hold phase (min).",
}


class MeltingTank(Machine):
    """A batch melting tank sampled every ``period_s`` seconds (see the module docstring)."""

    equipment_type = "melting_tank"
    default_name_ko = "용해탱크"
    default_name_en = "Melting tank"
    default_period_s = 10.0
    default_schedule = WorkSchedule(days=(0, 1, 2, 3, 4, 5), hours=((6.0, 22.0),))
    signal_defs = _SIGNALS
    label_specs = _LABELS
    truth_columns = _TRUTH
    description = "Batch melting with per-batch OK/NG; batches start only in working hours."

    def start(self, origin: pd.Timestamp, key: int) -> TankRun:
        return TankRun(self, origin, key)


def ng_probability(temp_offset: np.ndarray, speed: np.ndarray, hold_min: np.ndarray) -> np.ndarray:
    """The true NG probability of a batch (see the module docstring)."""
    z_temp = np.abs(temp_offset) / 1.2
    z_speed = np.maximum(0.0, -(speed - 480.0) / 15.0)
    z_hold = np.maximum(0.0, -(hold_min - 30.0) / 2.0)
    return 1.0 / (1.0 + np.exp(-(-5.0 + 1.1 * z_temp + 0.45 * z_speed + 0.6 * z_hold)))


def _draw_batches(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    charge = rng.uniform(480.0, 720.0, n)
    heat = rng.uniform(2400.0, 3000.0, n)
    offset = rng.normal(0.0, 1.2, n)
    big = rng.random(n) < 0.05
    offset = np.where(big, rng.choice([-1.0, 1.0], n) * rng.uniform(3.0, 6.0, n), offset)
    speed = 480.0 + rng.normal(0.0, 15.0, n)
    speed = np.where(rng.random(n) < 0.04, speed - rng.uniform(80.0, 160.0, n), speed)
    hold_min = 30.0 + rng.normal(0.0, 2.0, n)
    hold_min = np.where(rng.random(n) < 0.04, rng.uniform(12.0, 20.0, n), hold_min)
    discharge = rng.uniform(300.0, 480.0, n)
    pause = rng.uniform(300.0, 1800.0, n)
    busy = charge + heat + hold_min * 60.0 + discharge
    return {
        "length": busy + pause,
        "charge": charge,
        "heat": heat,
        "hold": hold_min * 60.0,
        "discharge": discharge,
        "busy": busy,
        "offset": offset,
        "speed": speed,
        "hold_min": hold_min,
        "weight": rng.uniform(900.0, 1100.0, n),
        "ng_prob": ng_probability(offset, speed, hold_min),
        "ng_u": rng.random(n),
    }


class TankRun(FixedRateRun):
    def __init__(self, machine: MeltingTank, origin: pd.Timestamp, key: int) -> None:
        super().__init__(machine, origin, key)
        first = float(np.random.default_rng(nz.derive_key(key, "first")).uniform(0.0, 1800.0))
        self._batches = LazyTable(
            nz.derive_key(key, "batches"), _draw_batches, first=first,
            place=self.schedule.next_working,
        )  # fmt: skip

    def rows(self, i: np.ndarray, t: np.ndarray) -> Block:
        b = self._batches
        k = b.locate(t)
        kc = np.maximum(k, 0)
        col = {name: v[kc] for name, v in b.cols.items()}
        tau = t - b.start[kc]
        c_end = col["charge"]
        h_end = c_end + col["heat"]
        o_end = h_end + col["hold"]
        busy = col["busy"]
        in_batch = (k >= 0) & (tau < busy)
        phase = np.where(
            in_batch, np.select([tau < c_end, tau < h_end, tau < o_end], [1, 2, 3], 4), 0
        )
        target = SET_POINT_C + col["offset"]
        ambient = 22.0 + 2.0 * nz.daily(self.local_s(t), peak_hour=15.0)

        # The melt at the start of charging: the last batch's end temperature, cooled since.
        prev = np.maximum(k - 1, 0)
        prev_end = np.where(k > 0, SET_POINT_C + b.cols["offset"][prev] - 2.0, ambient)
        idle_for = np.where(k > 0, b.start[kc] - (b.start[prev] + b.cols["busy"][prev]), 0.0)
        t0 = ambient + (prev_end - ambient) * np.exp(-idle_for / _COOL_TAU_S)
        t_charged = t0 - (t0 - 20.0) * 0.3  # cold raw material at ~20 °C dilutes the melt
        frac_c = np.clip(tau / c_end, 0.0, 1.0)
        heat_tau = np.clip(tau - c_end, 0.0, None)
        temp_heat = target - (target - t_charged) * np.exp(-heat_tau / _HEAT_TAU_S)
        frac_d = np.clip((tau - o_end) / col["discharge"], 0.0, 1.0)
        end_temp = target - 2.0
        since_end = np.where(k >= 0, tau - busy, t)
        start_idle = np.where(k >= 0, end_temp, ambient)
        temp_idle = ambient + (start_idle - ambient) * np.exp(
            -np.maximum(since_end, 0) / _COOL_TAU_S
        )
        wobble = 0.4 * self.smooth("hold", t, 300.0)
        temp = np.select(
            [phase == 1, phase == 2, phase == 3, phase == 4],
            [t0 - (t0 - t_charged) * frac_c, temp_heat, target + wobble, target - 2.0 * frac_d],
            temp_idle,
        )
        power = np.select(
            [phase == 1, phase == 2, phase == 3, phase == 4],
            [20.0, np.minimum(90.0, 12.0 + 4.5 * (target - temp)), 12.0 - 2.0 * wobble,
             5.0],
            0.0,
        )  # fmt: skip
        speed = np.select(
            [phase == 1, phase == 2, phase == 3, phase == 4],
            [150.0, 350.0, col["speed"], 120.0],
            0.0,
        )
        full = col["weight"]
        evaporated = 0.002 * np.clip(tau - c_end, 0.0, None)
        weight = np.select(
            [phase == 1, phase == 2, phase == 3, phase == 4],
            [RESIDUAL_KG + (full - RESIDUAL_KG) * frac_c, full - evaporated, full - evaporated,
             (full - evaporated) + (RESIDUAL_KG - full + evaporated) * frac_d],
            RESIDUAL_KG,
        )  # fmt: skip
        raw = {
            "melt_temp": temp + 0.15 * self.noise("temp", i),
            "motor_speed": speed + np.where(speed > 0, 3.0, 0.0) * self.noise("speed", i),
            "melt_weight": weight + 1.5 * self.noise("weight", i),
            "heater_power": power + np.where(power > 0, 0.8, 0.0) * self.noise("power", i),
        }
        ng = col["ng_u"] < col["ng_prob"]
        batch_no = np.where(in_batch, k, -1)
        result = text_labels([None] * len(t))  # no result between batches
        result[in_batch] = np.where(ng, "NG", "OK")[in_batch]
        labels = {
            "pass_fail": result,
            "batch_id": self._batch_ids(batch_no),
        }
        truth = {
            "ng_prob": np.where(in_batch, col["ng_prob"], np.nan),
            "phase": np.array(PHASES, dtype=object)[phase],
            "batch_no": batch_no,
            "temp_offset": np.where(in_batch, col["offset"], np.nan),
            "stirrer_setpoint": np.where(in_batch, col["speed"], np.nan),
            "hold_min": np.where(in_batch, col["hold_min"], np.nan),
        }
        return Block(t=t, signals=self.measure(raw), labels=labels, truth=truth)

    def _batch_ids(self, batch_no: np.ndarray) -> np.ndarray:
        """Batch ids like ``B240305-0042``: the day the batch started, and its sequence number."""
        ids: dict[int, str | None] = {-1: None}  # no batch id between batches
        for n in np.unique(batch_no[batch_no >= 0]):
            day = (self.origin + pd.Timedelta(seconds=float(self._batches.start[n]))).strftime(
                "%y%m%d"
            )
            ids[int(n)] = f"B{day}-{int(n) + 1:04d}"
        return text_labels([ids[int(n)] for n in batch_no])
