"""Valuation of pooled data (issue 11, item 6): Shapley shares with answers known by construction.

Data: :mod:`openkamp.sim.owners`, injection-moulding shots whose defect types move the signals as
the simulator's defect model does; the consumer's validation set covers every defect type. The
learner is linear discriminant analysis with uniform priors and the metric balanced accuracy
(chance: 1/5), unless a test says otherwise.
"""

from __future__ import annotations

import numpy as np
import pytest

from openkamp.core.errors import InvalidInput
from openkamp.sharing.valuation import (
    EstimatorScore,
    FitUtility,
    LdaUtility,
    OwnerRows,
    RidgeUtility,
    chance_value,
    exact_shapley,
    monte_carlo_shapley,
    naive_utility,
    shapley,
    split_validation,
)
from openkamp.sim.owners import FEATURES, TARGET, OwnerSpec, pooled_shots

# Owners a, b and c do not record burns; "failure" is the only one whose data covers them.
NO_BURN = ("short_shot", "flash", "sink_mark")


def rows(specs: list[OwnerSpec]) -> list[OwnerRows]:
    return [OwnerRows.from_frame(k, v, FEATURES, TARGET) for k, v in pooled_shots(specs).items()]


def consumer(seed: int = 99, n: int = 10_000) -> OwnerRows:
    return rows([OwnerSpec("consumer", n, seed)])[0]


@pytest.fixture(scope="module")
def pool() -> tuple[list[OwnerRows], OwnerRows]:
    owners = rows([
        OwnerSpec("a", 3000, 1, covers=NO_BURN),
        OwnerSpec("b", 2000, 2, covers=NO_BURN),
        OwnerSpec("c", 3000, 3, covers=NO_BURN, label_noise=0.3),  # careless inspection
        OwnerSpec("failure", 3000, 4),  # the only one that records burns
        OwnerSpec("twin", 3000, 1, covers=NO_BURN),  # the very rows of "a"
        OwnerSpec("noise", 1000, 5, pure_noise=True),  # 7 % of the pooled rows
    ])  # fmt: skip
    return owners, consumer()


@pytest.fixture(scope="module")
def exact(pool: tuple[list[OwnerRows], OwnerRows]):  # type: ignore[no-untyped-def]
    return exact_shapley(LdaUtility(*pool))


def test_efficiency_exact(exact) -> None:  # type: ignore[no-untyped-def]
    # The shares add up to v(N) - v(empty); the pooled model is well above chance.
    assert exact.empty_value == pytest.approx(1 / 5)
    assert exact.full_value > 0.8
    assert abs(sum(exact.shares) - exact.total) <= 1e-12 * abs(exact.total)
    assert exact.coalitions == 2**6 - 1 and exact.method == "exact"


def test_identical_owners_get_equal_shares(exact) -> None:  # type: ignore[no-untyped-def]
    assert abs(exact.share("a") - exact.share("twin")) <= 1e-12


def test_only_owner_covering_a_failure_mode_gets_the_largest_share(exact) -> None:  # type: ignore[no-untyped-def]
    others = [s for o, s in zip(exact.owners, exact.shares, strict=True) if o != "failure"]
    assert exact.share("failure") > 2 * max(others)
    # Careless inspection (30 % of labels random) is worth less than the same amount of good data.
    assert exact.share("c") < exact.share("a")


def test_pure_noise_owner_gets_about_nothing(exact) -> None:  # type: ignore[no-untyped-def]
    # Noise rows dilute the others' class means, so the share is slightly negative; it grows
    # with the noise owner's fraction of the rows (about -2 % of the total at 2 % of the rows,
    # -8 % at 18 %). Tolerance: a tenth of the total at 7 % of the rows.
    assert abs(exact.share("noise")) <= 0.1 * exact.total
    assert exact.share("noise") < min(s for o, s in zip(exact.owners, exact.shares, strict=True)
                                      if o != "noise")  # fmt: skip


def test_all_owners_pure_noise() -> None:
    owners = rows([OwnerSpec(f"n{i}", 2000, 10 + i, pure_noise=True) for i in range(5)])
    v = exact_shapley(LdaUtility(owners, consumer()))
    # Chance is 0.2 and the same rows with their signal are worth about +0.65: a noise-trained
    # discriminant still scores the validation rows by some direction, which lands on either
    # side of chance by a few points.
    assert abs(v.total) <= 0.06
    assert max(abs(s) for s in v.shares) <= 0.06
    assert abs(sum(v.shares) - v.total) <= 1e-12


def test_fast_path_matches_naive_training(pool: tuple[list[OwnerRows], OwnerRows]) -> None:
    owners, val = pool
    owners = owners[:4]
    fast = LdaUtility(owners, val)
    naive = naive_utility(fast)
    masks = list(range(1, 16))
    assert np.abs(fast.values(masks) - naive.values(masks)).max() < 1e-9
    f, n = exact_shapley(fast), exact_shapley(naive)
    assert max(abs(a - b) for a, b in zip(f.shares, n.shares, strict=True)) < 1e-9
    assert naive.evaluated == 15


@pytest.mark.parametrize("metric", ["r2", "neg_rmse"])
def test_ridge_fast_path_matches_scikit_learn(metric: str) -> None:
    # A quality value (part weight, g) linear in the signals; owners of equal size whose
    # weighing is less and less precise.
    rng = np.random.default_rng(3)
    coef = rng.normal(0, 1, len(FEATURES))

    def weights(o: OwnerRows, noise: float) -> OwnerRows:
        z = (o.X - o.X.mean(axis=0)) / o.X.std(axis=0)
        return OwnerRows(o.name, o.X, 250.0 + z @ coef + noise * rng.standard_normal(len(o)))

    base = rows([OwnerSpec(f"o{i}", 400, 20 + i) for i in range(5)])
    owners = [weights(o, 2.0**i) for i, o in enumerate(base)]
    val = weights(consumer(n=2000), 0.5)
    fast = RidgeUtility(owners, val, alpha=3.0, metric=metric)
    naive = naive_utility(fast)
    f, n = exact_shapley(fast), exact_shapley(naive)
    assert max(abs(a - b) for a, b in zip(f.shares, n.shares, strict=True)) < 1e-9
    assert f.empty_value == pytest.approx(chance_value(metric, val.y))
    assert abs(sum(f.shares) - f.total) <= 1e-12 * abs(f.total)
    # The more precise an owner's weighing, the larger its share (the two most precise are
    # both near the best a linear model does, so only every other owner is compared).
    assert f.shares[0] > f.shares[2] > f.shares[4]


def test_monte_carlo_within_three_standard_errors_of_exact() -> None:
    specs = [OwnerSpec(f"o{i:02d}", 400 + 150 * i, 30 + i, covers=NO_BURN,
                       label_noise=0.05 * (i % 4)) for i in range(10)]  # fmt: skip
    specs += [OwnerSpec("failure", 800, 50), OwnerSpec("noise", 600, 51, pure_noise=True)]
    owners = rows(specs)
    u = LdaUtility(owners, consumer(n=5000))
    exact = exact_shapley(u)  # 2^12 coalitions, the fast path
    assert exact.coalitions == 4095
    mc = monte_carlo_shapley(
        LdaUtility(owners, consumer(n=5000)), target_stderr=0.004, max_permutations=3000, seed=1
    )
    assert mc.permutations >= 64 and mc.converged
    assert max(mc.stderr) <= 0.004
    z = np.abs(np.subtract(mc.shares, exact.shares)) / np.array(mc.stderr)
    assert (z <= 3).sum() >= 11, z
    # Every order's marginal contributions telescope: the estimate is efficient too.
    assert abs(sum(mc.shares) - mc.total) <= 1e-9 * abs(mc.total)
    assert mc.total == pytest.approx(exact.total, abs=1e-12)


def test_truncated_monte_carlo_trains_fewer_coalitions(
    pool: tuple[list[OwnerRows], OwnerRows],
) -> None:
    plain = monte_carlo_shapley(LdaUtility(*pool), max_permutations=200, seed=2)
    cut = monte_carlo_shapley(LdaUtility(*pool), max_permutations=200, seed=2, truncation=0.02)
    assert cut.coalitions < plain.coalitions
    # Efficiency within the truncation tolerance.
    assert abs(sum(cut.shares) - cut.total) <= 0.02 * cut.total
    assert cut.share("failure") == max(cut.shares)


def test_generic_fit_utility_in_worker_processes(pool: tuple[list[OwnerRows], OwnerRows]) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    owners, val = pool
    owners = [OwnerRows(o.name, o.X[:500], o.y[:500]) for o in (owners[0], owners[1], owners[3])]
    model = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced"))
    fit_score = EstimatorScore(model, val, "balanced_accuracy")
    empty = chance_value("balanced_accuracy", val.y)
    serial = exact_shapley(FitUtility(owners, fit_score, empty=empty, metric="balanced_accuracy"))
    parallel = FitUtility(owners, fit_score, empty=empty, metric="balanced_accuracy", workers=2)
    par = exact_shapley(parallel)
    assert par.shares == pytest.approx(serial.shares, abs=1e-12)
    assert par.share("failure") == max(par.shares)
    # Cached: a second valuation of the same utility trains nothing.
    again = exact_shapley(parallel)
    assert again.coalitions == 0 and again.shares == par.shares


def test_shapley_is_exact_up_to_ten_owners_then_monte_carlo(
    pool: tuple[list[OwnerRows], OwnerRows],
) -> None:
    owners, val = pool
    assert shapley(LdaUtility(owners, val)).method == "exact"
    v = shapley(LdaUtility(owners, val), exact_up_to=3, max_permutations=64)
    assert v.method == "monte_carlo" and v.permutations == 64
    d = v.as_dict()
    assert [o["owner"] for o in d["owners"]] == [o.name for o in owners]
    assert d["total"] == pytest.approx(sum(o["share"] for o in d["owners"]), abs=1e-12)


def test_split_validation_holds_out_the_same_fraction_of_every_owner(
    pool: tuple[list[OwnerRows], OwnerRows],
) -> None:
    owners, _ = pool
    kept, val = split_validation(owners, 0.25, seed=4)
    assert len(val) + sum(len(o) for o in kept) == sum(len(o) for o in owners)
    for o, k in zip(owners, kept, strict=True):
        assert abs((len(o) - len(k)) / len(o) - 0.25) < 0.05


def test_refusals_name_their_reason(pool: tuple[list[OwnerRows], OwnerRows]) -> None:
    owners, val = pool
    with pytest.raises(InvalidInput) as e:
        exact_shapley(LdaUtility(owners, val), max_owners=5)
    assert e.value.code == "sharing.valuation.too_many_owners"
    with pytest.raises(InvalidInput) as e:
        LdaUtility(owners, val, metric="r2")
    assert e.value.code == "sharing.valuation.metric"
    with pytest.raises(InvalidInput) as e:
        RidgeUtility(owners, val, alpha=0.0)
    assert e.value.code == "sharing.valuation.alpha"
    with pytest.raises(InvalidInput) as e:
        LdaUtility([owners[0], owners[0]], val)
    assert e.value.code == "sharing.valuation.owners"
    with pytest.raises(InvalidInput) as e:
        OwnerRows("x", np.zeros((3, 2)), np.zeros(4))
    assert e.value.code == "sharing.valuation.shape"
