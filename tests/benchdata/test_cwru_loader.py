"""CWRU: 10 classes at 12 kHz, non-overlapping windows, 70/30 split inside every recording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openkamp.benchdata import available, load_cwru
from openkamp.benchdata.cwru import CLASS_NAMES, RECORDINGS, decimate, fir_decimate, split_windows
from openkamp.core.errors import ImportRejected, InvalidInput

LENGTH_12K = 20_000  # 14,000 train samples → 13 windows of 1024; 6,000 test → 5 windows


def ramp(n: int, label: int) -> np.ndarray:
    """Sample index plus a class offset: a window's values say where in which recording it was."""
    return (label * 1_000_000 + np.arange(n, dtype=float))[:, None]  # (n, 1) like the real files


def write_all(folder: Path, normal: np.ndarray | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for label, (_, stem, rate) in enumerate(RECORDINGS):
        if rate == 48_000:
            de = normal if normal is not None else np.sin(np.arange(4 * LENGTH_12K) / 50)[:, None]
            np.savez(folder / f"{stem}.npz", DE=de, FE=de)
        else:
            de = ramp(LENGTH_12K, label)
            np.savez(folder / f"{stem}.npz", DE=de, FE=de, BA=de)


@pytest.fixture
def cwru(root: Path) -> Path:
    folder = root / "cwru" / "0hp_10class"
    write_all(folder)
    return folder


def test_windows_per_class_and_split(cwru: Path) -> None:
    data = load_cwru(window=1024)
    assert data.class_names == CLASS_NAMES and len(CLASS_NAMES) == 10
    assert data.sample_rate == 12_000 and data.window == 1024
    assert data.X_train.shape == (10 * 13, 1024) and data.X_test.shape == (10 * 5, 1024)
    assert np.bincount(data.y_train).tolist() == [13] * 10
    assert np.bincount(data.y_test).tolist() == [5] * 10
    assert data.y_train.dtype == np.int64


def test_no_window_crosses_the_70_percent_boundary(cwru: Path) -> None:
    data = load_cwru(window=1024)
    cut = int(0.7 * LENGTH_12K)
    for label in range(1, 10):  # the ramps: value − offset = sample index in the recording
        train = data.X_train[data.y_train == label] - label * 1_000_000
        test = data.X_test[data.y_test == label] - label * 1_000_000
        assert train.max() < cut <= test.min()
        # Non-overlapping and consecutive: window k starts at k·1024 (train) / cut + k·1024 (test).
        assert train[:, 0].tolist() == [k * 1024 for k in range(13)]
        assert test[:, 0].tolist() == [cut + k * 1024 for k in range(5)]
        assert np.array_equal(np.diff(train, axis=1), np.ones((13, 1023)))


def test_normal_training_windows_ignore_the_test_segment(root: Path) -> None:
    # Decimating (filtering) before the cut would let test samples leak into training windows.
    folder = root / "cwru" / "0hp_10class"
    base = np.sin(np.arange(4 * LENGTH_12K) / 50)[:, None]
    write_all(folder, normal=base)
    first = load_cwru(window=1024)
    changed = base.copy()
    changed[int(0.7 * len(base)) :] = 5.0
    write_all(folder, normal=changed)
    second = load_cwru(window=1024)
    normal = first.y_train == 0
    assert normal.sum() == 13
    assert np.array_equal(first.X_train[normal], second.X_train[second.y_train == 0])
    assert not np.allclose(first.X_test[first.y_test == 0], second.X_test[second.y_test == 0])


def test_decimation_filters_out_aliasing_tones() -> None:
    t = np.arange(48_000) / 48_000
    low = np.sin(2 * np.pi * 500 * t)  # well below the new Nyquist frequency (6 kHz)
    high = np.sin(2 * np.pi * 10_000 * t)  # above it: would alias to 2 kHz without a filter
    for fn in (decimate, fir_decimate):
        kept, removed = fn(low, 4)[200:-200], fn(high, 4)[200:-200]
        assert len(fn(low, 4)) == 12_000
        assert np.sqrt(np.mean(kept**2)) == pytest.approx(np.sqrt(0.5), rel=0.02)
        assert np.sqrt(np.mean(removed**2)) < 0.01
    noise = np.random.default_rng(0).normal(size=4000)
    assert np.allclose(decimate(noise, 4), fir_decimate(noise, 4), atol=1e-9)


def test_split_windows_drops_the_incomplete_tail() -> None:
    windows = split_windows(np.arange(2500.0), 1024)
    assert windows.shape == (2, 1024) and windows[1, 0] == 1024


def test_window_outside_the_protocol_and_bad_files(cwru: Path) -> None:
    with pytest.raises(InvalidInput, match="1024"):
        load_cwru(window=512)
    np.savez(cwru / "1797_B_7_DE12.npz", FE=ramp(LENGTH_12K, 1))
    with pytest.raises(ImportRejected, match="'DE'"):
        load_cwru()


@pytest.mark.skipif(not available("cwru"), reason="real cwru data not present")
def test_real_cwru(real: Path) -> None:
    data = load_cwru(window=2048)
    assert len(data.class_names) == 10 and set(np.unique(data.y_train)) == set(range(10))
    assert set(np.unique(data.y_test)) == set(range(10))
    # ~121k samples at 12 kHz per fault recording → 41 + 17 windows; normal (243,938 at 48 kHz
    # → ~61k at 12 kHz) → 20 + 8.
    assert np.bincount(data.y_train).tolist() == [20] + [41] * 9
    assert np.bincount(data.y_test).tolist() == [8] + [17] * 9
    # The decimated normal signal has the spread of a vibration signal, not of filter noise.
    assert 0.01 < data.X_train[data.y_train == 0].std() < 1.0
