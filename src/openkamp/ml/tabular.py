"""What the tabular templates (classify, regress) share: the feature table, its encoding, the leak
check before training, candidate selection and additive per-row explanations.

* :func:`feature_frame` and :class:`Encoder` turn a table of process parameters into numbers:
  numbers as they are, categories one-hot, dates dropped.
* :func:`prepare_features` runs :func:`openkamp.ml.leakage.find_leaks` on the feature columns and
  drops ``copy`` / ``perfect`` leaks (with a :class:`LeakageWarning`).
* :func:`select_candidates` resolves a template's ``learners`` parameter against its candidate
  list.
* :func:`linear_contributions`, :func:`forest_contributions` and :func:`fold_onehot` give per-row
  contributions that add up (with a bias term) to a model's raw output, on original columns.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from openkamp.ml.card import ModelCard, Plot, split_ci
from openkamp.ml.leakage import Leak, find_leaks
from openkamp.ml.splits import resolve

__all__ = [
    "BIAS",
    "EXPLAIN_ROWS",
    "LGBM_BASE",
    "Encoder",
    "LeakageWarning",
    "Prepared",
    "feature_frame",
    "fold_onehot",
    "forest_contributions",
    "linear_contributions",
    "prepare_features",
    "select_candidates",
]

BIAS = "(bias)"
"""Name of the column of ``explain`` that holds the expected (base) score."""

MAX_LEVELS = 50  # a categorical column keeps its 50 most frequent values; the rest are "other"
EXPLAIN_ROWS = 2000  # training rows used for the global feature importance
DROPPED_KINDS = frozenset({"copy", "perfect", "combined"})

LGBM_BASE: dict[str, Any] = {
    "n_estimators": 300,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 20,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
}
"""LightGBM parameters of the ``lgbm_base`` candidates; the other LightGBM candidates vary them."""


class LeakageWarning(UserWarning):
    """Columns were dropped from the features because they leak the target."""


def feature_frame(X: Any) -> pd.DataFrame:
    """A table of features: a DataFrame as given, or an array with columns ``x0, x1, …``."""
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


class Encoder:
    """Numbers and booleans as they are; categories one-hot (the most frequent MAX_LEVELS values,
    missing as a value of its own); dates and durations dropped."""

    def fit(self, df: pd.DataFrame) -> Encoder:
        self.numeric: list[str] = []
        self.levels: dict[str, list[str]] = {}
        self.ignored: list[str] = []
        for c in df.columns:
            kind = df[c].dtype.kind
            if kind in "mM":
                self.ignored.append(c)
            elif kind in "biuf":
                self.numeric.append(c)
            else:
                counts = _as_text(df[c]).value_counts()
                self.levels[c] = [str(v) for v in counts.index[:MAX_LEVELS]]
        self.columns = [*self.numeric, *self.levels]
        self.names = [*self.numeric] + [f"{c}={v}" for c, lv in self.levels.items() for v in lv]
        """The encoded columns: numeric ones, then ``column=value`` indicators."""
        # Which original column each encoded column comes from (contributions are summed back).
        self.source = np.array(
            [self.columns.index(c) for c in self.numeric]
            + [self.columns.index(c) for c, lv in self.levels.items() for _ in lv],
            dtype=np.int64,
        )
        return self

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        parts = []
        if self.numeric:
            num = np.array(df[self.numeric].apply(to_number), dtype=np.float64)
            # Infinite or absurd values (an export's overflow, 1e308 as "no value") are missing:
            # the learners work in float32, where they would stop training with an error.
            num[~np.isfinite(num) | (np.abs(num) > 1e30)] = np.nan
            parts.append(num)
        for c, lv in self.levels.items():
            text = _as_text(df[c]).to_numpy()
            parts.append((text[:, None] == np.array(lv, dtype=object)[None, :]).astype(np.float64))
        return np.hstack(parts) if parts else np.empty((len(df), 0))


def _as_text(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "(missing)").astype(str)


class Prepared:
    """The outcome of :func:`prepare_features`: ``notes`` maps every column not used (other than
    leaks) to the i18n key of the reason (``ml.dropped.empty``, ``ml.dropped.constant``)."""

    def __init__(
        self,
        time: np.ndarray | None,
        groups: np.ndarray | None,
        features: list[str],
        leaks: list[Leak],
        dropped: list[str],
        notes: dict[str, str] | None = None,
    ) -> None:
        self.time = time
        self.groups = groups
        self.features = features
        self.leaks = leaks
        self.dropped = dropped
        self.notes = dict(notes or {})


def numeric_text(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns that hold numbers ("1,234", " 5.2 ") as numbers; the rest as they are.

    A column converts when at least 90 % of its filled cells read as numbers (the others,
    "-" or "n/a", become missing); a real category ("LH", "A-12") stays text.
    """
    out = df
    for c in df.columns:
        col = df[c]
        if col.dtype.kind not in "OSU" and str(col.dtype) not in ("string", "str"):
            continue
        filled = col.dropna()
        if not len(filled):
            continue
        text = filled.astype(str).str.strip().str.replace(",", "", regex=False)
        num = pd.to_numeric(text, errors="coerce")
        if num.notna().mean() >= 0.9:
            if out is df:
                out = df.copy()
            out[c] = to_number(col)
    return out


def to_number(col: pd.Series) -> pd.Series:
    """A column as numbers: numbers as they are; text without thousands separators and spaces
    read as a number, anything else missing."""
    if col.dtype.kind in "biuf":
        return col
    text = col.astype(object).where(col.notna(), None)
    cleaned = text.map(lambda v: v if v is None else str(v).strip().replace(",", ""))
    return pd.to_numeric(cleaned, errors="coerce")


def unusable_columns(df: pd.DataFrame) -> dict[str, str]:
    """Columns that cannot inform a model: empty (no value at all) or constant (one value)."""
    notes: dict[str, str] = {}
    for c in df.columns:
        col = df[c]
        if col.dtype.kind in "mM":
            continue  # dates are dropped by the Encoder with their own note
        if col.dtype.kind in "biuf":
            values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
            values = values[np.isfinite(values)]
            if not len(values):
                notes[str(c)] = "ml.dropped.empty"
            elif np.all(values == values[0]) and not col.isna().any():
                notes[str(c)] = "ml.dropped.constant"
        elif col.notna().sum() == 0:
            notes[str(c)] = "ml.dropped.empty"
        elif col.nunique(dropna=False) < 2:
            notes[str(c)] = "ml.dropped.constant"
    return notes


def prepare_features(
    df: pd.DataFrame, y: np.ndarray, *, time: Any, groups: Any, drop_leaks: bool
) -> Prepared:
    """Resolve ``time`` / ``groups`` (column names of ``df`` or arrays; a ``DatetimeIndex`` is the
    time by default), check the other columns for leaks and drop ``copy`` / ``perfect`` ones."""
    if time is None and isinstance(df.index, pd.DatetimeIndex):
        time = "index"
    t, g = resolve(df, time, "time"), resolve(df, groups, "groups")
    named = {v for v in (time, groups) if isinstance(v, str)}
    features = [c for c in df.columns if c not in named]
    # A constant column with some missing cells still says "filled or not", so it stays.
    notes = unusable_columns(df[features])
    features = [c for c in features if str(c) not in notes]
    leaks = find_leaks(df[features], y, time=t, groups=g)
    drop = [lk.column for lk in leaks if lk.kind in DROPPED_KINDS and drop_leaks]
    if drop:
        warnings.warn(
            f"Dropped {drop} from the features: they leak the target (see leaks_).",
            LeakageWarning,
            stacklevel=3,
        )
    kept = [c for c in features if str(c) not in drop]
    return Prepared(t, g, kept, leaks, [*drop, *notes], notes)


def select_candidates(
    learners: str | Sequence[str],
    families: Sequence[str],
    candidates: Sequence[tuple[str, str, dict[str, Any]]],
) -> list[tuple[str, str, dict[str, Any]]]:
    """The candidates a ``learners`` parameter asks for: "auto" (all), families, or names."""
    wanted = list(families) if learners == "auto" else learners
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    names = [c[0] for c in candidates]
    unknown = [w for w in wanted if w not in families and w not in names]
    if unknown:
        raise ValueError(
            f"unknown learners {unknown}; choose from {', '.join(families)} "
            f"or the candidates {', '.join(names)}"
        )
    return [c for c in candidates if c[1] in wanted or c[0] in wanted]


def fold_onehot(contrib: np.ndarray, encoder: Encoder) -> np.ndarray:
    """Contributions on encoded columns (rows, encoded + bias, k) summed back onto the original
    columns: (rows, original + bias, k)."""
    to_orig = np.zeros((len(encoder.source), len(encoder.columns)))
    to_orig[np.arange(len(encoder.source)), encoder.source] = 1.0
    folded = np.einsum("npk,po->nok", contrib[:, :-1, :], to_orig)
    return np.concatenate([folded, contrib[:, -1:, :]], axis=1)


def linear_contributions(pipeline: Any, X: np.ndarray) -> np.ndarray:
    """Coefficient × standardised value per feature, and the intercept, of an
    impute → scale → linear-model pipeline: (rows, features + 1, 1 or classes)."""
    lin = pipeline.named_steps["model"]
    z = pipeline.named_steps["scale"].transform(pipeline.named_steps["impute"].transform(X))
    coef = np.atleast_2d(lin.coef_)  # (1 or k, p)
    icpt = np.atleast_1d(lin.intercept_)
    terms = z[:, :, None] * coef.T[None, :, :]
    bias = np.broadcast_to(icpt, (len(X), len(icpt)))[:, None, :]
    return np.concatenate([terms, bias], axis=1)


def forest_contributions(forest: Any, X: np.ndarray, positive_only: bool = False) -> np.ndarray:
    """Decision-path contributions of a random / extra-trees forest (Saabas): the change of the
    node value (class probability, or mean target) at each split, credited to the split's
    feature; they sum, with the root value, to ``predict_proba`` / ``predict``.
    (rows, features + 1, classes or 1)."""
    n, p = X.shape
    classifier = hasattr(forest, "n_classes_")
    k = forest.n_classes_ if classifier else 1
    out = np.zeros((n, p + 1, k))
    for tree_est in forest.estimators_:
        tree = tree_est.tree_
        value = tree.value[:, 0, :]
        if classifier:
            value = value / np.maximum(value.sum(axis=1, keepdims=True), 1e-300)
        parent = np.full(tree.node_count, -1)
        inner = np.flatnonzero(tree.children_left >= 0)
        parent[tree.children_left[inner]] = inner
        parent[tree.children_right[inner]] = inner
        child = np.flatnonzero(parent >= 0)
        delta = value[child] - value[parent[child]]
        feat = tree.feature[parent[child]]
        # Each non-root node credits its change of value to its parent's split feature.
        credit = np.zeros((len(child), p * k))
        cols = feat[:, None] * k + np.arange(k)[None, :]
        np.put_along_axis(credit, cols, delta, axis=1)
        path = tree_est.decision_path(X).tocsc()[:, child]  # (rows, non-root nodes)
        out[:, :p, :] += np.asarray(path @ credit).reshape(n, p, k)
        out[:, p, :] += value[0]
    out /= len(forest.estimators_)
    if positive_only:
        return out[:, :, 1:2]
    return out


def global_importance(contrib: np.ndarray, names: Sequence[str] | np.ndarray) -> pd.Series:
    """Mean |contribution| per feature, largest first, from (rows, features + bias[, classes])
    contributions of a sample of training rows (the bias column is left out)."""
    share = np.abs(contrib[:, :-1]).mean(axis=tuple(i for i in range(contrib.ndim) if i != 1))
    return pd.Series(share, index=list(names), name="mean_abs_contribution").sort_values(
        ascending=False
    )


def explain_rows(n: int, at_most: int) -> np.ndarray:
    """Evenly spaced row positions (at most ``at_most`` of ``n``) for global importance."""
    return np.linspace(0, n - 1, min(at_most, n)).round().astype(int)


def tabular_card(
    model: Any, plots: list[Plot], limits: list[str], extra: dict[str, Any]
) -> ModelCard:
    """The :class:`~openkamp.ml.card.ModelCard` of a fitted classify / regress template."""
    metrics, cis = split_ci(model.oof_metrics_)
    ignored = set(model.encoder_.ignored)
    dropped = {lk.column: "ml.dropped.leak" for lk in model.leaks_ if lk.column in model.dropped_}
    dropped.update({c: "ml.dropped.time_or_text" for c in ignored})
    dropped.update(getattr(model, "notes_", {}))
    return ModelCard(
        task=model.task,
        method=dict(model.params_),
        protocol=model.split_,
        metrics=metrics,
        metric_ci=cis,
        leaderboard=list(model.leaderboard_),
        importance=model.feature_importances_.copy(),
        features=[str(f) for f in model.feature_names_in_],
        dropped=dropped,
        rows=len(model.oof_target_),
        plots=plots,
        limits=limits,
        fit_seconds=model.fit_seconds_,
        extra=extra,
        verdict=getattr(model, "verdict_", None),
        warnings=list(getattr(model, "warnings_", [])),
        protocol_kind=getattr(model, "protocol_", None),
    )


def search_candidates(
    candidates: Sequence[tuple[str, str, dict[str, Any]]],
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    oof_shape: tuple[int, ...],
    covered: np.ndarray,
    *,
    fit_predict: Callable[[str, dict[str, Any], np.ndarray, np.ndarray], np.ndarray],
    rank: Callable[[np.ndarray], dict[str, float]],
    budget_s: float,
    started: float,
) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Out-of-fold predictions and ranking of each candidate, while the budget lasts.

    ``fit_predict(learner, params, train, test)`` fits on the ``train`` rows and predicts the
    ``test`` rows; ``rank(oof)`` scores the predictions of the ``covered`` rows. At least one
    candidate is always completed; a candidate cut short by the budget is left out (it would be
    compared on part of the rows only), and the leaderboard says what was tried.
    """
    board: list[dict[str, Any]] = []
    oofs: dict[str, np.ndarray] = {}

    def spent() -> bool:
        return bool(board) and time.perf_counter() - started > budget_s

    for name, learner, params in candidates:
        if spent():
            break
        t0 = time.perf_counter()
        oof = np.zeros(oof_shape)
        for train, test in folds:
            oof[test] = fit_predict(learner, params, train, test)
            if spent():
                break
        else:
            oofs[name] = oof
            board.append(
                {
                    "candidate": name,
                    "learner": learner,
                    **rank(oof),
                    "seconds": round(time.perf_counter() - t0, 3),
                }
            )
    return board, oofs


MIN_ROWS = 30
"""Fewest labelled rows a tabular model is trained on."""


def check_table(df: pd.DataFrame) -> pd.DataFrame:
    """Refuse tables a model cannot be read from: too few rows, repeated column names."""
    from openkamp.ml.errors import refuse

    if len(df) < MIN_ROWS:
        raise refuse(
            "too_few_rows",
            f"Only {len(df)} rows: at least {MIN_ROWS} are needed to train and check a model.",
            hint="Use a longer period or a larger file.",
            rows=len(df),
            need=MIN_ROWS,
        )
    repeated = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
    if repeated:
        raise refuse(
            "duplicate_columns",
            f"Columns appear twice: {', '.join(repeated)}.",
            hint="Give every column its own name.",
            columns=", ".join(repeated),
        )
    return df


def check_classes(y: np.ndarray, classes: np.ndarray, n_splits: int) -> None:
    """Refuse a target with one class, or a class too rare to be checked: each of the
    ``n_splits`` evaluation parts should hold at least two of its rows."""
    from openkamp.ml.errors import refuse

    if len(classes) < 2:
        raise refuse(
            "one_class",
            f"Every row has the same label ({classes[0] if len(classes) else '-'}): there is "
            "nothing to predict.",
            hint="Include rows of the other outcome (for example defective parts).",
            label=str(classes[0]) if len(classes) else "-",
        )
    need = 2 * n_splits
    values, counts = np.unique(y, return_counts=True)
    rare = int(np.argmin(counts))
    if counts[rare] < need:
        raise refuse(
            "too_few_of_class",
            f"Only {int(counts[rare])} rows are labelled {values[rare]!s}: at least {need} are "
            "needed to learn it and check the model on rows it did not see.",
            hint="Use a longer period with more such cases, or merge rare classes.",
            label=str(values[rare]),
            rows=int(counts[rare]),
            need=need,
        )


def no_inputs(prep: Prepared) -> Exception:
    """The refusal when no input column is left, naming why each was left out."""
    from openkamp.ml.errors import refuse

    gone = ", ".join([*prep.dropped]) or "-"
    return refuse(
        "no_inputs",
        f"No usable input column is left (left out: {gone}).",
        hint="Add process values measured before the outcome is known.",
        columns=gone,
    )
