"""The estimator contract every OpenKAMP model follows (STYLE rule 5).

Models are scikit-learn estimators: hyper-parameters are keyword arguments stored as given, with
no logic in ``__init__``; learned state ends in ``_`` and is set only by ``fit``, which returns
``self``. Anomaly detectors agree that a **higher score is more anomalous**; the threshold and the
0/1 labels are derived here, once, for all of them (after pyod's BaseDetector).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin


def as_2d(X: Any) -> np.ndarray:
    """A float64 2-D array from a DataFrame, an array or a list of rows."""
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D table of numbers, got shape {arr.shape}")
    return arr


class BaseDetector(OutlierMixin, BaseEstimator):
    """Base of anomaly detectors: ``decision_function`` scores, ``threshold_``, ``predict``.

    Subclasses implement :meth:`_fit` and :meth:`_score`. The threshold is the
    ``1 - contamination`` quantile of the scores of ``X_threshold`` (held-out normal data, when
    given to :meth:`fit`) or of the training data. Held-out data gives honest thresholds: scores
    of the very rows a model was fitted on are optimistically low.
    """

    contamination: float = 0.01

    @abstractmethod
    def _fit(self, X: np.ndarray) -> None: ...

    @abstractmethod
    def _score(self, X: np.ndarray) -> np.ndarray: ...

    def fit(self, X: Any, y: Any = None, X_threshold: Any = None) -> BaseDetector:
        X = as_2d(X)
        self.n_features_in_ = X.shape[1]
        self._fit(X)
        ref = X if X_threshold is None else as_2d(X_threshold)
        self.decision_scores_ = self._score(ref)
        self.threshold_ = float(np.quantile(self.decision_scores_, 1.0 - self.contamination))
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Anomaly score per row: higher is more anomalous."""
        X = as_2d(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} features, got {X.shape[1]}")
        return self._score(X)

    def score_samples(self, X: Any) -> np.ndarray:
        return self.decision_function(X)

    def predict(self, X: Any) -> np.ndarray:
        """1 for an alarm (score above ``threshold_``), 0 for normal."""
        return (self.decision_function(X) > self.threshold_).astype(np.int64)

    def contributions(self, X: Any) -> np.ndarray:
        """Per-feature share of each row's score (rows × features); detectors override this."""
        X = as_2d(X)
        return np.full(X.shape, np.nan)
