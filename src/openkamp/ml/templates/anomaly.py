"""The "detect abnormal equipment" standard model.

Trained on normal operation of one piece of equipment (optionally with a few labelled
anomalies), it scores every new reading, raises alarms above a threshold set on held-out normal
data, and says which signals drive each alarm.

Protocol (leakage-safe by construction): the threshold is **cross-validated in time**. The
normal data is cut into contiguous blocks (or separate normal recordings); each block is scored
by a model fitted without it, and the control limit is a quantile of those held-out scores.
Scores of the rows a model was fitted on are optimistically low, and a limit set on one short
held-out stretch is noisy; held-out blocks covering all the normal data estimate the false-alarm
rate on a stretch the model has never seen. The detector is then refitted on all normal data.
With labels, candidates (detector × lag window × smoothing) are compared by the share of labelled
anomalies they catch at their own cross-validated threshold (so at the same false-alarm rate on
unseen normal data; an over-fitted candidate pays with a higher threshold), within a time budget;
without labels, the documented default is used.
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
from openkamp.ml.features import ewma, ewma_from, fold_lags, lagged, run_bounds
from openkamp.ml.metrics import alarm_rates, pr_auc

DEFAULT = {"detector": "pca", "lags": 1, "smoothing": 3}


def numeric_frame(X: Any) -> pd.DataFrame:
    """The numeric signal columns of a table, in time order; timestamps become the index."""
    df = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
    if "timestamp" in df.columns:
        df = df.set_index("timestamp")
    return df.select_dtypes(include="number").astype(float)


def readings_per_day(index: Any) -> float | None:
    """Readings per day of a time index (its count over its span); None without times."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 2:
        return None
    days = (index.max() - index.min()).total_seconds() / 86400
    return float(len(index) / days) if days > 0 else None


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
    threshold : {"cv", "holdout"}
        How the alarm threshold is set. "cv" (default): the normal readings are cut into
        ``cv_blocks`` contiguous blocks (or, with that many normal recordings in ``groups``,
        into recordings); each block is scored by a model fitted without it, and the threshold
        is the ``1 - contamination`` quantile of all these held-out scores, so it estimates the
        false-alarm rate on a stretch of operation the model has never seen, using every normal
        reading. The detector is then refitted on all normal readings. "holdout": fit on the
        earlier readings, threshold on the later ``validation_fraction`` (the old protocol).
    cv_blocks : int
        Blocks of the cross-validated threshold.
    selection_tolerance : float
        With labels: candidates catching at most this share of anomalies fewer than the best
        (or one standard error of the difference over the anomalies' recordings, if larger)
        count as equally good, and the one with the shortest lag window is chosen.
    detector_params : dict or None
        Hyper-parameters passed to every detector that has them (e.g. ``{"alpha": 1.0}`` fixes
        the residual detector's ridge penalty instead of choosing it by blocked CV).
    validation_fraction : float
        Later share of the normal data used for the threshold with ``threshold="holdout"``.
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
        threshold: str = "cv",
        cv_blocks: int = 5,
        selection_tolerance: float = 0.01,
        detector_params: dict[str, Any] | None = None,
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
        self.threshold = threshold
        self.cv_blocks = cv_blocks
        self.selection_tolerance = selection_tolerance
        self.detector_params = detector_params
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
        own = det.get_params()
        params = {k: v for k, v in (self.detector_params or {}).items() if k in own}
        params["contamination"] = self.contamination
        if "random_state" in det.get_params():
            params["random_state"] = self.random_state
        return clone(det).set_params(**params)

    def fit(self, X: Any, y: Any = None, groups: Any = None) -> AnomalyModel:
        """Learn normal operation from ``X`` (time-ordered).

        ``y`` marks known anomalies (1) among the rows; they are never fitted on, only used to
        choose between candidates. ``groups`` names separate recordings (runs, files, days off):
        lag windows and smoothing never reach across two of them, and with at least
        ``cv_blocks`` normal recordings each is held out in turn for the threshold.
        """
        df = numeric_frame(X)
        if len(df) < 20:
            raise ValueError("anomaly training needs at least 20 readings of normal operation")
        self.feature_names_in_ = np.asarray(df.columns, dtype=object)
        self.n_rows_ = len(df)
        # Readings per day of this machine: a false-alarm share becomes alarms per day.
        self.readings_per_day_ = readings_per_day(getattr(X, "index", None))
        values = df.to_numpy()
        labels = np.zeros(len(df), dtype=bool) if y is None else np.asarray(y).astype(bool)
        group_ids = np.zeros(len(df)) if groups is None else np.asarray(groups)
        normal_idx = np.flatnonzero(~labels)
        folds, refit, how, kind = self._folds(normal_idx, group_ids)
        labelled = bool(labels.any())
        started = time.perf_counter()
        board: list[dict[str, Any]] = []
        chosen: dict[tuple[str, int], BaseDetector] = {}
        fold_raws: dict[tuple[str, int], list[tuple[np.ndarray, np.ndarray]]] = {}
        hits: dict[int, np.ndarray] = {}  # id(row) -> share caught per unit of anomalies
        units = _anomaly_units(group_ids[labels])
        for (name, lags), spans in _by_model(self._candidates(labelled)):
            if board and time.perf_counter() - started > self.time_budget_s:
                break  # budget spent: the leaderboard says what was tried
            t0 = time.perf_counter()
            cand = {"detector": name, "lags": lags}
            # Out-of-block raw scores of every normal reading, each from a model fitted without
            # its block; lag windows and smoothing see the whole series around the block.
            held_out = np.full(len(values), np.nan)
            fold_raw = []
            for train, test in folds:
                det = self._fit_detector(cand, values, group_ids, normal_idx[train])
                fold_raw.append((test, self._raw(det, values, group_ids, lags)))
            final = self._fit_detector(cand, values, group_ids, normal_idx) if refit else det
            chosen[(name, lags)] = final
            fold_raws[(name, lags)] = fold_raw
            raw = self._raw(final, values, group_ids, lags) if labelled else None
            for span in spans:
                for test, r in fold_raw:
                    idx = normal_idx[test]
                    held_out[idx] = _per_group(r, group_ids, lambda v, k=span: ewma(v, k))[idx]
                s_norm = held_out[normal_idx[np.concatenate([t for _, t in folds])]]
                thr = float(np.quantile(s_norm, 1 - self.contamination))
                row: dict[str, Any] = {**cand, "smoothing": span, "threshold": thr}
                if labelled and raw is not None:
                    s_bad = _per_group(raw, group_ids, lambda v, k=span: ewma(v, k))[labels]
                    y_cmp = np.r_[np.zeros(len(s_norm), dtype=bool), np.ones(len(s_bad), bool)]
                    s_cmp = np.r_[s_norm, s_bad]
                    row["detection"] = float(np.mean(s_bad > thr))
                    caught = (s_bad > thr).astype(np.float64)
                    hits[id(row)] = np.array([caught[u].mean() for u in units])
                    row["pr_auc"] = pr_auc(y_cmp, s_cmp)
                    rates = alarm_rates(y_cmp, s_cmp > thr)
                    row.update({"f1": rates["f1"], "far": rates["far"]})
                row["seconds"] = round((time.perf_counter() - t0) / len(spans), 3)
                board.append(row)
        # With labels: the most anomalies caught at the held-out threshold (every candidate's
        # threshold allows the same share of false alarms on normal stretches it was not fitted
        # on), PR-AUC breaking ties. Candidates the data cannot tell from the best (short of it
        # by at most ``selection_tolerance`` or one standard error of the paired difference over
        # the anomalies' recordings) count as equally good, and the one with the shortest lag
        # window (fewest inputs) wins: extra inputs fitted on few normal rows show as false
        # alarms on new recordings (the one-standard-error rule of model selection).
        self.leaderboard_ = sorted(
            board, key=lambda r: (-r.get("detection", 0.0), -r.get("pr_auc", 0.0))
        )
        top = self.leaderboard_[0]
        best = min(
            (r for r in self.leaderboard_ if self._as_good(top, r, hits)),
            key=lambda r: r["lags"],
        )
        best["chosen"] = True
        self.params_ = {k: best[k] for k in ("detector", "lags", "smoothing")}
        self.detector_ = chosen[(best["detector"], best["lags"])]
        self.threshold_ = float(best["threshold"])
        # Per fold: the held-out rows and the fold model's unsmoothed scores of the whole series.
        self.cv_scores_ = [
            (normal_idx[test], raw) for test, raw in fold_raws[(best["detector"], best["lags"])]
        ]
        self.cv_groups_ = group_ids
        self.validation_scores_ = self.held_out_scores()
        self.labelled_ = labelled
        self.split_ = how + (
            f"; candidates compared with {int(labels.sum())} labelled anomalies" if labelled else ""
        )
        # The kind of protocol, which the report explains in the reader's language.
        self.protocol_ = kind + (" + labelled anomalies" if labelled else "")
        return self

    def _as_good(self, top: dict[str, Any], r: dict[str, Any], hits: dict[int, np.ndarray]) -> bool:
        if r is top or id(top) not in hits:
            return r is top
        diff = hits[id(top)] - hits[id(r)]
        se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
        return top["detection"] - r["detection"] <= max(self.selection_tolerance, se)

    def _folds(
        self, normal_idx: np.ndarray, group_ids: np.ndarray
    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], bool, str, str]:
        """(fit rows, threshold rows) over the normal readings; whether to refit on all of them;
        the protocol in words; its kind (``normal time split``, ``held-out normal recordings``,
        ``held-out normal blocks``: ``ml.report`` explains each in words)."""
        n = len(normal_idx)
        if self.threshold == "holdout":
            cut = int(n * (1 - self.validation_fraction))
            pos = np.arange(n)
            return (
                [(pos[:cut], pos[cut:])],
                False,
                f"time split: detector fitted on the first {cut} normal readings, threshold "
                f"set on the last {n - cut}",
                "normal time split",
            )
        if self.threshold != "cv":
            raise ValueError(f"threshold must be 'cv' or 'holdout', not {self.threshold!r}")
        recordings = group_ids[normal_idx]
        names = list(dict.fromkeys(recordings.tolist()))
        if len(names) >= self.cv_blocks:
            # Several normal recordings: hold out whole recordings, so the threshold allows for
            # how normal operation varies between them.
            block = np.array([names.index(g) for g in recordings.tolist()])
            kind = f"{len(names)} normal recordings, each held out in turn"
            short = "held-out normal recordings"
        else:
            k = min(self.cv_blocks, max(2, n // 10))
            block = np.minimum(np.arange(n) * k // n, k - 1)
            kind = f"{k} contiguous blocks of the normal readings, each held out in turn"
            short = "held-out normal blocks"
        folds = [(np.flatnonzero(block != b), np.flatnonzero(block == b)) for b in np.unique(block)]
        return (
            folds,
            True,
            f"cross-validated threshold: {kind}; the threshold is the "
            f"{100 * (1 - self.contamination):g} % quantile of the {n} held-out scores (each "
            "from a model fitted without its block); the detector is then refitted on all "
            f"{n} normal readings",
            short,
        )

    def _fit_detector(
        self, cand: dict[str, Any], values: np.ndarray, group_ids: np.ndarray, rows: np.ndarray
    ) -> BaseDetector:
        """A detector fitted on ``rows`` (normal readings): lag windows are built within runs of
        consecutive rows of one recording, never across a gap or two recordings."""
        gaps = np.r_[True, (np.diff(rows) != 1) | (group_ids[rows][1:] != group_ids[rows][:-1])]
        feats = _per_group(
            values[rows], np.cumsum(gaps), lambda v: lagged(v, cand["lags"]), matrix=True
        )
        step = max(1, len(feats) // self.search_rows)
        return self._make(cand).fit(feats[::step])

    @staticmethod
    def _raw(det: BaseDetector, values: np.ndarray, group_ids: np.ndarray, lags: int) -> np.ndarray:
        return _per_group(values, group_ids, lambda v: det.decision_function(lagged(v, lags)))

    def held_out_scores(self, smoothing: int | None = None) -> np.ndarray:
        """Scores of the normal training readings, each from a model fitted without its block
        (the basis of the threshold), smoothed with ``smoothing`` (default: the chosen span).

        ``np.quantile(model.held_out_scores(k), 1 - contamination)`` is the cross-validated
        threshold the model would have with smoothing ``k`` (used to compare spans without
        refitting)."""
        span = self.params_["smoothing"] if smoothing is None else smoothing
        parts = [
            _per_group(raw, self.cv_groups_, lambda v: ewma(v, span))[rows]
            for rows, raw in self.cv_scores_
        ]
        return np.concatenate(parts)

    def card(self) -> ModelCard:
        """What this model says about itself for reports (held-out figures only)."""
        s = self.validation_scores_
        thr = self.threshold_ * self.threshold_scale
        metrics: dict[str, float] = {"validation_readings": float(len(s))}
        if len(s):
            metrics["far"] = float(np.mean(alarm_mask(s, thr, self.alarm_filter)))
            per_day = getattr(self, "readings_per_day_", None)
            if per_day:
                # Each reading is one chance of an alarm; on normal days this many ring.
                metrics["alarms_per_day"] = metrics["far"] * per_day
        best = next(r for r in self.leaderboard_ if r.get("chosen"))
        if self.labelled_:
            metrics.update({k: float(best[k]) for k in ("detection", "pr_auc", "f1") if k in best})
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
            # None for models saved before the kind was kept: the report shows the sentence.
            protocol_kind=getattr(self, "protocol_", None),
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

    def stream(self) -> AnomalyStream:
        """A scorer of one long series fed piece by piece (bounded memory): see
        :class:`AnomalyStream`."""
        return AnomalyStream(self)

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


class AnomalyStream:
    """Scores of one series fed in consecutive pieces, in time order, in bounded memory.

    :meth:`feed` takes the next readings and returns the rows whose outputs are final: ``score``
    (:meth:`AnomalyModel.decision_function`), ``alarm`` (:meth:`AnomalyModel.predict`) and
    ``top_signal`` (the signal :meth:`AnomalyModel.explain` gives the largest share, where the
    row alarms), exactly as over the whole series at once; :meth:`finish` returns the rest.
    What it keeps between pieces is what the model looks back on: the last ``lags`` readings
    (the lag window), the smoothing's state, and the alarm filter's window (a row's alarm waits
    for the ``alarm_filter // 2`` readings after it).
    """

    def __init__(self, model: AnomalyModel) -> None:
        self.model = model
        self.lags = int(model.params_["lags"])
        self.span = int(model.params_["smoothing"])
        self.limit = model.threshold_ * model.threshold_scale
        size = max(1, int(model.alarm_filter))
        self.size = size
        self.left, self.right = size // 2, size - 1 - size // 2  # scipy's window around a row
        self.names = [str(f) for f in model.feature_names_in_]
        self._lag_rows = np.empty((0, len(self.names)))
        self._ewma: np.ndarray | None = None
        self._before = np.zeros(0, dtype=np.int64)  # on/off of emitted rows the filter still sees
        self._pending: list[pd.DataFrame] = []  # rows whose alarm waits for later readings

    def feed(self, X: Any) -> pd.DataFrame:
        """The next readings (a frame of the model's signals, in time order); returns the rows
        whose outputs are final (all but the last ``alarm_filter // 2`` readings seen so far)."""
        m = self.model
        values = m._values(X)
        index = numeric_frame(X).index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(X))
        if len(values):
            both = np.vstack([self._lag_rows, values])
            feats = lagged(both, self.lags)[len(self._lag_rows) :]
            self._lag_rows = both[len(both) - min(self.lags, len(both)) :]
            raw = m.detector_.decision_function(feats)
            scores, self._ewma = ewma_from(raw, self.span, self._ewma)
            contrib = fold_lags(m.detector_.contributions(feats), len(self.names))
            top = pd.DataFrame(contrib, columns=self.names).idxmax(axis=1).to_numpy()
            self._pending.append(
                pd.DataFrame(
                    {
                        "score": scores,
                        "on": (np.asarray(scores) > self.limit).astype(np.int64),
                        "top_signal": top,
                    },
                    index=index,
                )
            )
        return self._emit(final=False)

    def finish(self) -> pd.DataFrame:
        """The rows still waiting (the end of the series: the filter's edge, as over the whole)."""
        return self._emit(final=True)

    def _emit(self, final: bool) -> pd.DataFrame:
        pending = pd.concat(self._pending) if self._pending else _EMPTY_SCORES.copy()
        ready = len(pending) if final else max(0, len(pending) - self.right)
        if ready == 0:
            self._pending = [pending] if len(pending) else []
            out = _EMPTY_SCORES.iloc[:0].copy()
            out.index = pending.index[:0]
            return out.drop(columns="on")
        on = pending["on"].to_numpy()
        seq = np.r_[self._before, on]
        if self.size > 1:
            from scipy.ndimage import median_filter

            seq = median_filter(seq, size=self.size, mode="nearest")
        alarm = seq[len(self._before) : len(self._before) + ready]
        done, rest = pending.iloc[:ready], pending.iloc[ready:]
        self._before = np.r_[self._before, on[:ready]][-self.left :] if self.left else self._before
        self._pending = [rest] if len(rest) else []
        top = done["top_signal"].where(alarm.astype(bool), "")
        return pd.DataFrame(
            {"score": done["score"].to_numpy(), "alarm": alarm, "top_signal": top.to_numpy()},
            index=done.index,
        )


_EMPTY_SCORES = pd.DataFrame(
    {"score": np.zeros(0), "on": np.zeros(0, dtype=np.int64), "top_signal": np.zeros(0, object)}
)


def _per_group(
    values: np.ndarray, groups: np.ndarray | None, fn: Any, matrix: bool = False
) -> np.ndarray:
    """Apply a time-series function to each group's rows separately (groups are contiguous);
    ``matrix``: the function returns a table per group (stacked), not one value per row."""
    if groups is None:
        return np.asarray(fn(values))
    parts = [fn(values[lo:hi]) for lo, hi in itertools.pairwise(run_bounds(groups))]
    if matrix:
        return np.vstack(parts)
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])


def _anomaly_units(groups: np.ndarray, chunks: int = 10) -> list[np.ndarray]:
    """Positions of the labelled anomalies by recording (or, with one recording, in contiguous
    chunks): the units over which a difference in detection is judged."""
    if len(groups) == 0:
        return []
    runs = [np.arange(lo, hi) for lo, hi in itertools.pairwise(run_bounds(groups))]
    if len(runs) > 1:
        return runs
    return [c for c in np.array_split(np.arange(len(groups)), chunks) if len(c)]


def _by_model(cands: list[dict[str, Any]]) -> list[tuple[tuple[str, int], list[int]]]:
    """Candidates grouped by (detector, lags): smoothing needs no refit, only a re-score."""
    out: dict[tuple[str, int], list[int]] = {}
    for c in cands:
        out.setdefault((c["detector"], c["lags"]), []).append(c["smoothing"])
    return list(out.items())


def alarm_mask(scores: np.ndarray, threshold: float, alarm_filter: int = 1) -> np.ndarray:
    """0/1 alarms: scores above ``threshold``, median-filtered over ``alarm_filter`` readings."""
    on = (np.asarray(scores) > threshold).astype(np.int64)
    if alarm_filter > 1:
        from scipy.ndimage import median_filter

        on = median_filter(on, size=alarm_filter, mode="nearest")
    return on
