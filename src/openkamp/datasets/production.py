"""Production and defect counts from the record datasets of a machine (for the overview).

A record dataset linked to an equipment (``DatasetVersion.equipment_id``: the import wizard's
machine) holds one row per shot / part. :func:`daily_counts` counts its rows and its defects per
local day, streaming only the time and judgement columns (bounded memory). A defect is a row whose
judgement says so: ``불량``, ``NG``, ``FAIL`` … in a text label, anything but 0 in a numeric one;
an empty judgement is not counted as either.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from openkamp.core.tenancy import Principal
from openkamp.datasets._version import DatasetVersion

if TYPE_CHECKING:
    from openkamp.datasets.service import DatasetRef, DatasetService

__all__ = ["DEFECT_WORDS", "daily_counts", "judgement_column", "linked"]

#: Judgement values that mean a defect (compared case-folded, trimmed).
DEFECT_WORDS = frozenset(
    {"불량", "ng", "n.g", "nok", "fail", "failed", "bad", "불합격", "defect", "reject", "x"}
)
_GOOD_WORDS = frozenset({"양품", "ok", "pass", "passed", "good", "합격", "정상", "o"})
_JUDGEMENT = re.compile(
    r"^(판정|양불|양불판정|합부|결과|검사결과|result|judge|judgement|okng|passfail)"
)


def linked(
    service: DatasetService, principal: Principal, equipment_id: int
) -> list[DatasetVersion]:
    """The latest version of every record dataset linked to the equipment."""
    return [
        v
        for v in service.list(principal)
        if v.equipment_id == equipment_id and v.origin == "records"
    ]


def judgement_column(v: DatasetVersion) -> str | None:
    """The label column that says good or defect: one named like a judgement, else the first
    label column (None when the dataset has no label)."""
    labels = [c for c in v.columns if c.role == "label"]
    for c in labels:
        key = re.sub(r"[\s_\-/]+", "", (c.header or c.name)).casefold()
        if _JUDGEMENT.match(key):
            return c.name
    return labels[0].name if labels else None


def _defects(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """(is a defect, has a judgement) per row."""
    if kind in ("number", "bool"):
        nums = pd.to_numeric(values, errors="coerce")
        return nums.fillna(0).ne(0), nums.notna()
    text = values.astype("string").str.strip().str.casefold()
    defect = text.isin(DEFECT_WORDS).fillna(False).astype(bool)
    judged = (defect | text.isin(_GOOD_WORDS).fillna(False)).astype(bool)
    # Defect-type columns ('미성형', '버') name the defect itself and leave good rows empty.
    if not judged.any() and text.notna().any():
        named = text.notna() & ~text.isin({"", "none", "없음", "-"})
        return named.astype(bool), pd.Series(True, index=values.index)
    return defect, judged


def daily_counts(
    service: DatasetService, principal: Principal, ref: DatasetRef, tz: str
) -> pd.DataFrame:
    """Rows (production) and defects per local day: columns ``day``, ``rows``, ``judged``,
    ``defects``. Empty for a dataset without a time column."""
    v = service.get(principal, ref)
    columns = ["day", "rows", "judged", "defects"]
    if v.time_column is None:
        return pd.DataFrame(columns=columns)
    judge = judgement_column(v)
    kind = v.column(judge).kind if judge else "text"
    wanted = [v.time_column] + ([judge] if judge else [])
    parts: list[pd.DataFrame] = []
    for frame in service.iter_batches(principal, v.id, wanted):
        times = pd.to_datetime(frame[v.time_column], utc=True)
        day = times.dt.tz_convert(tz).dt.date
        if judge:
            defect, judged = _defects(frame[judge], kind)
        else:
            defect = judged = pd.Series(False, index=frame.index)
        part = pd.DataFrame(
            {"day": day, "rows": 1, "judged": judged.astype(int), "defects": defect.astype(int)}
        ).dropna(subset=["day"])
        parts.append(part.groupby("day", as_index=False).sum())
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts).groupby("day", as_index=False).sum()
    return out[columns].sort_values("day").reset_index(drop=True)
