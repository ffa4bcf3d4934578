"""AI4I 2020 predictive maintenance (milling machine), with the leaking columns removed.

Protocol (datasets/README.md): binary ``machine_failure``; UDI, Product ID and the five
failure-mode flags (TWF, HDF, PWF, OSF, RNF) are dropped before training because they leak the
label; stratified 5-fold CV with a fixed seed; report PR-AUC, ROC-AUC and F1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from openkamp.benchdata._location import Source, expect
from openkamp.core.errors import ImportRejected

SOURCE = Source(
    "ai4i2020",
    "the UCI Machine Learning Repository (id 601, 'AI4I 2020 Predictive Maintenance Dataset', "
    "CC BY 4.0) or github.com/gabigol91/dataset",
    "ai4i2020.csv",
)

FEATURES: tuple[str, ...] = (
    "type",
    "air_temperature_k",
    "process_temperature_k",
    "rotational_speed_rpm",
    "torque_nm",
    "tool_wear_min",
)
"""The columns of ``X``; ``type`` is categorical (product quality L / M / H)."""

FAILURE_MODES: tuple[str, ...] = ("twf", "hdf", "pwf", "osf", "rnf")
"""Tool wear, heat dissipation, power, overstrain and random failures: they leak the label."""

TYPES: tuple[str, ...] = ("L", "M", "H")
N_FOLDS = 5
PUBLISHED_ROWS = 10_000
PUBLISHED_FAILURES = 339


def snake_case(column: str) -> str:
    """``"Air temperature [K]"`` → ``"air_temperature_k"``; ``"Machine failure"`` → ``"machine_failure"``."""
    return re.sub(r"[^0-9a-z]+", "_", column.strip().lower()).strip("_")


@dataclass(frozen=True)
class Ai4i:
    """The AI4I 2020 features and label, and the protocol's cross-validation folds."""

    X: pd.DataFrame
    """:data:`FEATURES` (snake_case); ``type`` has categories L, M, H. No identifiers, no flags."""
    y: np.ndarray
    """int64 0/1 ``machine_failure`` per row of ``X``."""
    failure_modes: pd.DataFrame
    """The five failure-mode flags (:data:`FAILURE_MODES`), for analysis only: never features."""

    def folds(self, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
        """The stratified 5-fold CV splits as (train indices, test indices), positional into X / y.

        ``StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)``: same seed, same folds.
        """
        from sklearn.model_selection import StratifiedKFold

        splitter = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(self.y)), self.y))


def load_ai4i() -> Ai4i:
    """Load AI4I 2020 with UDI, Product ID and the failure-mode flags removed from the features.

    Accepts both the UCI column names ("Machine failure", "Air temperature [K]", ...) and the
    copy's ("Machine_failure"), with or without a UTF-8 BOM. Raises NotFound when the file is
    missing and ImportRejected when a column is missing or a label is not 0/1. Warns
    (DatasetWarning) when the row or failure count differs from the published 10,000 / 339.
    """
    path = SOURCE.file(SOURCE.folder(), "ai4i2020.csv")
    frame = pd.read_csv(path, encoding="utf-8-sig")
    frame.columns = [snake_case(str(c)) for c in frame.columns]
    needed = [*FEATURES, "machine_failure", *FAILURE_MODES]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise ImportRejected(
            f"{path} lacks the columns {absent} (after snake_case: {list(frame.columns)}).",
            hint="Use the UCI AI4I 2020 CSV: UDI, Product ID, Type, five process columns, "
            "Machine failure and the flags TWF, HDF, PWF, OSF, RNF.",
        )
    _check_binary(frame, ["machine_failure", *FAILURE_MODES], path)
    unknown = set(frame["type"].astype(str)) - set(TYPES)
    if unknown:
        raise ImportRejected(f"{path}: unknown product types {sorted(unknown)}; expected L, M, H.")

    X = frame[list(FEATURES)].copy()
    X["type"] = pd.Categorical(frame["type"].astype(str), categories=list(TYPES))
    y = frame["machine_failure"].to_numpy().astype(np.int64)
    expect("AI4I 2020", "the number of rows", len(X), PUBLISHED_ROWS)
    expect("AI4I 2020", "the number of machine failures", int(y.sum()), PUBLISHED_FAILURES)
    modes = frame[list(FAILURE_MODES)].astype(np.int64)
    return Ai4i(X=X, y=y, failure_modes=modes)


def _check_binary(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    for column in columns:
        if not frame[column].isin([0, 1]).all():
            raise ImportRejected(f"{path}: column '{column}' holds values other than 0 and 1.")
