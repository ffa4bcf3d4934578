"""Delivery of shared data under a contract (issue 11, item 4): the governed export, the
consumer's deletion confirmation, tracing a leaked copy, and compute-to-data as a job.

::

    d = kamp.sharing.deliver(supplier, contract_id)          # a watermarked CSV file
    kamp.sharing.confirm_deleted(supplier, d.id)             # the policy's delete duty met
    kamp.sharing.trace_leak(factory, offer_id, leaked_frame) # whose copy is this?
    job = kamp.sharing.compute(supplier, contract_id, spec)  # trains in the owner's space

**Governed export** (:meth:`DeliveryService.deliver`, the consumer). The contract must be active
and the caller its consumer. The rows are read with the owner's principal and go through the
offer's transforms (``offers.transforms``; without one, :func:`default_spec`: id and group
columns pseudonymised, free text and ignored columns dropped), then the watermark of the
contract (:func:`openkamp.sharing.export.governed_export`), keyed by the contract's key derived
from the platform secret (:mod:`openkamp.sharing.platform_secret`) and ``secret_id``. Only then
is the access authorised (:meth:`openkamp.sharing.contracts.ContractService.authorize`, kind
EXPORT with the row count): a refusal names its clause and nothing leaves; an allowed export
is appended to the ledger with what the transforms and the watermark did (never a key) and the
file's SHA-256, and a ``deliveries`` row keeps the watermark's parameters for tracing. The file
is CSV (UTF-8 with BOM, as spreadsheets read it; text cells that a spreadsheet would run as
formulas neutralised, :mod:`openkamp.core.cells`), written under ``<data_dir>/tmp/deliveries``
and handed over by path (the API streams it and removes it). The rows are read, transformed,
marked and written in batches (:mod:`openkamp.sharing.export_stream`: what needs a whole
column, such as the noise's scale or which columns carry a mark, is gathered in a first pass),
so an export's memory does not grow with the dataset; the file is the one the whole-frame
functions would write. Full-precision numeric columns are rounded to the decimals their spread
gives and marked (a ``round`` step in the record). An export that still carries no mark (only
whole-number, constant or text columns; no row key) is delivered all the same (the policy
allowed it) but never silently: its record and ledger entry say ``watermark: none`` with the
reason (:func:`openkamp.sharing.watermark.none_record`), and tracing lists it as unmarked.

**Tracing** (:meth:`DeliveryService.trace_leak`, the owner): the candidates are every export
delivery of the offer; each is scored with its contract's watermark key and its own parameters
(:func:`openkamp.sharing.watermark.trace`), and the copy is named to a contract only below the
scheme's false-accusation bound (p < 1e-6). Deliveries that carried no mark cannot be scored:
the result names them (``unmarked``, with the reason in Korean and English), so the owner knows
that a copy of one of them cannot be traced.

**Compute-to-data** (:meth:`DeliveryService.compute`, the consumer): authorised as
COMPUTE_TO_DATA (counts a training), then :meth:`openkamp.sharing.compute.ComputeToData.submit`
runs as a job of the owner's organisation with the contract's guard, registered under the
contract so that revocation cancels it; the model lands in the consumer's registry. The
consumer follows the job through :meth:`DeliveryService.compute_jobs` (status, progress and the
result's summary: model name, version, metrics, rows counted; never rows).
"""

from __future__ import annotations

import builtins
import csv
import dataclasses
import hashlib
import io
import json
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import select, update

from openkamp.core.cells import neutralise_frame
from openkamp.core.errors import Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.i18n import MESSAGES, t
from openkamp.sharing import watermark as wm
from openkamp.sharing.contract_keys import ContractKey
from openkamp.sharing.contracts import Contract, ContractService, ContractState
from openkamp.sharing.export import governed_export
from openkamp.sharing.export_stream import StreamedExport, stream_export
from openkamp.sharing.policy import Access
from openkamp.sharing.transforms import Drop, Pseudonymise, TransformSpec
from openkamp.storage.metadata.schema import contracts as contracts_table
from openkamp.storage.metadata.schema import deliveries, jobs, sharing_jobs

if TYPE_CHECKING:
    from openkamp.datasets import DatasetService, DatasetVersion
    from openkamp.ml.service import TrainSpec
    from openkamp.sharing.platform_secret import PlatformSecret
    from openkamp.storage.metadata.base import MetadataStore, Record

__all__ = ["Delivery", "DeliveryService", "LeakTrace", "default_spec"]

#: Largest leaked copy read for tracing (rows).
MAX_TRACE_ROWS = 2_000_000
#: Rows per batch read, transformed, marked and written by the governed export.
BATCH_ROWS = 16_384
#: Age after which a delivered file still in the folder is removed (:meth:`clean_files`).
STALE_FILE_S = 3600.0


def _error(cls: type[Any], reason: str, **params: object) -> Any:
    code = f"sharing.delivery.{reason}"
    hint_key = f"err.{code}.hint"
    hint = t(hint_key, "en", **params) if hint_key in MESSAGES else None
    return cls(t(f"err.{code}", "en", **params), hint=hint, code=code, params=params)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True)
class Delivery:
    """A governed export as delivered: its record and, right after :meth:`DeliveryService.
    deliver`, the file (``path``: the caller moves or removes it)."""

    id: int
    contract_id: int
    kind: str
    rows: int
    columns: tuple[str, ...]
    sha256: str
    delivered_at: datetime
    delete_by: datetime | None
    deleted_at: datetime | None
    ledger_index: int | None
    watermark: dict[str, Any] | None
    filename: str = ""
    path: Path | None = None

    def read_bytes(self) -> bytes:
        if self.path is None:
            raise _error(NotFound, "file_gone", id=self.id)
        return self.path.read_bytes()

    def to_json(self) -> dict[str, Any]:
        """The delivery as its parties see it (the watermark's parameters stay with the owner's
        tracing: they name the marked columns)."""

        def iso(v: datetime | None) -> str | None:
            return None if v is None else v.isoformat()

        return {
            "id": self.id, "contract_id": self.contract_id, "kind": self.kind, "rows": self.rows,
            "columns": list(self.columns), "sha256": self.sha256, "filename": self.filename,
            "delivered_at": iso(self.delivered_at), "delete_by": iso(self.delete_by),
            "deleted_at": iso(self.deleted_at), "ledger_index": self.ledger_index,
            "watermarked": self.watermarked,
        }  # fmt: skip

    @property
    def watermarked(self) -> bool:
        """Whether the delivered file carries a mark (not ``watermark: none``)."""
        return _marked(self.watermark)


@dataclass(frozen=True)
class LeakTrace:
    """Whose copy a leaked file is: the contract named (None: no delivery's mark is in it), its
    consumer, and the evidence per delivery scored; ``unmarked``: the offer's deliveries that
    carried no mark (not scored: a copy of one cannot be traced), each with its reason and a
    text in Korean and English."""

    identified: int | None
    consumer_org_id: int | None
    consumer: str | None
    delivery_id: int | None
    rows: int
    columns: tuple[str, ...]
    missing_key_columns: tuple[str, ...]
    candidates: tuple[dict[str, Any], ...]
    alpha: float
    unmarked: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "identified": self.identified, "consumer_org_id": self.consumer_org_id,
            "consumer": self.consumer, "delivery_id": self.delivery_id, "rows": self.rows,
            "columns": list(self.columns), "missing_key_columns": list(self.missing_key_columns),
            "candidates": list(self.candidates), "alpha": self.alpha,
            "unmarked": list(self.unmarked),
        }  # fmt: skip


def default_spec(version: DatasetVersion) -> TransformSpec:
    """What an export applies when the offer names no transforms: id and group columns
    pseudonymised, free text (text inputs) and ignored columns dropped."""
    drop = [c.name for c in version.columns if c.role == "ignore"]
    drop += [c.name for c in version.columns if c.kind == "text" and c.role == "input"]
    ids = [c.name for c in version.columns if c.role in ("id", "group") and c.name not in drop]
    steps: list[Any] = []
    if drop:
        steps.append(Drop(tuple(drop)))
    if ids:
        steps.append(Pseudonymise(tuple(ids)))
    return TransformSpec(tuple(steps))


class DeliveryService:
    """Exports, deletion confirmations, leak tracing and compute-to-data (module docstring)."""

    def __init__(
        self,
        meta: MetadataStore,
        contracts: ContractService,
        datasets: DatasetService | None,
        secret: PlatformSecret | None,
        *,
        models: Any = None,
        jobs: Any = None,
        folder: str | Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.meta: Any = meta  # (the SQL store: deliveries are read and written here)
        self.contracts = contracts
        self.datasets = datasets
        self.secret = secret
        self.models = models
        self.jobs = jobs
        self.folder = Path(folder) if folder is not None else None
        self.clock: Callable[[], datetime] = clock or _utcnow
        #: Rows per batch of the streamed export (its memory: one batch at a time).
        self.batch_rows = BATCH_ROWS

    # -- the governed export ------------------------------------------------------------------

    def deliver(
        self,
        principal: Principal,
        contract_id: int,
        *,
        columns: builtins.list[str] | None = None,
        limit: int | None = None,
    ) -> Delivery:
        """A governed, watermarked export of the contract's dataset version for its consumer
        (module docstring); ``columns``: of the delivered columns, those wanted; ``limit``: the
        first rows only."""
        require(principal, Role.ENGINEER)
        contract = self._consumer_contract(principal, contract_id)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 1):  # fmt: skip
            raise _error(InvalidInput, "limit", value=str(limit))
        offer = self._offer(contract)
        owner = self._owner(contract)
        version = self._datasets().get(owner, int(offer["dataset_id"]))
        spec = self._spec(offer, version)
        key = ContractKey.derive(self._secret(), contract.secret_id)
        row_key = _row_key(version, spec)
        if version.rows == 0:  # nothing to stream: the whole-frame path, on no rows
            frame = self._datasets().read(owner, version.id, limit=limit)
            export: Any = _export(frame, spec, key, row_key)
            data = (
                export.frame if isinstance(export.frame, pd.DataFrame) else export.frame.to_pandas()
            )
            if columns is not None:
                data = data[_chosen(list(data.columns), row_key_of(export), columns)]
            path, sha = self._write_csv(data, contract.id)
            rows, delivered = len(data), [str(c) for c in data.columns]
        else:
            export, path, sha = self._stream(owner, version, spec, key, row_key, contract.id,
                                             columns=columns, limit=limit)  # fmt: skip
            rows, delivered = export.rows, list(export.columns)
        record = export.record()
        record["columns"] = delivered
        if record["watermark"] is None:  # (no row key: the stream was not asked to mark)
            record["watermark"] = wm.none_record("no_row_key")
        ref = secrets.token_hex(8)
        try:
            decision = self.contracts.authorize(
                principal, contract.id, Access.EXPORT, rows=rows,
                anonymised=_anonymises(spec, version),
                details={"delivery": ref, "sha256": sha, "file_rows": rows,
                         "transforms": _decimal_texts(record["transforms"]),
                         "watermark": _ledger_watermark(record["watermark"])},
            )  # fmt: skip
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        now = self.clock()
        days = [o.due for o in decision.obligations if o.kind == "delete" and o.due is not None]
        delete_by = min(days) if days else None
        index = self._ledger_index(principal.org_id, contract.id, ref)
        with self.meta._write() as conn:
            row = conn.execute(
                deliveries.insert()
                .values(
                    org_id=contract.owner_org_id, contract_id=contract.id, kind="export",
                    rows=rows, columns=json.dumps(record["columns"], ensure_ascii=False),
                    sha256=sha, delivered_at=now,
                    watermark=json.dumps(record["watermark"] or {}, ensure_ascii=False),
                    delete_by=delete_by, ledger_index=index,
                )
                .returning(*deliveries.c)
            ).one()  # fmt: skip
        name = f"{offer['dataset_name']}-v{offer['dataset_version']}-contract{contract.id}.csv"
        return dataclasses.replace(_delivery(row._mapping), filename=name, path=path)

    def confirm_deleted(self, principal: Principal, delivery_id: int) -> Delivery:
        """The consumer confirms it deleted its copy (the policy's delete duty)."""
        require(principal, Role.ENGINEER)
        rec = self._delivery_of(principal, delivery_id)
        contract = self.contracts.get(principal, int(rec["contract_id"]))
        if contract.consumer_org_id != principal.org_id:
            raise _error(Forbidden, "not_consumer", id=contract.id)
        if rec["deleted_at"] is None:
            with self.meta._write() as conn:
                conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id == int(delivery_id), deliveries.c.deleted_at.is_(None))
                    .values(deleted_at=self.clock())
                )
        return _delivery(self._delivery_of(principal, delivery_id))

    def deliveries(self, principal: Principal, contract_id: int) -> builtins.list[Delivery]:
        """The contract's deliveries (exports and compute-to-data), oldest first: its parties
        only."""
        require(principal, Role.VIEWER)
        self.contracts.get(principal, contract_id)  # NotFound unless a party
        with self.meta._read() as conn:
            rows = conn.execute(
                select(deliveries)
                .where(deliveries.c.contract_id == int(contract_id))
                .order_by(deliveries.c.id)
            ).all()
        return [_delivery(r._mapping) for r in rows]

    # -- tracing a leaked copy ----------------------------------------------------------------

    def trace_leak(
        self,
        principal: Principal,
        offer_id: int,
        leaked: pd.DataFrame | str | Path | bytes,
        *,
        rename: Mapping[str, str] | None = None,
    ) -> LeakTrace:
        """Name the contract whose export ``leaked`` (a frame, or a CSV file or its bytes)
        copies, among every export of the owner's offer ``offer_id``."""
        require(principal, Role.ADMIN)
        offer = self.contracts.store.offer(int(offer_id)) if _id_ok(offer_id) else None
        if offer is None or int(offer["org_id"]) != principal.org_id:
            raise _error(NotFound, "offer", id=offer_id)
        frame = _read_leak(leaked)
        c, d = contracts_table.c, deliveries.c
        with self.meta._read() as conn:
            rows = conn.execute(
                select(d.id, d.contract_id, d.watermark, c.secret_id, c.consumer_org_id)
                .join(contracts_table, c.id == d.contract_id)
                .where(c.offer_id == int(offer_id), d.kind == "export")
                .order_by(d.id)
            ).all()
        candidates: dict[str, ContractKey] = {}
        params: dict[str, wm.WatermarkParams] = {}
        about: dict[str, Any] = {}
        unmarked: list[dict[str, Any]] = []
        secret = self._secret()
        for r in rows:
            doc = json.loads(r.watermark or "{}")
            if not _marked(doc):  # exported without a mark: nothing to score it with
                unmarked.append(_unmarked(r, doc))
                continue
            name = str(r.id)
            candidates[name] = ContractKey.derive(secret, r.secret_id)
            params[name] = wm.WatermarkParams.from_json(doc)
            about[name] = r
        if not candidates:
            return LeakTrace(None, None, None, None, len(frame), (), (), (), wm.ALPHA,
                             tuple(unmarked))  # fmt: skip
        result = wm.trace(frame, candidates, params, rename=rename)
        scored = tuple(
            {"delivery_id": int(n), "contract_id": int(about[n].contract_id),
             "consumer_org_id": int(about[n].consumer_org_id), "values": e.values,
             "matches": e.matches, "z": e.z, "log10_p": e.log10_p,
             "matched": n in result.matched}
            for n, e in sorted(result.scores.items(), key=lambda kv: -kv[1].z)
        )  # fmt: skip
        if result.identified is None:
            return LeakTrace(None, None, None, None, result.rows, result.columns,
                             result.missing_key_columns, scored, result.alpha,
                             tuple(unmarked))  # fmt: skip
        hit = about[result.identified]
        consumer = str(self.meta.get_org(int(hit.consumer_org_id))["name"])
        return LeakTrace(int(hit.contract_id), int(hit.consumer_org_id), consumer, int(hit.id),
                         result.rows, result.columns, result.missing_key_columns, scored,
                         result.alpha, tuple(unmarked))  # fmt: skip

    # -- compute-to-data ----------------------------------------------------------------------

    def compute(
        self, principal: Principal, contract_id: int, spec: TrainSpec | Mapping[str, Any]
    ) -> dict[str, Any]:
        """Train ``spec`` on the contract's dataset version in the owner's space, as a job of
        the owner's organisation registered under the contract; the model lands in the
        consumer's registry. Returns the job record."""
        from openkamp.sharing.compute import ComputeToData, restrict

        require(principal, Role.ENGINEER)
        contract = self._consumer_contract(principal, contract_id, Access.COMPUTE_TO_DATA)
        offer = self._offer(contract)
        train = _train_spec(spec, str(offer["dataset_name"]))
        dataset_id = int(offer["dataset_id"])
        try:
            restrict(train, dataset_id).check()  # a refused kind is said before anything counts
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # odd options
            raise _error(InvalidInput, "spec", field=str(exc)[:80]) from exc
        if self.jobs is None or self.models is None:
            raise _error(InvalidInput, "no_jobs")
        owner = self._owner(contract)
        version = self._datasets().get(owner, dataset_id)
        self.contracts.authorize(
            principal, contract.id, Access.COMPUTE_TO_DATA, rows=int(version.rows),
            details={"model": train.name, "task": train.task, "trained_rows": int(version.rows)},
        )  # fmt: skip
        c2d = ComputeToData(self._datasets(), self.models, self.jobs)
        guard = self.contracts.contract_guard(contract.id)
        job = c2d.submit(owner, dataset_id, train, principal, guard)
        self.contracts.register_job(owner, contract.id, int(job["id"]))
        with self.meta._write() as conn:
            conn.execute(
                deliveries.insert().values(
                    org_id=contract.owner_org_id, contract_id=contract.id, kind="compute",
                    rows=0, columns=json.dumps([], ensure_ascii=False), sha256="",
                    watermark="{}", delivered_at=self.clock(),
                )
            )  # fmt: skip
        return _job_view(job, contract.id)

    def compute_jobs(self, principal: Principal, contract_id: int) -> builtins.list[dict[str, Any]]:
        """The compute-to-data jobs of a contract as either party sees them: status, progress,
        error and the result's summary (model, version, metrics, rows counted)."""
        require(principal, Role.VIEWER)
        self.contracts.get(principal, contract_id)
        j, s = jobs.c, sharing_jobs.c
        with self.meta._read() as conn:
            rows = conn.execute(
                select(jobs)
                .join(sharing_jobs, s.job_id == j.id)
                .where(s.contract_id == int(contract_id))
                .order_by(j.id)
            ).all()
        return [_job_view(dict(r._mapping), int(contract_id)) for r in rows]

    def clean_files(self, older_than_s: float = STALE_FILE_S) -> int:
        """Remove delivered files left in the folder (a download cut off before it started, a
        process stopped mid-request) older than ``older_than_s``; how many were removed."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        limit = time.time() - older_than_s
        removed = 0
        for path in self.folder.glob("contract*.csv"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # sent and removed meanwhile
                continue
        for path in self.folder.glob("export-keys-*"):  # an export's key counts, left by a crash
            try:
                if path.stat().st_mtime < limit:
                    shutil.rmtree(path)
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    # -- inside -------------------------------------------------------------------------------

    def _secret(self) -> bytes:
        if self.secret is None:
            raise _error(InvalidInput, "no_secret")
        return self.secret.value()

    def _datasets(self) -> DatasetService:
        if self.datasets is None:
            raise _error(InvalidInput, "no_datasets")
        return self.datasets

    def _consumer_contract(
        self, principal: Principal, contract_id: int, access: Access = Access.EXPORT
    ) -> Contract:
        contract = self.contracts.get(principal, contract_id)  # NotFound unless a party
        if contract.consumer_org_id != principal.org_id:
            raise _error(Forbidden, "not_consumer", id=contract.id)
        if contract.state is not ContractState.ACTIVE:
            # (authorize would refuse and record it; say it before reading anything)
            self.contracts.authorize(principal, contract.id, access, rows=0)
        return contract

    def _offer(self, contract: Contract) -> Record:
        offer = self.contracts.store.offer(contract.offer_id)
        if offer is None:
            raise _error(NotFound, "offer", id=contract.offer_id)
        return offer

    def _owner(self, contract: Contract) -> Principal:
        """The owner's principal the rows are read with (they never enter the consumer's)."""
        return Principal(
            org_id=contract.owner_org_id,
            name=f"contract {contract.id}",
            roles=frozenset({Role.ENGINEER}),
        )

    def _spec(self, offer: Record, version: DatasetVersion) -> TransformSpec:
        doc = offer.get("transforms")
        if isinstance(doc, str):
            doc = json.loads(doc) if doc else None
        return default_spec(version) if doc is None else TransformSpec.from_json(doc)

    def _stream(
        self,
        owner: Principal,
        version: DatasetVersion,
        spec: TransformSpec,
        key: ContractKey,
        row_key: builtins.list[str],
        contract_id: int,
        *,
        columns: builtins.list[str] | None,
        limit: int | None,
    ) -> tuple[StreamedExport, Path, str]:
        """The governed export read, transformed, marked and written batch by batch
        (:func:`openkamp.sharing.export_stream.stream_export`): memory bounded by the batch."""
        datasets = self._datasets()

        def source() -> Iterator[pd.DataFrame]:
            left = limit
            for batch in datasets.iter_batches(owner, version.id, batch_rows=self.batch_rows):
                if left is not None:
                    batch = batch.iloc[:left]
                    left -= len(batch)
                if len(batch):
                    yield batch
                if left == 0:
                    return

        def choose(delivered: builtins.list[str], keys: builtins.list[str]) -> builtins.list[str]:
            return delivered if columns is None else _chosen(delivered, keys, columns)

        path = self._new_file(contract_id)
        try:
            with _CsvFile(path) as sink:
                export = stream_export(source, spec, key, row_key=row_key, sink=sink.write,
                                       mark=bool(row_key), unmarked_if_none=True,
                                       choose=choose, spool=path.parent)  # fmt: skip
                if export.rows == 0:
                    sink.header(export.columns)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return export, path, sink.sha256()

    def _new_file(self, contract_id: int) -> Path:
        folder = self.folder
        if folder is None:
            raise _error(InvalidInput, "no_folder")
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder / f"contract{contract_id}-{secrets.token_hex(8)}.csv"

    def _write_csv(self, data: pd.DataFrame, contract_id: int) -> tuple[Path, str]:
        path = self._new_file(contract_id)
        with _CsvFile(path) as sink:
            for start in range(0, len(data), 20_000):
                sink.write(data.iloc[start : start + 20_000])
            if len(data) == 0:
                sink.header([str(c) for c in data.columns])
        return path, sink.sha256()

    def _ledger_index(self, org_id: int, contract_id: int, ref: str) -> int | None:
        ledger = self.contracts.ledger
        after = max(-1, ledger.size() - 64)
        for e in reversed(ledger.entries(org_id, after=after, limit=200)):
            if e.contract == str(contract_id) and e.details.get("delivery") == ref:
                return e.index
        return None

    def _delivery_of(self, principal: Principal, delivery_id: int) -> Record:
        rec = None
        if _id_ok(delivery_id):
            with self.meta._read() as conn:
                row = conn.execute(
                    select(deliveries, contracts_table.c.consumer_org_id)
                    .join(contracts_table, contracts_table.c.id == deliveries.c.contract_id)
                    .where(deliveries.c.id == int(delivery_id))
                ).first()
            rec = None if row is None else dict(row._mapping)
        if rec is None or principal.org_id not in (rec["org_id"], rec["consumer_org_id"]):
            raise _error(NotFound, "not_found", id=delivery_id)
        return rec


class _CsvFile:
    """The delivered CSV file written piece by piece: UTF-8 with BOM, the header once, text
    cells a spreadsheet would run as formulas neutralised (as every CSV download's: numbers,
    times and the hex pseudonyms are untouched, so the marks and the row key stay), its
    SHA-256 computed as it is written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        self.started = False
        self.fh: Any = None

    def __enter__(self) -> _CsvFile:
        self.fh = self.path.open("wb")
        self._put("\ufeff".encode())
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()

    def _put(self, chunk: bytes) -> None:
        self.fh.write(chunk)
        self.digest.update(chunk)

    def write(self, data: pd.DataFrame) -> None:
        if len(data) == 0:
            return
        text = io.StringIO()
        neutralise_frame(data).to_csv(
            text, index=False, header=not self.started, quoting=csv.QUOTE_MINIMAL,
            date_format="%Y-%m-%dT%H:%M:%S.%f%z",
        )  # fmt: skip
        self._put(text.getvalue().encode("utf-8"))
        self.started = True

    def header(self, columns: Sequence[str]) -> None:
        """The header line of a file with no rows."""
        if not self.started:
            names = neutralise_frame(pd.DataFrame(columns=list(columns))).columns
            self._put((",".join(map(str, names)) + "\n").encode("utf-8"))
            self.started = True

    def sha256(self) -> str:
        return self.digest.hexdigest()


def _chosen(delivered: Sequence[str], keys: Sequence[str], columns: Sequence[str]) -> list[str]:
    """Of the ``delivered`` columns, the row key's and those asked for (``InvalidInput`` names
    one that is not delivered)."""
    unknown = [c for c in columns if c not in delivered]
    if unknown or not columns:
        raise _error(InvalidInput, "columns", column=(unknown or [""])[0],
                     allowed=", ".join(map(str, delivered)))  # fmt: skip
    return list(dict.fromkeys([*keys, *columns]))


def _id_ok(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _row_key(version: DatasetVersion, spec: TransformSpec) -> list[str]:
    """The delivered columns that identify a row: the time column and the id columns the
    transforms keep (pseudonymised ids are stable within the contract)."""
    dropped = {c for s in spec.transforms if isinstance(s, Drop) for c in s.columns}
    keys = [c.name for c in version.columns if c.role == "time" or c.kind == "time"]
    keys += [c.name for c in version.columns if c.role == "id"]
    return [k for k in dict.fromkeys(keys) if k not in dropped]


def row_key_of(export: Any) -> list[str]:
    mark = export.watermark
    return [] if mark is None else [k.name for k in mark.params.key_columns]


def _export(frame: pd.DataFrame, spec: TransformSpec, key: ContractKey, row_key: list[str]) -> Any:
    """The governed export; unmarked when no column can carry a mark (or no row key), with the
    reason in its record."""
    if not row_key:
        plain = governed_export(frame, spec, key, row_key=[], mark=False)
        return dataclasses.replace(plain, unmarked=wm.none_record("no_row_key"))
    try:
        return governed_export(frame, spec, key, row_key=row_key)
    except InvalidInput as exc:
        if exc.code not in ("sharing.watermark.no_column", "sharing.watermark.key_columns"):
            raise
        reason = "no_column" if exc.code == "sharing.watermark.no_column" else "no_row_key"
        plain = governed_export(frame, spec, key, row_key=row_key, mark=False)
        skipped = str((exc.params or {}).get("skipped", ""))
        return dataclasses.replace(plain, unmarked=wm.none_record(reason, skipped))


def _marked(doc: Mapping[str, Any] | None) -> bool:
    """Whether a delivery's watermark document describes a mark (not none, not empty)."""
    return bool(doc) and doc is not None and doc.get("scheme") != "none"


def _ledger_watermark(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the ledger entry keeps of the watermark: scheme, gamma, values marked and rows; or
    ``none`` with the reason."""
    if not _marked(doc):
        return {"scheme": "none", "reason": str(doc.get("reason", "")),
                "skipped": str(doc.get("skipped", ""))}  # fmt: skip
    return {k: doc[k] for k in ("scheme", "gamma", "marked", "rows")}


def _unmarked(row: Any, doc: Mapping[str, Any]) -> dict[str, Any]:
    """An unmarked delivery as tracing lists it: ids, the reason and its text in Korean and
    English (a delivery from before reasons were recorded: ``not_recorded``)."""
    reason = str(doc.get("reason") or "not_recorded")
    if f"sharing.delivery.unmarked.{reason}" not in MESSAGES:
        reason = "not_recorded"
    fields = {"id": int(row.id), "contract": int(row.contract_id)}
    return {
        "delivery_id": int(row.id), "contract_id": int(row.contract_id),
        "consumer_org_id": int(row.consumer_org_id), "reason": reason,
        "skipped": str(doc.get("skipped", "")),
        "text": {lang: t(f"sharing.delivery.unmarked.{reason}", lang, **fields)
                 for lang in ("ko", "en")},
    }  # fmt: skip


def _decimal_texts(value: Any) -> Any:
    """``value`` with every float written as decimal text (the ledger's leaves hold no floats:
    a float has no canonical JSON form)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): _decimal_texts(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimal_texts(v) for v in value]
    return value


def _anonymises(spec: TransformSpec, version: DatasetVersion) -> bool:
    """Whether the export leaves no id or group column in the clear (the policy's anonymise
    duty)."""
    treated = {c for s in spec.transforms if isinstance(s, Drop | Pseudonymise) for c in s.columns}
    ids = [c.name for c in version.columns if c.role in ("id", "group")]
    return all(c in treated for c in ids) and bool(spec.transforms)


def _read_leak(leaked: pd.DataFrame | str | Path | bytes) -> pd.DataFrame:
    if isinstance(leaked, pd.DataFrame):
        return leaked
    try:
        source: Any = io.BytesIO(leaked) if isinstance(leaked, bytes) else leaked
        frame = pd.read_csv(source, encoding="utf-8-sig", nrows=MAX_TRACE_ROWS + 1)
    except (ValueError, OSError, UnicodeDecodeError, csv.Error, pd.errors.ParserError) as exc:
        raise _error(InvalidInput, "leak_file", detail=str(exc)[:200]) from exc
    if len(frame) > MAX_TRACE_ROWS:
        raise _error(InvalidInput, "leak_rows", max=MAX_TRACE_ROWS)
    return frame


def _delivery(rec: Mapping[str, Any]) -> Delivery:
    mark = rec.get("watermark")
    doc = json.loads(mark) if isinstance(mark, str) and mark else (mark or None)
    cols = rec.get("columns")
    return Delivery(
        id=int(rec["id"]), contract_id=int(rec["contract_id"]), kind=str(rec["kind"]),
        rows=int(rec["rows"] or 0),
        columns=tuple(json.loads(cols) if isinstance(cols, str) else (cols or ())),
        sha256=str(rec.get("sha256") or ""), delivered_at=_utc(rec["delivered_at"]),
        delete_by=_utc(rec.get("delete_by")), deleted_at=_utc(rec.get("deleted_at")),
        ledger_index=rec.get("ledger_index"), watermark=doc or None,
    )  # fmt: skip


def _train_spec(spec: TrainSpec | Mapping[str, Any], dataset: str) -> TrainSpec:
    from openkamp.ml.service import TrainSpec

    if isinstance(spec, TrainSpec):
        return dataclasses.replace(spec, dataset=dataset, equipment="")
    if not isinstance(spec, Mapping):
        raise _error(InvalidInput, "spec", field="spec")
    names = {f.name for f in dataclasses.fields(TrainSpec)}
    unknown = sorted(set(spec) - names)
    if unknown:
        raise _error(InvalidInput, "spec", field=unknown[0])
    values = {k: v for k, v in spec.items() if v is not None}
    values.update(dataset=dataset, equipment="")
    try:
        return TrainSpec(**values)
    except TypeError as exc:
        raise _error(InvalidInput, "spec", field=str(exc)[:80]) from exc


def _job_view(job: Mapping[str, Any], contract_id: int) -> dict[str, Any]:
    """What either party sees of a compute-to-data job (no log lines, no parameters beyond the
    task and the model's name)."""

    def iso(v: Any) -> Any:
        v = _utc(v)
        return v.isoformat() if isinstance(v, datetime) else v

    result = job.get("result")
    if isinstance(result, str):
        result = json.loads(result) if result else None
    params = job.get("params")
    if isinstance(params, str):
        params = json.loads(params) if params else {}
    params = params or {}
    summary = None
    if isinstance(result, Mapping) and result.get("model") is not None:
        summary = {k: result.get(k) for k in ("model", "version", "org_id", "metrics", "rows")}
    progress = job.get("progress")
    return {
        "id": int(job["id"]), "contract_id": contract_id, "status": job.get("status"),
        "progress": None if progress is None or progress != progress else float(progress),
        "message": job.get("message"), "error": job.get("error"),
        "task": params.get("task"), "model": params.get("model"),
        "created_at": iso(job.get("created_at")), "finished_at": iso(job.get("finished_at")),
        "result": summary,
    }  # fmt: skip
