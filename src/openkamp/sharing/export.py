"""Governed export in one call (issue 11, item 4): the contract's transforms, then its watermark.

:func:`governed_export` is what the delivery layer calls once the access is authorised: it runs
the contract's :class:`~openkamp.sharing.transforms.TransformSpec` with the contract's keys, then
marks the result for that contract (:mod:`openkamp.sharing.watermark`), leaving alone the columns
the transforms generalised (their values are bins: a mark would move a value out of its bin) and
the row key. :meth:`Export.record` is the JSON for the delivery record and the ledger entry: what
each transform did and the watermark's parameters and distortion, never a key.

A numeric column written at full precision (no fixed decimals: a computed value, a sensor read
as a float) has no last decimal to mark at: the watermark rounds it to the decimals its spread
gives (:func:`openkamp.sharing.watermark.choose_column`) and marks it; the rounding is reported
as a ``round`` step among the transforms (:func:`rounding_step`). An export that carries no mark
(only whole-number, constant or text columns; no row key) says so: its record's ``watermark`` is
:func:`openkamp.sharing.watermark.none_record` with the reason (``unmarked``), never silent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import pyarrow as pa

from openkamp.sharing import watermark as wm
from openkamp.sharing.contract_keys import ContractKey
from openkamp.sharing.transforms import StepReport, TransformReport, TransformSpec, apply

__all__ = ["Export", "Recorded", "governed_export", "rounding_step", "watermark_record"]


class Recorded:
    """What a delivery record and its ledger entry keep of an export (whole-frame or streamed):
    rows, delivered columns, the transforms' report and the watermark's record."""

    transforms: TransformReport
    watermark: wm.WatermarkReport | None
    unmarked: Mapping[str, Any] | None

    def record(self) -> dict[str, Any]:
        return {
            "rows": self.transforms.rows,
            "columns": list(self.transforms.columns),
            "transforms": self.transforms.to_json(),
            "watermark": watermark_record(self.watermark, self.unmarked),
        }


@dataclass(frozen=True)
class Export(Recorded):
    """``unmarked``: why an export meant to be marked carries no mark
    (:func:`openkamp.sharing.watermark.none_record`); None when marked or not meant to be."""

    frame: pd.DataFrame | pa.Table
    transforms: TransformReport
    watermark: wm.WatermarkReport | None
    unmarked: Mapping[str, Any] | None = None


def watermark_record(
    report: wm.WatermarkReport | None, unmarked: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The record's ``watermark``: the report's JSON, the reason there is none, or None."""
    if report is not None:
        return report.to_json()
    return None if unmarked is None else dict(unmarked)


def rounding_step(params: wm.WatermarkParams) -> StepReport | None:
    """The ``round`` step the transforms' report gets when the watermark rounds full-precision
    columns (None when it rounds none): per column the decimals delivered, and the largest
    change of a value rounded (half a unit of the last decimal) and of one marked."""
    rounded = [c for c in params.columns if c.rounded]
    if not rounded:
        return None
    details = {
        "reason": "watermark",
        "decimals": {c.name: c.decimals for c in rounded},
        "max_rounding_change": {c.name: 0.5 * 10.0**-c.decimals for c in rounded},
        "max_mark_change": {c.name: c.max_change for c in rounded},
    }
    return StepReport("round", tuple(c.name for c in rounded), details)


def _with_rounding(report: TransformReport, params: wm.WatermarkParams) -> TransformReport:
    step = rounding_step(params)
    return report if step is None else replace(report, steps=(*report.steps, step))


def governed_export(
    frame: pd.DataFrame | pa.Table,
    spec: TransformSpec,
    key: ContractKey,
    *,
    row_key: Sequence[str],
    mark: bool = True,
    **options: Any,
) -> Export:
    """Transform ``frame`` as ``spec`` requires and mark it for the contract of ``key``.

    ``row_key``: the columns that identify a row in the export (e.g. the pseudonymised id and the
    timestamp): the watermark's row key, and the noise's seed per row. ``options`` go to
    :func:`openkamp.sharing.watermark.plan` (``gamma``, ``robust_decimals``, ``max_step_std``,
    ``columns``, ``exclude``)."""
    data, report = apply(frame, spec, key, row_key=row_key)
    if not mark:
        return Export(data, report, None)
    exclude = {*options.pop("exclude", ()), *report.columns_of("generalise")}
    params = wm.plan(data, row_key, exclude=sorted(exclude), **options)
    marked, mark_report = wm.embed(data, key, params)
    return Export(marked, _with_rounding(report, params), mark_report)
