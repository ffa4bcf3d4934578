"""Hydraulic press: every fault kind appears, with known intervals, and shows in the signals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openkamp.sim import Factory, HydraulicPress, Line, Simulation
from openkamp.sim.press import FAULT_KINDS


@pytest.fixture(scope="module")
def long_run() -> Simulation:
    # Three months of one press, so that every kind of fault occurs at least once.
    f = Factory(seed=2, lines=[Line("line", machines=[HydraulicPress("press01")])])
    start = pd.Timestamp("2024-01-01", tz="Asia/Seoul")
    return f.simulate(start, start + pd.Timedelta(days=90))


@pytest.fixture(scope="module")
def press(long_run: Simulation) -> pd.DataFrame:
    data, truth = long_run.data["press01"], long_run.truth["press01"]
    return pd.concat([data, truth.drop(columns=["timestamp", "fault_kind"])], axis=1)


def test_every_fault_kind_occurs_with_a_known_interval(long_run: Simulation) -> None:
    ev = long_run.events
    assert set(FAULT_KINDS) <= set(ev["kind"])
    assert (ev["end"] > ev["start"]).all()
    assert (ev["start"].iloc[1:].to_numpy() >= ev["end"].iloc[:-1].to_numpy()).all()  # no overlap


def test_row_labels_match_the_fault_intervals(long_run: Simulation) -> None:
    data, ev = long_run.data["press01"], long_run.events
    expected = pd.Series("none", index=data.index, dtype=object)
    for e in ev.itertuples():
        inside = (data["timestamp"] >= e.start) & (data["timestamp"] < e.end)
        expected[inside] = e.kind
    assert (data["fault_kind"] == expected).all()
    assert (long_run.truth["press01"]["fault_kind"] == expected).all()


def _running(press: pd.DataFrame, kind: str) -> pd.DataFrame:
    return press[press["running"] & (press["fault_kind"] == kind)]


def test_physical_faults_show_in_the_signals_while_running(press: pd.DataFrame) -> None:
    normal = _running(press, "none")
    bearing = _running(press, "bearing_wear")
    assert bearing["vib_rms"].mean() > 1.5 * normal["vib_rms"].mean()
    assert bearing["vib_kurtosis"].mean() > normal["vib_kurtosis"].mean() + 1.5
    assert bearing["vib_hf"].mean() > 2 * normal["vib_hf"].mean()
    cavitation = _running(press, "cavitation")
    assert cavitation["pressure_ripple"].mean() > 3 * normal["pressure_ripple"].mean()
    assert cavitation["flow"].std() > 1.5 * normal["flow"].std()  # unsteady flow
    leak = _running(press, "leakage")
    assert leak["pressure"].mean() < normal["pressure"].mean() - 10
    assert leak["motor_current"].mean() > normal["motor_current"].mean() + 1
    # A healthy pump stays healthy-looking: the fault-free vibration is tight.
    assert normal["vib_rms"].quantile(0.99) < bearing["vib_rms"].quantile(0.75)


def test_sensor_faults_change_readings_not_the_process(press: pd.DataFrame) -> None:
    # While running: an idle line reads ~2 bar, and a downward drift saturates at 0 there.
    drift = _running(press, "sensor_drift")
    late = drift[drift["fault_severity"] > 0.5]
    offset = (late["pressure"] - late["pressure_true"]).abs()
    assert offset.min() > 10
    healthy = press[press["fault_kind"] == "none"]
    assert (healthy["pressure"] - healthy["pressure_true"]).abs().max() < 0.1
    for _, stuck in press[press["fault_kind"] == "stuck_sensor"].groupby("fault_id"):
        assert stuck["oil_temp"].nunique() == 1
        assert stuck["oil_temp_true"].nunique() > 1


def test_idle_unit_is_quiet(press: pd.DataFrame) -> None:
    idle = press[~press["running"] & (press["fault_kind"] == "none")]
    assert idle["vib_rms"].max() < 0.5
    assert idle["flow"].abs().max() < 1e-9
    assert np.isclose(idle["vib_kurtosis"].mean(), 3.0, atol=0.1)
