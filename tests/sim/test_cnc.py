"""CNC: tool wear and RUL ground truth, tool changes and failures, signals that show wear."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openkamp.sim import Simulation
from openkamp.sim.cnc import VB_FAIL_MM, flank_wear, minutes_to_failure


@pytest.fixture(scope="module")
def cnc(sim: Simulation) -> pd.DataFrame:
    data, truth = sim.data["cnc01"], sim.truth["cnc01"]
    return pd.concat([data, truth.drop(columns=["timestamp", "tool_id"])], axis=1)


def test_wear_curve_and_failure_time_agree() -> None:
    rates = np.array([0.7, 1.0, 1.4])
    t_fail = minutes_to_failure(rates)
    np.testing.assert_allclose(flank_wear(t_fail, rates), VB_FAIL_MM, atol=1e-9)
    tau = np.linspace(0, 300, 301)
    assert (np.diff(flank_wear(tau, 1.0)) > 0).all()
    assert t_fail[0] > t_fail[1] > t_fail[2]  # faster-wearing tools fail sooner


def test_wear_grows_and_rul_falls_between_tool_changes(cnc: pd.DataFrame) -> None:
    assert cnc["tool_id"].nunique() >= 20
    for _, tool in cnc.groupby("tool_id", sort=False):
        assert (tool["tool_wear"].diff().dropna() >= -1e-12).all()
        assert (tool["rul_min"].diff().dropna() <= 1e-9).all()
        assert (tool["cutting_min"].diff().dropna() >= 0).all()
    assert (cnc["rul_min"] >= -1e-9).all()
    assert (cnc["tool_wear"] <= VB_FAIL_MM + 1e-9).all()
    # Wear restarts with each new tool.
    firsts = cnc.groupby("tool_id", sort=False)["tool_wear"].first()
    assert (firsts.iloc[1:] < 0.1).all()


def test_some_tools_run_to_failure_and_most_are_changed_in_time(
    sim: Simulation, cnc: pd.DataFrame
) -> None:
    ev = sim.events[sim.events["equipment"] == "cnc01"]
    failures = (ev["kind"] == "tool_failure").sum()
    changes = (ev["kind"] == "tool_change").sum()
    assert failures >= 2 and changes > failures
    # The controller alarms exactly while a broken tool waits for replacement.
    alarm = cnc["alarm"].astype(bool)
    assert alarm.any()
    assert (cnc.loc[alarm, "state"] == "tool_change").all()
    assert cnc.loc[alarm, "will_fail"].all()
    assert (cnc.loc[alarm, "rul_min"].abs() < 1e-6).all()


def test_vibration_and_load_rise_as_the_tool_wears(cnc: pd.DataFrame) -> None:
    rough = cnc[cnc["state"] == "roughing"]
    fresh = rough[rough["tool_wear"] < 0.2]
    worn = rough[rough["tool_wear"] > 0.9 * VB_FAIL_MM]
    assert len(fresh) > 100 and len(worn) > 10
    assert worn["vibration_rms"].mean() > 1.5 * fresh["vibration_rms"].mean()
    assert worn["spindle_load"].mean() > 1.2 * fresh["spindle_load"].mean()


def test_machine_idles_outside_its_shifts(cnc: pd.DataFrame) -> None:
    local = cnc["timestamp"].dt
    off = (local.day_of_week >= 5) | (local.hour < 8) | (local.hour >= 20) | (local.hour == 12)
    assert (cnc.loc[off, "spindle_speed"] == 0).all()
    assert (cnc.loc[off, "state"] == "off").all()
    on = cnc["state"].isin(["roughing", "finishing"])
    assert (cnc.loc[on, "spindle_speed"] > 1000).all()
    # Coolant warms while cutting (thermal lag, so compare whole hours).
    hourly = cnc.set_index("timestamp").resample("1h")[["coolant_temp"]].mean()
    busy = cnc.set_index("timestamp")["state"].isin(["roughing", "finishing"]).resample("1h").mean()
    assert hourly["coolant_temp"][busy > 0.6].mean() > hourly["coolant_temp"][busy == 0].mean() + 4
