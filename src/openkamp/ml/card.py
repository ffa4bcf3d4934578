"""Model cards: what every fitted template says about itself, in one shape.

The analysis report, the CLI and (later) the web UI read a fitted model only through
:meth:`card`, which every task template implements and which returns a :class:`ModelCard`::

    card = model.card()
    card.metrics["pr_auc"], card.metric_ci.get("pr_auc")
    card.plots[0].kind, card.plots[0].data

A card holds **validation figures only** (out-of-fold, held-out time block, held-out units): never
figures on the rows a model was fitted on. Texts that the report shows are i18n keys (see
:mod:`openkamp.i18n`, prefix ``ml.``) or plain values, so the report can be written in Korean and
English from the same card.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

__all__ = ["ModelCard", "Plot", "card_of", "protocol_key"]

PlotKind = Literal["line", "scatter", "bar", "matrix", "hist"]


@dataclass
class Plot:
    """Data for one chart of a report.

    ``kind``: ``line`` (``x`` against each of ``y``), ``scatter`` (``x`` against ``y[0]``, with a
    diagonal when ``diagonal``), ``bar`` (``x`` labels, ``y[0]`` heights), ``matrix`` (``data`` is
    a square table: rows true, columns predicted), ``hist`` (``y[0]`` values, split by ``x`` when
    given). ``title`` is an i18n key (``ml.plot.*``); ``hline`` draws a horizontal reference line
    (a threshold) with the i18n key ``hline_label``.
    """

    kind: PlotKind
    title: str
    data: pd.DataFrame
    x: str | None = None
    y: list[str] = field(default_factory=list)
    hline: float | None = None
    hline_label: str = ""
    diagonal: bool = False


@dataclass
class ModelCard:
    """What a fitted template says about itself (validation figures only).

    Attributes
    ----------
    task : the template (``anomaly``, ``classify``, ``regress``, ``rul``, ``forecast``, ``optimise``)
    method : the chosen candidate and its hyper-parameters (plain values)
    protocol : the evaluation protocol in one English sentence (e.g. "5-fold group k-fold: ...")
    metrics : headline figures, name → number; names have i18n keys ``ml.metric.<name>``
    metric_ci : 95 % intervals of some of ``metrics``, name → (low, high)
    leaderboard : candidates tried, best first (one dict per candidate)
    importance : global importance per input (largest first), or None
    features : input columns used; ``dropped``: columns not used, with the reason's i18n key
    target : the predicted column, when there is one
    rows : training rows (or units, readings: see ``rows_unit``)
    plots : charts of validation results
    limits : i18n keys (``ml.limit.*``) of what the figures do not show
    fit_seconds : wall time of ``fit``
    extra : anything else a template wants in its report section (plain values)
    verdict : ``better``, ``no_better`` or ``worse`` than a model without skill, judged on the
        95 % interval of the skill figure (:func:`openkamp.ml.metrics.verdict`); the report says
        it in plain words (``ml.verdict.<verdict>``)
    warnings : what a user must know before relying on the model, each ``{"key": i18n key,
        "params": {...}}`` (e.g. ``ml.warn.flags_most_good``)
    protocol_kind : the kind of evaluation folds (``stratified k-fold``, ``group k-fold``,
        ``forward-chaining time split``, ``k-fold``), explained by ``ml.protocol.<kind>``
    """

    task: str
    method: dict[str, Any]
    protocol: str
    metrics: dict[str, float]
    metric_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    leaderboard: list[dict[str, Any]] = field(default_factory=list)
    importance: pd.Series | None = None
    features: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    rows: int = 0
    rows_unit: str = "rows"
    plots: list[Plot] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    fit_seconds: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    verdict: str | None = None
    protocol_kind: str | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def headline(self) -> dict[str, float]:
        """Metrics that are finite numbers (for tables and registry records)."""
        return {
            k: float(v)
            for k, v in self.metrics.items()
            if isinstance(v, int | float) and math.isfinite(float(v))
        }


def card_of(model: Any) -> ModelCard:
    """The card of a fitted template; a clear error for objects that have none."""
    fn = getattr(model, "card", None)
    if not callable(fn):
        raise TypeError(
            f"{type(model).__name__} has no card(): only OpenKAMP task templates describe "
            "themselves for reports"
        )
    card = fn()
    if not isinstance(card, ModelCard):
        raise TypeError(f"{type(model).__name__}.card() returned {type(card).__name__}")
    return card


def split_ci(out: dict[str, Any]) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Split a dict holding ``name`` and ``name_ci`` entries into metrics and intervals."""
    metrics: dict[str, float] = {}
    cis: dict[str, tuple[float, float]] = {}
    for k, v in out.items():
        if k.endswith("_ci") and isinstance(v, tuple | list) and len(v) == 2:
            cis[k[:-3]] = (float(v[0]), float(v[1]))
        elif isinstance(v, int | float) and not isinstance(v, bool):
            metrics[k] = float(v)
    return metrics, cis


_PROTOCOL_KEYS = {
    "stratified k-fold": "ml.protocol.stratified",
    "k-fold": "ml.protocol.kfold",
    "group k-fold": "ml.protocol.group",
    "forward-chaining time split": "ml.protocol.forward",
}


def protocol_key(kind: str | None) -> str | None:
    """The i18n key that explains an evaluation protocol (``Folds.kind``) in plain words."""
    return _PROTOCOL_KEYS.get(kind or "")
