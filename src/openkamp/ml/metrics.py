"""Metrics with confidence intervals, and the alarm metrics of process monitoring."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def alarm_rates(y_true: np.ndarray, alarm: np.ndarray) -> dict[str, float]:
    """F1, false-alarm rate (FAR, share of normal rows alarmed) and missed-alarm rate (MAR)."""
    y, a = np.asarray(y_true).astype(bool), np.asarray(alarm).astype(bool)
    tp, fp, fn = int(np.sum(a & y)), int(np.sum(a & ~y)), int(np.sum(~a & y))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    normal, abnormal = int(np.sum(~y)), int(np.sum(y))
    return {
        "f1": f1,
        "far": fp / normal if normal else 0.0,
        "mar": fn / abnormal if abnormal else 0.0,
        "precision": precision,
        "recall": recall,
    }


def roc_auc(y_true: np.ndarray, score: np.ndarray) -> float:
    y = np.asarray(y_true).astype(int)
    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else float("nan")


def pr_auc(y_true: np.ndarray, score: np.ndarray) -> float:
    y = np.asarray(y_true).astype(int)
    return float(average_precision_score(y, score)) if 0 < y.sum() < len(y) else float("nan")


def bootstrap_ci(
    metric: Callable[[np.ndarray, np.ndarray], float],
    y_true: np.ndarray,
    y_score: np.ndarray,
    *,
    n: int = 200,
    level: float = 0.95,
    seed: int = 0,
    groups: np.ndarray | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``metric``; resamples whole ``groups`` when given.

    (Rows of one unit, lot or run are not independent; resampling them together keeps the
    interval honest.)
    """
    rng = np.random.default_rng(seed)
    y_true, y_score = np.asarray(y_true), np.asarray(y_score)
    values = []
    if groups is None:
        idx_sets = [rng.integers(0, len(y_true), len(y_true)) for _ in range(n)]
    else:
        uniq = np.unique(groups)
        members = {g: np.flatnonzero(groups == g) for g in uniq}
        idx_sets = [
            np.concatenate([members[g] for g in rng.choice(uniq, len(uniq))]) for _ in range(n)
        ]
    for idx in idx_sets:
        v = metric(y_true[idx], y_score[idx])
        if np.isfinite(v):
            values.append(v)
    if not values:
        return float("nan"), float("nan")
    lo, hi = np.quantile(values, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)
