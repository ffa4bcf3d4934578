"""Choosing anomaly-model settings from several labelled recordings, leave-one-run-out.

A factory often has a handful of past runs with known faults. Settings chosen on all of them and
scored on the same runs would be optimistic; here every run's settings are chosen on the *other*
runs only, so the pooled result is an honest estimate of what the settings do on a new run. The
settings finally recommended are the ones chosen on all runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from openkamp.ml.features import ewma
from openkamp.ml.metrics import alarm_rates
from openkamp.ml.templates.anomaly import AnomalyModel, alarm_mask


@dataclass
class Run:
    """One recording: normal data to fit on, then data to alarm on with its labels."""

    name: str
    train: pd.DataFrame
    test: pd.DataFrame
    labels: np.ndarray


@dataclass
class Selection:
    settings: dict[str, Any]  # chosen on all runs: what to use from now on
    estimate: dict[str, float]  # pooled leave-one-run-out result (honest)
    per_run: list[dict[str, Any]] = field(default_factory=list)


def select_across_runs(
    runs: Sequence[Run],
    *,
    detectors: Sequence[str] = ("residual", "pca", "mset"),
    lags: Sequence[int] = (1, 2, 4, 6),
    smoothing: Sequence[int] = (3, 5, 10, 20),
    scales: Sequence[float] = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0),
    filters: Sequence[int] = (1, 9, 31, 61),
    max_far: float = 0.13,
    random_state: int = 0,
    threshold: str = "holdout",
    detector_params: dict[str, Any] | None = None,
) -> Selection:
    """Best F1 subject to a false-alarm rate of at most ``max_far`` on the runs left in.

    ``threshold`` is the base threshold of every run's model (see :class:`AnomalyModel`) and
    the threshold scale chosen here multiplies it; ``detector_params`` go to the detectors (by
    default the residual detector's fixed penalty ``alpha=1.0``). Both defaults keep the
    protocol under which this selection was developed on SKAB: with "cv" thresholds and the
    blocked-CV penalty its pooled leave-one-file-out F1 was lower (see docs/benchmarks.md).
    """
    if len(runs) < 2:
        raise ValueError("leave-one-run-out selection needs at least two runs")
    scored: dict[tuple[str, int, int], list[tuple[np.ndarray, float]]] = {}
    for det, lag in itertools.product(detectors, lags):
        for run in runs:
            # One fit per detector and lag window; every smoothing span re-uses its scores and
            # its held-out (cross-validated) scores for the threshold.
            model = AnomalyModel(
                detector=det,
                lags=lag,
                smoothing=1,
                random_state=random_state,
                threshold=threshold,
                detector_params={"alpha": 1.0} if detector_params is None else detector_params,
            ).fit(run.train)
            # Score the test part after its own training part, so lags and smoothing have history.
            raw = model.decision_function(pd.concat([run.train, run.test]))
            for span in smoothing:
                thr = float(np.quantile(model.held_out_scores(span), 1 - model.contamination))
                scored.setdefault((det, lag, span), []).append(
                    (ewma(raw, span)[len(run.train) :], thr)
                )
    options = [(key, scale, k) for key in scored for scale in scales for k in filters]
    # Confusion counts of every option on every run, computed once: choosing for a left-out run
    # is then a subtraction, not a re-run of all options.
    counts = np.zeros((len(options), len(runs), 4), dtype=np.int64)  # tp, fp, fn, tn
    for o, (key, scale, k) in enumerate(options):
        for i, run in enumerate(runs):
            a = alarm_mask(scored[key][i][0], scale * scored[key][i][1], k).astype(bool)
            y = run.labels.astype(bool)
            counts[o, i] = (np.sum(a & y), np.sum(a & ~y), np.sum(~a & y), np.sum(~a & ~y))
    total = counts.sum(axis=1)

    def choose(c: np.ndarray) -> int:
        tp, fp, fn, tn = c[:, 0], c[:, 1], c[:, 2], c[:, 3]
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
        far = fp / np.maximum(fp + tn, 1)
        return int(np.lexsort((f1, far <= max_far))[-1])  # allowed first, then best F1

    ys, alarms, per_run_rows = [], [], []
    for i, run in enumerate(runs):
        key, scale, k = options[choose(total - counts[:, i])]
        a = alarm_mask(scored[key][i][0], scale * scored[key][i][1], k)
        ys.append(run.labels)
        alarms.append(a)
        per_run_rows.append(
            {
                "run": run.name,
                "detector": key[0],
                "lags": key[1],
                "smoothing": key[2],
                "threshold_scale": scale,
                "alarm_filter": k,
                **alarm_rates(run.labels, a),
            }
        )
    estimate = alarm_rates(np.concatenate(ys), np.concatenate(alarms))
    key, scale, k = options[choose(total)]
    settings = {
        "detector": key[0],
        "lags": key[1],
        "smoothing": key[2],
        "threshold_scale": scale,
        "alarm_filter": k,
    }
    return Selection(settings, estimate, per_run_rows)
