"""Leakage-safe evaluation splits, chosen from what the data says about itself.

Random k-fold is only honest for independent rows. Factory data rarely is: the shots of one
material lot, the cycles of one engine or the windows of one recording are alike, and a model that
saw some of them scores the others too well; rows logged over time leak the future into the past.
:func:`choose_split` picks the protocol from the structure the caller names:

* ``groups`` (unit, lot, run, recording) → **group k-fold**: a group is never on both sides
  (stratified by class when the target is categorical);
* ``time`` (a column, an array, or a ``DatetimeIndex`` on ``X``) → **forward chaining**: the rows
  are cut into ``n_splits + 1`` consecutive blocks, and fold *k* trains on blocks ``0..k`` and tests
  on block ``k + 1``; every training row is strictly earlier than every test row. With groups
  as well, training rows of a group that reaches into the test block are removed (purged);
* neither → **stratified k-fold** (shuffled, seeded), for independent rows such as AI4I 2020.

The result is a list of ``(train_idx, test_idx)`` positional index pairs, with a
:meth:`Folds.describe` sentence for reports.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold

Fold = tuple[np.ndarray, np.ndarray]


def _refuse(code: str, message: str, hint: str, **params: object) -> Exception:
    from openkamp.ml.errors import refuse  # errors imports core only; kept lazy all the same

    return refuse(code, message, hint, **params)


class Folds(list[Fold]):
    """The folds (a list of ``(train_idx, test_idx)``) and how they were made."""

    def __init__(self, folds: list[Fold], kind: str, detail: str) -> None:
        super().__init__(folds)
        self.kind = kind
        self.detail = detail

    def describe(self) -> str:
        """One sentence on the protocol, for reports."""
        return f"{len(self)}-fold {self.kind}: {self.detail}"

    def covered(self, n: int) -> np.ndarray:
        """Boolean mask of the ``n`` rows that are in some test fold (time splits skip the first
        block, which is never predicted)."""
        mask = np.zeros(n, dtype=bool)
        for _, test in self:
            mask[test] = True
        return mask


def resolve(X: Any, value: Any, what: str) -> np.ndarray | None:
    """``value`` as one array per row of ``X``: a column name of ``X``, ``"index"``, or an array."""
    if value is None or value is False:
        return None
    n = len(X)
    if isinstance(value, str):
        if value == "index" and isinstance(X, pd.DataFrame):
            return np.asarray(X.index)
        if isinstance(X, pd.DataFrame) and value in X.columns:
            return np.asarray(X[value])
        raise ValueError(f"{what} '{value}' is not a column of X")
    arr = np.asarray(value)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{what} must have one value per row of X ({n}), got shape {arr.shape}")
    return arr


def is_categorical_target(y: np.ndarray) -> bool:
    """Classes rather than a measured quantity: not float, or a float with few distinct values."""
    if y.dtype.kind in "fc":
        return len(np.unique(y[~np.isnan(y)])) <= 20
    return True


def choose_split(
    X: Any,
    y: Any,
    *,
    time: Any = None,
    groups: Any = None,
    n_splits: int = 5,
    seed: int = 0,
) -> Folds:
    """Leakage-safe ``(train_idx, test_idx)`` folds for ``X`` / ``y`` (see the module docstring).

    ``time`` and ``groups`` are column names of ``X`` or arrays with one value per row; ``time``
    defaults to ``X.index`` when that is a ``DatetimeIndex`` (pass ``time=False`` to ignore it).
    ``n_splits`` is lowered when there are fewer groups or distinct times; a class with fewer rows
    than folds is simply absent from some test folds.
    """
    y_arr = np.asarray(y)
    n = len(y_arr)
    if len(X) != n:
        raise ValueError(f"X has {len(X)} rows but y has {n}")
    if n_splits < 2:
        raise ValueError("n_splits must be at least 2")
    if time is None and isinstance(X, pd.DataFrame) and isinstance(X.index, pd.DatetimeIndex):
        time = "index"
    t = resolve(X, time, "time")
    g = resolve(X, groups, "groups")
    stratify = is_categorical_target(y_arr)
    if t is not None:
        return _forward_chaining(t, g, n_splits)
    if g is not None:
        return _group_folds(y_arr, g, n_splits, seed, stratify)
    if stratify:
        _, counts = np.unique(y_arr, return_counts=True)
        if len(counts) < 2 or int(counts.max()) < n_splits:
            raise ValueError("stratified folds need two classes and a class with n_splits rows")
        splitter: Any = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        kind = "stratified k-fold"
    else:
        splitter = KFold(n_splits=min(n_splits, n), shuffle=True, random_state=seed)
        kind = "k-fold"
    with warnings.catch_warnings():
        # "The least populated class has only m members": a rare class then misses some test
        # folds, which is acceptable; lowering n_splits for everyone would not be.
        warnings.simplefilter("ignore", UserWarning)
        folds = [(tr, te) for tr, te in splitter.split(np.zeros(n), y_arr)]
    return Folds(folds, kind, f"shuffled rows (seed {seed}); rows are taken as independent")


def _group_folds(y: np.ndarray, g: np.ndarray, n_splits: int, seed: int, stratify: bool) -> Folds:
    codes, uniq = pd.factorize(pd.Series(g).astype(str))
    k = min(n_splits, len(uniq))
    if k < 2:
        raise _refuse(
            "too_few_groups",
            f"Only {len(uniq)} group: whole groups are held out to check the model, so at least "
            "2 are needed.",
            hint="Use data of more lots (groups), or train without groups.",
            groups=len(uniq),
        )
    if stratify:
        splitter: Any = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    else:
        splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        folds = [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y, codes)]
    return Folds(
        folds,
        "group k-fold",
        f"{len(uniq)} groups, each entirely in one test fold (seed {seed})",
    )


def _forward_chaining(t: np.ndarray, g: np.ndarray | None, n_splits: int) -> Folds:
    keys = pd.Series(t)
    if keys.isna().any():
        raise _refuse(
            "missing_times",
            f"{int(keys.isna().sum())} rows have no time.",
            hint="Fill in their times, leave them out, or state that the rows are independent.",
            rows=int(keys.isna().sum()),
        )
    # Blocks are cut between distinct times, so equal timestamps never straddle a boundary.
    uniq = np.sort(keys.unique())
    k = min(n_splits, len(uniq) - 1)
    if k < 1:
        raise _refuse(
            "too_few_times",
            "Every row has the same time: the model cannot be checked on later data.",
            hint="Check the time column, or state that the rows are independent.",
        )
    rank = np.searchsorted(uniq, keys.to_numpy())
    edges = np.linspace(0, len(uniq), k + 2).round().astype(int)
    block = np.searchsorted(edges, rank, side="right") - 1
    folds, purged = [], 0
    for b in range(1, k + 1):
        train, test = np.flatnonzero(block < b), np.flatnonzero(block == b)
        if g is not None:
            keep = ~np.isin(g[train], np.unique(g[test]))
            purged += int((~keep).sum())
            train = train[keep]
        if len(train) and len(test):
            folds.append((train, test))
    if not folds:
        raise ValueError("time splits left no fold with both training and test rows")
    detail = "train strictly before test in time (expanding window; the earliest block is only trained on)"
    if g is not None:
        detail += f"; {purged} training rows of groups reaching into the test block purged"
    return Folds(folds, "forward-chaining time split", detail)


def usable_folds(folds: list[Fold], y: np.ndarray, classes: Any) -> list[Fold]:
    """The folds on which a classifier can be checked fairly.

    A training part with a single class teaches nothing, and a test part holding a class its
    training part never saw (labels in blocks over time: a file sorted by defect type, a defect
    that starts late) cannot be scored fairly: the rows of the seen classes alone would look
    better than chance on pure noise. Such folds are left out; with fewer than two left, the
    check cannot be made and training is refused in words (``y`` holds class indices into
    ``classes``).
    """
    from openkamp.ml.errors import refuse

    usable: list[Fold] = []
    unseen: set[int] = set()
    for train, test in folds:
        seen = np.unique(y[train])
        if len(seen) < 2:
            continue
        new = np.setdiff1d(np.unique(y[test]), seen)
        if len(new):
            unseen.update(int(k) for k in new)
            continue
        usable.append((train, test))
    if len(usable) >= 2:
        return usable
    if unseen:
        labels = ", ".join(str(classes[k]) for k in sorted(unseen))
        raise refuse(
            "classes_in_blocks",
            f"Over time the labels come in blocks: {labels} appear only after the earlier data "
            f"a model would learn from, so only {len(usable)} of {len(folds)} evaluation parts "
            "could be checked fairly and no honest figure can be given.",
            hint="If the order of the rows means nothing (independent parts, or a file sorted by "
            "its label), state that the rows are independent; otherwise use a period in which "
            "every class occurs throughout.",
            labels=labels,
            usable=len(usable),
            parts=len(folds),
        )
    raise refuse(
        "too_few_folds",
        f"Only {len(usable)} of {len(folds)} evaluation parts have both classes in their "
        "training part: the model cannot be checked.",
        hint="Use a longer period, so that defects occur in the earlier part of the data too.",
        usable=len(usable),
        parts=len(folds),
    )
