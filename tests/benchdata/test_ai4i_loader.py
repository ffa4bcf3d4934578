"""AI4I 2020: leaking columns dropped, clean names, and seeded stratified 5-fold CV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openkamp.benchdata import DatasetWarning, available, load_ai4i
from openkamp.benchdata.ai4i import FAILURE_MODES, FEATURES, snake_case
from openkamp.core.errors import ImportRejected

pytestmark = pytest.mark.filterwarnings("ignore::openkamp.benchdata.DatasetWarning")

UCI_COLUMNS = [
    "UDI",
    "Product ID",
    "Type",
    "Air temperature [K]",
    "Process temperature [K]",
    "Rotational speed [rpm]",
    "Torque [Nm]",
    "Tool wear [min]",
    "Machine failure",
    "TWF",
    "HDF",
    "PWF",
    "OSF",
    "RNF",
]


def write_csv(
    path: Path, *, rows: int = 200, failures: int = 20, label: str = "Machine failure"
) -> None:
    """A CSV like the UCI file (or the shared copy: BOM, CRLF, 'Machine_failure')."""
    rng = np.random.default_rng(0)
    y = np.zeros(rows, dtype=int)
    y[rng.choice(rows, failures, replace=False)] = 1
    frame = pd.DataFrame(
        {
            "UDI": np.arange(1, rows + 1),
            "Product ID": [f"M{14860 + i}" for i in range(rows)],
            "Type": rng.choice(["L", "M", "H"], rows),
            "Air temperature [K]": rng.normal(300, 2, rows).round(1),
            "Process temperature [K]": rng.normal(310, 1, rows).round(1),
            "Rotational speed [rpm]": rng.integers(1200, 2800, rows),
            "Torque [Nm]": rng.normal(40, 10, rows).round(1),
            "Tool wear [min]": rng.integers(0, 250, rows),
            label: y,
            **{flag: y * (i == 0) for i, flag in enumerate(["TWF", "HDF", "PWF", "OSF", "RNF"])},
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


@pytest.mark.parametrize("label", ["Machine failure", "Machine_failure"])
def test_features_exclude_identifiers_and_failure_modes(root: Path, label: str) -> None:
    write_csv(root / "ai4i2020" / "ai4i2020.csv", label=label)
    data = load_ai4i()
    assert list(data.X.columns) == list(FEATURES)
    for leak in ["udi", "product_id", "machine_failure", *FAILURE_MODES]:
        assert leak not in data.X.columns
    assert isinstance(data.X["type"].dtype, pd.CategoricalDtype)
    assert list(data.X["type"].cat.categories) == ["L", "M", "H"]
    assert data.y.dtype == np.int64 and data.y.sum() == 20 and len(data.y) == len(data.X) == 200
    assert list(data.failure_modes.columns) == list(FAILURE_MODES)


def test_snake_case_names() -> None:
    assert snake_case("Air temperature [K]") == "air_temperature_k"
    assert snake_case("Rotational speed [rpm]") == "rotational_speed_rpm"
    assert snake_case("Product ID") == "product_id"
    assert snake_case("Machine failure") == snake_case("Machine_failure") == "machine_failure"


def test_folds_are_stratified_disjoint_and_seeded(root: Path) -> None:
    write_csv(root / "ai4i2020" / "ai4i2020.csv")
    data = load_ai4i()
    folds = data.folds(seed=0)
    assert len(folds) == 5
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(200))  # every row tested exactly once
    for train, test in folds:
        assert not set(train) & set(test) and len(train) + len(test) == 200
        assert data.y[test].sum() == 4  # 20 failures over 5 folds: stratified
    again = data.folds(seed=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))
    other = data.folds(seed=1)
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(folds, other, strict=True))


def test_published_counts_are_checked(root: Path) -> None:
    write_csv(root / "ai4i2020" / "ai4i2020.csv")
    with pytest.warns(DatasetWarning, match="10000"):
        load_ai4i()


def test_missing_column_is_rejected(root: Path) -> None:
    path = root / "ai4i2020" / "ai4i2020.csv"
    write_csv(path)
    pd.read_csv(path, encoding="utf-8-sig").drop(columns=["Torque [Nm]"]).to_csv(path, index=False)
    with pytest.raises(ImportRejected, match="torque_nm"):
        load_ai4i()


@pytest.mark.skipif(not available("ai4i2020"), reason="real ai4i2020 data not present")
@pytest.mark.filterwarnings("error::openkamp.benchdata.DatasetWarning")
def test_real_ai4i(real: Path) -> None:
    data = load_ai4i()
    assert data.X.shape == (10_000, 6) and data.y.mean() == pytest.approx(0.0339)
    assert data.X["type"].value_counts().to_dict() == {"L": 6000, "M": 2997, "H": 1003}
    for _, test in data.folds():
        assert len(test) == 2000 and data.y[test].sum() in (67, 68)
