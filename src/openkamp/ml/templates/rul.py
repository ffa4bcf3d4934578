"""The "predict remaining useful life" standard model.

Trained on run-to-failure histories of a fleet of units (engines, cutting tools, pumps), it
predicts at every observed cycle how many cycles (or minutes) a unit has left, and in particular
the remaining life at a unit's last observed cycle, which is what a maintenance planner asks.

Protocol (leakage-safe by construction):

* **Target.** ``y`` as given, or, from run-to-failure histories, ``last time of the unit − time``;
  capped at ``max_rul`` (the piecewise-linear target: early in life nothing distinguishes a unit
  with 300 cycles left from one with 200, and asking for it only adds noise).
* **Features** (:mod:`openkamp.ml.rul_features`): operating regimes, per-regime standardisation,
  window statistics over each unit's **past** only.
* **Model choice** by group k-fold over units: the rows of one unit are never in both the
  training and the validation part. Validation mimics use: each validation unit is cut at random
  points and scored only there ("predict at the last observed cycle"); the RMSE over all cycles
  is reported too. Candidates are compared on the cut-point RMSE, a greedy ensemble of them
  (weights chosen on the same out-of-fold predictions) competes with the best single one, and
  the choice is refitted on all units. Everything the regimes and scalers learn inside a fold is
  learned on that fold's training units only.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from openkamp.ml.card import ModelCard, Plot
from openkamp.ml.features import run_bounds
from openkamp.ml.metrics import bootstrap_ci
from openkamp.ml.rul_features import RULFeatures


def _lgbm(**params: Any) -> Any:
    from lightgbm import LGBMRegressor

    base = {
        "n_estimators": 500,
        "learning_rate": 0.03,
        "num_leaves": 31,
        # Neighbouring cycles are near-duplicates: large leaves keep trees from memorising units.
        "min_child_samples": 100,
        "subsample": 0.8,
        "subsample_freq": 1,
        "colsample_bytree": 0.5,
        "max_bin": 63,
        "importance_type": "gain",
        "verbose": -1,
    }
    return LGBMRegressor(**{**base, **params})


def _candidates(scale: float) -> dict[str, Any]:
    """Candidate learners, most often best first (the time budget may cut the tail).

    ``scale`` is the size of a typical error (the Huber loss is quadratic below it, linear
    above: a few units that fail oddly then pull the trees less).
    """
    return {
        "lgbm_huber": _lgbm(objective="huber", alpha=scale),
        "lgbm": _lgbm(),
        "lgbm_small": _lgbm(num_leaves=15, n_estimators=700, min_child_samples=50),
        "ridge": make_pipeline(StandardScaler(), Ridge(alpha=10.0)),
        "extra_trees": ExtraTreesRegressor(n_estimators=100, min_samples_leaf=10, max_features=0.3),
    }


LEARNERS: tuple[str, ...] = tuple(_candidates(1.0))
"""Names accepted in ``RULModel(learners=[...])``."""

AUTO: tuple[str, ...] = ("lgbm_huber", "lgbm", "ridge")
"""The candidates of ``learners="auto"`` (extra trees and the small LightGBM never beat these in
cross-validation on C-MAPSS and cost time; ask for them by name)."""


class RowBag(BaseEstimator):
    """Average of ``n_bags`` copies of ``estimator``, each fitted on every ``stride``-th row
    (different offsets, different seeds).

    Run-to-failure rows are one row per cycle: neighbouring rows of a unit are near-duplicates, so
    a model on every 4th row loses little, and averaging models on interleaved rows lowers the
    variance for about the cost of one model on all rows.
    """

    def __init__(
        self,
        estimator: Any = None,
        stride: int = 1,
        n_bags: int = 1,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.estimator = estimator
        self.stride = stride
        self.n_bags = n_bags
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> RowBag:
        stride, bags = max(1, int(self.stride)), max(1, min(int(self.n_bags), int(self.stride)))
        y = np.asarray(y)

        def member(b: int) -> Any:
            est = clone(self.estimator)
            keys = {k for k in est.get_params() if k.endswith("random_state")}
            est.set_params(**dict.fromkeys(keys, self.random_state + 1000 * b))
            rows = np.arange((b * stride) // bags, len(y), stride)
            return est.fit(X.iloc[rows], y[rows])

        self.estimators_ = parallel_map(member, range(bags), self.n_jobs)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.mean([e.predict(X) for e in self.estimators_], axis=0)

    @property
    def feature_importances_(self) -> np.ndarray:
        imps = []
        for est in self.estimators_:
            if hasattr(est, "feature_importances_"):
                imp = np.asarray(est.feature_importances_, dtype=np.float64)
            else:  # a scaled linear model: |coefficient| on standardised features
                imp = np.abs(np.asarray(est[-1].coef_, dtype=np.float64))
            imps.append(imp / imp.sum() if imp.sum() > 0 else imp)
        return np.mean(imps, axis=0)


def parallel_map(fn: Callable[[Any], Any], items: Iterable[Any], n_jobs: int) -> list[Any]:
    """``[fn(x) for x in items]`` on ``n_jobs`` threads (LightGBM and NumPy release the GIL)."""
    items = list(items)
    if n_jobs <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=min(n_jobs, len(items))) as pool:
        return list(pool.map(fn, items))


def unit_folds(
    units: Any, n_splits: int = 5, random_state: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Group k-fold over units: ``(train_rows, validation_rows)`` index pairs.

    Units are shuffled and dealt into ``n_splits`` folds, so every row of a unit lies in the same
    fold: a model is never validated on a unit it saw in training.
    """
    units = np.asarray(units)
    uniq = np.unique(units)
    if len(uniq) < n_splits:
        raise ValueError(f"{len(uniq)} units cannot be split into {n_splits} folds")
    order = np.random.default_rng(random_state).permutation(uniq)
    out = []
    for val_units in np.array_split(order, n_splits):
        val = np.isin(units, val_units)
        out.append((np.flatnonzero(~val), np.flatnonzero(val)))
    return out


def cut_points(
    units: np.ndarray, n_cuts: int, min_history: int, rng: np.random.Generator
) -> np.ndarray:
    """Row indices of random cut points: up to ``n_cuts`` per unit, each with at least
    ``min_history`` earlier rows where the unit is long enough (rows grouped by unit)."""
    picks = []
    for a, b in itertools.pairwise(run_bounds(units)):
        lo = a + min(min_history, b - a - 1)
        k = min(n_cuts, b - lo)
        picks.append(rng.choice(np.arange(lo, b), k, replace=False))
    return np.sort(np.concatenate(picks)) if picks else np.zeros(0, dtype=np.int64)


def _cpu_count() -> int:
    """CPU cores this process may use (its affinity mask, where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


class RULModel(BaseEstimator):
    """Remaining useful life of units from their run-to-failure histories.

    Parameters
    ----------
    time_budget_s : float
        Seconds the candidate comparison may use (at least one candidate is always evaluated).
    max_rul : float or None
        Cap of the piecewise-linear target, in the unit of the time column; None: no cap.
    window : int
        Longest window (rows) of the features; shorter ones are 5, 10 and 20 rows.
    random_state : int
        Seeds the folds, the cut points and the learners.
    n_splits : int
        Folds of the group k-fold over units.
    learners : "auto" or list of names from :data:`LEARNERS`
        ``"auto"`` compares :data:`AUTO`.
    settings : "auto", list of column names, or None
        Operating-setting columns (see :class:`~openkamp.ml.rul_features.RULFeatures`).
    n_cuts : int
        Random cut points per validation unit.
    rows_per_model : int
        Each tree model sees about this many rows (every k-th cycle; see :class:`RowBag`).
    n_bags : int
        Models on interleaved rows averaged in the final model (cross-validation fits one per
        fold to save time, so ``cv_rmse_`` is, if anything, pessimistic).
    n_jobs : int or None
        Learners fitted at the same time, one thread each (folds, bag members); None: one per
        CPU core. Each learner is single-threaded: the models are small, and OpenMP threads
        fighting over busy cores make LightGBM many times slower than this.
    """

    task = "rul"

    def __init__(
        self,
        time_budget_s: float = 300.0,
        max_rul: float | None = 125.0,
        window: int = 30,
        random_state: int = 0,
        n_splits: int = 5,
        learners: Any = "auto",
        settings: Any = "auto",
        n_cuts: int = 5,
        rows_per_model: int = 8000,
        n_bags: int = 4,
        n_jobs: int | None = None,
    ) -> None:
        self.time_budget_s = time_budget_s
        self.max_rul = max_rul
        self.window = window
        self.random_state = random_state
        self.n_splits = n_splits
        self.learners = learners
        self.settings = settings
        self.n_cuts = n_cuts
        self.rows_per_model = rows_per_model
        self.n_bags = n_bags
        self.n_jobs = n_jobs

    # -- inputs -------------------------------------------------------------------------------

    def _windows(self) -> tuple[int, ...]:
        w = int(self.window)
        if w < 2:
            raise ValueError(f"window must be at least 2 rows, got {self.window!r}")
        return (*(s for s in (5, 10, 20) if s < w), w)

    @staticmethod
    def _column(X: pd.DataFrame, v: Any, what: str) -> tuple[np.ndarray, str | None]:
        if isinstance(v, str):
            if v not in X.columns:
                raise ValueError(f"{what} column {v!r} is not in the data")
            return X[v].to_numpy(), v
        arr = np.asarray(v)
        if arr.shape != (len(X),):
            raise ValueError(f"{what} must be a column name or one value per row")
        return arr, None

    def _prepare(
        self, X: Any, unit: Any, time_: Any, y: Any = None
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """Signal columns, units, times and target, sorted by (unit, time); and that order."""
        if not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(np.asarray(X, dtype=np.float64))
        units, ucol = self._column(X, unit, "unit")
        times, tcol = self._column(X, time_, "time")
        target, ycol = (None, None) if y is None else self._column(X, y, "y")
        drop = [c for c in (ucol, tcol, ycol) if c is not None]
        signals = X.drop(columns=drop).reset_index(drop=True)
        sort_t = times
        if not np.issubdtype(np.asarray(times).dtype, np.number):
            sort_t = pd.to_datetime(pd.Series(times)).astype("int64").to_numpy()
        order = np.lexsort((sort_t, pd.factorize(units, sort=True)[0]))
        target = None if target is None else np.asarray(target, dtype=np.float64)[order]
        return signals.iloc[order].reset_index(drop=True), units[order], times[order], target, order

    def _target(self, units: np.ndarray, times: np.ndarray, y: np.ndarray | None) -> np.ndarray:
        if y is None:
            if not np.issubdtype(np.asarray(times).dtype, np.number):
                raise ValueError(
                    "with a timestamp time column, pass y (the remaining life in your unit)"
                )
            t = np.asarray(times, dtype=np.float64)
            last = pd.Series(t).groupby(units).transform("max").to_numpy()
            y = last - t
        if np.isnan(y).any():
            raise ValueError("the target y has missing values")
        if self.max_rul is not None:
            y = np.minimum(y, float(self.max_rul))
        return y

    # -- training -----------------------------------------------------------------------------

    def _names(self) -> list[str]:
        if isinstance(self.learners, str) and self.learners == "auto":
            return list(AUTO)
        names = [self.learners] if isinstance(self.learners, str) else list(self.learners)
        unknown = [n for n in names if n not in LEARNERS]
        if unknown or not names:
            raise ValueError(f"unknown learners {unknown}; choose from {list(LEARNERS)}")
        return names

    def _learner(self, name: str, n_rows: int, seed: int, bags: int) -> RowBag:
        est = clone(_candidates(self.scale_)[name])
        if "n_jobs" in est.get_params():
            est.set_params(n_jobs=1)
        stride = max(1, math.ceil(n_rows / max(1, int(self.rows_per_model))))
        if name == "ridge":
            bags = 1  # a linear model gains nothing by averaging
        return RowBag(est, stride=stride, n_bags=bags, random_state=seed, n_jobs=self._jobs())

    def _jobs(self) -> int:
        if self.n_jobs is None:
            return _cpu_count()
        return max(1, int(self.n_jobs))

    def fit(self, X: Any, *, unit: Any, time: Any, y: Any = None) -> RULModel:
        """Learn from histories ``X`` (one row per unit and cycle; signal and setting columns).

        ``unit`` and ``time`` are column names of ``X`` or one value per row; ``y`` (a column
        name or values) is the remaining life; without it every unit is taken to run to failure
        at its last row. Columns named by ``unit``, ``time`` and ``y`` are never features; every
        other numeric column is a signal, so leave no truth or id columns in ``X`` when passing
        ``unit``, ``time`` or ``y`` as values.
        """
        # One thread per learner: BLAS and OpenMP threads fighting over busy cores cost more than
        # they give; parallelism comes from fitting several learners at once (n_jobs).
        with threadpool_limits(limits=1):
            return self._fit(X, unit, time, y)

    def _fit(self, X: Any, unit: Any, time: Any, y: Any) -> RULModel:
        started = _clock()
        signals, units, times, y_given, _ = self._prepare(X, unit, time, y)
        target = self._target(units, times, y_given)
        if len(np.unique(units)) < max(2, self.n_splits):
            raise ValueError(f"RUL training needs at least n_splits={self.n_splits} units")
        windows = self._windows()
        names = self._names()
        seed = int(self.random_state)
        rng = np.random.default_rng(seed)
        # A typical error: the Huber loss is quadratic below it and linear above.
        top = float(self.max_rul) if self.max_rul is not None else float(np.quantile(target, 0.95))
        self.scale_ = max(0.1 * top, 1e-6)

        # Regimes are a property of the fleet's operating points: find their number once, then
        # refit the clustering and all scalers inside each fold on its training units only.
        regimes = RULFeatures(windows, self.settings, "auto", seed).fit(signals).n_regimes_
        folds = unit_folds(units, self.n_splits, seed)
        self.cv_units_ = [np.unique(units[val]) for _, val in folds]
        cuts = np.zeros(len(units), dtype=bool)
        fold_data = []
        for tr, val in folds:
            feats = RULFeatures(windows, self.settings, regimes, seed).fit(signals.iloc[tr])
            F_tr = feats.transform(signals.iloc[tr], units[tr], times[tr])
            F_val = feats.transform(signals.iloc[val], units[val], times[val])
            fold_data.append((F_tr, target[tr], F_val, val))
            cuts[val[cut_points(units[val], self.n_cuts, max(windows), rng)]] = True

        oof: dict[str, np.ndarray] = {}
        board: list[dict[str, Any]] = []
        for name in names:
            if board and _clock() - started > self.time_budget_s:
                break  # budget spent: the leaderboard says what was tried
            t0 = _clock()
            pred = np.empty(len(target))

            def fold_fit(k: int, name: str = name) -> np.ndarray:
                F_tr, y_tr, F_val, _ = fold_data[k]
                est = self._learner(name, len(y_tr), seed + k, bags=1).fit(F_tr, y_tr)
                return self._clip(est.predict(F_val))

            fold_preds = parallel_map(fold_fit, range(len(fold_data)), self._jobs())
            for (_, _, _, val), p in zip(fold_data, fold_preds, strict=True):
                pred[val] = p
            oof[name] = pred
            board.append(
                {
                    "learner": name,
                    "rmse_last": _rmse(pred[cuts], target[cuts]),
                    "rmse_all": _rmse(pred, target),
                    "seconds": round(_clock() - t0, 2),
                }
            )
        weights = _greedy_ensemble({n: p[cuts] for n, p in oof.items()}, target[cuts])
        blend = np.sum([w * oof[n] for n, w in weights.items()], axis=0)
        best = min(board, key=lambda r: r["rmse_last"])
        chosen, chosen_pred = {best["learner"]: 1.0}, oof[best["learner"]]
        if len(weights) > 1:
            board.append(
                {
                    "learner": "ensemble",
                    "rmse_last": _rmse(blend[cuts], target[cuts]),
                    "rmse_all": _rmse(blend, target),
                    "seconds": 0.0,
                    "weights": weights,
                }
            )
            if board[-1]["rmse_last"] < best["rmse_last"]:
                chosen, chosen_pred = weights, blend
        self.leaderboard_ = sorted(board, key=lambda r: r["rmse_last"])
        self.params_ = {
            "learners": chosen,
            "window": int(self.window),
            "max_rul": self.max_rul,
            "regimes": regimes,
        }
        lo, hi = bootstrap_ci(_rmse, target[cuts], chosen_pred[cuts], groups=units[cuts], seed=seed)
        self.cv_rmse_ = {
            "rmse_last": _rmse(chosen_pred[cuts], target[cuts]),
            "ci_low": lo,
            "ci_high": hi,
            "rmse_all": _rmse(chosen_pred, target),
            "n_units": len(np.unique(units)),
            "n_cuts": int(cuts.sum()),
        }
        self.cv_predictions_ = pd.DataFrame(
            {"unit": units, "time": times, "y": target, "pred": chosen_pred, "cut": cuts}
        )

        # Refit the choice on every unit and every row.
        self.features_ = RULFeatures(windows, self.settings, regimes, seed).fit(signals)
        F = self.features_.transform(signals, units, times)
        self.feature_names_ = list(F.columns)
        self.models_ = {
            n: self._learner(n, len(target), seed, bags=int(self.n_bags)).fit(F, target)
            for n in chosen
        }
        self.weights_ = dict(chosen)
        self.fit_seconds_ = round(_clock() - started, 2)
        return self

    # -- use ----------------------------------------------------------------------------------

    def _clip(self, p: np.ndarray) -> np.ndarray:
        hi = np.inf if self.max_rul is None else float(self.max_rul)
        return np.clip(p, 0.0, hi)

    def _predict_sorted(self, X: Any, unit: Any, time_: Any) -> tuple[np.ndarray, ...]:
        if not hasattr(self, "models_"):
            raise ValueError("this RULModel is not fitted yet; call fit first")
        signals, units, times, _, order = self._prepare(X, unit, time_)
        missing = [c for c in self.features_.sensor_names_ if c not in signals.columns]
        missing += [c for c in self.features_.setting_names_ if c not in signals.columns]
        if missing:
            raise ValueError(f"missing signals: {missing}")
        F = self.features_.transform(signals, units, times)
        with threadpool_limits(limits=1):
            pred = sum(w * self.models_[n].predict(F) for n, w in self.weights_.items())
        return self._clip(np.asarray(pred, dtype=np.float64)), units, times, order

    def predict(self, X: Any, *, unit: Any, time: Any) -> np.ndarray:
        """Remaining life at every row of ``X`` (in the row order given), within [0, max_rul]."""
        pred, _, _, order = self._predict_sorted(X, unit, time)
        out = np.empty_like(pred)
        out[order] = pred
        return out

    def predict_last(self, X: Any, *, unit: Any, time: Any) -> pd.Series:
        """Remaining life of every unit at its last row, indexed by unit (sorted)."""
        pred, units, _, _ = self._predict_sorted(X, unit, time)
        last = np.r_[units[1:] != units[:-1], True]
        return pd.Series(pred[last], index=pd.Index(units[last], name="unit"), name="rul")

    def card(self) -> ModelCard:
        """What this model says about itself for reports (held-out units only)."""
        cv = self.cv_rmse_
        at_cuts = self.cv_predictions_[self.cv_predictions_["cut"]]
        importance = self.feature_importance()
        plots = [
            Plot(
                "scatter",
                "ml.plot.rul_pred_vs_true",
                at_cuts[["y", "pred"]].rename(columns={"y": "true", "pred": "predicted"}),
                x="true",
                y=["predicted"],
                diagonal=True,
            ),
            Plot(
                "bar",
                "ml.plot.importance",
                importance.head(15).rename("share").rename_axis("feature").reset_index(),
                x="feature",
                y=["share"],
            ),
        ]
        return ModelCard(
            task=self.task,
            method=dict(self.params_),
            protocol=(
                f"{self.n_splits}-fold group k-fold over {cv['n_units']} units; each validation "
                f"unit cut at {self.n_cuts} random points (RMSE at the cut = at the last known cycle)"
            ),
            protocol_kind=PROTOCOL_KIND,
            metrics={
                "rmse": float(cv["rmse_last"]),
                "rmse_all_cycles": float(cv["rmse_all"]),
                "units": float(cv["n_units"]),
            },
            metric_ci={"rmse": (float(cv["ci_low"]), float(cv["ci_high"]))},
            leaderboard=list(self.leaderboard_),
            importance=importance,
            features=list(self.feature_names_),
            rows=len(self.cv_predictions_),
            plots=plots,
            limits=["ml.limit.rul_cap", "ml.limit.same_process"],
            fit_seconds=self.fit_seconds_,
            extra={"max_rul": self.max_rul},
        )

    def feature_importance(self) -> pd.Series:
        """Share of the model's importance per feature (sums to 1), largest first.

        LightGBM: gain; extra trees: impurity decrease; ridge: |coefficient| on standardised
        features; an ensemble averages its members by weight.
        """
        if not hasattr(self, "models_"):
            raise ValueError("this RULModel is not fitted yet; call fit first")
        total = np.sum(
            [w * self.models_[n].feature_importances_ for n, w in self.weights_.items()], axis=0
        )
        s = total.sum()
        out = pd.Series(total / s if s > 0 else total, index=self.feature_names_)
        return out.sort_values(ascending=False)


PROTOCOL_KIND = "unit k-fold with cuts"
"""The card's ``protocol_kind``: units held out whole, each checked at random cut points
(``ml.report`` explains it in words)."""

_WINDOW = re.compile(
    r"^(?P<signal>.+)__(?:(?P<stat>last|drift)|mean(?P<mean>\d+)|slope(?P<slope>\d+))$"
)
_OWN = {"age": "ml.feature.age", "rows_seen": "ml.feature.rows_seen"}


def feature_words(name: str) -> tuple[str, dict[str, Any]] | None:
    """What a feature this template builds (:func:`openkamp.ml.rul_features.window_features`,
    the unit's age and rows seen) is, for people: the i18n key and its parameters, ``signal``
    being the column the statistic is of (shown by its display name); None for other names.

    ``vibration_rms__mean10`` → (``ml.feature.mean_n``, {signal: vibration_rms, n: 10}).
    """
    if name in _OWN:
        return _OWN[name], {}
    m = _WINDOW.match(name)
    if m is None:
        return None
    if m["stat"]:
        return f"ml.feature.{m['stat']}", {"signal": m["signal"]}
    if m["mean"]:
        return "ml.feature.mean_n", {"signal": m["signal"], "n": int(m["mean"])}
    return "ml.feature.slope_n", {"signal": m["signal"], "n": int(m["slope"])}


def _greedy_ensemble(
    preds: dict[str, np.ndarray], y: np.ndarray, rounds: int = 10
) -> dict[str, float]:
    """Caruana et al.'s greedy ensemble selection (with replacement): learner → weight."""
    if not preds:
        return {}
    counts = dict.fromkeys(preds, 0)
    total = np.zeros(len(y))
    for r in range(1, rounds + 1):
        name = min(preds, key=lambda n: _rmse((total + preds[n]) / r, y))
        counts[name] += 1
        total += preds[name]
    return {n: c / rounds for n, c in counts.items() if c}


def _clock() -> float:
    """The clock (``time`` is a keyword argument of fit/predict, so the module is not used)."""
    return time.perf_counter()
