"""Counter-based randomness and small signal-processing helpers for the simulator.

Why counter-based: the simulator must produce the same values whether a month is generated in one
call or streamed a second at a time. A sequential generator would make every value depend on how
the time axis was cut into pieces. Here a random number is a pure function of ``(key, index)``
(SplitMix64 applied twice), so row 1 000 of a signal is the same number however it is reached.

Sequential generators are still used where order is natural and cheap to keep: the lazily drawn
event tables (tool lives, faults, lots, batches), which always extend in the same order.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = (np.uint64(n) for n in (11, 27, 30, 31))
_TWO_POW_53 = float(2**53)


def derive_key(*parts: object) -> int:
    """A stable 64-bit key from ints and strings; unlike ``hash()``, the same in every process."""
    digest = hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _splitmix(z: np.ndarray) -> np.ndarray:
    # uint64 array arithmetic wraps silently, which is exactly what SplitMix64 needs.
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _MUL1
    z = (z ^ (z >> _S27)) * _MUL2
    return z ^ (z >> _S31)


def uniform(key: int, idx: np.ndarray | int) -> np.ndarray:
    """Uniform numbers in (0, 1), one per index; the same (key, index) gives the same value."""
    i = np.atleast_1d(np.asarray(idx, dtype=np.int64)).astype(np.uint64)
    z = _splitmix(_splitmix(i) ^ np.uint64(key))
    return ((z >> _S11).astype(np.float64) + 0.5) / _TWO_POW_53


def normal(key: int, idx: np.ndarray | int) -> np.ndarray:
    """Standard normal numbers, one per index (Box–Muller on two counter-based uniforms)."""
    i = np.atleast_1d(np.asarray(idx, dtype=np.int64))
    u1 = uniform(key, 2 * i)
    u2 = uniform(key, 2 * i + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)


def smooth(key: int, t: np.ndarray, scale_s: float) -> np.ndarray:
    """A smooth, stationary random process of unit variance, evaluated at times ``t`` (seconds).

    Normal knots every ``scale_s`` seconds are joined by a smoothstep; dividing by the blend's
    standard deviation keeps the variance at 1 between knots. Stateless, so any window of time
    gives the values of the same underlying curve.
    """
    x = np.asarray(t, dtype=np.float64) / scale_s
    if x.size == 0:
        return np.empty(0)
    k = np.floor(x).astype(np.int64)
    f = x - k
    k0 = int(k.min())
    # Draw each knot once rather than once per row: rows are far denser than knots.
    knots = normal(key, np.arange(k0, int(k.max()) + 2))
    a = knots[k - k0]
    b = knots[k - k0 + 1]
    w = f * f * (3.0 - 2.0 * f)
    return (a * (1.0 - w) + b * w) / np.sqrt((1.0 - w) ** 2 + w**2)


def ema(x: np.ndarray, decay: float, y0: float) -> tuple[np.ndarray, float]:
    """First-order lag ``y[n] = decay * y[n-1] + (1 - decay) * x[n]``, vectorised by blocks.

    Models thermal inertia (coolant, oil, ambient). Returns the filtered values and the last one,
    which the caller carries into the next call. Within a block the recursion has the closed form
    ``y[k] = decay**k * (y0 + (1 - decay) * sum(decay**-j * x[j]))``; blocks are short enough that
    ``decay**-k`` stays far from overflow.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    y = np.empty(n)
    if n == 0:
        return y, y0
    if decay <= 0.0:
        return x.copy(), float(x[-1])
    block = int(max(1, min(256, 40.0 / max(-math.log(decay), 1e-12))))
    powers = decay ** np.arange(1, block + 1, dtype=np.float64)
    inverse = 1.0 / powers
    gain = 1.0 - decay
    for s in range(0, n, block):
        xs = x[s : s + block]
        m = xs.size
        y[s : s + m] = powers[:m] * (y0 + np.cumsum(gain * xs * inverse[:m]))
        y0 = float(y[s + m - 1])
    return y, y0


def daily(t_local_s: np.ndarray, peak_hour: float) -> np.ndarray:
    """A unit daily sinusoid peaking at ``peak_hour`` local time (hall temperature and the like)."""
    return np.cos(2.0 * math.pi * (np.asarray(t_local_s) / 86_400.0 - peak_hour / 24.0))
