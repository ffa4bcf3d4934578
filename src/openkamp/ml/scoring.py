"""Scoring in bounded memory: a period of stored data, or a file, one piece at a time.

A model scores a long period the way it would score the whole table at once, but never holds
more than one piece of it (:func:`openkamp.ml.tables.iter_table`) plus what the model looks back
on. What each kind of model keeps between pieces:

* ``classify`` / ``regress`` / ``optimise``: nothing; every row is scored on its own.
* ``anomaly``: the last 10 raw readings (a gap in one signal is carried forward for up to 10
  readings, as in training), then :class:`~openkamp.ml.templates.anomaly.AnomalyStream`: the
  lag window, the smoothing's state and the alarm filter's window.
* ``rul``: per unit (tool, engine) its first reading's time, its count of rows, and the rows its
  window features read (the last ``max(windows) - 1`` and the first ``max(windows)``);
  :func:`~openkamp.ml.rul_features.window_features_next`. With ``usage``, the sampling step is
  the median spacing of the whole period's readings, taken in a first pass.
* ``forecast``: the newest steps the model reads (``spec_.need``), summarised per step
  (:class:`~openkamp.ml.forecast_features.StepAccumulator`).

Concatenated, the pieces' scores are the scores of the whole table (``tests/ml/
test_scoring_pieces.py``; a forecast step cut between two pieces adds its parts' sums, equal up
to rounding). Optimise advice draws its random candidates per piece, so a piece's advice is as
good but not the same draw as over the whole.

:class:`ScoreSummary` counts what a scored period found (rows, alarms, predicted defects, its
first and last time, the signals behind the alarms) piece by piece; :class:`Head` keeps the
first rows of the answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openkamp.core.errors import InvalidInput
from openkamp.ml.fit_stored import _FILL_LIMIT, _utc
from openkamp.ml.tables import Table

if TYPE_CHECKING:
    from openkamp.ml.service import TrainSpec

__all__ = [
    "LEAST_READINGS",
    "Head",
    "PieceScorer",
    "ScoreSummary",
    "median_step",
    "records_scorer",
    "table_scorer",
    "too_few_readings",
]


class PieceScorer:
    """Scores of consecutive pieces: :meth:`feed` returns the rows whose outputs are final,
    :meth:`finish` the rest. Stateless by default (each row scored on its own)."""

    def feed(self, piece: Any) -> pd.DataFrame:  # pragma: no cover - every scorer overrides
        raise NotImplementedError

    def finish(self) -> pd.DataFrame:
        return pd.DataFrame()


# -- stored tables ------------------------------------------------------------------------------


#: Complete readings an anomaly model needs in a scored period.
LEAST_READINGS = 20


def too_few_readings(complete: int) -> InvalidInput:
    return InvalidInput(
        f"Only {complete} complete readings: too few to learn normal operation.",
        hint="Choose a longer period, or fewer signals.",
    )


def table_scorer(
    task: str,
    model: Any,
    spec: TrainSpec,
    *,
    step_s: float | None = None,
    least: int = LEAST_READINGS,
) -> PieceScorer:
    """A scorer of :class:`~openkamp.ml.tables.Table` pieces of ``spec``'s equipment and period
    (``step_s``: the sampling step of a ``rul`` model with ``usage``, see :func:`median_step`;
    ``least``: the complete readings an anomaly model refuses to score fewer of; a time
    partition of a period checks the whole period's count instead, :mod:`openkamp.ml.partitions`)."""
    if task == "anomaly":
        return _AnomalyTable(model, spec, least)
    if task in ("classify", "regress", "optimise"):
        return _RowsTable(task, model, spec)
    if task == "rul":
        return _RULTable(model, spec, step_s)
    if task == "forecast":
        return _ForecastTable(model, spec)
    raise InvalidInput(f"Task {task!r} cannot score stored data.")


def _signals(table: Table, spec: TrainSpec) -> list[str]:
    return [s for s in table.signals if s != spec.target]


class _RowsTable(PieceScorer):
    def __init__(self, task: str, model: Any, spec: TrainSpec) -> None:
        self.task, self.model, self.spec = task, model, spec

    def feed(self, piece: Table) -> pd.DataFrame:
        from openkamp.ml.service import _predict

        frame = piece.frame
        if frame.empty:
            return pd.DataFrame()
        out = _predict(self.task, self.model, frame[_signals(piece, self.spec)])
        if self.spec.target in frame.columns:
            out.insert(0, "actual", frame[self.spec.target].to_numpy())
        return out


class _AnomalyTable(PieceScorer):
    """Complete readings (gaps carried forward within 10 readings, as
    :func:`~openkamp.ml.fit_stored._complete` does), then the model's stream."""

    def __init__(self, model: Any, spec: TrainSpec, least: int = LEAST_READINGS) -> None:
        self.spec = spec
        self.least = least
        self.stream = model.stream()
        self._carry: pd.DataFrame | None = None  # the last raw readings a gap may reach back to
        self.complete = 0

    def feed(self, piece: Table) -> pd.DataFrame:
        X = piece.frame[_signals(piece, self.spec)]
        if X.empty:
            return pd.DataFrame()
        both = X if self._carry is None else pd.concat([self._carry, X])
        filled = both.apply(pd.to_numeric, errors="coerce").ffill(limit=_FILL_LIMIT)
        rows = filled.iloc[len(both) - len(X) :].dropna()
        self._carry = both.iloc[len(both) - min(_FILL_LIMIT, len(both)) :]
        self.complete += len(rows)
        return self.stream.feed(rows) if len(rows) else pd.DataFrame()

    def finish(self) -> pd.DataFrame:
        if self.complete < self.least:
            raise too_few_readings(self.complete)
        return self.stream.finish()


@dataclass
class _Unit:
    first: pd.Timestamp
    used: int = 0  # rows in use so far (minutes in use with ``usage``)
    window: Any = None  # rul_features.UnitWindow


class _RULTable(PieceScorer):
    """Remaining life at every row of a unit, as :func:`~openkamp.ml.fit_stored._rul_frame`
    and ``RULModel.predict`` compute it over the whole table, from per-unit state."""

    def __init__(self, model: Any, spec: TrainSpec, step_s: float | None) -> None:
        self.model, self.spec = model, spec
        self.step_s = 60.0 if step_s is None else step_s
        self.units: dict[str, _Unit] = {}

    def feed(self, piece: Table) -> pd.DataFrame:
        from threadpoolctl import threadpool_limits

        from openkamp.ml.rul_features import UnitWindow

        spec, frame = self.spec, piece.frame
        rows = frame[str(spec.unit)].notna()
        if spec.usage:
            rows &= pd.to_numeric(frame[spec.usage], errors="coerce").fillna(0).to_numpy() > 0
        sub = frame.loc[rows]
        if sub.empty:
            return pd.DataFrame()
        unit = sub[str(spec.unit)].astype(str).to_numpy()
        times = sub.index
        X = sub[_signals(piece, spec)].apply(pd.to_numeric, errors="coerce")
        missing = [c for c in self._inputs() if c not in X.columns]
        if missing:
            raise InvalidInput(f"Cannot score: missing signals {missing}.")
        minutes = np.empty(len(sub))
        parts, where = [], []
        for name in dict.fromkeys(unit.tolist()):
            at = np.flatnonzero(unit == name)
            state = self.units.get(name)
            if state is None:
                state = self.units[name] = _Unit(first=times[at[0]], window=UnitWindow())
            if spec.usage:  # minutes in use: readings in use times the sampling period
                minutes[at] = (state.used + np.arange(len(at))) * self.step_s / 60.0
                state.used += len(at)
            else:
                minutes[at] = (times[at] - state.first).total_seconds().to_numpy() / 60.0
            feats, state.window = self.model.features_.transform_next(
                X.iloc[at], minutes[at], state.window
            )
            parts.append(feats)
            where.append(at)
        F = pd.concat(parts, ignore_index=True)
        m = self.model
        with threadpool_limits(limits=1):
            pred = sum(w * m.models_[n].predict(F) for n, w in m.weights_.items())
        rul = np.empty(len(sub))
        rul[np.concatenate(where)] = m._clip(np.asarray(pred, dtype=np.float64))
        out = pd.DataFrame({"unit": unit, "minutes_in_use": minutes, "rul": rul}, index=times)
        out.index.name = "timestamp"
        return out

    def _inputs(self) -> list[str]:
        f = self.model.features_
        return [*f.sensor_names_, *f.setting_names_]


class _ForecastTable(PieceScorer):
    """The target's newest steps, summarised piece by piece; the forecast comes at the end."""

    def __init__(self, model: Any, spec: TrainSpec) -> None:
        from openkamp.ml.forecast_features import StepAccumulator

        self.model, self.spec = model, spec
        self.steps = StepAccumulator(model.freq_, model.agg, model.spec_.need)

    def feed(self, piece: Table) -> pd.DataFrame:
        self.steps.add(piece.frame[str(self.spec.target)].dropna())
        return pd.DataFrame()

    def finish(self) -> pd.DataFrame:
        out: pd.DataFrame = self.model.predict(
            steps=self.steps.series(end=_utc(self.spec.end)), end=_utc(self.spec.end)
        )
        return out


def median_step(indexes: Iterable[pd.Index]) -> float | None:
    """Seconds between consecutive readings, the median over the consecutive pieces' indexes
    (as ``pd.Series(index).diff().median()`` of the whole), or None for fewer than 2 readings.
    Holds one count per distinct spacing (a regular sampling has a handful)."""
    counts: Counter[int] = Counter()
    last: int | None = None
    for index in indexes:
        ns = pd.DatetimeIndex(index).as_unit("ns").asi8
        if not len(ns):
            continue
        gaps = np.diff(ns) if last is None else np.diff(np.r_[last, ns])
        values, n = np.unique(gaps, return_counts=True)
        counts.update(dict(zip(values.tolist(), n.tolist(), strict=True)))
        last = int(ns[-1])
    total = sum(counts.values())
    if total == 0:
        return None
    middle: list[int] = []
    seen = 0
    for gap in sorted(counts):
        lo, seen = seen, seen + counts[gap]
        for rank in {(total - 1) // 2, total // 2}:
            if lo <= rank < seen:
                middle.append(gap)
    # The pandas median of the middle one or two spacings: the same rounding as over all.
    step = pd.Series(pd.to_timedelta(middle, unit="ns")).median()
    return float(step.total_seconds())


# -- records (a file's rows) --------------------------------------------------------------------


def records_scorer(task: str, model: Any) -> PieceScorer:
    """A scorer of consecutive frames of a model's inputs (the rows of a file, in file order),
    as :meth:`ModelService.score_records` scores all of them at once."""
    if task == "anomaly":
        return _AnomalyRecords(model)
    if task in ("classify", "regress", "optimise"):
        return _RowsRecords(task, model)
    raise InvalidInput(
        f"A {task} model scores histories, not single records.",
        hint="Score stored data over a period instead.",
    )


class _RowsRecords(PieceScorer):
    def __init__(self, task: str, model: Any) -> None:
        self.task, self.model = task, model

    def feed(self, piece: pd.DataFrame) -> pd.DataFrame:
        from openkamp.ml.service import _predict

        return _predict(self.task, self.model, piece) if len(piece) else pd.DataFrame()


class _AnomalyRecords(PieceScorer):
    def __init__(self, model: Any) -> None:
        self.stream = model.stream()

    def feed(self, piece: pd.DataFrame) -> pd.DataFrame:
        return self.stream.feed(piece) if len(piece) else pd.DataFrame()

    def finish(self) -> pd.DataFrame:
        return self.stream.finish()


# -- what a scored period found -----------------------------------------------------------------


@dataclass
class ScoreSummary:
    """What the scores of a period or a file hold, counted piece by piece: rows, anomaly
    alarms, predicted defects (a classify prediction other than the good class), the first and
    last time, and how often each signal drove an alarm."""

    task: str
    rows: int = 0
    alarms: int = 0
    predicted_defects: int = 0
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    signals: Counter[str] = field(default_factory=Counter)

    def add(self, scores: pd.DataFrame, times: Any = None) -> None:
        """Count ``scores`` (the next rows); ``times``: their times when the index is not."""
        from openkamp.alerts.service import is_defect

        if not len(scores):
            return
        self.rows += len(scores)
        if "alarm" in scores:
            on = scores["alarm"].fillna(0).astype(bool)
            self.alarms += int(on.sum())
            if "top_signal" in scores:
                self.signals.update(str(s) for s in scores.loc[on, "top_signal"] if s)
        if self.task == "classify" and "prediction" in scores:
            self.predicted_defects += int(scores["prediction"].map(is_defect).sum())
        if times is None and isinstance(scores.index, pd.DatetimeIndex):
            times = scores.index
        if times is not None:
            stamps = pd.to_datetime(pd.Series(times), errors="coerce", utc=True).dropna()
            if len(stamps):
                lo, hi = stamps.min(), stamps.max()
                self.first = lo if self.first is None else min(self.first, lo)
                self.last = hi if self.last is None else max(self.last, hi)

    def top_signals(self, n: int = 3) -> list[str]:
        return [s for s, _ in self.signals.most_common(n)]

    def key(self) -> str | None:
        """What identifies the scored period for alerts (the same period scored again is not
        counted twice): first and last time and rows."""
        if self.first is None or self.last is None:
            return None
        return f"{self.first.isoformat()}/{self.last.isoformat()}/{self.rows}"

    def merge(self, later: ScoreSummary) -> None:
        """Add the counts of the rows scored after these (a later time partition): the sum is
        what one summary of all the rows would count, the signals' order of first appearance
        (which breaks ties among the top signals) included."""
        self.rows += later.rows
        self.alarms += later.alarms
        self.predicted_defects += later.predicted_defects
        if later.first is not None:
            self.first = later.first if self.first is None else min(self.first, later.first)
        if later.last is not None:
            self.last = later.last if self.last is None else max(self.last, later.last)
        self.signals.update(later.signals)

    def state(self) -> dict[str, Any]:
        """Every count as JSON values (:meth:`of_state` reads them back)."""
        return {
            "task": self.task,
            "rows": self.rows,
            "alarms": self.alarms,
            "predicted_defects": self.predicted_defects,
            "first": None if self.first is None else self.first.isoformat(),
            "last": None if self.last is None else self.last.isoformat(),
            "signals": [[s, n] for s, n in self.signals.items()],
        }

    @classmethod
    def of_state(cls, state: dict[str, Any]) -> ScoreSummary:
        out = cls(str(state["task"]), int(state["rows"]), int(state["alarms"]),
                  int(state["predicted_defects"]))  # fmt: skip
        out.first = None if state["first"] is None else pd.Timestamp(state["first"])
        out.last = None if state["last"] is None else pd.Timestamp(state["last"])
        out.signals = Counter({str(s): int(n) for s, n in state["signals"]})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "alarms": self.alarms,
            "predicted_defects": self.predicted_defects,
            "first": None if self.first is None else self.first.isoformat(),
            "last": None if self.last is None else self.last.isoformat(),
            "top_signals": self.top_signals(),
        }


class Head:
    """The first ``limit`` rows of consecutive pieces (all of them when ``limit`` is None)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.parts: list[pd.DataFrame] = []
        self.kept = 0

    def add(self, frame: pd.DataFrame) -> None:
        if self.limit is not None:
            frame = frame.iloc[: max(0, self.limit - self.kept)]
        if len(frame):
            self.parts.append(frame)
            self.kept += len(frame)

    def frame(self, empty: pd.DataFrame | None = None) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame() if empty is None else empty
        return self.parts[0] if len(self.parts) == 1 else pd.concat(self.parts)
