"""Tennessee Eastman Process (Braatz set): normal training data and the 22 test runs.

Protocol (datasets/README.md): fit on d00.dat (normal operation). For each test file dXX_te.dat
(960 samples, 3-minute sampling) the fault is introduced after sample 160: the false-alarm rate
is computed on samples 1–160 and the fault detection rate on samples 161–960 (1-based), at 99 %
control limits. d00_te.dat is normal throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from openkamp.benchdata._location import Source, expect
from openkamp.core.errors import ImportRejected

SOURCE = Source(
    "tep",
    "the Braatz group's TEP data (Russell, Chiang & Braatz 2000), e.g. "
    "github.com/camaramm/tennessee-eastman-profBraatz",
    "{d00.dat .. d21.dat, d00_te.dat .. d21_te.dat} (whitespace-separated numbers; "
    "BASELINE_PCA_local.txt optional)",
)

VARIABLES: tuple[str, ...] = (
    *(f"xmeas_{i}" for i in range(1, 42)),
    *(f"xmv_{i}" for i in range(1, 12)),
)
"""The 52 columns: XMEAS(1..41) then XMV(1..11)."""

FAULTS: tuple[int, ...] = tuple(range(22))
"""Test runs 0..21; 0 is normal operation."""
FAULT_START = 160
"""0-based index of the first faulty test sample: samples 1–160 (1-based) are normal."""
TEST_SAMPLES = 960
TRAIN_NORMAL_SAMPLES = 500
TRAIN_FAULT_SAMPLES = 480


@dataclass(frozen=True)
class Tep:
    """TEP arrays (samples × 52 variables, float64) and the local PCA baseline."""

    train_normal: np.ndarray
    """d00.dat, 500 × 52 (the file is stored transposed, 52 × 500; fixed here)."""
    faults: dict[int, np.ndarray]
    """Fault number 0..21 → dXX_te.dat, 960 × 52; faulty from row ``fault_start`` on."""
    train_faults: dict[int, np.ndarray]
    """Fault number 1..21 → dXX.dat, 480 × 52, recorded after the fault was introduced; for
    fault classification only (the detection protocol fits on ``train_normal``)."""
    baseline: pd.DataFrame | None
    """BASELINE_PCA_local.txt (PCA, 9 components, 99 % limits) indexed by fault, columns
    ``fdr_t2, fdr_q, far_t2, far_q``; None when the file is absent."""
    fault_start: int = FAULT_START
    """0-based row of the first faulty test sample (160)."""
    variables: tuple[str, ...] = field(default=VARIABLES)

    def faulty(self) -> np.ndarray:
        """Boolean mask over the 960 test rows: False for rows 0..159, True from 160 on.

        FAR is computed where it is False, FDR where it is True (for fault 0 both are alarms
        on normal data).
        """
        mask = np.zeros(TEST_SAMPLES, dtype=bool)
        mask[self.fault_start :] = True
        return mask


def load_tep() -> Tep:
    """Load the Braatz TEP set: d00.dat transposed to 500 × 52, the 22 test runs of 960 × 52.

    Raises NotFound when a file is missing and ImportRejected when an array has the wrong shape.
    """
    root = SOURCE.folder()
    normal = _read(SOURCE.file(root, "d00.dat"))
    if normal.shape[0] == len(VARIABLES) and normal.shape[1] != len(VARIABLES):
        normal = normal.T  # the Braatz d00.dat is stored 52 × 500; every other file is samples × 52
    _check(normal, None, root / "d00.dat")
    expect("TEP", "the number of d00.dat samples", normal.shape[0], TRAIN_NORMAL_SAMPLES)
    faults = {}
    for fault in FAULTS:
        path = SOURCE.file(root, f"d{fault:02d}_te.dat")
        faults[fault] = _check(_read(path), TEST_SAMPLES, path)
    train_faults = {}
    for fault in FAULTS[1:]:
        path = SOURCE.file(root, f"d{fault:02d}.dat")
        train_faults[fault] = _check(_read(path), None, path)
        expect(
            "TEP",
            f"the number of d{fault:02d}.dat samples",
            len(train_faults[fault]),
            TRAIN_FAULT_SAMPLES,
        )
    baseline_path = root / "BASELINE_PCA_local.txt"
    baseline = read_baseline(baseline_path) if baseline_path.is_file() else None
    return Tep(train_normal=normal, faults=faults, train_faults=train_faults, baseline=baseline)


def read_baseline(path: Path) -> pd.DataFrame:
    """Parse the table of BASELINE_PCA_local.txt (``fault FDR_T2 FDR_Q FAR_T2 FAR_Q`` rows)."""
    rows: list[list[float]] = []
    header: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[0].lower() == "fault":
            header = [p.lower() for p in parts[1:]]
        elif header and len(parts) == len(header) + 1 and parts[0].isdigit():
            rows.append([float(p) for p in parts])
    if header is None or not rows:
        raise ImportRejected(
            f"{path} has no 'fault FDR_T2 FDR_Q FAR_T2 FAR_Q' table.",
            hint="Remove the file or restore it from the shared datasets folder.",
        )
    table = pd.DataFrame(rows, columns=["fault", *header])
    return table.astype({"fault": np.int64}).set_index("fault")


def _read(path: Path) -> np.ndarray:
    return pd.read_csv(path, sep=r"\s+", header=None).to_numpy(dtype=np.float64)


def _check(array: np.ndarray, rows: int | None, path: Path) -> np.ndarray:
    if array.ndim != 2 or array.shape[1] != len(VARIABLES) or (rows and array.shape[0] != rows):
        expected = f"{rows or 'n'} × {len(VARIABLES)}"
        raise ImportRejected(
            f"{path} holds an array of shape {array.shape}; expected {expected}.",
            hint="Use the Braatz TEP files unchanged (only d00.dat is stored transposed).",
        )
    return array
