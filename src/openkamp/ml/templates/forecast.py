"""The "forecast the next hours or days" standard model.

Trained on the history of one signal or production quantity (melt temperature, shots per hour,
energy per shift), it forecasts the next ``horizon`` steps with an interval, and says on its own
past whether it beats the simple rules a planner would use anyway.

Protocol (no look-ahead by construction):

* **Regular steps.** ``y`` (a Series with a DatetimeIndex) is put on a regular grid of ``freq``
  (inferred when None): ``agg="mean"`` for signals (gaps interpolated), ``"sum"`` / ``"count"`` for
  quantities and events (an empty step is 0 — shots per hour: ``agg="count"``, ``freq="1h"``).
* **Seasons** (:func:`detect_seasons`): daily and weekly periods, when ``freq`` makes them whole
  steps, and the strongest other autocorrelation peak; each kept when the autocorrelation of the
  detrended series there is a clear peak (≥ 0.3).
* **Candidates.** Baselines — naive (last value), seasonal naive (per season), mean (of the last
  season), drift (level change between the last two seasons) — and learners on lag features:
  ridge (one per step) and LightGBM (one model for all steps). Both learners are *direct*: every
  row is (origin, step ``h``) with features known at the origin (lags, rolling statistics, the
  same phase in the last seasons, relative to the mean of the last season), the calendar and
  exogenous values of the target time, and ``h``; the target is the value ``h`` steps ahead
  relative to the same mean. Direct forecasts do not feed their own errors back as inputs (as
  recursive ones do), train on exactly what they are used for, and need one fit, not ``horizon``.
  The relative target lets trees follow levels and trends they never saw.
* **Rolling-origin backtests** (never a random split): forecast origins in the last
  ``max(n_backtests · horizon, longest season)`` steps (so a weekly pattern is tested on every
  day of the week; at most ``n_backtests · horizon`` origins, evenly spaced) are split into
  ``n_backtests`` blocks; for each block a model is fitted on everything before it (expanding
  window) and forecasts ``horizon`` steps from every origin in the block. Seasons are detected
  on the whole history (a choice of the feature set, like ``horizon``).
  All candidates are scored on the same forecasts: MAE, RMSE, MASE (MAE relative to the seasonal
  naive forecast of the same backtests), sMAPE and WAPE, with bootstrap intervals over origins.
  The lowest MAE wins — a baseline when no learner beats it.
* **Intervals** are empirical (split-conformal): quantiles of the winner's backtest errors per
  step ``h``, added to the forecast. ``coverage`` in the card is honest: each block is covered by
  quantiles of the other blocks' errors.

A fitted model keeps the recent history it needs (``history_``); :meth:`ForecastModel.update`
appends newer data and :meth:`ForecastModel.predict` (``history=``) forecasts from any newer data
without refitting, which is how a model from the registry is scored on newly stored data.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from openkamp.ml.card import ModelCard, Plot
from openkamp.ml.forecast_features import (
    AGGS,
    BASELINES,
    CALENDAR,
    METRICS,
    Spec,
    baseline,
    design,
    detect_seasons,
    error_quantiles,
    infer_step,
    mase,
    regularise,
    step_seconds,
)
from openkamp.ml.metrics import bootstrap_ci

__all__ = ["AGGS", "BASELINES", "LEARNERS", "PROTOCOL_KIND", "ForecastModel", "feature_words"]

LEARNERS = ("ridge", "lgbm")
"""Names accepted in ``ForecastModel(learners=[...])``; the baselines are always compared."""

PROTOCOL_KIND = "rolling-origin backtest"
"""The card's ``protocol_kind`` (``ml.report`` explains it in words)."""

#: Features of :func:`openkamp.ml.forecast_features.design` → i18n key (``lag3`` → ``lag``, n=3).
_FEATURES = re.compile(
    r"^(?:(?P<own>step|mean_short|level|sd_window|hour|dow|month)|lag(?P<lag>\d+)"
    r"|(?P<season>last|mean|phase)_s(?P<s>\d+)|x\d+_(?P<exog>.+))$"
)


def feature_words(name: str, exog: Any = ()) -> tuple[str, dict[str, Any]] | None:
    """What a feature this template builds is, for people: the i18n key and its parameters
    (``signal`` is an exogenous column, shown by its display name: ``exog`` are the model's
    exogenous columns, the card's ``method["exog"]``); None for other names.

    ``lag3`` → (``ml.feature.lag``, {n: 3}); ``mean_s24`` → (``ml.feature.season_mean``, {n: 24}).
    """
    m = _FEATURES.match(name)
    if m is None:
        return None
    if m["own"]:
        return f"ml.feature.{m['own']}", {}
    if m["lag"]:
        return "ml.feature.lag", {"n": int(m["lag"])}
    if m["season"]:
        return f"ml.feature.season_{m['season']}", {"n": int(m["s"])}
    j = int(name[1 : name.index("_")])
    column = exog[j] if j < len(exog) else m["exog"]  # the column as named, not as sanitised
    return "ml.feature.exog", {"signal": str(column)}


class StepRidge(BaseEstimator):
    """One ridge regression per forecast step (direct multi-step): column 0 of ``Z`` is the step.

    The preprocessing is shared by all steps (fitted once), so each step is one small linear
    solve: a few milliseconds instead of a pipeline fit per step.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, Z: np.ndarray, y: np.ndarray) -> StepRidge:
        step, Z, y = Z[:, 0], Z[:, 1:], np.asarray(y)
        self.models_ = {
            int(h): Ridge(alpha=self.alpha).fit(Z[step == h], y[step == h]) for h in np.unique(step)
        }
        return self

    def predict(self, Z: np.ndarray) -> np.ndarray:
        step, Z = Z[:, 0].astype(int), Z[:, 1:]
        out = np.empty(len(Z))
        for h in np.unique(step):
            out[step == h] = self.models_[int(h)].predict(Z[step == h])
        return out


def _learner(name: str, columns: list[str], seed: int) -> Any:
    if name == "ridge":
        # Calendar and phases one-hot (a linear model cannot use "hour = 13" as a number).
        onehot = [c for c in columns if c in CALENDAR or c.startswith("phase_")]
        numeric = [c for c in columns if c not in onehot and c != "step"]
        impute = SimpleImputer(strategy="constant", fill_value=0.0, keep_empty_features=True)
        prep = ColumnTransformer(
            [
                ("step", "passthrough", ["step"]),
                ("cal", OneHotEncoder(handle_unknown="ignore", sparse_output=False), onehot),
                ("num", make_pipeline(impute, StandardScaler()), numeric),
            ]
        )
        return Pipeline([("prep", prep), ("ridge", StepRidge(alpha=1.0))])
    from lightgbm import LGBMRegressor

    # Small trees, few rounds: the relative target leaves little structure to learn, and fits
    # run once per backtest block on shared cores.
    return LGBMRegressor(
        n_estimators=200, learning_rate=0.08, num_leaves=15, min_child_samples=20,
        subsample=0.8, subsample_freq=1, colsample_bytree=0.8, max_bin=63,
        n_jobs=1, random_state=seed, verbose=-1,
    )  # fmt: skip


class ForecastModel(BaseEstimator):
    """Forecast of the next ``horizon`` steps of one series, with an interval.

    Parameters
    ----------
    horizon : int
        Steps forecast ahead (of ``freq``); ``predict`` may ask for fewer.
    freq : str or None
        The step (``"1h"``, ``"15min"``, ``"1D"``); None: inferred (see :func:`infer_step`). Pass
        it for event data (one row per shot), whose spacing says nothing about the step wanted.
    agg : "mean", "sum", "count", "last", "max", "min"
        How the values within a step become one: ``mean`` for signals (a temperature), ``sum``
        for quantities (parts made, kWh), ``count`` for events (rows per step: shots per hour).
    time_budget_s : float
        Seconds the learners may use; the baselines are always compared.
    random_state : int
        Seeds the learners.
    learners : "auto" or list of names from :data:`LEARNERS`
        Learners compared with the baselines; ``"auto"`` is all of them.
    level : float
        Nominal coverage of the interval ``lo`` .. ``hi``.
    n_backtests : int
        Blocks of the rolling-origin backtest (one expanding-window refit each), each ``horizon``
        origins long.
    lags : "auto" or int
        Past steps used as features; ``"auto"``: ``horizon`` within 12 .. 48.
    seasons : "auto" or list of int
        Seasonal periods in steps; ``"auto"``: :func:`detect_seasons`.
    max_rows : int
        Each learner fits on at most about this many (origin, step) rows (every k-th origin).

    Attributes
    ----------
    leaderboard_ : list of dict
        Candidates, best first: ``learner``, ``kind`` (baseline or learner), backtest ``mae``,
        ``rmse``, ``mase``, ``smape``, ``wape``, ``seconds``.
    chosen_ : str
        The candidate with the lowest backtest MAE, used by ``predict``.
    backtest_ : dict
        The chosen candidate's figures with 95 % bootstrap intervals (``<name>_ci``) over
        origins, ``coverage`` of its intervals, ``origins``, ``reference``.
    history_ : pandas.Series
        The recent regular history that ``predict`` forecasts from (see :meth:`update`).
    """

    task = "forecast"

    def __init__(
        self,
        horizon: int = 24,
        freq: str | None = None,
        agg: str = "mean",
        time_budget_s: float = 60.0,
        random_state: int = 0,
        learners: Any = "auto",
        level: float = 0.9,
        n_backtests: int = 5,
        lags: Any = "auto",
        seasons: Any = "auto",
        max_rows: int = 20_000,
    ) -> None:
        self.horizon = horizon
        self.freq = freq
        self.agg = agg
        self.time_budget_s = time_budget_s
        self.random_state = random_state
        self.learners = learners
        self.level = level
        self.n_backtests = n_backtests
        self.lags = lags
        self.seasons = seasons
        self.max_rows = max_rows

    # -- training -----------------------------------------------------------------------------

    def _names(self) -> list[str]:
        if isinstance(self.learners, str) and self.learners == "auto":
            return list(LEARNERS)
        names = [self.learners] if isinstance(self.learners, str) else list(self.learners)
        unknown = [n for n in names if n not in LEARNERS]
        if unknown:
            raise ValueError(f"unknown learners {unknown}; choose from {list(LEARNERS)}")
        return names

    def _spec(self, v: np.ndarray, step: str, exog: list[str]) -> Spec:
        H, K = int(self.horizon), int(self.n_backtests)
        if H < 1 or K < 1:
            raise ValueError("horizon and n_backtests must be at least 1")
        n = len(v)
        # Training needs origins before the backtests, each with a full season behind it.
        if isinstance(self.seasons, str) and self.seasons == "auto":
            found = detect_seasons(v, step)
            self.season_acf_ = {
                p: round(a, 3) for p, a in found if p + max(K * H, p) + 2 * H - 1 <= n
            }
            seasons = list(self.season_acf_)
        else:
            seasons = [int(s) for s in self.seasons]
            if any(s < 2 for s in seasons):
                raise ValueError(f"seasons must be periods of at least 2 steps, got {self.seasons}")
            self.season_acf_ = dict.fromkeys(seasons, float("nan"))
        lags = min(48, max(12, H)) if self.lags == "auto" else int(self.lags)
        sec = step_seconds(step)
        wanted = (sec < 86_400, sec < 604_800, sec >= 86_400)
        calendar = [c for c, ok in zip(CALENDAR, wanted, strict=True) if ok]
        window = max(seasons) if seasons else max(2, min(H, 24))
        spec = Spec(H, max(1, lags), window, seasons, step, calendar, exog)
        required = spec.first + max(K * H, spec.window) + 2 * H - 1
        if n < required:
            raise ValueError(
                f"the history has {n} steps of {step}; forecasting {H} steps with {K} backtests "
                f"needs at least {required}: give more history, a shorter horizon or fewer "
                "n_backtests"
            )
        return spec

    def _exog(self, X: Any, index: pd.DatetimeIndex) -> tuple[np.ndarray | None, list[str]]:
        if X is None:
            return None, []
        if not isinstance(X, pd.DataFrame) or not isinstance(X.index, pd.DatetimeIndex):
            raise TypeError("X must be a DataFrame with a DatetimeIndex (values known in advance)")
        Xr = X.apply(pd.to_numeric, errors="coerce").resample(self.freq_).mean()
        Xr = Xr.reindex(index).ffill().bfill()
        empty = [str(c) for c in Xr.columns if Xr[c].isna().all()]
        if empty:
            raise ValueError(f"exogenous columns without values over the history: {empty}")
        return Xr.to_numpy(dtype=np.float64), [str(c) for c in Xr.columns]

    def fit(self, y: Any, X: Any = None, *, end: Any = None) -> ForecastModel:
        """Learn from the history ``y`` (a Series with a DatetimeIndex, or a one-column frame).

        ``X``: exogenous columns known in advance (planned schedule, calendar of shifts), a
        DataFrame with a DatetimeIndex over the history; ``predict`` then needs ``X_future``.
        ``end``: the end of the observation period when it lies after the last row (with
        ``agg="sum"``/``"count"``, the steps after the last event are zeros, not missing).
        """
        # One thread: the fits are small and this machine's cores are shared.
        with threadpool_limits(limits=1):
            return self._fit(y, X, end)

    def _fit(self, y: Any, X: Any, end: Any) -> ForecastModel:
        started = time.perf_counter()
        names = self._names()
        if isinstance(y, pd.Series | pd.DataFrame) and len(y) == 0:
            raise ValueError("y is empty")
        if isinstance(y, pd.Series | pd.DataFrame) and isinstance(y.index, pd.DatetimeIndex):
            self.freq_ = self.freq or infer_step(y.sort_index().index)
        else:
            raise TypeError(
                "y must be a pandas Series with a DatetimeIndex (timestamps of the values)"
            )
        if not 0 < float(self.level) < 1:
            raise ValueError(f"level must lie between 0 and 1, got {self.level!r}")
        series = regularise(y, self.freq_, self.agg, end)
        v = series.to_numpy()
        E, exog = self._exog(X, series.index)
        spec = self.spec_ = self._spec(v, self.freq_, exog)
        n, H, K, seed = len(v), spec.horizon, int(self.n_backtests), int(self.random_state)
        self.nonneg_ = bool(v.min() >= 0)
        times = series.index.append(self._future(series.index[-1], H))
        E_ext = None if E is None else np.vstack([E, np.full((H, E.shape[1]), np.nan)])

        zone = max(K * H, spec.window)  # the backtests span at least one longest season
        every = math.ceil(zone / (K * H))
        origins = np.arange(n - H, n - H - zone, -every)[::-1]
        blocks = np.array_split(origins, K)
        actual = v[origins[:, None] + np.arange(H)[None, :]]
        self.reference_ = f"seasonal_naive_{spec.seasons[0]}" if spec.seasons else "naive"
        forecasts: dict[str, np.ndarray] = {}
        board: list[dict[str, Any]] = []
        for name in ["naive", *[f"seasonal_naive_{s}" for s in spec.seasons], "mean", "drift"]:
            t0 = time.perf_counter()
            forecasts[name] = baseline(name, v, origins, spec, H)
            board.append({"learner": name, "kind": "baseline", "seconds": time.perf_counter() - t0})

        # Training rows: every k-th origin (anchored at the end), all steps; a fold keeps the
        # rows whose target lies before its first origin.
        first = spec.first
        stride = max(1, math.ceil((n - first) * H / max(1, int(self.max_rows))))
        train_o = np.arange(n - 1, first - 1, -stride)[::-1]
        F_all, b_all, tgt_all = design(v, times, E_ext, train_o, spec, H)
        target = np.where(tgt_all < n, v[np.minimum(tgt_all, n - 1)], np.nan) - b_all
        for name in names:
            if time.perf_counter() - started > float(self.time_budget_s):
                break  # budget spent: the leaderboard says what was tried
            t0 = time.perf_counter()
            parts = []
            for block in blocks:
                rows = tgt_all < block[0]
                est = _learner(name, list(F_all.columns), seed).fit(F_all[rows], target[rows])
                parts.append(self._forecast(est, v, times, E_ext, block, H))
            forecasts[name] = np.vstack(parts)
            board.append({"learner": name, "kind": "learner", "seconds": time.perf_counter() - t0})

        ref = forecasts[self.reference_].ravel()
        a = actual.ravel()
        for row in board:
            f = forecasts[row["learner"]].ravel()
            row.update({k: fn(a, f) for k, fn in METRICS.items()})
            row["mase"] = mase(np.c_[a, f], ref)
            row["seconds"] = round(row["seconds"], 3)
        self.leaderboard_ = sorted(board, key=lambda r: (r["mae"], r["kind"] == "learner"))
        self.chosen_ = str(self.leaderboard_[0]["learner"])

        chosen = forecasts[self.chosen_]
        resid = actual - chosen
        self.q_lo_, self.q_hi_ = error_quantiles(resid, float(self.level))
        covered = np.zeros(resid.shape, dtype=bool)
        at = 0
        for block in blocks:
            rows = np.zeros(len(origins), dtype=bool)
            rows[at : at + len(block)] = True
            lo, hi = error_quantiles(resid[~rows], float(self.level))
            covered[rows] = (resid[rows] >= lo) & (resid[rows] <= hi)
            at += len(block)
        groups = np.repeat(np.arange(len(origins)), H)
        f = chosen.ravel()
        bt: dict[str, Any] = {k: fn(a, f) for k, fn in METRICS.items()}
        bt["mase"] = mase(np.c_[a, f], ref)
        for k in ("mae", "rmse", "wape"):
            bt[f"{k}_ci"] = bootstrap_ci(METRICS[k], a, f, groups=groups, seed=seed)
        bt["mase_ci"] = bootstrap_ci(mase, np.c_[a, f], ref, groups=groups, seed=seed)
        bt["coverage"] = float(covered.mean())
        bt["origins"] = len(origins)
        bt["zone"] = int(zone)
        bt["every"] = int(every)
        self.backtest_ = bt
        self.backtest_steps_ = pd.DataFrame(
            {
                "step": np.arange(1, H + 1),
                "mae": np.mean(np.abs(resid), axis=0),
                "mae_reference": np.mean(np.abs(actual - forecasts[self.reference_]), axis=0),
            }
        )
        last = origins[-1]
        ctx = np.arange(max(0, last - H), last + H)
        self.backtest_last_ = pd.DataFrame(
            {
                "time": series.index[ctx],
                "actual": v[ctx],
                "forecast": np.r_[np.full(last - ctx[0], np.nan), chosen[-1]],
                "lo": np.r_[np.full(last - ctx[0], np.nan), self._clip(chosen[-1] + self.q_lo_)],
                "hi": np.r_[np.full(last - ctx[0], np.nan), chosen[-1] + self.q_hi_],
            }
        )

        self.model_: Any = None
        if self.chosen_ in LEARNERS:
            rows = tgt_all < n
            self.model_ = _learner(self.chosen_, list(F_all.columns), seed).fit(
                F_all[rows], target[rows]
            )
        self.feature_names_ = list(F_all.columns)
        self.history_ = series.iloc[-spec.need :]
        self.n_steps_ = n
        self.fit_seconds_ = round(time.perf_counter() - started, 2)
        return self

    def _future(self, last: pd.Timestamp, steps: int) -> pd.DatetimeIndex:
        return pd.date_range(last, periods=steps + 1, freq=self.freq_)[1:]

    def _clip(self, f: np.ndarray) -> np.ndarray:
        return np.maximum(f, 0.0) if self.nonneg_ else f

    def _forecast(
        self,
        est: Any,
        v: np.ndarray,
        times: pd.DatetimeIndex,
        E: np.ndarray | None,
        origins: np.ndarray,
        H: int,
    ) -> np.ndarray:
        """Forecasts (origins × steps) of a fitted learner, or of the baseline named ``est``."""
        if isinstance(est, str):
            return baseline(est, v, origins, self.spec_, H)
        F, b, _ = design(v, times, E, origins, self.spec_, H)
        return self._clip(est.predict(F) + b).reshape(len(origins), H)

    # -- use ----------------------------------------------------------------------------------

    def _check(self) -> None:
        if not hasattr(self, "history_"):
            raise ValueError("this ForecastModel is not fitted yet; call fit first")

    def update(self, y_new: Any, *, end: Any = None) -> ForecastModel:
        """Append newer observations to ``history_`` (no refit): ``predict`` then forecasts from
        their end. Steps given again replace the stored ones; pass whole steps (a half-filled
        hour of ``count`` data reads as a slow hour)."""
        self._check()
        new = regularise(y_new, self.freq_, self.agg, end)
        both = new.combine_first(self.history_).asfreq(self.freq_)
        both = both.fillna(0.0) if self.agg in ("sum", "count") else both.interpolate("time")
        self.history_ = both.iloc[-self.spec_.need :]
        return self

    def predict(
        self,
        horizon: int | None = None,
        X_future: Any = None,
        *,
        history: Any = None,
        end: Any = None,
        steps: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Forecast from the end of ``history`` (default: ``history_``).

        Returns a DataFrame indexed by the next ``horizon`` timestamps with ``forecast``, ``lo``
        and ``hi`` (the interval at ``level``). ``history``: newer data (a Series like ``y`` in
        fit; its last ``spec_.need`` steps are read), e.g. the latest stored readings of a model
        loaded from the registry. ``X_future``: the exogenous columns over the forecast steps.
        ``steps``: the history already on the model's grid (what ``regularise`` makes of it,
        e.g. a long period summarised piece by piece by ``StepAccumulator``) instead of
        ``history``.
        """
        self._check()
        H = self.spec_.horizon if horizon is None else int(horizon)
        if not 1 <= H <= self.spec_.horizon:
            raise ValueError(
                f"horizon must lie in 1..{self.spec_.horizon} (the fitted horizon); refit for more"
            )
        if steps is not None:
            hist = steps.iloc[-self.spec_.need :]
        elif history is None:
            hist = self.history_
        else:
            hist = regularise(history, self.freq_, self.agg, end).iloc[-self.spec_.need :]
        if len(hist) < self.spec_.first:
            raise ValueError(
                f"history has {len(hist)} steps; forecasting needs at least {self.spec_.first}"
            )
        v = hist.to_numpy(dtype=np.float64)
        future = self._future(hist.index[-1], H)
        E = None
        if self.spec_.exog:
            E = np.vstack(
                [np.full((len(v), len(self.spec_.exog)), np.nan), self._x_future(X_future, future)]
            )
        est = self.model_ if self.model_ is not None else self.chosen_
        with threadpool_limits(limits=1):
            f = self._forecast(est, v, hist.index.append(future), E, np.array([len(v)]), H)[0]
        return pd.DataFrame(
            {
                "forecast": self._clip(f),
                "lo": self._clip(f + self.q_lo_[:H]),
                "hi": self._clip(f + self.q_hi_[:H]),
            },
            index=pd.DatetimeIndex(future, name="timestamp"),
        )

    def _x_future(self, X_future: Any, future: pd.DatetimeIndex) -> np.ndarray:
        cols = self.spec_.exog
        if not isinstance(X_future, pd.DataFrame) or not isinstance(
            X_future.index, pd.DatetimeIndex
        ):
            raise ValueError(
                f"this model uses exogenous columns {cols}: pass X_future over the forecast steps"
            )
        missing = [c for c in cols if c not in X_future.columns]
        if missing:
            raise ValueError(f"X_future lacks columns {missing}")
        Xf = X_future[cols].apply(pd.to_numeric, errors="coerce").resample(self.freq_).mean()
        Xf = Xf.reindex(future)
        if Xf.isna().any().any():
            gaps = list(Xf.index[Xf.isna().any(axis=1)][:3])
            raise ValueError(
                f"X_future has no values at {gaps} …: it must cover every forecast step"
            )
        return Xf.to_numpy(dtype=np.float64)

    # -- reports ------------------------------------------------------------------------------

    def card(self) -> ModelCard:
        """What this model says about itself for reports (rolling-origin backtests only)."""
        self._check()
        bt, spec = self.backtest_, self.spec_
        metrics = {k: float(bt[k]) for k in ("mae", "rmse", "mase", "smape", "wape", "coverage")}
        cis = {
            k: (float(bt[f"{k}_ci"][0]), float(bt[f"{k}_ci"][1]))
            for k in ("mae", "rmse", "mase", "wape")
        }
        plots = [
            Plot("line", "ml.plot.forecast_backtest", self.backtest_last_, x="time",
                 y=["actual", "forecast", "lo", "hi"]),
            Plot("line", "ml.plot.error_by_step", self.backtest_steps_, x="step",
                 y=["mae", "mae_reference"]),
        ]  # fmt: skip
        importance = None
        if hasattr(self.model_, "feature_importances_"):
            imp = np.asarray(self.model_.feature_importances_, dtype=np.float64)
            importance = pd.Series(imp / max(imp.sum(), 1e-12), index=self.feature_names_)
            importance = importance.sort_values(ascending=False)
        limits = ["ml.limit.forecast_pattern_change", "ml.limit.forecast_interval_average"]
        if spec.exog:
            limits.append("ml.limit.forecast_exog_known")
        if self.chosen_ not in LEARNERS:
            limits.append("ml.limit.forecast_baseline_chosen")
        baselines = [r["learner"] for r in self.leaderboard_ if r["kind"] == "baseline"]
        return ModelCard(
            task=self.task,
            method={
                "learner": self.chosen_,
                "strategy": "direct" if self.chosen_ in LEARNERS else "baseline",
                "seasons": list(spec.seasons),
                "lags": spec.lags,
                "window": spec.window,
                **({"exog": list(spec.exog)} if spec.exog else {}),
            },
            protocol=(
                f"rolling-origin backtest: {bt['origins']} forecast origins (every {bt['every']} "
                f"steps of {self.freq_} over the last {bt['zone'] + spec.horizon - 1} steps), "
                f"{self.n_backtests} expanding-window refits, each origin forecasting "
                f"{spec.horizon} steps"
            ),
            protocol_kind=PROTOCOL_KIND,
            metrics=metrics,
            metric_ci=cis,
            leaderboard=list(self.leaderboard_),
            importance=importance,
            features=list(self.feature_names_),
            target=None,
            rows=self.n_steps_,
            rows_unit="steps",
            plots=plots,
            limits=limits,
            fit_seconds=self.fit_seconds_,
            extra={
                "freq": self.freq_,
                "agg": self.agg,
                "horizon": spec.horizon,
                "level": float(self.level),
                "season_acf": dict(self.season_acf_),
                "reference": self.reference_,
                "best_baseline": baselines[0],
                "beats_baselines": self.chosen_ in LEARNERS,
            },
        )
