"""Anomaly detection: the estimator contract, and quality floors on data with a known answer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from openkamp.ml.detectors import DETECTORS
from openkamp.ml.features import ewma, fold_lags, lagged
from openkamp.ml.metrics import alarm_rates, roc_auc
from openkamp.ml.templates.anomaly import AnomalyModel
from openkamp.sim import Factory


@pytest.fixture(scope="module")
def gaussian() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Correlated normal data; the test set breaks the correlation in 5 % of rows."""
    rng = np.random.default_rng(0)
    cov = 0.8 * np.ones((6, 6)) + 0.2 * np.eye(6)
    train = rng.multivariate_normal(np.zeros(6), cov, size=2000)
    test = rng.multivariate_normal(np.zeros(6), cov, size=1000)
    y = np.zeros(1000, dtype=int)
    y[::20] = 1
    test[y == 1, 2] += 2.5  # a fault in signal 2 only
    return train, test, y


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_detectors_follow_the_contract_and_find_the_fault(name: str, gaussian: tuple) -> None:
    train, test, y = gaussian
    det = DETECTORS[name]()
    assert det.fit(train) is det
    assert clone(det).get_params() == det.get_params()  # parameters stored as given
    scores = det.decision_function(test)
    assert roc_auc(y, scores) >= (0.9 if name in ("pca", "mset", "residual") else 0.75)
    assert set(np.unique(det.predict(test))) <= {0, 1}
    assert np.mean(det.predict(train)) <= 0.02  # ~1 % of normal rows above the 99 % limit
    if name in ("pca", "mset", "knn", "residual"):
        # The signal that was broken gets the largest share of the alarms' scores.
        share = det.contributions(test[y == 1]).mean(axis=0)
        assert int(np.argmax(share)) == 2
    with pytest.raises(ValueError):
        det.decision_function(test[:, :3])


def test_features() -> None:
    x = np.arange(12.0).reshape(6, 2)
    lag = lagged(x, 2)
    assert lag.shape == (6, 6) and list(lag[3]) == [6, 7, 4, 5, 2, 3]
    assert fold_lags(np.ones((6, 6)), 2).tolist() == [[3.0, 3.0]] * 6
    assert np.allclose(ewma(np.ones(10), 4), 1.0) and ewma(np.array([0, 10.0]), 3)[1] == 5.0


@pytest.fixture(scope="module")
def press() -> tuple[pd.DataFrame, pd.DataFrame]:
    sim = Factory(seed=1).simulate("2026-03-02", "2026-03-23")
    return sim.data["press01"], sim.truth["press01"]


def test_press_faults_are_found_and_explained(press: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    data, truth = press
    signals = [c for c in data.columns if c not in ("timestamp", "fault_kind")]
    fault = (truth["fault_kind"] != "none").to_numpy()
    running = truth["running"].to_numpy().astype(bool)
    cut = int(len(data) * 0.5)
    normal_train = data.iloc[:cut][~fault[:cut]][["timestamp", *signals]]
    model = AnomalyModel().fit(normal_train)  # no labels: the documented default
    test = data.iloc[cut:][["timestamp", *signals]]
    scores = model.decision_function(test)
    y, run = fault[cut:], running[cut:]
    assert y[run].sum() > 1000, "the test period must contain faults while running"
    assert roc_auc(y[run], scores[run]) >= 0.9
    rates = alarm_rates(y[run], scores[run] > model.threshold_)
    assert rates["far"] <= 0.03
    assert rates["precision"] >= 0.9
    # Bearing wear shows in the vibration signals: they lead the explanation of its alarms.
    bearing = (
        (truth["fault_kind"].to_numpy()[cut:] == "bearing_wear") & run & (scores > model.threshold_)
    )
    share = model.explain(test).to_numpy()[bearing].mean(axis=0)
    top = [signals[i] for i in np.argsort(-share)[:3]]
    assert any(s.startswith("vib") for s in top), top
    episodes = model.alarms(test, min_readings=6)
    assert episodes and all(e["signals"] and e["readings"] >= 6 for e in episodes)


def test_labelled_search_builds_a_leaderboard_within_budget(
    press: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    data, truth = press
    signals = [c for c in data.columns if c not in ("timestamp", "fault_kind")]
    fault = (truth["fault_kind"] != "none").to_numpy() & truth["running"].to_numpy().astype(bool)
    part = data.iloc[: len(data) // 2][["timestamp", *signals]]
    model = AnomalyModel(detector="auto", time_budget_s=5, search_rows=3000).fit(
        part, fault[: len(part)]
    )
    assert model.leaderboard_ and "pr_auc" in model.leaderboard_[0]
    assert model.params_ == {k: model.leaderboard_[0][k] for k in ("detector", "lags", "smoothing")}
    assert model.leaderboard_[0]["pr_auc"] >= 0.5


def test_settings_chosen_leave_one_run_out(gaussian: tuple) -> None:
    from openkamp.ml.selection import Run, select_across_runs

    rng = np.random.default_rng(1)
    cov = 0.8 * np.ones((4, 4)) + 0.2 * np.eye(4)
    runs = []
    for i in range(4):
        train = pd.DataFrame(rng.multivariate_normal(np.zeros(4), cov, size=300))
        test = pd.DataFrame(rng.multivariate_normal(np.zeros(4), cov, size=300))
        y = np.zeros(300, dtype=int)
        y[150:220] = 1  # a sustained fault: signal 1 stops following the others
        test.iloc[150:220, 1] += 2.0
        runs.append(Run(f"run{i}", train, test, y))
    sel = select_across_runs(
        runs,
        detectors=("residual", "pca"),
        lags=(0,),
        smoothing=(1, 5),
        scales=(1.0, 1.5),
        filters=(1, 9),
    )
    assert sel.estimate["f1"] >= 0.8 and sel.estimate["far"] <= 0.13
    assert len(sel.per_run) == 4 and set(sel.settings) == {
        "detector",
        "lags",
        "smoothing",
        "threshold_scale",
        "alarm_filter",
    }
    model = AnomalyModel(**{k: v for k, v in sel.settings.items()}).fit(runs[0].train)
    alarms = model.predict(pd.concat([runs[0].train, runs[0].test]))[300:]
    assert alarm_rates(runs[0].labels, alarms)["f1"] >= 0.7


def test_run_bounds() -> None:
    from openkamp.ml.features import run_bounds

    assert run_bounds(np.array([3, 3, 1, 1, 1, 3])).tolist() == [0, 2, 5, 6]
    assert run_bounds(np.array([], dtype=int)).tolist() == [0]
