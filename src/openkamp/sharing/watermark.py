"""A per-recipient watermark hidden in the numbers of an export, and tracing a leaked copy to its
contract (issue 11, item 4).

Scheme (``openkamp-qim-v1``)
----------------------------
After Agrawal & Kiernan, "Watermarking relational databases" (VLDB 2002): a keyed hash of each
row's own key chooses which values carry a mark and what the mark is, so detection needs only the
contract's key and the copy, not the original, and survives any subset and order of the rows.
Where Agrawal & Kiernan set one of the low bits of a value (lost when the copy is rounded), each
mark here is one bit written by dithered quantisation index modulation (Chen & Wornell, IEEE
Trans. Inf. Theory 2001) at a step wide enough to survive rounding to fewer decimals.

- **Row key.** The text of the row's key columns as exported (the consumer's copy carries them):
  of the columns the caller names (say the pseudonymised id and the timestamp), the smallest set
  that tells the rows apart as well as all of them, timestamps first (in a shot table the
  timestamp alone, so a copy without the id column is still traced). Timestamps as microseconds
  UTC, ids as :func:`~openkamp.sharing.transforms.canonical_text` (a CSV round trip changes
  neither).
  The key never depends on a marked value, so rounding the values cannot move it.
  ``r = BLAKE2b-64(key=K, "row" || key)`` (keyed BLAKE2b, RFC 7693: a MAC, used as a PRF) with
  the contract's watermark key ``K`` (:class:`~openkamp.sharing.contract_keys.ContractKey`); per
  marked column ``c`` a keyed salt ``s_c = BLAKE2b-64(key=K, "col" || c)`` and
  ``u = splitmix64(r xor s_c)`` (64 bits; the per-value bits below come from disjoint parts of
  ``u``, so they are independent).
- **Selection.** The value of column ``c`` in a row is marked when ``u mod gamma == 0``: one value
  in ``gamma`` (default 32, ~3.1 %) on average, chosen independently per row and column.
- **Mark.** In units of the column's last delivered decimal (``x = X * 10^-d``, X whole), with
  ``S = 24 * 10^(k-1)`` units (``k = robust_decimals``, default 1) and ``H = S / 2``, the bit
  ``b`` and the dither ``o`` (both from ``u``) define the lattice ``o + b*H + j*S``; a marked
  value moves to its nearest point of that lattice (``|change| <= H``), still at ``d`` decimals.
- **Detection.** For a candidate key, every row of the copy (one per row key: duplicates count
  once) and every marked column still in it: recompute selection, ``b`` and ``o``; decode
  ``b' = round((X' - o) / H) mod 2`` from the copy's value ``X'`` (not assumed whole: the copy may
  have fewer decimals). With ``n`` selected values and ``m`` matches, the p-value is the exact
  binomial tail ``P(Bin(n, 1/2) >= m)`` and ``z = (2m - n) / sqrt(n)``. For a copy that is not
  this key's (unmarked, another key's, other data) the expected bits are fair coins independent
  of the values, so the null is exact whatever the data look like; :func:`trace` names a contract
  only when its p-value is below ``alpha`` (default 1e-6; with 200 candidates the chance of naming
  an innocent one is below 2e-4).

Robustness
----------
- **Subsets, order, extra rows:** marks are found by row key, so any subset in any order keeps
  the marks of the rows it has; evidence grows as ``z ~ sqrt(values / gamma)``.
- **Rounding to k fewer decimals:** moves a value by at most ``10^k / 2 = 5 * 10^(k-1)`` units,
  less than ``H / 2 = 6 * 10^(k-1)``, so every mark still decodes. Two decimals fewer than
  delivered need ``robust_decimals=2`` (ten times the distortion).
- **Dropped columns:** each column carries its own marks; any one marked column left is enough
  for a large enough copy (``rename`` maps renamed columns back).
- **Not survived (stated limits):** dropping or rewriting the row key's columns (shifting the
  timestamps again, re-pseudonymising ids, cutting timestamps to whole seconds); noise larger
  than ``H / 2`` added to every value; rounding to more decimals fewer than ``robust_decimals``;
  two recipients comparing their copies (the values that differ are the marks: pseudonyms and
  time shifts per contract make their row keys differ, which hides which rows correspond, but
  not for long against someone who matches rows by their values).

Distortion
----------
A column with fixed decimals (at most six; whole numbers count as none) is marked only if its
step ``S * 10^-d`` is at most ``max_step_std`` (default 1) times its standard deviation; other
such columns are left alone and reported as skipped (``spread``).

A column **without fixed decimals** (full precision: a computed value, a sensor read as a float)
has no last decimal to mark at, and leaving it unmarked would leave an owner whose data are all
like that with nothing to trace a leak by. It is rounded, every value, to the fewest decimals
``d`` whose step is at most ``CONTINUOUS_STEP_STD`` (1/4) of its standard deviation,
``d = max(0, ceil(log10(S / (std / 4))))`` (so ``S * 10^-d`` lies in ``(std/40, std/4]`` unless
``d = 0``), and marked there (:class:`MarkedColumn` ``rounded``; the export reports the rounding
as a ``round`` step). With one decimal rounded away still decoding, as for any marked column:
a full-precision pressure of std 18 bar goes out with one decimal, a cycle time of std 0.15 s
with three. Its distortion: every value moves by at most half a unit of the last decimal
(``10^-d / 2 <= std / 192``; variance ``10^-2d / 12``, below ``std^2 / 10^5``), a marked one by
at most ``H * 10^-d <= std / 8`` from its exact value. A constant column (spread below 1e-11) is
skipped (``constant``). So, per marked column with fixed decimals: one value in ``gamma`` changes; a change is at most ``H * 10^-d`` (with one decimal
delivered: 1.2 units, e.g. 1.2 bar), at most half the column's standard deviation; changes are
dithered, so their mean is ~0 (bias 0.5 unit of the last decimal per marked value at most) and
they add ``S^2 / 12`` of variance to one value in ``gamma``: the column's variance grows by at
most ``std^2 / (12 * gamma)`` (std by at most 0.13 % at the defaults); per rounded column the
marks add at most ``std^2 / (192 * gamma)`` (0.008 % of the std at the defaults).
:class:`WatermarkReport` states the measured maximum absolute and relative change, and the
change of each column's mean and standard deviation, for the delivery record (a rounded column:
the largest rounding change of an unmarked value too, ``rounding_max_abs_change``).

An export in which no column can carry a mark (whole numbers of small spread, constants, text)
is not marked; :func:`plan` refuses it (``no_column``, naming why each column was skipped) and
the delivery records ``watermark: none`` with that reason (:func:`none_record`).

Measured
--------
On the tests' generated 20,000-shot injection-moulding table (five marked columns of one to
three decimals, the mould temperature skipped for its small spread; 3,089 values marked; the row
key: the timestamp), the leaked copy sampled, shuffled, two marked columns dropped and read back
from a CSV file:

=========  ======  ====================================  ======================================
sample     rows    delivered decimals                    one decimal fewer
=========  ======  ====================================  ======================================
2 %        400     50 marks, z = 7.1, p ~ 1e-15           the same (every mark decodes)
10 %       2,000   215 marks, z = 14.7, p ~ 1e-65         the same
20 %       4,000   389 marks, z = 19.7, p ~ 1e-117        the same
30 %       6,000   577 marks, z = 24.0, p ~ 1e-174        the same
=========  ======  ====================================  ======================================

Two decimals fewer defeats the default (z <= 2.0 at every size, the whole table included:
``robust_decimals=2`` is the setting for that). Innocent keys: 2,000 random keys on an unmarked
30 % copy gave z of mean 0.00 and standard deviation 1.01, the largest 3.54, the smallest p-value
2.3e-4, 5.2 % below 0.05, as the exact null says. Distortion on that table: the largest change
equals the bound (1.2 bar, 0.12 mm/s, 0.012 s, 0.12 mm), the largest relative change 0.1 %
(pressures) to 2 % (a 6 mm cushion), means and standard deviations moved by at most 6e-4 of a
standard deviation (the cushion; 2e-4 or less for the others). Marking 20,000 rows takes
0.1-0.4 s (choosing the row key included), scoring 205 candidates against a 4,000-row copy ~1 s
(on the loaded two-core machine).

Full precision, measured on the tests' 20,000-shot table with four unrounded float columns
(stds 18, 3.5, 0.15, 0.4: delivered with 1, 2, 3 and 3 decimals; 2,511 values marked; a
whole-number counter and a constant left unmarked): every value moved by at most half a unit of
its last decimal (0.05 bar ... 0.0005 s), a marked one by at most the bound (1.2 bar ...
0.012 s; relative 0.1-0.25 %), means and standard deviations by at most 5e-5 of a standard
deviation. A sample rounded to one decimal fewer than delivered: 2 % of the rows, 65 marks,
z = 8.1, p ~ 1e-20; 20 %, 515 marks, z = 22.7, p ~ 1e-155 (every mark decodes); two decimals
fewer defeats it as above (z <= 1.2). 2,005 keys on an unmarked 30 % copy rounded as delivered:
z of mean 0.00 and standard deviation 1.02, the largest 3.16, 5.4 % of p-values below 0.05.

The parameters (:class:`WatermarkParams`: scheme, key columns, marked columns with decimals and
step, gamma) go into the delivery record as JSON; the key never does: it is re-derived from the
platform secret and the contract's ``secret_id`` to trace.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from openkamp.core.errors import InvalidInput
from openkamp.i18n import t
from openkamp.sharing.contract_keys import ContractKey
from openkamp.sharing.transforms import canonical_text, column_decimals

__all__ = [
    "SCHEME",
    "Evidence",
    "KeyColumn",
    "MarkedColumn",
    "TraceResult",
    "WatermarkParams",
    "WatermarkReport",
    "embed",
    "none_record",
    "plan",
    "score",
    "trace",
    "watermark",
]

SCHEME = "openkamp-qim-v1"
GAMMA = 32
ALPHA = 1e-6
MIN_KEY_BYTES = 16
_STEP_UNITS = 24  # S for robust_decimals=1: S/4 = 6 units > 5 units, the most rounding can move
_MIN_VALUES = 8  # a column with fewer values is not worth marking
#: A full-precision column is rounded to the decimals at which the lattice step is at most this
#: fraction of its standard deviation (and more than a tenth of it): module docstring.
CONTINUOUS_STEP_STD = 0.25
_MAX_ROUNDED_DECIMALS = 12
_EPOCH = pd.Timestamp(0, tz="UTC")


# --- parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyColumn:
    """A column of the row key. ``tz``: the time zone a timestamp column was delivered in; a
    copy that lost it (naive times, as a spreadsheet writes them) is read in that zone."""

    name: str
    kind: Literal["time", "text"]
    tz: str | None = None


@dataclass(frozen=True)
class MarkedColumn:
    """A marked column: its delivered ``decimals`` and the lattice ``step`` S in units of its
    last decimal; ``rounded``: a full-precision column the export rounds to ``decimals`` (every
    value) before marking it."""

    name: str
    decimals: int
    step: int
    rounded: bool = False

    @property
    def max_change(self) -> float:
        return (self.step // 2) * 10.0**-self.decimals


@dataclass(frozen=True)
class WatermarkParams:
    """What the delivery record keeps of a watermark (no key)."""

    key_columns: tuple[KeyColumn, ...]
    columns: tuple[MarkedColumn, ...]
    gamma: int = GAMMA
    robust_decimals: int = 1
    skipped: Mapping[str, str] = field(default_factory=dict)
    scheme: str = SCHEME

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "gamma": self.gamma,
            "robust_decimals": self.robust_decimals,
            "key_columns": [{"name": k.name, "kind": k.kind, "tz": k.tz} for k in self.key_columns],
            "columns": [
                {"name": c.name, "decimals": c.decimals, "step": c.step}
                | ({"rounded": True} if c.rounded else {})
                for c in self.columns
            ],
            "skipped": dict(self.skipped),
        }

    @classmethod
    def from_json(cls, document: Any) -> WatermarkParams:
        try:
            if document["scheme"] != SCHEME:
                raise _invalid("params", path="scheme", expected=SCHEME)
            keys = tuple(
                KeyColumn(str(k["name"]), k["kind"], k.get("tz")) for k in document["key_columns"]
            )
            columns = tuple(
                MarkedColumn(
                    str(c["name"]), int(c["decimals"]), int(c["step"]), c.get("rounded") is True
                )
                for c in document["columns"]
            )
            params = cls(
                key_columns=keys,
                columns=columns,
                gamma=int(document["gamma"]),
                robust_decimals=int(document["robust_decimals"]),
                skipped=dict(document.get("skipped") or {}),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise _invalid("params", path=str(exc), expected="openkamp-qim-v1 JSON") from exc
        _check_params(params)
        return params


def _check_params(params: WatermarkParams) -> None:
    if not params.key_columns:
        raise _invalid("key_columns")
    if any(k.kind not in ("time", "text") for k in params.key_columns):
        raise _invalid("params", path="key_columns.kind", expected="time | text")
    if not 1 <= params.gamma <= 10_000:
        raise _invalid("params", path="gamma", expected="1..10000")
    if not 1 <= params.robust_decimals <= 4:
        raise _invalid("params", path="robust_decimals", expected="1..4")
    for c in params.columns:
        if c.step < 2 or c.step % 2 or not 0 <= c.decimals <= 12:
            raise _invalid("params", path=f"columns.{c.name}", expected="even step >= 2")


def plan(
    frame: pd.DataFrame | pa.Table,
    key_columns: Sequence[str],
    *,
    columns: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    gamma: int = GAMMA,
    robust_decimals: int = 1,
    max_step_std: float = 1.0,
) -> WatermarkParams:
    """Choose the row key and the marked columns of ``frame``.

    The row key: the smallest subset of ``key_columns`` (timestamps first) that identifies the
    rows as well as all of them do, so that a copy may lose the others. The marked columns: the
    numeric columns (or ``columns``) other than ``key_columns`` and ``exclude`` (generalised
    columns, whose values are bins) whose decimals are known and whose step is at most
    ``max_step_std`` standard deviations, and the full-precision ones (no fixed decimals, not
    constant), rounded to the decimals their spread gives (:func:`choose_column`)."""
    data = _pandas(frame)
    if not key_columns:
        raise _invalid("key_columns")
    keys: list[KeyColumn] = []
    for name in key_columns:
        if name not in data.columns:
            raise _invalid("key_column", column=name)
        if pd.api.types.is_datetime64_any_dtype(data[name].dtype):
            tz = data[name].dt.tz
            keys.append(KeyColumn(name, "time", None if tz is None else str(tz)))
        else:
            keys.append(KeyColumn(name, "text"))
    keys = _smallest_unique(data, keys)
    if columns is None:
        chosen = [str(c) for c in data.columns if c not in key_columns and c not in exclude]
        chosen = [c for c in chosen if _numeric(data[c])]
    else:
        chosen = list(columns)
        for name in chosen:
            if name not in data.columns or not _numeric(data[name]):
                raise _invalid("column", column=name)
    step = _STEP_UNITS * 10 ** (robust_decimals - 1)
    marked: list[MarkedColumn] = []
    skipped: dict[str, str] = {}
    for name in chosen:
        series = data[name]
        values = series.to_numpy(dtype=float, na_value=np.nan)
        values = values[np.isfinite(values)]
        std = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
        choice = choose_column(
            name, column_decimals(series), values.size, std, step=step, max_step_std=max_step_std
        )
        if isinstance(choice, str):
            skipped[name] = choice
        else:
            marked.append(choice)
    params = WatermarkParams(
        key_columns=tuple(keys),
        columns=tuple(marked),
        gamma=gamma,
        robust_decimals=robust_decimals,
        skipped=skipped,
    )
    _check_params(params)
    if not marked:
        raise _invalid("no_column", skipped=", ".join(f"{k}: {v}" for k, v in skipped.items()))
    return params


def choose_column(
    name: str,
    decimals: int | None,
    count: int,
    std: float,
    *,
    step: int = _STEP_UNITS,
    max_step_std: float = 1.0,
) -> MarkedColumn | str:
    """Whether a candidate column carries marks, from its figures (the whole frame's or the
    streamed export's running ones): the :class:`MarkedColumn`, or why not (``too_few_values``,
    ``spread``, ``constant``: no spread, or one below 1e-11 that rounding error could make).

    ``decimals`` known (fixed decimals, integers as 0): marked at them when the step is at most
    ``max_step_std`` standard deviations. ``decimals`` None (full precision): rounded to
    ``d = max(0, ceil(log10(step / (CONTINUOUS_STEP_STD * std))))``, the fewest decimals whose
    step is at most a quarter of a standard deviation (module docstring, Distortion)."""
    if count < _MIN_VALUES:
        return "too_few_values"
    if decimals is not None:
        if step * 10.0**-decimals > max_step_std * std:
            return "spread"  # a mark would be large against the column's variation
        return MarkedColumn(name, decimals, step)
    if not math.isfinite(std) or std <= 0:
        return "constant"
    d = max(0, math.ceil(math.log10(step / (CONTINUOUS_STEP_STD * std)) - 1e-9))
    if d > _MAX_ROUNDED_DECIMALS:
        return "constant"  # (1/3 a million times: a std of 1e-17 from the sums alone)
    return MarkedColumn(name, d, step, rounded=True)


def none_record(reason: str, skipped: str = "") -> dict[str, Any]:
    """What the delivery record and the ledger keep of an export that carries no mark: why
    (``no_column``: no column could carry one, ``skipped`` says why each was left;
    ``no_row_key``: nothing identifies the rows)."""
    return {"scheme": "none", "reason": reason, "skipped": skipped}


def _smallest_unique(data: pd.DataFrame, keys: list[KeyColumn]) -> list[KeyColumn]:
    def identity(subset: Sequence[KeyColumn]) -> tuple[int, int]:
        texts, valid = _row_texts(data, subset)
        complete = [text for text, ok in zip(texts, valid, strict=True) if ok]
        return len(complete), len(set(complete))

    full = identity(keys)
    ordered = sorted(keys, key=lambda k: k.kind != "time")
    for size in range(1, len(keys)):
        for subset in itertools.combinations(ordered, size):
            if identity(subset) == full:
                return list(subset)
    return keys


# --- embedding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatermarkReport:
    """What marking did (for the delivery record): the parameters, how many values were marked
    and the measured distortion per column. ``unkeyed_rows``: rows with a missing key part (never
    marked); ``duplicate_keys``: rows whose key an earlier row has (they carry the same marks, and
    count once in detection: a key should identify one row)."""

    params: WatermarkParams
    rows: int
    marked: int
    columns: Mapping[str, Mapping[str, float | int]]
    unkeyed_rows: int = 0
    duplicate_keys: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            **self.params.to_json(),
            "rows": self.rows,
            "marked": self.marked,
            "unkeyed_rows": self.unkeyed_rows,
            "duplicate_keys": self.duplicate_keys,
            "distortion": {k: dict(v) for k, v in self.columns.items()},
        }


def watermark(
    frame: pd.DataFrame | pa.Table,
    key: bytes | ContractKey,
    key_columns: Sequence[str],
    **options: Any,
) -> tuple[pd.DataFrame | pa.Table, WatermarkReport]:
    """:func:`plan` then :func:`embed` (``options`` go to :func:`plan`)."""
    return embed(frame, key, plan(frame, key_columns, **options))


def embed(
    frame: pd.DataFrame | pa.Table, key: bytes | ContractKey, params: WatermarkParams
) -> tuple[pd.DataFrame | pa.Table, WatermarkReport]:
    """Mark ``frame`` for the holder of ``key`` (a new frame of the same kind comes back)."""
    secret = _key(key)
    if isinstance(frame, pa.Table):
        out, report = embed(frame.to_pandas(), secret, params)
        return pa.Table.from_pandas(cast(pd.DataFrame, out), preserve_index=False), report
    data = frame.copy()
    for c in params.columns:
        if c.name not in data.columns or not _numeric(data[c.name]):
            raise _invalid("column", column=c.name)
    rows, valid = _row_hashes(data, params.key_columns, secret)
    total = 0
    figures: dict[str, dict[str, float | int]] = {}
    for c in params.columns:
        series = data[c.name]
        values = series.to_numpy(dtype=float, na_value=np.nan)
        selected, bit, dither = _marks(rows, secret, c, params.gamma)
        selected &= valid & np.isfinite(values)
        half = c.step // 2
        base = dither[selected] + bit[selected] * half
        new = values.copy()
        if c.rounded:  # every value to the delivered decimals; a mark from the exact value
            new = np.round(values, c.decimals)
            exact = values[selected] * 10.0**c.decimals
            target = base + np.floor((exact - base + half) / c.step).astype(np.int64) * c.step
        else:
            units = np.round(values[selected] * 10.0**c.decimals).astype(np.int64)
            target = base + np.floor_divide(units - base + half, c.step) * c.step
        new[selected] = np.round(target * 10.0**-c.decimals, c.decimals)
        if pd.api.types.is_integer_dtype(series.dtype):
            data[c.name] = pd.Series(new, index=data.index).astype(series.dtype)
        else:
            data[c.name] = new
        total += int(selected.sum())
        figures[c.name] = _distortion(values, new, selected, c)
    keyed = rows[valid]
    duplicates = len(keyed) - len(np.unique(keyed))
    report = WatermarkReport(
        params, len(data), total, figures, int((~valid).sum()), int(duplicates)
    )
    return data, report


def _distortion(
    before: np.ndarray, after: np.ndarray, selected: np.ndarray, column: MarkedColumn
) -> dict[str, float | int]:
    present = np.isfinite(before)
    change = after[selected] - before[selected]
    nonzero = before[selected] != 0
    relative = np.abs(change[nonzero] / before[selected][nonzero])
    std = float(np.std(before[present], ddof=1))
    rounding: dict[str, float | int] = {}
    if column.rounded:  # the change of the values rounded and not marked
        plain = present & ~selected
        rounded = np.abs(after[plain] - before[plain])
        rounding = {"rounding_max_abs_change": float(np.max(rounded)) if rounded.size else 0.0}
    return {
        **rounding,
        "decimals": column.decimals,
        "step": column.step * 10.0**-column.decimals,
        "bound": column.max_change,
        "marked": int(selected.sum()),
        "max_abs_change": float(np.max(np.abs(change))) if change.size else 0.0,
        "max_rel_change": float(np.max(relative)) if relative.size else 0.0,
        "mean_change": float(np.mean(after[present]) - np.mean(before[present])),
        "std_change": float(np.std(after[present], ddof=1)) - std,
        "std": std,
    }


# --- detection --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One candidate's evidence: ``values`` marks looked at, ``matches`` of them as this key
    wrote them, the z-score and the exact binomial p-value (``log10_p`` when it underflows)."""

    values: int
    matches: int
    z: float
    p_value: float
    log10_p: float


@dataclass(frozen=True)
class TraceResult:
    """``identified``: the candidate with the strongest evidence below ``alpha``, or None;
    ``matched``: every candidate below ``alpha`` (more than one: copies merged)."""

    scores: Mapping[str, Evidence]
    identified: str | None
    matched: tuple[str, ...]
    alpha: float
    rows: int
    columns: tuple[str, ...]
    missing_key_columns: tuple[str, ...] = ()


def score(
    leaked: pd.DataFrame | pa.Table,
    key: bytes | ContractKey,
    params: WatermarkParams,
    *,
    rename: Mapping[str, str] | None = None,
) -> Evidence:
    """The evidence that ``leaked`` carries the mark of ``key``."""
    prepared = _Prepared(_pandas(leaked), params, rename)
    return prepared.evidence(_key(key))


def trace(
    leaked: pd.DataFrame | pa.Table,
    candidates: Mapping[str, bytes | ContractKey],
    params: WatermarkParams | Mapping[str, WatermarkParams],
    *,
    alpha: float = ALPHA,
    rename: Mapping[str, str] | None = None,
) -> TraceResult:
    """Score every candidate contract (``{contract_id: key}``) against the leaked copy and name
    the one whose mark it carries, if the evidence is strong (p-value below ``alpha``).
    ``params``: the delivery's parameters, one for all or one per contract; ``rename``: leaked
    column name -> delivered name."""
    data = _pandas(leaked)
    prepared: dict[int, _Prepared] = {}  # by id: one preparation per distinct parameters
    scores: dict[str, Evidence] = {}
    for contract, key in candidates.items():
        p = params if isinstance(params, WatermarkParams) else params[contract]
        if id(p) not in prepared:
            prepared[id(p)] = _Prepared(data, p, rename)
        scores[contract] = prepared[id(p)].evidence(_key(key))
    matched = tuple(
        sorted((c for c, e in scores.items() if e.p_value < alpha), key=lambda c: -scores[c].z)
    )
    first = next(iter(prepared.values()), None)
    return TraceResult(
        scores=scores,
        identified=matched[0] if matched else None,
        matched=matched,
        alpha=alpha,
        rows=first.rows if first else 0,
        columns=first.columns if first else (),
        missing_key_columns=first.missing if first else (),
    )


class _Prepared:
    """A leaked copy made ready for scoring: one row per row key, the key texts, the values of
    the marked columns it still has."""

    def __init__(
        self, data: pd.DataFrame, params: WatermarkParams, rename: Mapping[str, str] | None
    ) -> None:
        if rename:
            data = data.rename(columns=dict(rename))
        self.params = params
        self.missing = tuple(k.name for k in params.key_columns if k.name not in data.columns)
        if self.missing:
            self.texts: list[bytes] = []
            self.values: dict[MarkedColumn, np.ndarray] = {}
        else:
            texts, valid = _row_texts(data, params.key_columns)
            keep = valid & ~pd.Series(texts).duplicated().to_numpy()
            self.texts = [s for s, k in zip(texts, keep, strict=True) if k]
            self.values = {
                c: data[c.name].to_numpy(dtype=float, na_value=np.nan)[keep]
                for c in params.columns
                if c.name in data.columns and _numeric(data[c.name])
            }
        self.rows = len(self.texts)
        self.columns = tuple(c.name for c in self.values)

    def evidence(self, key: bytes) -> Evidence:
        n = m = 0
        if self.texts and self.values:
            rows = _hash_texts(self.texts, key)
            for c, values in self.values.items():
                selected, bit, dither = _marks(rows, key, c, self.params.gamma)
                selected &= np.isfinite(values)
                units = values[selected] * 10.0**c.decimals
                half = c.step // 2
                decoded = np.round((units - dither[selected]) / half).astype(np.int64) & 1
                n += int(selected.sum())
                m += int((decoded == bit[selected]).sum())
        return _evidence(n, m)


def _evidence(n: int, m: int) -> Evidence:
    if n == 0:
        return Evidence(0, 0, 0.0, 1.0, 0.0)
    log10_p = _log_binomial_tail(n, m) / math.log(10)
    return Evidence(n, m, (2 * m - n) / math.sqrt(n), 10.0**log10_p, log10_p)


def _log_binomial_tail(n: int, m: int) -> float:
    """ln P(Bin(n, 1/2) >= m), exact (summed in log space from the largest term)."""
    if m <= 0:
        return 0.0
    if m > n:
        return -math.inf
    if 2 * m <= n:  # at or below the mode: the tail is at least 1/2, take its complement
        lower = math.exp(_log_sum(n, range(m - 1, -1, -1)))
        return math.log(max(1.0 - lower, 1e-300))
    return _log_sum(n, range(m, n + 1))


def _log_sum(n: int, indices: range) -> float:
    """ln of the sum of C(n, i) / 2^n over ``indices`` (terms falling away from the first)."""
    head = math.lgamma(n + 1) - n * math.log(2)
    first = None
    total = 0.0
    for i in indices:
        term = head - math.lgamma(i + 1) - math.lgamma(n - i + 1)
        if first is None:
            first = term
        ratio = math.exp(term - first)
        total += ratio
        if ratio < 1e-18:
            break
    return -math.inf if first is None else first + math.log(total)


# --- keyed randomness -------------------------------------------------------------------------


def _row_texts(data: pd.DataFrame, key_columns: Sequence[KeyColumn]) -> tuple[list[bytes], Any]:
    """Each row's key text (``\\x1f`` between columns) and whether it is complete."""
    parts: list[pd.Series] = []
    valid = np.ones(len(data), dtype=bool)
    for k in key_columns:
        series = data[k.name]
        if k.kind == "time":
            series = _instants(series, k.tz)
            micros = (series - _EPOCH) // pd.Timedelta(microseconds=1)
            present = micros.notna().to_numpy()
            text = micros.astype("Int64").astype(str)
        else:
            present = series.notna().to_numpy()
            text = series.map(canonical_text, na_action="ignore").astype(str)
        valid &= present
        parts.append(text.reset_index(drop=True))
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + "\x1f" + p
    return [s.encode("utf-8") for s in joined], valid


def _instants(series: pd.Series, tz: str | None) -> pd.Series:
    """A timestamp column as UTC instants: text read back from a file is parsed, times without
    a zone are taken in the zone they were delivered in (UTC when they had none)."""
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        try:
            parsed = pd.to_datetime(series, errors="coerce")
        except (ValueError, TypeError):  # mixed offsets: each text names its own
            parsed = pd.to_datetime(series, errors="coerce", utc=True)
        if not pd.api.types.is_datetime64_any_dtype(parsed.dtype):
            parsed = pd.to_datetime(series, errors="coerce", utc=True)
        series = parsed
    if series.dt.tz is None:
        series = series.dt.tz_localize(tz or "UTC", ambiguous="NaT", nonexistent="NaT")
    return series.dt.tz_convert("UTC")


def _hash_texts(texts: Sequence[bytes], key: bytes) -> np.ndarray:
    # Keyed BLAKE2b (RFC 7693's MAC mode) as the row PRF: a copy of the keyed state per row is
    # about six times faster here than HMAC-SHA256, which matters when a leak of a million rows
    # is scored against hundreds of contracts.
    keyed = hashlib.blake2b(b"row\x00", key=key, digest_size=8)
    out = bytearray()
    for text in texts:
        h = keyed.copy()
        h.update(text)
        out += h.digest()
    return np.frombuffer(bytes(out), dtype=">u8").astype(np.uint64)


def _row_hashes(
    data: pd.DataFrame, key_columns: Sequence[KeyColumn], key: bytes
) -> tuple[np.ndarray, np.ndarray]:
    for k in key_columns:
        if k.name not in data.columns:
            raise _invalid("key_column", column=k.name)
    texts, valid = _row_texts(data, key_columns)
    return _hash_texts(texts, key), valid


def _splitmix64(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return cast(np.ndarray, x ^ (x >> np.uint64(31)))


def _marks(
    rows: np.ndarray, key: bytes, column: MarkedColumn, gamma: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: whether ``column``'s value is marked, its bit and its dither (units)."""
    salt = hashlib.blake2b(b"col\x00" + column.name.encode(), key=key, digest_size=8).digest()
    u = _splitmix64(rows ^ np.uint64(int.from_bytes(salt, "big")))
    selected = (u & np.uint64(0xFFFFFFFF)) % np.uint64(gamma) == 0
    bit = ((u >> np.uint64(32)) & np.uint64(1)).astype(np.int64)
    dither = ((u >> np.uint64(33)) % np.uint64(column.step)).astype(np.int64)
    return selected, bit, dither


# --- helpers ----------------------------------------------------------------------------------


def _key(key: bytes | ContractKey) -> bytes:
    secret = key.watermark if isinstance(key, ContractKey) else key
    if not isinstance(secret, bytes | bytearray) or not MIN_KEY_BYTES <= len(secret) <= 64:
        raise _invalid("key", min=MIN_KEY_BYTES, max=64)
    return bytes(secret)


def _pandas(frame: pd.DataFrame | pa.Table) -> pd.DataFrame:
    return frame.to_pandas() if isinstance(frame, pa.Table) else frame


def _numeric(series: pd.Series) -> bool:
    return bool(
        pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    )


def _invalid(reason: str, **params: object) -> InvalidInput:
    return InvalidInput(
        t(f"err.sharing.watermark.{reason}", "en", **params),
        code=f"sharing.watermark.{reason}",
        params=params,
    )
