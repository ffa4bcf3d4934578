"""The record-table branch of a file import: the file's rows become a dataset version.

:class:`openkamp.ingest.importer.ImportService` calls :func:`record_import` when a file is a
table of records (:func:`decide_kind`, the one decision of the kind). The same reader streams
the file; each chunk is converted by :class:`RecordConverter`; rows that cannot be kept are
quarantined with a reason (and kept as the file's raw lines, like a time-series import); the
kept rows are stored row for row — several per timestamp, text columns as text — as the next
version of the dataset, unless they equal its latest version. The import record links to the
version (``report.dataset``, and the version's ``import_id``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from openkamp.core.assets import LabelColumn, Node, NodeKind, Signal, slugify
from openkamp.core.errors import ImportRejected, NotFound
from openkamp.core.tenancy import Principal
from openkamp.datasets.records import (
    KindDecision,
    RecordConverter,
    RecordPlan,
    _key,
    detect_kind,
    plan_records,
)
from openkamp.ingest.plan import ColumnTarget, ImportPlan, detect_layout, find_time_columns
from openkamp.ingest.rows import Quarantine, prefetch
from openkamp.ingest.timestamps import TimestampFormat

if TYPE_CHECKING:
    from openkamp.assets.service import AssetService
    from openkamp.ingest.importer import ImportOptions, ImportReport, ImportService, Progress
    from openkamp.ingest.readers import FileReader


def known_columns(
    assets: AssetService, principal: Principal, equipment: str | int | None
) -> frozenset[str] | None:
    """Match keys of the signals and label columns of the chosen equipment, or of every
    equipment when none is chosen (the importer then finds the equipment by these names).
    None when the chosen equipment does not exist yet."""
    equipment_id: int | None = None
    if equipment is not None:
        try:
            equipment_id = _equipment(assets, principal, equipment).id
        except (NotFound, ImportRejected):
            return None
    keys: set[str] = set()
    items: list[Signal | LabelColumn] = [
        *assets.list_signals(principal, equipment_id),
        *assets.list_label_columns(principal, equipment_id),
    ]
    for item in items:
        keys |= {_key(n) for n in (item.name, item.name_ko, item.name_en) if n}
    return frozenset(keys)


def _equipment(assets: AssetService, principal: Principal, wanted: str | int) -> Node:
    node = (
        assets.get_node(principal, int(wanted))
        if isinstance(wanted, int) or str(wanted).isdecimal()
        else assets.resolve(principal, str(wanted))
    )
    if not isinstance(node, Node) or node.kind != NodeKind.EQUIPMENT:
        raise ImportRejected(
            f"{wanted!r} is not an equipment.",
            hint="Give the equipment path as site/line/equipment.",
            code="datasets.not_equipment",
            params={"equipment": str(wanted)},
        )
    return node


def series_hint(reader: FileReader, opts: ImportOptions) -> str | None:
    """A reason code when the user or the layout already makes the file a time series: a long
    layout (signal, time, value rows repeat times by design) or columns mapped to signals."""
    if opts.layout == "long":
        return "long_layout"
    if opts.layout == "auto":
        try:
            if detect_layout(reader.columns, "auto")[0] == "long":
                return "long_layout"
        except ImportRejected:
            pass
    if any(target not in ("", "-") for target in opts.columns.values()):
        return "mapped"
    return None


def ingest_plan(service: ImportService, reader: FileReader, opts: ImportOptions) -> ImportPlan:
    """The ingest plan of the file as a wide table that may lack a time (what a record table
    and the kind detection build on: time column(s), ids, numbers, units in cells)."""
    return _ingest_plan(service, reader, opts)[0]


def _ingest_plan(
    service: ImportService, reader: FileReader, opts: ImportOptions
) -> tuple[ImportPlan, bool]:
    """The plan, and whether it is exactly the plan a time-series import would make."""
    wide = replace(opts, layout="wide") if opts.layout == "long" else opts
    try:
        plan = service._build_plan(reader, wide, require_time=False)
        return plan, wide is opts and bool(plan.time_columns)
    except ImportRejected as exc:
        if exc.code != "ingest.no_data_columns":
            raise
    # Nothing but a time holds values in the sample (e.g. a header row chosen one line too
    # early): a plan whose other columns are all empty, as the ingest plan would have made it.
    wanted = opts.time_columns or ([opts.timestamp_column] if opts.timestamp_column else [])
    cols, fmt, _ = find_time_columns(reader.columns, reader.sample, wanted or None)
    plan = ImportPlan(
        "wide", cols[0] if cols else "", fmt or TimestampFormat(""), time_columns=list(cols)
    )
    left_out = {*opts.ignore_columns, *opts.exclude_columns}
    plan.targets = [
        ColumnTarget(c, "ignore", role="excluded" if c in left_out else "empty")
        for c in reader.columns
        if c not in cols
    ]
    return plan, False


def decide_kind(
    service: ImportService,
    principal: Principal | None,
    reader: FileReader,
    opts: ImportOptions,
) -> KindDecision:
    """Time series or records for this file and these options, with the reasons: how the
    preview, the import and the scoring of a file all decide (through :func:`detect_kind`).
    The decision carries the ingest plan it read (``series_plan``: a time-series import can
    use it as it is). Without a ``principal`` no equipment's signals are compared."""
    plan, reusable = _ingest_plan(service, reader, opts)
    decision = detect_kind(
        plan,
        reader.sample,
        requested=opts.kind,
        tz=opts.timezone or service.timezone,
        known_columns=None
        if principal is None
        else known_columns(service.assets, principal, opts.equipment),
        series_hint=series_hint(reader, opts),
    )
    return replace(decision, plan=plan, series_plan=reusable)


def plan_for(
    service: ImportService,
    reader: FileReader,
    opts: ImportOptions,
    base: ImportPlan | None = None,
) -> RecordPlan:
    """The dataset columns of a record import of the file (from ``base``, the ingest plan,
    when the caller has it already)."""
    return plan_records(
        base if base is not None else ingest_plan(service, reader, opts),
        reader.sample,
        roles=opts.roles,
        label_columns=opts.label_columns,
        excluded=[*opts.ignore_columns, *opts.exclude_columns],
    )


def dataset_name(opts: ImportOptions, file_name: str) -> str:
    """The dataset's name: as given, else from the file name (``사출_1호기.csv`` → ``사출_1호기``)."""
    return opts.dataset or slugify(Path(file_name).stem, "dataset")


def record_import(
    service: ImportService,
    principal: Principal,
    reader: FileReader,
    opts: ImportOptions,
    decision: KindDecision,
    file_name: str,
    options_hash: str,
    started: float,
    progress: Progress | None,
) -> ImportReport:
    """Import a record table as a dataset version; see the module docstring."""
    from openkamp.ingest.importer import ImportReport

    name = dataset_name(opts, file_name)
    plan = plan_for(service, reader, opts, decision.plan)
    equipment = (
        _equipment(service.assets, principal, opts.equipment)
        if opts.equipment is not None
        else None
    )
    tz = opts.timezone or service.timezone
    report = ImportReport(
        import_id=None,
        file_name=file_name,
        layout="records",
        details=reader.details,
        timestamp_column=next((c.header for c in plan.columns if c.role == "time"), ""),
        timestamp_format=plan.time_format.describe() if plan.time_format else "",
        equipment=service.assets.path_of(principal, equipment.id) if equipment else "",
        kind="records",
        kind_reasons=[r.to_dict() for r in decision.reasons],
    )
    record = service.meta.insert(
        principal.org_id,
        "import",
        {
            "file_name": file_name,
            "file_checksum": "",
            "file_size": reader.total_bytes,
            "options_hash": options_hash,
            "options": opts.fingerprint(),
            "status": "running",
            "started_at": datetime.now(UTC),
        },
    )
    report.import_id = record["id"]
    quarantine = Quarantine()
    try:
        converter = RecordConverter(plan, tz, quarantine, str(reader.details.get("delimiter", ",")))
        total = reader.total_bytes
        bounds: list[Any] = [None, None]  # first and last time of the kept rows

        def kept_rows() -> Iterator[pa.Table]:
            """The kept rows chunk by chunk, counting and quarantining on the way (the dataset
            service writes each part to the file as it comes: bounded memory)."""
            for chunk in prefetch(reader.chunks(plan.arrow_types())):
                report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
                for bad in chunk.bad_rows:
                    quarantine.add(bad.row, bad.reason, bad.raw)
                rows = converter.convert(chunk)
                if progress:
                    progress(min(chunk.bytes_done, total), total)
                if rows is not None and rows.num_rows:
                    _widen(bounds, rows, plan)
                    yield rows

        parts = kept_rows()
        first = next(parts, None)  # a file whose every row is quarantined makes no version
        if first is not None:
            version = service.datasets.create(
                principal,
                name,
                itertools.chain([first], parts),
                plan.columns,
                equipment=equipment.id if equipment else None,
                import_id=record["id"],
                description=file_name,
                options={"file_name": file_name, "import_id": record["id"]},
                if_changed=True,
            )
            report.dataset, report.dataset_id = version.ref, version.id
        for _ in parts:  # only when nothing was kept: count the rest of the file
            pass
        report.rows_stored = converter.stored
        report.file_checksum = reader.checksum.hexdigest()
        report.columns = {c.header: f"{c.role}:{c.name}" for c in plan.columns}
        if bounds[0] is not None:
            report.first_ts, report.last_ts = bounds[0].isoformat(), bounds[1].isoformat()
        quarantine.close()
        if quarantine.count:
            report.quarantine_sha256 = service.files.put(
                principal.org_id, Path(quarantine.path)
            ).sha256
        report.status = "done"
    except BaseException as exc:
        report.status = "failed"
        report.error = str(exc)
        raise
    finally:
        quarantine.discard()
        report.rows_quarantined = quarantine.count
        report.reasons = dict(quarantine.reasons)
        report.examples = quarantine.examples
        report.seconds = round(time.perf_counter() - started, 3)
        service._save(principal, report)
    assert report.balanced(), "rows read must equal rows stored plus rows quarantined"
    return report


def _widen(bounds: list[Any], rows: pa.Table, plan: RecordPlan) -> None:
    """Stretch ``bounds`` (first, last time) over the rows' time column."""
    time_col = plan.time_column
    if time_col is None:
        return
    mm: Any = pc.min_max(rows.column(time_col))
    lo, hi = mm["min"].as_py(), mm["max"].as_py()
    if lo is not None and (bounds[0] is None or lo < bounds[0]):
        bounds[0] = lo
    if hi is not None and (bounds[1] is None or hi > bounds[1]):
        bounds[1] = hi
