"""The "predict a quality value" standard model.

Trained on a table of process parameters with a measured quality value per row (wall thickness,
tensile strength, yield, a wear value), it predicts the value with an interval, and says which
inputs drive each prediction.

Protocol (leakage-safe by construction, as :mod:`openkamp.ml.templates.classify`):

1. :func:`openkamp.ml.leakage.find_leaks` checks every column: an exact copy of the target, or a
   column whose |Spearman correlation| with it is ≥ 0.99, is dropped (``drop_leaks``); all
   findings are kept in ``leaks_``.
2. Evaluation folds come from :func:`openkamp.ml.splits.choose_split`: group k-fold when
   ``groups`` (lot, unit, run) are given, forward-chaining time splits when ``time`` is given,
   shuffled k-fold otherwise.
3. Candidates (ridge regression with scaling, extra trees and a random forest, LightGBM with a few
   parameter sets) are compared by out-of-fold RMSE within ``time_budget_s`` → ``leaderboard_``;
   the best is refitted on all rows.
4. ``oof_metrics_`` reports RMSE, MAE, R² and (where the target is never near 0) MAPE of the
   best candidate's out-of-fold predictions, with bootstrap intervals (resampling whole groups
   when given). Like classify's, they are slightly optimistic: the best of several candidates was
   picked on the same folds.
5. Prediction intervals are split-conformal: the half-width at level ``a`` is the
   ``a``-quantile (with the finite-sample correction) of the absolute out-of-fold residuals.
   They hold on average over rows like the training rows, not for each row, and they are as wide
   for an easy row as for a hard one.
"""

from __future__ import annotations

import dataclasses
import math
import time as _time
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from openkamp.ml.card import ModelCard, Plot
from openkamp.ml.errors import refuse
from openkamp.ml.leakage import Leak
from openkamp.ml.metrics import bootstrap_ci, fold_ci, verdict, widest
from openkamp.ml.splits import choose_split
from openkamp.ml.tabular import (
    BIAS,
    EXPLAIN_ROWS,
    LGBM_BASE,
    Encoder,
    check_table,
    explain_rows,
    feature_frame,
    fold_onehot,
    forest_contributions,
    global_importance,
    linear_contributions,
    no_inputs,
    numeric_text,
    prepare_features,
    search_candidates,
    select_candidates,
    tabular_card,
)

__all__ = ["BIAS", "CANDIDATES", "RegressModel", "conformal_halfwidth"]

LEARNERS = ("lgbm", "ridge", "trees")
# Cheap and usually good first; then the linear and forest baselines; then slower variants while
# the budget lasts.
CANDIDATES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("lgbm_base", "lgbm", LGBM_BASE),
    ("ridge", "ridge", {"alphas": (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)}),
    ("extra_trees", "trees", {"kind": "extra", "n_estimators": 100, "min_samples_leaf": 3, "max_features": 0.7}),
    ("lgbm_full", "lgbm", {**LGBM_BASE, "n_estimators": 500, "subsample": 1.0, "colsample_bytree": 1.0}),
    ("rf", "trees", {"kind": "rf", "n_estimators": 100, "min_samples_leaf": 3, "max_features": 0.5}),
    ("lgbm_slow", "lgbm", {**LGBM_BASE, "n_estimators": 1000, "learning_rate": 0.02, "colsample_bytree": 1.0}),
    ("lgbm_shallow", "lgbm", {**LGBM_BASE, "num_leaves": 7, "learning_rate": 0.1}),
    ("lgbm_deep", "lgbm", {**LGBM_BASE, "num_leaves": 31, "learning_rate": 0.03, "n_estimators": 600, "min_child_samples": 10}),
)  # fmt: skip

PLOT_ROWS = 2000  # points of the predicted-vs-actual scatter in the card


def conformal_halfwidth(abs_residuals: np.ndarray, level: float) -> float:
    """Split-conformal half-width: the ``ceil((n + 1) level) / n`` quantile of ``|residuals|``
    (infinite when there are too few residuals for the level)."""
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    r = np.sort(np.asarray(abs_residuals, dtype=np.float64))
    k = math.ceil((len(r) + 1) * level)
    return float(r[k - 1]) if k <= len(r) else float("inf")


def _fit_figures(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """The leaderboard's figures of one candidate's out-of-fold predictions."""
    return {"rmse": _rmse(y, p), "mae": _mae(y, p), "r2": _r2(y, p)}


def _rmse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.sqrt(np.mean((y - p) ** 2)))


def _mae(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.abs(y - p)))


def _r2(y: np.ndarray, p: np.ndarray) -> float:
    ss = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - float(np.sum((y - p) ** 2)) / ss if ss > 0 else float("nan")


def _mape(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean(np.abs(y - p) / np.abs(y)))


class RegressModel(RegressorMixin, BaseEstimator):
    """Prediction of a measured quality value, with intervals and per-row explanations.

    Parameters
    ----------
    time_budget_s : float
        Seconds the candidate search may use (at least one candidate is always completed).
    random_state : int
        Seed of the folds and the learners.
    n_splits : int
        Folds of the candidate comparison and of the out-of-fold residuals.
    learners : "auto", a family ("lgbm", "ridge", "trees"), a candidate name of
        :data:`CANDIDATES` (e.g. "lgbm_base"), or a list of them
        What to compare; "auto" is every candidate, in the order of :data:`CANDIDATES`.
    drop_leaks : bool
        Drop columns that :func:`~openkamp.ml.leakage.find_leaks` reports as ``copy`` or
        ``perfect`` (all findings are kept in ``leaks_`` either way).
    n_jobs : int or None
        Threads per learner. None: one thread below 50,000 rows, all cores above.
    independent : bool
        The rows are independent (their order says nothing): shuffled (or group) folds even
        when ``time`` is given.

    Attributes
    ----------
    leaderboard_ : list of dict
        Candidates tried (best first): ``candidate``, ``learner``, out-of-fold ``rmse``, ``mae``,
        ``r2``, ``seconds``.
    params_ : dict
        The chosen candidate and its hyper-parameters; ``model_`` is it, refitted on all rows.
    oof_metrics_ : dict
        Out-of-fold ``rmse``, ``mae``, ``r2`` and ``mape`` (only when no target is near 0), each
        with a bootstrap ``<name>_ci`` (95 %), the ``interval_90`` half-width, ``rows``,
        ``target_mean``, ``target_std``, ``split``.
    oof_pred_ : ndarray
        Out-of-fold prediction per training row; NaN for rows no fold predicted (the first block
        of time splits). ``oof_target_`` is ``y``.
    abs_residuals_ : ndarray
        Sorted absolute out-of-fold residuals: the calibration set of :meth:`predict_interval`.
    leaks_ : list of Leak
        Every finding of :func:`~openkamp.ml.leakage.find_leaks`; ``dropped_`` lists the columns
        not used (dropped leaks, then date/time columns).
    split_ : str
        The evaluation protocol, in words.
    feature_names_in_, n_features_in_, feature_importances_, fit_seconds_
    """

    task = "regress"

    def __init__(
        self,
        time_budget_s: float = 60.0,
        random_state: int = 0,
        n_splits: int = 5,
        learners: str | list[str] = "auto",
        drop_leaks: bool = True,
        n_jobs: int | None = None,
        independent: bool = False,
    ) -> None:
        self.time_budget_s = time_budget_s
        self.random_state = random_state
        self.n_splits = n_splits
        self.learners = learners
        self.drop_leaks = drop_leaks
        self.n_jobs = n_jobs
        self.independent = independent

    # -- training -----------------------------------------------------------------------------

    def _candidates(self) -> list[tuple[str, str, dict[str, Any]]]:
        return select_candidates(self.learners, LEARNERS, CANDIDATES)

    def _make(self, learner: str, params: dict[str, Any], n_rows: int) -> Any:
        jobs = self.n_jobs if self.n_jobs is not None else (1 if n_rows < 50_000 else -1)
        if learner == "ridge":
            return Pipeline(
                [
                    ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                    ("scale", StandardScaler()),
                    ("model", RidgeCV(alphas=params["alphas"])),
                ]
            )
        if learner == "trees":
            kw = {k: v for k, v in params.items() if k != "kind"}
            cls = ExtraTreesRegressor if params["kind"] == "extra" else RandomForestRegressor
            return cls(**kw, n_jobs=jobs, random_state=self.random_state)
        return lgb.LGBMRegressor(**params, n_jobs=jobs, random_state=self.random_state, verbose=-1)

    def fit(self, X: Any, y: Any, *, time: Any = None, groups: Any = None) -> RegressModel:
        """Learn to predict ``y`` (numbers) from ``X``.

        ``time`` and ``groups`` are column names of ``X`` (then not used as features) or arrays
        with one value per row; they choose the evaluation folds (see
        :func:`openkamp.ml.splits.choose_split`). Date/time columns are never features.
        """
        started = _time.perf_counter()
        self._candidates()  # a wrong parameter is named before anything about the data
        df = numeric_text(check_table(feature_frame(X)))
        try:
            y_arr = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            raise refuse(
                "target_not_numeric",
                "The target holds text: a regression predicts numbers.",
                hint="Choose a numeric target, or predict the labels with a defect model.",
            ) from None
        if len(df) != len(y_arr):
            raise ValueError(f"X has {len(df)} rows but y has {len(y_arr)}")
        if not np.isfinite(y_arr).all():
            bad = int((~np.isfinite(y_arr)).sum())
            raise refuse(
                "missing_target",
                f"{bad} rows have no (or an infinite) target value.",
                hint="Leave those rows out, or fill in their values.",
                rows=bad,
            )
        if np.unique(y_arr).size < 2:
            raise refuse(
                "constant_target",
                "The target has the same value on every row: there is nothing to predict.",
                hint="Choose a target that varies.",
            )
        prep = prepare_features(df, y_arr, time=time, groups=groups, drop_leaks=self.drop_leaks)
        self.leaks_: list[Leak] = prep.leaks
        self.notes_ = prep.notes
        self.encoder_ = Encoder().fit(df[prep.features])
        if not self.encoder_.columns:
            raise no_inputs(prep)
        self.feature_names_in_ = np.asarray(self.encoder_.columns, dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        self.dropped_ = [*prep.dropped, *self.encoder_.ignored]
        Xe = self.encoder_.transform(df[prep.features])

        split = choose_split(
            df,
            y_arr,
            time=None if self.independent else prep.time,
            groups=prep.groups,
            n_splits=self.n_splits,
            seed=self.random_state,
        )
        self.split_ = split.describe()
        self.protocol_ = split.kind
        folds = [(tr, te) for tr, te in split if len(tr) >= 2]
        covered = split.covered(len(y_arr))
        board, oofs = search_candidates(
            self._candidates(),
            folds,
            (len(y_arr),),
            covered,
            fit_predict=lambda learner, params, tr, te: (
                self._make(learner, params, len(tr)).fit(Xe[tr], y_arr[tr]).predict(Xe[te])
            ),
            rank=lambda oof: _fit_figures(y_arr[covered], oof[covered]),
            budget_s=self.time_budget_s,
            started=started,
        )
        self.leaderboard_ = sorted(board, key=lambda r: np.nan_to_num(r["rmse"], nan=np.inf))
        best = self.leaderboard_[0]
        params = dict(next(p for name, _, p in CANDIDATES if name == best["candidate"]))
        self.params_ = {"candidate": best["candidate"], "learner": best["learner"], **params}
        self.model_ = self._make(best["learner"], params, len(y_arr)).fit(Xe, y_arr)

        self.oof_pred_ = np.where(covered, oofs[best["candidate"]], np.nan)
        self.oof_target_ = y_arr
        p_cov, y_cov = self.oof_pred_[covered], y_arr[covered]
        self.abs_residuals_ = np.sort(np.abs(y_cov - p_cov))
        # The figures: each evaluation part scored by the candidate that was best on the other
        # parts (choosing on the part itself flatters the winner; see ClassifyModel._cross_fitted).
        tests = [te for _, te in folds]
        tried = [r["candidate"] for r in board]
        self.eval_pred_ = np.full(len(y_arr), np.nan)
        self.eval_choices_: list[str] = []
        fold_of = np.full(len(y_arr), -1)
        for k, test in enumerate(tests):
            others = (
                np.concatenate([t for j, t in enumerate(tests) if j != k])
                if len(tests) > 1
                else test
            )
            name = min(
                tried,
                key=lambda c: np.nan_to_num(_rmse(y_arr[others], oofs[c][others]), nan=np.inf),
            )
            self.eval_pred_[test] = oofs[name][test]
            self.eval_choices_.append(name)
            fold_of[test] = k
        g_cov = None if prep.groups is None else np.asarray(prep.groups)[covered]
        train_share = float(np.mean([len(tr) for tr, _ in folds])) / len(y_arr)
        self.oof_metrics_ = self._metrics(
            y_cov, self.eval_pred_[covered], g_cov, fold_of[covered], train_share
        )
        self.verdict_ = verdict(self.oof_metrics_)
        rows = explain_rows(len(Xe), EXPLAIN_ROWS)
        self.feature_importances_ = global_importance(
            self._contributions(Xe[rows]), self.feature_names_in_
        )
        self.fit_seconds_ = round(_time.perf_counter() - started, 3)
        return self

    def _metrics(
        self,
        y: np.ndarray,
        p: np.ndarray,
        groups: np.ndarray | None,
        fold: np.ndarray,
        train_share: float,
    ) -> dict[str, Any]:
        """Figures of the cross-fitted predictions ``p``; 95 % intervals are the wider of a
        bootstrap over rows (or groups) and :func:`~openkamp.ml.metrics.fold_ci` over the parts."""
        out: dict[str, Any] = {
            "rows": len(y),
            "split": self.split_,
            "target_mean": float(y.mean()),
            "target_std": float(y.std()),
        }
        fns = {"rmse": _rmse, "mae": _mae, "r2": _r2}
        # A relative error is only meaningful when no target value is near 0.
        if np.min(np.abs(y)) >= 0.1 * np.median(np.abs(y)) > 0:
            fns["mape"] = _mape
        for name, fn in fns.items():
            out[name] = fn(y, p)
            out[f"{name}_ci"] = widest(
                bootstrap_ci(fn, y, p, n=200, seed=self.random_state, groups=groups),
                fold_ci(fn, y, p, fold, train_share=train_share, centre=out[name]),
                name=name,
            )
        out["interval_90"] = conformal_halfwidth(self.abs_residuals_, 0.9)
        return out

    # -- use ----------------------------------------------------------------------------------

    def _encode(self, X: Any) -> tuple[np.ndarray, Any]:
        df = feature_frame(X)
        missing = [c for c in self.feature_names_in_ if c not in df.columns]
        if missing:
            raise ValueError(f"missing feature columns: {missing}")
        return self.encoder_.transform(df), df.index

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values; :meth:`explain` rows sum to them."""
        Xe, _ = self._encode(X)
        return np.asarray(self.model_.predict(Xe), dtype=np.float64)

    def predict_interval(self, X: Any, level: float = 0.9) -> pd.DataFrame:
        """``prediction``, ``lower`` and ``upper`` per row: a split-conformal interval that holds
        the true value for about ``level`` of rows like the training rows."""
        pred = self.predict(X)
        half = conformal_halfwidth(self.abs_residuals_, level)
        index = feature_frame(X).index
        return pd.DataFrame(
            {"prediction": pred, "lower": pred - half, "upper": pred + half}, index=index
        )

    def explain(self, X: Any) -> pd.DataFrame:
        """Per-row contribution of each feature to the prediction, plus the :data:`BIAS` column.

        TreeSHAP (LightGBM's ``pred_contrib``) for LightGBM; coefficient × standardised value for
        ridge regression; decision-path contributions for the forests. Each row sums to
        :meth:`predict`. One-hot columns are summed back into their categorical column.
        """
        Xe, index = self._encode(X)
        return pd.DataFrame(
            self._contributions(Xe), columns=[*self.feature_names_in_, BIAS], index=index
        )

    def _contributions(self, Xe: np.ndarray) -> np.ndarray:
        """(rows, original features + bias) contributions to the prediction."""
        learner, model = self.params_["learner"], self.model_
        if learner == "lgbm":
            enc = model.booster_.predict(Xe, pred_contrib=True)[:, :, None]
        elif learner == "ridge":
            enc = linear_contributions(model, Xe)
        else:
            enc = forest_contributions(model, Xe)
        return fold_onehot(enc, self.encoder_)[:, :, 0]

    def feature_importance(self) -> pd.Series:
        """Global importance per feature: mean |contribution| over (up to 2,000) training rows."""
        return self.feature_importances_.copy()

    def card(self) -> ModelCard:
        """What this model says about itself for reports (out-of-fold figures only)."""
        honest = getattr(self, "eval_pred_", self.oof_pred_)  # models saved before cross-fitting
        covered = ~np.isnan(honest)
        y, p = self.oof_target_[covered], honest[covered]
        show = np.linspace(0, len(y) - 1, min(PLOT_ROWS, len(y))).round().astype(int)
        plots = [
            Plot(
                "scatter",
                "ml.plot.pred_vs_actual",
                pd.DataFrame({"actual": y[show], "predicted": p[show]}),
                x="actual",
                y=["predicted"],
                diagonal=True,
            ),
            Plot("hist", "ml.plot.residuals", pd.DataFrame({"residual": y - p}), y=["residual"]),
            Plot(
                "bar",
                "ml.plot.importance",
                self.feature_importances_.head(15).rename_axis("feature").reset_index(),
                x="feature",
                y=["mean_abs_contribution"],
            ),
        ]
        return tabular_card(
            self,
            plots,
            limits=[
                "ml.limit.crossfit",
                "ml.limit.same_process",
                "ml.limit.interval_marginal",
            ],
            extra={
                "interval_90": self.oof_metrics_["interval_90"],
                "leaks": [dataclasses.asdict(lk) for lk in self.leaks_],
            },
        )
