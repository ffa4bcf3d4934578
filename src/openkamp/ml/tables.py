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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from openkamp.assets.service import AssetService
from openkamp.core.assets import Node, NodeKind
from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal
from openkamp.query import QueryService

__all__ = [
    "Sample",
    "Table",
    "TableSummary",
    "iter_table",
    "newest_part",
    "read_table",
    "schema_hash",
    "summarise_table",
]


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
        _feed(h, self.frame)
        return _digest(h, self.frame.columns)

    @property
    def dataset_id(self) -> str:
        return _dataset_id(self.equipment, self.start, self.end, self.content_hash)

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


def _feed(h: Any, frame: pd.DataFrame) -> None:
    """Add ``frame``'s rows to the content hash ``h``. Each row hashes on its own (index and
    values), so feeding a table piece by piece in time order gives the hash of the whole."""
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())


def _digest(h: Any, columns: Sequence[object]) -> str:
    h.update(json.dumps([str(c) for c in columns]).encode())
    return str(h.hexdigest()[:16])


def _dataset_id(equipment: str, start: datetime | None, end: datetime | None, content: str) -> str:
    lo = "" if start is None else start.isoformat()
    hi = "" if end is None else end.isoformat()
    return f"{equipment}@{lo}..{hi}#{content}"


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


def _wanted(
    cols: EquipmentColumns, signals: Sequence[str] | None, labels: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """The signals and label columns to read (all when None), each checked to exist."""
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
    return want_signals, want_labels


def _nothing_stored(path: str) -> InvalidInput:
    return InvalidInput(
        f"No stored data for {path!r} in the chosen period.",
        hint="Import data first, or choose another period.",
    )


def _windows(
    query: QueryService,
    principal: Principal,
    cols: EquipmentColumns,
    signals: Sequence[str],
    start: datetime | None,
    end: datetime | None,
    most: int,
) -> list[tuple[datetime, datetime, int]]:
    """The equipment's signals' windows of at most ``most`` points; refused when empty."""
    windows = query.windows(principal, [f"{cols.path}/{s}" for s in signals], start, end, most)
    if not windows:
        raise _nothing_stored(cols.path)
    return windows


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
    want_signals, want_labels = _wanted(cols, signals, labels)
    points = query.read(principal, [f"{path}/{s}" for s in want_signals], start, end)
    long = points.select(["ts", "signal", "value"]).to_pandas()
    if long.empty:
        raise _nothing_stored(path)
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
    # One type per kind of column, whatever a period holds (a label column without a value
    # in it would otherwise be a column of float NaN): the schema and content hashes of a
    # table read piece by piece equal those of the table read at once.
    for name in want_signals:
        if frame[name].dtype != np.float64:
            frame[name] = frame[name].astype(np.float64)
    for name in want_labels:
        if frame[name].dtype != "str":
            frame[name] = frame[name].astype("str")
    return Table(frame, path, start, end, want_signals, want_labels)


#: The most points one piece of a table read piece by piece holds (tens of MB once pivoted).
PIECE_POINTS = 400_000


def iter_table(
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
    piece_points: int = PIECE_POINTS,
) -> Iterator[Table]:
    """:func:`read_table`'s table in pieces of consecutive periods, each holding at most
    ``piece_points`` points (counted in the engine before anything is read): a table of any
    size walked in bounded memory. Concatenated in order, the pieces are the table
    :func:`read_table` returns for the same arguments (rows are timestamps, and labels join
    on their own timestamp, so a cut between two timestamps divides nothing). Raises like
    :func:`read_table` when there is nothing to read."""
    cols = columns or equipment_columns(assets, principal, equipment)
    want, want_labels = _wanted(cols, signals, labels)
    for lo, hi, _ in _windows(query, principal, cols, want, start, end, piece_points):
        yield read_table(
            query, assets, principal, equipment, lo, hi, signals=want, labels=want_labels,
            columns=cols,
        )  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """The newest part of a table: its rows, and how much of the table it is."""

    table: Table
    points: int  # points read
    total_points: int  # points the whole period holds

    @property
    def whole(self) -> bool:
        return self.points == self.total_points


def newest_part(
    query: QueryService,
    assets: AssetService,
    principal: Principal,
    equipment: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    most_points: int,
    signals: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
) -> Sample:
    """The newest consecutive part of :func:`read_table`'s table that holds at most
    ``most_points`` points (the whole table when it is that small; at least the newest
    timestamp), counted in the engine before anything is read."""
    cols = equipment_columns(assets, principal, equipment)
    want, want_labels = _wanted(cols, signals, labels)
    windows = _windows(query, principal, cols, want, start, end, max(1, most_points // 4))
    total = sum(n for _, _, n in windows)
    taken = 0
    lo = windows[-1][0]
    for w_lo, _, n in reversed(windows):
        if taken and taken + n > most_points:
            break
        taken, lo = taken + n, w_lo
    table = read_table(
        query, assets, principal, equipment, lo, windows[-1][1], signals=want,
        labels=want_labels, columns=cols,
    )  # fmt: skip
    table.start, table.end = start, end
    return Sample(table, taken, total)


@dataclass
class TableSummary:
    """What :func:`read_table`'s table is, computed piece by piece: its identity (the same
    ``dataset_id`` and ``schema_hash`` as the whole table's), its size and its first rows."""

    equipment: str
    start: datetime | None
    end: datetime | None
    signals: list[str]
    labels: list[str]
    rows: int
    first: str | None
    last: str | None
    head: pd.DataFrame
    schema_hash: str
    content_hash: str

    @property
    def dataset_id(self) -> str:
        return _dataset_id(self.equipment, self.start, self.end, self.content_hash)

    def describe(self) -> dict[str, object]:
        return {
            "equipment": self.equipment,
            "rows": self.rows,
            "signals": list(self.signals),
            "labels": list(self.labels),
            "first": self.first,
            "last": self.last,
        }


def summarise_table(
    query: QueryService,
    assets: AssetService,
    principal: Principal,
    equipment: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    signals: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    head: int = 100,
    piece_points: int = PIECE_POINTS,
) -> TableSummary:
    """Identity, size and the first ``head`` rows of :func:`read_table`'s table, in memory
    bounded by ``piece_points`` whatever the table's size."""
    h = hashlib.sha256()
    rows = 0
    first_rows: list[pd.DataFrame] = []
    kept = 0
    piece: Table | None = None
    first: str | None = None
    for piece in iter_table(
        query, assets, principal, equipment, start, end, signals=signals, labels=labels,
        piece_points=piece_points,
    ):  # fmt: skip
        frame = piece.frame
        _feed(h, frame)
        if first is None and len(frame):
            first = frame.index[0].isoformat()
        rows += len(frame)
        if kept < head:
            first_rows.append(frame.iloc[: head - kept])
            kept += len(first_rows[-1])
    assert piece is not None  # iter_table raises when there is nothing
    top = pd.concat(first_rows) if first_rows else piece.frame.iloc[:0]
    return TableSummary(
        equipment=piece.equipment,
        start=start,
        end=end,
        signals=piece.signals,
        labels=piece.labels,
        rows=rows,
        first=first,
        last=piece.frame.index[-1].isoformat() if len(piece.frame) else None,
        head=top,
        schema_hash=schema_hash(top),
        content_hash=_digest(h, top.columns),
    )
