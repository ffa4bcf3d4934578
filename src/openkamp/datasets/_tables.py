"""Tables in and out of a dataset: Arrow types and dataset kinds, the declared columns checked
against a table, and the parts of a table made to fit its first part's schema."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from openkamp.core.errors import InvalidInput
from openkamp.datasets._version import DatasetColumn, check_columns

__all__ = [
    "columns_for",
    "conform",
    "empty_table",
    "kind_of",
    "order_and_check",
    "schema_for",
    "to_arrow",
]


def to_arrow(table: pd.DataFrame | pa.Table) -> pa.Table:
    if isinstance(table, pa.Table):
        arrow = table
    elif isinstance(table, pd.DataFrame):
        frame = table
        if not all(isinstance(c, str) for c in frame.columns):
            frame = frame.rename(columns=str)
        try:
            arrow = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InvalidInput(
                f"The table cannot be stored: {exc}",
                hint="Give each column one type (numbers, text, times or yes/no).",
                code="datasets.mixed_types",
            ) from exc
    else:
        raise InvalidInput("A dataset is made from a pandas or Arrow table.", code="datasets.table")
    # Pandas metadata would make the stored bytes depend on the pandas version.
    return arrow.replace_schema_metadata(None)


def kind_of(dtype: pa.DataType) -> str:
    """The dataset kind of an Arrow type."""
    if pa.types.is_boolean(dtype):
        return "bool"
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "number"
    if pa.types.is_timestamp(dtype) or pa.types.is_date(dtype):
        return "time"
    if pa.types.is_null(dtype):
        return "text"
    return "text"


def columns_for(
    arrow: pa.Table, columns: Sequence[DatasetColumn | Mapping[str, Any]] | None
) -> list[DatasetColumn]:
    if columns is None:
        cols: list[DatasetColumn] = []
        has_time = False
        for f in arrow.schema:
            kind = kind_of(f.type)
            role = "time" if kind == "time" and not has_time else "input"
            has_time = has_time or role == "time"
            cols.append(DatasetColumn(name=f.name, kind=kind, role=role, header=f.name))
    else:
        cols = [DatasetColumn.coerce(c) for c in columns]
    check_columns(cols)
    return cols


def order_and_check(arrow: pa.Table, cols: Sequence[DatasetColumn]) -> pa.Table:
    """The table's columns in the schema's order, each of a type that fits its declared kind."""
    names = [c.name for c in cols]
    have = arrow.column_names
    if len(set(have)) != len(have):
        dup = next(n for n in have if have.count(n) > 1)
        raise InvalidInput(
            f"Column {dup!r} appears twice.",
            code="datasets.duplicate_column",
            params={"column": dup},
        )
    missing = [n for n in names if n not in have]
    extra = [n for n in have if n not in names]
    if missing or extra:
        raise InvalidInput(
            "The column descriptions do not match the table's columns.",
            hint=f"Missing: {', '.join(missing) or '-'}; not described: {', '.join(extra) or '-'}.",
            code="datasets.columns_mismatch",
            params={"missing": ", ".join(missing) or "-", "extra": ", ".join(extra) or "-"},
        )
    arrow = arrow.select(names)
    for c in cols:
        actual = kind_of(arrow.schema.field(c.name).type)
        if pa.types.is_null(arrow.schema.field(c.name).type):
            continue  # an all-empty column fits any kind
        if actual != c.kind and not (c.kind == "text"):
            raise InvalidInput(
                f"Column {c.name!r} is declared {c.kind} but holds {actual} values.",
                code="datasets.kind_mismatch",
                params={"column": c.name, "kind": c.kind, "actual": actual},
            )
        if c.kind == "text" and actual != "text":
            idx = arrow.column_names.index(c.name)
            arrow = arrow.set_column(idx, c.name, arrow.column(c.name).cast(pa.string()))
    return arrow


_ARROW_TYPES = {
    "number": pa.float64(),
    "text": pa.string(),
    "time": pa.timestamp("us", tz="UTC"),
    "bool": pa.bool_(),
}


def schema_for(schema: pa.Schema, cols: Sequence[DatasetColumn]) -> pa.Schema:
    """The first part's schema, with all-empty (null-typed) columns given their kind's type."""
    fields = [
        pa.field(f.name, _ARROW_TYPES[c.kind]) if pa.types.is_null(f.type) else f
        for f, c in zip(schema, cols, strict=True)
    ]
    return pa.schema(fields)


def empty_table(cols: Sequence[DatasetColumn]) -> pa.Table:
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.kind]) for c in cols]).empty_table()


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A part in the table's schema (the same columns, cast where a part's types differ)."""
    if table.schema.equals(schema):
        return table
    try:
        return table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput(
            f"A part of the table does not fit the first part's types: {exc}",
            code="datasets.mixed_types",
        ) from exc
