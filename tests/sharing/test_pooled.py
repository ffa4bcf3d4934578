"""Pooled compute-to-data's valuation and views as functions (issue 11, item 6): the owners'
contributions for a regression (ridge, R²) and beyond the exact limit (Monte Carlo with standard
errors), and the payment weights a valuation shows (negative shares weigh 0; none positive:
equal weights, the settlement's rule). The journey through the API is test_pooled_api.py."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from openkamp.core.errors import InvalidInput
from openkamp.sharing.pooled import contributions
from openkamp.sharing.pooled_views import valuation_view
from openkamp.sharing.settlement import split_by_shares

from .pooled_support import PROCESS, TARGET, shots

FEATURES = list(PROCESS)


def strength(rows: int, seed: int, *, noise: bool = False) -> pd.DataFrame:
    """Shots with a measured strength linear in three process values (plus noise); ``noise``:
    the strengths shuffled."""
    frame = shots(rows, seed)
    z = (frame[FEATURES] - frame[FEATURES].mean()) / frame[FEATURES].std()
    rng = np.random.default_rng(seed + 100)
    value = 50 + 3 * z["사출압력"] - 2 * z["금형온도"] + z["냉각시간"] + rng.normal(0, 1, rows)
    frame["강도"] = rng.permutation(value.to_numpy()) if noise else value
    return frame


def test_a_regression_values_owners_by_r2_on_the_consumers_validation_data() -> None:
    frames = [("a", strength(2000, 1)), ("b", strength(2000, 2)),
              ("n", strength(2000, 3, noise=True))]  # fmt: skip
    v = contributions(frames, FEATURES, "강도", "regress", validation=strength(1000, 99))
    a, b, n = v.shares
    assert v.method == "exact" and v.metric == "r2" and v.empty_value == pytest.approx(0.0)
    assert abs(math.fsum(v.shares) - v.total) <= 1e-12 and v.full_value > 0.6
    # noise strengths flatten the fitted slopes: the noise owner made the model worse (a
    # negative share, so it earns nothing of a payment); the two real owners alike
    assert n < 0 and abs(n) <= 0.35 * min(a, b) and abs(a - b) <= 0.05 * min(a, b)
    split = split_by_shares(1_000_001, dict(zip("abn", v.shares, strict=True)))
    assert split["n"] == 0 and sum(split.values()) == 1_000_001


def test_on_a_held_out_fifth_the_noise_owners_rows_are_part_of_the_validation() -> None:
    # Without the consumer's own rows, every owner's held-out fifth validates, the noise
    # owner's too: there, predictions shrunk towards the mean score better, and the noise
    # rows shrink them, so its share is positive (about 0.07 against 0.175). Still well below
    # the real owners': why a consumer with rows of its own should name them.
    frames = [("a", strength(2000, 1)), ("b", strength(2000, 2)),
              ("n", strength(2000, 3, noise=True))]  # fmt: skip
    v = contributions(frames, FEATURES, "강도", "regress")
    a, b, n = v.shares
    assert abs(math.fsum(v.shares) - v.total) <= 1e-12
    assert 0 < n < 0.5 * min(a, b) and abs(a - b) <= 0.05 * min(a, b)


def test_beyond_the_exact_limit_a_monte_carlo_estimate_with_standard_errors() -> None:
    frames = [(f"o{i}", shots(300, 40 + i, noise=i >= 9)) for i in range(12)]
    v = contributions(frames, FEATURES, TARGET, "classify", seed=3,
                      monte_carlo={"max_permutations": 400, "max_seconds": 60})  # fmt: skip
    assert v.method == "monte_carlo" and v.permutations >= 64 and len(v.shares) == 12
    assert all(e > 0 for e in v.stderr)
    # every order's contributions telescope: the estimate sums to v(all) - v(none)
    assert abs(math.fsum(v.shares) - v.total) <= 1e-9
    real, noise = np.mean(v.shares[:9]), np.mean(v.shares[9:])
    assert real > noise


def test_too_little_validation_data_is_refused_with_its_code() -> None:
    frames = [("a", shots(20, 1)), ("b", shots(20, 2))]
    with pytest.raises(InvalidInput) as err:
        contributions(frames, FEATURES, TARGET, "classify")
    assert err.value.code == "sharing.pooled.validation"
    with pytest.raises(InvalidInput) as err:
        contributions(frames, FEATURES, TARGET, "forecast")
    assert err.value.code == "sharing.pooled.task"


def _valuation(shares: dict[int, float]) -> SimpleNamespace:
    return SimpleNamespace(
        id=1, pooled_ref="pooled:9", consumer_org_id=2, method="exact",
        metric="balanced_accuracy", full_value=0.8, samples=None, std_errors=None,
        shares=shares, created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("shares", "weights"),
    [
        ({3: 0.15, 4: 0.15, 5: -0.04}, {3: 0.5, 4: 0.5, 5: 0.0}),
        ({3: 0.3, 4: 0.1}, {3: 0.75, 4: 0.25}),
        ({3: -0.01, 4: 0.0, 5: -0.2}, {3: 1 / 3, 4: 1 / 3, 5: 1 / 3}),  # none positive: equal
    ],
)
def test_payment_weights_follow_the_settlement_rule(
    shares: dict[int, float], weights: dict[int, float]
) -> None:
    names = {2: "cons", 3: "a", 4: "b", 5: "n"}
    view = valuation_view(None, _valuation(shares), None, names=names)
    got = {o["org_id"]: o["weight"] for o in view["owners"]}
    assert got == pytest.approx(weights)
    assert view["consumer"] == "cons" and view["total"] == pytest.approx(sum(shares.values()))
    # the weights are those the payment is split by, to the won
    split = split_by_shares(1_000_001, shares)
    assert sum(split.values()) == 1_000_001
    for k, part in split.items():
        assert abs(int(part) - 1_000_001 * weights[k]) <= 1
