"""Scoring a long period in time partitions: each partition scored on its own, side by side (the
parts of a job, :mod:`openkamp.ml.score_jobs`; on a Dask cluster each on a worker), with the
scores of the whole period scored in one run.

A model that looks back (an anomaly model's gap filling, lag window, smoothing and alarm filter)
scores a row from readings before it, and its alarm filter from readings after it. So a
partition ``[lo, hi)`` reads a **look-back margin** before ``lo`` and, where the model needs
it, readings after ``hi`` until its last rows are final; it scores them with its rows and keeps
only its own rows. What each model needs (:func:`lookback`):

``classify`` / ``regress`` / ``optimise``
    Nothing: every row is scored on its own. (Optimise advice draws its random candidates per
    piece read, so a partition's advice is as good as, not the same draw as, one run's.)
``anomaly``
    Before ``lo``: the readings a gap may be filled from (10), then the lag window, the alarm
    filter's half before a row, and the readings after which the smoothing (an exponentially
    weighted mean) no longer depends on where it started: after ``n`` readings its start
    weighs ``(1 - 2 / (span + 1)) ** n``, below the last bit of a double for the ``n`` taken
    here (:func:`settle_readings`, with as many again for the rounding of two runs to meet).
    The margin is counted in *complete* readings (every signal present once gaps are filled),
    read backwards in growing steps until it holds them or reaches the period's start. After
    ``hi``: the alarm filter's half after a row; read until a scored row at or after ``hi``
    comes out, or to the period's end (where the filter's edge is the period's, as in one run).
``rul`` / ``forecast``
    Not partitioned: a unit's remaining life looks back to the unit's first reading, and a
    forecast is made from the newest steps of the whole period. One part scores the period.

Partitions are cut between the period's stored readings so that each holds about as many
points (:func:`plan`). The summaries of the partitions add up to the whole period's
(:meth:`~openkamp.ml.scoring.ScoreSummary.merge`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal
from openkamp.ml.fit_stored import _FILL_LIMIT, _utc
from openkamp.ml.registry import ModelVersion
from openkamp.ml.scoring import Head, ScoreSummary, median_step, table_scorer
from openkamp.ml.tables import PIECE_POINTS, Table, _nothing_stored, iter_table, read_table

__all__ = ["Lookback", "Partition", "Scored", "lookback", "plan", "score_partition"]

#: Bits after which two runs of the smoothing agree: 53 for the start's weight to fall below
#: the last bit of a double, and more for two roundings a bit apart to meet (once equal, equal).
_SETTLE_BITS = 128


def settle_readings(span: int) -> int:
    """Readings after which an exponentially weighted mean of ``span`` gives the same values
    wherever it started (0 for no smoothing)."""
    if span <= 1:
        return 0
    keep = 1.0 - 2.0 / (span + 1.0)  # the weight the previous value keeps
    return math.ceil(_SETTLE_BITS / -math.log2(keep))


@dataclass(frozen=True)
class Lookback:
    """What a partition reads besides its own rows: ``fill`` raw readings and then ``before``
    complete readings before its start, and readings after its end (``ahead``) until its last
    rows are final; ``whole``: the model cannot be partitioned (one part scores the period)."""

    before: int = 0
    fill: int = 0
    ahead: bool = False
    whole: bool = False


def lookback(task: str, model: Any) -> Lookback:
    """What scoring a partition with ``model`` reads besides the partition (module docstring)."""
    if task == "anomaly":
        params = model.params_
        lags, span = int(params["lags"]), int(params["smoothing"])
        size = max(1, int(model.alarm_filter))
        left, right = size // 2, size - 1 - size // 2
        return Lookback(lags + settle_readings(span) + left, _FILL_LIMIT, ahead=right > 0)
    if task in ("rul", "forecast"):
        return Lookback(whole=True)
    return Lookback()


@dataclass(frozen=True)
class Partition:
    """One time partition ``[lo, hi)`` of a scored period ``[start, end)`` (None: open), its
    place and stored points, and what its margins are read within: the time of the period's
    first stored reading (``first``) and just after its last (``last``), and the readings' mean
    spacing ``step_s``."""

    index: int
    lo: datetime | None
    hi: datetime | None
    points: int
    start: datetime | None
    end: datetime | None
    first: datetime
    last: datetime
    step_s: float

    def to_dict(self) -> dict[str, Any]:
        """As JSON values (a job's part)."""
        return {
            k: v.isoformat() if isinstance(v, datetime) else v for k, v in self.__dict__.items()
        }

    @classmethod
    def of(cls, values: dict[str, Any]) -> Partition:
        def at(key: str) -> datetime | None:
            value = values.get(key)
            return None if value is None else datetime.fromisoformat(str(value))

        first, last = at("first"), at("last")
        assert first is not None and last is not None
        return cls(int(values["index"]), at("lo"), at("hi"), int(values["points"]), at("start"),
                   at("end"), first, last, float(values["step_s"]))  # fmt: skip


def plan(
    kamp: Any,
    principal: Principal,
    name: str,
    *,
    partitions: int,
    version: int | None = None,
    equipment: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> tuple[ModelVersion, list[Partition]]:
    """The model version and at most ``partitions`` partitions of ``[start, end)``, cut between
    stored readings so that each holds about as many points (one for a model that cannot be
    partitioned, or a period of fewer readings). Raises like scoring the period when nothing is
    stored there."""
    start, end = _aware(start), _aware(end)
    mv, model, _spec, columns, signals, _labels = kamp.ml._scoring(
        principal, name, version, None, equipment, start, end
    )
    n = 1 if lookback(mv.task, model).whole else max(1, int(partitions))
    refs = [f"{columns.path}/{s}" for s in (signals if signals is not None else columns.signals)]
    windows = kamp.query.windows(principal, refs, start, end, PIECE_POINTS)
    total = sum(w[2] for w in windows)
    if not total:
        raise _nothing_stored(columns.path)
    if n > 1:  # finer windows, so that the cuts can balance the points
        windows = kamp.query.windows(principal, refs, start, end, max(1, -(-total // (8 * n))))
    first, last = windows[0][0], windows[-1][1]
    readings = max(1.0, total / max(1, len(refs)))
    step_s = max(1e-6, (last - first).total_seconds() / readings)
    cuts: list[int] = [0]  # the index of each partition's first window
    seen = 0
    for i, (_lo, _hi, count) in enumerate(windows):
        if i and seen >= total * len(cuts) / n and len(cuts) < n:
            cuts.append(i)
        seen += count
    bounds = [start, *(windows[i][0] for i in cuts[1:]), end]
    ends = [*cuts[1:], len(windows)]
    counts = [sum(w[2] for w in windows[a:b]) for a, b in zip(cuts, ends, strict=True)]
    parts = [
        Partition(k, bounds[k], bounds[k + 1], counts[k], start, end, first, last, step_s)
        for k in range(len(cuts))
    ]
    return mv, parts


def _aware(when: datetime | None) -> datetime | None:
    """A bound in UTC (naive times are UTC, as :func:`~openkamp.ml.fit_stored._utc` takes them)."""
    stamp = _utc(when)
    return None if stamp is None else stamp.to_pydatetime()


@dataclass
class Scored:
    """A scored partition: its first rows and what all its rows hold."""

    head: pd.DataFrame
    summary: ScoreSummary


def score_partition(
    kamp: Any,
    principal: Principal,
    name: str,
    version: int,
    equipment: str | None,
    part: Partition,
    *,
    limit: int | None,
    sink: Callable[[pd.DataFrame], None] | None = None,
    progress: Callable[[float], None] | None = None,
) -> Scored:
    """Score the rows of ``part`` as one run over its whole period scores them (the module
    docstring): the first ``limit`` rows come back, all of them go to ``sink`` in time order,
    ``progress`` is told the share of the partition done (and may raise to stop). No alert is
    raised: the job raises one for the whole period."""
    mv, model, spec, columns, signals, labels = kamp.ml._scoring(
        principal, name, version, None, equipment, part.start, part.end
    )
    back = lookback(mv.task, model)

    def read(lo: datetime | None, hi: datetime | None) -> Table | None:
        try:
            return read_table(
                kamp.query, kamp.assets, principal, spec.equipment, lo, hi, signals=signals,
                labels=labels, columns=columns,
            )  # fmt: skip
        except InvalidInput:  # nothing stored there
            return None

    def pieces(lo: datetime | None, hi: datetime | None, labels: list[str] = labels) -> Iterator[Table]:  # fmt: skip
        return iter_table(
            kamp.query, kamp.assets, principal, spec.equipment, lo, hi, signals=signals,
            labels=labels, columns=columns,
        )  # fmt: skip

    step_s = None
    if mv.task == "rul" and spec.usage:  # a whole period (rul is not partitioned)
        step_s = median_step(p.frame.index for p in pieces(part.lo, part.hi, []))
    scorer = table_scorer(mv.task, model, spec, step_s=step_s, least=0)
    head, summary = Head(limit), ScoreSummary(mv.task)
    lo, hi = _utc(part.lo), _utc(part.hi)
    state = {"past_end": False}

    def take(scores: pd.DataFrame) -> None:
        if not len(scores):
            return
        times = scores.index
        if hi is not None and times.max() >= hi:
            state["past_end"] = True
        keep = pd.Series(True, index=times)
        if lo is not None:
            keep &= times >= lo
        if hi is not None:
            keep &= times < hi
        mine = scores if keep.all() else scores.loc[keep.to_numpy()]
        if len(mine):
            summary.add(mine)
            head.add(mine)
            if sink is not None:
                sink(mine)

    if back.before and part.lo is not None and part.lo > part.first:
        margin = _margin(read, part, back, _signals_of(spec, signals, columns))
        if margin is not None:
            take(scorer.feed(margin))
    begin = pd.Timestamp(part.lo or part.first)
    span = (pd.Timestamp(part.hi or part.last) - begin).total_seconds() or 1.0
    for piece in pieces(part.lo, part.hi):
        take(scorer.feed(piece))
        if progress is not None and piece.end is not None:
            done = (pd.Timestamp(piece.end) - begin).total_seconds() / span
            progress(min(1.0, max(0.0, done)))
    if back.ahead and part.hi is not None:
        for piece in _ahead(read, part):
            take(scorer.feed(piece))
            if state["past_end"]:
                break
    if not state["past_end"]:  # the period's end: the rows still waiting, at its edge
        take(scorer.finish())
    return Scored(head.frame(), summary)


def _signals_of(spec: Any, signals: list[str] | None, columns: Any) -> list[str]:
    names = signals if signals is not None else columns.signals
    return [s for s in names if s != spec.target]


def _margin(
    read: Callable[[datetime | None, datetime | None], Table | None],
    part: Partition,
    back: Lookback,
    signals: list[str],
) -> Table | None:
    """The readings before ``part`` its rows look back on: read backwards in growing steps until
    they hold ``back.fill`` readings and then ``back.before`` complete ones, or reach the
    period's first reading."""
    assert part.lo is not None
    reach = timedelta(seconds=part.step_s * (back.before + back.fill + 1) * 2)
    while True:
        lo = max(part.lo - reach, part.first)  # (``first``: the period's first reading)
        bounded = lo <= part.first
        table = read(lo, part.lo)
        if bounded:
            return table
        if table is not None and _complete(table.frame[signals]) >= back.before:
            return table
        reach *= 4


def _complete(X: pd.DataFrame) -> int:
    """Complete readings of ``X`` once gaps are carried forward (as an anomaly model's scorer
    fills them), not counting the first readings, whose gaps a reading before ``X`` may fill."""
    filled = X.apply(pd.to_numeric, errors="coerce").ffill(limit=_FILL_LIMIT)
    return int(filled.iloc[_FILL_LIMIT:].notna().all(axis=1).sum())


def _ahead(
    read: Callable[[datetime | None, datetime | None], Table | None], part: Partition
) -> Iterator[Table]:
    """The readings after ``part``, in growing steps, to the period's last reading."""
    assert part.hi is not None
    lo, reach = part.hi, timedelta(seconds=part.step_s * 64)
    while lo < part.last:  # (``last`` is just after the period's last reading)
        hi = min(part.last, lo + reach)
        table = read(lo, hi)
        if table is not None:
            yield table
        lo, reach = hi, reach * 4
