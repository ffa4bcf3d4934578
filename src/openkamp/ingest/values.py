"""Vectorised cell conversion for imported values: numbers, booleans, missing markers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Cells that mean "no value" (not an error). Excel error codes such as #DIV/0! are errors.
MISSING = ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null", "None", "-", "--", "#N/A"]
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_TRUE = ["true", "on", "yes", "y", "ok", "1", "참", "예"]
_FALSE = ["false", "off", "no", "n", "ng", "0", "거짓", "아니오"]


def to_float(
    arr: pa.Array | pa.ChunkedArray, booleans: bool = False
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


def is_numeric_sample(values: list[str], threshold: float = 0.5) -> bool:
    """True when at least ``threshold`` of the non-missing sample values read as numbers."""
    arr = pa.array(
        [v if isinstance(v, str) else str(v) for v in values if v is not None], pa.string()
    )
    if len(arr) == 0:
        return True
    nums, bad = to_float(arr)
    valid = len(arr) - int(pc.sum(pc.is_null(nums)).as_py() or 0) + int(bad.sum())
    return valid == 0 or (1 - bad.sum() / max(valid, 1)) >= threshold
