from __future__ import annotations

import numpy as np

from openkamp.ml.spectral import spectral_features


def test_band_energy_finds_the_tone_and_impulses_raise_kurtosis() -> None:
    fs, n = 12_000, 2048
    t = np.arange(n) / fs
    rng = np.random.default_rng(0)
    tone = np.sin(2 * np.pi * 1000 * t)[None, :] + 0.01 * rng.normal(size=(3, n))
    impulses = 0.1 * rng.normal(size=(3, n))
    impulses[:, ::256] += 5.0
    f = spectral_features(np.vstack([tone, impulses]), fs, n_bands=12)
    bands = [c for c in f.columns if c.startswith("band_")]
    assert all(np.argmax(f.loc[i, bands].to_numpy()) == 2 for i in range(3))  # 1000-1500 Hz
    assert f["kurtosis"][3:].min() > 5 * f["kurtosis"][:3].max()
    assert np.allclose(f["rms"][:3], np.sqrt(0.5), atol=0.02)
