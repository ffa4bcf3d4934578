"""The "predict defects / failures" standard model.

Trained on a table of process parameters or condition features with a known outcome per row
(OK/NG per shot, failure per machine-hour, defect type per part), it gives calibrated
probabilities, alarms at a threshold set by the cost of a missed defect, and says which inputs
drive each prediction.

Protocol (leakage-safe by construction):

1. :func:`openkamp.ml.leakage.find_leaks` checks every column; copies of the label and columns
   that alone predict it perfectly are dropped (``drop_leaks``), and all findings are kept in
   ``leaks_``.
2. Evaluation folds come from :func:`openkamp.ml.splits.choose_split`: group k-fold when
   ``groups`` (lot, unit, run) are given, forward-chaining time splits when ``time`` is given,
   stratified k-fold otherwise.
3. Candidates (logistic regression with scaling and class weights, a class-balanced random forest,
   LightGBM with a few parameter sets, some weighted for the rare class) are compared by
   out-of-fold PR-AUC within ``time_budget_s`` → ``leaderboard_``; the best is refitted on all rows.
4. Probabilities are calibrated (isotonic with enough positives, else sigmoid; a sigmoid that
   would fall is replaced by the base rate) on the best candidate's out-of-fold predictions; the
   decision threshold maximises F1 on them (a balance of missed defects and false alarms that
   needs no invented cost ratio), or minimises ``cost_fn * FN + FP`` when a cost is given; a
   person moves it on the trade-off view (:mod:`openkamp.ml.tradeoff`). These are the
   deployed pieces.
5. Their figures are **cross-fitted** (:meth:`ClassifyModel._cross_fitted`): each evaluation part
   is scored with a candidate, a calibrator and a threshold chosen on the *other* parts only, so
   no piece fitted on a row's label decides how that row is scored. ``oof_metrics_`` reports
   PR-AUC, ROC-AUC, and F1 / precision / recall (binary; or accuracy for several classes) of those
   predictions, with 95 % intervals (the wider of a bootstrap over rows or groups and a corrected
   t-interval over the parts), what chance scores (``chance_*``), and ``verdict_``: whether the
   model is shown to beat a model without skill. Folds whose training part lacks a class of its
   test part (labels in blocks over time) are not used; with fewer than two left, training is
   refused in words (:class:`~openkamp.ml.errors.TrainingRefused`). ``independent=True`` states
   that rows are independent parts: shuffled (or group) folds even when a time is given.
   The leak check (step 1) also looks at labels, on all rows; it only removes columns, which
   cannot make figures look better.
"""

from __future__ import annotations

import dataclasses
import time as _time
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.special import logit
from scipy.stats import rankdata
from sklearn.base import BaseEstimator
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from openkamp.ml.card import ModelCard, Plot
from openkamp.ml.errors import refuse
from openkamp.ml.leakage import Leak
from openkamp.ml.metrics import (
    alarm_rates,
    bootstrap_ci,
    fold_ci,
    fold_mean,
    verdict,
    widest,
)
from openkamp.ml.splits import choose_split, usable_folds
from openkamp.ml.tabular import (
    BIAS,
    EXPLAIN_ROWS,
    LGBM_BASE,
    Encoder,
    LeakageWarning,
    check_classes,
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

_Encoder = Encoder  # the name under which models pickled before the move refer to it

MIN_LEVELS = 10  # fewest distinct calibrated probabilities accepted from isotonic regression
LEARNERS = ("lgbm", "logreg", "rf")
RANKING = ("roc_auc", "pr_auc")  # figures of how well scores rank rows, not of decisions
_LGBM = LGBM_BASE
# Cheap and usually good first; then the random forest and logistic regression baselines; then
# slower or rare-class-weighted variants while the budget lasts.
CANDIDATES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("lgbm_base", "lgbm", _LGBM),
    ("logreg", "logreg", {"C": 1.0}),
    ("lgbm_full", "lgbm", {**_LGBM, "n_estimators": 500, "subsample": 1.0, "colsample_bytree": 1.0}),
    ("rf", "rf", {"n_estimators": 300, "min_samples_leaf": 1}),
    ("lgbm_balanced", "lgbm", {**_LGBM, "balanced": True}),
    ("lgbm_slow", "lgbm", {**_LGBM, "n_estimators": 1000, "learning_rate": 0.02, "colsample_bytree": 1.0}),
    ("lgbm_shallow", "lgbm", {**_LGBM, "num_leaves": 7, "learning_rate": 0.1, "sqrt_weight": True}),
    ("lgbm_deep", "lgbm", {**_LGBM, "num_leaves": 31, "learning_rate": 0.03, "n_estimators": 600, "min_child_samples": 10}),
)  # fmt: skip


def cost_threshold(y_true: Any, proba: Any, cost_fn: float) -> float:
    """The threshold ``t`` (alarm when ``proba >= t``) minimising ``cost_fn * FN + FP``.

    Ties go to the highest threshold (fewest alarms). When alarming on nothing is cheapest, ``t``
    lies just above the largest probability.
    """
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(proba, dtype=np.float64)
    if len(p) == 0:
        raise ValueError("cost_threshold needs at least one row")
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    last = np.r_[ps[1:] != ps[:-1], True]  # cut after the last row of each distinct value
    tp, fp = np.cumsum(ys)[last], np.cumsum(~ys)[last]
    cost = cost_fn * (y.sum() - tp) + fp
    i = int(np.argmin(cost))
    if cost_fn * y.sum() <= cost[i]:
        return float(np.nextafter(ps[0], np.inf))
    return float(ps[last][i])


def f1_threshold(y_true: Any, proba: Any) -> float:
    """The threshold ``t`` (alarm when ``proba >= t``) of the best F1 (2TP / (2TP + FP + FN)).

    Ties go to the highest threshold (fewest alarms); with no positive row, ``t`` lies just
    above the largest probability (no alarm).
    """
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(proba, dtype=np.float64)
    if len(p) == 0:
        raise ValueError("f1_threshold needs at least one row")
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    last = np.r_[ps[1:] != ps[:-1], True]
    tp, fp = np.cumsum(ys)[last], np.cumsum(~ys)[last]
    positives = int(y.sum())
    if positives == 0:
        return float(np.nextafter(ps[0], np.inf))
    f1 = 2 * tp / (2 * tp + fp + (positives - tp))
    return float(ps[last][int(np.argmax(f1))])


class ClassifyModel(BaseEstimator):
    """Defect / failure prediction for (very) imbalanced classes.

    Parameters
    ----------
    time_budget_s : float
        Seconds the candidate search may use (at least one candidate is always completed).
    cost_fn : float or None
        Cost of a missed defect (false negative) relative to a false alarm; sets ``threshold_``
        by :func:`cost_threshold`. None (the default): the threshold of the best F1
        (:func:`f1_threshold`).
    calibrate : bool
        Calibrate probabilities on out-of-fold predictions (isotonic or sigmoid).
    random_state : int
        Seed of the folds and the learners.
    n_splits : int
        Folds of the candidate comparison, calibration and threshold.
    learners : "auto", a family ("lgbm", "logreg", "rf"), a candidate name of :data:`CANDIDATES`
        (e.g. "lgbm_base"), or a list of them
        What to compare; "auto" is every candidate, in the order of :data:`CANDIDATES`.
    drop_leaks : bool
        Drop columns that :func:`~openkamp.ml.leakage.find_leaks` reports as ``copy`` or
        ``perfect`` (all findings are kept in ``leaks_`` either way).
    pos_label : label or None
        The class to predict (binary targets). None: 1 / True when present, else the rarer class.
    n_jobs : int or None
        Threads per learner. None: one thread below 50,000 rows (small fits are slower with
        more threads, badly so on a busy machine), all cores above.
    independent : bool
        The rows are independent parts (their order, and any time, says nothing about how they
        relate): evaluate with shuffled stratified (or group) folds even when ``time`` is given.

    Attributes
    ----------
    leaderboard_ : list of dict
        Candidates tried (best first): ``candidate``, ``learner``, out-of-fold ``pr_auc`` and
        ``roc_auc`` (macro over classes for several classes), ``seconds``.
    params_ : dict
        The chosen candidate and its hyper-parameters; ``model_`` is it, refitted on all rows.
    threshold_ : float or None
        Alarm when the calibrated probability of ``pos_label_`` reaches it (binary only).
    oof_metrics_ : dict
        Out-of-fold ``pr_auc``, ``roc_auc``, ``f1``, ``precision``, ``recall`` (binary; or
        ``accuracy`` for several classes), each with a bootstrap ``<name>_ci`` (95 %), and
        ``threshold``, ``expected_cost`` (per row), ``rows``, ``positives``, ``split``.
    oof_proba_ : ndarray
        Out-of-fold probabilities of ``pos_label_`` (binary) or of each class, per training row,
        calibrated by the deployed calibrator (fitted on them: not for figures); NaN for rows no
        fold predicted (the first block of time splits).
    eval_proba_, eval_alarm_ : ndarray
        The cross-fitted probabilities and alarms every figure is computed from;
        ``eval_choices_`` names the candidate chosen for each evaluation part.
    verdict_ : "better", "no_better" or "worse"
        Against a model without skill (:func:`~openkamp.ml.metrics.verdict`).
    leaks_ : list of Leak
        Every finding of :func:`~openkamp.ml.leakage.find_leaks`; ``dropped_`` lists the columns
        not used (dropped leaks, then date/time columns).
    split_ : str
        The evaluation protocol, in words.
    calibration_ : "isotonic", "sigmoid" or None
    classes_, pos_label_, feature_names_in_, n_features_in_, feature_importances_, fit_seconds_
    """

    task = "classify"

    def __init__(
        self,
        time_budget_s: float = 60.0,
        cost_fn: float | None = None,
        calibrate: bool = True,
        random_state: int = 0,
        n_splits: int = 5,
        learners: str | list[str] = "auto",
        drop_leaks: bool = True,
        pos_label: Any = None,
        n_jobs: int | None = None,
        independent: bool = False,
    ) -> None:
        self.time_budget_s = time_budget_s
        self.cost_fn = cost_fn
        self.calibrate = calibrate
        self.random_state = random_state
        self.n_splits = n_splits
        self.learners = learners
        self.drop_leaks = drop_leaks
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.independent = independent

    # -- training -----------------------------------------------------------------------------

    def _candidates(self) -> list[tuple[str, str, dict[str, Any]]]:
        return select_candidates(self.learners, LEARNERS, CANDIDATES)

    def _make(self, learner: str, params: dict[str, Any], y: np.ndarray) -> Any:
        jobs = self.n_jobs if self.n_jobs is not None else (1 if len(y) < 50_000 else -1)
        if learner == "logreg":
            return Pipeline(
                [
                    ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                    ("scale", StandardScaler()),
                    ("model", LogisticRegression(C=params["C"], class_weight="balanced", max_iter=5000)),
                ]
            )  # fmt: skip
        if learner == "rf":
            return RandomForestClassifier(
                **params, class_weight="balanced_subsample", n_jobs=jobs, random_state=self.random_state
            )  # fmt: skip
        kw = {k: v for k, v in params.items() if k not in ("balanced", "sqrt_weight")}
        if params.get("balanced"):
            kw.update({"is_unbalance": True} if self.binary_ else {"class_weight": "balanced"})
        if params.get("sqrt_weight"):
            if self.binary_:
                pos = max(int(y.sum()), 1)
                kw["scale_pos_weight"] = float(np.sqrt((len(y) - pos) / pos))
            else:
                kw["class_weight"] = "balanced"
        return lgb.LGBMClassifier(**kw, n_jobs=jobs, random_state=self.random_state, verbose=-1)

    def _raw_proba(self, est: Any, Xe: np.ndarray) -> np.ndarray:
        """Uncalibrated probabilities: (n,) of the positive class, or (n, classes)."""
        p = est.predict_proba(Xe)
        cols = np.zeros((len(Xe), len(self.classes_)))
        cols[:, np.asarray(est.classes_, dtype=int)] = p
        return cols[:, 1] if self.binary_ else cols

    def fit(self, X: Any, y: Any, *, time: Any = None, groups: Any = None) -> ClassifyModel:
        """Learn to predict ``y`` from ``X``.

        ``time`` and ``groups`` are column names of ``X`` (then not used as features) or arrays
        with one value per row; they choose the evaluation folds (see
        :func:`openkamp.ml.splits.choose_split`). Date/time columns are never features.
        """
        started = _time.perf_counter()
        self._candidates()  # a wrong parameter is named before anything about the data
        df = numeric_text(check_table(feature_frame(X)))
        y_arr = np.asarray(y)
        if len(df) != len(y_arr):
            raise ValueError(f"X has {len(df)} rows but y has {len(y_arr)}")
        if pd.isna(pd.Series(y_arr, dtype=object)).any():
            raise refuse(
                "missing_labels",
                f"{int(pd.isna(pd.Series(y_arr, dtype=object)).sum())} rows have no label.",
                hint="Label every row, or leave the unlabelled rows out.",
                rows=int(pd.isna(pd.Series(y_arr, dtype=object)).sum()),
            )
        if y_arr.dtype == object and len({type(v) for v in y_arr}) > 1:
            y_arr = y_arr.astype(str)  # labels written as numbers and as text: one kind
        self.classes_ = np.unique(y_arr)
        check_classes(y_arr, self.classes_, self.n_splits)
        prep = prepare_features(df, y_arr, time=time, groups=groups, drop_leaks=self.drop_leaks)
        t, g, features, drop = prep.time, prep.groups, prep.features, prep.dropped
        self.leaks_: list[Leak] = prep.leaks
        self.notes_ = prep.notes
        self.encoder_ = Encoder().fit(df[features])
        if not self.encoder_.columns:
            raise no_inputs(prep)
        self.feature_names_in_ = np.asarray(self.encoder_.columns, dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        self.dropped_ = [*drop, *self.encoder_.ignored]
        Xe = self.encoder_.transform(df[features])

        self.binary_ = len(self.classes_) == 2
        if self.binary_:
            self.pos_label_ = self._positive(y_arr)
            yi = (y_arr == self.pos_label_).astype(np.int64)
        else:
            self.pos_label_ = None
            yi = np.searchsorted(self.classes_, y_arr)

        split = choose_split(
            df,
            y_arr,
            time=None if self.independent else t,
            groups=g,
            n_splits=self.n_splits,
            seed=self.random_state,
        )
        self.split_ = split.describe()
        self.protocol_ = split.kind
        folds = usable_folds(split, yi, self.classes_)
        covered = np.zeros(len(yi), dtype=bool)
        for _, test in folds:
            covered[test] = True
        if len(np.unique(yi[covered])) < 2:
            raise refuse(
                "validation_one_class",
                "The rows the model can be checked on hold only one class "
                f"({y_arr[covered][0]!s}): no figure about finding the others "
                "could be computed.",
                hint="Use a longer period, or data in which every class occurs throughout; if "
                "the order of the rows means nothing, state that the rows are independent.",
                label=str(y_arr[covered][0]),
            )
        board, oofs = search_candidates(
            self._candidates(),
            folds,
            (len(yi),) if self.binary_ else (len(yi), len(self.classes_)),
            covered,
            fit_predict=lambda learner, params, tr, te: self._raw_proba(
                self._make(learner, params, yi[tr]).fit(Xe[tr], yi[tr]), Xe[te]
            ),
            rank=lambda oof: self._ranking(yi[covered], oof[covered]),
            budget_s=self.time_budget_s,
            started=started,
        )
        tried = [r["candidate"] for r in board]
        self.leaderboard_ = sorted(board, key=lambda r: -np.nan_to_num(r["pr_auc"], nan=-1.0))
        best = self.leaderboard_[0]
        params = _params(best["candidate"])
        self.params_ = {"candidate": best["candidate"], "learner": best["learner"], **params}
        self.model_ = self._make(best["learner"], params, yi).fit(Xe, yi)

        # The deployed pieces: candidate, calibrator and threshold fitted on every out-of-fold
        # prediction. Their figures cannot come from those same predictions (a calibrator fitted
        # on them "learns" the labels it is then scored against), so they are estimated by
        # cross-fitting: each evaluation part is scored with a candidate, calibrator and
        # threshold chosen on the other parts only (:meth:`_cross_fitted`).
        oof = oofs[best["candidate"]][covered]
        y_cov = yi[covered]
        self.calibration_, self.calibrators_ = self._calibrate_on(oof, y_cov)
        cal = self._calibrated(oof)
        self.oof_proba_ = np.full(oofs[best["candidate"]].shape, np.nan)
        self.oof_proba_[covered] = cal
        self.oof_target_ = yi  # encoded target of oof_proba_ (0/1, or class index)
        self.threshold_: float | None = self._threshold(y_cov, cal) if self.binary_ else None
        self.eval_proba_, self.eval_alarm_, self.eval_choices_ = self._cross_fitted(
            [te for _, te in folds], oofs, tried, yi
        )
        g_cov = None if g is None else np.asarray(g)[covered]
        fold_of = np.full(len(yi), -1)
        for k, (_, test) in enumerate(folds):
            fold_of[test] = k
        train_share = float(np.mean([len(tr) for tr, _ in folds])) / len(yi)
        self.oof_metrics_ = self._metrics(
            y_cov,
            self.eval_proba_[covered],
            self.eval_alarm_[covered],
            g_cov,
            fold_of[covered],
            train_share,
        )
        self.verdict_ = verdict(self.oof_metrics_)
        self.warnings_: list[dict[str, Any]] = []
        if self.binary_:
            good = y_cov == 0
            flagged = float(np.mean(self.eval_alarm_[covered][good])) if good.any() else 0.0
            if flagged > 0.5:
                # An alarm on most good parts is no decision aid: say so where the figures are.
                self.warnings_.append(
                    {"key": "ml.warn.flags_most_good", "params": {"share": round(100 * flagged)}}
                )
        rows = explain_rows(len(Xe), EXPLAIN_ROWS)
        self.feature_importances_ = global_importance(
            self._contributions(Xe[rows]), self.feature_names_in_
        )
        self.fit_seconds_ = round(_time.perf_counter() - started, 3)
        return self

    def _threshold(self, y: np.ndarray, p: np.ndarray) -> float:
        """The decision rule: the best F1 by default, the least cost when a cost is given."""
        cost_fn = getattr(self, "cost_fn", None)
        return f1_threshold(y, p) if cost_fn is None else cost_threshold(y, p, cost_fn)

    def _positive(self, y: np.ndarray) -> Any:
        classes = list(self.classes_)
        if self.pos_label is not None:
            if self.pos_label not in classes:
                raise ValueError(f"pos_label {self.pos_label!r} is not one of {classes}")
            return self.pos_label
        if all(isinstance(c, (bool, np.bool_, int, np.integer)) for c in classes) and set(
            map(int, classes)
        ) == {0, 1}:
            return classes[1]  # 1 / True: the event
        values, counts = np.unique(y, return_counts=True)
        return values[int(np.argmin(counts))]  # else the rarer class is the event

    def _ranking(self, y: np.ndarray, p: np.ndarray) -> dict[str, float]:
        if self.binary_:
            return {"pr_auc": fast_pr_auc(y, p), "roc_auc": fast_roc_auc(y, p)}
        return {"pr_auc": _macro_pr_auc(y, p), "roc_auc": _macro_roc_auc(y, p)}

    # -- calibration and metrics ----------------------------------------------------------------

    def _calibration_method(self, y: np.ndarray) -> str:
        # Isotonic regression needs many positives to be better than a two-parameter sigmoid.
        rare = int(y.sum()) if self.binary_ else int(np.bincount(y).min())
        return "isotonic" if rare >= 50 and len(y) >= 1000 else "sigmoid"

    def _calibrate_on(self, raw: np.ndarray, y: np.ndarray) -> tuple[str | None, list[Any]]:
        """The calibration method and calibrators fitted on raw probabilities ``raw`` of rows
        labelled ``y``."""
        if not self.calibrate:
            return None, []
        method = self._calibration_method(y)
        cals = self._fit_calibrators(method, raw, y)
        collapsed = (
            method == "isotonic"
            and self.binary_
            and len(np.unique(self._apply_calibrators(cals, raw))) < MIN_LEVELS
        )
        if collapsed:
            # Isotonic regression can collapse to a few steps (a forest's coarse scores on short
            # time splits); a two-level "probability" leaves no threshold worth choosing, so
            # the smooth sigmoid keeps the ranking the model learnt.
            method = "sigmoid"
            cals = self._fit_calibrators(method, raw, y)
        return method, cals

    def _fit_calibrators(self, method: str, oof: np.ndarray, y: np.ndarray) -> list[Any]:
        cols = [oof] if self.binary_ else [oof[:, k] for k in range(len(self.classes_))]
        targets = [y] if self.binary_ else [(y == k).astype(int) for k in range(len(cols))]
        out = []
        for p, t in zip(cols, targets, strict=True):
            z = _logit(p)
            if method == "isotonic" or len(np.unique(t)) < 2:
                out.append(IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(z, t))
            else:
                platt = LogisticRegression(C=1e6).fit(z.reshape(-1, 1), t)
                # A falling sigmoid would turn a score that ranks *worse* than chance into one
                # that ranks better. On data without signal, cross-validated scores are slightly
                # anti-correlated with the labels (each fold's model leans away from its test
                # part's class shares), and a calibrator fitted on other folds would exploit
                # that artefact: pure noise then looked better than chance. No skill in the
                # right direction means no skill: the calibrated probability is the base rate.
                out.append(platt if platt.coef_[0, 0] > 0 else _BaseRate(float(np.mean(t))))
        return out

    def _calibrated(self, raw: np.ndarray) -> np.ndarray:
        return self._apply_calibrators(self.calibrators_, raw)

    def _apply_calibrators(self, calibrators: list[Any], raw: np.ndarray) -> np.ndarray:
        if not calibrators:
            return raw
        cols = [raw] if self.binary_ else [raw[:, k] for k in range(raw.shape[1])]
        cal = []
        for p, c in zip(cols, calibrators, strict=True):
            z = _logit(p)
            cal.append(
                c.predict(z)
                if isinstance(c, IsotonicRegression)
                else c.predict_proba(z.reshape(-1, 1))[:, 1]
            )
        if self.binary_:
            return cal[0]
        m = np.column_stack(cal)
        total = m.sum(axis=1, keepdims=True)
        return np.where(total > 0, m / np.where(total > 0, total, 1), 1.0 / m.shape[1])

    def _cross_fitted(
        self, tests: list[np.ndarray], oofs: dict[str, np.ndarray], tried: list[str], y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Honest probabilities and alarms of every evaluated row.

        For each evaluation part, the candidate, the calibrator and the threshold are chosen on
        the out-of-fold predictions of the *other* parts only, and then applied to this part:
        no piece fitted on a row's label decides how that row is scored. (The candidates' own
        predictions of a part come from models that never saw it.) Returns the probabilities
        (NaN where no part covers a row), the alarms (binary; else all False) and the
        candidate chosen for each part.
        """
        first = oofs[tried[0]]
        proba = np.full(first.shape, np.nan)
        alarm = np.zeros(len(y), dtype=bool)
        chosen = []
        for k, test in enumerate(tests):
            others = np.concatenate([t for j, t in enumerate(tests) if j != k])
            name = tried[0]
            best = -np.inf
            for cand in tried:  # the leaderboard's rule, judged on the other parts only
                score = self._ranking(y[others], oofs[cand][others])["pr_auc"]
                if np.isfinite(score) and score > best:
                    name, best = cand, score
            _, cals = self._calibrate_on(oofs[name][others], y[others])
            proba[test] = self._apply_calibrators(cals, oofs[name][test])
            if self.binary_:
                own = self._apply_calibrators(cals, oofs[name][others])
                alarm[test] = proba[test] >= self._threshold(y[others], own)
            chosen.append(name)
        return proba, alarm, chosen

    def _metrics(
        self,
        y: np.ndarray,
        p: np.ndarray,
        alarm: np.ndarray,
        groups: np.ndarray | None,
        fold: np.ndarray,
        train_share: float,
    ) -> dict[str, Any]:
        """Figures of the cross-fitted predictions ``p`` / ``alarm`` (see :meth:`_cross_fitted`)
        of the rows of evaluation parts ``fold``, with 95 % intervals (the wider of a bootstrap
        over rows or groups and :func:`~openkamp.ml.metrics.fold_ci` over the parts) and what a
        model without skill would score."""
        seed = self.random_state
        out: dict[str, Any] = {"rows": len(y), "split": self.split_}

        forward = self.protocol_ == "forward-chaining time split"

        def add(name: str, fn: Any, score: np.ndarray = p) -> None:
            # Under forward chaining, ranking figures are averaged over the parts (see
            # fold_mean); otherwise, and for the other figures, rows are pooled.
            pooled = float(fn(y, score))
            value = fold_mean(fn, y, score, fold) if forward and name in RANKING else pooled
            lo, hi = bootstrap_ci(fn, y, score, n=200, seed=seed, groups=groups)
            out[name] = value
            out[f"{name}_ci"] = widest(
                (lo + value - pooled, hi + value - pooled),
                fold_ci(fn, y, score, fold, train_share=train_share, centre=value),
                name=name,
            )

        out["chance_roc_auc"] = 0.5
        if self.binary_:
            thr = self.threshold_
            out["positives"] = int(y.sum())
            out["threshold"] = thr
            out["chance_pr_auc"] = float(y.mean())
            add("pr_auc", fast_pr_auc)
            add("roc_auc", fast_roc_auc)
            for key in ("f1", "precision", "recall"):
                add(key, lambda a, b, k=key: alarm_rates(a, b)[k], alarm)
            if self.cost_fn is not None:
                out["expected_cost"] = float(
                    (self.cost_fn * np.sum(~alarm & (y == 1)) + np.sum(alarm & (y == 0))) / len(y)
                )
        else:
            counts = np.bincount(y, minlength=len(self.classes_))
            out["class_counts"] = {str(c): int(n) for c, n in zip(self.classes_, counts, strict=True)}  # fmt: skip
            out["chance_accuracy"] = float(counts.max() / counts.sum())
            add("pr_auc", _macro_pr_auc)
            add("roc_auc", _macro_roc_auc)
            add("f1", lambda a, b: _macro_f1(a, np.argmax(b, axis=1)))
            add("accuracy", lambda a, b: float(np.mean(np.argmax(b, axis=1) == a)))
        return out

    # -- use ----------------------------------------------------------------------------------

    def _encode(self, X: Any) -> tuple[np.ndarray, Any]:
        df = feature_frame(X)
        missing = [c for c in self.feature_names_in_ if c not in df.columns]
        if missing:
            raise ValueError(f"missing feature columns: {missing}")
        return self.encoder_.transform(df), df.index

    def decision_function(self, X: Any) -> np.ndarray:
        """Uncalibrated score: log-odds of the positive class for LightGBM and logistic
        regression, probability for the random forest; (n, classes) for several classes.
        :meth:`explain` rows sum to it."""
        Xe, _ = self._encode(X)
        return self._raw_score(Xe)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, one column per class in ``classes_`` order."""
        Xe, _ = self._encode(X)
        p = self._calibrated(self._raw_proba(self.model_, Xe))
        if not self.binary_:
            return p
        pos_first = self.classes_[0] == self.pos_label_
        return np.column_stack([p, 1 - p] if pos_first else [1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """Class labels: the positive class where its probability reaches ``threshold_`` (binary),
        else the most probable class."""
        return self.labels_of(self.predict_proba(X))

    def labels_of(self, proba: np.ndarray) -> np.ndarray:
        """The class labels :meth:`predict` gives for probabilities from :meth:`predict_proba`."""
        if not self.binary_:
            return self.classes_[np.argmax(proba, axis=1)]
        k = int(np.flatnonzero(self.classes_ == self.pos_label_)[0])
        neg = self.classes_[1 - k]
        return np.where(proba[:, k] >= self.threshold_, self.pos_label_, neg)

    def feature_importance(self) -> pd.Series:
        """Global importance per feature: mean |contribution| over (up to 2,000) training rows."""
        return self.feature_importances_.copy()

    def card(self) -> ModelCard:
        """What this model says about itself for reports (out-of-fold figures only)."""
        honest = getattr(self, "eval_proba_", self.oof_proba_)  # models saved before cross-fitting
        covered = ~np.isnan(honest if self.binary_ else honest[:, 0])
        y = self.oof_target_[covered]
        p = honest[covered]
        labels = [str(c) for c in self.classes_]
        if self.binary_:
            pos = int(np.flatnonzero(self.classes_ == self.pos_label_)[0])
            alarm = getattr(self, "eval_alarm_", None)
            pred = (p >= self.threshold_ if alarm is None else alarm[covered]).astype(int)
            truth = y
            names = [labels[1 - pos], labels[pos]]
        else:
            pred, truth, names = np.argmax(p, axis=1), y, labels
        k = len(names)
        matrix = np.zeros((k, k), dtype=np.int64)
        np.add.at(matrix, (truth, pred), 1)
        plots = [
            Plot("matrix", "ml.plot.confusion", pd.DataFrame(matrix, index=names, columns=names)),
            Plot(
                "bar",
                "ml.plot.importance",
                self.feature_importances_.head(15).rename_axis("feature").reset_index(),
                x="feature",
                y=["mean_abs_contribution"],
            ),
        ]
        if self.binary_:
            bins = np.clip((p * 10).astype(int), 0, 9)
            cal = pd.DataFrame({"bin": bins, "p": p, "y": y}).groupby("bin").mean()
            plots.insert(
                1,
                Plot(
                    "scatter",
                    "ml.plot.calibration",
                    cal.rename(columns={"p": "predicted", "y": "observed"}),
                    x="predicted",
                    y=["observed"],
                    diagonal=True,
                ),
            )
            plots.append(
                Plot(
                    "hist",
                    "ml.plot.proba_by_class",
                    pd.DataFrame({"class": np.where(y == 1, names[1], names[0]), "probability": p}),
                    x="class",
                    y=["probability"],
                    hline=self.threshold_,
                    hline_label="ml.plot.threshold",
                )
            )
        return tabular_card(
            self,
            plots,
            limits=["ml.limit.crossfit", "ml.limit.same_process"],
            extra={
                "classes": labels,
                "positive": None if self.pos_label_ is None else str(self.pos_label_),
                "threshold": self.threshold_,
                "cost_fn": self.cost_fn,
                "calibration": self.calibration_,
                "leaks": [dataclasses.asdict(lk) for lk in self.leaks_],
            },
        )

    def explain(self, X: Any, target: Any = None) -> pd.DataFrame:
        """Per-row contribution of each feature to the score, plus the :data:`BIAS` column.

        TreeSHAP (LightGBM's ``pred_contrib``) for LightGBM, in log-odds; coefficient ×
        standardised value for logistic regression, in log-odds; decision-path contributions for
        the random forest, in probability. Each row sums to :meth:`decision_function` (binary).
        One-hot columns are summed back into their categorical column. With several classes,
        ``target`` names the class to explain; by default each row's predicted class.
        """
        Xe, index = self._encode(X)
        contrib = self._contributions(Xe)  # (n, features + 1, k)
        if self.binary_:
            chosen = contrib[:, :, 0]
        else:
            if target is None:
                k = np.argmax(self._raw_proba(self.model_, Xe), axis=1)
            else:
                k = np.full(len(Xe), int(np.flatnonzero(self.classes_ == target)[0]))
            chosen = contrib[np.arange(len(Xe)), :, k]
        return pd.DataFrame(chosen, columns=[*self.feature_names_in_, BIAS], index=index)

    def _contributions(self, Xe: np.ndarray) -> np.ndarray:
        """(rows, original features + bias, classes or 1) contributions to the raw score."""
        return fold_onehot(self._encoded_contributions(Xe), self.encoder_)

    def _raw_score(self, Xe: np.ndarray) -> np.ndarray:
        learner, model = self.params_["learner"], self.model_
        if learner == "lgbm":
            return model.predict(Xe, raw_score=True)
        if learner == "logreg":
            return model.decision_function(Xe)
        p = model.predict_proba(Xe)
        return p[:, 1] if self.binary_ else p

    def _encoded_contributions(self, Xe: np.ndarray) -> np.ndarray:
        learner, model = self.params_["learner"], self.model_
        k = 1 if self.binary_ else len(self.classes_)
        if learner == "lgbm":
            c = model.booster_.predict(Xe, pred_contrib=True)
            return c.reshape(len(Xe), k, -1).transpose(0, 2, 1)
        if learner == "logreg":
            return linear_contributions(model, Xe)
        return forest_contributions(model, Xe, positive_only=self.binary_)


class _BaseRate:
    """A calibrator that gives every row the same probability (its training share)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def predict_proba(self, z: np.ndarray) -> np.ndarray:
        return np.column_stack([np.full(len(z), 1 - self.rate), np.full(len(z), self.rate)])


def _params(candidate: str) -> dict[str, Any]:
    return next(dict(p) for name, _, p in CANDIDATES if name == candidate)


def _logit(p: np.ndarray) -> np.ndarray:
    return logit(np.clip(p, 1e-7, 1 - 1e-7))


def fast_roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC-AUC (Mann-Whitney, ties counted half): equal to :func:`openkamp.ml.metrics.roc_auc`
    without scikit-learn's input checks, which dominate the cost of a 200-fold bootstrap."""
    y = np.asarray(y).astype(bool)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def fast_pr_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Average precision, equal to :func:`openkamp.ml.metrics.pr_auc` (see :func:`fast_roc_auc`)."""
    y = np.asarray(y).astype(bool)
    if not 0 < y.sum() < len(y):
        return float("nan")
    order = np.argsort(-np.asarray(score), kind="mergesort")
    s, ys = np.asarray(score)[order], y[order]
    last = np.r_[s[1:] != s[:-1], True]
    tp = np.cumsum(ys)[last]
    seen = np.arange(1, len(ys) + 1)[last]
    recall = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * (tp / seen)))


def _macro_pr_auc(y: np.ndarray, p: np.ndarray) -> float:
    scores = [fast_pr_auc(y == k, p[:, k]) for k in range(p.shape[1])]
    scores = [s for s in scores if np.isfinite(s)]
    return float(np.mean(scores)) if scores else float("nan")


def _macro_roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    scores = [fast_roc_auc(y == k, p[:, k]) for k in range(p.shape[1])]
    scores = [s for s in scores if np.isfinite(s)]
    return float(np.mean(scores)) if scores else float("nan")


def _macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    """F1 averaged over the classes present in ``y``."""
    return float(np.mean([alarm_rates(y == c, pred == c)["f1"] for c in np.unique(y)]))


__all__ = [
    "BIAS",
    "CANDIDATES",
    "ClassifyModel",
    "LeakageWarning",
    "cost_threshold",
    "f1_threshold",
    "fast_pr_auc",
    "fast_roc_auc",
    "feature_frame",
]
