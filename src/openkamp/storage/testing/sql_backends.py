"""For tests: the metadata store's two SQL engines, and a plain connection that writes around it.

Tests parametrised by :data:`BACKENDS` open a store on :func:`metadata_url`: a SQLite file in a
folder, or a fresh database on the test PostgreSQL server (skipped without one, a failure under
``CI=true``, see :mod:`openkamp.storage.testing.postgres`). :class:`RawConnection` is what someone
who can write the database would use (tamper tests, trigger checks); its SQL is written as SQLite
spells it (``?`` parameters, ``x'00ff'`` and ``zeroblob(n)`` blobs) and translated for
PostgreSQL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from openkamp.storage.testing.postgres import _dsn, fresh_database

__all__ = ["BACKENDS", "RawConnection", "metadata_url"]

BACKENDS = ("sqlite", "postgresql")


@contextmanager
def metadata_url(backend: str, folder: Path, name: str = "meta") -> Iterator[str]:
    """The URL of an empty metadata database of ``backend``: ``<folder>/<name>.sqlite``, or a
    new PostgreSQL database (dropped after)."""
    if backend == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder / name}.sqlite"
    elif backend == "postgresql":
        with fresh_database() as url:
            yield url
    else:
        raise ValueError(f"Unknown backend {backend!r}; known: {BACKENDS}.")


_BLOB = re.compile(r"x'([0-9a-fA-F]*)'")
_ZEROBLOB = re.compile(r"zeroblob\((\d+)\)")


def _postgres_sql(sql: str) -> str:
    sql = _ZEROBLOB.sub(lambda m: f"decode(repeat('00', {m.group(1)}), 'hex')", sql)
    sql = _BLOB.sub(lambda m: f"decode('{m.group(1)}', 'hex')", sql)
    return sql.replace("%", "%%").replace("?", "%s")


class RawConnection:
    """A DB-API connection to the database of a metadata URL, outside the store.

    On PostgreSQL every statement commits by itself (a refused one leaves nothing to roll back);
    on SQLite, :meth:`commit` commits. :attr:`refused` is the error a trigger's refusal raises.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith("postgresql")
        self._con: Any
        if self.postgres:
            import psycopg

            self._con = psycopg.connect(_dsn(url), autocommit=True)
            self.refused: tuple[type[Exception], ...] = (psycopg.errors.RaiseException,)
        else:
            self._con = sqlite3.connect(str(make_url(url).database))
            self.refused = (sqlite3.IntegrityError,)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (SQLite's spelling); returns the cursor."""
        if self.postgres:
            return self._con.execute(_postgres_sql(sql), tuple(params) or None)
        return self._con.execute(sql, tuple(params))

    def triggers(self, prefix: str) -> list[tuple[str, str]]:
        """``(trigger, table)`` of the triggers whose name starts with ``prefix``."""
        if self.postgres:
            rows = self._con.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname LIKE %s",
                (prefix + "%",),
            ).fetchall()
        else:
            rows = self._con.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
                (prefix + "%",),
            ).fetchall()
        return sorted((str(n), str(t)) for n, t in rows)

    def drop_triggers(self, prefix: str) -> None:
        """Drop the guards, as someone who can write the database would."""
        for name, table in self.triggers(prefix):
            if self.postgres:
                self._con.execute(f'DROP TRIGGER "{name}" ON "{table}"')
            else:
                self._con.execute(f'DROP TRIGGER "{name}"')
        self.commit()

    def tables(self) -> set[str]:
        if self.postgres:
            rows = self._con.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        else:
            rows = self._con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(r[0]) for r in rows}

    def commit(self) -> None:
        if not self.postgres:
            self._con.commit()

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
