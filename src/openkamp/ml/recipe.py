"""A recipe from an optimise model's advice: one window per controllable setting.

The optimise template advises settings row by row (``OptimiseModel.recommend``: the value of
each control, its change, the predicted outcome before and after). A person running a machine
wants one answer per setting instead: "보압 570–580 bar". This module summarises the row-by-row
advice of a period into that answer, without fitting anything:

* the **window** of a setting is the middle half (25th–75th percentile) of the values advised
  for it, over the rows whose advice changes it;
* its **predicted effect** is the median predicted improvement of those rows, in the target's
  own units (percentage points of the defect rate for a defect model), with the middle half of
  the improvements as its **uncertainty**; it is the surrogate model's prediction, not a
  measurement, and rows often change several settings at once, so effects of settings that
  change together are not separated.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SettingWindow:
    control: str
    low: float
    high: float
    current: float  # median current value over the rows of the period
    rows: int  # rows whose advice changes this setting
    effect: float  # median predicted improvement of those rows (target units)
    effect_low: float
    effect_high: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recipe(advice: pd.DataFrame, controls: list[str], *, scale: float = 1.0) -> list[SettingWindow]:
    """One window per control that the advice changes, most effective first. ``scale`` turns
    improvements into the target's units shown (100 for probabilities → percentage points)."""
    out = []
    changed = advice.get("changed", pd.Series("", index=advice.index)).fillna("").astype(str)
    gain = pd.to_numeric(advice.get("improvement"), errors="coerce") * scale
    for c in controls:
        if c not in advice.columns:
            continue
        rows = changed.map(lambda names, c=c: c in names.split(","))
        values = pd.to_numeric(advice.loc[rows, c], errors="coerce").dropna()
        if values.empty:
            continue
        g = gain[rows].dropna()
        current = pd.to_numeric(advice.get(f"{c}_current"), errors="coerce")
        q = np.nanquantile(g, [0.5, 0.25, 0.75]) if len(g) else [np.nan] * 3
        out.append(
            SettingWindow(
                control=c,
                low=float(values.quantile(0.25)),
                high=float(values.quantile(0.75)),
                current=float(np.nanmedian(current)) if current is not None else float("nan"),
                rows=int(rows.sum()),
                effect=float(q[0]),
                effect_low=float(q[1]),
                effect_high=float(q[2]),
            )
        )
    return sorted(out, key=lambda w: -np.nan_to_num(w.effect, nan=-np.inf))
