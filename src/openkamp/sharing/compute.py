"""Compute-to-data: a consumer's model trained in the owner's space; only the model, its metrics
and its report leave, never rows (issue 11, item 4).

::

    c2d = ComputeToData(kamp.datasets, kamp.models, kamp.jobs)
    result = c2d.run_compute(owner, "shots@2", TrainSpec(task="classify", name="b_defect",
                             target="불량", dataset="shots@2"), consumer, guard)
    kamp.ml.score_records(consumer, "b_defect", my_rows)     # the consumer scores its own data
    job = c2d.submit(owner, "shots@2", spec, consumer, guard)  # the same, as a job of the owner

The training reads the contracted dataset version with the **owner's** principal and fits the
standard template of the task (:mod:`openkamp.ml.on_datasets` for ``classify`` / ``regress``;
``anomaly`` / ``rul`` / ``forecast`` on the version's time column as
:mod:`openkamp.ml.fit_stored` fits an equipment's table). The rows never enter the consumer's
organisation. What leaves is built afterwards:

**The model.** A fitted template keeps more than it needs to predict. What each kind keeps, and
what happens to it:

====================  =============================================  ========================
kind                  holds                                          compute-to-data
====================  =============================================  ========================
anomaly ``pca``       means, scales, components, control limits      leaves
anomaly ``residual``  means, scales, ridge coefficients              leaves
anomaly ``knn``       the (standardised) training rows               refused
anomaly ``mset``      a memory of standardised training rows         refused
anomaly ``iforest``   thresholds drawn between training values;      refused
                      a leaf boxes in one row of its subsample
classify / regress    trees whose leaves hold at least               leaves (min/max removed)
LightGBM              ``min_child_samples`` (>= 10) rows; bin edges
                      between distinct values; per-feature min/max
classify ``logreg``,  coefficients, scaler means, imputer medians    leaves
regress ``ridge``
classify ``rf``       fully grown trees (1 row a leaf): a leaf's     refused
                      bounds box in single rows
regress ``trees``     forests with 3 rows a leaf                     refused
rul (every learner)   LightGBM (>= 50 rows a leaf), ridge, extra     leaves
                      trees with 10 rows a leaf; regime centres
forecast              ridge / LightGBM on lags, seasonal baselines   leaves (history removed)
optimise, vision      (not offered)                                  refused
====================  =============================================  ========================

A tree learner leaves only when every leaf holds at least :data:`K_MIN` rows. Every template
also keeps per-row results for its report (out-of-fold probabilities and targets, held-out
anomaly scores, cross-validated RUL predictions, a forecast's history and last backtest, a
detector's training scores, k-means labels): these are removed (:func:`strip_rows`); a
regression's sorted absolute residuals, which its prediction interval needs, are replaced by
means of :data:`K_MIN` consecutive ones; LightGBM's model text loses ``feature_infos`` (each
feature's training minimum and maximum: cells of the extreme rows, not read to predict). A
binary defect model's threshold trade-off leaves as counts, computed before the probabilities
are removed (``card.tradeoff``). Afterwards a forecast needs the consumer's own history
(``predict(history=…)``), and an anomaly model cannot re-derive its threshold from held-out
scores (``ml.selection``). The stripped template is wrapped in :class:`ComputedModel`, which
answers ``card()`` with the aggregated card made before stripping, and is registered in the
**consumer's** model registry as a candidate.

**Metrics**: the card's headline figures (aggregates of the validation; unchanged).

**The report** (:mod:`openkamp.sharing.compute_report`): every chart that shows rows is replaced
by binned aggregates with at least ``k`` rows a bin (``k`` = :data:`K_MIN` = 10) or dropped;
charts of aggregates stay. The data facts name the dataset and its row count, not its first and
last times. It leaves as HTML (the platform's report) and as JSON (:func:`card_json`).

**Fail closed.** Before anything is registered, :func:`openkamp.sharing.row_leaks.find_rows`
scans the artefact's bytes, the metrics, the report (JSON and HTML) for any training row; a
finding refuses the job (``err.sharing.compute.leak``) and nothing leaves.

**The guard** is called before and after every step (read, fit, strip, check, register): the
contract's check (:func:`openkamp.sharing.contracts.contract_guard`) raises once the contract is
revoked or expired, and the job stops there with nothing registered on the consumer's side.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal, Role, require
from openkamp.ml.card import ModelCard, card_of
from openkamp.sharing.compute_report import K_MIN, aggregate_card, calibration_curve, card_json
from openkamp.sharing.row_leaks import find_rows

if TYPE_CHECKING:
    from openkamp.datasets import DatasetService, DatasetVersion
    from openkamp.jobs.service import JobService
    from openkamp.ml.registry import ModelRegistry, ModelVersion
    from openkamp.ml.service import TrainSpec

__all__ = [
    "K_MIN",
    "TASKS",
    "ComputeResult",
    "ComputeToData",
    "ComputedModel",
    "Prepared",
    "aggregate_card",
    "parts_of",
    "strip_rows",
]

#: Tasks compute-to-data trains.
TASKS = ("anomaly", "classify", "regress", "rul", "forecast")
#: Anomaly detectors that leave, and those refused (see the module docstring).
DETECTORS_ALLOWED = ("pca", "residual")
DETECTORS_REFUSED = ("knn", "mset", "iforest")

Guard = Callable[[], Any]


@dataclass
class ComputeResult:
    """What left the owner's space: the consumer's registered version, its metrics, its report
    (HTML and the aggregated card as JSON), and how many rows it was trained on."""

    version: ModelVersion
    metrics: dict[str, float]
    report_html: str
    report_json: dict[str, Any]
    rows: int
    artefact: bytes = dataclasses.field(repr=False, default=b"")

    def summary(self) -> dict[str, Any]:
        """Plain values for a job's result."""
        return {
            "model": self.version.name,
            "version": self.version.version,
            "org_id": self.version.org_id,
            "metrics": dict(self.metrics),
            "rows": self.rows,
        }


@dataclass
class Prepared:
    """What :meth:`ComputeToData.prepare` made and checked, not registered yet: the model as it
    leaves, its card, metrics and report, its inputs and data provenance, the rows it learnt
    from."""

    spec: TrainSpec
    version: DatasetVersion
    model: ComputedModel
    card: ModelCard
    metrics: dict[str, float]
    report_json: dict[str, Any]
    inputs: list[str]
    origin: dict[str, Any]
    rows: int
    artefact: bytes = dataclasses.field(repr=False, default=b"")


# -- the wrapper ----------------------------------------------------------------------------------


class ComputedModel:
    """A template trained by compute-to-data, with its per-row state removed.

    Prediction goes to the template (every attribute not its own is the template's, and setting
    one, such as a chosen ``threshold_``, sets the template's); :meth:`card` returns the card
    aggregated before the rows were removed."""

    _OWN = ("template_", "card_", "origin_")

    def __init__(self, template: Any, card: ModelCard, origin: dict[str, Any]) -> None:
        object.__setattr__(self, "template_", template)
        object.__setattr__(self, "card_", card)
        object.__setattr__(self, "origin_", origin)

    def card(self) -> ModelCard:
        card = copy.deepcopy(self.card_)
        trade = getattr(card, "tradeoff", None)
        current = getattr(self.template_, "threshold_", None)
        if isinstance(trade, dict) and current is not None:
            trade["current"] = float(current)  # a threshold chosen since (set_threshold)
        return card

    def __getattr__(self, name: str) -> Any:
        # Only called for names not found on the wrapper; during unpickling the template is not
        # there yet, and dunder lookups must not reach it.
        if name.startswith("__") or name in ComputedModel._OWN:
            raise AttributeError(name)
        return getattr(self.template_, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ComputedModel._OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self.template_, name, value)


# -- the service ------------------------------------------------------------------------------------


class ComputeToData:
    """Train in the owner's space, register what may leave in the consumer's registry."""

    def __init__(
        self,
        datasets: DatasetService,
        registry: ModelRegistry,
        jobs: JobService | None = None,
        *,
        k: int = K_MIN,
    ) -> None:
        self.datasets = datasets
        self.registry = registry
        self.jobs = jobs
        self.k = k

    def run_compute(
        self,
        owner_principal: Principal,
        dataset_ref: int | str,
        spec: TrainSpec,
        consumer_principal: Principal,
        guard: Guard,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> ComputeResult:
        """Train ``spec`` on the owner's dataset version ``dataset_ref`` and register the model
        in the consumer's registry (see the module docstring); ``guard()`` is called between
        steps and stops the job by raising."""
        require(owner_principal, Role.ENGINEER)
        require(consumer_principal, Role.ENGINEER)
        if owner_principal.org_id == consumer_principal.org_id:
            raise InvalidInput(
                "Compute-to-data is for another organisation's data.",
                code="sharing.compute.same_org",
            )
        say = progress or (lambda _step: None)
        spec = restrict(spec, dataset_ref)  # refusals before anything is read
        spec.check()
        guard()
        say("read")
        version = self.datasets.get(owner_principal, dataset_ref)
        frame = self.datasets.read(owner_principal, version.id)
        guard()
        say("fit")
        origin = {
            "compute_to_data": True,
            "owner_org_id": owner_principal.org_id,
            "dataset": version.ref,
            "schema_hash": version.schema_hash,
        }
        prepared = self.prepare(spec, version, frame, guard, origin, progress=say)
        guard()
        say("register")
        return self.register(prepared, consumer_principal)

    def prepare(
        self,
        spec: TrainSpec,
        version: DatasetVersion,
        frame: pd.DataFrame,
        guard: Guard,
        origin: dict[str, Any],
        *,
        progress: Callable[[str], None] | None = None,
    ) -> Prepared:
        """Fit ``spec`` (already :func:`restrict`-ed) on ``frame``, the rows of ``version``,
        and make what may leave: the stripped model wrapped with its aggregated card, its
        metrics and its report, checked for rows (steps ``strip`` and ``check``; the caller
        says ``fit``). ``origin`` is the model's data provenance. Nothing is registered: see
        :meth:`register`. A pooled job (:mod:`openkamp.sharing.pooled`) passes its pooled rows
        as one version."""
        say = progress or (lambda _step: None)
        template, inputs = fit_on_version(spec, version, frame)
        guard()
        say("strip")
        calibration = calibration_curve(template, self.k)
        card = aggregate_card(card_of(template), self.k, calibration=calibration)
        _keep_tradeoff(card, template, version, frame)
        stripped = strip_rows(template, self.k)
        model = ComputedModel(stripped, card, dict(origin))
        artefact = pickle.dumps(model, protocol=5)
        metrics = card.headline()
        report_json = card_json(card)
        guard()
        say("check")
        html = _render(card, spec, version, None)
        self._refuse_leaks(
            {
                "model.pkl": artefact,
                "metrics.json": json.dumps(metrics, ensure_ascii=False),
                "report.json": json.dumps(report_json, ensure_ascii=False),
                "report.html": html,
            },
            frame,
        )
        return Prepared(spec, version, model, card, metrics, report_json, inputs, dict(origin),
                        len(frame), artefact)  # fmt: skip

    def register(self, prepared: Prepared, consumer_principal: Principal) -> ComputeResult:
        """Register what :meth:`prepare` made in the consumer's registry (a candidate)."""
        spec, version, card = prepared.spec, prepared.version, prepared.card
        training = {
            "spec": _spec_record(spec),
            "data": {**prepared.origin, "rows": int(card.rows)},
            "quality": None,
            "inputs": prepared.inputs,
        }
        mv = self.registry.register(
            consumer_principal,
            prepared.model,
            name=spec.name,
            task=spec.task,
            metrics=prepared.metrics,
            params=_plain(card.method),
            dataset_id=version.ref,
            schema_hash=version.schema_hash,
            feature_names=card.features or prepared.inputs,
            target=spec.target,
            description=spec.description,
            training=training,
        )
        html = _render(card, spec, version, mv)
        return ComputeResult(mv, prepared.metrics, html, prepared.report_json, prepared.rows,
                             prepared.artefact)  # fmt: skip

    def submit(
        self,
        owner_principal: Principal,
        dataset_ref: int | str,
        spec: TrainSpec,
        consumer_principal: Principal,
        guard: Guard,
    ) -> dict[str, Any]:
        """:meth:`run_compute` as a job of the owner's organisation (its record and log hold
        the steps and the result's summary, never rows); cancelling the job stops it at its
        next step like a revoked contract."""
        if self.jobs is None:
            raise InvalidInput("Jobs are not available here.", code="sharing.compute.no_jobs")
        restrict(spec, dataset_ref).check()  # a refused kind is said now, not in the job's log

        def run(ctx: Any) -> dict[str, Any]:
            def checked() -> None:
                ctx.check()
                guard()

            def step(name: str) -> None:
                ctx.progress(_STEPS.index(name) / len(_STEPS), name)
                ctx.log(name)

            result = self.run_compute(
                owner_principal, dataset_ref, spec, consumer_principal, checked, progress=step
            )
            ctx.log(f"registered: {result.version.name} v{result.version.version}")
            return result.summary()

        return self.jobs.submit(
            owner_principal,
            "compute",
            f"compute-to-data: {spec.name}",
            run,
            params={
                "task": spec.task,
                "model": spec.name,
                "consumer_org_id": consumer_principal.org_id,
            },
        )

    def _refuse_leaks(self, outputs: dict[str, Any], frame: pd.DataFrame) -> None:
        leaks = find_rows(outputs, frame, min_cells=min(3, max(1, frame.shape[1])))
        if leaks:
            raise InvalidInput(
                f"A training row was found in {leaks[0].output}; nothing left the owner's space.",
                code="sharing.compute.leak",
                params={"output": leaks[0].output},
            )


_STEPS = ("read", "fit", "strip", "check", "register")


# -- what may be trained ----------------------------------------------------------------------------


def restrict(spec: TrainSpec, dataset_ref: int | str) -> TrainSpec:
    """A copy of ``spec`` on ``dataset_ref`` whose choices can only produce kinds that may leave;
    asking for a refused kind raises InvalidInput with its reason
    (``err.sharing.compute.refused.*``)."""
    if spec.task not in TASKS:
        raise InvalidInput(
            f"A {spec.task} model is not offered by compute-to-data.",
            code="sharing.compute.refused.task",
            params={"task": spec.task},
        )
    out = dataclasses.replace(
        spec, options=dict(spec.options), dataset=str(dataset_ref), equipment=""
    )
    if spec.task == "anomaly":
        detector = out.options.get("detector", "auto")
        if detector in DETECTORS_REFUSED:
            raise InvalidInput(
                f"The {detector} detector holds training rows; it cannot leave.",
                code=f"sharing.compute.refused.{detector}",
            )
        if detector == "auto":
            # "auto" would also try the refused detectors; pca is the template's own default.
            out.options["detector"] = DETECTORS_ALLOWED[0]
        return out
    if spec.task in ("classify", "regress"):
        out.options["learners"] = _allowed_candidates(
            spec.task, out.options.get("learners", "auto")
        )
    return out


def _allowed_candidates(task: str, learners: Any) -> list[str]:
    from openkamp.ml.tabular import select_candidates

    if task == "classify":
        from openkamp.ml.templates.classify import CANDIDATES, LEARNERS
    else:
        from openkamp.ml.templates.regress import CANDIDATES, LEARNERS
    try:
        chosen = select_candidates(learners, LEARNERS, CANDIDATES)
    except ValueError as exc:
        raise InvalidInput(f"Cannot train this model: {exc}", code="ml.cannot_train", params={"reason": exc}) from exc  # fmt: skip
    allowed = [name for name, learner, params in chosen if _leaf_rows(learner, params) >= K_MIN]
    refused = [(name, _leaf_rows(learner, params)) for name, learner, params in chosen if name not in allowed]  # fmt: skip
    if refused and (learners != "auto" or not allowed):
        name, leaf = refused[0]
        raise InvalidInput(
            f"Candidate {name} may hold {leaf} rows a leaf; compute-to-data needs {K_MIN}.",
            code="sharing.compute.refused.small_leaves",
            params={"learner": name, "leaf": leaf, "k": K_MIN},
        )
    return allowed


def _leaf_rows(learner: str, params: dict[str, Any]) -> float:
    """Fewest training rows a leaf of the candidate may hold (inf for linear models)."""
    if learner == "lgbm":
        return float(params.get("min_child_samples", 20))  # LightGBM's default
    if learner in ("rf", "trees"):
        return float(params.get("min_samples_leaf", 1))
    return math.inf


def _keep_tradeoff(card: ModelCard, template: Any, version: DatasetVersion, frame: pd.DataFrame) -> None:  # fmt: skip
    """A binary defect model's threshold trade-off (counts of caught, missed and false alarms per
    day or per 1,000 parts at a ladder of thresholds: aggregates of the cross-fitted evaluation)
    kept on the card as ``card.tradeoff``, which :func:`openkamp.ml.tradeoff.tradeoff` uses as
    it is: the per-row probabilities it is computed from do not leave."""
    from openkamp.ml.tradeoff import tradeoff

    data: dict[str, Any] = {"rows": len(frame)}
    tcol = version.time_column
    if tcol and tcol in frame.columns:
        times = pd.to_datetime(frame[tcol], errors="coerce", utc=True).dropna()
        if len(times):
            data.update(first=times.min().isoformat(), last=times.max().isoformat())
    trade = tradeoff(template, {"training": {"data": data}})
    if trade is not None:
        card.tradeoff = trade  # type: ignore[attr-defined]


# -- training ----------------------------------------------------------------------------------


def fit_on_version(spec: TrainSpec, version: DatasetVersion, frame: pd.DataFrame) -> tuple[Any, list[str]]:  # fmt: skip
    """Fit ``spec`` on a dataset version's rows; returns the template and its input columns.
    ``classify`` / ``regress`` as :func:`openkamp.ml.on_datasets.fit_on_dataset`; the time-series
    tasks on the version's time column as an equipment's table."""
    try:
        if spec.task in ("classify", "regress"):
            from openkamp.ml.on_datasets import fit_on_dataset

            model, X, _ = fit_on_dataset(spec, version, frame)
            return model, [str(c) for c in X.columns]
        from openkamp.ml.fit_stored import _fit

        table = series_table(spec, version, frame)
        model, X = _fit(spec, table)
        return model, [str(c) for c in X.columns]
    except InvalidInput:
        raise
    except ValueError as exc:  # the templates' own checks, as ModelService.train says them
        raise InvalidInput(
            f"Cannot train this model: {exc}", code="ml.cannot_train", params={"reason": exc}
        ) from exc


def series_table(spec: TrainSpec, version: DatasetVersion, frame: pd.DataFrame) -> Any:
    """A dataset version with a time column as the wide table the time-series tasks read
    (:class:`openkamp.ml.tables.Table`): numeric input columns are the signals."""
    from openkamp.ml.tables import Table

    tcol = version.time_column
    if not tcol or tcol not in frame.columns:
        raise InvalidInput(
            f"Dataset {version.ref} has no time column.",
            code="sharing.compute.no_time",
            params={"dataset": version.ref, "task": spec.task},
        )
    df = frame.drop(columns=[tcol])
    df.index = pd.DatetimeIndex(pd.to_datetime(frame[tcol], utc=True), name="timestamp")
    df = df.sort_index(kind="stable")
    numeric = [
        c.name
        for c in version.columns
        if c.role == "input" and c.kind == "number" and c.name in df.columns
    ]
    target = spec.target
    numeric_target = target in df.columns and pd.api.types.is_numeric_dtype(df[target])
    if spec.task == "forecast" and numeric_target and target not in numeric:
        numeric.append(str(target))
    if spec.features:
        numeric = [c for c in numeric if c in spec.features or c == spec.target]
    labels = [c for c in df.columns if c not in numeric]
    return Table(df[[*numeric, *labels]], f"dataset:{version.ref}", None, None, numeric, labels)


# -- what leaves: the model ----------------------------------------------------------------------------

#: Attributes that hold one value per training row (or the rows themselves), in any template or
#: the estimators inside it; removed before a model leaves.
PER_ROW = frozenset(
    {
        "oof_proba_", "oof_target_", "eval_proba_", "eval_alarm_", "oof_pred_", "eval_pred_",
        "cv_scores_", "cv_groups_", "validation_scores_", "decision_scores_", "cv_predictions_",
        "backtest_last_", "labels_", "_fit_X", "_train_rows", "memory_",
    }
)  # fmt: skip
_WALKED = ("openkamp.", "sklearn.", "lightgbm.")


def strip_rows(template: Any, k: int = K_MIN) -> Any:
    """A deep copy of a fitted template without per-row state (see the module docstring)."""
    out = copy.deepcopy(template)
    for obj in parts_of(out):
        state = obj.__dict__
        for name in list(state):
            if name in PER_ROW:
                state[name] = None
        if "abs_residuals_" in state and state["abs_residuals_"] is not None:
            state["abs_residuals_"] = _binned_means(np.sort(np.asarray(state["abs_residuals_"])), k)
        if "history_" in state and isinstance(state["history_"], pd.Series):
            state["history_"] = state["history_"].iloc[:0]
        for name, value in list(state.items()):
            if type(value).__name__ == "Booster" and type(value).__module__.startswith("lightgbm"):
                state[name] = _without_ranges(value)
    return out


def _without_ranges(booster: Any) -> Any:
    """A LightGBM booster whose model text no longer names each feature's training minimum and
    maximum (``feature_infos``: cells of the extreme rows; prediction does not read them)."""
    import lightgbm as lgb

    def blank(m: re.Match[str]) -> str:
        tokens = m.group(1).split(" ")
        return "feature_infos=" + " ".join("none" if t.startswith("[") else t for t in tokens)

    text = booster.model_to_string(num_iteration=-1)
    return lgb.Booster(model_str=re.sub(r"^feature_infos=(.*)$", blank, text, flags=re.M))


def parts_of(root: Any, seen: set[int] | None = None) -> Iterator[Any]:
    """Objects of our and the learning libraries' classes reachable from ``root`` (each once;
    ``seen`` holds the ids already visited)."""
    seen = set() if seen is None else seen
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple):
            stack.extend(obj)
        elif hasattr(obj, "__dict__") and type(obj).__module__.startswith(_WALKED):
            yield obj
            stack.extend(obj.__dict__.values())


def _binned_means(values: np.ndarray, k: int) -> np.ndarray:
    """Means of consecutive groups of at least ``k`` values (none with fewer than ``k``)."""
    n = len(values)
    if n < k:
        return np.full(1, float(np.mean(values))) if n else values
    return np.array([float(part.mean()) for part in np.array_split(values, n // k)])


def _render(card: ModelCard, spec: TrainSpec, version: DatasetVersion, mv: ModelVersion | None) -> str:  # fmt: skip
    from openkamp.ml.report import render_report

    shown = copy.deepcopy(card)
    if shown.target is None:
        shown.target = spec.target
    return render_report(
        shown,
        lang="ko",
        model_name=spec.name,
        version=None if mv is None else mv.version,
        dataset={"dataset": version.ref, "rows": int(version.rows)},
        quality=None,
        provenance=None if mv is None else mv.provenance,
        display={c.name: c.label("ko") for c in version.columns},
    )


def _spec_record(spec: TrainSpec) -> dict[str, Any]:
    from openkamp.ml.service import _spec_record as record

    return dict(record(dataclasses.replace(spec, dataset=None)))


def _plain(value: Any) -> Any:
    from openkamp.ml.service import _plain as plain

    return plain(value)
