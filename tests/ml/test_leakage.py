"""Leakage checks and leakage-safe splits: what must be caught, and what must not be."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import StratifiedKFold

from openkamp.ml.leakage import Leak, find_leaks, looks_like_outcome
from openkamp.ml.splits import choose_split


@pytest.fixture(scope="module")
def table() -> tuple[pd.DataFrame, np.ndarray]:
    """3 % failures; an honest signal, and columns that leak the label in different disguises."""
    rng = np.random.default_rng(0)
    n = 4000
    y = (rng.random(n) < 0.03).astype(int)
    X = pd.DataFrame(
        {
            "torque_nm": rng.normal(40, 10, n),
            # Genuinely predictive, far from perfect (ROC-AUC ≈ 0.85): must not be flagged.
            "tool_wear_min": rng.normal(100, 60, n) + 90 * y,
            "type": rng.choice(["L", "M", "H"], n),
            "label_copy": y,
            "verdict_text": np.where(y == 1, "불량", "양품"),  # the label written as words
            # Noisy, but one threshold still separates the classes (ROC-AUC ≈ 0.998).
            "after_inspection": 4.0 * y + rng.normal(0, 1, n),
            "HDF": (y == 1) & (rng.random(n) < 0.3),  # a failure-mode flag: part of the label
        }
    )
    return X, y


def test_copies_proxies_and_flag_names_are_found(table: tuple) -> None:
    X, y = table
    leaks = find_leaks(X, y)
    kinds = {lk.column: lk.kind for lk in leaks}
    assert kinds["label_copy"] == "copy"
    assert kinds["verdict_text"] == "copy"
    assert kinds["after_inspection"] == "perfect"
    assert kinds["HDF"] == "name"
    # Real signals are not reported at all.
    assert "tool_wear_min" not in kinds and "torque_nm" not in kinds and "type" not in kinds
    # Most severe first, each with evidence and a message that names the column.
    assert [lk.kind for lk in leaks] == sorted(
        (lk.kind for lk in leaks), key=("copy", "perfect", "name").index
    )
    perfect = next(lk for lk in leaks if lk.kind == "perfect")
    assert isinstance(perfect, Leak) and perfect.score >= 0.99
    assert all(lk.column in lk.message for lk in leaks)


def test_imperfect_predictor_is_not_perfect(table: tuple) -> None:
    X, y = table
    # Even alone, the honest signal stays a finding-free column.
    assert find_leaks(X[["tool_wear_min"]], y) == []


def test_outcome_names() -> None:
    for name in ("TWF", "hdf", "pass_fail", "defect_type", "inspectionResult", "불량유형",
                 "최종판정", "NG_count", "machine_failure"):  # fmt: skip
        assert looks_like_outcome(name), name
    for name in ("torque_nm", "tool_wear_min", "mould_temp", "rotational_speed_rpm", "length",
                 "cushion", "screw_rpm", "금형온도", "ngram"):  # fmt: skip
        assert not looks_like_outcome(name), name


def test_multiclass_and_numeric_targets() -> None:
    rng = np.random.default_rng(1)
    kind = rng.choice(["none", "short_shot", "flash"], 2000, p=[0.9, 0.07, 0.03])
    X = pd.DataFrame({"code": pd.Series(kind).map({"none": 0, "short_shot": 7, "flash": 3}),
                      "signal": rng.normal(size=2000)})  # fmt: skip
    assert [(lk.column, lk.kind) for lk in find_leaks(X, kind)] == [("code", "copy")]
    # A numeric target: a near-copy is "perfect" by rank correlation.
    target = rng.normal(size=2000)
    Xr = pd.DataFrame({"twice": 2 * target + rng.normal(0, 0.01, 2000), "other": rng.random(2000)})
    assert [(lk.column, lk.kind) for lk in find_leaks(Xr, target)] == [("twice", "perfect")]


def test_time_and_group_columns_are_not_checked(table: tuple) -> None:
    X, y = table
    X = X.assign(
        t=pd.date_range("2026-01-01", periods=len(X), freq="min"), lot=np.arange(len(X)) // 400
    )
    kinds = {lk.column: lk.kind for lk in find_leaks(X, y, time="t", groups="lot")}
    assert "t" not in kinds and "lot" not in kinds
    assert kinds["after_inspection"] == "perfect" and kinds["label_copy"] == "copy"


# -- splits ------------------------------------------------------------------------------------


def test_group_folds_never_share_a_group() -> None:
    rng = np.random.default_rng(2)
    lots = np.repeat(np.arange(23), rng.integers(20, 80, 23))
    y = rng.random(len(lots)) < 0.1
    X = pd.DataFrame({"x": rng.normal(size=len(lots)), "lot": lots})
    folds = choose_split(X, y, groups="lot", n_splits=5, seed=0)
    assert len(folds) == 5 and "group" in folds.describe()
    seen = np.zeros(len(y), dtype=int)
    for train, test in folds:
        assert not set(lots[train]) & set(lots[test])
        seen[test] += 1
    assert (seen == 1).all()  # every row is tested exactly once
    # Fewer groups than folds: as many folds as groups.
    few = lots < 3
    assert len(choose_split(X[few], y[few], groups=lots[few])) == 3


def test_time_splits_train_strictly_before_test() -> None:
    rng = np.random.default_rng(3)
    # Timestamps with many ties (logged to the minute), shuffled: order comes from time only.
    t = pd.to_datetime("2026-03-02") + pd.to_timedelta(rng.integers(0, 3000, 5000), unit="min")
    y = rng.random(5000) < 0.05
    X = pd.DataFrame({"x": rng.normal(size=5000), "ts": t})
    folds = choose_split(X, y, time="ts", n_splits=4)
    assert len(folds) == 4 and "forward-chaining" in folds.describe()
    for train, test in folds:
        assert X["ts"].iloc[train].max() < X["ts"].iloc[test].min()
    # Expanding window: each fold trains on more of the past.
    sizes = [len(train) for train, _ in folds]
    assert sizes == sorted(sizes)
    # A DatetimeIndex is a time axis too.
    auto = choose_split(X.set_index("ts"), y, n_splits=4)
    assert all((a[1] == b[1]).all() for a, b in zip(auto, folds, strict=True))


def test_time_and_groups_purge_groups_reaching_into_the_test_block() -> None:
    t = np.arange(1000)
    lots = t // 130  # lots straddle the block boundaries
    y = (t % 17) == 0
    folds = choose_split(np.zeros((1000, 1)), y, time=t, groups=lots, n_splits=3)
    for train, test in folds:
        assert t[train].max() < t[test].min()
        assert not set(lots[train]) & set(lots[test])


def test_independent_rows_get_the_protocol_stratified_folds() -> None:
    rng = np.random.default_rng(4)
    y = (rng.random(3000) < 0.034).astype(int)
    X = pd.DataFrame({"x": rng.normal(size=3000)})
    folds = choose_split(X, y, seed=7)
    expected = StratifiedKFold(5, shuffle=True, random_state=7).split(np.zeros(3000), y)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, expected, strict=True))
    assert folds.describe().startswith("5-fold stratified")
    with pytest.raises(ValueError):
        choose_split(X, y, time="missing_column")
