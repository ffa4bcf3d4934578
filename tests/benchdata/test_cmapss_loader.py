"""C-MAPSS: the capped piecewise-linear RUL target, the true test RUL per unit, and the metrics."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from openkamp.benchdata import DatasetWarning, available, load_cmapss, phm08_score, rmse
from openkamp.benchdata.cmapss import COLUMNS
from openkamp.core.errors import ImportRejected, InvalidInput

pytestmark = pytest.mark.filterwarnings("ignore::openkamp.benchdata.DatasetWarning")


def write_units(path: Path, lengths: list[int]) -> None:
    """NASA's format: 26 space-separated numbers a line, with trailing spaces."""
    rng = np.random.default_rng(len(lengths))
    lines = []
    for unit, length in enumerate(lengths, start=1):
        for cycle in range(1, length + 1):
            values = " ".join(f"{v:.4f}" for v in rng.normal(size=len(COLUMNS) - 2))
            lines.append(f"{unit} {cycle} {values}  ")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def cmapss(root: Path) -> Path:
    folder = root / "cmapss"
    folder.mkdir()
    write_units(folder / "train_FD001.txt", [130, 5, 200])
    write_units(folder / "test_FD001.txt", [10, 20, 30])
    (folder / "RUL_FD001.txt").write_text("50 \n7 \n200 \n")
    return folder


def test_rul_target_is_cycles_left_capped_at_125(cmapss: Path) -> None:
    data = load_cmapss("FD001")
    assert list(data.train.columns) == [*COLUMNS, "rul"]
    assert list(data.test.columns) == list(COLUMNS)
    rul = {u: g["rul"].to_numpy() for u, g in data.train.groupby("unit")}
    assert rul[1][0] == 125 and rul[1][4] == 125 and rul[1][5] == 124 and rul[1][-1] == 0
    assert rul[2].tolist() == [4, 3, 2, 1, 0]  # short run: never reaches the cap
    expected = np.minimum(np.arange(199, -1, -1), 125)
    assert np.array_equal(rul[3], expected) and data.train["rul"].dtype == np.int64


def test_true_test_rul_belongs_to_the_last_cycle_of_each_unit(cmapss: Path) -> None:
    data = load_cmapss()
    assert data.test_rul.tolist() == [50, 7, 200]  # uncapped, as in RUL_FD001.txt
    assert data.test_units.tolist() == [1, 2, 3]
    last = data.test_last_cycles()
    assert last["unit"].tolist() == [1, 2, 3] and last["cycle"].tolist() == [10, 20, 30]


def test_published_sizes_are_checked(cmapss: Path) -> None:
    with pytest.warns(DatasetWarning, match="100"):
        load_cmapss("FD001")


def test_inconsistent_files_are_rejected(cmapss: Path) -> None:
    (cmapss / "RUL_FD001.txt").write_text("50\n7\n")
    with pytest.raises(ImportRejected, match="2 values for 3 test units"):
        load_cmapss()
    (cmapss / "RUL_FD001.txt").write_text("50\n7\n200\n")
    lines = (cmapss / "train_FD001.txt").read_text().splitlines()
    (cmapss / "train_FD001.txt").write_text("\n".join(lines[:3] + lines[4:]))  # cycle 4 gone
    with pytest.raises(ImportRejected, match="cycles"):
        load_cmapss()


def test_unknown_subset() -> None:
    with pytest.raises(InvalidInput, match="FD005"):
        load_cmapss("FD005")


def test_metrics() -> None:
    pred, true = [10.0, 20.0], [13.0, 10.0]  # d = -3 (early), +10 (late)
    assert rmse(pred, true) == pytest.approx(math.sqrt((9 + 100) / 2))
    assert phm08_score(pred, true) == pytest.approx(math.exp(3 / 13) - 1 + math.exp(1) - 1)
    assert phm08_score([5.0], [5.0]) == 0.0 and rmse([5.0], [5.0]) == 0.0
    # Late predictions cost more than early ones of the same size.
    assert phm08_score([20.0], [10.0]) > phm08_score([0.0], [10.0])
    with pytest.raises(InvalidInput):
        rmse([1.0, 2.0], [1.0])


@pytest.mark.skipif(not available("cmapss"), reason="real cmapss data not present")
@pytest.mark.filterwarnings("error::openkamp.benchdata.DatasetWarning")
@pytest.mark.parametrize(
    ("subset", "train_units", "test_units"),
    [("FD001", 100, 100), ("FD002", 260, 259), ("FD003", 100, 100), ("FD004", 249, 248)],
)
def test_real_cmapss(real: Path, subset: str, train_units: int, test_units: int) -> None:
    data = load_cmapss(subset)
    assert data.train["unit"].nunique() == train_units and len(data.test_rul) == test_units
    assert data.train["rul"].max() == 125 and data.train["rul"].min() == 0
    assert (data.train.groupby("unit")["rul"].min() == 0).all()
    if subset == "FD001":
        assert len(data.train) == 20631 and len(data.test) == 13096
        assert data.test_rul[:3].tolist() == [112, 98, 69]
