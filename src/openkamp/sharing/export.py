"""Governed export in one call (issue 11, item 4): the contract's transforms, then its watermark.

:func:`governed_export` is what the delivery layer calls once the access is authorised: it runs
the contract's :class:`~openkamp.sharing.transforms.TransformSpec` with the contract's keys, then
marks the result for that contract (:mod:`openkamp.sharing.watermark`), leaving alone the columns
the transforms generalised (their values are bins: a mark would move a value out of its bin) and
the row key. :meth:`Export.record` is the JSON for the delivery record and the ledger entry: what
each transform did and the watermark's parameters and distortion, never a key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from openkamp.sharing import watermark as wm
from openkamp.sharing.contract_keys import ContractKey
from openkamp.sharing.transforms import TransformReport, TransformSpec, apply

__all__ = ["Export", "governed_export"]


@dataclass(frozen=True)
class Export:
    frame: pd.DataFrame | pa.Table
    transforms: TransformReport
    watermark: wm.WatermarkReport | None

    def record(self) -> dict[str, Any]:
        return {
            "rows": self.transforms.rows,
            "columns": list(self.transforms.columns),
            "transforms": self.transforms.to_json(),
            "watermark": None if self.watermark is None else self.watermark.to_json(),
        }


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
    return Export(marked, report, mark_report)
