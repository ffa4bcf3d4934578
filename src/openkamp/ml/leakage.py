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
``combined``
    Several columns together make up the target, though none does alone: per-defect-type
    counts whose sum (or whose "any above zero") is the label, or columns of which the target is
    an exact linear sum (a total minus the good count). Bookkeeping, not process evidence.
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

KINDS = ("copy", "perfect", "combined", "name")
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
    missing = top = 0.0
    if values.dtype.kind in "biuf":
        x = values.to_numpy(dtype=np.float64)
        finite = x[np.isfinite(x)]
        if not len(finite):
            return float("nan")
        low, high = float(finite.min()), float(finite.max())
        missing, top = low - 1.0 - abs(low), high + 1.0 + abs(high)
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
            # Missing values on their own side, below every value; the trees work in float32,
            # so the stand-in must be a modest number (-1e300 overflowed to -inf and stopped
            # training on one empty cell).
            xt = np.nan_to_num(x[train], nan=missing, posinf=top, neginf=missing).reshape(-1, 1)
            xs = np.nan_to_num(x[test], nan=missing, posinf=top, neginf=missing).reshape(-1, 1)
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

    rest = [c for c in columns if str(c) not in leaks]
    for c in combined_columns(X[rest], y_arr, categorical):
        leaks[str(c)] = Leak(
            str(c),
            "combined",
            1.0,
            f"Column '{c}' together with other columns makes up the target (for example counts "
            "per defect type that add up to it, or a total). Such counts are written after the "
            "outcome is known; it is left out.",
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


def combined_columns(X: pd.DataFrame, y: np.ndarray, categorical: bool) -> list[str]:
    """Columns that together determine the target (see ``combined`` in the module docstring).

    * A two-class label: the non-negative numeric columns that are above zero only on rows of
      one class; when "any of them above zero" is exactly that class, they are the label
      written out per defect type.
    * A numeric target: the non-negative columns never above the target, when they add up to
      it; else all numeric columns, when the target is an exact linear sum of them (R² of a
      least-squares fit ≥ 1 - 1e-9): those with a weight.
    """
    num = {}
    for c in X.columns:
        if X[c].dtype.kind in "biuf":
            v = X[c].to_numpy(dtype=np.float64)
            if np.isfinite(v).sum() >= len(v) * 0.99:
                num[str(c)] = np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0)
    if not num or len(y) < 10:
        return []
    counts = {c: v for c, v in num.items() if v.min() >= 0 and v.max() > 0}
    classes = np.unique(y) if categorical else np.array([])
    if len(classes) == 2:
        for cls in classes:
            own = y == cls
            part = [c for c, v in counts.items() if not np.any(v[~own] > 0)]
            if len(part) >= 2:
                anyone = np.column_stack([counts[c] for c in part]).sum(axis=1) > 0
                if np.array_equal(anyone, own):
                    return part
        return []
    # A numeric target, or numeric classes (a defect count with a few values): sums and totals.
    try:
        target = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        return []
    if not np.isfinite(target).all():
        return []
    scale = max(float(np.abs(target).max()), 1.0)
    part = [c for c, v in counts.items() if np.all(v <= target + 1e-9 * scale)]
    if len(part) >= 2:
        total = np.column_stack([counts[c] for c in part]).sum(axis=1)
        if np.allclose(total, target, rtol=1e-9, atol=1e-9 * scale):
            return part
    names = list(num)
    if len(names) < 2 or len(names) >= len(target) // 2:
        return []
    A = np.column_stack([np.ones(len(target)), *[num[c] for c in names]])
    coef, *_ = np.linalg.lstsq(A, target, rcond=None)
    resid = target - A @ coef
    ss = float(np.sum((target - target.mean()) ** 2))
    if ss <= 0 or float(np.sum(resid**2)) > 1e-9 * ss:
        return []
    spread = np.array([num[c].std() for c in names])
    weight = np.abs(coef[1:]) * spread
    used = [
        c for c, w in zip(names, weight, strict=True) if w > 1e-6 * float(np.sqrt(ss / len(target)))
    ]
    return used if len(used) >= 2 else []
