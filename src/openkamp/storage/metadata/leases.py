"""Leases: which process holds a resource, until when (the ``leases`` table of migration 0016).

Worker processes of one installation (API, ingest and job workers on PostgreSQL) agree through
leases on who runs what: a job (``job:<id>``), a connection (``connection:<id>``), a periodic
chore (``chore:<name>``), and that a process is alive at all (``process:<role>:<holder>``). A
holder is one process (``host:pid:random``, :func:`holder_id`); a lease is good until its
``expires_at`` and is kept by renewing it (a heartbeat) well before then. A process that dies
stops renewing: once its leases expire another process may take them.

Every change is one statement, atomic whatever other processes do at the same moment (no
read-then-write): :meth:`LeaseStore.acquire` is ``INSERT ... ON CONFLICT DO UPDATE ... WHERE``
the lease expired or is the caller's own; :meth:`LeaseStore.renew` is ``UPDATE ... WHERE`` the
caller holds it and it has not expired, so a lease that ran out is never silently revived.
Times come from the database's clock (``statement_timestamp()`` on PostgreSQL, ``julianday('now')``
on SQLite), in seconds since the epoch: the processes' own clocks, which may disagree across
machines, never decide who holds what.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, case, cast, delete, func, literal, or_, select, update

from openkamp.core.errors import InvalidInput
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.metadata.dialect import insert_on_conflict
from openkamp.storage.metadata.schema import leases

__all__ = ["Lease", "LeaseStore", "holder_id", "lease_store", "parse_holder"]

_RESOURCE_MAX = 200


def holder_id() -> str:
    """A new holder id for this process: ``host:pid:random`` (the random part tells two
    holders of one process apart, and a process from an earlier one with the same pid)."""
    host = socket.gethostname().replace(":", "_")[:120] or "host"
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def parse_holder(holder: str) -> tuple[str, int | None]:
    """The host and process id in a holder id (None when it is not of :func:`holder_id`'s form)."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    return host, int(pid) if pid.isdigit() else None


@dataclass(frozen=True)
class Lease:
    """One lease as stored; times are seconds since the epoch on the database's clock."""

    resource: str
    holder: str
    acquired_at: float
    renewed_at: float
    expires_at: float

    def live(self, now: float) -> bool:
        return self.expires_at > now


def _lease(row: Any) -> Lease:
    return Lease(
        str(row.resource),
        str(row.holder),
        float(row.acquired_at),
        float(row.renewed_at),
        float(row.expires_at),
    )


def db_now(conn: Any) -> Any:
    """The database's clock as seconds since the epoch (a SQL expression), the same throughout
    one statement. On PostgreSQL the statement's start (``statement_timestamp()``), not the
    transaction's (``now()``), which may be long past for a transaction that waited for a lock."""
    if conn.dialect.name == "postgresql":
        return cast(func.extract("epoch", func.statement_timestamp()), Float)
    return (func.julianday("now") - literal(2440587.5)) * literal(86400.0)


def _check(resource: str) -> str:
    if not resource or len(resource) > _RESOURCE_MAX:
        raise InvalidInput(f"A lease names a resource of 1 to {_RESOURCE_MAX} characters.")
    return resource


class LeaseStore:
    """The ``leases`` table of a SQL metadata store (SQLite or PostgreSQL).

    Each method is one statement; called inside :meth:`MetadataStore.transaction` it joins that
    transaction (the job queue takes a job and its lease together).
    """

    def __init__(self, meta: Any) -> None:
        self.meta = meta

    def now(self) -> float:
        """The database's clock, in seconds since the epoch."""
        with self.meta._read() as conn:
            return float(conn.execute(select(db_now(conn))).scalar_one())

    def acquire(self, resource: str, holder: str, ttl_s: float) -> Lease | None:
        """Take ``resource`` for ``holder`` for ``ttl_s`` seconds if it is free, expired or
        already the holder's (then it is renewed); None when another holder has it."""
        _check(resource)
        c = leases.c
        with self.meta._write() as conn:
            now = db_now(conn)
            ins = insert_on_conflict(conn, leases)
            stmt = (
                ins.values(
                    resource=resource,
                    holder=holder,
                    acquired_at=now,
                    renewed_at=now,
                    expires_at=now + literal(float(ttl_s)),
                )
                .on_conflict_do_update(
                    index_elements=[c.resource],
                    set_={
                        "holder": ins.excluded.holder,
                        # the holder's own lease keeps the time it was first taken
                        "acquired_at": case(
                            (c.holder == ins.excluded.holder, c.acquired_at),
                            else_=ins.excluded.acquired_at,
                        ),
                        "renewed_at": ins.excluded.renewed_at,
                        "expires_at": ins.excluded.expires_at,
                    },
                    where=or_(
                        c.holder == ins.excluded.holder, c.expires_at <= ins.excluded.renewed_at
                    ),
                )
                .returning(*leases.c)
            )
            row = conn.execute(stmt).first()
        return None if row is None else _lease(row)

    def renew(self, holder: str, ttl_s: float, resources: Iterable[str] | None = None) -> set[str]:
        """Extend ``holder``'s unexpired leases (all of them, or those of ``resources``) by
        ``ttl_s`` seconds from now; returns the resources renewed. A lease that expired or was
        taken by another holder is not renewed: it is lost."""
        c = leases.c
        wanted = None if resources is None else sorted(set(resources))
        if wanted is not None and not wanted:
            return set()
        with self.meta._write() as conn:
            now = db_now(conn)
            stmt = (
                update(leases)
                .where(c.holder == holder, c.expires_at > now)
                .values(renewed_at=now, expires_at=now + literal(float(ttl_s)))
                .returning(c.resource)
            )
            if wanted is not None:
                stmt = stmt.where(c.resource.in_(wanted))
            return {str(r) for r in conn.execute(stmt).scalars()}

    def release(self, holder: str, resources: Iterable[str] | None = None) -> int:
        """Give up ``holder``'s leases (all, or those of ``resources``); returns how many. A
        lease another holder took meanwhile is left alone."""
        c = leases.c
        stmt = delete(leases).where(c.holder == holder)
        if resources is not None:
            wanted = sorted(set(resources))
            if not wanted:
                return 0
            stmt = stmt.where(c.resource.in_(wanted))
        with self.meta._write() as conn:
            return int(conn.execute(stmt).rowcount or 0)

    def expire(self, holders: Iterable[str]) -> int:
        """End every lease of ``holders`` now (processes known to be gone), so that others may
        take them at once instead of after their time; returns how many."""
        names = sorted(set(holders))
        if not names:
            return 0
        c = leases.c
        with self.meta._write() as conn:
            stmt = update(leases).where(c.holder.in_(names)).values(expires_at=literal(0.0))
            return int(conn.execute(stmt).rowcount or 0)

    def get(self, resource: str) -> Lease | None:
        """The lease of ``resource`` as stored (expired or not), or None."""
        with self.meta._read() as conn:
            row = conn.execute(select(leases).where(leases.c.resource == resource)).first()
        return None if row is None else _lease(row)

    def find(self, prefix: str = "") -> list[Lease]:
        """Stored leases whose resource starts with ``prefix`` (expired ones included)."""
        c = leases.c
        stmt = select(leases).order_by(c.resource)
        if prefix:
            stmt = stmt.where(c.resource.startswith(prefix, autoescape=True))
        with self.meta._read() as conn:
            return [_lease(r) for r in conn.execute(stmt)]

    def live(self, prefix: str = "") -> tuple[float, list[Lease]]:
        """The database's time and the unexpired leases whose resource starts with
        ``prefix``, read together."""
        c = leases.c
        with self.meta._read() as conn:
            now = float(conn.execute(select(db_now(conn))).scalar_one())
            stmt = select(leases).where(c.expires_at > now).order_by(c.resource)
            if prefix:
                stmt = stmt.where(c.resource.startswith(prefix, autoescape=True))
            return now, [_lease(r) for r in conn.execute(stmt)]


def lease_store(meta: MetadataStore) -> LeaseStore:
    """The lease table of a metadata store (its SQL backend: SQLite or PostgreSQL)."""
    from openkamp.storage.metadata.sql import SqlMetadataStore

    if isinstance(meta, SqlMetadataStore):
        return LeaseStore(meta)
    raise InvalidInput(
        f"The metadata store {type(meta).__name__} keeps no leases.",
        hint="Use the SQL metadata store (sqlite:// or postgresql://).",
    )
