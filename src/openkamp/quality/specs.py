"""What a column is allowed to hold: declared ranges, categories and limits for the quality checks.

A :class:`ColumnSpec` is the quality module's own small view of a column; :func:`column_specs`
derives it from the asset model (``SignalSpec`` / ``LabelSpec`` of an ``EquipmentSpec``, or the
stored ``Signal`` / ``LabelColumn`` records), so the limits an engineer declared once for a signal
are the limits its data is checked against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["ColumnKind", "ColumnSpec", "column_specs"]

ColumnKind = Literal["number", "integer", "bool", "category", "text"]


@dataclass(frozen=True)
class ColumnSpec:
    """Declared expectations of one column (all optional).

    Attributes
    ----------
    min, max : the physically or technically possible range (inclusive)
    categories : the allowed values of a category column (``None``: any)
    kind : what the values should be (``number``, ``integer``, ``bool``, ``category``, ``text``)
    max_step : the largest possible change between two consecutive readings
    sparse : the column is empty by design most of the time (an event label written at the end
        of a batch): its empty cells do not lower completeness
    constant_ok : the column may legitimately hold one value for long (a setpoint): it is never
        called stuck
    """

    min: float | None = None
    max: float | None = None
    categories: tuple[str, ...] | None = None
    kind: ColumnKind | None = None
    max_step: float | None = None
    sparse: bool = False
    constant_ok: bool = False


_SIGNAL_KINDS: dict[str, ColumnKind] = {"float": "number", "int": "integer", "bool": "bool"}
_LABEL_KINDS: dict[str, ColumnKind] = {
    "bool": "bool",
    "category": "category",
    "text": "text",
    "number": "number",
}


def _spec_of(item: Any) -> ColumnSpec:
    if isinstance(item, ColumnSpec):
        return item
    if isinstance(item, Mapping):
        return ColumnSpec(**item)
    if hasattr(item, "label_type"):  # LabelSpec / LabelColumn
        kind = _LABEL_KINDS.get(str(getattr(item.label_type, "value", item.label_type)))
        cats = tuple(str(c) for c in (getattr(item, "categories", None) or ()))
        return ColumnSpec(kind=kind, categories=cats if kind == "category" and cats else None)
    if hasattr(item, "value_type"):  # SignalSpec / Signal
        kind = _SIGNAL_KINDS.get(str(getattr(item.value_type, "value", item.value_type)))
        lo, hi = getattr(item, "min_value", None), getattr(item, "max_value", None)
        return ColumnSpec(
            min=None if lo is None else float(lo), max=None if hi is None else float(hi), kind=kind
        )
    raise TypeError(f"cannot read a column spec from {type(item).__name__}")


def column_specs(source: Any) -> dict[str, ColumnSpec]:
    """Column name → :class:`ColumnSpec`, from an equipment spec, records, or a mapping.

    ``source`` may be an ``EquipmentSpec`` (its signals and labels), an iterable of
    ``SignalSpec`` / ``LabelSpec`` / ``Signal`` / ``LabelColumn``, or a mapping of column name to
    a :class:`ColumnSpec`, a dict of its fields, or one of those asset types.
    """
    if source is None:
        return {}
    if isinstance(source, Mapping):
        return {str(k): _spec_of(v) for k, v in source.items()}
    if hasattr(source, "signals") and hasattr(source, "labels"):
        items: Iterable[Any] = [*source.signals, *source.labels]
    else:
        items = source
    return {str(item.name): _spec_of(item) for item in items}
