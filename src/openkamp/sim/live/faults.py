"""Faults injected into the live factory on request, with the signature the simulator gives them.

The batch simulator draws its faults at random (the press's fault process, tool wear, heater and
check-ring drift, batch upsets); a live demonstration and the alert tests need one *now*, on a
chosen machine, for a chosen time. Each :class:`FaultSpec` changes a machine's readings the way
the machine's own model does at severity ``s`` (0 to 1), and says which signals it touches, so a
test can check that an alert names exactly those:

========================  =================================================================
``hydraulic_press``       ``bearing_wear``, ``cavitation``, ``leakage``, ``sensor_drift``,
                          ``stuck_sensor`` (as in ``sim/press.py``; leak heat through the oil's
                          45-minute lag, the drift growing over the fault's duration)
``cnc``                   ``tool_wear``: a tool near failure (``sim/cnc.py`` at VB → 0.45 mm)
``injection_moulding``    ``heater_degradation`` (zone-3 heater), ``check_ring_wear``
                          (``sim/injection.py``)
``melting_tank``          ``stirrer_slip``, ``temp_offset`` (``sim/tank.py``'s batch upsets)
========================  =================================================================

The effects apply to the readings after the machine computed them and are measured again
(clipped to the sensor's range, rounded to its resolution).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

Signals = dict[str, np.ndarray]


@dataclass
class Injection:
    """One injected fault: on ``equipment`` from ``start_s`` to ``end_s`` (simulated seconds)."""

    id: int
    equipment: str
    fault: str
    start_s: float
    end_s: float
    severity: float = 1.0
    #: What a fault remembers between blocks (the stuck sensor's frozen reading).
    state: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "equipment": self.equipment,
            "fault": self.fault,
            "start_s": self.start_s,
            "end_s": self.end_s,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class FaultSpec:
    """A fault kind of one equipment type: the signals it changes and how."""

    name: str
    signals: tuple[str, ...]
    #: ``apply(readings, t, injection)``: change ``readings`` in place at rows ``t`` (all inside
    #: the injection's interval).
    apply: Callable[[Signals, np.ndarray, Injection], None]


def _frac(t: np.ndarray, inj: Injection) -> np.ndarray:
    return np.clip((t - inj.start_s) / max(inj.end_s - inj.start_s, 1e-9), 0.0, 1.0)


def _running(sig: Signals, name: str) -> np.ndarray:
    return (sig[name] > 0).astype(np.float64)


# hydraulic press (sim/press.py: the same coefficients with run = 1)
def _bearing(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    s = inj.severity
    sig["vib_rms"] = sig["vib_rms"] * (1.0 + 2.0 * s)
    sig["vib_kurtosis"] = sig["vib_kurtosis"] + 5.0 * s
    sig["vib_hf"] = sig["vib_hf"] + 2.8 * s**1.2
    sig["motor_current"] = sig["motor_current"] + 2.0 * s


def _cavitation(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    s = inj.severity
    sig["pressure_ripple"] = sig["pressure_ripple"] + 14.0 * s * 0.8
    sig["flow"] = sig["flow"] - 9.0 * s
    sig["pressure"] = sig["pressure"] - 6.0 * s
    sig["vib_rms"] = sig["vib_rms"] * (1.0 + 0.4 * s)
    sig["vib_kurtosis"] = sig["vib_kurtosis"] + 2.5 * s
    sig["vib_hf"] = sig["vib_hf"] + 1.5 * s
    sig["motor_current"] = sig["motor_current"] + 1.5 * s


def _leakage(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    s = inj.severity
    sig["pressure"] = sig["pressure"] - 35.0 * s
    sig["flow"] = sig["flow"] - 12.0 * s
    sig["motor_current"] = sig["motor_current"] + 5.5 * s
    # The oil warms toward +9 °C through the unit's 45-minute thermal lag.
    sig["oil_temp"] = sig["oil_temp"] + 9.0 * s * (1.0 - np.exp(-(t - inj.start_s) / 2700.0))


def _drift(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    sig["pressure"] = sig["pressure"] + 25.0 * inj.severity * _frac(t, inj)


def _stuck(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    frozen = inj.state.setdefault("oil_temp", float(sig["oil_temp"][0]))
    sig["oil_temp"] = np.full_like(sig["oil_temp"], frozen)


# CNC (sim/cnc.py: wear w → 1, distress w**10 at severity s)
def _tool(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    s = inj.severity
    cutting = _running(sig, "spindle_speed")
    sig["spindle_load"] = sig["spindle_load"] * (1.0 + 0.35 * s * cutting) + 25.0 * s**10 * cutting
    sig["vibration_rms"] = (
        sig["vibration_rms"] * (1.0 + 1.2 * s**2 * cutting) + 4.0 * s**10 * cutting
    )


# injection moulding (sim/injection.py)
def _heater(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    s = inj.severity
    sig["barrel_temp_z3"] = sig["barrel_temp_z3"] - 14.0 * s**2
    sig["plasticizing_time"] = sig["plasticizing_time"] + 0.8 * s**2


def _ring(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    sig["cushion"] = sig["cushion"] - 2.5 * inj.severity


# melting tank (sim/tank.py's batch upsets)
def _slip(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    sig["motor_speed"] = sig["motor_speed"] - 120.0 * inj.severity * _running(sig, "motor_speed")


def _offset(sig: Signals, t: np.ndarray, inj: Injection) -> None:
    sig["melt_temp"] = sig["melt_temp"] + 5.0 * inj.severity


def _specs(*specs: FaultSpec) -> dict[str, FaultSpec]:
    return {s.name: s for s in specs}


#: Equipment type → fault name → what it does.
FAULTS: dict[str, dict[str, FaultSpec]] = {
    "hydraulic_press": _specs(
        FaultSpec("bearing_wear", ("vib_rms", "vib_kurtosis", "vib_hf", "motor_current"), _bearing),
        FaultSpec(
            "cavitation",
            (
                "pressure_ripple",
                "flow",
                "pressure",
                "vib_rms",
                "vib_kurtosis",
                "vib_hf",
                "motor_current",
            ),
            _cavitation,
        ),
        FaultSpec("leakage", ("pressure", "flow", "motor_current", "oil_temp"), _leakage),
        FaultSpec("sensor_drift", ("pressure",), _drift),
        FaultSpec("stuck_sensor", ("oil_temp",), _stuck),
    ),
    "cnc": _specs(FaultSpec("tool_wear", ("spindle_load", "vibration_rms"), _tool)),
    "injection_moulding": _specs(
        FaultSpec("heater_degradation", ("barrel_temp_z3", "plasticizing_time"), _heater),
        FaultSpec("check_ring_wear", ("cushion",), _ring),
    ),
    "melting_tank": _specs(
        FaultSpec("stirrer_slip", ("motor_speed",), _slip),
        FaultSpec("temp_offset", ("melt_temp",), _offset),
    ),
}


def is_finite_duration(duration_s: float) -> bool:
    return duration_s > 0 and math.isfinite(duration_s)
