"""Fitting each task's template on a table of stored data (equipment signals and labels).

Split from :mod:`openkamp.ml.service`, which reads the data, registers the model and scores; this
module decides which rows and columns each task learns from (see the service's docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openkamp.core.errors import InvalidInput
from openkamp.ml.tables import Table

if TYPE_CHECKING:
    from openkamp.ml.service import TrainSpec

_FILL_LIMIT = 10  # readings a gap in one signal is carried forward for anomaly models


def _fit(spec: TrainSpec, table: Table) -> tuple[Any, pd.DataFrame]:
    frame = table.frame
    signals = [s for s in table.signals if s != spec.target]
    opts: dict[str, Any] = {"random_state": spec.random_state, **spec.options}
    budget: dict[str, Any] = {"time_budget_s": spec.time_budget_s}
    if spec.task == "anomaly":
        from openkamp.ml.templates.anomaly import AnomalyModel

        X = _complete(frame[signals])
        y = None
        if spec.target:
            y = _anomaly_labels(frame.loc[X.index, spec.target], spec.normal)
        return AnomalyModel(**budget, **opts).fit(X, y), X
    if spec.task in ("classify", "regress", "optimise"):
        rows = frame[spec.target].notna()
        X = frame.loc[rows, signals]
        y = frame.loc[rows, spec.target].to_numpy()
        if len(X) < 20:
            raise InvalidInput(
                f"Only {len(X)} rows have a {spec.target!r} value: too few to learn from."
            )
        groups = None if spec.groups is None else frame.loc[rows, spec.groups].to_numpy()
        times = X.index.to_numpy()
        if spec.independent and spec.task in ("classify", "regress"):
            opts["independent"] = True
        if spec.task == "classify":
            from openkamp.ml.templates.classify import ClassifyModel

            return ClassifyModel(**budget, **opts).fit(X, y, time=times, groups=groups), X
        if spec.task == "regress":
            from openkamp.ml.templates.regress import RegressModel

            yn = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype=np.float64)
            return RegressModel(**budget, **opts).fit(X, yn, time=times, groups=groups), X
        from openkamp.ml.templates.optimise import OptimiseModel

        model = OptimiseModel(
            controls=list(spec.controls or []), bounds=spec.bounds, goal=spec.goal, **budget, **opts
        )
        return model.fit(X, y, time=times, groups=groups), X
    if spec.task == "rul":
        from openkamp.ml.templates.rul import RULModel

        X, unit, minutes = _rul_frame(frame, signals, spec, censor=True)
        model = RULModel(**budget, **{"max_rul": None, **opts})
        return model.fit(X.assign(_unit=unit, _minutes=minutes), unit="_unit", time="_minutes"), X
    if spec.task == "forecast":
        from openkamp.ml.templates.forecast import ForecastModel

        series = frame[str(spec.target)].dropna()
        if spec.agg:
            opts["agg"] = spec.agg
        model = ForecastModel(horizon=spec.horizon, freq=spec.freq, **budget, **opts)
        return model.fit(series, end=_utc(spec.end)), series.to_frame()
    raise InvalidInput(f"Task {spec.task!r} cannot be trained from stored data.")


def _utc(when: datetime | None) -> pd.Timestamp | None:
    """A bound in UTC, like the stored timestamps (naive times are taken as UTC)."""
    if when is None:
        return None
    ts = pd.Timestamp(when)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _complete(X: pd.DataFrame) -> pd.DataFrame:
    """Signals with short gaps carried forward and incomplete rows left out."""
    out = X.apply(pd.to_numeric, errors="coerce").ffill(limit=_FILL_LIMIT).dropna()
    if len(out) < 20:
        raise InvalidInput(
            f"Only {len(out)} complete readings: too few to learn normal operation.",
            hint="Choose a longer period, or fewer signals.",
        )
    return out


def _anomaly_labels(values: pd.Series, normal: Sequence[str] | None) -> np.ndarray:
    known = values.dropna().astype(str)
    if normal is None:
        if known.empty:
            return np.zeros(len(values), dtype=int)
        normal = [known.value_counts().index[0]]
    return (values.notna() & ~values.astype(str).isin(list(normal))).to_numpy(dtype=int)


def _rul_frame(
    frame: pd.DataFrame, signals: list[str], spec: TrainSpec, *, censor: bool
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rows = frame[str(spec.unit)].notna()
    if spec.usage:
        rows &= pd.to_numeric(frame[spec.usage], errors="coerce").fillna(0).to_numpy() > 0
    sub = frame.loc[rows]
    unit = sub[str(spec.unit)].astype(str).to_numpy()
    ts = sub.index.to_series()
    if spec.usage:
        # Minutes in use: readings in use times the sampling period.
        step = pd.Series(frame.index).diff().median() if len(frame) > 1 else None
        step_s = step.total_seconds() if isinstance(step, pd.Timedelta) else 60.0
        minutes = pd.Series(unit).groupby(unit).cumcount().to_numpy() * step_s / 60.0
    else:
        first = ts.groupby(unit).transform("min")
        minutes = ((ts - first).dt.total_seconds() / 60.0).to_numpy()
    X = sub[signals].apply(pd.to_numeric, errors="coerce")
    if censor and len(sub):
        running = unit[np.argmax(sub.index.to_numpy())]
        keep = unit != running  # still running at the end of the data: not failed yet
        if not keep.any():
            raise InvalidInput(
                "No unit ran to its end in the chosen period: nothing to learn remaining life from.",
                hint="Choose a longer period.",
            )
        X, unit, minutes = X.loc[keep], unit[keep], minutes[keep]
    return X, unit, minutes
