"""What an import would do with a file, before it does it: what was detected and why, the
columns found, what each feeds.

It runs the import's own first steps — :meth:`ImportService.open_reader` (encoding, delimiter,
title blocks, header rows), :meth:`ImportService.preview_kind` (time series or a table of
records, with the reasons), then the plan of that kind (:meth:`ImportService.plan` for signals,
:meth:`ImportService.preview_records` for a dataset) and the same equipment choice — and stops
before anything is written. Every choice it shows is an :class:`ImportOptions` field the user
can change in the wizard (header row, time columns, id / label / excluded columns, the kind).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from openkamp.core.errors import ImportRejected, OpenKampError
from openkamp.core.tenancy import Principal
from openkamp.i18n import error_text, t
from openkamp.ingest.importer import ImportOptions
from openkamp.ingest.mapping import choose_equipment
from openkamp.platform import Platform

SAMPLE_ROWS = 8


def _cell(v: Any) -> Any:
    if v is None or isinstance(v, int | float | str | bool):
        return v
    return str(v)


def _note(note: dict[str, Any], lang: str) -> str:
    params = {
        k: (", ".join(map(str, v)) if isinstance(v, list) else v)
        for k, v in (note.get("params") or {}).items()
    }
    try:
        return t(str(note.get("code")), lang, **params)
    except (KeyError, IndexError, ValueError):
        return t(str(note.get("code")), lang)


#: How :meth:`TimestampFormat.describe` says that the times have fractional seconds.
_FRACTION = " (+ fractional seconds)"


def time_format_text(fmt: str, lang: str) -> str:
    """How a file wrote its times, in ``lang``: an example time written that way (예:
    2026-03-02 08:30:15) rather than the strptime pattern, or the kind of values (유닉스 시간);
    ``fmt`` is :meth:`TimestampFormat.describe`'s text. '' when there is nothing to say."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from openkamp.i18n import MESSAGES

    fraction = fmt.endswith(_FRACTION)
    pattern = fmt.removesuffix(_FRACTION).strip()
    if "%" not in pattern:
        key = f"web_data.import.time_format.{pattern}"
        return t(key, lang) if key in MESSAGES else ""
    if fraction:
        pattern = pattern.replace("%S", "%S.250", 1)
    if lang == "ko":  # morning as Korean exports write it (오전 8:30), read as AM
        pattern = pattern.replace("%p", "오전")
    try:
        when = datetime(2026, 3, 2, 8, 30, 15, tzinfo=ZoneInfo("Asia/Seoul"))
        example = when.strftime(pattern)
    except ValueError:
        return ""
    return t("web_data.import.time_example", lang, example=example)


def _known(kamp: Platform, me: Principal, node: Any) -> dict[str, tuple[str, str]]:
    """Any name of the equipment's signals and label columns -> (kind, machine name)."""
    known: dict[str, tuple[str, str]] = {}
    if node is None:
        return known
    for sig in kamp.assets.list_signals(me, node.id):
        for key in (sig.name, sig.name_ko, sig.name_en):
            if key:
                known.setdefault(key, ("signal", sig.name))
    for col in kamp.assets.list_label_columns(me, node.id):
        for key in (col.name, col.name_ko, col.name_en):
            if key:
                known.setdefault(key, ("label", col.name))
    return known


def _timeseries(kamp: Platform, me: Principal, path: Path, opts: ImportOptions) -> dict[str, Any]:
    """Signals: the column plan of a time-series import and the equipment it would go to."""
    _, plan = kamp.imports.plan(path, opts)
    try:
        node = choose_equipment(kamp.assets, me, opts.equipment, plan)
    except ImportRejected:
        node = None
    known = _known(kamp, me, node)
    columns = []
    for target in plan.targets:
        match = known.get(target.name) or known.get(target.column)
        kind: str = target.kind
        name = target.name
        if target.column in plan.time_columns:
            kind = "time"
        elif target.role == "id":
            kind = "id"
        elif match is not None and kind != "ignore":
            kind, name = match
        columns.append({"column": target.column, "kind": kind, "target": name,
                        "exists": match is not None})  # fmt: skip
    return {
        "time_columns": plan.time_columns
        or ([plan.timestamp_column] if plan.timestamp_column else []),
        "timestamp_format": plan.timestamp_format.describe(),
        "columns": columns,
        "equipment": None if node is None else kamp.assets.path_of(me, node.id),
        "signals": sorted({v[1] for v in known.values() if v[0] == "signal"}),
        "notes": plan.notes,
        "layout": plan.layout,
    }


def _records(kamp: Platform, me: Principal, path: Path, opts: ImportOptions) -> dict[str, Any]:
    """A dataset: each column's kind (number, text, time) and role (input, id, label …)."""
    plan = kamp.imports.preview_records(me, path, opts)
    columns = [
        {"column": c.header, "kind": c.role, "target": c.name, "exists": False, "type": c.kind,
         "unit": c.unit}
        for c in plan.columns
    ]  # fmt: skip
    equipment = None
    if opts.equipment:
        try:
            equipment = kamp.assets.path_of(me, kamp.assets.resolve(me, str(opts.equipment)).id)
        except OpenKampError:
            equipment = None
    return {
        # The file's columns the time is read from (a date and a time column: both), as the
        # time selects list them and as a time series' preview gives them.
        "time_columns": list(plan.source[plan.time_column]) if plan.time_column else [],
        "timestamp_format": plan.time_format.describe() if plan.time_format else "",
        "columns": columns,
        "equipment": equipment,
        "signals": [],
        "notes": [],
        "layout": "records",
    }


def preview(
    kamp: Platform, me: Principal, path: Path, opts: ImportOptions, lang: str = "ko"
) -> dict[str, Any]:
    """What was detected (and why), the columns with their planned role, sample rows."""
    reader = kamp.imports.open_reader(path, opts)
    decision = kamp.imports.preview_kind(me, path, opts)
    if decision.kind == "records":
        found = _records(kamp, me, path, opts)
    else:
        try:
            found = _timeseries(kamp, me, path, opts)
        except ImportRejected as exc:
            if opts.kind == "timeseries":
                raise
            # No time column a time series could use: say so, and show it as records.
            found = _records(kamp, me, path, opts)
            message, _ = error_text(exc, lang)
            found["notes"] = [{"text": message}]
            decision = kamp.imports.preview_kind(me, path, replace(opts, kind="records"))
    samples = {c: reader.sample.get(c, []) for c in reader.columns}
    for col in found["columns"]:
        col["sample"] = [_cell(v) for v in samples.get(col["column"], [])[:3]]
    n = min(SAMPLE_ROWS, max((len(v) for v in samples.values()), default=0))
    rows = [
        [_cell(samples[c][i]) if i < len(samples[c]) else None for c in reader.columns]
        for i in range(n)
    ]
    details = {k: _cell(v) for k, v in reader.details.items() if not isinstance(v, dict | list)}
    header = reader.header
    notes = [
        n.get("text") or _note(n, lang)
        for n in [*(header.notes if header is not None else []), *found.pop("notes")]
    ]
    return {
        "file": path.name,
        "kind": decision.kind,
        "detected_kind": decision.detected,
        "kind_reasons": decision.texts(lang),
        "sheets": [str(n) for n in (reader.details.get("sheets") or [])],
        "sheet": None if reader.details.get("sheet") is None else str(reader.details["sheet"]),
        "header_row": None if header is None else header.header_row,
        "header_rows": None if header is None else header.header_rows,
        "title": [] if header is None else list(header.title),
        "notes": notes,
        "timestamp_column": " + ".join(found["time_columns"]),
        "time_example": time_format_text(str(found.get("timestamp_format") or ""), lang),
        "details": details,
        "header": reader.columns,
        "rows": rows,
        **found,
    }
