"""The transforms a usage policy can require before rows leave their owner (issue 11, item 4).

A contract stores which transforms it requires as a JSON document (:class:`TransformSpec`,
``to_json`` / ``from_json``); :func:`apply` runs them on a dataset version's rows (a pandas
DataFrame or an Arrow table) with the contract's keys (:class:`~openkamp.sharing.contract_keys.
ContractKey`) and says what each one did (:class:`TransformReport`, for the delivery record and
the ledger; it never holds a key, a pseudonym table or the time offset)::

    {"version": 1, "transforms": [
      {"op": "drop", "columns": ["작업자"]},
      {"op": "pseudonymise", "columns": ["품번"], "length": 16},
      {"op": "time_shift", "columns": ["일시"], "max_days": 365, "keep": "time_of_day"},
      {"op": "generalise", "column": "사출압력[bar]", "bin_width": 10},
      {"op": "generalise", "column": "일시", "truncate": "hour"},
      {"op": "generalise", "column": "설비", "mapping": {"M01": "A동"}, "other": "기타"},
      {"op": "noise", "columns": ["중량[g]"], "distribution": "laplace", "scale": 0.05}]}

The transforms run in this fixed order, whatever the order of the list: drop, pseudonymise,
time_shift, generalise, noise (a timestamp is shifted before it is truncated, so the truncation
boundaries are the shifted ones). A column takes at most one of drop / pseudonymise / generalise /
noise; a shifted timestamp may also be truncated.

- **drop**: the columns are removed.
- **pseudonymise**: each value becomes the first ``length`` hex digits (default 16: 64 bits) of
  HMAC-SHA256 under the contract's pseudonym key of the value's text. Stable within a contract
  (two exports, or two datasets, of one contract join on it; the column name is not in the MAC for
  that reason), unlinkable across contracts (another key). Missing values stay missing. A
  collision between two distinct values is refused (a longer pseudonym is the fix).
- **time_shift**: every timestamp column (by default all datetime columns) moves by one offset
  per contract, drawn from the contract's time-shift key: between one day and ``max_days`` days,
  either way. Order and gaps are kept exactly; ``keep: time_of_day`` makes the offset whole days,
  ``weekday`` whole weeks (shift patterns and weekdays survive). The offset is not reported.
- **generalise**: numbers to bins of ``bin_width`` from ``origin`` (default 0), written as the
  bin's middle (``output: mid``, default; the column stays numeric), its lower edge (``low``) or
  the interval as text (``interval``: ``"[1000, 1010)"``); timestamps truncated to the
  ``minute`` / ``hour`` / ``day``; categories through ``mapping`` (values not in it become
  ``other``; without ``other`` an unmapped value is refused, so no raw value slips through).
- **noise**: Gaussian or Laplace noise whose standard deviation is ``scale`` times the column's
  (sample) standard deviation, drawn from the contract's noise key: with ``row_key`` (as
  :func:`~openkamp.sharing.export.governed_export` passes it) each row's draw comes from keyed
  BLAKE2b of the column and the row's key, so a row gets the same noise in every export of the
  contract, whatever rows come with it and in whatever order (averaging exports cannot remove
  it); without, from a generator seeded by the key and the column, following the row order. The
  result is rounded to the column's own decimals, so the noise does not show as extra digits. A
  constant column gets none.

Errors are :class:`~openkamp.core.errors.InvalidInput` with codes ``sharing.transform.<reason>``
(texts in :mod:`openkamp.i18n.sharing_delivery`), naming the path in the spec (``transforms[2].
bin_width``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from openkamp.core.errors import InvalidInput
from openkamp.i18n import t
from openkamp.sharing.contract_keys import ContractKey

__all__ = [
    "OPS",
    "Drop",
    "GeneraliseCategory",
    "GeneraliseNumber",
    "GeneraliseTime",
    "Noise",
    "NoiseBasis",
    "Pseudonymise",
    "StepReport",
    "TimeShift",
    "Transform",
    "TransformReport",
    "TransformSpec",
    "apply",
    "canonical_text",
    "column_decimals",
    "noise_generator",
    "pseudonym",
    "time_offset",
]

# The order transforms run in (and are written in by to_json).
OPS = ("drop", "pseudonymise", "time_shift", "generalise", "noise")
KEEP = ("none", "time_of_day", "weekday")
UNITS = {"minute": "min", "hour": "h", "day": "D"}
OUTPUTS = ("mid", "low", "interval")
DISTRIBUTIONS = ("gaussian", "laplace")
PSEUDONYM_LENGTH = (8, 64)
MAX_DAYS = (1, 3650)
MAX_NOISE_SCALE = 2.0
MAX_DECIMALS = 6  # beyond, a column counts as continuous (no decimals of its own)
_DAY_S = 86_400


# --- the spec ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drop:
    columns: tuple[str, ...]
    op: Literal["drop"] = "drop"


@dataclass(frozen=True)
class Pseudonymise:
    columns: tuple[str, ...]
    length: int = 16
    op: Literal["pseudonymise"] = "pseudonymise"


@dataclass(frozen=True)
class TimeShift:
    """``columns`` None: every datetime column of the data."""

    columns: tuple[str, ...] | None = None
    max_days: int = 365
    keep: str = "none"
    op: Literal["time_shift"] = "time_shift"


@dataclass(frozen=True)
class GeneraliseNumber:
    column: str
    bin_width: float
    origin: float = 0.0
    output: str = "mid"
    op: Literal["generalise"] = "generalise"


@dataclass(frozen=True)
class GeneraliseTime:
    column: str
    truncate: str
    op: Literal["generalise"] = "generalise"


@dataclass(frozen=True)
class GeneraliseCategory:
    column: str
    mapping: tuple[tuple[str, str], ...]
    other: str | None = None
    op: Literal["generalise"] = "generalise"


@dataclass(frozen=True)
class Noise:
    columns: tuple[str, ...]
    distribution: str = "gaussian"
    scale: float = 0.05
    op: Literal["noise"] = "noise"


Transform: TypeAlias = (
    Drop | Pseudonymise | TimeShift | GeneraliseNumber | GeneraliseTime | GeneraliseCategory | Noise
)


@dataclass(frozen=True)
class TransformSpec:
    """The transforms a contract requires, in the order they run (see the module)."""

    transforms: tuple[Transform, ...] = ()

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.transforms, key=lambda s: OPS.index(s.op)))
        object.__setattr__(self, "transforms", ordered)
        _check_conflicts(ordered)

    @classmethod
    def from_json(cls, document: Any) -> TransformSpec:
        """Read and check a spec (``InvalidInput`` names the wrong field)."""
        if not isinstance(document, Mapping) or document.get("version") != 1:
            raise _invalid("spec", "")
        items = document.get("transforms")
        if not isinstance(items, list) or set(document) - {"version", "transforms"}:
            raise _invalid("spec", "")
        return cls(tuple(_read(item, f"transforms[{i}]") for i, item in enumerate(items)))

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "transforms": [_write(s) for s in self.transforms]}

    @property
    def ops(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.op for s in self.transforms))


def _read(item: Any, path: str) -> Transform:
    if not isinstance(item, Mapping):
        raise _invalid("field", path, expected="{}")
    op = item.get("op")
    if op not in OPS:
        raise _invalid("op", f"{path}.op", value=op, allowed=", ".join(OPS))
    fields = {
        "drop": ("columns",),
        "pseudonymise": ("columns", "length"),
        "time_shift": ("columns", "max_days", "keep"),
        "noise": ("columns", "distribution", "scale"),
        "generalise": ("column", "bin_width", "origin", "output", "truncate", "mapping", "other"),
    }[op]
    for name in item:
        if name != "op" and name not in fields:
            raise _invalid(
                "unknown_field", f"{path}.{name}", value=name, allowed=", ".join(("op", *fields))
            )
    if op == "drop":
        return Drop(_columns(item, path))
    if op == "pseudonymise":
        length = _integer(item, "length", path, 16)
        lo, hi = PSEUDONYM_LENGTH
        if not lo <= length <= hi:
            raise _invalid("length", f"{path}.length", value=length, min=lo, max=hi)
        return Pseudonymise(_columns(item, path), length)
    if op == "time_shift":
        columns = None if item.get("columns") is None else _columns(item, path)
        max_days = _integer(item, "max_days", path, 365)
        keep = item.get("keep", "none")
        if keep not in KEEP:
            raise _invalid("keep", f"{path}.keep", value=keep, allowed=", ".join(KEEP))
        lo, hi = MAX_DAYS
        if not lo <= max_days <= hi or (keep == "weekday" and max_days < 7):
            lo = 7 if keep == "weekday" else lo
            raise _invalid("max_days", f"{path}.max_days", value=max_days, min=lo, max=hi)
        return TimeShift(columns, max_days, keep)
    if op == "noise":
        distribution = item.get("distribution", "gaussian")
        if distribution not in DISTRIBUTIONS:
            raise _invalid(
                "distribution",
                f"{path}.distribution",
                value=distribution,
                allowed=", ".join(DISTRIBUTIONS),
            )
        scale = _number(item, "scale", path, 0.05)
        if not 0 < scale <= MAX_NOISE_SCALE:
            raise _invalid("scale", f"{path}.scale", value=scale, max=MAX_NOISE_SCALE)
        return Noise(_columns(item, path), distribution, scale)
    # generalise
    column = item.get("column")
    if not isinstance(column, str) or not column:
        raise _invalid("field", f"{path}.column", expected="str")
    given = [k for k in ("bin_width", "truncate", "mapping") if k in item]
    if len(given) != 1:
        raise _invalid("generalise", path)
    rest = set(item) - {"op", "column", given[0]}
    allowed_rest = {"bin_width": {"origin", "output"}, "truncate": set(), "mapping": {"other"}}
    for name in sorted(rest - allowed_rest[given[0]]):
        allowed = ", ".join(("op", "column", given[0], *sorted(allowed_rest[given[0]])))
        raise _invalid("unknown_field", f"{path}.{name}", value=name, allowed=allowed)
    if given[0] == "bin_width":
        width = item["bin_width"]
        if not _is_number(width) or not math.isfinite(width) or width <= 0:
            raise _invalid("bin_width", f"{path}.bin_width", value=width)
        origin = _number(item, "origin", path, 0.0)
        output = item.get("output", "mid")
        if output not in OUTPUTS:
            raise _invalid("output", f"{path}.output", value=output, allowed=", ".join(OUTPUTS))
        return GeneraliseNumber(column, float(width), origin, output)
    if given[0] == "truncate":
        unit = item["truncate"]
        if unit not in UNITS:
            raise _invalid("unit", f"{path}.truncate", value=unit, allowed=", ".join(UNITS))
        return GeneraliseTime(column, unit)
    mapping = item["mapping"]
    if (
        not isinstance(mapping, Mapping)
        or not mapping
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())
    ):
        raise _invalid("mapping", f"{path}.mapping")
    other = item.get("other")
    if other is not None and not isinstance(other, str):
        raise _invalid("field", f"{path}.other", expected="str")
    return GeneraliseCategory(column, tuple(mapping.items()), other)


def _write(step: Transform) -> dict[str, Any]:
    if isinstance(step, Drop):
        return {"op": "drop", "columns": list(step.columns)}
    if isinstance(step, Pseudonymise):
        return {"op": "pseudonymise", "columns": list(step.columns), "length": step.length}
    if isinstance(step, TimeShift):
        columns = None if step.columns is None else list(step.columns)
        return {
            "op": "time_shift",
            "columns": columns,
            "max_days": step.max_days,
            "keep": step.keep,
        }
    if isinstance(step, Noise):
        return {
            "op": "noise",
            "columns": list(step.columns),
            "distribution": step.distribution,
            "scale": step.scale,
        }
    if isinstance(step, GeneraliseNumber):
        return {
            "op": "generalise",
            "column": step.column,
            "bin_width": step.bin_width,
            "origin": step.origin,
            "output": step.output,
        }
    if isinstance(step, GeneraliseTime):
        return {"op": "generalise", "column": step.column, "truncate": step.truncate}
    out: dict[str, Any] = {"op": "generalise", "column": step.column, "mapping": dict(step.mapping)}
    if step.other is not None:
        out["other"] = step.other
    return out


def _columns(item: Mapping[str, Any], path: str) -> tuple[str, ...]:
    columns = item.get("columns")
    if not isinstance(columns, list) or not all(isinstance(c, str) and c for c in columns):
        raise _invalid("field", f"{path}.columns", expected="[str]")
    if not columns or len(set(columns)) != len(columns):
        raise _invalid("columns", f"{path}.columns")
    return tuple(columns)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer(item: Mapping[str, Any], name: str, path: str, default: int) -> int:
    value = item.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid("field", f"{path}.{name}", expected="int")
    return value


def _number(item: Mapping[str, Any], name: str, path: str, default: float) -> float:
    value = item.get(name, default)
    if not _is_number(value) or not math.isfinite(value):
        raise _invalid("field", f"{path}.{name}", expected="number")
    return float(value)


def _targets(step: Transform) -> tuple[str, ...]:
    if isinstance(step, GeneraliseNumber | GeneraliseTime | GeneraliseCategory):
        return (step.column,)
    return step.columns or ()


def _check_conflicts(steps: Sequence[Transform]) -> None:
    seen: dict[str, list[str]] = {}
    for i, step in enumerate(steps):
        for column in _targets(step):
            ops = seen.setdefault(column, [])
            # A shifted timestamp may be truncated too; anything else is one transform a column.
            shift_then_truncate = ops == ["time_shift"] and isinstance(step, GeneraliseTime)
            if ops and not shift_then_truncate:
                raise _invalid(
                    "conflict", f"transforms[{i}]", column=column, ops=", ".join([*ops, step.op])
                )
            ops.append(step.op)


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepReport:
    """What one transform did: its op, the columns it changed and figures (no secrets)."""

    op: str
    columns: tuple[str, ...]
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "columns": list(self.columns), **dict(self.details)}


@dataclass(frozen=True)
class TransformReport:
    rows: int
    columns: tuple[str, ...]
    steps: tuple[StepReport, ...]
    spec: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "columns": list(self.columns),
            "spec": dict(self.spec),
            "steps": [s.to_json() for s in self.steps],
        }

    def columns_of(self, op: str) -> tuple[str, ...]:
        """The columns the transforms ``op`` changed (a watermark leaves generalised ones alone)."""
        return tuple(c for s in self.steps if s.op == op for c in s.columns)


# --- applying ---------------------------------------------------------------------------------

Frame: TypeAlias = pd.DataFrame | pa.Table


def apply(
    frame: Frame,
    spec: TransformSpec,
    key: ContractKey,
    *,
    row_key: Sequence[str] | None = None,
    basis: Mapping[str, NoiseBasis] | None = None,
) -> tuple[Frame, TransformReport]:
    """Run ``spec`` on ``frame`` (not changed; a new frame of the same kind comes back).

    ``row_key``: the columns that identify a row; given, each row's noise is drawn from the row's
    key (as the noise step sees it), so every export of the contract gives a row the same noise
    whatever rows come with it and in what order; without, the noise follows the row order.
    ``basis``: per noised column, the whole column's figures when ``frame`` is one batch of a
    larger table (:mod:`openkamp.sharing.export_stream`); without, they are ``frame``'s own."""
    if isinstance(frame, pa.Table):
        out, report = apply(frame.to_pandas(), spec, key, row_key=row_key, basis=basis)
        return pa.Table.from_pandas(cast(pd.DataFrame, out), preserve_index=False), report
    if not isinstance(frame, pd.DataFrame):
        raise _invalid("frame", "")
    data = frame.copy()
    reports: list[StepReport] = []
    for i, step in enumerate(spec.transforms):
        path = f"transforms[{i}]"
        for column in _targets(step):
            if column not in data.columns:
                raise _invalid("column", path, column=column)
        if isinstance(step, Drop):
            data = data.drop(columns=list(step.columns))
            reports.append(StepReport("drop", step.columns))
        elif isinstance(step, Pseudonymise):
            reports.append(_pseudonymise(data, step, key.pseudonym, path))
        elif isinstance(step, TimeShift):
            reports.append(_time_shift(data, step, key.time_shift, path))
        elif isinstance(step, GeneraliseNumber):
            reports.append(_bin(data, step, path))
        elif isinstance(step, GeneraliseTime):
            reports.append(_truncate(data, step, path))
        elif isinstance(step, GeneraliseCategory):
            reports.append(_map(data, step, path))
        else:
            for column in row_key or ():
                if column not in data.columns:
                    raise _invalid("column", "row_key", column=column)
            reports.append(_noise(data, step, key.noise, path, row_key, basis))
    report = TransformReport(
        rows=len(data),
        columns=tuple(str(c) for c in data.columns),
        steps=tuple(reports),
        spec=spec.to_json(),
    )
    return data, report


def canonical_text(value: Any) -> str:
    """The text an id is pseudonymised from: 17, 17.0 and "17" alike (a CSV round trip changes
    the type, the pseudonym must not change)."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def pseudonym(key: bytes, value: Any, length: int = 16) -> str:
    """The pseudonym of one id value under ``key`` (as :func:`apply` writes it)."""
    digest = hmac.new(key, canonical_text(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:length]


def _pseudonymise(data: pd.DataFrame, step: Pseudonymise, key: bytes, path: str) -> StepReport:
    distinct: dict[str, int] = {}
    for column in step.columns:
        series = data[column]
        values = pd.unique(series.dropna())
        table = {v: pseudonym(key, v, step.length) for v in values}
        # 17 and "17" are one id (one text), two texts with one pseudonym are a collision
        if len(set(table.values())) != len({canonical_text(v) for v in values}):
            raise _invalid("collision", path, column=column)
        data[column] = series.map(table).astype(object).where(series.notna(), None)
        distinct[column] = len(set(table.values()))
    return StepReport(
        "pseudonymise",
        step.columns,
        {"method": "HMAC-SHA256", "length": step.length, "distinct": distinct},
    )


def time_offset(key: bytes, max_days: int, keep: str = "none") -> pd.Timedelta:
    """The contract's one time offset (seconds; whole days or weeks when ``keep`` asks)."""
    digest = hmac.new(key, b"time-offset", hashlib.sha256).digest()
    u = int.from_bytes(digest[:8], "big") / 2.0**64
    sign = 1 if digest[8] & 1 else -1
    unit = {"none": 1, "time_of_day": _DAY_S, "weekday": 7 * _DAY_S}[keep]
    lo, hi = max(_DAY_S, unit), max_days * _DAY_S
    steps = (lo + u * (hi - lo)) // unit
    return pd.Timedelta(seconds=sign * int(steps) * unit)


def _time_shift(data: pd.DataFrame, step: TimeShift, key: bytes, path: str) -> StepReport:
    if step.columns is None:
        columns = tuple(str(c) for c in data.columns if _is_time(data[c]))
    else:
        columns = step.columns
        for column in columns:
            if not _is_time(data[column]):
                raise _invalid("not_time", path, column=column)
    offset = time_offset(key, step.max_days, step.keep)
    for column in columns:
        data[column] = data[column] + offset
    # The offset itself stays secret: knowing it undoes the shift.
    return StepReport(
        "time_shift", columns, {"max_days": step.max_days, "keep": step.keep, "same_offset": True}
    )


def _bin(data: pd.DataFrame, step: GeneraliseNumber, path: str) -> StepReport:
    series = data[step.column]
    if not _is_number_series(series):
        raise _invalid("not_numeric", path, column=step.column)
    values = series.to_numpy(dtype=float, na_value=np.nan)
    low = step.origin + np.floor((values - step.origin) / step.bin_width) * step.bin_width
    digits = max(_decimals_of(step.bin_width), _decimals_of(step.origin)) + 1
    low = np.round(low, digits)
    high = np.round(low + step.bin_width, digits)
    if step.output == "interval":
        labels = [
            None if math.isnan(a) else f"[{_fmt(a)}, {_fmt(b)})"
            for a, b in zip(low, high, strict=True)
        ]
        data[step.column] = pd.Series(labels, index=data.index, dtype=object)
    elif step.output == "low":
        data[step.column] = low
    else:
        data[step.column] = np.round(low + step.bin_width / 2, digits + 1)
    after = data[step.column].nunique()
    return StepReport(
        "generalise",
        (step.column,),
        {
            "kind": "bins",
            "bin_width": step.bin_width,
            "origin": step.origin,
            "output": step.output,
            "distinct_before": int(series.nunique()),
            "distinct_after": int(after),
        },
    )


def _truncate(data: pd.DataFrame, step: GeneraliseTime, path: str) -> StepReport:
    series = data[step.column]
    if not _is_time(series):
        raise _invalid("not_time", path, column=step.column)
    data[step.column] = series.dt.floor(UNITS[step.truncate])
    return StepReport(
        "generalise",
        (step.column,),
        {
            "kind": "truncate",
            "unit": step.truncate,
            "distinct_before": int(series.nunique()),
            "distinct_after": int(data[step.column].nunique()),
        },
    )


def _map(data: pd.DataFrame, step: GeneraliseCategory, path: str) -> StepReport:
    series = data[step.column]
    mapping = dict(step.mapping)
    texts = series.map(canonical_text, na_action="ignore")
    unmapped = sorted({v for v in texts.dropna().unique() if v not in mapping})
    if unmapped and step.other is None:
        examples = ", ".join(repr(v) for v in unmapped[:3])
        raise _invalid("unmapped", path, column=step.column, count=len(unmapped), examples=examples)
    mapped = texts.map(lambda v: mapping.get(v, step.other), na_action="ignore")
    data[step.column] = mapped.astype(object).where(series.notna(), None)
    return StepReport(
        "generalise",
        (step.column,),
        {
            "kind": "mapping",
            "categories_before": int(texts.nunique()),
            "categories_after": int(data[step.column].nunique()),
            "to_other": len(unmapped),
        },
    )


@dataclass
class NoiseBasis:
    """A noised column's figures over the whole table, for noising it batch by batch: its
    sample standard deviation and decimals, and (noise following the row order) the generator,
    which carries on from one batch to the next (:func:`noise_generator`)."""

    std: float
    decimals: int | None
    rng: np.random.Generator | None = None


def noise_generator(key: bytes, column: str) -> np.random.Generator:
    """The generator of a column's noise when it follows the row order."""
    seed = hmac.new(key, b"noise\x00" + column.encode("utf-8"), hashlib.sha256).digest()
    return np.random.default_rng(int.from_bytes(seed[:16], "big"))


def _noise(
    data: pd.DataFrame,
    step: Noise,
    key: bytes,
    path: str,
    row_key: Sequence[str] | None,
    basis: Mapping[str, NoiseBasis] | None = None,
) -> StepReport:
    figures: dict[str, dict[str, Any]] = {}
    texts = _row_texts(data, row_key) if row_key else None
    for column in step.columns:
        series = data[column]
        if not _is_number_series(series):
            raise _invalid("not_numeric", path, column=column)
        values = series.to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(values)
        whole = None if basis is None else basis.get(column)
        if whole is not None:
            std = whole.std
        else:
            std = float(np.std(values[present], ddof=1)) if present.sum() > 1 else 0.0
        if not math.isfinite(std) or std == 0:
            figures[column] = {"std": std, "noise_sd": 0.0, "skipped": "constant"}
            continue
        sd = step.scale * std
        if texts is not None:
            draw = sd * _keyed_draws(texts, key, column, step.distribution)
        else:
            rng = whole.rng if whole is not None and whole.rng is not None else None
            rng = rng or noise_generator(key, column)
            if step.distribution == "gaussian":
                draw = rng.normal(0.0, sd, len(values))
            else:  # Laplace of scale b has standard deviation b * sqrt(2)
                draw = rng.laplace(0.0, sd / math.sqrt(2), len(values))
        decimals = whole.decimals if whole is not None else column_decimals(series)
        noisy = values + draw
        if decimals is not None:
            noisy = np.round(noisy, decimals)
        # whole numbers stay whole (a nullable integer column keeps its missing values)
        nullable = isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
        if pd.api.types.is_integer_dtype(series.dtype) and (present.all() or nullable):
            data[column] = pd.Series(noisy, index=data.index).astype(series.dtype)
        else:
            data[column] = noisy
        change = noisy[present] - values[present]
        figures[column] = {
            "std": std,
            "noise_sd": sd,
            "decimals": decimals,
            "rms_change": float(np.sqrt(np.mean(change**2))),
            "mean_change": float(np.mean(change)),
        }
    return StepReport(
        "noise",
        step.columns,
        {
            "distribution": step.distribution,
            "scale": step.scale,
            "seeded_by": "row_key" if row_key else "row_order",
            "columns": figures,
        },
    )


def _row_texts(data: pd.DataFrame, columns: Sequence[str]) -> list[bytes]:
    """Each row's key as text: timestamps as microseconds UTC, anything else canonical."""
    parts: list[pd.Series] = []
    for column in columns:
        series = data[column]
        if _is_time(series):
            utc = (
                series.dt.tz_localize("UTC")
                if series.dt.tz is None
                else series.dt.tz_convert("UTC")
            )
            micros = (utc - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(microseconds=1)
            parts.append(micros.astype("Int64").astype(str).reset_index(drop=True))
        else:
            text = series.map(canonical_text, na_action="ignore").astype(str)
            parts.append(text.reset_index(drop=True))
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "\x1f" + part
    return [text.encode("utf-8") for text in joined]


def _keyed_draws(texts: Sequence[bytes], key: bytes, column: str, distribution: str) -> np.ndarray:
    """One draw of unit variance per row from keyed BLAKE2b of the column and the row's key:
    Gaussian by Box-Muller, Laplace by its inverse distribution function."""
    keyed = hashlib.blake2b(
        b"noise\x00" + column.encode("utf-8") + b"\x00", key=key, digest_size=16
    )
    out = bytearray()
    for text in texts:
        h = keyed.copy()
        h.update(text)
        out += h.digest()
    words = np.frombuffer(bytes(out), dtype=">u8").reshape(-1, 2)
    u1 = ((words[:, 0] >> np.uint64(11)).astype(float) + 0.5) / 2.0**53  # in (0, 1)
    u2 = ((words[:, 1] >> np.uint64(11)).astype(float) + 0.5) / 2.0**53
    if distribution == "gaussian":
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    centred = u1 - 0.5  # Laplace of scale 1/sqrt(2): variance 1
    return -np.sign(centred) * np.log1p(-2.0 * np.abs(centred)) / math.sqrt(2.0)


# --- helpers ----------------------------------------------------------------------------------


def column_decimals(series: pd.Series) -> int | None:
    """The decimals a numeric column is written with (0 for whole numbers), or None when its
    values have more than :data:`MAX_DECIMALS` (a continuous column)."""
    if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return 0
    values = series.to_numpy(dtype=float, na_value=np.nan)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    for d in range(MAX_DECIMALS + 1):
        scaled = values * 10.0**d
        if np.allclose(scaled, np.round(scaled), rtol=1e-12, atol=1e-6):
            return d
    return None


def _decimals_of(number: float) -> int:
    text = f"{number:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _fmt(number: float) -> str:
    return f"{number:.10f}".rstrip("0").rstrip(".")


def _is_time(series: pd.Series) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(series.dtype))


def _is_number_series(series: pd.Series) -> bool:
    return bool(
        pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    )


def _invalid(reason: str, path: str, **params: object) -> InvalidInput:
    params = {"path": path, **params}
    return InvalidInput(
        t(f"err.sharing.transform.{reason}", "en", **params),
        code=f"sharing.transform.{reason}",
        params=params,
    )
