"""Shot data of several factories pooling it, with known differences between them (issue 11).

The valuation of pooled data (``openkamp.sharing.valuation``) is tested against answers known by
construction, which needs data where the effect of each owner is controlled. The injection
machine simulator (:mod:`openkamp.sim.injection`) is realistic but its machines differ a lot in
defect rates from seed to seed, and rare defect types come in tens per month; so this module draws
shots that look like its data, with the defect structure made explicit:

* **Signals**: the injection machine's eleven signals (:data:`FEATURES`), around its typical
  operating point and spread, with correlated process noise (three shared latent factors: the
  material, the barrel heat and the mould cooling, as in the simulator).
* **Defects**: ``none`` or one of :data:`DEFECT_TYPES`; each defect type moves the signals the
  simulator's defect model ties it to (``_LOGITS`` there): a short shot comes with a small
  cushion, a stiff melt (high injection pressure) and a cold mould; flash with high holding
  pressure and a warm mould; a sink mark with low holding pressure, a warm mould and a small
  cushion; a burn with a hot barrel and a short injection time. Given the defect type, the signals
  are Gaussian with one shared covariance, so linear discriminant analysis is the right model.
* **Machines**: each owner's operating point is offset a little (0.1 standard deviations per
  signal, from its seed), as two factories' machines are.

What makes owners unequal (an :class:`OwnerSpec`): ``rows``; ``defect_rate``; ``label_noise``,
the fraction of shots whose recorded defect type is replaced by one drawn at random from the
owner's own labels (careless inspection); ``sensor_noise``, extra noise on every signal in its
standard deviations (worn sensors); ``covers``, the defect types the owner's inspection records at
all (its data holds no other defect, so only owners that cover a failure mode teach it);
``pure_noise``, every column, labels included, shuffled independently: the marginals stay, any
relation between signals and defects is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from openkamp.sim import _noise as nz
from openkamp.sim.injection import DEFECT_TYPES

FEATURES: tuple[str, ...] = (
    "injection_time", "cushion", "barrel_temp_z1", "barrel_temp_z2", "barrel_temp_z3",
    "mould_temp", "injection_pressure", "hold_pressure", "cycle_time", "plasticizing_time",
    "screw_rpm",
)  # fmt: skip
TARGET = "defect_type"
CLASSES: tuple[str, ...] = ("none", *DEFECT_TYPES)

# Typical level and spread of each signal (a month of the simulated injection machine).
_LEVEL = np.array([1.22, 4.9, 230.3, 225.0, 204.1, 44.7, 1132.0, 598.9, 42.0, 9.54, 119.5])
_SPREAD = np.array([0.065, 0.91, 1.19, 1.34, 5.46, 3.10, 94.7, 24.0, 0.25, 0.93, 6.5])
# Shared latent factors (material, barrel heat, mould cooling): loadings in standard deviations.
_FACTORS = np.array([
    # inj  cush   z1    z2    z3   mould  press  hold  cycle plast  rpm
    [0.6, -0.4,  0.0,  0.0,  0.0,  0.0,  0.7,  0.0,  0.0,  0.3,  0.0],  # material (viscosity)
    [-0.3, 0.0,  0.6,  0.6,  0.7,  0.0, -0.3,  0.0,  0.0, -0.2,  0.0],  # barrel heat
    [0.0,  0.0,  0.0,  0.0,  0.0,  0.8,  0.0,  0.0,  0.2,  0.0,  0.0],  # mould cooling
])  # fmt: skip
# How each defect type moves the signals, in standard deviations (after the simulator's logits).
_SHIFT = {
    "short_shot": {"cushion": -1.6, "injection_pressure": 1.2, "mould_temp": -1.0},
    "flash": {"hold_pressure": 1.6, "mould_temp": 1.0, "injection_pressure": -0.8},
    "sink_mark": {"hold_pressure": -1.5, "mould_temp": 1.2, "cushion": -0.9},
    "burn": {"barrel_temp_z3": 1.6, "barrel_temp_z1": 1.0, "injection_time": -1.3},
}


@dataclass(frozen=True)
class OwnerSpec:
    """One owner's data (see the module docstring); ``seed`` keys everything drawn for it."""

    name: str
    rows: int
    seed: int
    defect_rate: float = 0.12
    label_noise: float = 0.0
    sensor_noise: float = 0.0
    covers: tuple[str, ...] = DEFECT_TYPES
    pure_noise: bool = False


def owner_shots(spec: OwnerSpec) -> pd.DataFrame:
    """``spec.rows`` shots of the owner's machine: the :data:`FEATURES` and ``defect_type``."""
    unknown = set(spec.covers) - set(DEFECT_TYPES)
    if unknown:
        raise ValueError(f"unknown defect types {sorted(unknown)}; choose from {DEFECT_TYPES}")
    rng = np.random.default_rng(nz.derive_key("owner-shots", spec.seed))
    d = len(FEATURES)
    p = np.array([1.0 - spec.defect_rate] + [
        spec.defect_rate / len(spec.covers) if t in spec.covers else 0.0 for t in DEFECT_TYPES
    ])  # fmt: skip
    if not spec.covers:
        p = np.array([1.0] + [0.0] * len(DEFECT_TYPES))
    k = rng.choice(len(CLASSES), size=spec.rows, p=p)
    shift = np.zeros((len(CLASSES), d))
    for j, t in enumerate(DEFECT_TYPES, start=1):
        for f, s in _SHIFT[t].items():
            shift[j, FEATURES.index(f)] = s
    offset = 0.1 * rng.standard_normal(d)
    z = (
        rng.standard_normal((spec.rows, len(_FACTORS))) @ _FACTORS
        + 0.6 * rng.standard_normal((spec.rows, d))
        + shift[k]
        + offset
    )
    if spec.sensor_noise > 0:
        z = z + spec.sensor_noise * rng.standard_normal(z.shape)
    X = _LEVEL + _SPREAD * z
    y = np.array(CLASSES, dtype=object)[k]
    if spec.label_noise > 0:
        flip = rng.random(spec.rows) < spec.label_noise
        y[flip] = rng.choice(y, int(flip.sum()))
    if spec.pure_noise:
        X = np.column_stack([rng.permutation(X[:, j]) for j in range(d)])
        y = rng.permutation(y)
    df = pd.DataFrame(X, columns=list(FEATURES))
    df[TARGET] = y
    return df


def pooled_shots(specs: Sequence[OwnerSpec]) -> dict[str, pd.DataFrame]:
    """Every owner's shots, by owner name."""
    return {s.name: owner_shots(s) for s in specs}


__all__ = [
    "CLASSES", "DEFECT_TYPES", "FEATURES", "TARGET", "OwnerSpec", "owner_shots", "pooled_shots",
]  # fmt: skip
