"""Training tables: one piece of equipment's stored signals and labels as one wide table.

Models learn from, and score, *tables*: one row per timestamp, one column per signal (numbers)
and per label column (text), read through the query service, so every read is scoped to the
acting organisation like any other query::

    table = read_table(kamp.query, kamp.assets, me, "plant1/line1/inj01", start, end)
    table.frame          # DatetimeIndex (UTC) × signals and labels
    table.dataset_id     # "plant1/line1/inj01@2026-03-02T00:00:00+00:00..2026-03-06T00:00:00+00:00#1f0c…"
    table.schema_hash    # columns and their types, hashed: what a model's inputs must look like

The dataset id names exactly what was read (equipment, range and a hash of the content), so a
registered model's provenance says which data it was trained on and a changed store is noticed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
import pandas as pd

from openkamp.assets.service import AssetService
from openkamp.core.assets import Node, NodeKind
from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal
from openkamp.query import QueryService

__all__ = ["Table", "read_table", "schema_hash"]


def schema_hash(frame: pd.DataFrame) -> str:
    """SHA-256 (16 hex digits) of the column names and kinds (number or text) of ``frame``."""
    kinds = [
        [str(c), "number" if pd.api.types.is_numeric_dtype(frame[c]) else "text"]
        for c in frame.columns
    ]
    return hashlib.sha256(json.dumps(kinds).encode()).hexdigest()[:16]


@dataclass
class Table:
    """A wide table of one equipment's data in ``[start, end)``."""

    frame: pd.DataFrame
    equipment: str
    start: datetime | None
    end: datetime | None
    signals: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    @property
    def schema_hash(self) -> str:
        return schema_hash(self.frame)

    @cached_property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(pd.util.hash_pandas_object(self.frame, index=True).to_numpy().tobytes())
        h.update(json.dumps([str(c) for c in self.frame.columns]).encode())
        return h.hexdigest()[:16]

    @property
    def dataset_id(self) -> str:
        lo = "" if self.start is None else self.start.isoformat()
        hi = "" if self.end is None else self.end.isoformat()
        return f"{self.equipment}@{lo}..{hi}#{self.content_hash}"

    def describe(self) -> dict[str, object]:
        """Plain facts about the table (for provenance and reports)."""
        idx = self.frame.index
        return {
            "equipment": self.equipment,
            "rows": len(self.frame),
            "signals": list(self.signals),
            "labels": list(self.labels),
            "first": None if len(idx) == 0 else idx[0].isoformat(),
            "last": None if len(idx) == 0 else idx[-1].isoformat(),
        }


def equipment_node(assets: AssetService, principal: Principal, path: str) -> Node:
    node = assets.resolve(principal, path)
    if not isinstance(node, Node) or node.kind != NodeKind.EQUIPMENT:
        raise InvalidInput(f"{path!r} is not a piece of equipment (site/line/equipment).")
    return node


@dataclass(frozen=True)
class EquipmentColumns:
    """What one piece of equipment records: its path, signal names and label columns."""

    path: str
    signals: list[str]
    labels: dict[str, int]  # label column name -> id


def equipment_columns(assets: AssetService, principal: Principal, path: str) -> EquipmentColumns:
    """The columns a table of ``path`` can have (one lookup, shared by checks and the read)."""
    path = path.strip("/")
    node = equipment_node(assets, principal, path)
    return EquipmentColumns(
        path,
        [s.name for s in assets.list_signals(principal, node.id)],
        {c.name: c.id for c in assets.list_label_columns(principal, node.id)},
    )


def read_table(
    query: QueryService,
    assets: AssetService,
    principal: Principal,
    equipment: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    signals: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    columns: EquipmentColumns | None = None,
) -> Table:
    """Signals (all when None) and label columns (all when None) of ``equipment`` as one table.

    Rows are the union of the timestamps of the signals read; label values join on exactly
    equal timestamps (labels recorded with the row they describe, as imports store them).
    ``columns``: the equipment's columns when the caller has looked them up already.
    """
    cols = columns or equipment_columns(assets, principal, equipment)
    path = cols.path
    known_signals = cols.signals
    known_labels = list(cols.labels)
    want_signals = known_signals if signals is None else list(signals)
    want_labels = known_labels if labels is None else list(labels)
    for name in want_signals:
        if name not in known_signals:
            raise NotFound(
                f"Equipment {path!r} has no signal {name!r}.",
                hint=f"Its signals: {', '.join(known_signals) or '(none)'}.",
            )
    for name in want_labels:
        if name not in known_labels:
            raise NotFound(
                f"Equipment {path!r} has no label column {name!r}.",
                hint=f"Its label columns: {', '.join(known_labels) or '(none)'}.",
            )
    if not want_signals:
        raise InvalidInput(f"Nothing to read: equipment {path!r} has no signals.")
    points = query.read(principal, [f"{path}/{s}" for s in want_signals], start, end)
    long = points.select(["ts", "signal", "value"]).to_pandas()
    if long.empty:
        raise InvalidInput(
            f"No stored data for {path!r} in the chosen period.",
            hint="Import data first, or choose another period.",
        )
    frame = long.pivot(index="ts", columns="signal", values="value")
    frame = frame.reindex(columns=want_signals)
    if want_labels:
        lab = query.labels(principal, [cols.labels[c] for c in want_labels], start, end)
        if lab.num_rows:
            names = {cols.labels[c]: c for c in want_labels}
            ldf = lab.to_pandas()
            ldf["label"] = ldf["column_id"].map(names)
            wide = ldf.pivot(index="ts", columns="label", values="value")
            frame = frame.join(wide.reindex(columns=want_labels), how="left")
        else:
            for name in want_labels:
                frame[name] = pd.Series(np.nan, index=frame.index, dtype=object)
    frame.index.name = "timestamp"
    frame = frame.sort_index()
    frame.columns.name = None
    return Table(frame, path, start, end, want_signals, want_labels)
