"""Training on a dataset (a named, versioned table of records) instead of an equipment's signals.

A dataset's columns carry roles (:mod:`openkamp.datasets`), and the evaluation protocol follows
them, as it would for a person who knows the table:

* a ``time`` column → forward chaining (train on the past, check on what came after);
* a ``group`` column (lot, mould), or an ``id`` column whose values repeat (the shot number that
  the LH and RH cavity rows share) → whole groups held out, so rows of one shot or lot are never
  on both sides;
* none → stratified shuffled folds: the rows are independent parts.

``TrainSpec.independent`` states that rows are independent even when a time column exists (a
file sorted by its label, a time column that is just an export stamp). Text inputs are used as
categories. Provenance records the dataset version (``name@version``) and its schema hash.

:func:`match_inputs` lines a scored file's headers up with a model's inputs the way import reads
headers (:func:`openkamp.ingest.names.match_key`: ``사출압력(bar)``, ``사출 압력`` and
``사출압력`` meet), so the very file a model was trained on can be scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openkamp.core.errors import InvalidInput

if TYPE_CHECKING:
    from openkamp.datasets._version import DatasetVersion

__all__ = ["DATASET_TASKS", "DatasetTable", "fit_on_dataset", "match_inputs"]

#: Tasks trained on a dataset: a table of records predicts a label or a measured value.
DATASET_TASKS = ("classify", "regress")


class DatasetTable:
    """What a model learnt from, for provenance and reports (the shape of ``ml.tables.Table``)."""

    def __init__(self, version: DatasetVersion, frame: pd.DataFrame, used: dict[str, Any]) -> None:
        self.version = version
        self.frame = frame
        self.used = used

    @property
    def dataset_id(self) -> str:
        return self.version.ref

    @property
    def schema_hash(self) -> str:
        return self.version.schema_hash

    def describe(self) -> dict[str, object]:
        facts: dict[str, object] = {
            "dataset": self.version.ref,
            "dataset_id": self.version.id,
            "rows": len(self.frame),
            **self.used,
        }
        tcol = self.version.time_column
        if tcol and tcol in self.frame.columns:
            times = pd.to_datetime(self.frame[tcol], errors="coerce", utc=True).dropna()
            if len(times):
                facts["first"] = times.min().isoformat()
                facts["last"] = times.max().isoformat()
        return facts


#: Fewest lots an id column must hold to be taken as the groups without being asked.
LOT_MIN_GROUPS = 5


def lot_column(frame: pd.DataFrame, columns: Sequence[str]) -> str | None:
    """The first id column that looks like a lot or batch: rows that belong together, so whole
    lots are held out when the model is checked. Its values repeat in runs of consecutive rows
    (a lot is made in one go) and there are at least :data:`LOT_MIN_GROUPS` of them.

    Not a lot: a column with one value (a mould, a machine: nothing to hold out), one value
    per row (a serial number), or values that alternate (the LH / RH cavity of every shot:
    holding out one cavity says nothing about the next lot)."""
    for c in columns:
        if c not in frame.columns:
            continue
        values = frame[c].dropna().astype(str)
        distinct = values.nunique()
        if distinct < LOT_MIN_GROUPS or distinct >= len(values):
            continue
        runs = int((values != values.shift()).sum())
        if runs <= 1.5 * distinct:  # each value (nearly) in one run of rows
            return c
    return None


def fit_on_dataset(spec: Any, version: DatasetVersion, frame: pd.DataFrame) -> tuple[Any, pd.DataFrame, DatasetTable]:  # fmt: skip
    """Fit ``spec.task`` on a dataset version's rows; the protocol follows the columns' roles."""
    if spec.task not in DATASET_TASKS:
        raise InvalidInput(
            f"A {spec.task} model learns from an equipment's signals, not from a dataset.",
            hint="Choose a defect (classify) or value (regress) model for a table of records.",
            code="ml.dataset_task",
            params={"task": spec.task},
        )
    target = spec.target
    if target not in frame.columns:
        raise InvalidInput(
            f"Dataset {version.ref} has no column {target!r}.",
            hint="Columns: " + ", ".join(map(str, frame.columns)),
            code="ml.dataset_no_column",
            params={"dataset": version.ref, "column": target},
        )
    tcol = None if spec.independent else version.time_column
    groups = spec.groups or version.group_column or lot_column(frame, version.id_columns)
    for name in (groups,):
        if name and name not in frame.columns:
            raise InvalidInput(
                f"Dataset {version.ref} has no column {name!r}.",
                hint="Columns: " + ", ".join(map(str, frame.columns)),
                code="ml.dataset_no_column",
                params={"dataset": version.ref, "column": name},
            )
    skip = {target, groups, version.time_column, *version.id_columns, *version.with_role("ignore")}
    labels = set(version.label_columns) - {target}  # other outcomes are never inputs
    inputs = [
        c for c in (spec.features or version.input_columns) if c not in skip and c not in labels
    ]
    rows = frame[target].notna().to_numpy()
    X = frame.loc[rows, inputs].reset_index(drop=True)
    y = frame.loc[rows, target].to_numpy()
    time = None
    if tcol:
        time = pd.to_datetime(frame.loc[rows, tcol], errors="coerce", utc=True).to_numpy()
    g = None if not groups else frame.loc[rows, groups].astype(str).to_numpy()
    opts: dict[str, Any] = {
        "random_state": spec.random_state,
        "time_budget_s": spec.time_budget_s,
        **spec.options,
    }
    if spec.task == "classify":
        from openkamp.ml.templates.classify import ClassifyModel

        model: Any = ClassifyModel(**opts).fit(X, y.astype(str), time=time, groups=g)
    else:
        from openkamp.ml.templates.regress import RegressModel

        yn = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype=np.float64)
        model = RegressModel(**opts).fit(X, yn, time=time, groups=g)
    used = {
        "target": target,
        "time_column": tcol,
        "groups": groups,
        "independent": bool(spec.independent),
        "unlabelled_rows": int((~rows).sum()),
    }
    return model, X, DatasetTable(version, frame, used)


def match_inputs(frame: pd.DataFrame, inputs: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with columns renamed to the model's ``inputs`` they match (as import matches
    headers: units, spaces, underscores, fullwidth and case do not matter), and the inputs no
    column matched. Columns matching no input are kept as they are (ids pass through)."""
    from openkamp.ingest.names import match_key

    wanted = {match_key(str(c)): str(c) for c in inputs}
    rename: dict[Any, str] = {}
    for c in frame.columns:
        key = match_key(str(c))
        if str(c) not in inputs and key in wanted and wanted[key] not in frame.columns:
            rename[c] = wanted[key]
    out = frame.rename(columns=rename)
    missing = [c for c in inputs if c not in out.columns]
    return out, missing
