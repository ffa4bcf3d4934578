"""What an import would do with a file, before it does it: the columns found, what each feeds.

It runs the import's own first steps — :meth:`ImportService.plan` (the same reader and plan:
encoding, delimiter and header sniffing, layout, timestamp column, signal or label per column)
and the same equipment choice — and stops before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openkamp.core.errors import ImportRejected
from openkamp.core.tenancy import Principal
from openkamp.ingest.importer import ImportOptions
from openkamp.ingest.mapping import choose_equipment
from openkamp.platform import Platform

SAMPLE_ROWS = 8


def _cell(v: Any) -> Any:
    if v is None or isinstance(v, int | float | str | bool):
        return v
    return str(v)


def preview(kamp: Platform, me: Principal, path: Path, opts: ImportOptions) -> dict[str, Any]:
    """Columns, sample rows, the timestamp column, and per column its planned target."""
    reader, plan = kamp.imports.plan(path, opts)
    equipment_path = None
    known: dict[str, tuple[str, str]] = {}  # any of its names -> (kind, machine name)
    try:
        node = choose_equipment(kamp.assets, me, opts.equipment, plan)
    except ImportRejected:
        node = None
    if node is not None:
        equipment_path = kamp.assets.path_of(me, node.id)
        for sig in kamp.assets.list_signals(me, node.id):
            for key in (sig.name, sig.name_ko, sig.name_en):
                if key:
                    known.setdefault(key, ("signal", sig.name))
        for col in kamp.assets.list_label_columns(me, node.id):
            for key in (col.name, col.name_ko, col.name_en):
                if key:
                    known.setdefault(key, ("label", col.name))
    columns = []
    for target in plan.targets:
        match = known.get(target.name) or known.get(target.column)
        kind: str = target.kind
        name = target.name
        if match is not None and kind != "ignore":
            kind, name = match
        columns.append(
            {
                "column": target.column,
                "kind": kind,
                "target": name,
                "exists": match is not None,
                "sample": [_cell(v) for v in reader.sample.get(target.column, [])[:3]],
            }
        )
    n = min(SAMPLE_ROWS, max((len(v) for v in reader.sample.values()), default=0))
    rows = [
        [_cell(reader.sample.get(c, [None] * n)[i]) if i < len(reader.sample.get(c, [])) else None
         for c in reader.columns]
        for i in range(n)
    ]  # fmt: skip
    signal_names = sorted({v[1] for v in known.values() if v[0] == "signal"})
    return {
        "file": path.name,
        "layout": plan.layout,
        "timestamp_column": plan.timestamp_column,
        "timestamp_format": plan.timestamp_format.describe(),
        "details": {k: _cell(v) for k, v in reader.details.items()},
        "header": reader.columns,
        "rows": rows,
        "columns": columns,
        "equipment": equipment_path,
        "signals": signal_names,
    }
