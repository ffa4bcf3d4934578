"""Profile a table of factory data and score it on the five quality indices.

:func:`profile` reads one equipment's table (a time column and its signals and labels, one row
per reading) and returns a :class:`QualityReport`: per column statistics, five indices in [0, 1]
and findings an engineer can act on. The definitions (docs/quality.md gives them in full):

* **completeness**: non-missing cells / expected cells. Expected cells are all columns × the
  expected rows; for a regular series (≥ 90 % of time steps equal to the period, ±1 %) the
  expected rows include the time steps absent between the first and the last reading. Columns
  declared ``sparse`` are left out.
* **uniqueness**: 1 − rows repeating an earlier row's timestamp (or, without a time column, an
  earlier row as a whole) / rows.
* **validity**: 1 − invalid cells / non-missing cells. Invalid: text in a numeric column, ±inf,
  outside the declared range, not an integer where one is declared, a category not declared, a
  time that cannot be read.
* **consistency**: 1 − inconsistent cells / (rows × value columns). Inconsistent: every cell of
  a row whose timestamp is earlier than one before it; cells of a stuck run (a non-zero value
  repeated at least ``stuck_run`` readings and 4 × longer than 99 % of the column's runs); a
  change between consecutive readings larger than the declared ``max_step``.
* **accuracy** (a proxy: true accuracy needs a reference instrument): 1 − outliers / valid cells
  of continuous numeric columns; an outlier departs from the median of its 5 neighbours by more
  than ``outlier_k`` × the local robust scale (1.4826 × the rolling median absolute residual
  over 61 readings, at least 2 × the column's resolution and 2 % of its interquartile range).

The overall index is the mean of the five. Everything is vectorised (numpy and pandas rolling
windows): a million rows take about a second per numeric column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from openkamp.i18n import t
from openkamp.quality.specs import ColumnSpec, column_specs

__all__ = ["INDICES", "PROBLEMS", "ColumnProfile", "Finding", "QualityReport", "profile"]

#: The five quality indices, in the order reports show them.
INDICES = ("completeness", "uniqueness", "validity", "consistency", "accuracy")

#: Problem → the index it lowers (findings are listed in this order).
PROBLEMS: dict[str, str] = {
    "missing": "completeness",
    "missing_steps": "completeness",
    "duplicate_records": "uniqueness",
    "duplicate_timestamps": "uniqueness",
    "bad_time": "validity",
    "not_a_number": "validity",
    "infinite": "validity",
    "below_min": "validity",
    "above_max": "validity",
    "not_integer": "validity",
    "unknown_category": "validity",
    "out_of_order": "consistency",
    "stuck": "consistency",
    "jump": "consistency",
    "outlier": "accuracy",
}

_REGULAR_SHARE = 0.9  # share of steps equal to the period for a series to count as regular
_PERIOD_TOL = 0.01  # relative tolerance of "equal to the period"
_NUMERIC_SHARE = 0.9  # share of parseable texts for a text column to be read as numbers
_DISCRETE = 10  # columns with fewer distinct values are states/setpoints, not measurements
_STUCK_FACTOR = 4.0
_MEDIAN_WINDOW = 5
_SCALE_WINDOW = 61
_NAT = np.iinfo(np.int64).min


@dataclass
class Finding:
    """One problem in one column: what, how often, where (row positions, 0-based, and times)."""

    column: str
    problem: str
    count: int
    rows: list[int] = field(default_factory=list)
    times: list[str] = field(default_factory=list)

    @property
    def index(self) -> str:
        return PROBLEMS.get(self.problem, "")

    def title(self, lang: str = "ko") -> str:
        return t(f"quality.problem.{self.problem}", lang)

    def advice(self, lang: str = "ko") -> str:
        return t(f"quality.advice.{self.problem}", lang)

    def text(self, lang: str = "ko") -> str:
        """One line for a person: ``column: problem (count) - what to do``."""
        return t(
            "quality.finding",
            lang,
            column=self.column,
            problem=self.title(lang),
            count=self.count,
            advice=self.advice(lang),
        )


@dataclass
class ColumnProfile:
    """Statistics and problem counts of one column (numbers are None where they do not apply)."""

    name: str
    kind: str  # number, integer, bool, time, text
    count: int  # non-missing cells
    missing: int
    distinct: int
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    invalid: int = 0
    stuck: int = 0
    jumps: int = 0
    outliers: int = 0

    @property
    def outlier_share(self) -> float:
        return self.outliers / self.count if self.count else 0.0


@dataclass
class QualityReport:
    """The result of :func:`profile`."""

    rows: int
    columns: list[ColumnProfile]
    indices: dict[str, float]
    overall: float
    findings: list[Finding]
    time: str | None = None
    period_s: float | None = None  # the series' period, when it is regular
    expected_rows: int = 0
    start: str | None = None
    end: str | None = None

    def column(self, name: str) -> ColumnProfile:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_frame(self) -> pd.DataFrame:
        """One row per column (for tables and the UI)."""
        return pd.DataFrame([asdict(c) | {"outlier_share": c.outlier_share} for c in self.columns])

    def to_dict(self) -> dict[str, Any]:
        """Plain values (JSON-ready)."""
        return asdict(self)


# --------------------------------------------------------------------------- helpers


def _first(mask: np.ndarray, n: int) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)[:n]]


def _runs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and lengths of runs of equal consecutive values (NaN never repeats)."""
    if not len(x):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    new = np.r_[True, x[1:] != x[:-1]]
    starts = np.flatnonzero(new)
    lengths = np.diff(np.r_[starts, len(x)])
    return starts, lengths


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sorting beats hashing for a million floats or times)."""
    s = np.sort(x)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


def _hampel(x: np.ndarray, k: float) -> np.ndarray:
    """Outlier mask: far from the running median relative to the local robust scale."""
    med = pd.Series(x).rolling(_MEDIAN_WINDOW, center=True, min_periods=1).median().to_numpy()
    resid = np.abs(x - med)
    # Local scale: the rolling median residual (noise differs between a running and a stopped
    # machine), never below the column's resolution or 2 % of its spread. Rolling, not per block:
    # the same reading gets the same verdict wherever the table starts.
    scale = 1.4826 * (
        pd.Series(resid).rolling(_SCALE_WINDOW, center=True, min_periods=1).median().to_numpy()
    )
    finite = x[np.isfinite(x)]
    steps = np.diff(_sorted_unique(finite))
    resolution = float(steps.min()) if len(steps) else 0.0
    q1, q3 = np.percentile(finite, [25, 75]) if len(finite) else (0.0, 0.0)
    floor = max(2.0 * resolution, 0.02 * float(q3 - q1))
    with np.errstate(invalid="ignore"):
        return np.asarray(resid > k * np.fmax(scale, floor)) & np.isfinite(resid)


def _mostly_numbers(col: pd.Series, missing: np.ndarray) -> bool:
    """Whether a text column holds numbers (judged on up to 1,000 of its values, for speed)."""
    values = col[~missing]
    if not len(values):
        return False
    sample = values.iloc[np.linspace(0, len(values) - 1, min(1000, len(values))).astype(int)]
    parsed = pd.to_numeric(sample, errors="coerce")
    return bool(parsed.notna().mean() >= _NUMERIC_SHARE)


def _period_ns(period: str | pd.Timedelta | float) -> float:
    if isinstance(period, int | float):
        return float(period) * 1e9
    return pd.Timedelta(period).total_seconds() * 1e9


def _as_time(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(col):
        return col
    if pd.api.types.is_numeric_dtype(col):
        return pd.Series(pd.NaT, index=col.index) if not len(col) else pd.to_datetime(col, unit="s")
    return pd.to_datetime(col, errors="coerce", format="mixed")


# --------------------------------------------------------------------------- profile


class _Collector:
    def __init__(self, n_examples: int, times: pd.Series | None) -> None:
        self.findings: list[Finding] = []
        self.n = n_examples
        self.times = times

    def add(self, column: str, problem: str, mask: np.ndarray) -> int:
        count = int(mask.sum())
        if count:
            rows = _first(mask, self.n)
            times = [] if self.times is None else [str(self.times.iloc[i]) for i in rows]
            self.findings.append(Finding(column, problem, count, rows, times))
        return count


def profile(
    df: pd.DataFrame,
    *,
    time: str | None = "timestamp",
    specs: Any = None,
    period: str | pd.Timedelta | float | None = None,
    stuck_run: int = 20,
    outlier_k: float = 8.0,
    examples: int = 5,
) -> QualityReport:
    """Profile ``df`` and score it on the five quality indices (see the module docstring).

    Parameters
    ----------
    df : one row per reading (or per record, when ``time`` is None)
    time : the time column; rows are checked in the order given (a recorded sequence)
    specs : declared limits: an ``EquipmentSpec``, asset records, or a mapping of column name to
        :class:`ColumnSpec` (see :func:`column_specs`)
    period : the expected time step (e.g. ``"10s"``, or seconds); inferred when None
    stuck_run : the shortest run of one repeated value that can be called stuck
    outlier_k : how many local robust scales away from the running median an outlier lies
    examples : how many example rows each finding lists
    """
    if time is not None and time not in df.columns:
        raise ValueError(
            f"no time column {time!r} in the table (columns: {list(df.columns)[:10]}); "
            "pass time=None for a table of records without time"
        )
    spec_map: Mapping[str, ColumnSpec] = column_specs(specs)
    n = len(df)
    values = [c for c in df.columns if c != time]

    # -- time -------------------------------------------------------------------------------
    ts_ns: np.ndarray | None = None
    times_txt: pd.Series | None = None
    period_s: float | None = None
    missing_steps = 0
    gap_mask = np.zeros(n, dtype=bool)
    if time is not None:
        raw = df[time]
        parsed = _as_time(raw)
        nat = parsed.isna().to_numpy()
        raw_missing = raw.isna().to_numpy()
        bad_time = nat & ~raw_missing
        ts_ns = pd.DatetimeIndex(parsed).as_unit("ns").asi8.copy()  # NaT: the smallest int64
        times_txt = parsed
        ok = ts_ns[~nat]
        uniq = _sorted_unique(ok)
        if len(uniq) > 1:
            steps = np.diff(uniq)
            if period is not None:
                p_ns = _period_ns(period)
                regular = True
            else:
                p_ns = float(np.median(steps))
                regular = bool(
                    np.mean(np.abs(steps - p_ns) <= _PERIOD_TOL * p_ns) >= _REGULAR_SHARE
                )
            if regular and p_ns > 0:
                period_s = p_ns / 1e9
                expected = round(float(uniq[-1] - uniq[0]) / p_ns) + 1
                missing_steps = max(0, expected - len(uniq))
                # Rows after which readings are absent (a gap longer than 1.5 periods).
                order = np.argsort(ts_ns, kind="stable")
                nxt = np.r_[np.diff(ts_ns[order]), 0]
                big = (nxt > 1.5 * p_ns) & (ts_ns[order] != _NAT)
                gap_mask[order[big]] = True
    else:
        nat = np.zeros(n, dtype=bool)
        raw_missing = nat
        bad_time = nat
    expected_rows = n + missing_steps
    found = _Collector(examples, times_txt)

    # -- completeness (per column missing cells) --------------------------------------------
    counted_cols = [c for c in df.columns if not spec_map.get(str(c), ColumnSpec()).sparse]
    present = 0
    missing_by: dict[str, int] = {}
    missing_masks: dict[str, np.ndarray] = {}
    for c in df.columns:
        m = raw_missing if c == time else df[c].isna().to_numpy()
        missing_masks[str(c)] = m
        missing_by[str(c)] = int(m.sum())
        if c in counted_cols:
            present += n - missing_by[str(c)]
        found.add(str(c), "missing", m)
    if missing_steps:
        f = Finding(str(time), "missing_steps", missing_steps, _first(gap_mask, examples))
        if times_txt is not None:
            f.times = [str(times_txt.iloc[i]) for i in f.rows]
        found.findings.append(f)
    cells_expected = expected_rows * len(counted_cols)
    completeness = present / cells_expected if cells_expected else 1.0

    # -- uniqueness ---------------------------------------------------------------------------
    if ts_ns is not None:
        ts_s = pd.Series(ts_ns)
        repeat = ts_s.duplicated().to_numpy() & ~nat
        involved = ts_s.duplicated(keep=False).to_numpy() & ~nat
        exact = np.zeros(n, dtype=bool)
        if involved.any():
            exact[np.flatnonzero(involved)] = (
                df.iloc[np.flatnonzero(involved)].duplicated().to_numpy()
            )
        found.add(str(time), "duplicate_records", exact & repeat)
        found.add(str(time), "duplicate_timestamps", repeat & ~exact)
    else:
        repeat = df.duplicated().to_numpy() if n else np.zeros(0, dtype=bool)
        found.add("", "duplicate_records", repeat)
    uniqueness = 1.0 - repeat.sum() / n if n else 1.0

    # -- out of order (consistency, per row) --------------------------------------------------
    if ts_ns is not None and n:
        prev_max = np.r_[_NAT, np.maximum.accumulate(ts_ns)[:-1]]
        ooo = (ts_ns < prev_max) & ~nat
        found.add(str(time), "out_of_order", ooo)
    else:
        ooo = np.zeros(n, dtype=bool)

    # -- per column: kind, validity, consistency, accuracy ------------------------------------
    invalid_total = int(bad_time.sum())
    checked_total = int((~raw_missing).sum()) if time is not None else 0
    found.add(str(time), "bad_time", bad_time)
    inconsistent = 0
    outliers_total = 0
    accuracy_cells = 0
    profiles: list[ColumnProfile] = []
    if ts_ns is not None:
        profiles.append(
            ColumnProfile(
                str(time),
                "time",
                int((~nat).sum()),
                missing_by[str(time)],
                len(_sorted_unique(ts_ns[~nat])),
            )
        )
    for c in values:
        name = str(c)
        spec = spec_map.get(name, ColumnSpec())
        col = df[c]
        miss = missing_masks[name]
        nonmiss = int((~miss).sum())
        checked_total += nonmiss
        bad: dict[str, np.ndarray] = {}
        x: np.ndarray | None = None
        if pd.api.types.is_bool_dtype(col):
            kind = "bool"
        elif pd.api.types.is_numeric_dtype(col):
            kind = "integer" if spec.kind == "integer" else "number"
            x = col.to_numpy(dtype=np.float64, na_value=np.nan)
        elif pd.api.types.is_datetime64_any_dtype(col) or isinstance(col.dtype, pd.DatetimeTZDtype):
            kind = "time"
        else:
            kind = "text"
            if spec.kind in ("number", "integer") or (
                spec.kind not in ("category", "text", "bool") and _mostly_numbers(col, miss)
            ):
                num = pd.to_numeric(col, errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
                parsed_ok = ~np.isnan(num) | miss
                if spec.kind in ("number", "integer") or (
                    (parsed_ok & ~miss).sum() >= _NUMERIC_SHARE * nonmiss
                ):
                    kind = "integer" if spec.kind == "integer" else "number"
                    x = num
                    bad["not_a_number"] = ~parsed_ok
            if kind == "text" and spec.categories is not None:
                allowed = set(spec.categories)
                bad["unknown_category"] = ~miss & ~col.astype(str).isin(allowed).to_numpy()
        distinct = int(col.nunique(dropna=True))
        prof = ColumnProfile(name, kind, nonmiss, missing_by[name], distinct)
        if x is not None:
            with np.errstate(invalid="ignore"):
                bad["infinite"] = np.isinf(x)
                if spec.min is not None:
                    bad["below_min"] = x < spec.min
                if spec.max is not None:
                    bad["above_max"] = x > spec.max
                if kind == "integer":
                    bad["not_integer"] = np.isfinite(x) & (x != np.round(x))
            fin = x[np.isfinite(x)]
            if len(fin):
                prof.min, prof.max = float(fin.min()), float(fin.max())
                prof.mean = float(fin.mean())
                prof.std = float(fin.std(ddof=1)) if len(fin) > 1 else 0.0
        invalid = np.zeros(n, dtype=bool)
        for problem, mask in bad.items():
            found.add(name, problem, mask)
            invalid |= mask
        prof.invalid = int(invalid.sum())
        invalid_total += prof.invalid

        marked = ooo.copy()
        if x is not None:
            xv = np.where(invalid, np.nan, x)
            continuous = distinct >= _DISCRETE
            if continuous and not spec.constant_ok:
                starts, lengths = _runs(xv)
                live = (xv[starts] != 0) & ~np.isnan(xv[starts])
                if live.any():
                    limit = max(stuck_run, _STUCK_FACTOR * float(np.quantile(lengths[live], 0.99)))
                    stuck_runs = live & (lengths >= limit)
                    stuck = np.zeros(n + 1, dtype=np.int64)
                    np.add.at(stuck, starts[stuck_runs], 1)
                    np.add.at(stuck, starts[stuck_runs] + lengths[stuck_runs], -1)
                    smask = np.cumsum(stuck[:n]) > 0
                    prof.stuck = found.add(name, "stuck", smask)
                    marked |= smask
            if spec.max_step is not None:
                with np.errstate(invalid="ignore"):
                    jump = np.r_[False, np.abs(np.diff(xv)) > spec.max_step]
                prof.jumps = found.add(name, "jump", jump)
                marked |= jump
            if continuous:
                out = _hampel(xv, outlier_k)
                prof.outliers = found.add(name, "outlier", out)
                outliers_total += prof.outliers
                accuracy_cells += int(np.isfinite(xv).sum())
        inconsistent += int(marked.sum())
        profiles.append(prof)

    validity = 1.0 - invalid_total / checked_total if checked_total else 1.0
    value_cells = n * len(values)
    consistency = 1.0 - inconsistent / value_cells if value_cells else 1.0
    accuracy = 1.0 - outliers_total / accuracy_cells if accuracy_cells else 1.0
    indices = {
        "completeness": float(completeness),
        "uniqueness": float(uniqueness),
        "validity": float(validity),
        "consistency": float(consistency),
        "accuracy": float(accuracy),
    }
    rank = {p: i for i, p in enumerate(PROBLEMS)}
    findings = sorted(
        found.findings, key=lambda f: (INDICES.index(f.index), rank[f.problem], -f.count)
    )
    ok_ts = ts_ns[~nat] if ts_ns is not None else np.empty(0, np.int64)
    start = end = None
    if len(ok_ts) and times_txt is not None:
        pos = np.flatnonzero(~nat)
        start = str(times_txt.iloc[pos[int(np.argmin(ok_ts))]])
        end = str(times_txt.iloc[pos[int(np.argmax(ok_ts))]])
    return QualityReport(
        rows=n,
        columns=profiles,
        indices=indices,
        overall=float(np.mean(list(indices.values()))),
        findings=findings,
        time=time,
        period_s=period_s,
        expected_rows=expected_rows,
        start=start,
        end=end,
    )
