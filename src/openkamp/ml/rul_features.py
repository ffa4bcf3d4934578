"""Per-unit time-window features for run-to-failure histories (remaining useful life).

A unit (an engine, a cutting tool) is observed once per cycle until it fails or is replaced. The
features of a row describe the unit's recent past **as seen at that row**: every value is computed
from the row itself and earlier rows of the same unit, never from later rows or other units. So a
model trained on all cycles can be asked at any cycle, in particular at the last observed one
(the C-MAPSS test protocol), and what it sees there is exactly what it saw in training.

Steps
-----
1. **Operating regimes.** Sensors of a machine run at several operating points (altitude / Mach /
   throttle; roughing / finishing) jump between levels that have nothing to do with wear. The
   operating settings are clustered (KMeans on standardised settings; the number of regimes is
   chosen by silhouette and only accepted when the clusters are clearly separated, so a single
   noisy operating point stays one regime).
2. **Per-regime standardisation.** Each sensor is standardised with the mean and standard
   deviation of its regime, learned on the training units. What remains is degradation and noise.
   Sensors that are constant after this carry no information and are dropped.
3. **Window statistics.** For every row and sensor: the last value, means over the last
   ``windows`` rows, the least-squares slope over the longest window, and the *drift* of the
   longest window's mean from the unit's own first rows (units start from different health; in
   cross-validation on C-MAPSS the drift features carry most of the signal). Windows that reach
   before a unit's first row use the rows there are. Plus the unit's age (the time column, or
   elapsed seconds for timestamps) and the number of rows seen. (Rolling min/max, spread and an
   exponentially weighted mean were tried and dropped: they did not lower the cross-validated
   error and cost time.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

SETTING_PREFIXES = ("setting", "op_setting", "operating_setting")
"""Columns whose names start with one of these are operating settings when ``settings="auto"``."""


def find_regimes(
    settings: np.ndarray,
    *,
    max_k: int = 8,
    min_silhouette: float = 0.8,
    random_state: int = 0,
    sample: int = 2000,
) -> tuple[KMeans | None, np.ndarray, np.ndarray]:
    """Cluster operating settings into regimes.

    Returns ``(kmeans, center, scale)``: the settings are standardised with ``center``/``scale``
    before ``kmeans`` assigns a regime; ``kmeans`` is None when there is one regime (the best
    silhouette is below ``min_silhouette``: discrete operating points give silhouettes near 1,
    noise around one point far less).
    """
    s = np.asarray(settings, dtype=np.float64)
    if s.ndim != 2 or s.shape[1] == 0 or len(s) < 10:
        return (
            None,
            np.zeros(s.shape[1] if s.ndim == 2 else 0),
            np.ones(s.shape[1] if s.ndim == 2 else 0),
        )
    center = s.mean(axis=0)
    scale = s.std(axis=0)
    scale[scale < 1e-12] = 1.0
    z = (s - center) / scale
    rng = np.random.default_rng(random_state)
    pick = rng.choice(len(z), min(sample, len(z)), replace=False)
    zs = z[pick]
    distinct = len(np.unique(np.round(zs, 6), axis=0))
    if distinct < 2:
        return None, center, scale
    best: tuple[float, KMeans | None] = (-1.0, None)
    for k in range(2, min(max_k, distinct) + 1):
        km = KMeans(n_clusters=k, n_init=2, max_iter=50, random_state=random_state).fit(zs)
        sil = float(silhouette_score(zs, km.labels_))
        if sil > best[0] + 1e-3:  # ties go to fewer regimes
            best = (sil, km)
    if best[1] is None or best[0] < min_silhouette:
        return None, center, scale
    return best[1], center, scale


def unit_starts(units: np.ndarray) -> np.ndarray:
    """Index of the first row of each row's unit (rows grouped by unit, in time order)."""
    units = np.asarray(units)
    n = len(units)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.r_[True, units[1:] != units[:-1]]
    first = np.flatnonzero(new)
    return first[np.cumsum(new) - 1]


def _window_sum(values: np.ndarray, starts: np.ndarray, w: int) -> np.ndarray:
    """Sum of each row's last ``w`` rows of the same unit (fewer at the unit's start), added
    newest first, one window offset at a time: a row's sum depends on the rows of its window
    only, never on rows before it (a running sum would carry their rounding), so a unit scored
    in pieces gets the very same numbers (:func:`window_features_next`)."""
    n = len(values)
    i = np.arange(n)
    acc = np.zeros_like(values, dtype=np.float64)
    for j in range(w):
        ok = i - j >= starts
        if not ok.any():
            break
        acc += np.where(ok[:, None], values[np.maximum(i - j, 0)], 0.0)
    return acc


def rolling_mean(values: np.ndarray, starts: np.ndarray, w: int) -> np.ndarray:
    """Mean of the last ``w`` rows of the same unit (fewer at the unit's start)."""
    i = np.arange(len(values))
    lo = np.maximum(starts, i - w + 1)
    return _window_sum(values, starts, w) / (i - lo + 1)[:, None]


def rolling_slope(
    values: np.ndarray, starts: np.ndarray, w: int, offset: np.ndarray | int = 0
) -> np.ndarray:
    """Least-squares slope per row over the last ``w`` rows of a unit (0 for a single row).
    ``offset``: rows of the unit before ``starts`` (when only the end of a unit is given)."""
    n = len(values)
    i = np.arange(n)
    lo = np.maximum(starts, i - w + 1)
    cnt = (i - lo + 1).astype(np.float64)[:, None]
    # Position within the unit: small numbers.
    pos = (i - starts + offset).astype(np.float64)[:, None]
    sy = _window_sum(values, starts, w)
    sxy = _window_sum(pos * values, starts, w)
    # Positions in a window are consecutive integers: their mean and spread have closed forms.
    xbar = pos - (cnt - 1) / 2.0
    sxx = cnt * (cnt**2 - 1) / 12.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sxx > 0, (sxy - xbar * sy) / sxx, 0.0)


def baseline_mean(values: np.ndarray, starts: np.ndarray, first: int) -> np.ndarray:
    """Mean of the unit's first ``first`` rows, as known at each row (fewer before that)."""
    n = len(values)
    i = np.arange(n)
    hi = np.minimum(i, starts + first - 1)
    acc = np.zeros_like(values, dtype=np.float64)
    for j in range(first):
        ok = starts + j <= hi
        if not ok.any():
            break
        acc += np.where(ok[:, None], values[np.minimum(starts + j, n - 1)], 0.0)
    return acc / (hi - starts + 1)[:, None]


def window_features(
    values: np.ndarray,
    units: np.ndarray,
    names: list[str],
    windows: tuple[int, ...] = (5, 10, 20, 30),
    baseline: int | None = None,
) -> pd.DataFrame:
    """Window statistics of ``values`` (rows grouped by unit, in time order), one row per row.

    Per signal: the last value, the mean over each window, the least-squares slope over the
    longest window, and the *drift*: the longest window's mean minus the mean of the unit's first
    ``baseline`` rows (default: the longest window). Only the row and earlier rows of its unit
    enter a row's features (no look-ahead).
    """
    values = np.asarray(values, dtype=np.float64)
    starts = unit_starts(units)
    w_max = max(windows)
    blocks: dict[str, np.ndarray] = {"last": values}
    for w in windows:
        blocks[f"mean{w}"] = rolling_mean(values, starts, w)
    blocks[f"slope{w_max}"] = rolling_slope(values, starts, w_max)
    first = w_max if baseline is None else baseline
    blocks["drift"] = blocks[f"mean{w_max}"] - baseline_mean(values, starts, first)
    cols = [f"{n}__{k}" for k in blocks for n in names]
    return pd.DataFrame(np.hstack(list(blocks.values())), columns=cols)


@dataclass
class UnitWindow:
    """What :func:`window_features_next` keeps of one unit's earlier rows: how many there were,
    the last ``max(windows) - 1`` of them and the first ``baseline`` of them (bounded by the
    windows, whatever the unit's length)."""

    seen: int = 0
    tail: np.ndarray | None = None
    base: np.ndarray | None = None


def window_features_next(
    values: np.ndarray,
    state: UnitWindow,
    names: list[str],
    windows: tuple[int, ...] = (5, 10, 20, 30),
    baseline: int | None = None,
) -> tuple[pd.DataFrame, UnitWindow]:
    """:func:`window_features` of the next rows of one unit (in time order), given what
    ``state`` kept of its earlier rows; returns the features and the state after these rows.
    Fed a unit's rows in consecutive parts, the features are those of the unit's rows at once
    (every sum adds the rows of one window in the same order, so the numbers are the same to
    the last bit)."""
    values = np.asarray(values, dtype=np.float64)
    width = values.shape[1]
    tail = np.empty((0, width)) if state.tail is None else state.tail
    base = np.empty((0, width)) if state.base is None else state.base
    w_max = max(windows)
    first = w_max if baseline is None else baseline
    both = np.vstack([tail, values])
    k = len(tail)
    starts = np.zeros(len(both), dtype=np.int64)
    blocks: dict[str, np.ndarray] = {"last": values}
    for w in windows:
        blocks[f"mean{w}"] = rolling_mean(both, starts, w)[k:]
    blocks[f"slope{w_max}"] = rolling_slope(both, starts, w_max, offset=state.seen - k)[k:]
    base = np.vstack([base, values])[:first]
    # The baseline of the row at position p of its unit: the mean of its rows 0 .. min(p,
    # first - 1), summed in the order baseline_mean sums them.
    at = state.seen + np.arange(len(values))
    hi = np.minimum(at, first - 1)
    acc = np.zeros_like(values)
    for j in range(len(base)):
        acc += np.where((j <= hi)[:, None], base[j], 0.0)
    blocks["drift"] = blocks[f"mean{w_max}"] - acc / (hi + 1)[:, None]
    cols = [f"{n}__{key}" for key in blocks for n in names]
    keep = max(0, w_max - 1)
    after = UnitWindow(state.seen + len(values), both[len(both) - min(keep, len(both)) :], base)
    return pd.DataFrame(np.hstack(list(blocks.values())), columns=cols), after


def unit_age(time: Any, starts: np.ndarray) -> np.ndarray:
    """Age of the unit at each row: the time column itself when it is a number (cycles, cutting
    minutes), or seconds since the unit's first row for timestamps."""
    t = np.asarray(time)
    if np.issubdtype(t.dtype, np.number):
        return t.astype(np.float64)
    ts = pd.to_datetime(pd.Series(t)).astype("int64").to_numpy() / 1e9
    return ts - ts[starts]


class RULFeatures(BaseEstimator):
    """Regime-normalised window features of run-to-failure histories (see the module docstring).

    Parameters
    ----------
    windows : tuple of int
        Window lengths in rows; the longest sets the slope and the drift.
    settings : "auto", list of column names, or None
        Operating-setting columns: regimes are found in them. ``"auto"`` takes columns named
        ``setting*`` / ``op_setting*``; None means one regime.
    regimes : "auto" or int
        Number of operating regimes; ``"auto"`` chooses by silhouette (1 if not clearly separated).
    random_state : int
    """

    def __init__(
        self,
        windows: tuple[int, ...] = (5, 10, 20, 30),
        settings: Any = "auto",
        regimes: Any = "auto",
        random_state: int = 0,
    ) -> None:
        self.windows = windows
        self.settings = settings
        self.regimes = regimes
        self.random_state = random_state

    def _setting_cols(self, X: pd.DataFrame) -> list[str]:
        if self.settings is None:
            return []
        if isinstance(self.settings, str) and self.settings == "auto":
            return [c for c in X.columns if str(c).lower().startswith(SETTING_PREFIXES)]
        missing = [c for c in self.settings if c not in X.columns]
        if missing:
            raise ValueError(f"setting columns not in the data: {missing}")
        return list(self.settings)

    def _regime(self, X: pd.DataFrame) -> np.ndarray:
        if self.kmeans_ is None:
            return np.zeros(len(X), dtype=np.int64)
        s = X[self.setting_names_].to_numpy(dtype=np.float64)
        return self.kmeans_.predict((s - self.setting_center_) / self.setting_scale_)

    def fit(self, X: pd.DataFrame) -> RULFeatures:
        """Learn regimes and per-regime sensor statistics from ``X`` (signal and setting columns;
        non-numeric columns are ignored). Sensors with at most two distinct values (constant, or
        flickering in the last digit) are dropped."""
        self.setting_names_ = self._setting_cols(X)
        numeric = X.select_dtypes(include="number").columns
        sensors = [c for c in numeric if c not in self.setting_names_]
        if not sensors:
            raise ValueError("no numeric sensor columns to build RUL features from")
        s = X[self.setting_names_].to_numpy(dtype=np.float64)
        if self.setting_names_ and isinstance(self.regimes, int | np.integer) and self.regimes > 1:
            center, scale = s.mean(axis=0), s.std(axis=0)
            scale[scale < 1e-12] = 1.0
            km = KMeans(n_clusters=int(self.regimes), n_init=3, random_state=self.random_state)
            self.kmeans_ = km.fit((s - center) / scale)
            self.setting_center_, self.setting_scale_ = center, scale
        elif self.setting_names_ and self.regimes == "auto":
            self.kmeans_, self.setting_center_, self.setting_scale_ = find_regimes(
                s, random_state=self.random_state
            )
        else:
            self.kmeans_, self.setting_center_, self.setting_scale_ = None, None, None
        self.n_regimes_ = 1 if self.kmeans_ is None else int(self.kmeans_.n_clusters)
        regime = self._regime(X)
        raw = X[sensors].to_numpy(dtype=np.float64)
        mean = np.zeros((self.n_regimes_, len(sensors)))
        std = np.ones((self.n_regimes_, len(sensors)))
        for r in range(self.n_regimes_):
            part = raw[regime == r]
            if len(part):
                mean[r] = part.mean(axis=0)
                std[r] = part.std(axis=0)
        # A sensor whose spread inside every regime is (numerically) nil says nothing about wear.
        scale_ref = np.maximum(np.abs(raw).max(axis=0), 1.0)
        informative = (std > 1e-9 * scale_ref).any(axis=0) & (
            np.array([len(np.unique(raw[:, j])) for j in range(raw.shape[1])]) > 2
        )
        self.sensor_names_ = [c for c, keep in zip(sensors, informative, strict=True) if keep]
        self.dropped_sensors_ = [
            c for c, keep in zip(sensors, informative, strict=True) if not keep
        ]
        std[std < 1e-12] = np.inf  # a sensor constant within a regime standardises to 0 there
        self.regime_mean_ = mean[:, informative]
        self.regime_std_ = std[:, informative]
        return self

    def normalise(self, X: pd.DataFrame) -> np.ndarray:
        """Sensors standardised within their operating regime (rows as given)."""
        regime = self._regime(X)
        raw = X[self.sensor_names_].to_numpy(dtype=np.float64)
        return (raw - self.regime_mean_[regime]) / self.regime_std_[regime]

    def transform(self, X: pd.DataFrame, units: Any, time: Any) -> pd.DataFrame:
        """Features of every row; rows must be grouped by unit and in time order within a unit."""
        units = np.asarray(units)
        z = self.normalise(X)
        feats = window_features(z, units, list(self.sensor_names_), tuple(self.windows))
        starts = unit_starts(units)
        feats["age"] = unit_age(time, starts)
        feats["rows_seen"] = (np.arange(len(units)) - starts + 1).astype(np.float64)
        return feats

    def transform_next(
        self, X: pd.DataFrame, time: Any, state: UnitWindow
    ) -> tuple[pd.DataFrame, UnitWindow]:
        """:meth:`transform` of the next rows of one unit (in time order; ``time`` a number per
        row), given what ``state`` kept of the unit's earlier rows; returns the features and the
        state after these rows (see :func:`window_features_next`)."""
        z = self.normalise(X)
        seen = state.seen
        feats, after = window_features_next(z, state, list(self.sensor_names_), tuple(self.windows))
        feats["age"] = np.asarray(time, dtype=np.float64)
        feats["rows_seen"] = (seen + np.arange(len(X)) + 1).astype(np.float64)
        return feats, after
