"""Feature transforms for time-ordered sensor data (used inside the task templates)."""

from __future__ import annotations

import numpy as np


def lagged(X: np.ndarray, lags: int) -> np.ndarray:
    """Each row followed by the ``lags`` previous rows (the first rows repeat the first row).

    Dynamic models (e.g. dynamic PCA) see short-term behaviour this way, not just a snapshot.
    """
    if lags <= 0:
        return X
    parts = [X]
    for k in range(1, lags + 1):
        shifted = (
            np.vstack([np.repeat(X[:1], k, axis=0), X[:-k]])
            if len(X) > k
            else np.repeat(X[:1], len(X), axis=0)
        )
        parts.append(shifted)
    return np.hstack(parts)


def fold_lags(contrib: np.ndarray, n_signals: int) -> np.ndarray:
    """Sum per-feature contributions of lagged features back onto their signals."""
    if contrib.shape[1] == n_signals:
        return contrib
    return contrib.reshape(len(contrib), -1, n_signals).sum(axis=1)


def ewma(x: np.ndarray, span: int) -> np.ndarray:
    """Exponentially weighted moving average along time (span as in pandas); span <= 1: as is."""
    return ewma_from(x, span, None)[0]


def ewma_from(
    x: np.ndarray, span: int, state: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`ewma` of the next part of a series, and the state to pass with the part after it.

    ``state`` is None for the first part. Parts fed in order give exactly the values of
    :func:`ewma` over the whole series: the filter continues from its own final state.
    """
    if span <= 1:
        return x, state
    from scipy.signal import lfilter

    alpha = 2.0 / (span + 1.0)
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return x, state
    # y[t] = alpha * x[t] + (1 - alpha) * y[t-1], starting from y[-1] = x[0]
    zi = np.array([(1.0 - alpha) * x[0]]) if state is None else state
    out, zf = lfilter([alpha], [1.0, -(1.0 - alpha)], x, zi=zi)
    return out, zf


def run_bounds(keys: np.ndarray) -> np.ndarray:
    """Start of every run of equal consecutive keys, then the length: ``[0, s1, s2, …, n]``.

    Iterate with ``itertools.pairwise`` to get each run's ``(start, end)`` (runs of one unit,
    recording or group, when rows are grouped and in time order).
    """
    keys = np.asarray(keys)
    if len(keys) == 0:
        return np.zeros(1, dtype=np.int64)
    return np.r_[np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]), len(keys)]
