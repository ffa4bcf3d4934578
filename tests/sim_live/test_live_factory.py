"""The live factory gives the batch simulator's very readings, and injected faults change
exactly their signals for exactly their time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.sim_live.conftest import FAST, ORIGIN, make_live

from openkamp.core.errors import InvalidInput
from openkamp.sim import Factory, WorkSchedule, demo_lines
from openkamp.sim.live import FAULTS, LiveFactory


def _collect(live: LiveFactory, until_s: float, step_s: float) -> dict[str, pd.DataFrame]:
    parts: dict[str, list[pd.DataFrame]] = {}
    t = 0.0
    while t < until_s:
        t = min(t + step_s, until_s)
        for tick in live.step(t):
            parts.setdefault(tick.equipment, []).append(
                pd.DataFrame({"ts_ms": tick.ts_ms, **tick.signals})
            )
    return {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}


def test_live_readings_equal_the_batch_simulators() -> None:
    live = make_live()
    got = _collect(live, 600.0, 7.3)  # uneven steps: the cut of time must not matter
    reference = Factory(seed=7, lines=demo_lines(1, FAST))
    for m in reference.machines.values():
        m.schedule = WorkSchedule.always()
    want = reference.generate(ORIGIN, ORIGIN + pd.Timedelta(seconds=600))
    assert set(got) == set(want) == {"inj01", "tank01", "cnc01", "press01"}
    for name, frame in want.items():
        g = got[name]
        assert len(g) == len(frame) > 0, name
        ts_ms = np.array([ts.value // 1_000_000 for ts in frame["timestamp"]], dtype=np.int64)
        np.testing.assert_array_equal(g["ts_ms"].to_numpy(), ts_ms)
        for sig in live.machines[name].signal_names:
            np.testing.assert_array_equal(
                g[sig].to_numpy(), frame[sig].to_numpy(), err_msg=f"{name}.{sig}"
            )
    press = want["press01"]
    assert live.latest("press01")["pressure"] == (
        press["timestamp"].iloc[-1].value // 1_000_000,
        float(press["pressure"].iloc[-1]),
    )


def test_an_injected_fault_changes_only_its_signals_and_only_while_it_lasts() -> None:
    clean, faulty = make_live(), make_live()
    _collect(clean, 100.0, 10.0)
    _collect(faulty, 100.0, 10.0)
    inj = faulty.inject("press01", "bearing_wear", 60.0)
    assert (inj.start_s, inj.end_s) == (100.0, 160.0)
    a = _collect(clean, 300.0, 10.0)["press01"]
    b = _collect(faulty, 300.0, 10.0)["press01"]
    t = (a["ts_ms"].to_numpy() - clean.origin_ms) / 1000.0
    during = (t >= 100.0) & (t < 160.0)
    spec = FAULTS["hydraulic_press"]["bearing_wear"]
    for sig in clean.machines["press01"].signal_names:
        same = a[sig].to_numpy() == b[sig].to_numpy()
        if sig in spec.signals:
            assert not same[during].any(), sig  # changed at every reading of the fault …
            assert same[~during].all(), sig  # … and nowhere else
        else:
            assert same.all(), sig
    # Vibration roughly triples (×(1 + 2s) at severity 1), as the press model has it.
    ratio = b["vib_rms"].to_numpy()[during] / a["vib_rms"].to_numpy()[during]
    assert np.allclose(ratio, 3.0, rtol=0.02)
    assert [i.fault for i in faulty.active(120.0)] == ["bearing_wear"]
    assert faulty.active(170.0) == []


def test_every_fault_of_every_machine_touches_its_declared_signals() -> None:
    for equipment, kind in (
        ("press01", "hydraulic_press"),
        ("cnc01", "cnc"),
        ("inj01", "injection_moulding"),
        ("tank01", "melting_tank"),
    ):
        for fault, spec in FAULTS[kind].items():
            clean, faulty = make_live(), make_live()
            faulty.inject(equipment, fault, 3600.0)
            a = _collect(clean, 1200.0, 60.0)[equipment]
            b = _collect(faulty, 1200.0, 60.0)[equipment]
            changed = {
                s for s in clean.machines[equipment].signal_names if not np.array_equal(a[s], b[s])
            }
            assert changed == set(spec.signals), (equipment, fault, changed)


def test_stuck_sensor_freezes_and_clear_ends_a_fault_now() -> None:
    live = make_live()
    _collect(live, 50.0, 10.0)
    live.inject("press01", "stuck_sensor", 1000.0)
    oil = _collect(live, 120.0, 10.0)["press01"]["oil_temp"].to_numpy()
    assert len(set(oil.tolist())) == 1
    assert live.clear("press01") == 1
    assert live.active(130.0) == []


def test_wrong_injections_are_refused_with_codes() -> None:
    live = make_live()
    with pytest.raises(InvalidInput) as err:
        live.inject("press01", "meltdown", 10)
    assert err.value.code == "live.no_fault" and "bearing_wear" in err.value.message
    with pytest.raises(InvalidInput) as err:
        live.inject("press99", "bearing_wear", 10)
    assert err.value.code == "live.no_machine"
    with pytest.raises(InvalidInput) as err:
        live.inject("press01", "bearing_wear", -1)
    assert err.value.code == "live.bad_duration"
    with pytest.raises(InvalidInput) as err:
        live.inject("press01", "bearing_wear", 10, severity=2)
    assert err.value.code == "live.bad_severity"
