"""What the catalog shows of a dataset version without showing the dataset (issue 11, item 1):
its coverage (rows, time span, machine, column roles, label classes) and an anonymised preview.

**The anonymised preview** (:func:`anonymised_preview`): at most :data:`PREVIEW_ROWS` rows spread
evenly over the version. Per column, by role and kind:

- ``ignore`` columns: dropped.
- ``id`` and ``group`` columns (part, lot, mould, serial numbers): pseudonymised with HMAC-SHA256
  under a random key made for this preview and then discarded: equal values stay equal inside
  the preview, and nothing, not even the platform, can map a pseudonym back.
- ``time`` columns (the role or the kind): generalised to the day (``2026-02-14``), never an exact
  time.
- text columns that are not labels: free text (operators' notes, names): dropped. Text labels
  (OK/NG, defect types) are kept when every value is a short category (at most 32 characters),
  else dropped.
- numbers: rounded to three significant digits; booleans kept.

The preview lists every column with what was done to it (``treatment``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from openkamp.core.tenancy import Principal
    from openkamp.datasets._version import DatasetVersion
    from openkamp.datasets.service import DatasetService

__all__ = ["MAX_CATEGORY", "PREVIEW_ROWS", "anonymised_preview", "coverage"]

#: Rows an anonymised preview holds at most.
PREVIEW_ROWS = 20
#: Longest value of a text label the preview keeps (a category, not free text).
MAX_CATEGORY = 32


def _pseudonym(key: bytes, value: Any) -> str:
    return "p-" + hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def _round3(value: Any) -> Any:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    r = float(f"{x:.3g}")
    return int(r) if r.is_integer() and abs(r) < 2**53 else r


def _day(value: Any) -> str | None:
    at = pd.to_datetime(value, utc=True, errors="coerce")
    return None if pd.isna(at) else str(at.strftime("%Y-%m-%d"))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def anonymised_preview(v: DatasetVersion, frame: pd.DataFrame) -> dict[str, Any]:
    """The anonymised preview of ``frame`` (at most :data:`PREVIEW_ROWS` rows of version
    ``v``): see the module docstring for the rule. ``{"columns": [...], "rows": [[...]]}``."""
    frame = frame.head(PREVIEW_ROWS)
    key = secrets.token_bytes(32)  # discarded with this call: pseudonyms cannot be reversed
    columns: list[dict[str, Any]] = []
    kept: list[list[Any]] = []
    for c in v.columns:
        out: list[Any] | None
        desc = {
            "name": c.name,
            "kind": c.kind,
            "role": c.role,
            "unit": c.unit,
            "display": dict(c.display),
        }
        values = list(frame[c.name]) if c.name in frame.columns else []
        if c.role == "ignore" or c.name not in frame.columns:
            treatment, out = "dropped", None
        elif c.role in ("id", "group"):
            treatment = "pseudonymised"
            out = [None if _missing(x) else _pseudonym(key, x) for x in values]
        elif c.role == "time" or c.kind == "time":
            treatment = "generalised_to_day"
            out = [_day(x) for x in values]
        elif c.kind == "text":
            short = all(_missing(x) or len(str(x)) <= MAX_CATEGORY for x in values)
            if c.role == "label" and short:
                treatment = "kept"
                out = [None if _missing(x) else str(x) for x in values]
            else:
                treatment, out = "dropped", None
        elif c.kind == "bool":
            treatment, out = "kept", [None if _missing(x) else bool(x) for x in values]
        else:
            treatment, out = "rounded_3_significant", [_round3(x) for x in values]
        columns.append({**desc, "treatment": treatment})
        if out is not None:
            kept.append(out)
    shown = [col for col in columns if col["treatment"] != "dropped"]
    rows = [list(r) for r in zip(*kept, strict=True)] if kept else []
    return {"columns": columns, "shown": [col["name"] for col in shown], "rows": rows}


def coverage(datasets: DatasetService, principal: Principal, v: DatasetVersion) -> dict[str, Any]:
    """Rows, time span, the machine and label classes of version ``v`` (read column by column
    in batches: bounded memory)."""
    start = end = None
    time = v.time_column
    if time is not None:
        for part in datasets.iter_batches(principal, v.id, [time]):
            at = pd.to_datetime(part[time], utc=True, errors="coerce").dropna()
            if len(at):
                lo, hi = at.min(), at.max()
                start = lo if start is None or lo < start else start
                end = hi if end is None or hi > end else end
    labels: dict[str, dict[str, int] | None] = {}
    for name in v.label_columns:
        counts: dict[str, int] | None = {}
        for part in datasets.iter_batches(principal, v.id, [name]):
            for value, n in part[name].dropna().astype(str).value_counts().items():
                assert counts is not None
                counts[str(value)] = counts.get(str(value), 0) + int(n)
            if len(counts or {}) > PREVIEW_ROWS:  # a measured quantity, not classes
                counts = None
                break
        labels[name] = counts
    roles: dict[str, int] = {}
    for c in v.columns:
        roles[c.role] = roles.get(c.role, 0) + 1
    return {
        "rows": v.rows,
        "start": None if start is None else start.isoformat(),
        "end": None if end is None else end.isoformat(),
        "equipment": 1 if v.equipment_id is not None else None,
        "columns": roles,
        "labels": labels,
    }
