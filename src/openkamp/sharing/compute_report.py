"""The report of a compute-to-data model: the card's charts of rows as binned aggregates.

:func:`aggregate_card` replaces every chart that shows rows by binned aggregates with at least
``k`` rows a bin (``k`` = :data:`K_MIN` = 10, the usual small-cell threshold of statistical
disclosure control) or drops it:

* scatter plots (predicted against actual, remaining life) become the means of ``k`` or more
  rows sorted by x, with their row count;
* lines (held-out anomaly scores, a forecast's last backtest) the means of ``k`` or more
  consecutive rows;
* histograms (residuals, probabilities by class) counts of equal-width bins, edges rounded
  outward to two significant digits (no edge is a row's value), merged left to right until each
  bin holds ``k`` rows or more, drawn as bars;
* the calibration curve bins of ``k`` or more rows sorted by the probability
  (:func:`calibration_curve`, from the template's per-row values before they are removed);
* charts of aggregates stay as they are (importance, confusion counts, error by forecast step);
  a chart with fewer than ``k`` rows, or of a kind not known here, is dropped.

:func:`card_json` is the aggregated card as plain JSON values (the report for programs).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from typing import Any

import numpy as np
import pandas as pd

from openkamp.ml.card import ModelCard, Plot

__all__ = ["K_MIN", "aggregate_card", "calibration_curve", "card_json"]

#: Fewest rows behind any figure that leaves (a report bin; for models, a tree leaf).
K_MIN = 10


#: Charts of aggregates that leave as they are.
_AGGREGATE_PLOTS = frozenset({"ml.plot.importance", "ml.plot.confusion", "ml.plot.error_by_step"})


def aggregate_card(
    card: ModelCard, k: int = K_MIN, *, calibration: pd.DataFrame | None = None
) -> ModelCard:
    """``card`` with every chart of rows replaced by binned aggregates of at least ``k`` rows a
    bin, or dropped (see the module docstring); ``calibration``: the calibration curve rebuilt
    from per-row values (:func:`calibration_curve`), which replaces the template's."""
    out = copy.deepcopy(card)
    plots: list[Plot] = []
    for plot in card.plots:
        data = plot.data if isinstance(plot.data, pd.DataFrame) else pd.DataFrame(plot.data)
        new: Plot | None
        if plot.title in _AGGREGATE_PLOTS:
            new = copy.deepcopy(plot)
        elif plot.title == "ml.plot.calibration":
            new = None if calibration is None else dataclasses.replace(plot, data=calibration)
        elif plot.kind == "scatter":
            new = _binned_scatter(plot, data, k)
        elif plot.kind == "line":
            new = _binned_line(plot, data, k)
        elif plot.kind == "hist":
            new = _binned_hist(plot, data, k)
        else:
            new = None  # a chart we do not know: it does not leave
        if new is not None:
            plots.append(new)
    out.plots = plots
    return out


def _groups(n: int, k: int) -> list[np.ndarray]:
    return [] if n < k else np.array_split(np.arange(n), n // k)


def _mean(values: pd.Series) -> Any:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.mean()
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    return float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")


def _binned_scatter(plot: Plot, data: pd.DataFrame, k: int) -> Plot | None:
    cols = [c for c in (plot.x, *plot.y) if c is not None and c in data.columns]
    if plot.x not in data.columns or not plot.y or plot.y[0] not in data.columns:
        return None
    d = data[cols].dropna().sort_values(plot.x, kind="stable").reset_index(drop=True)
    parts = _groups(len(d), k)
    if not parts:
        return None
    rows = [{**{c: _mean(d[c].iloc[p]) for c in cols}, "rows": len(p)} for p in parts]
    return dataclasses.replace(plot, data=pd.DataFrame(rows))


def _binned_line(plot: Plot, data: pd.DataFrame, k: int) -> Plot | None:
    cols = [c for c in (plot.x, *plot.y) if c is not None and c in data.columns]
    d = data[cols].reset_index(drop=True)
    parts = _groups(len(d), k)
    if not parts or not cols:
        return None
    rows = [{**{c: _mean(d[c].iloc[p]) for c in cols}, "rows": len(p)} for p in parts]
    return dataclasses.replace(plot, data=pd.DataFrame(rows))


def _binned_hist(plot: Plot, data: pd.DataFrame, k: int) -> Plot | None:
    """Counts of equal-width bins (edges rounded outward to two significant digits, so no edge is
    a row's value), merged left to right until each holds ``k`` rows or more, as a bar chart."""
    from openkamp.charts import fmt

    if not plot.y or plot.y[0] not in data.columns:
        return None
    values = pd.to_numeric(data[plot.y[0]], errors="coerce")
    groups = data[plot.x].astype(str) if plot.x and plot.x in data.columns else None
    labels: list[str] = []
    counts: list[int] = []
    for name in [None] if groups is None else sorted(groups.unique()):
        v = values if name is None else values[groups == name]
        v = v[np.isfinite(v)].to_numpy(dtype=np.float64)
        if len(v) < k:
            continue
        lo, hi = _round_out(float(v.min()), down=True), _round_out(float(v.max()), down=False)
        if hi <= lo:
            hi = lo + 1.0
        edges = np.linspace(lo, hi, min(20, max(1, len(v) // k)) + 1)
        n, _ = np.histogram(v, bins=edges)
        start, held = 0, 0
        merged: list[tuple[int, int, int]] = []
        for i, c in enumerate(n):
            held += int(c)
            if held >= k:
                merged.append((start, i + 1, held))
                start, held = i + 1, 0
        if held and merged:
            s, _, c = merged[-1]
            merged[-1] = (s, len(n), c + held)
        prefix = "" if name is None else f"{name} · "
        for s, e, c in merged:
            labels.append(f"{prefix}{fmt(float(edges[s]))} – {fmt(float(edges[e]))}")
            counts.append(c)
    if not counts:
        return None
    return Plot(
        "bar",
        plot.title,
        pd.DataFrame({"bin": labels, "rows": counts}),
        x="bin",
        y=["rows"],
    )


def _round_out(v: float, *, down: bool) -> float:
    if v == 0 or not math.isfinite(v):
        return 0.0
    step = 10.0 ** (math.floor(math.log10(abs(v))) - 1)
    return (math.floor(v / step) if down else math.ceil(v / step)) * step


def calibration_curve(template: Any, k: int = K_MIN) -> pd.DataFrame | None:
    """A binary defect model's calibration curve in bins of at least ``k`` rows (sorted by the
    cross-fitted probability), from the template's per-row values before they are removed."""
    p = getattr(template, "eval_proba_", None)
    y = getattr(template, "oof_target_", None)
    if p is None or y is None or not getattr(template, "binary_", False):
        return None
    p = np.asarray(p, dtype=np.float64)
    keep = np.isfinite(p)
    order = np.argsort(p[keep], kind="stable")
    ps, ys = p[keep][order], np.asarray(y)[keep][order].astype(np.float64)
    parts = _groups(len(ps), k)
    if not parts:
        return None
    parts = np.array_split(np.arange(len(ps)), min(10, len(parts)))
    return pd.DataFrame(
        {
            "predicted": [float(ps[q].mean()) for q in parts],
            "observed": [float(ys[q].mean()) for q in parts],
            "rows": [len(q) for q in parts],
        }
    )


def card_json(card: ModelCard) -> dict[str, Any]:
    """The aggregated card as plain JSON values (the report for programs)."""
    out: dict[str, Any] = {
        "task": card.task,
        "method": _plain(card.method),
        "protocol": card.protocol,
        "protocol_kind": card.protocol_kind,
        "metrics": card.headline(),
        "metric_ci": {k: [float(a), float(b)] for k, (a, b) in card.metric_ci.items()},
        "leaderboard": _plain(card.leaderboard),
        "features": list(card.features),
        "dropped": dict(card.dropped),
        "target": card.target,
        "rows": int(card.rows),
        "rows_unit": card.rows_unit,
        "limits": list(card.limits),
        "verdict": card.verdict,
        "warnings": _plain(card.warnings),
        "extra": _plain(card.extra),
        "importance": None
        if card.importance is None
        else {str(k): float(v) for k, v in card.importance.items()},
        "tradeoff": _plain(getattr(card, "tradeoff", None)),
        "plots": [
            {
                "kind": p.kind,
                "title": p.title,
                "x": p.x,
                "y": list(p.y),
                "data": json.loads(p.data.to_json(orient="records", date_format="iso")),
            }
            for p in card.plots
        ],
    }
    return out


def _plain(value: Any) -> Any:
    from openkamp.ml.service import _plain as plain

    return plain(value)
