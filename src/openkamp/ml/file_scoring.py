"""Scoring a file ("판정"): read it exactly as an import reads it, match its columns to a
model's inputs, score every row.

The file goes through :meth:`ImportService.open_reader` (encoding, delimiter, title blocks and
header rows) and the record plan and converter of a dataset import (units split off headers,
thousands separators, summary rows quarantined). File columns meet the model's inputs through
:func:`openkamp.ingest.names.match_key` on the input's name and its signal's display names, so
``사출압력(bar)`` and ``사출 압력`` both feed the input ``사출압력``. Only inputs that no column
feeds are reported missing (``ml.score_missing_inputs``); every other column (ids, times,
labels) passes through, so each result row joins back to its row of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal
from openkamp.ingest.names import match_key

if TYPE_CHECKING:
    from openkamp.platform import Platform


@dataclass
class FileTable:
    """A file read for scoring: its rows (columns named as the dataset import names them), the
    header each came from, the time column, and the rows set aside with their reasons."""

    frame: pd.DataFrame
    headers: dict[str, str]
    time_column: str | None
    rows_read: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)
    kind: str = "records"  # what an import of the file would make of it: records or timeseries
    checksum: str = ""  # of the file's bytes, as the reader computed it while reading


def read_file(kamp: Platform, path: Path, me: Principal | None = None) -> FileTable:
    """Every row of ``path``, read by the importer's reader and the dataset import's plan,
    and the kind of data an import would take it for (the import's own decision,
    :func:`openkamp.datasets.importing.decide_kind`; every row is scored either way)."""
    from openkamp.datasets.importing import decide_kind, plan_for
    from openkamp.datasets.records import RecordConverter
    from openkamp.ingest.importer import ImportOptions
    from openkamp.ingest.rows import Quarantine

    opts = ImportOptions()
    reader = kamp.imports.open_reader(path, opts)
    decision = decide_kind(kamp.imports, me, reader, opts)
    plan = plan_for(kamp.imports, reader, opts, decision.plan)
    quarantine = Quarantine()
    try:
        converter = RecordConverter(
            plan, kamp.settings.timezone, quarantine, str(reader.details.get("delimiter") or ",")
        )
        tables = []
        for chunk in reader.chunks({}):
            rows = converter.convert(chunk)
            if rows is not None and rows.num_rows:
                tables.append(rows)
    finally:
        quarantine.discard()
    kept = [c.name for c in plan.columns if c.role != "ignore"]
    frame = (
        pa.concat_tables(tables).to_pandas() if tables else pd.DataFrame(columns=kept)
    ).reset_index(drop=True)
    time_col = next((c.name for c in plan.columns if c.role == "time"), None)
    return FileTable(
        frame=frame,
        headers={c.name: c.header for c in plan.columns},
        time_column=time_col,
        rows_read=len(frame) + quarantine.count,
        quarantined=quarantine.count,
        reasons=dict(quarantine.reasons),
        kind=decision.kind,
        checksum=reader.checksum.hexdigest(),  # computed by the reader as it read the file
    )


def input_names(kamp: Platform, me: Principal, mv: Any) -> dict[str, list[str]]:
    """Each model input with the names a file may give it: ``[own, Korean, English]`` (its
    signal's display names; ``""`` where there is none)."""
    inputs = list((mv.provenance.get("training") or {}).get("inputs") or [])
    spec = (mv.provenance.get("training") or {}).get("spec") or {}
    names: dict[str, list[str]] = {i: [i, "", ""] for i in inputs}
    if spec.get("dataset"):  # learnt from a table of records: its columns' display names
        try:
            version = kamp.datasets.get(me, str(spec["dataset"]))
        except (NotFound, InvalidInput):
            return names
        for col in version.columns:
            if col.name in names:
                ko, en = col.display.get("ko", ""), col.display.get("en", "")
                names[col.name] = [col.name, ko or col.header, en or col.header]
        return names
    equipment = spec.get("equipment")
    if equipment:
        try:
            node = kamp.assets.resolve(me, str(equipment))
            signals = kamp.assets.list_signals(me, node.id)
        except (NotFound, InvalidInput):  # the machine was renamed or deleted since
            signals = []
        for sig in signals:
            if sig.name in names:
                names[sig.name] = [sig.name, sig.name_ko or "", sig.name_en or ""]
    return names


def display_inputs(kamp: Platform, me: Principal, mv: Any, lang: str) -> dict[str, str]:
    """Each model input by the name people know it by in ``lang`` (its signal's display name)."""
    key = 1 if lang == "ko" else 2
    return {
        name: spellings[key] or spellings[1] or spellings[2] or name
        for name, spellings in input_names(kamp, me, mv).items()
    }


def match_inputs(
    columns: list[str], headers: dict[str, str], inputs: dict[str, list[str]]
) -> tuple[dict[str, str], list[str]]:
    """File column per model input (by :func:`match_key`), and the inputs no column feeds."""
    by_key: dict[str, str] = {}
    for col in columns:
        for text in (col, headers.get(col, col)):
            by_key.setdefault(match_key(text), col)
    found: dict[str, str] = {}
    missing: list[str] = []
    for name, spellings in inputs.items():
        keys = [match_key(s) for s in spellings if s]
        hit = next((by_key[k] for k in keys if k in by_key), None)
        if hit is None:
            missing.append(name)
        else:
            found[name] = hit
    return found, missing


def score_file(
    kamp: Platform, me: Principal, name: str, version: int | None, path: Path, lang: str = "en"
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every row of the file with the model's outputs after its own columns (``_row``: the
    row's place among the rows read), and what the result needs to be shown: the file's
    headers, the input each column fed, rows read and set aside."""
    mv = kamp.models.get(me, name, version)
    table = read_file(kamp, path, me)
    names = input_names(kamp, me, mv)
    found, missing = match_inputs(list(table.frame.columns), table.headers, names)
    if missing:
        shown = display_inputs(kamp, me, mv, lang)
        raise InvalidInput(
            f"The file lacks inputs of the model: {', '.join(missing)}.",
            code="web_data.score_missing_inputs",
            params={
                "missing": ", ".join(
                    m if shown.get(m, m) == m else f"{shown[m]} ({m})" for m in missing
                ),
                "n": len(missing),
                "found": ", ".join(list(table.headers.values())[:40]),
            },
        )
    if table.frame.empty:
        raise InvalidInput("The file has no rows to score.", code="web_data.score_no_rows")
    X = pd.DataFrame({inp: table.frame[col] for inp, col in found.items()})
    scored = kamp.ml.score_records(
        me, mv.name, X.to_dict("records"), version=mv.version
    ).reset_index(drop=True)
    # What the file's rows were predicted to be, as alerts of the model's machine (scoring the
    # same file again does not count them twice).
    times = table.frame.get(table.time_column) if table.time_column else None
    kamp.alerts.raise_from_scores(me, mv, scored, scored=f"file:{table.checksum}", times=times)
    frame = table.frame.copy()
    frame.insert(0, "_row", range(1, len(frame) + 1))
    clash = [c for c in scored.columns if c in frame.columns]
    frame = frame.rename(columns={c: f"{c}_file" for c in clash})
    meta = {
        "source": path.name,
        "headers": {**table.headers, **{f"{c}_file": table.headers.get(c, c) for c in clash}},
        "inputs": found,
        "rows_read": table.rows_read,
        "quarantined": table.quarantined,
        "reasons": table.reasons,
        "time_column": table.time_column,
        "kind": table.kind,
        "file": True,
    }
    return pd.concat([frame, scored], axis=1), meta


def rows_in_training_period(mv: Any, frame: pd.DataFrame, time_column: str | None) -> int:
    """Rows of the scored file whose time lies in the period the model learnt from: a
    comparison with their labels is an in-sample replay (flattering), not how the model does
    on new data."""
    data = (mv.provenance.get("training") or {}).get("data") or {}
    if not time_column or time_column not in frame.columns or not data.get("first"):
        return 0
    try:
        first = pd.Timestamp(str(data["first"]))
        last = pd.Timestamp(str(data.get("last") or data["first"]))
    except ValueError:
        return 0
    times = pd.to_datetime(frame[time_column], errors="coerce", utc=True)
    first = first.tz_localize("UTC") if first.tzinfo is None else first
    last = last.tz_localize("UTC") if last.tzinfo is None else last
    return int(((times >= first) & (times <= last)).sum())
