"""Features of vibration windows: time-domain statistics and log band energies of the spectrum.

Bearing and gear faults show as impulsiveness (kurtosis, crest factor) and as energy at
characteristic frequencies and their harmonics; band energies on a log scale capture both
without knowing the machine's geometry.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd


def spectral_features(
    windows: np.ndarray, sample_rate: float, n_bands: int = 32, max_hz: float | None = None
) -> pd.DataFrame:
    """One row per window (``windows``: n × samples) of named features."""
    w = np.asarray(windows, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError("windows must be a 2-D array (windows × samples)")
    x = w - w.mean(axis=1, keepdims=True)
    rms = np.sqrt(np.mean(x**2, axis=1))
    std = np.maximum(x.std(axis=1), 1e-12)
    z = x / std[:, None]
    feats: dict[str, np.ndarray] = {
        "rms": rms,
        "peak": np.max(np.abs(x), axis=1),
        "crest": np.max(np.abs(x), axis=1) / np.maximum(rms, 1e-12),
        "kurtosis": np.mean(z**4, axis=1),
        "skewness": np.mean(z**3, axis=1),
        "p2p": x.max(axis=1) - x.min(axis=1),
    }
    spec = np.abs(np.fft.rfft(x * np.hanning(x.shape[1]), axis=1)) ** 2
    freqs = np.fft.rfftfreq(x.shape[1], d=1.0 / sample_rate)
    top = max_hz or sample_rate / 2
    edges = np.linspace(0.0, top, n_bands + 1)
    total = np.maximum(spec.sum(axis=1), 1e-30)
    for lo, hi in itertools.pairwise(edges):
        band = spec[:, (freqs >= lo) & (freqs < hi)].sum(axis=1)
        feats[f"band_{int(lo)}_{int(hi)}hz"] = np.log10(band / total + 1e-12)
    feats["spectral_centroid_hz"] = (spec * freqs).sum(axis=1) / total
    return pd.DataFrame(feats)
