"""Melting tank: batch phases, the batch OK/NG model and its ground truth."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from openkamp.sim import Simulation
from openkamp.sim.tank import PHASES, SET_POINT_C


@pytest.fixture(scope="module")
def tank(sim: Simulation) -> pd.DataFrame:
    data, truth = sim.data["tank01"], sim.truth["tank01"]
    return pd.concat([data, truth.drop(columns=["timestamp"])], axis=1)


@pytest.fixture(scope="module")
def batches(tank: pd.DataFrame) -> pd.DataFrame:
    rows = tank[tank["batch_no"] >= 0]
    return rows.groupby("batch_no").agg(
        pass_fail=("pass_fail", "first"), ng_prob=("ng_prob", "first"),
        n_results=("pass_fail", "nunique"), start=("timestamp", "first"),
    )  # fmt: skip


def test_batches_are_tagged_on_every_row(tank: pd.DataFrame, batches: pd.DataFrame) -> None:
    assert len(batches) > 100
    assert (batches["n_results"] == 1).all()
    between = tank["batch_no"] < 0
    assert tank.loc[between, "pass_fail"].isna().all()
    assert tank.loc[between, "batch_id"].isna().all()
    assert tank.loc[~between, "batch_id"].str.fullmatch(r"B\d{6}-\d{4}").all()
    # Batches start only in working hours (Mon–Sat 06–22).
    starts = batches["start"].dt
    assert ((starts.day_of_week <= 5) & (starts.hour >= 6) & (starts.hour < 22)).all()


def test_ng_rate_and_auc_of_the_true_probability(
    batches: pd.DataFrame, auc: Callable[[np.ndarray, np.ndarray], float]
) -> None:
    ng = (batches["pass_fail"] == "NG").to_numpy()
    assert 0.03 <= ng.mean() <= 0.2, ng.mean()
    assert auc(batches["ng_prob"].to_numpy(), ng) > 0.75


def test_phases_follow_the_batch_recipe(tank: pd.DataFrame) -> None:
    assert set(tank["phase"]) == set(PHASES)
    for _, rows in list(tank[tank["batch_no"] >= 0].groupby("batch_no"))[:20]:
        order = rows["phase"].drop_duplicates().tolist()
        assert order == ["charge", "heat", "hold", "discharge"]
    hold = tank[tank["phase"] == "hold"]
    target = SET_POINT_C + hold["temp_offset"]
    assert (hold["melt_temp"] - target).abs().quantile(0.99) < 2.0
    assert hold["melt_weight"].min() > 850
    assert (tank.loc[tank["phase"] == "idle", "motor_speed"] == 0).all()
    heat = tank[tank["phase"] == "heat"]
    assert heat["heater_power"].mean() > 2 * hold["heater_power"].mean()
