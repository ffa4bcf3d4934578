"""The "detect abnormal equipment" standard model.

Trained on normal operation of one piece of equipment (optionally with a few labelled
anomalies), it scores every new reading, raises alarms above a threshold set on held-out normal
data, and says which signals drive each alarm.

Protocol (leakage-safe by construction): the normal data is split **in time**: the earlier part
fits the detector, the later part sets the threshold (scores of the rows a model was fitted on
are optimistically low, so a threshold set there gives too many false alarms). With labels,
candidates (detector × lag window × smoothing) are compared on that later part plus the labelled
anomalies, within a time budget; without labels, the documented default is used.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from openkamp.ml.base import BaseDetector
from openkamp.ml.card import ModelCard, Plot
from openkamp.ml.detectors import DETECTORS
from openkamp.ml.features import ewma, fold_lags, lagged, run_bounds
from openkamp.ml.metrics import alarm_rates, pr_auc

DEFAULT = {"detector": "pca", "lags": 1, "smoothing": 3}


def numeric_frame(X: Any) -> pd.DataFrame:
    """The numeric signal columns of a table, in time order; timestamps become the index."""
    df = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
    if "timestamp" in df.columns:
        df = df.set_index("timestamp")
    return df.select_dtypes(include="number").astype(float)


class AnomalyModel(BaseEstimator):
    """Multivariate anomaly detection for one piece of equipment.

    Parameters
    ----------
    detector : "auto" or one of "pca", "mset", "knn", "iforest"
    lags : int or None
        Previous readings stacked onto each reading (dynamic model); None searches {0, 2, 4}.
    smoothing : int or None
        EWMA span applied to scores (suppresses single-sample noise); None searches {1, 5, 10}.
    contamination : float
        Share of normal readings allowed to alarm (0.01 = 99 % control limit).
    time_budget_s : float
        Seconds the candidate search may use.
    validation_fraction : float
        Later share of the normal data used for thresholds and model choice.
    search_rows : int
        Candidates are fitted on at most this many (evenly spaced) rows while searching; the
        chosen one is refitted on all of them.
    threshold_scale : float
        Alarm above ``threshold_scale * threshold_`` (raise it to trade misses for fewer
        false alarms; :func:`openkamp.ml.selection.select_across_runs` chooses it from data).
    alarm_filter : int
        Odd window of a median filter over the alarms: an alarm must hold for most of the
        window (1 = no filter). Removes isolated false alarms and flicker.
    """

    task = "anomaly"

    def __init__(
        self,
        detector: str = "auto",
        lags: int | None = None,
        smoothing: int | None = None,
        contamination: float = 0.01,
        time_budget_s: float = 30.0,
        validation_fraction: float = 0.25,
        random_state: int = 0,
        search_rows: int = 20_000,
        threshold_scale: float = 1.0,
        alarm_filter: int = 1,
    ) -> None:
        self.detector = detector
        self.lags = lags
        self.smoothing = smoothing
        self.contamination = contamination
        self.time_budget_s = time_budget_s
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.search_rows = search_rows
        self.threshold_scale = threshold_scale
        self.alarm_filter = alarm_filter

    # -- training -----------------------------------------------------------------------------

    def _candidates(self, labelled: bool) -> list[dict[str, Any]]:
        if not labelled:
            # No labels: nothing to compare candidates on; use the default unless told otherwise.
            return [
                {
                    "detector": DEFAULT["detector"] if self.detector == "auto" else self.detector,
                    "lags": DEFAULT["lags"] if self.lags is None else self.lags,
                    "smoothing": DEFAULT["smoothing"] if self.smoothing is None else self.smoothing,
                }
            ]
        detectors = list(DETECTORS) if self.detector == "auto" else [self.detector]
        lags = [0, 2, 4] if self.lags is None else [self.lags]
        spans = [1, 5, 10] if self.smoothing is None else [self.smoothing]
        return [
            {"detector": d, "lags": lag, "smoothing": s}
            for d in detectors
            for lag in lags
            for s in spans
        ]

    def _make(self, cand: dict[str, Any]) -> BaseDetector:
        det = DETECTORS[cand["detector"]]()
        params = {"contamination": self.contamination}
        if "random_state" in det.get_params():
            params["random_state"] = self.random_state
        return clone(det).set_params(**params)

    def fit(self, X: Any, y: Any = None, groups: Any = None) -> AnomalyModel:
        """Learn normal operation from ``X`` (time-ordered).

        ``y`` marks known anomalies (1) among the rows; they are never fitted on, only used to
        choose between candidates. ``groups`` names separate recordings (runs, files, days off):
        lag windows and smoothing never reach across two of them.
        """
        df = numeric_frame(X)
        if len(df) < 20:
            raise ValueError("anomaly training needs at least 20 readings of normal operation")
        self.feature_names_in_ = np.asarray(df.columns, dtype=object)
        self.n_rows_ = len(df)
        values = df.to_numpy()
        labels = np.zeros(len(df), dtype=bool) if y is None else np.asarray(y).astype(bool)
        group_ids = None if groups is None else np.asarray(groups)
        normal = values[~labels]
        cut = int(len(normal) * (1 - self.validation_fraction))
        fit_part, thr_part = normal[:cut], normal[cut:]
        labelled = bool(labels.any())
        started = time.perf_counter()
        board: list[dict[str, Any]] = []
        for cand in self._candidates(labelled):
            if board and time.perf_counter() - started > self.time_budget_s:
                break  # budget spent: the leaderboard says what was tried
            t0 = time.perf_counter()
            feats = lagged(fit_part, cand["lags"])
            step = max(1, len(feats) // self.search_rows)
            det = self._make(cand).fit(feats[::step])
            row: dict[str, Any] = {**cand}
            if labelled:
                # Score the whole series (lags and smoothing need neighbours), then compare on
                # the held-out normal part and the labelled anomalies.
                s = _per_group(
                    values,
                    group_ids,
                    lambda v, c=cand, d=det: ewma(
                        d.decision_function(lagged(v, c["lags"])), c["smoothing"]
                    ),
                )
                mask = labels.copy()
                normal_idx = np.flatnonzero(~labels)[cut:]
                mask[normal_idx] = True
                thr = np.quantile(s[normal_idx], 1 - self.contamination)
                row["pr_auc"] = pr_auc(labels[mask], s[mask])
                row.update(
                    {
                        k: v
                        for k, v in alarm_rates(labels[mask], s[mask] > thr).items()
                        if k in ("f1", "far")
                    }
                )
            row["seconds"] = round(time.perf_counter() - t0, 3)
            board.append(row)
        best = max(board, key=lambda r: r.get("pr_auc", 0.0)) if labelled else board[0]
        self.leaderboard_ = sorted(board, key=lambda r: -r.get("pr_auc", 0.0))
        self.params_ = {k: best[k] for k in ("detector", "lags", "smoothing")}
        self.detector_ = self._make(best).fit(lagged(fit_part, best["lags"]))
        # Threshold on held-out normal data, scored in context (with the fit part before it).
        if group_ids is None:
            s = self._scores(np.vstack([fit_part, thr_part]))[len(fit_part) :]
        else:
            s = _per_group(values, group_ids, self._scores)[np.flatnonzero(~labels)[cut:]]
        self.threshold_ = (
            float(np.quantile(s, 1 - self.contamination))
            if len(s)
            else float(self.detector_.threshold_)
        )
        self.validation_scores_ = np.asarray(s, dtype=np.float64)
        self.labelled_ = labelled
        self.split_ = (
            f"time split: detector fitted on the first {len(fit_part)} normal readings, threshold "
            f"set on the last {len(thr_part)}"
            + (
                f"; candidates compared with {int(labels.sum())} labelled anomalies"
                if labelled
                else ""
            )
        )
        return self

    def card(self) -> ModelCard:
        """What this model says about itself for reports (held-out figures only)."""
        s = self.validation_scores_
        thr = self.threshold_ * self.threshold_scale
        metrics: dict[str, float] = {"validation_readings": float(len(s))}
        if len(s):
            metrics["far"] = float(np.mean(alarm_mask(s, thr, self.alarm_filter)))
        best = self.leaderboard_[0]
        if self.labelled_:
            metrics.update({k: float(best[k]) for k in ("pr_auc", "f1") if k in best})
        plots = [
            Plot(
                "line",
                "ml.plot.validation_scores",
                pd.DataFrame({"reading": np.arange(len(s)), "score": s}),
                x="reading",
                y=["score"],
                hline=thr,
                hline_label="ml.plot.threshold",
            )
        ]
        return ModelCard(
            task=self.task,
            method={
                **self.params_,
                "threshold": self.threshold_,
                "threshold_scale": self.threshold_scale,
                "alarm_filter": self.alarm_filter,
                "contamination": self.contamination,
            },
            protocol=self.split_,
            metrics=metrics,
            leaderboard=list(self.leaderboard_),
            features=[str(f) for f in self.feature_names_in_],
            rows=self.n_rows_,
            rows_unit="readings",
            plots=plots,
            limits=["ml.limit.normal_only"] if not self.labelled_ else ["ml.limit.few_labels"],
        )

    # -- use ----------------------------------------------------------------------------------

    def _scores(self, values: np.ndarray) -> np.ndarray:
        raw = self.detector_.decision_function(lagged(values, self.params_["lags"]))
        return ewma(raw, self.params_["smoothing"])

    def _values(self, X: Any) -> np.ndarray:
        df = numeric_frame(X)
        missing = [c for c in self.feature_names_in_ if c not in df.columns]
        if missing and isinstance(X, pd.DataFrame):
            raise ValueError(f"missing signals: {missing}")
        return (df[list(self.feature_names_in_)] if isinstance(X, pd.DataFrame) else df).to_numpy()

    def decision_function(self, X: Any, groups: Any = None) -> np.ndarray:
        """Anomaly score per reading, in time order (higher is more anomalous)."""
        return _per_group(
            self._values(X), None if groups is None else np.asarray(groups), self._scores
        )

    def predict(self, X: Any, groups: Any = None) -> np.ndarray:
        """1 where the reading raises an alarm."""
        scores = self.decision_function(X, groups)
        return alarm_mask(scores, self.threshold_ * self.threshold_scale, self.alarm_filter)

    def explain(self, X: Any) -> pd.DataFrame:
        """Share of each reading's score per signal (rows sum to 1)."""
        values = self._values(X)
        contrib = self.detector_.contributions(lagged(values, self.params_["lags"]))
        folded = fold_lags(contrib, len(self.feature_names_in_))
        index = numeric_frame(X).index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(folded, columns=list(self.feature_names_in_), index=index)

    def alarms(self, X: Any, min_readings: int = 1, top: int = 3) -> list[dict[str, Any]]:
        """Alarm episodes: start, end, peak score and the signals that drive them most."""
        df = numeric_frame(X)
        scores = self.decision_function(df)
        on = alarm_mask(scores, self.threshold_ * self.threshold_scale, self.alarm_filter).astype(
            bool
        )
        edges = np.flatnonzero(np.diff(np.r_[0, on.astype(int), 0]))
        contrib = self.explain(df).to_numpy()
        out = []
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            if end - start < min_readings:
                continue
            share = contrib[start:end].mean(axis=0)
            order = np.argsort(-share)[:top]
            out.append(
                {
                    "start": df.index[start],
                    "end": df.index[end - 1],
                    "readings": int(end - start),
                    "peak_score": float(scores[start:end].max()),
                    "signals": [(str(self.feature_names_in_[i]), float(share[i])) for i in order],
                }
            )
        return out


def _per_group(values: np.ndarray, groups: np.ndarray | None, fn: Any) -> np.ndarray:
    """Apply a time-series function to each group's rows separately (groups are contiguous)."""
    if groups is None:
        return np.asarray(fn(values))
    out = np.empty(len(values), dtype=np.float64)
    for lo, hi in itertools.pairwise(run_bounds(groups)):
        out[lo:hi] = fn(values[lo:hi])
    return out


def alarm_mask(scores: np.ndarray, threshold: float, alarm_filter: int = 1) -> np.ndarray:
    """0/1 alarms: scores above ``threshold``, median-filtered over ``alarm_filter`` readings."""
    on = (np.asarray(scores) > threshold).astype(np.int64)
    if alarm_filter > 1:
        from scipy.ndimage import median_filter

        on = median_filter(on, size=alarm_filter, mode="nearest")
    return on
