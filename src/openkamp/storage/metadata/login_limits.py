"""Storage of sign-in limits: the ``login_limits`` table of migration 0014.

What the limiter of :mod:`openkamp.accounts.stored_limiter` keeps per key (failure times, the
start times of password checks still running, a lockout), in the metadata database so that every
API worker counts against the same limit. The rules (how many failures, which window) are the
limiter's; this store only reads and writes the state of some keys atomically:
:meth:`LoginLimitStore.locked` holds their rows until its block ends (``SELECT ... FOR UPDATE``
on PostgreSQL, the store's single writer on SQLite), so two processes never both see a key one
attempt short of its limit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select

from openkamp.core.errors import InvalidInput
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.metadata.dialect import insert_on_conflict
from openkamp.storage.metadata.rows import aware
from openkamp.storage.metadata.schema import login_limits

__all__ = ["LimitState", "LoginLimitStore", "login_limit_store"]

_KEY_MAX = 200


@dataclass
class LimitState:
    """One key's state: failure times and running checks' start times (epoch milliseconds,
    oldest first) and the end of its lockout, if any."""

    failures: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    locked_until: datetime | None = None

    def empty(self) -> bool:
        return not self.failures and not self.pending and self.locked_until is None

    def copy(self) -> LimitState:
        return LimitState(list(self.failures), list(self.pending), self.locked_until)


def _stored_key(key: str) -> str:
    """The key as stored: as it is, or its kind and SHA-256 when longer than the column (a
    client address is whatever a request claims)."""
    if len(key) <= _KEY_MAX:
        return key
    kind = key.split(":", 1)[0][:32]
    return f"{kind}:sha256:{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


def _state(row: Any) -> LimitState:
    return LimitState(
        [int(t) for t in json.loads(row.failures)],
        [int(t) for t in json.loads(row.pending)],
        aware(row.locked_until),
    )


class LoginLimitStore:
    """The ``login_limits`` table of a SQL metadata store (SQLite or PostgreSQL)."""

    def __init__(self, meta: Any) -> None:
        self.meta = meta

    def read(self, keys: Iterable[str]) -> dict[str, LimitState]:
        """The states of ``keys`` as stored now (an unknown key's is empty)."""
        stored = {k: _stored_key(k) for k in dict.fromkeys(keys)}
        c = login_limits.c
        with self.meta._read() as conn:
            rows = conn.execute(select(login_limits).where(c.limit_key.in_(set(stored.values()))))
            found = {r.limit_key: _state(r) for r in rows}
        return {k: found.get(s, LimitState()) for k, s in stored.items()}

    @contextmanager
    def locked(
        self, keys: Iterable[str], now: datetime | None = None
    ) -> Iterator[dict[str, LimitState]]:
        """The states of ``keys``, locked until the block ends; what the block changes in them
        is written (as of ``now``) when it ends without an error (a state left empty deletes its
        row)."""
        stored = {k: _stored_key(k) for k in dict.fromkeys(keys)}
        names = sorted(set(stored.values()))  # one order everywhere: no deadlock between keys
        if not names:
            yield {}
            return
        c = login_limits.c
        now = (now or datetime.now(UTC)).astimezone(UTC)
        with self.meta._write() as conn:
            # Rows to lock must exist: a key seen for the first time gets an empty one.
            conn.execute(
                insert_on_conflict(conn, login_limits)
                .values([{"limit_key": n, "updated_at": now} for n in names])
                .on_conflict_do_nothing(index_elements=[c.limit_key])
            )
            stmt = select(login_limits).where(c.limit_key.in_(names)).order_by(c.limit_key)
            if conn.dialect.name == "postgresql":
                stmt = stmt.with_for_update()
            found = {r.limit_key: _state(r) for r in conn.execute(stmt)}
            states = {k: found.get(s, LimitState()) for k, s in stored.items()}
            before = {k: v.copy() for k, v in states.items()}
            yield states
            for key, state in states.items():
                if state == before[key] and not state.empty():
                    continue
                where = c.limit_key == stored[key]
                if state.empty():
                    conn.execute(delete(login_limits).where(where))
                    continue
                conn.execute(
                    login_limits.update()
                    .where(where)
                    .values(
                        failures=json.dumps(state.failures),
                        pending=json.dumps(state.pending),
                        locked_until=(
                            None
                            if state.locked_until is None
                            else state.locked_until.astimezone(UTC)
                        ),
                        updated_at=now,
                    )
                )

    def sweep(self, before: datetime, now: datetime) -> int:
        """Delete the rows not written since ``before`` whose lockout (if any) ended by
        ``now``; returns how many."""
        c = login_limits.c
        with self.meta._write() as conn:
            return int(
                conn.execute(
                    delete(login_limits).where(
                        c.updated_at < before.astimezone(UTC),
                        or_(c.locked_until.is_(None), c.locked_until <= now.astimezone(UTC)),
                    )
                ).rowcount
            )

    def count(self) -> int:
        """Number of keys with a stored state."""
        with self.meta._read() as conn:
            return int(conn.execute(select(func.count()).select_from(login_limits)).scalar() or 0)


def login_limit_store(meta: MetadataStore) -> LoginLimitStore:
    """The sign-in limit table of a metadata store (its SQL backend: SQLite or PostgreSQL)."""
    from openkamp.storage.metadata.sql import SqlMetadataStore

    if isinstance(meta, SqlMetadataStore):
        return LoginLimitStore(meta)
    raise InvalidInput(
        f"The metadata store {type(meta).__name__} keeps no sign-in limits.",
        hint="Use the SQL metadata store (sqlite:// or postgresql://).",
    )
