"""Finding training rows in what leaves the owner's space (the compute-to-data leak check).

:func:`find_rows` scans outputs (response bodies, files, model artefacts: JSON, HTML, CSV,
pickled / joblib model files, Parquet) for rows of a frame and returns every row it finds::

    leaks = find_rows({"model.pkl": data, "report.html": html}, frame)
    assert not leaks, leaks[0]

The rule (documented here because the tests and :mod:`openkamp.sharing.compute` rely on it):

**Cells that count as evidence.** A cell identifies its row only if chance cannot explain seeing
it: a number with at least :data:`MIN_DIGITS` significant digits in its shortest form (``123.4``,
``0.1234``, ``1234``; not ``0``, ``1``, ``4.8`` or ``1000``), a text of at least three characters,
or a time. Short numbers and short labels (``OK``, ``NG``, ``정상``) occur in any output and are
never evidence on their own; they also do not make a row of a table that holds only them
detectable, which is why the checker is a test of what an output holds, not a proof that a row
with no distinctive cell is absent.

**Where a cell is found.**

* In text (an output given as ``str``, and every byte stream decoded as UTF-8): a number token
  matches a cell when it has at least :data:`MIN_DIGITS` significant digits and is the cell's
  value exactly, or when it has at least :data:`MIN_ROUNDED_DIGITS` significant digits and is the
  cell's value rounded to the token's decimals (``123.4567891`` shown as ``123.45679``); thousands
  separators and exponents are read. A time token (``2026-03-02T09:00:00+09:00``,
  ``2026-03-02 00:00:00``) matches a time cell at the same instant (to the second; naive times are
  UTC). A word token matches a text cell equal to it (NFC). Byte streams are also read as
  UTF-32 (numpy's text arrays).
* In bytes (an output given as ``bytes``): a number cell as float64 (little- and big-endian, the
  latter being how pickle writes a Python float), as float32, and, when whole, as int64 / int32;
  a time cell as int64 nanoseconds, microseconds, milliseconds or seconds (pandas, Arrow). Every
  byte offset is tried (pickled arrays are not aligned). gzip and zlib streams (joblib's
  compression) are opened first; Parquet files are read and scanned as their CSV text too.

**Together and near.** A row is leaked when at least ``min_cells`` of its cells, each from a
different column, are found in **one** output at positions that are either within ``window``
characters / bytes of each other (records written row by row: JSON records, CSV, HTML tables,
row-major arrays), or, in bytes and fixed-width text (numpy's UTF-32 arrays), evenly spaced:
offsets on one lattice ``a + j·s`` with ``|j| < columns`` (a column-major block, the way pandas
pickles a frame's float columns: a row's cells are one column length apart). One coincidence is plausible; ``min_cells`` exact
coincidences from one row, laid out as a row, are not (a float64 pattern matches by chance with
probability about 2⁻⁶⁴).

Not covered: values transformed before they were written (standardised, scaled, encrypted) and
column-oriented text (``{"col": {"0": …, "1": …}}``) where a row's cells are a whole column apart.
The compute-to-data artefact rules (:mod:`openkamp.sharing.compute`) exist for the first; the
platform writes no output of the second kind.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_WINDOW", "MIN_DIGITS", "MIN_ROUNDED_DIGITS", "RowLeak", "find_rows"]

#: Characters / bytes within which the cells of one row must lie (row-by-row layouts).
DEFAULT_WINDOW = 2048
#: Significant digits a number needs to count as evidence.
MIN_DIGITS = 4
#: Significant digits a rounded rendering needs to be matched to a longer cell value: at 4 digits
#: a value spread over a few units matches a token by chance about 1 time in 200, too often for
#: several cells of one row; at 7 about 1 in 200,000. (LightGBM writes its leaf values and
#: weights with 6 digits, thousands of them in a model: at 6, a large table had rows whose cells
#: chance put together in one stretch of a model's text.)
MIN_ROUNDED_DIGITS = 7
# Matches kept per row and output: enough to find any layout, bounded for the pairwise check.
_MAX_MATCHES = 400

_NUMBER = re.compile(
    r"(?<![0-9A-Za-z_.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![0-9_])"
)
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_WORD = re.compile(r"[^\s\"'<>,;=(){}\[\]\\|`]{3,}")


@dataclass(frozen=True)
class RowLeak:
    """A row of the frame found in an output: which output, which row (position in the frame),
    the columns of its cells found there, their positions, and the layout they were found in
    (``text``, ``bytes`` or ``columnar`` for an evenly spaced column-major block)."""

    output: str
    row: int
    columns: tuple[str, ...]
    positions: tuple[int, ...]
    layout: str


def find_rows(
    outputs: Mapping[str, Any] | Iterable[tuple[str, Any]],
    frame: pd.DataFrame,
    min_cells: int = 3,
    *,
    window: int = DEFAULT_WINDOW,
) -> list[RowLeak]:
    """Every row of ``frame`` found in ``outputs`` (name → ``bytes``, ``str``, or a JSON value),
    at most one finding per row and output, by the rule of this module's docstring."""
    if min_cells < 1:
        raise ValueError("min_cells must be at least 1")
    items = outputs.items() if isinstance(outputs, Mapping) else outputs
    cells = _Cells(frame)
    found: list[RowLeak] = []
    for name, value in items:
        for text, data, fixed in _views(value):
            if text is not None:
                found += _judge(name, cells.in_text(text), min_cells, window, cells, "text", fixed)
            if data is not None:
                found += _judge(name, cells.in_bytes(data), min_cells, window, cells, "bytes", True)
    seen: set[tuple[str, int]] = set()
    out = []
    for leak in found:
        if (leak.output, leak.row) not in seen:
            seen.add((leak.output, leak.row))
            out.append(leak)
    return out


# -- the outputs ---------------------------------------------------------------------------------


def _views(value: Any) -> list[tuple[str | None, bytes | None, bool]]:
    """(text, bytes, whether the text has fixed-width cells) views of one output to scan."""
    if isinstance(value, str):
        return [(value, None, False)]
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        views: list[tuple[str | None, bytes | None, bool]] = [
            (data.decode("utf-8", errors="replace"), data, False)
        ]
        views += [(_utf32(data, k), None, True) for k in range(4)]
        inner = _unwrapped(data)
        if inner is not None:
            views += _views(inner)
        if data[:4] == b"PAR1":
            views.append((_parquet_text(data), None, False))
        return views
    return [(json.dumps(value, ensure_ascii=False, default=str), None, False)]


def _utf32(data: bytes, start: int) -> str:
    """``data`` from ``start`` read as UTF-32 (numpy's text arrays), every code unit that is no
    character (and the padding NULs between an array's elements) read as a space."""
    units = np.frombuffer(data, dtype="<u4", count=(len(data) - start) // 4, offset=start).copy()
    bad = (units == 0) | (units > 0x10FFFF) | ((units >= 0xD800) & (units <= 0xDFFF))
    units[bad] = 0x20
    return units.tobytes().decode("utf-32-le")


def _unwrapped(data: bytes) -> bytes | None:
    try:
        if data[:2] == b"\x1f\x8b":
            return gzip.decompress(data)
        if data[:1] == b"\x78" and data[1:2] in (b"\x01", b"\x5e", b"\x9c", b"\xda"):
            return zlib.decompress(data)
    except (OSError, zlib.error, EOFError):
        return None
    return None


def _parquet_text(data: bytes) -> str:
    import pyarrow.parquet as pq

    try:
        return str(pq.read_table(io.BytesIO(data)).to_pandas().to_csv(index=False))
    except Exception:  # not a readable Parquet file after all: the raw scans still ran
        return ""


# -- the cells -----------------------------------------------------------------------------------


def _digits(text: str) -> int:
    """Significant digits of a number's text (sign, exponent, point, and leading and trailing
    zeros left out)."""
    mantissa = re.split(r"[eE]", text)[0].replace(",", "").lstrip("+-")
    return len(mantissa.replace(".", "").strip("0"))


def _more_digits_than(v: np.ndarray, digits: int) -> np.ndarray:
    """Whether each (finite, non-zero) value needs more than ``digits`` significant digits: it
    differs from itself rounded to that many."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = 10.0 ** (np.floor(np.log10(np.abs(v))) - (digits - 1))
        rounded = np.round(v / scale) * scale
        return np.isfinite(v) & (v != 0) & ~np.isclose(v, rounded, rtol=1e-12, atol=0.0)


class _Keyed:
    """Cells indexed by one sorted key array (duplicates kept), for vectorised look-ups."""

    def __init__(self, keys: list[np.ndarray], rows: list[np.ndarray], cols: list[np.ndarray], dtype: Any) -> None:  # fmt: skip
        k = np.concatenate(keys).astype(dtype) if keys else np.zeros(0, dtype)
        order = np.argsort(k, kind="stable")
        self.keys = k[order]
        self.rows = np.concatenate(rows)[order] if rows else np.zeros(0, np.int64)
        self.cols = np.concatenate(cols)[order] if cols else np.zeros(0, np.int64)
        self.unique = np.unique(self.keys)

    def between(self, lo: np.ndarray, hi: np.ndarray, at: np.ndarray) -> _Found:
        """Cells with a key in ``[lo, hi]`` for each probe, found at position ``at``."""
        first = np.searchsorted(self.keys, lo, side="left")
        last = np.searchsorted(self.keys, hi, side="right")
        return _expand(first, last, at, self.rows, self.cols)

    def equal(self, probes: np.ndarray, at: np.ndarray) -> _Found:
        if not len(self.unique) or not len(probes):
            return _EMPTY
        idx = np.minimum(np.searchsorted(self.unique, probes), len(self.unique) - 1)
        hit = self.unique[idx] == probes
        return self.between(probes[hit], probes[hit], at[hit])


_Found = tuple[np.ndarray, np.ndarray, np.ndarray]  # rows, columns, positions
_EMPTY: _Found = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))


def _expand(first: np.ndarray, last: np.ndarray, at: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> _Found:  # fmt: skip
    counts = np.maximum(last - first, 0)
    total = int(counts.sum())
    if total == 0:
        return _EMPTY
    starts = np.repeat(first, counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    idx = starts + offsets
    return rows[idx], cols[idx], np.repeat(np.asarray(at, dtype=np.int64), counts)


def _join(parts: list[_Found]) -> _Found:
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _EMPTY
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


class _Cells:
    """The frame's distinctive cells, indexed by how they can appear (all vectorised: a frame of
    100,000 rows is indexed in about a second)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.ncols = max(1, frame.shape[1])
        self.columns = [str(c) for c in frame.columns]
        nums: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        longs: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        times: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        wide: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        narrow: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        self.words: dict[str, list[tuple[int, int]]] = defaultdict(list)

        def add(to: tuple[list[np.ndarray], ...], keys: np.ndarray, rows: np.ndarray, j: int) -> None:  # fmt: skip
            to[0].append(keys)
            to[1].append(rows)
            to[2].append(np.full(len(rows), j, dtype=np.int64))

        for j, col in enumerate(frame.columns):
            s = frame[col]
            if pd.api.types.is_datetime64_any_dtype(s):
                ts = pd.to_datetime(s, utc=True)
                ok = ~ts.isna().to_numpy()
                ns = ts.dt.tz_localize(None).to_numpy("datetime64[ns]").view("int64")[ok]
                rows = np.flatnonzero(ok)
                add(times, ns // 1_000_000_000, rows, j)
                # As stored at any resolution: pandas and Arrow write ns, us, ms or s.
                for unit in (1, 1_000, 1_000_000, 1_000_000_000):
                    whole = ns % unit == 0
                    add(wide, (ns[whole] // unit).view(np.uint64), rows[whole], j)
                continue
            if pd.api.types.is_bool_dtype(s):
                continue
            if pd.api.types.is_numeric_dtype(s):
                self._numbers(s.to_numpy(dtype=np.float64, na_value=np.nan), j, add, nums, longs, wide, narrow)  # fmt: skip
                continue
            values = s.to_numpy(dtype=object)
            number = np.array(
                [
                    isinstance(v, int | float | np.number) and not isinstance(v, bool)
                    for v in values
                ],
                dtype=bool,
            )
            if number.any():
                v = np.full(len(values), np.nan)
                v[number] = values[number].astype(np.float64)
                self._numbers(v, j, add, nums, longs, wide, narrow)
            for i, v in enumerate(values.tolist()):
                if number[i] or v is None or (isinstance(v, float) and math.isnan(v)):
                    continue
                if isinstance(v, pd.Timestamp):
                    t = v.tz_localize("UTC") if v.tzinfo is None else v
                    add(times, np.array([int(t.value) // 1_000_000_000]), np.array([i]), j)
                    continue
                text = unicodedata.normalize("NFC", str(v)).strip()
                if len(text) >= 3:
                    self.words[text].append((i, j))
        self.numbers = _Keyed(*nums, dtype=np.float64)
        self.long = _Keyed(*longs, dtype=np.float64)
        self.times = _Keyed(*times, dtype=np.int64)
        self.patterns = {8: _Keyed(*wide, dtype=np.uint64), 4: _Keyed(*narrow, dtype=np.uint32)}

    @staticmethod
    def _numbers(v: np.ndarray, j: int, add: Any, nums: Any, longs: Any, wide: Any, narrow: Any) -> None:  # fmt: skip
        keep = _more_digits_than(v, MIN_DIGITS - 1)
        rows = np.flatnonzero(keep)
        x = v[keep]
        add(nums, x, rows, j)
        long = _more_digits_than(x, MIN_ROUNDED_DIGITS - 1)
        add(longs, x[long], rows[long], j)
        add(wide, x.astype("<f8").view("<u8"), rows, j)
        add(wide, np.frombuffer(x.astype(">f8").tobytes(), dtype="<u8"), rows, j)
        with np.errstate(over="ignore"):
            f32 = x.astype("<f4")
        fits = np.isfinite(f32)
        add(narrow, f32[fits].view("<u4"), rows[fits], j)
        whole = (x == np.round(x)) & (np.abs(x) < 2.0**63)
        add(wide, x[whole].astype(np.int64).view(np.uint64), rows[whole], j)
        small = whole & (np.abs(x) < 2.0**31)
        add(narrow, x[small].astype(np.int64).astype(np.int32).view(np.uint32), rows[small], j)

    def in_text(self, text: str) -> _Found:
        """(rows, columns, positions) of every cell found in ``text``."""
        parts: list[_Found] = []
        secs, at = [], []
        for m in _TIME.finditer(text):
            try:
                t = pd.Timestamp(m.group(0).replace(" ", "T"))
            except ValueError:
                continue
            t = t.tz_localize("UTC") if t.tzinfo is None else t
            secs.append(int(t.value) // 1_000_000_000)
            at.append(m.start())
        if secs:
            parts.append(self.times.equal(np.array(secs, dtype=np.int64), np.array(at)))
        values, half, where = [], [], []
        for m in _NUMBER.finditer(text):
            token = m.group(0)
            digits = _digits(token)
            if digits < MIN_DIGITS:
                continue
            plain = token.replace(",", "")
            try:
                value = float(plain)
                exponent = Decimal(plain).as_tuple().exponent
            except (ValueError, InvalidOperation):
                continue
            if not math.isfinite(value) or not isinstance(exponent, int):
                continue
            values.append(value)
            # Half a unit of the token's last digit: the interval of values it may show rounded.
            half.append(0.5 * 10.0**exponent if digits >= MIN_ROUNDED_DIGITS else -1.0)
            where.append(m.start())
        if values:
            x, h, w = np.array(values), np.array(half), np.array(where, dtype=np.int64)
            exact = self.numbers.equal(x, w)
            parts.append(exact)
            found_exact = np.isin(w, exact[2])
            r = (h > 0) & ~found_exact
            parts.append(self.long.between(x[r] - h[r], x[r] + h[r], w[r]))
        if self.words:
            rows, cols, pos = [], [], []
            for m in _WORD.finditer(text):
                for i, j in self.words.get(unicodedata.normalize("NFC", m.group(0)), ()):
                    rows.append(i)
                    cols.append(j)
                    pos.append(m.start())
            if rows:
                parts.append((np.array(rows), np.array(cols), np.array(pos)))
        return _join(parts)

    def in_bytes(self, data: bytes) -> _Found:
        """(rows, columns, offsets) of every cell found in ``data`` as a binary value."""
        parts: list[_Found] = []
        for width, keyed in self.patterns.items():
            if not len(keyed.keys) or len(data) < width:
                continue
            dtype = "<u8" if width == 8 else "<u4"
            for start in range(width):
                n = (len(data) - start) // width
                if n <= 0:
                    continue
                arr = np.frombuffer(data, dtype=dtype, count=n, offset=start)
                parts.append(keyed.equal(arr, start + width * np.arange(n, dtype=np.int64)))
        return _join(parts)


# -- the judgement ---------------------------------------------------------------------------------


def _judge(
    name: str,
    matches: _Found,
    min_cells: int,
    window: int,
    cells: _Cells,
    layout: str,
    lattice: bool,
) -> list[RowLeak]:
    """Rows found, by the rule of the module's docstring; ``lattice``: the output may hold
    column-major arrays of fixed-width cells (bytes, numpy's text arrays)."""
    rows, cols, pos = matches
    if len(rows) == 0:
        return []
    # Only rows with cells of at least min_cells columns can leak: count distinct columns first.
    pairs = np.unique(rows * cells.ncols + cols)
    per_row = np.bincount(pairs // cells.ncols)
    candidates = np.flatnonzero(per_row >= min_cells)
    if not len(candidates):
        return []
    keep = np.isin(rows, candidates)
    by_row: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, j, p in zip(rows[keep].tolist(), cols[keep].tolist(), pos[keep].tolist(), strict=True):
        by_row[i].append((p, j))
    out = []
    for i, found in by_row.items():
        if len({j for _, j in found}) < min_cells:
            continue
        found = sorted(set(found))[:_MAX_MATCHES]
        hit, how = _near(found, min_cells, window), layout
        if hit is None and lattice:
            hit, how = _lattice(found, min_cells, cells.ncols), "columnar"
        if hit is not None:
            out.append(
                RowLeak(
                    name,
                    i,
                    tuple(cells.columns[j] for _, j in hit),
                    tuple(p for p, _ in hit),
                    how,
                )
            )
    return out


def _near(
    found: list[tuple[int, int]], min_cells: int, window: int
) -> list[tuple[int, int]] | None:
    """Matches of at least ``min_cells`` columns within ``window`` of each other (sorted input)."""
    lo = 0
    for hi in range(len(found)):
        while found[hi][0] - found[lo][0] > window:
            lo += 1
        span = found[lo : hi + 1]
        cols: dict[int, tuple[int, int]] = {}
        for p, j in span:
            cols.setdefault(j, (p, j))
        if len(cols) >= min_cells:
            return sorted(cols.values())
    return None


def _lattice(
    found: list[tuple[int, int]], min_cells: int, ncols: int
) -> list[tuple[int, int]] | None:
    """Matches of at least ``min_cells`` columns on one lattice ``a + j·s`` (``|j| < ncols``)."""
    positions: dict[int, set[int]] = defaultdict(set)
    for p, j in found:
        positions[p].add(j)
    for x, (a, ja) in enumerate(found):
        for b, jb in found[x + 1 :]:
            step = b - a
            if jb == ja or step <= 0:
                continue
            cols: dict[int, tuple[int, int]] = {}
            for k in range(-(ncols - 1), ncols):
                for j in positions.get(a + k * step, ()):
                    cols.setdefault(j, (a + k * step, j))
            if len(cols) >= min_cells:
                return sorted(cols.values())
    return None
