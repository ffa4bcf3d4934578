"""Snapshots: one equipment's signals and labels for a period, frozen as a dataset version.

The time series stay where they are (the time-series store, which keeps growing); a snapshot
is the table a model is trained on or a contract delivers, named, versioned and hashed like a
record table (origin ``snapshot``). The table is :func:`openkamp.ml.tables.read_table`'s: one
row per time any signal was recorded, a column per signal (numbers, with units and display
names from the asset model) and per label column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from openkamp.core.assets import check_name
from openkamp.core.tenancy import Principal, Role, require
from openkamp.datasets._tables import kind_of, to_arrow
from openkamp.datasets._version import DatasetColumn, DatasetVersion

if TYPE_CHECKING:
    from openkamp.assets.service import AssetService
    from openkamp.datasets.service import DatasetService
    from openkamp.query import QueryService

__all__ = ["snapshot"]


def snapshot(
    service: DatasetService,
    query: QueryService,
    assets: AssetService,
    principal: Principal,
    name: str,
    equipment: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    signals: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    description: str = "",
) -> DatasetVersion:
    """Store the equipment's table for ``[start, end)`` as the next version of ``name``."""
    from openkamp.ml.tables import equipment_node, read_table

    require(principal, Role.ENGINEER)
    check_name(name, "dataset name")  # before reading anything
    table = read_table(
        query, assets, principal, equipment, start, end, signals=signals, labels=labels
    )
    node = equipment_node(assets, principal, table.equipment)
    specs = {s.name: s for s in assets.list_signals(principal, node.id)}
    label_specs = {c.name: c for c in assets.list_label_columns(principal, node.id)}
    frame = table.frame.reset_index()
    arrow: pa.Table = to_arrow(frame)
    columns = [DatasetColumn("timestamp", "time", "time", header="timestamp",
                             display={"ko": "시각", "en": "Time"})]  # fmt: skip
    for f in arrow.schema:
        if f.name == "timestamp":
            continue
        if f.name in table.signals:
            s = specs[f.name]
            columns.append(
                DatasetColumn(
                    f.name,
                    "number",
                    "input",
                    header=f.name,
                    unit=s.unit,
                    display=_display(s.name_ko, s.name_en),
                )
            )
        else:
            c = label_specs.get(f.name)
            kind = kind_of(f.type)
            columns.append(
                DatasetColumn(
                    f.name,
                    kind if kind != "time" else "text",
                    "label",
                    header=f.name,
                    display=_display(c.name_ko, c.name_en) if c else {},
                )
            )
    return service.create(
        principal,
        name,
        arrow,
        columns,
        equipment=node.id,
        origin="snapshot",
        description=description,
        options={
            "equipment": table.equipment,
            "start": None if start is None else start.isoformat(),
            "end": None if end is None else end.isoformat(),
            "signals": table.signals,
            "labels": table.labels,
            "table_id": table.dataset_id,
        },
        if_changed=True,
    )


def _display(ko: str, en: str) -> dict[str, str]:
    return {k: v for k, v in (("ko", ko), ("en", en)) if v}
