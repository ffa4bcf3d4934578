"""Anomaly detectors for multivariate sensor data, all trained on normal operation.

* :class:`PCADetector` — classical process monitoring: Hotelling's T² in the principal subspace
  and Q (squared prediction error) in the residual, combined as the larger of the two, each
  relative to its own control limit.
* :class:`MSETDetector` — a multivariate state estimation (similarity) model: each observation is
  estimated from a memory of normal states by kernel regression; the score is the estimation error.
* :class:`KNNDetector` — mean distance to the nearest normal states.
* :class:`IsolationForestDetector` — random partitioning (a general-purpose baseline).

All standardise with statistics of the training data, score higher for more anomalous rows, and
say which signals drive a score (:meth:`contributions`).
"""

from __future__ import annotations

import itertools

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import NearestNeighbors

from openkamp.ml.base import BaseDetector, as_2d


class _Standardised(BaseDetector):
    def _standardise_fit(self, X: np.ndarray) -> np.ndarray:
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        # Constant signals carry no information in normal data; any change is then anomalous,
        # so give them a small scale instead of dropping them.
        self.scale_ = np.where(std > 1e-12, std, 1e-6 * (np.abs(self.mean_) + 1.0))
        return (X - self.mean_) / self.scale_

    def _z(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean_) / self.scale_


class PCADetector(_Standardised):
    """PCA T² and Q monitoring.

    Parameters
    ----------
    n_components : int or float
        Components kept (an int), or the share of variance to explain (a float in (0, 1)).
    statistic : {"combined", "q", "t2"}
        Score: Q, T², or the larger of the two, each divided by its own training quantile.
    contamination : float
        Share of normal rows allowed above the threshold (1 % = 99 % control limit).
    """

    def __init__(
        self,
        n_components: int | float = 0.9,
        statistic: str = "combined",
        contamination: float = 0.01,
    ) -> None:
        self.n_components = n_components
        self.statistic = statistic
        self.contamination = contamination

    def _fit(self, X: np.ndarray) -> None:
        Z = self._standardise_fit(X)
        _, s, vt = np.linalg.svd(Z, full_matrices=False)
        var = s**2 / max(len(Z) - 1, 1)
        if isinstance(self.n_components, float) and 0 < self.n_components < 1:
            k = int(np.searchsorted(np.cumsum(var) / var.sum(), self.n_components) + 1)
        else:
            k = int(self.n_components)
        k = max(1, min(k, Z.shape[1] - 1 if Z.shape[1] > 1 else 1))
        self.components_ = vt[:k].T  # features × k
        self.explained_variance_ = np.maximum(var[:k], 1e-12)
        t2, q = self._stats(Z)
        self.t2_scale_ = float(np.quantile(t2, 1 - self.contamination)) or 1.0
        self.q_scale_ = float(np.quantile(q, 1 - self.contamination)) or 1.0

    def _stats(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        T = Z @ self.components_
        t2 = np.sum(T**2 / self.explained_variance_, axis=1)
        resid = Z - T @ self.components_.T
        q = np.sum(resid**2, axis=1)
        return t2, q

    def _score(self, X: np.ndarray) -> np.ndarray:
        t2, q = self._stats(self._z(X))
        if self.statistic == "q":
            return q
        if self.statistic == "t2":
            return t2
        return np.maximum(t2 / self.t2_scale_, q / self.q_scale_)

    def contributions(self, X: object) -> np.ndarray:
        """Per-signal squared residual (Q) plus T² decomposition, normalised to sum to 1."""
        Z = self._z(as_2d(X))
        T = Z @ self.components_
        resid = Z - T @ self.components_.T
        t2_part = np.abs(Z * ((T / self.explained_variance_) @ self.components_.T))
        total = resid**2 / self.q_scale_ + t2_part / self.t2_scale_
        return total / np.maximum(total.sum(axis=1, keepdims=True), 1e-12)


class MSETDetector(_Standardised):
    """Similarity-based state estimation (MSET-like) with a Gaussian kernel.

    Parameters
    ----------
    memory_size : int
        Normal states kept in memory (the extremes of every signal plus an even sample).
    bandwidth : float or None
        Kernel width in standardised units; None uses the median distance between states.
    """

    def __init__(
        self,
        memory_size: int = 300,
        bandwidth: float | None = None,
        contamination: float = 0.01,
        random_state: int = 0,
    ) -> None:
        self.memory_size = memory_size
        self.bandwidth = bandwidth
        self.contamination = contamination
        self.random_state = random_state

    def _fit(self, X: np.ndarray) -> None:
        Z = self._standardise_fit(X)
        # Extremes of every signal first, so the memory spans the normal operating envelope.
        idx = set(np.argmin(Z, axis=0).tolist()) | set(np.argmax(Z, axis=0).tolist())
        rest = max(0, self.memory_size - len(idx))
        rng = np.random.default_rng(self.random_state)
        if rest and len(Z) > len(idx):
            pool = np.setdiff1d(np.arange(len(Z)), np.fromiter(idx, dtype=np.int64))
            idx |= set(rng.choice(pool, size=min(rest, len(pool)), replace=False).tolist())
        self.memory_ = Z[np.sort(np.fromiter(idx, dtype=np.int64))]
        if self.bandwidth is None:
            d = np.sqrt(((self.memory_[:, None, :] - self.memory_[None, :, :]) ** 2).sum(-1))
            self.bandwidth_ = float(np.median(d[d > 0])) if np.any(d > 0) else 1.0
        else:
            self.bandwidth_ = float(self.bandwidth)

    def _estimate(self, Z: np.ndarray) -> np.ndarray:
        out = np.empty_like(Z)
        for lo in range(0, len(Z), 2048):  # bounded memory for long series
            z = Z[lo : lo + 2048]
            d2 = ((z[:, None, :] - self.memory_[None, :, :]) ** 2).sum(-1)
            w = np.exp(-(d2 - d2.min(axis=1, keepdims=True)) / (2 * self.bandwidth_**2))
            out[lo : lo + 2048] = (w @ self.memory_) / w.sum(axis=1, keepdims=True)
        return out

    def _score(self, X: np.ndarray) -> np.ndarray:
        Z = self._z(X)
        return np.sum((Z - self._estimate(Z)) ** 2, axis=1)

    def contributions(self, X: object) -> np.ndarray:
        Z = self._z(as_2d(X))
        r2 = (Z - self._estimate(Z)) ** 2
        return r2 / np.maximum(r2.sum(axis=1, keepdims=True), 1e-12)


class KNNDetector(_Standardised):
    """Mean distance to the ``n_neighbors`` nearest normal states."""

    def __init__(self, n_neighbors: int = 5, contamination: float = 0.01) -> None:
        self.n_neighbors = n_neighbors
        self.contamination = contamination

    def _fit(self, X: np.ndarray) -> None:
        Z = self._standardise_fit(X)
        self.nn_ = NearestNeighbors(n_neighbors=min(self.n_neighbors + 1, len(Z))).fit(Z)
        self._train_rows = Z

    def _score(self, X: np.ndarray) -> np.ndarray:
        Z = self._z(X)
        dist, _ = self.nn_.kneighbors(Z, n_neighbors=min(self.n_neighbors, len(self._train_rows)))
        return dist.mean(axis=1)

    def contributions(self, X: object) -> np.ndarray:
        Z = self._z(as_2d(X))
        _, ind = self.nn_.kneighbors(Z, n_neighbors=1)
        r2 = (Z - self._train_rows[ind[:, 0]]) ** 2
        return r2 / np.maximum(r2.sum(axis=1, keepdims=True), 1e-12)


class IsolationForestDetector(_Standardised):
    """Isolation forest on standardised signals (score: the negated sklearn score)."""

    def __init__(
        self, n_estimators: int = 200, contamination: float = 0.01, random_state: int = 0
    ) -> None:
        self.n_estimators = n_estimators
        self.contamination = contamination
        self.random_state = random_state

    def _fit(self, X: np.ndarray) -> None:
        Z = self._standardise_fit(X)
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators, random_state=self.random_state
        ).fit(Z)

    def _score(self, X: np.ndarray) -> np.ndarray:
        return -self.forest_.score_samples(self._z(X))

    def contributions(self, X: object) -> np.ndarray:
        Z = np.abs(self._z(as_2d(X)))  # distance from the normal mean, as a rough attribution
        return Z / np.maximum(Z.sum(axis=1, keepdims=True), 1e-12)


DETECTORS: dict[str, type[BaseDetector]] = {
    "pca": PCADetector,
    "mset": MSETDetector,
    "knn": KNNDetector,
    "iforest": IsolationForestDetector,
}


class ResidualDetector(_Standardised):
    """Each signal predicted from all the others by ridge regression fitted on normal data.

    The score is the sum of squared residuals, each divided by its normal variance: a fault that
    breaks how signals move together (a valve closing changes flow but not pressure as it should)
    shows as a residual even when every value stays in its normal range.

    All regressions come from one matrix inverse: with ``P = (Z'Z + alpha I)^-1`` the ridge
    regression of signal j on the others has coefficients ``-P[-j, j] / P[j, j]`` (a Schur
    complement identity), so fitting costs one p × p inverse instead of p ridge fits.

    Parameters
    ----------
    alpha : float or "auto"
        Ridge penalty on standardised signals. "auto" (the default) is the complexity guard for
        few rows: one penalty for all signals, chosen by **blocked** cross-validation (contiguous
        blocks of the time-ordered rows, so neighbouring rows never sit on both sides) to predict
        held-out stretches best, from a grid proportional to the number of rows (the penalty per
        row is what governs over-fitting). Leave-one-out would let each row's neighbours vouch for it and
        picks penalties that fit the training recording too closely.
    cv_blocks : int
        Contiguous blocks for "auto".
    """

    PENALTIES_PER_ROW = tuple(float(a) for a in np.logspace(-4, 1, 11))

    def __init__(
        self, alpha: float | str = "auto", cv_blocks: int = 5, contamination: float = 0.01
    ) -> None:
        self.alpha = alpha
        self.cv_blocks = cv_blocks
        self.contamination = contamination

    def _fit(self, X: np.ndarray) -> None:
        Z = self._standardise_fit(X)
        if self.alpha == "auto":
            self.cv_error_ = _blocked_ridge_errors(X, self.PENALTIES_PER_ROW, self.cv_blocks)
            self.alpha_ = self.PENALTIES_PER_ROW[int(np.argmin(self.cv_error_))] * len(X)
        else:
            self.alpha_ = float(self.alpha)
        self.coef_ = _ridge_each_on_others(Z, self.alpha_)
        resid = Z - Z @ self.coef_
        self.resid_scale_ = np.maximum(resid.std(axis=0), 1e-6)

    def _residuals(self, X: np.ndarray) -> np.ndarray:
        Z = self._z(X)
        return (Z - Z @ self.coef_) / self.resid_scale_

    def _score(self, X: np.ndarray) -> np.ndarray:
        return np.sum(self._residuals(X) ** 2, axis=1)

    def contributions(self, X: object) -> np.ndarray:
        r2 = self._residuals(as_2d(X)) ** 2
        return r2 / np.maximum(r2.sum(axis=1, keepdims=True), 1e-12)


def _ridge_each_on_others(Z: np.ndarray, alpha: float) -> np.ndarray:
    """p × p matrix B with zero diagonal: column j holds the ridge coefficients of signal j on
    the others, so ``Z @ B`` predicts every signal at once."""
    p = Z.shape[1]
    P = np.linalg.pinv(Z.T @ Z + alpha * np.eye(p), hermitian=True)
    B = np.eye(p) - P / np.diag(P)
    np.fill_diagonal(B, 0.0)
    return B


def _blocked_ridge_errors(X: np.ndarray, per_row: tuple[float, ...], blocks: int) -> np.ndarray:
    """Held-out squared prediction error of every penalty (per training row), summed over
    contiguous blocks."""
    n = len(X)
    edges = np.linspace(0, n, min(max(blocks, 2), n) + 1).astype(int)
    err = np.zeros(len(per_row))
    for lo, hi in itertools.pairwise(edges):
        train = np.r_[0:lo, hi:n]
        mean, std = X[train].mean(axis=0), X[train].std(axis=0)
        std = np.where(std > 1e-12, std, 1.0)
        Z, V = (X[train] - mean) / std, (X[lo:hi] - mean) / std
        for i, a in enumerate(per_row):
            err[i] += float(np.sum((V - V @ _ridge_each_on_others(Z, a * len(Z))) ** 2))
    return err


DETECTORS["residual"] = ResidualDetector
