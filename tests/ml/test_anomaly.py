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
    running = truth["running"].to_numpy().astype(bool)
    fault = (truth["fault_kind"] != "none").to_numpy()
    half = len(data) // 2
    # The readings while the press runs (idle time is another regime; it is not "normal running").
    part = data.iloc[:half][["timestamp", *signals]][running[:half]]
    y = fault[:half][running[:half]]
    model = AnomalyModel(detector="auto", time_budget_s=5, search_rows=3000).fit(part, y)
    board = model.leaderboard_
    assert board and {"pr_auc", "detection", "far", "threshold"} <= set(board[0])
    chosen = [r for r in board if r.get("chosen")]
    assert len(chosen) == 1
    assert model.params_ == {k: chosen[0][k] for k in ("detector", "lags", "smoothing")}
    # The shortest lag window among the candidates as good as the best (within the tolerance).
    close = [r for r in board if r["detection"] >= board[0]["detection"] - 0.01]
    assert chosen[0]["lags"] == min(r["lags"] for r in close)
    # Ranked by the share of anomalies caught at each candidate's own cross-validated threshold.
    assert [r["detection"] for r in board] == sorted((r["detection"] for r in board), reverse=True)
    assert model.threshold_ == chosen[0]["threshold"]
    assert chosen[0]["detection"] >= 0.9 and chosen[0]["pr_auc"] >= 0.9
    assert chosen[0]["far"] <= 0.011  # 99 % limit on the held-out normal scores
    assert "cross-validated threshold" in model.card().protocol


def test_cross_validated_threshold_holds_on_a_new_recording(
    press: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """The threshold is set on held-out blocks, so the false-alarm rate on normal running of
    another recording (another simulator seed) stays near the nominal 1 %."""
    data, truth = press
    signals = [c for c in data.columns if c not in ("timestamp", "fault_kind")]
    ok = (truth["fault_kind"] == "none").to_numpy() & truth["running"].to_numpy().astype(bool)
    train = data[ok][["timestamp", *signals]].iloc[:3000]  # few normal readings
    model = AnomalyModel(detector="residual", lags=2, smoothing=5).fit(train)
    other = Factory(seed=2).simulate("2026-03-02", "2026-03-09")
    d2, t2 = other.data["press01"], other.truth["press01"]
    ok2 = (t2["fault_kind"] == "none").to_numpy() & t2["running"].to_numpy().astype(bool)
    far = float(np.mean(model.predict(d2[ok2][["timestamp", *signals]])))
    assert far <= 0.03, far
    card = model.card()
    assert card.metrics["validation_readings"] == 3000 and card.metrics["far"] <= 0.011
    # The old protocol (threshold on the last quarter only) is still available.
    old = AnomalyModel(detector="residual", lags=2, smoothing=5, threshold="holdout").fit(train)
    assert "time split" in old.card().protocol and len(old.validation_scores_) == 750


def test_normal_recordings_are_held_out_whole() -> None:
    rng = np.random.default_rng(3)
    cov = 0.8 * np.ones((5, 5)) + 0.2 * np.eye(5)
    runs = [rng.multivariate_normal(rng.normal(0, 0.1, 5), cov, size=200) for _ in range(6)]
    groups = np.repeat(np.arange(6), 200)
    model = AnomalyModel(detector="pca", lags=1, smoothing=1).fit(np.vstack(runs), groups=groups)
    assert "6 normal recordings" in model.split_
    assert len(model.validation_scores_) == 1200


def test_residual_detector_equals_one_ridge_per_signal(gaussian: tuple) -> None:
    from sklearn.linear_model import Ridge

    from openkamp.ml.detectors import ResidualDetector

    train = gaussian[0][:300]
    det = ResidualDetector(alpha=3.0).fit(train)
    Z = (train - train.mean(axis=0)) / train.std(axis=0)
    for j in range(train.shape[1]):
        others = np.delete(np.arange(train.shape[1]), j)
        reg = Ridge(alpha=3.0, fit_intercept=False).fit(Z[:, others], Z[:, j])
        assert np.allclose(det.coef_[others, j], reg.coef_)
    # The blocked-CV penalty grows when there are few rows for many inputs (the complexity
    # guard): 40 noisy copies of one signal, 60 rows versus 3000 rows.
    rng = np.random.default_rng(0)
    base = rng.normal(size=(3000, 1))
    wide = base + rng.normal(scale=1.0, size=(3000, 40))
    few = ResidualDetector().fit(wide[:60])
    many = ResidualDetector().fit(wide)
    assert few.alpha_ / 60 > many.alpha_ / 3000  # penalty per row


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
