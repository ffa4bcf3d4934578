"""Honest evaluation, proven on pure noise.

The inputs carry no information about the label, so every reported figure must look like chance:
ROC-AUC near 0.5, accuracy near the share of the usual class, R² near 0, and the model must say
in plain words that it is no better than the trivial baseline. Before cross-fitting, a
calibrator fitted on the very out-of-fold predictions it was then scored on reported ROC-AUC 0.87
(chance 0.5) for five classes in time blocks, and multi-class accuracy 0.60 where chance was 0.17.

A 95 % interval excludes chance on about one run in twenty by design, so single runs are allowed
one miss; the mean over runs checks the bias itself.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from openkamp.i18n import error_text, t
from openkamp.ml.errors import TrainingRefused
from openkamp.ml.report import render_report
from openkamp.ml.templates.classify import ClassifyModel
from openkamp.ml.templates.regress import RegressModel

ROWS = 480
FAST = {"time_budget_s": 2.0, "learners": ["lgbm_base", "logreg", "rf"]}


def _noise(seed: int, rows: int = ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(rows, 8)), columns=[f"s{i}" for i in range(8)])


def _labels(seed: int, k: int, rows: int = ROWS) -> np.ndarray:
    rng = np.random.default_rng(1000 + seed)
    if k == 2:
        return (rng.random(rows) < 0.15).astype(int)  # a defect share like a real line's
    return np.array([f"c{i}" for i in rng.integers(0, k, rows)])


@pytest.fixture(scope="module")
def noise_runs() -> list[dict]:
    """Three seeds × two and five classes × time order / a label-sorted file without time."""
    runs = []
    times = pd.date_range("2026-03-02", periods=ROWS, freq="min")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in (0, 1, 2):
            for k in (2, 5):
                X, y = _noise(seed), _labels(seed, k)
                for order in ("time", "sorted"):
                    if order == "time":
                        m = ClassifyModel(random_state=seed, **FAST).fit(X, y, time=times)
                    else:  # a file sorted by its label, rows taken as independent
                        m = ClassifyModel(random_state=seed, **FAST).fit(X, np.sort(y))
                    runs.append({"seed": seed, "k": k, "order": order, "model": m})
    return runs


def test_noise_figures_look_like_chance(noise_runs: list[dict]) -> None:
    aucs, misses = [], []
    for run in noise_runs:
        m = run["model"].oof_metrics_
        lo, hi = m["roc_auc_ci"]
        aucs.append(m["roc_auc"])
        if not lo <= 0.5 <= hi:
            misses.append((run["seed"], run["k"], run["order"], m["roc_auc"], (lo, hi)))
        if run["k"] == 5:
            # Accuracy: no better than always answering the usual class (plus noise).
            assert m["accuracy"] <= m["chance_accuracy"] + 0.08, run
            assert m["accuracy_ci"][0] <= m["chance_accuracy"] + 0.02, run
    # Measured: 12 runs, mean ROC-AUC 0.51, at most one interval off chance.
    assert len(misses) <= 1, misses
    assert abs(float(np.mean(aucs)) - 0.5) < 0.04, aucs


def test_no_interval_leaves_the_range_of_its_figure(noise_runs: list[dict]) -> None:
    """A t-interval over a few evaluation parts reached past its figure's range (recall
    -0.54 – 0.77 on 9 defects, ROC-AUC up to 1.37); every interval shown stays inside it."""
    from openkamp.ml.metrics import RANGES

    checked = 0
    for run in noise_runs:
        for key, ci in run["model"].oof_metrics_.items():
            name = key.removesuffix("_ci")
            if key.endswith("_ci") and name in RANGES and np.isfinite(ci[0]):
                lo, hi = RANGES[name]
                assert lo <= ci[0] <= ci[1] <= hi, (run["seed"], run["k"], key, ci)
                checked += 1
    assert checked >= 40


def test_a_model_without_skill_says_so_in_plain_words(noise_runs: list[dict]) -> None:
    verdicts = [run["model"].verdict_ for run in noise_runs]
    assert verdicts.count("better") <= 1, verdicts
    run = next(r for r in noise_runs if r["model"].verdict_ == "no_better")
    card = run["model"].card()
    assert card.verdict == "no_better"
    for lang in ("ko", "en"):
        html = render_report(card, lang=lang)
        assert t("ml.verdict.no_better", lang) in html
        assert t("ml.limit.crossfit", lang) in html
    assert "우연 수준" in render_report(card, lang="ko")


def test_labels_in_time_blocks_are_refused_in_words() -> None:
    """A file sorted by defect type, with a time column: later parts hold classes the earlier
    parts never had, so a forward-chaining check cannot be fair. Refused, never inflated."""
    X = _noise(11, 600)
    times = pd.date_range("2024-01-01", periods=600, freq="min")
    for k, code in ((5, "ml.classes_in_blocks"), (2, "ml.validation_one_class")):
        y = np.repeat([f"c{i}" for i in range(k)], 600 // k)
        with pytest.raises(TrainingRefused) as err:
            ClassifyModel(**FAST).fit(X, y, time=times)
        assert err.value.code == code
        message, hint = error_text(err.value, "ko")
        assert "{" not in message and hint and "{" not in hint
        assert message == t(f"err.{code}", "ko", **err.value.params)
        if k == 5:
            assert "독립" in hint  # says what to do: state that the rows are independent


def test_independent_rows_ignore_the_time_order() -> None:
    """The user states the rows are independent parts: the same sorted file then trains, with
    shuffled stratified folds, and still shows chance."""
    X = _noise(11, 600)
    y = np.repeat(["c0", "c1", "c2"], 200)
    times = pd.date_range("2024-01-01", periods=600, freq="min")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = ClassifyModel(independent=True, **FAST).fit(X, y, time=times)
    assert m.protocol_ == "stratified k-fold"
    lo, hi = m.oof_metrics_["roc_auc_ci"]
    assert lo <= 0.5 <= hi and m.verdict_ != "better"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_regression_on_noise_explains_nothing(seed: int) -> None:
    X = _noise(seed, 400)
    y = np.random.default_rng(50 + seed).normal(size=400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = RegressModel(time_budget_s=2.0, random_state=seed).fit(
            X, y, time=pd.date_range("2026-03-02", periods=400, freq="min")
        )
    lo, hi = m.oof_metrics_["r2_ci"]
    assert lo <= 0.0 <= hi  # measured: R² -0.01, intervals about (-0.07, 0.03)
    assert m.verdict_ == "no_better"
    assert t("ml.verdict.no_better", "ko") in render_report(m.card(), lang="ko")


def test_a_real_signal_is_still_found() -> None:
    """The honest protocol must not hide skill that is there (a floor beside the noise checks)."""
    X = _noise(5, 600)
    logit = 2.0 * X["s0"] - 1.5 * X["s1"] - 2.0
    y = (np.random.default_rng(7).random(600) < 1 / (1 + np.exp(-logit))).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = ClassifyModel(**FAST).fit(X, y)
    assert m.oof_metrics_["roc_auc"] >= 0.8 and m.verdict_ == "better"


def test_intervals_are_cut_at_the_range_of_their_figure() -> None:
    from openkamp.ml.metrics import widest

    assert widest((-0.54, 0.77), (0.1, 0.5), name="recall") == (0.0, 0.77)
    assert widest((0.125, 1.37), name="roc_auc") == (0.125, 1.0)
    assert widest((-3.0, 1.2), name="r2") == (-3.0, 1.0)
    assert widest((-2.0, 5.0), name="rmse") == (0.0, 5.0)
    assert widest((-2.0, 5.0)) == (-2.0, 5.0)  # a figure without a known range
