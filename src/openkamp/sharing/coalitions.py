"""Coalition values for the valuation of pooled data (issue 11, item 6): ``v(S)``, the
validation metric of a learner trained on the rows of the owners in coalition S (see
:mod:`openkamp.sharing.valuation` for the Shapley shares built on them).

What is measured, and why
-------------------------
* **The validation set** (an :class:`OwnerRows`) belongs to the consumer: it is the data the model
  is meant for, and no owner's rows are judged on themselves. Without one,
  :func:`split_validation` holds out the same random fraction of every owner's rows, so the
  validation set follows the pooled data and every owner gives to it in proportion to its rows.
* **The empty coalition.** With no rows the model knows only what the consumer knows: its own
  validation set. ``v(empty)`` is the metric of the best constant: the validation mean for R^2
  (so 0) and negative RMSE (minus the validation standard deviation); any single class for
  balanced accuracy (1/K for K validation classes). A coalition whose rows hold a single class
  predicts that class, as a constant does.
* **Metrics.** Regression: ``r2`` (default) or ``neg_rmse``; classification (defect or failure
  mode): ``balanced_accuracy``, the mean recall over the validation's classes, so a rare failure
  mode counts as much as the common "no defect" class and an owner whose rows alone cover one is
  seen.

The fast path: learners fitted from per-owner sufficient statistics
-----------------------------------------------------------------
Exact Shapley over n owners needs all 2^n coalition values. Training a model from the pooled rows
of each coalition is the naive way (:func:`naive_utility`); here the learner's fit is a function of
sums over rows, computed once per owner, so a coalition costs summing n small matrices, a d x d
solve and scoring the validation set, whatever the row count. Batches of coalitions are solved
together (numpy's batched ``solve``). The models are the standard ones, exactly:

* :class:`RidgeUtility` - ``make_pipeline(StandardScaler(), Ridge(alpha))`` (scikit-learn):
  ``beta = (C + alpha diag(var))^-1 c`` from the coalition's centred cross-products ``C = X'X -
  n m m'`` and ``c = X'y - n m ybar``, the standardisation folded into the penalty.
* :class:`LdaUtility` - ``make_pipeline(StandardScaler(), LinearDiscriminantAnalysis(
  solver="lsqr", shrinkage=s, priors=uniform))``: class means and the prior-weighted, shrunk class
  covariances from per-owner, per-class counts, sums and cross-products. Uniform priors over the
  classes the coalition holds, so a rare failure mode is predicted when the rows support it.

Owners' sums are taken after shifting and scaling every feature by the validation set's mean and
standard deviation: the model is the same (standardisation undoes it) and the cross-products stay
well conditioned. The naive baseline trains the scikit-learn pipelines above on the concatenated
rows; the two agree to rounding (tests/sharing/test_valuation.py, bench/sharing.py).

Any other learner (a platform standard model, any scikit-learn estimator, or a function) goes
through :class:`FitUtility`: ``fit_score(X, y) -> metric`` on the pooled rows of each coalition,
with the coalition values cached and optionally computed in worker processes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from openkamp.core.errors import InvalidInput

__all__ = [
    "METRICS",
    "EstimatorScore",
    "FitUtility",
    "LdaUtility",
    "OwnerRows",
    "RidgeUtility",
    "Utility",
    "chance_value",
    "naive_utility",
    "score",
    "split_validation",
]

#: Metrics by task; higher is better for all of them.
METRICS: dict[str, tuple[str, ...]] = {
    "regression": ("r2", "neg_rmse"),
    "classification": ("balanced_accuracy",),
}
_CONSTANT_VAR = 1e-14  # a feature whose standardised variance is below this is constant


# ---------------------------------------------------------------------------------------------
# Rows and metrics


@dataclass(frozen=True)
class OwnerRows:
    """One owner's rows: features ``X`` (rows x features, float) and target ``y``.

    Also the validation set (named after whoever holds it, e.g. the consumer).
    """

    name: str
    X: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        y = np.asarray(self.y)
        if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
            raise InvalidInput(
                f"Owner {self.name!r}: X must be rows x features and y one value per row "
                f"(got {X.shape} and {y.shape}).",
                code="sharing.valuation.shape",
                params={"owner": self.name},
            )
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return len(self.y)

    @classmethod
    def from_frame(cls, name: str, frame: Any, features: Sequence[str], target: str) -> OwnerRows:
        """From a DataFrame: ``features`` as X, ``target`` as y."""
        return cls(name, frame[list(features)].to_numpy(dtype=np.float64), frame[target].to_numpy())


def split_validation(
    owners: Sequence[OwnerRows], fraction: float = 0.2, seed: int = 0, name: str = "holdout"
) -> tuple[list[OwnerRows], OwnerRows]:
    """Hold out the same random ``fraction`` of every owner's rows as the validation set.

    For when the consumer has no validation set of its own: the held-out rows follow the pooled
    data and each owner gives to them in proportion to its rows. Returns the owners' remaining
    rows and the validation set.
    """
    if not 0.0 < fraction < 1.0:
        raise InvalidInput(
            f"The validation fraction must be between 0 and 1, got {fraction}.",
            code="sharing.valuation.fraction",
            params={"fraction": fraction},
        )
    rng = np.random.default_rng(seed)
    kept, held_X, held_y = [], [], []
    for o in owners:
        out = rng.random(len(o)) < fraction
        kept.append(OwnerRows(o.name, o.X[~out], o.y[~out]))
        held_X.append(o.X[out])
        held_y.append(o.y[out])
    return kept, OwnerRows(name, np.concatenate(held_X), np.concatenate(held_y))


def _task(metric: str) -> str:
    for task, names in METRICS.items():
        if metric in names:
            return task
    raise InvalidInput(
        f"Unknown metric {metric!r}.",
        hint=f"Use one of {[m for names in METRICS.values() for m in names]}.",
        code="sharing.valuation.metric",
        params={"metric": metric},
    )


def score(metric: str, y_true: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """The metric of predictions ``pred`` (rows, or rows x models: one value per model)."""
    pred = np.asarray(pred)
    one = pred.ndim == 1
    P = pred.reshape(len(pred), -1)
    y = np.asarray(y_true)
    if metric == "balanced_accuracy":
        recalls = [(P[y == c] == c).mean(axis=0) for c in np.unique(y)]
        out = np.mean(recalls, axis=0)
    else:
        yf = y.astype(np.float64)
        sse = ((yf[:, None] - P) ** 2).sum(axis=0)
        if metric == "r2":
            out = 1.0 - sse / ((yf - yf.mean()) ** 2).sum()
        elif metric == "neg_rmse":
            out = -np.sqrt(sse / len(yf))
        else:
            _task(metric)
    return np.asarray(out[0] if one else out, dtype=np.float64)


def chance_value(metric: str, y_val: np.ndarray) -> float:
    """``v(empty)``: the metric of the best constant knowing only the validation set."""
    y = np.asarray(y_val)
    if metric == "balanced_accuracy":
        return 1.0 / len(np.unique(y))
    pred = np.full(len(y), np.asarray(y, dtype=np.float64).mean())
    return float(score(metric, y, pred))


# ---------------------------------------------------------------------------------------------
# Utilities: v(S) for coalitions given as bit masks (bit i = owner i)


def _members(masks: Sequence[int], n: int) -> np.ndarray:
    """Coalitions as a 0/1 matrix (coalitions x owners)."""
    if n <= 62:
        m = np.asarray(masks, dtype=np.int64)
        return ((m[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)
    return np.array([[(m >> i) & 1 for i in range(n)] for m in masks], dtype=np.float64)


class Utility(ABC):
    """``v(S)``: the validation metric of a learner trained on coalition S's rows.

    Coalitions are bit masks (bit i for ``owners[i]``); values are cached, so an exact valuation
    and a Monte Carlo one on the same utility share what was computed. ``evaluated`` counts the
    coalitions actually trained.
    """

    def __init__(self, owners: Sequence[str], metric: str, empty: float) -> None:
        if len(owners) < 1 or len(set(owners)) != len(owners):
            raise InvalidInput(
                "Valuation needs at least one owner, each named once.",
                code="sharing.valuation.owners",
            )
        self.owners = tuple(owners)
        self.metric = metric
        self.empty = float(empty)
        self.evaluated = 0
        self._cache: dict[int, float] = {0: self.empty}

    @property
    def n(self) -> int:
        return len(self.owners)

    @property
    def full(self) -> int:
        """The mask of all owners."""
        return (1 << self.n) - 1

    def values(self, masks: Iterable[int]) -> np.ndarray:
        """``v`` of each coalition (bit masks), from the cache or trained now."""
        masks = [int(m) for m in masks]
        todo = sorted({m for m in masks if m not in self._cache})
        if todo:
            got = np.asarray(self._evaluate(todo), dtype=np.float64)
            self.evaluated += len(todo)
            self._cache.update(zip(todo, got.tolist(), strict=True))
        return np.array([self._cache[m] for m in masks], dtype=np.float64)

    def value(self, owners: Iterable[int | str]) -> float:
        """``v`` of a coalition given by owner indexes or names."""
        mask = 0
        for o in owners:
            mask |= 1 << (self.owners.index(o) if isinstance(o, str) else int(o))
        return float(self.values([mask])[0])

    @abstractmethod
    def _evaluate(self, masks: list[int]) -> np.ndarray:
        """Values of non-empty coalitions not yet in the cache."""


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    return np.stack(parts).reshape(len(parts), -1)


class _StatsUtility(Utility):
    """A utility whose learner is fitted from per-owner sums (see the module docstring)."""

    def __init__(
        self, owners: Sequence[OwnerRows], validation: OwnerRows, metric: str, chunk: int
    ) -> None:
        if _task(metric) != self.task:
            raise InvalidInput(
                f"The metric {metric!r} is not a {self.task} metric.",
                hint=f"Use one of {list(METRICS[self.task])}.",
                code="sharing.valuation.metric",
                params={"metric": metric},
            )
        d = validation.X.shape[1]
        bad = [o.name for o in owners if o.X.shape[1] != d]
        if bad:
            raise InvalidInput(
                f"Owners {bad} do not have the validation set's {d} features.",
                code="sharing.valuation.features",
                params={"owners": ", ".join(bad), "features": d},
            )
        super().__init__([o.name for o in owners], metric, chance_value(metric, validation.y))
        self.chunk = chunk
        self.rows = list(owners)  # kept for naive_utility (references, not copies)
        self.validation = validation
        # Shift and scale by the validation set: the same model, better conditioned sums.
        self._shift = validation.X.mean(axis=0)
        sd = validation.X.std(axis=0)
        self._scale = np.where(sd > 0, sd, 1.0)
        self._Xv = (validation.X - self._shift) / self._scale
        self._yv = validation.y
        self._d = d

    task = ""

    def _x(self, o: OwnerRows) -> np.ndarray:
        return (o.X - self._shift) / self._scale

    def _evaluate(self, masks: list[int]) -> np.ndarray:
        out = [
            self._batch(_members(masks[i : i + self.chunk], self.n))
            for i in range(0, len(masks), self.chunk)
        ]
        return np.concatenate(out)

    @abstractmethod
    def _batch(self, M: np.ndarray) -> np.ndarray: ...


def _standardise(n: np.ndarray, sx: np.ndarray, Sxx: np.ndarray) -> tuple[np.ndarray, ...]:
    """Means, centred cross-products and the StandardScaler variance (1 for constant features;
    scikit-learn's rule) of coalitions from their row count, sums and cross-products."""
    m = sx / n[:, None]
    C = Sxx - n[:, None, None] * m[:, :, None] * m[:, None, :]
    var = np.einsum("bii->bi", C) / n[:, None]
    var = np.where(var > _CONSTANT_VAR, var, 1.0)
    return m, C, var


class RidgeUtility(_StatsUtility):
    """Ridge regression (``StandardScaler`` + ``Ridge(alpha)``) fitted from per-owner sums.

    ``metric``: ``r2`` or ``neg_rmse`` on ``validation``. ``chunk`` coalitions are solved at once.
    """

    task = "regression"

    def __init__(
        self,
        owners: Sequence[OwnerRows],
        validation: OwnerRows,
        *,
        alpha: float = 1.0,
        metric: str = "r2",
        chunk: int = 256,
    ) -> None:
        if not alpha > 0:
            raise InvalidInput(
                f"alpha must be positive, got {alpha}.",
                code="sharing.valuation.alpha",
                params={"alpha": alpha},
            )
        super().__init__(owners, validation, metric, chunk)
        self.alpha = alpha
        self._yshift = float(np.mean(validation.y.astype(np.float64)))
        xs = [self._x(o) for o in owners]
        ys = [o.y.astype(np.float64) - self._yshift for o in owners]
        self._n = np.array([len(o) for o in owners], dtype=np.float64)
        self._sx = np.stack([x.sum(axis=0) for x in xs])
        self._Sxx = _stack([x.T @ x for x in xs])
        self._sy = np.array([y.sum() for y in ys])
        self._Sxy = np.stack([x.T @ y for x, y in zip(xs, ys, strict=True)])

    def _batch(self, M: np.ndarray) -> np.ndarray:
        d = self._d
        n = M @ self._n
        sx, sy, Sxy = M @ self._sx, M @ self._sy, M @ self._Sxy
        m, C, var = _standardise(n, sx, (M @ self._Sxx).reshape(-1, d, d))
        ybar = sy / n
        c = Sxy - n[:, None] * m * ybar[:, None]
        A = C + self.alpha * var[:, :, None] * np.eye(d)
        beta = np.linalg.solve(A, c[:, :, None])[:, :, 0]
        b0 = ybar - np.einsum("bi,bi->b", m, beta) + self._yshift
        return score(self.metric, self._yv, self._Xv @ beta.T + b0)


class LdaUtility(_StatsUtility):
    """Linear discriminant analysis with uniform priors (``StandardScaler`` +
    ``LinearDiscriminantAnalysis(solver="lsqr", shrinkage)``) fitted from per-owner, per-class
    sums; ``metric``: ``balanced_accuracy`` on ``validation``."""

    task = "classification"

    def __init__(
        self,
        owners: Sequence[OwnerRows],
        validation: OwnerRows,
        *,
        shrinkage: float = 0.1,
        metric: str = "balanced_accuracy",
        chunk: int = 32,
    ) -> None:
        if not 0.0 < shrinkage <= 1.0:
            raise InvalidInput(
                f"shrinkage must be in (0, 1], got {shrinkage}.",
                code="sharing.valuation.shrinkage",
                params={"shrinkage": shrinkage},
            )
        super().__init__(owners, validation, metric, chunk)
        self.shrinkage = shrinkage
        self.classes = np.unique(np.concatenate([validation.y, *[o.y for o in owners]]))
        K, d = len(self.classes), self._d
        self._nk = np.zeros((self.n, K))
        self._sxk = np.zeros((self.n, K * d))
        self._Sxxk = np.zeros((self.n, K * d * d))
        for i, o in enumerate(owners):
            x = self._x(o)
            k = np.searchsorted(self.classes, o.y)
            for j in np.unique(k):
                xj = x[k == j]
                self._nk[i, j] = len(xj)
                self._sxk[i, j * d : (j + 1) * d] = xj.sum(axis=0)
                self._Sxxk[i, j * d * d : (j + 1) * d * d] = (xj.T @ xj).ravel()
        self._yk = np.searchsorted(self.classes, validation.y)
        self._Xv1 = np.column_stack([self._Xv, np.ones(len(self._Xv))])

    def _batch(self, M: np.ndarray) -> np.ndarray:
        K, d, s = len(self.classes), self._d, self.shrinkage
        b = len(M)
        nk = M @ self._nk  # b x K
        sxk = (M @ self._sxk).reshape(b, K, d)
        Sxxk = (M @ self._Sxxk).reshape(b, K, d, d)
        n = nk.sum(axis=1)
        m, _, var = _standardise(n, sxk.sum(axis=1), Sxxk.sum(axis=1))
        sd = np.sqrt(var)
        present = nk > 0
        safe = np.where(present, nk, 1.0)
        mk = sxk / safe[:, :, None]  # class means, shifted units
        # Class covariances (ML, as empirical_covariance) in standardised units, shrunk towards
        # a multiple of the identity, then weighted by the uniform priors of present classes.
        ck = (Sxxk - nk[:, :, None, None] * mk[:, :, :, None] * mk[:, :, None, :]) / safe[
            :, :, None, None
        ]
        ck = ck / (sd[:, None, :, None] * sd[:, None, None, :])
        mu = np.einsum("bkii->bk", ck) / d
        shrunk = (1.0 - s) * ck + s * mu[:, :, None, None] * np.eye(d)
        prior = present / present.sum(axis=1, keepdims=True)
        cov = np.einsum("bk,bkij->bij", prior, shrunk)
        means = (mk - m[:, None, :]) / sd[:, None, :]  # b x K x d, standardised
        coef = np.linalg.solve(cov, means.transpose(0, 2, 1))  # b x d x K
        intercept = -0.5 * np.einsum("bkd,bdk->bk", means, coef) + np.log(
            np.where(present, prior, 1.0)
        )
        # Scores of the validation rows: ((x - m) / sd) @ coef + intercept, folded into one
        # matrix product over the whole batch (the intercept through a column of ones; a class
        # the coalition lacks gets an intercept no score can reach). Scoring is most of the
        # cost, and one pass over the scores is what memory bandwidth allows.
        W = coef / sd[:, :, None]
        b0 = intercept - np.einsum("bd,bdk->bk", m, W)
        b0 = np.where(present, b0, -1e300)
        Wa = np.concatenate([W, b0[:, None, :]], axis=1)  # b x (d + 1) x K
        scores = self._Xv1 @ Wa.transpose(1, 0, 2).reshape(d + 1, b * K)
        pred = scores.reshape(-1, b, K).argmax(axis=2)  # ties to the first class, as sklearn
        single = present.sum(axis=1) < 2  # one class seen: predict it (a constant)
        if single.any():
            pred[:, single] = present[single].argmax(axis=1)
        return score(self.metric, self._yk, pred)


# ---------------------------------------------------------------------------------------------
# Any learner: fit_score(X, y) -> metric on the pooled rows of each coalition


class EstimatorScore:
    """``fit_score`` for any scikit-learn estimator (the platform's standard models follow the
    contract): a clone trained on the coalition's rows, its ``metric`` on ``validation``.

    A classifier whose training rows hold one class predicts it (``v`` of a constant). Picklable,
    so coalitions can be trained in worker processes.
    """

    def __init__(self, estimator: Any, validation: OwnerRows, metric: str) -> None:
        _task(metric)
        self.estimator = estimator
        self.validation = validation
        self.metric = metric

    def __call__(self, X: np.ndarray, y: np.ndarray) -> float:
        from sklearn.base import clone

        yv = self.validation.y
        if self.metric == "balanced_accuracy" and len(np.unique(y)) < 2:
            return float(score(self.metric, yv, np.full(len(yv), y[0], dtype=y.dtype)))
        model = clone(self.estimator).fit(X, y)
        return float(score(self.metric, yv, model.predict(self.validation.X)))


_WORKER: dict[str, Any] = {}


def _worker_init(owners: Sequence[OwnerRows], fit_score: Callable[..., float]) -> None:
    _WORKER["owners"], _WORKER["fit_score"] = owners, fit_score


def _fit_coalition(mask: int) -> float:
    return _pooled_value(_WORKER["owners"], _WORKER["fit_score"], mask)


def _pooled_value(
    owners: Sequence[OwnerRows], fit_score: Callable[[np.ndarray, np.ndarray], float], mask: int
) -> float:
    chosen = [o for i, o in enumerate(owners) if mask >> i & 1]
    X = np.concatenate([o.X for o in chosen])
    y = np.concatenate([o.y for o in chosen])
    return float(fit_score(X, y))


class FitUtility(Utility):
    """``v(S) = fit_score(X_S, y_S)`` on the concatenated rows of the coalition's owners.

    ``empty`` is ``v(empty)`` (a learner cannot be trained on no rows; :func:`chance_value` gives
    the constant-prediction value). With ``workers`` > 1 coalitions are trained in that many
    processes (``fit_score`` must then be picklable: a module-level function or an
    :class:`EstimatorScore`).
    """

    def __init__(
        self,
        owners: Sequence[OwnerRows],
        fit_score: Callable[[np.ndarray, np.ndarray], float],
        *,
        empty: float,
        metric: str = "",
        workers: int = 1,
    ) -> None:
        super().__init__([o.name for o in owners], metric, empty)
        self.rows = list(owners)
        self.fit_score = fit_score
        self.workers = workers

    def _evaluate(self, masks: list[int]) -> np.ndarray:
        if self.workers > 1 and len(masks) > 1:
            with ProcessPoolExecutor(
                self.workers, initializer=_worker_init, initargs=(self.rows, self.fit_score)
            ) as pool:
                chunk = max(1, len(masks) // (4 * self.workers))
                return np.array(list(pool.map(_fit_coalition, masks, chunksize=chunk)))
        return np.array([_pooled_value(self.rows, self.fit_score, m) for m in masks])


def naive_utility(fast: RidgeUtility | LdaUtility, *, workers: int = 1) -> FitUtility:
    """The baseline of a fast utility: the same scikit-learn pipeline trained on the
    concatenated rows of every coalition, scored on the same validation set."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if isinstance(fast, RidgeUtility):
        model: Any = make_pipeline(StandardScaler(), Ridge(alpha=fast.alpha))
    else:
        model = make_pipeline(
            StandardScaler(),
            LinearDiscriminantAnalysis(solver="lsqr", shrinkage=fast.shrinkage),
        )
    fit_score = _UniformPriors(model, fast.validation, fast.metric)
    return FitUtility(fast.rows, fit_score, empty=fast.empty, metric=fast.metric, workers=workers)


class _UniformPriors(EstimatorScore):
    """An EstimatorScore that gives an LDA step uniform priors over the classes it is fitted on."""

    def __call__(self, X: np.ndarray, y: np.ndarray) -> float:
        steps = getattr(self.estimator, "steps", [])
        if steps and hasattr(steps[-1][1], "priors") and len(np.unique(y)) >= 2:
            k = len(np.unique(y))
            self.estimator.set_params(**{f"{steps[-1][0]}__priors": np.full(k, 1.0 / k)})
        return super().__call__(X, y)
