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

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from openkamp.assets.service import AssetService
from openkamp.core.assets import LabelSpec, Node, NodeKind, Signal, SignalSpec
from openkamp.core.errors import ImportRejected, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.ingest import timestamps
from openkamp.ingest.plan import ColumnTarget, ImportPlan, build_plan
from openkamp.ingest.readers import BadRow, Chunk, FileReader, ReaderOptions, reader_for
from openkamp.ingest.rows import Quarantine, Reasons, SeenTimes, prefetch
from openkamp.ingest.values import to_float
from openkamp.plugins import file_readers
from openkamp.storage.files.base import FileStore
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.timeseries.base import TS_TYPE, TimeSeriesStore, WriteResult

Progress = Callable[[int, int], None]
_EXAMPLES = 20


@dataclass
class ImportOptions:
    """How to read a file. Everything is detected when left at its default."""

    equipment: str | int | None = None  # path 'site/line/equipment' or id
    layout: Literal["auto", "wide", "long"] = "auto"
    timestamp_column: str | None = None
    timestamp_format: str | None = None  # strptime pattern
    timezone: str | None = None  # for times without offset; default: the platform's
    columns: dict[str, str] = field(default_factory=dict)  # header -> signal name ('-' = ignore)
    label_columns: list[str] = field(default_factory=list)
    ignore_columns: list[str] = field(default_factory=list)
    create_signals: bool = True
    encoding: str | None = None
    delimiter: str | None = None
    skip_rows: int = 0
    sheet: str | int | None = None
    force: bool = False

    def fingerprint(self) -> dict[str, Any]:
        """The options that change what an import stores (not how it is run)."""
        d = asdict(self)
        d.pop("force")
        return d


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


def _row_text(table: pa.Table, idx: np.ndarray, delimiter: str) -> list[str]:
    cols = [table.column(i).take(pa.array(idx)).to_pylist() for i in range(table.num_columns)]
    return [
        delimiter.join("" if c[j] is None else str(c[j]) for c in cols) for j in range(len(idx))
    ]


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

    def mark_interrupted(self) -> int:
        """Imports left 'running' by a process that died are marked 'interrupted'."""
        n = 0
        for org in self.meta.list_orgs():
            for rec in self.meta.find(org["id"], "import", status="running"):
                self.meta.update(org["id"], "import", rec["id"], {"status": "interrupted"})
                n += 1
        return n

    # -- the import ---------------------------------------------------------------------------

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
            raise InvalidInput(f"No file at {path}.")
        started = time.perf_counter()
        name = file_name or path.name
        tz = opts.timezone or self.timezone
        options_hash = hashlib.sha256(
            (
                _quick_fingerprint(path)
                + json.dumps(opts.fingerprint(), sort_keys=True, default=str)
            ).encode()
        ).hexdigest()

        previous = [
            r
            for r in self.meta.find(
                principal.org_id, "import", options_hash=options_hash, status="done"
            )
        ]
        if previous and not opts.force:
            sha = _full_checksum(path)
            same = [r for r in previous if r["file_checksum"] == sha]
            if same:
                prev = same[-1]
                return ImportReport(
                    import_id=None,
                    file_name=name,
                    file_checksum=sha,
                    status="skipped",
                    rows_read=prev["rows_read"],
                    rows_stored=prev["rows_stored"],
                    rows_quarantined=prev["rows_quarantined"],
                    previous_import_id=prev["id"],
                    equipment=json.loads(prev["report"]).get("equipment", "")
                    if isinstance(prev["report"], str)
                    else prev["report"].get("equipment", ""),
                    seconds=time.perf_counter() - started,
                )

        # Planning: everything that can reject the whole file happens before any write.
        reader_cls = reader_for(path, file_readers())
        reader: FileReader = reader_cls(
            path,
            ReaderOptions(
                encoding=opts.encoding,
                delimiter=opts.delimiter,
                skip_rows=opts.skip_rows,
                sheet=opts.sheet,
                chunk_bytes=self.chunk_bytes,
                max_columns=self.max_columns,
                max_uncompressed_bytes=self.max_uncompressed_bytes,
            ),
        )
        plan = build_plan(
            reader.columns,
            reader.sample,
            layout=opts.layout,
            timestamp_column=opts.timestamp_column,
            timestamp_format=opts.timestamp_format,
            mapping=opts.columns,
            label_columns=opts.label_columns,
            ignore_columns=opts.ignore_columns,
        )
        equipment = self._equipment(principal, opts.equipment, plan)
        report = ImportReport(
            import_id=None,
            file_name=name,
            layout=plan.layout,
            details=reader.details,
            timestamp_column=plan.timestamp_column,
            timestamp_format=plan.timestamp_format.describe(),
            equipment=self.assets.path_of(principal, equipment.id),
        )
        self._resolve_targets(principal, equipment, plan, opts, report)
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
        report.import_id = record["id"]
        quarantine = Quarantine()
        try:
            self._run(principal, reader, plan, equipment, tz, report, quarantine, progress, opts)
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
            self._save(principal, report)
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
                    for k in (
                        "rows_read",
                        "rows_stored",
                        "rows_quarantined",
                        "points_inserted",
                        "points_updated",
                        "points_unchanged",
                        "labels_written",
                        "reasons",
                        "quarantine_sha256",
                        "error",
                    )
                },
                "report": report.to_dict(),
            },
        )

    # -- mapping ------------------------------------------------------------------------------

    def _equipment(self, principal: Principal, wanted: str | int | None, plan: ImportPlan) -> Node:
        if wanted is not None:
            node = (
                self.assets.get_node(principal, int(wanted))
                if isinstance(wanted, int) or str(wanted).isdigit()
                else self.assets.resolve(principal, str(wanted))
            )
            if not isinstance(node, Node) or node.kind != NodeKind.EQUIPMENT:
                raise ImportRejected(
                    f"{wanted!r} is not an equipment.",
                    hint="Give the equipment path as site/line/equipment.",
                )
            return node
        # Guess: the one equipment whose signal/label names cover the most columns.
        names = {t.name for t in plan.targets if t.kind != "ignore"}
        names |= {t.column for t in plan.targets if t.kind != "ignore"}
        scores: Counter[int] = Counter()
        for s in self.assets.list_signals(principal):
            if names & {s.name, s.name_ko, s.name_en}:
                scores[s.equipment_id] += 1
        for c in self.assets.list_label_columns(principal):
            if names & {c.name, c.name_ko, c.name_en}:
                scores[c.equipment_id] += 1
        best = scores.most_common(2)
        if (
            best
            and (len(best) == 1 or best[0][1] > best[1][1])
            and (plan.layout == "long" or best[0][1] >= max(1, len(names) // 2))
        ):
            return self.assets.get_node(principal, best[0][0])
        raise ImportRejected(
            "It is not clear which equipment this file belongs to.",
            hint="Choose it with --equipment site/line/equipment (create it first with `openkamp assets add`).",
        )

    def _resolve_targets(
        self,
        principal: Principal,
        equipment: Node,
        plan: ImportPlan,
        opts: ImportOptions,
        report: ImportReport,
    ) -> None:
        signals = self.assets.list_signals(principal, equipment.id)
        labels = self.assets.list_label_columns(principal, equipment.id)
        self._signals_by_name: dict[str, Signal] = {}
        for s in signals:
            for key in (s.name, s.name_ko, s.name_en):
                if key:
                    self._signals_by_name.setdefault(key, s)
        labels_by_name = {k: c for c in labels for k in (c.name, c.name_ko, c.name_en) if k}
        pending: list[tuple[ColumnTarget, SignalSpec | LabelSpec]] = []
        for t in plan.targets:
            if t.kind == "ignore":
                report.columns[t.column] = "ignored"
                continue
            if t.kind == "signal":
                sig = self._signals_by_name.get(t.name) or self._signals_by_name.get(t.column)
                if sig is None and t.column in labels_by_name:
                    t.kind = "label"
                elif sig is not None:
                    t.target_id, t.name = sig.id, sig.name
                    t.booleans = sig.value_type == "bool"
            if t.kind == "label":
                col = labels_by_name.get(t.name) or labels_by_name.get(t.column)
                if col is None and t.column in self._signals_by_name:
                    sig = self._signals_by_name[t.column]
                    t.kind, t.target_id, t.name = "signal", sig.id, sig.name
                elif col is not None:
                    t.target_id, t.name = col.id, col.name
            if t.target_id is None:
                if not opts.create_signals:
                    raise ImportRejected(
                        f"Column {t.column!r} matches no signal of {report.equipment}.",
                        hint="Map it with --map 'column=signal', ignore it, or allow creating signals.",
                    )
                spec = (
                    t.create
                    if t.create is not None
                    and ((t.kind == "signal") == isinstance(t.create, SignalSpec))
                    else None
                )
                if spec is None:
                    from openkamp.ingest.plan import label_spec_for, signal_spec_for

                    spec = (
                        signal_spec_for(t.column)
                        if t.kind == "signal"
                        else label_spec_for(t.column, [])
                    )
                spec.name = t.name or spec.name
                pending.append((t, spec))
            report.columns[t.column] = f"{t.kind}:{t.name}"
        if pending:
            with self.meta.transaction():
                for t, spec in pending:
                    if isinstance(spec, SignalSpec):
                        t.target_id = self.assets.create_signal(principal, equipment.id, spec).id
                    else:
                        t.target_id = self.assets.create_label_column(
                            principal, equipment.id, spec
                        ).id
                    report.created.append(f"{t.kind}:{spec.name}")
        self._equipment_id = equipment.id

    def _long_signal_ids(
        self, principal: Principal, names: pa.Array, opts: ImportOptions, report: ImportReport
    ) -> tuple[np.ndarray, np.ndarray]:
        """Signal ids for the names of a long-layout chunk (-1 and bad where unknown)."""
        uniq = pc.unique(names).to_pylist()
        ids: dict[str, int] = {}
        for raw in uniq:
            if raw is None:
                continue
            key = str(raw).strip()
            sig = self._signals_by_name.get(key)
            if sig is None and "/" in key:
                try:
                    found = self.assets.resolve(principal, key)
                    sig = found if isinstance(found, Signal) else None
                except NotFound:
                    sig = None
            if sig is None and opts.create_signals and key:
                from openkamp.ingest.plan import signal_spec_for

                spec = signal_spec_for(key)
                existing = self._signals_by_name.get(spec.name)
                sig = existing or self.assets.create_signal(principal, self._equipment_id, spec)
                if existing is None:
                    report.created.append(f"signal:{spec.name}")
                for k in (key, spec.name):
                    self._signals_by_name[k] = sig
            if sig is not None:
                ids[raw] = sig.id
                report.columns[key] = f"signal:{sig.name}"
        lookup = pa.array(list(ids), pa.string()) if ids else pa.array([], pa.string())
        pos = pc.index_in(names.cast(pa.string()), value_set=lookup).to_numpy(zero_copy_only=False)
        id_list = np.array([*ids.values(), -1], dtype=np.int64)
        pos = np.where(np.isnan(pos.astype(float)), len(id_list) - 1, pos).astype(np.int64)
        out = id_list[pos]
        return out, out < 0

    # -- data phase ---------------------------------------------------------------------------

    def _column_types(self, plan: ImportPlan) -> dict[str, pa.DataType]:
        types: dict[str, pa.DataType] = {}
        for t in plan.targets:
            if t.kind == "signal" and not t.booleans:
                types[t.column] = pa.float64()  # fast path; the reader falls back to text
        fmt = plan.timestamp_format
        if fmt.pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S") and not fmt.fraction:
            types[plan.timestamp_column] = pa.timestamp("us")  # Arrow's own ISO parser is fastest
        if plan.layout == "long" and plan.value_column:
            types[plan.value_column] = pa.float64()
        return types

    def _run(
        self,
        principal: Principal,
        reader: FileReader,
        plan: ImportPlan,
        equipment: Node,
        tz: str,
        report: ImportReport,
        quarantine: Quarantine,
        progress: Progress | None,
        opts: ImportOptions,
    ) -> None:
        org = principal.org_id
        dups = SeenTimes()
        total = reader.total_bytes
        delim = str(reader.details.get("delimiter", ","))
        pending: Future[tuple[WriteResult, WriteResult]] | None = None
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

        def settle(fut: Future[tuple[WriteResult, WriteResult]]) -> None:
            p, lab = fut.result()
            report.points_inserted += p.inserted
            report.points_updated += p.updated
            report.points_unchanged += p.unchanged
            report.labels_written += lab.inserted + lab.updated

        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-write") as pool,
            closing(dups),
        ):
            for chunk in prefetch(reader.chunks(self._column_types(plan))):
                report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
                for bad in chunk.bad_rows:
                    quarantine.add(bad.row, bad.reason, bad.raw)
                points, labels, stored, ts_range = self._convert(
                    principal, chunk, plan, tz, dups, quarantine, delim, opts, report
                )
                report.rows_stored += stored
                if ts_range is not None:
                    first_ts = ts_range[0] if first_ts is None else min(first_ts, ts_range[0])
                    last_ts = ts_range[1] if last_ts is None else max(last_ts, ts_range[1])
                if pending is not None:
                    settle(pending)  # at most one chunk in flight: bounded memory
                pending = pool.submit(write, points, labels)
                if progress:
                    progress(min(chunk.bytes_done, total), total)
            if pending is not None:
                settle(pending)
        if first_ts is not None and last_ts is not None:
            report.first_ts = datetime.fromtimestamp(first_ts / 1e6, UTC).isoformat()
            report.last_ts = datetime.fromtimestamp(last_ts / 1e6, UTC).isoformat()

    def _convert(
        self,
        principal: Principal,
        chunk: Chunk,
        plan: ImportPlan,
        tz: str,
        dups: SeenTimes,
        quarantine: Quarantine,
        delim: str,
        opts: ImportOptions,
        report: ImportReport,
    ) -> tuple[pa.Table | None, pa.Table | None, int, tuple[int, int] | None]:
        """Validate one chunk: returns points, labels, rows stored and the time range."""
        table = chunk.table
        n = table.num_rows
        if n == 0:
            return None, None, 0, None
        reason = Reasons(n)
        ts_arr, bad_ts = timestamps.parse(
            table.column(plan.timestamp_column), plan.timestamp_format, tz
        )
        reason.flag(bad_ts, "timestamp: cannot be read")
        ts = pc.fill_null(ts_arr.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)

        if plan.layout == "long":
            assert plan.signal_column and plan.value_column
            sig_ids, unknown = self._long_signal_ids(
                principal, table.column(plan.signal_column).combine_chunks(), opts, report
            )
            vals, bad_v = to_float(table.column(plan.value_column))
            v = pc.fill_null(vals, np.nan).to_numpy(zero_copy_only=False)
            reason.flag(unknown, "signal: unknown signal name")
            reason.flag(bad_v, f"value: not a number in column {plan.value_column!r}")
            reason.flag(np.isnan(v), "value: missing")
            ok = reason.ok
            dup = np.zeros(n, dtype=bool)
            dup[ok] = dups.check(ts[ok], sig_ids[ok])
            reason.flag(dup, "duplicate: same signal and time as an earlier row")
            ok = reason.ok
            self._quarantine_rows(quarantine, table, chunk, reason, delim)
            if not ok.any():
                return None, None, 0, None
            points = pa.table(
                {
                    "signal_id": pa.array(sig_ids[ok]),
                    "ts": pa.array(ts[ok]).cast(TS_TYPE),
                    "value": pa.array(v[ok]),
                }
            )
            return points, None, int(ok.sum()), (int(ts[ok].min()), int(ts[ok].max()))

        sig_targets = [t for t in plan.targets if t.kind == "signal"]
        lab_targets = [t for t in plan.targets if t.kind == "label"]
        values: list[np.ndarray] = []
        any_missing = False  # clean chunks (the usual case) skip the per-cell missing checks
        for t in sig_targets:
            arr, bad = to_float(table.column(t.column), booleans=t.booleans)
            reason.flag(bad, f"value: not a number in column {t.column!r}")
            any_missing = any_missing or arr.null_count > 0
            values.append(
                (pc.fill_null(arr, np.nan) if arr.null_count else arr).to_numpy(
                    zero_copy_only=False
                )
            )
        label_values: list[pa.Array] = []
        for t in lab_targets:
            col = table.column(t.column).combine_chunks()
            text = pc.utf8_trim_whitespace(col.cast(pa.string()))
            text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
            broken = pc.fill_null(pc.match_substring(text, "\ufffd"), False).to_numpy(
                zero_copy_only=False
            )
            reason.flag(broken, f"text: undecodable bytes in column {t.column!r}")
            label_values.append(text)
        has_value = np.zeros(n, dtype=bool)
        if values and not any_missing:
            has_value[:] = True
        for v in values if any_missing else []:
            has_value |= ~np.isnan(v)
        for lv in label_values:
            has_value |= pc.is_valid(lv).to_numpy(zero_copy_only=False)
        reason.flag(~has_value, "empty: the row has a time but no values")
        ok = reason.ok
        if ok.any():
            dup = np.zeros(n, dtype=bool)
            dup[ok] = dups.check(ts[ok])
            reason.flag(dup, "duplicate: same time as an earlier row")
            ok = reason.ok
        self._quarantine_rows(quarantine, table, chunk, reason, delim)
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return None, None, 0, None
        t_ok = ts[idx]
        if len(t_ok) > 1 and not np.all(t_ok[1:] > t_ok[:-1]):
            idx = idx[np.argsort(t_ok, kind="stable")]  # time order keeps the store's append path
            t_ok = ts[idx]
        m = len(idx)
        points = None
        if sig_targets:
            ids = np.array([t.target_id for t in sig_targets], dtype=np.int64)
            # Unpivot signal-major (the store's append path wants signal, then time); skip the
            # copies when every row is good and every cell present (the common case).
            in_order = m == n and bool(idx[-1] == n - 1)
            v_all = np.concatenate(values if in_order else [v[idx] for v in values])
            sig_all = np.repeat(ids, m)
            ts_all = np.tile(t_ok, len(ids))
            keep = ~np.isnan(v_all) if any_missing else None
            if keep is not None and not keep.all():
                sig_all, ts_all, v_all = sig_all[keep], ts_all[keep], v_all[keep]
            points = pa.table(
                {
                    "signal_id": pa.array(sig_all),
                    "ts": pa.array(ts_all).cast(TS_TYPE),
                    "value": pa.array(v_all),
                }
            )
        labels = None
        if lab_targets:
            take = pa.array(idx)
            parts = []
            for t, lv in zip(lab_targets, label_values, strict=True):
                sub = lv.take(take)
                valid = pc.is_valid(sub)
                parts.append(
                    pa.table(
                        {
                            "column_id": pa.array(np.full(m, t.target_id, dtype=np.int64)),
                            "ts": pa.array(t_ok).cast(TS_TYPE),
                            "value": sub,
                        }
                    ).filter(valid)
                )
            labels = pa.concat_tables(parts)
        return points, labels, m, (int(t_ok.min()), int(t_ok.max()))

    @staticmethod
    def _quarantine_rows(
        q: Quarantine, table: pa.Table, chunk: Chunk, reason: Reasons, delim: str
    ) -> None:
        bad = reason.bad_rows()
        if not bad:
            return
        idx = np.array([i for i, _ in bad], dtype=np.int64)
        numbers = chunk.row_numbers(idx)
        for (_, text), raw, number in zip(bad, _row_text(table, idx, delim), numbers, strict=True):
            q.add(int(number), text, raw)


__all__ = ["BadRow", "ImportOptions", "ImportReport", "ImportService"]
