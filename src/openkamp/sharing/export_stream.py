"""The governed export batch by batch, in bounded memory (issue 11, item 4; the project's rule
that no request holds a table).

:func:`stream_export` gives what :func:`openkamp.sharing.export.governed_export` gives for the
whole frame (the same rows, values, watermark and figures) while holding one batch at a time.
What the whole-frame functions compute from a whole column is gathered first, from running
statistics over the batches; then every batch is transformed, marked and handed to ``sink``
(the delivery appends it to the CSV file). The batches are read three times (``source`` is
called once per pass and must give the same rows in the same order each time):

1. **The raw rows.** Integer columns with a missing value anywhere (pandas reads those as
   floats in the whole frame, as integers in a batch without one: every batch is given the
   whole frame's type); per noised column its sample standard deviation (shifted sums, each
   batch summed exactly with :func:`math.fsum`) and decimals (a decimal count holds for the
   column when it holds for every batch); the distinct values a generalisation starts from,
   and a category mapping's unmapped values (refused with the whole column's count and
   examples, before anything is written).
2. **The transformed rows** (noise drawn with the whole column's spread; noise that follows
   the row order continues one generator from batch to batch). What the transforms' report
   says of the whole table (distinct pseudonyms and a collision among them, distinct values
   after generalising, the noise's change), and what :func:`openkamp.sharing.watermark.plan`
   reads: per candidate row key (each subset of the key columns) how many rows are complete and
   how many distinct (128-bit hashes of the keys' texts), per candidate column its decimals,
   count and standard deviation. The plan is then made by the same rules.
3. **Transformed again, marked** (:func:`openkamp.sharing.watermark.embed` per batch: a mark
   depends on its row's key only) **and written**; the distortion figures from running sums.

Memory: one batch, plus per distinct value of a pseudonymised or generalised column 16 bytes
(ids and bins: few). How many distinct keys a candidate row key has needs every row's key: their
128-bit hashes go to bucket files on disk (``spool``; 16 bytes per row and candidate key) and
each bucket of ~4 MB is counted alone. Floating-point figures of the report
(standard deviations, mean changes) may differ from the whole frame's in their last digits (sums
in another order); the noise's scale likewise, which can change a noised value only where it
falls on a rounding boundary within that margin.
"""

from __future__ import annotations

import itertools
import math
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openkamp.sharing import transforms as tf
from openkamp.sharing import watermark as wm
from openkamp.sharing.contract_keys import ContractKey
from openkamp.sharing.export import Recorded, rounding_step
from openkamp.sharing.transforms import TransformReport, TransformSpec

__all__ = ["StreamedExport", "stream_export"]

Source = Callable[[], Iterable[pd.DataFrame]]
_HASH_KEYS = ("openkamp-stream1", "openkamp-stream2")
_HASH_DTYPE = np.dtype([("a", "<u8"), ("b", "<u8")])
_BUCKET_BYTES = 4 << 20


@dataclass(frozen=True)
class StreamedExport(Recorded):
    """What was written: rows, delivered columns, and the reports of the transforms and the
    watermark (as :class:`openkamp.sharing.export.Export` has them, ``unmarked`` too)."""

    rows: int
    columns: tuple[str, ...]
    transforms: TransformReport
    watermark: wm.WatermarkReport | None
    unmarked: Mapping[str, Any] | None = None


# --- running statistics -----------------------------------------------------------------------


@dataclass
class _Moments:
    """Count, mean and sample standard deviation of values seen batch by batch (sums shifted by
    the first value, each batch's summed exactly)."""

    n: int = 0
    shift: float | None = None
    s1: list[float] = field(default_factory=list)
    s2: list[float] = field(default_factory=list)
    finite: bool = True

    def add(self, values: np.ndarray) -> None:
        if values.size == 0:
            return
        if not np.isfinite(values).all():
            self.finite = False
            return
        if self.shift is None:
            self.shift = float(values[0])
        d = values - self.shift
        self.s1.append(math.fsum(d))
        self.s2.append(math.fsum(d * d))
        self.n += int(values.size)

    def mean(self) -> float:
        if not self.finite or self.n == 0 or self.shift is None:
            return math.nan
        return self.shift + math.fsum(self.s1) / self.n

    def std(self) -> float:
        if not self.finite or self.n < 2:
            return math.nan
        s1, s2 = math.fsum(self.s1), math.fsum(self.s2)
        return math.sqrt(max(0.0, (s2 - s1 * s1 / self.n) / (self.n - 1)))


class _Decimals:
    """:func:`openkamp.sharing.transforms.column_decimals` over batches: a count of decimals
    holds for the column when it holds for each batch."""

    def __init__(self) -> None:
        self.ok = [True] * (tf.MAX_DECIMALS + 1)
        self.integer: bool | None = None
        self.values = 0

    def add(self, series: pd.Series) -> None:
        whole = pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(
            series.dtype
        )
        self.integer = whole if self.integer is None else self.integer and whole
        values = series.to_numpy(dtype=float, na_value=np.nan)
        values = values[np.isfinite(values)]
        self.values += int(values.size)
        if values.size == 0:
            return
        for d in range(tf.MAX_DECIMALS + 1):
            if self.ok[d]:
                scaled = values * 10.0**d
                self.ok[d] = bool(np.allclose(scaled, np.round(scaled), rtol=1e-12, atol=1e-6))

    def result(self) -> int | None:
        if self.integer:
            return 0
        if self.values == 0:
            return None
        return next((d for d, ok in enumerate(self.ok) if ok), None)


class _Distinct:
    """How many distinct values (missing ones not counted) a column has over the batches."""

    def __init__(self) -> None:
        self.numbers: list[np.ndarray] = []
        self.times: list[np.ndarray] = []
        self.others: set[Any] = set()

    def add(self, series: pd.Series) -> None:
        series = series.dropna()
        if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
            series.dtype
        ):
            self.numbers.append(np.unique(series.to_numpy(dtype=float)))
            if len(self.numbers) > 16:
                self.numbers = [np.unique(np.concatenate(self.numbers))]
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            self.times.append(np.unique(np.asarray(series.array.asi8)))
        else:
            self.others.update(pd.unique(series))

    def count(self) -> int:
        numbers = np.unique(np.concatenate(self.numbers)).size if self.numbers else 0
        times = np.unique(np.concatenate(self.times)).size if self.times else 0
        return int(numbers) + int(times) + len(self.others)


def _hashes(texts: Sequence[bytes] | np.ndarray) -> np.ndarray:
    """128-bit hashes of texts (two 64-bit halves as a structured array, for np.unique)."""
    values = np.asarray(texts, dtype=object)
    out = np.empty(len(values), dtype=_HASH_DTYPE)
    out["a"] = pd.util.hash_array(values, hash_key=_HASH_KEYS[0], categorize=False)
    out["b"] = pd.util.hash_array(values, hash_key=_HASH_KEYS[1], categorize=False)
    return out


class _Keys:
    """Distinct keys over the batches: their 128-bit hashes appended to bucket files on disk
    by their first bits, each bucket counted on its own (memory: one bucket, ~4 MB)."""

    def __init__(self, folder: Path, rows: int) -> None:
        self.folder = folder
        self.bits = max(0, math.ceil(math.log2(max(1, rows * 16 / _BUCKET_BYTES))))
        self.complete = 0
        self.files: dict[int, Path] = {}
        self._distinct: int | None = None

    def add(self, hashes: np.ndarray, complete: int) -> None:
        self.complete += complete
        if hashes.size == 0:
            return
        hashes = np.unique(hashes)
        buckets = (hashes["a"] >> np.uint64(64 - self.bits)).astype(np.int64) if self.bits else (
            np.zeros(hashes.size, dtype=np.int64))  # fmt: skip
        for b in np.unique(buckets):
            path = self.files.setdefault(int(b), self.folder / f"keys-{id(self)}-{int(b)}.bin")
            with path.open("ab") as fh:
                fh.write(hashes[buckets == b].tobytes())

    def distinct(self) -> int:
        if self._distinct is None:
            self._distinct = sum(
                int(np.unique(np.fromfile(path, dtype=_HASH_DTYPE)).size)
                for path in self.files.values()
            )
        return self._distinct


# --- the three passes -------------------------------------------------------------------------


def stream_export(
    source: Source,
    spec: TransformSpec,
    key: ContractKey,
    *,
    row_key: Sequence[str],
    sink: Callable[[pd.DataFrame], None],
    mark: bool = True,
    unmarked_if_none: bool = False,
    choose: Callable[[list[str], list[str]], list[str]] | None = None,
    spool: str | Path | None = None,
    **options: Any,
) -> StreamedExport:
    """Transform, mark and hand to ``sink`` every batch of ``source()`` (the module docstring).

    As :func:`openkamp.sharing.export.governed_export` (``row_key``, ``mark`` and ``options``
    alike); ``unmarked_if_none``: when no column can carry a mark or no row key is usable, the
    export goes out unmarked instead of refused (the delivery's rule); ``choose``: given the
    transformed columns and the watermark's row key, the columns delivered (checked by the
    caller, before anything is written); ``spool``: the folder under which the row keys' hashes
    are counted on disk (the system's temporary folder by default)."""
    if spool is not None:
        Path(spool).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="export-keys-", dir=spool) as folder:
        return _stream(source, spec, key, row_key, sink, mark, unmarked_if_none, choose,
                       Path(folder), dict(options))  # fmt: skip


def _stream(
    source: Source,
    spec: TransformSpec,
    key: ContractKey,
    row_key: Sequence[str],
    sink: Callable[[pd.DataFrame], None],
    mark: bool,
    unmarked_if_none: bool,
    choose: Callable[[list[str], list[str]], list[str]] | None,
    folder: Path,
    options: dict[str, Any],
) -> StreamedExport:
    # 1. the raw rows
    floats: set[str] = set()
    ints: set[str] | None = None
    noise_cols = [c for s in spec.transforms if isinstance(s, tf.Noise) for c in s.columns]
    moments = {c: _Moments() for c in noise_cols}
    decimals = {c: _Decimals() for c in noise_cols}
    before = {s.column: _Distinct() for s in spec.transforms
              if isinstance(s, tf.GeneraliseNumber | tf.GeneraliseTime)}  # fmt: skip
    maps = {s.column: s for s in spec.transforms if isinstance(s, tf.GeneraliseCategory)}
    texts: dict[str, set[str]] = {c: set() for c in maps}
    counts = dict.fromkeys(noise_cols, 0)
    rows = 0
    for batch in source():  # (a column of integers here, floats there: the same values)
        rows += len(batch)
        here = {str(c) for c in batch.columns if pd.api.types.is_integer_dtype(batch[c].dtype)}
        ints = here if ints is None else ints & here
        floats |= {str(c) for c in batch.columns if pd.api.types.is_float_dtype(batch[c].dtype)}
        for c in noise_cols:
            if c in batch.columns and tf._is_number_series(batch[c]):
                v = batch[c].to_numpy(dtype=float, na_value=np.nan)
                v = v[~np.isnan(v)]
                counts[c] += int(v.size)
                moments[c].add(v)
                decimals[c].add(batch[c])
        for c, acc in before.items():
            if c in batch.columns:
                acc.add(batch[c])
        for c in maps:
            if c in batch.columns:
                texts[c].update(batch[c].map(tf.canonical_text, na_action="ignore").dropna())
    if ints is None:
        raise ValueError("stream_export needs at least one batch")
    mixed = sorted(floats - ints)

    def batches() -> Iterable[pd.DataFrame]:
        for b in source():
            cast = [c for c in mixed if c in b.columns and not pd.api.types.is_float_dtype(b[c])]
            yield b.astype(dict.fromkeys(cast, "float64")) if cast else b

    for i, step in enumerate(spec.transforms):  # the whole column's refusal, as apply says it
        if isinstance(step, tf.GeneraliseCategory) and step.other is None:
            mapping = dict(step.mapping)
            unmapped = sorted(v for v in texts[step.column] if v not in mapping)
            if unmapped:
                examples = ", ".join(repr(v) for v in unmapped[:3])
                raise tf._invalid("unmapped", f"transforms[{i}]", column=step.column,
                                  count=len(unmapped), examples=examples)  # fmt: skip

    def basis() -> dict[str, tf.NoiseBasis]:
        out = {}
        for c in noise_cols:
            std = moments[c].std() if counts[c] > 1 else 0.0
            rng = None if row_key else tf.noise_generator(key.noise, c)
            out[c] = tf.NoiseBasis(std, decimals[c].result(), rng)
        return out

    # 2. the transformed rows
    first: TransformReport | None = None
    pseudo: dict[str, list[np.ndarray]] = {}
    after = {c: _Distinct() for c in before}
    after_maps = {c: _Distinct() for c in maps}
    change: dict[str, list[float]] = {}
    present: dict[str, int] = {}
    keys: list[wm.KeyColumn] = []
    subsets: dict[tuple[str, ...], _Keys] = {}
    candidates: dict[str, tuple[_Moments, _Decimals]] = {}
    exclude: set[str] = set()
    noise_basis = basis()
    for batch in batches():
        data, report = tf.apply(batch, spec, key, row_key=row_key, basis=noise_basis)
        assert isinstance(data, pd.DataFrame)
        if first is None:
            first = report
            if mark:
                exclude = {*options.get("exclude", ()), *report.columns_of("generalise")}
                keys, candidates = _plan_start(data, row_key, exclude, options)
                for subset in _subsets(keys):
                    subsets[subset] = _Keys(folder, rows)
        for step in spec.transforms:
            if isinstance(step, tf.Pseudonymise):
                for c in step.columns:
                    raw = batch[c].dropna()
                    names = raw.map(tf.canonical_text).to_numpy(dtype=object)
                    made = data[c].dropna().to_numpy(dtype=object)
                    pair = np.empty(len(made), dtype=[("p", "<u8"), ("t", "<u8")])
                    pair["p"] = pd.util.hash_array(made, hash_key=_HASH_KEYS[0], categorize=True)
                    pair["t"] = pd.util.hash_array(names, hash_key=_HASH_KEYS[1], categorize=True)
                    pseudo.setdefault(c, []).append(np.unique(pair))
                    if len(pseudo[c]) > 16:
                        pseudo[c] = [np.unique(np.concatenate(pseudo[c]))]
        for c, acc in after.items():
            acc.add(data[c])
        for c, acc in after_maps.items():
            acc.add(data[c])
        for c in noise_cols:
            if c in batch.columns:
                old = batch[c].to_numpy(dtype=float, na_value=np.nan)
                new = data[c].to_numpy(dtype=float, na_value=np.nan)
                ok = ~np.isnan(old)
                d = new[ok] - old[ok]
                sums = change.setdefault(c, [])
                sums.append(math.fsum(d))
                sums.append(math.fsum(d * d))
                present[c] = present.get(c, 0) + int(ok.sum())
        if mark:
            for subset, seen in subsets.items():
                cols = [k for k in keys if k.name in subset]
                texts_, valid = wm._row_texts(data, cols)
                complete = np.asarray(texts_, dtype=object)[valid]
                seen.add(_hashes(complete), int(valid.sum()))
            for c, (m, dec) in candidates.items():
                dec.add(data[c])
                v = data[c].to_numpy(dtype=float, na_value=np.nan)
                m.add(v[np.isfinite(v)])
    assert first is not None
    transforms = _report(spec, first, rows, pseudo, before, after, after_maps, texts, change,
                         present, noise_basis)  # fmt: skip

    params: wm.WatermarkParams | None = None
    unmarked: dict[str, Any] | None = None
    if mark:
        try:
            params = _plan(keys, subsets, candidates, options)
        except Exception as exc:
            code = getattr(exc, "code", None)
            if not unmarked_if_none or code not in (
                "sharing.watermark.no_column",
                "sharing.watermark.key_columns",
            ):
                raise
            params = None
            reason = "no_column" if code == "sharing.watermark.no_column" else "no_row_key"
            skipped = str(getattr(exc, "params", {}).get("skipped", ""))
            unmarked = wm.none_record(reason, skipped)
        else:
            rounding = rounding_step(params)
            if rounding is not None:
                transforms = replace(transforms, steps=(*transforms.steps, rounding))
    delivered = list(transforms.columns)
    key_names = [] if params is None else [k.name for k in params.key_columns]
    if choose is not None:
        delivered = choose(delivered, key_names)

    # 3. transformed again, marked, written
    marked = unkeyed = 0
    dist = {} if params is None else {c.name: _Distortion() for c in params.columns}
    noise_basis = basis()
    written = 0
    for batch in batches():
        data, _ = tf.apply(batch, spec, key, row_key=row_key, basis=noise_basis)
        assert isinstance(data, pd.DataFrame)
        if params is not None:
            out, rep = wm.embed(data, key, params)
            assert isinstance(out, pd.DataFrame)
            marked += rep.marked
            unkeyed += rep.unkeyed_rows
            for mc in params.columns:
                dist[mc.name].add(data[mc.name], out[mc.name], rep.columns[mc.name])
            data = out
        if list(data.columns) != delivered:
            data = data[delivered]
        sink(data)
        written += len(data)
    mark_report = None
    if params is not None:
        chosen = tuple(k.name for k in params.key_columns)
        identity = subsets[chosen]
        duplicates = identity.complete - identity.distinct()
        figures = {mc.name: dist[mc.name].figures(mc) for mc in params.columns}
        mark_report = wm.WatermarkReport(params, rows, marked, figures, unkeyed, duplicates)
    return StreamedExport(written, tuple(delivered), transforms, mark_report, unmarked)


def _plan_start(
    data: pd.DataFrame, row_key: Sequence[str], exclude: set[str], options: Mapping[str, Any]
) -> tuple[list[wm.KeyColumn], dict[str, tuple[_Moments, _Decimals]]]:
    """The key columns' kinds and the candidate columns, from the first transformed batch (as
    :func:`openkamp.sharing.watermark.plan` reads them from the whole frame)."""
    if not row_key:
        raise wm._invalid("key_columns")
    keys: list[wm.KeyColumn] = []
    for name in row_key:
        if name not in data.columns:
            raise wm._invalid("key_column", column=name)
        if pd.api.types.is_datetime64_any_dtype(data[name].dtype):
            tz = data[name].dt.tz
            keys.append(wm.KeyColumn(name, "time", None if tz is None else str(tz)))
        else:
            keys.append(wm.KeyColumn(name, "text"))
    columns = options.get("columns")
    if columns is None:
        chosen = [str(c) for c in data.columns if c not in row_key and c not in exclude]
        chosen = [c for c in chosen if wm._numeric(data[c])]
    else:
        chosen = list(columns)
        for name in chosen:
            if name not in data.columns or not wm._numeric(data[name]):
                raise wm._invalid("column", column=name)
    return keys, {c: (_Moments(), _Decimals()) for c in chosen}


def _subsets(keys: list[wm.KeyColumn]) -> list[tuple[str, ...]]:
    ordered = sorted(keys, key=lambda k: k.kind != "time")
    out = [tuple(k.name for k in keys)]
    for size in range(1, len(keys)):
        out += [tuple(k.name for k in s) for s in itertools.combinations(ordered, size)]
    return list(dict.fromkeys(out))


def _plan(
    keys: list[wm.KeyColumn],
    subsets: Mapping[tuple[str, ...], _Keys],
    candidates: Mapping[str, tuple[_Moments, _Decimals]],
    options: Mapping[str, Any],
) -> wm.WatermarkParams:
    """:func:`openkamp.sharing.watermark.plan`'s rules on the gathered figures."""
    gamma = int(options.get("gamma", wm.GAMMA))
    robust = int(options.get("robust_decimals", 1))
    max_step_std = float(options.get("max_step_std", 1.0))
    names = tuple(k.name for k in keys)

    def identity(subset: tuple[str, ...]) -> tuple[int, int]:
        acc = subsets[subset]
        return acc.complete, acc.distinct()

    full = identity(names)
    chosen = list(keys)
    ordered = sorted(keys, key=lambda k: k.kind != "time")
    found = False
    for size in range(1, len(keys)):
        for subset in itertools.combinations(ordered, size):
            if identity(tuple(k.name for k in subset)) == full:
                chosen, found = list(subset), True
                break
        if found:
            break
    step = wm._STEP_UNITS * 10 ** (robust - 1)
    marked: list[wm.MarkedColumn] = []
    skipped: dict[str, str] = {}
    for name, (m, dec) in candidates.items():
        std = m.std() if dec.values > 1 else 0.0
        choice = wm.choose_column(name, dec.result(), dec.values, std, step=step,
                                  max_step_std=max_step_std)  # fmt: skip
        if isinstance(choice, str):
            skipped[name] = choice
        else:
            marked.append(choice)
    params = wm.WatermarkParams(key_columns=tuple(chosen), columns=tuple(marked), gamma=gamma,
                                robust_decimals=robust, skipped=skipped)  # fmt: skip
    wm._check_params(params)
    if not marked:
        raise wm._invalid("no_column", skipped=", ".join(f"{k}: {v}" for k, v in skipped.items()))
    return params


class _Distortion:
    """A marked column's distortion figures (:func:`openkamp.sharing.watermark.embed`'s) over
    the batches."""

    def __init__(self) -> None:
        self.before = _Moments()
        self.after = _Moments()
        self.marked = 0
        self.max_abs = 0.0
        self.max_rel = 0.0
        self.rounding = 0.0

    def add(self, old: pd.Series, new: pd.Series, batch: Mapping[str, float | int]) -> None:
        a = old.to_numpy(dtype=float, na_value=np.nan)
        b = new.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(a)
        self.before.add(a[ok])
        self.after.add(b[ok])
        self.marked += int(batch["marked"])
        self.max_abs = max(self.max_abs, float(batch["max_abs_change"]))
        self.max_rel = max(self.max_rel, float(batch["max_rel_change"]))
        self.rounding = max(self.rounding, float(batch.get("rounding_max_abs_change", 0.0)))

    def figures(self, column: wm.MarkedColumn) -> dict[str, float | int]:
        std = self.before.std()
        rounding = {"rounding_max_abs_change": self.rounding} if column.rounded else {}
        return {
            **rounding,
            "decimals": column.decimals,
            "step": column.step * 10.0**-column.decimals,
            "bound": column.max_change,
            "marked": self.marked,
            "max_abs_change": self.max_abs,
            "max_rel_change": self.max_rel,
            "mean_change": self.after.mean() - self.before.mean(),
            "std_change": self.after.std() - std,
            "std": std,
        }


def _report(
    spec: TransformSpec,
    first: TransformReport,
    rows: int,
    pseudo: Mapping[str, list[np.ndarray]],
    before: Mapping[str, _Distinct],
    after: Mapping[str, _Distinct],
    after_maps: Mapping[str, _Distinct],
    texts: Mapping[str, set[str]],
    change: Mapping[str, list[float]],
    present: Mapping[str, int],
    basis: Mapping[str, tf.NoiseBasis],
) -> TransformReport:
    """The whole table's report: the first batch's, with what it says of whole columns
    replaced by the figures gathered."""
    steps = []
    for i, (step, rep) in enumerate(zip(spec.transforms, first.steps, strict=True)):
        details = dict(rep.details)
        if isinstance(step, tf.Pseudonymise):
            distinct = {}
            for c in step.columns:
                pairs: Any = np.unique(np.concatenate(pseudo[c])) if pseudo.get(c) else np.empty(0)
                made = np.unique(pairs["p"]).size if pairs.size else 0
                names = np.unique(pairs["t"]).size if pairs.size else 0
                if made != names:
                    raise tf._invalid("collision", f"transforms[{i}]", column=c)
                distinct[c] = int(made)
            details["distinct"] = distinct
        elif isinstance(step, tf.GeneraliseNumber | tf.GeneraliseTime):
            details["distinct_before"] = before[step.column].count()
            details["distinct_after"] = after[step.column].count()
        elif isinstance(step, tf.GeneraliseCategory):
            mapping = dict(step.mapping)
            details["categories_before"] = len(texts[step.column])
            details["categories_after"] = after_maps[step.column].count()
            details["to_other"] = sum(1 for v in texts[step.column] if v not in mapping)
        elif isinstance(step, tf.Noise):
            figures = {}
            for c in step.columns:
                b = basis[c]
                std = b.std
                if not math.isfinite(std) or std == 0:
                    figures[c] = {"std": std, "noise_sd": 0.0, "skipped": "constant"}
                    continue
                s1, s2 = math.fsum(change[c][0::2]), math.fsum(change[c][1::2])
                n = max(present.get(c, 0), 1)
                figures[c] = {"std": std, "noise_sd": step.scale * std, "decimals": b.decimals,
                              "rms_change": math.sqrt(s2 / n), "mean_change": s1 / n}  # fmt: skip
            details["columns"] = figures
        steps.append(replace(rep, details=details))
    return TransformReport(rows=rows, columns=first.columns, steps=tuple(steps), spec=first.spec)
