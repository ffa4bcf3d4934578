"""Series preparation, season detection, features and baselines of the forecast template.

Used by :mod:`openkamp.ml.templates.forecast`; see its docstring for the protocol. A forecast
*origin* ``o`` is a position in a regular series: the values ``v[:o]`` are known, and positions
``o .. o + horizon - 1`` are forecast. Every feature of an (origin, step) row reads ``v[:o]`` only
(plus the calendar and the exogenous values, known in advance, of the target time).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

AGGS = ("mean", "sum", "count", "last", "max", "min")
BASELINES = ("naive", "seasonal_naive", "mean", "drift")

NICE_STEPS = ("1s", "5s", "10s", "15s", "30s", "1min", "5min", "10min", "15min", "30min",
              "1h", "2h", "3h", "6h", "12h", "1D", "7D")  # fmt: skip
CYCLES = 4  # the same phase is averaged over up to this many past seasons
ACF_MIN = 0.3
CALENDAR = ("hour", "dow", "month")


def step_seconds(step: str) -> float:
    """Seconds of a fixed step (``"15min"``, ``"h"``, ``"1D"``); a clear error for calendar steps
    of varying length (months)."""
    try:
        return float(pd.Timedelta(pd.tseries.frequencies.to_offset(step)).total_seconds())
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"freq {step!r} is not a fixed step: use e.g. '15min', '1h', '1D'"
        ) from exc


def infer_step(index: pd.DatetimeIndex) -> str:
    """The grid step of ``index``: its own spacing when regular, else the median spacing rounded
    up to a round step (``1min``, ``15min``, ``1h`` …)."""
    if len(index) < 3:
        raise ValueError("cannot infer a frequency from fewer than 3 timestamps; pass freq")
    gaps = pd.Series(index.unique()).diff().dropna()
    if gaps.nunique() == 1:
        return str(pd.tseries.frequencies.to_offset(gaps.iloc[0]).freqstr)
    gap = gaps.median()
    for s in NICE_STEPS:
        if pd.Timedelta(s) >= gap:
            return s
    return NICE_STEPS[-1]


def regularise(y: Any, freq: str, agg: str, end: Any = None) -> pd.Series:
    """``y`` on a regular grid of ``freq`` (steps labelled by their start), without gaps.

    ``sum`` and ``count`` make empty steps 0; the others interpolate them in time. ``end`` (the
    end of the observation period) adds empty steps after the last row up to it.
    """
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(f"y must be one column, got {y.shape[1]}: pass the target as a Series")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series) or not isinstance(y.index, pd.DatetimeIndex):
        raise TypeError("y must be a pandas Series with a DatetimeIndex (timestamps of the values)")
    if agg not in AGGS:
        raise ValueError(f"unknown agg {agg!r}; choose from {list(AGGS)}")
    y = y.sort_index()
    if agg != "count":
        y = pd.to_numeric(y, errors="coerce")
    r = y.resample(freq)
    out = r.sum(min_count=0) if agg == "sum" else getattr(r, agg)()
    return fill_steps(out, freq, agg, end)


def fill_steps(out: pd.Series, freq: str, agg: str, end: Any = None) -> pd.Series:
    """The second half of :func:`regularise`: steps of ``freq`` (one value per step, empty
    steps missing) made whole: continued up to ``end``, ``sum`` / ``count`` gaps 0, others
    interpolated in time."""
    if end is not None:
        stop = pd.Timestamp(end)
        if stop.tzinfo is None and out.index.tz is not None:
            stop = stop.tz_localize(out.index.tz)
        out = out.reindex(pd.date_range(out.index[0], stop, freq=freq, inclusive="left"))
    if agg in ("sum", "count"):
        out = out.fillna(0.0)
    elif out.isna().any():
        out = out.interpolate("time").ffill().bfill()
    if out.isna().all():
        raise ValueError("y has no numeric values")
    return out.astype(np.float64)


class StepAccumulator:
    """:func:`regularise` of a series fed in consecutive pieces (in time order), keeping only
    the newest ``keep`` steps: what forecasting from the end of a long period reads, in memory
    bounded by ``keep`` whatever the period's length.

    Each piece is cut into the steps of ``freq`` on the grid :func:`regularise` uses for the
    whole series (steps from midnight of the first reading's day) and summarised per step
    (sum and count, last, max, min), so a step cut between two pieces adds up as one. Older
    steps are dropped, except the newest step with a value before those kept: a gap at the
    start of the kept steps is interpolated from it as over the whole series.
    """

    def __init__(self, freq: str, agg: str, keep: int) -> None:
        if agg not in AGGS:
            raise ValueError(f"unknown agg {agg!r}; choose from {list(AGGS)}")
        self.freq, self.agg, self.keep = freq, agg, max(1, int(keep))
        offset = pd.tseries.frequencies.to_offset(freq)
        try:  # a fixed step (seconds to days): cut by arithmetic from the series' first day
            self._step: pd.Timedelta | None = pd.Timedelta(offset)
        except (ValueError, TypeError):  # weeks, months: anchored, the same grid for any start
            self._step = None
        self._origin: pd.Timestamp | None = None
        self._steps: pd.DataFrame | None = None  # per step: sum, count, last, max, min

    def add(self, y: pd.Series) -> None:
        """The next readings (a Series with a DatetimeIndex, after those added before)."""
        if not len(y):
            return
        if self.agg != "count":
            y = pd.to_numeric(y, errors="coerce")
        y = y.astype(np.float64)
        if self._origin is None:
            self._origin = y.index[0].normalize()
        if self._step is not None:
            k = np.asarray((y.index - self._origin) // self._step, dtype=np.int64)
            label = self._origin + pd.to_timedelta(k * self._step.value, unit="ns")
            g = y.groupby(label)
            part = pd.DataFrame(
                {"sum": g.sum(), "count": g.count(), "last": g.last(), "max": g.max(),
                 "min": g.min()}
            )  # fmt: skip
        else:
            r = y.resample(self.freq)
            part = pd.DataFrame(
                {"sum": r.sum(), "count": r.count(), "last": r.last(), "max": r.max(),
                 "min": r.min()}
            )  # fmt: skip
            part = part[part["count"] > 0]
        both = part if self._steps is None else pd.concat([self._steps, part])
        g = both.groupby(level=0, sort=True)
        merged = pd.DataFrame(
            {"sum": g["sum"].sum(), "count": g["count"].sum(), "last": g["last"].last(),
             "max": g["max"].max(), "min": g["min"].min()}
        )  # fmt: skip
        self._steps = self._trim(merged)

    def _grid(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
        return pd.date_range(first, last, freq=self._step or self.freq)

    def _trim(self, steps: pd.DataFrame) -> pd.DataFrame:
        newest = steps.index[-1]
        cut = pd.date_range(end=newest, periods=self.keep, freq=self._step or self.freq)[0]
        old = steps[steps.index < cut]
        if old.empty:
            return steps
        anchor = old[self._values(old).notna()].tail(1)
        return pd.concat([anchor, steps[steps.index >= cut]])

    def _values(self, steps: pd.DataFrame) -> pd.Series:
        if self.agg == "mean":
            return steps["sum"] / steps["count"].where(steps["count"] > 0)
        if self.agg == "sum":
            return steps["sum"]
        if self.agg == "count":
            return steps["count"]
        return steps[self.agg]

    def series(self, end: Any = None) -> pd.Series:
        """The kept steps as :func:`regularise` makes them (``end``: the period's end)."""
        if self._steps is None or self._steps.empty:
            raise ValueError("y has no numeric values")
        steps = self._steps
        values = self._values(steps).reindex(self._grid(steps.index[0], steps.index[-1]))
        if self.agg in ("sum", "count"):
            values = values.fillna(0.0)
        return fill_steps(values, self.freq, self.agg, end)


def detect_seasons(v: np.ndarray, step: str, max_seasons: int = 3) -> list[tuple[int, float]]:
    """Seasonal periods (steps) with their autocorrelation, strongest first.

    Candidates: one day and one week (when whole numbers of ``step``), and the highest other
    local peak of the autocorrelation; kept at ≥ ``ACF_MIN`` with at least 3 periods of data. A
    multiple of a kept period is dropped unless it correlates clearly better (a week on a series
    with only a daily pattern adds nothing but a longer memory).
    """
    n = len(v)
    t = np.arange(n, dtype=np.float64)
    x = v - np.polyval(np.polyfit(t, v, 1), t) if n > 2 else v - v.mean()
    var = float(np.dot(x, x))
    if var <= 0 or n < 6:
        return []
    max_lag = n // 3
    sec = step_seconds(step)
    f = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(f * np.conj(f))[: max_lag + 2] / var
    cands = [round(d / sec) for d in (86_400.0, 604_800.0) if d % sec == 0 and d / sec >= 2]
    inner = acf[2 : max_lag + 1]
    peaks = [
        k + 2
        for k in range(1, len(inner) - 1)
        if inner[k] >= inner[k - 1] and inner[k] >= inner[k + 1]
    ]
    if peaks:
        cands.append(max(peaks, key=lambda k: acf[k]))
    kept: list[tuple[int, float]] = []
    for p in sorted(set(cands)):
        if p > max_lag or acf[p] < ACF_MIN or acf[p] < max(acf[p - 1], acf[p + 1]):
            continue
        if any(p % q == 0 and acf[p] < a + 0.05 for q, a in kept):
            continue
        kept.append((p, float(acf[p])))
    return sorted(kept, key=lambda pa: -pa[1])[:max_seasons]


@dataclass
class Spec:
    """What the features of a fitted model are made of (plain values, picklable)."""

    horizon: int
    lags: int
    window: int
    seasons: list[int]
    step: str
    calendar: list[str]
    exog: list[str] = field(default_factory=list)

    @property
    def first(self) -> int:
        """The first origin with complete features."""
        return max(self.lags, self.window, max(self.seasons, default=1), 2)

    @property
    def need(self) -> int:
        """Steps of history that forecasting from the end of a series reads."""
        return max(self.lags, 2 * self.window, CYCLES * max(self.seasons, default=1)) + 1


def _window_mean(cs: np.ndarray, end: np.ndarray, w: int) -> np.ndarray:
    return (cs[end] - cs[end - w]) / w


def design(
    v: np.ndarray,
    times: pd.DatetimeIndex,
    E: np.ndarray | None,
    origins: np.ndarray,
    spec: Spec,
    horizon: int,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Feature rows (origin-major, then step 1..horizon), the base level per row, target index.

    Origin ``o`` forecasts positions ``o .. o + horizon - 1`` from ``v[:o]``; ``times`` (and the
    exogenous table ``E``) must reach the last target position.
    """
    o = np.asarray(origins, dtype=np.int64)
    m, steps = len(o), np.arange(1, horizon + 1)
    cs = np.r_[0.0, np.cumsum(v)]
    cs2 = np.r_[0.0, np.cumsum(v * v)]
    base = _window_mean(cs, o, spec.window)
    sd = np.sqrt(np.maximum(_window_mean(cs2, o, spec.window) - base**2, 0.0))
    short = max(2, min(spec.lags, 6))
    cols: dict[str, np.ndarray] = {"step": np.tile(steps, m).astype(np.float64)}
    per_origin = {f"lag{k}": v[o - k] - base for k in range(1, spec.lags + 1)}
    per_origin["mean_short"] = _window_mean(cs, o, short) - base
    # The level itself: targets that do not move with it (a planned stop, a bounded signal) are
    # "minus the level" relative to it.
    per_origin["level"] = base
    per_origin["sd_window"] = sd
    for k, col in per_origin.items():
        cols[k] = np.repeat(col, horizon)
    tgt = (o[:, None] + steps[None, :] - 1).ravel()
    b = np.repeat(base, horizon)
    for s in spec.seasons:
        idx = tgt - s * np.ceil(np.tile(steps, m) / s).astype(np.int64)
        cols[f"last_s{s}"] = v[idx] - b
        past = np.stack([idx - c * s for c in range(CYCLES)])
        vals = np.where(past >= 0, v[np.maximum(past, 0)], np.nan)
        cols[f"mean_s{s}"] = np.nanmean(vals, axis=0) - b
    t = times[tgt]
    if "hour" in spec.calendar:
        cols["hour"] = (t.hour + t.minute / 60.0).to_numpy(dtype=np.float64)
    if "dow" in spec.calendar:
        cols["dow"] = t.day_of_week.to_numpy(dtype=np.float64)
    if "month" in spec.calendar:
        cols["month"] = t.month.to_numpy(dtype=np.float64)
    ns = times[tgt].as_unit("s").asi8 // max(1, round(step_seconds(spec.step)))
    for s in spec.seasons:
        if not calendar_season(s, spec.step):
            cols[f"phase_s{s}"] = (ns % s).astype(np.float64)
    for j, c in enumerate(spec.exog):
        assert E is not None
        cols[exog_name(j, c)] = E[tgt, j]
    return pd.DataFrame(cols), b, tgt


def exog_name(j: int, column: str) -> str:
    """Feature name of exogenous column ``j`` (letters, digits and ``_`` only, as LightGBM wants)."""
    return f"x{j}_" + re.sub(r"[^0-9A-Za-z_]", "_", str(column))


def calendar_season(s: int, step: str) -> bool:
    return s * step_seconds(step) in (86_400.0, 604_800.0)


def baseline(name: str, v: np.ndarray, origins: np.ndarray, spec: Spec, horizon: int) -> np.ndarray:
    """Forecasts (origins × steps) of a baseline: ``naive``, ``mean``, ``drift`` or
    ``seasonal_naive_<period>``."""
    o = np.asarray(origins, dtype=np.int64)
    steps = np.arange(1, horizon + 1)
    if name == "naive":
        return np.repeat(v[o - 1][:, None], horizon, axis=1)
    cs = np.r_[0.0, np.cumsum(v)]
    w = spec.window
    level = _window_mean(cs, o, w)
    if name == "mean":
        return np.repeat(level[:, None], horizon, axis=1)
    if name == "drift":
        # Level change per step between the last two windows: a trend, without the season.
        prev = _window_mean(cs, np.maximum(o - w, w), w)
        slope = np.where(o >= 2 * w, (level - prev) / w, 0.0)
        return level[:, None] + slope[:, None] * (steps[None, :] + (w - 1) / 2.0)
    s = int(name.rsplit("_", 1)[1])
    idx = o[:, None] + steps[None, :] - 1 - s * np.ceil(steps / s).astype(np.int64)[None, :]
    return v[idx]


def mae(a: np.ndarray, f: np.ndarray) -> float:
    return float(np.mean(np.abs(a - f)))


def rmse(a: np.ndarray, f: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - f) ** 2)))


def wape(a: np.ndarray, f: np.ndarray) -> float:
    d = float(np.sum(np.abs(a)))
    return float(np.sum(np.abs(a - f)) / d) if d > 0 else float("nan")


def smape(a: np.ndarray, f: np.ndarray) -> float:
    d = np.abs(a) + np.abs(f)
    r = np.where(d > 0, 2.0 * np.abs(a - f) / np.where(d > 0, d, 1.0), 0.0)
    return float(np.mean(r))


def mase(af: np.ndarray, ref: np.ndarray) -> float:
    """MAE of ``af[:, 1]`` relative to that of ``ref`` (actual in ``af[:, 0]``)."""
    d = mae(af[:, 0], ref)
    return mae(af[:, 0], af[:, 1]) / d if d > 0 else float("nan")


METRICS = {"mae": mae, "rmse": rmse, "smape": smape, "wape": wape}


def error_quantiles(resid: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-step lower and upper error quantiles (split-conformal ranks: with ``m`` errors the
    upper bound is the ⌈(m + 1)(1 + level)/2⌉-th smallest)."""
    m = len(resid)
    q_hi = min(1.0, math.ceil((m + 1) * (1 + level) / 2) / max(m, 1))
    q_lo = max(0.0, 1.0 - q_hi)
    return (
        np.quantile(resid, q_lo, axis=0, method="lower"),
        np.quantile(resid, q_hi, axis=0, method="higher"),
    )
