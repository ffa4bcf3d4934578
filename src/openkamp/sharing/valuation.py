"""Valuation of pooled data: each owner's share of a model's validation metric (issue 11, item 6).

When a model is trained on rows pooled from several owners, the value of a *coalition* S of
owners is ``v(S)``: the validation metric of the same learner trained on the rows of the owners in
S only. An owner's share is its Shapley value, the average over all orders in which owners could
join of what its rows add when it joins:

    phi_i = sum over S not holding i of  |S|! (n - |S| - 1)! / n!  * (v(S + i) - v(S))

The shares sum to ``v(N) - v(empty)`` (efficiency), treat owners with the same rows alike
(symmetry) and give ~0 to rows that add nothing (null player), which is why settlement can split
a pooled model's revenue by them.

The coalition values ``v(S)`` (the learners, the validation set, the metrics and
``v(empty)``) are in :mod:`openkamp.sharing.coalitions`; the names are re-exported here.

Exact and Monte Carlo
---------------------
:func:`exact_shapley` evaluates all 2^n coalitions (the default up to 10 owners, allowed up to
20) and sums each owner's weighted marginal contributions with ``math.fsum``, so efficiency holds
to float rounding. Beyond that :func:`monte_carlo_shapley` samples random orders of the owners
(permutation sampling; antithetic pairs by default: an order and its reverse), reports each
owner's standard error and the number of orders, and stops at a target standard error, a number of
orders or a time budget. Every order's marginal contributions telescope to ``v(N) - v(empty)``, so
the estimates sum to it as well, without any normalisation. With ``truncation`` (TMC-Shapley) an
order stops once the coalition's value is within ``truncation * |v(N) - v(empty)|`` of ``v(N)``
and the later owners get 0 for it: far fewer trainings for a slow learner, and efficiency then
holds only within that tolerance.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from openkamp.core.errors import InvalidInput
from openkamp.sharing.coalitions import (
    METRICS,
    EstimatorScore,
    FitUtility,
    LdaUtility,
    OwnerRows,
    RidgeUtility,
    Utility,
    chance_value,
    naive_utility,
    score,
    split_validation,
)

__all__ = [
    "METRICS",
    "EstimatorScore",
    "FitUtility",
    "LdaUtility",
    "OwnerRows",
    "RidgeUtility",
    "Utility",
    "Valuation",
    "chance_value",
    "exact_shapley",
    "monte_carlo_shapley",
    "naive_utility",
    "score",
    "shapley",
    "split_validation",
]

EXACT_UP_TO = 10  # owners valued exactly by default (2^10 = 1,024 coalitions)
EXACT_MAX = 20  # 2^20 coalitions: the most exact_shapley accepts


@dataclass(frozen=True)
class Valuation:
    """Each owner's share of ``full_value - empty_value``.

    ``stderr``: the Monte Carlo standard error of each share (0 for exact); ``permutations``: the
    orders sampled (0 for exact); ``coalitions``: coalition values trained for this valuation
    (cache misses); ``converged``: the target standard error was reached (always for exact).
    """

    method: str
    metric: str
    owners: tuple[str, ...]
    shares: tuple[float, ...]
    stderr: tuple[float, ...]
    full_value: float
    empty_value: float
    coalitions: int
    permutations: int = 0
    seconds: float = 0.0
    converged: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """``v(N) - v(empty)``, what the shares add up to."""
        return self.full_value - self.empty_value

    def share(self, owner: str) -> float:
        return self.shares[self.owners.index(owner)]

    def max_stderr(self) -> float:
        return max(self.stderr)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (for the settlement's ``valuations`` record)."""
        return {
            "method": self.method,
            "metric": self.metric,
            "full_value": self.full_value,
            "empty_value": self.empty_value,
            "total": self.total,
            "coalitions": self.coalitions,
            "permutations": self.permutations,
            "seconds": self.seconds,
            "converged": self.converged,
            "owners": [
                {"owner": o, "share": s, "stderr": e}
                for o, s, e in zip(self.owners, self.shares, self.stderr, strict=True)
            ],
        }


def _weights(n: int) -> np.ndarray:
    """Shapley weight of a coalition of size s not holding the owner: s! (n-s-1)! / n!."""
    return np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)])


def exact_shapley(utility: Utility, *, max_owners: int = EXACT_MAX) -> Valuation:
    """Exact Shapley values over all 2^n coalitions (see the module docstring)."""
    n = utility.n
    if n > max_owners:
        raise InvalidInput(
            f"Exact Shapley values of {n} owners need 2^{n} trainings; the limit is {max_owners}.",
            hint="Use monte_carlo_shapley (or shapley) beyond it.",
            code="sharing.valuation.too_many_owners",
            params={"owners": n, "limit": max_owners},
        )
    t0 = time.perf_counter()
    before = utility.evaluated
    all_masks = np.arange(1 << n, dtype=np.int64)
    v = utility.values(all_masks.tolist())
    size = np.zeros(1 << n, dtype=np.int64)
    for i in range(n):
        size += (all_masks >> i) & 1
    w = _weights(n)
    shares = []
    for i in range(n):
        without = all_masks[((all_masks >> i) & 1) == 0]
        terms = w[size[without]] * (v[without | (1 << i)] - v[without])
        shares.append(math.fsum(terms.tolist()))
    return Valuation(
        method="exact",
        metric=utility.metric,
        owners=utility.owners,
        shares=tuple(shares),
        stderr=(0.0,) * n,
        full_value=float(v[-1]),
        empty_value=float(v[0]),
        coalitions=utility.evaluated - before,
        seconds=time.perf_counter() - t0,
    )


def monte_carlo_shapley(
    utility: Utility,
    *,
    target_stderr: float | None = None,
    max_permutations: int = 10_000,
    max_seconds: float | None = None,
    min_permutations: int = 64,
    batch: int = 32,
    antithetic: bool = True,
    truncation: float = 0.0,
    seed: int = 0,
) -> Valuation:
    """Shapley values estimated from random orders of the owners (see the module docstring).

    Stops when every owner's standard error is at most ``target_stderr`` (metric units; checked
    after ``min_permutations``), or after ``max_permutations`` orders, or ``max_seconds``.
    ``batch`` orders are evaluated together (antithetic: half of them are the reverses of the
    other half, and an order and its reverse count as one sample).
    """
    if max_permutations < 2 or batch < 2 or not 0.0 <= truncation < 1.0:
        raise InvalidInput(
            "max_permutations and batch must be at least 2 and truncation in [0, 1).",
            code="sharing.valuation.monte_carlo",
        )
    t0 = time.perf_counter()
    before = utility.evaluated
    n = utility.n
    rng = np.random.default_rng(seed)
    empty = utility.empty
    full = float(utility.values([utility.full])[0])
    samples: list[np.ndarray] = []  # one row of marginal contributions per sample
    done = 0
    converged = False
    stderr = np.full(n, np.inf)
    while done < max_permutations:
        k = min(batch, max_permutations - done)
        if antithetic:
            half = max(1, k // 2)
            orders = rng.permuted(np.tile(np.arange(n), (half, 1)), axis=1)
            orders = np.concatenate([orders, orders[:, ::-1]])
        else:
            orders = rng.permuted(np.tile(np.arange(n), (k, 1)), axis=1)
        marg = _marginals(utility, orders, empty, full, truncation)
        if antithetic:
            h = len(orders) // 2
            marg = 0.5 * (marg[:h] + marg[h:])
        samples.append(marg)
        done += len(orders)
        m = sum(len(s) for s in samples)
        if m >= 2:
            stderr = np.concatenate(samples).std(axis=0, ddof=1) / math.sqrt(m)
        reached = target_stderr is not None and float(stderr.max()) <= target_stderr
        if reached and done >= min_permutations:
            converged = True
            break
        if max_seconds is not None and time.perf_counter() - t0 >= max_seconds:
            break
    allm = np.concatenate(samples)
    shares = tuple(math.fsum(allm[:, i].tolist()) / len(allm) for i in range(n))
    return Valuation(
        method="monte_carlo",
        metric=utility.metric,
        owners=utility.owners,
        shares=shares,
        stderr=tuple(float(e) for e in stderr),
        full_value=full,
        empty_value=empty,
        coalitions=utility.evaluated - before,
        permutations=done,
        seconds=time.perf_counter() - t0,
        converged=converged,
        extra={"antithetic": antithetic, "truncation": truncation, "samples": len(allm)},
    )


def _marginals(
    utility: Utility, orders: np.ndarray, empty: float, full: float, truncation: float
) -> np.ndarray:
    """Marginal contributions (orders x owners) of each owner where it joins each order."""
    p, n = orders.shape
    out = np.zeros((p, n))
    if truncation == 0.0:
        prefix = np.cumsum(np.left_shift(1, orders.astype(object)), axis=1) if n > 62 else (
            np.cumsum(np.left_shift(np.int64(1), orders.astype(np.int64)), axis=1)
        )  # fmt: skip
        v = utility.values(prefix.ravel().tolist()).reshape(p, n)
        prev = np.concatenate([np.full((p, 1), empty), v[:, :-1]], axis=1)
        np.put_along_axis(out, orders, v - prev, axis=1)
        return out
    tol = truncation * abs(full - empty)
    for r, order in enumerate(orders):
        mask, last = 0, empty
        for owner in order:
            if abs(full - last) <= tol:
                break  # the rest add (almost) nothing to this order
            mask |= 1 << int(owner)
            cur = float(utility.values([mask])[0])
            out[r, owner] = cur - last
            last = cur
    return out


def shapley(utility: Utility, *, exact_up_to: int = EXACT_UP_TO, **monte_carlo: Any) -> Valuation:
    """Exact Shapley values up to ``exact_up_to`` owners, a Monte Carlo estimate beyond
    (``monte_carlo`` are :func:`monte_carlo_shapley`'s options)."""
    if utility.n <= exact_up_to:
        return exact_shapley(utility, max_owners=max(exact_up_to, 1))
    return monte_carlo_shapley(utility, **monte_carlo)
