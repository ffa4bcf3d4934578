"""Find feature columns that leak the target.

A leaking column carries the answer itself rather than evidence for it: a copy of the label, the
label written another way ("NG" → "불량"), an inspection flag recorded after the fact (AI4I's
failure-mode flags TWF, HDF, PWF, OSF, RNF), or a measurement taken after the outcome was known.
A model trained with one scores perfectly in validation and fails in the factory, because the
column is not available (or not yet true) at prediction time.

:func:`find_leaks` reports three kinds, most severe first:

``copy``
    The column and the target determine each other (one-to-one): a copy of the label, or the
    label encoded as other values. (For a numeric target, only an exact copy.)
``perfect``
    The column alone predicts the target almost perfectly on held-out folds: cross-validated
    ROC-AUC (binary) or balanced accuracy (several classes) ≥ 0.99 with a depth-limited tree,
    or, for a binary target, of the column itself oriented on the training folds (for a numeric
    target: |Spearman correlation| ≥ 0.99). Real process signals almost never do
    this; a noisy proxy of the label does.
``name``
    The name looks like an outcome or inspection flag ("defect", "NG", "result", "failure",
    "불량", "판정", …). Only a hint: the column is kept unless it is also a ``copy`` or ``perfect``.

Messages are short plain English, so that they read well for Korean and English speakers alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.tree import DecisionTreeClassifier

from openkamp.ml.splits import choose_split, is_categorical_target, resolve

PERFECT = 0.99
"""Held-out score from which a single column counts as predicting the target perfectly."""

MAX_ROWS = 50_000
"""The ``perfect`` check runs on at most this many (evenly spaced) rows."""

KINDS = ("copy", "perfect", "name")
"""Leak kinds, most severe first."""

# Whole words (after splitting snake_case, camelCase and punctuation) that name outcomes.
# fmt: off
_OUTCOME_WORDS = frozenset((
    "twf", "hdf", "pwf", "osf", "rnf",
    "defect", "defects", "defective", "ng", "nok", "ok", "pass", "fail", "failed", "failure",
    "failures", "fault", "faults", "faulty", "result", "results", "outcome", "outcomes", "label",
    "labels", "target", "verdict", "judgement", "judgment", "reject", "rejected", "scrap",
    "scrapped", "good", "bad", "anomaly", "anomalous", "broken",
))
# fmt: on
# Korean outcome words match as substrings (Korean names rarely separate words).
_OUTCOME_KO = ("불량", "판정", "양불", "합격", "불합격", "양품", "고장", "결과", "이상여부", "정답")


@dataclass(frozen=True)
class Leak:
    """A column suspected of leaking the target."""

    column: str
    kind: str
    """One of :data:`KINDS`: ``copy``, ``perfect`` or ``name``."""
    score: float
    """Evidence: 1.0 for a copy, the held-out score for ``perfect``, 1.0 for a name match."""
    message: str


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^0-9A-Za-z]+", spaced.lower()) if w]


def looks_like_outcome(name: str) -> bool:
    """Whether a column name reads like an outcome or inspection flag."""
    text = str(name)
    return any(w in _OUTCOME_WORDS for w in _words(text)) or any(k in text for k in _OUTCOME_KO)


def _codes(values: Any) -> np.ndarray:
    """Integer codes of the distinct values; a missing value is a value of its own here."""
    codes, _ = pd.factorize(pd.Series(values).to_numpy(), use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64)


def _one_to_one(col: np.ndarray, target: np.ndarray) -> bool:
    n_col, n_target = int(col.max()) + 1, int(target.max()) + 1
    n_pairs = len(np.unique(col * n_target + target))
    return n_col == n_target == n_pairs and n_col > 1


def _equal(col: pd.Series, y: np.ndarray) -> bool:
    try:
        return bool(
            np.array_equal(col.to_numpy(dtype=np.float64), y.astype(np.float64), equal_nan=True)
        )
    except (TypeError, ValueError):
        return False


def _single_column_score(
    values: pd.Series, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]
) -> float:
    """Held-out score of one column alone: ROC-AUC (binary) or balanced accuracy (multi-class)."""
    if values.dtype.kind in "biuf":
        x = values.to_numpy(dtype=np.float64)
        categorical = None
    else:
        x = None
        categorical = _codes(values)
    classes = np.unique(y)
    binary = len(classes) == 2
    pred = np.full(len(y), np.nan)
    mono = np.full(len(y), np.nan)
    covered = np.zeros(len(y), dtype=bool)
    for train, test in folds:
        if len(np.unique(y[train])) < 2:
            continue
        if categorical is not None:
            # Each category replaced by its training-fold class code (majority) or positive share:
            # a categorical copy-in-disguise is then one threshold away from the target.
            frame = pd.DataFrame({"c": categorical[train], "y": y[train]})
            if binary:
                table = frame.assign(y=frame["y"] == classes[1]).groupby("c")["y"].mean()
            else:
                table = frame.groupby("c")["y"].agg(lambda s: s.value_counts().index[0])
            mapped = pd.Series(categorical[test]).map(table)
            if binary:
                pred[test] = mapped.fillna(float(np.mean(y[train] == classes[1]))).to_numpy()
            else:
                codes = pd.Series(pd.Categorical(mapped, categories=classes).codes)
                pred[test] = codes.to_numpy(dtype=float)
        else:
            tree = DecisionTreeClassifier(max_depth=4, min_samples_leaf=5, random_state=0)
            xt = np.nan_to_num(x[train], nan=-1e300).reshape(-1, 1)  # missing: its own side
            xs = np.nan_to_num(x[test], nan=-1e300).reshape(-1, 1)
            tree.fit(xt, y[train])
            if binary:
                pred[test] = tree.predict_proba(xs)[:, list(tree.classes_).index(classes[1])]
                # The tree's steps tie many rows; the column itself, oriented on the training
                # fold, ranks a monotone proxy exactly.
                pos = y[train] == classes[1]
                sign = np.sign(np.nanmean(xt[pos, 0]) - np.nanmean(xt[~pos, 0])) or 1.0
                mono[test] = sign * xs[:, 0]
            else:
                pred[test] = np.searchsorted(classes, tree.predict(xs))
        covered[test] = True
    yc, pc = y[covered], pred[covered]
    if not covered.any() or len(np.unique(yc)) < 2:
        return float("nan")
    if binary:
        score = float(roc_auc_score(yc == classes[1], pc))
        if x is not None:
            score = max(score, float(roc_auc_score(yc == classes[1], mono[covered])))
        return score
    return float(balanced_accuracy_score(np.searchsorted(classes, yc), pc.astype(int)))


def find_leaks(
    X: pd.DataFrame,
    y: Any,
    *,
    time: Any = None,
    groups: Any = None,
    n_splits: int = 3,
) -> list[Leak]:
    """Columns of ``X`` that leak the target ``y``, most severe first (see the module docstring).

    ``time`` and ``groups`` (column names of ``X`` or arrays) make the held-out check use the same
    leakage-safe folds as training (:func:`openkamp.ml.splits.choose_split`); those columns are
    not themselves checked. A column gets at most one report, of its most severe kind.
    """
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(np.asarray(X))
    y_arr = np.asarray(y)
    if len(X) != len(y_arr):
        raise ValueError(f"X has {len(X)} rows but y has {len(y_arr)}")
    skip = {c for c in (time, groups) if isinstance(c, str)}
    columns = [c for c in X.columns if c not in skip]
    target = _codes(y_arr)
    categorical = is_categorical_target(y_arr)
    leaks: dict[str, Leak] = {}

    for c in columns:
        # With a measured (numeric) target, two columns of distinct values are trivially
        # one-to-one; only an exact copy counts there, and near-copies are left to "perfect".
        if _one_to_one(_codes(X[c]), target) and (categorical or _equal(X[c], y_arr)):
            leaks[str(c)] = Leak(
                str(c),
                "copy",
                1.0,
                f"Column '{c}' is a copy of the target: each of its values matches exactly one "
                "target value, and the reverse. It will not be known when a prediction is "
                "needed. Remove it from the features.",
            )

    step = max(1, len(X) // MAX_ROWS)
    rows = np.arange(0, len(X), step)
    if time is None and isinstance(X.index, pd.DatetimeIndex):
        time = "index"
    t = resolve(X, time, "time")
    g = resolve(X, groups, "groups")
    sub = X.iloc[rows]
    ys = y_arr[rows]
    valid = pd.notna(pd.Series(ys)).to_numpy()
    folds = None
    if categorical and valid.sum() > 10:
        keep = rows[valid]
        try:
            folds = choose_split(
                np.zeros((len(keep), 1)),
                y_arr[keep],
                time=None if t is None else t[keep],
                groups=None if g is None else g[keep],
                n_splits=n_splits,
            )
        except ValueError:
            folds = None  # too few rows of a class to cross-validate: skip the held-out check
    for c in columns:
        if str(c) in leaks:
            continue
        col = sub[c]
        if col.nunique(dropna=False) < 2:
            continue
        if categorical:
            if folds is None:
                continue
            score = _single_column_score(col[valid].reset_index(drop=True), ys[valid], folds)
            how = "ROC-AUC" if len(np.unique(ys[valid])) == 2 else "balanced accuracy"
            how += " on held-out rows"
        else:
            if col.dtype.kind not in "biuf":
                continue
            rho = pd.Series(col.to_numpy(dtype=float)).corr(
                pd.Series(ys.astype(float)), method="spearman"
            )
            score, how = abs(float(rho)), "|Spearman correlation|"
            how += " with the target"
        if np.isfinite(score) and score >= PERFECT:
            leaks[str(c)] = Leak(
                str(c),
                "perfect",
                score,
                f"Column '{c}' alone predicts the target almost perfectly ({how}: {score:.3f}). "
                "Real process signals rarely do this; it is probably "
                "recorded after the outcome, or derived from it. Check it, and remove it "
                "from the features if it is.",
            )

    for c in columns:
        if str(c) not in leaks and looks_like_outcome(str(c)):
            leaks[str(c)] = Leak(
                str(c),
                "name",
                1.0,
                f"Column '{c}' has a name like an outcome or inspection flag. If it is "
                "recorded after the result is known (for example a failure mode or an "
                "inspection result), remove it from the features.",
            )
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(leaks.values(), key=lambda lk: (order[lk.kind], -lk.score, lk.column))
