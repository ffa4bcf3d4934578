"""Metadata store on SQLAlchemy 2: ``sqlite:///file.sqlite`` by default, PostgreSQL for scale-out.

Only portable SQL is used, so the same contract suite passes on both engines. Writes take one
process-wide lock (SQLite allows one writer). Reads run in parallel.

Several processes (API, ingest and job workers) share one PostgreSQL database, and the services
read, check and write inside :meth:`SqlMetadataStore.transaction` (a login name still free, the
next version number, a contract's usage against its limits). On PostgreSQL that transaction takes
a transaction-scoped advisory lock first (:data:`WRITER_LOCK`), so such blocks run one at a time
across every process, as they do inside one process and on SQLite; its reads see what the
previous holder committed (READ COMMITTED takes a snapshot per statement). Writes outside a
transaction are single statements, atomic by themselves. A write joining a transaction runs in a
savepoint on PostgreSQL: a refused statement (a duplicate name) leaves the transaction usable,
as SQLite leaves it.
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import Connection, create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from openkamp.core.errors import Conflict, InvalidInput, NotFound, StorageError
from openkamp.storage.metadata.base import MetadataStore, Record, RecordKind
from openkamp.storage.metadata.schema import LOOKUP_KINDS, TABLES, orgs

_JSON_COLUMNS = {
    "categories", "options", "reasons", "report", "provenance", "metrics", "params", "scopes", "result",
    "columns", "detail", "nameplate", "config", "stats",
    "coverage", "preview", "certificate", "price", "policy",  # offers (migration 0010)
    "transforms",  # offers (migration 0012)
}  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


def _out(row: Any) -> Record:
    rec = dict(row._mapping)
    for key, value in rec.items():
        if key in _JSON_COLUMNS and isinstance(value, str):
            rec[key] = json.loads(value)
        elif isinstance(value, datetime) and value.tzinfo is None:
            rec[key] = value.replace(tzinfo=UTC)  # SQLite drops the offset; we store UTC
    return rec


def _in(values: Record) -> Record:
    out = {}
    for key, value in values.items():
        if key in _JSON_COLUMNS and not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        elif isinstance(value, datetime):
            value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        out[key] = value
    return out


_INT64 = range(-(2**63), 2**63)

#: Key of the PostgreSQL advisory lock that :meth:`SqlMetadataStore.transaction` holds until its
#: commit (any fixed 64-bit number; advisory locks are per database).
WRITER_LOCK = 0x6F6B_6D65_7461_7772  # "okmetawr"


def _storable(value: Any) -> bool:
    """Whether an integer fits the database's 64-bit integers (anything else cannot match)."""
    return not isinstance(value, int) or isinstance(value, bool) or value in _INT64


class SqlMetadataStore(MetadataStore):
    scheme: ClassVar[str] = "sqlite"

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        if url.startswith("postgresql://"):  # SQLAlchemy's default driver is psycopg2: not ours
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                # Keep a connection per request thread (the server's thread pool has 40):
                # with the default 5, most requests opened and closed a connection, setting
                # its pragmas each time.
                kwargs.update(pool_size=20, max_overflow=30)
        else:
            # A server restarted or a connection cut by a firewall: found before use, not as a
            # failed request.
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        self._pg = self.engine.dialect.name == "postgresql"
        #: Other processes write this database too (API, ingest and job workers on
        #: PostgreSQL): what they must agree on lives in the store, not in memory.
        self.shared = self.engine.dialect.name != "sqlite"
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._write_lock = threading.RLock()
        self._tx: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
            f"tx-{id(self)}", default=None
        )
        if migrate:
            from openkamp.storage.metadata.migrate import upgrade

            upgrade(self.engine)

    # -- connections --------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._tx.get() is not None:  # nested: join the outer transaction
            yield
            return
        with self._write_lock, self.engine.begin() as conn:
            if self._pg:  # one such block at a time across processes (module docstring)
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITER_LOCK})
            token = self._tx.set(conn)
            try:
                yield
            finally:
                self._tx.reset(token)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        conn = self._tx.get()
        if conn is not None:
            if self._pg:  # a refused statement must not abort the caller's transaction
                with conn.begin_nested():
                    yield conn
            else:
                yield conn
            return
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        conn = self._tx.get()
        if conn is not None:  # see our own uncommitted writes
            yield conn
            return
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    # -- organisations ------------------------------------------------------------------------

    def create_org(self, name: str, display_name: str = "") -> Record:
        try:
            with self._write() as conn:
                row = conn.execute(
                    orgs.insert()
                    .values(name=name, display_name=display_name, created_at=_now())
                    .returning(*orgs.c)
                ).one()
        except IntegrityError as exc:
            raise Conflict(f"An organisation named {name!r} already exists.") from exc
        return _out(row)

    def get_org(self, org_id: int) -> Record:
        with self._read() as conn:
            row = conn.execute(select(orgs).where(orgs.c.id == int(org_id))).first()
        if row is None:
            raise NotFound(f"No organisation {org_id}.")
        return _out(row)

    def find_org(self, name: str) -> Record | None:
        with self._read() as conn:
            row = conn.execute(select(orgs).where(orgs.c.name == name)).first()
        return None if row is None else _out(row)

    def list_orgs(self) -> list[Record]:
        with self._read() as conn:
            return [_out(r) for r in conn.execute(select(orgs).order_by(orgs.c.id))]

    # -- records ------------------------------------------------------------------------------

    @staticmethod
    def _table(kind: RecordKind) -> Any:
        try:
            return TABLES[kind]
        except KeyError:
            raise InvalidInput(f"Unknown record kind {kind!r}; known: {sorted(TABLES)}.") from None

    def _prepare(self, kind: RecordKind, values: Record, table: Any) -> Record:
        unknown = set(values) - set(table.c.keys())
        if unknown:
            raise InvalidInput(f"Unknown fields for {kind}: {sorted(unknown)}.")
        values = dict(values)
        if kind == "node" and "parent_id" in values:
            values["parent_key"] = values["parent_id"] or 0
        return _in(values)

    def insert(self, org_id: int, kind: RecordKind, values: Record) -> Record:
        table = self._table(kind)
        values = self._prepare(kind, {k: v for k, v in values.items() if k != "id"}, table)
        values["org_id"] = int(org_id)
        if "created_at" in table.c and "created_at" not in values:
            values["created_at"] = _now()
        try:
            with self._write() as conn:
                row = conn.execute(table.insert().values(**values).returning(*table.c)).one()
        except IntegrityError as exc:
            raise _conflict(kind, values, exc) from exc
        return _out(row)

    def lookup(self, kind: RecordKind, /, **equals: Any) -> Record | None:
        if kind not in LOOKUP_KINDS:
            raise InvalidInput(f"{kind!r} records cannot be looked up across organisations.")
        table = self._table(kind)
        stmt = select(table)
        for key, value in equals.items():
            if key not in table.c:
                raise InvalidInput(f"Unknown field {key!r} for {kind}.")
            stmt = stmt.where(table.c[key] == value)
        with self._read() as conn:
            row = conn.execute(stmt.order_by(table.c.id).limit(1)).first()
        return None if row is None else _out(row)

    def get(self, org_id: int, kind: RecordKind, record_id: int) -> Record:
        table = self._table(kind)
        if not _storable(int(record_id)):
            raise _not_found(kind, record_id)
        with self._read() as conn:
            row = conn.execute(
                select(table).where(table.c.org_id == int(org_id), table.c.id == int(record_id))
            ).first()
        if row is None:
            raise _not_found(kind, record_id)
        return _out(row)

    def find(self, org_id: int, kind: RecordKind, /, **equals: Any) -> list[Record]:
        stmt = self._select(org_id, kind, equals)
        if stmt is None:
            return []
        table = self._table(kind)
        with self._read() as conn:
            return [_out(r) for r in conn.execute(stmt.order_by(table.c.id))]

    def find_first(
        self,
        org_id: int,
        kind: RecordKind,
        /,
        *,
        order: Sequence[str],
        limit: int,
        **equals: Any,
    ) -> list[Record]:
        stmt = self._select(org_id, kind, equals)
        if stmt is None or limit <= 0:
            return []
        table = self._table(kind)
        keys = []
        for col in order:
            name = col.lstrip("-")
            if name not in table.c:
                raise InvalidInput(f"Unknown field {name!r} for {kind}.")
            keys.append(table.c[name].desc() if col.startswith("-") else table.c[name].asc())
        with self._read() as conn:
            return [_out(r) for r in conn.execute(stmt.order_by(*keys).limit(int(limit)))]

    def _select(self, org_id: int, kind: RecordKind, equals: dict[str, Any]) -> Any:
        """SELECT of ``kind`` scoped to the organisation with the equality filters; None when
        no stored record can match."""
        table = self._table(kind)
        stmt = select(table).where(table.c.org_id == int(org_id))
        for key, value in equals.items():
            if key not in table.c:
                raise InvalidInput(f"Unknown field {key!r} for {kind}.")
            if isinstance(value, list | tuple | set | frozenset):
                value = [v for v in value if _storable(v)]
            elif not _storable(value):
                return None  # no stored id is that large
            col = table.c[key]
            if isinstance(value, list | tuple | set | frozenset):
                stmt = stmt.where(col.in_(list(value)))
            elif value is None:
                stmt = stmt.where(col.is_(None))
            else:
                stmt = stmt.where(col == value)
        return stmt

    def update(self, org_id: int, kind: RecordKind, record_id: int, values: Record) -> Record:
        table = self._table(kind)
        values = self._prepare(
            kind, {k: v for k, v in values.items() if k not in ("id", "org_id")}, table
        )
        if not values or not _storable(int(record_id)):
            return self.get(org_id, kind, record_id)  # "not found" for another org's id too
        try:
            with self._write() as conn:
                row = conn.execute(
                    table.update()
                    .where(table.c.org_id == int(org_id), table.c.id == int(record_id))
                    .values(**values)
                    .returning(*table.c)
                ).first()
        except IntegrityError as exc:
            raise _conflict(kind, values, exc) from exc
        if row is None:
            raise _not_found(kind, record_id)
        return _out(row)

    def delete(self, org_id: int, kind: RecordKind, record_id: int) -> None:
        table = self._table(kind)
        if not _storable(int(record_id)):
            raise _not_found(kind, record_id)
        try:
            with self._write() as conn:
                n = conn.execute(
                    table.delete().where(
                        table.c.org_id == int(org_id), table.c.id == int(record_id)
                    )
                ).rowcount
        except IntegrityError as exc:
            raise Conflict(
                f"The {kind.replace('_', ' ')} {record_id} is still referenced by other records.",
                hint="Delete or move what refers to it first.",
            ) from exc
        except OperationalError as exc:  # pragma: no cover - engine failure
            raise StorageError(str(exc)) from exc
        if n == 0:
            raise _not_found(kind, record_id)


def _not_found(kind: RecordKind, record_id: object) -> NotFound:
    """A missing record, coded by kind (``record.not_found.node`` …) for the user's language."""
    return NotFound(
        f"No {kind.replace('_', ' ')} with id {record_id}.",
        code=f"record.not_found.{kind}",
        params={"id": record_id},
    )


def _conflict(kind: RecordKind, values: Record, exc: IntegrityError) -> Conflict:
    message = _conflict_message(kind, values, exc)
    if message.endswith("already exists here."):  # a sibling with that name: coded
        return Conflict(message, code="record.duplicate", params={"name": values.get("name")})
    return Conflict(message)


def _conflict_message(kind: RecordKind, values: Record, exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return f"A {kind.replace('_', ' ')} named {values.get('name')!r} already exists here."
    if "foreign key" in text:
        return f"The {kind.replace('_', ' ')} refers to a record that does not exist."
    return f"The {kind.replace('_', ' ')} conflicts with existing records: {exc.orig}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")  # referential checks, as PostgreSQL always does
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
