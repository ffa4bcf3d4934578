"""SKAB, the Skoltech Anomaly Benchmark (water-pump testbed, 8 sensors), split per its protocol.

Protocol (datasets/README.md, SKAB core/utils.py): for each of the 34 labelled files the first 400
rows are the training part (meant to be anomaly-free: fit scalers and thresholds there only), the
rest is the test part. Outlier detection is scored with binary F1 / FAR / MAR on ``anomaly`` over
all test parts together; changepoint detection with the NAB score on ``changepoint``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from openkamp.benchdata._location import DatasetWarning, Source, expect
from openkamp.core.errors import ImportRejected

SOURCE = Source(
    "skab",
    "github.com/waico/SKAB (folder data/; SKAB v0.9, Kaggle DOI 10.34740/KAGGLE/DSV/1693952)",
    "{valve1/0..15.csv, valve2/0..3.csv, other/1..14.csv, anomaly-free/anomaly-free.csv}",
)

SENSORS: tuple[str, ...] = (
    "Accelerometer1RMS",
    "Accelerometer2RMS",
    "Current",
    "Pressure",
    "Temperature",
    "Thermocouple",
    "Voltage",
    "Volume Flow RateRMS",
)
"""The 8 sensor columns, with SKAB's own names."""

FOLDERS: tuple[str, ...] = ("valve1", "valve2", "other")
TRAIN_ROWS = 400
"""Rows at the start of every labelled file that form its training part."""
PUBLISHED_RUNS = 34
PUBLISHED_ANOMALY_FREE_ROWS = 9405


@dataclass(frozen=True)
class SkabRun:
    """One labelled SKAB file, split per the protocol.

    ``train`` and ``test`` hold the 8 sensor columns (:data:`SENSORS`) with a ``datetime`` index;
    the label arrays are aligned with ``test`` row by row.
    """

    name: str
    """``folder/stem``, e.g. ``"valve1/0"``."""
    train: pd.DataFrame
    """The first 400 rows (training part: fit scalers and thresholds here only)."""
    test: pd.DataFrame
    """All rows after the first 400."""
    test_anomaly: np.ndarray
    """int64 0/1 per test row, from column ``anomaly`` (scored with F1 / FAR / MAR)."""
    test_changepoint: np.ndarray
    """int64 0/1 per test row, from column ``changepoint`` (scored with NAB)."""


@dataclass(frozen=True)
class Skab:
    """The 34 labelled runs, plus the anomaly-free run kept apart.

    Iterating, ``len`` and indexing act on ``runs``, so the bundle reads like the list of runs.
    """

    runs: list[SkabRun]
    """valve1/0..15, valve2/0..3, other/1..14, in that order."""
    anomaly_free: pd.DataFrame
    """anomaly-free/anomaly-free.csv: 8 sensor columns, ``datetime`` index, no labels."""

    def __iter__(self) -> Iterator[SkabRun]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, index: int) -> SkabRun:
        return self.runs[index]


def load_skab() -> Skab:
    """Load SKAB v0.9 with every labelled file split into its 400-row training part and test part.

    Raises NotFound (with how to obtain the data) when the folder or a file is missing, and
    ImportRejected when a file lacks the expected columns or is too short to have a test part.
    Warns (DatasetWarning) when a training part contains rows labelled anomalous; SKAB's
    ``other/2.csv`` does (296 of its first 400 rows), and the leaderboard protocol keeps it as is.
    """
    root = SOURCE.folder()
    runs = []
    for folder in FOLDERS:  # a plain loop, so warnings from _run point at the caller
        for path in _csv_files(root, folder):
            runs.append(_run(folder, path))
    expect("SKAB", "the number of labelled runs", len(runs), PUBLISHED_RUNS)
    free = _read(SOURCE.file(root, "anomaly-free/anomaly-free.csv"), labelled=False)
    expect("SKAB", "the number of anomaly-free rows", len(free), PUBLISHED_ANOMALY_FREE_ROWS)
    return Skab(runs=runs, anomaly_free=free[list(SENSORS)])


def _csv_files(root: Path, folder: str) -> list[Path]:
    directory = root / folder
    if not directory.is_dir():
        raise SOURCE.missing(directory)
    paths = list(directory.glob("*.csv"))
    # Numeric order (0, 1, 2, ..., 10), not text order (0, 1, 10, ...), for stable run names.
    return sorted(paths, key=lambda p: (int(p.stem) if p.stem.isdigit() else 10**9, p.stem))


def _read(path: Path, *, labelled: bool) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=";", index_col="datetime", parse_dates=["datetime"])
    needed = [*SENSORS, "anomaly", "changepoint"] if labelled else list(SENSORS)
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise ImportRejected(
            f"SKAB file {path} lacks the columns {absent}.",
            hint="Each SKAB file is ';'-separated with a 'datetime' column, the 8 sensors and "
            "(labelled files) 'anomaly' and 'changepoint'; re-copy it from the SKAB repository.",
        )
    return frame


def _labels(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    values = frame[column].to_numpy()
    if not np.isin(values, (0, 1)).all():
        raise ImportRejected(
            f"SKAB file {path}: column '{column}' holds values other than 0 and 1.",
            hint="Re-copy the file from the SKAB repository.",
        )
    return values.astype(np.int64)


def _run(folder: str, path: Path) -> SkabRun:
    frame = _read(path, labelled=True)
    name = f"{folder}/{path.stem}"
    if len(frame) <= TRAIN_ROWS:
        raise ImportRejected(
            f"SKAB file {path} has {len(frame)} rows; the protocol needs more than {TRAIN_ROWS}.",
            hint="Every labelled SKAB file has its first 400 rows as training part and the rest "
            "as test part; re-copy the file from the SKAB repository.",
        )
    anomaly = _labels(frame, "anomaly", path)
    changepoint = _labels(frame, "changepoint", path)
    in_train = int(anomaly[:TRAIN_ROWS].sum())
    if in_train:
        warnings.warn(
            f"SKAB {name}: {in_train} of the {TRAIN_ROWS} training rows are labelled anomalous; "
            "the protocol assumes an anomaly-free training part (kept as is, like the leaderboard).",
            DatasetWarning,
            stacklevel=3,
        )
    sensors = frame[list(SENSORS)]
    return SkabRun(
        name=name,
        train=sensors.iloc[:TRAIN_ROWS],
        test=sensors.iloc[TRAIN_ROWS:],
        test_anomaly=anomaly[TRAIN_ROWS:],
        test_changepoint=changepoint[TRAIN_ROWS:],
    )
