"""The Factory API: determinism, asset model ↔ data, ranges, timestamps, streaming, options."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd
import pytest

from openkamp.core.assets import check_name
from openkamp.core.errors import InvalidInput
from openkamp.sim import Factory, HydraulicPress, Line, Simulation

DAY = pd.Timedelta(days=1)
START = pd.Timestamp("2024-03-04 00:00", tz="Asia/Seoul")  # a Monday


def test_same_seed_gives_identical_data_and_truth() -> None:
    a = Factory(seed=3).simulate(START, START + DAY)
    b = Factory(seed=3).simulate(START, START + DAY)
    for name in a.data:
        pd.testing.assert_frame_equal(a.data[name], b.data[name])
        pd.testing.assert_frame_equal(a.truth[name], b.truth[name])
    pd.testing.assert_frame_equal(a.events, b.events)


def test_different_seeds_give_different_data() -> None:
    a = Factory(seed=3).generate(START, START + DAY)
    b = Factory(seed=4).generate(START, START + DAY)
    for name in a:
        assert not a[name].equals(b[name]), name


def test_asset_model_describes_the_generated_columns(factory: Factory, sim: Simulation) -> None:
    site = factory.asset_model()
    assert (site.name, site.name_ko, site.name_en) == ("plant1", "본사공장", "Main plant")
    assert len(site.lines) == 2
    equipment = {e.name: e for line in site.lines for e in line.equipment}
    assert {e.equipment_type for e in equipment.values()} == {
        "injection_moulding", "cnc", "hydraulic_press", "melting_tank",
    }  # fmt: skip
    assert set(equipment) == set(sim.data)
    for name, eq in equipment.items():
        signals = [s.name for s in eq.signals]
        labels = [lab.name for lab in eq.labels]
        assert list(sim.data[name].columns) == ["timestamp", *signals, *labels]
        assert list(sim.truth[name].columns) == ["timestamp", *factory.machines[name].truth_columns]
        for s in eq.signals:
            check_name(s.name)
            assert s.name_ko and s.name_en and s.unit is not None
            assert s.min_value is not None and s.max_value is not None
            assert s.min_value < s.max_value
            assert s.sampling_period_s and s.sampling_period_s > 0
        assert len({s.name_ko for s in eq.signals}) == len(eq.signals)  # Korean headers unique
        for lab in eq.labels:
            assert lab.name_ko and lab.name_en


def test_values_stay_within_each_signals_declared_range(factory: Factory, sim: Simulation) -> None:
    for name, df in sim.data.items():
        for s in factory.machines[name].spec().signals:
            values = df[s.name].to_numpy()
            assert np.isfinite(values).all(), (name, s.name)
            assert values.min() >= s.min_value and values.max() <= s.max_value, (name, s.name)


def test_signals_are_not_pinned_at_their_range_limits(factory: Factory, sim: Simulation) -> None:
    # Readings saturate at the sensor range; that must be rare or the ranges are wrong.
    for name, df in sim.data.items():
        for s in factory.machines[name].spec().signals:
            at_max = (df[s.name] >= s.max_value).mean()
            assert at_max < 0.001, (name, s.name, at_max)


def test_timestamps_are_local_sorted_and_inside_the_window(
    sim: Simulation, start: pd.Timestamp, end: pd.Timestamp
) -> None:
    for name, df in sim.data.items():
        ts = df["timestamp"]
        assert str(ts.dt.tz) == "Asia/Seoul", name
        assert ts.is_monotonic_increasing and ts.is_unique, name
        assert ts.iloc[0] >= start and ts.iloc[-1] < end, name
        assert (sim.truth[name]["timestamp"] == ts).all()


def test_a_month_generates_in_well_under_twenty_seconds() -> None:
    began = time.perf_counter()
    data = Factory(seed=1).generate("2024-03-01", "2024-03-31")
    elapsed = time.perf_counter() - began
    assert elapsed < 20.0, elapsed
    assert sum(len(df) for df in data.values()) > 700_000  # a realistic month, not a toy


def test_stream_yields_the_generated_values_in_time_order(factory: Factory) -> None:
    start = START + pd.Timedelta(hours=11, minutes=50)  # across the lunch break
    end = start + pd.Timedelta(hours=2)
    rows = [row for batch in factory.stream(start, end, batch_seconds=5.0) for row in batch]
    times = [r[2] for r in rows]
    assert all(a <= b for a, b in itertools.pairwise(times))
    assert all(t.tzinfo is not None for t in times[:10])
    streamed = pd.DataFrame(rows, columns=["equipment", "signal", "timestamp", "value"])
    for name, df in factory.generate(start, end).items():
        signals = factory.machines[name].signal_names
        expected = df.melt("timestamp", signals, var_name="signal", value_name="value")
        got = streamed[streamed["equipment"] == name]
        merged = expected.merge(got, on=["timestamp", "signal"], how="outer", indicator=True)
        assert (merged["_merge"] == "both").all(), name
        np.testing.assert_array_equal(merged["value_x"], merged["value_y"])


def test_endless_stream_is_generated_batch_by_batch(factory: Factory) -> None:
    stream = factory.stream(START, batch_seconds=10.0)
    batches = [next(stream) for _ in range(360)]  # one simulated hour, without precomputing
    last = None
    for batch in batches:
        for _, _, ts, value in batch:
            assert isinstance(value, float)
            assert last is None or ts >= last
            last = ts
    per_machine = pd.Series([r[0] for b in batches for r in b]).value_counts()
    assert set(per_machine.index) == set(factory.machines)


def test_naive_times_are_taken_as_korean_local_time() -> None:
    f = Factory(seed=1)
    a = f.generate("2024-03-04 09:00", "2024-03-04 10:00")
    b = f.generate(
        pd.Timestamp("2024-03-04 00:00", tz="UTC"), pd.Timestamp("2024-03-04 01:00", tz="UTC")
    )
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_an_empty_or_reversed_window_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        Factory().generate(START, START)
    with pytest.raises(InvalidInput):
        Factory().stream(START, START - DAY)


def test_copies_and_periods_add_machines_without_changing_the_others() -> None:
    big = Factory(seed=5, copies=2, periods={"cnc": 1.0})
    assert len(big.machines) == 8
    window = (START + pd.Timedelta(hours=9), START + pd.Timedelta(hours=10))
    data = big.generate(*window)
    assert len(data["cnc02"]) == 3600
    assert big.asset_model().lines[1].equipment[0].signals[0].sampling_period_s == 1.0
    # Randomness is keyed by machine name, so inj01 is the same machine in both factories.
    pd.testing.assert_frame_equal(data["inj01"], Factory(seed=5).generate(*window)["inj01"])
    assert not data["inj01"].equals(data["inj02"])


def test_custom_layout_and_duplicate_names() -> None:
    f = Factory(seed=1, lines=[Line("pressline", machines=[HydraulicPress("p1", period_s=60)])])
    assert list(f.generate(START, START + DAY)) == ["p1"]
    with pytest.raises(InvalidInput):
        Factory(lines=[Line("l", machines=[HydraulicPress("p"), HydraulicPress("p")])])
    with pytest.raises(InvalidInput):
        Factory(periods={"laser": 1.0})


def test_events_are_listed_with_local_times(
    sim: Simulation, start: pd.Timestamp, end: pd.Timestamp
) -> None:
    ev = sim.events
    assert list(ev.columns) == ["equipment", "kind", "start", "end", "detail"]
    assert str(ev["start"].dt.tz) == "Asia/Seoul"
    assert (ev["end"] >= ev["start"]).all()
    assert ((ev["start"] >= start) & (ev["start"] < end)).all()
    assert {"tool_change", "tool_failure", "barrel_maintenance"} <= set(ev["kind"])


def test_events_alone_match_the_full_simulation(
    factory: Factory, sim: Simulation, start: pd.Timestamp, end: pd.Timestamp
) -> None:
    pd.testing.assert_frame_equal(factory.events(start, end), sim.events)
