"""Case Western bearing vibration, 0 HP, 12 kHz drive end, 10 classes, split by recording segment.

Protocol (datasets/README.md): non-overlapping windows of 1024–2048 samples at 12 kHz; the first
70 % of every recording gives the training windows and the last 30 % the test windows. Random
window splits leak (neighbouring windows are nearly identical) and score ~100 % for anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from openkamp.benchdata._location import Source
from openkamp.core.errors import ImportRejected, InvalidInput

SOURCE = Source(
    "cwru",
    "the CWRU Bearing Data Center (engineering.case.edu/bearingdatacenter), as .npz from "
    "github.com/srigas/CWRU_Bearing_NumPy ('Data/1797 RPM/')",
    "0hp_10class/{1797_Normal.npz, 1797_{B,IR,OR@6}_{7,14,21}_DE12.npz} (key 'DE')",
)

SAMPLE_RATE = 12_000
TRAIN_FRACTION = 0.7
WINDOW_RANGE = (1024, 2048)

RECORDINGS: tuple[tuple[str, str, int], ...] = (
    # (class name, file stem, sample rate). The 0 HP normal baseline was recorded at 48 kHz.
    ("Normal", "1797_Normal", 48_000),
    ("B_7", "1797_B_7_DE12", SAMPLE_RATE),
    ("B_14", "1797_B_14_DE12", SAMPLE_RATE),
    ("B_21", "1797_B_21_DE12", SAMPLE_RATE),
    ("IR_7", "1797_IR_7_DE12", SAMPLE_RATE),
    ("IR_14", "1797_IR_14_DE12", SAMPLE_RATE),
    ("IR_21", "1797_IR_21_DE12", SAMPLE_RATE),
    ("OR@6_7", "1797_OR@6_7_DE12", SAMPLE_RATE),
    ("OR@6_14", "1797_OR@6_14_DE12", SAMPLE_RATE),
    ("OR@6_21", "1797_OR@6_21_DE12", SAMPLE_RATE),
)
"""Label i is ``RECORDINGS[i]``: fault type (B ball, IR inner race, OR@6 outer race centred at
6:00) and diameter in mils."""
CLASS_NAMES: tuple[str, ...] = tuple(name for name, _, _ in RECORDINGS)


@dataclass(frozen=True)
class Cwru:
    """Windows of the drive-end signal at 12 kHz; ``X_*`` are (n windows, window) float64."""

    X_train: np.ndarray
    """Windows from the first 70 % of every recording."""
    y_train: np.ndarray
    """int64 class index per training window, into ``class_names``."""
    X_test: np.ndarray
    """Windows from the last 30 % of every recording (none crosses the 70 % boundary)."""
    y_test: np.ndarray
    """int64 class index per test window."""
    class_names: tuple[str, ...]
    """``("Normal", "B_7", ..., "OR@6_21")``."""
    sample_rate: int
    """12000 Hz for every window (the 48 kHz normal recording is decimated by 4)."""
    window: int
    """Samples per window."""


def load_cwru(window: int = 2048) -> Cwru:
    """Load the 10-class 0 HP CWRU set as non-overlapping windows, split 70/30 per recording.

    Each recording is cut at 70 % of its length first; the 48 kHz normal recording is then
    low-pass filtered and decimated by 4 segment by segment, so no test sample influences a
    training window. Raises InvalidInput for a window outside 1024–2048 (the protocol), NotFound
    when a file is missing, ImportRejected when a file has no 'DE' signal.
    """
    low, high = WINDOW_RANGE
    if not low <= window <= high:
        raise InvalidInput(
            f"CWRU window {window} is outside the protocol's {low}–{high} samples.",
            hint="Results on other window sizes are not comparable with the literature.",
        )
    folder = SOURCE.folder() / "0hp_10class"
    x_train: list[np.ndarray] = []
    y_train: list[np.ndarray] = []
    x_test: list[np.ndarray] = []
    y_test: list[np.ndarray] = []
    for label, (_, stem, rate) in enumerate(RECORDINGS):
        signal = _drive_end(SOURCE.file(folder, f"{stem}.npz"))
        cut = int(len(signal) * TRAIN_FRACTION)
        for part, xs, ys in ((signal[:cut], x_train, y_train), (signal[cut:], x_test, y_test)):
            at_12k = decimate(part, rate // SAMPLE_RATE) if rate != SAMPLE_RATE else part
            windows = split_windows(at_12k, window)
            xs.append(windows)
            ys.append(np.full(len(windows), label, dtype=np.int64))
    return Cwru(
        X_train=np.concatenate(x_train),
        y_train=np.concatenate(y_train),
        X_test=np.concatenate(x_test),
        y_test=np.concatenate(y_test),
        class_names=CLASS_NAMES,
        sample_rate=SAMPLE_RATE,
        window=window,
    )


def split_windows(signal: np.ndarray, window: int) -> np.ndarray:
    """Non-overlapping windows from the start of ``signal``; the incomplete tail is dropped."""
    n = len(signal) // window
    return np.ascontiguousarray(signal[: n * window].reshape(n, window))


def decimate(signal: np.ndarray, factor: int) -> np.ndarray:
    """Low-pass (anti-alias) filter and keep every ``factor``-th sample; zero phase.

    scipy.signal.decimate with its FIR filter (Hamming-windowed sinc, 20·factor+1 taps, cutoff at
    the new Nyquist frequency) when scipy is installed; otherwise the same filter in numpy.
    """
    try:
        from scipy.signal import decimate as scipy_decimate
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        return fir_decimate(signal, factor)
    return np.asarray(scipy_decimate(signal, factor, ftype="fir", zero_phase=True))


def fir_decimate(signal: np.ndarray, factor: int) -> np.ndarray:
    """Numpy-only twin of ``scipy.signal.decimate(..., ftype="fir", zero_phase=True)``."""
    taps = 20 * factor + 1
    n = np.arange(taps) - (taps - 1) / 2
    h = np.sinc(n / factor) * np.hamming(taps)
    h /= h.sum()  # unit gain at DC
    x = np.asarray(signal, dtype=np.float64)
    # An odd, symmetric filter read off centred has no phase shift (edges see zero padding).
    centred = np.convolve(x, h)[(taps - 1) // 2 : (taps - 1) // 2 + len(x)]
    return centred[::factor]


def _drive_end(path: Path) -> np.ndarray:
    with np.load(path) as archive:
        if "DE" not in archive.files:
            raise ImportRejected(
                f"{path} has no drive-end signal 'DE' (keys: {archive.files}).",
                hint="Use the .npz files of github.com/srigas/CWRU_Bearing_NumPy unchanged.",
            )
        return np.asarray(archive["DE"], dtype=np.float64).ravel()
