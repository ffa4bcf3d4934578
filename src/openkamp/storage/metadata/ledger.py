"""Storage of the usage ledger: the append-only tables of migration 0009 behind a small interface.

The ledger (:mod:`openkamp.sharing.ledger`) keeps its Merkle tree here: entries (canonical JSON
leaves), the organisations each concerns, the hashes of complete subtrees and signed tree heads.
Rows are only inserted, in one transaction per appended batch; reads are by index ranges, so any
proof or view costs the same however long the log grows.

:class:`SqlLedgerStore` keeps the tables in the metadata database (SQLite or PostgreSQL) and writes
through its store's single writer, joining a transaction the caller has open (so a contract's
change and its ledger entry commit together). Two writers can never give two entries one index:
the index is the primary key, and a lost race is a :class:`~openkamp.core.errors.Conflict`. On
PostgreSQL an advisory lock held for the transaction keeps writers of several processes in line.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from openkamp.core.errors import Conflict, InvalidInput
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.metadata.schema import (
    ledger_entries,
    ledger_heads,
    ledger_nodes,
    ledger_parties,
)

__all__ = ["EntryRow", "HeadRow", "LedgerStore", "ScanRow", "SqlLedgerStore", "ledger_store"]

#: Key of the PostgreSQL advisory lock that lines up ledger writers (any fixed 64-bit number).
#: One lock for the whole log, not one per organisation: the indices, the Merkle tree and the
#: platform's tree heads are shared by every organisation, so an append of one organisation must
#: see the size and edge another's append committed.
_PG_LOCK = 0x6F6B_6C65_6467_6572  # "okledger"
_NO_ORG = object()

#: (seq, kind, org_id, contract, dataset, ISO time, leaf, party ids): see LedgerStore.scan.
ScanRow = tuple[int, str, int, str | None, str | None, str, str, str | None]


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One stored entry: its index (``seq``), the columns kept for queries, and the leaf."""

    seq: int
    kind: str
    org_id: int
    contract: str | None
    dataset: str | None
    at: datetime
    leaf: str


@dataclass(frozen=True, slots=True)
class HeadRow:
    """A signed tree head: the platform's (``org_id`` None) or an organisation's."""

    org_id: int | None
    tree_size: int
    root_hash: bytes
    timestamp_ms: int
    key_id: str
    signature: bytes


class LedgerStore(ABC):
    """The ledger's tables. Methods read inside the open :meth:`writing` transaction if any."""

    @abstractmethod
    def writing(self) -> AbstractContextManager[None]:
        """A transaction (joining the caller's) in which this is the only ledger writer."""

    @abstractmethod
    def in_transaction(self) -> bool:
        """Whether a caller's transaction is open (a write commits, or fails, with it)."""

    @abstractmethod
    def size(self) -> int:
        """Number of entries (the highest index plus one)."""

    @abstractmethod
    def node_hashes(self, ids: Sequence[int]) -> dict[int, bytes]:
        """Stored subtree hashes of these node ids (absent ids are left out)."""

    @abstractmethod
    def nodes_between(self, lo: int, hi: int) -> list[tuple[int, bytes]]:
        """Every stored subtree hash with ``lo <= id < hi``, as ``(id, hash)`` by id."""

    @abstractmethod
    def entries_between(self, lo: int, hi: int) -> list[EntryRow]:
        """Entries with ``lo <= seq < hi``, by index."""

    @abstractmethod
    def scan(self, lo: int, hi: int) -> list[ScanRow]:
        """Entries with ``lo <= seq < hi`` by index, as lean tuples for verification: ``(seq,
        kind, org_id, contract, dataset, time as ISO 8601 UTC with microseconds and Z, leaf,
        the ids of the organisations concerned as text joined by commas)``."""

    @abstractmethod
    def node_hashes_between(self, lo: int, hi: int) -> list[bytes]:
        """The stored subtree hashes with ``lo <= id < hi``, by id (no ids: for a range that
        holds only complete subtrees, where their count says whether every id is there)."""

    @abstractmethod
    def entries_of(self, org_id: int, *, after: int = -1, limit: int = 100) -> list[EntryRow]:
        """Entries concerning an organisation with index above ``after``, by index."""

    @abstractmethod
    def insert(
        self,
        entries: Sequence[EntryRow],
        parties: Sequence[tuple[int, int]],
        nodes: Sequence[tuple[int, bytes]],
        heads: Sequence[HeadRow],
    ) -> None:
        """Insert rows of one batch (inside :meth:`writing`); Conflict if an index is taken."""

    @abstractmethod
    def heads(self, org_id: int | object | None = _NO_ORG) -> list[HeadRow]:
        """Signed tree heads by tree size: the platform's (``None``), one organisation's, or
        all of them (no argument)."""

    @abstractmethod
    def last_head(self, org_id: int | None) -> HeadRow | None:
        """The newest tree head of the platform (``None``) or of an organisation."""

    @abstractmethod
    def last_timestamp(self) -> int:
        """The latest timestamp of any tree head (0 before the first)."""


class SqlLedgerStore(LedgerStore):
    """The ledger's tables in a :class:`~openkamp.storage.metadata.sql.SqlMetadataStore`."""

    def __init__(self, meta: Any) -> None:
        self.meta = meta

    # The metadata store's own write path (one writer, joined transactions) is reused: this
    # module is part of that backend, so it uses its package-private connection helpers.

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self.meta.transaction(), self.meta._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
            yield

    def in_transaction(self) -> bool:
        return self.meta._tx.get() is not None

    def size(self) -> int:
        with self.meta._read() as conn:
            top = conn.execute(select(func.max(ledger_entries.c.seq))).scalar()
        return 0 if top is None else int(top) + 1

    def node_hashes(self, ids: Sequence[int]) -> dict[int, bytes]:
        if not ids:
            return {}
        c = ledger_nodes.c
        with self.meta._read() as conn:
            rows = conn.execute(select(c.id, c.hash).where(c.id.in_(list(ids)))).all()
        return {int(i): bytes(h) for i, h in rows}

    def _fetch(self, sql: str, *params: int) -> list[Any]:
        """Rows of ``sql`` (``{}`` for each parameter, ``{at}`` for the entry's time as ISO
        text) straight from the driver's cursor: verify reads a million rows, where SQLAlchemy's
        result rows cost more than the database."""
        with self.meta._read() as conn:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            if conn.dialect.name == "postgresql":
                at = "to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                ids = "string_agg(p.org_id::text, ',' ORDER BY p.org_id)"
            else:  # SQLite holds what SQLAlchemy wrote: "YYYY-MM-DD HH:MM:SS.ffffff", UTC
                at = "replace(e.at, ' ', 'T') || 'Z'"
                ids = "group_concat(p.org_id)"
            sql = sql.replace("{at}", at).replace("{ids}", ids)
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql.format(*[mark] * len(params)), params)
                return list(cursor.fetchall())
            finally:
                cursor.close()

    def nodes_between(self, lo: int, hi: int) -> list[tuple[int, bytes]]:
        rows = self._fetch(
            "SELECT id, hash FROM ledger_nodes WHERE id >= {} AND id < {} ORDER BY id", lo, hi
        )
        if rows and not isinstance(rows[0][1], bytes):  # a driver's memoryview
            rows = [(i, bytes(h)) for i, h in rows]
        return rows

    def entries_between(self, lo: int, hi: int) -> list[EntryRow]:
        c = ledger_entries.c
        stmt = select(ledger_entries).where(c.seq >= lo, c.seq < hi).order_by(c.seq)
        with self.meta._read() as conn:
            return [_entry(r) for r in conn.execute(stmt)]

    def scan(self, lo: int, hi: int) -> list[ScanRow]:
        return self._fetch(
            "SELECT e.seq, e.kind, e.org_id, e.contract, e.dataset, {at}, e.leaf, "
            "(SELECT {ids} FROM ledger_parties p WHERE p.seq = e.seq) "
            "FROM ledger_entries e WHERE e.seq >= {} AND e.seq < {} ORDER BY e.seq",
            lo, hi,
        )  # fmt: skip

    def node_hashes_between(self, lo: int, hi: int) -> list[bytes]:
        rows = self._fetch(
            "SELECT hash FROM ledger_nodes WHERE id >= {} AND id < {} ORDER BY id", lo, hi
        )
        return [bytes(h) for (h,) in rows]

    def entries_of(self, org_id: int, *, after: int = -1, limit: int = 100) -> list[EntryRow]:
        p, e = ledger_parties.c, ledger_entries.c
        seqs = (
            select(p.seq)
            .where(p.org_id == int(org_id), p.seq > int(after))
            .order_by(p.seq)
            .limit(max(0, int(limit)))
            .subquery()
        )
        stmt = select(ledger_entries).join(seqs, e.seq == seqs.c.seq).order_by(e.seq)
        with self.meta._read() as conn:
            return [_entry(r) for r in conn.execute(stmt)]

    def insert(
        self,
        entries: Sequence[EntryRow],
        parties: Sequence[tuple[int, int]],
        nodes: Sequence[tuple[int, bytes]],
        heads: Sequence[HeadRow],
    ) -> None:
        try:
            with self.meta._write() as conn:
                # Rows go to the driver's executemany as tuples: SQLAlchemy's per-row parameter
                # handling cost more than SQLite's inserts (appends are batches of thousands).
                mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
                at_type = ledger_entries.c.at.type.dialect_impl(conn.dialect)
                at = at_type.bind_processor(conn.dialect) or (lambda v: v)

                def put(table: str, cols: str, rows: Sequence[tuple[Any, ...]]) -> None:
                    if rows:
                        marks = ", ".join([mark] * (cols.count(",") + 1))
                        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
                        conn.exec_driver_sql(sql, list(rows))

                put("ledger_entries", "seq, kind, org_id, contract, dataset, at, leaf", [
                    (r.seq, r.kind, r.org_id, r.contract, r.dataset, at(_utc(r.at)), r.leaf)
                    for r in entries
                ])  # fmt: skip
                put("ledger_parties", "seq, org_id", parties)
                put("ledger_nodes", "id, hash", nodes)
                put("ledger_heads", "org_id, tree_size, root_hash, timestamp_ms, key_id, signature",
                    [(h.org_id, h.tree_size, h.root_hash, h.timestamp_ms, h.key_id, h.signature)
                     for h in heads])  # fmt: skip
        except IntegrityError as exc:
            text_ = str(exc.orig).lower()
            if "foreign key" in text_:
                raise InvalidInput(
                    "A ledger entry names an organisation that does not exist.",
                    code="ledger.unknown_org",
                ) from exc
            raise Conflict(
                "Another writer appended to the ledger at the same time; nothing was written.",
                hint="Append again.",
                code="ledger.busy",
            ) from exc

    def heads(self, org_id: int | object | None = _NO_ORG) -> list[HeadRow]:
        c = ledger_heads.c
        stmt = select(ledger_heads).order_by(c.tree_size, c.id)
        if org_id is None:
            stmt = stmt.where(c.org_id.is_(None))
        elif org_id is not _NO_ORG:
            stmt = stmt.where(c.org_id == int(org_id))  # type: ignore[call-overload]
        with self.meta._read() as conn:
            return [_head(r) for r in conn.execute(stmt)]

    def last_head(self, org_id: int | None) -> HeadRow | None:
        c = ledger_heads.c
        where = c.org_id.is_(None) if org_id is None else c.org_id == int(org_id)
        stmt = select(ledger_heads).where(where).order_by(c.tree_size.desc(), c.id.desc())
        with self.meta._read() as conn:
            row = conn.execute(stmt.limit(1)).first()
        return None if row is None else _head(row)

    def last_timestamp(self) -> int:
        with self.meta._read() as conn:
            top = conn.execute(select(func.max(ledger_heads.c.timestamp_ms))).scalar()
        return int(top or 0)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _entry(row: Any) -> EntryRow:
    at = row.at
    if at.tzinfo is None:  # SQLite drops the offset; we store UTC
        at = at.replace(tzinfo=UTC)
    return EntryRow(
        seq=int(row.seq), kind=row.kind, org_id=int(row.org_id), contract=row.contract,
        dataset=row.dataset, at=at, leaf=row.leaf,
    )  # fmt: skip


def _head(row: Any) -> HeadRow:
    return HeadRow(
        org_id=None if row.org_id is None else int(row.org_id), tree_size=int(row.tree_size),
        root_hash=bytes(row.root_hash), timestamp_ms=int(row.timestamp_ms), key_id=row.key_id,
        signature=bytes(row.signature),
    )  # fmt: skip


def ledger_store(meta: MetadataStore) -> LedgerStore:
    """The ledger tables of a metadata store (its SQL backend: SQLite or PostgreSQL)."""
    from openkamp.storage.metadata.sql import SqlMetadataStore

    if isinstance(meta, SqlMetadataStore):
        return SqlLedgerStore(meta)
    raise InvalidInput(
        f"The metadata store {type(meta).__name__} keeps no usage ledger.",
        hint="Use the SQL metadata store (sqlite:// or postgresql://).",
    )
