"""The machine-state cache belongs to the data it was read from: two platforms in one process
(tests, a CLI beside a server) number their organisations, signals and datasets alike, and one
must never answer with the other's facts."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from openkamp.alerts import machine_states
from openkamp.platform import Platform

from .test_alerts import FAST, NOW, machine, write


def _parts(kamp: Platform, defects_last_day: int) -> int:
    """A machine whose shots come as a record table: three usual days of 50 parts with 2
    defects, then a day with ``defects_last_day``. Returns the equipment id."""
    eq, _ = machine(kamp, "press2")
    tz = kamp.settings.tz
    rows = []
    for d in range(4):
        day = datetime(2026, 3, 2 + d, 9, tzinfo=tz)
        for i in range(50):
            bad = i < (defects_last_day if d == 3 else 2)
            rows.append({"시간": day + timedelta(minutes=i), "판정": "불량" if bad else "양품"})
    kamp.datasets.create(
        kamp.principal(), "press2_parts", pd.DataFrame(rows),
        [{"name": "시간", "kind": "time", "role": "time"},
         {"name": "판정", "kind": "text", "role": "label"}],
        equipment=eq,
    )  # fmt: skip
    return eq


def test_two_platforms_in_one_process_keep_their_own_machine_facts(tmp_path: Path) -> None:
    found = []
    for n, defects in enumerate((10, 2)):  # same ids in both folders, different data
        with Platform.at(tmp_path / f"data{n}", **FAST) as kamp:
            eq = _parts(kamp, defects)
            (state,) = [m for m in machine_states(kamp, kamp.principal(), now=NOW) if m.id == eq]
            assert state.production is not None
            found.append((state.production.count, state.production.defects))
    assert found == [(50, 10), (50, 2)]


def test_two_platforms_in_one_process_keep_their_own_signal_facts(tmp_path: Path) -> None:
    spacing = []
    for n, step in enumerate((10, 60)):  # same signal id, a reading every 10 s versus 60 s
        with Platform.at(tmp_path / f"data{n}", **FAST) as kamp:
            eq, sig = machine(kamp, "m")
            last = NOW - timedelta(minutes=1)
            times = [last - timedelta(seconds=step * i) for i in range(30)][::-1]
            write(kamp, sig, times, [50.0] * len(times))
            (state,) = [m for m in machine_states(kamp, kamp.principal(), now=NOW) if m.id == eq]
            spacing.append(state.spacing_s)
    assert spacing == [10.0, 60.0]
