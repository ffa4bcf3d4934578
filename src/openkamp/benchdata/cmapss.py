"""NASA C-MAPSS turbofan run-to-failure data, with the RUL target and metrics of the protocol.

Protocol (datasets/README.md): train on ``train_FD00x`` (every unit runs to failure) with the
piecewise-linear target ``min(cycles left, 125)``; predict the RUL at the last cycle of every test
unit and compare with ``RUL_FD00x.txt``; report RMSE and the PHM08 score, mean ± std over at least
5 seeds. Never select epochs or hyper-parameters on the test set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from openkamp.benchdata._location import Source, expect
from openkamp.core.errors import ImportRejected, InvalidInput

SOURCE = Source(
    "cmapss",
    "NASA PCoE 'Turbofan Engine Degradation Simulation Data Set' (Saxena et al. 2008), e.g. "
    "github.com/alireza-javanmardi/conformal-RUL-intervals (data/CMAPSS/)",
    "{train_FD00x.txt, test_FD00x.txt, RUL_FD00x.txt} for x = 1..4 (space-separated, 26 columns)",
)

COLUMNS: tuple[str, ...] = (
    "unit",
    "cycle",
    "setting_1",
    "setting_2",
    "setting_3",
    *(f"s{i}" for i in range(1, 22)),
)
"""The 26 columns of the text files: unit, cycle, 3 operational settings, 21 sensors."""

RUL_CAP = 125
"""The piecewise-linear training target is capped here (protocol)."""

PUBLISHED: dict[str, tuple[int, int, int, int]] = {
    # subset: train units, test units, train rows, test rows. NASA's readme.txt swaps the FD004
    # unit counts (248 / 249); the files themselves have 249 train and 248 test units.
    "FD001": (100, 100, 20631, 13096),
    "FD002": (260, 259, 53759, 33991),
    "FD003": (100, 100, 24720, 16596),
    "FD004": (249, 248, 61249, 41214),
}
SUBSETS: tuple[str, ...] = tuple(PUBLISHED)


@dataclass(frozen=True)
class Cmapss:
    """One C-MAPSS subset, ready for the protocol."""

    subset: str
    """``"FD001"`` .. ``"FD004"``."""
    train: pd.DataFrame
    """:data:`COLUMNS` plus ``rul`` = min(last cycle of the unit − cycle, 125), one row per cycle."""
    test: pd.DataFrame
    """:data:`COLUMNS` only; each test unit stops some time before failure."""
    test_rul: np.ndarray
    """int64, true RUL (uncapped, as in RUL_FD00x.txt) at the last cycle of each test unit,
    ordered by unit number: ``test_rul[i]`` belongs to ``test_units[i]``."""
    test_units: np.ndarray
    """int64, the test unit numbers in ascending order (1..n)."""

    def test_last_cycles(self) -> pd.DataFrame:
        """The last row of every test unit, ordered by unit: where RUL is predicted."""
        return self.test.groupby("unit", sort=True).tail(1).sort_values("unit")


def load_cmapss(subset: str = "FD001") -> Cmapss:
    """Load one C-MAPSS subset with the capped RUL training target and the true test RUL.

    Raises InvalidInput for an unknown subset, NotFound when a file is missing, ImportRejected
    when the files are inconsistent (26 columns, consecutive cycles from 1, one RUL per test unit).
    Warns (DatasetWarning) when unit or row counts differ from the published ones.
    """
    if subset not in PUBLISHED:
        raise InvalidInput(
            f"Unknown C-MAPSS subset '{subset}'.", hint=f"Choose one of {', '.join(SUBSETS)}."
        )
    root = SOURCE.folder()
    train = _read(SOURCE.file(root, f"train_{subset}.txt"))
    test = _read(SOURCE.file(root, f"test_{subset}.txt"))
    rul_path = SOURCE.file(root, f"RUL_{subset}.txt")
    test_rul = np.loadtxt(rul_path, dtype=np.int64, ndmin=1)
    test_units = np.sort(test["unit"].unique()).astype(np.int64)
    if len(test_rul) != len(test_units):
        raise ImportRejected(
            f"{rul_path} has {len(test_rul)} values for {len(test_units)} test units.",
            hint="RUL_FD00x.txt holds one true RUL per test unit, in unit order; re-copy the files.",
        )
    last = train.groupby("unit")["cycle"].transform("max")
    train["rul"] = np.minimum(last - train["cycle"], RUL_CAP).astype(np.int64)

    train_units, test_count, train_rows, test_rows = PUBLISHED[subset]
    expect(f"C-MAPSS {subset}", "the number of train units", train["unit"].nunique(), train_units)
    expect(f"C-MAPSS {subset}", "the number of test units", len(test_units), test_count)
    expect(f"C-MAPSS {subset}", "the number of train rows", len(train), train_rows)
    expect(f"C-MAPSS {subset}", "the number of test rows", len(test), test_rows)
    return Cmapss(subset=subset, train=train, test=test, test_rul=test_rul, test_units=test_units)


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=r"\s+", header=None)
    if frame.shape[1] != len(COLUMNS):
        raise ImportRejected(
            f"{path} has {frame.shape[1]} columns; C-MAPSS files have {len(COLUMNS)}.",
            hint="Use NASA's space-separated text files (unit, cycle, 3 settings, 21 sensors).",
        )
    frame.columns = list(COLUMNS)
    frame = frame.astype({"unit": np.int64, "cycle": np.int64})
    frame = frame.sort_values(["unit", "cycle"], kind="stable").reset_index(drop=True)
    units = np.sort(frame["unit"].unique())
    counts = frame.groupby("unit")["cycle"].agg(["min", "max", "count"])
    if (
        not np.array_equal(units, np.arange(1, len(units) + 1))
        or (counts["min"] != 1).any()
        or (counts["max"] != counts["count"]).any()
        or frame.duplicated(["unit", "cycle"]).any()
    ):
        raise ImportRejected(
            f"{path}: units must be numbered 1..n and each unit's cycles must run 1, 2, 3, ...",
            hint="The RUL target depends on complete cycle sequences; re-copy the file.",
        )
    return frame


def _pair(pred: np.ndarray | list[float], true: np.ndarray | list[float]) -> np.ndarray:
    p = np.asarray(pred, dtype=np.float64).ravel()
    t = np.asarray(true, dtype=np.float64).ravel()
    if p.shape != t.shape or p.size == 0:
        raise InvalidInput(
            f"Predictions ({p.size}) and true RULs ({t.size}) must be non-empty and equally long."
        )
    return p - t


def rmse(pred: np.ndarray | list[float], true: np.ndarray | list[float]) -> float:
    """Root mean squared error of predicted against true RUL (one value per test unit)."""
    d = _pair(pred, true)
    return float(np.sqrt(np.mean(d**2)))


def phm08_score(pred: np.ndarray | list[float], true: np.ndarray | list[float]) -> float:
    """PHM08 score S = Σ exp(−d/13) − 1 if d < 0 else exp(d/10) − 1, with d = pred − true.

    Lower is better; late predictions (d > 0) are punished harder than early ones.
    """
    d = _pair(pred, true)
    return float(np.sum(np.where(d < 0, np.exp(-d / 13.0), np.exp(d / 10.0)) - 1.0))
