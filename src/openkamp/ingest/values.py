"""Vectorised cell conversion for imported values: numbers, booleans, missing markers."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Cells that mean "no value" (not an error). Excel error codes such as #DIV/0! are errors.
MISSING = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null", "None", "-", "--", "#N/A"]
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_TRUE = ["true", "on", "yes", "y", "ok", "1", "참", "예"]
_FALSE = ["false", "off", "no", "n", "ng", "0", "거짓", "아니오"]


#: Rows that sum up others (합계, 소계, 평균, Total …): set aside with their own reason.
SUMMARY = (
    r"^\s*[\[(]?\s*(합\s*계|소\s*계|총\s*계|누\s*계|계|평\s*균|최\s*대|최\s*소|총\s*합|"
    r"total|sum|subtotal|sub-total|grand total|average|avg|mean|max|min)\s*[\])]?\s*:?\s*$"
)
_CELL_UNIT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?\s*(?P<unit>[^\d\s.,+-][^\d]{0,7})$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def is_summary(arr: pa.Array) -> np.ndarray:
    """Mask of text cells that name a total / summary row (합계, 소계, 평균, Total, Sum …)."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return np.zeros(len(arr), dtype=bool)
    hit = pc.match_substring_regex(arr, SUMMARY, ignore_case=True)
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def cell_unit(values: Sequence[object]) -> str:
    """The unit every number of a column is written with (``'230 bar'``, ``'45%'``), or ''.

    Only when every non-missing sample cell carries the same unit: then stripping it is safe.
    """
    units = set()
    n = 0
    for v in values:
        if not isinstance(v, str) or v.strip() in MISSING:
            continue
        m = _CELL_UNIT.match(v.strip())
        if not m or not any(ch.isdigit() for ch in v):
            return ""
        units.add(m.group("unit").strip())
        n += 1
    return units.pop() if n and len(units) == 1 else ""


def decimal_comma(values: Sequence[object]) -> bool:
    """Numbers written with a decimal comma (``'1,5'``; semicolon-separated European exports).

    Only when no cell has a point and some comma is followed by other than three digits (so
    ``1,234`` stays a thousands separator).
    """
    cells = [v.strip() for v in values if isinstance(v, str) and v.strip() not in MISSING]
    if not cells or any("." in c for c in cells):
        return False
    if not all(_DECIMAL_COMMA.match(c) or c.lstrip("+-").isdigit() for c in cells):
        return False
    return any(_DECIMAL_COMMA.match(c) and len(c.split(",")[1]) != 3 for c in cells)


def to_float(
    arr: pa.Array | pa.ChunkedArray,
    booleans: bool = False,
    *,
    unit: str = "",
    comma_decimal: bool = False,
) -> tuple[pa.Array, np.ndarray]:
    """Convert a column to float64. Returns the values (null = missing) and a mask of bad cells.

    Numeric columns pass through. Text is trimmed, thousands separators are dropped, missing
    markers become nulls, and anything else that is not a number is flagged bad. With
    ``booleans``, words such as true/false, on/off, OK/NG also read as 1/0 (boolean signals).
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if (
        pa.types.is_floating(arr.type)
        or pa.types.is_integer(arr.type)
        or pa.types.is_boolean(arr.type)
    ):
        out = pc.cast(arr, pa.float64())
        return out, np.zeros(len(out), dtype=bool)
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.float64()), np.zeros(len(arr), dtype=bool)
    text = pc.utf8_trim_whitespace(arr.cast(pa.string()))
    missing = pc.or_kleene(pc.is_null(text), pc.is_in(text, value_set=pa.array(MISSING)))
    missing = pc.fill_null(missing, True)
    if unit:  # the column's own unit after each number (see cell_unit)
        text = pc.replace_substring_regex(text, r"\s*" + re.escape(unit) + "$", "")
    if comma_decimal:
        text = pc.replace_substring(pc.replace_substring(text, ".", ""), ",", ".")
    else:
        text = pc.replace_substring(text, ",", "")
    lowered = pc.utf8_lower(text)
    is_num = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
    is_true = pc.fill_null(pc.is_in(lowered, value_set=pa.array(_TRUE)), False)
    is_false = pc.fill_null(pc.is_in(lowered, value_set=pa.array(_FALSE)), False)
    if not booleans:
        is_true = is_false = pa.array(np.zeros(len(text), dtype=bool))
    good = pc.or_(pc.or_(is_num, is_true), is_false)
    bad = pc.and_(pc.invert(good), pc.invert(missing)).to_numpy(zero_copy_only=False)
    nums = pc.cast(pc.if_else(is_num, text, pa.scalar(None, pa.string())), pa.float64())
    nums = pc.if_else(is_true, 1.0, pc.if_else(is_false, 0.0, nums))
    return nums, bad


def is_numeric_sample(
    values: list[str], threshold: float = 0.5, *, unit: str = "", comma_decimal: bool = False
) -> bool:
    """True when at least ``threshold`` of the non-missing sample values read as numbers."""
    arr = pa.array(
        [v if isinstance(v, str) else str(v) for v in values if v is not None], pa.string()
    )
    if len(arr) == 0:
        return True
    nums, bad = to_float(arr, unit=unit, comma_decimal=comma_decimal)
    valid = len(arr) - int(pc.sum(pc.is_null(nums)).as_py() or 0) + int(bad.sum())
    return valid == 0 or (1 - bad.sum() / max(valid, 1)) >= threshold
