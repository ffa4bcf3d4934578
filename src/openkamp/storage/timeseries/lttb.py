"""Largest-Triangle-Three-Buckets (Steinarsson 2013) and a min/max pre-selection, in numpy."""

from __future__ import annotations

import itertools

import numpy as np


def lttb_indices(x: np.ndarray, y: np.ndarray, n_out: int) -> np.ndarray:
    """Indices of the ``n_out`` points LTTB keeps from ``(x, y)`` (x ascending).

    The first and last points are always kept; every other bucket keeps the point forming the
    largest triangle with the previously kept point and the mean of the next bucket.
    """
    n = len(x)
    if n_out >= n or n <= 2:
        return np.arange(n)
    if n_out < 3:
        raise ValueError("n_out must be at least 3")
    # Bucket edges over the interior points 1..n-2.
    edges = np.linspace(1, n - 1, n_out - 1).astype(np.int64)
    out = np.empty(n_out, dtype=np.int64)
    out[0] = 0
    out[-1] = n - 1
    a = 0
    for i in range(n_out - 2):
        lo, hi = edges[i], max(edges[i + 1], edges[i] + 1)
        nlo, nhi = edges[i + 1], edges[i + 2] if i + 2 < len(edges) else n
        if nhi <= nlo:
            nhi = min(nlo + 1, n)
        cx, cy = x[nlo:nhi].mean(), y[nlo:nhi].mean()
        bx, by = x[lo:hi], y[lo:hi]
        area = np.abs((x[a] - cx) * (by - y[a]) - (x[a] - bx) * (cy - y[a]))
        a = lo + int(np.argmax(area))
        out[i + 1] = a
    return out


def minmax_indices(ts: np.ndarray, values: np.ndarray, buckets: int) -> np.ndarray:
    """Indices of the min and max point of each of ``buckets`` equal-count buckets, sorted."""
    n = len(ts)
    if n <= 2 * buckets:
        return np.arange(n)
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    keep = [0, n - 1]
    for lo, hi in itertools.pairwise(edges):
        if hi > lo:
            seg = values[lo:hi]
            keep.append(lo + int(np.argmin(seg)))
            keep.append(lo + int(np.argmax(seg)))
    return np.unique(np.asarray(keep, dtype=np.int64))
