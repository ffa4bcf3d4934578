"""Injection moulding: defect rate, the defect model's ground truth, lots, drift and start-up."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from openkamp.sim import Simulation
from openkamp.sim.injection import DEFECT_TYPES


@pytest.fixture(scope="module")
def shots(sim: Simulation) -> pd.DataFrame:
    data, truth = sim.data["inj01"], sim.truth["inj01"]
    return pd.concat([data, truth.drop(columns=["timestamp"])], axis=1)


def test_one_row_per_shot_at_a_realistic_cycle(shots: pd.DataFrame) -> None:
    gaps = shots["timestamp"].diff().dt.total_seconds().dropna()
    assert 35 <= gaps.median() <= 50
    assert gaps.min() >= 30  # never two shots within one cycle
    assert (shots["shot_no"].diff().dropna() == 1).all()
    # Sundays are off: no shot is logged on a Sunday.
    assert (shots["timestamp"].dt.day_of_week != 6).all()


def test_defect_rate_is_plausible(shots: pd.DataFrame) -> None:
    ng = (shots["pass_fail"] == "NG").mean()
    assert 0.02 <= ng <= 0.10, ng
    assert set(shots["pass_fail"]) == {"OK", "NG"}
    assert set(shots["defect_type"]) == {"none", *DEFECT_TYPES}
    assert ((shots["defect_type"] == "none") == (shots["pass_fail"] == "OK")).all()


def test_labels_follow_the_ground_truth_defect_probability(
    shots: pd.DataFrame, auc: Callable[[np.ndarray, np.ndarray], float]
) -> None:
    ng = (shots["pass_fail"] == "NG").to_numpy()
    assert auc(shots["defect_prob"].to_numpy(), ng) > 0.75
    # Calibration: the expected number of defects matches the observed one.
    expected = shots["defect_prob"].sum()
    assert abs(ng.sum() - expected) < 4 * np.sqrt(expected)
    # Each defect type follows its own probability.
    for d in DEFECT_TYPES:
        is_d = (shots["defect_type"] == d).to_numpy()
        assert auc(shots[f"p_{d}"].to_numpy(), is_d) > 0.7, d
    parts = sum(shots[f"p_{d}"] for d in DEFECT_TYPES)
    np.testing.assert_allclose(parts, shots["defect_prob"], rtol=1e-9)


def test_measured_signals_carry_the_defect_information(
    shots: pd.DataFrame, auc: Callable[[np.ndarray, np.ndarray], float]
) -> None:
    # Short shots come from a stiff melt (high injection pressure) and a small cushion:
    # a model has something to learn from the readings, not only from the hidden truth.
    short = (shots["defect_type"] == "short_shot").to_numpy()
    assert auc(shots["injection_pressure"].to_numpy(), short) > 0.65
    assert auc(-shots["cushion"].to_numpy(), short) > 0.6


def test_lots_change_and_carry_their_date(shots: pd.DataFrame) -> None:
    lots = shots["lot_id"]
    assert lots.str.fullmatch(r"L\d{6}-\d{3}").all()
    assert 10 <= lots.nunique() <= 60
    # A lot is one contiguous run of shots.
    assert (lots != lots.shift()).sum() == lots.nunique()


def test_heater_drift_cools_zone_three(shots: pd.DataFrame) -> None:
    corr = np.corrcoef(shots["heater_degradation"], shots["barrel_temp_z3"])[0, 1]
    assert corr < -0.7, corr
    assert shots["heater_degradation"].between(0, 1).all()
    assert shots["check_ring_wear"].between(0, 1).all()


def test_cold_mould_after_a_pause_gives_start_up_scrap(shots: pd.DataFrame) -> None:
    first = shots["shots_since_restart"] < 2
    assert first.sum() >= 10
    assert shots.loc[first, "defect_prob"].mean() > 3 * shots.loc[~first, "defect_prob"].mean()
    assert shots.loc[first, "mould_temp"].mean() < shots.loc[~first, "mould_temp"].mean() - 3
