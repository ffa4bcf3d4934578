"""Online scoring: production models score live points as they arrive.

A model scores a machine's stored data as a *table*: one row per timestamp (the union of the
timestamps of the signals it reads), one column per signal (:func:`openkamp.ml.tables.read_table`).
Live points arrive as point tables (``signal_id``, ``ts``, ``value``) in batches of any size, each
signal in its own rhythm. :class:`OnlineModel` turns them into the very rows of that table and
feeds them to the same piece scorers that score a stored period piece by piece
(:mod:`openkamp.ml.scoring`: an anomaly model's gap filling, lag window, smoothing and alarm
filter; a remaining-life model's per-unit window features), so the live scores are those of
:meth:`ModelService.score_period` over the same period (``tests/alerts/test_online.py``).

When is a row final? A row of time ``t`` is complete once every signal the model reads has sent
a point at ``t`` or later (points of one signal arrive in time order, as every connector sends
them). A signal that has gone silent would hold every row back, so a row is also taken once the
newest point of the machine is ``hold_s`` newer than it (its missing values stay missing, as in
a stored table whose signal has a gap). A point older than the last row already scored (a late
or repeated point) is stored by the store in place but not scored again (``late`` counts them).

:class:`OnlineScoring` keeps one :class:`OnlineModel` per production model of kind ``anomaly``,
``classify``, ``regress`` or ``rul`` trained on a machine's stored data, per organisation, and
hands each batch's scores to whoever listens (the alert rules).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from openkamp.core.tenancy import Principal, system_principal
from openkamp.ml.scoring import PieceScorer, median_step, table_scorer
from openkamp.ml.tables import EquipmentColumns, Table, equipment_columns

log = logging.getLogger(__name__)

__all__ = ["ONLINE_TASKS", "OnlineModel", "OnlineScores", "OnlineScoring"]

#: The kinds of models that score live data (a forecast looks ahead, an optimise model advises).
ONLINE_TASKS = ("anomaly", "classify", "regress", "rul")
#: Seconds a row waits for a silent signal before it is scored without it.
HOLD_S = 30.0


@dataclass
class OnlineScores:
    """The final scores of one batch for one model on one machine."""

    model_id: int
    model_name: str
    model_version: int
    task: str
    equipment_id: int
    frame: pd.DataFrame
    #: Per row, the signal that contributed most (anomaly models: for every row, not only
    #: alarming ones), else the model's most important inputs.
    drivers: list[str] = field(default_factory=list)


class _ExplainingAnomaly(PieceScorer):
    """An anomaly model's table scorer whose rows also carry the signal that contributed most to
    every score (``driver``), not only to the alarming ones (``top_signal``)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        stream = inner.stream
        emit = stream._emit

        def explained(final: bool) -> pd.DataFrame:
            pending = pd.concat(stream._pending) if stream._pending else None
            out: pd.DataFrame = emit(final)
            if pending is not None and len(out):
                out["driver"] = pending["top_signal"].to_numpy()[: len(out)]
            elif "driver" not in out:
                out["driver"] = pd.Series([], dtype=object)
            return out

        stream._emit = explained

    def feed(self, piece: Any) -> pd.DataFrame:
        out: pd.DataFrame = self.inner.feed(piece)
        return out

    def finish(self) -> pd.DataFrame:
        out: pd.DataFrame = self.inner.stream.finish()
        return out


class OnlineModel:
    """One model scoring one machine's live points (see the module's docstring).

    ``signal_ids`` maps the ids of the signals the model's table reads to their names, in the
    table's column order; ``labels`` reads label columns for a period (remaining-life models
    read their unit column that way); ``step_s`` is a remaining-life model's sampling step for
    minutes in use (None: the median spacing of the first rows scored, then kept)."""

    def __init__(
        self,
        version: Any,
        model: Any,
        spec: Any,
        columns: EquipmentColumns,
        signal_ids: dict[int, str],
        *,
        equipment_id: int,
        labels: Callable[[list[str], pd.Timestamp, pd.Timestamp], pd.DataFrame] | None = None,
        step_s: float | None = None,
        hold_s: float = HOLD_S,
    ) -> None:
        self.version, self.model, self.spec = version, model, spec
        self.task: str = version.task
        self.columns = columns
        self.equipment_id = equipment_id
        self.signal_ids = dict(signal_ids)
        self.signals = list(signal_ids.values())
        self.ids = np.array(list(signal_ids), dtype=np.int64)
        self.label_names = [c for c in (spec.unit, spec.usage) if c and c in columns.labels]
        self.labels = labels
        self.step_s = step_s
        self.hold = pd.Timedelta(seconds=hold_s)
        self.late = 0
        self.scorer: PieceScorer | None = None
        if self.task != "rul" or not spec.usage or step_s is not None:
            self.scorer = self._scorer(step_s)
        self._pending = pd.DataFrame(
            {
                "signal": pd.Series([], dtype=np.int64),
                "ts": pd.Series([], dtype="datetime64[us, UTC]"),
                "value": pd.Series([], dtype=np.float64),
            }
        )
        self._latest: dict[int, pd.Timestamp] = {}
        self._done: pd.Timestamp | None = None  # the newest row scored
        importance = getattr(model, "feature_importances_", None)
        self.important: list[str] = (
            [str(s) for s in importance.index[:3]] if isinstance(importance, pd.Series) else []
        )

    def _scorer(self, step_s: float | None) -> PieceScorer:
        inner = table_scorer(self.task, self.model, self.spec, step_s=step_s)
        return _ExplainingAnomaly(inner) if self.task == "anomaly" else inner

    # -- points in, scores out ----------------------------------------------------------------

    def add(self, points: pa.Table | pd.DataFrame) -> pd.DataFrame:
        """Take the next points (any of the organisation's; those of other signals are left
        alone) and return the scores of every row that became final."""
        frame = self._mine(points)
        if len(frame):
            if self._done is not None:
                late = (frame["ts"] <= self._done).to_numpy()
                if late.any():
                    self.late += int(late.sum())
                    frame = frame.loc[~late]
            if len(frame):
                newest = frame.groupby("signal")["ts"].max()
                for sid, ts in newest.items():
                    key = int(sid)
                    old = self._latest.get(key)
                    self._latest[key] = ts if old is None or ts > old else old
                self._pending = pd.concat([self._pending, frame], ignore_index=True)
        return self._score(self._cutoff())

    def flush(self) -> pd.DataFrame:
        """Score every row still waiting and close the model's look-ahead (the alarm filter's
        edge, as at the end of a stored period): the end of a stream."""
        out = self._score(None, final=True)
        if self.scorer is None:
            return out
        rest = self.scorer.finish() if self.task == "anomaly" else pd.DataFrame()
        parts = [p for p in (out, rest) if len(p)]
        return pd.concat(parts) if parts else out

    def _mine(self, points: pa.Table | pd.DataFrame) -> pd.DataFrame:
        if isinstance(points, pa.Table | pa.RecordBatch):
            table = pa.table(points) if isinstance(points, pa.RecordBatch) else points
            table = table.filter(pc.is_in(table["signal_id"], value_set=pa.array(self.ids)))
            frame = table.select(["signal_id", "ts", "value"]).to_pandas()
        else:
            frame = points.loc[points["signal_id"].isin(self.ids), ["signal_id", "ts", "value"]]
        frame = frame.rename(columns={"signal_id": "signal"})
        if frame["ts"].dtype != "datetime64[us, UTC]":
            frame["ts"] = pd.to_datetime(frame["ts"], utc=True).astype("datetime64[us, UTC]")
        return frame.reset_index(drop=True)

    def _cutoff(self) -> pd.Timestamp | None:
        """The newest time whose row is final (None: none is)."""
        if not self._latest:
            return None
        newest = max(self._latest.values())
        held = newest - self.hold
        if len(self._latest) < len(self.ids):
            return held
        return max(min(self._latest.values()), held)

    def _score(self, cutoff: pd.Timestamp | None, final: bool = False) -> pd.DataFrame:
        pending = self._pending
        if not len(pending) or (cutoff is None and not final):
            return pd.DataFrame()
        take = np.ones(len(pending), dtype=bool) if final else (pending["ts"] <= cutoff).to_numpy()
        if not take.any():
            return pd.DataFrame()
        now, self._pending = pending.loc[take], pending.loc[~take].reset_index(drop=True)
        table = self._table(now)
        self._done = table.frame.index[-1]
        if self.scorer is None:  # remaining life in use: its step from the first rows
            self.step_s = median_step([table.frame.index]) or 60.0
            self.scorer = self._scorer(self.step_s)
        out: pd.DataFrame = self.scorer.feed(table)
        return out

    def _table(self, points: pd.DataFrame) -> Table:
        """The rows of ``points`` as :func:`read_table` builds them from stored points."""
        names = points["signal"].map(self.signal_ids)
        long = pd.DataFrame({"ts": points["ts"].to_numpy(), "signal": names.to_numpy(),
                             "value": points["value"].to_numpy()})  # fmt: skip
        # The store keeps one value per signal and time: the last written.
        long = long.drop_duplicates(["ts", "signal"], keep="last")
        frame = long.pivot(index="ts", columns="signal", values="value")
        frame = frame.reindex(columns=self.signals)
        if self.label_names and self.labels is not None:
            found = self.labels(self.label_names, frame.index[0], frame.index[-1])
            if len(found):
                frame = frame.join(found.reindex(columns=self.label_names), how="left")
            else:
                for name in self.label_names:
                    frame[name] = pd.Series(np.nan, index=frame.index, dtype=object)
        frame.index.name = "timestamp"
        frame = frame.sort_index()
        frame.columns.name = None
        for name in self.signals:
            if frame[name].dtype != np.float64:
                frame[name] = frame[name].astype(np.float64)
        for name in self.label_names:
            if frame[name].dtype != "str":
                frame[name] = frame[name].astype("str")
        return Table(frame, self.columns.path, None, None, list(self.signals),
                     list(self.label_names))  # fmt: skip

    def drivers(self, scores: pd.DataFrame) -> list[str]:
        """Per row of ``scores``, the signal behind it: an anomaly score's largest contribution,
        else the model's most important input."""
        if "driver" in scores:
            return [str(s) for s in scores["driver"]]
        first = self.important[0] if self.important else ""
        return [first] * len(scores)


class OnlineScoring:
    """The production models of every organisation scoring live points (``Platform`` wires it
    to the live path through the alert engine).

    The models of an organisation are loaded on its first batch and again after
    :meth:`reload` (a model promoted or retired, signals added); each keeps its state between
    batches. Not thread-safe by design: one worker feeds it (:class:`~openkamp.alerts.rules.
    AlertEngine`'s)."""

    def __init__(self, ml: Any, *, hold_s: float = HOLD_S, check_s: float = 30.0) -> None:
        self.ml = ml  # ModelService
        self.hold_s = hold_s
        self.check_s = check_s
        self._models: dict[int, list[OnlineModel]] = {}
        self._checked: dict[int, tuple[float, frozenset[int]]] = {}
        self._lock = threading.Lock()
        self.errors = 0

    def reload(self, org_id: int | None = None) -> None:
        """Load the production models again on the next batch (of one organisation or all);
        what the old ones held is dropped."""
        with self._lock:
            if org_id is None:
                self._models.clear()
            else:
                self._models.pop(org_id, None)

    def models(self, org_id: int) -> list[OnlineModel]:
        """The organisation's online models; loaded again when its production versions changed
        (looked at every ``check_s`` seconds; unchanged models keep their state)."""
        now = time.monotonic()
        with self._lock:
            found = self._models.get(org_id)
            checked, ids = self._checked.get(org_id, (0.0, frozenset()))
        if found is not None and now - checked >= self.check_s:
            if self._production(org_id) != ids:
                found = None
            else:
                with self._lock:
                    self._checked[org_id] = (now, ids)
        if found is None:
            ids = self._production(org_id)
            found = self._load(system_principal(org_id))
            with self._lock:
                self._models[org_id] = found
                self._checked[org_id] = (now, ids)
        return found

    def _production(self, org_id: int) -> frozenset[int]:
        return frozenset(
            mv.id for mv in self.ml.registry.list(system_principal(org_id))
            if mv.stage == "production" and mv.task in ONLINE_TASKS
        )  # fmt: skip

    def _load(self, principal: Principal) -> list[OnlineModel]:
        from openkamp.ml.service import _spec_from

        out: list[OnlineModel] = []
        registry, assets, query = self.ml.registry, self.ml.assets, self.ml.query
        for mv in registry.list(principal):
            if mv.stage != "production" or mv.task not in ONLINE_TASKS:
                continue
            try:
                spec = _spec_from(mv)
                if not spec.equipment:
                    continue
                columns, signals, _ = self.ml._columns(principal, spec)
                node = equipment_columns(assets, principal, spec.equipment)
                names = signals if signals is not None else node.signals
                eq = assets.resolve(principal, spec.equipment)
                by_name = {s.name: s.id for s in assets.list_signals(principal, eq.id)}
                model = registry.load(principal, mv.name, mv.version)
                ids = {int(by_name[n]): n for n in names if n in by_name}

                def labels(
                    want: list[str],
                    lo: pd.Timestamp,
                    hi: pd.Timestamp,
                    columns: EquipmentColumns = columns,
                ) -> pd.DataFrame:
                    lab = query.labels(
                        principal,
                        [columns.labels[c] for c in want],
                        lo.to_pydatetime(),
                        (hi + pd.Timedelta(microseconds=1)).to_pydatetime(),
                    )
                    if not lab.num_rows:
                        return pd.DataFrame()
                    df = lab.to_pandas()
                    df["label"] = df["column_id"].map({columns.labels[c]: c for c in want})
                    return df.pivot(index="ts", columns="label", values="value")

                out.append(
                    OnlineModel(
                        mv, model, spec, columns, ids, equipment_id=int(eq.id), labels=labels,
                        hold_s=self.hold_s,
                    )
                )  # fmt: skip
            except Exception:  # one broken model must not stop the others scoring
                self.errors += 1
                log.exception("model %s v%s cannot score live data", mv.name, mv.version)
        return out

    def score(self, org_id: int, points: pa.Table) -> list[OnlineScores]:
        """Feed a batch of an organisation's points to its models; the final scores of each."""
        out: list[OnlineScores] = []
        for om in self.models(org_id):
            try:
                frame = om.add(points)
            except Exception:
                self.errors += 1
                log.exception("live scoring with %s failed", om.version.name)
                continue
            if len(frame):
                out.append(
                    OnlineScores(
                        model_id=int(om.version.id), model_name=om.version.name,
                        model_version=int(om.version.version), task=om.task,
                        equipment_id=om.equipment_id, frame=frame, drivers=om.drivers(frame),
                    )
                )  # fmt: skip
        return out
