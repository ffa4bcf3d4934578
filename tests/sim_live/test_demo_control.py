"""Fault injection as the web UI drives it: one injected fault ended by its number, the faults
going on listed, and a simulator that does not run (or runs for another organisation) refused
as "not running"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.sim_live.conftest import make_live

from openkamp.core.errors import NotFound
from openkamp.core.tenancy import system_principal
from openkamp.sim.live.demo import LiveDemo


def test_one_fault_is_ended_by_its_number_and_the_others_go_on() -> None:
    live = make_live()
    clock = live._clock  # type: ignore[attr-defined]
    clock.t += 60
    live.step()
    a = live.inject("press01", "bearing_wear", 600)
    b = live.inject("cnc01", "tool_wear", 600)
    later = live.inject("press01", "leakage", 60, delay_s=300)
    assert [i.id for i in live.pending()] == [a.id, b.id, later.id]
    clock.t += 30
    ended = live.end(a.id)
    assert ended.end_s == pytest.approx(90.0)
    assert live.end(later.id).end_s == later.start_s  # not begun: dropped
    assert [i.id for i in live.pending()] == [b.id]
    with pytest.raises(NotFound) as err:
        live.end(a.id)  # over already
    assert err.value.code == "live.no_injection"
    clock.t += 30
    hf = {t.equipment: t for t in live.step()}["press01"].signals["vib_hf"]
    assert hf.size == 60  # seconds 60 to 120: the fault until it was ended at 90, then none
    assert (hf[:30] > 2.5).all() and (hf[30:] < 1.0).all()


def test_a_simulator_that_does_not_run_here_is_not_found() -> None:
    demo = LiveDemo()  # built, never started
    demo.org_id = 1
    for org in (1, 2):
        with pytest.raises(NotFound) as err:
            demo.status(system_principal(org))
        assert err.value.code == "simulator.not_running"
    with pytest.raises(NotFound):
        demo.inject(system_principal(1), "press01", "bearing_wear")


def test_a_started_demo_refuses_a_viewer_and_a_fault_longer_than_a_day() -> None:
    from openkamp.core.errors import Forbidden, InvalidInput
    from openkamp.core.tenancy import Principal, Role

    demo = LiveDemo()
    demo.org_id, demo._sim = 1, object()  # as if started for organisation 1
    viewer = Principal(org_id=1, name="choi", roles=frozenset({Role.VIEWER}), user_id=5)
    assert demo.status(viewer)["injections"] == []
    with pytest.raises(Forbidden):
        demo.inject(viewer, "press01", "bearing_wear")
    with pytest.raises(InvalidInput) as err:
        demo.inject(system_principal(1), "press01", "bearing_wear", duration_s=90_000)
    assert err.value.code == "live.long_duration"
    with pytest.raises(InvalidInput) as err:
        demo.inject(system_principal(1), "mixer09", "bearing_wear")
    assert err.value.code == "live.no_machine"
    made = demo.inject(system_principal(1), "press01", "bearing_wear", duration_s=60)
    assert made["signals"] == ["vib_rms", "vib_kurtosis", "vib_hf", "motor_current"]
    assert made["end"] - made["start"] == timedelta(seconds=60)
