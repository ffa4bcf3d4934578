"""The model service: train a standard model on stored data, register it, report on it, score.

This is what the CLI, the API and the UI call; it wires the task templates (pure estimators that
know nothing of storage) to the stores, and keeps every step scoped to the acting principal::

    spec = TrainSpec(task="classify", name="inj01_defect", equipment="plant1/line1/inj01",
                     target="pass_fail", groups="lot_id", start=..., end=...)
    result = kamp.ml.train(me, spec)            # fit, evaluate, register (stage "candidate")
    kamp.models.set_stage(me, "inj01_defect", result.version.version, "production")
    scores = kamp.ml.score(me, "inj01_defect", start=..., end=...)   # batch, over stored data
    kamp.ml.score_records(me, "inj01_defect", [{"cushion": 4.8, ...}])  # single records
    html = kamp.ml.report(me, "inj01_defect", lang="ko")

How each task reads a table (see :mod:`openkamp.ml.tables`):

* ``anomaly``: the signals, in time order; gaps are carried forward within 10 readings, rows
  still incomplete are left out. A label ``target`` marks known anomalies (values other than
  ``normal``, by default the most frequent value), used only to choose between candidates.
* ``classify`` / ``regress``: one row per timestamp with a target value (a label column, or a
  signal for ``regress``); time-ordered or grouped folds (``groups`` names a label column such
  as a lot or batch id).
* ``rul``: ``unit`` names the label column of the unit (tool id, …); time is minutes since the
  unit's first reading, or minutes *in use* when ``usage`` names a signal that is positive while
  the unit works (a feed rate, a spindle speed); a unit's life ends at its last reading. The unit still running at the
  end of the period has not failed yet: it is left out of training (censored) and is what
  scoring is for.
* ``forecast``: the ``target`` signal, resampled to ``freq`` with ``agg`` (``mean`` for a
  signal; ``count`` of readings for events such as shots: parts per hour); forecasts start at the
  end of the period read.
* ``optimise``: like ``classify`` / ``regress``, with the ``controls`` an operator can set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openkamp.assets.service import AssetService
from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.datasets import DatasetService
from openkamp.ml.card import ModelCard, card_of
from openkamp.ml.fit_stored import _complete, _fit, _rul_frame, _utc
from openkamp.ml.registry import TASKS, ModelRegistry, ModelVersion
from openkamp.ml.tables import (
    PIECE_POINTS,
    EquipmentColumns,
    Table,
    equipment_columns,
    equipment_node,
    iter_table,
    read_table,
)
from openkamp.ml.templates.anomaly import alarm_mask
from openkamp.query import QueryService

if TYPE_CHECKING:
    from openkamp.ml.scoring import ScoreSummary

__all__ = ["ModelService", "ScoredPeriod", "TrainResult", "TrainSpec"]

#: Tasks that the service can train from stored data (vision needs images, not signals).
TRAINABLE = ("anomaly", "classify", "regress", "rul", "forecast", "optimise")


@dataclass
class TrainSpec:
    """What to train: the task, the data (equipment, period, columns) and a few choices."""

    task: str
    name: str
    equipment: str = ""
    target: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    features: list[str] | None = None
    groups: str | None = None
    unit: str | None = None
    usage: str | None = None
    normal: list[str] | None = None
    horizon: int = 24
    freq: str | None = None
    agg: str | None = None
    controls: list[str] | None = None
    bounds: dict[str, tuple[float, float]] | None = None
    goal: str = "min"
    time_budget_s: float = 60.0
    random_state: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    dataset: str | None = None
    """A dataset (``"name"`` or ``"name@3"``) to learn from instead of ``equipment``."""
    independent: bool = False
    """The rows are independent parts: shuffled (or group) folds even when there is a time."""

    def check(self) -> None:
        """Everything that can be checked before any data is read or any model fitted (a bad
        model name used to be refused only after the whole training ran)."""
        from openkamp.core.assets import check_name

        check_name(self.name, "model name")
        if self.task not in TRAINABLE:
            raise InvalidInput(
                f"Unknown task {self.task!r}.", hint=f"Use one of: {', '.join(TRAINABLE)}."
            )
        if bool(self.equipment) == bool(self.dataset):
            raise InvalidInput(
                "Name either a piece of equipment or a dataset to learn from.",
                code="ml.data_source",
            )
        needs_target = self.task in ("classify", "regress", "forecast", "optimise")
        if needs_target and not self.target:
            raise InvalidInput(f"A {self.task} model needs a target column.")
        if self.task == "rul" and not self.unit:
            raise InvalidInput(
                "A remaining-life model needs the unit column (e.g. the tool id).",
                hint="Pass unit= the label column that names each unit.",
            )
        if self.task == "optimise" and not self.controls:
            raise InvalidInput("An optimise model needs the controls an operator can set.")
        if self.goal not in ("min", "max"):
            raise InvalidInput(f"goal must be 'min' or 'max', not {self.goal!r}.")
        if self.time_budget_s <= 0:
            raise InvalidInput("time_budget_s must be positive.")


@dataclass
class TrainResult:
    """A trained and registered model."""

    version: ModelVersion
    model: Any
    card: ModelCard
    table: Table
    quality: dict[str, Any] | None
    seconds: float


@dataclass
class ScoredPeriod:
    """A scored period: the model version, the first rows scored and what all of them hold."""

    version: ModelVersion
    head: pd.DataFrame
    summary: ScoreSummary


#: Called with (principal, model version, what the scores hold, equipment path or None) after
#: scoring a period.
OnScored = Callable[[Principal, ModelVersion, "ScoreSummary", "str | None"], None]


class ModelService:
    """Train, register, report on and score standard models on an organisation's stored data."""

    def __init__(
        self,
        query: QueryService,
        assets: AssetService,
        registry: ModelRegistry,
        datasets: DatasetService | None = None,
    ) -> None:
        self.query = query
        self.assets = assets
        self.registry = registry
        self.datasets = datasets
        # Told of every scored period (principal, model version, scores, equipment path or
        # None): the platform turns what it found into alerts for the overview.
        self.on_scored: OnScored | None = None

    # -- training -----------------------------------------------------------------------------

    def train(
        self,
        principal: Principal,
        spec: TrainSpec,
        progress: Callable[[str], None] | None = None,
        *,
        fence: str | None = None,
    ) -> TrainResult:
        """Read the data, fit the task's template, and register the model as a candidate
        (``fence``: the key of the work that trains it, :meth:`ModelRegistry.register`)."""
        require(principal, Role.ENGINEER)
        spec.check()
        say = progress or (lambda _msg: None)
        started = time.perf_counter()
        say("read")
        table: Any
        if spec.dataset:
            version, frame = self._dataset(principal, spec.dataset)
            quality = None
        else:
            table = self._table(principal, spec)
            quality = _quality(table)
        say("fit")
        try:
            if spec.dataset:
                from openkamp.ml.on_datasets import fit_on_dataset

                model, X, table = fit_on_dataset(spec, version, frame)
            else:
                model, X = _fit(spec, table)
        except InvalidInput:  # already in words, with a catalogue code (ml.errors.TrainingRefused)
            raise
        except ValueError as exc:  # the templates' own checks: too little data, bad options
            raise InvalidInput(
                f"Cannot train this model: {exc}", code="ml.cannot_train", params={"reason": exc}
            ) from exc
        card = card_of(model)
        say("register")
        training = {
            "spec": _spec_record(spec),
            "data": table.describe(),
            "quality": quality,
            "inputs": [str(c) for c in X.columns],
        }
        version = self.registry.register(
            principal,
            model,
            name=spec.name,
            task=spec.task,
            metrics=card.headline(),
            params=_plain(card.method),
            dataset_id=table.dataset_id,
            schema_hash=table.schema_hash,
            feature_names=card.features or [str(c) for c in X.columns],
            target=spec.target,
            description=spec.description,
            training=training,
            fence=fence,
        )
        return TrainResult(
            version, model, card, table, quality, round(time.perf_counter() - started, 3)
        )

    def _dataset(self, principal: Principal, ref: str) -> tuple[Any, pd.DataFrame]:
        if self.datasets is None:
            raise InvalidInput("Datasets are not available here.", code="ml.no_datasets")
        version = self.datasets.get(principal, ref)
        return version, self.datasets.read(principal, version.ref)

    def score_dataset(
        self,
        principal: Principal,
        name: str,
        dataset: str,
        *,
        version: int | None = None,
        stage: str | None = None,
    ) -> pd.DataFrame:
        """Score every row of a dataset with a registered model; the dataset's id columns (and
        time) pass through, so the results join back to the rows."""
        require(principal, Role.VIEWER)
        dv, frame = self._dataset(principal, dataset)
        keep = [c for c in (dv.time_column, *dv.id_columns) if c and c in frame.columns]
        scored = self.score_records(
            principal, name, frame.to_dict("records"), version=version, stage=stage
        )
        scored.index = frame.index
        return pd.concat([frame[keep], scored], axis=1)

    def _table(self, principal: Principal, spec: TrainSpec) -> Table:
        columns, signals, labels = self._columns(principal, spec)
        return read_table(
            self.query, self.assets, principal, spec.equipment, spec.start, spec.end,
            signals=signals, labels=labels, columns=columns,
        )  # fmt: skip

    def _columns(
        self, principal: Principal, spec: TrainSpec
    ) -> tuple[EquipmentColumns, list[str] | None, list[str]]:
        """The equipment's columns and the signals (None: all) and label columns a table of
        ``spec`` reads, each checked to exist."""
        eq = spec.equipment
        columns = equipment_columns(self.assets, principal, eq)
        signal_names, label_names = columns.signals, list(columns.labels)
        wanted_labels = [c for c in (spec.target, spec.groups, spec.unit) if c and c in label_names]
        if spec.target and spec.target not in signal_names and spec.target not in label_names:
            raise InvalidInput(
                f"{eq!r} has no signal or label column {spec.target!r}.",
                hint=f"Signals: {', '.join(signal_names)}; labels: {', '.join(label_names) or '(none)'}.",
            )
        signals = spec.features
        if signals is not None:
            unknown = [f for f in signals if f not in signal_names]
            if unknown:
                raise InvalidInput(
                    f"{eq!r} has no signals {unknown}.", hint=f"Signals: {', '.join(signal_names)}."
                )
            signals = list(
                dict.fromkeys([*signals, *([spec.target] if spec.target in signal_names else [])])
            )
        return columns, signals, wanted_labels

    # -- reading back ---------------------------------------------------------------------------

    def card(
        self, principal: Principal, name: str, version: int | None = None, stage: str | None = None
    ) -> tuple[ModelVersion, ModelCard]:
        """A version's card, with a warning when another production model covers the same
        machine (or dataset) and problem: two models would then raise alarms for one question."""
        mv = self.registry.get(principal, name, version, stage)
        card = card_of(self.registry.load(principal, name, mv.version))
        others = self.production_overlap(principal, mv)
        if others:
            card.warnings.append(
                {"key": "ml.warn.two_production", "params": {"others": ", ".join(others)}}
            )
        return mv, card

    def production_overlap(self, principal: Principal, mv: ModelVersion) -> list[str]:
        """Other production models (``name vN``) for the same data source, task and target."""

        def key(v: ModelVersion) -> tuple[Any, ...]:
            data = (v.provenance.get("training") or {}).get("data") or {}
            source = data.get("dataset") or data.get("equipment")
            return (source, v.task, v.provenance.get("target"))

        if mv.stage != "production" or key(mv)[0] is None:
            return []
        mine = key(mv)
        return [
            f"{v.name} v{v.version}"
            for v in self.registry.list(principal)
            if v.stage == "production" and v.name != mv.name and key(v) == mine
        ]

    def set_threshold(
        self, principal: Principal, name: str, version: int, threshold: float
    ) -> ModelVersion:
        """Store the decision threshold a person chose on the trade-off of missed defects
        against false alarms (:mod:`openkamp.ml.tradeoff`); every way of scoring then uses it."""
        return self.registry.set_threshold(principal, name, version, threshold)

    def report(
        self,
        principal: Principal,
        name: str,
        version: int | None = None,
        stage: str | None = None,
        lang: str = "ko",
        tz: str = "Asia/Seoul",
    ) -> str:
        """The analysis report of a registered model: one self-contained HTML page, in ``lang``,
        with times in ``tz`` and columns by their display names."""
        from openkamp.ml.report import render_report

        mv, card = self.card(principal, name, version, stage)
        training = mv.provenance.get("training") or {}
        if card.target is None:
            # The templates do not know the column's name; the registry's provenance does.
            card.target = mv.provenance.get("target") or (training.get("spec") or {}).get("target")
        return render_report(
            card,
            lang=lang,
            model_name=mv.name,
            version=mv.version,
            dataset=training.get("data"),
            quality=training.get("quality"),
            provenance=mv.provenance,
            display=self.display_names(principal, mv, lang),
            tz=tz,
        )

    def display_names(
        self, principal: Principal, mv: ModelVersion, lang: str = "ko"
    ) -> dict[str, str]:
        """Column name → the name people use (보압 rather than hold_pressure), from the asset
        model's signal and label display names or the dataset's column display names."""
        data = (mv.provenance.get("training") or {}).get("data") or {}
        out: dict[str, str] = {}
        try:
            if data.get("dataset") and self.datasets is not None:
                dv = self.datasets.get(principal, str(data["dataset"]))
                out = {c.name: c.label(lang) for c in dv.columns}
            elif data.get("equipment"):
                node = equipment_node(self.assets, principal, str(data["equipment"]))
                items: list[Any] = [
                    *self.assets.list_signals(principal, node.id),
                    *self.assets.list_label_columns(principal, node.id),
                ]
                for item in items:
                    shown = getattr(item, f"name_{lang}", "") or getattr(item, "name_ko", "")
                    if shown:
                        out[item.name] = shown
        except (InvalidInput, NotFound):
            return {}  # the machine or dataset was removed since: show the stored names
        return out

    # -- scoring --------------------------------------------------------------------------------

    def score(
        self,
        principal: Principal,
        name: str,
        *,
        version: int | None = None,
        stage: str | None = None,
        equipment: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        """Score stored data of ``[start, end)`` with a registered model (batch scoring), and
        return every scored row.

        By default the production version, else the latest; the model's own equipment unless
        another one (of the same kind, with the same signals) is named. One row per timestamp
        (per unit for ``rul``, per future step for ``forecast``). The data is read piece by
        piece, but the answer holds every row: for a period of any length use
        :meth:`score_period` (the first rows and a summary, the rest to a ``sink``).
        """
        return self.score_period(
            principal, name, version=version, stage=stage, equipment=equipment, start=start,
            end=end, limit=None,
        ).head  # fmt: skip

    def score_period(
        self,
        principal: Principal,
        name: str,
        *,
        version: int | None = None,
        stage: str | None = None,
        equipment: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = 10_000,
        sink: Callable[[pd.DataFrame], None] | None = None,
        progress: Callable[[float], None] | None = None,
        piece_points: int | None = None,
    ) -> ScoredPeriod:
        """Score stored data of ``[start, end)`` in memory bounded by ``piece_points`` (points
        of one piece, read at a time; default :data:`openkamp.ml.tables.PIECE_POINTS`) and what
        the model looks back on, whatever the period's length (:mod:`openkamp.ml.scoring`).

        Returns the first ``limit`` scored rows (all with None) and a summary of all of them
        (rows, alarms, predicted defects, first and last time); every scored piece also goes to
        ``sink`` in order (to keep all rows elsewhere, e.g. a file). ``progress`` is told the
        share of the period done after each piece (and may raise to stop). The scores are those
        of the whole table scored at once; what the period found is raised as alerts.
        """
        from openkamp.ml.scoring import Head, ScoreSummary, median_step, table_scorer

        require(principal, Role.VIEWER)
        mv, model, spec, columns, signals, labels = self._scoring(
            principal, name, version, stage, equipment, start, end
        )
        points = piece_points or PIECE_POINTS

        def pieces(labels: list[str] = labels) -> Iterator[Table]:
            return iter_table(
                self.query, self.assets, principal, spec.equipment, start, end,
                signals=signals, labels=labels, columns=columns, piece_points=points,
            )  # fmt: skip

        step_s = None
        if mv.task == "rul" and spec.usage:  # the sampling step of the whole period, first
            step_s = median_step(p.frame.index for p in pieces([]))
        scorer = table_scorer(mv.task, model, spec, step_s=step_s)
        head, summary = Head(limit), ScoreSummary(mv.task)
        span = self._span(principal, columns.path, signals, start, end) if progress else None

        def take(scores: pd.DataFrame) -> None:
            if len(scores):
                summary.add(scores)
                head.add(scores)
                if sink is not None:
                    sink(scores)

        for piece in pieces():
            take(scorer.feed(piece))
            if progress is not None and span is not None:
                done = (_utc(piece.end) - span[0]) / (span[1] - span[0]) if piece.end else 1.0
                progress(min(1.0, max(0.0, float(done))))
        take(scorer.finish())
        if self.on_scored is not None:
            self.on_scored(principal, mv, summary, equipment)
        return ScoredPeriod(mv, head.frame(), summary)

    def _scoring(
        self,
        principal: Principal,
        name: str,
        version: int | None,
        stage: str | None,
        equipment: str | None,
        start: datetime | None,
        end: datetime | None,
    ) -> tuple[ModelVersion, Any, TrainSpec, EquipmentColumns, list[str] | None, list[str]]:
        """What scoring ``[start, end)`` reads: the model version and object, its spec for the
        period, and the equipment's columns, signals (None: all) and label columns read."""
        mv, model = self._load(principal, name, version, stage)
        spec = _spec_from(mv)
        if equipment:
            spec.equipment = equipment
        spec.start, spec.end = start, end
        if mv.task == "forecast":  # only the target's newest steps are read
            spec.features, spec.groups, spec.unit = [], None, None
        columns, signals, labels = self._columns(principal, spec)
        return mv, model, spec, columns, signals, labels

    def _span(
        self,
        principal: Principal,
        path: str,
        signals: list[str] | None,
        start: datetime | None,
        end: datetime | None,
    ) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The stored data's first and last time within ``[start, end)`` (for progress)."""
        cols = equipment_columns(self.assets, principal, path)
        refs = [f"{path}/{s}" for s in (signals if signals is not None else cols.signals)]
        extent = self.query.extent(principal, refs)
        if extent.num_rows == 0:
            return None
        lo = pd.Timestamp(min(extent.column("first_ts").to_pylist()))
        hi = pd.Timestamp(max(extent.column("last_ts").to_pylist()))
        lo = max(lo, _utc(start)) if start is not None else lo
        hi = min(hi, _utc(end)) if end is not None else hi
        return (lo, hi) if hi > lo else None

    def score_records(
        self,
        principal: Principal,
        name: str,
        records: Sequence[Mapping[str, Any]],
        *,
        version: int | None = None,
        stage: str | None = None,
    ) -> pd.DataFrame:
        """Score records given directly (a form, an API call): one output row per record."""
        require(principal, Role.VIEWER)
        if not records:
            raise InvalidInput("No records to score.")
        mv, model = self._load(principal, name, version, stage)
        from openkamp.ml.on_datasets import match_inputs

        X = pd.DataFrame([dict(r) for r in records])
        inputs = list((mv.provenance.get("training") or {}).get("inputs") or [])
        # Headers as import reads them: '사출압력(bar)' and '사출 압력' are the input 사출압력.
        X, missing = match_inputs(X, inputs)
        if missing:
            raise InvalidInput(
                f"The records lack inputs of model {name!r}: {', '.join(missing)}.",
                hint=f"Add the missing columns: {', '.join(missing)}.",
                code="ml.missing_inputs",
                params={"model": name, "missing": ", ".join(missing)},
            )
        if inputs:
            X = X[inputs]
        # Numbers stay numbers ("1,234" too); text inputs (categories) stay text.
        from openkamp.ml.tabular import numeric_text

        X = numeric_text(X)
        task = mv.task
        if task in ("rul", "forecast"):
            raise InvalidInput(
                f"A {task} model scores histories, not single records.",
                hint="Score stored data over a period instead.",
            )
        return _predict(task, model, X)

    def _load(
        self, principal: Principal, name: str, version: int | None, stage: str | None
    ) -> tuple[ModelVersion, Any]:
        if version is None and stage is None:
            versions = self.registry.list(principal, name)
            if not versions:
                self.registry.get(principal, name)  # raises NotFound with the name
            stage = "production" if any(v.stage == "production" for v in versions) else None
        mv = self.registry.get(principal, name, version, stage)
        return mv, self.registry.load(principal, name, mv.version)


# -- scoring, per task ------------------------------------------------------------------------


def _score_table(task: str, model: Any, spec: TrainSpec, table: Table) -> pd.DataFrame:
    frame = table.frame
    signals = [s for s in table.signals if s != spec.target]
    if task == "anomaly":
        X = _complete(frame[signals])
        return _predict(task, model, X)
    if task in ("classify", "regress", "optimise"):
        out = _predict(task, model, frame[signals])
        if spec.target in frame.columns:
            out.insert(0, "actual", frame[spec.target].to_numpy())
        return out
    if task == "rul":
        X, unit, minutes = _rul_frame(frame, signals, spec, censor=False)
        times = X.index
        rul = model.predict(X.assign(_unit=unit, _minutes=minutes), unit="_unit", time="_minutes")
        out = pd.DataFrame({"unit": unit, "minutes_in_use": minutes, "rul": rul}, index=times)
        out.index.name = "timestamp"
        return out
    if task == "forecast":
        series = frame[str(spec.target)].dropna()
        return model.predict(history=series, end=_utc(spec.end))
    raise InvalidInput(f"Task {task!r} cannot score stored data.")


def _predict(task: str, model: Any, X: pd.DataFrame) -> pd.DataFrame:
    """Scores of ``X`` by a fitted template; each model computation is done once."""
    index = X.index
    if task == "anomaly":
        scores = model.decision_function(X)
        alarm = alarm_mask(scores, model.threshold_ * model.threshold_scale, model.alarm_filter)
        contrib = model.explain(X)
        top = contrib.idxmax(axis=1).where(alarm.astype(bool), "")
        return pd.DataFrame(
            {"score": scores, "alarm": alarm, "top_signal": top.to_numpy()}, index=index
        )
    if task == "classify":
        proba = model.predict_proba(X)
        out = pd.DataFrame({"prediction": model.labels_of(proba)}, index=index)
        if getattr(model, "binary_", False):
            k = int(np.flatnonzero(model.classes_ == model.pos_label_)[0])
            out["probability"] = proba[:, k]
        else:
            for j, c in enumerate(model.classes_):
                out[f"p_{c}"] = proba[:, j]
        return out
    if task == "regress":
        interval = model.predict_interval(X)
        return pd.DataFrame(
            {
                "prediction": interval["prediction"].to_numpy(),
                "lo": interval["lower"].to_numpy(),
                "hi": interval["upper"].to_numpy(),
            },
            index=index,
        )
    if task == "optimise":
        rec = model.recommend(X)
        rec.index = index
        return rec
    raise InvalidInput(f"Task {task!r} does not score single records.")


# -- records --------------------------------------------------------------------------------


def _spec_record(spec: TrainSpec) -> dict[str, Any]:
    d = asdict(spec)
    for k in ("start", "end"):
        d[k] = None if d[k] is None else d[k].isoformat()
    return _plain(d)


def _spec_from(mv: ModelVersion) -> TrainSpec:
    d = dict((mv.provenance.get("training") or {}).get("spec") or {})
    if not d:
        raise InvalidInput(
            f"Model {mv.name!r} version {mv.version} was not trained from stored data.",
            hint="Score it with records, or in Python with the model object.",
        )
    known = set(TrainSpec.__dataclass_fields__)
    spec = TrainSpec(**{k: v for k, v in d.items() if k in known})
    if spec.bounds:
        spec.bounds = {k: (float(v[0]), float(v[1])) for k, v in spec.bounds.items()}
    spec.start = spec.end = None
    return spec


def _plain(value: Any) -> Any:
    """JSON-friendly copy: numpy scalars to Python, tuples to lists, other objects to text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _quality(table: Table) -> dict[str, Any] | None:
    """The data quality indices of the training table (None if the profile cannot be made)."""
    try:
        from openkamp.quality import profile
    except ImportError:  # pragma: no cover - the quality package ships with the platform
        return None
    report = profile(table.frame.reset_index(), time="timestamp")
    return _plain(report.to_dict())


assert set(TRAINABLE) <= set(TASKS)
