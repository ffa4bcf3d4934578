"""Scoring a file ("판정"): read it exactly as an import reads it, match its columns to a
model's inputs, score every row.

The file goes through :meth:`ImportService.open_reader` (encoding, delimiter, title blocks and
header rows) and the record plan and converter of a dataset import (units split off headers,
thousands separators, summary rows quarantined). File columns meet the model's inputs through
:func:`openkamp.ingest.names.match_key` on the input's name and its signal's display names, so
``사출압력(bar)`` and ``사출 압력`` both feed the input ``사출압력``. Only inputs that no column
feeds are reported missing (``ml.score_missing_inputs``); every other column (ids, times,
labels) passes through, so each result row joins back to its row of the file.

:class:`FileScoring` reads and scores the file chunk by chunk (the import's chunks), so a file
of any size is scored in bounded memory; :func:`read_file` reads all rows at once (for tools
that want the table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
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


class FileScoring:
    """Scoring one file in bounded memory: opened and checked at once (the file's columns
    against the model's inputs, from its header and sample, before any row is read), then
    :meth:`run` reads it chunk by chunk as an import does and scores every chunk, the model
    carrying what it looks back on from one chunk to the next (:mod:`openkamp.ml.scoring`).

    The rows come out in file order with the file's own columns first (``_row``: the row's
    place among the rows read), then the model's outputs; a file column named like an output
    gets ``_file`` added.
    """

    def __init__(
        self,
        kamp: Platform,
        me: Principal,
        name: str,
        version: int | None,
        path: Path,
        lang: str = "en",
    ) -> None:
        from openkamp.datasets.importing import decide_kind, plan_for
        from openkamp.ingest.importer import ImportOptions

        self.kamp, self.me, self.path = kamp, me, path
        self.mv = kamp.models.get(me, name, version)
        opts = ImportOptions()
        self.reader = kamp.imports.open_reader(path, opts)
        decision = decide_kind(kamp.imports, me, self.reader, opts)
        self.plan = plan_for(kamp.imports, self.reader, opts, decision.plan)
        self.kind = decision.kind
        self.columns = [c.name for c in self.plan.columns if c.role != "ignore"]
        self.headers = {c.name: c.header for c in self.plan.columns}
        self.time_column = next((c.name for c in self.plan.columns if c.role == "time"), None)
        names = input_names(kamp, me, self.mv)
        self.inputs, missing = match_inputs(self.columns, self.headers, names)
        if missing:
            shown = display_inputs(kamp, me, self.mv, lang)
            raise InvalidInput(
                f"The file lacks inputs of the model: {', '.join(missing)}.",
                code="web_data.score_missing_inputs",
                params={
                    "missing": ", ".join(
                        m if shown.get(m, m) == m else f"{shown[m]} ({m})" for m in missing
                    ),
                    "n": len(missing),
                    "found": ", ".join(list(self.headers.values())[:40]),
                },
            )
        if self.mv.task in ("rul", "forecast"):
            raise InvalidInput(
                f"A {self.mv.task} model scores histories, not single records.",
                hint="Score stored data over a period instead.",
            )

    def run(
        self,
        *,
        sink: Callable[[pd.DataFrame], None] | None = None,
        limit: int | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> FileScored:
        """Read and score every row; the first ``limit`` rows (all with None) come back, every
        scored chunk goes to ``sink`` in file order, ``progress`` is told the share of the file
        read (and may raise to stop). What the file was predicted to hold is raised as alerts
        of the model's machine (the same file scored again is not counted twice)."""
        from openkamp.datasets.records import RecordConverter
        from openkamp.ingest.rows import Quarantine
        from openkamp.ml.scoring import Head, ScoreSummary, records_scorer

        kamp, mv = self.kamp, self.mv
        model = kamp.models.load(self.me, mv.name, mv.version)
        scorer = records_scorer(mv.task, model)
        inputs = list((mv.provenance.get("training") or {}).get("inputs") or self.inputs)
        head, summary = Head(limit), ScoreSummary(mv.task)
        waiting: list[pd.DataFrame] = []  # file rows whose scores wait for later rows
        numeric: set[str] | None = None  # input columns read as numbers (decided once)
        state = {"rows": 0, "seen": 0}
        clash: list[str] = []
        size = max(1, self.path.stat().st_size)

        def take(scored: pd.DataFrame) -> None:
            if not len(scored):
                return
            rows = pd.concat(waiting) if len(waiting) > 1 else waiting[0]
            done, rest = rows.iloc[: len(scored)], rows.iloc[len(scored) :]
            waiting[:] = [rest] if len(rest) else []
            clash[:] = [c for c in scored.columns if c in done.columns]
            done = done.rename(columns={c: f"{c}_file" for c in clash})
            out = pd.concat([done.reset_index(drop=True), scored.reset_index(drop=True)], axis=1)
            times = out[self.time_column] if self.time_column in out.columns else None
            summary.add(scored, times=times)
            state["rows"] += len(out)
            state["seen"] += rows_in_training_period(mv, out, self.time_column)
            head.add(out)
            if sink is not None:
                sink(out)

        quarantine = Quarantine()
        try:
            converter = RecordConverter(
                self.plan, kamp.settings.timezone, quarantine,
                str(self.reader.details.get("delimiter") or ","),
            )  # fmt: skip
            read = 0
            for chunk in self.reader.chunks({}):
                table = converter.convert(chunk)
                if table is not None and table.num_rows:
                    frame = table.to_pandas()
                    frame.index = pd.RangeIndex(read, read + len(frame))
                    frame.insert(0, "_row", np.arange(read + 1, read + len(frame) + 1))
                    read += len(frame)
                    X = pd.DataFrame({inp: frame[col] for inp, col in self.inputs.items()})
                    X = X[inputs] if inputs else X
                    X, numeric = _as_numbers(X, numeric)
                    waiting.append(frame)
                    take(scorer.feed(X))
                if progress is not None:
                    progress(min(1.0, float(chunk.bytes_done or 0) / size))
            if read == 0:
                raise InvalidInput("The file has no rows to score.", code="web_data.score_no_rows")
            take(scorer.finish())
            quarantined, reasons = quarantine.count, dict(quarantine.reasons)
        finally:
            quarantine.discard()
        checksum = self.reader.checksum.hexdigest()  # computed by the reader as it read the file
        kamp.alerts.raise_from_summary(self.me, mv, summary, scored=f"file:{checksum}")
        meta = {
            "source": self.path.name,
            "headers": {**self.headers, **{f"{c}_file": self.headers.get(c, c) for c in clash}},
            "inputs": self.inputs,
            "rows_read": state["rows"] + quarantined,
            "quarantined": quarantined,
            "reasons": reasons,
            "time_column": self.time_column,
            "kind": self.kind,
            "file": True,
        }
        return FileScored(head.frame(), summary, meta, state["seen"])


@dataclass
class FileScored:
    """A scored file: its first rows, what all its scores hold, what the result needs to be
    shown (headers, inputs, rows read and set aside) and its rows from the training period."""

    head: pd.DataFrame
    summary: Any
    meta: dict[str, Any]
    rows_in_training_period: int


def _as_numbers(X: pd.DataFrame, numeric: set[str] | None) -> tuple[pd.DataFrame, set[str]]:
    """Text inputs that hold numbers as numbers (:func:`openkamp.ml.tabular.numeric_text`),
    decided on the first chunk and kept for the rest of the file, so that a column is one
    kind of input in every chunk."""
    from openkamp.ml.tabular import numeric_text, to_number

    if numeric is None:
        out = numeric_text(X)
        return out, {c for c in X.columns if out[c].dtype != X[c].dtype}
    out = X.copy() if numeric & set(X.columns) else X
    for c in numeric & set(X.columns):
        if out[c].dtype.kind not in "biuf":
            out[c] = to_number(out[c])
    return out, numeric


def score_file(
    kamp: Platform, me: Principal, name: str, version: int | None, path: Path, lang: str = "en"
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every row of the file with the model's outputs after its own columns (``_row``: the
    row's place among the rows read), and what the result needs to be shown (see
    :class:`FileScoring`, which scores a file of any size without holding it)."""
    done = FileScoring(kamp, me, name, version, path, lang).run()
    return done.head, done.meta


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
