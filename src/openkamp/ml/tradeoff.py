"""The decision threshold of a defect model, chosen by a person on a trade-off view.

A lower threshold catches more defects and raises more false alarms. The view counts both, per
day of production (at the training period's rate of rows per day; per 1,000 parts for a table
without times), for a ladder of thresholds. The counts come from the model's cross-fitted
evaluation (``eval_proba_``: every row scored by pieces that never saw its label), so they are
what the figures on the result page are computed from, not an in-sample replay.

A card that carries its own trade-off (``card.tradeoff``) is used as it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

#: Thresholds offered: a ladder dense where defect models usually decide.
LADDER = (0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _days(provenance: dict[str, Any]) -> float | None:
    data = (provenance.get("training") or {}).get("data") or {}
    try:
        first = datetime.fromisoformat(str(data["first"]))
        last = datetime.fromisoformat(str(data["last"]))
    except (KeyError, TypeError, ValueError):
        return None
    days = (last - first).total_seconds() / 86400
    return days if days >= 0.25 else None  # a few hours say little about a day


def tradeoff(model: Any, provenance: dict[str, Any], card: Any = None) -> dict[str, Any] | None:
    """Rows ``{threshold, caught, missed, false_alarms, recall}`` (counts per ``unit``) for a
    binary defect model, with the current threshold; None for other models."""
    own = getattr(card, "tradeoff", None) if card is not None else None
    if isinstance(own, dict) and {"rows", "unit"} <= set(own):  # the same shape as below
        return dict(own)
    if not getattr(model, "binary_", False):
        return None
    proba = getattr(model, "eval_proba_", None)
    target = getattr(model, "oof_target_", None)
    if proba is None or target is None:
        return None
    p = np.asarray(proba, dtype=float)
    if p.ndim == 2:
        p = p[:, -1]
    y = np.asarray(target).astype(int)
    ok = np.isfinite(p)
    p, y = p[ok], y[ok]
    if len(p) == 0 or y.sum() == 0:
        return None
    data = (provenance.get("training") or {}).get("data") or {}
    days = _days(provenance)
    rows_total = int(data.get("rows") or len(p))
    if days:
        scale, unit = rows_total / days / len(p), "day"  # evaluated rows → a day of production
    else:
        scale, unit = 1000.0 / len(p), "thousand"
    current = getattr(model, "threshold_", None)
    ladder = sorted({*LADDER, *([round(float(current), 3)] if current is not None else [])})
    rows = []
    for th in ladder:
        flag = p >= th
        rows.append(
            {
                "threshold": float(th),
                "caught": float((flag & (y == 1)).sum() * scale),
                "missed": float((~flag & (y == 1)).sum() * scale),
                "false_alarms": float((flag & (y == 0)).sum() * scale),
                "recall": float((flag & (y == 1)).sum() / max(1, (y == 1).sum())),
            }
        )
    return {
        "unit": unit,
        "rows": rows,
        "current": None if current is None else float(current),
        "evaluated": len(p),
        "defects": int(y.sum()),
    }
