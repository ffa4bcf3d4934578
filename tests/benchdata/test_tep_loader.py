"""TEP: d00.dat transposed to samples × variables, 22 test runs, faults from sample 161 on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openkamp.benchdata import available, load_tep
from openkamp.benchdata.tep import FAULT_START, VARIABLES
from openkamp.core.errors import ImportRejected, NotFound

BASELINE = """Local reproduction (numpy/scipy): PCA on standardized d00.dat (500x52), a=9 PCs.
FDR = fraction of test samples 161..960 above limit; FAR = fraction of samples 1..160 above limit.
fault FDR_T2 FDR_Q FAR_T2 FAR_Q
 0 0.022 0.055 0.013 0.037
 1 0.993 0.998 0.013 0.044
21 0.290 0.517 0.000 0.056
"""


def marked(rows: int, run: int) -> np.ndarray:
    """rows × 52 with value = run·10000 + sample + variable/100: every cell says where it is from."""
    return run * 10_000 + np.arange(rows)[:, None] + np.arange(52)[None, :] / 100


def write(path: Path, array: np.ndarray) -> None:
    np.savetxt(path, array, fmt="%.7e", delimiter="   ")


@pytest.fixture(scope="module")
def tep_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Written once per module: 44 files of the real shapes."""
    folder = tmp_path_factory.mktemp("datasets") / "tep"
    folder.mkdir()
    write(folder / "d00.dat", marked(500, 0).T)  # stored transposed, like the Braatz file
    for fault in range(22):
        write(folder / f"d{fault:02d}_te.dat", marked(960, fault))
        if fault:
            write(folder / f"d{fault:02d}.dat", marked(480, 100 + fault))
    (folder / "BASELINE_PCA_local.txt").write_text(BASELINE)
    return folder


@pytest.fixture
def tep(tep_files: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENKAMP_DATASETS_DIR", str(tep_files.parent))
    return tep_files


def test_normal_training_data_is_transposed(tep: Path) -> None:
    data = load_tep()
    assert data.train_normal.shape == (500, 52)
    assert np.allclose(data.train_normal, marked(500, 0))  # row = sample, column = variable
    assert len(data.variables) == 52 and data.variables[0] == "xmeas_1"
    assert data.variables[41] == "xmv_1" and data.variables == VARIABLES


def test_test_runs_and_fault_start(tep: Path) -> None:
    data = load_tep()
    assert sorted(data.faults) == list(range(22))
    for fault, run in data.faults.items():
        assert run.shape == (960, 52) and np.allclose(run, marked(960, fault))
    assert sorted(data.train_faults) == list(range(1, 22))
    assert data.train_faults[5].shape == (480, 52) and data.train_faults[5][0, 0] == 1_050_000
    # Samples 1–160 (1-based) are normal, 161–960 faulty.
    assert data.fault_start == FAULT_START == 160
    mask = data.faulty()
    assert mask.shape == (960,) and not mask[:160].any() and mask[160:].all()


def test_baseline_is_parsed(tep: Path) -> None:
    baseline = load_tep().baseline
    assert baseline is not None and list(baseline.columns) == ["fdr_t2", "fdr_q", "far_t2", "far_q"]
    assert baseline.loc[21, "fdr_q"] == pytest.approx(0.517) and baseline.loc[0, "far_q"] == 0.037


def test_already_upright_d00_and_missing_baseline(root: Path, tep_files: Path) -> None:
    folder = root / "tep"
    folder.mkdir()
    for path in tep_files.iterdir():
        if path.name != "BASELINE_PCA_local.txt":
            (folder / path.name).symlink_to(path)
    (folder / "d00.dat").unlink()
    write(folder / "d00.dat", marked(500, 0))  # some copies store it samples × variables
    data = load_tep()
    assert np.allclose(data.train_normal, marked(500, 0)) and data.baseline is None


def test_wrong_shapes_and_missing_files(root: Path, tep_files: Path) -> None:
    folder = root / "tep"
    folder.mkdir()
    for path in tep_files.iterdir():
        (folder / path.name).symlink_to(path)
    (folder / "d07_te.dat").unlink()
    with pytest.raises(NotFound, match=r"d07_te\.dat"):
        load_tep()
    write(folder / "d07_te.dat", marked(480, 7))
    with pytest.raises(ImportRejected, match="960"):
        load_tep()


@pytest.mark.skipif(not available("tep"), reason="real tep data not present")
@pytest.mark.filterwarnings("error::openkamp.benchdata.DatasetWarning")
def test_real_tep(real: Path) -> None:
    data = load_tep()
    assert data.train_normal.shape == (500, 52)
    assert len(data.faults) == 22 and all(r.shape == (960, 52) for r in data.faults.values())
    assert all(r.shape == (480, 52) for r in data.train_faults.values())
    assert data.baseline is not None and len(data.baseline) == 22
    assert data.baseline.loc[6, "fdr_q"] == 1.0 and data.baseline.loc[3, "fdr_q"] <= 0.11
    # d00.dat and d00_te.dat are the same normal process: similar means, per variable.
    gap = np.abs(data.train_normal.mean(0) - data.faults[0][:160].mean(0))
    assert (gap <= 3 * data.train_normal.std(0) + 1e-9).all()
