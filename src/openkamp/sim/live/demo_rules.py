"""The live demo's default alert rules: what watches its four live machines from the first run.

``./kamp demo`` creates these rules in the demo organisation (by name, once: a rule the user has
changed, disabled or deleted is left as it is, see :func:`ensure_demo_rules`), so a fault
injected in the simulator raises an alert without anyone having written a rule first.

Each level sits between the machine's normal readings and the reading under an injected fault
(:mod:`openkamp.sim.live.faults`, severity 1), measured on the live simulator (seed 42, the demo's
sampling periods): hours of normal running reach the normal extremes below, and the fault moves
the watched signal well past the level. Where one fault changes several signals the rule watches
the one that tells this fault from the machine's other faults, so one fault raises one alert. The
clear levels (hysteresis) lie back inside the normal range, and ``clear_for_s`` bridges the
machine's own pauses in a fault (a CNC machine's 60 s of loading between parts), so one fault is
one episode.

====================  ==================  ===========================================  =========
fault                 signal              normal (8 h) → faulted                       level
====================  ==================  ===========================================  =========
press bearing_wear    vib_hf              0.25–0.49 g → ≥ 3.0 (cavitation ≤ 2.0)        > 2.5
press cavitation      pressure_ripple     1.6–2.4 bar → ≥ 12.8                          > 7
press leakage         motor_current       29.0–33.8 A → 34.5–39.3 (bearing ≤ 35.8)      > 36
press sensor_drift    pressure            146–189 bar → + up to 25 (at the fault's end)  > 193
press stuck_sensor    oil_temp            changes at least every 11 s → frozen          60 s flat
cnc tool_wear         vibration_rms       ≤ 2.4 mm/s → ≥ 4.1 while cutting              > 3.2
inj heater_degr.      barrel_temp_z3      196–209 °C (day 1) → 182–195                  < 190
inj check_ring_wear   cushion             2.35–5.75 mm (day 1) → 0–3.25, mostly < 2      < 2.0
tank temp_offset      melt_temp           ≤ 81.5 °C → ≤ 86.5 (near the set point)       > 83
====================  ==================  ===========================================  =========

The moulding machine's zone-3 heater and check ring also wear by themselves over days (as in
``sim/injection.py``, restored at maintenance), and the tank settles off its set point in one
batch of twenty: after a day or more of running, the simulator's own slow faults raise these
alerts too, as they should. The moulding machine shoots every 42 s (its own cycle), so its
alerts come with its next shot.

The tank's ``stirrer_slip`` (480 → 360 rpm while stirring) stays inside the speeds of the
batch's other phases (charging and heating stir at 100–400 rpm): no limit tells it apart, only a
model that knows the phase; it has no default rule. ``sensor_drift`` grows over the fault's
duration and crosses its level only while the press runs high, and ``temp_offset`` shows only
while the melt is near its set point (the end of heating and the hold: about half of a batch
cycle); a ten-minute fault outside those times raises nothing. A ``stale`` rule per machine
raises an alert when its data stops (on the machine's steadiest signal, so a silent machine is
one alert, not one per signal).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openkamp.core.errors import NotFound

__all__ = ["DEMO_RULES", "DemoRule", "ensure_demo_rules", "rules_for"]


@dataclass(frozen=True)
class DemoRule:
    """A default rule: its name (Korean / English), what it watches and its settings."""

    name: str
    kind: str
    equipment: str
    signal: str
    config: dict[str, Any]
    severity: str = "warning"
    #: The injectable faults this rule raises an alert for.
    faults: tuple[str, ...] = field(default=())


DEMO_RULES: tuple[DemoRule, ...] = (
    DemoRule("press01 고주파 진동 상한 / HF vibration high", "limit", "press01", "vib_hf",
             {"high": 2.5, "clear_high": 0.8, "clear_for_s": 60}, "critical", ("bearing_wear",)),
    DemoRule("press01 압력 맥동 상한 / pressure ripple high", "limit", "press01",
             "pressure_ripple", {"high": 7.0, "clear_high": 3.0, "clear_for_s": 60}, "critical",
             ("cavitation",)),
    DemoRule("press01 모터 전류 상한 / motor current high", "limit", "press01", "motor_current",
             {"high": 36.0, "clear_high": 34.2, "clear_for_s": 60}, "warning", ("leakage",)),
    DemoRule("press01 유압 상한 / pressure high", "limit", "press01", "pressure",
             {"high": 193.0, "clear_high": 190.0, "clear_for_s": 60}, "warning",
             ("sensor_drift",)),
    # A frozen reading: the oil temperature's change per second stays under 0.01 °C for a
    # minute (it changes by 0.1 °C every few seconds while the sensor works); a jump of more
    # than 5 °C in a second fires too.
    DemoRule("press01 작동유 온도 고착 / oil temperature frozen", "rate", "press01", "oil_temp",
             {"high": 5.0, "low": 0.01, "per_s": 1, "for_s": 60, "clear_for_s": 10}, "warning",
             ("stuck_sensor",)),
    DemoRule("cnc01 진동 상한 / vibration high", "limit", "cnc01", "vibration_rms",
             {"high": 3.2, "clear_high": 2.6, "clear_for_s": 180}, "critical", ("tool_wear",)),
    DemoRule("inj01 3존 온도 하한 / zone 3 temperature low", "limit", "inj01", "barrel_temp_z3",
             {"low": 190.0, "clear_low": 193.0, "clear_for_s": 120}, "warning",
             ("heater_degradation",)),
    DemoRule("inj01 쿠션량 하한 / cushion low", "limit", "inj01", "cushion",
             {"low": 2.0, "clear_low": 2.2, "clear_for_s": 120}, "warning", ("check_ring_wear",)),
    DemoRule("tank01 용해 온도 상한 / melt temperature high", "limit", "tank01", "melt_temp",
             {"high": 83.0, "clear_high": 82.0, "clear_for_s": 60}, "warning", ("temp_offset",)),
    # Data stopped: each machine's steadiest signal, silent for a minute (the moulding machine
    # pauses between lots for 15-45 minutes: an hour).
    DemoRule("press01 데이터 끊김 / no data", "stale", "press01", "pressure", {"max_age_s": 60}),
    DemoRule("cnc01 데이터 끊김 / no data", "stale", "cnc01", "coolant_temp", {"max_age_s": 60}),
    DemoRule("tank01 데이터 끊김 / no data", "stale", "tank01", "melt_temp", {"max_age_s": 60}),
    DemoRule("inj01 데이터 끊김 / no data", "stale", "inj01", "cushion", {"max_age_s": 3600}),
)  # fmt: skip


def rules_for(equipment: str, fault: str) -> list[DemoRule]:
    """The default rules that raise an alert for ``fault`` on ``equipment``."""
    return [r for r in DEMO_RULES if r.equipment == equipment and fault in r.faults]


def ensure_demo_rules(kamp: Any, paths: dict[str, str], principal: Any = None) -> list[Any]:
    """Create the default rules the demo organisation lacks (by name); ``paths`` maps a machine
    to its asset path. A rule already there is left as the user keeps it; a machine or signal
    missing from the asset model is skipped. Returns the rules created."""
    me = principal or kamp.principal()
    have = {r["name"] for r in kamp.alert_rules.list(me)}
    created = []
    for rule in DEMO_RULES:
        if rule.name in have or rule.equipment not in paths:
            continue
        try:
            signal = kamp.assets.resolve(me, f"{paths[rule.equipment]}/{rule.signal}")
        except NotFound:
            continue
        rec = kamp.alert_rules.create(
            me, name=rule.name, kind=rule.kind, signal_id=signal.id,
            severity=rule.severity, config=dict(rule.config),
        )  # fmt: skip
        created.append(rec)
    return created
