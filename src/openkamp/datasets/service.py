"""The dataset service: create, list, read and delete named, versioned, immutable tables.

A version is a Parquet file in the (content-addressed) file store plus a ``dataset`` record in the
metadata store holding its columns, roles, schema hash, content hash and row count::

    v = kamp.datasets.create(me, "shots", frame, [{"name": "품번", "kind": "text", "role": "id"}, …])
    kamp.datasets.get(me, "shots")          # the latest version
    kamp.datasets.get(me, "shots@1")        # version 1; an int is a record id
    page = kamp.datasets.read(me, "shots", columns=["사출압력"], limit=100, offset=1000)

Reading is bounded: the file is written in row groups of :data:`ROW_GROUP_ROWS` rows, and a page
reads only the row groups it overlaps and only the columns asked for (Parquet's own projection),
never the whole file. Creating with an existing name makes the next version; nothing changes a
stored version. Engineers create and delete, viewers read; every call is scoped to the acting
principal's organisation, and another organisation's dataset is "not found".
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from openkamp.core.assets import NodeKind, check_name, check_texts
from openkamp.core.errors import Conflict, InvalidInput, NotFound, StorageError
from openkamp.core.parquet import parquet_batches
from openkamp.core.tenancy import Principal, Role, require
from openkamp.core.text import nfc, refuse_look_alike
from openkamp.datasets._tables import (
    columns_for,
    conform,
    empty_table,
    order_and_check,
    schema_for,
    to_arrow,
)
from openkamp.datasets._version import DatasetColumn, DatasetVersion, schema_hash

if TYPE_CHECKING:
    from openkamp.assets.service import AssetService
    from openkamp.quality.profile import QualityReport
    from openkamp.storage.files.base import FileStore
    from openkamp.storage.metadata.base import MetadataStore, Record, RecordKind

__all__ = ["ROW_GROUP_ROWS", "DatasetRef", "DatasetService"]

_DATASET = cast("RecordKind", "dataset")
#: Rows per Parquet row group: the unit a page read touches (a page of 100 rows reads at most
#: two groups of this many rows, of the asked columns only).
ROW_GROUP_ROWS = 16_384
#: Rows per batch when a whole version is streamed (export, samples).
BATCH_ROWS = 16_384
#: Rows a quality profile reads at most.
PROFILE_ROWS = 20_000
_PROFILES_KEPT = 32
# Two writers computing "max + 1" at once collide on the unique (org, name, version)
# constraint; the loser takes the next number.
_CREATE_ATTEMPTS = 5
_REF_RE = re.compile(r"^(?P<name>.+?)@(?P<version>\d+)$")

#: A dataset reference: a record id, ``"name"`` (latest version) or ``"name@3"``.
DatasetRef = int | str


class DatasetService:
    """Named, versioned, immutable tables of one organisation (records or snapshots)."""

    def __init__(self, meta: MetadataStore, files: FileStore, assets: AssetService) -> None:
        self.meta = meta
        self.files = files
        self.assets = assets
        # Versions never change, so a profile is computed once per version (a few per process).
        self._profiles: OrderedDict[tuple[Any, ...], QualityReport] = OrderedDict()
        self._profiles_lock = threading.Lock()  # API requests run on several threads

    # -- writing ------------------------------------------------------------------------------

    def create(
        self,
        principal: Principal,
        name: str,
        table: pd.DataFrame | pa.Table | Iterable[pd.DataFrame | pa.Table],
        columns: Sequence[DatasetColumn | Mapping[str, Any]] | None = None,
        *,
        equipment: int | str | None = None,
        import_id: int | None = None,
        display_name: str = "",
        description: str = "",
        options: Mapping[str, Any] | None = None,
        origin: str = "records",
        if_changed: bool = False,
    ) -> DatasetVersion:
        """Store ``table`` as the next version of ``name`` and return it.

        ``table`` is a pandas or Arrow table, or an iterable of them (parts of one table, e.g. the
        chunks of an import), written to the file as they come: memory holds one part and one
        row group, however many rows the table has.

        ``columns`` describes every column of the table (kind, role, header, unit, display
        names); left out, kinds come from the table's types and every column is an input except
        the first time column. ``equipment`` (an id or a ``site/line/equipment`` path) links the
        dataset to the machine its records come from. With ``if_changed`` a table identical to
        the latest version (same content and schema) returns that version instead of adding one.
        """
        require(principal, Role.ENGINEER)
        name = nfc(name) if isinstance(name, str) else name
        check_name(name, "dataset name")
        check_texts({"display_name": display_name, "description": description}, "dataset")
        refuse_look_alike(
            name,
            {str(r["name"]) for r in self.meta.find(principal.org_id, _DATASET)},
            "dataset name",
        )
        if origin not in ("records", "snapshot"):
            raise InvalidInput(f"Unknown dataset origin {origin!r}.", code="datasets.origin")
        parts = iter([table]) if isinstance(table, pd.DataFrame | pa.Table) else iter(table)
        first = next(parts, None)
        if first is None:
            if columns is None:
                raise InvalidInput(
                    "A dataset without rows needs its columns described.",
                    code="datasets.no_columns",
                )
            first = empty_table([DatasetColumn.coerce(c) for c in columns])
        arrow = to_arrow(first)
        cols = columns_for(arrow, columns)
        arrow = order_and_check(arrow, cols)
        schema = schema_for(arrow.schema, cols)
        equipment_id = self._equipment_id(principal, equipment)
        digest = schema_hash(cols)

        def tables() -> Iterator[pa.Table]:
            yield arrow
            for part in parts:
                yield conform(order_and_check(to_arrow(part), cols), schema)

        ref, rows = self._write_parquet(principal.org_id, tables(), schema)
        if if_changed:
            latest = self._latest(principal.org_id, name)
            if (
                latest is not None
                and latest["content_sha256"] == ref.sha256
                and latest["schema_hash"] == digest
            ):
                if equipment_id is not None and latest["equipment_id"] != equipment_id:
                    # The same rows imported for another machine: link the version to it.
                    latest = self.meta.update(
                        principal.org_id, _DATASET, latest["id"], {"equipment_id": equipment_id}
                    )
                return DatasetVersion.from_record(latest)
        values: Record = {
            "name": name,
            "display_name": display_name or name,
            "description": description,
            "equipment_id": equipment_id,
            "import_id": import_id,
            "origin": origin,
            "rows": rows,
            "columns": json.dumps([c.to_dict() for c in cols], ensure_ascii=False),
            "schema_hash": digest,
            "content_sha256": ref.sha256,
            "file_key": ref.sha256,
            "options": json.dumps(dict(options or {}), ensure_ascii=False, default=str),
            "created_at": datetime.now(UTC),
            "created_by": principal.name,
        }
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                with self.meta.transaction():
                    existing = self.meta.find(principal.org_id, _DATASET, name=name)
                    version = max((int(r["version"]) for r in existing), default=0) + 1
                    rec = self.meta.insert(
                        principal.org_id, _DATASET, {**values, "version": version}
                    )
            except Conflict:
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise
                continue
            return DatasetVersion.from_record(rec)
        raise AssertionError("unreachable")  # pragma: no cover

    def link_equipment(
        self, principal: Principal, ref: DatasetRef, equipment: int | str | None
    ) -> DatasetVersion:
        """Link a version to the machine its records come from (or unlink it with ``None``).

        The link is not part of the table's content or schema, so it may change on a stored
        version (the import wizard links a dataset to the machine the user picked).
        """
        require(principal, Role.ENGINEER)
        rec = self._record(principal, ref)
        equipment_id = self._equipment_id(principal, equipment)
        rec = self.meta.update(
            principal.org_id, _DATASET, rec["id"], {"equipment_id": equipment_id}
        )
        return DatasetVersion.from_record(rec)

    def delete(self, principal: Principal, ref: DatasetRef) -> int:
        """Delete a version (``"name@3"`` or an id), or every version of a plain ``"name"``.

        A stored file no other version shares is removed too. Returns how many versions went.
        """
        require(principal, Role.ENGINEER)
        org = principal.org_id
        with self.meta.transaction():
            if isinstance(ref, str) and not _REF_RE.match(ref):
                check_name(ref, "dataset name")
                recs = self.meta.find(org, _DATASET, name=ref)
                if not recs:
                    raise _not_found(ref)
            else:
                recs = [self._record(principal, ref)]
            for rec in recs:
                self.meta.delete(org, _DATASET, rec["id"])
            keys = {rec["file_key"] for rec in recs}
            still_used = {key for key in keys if self.meta.find(org, _DATASET, file_key=key)}
        for key in keys - still_used:  # after the commit: a rolled-back delete keeps its file
            self.files.delete(org, key)
        return len(recs)

    # -- reading ------------------------------------------------------------------------------

    def get(self, principal: Principal, ref: DatasetRef) -> DatasetVersion:
        """One version: by id, ``"name@3"``, or the latest of ``"name"``."""
        require(principal, Role.VIEWER)
        return DatasetVersion.from_record(self._record(principal, ref))

    def versions(self, principal: Principal, name: str) -> builtins.list[DatasetVersion]:
        """Every version of one dataset, oldest first."""
        require(principal, Role.VIEWER)
        check_name(name, "dataset name")
        recs = self.meta.find(principal.org_id, _DATASET, name=name)
        if not recs:
            raise _not_found(name)
        return sorted((DatasetVersion.from_record(r) for r in recs), key=lambda v: v.version)

    def read(
        self,
        principal: Principal,
        ref: DatasetRef,
        columns: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> pd.DataFrame:
        """Rows ``offset … offset+limit`` (all from ``offset`` when ``limit`` is None) of the
        asked columns (all by default), in stored order.

        Only the row groups the page overlaps and only the asked columns are read from the file.
        """
        require(principal, Role.VIEWER)
        v = DatasetVersion.from_record(self._record(principal, ref))
        names = self._projection(v, columns)
        if offset < 0 or (limit is not None and limit < 0):
            raise InvalidInput(
                "Offset and limit cannot be negative.", code="datasets.negative_page"
            )
        with self._open(principal.org_id, v) as fh:
            pf = pq.ParquetFile(fh)
            end = v.rows if limit is None else min(v.rows, offset + limit)
            if offset >= end:
                return pf.schema_arrow.empty_table().select(names).to_pandas()
            groups, first = _groups_between(pf, offset, end)
            table = pf.read_row_groups(groups, columns=names)
            return table.slice(offset - first, end - offset).to_pandas()

    def iter_batches(
        self,
        principal: Principal,
        ref: DatasetRef,
        columns: Sequence[str] | None = None,
        batch_rows: int = BATCH_ROWS,
    ) -> Iterator[pd.DataFrame]:
        """The whole version as frames of at most ``batch_rows`` rows (bounded memory: one row
        group and one batch; :func:`openkamp.core.parquet.parquet_batches`)."""
        require(principal, Role.VIEWER)
        v = DatasetVersion.from_record(self._record(principal, ref))
        names = self._projection(v, columns)
        with self._open(principal.org_id, v) as fh:
            for batch in parquet_batches(pq.ParquetFile(fh), names, batch_rows):
                yield batch.to_pandas()

    def sample(
        self,
        principal: Principal,
        ref: DatasetRef,
        rows: int = 20_000,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """At most ``rows`` rows spread evenly over the version (every k-th row), read in
        batches, so a profile of a large dataset holds only the sample."""
        v = self.get(principal, ref)
        step = max(1, -(-v.rows // max(1, rows)))
        parts: builtins.list[pd.DataFrame] = []
        seen = 0
        for frame in self.iter_batches(principal, v.id, columns):
            start = (-seen) % step
            parts.append(frame.iloc[start::step])
            seen += len(frame)
        if not parts:
            return self.read(principal, v.id, columns, limit=0)
        return pd.concat(parts, ignore_index=True)

    def quality(
        self, principal: Principal, ref: DatasetRef, rows: int = PROFILE_ROWS
    ) -> QualityReport:
        """The data-quality profile (:func:`openkamp.quality.profile`) of at most ``rows`` rows:
        the whole version, or its latest ``rows`` rows (contiguous, so time steps stay
        checkable); ``report.rows`` says how many rows were profiled.

        Columns with the role ``ignore`` are left out. A table with several rows per time is
        profiled as records (time=None): repeated times are its structure, not a fault.
        """
        from openkamp.quality import profile

        v = self.get(principal, ref)
        key = (v.org_id, v.id, v.content_sha256, v.schema_hash, rows)
        with self._profiles_lock:
            cached = self._profiles.get(key)
            if cached is not None:
                self._profiles.move_to_end(key)
                return cached
        names = [c.name for c in v.columns if c.role != "ignore"]
        offset = max(0, v.rows - rows)
        frame = self.read(principal, v.id, names, limit=rows, offset=offset)
        time = v.time_column if v.time_column in names else None
        if time is not None and frame[time].duplicated().any():
            time = None
        report = profile(frame, time=time)
        with self._profiles_lock:
            self._profiles[key] = report
            while len(self._profiles) > _PROFILES_KEPT:
                self._profiles.popitem(last=False)
        return report

    def export(
        self,
        principal: Principal,
        ref: DatasetRef,
        out: BinaryIO,
        fmt: str = "csv",
        tz: str = "UTC",
    ) -> int:
        """Write a version to ``out`` as ``csv`` or ``xlsx`` for people (see
        :mod:`openkamp.datasets.export`: file headers, local times, formula cells neutralised)."""
        from openkamp.datasets.export import write_export

        return write_export(self, principal, ref, out, fmt, tz)

    def for_equipment(
        self, principal: Principal, equipment_id: int
    ) -> builtins.list[DatasetVersion]:
        """The latest version of every record dataset linked to the equipment."""
        from openkamp.datasets.production import linked

        return linked(self, principal, equipment_id)

    def daily_counts(self, principal: Principal, ref: DatasetRef, tz: str) -> pd.DataFrame:
        """Production (rows) and defects per local day of a record dataset (see
        :mod:`openkamp.datasets.production`): columns ``day``, ``rows``, ``judged``,
        ``defects``."""
        from openkamp.datasets.production import daily_counts

        return daily_counts(self, principal, ref, tz)

    def verify(self, principal: Principal, ref: DatasetRef) -> bool:
        """True when the stored file's SHA-256 still matches the version's content hash."""
        require(principal, Role.VIEWER)
        v = DatasetVersion.from_record(self._record(principal, ref))
        digest = hashlib.sha256()
        with self._open(principal.org_id, v) as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest() == v.content_sha256

    # ``list`` is defined last: inside the class body it shadows the builtin for annotations.
    def list(self, principal: Principal) -> builtins.list[DatasetVersion]:
        """The latest version of every dataset, by name."""
        require(principal, Role.VIEWER)
        latest: dict[str, Record] = {}
        for rec in self.meta.find(principal.org_id, _DATASET):
            have = latest.get(rec["name"])
            if have is None or int(rec["version"]) > int(have["version"]):
                latest[rec["name"]] = rec
        return [DatasetVersion.from_record(latest[n]) for n in sorted(latest)]

    # -- helpers ------------------------------------------------------------------------------

    def _record(self, principal: Principal, ref: DatasetRef) -> Record:
        org = principal.org_id
        if isinstance(ref, bool) or not isinstance(ref, int | str):
            raise InvalidInput(f"{ref!r} is not a dataset reference.", code="datasets.bad_ref")
        if isinstance(ref, int):
            try:
                return self.meta.get(org, _DATASET, ref)
            except NotFound:
                raise _not_found(f"#{ref}") from None
        m = _REF_RE.match(ref)
        name, version = (m["name"], int(m["version"])) if m else (ref, None)
        check_name(name, "dataset name")
        if version is None:
            rec = self._latest(org, name)
        else:
            found = self.meta.find(org, _DATASET, name=name, version=version)
            rec = found[0] if found else None
        if rec is None:
            raise _not_found(ref)
        return rec

    def _latest(self, org: int, name: str) -> Record | None:
        recs = self.meta.find(org, _DATASET, name=name)
        return max(recs, key=lambda r: int(r["version"])) if recs else None

    def _equipment_id(self, principal: Principal, equipment: int | str | None) -> int | None:
        if equipment is None:
            return None
        node = (
            self.assets.get_node(principal, equipment)
            if isinstance(equipment, int)
            else self.assets.resolve(principal, equipment)
        )
        if getattr(node, "kind", None) != NodeKind.EQUIPMENT:
            raise InvalidInput(
                f"{equipment!r} is not an equipment.",
                hint="Name a machine as site/line/equipment.",
                code="datasets.not_equipment",
                params={"equipment": str(equipment)},
            )
        return int(node.id)

    @staticmethod
    def _projection(v: DatasetVersion, columns: Sequence[str] | None) -> builtins.list[str]:
        if columns is None:
            return v.column_names
        for name in columns:
            v.column(name)  # raises a clear error for an unknown column
        return [str(c) for c in columns]

    def _open(self, org: int, v: DatasetVersion) -> Any:
        try:
            return self.files.open(org, v.file_key)
        except NotFound:
            raise StorageError(
                f"The stored table of dataset {v.ref} is missing.", code="datasets.file_missing"
            ) from None

    def _write_parquet(
        self, org: int, tables: Iterator[pa.Table], schema: pa.Schema
    ) -> tuple[Any, int]:
        """Write the parts to a temporary Parquet file in row groups of exactly
        :data:`ROW_GROUP_ROWS` rows (so the bytes do not depend on how the rows were cut into
        parts), then into the file store, which hashes while it copies."""
        fd, tmp = tempfile.mkstemp(prefix="dataset-", suffix=".parquet")
        os.close(fd)
        rows = 0
        try:
            with pq.ParquetWriter(tmp, schema, compression="zstd", write_statistics=True) as writer:
                pending: builtins.list[pa.Table] = []
                held = 0
                for part in tables:
                    part = conform(part, schema)
                    pending.append(part)
                    held += part.num_rows
                    rows += part.num_rows
                    if held >= ROW_GROUP_ROWS:
                        joined = pa.concat_tables(pending)
                        full = (held // ROW_GROUP_ROWS) * ROW_GROUP_ROWS
                        writer.write_table(joined.slice(0, full), row_group_size=ROW_GROUP_ROWS)
                        pending, held = [joined.slice(full)], held - full
                if held or rows == 0:
                    tail = pa.concat_tables(pending) if pending else schema.empty_table()
                    writer.write_table(tail, row_group_size=ROW_GROUP_ROWS)
            return self.files.put(org, Path(tmp)), rows
        finally:
            os.unlink(tmp)


def _not_found(ref: object) -> NotFound:
    return NotFound(f"No dataset {ref}.", code="datasets.not_found", params={"ref": str(ref)})


def _groups_between(pf: pq.ParquetFile, start: int, end: int) -> tuple[builtins.list[int], int]:
    """Indices of the row groups holding rows ``start … end-1`` and the first one's first row."""
    groups: builtins.list[int] = []
    first = 0
    row = 0
    for i in range(pf.metadata.num_row_groups):
        n = pf.metadata.row_group(i).num_rows
        if row + n > start and row < end:
            if not groups:
                first = row
            groups.append(i)
        row += n
        if row >= end:
            break
    return groups, first
