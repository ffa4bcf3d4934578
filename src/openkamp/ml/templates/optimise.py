"""The "recommend process settings" standard model.

Given the current state of a process (the inputs nobody sets: material, wear, ambient), it
recommends values of the settings an operator controls (``controls``) that minimise the predicted
defect probability, or minimise / maximise a predicted quality value, within allowed ranges. The
prediction comes from a trained model, the *surrogate*: a
:class:`~openkamp.ml.templates.classify.ClassifyModel` when ``y`` is a label (the objective is
the calibrated probability of the defect class), a
:class:`~openkamp.ml.templates.regress.RegressModel` when ``y`` is a measured value.

A surrogate is a model of correlations in logged data, not of cause and effect, and it is only
worth anything where it saw data. So the search is kept where the data is:

* **Allowed ranges.** Each control stays within the user's ``bounds`` intersected with the range
  seen in training (quantiles ``support_quantile`` and ``1 - support_quantile``); ``max_change``
  limits the step from the current value.
* **Trust region.** In the standardised space of the surrogate's numeric inputs, a recommended
  row (its context with the new settings) must lie as close to its ``n_neighbors`` nearest
  training rows as ``trust_quantile`` of the training rows lie to theirs (or no farther than the
  current row already does): combinations of settings and state the process never ran are not
  recommended, even if each value alone is within its range.
* **Search.** Per row, seeded random samples of the allowed box (and the current settings), then
  a coordinate search with shrinking steps from the best; controls whose change does not help
  are put back to their current value, so a recommendation changes only what matters.
* **Validation.** ``fit`` also holds out the last fold of :func:`openkamp.ml.splits.choose_split`
  (the latest time block with ``time``, whole groups with ``groups``), fits a second surrogate on
  the rest, and recommends for the held-out rows: ``holdout_`` reports the improvement that
  surrogate predicts there. It is a prediction, not a measurement; only a trial on the process
  (or, in tests, the simulator's ground truth) measures it.

Inputs that the controls themselves change (e.g. injection pressure, which follows barrel
temperature through melt viscosity) must not be in ``X``: they would stay fixed at their current
values while the controls move, and the surrogate would predict a state that cannot occur.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.neighbors import NearestNeighbors

from openkamp.ml.card import ModelCard, Plot
from openkamp.ml.splits import choose_split, is_categorical_target, resolve
from openkamp.ml.tabular import feature_frame
from openkamp.ml.templates.classify import ClassifyModel
from openkamp.ml.templates.regress import RegressModel

__all__ = ["OptimiseModel"]

TRUST_ROWS = 20_000  # training rows (evenly spaced) that the trust region is measured against
GOALS = ("min", "max")


def allowed_ranges(
    df: pd.DataFrame,
    controls: list[str],
    bounds: Mapping[str, tuple[float | None, float | None]] | None,
    q: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per control, the user's bounds intersected with the ``q`` … ``1 - q`` training quantiles."""
    values = df[controls].to_numpy(dtype=np.float64)
    lo = np.nanquantile(values, q, axis=0)
    hi = np.nanquantile(values, 1 - q, axis=0)
    for j, c in enumerate(controls):
        b_lo, b_hi = (bounds or {}).get(c, (None, None))
        lo[j] = lo[j] if b_lo is None else max(lo[j], b_lo)
        hi[j] = hi[j] if b_hi is None else min(hi[j], b_hi)
        if not lo[j] <= hi[j]:
            raise ValueError(
                f"the bounds of '{c}' {(b_lo, b_hi)} do not overlap the range seen in training "
                f"({np.nanmin(values[:, j]):g} to {np.nanmax(values[:, j]):g})"
            )
    return lo, hi


class _Region:
    """Where recommendations may go: per-control ranges and the trust region of one surrogate."""

    def __init__(
        self,
        df: pd.DataFrame,
        controls: list[str],
        bounds: Mapping[str, tuple[float | None, float | None]] | None,
        numeric: list[str],
        q: float,
        n_neighbors: int,
        trust_quantile: float,
    ) -> None:
        lo, hi = allowed_ranges(df, controls, bounds, q)
        self.lo, self.hi = lo, hi
        self.numeric = numeric
        space = df[numeric].to_numpy(dtype=np.float64)
        space = space[:: max(1, len(space) // TRUST_ROWS)]
        self.center = np.nanmean(space, axis=0)
        self.scale = np.nanstd(space, axis=0)
        self.scale[~(self.scale > 0)] = 1.0
        self.ref = self._z(space)
        self.k = min(n_neighbors, len(self.ref) - 1)
        self.control_idx = np.array([numeric.index(c) for c in controls], dtype=np.int64)
        self.context_idx = np.array([j for j, c in enumerate(numeric) if c not in controls], dtype=np.int64)  # fmt: skip
        # Each training row's distance to its k nearest other rows (the first hit is itself).
        nn = NearestNeighbors(n_neighbors=self.k + 1).fit(self.ref)
        own = nn.kneighbors(self.ref)[0][:, 1:].mean(axis=1)
        self.threshold = float(np.quantile(own, trust_quantile))

    def _z(self, values: np.ndarray) -> np.ndarray:
        return np.nan_to_num((values - self.center) / self.scale)

    def near(self, frame: pd.DataFrame) -> _Near:
        """The training rows near each row's state, for fast distances of many settings."""
        z = self._z(frame[self.numeric].to_numpy(dtype=np.float64))
        return _Near(self, z)

    def distance(self, frame: pd.DataFrame) -> np.ndarray:
        """Mean distance of each row to its ``k`` nearest training rows (standardised inputs)."""
        z = self._z(frame[self.numeric].to_numpy(dtype=np.float64))
        return _Near(self, z).distance(z[:, None, self.control_idx])[:, 0]


class _Near:
    """Per row, the ``NEAR`` training rows closest in the state (non-control) inputs.

    A row's squared distance to a training row is the state part (fixed while the settings
    move) plus the control part; no row outside this set can be nearer than the farthest state
    part inside it, so the k nearest found here are exact whenever they are nearer than that,
    and otherwise an upper bound (the check errs on the side of caution).
    """

    NEAR = 256

    def __init__(self, region: _Region, z: np.ndarray) -> None:
        ref, ctx, k = region.ref, region.context_idx, region.k
        self.k = k
        near = min(self.NEAR, len(ref))
        self.state_d2 = np.empty((len(z), near))
        self.ref_controls = np.empty((len(z), near, len(region.control_idx)))
        for a in range(0, len(z), 256):
            b = min(a + 256, len(z))
            d2 = ((z[a:b, None, ctx] - ref[None, :, ctx]) ** 2).sum(axis=2)
            idx = np.argpartition(d2, near - 1, axis=1)[:, :near]
            self.state_d2[a:b] = np.take_along_axis(d2, idx, axis=1)
            self.ref_controls[a:b] = ref[:, region.control_idx][idx]
        self.region = region

    def distance(self, zc: np.ndarray) -> np.ndarray:
        """Mean distance to the k nearest training rows of settings ``zc`` (rows, s, controls),
        standardised: (rows, s)."""
        out = np.empty(zc.shape[:2])
        for a in range(0, len(zc), 64):
            b = min(a + 64, len(zc))
            d2 = self.state_d2[a:b, None, :] + (
                (zc[a:b, :, None, :] - self.ref_controls[a:b, None, :, :]) ** 2
            ).sum(axis=3)
            part = np.partition(d2, self.k - 1, axis=2)[:, :, : self.k]
            out[a:b] = np.sqrt(np.maximum(part, 0.0)).mean(axis=2)
        return out

    def z(self, settings: np.ndarray) -> np.ndarray:
        """Settings (rows, s, controls) in the standardised space."""
        r = self.region
        return (settings - r.center[r.control_idx]) / r.scale[r.control_idx]


class OptimiseModel(BaseEstimator):
    """Recommended settings of ``controls`` per state, from a surrogate model of the outcome.

    Parameters
    ----------
    controls : list of str
        Columns of ``X`` that an operator sets (numeric). All other columns are the state, kept
        as they are in :meth:`recommend`.
    bounds : dict or None
        Allowed range per control, ``{column: (low, high)}`` (None for an open side); always
        intersected with the range seen in training.
    goal : "min" or "max"
        Minimise or maximise the predicted outcome: the probability of the defect class (the
        surrogate's positive class) for a label, the value for a measured ``y``.
    surrogate : "auto", "classify", "regress", or an unfitted ClassifyModel / RegressModel
        "auto": ClassifyModel when ``y`` is a label (text, bool, integer with few values),
        RegressModel when it is a measured value. A given model is cloned with its parameters.
    time_budget_s : float
        Seconds the surrogate's candidate search may use.
    random_state : int
        Seed of the surrogate and the search.
    n_splits : int
        Folds of the surrogate's validation; the last one is the held-out part of ``holdout_``.
    max_change : dict or None
        Largest allowed change per control from its current value, ``{column: step}``.
    support_quantile : float
        Each control stays within its ``support_quantile`` … ``1 - support_quantile`` training
        quantiles.
    n_neighbors, trust_quantile : int, float
        The trust region (see the module docstring).
    n_samples : int
        Random candidate settings per row before the coordinate search.
    min_improvement : float
        A recommendation must improve the predicted outcome by at least this much; otherwise
        the current settings are kept.
    holdout_rows : int
        Held-out rows (evenly spaced) that ``holdout_`` recommends for.
    n_jobs : int or None
        Threads of the surrogate's learners.

    Attributes
    ----------
    surrogate_ : ClassifyModel or RegressModel
        Fitted on all rows; its ``card()`` holds its validation figures.
    bounds_ : dict
        The allowed range per control, ``{column: (low, high)}``.
    holdout_ : dict
        ``rows``, mean ``predicted_before`` / ``predicted_after`` / ``improvement`` on the
        held-out rows, ``changed_share`` (rows with a changed setting), per-control
        ``control_changed`` shares, and ``split``.
    holdout_recommendations_ : DataFrame
        What :meth:`recommend` gave for those rows (with the held-out surrogate).
    objective_ : "probability" or "value"
    feature_names_in_, n_features_in_, fit_seconds_
    """

    task = "optimise"

    def __init__(
        self,
        controls: list[str] | tuple[str, ...] = (),
        bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
        goal: str = "min",
        surrogate: Any = "auto",
        time_budget_s: float = 60.0,
        random_state: int = 0,
        n_splits: int = 5,
        max_change: dict[str, float] | None = None,
        support_quantile: float = 0.01,
        n_neighbors: int = 10,
        trust_quantile: float = 0.95,
        n_samples: int = 128,
        min_improvement: float = 0.0,
        holdout_rows: int = 500,
        n_jobs: int | None = None,
    ) -> None:
        self.controls = controls
        self.bounds = bounds
        self.goal = goal
        self.surrogate = surrogate
        self.time_budget_s = time_budget_s
        self.random_state = random_state
        self.n_splits = n_splits
        self.max_change = max_change
        self.support_quantile = support_quantile
        self.n_neighbors = n_neighbors
        self.trust_quantile = trust_quantile
        self.n_samples = n_samples
        self.min_improvement = min_improvement
        self.holdout_rows = holdout_rows
        self.n_jobs = n_jobs

    # -- training -----------------------------------------------------------------------------

    def _make_surrogate(self, y: np.ndarray) -> ClassifyModel | RegressModel:
        s = self.surrogate
        if isinstance(s, ClassifyModel | RegressModel):
            return clone(s)
        kw: dict[str, Any] = {
            "time_budget_s": self.time_budget_s,
            "random_state": self.random_state,
            "n_splits": self.n_splits,
            "n_jobs": self.n_jobs,
        }
        if s == "auto":
            numeric = y.dtype.kind in "fiu" and y.dtype.kind != "b"
            s = "regress" if numeric and not is_categorical_target(y) else "classify"
        if s == "classify":
            return ClassifyModel(**kw)
        if s == "regress":
            return RegressModel(**kw)
        raise ValueError(f"surrogate must be 'auto', 'classify', 'regress' or a model, got {s!r}")

    def fit(self, X: Any, y: Any, *, time: Any = None, groups: Any = None) -> OptimiseModel:
        """Fit the surrogate on ``X`` → ``y``, learn the allowed region, and validate the
        recommendations on a held-out fold. ``time`` / ``groups`` as in the surrogate's ``fit``."""
        started = _time.perf_counter()
        if self.goal not in GOALS:
            raise ValueError(f"goal must be one of {GOALS}, got {self.goal!r}")
        df = feature_frame(X)
        controls = list(self.controls)
        if not controls:
            raise ValueError("name the columns an operator sets in controls")
        missing = [c for c in controls if c not in df.columns]
        if missing:
            raise ValueError(f"controls {missing} are not columns of X")
        text = [c for c in controls if df[c].dtype.kind not in "biuf"]
        if text:
            raise ValueError(f"controls must be numeric; {text} are not")
        allowed_ranges(df, controls, self.bounds, self.support_quantile)  # fail early
        y_arr = np.asarray(y)
        if time is None and isinstance(df.index, pd.DatetimeIndex):
            time = "index"
        t, g = resolve(df, time, "time"), resolve(df, groups, "groups")

        self.surrogate_ = self._make_surrogate(y_arr).fit(df, y_arr, time=t, groups=g)
        self.objective_ = "probability" if isinstance(self.surrogate_, ClassifyModel) else "value"
        self._check_controls(self.surrogate_)
        self.feature_names_in_ = self.surrogate_.feature_names_in_
        self.n_features_in_ = self.surrogate_.n_features_in_
        self.region_ = self._region(df, self.surrogate_)
        self.bounds_ = {
            c: (float(lo), float(hi))
            for c, lo, hi in zip(controls, self.region_.lo, self.region_.hi, strict=True)
        }
        self._validate(df, y_arr, t, g)
        self.fit_seconds_ = round(_time.perf_counter() - started, 3)
        return self

    def _check_controls(self, surrogate: Any) -> None:
        unused = [c for c in self.controls if c not in surrogate.feature_names_in_]
        if unused:
            raise ValueError(
                f"controls {unused} are not inputs of the surrogate (dropped as leaks? "
                f"see surrogate_.dropped_: {surrogate.dropped_})"
            )

    def _region(self, df: pd.DataFrame, surrogate: Any) -> _Region:
        numeric = [c for c in surrogate.encoder_.numeric]
        return _Region(
            df,
            list(self.controls),
            self.bounds,
            numeric,
            self.support_quantile,
            self.n_neighbors,
            self.trust_quantile,
        )

    def _validate(
        self, df: pd.DataFrame, y: np.ndarray, t: np.ndarray | None, g: np.ndarray | None
    ) -> None:
        split = choose_split(
            df, y, time=t, groups=g, n_splits=self.n_splits, seed=self.random_state
        )
        train, test = split[-1]
        sur = clone(self.surrogate_).set_params(learners=self.surrogate_.params_["candidate"])
        sur.fit(
            df.iloc[train],
            y[train],
            time=None if t is None else t[train],
            groups=None if g is None else g[train],
        )
        self._check_controls(sur)
        region = self._region(df.iloc[train], sur)
        rows = test[np.linspace(0, len(test) - 1, min(self.holdout_rows, len(test))).astype(int)]
        rec = self._recommend(df.iloc[rows], sur, region, n=1)
        self.holdout_recommendations_ = rec
        changed = rec[[f"{c}_change" for c in self.controls]].to_numpy() != 0
        self.holdout_: dict[str, Any] = {
            "rows": len(rec),
            "predicted_before": float(rec["predicted_before"].mean()),
            "predicted_after": float(rec["predicted_after"].mean()),
            "improvement": float(rec["improvement"].mean()),
            "changed_share": float(changed.any(axis=1).mean()),
            "control_changed": {
                c: float(changed[:, j].mean()) for j, c in enumerate(self.controls)
            },
            "split": f"held-out fold {len(split)} of {split.describe()}",
        }

    # -- use ----------------------------------------------------------------------------------

    def recommend(self, X_context: Any, n: int = 1) -> pd.DataFrame:
        """Recommended settings for each row of ``X_context`` (the current state and settings).

        One row per context row and rank (``n`` alternatives, best first, index repeated), with
        the recommended value of each control, its ``<control>_current`` and ``<control>_change``,
        ``predicted_before`` / ``predicted_after`` (defect probability or value),
        ``improvement`` (positive is better, whatever the goal; negative only where the current
        settings break ``bounds`` and must change), ``changed`` (the controls that
        change, comma-separated) and ``distance`` to the training data (trust region).
        """
        df = feature_frame(X_context)
        missing = [c for c in self.feature_names_in_ if c not in df.columns]
        if missing:
            raise ValueError(f"missing feature columns: {missing}")
        return self._recommend(df, self.surrogate_, self.region_, n)

    def _outcome(self, surrogate: Any, frame: pd.DataFrame) -> np.ndarray:
        """The predicted outcome: the defect probability, or the value."""
        if isinstance(surrogate, ClassifyModel):
            k = int(np.flatnonzero(surrogate.classes_ == surrogate.pos_label_)[0])
            return surrogate.predict_proba(frame)[:, k]
        return surrogate.predict(frame)

    def _loss(self, surrogate: Any, frame: pd.DataFrame) -> np.ndarray:
        """What the search minimises: the raw score (monotone in the calibrated probability,
        and without the calibrator's flat steps) or the value, signed by the goal."""
        raw = (
            surrogate.decision_function(frame)
            if isinstance(surrogate, ClassifyModel)
            else surrogate.predict(frame)
        )
        return np.asarray(raw if self.goal == "min" else -raw, dtype=np.float64)

    def _recommend(self, df: pd.DataFrame, surrogate: Any, region: _Region, n: int) -> pd.DataFrame:
        controls = list(self.controls)
        m, d = len(df), len(controls)
        current = df[controls].to_numpy(dtype=np.float64)
        lo = np.broadcast_to(region.lo, (m, d)).copy()
        hi = np.broadcast_to(region.hi, (m, d)).copy()
        steps = np.array([(self.max_change or {}).get(c, np.inf) for c in controls], dtype=float)
        lo = np.maximum(lo, current - steps)
        hi = np.minimum(hi, current + steps)
        # A current value outside the allowed range, farther than one step, leaves an empty box:
        # one step towards the range (the step limit is a hard one).
        empty = lo > hi
        toward = np.clip(np.clip(current, region.lo, region.hi), current - steps, current + steps)
        lo[empty], hi[empty] = toward[empty], toward[empty]
        rng = np.random.default_rng(self.random_state)
        base = df.reset_index(drop=True)
        near = region.near(base)
        here = near.distance(near.z(current)[:, None, :])[:, 0]
        limit = np.maximum(region.threshold, here)  # never leave the support further

        def evaluate(settings: np.ndarray) -> np.ndarray:
            """Loss of settings (m, s, d); +inf outside the trust region."""
            s = settings.shape[1]
            frame = base.iloc[np.repeat(np.arange(m), s)].reset_index(drop=True)
            frame[controls] = settings.reshape(m * s, d)
            loss = self._loss(surrogate, frame).reshape(m, s)
            far = near.distance(near.z(settings)) > limit[:, None] + 1e-9
            return np.where(far, np.inf, loss)

        now = self._loss(surrogate, base)
        u = rng.random((m, self.n_samples, d))
        samples = lo[:, None, :] + u * (hi - lo)[:, None, :]
        loss = evaluate(samples)
        # Start from the n best distinct samples; the current settings compete as they are.
        order = np.argsort(loss, axis=1)[:, :n]
        best = np.take_along_axis(samples, order[:, :, None], axis=1)  # (m, n, d)
        best_loss = np.take_along_axis(loss, order, axis=1)
        width = hi - lo
        for r in range(6):
            step = width * 0.15 / 2**r
            for j in range(d):
                for sign in (-1.0, 1.0):
                    trial = best.copy()
                    trial[:, :, j] = np.clip(
                        trial[:, :, j] + sign * step[:, None, j], lo[:, None, j], hi[:, None, j]
                    )
                    tl = evaluate(trial.reshape(m, -1, d).copy())
                    better = tl < best_loss
                    best[better], best_loss[better] = trial[better], tl[better]
        # The user's bounds are hard limits (the range seen in training is not): where current
        # settings break them, they must change.
        legal = np.ones((m, d), dtype=bool)
        for j, c in enumerate(controls):
            b_lo, b_hi = (self.bounds or {}).get(c, (None, None))
            legal[:, j] = (b_lo is None or current[:, j] >= b_lo) & (b_hi is None or current[:, j] <= b_hi)  # fmt: skip
        inside = np.asarray(legal.all(axis=1), dtype=bool)
        # Put back controls whose change does not help (fewer changes for the same prediction).
        for j in range(d):
            trial = best.copy()
            trial[:, :, j] = current[:, None, j]
            tl = evaluate(trial)
            keep = (tl <= best_loss) & legal[:, None, j]
            best[keep], best_loss[keep] = trial[keep], tl[keep]
        # Keep the current settings unless a recommendation is predicted to be better.
        stay = ~(best_loss < now[:, None]) & inside[:, None]
        best[stay] = np.broadcast_to(current[:, None, :], best.shape)[stay]
        return self._table(df, surrogate, region, current, best, inside)

    def _table(
        self,
        df: pd.DataFrame,
        surrogate: Any,
        region: _Region,
        current: np.ndarray,
        best: np.ndarray,
        inside: np.ndarray,
    ) -> pd.DataFrame:
        controls = list(self.controls)
        m, n, d = best.shape
        before = self._outcome(surrogate, df)
        frame = df.iloc[np.repeat(np.arange(m), n)].copy()
        frame[controls] = best.reshape(m * n, d)
        after = self._outcome(surrogate, frame)
        gain = (np.repeat(before, n) - after) * (1 if self.goal == "min" else -1)
        # Too small a gain is not worth a change of settings.
        small = (gain < max(self.min_improvement, 0.0) + 1e-12) & np.repeat(inside, n)
        frame.loc[small, controls] = np.repeat(current, n, axis=0)[small]
        after = np.where(small, np.repeat(before, n), after)
        gain = np.where(small, 0.0, gain)
        out = pd.DataFrame(index=frame.index)
        out["rank"] = np.tile(np.arange(1, n + 1), m)
        changes = frame[controls].to_numpy() - np.repeat(current, n, axis=0)
        for j, c in enumerate(controls):
            out[c] = frame[c].to_numpy()
            out[f"{c}_current"] = np.repeat(current[:, j], n)
            out[f"{c}_change"] = changes[:, j]
        out["predicted_before"] = np.repeat(before, n)
        out["predicted_after"] = after
        out["improvement"] = gain
        out["changed"] = [",".join(c for c, x in zip(controls, row, strict=True) if x != 0) for row in changes]  # fmt: skip
        out["distance"] = region.distance(frame)
        return out

    def card(self) -> ModelCard:
        """The surrogate's validation figures and the predicted improvement on held-out rows."""
        sc = self.surrogate_.card()
        h = self.holdout_
        shares: dict[str, float] = h["control_changed"]
        metrics: dict[str, float] = {
            **sc.metrics,
            "predicted_before": h["predicted_before"],
            "predicted_after": h["predicted_after"],
            "predicted_improvement": h["improvement"],
            "changed_share": h["changed_share"],
        }
        rec = self.holdout_recommendations_
        plots = [
            Plot(
                "scatter",
                "ml.plot.before_after",
                rec[["predicted_before", "predicted_after"]].reset_index(drop=True),
                x="predicted_before",
                y=["predicted_after"],
                diagonal=True,
            ),
            Plot(
                "bar",
                "ml.plot.controls_changed",
                pd.DataFrame(
                    {"control": list(shares), "share": list(shares.values())}
                ),
                x="control",
                y=["share"],
            ),
            *sc.plots,
        ]  # fmt: skip
        return ModelCard(
            task=self.task,
            method={
                "surrogate": self.surrogate_.task,
                **sc.method,
                "controls": list(self.controls),
                "goal": self.goal,
            },
            protocol=sc.protocol,
            metrics=metrics,
            metric_ci=dict(sc.metric_ci),
            leaderboard=list(sc.leaderboard),
            importance=sc.importance,
            features=list(sc.features),
            dropped=dict(sc.dropped),
            target=sc.target,
            rows=sc.rows,
            plots=plots,
            limits=[
                "ml.limit.surrogate_not_causal",
                "ml.limit.support_only",
                "ml.limit.state_fixed",
                "ml.limit.predicted_improvement",
                *sc.limits,
            ],
            fit_seconds=self.fit_seconds_,
            extra={
                "bounds": dict(self.bounds_),
                "objective": self.objective_,
                "trust_threshold": self.region_.threshold,
                "holdout": dict(h),
                "surrogate": sc.extra,
            },
        )
