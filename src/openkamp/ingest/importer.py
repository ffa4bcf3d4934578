"""The file import service: parse → map to assets/signals → validate → store or quarantine.

Guarantees, checked by the broken-file corpus in the tests:

* **Nothing is lost.** Every data row ends up stored or quarantined with a reason, and the
  report always satisfies ``rows_read == rows_stored + rows_quarantined``. Quarantined rows are
  kept as a CSV in the file store, next to the import record.
* **Whole-file problems change nothing.** They are found while planning (before any write) and
  raised as :class:`ImportRejected` with the problem and its fix.
* **Re-importing adds nothing.** A file already imported with the same options is recognised by
  its checksum and skipped; forcing the import writes no new points because point writes are
  idempotent.
* **Bounded memory.** Files are streamed in chunks; one chunk is parsed while the previous one is
  written.
* **Crash safety.** Points are committed chunk by chunk; an import interrupted by a crash is
  marked ``interrupted`` on the next start and can simply be run again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import xxhash

from openkamp.assets.service import AssetService
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal, Role, require
from openkamp.datasets.importing import decide_kind, plan_for, record_import
from openkamp.datasets.records import KindDecision, RecordPlan
from openkamp.datasets.service import DatasetService
from openkamp.ingest.convert import ChunkConverter
from openkamp.ingest.mapping import SignalMapping, choose_equipment
from openkamp.ingest.plan import ImportPlan, build_plan
from openkamp.ingest.readers import BadRow, FileReader, ReaderOptions, reader_for
from openkamp.ingest.rows import Quarantine, SeenTimes, prefetch
from openkamp.plugins import file_readers
from openkamp.storage.files.base import FileStore
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.timeseries.base import TimeSeriesStore, WriteResult

Progress = Callable[[int, int], None]
_EXAMPLES = 20


@dataclass
class ImportOptions:
    """How to read a file. Everything is detected when left at its default."""

    equipment: str | int | None = None  # path 'site/line/equipment' or id
    layout: Literal["auto", "wide", "long"] = "auto"
    timestamp_column: str | None = None  # the older option: time_columns=[it]
    timestamp_format: str | None = None  # strptime pattern (of the joined text for date + time)
    timezone: str | None = None  # for times without offset; default: the platform's
    columns: dict[str, str] = field(default_factory=dict)  # header -> signal name ('-' = ignore)
    label_columns: list[str] = field(default_factory=list)
    ignore_columns: list[str] = field(default_factory=list)
    create_signals: bool = True
    encoding: str | None = None
    delimiter: str | None = None
    skip_rows: int = 0  # title lines above the header (the older option: header_row wins)
    sheet: str | int | None = None
    force: bool = False
    # Layout choices the preview shows and the user may override (None / empty: detected).
    header_row: int | None = None  # 0-based row (line) of the header
    header_rows: int | None = None  # 1 or 2 (e.g. Korean above English, group above name)
    time_columns: list[str] = field(default_factory=list)  # [time] or [date, time]
    id_columns: list[str] | None = None  # part / shot / lot / cavity; None: detected by name
    exclude_columns: list[str] = field(default_factory=list)  # same as ignore_columns
    # Time series (signals) or a table of records (a dataset); "auto" decides from the file
    # (see openkamp.datasets.records.detect_kind). ``dataset`` names the dataset of a record
    # import (default: from the file name); ``roles`` sets a column's role there (header ->
    # input | time | id | group | label | ignore).
    kind: Literal["auto", "timeseries", "records"] = "auto"
    dataset: str | None = None
    roles: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> dict[str, Any]:
        """The options that change what an import stores (not how it is run)."""
        d = asdict(self)
        d.pop("force")
        # Layout options at their defaults are left out: files imported before they existed
        # are still recognised as already imported.
        for key, default in _LAYOUT_DEFAULTS.items():
            if d.get(key) == default:
                d.pop(key, None)
        return d


_LAYOUT_DEFAULTS: dict[str, Any] = {
    "header_row": None,
    "header_rows": None,
    "time_columns": [],
    "id_columns": None,
    "exclude_columns": [],
}


#: The counters of an import report, in the order people read them.
#: Seconds between the counts a running import writes to its record.
CHECKPOINT_S = 1.0

COUNTS = (
    "rows_read",
    "rows_stored",
    "rows_quarantined",
    "points_inserted",
    "points_updated",
    "points_unchanged",
    "labels_written",
)


@dataclass
class ImportReport:
    import_id: int | None
    file_name: str
    file_checksum: str = ""
    status: Literal["done", "skipped", "failed"] = "done"
    layout: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    timestamp_column: str = ""
    timestamp_format: str = ""
    equipment: str = ""
    rows_read: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    points_inserted: int = 0
    points_updated: int = 0
    points_unchanged: int = 0
    labels_written: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    quarantine_sha256: str | None = None
    first_ts: str | None = None
    last_ts: str | None = None
    seconds: float = 0.0
    previous_import_id: int | None = None
    error: str | None = None
    kind: str = "timeseries"  # or "records": the rows went to a dataset version
    kind_reasons: list[dict[str, Any]] = field(default_factory=list)
    dataset: str | None = None  # "name@version" of a record import
    dataset_id: int | None = None

    @property
    def points_written(self) -> int:
        return self.points_inserted + self.points_updated

    def balanced(self) -> bool:
        return self.rows_read == self.rows_stored + self.rows_quarantined

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _quick_fingerprint(path: Path) -> str:
    """Size plus the first and last MiB: cheap to compute, confirms with the full checksum."""
    h = xxhash.xxh3_128(str(path.stat().st_size).encode())
    with open(path, "rb") as fh:
        h.update(fh.read(1 << 20))
        fh.seek(max(0, path.stat().st_size - (1 << 20)))
        h.update(fh.read(1 << 20))
    return h.hexdigest()


def _full_checksum(path: Path) -> str:
    """The file's xxh3-128, as the reader computes it while importing."""
    h = xxhash.xxh3_128()
    with open(path, "rb") as fh:
        while block := fh.read(4 << 20):
            h.update(block)
    return h.hexdigest()


class ImportService:
    """Imports files into the organisation's signals and label columns."""

    def __init__(
        self,
        meta: MetadataStore,
        timeseries: TimeSeriesStore,
        files: FileStore,
        assets: AssetService,
        *,
        timezone: str = "Asia/Seoul",
        chunk_bytes: int = 16 << 20,
        max_columns: int = 2000,
        max_uncompressed_bytes: int = 2 * 1024**3,
    ) -> None:
        self.meta, self.ts, self.files, self.assets = meta, timeseries, files, assets
        self.timezone = timezone
        self.chunk_bytes = chunk_bytes
        self.max_columns = max_columns
        self.max_uncompressed_bytes = max_uncompressed_bytes
        # Record tables become dataset versions (the same service as Platform.datasets).
        self.datasets = DatasetService(meta, files, assets)
        #: Several processes on one store: the process's LeaseKeeper (a running import is its
        #: own under the lease ``import:<id>``; see mark_interrupted). None: one process.
        self.leases: Any = None

    # -- records ------------------------------------------------------------------------------

    def get(self, principal: Principal, import_id: int) -> dict[str, Any]:
        return self.meta.get(principal.org_id, "import", import_id)

    def list(self, principal: Principal) -> list[dict[str, Any]]:
        return self.meta.find(principal.org_id, "import")

    def quarantined_rows(self, principal: Principal, import_id: int) -> bytes:
        rec = self.get(principal, import_id)
        if not rec["quarantine_sha256"]:
            return b""
        return self.files.read_bytes(principal.org_id, rec["quarantine_sha256"])

    def quarantine_pieces(self, principal: Principal, import_id: int) -> Iterator[bytes]:
        """:meth:`quarantined_rows` a megabyte at a time (for a streaming download). The record
        is looked up (and refused) at the call, before the first piece."""
        rec = self.get(principal, import_id)
        sha = rec["quarantine_sha256"]
        org = principal.org_id

        def pieces() -> Iterator[bytes]:
            if not sha:
                return
            with self.files.open(org, sha) as fh:
                while chunk := fh.read(1 << 20):
                    yield chunk

        return pieces()

    def mark_interrupted(self) -> int:
        """Imports left 'running' by a process that died are marked 'interrupted', keeping the
        counts of what they had stored (their last checkpoint). With :attr:`leases` (several
        processes), only those whose process no longer holds their lease."""
        held: set[str] = set()
        if self.leases is not None:
            _, live = self.leases.store.live("import:")
            held = {lease.resource for lease in live}
        n = 0
        for org in self.meta.list_orgs():
            for rec in self.meta.find(org["id"], "import", status="running"):
                if f"import:{rec['id']}" in held:
                    continue  # another live process runs it
                report = dict(rec.get("report") or {})
                values: dict[str, Any] = {"status": "interrupted"}
                if report:
                    values["report"] = {**report, "status": "interrupted"}
                self.meta.update(org["id"], "import", rec["id"], values)
                n += 1
        return n

    # -- the import ---------------------------------------------------------------------------

    def plan(
        self, path: str | Path, options: ImportOptions | None = None, *, require_time: bool = False
    ) -> tuple[FileReader, ImportPlan]:
        """Open ``path`` with its reader and decide what each column means; writes nothing.

        The first steps of :meth:`import_file`, also what a preview shows: the same encoding,
        delimiter and header sniffing, layout, timestamp column and target of every column.
        Raises :class:`ImportRejected` for a file that cannot be imported at all. A file
        without a time column gets a plan without time columns unless ``require_time``. The
        plan does not say which kind the file is: :meth:`preview_kind` does, as the import
        decides it. ``plan.notes`` say what was detected and why (catalogue codes
        ``ingest.note.*`` with params): where the header is, title rows, the sheet, the time
        column(s), id columns, summary rows.
        """
        opts = options or ImportOptions()
        reader = self.open_reader(path, opts)
        return reader, self._build_plan(reader, opts, require_time=require_time)

    @staticmethod
    def _build_plan(
        reader: FileReader, opts: ImportOptions, *, require_time: bool = True
    ) -> ImportPlan:
        plan = build_plan(
            reader.columns,
            reader.sample,
            layout=opts.layout,
            timestamp_column=opts.timestamp_column,
            timestamp_format=opts.timestamp_format,
            time_columns=opts.time_columns,
            mapping=opts.columns,
            label_columns=opts.label_columns,
            ignore_columns=[*opts.ignore_columns, *opts.exclude_columns],
            id_columns=opts.id_columns,
            english=reader.details.get("english_names", {}),
            require_time=require_time,
        )
        if reader.header is not None:
            plan.notes[:0] = reader.header.notes  # the file's layout first, then the columns
        return plan

    def open_reader(self, path: str | Path, options: ImportOptions | None = None) -> FileReader:
        """The file's reader (encoding, delimiter, header and sample found); reads no data."""
        opts = options or ImportOptions()
        path = Path(path)
        return reader_for(path, file_readers())(
            path,
            ReaderOptions(
                encoding=opts.encoding,
                delimiter=opts.delimiter,
                skip_rows=opts.skip_rows,
                header_row=opts.header_row,
                header_rows=opts.header_rows,
                sheet=opts.sheet,
                chunk_bytes=self.chunk_bytes,
                max_columns=self.max_columns,
                max_uncompressed_bytes=self.max_uncompressed_bytes,
            ),
        )

    def preview_kind(
        self, principal: Principal, path: str | Path, options: ImportOptions | None = None
    ) -> KindDecision:
        """Whether the file would be imported as signals or as a dataset of records, and why
        (``decision.reasons``: catalogue codes with params, ``decision.texts(lang)``)."""
        require(principal, Role.VIEWER)
        opts = options or ImportOptions()
        return self._kind(principal, self.open_reader(path, opts), opts)

    def preview_records(
        self, principal: Principal, path: str | Path, options: ImportOptions | None = None
    ) -> RecordPlan:
        """The dataset columns (kind, role, unit) a record import of the file would make."""
        require(principal, Role.VIEWER)
        opts = options or ImportOptions()
        return plan_for(self, self.open_reader(path, opts), opts)

    def _kind(self, principal: Principal, reader: FileReader, opts: ImportOptions) -> KindDecision:
        return decide_kind(self, principal, reader, opts)

    def import_file(
        self,
        principal: Principal,
        path: str | Path,
        options: ImportOptions | None = None,
        *,
        progress: Progress | None = None,
        file_name: str | None = None,
    ) -> ImportReport:
        require(principal, Role.ENGINEER)
        opts = options or ImportOptions()
        path = Path(path)
        if not path.is_file():
            raise InvalidInput(
                f"No file at {path}.", code="ingest.no_file", params={"path": str(path)}
            )
        started = time.perf_counter()
        name = file_name or path.name
        tz = opts.timezone or self.timezone
        options_hash = hashlib.sha256(
            (
                _quick_fingerprint(path)
                + json.dumps(opts.fingerprint(), sort_keys=True, default=str)
            ).encode()
        ).hexdigest()

        previous = self.meta.find(
            principal.org_id, "import", options_hash=options_hash, status="done"
        )
        if previous and not opts.force:
            checksum = _full_checksum(path)
            same = [r for r in previous if r["file_checksum"] == checksum]
            if same:
                prev = same[-1]
                return ImportReport(
                    import_id=None,
                    file_name=name,
                    file_checksum=checksum,
                    status="skipped",
                    rows_read=prev["rows_read"],
                    rows_stored=prev["rows_stored"],
                    rows_quarantined=prev["rows_quarantined"],
                    previous_import_id=prev["id"],
                    equipment=prev["report"].get("equipment", ""),
                    kind=prev["report"].get("kind", "timeseries"),
                    dataset=prev["report"].get("dataset"),
                    dataset_id=prev["report"].get("dataset_id"),
                    seconds=time.perf_counter() - started,
                )

        # Planning: everything that can reject the whole file happens before any write.
        reader = self.open_reader(path, opts)
        plan: ImportPlan | None = None
        if opts.kind != "timeseries":
            decision = self._kind(principal, reader, opts)
            if decision.kind == "records":
                return record_import(
                    self, principal, reader, opts, decision, name, options_hash, started, progress
                )
            if decision.series_plan:
                plan = decision.plan  # the file planned once
        if plan is None:
            plan = self._build_plan(reader, opts)
        equipment = choose_equipment(self.assets, principal, opts.equipment, plan)
        report = ImportReport(
            import_id=None,
            file_name=name,
            layout=plan.layout,
            details=reader.details,
            timestamp_column=plan.time_label,
            timestamp_format=plan.timestamp_format.describe(),
            equipment=self.assets.path_of(principal, equipment.id),
        )
        mapping = SignalMapping(self.assets, principal, equipment, create=opts.create_signals)
        mapping.resolve(plan.targets, report.equipment)
        keeper = self.leases
        # The record and its lease together: mark_interrupted never sees one without the other.
        with self.meta.transaction() if keeper is not None else contextlib.nullcontext():
            record = self.meta.insert(
                principal.org_id,
                "import",
                {
                    "file_name": name,
                    "file_checksum": "",
                    "file_size": path.stat().st_size,
                    "options_hash": options_hash,
                    "options": opts.fingerprint(),
                    "status": "running",
                    "started_at": datetime.now(UTC),
                },
            )
            if keeper is not None:
                keeper.store.acquire(f"import:{record['id']}", keeper.holder, keeper.ttl_s)
        if keeper is not None:
            keeper.track(f"import:{record['id']}")
        report.import_id = record["id"]
        quarantine = Quarantine()
        try:
            self._run(principal, reader, plan, mapping, tz, report, quarantine, progress)
            report.file_checksum = reader.checksum.hexdigest()
            quarantine.close()
            if quarantine.count:
                report.quarantine_sha256 = self.files.put(
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
            try:
                self._save(principal, report)
            finally:
                if keeper is not None:
                    keeper.release(f"import:{record['id']}")
        assert report.balanced(), "rows read must equal rows stored plus rows quarantined"
        return report

    def _save(self, principal: Principal, report: ImportReport) -> None:
        assert report.import_id is not None
        self.meta.update(
            principal.org_id,
            "import",
            report.import_id,
            {
                "status": report.status,
                "finished_at": datetime.now(UTC),
                "file_checksum": report.file_checksum,
                **{
                    k: getattr(report, k)
                    for k in (*COUNTS, "reasons", "quarantine_sha256", "error")
                },
                "report": report.to_dict(),
            },
        )

    def _checkpoint(
        self, principal: Principal, report: ImportReport, read: int, stored: int
    ) -> None:
        """Counts of a running import as far as its writes are committed (rows of the chunks
        written; their other rows were quarantined)."""
        assert report.import_id is not None
        counts = {
            "rows_read": read,
            "rows_stored": stored,
            "rows_quarantined": read - stored,
            "points_inserted": report.points_inserted,
            "points_updated": report.points_updated,
            "points_unchanged": report.points_unchanged,
            "labels_written": report.labels_written,
        }
        self.meta.update(
            principal.org_id,
            "import",
            report.import_id,
            {**counts, "report": {**report.to_dict(), **counts, "status": "running"}},
        )

    # -- mapping ------------------------------------------------------------------------------

    # -- data phase ---------------------------------------------------------------------------

    def _column_types(self, plan: ImportPlan) -> dict[str, pa.DataType]:
        types: dict[str, pa.DataType] = {}
        for t in plan.targets:
            if t.kind == "signal" and not (t.booleans or t.unit_in_cells or t.comma_decimal):
                types[t.column] = pa.float64()  # fast path; the reader falls back to text
        fmt = plan.timestamp_format
        if (
            fmt.pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
            and not fmt.fraction
            and len(plan.time_columns) == 1
        ):
            types[plan.timestamp_column] = pa.timestamp("us")  # Arrow's own ISO parser is fastest
        if plan.layout == "long" and plan.value_column:
            types[plan.value_column] = pa.float64()
        return types

    def _run(
        self,
        principal: Principal,
        reader: FileReader,
        plan: ImportPlan,
        mapping: SignalMapping,
        tz: str,
        report: ImportReport,
        quarantine: Quarantine,
        progress: Progress | None,
    ) -> None:
        org = principal.org_id
        seen = SeenTimes()
        total = reader.total_bytes
        converter = ChunkConverter(
            plan,
            tz,
            seen,
            quarantine,
            str(reader.details.get("delimiter", ",")),
            mapping.signal_ids,
        )
        pending: tuple[Future[tuple[WriteResult, WriteResult]], int, int] | None = None
        first_ts: int | None = None
        last_ts: int | None = None

        def write(
            points: pa.Table | None, labels: pa.Table | None
        ) -> tuple[WriteResult, WriteResult]:
            p = (
                self.ts.write(org, points)
                if points is not None and points.num_rows
                else WriteResult()
            )
            lab = (
                self.ts.write_labels(org, labels)
                if labels is not None and labels.num_rows
                else WriteResult()
            )
            return p, lab

        last_checkpoint = [time.monotonic()]

        def settle(fut: Future[tuple[WriteResult, WriteResult]], read: int, stored: int) -> None:
            p, lab = fut.result()
            report.points_inserted += p.inserted
            report.points_updated += p.updated
            report.points_unchanged += p.unchanged
            report.labels_written += lab.inserted + lab.updated
            # The record says what is stored so far (about once a second): a process killed
            # now leaves an import marked 'interrupted' with these counts, behind the store by
            # at most a second of writes.
            if time.monotonic() - last_checkpoint[0] >= CHECKPOINT_S:
                self._checkpoint(principal, report, read, stored)
                last_checkpoint[0] = time.monotonic()

        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-write") as pool,
            closing(seen),
        ):
            for chunk in prefetch(reader.chunks(self._column_types(plan))):
                report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
                for bad in chunk.bad_rows:
                    quarantine.add(bad.row, bad.reason, bad.raw)
                out = converter.convert(chunk)
                report.rows_stored += out.stored
                if (ts_range := out.time_range) is not None:
                    first_ts = ts_range[0] if first_ts is None else min(first_ts, ts_range[0])
                    last_ts = ts_range[1] if last_ts is None else max(last_ts, ts_range[1])
                if pending is not None:
                    settle(*pending)  # at most one chunk in flight: bounded memory
                pending = (
                    pool.submit(write, out.points, out.labels),
                    report.rows_read,
                    report.rows_stored,
                )
                if progress:
                    progress(min(chunk.bytes_done, total), total)
            if pending is not None:
                settle(*pending)
        report.columns.update(mapping.columns)
        report.created = mapping.created
        if first_ts is not None and last_ts is not None:
            report.first_ts = datetime.fromtimestamp(first_ts / 1e6, UTC).isoformat()
            report.last_ts = datetime.fromtimestamp(last_ts / 1e6, UTC).isoformat()


__all__ = ["CHECKPOINT_S", "COUNTS", "BadRow", "ImportOptions", "ImportReport", "ImportService"]
